"""Reading a workbook (``.xlsx``) into text, with what Excel adds to a table.

One sheet per table (``values``, ``units`` …), ``J.<group>.<expert>`` per judgement, ``S.<name>``
per scheme (one YAML line a row), ``workspace`` for the names (``key, value`` rows).  Beyond the
cells' values, what Excel shows differently from what a cell holds is checked:

* merged cells (read as their first cell and empty cells) are an error naming the range;
* formulas without a saved result (a program wrote the workbook, Excel never calculated it; they
  read as empty) are an error naming the cells;
* percent-formatted numbers are passed on (``RawWorkspace.percent``): the parser reads those of
  indicators measured in % as shown and refuses the others;
* a table sheet named in another case or with spaces (``Values``) is read, with a warning.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from zhengji_lab.workspace.meta import META_SHEET, parse_meta_grid
from zhengji_lab.workspace.problems import Problems, Where, rows_text
from zhengji_lab.workspace.schema import COLUMNS, README_SHEET, REQUIRED_TABLES
from zhengji_lab.workspace.text import RawWorkspace, cell_text

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")
_QUOTED = re.compile(r'"[^"]*"|\\.')


def read_book(path: Path, where: Where, out: Problems) -> RawWorkspace:
    """The workbook's sheets as text; problems and warnings go to ``out``."""
    import openpyxl  # lazy: openpyxl is slow to import
    from openpyxl.utils.exceptions import InvalidFileException  # lazy: as above

    raw = RawWorkspace()
    try:
        book = openpyxl.load_workbook(path, data_only=True)
        formulas = _formulas(path) if _has_formulas(path) else {}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, InvalidFileException) as exc:
        out.add(where.book, None, "", "", f"cannot read the workbook ({type(exc).__name__}: "
                f"{exc})", "open it in Excel and save it again as .xlsx (Excel Workbook)")
        raw.tables.update(dict.fromkeys(REQUIRED_TABLES))
        return raw
    try:
        titles = [s.title for s in book.worksheets]
        for sheet in book.worksheets:
            name = sheet.title
            table = _table_of(name, titles)
            if table or name.startswith("J.") or name == META_SHEET:
                grid, percent = _grid(sheet)
                label = where.table(name)
                _check_merged(sheet, grid, label, out)
                _check_formulas(formulas.get(name, {}), grid, label, out)
            if table:
                if table != name:
                    out.warn(where.table(name), None, "", name, f"the sheet '{name}' was read as "
                             f"the table '{table}'", f"rename the sheet to '{table}'")
                raw.tables[table] = grid
                if percent:
                    raw.percent[table] = percent
            elif name.startswith("J."):
                group, _, expert = name[2:].rpartition(".")
                if group and expert:
                    raw.judgements[group, expert] = grid
                else:
                    out.add(where.table(name), None, "", "", "a judgement sheet name must be "
                            "J.<group>.<expert>", "rename the sheet, e.g. J.index.expert_01")
            elif name == META_SHEET:
                raw.meta = parse_meta_grid(grid, where.table(name), out)
            elif name.startswith("S."):
                rows = sheet.iter_rows(max_col=1, values_only=True)
                raw.schemes[name[2:]] = "\n".join(cell_text(row[0]) if row else ""
                                                  for row in rows)
            elif name != README_SHEET:
                out.warn(where.table(name), None, "", name, f"Sheet '{name}' is not part of a "
                         "workspace and was ignored", f"tables are {', '.join(COLUMNS)}, "
                         "judgements J.<group>.<expert>, schemes S.<name>, the names "
                         f"'{META_SHEET}'; rename the sheet if it holds one of them")
    finally:
        book.close()
    for name in REQUIRED_TABLES:
        if name not in raw.tables:
            raw.tables[name] = None
            out.add(where.table(name), None, "", "", "a required sheet is missing",
                    f"add a sheet named '{name}' with the columns {', '.join(COLUMNS[name])}")
    return raw


