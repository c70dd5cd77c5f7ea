"""Indicator statistics on par with COINr (issue 7): ``indicator_stats``, ``data_availability``,
``correlations``, ``strengths_weaknesses`` and ``cronbach_alpha(missing="pairwise")``.

Reference: COINr 1.1.14 (Becker et al. 2022, JOSS 7(78), 4567) on its ASEM example, frozen in
``data/reference/asem_coinr/coinr_default/`` (see its SOURCE.md): ``get_stats`` on the Screened
and Treated data (printed to 3 significant digits, COINr's ``nsignif = 3``), ``Screen()``'s
``DataSummary`` on the Imputed data, and ``get_str_weak(coin, dset = "Raw", usel = "NZL")``.
"""
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats as sps

import zhengji_lab as zl

matplotlib.use("Agg")
pytestmark = pytest.mark.filterwarnings("ignore:Glyph .* missing from font")

ASEM = DATA / "reference" / "asem_coinr"
REF = ASEM / "coinr_default"


@pytest.fixture(scope="module")
def default(asem):
    """COINr's default pipeline (denominate, impute, screen, treat, normalise, aggregate)."""
    if "coinr_default" not in asem.schemes:
        pytest.skip("scheme coinr_default not in the ASEM workspace")
    return zl.build(asem, "coinr_default", 2018)


@pytest.fixture(scope="module")
def plain(asem):
    """The ASEM data, raw (no preparation), min-max and arithmetic."""
    return zl.build(asem, "asem_coinr", 2018)


def _data(name):
    return pd.read_csv(REF / f"data_{name}.csv").set_index("uCode")


def _coinr_framework():
    """COINr's processed iMeta as a framework table (codes as COINr's, iMeta order)."""
    meta = pd.read_csv(REF / "meta_Ind.csv")
    meta = meta[meta["Type"].isin(["Indicator", "Aggregate"])]
    return meta.rename(columns={"iCode": "code", "Parent": "parent", "Level": "level",
                                "iName": "name_en", "Unit": "unit", "Direction": "direction"})


def _assert_coinr_table(ours: pd.DataFrame, ref: pd.DataFrame):
    """Columns and text equal; numbers equal as doubles (both are R's signif to 3 digits)."""
    assert list(ours.columns) == list(ref.columns)
    for c in ref.columns:
        if pd.api.types.is_numeric_dtype(ref[c]):
            np.testing.assert_array_equal(ours[c].to_numpy(float), ref[c].to_numpy(float),
                                          err_msg=c)
        else:
            assert ours[c].astype(str).tolist() == ref[c].astype(str).tolist(), c


# --------------------------------------------------------------------------------------------
# indicator_stats
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Screened", "Treated"])
def test_indicator_stats_equal_coinr_get_stats_on_frames(name):
    """COINr 1.1.14 ``get_stats(coin, dset = name)`` on ASEM (stats_<name>.csv): every column,
    after R's ``signif(…, 3)``, equals the kit's on COINr's data_<name>.csv bit for bit; 15
    indicators are outlier-flagged on the Screened data and none after treatment."""
    ref = pd.read_csv(REF / f"stats_{name}.csv")
    ours = zl.indicator_stats(_data(name), style="coinr")
    _assert_coinr_table(ours, ref)
    assert (ref["Flag.SkewKurt"] == "OUT").sum() == (15 if name == "Screened" else 0)


@pytest.mark.parametrize("stage", ["screened", "treated"])
def test_indicator_stats_of_coinr_default_assessment_equal_coinr(default, codes, stage):
    """COINr ``get_stats`` on its Screened/Treated data equals ``indicator_stats(a, stage)`` of
    the kit's build of the same pipeline (scheme coinr_default), to COINr's 3 digits."""
    ref = pd.read_csv(REF / f"stats_{stage.capitalize()}.csv")
    ref["iCode"] = ref["iCode"].map(codes)
    ours = zl.indicator_stats(default, stage, style="coinr").set_index("iCode")
    _assert_coinr_table(ours.loc[ref["iCode"]].reset_index(), ref)


