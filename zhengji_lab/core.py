"""The assessment's rules on arrays, with draws as the leading axis.

``build`` (one draw) and the Monte Carlo engine (many draws) call the same functions, so a rule
changed here changes both: ranks within peer groups (1 = best, ties ``min``), grades by quota and
the rank-based talk triggers. Units are columns; a peer group is the array of its columns
(:func:`group_members`). Rank 0 means "no rank" (no score).

The pandas functions :func:`zhengji_lab.aggregation.rank`, :func:`zhengji_lab.rules.assign_grades`
and :func:`zhengji_lab.rules.talk_triggers` are thin wrappers around these.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Scores are rounded to this many decimals before ranking, so that floating-point noise of
#: different summation orders cannot break a tie.
RANK_DECIMALS = 9


def group_members(groups) -> list[np.ndarray]:
    """Column positions of the units of each peer group, groups in order of appearance.

    >>> [m.tolist() for m in group_members(["a", "b", "a"])]
    [[0, 2], [1]]
    """
    codes, _ = pd.factorize(np.asarray(groups, dtype=object))
    if (codes < 0).any():
        raise ValueError("Every unit needs a peer group; some have none (NaN).")
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return np.split(order, bounds) if len(codes) else []


def grade_counts(n, cum: np.ndarray) -> np.ndarray:
    """Cumulative number of units up to each grade: ``round(n × cumulative share)``, half up,
    the last one ``n`` (``n`` may be an array: one count per draw).

    >>> grade_counts(10, np.cumsum([0.3, 0.5, 0.2])).tolist()
    [3, 8, 10]
    """
    n = np.asarray(n)
    counts = np.floor(np.multiply.outer(n, cum) + 0.5 + 1e-9).astype(np.int64)
    counts[..., -1] = n
    return counts


def rank_within(scores: np.ndarray, members: list[np.ndarray]) -> np.ndarray:
    """Ranks 1 = best with ties ``min`` within each group of columns; 0 for NaN scores.

    Equals ``pandas.Series.rank(ascending=False, method="min")`` per row and group.

    >>> rank_within(np.array([[3.0, 5.0, 5.0, np.nan]]), [np.arange(4)]).tolist()
    [[3, 1, 1, 0]]
    """
    D = scores.shape[0]
    out = np.zeros(scores.shape, dtype=np.int32)
    for m in members:
        sub = -np.round(scores[:, m], RANK_DECIMALS)
        order = np.argsort(sub, axis=1, kind="stable")          # NaN last
        sv = np.take_along_axis(sub, order, axis=1)
        new = np.ones(sv.shape, dtype=bool)
        new[:, 1:] = sv[:, 1:] != sv[:, :-1]
        first = np.maximum.accumulate(np.where(new, np.arange(len(m)), 0), axis=1)
        r = np.empty((D, len(m)), dtype=np.int32)
        np.put_along_axis(r, order, (first + 1).astype(np.int32), axis=1)
        r[np.isnan(sub)] = 0
        out[:, m] = r
    return out


def grades_by_quota(ranks: np.ndarray, members: list[np.ndarray], cum: np.ndarray) -> np.ndarray:
    """Grades by quota for every draw: grade ``k`` takes ranks up to
    ``round(n × cumulative share_k)`` (half up) among the ``n`` ranked units of the group.

    >>> grades_by_quota(np.array([[1, 2, 3, 4]]), [np.arange(4)], np.cumsum([0.5, 0.5])).tolist()
    [[0, 0, 1, 1]]
    """
    G = len(cum)
    out = np.full(ranks.shape, G, dtype=np.int8)
    if G == 0:
        return out
    for m in members:
        r = ranks[:, m]
        n = (r > 0).sum(axis=1)
        counts = grade_counts(n, cum)[:, :-1]
        g = (r[:, :, None] > counts[:, None, :]).sum(axis=2)
        out[:, m] = np.where(r > 0, g, G)
    return out


def ranked_counts(ranks: np.ndarray, members: list[np.ndarray]) -> np.ndarray:
    """Per draw and unit, how many units of its peer group have a rank (``ranks > 0``)."""
    out = np.zeros(ranks.shape, dtype=np.int64)
    for m in members:
        out[:, m] = (ranks[:, m] > 0).sum(axis=1, keepdims=True)
    return out


def trigger_hits(now: np.ndarray, past: dict, rules: dict, sizes: dict) -> dict:
    """Per draw and unit, whether each rank-based talk trigger fires (rules.talk_triggers).

    Parameters
    ----------
    now : (draws, units) ranks of the assessed year (0 = no rank)
    past : ``{years back: (draws, units) ranks aligned to the same units}`` (0 = absent)
    rules : the scheme's ``triggers`` section
    sizes : ``{years back: (draws, units) ranked units in the peer group}`` (0 back = the
        assessed year); groups with fewer than 2 ranked units have nobody lagging
    """
    out = {}
    if "marked_regression" in rules and 1 in past:
        drop = rules["marked_regression"]["rank_drop"]
        prev = past[1]
        out["marked_regression"] = (now > 0) & (prev > 0) & (now - prev >= drop)
    if "consecutive_lagging" in rules:
        share, years = (rules["consecutive_lagging"][k] for k in ("bottom_share", "years"))
        fire = np.ones(now.shape, dtype=bool)
        for back in range(years):
            r = now if back == 0 else past.get(back)
            if r is None:
                fire[:] = False
                break
            n = sizes[back]
            k = np.maximum(1, np.floor(share * n + 0.5)).astype(np.int64)
            fire &= (n >= 2) & (r > 0) & (r > n - k)
        out["consecutive_lagging"] = fire
    return out
