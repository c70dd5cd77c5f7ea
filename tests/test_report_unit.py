"""Tests of zhengji_lab.report.unit: one unit's page of the yearly report, against numbers
computed directly from the run's assessments on the sample city (2025, scheme "baseline").

The notebook itself (parameters, thinness, a run with its defaults) is checked by
tests/test_notebooks.py; the run here with a unit named ``<script>…`` starts a kernel and is
marked slow.
"""
import dataclasses
import shutil

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import DATA, ROOT

import zhengji_lab as zl

YEAR = 2025
SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def run(sample_ws, baseline):
    """The run's data: every year of the sample city up to 2025, rank bands of 200 draws."""
    return zl.report.prepare_run(sample_ws, baseline, YEAR, draws=200, seed=1)


def _root(a, unit_id):
    s = a.scores
    return s[(s["node"] == a.root) & (s["unit_id"] == unit_id)].iloc[0]


# -- title and header ----------------------------------------------------------------------------
def test_title_is_one_line_with_both_names(run):
    assert zl.report.unit_title(run, "town_yunxi") == \
        "# 云溪街道 2025 年度考核 · Yunxi Subdistrict, 2025 assessment"


def test_header(run):
    a = run.assessment
    row = _root(a, "town_liuwan")
    n = int((a.units["peer_group"] == "towns_parks").sum())
    head = zl.report.unit_header(run, "town_liuwan")
    assert "**柳湾镇** Liuwan Town" in head
    assert "镇/街道 towns" in head and "园镇 towns and parks" in head
    assert f"**{int(row['rank'])}** / {n}" in head
    assert f"{row['rank_lo']:g}–{row['rank_hi']:g}" in head
    assert f"**{row['grade']}**" in head
    assert ("等次存疑" in head) == bool(row["grade_uncertain"])
    assert "返回全市报告" not in head                                 # no link asked for
    linked = zl.report.unit_header(run, "town_liuwan", city_report="../city_report.html")
    assert linked.splitlines()[-1] == \
        "- [← 返回全市报告 Back to the city report](../city_report.html)"
    # the mark follows the flag: a unit whose grade is uncertain, and one whose grade is not
    flags = a.scores[a.scores["node"] == a.root].set_index("unit_id")["grade_uncertain"]
    sure, unsure = flags[flags == False].index[0], flags[flags == True].index[0]
    assert "等次存疑" not in zl.report.unit_header(run, sure)
    assert "等次存疑" in zl.report.unit_header(run, unsure)


def test_header_link_must_be_relative_or_http(run):
    with pytest.raises(ValueError, match=r"'city_report' parameter .* Got 'javascript:alert"):
        zl.report.unit_header(run, "town_yunxi", city_report="javascript:alert(1)")
    head = zl.report.unit_header(run, "town_yunxi", city_report="../city report (2025).html")
    assert "(../city%20report%20%282025%29.html)" in head


# -- history -------------------------------------------------------------------------------------
def test_history_one_row_per_year(run):
    h = zl.report.unit_history(run, "town_yunxi")
    assert list(h.columns) == ["年度", "综合得分", "排名", "排名区间", "等次", "等次存疑"]
    assert list(h["年度"]) == sorted(run.assessments) == list(range(2019, 2026))
    for (_, r), (year, a) in zip(h.iterrows(), run.assessments.items()):
        want = _root(a, "town_yunxi")
        assert r["排名"] == want["rank"] and r["等次"] == want["grade"]
        assert r["综合得分"] == pytest.approx(want["score"])
        if "rank_lo" in a.scores.columns:
            assert r["排名区间"] == f"{want['rank_lo']:g}–{want['rank_hi']:g}"
            assert r["等次存疑"] == ("存疑" if want["grade_uncertain"] else "")
        else:                                       # a year whose bands were not drawn
            assert r["排名区间"] == "—" and any(str(year) in n for n in run.notes)


def test_rank_history_plot(run):
    before = plt.get_fignums()
    fig = zl.report.rank_history_plot(run, "town_yunxi")
    assert plt.get_fignums() == before                            # closed: nothing left open
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    assert lo > hi and hi < 1 < lo                                  # rank 1 at the top
    assert len(ax.collections) >= 1                                 # the band, shaded
    line = ax.lines[0]
    assert list(line.get_xdata()) == list(run.assessments)
    ranks = [_root(a, "town_yunxi")["rank"] for a in run.assessments.values()]
    np.testing.assert_array_equal(line.get_ydata(), ranks)


