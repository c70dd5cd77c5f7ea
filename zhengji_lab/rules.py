"""Rules applied after aggregation: deductions (减分项), grades by quota (等次) and talk triggers
(约谈提醒: 连续落后必谈、明显退步必谈、发现问题必谈).

Each function takes plain pandas objects and returns a tidy frame that says what it did, so the
yearly report can show every point taken off and every trigger with its evidence. Grades and
the rank-based triggers are decided by the array rules of :mod:`zhengji_lab.core`, which the
Monte Carlo engine calls for many draws at once.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from zhengji_lab.core import grades_by_quota, group_members, trigger_hits

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


def assign_grades(ranks: pd.Series, groups: pd.Series, grades: list[dict]) -> pd.Series:
    """Grades by quota within each peer group, best first (:func:`~zhengji_lab.core.grades_by_quota`).

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
    names = np.array([g["name"] for g in grades] + [None], dtype=object)
    g = pd.Series(groups).reindex(ranks.index)
    r = pd.Series(ranks).astype("Float64").fillna(0).where(g.notna(), 0)  # no group: no grade
    k = grades_by_quota(r.to_numpy(dtype=np.int64)[None, :], group_members(g.fillna("")),
                        np.cumsum([g["share"] for g in grades]))[0]
    out[:] = names[k]
    return out.where(k < len(grades), pd.NA)


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
    rank = history.pivot(index="unit_id", columns="year", values="rank")
    size = history.pivot(index="unit_id", columns="year", values="group_size")
    now = history[history["year"] == year].dropna(subset=["rank"])["unit_id"].to_numpy()
    back = max(rules.get("consecutive_lagging", {}).get("years", 1),
               2 if "marked_regression" in rules else 1)

    def aligned(table, y):
        col = table[y] if y in table.columns else pd.Series(dtype=float)
        return col.reindex(now).fillna(0).to_numpy(dtype=np.int64)[None, :]

    past = {b: aligned(rank, year - b) for b in range(1, back) if year - b in rank.columns}
    sizes = {b: aligned(size, year - b) for b in range(back)}
    hits = trigger_hits(aligned(rank, year), past, rules, sizes)
    if "consecutive_lagging" in rules:
        share, years = (rules["consecutive_lagging"][k] for k in ("bottom_share", "years"))
        fired = now[hits["consecutive_lagging"][0]]  # fired: every year of the span is there
        span = range(year - years + 1, year + 1) if len(fired) else range(0)
        marks = [[f"{y}: {int(r)}/{int(n)}" for r, n in
                  zip(rank.loc[fired, y], size.loc[fired, y])] for y in span]
        rows += [(unit, "consecutive_lagging",
                  f"后{share:.0%} bottom {share:.0%} in {years} years — " + ", ".join(m))
                 for unit, m in zip(fired, zip(*marks))]
    if "marked_regression" in hits:
        drop = rules["marked_regression"]["rank_drop"]
        fired = now[hits["marked_regression"][0]]
        rows += [(unit, "marked_regression",
                  (f"排名 rank {int(b)} → {int(r)} ({year - 1}→{year}), 下降 fell "
                   f"{int(r - b)} ≥ {drop}"))
                 for unit, b, r in zip(fired, rank.loc[fired, year - 1], rank.loc[fired, year])]
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
