"""How each weighting method is resolved at a node of the indicator tree: one declaration per
method, read by the scheme's validation, by ``build`` and by the Monte Carlo engine.

A :class:`NodeMethod` says what a method needs at a node (nothing, fixed ``values``, the expert
panel's ``judgements``, the children's scores, or other weightings to combine), whether it is
fitted to data, which scheme keys it takes (its function's keyword parameters plus the keys of
its inputs) and how its weights and diagnostics are obtained. Adding a method means writing its
function in a module of :mod:`zhengji_lab.weighting` and declaring it here.

Examples
--------
>>> REGISTRY["entropy"].fitted, REGISTRY["ahp"].inputs
(True, 'judgements')
>>> w, info = resolve({"method": "equal"}, "index", ["a", "b"])
>>> w.tolist(), info["method"]
([0.5, 0.5], 'equal')
"""
from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from zhengji_lab.errors import BuildError, InconsistentJudgementWarning, choices
from zhengji_lab.weighting.ahp import ahp, ahp_group
from zhengji_lab.weighting.bod import bod
from zhengji_lab.weighting.combine import combine
from zhengji_lab.weighting.critic import critic, stdev
from zhengji_lab.weighting.entropy import entropy
from zhengji_lab.weighting.optimise import optimise
from zhengji_lab.weighting.pca import pca
from zhengji_lab.weighting.simple import budget, equal, fixed

#: What a method reads at a node, and the scheme keys that give it.
INPUT_KEYS = {"none": (), "values": ("values",), "judgements": ("judgements", "experts"),
              "scores": (), "parts": ("of",), "units": ()}


@dataclass(frozen=True)
class Node:
    """Where a weighting is resolved: the node, its children and what the workspace holds.

    Attributes
    ----------
    name : str
        The parent node (for messages: ``weights.<name>``).
    kids : list of str
        The children weighted here (for a fitted method, those with scores in the peer group).
    data : DataFrame, optional
        Units × children scores, for methods fitted on them.
    judgements : dict
        The workspace's judgement groups ``{group: {expert: DataFrame}}``.
    all_kids : list of str, optional
        All children of the node (a combination's given parts are over all of them).
    """

    name: str
    kids: list
    data: pd.DataFrame | None = None
    judgements: dict = field(default_factory=dict)
    all_kids: list | None = None


@dataclass(frozen=True)
class NodeMethod:
    """One weighting method as a scheme uses it at a node.

    Attributes
    ----------
    name : str
        The scheme's ``method``.
    function : callable
        The public weighting function of :mod:`zhengji_lab.weighting`.
    inputs : str
        What it reads: ``none``, ``values``, ``judgements``, ``scores`` (fitted on the
        children's scores), ``parts`` (other weightings) or ``units`` (each unit its own weights:
        benefit of the doubt, resolved by ``build`` per peer group).
    resolve : callable, optional
        ``resolve(node, spec, params) -> (weights, diagnostics)``; None for ``units``.
    """

    name: str
    function: Callable
    inputs: str
    resolve: Callable | None = None

    @property
    def fitted(self) -> bool:
        """Is it fitted to the data (on the children's scores, or each unit's own)?"""
        return self.inputs in ("scores", "units")

    @property
    def keys(self) -> tuple[str, ...]:
        """Scheme keys besides ``method``: the inputs' and the function's keyword parameters
        (an AHP node takes those of ``ahp`` and ``ahp_group``: one expert or a panel), except
        those build sets itself (``dropna``, ``directions``) and ``method``, which is the
        scheme's own key."""
        functions = (ahp, ahp_group) if self.name in ("ahp", "ahp_group") else (self.function,)
        own = dict.fromkeys(p for f in functions for p in _keywords(f)
                            if p not in ("dropna", "directions", "method"))
        return (*INPUT_KEYS[self.inputs], *own)


def _keywords(function) -> list[str]:
    return [p.name for p in inspect.signature(function).parameters.values()
            if p.kind == p.KEYWORD_ONLY]


