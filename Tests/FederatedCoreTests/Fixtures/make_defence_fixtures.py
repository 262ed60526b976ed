#!/usr/bin/env python3
"""Runs Flower 1.41's robust aggregation strategies and differential-privacy wrappers, and the
`dp-accounting` RDP accountant, on fixed inputs; records inputs and outputs in
defence_fixtures.json for FederatedCoreTests (DefenceFixtureTests, PrivacyFixtureTests).

Run from anywhere:  python3 Tests/FederatedCoreTests/Fixtures/make_defence_fixtures.py
Requirements: requirements-fixtures.txt (flwr==1.41.0, dp-accounting==0.6.0, numpy).

What is called (the real objects, not re-implementations):
  FedMedian / FedTrimmedAvg / Krum / Bulyan  .aggregate_fit(round, results, [])
      -> aggregate_median, aggregate_trimmed_avg, aggregate_krum, aggregate_bulyan
  Krum scores and the Multi-Krum choice: Flower's own `_compute_distances`, then the three
      lines of `aggregate_krum` that turn distances into scores (Flower does not expose scores).
  DifferentialPrivacyServerSideFixedClipping(FedAvg(), noise_multiplier=0, ...).aggregate_fit
  DifferentialPrivacyServerSideAdaptiveClipping(FedAvg(), noise_multiplier=0, ...).aggregate_fit
      Noise is random, so these run with noise_multiplier 0 (then the count noise is 0 too and
      everything is deterministic): they check the clipping and the clip-norm adaptation. The
      noise's standard deviation is checked through compute_stdv / compute_adaptive_noise_params.
      `current_round_params` is set directly (configure_fit would set it but needs a
      ClientManager), to the model each round starts from.
  flwr.supercore.differential_privacy.compute_clip_model_update / compute_adaptive_clip_model_update
      (what the client-side fixedclipping_mod / adaptiveclipping_mod call).
  dp_accounting.rdp.RdpAccountant with PoissonSampledDpEvent(q, GaussianDpEvent(sigma)),
      epsilon after each composed round, and the RDP curve over the default orders.

Data: client models are float32, four tensors (one a scalar), seeded. Among the 7 clients of the
"attacked" round one update is scaled by 10 and one sign-flipped, so the verdicts are not all
"kept". Values are stored as hex bit patterns with their dtype (exact).
"""
import copy
import json
import os

import dp_accounting
import flwr
import numpy as np
from dp_accounting.rdp import RdpAccountant
from flwr.common import Code, FitRes, Status, ndarrays_to_parameters, parameters_to_ndarrays
from flwr.server.strategy import (
    Bulyan,
    DifferentialPrivacyServerSideAdaptiveClipping,
    DifferentialPrivacyServerSideFixedClipping,
    FedAvg,
    FedMedian,
    FedTrimmedAvg,
    Krum,
)
from flwr.server.strategy.aggregate import _compute_distances
from flwr.supercore import differential_privacy as dp

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 8_2026
NAMES = ["dense.weight", "dense.bias", "conv.kernel", "scale"]
SHAPES = [(4, 3), (4,), (2, 2, 2), ()]


def encode(array) -> dict:
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


def fit_results(updates):
    return [
        (None, FitRes(status=Status(code=Code.OK, message=""), parameters=ndarrays_to_parameters(u["arrays"]),
                      num_examples=u["examples"], metrics={}))
        for u in updates
    ]


def krum_scores(updates, num_malicious):
    """Flower's `aggregate_krum` up to the scores (the same lines, on Flower's distances)."""
    weights = [u["arrays"] for u in updates]
    distance_matrix = _compute_distances(weights)
    num_closest = max(1, len(weights) - num_malicious - 2)
    closest = [np.argsort(distance)[1: num_closest + 1].tolist() for distance in distance_matrix]
    return [float(np.sum(distance_matrix[i, closest[i]])) for i in range(len(distance_matrix))]


