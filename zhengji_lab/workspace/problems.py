"""Problems and where they are: the collector of the problems table, and file or sheet names.

Reading, parsing and checking a workspace add every problem they find to one
:class:`Problems`; its :meth:`~Problems.frame` is the table a
:class:`~zhengji_lab.errors.WorkspaceError` carries.  :class:`Where` names each table, judgement
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

    def add(self, file: str, row, column: str, value, problem: str, fix: str) -> None:
        """Record one problem: where (file or sheet, spreadsheet row, column), what, the fix."""
        self.rows.append({"file": file, "row": row, "column": column, "value": str(value),
                          "problem": problem, "fix": fix})

    def frame(self) -> pd.DataFrame:
        """The problems so far, in the order they were added (``row`` as ``Int64``)."""
        out = pd.DataFrame(self.rows, columns=PROBLEM_COLUMNS)
        return out.astype({"row": "Int64"})


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
