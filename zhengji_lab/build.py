"""``build(ws, scheme, year)``: from a workspace and a scheme to an :class:`Assessment`.

Steps (DESIGN.md, "Flow of data"): select the units and indicators of the year → impute and treat
outliers as the scheme says → normalise (directions applied here only) → weight each parent node
→ aggregate up the tree → take off deductions (capped, shown separately) → rank within peer groups
(1 = best, ties ``min``) → grades by quota → talk triggers from this and earlier years.
Every step appends a :class:`StepRecord` with its parameters and the values it resolved
(goalposts, AHP consistency, data-driven weights) to ``Assessment.log``; building again from
``Assessment.scheme`` reproduces the same numbers.

The steps are also public as functions on plain frames (:func:`prepare`, :func:`normalise_table`,
:func:`weights_for`, :func:`aggregate_node`), which the uncertainty analysis reuses.
"""
from __future__ import annotations

import logging
import platform
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zhengji_lab import __version__
from zhengji_lab.aggregate import aggregate, rank
from zhengji_lab.errors import BuildError
from zhengji_lab.normalise import fit_goalposts, normalise
from zhengji_lab.prep import denominate, denominator_spec, screen
from zhengji_lab.rules import apply_deductions, assign_grades, talk_triggers
from zhengji_lab.scheme import Scheme
from zhengji_lab.treat import impute, winsorise
from zhengji_lab.weighting import bod
from zhengji_lab.weighting.registry import is_fitted, resolve
from zhengji_lab.workspace import COLUMNS, Workspace, canonical

logger = logging.getLogger(__name__)

#: The scheme sections :func:`prepare` reads (the Monte Carlo engine memoises by them).
PREPARE_SECTIONS = ("denominate", "impute", "screen", "treat", "peer_groups", "exclude")


@dataclass(frozen=True)
class StepRecord:
    """One step of a build: its parameters as given and the values it resolved."""

    step: str
    params: dict
    resolved: Any = None

    def as_row(self) -> dict:
        """The record as one row of the log table (values shortened for display)."""
        res = self.resolved
        if isinstance(res, pd.DataFrame):
            res = f"table {res.shape[0]}×{res.shape[1]}"
        text = str(res)
        return {"step": self.step, "params": str(self.params),
                "resolved": text if len(text) < 300 else text[:297] + "..."}


@dataclass(frozen=True, eq=False)
class Prepared:
    """The inputs of one year, ready for normalisation.

    Attributes
    ----------
    X : DataFrame
        Units × indicators (leaves), after denomination, imputation, screening and treatment.
    applicable : DataFrame of bool
        Units × indicators: does the indicator apply to the unit's kind.
    groups : Series
        Peer group per unit.
    children : dict
        Parent code → list of child codes, for every non-leaf node.
    order : list
        Non-leaf nodes, children before parents (the root last).
    targets : DataFrame
        Units × indicators targets of the year (NaN where none).
    stages : dict
        The table after each step that ran: ``raw`` (as selected), ``denominated``,
        ``imputed``, ``screened``, ``treated`` (= ``X``).
    """

    X: pd.DataFrame
    applicable: pd.DataFrame
    groups: pd.Series
    children: dict
    order: list
    targets: pd.DataFrame
    directions: pd.Series
    root: str
    stages: dict = field(default_factory=dict)


_NOBODY_SCREENED = pd.DataFrame(columns=["unit_id", "available", "applicable", "share"])


