"""Entropy weights (熵权法): published examples, both conventions, properties, bad input."""
import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

import zhengji_lab as zl

XU2004 = pd.DataFrame([[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9],
                       [68, 70, 60, 29]], columns=["u1", "u2", "u3", "u4"])


def test_entropy_xu2004():
    """Xu, X. (2004), EJOR 156(2) 530–532, section 3: decision matrix of 4 alternatives × 4
    attributes, entropy weights (0.4630, 0.3992, 0.1378, 0.0000) (raw convention)."""
    w = zl.weighting.entropy(XU2004)
    assert_allclose(w.to_numpy(), [0.4630, 0.3992, 0.1378, 0.0000], atol=5e-5)


def test_entropy_zavadskas_podvezko2016_directions_do_not_enter_raw_entropy():
    """Zavadskas & Podvezko (2016), IJITDM 15(2) 267–283: 4 alternatives × 4 criteria, criteria
    1 and 3 minimised; entropy weights (0.1146, 0.1981, 0.4185, 0.2689). The raw entropy of
    x/Σx does not depend on direction: passing the directions only warns."""
    X = pd.DataFrame([[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]],
                     columns=["c1", "c2", "c3", "c4"])
    expected = [0.1146, 0.1981, 0.4185, 0.2689]
    assert_allclose(zl.weighting.entropy(X).to_numpy(), expected, atol=5e-5)
    with pytest.warns(UserWarning, match=r"ignores directions.*'c1', 'c3'"):
        w = zl.weighting.entropy(X, directions=[-1, 1, -1, 1])
    assert_allclose(w.to_numpy(), expected, atol=5e-5)


def _minmax_entropy_by_hand(X: np.ndarray, d: np.ndarray, shift: float) -> np.ndarray:
    """Textbook 熵权法 step by step, written independently of the package."""
    n, m = X.shape
    e = np.zeros(m)
    for j in range(m):
        x = X[:, j]
        z = (x - x.min()) / (x.max() - x.min()) if d[j] > 0 else (x.max() - x) / (x.max() - x.min())
        z = z + shift
        p = z / z.sum()
        e[j] = -sum(pi * np.log(pi) for pi in p if pi > 0) / np.log(n)
    return (1 - e) / (1 - e).sum()


@pytest.mark.parametrize("shift", [0.0, 0.0001])
def test_entropy_minmax_convention_matches_hand_computation(shift):
    rng = np.random.default_rng(3)
    A = rng.gamma(2.0, size=(12, 5)) * [1, 10, 100, 0.1, 5]
    d = np.array([1, -1, 1, -1, 1])
    X = pd.DataFrame(A, columns=list("abcde"))
    w = zl.weighting.entropy(X, directions=dict(zip("abcde", d)), normalise="minmax", shift=shift)
    assert_allclose(w.to_numpy(), _minmax_entropy_by_hand(A, d, shift), rtol=1e-12)


def test_minmax_convention_uses_directions_and_shift_matters():
    X = XU2004.iloc[:, :3]
    up = zl.weighting.entropy(X, normalise="minmax")
    down = zl.weighting.entropy(X, normalise="minmax", directions=[1, -1, 1])
    assert not np.allclose(up, down)
    shifted = zl.weighting.entropy(X, normalise="minmax", shift=0.0001)
    assert_allclose(up, shifted, atol=1e-3)
    assert not np.allclose(up, shifted, rtol=0, atol=1e-12)


def test_constant_column_gets_zero_and_is_logged(caplog):
    X = XU2004.assign(flat=7.0)
    with caplog.at_level(logging.INFO, logger="zhengji_lab.weighting"):
        for kw in ({}, {"normalise": "minmax"}):
            w = zl.weighting.entropy(X, **kw)
            assert w["flat"] == 0.0
            assert_allclose(w.drop("flat").to_numpy(),
                            zl.weighting.entropy(XU2004, **kw).to_numpy(), rtol=1e-12)
    assert "constant indicator(s) 'flat' get weight 0" in caplog.text


