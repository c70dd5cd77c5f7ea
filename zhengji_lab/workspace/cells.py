"""Cells as an office writes them: full-width and invisible characters, percentages, headers.

Run on a table's text frame (indexed by spreadsheet row) before it is typed
(:mod:`~zhengji_lab.workspace.parse`).  What is unambiguous is read, with a located warning: a
code with a zero-width space or in full-width letters (``ｔｏｗｎ；park``), a number in full-width
digits, ``town, park`` in a ``kinds`` cell, a header in another case (``Unit_ID``), a
percent-formatted cell or ``90.7%`` of an indicator measured in %.  What is not is a located
error: a percent-formatted cell of an indicator in another unit, a title row above the header.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pandas as pd

from zhengji_lab.workspace.problems import Problems, rows_text
from zhengji_lab.workspace.schema import KIND_SEPARATORS, NUMBER, PERCENT_TEXT
from zhengji_lab.workspace.text import clean_code, shown

#: Columns that hold an indicator's value or target, read in the indicator's unit.
MEASURED = {"values": "value", "targets": "target"}


def clean_header(names: list[str], known: list[str], where: str, out: Problems) -> list[str]:
    """Column names without invisible characters; a known column written in another case or
    with spaces (``Unit ID``) is read as the known name, with a warning."""
    by_key = {_key(k): k for k in known}
    result = []
    for name in names:
        cleaned, what = clean_code(name)
        if cleaned not in known and _key(cleaned) in by_key and by_key[_key(cleaned)] not in names:
            fixed = by_key[_key(cleaned)]
            out.warn(where, 1, fixed, shown(name), f"the column name {shown(name)!r} was read as "
                     f"'{fixed}'", f"write the column name exactly as '{fixed}'")
        elif what:
            fixed = cleaned
            out.warn(where, 1, fixed, shown(name), f"the column name {shown(name)!r} holds an "
                     f"invisible or full-width character ({what}); read as '{fixed}'",
                     f"retype the column name as '{fixed}'")
        else:
            fixed = name
        result.append(fixed)
    return result


def _key(name: str) -> str:
    return name.strip().casefold().replace(" ", "_").replace("-", "_")


def title_row(rows: list[list[str]], required: list[str]) -> int | None:
    """The row (1-based) of the header when rows above it hold a title or notes, else None.

    Row 1 is the header when it names any required column; otherwise the first of rows 2–6
    naming at least two of them (or the only one) is.
    """
    if not required:
        return None
    want = {_key(c) for c in required}
    if not rows or want & {_key(clean_code(c)[0]) for c in rows[0]}:
        return None
    for i, row in enumerate(rows[1:6], start=2):
        if len(want & {_key(clean_code(c)[0]) for c in row}) >= min(2, len(want)):
            return i
    return None


def clean_codes(text: pd.Series, col: str, where: str, out: Problems, *,
                kinds: bool = False) -> pd.Series:
    """A code or number column without invisible and full-width characters (one warning per
    column, naming the first cell's row, character position and code point); with ``kinds``,
    ``,`` ``、`` and ``|`` between kinds become ``;``."""
    cells = text.tolist()
    if not all(map(str.isascii, cells)):
        odd = [not c.isascii() for c in cells]
        cleaned = text[odd].map(clean_code)
        changed = cleaned[cleaned.map(lambda c: bool(c[1]))]
        if len(changed):
            first = changed.index[0]
            new, what = changed.iloc[0]
            n = len(changed)
            if n == 1:
                problem = (f"the cell held an invisible or full-width character and was read "
                           f"without it: {what}, read as {new!r}")
            else:
                problem = (f"{n} cells of '{col}' held invisible or full-width characters and "
                           f"were read without them ({rows_text(changed.index)}); row {first}: "
                           f"{what}, read as {new!r}")
            out.warn(where, first, col, shown(text[first]), problem,
                     "retype the cell" + ("s" if n > 1 else "") + " in plain letters and digits"
                     " (an invisible or full-width character makes a code another code)")
            text = text.copy()
            text[changed.index] = [c[0] for c in changed]
    if kinds and any(KIND_SEPARATORS.search(c) for c in text.tolist()):
        separated = text.str.contains(KIND_SEPARATORS.pattern, regex=True)
        if separated.any():
            first = separated.idxmax()
            fixed = text[separated].str.replace(KIND_SEPARATORS.pattern, ";", regex=True)
            out.warn(where, first, col, text[first], f"kinds separated by ',' '、' or '|' were "
                     f"read as separated by ';' ({rows_text(fixed.index)}): {text[first]!r} → "
                     f"{fixed[first]!r}", "separate kinds with ';', e.g. town;park")
            text = text.copy()
            text[fixed.index] = fixed
    return text


def read_percent(name: str, frame: pd.DataFrame, cells, columns: dict, percent_codes: set,
                 where: str, out: Problems) -> None:
    """Read percent-formatted cells of a workbook and ``90.7%`` texts, in place.

    In ``values.value`` and ``targets.target`` of an indicator whose framework unit is % a
    percent-formatted cell is read as Excel shows it (0.907 → 90.7) and ``90.7%`` as 90.7, with
    one warning per column listing the rows.  Any other percent-formatted cell is an error:
    whether 0.907 or 90.7 is meant depends on the indicator's unit.  ``cells`` are
    ``(spreadsheet row, 0-based column)``, ``columns`` the names of the column positions.
    """
    measured = MEASURED.get(name)
    read: list[tuple[int, str, str]] = []  # (row, text, read as)
    for row, j in sorted(cells):
        col = columns.get(j)
        if col is None or row not in frame.index or not frame.at[row, col]:
            continue
        text = frame.at[row, col]
        code = frame.at[row, "indicator"] if "indicator" in frame.columns else ""
        if col == measured and code in percent_codes and NUMBER.fullmatch(text):
            frame.at[row, col] = _hundredfold(text)
            read.append((row, text, frame.at[row, col]))
            continue
        frame.at[row, col] = ""  # reported here, not again as an empty or bad number
        unit = (f"the unit of '{code}' in the framework is not %" if col == measured and code
                else f"'{col}' is not a percentage")
        fix = (f"format the cell as a number (常规/数值) and write the value in the unit of "
               f"'{code}', or set its unit to % in the framework" if col == measured and code
               else "format the cell as a number (常规/数值) and write the value meant")
        out.add(where, row, col, text, f"the cell is formatted as a percentage (Excel shows "
                f"{_hundredfold(text)}%, the cell holds {text}), but {unit}", fix)
    if (measured and measured in frame.columns and "indicator" in frame.columns
            and any("%" in c or "％" in c for c in frame[measured].tolist())):
        text = frame[measured]
        measured_in_percent = frame["indicator"].map(lambda c: clean_code(c)[0]).isin(
            percent_codes)
        for row in text.index[measured_in_percent & text.str.contains("%|％", regex=True)]:
            match = PERCENT_TEXT.fullmatch(clean_code(text[row])[0])
            if match:
                read.append((row, text[row], match[1]))
                frame.at[row, measured] = match[1]
    if read:
        read.sort()
        row, text, value = read[0]
        n = len(read)
        example = f"{text}{'' if text.endswith(('%', '％')) else ' formatted as %'} as {value}"
        out.warn(where, row, measured, text,
                 f"a percentage of an indicator measured in % was read as shown: {example}"
                 if n == 1 else f"{n} percentages of indicators measured in % were read as "
                 f"shown ({rows_text(r for r, _, _ in read)}); row {row}: {example}",
                 "nothing, if the numbers are right; to silence this, write plain numbers in the "
                 "indicator's unit (90.7 for 90.7 %)")


def _hundredfold(text: str) -> str:
    """``'0.907'`` → ``'90.7'``: the number ×100 to Excel's 15 significant digits.

    >>> _hundredfold("0.907"), _hundredfold("0.7979999999999999"), _hundredfold("1")
    ('90.7', '79.8', '100')
    """
    try:
        number = Decimal(text) * 100
    except InvalidOperation:
        return text
    return f"{float(number):.15g}"
