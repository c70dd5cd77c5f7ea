"""Aggregation and ranking: known answers and properties (Handbook 2008, section 6.2)."""
import itertools

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


# -- generalised (power) mean: OECD/JRC Handbook 2008, section 6; COINr's a_genmean ------------

with_gaps = arrays(np.float64, st.tuples(st.integers(2, 10), st.integers(1, 6)),
                   elements=st.one_of(st.floats(0.5, 100, allow_nan=False), st.just(np.nan)))


def _frame(A):
    return pd.DataFrame(A, index=[f"u{i}" for i in range(A.shape[0])],
                        columns=[f"i{j}" for j in range(A.shape[1])])


@settings(max_examples=60, deadline=None)
@given(with_gaps, st.data())
def test_power_mean_special_cases_are_the_classical_means(A, data):
    """Handbook 2008, section 6: the generalised mean with p = 1, 0, -1 is the arithmetic,
    geometric and harmonic mean, with the same reweighting over the indicators a unit has."""
    X = _frame(A)
    w = pd.Series(data.draw(arrays(np.float64, A.shape[1], elements=st.floats(0.01, 1))),
                  index=X.columns)
    cov = data.draw(st.sampled_from([0.0, 0.5]))
    for p, method in [(1, "arithmetic"), (0, "geometric"), (-1, "harmonic"), (1.0, "arithmetic")]:
        got = zl.aggregate(X, w, method="power_mean", p=p, min_coverage=cov)
        want = zl.aggregate(X, w, method=method, min_coverage=cov)
        pd.testing.assert_series_equal(got, want, rtol=1e-12, atol=0)


@settings(max_examples=50, deadline=None)
@given(positive, st.data())
def test_power_mean_increases_with_p_between_min_and_max(A, data):
    """The power-mean inequality (Hardy, Littlewood and Pólya 1934, theorem 16): M_p <= M_q
    for p < q, all between the smallest and the largest value."""
    X = _frame(A)
    w = pd.Series(data.draw(arrays(np.float64, A.shape[1], elements=st.floats(0.01, 1))),
                  index=X.columns)
    ps = sorted(data.draw(st.lists(st.floats(-20, 20), min_size=2, max_size=4)))
    means = [zl.aggregate(X, w, method="power_mean", p=p) for p in ps]
    for lo, hi in itertools.pairwise(means):
        assert (lo <= hi * (1 + 1e-9)).all()
    assert (means[0] >= X.min(axis=1) * (1 - 1e-9)).all()
    assert (means[-1] <= X.max(axis=1) * (1 + 1e-9)).all()


def test_power_mean_known_values_as_coinr_a_genmean():
    """COINr's a_genmean(x, w, p) = (sum(w x^p) / sum(w))^(1/p), worked by hand."""
    X = pd.DataFrame({"a": [1.0, 4.0, 2.0], "b": [4.0, 4.0, np.nan], "c": [9.0, 1.0, 8.0]},
                     index=["u1", "u2", "u3"])
    w = {"a": 1.0, "b": 1.0, "c": 2.0}
    got = zl.aggregate(X, w, method="power_mean", p=0.5)
    assert got["u1"] == pytest.approx(((1 + 2 + 2 * 3) / 4) ** 2)
    assert got["u2"] == pytest.approx(((2 + 2 + 2 * 1) / 4) ** 2)
    assert got["u3"] == pytest.approx(((np.sqrt(2) + 2 * np.sqrt(8)) / 3) ** 2)  # b missing
    got2 = zl.aggregate(X, w, method="power_mean", p=2)
    assert got2["u1"] == pytest.approx(np.sqrt((1 + 16 + 2 * 81) / 4))
    # a large exponent tends to the largest value instead of overflowing
    big = zl.aggregate(X, w, method="power_mean", p=400)
    np.testing.assert_allclose(big, X.max(axis=1), rtol=0.01)
    small = zl.aggregate(X, w, method="power_mean", p=-400)
    np.testing.assert_allclose(small, X.min(axis=1), rtol=0.01)