@settings(max_examples=50, deadline=None)
@given(arrays(float, st.tuples(st.integers(3, 12), st.integers(2, 5)),
              elements=st.floats(0.1, 1000)),
       st.floats(0.01, 100))
def test_raw_entropy_unchanged_by_scaling_a_column(A, c):
    X = pd.DataFrame(A, columns=[f"i{k}" for k in range(A.shape[1])])
    if (X.nunique() == 1).all():
        return
    scaled = X.assign(i0=X["i0"] * c)
    assert_allclose(zl.weighting.entropy(scaled), zl.weighting.entropy(X), rtol=1e-7, atol=1e-12)


def test_zero_values_follow_0_log_0_convention():
    X = pd.DataFrame({"a": [0.0, 1, 2, 3], "b": [1.0, 2, 3, 4]})
    p = np.array([0, 1, 2, 3]) / 6
    e_a = -(p[1:] * np.log(p[1:])).sum() / np.log(4)
    q = np.array([1, 2, 3, 4]) / 10
    e_b = -(q * np.log(q)).sum() / np.log(4)
    w = zl.weighting.entropy(X)
    assert_allclose(w["a"], (1 - e_a) / (2 - e_a - e_b))


@pytest.mark.parametrize("X, kw, match", [
    (XU2004.assign(u2=XU2004["u2"] - 50), {}, r"needs data >= 0; columns 'u2' have negative"),
    (XU2004.assign(u3=0.0), {}, r"columns 'u3'.*0 for every unit"),
    (pd.DataFrame({"a": [1.0, 1.0], "b": [2.0, 2.0]}), {}, "every indicator is constant"),
    (pd.DataFrame({"a": [1.0, 1.0], "b": [2.0, 2.0]}), {"normalise": "minmax"},
     "every indicator is constant"),
    (XU2004.astype(float).assign(u1=[1.0, np.nan, 2, 3], u4=[np.nan, 1, 2, 3]), {},
     r"missing values in columns 'u1', 'u4'.*dropna=True"),
    (XU2004, {"normalise": "zscore"}, (r"'normalise' parameter of entropy\(\) must be one of "
                                       r"\{None, 'minmax'\}. Got 'zscore' instead")),
    (XU2004, {"shift": 0.0001}, "only applies with normalise='minmax'"),
    (XU2004, {"shift": -1.0}, "'shift' parameter"),
    (XU2004, {"directions": [1, 2, 1, 1]}, "must hold \\+1 or -1"),
    (XU2004, {"directions": {"u1": 1}}, r"no direction for 'u2', 'u3', 'u4'"),
    (XU2004.iloc[:1], {}, "at least 2 units"),
])
def test_entropy_bad_input(X, kw, match):
    with pytest.raises(ValueError, match=match):
        zl.weighting.entropy(X, **kw)


def test_entropy_rejects_text_and_non_frames():
    with pytest.raises(TypeError, match="columns 'name' are not numeric"):
        zl.weighting.entropy(XU2004.assign(name=list("abcd")))
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        zl.weighting.entropy(XU2004.to_numpy())


def test_dropna_drops_and_says_which_units(caplog):
    X = XU2004.astype(float).set_axis(["w", "x", "y", "z"]).assign(u5=[1.0, 2.0, np.nan, 4.0])
    with caplog.at_level(logging.WARNING, logger="zhengji_lab.weighting"):
        w = zl.weighting.entropy(X, dropna=True)
    assert "dropped 1 unit(s) with missing values: 'y'" in caplog.text
    assert_allclose(w, zl.weighting.entropy(X.drop(index="y")))
    assert not w.isna().any()


def test_input_frame_is_not_modified():
    X = XU2004.astype(float).assign(flat=3.0)
    before = X.copy()
    zl.weighting.entropy(X)
    zl.weighting.entropy(X, normalise="minmax", shift=0.0001)
    pd.testing.assert_frame_equal(X, before)
