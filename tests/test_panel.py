"""Tests of zhengji_lab.panel: Kendall's W, ICC, Krippendorff's alpha and the panel review."""
from __future__ import annotations

import io
import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

import zhengji_lab as zl

FAST = settings(max_examples=40, deadline=None)


# ---------------------------------------------------------------------------- strategies
@st.composite
def score_matrices(draw, min_rows=2, max_rows=6, min_cols=3, max_cols=7, levels=4):
    """Integer scores (so ties happen) with rows = raters, columns = items."""
    m = draw(st.integers(min_rows, max_rows))
    n = draw(st.integers(min_cols, max_cols))
    cells = draw(st.lists(st.integers(1, levels), min_size=m * n, max_size=m * n))
    X = np.array(cells, dtype=float).reshape(m, n)
    if np.all(X == X[:, :1]):  # every row constant: W undefined
        X[0, 0] += 1
    return X


# ============================================================================ Kendall's W
# NAG Library g08daf example program (data after Siegel 1956): 3 comparisons of 10 objects,
# with ties; published result "Kendall's coefficient = 0.828, Significance = 0.008".
NAG_G08DAF = np.array([
    [1.0, 4.5, 2.0, 4.5, 3.0, 7.5, 6.0, 9.0, 7.5, 10.0],
    [2.5, 1.0, 2.5, 4.5, 4.5, 8.0, 9.0, 6.5, 10.0, 6.5],
    [2.0, 1.0, 4.5, 4.5, 4.5, 4.5, 8.0, 8.0, 8.0, 10.0],
])


def test_kendall_w_nag_g08daf_siegel1956():
    """W with tie correction on the NAG g08daf example (Siegel 1956's tied rankings).

    NAG Library Manual, g08daf example results: W = 0.828, significance = 0.008. By hand:
    S = 591, Σ(t³ - t) = 12 + 18 + 84 = 114, W = 12·591 / (9·990 - 3·114) = 591/714.
    """
    r = zl.panel.kendall_w(NAG_G08DAF)
    assert_allclose(r.w, 591 / 714, rtol=1e-12)
    assert_allclose(r.w, 0.828, atol=5e-4)
    assert_allclose(r.p_value, 0.008, atol=5e-4)
    assert (r.df, r.n_raters, r.n_items) == (9, 3, 10)
    assert_allclose(r.chi2, 3 * 9 * 591 / 714, rtol=1e-12)
    assert r.ties_corrected
    # without the correction the denominator is 9·990 only: 12·591/8910 = 0.796
    assert_allclose(zl.panel.kendall_w(NAG_G08DAF, ties="ignore").w, 12 * 591 / 8910, rtol=1e-12)


def test_kendall_w_matches_scipy_friedman_on_nag_example():
    """χ² = m(n-1)W equals scipy.stats.friedmanchisquare (tie-corrected) on the same data."""
    r = zl.panel.kendall_w(NAG_G08DAF)
    ref = stats.friedmanchisquare(*NAG_G08DAF.T)
    assert_allclose(r.chi2, ref.statistic, rtol=1e-12)
    assert_allclose(r.p_value, ref.pvalue, rtol=1e-10)


@FAST
@given(score_matrices())
def test_kendall_w_equals_friedman_chi2_over_m_n_minus_1(X):
    """Independent implementation: W = χ²_F / (m(n-1)) with scipy's tie-corrected Friedman χ²."""
    r = zl.panel.kendall_w(X, from_scores=True)
    m, n = X.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = stats.friedmanchisquare(*X.T)
    assert_allclose(r.w, ref.statistic / (m * (n - 1)), rtol=1e-9, atol=1e-12)


@FAST
@given(score_matrices(), st.randoms(use_true_random=False))
def test_kendall_w_bounds_and_permutation_invariance(X, rnd):
    r = zl.panel.kendall_w(X, from_scores=True)
    assert 0.0 <= r.w <= 1.0
    rows = rnd.sample(range(X.shape[0]), X.shape[0])
    cols = rnd.sample(range(X.shape[1]), X.shape[1])
    assert_allclose(zl.panel.kendall_w(X[rows][:, cols], from_scores=True).w, r.w, rtol=1e-12)


