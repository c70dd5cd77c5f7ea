"""Parsing text into typed tables and judgements.

Every table travels this one path: grid of cells → a frame of text indexed by spreadsheet row
(:func:`_frame`) → typed columns as :data:`~zhengji_lab.workspace.schema.SPEC` says
(:func:`_parse_table`) → with ``check``, the checks across tables of
:mod:`~zhengji_lab.workspace.checks`.  A bad cell becomes NaN and is reported, so that the other
checks still run and every problem is listed at once.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from zhengji_lab.workspace.checks import check_ahp, check_links, check_yaml
from zhengji_lab.workspace.problems import Problems, Where
from zhengji_lab.workspace.schema import COLUMNS, NUMBER, Col, column_rule
from zhengji_lab.workspace.text import RawWorkspace, scheme_text

_RATIO = re.compile(rf"({NUMBER.pattern})\s*/\s*({NUMBER.pattern})")


def parse_workspace(raw: RawWorkspace, where: Where, out: Problems, *, check: bool,
                    ) -> tuple[dict, pd.DataFrame]:
    """Parse a text workspace; with ``check`` also run the checks across tables.

    Returns
    -------
    fields : dict
        The keyword arguments of :class:`~zhengji_lab.workspace.Workspace` but ``source``:
        the typed tables, ``judgements`` and ``schemes``.
    problems : DataFrame
        Every problem in ``out``, sorted by file and row.
    """
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
    schemes = {name: scheme_text(text) for name, text in raw.schemes.items()}
    if check:
        check_links(tables, broken, where, out)
        for name, text in schemes.items():
            check_yaml(text, where.scheme(name), out)
    fields = {t: df.reset_index(drop=True) for t, df in tables.items()}
    problems = out.frame()
    return ({**fields, "judgements": judgements, "schemes": schemes},
            problems.sort_values(["file", "row"], kind="stable", na_position="first",
                                 ignore_index=True))


def _frame(grid: list[list[str]], where: str, out: Problems, *, corner: bool = False,
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
    if (text.eq("") | text.str.fullmatch(NUMBER)).all():
        return pd.to_numeric(text.replace("", np.nan)).astype(float)
    return text


def _parse_judgement(frame: pd.DataFrame, where: str, out: Problems, *, check: bool,
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
        rule = Col("float", filled=True, minimum=0, fix="write a number of points ≥ 0")
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

