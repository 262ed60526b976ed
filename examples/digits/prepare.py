#!/usr/bin/env python3
"""Exports scikit-learn's bundled digits dataset (1,797 8x8 images, 10 classes; nothing is
downloaded) as CSV shards for a federation, split non-IID across participants by a Dirichlet
distribution over labels, plus a held-out test set nobody trains on.

    python3 examples/digits/prepare.py --out DIR [--participants 5] [--alpha 0.5] [--seed 7]

Writes DIR/participant-<i>/digits.csv (64 pixel columns scaled to [0, 1], then `label`) and
DIR/test.csv, and prints one JSON line describing the split (rows and labels per participant).
"""
import argparse
import json
import os

import numpy as np
from sklearn.datasets import load_digits


def dirichlet_split(labels, participants, alpha, rng, minimum):
    """Per class, shares drawn from Dir(alpha); redrawn until every participant has `minimum` rows."""
    for _ in range(1000):
        shards = [[] for _ in range(participants)]
        for label in np.unique(labels):
            rows = np.flatnonzero(labels == label)
            rng.shuffle(rows)
            shares = rng.dirichlet(np.full(participants, alpha))
            cuts = (np.cumsum(shares)[:-1] * len(rows)).astype(int)
            for shard, part in zip(shards, np.split(rows, cuts)):
                shard.extend(part.tolist())
        if min(len(s) for s in shards) >= minimum:
            return [sorted(s) for s in shards]
    raise SystemExit("could not draw a split with %d rows per participant; raise --alpha" % minimum)


def write_csv(path, features, labels):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(",".join("p%d" % i for i in range(features.shape[1])) + ",label\n")
        for row, label in zip(features, labels):
            f.write(",".join("%.4f" % v for v in row) + ",%d\n" % label)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--participants", type=int, default=5)
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    args = parser.parse_args()

    digits = load_digits()
    features = digits.data / 16.0
    labels = digits.target
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(labels))
    test_count = int(round(len(labels) * args.test_fraction))
    test, pool = order[:test_count], order[test_count:]
    write_csv(os.path.join(args.out, "test.csv"), features[test], labels[test])
    shards = dirichlet_split(labels[pool], args.participants, args.alpha, rng, minimum=40)
    summary = {"test": int(len(test)), "participants": []}
    for index, shard in enumerate(shards):
        rows = pool[shard]
        write_csv(os.path.join(args.out, "participant-%d" % index, "digits.csv"), features[rows], labels[rows])
        counts = np.bincount(labels[rows], minlength=10).tolist()
        summary["participants"].append({"rows": len(rows), "labels": counts})
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
