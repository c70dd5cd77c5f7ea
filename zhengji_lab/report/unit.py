"""One unit's page of the yearly report (``notebooks/unit_report.ipynb``): its tables and its
two figures, from the run's data (:class:`~zhengji_lab.report.rundata.RunData`).

Every function reads what the run computed once (``data.assessments``, one per year with the
rank bands): nothing is rebuilt, so a page renders in a fraction of a second on a warm kernel.
Each function takes the run's data and the unit's code and checks the code (a ``ValueError``
naming the closest codes). Tables keep their text as it is and label their columns in the page's
language (``data.lang``, or ``lang=``: ``"zh"``, ``"en"`` or ``"both"``, as in
:mod:`~zhengji_lab.report.tables`); :func:`~zhengji_lab.report.show` escapes them for HTML. The
Markdown of :func:`unit_title`, :func:`unit_header` and :func:`run_notes` escapes the workspace
text it quotes (:func:`~zhengji_lab.report.escape.escape_markdown`). Figures are closed before
they are returned: display them with ``IPython.display.display``; a kernel kept alive for many
pages keeps none open.

Examples
--------
>>> import zhengji_lab as zl
>>> data = zl.report.prepare_run(zl.load_workspace(zl.report.locate("data/sample_city")),
...                              "baseline", 2025, draws=0, history=False)
>>> unit_title(data, "town_yunxi")
'# 云溪街道 2025 年度考核 · Yunxi Subdistrict, 2025 assessment'
>>> unit_history(data, "town_yunxi").columns.tolist()
['年度', '综合得分', '排名', '排名区间', '等次', '等次存疑']
>>> unit_change(data, "town_yunxi").empty          # no history: no previous year
True
"""
from __future__ import annotations

import difflib
import weakref
from urllib.parse import quote, urlsplit

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from zhengji_lab.labels import group_label
from zhengji_lab.report.escape import escape_markdown
from zhengji_lab.report.provenance import number_text
from zhengji_lab.report.tables import (
    _arrow,
    _check_lang,
    _dimensions,
    _labels,
    _pick,
    band_text,
    deductions_table,
    triggers_table,
)
from zhengji_lab.scheme_schema import did_you_mean
from zhengji_lab.stats.strengths import strengths_weaknesses

#: The notebook of a unit's page (under ``notebooks/``).
UNIT_NOTEBOOK = "unit_report.ipynb"

#: Where a declared target comes from (``targets.csv`` ``target_source``) → (Chinese, English).
TARGET_SOURCES = {
    "self_declared": ("自主申报", "self-declared"), "declared": ("自主申报", "self-declared"),
    "expert_argued": ("专家论证", "expert-argued"), "expert": ("专家论证", "expert-argued"),
}

_FIGURE_WIDTH = 5.6           # inches: two small figures that fit an A4 page
# Assessment -> its composite rows by unit (an Assessment is never changed in place)
_COMPOSITES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# -- checks and names ----------------------------------------------------------------------------
def _unit(data, unit_id, caller: str) -> pd.Series:
    """The unit's row of this year's units; a ``ValueError`` naming the closest codes."""
    a = data.assessment
    units = a.units
    row = units.loc[units["unit_id"] == unit_id]
    if len(row):
        return row.iloc[0]
    ids = [str(u) for u in units["unit_id"]]
    if unit_id in set(data.workspace.units["unit_id"]):
        raise ValueError(f"Unit {unit_id!r} is in the workspace but was not assessed in {a.year} "
                         f"(no values that year, or left out by the scheme's screen step): it "
                         f"has no page for {a.year}.")
    close = difflib.get_close_matches(str(unit_id), ids, n=3, cutoff=0.0)
    raise ValueError(
        f"The 'unit_id' parameter of {caller}() must be a unit assessed in {a.year}. Got "
        f"{unit_id!r} instead{did_you_mean(unit_id, ids) or '.'} Closest unit codes: "
        f"{', '.join(map(repr, close))} ({len(ids)} units; units.csv lists them).")


def _lang(data, lang, caller: str) -> str:
    lang = data.lang if lang is None else lang
    _check_lang(lang, caller)
    return lang


def _names(data, lang: str) -> dict[str, str]:
    """Code → name of framework nodes and units in ``lang`` (Chinese for ``"both"``)."""
    return data.workspace.labels("en" if lang == "en" else "zh")


def _root_label(lang: str) -> str:
    return _pick("综合得分", "Index", lang)


