"""Selecting a year's units and indicators and preparing the data: denominate, impute, screen and
treat outliers, as the scheme says (COINr's order: Becker et al. 2022). Directions are applied
later, when normalising.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zhengji_lab.errors import BuildError
from zhengji_lab.pipeline.notices import (
    Notices,
    check_indicators,
    check_targets,
    check_units,
    no_values_message,
)
from zhengji_lab.pipeline.records import FrozenMap, Selected, StepRecord, Table, Treated
from zhengji_lab.prep import denominate, denominator_spec, screen
from zhengji_lab.scheme import Scheme
from zhengji_lab.treat import impute, winsorise

if TYPE_CHECKING:  # annotations only: loading a workspace checks its schemes' uncertainty
    # entries with the Monte Carlo's parser, which reads the tree with node_order below
    from zhengji_lab.workspace import Workspace

#: The scheme sections :func:`prepare` reads (the Monte Carlo engine memoises by them).
PREPARE_SECTIONS = ("denominate", "impute", "screen", "treat", "peer_groups", "exclude")


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

    def node_applicability(self) -> pd.DataFrame:
        """Units × (indicators and nodes): does the indicator, or any indicator under the node,
        apply to the unit (a node that applies to none of a unit's indicators has weight 0 for
        it, not a missing score)."""
        has = self.applicable.copy()
        for node in self.order:  # children before parents
            has[node] = has[self.children[node]].any(axis=1)
        return has


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
    if units.empty:
        raise BuildError(no_values_message(ws, year))
    note = Notices(ws, year)  # the year's warnings about the data, warned and logged
    units = check_units(note, units, col, dropped)
    ids = units["unit_id"].tolist()
    X = (vals.pivot(index="unit_id", columns="indicator", values="value")
         .reindex(index=ids, columns=leaves).astype(float))
    applicable = pd.DataFrame(False, index=ids, columns=leaves)
    for kind, members in units.groupby("kind", sort=False):
        applicable.loc[members["unit_id"].to_numpy(), ws.indicators(kind)] = True
    # an individualized indicator applies to a unit-year only when a target was declared for it
    tg = ws.targets[ws.targets["year"] == year]
    declared = set(zip(tg["unit_id"], tg["indicator"]))
    for c in ws.individualized():
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
    check_indicators(note, X, applicable)
    check_targets(note, tg, scheme)
    log.extend(note.records)
    log.append(StepRecord("select", {"year": year, "peer_groups": col},
                          Selected(len(ids), len(leaves), missing, tuple(dropped),
                                   tuple(excluded))))

    stages = {"raw": X}
    den = scheme.spec["denominate"]
    if den:
        unknown = [c for c in den if c not in leaves]
        if unknown:
            raise BuildError(f"The scheme's 'denominate' names {unknown[:10]}, which are not "
                             f"indicators of the framework; indicators are {leaves[:10]}"
                             f"{' ...' if len(leaves) > 10 else ''}.")
        targeted = [c for c in den if scheme.normalise_spec(c)["method"] == "target"]
        if targeted:
            raise BuildError(f"The scheme denominates {targeted}, which are normalised by "
                             "distance to their declared targets; the targets are not divided. "
                             "Remove them from 'denominate', or normalise them otherwise.")
        names = sorted({denominator_spec(e)[0] for e in den.values()})
        X, done = denominate(X, den, ws.covariate_table(year, names))
        log.append(StepRecord("denominate", den, Table(done)))
        stages["denominated"] = X
    imp = scheme.spec["impute"]
    if imp["method"] != "none":
        by = imp["by"] or col
        if by not in ws.units.columns:
            raise BuildError(f"The scheme's impute.by names column {by!r}, which units.csv "
                             f"lacks. Columns there: {list(ws.units.columns)}.")
        groups_by = units.set_index("unit_id")[by]
        blank = groups_by.isna() | groups_by.astype(str).str.strip().eq("")
        if imp["method"] != "previous_year" and blank.any():
            raise BuildError(f"The scheme's impute.by column {by!r} is empty for units "
                             f"{sorted(groups_by.index[blank])[:10]}, so they have no group to "
                             f"take a {imp['method']} from. Fill the column in units.csv, or "
                             "impute by another column.")
        history = ws.values[ws.values["year"] < year]
        if den and imp["method"] == "previous_year":  # earlier values, denominated alike
            history = _denominated_history(ws, den, history)
        X, filled = impute(X, method=imp["method"], groups=groups_by, history=history,
                           applicable=applicable)
        log.append(StepRecord("impute", imp, Table(filled)))
        stages["imputed"] = X
    min_share = scheme.spec["screen"]["min_share"]
    if min_share > 0:
        kept, left_out = screen(X, applicable, min_share=min_share)
        if len(kept) == 0:
            raise BuildError(f"No unit has {min_share:.0%} of its data in {year} "
                             f"(screen.min_share); lower it or complete the data.")
        X, applicable, targets = X.loc[kept], applicable.loc[kept], targets.loc[kept]
        groups = groups.loc[kept]
        log.append(StepRecord("screen", scheme.spec["screen"], Table(left_out)))
        stages["screened"] = X
    treat = scheme.spec["treat"]
    if treat["method"] == "winsorise":
        done = winsorise(X, **{k: v for k, v in treat.items() if k != "method"})
        X = done.table  # the log says per indicator what was done and which cells changed
        log.append(StepRecord("treat", treat, Treated(done.details, done.points,
                                                      FrozenMap(done.summary()))))
    stages["treated"] = X
    directions = fw.set_index("code")["direction"].reindex(leaves).astype(int)
    return Prepared(X, applicable, groups, children, order, targets, directions, root,
                    stages), log


def _denominated_history(ws: Workspace, den: dict, history: pd.DataFrame) -> pd.DataFrame:
    """Earlier years' values with the scheme's indicators divided by that year's denominators
    (a value whose denominator is missing or not positive becomes missing)."""
    names = sorted({denominator_spec(e)[0] for e in den.values()})
    frames = []
    for y, part in history.groupby("year", sort=True):
        cov = ws.covariate_table(int(y), names)
        d = pd.Series(np.nan, index=part.index)
        for code, entry in den.items():
            rows = part["indicator"] == code
            d[rows] = part.loc[rows, "unit_id"].map(cov[denominator_spec(entry)[0]])
        value = part["value"].where(~part["indicator"].isin(list(den)),
                                    part["value"] / d.where(d > 0))
        frames.append(part.assign(value=value))
    return pd.concat(frames) if frames else history
