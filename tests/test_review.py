"""Tests of zhengji_lab.review (the panel's weighting review; its notebook is run by
tests/test_notebooks.py), and of every weighting method used through a scheme at a node of the
tree, with what the build log records (issue 3, points 2 and 4).

Known answers: a consistent AHP matrix a_ij = w_i/w_j gives w with CR = 0 (Saaty 1977); the
OECD/JRC Handbook (2008) Table 22 budget-allocation (BAP) weights of the Technology Achievement
Index, reached through an AHP matrix at the root, reproduce the Handbook's BAP composite; the
data-driven weights recorded by a build equal the weighting functions applied to the children's
normalised scores (oracle: the functions themselves, tested against published examples in
tests/test_weighting_*.py).
"""
import dataclasses
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import zhengji_lab as zl
from zhengji_lab.errors import BuildError, InconsistentJudgementWarning, SchemeError

matplotlib.use("Agg")

SHEETS = ["schemes", "weights", "effective_weights", "weights_by_group", "ranks", "correlations",
          "spearman", "grade_changes", "panel_consistency", "panel_agreement"]
#: Handbook Table 22, BAP weights of the TAI dimensions (sum of their indicators' weights).
TAI_BAP = {"creation": 0.22, "diffusion_recent": 0.29, "diffusion_old": 0.16,
           "human_skills": 0.33}


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentJudgementWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def cmp(sample_ws):
    return quiet(zl.compare_schemes, sample_ws, None, 2025)


@pytest.fixture(scope="module")
def tai():
    return zl.datasets.load_tai()


# -- compare_schemes ------------------------------------------------------------------------------
def test_ranks_and_grades_match_each_schemes_own_build(cmp, sample_ws):
    assert cmp.schemes == ["baseline", "entropy", "equal", "expert_ahp", "expert_points"]
    assert cmp.reference == "baseline" and cmp.year == 2025
    for name in cmp.schemes:
        own = quiet(zl.build, sample_ws, name, 2025)             # a full build of its own
        root = own.scores[own.scores["node"] == own.root].set_index("unit_id")
        ranks = cmp.comparison.ranks[name].reindex(root.index)
        assert ranks.astype("Float64").equals(root["rank"].astype("Float64")), name
        changed = cmp.grade_changes[cmp.grade_changes["scheme"] == name]
        for unit, grade in zip(changed["unit_id"], changed["grade"]):
            assert (pd.isna(grade) and pd.isna(root.loc[unit, "grade"])) or \
                grade == root.loc[unit, "grade"]
    base = cmp.assessments["baseline"].scores
    base = base[base["node"] == "index"].set_index("unit_id")["grade"]
    for name in cmp.schemes[1:]:
        own = cmp.assessments[name].scores
        own = own[own["node"] == "index"].set_index("unit_id")["grade"]
        differ = set(own.index[own.ne(base.reindex(own.index)) | own.isna()])
        assert differ == set(cmp.grade_changes.loc[cmp.grade_changes["scheme"] == name,
                                                   "unit_id"])


def test_identical_schemes_agree_fully_and_share_one_build(sample_ws, baseline):
    same = zl.compare_schemes(sample_ws, {"a": baseline, "b": baseline}, 2025, panel=False)
    assert same.assessments["a"] is same.assessments["b"]
    assert_allclose(same.comparison.frame["spearman"], 1.0)
    assert_allclose(same.comparison.frame["mean_abs_shift"], 0.0)
    assert same.grade_changes.empty and same.panel is None
    assert "等次变化: b 0" in same.summary()


def test_weights_sum_to_one_and_effective_weights_multiply_down(cmp):
    w = cmp.weights
    assert list(w.columns) == ["scheme", "group", "parent", "node", "name_zh", "level",
                               "weight", "effective"]
    assert set(w["group"]) == {"all", "towns_parks", "agency", "enterprise", "institution"}
    sums = w.groupby(["scheme", "group", "parent"])["weight"].sum()
    assert_allclose(sums, 1.0, atol=1e-9)
    assert_allclose(w.groupby(["scheme", "group", "level"])["effective"].sum(), 1.0, atol=1e-9)
    # the oracle: zl.effective_weights of each tree of weights
    for (scheme, group), tree in w.groupby(["scheme", "group"]):
        eff = zl.effective_weights(None, tree[["parent", "node", "weight"]])
        assert_allclose(tree.set_index("node")["effective"].reindex(eff["node"]),
                        eff["effective"], atol=1e-12)


