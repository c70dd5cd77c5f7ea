"""Expected performance (value added): OLS, Morris's empirical Bayes, the composite's noise."""
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

import zhengji_lab as zl
from zhengji_lab.effects.value_added import (
    VERDICTS,
    composite_noise,
    effective_unit_weights,
    pm_tau2,
    value_added,
)
from zhengji_lab.errors import BuildError
from zhengji_lab.workspace import Workspace

COVARIATES = ["eco_redline_share", "industrial_base", "population"]


@pytest.fixture(scope="module")
def assessment(sample_ws):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # the panel's inconsistent AHP experts
        return zl.build(sample_ws, "baseline", year=2025)


def tiny(values: np.ndarray, *, kinds=None, extra=None):
    """A one-level workspace: ``values`` units × indicators, equal weights, one peer group."""
    n, m = values.shape
    codes = [f"x{j}" for j in range(m)]
    fw = pd.DataFrame({"code": ["index", *codes], "parent": ["", *["index"] * m],
                       "level": [2, *[1] * m], "direction": 1})
    units = pd.DataFrame({"unit_id": [f"u{i:02d}" for i in range(n)],
                          "kind": kinds if kinds is not None else ["town"] * n,
                          "peer_group": "g", **(extra or {})})
    long = pd.DataFrame({"unit_id": np.repeat(units["unit_id"], m), "year": 2025,
                         "indicator": codes * n, "value": values.ravel()})
    ws = Workspace(fw, units, long)
    return ws, zl.Scheme.from_dict({"name": "demo", "peer_groups": "peer_group"})


def test_coefficients_and_r2_equal_statsmodels_ols(assessment):
    """Expected scores are statsmodels' OLS fit of the composite on the conditions."""
    va = value_added(assessment, covariates=COVARIATES)
    units = assessment.units.set_index("unit_id")
    tp = units.index[units["peer_group"] == "towns_parks"]
    y = assessment.index[tp]
    fit = sm.OLS(y, sm.add_constant(units.loc[tp, COVARIATES])).fit()
    coef = va.coefficients[va.coefficients["peer_group"] == "towns_parks"].set_index("term")
    assert_allclose(coef["estimate"][["const", *COVARIATES]], fit.params[["const", *COVARIATES]],
                    rtol=1e-9, atol=1e-9)
    row = va.groups.set_index("peer_group").loc["towns_parks"]
    assert_allclose([row["r2"], row["adj_r2"]], [fit.rsquared, fit.rsquared_adj], rtol=1e-10)
    frame = va.frame.set_index("unit_id").loc[tp]
    assert_allclose(frame["expected"], fit.fittedvalues[tp], rtol=1e-10)
    assert_allclose(frame["residual"], fit.resid[tp], atol=1e-9)


def test_tau2_intercept_only_equals_statsmodels_paule_mandel(assessment):
    """With only the intercept, τ² is the Paule–Mandel estimate of statsmodels'
    ``combine_effects(method_re="pm")`` on the residuals with variances s_i² (Paule and Mandel
    1982; DerSimonian and Kacker 2007, Contemp. Clin. Trials 28:105-114, appendix 8).

    statsmodels' iteration returns 0 when a step overshoots, which rounding makes happen below
    a tolerance of about 1e-10 here; 1e-8 on the estimating equation is well converged."""
    va = value_added(assessment, covariates=[])
    frame = va.frame.dropna(subset=["residual"])
    checked = 0
    for g, sub in frame.groupby("peer_group"):
        ref = combine_effects(sub["residual"].to_numpy(), sub["se"].to_numpy() ** 2,
                              method_re="pm", atol=1e-8, maxiter=1000)
        tau2 = va.groups.set_index("peer_group").loc[g, "tau2"]
        assert_allclose(tau2, ref.tau2, rtol=1e-7, atol=1e-9)
        checked += tau2 > 0
        # with the intercept only the expected score is the peer-group mean
        assert_allclose(sub["expected"], sub["score"].mean(), rtol=1e-12)
    assert checked >= 3          # agency, institution, towns_parks have τ² > 0 here


