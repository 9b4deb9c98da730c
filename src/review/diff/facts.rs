//! What differs in the facts (the probe's container and streams) and in
//! the measurements (loudness per programme) of two versions.

use super::model::{Change, MeasurementChange};
use crate::measure::model::{AudioMeasurements, Programme};
use crate::probe::model::{MediaInfo, Stream, StreamKind};

/// One compared value: what, and its text in each version.
type Row = (String, Option<String>, Option<String>);

fn row(what: impl Into<String>, old: Option<String>, new: Option<String>) -> Row {
    (what.into(), old, new)
}

fn changes(rows: Vec<Row>) -> Vec<Change> {
    rows.into_iter()
        .filter(|(_, o, n)| o != n)
        .map(|(what, old, new)| Change { what, old, new })
        .collect()
}

/// Durations differing by less than half a frame (or 1 ms) are the same.
fn duration_text(d: Option<f64>, other: Option<f64>, fps: f64) -> Option<String> {
    let d = d?;
    let tolerance = (0.5 / fps).max(0.001);
    match other {
        Some(o) if (o - d).abs() < tolerance => Some(format!("{o:.3} s")),
        _ => Some(format!("{d:.3} s")),
    }
}

/// The facts that differ between `old` and `new`.
pub fn facts(old: &MediaInfo, new: &MediaInfo, fps: f64) -> Vec<Change> {
    let (a, b) = (&old.container, &new.container);
    let mut rows = vec![
        row("container", Some(a.format.clone()), Some(b.format.clone())),
        row(
            "duration",
            duration_text(a.duration_s, b.duration_s, fps),
            duration_text(b.duration_s, a.duration_s, fps),
        ),
        row(
            "start timecode",
            a.start_timecode.clone(),
            b.start_timecode.clone(),
        ),
        row(
            "MXF operational pattern",
            a.operational_pattern.clone(),
            b.operational_pattern.clone(),
        ),
    ];
    for kind in [
        StreamKind::Video,
        StreamKind::Audio,
        StreamKind::Subtitle,
        StreamKind::Data,
    ] {
        let of = |m: &MediaInfo| -> Vec<Stream> {
            m.streams
                .iter()
                .filter(|s| s.kind == kind)
                .cloned()
                .collect()
        };
        let (sa, sb) = (of(old), of(new));
        let count = |v: &[Stream]| Some(v.len().to_string());
        rows.push(row(
            format!("{} streams", kind.as_str()),
            count(&sa),
            count(&sb),
        ));
        for (i, (x, y)) in sa.iter().zip(&sb).enumerate() {
            let name = format!("{} stream {i}", kind.as_str());
            rows.extend(stream_rows(&name, x, y));
        }
    }
    changes(rows)
}

/// The language tag; `und` (undetermined, what MP4 writes when nothing
/// is said) is no language.
fn language(s: &Stream) -> Option<String> {
    s.language.clone().filter(|l| l != "und")
}

/// One compared field of a video stream.
type VideoField = fn(&crate::probe::model::VideoInfo) -> Option<String>;

fn stream_rows(name: &str, a: &Stream, b: &Stream) -> Vec<Row> {
    let mut rows = vec![
        row(
            format!("{name}: codec"),
            Some(a.codec.clone()),
            Some(b.codec.clone()),
        ),
        row(
            format!("{name}: profile"),
            a.profile.clone(),
            b.profile.clone(),
        ),
        row(format!("{name}: language"), language(a), language(b)),
        row(
            format!("{name}: timecode"),
            a.timecode.clone(),
            b.timecode.clone(),
        ),
    ];
    if let (Some(x), Some(y)) = (&a.video, &b.video) {
        let size = |v: &crate::probe::model::VideoInfo| Some(format!("{}×{}", v.width, v.height));
        rows.push(row(format!("{name}: picture size"), size(x), size(y)));
        let fields: [(&str, VideoField); 12] = [
            ("frame rate", |v| v.frame_rate.clone()),
            ("display aspect ratio", |v| v.display_aspect_ratio.clone()),
            ("sample aspect ratio", |v| v.sample_aspect_ratio.clone()),
            ("scan type", |v| v.scan_type.clone()),
            ("field order", |v| v.field_order.clone()),
            ("pixel format", |v| v.pixel_format.clone()),
            ("bit depth", |v| v.bit_depth.map(|d| d.to_string())),
            ("chroma subsampling", |v| v.chroma_subsampling.clone()),
            ("colour range", |v| v.color_range.clone()),
            ("colour primaries", |v| v.color_primaries.clone()),
            ("transfer characteristics", |v| v.color_transfer.clone()),
            ("matrix coefficients", |v| v.color_matrix.clone()),
        ];
        for (what, f) in fields {
            rows.push(row(format!("{name}: {what}"), f(x), f(y)));
        }
        rows.extend(hdr_rows(name, x.hdr.as_ref(), y.hdr.as_ref()));
    }
    if let (Some(x), Some(y)) = (&a.audio, &b.audio) {
        let names = |v: &crate::probe::model::AudioInfo| {
            (!v.channel_names.is_empty()).then(|| v.channel_names.join(" "))
        };
        rows.extend([
            row(
                format!("{name}: sample rate"),
                Some(format!("{} Hz", x.sample_rate)),
                Some(format!("{} Hz", y.sample_rate)),
            ),
            row(
                format!("{name}: bit depth"),
                x.bit_depth.map(|d| d.to_string()),
                y.bit_depth.map(|d| d.to_string()),
            ),
            row(
                format!("{name}: channels"),
                Some(x.channels.to_string()),
                Some(y.channels.to_string()),
            ),
            row(
                format!("{name}: channel layout"),
                x.channel_layout.clone(),
                y.channel_layout.clone(),
            ),
            row(format!("{name}: channel names"), names(x), names(y)),
        ]);
    }
    rows
}

