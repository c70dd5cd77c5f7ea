"""Start-up cost: ``import zhengji_lab`` and ``zhengji --help`` beside pandas and a bare interpreter.

Every figure is the median of ``RUNS`` fresh processes of the Python running this script (after
one untimed warm-up of each command, so byte code and the file cache are warm, as on a desk):

* ``import zhengji_lab`` and ``import pandas``: the cumulative import time of that package as
  ``python -X importtime -c "import <package>"`` reports it on stderr (everything it imports,
  interpreter start-up left out), and the wall time of ``python -c "import <package>"``;
* the same after the first use of ``zl.build`` and ``zl.load_workspace``, for information: the
  package loads its names lazily (PEP 562), so the cost of the modules moves to first use;
* ``zhengji --help``: the wall time of the console script installed beside ``sys.executable``;
* ``python -c "pass"``: the wall time of a bare interpreter, the floor of every command above.

The ratios put ours beside the baselines measured in the same run, so a slow machine or a cold
disk shows up in both. Targets (issue 8): import < 0.5 s (importtime), ``--help`` < 0.7 s (wall).
It prints and asserts nothing.

Run: ``.venv/bin/python benchmarks/bench_import.py`` (about half a minute).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 5
PACKAGE = "zhengji_lab"
#: the names are loaded lazily (PEP 562): what the first build costs, for information
FIRST_USE = f"import {PACKAGE} as zl; zl.build; zl.load_workspace"
BASELINE = "pandas"
SCRIPT = Path(sys.executable).parent / ("zhengji.exe" if os.name == "nt" else "zhengji")
TARGET_IMPORT_S, TARGET_HELP_S = 0.5, 0.7
# no inherited -X importtime or start-up hooks in the children
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPROFILEIMPORTTIME",
                                                          "PYTHONSTARTUP")}


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, check=False, capture_output=True, text=True, env=ENV)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {res.returncode}:\n{res.stderr[-2000:]}")
    return res


def wall(cmd: list[str]) -> float:
    """Median wall time of ``cmd`` in seconds over ``RUNS`` fresh processes."""
    _run(cmd)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        _run(cmd)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _importtime(stderr: str) -> list[tuple[int, float, str]]:
    """``(depth, cumulative s, module)`` per line of ``-X importtime``'s output.

    Each line reads ``import time: <self us> | <cumulative us> | <name>``, a module's imports
    above it and indented two more spaces; the module's line carries the cumulative total.
    """
    rows = []
    for line in stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) == 3 and fields[1].strip().isdigit():
            name = fields[2].rstrip()
            depth = (len(name) - len(name.lstrip()) - 1) // 2
            rows.append((depth, int(fields[1]) / 1e6, name.strip()))
    return rows


def import_time(package: str, code: str | None = None
                ) -> tuple[float, list[tuple[int, float, str]]]:
    """Median import time of ``package`` in seconds while ``code`` runs (default: ``import
    <package>``), and the last run's lines: the sum of the cumulative times of the package's
    modules imported from the top (a lazy package's first use imports more of them there)."""
    cmd = [sys.executable, "-X", "importtime", "-c", code or f"import {package}"]
    _run(cmd)
    totals = []
    for _ in range(RUNS):
        rows = _importtime(_run(cmd).stderr)
        found = [cum for depth, cum, name in rows
                 if depth == 0 and name.split(".")[0] == package]
        if not found:
            raise RuntimeError(f"-X importtime printed no line for {package!r}")
        totals.append(sum(found))
    return statistics.median(totals), rows


def heaviest_outside(rows: list[tuple[int, float, str]], package: str, most: int = 8
                     ) -> list[tuple[float, str, str]]:
    """The costliest imports of other packages made directly by a module of ``package``."""
    out = []
    for i, (depth, cum, name) in enumerate(rows):
        if name.split(".")[0] == package:
            continue
        importer = next((n for d, _, n in rows[i + 1:] if d < depth), None)
        if importer is not None and importer.split(".")[0] == package:
            out.append((cum, name, importer))
    return sorted(out, reverse=True)[:most]


def _verdict(value: float, target: float) -> str:
    return f"target < {target:.1f} s: {'met' if value < target else 'NOT met'}"


def main() -> None:
    py = sys.executable
    bare = wall([py, "-c", "pass"])
    (base_imp, _), base_wall = import_time(BASELINE), wall([py, "-c", f"import {BASELINE}"])
    (ours_imp, _), ours_wall = import_time(PACKAGE), wall([py, "-c", f"import {PACKAGE}"])
    (use_imp, rows), use_wall = import_time(PACKAGE, FIRST_USE), wall([py, "-c", FIRST_USE])
    helped = wall([str(SCRIPT), "--help"]) if SCRIPT.exists() else None

    print(f"Start-up, median of {RUNS} fresh processes ({py}, Python {sys.version.split()[0]})")
    print(f"{'':34}{'importtime':>12}{'wall':>10}")
    print(f"{'python -c pass':34}{'':>12}{bare:>9.3f}s")
    print(f"{'import ' + BASELINE:34}{base_imp:>11.3f}s{base_wall:>9.3f}s")
    print(f"{'import ' + PACKAGE:34}{ours_imp:>11.3f}s{ours_wall:>9.3f}s")
    print(f"{'  + zl.build, zl.load_workspace':34}{use_imp:>11.3f}s{use_wall:>9.3f}s"
          "   (first use, for information)")
    if helped is None:
        print(f"zhengji --help: no console script at {SCRIPT} (pip install -e . first)")
    else:
        print(f"{'zhengji --help':34}{'':>12}{helped:>9.3f}s")
    print()
    print(f"import {PACKAGE} / import {BASELINE}: {ours_imp / base_imp:.2f}× (importtime), "
          f"{ours_wall / base_wall:.2f}× (wall)")
    print(f"import {PACKAGE} beyond {BASELINE}: {ours_imp - base_imp:+.3f} s (importtime)")
    print(f"import {PACKAGE}: {ours_imp:.3f} s — {_verdict(ours_imp, TARGET_IMPORT_S)}")
    if helped is not None:
        print(f"zhengji --help / python -c pass: {helped / bare:.2f}×; "
              f"/ import {BASELINE}: {helped / base_wall:.2f}× (wall)")
        print(f"zhengji --help: {helped:.3f} s — {_verdict(helped, TARGET_HELP_S)}")
    print()
    print(f"Costliest imports of other packages by {PACKAGE}'s modules at first use "
          "(last run, cumulative):")
    for cum, name, importer in heaviest_outside(rows, PACKAGE):
        print(f"  {cum:6.3f} s  {name:28} imported by {importer}")


if __name__ == "__main__":
    main()
