"""Scheme files as a county office gets them wrong (issue 10, "Nothing silent, nothing lost").

One test per mistake class of :data:`MISTAKES` (``test_<id>``), each asserting the exact outcome:
an error naming the scheme file, the key path and the fix (the valid names, the closest one),
a located :class:`~zhengji_lab.errors.SchemeWarning`, or the correct result. Mistakes are made
in the sample city's ``baseline.yaml``; "at load" means checking the workspace's scheme files as
:func:`zhengji_lab.load_workspace` does (:func:`zhengji_lab.scheme_checks.check_scheme_files`),
"at build" :func:`zhengji_lab.build` with the scheme's name.
"""
from __future__ import annotations

import dataclasses
import re
import shutil
import warnings

import pandas as pd
import pytest
from conftest import DATA

import zhengji_lab as zl
from zhengji_lab.errors import (
    BuildError,
    InconsistentJudgementWarning,
    SchemeError,
    SchemeWarning,
)
from zhengji_lab.scheme_checks import check_scheme_files
from zhengji_lab.workspace.problems import Where

#: Mistake classes (id → what the office did); ``test_<id>`` checks each.
MISTAKES = {
    "top_level_key_typo": "a misspelt section (normalize:) would be ignored",
    "nested_key_typo": "a misspelt key inside a section (normalise: {methd: zscore})",
    "aggregate_key_typo": "aggregate: {min_coverge: 0.5} would keep the default coverage",
    "weighting_key_typo": "a misspelt key of a weighting ({method: fixed, value: {...}})",
    "trigger_name_typo": "a talk trigger under a wrong name (lagging:)",
    "grade_key_typo": "a grade with a misspelt key ({name: 一等, shar: 0.3})",
    "uncertainty_entry_key_typo": "an uncertainty entry with a misspelt key (noies: 0.25)",
    "weights_node_typo": "weights for a misspelt node (livelyhood:) would fall back to equal",
    "weights_on_an_indicator": "weights given at an indicator, which has no children",
    "fixed_values_child_typo": "fixed values naming a child that does not exist",
    "override_indicator_typo": "a normalisation override for a misspelt indicator",
    "goalposts_indicator_typo": "goalposts for a misspelt indicator",
    "exclude_typo": "an indicator left out under a misspelt code",
    "denominate_typo": "a denominated indicator, or its denominator, misspelt",
    "duplicate_top_level_key": "a second weights: block would silently replace the first",
    "duplicate_nested_key": "a node weighted twice in one weights: block",
    "weights_not_summing": "fixed weights summing to 0.95 would be rescaled silently",
    "points_not_summing": "fixed points summing to 95 (out of 100) would be rescaled silently",
    "negative_weight": "a negative fixed weight",
    "number_in_quotes": "numbers written in quotes (\"0.3\")",
    "uncertainty_address_typo": "an uncertainty address that passed validate, failing the MC",
    "uncertainty_node_typo": "uncertainty on the weights of a misspelt node",
    "judgements_group_missing": "AHP weights reading a judgements group that does not exist",
    "experts_unknown": "a panel subset naming an expert who is not on the panel",
    "peer_groups_column_missing": "peer groups from a column units.csv lacks",
    "impute_by_column_missing": "imputation by a column units.csv lacks",
    "yaml_syntax_error": "an unclosed bracket",
    "tab_indentation": "a line indented with a tab",
    "name_differs_from_file": "name: differs from the file name",
    "empty_file": "an empty scheme file",
    "list_not_mapping": "a scheme written as a list",
    "one_broken_among_many": "one broken scheme file must not stop the workspace's others",
}

FILE = "schemes/baseline.yaml"
BASE = (DATA / "sample_city" / "schemes" / "baseline.yaml").read_text(encoding="utf-8")
YEAR = 2025


def edit(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, start: str, after: int = 0) -> int:
    """1-based line of the first line (after line ``after``) starting with ``start``."""
    lines = text.splitlines()
    return next(i for i in range(after, len(lines)) if lines[i].startswith(start)) + 1


@pytest.fixture(scope="module")
def ws(sample_ws):
    return sample_ws


def variant(ws, text: str, name: str = "baseline"):
    """The sample city with ``schemes/<name>.yaml`` holding ``text``."""
    return dataclasses.replace(ws, schemes={**ws.schemes, name: text})


