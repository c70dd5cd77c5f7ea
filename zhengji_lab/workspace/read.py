"""Reading a workspace: :func:`load_workspace` and :func:`validate_workspace`.

A folder of CSV files (UTF-8, with or without BOM) or an ``.xlsx`` workbook is read into text
(:class:`~zhengji_lab.workspace.text.RawWorkspace`), reporting files and sheets that cannot be
read, then typed and checked by :func:`~zhengji_lab.workspace.parse.parse_workspace`.
"""
from __future__ import annotations

import csv
import io
import logging
import warnings
import zipfile
from pathlib import Path

import pandas as pd

from zhengji_lab.errors import WorkspaceError
from zhengji_lab.workspace.model import Workspace
from zhengji_lab.workspace.parse import parse_workspace
from zhengji_lab.workspace.problems import Problems, Where, is_book, where_of
from zhengji_lab.workspace.schema import COLUMNS, README_SHEET, REQUIRED_TABLES
from zhengji_lab.workspace.text import RawWorkspace, cell_text, workspace_text

logger = logging.getLogger(__name__)


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
        raw = workspace_text(ws, fill=False)
        return parse_workspace(raw, where_of(ws.source), Problems(), check=True)[1]
    return _load(Path(ws), validate=True)[1]


def _load(path: Path, *, validate: bool) -> tuple[Workspace, pd.DataFrame]:
    if not path.exists():
        raise FileNotFoundError(f"No workspace at '{path}': expected a folder of CSV files or an "
                                f".xlsx workbook.")
    out = Problems()
    if path.is_dir():
        where, raw = Where(), _read_folder(path, out)
    elif is_book(path):
        where = Where(path.name)
        raw = _read_book(path, where, out)
    else:
        raise ValueError(f"The 'path' parameter of load_workspace() must be a workspace folder "
                         f"or an .xlsx workbook. Got '{path}' instead.")
    fields, problems = parse_workspace(raw, where, out, check=validate)
    return Workspace(**fields, source=str(path)), problems


def _read_folder(path: Path, out: Problems) -> RawWorkspace:
    raw, where = RawWorkspace(), Where()
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


def _csv_grid(file: Path, where: str, out: Problems) -> list[list[str]] | None:
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


def _read_book(path: Path, where: Where, out: Problems) -> RawWorkspace:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    raw = RawWorkspace()
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
            grid = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
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

