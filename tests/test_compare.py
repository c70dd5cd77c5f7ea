"""Tests of zhengji_lab.compare: rank comparison, importance, effective weights, Cronbach's alpha
and correlation flags."""
from itertools import combinations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import DATA, TAI
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

import zhengji_lab as zl

plt.switch_backend("Agg")
FAST = settings(max_examples=40, deadline=None)
# without a CJK font matplotlib warns for every Chinese glyph it rasterises (see plots.py)
pytestmark = [pytest.mark.filterwarnings("ignore:Glyph .* missing from font"),
              pytest.mark.filterwarnings("ignore:The set_bad function:PendingDeprecationWarning")]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _units(n):
    return [f"u{i:02d}" for i in range(n)]


# --------------------------------------------------------------------------------------------
# compare_rankings
# --------------------------------------------------------------------------------------------

def _tau_b(x, y):
    """Kendall's tau-b by brute force over all pairs (Kendall 1945, eq. for tau_b)."""
    conc = disc = tx = ty = 0
    for i, j in combinations(range(len(x)), 2):
        dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        if dx == 0 and dy == 0:
            continue
        if dx == 0:
            tx += 1
        elif dy == 0:
            ty += 1
        elif dx == dy:
            conc += 1
        else:
            disc += 1
    return (conc - disc) / np.sqrt((conc + disc + tx) * (conc + disc + ty))


def test_correlations_match_scipy_and_brute_force_tau_b():
    """Spearman against scipy.stats.spearmanr, Kendall tau-b against scipy.stats.kendalltau and
    a brute-force tau-b (Kendall 1945), on scores with many ties."""
    rng = np.random.default_rng(7)
    units = _units(40)
    schemes = {n: pd.Series(rng.integers(0, 12, size=40).astype(float), index=units)
               for n in ("a", "b", "c")}
    cmp = zl.compare_rankings(schemes)
    assert len(cmp.frame) == 3
    for row in cmp.frame.itertuples():
        x, y = schemes[row.scheme_a].to_numpy(), schemes[row.scheme_b].to_numpy()
        assert_allclose(row.spearman, stats.spearmanr(x, y).statistic, rtol=1e-12)
        assert_allclose(row.kendall, stats.kendalltau(x, y).statistic, rtol=1e-12)
        assert_allclose(row.kendall, _tau_b(x, y), rtol=1e-12)


def test_hand_computed_shifts_overlap_and_ties():
    # ranks a: u1 1, u2 2, u3 2, u4 4, u5 5 ; b: u1 3, u2 1, u3 2, u4 5, u5 4
    a = pd.Series({"u1": 9.0, "u2": 7.0, "u3": 7.0, "u4": 3.0, "u5": 1.0})
    b = pd.Series({"u1": 5.0, "u2": 8.0, "u3": 6.0, "u4": 1.0, "u5": 2.0})
    cmp = zl.compare_rankings({"a": a, "b": b}, top_k=2)
    assert cmp.ranks["a"].tolist() == [1, 2, 2, 4, 5]
    assert cmp.shifts["b"].tolist() == [2, -1, 0, 1, -1]
    row = cmp.frame.iloc[0]
    assert row["mean_abs_shift"] == pytest.approx(1.0)
    assert row["max_abs_shift"] == 2
    # a's top 2 (ties "min") is {u1, u2, u3}; b's top 2 is {u2, u3}
    assert row["top_k_overlap"] == pytest.approx(2 / 3)
    assert cmp.reference == "a" and list(cmp.shifts.columns) == ["b"]


@FAST
@given(st.lists(st.integers(0, 20), min_size=3, max_size=25), st.randoms(use_true_random=False))
def test_identical_rankings_and_unit_order(values, rnd):
    """Identical rankings give Spearman 1, shift 0, overlap 1; unit order does not matter;
    a monotone map of the scores changes nothing."""
    units = _units(len(values))
    s = pd.Series(np.array(values, dtype=float), index=units)
    cmp = zl.compare_rankings({"ref": s, "same": np.exp(s / 5)}, top_k=3)
    row = cmp.frame.iloc[0]
    if s.nunique() > 1:
        assert row["spearman"] == pytest.approx(1.0) and row["kendall"] == pytest.approx(1.0)
    assert row["mean_abs_shift"] == 0 and row["max_abs_shift"] == 0
    assert row["top_k_overlap"] == 1.0
    other = pd.Series(np.array(values[::-1], dtype=float) + 0.5, index=units)
    order = units.copy()
    rnd.shuffle(order)
    base = zl.compare_rankings({"ref": s, "other": other}).frame
    perm = zl.compare_rankings({"ref": s[order], "other": other[order]}).frame
    pd.testing.assert_frame_equal(base, perm)


