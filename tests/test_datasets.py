"""Tests of zhengji_lab.datasets: the synthetic sample city and the reference workspaces."""
import hashlib
import pickle
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.formula.api as smf
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from scipy.stats import spearmanr

import zhengji_lab as zl

DATA = Path(__file__).resolve().parent.parent / "data"
TABLES = ["framework", "units", "values", "targets", "deductions", "deduction_items"]
#: Saaty (1980), Table 1.2: random index for n = 5 (written out here, independent of the package)
RI_5 = 1.12
SAATY = {1 / k for k in range(1, 10)} | set(range(1, 10))


@pytest.fixture(scope="module")
def city():
    return zl.datasets.make_city()


def _cr(matrix: pd.DataFrame) -> float:
    """Saaty's consistency ratio from the largest eigenvalue (numpy only)."""
    n = len(matrix)
    lam = max(np.linalg.eigvals(matrix.to_numpy()).real)
    return (lam - n) / (n - 1) / RI_5


def _assert_same_workspace(a, b):
    """Codes and text exactly, numbers to 1e-12, judgements and scheme texts."""
    for t in TABLES:
        assert_frame_equal(getattr(a, t).reset_index(drop=True),
                           getattr(b, t).reset_index(drop=True), check_dtype=False,
                           check_exact=False, rtol=1e-12, obj=t)
    assert a.judgements.keys() == b.judgements.keys()
    for group in a.judgements:
        assert a.judgements[group].keys() == b.judgements[group].keys()
        for expert in a.judgements[group]:
            assert_frame_equal(a.judgements[group][expert], b.judgements[group][expert],
                               check_names=False, check_dtype=False, check_exact=False,
                               rtol=1e-12, check_index_type=False, check_column_type=False)
    assert a.schemes == b.schemes


# -- the shipped folder, determinism ------------------------------------------------------------

def test_shipped_sample_city_equals_generator(city):
    ws, _ = city
    shipped = zl.load_workspace(DATA / "sample_city")
    _assert_same_workspace(shipped, ws)
    assert shipped.equals(ws)


def test_same_seed_same_city_different_seed_different_city():
    a, ta = zl.datasets.make_city(7)
    b, tb = zl.datasets.make_city(7)
    _assert_same_workspace(a, b)
    assert_frame_equal(ta.latent, tb.latent)
    assert_frame_equal(ta.missing, tb.missing)
    c, tc = zl.datasets.make_city(8)
    assert not a.values.equals(c.values)
    assert not ta.latent.equals(tc.latent)
    assert a.framework.equals(c.framework)  # the structure is fixed, the numbers are drawn


def test_generator_seed_is_accepted():
    a, _ = zl.datasets.make_city(np.random.default_rng(3))
    b, _ = zl.datasets.make_city(3)
    assert a.equals(b)


def test_regenerate_rewrites_every_shipped_workspace(tmp_path):
    for name in ("oecd_tai_2008", "asem_coinr"):
        shutil.copytree(DATA / "reference" / name / "source",
                        tmp_path / "reference" / name / "source")
    zl.datasets.regenerate(tmp_path)
    for sub in ("sample_city", "reference/oecd_tai_2008", "reference/asem_coinr"):
        assert zl.load_workspace(tmp_path / sub).equals(zl.load_workspace(DATA / sub)), sub


# -- structure --------------------------------------------------------------------------------

def test_units_kinds_and_peer_groups(city):
    ws, _ = city
    assert ws.units["kind"].value_counts().to_dict() == {
        "agency": 20, "town": 10, "enterprise": 6, "institution": 6, "park": 4}
    groups = ws.units.groupby("kind")["peer_group"].unique().map(list).to_dict()
    assert groups == {"agency": ["agency"], "enterprise": ["enterprise"],
                      "institution": ["institution"], "park": ["towns_parks"],
                      "town": ["towns_parks"]}
    assert ws.units["unit_id"].is_unique
    assert (ws.units["name_zh"].str.len() > 0).all() and (ws.units["name_en"].str.len() > 0).all()
    territorial = ws.units["kind"].isin(["town", "park"])
    covariates = ["area_km2", "population", "eco_redline_share", "industrial_base"]
    assert ws.units.loc[territorial, covariates].notna().all().all()
    assert ws.units["baseline_output"].gt(0).all()
    assert ws.units["eco_redline_share"].dropna().between(0, 1).all()
    assert ws.years == list(range(2019, 2026))


