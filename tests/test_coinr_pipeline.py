"""COINr's default pipeline on its ASEM example, stage by stage (issue 7).

Reference: COINr 1.1.14 (Becker et al. 2022, JOSS 7(78), 4567), ``build_example_coin(up_to =
"Aggregate")`` — Denominate → Impute (EurAsia group mean) → Screen (90 % data) → Treat
(winsorise, log fallback) → Normalise (min-max 0–100) → Aggregate (arithmetic). COINr's own data
sets at every stage are in ``data/reference/asem_coinr/coinr_default/`` (see its SOURCE.md);
the kit runs the same pipeline from the raw data through the scheme ``coinr_default``.
"""
import numpy as np
import pandas as pd
import pytest
from conftest import DATA

import zhengji_lab as zl
from zhengji_lab.errors import BuildError, SchemeError
from zhengji_lab.prep import data_share, denominate, screen

ASEM = DATA / "reference" / "asem_coinr"
REF = ASEM / "coinr_default"
STAGES = {"raw": "data_Raw", "denominated": "data_Denominated", "imputed": "data_Imputed",
          "screened": "data_Screened", "treated": "data_Treated",
          "normalised": "data_Normalised"}


@pytest.fixture(scope="module")
def default(asem):
    return zl.build(asem, "coinr_default", 2018)


def _coinr(name, codes):
    table = pd.read_csv(REF / f"{name}.csv").set_index("uCode")
    return table[[c for c in table.columns if c in codes]].rename(columns=codes)


@pytest.mark.parametrize("stage", list(STAGES))
def test_every_stage_equals_coinr(default, codes, stage):
    """Each data set of the pipeline equals COINr's (relative 1e-9, missing where COINr's is)."""
    ref = _coinr(STAGES[stage], codes)
    got = default.stage(stage).reindex(index=ref.index, columns=ref.columns)
    assert got.isna().equals(ref.isna())
    np.testing.assert_allclose(got.to_numpy(float), ref.to_numpy(float), rtol=1e-9, atol=0)


def test_aggregated_scores_and_ranks_equal_coinr(default, codes):
    """Every pillar, sub-index and the index equal COINr's Aggregated data set, and the ranks
    its ranks_Aggregated (descending, ties min)."""
    ref = _coinr("data_Aggregated", codes)
    got = default.stage("nodes").reindex(index=ref.index, columns=ref.columns)
    np.testing.assert_allclose(got.to_numpy(float), ref.to_numpy(float), rtol=1e-9, atol=1e-12)
    ranks = _coinr("ranks_Aggregated", codes)
    root = default.scores[default.scores["node"] == "index"].set_index("unit_id")["rank"]
    assert root.reindex(ranks.index).astype(int).tolist() == ranks["index"].astype(int).tolist()


def test_treated_points_are_exactly_coinrs(default, codes):
    """The cells the treatment changed are COINr's treated points (winsorised or logged)."""
    ref = pd.read_csv(REF / "default_treated_points_long.csv")
    want = {(codes[i], u) for i, u in zip(ref["iCode"], ref["uCode"])}
    raw, treated = default.stage("screened"), default.stage("treated")
    changed = (raw != treated) & raw.notna()
    got = {(c, u) for c in changed.columns for u in changed.index[changed[c]]}
    assert got == want


def test_denominate_divides_by_units_columns_and_covariates(asem):
    """A denominator is a units.csv column or a name of covariates.csv (which wins for its year)."""
    cov = pd.DataFrame({"unit_id": asem.units["unit_id"], "year": 2018, "name": "gdp",
                        "value": 2 * asem.units["gdp"]})
    ws2 = zl.Workspace(**{**{t: getattr(asem, t) for t in zl.workspace.COLUMNS},
                          "covariates": cov}, schemes=asem.schemes)
    s = zl.Scheme.from_dict({"name": "d", "denominate": {"goods": "gdp", "flights": "population"}})
    a, b = zl.build(asem, s, 2018), zl.build(ws2, s, 2018)
    np.testing.assert_allclose(b.stage("denominated")["goods"],
                               a.stage("denominated")["goods"] / 2)
    np.testing.assert_allclose(b.stage("denominated")["flights"], a.stage("denominated")["flights"])
    rec = next(r for r in a.log if r.step == "denominate")
    assert set(rec.resolved.table["indicator"]) == {"goods", "flights"}


