"""A unit's best and worst ranked indicators among its peers: :func:`strengths_weaknesses` and
its :class:`StrengthsWeaknesses` (COINr's ``get_str_weak``).

References
----------
Becker et al. (2022), COINr ``get_str_weak``. Full references in :mod:`zhengji_lab.stats`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zhengji_lab.pipeline import Assessment
from zhengji_lab.stats._common import (
    applicable_mask,
    check_choice,
    check_share,
    metadata,
    numeric_frame,
    signif,
    stage_frame,
)


@dataclass(frozen=True, eq=False)
class StrengthsWeaknesses:
    """A unit's best and worst ranked indicators (made by :func:`strengths_weaknesses`);
    unpacks as ``strengths, weaknesses = result``.

    Attributes
    ----------
    unit_id : str
    strengths, weaknesses : DataFrame
        ``indicator, name_zh, name_en, dimension, rank, n_ranked, value, unit``; strengths
        best first, weaknesses in ascending rank (the worst last), as COINr's.
    stage : str or None
    """

    unit_id: str
    strengths: pd.DataFrame
    weaknesses: pd.DataFrame
    stage: str | None = None

    def __iter__(self):
        return iter((self.strengths, self.weaknesses))

    @property
    def frame(self) -> pd.DataFrame:
        """Both tables stacked, with ``side`` = ``strength`` or ``weakness``."""
        return pd.concat([self.strengths.assign(side="strength"),
                          self.weaknesses.assign(side="weakness")], ignore_index=True)

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`frame` (a new frame)."""
        return self.frame

    def to_coinr(self, sig_figs: int | None = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
        """COINr's two tables: ``Code, Name, Dimension, Rank, Value, Unit`` (3 digits)."""
        def one(t):
            value = t["value"] if sig_figs is None else signif(t["value"], sig_figs)
            return pd.DataFrame({"Code": t["indicator"], "Name": t["name_en"],
                                 "Dimension": t["dimension"], "Rank": t["rank"],
                                 "Value": value, "Unit": t["unit"]})
        return one(self.strengths), one(self.weaknesses)

    def summary(self) -> str:
        """Both tables as text."""
        cols = ["indicator", "dimension", "rank", "n_ranked", "value"]
        return (f"{self.unit_id} 优势 strengths:\n{self.strengths[cols].to_string(index=False)}\n"
                f"{self.unit_id} 弱项 weaknesses:\n{self.weaknesses[cols].to_string(index=False)}")

    def _repr_html_(self) -> str:
        return (f"<p><b>{self.unit_id}</b> 优势 strengths</p>"
                f"{self.strengths.to_html(index=False)}<p>弱项 weaknesses</p>"
                f"{self.weaknesses.to_html(index=False)}")

    def plot(self, ax=None, labels: Mapping | None = None):
        """Bars of the rank percentile (1 = best rank, 0 = worst) of the listed indicators."""
        from zhengji_lab.plots import _axes, _label  # lazy: matplotlib only when plotting

        f = self.frame
        ax = _axes(ax, figsize=(6.4, 1.0 + 0.35 * len(f)))
        share = 1 - (f["rank"] - 1) / (f["n_ranked"] - 1).clip(lower=1)
        ax.barh([_label(labels, c) for c in f["indicator"]], share,
                color=np.where(f["side"] == "strength", "C2", "C3"))
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("排名百分位 Rank percentile (1 = best)")
        return ax


def strengths_weaknesses(data, unit_id: str, n: int = 5, *, stage: str = "raw",
                         groups="peer_group", adjust_direction: bool | None = None,
                         min_discard: bool = True, min_unique: float | None = None,
                         framework=None) -> StrengthsWeaknesses:
    """The unit's ``n`` best and ``n`` worst indicators by rank among its peers (COINr's
    ``get_str_weak``).

    Parameters
    ----------
    data : Assessment or DataFrame
        An assessment (its ``stage``: ranks and values) or a units × indicators table.
    unit_id : str
    n : int, default 5
        How many strengths and how many weaknesses (COINr's ``topN``, ``bottomN``).
    stage : str, default "raw"
    groups : str, Series or None, default "peer_group"
        Rank within the unit's group: a column of the assessment's units, or a Series unit →
        group with a DataFrame; None ranks among all units (COINr's default ``use_group``).
    adjust_direction : bool, optional
        Multiply by the indicators' directions before ranking. By default True for stages
        before ``normalised`` (COINr adjusts its ``Raw`` data set) and False for
        ``normalised`` and ``nodes``, where directions are applied already.
    min_discard : bool, default True
        Leave out indicators on which the unit has the worst rank of its group (COINr's: a zero
        shared by many units is no strength).
    min_unique : float, optional
        Leave out indicators whose share of distinct values (missing counted as one value, over
        all units) is not above this (COINr's ``unq_discard``).
    framework : Workspace or DataFrame, optional

    Returns
    -------
    StrengthsWeaknesses

    Notes
    -----
    COINr's rules: ranks are ``rank(-x, ties = "min")`` (1 = best) over the units of the group;
    indicators missing for the unit (or not applicable to it) are ignored; indicators are
    sorted by rank, ties in framework order; strengths are the first ``n``, weaknesses the
    last ``n``. ``dimension`` is the indicator's level-2 ancestor; ``n_ranked`` counts the
    units ranked on the indicator.

    References
    ----------
    Becker et al. (2022), COINr ``get_str_weak``.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [3.0, 1, 2], "b": [1.0, 2, 3], "c": [5.0, 6, 7]},
    ...                  index=["u", "v", "w"])
    >>> s, w = strengths_weaknesses(X, "v", n=1, adjust_direction=False)
    >>> s[["indicator", "rank"]].values.tolist(), w[["indicator", "rank"]].values.tolist()
    ([['b', 2]], [['c', 2]])
    """
    func = "strengths_weaknesses"
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"The 'n' parameter of {func}() must be an integer >= 1. Got {n!r} "
                         f"instead.")
    if min_unique is not None:
        check_share(min_unique, "min_unique", func)
    meta = metadata(data, framework, func)
    if isinstance(data, Assessment):
        X = stage_frame(data, stage, func)
        if isinstance(groups, str):
            check_choice(groups, list(data.units.columns), "groups", func)
            groups = data.units.set_index("unit_id")[groups]
        X = X.where(applicable_mask(data, X))
    else:
        X, stage = numeric_frame(data, func), None
        groups = None if isinstance(groups, str) else groups
    if unit_id not in X.index:
        raise ValueError(f"The 'unit_id' parameter of {func}() must be a unit of the data, e.g. "
                         f"{list(X.index[:5])}. Got {unit_id!r} instead.")
    if meta is not None:   # framework order: COINr keeps ties in iMeta order
        X = X[[c for c in meta.leaves if c in X.columns] +
              [c for c in X.columns if c not in meta.leaves]]
    if adjust_direction is None:
        adjust_direction = stage not in ("normalised", "nodes")
    S = X
    if adjust_direction:
        d = meta.directions(X.columns) if meta is not None else None
        if d is None:
            raise ValueError(f"{func}() needs the indicators' directions to rank the values; pass "
                             f"framework=<workspace or framework table>, or adjust_direction="
                             f"False if higher values are already better.")
        S = X * d
    if groups is not None:
        g = pd.Series(groups).reindex(X.index)
        S = S[g == g[unit_id]] if pd.notna(g[unit_id]) else S
    R = S.rank(ascending=False, method="min")
    r = R.loc[unit_id].dropna()
    if min_unique is not None:
        r = r[(X.nunique(dropna=False) / len(X)).reindex(r.index) > min_unique]
    if min_discard:
        r = r[r != R[r.index].max()]
    r = r.sort_values(kind="stable")
    info = (meta.info if meta is not None else pd.DataFrame(
        columns=["name_zh", "name_en", "unit"])).reindex(r.index)

    def table(codes):
        return pd.DataFrame({
            "indicator": codes, "name_zh": info.loc[codes, "name_zh"].to_numpy(),
            "name_en": info.loc[codes, "name_en"].to_numpy(),
            "dimension": [meta.dimension(c) if meta is not None else None for c in codes],
            "rank": r[codes].astype(int).to_numpy(), "n_ranked": R[codes].count().to_numpy(),
            "value": X.loc[unit_id, codes].to_numpy(float),
            "unit": info.loc[codes, "unit"].to_numpy()})

    codes = list(r.index)
    return StrengthsWeaknesses(unit_id=unit_id, strengths=table(codes[:n]),
                               weaknesses=table(codes[max(len(codes) - n, 0):]), stage=stage)
