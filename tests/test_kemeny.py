"""Condorcet–Kemeny–Young–Levenglick ranking as an aggregation (OECD/JRC Handbook 2008,
section 6.1.3, eqs. 6.3–6.4): exact against brute force, Condorcet and Pareto properties,
determinism, the size limit, and the method inside build."""
import itertools
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import zhengji_lab as zl
from zhengji_lab.pairwise import KEMENY_MAX_UNITS, copeland, kemeny, outranking

agg_module = sys.modules["zhengji_lab.pairwise"]


@st.composite
def problems(draw, max_units=6, max_indicators=5, missing=True):
    """Units × indicators with ties (few distinct values), optional gaps, and weights."""
    n = draw(st.integers(2, max_units))
    k = draw(st.integers(1, max_indicators))
    values = st.sampled_from([1.0, 2.0, 3.0]) if draw(st.booleans()) else \
        st.floats(0, 100, allow_nan=False)
    cell = st.one_of(values, st.just(np.nan)) if missing else values
    A = draw(arrays(np.float64, (n, k), elements=cell))
    w = draw(arrays(np.float64, k, elements=st.sampled_from([0.1, 0.2, 0.3, 1 / 6, 1 / 3, 0.5,
                                                             1.0])))
    return A, np.broadcast_to(w, (n, k)).copy()


def _objective(e: np.ndarray, order) -> float:
    """Σ e_jk over the ordered pairs (j above k) of ``order``; pairs not compared count 1/2."""
    e = np.where(np.isnan(e), 0.5, e)
    return sum(e[order[a], order[b]] for a in range(len(order)) for b in range(a + 1, len(order)))


def _objective_of_scores(e: np.ndarray, s: np.ndarray) -> float:
    """The objective of a ranking given by scores; tied units (indistinguishable) count 1/2."""
    e = np.where(np.isnan(e), 0.5, e)
    total = 0.0
    for j, k in itertools.combinations(range(len(s)), 2):
        total += e[j, k] if s[j] > s[k] else e[k, j] if s[k] > s[j] else 0.5
    return total


@settings(max_examples=150, deadline=None)
@given(problems())
def test_equals_brute_force_over_all_orderings(problem):
    """Eqs. 6.3–6.4: the ranking maximises Σ e_jk over its ordered pairs — the optimum of the
    integer programme equals the maximum over all n! orderings, and where that maximum is
    reached by one ordering only, the ranking is that ordering."""
    A, W = problem
    e = outranking(A, W)
    s = kemeny(A, W)
    objectives = {p: _objective(e, p) for p in itertools.permutations(range(len(A)))}
    best = max(objectives.values())
    assert _objective_of_scores(e, s) == pytest.approx(best, abs=1e-9)
    optimal = [p for p, v in objectives.items() if v >= best - 1e-9]
    if len(optimal) == 1:
        assert list(np.argsort(-s, kind="stable")) == list(optimal[0])
        assert len(set(s)) == len(s)
    # Copeland's scale: below minus above, summing to zero
    assert s.sum() == 0 and set(np.abs(s)) <= set(range(len(A)))


def test_condorcet_cycle_is_broken_at_its_weakest_link():
    """Three indicators (weights 0.3, 0.4, 0.3) rank a>b>c, b>c>a and c>a>b: e_ab = 0.6,
    e_bc = 0.7, e_ca = 0.7, a cycle on which Copeland ties everybody. Kemeny reverses the
    weakest majority (a over b): b > c > a with objective 0.7 + 0.7 + 0.4 = 1.8."""
    A = np.array([[3.0, 1.0, 2.0], [2.0, 3.0, 1.0], [1.0, 2.0, 3.0]])
    W = np.broadcast_to([0.3, 0.4, 0.3], A.shape)
    np.testing.assert_allclose(outranking(A, W)[[0, 1, 2], [1, 2, 0]], [0.6, 0.7, 0.7])
    assert copeland(A, W).tolist() == [0.0, 0.0, 0.0]
    assert kemeny(A, W).tolist() == [-2.0, 2.0, 0.0]
    X = pd.DataFrame(A, index=["a", "b", "c"], columns=["x", "y", "z"])
    out = zl.aggregate(X, {"x": 0.3, "y": 0.4, "z": 0.3}, method="kemeny")
    assert zl.rank(out).tolist() == [3, 1, 2]


