"""Tests of zhengji_lab.effects.targets: ambition of declared targets, easy-target flags, cap effect."""
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zhengji_lab as zl
from zhengji_lab.effects.targets import FRAME_COLUMNS, UNIT_COLUMNS, target_ambition
from zhengji_lab.errors import BuildError

plt.switch_backend("Agg")

pytestmark = [pytest.mark.filterwarnings("ignore:Glyph .* missing from font"),
              pytest.mark.filterwarnings("ignore::zhengji_lab.errors.InconsistentJudgementWarning")]


def _ws(values, targets, *, scope_waste="individualized"):
    """A tiny workspace: 'grow' (+1) and 'waste' (-1) individualized, 'plain' common."""
    fw = pd.DataFrame({"code": ["grow", "waste", "plain", "dim", "index"],
                       "parent": ["dim", "dim", "dim", "index", ""],
                       "level": [1, 1, 1, 2, 3], "direction": [1, -1, 1, 1, 1],
                       "scope": ["individualized", scope_waste, "common", "common", "common"],
                       "kinds": [""] * 5})
    units = pd.DataFrame({"unit_id": ["u1", "u2", "u3"], "kind": ["town"] * 3,
                          "peer_group": ["g"] * 3})
    values = pd.DataFrame(values, columns=["unit_id", "year", "indicator", "value"])
    targets = pd.DataFrame(targets, columns=["unit_id", "year", "indicator", "target"])
    targets["target_source"] = "self_declared"
    return zl.Workspace(fw, units, values, targets=targets)


