"""The assessment scheme (考核方案): how indicators are treated, normalised, weighted and aggregated.

A :class:`Scheme` is the document an expert panel reviews and approves. It is read from and written
to YAML in the shape given in ``DESIGN.md``, validated when it is made (so a bad file fails on load,
with every problem at once, each with its key path and the file, and the valid choices): a key
written twice is refused (:func:`~zhengji_lab.scheme_schema.read_yaml`), a key the package does not
read, at any depth, is named with the key meant (:data:`~zhengji_lab.scheme_schema.SCHEMA`), and
values are checked (a number in quotes says so). What the scheme names in a workspace is checked by
:mod:`zhengji_lab.scheme_checks`. A scheme is filled with defaults so that two schemes that mean the
same thing are equal and share a :meth:`Scheme.fingerprint`, and never changed in place:
:meth:`Scheme.replace` returns a new scheme with one value at a dotted address changed, which is
what the Monte Carlo analyses vary (COINr's ``SA_specs`` addresses, Becker et al. 2022).

Examples
--------
>>> s = Scheme.from_dict({"name": "demo"})
>>> s.normalise["method"], s.aggregate["method"]
('minmax', 'arithmetic')
>>> s2 = s.replace("aggregate.method", "geometric")
>>> s2.aggregate["method"], s.aggregate["method"]
('geometric', 'arithmetic')
>>> Scheme.from_yaml(s2.to_yaml()) == s2
True
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from zhengji_lab import safeio
from zhengji_lab.errors import SchemeError, choices
from zhengji_lab.prep import WHEN_MISSING
from zhengji_lab.scheme_schema import (
    FLAG_KEYS,
    TRIGGER_RULES,
    did_you_mean,
    got,
    is_number,
    read_yaml,
    unknown_keys,
)
from zhengji_lab.weighting.registry import check_spec

NORMALISE_METHODS = ("minmax", "zscore", "rank", "percentile", "goalposts", "target")
AGGREGATE_METHODS = ("arithmetic", "geometric", "harmonic", "power_mean", "copeland", "kemeny")
TREAT_METHODS = ("none", "winsorise")
TREAT_FALLBACKS = ("none", "log")
IMPUTE_METHODS = ("none", "peer_mean", "peer_median", "previous_year")
TRIGGERS = ("consecutive_lagging", "marked_regression", "problem_found")

#: Defaults filled into every scheme (DESIGN.md, "The scheme file").
DEFAULTS: dict[str, Any] = {
    "name": "unnamed",
    "description": "",
    "reference_year": None,
    "denominate": {},              # {indicator: units.csv column or covariate name}
    "impute": {"method": "none", "by": None},   # by: units column (default: the peer groups)
    "screen": {"min_share": 0},    # 0 = off; else units below this share of data are left out
    "treat": {"method": "none"},
    "normalise": {"method": "minmax", "scale": [0, 100], "goalposts": {}, "overrides": {}},
    "weights": {"*": {"method": "equal"}},
    "aggregate": {"method": "arithmetic", "min_coverage": 0.66},
    "peer_groups": "peer_group",
    "deductions": {"cap": 10},
    "grades": [],
    "triggers": {},
    "uncertainty": [],
    "exclude": [],                 # indicator codes left out (weight 0 for every unit)
    "uncertainty_flags": None,     # {n, seed, band}: flag grades/triggers that depend on choices
}
_TREAT_DEFAULTS = {"winsorise": {"skew": 2.0, "kurtosis": 3.5, "max_points": 5,
                                  "fallback": "none"}}


def _must_be(problems: list[str], where: str, value, valid) -> None:
    if value not in valid:
        problems.append(f"{where} must be one of {choices(valid)}. {got(value)}")


def filled(spec: dict) -> dict:
    """``spec`` with the defaults filled in, not validated (what a :class:`Scheme` holds)."""
    return _merge_defaults(spec)


def _merge_defaults(spec: dict) -> dict:
    out = copy.deepcopy(DEFAULTS)
    for key, value in spec.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "weights":
            out[key] = {**out[key], **copy.deepcopy(value)}
        else:
            out[key] = copy.deepcopy(value)
    given = spec.get("normalise")
    if isinstance(given, dict) and given.get("method") == "zscore" and "scale" not in given:
        out["normalise"]["scale"] = [0, 1]  # a z-score scale is [mean, sd], not [lo, hi]
    treat = out["treat"]
    if isinstance(treat, dict) and treat.get("method") in _TREAT_DEFAULTS:
        out["treat"] = {"method": treat["method"], **_TREAT_DEFAULTS[treat["method"]],
                        **{k: v for k, v in treat.items() if k != "method"}}
    if isinstance(out["weights"], dict) and "*" not in out["weights"]:
        out["weights"]["*"] = {"method": "equal"}
    if isinstance(out["uncertainty_flags"], dict):
        out["uncertainty_flags"] = {**FLAG_KEYS, **out["uncertainty_flags"]}
    return out


def _validate_normalise(problems: list[str], where: str, spec) -> None:
    if not isinstance(spec, dict):
        problems.append(f"{where} must be a mapping with a 'method'. {got(spec)}")
        return
    _must_be(problems, f"{where}.method", spec.get("method"), NORMALISE_METHODS)
    scale = spec.get("scale")
    if scale is not None and not (isinstance(scale, (list, tuple)) and len(scale) == 2
                                  and all(is_number(v) for v in scale)):
        problems.append(f"{where}.scale must be a list of two numbers [lo, hi] (zscore: [mean, sd])."
                        f" {_got_list(scale)}")
    elif scale is not None and spec.get("method") != "zscore" and scale[0] >= scale[1]:
        problems.append(f"{where}.scale must have lo < hi. Got {scale!r} instead.")
    elif scale is not None and spec.get("method") == "zscore" and scale[1] <= 0:
        problems.append(f"{where}.scale for zscore is [mean, sd] with sd > 0. Got {scale!r} instead.")
    cap = spec.get("cap")
    if cap is not None and (not is_number(cap) or cap <= 0):
        problems.append(f"{where}.cap must be a positive number. {got(cap)}")


def _got_list(value) -> str:
    """``got`` for a list that should hold numbers: the hint names the first quoted number."""
    if isinstance(value, (list, tuple)):
        quoted = [v for v in value if isinstance(v, str)]
        if quoted and "quotes" in got(quoted[0]):
            return f"Got {value!r} instead (numbers in quotes: write them without)."
    return got(value)


def _validate(spec: dict, origin: str = "") -> None:
    problems: list[str] = unknown_keys(spec)
    if not isinstance(spec["name"], str) or not spec["name"]:
        problems.append(f"name must be a non-empty string. {got(spec['name'])}")
    ry = spec["reference_year"]
    if ry is not None and (not isinstance(ry, int) or isinstance(ry, bool)):
        problems.append(f"reference_year must be a year (integer) or absent. {got(ry)}")
    _validate_preparation(problems, spec)
    _validate_normalisation(problems, spec["normalise"])
    _validate_weights(problems, spec["weights"])

    agg = spec["aggregate"]
    if not isinstance(agg, dict):
        problems.append(f"aggregate must be a mapping with a 'method'. {got(agg)}")
        agg = {"method": "arithmetic", "min_coverage": 0}
    _must_be(problems, "aggregate.method", agg.get("method"), AGGREGATE_METHODS)
    p = agg.get("p")
    if agg.get("method") == "power_mean" and not is_number(p):
        problems.append("aggregate.method 'power_mean' needs 'p', the exponent of the generalised "
                        "mean (1 arithmetic, 0 geometric, -1 harmonic), e.g. {method: power_mean,"
                        f" p: 0.5}}. {got(p)}")
    elif p is not None and not is_number(p):
        problems.append(f"aggregate.p must be a number. {got(p)}")
    cov = agg.get("min_coverage")
    if not is_number(cov) or not 0 <= cov <= 1:
        problems.append(f"aggregate.min_coverage must be a number in [0, 1]. {got(cov)}")
    if not isinstance(spec["peer_groups"], str) or not spec["peer_groups"]:
        problems.append("peer_groups must name a column of units.csv (e.g. 'peer_group' or 'kind')."
                        f" {got(spec['peer_groups'])}")
    deductions = spec["deductions"]
    cap = deductions.get("cap") if isinstance(deductions, dict) else None
    if not isinstance(deductions, dict):
        problems.append(f"deductions must be a mapping such as {{cap: 10}}. {got(deductions)}")
    elif cap is not None and (not is_number(cap) or cap < 0):
        problems.append(f"deductions.cap must be a number >= 0 or absent. {got(cap)}")
    _validate_grades(problems, spec["grades"])
    _validate_triggers(problems, spec["triggers"])
    if not isinstance(spec["uncertainty"], list):
        problems.append(f"uncertainty must be a list of {{address, ...}}. "
                        f"{got(spec['uncertainty'])}")
    else:
        for i, u in enumerate(spec["uncertainty"]):
            if not isinstance(u, dict) or "address" not in u:
                problems.append(f"uncertainty[{i}] must have an 'address'. {got(u)}")
    _validate_robustness(problems, spec)
    if problems:
        raise SchemeError(scheme_message(spec.get("name"), origin, problems), problems=problems)


def scheme_message(name, origin: str, problems: list[str], what: str = "problem") -> str:
    """``Scheme 'x' (schemes/x.yaml) has 2 problems:`` and one line per problem, each naming
    the file when there is one."""
    where = f" ({origin})" if origin else ""
    lines = [f"{origin}: {p}" if origin else p for p in problems]
    n = len(problems)
    return (f"Scheme {name!r}{where} has {n} {what}{'s' if n != 1 else ''}:\n- "
            + "\n- ".join(lines))


def _validate_normalisation(problems: list[str], norm) -> None:
    _validate_normalise(problems, "normalise", norm)
    if not isinstance(norm, dict):
        return
    gp = norm.get("goalposts") or {}
    if not isinstance(gp, dict):
        problems.append(f"normalise.goalposts must map indicator -> [lo, hi]. {got(gp)}")
    else:
        for code, bounds in gp.items():
            if not (isinstance(bounds, (list, tuple)) and len(bounds) == 2
                    and all(is_number(v) for v in bounds) and bounds[0] < bounds[1]):
                problems.append(f"normalise.goalposts.{code} must be [lo, hi] with lo < hi. "
                                f"{_got_list(bounds)}")
    overrides = norm.get("overrides") or {}
    if not isinstance(overrides, dict):
        problems.append(f"normalise.overrides must map indicator -> settings. {got(overrides)}")
        return
    for code, ov in overrides.items():
        _validate_normalise(problems, f"normalise.overrides.{code}", ov)
        # a z-score scale is [mean, sd], the others' [lo, hi]: never inherit across the two
        if (isinstance(ov, dict) and "scale" not in ov
                and (ov.get("method") == "zscore") != (norm.get("method") == "zscore")):
            problems.append(
                f"normalise.overrides.{code} uses method {ov.get('method')!r} under a "
                f"{norm.get('method')!r} normalisation, whose scale {norm.get('scale')!r} "
                "means something else there; give the override its own 'scale' "
                "([lo, hi], or [mean, sd] for zscore).")


def _validate_weights(problems: list[str], weights) -> None:
    if not isinstance(weights, dict):
        problems.append(f"weights must map node -> {{method: ...}}. {got(weights)}")
        return
    for node, wspec in weights.items():
        problems += check_spec(wspec, f"weights.{node}")
        _validate_values(problems, wspec, f"weights.{node}")


def _validate_values(problems: list[str], wspec, where: str) -> None:
    """Fixed weights are numbers >= 0 with a positive sum (a combination's parts too)."""
    if not isinstance(wspec, dict):
        return
    if wspec.get("method") == "combine" and isinstance(wspec.get("of"), list):
        for i, part in enumerate(wspec["of"]):
            _validate_values(problems, part, f"{where}.of[{i}]")
    values = wspec.get("values")
    if wspec.get("method") != "fixed" or not isinstance(values, dict):
        return
    if not values:
        problems.append(f"{where}.values names no child; give each child of the node its "
                        "weight, e.g. {economy: 0.6, ecology: 0.4}.")
        return
    ok = True
    for child, v in values.items():
        if not is_number(v) or v < 0:
            problems.append(f"{where}.values.{child} must be a number >= 0. {got(v)}")
            ok = False
    if ok and sum(values.values()) <= 0:
        problems.append(f"{where}.values are all 0; give at least one child a positive weight.")


def _validate_grades(problems: list[str], grades) -> None:
    if not isinstance(grades, list):
        problems.append(f"grades must be a list of {{name, share}}. {got(grades)}")
        return
    shares = []
    for i, g in enumerate(grades):
        if not isinstance(g, dict) or "name" not in g or "share" not in g:
            problems.append(f"grades[{i}] must be {{name: ..., share: ...}}. {got(g)}")
        elif not is_number(g["share"]) or not 0 < g["share"] <= 1:
            problems.append(f"grades[{i}].share must be in (0, 1]. {got(g['share'])}")
        else:
            shares.append(g["share"])
    if grades and len(shares) == len(grades) and abs(sum(shares) - 1) > 1e-6:
        problems.append(f"grades shares must add up to 1. Got {sum(shares):g} "
                        f"({' + '.join(f'{s:g}' for s in shares)}).")


def _validate_triggers(problems: list[str], triggers) -> None:
    if not isinstance(triggers, dict):
        problems.append(f"triggers must be a mapping. {got(triggers)}")
        return
    for name, params in triggers.items():
        if name not in TRIGGER_RULES:
            continue  # an unknown trigger is an unknown key (unknown_keys says which is meant)
        need = TRIGGER_RULES[name]
        if not isinstance(params, dict) or not set(need) <= set(params):
            problems.append(f"triggers.{name} must have the keys {sorted(need)}. {got(params)}")
            continue
        for key, (kind, test, say) in need.items():
            v = params[key]
            if not (is_number(v) and (kind == "number" or float(v).is_integer()) and test(v)):
                problems.append(f"triggers.{name}.{key} must be {say}. {got(v)}")


def _validate_preparation(problems: list[str], spec: dict) -> None:
    """``denominate``, ``impute``, ``screen`` and ``treat`` (COINr's data preparation steps)."""
    for section in ("impute", "screen", "treat"):
        if not isinstance(spec[section], dict):
            problems.append(f"{section} must be a mapping. {got(spec[section])}")
            return
    den = spec["denominate"]
    if not isinstance(den, dict):
        problems.append("denominate must map indicator -> denominator (a column of units.csv "
                        f"or a covariate name), e.g. {{exports: gdp}}. {got(den)}")
        den = {}
    for code, entry in den.items():
        ok = isinstance(entry, str) and entry or (
            isinstance(entry, dict) and isinstance(entry.get("by"), str) and entry["by"]
            and entry.get("when_missing", "error") in WHEN_MISSING)
        if not ok:
            problems.append(f"denominate.{code} must be a denominator name (a column of units.csv"
                            f" or a covariate), or {{by: <name>, when_missing: "
                            f"{' | '.join(WHEN_MISSING)}}}. {got(entry)}")
    imp = spec["impute"]
    _must_be(problems, "impute.method", imp.get("method"), IMPUTE_METHODS)
    if imp.get("by") is not None and not (isinstance(imp["by"], str) and imp["by"]):
        problems.append(f"impute.by must name a column of units.csv (or be absent: the peer "
                        f"groups). {got(imp['by'])}")
    share = spec["screen"].get("min_share")
    if not (is_number(share) and 0 <= share <= 1):
        problems.append(f"screen.min_share must be a share in [0, 1], e.g. 0.9 (0 turns screening"
                        f" off). {got(share)}")
    treat = spec["treat"]
    _must_be(problems, "treat.method", treat.get("method"), TREAT_METHODS)
    if treat.get("method") == "winsorise":
        _must_be(problems, "treat.fallback", treat.get("fallback"), TREAT_FALLBACKS)
        k = treat.get("max_points")
        if not (isinstance(k, int) and not isinstance(k, bool) and k >= 0):
            problems.append(f"treat.max_points must be an integer >= 0. {got(k)}")
        for key in ("skew", "kurtosis"):
            if not is_number(treat.get(key)):
                problems.append(f"treat.{key} must be a number. {got(treat.get(key))}")


def _validate_robustness(problems: list[str], spec: dict) -> None:
    """``exclude`` and ``uncertainty_flags`` (used by the uncertainty analysis, issue 4)."""
    exclude = spec["exclude"]
    if not (isinstance(exclude, list) and all(isinstance(c, str) and c for c in exclude)):
        problems.append(f"exclude must be a list of indicator codes. {got(exclude)}")
    flags = spec["uncertainty_flags"]
    if flags is None:
        return
    if not isinstance(flags, dict):
        problems.append(f"uncertainty_flags must be absent or a mapping with keys "
                        f"{sorted(FLAG_KEYS)}. {got(flags)}")
        return
    n, seed, band = flags.get("n"), flags.get("seed"), flags.get("band")
    if not (isinstance(n, int) and not isinstance(n, bool) and n >= 2):
        problems.append(f"uncertainty_flags.n must be an integer >= 2 (Monte Carlo draws). "
                        f"{got(n)}")
    if not (isinstance(seed, int) and not isinstance(seed, bool)):
        problems.append(f"uncertainty_flags.seed must be an integer. {got(seed)}")
    if not (isinstance(band, (list, tuple)) and len(band) == 2
            and all(is_number(v) for v in band) and 0 <= band[0] < band[1] <= 1):
        problems.append(f"uncertainty_flags.band must be [lo, hi] with 0 <= lo < hi <= 1 (rank "
                        f"quantiles, e.g. [0.05, 0.95]). {_got_list(band)}")


_INDEX = re.compile(r"^(.*?)\[(\d+)\]$")


def _split_address(address: str) -> list:
    if not isinstance(address, str) or not address:
        raise SchemeError(f"An address must be a dotted path such as 'aggregate.method'. "
                          f"Got {address!r} instead.")
    parts: list = []
    for part in address.split("."):
        m = _INDEX.match(part)
        if m:
            if m.group(1):
                parts.append(m.group(1))
            parts.append(int(m.group(2)))
        elif part.isdigit():
            parts.append(int(part))
        else:
            parts.append(part)
    return parts


@dataclass(frozen=True)
class Scheme:
    """An assessment scheme, validated and filled with defaults.

    Parameters
    ----------
    spec : dict
        The scheme as plain data, in the YAML shape of ``DESIGN.md``. Missing sections take the
        defaults in :data:`DEFAULTS`.
    origin : str
        The file it was read from (``schemes/baseline.yaml``), named in every message; not part
        of the scheme (equality and :meth:`fingerprint` ignore it), kept by :meth:`replace`.

    Notes
    -----
    Attribute access (``scheme.normalise``, ``scheme.weights`` …) returns deep copies, so a scheme
    cannot be changed by editing what it hands out; use :meth:`replace`.
    """

    spec: dict = field(repr=False)
    origin: str = field(default="", repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.spec, dict):
            raise SchemeError(f"{self.origin or 'A scheme'} must be a mapping (name:, normalise:, "
                              f"weights: ...). Got {type(self.spec).__name__} instead.")
        full = _merge_defaults(self.spec)
        _validate(full, self.origin)
        object.__setattr__(self, "spec", full)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: dict, *, origin: str = "") -> Scheme:
        """Make a scheme from plain data; ``origin`` names it in messages (a file)."""
        return cls(copy.deepcopy(spec), origin)

    @classmethod
    def from_yaml(cls, source: str | Path, *, origin: str | None = None) -> Scheme:
        """Read a scheme from a YAML file path or from YAML text.

        Parameters
        ----------
        source : str or Path
            A ``.yaml`` file or YAML text.
        origin : str, optional
            How messages name the scheme (``schemes/baseline.yaml``); default the path, or
            ``<text>``.

        Raises
        ------
        SchemeError
            Every problem at once, each with its key path (``normalise.methd: unknown key; did
            you mean 'method'?``) and the file: YAML syntax (with the line), keys written twice
            (both lines), unknown keys at any depth, invalid values.
        FileNotFoundError
            A path that does not exist.
        """
        text = source
        if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                        and source.strip().endswith((".yaml", ".yml"))):
            path = Path(source)
            if not path.is_file():
                raise FileNotFoundError(f"Scheme file {str(path)!r} does not exist.")
            text, origin = path.read_text(encoding="utf-8-sig"), origin or str(path)
        origin = origin or "<text>"
        spec = read_yaml(text, origin)
        if spec is None:
            raise SchemeError(f"Scheme {origin} is empty; a scheme needs at least "
                              "`name: <name>` (DESIGN.md shows every section).")
        if not isinstance(spec, dict):
            kind = "a list" if isinstance(spec, list) else f"a {type(spec).__name__}"
            raise SchemeError(f"Scheme {origin} must be a YAML mapping (name:, normalise:, "
                              f"weights: ...), not {kind}. Got {type(spec).__name__} instead.")
        return cls(spec, "" if origin == "<text>" else origin)

    def to_dict(self) -> dict:
        """The scheme as plain data (a deep copy)."""
        return copy.deepcopy(self.spec)

    def to_yaml(self, path: str | Path | None = None, *, overwrite: bool = False) -> str:
        """The scheme as YAML text; also written to ``path`` when given (safely, through
        :mod:`zhengji_lab.safeio`: an existing file is replaced only with ``overwrite=True``)."""
        text = yaml.safe_dump(self.spec, allow_unicode=True, sort_keys=False,
                              default_flow_style=None, width=100)
        if path is not None:
            safeio.write_text(path, text, overwrite=overwrite,
                              fix="choose another file, or pass overwrite=True")
        return text

    def fingerprint(self) -> str:
        """A short SHA-256 of the canonical scheme (sorted JSON); printed in every report."""
        canon = json.dumps(self.spec, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]

    # -- addressing -------------------------------------------------------------------------
    def get(self, address: str):
        """The value at a dotted ``address`` (``"aggregate.method"``, ``"grades[0].share"``)."""
        node: Any = self.spec
        walked: list[str] = []
        for part in _split_address(address):
            if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                valid = (list(node) if isinstance(node, dict)
                         else list(range(len(node))) if isinstance(node, list) else [])
                where = ".".join(map(str, walked)) or "the scheme"
                raise SchemeError(f"Address {address!r} does not exist: {where} has no {part!r}"
                                  f"{did_you_mean(part, valid) or '.'} Valid keys there: "
                                  f"{choices(valid)}.")
            walked.append(str(part))
        return copy.deepcopy(node)

    def replace(self, address: str, value) -> Scheme:
        """A new scheme with the value at ``address`` replaced (validated as a whole).

        The parent of ``address`` must exist; the last key may be new (e.g. a weights entry for
        a node that used the default).
        """
        parts = _split_address(address)
        spec = self.to_dict()
        parent_address = ".".join(map(str, parts[:-1]))
        node = spec if not parts[:-1] else None
        if node is None:
            self.get(parent_address)  # raises with the valid keys when the path is wrong
            node = spec
            for part in parts[:-1]:
                node = node[part]
        last = parts[-1]
        if isinstance(node, list):
            if not isinstance(last, int) or last >= len(node):
                raise SchemeError(f"Address {address!r} does not exist: index {last!r} is out of "
                                  f"range 0..{len(node) - 1}.")
        elif not isinstance(node, dict):
            raise SchemeError(f"Address {address!r} does not exist: {parent_address!r} holds "
                              f"{node!r}, not a mapping.")
        elif not parts[:-1] and last not in DEFAULTS:
            raise SchemeError(f"Address {address!r} does not exist. Valid top-level keys: "
                              f"{choices(DEFAULTS)}.")
        node[last] = copy.deepcopy(value)
        return Scheme(spec, self.origin)

    # -- sections -----------------------------------------------------------------------------
    def __getattr__(self, name):
        if name != "spec" and name in DEFAULTS:
            return copy.deepcopy(self.spec[name])
        raise AttributeError(f"'Scheme' object has no attribute {name!r}")

    def weight_spec(self, node: str) -> dict:
        """The weighting settings of ``node`` (its own entry, else the ``"*"`` default)."""
        w = self.spec["weights"]
        return copy.deepcopy(w.get(node, w["*"]))

    def normalise_spec(self, indicator: str) -> dict:
        """The normalisation settings of one indicator: the global ones updated by its override."""
        base = {k: v for k, v in self.spec["normalise"].items() if k != "overrides"}
        override = self.spec["normalise"].get("overrides", {}).get(indicator, {})
        return {**copy.deepcopy(base), **copy.deepcopy(override)}

    def __repr__(self) -> str:
        return (f"Scheme(name={self.spec['name']!r}, normalise={self.spec['normalise']['method']!r},"
                f" aggregate={self.spec['aggregate']['method']!r}, "
                f"fingerprint={self.fingerprint()!r})")
