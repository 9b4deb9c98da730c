//! Pure translations from FFmpeg's vocabulary to the names signoff reports.

use super::model::ChannelLabels;

/// Normalised container name from FFmpeg's demuxer name and the ISO major brand.
///
/// FFmpeg reads MOV and MP4 with one demuxer; the major brand tells them
/// apart (`qt  ` is QuickTime; no `ftyp` at all is old QuickTime too).
pub fn container_format(ffmpeg_format: &str, major_brand: Option<&str>) -> String {
    let first = ffmpeg_format.split(',').next().unwrap_or(ffmpeg_format);
    match first {
        "mov" => match major_brand.map(str::trim) {
            None | Some("qt") => "mov".into(),
            Some("M4A") | Some("M4B") => "m4a".into(),
            Some("3gp4") | Some("3gp5") | Some("3gp6") | Some("3g2a") => "3gp".into(),
            Some(_) => "mp4".into(),
        },
        "matroska" => "mkv".into(),
        "mpeg" => "mpegps".into(),
        "s337m" | "spdif" => first.into(),
        other => other.into(),
    }
}

/// MXF operational pattern (`OP1a`, `OP2b`, `OPAtom`) from the
/// `operational_pattern_ul` tag FFmpeg's MXF demuxer exports, e.g.
/// `060e2b34.04010101.0d010201.01010900`.
pub fn mxf_operational_pattern(ul: &str) -> Option<String> {
    let hex: String = ul.chars().filter(|c| *c != '.').collect();
    if hex.len() != 32 {
        return None;
    }
    let bytes: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16))
        .collect::<Result<_, _>>()
        .ok()?;
    if bytes[8..12] != [0x0d, 0x01, 0x02, 0x01] {
        return None;
    }
    match (bytes[12], bytes[13]) {
        (0x10, _) => Some("OPAtom".into()),
        (item @ 1..=3, package @ 1..=3) => {
            let letter = ['a', 'b', 'c'][usize::from(package - 1)];
            Some(format!("OP{item}{letter}"))
        }
        _ => None,
    }
}

/// Chroma subsampling (`4:2:0`…) from a pixel format's log2 chroma shifts.
pub fn chroma_subsampling(components: u8, is_rgb: bool, log2_w: u8, log2_h: u8) -> Option<String> {
    if is_rgb {
        return Some("4:4:4".into());
    }
    if components < 3 {
        return Some("4:0:0".into());
    }
    let s = match (log2_w, log2_h) {
        (0, 0) => "4:4:4",
        (1, 0) => "4:2:2",
        (1, 1) => "4:2:0",
        (2, 0) => "4:1:1",
        (2, 2) => "4:1:0",
        (0, 1) => "4:4:0",
        _ => return None,
    };
    Some(s.into())
}

/// `(scan_type, field_order)` from FFmpeg's field order code (ffprobe's
/// `progressive`, `tt`, `bb`, `tb`, `bt`).
pub fn field_order(ffprobe_name: &str) -> (Option<&'static str>, Option<&'static str>) {
    match ffprobe_name {
        "progressive" => (Some("progressive"), Some("progressive")),
        "tt" => (Some("interlaced"), Some("tff")),
        "bb" => (Some("interlaced"), Some("bff")),
        "tb" => (Some("interlaced"), Some("tb")),
        "bt" => (Some("interlaced"), Some("bt")),
        _ => (None, None),
    }
}

/// FFmpeg's channel layout of a stream: its channel names in order
/// (`FL`, `FR`, `USR3`…) and whether the order is FFmpeg's native one.
#[derive(Debug, Clone, PartialEq)]
pub struct FfmpegLayout {
    /// FFmpeg's name of each channel, in stream order.
    pub channels: Vec<String>,
    /// Native order (a channel mask); otherwise custom (e.g. MXF MCA labels).
    pub native: bool,
}

/// Channel names a track title can give a mono track.
const TITLE_NAMES: [&str; 13] = [
    "L", "R", "C", "LFE", "Ls", "Rs", "Lt", "Rt", "Lrs", "Rrs", "Lss", "Rss", "M",
];