def at_load(ws, text: str, name: str = "baseline") -> list[str]:
    """The problems of the scheme file as loading the workspace finds them."""
    found = check_scheme_files(variant(ws, text, name), Where().scheme)
    assert set(found.broken) <= {name}
    return found.problems.loc[found.problems["file"] == f"schemes/{name}.yaml", "problem"].tolist()


def notes_at_load(ws, text: str, name: str = "baseline") -> list[str]:
    found = check_scheme_files(variant(ws, text, name), Where().scheme)
    return found.notes.loc[found.notes["file"] == f"schemes/{name}.yaml", "problem"].tolist()


def scheme_error(text: str) -> SchemeError:
    with pytest.raises(SchemeError) as err:
        zl.Scheme.from_yaml(text, origin=FILE)
    return err.value


def build_error(ws, text: str, exc=BuildError):
    with pytest.raises(exc) as err:
        zl.build(variant(ws, text), "baseline", YEAR)
    return err.value


# -- unknown keys at any depth ------------------------------------------------------------------
def test_top_level_key_typo(ws):
    """A misspelt section is an error naming the file, the key and the section meant."""
    err = scheme_error(edit("normalise:\n", "normalize:\n"))
    line = f"- {FILE}: normalize: unknown key; did you mean 'normalise'? Valid top-level keys: "
    assert line in str(err)
    assert err.problems[0].startswith("normalize: unknown key; did you mean 'normalise'?")
    assert at_load(ws, edit("normalise:\n", "normalize:\n"))[0].startswith(
        "normalize: unknown key; did you mean 'normalise'?")


def test_nested_key_typo():
    """``normalise.methd`` is not read as the default method: it is an error with the fix."""
    err = scheme_error(edit("  method: minmax\n", "  methd: zscore\n"))
    assert err.problems == [("normalise.methd: unknown key; did you mean 'method'? Valid keys "
                            "there: {'method', 'scale', 'cap', 'goalposts', 'overrides'}.")]
    assert f"{FILE}: normalise.methd: unknown key; did you mean 'method'?" in str(err)


def test_aggregate_key_typo():
    """``aggregate.min_coverge`` does not silently keep min_coverage at its default."""
    err = scheme_error(edit("min_coverage: 0.66}", "min_coverge: 0.5}"))
    assert err.problems == [("aggregate.min_coverge: unknown key; did you mean 'min_coverage'? "
                            "Valid keys there: {'method', 'min_coverage', 'p'}.")]


def test_weighting_key_typo():
    """A weighting's keys come from its method: ``value`` for ``values`` is named."""
    err = scheme_error(edit("{method: fixed, values:", "{method: fixed, value:"))
    assert err.problems == [
        ("weights.index.value: unknown key; did you mean 'values'? Valid keys there: "
        "{'method', 'values'}."),
        "weights.index uses method 'fixed' and needs 'values': {child: weight, ...}."]


def test_trigger_name_typo():
    """A trigger under a wrong name would never fire; the error names the trigger meant."""
    err = scheme_error(edit("  consecutive_lagging:", "  lagging:"))
    assert err.problems == [("triggers.lagging: unknown key; did you mean 'consecutive_lagging'? "
                            "Valid keys there: {'consecutive_lagging', 'marked_regression', "
                            "'problem_found'}.")]


def test_grade_key_typo():
    """A grade with ``shar`` is named, and the missing ``share`` too."""
    err = scheme_error(edit("{name: 一等, share: 0.3}", "{name: 一等, shar: 0.3}"))
    assert err.problems[0] == ("grades[0].shar: unknown key; did you mean 'share'? Valid keys "
                               "there: {'name', 'share'}.")
    assert err.problems[1].startswith("grades[0] must be {name: ..., share: ...}.")


def test_uncertainty_entry_key_typo():
    """``noies`` in an uncertainty entry is named with the key meant, before any Monte Carlo."""
    err = scheme_error(edit("{address: weights, noise: 0.25}", "{address: weights, noies: 0.25}"))
    assert err.problems == [
        ("uncertainty[2].noies: unknown key; did you mean 'noise'? Valid keys there: {'address', "
        "'name', 'alternatives', 'noise', 'dirichlet', 'experts', 'exclude', 'drop_one'}.")]


