"""Tests of zhengji_lab.report: report tables, result files and the rendering of the report notebook
(the notebook itself is checked and run by tests/test_notebooks.py).

The rendering tests start a Jupyter kernel (about 1 s) and run the whole notebook (several
seconds each), so they are few and marked slow.
"""
import base64
import json
import re
import unicodedata
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import zhengji_lab as zl
from zhengji_lab.report import REPORT_STEM
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


# -- rendering ------------------------------------------------------------------------------------
def test_next_run_dir(tmp_path):
    assert zl.report.next_run_dir(tmp_path, 2025) == tmp_path / "2025"
    (tmp_path / "2025").mkdir()                                 # empty: still free
    assert zl.report.next_run_dir(tmp_path, 2025) == tmp_path / "2025"
    (tmp_path / "2025" / "city_report.html").write_text("x")
    assert zl.report.next_run_dir(tmp_path, 2025) == tmp_path / "2025-run2"
    (tmp_path / "2025-run2").mkdir()
    (tmp_path / "2025-run2" / "x").write_text("x")
    assert zl.report.next_run_dir(tmp_path, 2025) == tmp_path / "2025-run3"


@pytest.mark.parametrize("kwargs, error, match", [
    ({"year": "2025"}, zl.BuildError, r"year must be a whole number such as 2025. Got '2025'"),
    ({"workspace": "no/such/folder"}, FileNotFoundError, r"existing folder or \.xlsx"),
    ({"scheme": "no_such.yaml"}, FileNotFoundError, r"no_such\.yaml.*does not exist"),
    ({"kernel_name": "no_such_kernel"}, zl.ReportError, r"No Jupyter kernel.*ipykernel install"),
    ({"draws": 1}, ValueError, r"'draws' parameter of render_report\(\) must be 0 .* >= 2"),
    ({"seed": 1.5}, TypeError, r"'seed' parameter of render_report\(\) must be a whole"),
])
def test_render_report_bad_input_fails_before_running(tmp_path, kwargs, error, match):
    args = {"workspace": SAMPLE, "scheme": "baseline", "year": 2025, **kwargs}
    with pytest.raises(error, match=match):
        zl.render_report(args.pop("workspace"), args.pop("scheme"), args.pop("year"),
                         out_dir=tmp_path, progress=False, **args)
    assert not any(tmp_path.iterdir())


def test_render_report_scheme_object_is_passed_as_a_file(tmp_path, monkeypatch):
    """Parameters stay JSON-simple: a Scheme is written beside the report and passed by path."""
    import papermill as pm

    seen = {}

    def fake_execute(nb, out, parameters, **kwargs):
        seen.update(parameters)
        raise RuntimeError("kernel died")

    monkeypatch.setattr(pm, "execute_notebook", fake_execute)
    scheme = zl.Scheme.from_yaml(SAMPLE / "schemes" / "baseline.yaml")
    with pytest.raises(zl.ReportError, match="kernel died"):
        zl.render_report(SAMPLE, scheme, 2025, out_dir=tmp_path, progress=False)
    assert seen == {"year": 2025, "workspace": str(SAMPLE),
                    "scheme": str(tmp_path.resolve() / "2025" / "scheme.yaml")}
    assert zl.Scheme.from_yaml(Path(seen["scheme"])) == scheme
    assert all(isinstance(v, (str, int)) for v in seen.values())
    seen.clear()
    with pytest.raises(zl.ReportError, match="kernel died"):
        zl.render_report(SAMPLE, "baseline", 2025, out_dir=tmp_path, draws=0, seed=7,
                         progress=False)
    assert (seen["draws"], seen["seed"]) == (0, 7)         # passed on only when given


