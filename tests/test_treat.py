"""treat.winsorise: COINr's outlier treatment rule, exactly (issue 7).

Reference: COINr 1.1.14 (Becker et al. 2022, JOSS 7(78), 4567), ``Treat()`` with its defaults
(``R/treat.R``: ``winsorise(winmax = 5, skew_thresh = 2, kurt_thresh = 3.5)``, ``f2 =
"log_CT"``, ``check_SkewKurt``) on its ASEM example; input ``data_Screened.csv``, outputs
``data_Treated.csv``, ``default_treated_points_long.csv`` and ``default_Dets_Table.csv`` in
``data/reference/asem_coinr/coinr_default/`` (see its SOURCE.md).
"""
import numpy as np
import pandas as pd
import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import zhengji_lab as zl
from zhengji_lab.pipeline import prepare
from zhengji_lab.treat import Winsorised, log_ct, skew_kurtosis, winsorise

REF = DATA / "reference" / "asem_coinr" / "coinr_default"


@pytest.fixture(scope="module")
def dets():
    return pd.read_csv(REF / "default_Dets_Table.csv").set_index("iCode")


@pytest.fixture(scope="module")
def coinr(dets):
    """COINr's Treat() input, and our treatment of it with COINr's default settings."""
    screened = pd.read_csv(REF / "data_Screened.csv").set_index("uCode")[list(dets.index)]
    return screened, winsorise(screened, max_points=5, fallback="log")


def test_treated_table_equals_coinrs_data_treated(coinr):
    """COINr ASEM, Treat() defaults: the treated table is data_Treated.csv (relative 1e-9)."""
    _, res = coinr
    ref = pd.read_csv(REF / "data_Treated.csv").set_index("uCode")[res.table.columns]
    got = res.table.reindex(ref.index)
    assert got.isna().equals(ref.isna())
    np.testing.assert_allclose(got.to_numpy(float), ref.to_numpy(float), rtol=1e-9, atol=0)


def test_treated_points_equal_coinrs(coinr):
    """COINr ASEM, ``Treated_Points`` (default_treated_points_long.csv): the same 35 cells of 15
    indicators with the same treatment (winhi / winlo), values before and after."""
    _, res = coinr
    ref = pd.read_csv(REF / "default_treated_points_long.csv")
    key = ["indicator", "unit_id", "treatment"]
    want = ref.rename(columns={"iCode": "indicator", "uCode": "unit_id", "Treatment": "treatment",
                               "Before": "value", "After": "treated"})
    assert len(ref) == 35
    assert set(map(tuple, res.points[key].to_numpy())) == set(map(tuple, want[key].to_numpy()))
    both = res.points.merge(want, on=key, suffixes=("", "_coinr"))
    assert len(both) == len(res.points) == len(want)
    np.testing.assert_allclose(both["value"], both["value_coinr"], rtol=1e-12)
    np.testing.assert_allclose(both["treated"], both["treated_coinr"], rtol=1e-12)


def test_details_equal_coinrs_dets_table(coinr, dets):
    """COINr ASEM, ``Dets_Table``: skewness and kurtosis before (check_SkewKurt0), the number
    of winsorised points (winsorise.nwin), skewness and kurtosis after (check_SkewKurt1)."""
    _, res = coinr
    d = res.details.set_index("indicator").loc[dets.index]
    np.testing.assert_allclose(d["skew_before"], dets["check_SkewKurt0.Skew"], rtol=1e-9)
    np.testing.assert_allclose(d["kurtosis_before"], dets["check_SkewKurt0.Kurt"], rtol=1e-9)
    treated = ~dets["check_SkewKurt0.Pass"]
    assert (d["status"] == np.where(treated, "winsorised", "passed")).all()
    assert d.loc[treated, "points"].tolist() == dets.loc[treated, "winsorise.nwin"].tolist()
    assert (d.loc[~treated, "points"] == 0).all()
    np.testing.assert_allclose(d.loc[treated, "skew_after"],
                               dets.loc[treated, "check_SkewKurt1.Skew"], rtol=1e-9)
    np.testing.assert_allclose(d.loc[treated, "kurtosis_after"],
                               dets.loc[treated, "check_SkewKurt1.Kurt"], rtol=1e-9)
    units = {i: set(g["unit_id"]) for i, g in res.points.groupby("indicator")}
    assert all(set(d.at[i, "units"]) == units[i] for i in d.index[treated])