def test_indicator_stats_tidy_definitions():
    """Tidy columns: scipy's bias-corrected skewness and excess kurtosis (Joanes and Gill 1998,
    G1 and G2, as COINr/e1071 type 2), counts, shares and flags as COINr defines them."""
    rng = np.random.default_rng(7)
    x = np.r_[rng.lognormal(size=30), [0, 0, 0]]
    X = pd.DataFrame({"x": x, "y": np.r_[[np.nan] * 13, np.ones(10), [2.0] * 10],
                      "z": np.r_[np.nan * np.ones(31), [1.0, 2.0]]})
    out = zl.indicator_stats(X)
    assert out.index.name == "indicator" and list(out.index) == ["x", "y", "z"]
    assert out.loc["x", "skew"] == pytest.approx(sps.skew(x, bias=False), rel=1e-12)
    assert out.loc["x", "kurtosis"] == pytest.approx(sps.kurtosis(x, bias=False), rel=1e-12)
    assert out.loc["x", "sd"] == pytest.approx(np.std(x, ddof=1), rel=1e-12)
    assert out.loc["x", ["n_nonzero", "n_same", "n_unique"]].tolist() == [30, 3, 31]
    y = out.loc["y"]
    assert (y["n_available"], y["n_same"], y["share_same"]) == (20, 10, 0.5)
    assert y["share_available"] == pytest.approx(20 / 33)
    assert bool(y["flag_available"]) and bool(y["flag_unique"])   # 20/33 < 0.65, 2/33 < 0.5
    assert not bool(y["flag_nonzero"])                             # 20/33 ≥ 0.5
    assert np.isnan(out.loc["z", "skew"]) and np.isnan(out.loc["z", "kurtosis"])
    assert not bool(out.loc["z", "flag_skew_kurtosis"])
    coinr = zl.indicator_stats(X, style="coinr")
    assert coinr["Flag.Avail"].tolist() == ["ok", "LOW", "LOW"]
    assert pd.isna(coinr.loc[2, "Flag.SkewKurt"])
    assert zl.indicator_stats(X, t_avail=0.5)["flag_available"].tolist() == [False, False, True]


def test_indicator_stats_on_assessment_counts_applicable_units(sample_ws, baseline):
    """With an assessment, shares of availability are of the units an indicator applies to:
    the park-only individualized indicator is judged among parks with a declared target."""
    a = zl.build(sample_ws, baseline, 2025)
    out = zl.indicator_stats(a, "raw")
    applicable = a.stage("applicable").sum()
    np.testing.assert_array_equal(out["n_units"], applicable[out.index])
    assert out.loc["ind_park_output_per_mu", "n_units"] < len(a.units)
    assert (out["share_available"] <= 1).all()


def test_indicator_stats_errors(plain):
    with pytest.raises(ValueError, match=r"The 'stage' parameter of indicator_stats\(\) must be "
                                         r"one of .*'raw'.*Got 'trated'"):
        zl.indicator_stats(plain, "trated")
    with pytest.raises(ValueError, match=r"'style' parameter .* must be one of \{'tidy', "
                                         r"'coinr'\}. Got 'r'"):
        zl.indicator_stats(pd.DataFrame({"a": [1.0]}), style="r")
    with pytest.raises(ValueError, match=r"'t_zero' parameter .* \[0, 1\]. Got 5"):
        zl.indicator_stats(pd.DataFrame({"a": [1.0]}), t_zero=5)
    with pytest.raises(ValueError, match=r"numeric columns only; \['unit_id'\]"):
        zl.indicator_stats(pd.DataFrame({"unit_id": ["a"], "x": [1.0]}))
    with pytest.raises(TypeError, match="takes an Assessment or a units × indicators DataFrame"):
        zl.indicator_stats([[1, 2]])


# --------------------------------------------------------------------------------------------
# data_availability
# --------------------------------------------------------------------------------------------

def test_data_availability_equals_coinr_screen_summary_on_frame():
    """COINr ``Screen(dset = "Imputed", dat_thresh = 0.9)``'s DataSummary (N_missing, N_zero,
    N_miss_or_zero, Dat_Avail, Non_Zero and the three flags) equals the kit's on the Imputed
    data with ``min_share=0.9``."""
    ref = pd.read_csv(REF / "screen_DataSummary.csv").drop(columns="Included")
    ours = zl.data_availability(_data("Imputed"), min_share=0.9).to_coinr()
    pd.testing.assert_frame_equal(ours, ref, check_dtype=False)


