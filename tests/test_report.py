"""Tests of zhengji_lab.report: report tables, result files and the rendering of the report notebook
(the notebook itself is checked and run by tests/test_notebooks.py).

The rendering tests start a Jupyter kernel (about 1 s) and run the whole notebook (several
seconds each), so they are few and marked slow.
"""
import re
import unicodedata
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import zhengji_lab as zl
from zhengji_lab.report.excel import ABOUT_SHEET

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_city"


@pytest.fixture(scope="module")
def assessment(sample_ws, baseline):
    return zl.build(sample_ws, baseline, 2025)


@pytest.fixture(scope="module")
def flagged(sample_ws, baseline):
    """The report's build: the uncertainty flags over the scheme's uncertainty section."""
    return zl.report.yearly_assessment(sample_ws, baseline, 2025, draws=200, seed=1)


# -- the notebook (its parameters, thinness and run: tests/test_notebooks.py) --------------------
def test_notebook_path_missing_names_the_fix():
    with pytest.raises(FileNotFoundError, match=r"missing\.ipynb does not exist.*pip install -e"):
        zl.report.notebook_path("missing.ipynb")


# -- tables ---------------------------------------------------------------------------------------
def test_ranking_tables_one_per_peer_group(assessment, sample_ws):
    tables = zl.report.ranking_tables(assessment, sample_ws)
    groups = assessment.units["peer_group"].unique()
    assert len(tables) == len(groups)
    assert next(iter(tables)).startswith("园镇")               # units-table order, towns first
    for t in tables.values():
        assert list(t.columns[:3]) == ["排名", "单位", "综合得分"]
        assert list(t.columns[-2:]) == ["减分", "等次"]
        assert t["排名"].iloc[0] == 1 and t["排名"].is_monotonic_increasing
        assert t["综合得分"].is_monotonic_decreasing
        assert set(t["等次"].dropna()) <= {"一等", "二等", "三等"}
    all_names = pd.concat(tables.values())["单位"]
    assert set(all_names) == set(assessment.units["name_zh"])
    assert "经济发展" in next(iter(tables.values())).columns


def test_ranking_codes_and_labels(assessment, sample_ws):
    t = zl.report.ranking(assessment, sample_ws)
    assert list(t.columns[:5]) == ["peer_group", "rank", "unit_id", "name", "index"]
    idx = assessment.index.reindex(t["unit_id"]).to_numpy()
    assert (t["index"].to_numpy() == idx).all()
    both = zl.report.ranking(assessment, sample_ws, lang="both", labels=True)
    assert {"排名 rank", "等次 grade", "经济发展 economy"} <= set(both.columns)
    with pytest.raises(ValueError, match=r"'lang' parameter of ranking\(\) must be one of"):
        zl.report.ranking(assessment, sample_ws, lang="fr")


def test_deductions_and_triggers_tables(assessment, sample_ws):
    d = zl.report.deductions_table(assessment, sample_ws)
    assert list(d.columns) == ["单位", "同类比较组", "减分事项", "扣分", "实扣", "封顶"]
    assert d["实扣"].sum() == pytest.approx(assessment.deductions["applied"].sum())
    item_names = set(sample_ws.deduction_items["name_zh"])
    assert all(any(n in text for n in item_names) for text in d["减分事项"])
    t = zl.report.triggers_table(assessment)
    assert len(t) == len(assessment.triggers)
    assert list(t["依据"]) == list(assessment.triggers["evidence"])


def test_headline_title_provenance(assessment, sample_ws):
    fp = assessment.provenance["fingerprint"]
    h = zl.report.headline(assessment)
    assert "2025" in h["数值 Value"].tolist() and fp in " ".join(h["数值 Value"])
    title = zl.report.title(assessment, sample_ws)
    assert title.startswith("# ") and "2025" in title and "baseline" in title and fp in title
    assert title.startswith("# 青川市 2025 年度综合考核报告")        # the name, not sample_city
    p = zl.report.provenance_table(assessment)
    assert {fp, zl.__version__, assessment.provenance["data_hash"]} <= set(p["数值 Value"])


