"""The keys a scheme may have at every depth, and the YAML reader that refuses duplicate keys.

A scheme is a document a panel approves, so a misspelt key must not be read as "use the
default": :func:`unknown_keys` walks a scheme against :data:`SCHEMA` (the keys the package reads,
section by section; a weighting's keys come from its method in
:data:`~zhengji_lab.weighting.registry.REGISTRY`) and names every key it does not know, with
its path and the closest valid key. :func:`read_yaml` parses scheme text with
:class:`StrictLoader`, which refuses a key written twice in one mapping (YAML would silently
keep the second), and turns syntax errors into messages with the line.
:func:`weight_sum_notes` finds fixed weights that are rescaled because they miss 1 (or 100) by
a little: probably a weight mistyped or left out.

Examples
--------
>>> unknown_keys({"normalise": {"methd": "zscore"}})
["normalise.methd: unknown key; did you mean 'method'? Valid keys there: {'method', 'scale', \
'cap', 'goalposts', 'overrides'}."]
>>> read_yaml("a: 1\\nb: 2\\na: 3\\n")
Traceback (most recent call last):
...
zhengji_lab.errors.SchemeError: Scheme <text> is not valid:
- line 3: key 'a' appears twice (first at line 1); keep one: YAML would silently use the last.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

import yaml

from zhengji_lab.errors import SchemeError, choices
from zhengji_lab.weighting.registry import REGISTRY


@dataclass(frozen=True)
class Each:
    """A mapping whose keys are names (indicators, nodes …); every value follows ``sub``."""

    sub: Any = None


@dataclass(frozen=True)
class Items:
    """A list; every item follows ``sub``."""

    sub: Any = None


#: Marks a weighting (``weights.<node>``, a combination's parts): its keys depend on its method.
WEIGHTING = "weighting"

#: Each trigger's parameters: (kind, test, what the test says).
TRIGGER_RULES = {
    "consecutive_lagging": {
        "bottom_share": ("number", lambda v: 0 < v < 1, "a share in (0, 1), e.g. 0.2"),
        "years": ("integer", lambda v: v >= 1, "an integer >= 1")},
    "marked_regression": {"rank_drop": ("integer", lambda v: v >= 1, "an integer >= 1")},
    "problem_found": {"deduction_points": ("number", lambda v: v > 0, "a number > 0")},
}
#: ``uncertainty_flags`` and their defaults.
FLAG_KEYS = {"n": 1000, "seed": 0, "band": [0.05, 0.95]}
#: Keys of the data preparation sections with fixed keys.
SECTION_KEYS = {"impute": ("method", "by"), "screen": ("min_share",),
                "treat": ("method", "skew", "kurtosis", "max_points", "fallback")}
#: Keys of one normalisation (the section, an override, an uncertainty alternative).
NORMALISE_KEYS = ("method", "scale", "cap")
#: Keys of an ``uncertainty`` entry (``montecarlo.design`` reads them).
UNCERTAINTY_KEYS = ("address", "name", "alternatives", "noise", "dirichlet", "experts",
                    "exclude", "drop_one")

#: Every key the package reads from a scheme, section by section (``None``: a value whose
#: inside has no keys to check; values of the wrong type are the validation's business).
SCHEMA: dict[str, Any] = {
    "name": None,
    "description": None,
    "reference_year": None,
    "denominate": Each({"by": None, "when_missing": None}),
    **{section: dict.fromkeys(keys) for section, keys in SECTION_KEYS.items()},
    "exclude": None,
    "normalise": {**dict.fromkeys(NORMALISE_KEYS), "goalposts": None,
                  "overrides": Each(dict.fromkeys(NORMALISE_KEYS))},
    "weights": Each(WEIGHTING),
    "aggregate": dict.fromkeys(("method", "min_coverage", "p")),
    "peer_groups": None,
    "deductions": {"cap": None},
    "grades": Items({"name": None, "share": None}),
    "triggers": {name: dict.fromkeys(params) for name, params in TRIGGER_RULES.items()},
    "uncertainty": Items(dict.fromkeys(UNCERTAINTY_KEYS)),
    "uncertainty_flags": dict.fromkeys(FLAG_KEYS),
}


def did_you_mean(name, valid) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``valid`` (case aside), or ``""``.

    >>> did_you_mean("livelyhood", ["economy", "livelihood"]), did_you_mean("zz", ["a"])
    ("; did you mean 'livelihood'?", '')
    """
    valid = [str(v) for v in valid]
    lower = {v.lower(): v for v in valid}
    name = str(name).lower()
    close = difflib.get_close_matches(name, list(lower), n=1, cutoff=0.6)
    if not close and len(name) >= 4:  # a part of the name: lagging -> consecutive_lagging
        close = [v for v in lower if name in v or (len(v) >= 4 and v in name)][:1]
    return f"; did you mean {lower[close[0]]!r}?" if close else ""