@FAST
@given(st.integers(2, 6), st.permutations(list(range(1, 8))))
def test_kendall_w_identical_rankings_give_one(m, ranking):
    r = zl.panel.kendall_w(np.tile(ranking, (m, 1)))
    assert_allclose(r.w, 1.0, rtol=1e-12)
    assert_allclose(r.mean_spearman, 1.0, rtol=1e-12)


@FAST
@given(st.integers(3, 6), st.integers(3, 7), st.randoms(use_true_random=False))
def test_kendall_w_mean_spearman_identity_without_ties(m, n, rnd):
    """Kendall & Babington Smith (1939): mean pairwise Spearman = (mW - 1)/(m - 1), no ties."""
    R = np.array([rnd.sample(range(1, n + 1), n) for _ in range(m)], dtype=float)
    if np.all(R == R[0]):
        return
    r = zl.panel.kendall_w(R)
    rho = [stats.spearmanr(R[i], R[j]).statistic for i, j in itertools.combinations(range(m), 2)]
    assert_allclose(r.mean_spearman, np.mean(rho), rtol=1e-9, atol=1e-12)


def test_kendall_w_from_scores_and_labels():
    scores = pd.DataFrame({"a": [0.5, 0.4, 0.6], "b": [0.3, 0.4, 0.1], "c": [0.2, 0.2, 0.3]},
                          index=["e1", "e2", "e3"])
    r = zl.panel.kendall_w(scores, from_scores=True)
    ranks = scores.rank(axis=1)
    assert_allclose(r.w, zl.panel.kendall_w(ranks).w)
    assert list(r.mean_ranks.index) == ["a", "b", "c"]
    assert r.mean_ranks["a"] == pytest.approx((3 + 2.5 + 3) / 3)  # e2 ties a and b
    assert float(r) == r.w
    assert list(r.frame.columns) == ["w", "chi2", "df", "p_value", "n_raters", "n_items",
                                     "ties_corrected"]
    assert r.to_frame().equals(r.frame)
    assert "Kendall's W" in r.summary() and "<table" in r._repr_html_()


def test_kendall_w_errors():
    with pytest.raises(ValueError, match=r"rows 'e2' are not rankings.*from_scores=True"):
        zl.panel.kendall_w(pd.DataFrame([[1, 2, 3], [0.2, 0.5, 0.3]], index=["e1", "e2"]))
    with pytest.raises(ValueError, match="'ties' parameter of kendall_w\\(\\) must be one of"):
        zl.panel.kendall_w([[1, 2], [2, 1]], ties="average")
    with pytest.raises(ValueError, match="missing values for raters 1\\."):
        zl.panel.kendall_w([[1, 2, 3], [1, np.nan, 3]], from_scores=True)
    with pytest.raises(ValueError, match="at least 2 raters"):
        zl.panel.kendall_w([[1, 2, 3]])
    with pytest.raises(TypeError, match="2-D array"):
        zl.panel.kendall_w([1, 2, 3])
    with pytest.raises(TypeError, match="must hold numbers"):
        zl.panel.kendall_w(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}))
    with pytest.raises(ValueError, match="every rater gave every item the same rank"):
        zl.panel.kendall_w([[2, 2, 2], [2, 2, 2]])


# ============================================================================ ICC
# Shrout & Fleiss (1979), Table 2: 6 targets (rows) rated by 4 judges (columns).
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8],
                          [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], dtype=float)
# Estimates published by Shrout & Fleiss (1979) for these data, and 95% limits as printed by
# R psych::ICC on the same data (lower to 3 decimals, upper to 2).
SF_PUBLISHED = {
    "ICC(1,1)": (0.17, -0.133, 0.72), "ICC(2,1)": (0.29, 0.019, 0.76),
    "ICC(3,1)": (0.71, 0.342, 0.95), "ICC(1,k)": (0.44, -0.884, 0.91),
    "ICC(2,k)": (0.62, 0.071, 0.93), "ICC(3,k)": (0.91, 0.676, 0.99),
}


