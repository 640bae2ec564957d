"""Shared plumbing of the independent PyTorch references (torch-ngcf.py, torch-neumf.py).

Nothing in here knows a backbone: reading a split exported by `ciess data split`, the BPR sampler of
docs/method.md §2.0, the step-decay learning rate, full-ranking evaluation with Recall/NDCG@{5,10,20} as specs
§4.2/§4.3 (in float64), the `--sizes` prefix mask, the command line and the chunk loop (one JSON object
per chunk on stdout, the same keys as scripts/torch-lightgcn.py), and the metric hand check of §4.6.

Each backbone script supplies a `torch.nn.Module` with
    bpr_loss(u, i, j) -> scalar tensor (data term + regulariser), called in train() mode,
    scorer() -> a function users -> float tensor (len(users) × I) of scores; called once per evaluation,
        in eval() mode under no_grad (so a GNN propagates once per evaluation),
and a schedule (lr_max, lr_min, every).
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import torch

DIM = 128  # d_max (docs/method.md Conventions; fixed width, decision D33)
KS = (5, 10, 20)


# ---------------------------------------------------------------------------------------------- data

def read_pairs(path):
    pairs = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 2 or not all(field.isdigit() for field in fields):
                sys.exit(f"{path}:{number}: expected 'user<TAB>item' (non-negative integers)")
            pairs.append((int(fields[0]), int(fields[1])))
    return pairs


def load_split(directory):
    """Users re-indexed by ascending raw id, items by first appearance in TRAIN, VAL, TEST (docs/method.md §4.1)."""
    parts = {name: read_pairs(f"{directory}/{name}.tsv") for name in ("train", "valid", "test")}
    if not all(parts.values()):
        sys.exit(f"{directory}: train.tsv, valid.tsv and test.tsv must each hold at least one pair")
    users = sorted({u for part in parts.values() for u, _ in part})
    user_index = {u: k for k, u in enumerate(users)}
    item_index = {}
    for name in ("train", "valid", "test"):
        for _, i in parts[name]:
            item_index.setdefault(i, len(item_index))
    indexed = {
        name: np.array([(user_index[u], item_index[i]) for u, i in part], dtype=np.int64).reshape(-1, 2)
        for name, part in parts.items()
    }
    return indexed, len(users), len(item_index)


def unique_pairs(pairs, n_items):
    keys = np.unique(pairs[:, 0] * n_items + pairs[:, 1])
    return np.stack([keys // n_items, keys % n_items], axis=1)


# ---------------------------------------------------------------------------------------------- mask

def parse_sizes(text):
    """`full` → every entity uses all 128 columns; `equal:D` → the first D columns (1 ≤ D ≤ 128)."""
    if text == "full":
        return DIM
    if text.startswith("equal:") and text[6:].isdigit() and 1 <= int(text[6:]) <= DIM:
        return int(text[6:])
    raise argparse.ArgumentTypeError(f"--sizes: expected full or equal:D with 1 ≤ D ≤ {DIM}, got {text!r}")


def column_mask(width, dim=DIM):
    """The 0/1 prefix mask row m (docs/method.md Conventions: m_s = 1 iff s ≤ d); one row shared by all entities."""
    mask = torch.zeros(1, dim)
    mask[0, :width] = 1.0
    return mask


# ---------------------------------------------------------------------------------------------- sampler

class Sampler:
    """One BPR batch (docs/method.md §2.0; eligibility and the U ≥ B branch as Sources/Recommenders/BPRSampler.swift).

    Users: only users with ≥ 1 training item and not every item are eligible. Fewer eligible users than
    B → B i.i.d. uniform draws with replacement; otherwise a uniform subset of B distinct users.
    Positive: uniform over the user's training items. Negative: uniform over all items, redrawn while
    it is one of the user's training items. Its own NumPy stream, so it shares nothing with ciess.
    """

    def __init__(self, pairs, n_users, n_items, rng):
        pairs = unique_pairs(pairs, n_items)
        self.n_items, self.rng = n_items, rng
        self.items = pairs[:, 1]  # sorted by (user, item)
        self.count = np.bincount(pairs[:, 0], minlength=n_users)
        self.start = np.concatenate([[0], np.cumsum(self.count)[:-1]])
        self.keys = pairs[:, 0] * n_items + pairs[:, 1]  # sorted
        self.eligible = np.flatnonzero((self.count >= 1) & (self.count < n_items))

    def _seen(self, u, j):
        keys = u * self.n_items + j
        pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return self.keys[pos] == keys

    def batch(self, size):
        if len(self.eligible) < size:
            u = self.eligible[self.rng.integers(0, len(self.eligible), size)]
        else:
            u = self.rng.choice(self.eligible, size, replace=False)
        i = self.items[self.start[u] + (self.rng.random(size) * self.count[u]).astype(np.int64)]
        j = self.rng.integers(0, self.n_items, size)
        bad = self._seen(u, j)
        while bad.any():
            j[bad] = self.rng.integers(0, self.n_items, int(bad.sum()))
            bad = self._seen(u, j)
        return torch.from_numpy(u), torch.from_numpy(i), torch.from_numpy(j)


# ---------------------------------------------------------------------------------------------- schedule

class StepDecay:
    """lr ← max(lr_min, 0.9·lr) after every `every` batches, starting at lr_max (docs/method.md §2.0, §2.4)."""

    def __init__(self, optimizer, lr_max, lr_min, every):
        self.optimizer, self.lr_min, self.every, self.steps = optimizer, lr_min, every, 0
        for group in optimizer.param_groups:
            group["lr"] = lr_max

    def step(self):
        self.steps += 1
        if self.steps % self.every == 0:
            for group in self.optimizer.param_groups:
                group["lr"] = max(self.lr_min, 0.9 * group["lr"])


# ---------------------------------------------------------------------------------------------- evaluation

def _by_user(pairs, n_users):
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    items = pairs[order, 1]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(pairs[:, 0], minlength=n_users))])
    return items, offsets


def metrics_from_hits(hits, positives):
    """hits: U × 20 (0/1, rank order), positives: |P_u| per user → mean Recall/NDCG@{5,10,20} and AVG (docs/method.md §4.3).

    Recall@k = hits@k / max(|P_u|, 1); DCG@k = Σ rel_r / log2(r+1); IDCG@k over min(k, |P_u|) ranks;
    NDCG = 0 when |P_u| = 0. Everything float64; means over all users.
    """
    hits = np.asarray(hits, dtype=np.float64)
    positives = np.asarray(positives, dtype=np.int64)
    discount = 1.0 / np.log2(np.arange(2, hits.shape[1] + 2, dtype=np.float64))
    ideal_cum = np.concatenate([[0.0], np.cumsum(discount)])
    result = {}
    for k in KS:
        recall = hits[:, :k].sum(1) / np.maximum(positives, 1)
        dcg = (hits[:, :k] * discount[:k]).sum(1)
        idcg = ideal_cum[np.minimum(positives, k)]
        ndcg = np.where(positives > 0, dcg / np.where(idcg > 0, idcg, 1.0), 0.0)
        result[f"recall{k}"], result[f"ndcg{k}"] = float(recall.mean()), float(ndcg.mean())
    result["avg"] = float(np.mean([result[key] for key in sorted(result)]))
    return result


def evaluate(model, excluded, target, n_users, n_items, user_chunk=512):
    """Full ranking of all items per user (docs/method.md §4.2): excluded items scored −inf, stable descending sort
    (ties → ascending item index), top 20; metrics of `metrics_from_hits`. The model is put in eval mode."""
    was_training = model.training
    model.eval()
    excl_items, excl_off = _by_user(excluded, n_users)
    tgt_items, tgt_off = _by_user(target, n_users)
    positives = np.diff(tgt_off)
    hits = np.zeros((n_users, 20), dtype=np.float64)
    depth = min(20, n_items)
    with torch.no_grad():
        score_rows = model.scorer()
        for start in range(0, n_users, user_chunk):
            stop = min(n_users, start + user_chunk)
            scores = score_rows(torch.arange(start, stop)).clone()
            rows = np.repeat(np.arange(stop - start), np.diff(excl_off[start:stop + 1]))
            scores[torch.from_numpy(rows), torch.from_numpy(excl_items[excl_off[start]:excl_off[stop]])] = -math.inf
            top = torch.sort(scores, dim=1, descending=True, stable=True).indices[:, :depth].numpy()
            relevant = np.zeros((stop - start, n_items), dtype=bool)
            rows = np.repeat(np.arange(stop - start), np.diff(tgt_off[start:stop + 1]))
            relevant[rows, tgt_items[tgt_off[start]:tgt_off[stop]]] = True
            hits[start:stop, :depth] = np.take_along_axis(relevant, top, axis=1)
    model.train(was_training)
    return metrics_from_hits(hits, positives)


class _FixedScores(torch.nn.Module):
    def __init__(self, scores):
        super().__init__()
        self.scores = scores

    def scorer(self):
        return lambda users: self.scores[users]


def check_metrics():
    """docs/method.md §4.6 hand example through the real evaluation path, plus ties and exclusion."""
    expected_r5 = 2 / 3
    expected_n5 = (1 + 1 / math.log2(5)) / (1 + 1 / math.log2(3) + 1 / math.log2(4))
    # (1) distinct scores: item k ranked k+1; P_u = {0, 3, 7} → hits at ranks 1, 4 (and 8).
    scores = torch.arange(30, 0, -1, dtype=torch.float32).reshape(1, 30)
    m = evaluate(_FixedScores(scores), np.zeros((0, 2), np.int64), np.array([[0, 0], [0, 3], [0, 7]]), 1, 30)
    assert abs(m["recall5"] - expected_r5) < 1e-15 and abs(m["ndcg5"] - expected_n5) < 1e-15, m
    assert m["recall10"] == 1.0 and m["recall20"] == 1.0, m
    # (2) all scores tied → ascending item index; item 2 excluded, so item 4 is at rank 4; P_u = {0, 4, 25}.
    scores = torch.zeros(1, 30)
    m2 = evaluate(_FixedScores(scores), np.array([[0, 2]]), np.array([[0, 0], [0, 4], [0, 25]]), 1, 30)
    assert abs(m2["recall5"] - expected_r5) < 1e-15 and abs(m2["ndcg5"] - expected_n5) < 1e-15, m2
    assert abs(m2["recall20"] - expected_r5) < 1e-15, m2
    # (3) a user with no positives scores 0 everywhere and still counts in the mean.
    m3 = evaluate(_FixedScores(torch.zeros(2, 30)), np.array([[0, 2]]), np.array([[0, 0], [0, 4], [0, 25]]), 2, 30)
    assert abs(m3["recall5"] - expected_r5 / 2) < 1e-15 and abs(m3["ndcg5"] - expected_n5 / 2) < 1e-15, m3
    print(f"  metrics: R@5 = {m['recall5']:.12f} (2/3), N@5 = {m['ndcg5']:.12f} "
          f"(expected {expected_n5:.12f}); ties by ascending index, exclusion, empty P_u: ok")


def toy_split(seed=7, n_users=12, n_items=15, per_user=4):
    """A tiny random interaction set (train, test), every user with `per_user` train and 2 test items."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for u in range(n_users):
        items = rng.permutation(n_items)[: per_user + 2]
        train += [(u, i) for i in items[:per_user]]
        test += [(u, i) for i in items[per_user:]]
    return np.array(train, np.int64), np.array(test, np.int64), n_users, n_items


