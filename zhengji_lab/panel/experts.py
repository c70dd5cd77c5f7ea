"""The expert panel's review of one judgement group (专家组评审): consistency, weights, agreement.

:func:`review` (and :func:`review_workspace`, for a group of a workspace) takes every expert's
AHP pairwise matrix or point budget for one node and returns a :class:`PanelReview`: each
expert's weights and consistency, the combined weights with their spread, the panel's agreement
on the weights (Kendall's W, ICC, Krippendorff's α from the modules beside this one) and which
expert stands furthest from the others (leave-one-out).

References
----------
Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
analytic hierarchy process. *European Journal of Operational Research*, 108(1), 165-169.

OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 6.1 (budget
allocation) and 6.2 (AHP). OECD Publishing. doi:10.1787/9789264043466-en
"""
from __future__ import annotations

import html
import logging
import warnings
from dataclasses import dataclass
from typing import Literal

import matplotlib as mpl
import numpy as np
import pandas as pd
from scipy import stats

from zhengji_lab import weighting
from zhengji_lab._result import ResultMixin
from zhengji_lab.errors import InconsistentJudgementWarning
from zhengji_lab.labels import HOW_LABELS, MEASURE_LABELS
from zhengji_lab.panel.icc import icc
from zhengji_lab.panel.kendall import kendall_w
from zhengji_lab.panel.krippendorff import krippendorff_alpha
from zhengji_lab.plots import _axes, _label, chinese_rc
from zhengji_lab.weighting._common import check_choice, named

logger = logging.getLogger(__name__)

JudgementKind = Literal["ahp", "budget"]
#: Ways of combining the experts' judgements, by kind of judgement (the first is the default).
HOW: dict[str, tuple[str, ...]] = {"ahp": ("aij", "aip"), "budget": ("mean", "median")}
_AGREEMENT_COLUMNS = ["measure", "name_zh", "estimate", "statistic", "df", "p_value", "ci_low",
                      "ci_high"]


