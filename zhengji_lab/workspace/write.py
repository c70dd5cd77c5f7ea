"""Writing a workspace: :func:`write_workspace` to a folder or workbook, :func:`write_template`.

The workspace is written as the same text the reader reads
(:func:`~zhengji_lab.workspace.text.workspace_text`): CSV files with a byte-order mark for
Excel, or one workbook with a README sheet, column notes as cell comments and numbers as
numbers.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import warnings
from pathlib import Path

import pandas as pd

from zhengji_lab import safeio
from zhengji_lab.errors import WorkspaceWarning
from zhengji_lab.workspace.meta import (
    META_FILE,
    META_KEYS,
    META_NOTES,
    META_SHEET,
    meta_grid,
    meta_yaml,
)
from zhengji_lab.workspace.model import Workspace
from zhengji_lab.workspace.problems import is_book, sheet_name
from zhengji_lab.workspace.schema import (
    COLUMN_NOTES,
    COLUMNS,
    NUMBER,
    README_SHEET,
    REQUIRED_TABLES,
    column_rule,
)
from zhengji_lab.workspace.text import RawWorkspace, scheme_text, workspace_text

logger = logging.getLogger(__name__)

_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def write_workspace(ws: Workspace, path, *, overwrite: bool = False, template: bool = False,
                    ) -> Path:
    """Write a workspace to a folder of CSV files, or to an ``.xlsx`` workbook.

    CSV files are UTF-8 with a byte-order mark, so that Excel shows Chinese text correctly.
    The workspace is written as it is (not validated), so nothing is lost; loading it back
    gives equal data (:meth:`Workspace.equals`).  A workbook keeps numbers to 16 significant
    digits (openpyxl writes ``"%.16g"``), so a number that needs all 17 digits of a double
    (e.g. ``0.1 + 0.2``) comes back one unit in the last place off; CSV folders keep every
    digit.

    Writing is all or nothing (:mod:`zhengji_lab.safeio`): every file goes to a temporary name
    first and is renamed into place only when all are written; if anything fails, the files
    that were there are left (or put back) as they were. Nothing is deleted: files of an
    existing folder that the workspace does not hold (other judgements and schemes, notes) are
    kept, and a :class:`~zhengji_lab.errors.WorkspaceWarning` names the judgements and schemes
    among them, since loading the folder reads them too.

    Parameters
    ----------
    ws : Workspace
    path : str or PathLike
        A path ending in ``.xlsx`` is written as a workbook; anything else as a folder.
    overwrite : bool
        Replace an existing workbook, or the files of an existing folder that this workspace
        holds (every table, its ``judgements/<group>/<expert>.csv``, ``schemes/<name>.yaml`` and
        ``workspace.yaml``, written when it has names); other files are left alone.
    template : bool
        Write the workbook sheet ``workspace`` with a row for every name, even empty ones
        (:func:`write_template`).

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
    zhengji_lab.safeio.WriteError
        If a file cannot be written (a read-only folder, a workbook open in Excel); nothing was
        changed.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise safeio.OutputExistsError(f"'{path}' already exists; write_workspace() does not "
                                       f"overwrite it unless you pass overwrite=True.", path)
    book = is_book(path)
    parts = _parts(workspace_text(ws, fill=True), book=book, template=template)
    if book:
        _write_book(path, parts, overwrite=overwrite)
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
    if not is_book(path):
        raise ValueError(f"The 'path' parameter of write_template() must end in .xlsx. "
                         f"Got '{path}' instead.")
    empty = Workspace(*(pd.DataFrame(columns=COLUMNS[t]) for t in REQUIRED_TABLES))
    return write_workspace(empty, path, overwrite=overwrite, template=True)


def _parts(raw: RawWorkspace, *, book: bool, template: bool = False,
           ) -> dict[str, list[list[str]]]:
    """Sheet name (``book``) or file path inside the folder → grid (scheme and
    ``workspace.yaml``: one line a row); the names first, when there are any (or ``template``).

    Raises ValueError for judgement and scheme names that cannot be sheet or file names.
    """
    parts = {}
    if book and (raw.meta or template):
        parts[META_SHEET] = meta_grid(raw.meta, every_key=template)
    elif raw.meta:
        parts[META_FILE] = [[line] for line in meta_yaml(raw.meta).splitlines()]
    parts.update({name if book else f"{name}.csv": grid for name, grid in raw.tables.items()})
    named = [(("J", group, expert), f"judgements/{group}/{expert}.csv", grid)
             for (group, expert), grid in raw.judgements.items()]
    named += [(("S", name), f"schemes/{name}.yaml",
               [[line] for line in scheme_text(text).splitlines()])
              for name, text in raw.schemes.items()]
    bad = []
    for names, file, grid in named:
        sheet = sheet_name(*names)
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
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"'{path}' is a file; write the workspace to a new folder.")
    files = {}
    for name, grid in parts.items():
        if name.endswith(".yaml"):
            text = "".join(f"{line[0]}\n" for line in grid)
        else:
            text = "\ufeff" + _csv_text(grid)  # BOM: Excel then reads Chinese text correctly
        files[path / name] = text.encode("utf-8")
    kept = _kept_files(path, parts)
    safeio.write_files(files, overwrite=True, fix="write the workspace to another folder")
    if kept:
        what = "judgement, scheme or names" if META_FILE in kept else "judgement or scheme"
        warnings.warn(f"{path} keeps {len(kept)} {what} file"
                      f"{'s' if len(kept) != 1 else ''} that the written workspace does not hold "
                      f"({', '.join(kept[:10])}{' …' if len(kept) > 10 else ''}); loading the "
                      f"folder reads them too. write_workspace() never deletes files it did not "
                      f"write: remove them yourself if they are stale.", WorkspaceWarning,
                      stacklevel=3)


