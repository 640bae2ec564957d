#!/usr/bin/env python3
"""Rebuild the 50/25/25 per-user split with NumPy itself and write it as `ciess data split` does.

An independent check of `Sources/RecData/StratifiedSplit.swift`: the authors' procedure is, per user in
ascending raw id, the user's rows in file order permuted by `numpy.random.RandomState(42).permutation(n)`,
cut at round-half-even(0.5 n) and round-half-even(0.75 n) into TRAIN / VAL / TEST. Run on the same input
file, the three TSVs written here must be byte-identical to those of `ciess data split` (`make
crosscheck-split` compares them with cmp).

    numpy-split.py --ml-1m FILE --out DIR              # ratings.dat (4 fields) or the mirror's 2-field pairs
    numpy-split.py --yelp2018 TRAIN TEST --out DIR     # LightGCN adjacency lists, train then test
    numpy-split.py ... --order-seed S                  # first shuffle every user's rows with default_rng(S)

`--order-seed` answers "how much would the split's members, and so the metrics, change if the file's
within-user row order were different?" (the mirror's ML-1M file is sorted, the official one is not).
"""
import argparse
import os
import sys

import numpy as np


def fail(path, line_number, expected):
    sys.exit(f"{path}:{line_number}: {expected}")


def read_movielens(path):
    """User → MovieIDs in file order; the rating (1, 1193) is excluded as the authors' reader drops it."""
    rows = {}
    with open(path, encoding="latin-1") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("::")
            if len(fields) not in (2, 4) or not all(field.isdigit() for field in fields[:2]):
                fail(path, number, "expected 'UserID::MovieID' or 'UserID::MovieID::Rating::Timestamp'")
            user, item = int(fields[0]), int(fields[1])
            if (user, item) != (1, 1193):
                rows.setdefault(user, []).append(item)
    return rows


def read_adjacency_lists(paths):
    """User → items in file order over the files in turn, duplicates dropped."""
    rows, seen = {}, set()
    for path in paths:
        with open(path) as f:
            for number, line in enumerate(f, 1):
                fields = line.split()
                if not fields or not all(field.isdigit() for field in fields):
                    fail(path, number, "expected 'user item item …' (non-negative integers)")
                user = int(fields[0])
                items = rows.setdefault(user, [])
                for item in map(int, fields[1:]):
                    if (user, item) not in seen:
                        seen.add((user, item))
                        items.append(item)
    return rows


def reorder_rows(rows, order_seed):
    """Every user's rows (users ascending) permuted by one default_rng(order_seed) stream; the split of the result
    equals `split(rows, order_seed)`, and `reorder-ml1m-mirror.py` writes it as a file."""
    shuffle = np.random.default_rng(order_seed)
    return {user: [rows[user][k] for k in shuffle.permutation(len(rows[user]))] for user in sorted(rows)}


def split(rows, order_seed=None):
    if order_seed is not None:
        rows = reorder_rows(rows, order_seed)
    parts = {"train": [], "valid": [], "test": []}
    for user in sorted(rows):
        items = np.array(rows[user], dtype=np.int64)
        n = len(items)
        permuted = items[np.random.RandomState(42).permutation(n)]
        first, second = int(round(0.5 * n)), int(round(0.75 * n))  # Python's round is half-even
        parts["train"] += [(user, int(i)) for i in permuted[:first]]
        parts["valid"] += [(user, int(i)) for i in permuted[first:second]]
        parts["test"] += [(user, int(i)) for i in permuted[second:]]
    return parts


def write_atomically(path, pairs):
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "w") as f:
        f.writelines(f"{user}\t{item}\n" for user, item in sorted(pairs))
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--ml-1m", metavar="FILE")
    source.add_argument("--yelp2018", nargs=2, metavar=("TRAIN", "TEST"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--order-seed", type=int)
    args = parser.parse_args()
    rows = read_movielens(args.ml_1m) if args.ml_1m else read_adjacency_lists(args.yelp2018)
    parts = split(rows, args.order_seed)
    os.makedirs(args.out, exist_ok=True)
    for name, pairs in parts.items():
        write_atomically(os.path.join(args.out, f"{name}.tsv"), pairs)
    counts = ", ".join(f"{name} {len(pairs)}" for name, pairs in parts.items())
    print(f"numpy-split: {len(rows)} users; {counts} → {args.out}")


if __name__ == "__main__":
    main()