def test_tau2_with_covariates_solves_the_generalised_q(assessment):
    """Morris (1983) / Paule–Mandel: the weighted residual sum of squares of the WLS fit with
    weights 1/(s_i² + τ²) (statsmodels WLS ``ssr``) equals n − p at τ̂² > 0."""
    va = value_added(assessment, covariates=COVARIATES)
    units = assessment.units.set_index("unit_id")
    sub = va.frame[va.frame["peer_group"] == "towns_parks"].set_index("unit_id")
    tau2 = va.groups.set_index("peer_group").loc["towns_parks", "tau2"]
    assert tau2 > 0
    X = sm.add_constant(units.loc[sub.index, COVARIATES])
    wls = sm.WLS(sub["score"], X, weights=1.0 / (sub["se"] ** 2 + tau2)).fit()
    assert_allclose(wls.ssr, len(sub) - X.shape[1], rtol=1e-8)


def test_shrinkage_and_intervals(assessment):
    """value_added = B r with B = τ²/(τ² + s²); posterior sd sqrt(B s²); normal interval; the
    verdict follows the interval (Goldstein and Spiegelhalter 1996, section 3)."""
    va = value_added(assessment, covariates=COVARIATES, level=0.9)
    f = va.frame.merge(va.groups[["peer_group", "tau2"]], on="peer_group")
    B = f["tau2"] / (f["tau2"] + f["se"] ** 2)
    assert_allclose(f["shrinkage"], B, rtol=1e-12)
    assert_allclose(f["value_added"], B * f["residual"], rtol=1e-12, atol=1e-12)
    assert_allclose(f["posterior_sd"], np.sqrt(B) * f["se"], rtol=1e-12)
    z = stats.norm.ppf(0.95)
    assert_allclose(f["ci_high"] - f["value_added"], z * f["posterior_sd"], rtol=1e-10)
    expected = np.where(f["ci_low"] > 0, VERDICTS["better"],
                        np.where(f["ci_high"] < 0, VERDICTS["worse"], VERDICTS["as"]))
    assert (f["verdict"] == expected).all()
    assert set(f["verdict"]) >= {VERDICTS["better"], VERDICTS["worse"]}


def test_equal_noise_known_answer(assessment):
    """With the same s² for every unit the weights are equal, WLS is OLS, and the Paule–Mandel
    equation gives τ² = RSS/(n − p) − s² in closed form (truncated at 0)."""
    units = assessment.index.index
    for s2 in (4.0, 1e6):
        va = value_added(assessment, covariates=COVARIATES,
                         noise=pd.Series(s2, index=units))
        sub = va.frame[va.frame["peer_group"] == "towns_parks"]
        rss = float((sub["residual"] ** 2).sum())
        tau2 = max(rss / (len(sub) - 1 - len(COVARIATES)) - s2, 0.0)
        got = va.groups.set_index("peer_group").loc["towns_parks", "tau2"]
        assert_allclose(got, tau2, rtol=1e-8, atol=1e-10)
    assert (sub["value_added"] == 0).all() and (sub["verdict"] == VERDICTS["as"]).all()


def test_effective_weights_reproduce_the_composite(assessment):
    """For arithmetic aggregation the index before deductions is Σ_j w_ij x_ij with the
    effective weights of the unit (COINr's get_eff_weights, per unit with the coverage rule)."""
    W = effective_unit_weights(assessment)
    X = assessment.stage("normalised")
    root = assessment.stage("nodes")[assessment.root]
    scored = root.index[root.notna()]
    assert_allclose(W.loc[scored].sum(axis=1), 1.0, rtol=1e-12)
    assert_allclose((W * X.fillna(0.0)).loc[scored].sum(axis=1), root[scored], rtol=1e-10)


def test_noise_of_an_equal_weight_mean_is_the_squared_standard_error():
    """Known answer: equal weights 1/m over m items give s² = var(x, ddof=1)/m, the squared
    standard error of the mean."""
    rng = np.random.default_rng(3)
    ws, scheme = tiny(rng.normal(size=(8, 5)))
    a = zl.build(ws, scheme, 2025)
    X = a.stage("normalised")
    assert_allclose(composite_noise(a), X.var(axis=1, ddof=1) / 5, rtol=1e-10)