@FAST
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.sampled_from("xyz")),
                min_size=4, max_size=30))
def test_ranks_and_statistics_within_groups(rows):
    units = _units(len(rows))
    a = pd.Series([float(r[0]) for r in rows], index=units)
    b = pd.Series([float(r[1]) for r in rows], index=units)
    groups = pd.Series([r[2] for r in rows], index=units)
    cmp = zl.compare_rankings({"a": a, "b": b}, groups=groups, top_k=2)
    for g in groups.unique():
        m = groups == g
        alone = zl.compare_rankings({"a": a[m], "b": b[m]}, top_k=2)
        pd.testing.assert_frame_equal(cmp.ranks[m], alone.ranks)
        mine = cmp.frame[cmp.frame["group"] == g].drop(columns="group").reset_index(drop=True)
        theirs = alone.frame.drop(columns="group")
        pd.testing.assert_frame_equal(mine, theirs)
    pooled = cmp.frame[cmp.frame["group"] == "all"].iloc[0]
    assert pooled["n_units"] == len(rows)
    assert pooled["mean_abs_shift"] == pytest.approx(float(cmp.shifts["b"].abs().mean()))
    per = cmp.frame[(cmp.frame["group"] != "all") & cmp.frame["spearman"].notna()]
    if len(per):
        expected = np.average(per["spearman"], weights=per["n_units"])
        assert pooled["spearman"] == pytest.approx(expected)


def test_nan_scores_are_left_out_pairwise():
    units = _units(6)
    a = pd.Series([6, 5, 4, 3, 2, 1.0], index=units)
    b = pd.Series([6, 5, np.nan, 3, 1, 2.0], index=units)
    cmp = zl.compare_rankings({"a": a, "b": b})
    row = cmp.frame.iloc[0]
    assert row["n_units"] == 5
    assert pd.isna(cmp.ranks.loc["u02", "b"])
    ok = b.notna()
    assert row["spearman"] == pytest.approx(stats.spearmanr(a[ok], b[ok]).statistic)


def test_grade_changes_from_dict_callable_and_frames():
    units = _units(4)
    a = pd.Series([4, 3, 2, 1.0], index=units)
    b = pd.Series([3, 4, 2, 1.0], index=units)
    ga = pd.Series(["一等", "二等", "二等", "三等"], index=units)
    gb = pd.Series(["一等", "一等", "二等", "三等"], index=units)
    cmp = zl.compare_rankings({"a": a, "b": b}, grades={"a": ga, "b": gb})
    gc = cmp.grade_changes
    assert gc["unit_id"].tolist() == ["u01"]
    assert (gc["grade_reference"].iloc[0], gc["grade"].iloc[0]) == ("二等", "一等")
    assert (gc["rank_reference"].iloc[0], gc["rank"].iloc[0]) == (2, 1)

    top_one = zl.compare_rankings({"a": a, "b": b},
                                  grades=lambda s: (s == s.max()).map({True: "一等",
                                                                       False: "二等"}))
    assert sorted(top_one.grade_changes["unit_id"]) == ["u00", "u01"]

    # Assessment.scores-like frames: node "index" rows are used, grades come along
    def frame(scores, grades):
        f = pd.DataFrame({"unit_id": units, "year": 2025, "node": "index", "score": scores.values,
                          "grade": grades.values})
        other = f.assign(node="economy", score=0.0)
        return pd.concat([f, other], ignore_index=True)

    cmp2 = zl.compare_rankings({"a": frame(a, ga), "b": frame(b, gb)})
    assert cmp2.grade_changes["unit_id"].tolist() == ["u01"]
    assert zl.compare_rankings({"a": a, "b": b}).grade_changes is None


