#!/usr/bin/env python3
"""Export the PyTorch reference benchmark's graph so `ciess bench` times the same workload.

The reference script (../shared/bench/torch_reference.py) draws its synthetic graphs with NumPy.
This helper imports that script's own graph code — with a stand-in for the `torch` module, which
graph generation does not use — and writes the graph in the reference's `--dump-graph` format
(train.txt, test.txt, graph.json with graph_sha256). Only NumPy is needed, so `make bench`
works on machines without torch; `ciess bench` recomputes the digest and refuses a mismatch.

usage: export_graph.py --reference PATH --shape ml-1m|yelp2018 --seed 2024 --out DIR
"""
import argparse
import importlib.util
import os
import sys
import types


def _torch_stand_in():
    """A minimal module tree so that `import torch` in the reference succeeds at import time."""
    torch = types.ModuleType("torch")
    torch.autograd = types.SimpleNamespace(Function=object)
    nn = types.ModuleType("torch.nn")
    functional = types.ModuleType("torch.nn.functional")
    torch.nn = nn
    nn.functional = functional
    return {"torch": torch, "torch.nn": nn, "torch.nn.functional": functional}


def load_reference(path):
    for name, module in _torch_stand_in().items():
        sys.modules.setdefault(name, module)
    spec = importlib.util.spec_from_file_location("torch_reference", path)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    return ref


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reference", required=True, help="path of torch_reference.py")
    p.add_argument("--shape", required=True, choices=["ml-1m", "yelp2018"])
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--out", required=True, help="output directory")
    args = p.parse_args()
    if "torch" in sys.modules and not isinstance(sys.modules["torch"], types.ModuleType):
        sys.exit("unexpected torch module state")
    ref = load_reference(args.reference)
    shape = ref.SHAPES[args.shape]
    g = ref.synthetic_graph(shape["users"], shape["items"], shape["interactions"], args.seed)
    tmp = args.out.rstrip("/") + ".tmp"
    g.dump(tmp, dict(shape=args.shape, seed=args.seed, graph_sha256=g.digest()))
    if os.path.isdir(args.out):
        import shutil
        shutil.rmtree(args.out)
    os.replace(tmp, args.out)
    print("%s %s users=%d items=%d train=%d test=%d" % (args.shape, g.digest(), g.n_users, g.n_items,
                                                       g.n_train, g.n_test))


if __name__ == "__main__":
    main()