def test_denominator_missing_or_zero_is_a_clear_error(asem):
    """A missing or zero denominator for a unit with a value names indicator, unit and fix."""
    s = zl.Scheme.from_dict({"name": "d", "denominate": {"elec": "energy"}})
    with pytest.raises(BuildError, match=r"'elec', unit 'LAO'.*'energy' is missing.*when_missing"):
        zl.build(asem, s, 2018)
    units = asem.units.assign(gdp=asem.units["gdp"].where(asem.units["unit_id"] != "AUT", 0.0))
    ws0 = zl.Workspace(asem.framework, units, asem.values)
    with pytest.raises(BuildError, match=r"'goods', unit 'AUT'.*'gdp' is 0.*must be positive"):
        zl.build(ws0, zl.Scheme.from_dict({"name": "d", "denominate": {"goods": "gdp"}}), 2018)
    with pytest.raises(BuildError, match=r"No covariate \['gdp_ppp'\].*covariates.csv"):
        zl.build(asem, zl.Scheme.from_dict({"name": "d", "denominate": {"goods": "gdp_ppp"}}),
                 2018)
    with pytest.raises(BuildError, match=r"denominate\.good: 'good' is not an indicator.*did you mean 'goods'"):
        zl.build(asem, zl.Scheme.from_dict({"name": "d", "denominate": {"good": "gdp"}}), 2018)
    with pytest.raises(SchemeError, match=r"denominate\.goods\.when: unknown key; did you mean "
                                          r"'when_missing'"):
        zl.Scheme.from_dict({"name": "d", "denominate": {"goods": {"by": "gdp", "when": "x"}}})


def test_denominate_function():
    X = pd.DataFrame({"a": [4.0, np.nan, 9.0]}, index=["u", "v", "w"])
    d = pd.DataFrame({"n": [2.0, 0.0, np.nan]}, index=["u", "v", "w"])
    out, rec = denominate(X, {"a": {"by": "n", "when_missing": "missing"}}, d)
    assert out["a"].tolist()[0] == 2.0 and out["a"].isna().tolist() == [False, True, True]
    assert rec.loc[0, "made_missing"] == ["w"]


def test_impute_by_any_units_column_keeps_the_ranking_groups(asem):
    """impute.by groups the means without changing who is ranked with whom (COINr's
    i_mean_grp with use_group)."""
    s = zl.Scheme.from_yaml(asem.schemes["coinr_default"])
    a = zl.build(asem, s, 2018)
    assert set(a.units["peer_group"]) == {"all"}
    raw, imputed = a.stage("denominated"), a.stage("imputed")
    groups = asem.units.set_index("unit_id")["eurasia_group"]
    for col in raw.columns[raw.isna().any()]:
        means = raw[col].groupby(groups.reindex(raw.index)).mean()
        for unit in raw.index[raw[col].isna()]:
            assert imputed.at[unit, col] == pytest.approx(means[groups[unit]], rel=1e-12)
    with pytest.raises(BuildError, match=r"impute.by names column 'region'"):
        zl.build(asem, s.replace("impute.by", "region"), 2018)


def test_screening_leaves_out_units_and_says_so(sample_ws, baseline):
    """screen.min_share: units below the share of their applicable data are left out, listed
    in the log and on the Assessment; the others are ranked among themselves."""
    full = zl.build(sample_ws, baseline, 2025)
    share = data_share(full.stage("raw"), full.stage("applicable"))["share"]
    cut = float(np.sort(share.unique())[1])  # leaves out the units with the lowest share
    a = zl.build(sample_ws, baseline.replace("screen.min_share", cut), 2025)
    out = set(share.index[share < cut])
    assert out and set(a.screened_out["unit_id"]) == out
    assert not out & set(a.units["unit_id"])
    assert not out & set(a.scores["unit_id"])
    rec = next(r for r in a.log if r.step == "screen")
    assert set(rec.resolved.table["unit_id"]) == out
    root = a.scores[a.scores["node"] == a.root]
    for _, g in root.merge(a.units, on="unit_id").groupby("peer_group"):
        assert sorted(g["rank"].dropna()) == list(range(1, g["rank"].notna().sum() + 1)) or \
            g["rank"].duplicated().any()


@pytest.mark.parametrize("bad", [-0.1, 1.5, "0.9", True, float("nan")])
def test_min_share_outside_unit_interval_is_refused(bad):
    with pytest.raises(SchemeError, match=r"screen.min_share must be a share in \[0, 1\]"):
        zl.Scheme.from_dict({"name": "s", "screen": {"min_share": bad}})
    with pytest.raises(ValueError, match="min_share"):
        screen(pd.DataFrame({"a": [1.0]}), pd.DataFrame({"a": [True]}), min_share=bad)