def test_weights_known_answers(cmp, sample_ws):
    w = cmp.weights.set_index(["scheme", "group", "node"])["weight"]
    fixed = {"economy": 0.3, "ecology": 0.25, "livelihood": 0.25, "safety": 0.1, "party": 0.1}
    for node, value in fixed.items():
        assert w["baseline", "all", node] == pytest.approx(value)
        assert w["equal", "agency", node] == pytest.approx(0.2)
    # equal weights as agencies get them: their 3 applicable economy indicators share 1
    applicable = [c for c in sample_ws.children("economy") if c in
                  sample_ws.indicators(kind="agency")]
    assert len(applicable) == 3
    for code in sample_ws.children("economy"):
        assert w["equal", "agency", code] == pytest.approx(1 / 3 if code in applicable else 0)
    # AHP at the root: the panel's combined (AIJ) weights
    combined = quiet(zl.panel.review_workspace, sample_ws, "index").combined["weight"]
    for node, value in combined.items():
        assert w["expert_ahp", "all", node] == pytest.approx(value, abs=1e-12)


@pytest.mark.parametrize("scheme", ["equal", "entropy"])
def test_group_weights_reproduce_the_composite(cmp, scheme):
    """Agencies share one indicator set, so their group's effective weights are each agency's:
    the composite of a complete agency without deductions is Σ effective_i · x_i."""
    a = cmp.assessments[scheme]
    norm = a.stage("normalised")
    eff = cmp.weights[(cmp.weights["scheme"] == scheme) & (cmp.weights["group"] == "agency")
                      & (cmp.weights["level"] == 1)].set_index("node")["effective"]
    used = eff.index[eff > 0]
    agencies = a.units.loc[a.units["kind"] == "agency", "unit_id"]
    complete = [u for u in agencies if norm.loc[u, used].notna().all()
                and u not in set(a.deductions.loc[a.deductions["applied"] > 0, "unit_id"])]
    assert len(complete) >= 5
    expect = norm.loc[complete, used] @ eff[used]
    assert_allclose(a.index[complete], expect, rtol=1e-10)


def test_tables_and_text(cmp):
    t = cmp.weights_table("weight", level=2)
    assert list(t.columns) == ["node", "name_zh", "level", *cmp.schemes]
    assert t["name_zh"].tolist() == ["经济发展", "生态环境", "民生保障", "安全稳定", "党的建设"]
    full = cmp.weights_table()
    assert full["node"].iloc[0] == "economy" and full["node"].iloc[1] == "eco_gdp_growth"
    r = cmp.ranks_table()
    assert {"unit_id", "name_zh", "peer_group", *cmp.schemes, "shift entropy"} <= set(r.columns)
    corr = cmp.correlations()
    assert_allclose(np.diag(corr), 1.0) and corr.equals(corr.T)
    text = cmp.to_text()
    for part in ("权重 Weights", "经济发展", "秩相关", "等次变化", "CR", "kendall_w", "ICC(3,1)", "krippendorff_alpha", "expert_5"):
        assert part in text, part
    assert "baseline" in cmp._repr_html_() and "SchemeComparison 2025" in repr(cmp)


