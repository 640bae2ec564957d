#!/usr/bin/env bash
# kill -9 of `make reproduce` midway, then the same command again: the CSVs must equal an
# uninterrupted run's, byte for byte.
#
# Usage: scripts/check-reproduce-resume.sh [REFERENCE_RESULTS_DIR]
#   REFERENCE_RESULTS_DIR: a results directory holding a finished uninterrupted run of the profile
#   (e.g. the one CI just made); without it the uninterrupted run is made here first.
# Variables: PROFILE (default smoke), JOBS (default 2), WORK (default: a fresh temporary directory),
#   CIESS, SKIP_BUILD and PROFILES (passed to make),
#   KILL_AFTER (kill once this many retrain results exist; default: half of the plan's cells),
#   SUBSET ("<dataset> [<backbone>]": restrict the profile to one dataset (and backbone) through
#   scripts/subset-profile.py, written to WORK/profiles.json; the reference must then be a run of that subset).
# Runs into $WORK/…, never into results/<profile>.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${PROFILE:-smoke}
jobs=${JOBS:-2}
work=${WORK:-$(mktemp -d)}
reference=${1:-}
mkdir -p "$work"; work=$(cd "$work" && pwd)
if [ -n "${SUBSET:-}" ]; then
  read -r dataset backbone <<< "$SUBSET"
  scripts/subset-profile.py "${PROFILES:-experiments/profiles.json}" "$profile" "$dataset" $backbone "$work/profiles.json"
  export PROFILES=$work/profiles.json
  echo "reproduce resume check: profile $profile restricted to $SUBSET ($PROFILES)"
fi

reproduce() {  # reproduce RESULTS_DIR: the user's command, into another results directory
  make --no-print-directory reproduce PROFILE="$profile" JOBS="$jobs" RESULTS="$1" ${CIESS:+CIESS="$CIESS"} ${SKIP_BUILD:+SKIP_BUILD="$SKIP_BUILD"} \
    ${PROFILES:+PROFILES="$PROFILES"}
}

if [ -z "$reference" ]; then
  reference="$work/straight"
  echo "reproduce resume check: uninterrupted run into $reference"
  reproduce "$reference" > "$work/straight.log" 2>&1 || echo "reproduce resume check: the uninterrupted run exited non-zero (see $work/straight.log)"
fi
[ -d "$reference/$profile" ] || { echo "reproduce resume check: no $reference/$profile"; exit 1; }

killed="$work/killed"
rm -rf "$killed"
mkdir -p "$killed"
echo "reproduce resume check: run into $killed, killed with SIGKILL midway"
setsid bash -c "$(declare -f reproduce); profile=$profile jobs=$jobs; reproduce '$killed'" > "$work/killed-1.log" 2>&1 &
pid=$!
total=""
for _ in $(seq 1 6000); do
  if [ -z "$total" ] && [ -f "$killed/$profile/cells.mk" ]; then
    total=$(grep -c '/result.json: ' "$killed/$profile/cells.mk" || true)
  fi
  done_cells=$( (find "$killed/$profile/cells" -name result.json 2>/dev/null || true) | wc -l)
  threshold=${KILL_AFTER:-$(( ${total:-2} / 2 ))}
  [ -n "$total" ] && [ "$done_cells" -ge "$threshold" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
if kill -0 "$pid" 2>/dev/null; then
  kill -9 -- "-$pid"     # the whole process group: make, its sub-makes and every running `ciess run`
  wait "$pid" 2>/dev/null || true
  echo "reproduce resume check: killed after $done_cells of $total retrain cells"
else
  echo "reproduce resume check: the run ended before the kill (raise the work or lower KILL_AFTER)"; exit 1
fi

echo "reproduce resume check: the same command again"
reproduce "$killed" > "$work/killed-2.log" 2>&1 || echo "reproduce resume check: the resumed run exited non-zero (see $work/killed-2.log)"

fail=0; compared=0
for csv in table-1.csv table-2.csv figure-3.csv figure-4.csv figure-5.csv figure-6.csv figure-7.csv; do
  a="$reference/$profile/$csv"; b="$killed/$profile/$csv"
  if [ ! -f "$a" ] || [ ! -f "$b" ]; then echo "reproduce resume check: $csv missing (reference: $([ -f "$a" ] && echo yes || echo no), resumed: $([ -f "$b" ] && echo yes || echo no))"; fail=1; continue; fi
  if cmp -s "$a" "$b"; then compared=$((compared + 1)); else echo "reproduce resume check: $csv differs"; diff "$a" "$b" | head -20; fail=1; fi
done
# The metrics of every cell too (wall time and provenance aside), so a difference is named by cell.
python3 - "$reference/$profile/cells" "$killed/$profile/cells" <<'PY' || fail=1
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
def load(root):
    out = {}
    for d, _, files in os.walk(root):
        if "result.json" in files:
            r = json.load(open(os.path.join(d, "result.json")))
            for k in ("wall_seconds", "provenance"): r.pop(k, None)
            out[os.path.relpath(d, root)] = r
    return out
ra, rb = load(a), load(b)
bad = sorted(k for k in set(ra) | set(rb) if ra.get(k) != rb.get(k))
for k in bad[:20]: print("reproduce resume check: cell differs or is missing:", k)
print(f"reproduce resume check: {len(ra)} cells compared, {len(bad)} differ")
sys.exit(1 if bad else 0)
PY
if [ $fail -eq 0 ]; then
  echo "reproduce resume check: passed ($compared CSVs identical after SIGKILL and rerun)"
else
  echo "reproduce resume check: FAILED (logs in $work)"; exit 1
fi