# -- peer group ----------------------------------------------------------------------------------
def test_peer_comparison_against_direct_pandas(run, sample_ws):
    a = run.assessment
    t = zl.report.peer_comparison(run, "park_etdz")
    assert list(t.columns) == ["维度", "本单位得分", "组内中位数", "组内最高", "组内排名",
                               "组内单位数"]
    dims = list(dict.fromkeys(a.weights.loc[a.weights["parent"] == a.root, "node"]))
    names = sample_ws.labels("zh")
    assert list(t["维度"]) == ["综合得分"] + [names[d] for d in dims]
    group = a.units.loc[a.units["unit_id"] == "park_etdz", "peer_group"].iloc[0]
    peers = a.units.loc[a.units["peer_group"] == group, "unit_id"]
    for (_, r), node in zip(t.iterrows(), [a.root, *dims]):
        s = a.scores[(a.scores["node"] == node) & a.scores["unit_id"].isin(peers)]
        own = s[s["unit_id"] == "park_etdz"].iloc[0]
        assert r["组内中位数"] == pytest.approx(s["score"].median())
        assert r["组内最高"] == pytest.approx(s["score"].max())
        assert r["本单位得分"] == pytest.approx(own["score"])
        assert r["组内排名"] == own["rank"]
        assert r["组内单位数"] == s["score"].notna().sum()


def test_peer_plot(run):
    before = plt.get_fignums()
    fig = zl.report.peer_plot(run, "town_yunxi", lang="en")
    assert plt.get_fignums() == before
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == "Index" and "Economic development" in labels


# -- strengths, targets --------------------------------------------------------------------------
def test_strengths_come_from_strengths_weaknesses(run):
    sw = zl.strengths_weaknesses(run.assessment, "town_yunxi", n=5).frame
    t = zl.report.unit_strengths(run, "town_yunxi")
    assert list(t.columns) == ["类别", "指标", "维度", "组内排名", "参与排名单位数", "数值",
                               "计量单位"]
    assert list(t["指标"]) == list(sw["name_zh"])
    assert list(t["组内排名"]) == list(sw["rank"])
    assert list(t["类别"]) == ["优势"] * 5 + ["弱项"] * 5
    en = zl.report.unit_strengths(run, "town_yunxi", lang="en")
    assert list(en["Indicator"]) == list(sw["name_en"])


def test_targets_met_flags(run):
    # targets.csv: town_liuwan declares 13.4 for ind_featured_industry 2022-2025;
    # values.csv: 11.0, 15.9, 16.1, 18.4
    t = zl.report.unit_targets(run, "town_liuwan")
    assert list(t.columns) == ["年度", "指标", "目标值", "实际值", "是否完成", "目标来源"]
    assert list(t["年度"]) == [2022, 2023, 2024, 2025]
    assert set(t["指标"]) == {"特色产业产值增速"}
    assert list(t["目标值"]) == ["13.4"] * 4
    assert list(t["实际值"]) == ["11", "15.9", "16.1", "18.4"]
    assert list(t["是否完成"]) == ["否", "是", "是", "是"]
    assert list(t["目标来源"]) == ["自主申报", "专家论证", "专家论证", "专家论证"]
    # a lower-is-better indicator is met at or below its target
    ws = run.workspace
    fw = ws.framework.copy()
    fw.loc[fw["code"] == "ind_featured_industry", "direction"] = -1
    lower = dataclasses.replace(run, workspace=dataclasses.replace(ws, framework=fw))
    assert list(zl.report.unit_targets(lower, "town_liuwan")["是否完成"]) == \
        ["是", "否", "否", "否"]
    en = zl.report.unit_targets(run, "town_liuwan", lang="en")
    assert list(en["Met"]) == ["no", "yes", "yes", "yes"]
    assert en["Target source"].iloc[0] == "self-declared"


def test_targets_of_a_unit_without_individualized_indicators(run):
    t = zl.report.unit_targets(run, "town_yunxi")
    assert t.empty and "是否完成" in t.columns