fn hdr_rows(
    name: &str,
    a: Option<&crate::probe::model::HdrMetadata>,
    b: Option<&crate::probe::model::HdrMetadata>,
) -> Vec<Row> {
    let md = |h: Option<&crate::probe::model::HdrMetadata>| {
        let m = h?.mastering_display.as_ref()?;
        let xy = |p: Option<[f64; 2]>| p.map_or("-".into(), |[x, y]| format!("{x:.4},{y:.4}"));
        let nits = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v}"));
        Some(format!(
            "R {} G {} B {} WP {} L {}–{} cd/m²",
            xy(m.red_xy),
            xy(m.green_xy),
            xy(m.blue_xy),
            xy(m.white_point_xy),
            nits(m.min_luminance_nits),
            nits(m.max_luminance_nits)
        ))
    };
    let cll = |h: Option<&crate::probe::model::HdrMetadata>| {
        h?.max_cll_nits.map(|v| format!("{v} cd/m²"))
    };
    let fall = |h: Option<&crate::probe::model::HdrMetadata>| {
        h?.max_fall_nits.map(|v| format!("{v} cd/m²"))
    };
    vec![
        row(format!("{name}: HDR mastering display"), md(a), md(b)),
        row(format!("{name}: HDR MaxCLL"), cll(a), cll(b)),
        row(format!("{name}: HDR MaxFALL"), fall(a), fall(b)),
    ]
}

/// The loudness measurements that differ by 0.1 or more (the precision
/// they are shown at), programme by programme (by position); a
/// different number of programmes is a fact.
pub fn measurements(old: &AudioMeasurements, new: &AudioMeasurements) -> Vec<MeasurementChange> {
    old.programmes
        .iter()
        .zip(&new.programmes)
        .flat_map(|(a, b)| programme_changes(a, b))
        .collect()
}

/// The number of programmes, when it differs.
pub fn programme_count(old: &AudioMeasurements, new: &AudioMeasurements) -> Option<Change> {
    let (a, b) = (old.programmes.len(), new.programmes.len());
    (a != b).then(|| Change {
        what: "audio programmes".into(),
        old: Some(a.to_string()),
        new: Some(b.to_string()),
    })
}

fn programme_changes(a: &Programme, b: &Programme) -> Vec<MeasurementChange> {
    let programme = if a.name == b.name {
        a.name.clone()
    } else {
        format!("{} / {}", a.name, b.name)
    };
    type Field = (
        &'static str,
        &'static str,
        &'static str,
        fn(&Programme) -> Option<f64>,
    );
    let fields: [Field; 5] = [
        ("integrated_lufs", "integrated loudness", "LUFS", |p| {
            p.integrated_lufs
        }),
        ("loudness_range_lu", "loudness range", "LU", |p| {
            p.loudness_range_lu
        }),
        ("true_peak_dbtp", "true peak", "dBTP", |p| p.true_peak_dbtp),
        (
            "max_momentary_lufs",
            "max momentary loudness",
            "LUFS",
            |p| p.max_momentary_lufs,
        ),
        (
            "max_short_term_lufs",
            "max short-term loudness",
            "LUFS",
            |p| p.max_short_term_lufs,
        ),
    ];
    fields
        .into_iter()
        .filter_map(|(field, what, unit, f)| {
            let (x, y) = (f(a), f(b));
            let delta = x.zip(y).map(|(x, y)| y - x);
            let same = match delta {
                Some(d) => d.abs() < 0.1,
                None => x.is_none() && y.is_none(),
            };
            (!same).then(|| MeasurementChange {
                programme: programme.clone(),
                field: field.into(),
                what: what.into(),
                unit: unit.into(),
                old: x,
                new: y,
                delta,
            })
        })
        .collect()
}