def unknown_key(path: str, key, valid) -> str:
    """The message for one unknown key at ``path``: the closest valid key and all of them."""
    there = "Valid top-level keys" if "." not in path and "[" not in path else "Valid keys there"
    return f"{path}: unknown key{did_you_mean(key, valid) or '.'} {there}: {choices(valid)}."


def unknown_keys(spec) -> list[str]:
    """Every key of ``spec`` that :data:`SCHEMA` does not know, at any depth, one message each.

    Parameters
    ----------
    spec : dict
        A scheme as plain data.

    Returns
    -------
    list of str
        ``<path>: unknown key; did you mean '<key>'? Valid keys there: {...}.``
    """
    out: list[str] = []
    _walk(spec, SCHEMA, "", out)
    return out


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _walk(value, schema, path: str, out: list[str]) -> None:
    if schema is None:
        return
    if isinstance(schema, Each):
        if isinstance(value, dict):
            for key, sub in value.items():
                _walk(sub, schema.sub, _join(path, key), out)
    elif isinstance(schema, Items):
        if isinstance(value, list):
            for i, sub in enumerate(value):
                _walk(sub, schema.sub, f"{path}[{i}]", out)
    elif schema == WEIGHTING:
        _walk_weighting(value, path, out)
    elif isinstance(value, dict):
        for key, sub in value.items():
            if key in schema:
                _walk(sub, schema[key], _join(path, key), out)
            else:
                out.append(unknown_key(_join(path, key), key, list(schema)))


def _walk_weighting(spec, path: str, out: list[str]) -> None:
    """A weighting takes ``method`` and its method's keys (an unknown method is reported by
    the validation, with the valid methods)."""
    if not isinstance(spec, dict) or spec.get("method") not in REGISTRY:
        return
    entry = REGISTRY[spec["method"]]
    valid = ["method", *entry.keys]
    for key in spec:
        if key not in valid:
            out.append(unknown_key(_join(path, key), key, valid))
    if entry.inputs == "parts" and isinstance(spec.get("of"), list):
        for i, part in enumerate(spec["of"]):
            _walk_weighting(part, f"{path}.of[{i}]", out)


def got(value) -> str:
    """``Got <value> instead.``, saying so when a number was written in quotes.

    >>> got(3), got("0.3")
    ('Got 3 instead.', "Got '0.3' instead (a number in quotes: write 0.3 without them).")
    """
    hint = ""
    if isinstance(value, str):
        try:
            float(value)
            hint = f" (a number in quotes: write {value.strip()} without them)"
        except ValueError:
            pass
    return f"Got {value!r} instead{hint}."


