"""Benefit of the doubt at province scale: the re-used HiGHS model against one LP per unit.

Data: 1,000 units × 30 indicators (lognormal, some correlated, then min-max normalised: BoD
wants data ≥ 0, higher is better), the same generator as ``bench_weighting.py``.

* ``new``: :func:`zhengji_lab.weighting.bod` — one envelopment-form HiGHS model per peer group,
  re-solved per unit from the previous basis, with column generation (see ``bod.py``);
* ``per-unit linprog``: the former implementation, kept here as the baseline: for each unit a
  cold ``scipy.optimize.linprog(method="highs")`` on the multiplier form with every unit as a
  constraint (in ``canonical_rows`` order) and the restriction rows of that unit.

Both run in this process on the same data, for three settings: no restrictions, the Handbook's
restrictions on the weights (here 1–10 % each, 30 indicators), and pie-share restrictions (at
most 20 % of each unit's score). The new path is timed as the best of 3 runs, the baseline once
(it takes 10–30 s). "ratio" is new / baseline (below 1 means faster); "max |Δscore|" compares
the two paths' scores.

BLAS runs single-threaded (threadpoolctl), as in ``bench_weighting.py``.

Run: ``.venv/bin/python benchmarks/bench_bod.py`` (about two minutes; ``--quick`` times only the
unrestricted setting).
"""
from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from threadpoolctl import threadpool_limits

import zhengji_lab as zl
from zhengji_lab.weighting._common import canonical_rows

N_UNITS, N_INDICATORS, SEED = 1_000, 30, 20240601


def per_unit_linprog(A: np.ndarray, bounds=None, bounds_on: str = "weights") -> np.ndarray:
    """Scores by one cold ``linprog`` per unit (the pre-issue-8 ``bod``; all columns vary)."""
    n, m = A.shape
    peers = canonical_rows(A)
    scores = np.empty(n)
    for i, x in enumerate(A):
        A_ub, b_ub = peers, np.ones(n)
        if bounds is not None:
            lo, hi = np.full(m, bounds[0]), np.full(m, bounds[1])
            base = np.ones(m) if bounds_on == "weights" else x
            own = np.diag(base)
            R = np.vstack([lo[:, None] * base[None, :] - own, own - hi[:, None] * base[None, :]])
            A_ub, b_ub = np.vstack([peers, R]), np.r_[b_ub, np.zeros(2 * m)]
        res = linprog(-x, A_ub=A_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        if res.status != 0:
            raise ArithmeticError(res.message)
        scores[i] = x @ np.clip(res.x, 0.0, None)
    return np.minimum(scores, 1.0)


def best_time(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(quick: bool = False) -> None:
    rng = np.random.default_rng(SEED)
    A = rng.lognormal(mean=0.0, sigma=0.75, size=(N_UNITS, N_INDICATORS))
    A[:, :10] += A[:, 10:20] * rng.uniform(0.2, 1.0, 10)  # some correlated indicators
    Z = (A - A.min(0)) / (A.max(0) - A.min(0))
    X = pd.DataFrame(Z, columns=[f"i{j:02d}" for j in range(N_INDICATORS)])

    settings = [("no restrictions", {})]
    if not quick:
        settings += [("weights 1-10 %", {"bounds": (0.01, 0.10)}),
                     ("pie shares <= 20 %", {"bounds": (0.0, 0.20), "bounds_on": "shares"})]
    rows = []
    for name, kw in settings:
        t_new, res = best_time(lambda kw=kw: zl.weighting.bod(X, **kw), repeat=3)
        t_ref, ref = best_time(lambda kw=kw: per_unit_linprog(Z, **kw), repeat=1)
        rows.append({"setting": name, "new_s": t_new, "per_unit_linprog_s": t_ref,
                     "ratio": t_new / t_ref,
                     "max_abs_dscore": np.abs(res.scores.to_numpy() - ref).max(),
                     "frontier": int((res.scores > 1 - 1e-9).sum())})
    table = pd.DataFrame(rows).set_index("setting")
    with pd.option_context("display.width", 160):
        print(f"BoD on {N_UNITS} units × {N_INDICATORS} indicators (seed {SEED}); new = best of "
              f"3, baseline = one run")
        print(table.to_string(float_format=lambda v: f"{v:.4g}"))


if __name__ == "__main__":
    with threadpool_limits(1):
        main(quick="--quick" in sys.argv[1:])
