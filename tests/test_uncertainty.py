"""zl.uncertainty: Monte Carlo rank bands over scheme choices (issue 4, points 3 and 5)."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zhengji_lab as zl
from zhengji_lab import treat
from zhengji_lab.core import grades_by_quota, rank_within
from zhengji_lab.errors import BuildError, SchemeError
from zhengji_lab.montecarlo.design import parse_design
from zhengji_lab.montecarlo.engine import Engine, naive_ranks, quantile_of_counts
from zhengji_lab.pipeline import prepare
from zhengji_lab.rules import assign_grades

YEAR = 2025

RICH = [  # every kind of entry, on the sample city's baseline scheme
    {"address": "weights", "experts": "judgements/livelihood"},
    {"address": "indicators", "exclude": ["eco_gdp_growth", "liv_satisfaction"]},
    {"address": "weights.index", "dirichlet": 50},
    {"address": "weights.economy", "noise": 0.2},
    {"address": "impute.method", "alternatives": ["none", "peer_mean"]},
    {"address": "aggregate.min_coverage", "alternatives": [0.5, 0.66]},
    {"address": "deductions.cap", "alternatives": [5, 10]},
]


def _naive_frame(ws, scheme, year, n, seed):
    """Rank statistics computed from one build() per draw (the reference)."""
    design = parse_design(ws, scheme)
    rows = np.random.default_rng(seed).random((n, design.n_columns))
    draws = naive_ranks(ws, design, year, rows)
    out = {}
    for unit, d in draws.groupby("unit_id"):
        r = d["rank"].dropna().to_numpy(dtype=float)
        out[unit] = {"median": np.median(r), "mean": r.mean(), "q05": np.quantile(r, 0.05),
                     "q95": np.quantile(r, 0.95), "p_unranked": d["rank"].isna().mean(),
                     **{f"p_{g}": (d["grade"] == g).mean() for g in ("一等", "二等", "三等")}}
    return pd.DataFrame(out).T


def _check_against_naive(ws, scheme, year, n, seed):
    res = zl.uncertainty(ws, scheme, year, n=n, seed=seed, chunk=3, progress=False)
    naive = _naive_frame(ws, scheme, year, n, seed)
    got = res.frame.set_index("unit_id")[naive.columns].loc[naive.index].astype(float)
    pd.testing.assert_frame_equal(got, naive.astype(float), check_exact=False, rtol=0, atol=1e-12,
                                  check_names=False)


def test_vectorised_path_equals_naive_loop(sample_ws, baseline):
    """The vectorised engine and one build() per draw give identical rank statistics for the
    same draws (normalisation and aggregation alternatives, ±25% weight noise)."""
    _check_against_naive(sample_ws, baseline, YEAR, n=8, seed=11)


@pytest.mark.slow
def test_vectorised_path_equals_naive_loop_for_every_kind_of_entry(sample_ws, baseline):
    """Experts, indicators left out, Dirichlet and noise weights, imputation, coverage and the
    deduction cap: still identical to build() per draw."""
    _check_against_naive(sample_ws, baseline.replace("uncertainty", RICH), YEAR, n=10, seed=5)


def _asem_scheme():
    ws = zl.datasets.load_asem()
    s = zl.Scheme.from_yaml(ws.schemes["asem_coinr"])
    s = s.replace("treat", {"method": "winsorise", "skew": 2.0, "kurtosis": 3.5, "max_points": 5})
    return ws, s.replace("uncertainty", [
        {"address": "treat.max_points", "alternatives": [1, 2, 3, 4, 5]},
        {"address": "normalise", "alternatives": [{"method": "minmax", "scale": [1, 100]},
                                                  {"method": "zscore", "scale": [10, 2]}]},
        {"address": "weights", "noise": 0.25},
        {"address": "aggregate.method", "alternatives": ["arithmetic", "geometric"]}])


@pytest.mark.slow
def test_winsorisation_limits_equal_naive_loop_on_asem():
    """COINr's ASEM example with the four inputs of its sensitivity example (winsorisation limit
    1–5, min-max [1, 100] vs z-score (10, 2), weights ±25%, arithmetic vs geometric): every
    draw's ranks equal build()'s, and every limit's treated table equals prepare()'s."""
    ws, s = _asem_scheme()
    design = parse_design(ws, s)
    rows = np.random.default_rng(2).random((12, design.n_columns))
    naive = naive_ranks(ws, design, 2018, rows)
    engine = Engine.create(ws, design, 2018)
    got = engine.ranks(engine.scores(rows))
    want = naive.pivot(index="draw", columns="unit_id", values="rank")[engine.units]
    np.testing.assert_array_equal(got, want.fillna(0).to_numpy(dtype=int))
    for k in range(6):
        sk = s.replace("treat.max_points", k)
        pd.testing.assert_frame_equal(engine._prepared(sk).X, prepare(ws, sk, 2018)[0].X)


@pytest.mark.slow
def test_treatment_alternatives_with_log_fallback_equal_naive_loop(sample_ws, baseline):
    """Issue 7: COINr's rule (distinct winsorised points, log of the original column when the
    limit is reached and the column still fails) under a Monte Carlo over ``treat``: limits
    0–5 with ``fallback: log`` (thresholds 1 / 0.5, so that the fallback fires for some limits
    and not others) and fallback log vs none; every draw's ranks equal build()'s, and every
    alternative's treated table equals prepare()'s."""
    s = baseline.replace("treat", {"method": "winsorise", "skew": 1.0, "kurtosis": 0.5,
                                   "max_points": 5, "fallback": "log"})
    s = s.replace("uncertainty", [
        {"address": "treat.max_points", "alternatives": [0, 1, 2, 3, 5]},
        {"address": "treat.fallback", "alternatives": ["log", "none"]},
        *baseline.spec["uncertainty"]])
    design = parse_design(sample_ws, s)
    rows = np.random.default_rng(4).random((16, design.n_columns))
    assert any(c[0] < 4 and c[1] == 0 for c in design.choices(rows))  # draws where it logs
    naive = naive_ranks(sample_ws, design, YEAR, rows)
    engine = Engine.create(sample_ws, design, YEAR)
    got = engine.ranks(engine.scores(rows))
    want = naive.pivot(index="draw", columns="unit_id", values="rank")[engine.units]
    np.testing.assert_array_equal(got, want.fillna(0).to_numpy(dtype=int))
    logged = set()
    for k in (0, 1, 2, 3, 5):
        for fallback in ("log", "none"):
            sk = s.replace("treat.max_points", k).replace("treat.fallback", fallback)
            prep, log = prepare(sample_ws, sk, YEAR)
            pd.testing.assert_frame_equal(engine._prepared(sk).X, prep.X)
            logged |= {(k, fallback, c) for c in next(r for r in log if r.step == "treat")
                       .resolved.status.get("log", [])}
    assert {k for k, _, _ in logged} == {0, 1, 2, 3} and {f for _, f, _ in logged} == {"log"}


def test_winsorise_moves_tied_extremes_together():
    """COINr's winsorise() (R/treat.R, ``x[imax] <- max(x[-imax])``): every value tied at the
    extreme takes the nearest other value. Replacing one value by its neighbour creates a tie,
    so without this the loop stalled after one point. A point winsorised again is still one
    point (COINr's ``nwin``; issue 7)."""
    X = pd.DataFrame({"a": [float(i) for i in range(1, 21)] + [80.0, 200.0]})
    res = treat.winsorise(X, max_points=5)
    assert res.table["a"].tolist()[-3:] == [20.0, 20.0, 20.0]
    assert res.points["step"].tolist() == [1, 2] and res.points["treated"].tolist() == [20.0] * 2
    assert res.details.loc[0, "points"] == 2
    res1 = treat.winsorise(X, max_points=1)   # one point reached: no second step
    assert res1.table["a"].tolist()[-2:] == [80.0, 80.0] and len(res1.points) == 1


def test_same_seed_same_result_whatever_the_chunking(sample_ws, baseline):
    a = zl.uncertainty(sample_ws, baseline, YEAR, n=300, seed=7, progress=False)
    b = zl.uncertainty(sample_ws, baseline, YEAR, n=300, seed=7, chunk=37, progress=False)
    c = zl.uncertainty(sample_ws, baseline, YEAR, n=300, seed=np.random.default_rng(7),
                       chunk=300, progress=False)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    pd.testing.assert_frame_equal(a.frame, c.frame)
    d = zl.uncertainty(sample_ws, baseline, YEAR, n=300, seed=8, progress=False)
    assert not a.frame["mean"].equals(d.frame["mean"])


def test_bands_stabilise_as_n_grows(sample_ws, baseline):
    """Two independent runs agree better with more draws: the mean rank's Monte Carlo error
    falls like 1/sqrt(n), and the 5–95% bands (integer ranks) settle."""
    def gaps(n):
        a, b = (zl.uncertainty(sample_ws, baseline, YEAR, n=n, seed=s, progress=False,
                               triggers=False).frame for s in (1, 2))
        band = np.mean(np.abs(a["q05"] - b["q05"]) + np.abs(a["q95"] - b["q95"]))
        return float(np.mean(np.abs(a["mean"] - b["mean"]))), float(band)

    (mean_small, band_small), (mean_large, band_large) = gaps(50), gaps(12800)
    assert mean_large < mean_small / 5
    assert band_large < band_small / 5


def test_nominal_ranks_and_grades_are_builds(sample_ws, baseline):
    res = zl.uncertainty(sample_ws, baseline, YEAR, n=20, seed=0, progress=False)
    a = zl.build(sample_ws, baseline, YEAR)
    root = a.scores[a.scores["node"] == "index"].set_index("unit_id")
    f = res.frame.set_index("unit_id").loc[root.index]
    assert (f["nominal_rank"] == root["rank"].astype(float)).all()
    assert (f["nominal_grade"] == root["grade"]).all()
    assert list(f.columns[:8]) == ["name_zh", "peer_group", "nominal_rank", "nominal_grade",
                                   "median", "mean", "q05", "q95"]
    grades = f[["p_一等", "p_二等", "p_三等", "p_unranked"]].sum(axis=1)
    np.testing.assert_allclose(grades, 1.0)
    assert res.counts.sum(axis=1).eq(20).all()


def test_a_single_alternative_reproduces_the_nominal_build_and_its_triggers(sample_ws, baseline):
    """Every draw is the nominal scheme: degenerate bands, grade probabilities 0/1, and the
    vectorised talk triggers fire exactly where build's talk_triggers fire."""
    s = baseline.replace("uncertainty", [{"address": "aggregate.method",
                                          "alternatives": ["arithmetic"]}])
    f = zl.uncertainty(sample_ws, s, YEAR, n=5, seed=0, progress=False).frame.set_index("unit_id")
    assert (f["q05"] == f["nominal_rank"]).all() and (f["q95"] == f["nominal_rank"]).all()
    assert (f["mean_shift"] == 0).all() and not f["grade_uncertain"].any()
    a = zl.build(sample_ws, baseline, YEAR)
    for trigger in ("marked_regression", "consecutive_lagging"):
        fired = set(a.triggers.loc[a.triggers["trigger"] == trigger, "unit_id"])
        assert fired, trigger
        assert set(f.index[f[f"p_{trigger}"] == 1]) == fired
        assert set(f.index[f[f"p_{trigger}"] == 0]) == set(f.index) - fired


def test_uncertainty_flags_in_build(sample_ws, baseline):
    """Point 5: grades whose band straddles a boundary and triggers within the noise are
    flagged when the scheme asks (uncertainty_flags)."""
    s = baseline.replace("uncertainty_flags", {"n": 300, "seed": 3})
    a = zl.build(sample_ws, s, YEAR)
    res = zl.uncertainty(sample_ws, baseline, YEAR, n=300, seed=3, progress=False)
    root = a.scores[a.scores["node"] == "index"].set_index("unit_id")
    f = res.frame.set_index("unit_id").loc[root.index]
    assert (root["grade_uncertain"].astype(bool) == f["grade_uncertain"]).all()
    np.testing.assert_array_equal(root["rank_lo"], f["q05"])
    assert a.scores.loc[a.scores["node"] != "index", "rank_lo"].isna().all()
    assert {"p_fire", "uncertain"} <= set(a.triggers.columns)
    t = a.triggers.set_index(["unit_id", "trigger"])
    for (unit, trig), row in t.iterrows():
        want = 1.0 if trig == "problem_found" else f.at[unit, f"p_{trig}"]
        assert row["p_fire"] == want and row["uncertain"] == (want < 0.95)
    assert a.log[-1].step == "uncertainty_flags"
    plain = zl.build(sample_ws, baseline, YEAR)
    assert "rank_lo" not in plain.scores.columns and "p_fire" not in plain.triggers.columns


@pytest.mark.parametrize("entries, match", [
    ([{"address": "aggregate.methd", "alternatives": ["geometric"]}],
     r"uncertainty\[0\].*does not exist.*Valid keys there: \{'method', 'min_coverage'\}"),
    ([{"address": "normalisation", "alternatives": [{}]}], r"Valid keys there: .*'normalise'"),
    ([{"address": "aggregate.method", "alternatives": ["arithmetic", "median"]}],
     (r"alternative 1 \('median'\) is not valid: aggregate.method must be one of "
      r"\{'arithmetic', 'geometric', 'harmonic', 'power_mean', 'copeland', 'kemeny'\}")),
    ([{"address": "normalise", "alternatives": [{"method": "minimax"}]}],
     r"normalise.method must be one of \{'minmax'"),
    ([{"address": "indicators", "exclude": ["gdp"]}], r"not indicators; valid codes: \{'eco_"),
    ([{"address": "weights", "experts": "judgements/economy"}],
     r"judgements groups \{'index', 'index_points', 'livelihood', 'livelihood_points'\}"),
    ([{"address": "weights.index", "experts": "judgements/index"}],
     r"no node in 'weights.index' is weighted .* from judgements/index"),
    ([{"address": "weights", "noise": 1.5}], r"'noise' must be a number in \(0, 1\)"),
    ([{"address": "weights.index", "dirichlet": 0.005}], r"'dirichlet' must be a concentration"),
    ([{"address": "weights.nowhere", "noise": 0.1}], r"valid nodes: \{.*'index'\}"),
    ([{"address": "weights", "noise": 0.1, "dirichlet": 5}], r"exactly one of"),
    ([{"address": "weights", "noies": 0.1}],
     r"uncertainty\[0\]\.noies: unknown key; did you mean 'noise'"),
    ([{"address": "weights", "noise": 0.1, "name": "w"}, {"address": "aggregate.method"}],
     r"exactly one of \{'alternatives', 'noise'"),
    ([{"address": "uncertainty", "alternatives": [[]]}], r"must point at a choice"),
    ([], r"has no 'uncertainty' section"),
    ([{"address": "aggregate", "alternatives": [{"method": "geometric"}]},
      {"address": "aggregate.method", "alternatives": ["arithmetic"]}],
     r"uncertainty\[1\].*which uncertainty\[0\] also changes"),
])
def test_bad_entries_list_the_valid_choices(sample_ws, baseline, entries, match):
    with pytest.raises(SchemeError, match=match):
        zl.uncertainty(sample_ws, baseline.replace("uncertainty", entries), YEAR, n=10,
                       progress=False)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"n_draws": 1}, ValueError,
     r"'n_draws' parameter of uncertainty\(\) must be an integer >= 2. Got 1"),
    ({"n": 2.5}, TypeError, r"'n_draws' parameter of uncertainty\(\) must be an integer"),
    ({"n_draws": True}, TypeError, r"'n_draws' parameter"),
    ({"seed": "42"}, TypeError, (r"'seed' parameter of uncertainty\(\) must be an int, a "
                                 r"numpy.random.Generator or None. Got '42' \(str\)")),
    ({"seed": 1.5}, TypeError, r"'seed' parameter .* Got 1.5 \(float\)"),
    ({"year": 1999}, BuildError, r"No values for year 1999; the workspace has"),
    ({"band": (0.9, 0.1)}, ValueError, r"'band' parameter"),
    ({"chunk": 0}, ValueError, r"'chunk' parameter"),
    ({"client": "tcp://x"}, TypeError, r"'client' parameter of uncertainty\(\) must be a dask"),
])
def test_bad_arguments(sample_ws, baseline, kwargs, exc, match):
    args = {"year": YEAR, "seed": 0, **({"n_draws": 10} if "n" not in kwargs else {}), **kwargs}
    with pytest.raises(exc, match=match):
        zl.uncertainty(sample_ws, baseline, progress=False, **args)


