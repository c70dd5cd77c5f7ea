"""Parsing text into typed tables and judgements.

Every table travels this one path: grid of cells → a frame of text indexed by spreadsheet row
(:func:`_frame`) → typed columns as :data:`~zhengji_lab.workspace.schema.SPEC` says
(:func:`_parse_table`) → with ``check``, the checks across tables of
:mod:`~zhengji_lab.workspace.checks`.  A bad cell becomes NaN and is reported, so that the other
checks still run and every problem is listed at once.  Cells as offices write them (full-width
and invisible characters, percentages, headers in another case) are read or refused by
:mod:`~zhengji_lab.workspace.cells` on the way.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from zhengji_lab.workspace.cells import (
    clean_codes,
    clean_header,
    read_percent,
    title_row,
)
from zhengji_lab.workspace.checks import check_ahp, check_links
from zhengji_lab.workspace.problems import Problems, Where, rows_text, sort_table
from zhengji_lab.workspace.schema import (
    COLUMNS,
    EXCEL_ERRORS,
    LIMIT,
    NUMBER,
    Col,
    column_rule,
    is_percent_unit,
)
from zhengji_lab.workspace.suspicious import check_suspicious
from zhengji_lab.workspace.text import RawWorkspace, scheme_text, shown

_RATIO = re.compile(rf"({NUMBER.pattern})\s*/\s*({NUMBER.pattern})")


def parse_workspace(raw: RawWorkspace, where: Where, out: Problems, *, check: bool,
                    ) -> tuple[dict, pd.DataFrame]:
    """Parse a text workspace; with ``check`` also run the checks across tables.

    Returns
    -------
    fields : dict
        The keyword arguments of :class:`~zhengji_lab.workspace.Workspace` but ``source`` and
        ``warnings``: the typed tables, ``judgements``, ``schemes``, ``rows`` (each table's
        spreadsheet rows) and ``meta`` (the names).  The warnings found are
        ``out.warning_frame()``.
    problems : DataFrame
        Every problem in ``out``, sorted by file and row.
    """
    tables: dict[str, pd.DataFrame] = {}
    broken: set[str] = set()  # tables that are unreadable or miss required columns
    for name, columns in COLUMNS.items():
        grid = raw.tables.get(name, [columns])
        label = where.table(name)
        required = [c for c in columns if column_rule(name, c).required]
        positions: dict[int, str] = {}
        frame = None if grid is None else _frame(grid, label, out, known=columns,
                                                 required=required, positions=positions)
        if frame is not None and (raw.percent.get(name) or name in ("values", "targets")):
            read_percent(name, frame, raw.percent.get(name, ()), positions,
                         _percent_codes(tables), label, out)
        tables[name], complete = _parse_table(name, frame, label, out)
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
    schemes = {name: scheme_text(text) for name, text in raw.schemes.items()}
    if check:
        check_links(tables, broken, where, out)
        check_suspicious(tables, broken, where, out)
    # schemes are checked once the workspace is made (read.py, zhengji_lab.scheme_checks): a
    # broken scheme is reported without stopping the workspace or its other schemes
    fields = {t: df.reset_index(drop=True) for t, df in tables.items()}
    rows = {t: tuple(int(r) for r in df.index) for t, df in tables.items()}
    return ({**fields, "judgements": judgements, "schemes": schemes, "rows": rows,
             "meta": dict(raw.meta)},
            sort_table(out.frame()))


def _percent_codes(tables: dict[str, pd.DataFrame]) -> set[str]:
    """Indicators whose framework unit is % (none before the framework is read)."""
    fw = tables.get("framework")
    if fw is None:
        return set()
    return {c for c, u in zip(fw["code"], fw["unit"]) if is_percent_unit(u)}


def _frame(grid: list[list[str]], where: str, out: Problems, *, corner: bool = False,
           known: list[str] = (), required: list[str] = (), positions: dict | None = None,
           ) -> pd.DataFrame | None:
    """Text cells under a header row, indexed by spreadsheet row (header = row 1).

    Cells are stripped; empty rows are skipped; ``corner`` allows an unnamed first column (the
    top-left cell of an AHP matrix).  Column names are read as ``known`` ones when they differ
    only in case or width (with a warning); a title above the header (the ``required`` names
    in a lower row) is an error.  ``positions``, if given, is filled with the 0-based
    position → name of the columns kept.
    """
    from openpyxl.utils import get_column_letter  # lazy: openpyxl is slow to import

    rows = [[cell.strip() for cell in row] for row in grid]
    at = title_row(rows, list(required))
    if at:
        title = next((c for c in rows[0] if c), "")
        out.add(where, 1, "A", title, f"row 1 is not the header: the column names are in row "
                f"{at}" + (f" (row 1 holds the title {title!r})" if title else ""),
                f"delete the row{'s' if at > 2 else ''} above the column names "
                f"({rows_text(range(1, at))}), so that they are in row 1")
        return None
    header = rows[0] if rows else []
    while header and not header[-1]:
        header.pop()
    if not header:
        out.add(where, 1, "", "", "the header row (row 1) is empty",
                "write the column names in row 1")
        return None
    header = clean_header(header, list(known), where, out)
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
    if positions is not None:
        positions.update({j: header[j] for j in keep})
    return pd.DataFrame({header[j]: pd.Series(columns[j], index=index, dtype="str")
                         for j in keep}, index=index)


def _parse_table(name: str, frame: pd.DataFrame | None, where: str, out: Problems,
                 ) -> tuple[pd.DataFrame, bool]:
    """Type one table as ``SPEC`` says; returns the table and whether no column is missing.

    Bad cells become NaN (so later checks still run) and are reported.
    """
    if frame is None:
        frame = pd.DataFrame(columns=COLUMNS[name], dtype="str")
    complete = True
    columns = {}
    for col in COLUMNS[name]:
        rule = column_rule(name, col)
        if col in frame.columns:
            text = frame[col]
            if rule.code or rule.dtype != "str":
                text = clean_codes(text, col, where, out, kinds=col == "kinds")
            columns[col] = _convert(text, rule, col, where, out)
            continue
        if rule.required:
            complete = False
            out.add(where, 1, col, "", f"the required column '{col}' is missing (found: "
                    f"{', '.join(map(repr, frame.columns))})",
                    f"add a column '{col}' to row 1; the columns are {', '.join(COLUMNS[name])}"
                    + _wide_hint(name, frame.columns))
        missing = pd.Series(rule.default, index=frame.index, dtype="str")
        columns[col] = missing if rule.dtype == "str" else missing.replace("", np.nan).astype(float)
    for col in frame.columns.difference(COLUMNS[name], sort=False):
        columns[col] = _convert_extra(frame[col], col, where, out)
    return pd.DataFrame(columns, index=frame.index), complete


def _wide_hint(name: str, header) -> str:
    """The fix's addition when a long table was written wide (years as columns)."""
    years = [c for c in header if re.fullmatch(r"(19|20)\d\d(年|年度)?", str(c))]
    if not years:
        return ""
    return (f". The columns {', '.join(years[:5])} look like years: {name} is a long table, "
            f"one row per unit, year and {'name' if name in ('covariates', 'outcomes') else 'indicator'}"
            f" with the number in one column (in Excel: Power Query 'Unpivot columns' / 逆透视列)")


