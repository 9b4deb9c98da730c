//! Capturing FFmpeg's log lines and attaching them to the file they concern.
//!
//! FFmpeg logs through one process-wide callback. signoff installs its own
//! callback once; while [`capture`] runs on a thread, lines logged on that
//! thread are collected and returned with the result, instead of being
//! printed on the terminal. Lines logged outside a capture are dropped.

use ffmpeg_next::ffi;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::Once;

/// Most lines kept per file; a hostile file can make FFmpeg log endlessly.
const MAX_LINES: usize = 200;

/// One line FFmpeg logged while working on a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// `panic`, `fatal`, `error` or `warning`.
    pub level: String,
    /// The component that logged, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `h264`.
    pub component: Option<String>,
    /// The text, trimmed.
    pub message: String,
}

thread_local! {
    static CAPTURE: RefCell<Option<Capture>> = const { RefCell::new(None) };
}

#[derive(Default)]
struct Capture {
    lines: Vec<LogLine>,
    /// The last fragment did not end a line; the next one continues it.
    open_line: bool,
    dropped: usize,
}

static INIT: Once = Once::new();

/// Initialises FFmpeg and installs the capturing log callback. Idempotent.
pub fn init() {
    INIT.call_once(|| {
        // SAFETY: both calls only set process-wide FFmpeg state, before any other use.
        unsafe {
            ffi::av_log_set_level(ffi::AV_LOG_WARNING);
            ffi::av_log_set_callback(Some(log_callback));
        }
    });
}

/// Runs `f`, returning its result and the FFmpeg lines logged on this thread meanwhile.
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, Vec<LogLine>) {
    init();
    let previous = CAPTURE.with(|c| c.borrow_mut().replace(Capture::default()));
    let value = f();
    let captured = CAPTURE.with(|c| std::mem::replace(&mut *c.borrow_mut(), previous));
    let mut lines = captured.map(finish).unwrap_or_default();
    lines.retain(|l| !l.message.is_empty());
    (value, lines)
}

fn finish(capture: Capture) -> Vec<LogLine> {
    let mut lines = capture.lines;
    if capture.dropped > 0 {
        lines.push(LogLine {
            level: "warning".into(),
            component: None,
            message: format!("{} further FFmpeg log lines not kept", capture.dropped),
        });
    }
    lines
}

fn level_name(level: c_int) -> Option<&'static str> {
    match level {
        l if l <= ffi::AV_LOG_PANIC => Some("panic"),
        l if l <= ffi::AV_LOG_FATAL => Some("fatal"),
        l if l <= ffi::AV_LOG_ERROR => Some("error"),
        l if l <= ffi::AV_LOG_WARNING => Some("warning"),
        _ => None,
    }
}

unsafe extern "C" fn log_callback(
    avcl: *mut c_void,
    level: c_int,
    fmt: *const c_char,
    vl: *mut ffi::__va_list_tag,
) {
    let Some(level) = level_name(level) else {
        return;
    };
    let mut buf = [0 as c_char; 1024];
    let mut print_prefix: c_int = 0;
    // SAFETY: FFmpeg hands us a valid format string and va_list; the buffer
    // is ours and its size is passed.
    unsafe {
        ffi::av_log_format_line2(
            std::ptr::null_mut(),
            0,
            fmt,
            vl,
            buf.as_mut_ptr(),
            buf.len() as c_int,
            &mut print_prefix,
        );
    }
    // SAFETY: av_log_format_line2 always NUL-terminates within the buffer.
    let text = unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned();
    let component = unsafe { component_name(avcl) };
    // Never unwind into C.
    let _ = std::panic::catch_unwind(|| record(level, component, &text));
}

/// The name of the FFmpeg component behind a log context (`AVClass::item_name`).
unsafe fn component_name(avcl: *mut c_void) -> Option<String> {
    if avcl.is_null() {
        return None;
    }
    // SAFETY: FFmpeg's convention: a log context starts with a pointer to its AVClass.
    unsafe {
        let class = *(avcl as *const *const ffi::AVClass);
        if class.is_null() {
            return None;
        }
        let item_name = (*class).item_name?;
        let name = item_name(avcl);
        (!name.is_null()).then(|| CStr::from_ptr(name).to_string_lossy().into_owned())
    }
}

fn record(level: &'static str, component: Option<String>, text: &str) {
    CAPTURE.with(|c| {
        let Ok(mut slot) = c.try_borrow_mut() else {
            return;
        };
        let Some(capture) = slot.as_mut() else {
            return;
        };
        let ends_line = text.ends_with('\n');
        let trimmed = text.trim();
        if capture.open_line {
            if let Some(last) = capture.lines.last_mut() {
                if !last.message.is_empty() && !trimmed.is_empty() {
                    last.message.push(' ');
                }
                last.message.push_str(trimmed);
            }
        } else if capture.lines.len() < MAX_LINES {
            capture.lines.push(LogLine {
                level: level.to_string(),
                component,
                message: trimmed.to_string(),
            });
        } else {
            capture.dropped += 1;
        }
        capture.open_line = !ends_line;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_join_into_one_line() {
        let ((), lines) = capture(|| {
            record("error", Some("mov".into()), "moov atom ");
            record("error", Some("mov".into()), "not found\n");
            record("warning", None, "second\n");
        });
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].message, "moov atom not found");
        assert_eq!(lines[0].component.as_deref(), Some("mov"));
        assert_eq!(lines[1].level, "warning");
    }

    #[test]
    fn nothing_is_kept_outside_a_capture() {
        record("error", None, "lost\n");
        let ((), lines) = capture(|| ());
        assert!(lines.is_empty());
    }

    #[test]
    fn lines_are_capped() {
        let ((), lines) = capture(|| {
            for _ in 0..(MAX_LINES + 5) {
                record("warning", None, "x\n");
            }
        });
        assert_eq!(lines.len(), MAX_LINES + 1);
        assert!(lines.last().unwrap().message.starts_with("5 further"));
    }
}
