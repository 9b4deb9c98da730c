#!/bin/bash
# One nightly sharded check on Kubernetes: start the shards, wait for every
# one, then run the merge and print its board. Needs kubectl on a context
# whose namespace holds the Secret signoff-ledger (secret.example.yaml).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# Waits until Job $1 is Complete or Failed; prints which.
wait_job() {
  local state=""
  while [[ -z $state ]]; do
    sleep 10
    state=$(kubectl get job "$1" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{"\n"}{end}' | grep -xE 'Complete|Failed' || true)
  done
  echo "$state"
}

kubectl delete job signoff-shards signoff-merge --ignore-not-found
kubectl apply -k "$here"
if [[ $(wait_job signoff-shards) != Complete ]]; then
  echo "run.sh: a shard failed past its retries: kubectl logs job/signoff-shards" >&2
  exit 4
fi
kubectl apply -f "$here/merge-job.yaml"
wait_job signoff-merge >/dev/null
kubectl logs job/signoff-merge