def test_yearly_assessment_reuses_the_build_flags(flagged, sample_ws, baseline):
    """The report's flags are zl.build's (flag_uncertain), under the approved scheme's name."""
    assert flagged.scheme == baseline
    assert flagged.provenance["fingerprint"] == baseline.fingerprint()
    same = zl.build(sample_ws, baseline.replace(
        "uncertainty_flags", {"n": 200, "seed": 1, "band": [0.05, 0.95]}), 2025)
    pd.testing.assert_frame_equal(flagged.scores, same.scores)
    pd.testing.assert_frame_equal(flagged.triggers, same.triggers)
    assert flagged.log[-1].step == "uncertainty_flags" and flagged.log[-1].params["n"] == 200
    off = zl.report.yearly_assessment(sample_ws, baseline, 2025, draws=0)
    assert "rank_lo" not in off.scores and "p_fire" not in off.triggers
    assert "0 draws" in zl.report.uncertainty_note(off)
    with pytest.raises(ValueError, match=r"'draws' parameter of yearly_assessment\(\) must be 0"):
        zl.report.yearly_assessment(sample_ws, baseline, 2025, draws=1)
    with pytest.raises(TypeError, match=r"'seed' parameter .* whole number. Got '1'"):
        zl.report.yearly_assessment(sample_ws, baseline, 2025, seed="1")


def test_tables_show_rank_bands_and_uncertain_grades(flagged, assessment, sample_ws):
    r = zl.report.ranking(flagged, sample_ws)
    assert list(r.columns[-3:]) == ["grade_uncertain", "rank_lo", "rank_hi"]
    assert (r["rank_lo"] <= r["rank_hi"]).all() and r["grade_uncertain"].any()
    tables = zl.report.ranking_tables(flagged, sample_ws)
    t = pd.concat(tables.values())
    cols = list(t.columns)
    assert cols[cols.index("排名") + 1] == "排名区间" and cols[-1] == "等次存疑"
    assert all(re.fullmatch(r"[\d.]+–[\d.]+", b) for b in t["排名区间"])
    assert (t["等次存疑"] == "存疑").sum() == r["grade_uncertain"].sum()
    tr = zl.report.triggers_table(flagged)
    assert all(re.fullmatch(r"\d+%", p) for p in tr["触发概率"])
    h = dict(zip(*zl.report.headline(flagged).T.to_numpy()))
    assert h["等次存疑 Uncertain grades"].startswith(f"{int(r['grade_uncertain'].sum())} / 46")
    note = zl.report.uncertainty_note(flagged)
    assert "排名区间" in note and "200" in note and "5%–95%" in note
    # without the flags the tables are as before
    assert "排名区间" not in pd.concat(zl.report.ranking_tables(assessment, sample_ws).values())
    assert "触发概率" not in zl.report.triggers_table(assessment)
    assert "not computed" in zl.report.uncertainty_note(assessment)


def test_provenance_table_is_readable(flagged, baseline):
    """A tidy table of names and rounded numbers, not Python reprs (issue 11)."""
    p = zl.report.provenance_table(flagged)
    assert list(p.columns) == ["步骤 Step", "项目 Item", "数值 Value"]
    text = " ".join(p.astype(str).to_numpy().ravel())
    for repr_mark in ("{", "}", "Series", "dtype", "array(", "np.float", "MappingProxy"):
        assert repr_mark not in text, repr_mark
    assert not re.search(r"\d\.\d{5,}", text)                       # numbers rounded
    source = dict(zip(p.loc[p["步骤 Step"] == "来源 provenance", "项目 Item"],
                      p.loc[p["步骤 Step"] == "来源 provenance", "数值 Value"]))
    assert source["方案指纹 Scheme fingerprint"] == baseline.fingerprint()
    assert source["随机种子 Seed"] == "1" and source["抽样次数 Draws"] == "200"
    assert {"zhengji_lab", "pandas", "numpy", "scipy"} <= set(source)
    steps = set(p["步骤 Step"])
    assert {"选取 select", "汇总 aggregate", "不确定性 uncertainty"} <= steps
    assert "赋权 weight · 民生保障 livelihood" in steps
    cr = p.loc[p["项目 Item"] == "一致性比率 CR", "数值 Value"].iloc[0]
    assert cr.startswith("expert_1 0.0") and len(cr.split("; ")) == 8