def test_bad_uncertainty_flags_fail_when_the_scheme_loads(baseline):
    with pytest.raises(SchemeError, match=r"uncertainty_flags.n must be an integer >= 2"):
        baseline.replace("uncertainty_flags", {"n": 1})
    with pytest.raises(SchemeError, match=r"uncertainty_flags\.draws: unknown key"):
        baseline.replace("uncertainty_flags", {"draws": 10})


def test_design_maps_uniforms_to_choices(sample_ws, baseline):
    design = parse_design(sample_ws, baseline.replace("uncertainty", RICH))
    problem = design.problem()
    assert problem["num_vars"] == design.n_columns == 1 + 1 + 5 + 11 + 1 + 1 + 1
    assert len(set(problem["groups"])) == len(RICH)
    experts, left_out = design.inputs[0], design.inputs[1]
    assert experts.labels == tuple(f"expert_{i}" for i in range(1, 8))
    assert left_out.labels == ("none", "eco_gdp_growth", "liv_satisfaction")
    u = (np.arange(300) + 0.5) / 300
    assert np.bincount(left_out.choose(u)).tolist() == [100, 100, 100]
    noise = design.inputs[3]
    f = noise.perturb(np.ones(11), np.linspace(0, 1 - 1e-12, 11)[None, :])
    assert f.min() == pytest.approx(0.8) and f.max() == pytest.approx(1.2)
    # Dirichlet(c·w) by inversion: mean w, variance w(1 - w)/(c + 1)
    w = np.array([0.3, 0.25, 0.25, 0.1, 0.1])
    g = design.inputs[2].perturb(w, np.random.default_rng(0).random((20000, 5)))
    d = g / g.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(d.mean(axis=0), w, atol=0.003)
    np.testing.assert_allclose(d.var(axis=0), w * (1 - w) / 51, rtol=0.06)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([np.nan, 1.0, 2.0, 2.0, 3.5, -1.0]), min_size=1, max_size=12),
       st.integers(1, 3))
