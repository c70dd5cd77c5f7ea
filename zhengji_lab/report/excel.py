"""Result files: any ``{sheet: DataFrame}`` as one Excel workbook, and an assessment's results as
CSV files plus that workbook.

:func:`write_workbook` serves every workbook of the package (the results written by
``zhengji build`` here, the scheme comparison of :mod:`zhengji_lab.review`): the header row is
frozen and columns are sized to their contents, a CJK character counting two columns.
:func:`write_results` writes the tables of :func:`~zhengji_lab.report.tables.result_tables`.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     write_workbook({"weights": pd.DataFrame({"节点 node": ["经济发展"]})}, Path(tmp) / "w.xlsx")
...     sorted(p.name for p in Path(tmp).iterdir())
['w.xlsx']
"""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from zhengji_lab.report.tables import RESULT_TABLES, result_tables

logger = logging.getLogger(__name__)

#: Name of the workbook written by :func:`write_results`.
WORKBOOK = "results.xlsx"


def write_workbook(tables: dict, path) -> None:
    """Write ``{sheet: DataFrame}`` to one .xlsx, header row frozen, columns sized to fit.

    Column widths count a CJK character as two, so Chinese headers and names are not cut.
    """
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in tables.items():
            df.to_excel(xw, sheet_name=name, index=False)
            sheet = xw.sheets[name]
            sheet.freeze_panes = "A2"
            for i, col in enumerate(df.columns, start=1):
                longest = max([_width(col)] + [_width(v) for v in df[col].head(200)])
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = \
                    min(60, longest + 2)


def _width(value) -> int:
    # display width: CJK characters take two columns
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def write_results(a, ws, out_dir: str | Path, *, overwrite: bool = False) -> dict[str, Path]:
    """Write the tidy results as CSV files and one workbook (:data:`WORKBOOK`, a sheet each).

    CSV files are UTF-8 with a byte-order mark, so that Excel shows the Chinese names.

    Parameters
    ----------
    a : Assessment
    ws : Workspace
    out_dir : str or Path
        Created when missing.
    overwrite : bool
        Replace result files already there; otherwise a ``FileExistsError`` names them.

    Returns
    -------
    dict
        ``{table name: path}`` for the CSV files and ``"workbook"``.
    """
    out = Path(out_dir)
    paths = {name: out / f"{name}.csv" for name in RESULT_TABLES}
    paths["workbook"] = out / WORKBOOK
    existing = [p.name for p in paths.values() if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{out} already holds results ({', '.join(existing)}); pass "
                              f"overwrite=True (zhengji build --overwrite) or choose another "
                              f"output folder (--out).")
    out.mkdir(parents=True, exist_ok=True)
    tables = result_tables(a, ws)
    for name, df in tables.items():
        df.to_csv(paths[name], index=False, encoding="utf-8-sig")
    write_workbook(tables, paths["workbook"])
    logger.info("Wrote %d result tables and %s to %s", len(tables), WORKBOOK, out)
    return paths
