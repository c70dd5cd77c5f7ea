"""zl.sensitivity: Sobol indices of ranks over scheme choices (issue 4, point 4)."""
import numpy as np
import pytest
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample

import zhengji_lab as zl
from zhengji_lab.montecarlo.design import parse_design
from zhengji_lab.montecarlo.engine import Engine

YEAR = 2025


def test_indices_agree_with_salib_on_the_same_design(sample_ws, baseline):
    """Same Saltelli design (SALib.sample.sobol with groups, seeded as zl.sensitivity seeds it)
    and same outputs (mean absolute rank shift): S1 and ST equal SALib 1.6's
    SALib.analyze.sobol.analyze (Saltelli et al. 2010; Jansen 1999) to 1e-10."""
    res = zl.sensitivity(sample_ws, baseline, YEAR, n=64, seed=3, progress=False)
    design = parse_design(sample_ws, baseline)
    X = salib_sample.sample(design.problem(), 64, calc_second_order=False,
                            seed=np.random.default_rng(3))
    engine = Engine.create(sample_ws, design, YEAR)
    nominal, _ = engine.nominal()
    ranks = engine.ranks(engine.scores(X))
    valid = (ranks > 0) & (nominal > 0)
    mars = np.where(valid, np.abs(ranks - nominal), 0).sum(axis=1) / valid.sum(axis=1)
    problem = {**design.problem()}
    ref = salib_sobol.analyze(problem, mars, calc_second_order=False, num_resamples=20, seed=1)
    np.testing.assert_allclose(res.frame["S1"], ref["S1"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.frame["ST"], ref["ST"], rtol=0, atol=1e-10)
    assert res.runs == 64 * (3 + 2) and res.n == 64
    unit = engine.units[5]
    col = ranks[:, 5].astype(float)
    ref_u = salib_sobol.analyze(problem, col, calc_second_order=False, num_resamples=20, seed=1)
    got_u = res.by_unit[res.by_unit["unit_id"] == unit]
    np.testing.assert_allclose(got_u["S1"], ref_u["S1"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(got_u["ST"], ref_u["ST"], rtol=0, atol=1e-10)


def test_an_input_without_effect_gets_exactly_zero(sample_ws, baseline):
    """An input whose alternatives are the same choice changes no run: S1 = ST = 0 exactly
    (f(A_B^j) = f(A) in Saltelli et al. 2010, Table 2)."""
    s = baseline.replace("uncertainty", [
        {"address": "deductions.cap", "alternatives": [10, 10], "name": "dummy"},
        {"address": "weights", "noise": 0.25}])
    res = zl.sensitivity(sample_ws, s, YEAR, n=32, seed=0, progress=False)
    dummy = res.frame.set_index("input").loc["dummy"]
    assert dummy["S1"] == 0 and dummy["ST"] == 0
    assert res.frame.set_index("input").loc["weights ±0.25", "ST"] > 0.5


def test_result_object_and_columns(sample_ws, baseline):
    import matplotlib

    matplotlib.use("Agg")
    zl.plots.setup_chinese()  # CJK font if installed; no missing-glyph warnings otherwise
    res = zl.sensitivity(sample_ws, baseline, YEAR, n=32, seed=1, progress=False)
    assert isinstance(res, zl.SensitivityIndices)
    assert list(res.frame.columns) == ["input", "S1", "S1_conf", "ST", "ST_conf"]
    assert list(res.frame["input"]) == ["normalise", "aggregate.method", "weights ±0.25"]
    assert len(res.by_unit) == 3 * len(sample_ws.units)
    assert (res.frame["S1_conf"] > 0).all()
    assert "N = 32 (160 runs)" in res.summary() and "<table" in res._repr_html_()
    assert res.plot() is not None
    again = zl.sensitivity(sample_ws, baseline, YEAR, n=32, seed=1, progress=False, chunk=7)
    assert again.frame.equals(res.frame)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"n": 1}, ValueError, r"'n_base' parameter of sensitivity\(\) must be an integer >= 2"),
    ({"n": "64"}, TypeError, r"'n_base' parameter of sensitivity\(\)"),
    ({"seed": "x"}, TypeError, r"'seed' parameter of sensitivity\(\)"),
])
def test_bad_arguments(sample_ws, baseline, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        zl.sensitivity(sample_ws, baseline, YEAR, progress=False, **{"n": 16, **kwargs})


def test_units_sometimes_unranked_keep_their_indices(sample_ws, baseline):
    """A draw that leaves a unit without a score ranks it after its peer group, so its Sobol
    indices reflect that choice instead of collapsing to 0."""
    import warnings

    s = baseline.replace("uncertainty", [
        {"address": "aggregate.min_coverage", "alternatives": [0.0, 1.0]},
        {"address": "weights.index", "noise": 0.2}])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = zl.sensitivity(sample_ws, s, year=2025, n=64, seed=3, progress=False)
    by = res.by_unit.set_index(["unit_id", "input"])
    cov = by.xs("aggregate.min_coverage", level="input")
    assert cov["ST"].notna().all() and (cov["ST"] > 0.5).sum() >= 5
