"""The uncertain inputs of a scheme and the map from the unit cube to scheme choices.

The scheme's ``uncertainty`` section lists what the Monte Carlo varies; addresses are dotted paths
into the scheme (:meth:`Scheme.get`, :meth:`Scheme.replace`). Each entry is one *input* of the
sensitivity analysis (one SALib group), whatever number of random numbers it consumes:

.. code-block:: yaml

    uncertainty:
      # discrete alternatives: the alternative replaces the whole value at the address
      - address: normalise
        alternatives:
          - {method: minmax, scale: [1, 100]}
          - {method: zscore, scale: [10, 2]}
      - {address: aggregate.method, alternatives: [arithmetic, geometric]}
      - {address: treat.max_points, alternatives: [1, 2, 3, 4, 5]}
      - {address: impute.method, alternatives: [none, peer_mean]}
      # weights of every parent node (or of one: weights.<node>), continuous
      - {address: weights, noise: 0.25}         # each weight × U(0.75, 1.25), renormalised
      - {address: weights.economy, dirichlet: 50}   # Dirichlet(50 × nominal weights)
      # one expert of the panel per draw (nodes weighted by ahp/budget from that group)
      - {address: weights, experts: judgements/index}
      # an indicator left in or out
      - {address: indicators, exclude: [eco_forest_cover, saf_accidents]}  # none or one of them
      - {address: indicators, drop_one: true}   # none or any one indicator
      # optional on every entry: name: <label of the input in the results>

Notes on the entries:

* ``alternatives`` work at any address of the scheme except ``grades``, ``triggers`` and
  ``peer_groups`` (decisions taken on the ranks, not choices behind them), ``name``,
  ``description`` and the ``uncertainty`` sections themselves. An alternative replaces the whole
  value at its address: ``normalise`` alternatives without ``overrides`` drop the nominal
  per-indicator overrides (include them in the alternative to keep them).
* ``noise`` and ``dirichlet`` perturb the weights a node resolves for the draw's discrete choices
  (fixed, equal, AHP, budget …); ``address: weights`` skips nodes whose weights are fitted on the
  data per peer group (entropy, CRITIC …: vary their method instead), and naming such a node
  is an error. One continuous entry per node.
* ``experts`` draws one expert of the panel per draw: every node in scope weighted by ``ahp`` or
  ``budget`` from that judgements group uses that expert's judgements alone (the scheme's
  ``weights.<node>.experts`` key).
* ``exclude`` / ``drop_one`` set the scheme's top-level ``exclude`` list (on top of the nominal
  one): an indicator left out applies to no unit, so its siblings share its weight.
* Two entries may not change the same address (or one inside the other).

Every entry is validated before anything runs: an address that does not exist, an alternative
the scheme rejects (each one is tried once with :meth:`Scheme.replace`, whose message lists the
valid values), an unknown indicator, expert group or key raises a :class:`SchemeError` naming the
entry and the valid choices.

A design row is ``d`` numbers in ``[0, 1)``: one per discrete entry (alternative
``floor(u·k)``) and one per weight of a continuous entry. Rows map to choices deterministically,
so the Monte Carlo result does not depend on how draws are chunked, and the same map turns
SALib's Saltelli design into schemes (COINr's ``sample_2_para``; Becker et al. 2022).

References
----------
Saisana, M., Saltelli, A., Tarantola, S. (2005). Uncertainty and sensitivity analysis techniques
as tools for the quality assessment of composite indicators. J. R. Stat. Soc. A 168(2), 307–323.
doi:10.1111/j.1467-985X.2005.00350.x

Becker, W. et al. (2022). COINr: An R package for developing composite indicators. JOSS 7(78),
4567 (``get_sensitivity``, ``SA_specs``). doi:10.21105/joss.04567
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import gammaincinv

from zhengji_lab.errors import SchemeError, choices
from zhengji_lab.pipeline.prepare import node_order
from zhengji_lab.scheme import Scheme
from zhengji_lab.scheme_schema import did_you_mean
from zhengji_lab.weighting.registry import is_fitted

#: The keys that say what an entry varies (exactly one per entry).
KINDS = ("alternatives", "noise", "dirichlet", "experts", "exclude", "drop_one")
_OTHER_KEYS = ("address", "name")
#: Sections that are not choices behind the ranks (grades and triggers are decisions on them).
_FORBIDDEN = ("uncertainty", "uncertainty_flags", "name", "description", "grades", "triggers",
              "peer_groups")


def label_of(value) -> str:
    """A short label for an alternative (``minmax [1, 100]``, ``geometric``)."""
    if isinstance(value, dict):
        head = str(value.get("method", ""))
        rest = [json.dumps(v, ensure_ascii=False) for k, v in value.items() if k != "method"]
        return " ".join([head] + rest).strip() or "{}"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else "none"
    return str(value)


@dataclass(frozen=True, eq=False)
class Input:
    """One uncertain input: an entry of the scheme's ``uncertainty`` section.

    Attributes
    ----------
    name : str
        Label in the results (the SALib group name).
    kind : {'choice', 'noise', 'dirichlet'}
    address : str
        The address as written in the scheme.
    columns : int
        How many numbers of a design row it consumes.
    options : tuple
        ``choice``: per alternative, the ``(address, value)`` replacements that make it.
    labels : tuple
        ``choice``: a label per alternative.
    nodes, sizes : tuple
        ``noise`` / ``dirichlet``: the parent nodes perturbed and their numbers of children.
    param : float
        Noise half-width or Dirichlet concentration.
    """

    name: str
    kind: str
    address: str
    columns: int
    options: tuple = ()
    labels: tuple = ()
    nodes: tuple = ()
    sizes: tuple = ()
    param: float = 0.0

    def choose(self, u: np.ndarray) -> np.ndarray:
        """Alternative index ``floor(u·k)`` for numbers in ``[0, 1)``."""
        k = len(self.options)
        return np.minimum((np.asarray(u) * k).astype(np.int64), k - 1)

    def perturb(self, nominal: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Perturbed, unnormalised weights of one node: ``(draws, children)``.

        ``noise``: ``w_k · (1 + a(2u − 1))``, i.e. ``w_k × U(1 − a, 1 + a)``;
        ``dirichlet``: independent ``Gamma(c·w_k)`` variates by inversion of ``u``, which
        normalised are ``Dirichlet(c·w)`` (Devroye 1986, ch. XI.4).
        """
        if self.kind == "noise":
            return nominal * (1.0 + self.param * (2.0 * u - 1.0))
        alpha = self.param * np.broadcast_to(nominal, u.shape)
        with np.errstate(invalid="ignore"):
            return np.where(alpha > 0, gammaincinv(np.where(alpha > 0, alpha, 1.0), u), 0.0)


