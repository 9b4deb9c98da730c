//! Every rule key a profile may use: its group, type, scope, label and unit.
//!
//! The catalogue is the single list that the loader validates keys
//! against, that lint suggests spellings from, and that docs/specs.md
//! documents.

use super::value::Kind;

/// What a field is read from, and so how many times a rule is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per file (container, timing, naming).
    File,
    /// Once per video stream.
    VideoStream,
    /// Once per audio stream.
    AudioStream,
    /// Once over all audio streams together.
    AudioFile,
    /// Once per measured loudness programme.
    Programme,
    /// Once per file, against the sidecar list.
    Sidecar,
    /// Once per file, against the faults of its measured audio.
    Faults,
    /// Once per file, against the picture stage's measurements.
    Picture,
    /// Once per caption file, compared on every event and reported once.
    CaptionEvent,
    /// Once per caption file (its encoding, language, time base).
    CaptionFile,
}

/// One rule key.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Group (`video`).
    pub group: &'static str,
    /// Key (`frame_rate`).
    pub key: &'static str,
    /// How values are typed.
    pub kind: Kind,
    /// What it is read from.
    pub scope: Scope,
    /// Name for people (`frame rate`).
    pub label: &'static str,
    /// Unit shown after values (`fps`), or empty.
    pub unit: &'static str,
}

const fn f(
    group: &'static str,
    key: &'static str,
    kind: Kind,
    scope: Scope,
    label: &'static str,
    unit: &'static str,
) -> Field {
    Field {
        group,
        key,
        kind,
        scope,
        label,
        unit,
    }
}

use Kind::*;
use Scope::*;

