"""The expert panel's weighting review (权重方案评审): every candidate scheme side by side.

* :func:`compare_schemes` builds each candidate scheme of a workspace once for one year and sets
  the results side by side as a :class:`SchemeComparison`: the weights each scheme gives every
  node (as the aggregation applies them to the units) and their effective weight at the index
  level, how each unit's rank and grade move against a reference scheme, and the rank
  correlations between the schemes.
* :func:`panel_summary` reviews every judgement group of the expert panel
  (:func:`zhengji_lab.panel.review`): each expert's consistency and the panel's agreement, as a
  :class:`PanelSummary`.

``notebooks/01_weighting_review.ipynb`` shows both, and ``zhengji weights`` prints them and
writes them to one workbook.

Weights as applied
------------------
A scheme states weights per parent node; a unit gets them *as the aggregation applies them*
(:mod:`zhengji_lab.aggregate`): children that do not apply to the unit's kind get weight 0 and
the others are rescaled to sum to 1. Data-driven weights are fitted per peer group (and per set
of applicable children), benefit-of-the-doubt weights per unit. :attr:`SchemeComparison.weights`
therefore reports, per peer group and over all units (``group == "all"``), the mean over the
units of the weights they get, and the effective weight of every node at the index level
computed from those mean weights (:func:`zhengji_lab.effective_weights`, COINr's
``get_eff_weights``). A missing value, which also rescales a unit's weights, is not counted: the
weights describe the scheme, not the gaps in one year's data.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
sections 6 (weighting) and 7 (uncertainty: comparing rankings). OECD Publishing.
doi:10.1787/9789264043466-en

Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. and Saisana, M. (2022).
COINr: an R package for developing composite indicators. *Journal of Open Source Software*
7(78), 4567. doi:10.21105/joss.04567
"""
from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zhengji_lab.build import Assessment, build
from zhengji_lab.compare import RankComparison, compare_rankings, effective_weights
from zhengji_lab.errors import choices
from zhengji_lab.panel import PanelReview, review_workspace
from zhengji_lab.scheme import Scheme
from zhengji_lab.workspace import Workspace

logger = logging.getLogger(__name__)

#: Kinds of rank figure drawn by :meth:`SchemeComparison.plot_ranks`.
RANK_PLOTS = ("bump", "shifts", "heatmap")
#: Weight columns of :attr:`SchemeComparison.weights` shown by the wide tables and the chart.
WEIGHT_VALUES = ("effective", "weight")
#: Group label of the pooled rows of :attr:`SchemeComparison.weights` (all units).
ALL = "all"
# label of a peer group named "all" beside others ("all" is the pooled label)
_PEER_ALL = "all (peer group)"
# build's group label of the node-level summary row of a benefit-of-the-doubt node
_BOD_GROUP = "mean of units"

#: Chinese labels of the columns of the tables written to the workbook (``中文 code``).
COLUMN_LABELS: dict[str, str] = {
    "scheme": "方案", "name": "名称", "fingerprint": "方案指纹", "description": "说明",
    "reference": "参照方案", "group": "同类比较组", "peer_group": "同类比较组",
    "parent": "上级节点", "node": "节点", "name_zh": "名称", "level": "层级",
    "weight": "权重", "effective": "有效权重", "unit_id": "单位代码",
    "scheme_a": "方案A", "scheme_b": "方案B", "n_units": "单位数", "spearman": "斯皮尔曼秩相关",
    "kendall": "肯德尔τb", "mean_abs_shift": "平均排名变动", "max_abs_shift": "最大排名变动",
    "top_k_overlap": "前k名重合率", "grade_reference": "参照等次", "grade": "等次",
    "rank_reference": "参照排名", "rank": "排名", "expert": "专家", "lambda_max": "最大特征值",
    "ci": "一致性指标CI", "cr": "一致性比率CR", "consistent": "一致性合格",
    "distance": "与他人偏离", "rank_corr_with_others": "与他人秩相关", "outlier": "偏离最大",
    "judgements": "专家判断组", "measure": "统计量名称", "estimate": "估计值", "statistic": "检验统计量", "df": "自由度",
    "p_value": "p值", "ci_low": "置信下限", "ci_high": "置信上限",
}