def main() -> None:
    rng = np.random.default_rng(SEED)
    initial = [rng.normal(size=shape).astype(np.float32) for shape in SHAPES]

    def honest(spread=0.4):
        return [(w + 0.2 + rng.normal(scale=spread, size=w.shape)).astype(np.float32) for w in initial]

    # Round "attacked": 7 clients, #2 scaled ×10, #5 sign-flipped (relative to the initial model).
    attacked = []
    for index in range(7):
        arrays = honest()
        if index == 2:
            arrays = [(w + 10 * (a - w)).astype(np.float32) for a, w in zip(arrays, initial)]
        if index == 5:
            arrays = [(w - (a - w)).astype(np.float32) for a, w in zip(arrays, initial)]
        attacked.append({"examples": int(rng.integers(1, 400)), "arrays": arrays})
    # Round "even": 6 honest clients (even count: the median averages the two middle values).
    even = [{"examples": int(rng.integers(1, 400)), "arrays": honest(0.6)} for _ in range(6)]
    # Rounds for the DP wrappers: three rounds of 5 clients, updates of varied norm.
    # Flower 1.41 does not clip 0-d tensors: `np.subtract` of two 0-d arrays is a NumPy scalar,
    # and `array *= factor` in `clip_inputs_inplace` then rebinds a local name instead of scaling
    # in place (the scalar still counts in the norm). Cumulus clips every tensor, as the DP
    # guarantee needs; so the DP data stores the scalar as shape (1,), where Flower clips too.
    def no_scalars(arrays):
        return [a.reshape(1) if a.ndim == 0 else a for a in arrays]

    dp_rounds = [[{"examples": int(rng.integers(1, 400)), "arrays": no_scalars(honest(0.2 + 0.3 * k))} for k in range(5)] for _ in range(3)]
    dp_initial = no_scalars(initial)
    datasets = {"attacked": attacked, "even": even}

    defence_cases = [
        ("FedMedian() on 7", "median", "attacked", lambda: FedMedian(), {}),
        ("FedMedian() on 6", "median", "even", lambda: FedMedian(), {}),
        ("FedTrimmedAvg(beta=0.2) on 7", "trimmed_mean", "attacked", lambda: FedTrimmedAvg(beta=0.2), {"beta": 0.2}),
        ("FedTrimmedAvg(beta=0.45) on 7", "trimmed_mean", "attacked", lambda: FedTrimmedAvg(beta=0.45), {"beta": 0.45}),
        ("FedTrimmedAvg(beta=0.3) on 6", "trimmed_mean", "even", lambda: FedTrimmedAvg(beta=0.3), {"beta": 0.3}),
        ("Krum(num_malicious_clients=1)", "krum", "attacked", lambda: Krum(num_malicious_clients=1), {"num_malicious_clients": 1, "num_clients_to_keep": 0}),
        ("Krum(num_malicious_clients=2, num_clients_to_keep=3)", "krum", "attacked",
         lambda: Krum(num_malicious_clients=2, num_clients_to_keep=3), {"num_malicious_clients": 2, "num_clients_to_keep": 3}),
        ("Krum(num_malicious_clients=1, num_clients_to_keep=4) on 6", "krum", "even",
         lambda: Krum(num_malicious_clients=1, num_clients_to_keep=4), {"num_malicious_clients": 1, "num_clients_to_keep": 4}),
        ("Bulyan(num_malicious_clients=1, to_keep=0)", "bulyan", "attacked",
         lambda: Bulyan(num_malicious_clients=1, to_keep=0), {"num_malicious_clients": 1}),
    ]
    defences = []
    for label, kind, data, make, parameters in defence_cases:
        updates = datasets[data]
        aggregated, _ = make().aggregate_fit(1, fit_results(copy.deepcopy(updates)), [])
        entry = {"label": label, "kind": kind, "dataset": data, "parameters": parameters,
                 "model": model_json(parameters_to_ndarrays(aggregated))}
        if kind == "krum":
            scores = krum_scores(updates, parameters["num_malicious_clients"])
            entry["scores"] = scores
            if parameters["num_clients_to_keep"] > 0:
                # aggregate_krum's own choice, in its own order (the order the mean is summed in).
                entry["selected"] = [int(i) for i in np.argsort(scores)[::-1][len(scores) - parameters["num_clients_to_keep"]:]]
            else:
                entry["selected"] = [int(np.argmin(scores))]
        defences.append(entry)

    # Server-side DP, noise 0: clipping and (adaptive) clip-norm adaptation, three rounds.
    dp_cases = []
    for label, kind, make, parameters in [
        ("DifferentialPrivacyServerSideFixedClipping(FedAvg(), 0, clipping_norm=0.9, 5)", "fixed",
         lambda: DifferentialPrivacyServerSideFixedClipping(FedAvg(), noise_multiplier=0.0, clipping_norm=0.9, num_sampled_clients=5),
         {"clipping_norm": 0.9, "num_sampled_clients": 5}),
        ("DifferentialPrivacyServerSideAdaptiveClipping(FedAvg(), 0, 5, initial_clipping_norm=0.5)", "adaptive",
         lambda: DifferentialPrivacyServerSideAdaptiveClipping(FedAvg(), noise_multiplier=0.0, num_sampled_clients=5, initial_clipping_norm=0.5),
         {"initial_clipping_norm": 0.5, "target_clipped_quantile": 0.5, "clip_norm_lr": 0.2, "num_sampled_clients": 5}),
        ("DifferentialPrivacyServerSideAdaptiveClipping(FedAvg(), 0, 5, 2.0, target_clipped_quantile=0.2, clip_norm_lr=0.5)", "adaptive",
         lambda: DifferentialPrivacyServerSideAdaptiveClipping(FedAvg(), noise_multiplier=0.0, num_sampled_clients=5, initial_clipping_norm=2.0,
                                                               target_clipped_quantile=0.2, clip_norm_lr=0.5),
         {"initial_clipping_norm": 2.0, "target_clipped_quantile": 0.2, "clip_norm_lr": 0.5, "num_sampled_clients": 5}),
    ]:
        strategy = make()
        current = [a.copy() for a in dp_initial]
        rounds = []
        for round_number, updates in enumerate(dp_rounds, start=1):
            strategy.current_round_params = [a.copy() for a in current]
            aggregated, _ = strategy.aggregate_fit(round_number, fit_results(copy.deepcopy(updates)), [])
            current = parameters_to_ndarrays(aggregated)
            rounds.append({"round": round_number, "model": model_json(current), "clipping_norm": float(strategy.clipping_norm)})
        dp_cases.append({"label": label, "kind": kind, "parameters": parameters, "rounds": rounds})

    # Client-side clipping (what fixedclipping_mod / adaptiveclipping_mod compute).
    client_clipping = []
    for clipping_norm in [0.5, 1.5, 100.0]:
        for update in dp_rounds[0][:3]:
            fixed = [a.copy() for a in update["arrays"]]
            dp.compute_clip_model_update(fixed, dp_initial, clipping_norm)
            adaptive = [a.copy() for a in update["arrays"]]
            norm_bit = dp.compute_adaptive_clip_model_update(adaptive, dp_initial, clipping_norm)
            assert all(np.array_equal(a, b) for a, b in zip(fixed, adaptive))
            delta = [np.subtract(x, y) for x, y in zip(update["arrays"], dp_initial)]
            client_clipping.append({"clipping_norm": clipping_norm, "update": model_json(update["arrays"]),
                                    "update_norm": dp.get_norm(delta), "clipped": model_json(fixed), "norm_bit": bool(norm_bit)})

    noise_parameters = []
    for noise_multiplier, clipping_norm, sampled in [(1.0, 0.9, 5), (0.3, 2.5, 100), (1.7, 0.01, 1000)]:
        noise_parameters.append({"noise_multiplier": noise_multiplier, "clipping_norm": clipping_norm, "num_sampled_clients": sampled,
                                 "stdv": dp.compute_stdv(noise_multiplier, clipping_norm, sampled)})
    adaptive_noise = []
    for noise_multiplier, sampled, stddev in [(1.0, 100, None), (0.5, 40, None), (1.1, 1000, 25.0), (0.0, 10, None)]:
        count_stddev, value = dp.compute_adaptive_noise_params(noise_multiplier, sampled, stddev)
        adaptive_noise.append({"noise_multiplier": noise_multiplier, "num_sampled_clients": sampled, "clipped_count_stddev": stddev,
                               "result_clipped_count_stddev": count_stddev, "result_noise_multiplier": value})

    accountant_cases = []
    for q, sigma, rounds, delta in [(0.01, 1.1, [1, 10, 100, 1000], 1e-5), (0.1, 0.8, [1, 5, 20, 50], 1e-6),
                                    (1.0, 2.0, [1, 10, 100], 1e-5), (0.003, 5.0, [1, 300, 3000], 1e-7), (0.5, 1.3, [1, 2, 3], 1e-3)]:
        epsilons = []
        for steps in rounds:
            accountant = RdpAccountant()
            accountant.compose(dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma)), steps)
            epsilon, order = accountant.get_epsilon_and_optimal_order(delta)
            epsilons.append({"rounds": steps, "epsilon": float(epsilon), "order": float(order)})
        single = RdpAccountant()
        single.compose(dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma)))
        accountant_cases.append({"sampling_rate": q, "noise_multiplier": sigma, "delta": delta, "epsilons": epsilons,
                                 "orders": [float(o) for o in single._orders],
                                 # JSON has no infinity: null marks an order where the RDP is
                                 # infinite (dp-accounting gives up on a fractional order whose
                                 # series has not converged after 1000 terms).
                                 "rdp": [float(r) if np.isfinite(r) else None for r in single._rdp]})

    fixture = {
        "generator": "make_defence_fixtures.py",
        "flwr_version": flwr.__version__,
        "dp_accounting_version": "0.6.0",
        "numpy_version": np.__version__,
        "seed": SEED,
        "names": NAMES,
        "initial": model_json(initial),
        "datasets": {key: [{"examples": u["examples"], "model": model_json(u["arrays"])} for u in updates]
                     for key, updates in datasets.items()},
        "dp_initial": model_json(dp_initial),
        "dp_rounds": [[{"examples": u["examples"], "model": model_json(u["arrays"])} for u in updates] for updates in dp_rounds],
        "defences": defences,
        "server_dp": dp_cases,
        "client_clipping": client_clipping,
        "noise_stdv": noise_parameters,
        "adaptive_noise": adaptive_noise,
        "accountant": accountant_cases,
    }
    with open(os.path.join(HERE, "defence_fixtures.json"), "w") as handle:
        json.dump(fixture, handle, separators=(",", ":"))
        handle.write("\n")


if __name__ == "__main__":
    main()