def test_framework_shape_and_applicability(city):
    ws, _ = city
    fw = ws.framework
    leaves = fw[fw["level"] == 1]
    assert 25 <= len(leaves) <= 35
    assert fw.loc[fw["level"] == 3, "code"].tolist() == ["index"]
    dims = fw.loc[fw["level"] == 2, "code"].tolist()
    assert dims == ["economy", "ecology", "livelihood", "safety", "party"]
    assert {"env_quality_improvement", "liv_satisfaction", "liv_hotline_complaints",
            "liv_complaint_resolution"} <= set(leaves["code"])
    assert fw.set_index("code").loc["liv_hotline_complaints", "direction"] == -1
    assert set(fw["direction"]) == {1, -1}
    assert set(fw["visibility"]) == {"visible", "latent"}
    individualized = leaves.loc[leaves["scope"] == "individualized", "code"]
    assert {"ind_featured_industry", "ind_eco_product_value", "ind_park_output_per_mu"} == set(
        individualized)
    common = leaves[leaves["scope"] == "common"]
    for kind in ["town", "park", "agency", "enterprise", "institution"]:
        applies = common[common["kinds"].eq("") | common["kinds"].str.split(";").map(
            lambda k, kind=kind: kind in k)]
        assert len(applies) >= 12, kind
        assert applies["parent"].value_counts().reindex(dims).ge(2).all(), kind


def test_values_only_where_applicable(city):
    ws, truth = city
    kinds = ws.framework.set_index("code")["kinds"]
    kind_of = ws.units.set_index("unit_id")["kind"]
    ok = [not kinds[i] or kind_of[u] in kinds[i].split(";")
          for u, i in zip(ws.values["unit_id"], ws.values["indicator"])]
    assert all(ok)
    # individualized indicators: values and targets exactly from adoption on
    adoption = truth.adoption.set_index("unit_id")
    ind = ws.values[ws.values["indicator"].str.startswith("ind_")]
    assert set(ind["unit_id"]) == set(adoption.index)
    assert (ind["year"] >= ind["unit_id"].map(adoption["year"])).all()
    assert (ind["indicator"] == ind["unit_id"].map(adoption["indicator"])).all()
    expected = {(u, y, row.indicator) for u, row in adoption.iterrows()
                for y in range(row.year, 2026)}
    targets = set(zip(ws.targets["unit_id"], ws.targets["year"], ws.targets["indicator"]))
    assert targets == expected
    assert set(ws.targets["target_source"]) == {"self_declared", "expert_argued"}
    # staggered adoption: some towns from 2022, the parks from 2023, five towns never
    towns = ws.units.loc[ws.units["kind"] == "town", "unit_id"]
    assert adoption.loc[adoption.index.str.startswith("park_"), "year"].eq(2023).all()
    assert (adoption["year"] == 2022).sum() >= 2
    assert len(set(towns) - set(adoption.index)) == 5


# -- the truth agrees with the data -------------------------------------------------------------

def test_missing_cells_about_three_percent(city):
    ws, truth = city
    m = truth.missing
    absent = m[m["how"] == "absent"]
    cells = len(ws.values) + len(absent)
    assert 0.025 <= len(m) / cells <= 0.035
    assert 0.5 < len(absent) / len(m) < 0.8
    keys = ["unit_id", "year", "indicator"]
    present = ws.values.merge(absent[keys], on=keys)
    assert present.empty
    nan_rows = ws.values.merge(m.loc[m["how"] == "nan", keys], on=keys)
    assert len(nan_rows) == (m["how"] == "nan").sum() and nan_rows["value"].isna().all()
    assert ws.values["value"].isna().sum() == (m["how"] == "nan").sum()


def test_outliers_are_in_the_data_and_stand_out(city):
    ws, truth = city
    assert len(truth.outliers) >= 5
    v = ws.values.merge(ws.units[["unit_id", "peer_group"]])
    for o in truth.outliers.itertuples():
        row = v[(v["unit_id"] == o.unit_id) & (v["year"] == o.year)
                & (v["indicator"] == o.indicator)]
        assert row["value"].item() == o.value != o.clean
        group = row["peer_group"].item()
        peers = v[(v["year"] == o.year) & (v["indicator"] == o.indicator)
                  & (v["peer_group"] == group) & (v["unit_id"] != o.unit_id)]["value"].dropna()
        mad = (peers - peers.median()).abs().median()
        assert abs(o.value - peers.median()) / mad > 4, o


