"""Yearly reports: display tables and figures from an :class:`~zhengji_lab.build.Assessment`,
tidy result files (CSV and one .xlsx workbook), and the papermill rendering of
``notebooks/yearly_report.ipynb`` into a printable HTML page.

The notebook stays thin: every table and figure it shows comes from a function here, so the same
tables serve the notebook, the workbook written by ``zhengji build`` and the console.

Rendering facts this module is built on (DESIGN.md, "Reports"): papermill's ``--report-mode``
does not hide code in nbconvert's HTML, so the HTML is exported with
``HTMLExporter(exclude_input=True)``; a failed or timed-out run can leave a saved notebook that
looks complete, so success is judged by the exception; parameters stay JSON-simple (str, int).

Examples
--------
>>> next_run_dir(Path("reports"), 2025, taken=lambda p: p.name in {"2025", "2025-run2"}).name
'2025-run3'
"""
from __future__ import annotations

import logging
import re
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from zhengji_lab.errors import InconsistentJudgementWarning, ReportError

logger = logging.getLogger(__name__)

#: The notebook rendered by :func:`render_report` (under the repository's ``notebooks/``).
REPORT_NOTEBOOK = "yearly_report.ipynb"
#: File stem of the rendered report: ``city_report.html``, ``city_report.ipynb``.
REPORT_STEM = "city_report"
#: Tag of the notebook cell whose Markdown output is the report's title.
TITLE_TAG = "report-title"
#: Files written by :func:`write_results` (CSV stems); the workbook has one sheet each.
RESULT_TABLES = ("ranking", "scores", "weights", "deductions", "triggers", "log", "provenance")
#: Name of the workbook written by :func:`write_results`.
WORKBOOK = "results.xlsx"

#: Display names of common peer groups and unit kinds; others are shown as they are.
GROUP_LABELS: dict[str, str] = {
    "towns_parks": "园镇 towns and parks", "town": "镇/街道 towns", "park": "园区 parks",
    "agency": "机关 agencies", "enterprise": "企业 enterprises",
    "institution": "事业单位 institutions", "cadre": "干部 cadres",
}

# column code -> (Chinese, English) label of the tables below
_COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "peer_group": ("同类比较组", "Peer group"), "rank": ("排名", "Rank"),
    "unit_id": ("单位代码", "Unit code"), "name": ("单位", "Unit"), "kind": ("类型", "Kind"),
    "deduction": ("减分", "Deduction"), "grade": ("等次", "Grade"),
    "items": ("减分事项", "Items"), "points": ("扣分", "Points"),
    "applied": ("实扣", "Applied"), "capped": ("封顶", "Capped"),
    "trigger": ("约谈类型", "Trigger"), "evidence": ("依据", "Evidence"),
    "note": ("说明", "Note"), "year": ("年度", "Year"),
}

#: Print and screen CSS injected into the exported HTML (A4 pages, figures and tables that fit
#: the page, a CJK font stack so the browser draws Chinese in tables and SVG figures).
PRINT_CSS = """
<style id="zhengji-report-css">
  body, .jp-Notebook, .jp-RenderedHTMLCommon, .jp-RenderedMarkdown, svg text {
    font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
                 "Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif;
  }
  body { max-width: 1100px; margin: 0 auto; }
  .jp-Notebook { padding: 8px 16px; }
  img, svg, .jp-OutputArea-output img, .jp-RenderedSVG svg, table { max-width: 100%; }
  .jp-RenderedSVG svg, .jp-RenderedSVG img, .jp-RenderedImage img { height: auto; }
  .jp-RenderedHTMLCommon table { font-size: 0.85em; border-collapse: collapse; }
  .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { padding: 2px 6px; }
  .jp-RenderedHTMLCommon th { white-space: nowrap; }
  @page { size: A4; margin: 15mm; }
  @media print {
    body { max-width: none; margin: 0; }
    .jp-Notebook { padding: 0; }
    .jp-RenderedHTMLCommon table { font-size: 8pt; }
    .jp-RenderedSVG, .jp-RenderedImage, figure, svg, img { page-break-inside: avoid;
      break-inside: avoid; }
    tr { page-break-inside: avoid; break-inside: avoid; }
    h1, h2, h3, .jp-MarkdownCell { page-break-after: avoid; break-after: avoid; }
  }
</style>
"""


