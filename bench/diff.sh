#!/usr/bin/env bash
# Benchmark: `signoff diff` of two 10-minute 1080p25 H.264 masters with
# stereo PCM (the new one with its sound changed for 20 s at 5:00), side by
# side with FFmpeg decoding both files at the same time, as signoff does:
#   ffmpeg -i OLD -f null - & ffmpeg -i NEW -f null - ; wait
# Prints the times and the ratio (issue 13 goal: diff <= 1.2x decoding
# both), for `diff` and `diff --no-measure`. A script, never a timed test.
#
# Each command runs RUNS times (default 3), alternating; the fastest run of
# each counts. Peak RSS of signoff is printed too (GNU time, when installed).
# Usage: bench/diff.sh [SECONDS]   (default 600; honours CARGO_TARGET_DIR and SIGNOFF_BIN; RUNS=5 for more runs)
set -euo pipefail
cd "$(dirname "$0")/.."

D=${1:-600}
RUNS=${RUNS:-3}
# SIGNOFF_BIN=path runs that binary instead of building the release one (smoke runs).
if [[ -n "${SIGNOFF_BIN:-}" ]]; then
    BIN=$SIGNOFF_BIN
else
    cargo build --release --quiet
    BIN="${CARGO_TARGET_DIR:-target}/release/signoff"
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OLD="$TMP/master_v1.mov"
NEW="$TMP/master_v2.mov"
HALF=$((D / 2))

echo "making two ${D} s 1080p25 H.264 masters with stereo PCM…"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=s=1920x1080:r=25:d=$D" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$D" \
    -filter_complex "[1:a]asplit=2[l][r];[l][r]join=inputs=2:channel_layout=stereo[a]" \
    -map 0:v -map "[a]" -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p \
    -c:a pcm_s24le -timecode 01:00:00:00 "$OLD"
ffmpeg -nostdin -v error -y -i "$OLD" -map 0:v -map 0:a -c:v copy \
    -af "volume=enable='between(t,$HALF,$((HALF + 20)))':volume=0.1" -c:a pcm_s24le \
    -timecode 01:00:00:00 "$NEW"

now() { date +%s.%N; }
best() { echo "if ($1 < $2) $1 else $2" | bc -l; }
b_diff=999999 b_fast=999999 b_decode=999999
for ((run = 1; run <= RUNS; run++)); do
    t0=$(now)
    "$BIN" diff "$OLD" "$NEW" >"$TMP/diff.txt" || true
    t1=$(now)
    "$BIN" diff --no-measure "$OLD" "$NEW" >/dev/null || true
    t2=$(now)
    ffmpeg -nostdin -nostats -v error -i "$OLD" -f null - &
    ffmpeg -nostdin -nostats -v error -i "$NEW" -f null -
    wait
    t3=$(now)
    a=$(echo "$t1 - $t0" | bc -l); b=$(echo "$t2 - $t1" | bc -l); c=$(echo "$t3 - $t2" | bc -l)
    printf 'run %d: signoff diff %.2f s, diff --no-measure %.2f s, ffmpeg decoding both %.2f s\n' "$run" "$a" "$b" "$c"
    b_diff=$(best "$a" "$b_diff"); b_fast=$(best "$b" "$b_fast"); b_decode=$(best "$c" "$b_decode")
done
printf 'best: signoff diff %.2f s, diff --no-measure %.2f s, decoding both %.2f s\n' "$b_diff" "$b_fast" "$b_decode"
printf 'ratio diff / decoding both:              %.2f  (goal <= 1.2)\n' "$(echo "$b_diff / $b_decode" | bc -l)"
printf 'ratio diff --no-measure / decoding both: %.2f\n' "$(echo "$b_fast / $b_decode" | bc -l)"
if command -v /usr/bin/time >/dev/null; then
    /usr/bin/time -f 'signoff diff peak RSS: %M KiB' "$BIN" diff "$OLD" "$NEW" >/dev/null 2>"$TMP/rss.txt" || true
    tail -1 "$TMP/rss.txt"
fi
# What it found (the sound 20 dB quieter from the middle for 20 s).
grep -E 'audio changed|level|DIFFERS|SAME' "$TMP/diff.txt" || true
