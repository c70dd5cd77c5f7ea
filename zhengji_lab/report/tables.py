"""The yearly report's tables, from an :class:`~zhengji_lab.Assessment` and its workspace.

Every table and figure the report notebook shows comes from a function here, so the same
tables serve the notebook, the workbook written by ``zhengji build`` (:func:`result_tables`) and
the console (:func:`format_ranking`). Tables keep the tidy column codes (``rank``, ``grade`` …)
or take their labels (Chinese, English or both) from :mod:`zhengji_lab.labels`.

Examples
--------
>>> import zhengji_lab as zl
>>> ws = zl.load_workspace(zl.report.locate("data/sample_city"))
>>> a = zl.build(ws, "baseline", year=2025)
>>> ranking(a, ws).columns[:5].tolist()
['peer_group', 'rank', 'unit_id', 'name', 'index']
>>> list(ranking_tables(a, ws, lang="en"))[0]
'园镇 towns and parks'
"""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from zhengji_lab.assess import build
from zhengji_lab.errors import choices
from zhengji_lab.labels import COLUMN_LABELS, COLUMN_LABELS_EN, group_label
from zhengji_lab.report.escape import Link, escape_markdown
from zhengji_lab.report.provenance import flags_record

#: Languages of the tables: Chinese, English, or both (``排名 rank``).
LANGS = ("zh", "en", "both")
#: The tables of :func:`result_tables` (the CSV stems and sheets written by ``write_results``).
RESULT_TABLES = ("ranking", "scores", "weights", "deductions", "triggers", "log", "provenance")


# -- labels --------------------------------------------------------------------------------------
def _check_lang(lang: str, func: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"The 'lang' parameter of {func}() must be one of {choices(LANGS)}. "
                         f"Got {lang!r} instead.")


def _pick(zh: str, en: str, lang: str) -> str:
    return {"zh": zh, "en": en, "both": f"{zh} {en}"}[lang]


def _labels(lang: str) -> dict[str, str]:
    """Labels of the report's fixed columns; the column ``name`` holds unit names."""
    out = {code: _pick(COLUMN_LABELS[code], en, lang) for code, en in COLUMN_LABELS_EN.items()}
    out["name"] = out["unit"]
    return out


def _group_name(group: str, lang: str) -> str:
    """A peer group's name in a table cell: its Chinese name, or the whole label in English."""
    return group_label(group) if lang == "en" else group_label(group).split(" ")[0]


def _dimensions(a) -> list[str]:
    """The children of the root, in the order of the weights table (framework order)."""
    w = a.weights[a.weights["parent"] == a.root]
    return list(dict.fromkeys(w["node"]))


def _unit_names(a, lang: str) -> pd.Series:
    col = "name_en" if lang == "en" else "name_zh"
    return a.units.set_index("unit_id")[col]


