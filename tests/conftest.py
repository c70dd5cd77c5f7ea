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
