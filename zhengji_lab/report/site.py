"""The files of a yearly run around its pages: ``index.html`` linking the city report and every
unit page, and one workbook of the run's tables.

The index is written by the run itself, not by a notebook: a title naming the workspace, the
scheme and the run; links to the city report, the workbook and the PDFs; the pages that failed
(with their kept notebooks); and the ranking of every peer group with each unit's name linking
to its page (the tables of :func:`~zhengji_lab.report.ranking_tables`, so the index and the
city report show the same ranks, bands and grades). Workspace text is escaped
(:func:`~zhengji_lab.report.escape_html`); the page carries the reports' print CSS.

The workbook (:func:`run_tables`) holds what the pages show, one sheet per table, with unit
and indicator names and values rounded: a first sheet naming the run, then the ranking with
the rank bands, every year's ranks and bands, the change from last year, dimension scores,
deductions, talk triggers, weights, the experts' consistency and the provenance.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from zhengji_lab.report.escape import escape_html
from zhengji_lab.report.excel import about_table
from zhengji_lab.report.export import PRINT_CSS
from zhengji_lab.report.notebook import show
from zhengji_lab.report.provenance import provenance_table
from zhengji_lab.report.tables import (
    _pick,
    consistency_table,
    deductions_table,
    dimension_scores,
    headline,
    ranking,
    ranking_tables,
    triggers_table,
    uncertainty_note,
    year_over_year,
)

_INDEX_CSS = """
<style id="zhengji-index-css">
  body { padding: 8px 24px; }
  .zl-links li { margin: 2px 0; }
  .zl-failed { border: 2px solid #b00020; padding: 6px 12px; margin: 12px 0; }
  .zl-failed h2 { color: #b00020; margin-top: 4px; }
  table { border-collapse: collapse; font-size: 0.85em; margin-bottom: 12px; }
  td, th { padding: 2px 6px; border-bottom: 1px solid #ddd; }
  th { white-space: nowrap; text-align: left; }
  .zl-meta { color: #444; }
</style>
"""


def index_html(data, *, run_id: str, pages: Mapping[str, str], failures: Mapping[str, str],
               kept: Mapping[str, str], workbook: str | None, pdfs: Mapping[str, str],
               city: str | None) -> str:
    """The run's ``index.html``.

    Parameters
    ----------
    data : RunData
    run_id : str
    pages : dict
        ``{unit_id: address}`` of the unit pages written (relative to the run folder).
    failures : dict
        ``{page: why}`` of the pages that failed.
    kept : dict
        ``{page: address}`` of the failed pages' kept notebooks.
    workbook : str or None
        Address of the run's workbook.
    pdfs : dict
        ``{page stem: address}`` of the PDFs, when the run printed them.
    city : str or None
        Address of the city report (``None`` when it failed).
    """
    a, ws, lang = data.assessment, data.workspace, data.lang
    name = ws.title("zh" if lang == "zh" else "en") or ""
    head = f"{name} {a.year} 年度综合考核 · Yearly assessment {a.year}".strip()
    when = dt.datetime.now().isoformat(timespec="minutes")
    meta = (f"考核方案 Scheme <b>{escape_html(a.scheme.spec['name'])}</b> · 方案指纹 Fingerprint "
            f"<code>{escape_html(a.provenance['fingerprint'])}</code> · 运行 Run "
            f"<code>{escape_html(run_id)}</code> · 生成于 Generated {when}")
    links = []
    if city:
        pdf = pdfs.get("city_report")
        links.append(f'<li><a href="{escape_html(city)}">全市报告 City report</a>'
                     + (f' (<a href="{escape_html(pdf)}">PDF</a>)' if pdf else "") + "</li>")
    if workbook:
        links.append(f'<li><a href="{escape_html(workbook)}">结果工作簿 Workbook (.xlsx)</a></li>')
    links.append(f"<li>单位页面 Unit pages: {len(pages)}</li>")
    body = [f"<h1>{escape_html(head)}</h1>", f'<p class="zl-meta">{meta}</p>',
            f'<ul class="zl-links">{"".join(links)}</ul>']
    if failures:
        items = "".join(
            f"<li><b>{escape_html(page)}</b>: {escape_html(why)}"
            + (f' — <a href="{escape_html(kept[page])}">{escape_html(kept[page])}</a>'
               if page in kept else "") + "</li>" for page, why in failures.items())
        body.append(f'<div class="zl-failed"><h2>未完成的页面 Pages that failed '
                    f"({len(failures)})</h2><ul>{items}</ul></div>")
    body.append("<h2>" + _pick("各组排名（点击单位名称查看单位页面）",
                               "Ranking by peer group (a unit's name opens its page)", lang)
                + "</h2>")
    body.append(_markdown_paragraph(uncertainty_note(a)))
    for group, table in ranking_tables(a, ws, lang=lang, links=pages).items():
        body.append(f"<h3>{escape_html(group)}</h3>")
        body.append(show(table).to_html())
    if data.notes:
        notes = "".join(f"<li>{escape_html(n)}</li>" for n in data.notes)
        body.append(f"<h2>说明 Notes</h2><ul>{notes}</ul>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape_html(head)}</title>\n{PRINT_CSS}{_INDEX_CSS}</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def failed_page_html(title: str, why: str, notebook: str | None, *, up: str = "../") -> str:
    """The page written in place of a page that failed, so the links to it say what happened:
    the error and the notebook as far as it ran (``notebook``, relative to the page)."""
    kept = (f'<p>运行到出错处的笔记本 The notebook as far as it ran: <a href="'
            f'{escape_html(notebook)}">{escape_html(notebook)}</a></p>' if notebook else "")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape_html(title)} · 生成失败 failed</title>\n{PRINT_CSS}{_INDEX_CSS}"
            "</head>\n<body>\n<div class=\"zl-failed\">"
            f"<h2>{escape_html(title)}：本页生成失败 This page failed</h2>"
            f"<p>{escape_html(why)}</p>{kept}</div>\n"
            f'<p><a href="{escape_html(up)}index.html">← 返回本次运行 Back to the run</a></p>\n'
            "</body>\n</html>\n")


def _markdown_paragraph(text: str) -> str:
    """Markdown of the report functions (their workspace text already escaped) as HTML."""
    import mistune  # lazy: comes with nbconvert; only to write the index

    return mistune.html(text)


def history_table(data) -> pd.DataFrame:
    """Every unit's composite, rank, rank band and grade in every year of the run.

    Returns
    -------
    DataFrame
        ``unit_id, 单位 name, 同类比较组 peer_group, 年度 year, 综合得分 score, 排名 rank,
        排名区间下限 rank_lo, 排名区间上限 rank_hi, 等次 grade, 等次存疑 grade_uncertain``;
        the band is empty in a year without bands.
    """
    names = data.workspace.units.set_index("unit_id")
    name_col = "name_en" if data.lang == "en" else "name_zh"
    frames = []
    for year, a in data.assessments.items():
        root = a.scores[a.scores["node"] == a.root].set_index("unit_id")
        frame = pd.DataFrame({
            "unit_id": root.index, "单位 name": root.index.map(names[name_col]),
            "同类比较组 peer_group": root.index.map(names["peer_group"]), "年度 year": year,
            "综合得分 score": root["score"].round(2).to_numpy(),
            "排名 rank": root["rank"].astype("Int64").to_numpy(),
            "排名区间下限 rank_lo": root.get("rank_lo", pd.Series(pd.NA, root.index)).to_numpy(),
            "排名区间上限 rank_hi": root.get("rank_hi", pd.Series(pd.NA, root.index)).to_numpy(),
            "等次 grade": root["grade"].to_numpy(),
            "等次存疑 grade_uncertain": root.get("grade_uncertain",
                                             pd.Series(pd.NA, root.index)).to_numpy()})
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).sort_values(["unit_id", "年度 year"],
                                                            kind="stable", ignore_index=True)


def run_tables(data, *, run_id: str) -> dict[str, pd.DataFrame]:
    """The run's workbook: ``{sheet: table}``, names and labels in Chinese with English, values
    rounded (scores to 2 decimals, weights to 4)."""
    a, ws, lang = data.assessment, data.workspace, data.lang
    about = about_table(a, ws)
    extra = [("运行 Run", run_id), ("抽样次数 Draws", str(data.draws)),
             ("随机种子 Seed", str(data.seed)),
             ("年度 Years", "、".join(str(y) for y in data.assessments))]
    extra += [("说明 Note", n) for n in data.notes]
    about = pd.concat([about, pd.DataFrame(extra, columns=about.columns)], ignore_index=True)
    ranked = ranking(a, ws, lang=lang, labels=True)
    weights = a.weights.assign(weight=a.weights["weight"].round(4))
    labels = ws.labels("zh")
    weights.insert(2, "名称 name", weights["node"].map(lambda c: labels.get(c, c)))
    tables = {
        "说明 README": about,
        "排名 ranking": _rounded(ranked),
        "历年 history": history_table(data),
        "与上年比较 change": year_over_year(a, ws, data.previous, lang=lang),
        "维度得分 dimensions": _rounded(dimension_scores(a, ws, lang=lang).reset_index(
            names=_pick("单位", "Unit", lang))),
        "减分 deductions": _rounded(deductions_table(a, ws, lang=lang)),
        "约谈 triggers": _rounded(triggers_table(a, lang=lang)),
        "权重 weights": weights,
        "一致性 consistency": consistency_table(a, ws),
        "概况 headline": headline(a),
        "来源 provenance": provenance_table(a),
    }
    return tables


def _rounded(df: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    numeric = df.select_dtypes("float").columns
    return df.assign(**{c: df[c].round(digits) for c in numeric})
