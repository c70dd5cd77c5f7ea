"""Reading a workspace: :func:`load_workspace` and :func:`validate_workspace`.

A folder of CSV files or an ``.xlsx`` workbook (:mod:`~zhengji_lab.workspace.book`) is read into
text (:class:`~zhengji_lab.workspace.text.RawWorkspace`), reporting files and sheets that cannot
be read, then typed and checked by :func:`~zhengji_lab.workspace.parse.parse_workspace`.

CSV files may be UTF-8 (with or without BOM) or UTF-16 with a BOM (Excel's "Unicode text"),
separated by commas, tabs or semicolons (whichever the header row uses).  GBK files are refused
with the fix, since a wrong guess would garble every name.  A table file named in another case
(``Values.csv``) or with a doubled extension (``values.csv.csv``) is read, with a warning.
"""
from __future__ import annotations

import csv
import io
import logging
import warnings
from pathlib import Path

import pandas as pd

from zhengji_lab.errors import (
    SchemeWarning,
    WorkspaceError,
    WorkspaceWarning,
    format_problems,
)
from zhengji_lab.scheme_checks import check_scheme_files, warn_scheme_files
from zhengji_lab.workspace.book import read_book
from zhengji_lab.workspace.meta import META_FILE, parse_meta_yaml
from zhengji_lab.workspace.model import Workspace, with_defaults
from zhengji_lab.workspace.parse import parse_workspace
from zhengji_lab.workspace.problems import Problems, Where, is_book, sort_table, where_of
from zhengji_lab.workspace.schema import COLUMNS, REQUIRED_TABLES
from zhengji_lab.workspace.text import RawWorkspace, workspace_text

logger = logging.getLogger(__name__)

#: Spreadsheet files a folder may hold by mistake instead of CSV files.
SPREADSHEETS = (".xlsx", ".xls", ".xlsm", ".et", ".ods")

#: Other workbook formats, and how to make an .xlsx of them.
_OTHER_BOOKS = {".xls": "an Excel 97–2003 workbook", ".xlsm": "a macro-enabled workbook",
                ".et": "a WPS workbook", ".ods": "an OpenDocument spreadsheet"}


def load_workspace(path, *, validate: bool = True) -> Workspace:
    """Read an assessment workspace from a folder of CSV files or an ``.xlsx`` workbook.

    Parameters
    ----------
    path : str or PathLike
        A folder laid out as in ``DESIGN.md`` or a workbook with one sheet per table
        (``J.<group>.<expert>`` sheets for judgements, ``S.<name>`` sheets for schemes).
    validate : bool
        Run the checks across tables (duplicate keys, unknown codes, tree shape, kinds,
        judgement consistency) and look for suspicious inputs.  Problems in single cells (text
        in a number column, a missing required column or file) are always reported, since the
        tables cannot be typed without fixing them.

    Returns
    -------
    Workspace
        Years, levels and directions are ``int``; values, targets and points ``float`` (NaN
        when empty); codes and other text ``str`` with ``""`` for empty cells.  Its
        ``warnings`` table lists the suspicious inputs found (empty when none).

    Raises
    ------
    WorkspaceError
        Listing every problem with its file or sheet, spreadsheet row (header = row 1), column
        and fix; the full table is its ``problems`` attribute.
    FileNotFoundError
        If ``path`` does not exist.

    Warns
    -----
    WorkspaceWarning
        When the workspace loads but holds suspicious inputs (a peer group of one unit, a year
        far from the others, a code read without an invisible character, a percentage read as
        shown …): one warning listing them with file, row and column, the table as its
        ``problems`` attribute.  ``build`` repeats them in ``Assessment.log``.
    """
    ws, problems = _load(Path(path), validate=validate)
    if len(problems):
        raise WorkspaceError(problems, source=str(path))
    if len(ws.warnings):
        warnings.warn(workspace_warning(ws.warnings, str(path)), stacklevel=2)
    logger.info("Loaded %r", ws)
    return ws