@dataclass(frozen=True, eq=False)
class Design:
    """The inputs of a scheme's uncertainty section and their columns in a design row."""

    scheme: Scheme
    inputs: tuple
    children: dict

    @property
    def names(self) -> list[str]:
        return [i.name for i in self.inputs]

    @property
    def n_columns(self) -> int:
        return sum(i.columns for i in self.inputs)

    @property
    def slices(self) -> list[slice]:
        ends = np.cumsum([0] + [i.columns for i in self.inputs])
        return [slice(int(a), int(b)) for a, b in itertools.pairwise(ends)]

    @property
    def choice_inputs(self) -> list[int]:
        return [k for k, i in enumerate(self.inputs) if i.kind == "choice"]

    def problem(self) -> dict:
        """The SALib problem: one variable per column on ``[0, 1]``, grouped by input."""
        names, groups = [], []
        for inp in self.inputs:
            names += [f"{inp.name}[{j}]" for j in range(inp.columns)]
            groups += [inp.name] * inp.columns
        return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names),
                "groups": groups}

    def choices(self, U: np.ndarray) -> np.ndarray:
        """Alternative index of every discrete input per row: ``(rows, discrete inputs)``."""
        sl = self.slices
        cols = [self.inputs[k].choose(U[:, sl[k].start]) for k in self.choice_inputs]
        return np.column_stack(cols) if cols else np.zeros((len(U), 0), dtype=np.int64)

    def scheme_for(self, combo) -> Scheme:
        """The scheme with the discrete alternatives ``combo`` (one index per discrete input)."""
        s = self.scheme
        for k, c in zip(self.choice_inputs, combo):
            for address, value in self.inputs[k].options[int(c)]:
                s = s.replace(address, value)
        return s

    def describe(self, combo) -> str:
        """The discrete choices of ``combo`` in words (``None``: the nominal scheme)."""
        if combo is None:
            return "the nominal scheme"
        return "; ".join(f"{self.inputs[k].name} = {self.inputs[k].labels[int(c)]}"
                         for k, c in zip(self.choice_inputs, combo)) or "nominal"


def _error(i: int, entry, message: str) -> SchemeError:
    where = f"uncertainty[{i}]"
    if isinstance(entry, dict) and "address" in entry:
        where += f" (address {entry['address']!r})"
    return SchemeError(f"{where}: {message}")


