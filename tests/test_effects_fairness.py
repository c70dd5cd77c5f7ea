"""Two schemes side by side: gaps by group with permutation p-values, rank mobility, R²."""
import dataclasses
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

import zhengji_lab as zl
from zhengji_lab.effects.fairness import common_only, fairness
from zhengji_lab.errors import BuildError
from zhengji_lab.workspace import Workspace

ECONOMY_ONLY = {"method": "fixed", "values": {"economy": 1, "ecology": 0, "livelihood": 0,
                                              "safety": 0, "party": 0}}


def with_positioning(ws, ecology_towns):
    """The workspace with a ``positioning`` column (kept when units.csv already has one)."""
    if "positioning" in ws.units.columns:
        return ws
    u = ws.units.copy()
    pos = np.select([u["unit_id"].isin(ecology_towns), u["kind"] == "park", u["kind"] == "town"],
                    ["ecological", "park", "urban"], default="")
    return dataclasses.replace(ws, units=u.assign(positioning=pos))


def economy_only(ws, name):
    """The scheme with the index made of the economic dimension alone."""
    s = zl.Scheme.from_yaml(ws.schemes[name])
    return s.replace("weights.index", ECONOMY_ONLY).replace("name", f"{name}_economy")


def one_indicator(scores, *, n_groups=1):
    """A workspace whose composite is the min-max of one indicator (scores between 0 and 100
    when ``scores`` span them), its units in one peer group, and a covariate ``size``."""
    n = len(scores)
    fw = pd.DataFrame({"code": ["index", "v"], "parent": ["", "index"], "level": [2, 1],
                       "direction": 1})
    units = pd.DataFrame({"unit_id": [f"u{i:02d}" for i in range(n)], "kind": "town",
                          "peer_group": [f"g{i % n_groups}" for i in range(n)],
                          "size": np.arange(n, dtype=float) ** 1.5})
    values = pd.DataFrame({"unit_id": units["unit_id"], "year": 2025, "indicator": "v",
                           "value": np.asarray(scores, dtype=float)})
    return (Workspace(fw, units, values),
            zl.Scheme.from_dict({"name": "one", "peer_groups": "peer_group"}))


@pytest.fixture(scope="module")
def sample(sample_ws):
    ws = with_positioning(sample_ws, ("town_cuiping", "town_ludang", "town_yuehu"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # the panel's inconsistent AHP experts
        return ws, fairness(ws, common_only(ws, "baseline"), "baseline", 2025, n_boot=199,
                            seed=7)


def test_common_only_excludes_every_individualized_indicator(sample_ws):
    s = common_only(sample_ws, "baseline")
    individual = sample_ws.framework.loc[sample_ws.framework["scope"] == "individualized", "code"]
    assert s.spec["name"] == "baseline_common_only"
    assert set(s.spec["exclude"]) == set(individual) and len(individual) == 3
    a = zl.build(sample_ws, s, 2025)
    w = a.unit_weights
    assert (w.loc[w["node"].isin(individual), "weight"] == 0).all()


def test_planted_gap_has_the_smallest_p_value():
    """A group scoring far above the rest: no permutation reaches its gap (there are
    C(20, 5) = 15504 labellings), so p = 1/(1 + n_permutations) (Phipson and Smyth 2010)."""
    scores = np.r_[np.linspace(90, 100, 5), np.linspace(0, 20, 15)]
    ws, s = one_indicator(scores)
    labels = pd.Series(["top"] * 5 + ["rest"] * 15, index=ws.units["unit_id"].to_numpy())
    res = fairness(ws, s, s.replace("name", "same"), 2025, by={"planted": labels},
                   n_permutations=999, n_boot=9, seed=1)
    top = res.frame[(res.frame["group"] == "top")].set_index("measure")
    assert_allclose(top.loc["score", ["p_a", "p_b"]].astype(float), 1 / 1000)
    assert_allclose(top.loc["rank", ["p_a", "p_b"]].astype(float), 1 / 1000)
    assert top.loc["score", "gap_a"] > 75 and top.loc["rank", "gap_a"] == -10.0
    # the same scheme twice: no change, and every permutation ties it
    assert top.loc["score", "change"] == 0 and top.loc["score", "p_change"] == 1.0


def test_unrelated_labels_give_a_large_p_value():
    """Labels alternating down the ranking (gap 0.5 of 100 points) are not significant."""
    ws, s = one_indicator(np.linspace(0, 100, 20))
    labels = pd.Series(np.where(np.arange(20) % 2 == 0, "even", "odd"),
                       index=ws.units["unit_id"].to_numpy())
    res = fairness(ws, s, s, 2025, by={"alternating": labels}, n_boot=9, seed=2)
    assert (res.frame["p_a"] > 0.5).all() and (res.frame["p_b"] > 0.5).all()


def test_p_values_agree_with_scipy_exact_permutation_test():
    """Against ``scipy.stats.permutation_test`` (exact: all C(9, 3) = 84 labellings) on the
    absolute difference of means, ``P(|T*| ≥ |t|)``; our p comes from 4999 random
    permutations, so it agrees within ~3 Monte Carlo errors."""
    rng = np.random.default_rng(5)
    scores = rng.uniform(0, 100, 9)
    ws, s = one_indicator(scores)
    a = zl.build(ws, s, 2025)
    y = a.index
    labels = pd.Series(["g"] * 3 + ["h"] * 6, index=y.index)
    res = fairness(ws, s, s, 2025, by={"lab": labels}, n_permutations=4999, n_boot=9, seed=3)
    got = res.frame.set_index(["group", "measure"]).loc[("g", "score"), "p_a"]
    ref = stats.permutation_test((y[labels == "g"].to_numpy(), y[labels == "h"].to_numpy()),
                                 lambda u, v: abs(np.mean(u) - np.mean(v)),
                                 permutation_type="independent", alternative="greater",
                                 n_resamples=10_000).pvalue
    assert abs(got - ref) < 3 * np.sqrt(ref * (1 - ref) / 4999) + 1e-3


def test_same_seed_same_result(sample):
    ws, res = sample
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = fairness(ws, common_only(ws, "baseline"), "baseline", 2025, n_boot=199, seed=7)
    pd.testing.assert_frame_equal(res.frame, again.frame)
    pd.testing.assert_frame_equal(res.conditions, again.conditions)


@pytest.mark.filterwarnings("ignore::zhengji_lab.normalisation.ConstantIndicatorWarning")
@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=6, max_size=14),
       st.integers(0, 2**32 - 1), st.integers(1, 60))