def workspace_warning(table: pd.DataFrame, source: str = "") -> WorkspaceWarning:
    """One :class:`~zhengji_lab.errors.WorkspaceWarning` listing a table of located warnings
    (kept as its ``problems`` attribute)."""
    n = len(table)
    where = f" {source!r}" if source else ""
    w = WorkspaceWarning(f"The workspace{where} has {n} input{'s' if n != 1 else ''} to check "
                         f"(考核数据有 {n} 处需要核实); it was read as described:\n"
                         + format_problems(table))
    w.problems = table
    return w


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
        Columns ``file, row, column, value, problem, fix``; empty when all is well.  The
        warnings (suspicious but possible inputs) are not problems: see ``Workspace.warnings``.
        The problems of scheme files are included (``row`` the YAML line when known, ``column``
        the scheme), though ``load_workspace`` only warns about them.
    """
    if isinstance(ws, Workspace):
        raw = workspace_text(ws, fill=False)
        problems = parse_workspace(raw, where_of(ws.source), Problems(), check=True)[1]
        loaded = with_defaults(ws)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SchemeWarning)  # returned below, as problems
            loaded, problems = _load(Path(ws), validate=True)
    schemes = check_scheme_files(loaded, where_of(loaded.source).scheme,
                                 against=problems.empty).problems
    return sort_table(pd.concat([problems, schemes], ignore_index=True)) if len(schemes) \
        else problems


def _load(path: Path, *, validate: bool) -> tuple[Workspace, pd.DataFrame]:
    if not path.exists():
        raise FileNotFoundError(f"No workspace at '{path}': expected a folder of CSV files or an "
                                f".xlsx workbook.")
    out = Problems()
    if path.is_dir():
        where, raw = Where(), _read_folder(path, out)
    elif is_book(path):
        where = Where(path.name)
        raw = read_book(path, where, out)
    else:
        kind = _OTHER_BOOKS.get(path.suffix.lower())
        how = (f": {kind}; open it in Excel or WPS and save it as an .xlsx workbook (Excel 工作簿)"
               if kind else "")
        raise ValueError(f"The 'path' parameter of load_workspace() must be a workspace folder "
                         f"or an .xlsx workbook. Got '{path}' instead{how}.")
    fields, problems = parse_workspace(raw, where, out, check=validate)
    ws = Workspace(**fields, source=str(path), warnings=out.warning_frame())
    if validate:  # a broken scheme is a SchemeWarning with its problems; it stops nothing else
        warn_scheme_files(ws, where.scheme, against=problems.empty, stacklevel=4)
    return ws, problems


def _read_folder(path: Path, out: Problems) -> RawWorkspace:
    raw, where = RawWorkspace(), Where()
    files = {f.name: f for f in path.iterdir() if f.is_file()}
    used = set()
    for name, columns in COLUMNS.items():
        file = _table_file(name, files)
        books = [f for f in files if Path(f).stem.casefold() == name and
                 Path(f).suffix.lower() in SPREADSHEETS]
        if file is not None:
            used.add(file)
            if file != f"{name}.csv":
                out.warn(file, None, "", file, f"the file '{file}' was read as {name}.csv",
                         f"rename it to {name}.csv")
            raw.tables[name] = _csv_grid(files[file], where.table(name), out)
            for book in books:
                out.warn(book, None, "", book, f"'{book}' is not read; the workspace reads "
                         f"{file}", f"delete {book}, or save it as {name}.csv if it is newer")
        elif name in REQUIRED_TABLES:
            raw.tables[name] = None
            fix = (f"save {books[0]} from Excel as 'CSV UTF-8 (逗号分隔)(*.csv)' named "
                   f"{name}.csv (a folder workspace reads CSV files only), or load a workbook "
                   "with all tables as sheets" if books else
                   f"add {name}.csv (columns: {', '.join(columns)}); `zhengji template "
                   "BOOK.xlsx` writes an empty workbook to start from")
            out.add(where.table(name), None, "", "", "a required file is missing", fix)
        elif books:
            out.warn(books[0], None, "", books[0], f"'{books[0]}' is not read: a folder "
                     f"workspace reads CSV files, and there is no {name}.csv",
                     f"save it from Excel as 'CSV UTF-8 (逗号分隔)(*.csv)' named {name}.csv")
    for file in sorted(files):
        if file.lower().endswith(".csv") and file not in used:
            out.warn(file, None, "", file, f"'{file}' is not a workspace table and was ignored",
                     f"tables are {', '.join(f'{t}.csv' for t in COLUMNS)}; rename the file if "
                     "it holds one of them")
    _read_judgements(path / "judgements", raw, out)
    for file in sorted((path / "schemes").glob("*.yaml")):
        try:
            raw.schemes[file.stem] = file.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            out.add(where.scheme(file.stem), None, "", "", f"not UTF-8 text ({exc.reason})",
                    "save the scheme as UTF-8")
    if (path / META_FILE).is_file():
        try:
            text = (path / META_FILE).read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            out.add(META_FILE, None, "", "", f"not UTF-8 text ({exc.reason})",
                    f"save {META_FILE} as UTF-8")
        else:
            raw.meta = parse_meta_yaml(text, META_FILE, out)
    return raw


def _table_file(name: str, files: dict) -> str | None:
    """The file of a table: ``<name>.csv``, else one named so in another case or with a doubled
    extension (``Values.csv``, ``values.csv.csv``, as Windows hides extensions)."""
    if f"{name}.csv" in files:
        return f"{name}.csv"
    return next((f for f in sorted(files) if f.casefold() in (f"{name}.csv", f"{name}.csv.csv")),
                None)


def _read_judgements(folder: Path, raw: RawWorkspace, out: Problems) -> None:
    """``judgements/<group>/<expert>.csv``; a workbook there is an error (save it as CSV)."""
    where = Where()
    files = sorted(f for f in folder.rglob("*") if f.is_file()) if folder.is_dir() else []
    for file in files:
        rel = file.relative_to(folder)
        shown_name = f"judgements/{rel.as_posix()}"
        if file.name.startswith((".", "~$")):  # hidden files, Excel's lock files
            continue
        suffix = file.suffix.lower()
        if suffix in SPREADSHEETS:
            out.add(shown_name, None, "", file.name, "a judgement must be a CSV file; this is a "
                    "workbook, which is not read", f"save it from Excel as 'CSV UTF-8 "
                    f"(逗号分隔)(*.csv)' as {rel.with_suffix('.csv').as_posix()} in judgements/, "
                    "and delete the workbook")
            continue
        if suffix != ".csv":
            out.warn(shown_name, None, "", file.name, f"'{shown_name}' is not a judgement (CSV "
                     "file) and was ignored", "move other files out of judgements/")
            continue
        parts = rel.with_suffix("").parts
        if len(parts) != 2:
            out.add(shown_name, None, "", "", "a judgement file must sit in one sub-folder per "
                    "group", "move it to judgements/<group>/<expert>.csv, e.g. "
                    "judgements/index/expert_01.csv")
            continue
        raw.judgements[parts] = _csv_grid(file, where.judgement(*parts), out)


def _csv_grid(file: Path, where: str, out: Problems) -> list[list[str]] | None:
    """Rows of cells of a CSV file (UTF-8 with or without BOM, UTF-16 or UTF-32 with a BOM;
    commas, tabs or semicolons), or None if unreadable."""
    data = file.read_bytes()
    text = _decode_bom(data)
    if text is None and b"\x00" in data:
        out.add(where, None, "", "", "not a CSV text file (it holds binary data; is it a "
                "workbook renamed to .csv?)", "export the sheet from Excel as 'CSV UTF-8 "
                "(逗号分隔)', or load the .xlsx workbook itself")
        return None
    if text is None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            try:
                data.decode("gb18030")
                hint = "; it looks like GBK/GB18030, the default of Chinese Windows"
            except UnicodeDecodeError:
                hint = ""
            out.add(where, None, "", "", f"not UTF-8 text (byte {exc.start}{hint})",
                    "save it from Excel as 'CSV UTF-8 (逗号分隔)(*.csv)', or re-encode it as "
                    "UTF-8")
            return None
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        out.add(where, None, "", "", f"not a valid CSV file ({exc})",
                "export it again as 'CSV UTF-8 (逗号分隔)'")
        return None


def _decode_bom(data: bytes) -> str | None:
    """Text of UTF-32 or UTF-16 data with a byte-order mark; None for anything else."""
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _delimiter(text: str) -> str:
    """The separator the header row uses: comma, else tab (Excel's "Unicode text"), else
    semicolon (Excel in locales with a decimal comma)."""
    header = text.split("\n", 1)[0]
    return next((d for d in (",", "\t", ";") if d in header), ",")