def test_rank_within_equals_pandas_rank(values, n_groups):
    x = np.array(values)
    groups = np.arange(len(x)) % n_groups
    members = [np.flatnonzero(groups == g) for g in np.unique(groups)]
    got = rank_within(x[None, :], members)[0]
    want = pd.Series(x).groupby(groups).rank(ascending=False, method="min")
    np.testing.assert_array_equal(got, want.fillna(0).to_numpy())


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 25), st.sampled_from([[0.3, 0.5, 0.2], [0.5, 0.5], [0.15, 0.35, 0.5]]),
       st.integers(0, 2**32 - 1))
def test_grades_by_quota_equals_assign_grades(n, shares, seed):
    rng = np.random.default_rng(seed)
    ranks = pd.Series(rng.integers(1, n + 1, n), index=[f"u{i}" for i in range(n)])
    ranks[rng.random(n) < 0.2] = pd.NA
    grades = [{"name": f"g{i}", "share": s} for i, s in enumerate(shares)]
    want = assign_grades(ranks.astype("Int64"), pd.Series("x", index=ranks.index), grades)
    got = grades_by_quota(ranks.fillna(0).to_numpy(dtype=int)[None, :], [np.arange(n)],
                          np.cumsum(shares))[0]
    names = [g["name"] for g in grades] + [None]
    assert [names[k] for k in got] == [None if pd.isna(g) else g for g in want]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=40), st.floats(0, 1))
