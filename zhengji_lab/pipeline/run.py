"""``build_assessment(ws, scheme, year)``: the steps of a build, in order, from a workspace and a
scheme to an :class:`~zhengji_lab.pipeline.assessment.Assessment`.

Steps (DESIGN.md, "Flow of data"): select the year's units and indicators → denominate, impute,
screen, treat outliers (:func:`~zhengji_lab.pipeline.prepare.prepare`) → normalise (directions
applied here only) → weight each parent node and aggregate up the tree → take off deductions
(capped, shown separately) → rank within peer groups (1 = best, ties ``min``) → grades by quota
→ talk triggers from this and earlier years. Every step returns its values and its
:class:`~zhengji_lab.pipeline.assessment.StepRecord`; building again from ``Assessment.scheme``
reproduces the same numbers. The ranks of earlier years that the talk triggers need are kept
per workspace and scheme, so each year is built once.
"""
from __future__ import annotations

import platform
import warnings
import weakref
from pathlib import Path

import numpy as np
import pandas as pd

from zhengji_lab import __version__
from zhengji_lab.aggregation import rank
from zhengji_lab.errors import BuildError
from zhengji_lab.pipeline.assessment import WEIGHT_COLUMNS, Assessment
from zhengji_lab.pipeline.normalising import normalise_table
from zhengji_lab.pipeline.notices import workspace_records
from zhengji_lab.pipeline.prepare import prepare
from zhengji_lab.pipeline.records import Deducted, FrozenMap, Graded, Noted, StepRecord, Triggered
from zhengji_lab.pipeline.weights import score_tree
from zhengji_lab.prep import SCREENED_COLUMNS
from zhengji_lab.rules import apply_deductions, assign_grades, talk_triggers
from zhengji_lab.scheme import Scheme
from zhengji_lab.scheme_checks import check_fit, check_uncertainty, warn_notes
from zhengji_lab.workspace import Workspace, with_defaults
from zhengji_lab.workspace.problems import where_of

#: Workspace → {(scheme fingerprint, year): rank history of that year} (see :func:`_history`).
_HISTORY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_NO_TRIGGERS = ["unit_id", "year", "trigger", "label", "evidence"]


def as_scheme(ws: Workspace, scheme) -> Scheme:
    """A Scheme from a Scheme, a mapping, the name of one of the workspace's schemes or a YAML
    file path, checked against the workspace.

    Raises
    ------
    SchemeError
        The scheme itself is invalid (a workspace's scheme file is named in the message).
    BuildError
        It names what the workspace lacks (weights at a node without children or with values
        for other children, indicators, denominators, columns, judgement groups and experts):
        every one, with the key path, the valid names and the closest
        (:func:`~zhengji_lab.scheme_checks.fit_problems`); the same error from every entry point.
    """
    if isinstance(scheme, Scheme):
        s = scheme
    elif isinstance(scheme, dict):
        s = Scheme.from_dict(scheme)
    elif isinstance(scheme, (str, Path)):
        if str(scheme) in ws.schemes:
            s = Scheme.from_yaml(ws.schemes[str(scheme)],
                                 origin=where_of(ws.source).scheme(str(scheme)))
        elif Path(scheme).is_file():
            s = Scheme.from_yaml(Path(scheme))
        else:
            raise BuildError(f"No scheme {str(scheme)!r}: not a file, and the workspace's schemes "
                             f"are {sorted(ws.schemes)}.")
    else:
        raise BuildError(f"The 'scheme' parameter must be a Scheme, a scheme name or a YAML path. "
                         f"Got {type(scheme).__name__} instead.")
    check_fit(with_defaults(ws), s)  # as build sees it (a workspace made in memory)
    return s


def check_scheme(ws: Workspace, scheme: Scheme) -> list[str]:
    """What ``build`` checks of a scheme beyond :func:`as_scheme`: its ``uncertainty`` entries
    parsed against the workspace (a :class:`~zhengji_lab.errors.SchemeError`, as
    :func:`zhengji_lab.uncertainty` raises), and what is suspicious but valid, warned as
    :class:`~zhengji_lab.errors.SchemeWarning` (fixed weights rescaled because they miss 1 by a
    little).

    Returns
    -------
    list of str
        The warnings' texts, for the build log.
    """
    check_uncertainty(ws, scheme)
    return warn_notes(scheme, stacklevel=5)  # the line calling zl.build


def check_year(ws: Workspace, year) -> int:
    """``year`` as an int, or a :class:`~zhengji_lab.errors.BuildError` naming the years there
    are (the same error for every entry point)."""
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise BuildError(f"The year must be a whole number such as {max(ws.years, default=2025)}."
                         f" Got {year!r} instead.")
    if year not in ws.years:
        raise BuildError(f"No values for year {year}; the workspace has {ws.years}.")
    return int(year)