def _hand_ws():
    values = [("u1", 2021, "grow", 10.0), ("u1", 2022, "grow", 11.0), ("u1", 2023, "grow", 12.0),
              ("u1", 2024, "grow", 16.0),
              ("u2", 2021, "grow", 20.0), ("u2", 2022, "grow", 19.0), ("u2", 2024, "grow", 22.0),
              ("u3", 2021, "waste", 50.0), ("u3", 2022, "waste", 40.0), ("u3", 2023, "waste", 45.0),
              ("u1", 2024, "plain", 1.0)]
    targets = [("u1", 2022, "grow", 8.0), ("u1", 2023, "grow", 9.0), ("u1", 2024, "grow", 10.0),
               ("u2", 2022, "grow", 21.0), ("u2", 2023, "grow", 22.0), ("u2", 2024, "grow", 23.0),
               ("u3", 2022, "waste", 60.0), ("u3", 2023, "waste", 30.0)]
    return _ws(values, targets)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_hand_checked_example():
    """Ambition, margin, achievement and peers computed by hand, with a direction -1 indicator.

    u1 'grow' (+1): record 10, 11, 12; targets 8, 9, 10; values 11, 12, 16.
      2022: baseline = last = 10, ambition = (8 - 10)/10 = -0.2, margin = (11 - 8)/8 = 0.375;
      2023: baseline 11, ambition -2/11, margin 3/9;
      2024: >= 3 earlier values: the trend 10, 11, 12 projects 13, ambition -3/13, margin 0.6.
    u2 'grow': values 20, 19, (2023 absent), 22; targets 21, 22, 23.
      2022: ambition 1/20, margin -2/21; 2023: ambition 3/19, no value; 2024: the last earlier
      value is 19 (2023 missing, two values < 3): ambition 4/19, margin -1/23.
    u3 'waste' (-1): values 50, 40, 45; targets 60, 30.
      2022: ambition -(60 - 50)/50 = -0.2, margin -(40 - 60)/60 = 1/3, achievement 60/40;
      2023: ambition -(30 - 40)/40 = 0.25, margin -(45 - 30)/30 = -0.5, achievement 30/45.
    """
    res = target_ambition(_hand_ws(), year=2024)
    f = res.frame.set_index(["unit_id", "indicator", "year"])
    assert list(res.frame.columns) == FRAME_COLUMNS and len(f) == 8
    expect = {("u1", "grow", 2022): (10, "last", -0.2, 0.375, 11 / 8),
              ("u1", "grow", 2023): (11, "last", -2 / 11, 1 / 3, 12 / 9),
              ("u1", "grow", 2024): (13, "trend", -3 / 13, 0.6, 1.6),
              ("u2", "grow", 2022): (20, "last", 0.05, -2 / 21, 19 / 21),
              ("u2", "grow", 2023): (19, "last", 3 / 19, np.nan, np.nan),
              ("u2", "grow", 2024): (19, "last", 4 / 19, -1 / 23, 22 / 23),
              ("u3", "waste", 2022): (50, "last", -0.2, 1 / 3, 1.5),
              ("u3", "waste", 2023): (40, "last", 0.25, -0.5, 30 / 45)}
    for key, (base, how, amb, margin, ach) in expect.items():
        row = f.loc[key]
        assert row["baseline"] == pytest.approx(base) and row["baseline_method"] == how, key
        assert row["ambition"] == pytest.approx(amb), key
        np.testing.assert_allclose([row["margin"], row["achievement"]], [margin, ach], rtol=1e-12)
    # peers: u1 and u2 declare 'grow' each year; u3 has none
    np.testing.assert_allclose(f.loc[("u1", "grow", 2022), ["margin_vs_peers",
                                                             "ambition_vs_peers"]].astype(float),
                               [0.375 + 2 / 21, -0.25], rtol=1e-12)
    assert f.loc[("u1", "grow", 2022), "ambition_percentile"] == 0.0
    assert f.loc[("u2", "grow", 2022), "ambition_percentile"] == 1.0
    assert f.loc[("u2", "grow", 2022), "peer_miss_share"] == 0.0
    assert math.isnan(f.loc[("u1", "grow", 2023), "peer_margin_median"])  # u2 has no value
    assert f.loc[("u3", "waste", 2022), "peer_n"] == 0
    # the row without a value stays, with NaN and a reason
    row = f.loc[("u2", "grow", 2023)]
    assert pd.isna(row["met"]) and "no realised value" in row["note"] and not row["flag"]
    # flags: u1 beat targets below its own record widely every year; u3 once only
    assert f.loc["u1", "easy_reason"].tolist() == ["below_record"] * 3
    assert f.loc[("u3", "waste", 2022), "easy_reason"] == "below_record"
    assert not f.loc[("u3", "waste", 2023), "flag"]
    u = res.units.set_index("unit_id")
    assert list(res.units.columns) == UNIT_COLUMNS
    assert u.loc["u1", "mean_margin"] == pytest.approx((0.375 + 1 / 3 + 0.6) / 3)
    assert u.loc["u1", "median_ambition"] == pytest.approx(-0.2)
    assert u.loc["u3", "mean_margin"] == pytest.approx((1 / 3 - 0.5) / 2)
    assert res.flagged == ["u1"] and u.loc["u1", "pattern"] == "easy"
    assert u.loc["u2", "n_judged"] == 2 and u.loc["u2", "years"] == 3


def test_year_keeps_earlier_years_and_none_takes_all():
    ws = _hand_ws()
    assert sorted(target_ambition(ws, year=2023).frame["year"].unique()) == [2022, 2023]
    assert len(target_ambition(ws).frame) == 8


def test_bunching_just_above_target_while_peers_miss():
    """u1 meets by 1-3 % four years running while u2 misses: flagged as bunching."""
    values, targets = [], []
    for k, year in enumerate(range(2021, 2025)):
        values += [("u1", year, "grow", 100.0 + 10 * k), ("u2", year, "grow", 100.0 + 10 * k)]
        targets += [("u1", year, "grow", (100.0 + 10 * k) / (1.01 + 0.005 * k)),
                    ("u2", year, "grow", (100.0 + 10 * k) * 1.05)]
    res = target_ambition(_ws(values, targets))
    u = res.units.set_index("unit_id")
    assert u.loc["u1", "pattern"] == "bunching" and u.loc["u1", "flag"]
    assert not u.loc["u2", "flag"]
    f = res.frame[res.frame["unit_id"] == "u1"]
    assert f["flag"].all() and (f["easy_reason"] == "bunching").all()


# -- the sample city: recall of the planted gaming units ---------------------------------------
SEEDS = range(10)