def test_quantiles_from_counts_equal_numpy(samples, q):
    counts = np.bincount(samples, minlength=7)[None, 1:]
    got = quantile_of_counts(counts, np.arange(1, 7), q)[0]
    assert got == pytest.approx(np.quantile(samples, q), abs=1e-12)


def test_result_object(sample_ws, baseline):
    import matplotlib

    matplotlib.use("Agg")
    zl.plots.setup_chinese()  # CJK font if installed; no missing-glyph warnings otherwise
    res = zl.uncertainty(sample_ws, baseline, YEAR, n=40, seed=1, progress=False)
    assert isinstance(res, zl.UncertaintyResult)
    assert res.to_frame().equals(res.frame) and res.to_frame() is not res.frame
    assert "40 draws over 3 inputs" in res.summary() and "<table" in res._repr_html_()
    assert list(res.bands().columns) == ["unit", "nominal", "median", "lo", "hi"]
    assert res.plot() is not None
    assert list(res.inputs["input"]) == ["normalise", "aggregate.method", "weights ±0.25"]


def test_exclude_and_experts_in_build(sample_ws, baseline):
    """The scheme keys the uncertainty entries rely on: 'exclude' gives an indicator weight 0
    for every unit, 'experts' restricts a panel's judgements."""
    a = zl.build(sample_ws, baseline.replace("exclude", ["saf_petitions"]), YEAR)
    s = a.stage("nodes")
    assert s["saf_petitions"].isna().all()
    kids = [c for c in sample_ws.framework.loc[sample_ws.framework["parent"] == "safety", "code"]
            if c != "saf_petitions"]
    has = a.stage("applicable")[kids]
    want = s[kids].where(has).mean(axis=1)  # equal weights over the children a unit has
    ok = s["safety"].notna()                 # (the others fall below min_coverage)
    assert ok.sum() > 40
    np.testing.assert_allclose(s.loc[ok, "safety"], want[ok], rtol=1e-12)
    with pytest.raises(zl.BuildError, match=r"exclude\[0\]: 'gdp' is not an indicator"):
        zl.build(sample_ws, baseline.replace("exclude", ["gdp"]), YEAR)
    spec = {"method": "budget", "judgements": "judgements/livelihood_points",
            "experts": ["expert_3"]}
    w = zl.build(sample_ws, baseline.replace("weights.livelihood", spec), YEAR).weights
    w = w[w["parent"] == "livelihood"].set_index("node")["weight"]
    points = sample_ws.judgements["livelihood_points"]["expert_3"]["points"]
    np.testing.assert_allclose(w.loc[points.index], points / points.sum())


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_result(sample_ws, baseline):
    distributed = pytest.importorskip("dask.distributed")
    local = zl.uncertainty(sample_ws, baseline, YEAR, n=400, seed=9, progress=False)
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = zl.uncertainty(sample_ws, baseline, YEAR, n=400, seed=9, chunk=90,
                                client=client, progress=False)
    pd.testing.assert_frame_equal(local.frame, remote.frame)


