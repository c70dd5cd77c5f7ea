"""Adversarial tests of the report's run folders (issue 10): concurrent runs, interrupted and
failed runs, overwrite, read-only and workspace output folders.

The unit tests replace papermill's execution with a fake that writes a small notebook (and may
sleep, fail or be interrupted); the two tests marked slow run the real notebook. Each test names
the write-mistake classes of :data:`zhengji_lab.safeio.WRITE_MISTAKES` it checks.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

import zhengji_lab as zl
from zhengji_lab import safeio
from zhengji_lab.cli import main
from zhengji_lab.report import FAILED_TAG, REPORT_STEM, RUN_FAILED, RUNNING

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample_city"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def notebook(marker: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("show()", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": marker})]
    cell.metadata["papermill"] = {"status": "completed"}
    return nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell("more()")])


class FakePapermill:
    """Stands in for ``papermill.execute_notebook``: writes a notebook holding ``marker`` (the
    calling thread's name by default), then sleeps, fails or is interrupted."""

    def __init__(self, *, sleep=0.0, error: BaseException | None = None, marker=None):
        self.sleep, self.error, self.marker = sleep, error, marker

    def __call__(self, input_path, output_path, **kwargs):
        marker = self.marker or f"marker-{threading.current_thread().name}"
        nbformat.write(notebook(marker), output_path)
        time.sleep(self.sleep)
        if self.error is not None:
            raise self.error


@pytest.fixture
def fake(monkeypatch):
    import papermill as pm

    def use(**kwargs):
        f = FakePapermill(**kwargs)
        monkeypatch.setattr(pm, "execute_notebook", f)
        return f
    return use


def render(out, **kwargs):
    return zl.render_report(SAMPLE, "baseline", 2025, out_dir=out, progress=False, **kwargs)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(".*")]


# -- concurrent runs ------------------------------------------------------------------------------
def test_two_runs_at_once_get_separate_folders(tmp_path, fake):
    """W07-run-folder-race: both runs complete, each into its own folder, and each HTML holds
    its own notebook's content."""
    fake(sleep=1.0)
    results, errors = {}, []
    start = threading.Barrier(2)

    def run(name):
        try:
            start.wait()
            results[name] = render(tmp_path)
        except BaseException as exc:   # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,), name=n) for n in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    folders = {name: html.parent.name for name, html in results.items()}
    assert sorted(folders.values()) == ["2025", "2025-run2"]
    for name, html in results.items():
        assert f"marker-{name}" in html.read_text(encoding="utf-8")
        other = "two" if name == "one" else "one"
        assert f"marker-{other}" not in html.read_text(encoding="utf-8")
        nb = nbformat.read(html.with_suffix(".ipynb"), as_version=4)
        assert nb.cells[0].outputs[0]["data"]["text/markdown"] == f"marker-{name}"
        assert sorted(p.name for p in html.parent.iterdir()) == [f"{REPORT_STEM}.html",
                                                                 f"{REPORT_STEM}.ipynb"]


def test_claiming_run_folders_is_race_free(tmp_path):
    """W07-run-folder-race: sixteen claims at once, sixteen folders, one RUNNING mark each."""
    (tmp_path / "2025").mkdir()                                 # empty: still free
    claimed, start = [], threading.Barrier(16)

    def claim():
        start.wait()
        claimed.append(zl.report.claim_run_dir(tmp_path, 2025))

    threads = [threading.Thread(target=claim) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(claimed)) == 16
    assert {p.name for p in claimed} == {"2025", *(f"2025-run{k}" for k in range(2, 17))}
    assert all(sorted(os.listdir(p)) == [RUNNING] for p in claimed)


def test_overwrite_while_another_run_writes_is_refused(tmp_path, fake):
    """W15-concurrent-overwrite: an overwrite does not write into a folder another run holds;
    a run without overwrite goes to the next free folder."""
    fake()
    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / RUNNING).write_text("A report run started at … is writing\n")
    with pytest.raises(zl.ReportError, match=r"another report run is writing to .*2025.*delete "
                                             r".*RUNNING\.txt"):
        render(tmp_path, overwrite=True)
    assert os.listdir(tmp_path / "2025") == [RUNNING]
    assert render(tmp_path).parent.name == "2025-run2"