def test_result_methods_and_plots():
    rng = np.random.default_rng(0)
    units = _units(8)
    schemes = {n: pd.Series(rng.normal(size=8), index=units) for n in ("基准", "熵权", "等权")}
    cmp = zl.compare_rankings(schemes, reference="熵权", top_k=3)
    assert cmp.frame["scheme_a"].iloc[0] == "熵权"
    corr = cmp.correlation()
    assert corr.shape == (3, 3) and np.allclose(np.diag(corr), 1)
    assert np.allclose(corr, corr.T)
    out = cmp.to_frame()
    out.loc[0, "spearman"] = 99
    assert cmp.frame.loc[0, "spearman"] != 99
    assert "熵权" in cmp.summary() and "<table" in cmp._repr_html_()
    ax = cmp.plot("bump", labels={"u00": "城关镇"})
    assert len(ax.get_lines()) == 8
    assert "城关镇" in [t.get_text() for t in ax.texts]
    ax = cmp.plot("heatmap")
    assert len(ax.texts) == 9
    with pytest.raises(ValueError, match="'kind' parameter of RankComparison.plot"):
        cmp.plot("pie")


def test_bump_plot_for_one_group():
    units = _units(6)
    groups = pd.Series(["town"] * 3 + ["park"] * 3, index=units)
    s = pd.Series(np.arange(6.0), index=units)
    cmp = zl.compare_rankings({"a": s, "b": -s}, groups=groups)
    assert len(cmp.plot("bump", group="park").get_lines()) == 3
    with pytest.raises(ValueError, match="'group' parameter"):
        cmp.plot("bump", group="agency")


def test_compare_rankings_errors():
    units = _units(3)
    s = pd.Series([1.0, 2, 3], index=units)
    with pytest.raises(ValueError, match="at least 2 schemes"):
        zl.compare_rankings({"a": s})
    with pytest.raises(ValueError, match="'reference' parameter .* must be one of"):
        zl.compare_rankings({"a": s, "b": s}, reference="c")
    with pytest.raises(ValueError, match="'top_k' parameter"):
        zl.compare_rankings({"a": s, "b": s}, top_k=0)
    with pytest.raises(ValueError, match="score different units"):
        zl.compare_rankings({"a": s, "b": s.iloc[:2]})
    with pytest.raises(ValueError, match="no peer group for 1 unit"):
        zl.compare_rankings({"a": s, "b": s}, groups=pd.Series(["x", "x"], index=units[:2]))
    with pytest.raises(TypeError, match="must be strings"):
        zl.compare_rankings({1: s, 2: s})
    with pytest.raises(ValueError, match="reserved for the pooled rows"):
        zl.compare_rankings({"a": s, "b": s}, groups=pd.Series("all", index=units))
    with pytest.raises(TypeError, match="non-numeric scores"):
        zl.compare_rankings({"a": s, "b": s.astype(str)})
    with pytest.raises(ValueError, match="without a 'score' column"):
        zl.compare_rankings({"a": s, "b": s.to_frame("value")})
    with pytest.raises(ValueError, match="holds 2 years"):
        zl.compare_rankings({"a": s, "b": pd.DataFrame({"unit_id": units, "year": [1, 2, 2],
                                                         "score": s.values})})
    with pytest.raises(ValueError, match="duplicated units"):
        zl.compare_rankings({"a": s, "b": pd.Series([1.0, 2, 3], index=["u00", "u00", "u01"])})
    with pytest.raises(TypeError, match="must be a Series of scores"):
        zl.compare_rankings({"a": s, "b": [1, 2, 3]})
    with pytest.raises(ValueError, match="no grades for scheme"):
        zl.compare_rankings({"a": s, "b": s}, grades={"a": s})


# --------------------------------------------------------------------------------------------
# importance
# --------------------------------------------------------------------------------------------

