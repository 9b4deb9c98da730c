//! Measurement results: the wire format of `signoff measure` (see docs/json.md).
//!
//! Units are in the field names. A programme is what loudness is measured
//! on: a 5.1 stream, the 5.1 and stereo halves of an 8-channel stream, or
//! a group of mono tracks.

use serde::{Deserialize, Serialize};

/// All audio measurements of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AudioMeasurements {
    /// Loudness per programme.
    pub programmes: Vec<Programme>,
    /// Faults found (invalid samples, silence, clipping, DC offset, decode
    /// errors, phase).
    pub faults: Vec<Fault>,
    /// FFmpeg's warnings and errors while decoding this file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ffmpeg_log: Vec<crate::ffmpeg_log::LogLine>,
}

/// Where one programme channel comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSource {
    /// Stream index in the container.
    pub stream_index: usize,
    /// Channel index within that stream.
    pub channel: usize,
    /// Post-production channel name (`L`, `R`, `C`, `LFE`, `Ls`, `Rs`, `Lt`, `Rt`, `M`…).
    pub name: String,
}

/// Loudness of one programme (ITU-R BS.1770-4 / EBU R 128).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Programme {
    /// Human name, e.g. `5.1`, `stereo (Lt Rt)`, `mono`.
    pub name: String,
    /// The channels, in order.
    pub channels: Vec<ChannelSource>,
    /// What the channels were grouped by, and so why they are this programme.
    #[serde(default)]
    pub grouping: Grouping,
    /// Gated integrated loudness, LUFS (`null` when everything is below the gate).
    pub integrated_lufs: Option<f64>,
    /// Loudness range per EBU Tech 3342, LU.
    pub loudness_range_lu: Option<f64>,
    /// Maximum true peak over all channels, dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// True peak per channel, dBTP, in channel order.
    pub true_peak_per_channel_dbtp: Vec<Option<f64>>,
    /// Maximum sample peak over all channels, dBFS.
    pub sample_peak_dbfs: Option<f64>,
    /// Maximum momentary (400 ms) loudness, LUFS.
    pub max_momentary_lufs: Option<f64>,
    /// Maximum short-term (3 s) loudness, LUFS.
    pub max_short_term_lufs: Option<f64>,
    /// Short-term loudness over time, for graphs.
    pub short_term_timeline: Timeline,
}

/// What a programme's channels were grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Grouping {
    /// The file labels the channels (MOV `chan`, WAV channel mask, MXF MCA, codec).
    #[serde(rename = "by channel labels")]
    ChannelLabels,
    /// The tracks' titles (or MOV handler names) are channel names.
    #[serde(rename = "by track titles")]
    TrackTitles,
    /// The spec profile's matched layout names the channels.
    #[serde(rename = "by the profile's layout")]
    ProfileLayout,
    /// The operator's `--layout` names the channels.
    #[serde(rename = "by the given layout")]
    GivenLayout,
    /// Nothing names the channels: grouped by their position (a 6-channel
    /// stream is taken as `L R C LFE Ls Rs`, a mono track is its own programme).
    #[default]
    #[serde(rename = "by position (unlabelled)")]
    Position,
}

impl Grouping {
    /// The words of the wire format (`by channel labels`).
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::ChannelLabels => "by channel labels",
            Grouping::TrackTitles => "by track titles",
            Grouping::ProfileLayout => "by the profile's layout",
            Grouping::GivenLayout => "by the given layout",
            Grouping::Position => "by position (unlabelled)",
        }
    }
}

/// Values at a fixed interval from the start of the programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Timeline {
    /// Spacing of the values, seconds.
    pub interval_s: f64,
    /// One value per interval (`null` where below the −70 LUFS floor).
    pub values_lufs: Vec<Option<f64>>,
}

/// The class of an audio fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Below the silence threshold for at least the minimum duration.
    Silence,
    /// A whole track or channel is silent.
    SilentChannel,
    /// Runs of consecutive full-scale samples.
    Clipping,
    /// Mean sample value far from zero.
    DcOffset,
    /// Packets or frames that failed to decode.
    DecodeError,
    /// Strong negative correlation between a stereo pair.
    PhaseInverted,
    /// Samples that are not numbers (NaN, ±inf) in float PCM. They are
    /// measured as silence; a programme with a channel that is mostly
    /// invalid gets no loudness at all.
    InvalidSamples,
}

impl FaultKind {
    /// The snake_case name used in JSON (`invalid_samples`).
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Silence => "silence",
            FaultKind::SilentChannel => "silent_channel",
            FaultKind::Clipping => "clipping",
            FaultKind::DcOffset => "dc_offset",
            FaultKind::DecodeError => "decode_error",
            FaultKind::PhaseInverted => "phase_inverted",
            FaultKind::InvalidSamples => "invalid_samples",
        }
    }
}

/// One audio fault, with where it happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// What kind of fault.
    pub kind: FaultKind,
    /// Stream index in the container.
    pub stream_index: usize,
    /// Channel within the stream (`null` when it concerns the whole stream).
    pub channel: Option<usize>,
    /// Start, seconds from the start of the stream.
    pub start_s: f64,
    /// Duration, seconds.
    pub duration_s: f64,
    /// How many: clipping runs, invalid samples, or decode errors (absent
    /// for the other kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Start as timecode (file start timecode + offset) where known.
    pub timecode: Option<String>,
    /// Plain-words description ("silence for 12.0 s below −60 dBFS").
    pub message: String,
}
