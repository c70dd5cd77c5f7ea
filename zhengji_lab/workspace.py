"""The assessment workspace: the indicator tree, units, values, targets, deductions, judgements.

A workspace is one folder of CSV files (or one ``.xlsx`` workbook with one sheet per table),
laid out as in ``DESIGN.md``.  :func:`load_workspace` reads and validates it; every problem is
collected and reported at once in a :class:`WorkspaceError` that names file or sheet, row and
column, and says how to fix it.

Every table travels through one path: cells as text → :func:`_parse_table` (driven by
:data:`COLUMNS` and :data:`_SPEC`) → typed frames → cross-table checks.  Loading, validating an
in-memory workspace, comparing two workspaces and hashing them all use it, so they agree.

Folder layout and workbook sheets::

    framework.csv  units.csv  values.csv                      sheets: framework, units, values
    targets.csv  deductions.csv  deduction_items.csv          (optional)
    judgements/<group>/<expert>.csv                           sheets: J.<group>.<expert>
    schemes/<name>.yaml                                       sheets: S.<name>, one YAML line a row
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import re
import warnings
import weakref
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from zhengji_lab.errors import PROBLEM_COLUMNS, BuildError, WorkspaceError

_HASHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Workspace -> data_hash()

logger = logging.getLogger(__name__)

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
}

#: Tables a workspace must have; the others may be absent.
REQUIRED_TABLES = ("framework", "units", "values")

#: Name of the explanatory first sheet of a workbook (ignored when loading).
README_SHEET = "说明 README"


@dataclass(frozen=True)
class _Col:
    """How one column is read.  Columns not named in :data:`_SPEC` are optional text."""

    dtype: str = "str"            # "str" | "int" | "float"
    required: bool = False        # the column must be in the header
    filled: bool = False          # every cell must be non-empty
    default: str = ""             # text for an absent column or an empty cell (str columns)
    choices: tuple = ()           # allowed values (after conversion)
    minimum: float | None = None  # smallest allowed number
    fix: str = ""                 # how to fix a bad cell


_CODE = _Col(required=True, filled=True)
_YEAR = _Col("int", required=True, filled=True, fix="write the year as a whole number such as 2024")
_SPEC: dict[str, dict[str, _Col]] = {
    "framework": {
        "code": _CODE,
        "parent": _Col(required=True),
        "level": _Col("int", required=True, filled=True, minimum=1,
                      fix="write 1 for indicators, 2 for their dimensions, and so on up to the root"),
        "direction": _Col("int", required=True, filled=True, choices=(1, -1),
                          fix="write 1 if higher values are better, -1 if lower values are better "
                              "(1 for dimensions and the root)"),
        "scope": _Col(default="common", choices=("common", "individualized")),
        "visibility": _Col(default="visible", choices=("visible", "latent")),
    },
    "units": {"unit_id": _CODE, "kind": _CODE},
    "values": {"unit_id": _CODE, "year": _YEAR, "indicator": _CODE,
               "value": _Col("float", required=True)},
    "targets": {"unit_id": _CODE, "year": _YEAR, "indicator": _CODE,
                "target": _Col("float", required=True)},
    "deductions": {"unit_id": _CODE, "year": _YEAR, "item": _CODE,
                   "points": _Col("float", required=True, filled=True, minimum=0)},
    "deduction_items": {"item": _CODE, "max_points": _Col("float", minimum=0)},
    "covariates": {"unit_id": _CODE, "year": _YEAR, "name": _CODE,
                   "value": _Col("float", required=True, filled=True,
                                 fix="write the value as a plain number, or delete the row")},
}

#: Columns whose combination must be unique in each table.
_KEYS = {"framework": ["code"], "units": ["unit_id"], "values": ["unit_id", "year", "indicator"],
         "targets": ["unit_id", "year", "indicator"], "deduction_items": ["item"],
         "covariates": ["unit_id", "year", "name"]}

#: Per-column notes (Chinese, English) for the template's comments and README sheet.
COLUMN_NOTES: dict[str, tuple[str, str]] = {
    "name_zh": ("中文名称", "Name in Chinese"),
    "name_en": ("英文名称", "Name in English"),
    "unit_id": ("单位代码，须为 units 表中的代码", "Unit code, as in the units sheet"),
    "year": ("年份，整数，如 2024", "Year, a whole number such as 2024"),
    "indicator": ("指标代码，须为 framework 表中的叶节点", "Indicator code: a leaf of the framework"),
    "framework.code": ("节点代码：字母开头的 snake_case，唯一",
                       "Node code: snake_case, starts with a letter, unique"),
    "framework.parent": ("上级节点代码；根节点（综合指数）留空",
                         "Code of the parent node; empty for the root (the composite index)"),
    "framework.level": ("层级：指标为 1，维度为 2，依此类推至根节点",
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
}

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_RATIO = re.compile(rf"({_NUMBER.pattern})\s*/\s*({_NUMBER.pattern})")
_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_AHP_RTOL = 1e-2  # tolerance for reciprocals and the [1/9, 9] scale (rounded fractions)


# ---------------------------------------------------------------------------------------------
# The dataclass
@dataclass(frozen=True, eq=False)
class Workspace:
    """An assessment workspace held in memory.

    Attributes
    ----------
    framework : DataFrame
        The indicator tree as a parent-pointer table (``COLUMNS["framework"]``); the root has an
        empty parent (``""``); ``level`` is 1 for indicators and grows towards the root.
    units : DataFrame
        One row per unit; columns ``unit_id, name_zh, name_en, kind, peer_group`` followed by any
        structural covariates (numeric).
    values : DataFrame
        Long format ``unit_id, year, indicator, value`` (value float, NaN = missing).
    targets : DataFrame
        ``unit_id, year, indicator, target, target_source`` for individualized indicators.
    deductions : DataFrame
        ``unit_id, year, item, points, note``: negative-list events (减分项), points > 0 are
        subtracted after aggregation.
    deduction_items : DataFrame
        The negative list: ``item, name_zh, name_en, max_points``.
    judgements : dict
        ``{group: {expert: DataFrame}}``; ``group`` is the path under ``judgements/`` without
        extension (e.g. ``"livelihood"``).  A DataFrame is either a square AHP matrix (index and
        columns = node codes, floats) or a point budget (index = node codes, one column
        ``points``).
    schemes : dict
        ``{name: yaml_text}`` for ``schemes/<name>.yaml``.
    source : str
        Where the workspace was read from ("" when built in memory).
    covariates : DataFrame
        Optional time-varying conditions ``unit_id, year, name, value`` (GDP, population, area
        …): denominators for the scheme's ``denominate`` section, and conditions units cannot
        control for later analyses.

    Examples
    --------
    >>> fw = pd.DataFrame({"code": ["index", "gdp", "debt"], "parent": ["", "index", "index"],
    ...                    "level": [2, 1, 1], "direction": [1, 1, -1]})
    >>> units = pd.DataFrame({"unit_id": ["a", "b"], "kind": ["town", "park"]})
    >>> values = pd.DataFrame({"unit_id": ["a", "b"], "year": [2024, 2024],
    ...                        "indicator": ["gdp", "gdp"], "value": [1.5, 2.0]})
    >>> ws = Workspace(fw, units, values)
    >>> ws.indicators(), ws.root, ws.years
    (['gdp', 'debt'], 'index', [2024])
    >>> ws.matrix(2024)  # doctest: +NORMALIZE_WHITESPACE
             gdp  debt
    unit_id
    a        1.5   NaN
    b        2.0   NaN
    """

    framework: pd.DataFrame
    units: pd.DataFrame
    values: pd.DataFrame
    targets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COLUMNS["targets"]))
    deductions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=COLUMNS["deductions"]))
    deduction_items: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=COLUMNS["deduction_items"]))
    judgements: dict = field(default_factory=dict)
    schemes: dict = field(default_factory=dict)
    source: str = ""
    covariates: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=COLUMNS["covariates"]))

    def __repr__(self) -> str:
        years = self.years
        span = f"years {years[0]}–{years[-1]}" if years else "no years"
        where = f"{self.source!r}: " if self.source else ""
        return (f"Workspace({where}{len(self.units)} units, {len(self.indicators())} indicators, "
                f"{span}, {len(self.judgements)} judgement groups, {len(self.schemes)} schemes)")

    # -- the tree ---------------------------------------------------------------------------
    @property
    def root(self) -> str:
        """Code of the root node (the composite index): the one row with an empty parent."""
        roots = self.framework.loc[self.framework["parent"] == "", "code"].tolist()
        if len(roots) != 1:
            raise ValueError(f"The framework must have exactly one root (a row with an empty "
                             f"parent). Got {len(roots)}: {roots[:10]}; validate_workspace() "
                             f"says where.")
        return roots[0]

    def tree(self) -> dict[str, list[str]]:
        """``{parent: [children…]}`` for every node that has children, in framework order."""
        kids: dict[str, list[str]] = {}
        for code, parent in zip(self.framework["code"], self.framework["parent"]):
            if parent:
                kids.setdefault(parent, []).append(code)
        return {code: kids[code] for code in self.framework["code"] if code in kids}

    def children(self, node: str) -> list[str]:
        """Codes of the children of ``node`` in framework order (``[]`` for an indicator)."""
        codes = self.framework["code"].tolist()
        if node not in codes:
            raise ValueError(f"The 'node' parameter of Workspace.children() must be a code of "
                             f"the framework. Got {node!r} instead.")
        return self.tree().get(node, [])

    def indicators(self, kind: str | None = None) -> list[str]:
        """Leaf codes (nodes without children) in framework order.

        Parameters
        ----------
        kind : str, optional
            Keep only the indicators that apply to units of this kind (``kinds`` empty or
            listing it).
        """
        fw = self.framework
        leaves = fw[~fw["code"].isin(set(fw["parent"]))]
        if kind is None:
            return leaves["code"].tolist()
        known = set(self.units["kind"]).union(*map(_kinds, fw["kinds"]))
        if kind not in known:
            raise ValueError(f"The 'kind' parameter of Workspace.indicators() must be one of "
                             f"{sorted(known)}. Got {kind!r} instead.")
        return [c for c, k in zip(leaves["code"], leaves["kinds"]) if _applies(k, kind)]

    # -- data --------------------------------------------------------------------------------
    @property
    def years(self) -> list[int]:
        """Sorted years that have rows in ``values``."""
        return sorted(int(y) for y in self.values["year"].unique())

    @property
    def directions(self) -> pd.Series:
        """``code → +1/-1`` for the indicators (leaves), in framework order."""
        codes = self.indicators()
        d = self.framework.set_index("code")["direction"]
        return pd.Series(d.loc[codes].astype(int).to_numpy(), index=pd.Index(codes),
                         name="direction")

    def matrix(self, year: int, units=None, indicators=None) -> pd.DataFrame:
        """Values of one year as a wide table: units × indicators (float, NaN where missing).

        Parameters
        ----------
        year : int
            One of :attr:`years`.
        units, indicators : list of str, optional
            Rows and columns, in this order; all units (``units`` order) and all indicators
            (framework order) by default.
        """
        if year not in self.years:
            raise ValueError(f"The 'year' parameter of Workspace.matrix() must be one of "
                             f"{self.years}. Got {year!r} instead.")
        units = self.units["unit_id"].tolist() if units is None else list(units)
        indicators = self.indicators() if indicators is None else list(indicators)
        for name, given, known in (("units", units, self.units["unit_id"]),
                                   ("indicators", indicators, self.indicators())):
            unknown = sorted(set(given) - set(known))
            if unknown:
                raise ValueError(f"The {name!r} parameter of Workspace.matrix() must list "
                                 f"{name} of this workspace. Got unknown {unknown[:10]} instead.")
        v = self.values[self.values["year"] == year]
        wide = v.pivot(index="unit_id", columns="indicator", values="value")
        return wide.reindex(index=pd.Index(units, name="unit_id"),
                            columns=pd.Index(indicators)).astype(float)

    def covariate_table(self, year: int, names) -> pd.DataFrame:
        """Units × ``names``: each unit's conditions in ``year`` (float, NaN where missing).

        A name is read from ``covariates.csv`` when that table has it (its value of ``year``),
        otherwise from the numeric column of ``units.csv`` with that name.

        Raises
        ------
        BuildError
            A name found in neither, listing the names there are.
        """
        cov = self.covariates
        known = set(cov["name"]) if "name" in cov else set()
        numeric = [c for c in self.units.columns[len(COLUMNS["units"]):]
                   if pd.api.types.is_numeric_dtype(self.units[c])]
        unknown = [n for n in names if n not in known and n not in numeric]
        if unknown:
            raise BuildError(f"No covariate {unknown[:10]}: covariates.csv has "
                             f"{sorted(known)} and units.csv the numeric columns {numeric}. Add "
                             "the values to covariates.csv (unit_id, year, name, value), or "
                             "correct the name.")
        index = pd.Index(self.units["unit_id"], name="unit_id")
        out = pd.DataFrame(index=index)
        this = cov[cov["year"] == year] if len(cov) else cov
        for n in names:
            if n in known:
                rows = this[this["name"] == n]
                out[n] = rows.set_index("unit_id")["value"].reindex(index).astype(float)
            else:
                out[n] = self.units.set_index("unit_id")[n].reindex(index).astype(float)
        return out

    def labels(self, lang: str = "zh") -> dict[str, str]:
        """``code → name`` for framework nodes and units, in ``lang`` ("zh" or "en").

        A missing name falls back to the other language, then to the code.
        """
        if lang not in ("zh", "en"):
            raise ValueError(f"The 'lang' parameter of Workspace.labels() must be one of "
                             f"{{'zh', 'en'}}. Got {lang!r} instead.")
        other = "en" if lang == "zh" else "zh"
        out: dict[str, str] = {}
        for table, key in ((self.framework, "code"), (self.units, "unit_id")):
            names = table.reindex(columns=[key, f"name_{lang}", f"name_{other}"])
            for code, *name in names.itertuples(index=False, name=None):
                out[code] = next((n for n in name if isinstance(n, str) and n), code)
        return out

    # -- identity ----------------------------------------------------------------------------
    def data_hash(self) -> str:
        """SHA-256 of the data tables and judgements (not schemes, not ``source``).

        Computed on the typed tables as :func:`load_workspace` gives them (a workspace made in
        memory is converted first), so a workspace and its written-and-loaded copy have the same
        hash. Each column is hashed with :func:`pandas.util.hash_pandas_object`, with the table
        and column names, in order.
        """
        if self not in _HASHES:  # a workspace is not changed in place: hash it once
            ws = self if _is_canonical(self) else canonical(self)
            digest = hashlib.sha256()
            for name in COLUMNS:
                _hash_frame(digest, name, getattr(ws, name), index=False)
            for group in sorted(ws.judgements):
                for expert in sorted(ws.judgements[group]):
                    _hash_frame(digest, f"J.{group}.{expert}", ws.judgements[group][expert],
                                index=True)
            _HASHES[self] = digest.hexdigest()
        return _HASHES[self]

    def equals(self, other: Workspace) -> bool:
        """Whether two workspaces hold the same data, judgements and schemes.

        Tables are compared after converting both to the dtypes :func:`load_workspace` gives
        (so an int column built in memory equals the float column read back); ``source`` is
        ignored.
        """
        a, b = canonical(self), canonical(other)
        same_tables = all(getattr(a, t).equals(getattr(b, t)) for t in COLUMNS)
        same_judgements = (
            {g: set(e) for g, e in a.judgements.items()}
            == {g: set(e) for g, e in b.judgements.items()}
            and all(a.judgements[g][e].equals(b.judgements[g][e])
                    for g in a.judgements for e in a.judgements[g]))
        return same_tables and same_judgements and a.schemes == b.schemes


def _hash_frame(digest, name: str, df: pd.DataFrame, *, index: bool) -> None:
    digest.update(f"{name}\n{len(df)}\n".encode())
    if index:
        digest.update("\x1f".join(map(str, df.index)).encode())
    for col in df.columns:
        digest.update(f"\n{col}\n".encode())
        column = df[col]
        if column.dtype.kind not in "fiub":
            column = column.astype(str)  # object and string dtypes hash the same text alike
        digest.update(pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes())


def _is_canonical(ws: Workspace) -> bool:
    """Do the tables have the columns and dtypes :func:`load_workspace` gives?"""
    kinds = {"float": "f", "int": "i", "str": "OT"}
    for name, columns in COLUMNS.items():
        df = getattr(ws, name)
        if list(df.columns[:len(columns)]) != columns:
            return False
        for col in columns:
            kind = kinds[_SPEC[name].get(col, _Col()).dtype]
            dtype = df[col].dtype
            if not (dtype.kind in kind or ("T" in kind and pd.api.types.is_string_dtype(dtype))):
                return False
        for col in df.columns[len(columns):]:  # covariates: float or text, as _convert_extra
            if not (df[col].dtype.kind in "fO" or pd.api.types.is_string_dtype(df[col].dtype)):
                return False
    return True


# ---------------------------------------------------------------------------------------------
# Problems and where they are
class _Problems:
    """Collects problems as rows of the problems table."""

    def __init__(self):
        self.rows: list[dict] = []

    def add(self, file: str, row, column: str, value, problem: str, fix: str) -> None:
        self.rows.append({"file": file, "row": row, "column": column, "value": str(value),
                          "problem": problem, "fix": fix})

    def frame(self) -> pd.DataFrame:
        out = pd.DataFrame(self.rows, columns=PROBLEM_COLUMNS)
        return out.astype({"row": "Int64"})


@dataclass(frozen=True)
class _Where:
    """Names tables, judgements and schemes as the user sees them (file or sheet)."""

    book: str = ""  # workbook file name; "" for a folder

    def table(self, name: str) -> str:
        return f"{self.book}, sheet '{name}'" if self.book else f"{name}.csv"

    def judgement(self, group: str, expert: str) -> str:
        if self.book:
            return self.table(_sheet_name("J", group, expert))
        return f"judgements/{group}/{expert}.csv"

    def scheme(self, name: str) -> str:
        return self.table(_sheet_name("S", name)) if self.book else f"schemes/{name}.yaml"


def _sheet_name(prefix: str, *parts: str) -> str:
    return ".".join((prefix, *parts))


@dataclass
class _Raw:
    """A workspace as text: grids (lists of rows of cells) per table / judgement, scheme text.

    A table or judgement whose file could not be read is present with grid ``None``.
    """

    tables: dict[str, list[list[str]] | None] = field(default_factory=dict)
    judgements: dict[tuple[str, str], list[list[str]] | None] = field(default_factory=dict)
    schemes: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Public functions
def load_workspace(path, *, validate: bool = True) -> Workspace:
    """Read an assessment workspace from a folder of CSV files or an ``.xlsx`` workbook.

    Parameters
    ----------
    path : str or PathLike
        A folder laid out as in ``DESIGN.md`` or a workbook with one sheet per table
        (``J.<group>.<expert>`` sheets for judgements, ``S.<name>`` sheets for schemes).
    validate : bool
        Run the checks across tables (duplicate keys, unknown codes, tree shape, kinds,
        judgement consistency).  Problems in single cells (text in a number column, a missing
        required column or file) are always reported, since the tables cannot be typed
        without fixing them.

    Returns
    -------
    Workspace
        Years, levels and directions are ``int``; values, targets and points ``float`` (NaN
        when empty); codes and other text ``str`` with ``""`` for empty cells.

    Raises
    ------
    WorkspaceError
        Listing every problem with its file or sheet, spreadsheet row (header = row 1), column
        and fix; the full table is its ``problems`` attribute.
    FileNotFoundError
        If ``path`` does not exist.
    """
    ws, problems = _load(Path(path), validate=validate)
    if len(problems):
        raise WorkspaceError(problems, source=str(path))
    logger.info("Loaded %r", ws)
    return ws


def validate_workspace(ws) -> pd.DataFrame:
    """Every problem of a workspace as a table, without raising.

    Parameters
    ----------
    ws : Workspace or str or PathLike
        An in-memory workspace (rows are numbered as in the files :func:`write_workspace`
        writes: header = row 1) or a folder / workbook to read.

    Returns
    -------
    DataFrame
        Columns ``file, row, column, value, problem, fix``; empty when all is well.
    """
    if isinstance(ws, Workspace):
        raw = _raw_from(ws, fill=False)
        return _build(raw, _where_of(ws.source), ws.source, _Problems(), check=True)[1]
    return _load(Path(ws), validate=True)[1]


def write_workspace(ws: Workspace, path, *, overwrite: bool = False) -> Path:
    """Write a workspace to a folder of CSV files, or to an ``.xlsx`` workbook.

    CSV files are UTF-8 with a byte-order mark, so that Excel shows Chinese text correctly.
    The workspace is written as it is (not validated), so nothing is lost; loading it back
    gives equal data (:meth:`Workspace.equals`).  A workbook keeps numbers to 16 significant
    digits (openpyxl writes ``"%.16g"``), so a number that needs all 17 digits of a double
    (e.g. ``0.1 + 0.2``) comes back one unit in the last place off; CSV folders keep every
    digit.

    Parameters
    ----------
    ws : Workspace
    path : str or PathLike
        A path ending in ``.xlsx`` is written as a workbook; anything else as a folder.
    overwrite : bool
        Replace an existing workbook, or the workspace files of an existing folder (tables,
        ``judgements/*/*.csv``, ``schemes/*.yaml``; other files are left alone).

    Returns
    -------
    Path
        ``path``, so that ``load_workspace(write_workspace(ws, p))`` reads it back.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    ValueError
        If a judgement group, expert or scheme name cannot be a file or sheet name.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"'{path}' already exists; write_workspace() does not overwrite "
                              f"it unless you pass overwrite=True.")
    book = _is_book(path)
    parts = _parts(_raw_from(ws, fill=True), book=book)
    if book:
        _write_book(path, parts)
    else:
        _write_folder(path, parts)
    logger.info("Wrote %r to %s", ws, path)
    return path


def write_template(path, *, overwrite: bool = False) -> Path:
    """Write an empty workbook with every sheet, its columns and notes in Chinese and English.

    The first sheet, ``说明 README``, explains each sheet and column; each column name carries
    the same note as a cell comment.  Fill the sheets and load the workbook with
    :func:`load_workspace`.
    """
    path = Path(path)
    if not _is_book(path):
        raise ValueError(f"The 'path' parameter of write_template() must end in .xlsx. "
                         f"Got '{path}' instead.")
    empty = Workspace(*(pd.DataFrame(columns=COLUMNS[t]) for t in REQUIRED_TABLES))
    return write_workspace(empty, path, overwrite=overwrite)


# ---------------------------------------------------------------------------------------------
# Reading
def _is_book(path: Path) -> bool:
    return path.suffix.lower() == ".xlsx"


def _where_of(source: str) -> _Where:
    return _Where(Path(source).name) if source and _is_book(Path(source)) else _Where()


def _load(path: Path, *, validate: bool) -> tuple[Workspace, pd.DataFrame]:
    if not path.exists():
        raise FileNotFoundError(f"No workspace at '{path}': expected a folder of CSV files or an "
                                f".xlsx workbook.")
    out = _Problems()
    if path.is_dir():
        where, raw = _Where(), _read_folder(path, out)
    elif _is_book(path):
        where = _Where(path.name)
        raw = _read_book(path, where, out)
    else:
        raise ValueError(f"The 'path' parameter of load_workspace() must be a workspace folder "
                         f"or an .xlsx workbook. Got '{path}' instead.")
    return _build(raw, where, str(path), out, check=validate)


def _read_folder(path: Path, out: _Problems) -> _Raw:
    raw, where = _Raw(), _Where()
    for name, columns in COLUMNS.items():
        file = path / f"{name}.csv"
        if file.is_file():
            raw.tables[name] = _csv_grid(file, where.table(name), out)
        elif name in REQUIRED_TABLES:
            raw.tables[name] = None
            out.add(where.table(name), None, "", "", "a required file is missing",
                    f"add {name}.csv (columns: {', '.join(columns)}); "
                    f"`zhengji template BOOK.xlsx` writes an empty workbook to start from")
    for file in sorted(path.glob("*.csv")):
        if file.stem not in COLUMNS:
            warnings.warn(f"'{file.name}' in {path} is not a workspace table and was ignored; "
                          f"tables are {', '.join(f'{t}.csv' for t in COLUMNS)}.", UserWarning,
                          stacklevel=4)
    folder = path / "judgements"
    for file in sorted(folder.rglob("*.csv")):
        parts = file.relative_to(folder).with_suffix("").parts
        if len(parts) != 2:
            out.add(f"judgements/{file.relative_to(folder)}", None, "", "",
                    "a judgement file must sit in one sub-folder per group",
                    "move it to judgements/<group>/<expert>.csv, e.g. "
                    "judgements/index/expert_01.csv")
            continue
        raw.judgements[parts] = _csv_grid(file, where.judgement(*parts), out)
    for file in sorted((path / "schemes").glob("*.yaml")):
        try:
            raw.schemes[file.stem] = file.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            out.add(where.scheme(file.stem), None, "", "", f"not UTF-8 text ({exc.reason})",
                    "save the scheme as UTF-8")
    return raw


def _csv_grid(file: Path, where: str, out: _Problems) -> list[list[str]] | None:
    """Rows of cells of a CSV file (UTF-8, with or without BOM), or None if unreadable."""
    data = file.read_bytes()
    if b"\x00" in data:
        out.add(where, None, "", "", "not a CSV text file (it holds binary data; is it a "
                "workbook renamed to .csv?)", "export the sheet from Excel as 'CSV UTF-8 "
                "(逗号分隔)', or load the .xlsx workbook itself")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            data.decode("gb18030")
            hint = "; it looks like GBK/GB18030, the default of Chinese Windows"
        except UnicodeDecodeError:
            hint = ""
        out.add(where, None, "", "", f"not UTF-8 text (byte {exc.start}{hint})",
                "save it from Excel as 'CSV UTF-8 (逗号分隔)(*.csv)', or re-encode it as UTF-8")
        return None
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        out.add(where, None, "", "", f"not a valid CSV file ({exc})",
                "export it again as 'CSV UTF-8 (逗号分隔)'")
        return None


def _read_book(path: Path, where: _Where, out: _Problems) -> _Raw:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    raw = _Raw()
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, InvalidFileException) as exc:
        out.add(where.book, None, "", "", f"cannot read the workbook ({type(exc).__name__}: "
                f"{exc})", "open it in Excel and save it again as .xlsx (Excel Workbook)")
        raw.tables.update(dict.fromkeys(REQUIRED_TABLES))
        return raw
    try:
        for sheet in book.worksheets:
            name = sheet.title
            grid = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            if name in COLUMNS:
                raw.tables[name] = grid
            elif name.startswith("J."):
                group, _, expert = name[2:].rpartition(".")
                if group and expert:
                    raw.judgements[group, expert] = grid
                else:
                    out.add(where.table(name), None, "", "", "a judgement sheet name must be "
                            "J.<group>.<expert>", "rename the sheet, e.g. J.index.expert_01")
            elif name.startswith("S."):
                raw.schemes[name[2:]] = "\n".join(row[0] if row else "" for row in grid)
            elif name != README_SHEET:
                warnings.warn(f"Sheet '{name}' of {path} is not part of a workspace and was "
                              f"ignored; tables are {', '.join(COLUMNS)}, judgements J.<group>."
                              f"<expert>, schemes S.<name>.", UserWarning, stacklevel=4)
    finally:
        book.close()
    for name in REQUIRED_TABLES:
        if name not in raw.tables:
            raw.tables[name] = None
            out.add(where.table(name), None, "", "", "a required sheet is missing",
                    f"add a sheet named '{name}' with the columns {', '.join(COLUMNS[name])}")
    return raw


# ---------------------------------------------------------------------------------------------
# Parsing text into typed tables
def _build(raw: _Raw, where: _Where, source: str, out: _Problems, *, check: bool,
           ) -> tuple[Workspace, pd.DataFrame]:
    """Parse a text workspace; with ``check`` also run the checks across tables."""
    tables: dict[str, pd.DataFrame] = {}
    broken: set[str] = set()  # tables that are unreadable or miss required columns
    for name, columns in COLUMNS.items():
        grid = raw.tables.get(name, [columns])
        frame = None if grid is None else _frame(grid, where.table(name), out)
        tables[name], complete = _parse_table(name, frame, where.table(name), out)
        if frame is None or not complete:
            broken.add(name)
    codes = None if "framework" in broken or not check else set(tables["framework"]["code"])
    judgements: dict[str, dict[str, pd.DataFrame]] = {}
    for (group, expert), grid in raw.judgements.items():
        label = where.judgement(group, expert)
        frame = None if grid is None else _frame(grid, label, out, corner=True)
        parsed = None if frame is None else _parse_judgement(frame, label, out, check=check,
                                                             codes=codes)
        if parsed is not None:
            judgements.setdefault(group, {})[expert] = parsed
    schemes = {name: _scheme_text(text) for name, text in raw.schemes.items()}
    if check:
        _check_links(tables, broken, where, out)
        for name, text in schemes.items():
            _check_yaml(text, where.scheme(name), out)
    ws = Workspace(**{t: df.reset_index(drop=True) for t, df in tables.items()},
                   judgements=judgements, schemes=schemes, source=source)
    problems = out.frame()
    return ws, problems.sort_values(["file", "row"], kind="stable", na_position="first",
                                    ignore_index=True)


def _frame(grid: list[list[str]], where: str, out: _Problems, *, corner: bool = False,
           ) -> pd.DataFrame | None:
    """Text cells under a header row, indexed by spreadsheet row (header = row 1).

    Cells are stripped; empty rows are skipped; ``corner`` allows an unnamed first column (the
    top-left cell of an AHP matrix).
    """
    from openpyxl.utils import get_column_letter

    rows = [[cell.strip() for cell in row] for row in grid]
    header = rows[0] if rows else []
    while header and not header[-1]:
        header.pop()
    if not header:
        out.add(where, 1, "", "", "the header row (row 1) is empty",
                "write the column names in row 1")
        return None
    keep, seen = [], {}
    for j, name in enumerate(header):
        letter = get_column_letter(j + 1)
        if not name and not (corner and j == 0):
            out.add(where, 1, letter, "", f"column {letter} has no name",
                    "write its name in row 1, or delete the column")
        elif name in seen:
            out.add(where, 1, name, name, f"the column name '{name}' appears twice (columns "
                    f"{seen[name]} and {letter})", "rename or delete one of them")
        else:
            keep.append(j)
            seen[name] = letter
    n = len(header)
    body, index = [], []
    for i, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        for j in range(n, len(row)):
            if row[j]:
                letter = get_column_letter(j + 1)
                out.add(where, i, letter, row[j], "a cell to the right of the last named column",
                        "name the column in row 1, or clear the cell")
        body.append(row[:n] + [""] * (n - len(row)))
        index.append(i)
    columns = list(zip(*body)) if body else [()] * n
    return pd.DataFrame({header[j]: pd.Series(columns[j], index=index, dtype="str")
                         for j in keep}, index=index)


def _parse_table(name: str, frame: pd.DataFrame | None, where: str, out: _Problems,
                 ) -> tuple[pd.DataFrame, bool]:
    """Type one table as :data:`_SPEC` says; returns the table and whether no column is missing.

    Bad cells become NaN (so later checks still run) and are reported.
    """
    if frame is None:
        frame = pd.DataFrame(columns=COLUMNS[name], dtype="str")
    spec = _SPEC[name]
    complete = True
    columns = {}
    for col in COLUMNS[name]:
        rule = spec.get(col, _Col())
        if col in frame.columns:
            columns[col] = _convert(frame[col], rule, col, where, out)
            continue
        if rule.required:
            complete = False
            out.add(where, 1, col, "", f"the required column '{col}' is missing (found: "
                    f"{', '.join(map(repr, frame.columns))})",
                    f"add a column '{col}' to row 1; the columns are {', '.join(COLUMNS[name])}")
        missing = pd.Series(rule.default, index=frame.index, dtype="str")
        columns[col] = missing if rule.dtype == "str" else missing.replace("", np.nan).astype(float)
    for col in frame.columns.difference(COLUMNS[name], sort=False):
        columns[col] = _convert_extra(frame[col])
    return pd.DataFrame(columns, index=frame.index), complete


def _convert(text: pd.Series, rule: _Col, col: str, where: str, out: _Problems) -> pd.Series:
    """One column of text → str / float / int, reporting every cell that breaks ``rule``."""
    empty = text.eq("")
    if rule.filled:
        for row in text.index[empty]:
            out.add(where, row, col, "", f"'{col}' is empty", rule.fix or f"fill in the {col}")
    if rule.dtype == "str":
        result = text.mask(empty, rule.default) if rule.default else text
        if rule.choices:
            for row, value in result[~result.isin(rule.choices)].items():
                out.add(where, row, col, value, f"{value!r} is not a valid {col}",
                        f"write one of {', '.join(rule.choices)}")
        return result
    is_number = text.str.fullmatch(_NUMBER)
    number = pd.to_numeric(text.where(is_number), errors="coerce")
    bad = ~empty & ~(is_number & np.isfinite(number))
    plain = "write a plain number such as 12.5 (no units, % signs or thousands separators)"
    if not rule.filled:
        plain += ", or leave the cell empty if the value is missing"
    for row, value in text[bad].items():
        out.add(where, row, col, value, f"text {value!r} in the number column '{col}'",
                rule.fix or plain)
    number = number.mask(bad)
    checks = []  # (cells that fail, what the column needs)
    if rule.dtype == "int":
        checks.append((number != number.round(), "a whole number"))
    if rule.choices:
        checks.append((~number.isin(rule.choices), " or ".join(f"{c:+d}" for c in rule.choices)))
    if rule.minimum is not None:
        checks.append((number < rule.minimum, f"at least {rule.minimum:g}"))
    for failed, need in checks:
        failed = failed & number.notna()
        for row, value in text[failed].items():
            out.add(where, row, col, value, f"'{col}' must be {need}; got {value!r}",
                    rule.fix or f"write {need}")
        number = number.mask(failed)
    if rule.dtype == "int" and number.notna().all():
        return number.astype("int64")
    return number.astype(float)


def _convert_extra(text: pd.Series) -> pd.Series:
    """A column outside :data:`COLUMNS`: numbers if every filled cell is one, else text."""
    if (text.eq("") | text.str.fullmatch(_NUMBER)).all():
        return pd.to_numeric(text.replace("", np.nan)).astype(float)
    return text


def _parse_judgement(frame: pd.DataFrame, where: str, out: _Problems, *, check: bool,
                     codes: set | None) -> pd.DataFrame | None:
    """An AHP matrix (square, codes both ways) or a point budget (``node, points``).

    ``check`` runs the AHP checks; ``codes`` are the framework codes to check the nodes against
    (None: don't).  Returns None when the shape is wrong.
    """
    header = list(frame.columns)
    first = header[0] or "A"
    nodes = frame.iloc[:, 0]
    for row in nodes.index[nodes.eq("")]:
        out.add(where, row, first, "", "a node code is empty", "write the node code")
    for row, code in nodes[nodes.duplicated()].items():
        out.add(where, row, first, code, f"node '{code}' appears twice",
                "keep one row per node")
    if codes is not None:
        for row, code in nodes[nodes.ne("") & ~nodes.isin(codes)].items():
            out.add(where, row, first, code, f"'{code}' is not a code of the framework",
                    "use the codes of framework.csv")
    index = pd.Index(nodes.to_numpy(), dtype="str")
    if header[1:] == ["points"]:
        rule = _Col("float", filled=True, minimum=0, fix="write a number of points ≥ 0")
        points = _convert(frame["points"], rule, "points", where, out)
        return pd.DataFrame({"points": points.to_numpy()}, index=index)
    if header[1:] != nodes.tolist():
        out.add(where, 1, "", ", ".join(header[1:]), f"not an AHP matrix: the codes in row 1 "
                f"({', '.join(header[1:])}) differ from those in the first column "
                f"({', '.join(nodes)})", "an AHP matrix lists the same codes in the same order "
                "in row 1 and in the first column; a point budget has the two columns "
                "node, points")
        return None
    cells = frame.iloc[:, 1:]
    ratios = cells.map(_ratio)
    for i, j in np.argwhere(ratios.isna().to_numpy()):
        value = cells.iat[i, j]
        out.add(where, cells.index[i], cells.columns[j], value,
                f"{value!r} is not a judgement" if value else "a judgement is empty", "write a number or fraction such as 3 or 1/3 (in Excel "
                "format the cells as Text first, or 1/3 becomes a date); 1 on the diagonal")
    matrix = pd.DataFrame(ratios.to_numpy(float), index=index, columns=index)
    if check:
        _check_ahp(matrix, frame.index, where, out)
    return matrix


def _ratio(text: str) -> float:
    """'3' → 3.0, '1/3' → 0.333…; NaN for anything else."""
    if _NUMBER.fullmatch(text):
        return float(text)
    match = _RATIO.fullmatch(text)
    if match and float(match[2]) != 0:
        return float(match[1]) / float(match[2])
    return np.nan


def _check_ahp(matrix: pd.DataFrame, rows: pd.Index, where: str, out: _Problems) -> None:
    """Diagonal 1, entries in Saaty's [1/9, 9] and a_ji = 1/a_ij (Saaty 1980, ch. 1)."""
    a = matrix.to_numpy()
    n = len(a)
    low, high = (1 - _AHP_RTOL) / 9, 9 * (1 + _AHP_RTOL)
    for i in range(n):
        for j in range(n):
            code_i, code_j, v = matrix.index[i], matrix.columns[j], a[i, j]
            if np.isnan(v):
                continue
            if i == j and v != 1:
                out.add(where, rows[i], code_j, _ratio_text(v), f"the diagonal cell "
                        f"({code_i}, {code_j}) is {v:g}", "write 1: a node compared with itself")
            elif i != j and not low <= v <= high:
                out.add(where, rows[i], code_j, _ratio_text(v), f"({code_i}, {code_j}) = {v:g} "
                        f"is outside Saaty's scale [1/9, 9]", "use 1/9 … 9")
            elif i < j and not np.isnan(a[j, i]) and abs(v * a[j, i] - 1) > _AHP_RTOL:
                out.add(where, rows[i], code_j, _ratio_text(v), f"({code_i}, {code_j}) = "
                        f"{_ratio_text(v)} but ({code_j}, {code_i}) = {_ratio_text(a[j, i])}; "
                        f"they must be reciprocals", f"write {_ratio_text(1 / v)} in row "
                        f"{rows[j]}, column {code_i}")


def _scheme_text(text: str) -> str:
    """Scheme YAML with '\\n' line ends and exactly one final newline ('' if blank)."""
    text = text.replace("\r\n", "\n").rstrip()
    return f"{text}\n" if text else ""


def _check_yaml(text: str, where: str, out: _Problems) -> None:
    """The scheme file parses as YAML and is a valid scheme (every problem listed)."""
    from zhengji_lab.errors import SchemeError
    from zhengji_lab.scheme import Scheme

    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        out.add(where, None if mark is None else mark.line + 1, "", "",
                f"not valid YAML ({getattr(exc, 'problem', None) or exc})",
                "correct the YAML: indent with spaces, write `key: value`")
        return
    try:
        Scheme(spec if isinstance(spec, dict) else {"name": spec})
    except SchemeError as exc:
        for problem in exc.problems:
            out.add(where, None, "", "", problem.rstrip("."), "correct the scheme")


# ---------------------------------------------------------------------------------------------
# Checks across tables
def _kinds(text) -> frozenset[str]:
    """The kinds in a framework ``kinds`` cell ("town; park" → {town, park})."""
    return frozenset(k.strip() for k in str(text).split(";") if k.strip())


def _applies(kinds_text, kind: str) -> bool:
    kinds = _kinds(kinds_text)
    return not kinds or kind in kinds


def _check_links(t: dict[str, pd.DataFrame], broken: set[str], where: _Where,
                 out: _Problems) -> None:
    for name, keys in _KEYS.items():
        if name not in broken:
            _check_unique(t[name], keys, where.table(name), out)
    fw, units = t["framework"], t["units"]
    if "framework" not in broken:
        _check_tree(fw, where.table("framework"), out)
    codes = set(fw["code"])
    parents = set(fw["parent"])
    kinds = dict(zip(fw["code"], map(_kinds, fw["kinds"])))
    unit_kind = dict(zip(units["unit_id"], units["kind"]))
    fw_file, units_file = where.table("framework"), where.table("units")
    for name in ("values", "targets", "deductions", "covariates"):
        df, file = t[name], where.table(name)
        if name in broken or df.empty:
            continue
        if "units" not in broken:
            known = df["unit_id"].isin(set(unit_kind)) | df["unit_id"].eq("")
            for row, unit in df["unit_id"][~known].items():
                out.add(file, row, "unit_id", unit, f"unknown unit '{unit}'",
                        f"add it to {units_file}, or correct the code")
        if name == "covariates":
            continue
        if name == "deductions":
            items = t["deduction_items"]
            if "deduction_items" not in broken and len(items):
                for row, item in df["item"][~df["item"].isin(items["item"]) & df["item"].ne("")
                                            ].items():
                    out.add(file, row, "item", item, f"unknown deduction item '{item}'",
                            f"add it to {where.table('deduction_items')}, or correct the code")
                cap = df["item"].map(dict(zip(items["item"], items["max_points"])))
                for row in df.index[(df["points"] > cap).fillna(False).to_numpy(dtype=bool)]:
                    out.add(file, row, "points", df.at[row, "points"],
                            f"{df.at[row, 'points']:g} points exceed the maximum "
                            f"{cap[row]:g} of item '{df.at[row, 'item']}'",
                            f"correct the points, or the max_points of the item in "
                            f"{where.table('deduction_items')}")
            continue
        if name == "targets":
            for row in df.index[df["target"].isna().to_numpy(dtype=bool)]:
                out.add(file, row, "target", "", "the target is empty",
                        "write the declared target, or delete the row")
        if name == "values" and "targets" not in broken:
            _check_declared(df, t["targets"], fw, file, where.table("targets"), out)
        if "framework" in broken:
            continue
        for row, unit, code in zip(df.index, df["unit_id"], df["indicator"]):
            if code not in codes:
                if code:
                    out.add(file, row, "indicator", code, f"unknown indicator '{code}'",
                            f"add it to {fw_file}, or correct the code")
            elif code in parents:
                out.add(file, row, "indicator", code, f"'{code}' is a dimension, not an "
                        f"indicator (it has children in {fw_file})", "give values only for "
                        "leaf indicators; dimension scores are computed")
            elif unit in unit_kind and kinds[code] and unit_kind[unit] not in kinds[code]:
                out.add(file, row, "indicator", code, f"'{code}' applies to kinds "
                        f"{'; '.join(sorted(kinds[code]))} only, but unit '{unit}' is a "
                        f"'{unit_kind[unit]}'", f"delete the row, or add '{unit_kind[unit]}' "
                        f"to the kinds of '{code}' in {fw_file}")


def _check_declared(values: pd.DataFrame, targets: pd.DataFrame, fw: pd.DataFrame, file: str,
                    targets_file: str, out: _Problems) -> None:
    """A value of an individualized indicator needs the unit's declared target that year."""
    own = set(fw.loc[fw["scope"] == "individualized", "code"])
    declared = set(zip(targets["unit_id"], targets["year"], targets["indicator"]))
    for row, unit, year, code, value in zip(values.index, values["unit_id"], values["year"],
                                            values["indicator"], values["value"]):
        if code in own and not pd.isna(value) and (unit, year, code) not in declared:
            out.add(file, row, "indicator", code, f"'{code}' is an individualized indicator, but "
                    f"unit '{unit}' declared no target for it in {year}",
                    f"add the target to {targets_file}, or delete the value")


def _check_unique(df: pd.DataFrame, keys: list[str], file: str, out: _Problems) -> None:
    if not df.duplicated(keys).any():
        return
    first: dict[tuple, int] = {}
    for row, key in zip(df.index, df[keys].itertuples(index=False, name=None)):
        if key in first:
            out.add(file, row, "/".join(keys), "/".join(map(str, key)), f"duplicate of row "
                    f"{first[key]} (same {'/'.join(keys)})", "keep one of the rows")
        else:
            first[key] = row


def _check_tree(fw: pd.DataFrame, file: str, out: _Problems) -> None:
    """One root, every parent a code, no cycles."""
    if fw.empty:
        out.add(file, None, "", "", "the framework is empty", "add the indicator tree: one row "
                "per indicator, dimension and the root (the composite index)")
        return
    nodes = fw.drop_duplicates("code")
    parent = dict(zip(nodes["code"], nodes["parent"]))
    row_of = dict(zip(nodes["code"], nodes.index))
    roots = nodes[nodes["parent"].eq("")]
    if roots.empty:
        out.add(file, None, "parent", "", "the framework has no root",
                "leave 'parent' empty on exactly one row: the composite index")
    for row, code in roots["code"].iloc[1:].items():
        out.add(file, row, "parent", "", f"a second root: '{code}' has an empty parent, as does "
                f"'{roots['code'].iloc[0]}' (row {roots.index[0]})", f"give '{code}' its parent "
                "code; only the composite index has an empty parent")
    for row, code, up in zip(fw.index, fw["code"], fw["parent"]):
        if up and up not in parent:
            out.add(file, row, "parent", up, f"the parent '{up}' of '{code}' is not a code of "
                    "the framework", f"add a row for '{up}', or correct the parent code")
    for cycle in _cycles(parent):
        out.add(file, row_of[cycle[0]], "parent", parent[cycle[0]], "the tree has a cycle: "
                f"{' → '.join([*cycle, cycle[0]])}", "break the cycle: one of these nodes must "
                "hang under a node outside it")


def _cycles(parent: dict[str, str]) -> list[list[str]]:
    """Cycles of a parent-pointer map, each as a list of nodes in walking order."""
    done: set[str] = set()
    cycles = []
    for start in parent:
        path: list[str] = []
        position: dict[str, int] = {}
        node = start
        while node in parent and node not in done and node not in position:
            position[node] = len(path)
            path.append(node)
            node = parent[node]
        if node in position:
            cycles.append(path[position[node]:])
        done.update(path)
    return cycles


# ---------------------------------------------------------------------------------------------
# Writing: the same text the reader reads
def _raw_from(ws: Workspace, *, fill: bool) -> _Raw:
    """The workspace as text.  ``fill`` writes absent columns of ``COLUMNS`` with defaults."""
    raw = _Raw(schemes=dict(ws.schemes))
    for name, known in COLUMNS.items():
        df = getattr(ws, name)
        columns = [c for c in known if fill or c in df.columns]
        columns += [c for c in df.columns if c not in known]
        cells = [_texts(df[c]) if c in df.columns else [_SPEC[name].get(c, _Col()).default]
                 * len(df) for c in columns]
        raw.tables[name] = [columns, *map(list, zip(*cells))]
    for group, experts in ws.judgements.items():
        for expert, judgement in experts.items():
            raw.judgements[group, expert] = _judgement_grid(judgement)
    return raw


def canonical(ws: Workspace) -> Workspace:
    """The workspace with the dtypes and defaults load_workspace gives (problems ignored)."""
    return _build(_raw_from(ws, fill=False), _Where(), ws.source, _Problems(), check=False)[0]


def _texts(values: pd.Series) -> list[str]:
    """A column as cell texts; vectorised for the dtypes a loaded workspace has."""
    if values.dtype == np.float64:
        x = values.to_numpy()
        whole = np.isfinite(x) & (np.round(x) == x) & (np.abs(x) < 2**53)
        text = np.array([repr(v) for v in x.tolist()], dtype=object)
        text[whole] = [str(v) for v in x[whole].astype(np.int64).tolist()]
        text[np.isnan(x)] = ""
        return text.tolist()
    if values.dtype == np.int64:
        return values.astype(str).tolist()
    return [_text(v) for v in values.tolist()]


def _text(value) -> str:
    """A cell as the text a CSV holds: '' for missing, whole floats without '.0'."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return str(value)


def _ratio_text(value: float) -> str:
    """Judgement as text: '1/3' for exact reciprocals of whole numbers, else the number."""
    k = round(1 / value) if 0.01 <= value < 1 else 0
    if k and 1 / k == value:
        return f"1/{k}"
    return _text(float(value))


def _judgement_grid(judgement: pd.DataFrame) -> list[list[str]]:
    if list(judgement.columns) == ["points"]:
        return [["node", "points"]] + [[str(k), _text(float(v))]
                                        for k, v in judgement["points"].items()]
    rows = [[""] + [str(c) for c in judgement.columns]]
    for code, values in zip(judgement.index, judgement.to_numpy(float)):
        rows.append([str(code)] + [_text(v) if np.isnan(v) else _ratio_text(v) for v in values])
    return rows


def _parts(raw: _Raw, *, book: bool) -> dict[str, list[list[str]]]:
    """Sheet name (``book``) or file path inside the folder → grid (scheme: one line a row).

    Raises ValueError for judgement and scheme names that cannot be sheet or file names.
    """
    parts = {name if book else f"{name}.csv": grid for name, grid in raw.tables.items()}
    named = [(("J", group, expert), f"judgements/{group}/{expert}.csv", grid)
             for (group, expert), grid in raw.judgements.items()]
    named += [(("S", name), f"schemes/{name}.yaml",
               [[line] for line in _scheme_text(text).splitlines()])
              for name, text in raw.schemes.items()]
    bad = []
    for names, file, grid in named:
        sheet = _sheet_name(*names)
        if book and (len(sheet) > 31 or _SHEET_CHARS.search(sheet)):
            bad.append(sheet)
        elif not book and any(n in ("", ".", "..") or _SHEET_CHARS.search(n) for n in names[1:]):
            bad.append(file)
        parts[sheet if book else file] = grid
    if bad:
        rule = ("sheet names: at most 31 characters, none of []:*?/\\" if book else
                "file names: not empty, none of []:*?/\\")
        raise ValueError(f"Judgement group/expert and scheme names must make valid {rule}. "
                         f"Got {bad[:10]} instead; rename them"
                         f"{' or write to a folder' if book else ''}.")
    return parts


def _csv_text(grid: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(grid)
    return buffer.getvalue()


def _write_folder(path: Path, parts: dict[str, list[list[str]]]) -> None:
    if path.exists():
        if not path.is_dir():
            raise FileExistsError(f"'{path}' is a file; write the workspace to a new folder.")
        _remove_workspace_files(path)
    for name, grid in parts.items():
        file = path / name
        if name.endswith(".yaml"):
            text = "".join(f"{line[0]}\n" for line in grid)
        else:
            text = "\ufeff" + _csv_text(grid)  # BOM: Excel then reads Chinese text correctly
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8", newline="")


def _remove_workspace_files(path: Path) -> None:
    """Delete what write_workspace writes into a folder, and nothing else."""
    for file in [path / f"{t}.csv" for t in COLUMNS] + sorted(path.glob("judgements/*/*.csv")) \
            + sorted(path.glob("schemes/*.yaml")):
        file.unlink(missing_ok=True)
    for folder in sorted(path.glob("judgements/*")) + [path / "judgements", path / "schemes"]:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _numeric_columns(name: str, grid: list[list[str]]) -> list[bool]:
    """Which columns of a sheet hold numbers (written as numbers into a workbook)."""
    header = grid[0]
    if name.startswith("J."):
        return [j > 0 for j in range(len(header))]
    if name.startswith("S."):
        return [False]
    spec = _SPEC[name]
    return [spec[c].dtype != "str" if c in spec else
            c not in COLUMNS[name] and all(not r[j] or _NUMBER.fullmatch(r[j]) for r in grid[1:])
            for j, c in enumerate(header)]


def _book_value(text: str, numeric: bool):
    if not text:
        return None
    if numeric and _NUMBER.fullmatch(text):
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return text


def _write_book(path: Path, sheets: dict) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment

    book = Workbook(write_only=True)
    readme = book.create_sheet(README_SHEET)
    readme.column_dimensions["A"].width = 18
    readme.column_dimensions["B"].width = 16
    readme.column_dimensions["D"].width = 60
    readme.column_dimensions["E"].width = 60
    for row in _readme_rows():
        readme.append(row)
    for name, grid in sheets.items():
        sheet = book.create_sheet(name)
        numeric = _numeric_columns(name, grid)
        for i, row in enumerate(grid):
            cells = []
            for j, text in enumerate(row):
                value = _book_value(text, numeric[j] and i > 0)
                cell = WriteOnlyCell(sheet, value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text, not a formula
                note = COLUMN_NOTES.get(f"{name}.{text}", COLUMN_NOTES.get(text))
                if i == 0 and name in COLUMNS and note:
                    cell.comment = Comment(f"{note[0]}\n{note[1]}", "zhengji_lab",
                                           width=260, height=110)
                cells.append(cell)
            sheet.append(cells)
    temporary = path.with_name(f".{path.name}.tmp")
    book.save(temporary)
    os.replace(temporary, path)


def _readme_rows() -> list[list[str]]:
    rows = [
        ["综合考核数据工作簿 / Comprehensive assessment workbook (zhengji_lab)"],
        [],
        ["1. 每个工作表是一张表：第 1 行是列名（请勿修改），从第 2 行起每行一条记录。 / Each sheet "
         + "is one table: row 1 holds the column names (keep them); one record per row from row "
         + "2."],
        ["2. 鼠标停在列名上可看到说明。 / Hover over a column name to read its note."],
        ["3. 专家判断：每位专家一个工作表，命名为 J.<组>.<专家>（如 J.index.expert_01）。AHP 两两比较"
         + "矩阵：第一列与第 1 行为相同顺序的节点代码，可写 1/3（请先把单元格设为文本格式）；或两列 "
         + "node, points 的分值分配。 / Expert judgements: one sheet per expert named "
         + "J.<group>.<expert> (e.g. J.index.expert_01): an AHP pairwise matrix with the same "
         + "codes in the same order in the first column and in row 1 (fractions such as 1/3 "
         + "allowed; format the cells as Text first), or a point budget with the two columns "
         + "node, points."],
        ["4. 考核方案：工作表 S.<名称>，A 列每行一行 YAML。 / Schemes: a sheet S.<name> with "
         + "one line of YAML per row in column A."],
        ["5. 检查数据：zhengji validate 本文件.xlsx / Check the data: zhengji validate BOOK.xlsx"],
        [],
        ["工作表 sheet", "列 column", "必填 required", "说明", "description"],
    ]
    for table, columns in COLUMNS.items():
        for col in columns:
            zh, en = COLUMN_NOTES.get(f"{table}.{col}", COLUMN_NOTES.get(col, ("", "")))
            required = "是 yes" if _SPEC[table].get(col, _Col()).required else ""
            rows.append([table, col, required, zh, en])
    return rows