def is_fitted(spec) -> bool:
    """Is a weighting fitted on the children's scores (data-driven, or combining such a part)?"""
    if not isinstance(spec, dict) or spec.get("method") not in REGISTRY:
        return False
    if spec["method"] == "combine":
        return isinstance(spec.get("of"), list) and any(is_fitted(s) for s in spec["of"])
    return REGISTRY[spec["method"]].inputs == "scores"


def resolve(spec: dict, node: str, kids: list, *, data: pd.DataFrame | None = None,
            judgements: dict | None = None, all_kids: list | None = None):
    """Weights of one parent node's children from its weighting settings.

    Parameters
    ----------
    spec : dict
        ``{method: ..., <parameters>}`` from the scheme's ``weights`` section; keys other than
        the method's inputs are passed to the weighting function. ``ahp``, ``ahp_group`` and
        ``budget`` read ``judgements: judgements/<group>`` (``experts: [...]`` picks some of
        them); ``combine`` takes ``of: [{method: ...}, ...]`` (two or more weightings of this
        node, not ``bod``), ``how: linear | game``, ``alpha`` and
        ``negative``.
    node, kids : str, list
        The parent and the children to weight.
    data : DataFrame, optional
        Units × children scores (normalised, higher is better) for fitted methods.
    judgements : dict, optional
        The workspace's judgements.
    all_kids : list, optional
        All children of the node (default ``kids``).

    Returns
    -------
    (Series, dict)
        Weights indexed by child code (summing to 1) and diagnostics for the log: always
        ``method`` and the resolved ``weights``; AHP ``cr`` (each expert's and the AIJ group's
        for a panel; ``lambda_max`` and ``ci`` too for one expert), PCA ``extraction``,
        ``loadings``, ``communality``, ``eigenvalues``, ``explained_variance``,
        ``factor_weights`` and ``n_factors``; combine the ``parts``' own diagnostics.
    """
    method = spec["method"]
    entry = REGISTRY.get(method)
    if entry is None or entry.resolve is None:
        valid = [m for m, e in REGISTRY.items() if e.resolve is not None]
        raise BuildError(f"weights.{node}.method {method!r} cannot be resolved at a node; valid: "
                         f"{', '.join(valid)}.")
    if entry.inputs == "scores" and data is None:
        raise BuildError(f"weights.{node} uses {method!r}, which is fitted on the children's "
                         f"scores; resolve() needs them as 'data' (units × children).")
    params = {k: v for k, v in spec.items() if k != "method" and k not in INPUT_KEYS[entry.inputs]}
    at = Node(node, list(kids), data, judgements or {}, all_kids)
    w, info = entry.resolve(at, spec, params)
    w = pd.Series(w, dtype=float).reindex(at.kids)
    if w.isna().any() or (w < 0).any() or abs(w.sum() - 1.0) > 1e-8:
        raise BuildError(f"weights.{node} ({method}) gave invalid weights {w.round(4).to_dict()}.")
    return w, {"method": method, **info, "weights": {k: float(v) for k, v in w.items()}}


# -- resolvers ----------------------------------------------------------------------------------
def _equal(at: Node, spec: dict, params: dict):
    return equal(at.kids), {}


def _fixed(at: Node, spec: dict, params: dict):
    values = spec["values"]
    unknown = sorted(set(values) - set(at.kids))
    lacking = [k for k in at.kids if k not in values]
    if unknown or lacking:
        raise BuildError(f"weights.{at.name}.values must name exactly the children of "
                         f"{at.name!r} ({at.kids}); unknown {unknown}, lacking {lacking}.")
    return fixed(values), {}