def test_bad_input_names_the_fix(sample_ws, baseline):
    with pytest.raises(ValueError, match=r"names 'nope'.*'baseline', 'entropy'"):
        zl.compare_schemes(sample_ws, ["baseline", "nope"], 2025)
    with pytest.raises(ValueError, match="at least 2 schemes"):
        zl.compare_schemes(sample_ws, ["baseline"], 2025)
    with pytest.raises(ValueError, match=r"'reference'.*one of \{'baseline', 'equal'\}"):
        zl.compare_schemes(sample_ws, ["baseline", "equal"], 2025, reference="x")
    with pytest.raises(ValueError, match=r"No values for year 1999; the workspace has \[2019"):
        zl.compare_schemes(sample_ws, None, 1999)
    with pytest.raises(TypeError, match="'schemes' parameter.*Got str"):
        zl.compare_schemes(sample_ws, "baseline", 2025)
    with pytest.raises(TypeError, match="'ws' parameter.*Workspace"):
        zl.compare_schemes("data/sample_city", None, 2025)
    with pytest.raises(ValueError, match="two schemes labelled 'baseline'.*dict"):
        zl.compare_schemes(sample_ws, ["baseline", baseline], 2025)
    by_kind = baseline.replace("peer_groups", "kind").replace("name", "by_kind")
    with pytest.raises(ValueError, match=r"different peer groups: 'by_kind' \(peer_groups: "
                                         r"'kind'\)"):
        zl.compare_schemes(sample_ws, [baseline, by_kind], 2025, panel=False)


def test_excel_round_trip_and_refusal_to_overwrite(cmp, tmp_path):
    path = cmp.to_excel(tmp_path / "sub" / "weights.xlsx")
    book = pd.read_excel(path, sheet_name=None)
    assert list(book) == SHEETS
    w = book["weights_by_group"]
    assert "权重 weight" in w.columns and "有效权重 effective" in w.columns
    assert_allclose(w["有效权重 effective"], cmp.weights["effective"])
    assert book["effective_weights"]["名称 name_zh"].iloc[0] == "经济发展"
    assert len(book["grade_changes"]) == len(cmp.grade_changes)
    assert "一致性比率CR cr" in book["panel_consistency"].columns
    stamp = path.stat().st_mtime_ns
    with pytest.raises(FileExistsError, match="already exists.*overwrite=True"):
        cmp.to_excel(path)
    assert path.stat().st_mtime_ns == stamp
    assert cmp.to_excel(path, overwrite=True) == path
    with pytest.raises(ValueError, match=r"must end in \.xlsx"):
        cmp.to_excel(tmp_path / "weights.csv")


def test_tai_without_grades_or_panel(tai, tmp_path):
    """The Handbook's BAP weights (Table 22) come out as the effective weights of the
    indicators, and the TAI's one peer group ("all") is the pooled group."""
    cmp = zl.compare_schemes(tai, ["tai_handbook", "tai_bap"], 2000)
    assert cmp.panel is None and cmp.grade_changes.empty
    assert set(cmp.weights["group"]) == {"all"} and cmp.groups == ["all"]
    assert "no grades" in cmp.summary()
    eff = cmp.weights_table("effective", level=1).set_index("node")
    table22 = {"patents": 0.11, "royalties": 0.11, "internet": 0.11, "exports": 0.18,
               "telephones_log": 0.10, "electricity_log": 0.06, "schooling": 0.15,
               "university": 0.18}
    assert_allclose(eff["tai_bap"].reindex(list(table22)), list(table22.values()), atol=1e-12)
    assert_allclose(eff["tai_handbook"], 1 / 8)
    assert list(pd.read_excel(cmp.to_excel(tmp_path / "t.xlsx"), sheet_name=None)) == \
        SHEETS[:-2]


def test_plots(cmp):
    import matplotlib.pyplot as plt

    zl.plots.setup_chinese()
    ax = cmp.plot_weights()
    assert len(ax.get_xticklabels()) == 5 and "经济发展" in ax.get_xticklabels()[0].get_text()
    assert len(cmp.plot_weights(level=1, value="weight").get_xticklabels()) == 33
    ax = cmp.plot_ranks("bump", group="agency")
    assert len(ax.lines) == (cmp.units["peer_group"] == "agency").sum()
    ax = cmp.plot_ranks("shifts")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["entropy", "equal", "expert_ahp",
                                                            "expert_points"]
    assert len(ax.get_yticklabels()) == len(cmp.units)
    assert cmp.plot_ranks("heatmap").collections
    assert cmp.panel.plot("index").get_title().endswith("index")
    with pytest.raises(ValueError, match=r"'kind'.*\{'bump', 'shifts', 'heatmap'\}"):
        cmp.plot_ranks("violin")
    with pytest.raises(ValueError, match="'group'.*'towns_parks'"):
        cmp.plot_ranks("bump", group="x")
    with pytest.raises(ValueError, match="'value'.*'effective'"):
        cmp.weights_table("nominal")
    with pytest.raises(TypeError, match="shift_heatmap"):
        zl.plots.shift_heatmap([[1, 2]])
    plt.close("all")


