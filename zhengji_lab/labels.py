"""Display labels (Chinese, and English for the yearly report) of the package's tables, in one
place, and console text.

The column codes of the tidy frames made by :mod:`zhengji_lab.compare`, :mod:`zhengji_lab.panel`,
:mod:`zhengji_lab.review` and :mod:`zhengji_lab.report` stay English codes; the labels shown
beside them in workbooks, notebooks, the yearly report and the console are all here:

* :data:`COLUMN_LABELS`: column code → Chinese label (``label_columns`` prints ``权重 weight``);
* :data:`COLUMN_LABELS_EN`: column code → English label, for the report's tables in English;
* :data:`GROUP_LABELS`: peer groups and unit kinds → display name (:func:`group_label`);
* :data:`MEASURE_LABELS`: agreement measures of a panel review → Chinese name;
* :data:`FLAG_NOTES`: flags of :func:`zhengji_lab.correlation_flags` → note;
* :data:`HOW_LABELS`: ways of combining a panel's judgements → description.

The talk triggers' labels are values, not columns: ``zhengji_lab.rules.TRIGGER_LABELS``.

Examples
--------
>>> label_columns(pd.DataFrame(columns=["node", "weight", "baseline"])).columns.tolist()
['节点 node', '权重 weight', 'baseline']
>>> COLUMN_LABELS["rank"], COLUMN_LABELS_EN["rank"], group_label("town"), group_label("zone_9")
('排名', 'Rank', '镇/街道 towns', 'zone_9')
"""
from __future__ import annotations

import pandas as pd

#: Chinese labels of the columns of the package's tables (``中文 code`` in workbooks).
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
    "judgements": "专家判断组", "measure": "统计量名称", "estimate": "估计值",
    "statistic": "检验统计量", "df": "自由度", "p_value": "p值", "ci_low": "置信下限",
    "ci_high": "置信上限", "unit": "单位", "kind": "类型", "deduction": "减分",
    "items": "减分事项", "points": "扣分", "applied": "实扣", "capped": "封顶",
    "trigger": "约谈类型", "evidence": "依据", "note": "说明", "year": "年度",
    "rank_lo": "排名区间下限", "rank_hi": "排名区间上限", "rank_band": "排名区间",
    "grade_uncertain": "等次存疑", "p_fire": "触发概率",
}

#: English labels of the columns the yearly report can show in English (``lang="en"``); each
#: code is also in :data:`COLUMN_LABELS`.
COLUMN_LABELS_EN: dict[str, str] = {
    "peer_group": "Peer group", "rank": "Rank", "unit_id": "Unit code", "unit": "Unit",
    "kind": "Kind", "deduction": "Deduction", "grade": "Grade", "items": "Items",
    "points": "Points", "applied": "Applied", "capped": "Capped", "trigger": "Trigger",
    "evidence": "Evidence", "note": "Note", "year": "Year", "rank_lo": "Rank band low",
    "rank_hi": "Rank band high", "rank_band": "Rank band", "grade_uncertain": "Uncertain grade",
    "p_fire": "P(fire)",
}

#: Display names of common peer groups and unit kinds (``中文 English``); others are shown as
#: they are.
GROUP_LABELS: dict[str, str] = {
    "towns_parks": "园镇 towns and parks", "town": "镇/街道 towns", "park": "园区 parks",
    "agency": "机关 agencies", "enterprise": "企业 enterprises",
    "institution": "事业单位 institutions", "cadre": "干部 cadres",
}

#: Chinese names of the measures of a panel's agreement (``PanelReview.agreement["name_zh"]``).
MEASURE_LABELS: dict[str, str] = {
    "kendall_w": "肯德尔和谐系数 (排序)", "ICC(3,1)": "组内相关系数 (单个专家)",
    "ICC(3,k)": "组内相关系数 (专家均值)", "krippendorff_alpha": "克里彭多夫 α (区间)",
}

#: Notes of the flags raised by :func:`zhengji_lab.correlation_flags`.
FLAG_NOTES: dict[str, str] = {
    "collinear": "高度共线 collinear pair",
    "negative_pair": "负相关 negatively correlated pair",
    "negative_dimension": "与所属维度负相关 negatively correlated with its dimension",
    "weak_dimension": "与所属维度弱相关 weakly correlated with its dimension",
}

#: How a panel's judgements are combined (``PanelReview.how``), as its summary says it.
HOW_LABELS: dict[str, str] = {
    "aij": "AIJ, geometric mean of the judgements",
    "aip": "AIP, geometric mean of the priorities",
    "mean": "mean of the points", "median": "median of the points, renormalised",
}


def group_label(group: str) -> str:
    """Display name of a peer group (:data:`GROUP_LABELS`, else the code itself)."""
    return GROUP_LABELS.get(str(group), str(group))


def label_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a Chinese label in front of each known column code (``权重 weight``).

    Columns not in :data:`COLUMN_LABELS` (scheme names, for instance) keep their name.
    """
    return df.rename(columns={c: f"{COLUMN_LABELS[c]} {c}" for c in df.columns
                              if c in COLUMN_LABELS})


def text_table(df: pd.DataFrame, digits: int = 3) -> str:
    """``df`` as aligned console text (CJK characters count two columns).

    >>> print(text_table(pd.DataFrame({"node": ["a"], "weight": [0.5]})))
    node  weight
       a   0.500
    """
    if df.empty:
        return "  无 None"
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 250,
                           "display.max_columns", None, "display.max_rows", None):
        return df.to_string(index=False, na_rep="—",
                            float_format=lambda v: f"{v:.{digits}f}")
