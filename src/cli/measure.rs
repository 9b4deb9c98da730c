//! `signoff measure FILE...`: loudness, true peak and audio faults per programme.

use super::args::Format;
use signoff::error::FileProblem;
use signoff::escape::terminal;
use signoff::measure::model::{AudioMeasurements, Programme};
use signoff::measure::programme::parse_layout;
use signoff::measure::{measure_file, MeasureOptions};
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Runs the command; exit 0, or 2 when a file could not be read.
pub fn run(args: &MeasureArgs) -> anyhow::Result<u8> {
    let opts = MeasureOptions {
        layout: args.layout.as_deref().map(parse_layout),
        silence_threshold_dbfs: args.silence_threshold_db,
        silence_min_s: args.silence_min_s,
        ..MeasureOptions::default()
    };
    let results: Vec<(PathBuf, Result<AudioMeasurements, FileProblem>)> = args
        .files
        .iter()
        .map(|path| {
            let measured = probe_file(path)
                .map_err(|failure| failure.problem)
                .and_then(|probed| measure_file(path, &probed.info, &opts));
            (path.clone(), measured)
        })
        .collect();
    let mut out = super::output::stdout();
    match args.format {
        Format::Json => write_json(&mut out, &results)?,
        Format::Human => write_human(&mut out, &results)?,
    }
    out.flush()?;
    let failed = results.iter().any(|(_, r)| r.is_err());
    Ok(if failed {
        signoff::exit::UNREADABLE
    } else {
        signoff::exit::OK
    })
}

fn write_json(
    out: &mut impl Write,
    results: &[(PathBuf, Result<AudioMeasurements, FileProblem>)],
) -> anyhow::Result<()> {
    use signoff::document::{envelope, to_json, MeasureDoc, MeasuredFile};
    let files = results
        .iter()
        .map(|(path, r)| MeasuredFile::new(path, r))
        .collect();
    out.write_all(to_json(&envelope("measure", MeasureDoc { files }))?.as_bytes())?;
    Ok(())
}

fn write_human(
    out: &mut impl Write,
    results: &[(PathBuf, Result<AudioMeasurements, FileProblem>)],
) -> anyhow::Result<()> {
    for (path, result) in results {
        writeln!(out, "{}", terminal(&display_path(path).0))?;
        match result {
            Err(problem) => writeln!(out, "  error: {}", terminal(&problem.to_string()))?,
            Ok(m) if m.programmes.is_empty() => writeln!(out, "  no audio")?,
            Ok(m) => write_measurements(out, m)?,
        }
    }
    Ok(())
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
