//! Which channels make up which programme: pure rules over the probed streams.
//!
//! Loudness is measured per programme, not per file or per stream:
//! - a 6-channel stream is 5.1 (`L R C LFE Ls Rs`);
//! - an 8-channel stream in `L R C LFE Ls Rs Lt Rt` is a 5.1 programme plus a
//!   stereo (`Lt Rt`) programme;
//! - several mono tracks are grouped by a layout (`--layout` or the spec
//!   profile), which names the audio channels in file order across streams;
//!   without a layout each mono track is its own programme;
//! - stereo and mono streams are themselves;
//! - any other layout is one programme named by FFmpeg's layout name.
//!
//! Each programme says what grouped it ([`Grouping`]): the file's channel
//! labels, track titles, a layout (the profile's or the operator's), or
//! only the channels' position when nothing names them.

use super::model::{ChannelSource, Grouping};
use crate::probe::model::{ChannelLabels, MediaInfo, StreamKind};

/// One programme to measure: a name and its channels, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammePlan {
    /// Human name, e.g. `5.1`, `stereo (Lt Rt)`, `mono`.
    pub name: String,
    /// Where each channel comes from.
    pub channels: Vec<ChannelSource>,
    /// What the channels were grouped by.
    pub grouping: Grouping,
}

/// One audio channel of the file with its post-production name.
#[derive(Debug, Clone, PartialEq)]
struct NamedChannel {
    source: ChannelSource,
    /// Total channels of the stream it comes from.
    stream_channels: u32,
    /// FFmpeg's layout name of that stream.
    layout: Option<String>,
    /// What named it: a layout (`Some(origin)`), or the file's labels.
    named_by: Grouping,
}

/// The conventional post names of a stream with `channels` channels, used
/// when the probe could not name them.
pub fn default_channel_names(channels: u32) -> Vec<String> {
    let names: &[&str] = match channels {
        1 => &["M"],
        2 => &["L", "R"],
        6 => &["L", "R", "C", "LFE", "Ls", "Rs"],
        8 => &["L", "R", "C", "LFE", "Ls", "Rs", "Lt", "Rt"],
        _ => &[],
    };
    if names.is_empty() {
        (1..=channels).map(|i| format!("Ch{i}")).collect()
    } else {
        names.iter().map(|s| s.to_string()).collect()
    }
}

/// Derives the programmes of a file from its audio streams and an optional
/// layout that names every audio channel in file order.
pub fn plan_programmes(info: &MediaInfo, layout: Option<&[String]>) -> Vec<ProgrammePlan> {
    plan_programmes_by(info, layout, Grouping::GivenLayout)
}

/// As [`plan_programmes`], saying where `layout` came from
/// ([`Grouping::ProfileLayout`] or [`Grouping::GivenLayout`]).
pub fn plan_programmes_by(
    info: &MediaInfo,
    layout: Option<&[String]>,
    origin: Grouping,
) -> Vec<ProgrammePlan> {
    let channels = named_channels(info, layout, origin);
    let all_mono = channels.iter().all(|c| c.stream_channels == 1);
    // Mono tracks the file itself names (MOV handler or title `L`, `R`…)
    // group as if the names had been given as a layout.
    let self_named = channels.iter().all(|c| c.source.name != "M");
    if (layout.is_some() || self_named) && all_mono && channels.len() > 1 {
        return group_by_names(&channels);
    }
    let mut plans = Vec::new();
    let mut i = 0;
    while i < channels.len() {
        let n = channels[i].stream_channels.max(1) as usize;
        let end = (i + n).min(channels.len());
        plans.extend(plan_stream(&channels[i..end]));
        i = end;
    }
    plans
}

/// Every audio channel of the file, named by the layout, the probe or the
/// channel-count convention (in that order of preference).
fn named_channels(
    info: &MediaInfo,
    layout: Option<&[String]>,
    origin: Grouping,
) -> Vec<NamedChannel> {
    let mut out = Vec::new();
    for stream in &info.streams {
        let Some(audio) = stream
            .audio
            .as_ref()
            .filter(|_| stream.kind == StreamKind::Audio)
        else {
            continue;
        };
        let labelled =
            audio.channel_names.len() == audio.channels as usize && audio.channel_labels.labelled();
        let by_file = match audio.channel_labels {
            ChannelLabels::TrackTitle => Grouping::TrackTitles,
            ChannelLabels::Given => Grouping::GivenLayout,
            _ if labelled => Grouping::ChannelLabels,
            _ => Grouping::Position,
        };
        let names = if audio.channel_names.len() == audio.channels as usize {
            audio.channel_names.clone()
        } else {
            default_channel_names(audio.channels)
        };
        for (channel, name) in names.into_iter().enumerate() {
            let given = layout.and_then(|l| l.get(out.len())).cloned();
            // A layout that says what the file's labels say groups by the labels.
            let named_by = match &given {
                Some(g) if labelled && *g == name => by_file,
                Some(_) => origin,
                None => by_file,
            };
            let name = given.unwrap_or(name);
            out.push(NamedChannel {
                named_by,
                source: ChannelSource {
                    stream_index: stream.index,
                    channel,
                    name,
                },
                stream_channels: audio.channels,
                layout: audio.channel_layout.clone(),
            });
        }
    }
    out
}

