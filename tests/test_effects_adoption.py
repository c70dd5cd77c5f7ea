"""adoption_effect: estimators against independent formulations, inference, the sample city, errors.

Oracles: statsmodels OLS with unit and year dummies (LSDV) for two-way fixed effects and its CRV1
errors; an explicit two-step with statsmodels for Gardner's estimator; pyfixest's saturated event
study and the cohort-by-cohort difference of means for Sun & Abraham; the wildboottest package
for the wild cluster restricted bootstrap. The numpy kernels (zhengji_lab.effects.kernels) that
make the bootstrap and permutations fast must equal them; the reported numbers are pyfixest's.
"""
from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import zhengji_lab as zl
from zhengji_lab.effects import kernels
from zhengji_lab.effects.adoption import AdoptionEffect, adoption_effect
from zhengji_lab.effects.estimators import (
    feols_options,
    fit_pyfixest,
    kernel_estimates,
    kernel_rows,
    make_design,
    restricted_resid,
)
from zhengji_lab.effects.panel import adoption_panel
from zhengji_lab.errors import (
    CircularEvidenceWarning,
    EffectsError,
    FewClustersWarning,
    ZhengjiError,
)

matplotlib.use("Agg")
# the tests that run inference="cluster" on 9-14 clusters do so on purpose
pytestmark = pytest.mark.filterwarnings("ignore:Analytic cluster-robust inference")

YEARS = tuple(range(2018, 2025))
COHORTS = {2021: 3, 2022: 3, 2023: 2}          # adoption year -> units; 4 more never adopt


def sim_panel(seed=0, *, n_never=4, cohorts=COHORTS, years=YEARS, effect=None, noise=1.0,
              missing=0.0) -> pd.DataFrame:
    """``unit_id, year, y, cohort``: unit and year effects, AR-free noise and ``effect(cohort,
    event_time)`` (default: 1 + 0.5 × event time, growing and the same for every cohort)."""
    rng = np.random.default_rng(seed)
    effect = effect or (lambda g, k: 1.0 + 0.5 * k)
    plan = [0] * n_never + [g for g, n in cohorts.items() for _ in range(n)]
    year_fx = rng.normal(0, 1, len(years)) + 0.3 * np.arange(len(years))
    rows = []
    for i, g in enumerate(plan):
        a = rng.normal(0, 2)
        for t, year in enumerate(years):
            tau = effect(g, year - g) if g and year >= g else 0.0
            rows.append((f"u{i:02d}", year, a + year_fx[t] + noise * rng.normal() + tau, g))
    df = pd.DataFrame(rows, columns=["unit_id", "year", "y", "cohort"])
    if missing:
        df.loc[rng.random(len(df)) < missing, "y"] = np.nan
    return df


def sim_ws(panel: pd.DataFrame, name="y_out") -> zl.Workspace:
    """A workspace with ``panel`` as an outcome; adopters have targets for an individualized
    indicator from their adoption year on; ``district`` groups units by two."""
    fw = pd.DataFrame({"code": ["index", "ind_x", "c1"], "name_zh": ["指数", "个性", "共性"],
                       "name_en": ["Index", "X", "C1"], "parent": ["", "index", "index"],
                       "level": [2, 1, 1], "direction": [1, 1, 1],
                       "scope": ["", "individualized", "common"]})
    ids = list(pd.unique(panel["unit_id"]))
    units = pd.DataFrame({"unit_id": ids, "name_zh": ids, "name_en": ids, "kind": "town",
                          "peer_group": "town", "district": [f"d{k // 2}" for k in range(len(ids))]})
    cohort = panel.groupby("unit_id")["cohort"].first()
    targets = pd.DataFrame([(u, y, "ind_x", 1.0, "declared") for u, g in cohort.items() if g
                            for y in sorted(panel["year"].unique()) if y >= g],
                           columns=["unit_id", "year", "indicator", "target", "target_source"])
    values = panel.assign(indicator="c1", value=panel["y"])[["unit_id", "year", "indicator",
                                                             "value"]]
    outcomes = panel.assign(name=name, value=panel["y"])[["unit_id", "year", "name", "value"]]
    return zl.Workspace(framework=fw, units=units, values=values, targets=targets,
                        outcomes=outcomes)


