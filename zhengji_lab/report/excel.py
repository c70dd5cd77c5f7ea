"""Result files: any ``{sheet: DataFrame}`` as one Excel workbook, and an assessment's results as
CSV files plus that workbook.

:func:`write_workbook` serves every workbook of the package (the results written by
``zhengji build`` here, the scheme comparison of :mod:`zhengji_lab.review`): the header row is
frozen and columns are sized to their contents, a CJK character counting two columns.
:func:`write_results` writes the tables of :func:`~zhengji_lab.report.tables.result_tables`.

Both write through :mod:`zhengji_lab.safeio`: temporaries renamed into place, all the result
files or none, nothing replaced without ``overwrite``, never into a workspace folder.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     _ = write_workbook({"weights": pd.DataFrame({"节点 node": ["经济发展"]})}, Path(tmp) / "w.xlsx")
...     sorted(p.name for p in Path(tmp).iterdir())
['w.xlsx']
"""
from __future__ import annotations

import io
import logging
from pathlib import Path

import pandas as pd

from zhengji_lab import safeio
from zhengji_lab.report.tables import RESULT_TABLES, result_tables

logger = logging.getLogger(__name__)

#: Name of the workbook written by :func:`write_results`.
WORKBOOK = "results.xlsx"
#: Its first sheet: what the workbook is (workspace name, year, scheme), before the tables.
ABOUT_SHEET = "说明 README"


def write_workbook(tables: dict, path, *, overwrite: bool = False) -> Path:
    """Write ``{sheet: DataFrame}`` to one .xlsx, header row frozen, columns sized to fit.

    Column widths count a CJK character as two, so Chinese headers and names are not cut.

    Parameters
    ----------
    tables : dict
        ``{sheet name: DataFrame}``.
    path : str or Path
        The workbook; its folder is created when missing.
    overwrite : bool
        Replace an existing file; otherwise :class:`~zhengji_lab.safeio.OutputExistsError`
        (a ``FileExistsError``).

    Returns
    -------
    Path
    """
    return safeio.write_bytes(path, workbook_bytes(tables), overwrite=overwrite,
                              fix="choose another file")


def workbook_bytes(tables: dict) -> bytes:
    """The bytes of the workbook :func:`write_workbook` writes."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as xw:
        for name, df in tables.items():
            df.to_excel(xw, sheet_name=name, index=False)
            sheet = xw.sheets[name]
            sheet.freeze_panes = "A2"
            for i, col in enumerate(df.columns, start=1):
                longest = max([_width(col)] + [_width(v) for v in df[col].head(200)])
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = \
                    min(60, longest + 2)
    return buffer.getvalue()


def _width(value) -> int:
    # display width: CJK characters take two columns
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def result_paths(out_dir: str | Path) -> dict[str, Path]:
    """``{table name: path}`` of the files :func:`write_results` writes, and ``"workbook"``."""
    out = Path(out_dir)
    paths = {name: out / f"{name}.csv" for name in RESULT_TABLES}
    paths["workbook"] = out / WORKBOOK
    return paths


def check_results_dir(out_dir: str | Path, *, overwrite: bool = False, workspace=None) -> None:
    """Refuse an output folder before any work: a workspace folder, a file, or a folder that
    already holds results (unless ``overwrite``).

    Parameters
    ----------
    out_dir : str or Path
    overwrite : bool
    workspace : str or Path, optional
        The workspace being assessed (its ``source``), refused as an output folder too.

    Raises
    ------
    zhengji_lab.safeio.WorkspaceOutputError
        A ``ValueError``: ``out_dir`` is (or is inside the judgements or schemes of) a workspace.
    zhengji_lab.safeio.OutputExistsError
        A ``FileExistsError``: ``out_dir`` is a file, or holds results and ``overwrite`` is false.
    """
    out = Path(out_dir)
    safeio.refuse_workspace_folder(out, what="result files", workspace=workspace,
                                   fix="choose another output folder (--out)")
    if out.exists() and not out.is_dir():
        raise safeio.OutputExistsError(f"{out} is a file, not a folder; choose another output "
                                       f"folder (--out).", out)
    existing = [p.name for p in result_paths(out).values() if p.exists()]
    if existing and not overwrite:
        raise safeio.OutputExistsError(
            f"{out} already holds results ({', '.join(existing)}); pass overwrite=True (zhengji "
            f"build --overwrite) or choose another output folder (--out).", out)


def write_results(a, ws, out_dir: str | Path, *, overwrite: bool = False) -> dict[str, Path]:
    """Write the tidy results as CSV files and one workbook (:data:`WORKBOOK`, a sheet each).

    The workbook's first sheet (:data:`ABOUT_SHEET`, :func:`about_table`) names the workspace
    (``Workspace.title()``), the year and the scheme.

    CSV files are UTF-8 with a byte-order mark, so that Excel shows the Chinese names. The
    files are written all or nothing (:func:`zhengji_lab.safeio.write_files`); other files in
    ``out_dir`` are left alone.

    Parameters
    ----------
    a : Assessment
    ws : Workspace
    out_dir : str or Path
        Created when missing; never a workspace folder (:func:`check_results_dir`).
    overwrite : bool
        Replace result files already there; otherwise a ``FileExistsError`` names them.

    Returns
    -------
    dict
        ``{table name: path}`` for the CSV files and ``"workbook"``.

    Raises
    ------
    zhengji_lab.safeio.WorkspaceOutputError, zhengji_lab.safeio.OutputExistsError
        See :func:`check_results_dir`; nothing is written.
    zhengji_lab.safeio.WriteError
        A file could not be written (read-only folder, file open in Excel); no file changed.
    """
    out = Path(out_dir)
    check_results_dir(out, overwrite=overwrite, workspace=getattr(ws, "source", None))
    paths = result_paths(out)
    tables = result_tables(a, ws)
    files = {paths[name]: df.to_csv(index=False).encode("utf-8-sig")
             for name, df in tables.items()}
    files[paths["workbook"]] = workbook_bytes({ABOUT_SHEET: about_table(a, ws), **tables})
    safeio.write_files(files, overwrite=overwrite, fix="choose another output folder (--out)")
    logger.info("Wrote %d result tables and %s to %s", len(tables), WORKBOOK, out)
    return paths


def about_table(a, ws) -> pd.DataFrame:
    """What a results workbook holds: the workspace's names, year, scheme and fingerprints.

    Parameters
    ----------
    a : Assessment
    ws : Workspace

    Returns
    -------
    DataFrame
        ``项目 Item, 数值 Value``; the title row first (``青川市 2025 年度综合考核结果``), then the
        names of ``ws.meta`` that are given.
    """
    name = ws.title("zh")
    rows = [("标题 Title", f"{name} {a.year} 年度综合考核结果 · Assessment results".strip()),
            ("考核对象 Workspace", name), ("英文名称 English name", ws.title("en"))]
    labels = {"region": "地区 Region", "office": "考核机构 Office"}
    rows += [(label, ws.meta[key]) for key, label in labels.items() if ws.meta.get(key)]
    rows += [("考核年度 Year", str(a.year)), ("考核方案 Scheme", str(a.scheme.spec.get("name", ""))),
             ("方案指纹 Scheme fingerprint", str(a.provenance.get("fingerprint", ""))),
             ("数据指纹 Data hash", str(a.provenance.get("data_hash", "")))]
    return pd.DataFrame(rows, columns=["项目 Item", "数值 Value"])
