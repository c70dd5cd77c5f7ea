"""Tests of the yearly run (issue 11): ``render_report`` and ``zhengji report`` write the city
report, a page per unit, ``index.html``, a workbook (and PDFs) into a run folder of their own.

The fast tests replace papermill's execution with a fake notebook; the slow ones run the real
notebooks: one full run of the sample city (city + 46 unit pages, two kernels, the CLI) shared
by several checks, a run with a unit page planted to fail, and a run on a Dask LocalCluster.
The browser check of the full run is in tests/test_browser.py.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import openpyxl
import pytest

import zhengji_lab as zl
from zhengji_lab.cli import main
from zhengji_lab.report import FAILED_TAG, REPORT_STEM, RUN_FAILED, RUNNING
from zhengji_lab.report.rundata import RunData, prepare_run

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_city"


# -- the run's data -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run_data(sample_ws):
    return prepare_run(sample_ws, "baseline", 2025, draws=200, seed=3)


def test_prepare_run_builds_every_year_once_with_bands(run_data, sample_ws):
    """Every year of the data up to the reporting year, with the same draws; a year whose
    bands cannot be drawn is built without them and noted, not dropped."""
    assert list(run_data.assessments) == sample_ws.years
    assert run_data.assessment.year == 2025 and run_data.previous.year == 2024
    root = run_data.assessment.scores["node"] == "index"
    assert run_data.assessment.scores.loc[root, "rank_lo"].notna().all()
    noted = {int(n[:4]) for n in run_data.notes}
    for year, a in run_data.assessments.items():
        has_bands = "rank_lo" in a.scores.columns
        assert has_bands != (year in noted), year
    assert all("rank bands not computed" in n and "geometric" in n for n in run_data.notes)
    same = zl.report.yearly_assessment(sample_ws, "baseline", 2024, draws=200, seed=3)
    assert same.scores.equals(run_data.previous.scores)
    assert run_data.unit_ids == list(sample_ws.units["unit_id"])


def test_run_data_travels_as_a_file(run_data, tmp_path):
    """Pickled once for the pages (and Dask workers): the assessments come back equal."""
    path = run_data.save(tmp_path / "run.pkl")
    back = zl.report.page_data(str(path))
    assert isinstance(back, RunData) and back.notes == run_data.notes
    for year, a in run_data.assessments.items():
        assert back.assessments[year].scores.equals(a.scores)
        assert back.assessments[year].log[-1] == a.log[-1]
    (tmp_path / "other.pkl").write_bytes(__import__("pickle").dumps({"not": "a run"}))
    with pytest.raises(TypeError, match=r"other\.pkl does not hold the data of a report run"):
        RunData.load(tmp_path / "other.pkl")


def test_page_data_without_a_file_computes_it():
    data = zl.report.page_data("", workspace="data/sample_city", year=2021, draws=0)
    assert data.year == 2021 and list(data.assessments) == [2019, 2020, 2021]
    with pytest.raises(ValueError, match=r"'lang' parameter of prepare_run\(\) must be 'zh' or"):
        zl.report.page_data("", lang="fr")


def test_select_units(sample_ws):
    ids = list(sample_ws.units["unit_id"])
    assert zl.report.select_units(sample_ws, "all") == ids
    assert zl.report.select_units(sample_ws, ["none"]) == []
    assert zl.report.select_units(sample_ws, ["town_liuwan", "town_yunxi", "town_liuwan"]) == [
        "town_liuwan", "town_yunxi"]
    with pytest.raises(ValueError, match=r"'town_yunx' are not in the workspace's units\.csv.*"
                                         r"town_yunxi"):
        zl.report.select_units(sample_ws, ["town_yunx"])


# -- parameters checked before any work ----------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, match", [
    ({"year": "2025"}, zl.BuildError, r"year must be a whole number such as 2025. Got '2025'"),
    ({"workspace": "no/such/folder"}, FileNotFoundError, r"existing folder or \.xlsx"),
    ({"scheme": "no_such.yaml"}, FileNotFoundError, r"no_such\.yaml.*does not exist"),
    ({"kernel_name": "no_such_kernel"}, zl.ReportError, r"No Jupyter kernel.*ipykernel install"),
    ({"draws": 1}, ValueError, r"'draws' parameter of render_report\(\) must be 0 .* >= 2"),
    ({"seed": 1.5}, TypeError, r"'seed' parameter of render_report\(\) must be a whole"),
    ({"workers": 0}, ValueError, r"'workers' parameter of render_report\(\) must be a whole"),
    ({"lang": "fr"}, ValueError, r"'lang' parameter of render_report\(\) must be 'zh' or 'en'"),
    ({"units": ["no_such_unit"]}, ValueError, r"'no_such_unit' are not in the workspace"),
    ({"run_id": "a/b"}, ValueError, r"run id must be a folder name"),
    ({"unit_notebook": "missing.ipynb"}, FileNotFoundError, r"missing\.ipynb does not exist"),
])
def test_bad_input_fails_before_running(tmp_path, kwargs, error, match):
    args = {"workspace": SAMPLE, "scheme": "baseline", "year": 2025, **kwargs}
    with pytest.raises(error, match=match):
        zl.render_report(args.pop("workspace"), args.pop("scheme"), args.pop("year"),
                         out_dir=tmp_path, progress=False, **args)
    assert not any(tmp_path.iterdir())


def test_pdf_without_chromium_fails_before_running(tmp_path, monkeypatch):
    monkeypatch.setenv("ZHENGJI_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(zl.ReportError, match=r"apt-get install chromium"):
        zl.render_report(SAMPLE, "baseline", 2025, out_dir=tmp_path / "out", pdf=True,
                         progress=False)
    assert not (tmp_path / "out").exists()


class Recorder:
    """Stands in for ``papermill.execute_notebook``: records the parameters and the notebook of
    each page, and writes a small executed notebook naming the page."""

    def __init__(self):
        self.calls = []

    def __call__(self, input_path, output_path, parameters=None, **kwargs):
        self.calls.append((json.loads(Path(input_path).read_text(encoding="utf-8")),
                           dict(parameters)))
        cell = nbformat.v4.new_code_cell("x", execution_count=1)
        key = parameters.get("unit_id", "city")
        cell.outputs = [nbformat.v4.new_output("display_data", data={
            "text/markdown": f"page of {key}"})]
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), output_path)


@pytest.fixture
def recorder(monkeypatch):
    import papermill as pm

    rec = Recorder()
    monkeypatch.setattr(pm, "execute_notebook", rec)
    return rec


def test_pages_get_json_simple_parameters_and_the_run_data(tmp_path, recorder):
    """Parameters stay JSON-simple; a Scheme is written into the run folder and passed by path;
    every page reads the same file of the run's data, computed once; each kernel starts the
    page from an empty namespace."""
    scheme = zl.Scheme.from_yaml(SAMPLE / "schemes" / "baseline.yaml")
    result = zl.render_report(SAMPLE, scheme, 2025, units=["town_yunxi", "park_etdz"],
                              workers=2, draws=0, out_dir=tmp_path, run_id="r", progress=False)
    assert result.ok and set(result.units) == {"town_yunxi", "park_etdz"}
    params = {p.get("unit_id", "city"): p for _, p in recorder.calls}
    assert set(params) == {"city", "town_yunxi", "park_etdz"}
    for p in params.values():
        assert json.loads(json.dumps(p)) == p
        assert p["scheme"] == str((tmp_path / "2025" / "r" / "scheme.yaml").resolve())
        assert (p["year"], p["draws"], p["lang"]) == (2025, 0, "zh")
    assert zl.Scheme.from_yaml(Path(params["city"]["scheme"])) == scheme
    assert len({p["run_data"] for p in params.values()}) == 1
    assert params["city"]["unit_pages"] == {"town_yunxi": "units/town_yunxi.html",
                                            "park_etdz": "units/park_etdz.html"}
    assert params["park_etdz"]["city_report"] == "../city_report.html"
    for nb, _ in recorder.calls:                     # the reset cell comes first
        assert "zhengji-reset" in nb["cells"][0]["metadata"]["tags"]
    page = (tmp_path / "2025" / "r" / "units" / "park_etdz.ipynb").read_text(encoding="utf-8")
    assert "zhengji-reset" not in page                # and is gone from the page kept
    assert not Path(params["city"]["run_data"]).exists()      # temporary, removed after


def test_a_workspace_made_in_memory(tmp_path, recorder):
    """make_city's workspace has no folder: the pages get it from the run's data."""
    ws, _ = zl.datasets.make_city(seed=7)
    result = zl.render_report(ws, "baseline", 2025, units=["town_yunxi"], draws=0,
                              out_dir=tmp_path, progress=False)
    assert result.ok and set(result.units) == {"town_yunxi"}
    assert {p["workspace"] for _, p in recorder.calls} == {""}
    assert result.units["town_yunxi"].is_file()


def test_a_unit_not_assessed_this_year_gets_no_page_and_a_note(tmp_path, recorder):
    city = tmp_path / "city"
    shutil.copytree(SAMPLE, city)
    values = (city / "values.csv").read_text(encoding="utf-8-sig").splitlines()
    kept = [ln for ln in values if not (ln.startswith("town_yunxi,2025,"))]
    (city / "values.csv").write_text("\n".join(kept) + "\n", encoding="utf-8-sig")
    with pytest.warns(zl.errors.WorkspaceWarning, match=r"town_yunxi"):
        result = zl.render_report(city, "baseline", 2025, units=["town_yunxi", "park_etdz"],
                                  draws=0, out_dir=tmp_path / "out", progress=False)
    assert result.ok and list(result.units) == ["park_etdz"]
    text = result.index.read_text(encoding="utf-8")
    assert "no page for town_yunxi: not assessed this year" in text


def test_index_links_every_page_and_escapes_names(tmp_path, recorder):
    """index.html: the title names the workspace and the run, every unit name links to its
    page, and a unit named <script> shows as text."""
    city = tmp_path / "city"
    shutil.copytree(SAMPLE, city)
    units = (city / "units.csv").read_text(encoding="utf-8-sig")
    (city / "units.csv").write_text(units.replace("青石街道", "<script>alert(1)</script>"),
                                    encoding="utf-8-sig")
    result = zl.render_report(city, "baseline", 2025, units="all", workers=1, draws=0,
                              out_dir=tmp_path / "out", run_id="r", progress=False)
    text = result.index.read_text(encoding="utf-8")
    assert "<title>青川市 2025 年度综合考核" in text and "<code>r</code>" in text
    links = dict(re.findall(r'<a href="(units/[^"]+)">([^<]+)</a>', text))
    assert len(links) == 46 and links["units/town_yunxi.html"] == "云溪街道"
    assert links["units/town_qingshi.html"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<script" not in text
    assert all((result.folder / href).is_file() for href in links)
    assert 'href="city_report.html"' in text and 'href="assessment_2025.xlsx"' in text
    assert sorted(p.name for p in result.folder.iterdir()) == [
        "assessment_2025.xlsx", f"{REPORT_STEM}.html", f"{REPORT_STEM}.ipynb", "index.html",
        "scheme.yaml", "units"]


def test_workbook_holds_the_runs_tables(tmp_path, recorder):
    result = zl.render_report(SAMPLE, "baseline", 2025, units="none", workers=1, draws=200,
                              out_dir=tmp_path, progress=False)
    book = openpyxl.load_workbook(result.workbook, read_only=True)
    assert book.sheetnames == ["说明 README", "排名 ranking", "历年 history", "与上年比较 change",
                               "维度得分 dimensions", "减分 deductions", "约谈 triggers",
                               "权重 weights", "一致性 consistency", "概况 headline",
                               "来源 provenance"]
    about = dict(book["说明 README"].iter_rows(min_row=2, values_only=True))
    assert about["考核对象 Workspace"] == "青川市" and about["运行 Run"] == result.folder.name
    assert about["抽样次数 Draws"] == "200"
    rows = list(book["排名 ranking"].iter_rows(values_only=True))
    header = rows[0]
    assert {"排名", "单位", "等次", "排名区间下限", "排名区间上限"} <= set(header)
    scores = [r[header.index("综合得分")] for r in rows[1:]]
    assert all(round(v, 2) == v for v in scores)                     # rounded
    history = list(book["历年 history"].iter_rows(values_only=True))
    assert len(history) - 1 == 46 * 7
    book.close()


# -- the real notebooks ---------------------------------------------------------------------------
@pytest.mark.slow
def test_full_run_writes_every_page(full_run):
    proc, index, seconds = full_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr == ""                       # no kernel chatter, no bar off a terminal
    run = index.parent
    assert run.parent.name == "2025" and index.name == "index.html"
    units = sorted(p.stem for p in (run / "units").glob("*.html"))
    ws = zl.load_workspace(SAMPLE)
    assert units == sorted(ws.units["unit_id"])
    assert len(list((run / "units").glob("*.ipynb"))) == 46
    assert not (run / RUNNING).exists() and not (run / RUN_FAILED).exists()
    assert [p.name for p in run.rglob(".*")] == []                    # no temporaries
    city = (run / f"{REPORT_STEM}.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<a href="units/[^"]+\.html">', city)) == 46
    for shown in ("排名区间", "等次存疑", "触发概率", "与上年比较"):
        assert shown in city
    page = (run / "units" / "town_yunxi.html").read_text(encoding="utf-8")
    assert "<title>云溪街道" in page and "排名区间" in page and "../city_report.html" in page
    assert "import zhengji_lab" not in page and "zhengji-reset" not in page
    executed = nbformat.read(run / "units" / "town_yunxi.ipynb", as_version=4)
    assert not any(o.get("output_type") == "error" for c in executed.cells
                   for o in c.get("outputs", []))
    assert seconds < 300


@pytest.mark.slow
def test_a_unit_planted_to_fail(tmp_path, capfd):
    """A unit page that fails: the other pages exist, its notebook is kept marked failed, the
    index and RUN_FAILED.txt list it, and the command exits non-zero listing it."""
    nb = nbformat.read(ROOT / "notebooks" / "unit_report.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        'if unit_id == "town_qingshi":\n    raise RuntimeError("planted failure")'))
    planted = tmp_path / "unit_page.ipynb"
    nbformat.write(nb, planted)
    units = ["town_yunxi", "town_qingshi", "park_etdz"]
    result = zl.render_report(SAMPLE, "baseline", 2025, units=units, workers=2, draws=0,
                              out_dir=tmp_path / "out", run_id="r", unit_notebook=planted,
                              progress=False)
    assert list(result.failures) == ["units/town_qingshi"]
    assert "RuntimeError: planted failure" in result.failures["units/town_qingshi"]
    run = result.folder
    assert sorted(p.name for p in (run / "units").iterdir()) == [
        "park_etdz.html", "park_etdz.ipynb", "town_qingshi.failed.ipynb", "town_qingshi.html",
        "town_yunxi.html", "town_yunxi.ipynb"]
    assert set(result.units) == {"town_yunxi", "park_etdz"}
    # the city report's link leads to a page saying what happened, not to nothing
    stand_in = (run / "units" / "town_qingshi.html").read_text(encoding="utf-8")
    assert "This page failed" in stand_in and "planted failure" in stand_in
    assert 'href="town_qingshi.failed.ipynb"' in stand_in
    assert (run / f"{REPORT_STEM}.html").is_file() and (run / "index.html").is_file()
    failed = nbformat.read(run / "units" / "town_qingshi.failed.ipynb", as_version=4)
    assert FAILED_TAG in failed.cells[0].metadata["tags"]
    assert any(o.get("ename") == "RuntimeError" for c in failed.cells
               for o in c.get("outputs", []))
    mark = (run / RUN_FAILED).read_text(encoding="utf-8")
    assert "units/town_qingshi" in mark and "town_qingshi.failed.ipynb" in mark
    index = (run / "index.html").read_text(encoding="utf-8")
    assert "Pages that failed (1)" in index and "planted failure" in index
    assert not (run / RUNNING).exists()
    capfd.readouterr()
    code = main(["report", "--workspace", str(SAMPLE), "--scheme", "baseline", "--year", "2025",
                 "--units", "town_qingshi", "--workers", "1", "--draws", "0", "--out-dir",
                 str(tmp_path / "out")] + ["--run-id", "cli"])
    assert code == 0                                  # the real page renders
    err = capfd.readouterr().err
    assert err == ""


@pytest.mark.slow
def test_pages_on_a_dask_local_cluster(tmp_path):
    """--scheduler: pages rendered by the workers of a Dask LocalCluster (processes, a kernel
    kept alive on each), written here; English pages with --lang en."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        result = zl.render_report(SAMPLE, "baseline", 2025, units=["town_yunxi", "park_etdz"],
                                  draws=0, lang="en", scheduler=cluster.scheduler_address,
                                  out_dir=tmp_path, progress=False)
        assert result.ok, result.failures
    page = result.units["town_yunxi"].read_text(encoding="utf-8")
    assert "Yunxi Subdistrict" in page
    city = result.city.read_text(encoding="utf-8")
    assert "Rank" in city and '<a href="units/park_etdz.html">' in city