def test_targets_stop_at_the_reporting_year(run):
    ws = run.workspace
    later = pd.DataFrame({"unit_id": ["town_liuwan"], "year": [YEAR + 1],
                          "indicator": ["ind_featured_industry"], "target": [99.0],
                          "target_source": ["self_declared"]})
    more = dataclasses.replace(ws, targets=pd.concat([ws.targets, later], ignore_index=True))
    t = zl.report.unit_targets(dataclasses.replace(run, workspace=more), "town_liuwan")
    assert t["年度"].max() == YEAR


# -- deductions and triggers ---------------------------------------------------------------------
def test_deductions_of_the_unit(run):
    a = run.assessment
    assert zl.report.unit_deductions(run, "town_yunxi").empty        # none this year
    d = zl.report.unit_deductions(run, "soe_assets")
    assert list(d.columns) == ["减分事项", "扣分", "实扣", "封顶"]
    want = a.deductions.set_index("unit_id").loc["soe_assets"]
    assert len(d) == 1 and d["实扣"].iloc[0] == pytest.approx(want["applied"])
    assert "环保问题" in d["减分事项"].iloc[0] and "信访" in d["减分事项"].iloc[0]
    # the same row as in the city report's table
    city = zl.report.deductions_table(a, run.workspace)
    assert city[city["单位"] == "青川国有资产投资经营公司"].iloc[0, 2:].tolist() == \
        d.iloc[0].tolist()
    assert zl.report.deductions_table(a, run.workspace, unit_id="town_yunxi").empty


def test_triggers_of_the_unit(run):
    a = run.assessment
    assert zl.report.unit_triggers(run, "town_yunxi").empty
    t = zl.report.unit_triggers(run, "agency_hrss")
    want = a.triggers[a.triggers["unit_id"] == "agency_hrss"]
    assert list(t.columns) == ["约谈类型", "依据", "触发概率"]
    assert list(t["依据"]) == list(want["evidence"])
    assert list(t["触发概率"]) == [f"{p:.0%}" for p in want["p_fire"]]
    full = zl.report.triggers_table(a, unit_id="agency_hrss")
    assert len(full) == len(want) and set(full["单位"]) == {"市人力资源和社会保障局"}


# -- change since last year ----------------------------------------------------------------------
def test_change_since_last_year(run):
    a, prev = run.assessment, run.previous
    t = zl.report.unit_change(run, "town_yunxi")
    assert list(t.columns) == ["项目", "上年", "本年", "变化"]
    now, before = _root(a, "town_yunxi"), _root(prev, "town_yunxi")
    rank = t.set_index("项目").loc["排名"]
    assert (rank["上年"], rank["本年"]) == (str(before["rank"]), str(now["rank"]))
    up = int(before["rank"]) - int(now["rank"])
    assert rank["变化"] == ("—" if up == 0 else f"↑{up}" if up > 0 else f"↓{-up}")
    composite = t.set_index("项目").loc["综合得分"]
    assert composite["本年"] == f"{now['score']:.1f}"
    diff = round(now["score"] - before["score"], 1)
    assert composite["变化"] == f"{diff:+.1f}".replace("-", "−")
    assert len(t) == 2 + 1 + 5                      # rank, grade, composite, five dimensions


def test_first_year_has_no_change(sample_ws, baseline):
    first = zl.report.prepare_run(sample_ws, baseline, 2019, draws=0)
    assert first.previous is None
    assert zl.report.unit_change(first, "town_yunxi").empty
    assert len(zl.report.unit_history(first, "town_yunxi")) == 1


# -- language, notes, errors ---------------------------------------------------------------------
def test_english_labels(run):
    en = dataclasses.replace(run, lang="en")                 # the page's language by default
    assert list(zl.report.unit_history(en, "town_yunxi").columns) == \
        ["Year", "Index", "Rank", "Rank band", "Grade", "Uncertain grade"]
    assert list(zl.report.peer_comparison(en, "town_yunxi")["Dimension"])[:2] == \
        ["Index", "Economic development"]
    assert list(zl.report.unit_change(en, "town_yunxi").columns) == \
        ["Item", "Last year", "This year", "Change"]
    assert list(zl.report.unit_deductions(en, "town_liuwan").columns) == \
        ["Items", "Points", "Applied", "Capped"]
    assert zl.report.unit_history(en, "town_yunxi", lang="zh").columns[0] == "年度"
    with pytest.raises(ValueError, match=r"'lang' parameter of unit_history\(\)"):
        zl.report.unit_history(run, "town_yunxi", lang="fr")


