//! Human rendering of a probe: aligned label/value lines, readable at a glance.

use signoff::escape::terminal;
use signoff::probe::model::{AudioInfo, Container, Stream, VideoInfo};
use signoff::probe::summary::{duration, fps};
use signoff::probe::ProbedFile;
use std::io::{self, Write};

/// Width of the label column.
const LABEL: usize = 12;

/// Prints one file's probe.
pub fn file(out: &mut impl Write, f: &ProbedFile, verbose: bool) -> io::Result<()> {
    writeln!(out, "{}", terminal(&f.path))?;
    if let Some(p) = &f.problem {
        line(out, "ERROR", &terminal(&p.message))?;
    }
    if let Some(m) = &f.media {
        container(out, &m.container, f.size_bytes)?;
        for s in &m.streams {
            stream(out, s)?;
        }
    }
    for w in &f.warnings {
        line(out, "warning", &terminal(w))?;
    }
    if verbose || f.problem.is_some() {
        for l in &f.ffmpeg_log {
            line(
                out,
                "ffmpeg",
                &format!("{}: {}", l.level, terminal(&l.message)),
            )?;
        }
    }
    Ok(())
}

/// Every value line goes through the terminal escape (escaping is
/// idempotent, so values escaped earlier are unchanged).
fn line(out: &mut impl Write, label: &str, value: &str) -> io::Result<()> {
    writeln!(out, "  {label:<LABEL$}{}", terminal(value))
}

fn join(parts: Vec<String>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("  ")
}

fn container(out: &mut impl Write, c: &Container, size: Option<u64>) -> io::Result<()> {
    let mut parts = vec![c.format.clone()];
    if let Some(op) = &c.operational_pattern {
        parts.push(op.clone());
    }
    parts.push(
        c.duration_s
            .map(duration)
            .unwrap_or_else(|| "duration unknown".into()),
    );
    parts.extend(c.bit_rate_bps.map(rate));
    parts.extend(size.map(bytes));
    line(out, "container", &join(parts))?;
    if let Some(tc) = &c.start_timecode {
        line(out, "timecode", &terminal(tc))?;
    }
    for (label, value) in [
        ("title", &c.title),
        ("encoder", &c.encoder),
        ("created", &c.creation_time),
    ] {
        if let Some(v) = value {
            line(out, label, &terminal(v))?;
        }
    }
    Ok(())
}

fn stream(out: &mut impl Write, s: &Stream) -> io::Result<()> {
    let label = format!("#{} {}", s.index, s.kind.as_str());
    let mut head = vec![s.codec.clone()];
    head.extend(s.profile.as_deref().map(|p| terminal(p).into_owned()));
    head.extend(s.codec_tag.as_deref().map(|t| format!("({})", terminal(t))));
    if let Some(v) = &s.video {
        head.push(video_main(v));
    }
    if let Some(a) = &s.audio {
        head.push(audio_main(a));
    }
    line(out, &label, &join(head))?;
    if let Some(v) = &s.video {
        line(out, "", &video_detail(v))?;
        if let Some(h) = &v.hdr {
            line(out, "", &hdr(h))?;
        }
    }
    let mut tail = Vec::new();
    tail.extend(
        s.language
            .as_deref()
            .map(|l| format!("lang {}", terminal(l))),
    );
    tail.extend(
        s.title
            .as_deref()
            .map(|t| format!("title \"{}\"", terminal(t))),
    );
    tail.extend(s.timecode.as_deref().map(|t| format!("TC {}", terminal(t))));
    tail.extend(s.duration_s.map(duration));
    tail.extend(s.bit_rate_bps.map(rate));
    if !tail.is_empty() {
        line(out, "", &join(tail))?;
    }
    Ok(())
}

fn video_main(v: &VideoInfo) -> String {
    let mut parts = vec![format!("{}x{}", v.width, v.height)];
    parts.extend(v.display_aspect_ratio.as_ref().map(|d| format!("DAR {d}")));
    parts.extend(v.sample_aspect_ratio.as_ref().map(|d| format!("SAR {d}")));
    if let (Some(r), Some(f)) = (&v.frame_rate, v.frame_rate_fps) {
        parts.push(format!("{} fps ({r})", fps(f)));
    }
    parts.extend(
        v.constant_frame_rate
            .map(|c| if c { "CFR".into() } else { "VFR".into() }),
    );
    parts.extend(v.field_order.clone());
    join(parts)
}

fn video_detail(v: &VideoInfo) -> String {
    let colour = [&v.color_primaries, &v.color_transfer, &v.color_matrix]
        .iter()
        .map(|c| c.as_deref().unwrap_or("?"))
        .collect::<Vec<_>>()
        .join("/");
    let mut parts = Vec::new();
    parts.extend(v.pixel_format.clone());
    parts.extend(v.bit_depth.map(|b| format!("{b}-bit")));
    parts.extend(v.chroma_subsampling.clone());
    parts.extend(v.color_range.clone());
    parts.push(format!("colour {colour}"));
    parts.extend(v.frame_count.map(|n| format!("{n} frames")));
    join(parts)
}

fn hdr(h: &signoff::probe::model::HdrMetadata) -> String {
    let mut parts = vec![format!("HDR10 ({})", h.source)];
    if let Some(m) = &h.mastering_display {
        if let (Some(min), Some(max)) = (m.min_luminance_nits, m.max_luminance_nits) {
            parts.push(format!("mastering {min}–{max} cd/m²"));
        }
    }
    parts.extend(h.max_cll_nits.map(|v| format!("MaxCLL {v}")));
    parts.extend(h.max_fall_nits.map(|v| format!("MaxFALL {v}")));
    join(parts)
}

fn audio_main(a: &AudioInfo) -> String {
    let mut parts = vec![format!("{} Hz", a.sample_rate)];
    parts.extend(a.bit_depth.map(|b| format!("{b}-bit")));
    parts.extend(a.sample_format.clone());
    let layout = a
        .channel_layout
        .clone()
        .unwrap_or_else(|| "unknown layout".into());
    parts.push(format!("{} ch {layout}", a.channels));
    if !a.channel_names.is_empty() {
        parts.push(format!("[{}]", a.channel_names.join(" ")));
    }
    if !a.channel_labels.labelled() {
        parts.push("channels unlabelled".into());
    }
    join(parts)
}

/// `225.4 Mb/s`
fn rate(bps: u64) -> String {
    let b = bps as f64;
    if b >= 1e6 {
        format!("{:.1} Mb/s", b / 1e6)
    } else {
        format!("{:.0} kb/s", b / 1e3)
    }
}

/// `12.3 MB`
pub fn bytes(n: u64) -> String {
    let b = n as f64;
    match n {
        0..=999 => format!("{n} B"),
        1_000..=999_999 => format!("{:.1} kB", b / 1e3),
        1_000_000..=999_999_999 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.2} GB", b / 1e9),
    }
}
