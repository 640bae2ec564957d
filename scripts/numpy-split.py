#!/usr/bin/env python3
"""Rebuild the 50/25/25 per-user split with NumPy itself and write it as `ciess data split` does.

An independent check of `Sources/RecData/StratifiedSplit.swift`: the authors' procedure is, per user in
ascending raw id, the user's rows in file order permuted by `numpy.random.RandomState(42).permutation(n)`,
cut at round-half-even(0.5 n) and round-half-even(0.75 n) into TRAIN / VAL / TEST. Run on the same input
file, the three TSVs written here must be byte-identical to those of `ciess data split` (`make
crosscheck-split` compares them with cmp).

    numpy-split.py --ml-1m FILE --out DIR              # ratings.dat (4 fields) or the mirror's 2-field pairs
    numpy-split.py --yelp2018 TRAIN TEST --out DIR     # LightGCN adjacency lists, train then test
    numpy-split.py ... --order-seed S                  # first restore a random within-user order (below)

`--order-seed S` is the manifest's `withinUserOrder: "lost"` path: a file whose within-user row order is lost
(the mirror's sorted ML-1M file, or Yelp2018's rebuilt, sorted TRAIN file; never TEST) first has every user's rows
permuted among the positions they occupy, users in ascending raw id, by consecutive permutations of one
`RandomState(S)`; then the split runs as above. Without it the file is split exactly as it comes.
"""
import argparse
import os
import sys

import numpy as np


def fail(path, line_number, expected):
    sys.exit(f"{path}:{line_number}: {expected}")


def read_movielens_pairs(path):
    """(UserID, MovieID) rows in file order."""
    pairs = []
    with open(path, encoding="latin-1") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("::")
            if len(fields) not in (2, 4) or not all(field.isdigit() for field in fields[:2]):
                fail(path, number, "expected 'UserID::MovieID' or 'UserID::MovieID::Rating::Timestamp'")
            pairs.append((int(fields[0]), int(fields[1])))
    return pairs


def read_adjacency_pairs(path):
    """(user, item) rows of a LightGCN adjacency list in file order: lines in turn, items within a line in turn."""
    pairs = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if not fields or not all(field.isdigit() for field in fields):
                fail(path, number, "expected 'user item item …' (non-negative integers)")
            pairs += [(int(fields[0]), int(item)) for item in fields[1:]]
    return pairs


def restore_order(pairs, order_seed):
    """Each user's rows permuted among the positions they occupy; users in ascending raw id draw consecutive
    permutations of one RandomState(order_seed) (the harness's `WithinUserOrder.restore`)."""
    positions = {}
    for index, (user, _) in enumerate(pairs):
        positions.setdefault(user, []).append(index)
    stream = np.random.RandomState(order_seed)
    restored = list(pairs)
    for user in sorted(positions):
        where = positions[user]
        for k, source in enumerate(stream.permutation(len(where))):
            restored[where[k]] = pairs[where[source]]
    return restored


def group(pairs, exclude=()):
    """User → items in row order; excluded pairs and repeats (after the first) dropped."""
    rows, seen = {}, set(exclude)
    for user, item in pairs:
        if (user, item) not in seen:
            seen.add((user, item))
            rows.setdefault(user, []).append(item)
    return rows


def read_movielens(path, order_seed=None):
    """User → MovieIDs in split order; the rating (1, 1193) is excluded as the authors' reader drops it."""
    pairs = read_movielens_pairs(path)
    return group(restore_order(pairs, order_seed) if order_seed is not None else pairs, exclude=[(1, 1193)])


def read_adjacency_lists(train, test, order_seed=None):
    """User → items over TRAIN then TEST in split order, repeats dropped; `order_seed` restores TRAIN's order."""
    pairs = read_adjacency_pairs(train)
    if order_seed is not None:
        pairs = restore_order(pairs, order_seed)
    return group(pairs + read_adjacency_pairs(test))


def split(rows):
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
    if args.ml_1m:
        rows = read_movielens(args.ml_1m, args.order_seed)
    else:
        rows = read_adjacency_lists(*args.yelp2018, order_seed=args.order_seed)
    parts = split(rows)
    os.makedirs(args.out, exist_ok=True)
    for name, pairs in parts.items():
        write_atomically(os.path.join(args.out, f"{name}.tsv"), pairs)
    counts = ", ".join(f"{name} {len(pairs)}" for name, pairs in parts.items())
    print(f"numpy-split: {len(rows)} users; {counts} → {args.out}")


if __name__ == "__main__":
    main()
