"""``build`` at province scale: the sample city's units replicated to 5,000 and 50,000 units.

Every unit of ``data/sample_city`` (46 units, 33 indicators, years 2019–2025) is copied with a
suffix until the target count is reached, with its values, targets and deductions, so a
50,002-unit workspace has 6.2 million value rows. For each size, in this process:

* ``first``: the first ``zl.build(ws, "baseline", 2025)`` — the data hash, the assessment, and
  the 2024 build the talk triggers need;
* ``repeat``: the same build again (hash and trigger history kept per workspace and scheme);
* ``baseline``: the least a build must do, one pivot of the year's values to units ×
  indicators, timed beside it; the ratio is first / baseline;
* ``peak``: the peak of memory allocated during the first build (tracemalloc, which sees
  numpy's and pandas' buffers), in a separate run so it does not slow the timed one.

Targets (issue 8): first build at 50,000 units under 10 s with a peak under 1 GiB, repeat under
3 s. Run: ``.venv/bin/python benchmarks/bench_build.py`` (about a minute).
"""
from __future__ import annotations

import time
import tracemalloc
import warnings

import pandas as pd

import zhengji_lab as zl

SIZES = (5_000, 50_000)
TARGETS = {"first_s": 10.0, "peak_gib": 1.0, "repeat_s": 3.0}


def replicate(ws: zl.Workspace, units: int) -> zl.Workspace:
    """The workspace with its units copied (ids suffixed ``_k``) until there are ``units``."""
    k = -(-units // len(ws.units))

    def copies(df: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([df.assign(unit_id=df["unit_id"] + f"_{i}") for i in range(k)],
                         ignore_index=True)

    return zl.Workspace(ws.framework, copies(ws.units), copies(ws.values), copies(ws.targets),
                        copies(ws.deductions), ws.deduction_items, ws.judgements, ws.schemes)


def measure(ws: zl.Workspace, year: int = 2025) -> dict:
    start = time.perf_counter()
    ws.values[ws.values["year"] == year].pivot(index="unit_id", columns="indicator",
                                               values="value")
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    zl.build(ws, "baseline", year)
    first = time.perf_counter() - start
    start = time.perf_counter()
    zl.build(ws, "baseline", year)
    repeat = time.perf_counter() - start
    return {"first_s": first, "repeat_s": repeat, "baseline_s": baseline}


def peak(ws: zl.Workspace, year: int = 2025) -> float:
    tracemalloc.start()
    zl.build(ws, "baseline", year)
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return top / 2**30


def main() -> None:
    warnings.simplefilter("ignore")  # the sample city's inconsistent experts, on purpose
    city = zl.load_workspace(zl.datasets.data_dir() / "sample_city")
    print(f"{'units':>8} {'value rows':>11} {'first s':>8} {'repeat s':>9} {'pivot s':>8} "
          f"{'first/pivot':>11} {'peak GiB':>9}")
    for size in SIZES:
        ws = replicate(city, size)
        m = measure(ws)
        gib = peak(replicate(city, size))
        print(f"{len(ws.units):>8,} {len(ws.values):>11,} {m['first_s']:>8.2f} "
              f"{m['repeat_s']:>9.2f} {m['baseline_s']:>8.2f} "
              f"{m['first_s'] / m['baseline_s']:>11.1f} {gib:>9.2f}")
    met = {"first_s": m["first_s"], "repeat_s": m["repeat_s"], "peak_gib": gib}
    for key, target in TARGETS.items():
        print(f"{key} at {len(ws.units):,} units: {met[key]:.2f} (target < {target}) — "
              f"{'met' if met[key] < target else 'NOT met'}")


if __name__ == "__main__":
    main()
