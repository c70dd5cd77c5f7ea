"""A workspace as text: grids of cells per table and judgement, scheme text, and cell formatting.

The reader turns folders and workbooks into a :class:`RawWorkspace`; the parser types it; the
writer writes one.  :func:`workspace_text` turns an in-memory workspace back into the same text,
so that validating, comparing, hashing and writing all go through the one parser.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zhengji_lab.workspace.schema import COLUMNS, column_rule


@dataclass
class RawWorkspace:
    """A workspace as text: grids (lists of rows of cells) per table / judgement, scheme text.

    A table or judgement whose file could not be read is present with grid ``None``.
    """

    tables: dict[str, list[list[str]] | None] = field(default_factory=dict)
    judgements: dict[tuple[str, str], list[list[str]] | None] = field(default_factory=dict)
    schemes: dict[str, str] = field(default_factory=dict)


def workspace_text(ws, *, fill: bool) -> RawWorkspace:
    """A :class:`~zhengji_lab.workspace.Workspace` as text, as the reader would give it.

    ``fill`` writes absent columns of ``COLUMNS`` with defaults.
    """
    raw = RawWorkspace(schemes=dict(ws.schemes))
    for name, known in COLUMNS.items():
        df = getattr(ws, name)
        columns = [c for c in known if fill or c in df.columns]
        columns += [c for c in df.columns if c not in known]
        cells = [column_texts(df[c]) if c in df.columns else [column_rule(name, c).default]
                 * len(df) for c in columns]
        raw.tables[name] = [columns, *map(list, zip(*cells))]
    for group, experts in ws.judgements.items():
        for expert, judgement in experts.items():
            raw.judgements[group, expert] = _judgement_grid(judgement)
    return raw


def column_texts(values: pd.Series) -> list[str]:
    """A column as cell texts; vectorised for the dtypes a loaded workspace has."""
    if values.dtype == np.float64:
        x = values.to_numpy()
        whole = np.isfinite(x) & (np.round(x) == x) & (np.abs(x) < 2**53)
        text = np.array([repr(v) for v in x.tolist()], dtype=object)
        text[whole] = [str(v) for v in x[whole].astype(np.int64).tolist()]
        text[np.isnan(x)] = ""
        return text.tolist()
    if values.dtype == np.int64:
        return values.astype(str).tolist()
    return [cell_text(v) for v in values.tolist()]


def cell_text(value) -> str:
    """A cell as the text a CSV holds: '' for missing, whole floats without '.0'."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return str(value)


def ratio_text(value: float) -> str:
    """Judgement as text: '1/3' for exact reciprocals of whole numbers, else the number."""
    k = round(1 / value) if 0.01 <= value < 1 else 0
    if k and 1 / k == value:
        return f"1/{k}"
    return cell_text(float(value))


def _judgement_grid(judgement: pd.DataFrame) -> list[list[str]]:
    """An AHP matrix (``1/3`` for reciprocals) or a point budget (``node, points``) as a grid."""
    if list(judgement.columns) == ["points"]:
        return [["node", "points"]] + [[str(k), cell_text(float(v))]
                                        for k, v in judgement["points"].items()]
    rows = [[""] + [str(c) for c in judgement.columns]]
    for code, values in zip(judgement.index, judgement.to_numpy(float)):
        rows.append([str(code)] + [cell_text(v) if np.isnan(v) else ratio_text(v) for v in values])
    return rows


def scheme_text(text: str) -> str:
    """Scheme YAML with '\\n' line ends and exactly one final newline ('' if blank)."""
    text = text.replace("\r\n", "\n").rstrip()
    return f"{text}\n" if text else ""