# -- failed and interrupted runs ------------------------------------------------------------------
def test_interrupted_run_is_marked_in_folder_and_notebook(tmp_path, fake):
    """W08-interrupted-looks-complete, W10-temporaries-left: a KeyboardInterrupt while the
    notebook runs leaves RUN_FAILED.txt and a notebook whose first cell says so."""
    fake(error=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        render(tmp_path)
    run = tmp_path / "2025"
    assert sorted(os.listdir(run)) == [RUN_FAILED, f"{REPORT_STEM}.failed.ipynb"]
    mark = (run / RUN_FAILED).read_text(encoding="utf-8")
    assert "was INTERRUPTED" in mark and f"{REPORT_STEM}.failed.ipynb" in mark
    nb = nbformat.read(run / f"{REPORT_STEM}.failed.ipynb", as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.metadata["tags"] == [FAILED_TAG]
    assert "this run INTERRUPTED" in first.source and "incomplete" in first.source
    assert nb.metadata["zhengji"]["status"] == "interrupted"
    assert nb.cells[1].outputs[0]["data"]["text/markdown"].startswith("marker-")
    assert leftovers(tmp_path) == []


def test_interrupted_run_from_the_cli(tmp_path, fake, capsys):
    """W08-interrupted-looks-complete, W09-traceback-not-message: exit code 130 and a message."""
    fake(error=KeyboardInterrupt())
    code = main(["report", "--workspace", str(SAMPLE), "--scheme", "baseline", "--year", "2025",
                 "--out-dir", str(tmp_path)])
    assert code == 130
    assert "interrupted; the run folder is marked with RUN_FAILED.txt" in capsys.readouterr().err
    assert (tmp_path / "2025" / RUN_FAILED).is_file()


def test_failed_overwrite_keeps_the_earlier_report(tmp_path, fake):
    """W11-delete-before-write, W12-stale-marks: a failed re-run with overwrite leaves the
    earlier report as it was and says it is the earlier one; a good re-run then clears the
    marks."""
    fake(marker="first")
    html = render(tmp_path)
    before = snapshot(tmp_path)
    fake(error=RuntimeError("kernel died"))
    with pytest.raises(zl.ReportError, match=r"kernel died.*kept at .*failed\.ipynb.*"
                                             r"RUN_FAILED\.txt marks the run as failed"):
        render(tmp_path, overwrite=True)
    after = snapshot(tmp_path)
    assert {k: after[k] for k in before} == before
    mark = after[f"2025/{RUN_FAILED}"].decode("utf-8")
    assert "FAILED" in mark and "city_report.html, city_report.ipynb in this folder are from " \
                                "an earlier run" in mark
    fake(marker="third")
    assert render(tmp_path, overwrite=True) == html
    assert "third" in html.read_text(encoding="utf-8")
    assert sorted(os.listdir(tmp_path / "2025")) == [f"{REPORT_STEM}.html",
                                                     f"{REPORT_STEM}.ipynb"]


@pytest.mark.parametrize("k", [1, 2])
def test_report_rename_failing_keeps_the_earlier_report(tmp_path, fake, monkeypatch, k):
    """W02-partial-group: the HTML and the notebook are replaced together or not at all."""
    fake(marker="first")
    render(tmp_path)
    before = snapshot(tmp_path)
    fake(marker="second")
    real, calls = os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == k:
            raise PermissionError(13, "Permission denied (injected)", str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(zl.ReportError, match=r"Could not write .*city_report"):
        render(tmp_path, overwrite=True)
    monkeypatch.undo()
    after = snapshot(tmp_path)
    assert {k: after[k] for k in before} == before
    assert RUN_FAILED in os.listdir(tmp_path / "2025")
    assert leftovers(tmp_path) == []


# -- where reports may go -------------------------------------------------------------------------
def test_read_only_out_dir_is_a_clear_error(tmp_path, fake, monkeypatch, capsys):
    """W09-traceback-not-message: the output folder cannot be created (injected)."""
    fake()
    real = os.mkdir

    def refuse(path, *args, **kwargs):
        if Path(path).is_relative_to(tmp_path / "ro"):
            raise PermissionError(13, "Permission denied (injected)", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", refuse)
    with pytest.raises(zl.ReportError, match=r"Cannot write the report into .*ro.*Permission"
                                             r"Error.*choose another output folder \(--out-dir"):
        render(tmp_path / "ro")
    code = main(["report", "--workspace", str(SAMPLE), "--scheme", "baseline", "--year", "2025",
                 "--out-dir", str(tmp_path / "ro")])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("zhengji report: Cannot write the report into")
    assert "Traceback" not in err


@pytest.mark.skipif(IS_ROOT, reason="running as root: chmod does not stop root from writing, "
                                    "so a read-only folder cannot be made")
def test_read_only_out_dir_with_chmod(tmp_path, fake, capsys):
    """W09-traceback-not-message with a real read-only folder (skipped as root)."""
    fake()
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o555)
    try:
        code = main(["report", "--workspace", str(SAMPLE), "--scheme", "baseline", "--year",
                     "2025", "--out-dir", str(ro)])
    finally:
        os.chmod(ro, 0o755)
    assert code == 1 and "Cannot write the report into" in capsys.readouterr().err
    assert list(ro.iterdir()) == []


def test_reports_never_go_into_a_workspace(tmp_path, fake, capsys):
    """W05-output-into-workspace, W06-output-is-workspace."""
    fake()
    ws = tmp_path / "city"
    shutil.copytree(SAMPLE, ws)
    before = snapshot(ws)
    with pytest.raises(safeio.WorkspaceOutputError, match=r"never writes reports into a "
                                                          r"workspace folder.*--out-dir"):
        zl.render_report(ws, "baseline", 2025, out_dir=ws, progress=False)
    code = main(["report", "--workspace", str(ws), "--scheme", "baseline", "--year", "2025",
                 "--out-dir", str(ws / "schemes")])
    assert code == 1 and "never writes reports into a workspace" in capsys.readouterr().err
    assert snapshot(ws) == before


# -- the real notebook ----------------------------------------------------------------------------
@pytest.mark.slow
def test_two_real_report_processes_at_once(tmp_path):
    """W07-run-folder-race with the real notebook: two `zhengji report` processes started
    together both complete, into separate folders."""
    cmd = [sys.executable, "-m", "zhengji_lab.cli", "report", "--workspace", str(SAMPLE),
           "--scheme", "baseline", "--year", "2025", "--out-dir", str(tmp_path)]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    htmls = sorted(Path(o[0].strip().splitlines()[-1]) for o in outs)
    assert [h.parent.name for h in htmls] == ["2025", "2025-run2"]
    fingerprint = zl.Scheme.from_yaml(SAMPLE / "schemes" / "baseline.yaml").fingerprint()
    for html in htmls:
        assert fingerprint in html.read_text(encoding="utf-8")
        assert sorted(os.listdir(html.parent)) == [f"{REPORT_STEM}.html", f"{REPORT_STEM}.ipynb"]


@pytest.mark.slow
def test_real_interrupt_during_kernel_execution_is_marked(tmp_path, monkeypatch):
    """W08-interrupted-looks-complete with the real notebook: a KeyboardInterrupt while cell 4
    executes; papermill marks the later cells completed, our first cell says otherwise."""
    from papermill.clientwrap import PapermillNotebookClient

    real = PapermillNotebookClient.execute_cell

    def interrupt(self, cell, index, *args, **kwargs):
        if index == 4:
            raise KeyboardInterrupt
        return real(self, cell, index, *args, **kwargs)

    monkeypatch.setattr(PapermillNotebookClient, "execute_cell", interrupt)
    with pytest.raises(KeyboardInterrupt):
        render(tmp_path)
    run = tmp_path / "2025"
    assert sorted(os.listdir(run)) == [RUN_FAILED, f"{REPORT_STEM}.failed.ipynb"]
    nb = nbformat.read(run / f"{REPORT_STEM}.failed.ipynb", as_version=4)
    assert FAILED_TAG in nb.cells[0].metadata["tags"] and "INTERRUPTED" in nb.cells[0].source
    assert "was INTERRUPTED" in (run / RUN_FAILED).read_text(encoding="utf-8")
