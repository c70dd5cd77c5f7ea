"""The report's provenance section: what identifies the data, the scheme and the software
behind every number, and the build log as a tidy table of readable, rounded values.

:func:`provenance_table` turns :attr:`Assessment.provenance <zhengji_lab.Assessment>` and each
:class:`~zhengji_lab.pipeline.records.StepRecord` of ``Assessment.log`` into rows of ``步骤 Step,
项目 Item, 数值 Value``: parameters and resolved values as text (names for units, numbers to
three significant digits, tables as their rows), never Python reprs.

Examples
--------
>>> value_text({"method": "minmax", "scale": [0, 100], "cap": 1.23456})
'method minmax; scale 0, 100; cap 1.23'
>>> value_text(pd.Series({"expert_1": 0.0433521, "expert_2": 0.0151}))
'expert_1 0.0434; expert_2 0.0151'
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from importlib import metadata

import numpy as np
import pandas as pd

from zhengji_lab.rules import TRIGGER_LABELS

#: The package versions the provenance lists besides zhengji_lab's (those not installed are left
#: out).
PACKAGES = ("pandas", "numpy", "scipy", "pyfixest")

#: Display names of the build steps (``StepRecord.step``).
STEP_LABELS = {
    "scheme": "方案检查 scheme", "workspace": "数据检查 workspace", "select": "选取 select",
    "denominate": "折算 denominate", "impute": "插补 impute", "screen": "筛选 screen",
    "treat": "异常值处理 treat", "normalise": "标准化 normalise", "weight": "赋权 weight",
    "aggregate": "汇总 aggregate", "deductions": "减分 deductions", "grades": "等次 grades",
    "triggers": "约谈提醒 triggers", "uncertainty_flags": "不确定性 uncertainty",
}

#: Display names of the values the steps resolve (fields of the ``Resolved`` records) and of
#: the provenance's entries.
ITEM_LABELS = {
    "params": "参数 parameters", "warnings": "警告 warning", "warning": "警告 warning",
    "units": "单位数 units", "indicators": "指标数 indicators",
    "missing_cells": "缺失单元格 missing cells",
    "units_without_values": "无数据单位 units without values",
    "excluded": "剔除指标 excluded", "table": "明细 details", "details": "明细 details",
    "points": "改动数值 changed values", "status": "处理结果 status",
    "reference_year": "参照年 reference year", "goalposts": "目标值 goalposts",
    "unknown_indicators": "未知指标 unknown indicators",
    "fitted_on_assessed_year": "按考核年拟合 fitted on the assessed year",
    "no_spread": "无差异指标 no spread", "reference_year_missing": "缺参照年 reference year missing",
    "method": "方法 method", "weights": "权重 weights", "cr": "一致性比率 CR",
    "units_below_min_coverage": "数据不足单位 units below min coverage",
    "points_applied": "实扣分 points applied", "counts": "各等次单位数 units per grade",
    "n": "条数 number", "draws": "抽样次数 draws", "inputs": "不确定输入 uncertain inputs",
    "grades_uncertain": "等次存疑 uncertain grades",
    "triggers_uncertain": "触发概率不足 uncertain triggers",
    "fingerprint": "方案指纹 Scheme fingerprint", "version": "zhengji_lab",
    "data_hash": "数据指纹 Data hash", "scheme": "考核方案 Scheme", "year": "考核年度 Year",
    "source": "数据来源 Workspace", "root": "综合指数 Root node", "seed": "随机种子 Seed",
    "python": "Python",
}

_SOURCE = "来源 provenance"
_COLUMNS = ["步骤 Step", "项目 Item", "数值 Value"]
_MAX_ROWS = 10                # rows of a table shown in one cell


def number_text(x) -> str:
    """A number rounded for display: whole numbers as such, others to three significant digits.

    >>> number_text(0.0909090909), number_text(6.5), number_text(12345.678), number_text(3.0)
    ('0.0909', '6.5', '12346', '3')
    """
    x = float(x)
    if not np.isfinite(x):
        return "—"
    if x.is_integer():
        return str(int(x))
    return f"{x:.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def value_text(v, names: Mapping | None = None, *, depth: int = 0) -> str:
    """A parameter or resolved value as readable text: mappings as ``key value; …``, sequences
    joined by commas, numbers rounded (:func:`number_text`), codes in ``names`` by their name,
    tables as their rows (at most ten)."""
    names = names or {}
    sep = "; " if depth == 0 else ", "
    if v is None:
        return "—"
    if isinstance(v, (bool, np.bool_)):
        return "是 yes" if v else "否 no"
    if isinstance(v, (int, float, np.integer, np.floating)):
        return number_text(v)
    if isinstance(v, str):
        return str(names.get(v, v))
    if isinstance(v, pd.DataFrame):
        return _frame_text(v, names)
    if isinstance(v, pd.Series):
        v = v.to_dict()
    if isinstance(v, Mapping):
        parts = []
        for k, x in v.items():
            inner = value_text(x, names, depth=depth + 1) or "—"
            nested = isinstance(x, (Mapping, pd.Series)) and inner != "—"
            parts.append(f"{names.get(k, k)} ({inner})" if nested else f"{names.get(k, k)} {inner}")
        return sep.join(parts)
    if isinstance(v, (list, tuple, np.ndarray)):
        return sep.join(" ".join(value_text(y, names, depth=depth + 1) for y in x)
                        if isinstance(x, tuple) else
                        f"({value_text(x, names, depth=depth + 1)})" if isinstance(x, Mapping)
                        else value_text(x, names, depth=depth + 1) for x in v)
    return str(v)


def _frame_text(df: pd.DataFrame, names: Mapping) -> str:
    if df.empty:
        return "—"
    rows = ["，".join(f"{c} {value_text(x, names, depth=1)}" for c, x in row.items())
            for _, row in df.head(_MAX_ROWS).iterrows()]
    more = f"；… 共 {len(df)} 行 rows" if len(df) > _MAX_ROWS else ""
    return "；".join(rows) + more


def _empty(v) -> bool:
    if v is None or v is False:
        return True
    if isinstance(v, (pd.DataFrame, pd.Series)):
        return v.empty
    return isinstance(v, (Mapping, tuple, list, str)) and len(v) == 0


def _names(a) -> dict:
    """Codes shown by their names: units, framework nodes (for weighted nodes), triggers."""
    out = dict(TRIGGER_LABELS)
    out.update(a.units.set_index("unit_id")["name_zh"].to_dict())
    return out


def _record_rows(rec, names: Mapping, node_names: Mapping) -> list[tuple[str, str, str]]:
    step = STEP_LABELS.get(rec.step, rec.step)
    params = dict(rec.params)
    if rec.step == "weight" and "node" in params:
        node = params.pop("node")
        step = f"{step} · {node_names.get(node, node)} {node}"
    rows = []
    if params:
        rows.append((step, ITEM_LABELS["params"], value_text(params, names)))
    resolved = rec.resolved
    if rec.step == "workspace":
        return rows + [(step, ITEM_LABELS["warning"], resolved.brief())]
    for f in dataclasses.fields(resolved):
        v = getattr(resolved, f.name)
        if _empty(v) or (f.name in params and params[f.name] == v):
            continue
        label = ITEM_LABELS.get(f.name, f.name.replace("_", " "))
        if f.name == "warnings":
            rows += [(step, label, str(w)) for w in v]
        elif f.name == "diagnostics":
            rows += [(step, ITEM_LABELS.get(k, k.replace("_", " ")), value_text(x, names))
                     for k, x in v.items() if not _empty(x)]
        elif f.name == "weights" and isinstance(v, pd.DataFrame):
            rows.append((step, label, f"各单位权重 per unit, {v.shape[0]} × {v.shape[1]}"))
        elif f.name == "points" and isinstance(v, pd.DataFrame):
            rows.append((step, label, f"{len(v)}"))
        elif f.name in ("grades_uncertain", "triggers_uncertain"):
            rows.append((step, label, f"{len(v)}: {value_text(v, names)}"))
        else:
            rows.append((step, label, value_text(v, names)))
    return rows


def flags_record(a):
    """The ``uncertainty_flags`` record of the build log (``None`` when the build had none)."""
    return next((r for r in reversed(a.log) if r.step == "uncertainty_flags"), None)


def provenance_table(a) -> pd.DataFrame:
    """Provenance of the assessment, readable: what identifies it, then the build log.

    The first rows (step ``来源 provenance``) give the scheme and its fingerprint, the data hash,
    the year and workspace, the versions of Python, zhengji_lab, pandas, NumPy, SciPy and
    pyfixest (when installed), and the seed and number of Monte Carlo draws of the uncertainty
    flags (0 when the build ran none). Then each step of ``Assessment.log``: its parameters as
    the scheme gave them and the values it resolved, one row per value.

    Parameters
    ----------
    a : Assessment

    Returns
    -------
    DataFrame
        ``步骤 Step, 项目 Item, 数值 Value``, all values display text: names instead of codes
        for units and triggers, numbers rounded to three significant digits, tables as rows.
    """
    names = _names(a)
    fw = a.framework
    node_names = fw.set_index("code")["name_zh"].to_dict() if fw is not None else {}
    prov = dict(a.provenance)
    rows = [(_SOURCE, ITEM_LABELS.get(k, k), str(prov.pop(k)))
            for k in ("scheme", "fingerprint", "data_hash", "year", "source", "root")
            if k in prov]
    rows.append((_SOURCE, "zhengji_lab", str(prov.pop("version", ""))))
    prov.pop("package", None)
    rows.append((_SOURCE, "Python", str(prov.pop("python", ""))))
    for pkg in PACKAGES:
        version = prov.pop(pkg, None) or _installed(pkg)
        if version:
            rows.append((_SOURCE, pkg, str(version)))
    flags = flags_record(a)
    prov.pop("seed", None)
    if flags is not None:
        rows += [(_SOURCE, ITEM_LABELS["seed"], value_text(flags.params["seed"])),
                 (_SOURCE, "抽样次数 Draws", value_text(flags.resolved.draws))]
    else:
        rows += [(_SOURCE, ITEM_LABELS["seed"], "—"),
                 (_SOURCE, "抽样次数 Draws", "0（未作不确定性分析 no uncertainty analysis）")]
    rows += [(_SOURCE, ITEM_LABELS.get(k, k), value_text(v, names)) for k, v in prov.items()]
    for rec in a.log:
        rows += _record_rows(rec, names, node_names)
    return pd.DataFrame(rows, columns=_COLUMNS)


def _installed(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