@dataclass(frozen=True, eq=False, repr=False)
class PanelReview(ResultMixin):
    """What an expert panel's judgements for one node say, for the panel to review.

    Attributes
    ----------
    name : str
        The judgement group (e.g. ``"livelihood"``), used in titles.
    kind : {"ahp", "budget"}
        AHP pairwise matrices or point budgets.
    how : str
        How the judgements were combined: ``"aij"``/``"aip"`` (AHP) or ``"mean"``/``"median"``.
    nodes : tuple of str
        The node codes judged, in the order of the first expert's file.
    frame : DataFrame
        Tidy ``expert, node, weight``: every expert's own weights (each expert's sum to 1).
    experts : DataFrame
        One row per expert (index ``expert``): ``lambda_max, ci, cr`` (AHP; NaN for budgets),
        ``consistent`` (``cr ≤ cr_threshold``; always True for budgets), ``distance`` (mean
        absolute difference between the expert's weights and the combined weights of the
        *other* experts), ``rank_corr_with_others`` (Spearman correlation with that
        leave-one-out consensus) and ``outlier`` (True for the one expert with the largest
        distance; needs 3 or more experts and a unique maximum). ``outlier`` marks who stands
        furthest from the rest, to be talked to; it is not a significance test.
    combined : DataFrame
        Index ``node``: ``weight`` (the panel's combined weights, summing to 1) and the spread of
        the experts' own weights, ``sd`` (ddof=1), ``min``, ``max``, ``iqr``.
    agreement : DataFrame
        One row per measure of the panel's agreement on the weights: Kendall's W of the experts'
        rankings of the nodes (with its χ² test), ICC(3,1) and ICC(3,k) of the weights (F test,
        95% CI; ICC(3,k) is the reliability of the panel's mean weights), Krippendorff's α
        (interval) of the weights; columns
        ``measure, name_zh, estimate, statistic, df, p_value, ci_low, ci_high``. NaN where a
        measure is undefined (fewer than 2 experts, or no variation to agree on).
    combined_cr : float
        Consistency ratio of the AIJ group matrix (NaN for AIP and budgets).
    cr_threshold : float
    """

    name: str
    kind: str
    how: str
    nodes: tuple
    frame: pd.DataFrame
    experts: pd.DataFrame
    combined: pd.DataFrame
    agreement: pd.DataFrame
    combined_cr: float
    cr_threshold: float

    @property
    def weights(self) -> pd.DataFrame:
        """Experts × nodes of the experts' own weights (wide form of :attr:`frame`)."""
        wide = self.frame.pivot(index="expert", columns="node", values="weight")
        return wide.loc[list(self.experts.index), list(self.nodes)]

    def summary(self) -> str:
        """A few lines: panel, combined weights, consistency, agreement, furthest expert."""
        e = self.experts
        what = "AHP pairwise matrices" if self.kind == "ahp" else "point budgets"
        title = f" {self.name!r}" if self.name else ""
        lines = [(f"Panel review 专家组评审{title}: {len(e)} experts, {what}, "
                  f"{len(self.nodes)} nodes")]
        w = self.combined["weight"]
        lines.append(f"Combined weights ({HOW_LABELS[self.how]}): "
                     + ", ".join(f"{node} {w[node]:.3f}" for node in self.nodes))
        if self.kind == "ahp":
            bad = e[~e["consistent"]]
            text = (f"Consistency 一致性: {len(e) - len(bad)}/{len(e)} experts with CR ≤ "
                    f"{self.cr_threshold:.2f}")
            if len(bad):
                text += "; inconsistent: " + ", ".join(f"{x!r} (CR {c:.3f})"
                                                       for x, c in bad["cr"].items())
            if np.isfinite(self.combined_cr):
                text += f"; group matrix CR {self.combined_cr:.3f}"
            lines.append(text)
        a = self.agreement.set_index("measure")["estimate"]
        lines.append(f"Agreement 一致程度: Kendall's W = {a['kendall_w']:.3f}, ICC(3,1) = "
                     f"{a['ICC(3,1)']:.3f}, ICC(3,k) = {a['ICC(3,k)']:.3f}, "
                     f"Krippendorff's α = {a['krippendorff_alpha']:.3f}")
        if e["outlier"].any():
            who = e.index[e["outlier"]][0]
            lines.append(f"Furthest from the others 偏离最大: {who!r} (mean |Δw| = "
                         f"{e.loc[who, 'distance']:.3f}, Spearman with the others' consensus "
                         f"{e.loc[who, 'rank_corr_with_others']:.2f})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        fmt = {"float_format": lambda v: f"{v:.4g}"}
        head, *rest = self.summary().split("\n")
        return (f"<h4>{html.escape(head)}</h4>"
                + "".join(f"<p>{html.escape(line)}</p>" for line in rest)
                + "<h5>专家 Experts</h5>" + self.experts.to_html(**fmt)
                + "<h5>综合权重 Combined weights</h5>" + self.combined.to_html(**fmt)
                + "<h5>一致程度 Agreement</h5>" + self.agreement.to_html(index=False, **fmt))

    def plot(self, ax=None, labels=None):
        """Weights per node: a dot per expert over a bar for the combined weight.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        labels : mapping, optional
            Display names for node codes (e.g. Chinese names); codes not in it are shown as is.

        Returns
        -------
        matplotlib Axes
        """
        W = self.weights
        with mpl.rc_context(chinese_rc()):
            ax = _axes(ax, figsize=(1.5 + 0.9 * len(self.nodes), 4.0))
            x = np.arange(len(self.nodes))
            ax.bar(x, self.combined["weight"].to_numpy(), width=0.7, color="0.85",
                   edgecolor="0.5", label="综合 Combined", zorder=1)
            offsets = np.linspace(-0.25, 0.25, len(W)) if len(W) > 1 else np.zeros(1)
            outliers = set(self.experts.index[self.experts["outlier"]])
            for dx, (expert, row) in zip(offsets, W.iterrows()):
                ax.scatter(x + dx, row.to_numpy(), s=28, zorder=3,
                           marker="X" if expert in outliers else "o",
                           label=f"{expert} (偏离最大 furthest)" if expert in outliers
                           else str(expert))
            ax.set_xticks(x, [_label(labels, n) for n in self.nodes])
            ax.set_ylabel("权重 Weight")
            ax.set_xlabel("指标/维度 Node")
            ax.set_title(f"专家权重 Expert weights{': ' + self.name if self.name else ''}")
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
            ax.grid(axis="y", alpha=0.3)
        return ax


def _detect_kind(judgements: dict) -> str:
    kinds: dict[str, list] = {"ahp": [], "budget": []}
    for expert, df in judgements.items():
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"The judgements of expert {expert!r} must be a DataFrame (an AHP "
                            f"matrix or a point budget). Got {type(df).__name__} instead.")
        if list(df.columns) == ["points"]:
            kinds["budget"].append(expert)
        elif df.shape[0] == df.shape[1] and set(df.index) == set(df.columns) and len(df):
            kinds["ahp"].append(expert)
        else:
            raise ValueError(f"The judgements of expert {expert!r} are neither an AHP matrix "
                             f"(square, index = columns = node codes) nor a point budget (one "
                             f"column 'points' indexed by node code). Got shape {df.shape} with "
                             f"columns {named(df.columns)}.")
    if kinds["ahp"] and kinds["budget"]:
        raise ValueError(f"A judgement group must hold one kind of judgement; experts "
                         f"{named(kinds['ahp'])} gave AHP matrices and experts "
                         f"{named(kinds['budget'])} gave point budgets. Split them into two "
                         f"groups.")
    return "ahp" if kinds["ahp"] else "budget"


