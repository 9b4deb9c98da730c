//! `signoff measure FILE...`: loudness, true peak and audio faults per
//! programme, and the picture stage's measurements per video stream.

use super::args::Format;
use signoff::analyse::analyse_media;
use signoff::error::FileProblem;
use signoff::escape::terminal;
use signoff::measure::model::{AudioMeasurements, Programme};
use signoff::measure::programme::parse_layout;
use signoff::measure::MeasureOptions;
use signoff::picture::{PictureMeasurements, PictureOptions, Segment};
use signoff::probe::{display_path, probe_file};
use std::io::Write;
use std::path::PathBuf;

/// Measure loudness (BS.1770-4 / EBU R 128), true peak and audio faults.
#[derive(Debug, clap::Args)]
pub struct MeasureArgs {
    /// Media files to measure.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Names of the audio channels in file order, e.g. `L,R,C,LFE,Ls,Rs,Lt,Rt`
    /// (groups mono tracks into programmes).
    #[arg(long)]
    pub layout: Option<String>,
    /// Silence: below this level, dBFS.
    #[arg(long, default_value_t = -60.0, allow_negative_numbers = true)]
    pub silence_threshold_db: f64,
    /// Silence: for at least this long, seconds.
    #[arg(long, default_value_t = 2.0)]
    pub silence_min_s: f64,
    /// Do not decode the picture (audio only).
    #[arg(long)]
    pub no_picture: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// One file's measurements: audio (or why not) and picture (when it has video).
type Measured = (
    PathBuf,
    Result<AudioMeasurements, FileProblem>,
    Option<Vec<PictureMeasurements>>,
);

/// Runs the command; exit 0, or 2 when a file could not be read.
pub fn run(args: &MeasureArgs) -> anyhow::Result<u8> {
    let opts = MeasureOptions {
        layout: args.layout.as_deref().map(parse_layout),
        silence_threshold_dbfs: args.silence_threshold_db,
        silence_min_s: args.silence_min_s,
        ..MeasureOptions::default()
    };
    let picture_opts = PictureOptions::every_detector();
    let results: Vec<Measured> = args
        .files
        .iter()
        .map(|path| {
            let probed = probe_file(path).map_err(|failure| failure.problem);
            let picture_opts = (!args.no_picture).then_some(&picture_opts);
            match probed {
                // One decode of the file for its sound and its picture.
                Ok(p) => {
                    let a = analyse_media(path, &p.info, Some(&opts), picture_opts);
                    let audio = a.audio.unwrap_or_else(|| Ok(AudioMeasurements::default()));
                    (path.clone(), audio, a.picture)
                }
                Err(problem) => (path.clone(), Err(problem), None),
            }
        })
        .collect();
    let mut out = super::output::stdout();
    match args.format {
        Format::Json => write_json(&mut out, &results)?,
        Format::Human => write_human(&mut out, &results)?,
    }
    out.flush()?;
    let failed = results.iter().any(|(_, r, _)| r.is_err());
    Ok(if failed {
        signoff::exit::UNREADABLE
    } else {
        signoff::exit::OK
    })
}

fn write_json(out: &mut impl Write, results: &[Measured]) -> anyhow::Result<()> {
    use signoff::document::{envelope, to_json, MeasureDoc, MeasuredFile};
    let files = results
        .iter()
        .map(|(path, r, p)| MeasuredFile::new(path, r).with_picture(p.clone()))
        .collect();
    out.write_all(to_json(&envelope("measure", MeasureDoc { files }))?.as_bytes())?;
    Ok(())
}

fn write_human(out: &mut impl Write, results: &[Measured]) -> anyhow::Result<()> {
    for (path, result, picture) in results {
        writeln!(out, "{}", terminal(&display_path(path).0))?;
        match result {
            Err(problem) => writeln!(out, "  error: {}", terminal(&problem.to_string()))?,
            Ok(m) if m.programmes.is_empty() => writeln!(out, "  no audio")?,
            Ok(m) => write_measurements(out, m)?,
        }
        for p in picture.iter().flatten() {
            write_picture(out, p)?;
        }
    }
    Ok(())
}

fn write_picture(out: &mut impl Write, p: &PictureMeasurements) -> anyhow::Result<()> {
    let range = if p.full_range { "full" } else { "limited" };
    writeln!(
        out,
        "  picture, video stream {}: {} frames, {:.2} s, {}-bit {range} range",
        p.stream_index, p.frames, p.duration_s, p.bit_depth
    )?;
    if let Some(why) = &p.not_evaluated {
        writeln!(out, "    not evaluated: {}", terminal(why))?;
    }
    for (what, segments) in [("black", &p.black), ("freeze", &p.freeze)] {
        if segments.is_empty() {
            writeln!(out, "    {what:<7} none")?;
        }
        for s in segments {
            writeln!(out, "    {what:<7} {}", segment_text(s))?;
        }
    }
    write_signal(out, p)?;
    if p.decode_error_count == 0 {
        writeln!(out, "    decode errors: none")?;
    } else {
        writeln!(out, "    decode errors: {}", p.decode_error_count)?;
    }
    for e in &p.decode_errors {
        let at = e
            .at_tc
            .as_deref()
            .map(|t| terminal(t).into_owned())
            .unwrap_or_else(|| format!("{:.3} s", e.at_s));
        writeln!(out, "      {at}  {}", terminal(&e.message))?;
    }
    Ok(())
}

/// Levels, scan type and PSE screening, when they were measured.
fn write_signal(out: &mut impl Write, p: &PictureMeasurements) -> anyhow::Result<()> {
    if let Some(l) = &p.levels {
        writeln!(
            out,
            "    levels  Y′ {}–{}: {} frame{} outside (largest area {:.2} %); R′G′B′ {}",
            l.luma_range[0],
            l.luma_range[1],
            l.luma_frames_out_of_range,
            plural(l.luma_frames_out_of_range),
            l.max_luma_area * 100.0,
            if l.rgb_checked {
                format!(
                    "{}–{}: {} frame{} outside (largest area {:.2} %)",
                    l.rgb_range[0],
                    l.rgb_range[1],
                    l.rgb_frames_out_of_range,
                    plural(l.rgb_frames_out_of_range),
                    l.max_rgb_area * 100.0
                )
            } else {
                "not checked".to_string()
            }
        )?;
        for (what, segments) in [("Y′", &l.luma_segments), ("R′G′B′", &l.rgb_segments)] {
            for seg in segments {
                writeln!(out, "      {what} outside {}", segment_text(seg))?;
            }
        }
    }
    if let Some(sc) = &p.scan {
        let verdict = match sc.matches_flag {
            Some(true) => "matches the flag",
            Some(false) => "does NOT match the flag",
            None => "cannot be compared with the flag",
        };
        writeln!(
            out,
            "    scan    picture {}, flagged {}: {verdict}",
            sc.detected.label(),
            sc.flagged.label()
        )?;
        for seg in &sc.segments {
            writeln!(out, "      mismatch {}", segment_text(seg))?;
        }
    }
    if let Some(pse) = &p.pse {
        let verdict = if pse.passed { "passed" } else { "FAILED" };
        writeln!(out, "    PSE     {verdict} ({})", terminal(&pse.label))?;
        for seg in &pse.flash_segments {
            writeln!(out, "      flashes {}", segment_text(seg))?;
        }
        for seg in &pse.red_flash_segments {
            writeln!(out, "      red flashes {}", segment_text(seg))?;
        }
    }
    Ok(())
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn segment_text(s: &Segment) -> String {
    let at = |tc: &Option<String>, v: f64| match tc {
        Some(tc) => format!("{} ({v:.3} s)", terminal(tc)),
        None => format!("{v:.3} s"),
    };
    format!(
        "{} to {}  {:.2} s",
        at(&s.start_tc, s.start_s),
        at(&s.end_tc, s.end_s),
        s.duration_s
    )
}

fn write_measurements(out: &mut impl Write, m: &AudioMeasurements) -> anyhow::Result<()> {
    let width = m
        .programmes
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(0)
        .max(9);
    writeln!(
        out,
        "  {:<width$}  {:>7}  {:>5}  {:>6}  {:>7}  {:>7}  grouped",
        "programme", "I LUFS", "LRA", "TP", "max M", "max S"
    )?;
    for p in &m.programmes {
        writeln!(out, "  {}", programme_row(p, width))?;
    }
    if m.faults.is_empty() {
        writeln!(out, "  no faults")?;
    }
    for f in &m.faults {
        let at = f
            .timecode
            .as_deref()
            .map(|t| terminal(t).into_owned())
            .unwrap_or_else(|| format!("{:.3} s", f.start_s));
        let channel = f.channel.map(|c| format!(" ch {c}")).unwrap_or_default();
        writeln!(
            out,
            "  {at}  stream {}{channel}  {}",
            f.stream_index,
            terminal(&f.message)
        )?;
    }
    Ok(())
}

fn programme_row(p: &Programme, width: usize) -> String {
    let v = |x: Option<f64>| x.map_or_else(|| "-".to_string(), |x| format!("{x:.1}"));
    format!(
        "{:<width$}  {:>7}  {:>5}  {:>6}  {:>7}  {:>7}  {}",
        terminal(&p.name),
        v(p.integrated_lufs),
        v(p.loudness_range_lu),
        v(p.true_peak_dbtp),
        v(p.max_momentary_lufs),
        v(p.max_short_term_lufs),
        p.grouping.as_str(),
    )
}
