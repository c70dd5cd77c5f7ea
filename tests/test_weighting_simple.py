"""Equal, fixed and budget-allocation weights, and the registry."""
import logging

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import zhengji_lab as zl


def test_registry_names_every_method():
    assert set(zl.weighting.REGISTRY) == {
        "equal", "fixed", "budget", "ahp", "ahp_group", "entropy", "critic", "stdev", "pca",
        "bod", "combine", "optimise"}
    assert zl.weighting.REGISTRY["critic"].function is zl.weighting.critic


def test_equal_from_frame_series_and_codes():
    X = pd.DataFrame(np.ones((3, 4)), columns=list("abcd"))
    for arg in (X, X.iloc[0], list("abcd"), pd.Index(list("abcd"))):
        w = zl.weighting.equal(arg)
        assert list(w.index) == list("abcd") and (w == 0.25).all() and w.name == "weight"


@pytest.mark.parametrize("arg, err, match", [
    ([], ValueError, "names no indicator"),
    (["a", "b", "a"], ValueError, "repeats 'a'"),
    ("abc", TypeError, "sequence of indicator codes"),
])
def test_equal_bad_input(arg, err, match):
    with pytest.raises(err, match=match):
        zl.weighting.equal(arg)


def test_fixed_rescales_and_logs(caplog):
    with caplog.at_level(logging.INFO, logger="zhengji_lab.weighting"):
        w = zl.weighting.fixed({"economy": 30, "ecology": 25, "livelihood": 25, "party": 20})
    assert_allclose(w.to_numpy(), [0.30, 0.25, 0.25, 0.20])
    assert "summed to 100; rescaled" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="zhengji_lab.weighting"):
        zl.weighting.fixed(pd.Series({"a": 0.5, "b": 0.5}))
    assert "rescaled" not in caplog.text


@pytest.mark.parametrize("values, err, match", [
    ({"a": 0.5, "b": -0.1}, ValueError, r"must hold weights >= 0. Got \{'b': -0.1\}"),
    ({"a": 0, "b": 0}, ValueError, "positive total"),
    ({"a": 1, "b": float("nan")}, ValueError, "missing or infinite weights for 'b'"),
    ({"a": "0.5"}, TypeError, "must hold numbers"),
    ([0.5, 0.5], TypeError, "mapping or Series"),
    ({}, ValueError, "names no indicator"),
])
def test_fixed_bad_input(values, err, match):
    with pytest.raises(err, match=match):
        zl.weighting.fixed(values)


def test_budget_handbook_mean_and_median(caplog):
    """Budget allocation (Handbook section 6.1, Table 22): the mean budget / total; the median
    needs renormalising, which is logged."""
    pts = pd.DataFrame({"a": [50, 30, 40], "b": [30, 50, 20], "c": [20, 20, 40]},
                       index=["li", "wang", "zhao"])
    assert_allclose(zl.weighting.budget(pts).to_numpy(), [0.4, 1 / 3, 4 / 15])
    with caplog.at_level(logging.INFO, logger="zhengji_lab.weighting"):
        med = zl.weighting.budget(pts, how="median")
    assert_allclose(med.to_numpy(), np.array([40, 30, 20]) / 90)
    assert "median points summed to 90 of 100" in caplog.text
    assert_allclose(zl.weighting.budget(pts / 100, total=1).to_numpy(), [0.4, 1 / 3, 4 / 15])


def test_budget_not_adding_up_names_expert_and_sum():
    pts = pd.DataFrame({"a": [50, 30, 40], "b": [30, 50, 20], "c": [20, 10, 40]},
                       index=["li", "wang", "zhao"])
    with pytest.raises(ValueError, match=r"total=100; 'wang' \(sum 90\) do not"):
        zl.weighting.budget(pts)


@pytest.mark.parametrize("pts, match", [
    (pd.DataFrame({"a": [110, 50], "b": [-10, 50]}, index=["li", "wang"]),
     "expert\\(s\\) 'li' gave negative points"),
    (pd.DataFrame({"a": [100, np.nan], "b": [0, 50]}, index=["li", "wang"]),
     r"missing for expert\(s\) 'wang' \('a'\)"),
])
def test_budget_bad_points(pts, match):
    with pytest.raises(ValueError, match=match):
        zl.weighting.budget(pts)


def test_budget_bad_parameters():
    pts = pd.DataFrame({"a": [50], "b": [50]})
    with pytest.raises(ValueError, match=r"'how' parameter of budget\(\) must be one of "
                                         r"\{'mean', 'median'\}. Got 'mode' instead"):
        zl.weighting.budget(pts, how="mode")
    with pytest.raises(ValueError, match="'total' parameter"):
        zl.weighting.budget(pts, total=0)
    with pytest.raises(ValueError, match="disagree completely"):
        zl.weighting.budget(pd.DataFrame({"a": [100, 0, 0], "b": [0, 100, 0],
                                          "c": [0, 0, 100]}), how="median")


def test_registry_keys_follow_the_functions():
    """An AHP node takes the keys of ahp and ahp_group (one expert or a panel); a combination's
    parts are checked like any weighting; keys build sets itself are not offered."""
    assert "how" in zl.weighting.REGISTRY["ahp"].keys
    assert "method" not in zl.weighting.REGISTRY["ahp"].keys
    assert "directions" not in zl.weighting.REGISTRY["critic"].keys
    with pytest.raises(zl.SchemeError, match=r"of\[1\]\.shfit: unknown key; did you mean 'shift'"):
        zl.Scheme.from_dict({"name": "s", "weights": {"index": {"method": "combine", "of": [
            {"method": "equal"}, {"method": "entropy", "shfit": 1}]}}})
