"""The workspace's tables: their columns, how each column is typed, keys and column notes.

This module is data: :data:`COLUMNS` (the columns of each table, in order), :data:`SPEC` (how a
column is read: dtype, required, filled, default, allowed values, minimum, fix), :data:`KEYS`
(columns that identify a row) and :data:`COLUMN_NOTES` (the Chinese and English notes of the
template), plus how a framework ``kinds`` cell reads.  Everything else in
:mod:`zhengji_lab.workspace` is driven by it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: Columns of each table, in order.  Extra columns in ``units`` are structural covariates.
COLUMNS: dict[str, list[str]] = {
    "framework": ["code", "name_zh", "name_en", "parent", "level", "direction", "unit", "scope",
                  "kinds", "visibility", "source", "key"],
    "units": ["unit_id", "name_zh", "name_en", "kind", "peer_group"],
    "values": ["unit_id", "year", "indicator", "value"],
    "targets": ["unit_id", "year", "indicator", "target", "target_source"],
    "deductions": ["unit_id", "year", "item", "points", "note"],
    "deduction_items": ["item", "name_zh", "name_en", "max_points"],
    "covariates": ["unit_id", "year", "name", "value"],
    "outcomes": ["unit_id", "year", "name", "value"],
}

#: Tables a workspace must have; the others may be absent.
REQUIRED_TABLES = ("framework", "units", "values")

#: Name of the explanatory first sheet of a workbook (ignored when loading).
README_SHEET = "说明 README"


@dataclass(frozen=True)
class Col:
    """How one column is read.  Columns not named in :data:`SPEC` are optional text."""

    dtype: str = "str"            # "str" | "int" | "float"
    required: bool = False        # the column must be in the header
    filled: bool = False          # every cell must be non-empty
    default: str = ""             # text for an absent column or an empty cell (str columns)
    choices: tuple = ()           # allowed values (after conversion)
    minimum: float | None = None  # smallest allowed number
    maximum: float | None = None  # largest allowed number
    fix: str = ""                 # how to fix a bad cell
    code: bool = False            # an identifier: read without full-width and invisible characters


_CODE = Col(required=True, filled=True, code=True)
_YEAR = Col("int", required=True, filled=True, minimum=1900, maximum=2100,
            fix="write the year as a four-digit whole number such as 2024")

#: Numbers beyond ±LIMIT are refused: no assessment value is that large, and squared or summed
#: over units such numbers overflow (a typo, or a value in the wrong unit).
LIMIT = 1e15

#: Years further than this from every other year of ``values`` are reported (a typo: 2205).
YEAR_GAP = 10

#: How each column is read; columns not named here are optional text (:func:`column_rule`).
SPEC: dict[str, dict[str, Col]] = {
    "framework": {
        "code": _CODE,
        "parent": Col(required=True, code=True),
        "kinds": Col(code=True),
        "level": Col("int", required=True, filled=True, minimum=1,
                     fix="write 1 for indicators, 2 for their dimensions, and so on up to the "
                         "root"),
        "direction": Col("int", required=True, filled=True, choices=(1, -1),
                         fix="write 1 if higher values are better, -1 if lower values are better "
                             "(1 for dimensions and the root)"),
        "scope": Col(default="common", choices=("common", "individualized")),
        "visibility": Col(default="visible", choices=("visible", "latent")),
    },
    "units": {"unit_id": _CODE, "kind": _CODE, "peer_group": Col(code=True)},
    "values": {"unit_id": _CODE, "year": _YEAR, "indicator": _CODE,
               "value": Col("float", required=True)},
    "targets": {"unit_id": _CODE, "year": _YEAR, "indicator": _CODE,
                "target": Col("float", required=True)},
    "deductions": {"unit_id": _CODE, "year": _YEAR, "item": _CODE,
                   "points": Col("float", required=True, filled=True, minimum=0)},
    "deduction_items": {"item": _CODE, "max_points": Col("float", minimum=0)},
    "covariates": {"unit_id": _CODE, "year": _YEAR, "name": _CODE,
                   "value": Col("float", required=True, filled=True,
                                fix="write the value as a plain number, or delete the row")},
    "outcomes": {"unit_id": _CODE, "year": _YEAR, "name": _CODE,
                 "value": Col("float", required=True)},
}

#: Columns whose combination must be unique in each table.
KEYS = {"framework": ["code"], "units": ["unit_id"], "values": ["unit_id", "year", "indicator"],
        "targets": ["unit_id", "year", "indicator"], "deduction_items": ["item"],
        "covariates": ["unit_id", "year", "name"], "outcomes": ["unit_id", "year", "name"]}

#: Per-column notes (Chinese, English) for the template's comments and README sheet.
COLUMN_NOTES: dict[str, tuple[str, str]] = {
    "name_zh": ("中文名称", "Name in Chinese"),
    "name_en": ("英文名称", "Name in English"),
    "unit_id": ("单位代码，须为 units 表中的代码", "Unit code, as in the units sheet"),
    "year": ("年份，整数，如 2024", "Year, a whole number such as 2024"),
    "indicator": ("指标代码，须为 framework 表中的叶节点",
                  "Indicator code: a leaf of the framework"),
    "framework.code": ("节点代码：字母开头的 snake_case，唯一",
                       "Node code: snake_case, starts with a letter, unique"),
    "framework.parent": ("上级节点代码；根节点（综合指数）留空",
                         "Code of the parent node; empty for the root (the composite index)"),
    "framework.level": (
        "层级：指标为 1，维度为 2，依此类推至根节点",
        "Level: 1 for indicators, 2 for their dimensions, and so on up to the root"),
    "framework.direction": ("方向：越大越好填 1，越小越好填 -1（维度和根节点填 1）",
                            "1 if higher is better, -1 if lower is better (1 for the others)"),
    "framework.unit": ("计量单位，如 %、万元", "Unit of measurement, e.g. %, 10k yuan"),
    "framework.scope": ("common（共性指标）或 individualized（个性化指标）；留空为 common",
                        "common or individualized; empty means common"),
    "framework.kinds": ("适用的单位类型，用 ; 分隔；留空为全部类型",
                        "Unit kinds the indicator applies to, separated by ';'; empty means all"),
    "framework.visibility": ("visible（显绩）或 latent（潜绩）；留空为 visible",
                             "visible or latent achievement; empty means visible"),
    "framework.source": ("数据来源", "Data source"),
    "framework.key": ("重点工作标记或备注，可留空", "Key-work flag or remark; may be empty"),
    "units.unit_id": ("单位代码，唯一", "Unit code, unique"),
    "units.kind": ("单位类型，如 town、park、agency、enterprise、institution、cadre",
                   "Kind of unit, e.g. town, park, agency, enterprise, institution, cadre"),
    "units.peer_group": ("同类比较组，可留空；其后可加数值列作结构性协变量（如人口、面积）",
                         "Peer group (may be empty); more columns: covariates, e.g. population"),
    "values.value": ("指标数值（纯数字）；缺失请留空", "Value, a plain number; empty if missing"),
    "targets.target": ("目标值（纯数字）", "Target value, a plain number"),
    "targets.target_source": ("目标来源：declared（自主申报）或 expert（专家论证）",
                              "Where the target comes from: declared or expert"),
    "deductions.item": ("减分项代码，见 deduction_items 表",
                        "Deduction item code, see the deduction_items sheet"),
    "deductions.points": ("扣分，非负数", "Points deducted, a number ≥ 0"),
    "deductions.note": ("说明", "Note"),
    "deduction_items.item": ("减分项代码，唯一", "Deduction item code, unique"),
    "deduction_items.max_points": ("该项最高扣分，可留空",
                                   "Most points the item can deduct; may be empty"),
    "covariates.name": ("协变量名称，如 gdp、population、area（可作分母或结构条件）",
                        "Covariate name, e.g. gdp, population, area (denominators, conditions)"),
    "covariates.value": ("协变量数值（纯数字）", "Covariate value, a plain number"),
    "outcomes.name": ("考核分之外的结果变量名称，如满意度调查、12345投诉（用于评估个性化指标的效果）",
                      "Outcome outside the score, e.g. satisfaction survey, 12345 complaints"),
    "outcomes.value": ("结果变量数值（纯数字）；缺失请留空",
                       "Outcome value, a plain number; empty if missing"),
}

#: A plain number as a cell may hold it: ``12``, ``-0.5``, ``.5``, ``1e3``.
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

#: A number with a percent sign, as a CSV exported from Excel holds a percent-formatted cell.
PERCENT_TEXT = re.compile(rf"({NUMBER.pattern})\s*%")

#: What Excel writes in a cell whose formula failed.
EXCEL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!"})

#: Cells of the framework's ``key`` column that flag a key indicator (重点指标), case-insensitive.
KEY_WORDS = frozenset({"yes", "y", "true", "1", "key", "x", "是", "重点", "√", "✓"})

#: Separators of a ``kinds`` cell read as ``;`` (with a warning): ``,``, ``、`` and ``|``.
KIND_SEPARATORS = re.compile(r"\s*[,、|]\s*")


def column_rule(table: str, column: str) -> Col:
    """How ``column`` of ``table`` is read: its :data:`SPEC` entry, else optional text."""
    return SPEC[table].get(column, Col())


def kinds_of(text) -> frozenset[str]:
    """The kinds in a framework ``kinds`` cell ("town; park" → {town, park})."""
    return frozenset(k.strip() for k in str(text).split(";") if k.strip())


def is_key(text) -> bool:
    """Whether a framework ``key`` cell flags a key indicator ("yes", "是", "重点", …)."""
    return str(text).strip().casefold() in KEY_WORDS


def is_percent_unit(text) -> bool:
    """Whether a framework ``unit`` cell is the percent sign (``%`` or full-width ``％``)."""
    return str(text).strip().replace("\uff05", "%") in ("%", "百分比", "percent")


def applies(kinds_text, kind: str) -> bool:
    """Whether an indicator with this ``kinds`` cell applies to units of ``kind`` (empty: all)."""
    kinds = kinds_of(kinds_text)
    return not kinds or kind in kinds