def test_missing_scores_are_listed_not_dropped():
    values = np.random.default_rng(1).normal(size=(8, 3))
    values[2, :2] = np.nan                      # coverage 1/3 < 0.66: no composite
    ws, scheme = tiny(values)
    va = value_added(zl.build(ws, scheme, 2025), covariates=[])
    assert len(va.frame) == 8
    row = va.frame.set_index("unit_id").loc["u02"]
    assert np.isnan(row["score"]) and row["verdict"] is None
    assert any("u02" in n and "without a score" in n for n in va.notes)
    assert va.frame["verdict"].notna().sum() == 7


def test_noise_given_overrides(assessment):
    s2 = pd.Series(np.linspace(1, 50, len(assessment.index)), index=assessment.index.index)
    va = value_added(assessment, covariates=[], noise=s2)
    assert va.noise == "given"
    assert_allclose(va.frame.set_index("unit_id")["se"] ** 2, s2[va.frame["unit_id"]].to_numpy())


def test_bad_input(assessment):
    with pytest.raises(BuildError, match="No covariate .*'rainfall'.*covariate_table"):
        value_added(assessment, covariates=["rainfall"])
    with pytest.raises(BuildError, match="no variance for 1 scored unit"):
        value_added(assessment, noise=pd.Series(1.0, index=assessment.index.index[1:]))
    with pytest.raises(BuildError, match="finite variances >= 0"):
        value_added(assessment, noise=pd.Series(-1.0, index=assessment.index.index))
    with pytest.raises(BuildError, match="number in \\(0, 1\\)"):
        value_added(assessment, level=95)
    # 6 institutions (or enterprises) cannot carry 4 covariates
    rng = np.random.default_rng(0)
    Z = pd.DataFrame(rng.normal(size=(len(assessment.index), 4)), index=assessment.index.index,
                     columns=list("abcd"))
    with pytest.raises(BuildError, match="'(institution|enterprise)' has 6 scored unit.*at least covariates "
                                         "\\+ 3 = 7.*at most 3 names"):
        value_added(assessment, covariates=Z)
    with pytest.raises(BuildError, match="'area_km2' is missing for 1 unit.*town_yunxi"):
        Z = assessment.units.set_index("unit_id")[["area_km2"]].copy()
        Z.loc["town_yunxi", "area_km2"] = np.nan
        value_added(assessment, covariates=Z)


def test_default_covariates_and_notes(assessment):
    va = value_added(assessment)
    g = va.groups.set_index("peer_group")
    assert g.loc["towns_parks", "n_covariates"] >= 5 and g.loc["agency", "n_covariates"] == 1
    assert any("'agency'" in n and "without values" in n for n in va.notes)
    assert va.frame["verdict"].notna().all()


@pytest.mark.filterwarnings("ignore:Glyph")
def test_plot(assessment):
    va = value_added(assessment, covariates=[])
    fig = va.plot()
    assert len(fig.axes) == va.groups.shape[0]
    assert "Value added" in fig.axes[-1].get_xlabel()
    plt.close(fig)


@settings(max_examples=60, deadline=None)
@given(st.integers(4, 15), st.integers(0, 2), st.integers(0, 2**32 - 1),
       st.floats(0.1, 30.0))
def test_pm_tau2_properties(n, k, seed, scale):
    """τ² ≥ 0; at τ² > 0 the generalised Q equals n − p; τ² does not change when a vector of
    the column space is added to y (scores or residuals give the same τ²) and scales with c²."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, k))])
    s2 = rng.uniform(0.1, 4.0, n)
    y = X @ rng.normal(size=k + 1) + rng.normal(0, scale, n) + rng.normal(0, np.sqrt(s2))
    tau2 = pm_tau2(y, s2, X)
    assert tau2 >= 0
    if tau2 > 0:
        w = 1 / (s2 + tau2)
        wls = sm.WLS(y, X, weights=w).fit()
        assert_allclose(wls.ssr, n - k - 1, rtol=1e-6)
    shifted = y + X @ rng.normal(size=k + 1)
    assert_allclose(pm_tau2(shifted, s2, X), tau2, rtol=1e-6, atol=1e-9)
    assert_allclose(pm_tau2(3.0 * y, 9.0 * s2, X), 9.0 * tau2, rtol=1e-6, atol=1e-9)
    B = tau2 / (tau2 + s2)
    assert ((B >= 0) & (B <= 1)).all()