def design_of(panel, estimator, **kw):
    return make_design(adoption_panel(sim_ws(panel), "y_out", **kw), estimator)


def lsdv(df: pd.DataFrame, regressors: list[str]):
    """statsmodels OLS with unit and year dummies, CRV1 by unit (its default small-sample
    factor (N-1)/(N-K) · G/(G-1), K counting every dummy)."""
    fml = f"y ~ {' + '.join(regressors)} + C(unit_id) + C(year)"
    groups = pd.factorize(df["unit_id"])[0]
    return smf.ols(fml, data=df).fit(cov_type="cluster", cov_kwds={"groups": groups})


# -- two-way fixed effects: pyfixest = statsmodels LSDV = within kernel --------------------------

@pytest.mark.parametrize("missing", [0.0, 0.15], ids=["balanced", "unbalanced"])
def test_twfe_pyfixest_equals_statsmodels_lsdv_and_within_kernel(missing):
    """Frisch-Waugh-Lovell: the within transformation and unit + year dummies give the same
    coefficient; pyfixest's CRV1 with every fixed effect counted (``k_fixef="full"``) equals
    statsmodels' cluster errors, and so does the kernel's score sum times that factor."""
    import pyfixest as pf

    panel = sim_panel(1, missing=missing)
    d = design_of(panel, "twfe")
    df = d.panel.data
    ref = lsdv(df, ["treat"])
    est, _ = fit_pyfixest(d)
    k_est, rows = kernel_rows(d)
    assert_allclose(est[0], ref.params["treat"], rtol=1e-10)
    assert_allclose(k_est[0], ref.params["treat"], rtol=1e-10)
    beta = kernels.ols_fe(d.y[:, None], d.treat[:, None], d.Q)[0, 0]
    assert_allclose(beta, ref.params["treat"], rtol=1e-10)
    if not missing:                    # balanced: the textbook two-way demeaning
        w = df.pivot(index="unit_id", columns="year", values="treat").to_numpy()
        y = df.pivot(index="unit_id", columns="year", values="y").to_numpy()
        dm = (lambda a: a - a.mean(1, keepdims=True) - a.mean(0, keepdims=True) + a.mean())
        assert_allclose((dm(w) * dm(y)).sum() / (dm(w) ** 2).sum(), beta, rtol=1e-10)
    fit = pf.feols("y ~ treat | unit_id + year", data=df, vcov={"CRV1": "unit_id"},
                   ssc=pf.ssc(k_fixef="full"), **feols_options(pf))
    assert_allclose(fit.se().iloc[0], ref.bse["treat"], rtol=1e-8)
    n, G, K = len(df), d.cluster.max() + 1, len(ref.params)
    kappa = (n - 1) / (n - K) * G / (G - 1)
    assert_allclose(kernels.crv_se(rows[0], d.y, kappa), ref.bse["treat"], rtol=1e-10)
    # the cohort and event-study rows as well
    cols = [c for c in ("coh_2021", "coh_2022", "coh_2023")]
    df2 = df.assign(**{f"coh_{g}": ((df["cohort"] == g) & (df["treat"] > 0)).astype(float)
                       for g in COHORTS})
    assert_allclose(est[1:4], lsdv(df2, cols).params[cols], rtol=1e-9)
    assert_allclose(k_est[1:4], lsdv(df2, cols).params[cols], rtol=1e-9)
    assert_allclose(est, k_est, rtol=1e-8, atol=1e-10)