def test_run_notes(run):
    assert run.notes and zl.report.run_notes(dataclasses.replace(run, notes=())) == ""
    text = zl.report.run_notes(dataclasses.replace(run, notes=(f"2020: not built ({SCRIPT})",)))
    assert text.startswith("### 运行说明 Notes of the run")
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in text and "<script" not in text


FUNCTIONS = ["unit_title", "unit_header", "unit_history", "rank_history_plot", "peer_comparison",
             "peer_plot", "unit_strengths", "unit_targets", "unit_deductions", "unit_triggers",
             "unit_change"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_unknown_unit_names_the_closest(run, name):
    with pytest.raises(ValueError, match=rf"'unit_id' parameter of {name}\(\).*Got 'town_yunx' "
                                         r"instead; did you mean 'town_yunxi'\? Closest unit "
                                         r"codes: 'town_yunxi', "):
        getattr(zl.report, name)(run, "town_yunx")


def test_unit_not_assessed_this_year(run):
    ws = run.workspace
    extra = pd.concat([ws.units, ws.units.iloc[[0]].assign(unit_id="town_new")],
                      ignore_index=True)
    data = dataclasses.replace(run, workspace=dataclasses.replace(ws, units=extra))
    with pytest.raises(ValueError, match=r"Unit 'town_new' is in the workspace but was not "
                                         r"assessed in 2025"):
        zl.report.unit_history(data, "town_new")


# -- the page, run with a unit named <script> (issue 11) ------------------------------------------
@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, baseline):
    """The sample city with town_qingshi named ``<script>…`` (and ``<img …>`` in English), the
    run's data saved as ``zhengji report`` passes it to the page."""
    folder = tmp_path_factory.mktemp("hostile_unit")
    shutil.copytree(DATA / "sample_city", folder / "city")
    units = pd.read_csv(folder / "city" / "units.csv", encoding="utf-8-sig", keep_default_na=False)
    units.loc[units["unit_id"] == "town_qingshi", ["name_zh", "name_en"]] = [SCRIPT, IMG]
    units.to_csv(folder / "city" / "units.csv", index=False, encoding="utf-8-sig")
    ws = zl.load_workspace(folder / "city")
    data = zl.report.prepare_run(ws, baseline, YEAR, draws=0)
    return data, data.save(folder / "run.pkl")


def test_hostile_names_are_escaped_in_tables_and_markdown(hostile_run):
    data, _ = hostile_run
    for text in (zl.report.unit_title(data, "town_qingshi"),
                 zl.report.unit_header(data, "town_qingshi")):
        assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in text
        assert "<script" not in text and "<img" not in text
    title = zl.report.unit_title(data, "town_qingshi").splitlines()[0]
    assert zl.report.escape.unescape_markdown(title) == \
        f"# {SCRIPT} 2025 年度考核 · {IMG}, 2025 assessment"


@pytest.mark.slow
def test_hostile_names_are_escaped_in_the_executed_page(hostile_run, tmp_path):
    import papermill as pm

    _, path = hostile_run
    out = tmp_path / "town_qingshi.ipynb"
    pm.execute_notebook(str(zl.report.notebook_path(zl.report.UNIT_NOTEBOOK)), str(out),
                        parameters={"unit_id": "town_qingshi", "run_data": str(path),
                                    "city_report": "../city_report.html"},
                        cwd=str(ROOT / "notebooks"), kernel_name="python3", language="python",
                        progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = " ".join(str(v) for o in outputs for k, v in o.get("data", {}).items()
                     if k in ("text/markdown", "text/html", "image/svg+xml"))
    assert "&lt;script&gt;alert" in shown and "&lt;img src=x" in shown
    assert "<script" not in shown and "<img" not in shown
    html = zl.report.export_html(out, tmp_path / "town_qingshi.html").read_text(encoding="utf-8")
    # (the page's own <img> tags are its SVG figures, as data: addresses)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; 2025 年度考核" in html
    assert 'href="../city_report.html"' in html
