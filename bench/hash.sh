#!/usr/bin/env bash
# Benchmark: hashing, side by side in one run, on a 518 MB 10-minute 5.1
# 24-bit 48 kHz WAV (made as bench/loudness.sh makes it), from the page cache:
#   1. `signoff hash --algo sha256`  vs `openssl dgst -sha256`  (goal: >= 0.95x openssl's throughput)
#   2. `signoff hash --algo xxh128`  vs `cat FILE > /dev/null`  (goal: >= 0.90x reading the file)
#   3. a planned `signoff check` of the WAV (loudness + SHA-256, fresh ledger each run)
#      vs `signoff measure` alone                               (goal: <= 1.10x measure's time)
# It also checks that the digests equal openssl's / sha256sum's.
#
# Each pair runs RUNS times (default 3), alternating, and the fastest run of
# each counts, which damps noise from other work on the machine. A
# benchmark, never a timed test: it prints the ratios; it does not fail on them.
# Usage: bench/hash.sh   (honours CARGO_TARGET_DIR; RUNS=5 for more runs)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
cargo build --release --quiet
BIN="$(realpath "${CARGO_TARGET_DIR:-target}")/release/signoff"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/delivery/audio"
WAV="$TMP/delivery/audio/bench_51_24bit_10min.wav"

noise() { echo "anoisesrc=color=pink:sample_rate=48000:duration=600:amplitude=$2:seed=$1"; }
ffmpeg -nostdin -v error -y \
    -f lavfi -i "$(noise 1 0.3)" -f lavfi -i "$(noise 2 0.3)" -f lavfi -i "$(noise 3 0.3)" \
    -f lavfi -i "sine=frequency=60:sample_rate=48000:duration=600" \
    -f lavfi -i "$(noise 5 0.2)" -f lavfi -i "$(noise 6 0.2)" \
    -filter_complex "[0][1][2][3][4][5]join=inputs=6:channel_layout=5.1,volume='if(lt(mod(t,60),20),1,if(lt(mod(t,60),40),0.25,0.05))':eval=frame[o]" \
    -map "[o]" -c:a pcm_s24le "$WAV"
SIZE=$(stat -c %s "$WAV")

# A tiny plan: the WAV is one deliverable checked against EBU R 128 (loudness).
cat >"$TMP/delivery/signoff.toml" <<'TOML'
[project]
title = "BENCH"
due = "2030-01-01"

[[deliverable]]
id = "printmaster"
title = "Printmaster 5.1"
profiles = ["ebu-r128"]
patterns = ["audio/*.wav"]
TOML

cat "$WAV" >/dev/null # into the page cache
now() { date +%s.%N; }
min() { echo "if ($1 < $2) $1 else $2" | bc -l; }

# pair NAME_A CMD_A NAME_B CMD_B: the best time of each over RUNS alternating runs.
pair() {
    local a=$1 cmd_a=$2 b=$3 cmd_b=$4 best_a=999999 best_b=999999 t0 t1 t2 ta tb
    for ((run = 1; run <= RUNS; run++)); do
        t0=$(now)
        eval "$cmd_a"
        t1=$(now)
        eval "$cmd_b"
        t2=$(now)
        ta=$(echo "$t1 - $t0" | bc -l)
        tb=$(echo "$t2 - $t1" | bc -l)
        printf '  run %d: %s %.3f s, %s %.3f s\n' "$run" "$a" "$ta" "$b" "$tb" >&2
        best_a=$(min "$ta" "$best_a")
        best_b=$(min "$tb" "$best_b")
    done
    echo "$best_a $best_b"
}

mbps() { echo "$SIZE / $1 / 1000000" | bc -l; }
verdict() { if [[ $(echo "$1" | bc -l) == 1 ]]; then echo "goal met"; else echo "goal NOT met"; fi; }

printf 'file: %s bytes (10 min 5.1 24-bit 48 kHz WAV), %d runs each, best counts\n' "$SIZE" "$RUNS"
echo "1. SHA-256: signoff hash vs openssl dgst"
read -r s o < <(pair "signoff" "\"$BIN\" hash -q --algo sha256 \"$WAV\" >\"$TMP/ours.sha256\"" \
    "openssl" "openssl dgst -sha256 -r \"$WAV\" >\"$TMP/openssl.sha256\"")
r=$(echo "$o / $s" | bc -l)
printf '   signoff %.3f s (%.0f MB/s), openssl %.3f s (%.0f MB/s): throughput ratio %.2f (goal >= 0.95, %s)\n' \
    "$s" "$(mbps "$s")" "$o" "$(mbps "$o")" "$r" "$(verdict "$r >= 0.95")"
ours=$(cut -d' ' -f1 "$TMP/ours.sha256")
theirs=$(cut -d' ' -f1 "$TMP/openssl.sha256")
[[ $ours == "$theirs" ]] && echo "   digests agree ($ours)" || echo "   DIGESTS DIFFER: signoff $ours, openssl $theirs"

echo "2. xxh128: signoff hash vs cat FILE > /dev/null"
read -r s c < <(pair "signoff" "\"$BIN\" hash -q --algo xxh128 \"$WAV\" >/dev/null" \
    "cat" "cat \"$WAV\" >/dev/null")
r=$(echo "$c / $s" | bc -l)
printf '   signoff %.3f s (%.0f MB/s), cat %.3f s (%.0f MB/s): throughput ratio %.2f (goal >= 0.90, %s)\n' \
    "$s" "$(mbps "$s")" "$c" "$(mbps "$c")" "$r" "$(verdict "$r >= 0.90")"
# At 8 GB/s the read takes tens of milliseconds, as long as starting a binary
# that loads FFmpeg's shared libraries: the same pair without start-up (each
# tool's start timed on an empty file) separates the two.
: >"$TMP/empty"
read -r s0 c0 < <(pair "signoff-start" "\"$BIN\" hash -q --algo xxh128 \"$TMP/empty\" >/dev/null" \
    "cat-start" "cat \"$TMP/empty\" >/dev/null")
r=$(echo "($c - $c0) / ($s - $s0)" | bc -l)
printf '   start-up: signoff %.3f s, cat %.3f s; without it: throughput ratio %.2f\n' "$s0" "$c0" "$r"

echo "3. planned check (loudness + SHA-256) vs measure alone"
n=0
read -r k m < <(pair "check" "n=\$((n + 1)); \"$BIN\" check -q \"$TMP/delivery\" --ledger \"$TMP/ledger\$n.sqlite\" >/dev/null || true" \
    "measure" "\"$BIN\" measure \"$WAV\" >/dev/null")
r=$(echo "$k / $m" | bc -l)
printf '   check %.3f s, measure %.3f s: time ratio %.2f (goal <= 1.10, %s)\n' \
    "$k" "$m" "$r" "$(verdict "$r <= 1.10")"