@pytest.mark.slow
def test_render_report_sample_city(tmp_path, monkeypatch, capfd):
    """One render checked in full, a second run (via the CLI) that must not overwrite it, and an
    explicit overwrite; the command line's stderr stays clean (no kernel chatter, no progress
    bar off a terminal: issue 11)."""
    monkeypatch.chdir(ROOT)                                      # relative workspace path
    html = zl.render_report("data/sample_city", "baseline", 2025, out_dir=tmp_path,
                            progress=False)
    assert html == tmp_path / "2025" / f"{REPORT_STEM}.html"
    assert (tmp_path / "2025" / f"{REPORT_STEM}.ipynb").is_file()
    text = html.read_text(encoding="utf-8")
    ws = zl.load_workspace(SAMPLE)
    fingerprint = zl.Scheme.from_yaml(ws.schemes["baseline"]).fingerprint()
    assert fingerprint in text
    assert "青川市 2025 年度综合考核报告" in text                      # the title names the city
    assert sum(name in text for name in ws.units["name_zh"]) == len(ws.units)
    for heading in ("等次", "减分项", "约谈提醒", "来源与可复现性"):
        assert heading in text
    # uncertainty by default (issue 11): rank bands, uncertain grades, firing probabilities
    for shown in ("排名区间", "等次存疑", "触发概率", "抽样次数 Draws"):
        assert shown in text, shown
    assert "Series" not in text and "MappingProxy" not in text
    assert "@page { size: A4; margin: 15mm; }" in text and "Noto Sans CJK SC" in text
    assert "<script" not in text                                    # opens offline, no CDN
    # the heatmap is an SVG image whose Chinese labels are text, drawn by the browser's fonts
    svgs = [base64.b64decode(m).decode("utf-8")
            for m in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", text)]
    figure = max(svgs, key=len)
    assert "<text" in figure and "维度得分" in figure and ws.units["name_zh"].iloc[0] in figure
    for code in ("import zhengji_lab", "zl.report.", 'workspace: str = "data/sample_city"'):
        assert code not in text, f"code visible in the HTML: {code!r}"
    code_cells = re.findall(r'class="jp-Cell jp-CodeCell[^"]*"', text)
    assert code_cells and all("jp-mod-noInput" in c for c in code_cells)
    assert "hl-ipython3" not in text                                # no highlighted code
    executed = nbformat.read(tmp_path / "2025" / f"{REPORT_STEM}.ipynb", as_version=4)
    assert not any(o.get("output_type") == "error" for c in executed.cells
                   for o in c.get("outputs", []))
    # a finished run leaves its two files, no RUNNING mark and no temporaries (issue 10)
    assert sorted(p.name for p in (tmp_path / "2025").iterdir()) == [
        f"{REPORT_STEM}.html", f"{REPORT_STEM}.ipynb"]

    first = html.stat().st_mtime_ns
    code = zl.cli.main(["report", "--workspace", "data/sample_city", "--scheme", "baseline",
                        "--year", "2025", "--out-dir", str(tmp_path)])
    assert code == 0
    captured = capfd.readouterr()
    assert "Kernel is running" not in captured.err and "Executing" not in captured.err
    second = Path(captured.out.strip().splitlines()[-1])
    assert second == tmp_path / "2025-run2" / f"{REPORT_STEM}.html" and second.is_file()
    assert html.stat().st_mtime_ns == first

    again = zl.render_report("data/sample_city", "baseline", 2025, out_dir=tmp_path,
                             overwrite=True, progress=False)
    assert again == html and html.stat().st_mtime_ns > first
    assert not (tmp_path / "2025-run3").exists()


@pytest.mark.slow
def test_render_report_failure_keeps_notebook(tmp_path):
    with pytest.raises(zl.ReportError, match=r"city_report\.failed\.ipynb") as info:
        zl.render_report(SAMPLE, "baseline", 1999, out_dir=tmp_path, progress=False)
    failed = tmp_path / "1999" / f"{REPORT_STEM}.failed.ipynb"
    message = str(info.value)
    assert "BuildError" in message and "yearly_assessment" in message  # the failing cell
    assert info.value.notebook == failed and failed.is_file()
    assert not (tmp_path / "1999" / f"{REPORT_STEM}.ipynb").exists()
    assert not (tmp_path / "1999" / f"{REPORT_STEM}.html").exists()
    nb = json.loads(failed.read_text(encoding="utf-8"))
    assert any(o.get("ename") == "BuildError" for c in nb["cells"] for o in c.get("outputs", []))
    # the run is marked failed in its folder and in the notebook's first cell (issue 10)
    assert zl.report.FAILED_TAG in nb["cells"][0]["metadata"]["tags"]
    assert "this run FAILED" in "".join(nb["cells"][0]["source"])
    failing = nb["cells"][info.value.cell]
    assert any(o.get("ename") == "BuildError" for o in failing.get("outputs", []))
    mark = (tmp_path / "1999" / zl.report.RUN_FAILED).read_text(encoding="utf-8")
    assert "FAILED" in mark and "BuildError" in mark
    assert not (tmp_path / "1999" / zl.report.RUNNING).exists()


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