@dataclass(frozen=True, eq=False)
class Assessment:
    """The result of :func:`build`; never written by hand.

    Attributes
    ----------
    scheme : Scheme
    year : int
    scores : DataFrame
        Tidy ``unit_id, year, node, score, rank, grade``. The root (node ``index`` in the usual
        framework) holds the composite after deductions; ranks are within peer groups and follow
        that score; grades are given for the composite only.
    weights : DataFrame
        ``parent, node, weight, method, group`` (group ``*`` unless a data-driven method was
        fitted per peer group).
    deductions : DataFrame
        ``unit_id, year, items, points, applied, capped``.
    triggers : DataFrame
        ``unit_id, year, trigger, label, evidence``.
    log : list of StepRecord
    screened_out : DataFrame
        Units left out by the scheme's ``screen`` step: ``unit_id, available, applicable,
        share``.
    framework : DataFrame
        The workspace's indicator tree (names, units, directions) the assessment was built on.
    provenance : dict
        Package version, scheme fingerprint, data hash, year.
    units : DataFrame
        The assessed units with names, kind and peer group.
    """

    scheme: Scheme
    year: int
    scores: pd.DataFrame
    weights: pd.DataFrame
    deductions: pd.DataFrame
    triggers: pd.DataFrame
    log: list
    provenance: dict
    units: pd.DataFrame
    stages: dict = field(default_factory=dict, repr=False)
    screened_out: pd.DataFrame = field(default_factory=lambda: _NOBODY_SCREENED, repr=False)
    framework: pd.DataFrame | None = field(default=None, repr=False)

    def stage(self, name: str) -> pd.DataFrame:
        """An intermediate units × indicators table: ``raw`` (as selected), ``denominated``,
        ``imputed``, ``screened`` (those that ran), ``treated``, ``normalised``, ``nodes`` (every
        node's score before deductions) or ``applicable``."""
        if name not in self.stages:
            raise KeyError(f"No stage {name!r}; stages are {sorted(self.stages)}.")
        return self.stages[name]

    @property
    def root(self) -> str:
        return self.provenance["root"]

    @property
    def index(self) -> pd.Series:
        """The composite (after deductions) per unit."""
        s = self.scores[self.scores["node"] == self.root]
        return s.set_index("unit_id")["score"]

    def log_frame(self) -> pd.DataFrame:
        """The log as a table: one row per step."""
        return pd.DataFrame([r.as_row() for r in self.log])

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """The ranking per peer group with names, dimension scores, deductions and grade."""
        s = self.scores.pivot(index="unit_id", columns="node", values="score")
        root = self.scores[self.scores["node"] == self.root].set_index("unit_id")
        name = "name_zh" if lang == "zh" else "name_en"
        out = self.units.set_index("unit_id")[[name, "kind", "peer_group"]].join(s)
        out["deduction"] = self.deductions.set_index("unit_id")["applied"].reindex(out.index)
        out["rank"] = root["rank"].reindex(out.index)
        out["grade"] = root["grade"].reindex(out.index)
        return out.sort_values(["peer_group", "rank"]).reset_index()

    def summary(self) -> str:
        n = self.units.shape[0]
        return (f"Assessment {self.year} — scheme {self.scheme.spec['name']!r} "
                f"({self.provenance['fingerprint']}), {n} units, "
                f"{self.scores['node'].nunique()} nodes, {len(self.triggers)} talk triggers")

    def _repr_html_(self) -> str:
        return f"<p>{self.summary()}</p>" + self.table().head(20).to_html(index=False)

    def __repr__(self) -> str:
        return f"<{self.summary()}>"


# ---------------------------------------------------------------------------------------------
def node_order(ws: Workspace):
    """``(children, order, leaves, root)``: parents listed after their children, root last."""
    children, root = ws.tree(), ws.root
    order: list[str] = []

    def visit(node):
        for c in children.get(node, []):
            if c in children:
                visit(c)
        order.append(node)

    visit(root)
    return children, order, ws.indicators(), root