def _composites(a) -> pd.DataFrame:
    """The composite rows of ``a.scores`` by unit (computed once per assessment: a page reads
    them for its header, history, figure and change)."""
    if a not in _COMPOSITES:
        s = a.scores
        _COMPOSITES[a] = s.loc[s["node"] == a.root].set_index("unit_id")
    return _COMPOSITES[a]


def _composite(a, unit_id: str) -> pd.Series | None:
    """The unit's composite row of ``a.scores`` (score, rank, grade, band), or None."""
    rows = _composites(a)
    return rows.loc[unit_id] if unit_id in rows.index else None


def _band(row) -> str:
    """``"3–6"`` from a composite row with a rank band, else ``"—"``."""
    if row is None or "rank_lo" not in row.index:
        return "—"
    return band_text(row["rank_lo"], row["rank_hi"])


def _group_size(a, group) -> int:
    return int((a.units["peer_group"] == group).sum())


def _is_true(flag) -> bool:
    """A flag that is set (missing, ``pd.NA``, counts as not set)."""
    return flag is not None and not pd.isna(flag) and bool(flag)


def _plain(text) -> str:
    """Text for a figure: ``$`` shown as itself, not as mathtext."""
    return str(text).replace("$", r"\$")


# -- title and header ----------------------------------------------------------------------------
def unit_title(data, unit_id: str) -> str:
    """The page title (Markdown, one line): the unit's Chinese and English names and the year.

    The export takes the page's title from this line; the names are escaped.

    Parameters
    ----------
    data : RunData
    unit_id : str

    Returns
    -------
    str
        ``# 云溪街道 2025 年度考核 · Yunxi Subdistrict, 2025 assessment``.
    """
    _unit(data, unit_id, "unit_title")
    zh, en, year = _names(data, "zh")[unit_id], _names(data, "en")[unit_id], data.year
    return (f"# {escape_markdown(zh)} {year} 年度考核 · {escape_markdown(en)}, {year} "
            f"assessment")


def unit_header(data, unit_id: str, *, city_report: str = "") -> str:
    """The page's header (Markdown, Chinese and English): names, kind, peer group, this year's
    rank with its band, grade with the 等次存疑 mark, scheme, and a link back to the city report.

    Parameters
    ----------
    data : RunData
    unit_id : str
    city_report : str
        Link to the city report, relative to the page (``"../city_report.html"``); an http(s)
        address also works. Empty: no link.

    Returns
    -------
    str
        A Markdown list; workspace text escaped.

    Raises
    ------
    ValueError
        An unknown unit, or a link that is neither relative nor http(s).
    """
    unit = _unit(data, unit_id, "unit_header")
    a = data.assessment
    zh, en = _names(data, "zh")[unit_id], _names(data, "en")[unit_id]
    row = _composite(a, unit_id)
    rank = "—" if row is None or pd.isna(row["rank"]) else f"{int(row['rank'])}"
    grade = "—" if row is None or pd.isna(row["grade"]) else escape_markdown(row["grade"])
    uncertain = row is not None and _is_true(row.get("grade_uncertain"))
    score = "—" if row is None or pd.isna(row["score"]) else f"{row['score']:.1f}"
    group, n = unit["peer_group"], _group_size(a, unit["peer_group"])
    lines = [
        f"**{escape_markdown(zh)}** {escape_markdown(en)}",
        (f"类型 Kind：{escape_markdown(group_label(unit['kind']))}；同类比较组 Peer group："
         f"{escape_markdown(group_label(group))}（{n} 个单位 units）"),
        f"{data.year} 年排名 Rank：**{rank}** / {n}；排名区间 Rank band：{_band(row)}",
        f"等次 Grade：**{grade}**" + ("（**等次存疑** uncertain grade）" if uncertain else "")
        + f"；综合得分 Composite：{score}",
        (f"考核方案 Scheme：{escape_markdown(a.scheme.spec['name'])}（方案指纹 fingerprint "
         f"`{a.provenance['fingerprint']}`）"),
    ]
    if city_report:
        lines.append(f"[← 返回全市报告 Back to the city report]({_link(city_report)})")
    return "\n".join(f"- {line}" for line in lines)


def _link(target: str) -> str:
    """A link target safe inside Markdown's ``(...)``: relative or http(s), percent-encoded."""
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("", "http", "https"):
        raise ValueError(f"The 'city_report' parameter of unit_header() must be a relative link "
                         f"or an http(s) address. Got {target!r} instead.")
    return quote(target, safe="/:#?&=.-_~%+,;@")