# -- labels --------------------------------------------------------------------------------------
def _check_lang(lang: str, func: str) -> None:
    if lang not in ("zh", "en", "both"):
        raise ValueError(f"The 'lang' parameter of {func}() must be one of {{'zh', 'en', "
                         f"'both'}}. Got {lang!r} instead.")


def _pick(zh: str, en: str, lang: str) -> str:
    return {"zh": zh, "en": en, "both": f"{zh} {en}"}[lang]


def group_label(group: str) -> str:
    """Display name of a peer group (``GROUP_LABELS``, else the code itself)."""
    return GROUP_LABELS.get(str(group), str(group))


def _dimensions(a) -> list[str]:
    """The children of the root, in the order of the weights table (framework order)."""
    w = a.weights[a.weights["parent"] == a.root]
    return list(dict.fromkeys(w["node"]))


def _unit_names(a, lang: str) -> pd.Series:
    col = "name_en" if lang == "en" else "name_zh"
    return a.units.set_index("unit_id")[col]


# -- tables --------------------------------------------------------------------------------------
def ranking(a, ws, *, lang: str = "zh", labels: bool = False) -> pd.DataFrame:
    """The ranking of every unit within its peer group, with dimension scores and grade.

    Parameters
    ----------
    a : Assessment
    ws : Workspace
        For the names of the dimensions.
    lang : {"zh", "en", "both"}
        Language of unit names (and of the column labels when ``labels``).
    labels : bool
        Column labels (``排名``, ``经济发展`` …; with ``lang="both"`` ``排名 rank``) instead of
        codes (``rank``, ``economy`` …).

    Returns
    -------
    DataFrame
        ``peer_group, rank, unit_id, name, <root>, <dimensions…>, deduction, grade``, sorted by
        peer group and rank; ``deduction`` is the points taken off the composite (0 when none).
    """
    _check_lang(lang, "ranking")
    t = a.table(lang="en" if lang == "en" else "zh")
    name_col = "name_en" if lang == "en" else "name_zh"
    dims = _dimensions(a)
    out = t[["peer_group", "rank", "unit_id", name_col, a.root, *dims, "deduction", "grade"]]
    out = out.rename(columns={name_col: "name"}).assign(
        deduction=t["deduction"].fillna(0.0), rank=t["rank"].astype("Int64"))
    # peer groups in the order the units table first names them (towns before agencies …)
    first = {g: i for i, g in enumerate(dict.fromkeys(a.units["peer_group"]))}
    out = out.sort_values(["peer_group", "rank"], key=lambda s: s.map(first)
                          if s.name == "peer_group" else s, kind="stable")
    if labels:
        out = out.rename(columns=column_labels(a, ws, lang=lang))
    return out.reset_index(drop=True)


def column_labels(a, ws, *, lang: str = "zh") -> dict[str, str]:
    """Display labels of the columns of :func:`ranking` and the other tables here."""
    _check_lang(lang, "column_labels")
    names, en_names = ws.labels("zh"), ws.labels("en")
    out = {code: _pick(zh, en, lang) for code, (zh, en) in _COLUMN_LABELS.items()}
    out[a.root] = _pick("综合得分", "Index", lang) if lang != "both" else f"综合得分 {a.root}"
    for d in _dimensions(a):
        out[d] = {"zh": names.get(d, d), "en": en_names.get(d, d),
                  "both": f"{names.get(d, d)} {d}"}[lang]
    if lang == "both":     # codes alongside the Chinese labels (the workbook's ranking sheet)
        out.update({c: f"{_COLUMN_LABELS[c][0]} {c}" for c in _COLUMN_LABELS})
    return out


def ranking_tables(a, ws, *, lang: str = "zh") -> dict[str, pd.DataFrame]:
    """One labelled ranking table per peer group: ``{group display name: table}``.

    Columns: rank, unit name, composite, dimension scores, deduction, grade (等次).
    """
    t = ranking(a, ws, lang=lang)
    labels = column_labels(a, ws, lang=lang)
    return {group_label(g): sub.drop(columns=["peer_group", "unit_id"]).rename(columns=labels)
            .reset_index(drop=True)
            for g, sub in t.groupby("peer_group", sort=False)}