def label_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a Chinese label in front of each known column code (``权重 weight``).

    Columns not in :data:`COLUMN_LABELS` (scheme names, for instance) keep their name.

    Examples
    --------
    >>> label_columns(pd.DataFrame(columns=["node", "weight", "baseline"])).columns.tolist()
    ['节点 node', '权重 weight', 'baseline']
    """
    return df.rename(columns={c: f"{COLUMN_LABELS[c]} {c}" for c in df.columns
                              if c in COLUMN_LABELS})


def _text_table(df: pd.DataFrame, digits: int = 3) -> str:
    """``df`` as aligned console text (CJK characters count two columns)."""
    if df.empty:
        return "  无 None"
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 250,
                           "display.max_columns", None, "display.max_rows", None):
        return df.to_string(index=False, na_rep="—",
                            float_format=lambda v: f"{v:.{digits}f}")


def _preorder(tree: dict, root: str) -> list[str]:
    """Nodes from the root down, each followed by its subtree (framework order of siblings)."""
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(tree.get(node, [])))
    return out


# --------------------------------------------------------------------------------------------
# Weights as the units get them
# --------------------------------------------------------------------------------------------
def _node_applicability(a: Assessment, tree: dict, root: str) -> pd.DataFrame:
    """Units × nodes: does at least one indicator under the node apply to the unit (as build)."""
    has = a.stage("applicable").copy()
    for node in reversed(_preorder(tree, root)):  # children before their parents
        if node in tree:
            has[node] = has[tree[node]].any(axis=1)
    return has


def _bod_unit_weights(a: Assessment, parent: str, kids: list[str]) -> pd.DataFrame:
    """Units × children: each unit's own benefit-of-the-doubt weights, rescaled to sum to 1."""
    frames = [r.resolved["weights"] for r in a.log
              if r.step == "weight" and r.params.get("node") == parent
              and isinstance(r.resolved, dict) and r.resolved.get("method") == "bod"]
    if not frames:
        return pd.DataFrame(columns=kids, dtype=float)
    own = pd.concat(frames).reindex(columns=kids).fillna(0.0)
    return own.div(own.sum(axis=1).replace(0.0, np.nan), axis=0)


def _unit_weights(a: Assessment, tree: dict, root: str) -> pd.DataFrame:
    """Units × (parent, node): the weight of each child within its parent as a unit gets it.

    The weights of ``a.weights`` for the unit's peer group (and set of applicable children, as
    build fitted them), or the unit's own BoD weights; children that do not apply to the unit
    get 0 and the others are rescaled to sum to 1, as :func:`zhengji_lab.aggregate` does.
    """
    has = _node_applicability(a, tree, root)
    groups = a.units.set_index("unit_id")["peer_group"].astype(str).reindex(has.index)
    parts = {}
    for parent, rows in a.weights.groupby("parent", sort=False):
        kids = tree[parent]
        table = rows.pivot_table(index="group", columns="node", values="weight",
                                 aggfunc="first").reindex(columns=kids)
        labels = set(table.index)
        if labels <= {"*", _BOD_GROUP}:       # one set of weights for every unit
            W = pd.DataFrame(np.tile(table.iloc[0].to_numpy(dtype=float), (len(has), 1)),
                             index=has.index, columns=kids)
            if _BOD_GROUP in labels:
                W = _bod_unit_weights(a, parent, kids).dropna(how="all").combine_first(W)
                W = W.reindex(index=has.index, columns=kids)
        else:                                  # fitted per peer group (and indicator pattern)
            pattern = has[kids].apply(lambda r: ";".join(k for k, v in r.items() if v), axis=1)
            key = [g if g in labels else f"{g}/{p}" for g, p in zip(groups, pattern)]
            W = table.reindex(key).set_axis(has.index)
        W = W.where(has[kids], 0.0)
        parts[parent] = W.div(W.sum(axis=1).replace(0.0, np.nan), axis=0)
    return pd.concat(parts, axis=1, names=["parent", "node"])