def test_importance_linear_composite_known_answer():
    """y = Σ a_i x_i with independent x: r_i² = a_i² var(x_i) / var(y) (Paruolo et al. 2013,
    section 3: for a linear index S_i = r_i²), and the correlation ratio equals it on linear
    data (the P-spline tends to the fitted line)."""
    rng = np.random.default_rng(11)
    n = 20000
    X = pd.DataFrame({"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 2, n),
                      "c": rng.normal(0, 1, n)})
    coef = {"a": 3.0, "b": 1.0, "c": 0.5}
    y = sum(coef[c] * X[c] for c in X)
    var = {"a": 1 / 12, "b": 4 / 12, "c": 1.0}
    expected = np.array([coef[c] ** 2 * var[c] for c in X]) / sum(coef[c] ** 2 * var[c]
                                                                   for c in X)
    p2 = zl.importance(X, y, method="pearson2")
    assert_allclose(p2["importance"], expected, atol=0.012)      # sampling SE ≈ 0.005
    head = X.iloc[:3000]
    cr = zl.importance(head, y[:3000], method="corr_ratio")
    assert_allclose(cr["importance"], zl.importance(head, y[:3000])["importance"], atol=0.002)


def test_corr_ratio_nonlinear_dependence():
    """y = x² on symmetric x: Pearson's r ≈ 0 but E[y|x] = y, so S = 1 (Paruolo et al. 2013,
    section 3.1 on nonlinearity)."""
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, 600)
    X = pd.DataFrame({"x": x, "noise": rng.normal(size=600)})
    y = pd.Series(x ** 2)
    p2 = zl.importance(X, y).set_index("indicator")["importance"]
    cr = zl.importance(X, y, method="corr_ratio").set_index("indicator")["importance"]
    assert p2["x"] < 0.02
    assert cr["x"] > 0.98
    assert cr["noise"] < 0.05


