#!/usr/bin/env bash
# Benchmark: `signoff measure` (I + LRA + true peak + silence + clipping +
# DC + phase) against `ffmpeg -af ebur128=peak=true` on a 10-minute 5.1
# 24-bit 48 kHz WAV, in one run, side by side. Prints both times, the ratio
# (goal: <= 0.33) and whether the figures agree within 0.1 LU / 0.1 dB.
#
# Each tool runs RUNS times (default 3), alternating, and the fastest run
# of each counts, which damps noise from other work on the machine.
# Usage: bench/loudness.sh   (honours CARGO_TARGET_DIR; RUNS=5 for more runs)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/signoff"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
WAV="$TMP/bench_51_24bit_10min.wav"

# Programme-like material: pink noise on L R C Ls Rs (independent seeds),
# a 60 Hz sine on LFE, with the level stepping every 20 s between 0, -12 and
# -26 dB so that the loudness range is not trivial.
noise() { echo "anoisesrc=color=pink:sample_rate=48000:duration=600:amplitude=$2:seed=$1"; }
ffmpeg -nostdin -v error -y \
    -f lavfi -i "$(noise 1 0.3)" -f lavfi -i "$(noise 2 0.3)" -f lavfi -i "$(noise 3 0.3)" \
    -f lavfi -i "sine=frequency=60:sample_rate=48000:duration=600" \
    -f lavfi -i "$(noise 5 0.2)" -f lavfi -i "$(noise 6 0.2)" \
    -filter_complex "[0][1][2][3][4][5]join=inputs=6:channel_layout=5.1,volume='if(lt(mod(t,60),20),1,if(lt(mod(t,60),40),0.25,0.05))':eval=frame[o]" \
    -map "[o]" -c:a pcm_s24le "$WAV"

now() { date +%s.%N; }
best_signoff=999999
best_ffmpeg=999999
for ((run = 1; run <= RUNS; run++)); do
    t0=$(now)
    "$BIN" measure "$WAV" >"$TMP/signoff.txt"
    t1=$(now)
    ffmpeg -nostdin -nostats -i "$WAV" -af ebur128=peak=true -f null - 2>"$TMP/ffmpeg.txt"
    t2=$(now)
    s=$(echo "$t1 - $t0" | bc -l)
    f=$(echo "$t2 - $t1" | bc -l)
    printf 'run %d: signoff %.2f s, ffmpeg %.2f s\n' "$run" "$s" "$f"
    best_signoff=$(echo "if ($s < $best_signoff) $s else $best_signoff" | bc -l)
    best_ffmpeg=$(echo "if ($f < $best_ffmpeg) $f else $best_ffmpeg" | bc -l)
done

# signoff's human table: "5.1  I  LRA  TP  maxM  maxS"; ffmpeg's summary.
read -r s_i s_lra s_tp < <(awk '$1 == "5.1" { print $2, $3, $4 }' "$TMP/signoff.txt")
f_i=$(awk '/Summary:/ { s = 1 } s && $1 == "I:" { print $2 }' "$TMP/ffmpeg.txt")
f_lra=$(awk '/Summary:/ { s = 1 } s && $1 == "LRA:" { print $2 }' "$TMP/ffmpeg.txt")
f_tp=$(awk '/Summary:/ { s = 1 } s && $1 == "Peak:" { print $2 }' "$TMP/ffmpeg.txt")

agree=yes
check() {
    local name=$1 ours=$2 theirs=$3
    local diff
    diff=$(echo "d = $ours - ($theirs); if (d < 0) d = -d; d" | bc -l)
    local ok
    ok=$(echo "$diff <= 0.1" | bc -l)
    printf '  %-4s signoff %7s  ffmpeg %7s  %s\n' "$name" "$ours" "$theirs" \
        "$([ "$ok" = 1 ] && echo agree || echo DIFFER)"
    [ "$ok" = 1 ] || agree=no
}
echo "figures (last run):"
check I "$s_i" "$f_i"
check LRA "$s_lra" "$f_lra"
check TP "$s_tp" "$f_tp"

ratio=$(echo "$best_signoff / $best_ffmpeg" | bc -l)
printf 'best of %d: signoff %.2f s, ffmpeg %.2f s, ratio %.2f (goal <= 0.33)\n' \
    "$RUNS" "$best_signoff" "$best_ffmpeg" "$ratio"
fast=$(echo "$ratio <= 0.33" | bc -l)
if [ "$fast" = 1 ] && [ "$agree" = yes ]; then
    echo "PASS"
else
    echo "FAIL"
    exit 1
fi
