#!/usr/bin/env bash
# The Slurm engine against a real single-node Slurm started on this machine (scripts/slurm/local-cluster.sh):
#   1. installs slurm-wlm and munge when missing (apt-get, through sudo when not root);
#   2. a local `make reproduce` of the profile into WORK/local (skipped when REFERENCE names a finished run);
#   3. round 1: `ciess submit` of the whole profile into WORK/slurm, wait, compare every CSV with the local run,
#      and check that a second `ciess submit` finds nothing to do (finished cells are skipped);
#   4. round 2: the same results with every retrain cell and retrain cache removed (searches kept), submitted again; one running
#      array task is killed with scancel: only that cell may fail; `ciess submit --only-failed` must send that
#      one cell alone, and the CSVs must then equal the local run's;
#   5. stops the daemons and prints the wall time.
# Usage: scripts/test-slurm.sh
# Variables: PROFILE (default smoke), PROFILES (default experiments/profiles.json), CIESS (default the release
#   build; SKIP_BUILD=1 uses it as it is), CPUS (Slurm node CPUs, default 2), JOBS (local run, default CPUS),
#   WORK (default: a fresh temporary directory), REFERENCE (a results directory with a finished local run),
#   SUBSET ("<dataset> [<backbone>]": restrict the profile to one dataset (and backbone), for a quicker check;
#   "ml-1m lightgcn" takes about 5 min),
#   WAIT_TIMEOUT (seconds per round, default 7200).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
start=$(date +%s)
profile=${PROFILE:-smoke}
profiles=${PROFILES:-experiments/profiles.json}
cpus=${CPUS:-2}
jobs=${JOBS:-$cpus}
work=${WORK:-$(mktemp -d /tmp/ciess-test-slurm.XXXXXX)}
mkdir -p "$work"; work=$(cd "$work" && pwd)
ciess=${CIESS:-.build-release/release/ciess}
say() { echo "test-slurm: $*"; }

# 1. Packages and the binary.
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  say "installing slurm-wlm munge with apt-get"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq slurm-wlm munge
fi
[ "${SKIP_BUILD:-}" = 1 ] || make --no-print-directory build
[ -x "$ciess" ] || { say "no ciess binary at $ciess"; exit 1; }
ciess=$(cd "$(dirname "$ciess")" && pwd)/$(basename "$ciess")
export CIESS_DATA_DIR=${CIESS_DATA_DIR:-$repo/datasets}

if [ -n "${SUBSET:-}" ]; then  # one dataset and one backbone of the profile, written to WORK/profiles.json
  read -r dataset backbone <<< "$SUBSET"
  scripts/subset-profile.py "$profiles" "$profile" "$dataset" $backbone "$work/profiles.json"
  profiles=$work/profiles.json
  say "profile $profile restricted to $SUBSET ($profiles)"
fi
profiles=$(cd "$(dirname "$profiles")" && pwd)/$(basename "$profiles")

# 2. The local reference run.
reference=${REFERENCE:-$work/local}
if [ -z "${REFERENCE:-}" ]; then
  t=$(date +%s)
  say "local reference: make reproduce PROFILE=$profile JOBS=$jobs into $reference"
  make --no-print-directory reproduce PROFILE="$profile" PROFILES="$profiles" JOBS="$jobs" RESULTS="$reference" \
    CIESS="$ciess" SKIP_BUILD=1 > "$work/local.log" 2>&1 || say "the local run exited non-zero (see $work/local.log)"
  say "local reference took $(( $(date +%s) - t )) s"
fi

# The cluster, stopped on every exit.
cluster=$work/cluster
trap 'scripts/slurm/local-cluster.sh stop "$cluster" || true' EXIT
CPUS=$cpus scripts/slurm/local-cluster.sh start "$cluster"
export SLURM_CONF=$cluster/slurm.conf