def prepare(ws: Workspace, scheme: Scheme, year: int) -> tuple[Prepared, list[StepRecord]]:
    """Select the year's units and indicators, then denominate, impute, screen and treat as the
    scheme says (COINr's order: Becker et al. 2022)."""
    log: list[StepRecord] = []
    fw = ws.framework
    children, order, leaves, root = node_order(ws)
    col = scheme.spec["peer_groups"]
    if col not in ws.units.columns:
        raise BuildError(f"The scheme's peer_groups names column {col!r}, which units.csv lacks."
                         f" Columns there: {list(ws.units.columns)}.")
    vals = ws.values[ws.values["year"] == year]
    units = ws.units[ws.units["unit_id"].isin(vals.dropna(subset=["value"])["unit_id"])]
    dropped = sorted(set(ws.units["unit_id"]) - set(units["unit_id"]))
    if dropped:
        warnings.warn(f"{len(dropped)} unit(s) have no values in {year} and are not assessed: "
                      f"{dropped[:10]}", UserWarning, stacklevel=3)
    if units.empty:
        raise BuildError(f"No values for year {year}. Years with values: "
                         f"{sorted(ws.values['year'].unique().tolist())}.")
    ids = units["unit_id"].tolist()
    X = (vals.pivot(index="unit_id", columns="indicator", values="value")
         .reindex(index=ids, columns=leaves).astype(float))
    applicable = pd.DataFrame(False, index=ids, columns=leaves)
    for kind, members in units.groupby("kind", sort=False):
        applicable.loc[members["unit_id"].to_numpy(), ws.indicators(kind)] = True
    # an individualized indicator applies to a unit-year only when a target was declared for it
    tg = ws.targets[ws.targets["year"] == year]
    declared = set(zip(tg["unit_id"], tg["indicator"]))
    for c in fw.loc[fw["scope"] == "individualized", "code"]:
        applicable[c] &= np.array([(u, c) in declared for u in ids])
    excluded = scheme.spec["exclude"]
    if excluded:  # indicators left out apply to no unit: weight 0 everywhere, not missing
        unknown = [c for c in excluded if c not in leaves]
        if unknown:
            raise BuildError(f"The scheme's 'exclude' names {unknown[:10]}, which are not "
                             f"indicators of the framework; indicators are {leaves[:10]}"
                             f"{' ...' if len(leaves) > 10 else ''}.")
        applicable[excluded] = False
    X = X.where(applicable)
    groups = units.set_index("unit_id")[col].astype(str)
    targets = (tg.pivot(index="unit_id", columns="indicator", values="target")
               .reindex(index=ids, columns=leaves).astype(float)) if len(tg) else \
        pd.DataFrame(np.nan, index=ids, columns=leaves)
    missing = int((X.isna() & applicable).to_numpy().sum())
    log.append(StepRecord("select", {"year": year, "peer_groups": col},
                          {"units": len(ids), "indicators": len(leaves),
                           "missing_cells": missing, "units_without_values": dropped,
                           "excluded": list(excluded)}))

    stages = {"raw": X}
    den = scheme.spec["denominate"]
    if den:
        unknown = [c for c in den if c not in leaves]
        if unknown:
            raise BuildError(f"The scheme's 'denominate' names {unknown[:10]}, which are not "
                             f"indicators of the framework; indicators are {leaves[:10]}"
                             f"{' ...' if len(leaves) > 10 else ''}.")
        names = sorted({denominator_spec(e)[0] for e in den.values()})
        X, done = denominate(X, den, ws.covariate_table(year, names))
        log.append(StepRecord("denominate", den, done))
        stages["denominated"] = X
    imp = scheme.spec["impute"]
    if imp["method"] != "none":
        by = imp["by"] or col
        if by not in ws.units.columns:
            raise BuildError(f"The scheme's impute.by names column {by!r}, which units.csv "
                             f"lacks. Columns there: {list(ws.units.columns)}.")
        history = ws.values[ws.values["year"] < year]
        X, filled = impute(X, method=imp["method"], groups=units.set_index("unit_id")[by],
                           history=history, applicable=applicable)
        log.append(StepRecord("impute", imp, filled))
        stages["imputed"] = X
    min_share = scheme.spec["screen"]["min_share"]
    if min_share > 0:
        kept, left_out = screen(X, applicable, min_share=min_share)
        if len(kept) == 0:
            raise BuildError(f"No unit has {min_share:.0%} of its data in {year} "
                             f"(screen.min_share); lower it or complete the data.")
        X, applicable, targets = X.loc[kept], applicable.loc[kept], targets.loc[kept]
        groups = groups.loc[kept]
        log.append(StepRecord("screen", scheme.spec["screen"], left_out))
        stages["screened"] = X
    treat = scheme.spec["treat"]
    if treat["method"] == "winsorise":
        done = winsorise(X, **{k: v for k, v in treat.items() if k != "method"})
        X = done.table  # the log says per indicator what was done and which cells changed
        log.append(StepRecord("treat", treat, {**done.summary(), "details": done.details,
                                               "points": done.points}))
    stages["treated"] = X
    directions = fw.set_index("code")["direction"].reindex(leaves).astype(int)
    return Prepared(X, applicable, groups, children, order, targets, directions, root,
                    stages), log


