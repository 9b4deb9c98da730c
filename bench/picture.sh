#!/usr/bin/env bash
# Benchmark: `signoff check` of a 60 s 1080p25 ProRes 422 HQ master with 8
# mono PCM tracks, under a profile with every picture and audio rule plus
# SHA-256 (a JSON report asks for the hash), side by side in one run with
#   - a bare decode:  ffmpeg -i FILE -map 0:v -f null -
#   - FFmpeg's chain: ffmpeg -i FILE -map 0:v -vf blackdetect,freezedetect,signalstats,idet -f null -
# Prints the times and both ratios (issue 10 goals: check <= 1.15x the bare
# decode; the chain >= 5x check). A script, never a timed test.
#
# Each command runs RUNS times (default 3), alternating; the fastest run of
# each counts, which damps noise from other work on the machine. Peak RSS of
# signoff is printed too (GNU time, when installed).
# Usage: bench/picture.sh [SECONDS]   (honours CARGO_TARGET_DIR; RUNS=5 for more runs)
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_LONG=${1:-60}
RUNS=${RUNS:-3}
cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/signoff"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
MOV="$TMP/master_1080p25_prores_hq_8mono.mov"

# Picture: moving test pattern with a 3 s black hold (10–13 s) and a 3 s
# freeze (20–23 s) in it; audio: 8 mono 24-bit sines.
D=$SECONDS_LONG
A=()
MAPS=()
for c in 1 2 3 4 5 6 7 8; do
    A+=(-f lavfi -i "sine=frequency=$((c * 110)):sample_rate=48000:duration=$D")
    MAPS+=(-map "$c:a")
done
echo "making a ${D} s 1080p25 ProRes 422 HQ master with 8 mono tracks…"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=s=1920x1080:r=25:d=$D" "${A[@]}" \
    -filter_complex "[0:v]format=yuv422p10le,drawbox=enable='between(t,10,13)':color=black:t=fill,split=3[a][b][c];[a]trim=end=20,setpts=PTS-STARTPTS[h];[b]trim=start=20:end=20.04,setpts=PTS-STARTPTS,loop=loop=74:size=1,setpts=N/25/TB[f];[c]trim=start=23,setpts=PTS-STARTPTS[t];[h][f][t]concat=n=3:v=1:a=0[v]" \
    -map "[v]" "${MAPS[@]}" -c:v prores_ks -profile:v 3 -vendor apl0 -c:a pcm_s24le \
    -timecode 01:00:00:00 "$MOV"

cat >"$TMP/every-rule.toml" <<'TOML'
id = "bench-every-rule"
title = "every picture and audio rule"
[source]
document = "bench/picture.sh"
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
black_s = { max = 0, head_allowance_s = 2, tail_allowance_s = 2 }
freeze_s = { max = 0 }
decode_errors = { max = 0 }
luma_out_of_range_frames = { max = 0 }
rgb_out_of_range_frames = { max = 0 }
scan_matches_flag = { equals = true }
scan_mismatch_s = { max = 0 }
pse_flash_s = { max = 0 }
pse_red_flash_s = { max = 0 }
TOML

now() { date +%s.%N; }
best() { echo "if ($1 < $2) $1 else $2" | bc -l; }
b_check=999999 b_decode=999999 b_chain=999999
for ((run = 1; run <= RUNS; run++)); do
    t0=$(now)
    "$BIN" check "$MOV" --spec "$TMP/every-rule.toml" -q --report "json:$TMP/report.json" >"$TMP/check.txt" || true
    t1=$(now)
    ffmpeg -nostdin -nostats -v error -i "$MOV" -map 0:v -f null -
    t2=$(now)
    ffmpeg -nostdin -nostats -i "$MOV" -map 0:v -vf blackdetect,freezedetect,signalstats,idet -f null - 2>"$TMP/chain.txt"
    t3=$(now)
    c=$(echo "$t1 - $t0" | bc -l); d=$(echo "$t2 - $t1" | bc -l); f=$(echo "$t3 - $t2" | bc -l)
    printf 'run %d: signoff check %.2f s, bare decode %.2f s, filter chain %.2f s\n' "$run" "$c" "$d" "$f"
    b_check=$(best "$c" "$b_check"); b_decode=$(best "$d" "$b_decode"); b_chain=$(best "$f" "$b_chain")
done
printf 'best: signoff check %.2f s, bare decode %.2f s, filter chain %.2f s\n' "$b_check" "$b_decode" "$b_chain"
printf 'ratio check / bare decode:   %.2f  (goal <= 1.15)\n' "$(echo "$b_check / $b_decode" | bc -l)"
printf 'ratio filter chain / check:  %.2f  (goal >= 5)\n' "$(echo "$b_chain / $b_check" | bc -l)"
if command -v /usr/bin/time >/dev/null; then
    /usr/bin/time -f 'signoff check peak RSS: %M KiB' "$BIN" check "$MOV" --spec "$TMP/every-rule.toml" -q \
        --report "json:$TMP/report.json" >/dev/null 2>"$TMP/rss.txt" || true
    tail -1 "$TMP/rss.txt"
fi
# What both found (the black hold at 10–13 s and the freeze at 20–23 s).
grep -E 'black_start|freeze_start|freeze_end' "$TMP/chain.txt" | sed 's/^\[[^]]*\] /  ffmpeg: /' || true
python3 - "$TMP/report.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for f in doc.get("files", []):
    for p in f.get("picture") or []:
        for kind in ("black", "freeze"):
            for s in p[kind]:
                print(f"  signoff: {kind} {s['start_s']:.2f}–{s['end_s']:.2f} s ({s['start_tc']} – {s['end_tc']})")
PY
