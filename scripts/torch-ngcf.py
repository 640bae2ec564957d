#!/usr/bin/env python3
"""Independent PyTorch (autograd) training of NGCF on a split exported by `ciess data split`.

Written from the method description (docs/method.md §2.0, §2.2, §2.4, §4; README "Backbones"), not from the Swift
code: does an autograd NGCF, trained on the *same* TRAIN/VAL/TEST files under P-code (train on TRAIN ∪ VAL,
graph rebuilt on it; full ranking of TEST with TRAIN ∪ VAL excluded), reach the same TEST metrics per chunk
as `ciess train --backbone ngcf --protocol code`? Its random streams differ from ciess's, so agreement is
expected within seed noise, not bit for bit.

Model (docs/method.md §2.2):
  Â = D^-1 (A + I), A = [[0, R], [Rᵀ, 0]] on TRAIN ∪ VAL (self loops, then row normalisation).
  X⁰ = [E_user; E_item] ⊙ m (m = the 0/1 prefix mask of --sizes, applied at full width 128).
  For l = 0, 1, 2:  S = Â′ X^l,  X^{l+1} = Dropout_0.1(LeakyReLU_0.2(S W_gc + b_gc + (X^l ⊙ S) W_bi + b_bi)).
  F = [X⁰ | normalize(X¹) | normalize(X²) | normalize(X³)] (512 columns, row-wise L2); the un-normalised
  X^{l+1} feeds the next layer. Score = ⟨F_u, F_v⟩.
  Â′ = node dropout: each stored non-zero of Â kept with probability 0.9 and scaled by 1/0.9, redrawn every
  batch; message dropout = torch.nn.Dropout(0.1). Both only in train(); evaluation runs in eval() without
  either (decision D31).
  Loss: mean softplus(ŷ_uj − ŷ_ui) + 1e-3 · Σ_b (‖F_u‖² + ‖F_i‖² + ‖F_j‖²) / B.
  Adam (0.9, 0.999, 1e-8, no weight decay), lr 0.03 × 0.9 every 100 batches, floor 1e-3; B = 10 000.
  Init: torch.nn.init.xavier_uniform_ on the user table (U × 128), the item table (I × 128), every W (128 × 128)
  and every bias (1 × 128).

Points docs/method.md left open and where they were resolved (the Swift sources were read for these only):
  * Degree of D^-1(A + I): the row sum of A + I, i.e. interaction degree + 1 (NGCF.swift header: "D = degree
    + 1"); no 1e-9 needed since every row has its self loop.
  * Node dropout covers the self-loop entries too ("each stored entry of L (self loops included)", NGCF.swift
    header); docs/method.md §2.2's "each non-zero of Â" says the same.
  * Message dropout is inverted dropout (kept values × 1/0.9, "δ ⊙ LeakyReLU(Z)/(1−p)", NGCF.swift) and the
    *dropped-out* X^{l+1} is both the next layer's input and what gets normalised — torch.nn.Dropout's
    semantics, as in the original NGCF.
  * Row normalisation divides by max(‖x‖, 1e-12) (NGCF.swift header) — exactly torch.nn.functional.normalize.
  * Regulariser: summed per triple (a user drawn twice counts twice), on all 512 columns of F, divided by B,
    no ½ (docs/method.md §2.0/§2.2; NGCFLayerKernels.regularize weights each node by its count in the batch).
  * Adam: β 0.9/0.999, ε 1e-8, dense over every tensor (Linalg/Adam.swift: "as torch.optim.Adam computes it";
    NGCF.swift updates every row of E, masked columns having zero gradient and thus zero moments and zero
    steps). The schedule: StepDecaySchedule(lrMax 0.03, lrMin 1e-3, every 100), decay applied per 100
    completed batches then floored (Linalg/StepDecaySchedule.swift).
  * Bias init: xavier_uniform_ of a 1 × 128 tensor, bound √(6/129) (docs/method.md §2.2; NGCF.swift init, same bound).
  * Sampler: only users with ≥ 1 training item and not every item are drawn; with ≥ B of them a uniform
    subset without replacement (BPRSampler.swift) — see torch_common.Sampler.
  * Propagation in training covers all nodes every batch (ciess computes layer 3 only for the batch's nodes —
    an optimisation with the same result, since layer 3 feeds only F).

Usage: torch-ngcf.py --split DIR [--chunks 3] [--chunk-batches 3000] [--batch-size 10000] [--seed 1]
                     [--threads 2] [--sizes full|equal:D] | --self-check
Output: a progress line per chunk on stderr, one JSON object per chunk on stdout (keys as torch-lightgcn.py).
"""
import os
import sys