def test_data_availability_of_coinr_default_imputed_stage(default):
    """The same summary from the kit's own imputed stage of the coinr_default build."""
    ref = pd.read_csv(REF / "screen_DataSummary.csv").drop(columns="Included")
    ours = zl.data_availability(default, stage="imputed", min_share=0.9).to_coinr()
    ours = ours.set_index("uCode").loc[ref["uCode"]].reset_index()
    pd.testing.assert_frame_equal(ours, ref, check_dtype=False)


def test_data_availability_workspace_raw_equals_coinr_raw_na_counts(asem, plain, codes):
    """With a workspace the raw values count: Dat_Avail = 1 − (NA in data_Raw.csv)/49 per
    unit (COINr ``get_data_avail`` on Raw); the 8 pillars are the dimensions; the assessment's
    raw stage says the same."""
    raw = _data("Raw")
    expected = 1 - raw.isna().sum(axis=1) / raw.shape[1]
    res = zl.data_availability(asem, 2018, by="peer_group")
    got = res.frame.set_index("unit_id")["availability"].reindex(expected.index)
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert list(res.dimensions.columns) == ["physical", "con_ec_fin", "political", "instit",
                                            "p2p", "environ", "social", "sus_ec_fin"]
    lin = pd.read_csv(REF / "meta_Lineage.csv")   # COINr get_data_avail's ByGroup, level 2
    for pillar, members in lin.groupby("Pillar")["Indicator"]:
        share = 1 - raw[members].isna().mean(axis=1)
        np.testing.assert_allclose(res.dimensions[codes[pillar]].reindex(raw.index), share)
    g = res.groups.iloc[0]
    assert g["n_units"] == 51 and g["n_available"] == 51 * 49 - 63
    from_a = zl.data_availability(plain, stage="raw").frame
    pd.testing.assert_frame_equal(from_a.set_index("unit_id"),
                                  res.frame.drop(columns="peer_group").set_index("unit_id"))


def _tiny():
    """Two towns and a park; indicator c is individualized for towns, d only for parks."""
    fw = pd.DataFrame({"code": ["a", "b", "c", "d", "dim1", "dim2", "index"],
                       "parent": ["dim1", "dim1", "dim2", "dim2", "index", "index", ""],
                       "level": [1, 1, 1, 1, 2, 2, 3], "direction": [1, 1, 1, 1, 1, 1, 1],
                       "scope": ["common", "common", "individualized", "common"] + ["common"] * 3,
                       "kinds": ["town", "", "town", "park", "", "", ""]})
    units = pd.DataFrame({"unit_id": ["t1", "t2", "p1"], "kind": ["town", "town", "park"],
                          "peer_group": ["g", "g", "h"]})
    rows = [("t1", "a", 1.0), ("t1", "b", 0.0), ("t1", "c", 5.0), ("t2", "a", 2.0),
            ("t2", "c", 7.0), ("p1", "b", 3.0), ("p1", "a", 9.0)]
    values = pd.DataFrame(rows, columns=["unit_id", "indicator", "value"]).assign(year=2024)
    targets = pd.DataFrame({"unit_id": ["t1"], "year": [2024], "indicator": ["c"],
                            "target": [4.0]})
    return zl.Workspace(fw, units, values, targets=targets)


def test_data_availability_counts_applicable_data_only():
    """Applicability as in build's prepare(): kinds, and an individualized indicator only where
    a target was declared. t1: a, b, c apply (b is 0); t2: a, b (c has no target, its value is
    ignored); p1: b, d (a does not apply to parks, its value is ignored)."""
    res = zl.data_availability(_tiny(), 2024, by="kind")
    f = res.frame.set_index("unit_id")
    assert f["n_applicable"].to_dict() == {"t1": 3, "t2": 2, "p1": 2}
    assert f["n_available"].to_dict() == {"t1": 3, "t2": 1, "p1": 1}
    assert f["n_zero"].to_dict() == {"t1": 1, "t2": 0, "p1": 0}
    assert f.loc["t1", "nonzero_share"] == pytest.approx(2 / 3)
    assert f["availability"].to_dict() == {"t1": 1.0, "t2": 0.5, "p1": 0.5}
    assert f["low_data"].to_dict() == {"t1": False, "t2": True, "p1": True}
    D = res.dimensions
    assert D.loc["t2", "dim1"] == 0.5 and np.isnan(D.loc["t2", "dim2"])
    assert D.loc["p1", "dim2"] == 0.0
    g = res.groups.set_index("kind")
    assert g.loc["town", "availability"] == pytest.approx(4 / 5)
    assert g.loc["town", "mean_availability"] == pytest.approx(0.75)
    assert g.loc["town", "availability_dim2"] == 1.0
    excluded = zl.data_availability(_tiny(), 2024, scheme={"name": "s", "exclude": ["b"]})
    assert excluded.frame.set_index("unit_id")["n_applicable"].to_dict() == \
        {"t1": 2, "t2": 1, "p1": 1}