def _table_of(name: str, titles: list[str]) -> str | None:
    """The table a sheet holds: its name, or one written in another case or with spaces when
    no sheet has the exact name."""
    if name in COLUMNS:
        return name
    key = name.strip().casefold()
    if key in COLUMNS and key not in titles:
        same = [t for t in titles if t.strip().casefold() == key]
        return key if same[0] == name else None
    return None


def _grid(sheet) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """Cells as text (row 1 first, column A first) and the percent-formatted numbers."""
    grid, percent = [], set()
    for i, row in enumerate(sheet.iter_rows(), start=1):
        texts = []
        for j, cell in enumerate(row):
            value = cell.value
            texts.append(cell_text(value))
            if (isinstance(value, (int, float)) and not isinstance(value, bool)
                    and is_percent_format(cell.number_format)):
                percent.add((i, j))
        grid.append(texts)
    return grid, percent


def is_percent_format(number_format) -> bool:
    """Whether an Excel number format shows a number ×100 with a % sign (``0.0%``; not
    ``0.0"%"``, whose % is text).

    >>> is_percent_format("0.0%"), is_percent_format('0.0"%"'), is_percent_format("General")
    (True, False, False)
    """
    return "%" in _QUOTED.sub("", str(number_format or ""))


def _header(grid: list[list[str]], j: int) -> str:
    from openpyxl.utils import get_column_letter  # lazy: openpyxl is slow to import

    name = grid[0][j] if grid and j < len(grid[0]) else ""
    return name.strip() or get_column_letter(j + 1)


def _check_merged(sheet, grid: list[list[str]], label: str, out: Problems) -> None:
    """Merged cells: an error per range (a merged cell reads as its first cell and blanks)."""
    for rng in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        first = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(grid) else ""
        n = (rng.max_row - rng.min_row + 1) * (rng.max_col - rng.min_col + 1)
        out.add(label, rng.min_row, _header(grid, rng.min_col - 1), first,
                f"the cells {rng.coord} are merged: they read as {first!r} in the first cell "
                f"and {n - 1} empty cell{'s' if n > 2 else ''}",
                f"unmerge {rng.coord} (取消单元格合并) and write the value in every cell (select "
                "the range, unmerge, then fill down with Ctrl+D)")


def _check_formulas(cells: dict, grid: list[list[str]], label: str, out: Problems) -> None:
    """Formulas without a saved result: an error per run of cells down a column."""
    empty = sorted((j, i) for (i, j) in cells
                   if i > len(grid) or j >= len(grid[i - 1]) or not grid[i - 1][j])
    runs: list[list] = []
    for j, i in empty:
        if runs and runs[-1][0] == j and runs[-1][2] == i - 1:
            runs[-1][2] = i
            runs[-1][3].append(i)
        else:
            runs.append([j, i, i, [i]])
    for j, first, _, rows in runs:
        formula = cells[first, j]
        col = _header(grid, j)
        out.add(label, first, col, formula, f"{len(rows)} cell{'s' if len(rows) > 1 else ''} "
                f"of '{col}' ({rows_text(rows)}) hold a formula without a saved result (e.g. "
                f"{formula}): a program wrote the workbook and Excel never calculated it, so "
                "they read as empty", "open the workbook in Excel or WPS and save it (the "
                "results are then saved), or paste the cells as values (选择性粘贴 → 数值)")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (a quick look at its XML)."""
    with zipfile.ZipFile(path) as z:
        return any(_FORMULA_TAG.search(z.read(n)) for n in z.namelist()
                   if n.startswith("xl/worksheets/") and n.endswith(".xml"))


def _formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """``{sheet: {(row, 0-based column): formula}}`` of every formula cell."""
    import openpyxl  # lazy: openpyxl is slow to import
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula  # lazy: as above

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found = {}
        for sheet in book.worksheets:
            cells = {}
            for i, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                for j, value in enumerate(row):
                    if isinstance(value, (ArrayFormula, DataTableFormula)):
                        cells[i, j] = str(getattr(value, "text", "") or "{=…}")
                    elif isinstance(value, str) and value.startswith("="):
                        cells[i, j] = value
            if cells:
                found[sheet.title] = cells
        return found
    finally:
        book.close()