def test_labels_come_from_the_one_label_module(assessment, sample_ws):
    """The report's column labels and group names are those of zhengji_lab.labels."""
    from zhengji_lab.labels import COLUMN_LABELS, COLUMN_LABELS_EN, GROUP_LABELS

    assert set(COLUMN_LABELS_EN) <= set(COLUMN_LABELS)
    assert zl.report.GROUP_LABELS is GROUP_LABELS
    en = zl.report.column_labels(assessment, sample_ws, lang="en")
    zh = zl.report.column_labels(assessment, sample_ws, lang="zh")
    for code in ("rank", "grade", "points", "evidence"):
        assert (zh[code], en[code]) == (COLUMN_LABELS[code], COLUMN_LABELS_EN[code])
    assert (zh["name"], en["name"]) == (COLUMN_LABELS["unit"], COLUMN_LABELS_EN["unit"])
    t = zl.report.triggers_table(assessment, lang="en")
    assert list(t.columns) == ["Unit", "Peer group", "Trigger", "Evidence"]


def test_show_aligns_text_left_and_handles_empty():
    df = pd.DataFrame({"单位": ["甲", "乙"], "score": [1.234, 5.0]})
    html = zl.report.show(df).to_html()
    assert "1.2" in html and "text-align: left" in html and "<th" in html
    assert "blank level0" not in html                           # index hidden
    empty = zl.report.show(df.iloc[:0], empty="无 None")
    assert "无 None" in empty.data


def _display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_format_ranking_is_aligned(assessment, sample_ws):
    text = zl.report.format_ranking(assessment, sample_ws)
    blocks = re.split(r"^== .* ==$", text, flags=re.MULTILINE)[1:]
    assert len(blocks) == assessment.units["peer_group"].nunique()
    for block in blocks:
        widths = {_display_width(ln) for ln in block.strip("\n").splitlines()}
        assert len(widths) == 1, f"rows of different display width: {widths}"