def test_data_availability_sample_city_kinds(sample_ws):
    """In the sample city an agency's applicable indicators are those of its kind."""
    res = zl.data_availability(sample_ws, 2025, by="kind")
    f = res.frame.set_index("unit_id")
    agency = sample_ws.units.loc[sample_ws.units["kind"] == "agency", "unit_id"]
    assert (f.loc[agency, "n_applicable"] == len(sample_ws.indicators("agency"))).all()
    assert set(res.groups["kind"]) == set(sample_ws.units["kind"])


def test_data_availability_errors(asem):
    with pytest.raises(ValueError, match=r"needs the 'year' parameter with a workspace"):
        zl.data_availability(asem)
    with pytest.raises(ValueError, match=r"'year' parameter .* one of \{2018\}. Got 2017"):
        zl.data_availability(asem, 2017)
    with pytest.raises(ValueError, match=r"'by' parameter .* column of the units table .*"
                                         r"Got 'region'"):
        zl.data_availability(asem, 2018, by="region")
    with pytest.raises(ValueError, match=r"'min_share' parameter .* \[0, 1\]. Got 90"):
        zl.data_availability(pd.DataFrame({"a": [1.0]}), min_share=90)


# --------------------------------------------------------------------------------------------
# correlations
# --------------------------------------------------------------------------------------------

def test_correlations_pairwise_complete_as_r(plain):
    """Pairwise complete observations (R ``cor(use = "pairwise.complete.obs")``, COINr
    ``get_corr``): Pearson and Spearman equal pandas' pairwise ``corr`` (Spearman re-ranked
    within each pair, as R), p-values scipy's tests on the pair's complete units, ``n`` the
    pair counts."""
    X = plain.stage("raw")
    for method in ("pearson", "spearman"):
        res = zl.correlations(plain, stage="raw", method=method)
        np.testing.assert_allclose(res.frame, X.corr(method=method), rtol=1e-10, atol=1e-12)
    res = zl.correlations(plain, stage="raw")
    ok = X["con_speed"].notna() & X["pat"].notna()
    p = sps.pearsonr(X.loc[ok, "con_speed"], X.loc[ok, "pat"])[1]
    assert res.pvalues.loc["con_speed", "pat"] == pytest.approx(p, rel=1e-12)
    assert res.n.loc["con_speed", "pat"] == ok.sum() == 42   # 8 and 6 missing, 5 of them shared
    tidy = res.tidy()
    assert len(tidy) == 49 * 48 // 2 and list(tidy.columns) == ["var_a", "var_b", "correlation",
                                                                "p_value", "n"]


def test_correlations_p_max_blanks_and_levels(plain):
    """``p_max`` blanks correlations with p above it (COINr ``pval``); ``level=2`` correlates
    the 8 pillars of the nodes stage, ``level=4`` is the index alone."""
    res = zl.correlations(plain, p_max=0.05)
    full = zl.correlations(plain)
    blank = full.pvalues > 0.05
    assert blank.to_numpy().any()
    assert res.frame[blank].isna().all().all()
    np.testing.assert_array_equal(res.frame[~blank], full.frame[~blank])
    pillars = zl.correlations(plain, level=2)
    assert list(pillars.frame.columns) == ["physical", "con_ec_fin", "political", "instit",
                                           "p2p", "environ", "social", "sus_ec_fin"]
    np.testing.assert_allclose(pillars.frame, plain.stage("nodes")[pillars.frame.columns].corr())
    assert list(zl.correlations(plain, level=3).frame.columns) == ["conn", "sust"]


def test_correlations_errors(plain):
    with pytest.raises(ValueError, match=r"'level' parameter of correlations\(\) must be one of "
                                         r"\{1, 2, 3, 4\}. Got 7"):
        zl.correlations(plain, level=7)
    with pytest.raises(ValueError, match=r"'method' parameter .* \{'pearson', 'spearman', "
                                         r"'kendall'\}. Got 'rho'"):
        zl.correlations(plain, method="rho")


