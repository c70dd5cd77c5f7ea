"""The yearly run of the sample city (city report + 46 unit pages), side by side in one run:

* ``2 workers``: ``zl.render_report(..., workers=2)`` — two kernels kept alive, started while
  the run computes its data, each rendering page after page;
* ``1 worker``: the same with one kernel;
* ``plain papermill``: the way a script without the kit would do it — one ``papermill``
  command line per page, then one ``jupyter nbconvert --to html --no-input`` per page, in
  sequence (each pays Python's start, papermill's import, a new kernel and the page's imports).
  It reads the run's data from a file computed once, so the comparison is about executing the
  pages only. Timed on the city report and ``--plain-units`` unit pages (default 4) and
  projected to the 47 pages by their mean (``--plain-units 46`` times them all, ~10 minutes).

Every variant renders the same notebooks with the same 1,000 draws. Target (issue 11): the
full run with 2 workers under 30 s on this 2-core machine. Run:
``.venv/bin/python benchmarks/bench_report.py`` (about 3 minutes).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import zhengji_lab as zl
from zhengji_lab.report.rundata import prepare_run

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_city"
TARGET_S = 30.0
BIN = Path(sys.executable).parent


def full_run(out: Path, workers: int) -> float:
    start = time.perf_counter()
    result = zl.render_report(SAMPLE, "baseline", 2025, workers=workers, out_dir=out,
                              progress=False)
    seconds = time.perf_counter() - start
    assert result.ok and len(result.units) == 46, result.failures
    return seconds


def plain_page(notebook: Path, out: Path, params: dict) -> float:
    start = time.perf_counter()
    args = [str(BIN / "papermill"), str(notebook), str(out.with_suffix(".ipynb")), "--cwd",
            str(ROOT), "--no-progress-bar", "--log-level", "ERROR"]
    for key, value in params.items():
        args += ["-p", key, str(value)]
    subprocess.run(args, check=True, capture_output=True)
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                    str(out.with_suffix(".ipynb"))], check=True, capture_output=True)
    return time.perf_counter() - start


def plain(tmp: Path, n_units: int) -> tuple[float, float, int]:
    """Seconds of the city page, mean seconds of a unit page, and the unit pages timed."""
    ws = zl.load_workspace(SAMPLE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = prepare_run(ws, "baseline", 2025)
    run_data = data.save(tmp / "run.pkl")
    common = {"year": 2025, "run_data": run_data}
    city = plain_page(ROOT / "notebooks" / "yearly_report.ipynb", tmp / "city", common)
    units = list(ws.units["unit_id"])[:n_units]
    times = [plain_page(ROOT / "notebooks" / "unit_report.ipynb", tmp / u,
                        {**common, "unit_id": u}) for u in units]
    return city, sum(times) / len(times), len(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plain-units", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        two = full_run(tmp / "two", 2)
        one = full_run(tmp / "one", 1)
        (tmp / "plain").mkdir()
        city, unit, timed = plain(tmp / "plain", args.plain_units)
        shutil.rmtree(tmp / "plain", ignore_errors=True)
    projected = city + 46 * unit
    print("yearly run of the sample city: city report + 46 unit pages, 1,000 draws")
    print(f"{'variant':<34}{'seconds':>10}{'vs 2 workers':>15}")
    print(f"{'2 workers (kept-alive kernels)':<34}{two:>10.1f}{1:>15.2f}")
    print(f"{'1 worker (kept-alive kernel)':<34}{one:>10.1f}{one / two:>15.2f}")
    print(f"{'plain papermill + nbconvert CLI':<34}{projected:>10.1f}{projected / two:>15.2f}"
          f"   (projected: city {city:.1f} s + 46 × {unit:.1f} s, mean of {timed} pages)")
    print(f"target: 2 workers under {TARGET_S:.0f} s: {'met' if two < TARGET_S else 'MISSED'}")


if __name__ == "__main__":
    main()