def _convert(text: pd.Series, rule: Col, col: str, where: str, out: Problems) -> pd.Series:
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
    is_number = text.str.fullmatch(NUMBER)
    number = pd.to_numeric(text.where(is_number), errors="coerce")
    bad = ~empty & ~is_number
    plain = "write a plain number such as 12.5 (no units, % signs or thousands separators)"
    if not rule.filled:
        plain += ", or leave the cell empty if the value is missing"
    for row, value in text[bad].items():
        if value.upper() in EXCEL_ERRORS:
            out.add(where, row, col, value, f"the Excel error {value} (a formula failed) in the "
                    f"number column '{col}'", "correct the formula in Excel, or clear the cell "
                    "if the value is missing")
        else:
            out.add(where, row, col, shown(value), f"text {shown(value)!r} in the number column "
                    f"'{col}'", rule.fix or plain)
    huge = np.abs(number.to_numpy(dtype=float)) > LIMIT  # inf included
    if huge.any():
        for row, value in text[huge].items():
            out.add(where, row, col, value, f"{value} is beyond ±{LIMIT:.0e}, far larger than "
                    f"any {col} (a typo, or a number in the wrong unit)", "correct the number; "
                    "write it in the unit of the framework (e.g. 亿元 rather than 元)")
        bad = bad | huge
    number = number.mask(bad)
    checks = []  # (cells that fail, what the column needs)
    if rule.dtype == "int":
        checks.append((number != number.round(), "a whole number"))
    if rule.choices:
        checks.append((~number.isin(rule.choices), " or ".join(f"{c:+d}" for c in rule.choices)))
    if rule.minimum is not None and rule.maximum is not None:
        checks.append(((number < rule.minimum) | (number > rule.maximum),
                       f"between {rule.minimum:g} and {rule.maximum:g}"))
    elif rule.minimum is not None:
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