def test_flags_every_gaming_unit_and_few_others():
    """Over seeds 0-9 the unit-level flag finds both planted gaming units of every seed.

    Measured over seeds 0-199 (2025, default thresholds): recall 389/400 = 97 % (the misses are
    seeds where the planted low target was not beaten on the noisy growth-rate indicator), false
    flags 19/1400 = 1.4 % of the honest adopters; seeds 0-19: recall 1, false flags 1/140.
    """
    tp = fp = negatives = 0
    for seed in SEEDS:
        ws, truth = zl.datasets.make_city(seed=seed)
        u = target_ambition(ws, year=2025).units
        gaming = u["unit_id"].isin(truth.gaming_units)
        assert set(u.loc[u["flag"], "unit_id"]) >= set(truth.gaming_units), seed
        tp += int((u["flag"] & gaming).sum())
        fp += int((u["flag"] & ~gaming).sum())
        negatives += int((~gaming).sum())
    assert tp == 2 * len(SEEDS)
    assert fp / negatives <= 0.05


def test_sample_city_first_year_and_columns(sample_ws):
    res = target_ambition(sample_ws, year=2025)
    f = res.frame
    assert len(f) == len(sample_ws.targets) and not f.duplicated(
        ["unit_id", "indicator", "year"]).any()
    assert f["flag"].dtype == bool
    first = f.groupby(["unit_id", "indicator"])["year"].transform("min") == f["year"]
    # values of an individualized indicator start with the adoption: no own record then
    assert (f.loc[first, "baseline_method"] == "none").all()
    assert f.loc[first, "ambition"].isna().all()
    assert f.loc[~first, "ambition"].notna().all()
    assert set(res.flagged) == {"town_baisha", "park_chem"}
    assert "town_baisha" in res.summary()


def test_cap_effect_on_the_sample_city(sample_ws):
    """Without the 120 % cap, units above it score more and never rank worse; the others keep
    their scores. In 2022 town_baisha (167 % of its target) passes park_hitech."""
    res = target_ambition(sample_ws, year=2022, scheme="baseline")
    c = res.cap_effect.set_index("unit_id")
    assert res.caps == {"ind_featured_industry": 1.2, "ind_eco_product_value": 1.2,
                        "ind_park_output_per_mu": 1.2}
    over = c["over_cap"]
    assert over.any()
    assert (c.loc[over, "score_uncapped"] > c.loc[over, "score_capped"] + 1e-9).all()
    np.testing.assert_allclose(c.loc[~over, "score_uncapped"], c.loc[~over, "score_capped"],
                               rtol=1e-9)
    assert (c.loc[over, "shift"] <= 0).all()
    assert c.loc["town_baisha", "shift"] == -1
    assert (c["shift"] != 0).any()
    capped = zl.build(sample_ws, "baseline", 2022).scores
    root = capped[capped["node"] == "index"].set_index("unit_id")
    np.testing.assert_allclose(c["rank_capped"], root.loc[c.index, "rank"])


def test_plot_highlights_flagged_units(sample_ws):
    res = target_ambition(sample_ws, year=2025, scheme="baseline")
    ax = res.plot()
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sum("easy targets" in t for t in texts) == 2
    assert any("cap" in t for t in texts) and any("100 %" in t for t in texts)
    ys = {round(line.get_ydata()[0], 6) for line in ax.get_lines() if len(line.get_ydata()) == 2
          and line.get_ydata()[0] == line.get_ydata()[1]}
    assert {1.0, 1.2} <= ys


# -- properties --------------------------------------------------------------------------------
_series = st.lists(st.floats(1.0, 1000.0), min_size=4, max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v1=_series, v2=_series, t1=_series, t2=_series, c=st.floats(0.01, 100.0),
       waste=st.booleans())
def test_scaling_values_and_targets_leaves_ratios_unchanged(v1, v2, t1, t2, c, waste):
    ind = "waste" if waste else "grow"
    years = range(2021, 2025)

    def ws(k):
        values = [(u, y, ind, k * v) for u, vs in (("u1", v1), ("u2", v2))
                  for y, v in zip(years, vs)]
        targets = [(u, y, ind, k * t) for u, ts in (("u1", t1), ("u2", t2))
                   for y, t in zip(years, ts)]
        return _ws(values, targets)

    cols = ["ambition", "margin", "achievement", "ambition_vs_peers", "margin_vs_peers"]
    a = target_ambition(ws(1.0)).frame
    b = target_ambition(ws(c)).frame
    np.testing.assert_allclose(a[cols].to_numpy(float), b[cols].to_numpy(float), rtol=1e-9,
                               atol=1e-12)
    assert (a["flag"] == b["flag"]).all()