@pytest.mark.parametrize("kind", list(SF_PUBLISHED))
def test_icc_shrout_fleiss1979_table2(kind):
    """Shrout & Fleiss (1979) Table 2 data: ICC(1,1)=.17, (2,1)=.29, (3,1)=.71, (1,k)=.44,
    (2,k)=.62, (3,k)=.91; F = 1.79 on (5, 18) for the one-way model and 11.03 on (5, 15)
    otherwise, p = 0.164769 and 0.000135 (R psych::ICC / DescTools::ICC output)."""
    est, lo, hi = SF_PUBLISHED[kind]
    r = zl.panel.icc(SHROUT_FLEISS.T, kind)  # raters as rows
    assert_allclose(r.icc, est, atol=0.005)
    assert_allclose(r.ci_low, lo, atol=0.0005)
    assert_allclose(r.ci_high, hi, atol=0.005)
    if kind.startswith("ICC(1"):
        assert (r.df1, r.df2) == (5, 18)
        assert_allclose(r.f, 1.79, atol=0.005)
        assert_allclose(r.p_value, 0.164769, atol=5e-7)
    else:
        assert (r.df1, r.df2) == (5, 15)
        assert_allclose(r.f, 11.03, atol=0.005)
        assert_allclose(r.p_value, 0.000135, atol=5e-7)


def test_icc_mean_squares_match_statsmodels_anova():
    """Independent implementation: the two-way ANOVA of statsmodels gives the same mean squares."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    long = pd.DataFrame(SHROUT_FLEISS).stack().rename("y").reset_index()
    long.columns = ["target", "rater", "y"]
    table = sm.stats.anova_lm(smf.ols("y ~ C(target) + C(rater)", data=long).fit())
    ms = table["sum_sq"] / table["df"]
    anova = zl.panel.icc(SHROUT_FLEISS.T).anova
    assert_allclose(anova.loc["between_targets", "ms"], ms["C(target)"], rtol=1e-10)
    assert_allclose(anova.loc["between_raters", "ms"], ms["C(rater)"], rtol=1e-10)
    assert_allclose(anova.loc["residual", "ms"], ms["Residual"], rtol=1e-10)
    one_way = sm.stats.anova_lm(smf.ols("y ~ C(target)", data=long).fit())
    assert_allclose(anova.loc["within_targets", "ms"],
                    one_way.loc["Residual", "sum_sq"] / one_way.loc["Residual", "df"], rtol=1e-10)


@FAST
@given(st.integers(2, 5), st.integers(3, 8), st.integers(0, 2**32 - 1),
       st.sampled_from(zl.panel.ICC_KINDS))
@pytest.mark.filterwarnings("ignore:The 95% confidence interval of ICC")  # ICC(2,·), degenerate
def test_icc_properties(k, n, seed, kind):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(1, n)) + 0.5 * rng.normal(size=(k, n))
    r = zl.panel.icc(X, kind)
    ms = r.anova["ms"]
    regular = r.icc >= 0 and ms["between_raters"] >= ms["residual"]
    if not kind.startswith("ICC(2") or regular:
        # exact F intervals (ICC 1, 3) always cover; Satterthwaite's (ICC 2) where it is valid
        assert r.icc <= 1.0 + 1e-12
        assert r.ci_low <= r.icc <= r.ci_high
    # invariant to the order of raters and of targets
    assert_allclose(zl.panel.icc(X[::-1, ::-1], kind).icc, r.icc, rtol=1e-9, atol=1e-12)
    # consistency (ICC 3) ignores a rater's offset; absolute agreement (ICC 2) is pulled towards
    # 0 by it (a larger between-raters mean square in the denominator)
    Y = X.copy()
    Y[0] += 5.0
    if kind.startswith("ICC(3"):
        assert_allclose(zl.panel.icc(Y, kind).icc, r.icc, rtol=1e-9, atol=1e-12)
    if kind.startswith("ICC(2") and regular:
        assert abs(zl.panel.icc(Y, kind).icc) <= abs(r.icc) + 1e-12


@pytest.mark.parametrize("X, kind", [
    ([[1.3, 1.4, -0.4], [-1.3, -1.2, 0.2]], "ICC(2,1)"),  # interval undefined (NaN lower bound)
    ([[-0.3, 1.0, 0.9], [1.2, -0.2, 0.4], [0.6, 0.6, -0.2]], "ICC(2,k)"),  # estimate 3.34 > 1
])
def test_icc_warns_when_satterthwaite_interval_breaks_down(X, kind):
    """Shrout & Fleiss's ICC(2,·) interval is approximate; with 3 targets and raters who
    disagree more than chance it can miss its own estimate (as in R's psych and irr)."""
    with pytest.warns(UserWarning, match=r"does not contain the estimate.*ICC\(3,·\) has an "
                                         r"exact one"):
        zl.panel.icc(X, kind)


def test_icc_perfect_agreement_is_one():
    X = np.tile([1.0, 3.0, 2.0, 5.0], (3, 1))
    for kind in zl.panel.ICC_KINDS:
        r = zl.panel.icc(X, kind)
        assert_allclose([r.icc, r.ci_high], 1.0)
        assert r.p_value == 0.0
    assert zl.panel.icc(X, "ICC(3,1)").ci_low == 1.0


def test_icc_result_and_errors():
    r = zl.panel.icc(SHROUT_FLEISS.T, "ICC(3,1)", confidence=0.9)
    assert float(r) == r.icc and r.confidence == 0.9
    assert r.frame.loc[0, "kind"] == "ICC(3,1)"
    assert "ICC(3,1)" in r.summary() and "<table" in r._repr_html_()
    with pytest.raises(ValueError, match=r"'kind' parameter of icc\(\) must be one of"):
        zl.panel.icc(SHROUT_FLEISS.T, "ICC(A,1)")
    with pytest.raises(ValueError, match=r"'confidence' parameter of icc\(\)"):
        zl.panel.icc(SHROUT_FLEISS.T, confidence=95)
    with pytest.raises(ValueError, match="missing values"):
        zl.panel.icc([[1, 2, np.nan], [1, 2, 3]])
    with pytest.raises(ValueError, match="no variance"):
        zl.panel.icc([[1, 1, 1], [1, 1, 1]])


# ============================================================================ Krippendorff
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers
# (rows) × 12 units, "." = missing.
NAN = np.nan
KRIPP_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
])


