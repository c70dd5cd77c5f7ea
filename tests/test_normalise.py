"""Normalisation: published examples (OECD/JRC Handbook Table 15) and properties."""
import numpy as np
import pandas as pd
import pytest
from conftest import TAI
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import zhengji_lab as zl
from zhengji_lab.normalisation import ConstantIndicatorWarning


@pytest.fixture(scope="module")
def table15():
    return pd.read_csv(TAI / "published" / "table15_normalisation_examples_schooling.csv",
                       index_col="iso3")


def test_table15_handbook2008(table15):
    """OECD/JRC (2008) Handbook, Table 15 (p. 87): normalisations of mean years of schooling
    for the 23 TAI countries — rank (ties 'min'), z-score with the sample SD, min-max on [0, 1]
    and percentile = rank / 23 × 100. Printed values are rounded to 2 (percentile 1) decimals."""
    X = table15[["raw_schooling"]]
    np.testing.assert_array_equal(zl.normalise(X, method="rank", scale=None)["raw_schooling"],
                                  table15["rank_ascending"])
    np.testing.assert_allclose(zl.normalise(X, method="zscore", scale=None)["raw_schooling"],
                               table15["z_score"], atol=0.0051)
    np.testing.assert_allclose(zl.normalise(X, method="minmax", scale=(0, 1))["raw_schooling"],
                               table15["min_max"], atol=0.0051)
    np.testing.assert_allclose(zl.normalise(X, method="percentile", scale=(0, 100))
                               ["raw_schooling"], table15["percentile"], atol=0.051)


def test_goalposts_capped_undp():
    """UNDP goalposts (Saisana et al. 2005, Table 1): values beyond the max are capped at 1."""
    X = pd.DataFrame({"tel": [2.5, 2.9547, 3.1]})
    out = zl.normalise(X, method="goalposts", goalposts={"tel": (0.0, 2.9547)}, scale=(0, 1))
    np.testing.assert_allclose(out["tel"], [2.5 / 2.9547, 1.0, 1.0])


def test_direction_negative_minmax_and_zscore():
    X = pd.DataFrame({"complaints": [10.0, 20.0, 40.0]})
    d = {"complaints": -1}
    np.testing.assert_allclose(zl.normalise(X, method="minmax", directions=d)["complaints"],
                               [100, 200 / 3, 0])
    z = zl.normalise(X, method="zscore", directions=d, scale=None)["complaints"]
    assert z.iloc[0] > z.iloc[2]


def test_target_ratio_capped():
    X = pd.DataFrame({"a": [50.0, 100.0, 150.0], "b": [5.0, 10.0, 20.0]}, index=list("xyz"))
    T = pd.DataFrame({"a": [100.0, 100.0, 100.0], "b": [10.0, 10.0, 10.0]}, index=list("xyz"))
    out = zl.normalise(X, method="target", targets=T, cap=1.2, directions={"a": 1, "b": -1})
    np.testing.assert_allclose(out["a"], [50 / 1.2, 100 / 1.2, 100])
    np.testing.assert_allclose(out["b"], [100, 100 / 1.2, 50 / 1.2])


def test_target_missing_target_names_cell():
    X = pd.DataFrame({"a": [1.0]}, index=["town_01"])
    with pytest.raises(ValueError, match="town_01.*'a'|unit 'town_01', indicator 'a'"):
        zl.normalise(X, method="target", targets=pd.DataFrame({"a": [np.nan]}, index=["town_01"]))


def test_constant_column_warns_and_is_neutral():
    X = pd.DataFrame({"a": [3.0, 3.0, 3.0], "b": [1.0, 2.0, 3.0]})
    with pytest.warns(ConstantIndicatorWarning, match="'a'"):
        out = zl.normalise(X)
    assert (out["a"] == 50).all()


def test_bad_inputs():
    X = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(ValueError, match="'method' parameter of normalise\\(\\) must be one of"):
        zl.normalise(X, method="min-max")
    with pytest.raises(ValueError, match="must hold \\+1 or -1"):
        zl.normalise(X, directions={"a": 2})
    with pytest.raises(ValueError, match="no direction for \\['a'\\]"):
        zl.normalise(X, directions={"b": 1})
    with pytest.raises(TypeError, match="numeric"):
        zl.normalise(pd.DataFrame({"a": ["x", "y"]}))


columns = arrays(np.float64, st.integers(3, 30),
                 elements=st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False))


@settings(max_examples=50, deadline=None)
@given(columns, st.floats(0.01, 1e3), st.floats(-1e3, 1e3))
def test_minmax_in_scale_and_affine_invariant(x, a, b):
    if np.ptp(x) < 1e-6 * max(1.0, np.abs(x).max()):
        return
    X = pd.DataFrame({"v": x})
    out = zl.normalise(X, method="minmax", scale=(0, 100))["v"]
    assert out.min() >= -1e-9 and out.max() <= 100 + 1e-9
    moved = zl.normalise(pd.DataFrame({"v": a * x + b}), method="minmax")["v"]
    np.testing.assert_allclose(moved, out, atol=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-1000, 1000), min_size=2, max_size=30))
def test_rank_invariant_under_monotone_map(x):
    X = pd.DataFrame({"v": np.asarray(x, dtype=float)})
    np.testing.assert_array_equal(zl.normalise(X, method="rank")["v"],
                                  zl.normalise(np.arctan(X / 100) * 7, method="rank")["v"])


def test_zscore_one_sparse_column_leaves_the_others_alone():
    """The SD is per column: an indicator with one value (or none) this year does not make
    the other indicators constant."""
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [10.0, 20.0, 30.0, 50.0],
                      "c": [np.nan, np.nan, 7.0, np.nan]})
    with pytest.warns(ConstantIndicatorWarning, match="\\['c'\\]"):
        out = zl.normalise(X, method="zscore", scale=None)
    np.testing.assert_allclose(out["a"], (X["a"] - 2.5) / X["a"].std())
    assert out["c"].iloc[2] == 0.0 and out["c"].isna().sum() == 3