def test_did2s_equals_an_independent_two_step_with_statsmodels():
    """Gardner (2021): fit unit and year effects on the untreated cells, impute the
    treated cells, average the residuals (overall, per cohort, per event time). The kernel is
    exact; pyfixest recovers fixed effects with scipy's lsqr (atol = btol = 1e-6), so it agrees
    to about 1e-6. Gardner's GMM errors: kernel = pyfixest."""
    panel = sim_panel(2, missing=0.1)
    d = design_of(panel, "did2s")
    df = d.panel.data.copy()
    first = smf.ols("y ~ C(unit_id) + C(year)", data=df[df["treat"] == 0]).fit()
    df["resid"] = df["y"] - first.predict(df)
    treated = df[df["treat"] > 0]
    expected = ([treated["resid"].mean()]
                + [treated.loc[treated["cohort"] == g, "resid"].mean() for g in COHORTS]
                + [df.loc[df["rel"].eq(k), "resid"].mean() for k in d.events])
    k_est, rows = kernel_rows(d)
    assert_allclose(k_est, expected, rtol=1e-10, atol=1e-12)
    est, V = fit_pyfixest(d)
    assert_allclose(est, expected, rtol=1e-5, atol=1e-6)
    se = [kernels.crv_se(r, d.y) for r in rows]
    assert_allclose(np.sqrt(np.diag(V)), se, rtol=1e-5)


def test_sun_abraham_equals_pyfixest_saturated_and_the_difference_of_means():
    """Sun & Abraham (2021): with units that never adopt as controls and every
    cohort × event-time cell but -1 saturated, each CATT(g, l) is (ȳ_{g,g+l} - ȳ_{g,g-1}) -
    (ȳ_{∞,g+l} - ȳ_{∞,g-1}) on a balanced panel; pyfixest's beta ``event_study(estimator=
    "saturated")`` gives the same; the ATT is their average weighted by treated cells."""
    import pyfixest as pf

    panel = sim_panel(3)
    d = design_of(panel, "sun_abraham")
    df = d.panel.data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sat = pf.event_study(df, yname="y", idname="unit_id", tname="year", gname="cohort",
                             estimator="saturated")
    coefs = sat.coef()
    ybar = df.groupby(["cohort", "year"])["y"].mean()
    catt = {}
    for name, value in coefs.items():
        k, g = name.split("::")[1].split(":")[0], name.split("::")[2]
        k, g = int(float(k)), int(g)
        catt[g, k] = (ybar[g, g + k] - ybar[g, g - 1]) - (ybar[0, g + k] - ybar[0, g - 1])
        assert_allclose(value, catt[g, k], rtol=1e-9, atol=1e-10)
    cells = df[df["treat"] > 0].groupby(["cohort", "rel"]).size()
    att = sum(n * catt[g, int(k)] for (g, k), n in cells.items()) / cells.sum()
    est, _ = fit_pyfixest(d)
    k_est, _ = kernel_rows(d)
    assert_allclose([est[0], k_est[0]], att, rtol=1e-9)
    g22 = cells.loc[2022]
    assert_allclose(est[2], sum(n * catt[2022, int(k)] for k, n in g22.items()) / g22.sum(),
                    rtol=1e-9)


# -- the wild cluster restricted bootstrap ------------------------------------------------------

def test_wcr_equals_wildboottest_under_full_enumeration():
    """WCR11 with Rademacher weights over all 2^G sign vectors (G = 10 < log2 B): every
    bootstrap t statistic and the p-value equal the wildboottest package's (statsmodels OLS with
    unit and year dummies, Roodman et al. 2019), up to its small-sample factor sqrt(κ), which
    scales t and t* alike."""
    from wildboottest.wildboottest import WildboottestCL

    panel = sim_panel(5, n_never=3, cohorts={2021: 3, 2022: 2, 2023: 2})
    d = design_of(panel, "twfe")
    df = d.panel.data
    X = pd.get_dummies(df[["unit_id", "year"]].astype(str), drop_first=True).astype(float)
    X.insert(0, "treat", df["treat"])
    X = sm.add_constant(X)
    R = np.zeros(X.shape[1])
    R[1] = 1.0
    boot = WildboottestCL(X=X.to_numpy(), Y=df["y"].to_numpy(), cluster=d.cluster, R=R,
                          B=9999, seed=1)
    boot.get_scores(bootstrap_type="11", impose_null=True)
    boot.get_weights("rademacher")
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue()
    _, rows = kernel_rows(d)
    v, used, enumerated = kernels.wild_weights(10, 9999, "auto", np.random.default_rng(0))
    assert (used, enumerated, len(v)) == ("rademacher", True, 1024)
    p, t, t_star = kernels.wild_test(rows[0], d.y, d.cluster, v)(0.0)
    n, G, K = len(df), 10, X.shape[1]
    root_kappa = np.sqrt((n - 1) / (n - K) * G / (G - 1))
    assert_allclose(t / root_kappa, boot.t_stat, rtol=1e-10)
    assert_allclose(t_star / root_kappa, boot.t_boot, rtol=1e-9)
    # the draws v = ±1 give |t*| = |t| exactly; wildboottest compares strictly and counts them
    # or not as rounding falls, we count them (p >= 2 / 2^G, the exact enumeration p-value)
    ties = np.isclose(np.abs(boot.t_boot), abs(boot.t_stat), rtol=1e-9)
    assert ties.sum() == 2
    assert p == np.mean(~ties & (np.abs(boot.t_boot) > abs(boot.t_stat))) + 2 / 1024
    assert boot.pvalue in (p, p - 1 / 1024, p - 2 / 1024)
    r = adoption_effect(sim_ws(panel), "y_out", estimator="twfe", seed=3)
    assert r.frame.loc[0, "p_value"] == p
    assert r.details == {"weights": "rademacher", "n_boot": 1024, "enumerated": True}


