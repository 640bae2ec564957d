#!/usr/bin/env python3
"""One dataset (and optionally one backbone) of a profile, for a quicker end-to-end check.

Usage: scripts/subset-profile.py PROFILES_JSON PROFILE DATASET [BACKBONE] OUT_JSON

Every `datasets` list becomes [DATASET], every list made only of backbone names keeps BACKBONE
alone (if it had it), and every map keyed by dataset keeps DATASET's entry. OUT_JSON holds only
PROFILE, written atomically. Scripts that restrict a profile (test-slurm, check-reproduce-resume) call
this one, so their restricted profiles are identical and a run of one can serve as the other's reference.
"""
import json, os, sys, tempfile

BACKBONES = ("lightgcn", "ngcf", "neumf")


def fail(message):
    sys.exit(f"subset-profile: {message}")


def restrict(node, all_datasets, dataset, backbone):
    if isinstance(node, dict):
        if node and set(node) <= all_datasets:
            node = {k: v for k, v in node.items() if k == dataset}
        for key, value in list(node.items()):
            if key == "datasets":
                node[key] = [dataset]
            else:
                node[key] = restrict(value, all_datasets, dataset, backbone)
    if backbone and isinstance(node, list) and node and all(x in BACKBONES for x in node):
        node = [x for x in node if x == backbone]
    return node


def main(argv):
    if len(argv) not in (4, 5):
        fail("usage: subset-profile.py PROFILES_JSON PROFILE DATASET [BACKBONE] OUT_JSON")
    source, name, dataset = argv[0], argv[1], argv[2]
    backbone = argv[3] if len(argv) == 5 else ""
    out = argv[-1]
    try:
        doc = json.load(open(source))
        profile = doc["profiles"][name]
    except (OSError, ValueError) as e:
        fail(f"cannot read {source}: {e}")
    except (KeyError, TypeError):
        fail(f"{source} has no profile '{name}'")
    all_datasets = set(profile.get("datasets", []))
    if dataset not in all_datasets:
        fail(f"profile '{name}' has no dataset '{dataset}' (it has: {', '.join(sorted(all_datasets))})")
    if backbone and backbone not in BACKBONES:
        fail(f"unknown backbone '{backbone}' (valid: {', '.join(BACKBONES)})")
    profile = restrict(profile, all_datasets, dataset, backbone)
    profile["description"] = profile.get("description", "") + f" (test subset: {dataset} {backbone})".rstrip()
    directory = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".subset-profile.")
    with os.fdopen(fd, "w") as f:
        json.dump({"profiles": {name: profile}}, f, indent=1)
    os.replace(tmp, out)


if __name__ == "__main__":
    main(sys.argv[1:])