def test_latent_performance_drives_the_indicators(city):
    ws, truth = city
    fw = ws.framework.set_index("code")
    v = ws.values.dropna().merge(ws.units[["unit_id", "peer_group"]])
    v = v[v["indicator"].map(fw["scope"]) == "common"]
    by = v.groupby(["peer_group", "year", "indicator"])["value"]
    v["z"] = (v["value"] - by.transform("mean")) / by.transform("std") * v["indicator"].map(
        fw["direction"])
    composite = v.groupby(["unit_id", "year"])["z"].mean().rename("c").reset_index()
    both = composite.merge(truth.latent, on=["unit_id", "year"])
    assert len(both) == len(truth.latent) == 46 * 7
    assert spearmanr(both["c"], both["latent"])[0] > 0.7


def test_ecology_towns_and_unfair_economic_indicators(city):
    ws, truth = city
    u = ws.units.set_index("unit_id")
    eco = list(truth.ecology_towns)
    others = u.index[u["kind"].isin(["town", "park"]) & ~u.index.isin(eco)]
    assert u.loc[eco, "eco_redline_share"].min() > u.loc[others, "eco_redline_share"].max()
    assert u.loc[eco, "industrial_base"].max() < u.loc[others, "industrial_base"].min()
    # economic indicators are lower in ecology towns although latent performance is not
    towns = u.index[u["kind"] == "town"]
    gdp = ws.values[ws.values["indicator"] == "eco_gdp_growth"].groupby("unit_id")["value"].mean()
    normal = [t for t in towns if t not in eco]
    assert gdp[eco].max() < gdp[normal].median()
    lat = truth.latent.groupby("unit_id")["latent"].mean()
    assert np.corrcoef(lat[others.union(eco)], u.loc[others.union(eco), "industrial_base"])[0, 1] \
        < 0.6


def test_gaming_units_beat_low_targets(city):
    ws, truth = city
    t = ws.values.merge(ws.targets, on=["unit_id", "year", "indicator"]).dropna()
    ratio = (t["value"] / t["target"]).groupby(t["unit_id"]).median()
    gaming = ratio[list(truth.gaming_units)]
    honest = ratio.drop(list(truth.gaming_units))
    assert gaming.min() > 1.2 > honest.max()
    sources = ws.targets.groupby("unit_id")["target_source"].unique()
    assert all(list(sources[u]) == ["self_declared"] for u in truth.gaming_units)


def test_planted_effect_of_individualized_indicators(city):
    """Two-way fixed-effects DiD on satisfaction in towns and parks recovers the planted effect."""
    ws, truth = city
    s = ws.values[ws.values["indicator"] == truth.effect_outcome].dropna()
    s = s.merge(ws.units.loc[ws.units["peer_group"] == "towns_parks", ["unit_id"]])
    start = truth.adoption.set_index("unit_id")["year"]
    s = s.assign(post=(s["year"] >= s["unit_id"].map(start).fillna(9999)).astype(float))
    fit = smf.ols("value ~ post + C(unit_id) + C(year)", s).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(s["unit_id"])[0]})
    assert abs(fit.params["post"] - truth.effect_size) < 2.5 * fit.bse["post"]
    assert fit.params["post"] - 2 * fit.bse["post"] > 0


def test_deductions_follow_the_negative_list(city):
    ws, truth = city
    d = ws.deductions.merge(ws.deduction_items, on="item")
    assert len(d) == len(ws.deductions) > 20
    assert ((d["points"] > 0) & (d["points"] <= d["max_points"])).all()
    assert (d["points"] * 2 % 1 == 0).all()
    items = set(ws.deduction_items["item"])
    assert {"safety_accident", "credit_loss", "blind_development"} <= items
    hit = truth.latent.merge(ws.deductions[["unit_id", "year"]].drop_duplicates(), how="left",
                             indicator=True)
    assert hit.loc[hit["_merge"] == "both", "latent"].mean() < hit.loc[
        hit["_merge"] == "left_only", "latent"].mean()