def test_power_mean_odd_integer_p_keeps_the_sign():
    """For odd integer p the power and the real root keep the sign (x^3 and its cube root are
    increasing), so negative values are allowed: (0.5·(-2)^3 + 0.5·1)^(1/3) = -3.5^(1/3)."""
    X = pd.DataFrame({"a": [-2.0, 1.0], "b": [1.0, 1.0]}, index=["u1", "u2"])
    got = zl.aggregate(X, {"a": 0.5, "b": 0.5}, method="power_mean", p=3)
    assert got["u1"] == pytest.approx(-np.cbrt(3.5)) and got["u2"] == pytest.approx(1.0)
    pd.testing.assert_series_equal(zl.aggregate(X, {"a": 1, "b": 1}, method="power_mean", p=1),
                                   zl.aggregate(X, {"a": 1, "b": 1}))


@pytest.mark.parametrize("value, p, needs", [
    (0.0, 0, r"power mean with p = 0 needs positive values"),
    (0.0, -1, r"power mean with p = -1 needs positive values"),
    (-3.0, -0.5, r"needs positive values"),
    (-3.0, 0.5, r"p = 0.5 needs values >= 0"),
    (-3.0, 2, r"p = 2 needs values >= 0 \(negative values only with an odd integer p\)"),
])
def test_power_mean_outside_its_domain_names_unit_indicator_and_fix(value, p, needs):
    X = pd.DataFrame({"a": [value, 1.0], "b": [2.0, 3.0]}, index=["town_03", "t2"])
    with pytest.raises(ValueError, match=needs + r".*unit 'town_03' has .* for 'a'.*"
                       r"(\[1, 100\]|\[0, 100\])"):
        zl.aggregate(X, {"a": 1.0, "b": 1.0}, method="power_mean", p=p)
    # a cell with weight 0 does not count
    zl.aggregate(X, {"a": 0.0, "b": 1.0}, method="power_mean", p=p)


def test_power_mean_zero_is_fine_for_positive_p():
    """0^p = 0 for p > 0: (0.5·0 + 0.5·2)^2 = 1 (COINr's a_genmean asks for positive values
    throughout; only p <= 0 needs them)."""
    X = pd.DataFrame({"a": [0.0, 4.0], "b": [4.0, 4.0]}, index=["u1", "u2"])
    assert zl.aggregate(X, {"a": 1, "b": 1}, method="power_mean", p=0.5).tolist() == [1.0, 4.0]


def test_power_mean_needs_p():
    """The exponent is required and must be a finite real number (sklearn-style message)."""
    X = pd.DataFrame({"a": [1.0], "b": [2.0]})
    with pytest.raises(ValueError, match=r"'p' parameter of aggregate\(\) is required .*p=0.5"):
        zl.aggregate(X, {"a": 1, "b": 1}, method="power_mean")
    for bad in (np.inf, "2", True):
        with pytest.raises(ValueError, match=r"'p' parameter .* finite real number"):
            zl.aggregate(X, {"a": 1, "b": 1}, method="power_mean", p=bad)
    # p is ignored by the other methods
    assert zl.aggregate(X, {"a": 1, "b": 1}, p=7).tolist() == [1.5]


def test_power_mean_in_build_equals_the_classical_means(sample_ws, baseline):
    """aggregate.p reaches build: power_mean with p = 1 / 0 builds the arithmetic / geometric
    scheme (sample city, min-max on [1, 100])."""
    s = baseline.replace("normalise.method", "minmax").replace("normalise.scale", [1, 100])
    for p, method in [(1, "arithmetic"), (0, "geometric")]:
        got = zl.build(sample_ws, s.replace("aggregate", {"method": "power_mean", "p": p,
                                                          "min_coverage": 0.66}), 2025)
        want = zl.build(sample_ws, s.replace("aggregate.method", method), 2025)
        pd.testing.assert_frame_equal(got.stage("nodes"), want.stage("nodes"), rtol=1e-12)
        assert got.scores["rank"].equals(want.scores["rank"])
    half = zl.build(sample_ws, s.replace("aggregate", {"method": "power_mean", "p": 0.5,
                                                       "min_coverage": 0.66}), 2025)
    lo, hi = (zl.build(sample_ws, s.replace("aggregate.method", m), 2025).stage("nodes")
              for m in ("geometric", "arithmetic"))
    mid = half.stage("nodes")["index"]
    ok = mid.notna()
    assert ok.sum() > 30
    assert (lo["index"][ok] <= mid[ok] + 1e-9).all() and (mid[ok] <= hi["index"][ok] + 1e-9).all()