# -- names the workspace lacks -------------------------------------------------------------------
NODES = "{'economy', 'ecology', 'livelihood', 'safety', 'party', 'index'}"


def test_weights_node_typo(ws):
    """Weights for ``livelyhood`` do not fall back to equal weights: load and build name it."""
    text = edit("  livelihood: {method: ahp", "  livelyhood: {method: ahp")
    problem = (f"weights.livelyhood: no node 'livelyhood' with children in framework.csv; did "
               f"you mean 'livelihood'? Nodes with children: {NODES} (or '*', the default).")
    assert at_load(ws, text) == [problem.rstrip(".")]
    err = build_error(ws, text)
    assert str(err) == (f"Scheme 'baseline' ({FILE}) does not fit the workspace (1 problem); fix "
                        f"them and build again:\n- {FILE}: {problem}")


def test_weights_on_an_indicator(ws):
    """Weights at an indicator (a leaf) are refused with the node where they belong."""
    text = edit('  "*": {method: equal}', '  env_pm25: {method: equal}\n  "*": {method: equal}')
    msg = str(build_error(ws, text))
    assert (f"- {FILE}: weights.env_pm25: 'env_pm25' is an indicator, it has no children to "
            f"weight; its weight is given at its parent: weights.ecology.") in msg


def test_fixed_values_child_typo(ws):
    """Fixed values must name exactly the node's children; the misspelt one is named."""
    text = edit("{economy: 0.3,", "{economi: 0.3,")
    msg = str(build_error(ws, text))
    assert (f"- {FILE}: weights.index.values must name exactly the children of 'index' "
            "(['economy', 'ecology', 'livelihood', 'safety', 'party']); unknown ['economi'], "
            "lacking ['economy']. For 'economi'; did you mean 'economy'?") in msg
    assert len(at_load(ws, text)) == 1


def test_override_indicator_typo(ws):
    """An override for a misspelt indicator is not silently unused."""
    text = edit("    ind_featured_industry: {method: target, cap: 1.2}\n    ind_eco",
                "    ind_featured_industri: {method: target, cap: 1.2}\n    ind_eco")
    assert at_load(ws, text)[0].startswith(
        "normalise.overrides.ind_featured_industri: 'ind_featured_industri' is not an indicator "
        "of framework.csv; did you mean 'ind_featured_industry'? Indicators: {")
    assert f"{FILE}: normalise.overrides.ind_featured_industri:" in str(build_error(ws, text))


def test_goalposts_indicator_typo(ws):
    """Goalposts for an unknown code: the closest indicator; for a dimension: its indicators."""
    text = edit("  goalposts: {}\n", "  goalposts: {env_pm2.5: [0, 80], safety: [0, 1]}\n")
    problems = at_load(ws, text)
    assert problems[0].startswith("normalise.goalposts.env_pm2.5: 'env_pm2.5' is not an "
                                  "indicator of framework.csv; did you mean 'env_pm25'?")
    assert problems[1].startswith("normalise.goalposts.safety: 'safety' is a dimension (it has "
                                  "children in framework.csv); only indicators are normalised")


def test_exclude_typo(ws):
    """An indicator left out under a wrong code is named (with the index in the list)."""
    text = edit("impute: {method: none}\n", "impute: {method: none}\nexclude: [saf_petition]\n")
    msg = str(build_error(ws, text))
    assert (f"- {FILE}: exclude[0]: 'saf_petition' is not an indicator of framework.csv; did you"
            " mean 'saf_petitions'?") in msg


def test_denominate_typo(ws):
    """A denominated indicator and a denominator under wrong names: both named at load."""
    text = edit("impute: {method: none}\n", "impute: {method: none}\ndenominate: "
                "{eco_gdp_growt: population, eco_gdp_growth: populaton}\n")
    problems = at_load(ws, text)
    assert problems[0].startswith("denominate.eco_gdp_growt: 'eco_gdp_growt' is not an "
                                  "indicator of framework.csv; did you mean 'eco_gdp_growth'?")
    assert problems[1].startswith("denominate.eco_gdp_growth: No covariate ['populaton']")


