#!/usr/bin/env bash
# Scale on one machine (issue 15): a generated delivery of COUNT files
# (default 10,000: mostly small sidecars — text, XML, SRT captions, PDF,
# PNG — each with its own content; 3 % short real media made with ffmpeg's
# lavfi, WAV and H.264 MP4, each copy made unique; three longer ones) with a
# plan that claims every file, then:
#   1. the first `check` (workers as usual, --jobs = cores): wall clock, and
#      peak RSS of the parent and of its workers (sampled from /proc every
#      0.1 s; GNU time's figure is the largest of the two, workers being
#      reaped by their parent);
#   2. a re-run of the unchanged delivery (goal: ≥ 20× faster than the first);
#   3. one process on one core (`taskset -c 0`, `--jobs 1`, a fresh
#      ledger), then N shards (N = cores, `--shard K/N --jobs 1`, shard K on
#      core K-1) at once into one fresh ledger and their `merge` (goal:
#      shards + merge ≤ 1.2 × one-core time ÷ N), and whether the merged
#      board is the first run's; then the same without holding any process
#      to a core, for comparison.
# Prints a Markdown table. A script, never a timed test; run it on a quiet
# machine for figures to publish (docs/benchmarks.md).
# Usage: bench/scale.sh [COUNT]   (honours CARGO_TARGET_DIR; KEEP=1 keeps the work folder)
set -euo pipefail
count=${1:-10000}
here=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/target}
command -v /usr/bin/time >/dev/null || { echo "bench/scale.sh needs GNU time (apt install time)" >&2; exit 4; }
command -v taskset >/dev/null || { echo "bench/scale.sh needs taskset (apt install util-linux)" >&2; exit 4; }
cargo build --release --quiet --locked --manifest-path "$here/Cargo.toml"
bin=$CARGO_TARGET_DIR/release/signoff
work=$(mktemp -d)
[[ ${KEEP:-} == 1 ]] && echo "work folder: $work" >&2 || trap 'rm -rf "$work"' EXIT
root=$work/SCALE
cores=$(nproc)
export SIGNOFF_USER=bench SIGNOFF_TODAY=2026-12-01
unset SIGNOFF_SPECS

# --- the delivery -----------------------------------------------------------
gen=$(date +%s%N)
mkdir -p "$work/base"
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=997:duration=2:sample_rate=48000" \
  -af "pan=stereo|c0=c0|c1=c0,volume=-26dB" -c:a pcm_s24le "$work/base/short.wav"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=s=320x180:r=25:d=2" \
  -f lavfi -i "sine=frequency=440:duration=2:sample_rate=48000" \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 96k -shortest "$work/base/short.mp4"
mkdir -p "$root/long"
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=1000:duration=300:sample_rate=48000" \
  -af "pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0,volume=-30dB" -c:a pcm_s24le "$root/long/SCALE_PM_51.wav"
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=500:duration=300:sample_rate=48000" \
  -af "pan=stereo|c0=c0|c1=c0,volume=-26dB" -c:a pcm_s24le "$root/long/SCALE_PM_20.wav"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=s=1280x720:r=25:d=120" \
  -f lavfi -i "sine=frequency=440:duration=120:sample_rate=48000" \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 128k -shortest "$root/long/SCALE_TRL.mp4"

python3 - "$root" "$work/base" "$count" <<'PY'
import os, struct, sys, zlib
root, base, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
long_files = 3
media = max(10, count * 3 // 100)
small = max(0, count - media - long_files)
wav = open(os.path.join(base, "short.wav"), "rb").read()
mp4 = open(os.path.join(base, "short.mp4"), "rb").read()
data_at = wav.index(b"data") + 8

def put(rel, content):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)

