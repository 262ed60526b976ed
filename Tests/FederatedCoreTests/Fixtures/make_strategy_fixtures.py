#!/usr/bin/env python3
"""Runs Flower 1.41's own server strategies on fixed client updates and records inputs and
outputs in strategy_fixtures.json, for FederatedCoreTests to reproduce number for number.

Run from anywhere:  python3 Tests/FederatedCoreTests/Fixtures/make_strategy_fixtures.py
Requirements: requirements-fixtures.txt (flwr==1.41.0, numpy).

What is called: the real strategy objects' `aggregate_fit(server_round, results, failures)`,
with `results` a list of `(None, FitRes)` pairs (the ClientProxy is unused by aggregation) and
`FitRes.parameters` built with `ndarrays_to_parameters`. Through it this exercises:
  FedAvg.aggregate_fit        -> aggregate_inplace (the default, inplace=True)
  FedAvg(inplace=False)       -> aggregate
  FedProx.aggregate_fit       -> FedAvg.aggregate_fit (inplace)
  FedAvgM.aggregate_fit       -> aggregate + server momentum / learning rate
  FedAdam/FedYogi/FedAdagrad  -> FedAvg.aggregate_fit (inplace) + the FedOpt update of each class
After each round the script also records the strategy's internal state (FedAvgM's
momentum_vector, FedOpt's m_t and v_t) so the Swift state can be checked too.

Data: a seeded model of four tensors (different shapes, including a scalar) in a deliberately
unsorted list order; three rounds with 3, 4 and 2 clients whose example counts differ. The same
client updates feed every strategy. Values are stored as hex bit patterns (exact) with their
NumPy dtype, since FedAdam's outputs become float64 from round 1 on (η' is a NumPy float64).
"""
import json
import os

import flwr
import numpy as np
from flwr.common import Code, FitRes, Status, ndarrays_to_parameters, parameters_to_ndarrays
from flwr.server.strategy import FedAdagrad, FedAdam, FedAvg, FedAvgM, FedProx, FedYogi

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 41_2025
NAMES = ["dense.weight", "dense.bias", "conv.kernel", "scale"]
SHAPES = [(3, 2), (3,), (2, 1, 2), ()]


def encode(array: np.ndarray) -> dict:
    array = np.asarray(array)
    unsigned = {4: np.uint32, 8: np.uint64}[array.dtype.itemsize]
    width = array.dtype.itemsize * 2
    return {
        "dtype": str(array.dtype),
        "shape": list(array.shape),
        "bits": [format(int(v), f"0{width}x") for v in np.ascontiguousarray(array).view(unsigned).ravel()],
    }


def model_json(arrays) -> dict:
    return {name: encode(array) for name, array in zip(NAMES, arrays, strict=True)}


def main() -> None:
    rng = np.random.default_rng(SEED)
    initial = [rng.normal(size=shape).astype(np.float32) for shape in SHAPES]

    rounds = []
    for round_number, clients in enumerate([3, 4, 2], start=1):
        updates = []
        for _ in range(clients):
            # Updates wander away from the initial model so the server steps are not tiny.
            arrays = [(w + 0.3 * round_number + rng.normal(scale=0.5, size=w.shape)).astype(np.float32) for w in initial]
            updates.append({"examples": int(rng.integers(1, 500)), "arrays": arrays})
        rounds.append(updates)

    cases = [
        ("FedAvg", "fedavg_inplace", lambda p: FedAvg(initial_parameters=p), {}),
        ("FedAvg(inplace=False)", "fedavg", lambda p: FedAvg(initial_parameters=p, inplace=False), {}),
        ("FedProx(proximal_mu=0.1)", "fedprox", lambda p: FedProx(initial_parameters=p, proximal_mu=0.1), {"proximal_mu": 0.1}),
        ("FedAvgM()", "fedavgm", lambda p: FedAvgM(initial_parameters=p), {"server_learning_rate": 1.0, "server_momentum": 0.0}),
        ("FedAvgM(server_learning_rate=0.7, server_momentum=0.9)", "fedavgm",
         lambda p: FedAvgM(initial_parameters=p, server_learning_rate=0.7, server_momentum=0.9),
         {"server_learning_rate": 0.7, "server_momentum": 0.9}),
        ("FedAdam()", "fedadam", lambda p: FedAdam(initial_parameters=p), {}),
        ("FedAdam(eta=0.03, beta_1=0.8, beta_2=0.9, tau=1e-4)", "fedadam",
         lambda p: FedAdam(initial_parameters=p, eta=0.03, beta_1=0.8, beta_2=0.9, tau=1e-4),
         {"eta": 0.03, "beta_1": 0.8, "beta_2": 0.9, "tau": 1e-4}),
        ("FedYogi()", "fedyogi", lambda p: FedYogi(initial_parameters=p), {}),
        ("FedAdagrad()", "fedadagrad", lambda p: FedAdagrad(initial_parameters=p), {}),
    ]

    results = []
    for label, kind, make, parameters in cases:
        strategy = make(ndarrays_to_parameters(initial))
        if kind.startswith("fedad") or kind == "fedyogi":
            # Record the defaults actually in force, so the Swift side need not repeat them.
            parameters = {"eta": strategy.eta, "eta_l": strategy.eta_l, "beta_1": strategy.beta_1,
                          "beta_2": strategy.beta_2, "tau": strategy.tau}
        expected = []
        for round_number, updates in enumerate(rounds, start=1):
            fit_results = [
                (None, FitRes(status=Status(code=Code.OK, message=""), parameters=ndarrays_to_parameters(u["arrays"]),
                              num_examples=u["examples"], metrics={}))
                for u in updates
            ]
            aggregated, _ = strategy.aggregate_fit(round_number, fit_results, [])
            entry = {"round": round_number, "model": model_json(parameters_to_ndarrays(aggregated))}
            if kind == "fedavgm" and strategy.momentum_vector is not None:
                entry["momentum"] = model_json(strategy.momentum_vector)
            if hasattr(strategy, "m_t") and strategy.m_t is not None:
                entry["first_moment"] = model_json(strategy.m_t)
                entry["second_moment"] = model_json(strategy.v_t)
            expected.append(entry)
        results.append({"label": label, "strategy": kind, "parameters": parameters, "rounds": expected})

    fixture = {
        "generator": "make_strategy_fixtures.py",
        "flwr_version": flwr.__version__,
        "numpy_version": np.__version__,
        "seed": SEED,
        "names": NAMES,
        "initial": model_json(initial),
        "rounds": [[{"examples": u["examples"], "model": model_json(u["arrays"])} for u in updates] for updates in rounds],
        "cases": results,
    }
    with open(os.path.join(HERE, "strategy_fixtures.json"), "w") as handle:
        json.dump(fixture, handle, separators=(",", ":"))
        handle.write("\n")


if __name__ == "__main__":
    main()
