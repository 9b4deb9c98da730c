#!/bin/bash
# Submits one sharded signoff check to Slurm: an array of N shards, then the
# merge, which starts once every shard has succeeded (and is cancelled if
# one failed).
#   SIGNOFF_LEDGER=postgres://… deploy/slurm/submit.sh DELIVERY N [REPORTS]
set -euo pipefail
if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: SIGNOFF_LEDGER=URL|PATH $0 DELIVERY SHARDS [REPORTS]" >&2
  exit 3
fi
here=$(cd "$(dirname "$0")" && pwd)
: "${SIGNOFF_LEDGER:?SIGNOFF_LEDGER: the ledger every shard writes to (postgres://… across nodes)}"
DELIVERY=$(cd "$1" && pwd)
SHARDS=$2
REPORTS=${3:-$PWD/signoff-reports}
if ! [[ $SHARDS =~ ^[1-9][0-9]*$ ]]; then
  echo "$0: SHARDS must be a number of shards (1 or more), not '$SHARDS'" >&2
  exit 3
fi
export DELIVERY SHARDS REPORTS SIGNOFF_LEDGER
array=$(sbatch --parsable --array="0-$((SHARDS - 1))" --export=ALL "$here/shard.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --export=ALL "$here/merge.sbatch")
merge=${merge%%;*}
echo "signoff: $SHARDS shards as array job $array; the merge as job $merge, after every shard succeeded; reports in $REPORTS"