# -- scores and ranks over the years -------------------------------------------------------------
def _history(data, unit_id: str) -> pd.DataFrame:
    """One row per year of the run: ``year, score, rank, rank_lo, rank_hi, grade,
    grade_uncertain, n`` (NaN where the unit was not assessed, or the year has no bands)."""
    rows = []
    for year, a in data.assessments.items():
        row = _composite(a, unit_id)
        group = a.units.loc[a.units["unit_id"] == unit_id, "peer_group"]
        has = row is not None
        rows.append({
            "year": year, "score": row["score"] if has else np.nan,
            "rank": row["rank"] if has else pd.NA,
            "rank_lo": row.get("rank_lo", np.nan) if has else np.nan,
            "rank_hi": row.get("rank_hi", np.nan) if has else np.nan,
            "grade": row["grade"] if has else None,
            "grade_uncertain": row.get("grade_uncertain", pd.NA) if has else pd.NA,
            "n": _group_size(a, group.iloc[0]) if len(group) else 0})
    out = pd.DataFrame(rows)
    return out.astype({"rank": "Int64", "rank_lo": float, "rank_hi": float, "score": float})


def unit_history(data, unit_id: str, *, lang: str | None = None) -> pd.DataFrame:
    """The unit's composite, rank, rank band and grade in every year of the run.

    Parameters
    ----------
    data : RunData
    unit_id : str
    lang : {"zh", "en", "both"}, optional
        Column labels; the page's language (``data.lang``) by default.

    Returns
    -------
    DataFrame
        ``年度, 综合得分, 排名, 排名区间, 等次, 等次存疑`` (English with ``lang="en"``), one row
        per year of ``data.assessments`` (oldest first). The rank is within the peer group; the
        band is ``"lo–hi"``, ``"—"`` for a year without bands (0 draws, or not drawn: see
        ``data.notes``); 等次存疑 is marked ``存疑`` when the band straddles a grade boundary.
        Missing (``NaN``) in a year the unit was not assessed.
    """
    lang = _lang(data, lang, "unit_history")
    _unit(data, unit_id, "unit_history")
    h = _history(data, unit_id)
    labels = _labels(lang)
    mark = _pick("存疑", "uncertain", lang)
    return pd.DataFrame({
        labels["year"]: h["year"], _root_label(lang): h["score"], labels["rank"]: h["rank"],
        labels["rank_band"]: [_band(r) for _, r in h.iterrows()],
        labels["grade"]: h["grade"],
        labels["grade_uncertain"]: [mark if _is_true(u) else "" for u in h["grade_uncertain"]]})


