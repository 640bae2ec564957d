#!/usr/bin/env bash
# `make crosscheck-split`: the ML-1M and Yelp2018 splits of `ciess data split` against NumPy's own RandomState
# (scripts/numpy-split.py), byte for byte, in both source forms the manifest knows:
#   restored     — the manifest as shipped: a source whose within-user order is lost gets the seeded restoring
#                  shuffle first (numpy-split.py --order-seed, the seed read from the manifest);
#   as-is        — the same files declared in their original order (a temporary manifest without
#                  withinUserOrder/orderSeed): the path every official source takes, split exactly as it comes.
# Usage: crosscheck-split.sh CIESS OUT   (the data root is $CIESS_DATA_DIR or datasets/)
set -euo pipefail
ciess=$1 out=$2
data=${CIESS_DATA_DIR:-datasets}
raw=$data/raw
manifest=${CIESS_MANIFEST:-$data/manifest.json}
mkdir -p "$out"

# The as-is manifest: every source's order declaration removed.
python3 - "$manifest" "$out/manifest-as-is.json" <<'EOF'
import json, os, sys
manifest = json.load(open(sys.argv[1]))
for dataset in manifest["datasets"]:
    for required in dataset["files"]:
        for source in required["sources"]:
            source.pop("withinUserOrder", None)
            source.pop("orderSeed", None)
with open(sys.argv[2] + ".tmp", "w") as f:
    json.dump(manifest, f, indent=2)
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
EOF

# The order seed the manifest declares for the source cached under NAME ("" when its order is original).
order_seed() {
  python3 - "$manifest" "$1" <<'EOF'
import json, sys
for dataset in json.load(open(sys.argv[1]))["datasets"]:
    for required in dataset["files"]:
        for source in required["sources"]:
            if source["cacheName"] == sys.argv[2] and source.get("withinUserOrder") == "lost":
                print(source["orderSeed"])
EOF
}

for form in restored as-is; do
  [ "$form" = restored ] && m=$manifest || m=$out/manifest-as-is.json
  for d in ml-1m yelp2018; do
    CIESS_MANIFEST=$m "$ciess" data split --dataset "$d" --out "$out/$form/$d/ciess" > /dev/null
  done
done

# The raw files `ciess data split` fetched and verified: the official form when cached, else the mirror's.
if [ -f "$raw/ml-1m/ml-1m.zip" ]; then
  unzip -p "$raw/ml-1m/ml-1m.zip" ml-1m/ratings.dat > "$out/ratings.dat.tmp"
  mv "$out/ratings.dat.tmp" "$out/ratings.dat"
  ml=$out/ratings.dat ml_seed=$(order_seed ml-1m.zip)
else
  ml=$raw/ml-1m/interactions.dat ml_seed=$(order_seed interactions.dat)
fi
yelp=$raw/yelp2018/train.txt
[ -f "$yelp" ] || yelp=$raw/yelp2018/train.rebuilt.txt
yelp_seed=$(order_seed "$(basename "$yelp")")
echo "crosscheck-split: $ml (order seed ${ml_seed:-none}), $yelp (order seed ${yelp_seed:-none})"

for form in restored as-is; do
  ml_flag=() yelp_flag=()
  if [ "$form" = restored ]; then
    [ -n "$ml_seed" ] && ml_flag=(--order-seed "$ml_seed")
    [ -n "$yelp_seed" ] && yelp_flag=(--order-seed "$yelp_seed")
  fi
  python3 scripts/numpy-split.py --ml-1m "$ml" "${ml_flag[@]}" --out "$out/$form/ml-1m/numpy"
  python3 scripts/numpy-split.py --yelp2018 "$yelp" "$raw/yelp2018/test.txt" "${yelp_flag[@]}" \
      --out "$out/$form/yelp2018/numpy"
done

differ=0
for form in restored as-is; do
  for d in ml-1m yelp2018; do
    for f in train valid test; do
      if cmp -s "$out/$form/$d/ciess/$f.tsv" "$out/$form/$d/numpy/$f.tsv"; then
        echo "crosscheck-split: $form $d $f.tsv identical"
      else
        echo "crosscheck-split: $form $d $f.tsv DIFFERS from NumPy's"; differ=1
      fi
    done
  done
done
if [ $differ -eq 0 ]; then
  echo "crosscheck-split: PASSED (ciess = NumPy on both datasets, order restored and as distributed)"
else
  echo "crosscheck-split: FAILED"; exit 1
fi