def build_assessment(ws: Workspace, scheme, year: int, *, validate: bool = True,
                     history: bool = True) -> Assessment:
    """Build the assessment of ``year`` (without the scheme's ``uncertainty_flags``, which
    :func:`zhengji_lab.build` adds).

    Parameters
    ----------
    ws : Workspace
    scheme : Scheme, str or path
        A Scheme, the name of one of the workspace's schemes, or a YAML file.
    year : int
    validate : bool
        Check that the year exists and the scheme's uncertainty entries fit the workspace, and
        warn what is suspicious in the scheme (skip inside loops).
    history : bool
        Compute the talk triggers, which need the ranks of earlier years.

    Returns
    -------
    Assessment
    """
    ws = with_defaults(ws)
    scheme = as_scheme(ws, scheme)
    year = check_year(ws, year) if validate else int(year)
    said = check_scheme(ws, scheme) if validate else []
    prep, log = prepare(ws, scheme, year)
    log[:0] = workspace_records(ws)  # the data's warnings found when loading; prepare logs the year's
    if said:  # the warnings about the scheme stay with the assessment (and its report)
        log.insert(0, StepRecord("scheme", {"name": scheme.spec["name"], "file": scheme.origin},
                                 Noted(tuple(said))))
    norm, record = normalise_table(ws, scheme, prep)
    log.append(record)
    scores, weights, unit_weights, records = score_tree(ws, scheme, prep, norm)
    log += records

    root = prep.root
    events = ws.deductions[ws.deductions["year"] == year]
    # every unit of the year, screened out or not, keeps its deductions (and so its
    # problem-found trigger): an event does not depend on how much data the unit has
    assessed = scores[root].reindex(prep.stages["raw"].index)
    final, ded = apply_deductions(assessed, events, cap=scheme.spec["deductions"].get("cap"))
    final = final.reindex(scores.index)
    ded.insert(1, "year", year)
    log.append(StepRecord("deductions", scheme.spec["deductions"],
                          Deducted(len(ded), float(ded["applied"].sum()))))
    nodes = scores.copy()  # stage 'nodes': every node's score before deductions
    scores[root] = final

    ranks = {n: rank(scores[n], prep.groups) for n in scores.columns}
    grades = assign_grades(ranks[root], prep.groups, scheme.spec["grades"])
    log.append(StepRecord("grades", {"grades": scheme.spec["grades"]},
                          Graded(FrozenMap(grades.value_counts().to_dict()))))
    tidy = _tidy(scores, ranks, grades, root, prep.order, list(norm.columns), year)
    _history(ws, scheme)[year] = rank_history(ranks[root], prep.groups, year)
    triggers = (_triggers(ws, scheme, year, ded) if history and scheme.spec["triggers"]
                else pd.DataFrame(columns=_NO_TRIGGERS))
    log.append(StepRecord("triggers", scheme.spec["triggers"], Triggered(len(triggers))))

    units = ws.units[ws.units["unit_id"].isin(norm.index)].reset_index(drop=True)
    units = units.assign(peer_group=units["unit_id"].map(prep.groups))
    provenance = {"package": "zhengji_lab", "version": __version__, "year": year,
                  "scheme": scheme.spec["name"], "fingerprint": scheme.fingerprint(),
                  "data_hash": ws.data_hash(), "root": root, "source": ws.source,
                  "python": platform.python_version(), "pandas": pd.__version__,
                  "numpy": np.__version__}
    screened = next((r.resolved.table for r in log if r.step == "screen"),
                    pd.DataFrame(columns=SCREENED_COLUMNS))
    return Assessment(scheme=scheme, year=year, scores=tidy,
                      weights=weights.reindex(columns=WEIGHT_COLUMNS), deductions=ded,
                      triggers=triggers, log=log, provenance=provenance, units=units,
                      stages={**prep.stages, "normalised": norm, "nodes": nodes,
                              "applicable": prep.applicable},
                      screened_out=screened, framework=ws.framework, unit_weights=unit_weights)


def _tidy(scores, ranks, grades, root, order, leaves, year) -> pd.DataFrame:
    """``unit_id, year, node, score, rank, grade``: the root first, then the nodes top-down,
    then the indicators; units sorted by id within each node."""
    nodes = [root] + [n for n in reversed(order) if n != root] + leaves
    by_id = np.argsort(scores.index.to_numpy(dtype=object), kind="stable")
    units = scores.index.to_numpy(dtype=object)[by_id]
    S = scores[nodes].to_numpy(dtype=float)[by_id]
    R = np.column_stack([ranks[n].to_numpy(dtype="float64", na_value=np.nan)[by_id]
                         for n in nodes])
    n = len(units)
    grade = np.full(n * len(nodes), None, dtype=object)
    grade[:n] = grades.reindex(units).to_numpy(dtype=object)
    return pd.DataFrame({"unit_id": np.tile(units, len(nodes)), "year": year,
                         "node": np.repeat(np.asarray(nodes, dtype=object), n),
                         "score": S.T.ravel(),
                         "rank": pd.array(R.T.ravel(), dtype="Float64").astype("Int64"),
                         "grade": grade})


def rank_history(ranks: pd.Series, groups: pd.Series, year: int) -> pd.DataFrame:
    """``unit_id, year, rank, group_size``; the size counts the ranked units of the group."""
    g = groups.reindex(ranks.index)
    size = ranks.notna().groupby(g).transform("sum")
    return pd.DataFrame({"unit_id": ranks.index, "year": year, "rank": ranks.to_numpy(),
                         "group_size": size.to_numpy()})


def _history(ws: Workspace, scheme: Scheme) -> dict:
    """The rank histories of the years already built with this workspace and scheme."""
    return _HISTORY.setdefault(ws, {}).setdefault(scheme.fingerprint(), {})


def _triggers(ws: Workspace, scheme: Scheme, year: int, ded: pd.DataFrame) -> pd.DataFrame:
    rules = scheme.spec["triggers"]
    back = max(rules.get("consecutive_lagging", {}).get("years", 1),
               2 if "marked_regression" in rules else 1)
    known = _history(ws, scheme)
    for y in range(year - back + 1, year):
        if y in ws.years and y not in known:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # said when that year is assessed itself
                build_assessment(ws, scheme, y, validate=False, history=False)
    frames = [known[y] for y in range(year - back + 1, year + 1) if y in known]
    return talk_triggers(pd.concat(frames, ignore_index=True), year, rules, ded)