def folder(i):
    return "r%02d" % (i // 500)

def png(i):
    raw = b"\x00" + bytes([i % 256, (i // 256) % 256, 128])
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

def pdf(i):
    text = ("BT /F1 12 Tf 72 720 Td (Cue sheet %d) Tj ET" % i).encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out

def srt(i):
    return ("1\n00:00:01,000 --> 00:00:03,000\nLine %d\n\n2\n00:00:04,000 --> 00:00:06,000\nLine %d, again\n" % (i, i)).encode()

kinds = [
    ("notes", "txt", lambda i: ("Delivery note %d\nAll reels conformed.\n" % i).encode()),
    ("metadata", "xml", lambda i: ('<?xml version="1.0" encoding="UTF-8"?>\n<asset id="%d"><title>Reel %d</title></asset>\n' % (i, i)).encode()),
    ("captions", "srt", srt),
    ("docs", "pdf", pdf),
    ("stills", "png", png),
]
counts = {}
for i in range(small):
    name, ext, make = kinds[i % len(kinds)]
    counts[name] = counts.get(name, 0) + 1
    put("%s/%s/SCALE_%s_%05d.%s" % (name, folder(i), name, i, ext), make(i))
wavs = media * 2 // 3
for i in range(wavs):
    # one sample changed: real audio, its own content
    body = wav[:data_at] + struct.pack("<I", i)[:3] + wav[data_at + 3:]
    put("audio/%s/SCALE_stem_%05d.wav" % (folder(i), i), body)
for i in range(media - wavs):
    # a trailing `free` box: a valid MP4, its own content
    box = struct.pack(">I", 16) + b"free" + struct.pack(">Q", i)
    put("picture/%s/SCALE_clip_%05d.mp4" % (folder(i), i), mp4 + box)
counts["audio"], counts["picture"] = wavs, media - wavs

plan = ['[project]\ntitle = "SCALE"\nclient = "bench/scale.sh"\ndue = "2027-01-01"\n']
def deliverable(id, patterns, n, profiles=()):
    p = "".join('"%s", ' % x for x in profiles).rstrip(", ")
    prof = "profiles = [%s]\n" % p if profiles else ""
    pats = ", ".join('"%s"' % x for x in patterns)
    plan.append('[[deliverable]]\nid = "%s"\ntitle = "%s"\n%spatterns = [%s]\ncount = %d\n' % (id, id, prof, pats, n))
deliverable("stems", ["audio/**/*.wav"], counts["audio"], ["ebu-r128"])
deliverable("clips", ["picture/**/*.mp4"], counts["picture"], ["youtube-upload"])
deliverable("printmasters", ["long/*.wav"], 2, ["ebu-r128"])
deliverable("trailer", ["long/*.mp4"], 1, ["youtube-upload"])
for name, ext, _ in kinds:
    if counts.get(name):
        deliverable(name, ["%s/**/*.%s" % (name, ext)], counts[name])
put("signoff.toml", "\n".join(plan).encode())
PY
gen=$(( ($(date +%s%N) - gen) / 1000000 ))
files=$(find "$root" -type f ! -name signoff.toml | wc -l)
size=$(du -sh "$root" | cut -f1)
"$bin" plan lint "$root/signoff.toml" >/dev/null 2>&1 || "$bin" plan lint "$root/signoff.toml" >&2 || true

# --- measuring --------------------------------------------------------------
# run NAME CMD…: runs CMD under GNU time, sampling the peak RSS (VmHWM) of
# the process and of its worker processes; sets WALL_MS, RSS_KB (GNU time's
# maximum resident set size: the largest of the process and its reaped
# workers), PARENT_KB, WORKER_KB, CODE.
run() {
  local name=$1
  shift
  local t0 t1 spid
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  local tpid=$!
  sample "$tpid" >"$work/$name.rss" &
  spid=$!
  # the wall clock stops when the command ends, not at the sampler's next tick
  CODE=0
  wait "$tpid" || CODE=$?
  t1=$(date +%s%N)
  wait "$spid" 2>/dev/null || true
  WALL_MS=$(((t1 - t0) / 1000000))
  read -r PARENT_KB WORKER_KB <"$work/$name.rss" || PARENT_KB=0 WORKER_KB=0
  RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time")
  if ((CODE > 2)); then
    echo "bench/scale.sh: \`$*\` failed (exit $CODE):" >&2
    tail -5 "$work/$name.err" >&2
    exit 1
  fi
}
# sample TPID: every 0.1 s while TPID (GNU time) lives, the peak RSS of its
# child (signoff) and of that one's children (workers); prints "PARENT WORKER".
sample() {
  local tpid=$1 pid="" kid hwm parent=0 worker=0
  while kill -0 "$tpid" 2>/dev/null; do
    [[ -z $pid ]] && pid=$(cat "/proc/$tpid/task/$tpid/children" 2>/dev/null | awk '{print $1}')
    if [[ -n $pid ]]; then
      hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      ((${hwm:-0} > parent)) && parent=$hwm
      for kid in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$kid/status" 2>/dev/null || echo 0)
        ((${hwm:-0} > worker)) && worker=$hwm
      done
    fi
    sleep 0.1
  done
  echo "$parent $worker"
}
mb() { echo $(($1 / 1024)); }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

sync
(echo 1 >/proc/sys/vm/drop_caches) 2>/dev/null || true
run first "$bin" check "$root" -q --format json --ledger "$work/first.sqlite"
first_ms=$WALL_MS first_rss=$RSS_KB first_parent=$PARENT_KB first_worker=$WORKER_KB
run rerun "$bin" check "$root" -q --format json --ledger "$work/first.sqlite"
rerun_ms=$WALL_MS rerun_rss=$RSS_KB

# "One core" and "N shards on N cores" as an engine runs them: each
# process held to its own core (Slurm's --cpus-per-task=1, a Kubernetes pod
# with a whole CPU), so no run borrows a core its neighbour is using.
run one_core taskset -c 0 "$bin" check "$root" -q --jobs 1 --ledger "$work/one.sqlite"
one_ms=$WALL_MS

# shards NAME PIN: N shards at once into the fresh ledger NAME.sqlite, each
# on core K-1 when PIN is 1, anywhere otherwise; sets SHARDS_MS.
shards() {
  local name=$1 pin=$2 t0 k pids=() p
  t0=$(date +%s%N)
  for k in $(seq 1 "$cores"); do
    local on=()
    [[ $pin == 1 ]] && on=(taskset -c $((k - 1)))
    /usr/bin/time -v -o "$work/$name$k.time" "${on[@]}" "$bin" check "$root" -q --jobs 1 --shard "$k/$cores" \
      --ledger "$work/$name.sqlite" >"$work/$name$k.out" 2>"$work/$name$k.err" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { echo "bench/scale.sh: a shard failed:" >&2; cat "$work/$name"*.err >&2; exit 1; }; done
  SHARDS_MS=$((($(date +%s%N) - t0) / 1000000))
}
shards loose 0
loose_ms=$SHARDS_MS
run loose_merge "$bin" merge "$root" -q --format json --ledger "$work/loose.sqlite"
loose_ms=$((loose_ms + WALL_MS))
run one_loose "$bin" check "$root" -q --jobs 1 --ledger "$work/one_loose.sqlite"
one_loose_ms=$WALL_MS

shards shards 1
shards_ms=$SHARDS_MS
shard_rss=$(cat "$work"/shards*.time | awk -F': ' '/Maximum resident set size/ {if ($2 > m) m = $2} END {print m}')
run merge "$bin" merge "$root" -q --format json --ledger "$work/shards.sqlite"
merge_ms=$WALL_MS
sharded_ms=$((shards_ms + merge_ms))
same=$(python3 - "$work/first.out" "$work/merge.out" <<'PY'
import json, sys
docs = [json.load(open(p)) for p in sys.argv[1:]]
for d in docs:
    for k in ("run_id", "reused_files", "analysed_files", "ledger"):
        d.pop(k, None)
print("yes" if docs[0] == docs[1] else "NO")
PY
)

# --- the table --------------------------------------------------------------
goal_ms=$((one_ms * 12 / 10 / cores))
speedup=$(ratio "$first_ms" "$rerun_ms")
echo
echo "Delivery: $files files ($size; generated in $(secs "$gen")), $cores cores, $(uptime | sed 's/.*load average: /load average /')."
echo
echo "| measure | figure | goal | met |"
echo "|---|---|---|---|"
echo "| first check (--jobs $cores), wall | $(secs "$first_ms") ($(ratio "$first_ms" "$files") ms a file) | | |"
echo "| first check, parent peak RSS (sampled) | $(mb "$first_parent") MB | < 300 MB | $( ((first_parent < 300 * 1024)) && echo yes || echo NO) |"
echo "| first check, largest worker peak RSS (sampled) | $(mb "$first_worker") MB | bounded by --jobs ($cores workers) | |"
echo "| first check, max RSS by GNU time (the largest of parent and workers) | $(mb "$first_rss") MB | < 300 MB | $( ((first_rss < 300 * 1024)) && echo yes || echo NO) |"
echo "| re-run, unchanged delivery, wall | $(secs "$rerun_ms") (max RSS $(mb "$rerun_rss") MB) | | |"
echo "| re-run speed-up (first ÷ re-run) | ${speedup}× | ≥ 20× | $(awk -v s="$speedup" 'BEGIN { print (s >= 20 ? "yes" : "NO") }') |"
echo "| one process on one core (\`taskset -c 0 … --jobs 1\`), wall | $(secs "$one_ms") | | |"
echo "| $cores shards at once, each on its own core (\`taskset -c K-1 … --shard K/$cores --jobs 1\`) + merge, wall | $(secs "$sharded_ms") (shards $(secs "$shards_ms"), merge $(secs "$merge_ms"); shard max RSS $(mb "$shard_rss") MB) | ≤ 1.2 × one-core ÷ $cores = $(secs "$goal_ms") | $( ((sharded_ms <= goal_ms)) && echo yes || echo NO) |"
echo "| sharded ÷ (one-core ÷ $cores) | $(ratio "$sharded_ms" $((one_ms / cores))) | ≤ 1.20 | |"
echo "| the same, no process held to a core: one process (--jobs 1) / $cores shards + merge | $(secs "$one_loose_ms") / $(secs "$loose_ms"): $(ratio "$loose_ms" $((one_loose_ms / cores))) | (for comparison) | |"
echo "| merged board = first run's board (JSON, run id/cache counts/ledger aside) | $same | yes | $same |"