def _convert_extra(text: pd.Series, col: str, where: str, out: Problems) -> pd.Series:
    """A column outside :data:`COLUMNS`: numbers if every filled cell is one, else text.

    Numbers beyond ±:data:`~zhengji_lab.workspace.schema.LIMIT` are reported and read as
    missing.
    """
    if (text.eq("") | text.str.fullmatch(NUMBER)).all():
        number = pd.to_numeric(text.replace("", np.nan)).astype(float)
        huge = number.notna() & ~(number.abs() <= LIMIT)
        for row, value in text[huge].items():
            out.add(where, row, col, value, f"{value} is beyond ±{LIMIT:.0e} (a typo, or a "
                    "number in the wrong unit)", "correct the number")
        return number.mask(huge)
    return text


def _parse_judgement(frame: pd.DataFrame, where: str, out: Problems, *, check: bool,
                     codes: set | None) -> pd.DataFrame | None:
    """An AHP matrix (square, codes both ways) or a point budget (``node, points``).

    ``check`` runs the AHP checks; ``codes`` are the framework codes to check the nodes against
    (None: don't).  Returns None when the shape is wrong.
    """
    header = list(frame.columns)
    first = header[0] or "A"
    nodes = clean_codes(frame.iloc[:, 0], first, where, out)
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
        rule = Col("float", filled=True, minimum=0, fix="write a number of points ≥ 0")
        points = _convert(clean_codes(frame["points"], "points", where, out), rule, "points",
                          where, out)
        return pd.DataFrame({"points": points.to_numpy()}, index=index)
    if header[1:] != nodes.tolist():
        out.add(where, 1, "", ", ".join(header[1:]), f"not an AHP matrix: the codes in row 1 "
                f"({', '.join(header[1:])}) differ from those in the first column "
                f"({', '.join(nodes)})", "an AHP matrix lists the same codes in the same order "
                "in row 1 and in the first column; a point budget has the two columns "
                "node, points")
        return None
    cells = frame.iloc[:, 1:].apply(lambda c: clean_codes(c, c.name, where, out))
    ratios = cells.map(_ratio)
    for i, j in np.argwhere(ratios.isna().to_numpy()):
        value = cells.iat[i, j]
        out.add(where, cells.index[i], cells.columns[j], value,
                f"{value!r} is not a judgement" if value else "a judgement is empty",
                "write a number or fraction such as 3 or 1/3 (in Excel "
                "format the cells as Text first, or 1/3 becomes a date); 1 on the diagonal")
    matrix = pd.DataFrame(ratios.to_numpy(float), index=index, columns=index)
    if check:
        check_ahp(matrix, frame.index, where, out)
    return matrix


def _ratio(text: str) -> float:
    """'3' → 3.0, '1/3' → 0.333…; NaN for anything else."""
    if NUMBER.fullmatch(text):
        return float(text)
    match = _RATIO.fullmatch(text)
    if match and float(match[2]) != 0:
        return float(match[1]) / float(match[2])
    return np.nan