def test_peer_groups_column_missing(ws):
    """Peer groups from a column units.csv lacks: named at load, with the column meant."""
    text = edit("peer_groups: peer_group ", "peer_groups: peergroup ")
    problem = at_load(ws, text)[0]
    assert problem.startswith("peer_groups names column 'peergroup', which units.csv lacks; did "
                              "you mean 'peer_group'? Columns there: ['unit_id',")
    # with another mistake in the file, both are listed at once
    both = at_load(ws, edit("  method: minmax\n", "  methd: minmax\n", text))
    assert [p.split(":")[0] for p in both] == ["normalise.methd", problem.split(":")[0]]


def test_impute_by_column_missing(ws):
    """Imputation by a column units.csv lacks fails at build before any step runs."""
    text = edit("impute: {method: none}", "impute: {method: peer_mean, by: knd}")
    assert (f"- {FILE}: impute.by names column 'knd', which units.csv lacks; did you mean "
            "'kind'?") in str(build_error(ws, text))


def test_judgements_group_missing(ws):
    """AHP weights reading judgements that are not there: the groups there are, the closest."""
    text = edit("judgements: judgements/livelihood}", "judgements: judgements/livelyhood}")
    assert at_load(ws, text) == [
        ("weights.livelihood reads judgements 'judgements/livelyhood', which the workspace does "
        "not have; did you mean 'livelihood'? Judgement groups (folders under judgements/): "
        "['index', 'index_points', 'livelihood', 'livelihood_points']")]


def test_experts_unknown(ws):
    """A subset of the panel naming an expert who is not on it."""
    text = edit("judgements: judgements/livelihood}",
                "judgements: judgements/livelihood, experts: [expert_1, expert_99]}")
    problem = at_load(ws, text)[0]
    assert problem.startswith("weights.livelihood.experts must name experts of "
                              "'judgements/livelihood': ['expert_1',")
    assert problem.endswith("Got ['expert_1', 'expert_99'] instead")


def test_uncertainty_address_typo(ws):
    """A typo in an uncertainty address fails validate and build, not only the Monte Carlo."""
    text = edit("{address: aggregate.method,", "{address: aggregate.methd,")
    problem = ("uncertainty[1] (address 'aggregate.methd'): the address does not exist. Address "
               "'aggregate.methd' does not exist: aggregate has no 'methd'; did you mean "
               "'method'? Valid keys there: {'method', 'min_coverage'}.")
    assert at_load(ws, text) == [problem.rstrip(".")]
    err = build_error(ws, text, SchemeError)
    assert f"- {FILE}: {problem}" in str(err) and err.problems == [problem]


def test_uncertainty_node_typo(ws):
    """Noise on the weights of a misspelt node: the nodes there are, and the closest."""
    text = edit("{address: weights, noise: 0.25}", "{address: weights.livelyhood, noise: 0.25}")
    assert at_load(ws, text) == [
        ("uncertainty[2] (address 'weights.livelyhood'): 'weights.<node>' must name a node with "
        f"children; valid nodes: {NODES}. Got 'livelyhood' instead; did you mean 'livelihood'?")]


# -- YAML ---------------------------------------------------------------------------------------
def test_duplicate_top_level_key(ws):
    """A second ``weights:`` block would replace the first: both lines are named."""
    text = BASE + 'weights:\n  "*": {method: equal}\n'
    first, second = line_of(text, "weights:"), len(text.splitlines()) - 1
    err = scheme_error(text)
    assert err.problems == [(f"line {second}: key 'weights' appears twice (first at line "
                            f"{first}); keep one: YAML would silently use the last.")]
    assert f"- line {second}: key 'weights' appears twice" in str(err) and FILE in str(err)
    found = check_scheme_files(variant(ws, text), Where().scheme)
    assert found.problems["row"].tolist() == [second]


def test_duplicate_nested_key():
    """A node weighted twice inside one block, and a child twice in one set of values."""
    text = edit('  "*": {method: equal}', '  livelihood: {method: equal}\n  "*": {method: equal}')
    text = edit("safety: 0.1, party: 0.1}", "safety: 0.1, party: 0.1, safety: 0.2}", text)
    first = line_of(text, "  livelihood:")
    second = line_of(text, "  livelihood:", after=first)
    values = line_of(text, "  index:")
    assert scheme_error(text).problems == [
        (f"line {values}: key 'safety' appears twice (first at line {values}); keep one: YAML "
        "would silently use the last."),
        (f"line {second}: key 'livelihood' appears twice (first at line {first}); keep one: YAML "
        "would silently use the last.")]