# --------------------------------------------------------------------------------------------
# strengths_weaknesses
# --------------------------------------------------------------------------------------------

def _coinr_str_weak():
    return [pd.read_csv(REF / f"str_weak_NZL_{s}.csv") for s in ("strengths", "weaknesses")]


def test_strengths_weaknesses_equal_coinr_on_frame():
    """COINr ``get_str_weak(coin, dset = "Raw", usel = "NZL")``: ranks of direction-adjusted
    raw values (ties "min"), the unit's worst-rank indicators discarded, ties in iMeta order,
    values to 3 significant digits, the level-2 parent and the unit of measure."""
    res = zl.strengths_weaknesses(_data("Raw"), "NZL", framework=_coinr_framework())
    for ours, ref in zip(res.to_coinr(), _coinr_str_weak()):
        _assert_coinr_table(ours, ref.rename(columns={"Pillar": "Dimension"}))


@pytest.mark.parametrize("build", ["plain", "default"])
def test_strengths_weaknesses_of_assessment_equal_coinr(build, codes, request):
    """The same from the raw stage of the kit's builds (the plain scheme, and COINr's default
    pipeline); names and units from the workspace it was built from (snake_case codes mapped
    back to COINr's)."""
    plain = request.getfixturevalue(build)
    back = {v: k for k, v in codes.items()}
    strengths, _ = zl.strengths_weaknesses(plain, "NZL")
    assert list(strengths.columns) == ["indicator", "name_zh", "name_en", "dimension", "rank",
                                       "n_ranked", "value", "unit"]
    res = zl.strengths_weaknesses(plain, "NZL")
    for ours, ref in zip(res.to_coinr(), _coinr_str_weak()):
        ours["Code"] = ours["Code"].map(back)
        ours["Dimension"] = ours["Dimension"].map(back)
        _assert_coinr_table(ours, ref.rename(columns={"Pillar": "Dimension"}))
    assert strengths["n_ranked"].tolist() == [51, 48, 51, 51, 50]   # tariff: 3 NA, pub_debt: 1


def test_strengths_weaknesses_normalised_stage_has_same_ranks(plain):
    """Min-max normalisation applies the directions, so ranking the normalised stage without
    adjustment gives the raw ranks."""
    raw = zl.strengths_weaknesses(plain, "KOR", n=8)
    norm = zl.strengths_weaknesses(plain, "KOR", n=8, stage="normalised")
    pd.testing.assert_frame_equal(raw.strengths.drop(columns="value"),
                                  norm.strengths.drop(columns="value"))


def test_strengths_weaknesses_within_peer_group(sample_ws, baseline):
    """Ranks are among the unit's peer group, over the indicators that apply to it."""
    a = zl.build(sample_ws, baseline, 2025)
    unit = "park_etdz"
    res = zl.strengths_weaknesses(a, unit, n=3)
    peers = a.units.loc[a.units["peer_group"] == a.units.set_index("unit_id").loc[
        unit, "peer_group"], "unit_id"]
    applicable = a.stage("applicable").loc[unit]
    assert set(res.frame["indicator"]) <= set(applicable.index[applicable])
    assert (res.frame["n_ranked"] <= len(peers)).all()
    everyone = zl.strengths_weaknesses(a, unit, n=3, groups=None)
    assert (everyone.frame["n_ranked"] >= res.frame["n_ranked"].min()).all()
    assert res.strengths["rank"].is_monotonic_increasing


def test_strengths_weaknesses_errors(plain):
    with pytest.raises(ValueError, match=r"'unit_id' parameter .* Got 'XXX'"):
        zl.strengths_weaknesses(plain, "XXX")
    with pytest.raises(ValueError, match=r"'n' parameter .* integer >= 1. Got 0"):
        zl.strengths_weaknesses(plain, "NZL", n=0)
    with pytest.raises(ValueError, match=r"'groups' parameter .* Got 'region'"):
        zl.strengths_weaknesses(plain, "NZL", groups="region")
    with pytest.raises(ValueError, match=r"needs the indicators' directions .* framework="):
        zl.strengths_weaknesses(_data("Raw"), "NZL")


# --------------------------------------------------------------------------------------------
# cronbach_alpha(missing="pairwise")
# --------------------------------------------------------------------------------------------