def dimension_scores(a, ws, *, lang: str = "zh") -> pd.DataFrame:
    """Units × dimensions scores (rows: unit names ordered by peer group and rank)."""
    t = ranking(a, ws, lang=lang)
    dims = _dimensions(a)
    names = ws.labels("en" if lang == "en" else "zh")
    return (t.set_index("name")[dims].rename(columns=lambda d: names.get(d, d))
            .rename_axis(index=None, columns=None))


def dimension_heatmap(a, ws, *, ax=None, lang: str = "zh"):
    """Heatmap of the dimension scores: units (by peer group and rank) × dimensions.

    Peer groups are separated by dark lines and named on the right. Call
    :func:`setup_notebook` (or :func:`zhengji_lab.plots.setup_chinese`) first so that Chinese
    labels render.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    t = ranking(a, ws, lang=lang)
    d = dimension_scores(a, ws, lang=lang)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.4 + 1.1 * d.shape[1], 1.0 + 0.22 * len(d)))
    sns.heatmap(d, ax=ax, cmap="YlGnBu", annot=True, fmt=".0f", annot_kws={"fontsize": 7},
                cbar_kws={"label": _pick("维度得分", "Dimension score", lang), "shrink": 0.6,
                          "location": "top", "pad": 0.01, "aspect": 30},
                linewidths=0.3, linecolor="white")
    bounds = t.groupby("peer_group", sort=False).size().cumsum()
    for end in bounds.iloc[:-1]:
        ax.axhline(end, color="0.2", linewidth=1.5)
    starts = bounds.shift(fill_value=0)
    for g, (s, e) in zip(bounds.index, zip(starts, bounds)):
        ax.annotate(group_label(g).split(" ")[0], xy=(1.0, 1 - (s + e) / 2 / len(d)),
                    xycoords="axes fraction", xytext=(4, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=8, rotation=-90, color="0.3")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", labelsize=7)
    ax.tick_params(axis="x", labelsize=8, labelrotation=0)
    return ax


def headline(a) -> pd.DataFrame:
    """Headline numbers of the year: units, peer groups, composite, deductions, triggers, grades.

    Returns
    -------
    DataFrame
        ``项目 Item, 数值 Value`` (values as display text).
    """
    idx = a.index
    grades = a.scores.loc[a.scores["node"] == a.root, "grade"].value_counts()
    order = [g["name"] for g in a.scheme.spec["grades"]]
    grade_text = "，".join(f"{g} {int(grades.get(g, 0))}" for g in order)
    applied = a.deductions["applied"] if len(a.deductions) else pd.Series(dtype=float)
    rows = [
        ("考核年度 Year", str(a.year)),
        ("考核方案 Scheme", f"{a.scheme.spec['name']} ({a.provenance['fingerprint']})"),
        ("被考核单位 Units assessed", str(len(a.units))),
        ("同类比较组 Peer groups", "，".join(f"{group_label(g).split(' ')[0]} {n}" for g, n in
                                          a.units["peer_group"].value_counts(sort=False).items())),
        ("综合得分 Composite (mean, min–max)",
         f"{idx.mean():.1f} ({idx.min():.1f}–{idx.max():.1f})"),
        ("等次 Grades", grade_text),
        ("减分单位 Units with deductions",
         f"{int((applied > 0).sum())}，共扣 {applied.sum():.1f} 分 points"),
        ("约谈提醒 Talk triggers",
         f"{a.triggers['unit_id'].nunique()} 个单位 units，{len(a.triggers)} 条 triggers"),
    ]
    return pd.DataFrame(rows, columns=["项目 Item", "数值 Value"])


def deductions_table(a, ws, *, lang: str = "zh") -> pd.DataFrame:
    """Deductions (减分项) of the year per unit: items with their points and notes, applied points.

    Returns
    -------
    DataFrame
        ``单位, 同类比较组, 减分事项, 扣分, 实扣, 封顶`` (English with ``lang="en"``); items are
        named from the workspace's negative list (``deduction_items``) when it has them.
    """
    _check_lang(lang, "deductions_table")
    cols = ["name", "peer_group", "items", "points", "applied", "capped"]
    labels = column_labels(a, ws, lang=lang)
    if a.deductions.empty:
        return pd.DataFrame(columns=[labels[c] for c in cols])
    ev = ws.deductions[(ws.deductions["year"] == a.year)
                       & ws.deductions["unit_id"].isin(a.deductions["unit_id"])]
    item_col = "name_en" if lang == "en" else "name_zh"
    item_names = ws.deduction_items.set_index("item")[item_col].to_dict() \
        if len(ws.deduction_items) else {}
    note = ev["note"].fillna("").astype(str)
    text = (ev["item"].map(lambda i: item_names.get(i, i)).astype(str)
            + " " + ev["points"].map(lambda p: f"−{p:g}")
            + note.map(lambda s: f"（{s}）" if s else ""))
    items = text.groupby(ev["unit_id"]).agg("；".join)
    d = a.deductions.set_index("unit_id")
    out = pd.DataFrame({
        "name": _unit_names(a, lang).reindex(d.index),
        "peer_group": a.units.set_index("unit_id")["peer_group"].reindex(d.index).map(
            lambda g: group_label(g).split(" ")[0] if lang != "en" else group_label(g)),
        "items": items.reindex(d.index).fillna(d["items"]),
        "points": d["points"], "applied": d["applied"],
        "capped": d["capped"].map({True: _pick("是", "yes", lang), False: ""}),
    })
    return out.sort_values("applied", ascending=False).rename(columns=labels)[
        [labels[c] for c in cols]].reset_index(drop=True)


def triggers_table(a, *, lang: str = "zh") -> pd.DataFrame:
    """Talk triggers (约谈提醒) of the year with their evidence, one row per unit and trigger."""
    _check_lang(lang, "triggers_table")
    cols = ["name", "peer_group", "trigger", "evidence"]
    labels = {c: _pick(*_COLUMN_LABELS[c], lang) for c in cols}
    tr = a.triggers
    if tr.empty:
        return pd.DataFrame(columns=[labels[c] for c in cols])
    out = pd.DataFrame({
        "name": tr["unit_id"].map(_unit_names(a, lang)),
        "peer_group": tr["unit_id"].map(a.units.set_index("unit_id")["peer_group"]).map(
            lambda g: group_label(g).split(" ")[0] if lang != "en" else group_label(g)),
        "trigger": tr["label"], "evidence": tr["evidence"]})
    return out.rename(columns=labels).reset_index(drop=True)


def consistency_table(a, ws, *, threshold: float = 0.10) -> pd.DataFrame:
    """Consistency of the expert judgements behind the weights (专家判断一致性).

    One row per node weighted by AHP and per expert (and the panel's combined matrix): the
    consistency ratio (Saaty 1980) and whether it stays within ``threshold``; the report shows
    this table instead of the warnings a build raises for inconsistent judgements.
    """
    names = ws.labels("zh")
    rows = []
    for rec in a.log:
        cr = rec.resolved.get("cr") if rec.step == "weight" and isinstance(rec.resolved,
                                                                           dict) else None
        if cr is None:
            continue
        crs = cr if isinstance(cr, pd.Series) else pd.Series({"(single)": cr})
        node = rec.params["node"]
        rows += [(f"{names.get(node, node)} {node}", expert, f"{float(v):.3f}",
                  "是 yes" if v <= threshold else "否 no") for expert, v in crs.items()]
    return pd.DataFrame(rows, columns=["节点 Node", "专家 Expert", "一致性比率 CR",
                                       f"一致 CR ≤ {threshold:g}"])


def provenance_table(a) -> pd.DataFrame:
    """Provenance of the assessment: scheme fingerprint, package version, data hash, inputs.

    Returns
    -------
    DataFrame
        ``项目 Item, 数值 Value``, one row per entry of ``Assessment.provenance``.
    """
    names = {"fingerprint": "方案指纹 Scheme fingerprint", "version": "软件版本 Package version",
             "data_hash": "数据指纹 Data hash", "scheme": "考核方案 Scheme",
             "year": "考核年度 Year", "source": "数据来源 Workspace", "root": "综合指数 Root node",
             "seed": "随机种子 Seed", "package": "软件包 Package", "python": "Python",
             "pandas": "pandas", "numpy": "NumPy"}
    rows = [(names.get(k, k), str(v)) for k, v in a.provenance.items()]
    return pd.DataFrame(rows, columns=["项目 Item", "数值 Value"])


def show(df: pd.DataFrame, *, precision: int = 1, empty: str = "无 None"):
    """A table ready for display in a report: no index, numbers rounded, missing as "—".

    Returns a pandas ``Styler``; an empty table becomes a short Markdown note (``empty``).
    """
    if df.empty:
        from IPython.display import Markdown

        return Markdown(f"*{empty}*")
    text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    positions = [i for i, c in enumerate(df.columns) if c in text]
    return (df.style.hide(axis="index").format(precision=precision, na_rep="—")
            .set_properties(subset=text, **{"text-align": "left"})
            .set_table_styles([{"selector": f"th.col_heading.col{i}", "props": "text-align: left"}
                               for i in positions]))


def title(a, ws) -> str:
    """The report title (Markdown): workspace, year, scheme and its description."""
    name = getattr(ws, "name", "") or (Path(ws.source).stem if ws.source else "")
    desc = str(a.scheme.spec.get("description") or "").strip()
    head = f"# {name} {a.year} 年度综合考核报告 · Yearly assessment report".replace("#  ", "# ")
    sub = f"考核方案 Scheme **{a.scheme.spec['name']}**" + (f" — {desc}" if desc else "")
    return f"{head}\n\n{sub}  \n方案指纹 Fingerprint `{a.provenance['fingerprint']}`"


def setup_notebook() -> None:
    """Figures for reports: SVG output with text kept as text, Chinese-capable fonts.

    Without a CJK font matplotlib draws boxes for Chinese glyphs in PNG output; SVG with
    ``svg.fonttype: none`` leaves the glyphs to the browser (DESIGN.md, "Reports").
    """
    import matplotlib as mpl
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    from zhengji_lab.plots import setup_chinese

    setup_chinese()
    mpl.rcParams["svg.fonttype"] = "none"
    set_matplotlib_formats("svg")
    # the report lists the experts' consistency in a table (consistency_table)
    warnings.filterwarnings("ignore", category=InconsistentJudgementWarning)


# -- result files --------------------------------------------------------------------------------
def result_tables(a, ws) -> dict[str, pd.DataFrame]:
    """The tidy results written by :func:`write_results`, by name (:data:`RESULT_TABLES`).

    ``ranking`` carries Chinese labels alongside the English codes (``排名 rank``); the others
    keep the tidy code columns of :class:`~zhengji_lab.build.Assessment`.
    """
    ranked = ranking(a, ws, lang="zh")
    ranked.insert(4, "name_en", ranked["unit_id"].map(_unit_names(a, "en")))
    labels = column_labels(a, ws, lang="both")
    labels.update(name="单位名称 name_zh", name_en="英文名称 name_en")
    return {
        "ranking": ranked.rename(columns=labels),
        "scores": a.scores, "weights": a.weights, "deductions": a.deductions,
        "triggers": a.triggers, "log": a.log_frame(),
        "provenance": pd.DataFrame(list(a.provenance.items()), columns=["key", "value"]),
    }


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


def format_ranking(a, ws, *, lang: str = "zh") -> str:
    """The ranking per peer group as aligned plain text (for the console)."""
    parts = []
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 250,
                           "display.max_columns", None, "display.max_rows", None):
        for g, t in ranking_tables(a, ws, lang=lang).items():
            parts.append(f"== {g} ({len(t)}) ==")
            parts.append(t.to_string(index=False, float_format=lambda x: f"{x:.1f}",
                                     na_rep="—"))
    return "\n".join(parts)


# -- rendering -----------------------------------------------------------------------------------
def notebook_path(name: str = REPORT_NOTEBOOK) -> Path:
    """The report notebook ``notebooks/<name>`` next to the package (repository layout).

    Raises
    ------
    FileNotFoundError
        When the package is not run from a repository checkout (or an editable install of one).
    """
    path = Path(__file__).resolve().parent.parent / "notebooks" / name
    if not path.is_file():
        raise FileNotFoundError(
            f"The report notebook {path} does not exist. zhengji_lab renders reports from the "
            f"notebooks/ folder of its repository: run from a checkout of the repository or "
            f"install it with `pip install -e .`.")
    return path


def locate(path: str | Path) -> Path:
    """``path`` as given when it exists, else the same relative path under the repository root.

    A notebook opened in JupyterLab runs in ``notebooks/``; this lets its default
    ``workspace = "data/sample_city"`` find the repository's ``data/`` folder.

    >>> locate("data/sample_city").is_dir()
    True
    """
    given = Path(path).expanduser()
    if given.exists() or given.is_absolute():
        return given
    in_repo = Path(__file__).resolve().parent.parent / given
    return in_repo if in_repo.exists() else given


def next_run_dir(out_dir: Path, year: int, *,
                 taken: Callable[[Path], bool] | None = None) -> Path:
    """The first free run folder: ``<out_dir>/<year>``, then ``<year>-run2``, ``-run3`` …

    A folder is taken when it exists and is not empty (``taken`` overrides the test).
    """
    def _taken(p: Path) -> bool:
        return p.exists() and any(p.iterdir())

    taken = taken or _taken
    candidate, k = out_dir / str(year), 1
    while taken(candidate):
        k += 1
        candidate = out_dir / f"{year}-run{k}"
    return candidate


def _notebook_parameters(workspace, scheme, year: int, scheme_file: Path) -> dict:
    """JSON-simple notebook parameters, relative paths resolved against the current folder.

    A Scheme object is passed as ``scheme_file``, where the caller writes it.
    """
    from zhengji_lab.scheme import Scheme

    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"The 'year' parameter of render_report() must be an int. Got "
                        f"{year!r} instead.")
    if hasattr(workspace, "framework"):              # a Workspace read from disk
        workspace = workspace.source
    if not isinstance(workspace, (str, Path)) or not str(workspace):
        raise TypeError("The 'workspace' parameter of render_report() must be the path of a "
                        "workspace folder or .xlsx workbook (or a Workspace read from one). Got "
                        f"{workspace!r} instead.")
    ws_path = Path(workspace).expanduser()
    if not ws_path.exists():
        raise FileNotFoundError(f"The 'workspace' parameter of render_report() must be an "
                                f"existing folder or .xlsx workbook. Got {str(workspace)!r} "
                                f"instead (looked in {Path.cwd()}).")
    if isinstance(scheme, Scheme):                   # parameters stay JSON-simple: write it out
        scheme_param = str(scheme_file.resolve())
    elif isinstance(scheme, (str, Path)):
        path = Path(scheme).expanduser()
        looks_like_file = isinstance(scheme, Path) or path.suffix in (".yaml", ".yml")
        if path.is_file():
            scheme_param = str(path.resolve())
        elif looks_like_file:
            raise FileNotFoundError(f"The 'scheme' parameter of render_report() names the file "
                                    f"{str(scheme)!r}, which does not exist (looked in "
                                    f"{Path.cwd()}). Give a scheme name of the workspace or an "
                                    f"existing YAML path.")
        else:
            scheme_param = str(scheme)
    else:
        raise TypeError(f"The 'scheme' parameter of render_report() must be a scheme name, a "
                        f"YAML path or a Scheme. Got {type(scheme).__name__} instead.")
    return {"year": int(year), "workspace": str(ws_path.resolve()), "scheme": scheme_param}


def _check_kernel(kernel_name: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel as exc:
        raise ReportError(
            f"No Jupyter kernel named {kernel_name!r}. Install this environment's kernel with "
            f"`{sys.executable} -m ipykernel install --prefix {sys.prefix} --name python3` "
            f"(make venv does it), or pass kernel_name=...") from exc
    exe = Path(spec.argv[0]) if spec.argv else None
    if exe is not None and exe.is_absolute() and exe.resolve() != Path(sys.executable).resolve():
        logger.warning("Kernel %r runs %s, not this Python (%s); it must have zhengji_lab "
                       "installed.", kernel_name, exe, sys.executable)


def _failing_line(exc) -> str:
    """The source line an IPython traceback marks with an arrow, else the cell's first line."""
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    for frame in exc.traceback or []:
        for line in ansi.sub("", frame).splitlines():
            m = re.match(r"\s*-+>\s*\d+\s(.*)", line)
            if m:
                return m.group(1).strip()
    return next((ln.strip() for ln in exc.source.splitlines() if ln.strip()), "")


def _title_of(nb) -> str | None:
    for cell in nb.cells:
        if TITLE_TAG in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                md = out.get("data", {}).get("text/markdown")
                if md:
                    return md.splitlines()[0].lstrip("# ").strip()
    return None


# JupyterLab's page without its scripts (require.js, MathJax and mermaid from a CDN): a report
# has no math or widgets, and a page that waits on a blocked CDN opens slowly on an intranet.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def export_html(notebook: str | Path, html_path: str | Path, *, title: str | None = None) -> Path:
    """Export an executed notebook to HTML without code cells or scripts, with the print CSS.

    Parameters
    ----------
    notebook : str or Path
        The executed ``.ipynb``.
    html_path : str or Path
        Where to write the HTML.
    title : str, optional
        The page title; by default the Markdown output of the cell tagged :data:`TITLE_TAG`.
    """
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    title = title or _title_of(nb) or Path(notebook).stem
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, template_file="zhengji_report.html.j2",
                            extra_loaders=[DictLoader({"zhengji_report.html.j2": _TEMPLATE})])
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = body.replace("</head>", PRINT_CSS + "</head>", 1)
    if 'lang="en"' in body[:300]:
        body = body.replace('lang="en"', 'lang="zh-CN"', 1)
    html_path = Path(html_path)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def render_report(workspace, scheme, year: int, *, out_dir: str | Path = "reports",
                  overwrite: bool = False, kernel_name: str | None = None,
                  progress: bool = True) -> Path:
    """Render the yearly city report: run ``notebooks/yearly_report.ipynb`` with papermill and
    export it to HTML.

    Parameters
    ----------
    workspace : str, Path or Workspace
        The assessment workspace (folder or .xlsx); relative paths are resolved against the
        current folder before the notebook runs.
    scheme : str, Path or Scheme
        A scheme name of the workspace (``ws.schemes``), a YAML path, or a Scheme (written to
        ``scheme.yaml`` in the run folder, since notebook parameters stay JSON-simple).
    year : int
    out_dir : str or Path
        Reports go to ``<out_dir>/<year>/``. When that folder already holds a report, the run
        goes to the next free ``<year>-run2/``, ``-run3/`` … (logged), unless ``overwrite``.
    overwrite : bool
        Write into ``<out_dir>/<year>/``, replacing the report files there.
    kernel_name : str, optional
        Jupyter kernel; default ``"python3"`` (this virtual environment's kernel).
    progress : bool
        Show papermill's progress bar.

    Returns
    -------
    Path
        The HTML report (``city_report.html``, beside the executed ``city_report.ipynb``).

    Raises
    ------
    ReportError
        When a cell fails or the kernel dies; the executed notebook is kept as
        ``city_report.failed.ipynb`` and the message names it and the failing cell.
    """
    nb_path = notebook_path()
    out_dir = Path(out_dir)
    run_dir = out_dir / str(year) if overwrite else next_run_dir(out_dir, year)
    params = _notebook_parameters(workspace, scheme, year, run_dir / "scheme.yaml")
    kernel = kernel_name or "python3"
    _check_kernel(kernel)
    # papermill is slow to import: only when rendering
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    run_dir.mkdir(parents=True, exist_ok=True)
    if hasattr(scheme, "to_yaml"):
        scheme.to_yaml(params["scheme"])
    ipynb = run_dir / f"{REPORT_STEM}.ipynb"
    html = run_dir / f"{REPORT_STEM}.html"
    failed = run_dir / f"{REPORT_STEM}.failed.ipynb"
    if overwrite:
        for old in (ipynb, html, failed):
            if old.exists():
                old.unlink()
                logger.info("overwrite=True: removed %s", old)
    elif run_dir.name != str(year):
        logger.warning("%s already holds a report; this run writes to %s",
                       out_dir / str(year), run_dir)
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(str(nb_path), str(ipynb), parameters=params, kernel_name=kernel,
                            language="python", progress_bar=progress)
    except PapermillExecutionError as exc:
        if ipynb.exists():
            ipynb.replace(failed)
        raise ReportError(
            f"The report notebook failed in cell In [{exc.exec_count}] (`{_failing_line(exc)}`) "
            f"with {exc.ename}: {str(exc.evalue).rstrip('.')}. The executed notebook with the "
            f"traceback is kept at {failed}.", notebook=failed, cell=exc.cell_index) from exc
    except Exception as exc:                          # timeouts, dead kernels, …
        kept = ""
        if ipynb.exists():
            ipynb.replace(failed)
            kept = f" The notebook as far as it ran is kept at {failed}."
        raise ReportError(f"Rendering the report failed: {type(exc).__name__}: {exc}.{kept}",
                          notebook=failed if kept else None) from exc
    export_html(ipynb, html)
    logger.info("Report written to %s in %.1f s", html, time.perf_counter() - t0)
    return html