/// A stream's post-production channel names and what in the file gave them.
///
/// FFmpeg reports a container's labels (MOV `chan`, WAV channel mask, MXF
/// MCA) or the codec's as the stream's channel layout, and no layout when
/// nothing labels the channels. One exception: FFmpeg's one-channel `mono`
/// (a native front centre) says "mono", not which channel of a programme
/// the track carries, so such a track is named by its title when that is a
/// channel name, else `M` (unlabelled). Unlabelled streams of several
/// channels have no names.
pub fn label_channels(
    channels: u32,
    layout: Option<&FfmpegLayout>,
    title: Option<&str>,
    container: &str,
    codec: &str,
) -> (Vec<String>, ChannelLabels) {
    if let Some(l) = layout.filter(|l| l.channels.len() == channels as usize) {
        let mono = l.native && l.channels == ["FC"];
        if !mono {
            return (
                post_channel_names(&l.channels),
                label_source(container, codec),
            );
        }
    }
    if channels != 1 {
        return (Vec::new(), ChannelLabels::None);
    }
    match title.map(str::trim).filter(|t| TITLE_NAMES.contains(t)) {
        Some("M") | None => (vec!["M".into()], ChannelLabels::None),
        Some(name) => (vec![name.to_string()], ChannelLabels::TrackTitle),
    }
}

/// What gave FFmpeg a stream's channel layout: the codec for coded audio,
/// else the container's labels.
fn label_source(container: &str, codec: &str) -> ChannelLabels {
    if !codec.starts_with("pcm_") {
        return ChannelLabels::Codec;
    }
    match container.split(',').next().unwrap_or(container) {
        "wav" | "w64" => ChannelLabels::ChannelMask,
        "mov" => ChannelLabels::ChanAtom,
        "mxf" => ChannelLabels::MxfMca,
        _ => ChannelLabels::Container,
    }
}

/// Post-production channel names for FFmpeg channel names, in stream order.
///
/// `BL`/`BR` are the surrounds of a 5.1 (back) layout, and the rear
/// surrounds when side channels are present too (7.1).
pub fn post_channel_names(ffmpeg_names: &[String]) -> Vec<String> {
    let has_side = ffmpeg_names.iter().any(|n| n == "SL" || n == "SR");
    ffmpeg_names
        .iter()
        .map(|n| post_channel_name(n, has_side).unwrap_or(n).to_string())
        .collect()
}