# -- result files ---------------------------------------------------------------------------------
def test_write_results_csv_xlsx_and_refuses_overwrite(assessment, sample_ws, tmp_path):
    import openpyxl

    out = tmp_path / "res"
    paths = zl.report.write_results(assessment, sample_ws, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.csv" for n in zl.report.RESULT_TABLES] + ["results.xlsx"])
    scores = pd.read_csv(paths["scores"], encoding="utf-8-sig")
    assert list(scores.columns) == ["unit_id", "year", "node", "score", "rank", "grade"]
    assert len(scores) == len(assessment.scores)
    book = openpyxl.load_workbook(paths["workbook"], read_only=True)
    assert book.sheetnames == [ABOUT_SHEET, *zl.report.RESULT_TABLES]
    about = dict(book[ABOUT_SHEET].iter_rows(min_row=2, values_only=True))
    assert about["标题 Title"].startswith("青川市 2025") and about["考核对象 Workspace"] == "青川市"
    header = [c.value for c in next(book["ranking"].iter_rows(max_row=1))]
    assert {"排名 rank", "单位名称 name_zh", "等次 grade", "经济发展 economy"} <= set(header)
    book.close()
    before = paths["scores"].stat().st_mtime_ns
    with pytest.raises(FileExistsError, match=r"already holds results.*overwrite=True"):
        zl.report.write_results(assessment, sample_ws, out)
    assert paths["scores"].stat().st_mtime_ns == before
    zl.report.write_results(assessment, sample_ws, out, overwrite=True)


# -- rendering: tests/test_report_run.py (the yearly run) and tests/adversarial/ -------------------


def test_consistency_table_lists_each_experts_cr(sample_ws, baseline):
    """The report shows the AHP consistency ratios (Saaty 1980) instead of raw warnings."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = zl.build(sample_ws, baseline, 2025)
    t = zl.report.consistency_table(a, sample_ws)
    assert len(t) == 8  # 7 experts and the combined matrix, for the livelihood node
    bad = t[t.iloc[:, 3] == "否 no"]["专家 Expert"].tolist()
    assert bad == ["expert_3", "expert_5"]
    equal = zl.build(sample_ws, baseline.replace("weights", {"*": {"method": "equal"}}), 2025)
    assert zl.report.consistency_table(equal, sample_ws).empty


# -- escaping and year-over-year change (issue 11) ------------------------------------------------
SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, baseline):
    """The sample city with a unit named ``<script>…`` and a deduction noted ``<img …>``, and
    the scheme described with markup."""
    folder = tmp_path_factory.mktemp("hostile") / "city"
    import shutil

    shutil.copytree(SAMPLE, folder)
    for name, col, value in (("units.csv", "name_zh", SCRIPT), ("deductions.csv", "note", IMG)):
        t = pd.read_csv(folder / name, encoding="utf-8-sig", keep_default_na=False)
        t.loc[t["unit_id"] == "town_qingshi", col] = value
        t.to_csv(folder / name, index=False, encoding="utf-8-sig")
    ws = zl.load_workspace(folder)
    scheme = baseline.replace("description", f"**{IMG}** # [x](javascript:alert(1))")
    return ws, zl.build(ws, scheme, 2025)


def test_workspace_text_is_escaped_in_html_and_markdown(hostile):
    ws, a = hostile
    pages = [zl.report.show(t).to_html() for t in zl.report.ranking_tables(a, ws).values()]
    pages += [zl.report.show(zl.report.deductions_table(a, ws)).to_html(),
              zl.report.show(zl.report.year_over_year(a, ws)).to_html()]
    html = "".join(pages)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html and "<img" not in html
    # the tables themselves keep the text as it is (CSV files, the workbook)
    assert SCRIPT in set(zl.report.ranking(a, ws)["name"])
    title = zl.report.title(a, ws)
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in title and "<img" not in title
    assert "\\*\\*" in title and "\\[x\\]\\(javascript" in title
    assert zl.report.escape_markdown("a\n# b") == "a \\# b"        # no heading of its own


def test_export_html_escapes_workspace_text(hostile, tmp_path):
    """The HTML page of a notebook whose outputs quote workspace text shows it as text."""
    ws, a = hostile
    nb = nbformat.v4.new_notebook()
    title = nbformat.v4.new_code_cell("", metadata={"tags": [zl.report.TITLE_TAG]})
    title.outputs = [nbformat.v4.new_output("display_data", data={
        "text/markdown": zl.report.title(a, ws)})]
    table = nbformat.v4.new_code_cell("")
    table.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": zl.report.show(zl.report.deductions_table(a, ws)).to_html(),
        "text/markdown": "### " + zl.report.escape_markdown(SCRIPT)})]
    nb.cells = [title, table]
    path = tmp_path / "hostile.ipynb"
    nbformat.write(nb, path)
    text = zl.report.export_html(path, tmp_path / "hostile.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<script" not in text and "<img" not in text
    assert "<title>青川市 2025 年度综合考核报告" in text


def test_year_over_year(assessment, sample_ws, baseline):
    y = zl.report.year_over_year(assessment, sample_ws)
    assert list(y.columns) == ["单位", "同类比较组", "上年排名", "排名", "排名变化", "上年等次",
                               "等次", "等次变化"]
    previous = zl.build(sample_ws, baseline, 2024)
    before = previous.scores[previous.scores["node"] == previous.root]
    assert sorted(y["上年排名"]) == sorted(before["rank"])
    for p, r, change in zip(y["上年排名"], y["排名"], y["排名变化"]):
        assert change == ("—" if p == r else f"↑{p - r}" if p > r else f"↓{r - p}")
    assert set(y["等次变化"]) <= {"↑", "↓", "—"} and {"↑", "↓"} <= set(y["排名变化"].str[0])
    same = zl.report.year_over_year(assessment, sample_ws, previous, lang="en")
    assert list(same["Rank change"]) == list(y["排名变化"])
    first = zl.build(sample_ws, baseline, sample_ws.years[0])
    assert zl.report.year_over_year(first, sample_ws).empty         # no previous year