def _judged(at: Node, spec: dict) -> dict:
    """The experts' judgements a node's AHP or budget reads (a subset with ``experts``)."""
    method = spec["method"]
    if not spec.get("judgements"):
        raise BuildError(f"weights.{at.name} uses method {method!r} and needs 'judgements: "
                         f"judgements/<group>'; groups of the workspace: {sorted(at.judgements)}.")
    group = str(spec["judgements"]).removeprefix("judgements/").strip("/")
    if group not in at.judgements:
        raise BuildError(f"weights.{at.name} reads judgements {spec['judgements']!r}, but the "
                         f"workspace has judgements for {sorted(at.judgements)}.")
    judged = at.judgements[group]
    if spec.get("experts") is not None:  # a subset of the panel (e.g. one expert per draw)
        unknown = [e for e in spec["experts"] if e not in judged]
        if unknown or not spec["experts"]:
            raise BuildError(f"weights.{at.name}.experts must name experts of "
                             f"{spec['judgements']!r}: {sorted(judged)}. Got "
                             f"{spec['experts']!r} instead.")
        judged = {e: judged[e] for e in spec["experts"]}
    first = next(iter(judged.values()))
    if set(first.index) != set(at.kids):
        raise BuildError(f"weights.{at.name} reads judgements {spec['judgements']!r}, which "
                         f"judge {sorted(first.index)[:10]}, but the children of {at.name!r} are "
                         f"{at.kids[:10]}. Point it at the judgements of {at.name!r}.")
    return judged


def _ahp(at: Node, spec: dict, params: dict):
    """One expert: that matrix; a panel: AIJ/AIP, with each expert's CR and the group's."""
    judged = _judged(at, spec)
    single = len(judged) == 1 and spec["method"] == "ahp"
    function = ahp if single else ahp_group
    params = {k: v for k, v in params.items() if k in _keywords(function)}  # e.g. how: a panel's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InconsistentJudgementWarning)
        res = function(next(iter(judged.values())) if single else judged, **params)
    for w in caught:  # say which node and judgements the warning is about
        warnings.warn_explicit(f"weights.{at.name} ({spec['judgements']}): {w.message}",
                               w.category, w.filename, w.lineno)
    info = {k: getattr(res, k) for k in ("lambda_max", "ci", "cr") if hasattr(res, k)}
    return res.weights, {**info, "experts": list(judged)}


def _budget(at: Node, spec: dict, params: dict):
    judged = _judged(at, spec)
    alloc = pd.DataFrame({e: f["points"] for e, f in judged.items()}).T
    return budget(alloc, **params), {"experts": list(judged)}


def _combine(at: Node, spec: dict, params: dict):
    of = spec.get("of")
    if not isinstance(of, list) or len(of) < 2:
        raise BuildError(f"weights.{at.name} uses method 'combine' and needs 'of': a list of at "
                         f"least two weightings, e.g. of: [{{method: ahp, judgements: "
                         f"judgements/{at.name}}}, {{method: entropy}}]. Got {of!r} instead.")
    parts, info = {}, []
    for i, sub in enumerate(of):
        if not isinstance(sub, dict) or REGISTRY.get(sub.get("method")) is None \
                or REGISTRY[sub["method"]].resolve is None or sub["method"] == "combine":
            got = sub.get("method") if isinstance(sub, dict) else sub
            valid = [m for m, e in REGISTRY.items() if e.resolve is not None and m != "combine"]
            raise BuildError(f"weights.{at.name}.of[{i}] must be a mapping with a 'method' among "
                             f"{{{', '.join(valid)}}} (bod gives each unit its own weights and "
                             f"cannot be combined). Got {got!r} instead.")
        if is_fitted(sub):
            part, sub_info = resolve(sub, at.name, at.kids, data=at.data,
                                     judgements=at.judgements)
        else:  # given over all the node's children; fitted ones may use a subset of them
            full = at.all_kids if at.all_kids is not None else at.kids
            part, sub_info = resolve(sub, at.name, full, judgements=at.judgements)
            part = part.reindex(at.kids) / part.reindex(at.kids).sum()
            sub_info["weights"] = {k: float(v) for k, v in part.items()}
        parts[f"of[{i}] {sub['method']}"] = part  # names in combine()'s messages
        info.append(sub_info)
    return combine(parts, **params), {"parts": info}