@pytest.mark.parametrize("estimator", ["twfe", "did2s", "sun_abraham"])
def test_restricted_bootstrap_dgp_imposes_the_null(estimator):
    """For every row, the restricted fit has the null value as its estimate and zero scores
    (so a bootstrap sample with all weights 1 reproduces the data and t* = t), and c'd = 1."""
    d = design_of(sim_panel(6), estimator)
    _, rows = kernel_rows(d)
    for term, row in zip(d.terms, rows):
        assert_allclose(row.c @ row.d, 1.0, rtol=1e-10)
        for theta in (0.0, 1.7):
            mu = d.y - (row.u0 - theta * row.d)
            assert_allclose(row.c @ mu, theta, atol=1e-9)
            if not (estimator == "did2s" and term.startswith("event_-")):
                assert_allclose(row.S @ mu, 0.0, atol=1e-9)   # leads of did2s: see did2s_rows
        test = kernels.wild_test(row, d.y, d.cluster, np.ones((1, d.cluster.max() + 1)))
        _, t, t_star = test(0.4)
        assert_allclose(t_star[0], t, rtol=1e-9)


def test_wild_interval_inverts_the_test():
    """The interval's ends are where the bootstrap p-value crosses 1 - level (MacKinnon 2015)."""
    r = adoption_effect(sim_ws(sim_panel(7)), "y_out", seed=2, n_boot=999)
    d = design_of(sim_panel(7), "did2s")
    _, rows = kernel_rows(d)
    v, *_ = kernels.wild_weights(d.cluster.max() + 1, 999, "auto", np.random.default_rng(2))
    test = kernels.wild_test(rows[0], d.y, d.cluster, v)
    lo, hi = r.frame.loc[0, ["ci_low", "ci_high"]]
    assert test(lo + 1e-4)[0] > 0.05 >= test(lo - 1e-4)[0]
    assert test(hi - 1e-4)[0] > 0.05 >= test(hi + 1e-4)[0]
    assert r.details["weights"] == "webb" and r.details["n_boot"] == 999


