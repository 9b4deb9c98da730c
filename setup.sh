#!/usr/bin/env bash
# Sets up signoff on a Debian/Ubuntu machine and runs the main job on the bundled sample delivery.
#   ./setup.sh            install system packages if missing, build, check fixtures/sample-delivery against its plan
#   ./setup.sh --no-run   install and build only (CI uses this before the tests)
set -euo pipefail
cd "$(dirname "$0")"

# FFmpeg's libraries and headers (ffmpeg-next links them), clang for bindgen,
# pkg-config to find them, and the ffmpeg CLI and file(1) the tests compare against;
# exiftool, ImageMagick and pdfinfo are the independent readers of the artwork tests
# (tests/artwork.rs), qpdf and the free ICC profiles make its fixtures (fixtures/make-artwork.sh);
# PostgreSQL is the shared ledger's server, which the ledger tests run against.
PACKAGES=(pkg-config clang libclang-dev ffmpeg python3 file chromium postgresql
  libimage-exiftool-perl imagemagick poppler-utils qpdf icc-profiles-free
  libavcodec-dev libavformat-dev libavutil-dev libavfilter-dev libavdevice-dev
  libswscale-dev libswresample-dev)

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The report tests read the JUnit output with a real consumer, Python's junitparser.
if ! python3 -c 'import junitparser' 2>/dev/null; then
  echo "setup: installing junitparser (for the tests)" >&2
  python3 -m pip install --quiet junitparser 2>/dev/null \
    || { ${SUDO:-} apt-get install -y -qq python3-junitparser >/dev/null 2>&1 || true; }
  python3 -c 'import junitparser' 2>/dev/null \
    || echo "setup: warning: could not install junitparser; tests/report.rs will fail (pip install junitparser)" >&2
fi

# The JSON tests validate every document against docs/schema/*.json with Python's jsonschema.
if ! python3 -c 'import jsonschema, referencing' 2>/dev/null; then
  echo "setup: installing jsonschema (for the tests)" >&2
  python3 -m pip install --quiet 'jsonschema>=4.18' 2>/dev/null \
    || { ${SUDO:-} apt-get install -y -qq python3-jsonschema >/dev/null 2>&1 || true; }
  python3 -c 'import jsonschema, referencing' 2>/dev/null \
    || echo "setup: warning: could not install jsonschema; tests/json_schema.rs will fail (pip install jsonschema)" >&2
fi

# The deployment test reads deploy/kubernetes/*.yaml with PyYAML.
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "setup: installing PyYAML (for the tests)" >&2
  python3 -m pip install --quiet pyyaml 2>/dev/null \
    || { ${SUDO:-} apt-get install -y -qq python3-yaml >/dev/null 2>&1 || true; }
  python3 -c 'import yaml' 2>/dev/null \
    || echo "setup: warning: could not install PyYAML; tests/deploy.rs will fail (pip install pyyaml)" >&2
fi

# The EBU STL test reads the same files with ttconv (Sandflow's timed-text converter).
if ! python3 -c 'import ttconv.stl.reader' 2>/dev/null; then
  echo "setup: installing ttconv (for the tests)" >&2
  python3 -m pip install --quiet ttconv 2>/dev/null || true
  python3 -c 'import ttconv.stl.reader' 2>/dev/null \
    || echo "setup: warning: could not install ttconv; tests/captions_parse.rs will fail (pip install ttconv)" >&2
fi

# The digest and manifest tests compare with the ASC MHL reference implementation (ascmhl-debug hash/verify).
if ! command -v ascmhl-debug >/dev/null; then
  echo "setup: installing ascmhl (the ASC MHL reference tool, for the tests)" >&2
  python3 -m pip install --quiet ascmhl 2>/dev/null || true
  command -v ascmhl-debug >/dev/null \
    || echo "setup: warning: could not install ascmhl; the digest and MHL tests will fail (pip install ascmhl)" >&2
fi

# The marker tests read the exported EDL and .otio with OpenTimelineIO itself (and its CMX 3600 adapter).
if ! python3 -c 'import opentimelineio, otio_cmx3600_adapter' 2>/dev/null; then
  echo "setup: installing opentimelineio and otio-cmx3600-adapter (for the tests)" >&2
  python3 -m pip install --quiet opentimelineio otio-cmx3600-adapter 2>/dev/null || true
  python3 -c 'import opentimelineio, otio_cmx3600_adapter' 2>/dev/null \
    || echo "setup: warning: could not install opentimelineio; tests/markers.rs will fail (pip install opentimelineio otio-cmx3600-adapter)" >&2
fi

# The ledger tests run against a real PostgreSQL server on the local socket
# (tests/common/ledger.rs; SIGNOFF_TEST_POSTGRES names another): start the installed
# cluster (creating one if there is none) and let the current user in as a superuser.
start_postgres() {
  local version me
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [[ -z $version ]] || ! command -v pg_ctlcluster >/dev/null; then
    echo "setup: warning: PostgreSQL is not installed; the ledger tests will fail" >&2
    return 0
  fi
  if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
    $SUDO pg_createcluster "$version" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $4 }' | grep -q online; then
    echo "setup: starting PostgreSQL $version (the ledger tests use it)" >&2
    $SUDO pg_ctlcluster "$version" main start || $SUDO service postgresql start
  fi
  for _ in $(seq 60); do
    pg_isready -q && break
    sleep 0.5
  done
  me=$(id -un)
  if ! as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$me'" | grep -q 1; then
    as_postgres psql -qc "CREATE ROLE \"$me\" SUPERUSER LOGIN"
  fi
}
# A command as the postgres user, from a folder it may enter (psql warns of
# a working folder it cannot read, such as a private temporary clone).
as_postgres() {
  (cd / && $SUDO runuser -u postgres -- "$@")
}
start_postgres

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is not installed. Install it with rustup (https://rustup.rs), then run ./setup.sh again." >&2
  exit 4
fi

cargo build --release --locked --quiet
echo "setup: built target/release/signoff" >&2
[[ ${1:-} == "--no-run" ]] && exit 0

echo "setup: running the main job on the sample delivery (its plan: fixtures/sample-delivery/signoff.toml):" >&2
echo "  target/release/signoff check fixtures/sample-delivery --ledger target/sample-ledger.sqlite --report target/signoff-report.html" >&2
set +e
target/release/signoff check fixtures/sample-delivery --ledger target/sample-ledger.sqlite \
  --report target/signoff-report.html
code=$?
set -e
# 1 (QC failures: the sample plan has failing deliverables on purpose) and
# 2 (unreadable files) are answers about the delivery, not setup failures.
if ((code > 2)); then exit "$code"; fi
echo "setup: done (signoff exited $code; see README, exit codes). The sign-off report: target/signoff-report.html" >&2