/// The programmes of one stream.
fn plan_stream(channels: &[NamedChannel]) -> Vec<ProgrammePlan> {
    let whole = || {
        let name = channels[0]
            .layout
            .clone()
            .unwrap_or_else(|| format!("{} channels", channels.len()));
        vec![plan(&name, channels.iter())]
    };
    match channels.len() {
        1 => vec![plan("mono", channels.iter())],
        2 | 6 | 8 => {
            // Only the post layouts split; anything else (7.1, …) is one
            // programme named by FFmpeg's layout.
            let plans = group_by_names(channels);
            if plans.iter().any(|p| p.name.starts_with("mono (")) {
                whole()
            } else {
                plans
            }
        }
        _ => whole(),
    }
}

/// Groups named channels into 5.1 / 5.0, stereo `L R`, stereo `Lt Rt` and
/// mono programmes; whatever is left over becomes one mono programme per
/// channel.
/// Programmes recognised among named channels, in order of preference.
const GROUPS: [(&str, &[&str]); 4] = [
    ("5.1", &["L", "R", "C", "LFE", "Ls", "Rs"]),
    ("5.0", &["L", "R", "C", "Ls", "Rs"]),
    ("stereo", &["L", "R"]),
    ("stereo (Lt Rt)", &["Lt", "Rt"]),
];

/// Groups named channels into programmes, as many times as the names
/// allow (`L R L R` is two stereo programmes, as EBU R 123 track pairs
/// are); channels left over are measured as mono.
fn group_by_names(channels: &[NamedChannel]) -> Vec<ProgrammePlan> {
    let mut used = vec![false; channels.len()];
    let mut plans: Vec<ProgrammePlan> = Vec::new();
    while let Some((name, picked)) = GROUPS
        .iter()
        .find_map(|(name, names)| take(channels, &used, names).map(|p| (*name, p)))
    {
        for &i in &picked {
            used[i] = true;
        }
        let repeats = plans.iter().filter(|p| p.name.starts_with(name)).count();
        let name = if repeats == 0 {
            name.to_string()
        } else {
            format!("{name} #{}", repeats + 1)
        };
        plans.push(plan(&name, picked.iter().map(|&i| &channels[i])));
    }
    for (c, _) in channels.iter().zip(&used).filter(|(_, u)| !**u) {
        plans.push(plan(
            &format!("mono ({})", c.source.name),
            std::iter::once(c),
        ));
    }
    plans
}

/// The first unused channel of each name, in order; `None` unless all are there.
fn take(channels: &[NamedChannel], used: &[bool], names: &[&str]) -> Option<Vec<usize>> {
    names
        .iter()
        .map(|n| (0..channels.len()).find(|&i| !used[i] && channels[i].source.name == *n))
        .collect()
}

fn plan<'a>(name: &str, channels: impl Iterator<Item = &'a NamedChannel>) -> ProgrammePlan {
    let channels: Vec<&NamedChannel> = channels.collect();
    ProgrammePlan {
        name: name.to_string(),
        grouping: grouping_of(&channels),
        channels: channels.iter().map(|c| c.source.clone()).collect(),
    }
}

/// What grouped a programme: the weakest of what named its channels
/// (position, then a layout, then titles, then the file's labels).
fn grouping_of(channels: &[&NamedChannel]) -> Grouping {
    let rank = |g: Grouping| match g {
        Grouping::Position => 0,
        Grouping::GivenLayout => 1,
        Grouping::ProfileLayout => 2,
        Grouping::TrackTitles => 3,
        Grouping::ChannelLabels => 4,
    };
    channels
        .iter()
        .map(|c| c.named_by)
        .min_by_key(|g| rank(*g))
        .unwrap_or_default()
}