# -- panel_summary -------------------------------------------------------------------------------
def test_panel_summary(sample_ws, tai):
    with pytest.warns(InconsistentJudgementWarning) as caught:
        p = zl.panel_summary(sample_ws)
    assert {m for m in ("expert_3", "expert_5") if any(m in str(w.message) for w in caught)} \
        == {"expert_3", "expert_5"}
    assert list(p.reviews) == ["index", "index_points", "livelihood", "livelihood_points"]
    c = p.consistency.set_index(["judgements", "expert"])
    assert (c.loc[("index", "expert_3"), "cr"] > 0.1) and not c.loc[("index", "expert_5"),
                                                                     "consistent"]
    assert c.loc[("index", "(group)"), "cr"] < 0.1
    assert c.loc["livelihood_points", "cr"].isna().all()     # point budgets have no CR
    assert c.loc[("livelihood", "expert_5"), "cr"] > 0.1
    agree = p.agreement.set_index(["judgements", "measure"])
    own = quiet(zl.panel.review_workspace, sample_ws, "index").agreement.set_index("measure")
    assert_allclose(agree.loc["index", "estimate"], own["estimate"])
    assert 0 < agree.loc[("index", "kendall_w"), "p_value"] < 0.05
    assert "Kendall's W" in p.summary() and "expert_7" in p.to_text()
    with pytest.raises(ValueError, match="no expert judgements"):
        zl.panel_summary(tai)
    with pytest.raises(ValueError, match=r"'group'.*\{'index', 'index_points', 'livelihood', 'livelihood_points'\}"):
        p.plot("x")


# -- every weighting method through the scheme at a node (issue 3, point 2) -----------------------
def _consistent(weights: dict) -> pd.DataFrame:
    """A consistent AHP matrix a_ij = w_i / w_j (CR = 0, priorities = w)."""
    w = pd.Series(weights, dtype=float)
    return pd.DataFrame(np.outer(w, 1 / w), index=w.index, columns=w.index)


def _points(points: dict) -> pd.DataFrame:
    return pd.DataFrame({"points": list(points.values())}, index=list(points))


LIV_AHP = {"liv_satisfaction": 4, "liv_hotline_complaints": 2, "liv_complaint_resolution": 2,
           "liv_new_jobs": 1, "liv_income_growth": 1, "liv_online_service": 1,
           "liv_good_reviews": 1}
INDEX_POINTS = {"e1": {"economy": 30, "ecology": 20, "livelihood": 30, "safety": 10, "party": 10},
                "e2": {"economy": 40, "ecology": 20, "livelihood": 20, "safety": 10, "party": 10}}


@pytest.fixture(scope="module")
def city(sample_ws):
    """The sample city with extra judgement groups: AHP for a dimension, budgets for the root."""
    extra = {"liv_ahp": {"e1": _consistent(LIV_AHP), "e2": _consistent(LIV_AHP)},
             "index_pts": {e: _points(p) for e, p in INDEX_POINTS.items()}}
    return dataclasses.replace(sample_ws, judgements={**sample_ws.judgements, **extra})


@pytest.fixture(scope="module")
def tai_judged(tai):
    ahp = {"e1": _consistent(TAI_BAP), "e2": _consistent(TAI_BAP)}
    return dataclasses.replace(tai, judgements={
        "index": ahp, "creation": {"e1": _consistent({"patents": 2, "royalties": 1})},
        "index_pts": {"e1": _points({k: 100 * v for k, v in TAI_BAP.items()})},
        "creation_pts": {"e1": _points({"patents": 60, "royalties": 40}),
                         "e2": _points({"patents": 50, "royalties": 50})}})