def _effective(mean: pd.Series) -> pd.DataFrame:
    """``parent, node, level, weight, effective`` of a tree of mean weights (index parent, node)."""
    tree = mean.fillna(0.0).rename("weight").reset_index()
    sums = tree.groupby("parent", sort=False)["weight"].transform("sum")
    # a parent that applies to none of these units: its own weight is 0, so is its subtree's
    dead = tree["parent"][sums <= 0].unique()
    eff = effective_weights(None, tree[~tree["parent"].isin(dead)])
    out = tree[["parent", "node"]].merge(eff[["node", "level", "nominal", "effective"]],
                                         on="node", how="left")
    out = out.rename(columns={"nominal": "weight"})
    out[["weight", "effective"]] = out[["weight", "effective"]].fillna(0.0)
    level = dict(zip(eff["node"], eff["level"]))
    out["level"] = [level.get(n, level.get(p, 2) - 1) for n, p in zip(out["node"],
                                                                      out["parent"])]
    return out


def _weights_frame(assessments: dict, ws: Workspace) -> pd.DataFrame:
    tree, root, names = ws.tree(), ws.root, ws.labels("zh")
    rows = []
    for label, a in assessments.items():
        U = _unit_weights(a, tree, root)
        groups = a.units.set_index("unit_id")["peer_group"].astype(str).reindex(U.index)
        means = [(ALL, U.mean())]
        if groups.nunique() > 1:   # with one peer group its rows are the pooled ones
            means += [(_PEER_ALL if g == ALL else g, sub.mean())
                      for g, sub in U.groupby(groups, sort=False)]
        for g, mean in means:
            rows.append(_effective(mean).assign(scheme=label, group=g))
    out = pd.concat(rows, ignore_index=True)
    out["name_zh"] = out["node"].map(names)
    return out[["scheme", "group", "parent", "node", "name_zh", "level", "weight", "effective"]]


# --------------------------------------------------------------------------------------------
# The panel
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PanelSummary:
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

    def summary(self) -> str:
        """The summary of every group's review."""
        return "\n\n".join(r.summary() for r in self.reviews.values())

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
                parts.append(_text_table(c[["expert", "lambda_max", "cr", "consistent",
                                            "distance", "outlier"]]))
            else:
                parts.append(_text_table(c[["expert", "distance", "rank_corr_with_others",
                                            "outlier"]]))
            ag = self.agreement[self.agreement["judgements"] == group]
            parts.append("一致程度 Agreement:")
            parts.append(_text_table(ag[["measure", "name_zh", "estimate", "statistic", "df",
                                         "p_value", "ci_low", "ci_high"]]))
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return "".join(r._repr_html_() for r in self.reviews.values())

    def plot(self, group: str, ax=None):
        """Each expert's weights over the combined weights of one group (Chinese labels).

        Returns
        -------
        matplotlib Axes
        """
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
    >>> import warnings, zhengji_lab as zl
    >>> ws = zl.load_workspace(zl.datasets.data_dir() / "sample_city")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     p = zl.panel_summary(ws)
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