def _common_nodes(judgements: dict) -> tuple:
    """The node codes every expert judged, or an error naming the experts who differ."""
    sets = {e: frozenset(df.index) for e, df in judgements.items()}
    counts: dict[frozenset, int] = {}
    for s in sets.values():
        counts[s] = counts.get(s, 0) + 1
    first = next(iter(judgements))
    top = max(counts.values())
    majority = [s for s, c in counts.items() if c == top]
    # the set most experts judged; on a tie, the first expert's
    reference = majority[0] if len(majority) == 1 else sets[first]
    odd = [e for e, s in sets.items() if s != reference]
    if odd:
        parts = []
        for e in odd[:10]:
            missing = named(sorted(map(str, reference - sets[e]))) or "none"
            extra = named(sorted(map(str, sets[e] - reference))) or "none"
            parts.append(f"expert {e!r} (missing {missing}; extra {extra})")
        raise ValueError(f"Every expert of a judgement group must judge the same node codes "
                         f"({named(sorted(map(str, reference)))}); {'; '.join(parts)}. Correct "
                         f"those experts' files.")
    order = tuple(next(iter(judgements.values())).index)
    if len(set(order)) != len(order):
        raise ValueError(f"Expert {first!r} lists a node code twice: {named(order)}.")
    return order


def _spread(W: pd.DataFrame) -> pd.DataFrame:
    q1, q3 = W.quantile(0.25), W.quantile(0.75)
    return pd.DataFrame({"sd": W.std(ddof=1), "min": W.min(), "max": W.max(), "iqr": q3 - q1})


def _agreement(W: pd.DataFrame) -> pd.DataFrame:
    """Kendall's W, ICC(3,1), ICC(3,k) and Krippendorff's α (interval) of experts × weights."""
    rows = []
    for measure in ("kendall_w", "ICC(3,1)", "ICC(3,k)", "krippendorff_alpha"):
        row = dict.fromkeys(_AGREEMENT_COLUMNS, np.nan)
        row["measure"], row["name_zh"] = measure, MEASURE_LABELS[measure]
        if len(W) >= 2:
            try:
                if measure == "kendall_w":
                    r = kendall_w(W, from_scores=True)
                    row.update(estimate=r.w, statistic=r.chi2, df=r.df, p_value=r.p_value)
                elif measure == "krippendorff_alpha":
                    row["estimate"] = krippendorff_alpha(W, "interval").alpha
                else:
                    r = icc(W, measure)
                    row.update(estimate=r.icc, statistic=r.f, df=r.df1, p_value=r.p_value,
                               ci_low=r.ci_low, ci_high=r.ci_high)
            except ValueError as err:  # nothing to agree on, e.g. every weight equal
                logger.warning("%s of the panel's weights is undefined: %s", measure, err)
        rows.append(row)
    return pd.DataFrame(rows, columns=_AGREEMENT_COLUMNS)


