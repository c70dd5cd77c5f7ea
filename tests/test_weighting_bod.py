"""Benefit of the doubt: known answers, the LP's defining properties, restrictions, bad input.
The Handbook's TAI ranks (Table 23) are checked in test_weighting_tai.py."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose
from scipy.optimize import linprog

import zhengji_lab as zl

units_data = arrays(float, st.tuples(st.integers(2, 12), st.integers(1, 4)),
                    elements=st.floats(0.05, 10.0))


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.integers(1, 15),
              elements=st.one_of(st.just(0.0), st.floats(1e-3, 100.0))))
def test_one_indicator_is_x_over_max(x):
    """With one indicator the BoD score is x / max(x) (Cherchye et al. 2007)."""
    if x.max() == 0:
        return
    res = zl.weighting.bod(pd.DataFrame({"a": x}))
    assert_allclose(res.scores.to_numpy(), x / x.max(), rtol=1e-9, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(units_data, st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1.0)), min_size=4,
                           max_size=4))
def test_score_at_least_any_fixed_weights_relative_to_best(A, w):
    """BoD_i ≥ CI_i(w) / max_k CI_k(w) for every w ≥ 0: the benefit of the doubt."""
    w = np.array(w[:A.shape[1]])
    if w.sum() == 0:
        return
    res = zl.weighting.bod(pd.DataFrame(A))
    ci = A @ w
    assert (res.scores.to_numpy() >= ci / ci.max() - 1e-9).all()
    # and each unit's own weights achieve its score while no unit exceeds 1 under them
    W = res.weights.to_numpy()
    assert_allclose((A * W).sum(1), res.scores.to_numpy(), atol=1e-9)
    assert (A @ W.T <= 1 + 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(units_data, st.randoms(use_true_random=False))
def test_unit_order_does_not_change_scores_or_weights(A, rnd):
    X = pd.DataFrame(A, index=[f"u{i}" for i in range(len(A))])
    order = list(X.index)
    rnd.shuffle(order)
    a, b = zl.weighting.bod(X), zl.weighting.bod(X.loc[order])
    assert_allclose(b.scores.reindex(a.scores.index), a.scores, atol=1e-9)
    assert_allclose(b.weights.reindex(a.weights.index), a.weights, atol=1e-7)
    assert_allclose(b.mean_weights, a.mean_weights, atol=1e-7)


def test_scores_match_an_independent_lp():
    """Each score equals the dual DEA programme min Σλ s.t. Σ_k λ_k x_k ≥ x_i, λ ≥ 0."""
    rng = np.random.default_rng(2)
    A = rng.uniform(0.1, 1, size=(15, 4))
    res = zl.weighting.bod(pd.DataFrame(A))
    dual = [linprog(np.ones(15), A_ub=-A.T, b_ub=-A[i], method="highs").fun for i in range(15)]
    assert_allclose(res.scores.to_numpy(), dual, rtol=1e-8)


def test_peer_groups_equal_separate_runs():
    rng = np.random.default_rng(4)
    X = pd.DataFrame(rng.uniform(0.1, 1, size=(10, 3)), index=[f"u{i}" for i in range(10)],
                     columns=list("abc"))
    groups = pd.Series(["town"] * 6 + ["park"] * 4, index=X.index)
    res = zl.weighting.bod(X, groups=groups)
    for g in ("town", "park"):
        alone = zl.weighting.bod(X[groups == g])
        assert_allclose(res.scores[groups == g], alone.scores, rtol=1e-9)
    assert res.scores[groups == "park"].max() == pytest.approx(1.0)


def test_weight_restrictions_hold():
    rng = np.random.default_rng(6)
    X = pd.DataFrame(rng.uniform(0.05, 1, size=(12, 4)), columns=list("abcd"))
    free = zl.weighting.bod(X)
    on_weights = zl.weighting.bod(X, bounds=(0.15, 0.40))
    rel = on_weights.weights.div(on_weights.weights.sum(axis=1), axis=0)
    assert ((rel >= 0.15 - 1e-9) & (rel <= 0.40 + 1e-9)).all().all()
    on_shares = zl.weighting.bod(X, bounds={"a": (0.1, 0.5), "b": (0.1, 0.5), "c": (0.1, 0.5),
                                            "d": (0.0, 1.0)}, bounds_on="shares")
    sh = on_shares.shares[["a", "b", "c"]]
    assert ((sh >= 0.1 - 1e-9) & (sh <= 0.5 + 1e-9)).all().all()
    assert_allclose(on_shares.shares.sum(axis=1), 1.0)
    # restrictions can only lower the benefit of the doubt
    assert (on_weights.scores <= free.scores + 1e-9).all()
    assert (on_shares.scores <= free.scores + 1e-9).all()
    assert_allclose(on_weights.mean_weights.sum(), 1.0)
    assert list(on_weights.to_frame().columns) == ["w_a", "w_b", "w_c", "w_d", "score"]


@pytest.mark.parametrize("X, kw, match", [
    (pd.DataFrame({"a": [1.0, -1.0], "b": [1.0, 2.0]}), {}, "columns 'a' have negative"),
    (pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]}), {"bounds": (0.6, 0.9)},
     "lower bounds sum to 1.2"),
    (pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]}), {"bounds": (0.5, 0.4)},
     "0 <= lo <= hi <= 1"),
    (pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]}), {"bounds": {"a": (0, 1)}},
     "no \\(lo, hi\\) for 'b'"),
    (pd.DataFrame({"a": [0.0, 2.0], "b": [1.0, 2.0]}, index=["u1", "u2"]),
     {"bounds": (0.2, 0.8), "bounds_on": "shares"}, "cannot give units 'u1' a positive share"),
    (pd.DataFrame({"a": [0.0, 0.0], "b": [1.0, 2.0], "c": [1.0, 1.0]}),
     {"bounds": {"a": (0.0, 1.0), "b": (0.1, 0.4), "c": (0.1, 0.4)}},
     "group '\\(all units\\)' only 2 indicators.*upper to 0.8"),
    (pd.DataFrame({"a": [1.0, 2.0]}, index=["u1", "u2"]), {"groups": {"u1": "x"}},
     "no group for units 'u2'"),
    (pd.DataFrame({"a": [1.0, 2.0]}), {"bounds_on": "pies"},
     r"'bounds_on' parameter of bod\(\) must be one of \{'weights', 'shares'\}"),
])
def test_bod_bad_input(X, kw, match):
    with pytest.raises(ValueError, match=match):
        zl.weighting.bod(X, **kw)


def test_indicator_zero_for_a_whole_group_gets_weight_zero(caplog):
    """A small peer group whose units all score 0 on an indicator: no information there, so
    weight 0 in that group (logged), and the scores are those without the indicator."""
    import logging

    X = pd.DataFrame({"a": [0.2, 0.9, 0.0, 0.0], "b": [0.5, 0.4, 0.3, 0.6]},
                     index=["t1", "t2", "p1", "p2"])
    groups = {"t1": "town", "t2": "town", "p1": "park", "p2": "park"}
    with caplog.at_level(logging.INFO, logger="zhengji_lab.weighting"):
        res = zl.weighting.bod(X, groups=groups)
    assert "indicator(s) 'a' are 0 for every unit of group 'park'" in caplog.text
    assert (res.weights.loc[["p1", "p2"], "a"] == 0).all()
    assert_allclose(res.scores[["p1", "p2"]], [0.5, 1.0])
    alone = zl.weighting.bod(X.loc[["p1", "p2"], ["b"]])
    assert_allclose(res.scores[["p1", "p2"]], alone.scores)
    with_bounds = zl.weighting.bod(X, groups=groups, bounds=(0.0, 1.0))
    assert_allclose(with_bounds.scores, res.scores)


def test_unit_with_only_zeros_scores_zero():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [0.0, 2.0, 1.0]}, index=["z", "p", "q"])
    res = zl.weighting.bod(X)
    assert res.scores["z"] == 0.0 and (res.shares.loc["z"] == 0).all()
    assert_allclose(res.mean_weights.sum(), 1.0)


# --- issue 8: one re-used HiGHS model per peer group, checked against the per-unit LP ---------

def linprog_scores(A, bounds=None, bounds_on="weights"):
    """Reference: one cold scipy.optimize.linprog per unit on the multiplier form (Cherchye et
    al. 2007, eq. 2; restrictions as in their section 4 and the Handbook's Table 23), every unit
    a constraint. The former implementation of bod(), kept here as the oracle."""
    n, m = A.shape
    scores = np.empty(n)
    for i, x in enumerate(A):
        A_ub, b_ub = A, np.ones(n)
        if bounds is not None:
            lo, hi = (np.broadcast_to(np.asarray(b, dtype=float), m) for b in bounds)
            base = np.ones(m) if bounds_on == "weights" else x
            own = np.diag(base)
            R = np.vstack([lo[:, None] * base[None, :] - own, own - hi[:, None] * base[None, :]])
            A_ub, b_ub = np.vstack([A, R]), np.r_[b_ub, np.zeros(2 * m)]
        res = linprog(-x, A_ub=A_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        assert res.status == 0, res.message
        scores[i] = -res.fun
    return np.minimum(scores, 1.0)


def _province(n=150, m=8, seed=8):
    """Min-max data with zeros, ties and duplicated units: many units on the frontier, so the
    column generation adds peers in several rounds and frontier units are found by others'
    LPs."""
    rng = np.random.default_rng(seed)
    A = rng.lognormal(0.0, 0.75, size=(n, m))
    A[:, :2] += A[:, 2:4] * 0.5         # some correlated indicators
    A = (A - A.min(0)) / (A.max(0) - A.min(0))
    A[rng.random((n, m)) < 0.05] = 0.0
    A[10:14] = A[3]                     # four copies of unit 3
    A[20, :] = 0.0                      # a unit with only zeros
    return pd.DataFrame(A, index=[f"u{i:03d}" for i in range(n)],
                        columns=[f"k{j}" for j in range(m)])


@pytest.mark.parametrize("kw", [{}, {"bounds": (0.05, 0.25)},
                                {"bounds": (0.0, 0.3), "bounds_on": "shares"}],
                         ids=["free", "weights", "shares"])
def test_scores_equal_the_per_unit_lp(kw):
    """Scores equal one linprog per unit (the pre-issue-8 path) to 1e-9; each unit's weights
    achieve its score, keep every unit of the group at or below 1 and meet the unit's own
    restrictions, also where they came from another unit's LP."""
    X = _province()
    res = zl.weighting.bod(X, **kw)
    A, W = X.to_numpy(), res.weights.to_numpy()
    assert_allclose(res.scores.to_numpy(), linprog_scores(A, **kw), rtol=0, atol=1e-9)
    assert_allclose((A * W).sum(axis=1), res.scores.to_numpy(), rtol=0, atol=1e-12)
    assert (A @ W.T <= 1 + 1e-12).all()
    assert ((A @ W.T).max(axis=0)[A.any(axis=1)] == pytest.approx(1.0, abs=1e-12))
    if "bounds" in kw:
        lo, hi = kw["bounds"]
        rel = (res.shares if kw.get("bounds_on") == "shares"
               else res.weights.div(res.weights.sum(axis=1), axis=0)).to_numpy()
        rel = rel[A.any(axis=1)]
        assert (rel >= lo - 1e-9).all() and (rel <= hi + 1e-9).all()
    # the four copies of unit 3 carry identical weights; the zero unit scores 0 with weights 0
    assert (res.weights.loc["u010":"u013"] == res.weights.loc["u003"]).all().all()
    assert res.scores["u020"] == 0.0 and (res.weights.loc["u020"] == 0).all()


def test_peer_groups_equal_the_per_unit_lp_within_each_group():
    X = _province(n=90, m=5, seed=3)
    groups = pd.Series(np.where(np.arange(90) % 3 == 0, "park", "town"), index=X.index)
    res = zl.weighting.bod(X, groups=groups, bounds=(0.1, 0.4))
    for g in ("park", "town"):
        A = X[groups == g].to_numpy()
        assert_allclose(res.scores[groups == g], linprog_scores(A, bounds=(0.1, 0.4)), atol=1e-9)


def test_highs_prints_nothing():
    """The library does not print (STYLE.md): highspy's banner would land in the stdout of the
    command-line tools. A fresh interpreter, since HiGHS prints it once per process."""
    code = ("import pandas as pd, zhengji_lab as zl; "
            "zl.weighting.bod(pd.DataFrame({'a': [1.0, 2.0], 'b': [2.0, 1.0]}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout == ""


bounds_kw = st.sampled_from([{}, {"bounds": (0.1, 0.6)}, {"bounds": (0.0, 0.7)},
                             {"bounds": (0.05, 0.8), "bounds_on": "shares"}])


def _feasible(kw, m):
    """``kw`` where its bounds can be met by m indicators (lo·m ≤ 1 ≤ hi·m), else no bounds."""
    lo, hi = kw.get("bounds", (0.0, 1.0))
    return kw if lo * m <= 1 <= hi * m else {}
positive = arrays(float, st.tuples(st.integers(2, 14), st.integers(2, 4)),
                  elements=st.floats(0.05, 10.0))


@settings(max_examples=60, deadline=None)
@given(positive, bounds_kw)
def test_scores_equal_per_unit_lp_on_any_data(A, kw):
    """The re-used model and the cold per-unit LP agree (Cherchye et al. 2007, eq. 2)."""
    kw = _feasible(kw, A.shape[1])
    res = zl.weighting.bod(pd.DataFrame(A), **kw)
    assert_allclose(res.scores.to_numpy(), linprog_scores(A, **kw), rtol=0, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(positive, st.sampled_from([{}, {"bounds": (0.1, 0.6)}]))
def test_scores_in_0_1_and_someone_on_the_frontier(A, kw):
    """On positive data every score is in (0, 1] and, without restrictions or with the same
    restrictions on every unit's weights, the unit best under any unit's weights scores 1."""
    s = zl.weighting.bod(pd.DataFrame(A), **kw).scores.to_numpy()
    assert (s > 0).all() and (s <= 1).all()
    assert s.max() == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(positive, st.lists(st.floats(1e-3, 1e3), min_size=4, max_size=4),
       st.sampled_from([{}, {"bounds": (0.05, 0.8), "bounds_on": "shares"}]))
def test_scores_free_of_column_units(A, factors, kw):
    """Rescaling an indicator (another unit of measurement) leaves the scores unchanged when
    nothing restricts the weights themselves: free weights, or pie shares, which are
    unit-free (Cherchye et al. 2007, section 4). Restrictions on w_j / Σw are not."""
    c = np.array(factors[:A.shape[1]])
    a = zl.weighting.bod(pd.DataFrame(A), **kw)
    b = zl.weighting.bod(pd.DataFrame(A * c), **kw)
    assert_allclose(b.scores, a.scores, rtol=0, atol=1e-9)  # scores only: weights not unique


@settings(max_examples=40, deadline=None)
@given(units_data, bounds_kw, st.randoms(use_true_random=False))
def test_row_order_changes_nothing_bit_for_bit(A, kw, rnd):
    """Scores *and* the chosen weights depend on the data only, not on the order of the rows:
    the distinct rows are solved in an order fixed by their values."""
    kw = _feasible(kw, A.shape[1])
    A = np.vstack([A, A[:1]])  # a duplicated unit as well
    X = pd.DataFrame(A, index=[f"u{i}" for i in range(len(A))])
    groups = pd.Series(np.arange(len(A)) % 2, index=X.index).astype(str)
    order = list(X.index)
    rnd.shuffle(order)
    for g in (None, groups):
        a = zl.weighting.bod(X, groups=g, **kw)
        b = zl.weighting.bod(X.loc[order], groups=g, **kw)
        pd.testing.assert_series_equal(b.scores.reindex(a.scores.index), a.scores, rtol=0,
                                       atol=0)
        pd.testing.assert_frame_equal(b.weights.reindex(a.weights.index), a.weights, rtol=0,
                                      atol=0)