def test_expert_judgements(city):
    ws, truth = city
    ahp = ws.judgements["index"]
    assert sorted(ahp) == [f"expert_{k}" for k in range(1, 8)]
    for expert, m in ahp.items():
        a = m.to_numpy()
        assert list(m.index) == list(m.columns) == list(truth.consensus_weights["index"].index)
        np.testing.assert_allclose(a * a.T, 1.0, rtol=1e-12)
        assert all(min(abs(x - s) for s in SAATY) < 1e-12 for x in a.ravel())
        cr = _cr(m)
        assert (cr > 0.10) == (expert in truth.inconsistent_experts), (expert, cr)
    budgets = ws.judgements["livelihood_points"]
    for b in budgets.values():
        assert b["points"].sum() == 100 and (b["points"] >= 0).all()
        assert (b["points"] % 1 == 0).all()
        assert list(b.index) == list(truth.consensus_weights["livelihood"].index)
    # the outlying expert is farthest from the others in both groups
    for group, weights in (
            ("index", {e: np.exp(np.log(m.to_numpy()).mean(axis=1)) for e, m in ahp.items()}),
            ("livelihood", {e: b["points"].to_numpy() for e, b in budgets.items()})):
        w = pd.DataFrame({e: v / v.sum() for e, v in weights.items()})
        distance = {e: np.abs(w[e] - w.drop(columns=e).median(axis=1)).sum() for e in w}
        assert max(distance, key=distance.get) == truth.outlying_expert, group


@pytest.mark.slow
@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_any_seed_gives_a_valid_city(seed):
    ws, truth = zl.datasets.make_city(seed)
    assert zl.validate_workspace(ws).empty
    crs = {e: _cr(m) for e, m in ws.judgements["index"].items()}
    assert all((cr > 0.1) == (e in truth.inconsistent_experts) for e, cr in crs.items())
    assert all(b["points"].sum() == 100 for b in ws.judgements["livelihood_points"].values())
    crs = {e: _cr(m) for e, m in ws.judgements["livelihood"].items()}
    assert all((cr > 0.1) == (e in truth.inconsistent_experts) for e, cr in crs.items())
    assert 0.025 <= len(truth.missing) / (len(ws.values) + (truth.missing["how"] == "absent").sum())
    assert len(ws.outcomes) == 14 * 7 * 3 and ws.outcomes["value"].notna().all()


# -- schemes ------------------------------------------------------------------------------------

def test_schemes_parse_and_baseline_has_the_design_shape(city):
    ws, _ = city
    assert set(ws.schemes) == {"baseline", "expert_ahp", "expert_points", "equal", "entropy"}
    for text in ws.schemes.values():
        zl.Scheme.from_yaml(text)
    base = yaml.safe_load(ws.schemes["baseline"])
    assert list(base) == ["name", "description", "reference_year", "treat", "impute", "normalise",
                          "weights", "aggregate", "peer_groups", "deductions", "grades",
                          "triggers", "uncertainty"]
    assert base["reference_year"] == 2022
    assert base["normalise"]["overrides"] == {
        c: {"method": "target", "cap": 1.2}
        for c in ["ind_featured_industry", "ind_eco_product_value", "ind_park_output_per_mu"]}
    assert base["weights"]["index"] == {"method": "fixed", "values": {
        "economy": 0.3, "ecology": 0.25, "livelihood": 0.25, "safety": 0.1, "party": 0.1}}
    assert base["weights"]["livelihood"] == {"method": "ahp",
                                             "judgements": "judgements/livelihood"}
    assert base["peer_groups"] == "peer_group" and base["deductions"] == {"cap": 10}
    assert [g["share"] for g in base["grades"]] == [0.3, 0.5, 0.2]
    zscore = base["uncertainty"][0]["alternatives"][1]
    assert (zscore["method"], zscore["scale"]) == ("zscore", [10, 2])
    assert set(zscore["overrides"]) == set(base["normalise"]["overrides"])
    ahp = yaml.safe_load(ws.schemes["expert_ahp"])
    assert ahp["weights"]["index"] == {"method": "ahp", "judgements": "judgements/index"}
    assert yaml.safe_load(ws.schemes["entropy"])["weights"]["*"] == {"method": "entropy"}


# -- reference workspaces -----------------------------------------------------------------------

