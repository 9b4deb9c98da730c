//! The probe result: what signoff reports about one media file.
//!
//! This is a wire format (see docs/json.md). Field names carry their units
//! (`duration_s`, `bit_rate_bps`, `size_bytes`); optional values are `null`
//! when the file does not say. Values follow ffprobe's on the same file.

use serde::{Deserialize, Serialize};

/// Everything probed about one media file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaInfo {
    /// The container.
    pub container: Container,
    /// Every stream, in file order.
    pub streams: Vec<Stream>,
}

/// The container (format) level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Container {
    /// Normalised format: `mov`, `mp4`, `mxf`, `wav`, `mkv`, `webm`, `mpegts`,
    /// `aiff`, `avi`, … (mov and mp4 are told apart by the major brand).
    pub format: String,
    /// FFmpeg's demuxer name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    pub ffmpeg_format: String,
    /// FFmpeg's long name for the format.
    pub format_long_name: Option<String>,
    /// ISO base-media major brand (`qt  `, `isom`, `mp42`, …) where present.
    pub major_brand: Option<String>,
    /// MXF operational pattern (`OP1a`, `OPAtom`, …) where the file is MXF.
    pub operational_pattern: Option<String>,
    /// Duration in seconds.
    pub duration_s: Option<f64>,
    /// Overall bit rate in bits per second.
    pub bit_rate_bps: Option<u64>,
    /// Start time of the earliest stream, in seconds.
    pub start_time_s: Option<f64>,
    /// Start timecode (`HH:MM:SS:FF`, `;` before frames for drop-frame),
    /// from a timecode track or tag.
    pub start_timecode: Option<String>,
    /// `creation_time` tag as written in the file.
    pub creation_time: Option<String>,
    /// `encoder` tag.
    pub encoder: Option<String>,
    /// `title` tag.
    pub title: Option<String>,
    /// Number of streams.
    pub stream_count: usize,
}

/// What a stream carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamKind {
    /// Picture.
    Video,
    /// Sound.
    Audio,
    /// Subtitles or captions.
    Subtitle,
    /// Timecode tracks and other data.
    Data,
    /// Attachments (fonts in MKV, …).
    Attachment,
    /// FFmpeg does not know.
    Unknown,
}

impl StreamKind {
    /// The lowercase name used in JSON and human output.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamKind::Video => "video",
            StreamKind::Audio => "audio",
            StreamKind::Subtitle => "subtitle",
            StreamKind::Data => "data",
            StreamKind::Attachment => "attachment",
            StreamKind::Unknown => "unknown",
        }
    }
}

/// One stream of a media file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stream {
    /// Index in the container, as ffprobe numbers it.
    pub index: usize,
    /// What the stream carries.
    pub kind: StreamKind,
    /// FFmpeg codec name (`prores`, `h264`, `pcm_s24le`, `tmcd`, …).
    pub codec: String,
    /// FFmpeg's long codec name.
    pub codec_long_name: Option<String>,
    /// Codec profile (`HQ`, `High 4:2:2 Intra`, `Main 10`, `LC`, …).
    pub profile: Option<String>,
    /// Codec tag as four characters (`apch`, `avc1`) or FFmpeg's `[n][n]…` form.
    pub codec_tag: Option<String>,
    /// `language` tag (ISO 639-2, as written in the file).
    pub language: Option<String>,
    /// `title` tag.
    pub title: Option<String>,
    /// `handler_name` tag (MOV/MP4 track handler).
    pub handler: Option<String>,
    /// Stream duration in seconds.
    pub duration_s: Option<f64>,
    /// Stream bit rate in bits per second.
    pub bit_rate_bps: Option<u64>,
    /// Timecode carried by this stream (timecode tracks, or a `timecode` tag).
    pub timecode: Option<String>,
    /// Picture facts, on video streams.
    pub video: Option<VideoInfo>,
    /// Sound facts, on audio streams.
    pub audio: Option<AudioInfo>,
}

