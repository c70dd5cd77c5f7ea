"""Problems and where they are: the collector of the problems table, and file or sheet names.

Reading, parsing and checking a workspace add every problem they find to one
:class:`Problems`; its :meth:`~Problems.frame` is the table a
:class:`~zhengji_lab.errors.WorkspaceError` carries.  Suspicious but possible inputs (a peer
group of one unit, a year far from the others, a cell read without its invisible characters)
go to the same collector as warnings (:meth:`Problems.warn`); their table,
:meth:`~Problems.warning_frame`, has the same columns and becomes ``Workspace.warnings``.  :class:`Where` names each table, judgement
and scheme as the user sees it: a file of the folder, or a sheet of the workbook.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zhengji_lab.errors import PROBLEM_COLUMNS


class Problems:
    """Collects problems as rows of the problems table (columns ``PROBLEM_COLUMNS``)."""

    def __init__(self):
        self.rows: list[dict] = []
        self.warnings: list[dict] = []

    def add(self, file: str, row, column: str, value, problem: str, fix: str) -> None:
        """Record one problem: where (file or sheet, spreadsheet row, column), what, the fix."""
        self.rows.append({"file": file, "row": row, "column": column, "value": str(value),
                          "problem": problem, "fix": fix})

    def warn(self, file: str, row, column: str, value, problem: str, fix: str) -> None:
        """Record one warning (a suspicious but possible input), located as :meth:`add`."""
        self.warnings.append({"file": file, "row": row, "column": column, "value": str(value),
                              "problem": problem, "fix": fix})

    def frame(self) -> pd.DataFrame:
        """The problems so far, in the order they were added (``row`` as ``Int64``)."""
        return as_table(self.rows)

    def warning_frame(self) -> pd.DataFrame:
        """The warnings so far, sorted by file and row (``row`` as ``Int64``)."""
        return sort_table(as_table(self.warnings))


def as_table(rows: list[dict]) -> pd.DataFrame:
    """Rows of problems or warnings as a table with :data:`PROBLEM_COLUMNS`."""
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS).astype({"row": "Int64"})


def sort_table(table: pd.DataFrame) -> pd.DataFrame:
    """A problems or warnings table sorted by file and row (whole-file rows first)."""
    return table.sort_values(["file", "row"], kind="stable", na_position="first",
                             ignore_index=True)


def rows_text(rows) -> str:
    """Spreadsheet rows in short: ``rows 3–5, 9`` (``row 3`` for one), at most 8 runs.

    >>> rows_text([3, 4, 5, 9]), rows_text([7])
    ('rows 3–5, 9', 'row 7')
    """
    rows = sorted({int(r) for r in rows})
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:8]]
    more = " …" if len(runs) > 8 else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {', '.join(parts)}{more}"


@dataclass(frozen=True)
class Where:
    """Names tables, judgements and schemes as the user sees them (file or sheet)."""

    book: str = ""  # workbook file name; "" for a folder

    def table(self, name: str) -> str:
        """``values.csv``, or ``book.xlsx, sheet 'values'``."""
        return f"{self.book}, sheet '{name}'" if self.book else f"{name}.csv"

    def judgement(self, group: str, expert: str) -> str:
        """``judgements/<group>/<expert>.csv``, or the sheet ``J.<group>.<expert>``."""
        if self.book:
            return self.table(sheet_name("J", group, expert))
        return f"judgements/{group}/{expert}.csv"

    def scheme(self, name: str) -> str:
        """``schemes/<name>.yaml``, or the sheet ``S.<name>``."""
        return self.table(sheet_name("S", name)) if self.book else f"schemes/{name}.yaml"


def sheet_name(prefix: str, *parts: str) -> str:
    """The workbook sheet of a judgement or scheme: ``J.<group>.<expert>``, ``S.<name>``."""
    return ".".join((prefix, *parts))


def is_book(path: Path) -> bool:
    """Whether ``path`` names a workbook (``.xlsx``) rather than a folder."""
    return path.suffix.lower() == ".xlsx"


def where_of(source: str) -> Where:
    """How to name the parts of a workspace read from ``source`` ("" when made in memory)."""
    return Where(Path(source).name) if source and is_book(Path(source)) else Where()