# ---------------------------------------------------------------------------------------------- driver

def parser(doc):
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--split", help="directory with train.tsv, valid.tsv, test.tsv (ciess data split)")
    p.add_argument("--chunks", type=int, default=3)
    p.add_argument("--chunk-batches", type=int, default=3000)
    p.add_argument("--batch-size", type=int, default=10000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--sizes", type=parse_sizes, default=DIM, metavar="full|equal:D",
                   help="prefix mask: every user and item uses its first D of 128 columns (default full)")
    p.add_argument("--self-check", action="store_true", help="run the built-in checks on a toy graph and exit")
    return p


def run(name, args, build_model, schedule):
    """P-code: train on TRAIN ∪ VAL (graph rebuilt on it), evaluate TEST with TRAIN ∪ VAL excluded, per chunk."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    split, n_users, n_items = load_split(args.split)
    training = np.concatenate([split["train"], split["valid"]])
    model = build_model(training, n_users, n_items, args.sizes)
    sampler = Sampler(training, n_users, n_items, rng)
    optimizer = torch.optim.Adam(model.parameters(), lr=schedule[0], betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    decay = StepDecay(optimizer, *schedule)
    print(f"{name}: {n_users} users, {n_items} items, {len(training)} training pairs, {len(split['test'])} TEST "
          f"pairs, sizes {'full' if args.sizes == DIM else f'equal:{args.sizes}'}, torch {torch.__version__}",
          file=sys.stderr)
    step = 0
    for chunk in range(1, args.chunks + 1):
        started, losses = time.time(), []
        model.train()
        for _ in range(args.chunk_batches):
            loss = model.bpr_loss(*sampler.batch(args.batch_size))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            decay.step()
            losses.append(loss.item())
            step += 1
        train_seconds = time.time() - started
        metrics = evaluate(model, training, split["test"], n_users, n_items)
        record = {"chunk": chunk, "batches": step, "mean_loss": float(np.mean(losses)),
                  "last_loss": losses[-1], "seconds": time.time() - started, **metrics}
        print(f"chunk {chunk}  loss {record['last_loss']:.5f}  TEST AVG {metrics['avg']:.5f} "
              f"R@20 {metrics['recall20']:.4f} N@20 {metrics['ndcg20']:.4f} R@5 {metrics['recall5']:.4f} "
              f"N@5 {metrics['ndcg5']:.4f}  ({record['seconds']:.1f} s, train {train_seconds:.1f} s)",
              file=sys.stderr, flush=True)
        print(json.dumps(record), flush=True)


def train_steps(model, sampler, steps, batch, after_backward=None):
    """`steps` Adam steps (lr 0.03) in training mode on sampled BPR batches; `after_backward` sees the gradients
    of each step before it is applied. Returns the losses."""
    opt = torch.optim.Adam(model.parameters(), lr=0.03)
    model.train()
    losses = []
    for _ in range(steps):
        loss = model.bpr_loss(*sampler.batch(batch))
        opt.zero_grad()
        loss.backward()
        if after_backward:
            after_backward()
        opt.step()
        losses.append(loss.item())
    return losses


def check_toy_loss_decreases(model, sampler, batches=40, batch=64):
    """Self-check: 40 Adam steps on the toy split lower the mean BPR loss (first 10 batches vs last 10)."""
    losses = train_steps(model, sampler, batches, batch)
    assert np.mean(losses[-10:]) < np.mean(losses[:10]), losses
    print(f"  loss over {batches} toy batches: first-10 mean {np.mean(losses[:10]):.4f} → last-10 mean "
          f"{np.mean(losses[-10:]):.4f}: ok")


def main(name, doc, build_model, schedule, self_check):
    """The command line of a reference script: --self-check, or training on --split."""
    p = parser(doc)
    args = p.parse_args()
    if args.self_check:
        self_check()
        return
    if not args.split:
        p.error("--split is required")
    run(name, args, build_model, schedule)
