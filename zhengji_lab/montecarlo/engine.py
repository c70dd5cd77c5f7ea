"""The vectorised Monte Carlo engine: ranks of many draws of a scheme at once.

For every distinct combination of discrete choices that occurs in a design (normalisation,
treatment, imputation, indicators left out, aggregation method, expert …) the data stage is
computed once with ``build``'s own functions (:func:`~zhengji_lab.pipeline.prepare`,
:func:`~zhengji_lab.pipeline.normalise_table`, :func:`~zhengji_lab.pipeline.weights_for`,
:func:`~zhengji_lab.pipeline.aggregate_node`), memoised by the scheme sections each step reads.
Continuous choices (weights) are then arrays of shape ``(draws, children)`` per node, and a chunk
of draws is aggregated with numpy under ``build``'s semantics: weight 0 for children that do not
apply to a unit's kind, the ``min_coverage`` rule with reweighting over the children a unit has,
arithmetic / geometric / harmonic / Copeland means; then capped deductions, ranks within peer
groups (1 = best, ties ``min``) and grades by quota. A node whose children and weights do not
vary within the combination keeps ``build``'s own score.

:func:`naive_ranks` is the reference: one :func:`~zhengji_lab.assess.build` per draw.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 7 (uncertainty and
sensitivity analysis). doi:10.1787/9789264043466-en
"""
from __future__ import annotations

import dataclasses
import functools
import json
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zhengji_lab.aggregation import aggregate_arrays
from zhengji_lab.core import grades_by_quota, group_members, rank_within
from zhengji_lab.errors import BuildError
from zhengji_lab.montecarlo.design import Design
from zhengji_lab.pipeline import (
    PREPARE_SECTIONS,
    Prepared,
    aggregate_node,
    build_assessment,
    normalise_table,
    prepare,
    weights_for,
)
from zhengji_lab.rules import apply_deductions
from zhengji_lab.treat import winsorise
from zhengji_lab.weighting.registry import is_fitted, resolve


def _key(scheme, *sections) -> str:
    return json.dumps([scheme.spec[s] for s in sections], sort_keys=True, default=str)


@dataclass(eq=False)
class _Node:
    """One parent node of one combination."""

    name: str
    pos: int                 # column of its score
    kids: np.ndarray         # columns of its children
    kid_names: list          # their codes (for error messages)
    has: np.ndarray          # (units, children) bool: does the child apply to the unit
    weights: np.ndarray      # nominal: (children,) or (units, children) when fitted per group
    perturb: tuple | None    # (input index, first column in the design row) or None
    score: np.ndarray | None  # build's score when nothing below varies within the combination


@dataclass(eq=False)
class Stage:
    """What stays fixed for one combination of discrete choices (one year)."""

    description: str         # the choices, for error messages
    method: str
    min_coverage: float
    leaves: np.ndarray       # (units, indicators) normalised scores, NaN where absent
    nodes: list
    applied: np.ndarray      # (units,) deduction points taken off the root
    p: float | None = None   # exponent of the power mean (aggregate.p)


