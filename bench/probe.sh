#!/usr/bin/env bash
# Benchmark: `signoff probe --format json` against `ffprobe -show_format
# -show_streams -of json` (and `mediainfo --Output=JSON` when installed) over
# every media fixture, side by side, in one run. Prints the times and ratios.
#
# Two views: one process per file (what a shell loop over a delivery does),
# and signoff's batch mode (all files in one process, which ffprobe lacks).
# Each tool runs ROUNDS times over the set (default 20); fastest round counts.
# Usage: bench/probe.sh   (honours CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-20}
cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/signoff"
mapfile -t FILES < <(ls fixtures/media/*)

now() { date +%s.%N; }
time_loop() { # $@ = command prefix; runs it once per file, ROUNDS times, prints the best round
    local best=999999 t0 t1 d
    for ((r = 0; r < ROUNDS; r++)); do
        t0=$(now)
        for f in "${FILES[@]}"; do "$@" "$f" >/dev/null 2>&1 || true; done
        t1=$(now)
        d=$(echo "$t1 - $t0" | bc -l)
        best=$(echo "if ($d < $best) $d else $best" | bc -l)
    done
    printf '%.3f' "$best"
}
time_batch() {
    local best=999999 t0 t1 d
    for ((r = 0; r < ROUNDS; r++)); do
        t0=$(now)
        "$BIN" probe --format json "${FILES[@]}" >/dev/null 2>&1 || true
        t1=$(now)
        d=$(echo "$t1 - $t0" | bc -l)
        best=$(echo "if ($d < $best) $d else $best" | bc -l)
    done
    printf '%.3f' "$best"
}

echo "${#FILES[@]} files, best of $ROUNDS rounds"
s=$(time_loop "$BIN" probe --format json)
f=$(time_loop ffprobe -v error -show_format -show_streams -of json)
b=$(time_batch)
printf 'signoff probe, one process per file: %s s\n' "$s"
printf 'ffprobe,       one process per file: %s s   ratio signoff/ffprobe %.2f\n' "$f" "$(echo "$s / $f" | bc -l)"
printf 'signoff probe, all files at once:    %s s   ratio signoff/ffprobe %.2f\n' "$b" "$(echo "$b / $f" | bc -l)"
if command -v mediainfo >/dev/null; then
    m=$(time_loop mediainfo --Output=JSON)
    printf 'mediainfo,     one process per file: %s s   ratio signoff/mediainfo %.2f\n' "$m" "$(echo "$s / $m" | bc -l)"
else
    echo "mediainfo not installed (apt-get install mediainfo) — skipped"
fi