def test_a_point_winsorised_again_counts_once(coinr):
    """COINr ASEM, Services: LUX, MLT, IRL and SGP are winsorised in 4 steps, each step moving
    every point tied at the maximum (4 points, ``winsorise.nwin`` = 4). Adding up the steps'
    sizes (1 + 2 + 3 …, the old rule) stopped after 2 points."""
    _, res = coinr
    pts = res.points[res.points["indicator"] == "Services"]
    assert pts[["unit_id", "step"]].values.tolist() == [["LUX", 1], ["MLT", 2], ["IRL", 3],
                                                         ["SGP", 4]]
    assert res.details.set_index("indicator").at["Services", "points"] == 4


def test_log_fallback_is_log_ct_of_the_original_column():
    """COINr's Treat.numeric: when the column still fails after ``winmax`` points, f2 =
    ``log_CT`` is applied to the *original* column (combine_treat = FALSE):
    ``log(x − min + 0.01·(max − min))``; every value of it is a treated point."""
    x = [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10] * 2 + [200, 400, 800, 1600, np.nan]
    X = pd.DataFrame({"a": x, "b": np.arange(25.0)}, index=[f"u{i}" for i in range(25)])
    res = winsorise(X, max_points=1, fallback="log")
    d = res.details.set_index("indicator")
    assert d.at["a", "status"] == "log" and d.at["b", "status"] == "passed"
    assert d.at["a", "points"] == 1 and d.at["a", "units"] == ("u23",)
    np.testing.assert_allclose(res.table["a"], np.log(np.array(x) - 1 + 0.01 * 1599), rtol=1e-15)
    assert res.table["a"].isna().tolist() == X["a"].isna().tolist()
    assert (res.points["treatment"] == "log").all() and len(res.points) == 24
    assert (res.points["step"] == 1).all()
    sk, kt = skew_kurtosis(res.table["a"].dropna().to_numpy())
    assert (d.at["a", "skew_after"], d.at["a", "kurtosis_after"]) == (sk, kt)
    assert d.at["a", "skew_winsorised"] >= 2 and d.at["a", "kurtosis_winsorised"] >= 3.5
    kept = winsorise(X, max_points=1)            # no fallback: the winsorised column, failing
    assert kept.details.set_index("indicator").at["a", "status"] == "failing"
    assert kept.table["a"].tolist()[22:24] == [800.0, 800.0]
    zero = winsorise(X, max_points=0, fallback="log")   # COINr winmax = 0: straight to the log
    pd.testing.assert_frame_equal(zero.table, res.table)
    assert zero.details.at[0, "points"] == 0
    assert winsorise(X, max_points=2, fallback="log").details.at[0, "status"] == "winsorised"


def test_thresholds_are_inclusive():
    """check_SkewKurt passes when |skew| < skew_thresh or kurt < kurt_thresh: a column exactly
    at both thresholds fails."""
    v = np.array([0.0] * 10 + [1.0])
    sk, kt = skew_kurtosis(v)
    X = pd.DataFrame({"a": v})
    assert winsorise(X, skew=sk, kurtosis=kt).details.at[0, "status"] != "passed"
    assert winsorise(X, skew=np.nextafter(sk, 9), kurtosis=kt).details.at[0, "status"] == "passed"


def test_negative_skew_winsorises_the_low_end():
    """COINr: ``if (skew(x) >= 0)`` winsorise the high end, else the low end (decided again at
    every step); low-end points are ``winlo``."""
    X = pd.DataFrame({"a": [-800.0, -400, -200, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]})
    res = winsorise(X, max_points=5)
    assert res.points[["unit_id", "treated", "treatment"]].values.tolist() == [[0, -400, "winlo"]]
    assert res.table["a"].min() == -400 and res.details.at[0, "points"] == 1


def test_columns_too_short_or_empty_or_flat_pass_untouched():
    X = pd.DataFrame({"empty": [np.nan] * 6, "three": [1.0, 2, 1e6, np.nan, np.nan, np.nan],
                      "flat": [5.0] * 6})
    res = winsorise(X, fallback="log")
    pd.testing.assert_frame_equal(res.table, X)
    assert res.points.empty and (res.details["status"] == "passed").all()
    d = res.details.set_index("indicator")
    # three values have a skewness but no kurtosis, so they cannot fail the test
    assert d.loc[["empty", "flat"], "skew_before"].isna().all()
    assert d["kurtosis_before"].isna().all() and d["kurtosis_after"].isna().all()