def _kept_files(path: Path, parts: dict) -> list[str]:
    """Judgement and scheme files already in the folder that ``parts`` does not write."""
    if not path.is_dir():
        return []
    found = sorted(path.glob("judgements/*/*.csv")) + sorted(path.glob("schemes/*.yaml"))
    found += [path / META_FILE] if (path / META_FILE).is_file() else []
    return [f.relative_to(path).as_posix() for f in found
            if f.relative_to(path).as_posix() not in parts]


def _numeric_columns(name: str, grid: list[list[str]]) -> list[bool]:
    """Which columns of a sheet hold numbers (written as numbers into a workbook)."""
    header = grid[0]
    if name.startswith("J."):
        return [j > 0 for j in range(len(header))]
    if name.startswith("S.") or name == META_SHEET:
        return [False] * len(header)
    return [column_rule(name, c).dtype != "str" if c in COLUMNS[name] else
            all(not r[j] or NUMBER.fullmatch(r[j]) for r in grid[1:])
            for j, c in enumerate(header)]


def _book_value(text: str, numeric: bool):
    if not text:
        return None
    if numeric and NUMBER.fullmatch(text):
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return text


def _write_book(path: Path, sheets: dict, *, overwrite: bool) -> None:
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
    data = io.BytesIO()
    book.save(data)
    safeio.write_bytes(path, data.getvalue(), overwrite=overwrite,
                       fix="close the workbook in Excel or write to another file")


def _readme_rows() -> list[list[str]]:
    rows = [
        ["综合考核数据工作簿 / Comprehensive assessment workbook (zhengji_lab)"],
        [],
        ["1. 每个工作表是一张表：第 1 行是列名（请勿修改），从第 2 行起每行一条记录。 / Each sheet "
         + "is one table: row 1 holds the column names (keep them); one record per row from row "
         + "2."],
        ["2. 鼠标停在列名上可看到说明。 / Hover over a column name to read its note."],
        ["3. 专家判断：每位专家一个工作表，命名为 J.<组>.<专家>（如 J.index.expert_01）。"
         + "AHP 两两比较矩阵：第一列与第 1 行为相同顺序的节点代码，可写 1/3"
         + "（请先把单元格设为文本格式）；或两列 node, points 的分值分配。 / Expert "
         + "judgements: one sheet per expert named J.<group>.<expert> (e.g. "
         + "J.index.expert_01): an AHP pairwise matrix with the same codes in the same order in "
         + "the first column and in row 1 (fractions such as 1/3 allowed; format the cells as "
         + "Text first), or a point budget with the two columns node, points."],
        ["4. 考核方案：工作表 S.<名称>，A 列每行一行 YAML。 / Schemes: a sheet S.<name> with "
         + "one line of YAML per row in column A."],
        ["5. 工作空间名称：工作表 workspace，两列 key, value，键为 " + ", ".join(META_KEYS)
         + "（均可选，报告标题使用 name_zh）。 / The workspace's names: a sheet workspace with the "
         + "columns key, value; keys " + ", ".join(META_KEYS) + " (all optional; report titles "
         + "use name_zh)."],
        ["6. 检查数据：zhengji validate 本文件.xlsx / Check the data: zhengji validate BOOK.xlsx"],
        [],
        ["工作表 sheet", "列 column", "必填 required", "说明", "description"],
    ]
    for table, columns in COLUMNS.items():
        for col in columns:
            zh, en = COLUMN_NOTES.get(f"{table}.{col}", COLUMN_NOTES.get(col, ("", "")))
            required = "是 yes" if column_rule(table, col).required else ""
            rows.append([table, col, required, zh, en])
    rows += [[META_SHEET, key, "", *META_NOTES[key]] for key in META_KEYS]
    return rows