# --------------------------------------------------------------------------------------------
# The comparison of schemes
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SchemeComparison:
    """Candidate schemes side by side for one year (made by :func:`compare_schemes`).

    Attributes
    ----------
    assessments : dict
        ``{label: Assessment}``, one per scheme, in the order given (built without the talk
        triggers' history; ``zl.build`` gives the full assessment).
    weights : DataFrame
        Tidy ``scheme, group, parent, node, name_zh, level, weight, effective``: per scheme and
        peer group (``group == "all"``: all units), the mean weight of each node within its
        parent as the units get it, and its effective weight at the index level (see the
        module docstring). ``level`` is 1 for indicators and grows towards the root.
    comparison : RankComparison
        :func:`zhengji_lab.compare_rankings` of the composites, within peer groups, with the
        grades: ``.frame`` (Spearman, Kendall, rank shifts, top-k overlap per pair of schemes),
        ``.ranks``, ``.shifts``, ``.grade_changes``.
    panel : PanelSummary or None
        The expert panel's review (:func:`panel_summary`), None without judgements.
    year : int
    labels : dict
        Display names (Chinese) of node codes and units.
    """

    assessments: dict
    weights: pd.DataFrame
    comparison: RankComparison
    panel: PanelSummary | None
    year: int
    labels: dict

    # -- views --------------------------------------------------------------------------------
    @property
    def schemes(self) -> list[str]:
        """Labels of the schemes, in the order given."""
        return list(self.assessments)

    @property
    def reference(self) -> str:
        """The scheme the others are compared with (参照方案)."""
        return self.comparison.reference

    @property
    def units(self) -> pd.DataFrame:
        """The assessed units: ``unit_id, name_zh, name_en, kind, peer_group, …``."""
        return self.assessments[self.reference].units

    @property
    def groups(self) -> list[str]:
        """The peer groups, in the order of the units table."""
        return list(dict.fromkeys(self.units["peer_group"].astype(str)))

    def weights_table(self, value: str = "effective", *, level: int | None = None,
                      group: str = ALL) -> pd.DataFrame:
        """Nodes × schemes: one weight column per scheme, nodes in tree order.

        Parameters
        ----------
        value : {"effective", "weight"}
            Effective weight at the index level, or weight within the parent.
        level : int, optional
            Only the nodes of this level (1 = indicators); default: every node but the root.
        group : str
            A peer group, or ``"all"`` (mean over all units).

        Returns
        -------
        DataFrame
            ``node, name_zh, level, <scheme>…``.
        """
        if value not in WEIGHT_VALUES:
            raise ValueError(f"The 'value' parameter of SchemeComparison.weights_table() must be "
                             f"one of {choices(WEIGHT_VALUES)}. Got {value!r} instead.")
        known = list(dict.fromkeys(self.weights["group"]))
        if group not in known:
            raise ValueError(f"The 'group' parameter of SchemeComparison.weights_table() must be "
                             f"one of {choices(known)}. Got {group!r} instead.")
        w = self.weights[self.weights["group"] == group]
        levels = sorted(w["level"].unique())
        if level is not None and level not in levels:
            raise ValueError(f"The 'level' parameter of SchemeComparison.weights_table() must be "
                             f"one of {levels} (1 = indicators). Got {level!r} instead.")
        order = list(dict.fromkeys(self.weights["node"]))
        tree_order = [n for n in self._node_order() if n in order]
        wide = w.pivot(index="node", columns="scheme", values=value).reindex(
            index=tree_order, columns=self.schemes)
        info = w.drop_duplicates("node").set_index("node")[["name_zh", "level"]]
        out = info.reindex(tree_order).join(wide).rename_axis("node").reset_index()
        out.columns.name = None
        if level is not None:
            out = out[out["level"] == level]
        return out.reset_index(drop=True)

    def _node_order(self) -> list[str]:
        a = self.assessments[self.reference]
        kids: dict[str, list[str]] = {}
        for parent, node in zip(a.weights["parent"], a.weights["node"]):
            kids.setdefault(parent, [])
            if node not in kids[parent]:
                kids[parent].append(node)
        return _preorder(kids, a.root)[1:]

    def correlations(self, method: str = "spearman") -> pd.DataFrame:
        """Schemes × schemes rank correlations (within peer groups, unit-weighted mean)."""
        return self.comparison.correlation(method).loc[self.schemes, self.schemes]

    def ranks_table(self) -> pd.DataFrame:
        """Units with their rank under every scheme and the shift against the reference.

        Returns
        -------
        DataFrame
            ``unit_id, name_zh, peer_group, <scheme>…`` (ranks within the peer group, 1 =
            best) and ``shift <scheme>`` (rank minus the reference's; + = falls), ordered by
            peer group and reference rank.
        """
        u = self.units.set_index("unit_id")
        r = self.comparison.ranks
        out = pd.DataFrame({"name_zh": u["name_zh"].reindex(r.index),
                            "peer_group": u["peer_group"].astype(str).reindex(r.index)})
        out = out.join(r).join(self.comparison.shifts.add_prefix("shift "))
        first = {g: i for i, g in enumerate(self.groups)}
        out = out.rename_axis("unit_id").reset_index()
        return out.sort_values(["peer_group", self.reference], key=lambda s: s.map(first)
                               if s.name == "peer_group" else s, kind="stable",
                               ignore_index=True)

    @property
    def grade_changes(self) -> pd.DataFrame:
        """Units whose grade differs from the reference scheme's.

        ``unit_id, name_zh, peer_group, scheme, grade_reference, grade, rank_reference, rank``
        (empty when no unit's grade changes, or when the schemes give no grades).
        """
        cols = ["unit_id", "name_zh", "peer_group", "scheme", "grade_reference", "grade",
                "rank_reference", "rank"]
        gc = self.comparison.grade_changes
        if gc is None or gc.empty:
            return pd.DataFrame(columns=cols)
        u = self.units.set_index("unit_id")
        out = gc.assign(name_zh=gc["unit_id"].map(u["name_zh"]),
                        peer_group=gc["unit_id"].map(u["peer_group"].astype(str)))
        first = {g: i for i, g in enumerate(self.groups)}
        return out[cols].sort_values(["scheme", "peer_group", "rank_reference"],
                                     key=lambda s: s.map(first) if s.name == "peer_group"
                                     else s, kind="stable", ignore_index=True)

    def schemes_table(self) -> pd.DataFrame:
        """``scheme, name, fingerprint, description, reference``: what was compared."""
        rows = [{"scheme": label, "name": a.scheme.spec["name"],
                 "fingerprint": a.provenance["fingerprint"],
                 "description": str(a.scheme.spec.get("description") or ""),
                 "reference": label == self.reference}
                for label, a in self.assessments.items()]
        return pd.DataFrame(rows)

    # -- text -----------------------------------------------------------------------------------
    def summary(self) -> str:
        """A few lines: schemes, agreement with the reference, grade changes."""
        n_units, n_groups = len(self.units), len(self.groups)
        pooled = self.comparison.frame
        pooled = pooled[(pooled["group"] == "all") & (pooled["scheme_a"] == self.reference)]
        changes = self.grade_changes.groupby("scheme").size()
        lines = [(f"权重方案评审 Weighting review {self.year}: {len(self.schemes)} schemes "
                  f"({', '.join(self.schemes)}), reference 参照 {self.reference!r}, {n_units} "
                  f"units in {n_groups} peer group{'s' if n_groups != 1 else ''}"),
                 "Spearman with the reference 与参照方案的秩相关: "
                 + ", ".join(f"{b} {s:.3f}" for b, s in zip(pooled["scheme_b"],
                                                             pooled["spearman"])),
                 "Grade changes 等次变化: "
                 + (", ".join(f"{s} {int(changes.get(s, 0))}" for s in self.schemes
                              if s != self.reference)
                    if self.comparison.grade_changes is not None
                    else "none given (the schemes define no grades 方案未设等次)")]
        unscored = {s: int(a.index.isna().sum()) for s, a in self.assessments.items()}
        if any(unscored.values()):
            lines.append("Units without a composite (below min_coverage) 无综合得分: "
                         + ", ".join(f"{s} {n}" for s, n in unscored.items() if n))
        return "\n".join(lines)

    def to_text(self) -> str:
        """The whole comparison as console text (what ``zhengji weights`` prints)."""
        parts = [self.summary(), "", "== 方案 Schemes ==",
                 _text_table(self.schemes_table().drop(columns="description"))]
        parts += ["", ("== 权重 Weights (all units 全部单位): weight within the parent 层内权重 "
                       "and effective weight at the index level 有效权重 ==")]
        inner, eff = self.weights_table("weight"), self.weights_table("effective")
        parent = self.weights.drop_duplicates("node").set_index("node")["parent"]
        for level in sorted(inner["level"].unique(), reverse=True):
            rows = inner["level"] == level
            t = inner.loc[rows, ["node", "name_zh"]].copy()
            t.insert(2, "parent", t["node"].map(parent).map(self.labels))
            for s in self.schemes:
                t[s] = inner.loc[rows, s]
            if level != self._top_level():   # the top level's weights are their effective ones
                for s in self.schemes:
                    t[f"{s} eff."] = eff.loc[rows, s]
            parts += [f"Level 层级 {level}:", _text_table(t)]
        corr = self.correlations("spearman").rename_axis("scheme").reset_index()
        frame = self.comparison.frame
        pooled = frame[frame["group"] == "all"].drop(columns="group")
        parts += ["", "== 秩相关 Rank correlations (Spearman, within peer groups) ==",
                  _text_table(corr), "",
                  f"Pairs of schemes (top-k = {self.comparison.top_k}):",
                  _text_table(pooled)]
        gc = self.grade_changes
        parts += ["", f"== 等次变化 Units whose grade changes ({len(gc)}) ==",
                  _text_table(gc.drop(columns="unit_id"), digits=0)]
        if self.panel is not None:
            parts += ["", "== 专家组 Expert panel: 一致性与一致程度 consistency and agreement ==",
                      self.panel.to_text()]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        head, *rest = self.summary().split("\n")
        fmt = {"index": False, "float_format": lambda v: f"{v:.3f}", "na_rep": "—"}
        return (f"<h4>{html.escape(head)}</h4>"
                + "".join(f"<p>{html.escape(line)}</p>" for line in rest)
                + "<h5>有效权重 Effective weights (dimensions)</h5>"
                + self.weights_table("effective", level=self._top_level()).to_html(**fmt)
                + "<h5>秩相关 Rank correlations (Spearman)</h5>"
                + self.correlations().to_html(float_format=lambda v: f"{v:.3f}"))

    def __repr__(self) -> str:
        return f"<SchemeComparison {self.year}: {', '.join(self.schemes)}>"

    def _top_level(self) -> int:
        a = self.assessments[self.reference]
        dims = a.weights.loc[a.weights["parent"] == a.root, "node"]
        return int(self.weights.loc[self.weights["node"].isin(dims), "level"].max())

    # -- files ----------------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables written by :meth:`to_excel`, by sheet name, columns labelled in Chinese."""
        out = {"schemes": self.schemes_table(),
               "weights": self.weights_table("weight"),
               "effective_weights": self.weights_table("effective"),
               "weights_by_group": self.weights,
               "ranks": self.ranks_table(),
               "correlations": self.comparison.frame,
               "spearman": self.correlations("spearman").rename_axis("scheme").reset_index(),
               "grade_changes": self.grade_changes}
        if self.panel is not None:
            out["panel_consistency"] = self.panel.consistency
            out["panel_agreement"] = self.panel.agreement
        return {name: label_columns(df) for name, df in out.items()}

    def to_excel(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write one sheet per table (:meth:`tables`) to an .xlsx workbook.

        Parameters
        ----------
        path : str or Path
            The workbook (``.xlsx``); its folder is created when missing.
        overwrite : bool
            Replace an existing file; otherwise a ``FileExistsError`` is raised.

        Returns
        -------
        Path
        """
        from zhengji_lab.report import write_workbook

        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            raise ValueError(f"The 'path' parameter of SchemeComparison.to_excel() must end in "
                             f".xlsx. Got {str(path)!r} instead.")
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} already exists; pass overwrite=True (zhengji weights "
                                  f"--overwrite) or choose another file (--out).")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(self.tables(), path)
        logger.info("Wrote the comparison of %d schemes to %s", len(self.schemes), path)
        return path

    # -- figures --------------------------------------------------------------------------------
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
        import matplotlib.pyplot as plt

        from zhengji_lab.plots import weights_bar

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
        from zhengji_lab.plots import bump_chart, shift_heatmap

        if kind not in RANK_PLOTS:
            raise ValueError(f"The 'kind' parameter of SchemeComparison.plot_ranks() must be one "
                             f"of {choices(RANK_PLOTS)}. Got {kind!r} instead.")
        if group is not None and group not in self.groups:
            raise ValueError(f"The 'group' parameter of SchemeComparison.plot_ranks() must be "
                             f"one of {choices(self.groups)}. Got {group!r} instead.")
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


def _scheme_items(ws: Workspace, schemes) -> dict[str, Scheme]:
    """``{label: Scheme}`` from names of the workspace, Scheme objects or a dict."""
    where = "The 'schemes' parameter of compare_schemes()"
    if schemes is None:
        schemes = list(ws.schemes)
    if isinstance(schemes, (str, Scheme)) or not isinstance(schemes, (Mapping, Sequence)):
        raise TypeError(f"{where} must be a list of scheme names or Scheme objects, or a dict "
                        f"label -> Scheme. Got {type(schemes).__name__} instead.")
    items = list(schemes.items()) if isinstance(schemes, Mapping) else \
        [(s.spec["name"] if isinstance(s, Scheme) else s, s) for s in schemes]
    out: dict[str, Scheme] = {}
    for label, s in items:
        if not isinstance(label, str) or not label:
            raise TypeError(f"{where} needs a non-empty text label for every scheme. Got "
                            f"{label!r} instead.")
        if isinstance(s, str):
            if s not in ws.schemes:
                raise ValueError(f"{where} names {s!r}, which is not a scheme of the workspace; "
                                 f"its schemes are {choices(ws.schemes)}.")
            s = Scheme.from_yaml(ws.schemes[s])
        elif not isinstance(s, Scheme):
            raise TypeError(f"{where} must hold scheme names or Scheme objects. Got "
                            f"{type(s).__name__} for {label!r} instead.")
        if label in out:
            raise ValueError(f"{where} has two schemes labelled {label!r}; pass a dict "
                             f"{{label: Scheme}} with distinct labels.")
        out[label] = s
    if len(out) < 2:
        raise ValueError(f"{where} needs at least 2 schemes to compare. Got {len(out)} "
                         f"({list(out)}); the workspace's schemes are {choices(ws.schemes)}.")
    return out


def compare_schemes(ws: Workspace, schemes=None, year: int | None = None, *,
                    reference: str | None = None, top_k: int = 5,
                    panel: bool = True) -> SchemeComparison:
    """Build candidate schemes for one year and compare their weights, ranks and grades.

    Parameters
    ----------
    ws : Workspace
    schemes : list or dict, optional
        Names of the workspace's schemes and/or :class:`~zhengji_lab.Scheme` objects (labelled
        by their ``name``), or a dict ``{label: Scheme or name}``. Default: every scheme of the
        workspace. At least two.
    year : int, optional
        The year assessed; default the workspace's latest.
    reference : str, optional
        Label of the scheme the others are compared with; default the first.
    top_k : int, default 5
        For the top-k overlap of :func:`zhengji_lab.compare_rankings`.
    panel : bool, default True
        Also review the expert panel (:func:`panel_summary`) when the workspace has judgements.

    Returns
    -------
    SchemeComparison

    Raises
    ------
    ValueError
        Unknown scheme names, fewer than two schemes, an unknown reference or year, or schemes
        that compare units in different peer groups (``peer_groups``), whose ranks cannot be
        set side by side.

    Notes
    -----
    Each distinct scheme (by :meth:`~zhengji_lab.Scheme.fingerprint`) is built once; schemes
    are built without the earlier years that the talk triggers need. Ranks are recomputed by
    :func:`zhengji_lab.compare_rankings` within the peer groups from the composites, exactly
    as :func:`zhengji_lab.build` ranks them.

    Examples
    --------
    >>> import warnings, zhengji_lab as zl
    >>> ws = zl.load_workspace(zl.datasets.data_dir() / "sample_city")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     cmp = zl.compare_schemes(ws, ["baseline", "equal"], 2025, panel=False)
    >>> cmp.schemes, cmp.reference
    (['baseline', 'equal'], 'baseline')
    >>> cmp.weights_table("weight", level=2)[["node", "baseline", "equal"]].round(2)
             node  baseline  equal
    0     economy      0.30    0.2
    1     ecology      0.25    0.2
    2  livelihood      0.25    0.2
    3      safety      0.10    0.2
    4       party      0.10    0.2
    """
    if not isinstance(ws, Workspace):
        raise TypeError(f"The 'ws' parameter of compare_schemes() must be a Workspace "
                        f"(zl.load_workspace). Got {type(ws).__name__} instead.")
    if year is None:
        year = ws.years[-1]
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or year not in ws.years:
        raise ValueError(f"The 'year' parameter of compare_schemes() must be a year of the "
                         f"workspace, one of {ws.years}. Got {year!r} instead.")
    items = _scheme_items(ws, schemes)
    if reference is not None and reference not in items:
        raise ValueError(f"The 'reference' parameter of compare_schemes() must be one of "
                         f"{choices(items)}. Got {reference!r} instead.")
    built: dict[str, Assessment] = {}
    assessments: dict[str, Assessment] = {}
    for label, s in items.items():
        key = s.fingerprint()
        if key not in built:  # identical schemes share one build
            logger.info("compare_schemes(): building %r (%s) for %d", label, key, year)
            built[key] = build(ws, s, int(year), history=False)
        assessments[label] = built[key]

    ref = reference or next(iter(items))
    groups = assessments[ref].units.set_index("unit_id")["peer_group"].astype(str)
    differ = [f"{label!r} (peer_groups: {a.scheme.spec['peer_groups']!r})"
              for label, a in assessments.items()
              if not a.units.set_index("unit_id")["peer_group"].astype(str).reindex(
                  groups.index).equals(groups)]
    if differ:
        raise ValueError(f"The schemes passed to compare_schemes() rank units within different "
                         f"peer groups: {', '.join(differ)} differ from the reference {ref!r} "
                         f"(peer_groups: {assessments[ref].scheme.spec['peer_groups']!r}). "
                         f"Compare schemes with the same peer_groups.")
    # one peer group: the pooled ranking is the ranking ("all" is compare_rankings' pooled row)
    cmp_groups = None if groups.nunique() == 1 else groups.replace(ALL, _PEER_ALL)
    root = {label: a.scores[a.scores["node"] == a.root].set_index("unit_id")
            for label, a in assessments.items()}
    graded = all(a.scheme.spec["grades"] for a in assessments.values())
    comparison = compare_rankings({label: r["score"] for label, r in root.items()},
                                  reference=ref, top_k=top_k, groups=cmp_groups,
                                  grades={label: r["grade"] for label, r in root.items()}
                                  if graded else None)
    review = panel_summary(ws) if panel and ws.judgements else None
    labels = ws.labels("zh")
    return SchemeComparison(assessments=assessments, weights=_weights_frame(assessments, ws),
                            comparison=comparison, panel=review, year=int(year),
                            labels=labels)