/// Every known key except the free-form `sidecars` group.
#[rustfmt::skip]
pub const FIELDS: &[Field] = &[
    f("container", "format", Text, File, "container format", ""),
    f("container", "operational_pattern", Text, File, "MXF operational pattern", ""),
    f("container", "major_brand", Text, File, "major brand", ""),
    f("container", "bit_rate_bps", Number, File, "overall bit rate", "bit/s"),
    f("video", "stream_count", Number, File, "number of video streams", ""),
    f("video", "codec", Text, VideoStream, "video codec", ""),
    f("video", "profile", Text, VideoStream, "video codec profile", ""),
    f("video", "codec_tag", Text, VideoStream, "video codec tag", ""),
    f("video", "width", Number, VideoStream, "width", "px"),
    f("video", "height", Number, VideoStream, "height", "px"),
    f("video", "resolution", Text, VideoStream, "resolution", ""),
    f("video", "frame_rate", Rate, VideoStream, "frame rate", "fps"),
    f("video", "constant_frame_rate", Bool, VideoStream, "constant frame rate", ""),
    f("video", "scan_type", Text, VideoStream, "scan type", ""),
    f("video", "field_order", Text, VideoStream, "field order", ""),
    f("video", "pixel_format", Text, VideoStream, "pixel format", ""),
    f("video", "bit_depth", Number, VideoStream, "video bit depth", "bits"),
    f("video", "chroma_subsampling", Text, VideoStream, "chroma subsampling", ""),
    f("video", "color_range", Text, VideoStream, "colour range", ""),
    f("video", "color_primaries", Text, VideoStream, "colour primaries", ""),
    f("video", "color_transfer", Text, VideoStream, "transfer characteristics", ""),
    f("video", "color_matrix", Text, VideoStream, "matrix coefficients", ""),
    f("video", "hdr_metadata", Presence, VideoStream, "HDR metadata", ""),
    f("video", "bit_rate_bps", Number, VideoStream, "video bit rate", "bit/s"),
    f("video", "display_aspect_ratio", Ratio, VideoStream, "display aspect ratio", ""),
    f("audio", "stream_count", Number, AudioFile, "number of audio streams", ""),
    f("audio", "total_channels", Number, AudioFile, "total audio channels", ""),
    f("audio", "layouts", Presence, AudioFile, "audio track layout", ""),
    f("audio", "codec", Text, AudioStream, "audio codec", ""),
    f("audio", "profile", Text, AudioStream, "audio codec profile", ""),
    f("audio", "sample_rate", Number, AudioStream, "sample rate", "Hz"),
    f("audio", "bit_depth", Number, AudioStream, "audio bit depth", "bits"),
    f("audio", "channels", Number, AudioStream, "channel count", ""),
    f("audio", "bit_rate_bps", Number, AudioStream, "audio bit rate", "bit/s"),
    f("loudness", "integrated_lufs", Number, Programme, "integrated loudness", "LUFS"),
    f("loudness", "true_peak_dbtp", Number, Programme, "maximum true peak", "dBTP"),
    f("loudness", "max_short_term_lufs", Number, Programme, "maximum short-term loudness", "LUFS"),
    f("loudness", "max_momentary_lufs", Number, Programme, "maximum momentary loudness", "LUFS"),
    f("loudness", "loudness_range_lu", Number, Programme, "loudness range", "LU"),
    f("timing", "duration_s", Number, File, "duration", "s"),
    f("timing", "start_timecode", Text, File, "start timecode", ""),
    f("timing", "av_duration_difference_s", Number, File, "audio/video duration difference", "s"),
    f("naming", "file_name", Text, File, "file name", ""),
    f("faults", "invalid_samples", Number, Faults, "number of invalid samples (NaN, ±inf)", ""),
    f("faults", "decode_errors", Number, Faults, "number of audio decode errors", ""),
    f("faults", "clipping_runs", Number, Faults, "number of clipping runs", ""),
    f("faults", "silence_s", Number, Faults, "longest programme silence", "s"),
    f("faults", "silent_channels", Number, Faults, "number of silent channels (LFE excluded)", ""),
    f("faults", "phase_inverted_s", Number, Faults, "longest phase-inverted stretch", "s"),
    f("faults", "dc_offset_channels", Number, Faults, "number of channels with DC offset", ""),
    f("picture", "black_s", Number, Picture, "longest black segment", "s"),
    f("picture", "freeze_s", Number, Picture, "longest frozen-picture segment", "s"),
    f("picture", "decode_errors", Number, Picture, "number of video decode errors", ""),
    f("picture", "range", Text, Picture, "range the picture's levels are read in", ""),
    f("picture", "luma_out_of_range_frames", Number, Picture, "frames with Y′ out of range over the area limit", ""),
    f("picture", "rgb_out_of_range_frames", Number, Picture, "frames with R′G′B′ out of range over the area limit", ""),
    f("picture", "scan_matches_flag", Bool, Picture, "picture scan type agrees with its flag", ""),
    f("picture", "scan_mismatch_s", Number, Picture, "longest stretch where the picture's scan type disagrees with its flag", "s"),
    f("picture", "pse_flash_s", Number, Picture, "longest harmful flashing (PSE screening, not a certified test)", "s"),
    f("picture", "pse_red_flash_s", Number, Picture, "longest harmful red flashing (PSE screening, not a certified test)", "s"),
    f("captions", "in_order", Bool, CaptionEvent, "event order (each starts at or after the one before)", ""),
    f("captions", "no_overlap", Bool, CaptionEvent, "no overlap (each ends at or before the next starts)", ""),
    f("captions", "start_before_end", Bool, CaptionEvent, "start before end", ""),
    f("captions", "duration_s", Number, CaptionEvent, "event duration", "s"),
    f("captions", "gap_frames", Number, CaptionEvent, "gap to the next event", "frames"),
    f("captions", "lines", Number, CaptionEvent, "lines per event", ""),
    f("captions", "chars_per_line", Number, CaptionEvent, "characters per line", "characters"),
    f("captions", "reading_speed_cps", Number, CaptionEvent, "reading speed", "cps"),
    f("captions", "within_master", Bool, CaptionEvent, "event within the master's programme", ""),
    f("captions", "frame_aligned", Bool, CaptionEvent, "event times on the master's frame boundaries", ""),
    f("captions", "shot_change_frames", Number, CaptionEvent, "distance to the nearest shot change", "frames"),
    f("captions", "event_count", Number, CaptionFile, "number of events", ""),
    f("captions", "parse_problems", Number, CaptionFile, "number of parse problems", ""),
    f("captions", "utf8", Bool, CaptionFile, "valid UTF-8", ""),
    f("captions", "bom", Bool, CaptionFile, "UTF-8 byte order mark", ""),
    f("captions", "control_characters", Number, CaptionFile, "number of control characters", ""),
    f("captions", "language", Text, CaptionFile, "declared language", ""),
    f("captions", "language_matches_plan", Bool, CaptionFile, "declared language matches the plan's", ""),
    f("captions", "time_base", Text, CaptionFile, "caption time base against the master", ""),
    f("image", "format", Text, File, "image format", ""),
    f("image", "width_px", Number, File, "image width", "px"),
    f("image", "height_px", Number, File, "image height", "px"),
    f("image", "resolution", Text, File, "image size (WIDTHxHEIGHT)", ""),
    f("image", "longest_side_px", Number, File, "image's longest side", "px"),
    f("image", "aspect_ratio", Ratio, File, "image aspect ratio", ""),
    f("image", "color_space", Text, File, "image colour space", ""),
    f("image", "icc_profile", Text, File, "embedded ICC profile", ""),
    f("image", "bit_depth", Number, File, "image bit depth per channel", "bits"),
    f("image", "dpi", Number, File, "stated resolution", "dpi"),
    f("image", "alpha", Bool, File, "alpha channel (transparency)", ""),
    f("image", "page_count", Number, File, "images (pages) in the file", ""),
    f("image", "file_size_bytes", Number, File, "file size", "bytes"),
    f("document", "format", Text, File, "document format", ""),
    f("document", "page_count", Number, File, "page count", ""),
    f("document", "page_size", Text, File, "page size", ""),
    f("document", "encrypted", Bool, File, "encrypted", ""),
];