def _tai_scores(ws, scheme_name):
    """Goalpost-normalised values × the scheme's effective indicator weights (numpy only)."""
    spec = yaml.safe_load(ws.schemes[scheme_name])
    x = ws.values.pivot(index="unit_id", columns="indicator", values="value")
    lo_hi = pd.DataFrame(spec["normalise"]["goalposts"], index=["lo", "hi"])
    n = ((x - lo_hi.loc["lo"]) / (lo_hi.loc["hi"] - lo_hi.loc["lo"])).clip(0, 1)
    fw = ws.framework.set_index("code")
    w = pd.Series(1.0, index=n.columns)
    for code in n.columns:   # product of the rescaled weights along the path to the root
        node = code
        while fw.loc[node, "parent"]:
            parent = fw.loc[node, "parent"]
            rule = spec["weights"].get(parent) or spec["weights"]["*"]
            siblings = fw.index[fw["parent"] == parent]
            if rule["method"] == "equal":
                w[code] *= 1 / len(siblings)
            else:
                w[code] *= rule["values"][node] / sum(rule["values"].values())
            node = parent
    return n @ w, w


def test_tai_reproduces_handbook_table23():
    """OECD/JRC (2008) Handbook, Table 23: ranks under equal (EW) and budget-allocation (BAP)
    weights with UNDP goalposts, reproduced from the shipped workspace and its schemes."""
    ws = zl.datasets.load_tai()
    assert len(ws.units) == 23 and ws.indicators() == [
        "patents", "royalties", "internet", "exports", "telephones_log", "electricity_log",
        "schooling", "university"]
    assert ws.root == "index" and len(ws.children("index")) == 4 and ws.years == [2000]
    assert set(ws.units["kind"]) == {"country"} and set(ws.units["peer_group"]) == {"all"}
    published = pd.read_csv(
        DATA / "reference/oecd_tai_2008/published/table23_ranks_by_weighting.csv", index_col="iso3")
    bap = pd.read_csv(DATA / "reference/oecd_tai_2008/source/tai_expert_weights.csv",
                      index_col="scheme").loc["BAP"]
    for scheme, column in (("tai_handbook", "EW"), ("tai_bap", "BAP")):
        scores, w = _tai_scores(ws, scheme)
        ranks = scores.rank(ascending=False, method="min").astype(int)
        pd.testing.assert_series_equal(ranks.sort_index(), published[column].sort_index(),
                                       check_names=False, check_index_type=False)
        expected = 1 / 8 if column == "EW" else bap[w.index].astype(float)
        np.testing.assert_allclose(w, expected, rtol=1e-12)
        a = zl.build(ws, zl.Scheme.from_yaml(ws.schemes[scheme]), year=2000)
        top = a.scores[a.scores["node"] == "index"].set_index("unit_id")["rank"]
        assert (top.astype(int) == published[column].reindex(top.index)).all()