def test_yaml_syntax_error(ws):
    """An unclosed bracket: the line and column, and where to look."""
    text = edit("aggregate: {method: arithmetic, min_coverage: 0.66}",
                "aggregate: {method: arithmetic, min_coverage: 0.66")
    err = scheme_error(text)
    assert re.fullmatch(r"line \d+, column \d+: not valid YAML \(.*\); check the indentation "
                        r"and the brackets and quotes on this line and the one above\.",
                        err.problems[0]), err.problems
    assert str(err).startswith(f"Scheme {FILE} is not valid YAML: line ")
    assert at_load(ws, text)[0].startswith("line ")


def test_tab_indentation():
    """A tab instead of spaces: the line, and the fix (YAML refuses tabs)."""
    text = edit("  method: minmax\n", "\tmethod: minmax\n")
    line = line_of(text, "\tmethod")
    problem = scheme_error(text).problems[0]
    assert problem.startswith(f"line {line}, column 1: not valid YAML (")
    assert problem.endswith("; indent with spaces, not tabs (YAML refuses tabs).")


def test_empty_file(ws):
    """An empty file is not the default scheme: it is an error."""
    assert str(scheme_error("")) == (f"Scheme {FILE} is empty; a scheme needs at least `name: "
                                     "<name>` (DESIGN.md shows every section).")
    assert at_load(ws, "\n")[0].startswith(f"Scheme {FILE} is empty")


def test_list_not_mapping():
    """A scheme written as a list of sections."""
    err = scheme_error("- name: baseline\n- weights: {}\n")
    assert str(err) == (f"Scheme {FILE} must be a YAML mapping (name:, normalise:, weights: ...)"
                        ", not a list. Got list instead.")


# -- values ---------------------------------------------------------------------------------------
def test_negative_weight():
    """A negative fixed weight is refused (it would turn a score into a penalty)."""
    assert scheme_error(edit("safety: 0.1,", "safety: -0.1,")).problems == [
        "weights.index.values.safety must be a number >= 0. Got -0.1 instead."]


def test_number_in_quotes():
    """Numbers in quotes are named with the fix (write them without quotes)."""
    text = edit("{economy: 0.3,", '{economy: "0.3",')
    text = edit("min_coverage: 0.66}", 'min_coverage: "0.66"}', text)
    assert scheme_error(text).problems == [
        ("weights.index.values.economy must be a number >= 0. Got '0.3' instead (a number in "
        "quotes: write 0.3 without them)."),
        ("aggregate.min_coverage must be a number in [0, 1]. Got '0.66' instead (a number in "
        "quotes: write 0.66 without them).")]


def _weights_table(a) -> pd.Series:
    w = a.weights[a.weights["parent"] == "index"]
    return w.set_index("node")["weight"]


def test_weights_not_summing(ws):
    """Weights summing to 0.95 are rescaled as before, with a located warning kept in the log."""
    text = edit("{economy: 0.3,", "{economy: 0.25,")
    note = ("weights.index.values sum to 0.95, not 1: they are rescaled to sum to 1, so "
            "'economy' weighs 0.2632 instead of 0.25. Correct the weight that is off (or left "
            "out), or make them sum to 1.")
    with pytest.warns(SchemeWarning) as caught:
        a = zl.build(variant(ws, text), "baseline", YEAR)
    assert [str(w.message) for w in caught if w.category is SchemeWarning] == [f"{FILE}: {note}"]
    record = next(r for r in a.log if r.step == "scheme")
    assert record.resolved.warnings == (f"{FILE}: {note}",)
    assert a.log_frame()["step"].iloc[0] == "scheme"
    w = _weights_table(a)
    assert abs(w["economy"] - 0.25 / 0.95) < 1e-12 and abs(w.sum() - 1) < 1e-12
    assert notes_at_load(ws, text) == [note.rstrip(".")]