@settings(max_examples=100, deadline=None)
@given(problems(max_units=12, max_indicators=6))
def test_condorcet_winner_is_first_and_loser_last(problem):
    """A unit that beats every other pairwise (e_jk > 1/2) is ranked first, alone; one beaten
    by every other is ranked last (Young and Levenglick 1978)."""
    A, W = problem
    e = outranking(A, W)
    s = kemeny(A, W)
    others = ~np.eye(len(A), dtype=bool)
    for j in range(len(A)):
        if (e[j][others[j]] > 0.5).all():
            assert s[j] == len(A) - 1
        if (e[j][others[j]] < 0.5).all():
            assert s[j] == -(len(A) - 1)


@settings(max_examples=100, deadline=None)
@given(problems(max_units=12, max_indicators=6, missing=False))
def test_unanimity(problem):
    """If every indicator ranks j above k, the Kemeny ranking puts j above k (complete data,
    one weight vector): exchanging them would raise the objective."""
    A, W = problem
    s = kemeny(A, W)
    for j, k in itertools.permutations(range(len(A)), 2):
        if (A[j] > A[k]).all():
            assert s[j] > s[k]


@settings(max_examples=100, deadline=None)
@given(problems(max_units=12, max_indicators=6), st.randoms(use_true_random=False),
       st.booleans())
def test_independent_of_row_order(problem, rnd, grouped):
    """Units enter the programme sorted by id, so shuffling the rows changes nothing — also
    with ties and several optimal rankings."""
    A, W = problem
    ids = [f"u{i:02d}" for i in range(len(A))]
    X = pd.DataFrame(A, index=ids, columns=[f"i{j}" for j in range(A.shape[1])])
    w = pd.Series(W[0], index=X.columns)
    g = pd.Series([i % 2 if grouped else 0 for i in range(len(A))], index=ids)
    perm = list(ids)
    rnd.shuffle(perm)
    a = zl.aggregate(X, w, method="kemeny", groups=g)
    b = zl.aggregate(X.loc[perm], w, method="kemeny", groups=g).reindex(ids)
    pd.testing.assert_series_equal(a, b)
    assert (a.groupby(g).sum() == 0).all()


@settings(max_examples=60, deadline=None)
@given(problems(max_units=8, max_indicators=4), st.integers(0, 7), st.integers(1, 3))
def test_indistinguishable_units_tie(problem, j, copies):
    """Units with the same values on every indicator (and the same weights) tie, and the
    others keep an optimal ranking."""
    A, W = problem
    j %= len(A)
    A2 = np.vstack([A] + [A[j:j + 1]] * copies)
    W2 = np.vstack([W] + [W[j:j + 1]] * copies)
    s = kemeny(A2, W2)
    assert len(set(s[[j, *range(len(A), len(A2))]])) == 1
    assert s.sum() == 0


def test_ties_and_units_without_score():
    """Units that are not ``ok`` (below min_coverage) get NaN and are nobody's opponent."""
    X = pd.DataFrame({"a": [3.0, 2.0, 1.0, 5.0], "b": [3.0, 1.0, 2.0, np.nan]},
                     index=["p", "q", "r", "s"])
    out = zl.aggregate(X, {"a": 1.0, "b": 1.0}, method="kemeny", min_coverage=1.0)
    assert out[["p", "q", "r"]].tolist() == [2.0, -1.0, -1.0] and np.isnan(out["s"])
    # q and r split their indicators and both lose to p: indistinguishable, so they tie
    assert zl.rank(out).tolist()[:3] == [1, 2, 2]
    # p and q tie pairwise but differ against r (e = 3/4 and 1): not interchangeable, both
    # orders are optimal, and the units are taken in the order of their ids
    Y = pd.DataFrame([[3.0, 3.0, 1.0, 1.0], [1.0, 1.0, 3.0, 3.0], [0.0, 0.0, 0.0, 2.0]],
                     index=["p", "q", "r"], columns=list("abcd"))
    w = dict.fromkeys("abcd", 1.0)
    assert zl.aggregate(Y, w, method="kemeny").tolist() == [2.0, 0.0, -2.0]
    assert zl.aggregate(Y.rename(index={"p": "q", "q": "p"}), w,
                        method="kemeny").tolist() == [0.0, 2.0, -2.0]


