#!/usr/bin/env python3
"""Independent PyTorch (autograd) training of NeuMF (NCF) on a split exported by `ciess data split`.

Written from the method description (docs/method.md §2.0, §2.3, §2.4, §4; README "Backbones"), not from the Swift
code: does an autograd NeuMF, trained on the *same* TRAIN/VAL/TEST files under P-code (train on TRAIN ∪ VAL;
full ranking of TEST with TRAIN ∪ VAL excluded), reach the same TEST metrics per chunk as
`ciess train --backbone neumf --protocol code`? Its random streams differ from ciess's, so agreement is
expected within seed noise, not bit for bit.

Model (docs/method.md §2.3, decision D30: the same mask on both tables):
  Tables G (GMF) and P (MLP), users and items separate, each × 128, g_n = G_n ⊙ m, p_n = P_n ⊙ m with m the
  0/1 prefix mask of --sizes, applied at full width 128.
  ŷ_uv = Linear(256→1)([ ReLU(Linear(256→128)([p_u ; p_v])) ; g_u ⊙ g_v ]) — the logit, no sigmoid.
  Loss: mean softplus(ŷ_uj − ŷ_ui) + 1e-2 · Σ_b (‖p_u‖² + ‖p_i‖² + ‖p_j‖² + ‖g_u‖² + ‖g_i‖² + ‖g_j‖²) / B.
  Adam (0.9, 0.999, 1e-8, no weight decay), lr 0.03 × 0.9 every 50 batches, floor 1e-4; B = 10 000.
  Init: torch.nn.init.xavier_uniform_ on the four tables; torch.nn.Linear's default for the two layers.
  No dropout anywhere.

Full ranking: the first Linear acts on a concatenation, so W [p_u ; p_v] + b = (W_u p_u + b) + W_v p_v; the
evaluation scorer precomputes both halves once and adds them per (user, item) pair. The self-check verifies
that this scorer equals the pairwise forward used in training.

Points docs/method.md left open and where they were resolved (the Swift sources were read for these only):
  * Xavier fan convention on an n × 128 table: bound √(6/(n+128)) for users (n = U) and items (n = I)
    separately (docs/method.md §2.3 "Xavier-uniform"; NeuMF.swift header) — xavier_uniform_ on (U, 128) and (I, 128).
  * "Default initialisation" of the Linear layers = PyTorch's nn.Linear default, U(±1/√fan_in) for weights
    and biases, fan_in = 256 for both (NeuMF.swift header: "U(±1/√(2d))").
  * Predictor input order is [tower ; gmf] (docs/method.md §2.3 and NeuMF.swift agree).
  * Regulariser: per triple (a user drawn twice counts twice), on the *masked* rows of both tables, divided
    by B, no ½ (docs/method.md §2.3; NeuMF.swift header "Σ_b … / B").
  * Adam: β 0.9/0.999, ε 1e-8, torch's dense semantics — rows absent from a batch get zero gradient but
    their moments decay and they still move (NeuMF.swift header says it reproduces exactly this). Masked
    entries: zero gradient, zero moments, zero step. StepDecaySchedule(0.03, 1e-4, every 50)
    (Linalg/StepDecaySchedule.swift: decay per 50 completed batches, then floored).
  * Sampler: eligible users only (≥ 1 and < I training items); ≥ B eligible users → a uniform subset
    without replacement (BPRSampler.swift) — see torch_common.Sampler.

Usage: torch-neumf.py --split DIR [--chunks 3] [--chunk-batches 3000] [--batch-size 10000] [--seed 1]
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

SCHEDULE = (0.03, 1e-4, 50)  # lr_max, lr_min, decay every (docs/method.md §2.4)
REG = 1e-2


class NeuMF(torch.nn.Module):
    def __init__(self, n_users, n_items, width, dim=common.DIM):
        super().__init__()

        def xavier(*shape):
            return torch.nn.Parameter(torch.nn.init.xavier_uniform_(torch.empty(*shape)))

        self.gmf_user, self.gmf_item = xavier(n_users, dim), xavier(n_items, dim)
        self.mlp_user, self.mlp_item = xavier(n_users, dim), xavier(n_items, dim)
        self.tower = torch.nn.Linear(2 * dim, dim)
        self.predictor = torch.nn.Linear(2 * dim, 1)
        self.register_buffer("mask", common.column_mask(width, dim))
        self.dim = dim

    def embeddings(self, u, v):
        m = self.mask
        return self.gmf_user[u] * m, self.gmf_item[v] * m, self.mlp_user[u] * m, self.mlp_item[v] * m

    def _score(self, g_u, g_v, p_u, p_v):
        hidden = F.relu(self.tower(torch.cat([p_u, p_v], dim=1)))
        return self.predictor(torch.cat([hidden, g_u * g_v], dim=1)).squeeze(1)

    def score_pairs(self, u, v):
        return self._score(*self.embeddings(u, v))

    def bpr_loss(self, u, i, j):
        g_u, g_i, p_u, p_i = self.embeddings(u, i)
        g_j, p_j = self.gmf_item[j] * self.mask, self.mlp_item[j] * self.mask
        pos, neg = self._score(g_u, g_i, p_u, p_i), self._score(g_u, g_j, p_u, p_j)
        data = F.softplus(neg - pos).mean()
        reg = sum(t.pow(2).sum() for t in (p_u, p_i, p_j, g_u, g_i, g_j)) / len(u)
        return data + REG * reg

    def scorer(self, item_block=256, user_block=16):
        m, d = self.mask, self.dim
        w_user, w_item = self.tower.weight[:, :d], self.tower.weight[:, d:]
        a = (self.mlp_user * m) @ w_user.T + self.tower.bias  # U × 128: user half of the tower + bias
        c = (self.mlp_item * m) @ w_item.T  # I × 128: item half
        w_hidden, w_gmf = self.predictor.weight[0, :d], self.predictor.weight[0, d:]
        g_user, g_item = self.gmf_user * m * w_gmf, self.gmf_item * m
        bias = self.predictor.bias

        def rows(users):
            out = torch.empty(len(users), c.shape[0])
            for s in range(0, len(users), user_block):
                us = users[s:s + user_block]
                out[s:s + len(us)] = g_user[us] @ g_item.T + bias
                for t in range(0, c.shape[0], item_block):
                    # blocks of 16 × 256 × 128 floats stay in cache; ReLU in place on the fresh sum
                    h = (a[us, None, :] + c[None, t:t + item_block, :]).relu_()
                    out[s:s + len(us), t:t + item_block] += h @ w_hidden
            return out

        return rows


def build(training, n_users, n_items, width):
    return NeuMF(n_users, n_items, width)


def self_check():
    torch.set_num_threads(1)
    torch.manual_seed(3)
    print("torch-neumf self-check")
    common.check_metrics()
    train, test, U, I = common.toy_split()
    rng = np.random.default_rng(3)
    sampler = common.Sampler(train, U, I, rng)

    # (a) evaluation deterministic, and the split full-ranking scorer equals the pairwise forward
    model = build(train, U, I, common.DIM)
    common.train_steps(model, sampler, 5, 32)
    model.eval()
    with torch.no_grad():
        s1 = model.scorer()(torch.arange(U))
        s2 = model.scorer(item_block=4, user_block=5)(torch.arange(U))
        uu, vv = torch.meshgrid(torch.arange(U), torch.arange(I), indexing="ij")
        pairwise = model.score_pairs(uu.reshape(-1), vv.reshape(-1)).reshape(U, I)
    m1 = common.evaluate(model, train, test, U, I)
    m2 = common.evaluate(model, train, test, U, I)
    assert m1 == m2 and torch.allclose(s1, s2, atol=1e-5), "evaluation is not deterministic"
    assert torch.allclose(s1, pairwise, atol=1e-5), (s1 - pairwise).abs().max()
    print(f"  (a) eval identical over two calls; full-ranking scorer = pairwise forward "
          f"(max |Δ| {(s1 - pairwise).abs().max().item():.1e}): ok  toy AVG {m1['avg']:.4f}")

    # (b) mask on both tables: columns ≥ D get exactly zero gradient and never move
    D = 5
    model = build(train, U, I, D)
    tables = {"gmf_user": model.gmf_user, "gmf_item": model.gmf_item,
              "mlp_user": model.mlp_user, "mlp_item": model.mlp_item}
    initial = {k: t.detach().clone() for k, t in tables.items()}

    def masked_gradients_are_zero():
        for name, t in tables.items():
            assert t.grad[:, D:].abs().max() == 0, f"{name}: gradient in masked columns"
            assert t.grad[:, :D].abs().max() > 0, f"{name}: no gradient in unmasked columns"

    common.train_steps(model, sampler, 10, 32, masked_gradients_are_zero)
    for name, t in tables.items():
        assert torch.equal(t[:, D:], initial[name][:, D:]), f"{name}: masked columns moved"
        assert not torch.equal(t[:, :D], initial[name][:, :D]), f"{name}: unmasked columns did not move"
    with torch.no_grad():
        for e in model.embeddings(torch.arange(U), torch.arange(I)):
            assert e[:, D:].abs().max() == 0
        # the masked columns' values do not matter: scramble them, the scores stay the same
        before = model.scorer()(torch.arange(U))
        for t in tables.values():
            t[:, D:] = torch.randn_like(t[:, D:])
        after = model.scorer()(torch.arange(U))
    assert torch.equal(before, after)
    print(f"  (b) equal:{D}: all four tables: masked columns get zero gradient, keep their init, do not affect "
          f"scores: ok")

    common.check_toy_loss_decreases(build(train, U, I, common.DIM), sampler)
    print("self-check passed")


def main():
    common.main("torch-neumf", __doc__, build, SCHEDULE, self_check)


if __name__ == "__main__":
    main()
