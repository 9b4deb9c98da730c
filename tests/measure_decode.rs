//! Decoding: damaged packets become a decode-error fault with a count and
//! the position of the first, and the rest of the stream is still measured.

use signoff::measure::model::FaultKind;
use signoff::measure::{measure_file, MeasureOptions};
use signoff::probe::probe_file;

#[test]
fn damaged_aac_packets_are_counted_and_located() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.aac");
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("sine=frequency=440:sample_rate=48000:duration=10")
        .args(["-c:a", "aac", "-b:a", "128k"])
        .arg(&good)
        .status()
        .unwrap();
    assert!(status.success());
    // The probe rejects the damaged file as a whole, so measure it with the
    // stream table of the intact one.
    let info = probe_file(&good).unwrap().info;
    let mut bytes = std::fs::read(&good).unwrap();
    let middle = bytes.len() / 2;
    let mut s = 12_345u32;
    for b in &mut bytes[middle..middle + 3000] {
        s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        *b = (s >> 16) as u8;
    }
    let bad = dir.path().join("bad.aac");
    std::fs::write(&bad, &bytes).unwrap();

    let m = measure_file(&bad, &info, &MeasureOptions::default()).unwrap();
    let errors: Vec<_> = m
        .faults
        .iter()
        .filter(|f| f.kind == FaultKind::DecodeError)
        .collect();
    assert_eq!(errors.len(), 1, "{:?}", m.faults);
    let at = errors[0].start_s;
    assert!((3.0..7.0).contains(&at), "first error at {at} s");
    assert!(
        errors[0].message.contains("decode error"),
        "{}",
        errors[0].message
    );
    assert!(m.programmes[0].integrated_lufs.is_some());
    assert!(
        m.ffmpeg_log.iter().any(|l| l.level == "error"),
        "the decoder's complaints are attached to the file: {:?}",
        m.ffmpeg_log
    );
}