@dataclass(eq=False)
class Engine:
    """Precomputed stages of one workspace, design and year; evaluates chunks of design rows.

    Holds arrays only once :meth:`prepare_all` has run, so it can be scattered to a cluster.
    """

    design: Design
    year: int
    units: pd.Index
    groups: pd.Series
    root: str
    grade_names: list
    ws: object = field(repr=False)
    stages: dict = field(default_factory=dict, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)
    said: set = field(default_factory=set, repr=False)   # warnings shown (see _once)

    @classmethod
    def create(cls, ws, design: Design, year: int, said: set | None = None) -> Engine:
        """An engine for ``design`` in ``year``; the nominal scheme fixes units and groups.
        Engines of one analysis share ``said``, the warnings already shown."""
        names = [g["name"] for g in design.scheme.spec["grades"]]
        engine = cls(design, year, pd.Index([]), pd.Series(dtype=str), "", names, ws,
                     said=set() if said is None else said)
        prep = _once(engine.said, engine._prepared, design.scheme)
        engine.units, engine.groups, engine.root = prep.X.index, prep.groups, prep.root
        return engine

    # -- group structure ------------------------------------------------------------------------
    @functools.cached_property
    def group_members(self) -> list[np.ndarray]:
        """Column positions of the units of each peer group."""
        return group_members(self.groups.to_numpy())

    @functools.cached_property
    def group_codes(self) -> np.ndarray:
        """Peer group of each unit as an integer code (Copeland compares within groups)."""
        return pd.factorize(self.groups.to_numpy())[0]

    @property
    def max_group(self) -> int:
        return int(self.groups.value_counts().max())

    # -- stages ---------------------------------------------------------------------------------
    def stage(self, combo: tuple) -> Stage:
        combo = tuple(int(c) for c in combo)
        if combo not in self.stages:
            if self.ws is None:
                raise RuntimeError("Engine.stage(): a combination was not precomputed.")
            try:
                self.stages[combo] = _once(self.said, self._make_stage, combo)
            except (ValueError, ArithmeticError) as exc:
                raise BuildError(f"The scheme with {self.design.describe(combo)} cannot be built "
                                 f"for {self.year}: {exc}") from exc
        return self.stages[combo]

    def prepare_all(self, combos) -> None:
        """Compute the stages of ``combos`` and drop the workspace (the engine becomes data)."""
        for combo in combos:
            self.stage(combo)
        self.ws, self._cache = None, {}

    def nominal(self) -> tuple[np.ndarray, np.ndarray]:
        """Ranks and grade indices ``(units,)`` under the nominal scheme (nothing varied)."""
        st = _once(self.said, self._make_stage, None)
        ranks = self.ranks((st.nodes[-1].score - st.applied)[None, :])
        return ranks[0], self.grades(ranks)[0]

    def _prepared(self, s) -> Prepared:
        """The prepared table of scheme ``s``, memoised by the sections ``prepare`` reads."""
        pkey = _key(s, *PREPARE_SECTIONS)
        if pkey not in self._cache:
            self._cache[pkey] = self._prepare(s)
        return self._cache[pkey]

    def _prepare(self, s) -> Prepared:
        """:func:`~zhengji_lab.pipeline.prepare`, with the outlier treatment on a shared table.

        Treatment is ``prepare``'s last step, so a scheme that winsorises is prepared as the
        untreated table (memoised, shared by every ``treat`` alternative of the design: limits,
        thresholds, fallback) followed by :func:`~zhengji_lab.treat.winsorise` with the
        scheme's settings, which is what ``prepare`` does. (Deriving smaller limits from the
        steps of the largest one saves nothing measurable: ``benchmarks/bench_uncertainty.py``.)
        The naive loop, which calls ``build`` per draw, checks that both agree.
        """
        treat = s.spec["treat"]
        if treat["method"] != "winsorise":
            return prepare(self.ws, s, self.year)[0]
        untreated = self._prepared(s.replace("treat", {"method": "none"}))
        X = winsorise(untreated.X, **{k: v for k, v in treat.items() if k != "method"}).table
        return dataclasses.replace(untreated, X=X, stages={**untreated.stages, "treated": X})

    def _make_stage(self, combo: tuple | None) -> Stage:
        """The stage of a combination of discrete choices (``None``: the nominal scheme)."""
        ws, design, year = self.ws, self.design, self.year
        s = design.scheme if combo is None else design.scheme_for(combo)
        pkey = _key(s, *PREPARE_SECTIONS)
        prep = self._prepared(s)
        if not (prep.X.index.equals(self.units) and prep.groups.equals(self.groups)):
            raise BuildError(f"The units assessed in {year} or their peer groups change with the"
                             f" choices ({design.describe(combo)}); rank bands need one set of "
                             "units and groups.")
        nkey = pkey + _key(s, "normalise", "reference_year")
        if nkey not in self._cache:
            self._cache[nkey] = normalise_table(ws, s, prep)[0]
        norm = self._cache[nkey]

        agg = s.spec["aggregate"]
        method, cov = agg["method"], agg["min_coverage"]
        perturbed = {}
        for k, inp in enumerate(design.inputs if combo is not None else ()):
            if inp.kind in ("noise", "dirichlet"):
                start = design.slices[k].start
                for node, size in zip(inp.nodes, inp.sizes):
                    perturbed[node] = (k, start)
                    start += size
        columns = list(norm.columns) + list(prep.order)
        pos = {c: j for j, c in enumerate(columns)}
        if ("has", pkey) not in self._cache:  # which children apply to each unit: data only
            has = prep.node_applicability()
            self._cache["has", pkey] = has, {node: has[prep.children[node]].to_numpy(dtype=bool)
                                             for node in prep.order}
        has, has_kids = self._cache["has", pkey]
        scores = None  # build's frame of node scores, made when a node keeps build's score
        varies: set[str] = set()
        nodes = []
        for node in prep.order:
            kids = prep.children[node]
            spec = s.weight_spec(node)
            below = [c for c in kids if c in varies]
            if spec["method"] == "bod":
                raise BuildError(f"Node {node!r} is weighted by benefit of the doubt, which "
                                 "solves one linear programme per unit; the uncertainty analysis "
                                 "does not vary schemes with BoD nodes. Compare BoD with "
                                 "zl.compare_schemes instead.")
            if is_fitted(spec):
                if below or node in perturbed:
                    raise BuildError(f"Node {node!r} is weighted by {spec['method']!r}, fitted on "
                                     f"the scores of its children, but "
                                     f"{'its own weights' if node in perturbed else below} vary "
                                     f"within a draw; vary its method with alternatives instead.")
                scores = norm.copy() if scores is None else scores
                w = weights_for(ws, s, prep, scores, has, node, kids)[0]
            else:  # weights that do not depend on the data: resolved once per specification
                wkey = ("weights", node, json.dumps(spec, sort_keys=True, default=str))
                if wkey not in self._cache:
                    self._cache[wkey] = weights_for(ws, s, prep, norm, has, node, kids)[0]
                w = self._cache[wkey]
            dynamic = bool(below) or node in perturbed
            if dynamic:  # aggregated per draw
                varies.add(node)
            else:
                scores = norm.copy() if scores is None else scores
                scores[node] = aggregate_node(scores, has, kids, w, method=method,
                                              min_coverage=cov, groups=prep.groups,
                                              p=agg.get("p"))[0]
            W = (w.reindex(index=self.units, columns=kids).to_numpy(dtype=float)
                 if isinstance(w, pd.DataFrame) else w.reindex(kids).to_numpy(dtype=float))
            nodes.append(_Node(node, pos[node], np.array([pos[c] for c in kids]), kids,
                               has_kids[node], W, perturbed.get(node),
                               None if dynamic else scores[node].to_numpy(dtype=float)))
        cap = s.spec["deductions"].get("cap")
        if ("deductions", cap) not in self._cache:
            events = ws.deductions[ws.deductions["year"] == year]
            zero = pd.Series(0.0, index=self.units)
            self._cache["deductions", cap] = -apply_deductions(zero, events, cap=cap)[0]
        applied = self._cache["deductions", cap]
        return Stage(design.describe(combo), method, cov, norm.to_numpy(dtype=float), nodes,
                     applied.to_numpy(dtype=float), p=agg.get("p"))

    # -- evaluation -----------------------------------------------------------------------------
    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Composite after deductions, ``(draws, units)``, for design rows in ``[0, 1)``."""
        rows = np.atleast_2d(np.asarray(rows, dtype=float))
        out = np.empty((len(rows), len(self.units)))
        choices = self.design.choices(rows)
        if choices.shape[1] == 0:
            out[:] = self._evaluate(self.stage(()), rows)
            return out
        combos, inverse = np.unique(choices, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        for c, combo in enumerate(combos):
            take = inverse == c
            st = self.stage(tuple(combo))
            try:
                out[take] = self._evaluate(st, rows[take])
            except ValueError as exc:
                raise BuildError(f"With {st.description} ({self.year}): {exc}") from exc
        return out

    def _evaluate(self, st: Stage, rows: np.ndarray) -> np.ndarray:
        D = len(rows)
        vals: dict[int, np.ndarray] = {}
        L = st.leaves.shape[1]
        for node in st.nodes:
            if node.score is not None:
                vals[node.pos] = node.score
                continue
            if node.perturb is not None:
                k, start = node.perturb
                u = rows[:, start:start + len(node.kids)]
                v = self.design.inputs[k].perturb(node.weights, u)
                w = v / v.sum(axis=1, keepdims=True)      # weighting.fixed(): rescaled to sum 1
            else:
                w = node.weights
            per_draw = node.perturb is not None
            # children first: (k, draws, units), so that sums over k add whole planes
            kids = [st.leaves[:, j] if j < L else vals[j] for j in node.kids]
            C = (np.stack(kids)[:, None, :] if all(k.ndim == 1 for k in kids) else
                 np.stack([np.broadcast_to(k, (D, len(self.units))) for k in kids]))
            W = w.T[:, :, None] if per_draw else w.T[:, None, :] if w.ndim == 2 \
                else w[:, None, None]
            try:
                vals[node.pos] = aggregate_arrays(
                    C, W, node.has.T[:, None, :], method=st.method, min_coverage=st.min_coverage,
                    p=st.p, groups=self.groups.to_numpy(), units=self.units.to_numpy(),
                    children=node.kid_names)
            except ValueError as exc:
                raise ValueError(f"Node {node.name!r}: {exc}") from exc
        root = vals[st.nodes[-1].pos]
        return np.broadcast_to(root - st.applied, (D, len(self.units)))

    def ranks(self, scores: np.ndarray) -> np.ndarray:
        """Ranks within peer groups, ``(draws, units)`` int32; 0 where a unit has no score."""
        return rank_within(scores, self.group_members)

    def grades(self, ranks: np.ndarray) -> np.ndarray:
        """Grade index per draw and unit (0 = best); ``len(grades)`` where there is no rank."""
        shares = [g["share"] for g in self.design.scheme.spec["grades"]]
        return grades_by_quota(ranks, self.group_members, np.cumsum(shares))


def _once(said: set, fn, *args, **kwargs):
    """``fn(*args)``, with each warning it raises shown once per engine (the same data warning
    of every combination of choices is one warning for the user, not one per combination)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    for w in caught:
        if (w.category, str(w.message)) not in said:
            said.add((w.category, str(w.message)))
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out