def _fitted(fit: Callable):
    """The resolver of a method fitted on the children's scores: ``fit(data, node, params) ->
    (weights, diagnostics)`` on the units with all of them (mean-filled when fewer than 3)."""
    def resolve_fitted(at: Node, spec: dict, params: dict):
        data, info = at.data, {}
        complete = data.dropna()
        if len(complete) < 3:  # too few complete units: fit on column means for the gaps
            if len(data) < 3:
                raise BuildError(f"weights.{at.name} uses {spec['method']!r}, which needs at "
                                 f"least 3 units with scores for {at.kids}; only {len(data)} "
                                 "have them.")
            complete = data.fillna(data.mean())
            info["cells_filled_with_mean_for_fitting"] = int(data.isna().to_numpy().sum())
        info["units_used"] = len(complete)
        w, diagnostics = fit(complete, at, params)
        return w, {**info, **diagnostics}
    return resolve_fitted


def _on_scores(data: pd.DataFrame, at: Node, params: dict):
    return entropy(data, **params), {}


def _oriented(function: Callable) -> Callable:
    """CRITIC and standard deviation on scores oriented already (higher is better)."""
    def fit(data: pd.DataFrame, at: Node, params: dict):
        return function(data, directions=pd.Series(1, index=data.columns), **params), {}
    return fit


def _optimise(data: pd.DataFrame, at: Node, params: dict):
    return optimise(data, equal(at.kids), **params), {}


def _pca(data: pd.DataFrame, at: Node, params: dict):
    """Factor-analysis weights and the factor structure behind them (Handbook section 6.1)."""
    res = pca(data, **params)
    return res.weights, {"extraction": res.extraction, "n_factors": res.n_factors,
                         "eigenvalues": res.eigenvalues.to_dict(),
                         "explained_variance": res.explained_variance.to_dict(),
                         "loadings": res.loadings, "communality": res.communality.to_dict(),
                         "factor_weights": res.factor_weights.to_dict()}


#: Weighting methods by the name a scheme uses (``weights: {node: {method: <name>}}``).
REGISTRY: dict[str, NodeMethod] = {m.name: m for m in (
    NodeMethod("equal", equal, "none", _equal),
    NodeMethod("fixed", fixed, "values", _fixed),
    NodeMethod("budget", budget, "judgements", _budget),
    NodeMethod("ahp", ahp, "judgements", _ahp),
    NodeMethod("ahp_group", ahp_group, "judgements", _ahp),
    NodeMethod("entropy", entropy, "scores", _fitted(_on_scores)),
    NodeMethod("critic", critic, "scores", _fitted(_oriented(critic))),
    NodeMethod("stdev", stdev, "scores", _fitted(_oriented(stdev))),
    NodeMethod("pca", pca, "scores", _fitted(_pca)),
    NodeMethod("optimise", optimise, "scores", _fitted(_optimise)),
    NodeMethod("combine", combine, "parts", _combine),
    NodeMethod("bod", bod, "units"),
)}


def check_spec(spec: Any, where: str) -> list[str]:
    """Problems of one ``weights`` entry of a scheme (method, required inputs); its unknown keys
    are :func:`zhengji_lab.scheme_schema.unknown_keys`' (each with the closest valid key), which
    reads the valid ones from :attr:`NodeMethod.keys`."""
    if not isinstance(spec, dict) or "method" not in spec:
        return [f"{where} must be a mapping with a 'method'. Got {spec!r}."]
    entry = REGISTRY.get(spec["method"])
    if entry is None:
        return [(f"{where}.method must be one of {choices(REGISTRY)}. Got "
                 f"{spec['method']!r} instead.")]
    problems = []
    if entry.inputs == "values" and not isinstance(spec.get("values"), dict):
        problems.append(f"{where} uses method 'fixed' and needs 'values': {{child: weight, ...}}.")
    if entry.inputs == "judgements" and not spec.get("judgements"):
        problems.append(f"{where} uses method {spec['method']!r} and needs 'judgements: "
                        "judgements/<group>'.")
    if entry.inputs == "parts" and isinstance(spec.get("of"), list):
        for i, part in enumerate(spec["of"]):
            problems += check_spec(part, f"{where}.of[{i}]")
    return problems