/// Parses a `--layout` value: comma-separated channel names.
pub fn parse_layout(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::model::{AudioInfo, ChannelLabels, Container, Stream};

    fn audio_stream(index: usize, channels: u32, names: &[&str]) -> Stream {
        Stream {
            index,
            kind: StreamKind::Audio,
            codec: "pcm_s24le".into(),
            codec_long_name: None,
            profile: None,
            codec_tag: None,
            language: None,
            title: None,
            handler: None,
            duration_s: None,
            bit_rate_bps: None,
            timecode: None,
            video: None,
            audio: Some(AudioInfo {
                sample_rate: 48000,
                sample_format: None,
                bit_depth: Some(24),
                channels,
                channel_layout: None,
                channel_names: names.iter().map(|s| s.to_string()).collect(),
                channel_labels: if names.is_empty() || names == ["M"] {
                    ChannelLabels::None
                } else {
                    ChannelLabels::Container
                },
            }),
        }
    }

    fn info(streams: Vec<Stream>) -> MediaInfo {
        MediaInfo {
            container: Container {
                format: "mov".into(),
                ffmpeg_format: "mov".into(),
                format_long_name: None,
                major_brand: None,
                operational_pattern: None,
                duration_s: None,
                bit_rate_bps: None,
                start_time_s: None,
                start_timecode: None,
                creation_time: None,
                encoder: None,
                title: None,
                stream_count: streams.len(),
            },
            streams,
        }
    }

    fn names(p: &ProgrammePlan) -> Vec<(usize, usize, &str)> {
        p.channels
            .iter()
            .map(|c| (c.stream_index, c.channel, c.name.as_str()))
            .collect()
    }

    #[test]
    fn six_channels_are_5_1() {
        let plans = plan_programmes(&info(vec![audio_stream(0, 6, &[])]), None);
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0].name, "5.1");
        assert_eq!(names(&plans[0])[3], (0, 3, "LFE"));
    }

    #[test]
    fn eight_channels_are_5_1_plus_lt_rt() {
        let s = audio_stream(1, 8, &["L", "R", "C", "LFE", "Ls", "Rs", "Lt", "Rt"]);
        let plans = plan_programmes(&info(vec![s]), None);
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[0].name, "5.1");
        assert_eq!(plans[1].name, "stereo (Lt Rt)");
        assert_eq!(names(&plans[1]), vec![(1, 6, "Lt"), (1, 7, "Rt")]);
    }

    #[test]
    fn mono_tracks_grouped_by_layout() {
        let streams = (0..8).map(|i| audio_stream(i + 1, 1, &["M"])).collect();
        let layout = parse_layout("L,R,C,LFE,Ls,Rs,Lt,Rt");
        let plans = plan_programmes(&info(streams), Some(&layout));
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[0].name, "5.1");
        assert_eq!(names(&plans[0])[5], (6, 0, "Rs"));
        assert_eq!(names(&plans[1]), vec![(7, 0, "Lt"), (8, 0, "Rt")]);
    }

    #[test]
    fn mono_tracks_without_layout_are_each_mono() {
        let streams = (0..2).map(|i| audio_stream(i, 1, &[])).collect();
        let plans = plan_programmes(&info(streams), None);
        assert_eq!(plans.len(), 2);
        assert!(plans.iter().all(|p| p.name == "mono"));
    }

    #[test]
    fn stereo_and_leftovers() {
        let plans = plan_programmes(&info(vec![audio_stream(0, 2, &["L", "R"])]), None);
        assert_eq!(plans[0].name, "stereo");
        let streams = (0..3).map(|i| audio_stream(i, 1, &[])).collect();
        let layout = parse_layout("L, R, C");
        let plans = plan_programmes(&info(streams), Some(&layout));
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[1].name, "mono (C)");
    }

    #[test]
    fn repeated_pairs_are_separate_programmes() {
        let streams = (0..4).map(|i| audio_stream(i + 1, 1, &["M"])).collect();
        let layout = parse_layout("L,R,L,R");
        let plans = plan_programmes(&info(streams), Some(&layout));
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[0].name, "stereo");
        assert_eq!(plans[1].name, "stereo #2");
        assert_eq!(names(&plans[1]), vec![(3, 0, "L"), (4, 0, "R")]);
    }

    #[test]
    fn seven_one_is_one_programme() {
        let mut s = audio_stream(0, 8, &["L", "R", "C", "LFE", "Lrs", "Rrs", "Ls", "Rs"]);
        s.audio.as_mut().unwrap().channel_layout = Some("7.1".into());
        let plans = plan_programmes(&info(vec![s]), None);
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0].name, "7.1");
    }

    #[test]
    fn programmes_say_what_grouped_them() {
        let unlabelled = info(vec![audio_stream(0, 6, &[])]);
        assert_eq!(
            plan_programmes(&unlabelled, None)[0].grouping,
            Grouping::Position
        );
        let labelled = info(vec![audio_stream(
            0,
            6,
            &["L", "R", "C", "LFE", "Ls", "Rs"],
        )]);
        assert_eq!(
            plan_programmes(&labelled, None)[0].grouping,
            Grouping::ChannelLabels
        );
        let monos = info((0..8).map(|i| audio_stream(i, 1, &["M"])).collect());
        let layout = parse_layout("L,R,C,LFE,Ls,Rs,Lt,Rt");
        let plans = plan_programmes_by(&monos, Some(&layout), Grouping::ProfileLayout);
        assert!(plans.iter().all(|p| p.grouping == Grouping::ProfileLayout));
        let plans = plan_programmes(&monos, Some(&layout));
        assert!(plans.iter().all(|p| p.grouping == Grouping::GivenLayout));
        // a layout that says what the labels say: grouped by the labels
        let plans = plan_programmes_by(&labelled, Some(&layout[..6]), Grouping::ProfileLayout);
        assert_eq!(plans[0].grouping, Grouping::ChannelLabels);
        assert_eq!(
            plan_programmes(&monos, None)[0].grouping,
            Grouping::Position
        );
    }

    #[test]
    fn other_layouts_use_ffmpeg_name() {
        let mut s = audio_stream(0, 4, &[]);
        s.audio.as_mut().unwrap().channel_layout = Some("quad".into());
        let plans = plan_programmes(&info(vec![s]), None);
        assert_eq!(plans[0].name, "quad");
        assert_eq!(plans[0].channels.len(), 4);
    }
}