def column_labels(a, ws, *, lang: str = "zh") -> dict[str, str]:
    """Display labels of the columns of :func:`ranking` and the other tables here."""
    _check_lang(lang, "column_labels")
    names, en_names = ws.labels("zh"), ws.labels("en")
    out = _labels(lang)
    out[a.root] = _pick("综合得分", "Index", lang) if lang != "both" else f"综合得分 {a.root}"
    for d in _dimensions(a):
        out[d] = {"zh": names.get(d, d), "en": en_names.get(d, d),
                  "both": f"{names.get(d, d)} {d}"}[lang]
    if lang == "both":     # codes alongside the Chinese labels (the workbook's ranking sheet)
        out.update({code: f"{zh} {code}" for code, zh in _labels("zh").items()})
    return out


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
        When the build ran the uncertainty flags, also ``grade_uncertain, rank_lo, rank_hi``
        (等次存疑 and the rank band, :func:`zhengji_lab.build`).
    """
    _check_lang(lang, "ranking")
    t = a.table(lang="en" if lang == "en" else "zh")
    name_col = "name_en" if lang == "en" else "name_zh"
    dims = _dimensions(a)
    out = t[["peer_group", "rank", "unit_id", name_col, a.root, *dims, "deduction", "grade"]]
    out = out.rename(columns={name_col: "name"}).assign(
        deduction=t["deduction"].fillna(0.0), rank=t["rank"].astype("Int64"))
    if "rank_lo" in a.scores.columns:       # the uncertainty flags: 等次存疑 and the rank band
        band = a.scores.loc[a.scores["node"] == a.root].set_index("unit_id")
        out = out.assign(grade_uncertain=out["unit_id"].map(band["grade_uncertain"]),
                         **{c: out["unit_id"].map(band[c]) for c in ("rank_lo", "rank_hi")})
    # peer groups in the order the units table first names them (towns before agencies …)
    first = {g: i for i, g in enumerate(dict.fromkeys(a.units["peer_group"]))}
    out = out.sort_values(["peer_group", "rank"], key=lambda s: s.map(first)
                          if s.name == "peer_group" else s, kind="stable")
    if labels:
        out = out.rename(columns=column_labels(a, ws, lang=lang))
    return out.reset_index(drop=True)


def ranking_tables(a, ws, *, lang: str = "zh",
                   links: Mapping[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """One labelled ranking table per peer group: ``{group display name: table}``.

    Columns: rank, unit name, composite, dimension scores, deduction, grade (等次); when the
    build ran the uncertainty flags, the rank band (排名区间, ``"3–6"``) after the rank and a
    mark on uncertain grades (等次存疑) after the grade. With ``links`` (``{unit_id: address}``,
    the unit pages of a run), a unit's name is a :class:`~zhengji_lab.report.escape.Link` to its
    page (:func:`~zhengji_lab.report.show` writes it as a link).
    """
    t = _band_text(ranking(a, ws, lang=lang), lang)
    if links:
        t["name"] = [Link(n, links[u]) if u in links else n
                     for u, n in zip(t["unit_id"], t["name"])]
    labels = column_labels(a, ws, lang=lang)
    return {group_label(g): sub.drop(columns=["peer_group", "unit_id"]).rename(columns=labels)
            .reset_index(drop=True)
            for g, sub in t.groupby("peer_group", sort=False)}


def band_text(lo, hi) -> str:
    """A rank band as text, ``"3–6"``; ``"—"`` when either end is missing."""
    return f"{lo:g}–{hi:g}" if pd.notna(lo) and pd.notna(hi) else "—"


def _band_text(t: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The rank band as text after the rank, and 等次存疑 as a mark (tables for display)."""
    if "rank_lo" not in t.columns:
        return t
    band = [band_text(lo, hi) for lo, hi in zip(t["rank_lo"], t["rank_hi"])]
    mark = _pick("存疑", "uncertain", lang)
    out = t.drop(columns=["rank_lo", "rank_hi"]).assign(
        grade_uncertain=t["grade_uncertain"].map(lambda u: mark if u is True else ""))
    out.insert(out.columns.get_loc("rank") + 1, "rank_band", band)
    return out


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
    :func:`~zhengji_lab.report.setup_notebook` (or :func:`zhengji_lab.plots.setup_chinese`)
    first so that Chinese labels render.

    Returns
    -------
    matplotlib Axes
    """
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
        ax.annotate(_group_name(g, "zh"), xy=(1.0, 1 - (s + e) / 2 / len(d)),
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
        ("同类比较组 Peer groups", "，".join(f"{_group_name(g, 'zh')} {n}" for g, n in
                                          a.units["peer_group"].value_counts(sort=False).items())),
        ("综合得分 Composite (mean, min–max)",
         f"{idx.mean():.1f} ({idx.min():.1f}–{idx.max():.1f})"),
        ("等次 Grades", grade_text),
        ("减分单位 Units with deductions",
         f"{int((applied > 0).sum())}，共扣 {applied.sum():.1f} 分 points"),
        ("约谈提醒 Talk triggers",
         f"{a.triggers['unit_id'].nunique()} 个单位 units，{len(a.triggers)} 条 triggers"),
    ]
    if "grade_uncertain" in a.scores.columns:
        flags = a.scores.loc[a.scores["node"] == a.root, "grade_uncertain"]
        straddle = "排名区间跨越等次分界 rank band straddles a grade boundary"
        rows.append(("等次存疑 Uncertain grades",
                     f"{int(flags.sum())} / {int(flags.notna().sum())}（{straddle}）"))
    if "p_fire" in a.triggers.columns:
        rows.append(("触发概率不足 Uncertain triggers",
                     f"{int(a.triggers['uncertain'].sum())} / {len(a.triggers)}"))
    return pd.DataFrame(rows, columns=["项目 Item", "数值 Value"])


def deductions_table(a, ws, *, lang: str = "zh", unit_id: str | None = None) -> pd.DataFrame:
    """Deductions (减分项) of the year per unit: items with their points and notes, applied points.

    Parameters
    ----------
    a : Assessment
    ws : Workspace
    lang : {"zh", "en", "both"}
    unit_id : str, optional
        Only this unit's deductions (a unit's page); every unit's by default.

    Returns
    -------
    DataFrame
        ``单位, 同类比较组, 减分事项, 扣分, 实扣, 封顶`` (English with ``lang="en"``); items are
        named from the workspace's negative list (``deduction_items``) when it has them.
    """
    _check_lang(lang, "deductions_table")
    cols = ["name", "peer_group", "items", "points", "applied", "capped"]
    labels = column_labels(a, ws, lang=lang)
    deductions = a.deductions if unit_id is None else \
        a.deductions[a.deductions["unit_id"] == unit_id]
    if deductions.empty:
        return pd.DataFrame(columns=[labels[c] for c in cols])
    ev = ws.deductions[(ws.deductions["year"] == a.year)
                       & ws.deductions["unit_id"].isin(deductions["unit_id"])]
    item_col = "name_en" if lang == "en" else "name_zh"
    item_names = ws.deduction_items.set_index("item")[item_col].to_dict() \
        if len(ws.deduction_items) else {}
    note = ev["note"].fillna("").astype(str)
    text = (ev["item"].map(lambda i: item_names.get(i, i)).astype(str)
            + " " + ev["points"].map(lambda p: f"−{p:g}")
            + note.map(lambda s: f"（{s}）" if s else ""))
    items = text.groupby(ev["unit_id"]).agg("；".join)
    d = deductions.set_index("unit_id")
    out = pd.DataFrame({
        "name": _unit_names(a, lang).reindex(d.index),
        "peer_group": a.units.set_index("unit_id")["peer_group"].reindex(d.index).map(
            lambda g: _group_name(g, lang)),
        "items": items.reindex(d.index).fillna(d["items"]),
        "points": d["points"], "applied": d["applied"],
        "capped": d["capped"].map({True: _pick("是", "yes", lang), False: ""}),
    })
    return out.sort_values("applied", ascending=False).rename(columns=labels)[
        [labels[c] for c in cols]].reset_index(drop=True)


def triggers_table(a, *, lang: str = "zh", unit_id: str | None = None) -> pd.DataFrame:
    """Talk triggers (约谈提醒) of the year with their evidence, one row per unit and trigger.

    When the build ran the uncertainty flags, also the firing probability (触发概率, ``"79%"``):
    the share of the Monte Carlo draws in which the trigger fires. With ``unit_id``, only that
    unit's triggers (a unit's page).
    """
    _check_lang(lang, "triggers_table")
    tr = a.triggers if unit_id is None else a.triggers[a.triggers["unit_id"] == unit_id]
    cols = ["name", "peer_group", "trigger", "evidence", *(["p_fire"] if "p_fire" in tr else [])]
    labels = _labels(lang)
    if tr.empty:
        return pd.DataFrame(columns=[labels[c] for c in cols])
    out = pd.DataFrame({
        "name": tr["unit_id"].map(_unit_names(a, lang)),
        "peer_group": tr["unit_id"].map(a.units.set_index("unit_id")["peer_group"]).map(
            lambda g: _group_name(g, lang)),
        "trigger": tr["label"], "evidence": tr["evidence"]})
    if "p_fire" in tr:
        out["p_fire"] = tr["p_fire"].map(lambda p: f"{p:.0%}")
    return out.rename(columns=labels).reset_index(drop=True)


def year_over_year(a, ws, previous=None, *, lang: str = "zh") -> pd.DataFrame:
    """Rank and grade per unit last year and this year, with the change (上年排名 → 排名).

    Parameters
    ----------
    a : Assessment
        This year's assessment.
    ws : Workspace
    previous : Assessment, optional
        Last year's; by default built from ``ws`` with the same scheme
        (``build(ws, a.scheme, a.year - 1)``, without uncertainty flags).
    lang : {"zh", "en", "both"}

    Returns
    -------
    DataFrame
        ``单位, 同类比较组, 上年排名, 排名, 排名变化, 上年等次, 等次, 等次变化`` (English with
        ``lang="en"``), in the order of :func:`ranking`; a change is ``↑2`` (two places up),
        ``↓1`` or ``—``, a unit without last year's result shows ``新 new``. Empty when the year
        is the first of the data (no previous year).
    """
    _check_lang(lang, "year_over_year")
    cols = [_pick(zh, en, lang) for zh, en in (
        ("单位", "Unit"), ("同类比较组", "Peer group"), ("上年排名", "Rank last year"),
        ("排名", "Rank"), ("排名变化", "Rank change"), ("上年等次", "Grade last year"),
        ("等次", "Grade"), ("等次变化", "Grade change"))]
    if previous is None:
        if a.year - 1 not in ws.years:
            return pd.DataFrame(columns=cols)
        previous = build(ws, a.scheme.replace("uncertainty_flags", None)
                         if a.scheme.spec.get("uncertainty_flags") else a.scheme, a.year - 1)
    now = ranking(a, ws, lang=lang)
    before = previous.scores[previous.scores["node"] == previous.root].set_index("unit_id")
    rank_prev = now["unit_id"].map(before["rank"]).astype("Int64")
    grade_prev = now["unit_id"].map(before["grade"])
    order = {g["name"]: i for i, g in enumerate(a.scheme.spec["grades"])}
    new = _pick("新", "new", lang)

    rank_change = [new if pd.isna(p) or pd.isna(r) else _arrow(int(p) - int(r))
                   for p, r in zip(rank_prev, now["rank"])]
    grade_change = [new if pd.isna(p) else _arrow(order.get(p, 0) - order.get(g, 0), steps=False)
                    for p, g in zip(grade_prev, now["grade"])]
    out = pd.DataFrame({
        "name": now["name"], "peer_group": now["peer_group"].map(lambda g: _group_name(g, lang)),
        "rank_prev": rank_prev, "rank": now["rank"], "rank_change": rank_change,
        "grade_prev": grade_prev.fillna("—"), "grade": now["grade"],
        "grade_change": grade_change})
    out.columns = cols
    return out


def _arrow(up: int, *, steps: bool = True) -> str:
    """``↑2`` (up two places), ``↓1``, ``—`` (unchanged); only the arrow without ``steps``."""
    if up == 0:
        return "—"
    return ("↑" if up > 0 else "↓") + (f"{abs(up)}" if steps else "")


def consistency_table(a, ws, *, threshold: float = 0.10) -> pd.DataFrame:
    """Consistency of the expert judgements behind the weights (专家判断一致性).

    One row per node weighted by AHP and per expert (and the panel's combined matrix): the
    consistency ratio (Saaty 1980) and whether it stays within ``threshold``; the report shows
    this table instead of the warnings a build raises for inconsistent judgements.
    """
    names = ws.labels("zh")
    rows = []
    for rec in a.log:
        cr = rec.resolved.diagnostics.get("cr") if rec.step == "weight" else None
        if cr is None:
            continue
        crs = cr if isinstance(cr, pd.Series) else pd.Series({"(single)": cr})
        node = rec.params["node"]
        rows += [(f"{names.get(node, node)} {node}", expert, f"{float(v):.3f}",
                  "是 yes" if v <= threshold else "否 no") for expert, v in crs.items()]
    return pd.DataFrame(rows, columns=["节点 Node", "专家 Expert", "一致性比率 CR",
                                       f"一致 CR ≤ {threshold:g}"])


def uncertainty_note(a) -> str:
    """What the rank band, 等次存疑 and the firing probability mean (Markdown, Chinese and
    English), with this year's numbers; or why the report shows no bands."""
    rec = flags_record(a)
    if rec is None:
        if a.scheme.spec["uncertainty"]:
            return ("本报告未计算排名区间（抽样次数为 0）。 The rank bands were not computed "
                    "(0 draws; `zhengji report --draws N` computes them over the scheme's "
                    "`uncertainty` section).")
        return ("考核方案未设不确定性分析（`uncertainty`），排名不附区间。 The scheme has no "
                "`uncertainty` section: ranks are shown without bands.")
    lo, hi = rec.params["band"]
    n, seed = rec.resolved.draws, rec.params["seed"]
    names = [escape_markdown(i) for i in rec.resolved.inputs]
    inputs = "、".join(names)
    root = a.scores["node"] == a.root
    k, total = int(a.scores.loc[root, "grade_uncertain"].sum()), int(root.sum())
    m, t = int(a.triggers["uncertain"].sum()), len(a.triggers)
    q = f"{lo:.0%}–{hi:.0%}"
    return (
        f"**排名区间**：按方案的不确定性设置（{inputs}）随机抽取 {n} 次（随机种子 {seed}）重新计算，"
        f"单位排名的 {q} 分位区间；区间越宽，排名越依赖方案中仍有争议的选择。排名区间跨越等次分界的"
        f"等次标为**等次存疑**（本年度 {k}/{total} 个），评定时应结合具体情况审慎使用。约谈提醒的"
        f"**触发概率**是抽样中该提醒仍会触发的比例，低于 {hi:.0%} 的提醒（{m}/{t} 条）处在方案选择的"
        f"误差范围内。\n\n"
        f"The **rank band** is the {q} range of a unit's rank over {n} Monte Carlo draws of the "
        f"scheme's uncertain choices ({', '.join(names)}; seed {seed}): the wider "
        f"it is, the more the rank depends on choices still open to debate. A grade whose band "
        f"straddles a grade boundary is marked **等次存疑** (uncertain; {k} of {total} this year) "
        f"and should not be the sole ground for a decision. A talk trigger's **firing "
        f"probability** (触发概率) is the share of draws in which it still fires; below "
        f"{hi:.0%} ({m} of {t}) it lies within the noise of the scheme's choices.")


def title(a, ws) -> str:
    """The report title (Markdown): workspace, year, scheme and its description (workspace text
    escaped, :func:`~zhengji_lab.report.escape.escape_markdown`)."""
    name = escape_markdown(ws.title("zh") or "")
    desc = escape_markdown(str(a.scheme.spec.get("description") or "").strip())
    head = f"# {name} {a.year} 年度综合考核报告 · Yearly assessment report".replace("#  ", "# ")
    sub = (f"考核方案 Scheme **{escape_markdown(a.scheme.spec['name'])}**"
           + (f" — {desc}" if desc else ""))
    return f"{head}\n\n{sub}  \n方案指纹 Fingerprint `{a.provenance['fingerprint']}`"


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


# -- result files --------------------------------------------------------------------------------
def result_tables(a, ws) -> dict[str, pd.DataFrame]:
    """The tidy results that ``write_results`` writes, by name (:data:`RESULT_TABLES`).

    ``ranking`` carries Chinese labels alongside the English codes (``排名 rank``); the others
    keep the tidy code columns of :class:`~zhengji_lab.Assessment`.
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