def test_asem_workspace_matches_coinr_tables():
    ws = zl.datasets.load_asem()
    src = DATA / "reference/asem_coinr/source"
    meta = pd.read_csv(src / "ASEM_iMeta.csv")
    data = pd.read_csv(src / "ASEM_iData.csv").set_index("uCode")
    assert len(ws.units) == 51 and len(ws.indicators()) == 49 and ws.years == [2018]
    assert ws.root == "index" and sorted(ws.framework["level"].unique()) == [1, 2, 3, 4]
    assert ws.framework["code"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    original = ws.framework["source"].str.removeprefix("COINr ASEM_iMeta iCode=")
    assert set(original) == set(meta.loc[meta["Type"].isin(["Indicator", "Aggregate"]), "iCode"])
    code_of = dict(zip(original, ws.framework["code"]))
    assert ws.framework.set_index("code")["parent"].to_dict()["con_ec_fin"] == "conn"
    wide = ws.values.pivot(index="unit_id", columns="indicator", values="value")
    raw = data[list(meta.loc[meta["Type"] == "Indicator", "iCode"])].rename(columns=code_of)
    assert len(ws.values) == raw.notna().sum().sum() == 51 * 49 - 63  # NA cells: absent rows
    assert_frame_equal(wide.reindex(index=raw.index, columns=raw.columns), raw.astype(float),
                       check_names=False, rtol=1e-12)
    scheme = yaml.safe_load(ws.schemes["asem_coinr"])
    fixed = {k: v for k, v in scheme["weights"].items() if k != "*"}
    assert set(fixed) == set(ws.tree())
    for node, rule in fixed.items():
        assert list(rule["values"]) == ws.children(node)
    zl.Scheme.from_yaml(ws.schemes["asem_coinr"])


def test_missing_data_folder_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(zl.datasets.reference, "__file__",
                        str(tmp_path / "zhengji_lab" / "datasets" / "reference.py"))
    with pytest.raises(FileNotFoundError, match="pip install -e"):
        zl.datasets.load_tai()


# -- outcomes outside the score and the planted effects of adoption ----------------------------

#: SHA-256 of every table, judgement and scheme of make_city(seed) and of truth.latent, outliers
#: and missing, as the generator made them before outcomes.csv and units.positioning were added
#: (CSV text, see _digest): the outcomes are drawn after everything else, so nothing else moves.
PINNED = {zl.datasets.DEFAULT_SEED:
          "eb05a23b03675cef1b77438e3ea20da4ce2f6bcb3684db66421e8dbe68078421",
          7: "dbae426dd07c5648291519b35e1d7d36116e6e96aef4f544b620f5b28839e2b4"}
KEYS = ["unit_id", "year"]
COLUMNS_OUTCOMES = ["unit_id", "year", "name", "value"]


def _digest(ws, truth) -> str:
    h = hashlib.sha256()
    for t in TABLES:
        df = getattr(ws, t)
        h.update(df.drop(columns="positioning", errors="ignore").to_csv(index=False).encode())
    for group in sorted(ws.judgements):
        for expert in sorted(ws.judgements[group]):
            h.update(ws.judgements[group][expert].to_csv().encode())
    for name in sorted(ws.schemes):
        h.update(ws.schemes[name].encode())
    for field in ("latent", "outliers", "missing"):
        h.update(getattr(truth, field).to_csv(index=False).encode())
    return h.hexdigest()


def _treated(truth, frame):
    """``frame`` with the adoption year ``g`` (0: never), event time and ``D``."""
    start = truth.adoption.set_index("unit_id")["year"]
    g = frame["unit_id"].map(start).fillna(0).astype(int)
    return frame.assign(g=g, e=frame["year"] - g, D=((g > 0) & (frame["year"] >= g)).astype(int))


@pytest.mark.parametrize("seed", list(PINNED))
@pytest.mark.parametrize("effects", ["dynamic", "constant", {"survey_satisfaction": 1.0}])
def test_outcomes_leave_every_earlier_table_as_it_was(seed, effects):
    ws, truth = zl.datasets.make_city(seed, effects=effects)
    assert _digest(ws, truth) == PINNED[seed]
    assert truth.effect_size == zl.datasets.EFFECT_SIZE


@pytest.mark.parametrize("seed", list(PINNED))
def test_no_effects_city_differs_by_the_planted_effects_only(seed):
    ws, truth = zl.datasets.make_city(seed)
    none_ws, none = zl.datasets.make_city(seed, effects="none")
    for t in TABLES:
        if t != "values":
            assert_frame_equal(getattr(none_ws, t), getattr(ws, t), check_exact=True)
    assert none_ws.schemes == ws.schemes and none.effects == "none"
    assert_frame_equal(none.latent, truth.latent) and none.effect_size == 0
    # liv_satisfaction: 3 points more for adopters from adoption on, nothing else differs
    both = _treated(truth, ws.values.merge(none_ws.values, on=KEYS + ["indicator"],
                                           suffixes=("", "_none"), how="outer"))
    moved = both["D"].astype(bool) & (both["indicator"] == truth.effect_outcome)
    assert both.loc[~moved, "value"].equals(both.loc[~moved, "value_none"])
    diff = (both["value"] - both["value_none"])[moved & (both["value"] < 100)].dropna()
    assert len(diff) > 20 and np.allclose(diff, zl.datasets.EFFECT_SIZE, atol=1e-9)
    # outcomes: the same draws, minus the planted cell effects
    assert (none.outcome_effects["effect"] == 0).all()
    assert all(float(t) == 0 and set(t.by_cohort.values()) == {0.0}
               for t in none.adoption_effects.values())
    cells = ws.outcomes.merge(truth.outcome_effects.rename(columns={"outcome": "name"}))
    assert_frame_equal(none_ws.outcomes.drop(columns="value"), cells[COLUMNS_OUTCOMES[:3]])
    np.testing.assert_allclose(cells["value"] - cells["effect"], none_ws.outcomes["value"],
                               rtol=0, atol=1e-9)
    assert (cells["effect"] != 0).sum() == 2 * 30


def test_outcomes_cover_towns_and_parks_every_year(city):
    ws, truth = city
    o = ws.outcomes
    assert list(o.columns) == COLUMNS_OUTCOMES and o["value"].notna().all()
    territorial = ws.units.loc[ws.units["kind"].isin(["town", "park"]), "unit_id"]
    expected = pd.MultiIndex.from_product([territorial, range(2019, 2026), truth.outcomes])
    assert o.set_index(["unit_id", "year", "name"]).index.sort_values().equals(
        expected.sort_values())
    assert truth.outcomes == ("survey_satisfaction", "hotline_complaints", "income_growth")
    assert truth.unaffected_outcomes == ("income_growth",)
    assert set(truth.adoption_effects) == {"survey_satisfaction", "hotline_complaints"}
    assert (o["value"] * 10 == (o["value"] * 10).round()).all()  # one decimal: exact in CSV
    wide = o.pivot_table(index="unit_id", columns="name", values="value")
    assert 77 < wide["survey_satisfaction"].mean() < 83 and o["value"].ge(0).all()
    assert 2 < wide["survey_satisfaction"].std() < 6
    assert o.loc[o["name"] == "survey_satisfaction", "value"].le(100).all()
    # the 2020 dip of satisfaction and income growth
    by_year = o.groupby(["name", "year"])["value"].mean()
    for name in ("survey_satisfaction", "income_growth"):
        assert by_year[name].idxmin() == 2020, name
    assert_frame_equal(truth.outcome_effects[KEYS], o[KEYS])
    assert (truth.outcome_effects["outcome"] == o["name"]).all()


@pytest.mark.parametrize("effects", ["dynamic", "constant"])
def test_true_effects_are_the_means_of_the_cell_effects(effects):
    _, truth = zl.datasets.make_city(3, effects=effects)
    assert truth.effects == effects
    cells = _treated(truth, truth.outcome_effects)
    assert (cells.loc[cells["D"] == 0, "effect"] == 0).all()
    assert (cells.loc[cells["outcome"].isin(truth.unaffected_outcomes), "effect"] == 0).all()
    treated = cells[cells["D"] == 1]
    assert len(treated) == 30 * 3  # 4 units x 4 years + 4 x 3 + 1 x 2, per outcome
    for name, att in truth.adoption_effects.items():
        mine = treated[treated["outcome"] == name]
        assert isinstance(att, float) and isinstance(att, zl.datasets.TrueEffect)
        assert att == pytest.approx(mine["effect"].mean(), abs=1e-12)
        assert att.by_cohort == pytest.approx(mine.groupby("g")["effect"].mean().to_dict(),
                                              abs=1e-12)
        assert att.by_event_time == pytest.approx(mine.groupby("e")["effect"].mean().to_dict(),
                                                  abs=1e-12)
        assert list(att.by_cohort) == [2022, 2023, 2024] and list(att.by_event_time) == [0, 1,
                                                                                        2, 3]
        sign = 1 if name == "survey_satisfaction" else -1
        assert sign * att > 1 and all(sign * v > 0 for v in att.by_cohort.values())
        if effects == "constant":
            assert len(set(att.by_cohort.values()) | set(att.by_event_time.values())) == 1
        else:  # different by cohort, growing with time since adoption
            assert len(set(att.by_cohort.values())) == 3
            assert np.all(sign * np.diff(list(att.by_event_time.values())) > 0)
            for g, by in mine.groupby("g"):
                assert np.all(sign * np.diff(by.groupby("e")["effect"].first()) > 0), g
    dynamic = zl.datasets.make_city(3)[1].adoption_effects["survey_satisfaction"]
    assert dynamic == pytest.approx(2.4166666666666665)  # the docstring's table


def test_static_twfe_is_biased_by_the_dynamic_effects_and_two_stage_did_is_not(city):
    """Both estimators are linear in the outcome, so on the cell effects alone (noise-free,
    parallel trends exact) they give their expected estimates: Gardner's two-stage DiD the ATT,
    static two-way fixed effects a value about a quarter closer to zero (forbidden comparisons
    of later adopters with earlier ones; Borusyak, Jaravel and Spiess 2024)."""
    _, truth = city
    cells = _treated(truth, truth.outcome_effects)
    for name, att in truth.adoption_effects.items():
        d = cells[cells["outcome"] == name].rename(columns={"effect": "y"})
        d = d.assign(unit_id=d["unit_id"].astype(object))
        twfe = pf.feols("y ~ D | unit_id + year", data=d).coef()["D"]
        two_stage = pf.did2s(d, yname="y", first_stage="~0|unit_id+year", second_stage="~D",
                             treatment="D", cluster="unit_id").coef()["D"]
        assert two_stage == pytest.approx(att, abs=1e-8)
        assert 0.6 < twfe / att < 0.8, (name, twfe, float(att))


def test_planted_outcome_effects_are_found_and_the_placebo_is_not(city):
    """Two-stage DiD on the shipped outcomes: the affected outcomes' 95 % intervals hold the
    true ATT and exclude 0; the placebo's holds 0."""
    ws, truth = city
    data = _treated(truth, ws.outcomes)
    for name in truth.outcomes:
        d = data[data["name"] == name].rename(columns={"value": "y"})
        d = d.assign(unit_id=d["unit_id"].astype(object))
        fit = pf.did2s(d, yname="y", first_stage="~0|unit_id+year", second_stage="~D",
                       treatment="D", cluster="unit_id")
        lo, hi = fit.confint().loc["D"]
        att = truth.adoption_effects.get(name, 0.0)
        assert lo <= att <= hi, (name, lo, hi)
        assert (lo > 0 or hi < 0) == (name != "income_growth"), (name, lo, hi)


def test_custom_effect_sizes():
    ws, _ = zl.datasets.make_city(5)
    custom = {"survey_satisfaction": 1.5,
              "hotline_complaints": {2022: (0, -1), 2023: (0.0, -1.0), 2024: (0, -1)}}
    cws, ctruth = zl.datasets.make_city(5, effects=custom)
    assert ctruth.effects == {"survey_satisfaction": 1.5,
                              "hotline_complaints": {g: (0.0, -1.0) for g in (2022, 2023, 2024)}}
    survey, hotline = (ctruth.adoption_effects[k] for k in ("survey_satisfaction",
                                                            "hotline_complaints"))
    assert survey == 1.5 and set(survey.by_cohort.values()) == {1.5}
    assert hotline.by_event_time == {0: 0.0, 1: -1.0, 2: -2.0, 3: -3.0}
    assert_frame_equal(cws.values, ws.values)  # liv_satisfaction keeps its 3 points
    none_ws, _ = zl.datasets.make_city(5, effects="none")
    np.testing.assert_allclose(cws.outcomes["value"] - ctruth.outcome_effects["effect"],
                               none_ws.outcomes["value"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("effects, error, match", [
    ("dinamic", ValueError, (r"'effects' parameter of make_city\(\) must be one of "
                             r".*'dynamic'.*Got 'dinamic' instead")),
    (3.0, TypeError, r"'effects' parameter of make_city\(\) must be .*Got 3.0 instead"),
    ({"income_growth": 1.0}, ValueError, (r"\['income_growth'\] are placebos.*Got "
                                          r"'income_growth' instead")),
    ({"survey_satisfaction": {2022: (1, 1)}}, ValueError,
     (r"must give 'survey_satisfaction' a number or \{cohort: \(start, growth\)\} for the "
      r"cohorts \[2022, 2023, 2024\]")),
    ({"survey_satisfaction": "big"}, ValueError, r"Got 'big' instead"),
])
def test_effects_option_is_checked(effects, error, match):
    with pytest.raises(error, match=match):
        zl.datasets.make_city(1, effects=effects)


def test_true_effect_is_a_float_that_pickles(city):
    _, truth = city
    att = truth.adoption_effects["survey_satisfaction"]
    back = pickle.loads(pickle.dumps(att))
    assert type(back) is zl.datasets.TrueEffect and back == att
    assert back.by_cohort == att.by_cohort and back.by_event_time == att.by_event_time
    assert str(att) == repr(float(att)) and "by_cohort={2022: 3.25" in repr(att)
    assert f"{att:.2f}" == "2.42" and type(att + 0) is float


def test_units_positioning_is_text_not_a_covariate(city):
    ws, _ = city
    u = ws.units.set_index("unit_id")
    assert u.loc[["town_yunxi", "town_liuwan", "town_cuiping", "park_etdz"],
                 "positioning"].tolist() == ["urban", "industrial", "ecological", "park"]
    assert (u.loc[~u["kind"].isin(["town", "park"]), "positioning"] == "").all()
    assert u.loc[u["kind"] == "town", "positioning"].value_counts().to_dict() == {
        "industrial": 4, "urban": 3, "ecological": 3}
    assert ws.covariate_table(2025, ["population"])["population"].notna().sum() == 14
    with pytest.raises(zl.BuildError, match=r"No covariate \['positioning'\].*numeric columns "
                                            r"\['area_km2'"):
        ws.covariate_table(2025, ["positioning"])