@pytest.mark.slow
@pytest.mark.parametrize("aggregates", [
    [{"method": "power_mean", "p": 0.5, "min_coverage": 0.66},
     {"method": "power_mean", "p": -2, "min_coverage": 0.9},
     {"method": "harmonic", "min_coverage": 0.66}],
    [{"method": "kemeny", "min_coverage": 0.66}, {"method": "kemeny", "min_coverage": 0.9},
     {"method": "copeland", "min_coverage": 0.9}],
], ids=["power_mean-harmonic", "kemeny-copeland"])
def test_engine_equals_build_for_every_aggregation(sample_ws, baseline, aggregates):
    """Issue 7: the generalised mean (Handbook 2008, section 6; COINr's a_genmean), Kemeny
    (Handbook eqs. 6.3-6.4, one integer programme per draw and peer group of at most 20 units)
    and harmonic / Copeland, with both normalisations, ±25% weight noise and a coverage rule
    that leaves units without a score: every draw's scores and ranks equal build()'s."""
    s = baseline.replace("uncertainty", [
        baseline.spec["uncertainty"][0],           # min-max [1, 100] or z-score (10, 2)
        {"address": "aggregate", "alternatives": aggregates},
        {"address": "weights", "noise": 0.25}])
    design = parse_design(sample_ws, s)
    rows = np.random.default_rng(6).random((8, design.n_columns))
    # five combinations, each aggregation drawn at least twice (chunks of several draws)
    assert len(np.unique(design.choices(rows), axis=0)) == 5
    assert np.bincount(design.choices(rows)[:, 1]).min() >= 2
    naive = naive_ranks(sample_ws, design, YEAR, rows)
    engine = Engine.create(sample_ws, design, YEAR)
    scores = engine.scores(rows)
    want = naive.pivot(index="draw", columns="unit_id", values="score")[engine.units]
    assert want.isna().any().any()                # some units fall below min_coverage
    np.testing.assert_allclose(scores, want.to_numpy(dtype=float), rtol=1e-12, atol=1e-12)
    ranks = naive.pivot(index="draw", columns="unit_id", values="rank")[engine.units]
    np.testing.assert_array_equal(engine.ranks(scores), ranks.fillna(0).to_numpy(dtype=int))


def test_draws_and_base_sample_have_their_own_names(sample_ws, baseline):
    """``n_draws`` (uncertainty) and ``n_base`` (sensitivity, N of N·(D + 2) runs); ``n=`` is
    still accepted, and giving both names is an error."""
    a = zl.uncertainty(sample_ws, baseline, YEAR, n_draws=20, seed=2, progress=False)
    b = zl.uncertainty(sample_ws, baseline, YEAR, n=20, seed=2, progress=False)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.n == 20
    with pytest.raises(TypeError, match="both 'n_draws' and its earlier name 'n'"):
        zl.uncertainty(sample_ws, baseline, YEAR, n_draws=30, n=20, progress=False)