@pytest.mark.parametrize("kw, match", [
    ({"max_points": -1}, r"'max_points' parameter of winsorise\(\) must be an integer >= 0"),
    ({"max_points": 2.5}, r"must be an integer >= 0. Got 2.5 instead"),
    ({"max_points": True}, r"must be an integer >= 0. Got True instead"),
    ({"fallback": "boxcox"}, r"'fallback' parameter .* one of \{'none', 'log'\}. Got 'boxcox'"),
    ({"skew": "2"}, r"'skew' parameter of winsorise\(\) must be a number"),
])
def test_bad_parameters_are_named(kw, match):
    with pytest.raises(ValueError, match=match):
        winsorise(pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]}), **kw)


def test_text_column_names_the_indicator():
    with pytest.raises(ValueError, match=r"indicator 'gdp' holds values that are not numbers"):
        winsorise(pd.DataFrame({"gdp": ["1", "x", "3", "4"]}, dtype=object))


@pytest.mark.filterwarnings("ignore::UserWarning")  # the sample's inconsistent AHP judgements
def test_build_log_says_per_indicator_what_was_done(sample_ws, baseline):
    """The treat StepRecord carries the per-indicator details and the changed points, and the
    treated table is prepare()'s."""
    s = baseline.replace("treat", {"method": "winsorise", "skew": 1.0, "kurtosis": 0.5,
                                   "max_points": 2, "fallback": "log"})
    prep, log = prepare(sample_ws, s, 2025)
    rec = next(r for r in log if r.step == "treat")
    assert rec.resolved.status["log"] == ["liv_online_service", "saf_petitions"]
    d = rec.resolved.details.set_index("indicator")
    assert set(d.index) == set(prep.X.columns)
    assert set(d.loc[rec.resolved.status["winsorised"], "points"]) <= {1, 2, 3}
    pts = rec.resolved.points
    assert set(pts.loc[pts["treatment"] == "log", "indicator"]) == set(rec.resolved.status["log"])
    for _, p in pts.iterrows():
        assert prep.X.at[p["unit_id"], p["indicator"]] == p["treated"]
    a = zl.build(sample_ws, s, 2025)
    assert "treat" in set(a.log_frame()["step"])


# -- properties ---------------------------------------------------------------------------------

# a bulk of small integers (ties), a few outliers on either side, some missing values
columns = st.tuples(st.lists(st.integers(0, 12), max_size=30),
                    st.lists(st.sampled_from([25, 40, 90, 300, 1000, -60, -500]), max_size=6),
                    st.integers(0, 3)).map(lambda t: [float(v) for v in t[0] + t[1]]
                                           + [np.nan] * t[2])
tables = st.lists(columns, min_size=1, max_size=3).map(lambda cols: pd.DataFrame(
    {f"c{j}": pd.Series(c, dtype=float) for j, c in enumerate(cols)}).rename(index="u{}".format))
settings_ = settings(max_examples=60, deadline=None)


def _fails(sk, kt):
    return abs(sk) >= 2.0 and kt >= 3.5


@settings_
@given(sample=st.lists(st.floats(-1e3, 1e3), min_size=4, max_size=40))
def test_skew_kurtosis_equal_scipys_bias_corrected(sample):
    """COINr's skew()/kurt() (e1071 type 2) = scipy.stats.skew/kurtosis(bias=False)."""
    v = np.array(sample)
    sk, kt = skew_kurtosis(v)
    if np.ptp(v) <= 1e-6 * max(1.0, np.abs(v).max()):
        return  # scipy gives noise or NaN for (nearly) constant samples
    np.testing.assert_allclose([sk, kt], [stats.skew(v, bias=False),
                                          stats.kurtosis(v, bias=False)], rtol=1e-7, atol=1e-9)


@settings_
@given(X=tables, k=st.integers(0, 6), fallback=st.sampled_from(["none", "log"]),
       rnd=st.randoms(use_true_random=False))