def rank_history_plot(data, unit_id: str, *, lang: str | None = None):
    """The unit's rank over the years, its rank band as a shaded area (rank 1 at the top;
    the y axis spans the peer group). No legend: the page's text says what the shading is.

    Parameters
    ----------
    data : RunData
    unit_id : str
    lang : {"zh", "en", "both"}, optional

    Returns
    -------
    matplotlib Figure
        Closed (display it with ``IPython.display.display``). Call
        :func:`~zhengji_lab.report.setup_notebook` first so that Chinese labels render.
    """
    lang = _lang(data, lang, "rank_history_plot")
    _unit(data, unit_id, "rank_history_plot")
    h = _history(data, unit_id)
    years, rank = h["year"].to_numpy(), h["rank"].astype(float).to_numpy()
    fig, ax = plt.subplots(figsize=(_FIGURE_WIDTH, 2.4))
    banded = h["rank_lo"].notna().to_numpy()
    if banded.any():
        ax.fill_between(years, h["rank_lo"], h["rank_hi"], color="C0", alpha=0.2, linewidth=0)
        ax.vlines(years[banded], h["rank_lo"][banded], h["rank_hi"][banded], color="C0",
                  alpha=0.35, linewidth=3)
    ax.plot(years, rank, "o-", color="C0")
    n = max(int(h["n"].max()), 1)
    ax.set_ylim(n + 0.5, 0.5)                   # rank 1 at the top
    ax.set_xticks(years)
    # few ticks: each costs about a millisecond to draw, twice (the inline backend's tight box)
    ax.set_yticks(range(1, n + 1, max(1, -(-n // 4))))   # 1, then about four ticks
    ax.set_ylabel(_pick("组内排名", "Rank in peer group", lang))
    plt.close(fig)
    return fig


# -- against the peer group ----------------------------------------------------------------------
def _peer_scores(data, unit_id: str, caller: str) -> tuple[list[str], pd.DataFrame]:
    """The composite and dimensions, and their scores in the unit's peer group (tidy rows)."""
    a = data.assessment
    unit = _unit(data, unit_id, caller)
    nodes = [a.root, *_dimensions(a)]
    members = a.units.loc[a.units["peer_group"] == unit["peer_group"], "unit_id"]
    s = a.scores.loc[a.scores["node"].isin(nodes) & a.scores["unit_id"].isin(members)]
    return nodes, s


def peer_comparison(data, unit_id: str, *, lang: str | None = None) -> pd.DataFrame:
    """The unit against its peer group: composite and each dimension.

    Parameters
    ----------
    data : RunData
    unit_id : str
    lang : {"zh", "en", "both"}, optional

    Returns
    -------
    DataFrame
        ``维度, 本单位得分, 组内中位数, 组内最高, 组内排名, 组内单位数`` (English with
        ``lang="en"``): the composite first, then the dimensions in framework order. The median
        and best are over the peer group's units with a score (the unit included); the rank is
        the unit's within the group (``a.scores``); the count is the units with a score.
    """
    lang = _lang(data, lang, "peer_comparison")
    nodes, s = _peer_scores(data, unit_id, "peer_comparison")
    wide = s.pivot(index="unit_id", columns="node", values="score").reindex(columns=nodes)
    own = s.loc[s["unit_id"] == unit_id].set_index("node").reindex(nodes)
    names = _names(data, lang)
    return pd.DataFrame({
        _pick("维度", "Dimension", lang): [_root_label(lang)] + [names.get(d, d)
                                                                 for d in nodes[1:]],
        _pick("本单位得分", "Unit's score", lang): own["score"].to_numpy(float),
        _pick("组内中位数", "Peer median", lang): wide.median().to_numpy(float),
        _pick("组内最高", "Peer best", lang): wide.max().to_numpy(float),
        _pick("组内排名", "Rank in group", lang): own["rank"].astype("Int64").to_numpy(),
        _pick("组内单位数", "Units ranked", lang): wide.count().to_numpy(int)})


def peer_plot(data, unit_id: str, *, lang: str | None = None):
    """The unit's composite and dimension scores against its peers': every peer as a grey dot on
    its group's min–max line, the group's median as a tick, the unit as a red dot.

    Returns
    -------
    matplotlib Figure
        Closed (display it with ``IPython.display.display``).
    """
    lang = _lang(data, lang, "peer_plot")
    nodes, s = _peer_scores(data, unit_id, "peer_plot")
    wide = s.pivot(index="unit_id", columns="node", values="score").reindex(columns=nodes)
    names = _names(data, lang)
    labels = [_root_label(lang)] + [names.get(d, d) for d in nodes[1:]]
    y = np.arange(len(nodes))
    fig, ax = plt.subplots(figsize=(_FIGURE_WIDTH, 0.9 + 0.38 * len(nodes)))
    ax.hlines(y, wide.min(), wide.max(), color="0.8", linewidth=4, zorder=1)
    peers = wide.drop(index=unit_id, errors="ignore")
    px, py = peers.to_numpy(float).ravel(), np.tile(y, len(peers))
    ax.scatter(px, py, s=9, color="0.55", zorder=2)
    ax.scatter(wide.median(), y, marker="|", s=220, color="0.15", zorder=3)
    own = wide.loc[unit_id] if unit_id in wide.index else pd.Series(np.nan, index=nodes)
    ax.scatter(own, y, s=42, color="C3", zorder=4)
    ax.set_yticks(y, [_plain(t) for t in labels])
    ax.invert_yaxis()
    ax.set_xlabel(_pick("得分（红点：本单位；竖线：组内中位数；灰点：同组其他单位）",
                        "Score (red: this unit; bar: peer median; grey: the other peers)", lang))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    plt.close(fig)
    return fig


# -- strengths, weaknesses and individualized indicators -----------------------------------------
def unit_strengths(data, unit_id: str, *, n: int = 5, lang: str | None = None) -> pd.DataFrame:
    """The indicators on which the unit ranks best and worst among its peers
    (:func:`zhengji_lab.strengths_weaknesses` on this year's raw values).

    Parameters
    ----------
    data : RunData
    unit_id : str
    n : int, default 5
        How many strengths and how many weaknesses.
    lang : {"zh", "en", "both"}, optional

    Returns
    -------
    DataFrame
        ``类别, 指标, 维度, 组内排名, 参与排名单位数, 数值, 计量单位`` (English with
        ``lang="en"``): strengths (优势) best first, then weaknesses (弱项) with the worst last;
        values as display text (three significant digits).
    """
    lang = _lang(data, lang, "unit_strengths")
    _unit(data, unit_id, "unit_strengths")
    f = strengths_weaknesses(data.assessment, unit_id, n=n).frame
    names = _names(data, lang)
    side = {"strength": _pick("优势", "strength", lang), "weakness": _pick("弱项", "weakness", lang)}
    return pd.DataFrame({
        _pick("类别", "Side", lang): f["side"].map(side),
        _pick("指标", "Indicator", lang): [names.get(c, c) for c in f["indicator"]],
        _pick("维度", "Dimension", lang): [names.get(d, d) for d in f["dimension"]],
        _pick("组内排名", "Rank in group", lang): f["rank"].astype(int),
        _pick("参与排名单位数", "Units ranked", lang): f["n_ranked"].astype(int),
        _pick("数值", "Value", lang): f["value"].map(number_text),
        _pick("计量单位", "Unit of measure", lang): f["unit"].fillna("").astype(str)})


def unit_targets(data, unit_id: str, *, lang: str | None = None) -> pd.DataFrame:
    """The unit's individualized indicators (个性化指标) against the targets it declared.

    Parameters
    ----------
    data : RunData
    unit_id : str
    lang : {"zh", "en", "both"}, optional

    Returns
    -------
    DataFrame
        ``年度, 指标, 目标值, 实际值, 是否完成, 目标来源`` (English with ``lang="en"``): one row per
        target of ``targets.csv`` for an individualized indicator (``Workspace.individualized``)
        up to the reporting year, by indicator (framework order) and year. A target is met
        (``是``) when the value reaches it in the indicator's direction (at least the target
        for a higher-is-better indicator, at most it for a lower-is-better one); ``—`` when the
        value is missing. Numbers as display text (three significant digits). Empty when the
        unit declared no targets.
    """
    lang = _lang(data, lang, "unit_targets")
    _unit(data, unit_id, "unit_targets")
    ws = data.workspace
    order = {c: i for i, c in enumerate(ws.individualized())}
    tg = ws.targets
    tg = tg.loc[(tg["unit_id"] == unit_id) & tg["indicator"].isin(order)
                & (tg["year"] <= data.year)]
    tg = tg.assign(_order=tg["indicator"].map(order)).sort_values(["_order", "year"])
    v = ws.values
    v = v.loc[(v["unit_id"] == unit_id) & v["indicator"].isin(order)]
    actual = v.set_index(["year", "indicator"])["value"]
    value = pd.Series([actual.get((y, i), np.nan) for y, i in zip(tg["year"], tg["indicator"])],
                      dtype=float)
    target = tg["target"].astype(float).to_numpy()
    direction = ws.framework.set_index("code")["direction"].reindex(tg["indicator"]).to_numpy()
    met = np.where(direction < 0, value <= target, value >= target)
    yes, no = _pick("是", "yes", lang), _pick("否", "no", lang)
    sources = [TARGET_SOURCES.get(str(s), (str(s), str(s)))
               for s in tg.get("target_source", pd.Series([""] * len(tg))).fillna("")]
    names = _names(data, lang)
    return pd.DataFrame({
        _pick("年度", "Year", lang): tg["year"].astype(int).to_numpy(),
        _pick("指标", "Indicator", lang): [names.get(i, i) for i in tg["indicator"]],
        _pick("目标值", "Target", lang): [number_text(t) for t in target],
        _pick("实际值", "Actual", lang): [number_text(x) for x in value],
        _pick("是否完成", "Met", lang): ["—" if np.isnan(x) else yes if m else no
                                         for x, m in zip(value, met)],
        _pick("目标来源", "Target source", lang): [_pick(zh, en, lang) for zh, en in sources]})


# -- deductions, triggers, change, notes ---------------------------------------------------------
def unit_deductions(data, unit_id: str, *, lang: str | None = None) -> pd.DataFrame:
    """The unit's deductions (减分项) this year: :func:`~zhengji_lab.report.deductions_table`
    for the unit, without its name and peer group (the page is the unit's).

    Returns
    -------
    DataFrame
        ``减分事项, 扣分, 实扣, 封顶`` (English with ``lang="en"``); empty when none.
    """
    lang = _lang(data, lang, "unit_deductions")
    _unit(data, unit_id, "unit_deductions")
    t = deductions_table(data.assessment, data.workspace, lang=lang, unit_id=unit_id)
    return t.iloc[:, 2:]


def unit_triggers(data, unit_id: str, *, lang: str | None = None) -> pd.DataFrame:
    """The unit's talk triggers (约谈提醒) this year with their evidence and firing probability:
    :func:`~zhengji_lab.report.triggers_table` for the unit, without its name and peer group.

    Returns
    -------
    DataFrame
        ``约谈类型, 依据[, 触发概率]`` (English with ``lang="en"``); empty when none.
    """
    lang = _lang(data, lang, "unit_triggers")
    _unit(data, unit_id, "unit_triggers")
    return triggers_table(data.assessment, lang=lang, unit_id=unit_id).iloc[:, 2:]


def unit_change(data, unit_id: str, *, lang: str | None = None) -> pd.DataFrame:
    """What changed since last year: rank, grade, composite and each dimension's score.

    Parameters
    ----------
    data : RunData
    unit_id : str
    lang : {"zh", "en", "both"}, optional

    Returns
    -------
    DataFrame
        ``项目, 上年, 本年, 变化`` (English with ``lang="en"``), all display text: the rank
        (within the peer group) with its change (``↑2`` two places up, ``↓1``, ``—``), the grade
        (``↑``, ``↓``, ``—``), the composite and each dimension's score (``+1.3``, ``−0.5``).
        Last year is ``—`` and the change ``新 new`` when the unit was not assessed last year.
        Empty when the run has no last year (the first year of the data, or a year that did not
        build: ``data.notes`` says which).
    """
    lang = _lang(data, lang, "unit_change")
    _unit(data, unit_id, "unit_change")
    cols = [_pick(zh, en, lang) for zh, en in (("项目", "Item"), ("上年", "Last year"),
                                               ("本年", "This year"), ("变化", "Change"))]
    a, prev = data.assessment, data.previous
    if prev is None:
        return pd.DataFrame(columns=cols)
    now, before = _composite(a, unit_id), _composite(prev, unit_id)
    new = _pick("新", "new", lang)
    labels = _labels(lang)
    rank_now = int(now["rank"]) if pd.notna(now["rank"]) else None
    rank_prev = int(before["rank"]) if before is not None and pd.notna(before["rank"]) else None
    rows = [(labels["rank"], _text(rank_prev), _text(rank_now),
             new if rank_prev is None or rank_now is None else _arrow(rank_prev - rank_now))]
    order = {g["name"]: i for i, g in enumerate(a.scheme.spec["grades"])}
    g_now, g_prev = now["grade"], None if before is None else before["grade"]
    rows.append((labels["grade"], _text(g_prev), _text(g_now),
                 new if pd.isna(g_prev) or pd.isna(g_now)
                 else _arrow(order.get(g_prev, 0) - order.get(g_now, 0), steps=False)))
    names = _names(data, lang)
    score_now = _node_scores(a, unit_id)
    score_prev = _node_scores(prev, unit_id)
    for node in [a.root, *_dimensions(a)]:
        x, p = score_now.get(node, np.nan), score_prev.get(node, np.nan)
        label = _root_label(lang) if node == a.root else names.get(node, node)
        rows.append((label, _text(p, 1), _text(x, 1), new if np.isnan(p) else _change(x - p)))
    return pd.DataFrame(rows, columns=cols)


def _node_scores(a, unit_id: str) -> dict[str, float]:
    s = a.scores.loc[a.scores["unit_id"] == unit_id]
    return dict(zip(s["node"], s["score"].astype(float)))


def _text(v, digits: int | None = None) -> str:
    """A cell as display text: ``—`` when missing, numbers to ``digits`` decimals."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "—"
    return f"{v:.{digits}f}" if digits is not None else str(v)


def _change(diff: float) -> str:
    """``+1.3``, ``−0.5`` (a minus sign), ``—`` when unchanged at one decimal or missing."""
    if np.isnan(diff) or round(diff, 1) == 0:
        return "—"
    return f"{diff:+.1f}".replace("-", "−")


def run_notes(data) -> str:
    """The run's notes (what it could not compute, ``data.notes``) as a small Markdown section;
    ``""`` when there are none.

    Returns
    -------
    str
        A heading and one escaped list item per note.
    """
    if not data.notes:
        return ""
    items = "\n".join(f"- {escape_markdown(note)}" for note in data.notes)
    return ("### 运行说明 Notes of the run\n\n本次运行未能计算以下内容，相关年份的排名区间或结果"
            "从缺。 What this run could not compute (those years show no band or no result):\n\n"
            + items)
