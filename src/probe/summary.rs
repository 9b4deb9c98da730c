//! One-line summaries of probed media, for inventories and reports.

use super::model::{AudioInfo, MediaInfo, Stream, StreamKind, VideoInfo};

/// `ProRes HQ 1920x1080 23.976p · 8× pcm_s24le 48 kHz mono · 1.00 s · TC 01:00:00:00`
pub fn one_line(info: &MediaInfo) -> String {
    let mut parts: Vec<String> = Vec::new();
    for s in info.streams.iter().filter(|s| s.kind == StreamKind::Video) {
        parts.push(video_line(s));
    }
    parts.extend(audio_groups(&info.streams));
    let subs = info
        .streams
        .iter()
        .filter(|s| s.kind == StreamKind::Subtitle)
        .count();
    if subs > 0 {
        parts.push(format!(
            "{subs} subtitle stream{}",
            if subs == 1 { "" } else { "s" }
        ));
    }
    if let Some(d) = info.container.duration_s {
        parts.push(duration(d));
    }
    if let Some(tc) = &info.container.start_timecode {
        parts.push(format!("TC {tc}"));
    }
    format!("{} · {}", info.container.format, parts.join(" · "))
}

fn video_line(s: &Stream) -> String {
    let mut out = s.codec.clone();
    if let Some(p) = &s.profile {
        out.push(' ');
        out.push_str(p);
    }
    if let Some(v) = &s.video {
        out.push_str(&format!(" {}x{}{}", v.width, v.height, rate_and_scan(v)));
    }
    out
}

/// `23.976p`, `25i`, or empty when unknown.
pub fn rate_and_scan(v: &VideoInfo) -> String {
    let rate = v.frame_rate_fps.map(fps).unwrap_or_default();
    let scan = match v.scan_type.as_deref() {
        Some("progressive") => "p",
        Some("interlaced") => "i",
        _ => "",
    };
    if rate.is_empty() {
        String::new()
    } else {
        format!(" {rate}{scan}")
    }
}

/// A frame rate with at most three decimals and no trailing zeros.
pub fn fps(rate: f64) -> String {
    let s = format!("{rate:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Audio streams, identical ones grouped: `8× pcm_s24le 48 kHz mono`.
fn audio_groups(streams: &[Stream]) -> Vec<String> {
    let mut groups: Vec<(String, usize)> = Vec::new();
    for s in streams.iter().filter(|s| s.kind == StreamKind::Audio) {
        let desc = audio_desc(&s.codec, s.audio.as_ref());
        match groups.last_mut() {
            Some((d, n)) if *d == desc => *n += 1,
            _ => groups.push((desc, 1)),
        }
    }
    groups
        .into_iter()
        .map(|(d, n)| if n > 1 { format!("{n}× {d}") } else { d })
        .collect()
}

fn audio_desc(codec: &str, a: Option<&AudioInfo>) -> String {
    let Some(a) = a else { return codec.to_string() };
    let layout = a
        .channel_layout
        .clone()
        .unwrap_or_else(|| format!("{} ch", a.channels));
    format!(
        "{codec} {} kHz {layout}",
        fps(f64::from(a.sample_rate) / 1000.0)
    )
}

/// `1:02:03.50` style duration (`12.00 s` under a minute).
pub fn duration(seconds: f64) -> String {
    if seconds < 60.0 {
        return format!("{seconds:.2} s");
    }
    let total = seconds.max(0.0);
    let h = (total / 3600.0).floor();
    let m = ((total - h * 3600.0) / 60.0).floor();
    let s = total - h * 3600.0 - m * 60.0;
    if h > 0.0 {
        format!("{h}:{m:02}:{s:05.2}")
    } else {
        format!("{m}:{s:05.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_durations_and_rates() {
        assert_eq!(duration(12.0), "12.00 s");
        assert_eq!(duration(3723.5), "1:02:03.50");
        assert_eq!(duration(83.25), "1:23.25");
        assert_eq!(fps(24000.0 / 1001.0), "23.976");
        assert_eq!(fps(25.0), "25");
        assert_eq!(fps(29.97002997), "29.97");
    }
}