def _weight_nodes(i, entry, address, parents) -> list[str]:
    parts = address.split(".")
    if parts[0] != "weights" or len(parts) > 2:
        raise _error(i, entry, f"{_kind(entry)!r} varies weights: the address must be 'weights' "
                               f"or 'weights.<node>' with a node among {choices(parents)}.")
    if len(parts) == 2:
        if parts[1] not in parents:
            raise _error(i, entry, f"'weights.<node>' must name a node with children; valid "
                                   f"nodes: {choices(parents)}. Got {parts[1]!r} instead"
                                   f"{did_you_mean(parts[1], parents) or '.'}")
        return [parts[1]]
    return list(parents)


def _kind(entry: dict) -> str:
    return next(k for k in KINDS if k in entry)


def _replace_all(scheme: Scheme, replacements) -> Scheme:
    for address, value in replacements:
        scheme = scheme.replace(address, value)
    return scheme


def parse_design(ws, scheme: Scheme, entries: list | None = None) -> Design:
    """Validate the uncertainty entries against the scheme and the workspace's framework.

    Parameters
    ----------
    ws : Workspace
    scheme : Scheme
        The nominal scheme (its ``uncertainty_flags`` are dropped for the draws).
    entries : list of dict, optional
        Entries to use instead of the scheme's own ``uncertainty`` section.

    Returns
    -------
    Design
    """
    children, order, leaves, _root = node_order(ws)
    parents = [n for n in order if n in children]
    if scheme.spec.get("uncertainty_flags") is not None:
        scheme = scheme.replace("uncertainty_flags", None)
    entries = scheme.spec["uncertainty"] if entries is None else entries
    if not isinstance(entries, list) or not entries:
        raise SchemeError(f"Scheme {scheme.spec['name']!r} has no 'uncertainty' section (a list "
                          "of {address, ...} entries), so there is nothing to vary. Add one, e.g. "
                          "- {address: aggregate.method, alternatives: [arithmetic, geometric]}.")
    inputs: list[Input] = []
    touched: list[tuple[int, str]] = []   # addresses replaced by discrete inputs
    perturbed: dict[str, int] = {}        # node -> entry perturbing its weights
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("address"), str):
            raise _error(i, entry, f"an entry must be a mapping with an 'address' and one of "
                                   f"{choices(KINDS)}. Got {entry!r} instead.")
        kinds = [k for k in KINDS if k in entry]
        unknown = sorted(set(entry) - set(KINDS) - set(_OTHER_KEYS))
        if unknown or len(kinds) != 1:
            raise _error(i, entry, f"an entry takes 'address', optionally 'name', and exactly one"
                                   f" of {choices(KINDS)}. Got keys {sorted(entry)} instead.")
        kind, address = kinds[0], entry["address"]
        if address.split(".")[0].split("[")[0] in _FORBIDDEN:
            raise _error(i, entry, f"the address must point at a choice of the scheme, not at "
                                   f"{choices(_FORBIDDEN)}.")
        if kind == "alternatives":
            inp = _alternatives(i, entry, scheme, parents)
        elif kind in ("noise", "dirichlet"):
            value = entry[kind]
            lo_ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
            if (not lo_ok or (kind == "noise" and value >= 1) or not np.isfinite(value)
                    or (kind == "dirichlet" and value < 1)):
                need = ("a number in (0, 1)" if kind == "noise" else
                        "a concentration >= 1, e.g. 50 (the larger, the closer to the nominal "
                        "weights; below 1 nearly all weight falls on one child)")
                raise _error(i, entry, f"{kind!r} must be {need}. Got {value!r} instead.")
            nodes = _weight_nodes(i, entry, address, parents)
            driven = [n for n in nodes if is_fitted(scheme.weight_spec(n))]
            if len(nodes) == 1 and driven:
                raise _error(i, entry, f"node {nodes[0]!r} is weighted by "
                                       f"{scheme.weight_spec(nodes[0])['method']!r}, fitted on the"
                                       f" data per peer group; its weights cannot be perturbed. "
                                       f"Vary its method with alternatives instead.")
            nodes = [n for n in nodes if n not in driven]
            for n in nodes:
                if n in perturbed:
                    raise _error(i, entry, f"the weights of {n!r} are already perturbed by "
                                           f"uncertainty[{perturbed[n]}]; one entry per node.")
                perturbed[n] = i
            default = (f"weights ±{value:g}" if kind == "noise" else f"weights Dirichlet({value:g})")
            if address != "weights":
                default = f"{address} " + default.split(" ", 1)[1]
            sizes = tuple(len(children[n]) for n in nodes)
            inp = Input(entry.get("name", default), kind, address, sum(sizes), nodes=tuple(nodes),
                        sizes=sizes, param=float(value))
        elif kind == "experts":
            inp = _experts(i, entry, ws, scheme, parents)
        else:
            inp = _indicators(i, entry, scheme, leaves)
        for a in sorted({address for option in inp.options for address, _ in option}):
            for j, b in touched:
                if a == b or a.startswith(b + ".") or b.startswith(a + "."):
                    raise _error(i, entry, f"it changes {a!r}, which uncertainty[{j}] also "
                                           f"changes ({b!r}); combine them into one entry "
                                           f"whose alternatives are whole sub-sections.")
        touched += [(i, a) for a in {address for option in inp.options for address, _ in option}]
        inputs.append(inp)
    names = [inp.name for inp in inputs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise SchemeError(f"Uncertainty inputs must have distinct names; {dup} repeat. Give the "
                          "entries a 'name'.")
    return Design(scheme, tuple(inputs), children)


def _alternatives(i, entry, scheme: Scheme, parents) -> Input:
    address, alts = entry["address"], entry["alternatives"]
    if not isinstance(alts, list) or not alts:
        raise _error(i, entry, f"'alternatives' must be a non-empty list. Got {alts!r} instead.")
    parts = address.split(".")
    prefix: list[tuple[str, Any]] = []
    if parts[0] == "weights" and len(parts) >= 2 and parts[1] in parents \
            and parts[1] not in scheme.spec["weights"]:
        if len(parts) > 2:  # the node uses the "*" default: give it its own entry first
            prefix = [(f"weights.{parts[1]}", scheme.weight_spec(parts[1]))]
    else:
        try:
            scheme.get(address)
        except SchemeError as exc:
            raise _error(i, entry, f"the address does not exist. {exc}") from None
    options = []
    for j, alt in enumerate(alts):
        repl = tuple(prefix + [(address, alt)])
        try:
            _replace_all(scheme, repl)
        except SchemeError as exc:
            raise _error(i, entry, f"alternative {j} ({alt!r}) is not valid: "
                                   + "; ".join(exc.problems)) from None
        options.append(repl)
    return Input(entry.get("name", address), "choice", address, 1, options=tuple(options),
                 labels=tuple(label_of(a) for a in alts))


def _experts(i, entry, ws, scheme: Scheme, parents) -> Input:
    group = entry["experts"]
    if not isinstance(group, str) or not group:
        raise _error(i, entry, f"'experts' must name a judgements group, e.g. "
                               f"'judgements/index'. Got {group!r} instead.")
    group = group.removeprefix("judgements/").strip("/")
    if group not in ws.judgements:
        raise _error(i, entry, f"'experts' must be one of the workspace's judgements groups "
                               f"{choices(sorted(ws.judgements))}. Got {entry['experts']!r}.")
    scope = _weight_nodes(i, entry, entry["address"], parents)

    def reads(n):
        spec = scheme.weight_spec(n)
        return (spec["method"] in ("ahp", "budget")
                and str(spec.get("judgements", "")).removeprefix("judgements/").strip("/") == group)

    nodes = [n for n in scope if reads(n)]
    if not nodes:
        uses = {n: scheme.weight_spec(n).get("judgements") for n in parents
                if scheme.weight_spec(n).get("judgements")}
        raise _error(i, entry, f"no node in {entry['address']!r} is weighted (ahp or budget) "
                               f"from judgements/{group}; nodes with judgements: {uses or 'none'}.")
    experts = list(ws.judgements[group])
    options = tuple(tuple((f"weights.{n}", {**scheme.weight_spec(n), "experts": [e]})
                          for n in nodes) for e in experts)
    return Input(entry.get("name", f"experts ({group})"), "choice", entry["address"], 1,
                 options=options, labels=tuple(experts))


def _indicators(i, entry, scheme: Scheme, leaves) -> Input:
    kind = _kind(entry)
    if entry["address"] != "indicators":
        raise _error(i, entry, f"{kind!r} leaves indicators out: its address must be "
                               f"'indicators'.")
    if kind == "drop_one":
        if entry["drop_one"] is not True:
            raise _error(i, entry, f"'drop_one' must be true. Got {entry['drop_one']!r} instead.")
        codes = [c for c in leaves if c not in scheme.spec["exclude"]]
    else:
        codes = entry["exclude"]
        if not isinstance(codes, list) or not codes:
            raise _error(i, entry, f"'exclude' must be a non-empty list of indicator codes. Got "
                                   f"{codes!r} instead.")
        unknown = [c for c in codes if c not in leaves]
        if unknown:
            raise _error(i, entry, f"'exclude' names {unknown}, which are not indicators; valid "
                                   f"codes: {choices(leaves)}.")
    base = list(scheme.spec["exclude"])
    options = ((("exclude", base),),) + tuple((("exclude", base + [c]),) for c in codes)
    return Input(entry.get("name", "indicators left out"), "choice", "indicators", 1,
                 options=options, labels=("none",) + tuple(codes))