CITY_METHODS = {   # method -> (spec at the root "index", spec at the dimension "livelihood")
    "equal": ({"method": "equal"}, {"method": "equal"}),
    "fixed": ({"method": "fixed", "values": {"economy": 3, "ecology": 2, "livelihood": 2,
                                             "safety": 2, "party": 1}},
              {"method": "fixed", "values": {c: 1 for c in LIV_AHP}}),
    "budget": ({"method": "budget", "judgements": "judgements/index_pts"},
               {"method": "budget", "judgements": "judgements/livelihood_points"}),
    "ahp": ({"method": "ahp", "judgements": "judgements/index"},
            {"method": "ahp", "judgements": "judgements/liv_ahp"}),
    "ahp_group": ({"method": "ahp_group", "judgements": "judgements/index", "how": "aip"},
                  {"method": "ahp_group", "judgements": "judgements/liv_ahp"}),
    **{m: ({"method": m}, {"method": m}) for m in
       ("entropy", "critic", "stdev", "pca", "bod", "optimise")},
    "combine": ({"method": "combine", "of": [{"method": "ahp", "judgements": "judgements/index"},
                                             {"method": "critic"}], "alpha": 0.6},
                {"method": "combine", "of": [{"method": "budget",
                                              "judgements": "judgements/livelihood_points"},
                                             {"method": "entropy"}], "how": "game",
                 "negative": "clip"}),
}


def _weight_records(a, node):
    return [r for r in a.log if r.step == "weight" and r.params["node"] == node]


def _info(record) -> dict:
    """A weight record's values as one mapping: method, weights and the diagnostics."""
    res = record.resolved
    weights = res.weights if isinstance(res.weights, pd.DataFrame) else dict(res.weights)
    return {**res.diagnostics, "method": res.method, "weights": weights}


def _check_records(a, node, method):
    """Every method logs the weights it resolved (summing to 1, as in Assessment.weights) and
    its diagnostics."""
    records = _weight_records(a, node)
    assert records, node
    rows = a.weights[a.weights["parent"] == node]
    for r in records:
        res = _info(r)
        assert res["method"] == method
        w = res["weights"]
        if method == "bod":                       # each unit's own weights
            assert isinstance(w, pd.DataFrame) and len(w) and (w.to_numpy() >= 0).all()
            assert max(res["scores"].values()) == pytest.approx(1.0)
            continue
        w = pd.Series(w)
        assert w.sum() == pytest.approx(1.0) and (w >= 0).all()
        if "peer_group" in r.params:   # fitted within a peer group (and set of children)
            own = (rows["peer_group"] == r.params["peer_group"]) & rows["indicator_set"].isin(
                [(), tuple(r.params["indicator_set"])])
        else:
            own = rows["scope"] == "all"
        logged = rows[own].set_index("node")["weight"]
        assert_allclose(logged.reindex(w.index), w, atol=1e-12)
        if method in ("ahp", "ahp_group"):   # one expert: his CR; a panel: each expert's
            cr = res["cr"]
            if len(res["experts"]) == 1 and method == "ahp":
                assert cr >= 0 and res["lambda_max"] >= len(w) - 1e-9
            else:
                assert set(res["experts"]) <= set(cr.index) and (cr >= 0).all()
        if method == "pca":
            assert isinstance(res["loadings"], pd.DataFrame)
            assert sum(res["explained_variance"].values()) == pytest.approx(1.0)
            assert res["n_factors"] >= 1 and res["factor_weights"]
        if method == "combine":
            assert len(res["parts"]) == 2 and all("weights" in p for p in res["parts"])


@pytest.mark.filterwarnings("ignore::UserWarning")  # optimise, game: legal, dubious
@pytest.mark.parametrize("method", list(CITY_METHODS))
def test_every_method_at_root_and_dimension_sample_city(city, baseline, method):
    at_index, at_dimension = CITY_METHODS[method]
    s = (baseline.replace("weights.index", at_index).replace("weights.livelihood", at_dimension)
         .replace("triggers", {}))
    a = quiet(zl.build, city, s, 2025)
    # BoD scores only the units with every child's score (build logs the others)
    assert a.index.notna().sum() >= (0.85 if method == "bod" else 0.95) * len(a.units)
    for node in ("index", "livelihood"):
        _check_records(a, node, method)


