"""The assessment workspace: the indicator tree, units, values, targets, deductions, judgements.

A workspace is one folder of CSV files (or one ``.xlsx`` workbook with one sheet per table),
laid out as in ``DESIGN.md``.  :func:`load_workspace` reads and validates it; every problem is
collected and reported at once in a :class:`WorkspaceError` that names file or sheet, row and
column, and says how to fix it.  Suspicious but possible inputs (a peer group of one unit, a year
far from the others, a code read without an invisible character) are located warnings: one
:class:`~zhengji_lab.errors.WorkspaceWarning` at load, the table in ``Workspace.warnings``, and
a record each in the log of every assessment built on the workspace.

Every table travels through one path: cells as text → typed frames (driven by :data:`COLUMNS`
and the schema's ``SPEC``) → cross-table checks.  Loading, validating an in-memory workspace,
comparing two workspaces and hashing them all use it, so they agree.

Folder layout and workbook sheets::

    framework.csv  units.csv  values.csv                      sheets: framework, units, values
    targets.csv  deductions.csv  deduction_items.csv          (optional)
    judgements/<group>/<expert>.csv                           sheets: J.<group>.<expert>
    schemes/<name>.yaml                                       sheets: S.<name>, one YAML line a row

Modules, each importing only those listed before it:

* :mod:`~zhengji_lab.workspace.schema` — the tables' columns, how each is typed, keys, notes;
* :mod:`~zhengji_lab.workspace.problems` — the problems collector, file and sheet names;
* :mod:`~zhengji_lab.workspace.text` — a workspace as text cells, and cell formatting;
* :mod:`~zhengji_lab.workspace.cells` — cells as offices write them: full-width and invisible
  characters, percentages, headers in another case, a title above the header;
* :mod:`~zhengji_lab.workspace.checks` — checks across tables, of AHP matrices and schemes;
* :mod:`~zhengji_lab.workspace.suspicious` — suspicious but possible inputs (warnings);
* :mod:`~zhengji_lab.workspace.parse` — text into typed tables and judgements;
* :mod:`~zhengji_lab.workspace.model` — the :class:`Workspace` dataclass, :func:`canonical`;
* :mod:`~zhengji_lab.workspace.book` — a workbook as text: merged cells, formulas without a
  saved result, percent formats;
* :mod:`~zhengji_lab.workspace.read` — :func:`load_workspace`, :func:`validate_workspace`;
* :mod:`~zhengji_lab.workspace.write` — :func:`write_workspace`, :func:`write_template`.
"""
from zhengji_lab.errors import WorkspaceError
from zhengji_lab.workspace.model import Workspace, canonical, with_defaults
from zhengji_lab.workspace.read import load_workspace, validate_workspace
from zhengji_lab.workspace.schema import COLUMN_NOTES, COLUMNS, README_SHEET, REQUIRED_TABLES
from zhengji_lab.workspace.write import write_template, write_workspace

__all__ = [
    "COLUMNS",
    "COLUMN_NOTES",
    "README_SHEET",
    "REQUIRED_TABLES",
    "Workspace",
    "WorkspaceError",
    "canonical",
    "load_workspace",
    "validate_workspace",
    "with_defaults",
    "write_template",
    "write_workspace",
]