def _normalise_key(spec: dict):
    return (spec["method"], tuple(spec.get("scale") or ()), spec.get("cap"))


def normalise_table(ws: Workspace, scheme: Scheme, prep: Prepared,
                    ) -> tuple[pd.DataFrame, StepRecord]:
    """Normalise every indicator with its own settings (global ones updated by overrides).

    Goalposts not given in the scheme are fitted on the scheme's ``reference_year`` (the values
    of all units that year after imputation and treatment), so that scores are comparable
    across years; when the reference year has no spread for an indicator they are fitted on the
    assessed year and the log says so.
    """
    X = prep.X
    out = pd.DataFrame(index=X.index, columns=X.columns, dtype=float)
    groups: dict[tuple, list[str]] = {}
    for code in X.columns[prep.applicable.any(axis=0).to_numpy()]:  # skip excluded indicators
        groups.setdefault(_normalise_key(scheme.normalise_spec(code)), []).append(code)
    resolved: dict[str, Any] = {}
    ref_year = scheme.spec["reference_year"]
    given = scheme.spec["normalise"].get("goalposts") or {}
    named = set(given) | set(scheme.spec["normalise"].get("overrides") or {})
    unknown = sorted(named - set(X.columns))
    if unknown:  # a scheme written for another framework, or a typo: say so, then go on
        warnings.warn(f"The scheme's normalise section names {unknown[:10]}, which are not "
                      f"indicators of this workspace; those settings are not used.",
                      UserWarning, stacklevel=3)
        resolved["unknown_indicators"] = unknown
    for (method, scale, cap), codes in groups.items():
        sub = X[codes]
        kwargs: dict[str, Any] = {}
        if method == "goalposts":
            gp = {}
            need = [c for c in codes if c not in given]
            fitted = fit_goalposts(_reference_table(ws, scheme, ref_year, resolved)
                                   .reindex(columns=need)) if need else None
            for c in need:
                lo, hi = fitted.at[c, "lo"], fitted.at[c, "hi"]
                if not lo < hi:  # no spread (or no values) in the reference year
                    lo, hi = fit_goalposts(sub[[c]]).loc[c]
                    resolved.setdefault("fitted_on_assessed_year", []).append(c)
                if not lo < hi:  # no values this year either: nothing to normalise
                    lo, hi = 0.0, 1.0
                    resolved.setdefault("no_spread", []).append(c)
                gp[c] = (float(lo), float(hi))
            gp.update({c: tuple(given[c]) for c in codes if c in given})
            kwargs["goalposts"] = gp
            resolved.setdefault("goalposts", {}).update(gp)
        elif method == "target":
            kwargs["targets"] = prep.targets[codes]
            kwargs["cap"] = cap
        out[codes] = normalise(sub, method=method, directions=prep.directions[codes],
                               scale=list(scale) if scale else None, **kwargs)
    record = StepRecord("normalise", scheme.spec["normalise"],
                        {"reference_year": ref_year, **resolved})
    return out.where(prep.applicable), record


def _reference_table(ws: Workspace, scheme: Scheme, ref_year, resolved: dict) -> pd.DataFrame:
    """The reference year's values, imputed and treated as the scheme says (goalposts are
    fitted on them); an empty table, with a warning, when the workspace lacks that year."""
    if ref_year is not None and ref_year in ws.years:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # already said when the reference year is built
            return prepare(ws, scheme, ref_year)[0].X
    if ref_year is not None:
        warnings.warn(f"The scheme's reference_year {ref_year} has no values in this workspace "
                      f"(years {ws.years}); goalposts are fitted on the assessed year, so they "
                      "differ from year to year.", UserWarning, stacklevel=4)
        resolved["reference_year_missing"] = True
    return pd.DataFrame(dtype=float)