def test_p_values_are_in_the_unit_interval(scores, seed, n_permutations):
    """Property: every p-value lies in [1/(1 + n), 1] (never 0)."""
    ws, s = one_indicator(scores)
    labels = pd.Series(np.random.default_rng(seed).choice(["a", "b", "c"], len(scores)),
                       index=ws.units["unit_id"].to_numpy())
    res = fairness(ws, s, s, 2025, by={"random": labels}, n_permutations=n_permutations,
                   n_boot=5, seed=seed)
    p = res.frame[["p_a", "p_b", "p_change"]].to_numpy()
    assert ((p >= 1 / (1 + n_permutations) - 1e-12) & (p <= 1)).all()


def test_r2_equals_statsmodels_ols(sample):
    """R² and adjusted R² of the composite on the conditions, as statsmodels OLS."""
    ws, res = sample
    tp = res.shifts[res.shifts["peer_group"] == "towns_parks"].set_index("unit_id")
    cond = res.conditions[res.conditions["peer_group"] == "towns_parks"]
    names = cond["covariates"].iloc[0].split(", ")
    assert {"area_km2", "population", "baseline_output", "eco_redline_share",
            "industrial_base"} <= set(names)
    X = sm.add_constant(ws.units.set_index("unit_id").loc[tp.index, names])
    est = cond.set_index(["measure", "scheme"])["estimate"]
    for col, scheme in (("score_a", "a"), ("score_b", "b")):
        fit = sm.OLS(tp[col], X).fit()
        assert_allclose(est[("r2", scheme)], fit.rsquared, rtol=1e-10)
        assert_allclose(est[("adj_r2", scheme)], fit.rsquared_adj, rtol=1e-10)
    assert_allclose(est[("r2", "change")], est[("r2", "b")] - est[("r2", "a")], rtol=1e-12)
    ci = cond.set_index(["measure", "scheme"])
    assert (ci["ci_low"] <= ci["ci_high"]).all()


def test_mobility_reuses_the_rank_comparison(sample):
    _, res = sample
    tp = res.shifts[res.shifts["peer_group"] == "towns_parks"]
    row = res.mobility.set_index("peer_group").loc["towns_parks"]
    assert_allclose(row["spearman"], stats.spearmanr(tp["rank_a"], tp["rank_b"])[0], rtol=1e-12)
    assert_allclose(row["kendall"], stats.kendalltau(tp["rank_a"], tp["rank_b"])[0], rtol=1e-12)
    assert (tp["shift"] == tp["rank_b"] - tp["rank_a"]).all()
    assert row["max_abs_shift"] == tp["shift"].abs().max()
    assert_allclose(row["share_moved_1"], (tp["shift"].abs() >= 1).mean())
    assert_allclose(row["share_moved_3"], (tp["shift"].abs() >= 3).mean())
    # the individualized indicators apply to towns and parks only
    others = res.mobility[res.mobility["peer_group"] != "towns_parks"]
    assert (others["mean_abs_shift"] == 0).all()


