#!/usr/bin/env bash
# Renders the figures of a profile from its aggregated CSVs:
#   results/<P>/figure-N.csv  --figures/figure-N.gp-->  results/<P>/figures/figure-N.png and figure-N.svg
# Usage: scripts/render-figures.sh P [N ...]      (default N: 3 4 5 6 7)
# The results directory is $CIESS_RESULTS_DIR when set, else results/. Each file is written to a temporary
# name and renamed into place. The gnuplot scripts pin terminal, font, size and number formats, so the
# same CSV renders to the same bytes.
set -euo pipefail

if [ $# -lt 1 ] || [ -z "$1" ] || [[ "$1" == */* ]]; then
    echo "usage: $0 PROFILE [N ...]   (N in 3 4 5 6 7; renders results/PROFILE/figures/figure-N.{png,svg})" >&2
    exit 2
fi
profile=$1; shift
numbers=("$@")
[ ${#numbers[@]} -gt 0 ] || numbers=(3 4 5 6 7)

command -v gnuplot >/dev/null || { echo "render-figures: gnuplot is not installed (make deps installs gnuplot-nox)" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results=${CIESS_RESULTS_DIR:-results}
dir="$results/$profile"
mkdir -p "$dir/figures"

for n in "${numbers[@]}"; do
    case "$n" in 3|4|5|6|7) ;; *) echo "render-figures: no figure $n (valid: 3 4 5 6 7)" >&2; exit 2 ;; esac
    csv="$dir/figure-$n.csv"
    [ -f "$csv" ] || { echo "render-figures: $csv is missing; run: ciess aggregate --profile $profile" >&2; exit 1; }
    for ext in png svg; do
        out="$dir/figures/figure-$n.$ext"
        tmp="$dir/figures/.tmp-figure-$n-$$.$ext"
        if ! LC_ALL=C.UTF-8 gnuplot -e "in='$csv'; out='$tmp'" "$here/figures/figure-$n.gp" 2> >(grep -v -e "Skipping data file with no valid points" -e "empty [xy] range" >&2); then
            rm -f "$tmp"; echo "render-figures: gnuplot failed on figures/figure-$n.gp ($csv)" >&2; exit 1
        fi
        mv -f "$tmp" "$out"
        echo "render-figures: $out"
    done
done