def test_pretrend_test_detects_diverging_trends():
    """Adopters drifting 1.5 a year away from the others: Sun & Abraham's leads (each against
    the year before adoption) reject in the bootstrap joint test (p = 0.002); without the drift
    they do not. Gardner's leads are first-stage residuals, shrunk towards 0 because the unit
    effects are fitted on those same years, so they detect a drift less readily. With all
    weights 1 the bootstrap statistic equals the observed one."""
    panel = sim_panel(16, effect=lambda g, k: 1.0)
    drift = panel.assign(y=panel["y"] + np.where(panel["cohort"] > 0,
                                                 1.5 * (panel["year"] - panel["cohort"]), 0.0))
    ok = adoption_effect(sim_ws(panel), "y_out", estimator="sun_abraham", seed=1, n_boot=999)
    bad = adoption_effect(sim_ws(drift), "y_out", estimator="sun_abraham", seed=1, n_boot=999)
    assert ok.pretrend["p_value"] > 0.1 and bad.pretrend["p_value"] < 0.01
    ok = adoption_effect(sim_ws(panel), "y_out", seed=1, n_boot=999)
    d = design_of(panel, "did2s")
    _, rows = kernel_rows(d)
    leads = [d.terms.index(t) for t in ok.pretrend["terms"]]
    u = restricted_resid(d, ok.pretrend["terms"])
    T, T_star = kernels.wild_joint([rows[i] for i in leads], u, d.y, d.cluster,
                                   np.ones((1, d.cluster.max() + 1)))
    assert_allclose([T_star[0], T], ok.pretrend["statistic"], rtol=1e-9)
    for i in leads:                     # the restricted fit has every lead at 0, zero scores
        assert_allclose([rows[i].c @ (d.y - u)], 0.0, atol=1e-9)
        assert_allclose(rows[i].S @ (d.y - u), 0.0, atol=1e-9)


# -- randomization inference --------------------------------------------------------------------

def test_randomization_inference_p_values_and_intervals():
    """Fisher's p-value is in (0, 1], the same for the same seed; a large planted constant
    effect gets the smallest possible p and an interval around it (Imbens & Rubin 2015, ch. 5,
    intervals by inverting a constant additive effect)."""
    ws = sim_ws(sim_panel(8, effect=lambda g, k: 0.0))
    r1 = adoption_effect(ws, "y_out", inference="randomization", seed=11, n_permutations=199,
                         progress=True)
    r2 = adoption_effect(ws, "y_out", inference="randomization", seed=11, n_permutations=199)
    p = r1.frame["p_value"].dropna()
    assert ((p > 0) & (p <= 1)).all()
    pd.testing.assert_frame_equal(r1.frame, r2.frame)
    big = sim_ws(sim_panel(8, effect=lambda g, k: 8.0))
    r = adoption_effect(big, "y_out", inference="randomization", seed=11, n_permutations=199)
    att = r.frame.iloc[0]
    assert att["p_value"] == pytest.approx(1 / 200)
    assert att["ci_low"] < 8.0 < att["ci_high"]
    assert r.frame.loc[r.frame["term"] == "event_-2", ["ci_low", "ci_high"]].isna().all(axis=None)


# -- properties ---------------------------------------------------------------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), scale=st.floats(0.1, 50),
       estimator=st.sampled_from(["twfe", "did2s", "sun_abraham"]))
