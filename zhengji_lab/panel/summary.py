"""The review of every judgement group of a workspace's expert panel, in one object.

:func:`panel_summary` runs :func:`zhengji_lab.panel.review` on each judgement group of a
workspace (``judgements/<group>/<expert>.csv``) and gathers each expert's consistency and the
panel's agreement into two tables, as a :class:`PanelSummary`; ``zhengji weights`` prints it
and writes it to the weighting review's workbook.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zhengji_lab._result import ResultMixin
from zhengji_lab.errors import choices
from zhengji_lab.labels import text_table
from zhengji_lab.panel.experts import PanelReview, review_workspace
from zhengji_lab.workspace import Workspace


@dataclass(frozen=True, eq=False, repr=False)
class PanelSummary(ResultMixin):
    """The expert panel's review of every judgement group (made by :func:`panel_summary`).

    Attributes
    ----------
    reviews : dict
        ``{group: PanelReview}`` (:func:`zhengji_lab.panel.review`), one per judgement group.
    consistency : DataFrame
        One row per judgement group and expert: ``judgements, expert, lambda_max, ci, cr,
        consistent, distance, rank_corr_with_others, outlier`` (AHP consistency; NaN for point
        budgets), plus a row ``expert == "(group)"`` with the CR of the AIJ group matrix.
    agreement : DataFrame
        One row per judgement group and measure: ``judgements, measure, name_zh, estimate,
        statistic, df, p_value, ci_low, ci_high`` (Kendall's W with its χ² test, ICC(3,1),
        ICC(3,k), Krippendorff's α).
    labels : dict
        Display names of the node codes (Chinese).
    """

    reviews: dict
    consistency: pd.DataFrame
    agreement: pd.DataFrame
    labels: dict

    @property
    def frame(self) -> pd.DataFrame:
        """Tidy ``judgements, expert, node, weight``: every expert's own weights, per group."""
        return _group_first(pd.concat([r.frame.assign(judgements=g)
                                       for g, r in self.reviews.items()], ignore_index=True))

    def summary(self) -> str:
        """A headline (groups, experts, consistency), then the summary of every group's review."""
        experts = pd.concat([r.experts for r in self.reviews.values()])
        head = (f"专家组 Expert panel: {len(self.reviews)} judgement group"
                f"{'s' if len(self.reviews) != 1 else ''} ({', '.join(map(str, self.reviews))}), "
                f"{int(experts['consistent'].sum())} of {len(experts)} experts' judgements "
                f"consistent")
        return "\n\n".join([head, *(r.summary() for r in self.reviews.values())])

    def to_text(self) -> str:
        """Consistency per expert and agreement per group as console text."""
        parts = []
        for group, r in self.reviews.items():
            what = "AHP" if r.kind == "ahp" else "点数分配 point budget"
            parts.append(f"-- {group} ({what}, {len(r.experts)} 专家 experts) --")
            c = self.consistency[self.consistency["judgements"] == group]
            if r.kind == "ahp":
                parts.append("一致性 Consistency (CR ≤ "
                             f"{r.cr_threshold:.2f} 合格 consistent):")
                parts.append(text_table(c[["expert", "lambda_max", "cr", "consistent",
                                            "distance", "outlier"]]))
            else:
                parts.append(text_table(c[["expert", "distance", "rank_corr_with_others",
                                            "outlier"]]))
            ag = self.agreement[self.agreement["judgements"] == group]
            parts.append("一致程度 Agreement:")
            parts.append(text_table(ag[["measure", "name_zh", "estimate", "statistic", "df",
                                         "p_value", "ci_low", "ci_high"]]))
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return "".join(r._repr_html_() for r in self.reviews.values())

    def plot(self, group: str | None = None, ax=None):
        """Each expert's weights over the combined weights of one group (Chinese labels).

        Parameters
        ----------
        group : str, optional
            A judgement group; default the first.
        ax : matplotlib Axes, optional

        Returns
        -------
        matplotlib Axes
        """
        group = next(iter(self.reviews)) if group is None else group
        if group not in self.reviews:
            raise ValueError(f"The 'group' parameter of PanelSummary.plot() must be one of "
                             f"{choices(self.reviews)}. Got {group!r} instead.")
        return self.reviews[group].plot(ax=ax, labels=self.labels)


def panel_summary(ws: Workspace, **kwargs) -> PanelSummary:
    """Review every judgement group of a workspace's expert panel.

    Parameters
    ----------
    ws : Workspace
        A workspace with judgements (``judgements/<group>/<expert>.csv``).
    **kwargs
        Passed to :func:`zhengji_lab.panel.review` (``how``, ``method``, ``ri``,
        ``cr_threshold``, ``total``).

    Returns
    -------
    PanelSummary

    Raises
    ------
    ValueError
        When the workspace has no judgements.

    Warns
    -----
    InconsistentJudgementWarning
        For each expert whose AHP matrix has a CR above the threshold (also in
        :attr:`PanelSummary.consistency`).

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> ws = zl.load_workspace(zl.datasets.data_dir() / "sample_city")
    >>> p = zl.panel_summary(ws)  # warns about the panel's two inconsistent experts
    >>> sorted(p.reviews), int(p.consistency["consistent"].sum())
    (['index', 'index_points', 'livelihood', 'livelihood_points'], 26)
    """
    if not isinstance(ws, Workspace):
        raise TypeError(f"The 'ws' parameter of panel_summary() must be a Workspace "
                        f"(zl.load_workspace). Got {type(ws).__name__} instead.")
    if not ws.judgements:
        raise ValueError(f"The workspace {ws.source or '(in memory)'} has no expert judgements: "
                         f"add one file per expert under judgements/<group>/ to review a panel.")
    reviews: dict[str, PanelReview] = {g: review_workspace(ws, g, **kwargs)
                                       for g in ws.judgements}
    cons, agree = [], []
    for g, r in reviews.items():
        e = r.experts.reset_index()
        if np.isfinite(r.combined_cr):
            e = pd.concat([e, pd.DataFrame({"expert": ["(group)"], "cr": [r.combined_cr],
                                            "consistent": [r.combined_cr <= r.cr_threshold]})],
                          ignore_index=True)
        cons.append(e.assign(judgements=g))
        agree.append(r.agreement.assign(judgements=g))
    consistency = pd.concat(cons, ignore_index=True)
    agreement = pd.concat(agree, ignore_index=True)
    return PanelSummary(reviews=reviews, consistency=_group_first(consistency),
                        agreement=_group_first(agreement), labels=ws.labels("zh"))


def _group_first(df: pd.DataFrame) -> pd.DataFrame:
    return df[["judgements", *[c for c in df.columns if c != "judgements"]]]