submit() {  # submit RESULTS [options…]: ciess submit of the profile
  local results=$1; shift
  "$ciess" submit --profile "$profile" --profiles "$profiles" --results "$results" --ciess "$ciess" "$@"
}
wait_idle() {  # until no job is queued or running
  local t0; t0=$(date +%s)
  while [ -n "$(squeue -h -o %i)" ]; do
    [ $(( $(date +%s) - t0 )) -lt "${WAIT_TIMEOUT:-7200}" ] || { say "timed out waiting for Slurm"; squeue; return 1; }
    sleep 2
  done
}
compare_csvs() {  # compare_csvs RESULTS: every CSV equal to the reference's
  local fail=0 n=0
  for csv in table-1.csv table-2.csv figure-3.csv figure-4.csv figure-5.csv figure-6.csv figure-7.csv; do
    local a="$reference/$profile/$csv" b="$1/$profile/$csv"
    if [ ! -f "$a" ] || [ ! -f "$b" ]; then say "$csv missing (local: $([ -f "$a" ] && echo yes || echo no), slurm: $([ -f "$b" ] && echo yes || echo no))"; fail=1
    elif cmp -s "$a" "$b"; then n=$((n + 1))
    else say "$csv differs from the local run:"; diff "$a" "$b" | head -10; fail=1; fi
  done
  say "$n of 7 CSVs byte-identical to the local run"
  return $fail
}
failed_cells() { find "$1/$profile" -name failed.json | sed "s|^$1/$profile/cells/||; s|/failed.json$||" | sort; }

verdict=0
# 3. Round 1: the whole profile through Slurm.
t=$(date +%s)
round1=$work/slurm
submit "$round1" | tail -3
wait_idle
say "round 1 (whole profile through Slurm) took $(( $(date +%s) - t )) s"
tail -1 "$round1/$profile"/slurm/*/out/ciess-"$profile"-aggregate-*.out || true
compare_csvs "$round1" || verdict=1
again=$(submit "$round1")
echo "$again"
case "$again" in *"nothing to submit"*) say "a second submit skips every finished stage" ;; *) say "a second submit sent work again"; verdict=1 ;; esac

# 4. Round 2: retrain cells again, one task killed, then --only-failed.
t=$(date +%s)
round2=$work/slurm-kill
cp -a "$round1" "$round2"
rm -rf "$round2/$profile/slurm" "$round2/$profile"/*.csv
find "$round2/$profile/cells" -name result.json -delete
find "$round2/$profile/search" -type d -name retrain -prune -exec rm -rf {} +   # the retrain caches too: real work
submit "$round2" | tail -1
victim_task=""
for _ in $(seq 1 3000); do  # the first retrain task seen running
  victim_task=$(squeue -h -r -t RUNNING -n "ciess-$profile-retrain" -o %i | head -1)
  [ -n "$victim_task" ] && break
  sleep 0.2
done
[ -n "$victim_task" ] || { say "no retrain task was seen running"; exit 1; }
victim=$(sed -n "$(( ${victim_task#*_} + 1 ))p" "$round2/$profile"/slurm/*/tasks.txt)
say "killing array task $victim_task ($victim) with scancel"
scancel "$victim_task"
wait_idle
failed=$(failed_cells "$round2")
say "failed after the kill: ${failed:-none}"
# A task cancelled before its cell started leaves no failed.json (Slurm's CANCELLED state is the record),
# so the only wrong answer here is another cell failing.
case "$failed" in "$victim"|"") ;; *) say "expected no cell but the killed one to fail"; verdict=1 ;; esac
status=$(submit "$round2" --status)
echo "$status" | tail -3
case "$status" in *"CANCELLED"*"$victim"*) say "--status shows the killed cell as cancelled" ;;
  *) say "--status does not show the killed cell as cancelled"; verdict=1 ;; esac
resubmit=$(submit "$round2" --only-failed)
echo "$resubmit" | tail -2
case "$resubmit" in *"0 search tasks, 1 retrain tasks"*) say "--only-failed sent the killed cell alone" ;; *) say "--only-failed did not send exactly one cell"; verdict=1 ;; esac
wait_idle
say "round 2 (kill and resubmit) took $(( $(date +%s) - t )) s"
[ -z "$(failed_cells "$round2")" ] || { say "cells still failed: $(failed_cells "$round2")"; verdict=1; }
compare_csvs "$round2" || verdict=1

say "wall time $(( $(date +%s) - start )) s (profile $profile${SUBSET:+, subset $SUBSET}, $cpus Slurm CPUs; files in $work)"
if [ $verdict -eq 0 ]; then say "PASSED"; else say "FAILED"; exit 1; fi
