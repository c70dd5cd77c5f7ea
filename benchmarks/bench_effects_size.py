"""Size of adoption_effect's tests by simulation, and the speed of its numpy kernels.

Data: ``make_city(seed, effects="none")`` for 200 seeds: the sample city's 14 towns and parks,
2019-2025, adoption in 2022 (4 units), 2023 (4) and 2024 (1), 5 never adopting, and no effect
of adoption on ``survey_satisfaction``. For each panel, estimator (did2s, twfe, sun_abraham) and
inference method the test of "ATT = 0" is run as ``adoption_effect`` runs it:

* cluster: pyfixest's cluster-robust error (did2s: Gardner's GMM), t(G-1) reference;
* wild: wild cluster restricted bootstrap, ``N_BOOT`` draws of Webb's weights (2^14 sign vectors
  are more than ``N_BOOT``, so they are not enumerated);
* randomization: ``N_PERM`` permutations of the adoption years across units.

The pre-trend test of the leads with 3 or more clusters (event times -4, -3, -2) is run
both ways ``adoption_effect`` reports it: the wild bootstrap of the mean squared lead t statistic
(its p-value) and the Wald test with the cluster-robust covariance and an F(q, G-1) reference
(``p_value_f``).

The table gives the rejection rate at 5 % with its Monte Carlo standard error
sqrt(r (1 - r) / N); a test of the right size rejects 5 % ± about 3 % (two MC errors) here.

Speed: one refit of every term (ATT, cohorts, event times) by the numpy kernel (what each
permutation does) against one pyfixest fit of the same terms, best of several repeats, and the
fast WCR's cost per bootstrap draw (all draws at once, Roodman et al. 2019). Ratio = kernel /
pyfixest (below 1 means faster).

Run: ``.venv/bin/python benchmarks/bench_effects_size.py`` (about 3 minutes on 2 cores;
``--panels`` and ``--workers`` change the defaults).
"""
from __future__ import annotations

import argparse
import math
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

import zhengji_lab as zl
from zhengji_lab.effects import kernels
from zhengji_lab.effects.estimators import fit_pyfixest, kernel_estimates, kernel_rows, make_design
from zhengji_lab.effects.inference import cluster_stats, permutations, pretrend_test
from zhengji_lab.effects.panel import adoption_panel

OUTCOME = "survey_satisfaction"
ESTIMATORS = ("did2s", "twfe", "sun_abraham")
METHODS = ("cluster", "wild", "randomization", "pretrend wild", "pretrend F")
N_PANELS, N_BOOT, N_PERM, FIRST_SEED, ALPHA = 200, 999, 499, 10_000, 0.05


def one_panel(seed: int) -> list[dict]:
    """p-values of ATT = 0 for every estimator and method on one city without effects."""
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws, _ = zl.datasets.make_city(seed, effects="none")
        panel = adoption_panel(ws, OUTCOME)
        out = []
        for estimator in ESTIMATORS:
            design = make_design(panel, estimator)
            rng = np.random.default_rng(seed)
            est, V = fit_pyfixest(design)
            p_cluster = cluster_stats(est[:1], np.sqrt(V[0, 0]), panel.n_clusters, 0.95)[0][0]
            _, rows = kernel_rows(design)
            v, *_ = kernels.wild_weights(panel.n_clusters, N_BOOT, "auto", rng)
            p_wild = kernels.wild_test(rows[0], design.y, design.cluster, v)(0.0)[0]
            pre = pretrend_test(design, est, V, rows, v)
            a, b = permutations(design, N_PERM, rng)
            p_ri = kernels.permutation_test(a[0], b[0], est[0], 1.0)(0.0)
            out.append({"seed": seed, "estimator": estimator, "cluster": p_cluster,
                        "wild": p_wild, "randomization": p_ri,
                        "pretrend wild": pre["p_value"], "pretrend F": pre["p_value_f"]})
        return out


def best_time(fn, repeat: int = 5, number: int = 5) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def speed() -> pd.DataFrame:
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws, _ = zl.datasets.make_city(FIRST_SEED, effects="none")
        panel = adoption_panel(ws, OUTCOME)
        rows = []
        for estimator in ESTIMATORS:
            d = make_design(panel, estimator)
            fit_pyfixest(d)                                    # compile / warm up
            Y = np.column_stack([d.y, d.treat])
            t_kernel = best_time(lambda d=d, Y=Y: kernel_estimates(d, d.unit_cohort, Y))
            t_pf = best_time(lambda d=d: fit_pyfixest(d), repeat=3, number=3)
            row = kernel_rows(d)[1][0]
            v, *_ = kernels.wild_weights(panel.n_clusters, 9999, "webb",
                                         np.random.default_rng(0))
            test = kernels.wild_test(row, d.y, d.cluster, v)
            t_setup = best_time(lambda row=row, d=d, v=v: kernels.wild_test(row, d.y, d.cluster,
                                                                             v), 3, 3)
            t_eval = best_time(lambda test=test: test(0.5))
            rows.append({"estimator": estimator, "terms": len(d.terms),
                         "kernel_ms": 1e3 * t_kernel, "pyfixest_ms": 1e3 * t_pf,
                         "ratio": t_kernel / t_pf,
                         "wcr_us_per_draw": 1e6 * (t_setup + t_eval) / len(v),
                         "wcr_eval_ms": 1e3 * t_eval})
        return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=N_PANELS)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    t0 = time.perf_counter()
    seeds = range(FIRST_SEED, FIRST_SEED + args.panels)
    with ProcessPoolExecutor(args.workers) as pool:
        results = [r for chunk in pool.map(one_panel, seeds, chunksize=4) for r in chunk]
    df = pd.DataFrame(results)
    elapsed = time.perf_counter() - t0
    n = df["seed"].nunique()
    print(f"Size at 5 %: {n} cities make_city(seed, effects='none'), seeds {FIRST_SEED}-"
          f"{FIRST_SEED + n - 1}, outcome {OUTCOME!r}; 14 clusters; wild: {N_BOOT} Webb draws; "
          f"randomization: {N_PERM} permutations ({elapsed:.0f} s on {args.workers} workers)")
    table = []
    for estimator in ESTIMATORS:
        sub = df[df["estimator"] == estimator]
        row = {"estimator": estimator}
        for m in METHODS:
            r = float((sub[m] <= ALPHA).mean())
            row[m] = f"{100 * r:5.1f} % ± {100 * math.sqrt(r * (1 - r) / len(sub)):.1f}"
        table.append(row)
    print(pd.DataFrame(table).to_string(index=False))
    print()
    print("Speed: one refit of all terms, numpy kernel vs pyfixest (best of repeats, one thread);"
          " WCR cost per draw with 9999 draws")
    print(speed().to_string(index=False, float_format=lambda x: f"{x:.3g}"))


if __name__ == "__main__":
    main()