@pytest.mark.parametrize("level, expected", [("nominal", 0.743), ("ordinal", 0.815),
                                             ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_alpha_krippendorff2011(level, expected):
    """Krippendorff (2011) example: α nominal .743, ordinal .815, interval .849,
    ratio .797. Unit 12 (one value) is not pairable: 11 units, n = 40 pairable values."""
    r = zl.panel.krippendorff_alpha(KRIPP_2011, level)
    assert_allclose(r.alpha, expected, atol=5e-4)
    assert (r.n_units, r.n_values, r.n_raters) == (11, 40, 4)
    assert_allclose(r.coincidence.to_numpy().sum(), 40)


def test_krippendorff_alpha_coincidence_matrix_krippendorff2011():
    """The paper's coincidence matrix for values 1..5 (Krippendorff 2011) and its
    nominal α = ((n-1) Σ o_cc - Σ n_c(n_c-1)) / (n(n-1) - Σ n_c(n_c-1)) = 904/1216 = .743."""
    r = zl.panel.krippendorff_alpha(KRIPP_2011, "nominal")
    t, f = 1 / 3, 4 / 3
    paper = np.array([[7, f, t, t, 0], [f, 10, f, t, 0], [t, f, 8, t, 0], [t, t, t, 4, 0],
                      [0, 0, 0, 0, 3]])
    assert_allclose(r.coincidence.to_numpy(), paper, rtol=1e-12)
    assert_allclose(r.coincidence.sum(axis=1).to_numpy(), [9, 13, 10, 5, 3])
    assert_allclose(r.alpha, (39 * 32 - 344) / (40 * 39 - 344), rtol=1e-12)


def test_krippendorff_alpha_krippendorff_package_example():
    """The 3 coders × 15 units example used by the `krippendorff` package's test suite (from
    Krippendorff's own illustration): nominal 0.691358, interval 0.810845."""
    data = [
        [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
        [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
        [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
    ]
    assert_allclose(zl.panel.krippendorff_alpha(data, "nominal").alpha, 0.691358, atol=5e-7)
    assert_allclose(zl.panel.krippendorff_alpha(data, "interval").alpha, 0.810845, atol=5e-7)


def _alpha_by_pairs(X: np.ndarray, level: str) -> float:
    """Independent α from the pairable values directly (Krippendorff 2011):
    D_o = Σ_u Σ_{i≠j in u} δ²/(m_u - 1) / n,
    D_e = Σ_{i≠j over all pairable values} δ² / (n(n-1))."""
    def d2(a, b):
        if level == "nominal":
            return float(a != b)
        if level == "interval":
            return (a - b) ** 2
        return 0.0 if a + b == 0 else ((a - b) / (a + b)) ** 2

    units = [col[~np.isnan(col)] for col in X.T]
    units = [u for u in units if len(u) >= 2]
    pooled = np.concatenate(units)
    n = len(pooled)
    d_o = sum(sum(d2(a, b) for i, a in enumerate(u) for j, b in enumerate(u) if i != j)
              / (len(u) - 1) for u in units) / n
    d_e = sum(d2(a, b) for i, a in enumerate(pooled) for j, b in enumerate(pooled)
              if i != j) / (n * (n - 1))
    return 1 - d_o / d_e


@st.composite
def reliability_data(draw):
    m = draw(st.integers(2, 4))
    n = draw(st.integers(2, 8))
    cells = draw(st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=m * n,
                          max_size=m * n))
    X = np.array([np.nan if c is None else c for c in cells], dtype=float).reshape(m, n)
    X[0, 0], X[1, 0] = 1.0, 2.0  # one pairable unit with two different values
    return X


@FAST
@given(reliability_data(), st.sampled_from(["nominal", "interval", "ratio"]))
def test_krippendorff_alpha_matches_pairwise_definition(X, level):
    r = zl.panel.krippendorff_alpha(X, level)
    assert_allclose(r.alpha, _alpha_by_pairs(X, level), rtol=1e-9, atol=1e-12)


@FAST
@given(reliability_data(), st.sampled_from(zl.panel.LEVELS), st.randoms(use_true_random=False))
def test_krippendorff_alpha_invariances(X, level, rnd):
    a = zl.panel.krippendorff_alpha(X, level).alpha
    assert a <= 1.0 + 1e-12
    rows = rnd.sample(range(X.shape[0]), X.shape[0])
    cols = rnd.sample(range(X.shape[1]), X.shape[1])
    assert_allclose(zl.panel.krippendorff_alpha(X[rows][:, cols], level).alpha, a, rtol=1e-9,
                    atol=1e-12)
    if level in ("nominal", "ordinal", "interval"):  # a positive affine map keeps α
        assert_allclose(zl.panel.krippendorff_alpha(3 * X + 7, level).alpha, a, rtol=1e-9,
                        atol=1e-12)


def test_krippendorff_alpha_perfect_agreement_and_errors():
    X = np.array([[1.0, 2, 3, NAN], [1, 2, 3, 4]])
    for level in zl.panel.LEVELS:
        assert zl.panel.krippendorff_alpha(X, level).alpha == pytest.approx(1.0)
    r = zl.panel.krippendorff_alpha(X)
    assert float(r) == r.alpha and r.level == "interval"
    assert "Krippendorff" in r.summary() and "<table" in r._repr_html_()
    with pytest.raises(ValueError, match=r"'level' parameter of krippendorff_alpha\(\)"):
        zl.panel.krippendorff_alpha(X, "metric")
    with pytest.raises(ValueError, match="at least one unit coded by two or more raters"):
        zl.panel.krippendorff_alpha([[1, NAN], [NAN, 2]])
    with pytest.raises(ValueError, match="negative values"):
        zl.panel.krippendorff_alpha([[-1, 2], [1, 2]], "ratio")
    with pytest.raises(ValueError, match="single value"):
        zl.panel.krippendorff_alpha([[2, 2], [2, 2]])


# ============================================================================ panel review
NODES = ["economy", "ecology", "livelihood", "safety"]


def consistent_matrix(w, nodes=NODES) -> pd.DataFrame:
    """a_ij = w_i / w_j: a perfectly consistent judgement matrix (CR = 0)."""
    w = np.asarray(w, dtype=float)
    return pd.DataFrame(w[:, None] / w[None, :], index=nodes, columns=nodes)


def budget_frame(points, nodes=NODES) -> pd.DataFrame:
    return pd.DataFrame({"points": np.asarray(points, dtype=float)}, index=nodes)


PANEL_W = {"li": [0.40, 0.30, 0.20, 0.10], "wang": [0.35, 0.35, 0.20, 0.10],
           "zhang": [0.45, 0.25, 0.20, 0.10], "zhao": [0.40, 0.25, 0.25, 0.10]}


def test_review_consistent_panel_aij_is_geometric_mean_of_weights():
    """Consistent matrices (a_ij = w_i/w_j) have CR 0, and their element-wise geometric mean is
    the consistent matrix of the experts' geometric-mean weights (Aczél & Saaty 1983), so AIJ
    and AIP both give g / Σg with g_i = Π_e w_ei^(1/m)."""
    panel = {e: consistent_matrix(w) for e, w in PANEL_W.items()}
    W = np.array(list(PANEL_W.values()))
    g = np.exp(np.log(W).mean(axis=0))
    expected = g / g.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a consistent panel raises no warning
        r = zl.panel.review(panel, name="index")
    assert r.kind == "ahp" and r.how == "aij" and r.nodes == tuple(NODES)
    assert_allclose(r.experts["cr"], 0.0, atol=1e-10)
    assert_allclose(r.experts["lambda_max"], 4.0, rtol=1e-10)
    assert r.experts["consistent"].all()
    assert_allclose(r.combined["weight"].to_numpy(), expected, rtol=1e-9)
    assert_allclose(r.combined_cr, 0.0, atol=1e-10)
    assert_allclose(r.weights.to_numpy(), W, rtol=1e-9)  # each expert's own weights come back
    aip = zl.panel.review(panel, how="aip")
    assert_allclose(aip.combined["weight"].to_numpy(), expected, rtol=1e-9)
    assert np.isnan(aip.combined_cr)
    # spread of the experts' weights per node
    assert_allclose(r.combined["sd"], W.std(axis=0, ddof=1), rtol=1e-9, atol=1e-12)
    assert_allclose(r.combined["min"], W.min(axis=0), rtol=1e-9)
    assert_allclose(r.combined["max"], W.max(axis=0), rtol=1e-9)
    q1, q3 = np.percentile(W, [25, 75], axis=0)
    assert_allclose(r.combined["iqr"], q3 - q1, rtol=1e-9, atol=1e-12)
    # tidy frame
    assert list(r.frame.columns) == ["expert", "node", "weight"]
    assert len(r.frame) == 16 and r.to_frame().equals(r.frame)


def test_review_flags_inconsistent_expert():
    panel = {e: consistent_matrix(w) for e, w in PANEL_W.items()}
    bad = consistent_matrix(PANEL_W["wang"])
    bad.loc["economy", "safety"], bad.loc["safety", "economy"] = 1 / 5, 5.0  # reversed judgement
    panel["wang"] = bad
    with pytest.warns(zl.errors.InconsistentJudgementWarning, match="expert 'wang'"):
        r = zl.panel.review(panel)
    assert not r.experts.loc["wang", "consistent"]
    assert r.experts.loc["wang", "cr"] > 0.10
    assert r.experts.drop("wang")["consistent"].all()
    assert "inconsistent: 'wang'" in r.summary()


def test_review_flags_far_off_expert_as_outlier():
    panel = {e: consistent_matrix(w) for e, w in PANEL_W.items()}
    panel["sun"] = consistent_matrix([0.10, 0.20, 0.30, 0.40])  # the reverse of the others
    r = zl.panel.review(panel)
    e = r.experts
    assert e["outlier"].tolist() == [False, False, False, False, True]
    assert e["distance"].idxmax() == "sun"
    assert e.loc["sun", "rank_corr_with_others"] == pytest.approx(-1.0)
    assert (e.drop("sun")["rank_corr_with_others"] > 0.5).all()
    assert "Furthest from the others 偏离最大: 'sun'" in r.summary()


def test_review_leave_one_out_matches_direct_computation_for_budgets():
    """distance_e = mean |w_e - mean of the other experts' points / 100| (independent numpy)."""
    pts = {"li": [40, 30, 20, 10], "wang": [30, 40, 20, 10], "zhang": [40, 20, 30, 10],
           "zhao": [10, 20, 30, 40]}
    r = zl.panel.review({e: budget_frame(p) for e, p in pts.items()})
    P = np.array(list(pts.values())) / 100
    assert r.kind == "budget" and r.how == "mean"
    assert_allclose(r.combined["weight"].to_numpy(), P.mean(axis=0), rtol=1e-12)
    for i, e in enumerate(pts):
        others = np.delete(P, i, axis=0).mean(axis=0)
        assert_allclose(r.experts.loc[e, "distance"], np.abs(P[i] - others).mean(), rtol=1e-12)
        assert_allclose(r.experts.loc[e, "rank_corr_with_others"],
                        stats.spearmanr(P[i], others).statistic, rtol=1e-12)
    assert r.experts.index[r.experts["outlier"]].tolist() == ["zhao"]
    assert r.experts["cr"].isna().all() and r.experts["consistent"].all()
    med = zl.panel.review({e: budget_frame(p) for e, p in pts.items()}, how="median")
    m = np.median(P, axis=0)
    assert_allclose(med.combined["weight"].to_numpy(), m / m.sum(), rtol=1e-12)


def test_review_agreement_equals_the_statistics_on_the_weights():
    pts = {"li": [40, 30, 20, 10], "wang": [30, 40, 20, 10], "zhang": [40, 20, 30, 10]}
    r = zl.panel.review({e: budget_frame(p) for e, p in pts.items()})
    W = pd.DataFrame(pts, index=NODES).T / 100
    a = r.agreement.set_index("measure")
    assert list(a.index) == ["kendall_w", "ICC(3,1)", "ICC(3,k)", "krippendorff_alpha"]
    kw = zl.panel.kendall_w(W, from_scores=True)
    assert_allclose([a.loc["kendall_w", "estimate"], a.loc["kendall_w", "p_value"]],
                    [kw.w, kw.p_value])
    for kind in ("ICC(3,1)", "ICC(3,k)"):
        ref = zl.panel.icc(W, kind)
        assert_allclose(a.loc[kind, ["estimate", "ci_low", "ci_high"]].to_numpy(float),
                        [ref.icc, ref.ci_low, ref.ci_high])
    assert_allclose(a.loc["krippendorff_alpha", "estimate"],
                    zl.panel.krippendorff_alpha(W, "interval").alpha)


def test_review_identical_experts_agree_perfectly():
    r = zl.panel.review({e: consistent_matrix(PANEL_W["li"]) for e in ["a", "b", "c"]})
    est = r.agreement.set_index("measure")["estimate"]
    assert_allclose(est.to_numpy(float), 1.0, rtol=1e-9)
    assert_allclose(r.experts["distance"], 0.0, atol=1e-12)
    assert not r.experts["outlier"].any()  # a tie for the largest distance flags nobody


@settings(max_examples=20, deadline=None)
@given(st.lists(st.lists(st.integers(1, 9), min_size=4, max_size=4), min_size=2, max_size=5),
       st.randoms(use_true_random=False))
def test_review_invariant_to_expert_order(raw, rnd):
    panel = {f"e{i}": consistent_matrix(np.array(w) / sum(w)) for i, w in enumerate(raw)}
    names = list(panel)
    shuffled = {e: panel[e] for e in rnd.sample(names, len(names))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = zl.panel.review(panel), zl.panel.review(shuffled)
    assert_allclose(a.combined["weight"], b.combined["weight"], rtol=1e-9)
    assert_allclose(a.experts.loc[names, "distance"], b.experts.loc[names, "distance"],
                    rtol=1e-9, atol=1e-12)
    assert_allclose(a.agreement["estimate"].to_numpy(float),
                    b.agreement["estimate"].to_numpy(float), rtol=1e-9, atol=1e-12,
                    equal_nan=True)
    assert_allclose(a.combined["weight"].sum(), 1.0)


def test_review_one_expert(caplog):
    with caplog.at_level("WARNING", logger="zhengji_lab.panel"):
        r = zl.panel.review({"li": budget_frame([40, 30, 20, 10])})
    assert "panel of one expert" in caplog.text
    assert r.agreement["estimate"].isna().all() and r.experts["distance"].isna().all()
    assert_allclose(r.combined["weight"].to_numpy(), [0.4, 0.3, 0.2, 0.1])


def test_review_node_order_follows_first_expert():
    m = consistent_matrix(PANEL_W["li"])
    shuffled = m.loc[NODES[::-1], NODES[::-1]]
    r = zl.panel.review({"li": m, "wang": shuffled})
    assert r.nodes == tuple(NODES)
    assert_allclose(r.weights.loc["wang"].to_numpy(), PANEL_W["li"], rtol=1e-9)


def test_review_errors():
    with pytest.raises(ValueError, match="panel has no expert"):
        zl.panel.review({})
    with pytest.raises(TypeError, match="must be a dict"):
        zl.panel.review([consistent_matrix(PANEL_W["li"])])
    odd = {e: budget_frame([25, 25, 25, 25]) for e in ["li", "wang", "zhang"]}
    odd["wang"] = budget_frame([50, 30, 20], nodes=["economy", "ecology", "party"])
    with pytest.raises(ValueError, match=r"expert 'wang' \(missing 'livelihood', 'safety'; "
                                         r"extra 'party'\)"):
        zl.panel.review(odd)
    mixed = {"li": budget_frame([25, 25, 25, 25]), "wang": consistent_matrix(PANEL_W["li"])}
    with pytest.raises(ValueError, match=r"experts 'wang' gave AHP matrices and experts "
                                         r"'li' gave point budgets"):
        zl.panel.review(mixed)
    with pytest.raises(ValueError, match="expert 'li' are neither an AHP matrix"):
        zl.panel.review({"li": pd.DataFrame({"pts": [1, 2]})})
    with pytest.raises(ValueError, match=r"'how' parameter of review\(\) must be one of "
                                         r"\{'aij', 'aip'\}. Got 'mean'"):
        zl.panel.review({"li": consistent_matrix(PANEL_W["li"])}, how="mean")
    short = {"li": budget_frame([40, 30, 20, 5])}  # sums to 95, not 100
    with pytest.raises(ValueError, match="'li' \\(sum 95\\)"):
        zl.panel.review(short)
    nonrecip = consistent_matrix(PANEL_W["li"])
    nonrecip.loc["economy", "ecology"] = 3.0
    with pytest.raises(ValueError, match="expert 'zhao'.*reciprocal"):
        zl.panel.review({"li": consistent_matrix(PANEL_W["li"]), "zhao": nonrecip})


def _workspace(judgements):
    fw = pd.DataFrame({"code": ["index", *NODES], "parent": ["", *["index"] * 4],
                       "level": [2, 1, 1, 1, 1], "direction": [1, 1, 1, 1, 1]})
    units = pd.DataFrame({"unit_id": ["a", "b"], "kind": ["town", "park"]})
    values = pd.DataFrame({"unit_id": ["a", "b"], "year": [2024, 2024],
                           "indicator": ["economy", "economy"], "value": [1.5, 2.0]})
    return zl.Workspace(fw, units, values, judgements=judgements)


def test_review_workspace_round_trip(tmp_path):
    """Judgements written to a workspace folder and loaded back review like the originals."""
    from zhengji_lab.workspace import load_workspace, write_workspace

    panel = {e: consistent_matrix(w) for e, w in PANEL_W.items()}
    ws = _workspace({"index": panel, "budgets": {"li": budget_frame([40, 30, 20, 10]),
                                                 "wang": budget_frame([30, 30, 30, 10])}})
    write_workspace(ws, tmp_path / "ws")
    loaded = load_workspace(tmp_path / "ws")
    r = zl.panel.review_workspace(loaded, "index")
    assert r.name == "index"
    assert_allclose(r.combined["weight"], zl.panel.review(panel).combined["weight"], rtol=1e-6)
    assert zl.panel.review_workspace(loaded, "budgets", how="median").kind == "budget"
    with pytest.raises(ValueError, match=r"judgement groups \['budgets', 'index'\]. Got 'pillars'"):
        zl.panel.review_workspace(loaded, "pillars")
    with pytest.raises(TypeError, match="must be a Workspace"):
        zl.panel.review_workspace({"index": panel}, "index")


def test_review_summary_html_and_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panel = {e: consistent_matrix(w) for e, w in PANEL_W.items()}
    panel["sun"] = consistent_matrix([0.10, 0.20, 0.30, 0.40])
    r = zl.panel.review(panel, name="index")
    text = r.summary()
    assert text.startswith("Panel review 专家组评审 'index': 5 experts, AHP pairwise matrices")
    assert "Kendall's W" in text and "ICC(3,k)" in text
    page = r._repr_html_()
    assert "<h4>" in page and page.count("<table") == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # missing CJK glyphs on a bare machine
        ax = r.plot(labels={"economy": "经济"})
    assert len(ax.patches) == len(NODES)  # one bar per node for the combined weight
    assert len(ax.collections) == 5  # one set of dots per expert
    assert ax.get_xticklabels()[0].get_text() == "经济"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ax.figure.savefig(io.BytesIO(), format="svg")  # renders every artist
    plt.close(ax.figure)