def naive_ranks(ws, design: Design, year: int, rows: np.ndarray) -> pd.DataFrame:
    """Reference path: for every design row, the scheme with its choices and one ``build``.

    Discrete choices are applied with :meth:`Scheme.replace`; perturbed weights become
    ``{method: fixed, values: ...}`` of the node (its nominal weights for the draw's choices ×
    the perturbation), then ``build_assessment(ws, scheme, year, validate=False, history=False)``.

    Returns
    -------
    DataFrame
        ``draw, unit_id, score, rank, grade`` of the composite (rank and grade missing where a
        unit has no score).
    """
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    choices = design.choices(rows)
    out, said = [], set()
    for d, row in enumerate(rows):
        s = design.scheme_for(choices[d])
        for k, inp in enumerate(design.inputs):
            if inp.kind not in ("noise", "dirichlet"):
                continue
            start = design.slices[k].start
            for node, size in zip(inp.nodes, inp.sizes):
                kids = design.children[node]
                spec = s.weight_spec(node)
                if is_fitted(spec):
                    raise BuildError(f"Node {node!r} is weighted by {spec['method']!r}; its "
                                     "weights cannot be perturbed.")
                nominal = resolve(spec, node, kids, judgements=ws.judgements)[0].to_numpy(dtype=float)
                v = inp.perturb(nominal, row[None, start:start + size])[0]
                s = s.replace(f"weights.{node}", {"method": "fixed",
                                                  "values": dict(zip(kids, v.tolist()))})
                start += size
        a = _once(said, build_assessment, ws, s, year, validate=False, history=False)
        root = a.scores[a.scores["node"] == a.root]
        out.append(root[["unit_id", "score", "rank", "grade"]].assign(draw=d))
    return pd.concat(out, ignore_index=True)[["draw", "unit_id", "score", "rank", "grade"]]


def quantile_of_counts(hist: np.ndarray, values: np.ndarray, q: float) -> np.ndarray:
    """``np.quantile(x, q)`` (linear interpolation) of samples given as counts per value.

    ``hist`` is ``(rows, len(values))`` counts, ``values`` ascending; rows without samples give
    NaN. Exact: the order statistics at ``floor(h)`` and ``ceil(h)``, ``h = (n − 1) q``.

    >>> quantile_of_counts(np.array([[2, 0, 1]]), np.array([1, 2, 3]), 0.5).tolist()
    [1.0]
    """
    n = hist.sum(axis=1)
    cum = np.cumsum(hist, axis=1)
    h = (n - 1) * q
    lo, hi = np.floor(h).astype(np.int64), np.ceil(h).astype(np.int64)

    def order_stat(k):
        idx = (cum <= k[:, None]).sum(axis=1)
        return values[np.minimum(idx, len(values) - 1)].astype(float)

    x_lo, x_hi = order_stat(lo), order_stat(hi)
    res = x_lo + (h - lo) * (x_hi - x_lo)
    return np.where(n > 0, res, np.nan)


