"""A workspace as text: grids of cells per table and judgement, scheme text, and cell formatting.

The reader turns folders and workbooks into a :class:`RawWorkspace`; the parser types it; the
writer writes one.  :func:`workspace_text` turns an in-memory workspace back into the same text,
so that validating, comparing, hashing and writing all go through the one parser.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zhengji_lab.workspace.schema import COLUMNS, column_rule


@dataclass
class RawWorkspace:
    """A workspace as text: grids (lists of rows of cells) per table / judgement, scheme text.

    A table or judgement whose file could not be read is present with grid ``None``.
    ``percent`` holds, per table, the cells of a workbook formatted as percentages
    (``(spreadsheet row, 0-based column)``): their text is the number stored (0.907 where Excel
    shows 90.7 %), which the parser reads as shown or refuses.  ``meta`` holds the names of
    ``workspace.yaml`` (or the sheet ``workspace``), already checked.
    """

    tables: dict[str, list[list[str]] | None] = field(default_factory=dict)
    judgements: dict[tuple[str, str], list[list[str]] | None] = field(default_factory=dict)
    schemes: dict[str, str] = field(default_factory=dict)
    percent: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)  # the names (workspace.yaml), checked


#: Characters removed from codes and numbers: zero-width space, non-joiner, joiner, word
#: joiner, byte-order mark, soft hyphen, Mongolian vowel separator, direction marks.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f"
                      "\u202a\u202b\u202c\u202d\u202e")
_DROP = dict.fromkeys(map(ord, INVISIBLE))
_DROP[ord("\u2212")] = "-"  # minus sign → hyphen-minus


def clean_code(text: str) -> tuple[str, str]:
    r"""A code or number cell without invisible characters, in Unicode width (NFKC).

    Returns the cleaned text and what was changed ('' if nothing): the first odd character's
    position (1-based) and code point.  Full-width letters, digits and ``；`` become ASCII
    (NFKC), a no-break space a space, a minus sign ``−`` a hyphen-minus.

    >>> clean_code("town\u200b_a")
    ('town_a', 'character 5 is U+200B (ZERO WIDTH SPACE)')
    >>> clean_code("ｔｏｗｎ；park")[0], clean_code("ok")
    ('town;park', ('ok', ''))
    """
    if text.isascii():
        return text, ""
    cleaned = unicodedata.normalize("NFKC", text.translate(_DROP)).strip()
    if cleaned == text:
        return text, ""
    i, ch = next((i, ch) for i, ch in enumerate(text)
                 if ch in INVISIBLE or ch == "\u2212" or unicodedata.normalize("NFKC", ch) != ch)
    return cleaned, f"character {i + 1} is U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')})"


def shown(text: str) -> str:
    r"""A cell's text with invisible and unusual space characters escaped, for messages.

    >>> print(shown("a\u200bb\u00a0c"))
    a\u200bb\u00a0c
    """
    return "".join(f"\\u{ord(c):04x}" if c in INVISIBLE or (
        c != " " and unicodedata.category(c) in ("Cf", "Zs", "Cc")) else c for c in text)


def workspace_text(ws, *, fill: bool) -> RawWorkspace:
    """A :class:`~zhengji_lab.workspace.Workspace` as text, as the reader would give it.

    ``fill`` writes absent columns of ``COLUMNS`` with defaults.
    """
    raw = RawWorkspace(schemes=dict(ws.schemes), meta=dict(getattr(ws, "meta", None) or {}))
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
