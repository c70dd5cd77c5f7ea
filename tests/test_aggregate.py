"""Aggregation and ranking: known answers and properties (Handbook 2008, section 6.2)."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import zhengji_lab as zl

positive = arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(1, 8)),
                  elements=st.floats(0.5, 100, allow_nan=False))


@settings(max_examples=50, deadline=None)
@given(positive)
def test_equal_weight_arithmetic_is_row_mean(A):
    X = pd.DataFrame(A, columns=[f"i{j}" for j in range(A.shape[1])])
    w = pd.Series(1.0, index=X.columns)
    np.testing.assert_allclose(zl.aggregate(X, w), X.mean(axis=1), rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(positive, st.data())
def test_power_mean_inequality(A, data):
    X = pd.DataFrame(A, columns=[f"i{j}" for j in range(A.shape[1])])
    w = pd.Series(data.draw(arrays(np.float64, A.shape[1], elements=st.floats(0.01, 1))),
                  index=X.columns)
    ar = zl.aggregate(X, w)
    ge = zl.aggregate(X, w, method="geometric")
    ha = zl.aggregate(X, w, method="harmonic")
    assert (ge <= ar * (1 + 1e-12)).all() and (ha <= ge * (1 + 1e-12)).all()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=30), st.randoms())
def test_ranks_do_not_depend_on_unit_order(values, rnd):
    s = pd.Series(values, index=[f"u{i}" for i in range(len(values))])
    perm = list(s.index)
    rnd.shuffle(perm)
    pd.testing.assert_series_equal(zl.rank(s), zl.rank(s[perm]).reindex(s.index))


def test_rank_ties_min_and_groups():
    s = pd.Series([3.0, 5.0, 5.0, 1.0, 2.0, np.nan], index=list("abcdef"))
    assert zl.rank(s).tolist()[:5] == [3, 1, 1, 5, 4]
    assert pd.isna(zl.rank(s).iloc[5])
    g = pd.Series(["x", "x", "y", "y", "x", "y"], index=list("abcdef"))
    assert zl.rank(s, g).tolist()[:5] == [2, 1, 1, 2, 3]


def test_missing_reweights_and_min_coverage():
    X = pd.DataFrame({"a": [60.0, 60.0], "b": [80.0, np.nan], "c": [100.0, np.nan]},
                     index=["u1", "u2"])
    w = {"a": 0.5, "b": 0.25, "c": 0.25}
    out = zl.aggregate(X, w, min_coverage=0.5)
    assert out["u1"] == pytest.approx(75.0) and out["u2"] == pytest.approx(60.0)
    assert np.isnan(zl.aggregate(X, w, min_coverage=0.66)["u2"])


def test_per_unit_weights_zero_is_not_missing():
    X = pd.DataFrame({"a": [50.0, 70.0], "b": [np.nan, 90.0]}, index=["u1", "u2"])
    W = pd.DataFrame({"a": [1.0, 0.5], "b": [0.0, 0.5]}, index=["u1", "u2"])
    out = zl.aggregate(X, W, min_coverage=1.0)
    assert out.tolist() == [50.0, 80.0]


def test_copeland_handbook_style():
    """Copeland (Handbook 2008, eq. 6.2): a unit better on every indicator beats all others."""
    X = pd.DataFrame({"a": [3.0, 2.0, 1.0], "b": [3.0, 1.0, 2.0]}, index=["x", "y", "z"])
    out = zl.aggregate(X, {"a": 0.6, "b": 0.4}, method="copeland")
    assert out.tolist() == [2.0, 0.0, -2.0]


def test_geometric_rejects_zero_with_fix():
    X = pd.DataFrame({"a": [0.0, 1.0]}, index=["town_03", "t2"])
    with pytest.raises(ValueError, match="town_03.*\\[1, 100\\]"):
        zl.aggregate(X, {"a": 1.0}, method="geometric")


def test_bad_weights():
    X = pd.DataFrame({"a": [1.0], "b": [2.0]})
    with pytest.raises(ValueError, match="no weight for \\['b'\\]"):
        zl.aggregate(X, {"a": 1.0})
    with pytest.raises(ValueError, match=">= 0"):
        zl.aggregate(X, {"a": -1.0, "b": 2.0})
    with pytest.raises(ValueError, match="'method' parameter of aggregate"):
        zl.aggregate(X, {"a": 1.0, "b": 1.0}, method="median")


def test_copeland_within_groups_symmetric_and_missing_units_excluded():
    """Copeland compares units of one peer group only; a pair is judged on the indicators both
    have with one weight vector (so e_ab + e_ba = 1); a unit without a score is nobody's
    opponent and does not turn the others' scores into NaN."""
    X = pd.DataFrame({"x1": [10.0, 9.0, 20.0, 20.0, 20.0], "x2": [10.0, 9.0, 1.0, 1.0, 1.0],
                      "x3": [0.0, 100.0, 50.0, 50.0, 50.0]}, index=list("abcde"))
    w = {"x1": 1.0, "x2": 1.0, "x3": 1.0}
    g = pd.Series(["g1", "g1", "g2", "g2", "g2"], index=X.index)
    alone = zl.aggregate(X.loc[["a", "b"]], w, method="copeland")
    together = zl.aggregate(X, w, method="copeland", groups=g)
    assert together[["a", "b"]].tolist() == alone.tolist() == [1.0, -1.0]
    mirror = pd.DataFrame({"x1": [60.0, 40.0], "x2": [40.0, 60.0], "x3": [np.nan, 50.0]},
                          index=["a", "b"])
    assert zl.aggregate(mirror, w, method="copeland").tolist() == [0.0, 0.0]
    gap = pd.DataFrame({"x1": [3.0, 2.0, 1.0, np.nan], "x2": [3.0, 1.0, 2.0, np.nan]},
                       index=list("pqrs"))
    out = zl.aggregate(gap, {"x1": 0.5, "x2": 0.5}, method="copeland")
    assert out[["p", "q", "r"]].tolist() == [2.0, -1.0, -1.0] and np.isnan(out["s"])


def test_ranks_tie_despite_rounding_noise():
    s = pd.Series([100.00000000000001, 100.0, 99.0], index=list("abc"))
    assert zl.rank(s).tolist() == [1, 1, 3]
