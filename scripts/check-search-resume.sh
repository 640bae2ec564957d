#!/usr/bin/env bash
# Kills a short CIESS search with SIGKILL after its first episode checkpoint, runs the same command
# again, and checks that the resumed search ends with the same history (wall-clock fields aside) and
# the same size vectors as an uninterrupted run. Usage: check-search-resume.sh CIESS_BINARY [WORKDIR]
set -euo pipefail
ciess=${1:?usage: check-search-resume.sh CIESS_BINARY [WORKDIR]}
work=${2:-$(mktemp -d)}
rm -rf "$work/straight" "$work/killed"
args=(search --method ciess --dataset ml-1m --backbone lightgcn --episodes 3 --iterations 3
      --batches-per-iteration 10 --batch-size 2000 --pretrain-chunk-batches 20 --pretrain-max-chunks 1 --seed 7)

echo "resume check: uninterrupted run"
CIESS_QUIET=1 "$ciess" "${args[@]}" --out "$work/straight"

echo "resume check: run killed with SIGKILL after the first checkpoint"
CIESS_QUIET=1 "$ciess" "${args[@]}" --out "$work/killed" & pid=$!
for _ in $(seq 1 3000); do
  [ -f "$work/killed/checkpoint.plist" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -9 "$pid" 2>/dev/null; then echo "resume check: killed pid $pid"; else echo "resume check: run ended before the kill"; exit 1; fi
wait "$pid" 2>/dev/null || true
[ ! -f "$work/killed/search.json" ] || { echo "resume check: the killed run had already finished"; exit 1; }

echo "resume check: same command again"
CIESS_QUIET=1 "$ciess" "${args[@]}" --out "$work/killed"

python3 - "$work/straight" "$work/killed" <<'PY'
import json, sys, filecmp, os
a, b = sys.argv[1], sys.argv[2]
def history(d):
    rows = [json.loads(l) for l in open(os.path.join(d, "history.jsonl"))]
    for r in rows:
        # wall-clock fields differ between runs, and so does the line's own checksum, which covers them
        r.pop("trainSeconds"); r.pop("evalSeconds"); r.pop("line_sha256", None)
    return rows
ha, hb = history(a), history(b)
assert len(ha) == 9, f"expected 9 iterations, found {len(ha)}"
assert ha == hb, "the resumed history differs from the uninterrupted one"
for r in ha:
    assert filecmp.cmp(os.path.join(a, r["sizesFile"]), os.path.join(b, r["sizesFile"]), shallow=False), r["sizesFile"]
assert json.load(open(os.path.join(a, "candidates.json"))) == json.load(open(os.path.join(b, "candidates.json")))
print("resume check: 1 passed, 0 failed (history, size vectors and candidates identical after SIGKILL and resume)")
PY