@settings(max_examples=40, deadline=None)
@given(vals=_series, targets=_series, row=st.integers(0, 3), step=st.floats(0.01, 0.9),
       waste=st.booleans())
def test_more_demanding_target_never_lowers_ambition(vals, targets, row, step, waste):
    """Raising a target (lowering it for a lower-is-better indicator) never lowers its
    ambition and never raises its margin."""
    ind = "waste" if waste else "grow"
    years = list(range(2021, 2025))
    values = [("u1", y, ind, v) for y, v in zip(years, vals)]
    harder = list(targets)
    harder[row] = targets[row] * (1 - step) if waste else targets[row] * (1 + step)
    before = target_ambition(_ws(values, [("u1", y, ind, t) for y, t in zip(years, targets)]))
    after = target_ambition(_ws(values, [("u1", y, ind, t) for y, t in zip(years, harder)]))
    b, a = before.frame.iloc[row], after.frame.iloc[row]
    if row == 0:
        assert math.isnan(b["ambition"]) and math.isnan(a["ambition"])
    else:
        assert a["ambition"] >= b["ambition"] - 1e-12
    assert a["margin"] <= b["margin"] + 1e-12


# -- bad input ---------------------------------------------------------------------------------
def test_year_without_targets_names_the_years():
    with pytest.raises(BuildError, match=r"No targets for year 2019.*\[2022, 2023, 2024\]"):
        target_ambition(_hand_ws(), year=2019)
    with pytest.raises(BuildError, match="whole number"):
        target_ambition(_hand_ws(), year="2024")


def test_no_targets_at_all():
    with pytest.raises(BuildError, match="no targets"):
        target_ambition(_ws([("u1", 2024, "grow", 1.0)], []))


def test_target_for_common_or_unknown_indicator():
    with pytest.raises(BuildError, match=r"unit 'u1', indicator 'plain', year 2024: .*not "
                                         r"individualized.*scope 'individualized'"):
        target_ambition(_ws([("u1", 2024, "plain", 1.0)], [("u1", 2024, "plain", 2.0)]))
    with pytest.raises(BuildError, match=r"unit 'u2', indicator 'gdp', year 2024: .*not an "
                                         r"indicator of the framework"):
        target_ambition(_ws([("u1", 2024, "grow", 1.0)], [("u2", 2024, "gdp", 2.0)]))


@pytest.mark.parametrize("bad", [0.0, -3.0, np.nan])
def test_non_positive_target(bad):
    with pytest.raises(BuildError, match=r"unit 'u3', indicator 'waste', year 2023: target .* "
                                         r"not a positive number.*declare a positive target"):
        target_ambition(_ws([("u3", 2023, "waste", 1.0)], [("u3", 2023, "waste", bad)]))


def test_duplicate_target():
    with pytest.raises(BuildError, match=r"unit 'u1', indicator 'grow', year 2024: declared "
                                         r"more than once"):
        target_ambition(_ws([("u1", 2024, "grow", 1.0)],
                            [("u1", 2024, "grow", 2.0), ("u1", 2024, "grow", 3.0)]))


def test_scheme_without_target_normalisation():
    scheme = zl.Scheme.from_dict({"name": "plain", "peer_groups": "peer_group"})
    values = [("u1", 2024, "grow", 1.0), ("u2", 2024, "grow", 2.0),
              ("u1", 2024, "plain", 1.0), ("u2", 2024, "plain", 3.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(BuildError, match="no indicator with method 'target'"):
            target_ambition(_ws(values, [("u1", 2024, "grow", 1.0)]), 2024, scheme=scheme)


@pytest.mark.parametrize("kwargs, match", [({"wide_margin": -0.1}, "'wide_margin'"),
                                           ({"min_years": 0}, "'min_years'"),
                                           ({"trend_years": 1.5}, "'trend_years'"),
                                           ({"peer_gap": float("nan")}, "'peer_gap'")])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        target_ambition(_hand_ws(), **kwargs)
