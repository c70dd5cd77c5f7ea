"""Scheme: validation with the valid choices listed, YAML round trip, replace, fingerprint."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zhengji_lab as zl
from zhengji_lab.errors import SchemeError

DESIGN_EXAMPLE = """
name: baseline
description: 2025 comprehensive assessment, as approved by the panel
reference_year: 2022
treat: {method: none}
impute: {method: none}
normalise:
  method: minmax
  scale: [0, 100]
  goalposts: {}
  overrides:
    eco_forest_cover: {method: target, cap: 1.2}
weights:
  index: {method: fixed, values: {economy: 0.3, ecology: 0.25, livelihood: 0.25, safety: 0.1, party: 0.1}}
  livelihood: {method: ahp, judgements: judgements/livelihood}
  "*": {method: equal}
aggregate: {method: arithmetic, min_coverage: 0.66}
peer_groups: kind
deductions: {cap: 10}
grades:
  - {name: 一等, share: 0.3}
  - {name: 二等, share: 0.5}
  - {name: 三等, share: 0.2}
triggers:
  consecutive_lagging: {bottom_share: 0.2, years: 2}
  marked_regression: {rank_drop: 3}
  problem_found: {deduction_points: 1}
uncertainty:
  - address: normalise
    alternatives:
      - {method: minmax, scale: [1, 100]}
      - {method: zscore, scale: [10, 2]}
  - {address: aggregate.method, alternatives: [arithmetic, geometric]}
  - {address: weights, noise: 0.25}
"""


def test_design_example_loads_and_round_trips():
    s = zl.Scheme.from_yaml(DESIGN_EXAMPLE)
    assert s.normalise_spec("eco_forest_cover") == {"method": "target", "scale": [0, 100],
                                                    "goalposts": {}, "cap": 1.2}
    assert s.weight_spec("economy") == {"method": "equal"}
    assert zl.Scheme.from_yaml(s.to_yaml()) == s
    assert zl.Scheme.from_yaml(s.to_yaml()).fingerprint() == s.fingerprint()


def test_replace_returns_new_and_validates():
    s = zl.Scheme.from_yaml(DESIGN_EXAMPLE)
    g = s.replace("aggregate.method", "geometric")
    assert g.aggregate["method"] == "geometric" and s.aggregate["method"] == "arithmetic"
    assert g.fingerprint() != s.fingerprint()
    assert s.replace("grades[0].share", 0.3) == s
    with pytest.raises(SchemeError, match="aggregate.method must be one of .*'geometric'"):
        s.replace("aggregate.method", "median")
    with pytest.raises(SchemeError, match="does not exist.*Valid keys there.*'min_coverage'"):
        s.replace("aggregate.nethod.x", 1)


def test_errors_list_every_problem_and_valid_choices():
    bad = {"name": "x", "normalise": {"method": "min-max"}, "aggregate": {"method": "median"},
           "grades": [{"name": "A", "share": 0.5}, {"name": "B", "share": 0.4}],
           "weights": {"index": {"method": "magic"}}, "triggers": {"lagging": {}}}
    with pytest.raises(SchemeError) as err:
        zl.Scheme.from_dict(bad)
    msg = str(err.value)
    assert "normalise.method must be one of {'minmax'" in msg
    assert "aggregate.method must be one of" in msg
    assert "add up to 1. Got 0.9" in msg
    assert "weights.index.method must be one of" in msg and "'entropy'" in msg
    assert "triggers key must be one of" in msg
    assert len(err.value.problems) == 5


def test_not_a_mapping_and_bad_yaml(tmp_path):
    with pytest.raises(SchemeError, match="YAML mapping"):
        zl.Scheme.from_yaml("- just\n- a list\n")
    with pytest.raises(SchemeError, match="not valid YAML"):
        zl.Scheme.from_yaml("name: [unclosed\nx: 1\n")
    with pytest.raises(FileNotFoundError, match="nope.yaml"):
        zl.Scheme.from_yaml(tmp_path / "nope.yaml")


def test_sections_are_copies():
    s = zl.Scheme.from_yaml(DESIGN_EXAMPLE)
    s.aggregate["method"] = "geometric"
    assert s.aggregate["method"] == "arithmetic"


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["minmax", "zscore", "rank", "goalposts"]),
       st.sampled_from(["arithmetic", "geometric", "harmonic", "copeland"]),
       st.floats(0, 1), st.integers(2000, 2030) | st.none(),
       st.lists(st.floats(0.05, 1), min_size=1, max_size=4),
       st.text(st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=12))
def test_yaml_round_trip_property(norm, agg, cov, ref, shares, name):
    total = sum(shares)
    grades = [{"name": f"等{i}", "share": s / total} for i, s in enumerate(shares)]
    grades[-1]["share"] = 1 - sum(g["share"] for g in grades[:-1])
    scale = [10, 2] if norm == "zscore" else [1, 100]
    s = zl.Scheme.from_dict({"name": name, "reference_year": ref,
                             "normalise": {"method": norm, "scale": scale},
                             "aggregate": {"method": agg, "min_coverage": cov},
                             "grades": grades})
    back = zl.Scheme.from_yaml(s.to_yaml())
    assert back == s and back.fingerprint() == s.fingerprint()


def test_override_does_not_inherit_a_zscore_scale():
    """A z-score scale is [mean, sd]; a target override under it must say its own [lo, hi]."""
    spec = {"name": "x", "normalise": {"method": "zscore", "scale": [10, 2],
                                       "overrides": {"ind_a": {"method": "target", "cap": 1.2}}}}
    with pytest.raises(SchemeError, match="overrides.ind_a uses method 'target' under a 'zscore'"):
        zl.Scheme.from_dict(spec)
    spec["normalise"]["overrides"]["ind_a"]["scale"] = [6, 14]
    assert zl.Scheme.from_dict(spec).normalise_spec("ind_a")["scale"] == [6, 14]


def test_trigger_parameters_are_checked():
    bad = {"name": "x", "triggers": {"consecutive_lagging": {"bottom_share": 20, "years": 0},
                                     "marked_regression": {"rank_drop": 1.5},
                                     "problem_found": {"deduction_points": "1"}}}
    with pytest.raises(SchemeError) as err:
        zl.Scheme.from_dict(bad)
    msg = str(err.value)
    assert "bottom_share must be a share in (0, 1)" in msg and "years must be an integer" in msg
    assert "rank_drop must be an integer >= 1. Got 1.5" in msg
    assert "deduction_points must be a number > 0. Got '1'" in msg


def test_zscore_without_scale_gets_mean_0_sd_1():
    s = zl.Scheme.from_dict({"name": "z", "normalise": {"method": "zscore"}})
    assert s.normalise["scale"] == [0, 1]
