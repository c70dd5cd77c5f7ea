"""Monte Carlo uncertainty analysis: the vectorised engine beside a naive loop over ``build``.

Two workspaces, run side by side in this script:

* the sample city (46 units × 33 indicators, 5 dimensions; scheme ``baseline``: normalisation
  min-max [1, 100] vs z-score (10, 2), arithmetic vs geometric, weights ±25%; the talk-trigger
  probabilities need the previous year too, so each draw is evaluated for two years);
* COINr's ASEM example (51 countries × 49 indicators → 8 pillars → 2 sub-indices → index) with
  the four inputs of COINr's sensitivity example: winsorisation limit 1–5 (skew 2, kurtosis
  3.5), min-max on [1, 100] vs z-score with mean 10 and sd 2, weights ±25%, arithmetic vs
  geometric.

"vectorised" is ``zl.uncertainty`` end to end (design, data stage of every combination of
discrete choices, all draws, statistics), best wall time of 3 runs. "naive" calls ``build`` once
per draw through ``zhengji_lab.montecarlo.engine.naive_ranks`` (the reference the tests compare
with); it runs on ``NAIVE_DRAWS`` draws and the time per draw is extrapolated to ``n`` — the
ratio is naive time for ``n`` draws / vectorised time. Peak memory is traced (tracemalloc, which
sees numpy's buffers) in a separate run, so it does not slow the timed ones.

For reference, COINr (R) rebuilds the whole index per draw: 0.12–0.19 s per draw on ASEM on
this kind of machine, 90 s for 500 draws, over 9 minutes for a 3,000-run Sobol design; the last
line times ``zl.sensitivity`` on a design of that size.

Run: ``.venv/bin/python benchmarks/bench_uncertainty.py`` (about a minute).
"""
from __future__ import annotations

import time
import tracemalloc

import numpy as np

import zhengji_lab as zl
from zhengji_lab.montecarlo.design import parse_design
from zhengji_lab.montecarlo.engine import naive_ranks

NAIVE_DRAWS = 40
SOBOL_N = 512    # 512 × (4 + 2) = 3,072 runs, the size of COINr's 3,000-run Sobol design
TARGET_S = 0.5   # 10,000 draws on ASEM


def asem():
    ws = zl.datasets.load_asem()
    s = zl.Scheme.from_yaml(ws.schemes["asem_coinr"])
    s = s.replace("treat", {"method": "winsorise", "skew": 2.0, "kurtosis": 3.5, "max_points": 5})
    s = s.replace("uncertainty", [
        {"address": "treat.max_points", "alternatives": [1, 2, 3, 4, 5]},
        {"address": "normalise", "alternatives": [{"method": "minmax", "scale": [1, 100]},
                                                  {"method": "zscore", "scale": [10, 2]}]},
        {"address": "weights", "noise": 0.25},
        {"address": "aggregate.method", "alternatives": ["arithmetic", "geometric"]}])
    return "ASEM (COINr)", ws, s, 2018


def sample_city():
    ws = zl.load_workspace(zl.datasets.data_dir() / "sample_city")
    return "sample city", ws, zl.Scheme.from_yaml(ws.schemes["baseline"]), 2025


def vectorised_time(ws, s, year, n) -> float:
    best = np.inf
    for rep in range(3):
        t0 = time.perf_counter()
        zl.uncertainty(ws, s, year, n_draws=n, seed=rep, progress=False)
        best = min(best, time.perf_counter() - t0)
    return best


def naive_time_per_draw(ws, s, year) -> float:
    design = parse_design(ws, s)
    rows = np.random.default_rng(0).random((NAIVE_DRAWS, design.n_columns))
    t0 = time.perf_counter()
    naive_ranks(ws, design, year, rows)
    return (time.perf_counter() - t0) / NAIVE_DRAWS


def peak_mib(ws, s, year, n) -> float:
    tracemalloc.start()
    zl.uncertainty(ws, s, year, n_draws=n, seed=0, progress=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    rows = []
    for make in (sample_city, asem):
        name, ws, s, year = make()
        zl.uncertainty(ws, s, year, n_draws=100, seed=0, progress=False)  # warm imports and caches
        per_draw = naive_time_per_draw(ws, s, year)
        for n in (1_000, 10_000):
            t = vectorised_time(ws, s, year, n)
            rows.append((name, n, t, n / t, 1 / per_draw, n * per_draw / t, peak_mib(ws, s, year, n)))
    print(f"Monte Carlo rank bands, vectorised vs one build() per draw (naive timed on "
          f"{NAIVE_DRAWS} draws, extrapolated)")
    head = (f"{'workspace':<14}{'n':>8}{'vectorised s':>14}{'draws/s':>12}{'naive draws/s':>15}"
            f"{'ratio':>9}{'peak MiB':>10}")
    print(head)
    print("-" * len(head))
    for name, n, t, vps, nps, ratio, mib in rows:
        print(f"{name:<14}{n:>8,}{t:>14.3f}{vps:>12,.0f}{nps:>15.1f}{ratio:>8,.0f}×{mib:>10.1f}")
    asem_1k, asem_10k = (next(r for r in rows if r[0].startswith("ASEM") and r[1] == n)
                         for n in (1_000, 10_000))
    verdict = "met" if asem_10k[2] < TARGET_S else "NOT met"
    name, ws, s, year = asem()
    big = peak_mib(ws, s, year, 100_000)
    print(f"\nTarget: 10,000 draws on ASEM in under {TARGET_S} s — {asem_10k[2]:.3f} s, {verdict}. "
          f"Peak memory on ASEM: {asem_1k[6]:.1f} MiB at n = 1,000, {asem_10k[6]:.1f} MiB at "
          f"10,000, {big:.1f} MiB at 100,000 (draws are generated and tallied chunk by chunk; "
          f"below one chunk, n = 1,000 needs less).")
    print("COINr (R), same machine class: 0.12–0.19 s per ASEM draw (5–8 draws/s).")

    name, ws, s, year = asem()
    t0 = time.perf_counter()
    res = zl.sensitivity(ws, s, year, n_base=SOBOL_N, seed=0, progress=False)
    t = time.perf_counter() - t0
    print(f"\nSobol indices on ASEM: N = {SOBOL_N}, {res.runs:,} runs (COINr: over 9 minutes for a "
          f"3,000-run design) in {t:.2f} s, bootstrap intervals and {len(res.by_unit) // 4} "
          f"units' own indices included:")
    print(res.frame.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
