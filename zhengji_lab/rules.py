"""Rules applied after aggregation: deductions (减分项), grades by quota (等次) and talk triggers
(约谈提醒: 连续落后必谈、明显退步必谈、发现问题必谈).

Each function takes plain pandas objects and returns a tidy frame that says what it did, so the
yearly report can show every point taken off and every trigger with its evidence.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

TRIGGER_LABELS = {
    "consecutive_lagging": "连续落后 consecutive lagging",
    "marked_regression": "明显退步 marked regression",
    "problem_found": "发现问题 problem found",
}


def apply_deductions(index: pd.Series, events: pd.DataFrame, *, cap: float | None = None):
    """Subtract deduction points from the composite index, capped per unit.

    Points are taken off on the composite's own scale: "points off the 0–100 index" holds for
    schemes normalised onto [0, 100] (or [1, 100]); a scheme on another scale (goalposts on
    [0, 1], z-scores with sd 2, Copeland counts) must state its points and cap on that scale.

    Parameters
    ----------
    index : Series
        Composite score per unit (before deductions).
    events : DataFrame
        ``unit_id, item, points`` (one row per event of the year; points > 0 are taken off).
    cap : float, optional
        Most points taken off one unit in one year (``None``: no cap).

    Returns
    -------
    (Series, DataFrame)
        The index after deductions, and per unit with events: ``unit_id, items, points,
        applied, capped``.

    Examples
    --------
    >>> idx = pd.Series([80.0, 70.0], index=["a", "b"])
    >>> ev = pd.DataFrame({"unit_id": ["a", "a"], "item": ["x", "y"], "points": [8.0, 5.0]})
    >>> final, table = apply_deductions(idx, ev, cap=10)
    >>> final.tolist(), table["applied"].tolist()
    ([70.0, 70.0], [10.0])
    """
    ev = events[events["unit_id"].isin(index.index)]
    if (ev["points"] < 0).any():
        bad = ev[ev["points"] < 0].iloc[0]
        raise ValueError(f"Deduction points must be >= 0; unit {bad['unit_id']!r} has "
                         f"{bad['points']!r} for item {bad['item']!r}.")
    per_unit = ev.groupby("unit_id").agg(items=("item", lambda s: "; ".join(map(str, s))),
                                         points=("points", "sum"))
    applied = per_unit["points"] if cap is None else per_unit["points"].clip(upper=cap)
    table = per_unit.assign(applied=applied, capped=applied < per_unit["points"]).reset_index()
    final = index - applied.reindex(index.index).fillna(0.0)
    return final.rename(index.name), table


def grade_counts(n: int, shares) -> list[int]:
    """Cumulative number of units up to each grade: ``round(cumulative share × n)``, half up.

    >>> grade_counts(10, [0.3, 0.5, 0.2])
    [3, 8, 10]
    """
    cum = np.cumsum(shares)
    counts = [math.floor(c * n + 0.5 + 1e-9) for c in cum]
    counts[-1] = n
    return counts


def assign_grades(ranks: pd.Series, groups: pd.Series, grades: list[dict]) -> pd.Series:
    """Grades by quota within each peer group, best first.

    In a group of ``n`` ranked units, grade ``k`` takes the units whose rank is at most
    ``round(n × (share_1 + … + share_k))``; tied units share the better grade (ranks are ``min``
    ties). Units without a rank get no grade.

    Examples
    --------
    >>> r = pd.Series([1, 2, 3, 4], index=list("abcd"))
    >>> g = pd.Series("x", index=list("abcd"))
    >>> assign_grades(r, g, [{"name": "A", "share": 0.5}, {"name": "B", "share": 0.5}]).tolist()
    ['A', 'A', 'B', 'B']
    """
    out = pd.Series(pd.NA, index=ranks.index, dtype="object", name="grade")
    if not grades:
        return out
    names = [g["name"] for g in grades]
    shares = [g["share"] for g in grades]
    for _, members in ranks.groupby(groups.reindex(ranks.index), sort=False):
        ranked = members.dropna()
        counts = grade_counts(len(ranked), shares)
        k = np.searchsorted(np.asarray(counts), ranked.to_numpy(dtype=float), side="left")
        out[ranked.index] = [names[min(i, len(names) - 1)] for i in k]
    return out


def talk_triggers(history: pd.DataFrame, year: int, rules: dict,
                  deductions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The three talk triggers of the year, each with its evidence.

    Parameters
    ----------
    history : DataFrame
        ``unit_id, year, rank, group_size`` of the composite for this and earlier years.
    year : int
        The assessed year.
    rules : dict
        The scheme's ``triggers`` section:
        ``consecutive_lagging: {bottom_share, years}`` — in the bottom share of the ranked
        units of the peer group (at least one unit; none in a group of one) in each of the last
        ``years`` years;
        ``marked_regression: {rank_drop}`` — rank fell by at least ``rank_drop`` places since the
        previous year; ``problem_found: {deduction_points}`` — deduction points of the year
        (before the cap) of at least this many.
    deductions : DataFrame, optional
        The year's per-unit deductions (``unit_id, items, points``).

    Returns
    -------
    DataFrame
        ``unit_id, year, trigger, label, evidence``; one row per unit and trigger.
    """
    rows = []
    h = history.set_index(["unit_id", "year"]).sort_index()
    now = history[history["year"] == year].dropna(subset=["rank"])
    if "consecutive_lagging" in rules:
        share, years = rules["consecutive_lagging"]["bottom_share"], rules["consecutive_lagging"]["years"]
        span = list(range(year - years + 1, year + 1))
        for unit in now["unit_id"]:
            marks = []
            for y in span:
                if (unit, y) not in h.index or pd.isna(h.at[(unit, y), "rank"]):
                    break
                r, n = int(h.at[(unit, y), "rank"]), int(h.at[(unit, y), "group_size"])
                k = max(1, math.floor(share * n + 0.5))
                if n < 2 or r <= n - k:  # a group of one has nobody lagging behind
                    break
                marks.append(f"{y}: {r}/{n}")
            if len(marks) == years:
                rows.append((unit, "consecutive_lagging",
                             f"后{share:.0%} bottom {share:.0%} in {years} years — " + ", ".join(marks)))
    if "marked_regression" in rules:
        drop = rules["marked_regression"]["rank_drop"]
        for unit, r in zip(now["unit_id"], now["rank"]):
            if (unit, year - 1) in h.index and not pd.isna(h.at[(unit, year - 1), "rank"]):
                before = int(h.at[(unit, year - 1), "rank"])
                if int(r) - before >= drop:
                    rows.append((unit, "marked_regression",
                                 (f"排名 rank {before} → {int(r)} ({year - 1}→{year}), "
                                  f"下降 fell {int(r) - before} ≥ {drop}")))
    if "problem_found" in rules and deductions is not None and len(deductions):
        limit = rules["problem_found"]["deduction_points"]
        for _, d in deductions.iterrows():
            if d["points"] >= limit:
                rows.append((d["unit_id"], "problem_found",
                             f"减分 deductions {d['points']:g} ≥ {limit:g}: {d['items']}"))
    out = pd.DataFrame(rows, columns=["unit_id", "trigger", "evidence"])
    out.insert(1, "year", year)
    out.insert(3, "label", out["trigger"].map(TRIGGER_LABELS))
    return out.sort_values(["trigger", "unit_id"], ignore_index=True)