sys.dont_write_bytecode = True  # no scripts/__pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import torch_common as common  # noqa: E402

SCHEDULE = (0.03, 1e-3, 100)  # lr_max, lr_min, decay every (docs/method.md §2.4)
REG = 1e-3
LAYERS = 3
NODE_DROPOUT = 0.1
MESSAGE_DROPOUT = 0.1


class Graph:
    """Â = D^-1 (A + I) in CSR, and Âᵀ in CSR with a permutation mapping Â's value order to Âᵀ's, so one keep
    mask per batch serves the forward (Â′X) and the backward (Â′ᵀ dY)."""

    def __init__(self, pairs, n_users, n_items):
        pairs = common.unique_pairs(pairs, n_items)
        n = n_users + n_items
        loops = np.arange(n)
        rows = np.concatenate([pairs[:, 0], pairs[:, 1] + n_users, loops])
        cols = np.concatenate([pairs[:, 1] + n_users, pairs[:, 0], loops])
        degree = np.bincount(rows, minlength=n).astype(np.float64)  # row sums of A + I
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
        self.n = n
        self.values = torch.from_numpy((1.0 / degree[rows]).astype(np.float32))
        self.crow = torch.from_numpy(np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]))
        self.col = torch.from_numpy(cols)
        t_order = np.lexsort((rows, cols))  # Âᵀ: entries sorted by (col, row)
        self.t_perm = torch.from_numpy(t_order)
        self.t_crow = torch.from_numpy(np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=n))]))
        self.t_col = torch.from_numpy(rows[t_order])

    def matrices(self, node_dropout):
        values = self.values
        if node_dropout:
            keep = torch.rand(values.shape[0]) >= NODE_DROPOUT
            values = values * keep / (1 - NODE_DROPOUT)
        a = torch.sparse_csr_tensor(self.crow, self.col, values, (self.n, self.n))
        a_t = torch.sparse_csr_tensor(self.t_crow, self.t_col, values[self.t_perm], (self.n, self.n))
        return a, a_t

    def dense(self):
        a, _ = self.matrices(False)
        return a.to_dense()


class SpMM(torch.autograd.Function):
    """Y = Â′X with dX = Â′ᵀ dY (Â′ is a constant: no gradient)."""

    @staticmethod
    def forward(ctx, a, a_t, x):
        ctx.a_t = a_t
        return torch.sparse.mm(a, x)

    @staticmethod
    def backward(ctx, grad):
        return None, None, torch.sparse.mm(ctx.a_t, grad)


class NGCF(torch.nn.Module):
    def __init__(self, n_users, n_items, graph, width, dim=common.DIM, layers=LAYERS):
        super().__init__()
        self.n_users, self.graph = n_users, graph

        def xavier(*shape):
            return torch.nn.Parameter(torch.nn.init.xavier_uniform_(torch.empty(*shape)))

        self.user = xavier(n_users, dim)
        self.item = xavier(n_items, dim)
        self.w_gc = torch.nn.ParameterList([xavier(dim, dim) for _ in range(layers)])
        self.b_gc = torch.nn.ParameterList([xavier(1, dim) for _ in range(layers)])
        self.w_bi = torch.nn.ParameterList([xavier(dim, dim) for _ in range(layers)])
        self.b_bi = torch.nn.ParameterList([xavier(1, dim) for _ in range(layers)])
        self.message_dropout = torch.nn.Dropout(MESSAGE_DROPOUT)
        self.register_buffer("mask", common.column_mask(width, dim))

    def layer0(self):
        return torch.cat([self.user * self.mask, self.item * self.mask])

    def propagate(self):
        a, a_t = self.graph.matrices(node_dropout=self.training)
        x = self.layer0()
        blocks = [x]
        for w_gc, b_gc, w_bi, b_bi in zip(self.w_gc, self.b_gc, self.w_bi, self.b_bi):
            s = SpMM.apply(a, a_t, x)
            x = F.leaky_relu(s @ w_gc + b_gc + (x * s) @ w_bi + b_bi, negative_slope=0.2)
            x = self.message_dropout(x)
            blocks.append(F.normalize(x, p=2, dim=1))
        final = torch.cat(blocks, dim=1)
        return final[: self.n_users], final[self.n_users:]

    def bpr_loss(self, u, i, j):
        users, items = self.propagate()
        fu, fi, fj = users[u], items[i], items[j]
        data = F.softplus((fu * fj).sum(1) - (fu * fi).sum(1)).mean()
        reg = (fu.pow(2).sum() + fi.pow(2).sum() + fj.pow(2).sum()) / len(u)
        return data + REG * reg

    def scorer(self):
        users, items = self.propagate()
        return lambda rows: users[rows] @ items.T