def test_sample_city_known_answers(city, baseline):
    s = baseline.replace("triggers", {})
    a = quiet(zl.build, city, s.replace("weights.livelihood", CITY_METHODS["ahp"][1])
              .replace("weights.index", CITY_METHODS["budget"][0]), 2025)
    liv = _info(_weight_records(a, "livelihood")[0])
    assert_allclose(pd.Series(liv["weights"]), pd.Series(LIV_AHP) / sum(LIV_AHP.values()))
    assert_allclose(liv["cr"].to_numpy(), 0.0, atol=1e-9)   # e1, e2 and the group: consistent
    idx = pd.Series(_info(_weight_records(a, "index")[0])["weights"])
    expect = pd.DataFrame(INDEX_POINTS).mean(axis=1) / 100
    assert_allclose(idx, expect.reindex(idx.index))
    # the real panel: experts 3 and 5 are inconsistent, the AIJ group matrix is not
    b = quiet(zl.build, city, s.replace("weights.index", CITY_METHODS["ahp_group"][0]), 2025)
    cr = _info(_weight_records(b, "index")[0])["cr"]
    assert (cr[["expert_3", "expert_5"]] > 0.1).all() and "(group)" not in cr  # AIP: no group
    # a fixed part over all children, restricted to the ones a fitted group has
    c = quiet(zl.build, city, s.replace("weights.economy", {
        "method": "combine", "of": [{"method": "fixed", "values": {
            k: i + 1.0 for i, k in enumerate(city.children("economy"))}}, {"method": "entropy"}]}),
        2025)
    agency = next(r for r in _weight_records(c, "economy") if r.params["peer_group"] == "agency")
    fixed = pd.Series(_info(agency)["parts"][0]["weights"])
    kids = city.children("economy")
    expect = pd.Series({k: i + 1.0 for i, k in enumerate(kids)})[fixed.index]
    assert_allclose(fixed, expect / expect.sum())
    assert len(fixed) == 3


TAI_METHODS = {   # method -> (spec at the root, spec at the dimension "creation")
    "equal": ({"method": "equal"}, {"method": "equal"}),
    "fixed": ({"method": "fixed", "values": TAI_BAP},
              {"method": "fixed", "values": {"patents": 1, "royalties": 3}}),
    "budget": ({"method": "budget", "judgements": "judgements/index_pts"},
               {"method": "budget", "judgements": "judgements/creation_pts"}),
    "ahp": ({"method": "ahp", "judgements": "judgements/index", "scale": None},
            {"method": "ahp", "judgements": "judgements/creation"}),
    "ahp_group": ({"method": "ahp_group", "judgements": "judgements/index", "scale": None},
                  {"method": "ahp_group", "judgements": "judgements/creation"}),
    **{m: ({"method": m}, {"method": m}) for m in
       ("entropy", "critic", "stdev", "pca", "bod", "optimise")},
    "combine": ({"method": "combine", "of": [{"method": "fixed", "values": TAI_BAP},
                                             {"method": "entropy"}], "alpha": [0.5, 0.5]},
                {"method": "combine", "of": [{"method": "equal"}, {"method": "critic"}],
                 "how": "game"}),
}


@pytest.mark.filterwarnings("ignore::UserWarning")  # optimise, game: legal, dubious
@pytest.mark.parametrize("method", list(TAI_METHODS))
def test_every_method_at_root_and_dimension_tai(tai_judged, method):
    """On the TAI (one peer group, complete data) the weights a build fits equal the
    weighting functions applied to the children's normalised scores."""
    s = zl.Scheme.from_yaml(tai_judged.schemes["tai_handbook"])
    at_index, at_dimension = TAI_METHODS[method]
    a = zl.build(tai_judged, s.replace("weights.index", at_index)
                 .replace("weights.creation", at_dimension), 2000)
    nodes = a.stage("nodes")
    for node in ("index", "creation"):
        _check_records(a, node, method)
        kids = tai_judged.children(node)
        X = nodes[kids]
        fn = {"entropy": lambda X: zl.weighting.entropy(X),
              "critic": lambda X: zl.weighting.critic(X),
              "stdev": lambda X: zl.weighting.stdev(X),
              "pca": lambda X: zl.weighting.pca(X).weights,
              "optimise": lambda X: zl.weighting.optimise(X)}.get(method)
        if fn is not None:
            got = a.weights[a.weights["parent"] == node].set_index("node")["weight"]
            assert_allclose(got[kids], fn(X)[kids], atol=1e-6)
    if method == "bod":          # every country at its own most favourable weights
        best = a.index.max()
        assert best == pytest.approx(100.0)


