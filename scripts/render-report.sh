#!/usr/bin/env bash
# Renders the HTML sign-off report of the sample delivery in headless Chromium:
# a screenshot (PNG) and a printed PDF, to check the report as a person sees it.
#
#   scripts/render-report.sh [OUT_DIR] [SIGNOFF_BINARY]
#
# OUT_DIR defaults to target/report-render. Needs Debian's `chromium`
# (apt-get install chromium); pdftoppm (poppler-utils), if present, also turns
# the PDF's first pages into PNGs. Nothing is fetched from the network: the
# report is one self-contained file.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-target/report-render}
bin=${2:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [[ -z $bin ]]; then
  cargo build --release --locked --quiet
  bin=${CARGO_TARGET_DIR:-target}/release/signoff
fi
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  echo "render-report: chromium is not installed (Debian: apt-get install chromium)" >&2
  exit 4
fi

set +e
"$bin" check fixtures/sample-delivery --spec netflix-prores-hq --spec ebu-r128 --quiet \
  --report "$out/report.html" --report "$out/report.xml" --report "$out/report.md" \
  --report "$out/report.json" >/dev/null
code=$?
set -e
# 1 (QC failures) and 2 (unreadable files) are answers about the delivery.
if ((code > 2)); then
  echo "render-report: signoff check failed with exit code $code" >&2
  exit "$code"
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --disable-extensions --hide-scrollbars --user-data-dir="$profile")
"$browser" "${flags[@]}" --window-size=1280,2000 --screenshot="$out/report.png" \
  "file://$out/report.html" 2>"$out/chromium.log"
"$browser" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$out/report.pdf" \
  "file://$out/report.html" 2>>"$out/chromium.log"

for f in report.png report.pdf; do
  [[ -s $out/$f ]] || { echo "render-report: chromium wrote no $f (see $out/chromium.log)" >&2; exit 4; }
done
if command -v pdftoppm >/dev/null; then
  pdftoppm -png -r 60 -f 1 -l 3 "$out/report.pdf" "$out/page"
fi
echo "render-report: $out/report.html, report.png, report.pdf (signoff exited $code)"
