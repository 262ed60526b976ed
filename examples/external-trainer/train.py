#!/usr/bin/env python3
"""An external trainer for cumulus-agent: softmax regression in numpy.

The job's spec sets  "externalTrainer": "python3 /path/to/train.py"  and the model
{"architecture": "logistic", "inputs": <features>, "classes": <classes>}. The agent runs this with
CUMULUS_MODEL, CUMULUS_DATA, CUMULUS_OUTPUT, CUMULUS_METRICS and CUMULUS_HYPERPARAMETERS set (see
the README), and signs and uploads what it writes. Needs: pip install numpy safetensors.
"""
import json
import os

import numpy as np
from safetensors.numpy import load_file, save_file


def main():
    model = load_file(os.environ["CUMULUS_MODEL"])
    hyper = json.loads(os.environ.get("CUMULUS_HYPERPARAMETERS", "{}"))
    data = np.loadtxt(os.environ["CUMULUS_DATA"], delimiter=",", skiprows=1, ndmin=2)
    features, labels = data[:, :-1].astype(np.float32), data[:, -1].astype(np.int64)

    weight, bias = model["layer0.weight"].copy(), model["layer0.bias"].copy()  # [classes, features], [classes]
    rate = float(hyper.get("learningRate", 0.05))
    batch = int(hyper.get("batchSize", 32))
    rng = np.random.default_rng(int(hyper.get("seed", 0)))
    losses = []
    for _ in range(int(hyper.get("epochs", 1))):
        order = rng.permutation(len(labels))
        for start in range(0, len(order), batch):
            rows = order[start:start + batch]
            logits = features[rows] @ weight.T + bias
            logits -= logits.max(axis=1, keepdims=True)
            probabilities = np.exp(logits)
            probabilities /= probabilities.sum(axis=1, keepdims=True)
            losses.append(float(-np.log(probabilities[np.arange(len(rows)), labels[rows]] + 1e-12).mean()))
            probabilities[np.arange(len(rows)), labels[rows]] -= 1
            weight -= rate * (probabilities.T @ features[rows]) / len(rows)
            bias -= rate * probabilities.mean(axis=0)

    save_file({"layer0.weight": weight.astype(np.float32), "layer0.bias": bias.astype(np.float32)}, os.environ["CUMULUS_OUTPUT"])
    with open(os.environ["CUMULUS_METRICS"], "w") as f:
        json.dump({"examples": int(len(labels)), "trainLoss": float(np.mean(losses)) if losses else None}, f)


if __name__ == "__main__":
    main()