def test_size_limit_names_group_size_limit_and_fix():
    """A group whose units all outrank each other in a cycle (each indicator a rotation of one
    order: a regular tournament) above KEMENY_MAX_UNITS is refused before solving."""
    n = KEMENY_MAX_UNITS + 1
    A = (np.arange(n)[:, None] + np.arange(n)[None, :]) % n * 1.0
    ids = [f"town_{i:02d}" for i in range(n)]
    X = pd.DataFrame(A, index=ids, columns=[f"i{j}" for j in range(n)])
    g = pd.Series("towns_parks", index=ids)
    with pytest.raises(ValueError, match=(
            rf"Aggregating \['i0', .*\] …: Kemeny ranking of peer group 'towns_parks' \({n} units"
            rf"\): {n} of them outrank each other in cycles, more than KEMENY_MAX_UNITS = "
            rf"{KEMENY_MAX_UNITS} .* Use method 'copeland'")):
        zl.aggregate(X, dict.fromkeys(X.columns, 1.0), method="kemeny", groups=g)
    # the same units in two groups of about half the size are fine
    half = pd.Series(["a" if i < n // 2 else "b" for i in range(n)], index=ids)
    assert zl.aggregate(X, dict.fromkeys(X.columns, 1.0), method="kemeny", groups=half).notna().all()


def test_large_groups_without_cycles_need_no_programme(monkeypatch):
    """The limit is on the units that outrank each other in cycles: 300 units on correlated
    indicators without a cycle are ranked by the pairwise majorities alone (as Copeland)."""
    def refuse(*args, **kwargs):
        raise AssertionError("no integer programme expected")

    monkeypatch.setattr(agg_module, "_kemeny_order", refuse)
    rng = np.random.default_rng(0)
    base = np.sort(rng.random(300))
    A = base[:, None] + np.array([0.0, 0.001, 0.002])[None, :]
    A[::7, 1] = np.nan
    W = np.ones_like(A)
    np.testing.assert_array_equal(kemeny(A, W), copeland(A, W))


def test_solver_time_limit_gives_a_clear_error(monkeypatch):
    """If HiGHS stops before proving optimality the result would not be the Kemeny ranking:
    an error names the group and suggests Copeland."""
    monkeypatch.setattr(agg_module, "KEMENY_TIME_LIMIT", 0.0)
    A = np.array([[3.0, 1.0, 2.0], [2.0, 3.0, 1.0], [1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match=r"peer group .* was not solved .* 'copeland'"):
        kemeny(A, np.broadcast_to([0.3, 0.4, 0.3], A.shape))


def test_kemeny_in_build_on_tai():
    """TAI (OECD/JRC Handbook 2008; 23 countries, one group) aggregated by Kemeny at every
    node: scores on Copeland's scale sum to zero, and at the root no ranking of the dimension
    scores beats it — it is at least as good as the arithmetic-mean and Copeland orders."""
    ws = zl.load_workspace("data/reference/oecd_tai_2008")
    s = zl.Scheme.from_yaml("data/reference/oecd_tai_2008/schemes/tai_handbook.yaml")
    a = zl.build(ws, s.replace("aggregate.method", "kemeny"), 2000)
    nodes = a.stage("nodes")
    root = a.root
    parents = sorted(set(ws.framework["parent"].dropna()) - {""})
    assert (nodes[parents].sum().abs() < 1e-9).all()
    kids = list(ws.framework.loc[ws.framework["parent"] == root, "code"])
    A = nodes[kids].to_numpy(dtype=float)
    e = outranking(A, np.ones_like(A))
    got = _objective_of_scores(e, nodes[root].to_numpy())
    ar = zl.build(ws, s, 2000).stage("nodes")[root].to_numpy()
    assert got >= _objective_of_scores(e, ar) - 1e-9
    assert got >= _objective_of_scores(e, copeland(A, np.ones_like(A))) - 1e-9
    ranks = a.scores[a.scores["node"] == root]["rank"]
    assert ranks.min() == 1 and ranks.notna().all()