def aggregate_node(scores: pd.DataFrame, has: pd.DataFrame, kids: list[str], w, *,
                   method: str, min_coverage: float, groups: pd.Series | None = None,
                   p: float | None = None):
    W = (w.reindex(index=scores.index, columns=kids) if isinstance(w, pd.DataFrame)
         else pd.DataFrame(np.broadcast_to(w.reindex(kids).to_numpy(), (len(scores), len(kids))),
                           index=scores.index, columns=kids))
    W = W.where(has[kids], 0.0)
    return (aggregate(scores[kids], W, method=method, min_coverage=min_coverage, groups=groups,
                      p=p),
            has[kids].any(axis=1))


def as_scheme(ws: Workspace, scheme) -> Scheme:
    if isinstance(scheme, Scheme):
        return scheme
    if isinstance(scheme, dict):
        return Scheme.from_dict(scheme)
    if isinstance(scheme, (str, Path)):
        if str(scheme) in ws.schemes:
            return Scheme.from_yaml(ws.schemes[str(scheme)])
        if Path(scheme).is_file():
            return Scheme.from_yaml(Path(scheme))
        raise BuildError(f"No scheme {str(scheme)!r}: not a file, and the workspace's schemes "
                         f"are {sorted(ws.schemes)}.")
    raise TypeError(f"The 'scheme' parameter of build() must be a Scheme, a scheme name or a "
                    f"YAML path. Got {type(scheme).__name__} instead.")


def _indicator_sets(has: pd.DataFrame, kids: list[str], groups: pd.Series):
    """``(group, label, children, units)`` for each peer group and set of applicable children.

    Towns and parks of one peer group apply different indicators; fitted weights and BoD are
    computed per set. ``label`` is the group, or ``group/child;child`` where a group has several
    sets. Units to which no child applies are skipped.
    """
    pattern = has[kids].apply(lambda r: ";".join(k for k, v in r.items() if v), axis=1)
    for (g, pat), members in pattern.groupby([groups, pattern], sort=False):
        if pat:
            label = g if pattern[groups == g].nunique() == 1 else f"{g}/{pat}"
            yield g, label, pat.split(";"), members.index


