"""The scheme comparison's figures: weights by scheme, and how the units' ranks move.

:class:`SchemeFigures` is the part of :class:`~zhengji_lab.review.SchemeComparison` that draws
(with Chinese labels, :mod:`zhengji_lab.plots`): grouped bars of the weights, a bump chart of
the ranks, a heatmap of the rank shifts against the reference and one of the schemes' rank
correlations. It draws from the comparison's tables (:class:`~zhengji_lab.review.tables.
SchemeTables`) and computes nothing new.
"""
from __future__ import annotations

import matplotlib.pyplot as plt

from zhengji_lab.plots import bump_chart, shift_heatmap, weights_bar
from zhengji_lab.review.applied import ALL
from zhengji_lab.weighting._common import check_choice

#: Kinds of rank figure drawn by :meth:`SchemeComparison.plot_ranks`.
RANK_PLOTS = ("bump", "shifts", "heatmap")
#: Kinds of figure drawn by :meth:`SchemeComparison.plot`: the weights, or one of the rank plots.
PLOTS = ("weights", *RANK_PLOTS)


class SchemeFigures:
    """Figures of a scheme comparison; the comparison's tables provide the data."""

    def plot(self, kind: str = "weights", ax=None, **kwargs):
        """Draw one of the comparison's figures.

        Parameters
        ----------
        kind : {"weights", "bump", "shifts", "heatmap"}
            ``"weights"``: :meth:`plot_weights`; the others: :meth:`plot_ranks`.
        ax : matplotlib Axes, optional
        **kwargs
            Passed to :meth:`plot_weights` (``value``, ``level``, ``group``) or
            :meth:`plot_ranks` (``group``).

        Returns
        -------
        matplotlib Axes
        """
        check_choice(kind, PLOTS, "kind", "SchemeComparison.plot")
        if kind == "weights":
            return self.plot_weights(ax, **kwargs)
        return self.plot_ranks(kind, ax, **kwargs)

    def plot_weights(self, ax=None, *, value: str = "effective", level: int | None = None,
                     group: str = ALL):
        """Grouped bars of the weights: one group of bars per node, one bar per scheme.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        value : {"effective", "weight"}
        level : int, optional
            Level of the nodes shown; default the children of the root (the dimensions).
        group : str
            A peer group or ``"all"``.

        Returns
        -------
        matplotlib Axes
        """
        level = self._top_level() if level is None else level
        t = self.weights_table(value, level=level, group=group)
        if ax is None:  # many indicators: a wide figure, but one that still fits a page
            bars = len(t) * len(self.schemes)
            _, ax = plt.subplots(figsize=(min(18.0, max(6.4, 1.5 + 0.13 * bars)), 4.5))
        ax = weights_bar(t.set_index("node")[self.schemes], ax=ax, labels=self.labels)
        what = "有效权重 Effective weight" if value == "effective" else "权重 Weight"
        ax.set_ylabel(what)
        ax.set_title(f"{what} ({'全部单位 all units' if group == ALL else group})")
        return ax

    def plot_ranks(self, kind: str = "bump", ax=None, *, group: str | None = None):
        """How the units' ranks move between schemes.

        Parameters
        ----------
        kind : {"bump", "shifts", "heatmap"}
            ``"bump"``: each unit's rank (a line) under every scheme; ``"shifts"``: heatmap of
            units × schemes of the rank shift against the reference (+ = falls); ``"heatmap"``:
            the schemes' rank correlations (Spearman).
        ax : matplotlib Axes, optional
        group : str, optional
            Only this peer group's units (``"bump"`` and ``"shifts"``).

        Returns
        -------
        matplotlib Axes
        """
        check_choice(kind, RANK_PLOTS, "kind", "SchemeComparison.plot_ranks")
        if group is not None:
            check_choice(group, self.groups, "group", "SchemeComparison.plot_ranks")
        if kind == "heatmap":
            return self.comparison.plot("heatmap", ax=ax, labels=self.labels)
        t = self.ranks_table()
        if group is not None:
            t = t[t["peer_group"] == group]
        if kind == "bump":
            ax = bump_chart(self.comparison.ranks.loc[t["unit_id"]], ax=ax, labels=self.labels)
            ax.set_title(f"排名变化 Ranks by scheme{f' ({group})' if group else ''}")
            return ax
        shifts = t.set_index("unit_id")[[f"shift {s}" for s in self.schemes
                                         if s != self.reference]]
        shifts.columns = [c.removeprefix("shift ") for c in shifts.columns]
        rows = {u: f"{n} ({r})" for u, n, r in zip(t["unit_id"], t["name_zh"],
                                                   t[self.reference].astype("string")
                                                   .fillna("—"))}
        ax = shift_heatmap(shifts, ax=ax, labels={**self.labels, **rows})
        ends = t.groupby("peer_group", sort=False).size().cumsum()
        for end in ends.iloc[:-1]:
            ax.axhline(end, color="0.2", linewidth=1.2)
        ax.set_title(f"相对参照方案 {self.reference} 的排名变动 Rank shift against the "
                     f"reference (括号内为参照排名)")
        return ax