/// Picture facts of a video stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoInfo {
    /// Coded width in pixels.
    pub width: u32,
    /// Coded height in pixels.
    pub height: u32,
    /// Sample (pixel) aspect ratio, `num:den`.
    pub sample_aspect_ratio: Option<String>,
    /// Display aspect ratio, `num:den`.
    pub display_aspect_ratio: Option<String>,
    /// Frame rate as an exact rational, `"24000/1001"` (ffprobe's `r_frame_rate`).
    pub frame_rate: Option<String>,
    /// The same frame rate as a decimal (e.g. 23.976023976).
    pub frame_rate_fps: Option<f64>,
    /// Average frame rate as an exact rational (ffprobe's `avg_frame_rate`).
    pub avg_frame_rate: Option<String>,
    /// `true` when the average frame rate equals the base rate (constant
    /// frame rate); `false` when they differ (variable).
    pub constant_frame_rate: Option<bool>,
    /// `progressive`, `interlaced` or `null` when the file does not say.
    pub scan_type: Option<String>,
    /// `progressive`, `tff`, `bff`, `tb` or `bt` (coded/displayed field order).
    pub field_order: Option<String>,
    /// FFmpeg pixel format (`yuv422p10le`, …).
    pub pixel_format: Option<String>,
    /// Bits per component.
    pub bit_depth: Option<u32>,
    /// `4:2:0`, `4:2:2`, `4:4:4`, `4:1:1`, …
    pub chroma_subsampling: Option<String>,
    /// `tv` (limited) or `pc` (full).
    pub color_range: Option<String>,
    /// Colour primaries (`bt709`, `bt2020`, …).
    pub color_primaries: Option<String>,
    /// Transfer characteristics (`bt709`, `smpte2084`, `arib-std-b67`, …).
    pub color_transfer: Option<String>,
    /// Matrix coefficients (`bt709`, `bt2020nc`, …), ffprobe's `color_space`.
    pub color_matrix: Option<String>,
    /// HDR10 static metadata, where present in the container or first frame.
    pub hdr: Option<HdrMetadata>,
    /// Number of frames, from the container.
    pub frame_count: Option<u64>,
}

/// HDR10 static metadata (SMPTE ST 2086 mastering display, CTA-861.3 light level).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct HdrMetadata {
    /// Mastering display colour volume.
    pub mastering_display: Option<MasteringDisplay>,
    /// Maximum content light level, cd/m².
    pub max_cll_nits: Option<u32>,
    /// Maximum frame-average light level, cd/m².
    pub max_fall_nits: Option<u32>,
    /// Where it was found: `stream` (container) or `frame` (first frame's side data).
    pub source: String,
}

/// SMPTE ST 2086 mastering display colour volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MasteringDisplay {
    /// Red primary, CIE 1931 x,y.
    pub red_xy: Option<[f64; 2]>,
    /// Green primary, CIE 1931 x,y.
    pub green_xy: Option<[f64; 2]>,
    /// Blue primary, CIE 1931 x,y.
    pub blue_xy: Option<[f64; 2]>,
    /// White point, CIE 1931 x,y.
    pub white_point_xy: Option<[f64; 2]>,
    /// Minimum luminance, cd/m².
    pub min_luminance_nits: Option<f64>,
    /// Maximum luminance, cd/m².
    pub max_luminance_nits: Option<f64>,
}

/// Sound facts of an audio stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioInfo {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// FFmpeg sample format (`s32`, `s16`, `fltp`, …).
    pub sample_format: Option<String>,
    /// Bits per sample as stored (24 for `pcm_s24le`); `null` for lossy codecs.
    pub bit_depth: Option<u32>,
    /// Number of channels.
    pub channels: u32,
    /// FFmpeg's layout name (`stereo`, `5.1(side)`, `mono`, …).
    pub channel_layout: Option<String>,
    /// Named channels in order, in post-production names (`L R C LFE Ls Rs`).
    pub channel_names: Vec<String>,
    /// What in the file names the channels; `none` when nothing does (then
    /// `channel_names` is empty, or `M` for a mono track).
    #[serde(default)]
    pub channel_labels: ChannelLabels,
}

/// What names a stream's channels. FFmpeg reports container labels as the
/// stream's channel layout; signoff reads them from there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ChannelLabels {
    /// A MOV/MP4 `chan` atom (layout tag, bitmap or channel descriptions).
    ChanAtom,
    /// A WAV `WAVE_FORMAT_EXTENSIBLE` channel mask (`dwChannelMask`).
    ChannelMask,
    /// MXF MCA labels (audio channel label sub-descriptors).
    MxfMca,
    /// Another container's channel layout.
    Container,
    /// The codec's bitstream (AAC, AC-3, E-AC-3…).
    Codec,
    /// The track's title or handler name is a channel name (`L`, `Rs`…).
    TrackTitle,
    /// Not the file: the operator's `--layout`, for channels the file
    /// does not label.
    Given,
    /// Nothing in the file names the channels.
    #[default]
    None,
}

impl ChannelLabels {
    /// Whether something in the file names the channels.
    pub fn labelled(self) -> bool {
        self != ChannelLabels::None
    }

    /// Where the names come from, in words (`the MOV chan atom`).
    pub fn words(self) -> &'static str {
        match self {
            ChannelLabels::ChanAtom => "the MOV chan atom",
            ChannelLabels::ChannelMask => "the WAV channel mask",
            ChannelLabels::MxfMca => "the MXF MCA labels",
            ChannelLabels::Container => "the container's channel layout",
            ChannelLabels::Codec => "the codec",
            ChannelLabels::TrackTitle => "the track titles",
            ChannelLabels::Given => "the --layout given (not the file)",
            ChannelLabels::None => "nothing (unlabelled)",
        }
    }
}
