"""Objective weighting methods of zhengji_lab beside pymcdm, on the same data.

Data: 1,000 units × 30 indicators drawn strictly positive (lognormal; pymcdm's entropy raises on
zeros). Each method is timed as the best of several repeats; the ratio is ours / pymcdm (below 1
means faster). "max |Δw|" compares the weights where the conventions match:

* entropy: both raw-data Shannon entropy (p = x / Σx);
* critic: both min-max scaling, σ and Pearson correlation (pymcdm uses ddof=1, we ddof=0: the
  factor cancels);
* stdev: ours is σ of min-max data; pymcdm's ``standard_deviation_weights`` works on raw data,
  so it is timed on the raw data (its own convention) and compared on min-max data.

pymcdm has no factor-analysis or benefit-of-the-doubt weights: those rows show our time only.
BoD solves one linear programme per unit (1,000 LPs of 30 variables and 1,000 constraints).

BLAS runs single-threaded for both libraries (threadpoolctl): on matrices this small threads
only add start-up and, on a busy machine, wild outliers (a 0.5 ms CRITIC took 17–48 ms with two
OpenBLAS threads while other jobs ran).

Run: ``.venv/bin/python benchmarks/bench_weighting.py`` (about a minute).
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
from pymcdm import weights as pw
from threadpoolctl import threadpool_limits

import zhengji_lab as zl
from zhengji_lab.weighting import critic_weights, entropy_weights

N_UNITS, N_INDICATORS, SEED = 1_000, 30, 20240601


def best_time(fn, *, repeat: int = 5, number: int | None = None) -> float:
    """Best wall time of one call, over ``repeat`` batches of ``number`` calls."""
    if number is None:  # aim at ~0.2 s per batch
        t0 = time.perf_counter()
        fn()
        number = max(1, int(0.2 / max(time.perf_counter() - t0, 1e-6)))
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def main() -> None:
    rng = np.random.default_rng(SEED)
    A = rng.lognormal(mean=0.0, sigma=0.75, size=(N_UNITS, N_INDICATORS))
    A[:, :10] += A[:, 10:20] * rng.uniform(0.2, 1.0, 10)  # some correlated indicators
    X = pd.DataFrame(A, columns=[f"i{j:02d}" for j in range(N_INDICATORS)])
    Z = (A - A.min(0)) / (A.max(0) - A.min(0))
    constant = np.zeros(N_INDICATORS, dtype=bool)

    rows = []

    def row(name, ours_fn, ours_w, ref_fn=None, ref_w=None, note=""):
        t_ours = best_time(ours_fn)
        t_ref = best_time(ref_fn) if ref_fn is not None else np.nan
        diff = (np.abs(np.asarray(ours_w) - np.asarray(ref_w)).max()
                if ref_w is not None else np.nan)
        rows.append({"method": name, "ours_ms": 1e3 * t_ours, "pymcdm_ms": 1e3 * t_ref,
                     "ratio": t_ours / t_ref, "max_abs_dw": diff, "note": note})

    row("entropy", lambda: zl.weighting.entropy(X), zl.weighting.entropy(X),
        lambda: pw.entropy_weights(A), pw.entropy_weights(A))
    row("entropy (array kernel)", lambda: entropy_weights(A), entropy_weights(A)[0],
        lambda: pw.entropy_weights(A), pw.entropy_weights(A), "no validation, no pandas")
    row("critic", lambda: zl.weighting.critic(X), zl.weighting.critic(X),
        lambda: pw.critic_weights(A), pw.critic_weights(A))
    row("critic (array kernel)", lambda: critic_weights(Z, constant),
        critic_weights(Z, constant),
        lambda: pw.critic_weights(A), pw.critic_weights(A), "on min-max data")
    row("stdev", lambda: zl.weighting.stdev(X), zl.weighting.stdev(X),
        lambda: pw.standard_deviation_weights(A), pw.standard_deviation_weights(Z),
        "pymcdm timed on raw data, compared on min-max")
    row("pca", lambda: zl.weighting.pca(X), None, note="no pymcdm counterpart")
    pca = zl.weighting.pca(X)

    t0 = time.perf_counter()
    bod = zl.weighting.bod(X)
    t_bod = time.perf_counter() - t0
    rows.append({"method": "bod", "ours_ms": 1e3 * t_bod, "pymcdm_ms": np.nan, "ratio": np.nan,
                 "max_abs_dw": np.nan,
                 "note": f"one run, {N_UNITS} LPs ({1e3 * t_bod / N_UNITS:.1f} ms each); "
                         "no pymcdm counterpart"})

    table = pd.DataFrame(rows).set_index("method")
    with pd.option_context("display.width", 160, "display.max_colwidth", 60):
        print(f"Weighting on {N_UNITS} units × {N_INDICATORS} indicators (seed {SEED})")
        print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    print(f"\nPCA kept {pca.n_factors} factors; BoD: {int((bod.scores > 1 - 1e-9).sum())} "
          f"units on the frontier, median score {bod.scores.median():.3f}.")


if __name__ == "__main__":
    with threadpool_limits(1):
        main()