def test_tai_ahp_at_the_root_reproduces_the_handbook_bap_composite(tai_judged):
    """A consistent AHP matrix of the Handbook's Table 22 dimension weights at the root gives
    the BAP composite of the ``tai_bap`` scheme exactly (CR = 0)."""
    bap = zl.Scheme.from_yaml(tai_judged.schemes["tai_bap"])
    a = zl.build(tai_judged, bap.replace("weights.index", TAI_METHODS["ahp"][0]), 2000)
    b = zl.build(tai_judged, bap, 2000)
    assert_allclose(a.index, b.index, atol=1e-12)
    rec = _info(_weight_records(a, "index")[0])
    assert_allclose(rec["cr"].to_numpy(), 0.0, atol=1e-9)
    assert_allclose(pd.Series(rec["weights"])[list(TAI_BAP)], list(TAI_BAP.values()))


def test_method_errors_name_the_fix(city, baseline):
    s = baseline.replace("triggers", {})

    def build(spec, node="index"):
        return quiet(zl.build, city, s.replace(f"weights.{node}", spec), 2025)

    with pytest.raises(BuildError, match=r"needs 'of': a list of at least two"):
        build({"method": "combine", "of": [{"method": "equal"}]})
    with pytest.raises(BuildError, match=r"of\[1\] must be a mapping.*bod gives each unit"):
        build({"method": "combine", "of": [{"method": "equal"}, {"method": "bod"}]})
    # mistakes in the scheme itself are refused when the scheme is made
    with pytest.raises(SchemeError, match=r"weights\.index\.weight: unknown key.*'how', 'alpha'"):
        build({"method": "combine", "of": [{"method": "equal"}, {"method": "entropy"}],
               "weight": 1})
    with pytest.raises(SchemeError, match="needs 'judgements: judgements/<group>'"):
        build({"method": "ahp_group"})
    with pytest.raises(BuildError, match=r"judge \['liv_.*children of 'index' are"):
        build({"method": "budget", "judgements": "judgements/livelihood"})
    with pytest.raises(BuildError, match=r"'entropy'.*needs them as 'data'"):
        zl.weighting.resolve({"method": "entropy"}, "index", city.children("index"))


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.05, 1.0), min_size=4, max_size=4),
       st.lists(st.floats(0.05, 1.0), min_size=2, max_size=2))
def test_effective_weights_reproduce_the_composite_property(tai, dims, kids):
    """For any fixed weights, the composite of every country (complete data, arithmetic
    aggregation) is Σ effective_i · x_i over the indicators, and the within-parent weights are
    the given ones rescaled to sum to 1."""
    s = zl.Scheme.from_yaml(tai.schemes["tai_handbook"])
    s = s.replace("weights.index", {"method": "fixed", "values": dict(zip(TAI_BAP, dims))})
    s = s.replace("weights.creation", {"method": "fixed",
                                       "values": {"patents": kids[0], "royalties": kids[1]}})
    cmp = zl.compare_schemes(tai, {"given": s, "equal": "tai_handbook"}, 2000)
    w = cmp.weights[cmp.weights["scheme"] == "given"].set_index("node")
    assert_allclose(w.loc[list(TAI_BAP), "weight"], np.array(dims) / sum(dims))
    eff = w.loc[w["level"] == 1, "effective"]
    a = cmp.assessments["given"]
    assert_allclose(a.index, a.stage("normalised")[eff.index] @ eff, rtol=1e-10)
    assert_allclose(eff.sum(), 1.0)