def is_number(v) -> bool:
    """A finite int or float, not a bool."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


# -- YAML ---------------------------------------------------------------------------------------
class StrictLoader(yaml.SafeLoader):
    """A :class:`yaml.SafeLoader` that refuses a key written twice in one mapping.

    YAML keeps the last of two equal keys, so a second ``weights:`` block would silently replace
    the first. Duplicates are collected (all of them, with both lines) in ``duplicates``;
    :func:`read_yaml` raises them as one :class:`~zhengji_lab.errors.SchemeError`.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            first: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *base` then a key of the base: an override, not a duplicate
                key = self.construct_object(key_node, deep=True)
                try:
                    seen = key in first
                except TypeError:  # an unhashable key: SafeLoader says so below
                    continue
                line = key_node.start_mark.line + 1
                if seen:
                    self.duplicates.append(
                        f"line {line}: key {key!r} appears twice (first at line {first[key]}); "
                        "keep one: YAML would silently use the last.")
                else:
                    first[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml(text: str, origin: str = "<text>"):
    """Parse scheme text with :class:`StrictLoader`.

    Parameters
    ----------
    text : str
    origin : str
        How messages name the text (``schemes/baseline.yaml``).

    Returns
    -------
    object
        The parsed document (a dict for a scheme; the caller checks).

    Raises
    ------
    SchemeError
        Not valid YAML (with line and column, and what to do about tabs), or keys written twice
        (every one, with both lines); ``problems`` lists them.
    """
    loader = StrictLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        problem = yaml_problem(exc, text)
        raise SchemeError(f"Scheme {origin} is not valid YAML: {problem}",
                          problems=[problem]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        found = sorted(loader.duplicates, key=lambda d: int(d.split()[1].rstrip(":")))
        raise SchemeError(f"Scheme {origin} is not valid:\n- " + "\n- ".join(found),
                          problems=found)
    return data


def yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    """A YAML syntax error as ``line N, column C: not valid YAML (...)`` with the fix."""
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if context:
        what = f"{what}, {context}"
    if mark is None:
        return f"not valid YAML ({what})"
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    if "\t" in line[:max(mark.column, 0) + 1] or "'\\t'" in what:
        fix = "indent with spaces, not tabs (YAML refuses tabs)"
    else:
        fix = "check the indentation and the brackets and quotes on this line and the one above"
    return f"line {mark.line + 1}, column {mark.column + 1}: not valid YAML ({what}); {fix}."


# -- suspicious but valid -------------------------------------------------------------------------
#: Fixed weights whose sum is within this share of 1 (shares) or 100 (points) but not equal to
#: it are probably a weight mistyped or left out; other sums are a scale of their own
#: (COINr's relative weights 1, 1, 1; the Handbook's indicator weights under a dimension).
NEAR = 0.2


def weight_sum_notes(weights) -> list[str]:
    """Fixed weights that are rescaled because their sum misses 1 (or 100) by a little.

    Parameters
    ----------
    weights : dict
        The scheme's ``weights`` section.

    Returns
    -------
    list of str
        One message per weighting: the node, the sum, what rescaling does to the first weight
        and the fix.

    Examples
    --------
    >>> weight_sum_notes({"index": {"method": "fixed", "values": {"a": 0.5, "b": 0.45}}})
    ["weights.index.values sum to 0.95, not 1: they are rescaled to sum to 1, so 'a' weighs \
0.5263 instead of 0.5. Correct the weight that is off (or left out), or make them sum to 1."]
    >>> weight_sum_notes({"x": {"method": "fixed", "values": {"a": 1, "b": 1}}})
    []
    """
    out: list[str] = []
    if isinstance(weights, dict):
        for node, spec in weights.items():
            _weight_sum(spec, f"weights.{node}", out)
    return out


def _weight_sum(spec, where: str, out: list[str]) -> None:
    if not isinstance(spec, dict):
        return
    if spec.get("method") == "combine" and isinstance(spec.get("of"), list):
        for i, part in enumerate(spec["of"]):
            _weight_sum(part, f"{where}.of[{i}]", out)
    values = spec.get("values")
    if spec.get("method") != "fixed" or not isinstance(values, dict) or not values \
            or not all(is_number(v) for v in values.values()):
        return
    total = math.fsum(values.values())
    for scale in (1.0, 100.0):
        off = abs(total - scale)
        if 1e-9 * scale < off <= NEAR * scale:
            first, w = next(iter(values.items()))
            out.append(f"{where}.values sum to {total:.10g}, not {scale:g}: they are rescaled to "
                       f"sum to 1, so {first!r} weighs {w / total:.4g} instead of "
                       f"{w / scale:.4g}. Correct the weight that is off (or left out), or make "
                       f"them sum to {scale:g}.")