def test_outcome_is_free_of_row_order(X, k, fallback, rnd):
    order = list(X.index)
    rnd.shuffle(order)
    a = winsorise(X, max_points=k, fallback=fallback)
    b = winsorise(X.loc[order], max_points=k, fallback=fallback)
    pd.testing.assert_frame_equal(b.table.loc[X.index], a.table)
    key = ["unit_id", "indicator", "step", "treatment"]
    assert sorted(map(tuple, a.points[key].to_numpy())) == \
        sorted(map(tuple, b.points[key].to_numpy()))
    pd.testing.assert_frame_equal(a.details.drop(columns="units"),
                                  b.details.drop(columns="units"))


@settings_
@given(X=tables, k=st.integers(0, 6), fallback=st.sampled_from(["none", "log"]))
def test_every_column_passes_or_is_at_the_limit(X, k, fallback):
    """Each status means what it says; winsorisation stops as soon as the column passes or
    ``k`` distinct points are winsorised (ties can take the count past ``k`` in the last
    step, never before it); 'none' never logs."""
    res = winsorise(X, max_points=k, fallback=fallback)
    for d in res.details.itertuples():
        x0, x1 = X[d.indicator], res.table[d.indicator]
        pts = res.points[res.points["indicator"] == d.indicator]
        assert x1.isna().equals(x0.isna())
        if d.status == "passed":
            assert x1.equals(x0) and pts.empty and not _fails(d.skew_before, d.kurtosis_before)
            continue
        assert _fails(d.skew_before, d.kurtosis_before)
        assert d.status != "log" or fallback == "log"
        if d.status == "winsorised":
            assert not _fails(d.skew_after, d.kurtosis_after)
        else:  # failing, or the log of the original column
            assert d.points >= k and _fails(d.skew_winsorised, d.kurtosis_winsorised)
        if d.status == "log":
            np.testing.assert_array_equal(x1, log_ct(x0.to_numpy()))
            assert len(pts) == x0.notna().sum() and set(pts["treatment"]) == {"log"}
            continue
        # COINr's count (points tied at the extremes in the last step of each side) is the
        # number of distinct changed cells: one row each, exactly the cells that differ
        assert not pts["unit_id"].duplicated().any() and len(pts) == d.points
        assert set(pts["unit_id"]) == set(x0.index[(x0 != x1) & x0.notna()])
        assert set(d.units) == set(pts["unit_id"])
        if len(pts):  # before the last step the count was below the limit
            assert (pts["step"] < pts["step"].max()).sum() < k


@settings_
@given(X=tables, k=st.integers(0, 4), more=st.integers(1, 4))
def test_smaller_limit_takes_a_prefix_of_the_steps(X, k, more):
    """The run with limit k takes the steps of a run with a larger limit while the distinct
    count before the step is below k (what a Monte Carlo over ``max_points`` relies on)."""
    small, large = winsorise(X, max_points=k), winsorise(X, max_points=k + more)
    for col in X.columns:
        s = small.points[small.points["indicator"] == col]
        g = large.points[large.points["indicator"] == col]
        last, last_large = int(s["step"].max()) if len(s) else 0, g["step"].max() if len(g) else 0
        assert set(zip(s["unit_id"], s["step"])) == \
            {(u, j) for u, j in zip(g["unit_id"], g["step"]) if j <= last}
        count = [(g["step"] <= j).sum() for j in range(last + 1)]  # distinct points after j
        assert all(c < k for c in count[:-1])       # each step taken started below k
        assert last == last_large or count[-1] >= k  # stopped with the large run, or at k


@settings_
@given(X=tables, k=st.integers(0, 6), fallback=st.sampled_from(["none", "log"]))
def test_treating_again_leaves_passing_columns_alone(X, k, fallback):
    res = winsorise(X, max_points=k, fallback=fallback)
    again = winsorise(res.table, max_points=k, fallback=fallback)
    ok = res.details.loc[res.details["status"].isin(["passed", "winsorised"]), "indicator"]
    pd.testing.assert_frame_equal(again.table[ok], res.table[ok])
    assert again.points[again.points["indicator"].isin(ok)].empty


def test_result_is_a_frozen_record():
    res = winsorise(pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]}))
    assert isinstance(res, Winsorised)
    with pytest.raises(AttributeError):
        res.table = None