def test_default_groupings(sample):
    _, res = sample
    assert set(res.frame["by"]) == {"kind", "positioning"}
    assert set(res.frame.loc[res.frame["by"] == "positioning", "group"]) >= {
        "ecological", "park", "urban"}
    assert set(res.frame["peer_group"]) == {"towns_parks"}   # other peer groups: one kind
    assert any("'agency'" in n for n in res.notes)


def test_ecology_towns_trail_under_common_indicators(sample_ws):
    """The sample city's economic indicators are biased against its three ecology-function
    towns (planted in make_city: red-line share lowers, industrial base raises them), so their
    gap under the common indicators is negative, on the index and strongly on the economy.
    With the individualized indicators (theirs, 生态产品价值实现, is in ecology) it stays
    negative: they do not close the gap here."""
    ws = with_positioning(sample_ws, ("town_cuiping", "town_ludang", "town_yuehu"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = fairness(ws, common_only(ws, "baseline"), "baseline", 2025, by="positioning",
                         n_boot=9, seed=1)
        eco = economy_only(ws, "baseline")
        economy = fairness(ws, common_only(ws, eco), eco, 2025, by="positioning", n_boot=9,
                           seed=1)
    key = ("ecological", "score")
    g = index.frame.set_index(["group", "measure"]).loc[key]
    assert g["gap_a"] < -5 and g["gap_b"] < -5
    e = economy.frame.set_index(["group", "measure"]).loc[key]
    assert e["gap_a"] < -20 and e["gap_b"] < -20 and e["p_a"] < 0.05
    rank = economy.frame.set_index(["group", "measure"]).loc[("ecological", "rank")]
    assert rank["gap_a"] > 3           # they rank lower (larger rank numbers)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_ecology_towns_trail_in_economy_for_any_seed(seed):
    ws, truth = zl.datasets.make_city(seed)
    ws = with_positioning(ws, truth.ecology_towns)
    eco = economy_only(ws, "baseline")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fairness(ws, common_only(ws, eco), eco, 2025, n_boot=9, seed=1)
    e = res.frame.set_index(["by", "group", "measure"]).loc[("positioning", "ecological",
                                                             "score")]
    assert e["gap_a"] < -15 and e["gap_b"] < -15


def test_bad_input(sample_ws):
    base = "baseline"
    with pytest.raises(BuildError, match="No scheme 'nonesuch'.*schemes are"):
        fairness(sample_ws, "nonesuch", base, 2025)
    with pytest.raises(BuildError, match="No values for year 1999; the workspace has"):
        fairness(sample_ws, base, base, 1999)
    with pytest.raises(BuildError, match="No covariate \\['rainfall'\\].*covariates.csv"):
        fairness(sample_ws, base, base, 2025, covariates=["rainfall"])
    with pytest.raises(BuildError, match="No column \\['district'\\] in units.csv"):
        fairness(sample_ws, base, base, 2025, by="district")
    with pytest.raises(BuildError, match="'n_permutations'.*whole number >= 1"):
        fairness(sample_ws, base, base, 2025, n_permutations=0)
    with pytest.raises(BuildError, match="'level'.*\\(0, 1\\)"):
        fairness(sample_ws, base, base, 2025, level=1.5)


def test_too_few_units_for_the_covariates():
    ws, s = one_indicator(np.linspace(0, 100, 8))
    Z = pd.DataFrame(np.random.default_rng(0).normal(size=(8, 6)),
                     index=ws.units["unit_id"].to_numpy(), columns=list("abcdef"))
    with pytest.raises(BuildError, match="'g0' has 8 scored unit.*at least covariates \\+ 3 = 9"
                                         ".*at most 5 names"):
        fairness(ws, s, s, 2025, covariates=Z, n_boot=9)
    res = fairness(ws, s, s, 2025, covariates=Z.iloc[:, :2], n_boot=9, seed=0)
    assert set(res.conditions["n_covariates"]) == {2}


def test_groups_without_covariates_are_noted(sample_ws):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fairness(sample_ws, "equal", "equal", 2025, covariates=["area_km2"], n_boot=9,
                       n_permutations=9, seed=0)
    assert set(res.conditions["peer_group"]) == {"towns_parks"}
    assert any("'agency': no usable covariate" in n for n in res.notes)


@pytest.mark.filterwarnings("ignore:Glyph")
def test_plot(sample):
    _, res = sample
    fig = res.plot()
    assert len(fig.axes) == 2
    assert "Score gap" in fig.axes[0].get_xlabel() and "Rank shift" in fig.axes[1].get_xlabel()
    plt.close(fig)