# -- Copeland: exact ties (Handbook 2008, eq. 6.2) -------------------------------------------

def test_copeland_three_three_split_is_a_tie_whatever_the_weight_scale():
    """Six indicators, each unit better on three: a tie, with weights 1/6 as with weights 1
    (1/6 summed three times is not 1/2 in floating point)."""
    X = pd.DataFrame([[2.0, 2.0, 2.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]],
                     index=["a", "b"], columns=[f"i{j}" for j in range(6)])
    for w in (1.0, 1 / 6, 0.1):
        assert zl.aggregate(X, dict.fromkeys(X.columns, w), method="copeland").tolist() == \
            [0.0, 0.0]
    # 0.1 + 0.2 against 0.3: a tie as well
    Y = pd.DataFrame({"x": [2.0, 1.0], "y": [2.0, 1.0], "z": [1.0, 2.0]}, index=["a", "b"])
    assert zl.aggregate(Y, {"x": 0.1, "y": 0.2, "z": 0.3}, method="copeland").tolist() == \
        [0.0, 0.0]


def test_copeland_scores_sum_to_zero_on_asem():
    """COINr's ASEM example (data/reference/asem_coinr) aggregated by Copeland: the scores of
    every node sum to zero within each peer group (the instit pillar summed to +288 when 50/50
    pairs counted as a win for both sides)."""
    ws = zl.load_workspace("data/reference/asem_coinr")
    s = zl.Scheme.from_yaml("data/reference/asem_coinr/schemes/asem_coinr.yaml")
    a = zl.build(ws, s.replace("aggregate.method", "copeland"), 2018)
    nodes = a.stage("nodes")
    parents = sorted(set(ws.framework["parent"].dropna()) - {""})
    groups = ws.units.set_index("unit_id")["peer_group"].reindex(nodes.index)
    sums = nodes[parents].groupby(groups).sum()
    assert (sums == 0).all().all(), sums


@settings(max_examples=60, deadline=None)
@given(with_gaps, st.data())
def test_copeland_sums_to_zero_within_groups(A, data):
    """Each comparison gives +1 to one side and -1 to the other (or 0 to both), so the scores
    of a peer group sum to zero — for any data, weights (also per unit) and grouping."""
    X = _frame(A)
    if data.draw(st.booleans()):
        w = pd.DataFrame(data.draw(arrays(np.float64, A.shape, elements=st.sampled_from(
            [0.0, 0.1, 0.2, 0.3, 1 / 6, 1 / 3, 1.0]))), index=X.index, columns=X.columns)
    else:
        w = pd.Series(data.draw(arrays(np.float64, A.shape[1], elements=st.floats(0.01, 1))),
                      index=X.columns)
    g = pd.Series(data.draw(arrays(np.int64, A.shape[0], elements=st.integers(0, 2))),
                  index=X.index)
    cov = data.draw(st.sampled_from([0.0, 0.5, 1.0]))
    s = zl.aggregate(X, w, method="copeland", groups=g, min_coverage=cov)
    assert (s.groupby(g).sum().abs() < 1e-12).all()
    assert ((s.dropna() % 1) == 0).all()


@pytest.mark.parametrize("method", ["geometric", "harmonic"])
def test_a_value_with_weight_zero_does_not_count(method):
    """A value <= 0 on an indicator of weight 0 neither raises nor takes the score away
    (review of issue 8; as before the shared array core)."""
    X = pd.DataFrame({"a": [0.0, -1.0, 2.0], "b": [4.0, 4.0, 4.0]})
    assert zl.aggregate(X, {"a": 0.0, "b": 1.0}, method=method).tolist() == [4.0, 4.0, 4.0]
