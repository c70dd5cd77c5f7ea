"""The workspace in memory: the :class:`Workspace` dataclass, its tree and data views, identity.

A :class:`Workspace` holds typed tables as :func:`~zhengji_lab.workspace.load_workspace` gives
them.  :func:`canonical` converts one made in memory to those dtypes and defaults (through the
same parser as loading), which :meth:`Workspace.data_hash` and :meth:`Workspace.equals` rely on.
"""
from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from zhengji_lab.errors import BuildError
from zhengji_lab.workspace.meta import check_meta
from zhengji_lab.workspace.parse import parse_workspace
from zhengji_lab.workspace.problems import Problems, Where, is_book, where_of
from zhengji_lab.workspace.schema import COLUMNS, applies, column_rule, kinds_of
from zhengji_lab.workspace.suspicious import check_suspicious
from zhengji_lab.workspace.text import workspace_text

_HASHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Workspace -> data_hash()
_WARNINGS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Workspace -> warnings


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
    outcomes : DataFrame
        Optional outcomes outside the score ``unit_id, year, name, value`` (a satisfaction
        survey, 12345 hotline complaints, underlying statistics): what
        :func:`zhengji_lab.effects.adoption_effect` asks whether adopting individualized
        indicators changed.
    warnings : DataFrame or None
        The located warnings found when loading (suspicious but possible inputs: a peer group
        of one unit, a year far from the others, a percentage read as shown …), with the columns
        of a problems table (``file, row, column, value, problem, fix``); ``None`` for a
        workspace made in memory (:meth:`located_warnings` then finds those of its tables).
    rows : dict or None
        ``{table: spreadsheet row of each row}`` as loaded (header = row 1); ``None`` when
        made in memory (rows are then numbered as :func:`write_workspace` writes them).
    meta : dict
        What reports and workbooks call the workspace (``workspace.yaml``): any of ``name_zh``,
        ``name_en``, ``region``, ``office`` (text); ``{}`` when not given.  An unknown key is a
        ``ValueError`` naming the closest one.  :meth:`title` gives the name to show.

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
    outcomes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=COLUMNS["outcomes"]))
    warnings: pd.DataFrame | None = field(default=None, repr=False)
    rows: dict | None = field(default=None, repr=False)
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "meta", check_meta(self.meta))

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
        known = set(self.units["kind"]).union(*map(kinds_of, fw["kinds"]))
        if kind not in known:
            raise ValueError(f"The 'kind' parameter of Workspace.indicators() must be one of "
                             f"{sorted(known)}. Got {kind!r} instead.")
        return [c for c, k in zip(leaves["code"], leaves["kinds"]) if applies(k, kind)]

    def individualized(self) -> list[str]:
        """Codes of the individualized indicators (个性化指标: framework ``scope`` is
        ``individualized``), in framework order; they apply to a unit-year with a target."""
        fw = self.framework
        if "scope" not in fw.columns:          # a framework made in memory without the column
            return []
        return fw.loc[fw["scope"] == "individualized", "code"].tolist()

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

    def title(self, lang: str = "zh") -> str:
        """The workspace's name in ``lang`` ("zh" or "en"), for titles of reports and workbooks.

        ``name_<lang>`` of :attr:`meta`, else the name in the other language, else the folder
        (or workbook) name of :attr:`source`, else ``""``.

        >>> Workspace(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), source="data/sample_city",
        ...           meta={"name_en": "Qingchuan"}).title("zh")
        'Qingchuan'
        """
        if lang not in ("zh", "en"):
            raise ValueError(f"The 'lang' parameter of Workspace.title() must be one of "
                             f"{{'zh', 'en'}}. Got {lang!r} instead.")
        other = "en" if lang == "zh" else "zh"
        name = self.meta.get(f"name_{lang}") or self.meta.get(f"name_{other}")
        path = Path(self.source)
        return name or (path.stem if is_book(path) else path.name if self.source else "")

    # -- warnings ----------------------------------------------------------------------------
    def located_warnings(self) -> pd.DataFrame:
        """The workspace's located warnings (``file, row, column, value, problem, fix``).

        Those found when loading (:attr:`warnings`); for a workspace made in memory, those its
        tables give (peer groups of one unit, far years, deductions no assessment takes off,
        unknown kinds), computed once.
        """
        if self.warnings is not None:
            return self.warnings
        if self not in _WARNINGS:
            ws = with_defaults(self)
            out = Problems()
            try:
                check_suspicious({t: getattr(ws, t).set_axis(ws.sheet_rows(t))
                                  for t in COLUMNS}, set(), where_of(ws.source), out)
            except (KeyError, TypeError, ValueError):  # tables validate_workspace would refuse
                out.warnings.clear()
            _WARNINGS[self] = out.warning_frame()
        return _WARNINGS[self]

    def sheet_rows(self, table: str) -> pd.Index:
        """The spreadsheet row (header = row 1) of each row of ``table``, as loaded or as
        :func:`write_workspace` would write it."""
        n = len(getattr(self, table))
        rows = (self.rows or {}).get(table)
        if rows is not None and len(rows) == n:
            return pd.Index(rows)
        return pd.RangeIndex(2, n + 2)

    # -- identity ----------------------------------------------------------------------------
    def data_hash(self) -> str:
        """SHA-256 of the data tables and judgements (not schemes, not ``source``, not the
        names of :attr:`meta`: renaming a workspace does not change its data).

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
        (so an int column built in memory equals the float column read back); the names
        (:attr:`meta`) are compared too, ``source`` is ignored.
        """
        a, b = canonical(self), canonical(other)
        same_tables = all(getattr(a, t).equals(getattr(b, t)) for t in COLUMNS)
        same_judgements = (
            {g: set(e) for g, e in a.judgements.items()}
            == {g: set(e) for g, e in b.judgements.items()}
            and all(a.judgements[g][e].equals(b.judgements[g][e])
                    for g in a.judgements for e in a.judgements[g]))
        return same_tables and same_judgements and a.schemes == b.schemes and a.meta == b.meta


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
    kinds = {"float": "float64", "int": "int64", "str": "text"}
    for name, columns in COLUMNS.items():
        df = getattr(ws, name)
        if list(df.columns[:len(columns)]) != columns:
            return False
        if df.empty:  # an empty table hashes alike whatever its dtypes
            continue
        for col in columns:  # exactly the dtypes load_workspace gives; text without NaN
            kind = kinds[column_rule(name, col).dtype]
            if not _has_kind(df[col], kind):
                return False
        for col in df.columns[len(columns):]:  # covariates: float, or text that is not numbers
            if not (_has_kind(df[col], "float64") or _is_text_column(df[col])):
                return False
    return True


def _is_text_column(column: pd.Series) -> bool:
    """Text as the parser keeps it: no missing cells and at least one filled cell that is not a
    number (else it reads the column as numbers)."""
    if not _has_kind(column, "text"):
        return False
    filled = column[column.astype(str).str.strip() != ""]
    return bool(pd.to_numeric(filled, errors="coerce").isna().any())


def _has_kind(column: pd.Series, kind: str) -> bool:
    if kind != "text":
        return column.dtype == kind
    return (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)) \
        and not column.isna().any()


def canonical(ws: Workspace) -> Workspace:
    """The workspace with the dtypes and defaults load_workspace gives (problems ignored); its
    warnings and spreadsheet rows are those of ``ws``."""
    fields, _ = parse_workspace(workspace_text(ws, fill=False), Where(), Problems(), check=False)
    return Workspace(**{**fields, "rows": ws.rows}, source=ws.source, warnings=ws.warnings)



def with_defaults(ws: Workspace) -> Workspace:
    """``ws``, or :func:`canonical` of it when it lacks columns load_workspace fills in (a
    workspace made in memory with only the columns it needs)."""
    complete = all(c in getattr(ws, t).columns for t, cols in COLUMNS.items() for c in cols)
    return ws if complete else canonical(ws)
