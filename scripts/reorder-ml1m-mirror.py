#!/usr/bin/env python3
"""Write the ML-1M mirror's interactions with every user's rows in a random order, plus a data root that names it.

Why: the split permutes each user's rows in *file order* with RandomState(42) reseeded for every user, so the
same positions are held out for every user of a given size. On the mirror, whose rows are sorted by MovieID
within a user, that makes the held-out sets lean to later MovieIDs and less popular movies; the official
`ratings.dat` is not sorted. A random within-user order (seeded, `--order-seed`) is an unbiased stand-in for the
official order. The file goes through the normal fetch path — the written `manifest.json` declares its size,
SHA-256 and git blob id — so nothing in the harness treats it specially:

    scripts/reorder-ml1m-mirror.py --mirror ../shared/datasets --order-seed 1 --out /tmp/ml1m-order1
    CIESS_DATA_DIR=/tmp/ml1m-order1/data DATA_MIRROR=/tmp/ml1m-order1/mirror ciess train --dataset ml-1m ...

The pair (1, 1193) is written first, as in the official file; `ciess` excludes it either way.
"""
import argparse
import hashlib
import importlib.util
import json
import os
import sys

# The reader and the within-user shuffle are numpy-split.py's, so both scripts draw the same order by construction.
_spec = importlib.util.spec_from_file_location("numpy_split", os.path.join(os.path.dirname(__file__), "numpy-split.py"))
numpy_split = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(numpy_split)

MIRROR_PATH = "ml-1m/interactions.dat"


def write_atomically(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "wb") as f:
        f.write(data)
    os.replace(temporary, path)


def reordered(rows, order_seed):
    """The file's bytes: (1, 1193) first, then users ascending with the rows of `numpy-split.reorder_rows`."""
    lines = ["1::1193\n"]
    for user, items in numpy_split.reorder_rows(rows, order_seed).items():
        lines += [f"{user}::{item}\n" for item in items]
    return "".join(lines).encode()


def manifest_naming(manifest, data):
    """The project's manifest with the ML-1M mirror entry's integrity data replaced by this file's."""
    git_blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    entries = [source for dataset in manifest["datasets"] if dataset["name"] == "ml-1m"
               for file in dataset["files"] for source in file["sources"] if source.get("mirrorPath") == MIRROR_PATH]
    if len(entries) != 1:
        sys.exit(f"manifest: expected exactly one ml-1m source with mirrorPath {MIRROR_PATH}, found {len(entries)}")
    entries[0].update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), gitBlob=git_blob)
    entries[0]["note"] = "Mirror rows reordered within each user by scripts/reorder-ml1m-mirror.py."
    return manifest


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", required=True, help="the offline mirror (holds ml-1m/interactions.dat)")
    parser.add_argument("--manifest", default="datasets/manifest.json")
    parser.add_argument("--order-seed", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    data = reordered(numpy_split.read_movielens(os.path.join(args.mirror, MIRROR_PATH)), args.order_seed)
    with open(args.manifest) as f:
        manifest = manifest_naming(json.load(f), data)
    write_atomically(os.path.join(args.out, "mirror", MIRROR_PATH), data)
    write_atomically(os.path.join(args.out, "data", "manifest.json"), (json.dumps(manifest, indent=2) + "\n").encode())
    print(f"reorder-ml1m-mirror: order seed {args.order_seed}, sha256 {hashlib.sha256(data).hexdigest()} → "
          f"CIESS_DATA_DIR={args.out}/data DATA_MIRROR={args.out}/mirror")


if __name__ == "__main__":
    main()