def _bod_node(prep, scores, has, node, kids, spec, log_rows):
    """A node weighted by benefit of the doubt: each unit's own weights (Cherchye et al. 2007).

    Units are compared within their peer group, among units with the same applicable children;
    the node's score is the unit's BoD score in percent of the best (0–100). Units missing a
    child's score get no score (logged).
    """
    params = {k: v for k, v in spec.items() if k != "method"}
    out = pd.Series(np.nan, index=scores.index)
    W = pd.DataFrame(0.0, index=scores.index, columns=kids)
    for g, label, used, members in _indicator_sets(has, kids, prep.groups):
        data = scores.loc[members, used].dropna()
        if data.empty:
            continue
        res = bod(data, **params)
        out[data.index] = 100.0 * res.scores
        own = res.weights.div(res.weights.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
        W.loc[data.index, used] = own.to_numpy()
        log_rows.append(StepRecord("weight", {"node": node, "group": label, **spec},
                                   {"method": "bod", "scores": res.scores.round(4).to_dict(),
                                    "weights": res.weights, "units_without_score":
                                    sorted(set(members) - set(data.index))}))
    mean = W[out.notna()].mean()
    rows = [(node, k, float(mean[k] / mean.sum()) if mean.sum() > 0 else 0.0, "bod",
             "mean of units") for k in kids]
    return out, W, rows


def weights_for(ws, scheme, prep, norm_scores, has, node, kids, log_rows):
    spec = scheme.weight_spec(node)
    if not is_fitted(spec):
        w, info = resolve(spec, node, kids, judgements=ws.judgements)
        log_rows.append(StepRecord("weight", {"node": node, **spec}, info))
        return w, [(node, k, float(w[k]), spec["method"], "*") for k in kids]
    # data-driven: fitted within each peer group, separately for each set of applicable children
    # (towns and parks of one group have different indicators), on the units that have them all
    frames, rows = [], []
    for g, label, used, members in _indicator_sets(has, kids, prep.groups):
        data = norm_scores.loc[members, used]
        if len(data.dropna()) < 3:  # few units with this pattern: fit on the whole peer group
            peers = norm_scores.loc[prep.groups.index[prep.groups == g], used]
            data = peers.dropna(how="all")
        scored = [c for c in used if data[c].notna().any()]  # a child without scores gets 0
        if not scored:
            continue
        w, info = resolve(spec, node, scored, data=data[scored], judgements=ws.judgements,
                          all_kids=kids)
        if len(scored) < len(used):
            info["children_without_scores"] = sorted(set(used) - set(scored))
        w = w.reindex(kids).fillna(0.0)
        frames.append(pd.DataFrame([w.to_numpy()] * len(members), index=members, columns=kids))
        rows += [(node, k, float(w[k]), spec["method"], label) for k in kids]
        log_rows.append(StepRecord("weight", {"node": node, "group": label, **spec}, info))
    if not frames:  # no child of this node has a score for any unit
        return pd.DataFrame(0.0, index=norm_scores.index, columns=kids), rows
    return pd.concat(frames).reindex(norm_scores.index).fillna(0.0), rows


def build(ws: Workspace, scheme, year: int, *, validate: bool = True,
          history: bool = True) -> Assessment:
    """Build the assessment of ``year``.

    Parameters
    ----------
    ws : Workspace
    scheme : Scheme, str or path
        A Scheme, the name of one of the workspace's schemes, or a YAML file.
    year : int
    validate : bool
        Check that the year exists and the scheme fits the workspace (skip inside loops).
    history : bool
        Build the earlier years needed by the talk triggers (``False`` inside such builds).

    Returns
    -------
    Assessment
    """
    if any(c not in getattr(ws, t).columns for t, cols in COLUMNS.items() for c in cols):
        ws = canonical(ws)  # a workspace made in memory: the defaults load_workspace fills in
    scheme = as_scheme(ws, scheme)
    if validate:
        if not isinstance(year, (int, np.integer)) or isinstance(year, bool):
            raise TypeError(f"The 'year' parameter of build() must be an integer. Got "
                            f"{year!r} instead.")
        if year not in ws.years:
            raise BuildError(f"No values for year {year}; the workspace has {ws.years}.")
    prep, log = prepare(ws, scheme, int(year))
    norm, record = normalise_table(ws, scheme, prep)
    log.append(record)

    agg = scheme.spec["aggregate"]
    weights: dict = {}
    weight_rows: list = []
    scores, has = norm.copy(), prep.applicable.copy()
    # bottom-up: a data-driven method at a parent is fitted on its children's scores
    for node in prep.order:
        kids = prep.children[node]
        if scheme.weight_spec(node)["method"] == "bod":
            scores[node], weights[node], rows = _bod_node(prep, scores, has, node, kids,
                                                          scheme.weight_spec(node), log)
            weight_rows += rows
            has[node] = has[kids].any(axis=1)
            continue
        weights[node], rows = weights_for(ws, scheme, prep, scores, has, node, kids, log)
        weight_rows += rows
        scores[node], has[node] = aggregate_node(scores, has, kids, weights[node],
                                                 method=agg["method"],
                                                 min_coverage=agg["min_coverage"],
                                                 groups=prep.groups, p=agg.get("p"))
    low = scores.index[scores[prep.root].isna()].tolist()
    log.append(StepRecord("aggregate", agg, {"units_below_min_coverage": low}))

    root = prep.root
    events = ws.deductions[ws.deductions["year"] == year]
    final, ded = apply_deductions(scores[root], events,
                                  cap=scheme.spec["deductions"].get("cap"))
    ded.insert(1, "year", int(year))
    log.append(StepRecord("deductions", scheme.spec["deductions"],
                          {"units": len(ded), "points_applied": float(ded["applied"].sum())}))
    nodes = scores.copy()  # stage 'nodes': every node's score before deductions
    scores[root] = final

    ranks = {n: rank(scores[n], prep.groups) for n in scores.columns}
    grades = assign_grades(ranks[root], prep.groups, scheme.spec["grades"])
    log.append(StepRecord("grades", {"grades": scheme.spec["grades"]},
                          grades.value_counts().to_dict()))
    tidy = (scores.rename_axis("unit_id").reset_index()
            .melt(id_vars="unit_id", var_name="node", value_name="score"))
    tidy["rank"] = pd.concat(ranks, names=["node", "unit_id"]).reindex(
        pd.MultiIndex.from_frame(tidy[["node", "unit_id"]])).array
    tidy["grade"] = np.where(tidy["node"] == root, grades.reindex(tidy["unit_id"]).to_numpy(),
                             None)
    tidy.insert(1, "year", int(year))
    order = {n: i for i, n in enumerate([root] + [n for n in reversed(prep.order) if n != root]
                                        + list(norm.columns))}
    tidy = tidy.sort_values(["node", "unit_id"], key=lambda s: s.map(order) if s.name == "node"
                            else s, ignore_index=True)

    triggers = _triggers(ws, scheme, int(year), ranks[root], prep.groups, ded) \
        if history and scheme.spec["triggers"] else \
        pd.DataFrame(columns=["unit_id", "year", "trigger", "label", "evidence"])
    log.append(StepRecord("triggers", scheme.spec["triggers"], {"n": len(triggers)}))
    if history and scheme.spec["uncertainty_flags"] is not None:
        # grades and triggers that depend on the scheme's uncertain choices (issue 4, point 5)
        from zhengji_lab.sensitivity.analysis import uncertainty_flags  # imports this module

        tidy, triggers, record = uncertainty_flags(ws, scheme, int(year), tidy, triggers, root)
        log.append(record)

    units = ws.units[ws.units["unit_id"].isin(norm.index)].reset_index(drop=True)
    units = units.assign(peer_group=units["unit_id"].map(prep.groups))
    provenance = {"package": "zhengji_lab", "version": __version__, "year": int(year),
                  "scheme": scheme.spec["name"], "fingerprint": scheme.fingerprint(),
                  "data_hash": ws.data_hash(), "root": root, "source": ws.source,
                  "python": platform.python_version(), "pandas": pd.__version__,
                  "numpy": np.__version__}
    return Assessment(scheme=scheme, year=int(year), scores=tidy,
                      weights=pd.DataFrame(weight_rows,
                                           columns=["parent", "node", "weight", "method", "group"]),
                      deductions=ded, triggers=triggers, log=log, provenance=provenance,
                      units=units, stages={**prep.stages, "normalised": norm, "nodes": nodes,
                                           "applicable": prep.applicable},
                      screened_out=next((r.resolved for r in log if r.step == "screen"),
                                        _NOBODY_SCREENED), framework=ws.framework)


def _triggers(ws, scheme, year, ranks, groups, ded) -> pd.DataFrame:
    rules = scheme.spec["triggers"]
    back = max([rules.get("consecutive_lagging", {}).get("years", 1),
                2 if "marked_regression" in rules else 1])
    frames = [_rank_history(ranks, groups, year)]
    for y in range(year - back + 1, year):
        if y not in ws.years:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            past = build(ws, scheme, y, validate=False, history=False)
        r = past.scores[past.scores["node"] == past.root].set_index("unit_id")["rank"]
        frames.append(_rank_history(r, past.units.set_index("unit_id")["peer_group"], y))
    return talk_triggers(pd.concat(frames, ignore_index=True), year, rules, ded)


def _rank_history(ranks: pd.Series, groups: pd.Series, year: int) -> pd.DataFrame:
    """``unit_id, year, rank, group_size``; the size counts the ranked units of the group."""
    g = groups.reindex(ranks.index)
    size = ranks.notna().groupby(g).transform("sum")
    return pd.DataFrame({"unit_id": ranks.index, "year": year, "rank": ranks.to_numpy(),
                         "group_size": size.to_numpy()})
