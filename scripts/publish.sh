#!/usr/bin/env bash
# `make publish`: copies what a reviewer needs to check every finished stage of a profile from the results
# directory into a tracked folder, and nothing bulky (no checkpoints, no retrain caches, no logs):
#   search stages (finished: a done-<hash> stamp, or search.json from before stamps):
#     descriptor.json config.json search.json pretrain.json history.jsonl candidates*.json(+.sha256) done-*
#     and the size vectors / masks the candidates name
#   retrain cells (finished: result.json): result.json done-*
#   the profile's aggregated CSVs, REPORT.md, determinism.{md,json} and figures/*.{png,svg}
# Usage: publish.sh PROFILE FROM_RESULTS TO_FOLDER      (e.g. publish.sh paper results published)
# Files are copied through a temporary name and renamed; files already identical are left alone.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 PROFILE FROM_RESULTS TO_FOLDER" >&2; exit 2; }
profile=$1 from=$2/$1 to=$3/$1
[ -d "$from" ] || { echo "publish: $from does not exist; run the profile first (make reproduce PROFILE=$profile)" >&2; exit 1; }

copied=0 same=0
put() {   # put RELATIVE_PATH
  local src="$from/$1" dst="$to/$1"
  [ -f "$src" ] || return 0
  if [ -f "$dst" ] && cmp -s "$src" "$dst"; then same=$((same + 1)); return 0; fi
  mkdir -p "$(dirname "$dst")"
  cp "$src" "$dst.tmp-publish" && mv "$dst.tmp-publish" "$dst"
  copied=$((copied + 1))
}

searches=0 cells=0
while IFS= read -r dir; do
  rel=${dir#"$from/"}
  ls "$dir"/done-* >/dev/null 2>&1 || [ -f "$dir/search.json" ] || continue
  [ -f "$dir/search.json" ] || continue
  searches=$((searches + 1))
  for f in descriptor.json config.json search.json pretrain.json history.jsonl; do put "$rel/$f"; done
  for f in "$dir"/candidates*.json "$dir"/candidates*.json.sha256 "$dir"/done-*; do
    [ -e "$f" ] && put "$rel/$(basename "$f")"
  done
  # The files the candidate lists name (size vectors, element masks).
  for c in "$dir"/candidates*.json; do
    [ -e "$c" ] || continue
    python3 -c 'import json,sys
for s in json.load(open(sys.argv[1])):
    for c in s["candidates"]: print(c["sizesFile"])' "$c"
  done | sort -u | while IFS= read -r f; do
    case "$f" in /*|*..*) echo "publish: $dir names $f outside the stage; skipped" >&2; continue;; esac
    echo "$rel/$f"
  done > "$to.files.tmp" 2>/dev/null || true
  while IFS= read -r f; do put "$f"; done < "$to.files.tmp"
  rm -f "$to.files.tmp"
done < <(find "$from/search" -mindepth 5 -maxdepth 5 -type d 2>/dev/null | sort)

while IFS= read -r result; do
  rel=${result#"$from/"}
  dir=$(dirname "$rel")
  cells=$((cells + 1))
  put "$rel"
  for f in "$from/$dir"/done-*; do [ -e "$f" ] && put "$dir/$(basename "$f")"; done
done < <(find "$from/cells" -name result.json 2>/dev/null | sort)

for f in table-1.csv table-2.csv figure-3.csv figure-3-seeds.csv figure-4.csv figure-5.csv figure-6.csv figure-7.csv \
         REPORT.md determinism.md determinism.json; do put "$f"; done
for f in "$from"/figures/figure-*.png "$from"/figures/figure-*.svg; do [ -e "$f" ] && put "figures/$(basename "$f")"; done

echo "publish: $searches finished search stages and $cells retrain cells of $profile → $to ($copied files copied, $same unchanged)"
