#!/usr/bin/env python3
"""Independent PyTorch (autograd) training of full-size LightGCN on a split exported by `ciess data split`.

It answers one question: does an autograd implementation of the same model and protocol (docs/method.md §2.0/§2.1,
§4.2/§4.3: full-size 128-wide tables, N(0, 0.01²) init, Â = D^-1/2 A D^-1/2, mean of 4 layers, BPR with 1e-4 L2
on the batch's layer-0 rows / B, Adam 0.03 ×0.9 every 200 batches floor 1e-3, B = 10 000 users drawn with
replacement, a uniform positive, a uniform negative outside the user's training items), trained
on the *same* TRAIN/VAL/TEST files under P-code (train on TRAIN ∪ VAL, full ranking of TEST with TRAIN ∪ VAL
excluded), reach the same TEST metrics per chunk as `ciess train`? Its random streams differ from ciess's, so
agreement is expected within seed noise, not bit for bit. `make crosscheck-torch` runs it.

Usage: torch-lightgcn.py --split DIR [--chunks 3] [--chunk-batches 3000] [--seed 1] [--threads 2]
Output: a progress line per chunk on stderr, one JSON object per chunk on stdout.
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import torch


from torch_common import load_split  # the same reader as the NGCF and NeuMF references


def normalized_adjacency(pairs, n_users, n_items):
    """Â = D^{-1/2} A D^{-1/2}, A = [[0, R], [Rᵀ, 0]], degree + 1e-9 (docs/method.md §2.1)."""
    n = n_users + n_items
    rows = np.concatenate([pairs[:, 0], pairs[:, 1] + n_users])
    cols = np.concatenate([pairs[:, 1] + n_users, pairs[:, 0]])
    degree = np.bincount(rows, minlength=n).astype(np.float64) + 1e-9
    d = degree ** -0.5
    values = (d[rows] * d[cols]).astype(np.float32)
    index = torch.from_numpy(np.stack([rows, cols]))
    return torch.sparse_coo_tensor(index, torch.from_numpy(values), (n, n)).coalesce().to_sparse_csr()


class SymmetricSpMM(torch.autograd.Function):
    """Y = Â X for a symmetric CSR Â; the backward is Âᵀ dY = Â dY, so no transpose is ever built."""

    @staticmethod
    def forward(ctx, adjacency, x):
        ctx.adjacency = adjacency
        return torch.sparse.mm(adjacency, x)

    @staticmethod
    def backward(ctx, grad):
        return None, torch.sparse.mm(ctx.adjacency, grad)


class LightGCN(torch.nn.Module):
    def __init__(self, n_users, n_items, adjacency, dim=128, layers=3):
        super().__init__()
        self.n_users, self.layers, self.adjacency = n_users, layers, adjacency
        self.user = torch.nn.Parameter(torch.randn(n_users, dim) * 0.01)
        self.item = torch.nn.Parameter(torch.randn(n_items, dim) * 0.01)

    def propagate(self):
        x = torch.cat([self.user, self.item])
        total = x
        for _ in range(self.layers):
            x = SymmetricSpMM.apply(self.adjacency, x)
            total = total + x
        final = total / (self.layers + 1)
        return final[: self.n_users], final[self.n_users:]

    def bpr_loss(self, u, i, j, reg=1e-4):
        users, items = self.propagate()
        pos = (users[u] * items[i]).sum(1)
        neg = (users[u] * items[j]).sum(1)
        data = torch.nn.functional.softplus(neg - pos).mean()
        l2 = (self.user[u].pow(2).sum() + self.item[i].pow(2).sum() + self.item[j].pow(2).sum()) / len(u)
        return data + reg * l2


class Sampler:
    """B users i.i.d. uniform (U < B), a uniform positive, a uniform negative redrawn while in TRAIN (docs/method.md §2.0)."""

    def __init__(self, pairs, n_users, n_items, rng):
        self.n_users, self.n_items, self.rng = n_users, n_items, rng
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))
        self.items = pairs[order, 1]
        counts = np.bincount(pairs[:, 0], minlength=n_users)
        self.start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.count = counts
        self.seen = np.zeros((n_users, n_items), dtype=bool)
        self.seen[pairs[:, 0], pairs[:, 1]] = True

    def batch(self, size):
        u = self.rng.integers(0, self.n_users, size)
        i = self.items[self.start[u] + (self.rng.random(size) * self.count[u]).astype(np.int64)]
        j = self.rng.integers(0, self.n_items, size)
        bad = self.seen[u, j]
        while bad.any():
            j[bad] = self.rng.integers(0, self.n_items, int(bad.sum()))
            bad = self.seen[u, j]
        return torch.from_numpy(u), torch.from_numpy(i), torch.from_numpy(j)


def evaluate(model, excluded, target, n_users, n_items):
    """Full ranking with exclusions; Recall/NDCG@{5,10,20} as docs/method.md §4.3, means over all users (float64)."""
    with torch.no_grad():
        users, items = model.propagate()
        scores = users @ items.T
        scores[torch.from_numpy(excluded[:, 0]), torch.from_numpy(excluded[:, 1])] = -math.inf
        top = torch.topk(scores, 20, dim=1).indices.numpy()
    relevant = np.zeros((n_users, n_items), dtype=bool)
    relevant[target[:, 0], target[:, 1]] = True
    positives = relevant.sum(1)
    hits = np.take_along_axis(relevant, top, axis=1).astype(np.float64)
    discount = 1.0 / np.log2(np.arange(2, 22))
    result = {}
    for k in (5, 10, 20):
        recall = hits[:, :k].sum(1) / np.maximum(positives, 1)
        dcg = (hits[:, :k] * discount[:k]).sum(1)
        ideal = np.array([discount[: min(k, p)].sum() for p in positives])
        ndcg = np.where(positives > 0, dcg / np.where(ideal > 0, ideal, 1), 0.0)
        result[f"recall{k}"], result[f"ndcg{k}"] = recall.mean(), ndcg.mean()
    result["avg"] = float(np.mean([result[key] for key in sorted(result)]))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", required=True)
    parser.add_argument("--chunks", type=int, default=3)
    parser.add_argument("--chunk-batches", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    split, n_users, n_items = load_split(args.split)
    training = np.concatenate([split["train"], split["valid"]])  # P-code: TRAIN ∪ VAL, graph rebuilt on it
    model = LightGCN(n_users, n_items, normalized_adjacency(training, n_users, n_items))
    sampler = Sampler(training, n_users, n_items, rng)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    print(f"torch-lightgcn: {n_users} users, {n_items} items, {len(training)} training pairs, "
          f"{len(split['test'])} TEST pairs, torch {torch.__version__}", file=sys.stderr)

    step = 0
    for chunk in range(1, args.chunks + 1):
        started, losses = time.time(), []
        for _ in range(args.chunk_batches):
            loss = model.bpr_loss(*sampler.batch(args.batch_size))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            step += 1
            if step % 200 == 0:  # lr ← max(1e-3, 0.9 lr) every 200 batches (docs/method.md §2.1)
                for group in optimizer.param_groups:
                    group["lr"] = max(1e-3, 0.9 * group["lr"])
        metrics = evaluate(model, training, split["test"], n_users, n_items)
        record = {"chunk": chunk, "batches": step, "mean_loss": float(np.mean(losses)),
                  "last_loss": losses[-1], "seconds": time.time() - started, **metrics}
        print(f"chunk {chunk}  loss {record['last_loss']:.5f}  TEST AVG {metrics['avg']:.5f} "
              f"R@20 {metrics['recall20']:.4f} N@20 {metrics['ndcg20']:.4f} R@5 {metrics['recall5']:.4f} "
              f"N@5 {metrics['ndcg5']:.4f}  ({record['seconds']:.0f} s)", file=sys.stderr, flush=True)
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
