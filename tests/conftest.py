"""Shared fixtures: paths to the repository's data and seeded sample workspaces."""
from pathlib import Path

import pytest

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