def test_screen_matches_coinr_data_summary(codes):
    """Screen's DataSummary of COINr (on the imputed data: every unit complete and kept)."""
    imputed = _coinr("data_Imputed", codes)
    summary = pd.read_csv(REF / "screen_DataSummary.csv").set_index("uCode")
    share = data_share(imputed, imputed.notna() | True)
    np.testing.assert_allclose(share["share"].reindex(summary.index), summary["Dat_Avail"])
    kept, out = screen(imputed, imputed.notna() | True, min_share=0.9)
    assert set(kept) == set(summary.index[summary["Included"]]) and out.empty


def test_covariates_table_is_validated(tmp_path, asem):
    """covariates.csv is read and checked like the other tables: unknown units, bad years and
    text in the value column are located errors."""
    folder = tmp_path / "ws"
    zl.write_workspace(asem, folder)
    (folder / "covariates.csv").write_text(
        "unit_id,year,name,value\nAUT,2018,gdp,1.5\nXXX,2018,gdp,2\nBEL,20x8,gdp,3\n"
        "BEL,2018,gdp,abc\n", encoding="utf-8")
    with pytest.raises(zl.errors.WorkspaceError) as err:
        zl.load_workspace(folder)
    p = err.value.problems
    assert set(p["file"]) == {"covariates.csv"}
    assert sorted(p["row"].astype(int)) == [3, 4, 5]
    (folder / "covariates.csv").write_text("unit_id,year,name,value\nAUT,2018,gdp,1.5\n",
                                           encoding="utf-8")
    ws = zl.load_workspace(folder)
    assert ws.covariate_table(2018, ["gdp"]).at["AUT", "gdp"] == 1.5
    assert np.isnan(ws.covariate_table(2018, ["gdp"]).at["BEL", "gdp"])


def test_previous_year_imputation_after_denomination_uses_denominated_values(asem):
    """A value imputed from the unit's previous year is that year's value divided by that
    year's denominator, not the raw one (review of issue 7)."""
    values = asem.values.copy()
    earlier = values.assign(year=2017, value=values["value"] * 2)
    gap = (values["unit_id"] == "AUT") & (values["indicator"] == "goods")
    ws = zl.Workspace(asem.framework, asem.units, pd.concat([earlier, values[~gap]]),
                      schemes=asem.schemes)
    s = zl.Scheme.from_dict({"name": "d", "denominate": {"goods": "gdp"},
                             "impute": {"method": "previous_year"}})
    a = zl.build(ws, s, 2018)
    gdp = asem.units.set_index("unit_id").at["AUT", "gdp"]
    raw = values.loc[gap, "value"].iloc[0] * 2
    assert a.stage("imputed").at["AUT", "goods"] == pytest.approx(raw / gdp)


def test_denominating_an_indicator_normalised_by_target_is_refused(sample_ws, baseline):
    with pytest.raises(BuildError, match=r"denominates \['ind_featured_industry'\].*targets"):
        zl.build(sample_ws, baseline.replace("denominate",
                                             {"ind_featured_industry": "population"}), 2025)


def test_impute_by_a_column_with_empty_cells_names_the_units(asem):
    units = asem.units.assign(region=["east"] * 50 + [""])
    ws = zl.Workspace(asem.framework, units, asem.values, schemes=asem.schemes)
    s = zl.Scheme.from_dict({"name": "d", "impute": {"method": "peer_mean", "by": "region"}})
    with pytest.raises(BuildError, match=r"impute.by column 'region' is empty for units \['VNM'\]"):
        zl.build(ws, s, 2018)


def test_screened_out_units_keep_their_deductions_and_problem_found(sample_ws, baseline):
    full = zl.build(sample_ws, baseline, 2025)
    found = full.triggers[full.triggers["trigger"] == "problem_found"]["unit_id"]
    unit = found.iloc[0]
    values = sample_ws.values
    keep = ~((values["unit_id"] == unit) & (values["year"] == 2025)) | \
        (values.index == values[(values["unit_id"] == unit) & (values["year"] == 2025)].index[0])
    ws = zl.Workspace(sample_ws.framework, sample_ws.units, values[keep], sample_ws.targets,
                      sample_ws.deductions, sample_ws.deduction_items, sample_ws.judgements,
                      sample_ws.schemes)
    a = zl.build(ws, baseline.replace("screen.min_share", 0.5), 2025)
    assert unit in set(a.screened_out["unit_id"])
    assert unit in set(a.deductions["unit_id"])
    assert unit in set(a.triggers.loc[a.triggers["trigger"] == "problem_found", "unit_id"])