def review(judgements: dict, *, how: str | None = None, method: str = "eigen",
           ri: str = "saaty", cr_threshold: float = 0.10, total: float = 100,
           name: str = "") -> PanelReview:
    """Review one judgement group of an expert panel: consistency, combined weights, agreement.

    Parameters
    ----------
    judgements : dict
        ``{expert: DataFrame}`` for one group, as in ``Workspace.judgements[group]``: either every
        expert's AHP pairwise matrix (square, index = columns = node codes) or every expert's
        point budget (index = node codes, one column ``points``); the kind is detected.
    how : str, optional
        How judgements are combined. AHP: ``"aij"`` (default; element-wise geometric mean of the
        matrices, then its priorities) or ``"aip"`` (geometric mean of the experts' priorities);
        budgets: ``"mean"`` (default) or ``"median"`` of the points.
    method : {"eigen", "geometric"}
        AHP priorities from the principal eigenvector or the row geometric means.
    ri : {"saaty", "alonso_lamata", "donegan_dodd"}
        Random index table for the consistency ratio.
    cr_threshold : float, default 0.10
        Experts with a larger consistency ratio are flagged inconsistent (and warned about).
    total : float, default 100
        The points each expert distributes (budgets).
    name : str
        Name of the group, for titles.

    Returns
    -------
    PanelReview
        ``.frame`` (expert, node, weight), ``.experts``, ``.combined``, ``.agreement``.

    Raises
    ------
    ValueError
        An empty panel, an expert whose file is neither kind (or a different kind from the
        others), an expert judging different node codes from the others (named), or invalid
        judgements (the expert is named).

    Warns
    -----
    InconsistentJudgementWarning
        For each expert (and the AIJ group matrix) with CR above ``cr_threshold``, naming the
        most inconsistent judgement.

    Notes
    -----
    Agreement is measured on the experts' weights: Kendall's W on their rankings of the nodes,
    the ICC with experts as raters and nodes as targets, and Krippendorff's α (interval).
    Every expert's weights sum to 1, so the experts' mean weights are equal and the
    between-raters mean square is 0 by construction. The absolute-agreement ICC(2,·) then
    subtracts a negative rater-variance estimate and can leave [-1, 1] (Shrout & Fleiss's
    ICC(2,k) can exceed 1), so the consistency forms ICC(3,1) and ICC(3,k) are reported;
    ICC(3,k) is the reliability of the panel's mean weights. The leave-one-out consensus
    combines the other experts' judgements the same way (``how``) as the whole panel's.

    References
    ----------
    Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
    analytic hierarchy process. *European Journal of Operational Research*, 108(1), 165-169.

    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 6.1 (budget
    allocation) and 6.2 (AHP).

    Examples
    --------
    >>> import pandas as pd, zhengji_lab as zl
    >>> given = {"li": [50, 30, 20], "wang": [40, 40, 20], "zhang": [60, 20, 20],
    ...          "zhao": [10, 30, 60]}
    >>> pts = {e: pd.DataFrame({"points": p}, index=["a", "b", "c"]) for e, p in given.items()}
    >>> r = zl.panel.review(pts)
    >>> r.combined["weight"].round(3).to_dict()
    {'a': 0.4, 'b': 0.3, 'c': 0.3}
    >>> r.experts.index[r.experts["outlier"]].tolist()
    ['zhao']
    """
    if not isinstance(judgements, dict):
        raise TypeError(f"The 'judgements' parameter of review() must be a dict {{expert: "
                        f"DataFrame}} (one group of Workspace.judgements). Got "
                        f"{type(judgements).__name__} instead.")
    if not judgements:
        raise ValueError("The 'judgements' parameter of review() is empty: the panel has no "
                         "expert. Add one judgement file per expert to the group's folder.")
    kind = _detect_kind(judgements)
    how = HOW[kind][0] if how is None else how
    check_choice(how, HOW[kind], "how", "review")
    nodes = _common_nodes(judgements)
    experts = list(judgements)
    node_index = pd.Index(nodes, name="node")

    if kind == "ahp":
        matrices = {e: df.loc[list(nodes), list(nodes)] for e, df in judgements.items()}
        group = weighting.ahp_group(matrices, how=how, method=method, ri=ri,
                                    cr_threshold=cr_threshold)
        W = pd.DataFrame({e: group.individual[e].weights.to_numpy() for e in experts},
                         index=node_index).T
        combined_w = group.weights.to_numpy()
        combined_cr = group.combined.cr if group.combined is not None else np.nan
        diag = pd.DataFrame({"lambda_max": [group.individual[e].lambda_max for e in experts],
                             "ci": [group.individual[e].ci for e in experts],
                             "cr": [group.individual[e].cr for e in experts]}, index=experts)
        diag["consistent"] = diag["cr"] <= cr_threshold

        def combine(subset):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InconsistentJudgementWarning)
                return weighting.ahp_group({e: matrices[e] for e in subset}, how=how,
                                           method=method, ri=ri,
                                           cr_threshold=cr_threshold).weights.to_numpy()
    else:
        points = pd.DataFrame({e: df["points"].reindex(list(nodes)) for e, df in
                               judgements.items()}).T
        points.columns = node_index
        combined_w = weighting.budget(points, how=how, total=total).to_numpy()
        W = points / float(total)
        combined_cr = np.nan
        diag = pd.DataFrame({"lambda_max": np.nan, "ci": np.nan, "cr": np.nan,
                             "consistent": True}, index=experts)

        def combine(subset):
            return weighting.budget(points.loc[list(subset)], how=how,
                                    total=total).to_numpy()

    W.index.name = "expert"
    distance, rank_corr = np.full(len(experts), np.nan), np.full(len(experts), np.nan)
    if len(experts) >= 2:
        for i, e in enumerate(experts):
            others = combine([x for x in experts if x != e])
            mine = W.loc[e].to_numpy()
            distance[i] = float(np.abs(mine - others).mean())
            if np.ptp(mine) > 0 and np.ptp(others) > 0:  # Spearman is undefined for a constant
                rank_corr[i] = float(stats.spearmanr(mine, others).statistic)
    else:
        logger.warning("review(): a panel of one expert has no agreement or leave-one-out "
                       "distance to compute.")
    outlier = np.zeros(len(experts), dtype=bool)
    if len(experts) >= 3:
        top = np.flatnonzero(np.isclose(distance, distance.max(), rtol=1e-9, atol=1e-12))
        if len(top) == 1:
            outlier[top[0]] = True
    diag["distance"], diag["rank_corr_with_others"], diag["outlier"] = distance, rank_corr, outlier
    diag.index = pd.Index(experts, name="expert")

    combined = pd.concat([pd.Series(combined_w, index=node_index, name="weight"), _spread(W)],
                         axis=1)
    frame = W.stack().rename("weight").reset_index()[["expert", "node", "weight"]]
    return PanelReview(name=name, kind=kind, how=how, nodes=nodes, frame=frame,
                       experts=diag, combined=combined, agreement=_agreement(W),
                       combined_cr=float(combined_cr), cr_threshold=float(cr_threshold))


def review_workspace(ws, group: str, **kwargs) -> PanelReview:
    """:func:`review` of the judgement group ``group`` of a workspace.

    Parameters
    ----------
    ws : Workspace
        A loaded workspace; its ``judgements`` are ``{group: {expert: DataFrame}}``.
    group : str
        The group, i.e. the path under ``judgements/`` without extension (e.g. ``"livelihood"``).
    **kwargs
        Passed to :func:`review` (``how``, ``method``, ``ri``, ``cr_threshold``, ``total``).

    Returns
    -------
    PanelReview
    """
    groups = getattr(ws, "judgements", None)
    if not isinstance(groups, dict):
        raise TypeError(f"The 'ws' parameter of review_workspace() must be a Workspace (with "
                        f"judgements). Got {type(ws).__name__} instead.")
    if group not in groups:
        raise ValueError(f"The 'group' parameter of review_workspace() must be one of the "
                         f"workspace's judgement groups {sorted(groups)}. Got {group!r} instead."
                         + ("" if groups else " The workspace has no judgements/ folder."))
    return review(groups[group], name=kwargs.pop("name", group), **kwargs)