def test_cronbach_pairwise_equals_coinr_get_cronbach_formula():
    """COINr ``get_cronbach``: k/(k−1)·(1 − Σ diag V / Σ V) with V = ``cov(…, use =
    "pairwise.complete.obs")``; here V is computed pair by pair with numpy on the P2P pillar
    of the raw ASEM data (Pat, CultServ, CultGood have missing values)."""
    lin = pd.read_csv(REF / "meta_Lineage.csv")
    X = _data("Raw")[lin.loc[lin["Pillar"] == "P2P", "Indicator"]]
    k, A = X.shape[1], X.to_numpy(float)
    V = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ok = ~np.isnan(A[:, i]) & ~np.isnan(A[:, j])
            V[i, j] = np.cov(A[ok, i], A[ok, j])[0, 1]
    expected = k / (k - 1) * (1 - np.trace(V) / V.sum())
    res = zl.cronbach_alpha(X, standardised=False, missing="pairwise")
    assert res.alpha == pytest.approx(expected, rel=1e-12)
    assert res.n_units == 51


def test_cronbach_pairwise_equals_listwise_without_missing():
    rng = np.random.default_rng(3)
    f = rng.normal(size=60)
    X = pd.DataFrame({f"x{i}": f + rng.normal(size=60) for i in range(5)})
    for standardised in (True, False):
        lw = zl.cronbach_alpha(X, standardised)
        pw = zl.cronbach_alpha(X, standardised, missing="pairwise")
        assert pw.alpha == pytest.approx(lw.alpha, rel=1e-12)
        pd.testing.assert_frame_equal(pw.frame, lw.frame, rtol=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # pairwise deletion does not warn
        zl.cronbach_alpha(X.mask(X > 2), missing="pairwise")
    with pytest.raises(ValueError, match=r"'missing' parameter .* \{'listwise', 'pairwise'\}"):
        zl.cronbach_alpha(X, missing="all")
    short = X.iloc[:6, :3].copy()
    short.iloc[:4, 0] = np.nan
    with pytest.raises(ValueError, match=r"at least 3 units with both items of every pair "
                                         r"present; items 'x0' and 'x0' share 2"):
        zl.cronbach_alpha(short, missing="pairwise")


# --------------------------------------------------------------------------------------------
# Properties (hypothesis) and plots
# --------------------------------------------------------------------------------------------

_cells = st.one_of(st.just(np.nan), st.just(0.0), st.floats(-1e3, 1e3, allow_nan=False))
_frames = st.integers(2, 8).flatmap(lambda k: arrays(np.float64, (12, k), elements=_cells))


@settings(max_examples=60, deadline=None)
@given(A=_frames)
def test_availability_in_unit_interval(A):
    res = zl.data_availability(pd.DataFrame(A))
    f = res.frame
    assert f["availability"].between(0, 1).all()
    assert f["nonzero_share"].dropna().between(0, 1).all()
    assert (f["n_missing"] + f["n_available"] == A.shape[1]).all()


@settings(max_examples=40, deadline=None)
@given(A=_frames, method=st.sampled_from(["pearson", "spearman", "kendall"]))
def test_correlations_symmetric_with_unit_diagonal(A, method):
    res = zl.correlations(pd.DataFrame(A), method=method)
    R = res.frame.to_numpy()
    np.testing.assert_array_equal(np.diag(R), 1.0)
    np.testing.assert_array_equal(R, R.T)
    np.testing.assert_array_equal(res.pvalues.to_numpy(), res.pvalues.to_numpy().T)
    assert np.nanmax(np.abs(R)) <= 1 + 1e-12


@settings(max_examples=40, deadline=None)
@given(A=_frames, seed=st.integers(0, 2**16))
def test_indicator_stats_invariant_to_row_order(A, seed):
    X = pd.DataFrame(A)
    perm = np.random.default_rng(seed).permutation(len(X))
    a, b = zl.indicator_stats(X), zl.indicator_stats(X.iloc[perm])
    pd.testing.assert_frame_equal(a, b, rtol=1e-9, atol=1e-9)


def test_plots_return_axes(plain, asem):
    import matplotlib.pyplot as plt

    labels = asem.labels("en")
    for obj in (zl.correlations(plain, level=2), zl.data_availability(plain),
                zl.strengths_weaknesses(plain, "NZL")):
        ax = obj.plot(labels=labels)
        assert ax.figure is not None
        assert obj.summary() and obj._repr_html_().startswith("<p>")
        plt.close(ax.figure)
