#!/usr/bin/env bash
# Re-run speed of `signoff check` with a plan: the first run hashes and
# analyses every file; a re-run over an unchanged delivery reuses the
# ledger's cache (size + mtime unchanged → stored SHA-256 and results).
#
# Builds a release binary, copies the sample delivery to a temp folder with
# its 5.1 printmaster replaced by a long one (SECONDS, default 1200 s — a 20-minute reel — of 6 ch
# 24-bit 48 kHz, ~1 GB) so the numbers reflect a real master, not process
# start-up. Prints a Markdown table for docs/benchmarks.md.
#
# Usage: bench/rerun.sh [SECONDS] [RUNS]
set -euo pipefail
seconds=${1:-1200}
runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/target}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=$CARGO_TARGET_DIR/release/signoff
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/fixtures/sample-delivery" "$work/FEATURE"
ffmpeg -loglevel error -f lavfi -i "sine=frequency=1000:duration=$seconds:sample_rate=48000" \
  -af "pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0,volume=-20dB" \
  -c:a pcm_s24le -y "$work/FEATURE/audio/FEATURE_PM_51_24bit.wav"
ledger=$work/ledger.sqlite
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null || true; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
# Drop the file from the page cache where we can, so the first run reads from disk like a fresh delivery would.
sync; (echo 1 > /proc/sys/vm/drop_caches) 2>/dev/null || true
first=$(ms "$bin" check "$work/FEATURE" -q --ledger "$ledger")
times=()
for _ in $(seq "$runs"); do times+=("$(ms "$bin" check "$work/FEATURE" -q --ledger "$ledger")"); done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
rehash=$(ms "$bin" check "$work/FEATURE" -q --rehash --ledger "$ledger")
size=$(du -sh "$work/FEATURE" | cut -f1)
echo "| delivery | first run | re-run (median of $runs) | speed-up | --rehash |"
echo "|---|---|---|---|---|"
echo "| sample delivery + ${seconds} s 5.1 printmaster ($size, 14 files) | ${first} ms | ${median} ms | $(( first / (median > 0 ? median : 1) ))× | ${rehash} ms |"