def test_points_not_summing(ws):
    """Points out of 100 summing to 95 are warned as such; COINr-style relative weights and
    the Handbook's per-indicator weights (sums far from 1 and 100) are not."""
    text = edit("{economy: 0.3, ecology: 0.25, livelihood: 0.25, safety: 0.1, party: 0.1}",
                "{economy: 25, ecology: 25, livelihood: 25, safety: 10, party: 10}")
    assert notes_at_load(ws, text) == [
        ("weights.index.values sum to 95, not 100: they are rescaled to sum to 1, so 'economy' "
        "weighs 0.2632 instead of 0.25. Correct the weight that is off (or left out), or make "
        "them sum to 100")]
    for values in ("{economy: 1, ecology: 1, livelihood: 1, safety: 1, party: 1}",
                   "{economy: 30, ecology: 25, livelihood: 25, safety: 10, party: 10}"):
        text = edit("{economy: 0.3, ecology: 0.25, livelihood: 0.25, safety: 0.1, party: 0.1}",
                    values)
        assert notes_at_load(ws, text) == []


# -- files ----------------------------------------------------------------------------------------
def test_name_differs_from_file(ws):
    """``name: baseline`` in ``strict.yaml``: a warning (reports would use the other name)."""
    assert notes_at_load(ws, BASE, "strict") == [
        ("name: 'baseline' differs from the file name 'strict': build(ws, 'strict') finds it by "
        "the file name, reports and results call it 'baseline'. Rename one of them so that they "
        "agree")]
    assert notes_at_load(ws, edit("name: baseline\n", "")) == [
        "name: the scheme has no name, so reports will call it 'unnamed'; add `name: baseline`"]


def test_one_broken_among_many(tmp_path, capsys):
    """One broken scheme file: the workspace loads, the others build, the broken one fails
    with its errors; ``zhengji validate`` lists its problems, says the others are fine and
    exits 1; ``validate_workspace`` has its rows."""
    folder = tmp_path / "city"
    shutil.copytree(DATA / "sample_city", folder)
    (folder / "schemes" / "broken.yaml").write_text(
        edit("name: baseline", "name: broken", edit("  method: minmax\n", "  methd: zscore\n")),
        encoding="utf-8")
    with pytest.warns(SchemeWarning) as caught:
        ws = zl.load_workspace(folder)
    said = [w.message for w in caught if w.category is SchemeWarning]
    assert len(said) == 1 and str(said[0]).startswith(
        "schemes/broken.yaml has 1 problem and cannot be used until they are fixed (the other "
        "schemes, baseline, entropy, equal, expert_ahp, expert_points, are not affected):\n"
        "- schemes/broken.yaml: normalise.methd: unknown key; did you mean 'method'?")
    assert said[0].problems["file"].tolist() == ["schemes/broken.yaml"]
    assert "broken" in ws.schemes
    with pytest.raises(SchemeError, match=r"schemes/broken\.yaml: normalise\.methd: unknown"):
        zl.build(ws, "broken", YEAR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentJudgementWarning)
        assert zl.build(ws, "equal", YEAR).index.notna().any()
    problems = zl.validate_workspace(folder)
    assert problems["file"].tolist() == ["schemes/broken.yaml"]
    assert zl.cli.main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "schemes/broken.yaml: normalise.methd: unknown key; did you mean 'method'?" in out
    assert "The other schemes are fine: baseline, entropy, equal, expert_ahp, expert_points." \
        in out


# -- the valid data stay silent -----------------------------------------------------------------
@pytest.mark.parametrize("path, year", [
    (DATA / "sample_city", 2025),
    (DATA / "reference" / "asem_coinr", 2018),
    (DATA / "reference" / "oecd_tai_2008", 2000),
])
def test_valid_workspaces_load_and_build_without_warnings(path, year):
    """The sample city and the reference workspaces load and build every scheme with no
    warning at all (the sample city's panel has inconsistent experts on purpose: that warning
    is the AHP's, not the scheme's)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", InconsistentJudgementWarning)
        ws = zl.load_workspace(path)
        for name in ws.schemes:
            zl.build(ws, name, year)


def test_every_class_has_a_test():
    """Each id of :data:`MISTAKES` has its ``test_<id>`` (the lead counts them)."""
    missing = [m for m in MISTAKES if f"test_{m}" not in globals()]
    assert not missing and len(MISTAKES) >= 15