def test_estimates_ignore_unit_and_year_effects_and_scale_with_y(seed, scale, estimator):
    """Adding any unit effect and year effect to y changes no estimate and no error (they are
    absorbed); multiplying y by s multiplies estimates and errors by s."""
    panel = sim_panel(seed % 50, missing=0.05)
    d = design_of(panel, estimator)
    rng = np.random.default_rng(seed)
    shifted = d.y + rng.normal(0, 5, d.unit.max() + 1)[d.unit] + rng.normal(0, 5, 7)[d.year]
    est, rows = kernel_rows(d)
    for y2, factor in ((shifted, 1.0), (scale * d.y, scale)):
        est2 = kernel_estimates(d, d.unit_cohort, y2[:, None])[:, 0]
        assert_allclose(est2, factor * est, rtol=1e-8, atol=1e-8 * scale)
        assert_allclose([kernels.crv_se(r, y2) for r in rows],
                        [factor * kernels.crv_se(r, d.y) for r in rows], rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("estimator", ["twfe", "did2s", "sun_abraham"])
def test_constant_effect_without_noise_is_recovered_exactly(estimator):
    """y = unit + year + 2.5 D: every estimator gives 2.5 for the ATT, each cohort and each
    event time after adoption, and 0 before (no heterogeneity: even TWFE is exact)."""
    panel = sim_panel(9, noise=0.0, effect=lambda g, k: 2.5)
    r = adoption_effect(sim_ws(panel), "y_out", estimator=estimator, inference="cluster")
    f = r.frame
    post = f["kind"].isin(["att", "cohort"]) | (f["term"].isin([f"event_{k}" for k in range(4)]))
    assert_allclose(f.loc[post, "estimate"], 2.5, atol=1e-6)
    assert_allclose(f.loc[f["term"].str.startswith("event_-"), "estimate"], 0.0, atol=1e-6)


# -- the sample city ----------------------------------------------------------------------------

SEEDS = [0, 1, 2, 3, 4]


@pytest.fixture(scope="module")
def cities():
    return {s: zl.datasets.make_city(s) for s in SEEDS}


@pytest.mark.parametrize("outcome", ["survey_satisfaction", "hotline_complaints"])
def test_robust_estimator_covers_the_planted_effect(cities, outcome):
    """On freshly generated cities (dynamic effects: by cohort, growing with time since
    adoption) the true ATT over treated unit-years lies in the 95 % wild-bootstrap interval of
    did2s for every seed, and in the randomization interval; the result says it rests on 14
    clusters, 9 adopting units in cohorts 2022 (4), 2023 (4), 2024 (1)."""
    for seed, (ws, truth) in cities.items():
        true = float(truth.adoption_effects[outcome])
        r = adoption_effect(ws, outcome, seed=seed)
        att = r.frame.iloc[0]
        assert att["ci_low"] < true < att["ci_high"], (seed, att.to_dict(), true)
        rr = adoption_effect(ws, outcome, inference="randomization", seed=seed,
                             n_permutations=499)
        assert rr.frame.loc[0, "ci_low"] < true < rr.frame.loc[0, "ci_high"], seed
        assert (r.n_clusters, r.n_units, r.n_treated_units, r.n_obs) == (14, 14, 9, 98)
        assert r.cohorts.to_dict("list") == {"cohort": [2022, 2023, 2024], "n_units": [4, 4, 1]}


def test_twfe_is_biased_as_its_weights_predict(cities):
    """Growing effects that differ by cohort bias static TWFE towards zero (Goodman-Bacon 2021):
    its mean over seeds is below the truth for satisfaction (positive effect) and above it for
    complaints (negative). Its expectation is Σ w_it τ_it with de Chaisemartin &
    D'Haultfœuille's weights (2020, Theorem 1): exactly, TWFE(y) - Σ w τ = TWFE(y - τ D)."""
    for outcome, sign in (("survey_satisfaction", 1), ("hotline_complaints", -1)):
        twfe, robust, predicted = [], [], []
        for ws, truth in cities.values():
            r = adoption_effect(ws, outcome, estimator="twfe", inference="cluster")
            twfe.append(r.frame.loc[0, "estimate"])
            tau = truth.outcome_effects.query("outcome == @outcome")
            w = r.twfe_weights.merge(tau, on=["unit_id", "year"])
            assert_allclose(r.twfe_weights["weight"].sum(), 1.0)
            predicted.append((w["weight"] * w["effect"]).sum())
            d = design_of_city(ws, outcome, "twfe")
            tau_cell = d.panel.data.merge(tau, on=["unit_id", "year"])["effect"].to_numpy()
            no_effect = kernel_estimates(d, d.unit_cohort, (d.y - tau_cell)[:, None])[0, 0]
            assert_allclose(twfe[-1] - predicted[-1], no_effect, atol=1e-8)
            robust.append(adoption_effect(ws, outcome, inference="cluster").frame.loc[0,
                                                                                   "estimate"])
        true = float(cities[0][1].adoption_effects[outcome])
        assert sign * (np.mean(twfe) - true) < 0, (outcome, np.mean(twfe), true)
        assert sign * (np.mean(predicted) - true) < -0.4
        assert abs(np.mean(robust) - true) < abs(np.mean(twfe) - true)


def design_of_city(ws, outcome, estimator):
    return make_design(adoption_panel(ws, outcome), estimator)


def test_placebo_outcome_and_result_shape(cities):
    """The placebo (income growth, never moved) has a wild interval around 0 for most seeds;
    the frame has the promised columns and rows and the event study its reference row."""
    ws, _ = cities[0]
    r = adoption_effect(ws, "income_growth", seed=0)
    assert isinstance(r, AdoptionEffect)
    assert list(r.frame.columns[:6]) == ["term", "estimate", "std_error", "ci_low", "ci_high",
                                         "p_value"]
    assert r.frame["term"].tolist()[:4] == ["att", "cohort_2022", "cohort_2023", "cohort_2024"]
    assert r.frame.loc[0, "ci_low"] < 0 < r.frame.loc[0, "ci_high"]
    ref = r.event_study.set_index("event_time").loc[-1]
    assert ref["kind"] == "reference" and ref["estimate"] == 0 and np.isnan(ref["std_error"])
    assert r.event_study["event_time"].tolist() == list(range(-5, 4))
    assert set(r.pretrend) >= {"statistic", "df", "p_value", "wald_f", "df_num", "df_den",
                               "p_value_f"}
    # event -5 rests on one unit (the 2024 cohort): left out of the joint test
    assert r.pretrend["terms"] == ["event_-4", "event_-3", "event_-2"]
    assert r.pretrend["left_out"] == ["event_-5"] and r.pretrend["df_den"] == 13
    assert 0 < r.pretrend["p_value"] <= 1
    assert any("14 clusters" in n for n in r.notes)
    assert "14 clusters" in repr(r)
    ax = r.plot()
    assert "income_growth" in ax.get_title() and "距采用年数" in ax.get_xlabel()
    assert "效应" in ax.get_ylabel()


def test_circular_evidence_warning(cities):
    """An indicator of the composite as outcome warns that the evidence is circular, unless
    the scheme excludes it."""
    ws, _ = cities[0]
    with pytest.warns(CircularEvidenceWarning, match="scored on it.*circular evidence"):
        adoption_effect(ws, "liv_satisfaction", inference="cluster")
    scheme = zl.Scheme.from_yaml(ws.schemes["baseline"]).replace("exclude", ["liv_satisfaction"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", CircularEvidenceWarning)
        warnings.simplefilter("ignore", FewClustersWarning)
        adoption_effect(ws, "liv_satisfaction", inference="cluster", scheme=scheme)


# -- panels that need care ----------------------------------------------------------------------

def test_unbalanced_panel_and_units_left_out():
    """Empty cells are dropped and counted; a unit adopting before its first year is left out;
    years in which everyone has adopted are left out; all said in the notes."""
    panel = sim_panel(10, missing=0.1, n_never=0, cohorts={2021: 4, 2022: 4, 2023: 4})
    panel = pd.concat([panel, sim_panel(11, n_never=0, cohorts={2018: 1}).assign(
        unit_id="early")])
    r = adoption_effect(sim_ws(panel), "y_out", inference="cluster",
                        n_permutations=99)
    text = " ".join(r.notes)
    assert "empty cell(s)" in text and "always treated" in text and "'early'" in text
    assert "[2023, 2024]" in text and "not-yet" in text
    assert r.n_units == 12 and r.n_obs == adoption_panel(sim_ws(panel), "y_out").data.shape[0]


def test_did2s_falls_back_to_the_kernel_when_pyfixest_drops_singletons():
    """pyfixest.did2s drops a unit with one untreated cell from its first stage and then fails;
    the numpy kernel (equal to the two-step with statsmodels) takes over, with a note."""
    panel = sim_panel(12, cohorts={2019: 2, 2022: 3})
    r = adoption_effect(sim_ws(panel), "y_out", inference="cluster")
    assert any("numpy kernel" in n for n in r.notes)
    df = adoption_panel(sim_ws(panel), "y_out").data
    first = smf.ols("y ~ C(unit_id) + C(year)", data=df[df["treat"] == 0]).fit()
    assert_allclose(r.frame.loc[0, "estimate"],
                    (df["y"] - first.predict(df))[df["treat"] > 0].mean(), rtol=1e-10)


def test_clusters_by_a_units_column():
    """cluster='district' (two units each): 6 clusters, all 2^6 sign vectors enumerated."""
    r = adoption_effect(sim_ws(sim_panel(13)), "y_out", cluster="district", seed=1)
    assert r.n_clusters == 6 and r.n_units == 12
    assert r.details["enumerated"] and r.details["n_boot"] == 64


def test_few_clusters_warning_for_analytic_inference():
    with pytest.warns(FewClustersWarning, match="12 clusters over-rejects.*wild"):
        adoption_effect(sim_ws(sim_panel(14)), "y_out", inference="cluster")


# -- bad input ----------------------------------------------------------------------------------

def test_unknown_outcome_lists_what_there_is_and_where_to_add_it():
    ws = sim_ws(sim_panel(0))
    with pytest.raises(EffectsError, match=r"No outcome 'satisfaction'.*\['y_out'\].*Add its "
                                           r"values to outcomes.csv"):
        adoption_effect(ws, "satisfaction")


def test_no_unit_adopting():
    ws = sim_ws(sim_panel(0, cohorts={}))
    with pytest.raises(EffectsError, match="No unit .* adopts.*targets.csv.*adoption="):
        adoption_effect(ws, "y_out")


def test_everyone_adopting_in_one_year():
    ws = sim_ws(sim_panel(0, n_never=0, cohorts={2021: 10}))
    with pytest.raises(EffectsError, match="Every unit .* adopts in 2021.*variation in adoption"
                                           " timing or units that never adopt"):
        adoption_effect(ws, "y_out")


def test_fewer_than_six_clusters():
    ws = sim_ws(sim_panel(0, n_never=2, cohorts={2021: 1, 2022: 2}))
    with pytest.raises(EffectsError, match="5 cluster.*at least 6"):
        adoption_effect(ws, "y_out")


@pytest.mark.parametrize("kw, match", [
    ({"estimator": "callaway"}, r"'estimator'.*\{'did2s', 'twfe', 'sun_abraham'\}.*'callaway'"),
    ({"inference": "bootstrap"}, r"'inference'.*\{'wild', 'cluster', 'randomization'\}"),
    ({"wild_weights": "mammen"}, r"'wild_weights'.*'webb'"),
    ({"level": 95}, "between 0 and 1"),
    ({"n_boot": 5}, "at least 19"),
    ({"event_window": (-1, 3)}, "lo <= -2"),
    ({"cluster": "county"}, "column of units.csv"),
    ({"adoption": [2021]}, "Series unit_id -> adoption year"),
])
def test_bad_parameters(kw, match):
    with pytest.raises(EffectsError, match=match) as err:
        adoption_effect(sim_ws(sim_panel(0)), "y_out", **kw)
    assert isinstance(err.value, (ZhengjiError, ValueError))


def test_outcome_without_values_or_without_years_after_adoption():
    panel = sim_panel(0)
    with pytest.raises(EffectsError, match="no values in outcomes.csv"):
        adoption_effect(sim_ws(panel.assign(y=np.nan)), "y_out")
    with pytest.raises(EffectsError, match="No unit-year .* after adoption"):
        adoption_effect(sim_ws(panel[panel["year"] < 2021]), "y_out",
                        adoption=panel.groupby("unit_id")["cohort"].first().replace(0, np.nan))


def test_sun_abraham_needs_units_that_never_adopt():
    ws = sim_ws(sim_panel(0, n_never=0, cohorts={2021: 4, 2022: 4}))
    with pytest.raises(EffectsError, match="never adopt.*estimator='did2s'"):
        adoption_effect(ws, "y_out", estimator="sun_abraham")


def test_explicit_adoption_and_event_window():
    """adoption= overrides targets.csv; event_window bins the far leads and lags."""
    panel = sim_panel(15)
    adoption = panel.groupby("unit_id")["cohort"].first().replace(0, np.nan)
    ws = sim_ws(panel.assign(cohort=0))           # no targets at all
    r = adoption_effect(ws, "y_out", adoption=adoption, event_window=(-3, 2),
                        inference="cluster")
    assert r.event_study["event_time"].tolist() == [-3, -2, -1, 0, 1, 2]
    assert any("binned" in n for n in r.notes)
    full = adoption_effect(sim_ws(panel), "y_out", inference="cluster")
    assert_allclose(r.frame.loc[0, "estimate"], full.frame.loc[0, "estimate"])