def test_corr_ratio_equals_grouped_eta_squared():
    """With a discrete indicator the correlation ratio is Pearson's (1903) eta² = between-group
    variance of y / total variance; the P-spline estimate must reproduce it."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, size=3000).astype(float)
    y = np.array([0, 3, 1, 4, 0.5, 2.0])[x.astype(int)] + rng.normal(size=3000)
    df = pd.DataFrame({"x": x, "y": y})
    eta2 = df.groupby("x")["y"].transform("mean").var(ddof=0) / df["y"].var(ddof=0)
    s = zl.importance(df[["x"]], df["y"], method="corr_ratio")["importance"].iloc[0]
    assert s == pytest.approx(eta2, abs=2e-3)


@FAST
@given(st.integers(0, 2 ** 32 - 1), st.floats(0.1, 10), st.floats(-5, 5))
def test_importance_invariant_to_affine_maps_and_unit_order(seed, scale, shift):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"], index=_units(40))
    y = X["a"] + X["b"] ** 2 + 0.3 * rng.normal(size=40)
    for method in ("pearson2", "corr_ratio"):
        base = zl.importance(X, y, method=method)
        moved = zl.importance(X.assign(a=scale * X["a"] + shift).iloc[::-1], y, method=method)
        assert_allclose(moved["importance"], base["importance"], rtol=1e-6, atol=1e-9)
        assert 0 <= base["importance"].min() and base["importance"].max() <= 1 + 1e-12


def test_importance_weights_share_ratio_and_missing():
    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.uniform(size=(100, 3)), columns=["a", "b", "c"])
    X.loc[3, "a"] = np.nan
    X["const"] = 1.0
    y = X[["a", "b", "c"]].mean(axis=1).fillna(0.5)
    w = {"a": 2, "b": 1, "c": 1, "const": 0, "economy": 0.5}     # extra key is ignored
    out = zl.importance(X, y, weights=w).set_index("indicator")
    assert_allclose(out["nominal"], [0.5, 0.25, 0.25, 0.0])
    assert out["share"].sum() == pytest.approx(1.0)
    assert out.loc["const", "importance"] == 0
    assert_allclose(out["ratio"][:3], (out["share"] / out["nominal"])[:3])
    assert out["importance"].notna().all()
    assert zl.importance(X, y)["nominal"].isna().all()


def test_importance_errors():
    X = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [2.0, 1, 4, 3, 5]})
    y = X.sum(axis=1)
    with pytest.raises(ValueError, match="'method' parameter of importance"):
        zl.importance(X, y, method="sobol")
    with pytest.raises(ValueError, match="no value for 1 unit"):
        zl.importance(X, y.iloc[:4])
    with pytest.raises(ValueError, match="is constant"):
        zl.importance(X, y * 0)
    with pytest.raises(ValueError, match="finite weights >= 0"):
        zl.importance(X, y, weights={"a": -1, "b": 1})
    with pytest.raises(ValueError, match="no weight for"):
        zl.importance(X, y, weights={"a": 1})
    with pytest.raises(TypeError, match="numeric indicator columns"):
        zl.importance(X.assign(c=list("abcde")), y)
    with pytest.raises(ValueError, match="at least 4 are needed"):
        zl.importance(X.iloc[:3], y)
    with pytest.raises(ValueError, match="'n_segments' parameter"):
        zl.importance(X, y, method="corr_ratio", n_segments=0)


# --------------------------------------------------------------------------------------------
# effective_weights
# --------------------------------------------------------------------------------------------

def _asem_tree():
    meta = pd.read_csv(DATA / "reference" / "asem_coinr" / "source" / "ASEM_iMeta.csv")
    meta = meta[meta["Type"].isin(["Indicator", "Aggregate"]) & meta["Parent"].notna()]
    return meta.rename(columns={"Parent": "parent", "iCode": "node", "Weight": "weight"})


def test_effective_weights_coinr_asem_structure():
    """COINr's get_eff_weights (R/weights.R) on its own example, ASEM (COINr vignette "Weights"):
    all weights 1, so an indicator's effective weight is 1/2 (sub-indices) × 1/#pillars of its
    sub-index × 1/#indicators of its pillar; effective weights sum to 1 per level (COINr's
    tests/testthat/test-weights.R)."""
    tree = _asem_tree()
    out = zl.effective_weights(None, tree).set_index("node")
    meta = tree.set_index("node")
    assert_allclose(out.groupby("level")["effective"].sum(), [1, 1, 1])
    assert out.loc["Conn", "level"] == 3 and out.loc["Physical", "level"] == 2
    n_in = meta.groupby("parent").size()
    for ind in ["LPI", "Renew", "NEET", "Embs"]:
        pillar = meta.loc[ind, "parent"]
        sub = meta.loc[pillar, "parent"]
        assert out.loc[ind, "effective"] == pytest.approx(0.5 / n_in[sub] / n_in[pillar])
    assert out.loc["LPI", "effective"] == pytest.approx(0.5 * 1 / 5 * 1 / 8)


def test_effective_weights_products_and_contribution():
    w = pd.DataFrame({"parent": ["index", "index", "eco", "eco", "soc", "soc", "soc"],
                      "node": ["eco", "soc", "gdp", "jobs", "health", "school", "air"],
                      "weight": [3, 1, 1, 3, 1, 1, 2]})
    out = zl.effective_weights(None, w).set_index("node")
    assert out.loc["gdp", "effective"] == pytest.approx(0.75 * 0.25)
    assert out.loc["air", "effective"] == pytest.approx(0.25 * 0.5)
    assert out.loc["eco", "nominal"] == pytest.approx(0.75)

    rng = np.random.default_rng(4)
    X = pd.DataFrame(rng.uniform(0, 100, size=(30, 5)),
                     columns=["gdp", "jobs", "health", "school", "air"])
    res = zl.effective_weights(X, w).set_index("node")
    # independent arithmetic aggregation up the tree
    eco = (1 * X["gdp"] + 3 * X["jobs"]) / 4
    soc = (X["health"] + X["school"] + 2 * X["air"]) / 4
    index = (3 * eco + soc) / 4
    expected_gdp = (0.75 * 0.25 * X["gdp"] / index).mean()
    assert res.loc["gdp", "contribution"] == pytest.approx(expected_gdp)
    assert res.loc["eco", "contribution"] == pytest.approx((0.75 * eco / index).mean())
    leaves = ["gdp", "jobs", "health", "school", "air"]
    assert res.loc[leaves, "contribution"].sum() == pytest.approx(1.0)

    flat = zl.effective_weights(X, pd.Series({c: 1.0 for c in leaves}))
    assert_allclose(flat["effective"], 0.2)
    assert flat["parent"].eq("index").all()


def _scoped(w: pd.DataFrame) -> pd.DataFrame:
    """Assessment.weights' scope columns from a compact 'group' column ("*" shared, "g" fitted
    in peer group g, "g/a;b" fitted in g on the units to which exactly a and b apply)."""
    group, _, kids = w["group"].str.partition("/").T.to_numpy()
    return w.drop(columns="group").assign(
        scope=["all" if g == "*" else "indicator_set" if k else "peer_group"
               for g, k in zip(group, kids)],
        peer_group=[None if g == "*" else g for g in group],
        indicator_set=[tuple(k.split(";")) if k else () for k in kids])


def test_effective_weights_per_peer_group():
    """Weights fitted per peer group (Assessment.weights' ``scope`` and ``peer_group``): each
    group's tree is its rows plus the shared rows, and contributions use that group's units."""
    compact = pd.DataFrame({"parent": ["index", "index", "eco", "eco", "eco", "eco", "soc"],
                            "node": ["eco", "soc", "gdp", "jobs", "gdp", "jobs", "health"],
                            "weight": [0.6, 0.4, 0.8, 0.2, 0.3, 0.7, 1.0],
                            "group": ["*", "*", "town", "town", "park", "park", "*"]})
    w = _scoped(compact).assign(group=compact["group"])
    out = zl.effective_weights(None, w.drop(columns="group"))
    assert list(out.columns[:2]) == ["group", "node"]
    town = out[out["group"] == "town"].set_index("node")["effective"]
    assert town["gdp"] == pytest.approx(0.6 * 0.8) and town["health"] == pytest.approx(0.4)
    park = out[out["group"] == "park"].set_index("node")["effective"]
    assert park["jobs"] == pytest.approx(0.6 * 0.7)

    rng = np.random.default_rng(8)
    units = _units(10)
    X = pd.DataFrame(rng.uniform(1, 100, size=(10, 3)), index=units,
                     columns=["gdp", "jobs", "health"])
    groups = pd.Series(["town"] * 6 + ["park"] * 4, index=units)
    res = zl.effective_weights(X, w.drop(columns="group"), groups=groups)
    alone = zl.effective_weights(X[groups == "park"],
                                 compact[compact["group"].isin(["*", "park"])].drop(columns="group"))
    got = res[res["group"] == "park"].drop(columns="group").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, alone)
    # shared weights and groups: contributions per group
    flat = zl.effective_weights(X, compact[compact["group"].isin(["*", "town"])].drop(columns="group"),
                                groups=groups)
    assert sorted(flat["group"].unique()) == ["park", "town"]
    with pytest.raises(ValueError, match="pass groups="):
        zl.effective_weights(X, w.drop(columns="group"))
    with pytest.raises(ValueError, match="no rows for peer group"):
        zl.effective_weights(X, w.drop(columns="group"), groups=groups.replace("park", "agency"))


def test_effective_weights_errors():
    w = pd.DataFrame({"parent": ["index", "index"], "node": ["a", "b"], "weight": [1.0, 1.0]})
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [0.5, 1.0]})
    with pytest.raises(ValueError, match="negative values in"):
        zl.effective_weights(X.assign(a=[-1.0, 2.0]), w)
    with pytest.raises(ValueError, match="missing \\['b'\\]"):
        zl.effective_weights(X[["a"]], w)
    with pytest.raises(ValueError, match="one root"):
        zl.effective_weights(None, w.assign(parent=["index", "other"]))
    with pytest.raises(ValueError, match="more than once"):
        zl.effective_weights(None, w.assign(node=["a", "a"]))
    with pytest.raises(ValueError, match="finite weights >= 0"):
        zl.effective_weights(None, w.assign(weight=[1.0, -1.0]))
    with pytest.raises(ValueError, match="sum to 0"):
        zl.effective_weights(None, w.assign(weight=[0.0, 0.0]))
    with pytest.raises(ValueError, match="needs columns 'parent', 'node', 'weight'"):
        zl.effective_weights(None, w.drop(columns="parent"))
    cyc = pd.DataFrame({"parent": ["index", "c", "b"], "node": ["a", "b", "c"],
                        "weight": [1.0, 1, 1]})
    with pytest.raises(ValueError, match="cycle"):
        zl.effective_weights(None, cyc)


# --------------------------------------------------------------------------------------------
# cronbach_alpha and correlation_flags
# --------------------------------------------------------------------------------------------

def _tai():
    return (pd.read_csv(TAI / "source" / "tai23_raw.csv")
            .set_index("iso3").drop(columns="country"))


def test_cronbach_alpha_oecd_handbook_table11():
    """OECD/JRC (2008) Handbook, Table 11 (p. 73): Cronbach's alpha on standardised items of the
    8 TAI indicators, 23 countries: alpha 0.70, corrected item-total correlations and alpha if
    deleted. The data (data/reference/oecd_tai_2008, see SOURCE.md) are printed values with the two
    log indicators rounded to 2 decimals, so correlations differ in the 3rd decimal: recomputed
    alpha 0.7035 (printed 0.70), item-total correlations within 0.006 (largest:
    electricity_log 0.608 vs 0.614, telephones_log 0.705 vs 0.701, royalties 0.531 vs 0.527),
    alpha if deleted within 0.0015."""
    table = pd.read_csv(TAI / "published" / "table11_cronbach_alpha.csv")
    items = table[table["indicator"] != "ALL"].set_index("indicator")
    res = zl.cronbach_alpha(_tai())
    assert res.n_units == 23 and res.n_items == 8 and res.standardised
    assert res.alpha == pytest.approx(0.70, abs=0.005)
    got = res.frame.set_index("item").loc[items.index]
    assert_allclose(got["item_total_corr"], items["corr_with_total_when_deleted"], atol=0.0065)
    assert_allclose(got["alpha_if_deleted"], items["alpha_if_deleted"], atol=0.0015)


@FAST
@given(st.integers(0, 2 ** 32 - 1), st.integers(2, 6), st.booleans())
def test_cronbach_alpha_independent_formulas(seed, k, standardised):
    """Standardised alpha = k r̄ / (1 + (k − 1) r̄) (the Spearman–Brown form, r̄ the mean
    inter-item correlation); raw alpha = k/(k−1) (1 − Σ var_i / var(Σ x_i)) (Cronbach 1951)."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=30)
    X = pd.DataFrame({f"x{i}": rng.uniform(0.5, 3) * (f + rng.normal(size=30)) for i in range(k)})
    res = zl.cronbach_alpha(X, standardised=standardised)
    if standardised:
        R = X.corr().to_numpy()
        rbar = (R.sum() - k) / (k * (k - 1))
        expected = k * rbar / (1 + (k - 1) * rbar)
    else:
        expected = k / (k - 1) * (1 - X.var().sum() / X.sum(axis=1).var())
    assert res.alpha == pytest.approx(expected, rel=1e-9, abs=1e-12)
    if k >= 3:
        for item, a in zip(res.frame["item"], res.frame["alpha_if_deleted"]):
            assert a == pytest.approx(zl.cronbach_alpha(X.drop(columns=item),
                                                        standardised=standardised).alpha)


def test_cronbach_alpha_missing_and_errors():
    X = _tai()[["internet", "telephones_log", "electricity_log"]].copy()
    X.iloc[0, 0] = np.nan
    with pytest.warns(UserWarning, match="1 of 23 units have a missing item"):
        res = zl.cronbach_alpha(X)
    assert res.n_units == 22
    assert "Cronbach" in res.summary() and "<table" in res._repr_html_()
    assert len(res.plot().patches) == 3
    with pytest.raises(ValueError, match="at least 2 items"):
        zl.cronbach_alpha(X[["internet"]])
    with pytest.raises(ValueError, match="constant over the units"):
        zl.cronbach_alpha(X.assign(internet=1.0))
    with pytest.raises(ValueError, match="at least 3 units"):
        zl.cronbach_alpha(X.iloc[1:3])


def test_correlation_flags_tai_dimensions():
    """TAI (OECD/JRC 2008, Table A.1 dimensions): internet and exports correlate negatively
    inside 'Diffusion of recent innovations' — the Handbook's example of an indicator (exports)
    that lowers the dimension's consistency (Table 11: alpha rises to 0.774 without it)."""
    X = _tai()
    dims = {"patents": "creation", "royalties": "creation", "internet": "recent",
            "exports": "recent", "telephones_log": "old", "electricity_log": "old",
            "schooling": "skills", "university": "skills"}
    flags = zl.correlation_flags(X, dims)
    pair = flags[(flags["item_a"] == "internet") & (flags["item_b"] == "exports")]
    assert pair["flag"].tolist() == ["negative_pair"]
    assert pair["correlation"].iloc[0] == pytest.approx(X["internet"].corr(X["exports"]))
    assert not flags["flag"].str.endswith("dimension").any()     # 2-indicator dimensions
    # with dimension scores given, every indicator is checked against its dimension
    scores = pd.DataFrame({d: X[[c for c, g in dims.items() if g == d]].rank().mean(axis=1)
                           for d in set(dims.values())})
    flags = zl.correlation_flags(X, dims, scores=scores, high=0.99, low=0.9)
    weak = flags[flags["flag"].isin(["weak_dimension", "negative_dimension"])]
    assert set(weak["item_b"]) <= set(dims.values()) and len(weak) > 0
    assert flags["note"].notna().all()


def test_correlation_flags_thresholds_and_errors():
    X = pd.DataFrame({"a": [1, 2, 3, 4, 5.0], "b": [1, 2, 3, 4, 5.5], "c": [2, 1, 4, 3, 5.0],
                      "d": [5, 4, 3, 2, 1.0]})
    flags = zl.correlation_flags(X, {"a": "p", "b": "p", "c": "p", "d": "q"}, high=0.95)
    assert flags[flags["flag"] == "collinear"][["item_a", "item_b"]].values.tolist() == [["a", "b"]]
    flags = zl.correlation_flags(X, {"a": "p", "b": "p", "c": "p", "d": "q"}, high=1.0, low=0.85)
    assert flags[flags["flag"] == "weak_dimension"]["item_a"].tolist() == ["c"]
    with pytest.raises(ValueError, match="no dimension for \\['d'\\]"):
        zl.correlation_flags(X, {"a": "p", "b": "p", "c": "p"})
    with pytest.raises(ValueError, match="-1 <= low <= high <= 1"):
        zl.correlation_flags(X, {c: "p" for c in X}, high=0.2, low=0.5)
    with pytest.raises(ValueError, match="'method' parameter of correlation_flags"):
        zl.correlation_flags(X, {c: "p" for c in X}, method="distance")
    with pytest.raises(ValueError, match="lacks dimension"):
        zl.correlation_flags(X, {c: "p" for c in X}, scores=pd.DataFrame({"q": X["a"]}))


def test_effective_weights_average_weights_fitted_per_indicator_set():
    """build() fits weights per peer group and indicator set (scope 'indicator_set'); within
    the group they are averaged and rescaled, so no dimension loses its indicators."""
    w = _scoped(pd.DataFrame({
        "parent": ["index", "index", "eco", "eco", "eco", "eco", "soc"],
        "node": ["eco", "soc", "gdp", "jobs", "gdp", "jobs", "health"],
        "weight": [0.5, 0.5, 1.0, 0.0, 0.5, 0.5, 1.0],
        "group": ["*", "*", "tp/gdp", "tp/gdp", "tp/gdp;jobs", "tp/gdp;jobs", "*"]}))
    out = zl.effective_weights(None, w, groups=pd.Series({"u1": "tp"}))
    eff = out.set_index("node")["effective"]
    assert eff["gdp"] == pytest.approx(0.5 * 0.75) and eff["jobs"] == pytest.approx(0.5 * 0.25)
    assert eff[["gdp", "jobs", "health"]].sum() == pytest.approx(1.0)


def test_compare_rankings_takes_assessments_whatever_the_root():
    import dataclasses

    ws = zl.datasets.load_tai()
    fw = ws.framework.replace({"index": "tai"})
    tai = dataclasses.replace(ws, framework=fw)
    s = zl.Scheme.from_yaml(ws.schemes["tai_handbook"])
    a = zl.build(tai, s, 2000)
    b = zl.build(tai, s.replace("aggregate.method", "geometric"), 2000)
    assert a.root == "tai"
    cmp = zl.compare_rankings({"ew": a, "geo": b})
    assert 0.5 < cmp.frame["spearman"].iloc[0] < 1.0