/// Whether a `[captions]` key is compared on every event (else on the file).
pub fn is_caption_event_key(key: &str) -> bool {
    lookup("captions", key).is_some_and(|d| d.scope == CaptionEvent)
}

/// The definition of `group.key`; any key of `sidecars` is a sidecar rule.
pub fn lookup(group: &str, key: &str) -> Option<Field> {
    if group == "sidecars" {
        return Some(f("sidecars", "sidecar", Text, Sidecar, "sidecar", ""));
    }
    FIELDS
        .iter()
        .find(|d| d.group == group && d.key == key)
        .copied()
}

/// Looks up a condition key written `group.key`.
pub fn lookup_path(path: &str) -> Option<Field> {
    let (group, key) = path.split_once('.')?;
    if matches!(
        group,
        "sidecars" | "loudness" | "faults" | "picture" | "captions"
    ) {
        return None;
    }
    lookup(group, key)
}

/// The known keys of a group, for "did you mean".
pub fn keys_of(group: &str) -> Vec<&'static str> {
    FIELDS
        .iter()
        .filter(|d| d.group == group)
        .map(|d| d.key)
        .collect()
}

/// The closest known word to `word`, if it is close enough to be a typo.
pub fn suggest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(word, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys() {
        assert_eq!(suggest("frame_rat", keys_of("video")), Some("frame_rate"));
        assert_eq!(suggest("framerate", keys_of("video")), Some("frame_rate"));
        assert_eq!(suggest("zzz", keys_of("video")), None);
    }

    #[test]
    fn condition_paths() {
        assert_eq!(lookup_path("video.height").unwrap().key, "height");
        assert!(lookup_path("height").is_none());
        assert!(lookup_path("loudness.integrated_lufs").is_none());
    }
}