def build(training, n_users, n_items, width):
    return NGCF(n_users, n_items, Graph(training, n_users, n_items), width)


def self_check():
    torch.set_num_threads(1)
    torch.manual_seed(3)
    print("torch-ngcf self-check")
    common.check_metrics()
    train, test, U, I = common.toy_split()
    rng = np.random.default_rng(3)

    # graph: rows of D^-1(A+I) sum to 1, self loops present, Âᵀ is the transpose
    graph = Graph(train, U, I)
    dense = graph.dense()
    assert torch.allclose(dense.sum(1), torch.ones(U + I)) and bool((torch.diagonal(dense) > 0).all())
    a, a_t = graph.matrices(node_dropout=True)
    assert torch.equal(a.to_dense().T, a_t.to_dense()), "Âᵀ does not carry Â's dropout"
    print("  graph: D^-1(A+I) rows sum to 1, self loops present, dropped Âᵀ = (dropped Â)ᵀ: ok")

    # the custom SpMM backward equals autograd through a dense product
    x = torch.randn(U + I, 8, requires_grad=True)
    g = torch.randn(U + I, 8)
    (SpMM.apply(a, a_t, x) * g).sum().backward()
    x2 = x.detach().clone().requires_grad_(True)
    (a.to_dense() @ x2 * g).sum().backward()
    assert torch.allclose(x.grad, x2.grad, atol=1e-6)
    print("  SpMM backward = dense autograd: ok")

    # (a) evaluation deterministic (no dropout), training forward stochastic
    model = build(train, U, I, common.DIM)
    sampler = common.Sampler(train, U, I, rng)
    common.train_steps(model, sampler, 5, 32)
    model.eval()
    with torch.no_grad():
        s1 = model.scorer()(torch.arange(U))
        s2 = model.scorer()(torch.arange(U))
        m1 = common.evaluate(model, train, test, U, I)
        m2 = common.evaluate(model, train, test, U, I)
        model.train()
        t1 = torch.cat(model.propagate(), 0)
        t2 = torch.cat(model.propagate(), 0)
    assert torch.equal(s1, s2) and m1 == m2, "evaluation is not deterministic (dropout left on?)"
    assert not torch.equal(t1, t2), "training forward is deterministic (dropout missing?)"
    print(f"  (a) eval scores identical over two calls, training forward differs (dropout on): ok  "
          f"toy AVG {m1['avg']:.4f}")

    # (b) mask: columns ≥ D of both tables get exactly zero gradient and never move; layer 0 is zero there
    D = 5
    model = build(train, U, I, D)
    init_user, init_item = model.user.detach().clone(), model.item.detach().clone()

    def masked_gradients_are_zero():
        assert model.user.grad[:, D:].abs().max() == 0 and model.item.grad[:, D:].abs().max() == 0
        assert model.user.grad[:, :D].abs().max() > 0

    common.train_steps(model, sampler, 10, 32, masked_gradients_are_zero)
    assert torch.equal(model.user[:, D:], init_user[:, D:]) and torch.equal(model.item[:, D:], init_item[:, D:])
    assert not torch.equal(model.user[:, :D], init_user[:, :D])
    model.eval()
    with torch.no_grad():
        fu, fv = model.propagate()
    assert fu[:, D:common.DIM].abs().max() == 0 and fv[:, D:common.DIM].abs().max() == 0
    assert model.layer0()[:, D:].abs().max() == 0
    with torch.no_grad():  # the masked columns' values do not matter: scramble them, the scores stay the same
        before = model.scorer()(torch.arange(U))
        model.user[:, D:] = torch.randn_like(model.user[:, D:])
        model.item[:, D:] = torch.randn_like(model.item[:, D:])
        after = model.scorer()(torch.arange(U))
    assert torch.equal(before, after)
    print(f"  (b) equal:{D}: masked columns get zero gradient, keep their init, are zero in layer 0 and F's "
          f"first block, do not affect scores: ok")

    common.check_toy_loss_decreases(build(train, U, I, common.DIM), sampler)
    print("self-check passed")


def main():
    common.main("torch-ngcf", __doc__, build, SCHEDULE, self_check)


if __name__ == "__main__":
    main()