fn post_channel_name(ffmpeg: &str, has_side: bool) -> Option<&'static str> {
    Some(match ffmpeg {
        "FL" => "L",
        "FR" => "R",
        "FC" => "C",
        "LFE" => "LFE",
        "SL" => "Ls",
        "SR" => "Rs",
        "BL" if has_side => "Lrs",
        "BR" if has_side => "Rrs",
        "BL" => "Ls",
        "BR" => "Rs",
        "BC" => "Cs",
        "FLC" => "Lc",
        "FRC" => "Rc",
        "DL" => "Lt",
        "DR" => "Rt",
        "TFL" => "Ltf",
        "TFR" => "Rtf",
        "TBL" => "Ltr",
        "TBR" => "Rtr",
        "TSL" => "Lts",
        "TSR" => "Rts",
        "LFE2" => "LFE2",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mov_and_mp4_are_told_apart_by_brand() {
        let ff = "mov,mp4,m4a,3gp,3g2,mj2";
        assert_eq!(container_format(ff, Some("qt  ")), "mov");
        assert_eq!(container_format(ff, None), "mov");
        assert_eq!(container_format(ff, Some("isom")), "mp4");
        assert_eq!(container_format(ff, Some("mp42")), "mp4");
        assert_eq!(container_format(ff, Some("M4A ")), "m4a");
        assert_eq!(container_format("matroska,webm", None), "mkv");
        assert_eq!(container_format("wav", None), "wav");
        assert_eq!(container_format("mpegts", None), "mpegts");
    }

    #[test]
    fn operational_patterns() {
        assert_eq!(
            mxf_operational_pattern("060e2b34.04010101.0d010201.01010900").as_deref(),
            Some("OP1a")
        );
        assert_eq!(
            mxf_operational_pattern("060e2b34.04010102.0d010201.02030100").as_deref(),
            Some("OP2c")
        );
        assert_eq!(
            mxf_operational_pattern("060e2b34.04010102.0d010201.10030000").as_deref(),
            Some("OPAtom")
        );
        assert_eq!(mxf_operational_pattern("garbage"), None);
        assert_eq!(
            mxf_operational_pattern("060e2b34.04010101.0e010201.01010900"),
            None
        );
    }

    #[test]
    fn chroma() {
        assert_eq!(chroma_subsampling(3, false, 1, 0).as_deref(), Some("4:2:2"));
        assert_eq!(chroma_subsampling(3, false, 1, 1).as_deref(), Some("4:2:0"));
        assert_eq!(chroma_subsampling(3, false, 0, 0).as_deref(), Some("4:4:4"));
        assert_eq!(chroma_subsampling(4, true, 0, 0).as_deref(), Some("4:4:4"));
        assert_eq!(chroma_subsampling(1, false, 0, 0).as_deref(), Some("4:0:0"));
    }

    #[test]
    fn fields() {
        assert_eq!(field_order("tt"), (Some("interlaced"), Some("tff")));
        assert_eq!(field_order("bb"), (Some("interlaced"), Some("bff")));
        assert_eq!(field_order("progressive").1, Some("progressive"));
        assert_eq!(field_order("unknown"), (None, None));
    }

    fn ff(names: &[&str], native: bool) -> FfmpegLayout {
        FfmpegLayout {
            channels: names.iter().map(|s| s.to_string()).collect(),
            native,
        }
    }

    #[test]
    fn labels_come_from_the_layout_or_the_title() {
        let mov = "mov,mp4,m4a,3gp,3g2,mj2";
        // a mono track whose chan atom says Left (FFmpeg: `1 channels (FL)`)
        assert_eq!(
            label_channels(1, Some(&ff(&["FL"], true)), None, mov, "pcm_s24le"),
            (vec!["L".to_string()], ChannelLabels::ChanAtom)
        );
        // FFmpeg's `mono` does not say which channel: the title does, or nothing
        assert_eq!(
            label_channels(1, Some(&ff(&["FC"], true)), Some("Rs"), mov, "pcm_s24le"),
            (vec!["Rs".to_string()], ChannelLabels::TrackTitle)
        );
        assert_eq!(
            label_channels(1, Some(&ff(&["FC"], true)), None, mov, "pcm_s24le"),
            (vec!["M".to_string()], ChannelLabels::None)
        );
        // an MXF MCA centre label is custom order: a real C
        assert_eq!(
            label_channels(1, Some(&ff(&["FC"], false)), None, "mxf", "pcm_s24le"),
            (vec!["C".to_string()], ChannelLabels::MxfMca)
        );
        let mask = ff(&["FL", "FR", "FC", "LFE", "BL", "BR"], true);
        assert_eq!(
            label_channels(6, Some(&mask), None, "wav", "pcm_s24le").1,
            ChannelLabels::ChannelMask
        );
        assert_eq!(
            label_channels(6, None, None, "wav", "pcm_s24le"),
            (Vec::new(), ChannelLabels::None)
        );
        assert_eq!(
            label_channels(2, Some(&ff(&["FL", "FR"], true)), None, mov, "aac").1,
            ChannelLabels::Codec
        );
    }

    #[test]
    fn channel_names() {
        let names =
            |v: &[&str]| post_channel_names(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            names(&["FL", "FR", "FC", "LFE", "SL", "SR"]),
            ["L", "R", "C", "LFE", "Ls", "Rs"]
        );
        assert_eq!(
            names(&["FL", "FR", "FC", "LFE", "BL", "BR"]),
            ["L", "R", "C", "LFE", "Ls", "Rs"]
        );
        assert_eq!(
            names(&["FL", "FR", "FC", "LFE", "BL", "BR", "SL", "SR"]),
            ["L", "R", "C", "LFE", "Lrs", "Rrs", "Ls", "Rs"]
        );
        assert_eq!(names(&["FC"]), ["C"]);
        assert_eq!(names(&["USR3"]), ["USR3"]);
    }
}
