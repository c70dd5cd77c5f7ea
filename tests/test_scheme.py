"""Scheme: validation with the valid choices listed, YAML round trip, replace, fingerprint; the
schema of keys, the strict YAML reader and the weight-sum notes (issue 10)."""
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
    assert ("triggers.lagging: unknown key; did you mean 'consecutive_lagging'? Valid keys "
            "there: {'consecutive_lagging', 'marked_regression', 'problem_found'}") in msg
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


# -- issue 10: the schema, the strict YAML reader, the file named ------------------------------
def test_unknown_keys_at_every_depth_are_named_with_the_key_meant():
    """Every section's keys are known, down to overrides, combination parts and uncertainty
    entries; each unknown one is a problem with its path and the closest valid key."""
    bad = {"name": "x", "normalise": {"overrides": {"a": {"method": "target", "cpa": 1.2}}},
           "weights": {"index": {"method": "combine", "how": "linear", "of": [
               {"method": "equal"}, {"method": "entropy", "normalize": True}]}},
           "treat": {"method": "winsorise", "skw": 2}, "screen": {"min_shar": 0.5},
           "denominate": {"a": {"by": "gdp", "when_mising": "missing"}},
           "uncertainty": [{"adress": "aggregate.method", "alternatives": ["geometric"]}],
           "deductions": {"caps": 5}, "uncertainty_flags": {"n": 10, "sed": 1}}
    with pytest.raises(SchemeError) as err:
        zl.Scheme.from_dict(bad)
    paths = [p.split(":")[0] for p in err.value.problems if "unknown key" in p]
    assert paths == ["denominate.a.when_mising", "screen.min_shar", "treat.skw",
                     "normalise.overrides.a.cpa", "weights.index.of[1].normalize",
                     "deductions.caps", "uncertainty[0].adress", "uncertainty_flags.sed"]
    msg = str(err.value)
    for typo, meant in [("when_mising", "when_missing"), ("min_shar", "min_share"),
                        ("skw", "skew"), ("cpa", "cap"), ("normalize", "normalise"),
                        ("caps", "cap"), ("adress", "address"), ("sed", "seed")]:
        assert f"{typo}: unknown key; did you mean {meant!r}?" in msg, typo


def test_every_key_the_package_reads_is_in_the_schema():
    """The design document's example and every method's keys pass: no false alarm."""
    from zhengji_lab.scheme_schema import unknown_keys
    from zhengji_lab.weighting.registry import REGISTRY

    assert unknown_keys(zl.Scheme.from_yaml(DESIGN_EXAMPLE).spec) == []
    for name, entry in REGISTRY.items():
        assert unknown_keys({"weights": {"n": {"method": name, **dict.fromkeys(entry.keys)}}}) \
            == [], name


def test_the_file_is_named_in_every_line_and_kept_by_replace(tmp_path):
    path = tmp_path / "schemes" / "strict.yaml"
    path.parent.mkdir()
    path.write_text("name: strict\naggregate: {method: median, min_coverge: 1}\n",
                    encoding="utf-8")
    with pytest.raises(SchemeError) as err:
        zl.Scheme.from_yaml(path)
    lines = str(err.value).splitlines()
    assert lines[0] == f"Scheme 'strict' ({path}) has 2 problems:"
    assert all(line.startswith(f"- {path}: aggregate.") for line in lines[1:])
    s = zl.Scheme.from_yaml("name: s\n", origin="schemes/s.yaml")
    assert s.origin == "schemes/s.yaml" and s.replace("name", "t").origin == "schemes/s.yaml"
    assert s == zl.Scheme.from_dict({"name": "s"})  # where it came from is not what it says
    with pytest.raises(SchemeError, match=r"^Scheme 's' \(schemes/s\.yaml\) has 1 problem"):
        s.replace("aggregate.method", "median")


def test_duplicate_keys_are_refused_with_both_lines():
    from zhengji_lab.scheme_schema import read_yaml

    text = "name: a\nweights:\n  index: {method: equal}\nname: b\nweights: {}\n"
    with pytest.raises(SchemeError) as err:
        read_yaml(text, "schemes/a.yaml")
    assert err.value.problems == [
        ("line 4: key 'name' appears twice (first at line 1); keep one: YAML would silently use "
        "the last."),
        ("line 5: key 'weights' appears twice (first at line 2); keep one: YAML would silently "
        "use the last.")]
    # a merge key's keys may be overridden: that is what it is for
    assert read_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n")["other"] == \
        {"x": 3, "y": 2}


def test_address_typo_in_replace_names_the_key_meant():
    s = zl.Scheme.from_yaml(DESIGN_EXAMPLE)
    with pytest.raises(SchemeError, match=r"aggregate has no 'methd'; did you mean 'method'\?"):
        s.get("aggregate.methd")


@pytest.mark.parametrize("values, noted", [
    ({"a": 0.5, "b": 0.45}, "sum to 0.95, not 1"),
    ({"a": 0.6, "b": 0.5}, "sum to 1.1, not 1"),
    ({"a": 60, "b": 45}, "sum to 105, not 100"),
    ({"a": 0.5, "b": 0.5}, None),
    ({"a": 1, "b": 1, "c": 1}, None),          # COINr's relative weights
    ({"a": 0.11, "b": 0.11}, None),            # the Handbook's weights under a dimension
    ({"a": 30, "b": 70}, None),
    ({"a": 0.7, "b": 0.7}, None),              # 1.4: another scale, not a slip
])
def test_weight_sums_near_1_or_100_are_noted(values, noted):
    from zhengji_lab.scheme_schema import weight_sum_notes

    said = weight_sum_notes({"index": {"method": "fixed", "values": values},
                             "x": {"method": "combine", "of": [
                                 {"method": "fixed", "values": values}, {"method": "equal"}]}})
    want = [] if noted is None else [f"weights.index.values {noted}",
                                      f"weights.x.of[0].values {noted}"]
    assert [n.split(":")[0] for n in said] == want


def test_to_yaml_writes_safely_and_never_replaces_without_overwrite(tmp_path, baseline):
    """Issue 10 (safe writes): a scheme written to a file round-trips, and an existing file is
    replaced only when asked."""
    path = tmp_path / "copy.yaml"
    baseline.to_yaml(path)
    assert zl.Scheme.from_yaml(path) == baseline
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="already exists"):
        baseline.replace("description", "changed").to_yaml(path)
    assert path.read_bytes() == before
    baseline.replace("description", "changed").to_yaml(path, overwrite=True)
    assert zl.Scheme.from_yaml(path).get("description") == "changed"
