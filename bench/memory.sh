#!/usr/bin/env bash
# Benchmark: peak memory of `signoff check` is flat in file length.
# Makes a 1-minute UHD (3840x2160, 25p, 8-bit 4:2:0 H.264: a 10-bit 4:2:2 H.264 MOV made this way
# with a timecode track by FFmpeg 5.1 did not decode, in ffmpeg or signoff) master
# with a stereo 24-bit PCM track, and a 10-minute one made of the same minute
# ten times over (stream copy, so it is quick to make), then checks both
# under a profile with every picture and audio rule and prints each peak RSS
# (GNU time) and their ratio (issue 10 goal: the 10-minute file uses no more
# than the 1-minute one, within 10 %). A script, never a timed test.
# Usage: bench/memory.sh [MINUTES]   (default 10; honours CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES=${1:-10}
cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/signoff"
command -v /usr/bin/time >/dev/null || { echo "bench/memory.sh needs GNU time (apt install time)" >&2; exit 4; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ONE="$TMP/uhd_1min.mov"
LONG="$TMP/uhd_${MINUTES}min.mov"

echo "making a 1-minute UHD master…"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=s=3840x2160:r=25:d=60" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=60" \
    -f lavfi -i "sine=frequency=550:sample_rate=48000:duration=60" \
    -filter_complex "[1:a][2:a]join=inputs=2:channel_layout=stereo[a]" \
    -map 0:v -map "[a]" -c:v libx264 -preset ultrafast -crf 30 -pix_fmt yuv420p \
    -c:a pcm_s24le "$ONE"
echo "making a ${MINUTES}-minute one from it (stream copy)…"
for ((i = 0; i < MINUTES; i++)); do echo "file '$ONE'"; done >"$TMP/list.txt"
ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$TMP/list.txt" -map 0:v -map 0:a -c copy "$LONG" 2>/dev/null

cat >"$TMP/every-rule.toml" <<'TOML'
id = "bench-every-rule"
title = "every picture and audio rule"
[source]
document = "bench/memory.sh"
date_read = "2026-12"
confidence = "primary"
[loudness]
integrated_lufs = { target = -23.0, tolerance = 1.0 }
true_peak_dbtp = { max = -1.0 }
max_short_term_lufs = { max = -18.0 }
loudness_range_lu = { max = 20.0 }
[faults]
clipping_runs = { max = 0 }
[picture]
black_s = { max = 0 }
freeze_s = { max = 0 }
decode_errors = { max = 0 }
luma_out_of_range_frames = { max = 0 }
rgb_out_of_range_frames = { max = 0 }
scan_matches_flag = { equals = true }
scan_mismatch_s = { max = 0 }
pse_flash_s = { max = 0 }
pse_red_flash_s = { max = 0 }
TOML

rss() {
    /usr/bin/time -f '%M %e' -o "$TMP/time.txt" "$BIN" check "$1" --spec "$TMP/every-rule.toml" -q \
        --report "json:$TMP/report.json" >/dev/null || true
    tail -1 "$TMP/time.txt"
}
read -r rss_one t_one < <(rss "$ONE")
read -r rss_long t_long < <(rss "$LONG")
frames() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(p["frames"] for f in d["files"] for p in f.get("picture") or []))' "$TMP/report.json"; }
printf '1 minute:   peak RSS %d KiB (%.1f s)\n' "$rss_one" "$t_one"
printf '%d minutes: peak RSS %d KiB (%.1f s, %s frames decoded)\n' "$MINUTES" "$rss_long" "$t_long" "$(frames)"
printf 'ratio %d min / 1 min: %.3f  (goal <= 1.10)\n' "$MINUTES" "$(echo "$rss_long / $rss_one" | bc -l)"
