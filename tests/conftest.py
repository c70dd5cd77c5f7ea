"""Shared fixtures: paths to the repository's data and seeded sample workspaces.

Under CI (``CI`` set, as ``.ci/run`` runs) hypothesis draws its examples from a fixed seed, so a
submission's result does not depend on the examples of one run; locally each run explores anew.
"""
import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
TAI = DATA / "reference" / "oecd_tai_2008"


@pytest.fixture(scope="session")
def sample_ws():
    import zhengji_lab as zl

    return zl.load_workspace(DATA / "sample_city")


@pytest.fixture(scope="session")
def baseline(sample_ws):
    import zhengji_lab as zl

    return zl.Scheme.from_yaml(DATA / "sample_city" / "schemes" / "baseline.yaml")


@pytest.fixture(scope="session")
def asem():
    """COINr's ASEM example (data/reference/asem_coinr)."""
    import zhengji_lab as zl

    return zl.load_workspace(DATA / "reference" / "asem_coinr")


@pytest.fixture(scope="session")
def codes(asem):
    """COINr iCode → the workspace's snake_case code (framework.csv ``source`` column)."""
    return {src.split("=", 1)[1]: code for code, src in
            zip(asem.framework["code"], asem.framework["source"])}


@pytest.fixture(scope="session")
def full_run(tmp_path_factory):
    """The sample city's full yearly run through the command line, as `make report` runs it
    (city report + 46 unit pages, two workers): ``(process, index.html, seconds)``. Shared by
    tests/test_report_run.py and tests/test_browser.py."""
    import subprocess
    import sys
    import time

    out = tmp_path_factory.mktemp("reports")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "zhengji_lab.cli", "report", "--workspace",
                           "data/sample_city", "--scheme", "baseline", "--year", "2025",
                           "--out-dir", str(out), "--workers", "2"], check=False,
                          cwd=DATA.parent, capture_output=True, text=True, timeout=900)
    index = Path(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else None
    return proc, index, time.perf_counter() - t0
