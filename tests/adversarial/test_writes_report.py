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
    """A run of the city report only (the fake notebook), one worker, no draws."""
    kwargs = {"units": "none", "workers": 1, "draws": 0, **kwargs}
    return zl.render_report(SAMPLE, "baseline", 2025, out_dir=out, progress=False, **kwargs)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(".*")]


# -- concurrent runs ------------------------------------------------------------------------------
def test_two_runs_at_once_get_separate_folders(tmp_path, fake):
    """W07-run-folder-race: both runs complete, each into its own folder (started in the same
    second: the second gets ``-2``), and each page holds its own notebook's content."""
    fake(sleep=1.0)
    results, errors = {}, []
    start = threading.Barrier(2)

    def run(name):
        try:
            start.wait()
            results[name] = render(tmp_path, run_id=None)
        except BaseException as exc:   # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,), name=n) for n in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    folders = sorted(r.folder.name for r in results.values())
    assert len(set(folders)) == 2 and all(f[:8].isdigit() for f in folders)
    for result in results.values():
        html = result.city.read_text(encoding="utf-8")
        assert "marker-report-worker-1" in html
        nb = nbformat.read(result.city.with_suffix(".ipynb"), as_version=4)
        assert nb.cells[0].outputs[0]["data"]["text/markdown"] == "marker-report-worker-1"
        assert sorted(p.name for p in result.folder.iterdir()) == [
            "assessment_2025.xlsx", f"{REPORT_STEM}.html", f"{REPORT_STEM}.ipynb", "index.html",
            "scheme.yaml"]


def test_claiming_run_folders_is_race_free(tmp_path):
    """W07-run-folder-race: sixteen claims at once, sixteen folders, one RUNNING mark each."""
    claimed, start = [], threading.Barrier(16)

    errors = []

    def claim():
        start.wait()
        try:
            claimed.append(zl.report.claim_run_dir(tmp_path, 2025, run_id="same"))
        except zl.ReportError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claim) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 1 and len(errors) == 15              # a named run exists once
    errors.clear()

    def claim_default():
        start.wait()
        try:
            claimed.append(zl.report.claim_run_dir(tmp_path, 2025))
        except zl.ReportError as exc:                           # pragma: no cover
            errors.append(exc)

    claimed.clear()
    threads = [threading.Thread(target=claim_default) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(claimed)) == 16
    assert all(sorted(os.listdir(p)) == [RUNNING] for p in claimed)


def test_a_named_run_is_never_overwritten(tmp_path, fake):
    """W15-concurrent-overwrite, W11-delete-before-write: a run id that exists (or that another
    run holds) is refused before any work; the earlier run is left as it was."""
    fake(marker="first")
    first = render(tmp_path, run_id="approved")
    before = snapshot(tmp_path)
    with pytest.raises(zl.ReportError, match=r"approved already holds a report run, which is "
                                             r"never overwritten.*--run-id"):
        render(tmp_path, run_id="approved")
    assert snapshot(tmp_path) == before and first.folder.name == "approved"
    held = tmp_path / "2025" / "held"
    held.mkdir()
    (held / RUNNING).write_text("A report run started at … is writing\n")
    with pytest.raises(zl.ReportError, match=r"held already holds a report run"):
        render(tmp_path, run_id="held")
    with pytest.raises(ValueError, match=r"run id must be a folder name"):
        render(tmp_path, run_id="../escape")


# -- failed and interrupted runs ------------------------------------------------------------------
def test_interrupted_run_is_marked_in_folder_and_notebook(tmp_path, fake):
    """W08-interrupted-looks-complete, W10-temporaries-left: a KeyboardInterrupt while the
    notebook runs leaves RUN_FAILED.txt and a notebook whose first cell says so."""
    fake(error=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        render(tmp_path, run_id="r")
    run = tmp_path / "2025" / "r"
    assert sorted(os.listdir(run)) == [RUN_FAILED, f"{REPORT_STEM}.failed.ipynb", "scheme.yaml"]
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
                 "--out-dir", str(tmp_path), "--units", "none", "--run-id", "r"])
    assert code == 130
    assert "interrupted; the run folder is marked with RUN_FAILED.txt" in capsys.readouterr().err
    assert (tmp_path / "2025" / "r" / RUN_FAILED).is_file()


def test_failed_pages_are_kept_and_listed(tmp_path, fake, capsys):
    """W08-interrupted-looks-complete, W12-stale-marks: a page that fails leaves its notebook
    marked failed and RUN_FAILED.txt; the run's other files are written and the command line
    exits 1 listing the failure."""
    fake(error=RuntimeError("kernel died"))
    code = main(["report", "--workspace", str(SAMPLE), "--scheme", "baseline", "--year", "2025",
                 "--out-dir", str(tmp_path), "--units", "none", "--run-id", "r"])
    err = capsys.readouterr().err
    assert code == 1 and "1 page(s) failed" in err and "city_report: The page city_report " \
                                                        "failed: RuntimeError: kernel died" in err
    run = tmp_path / "2025" / "r"
    assert sorted(os.listdir(run)) == [RUN_FAILED, "assessment_2025.xlsx",
                                       f"{REPORT_STEM}.failed.ipynb", "index.html", "scheme.yaml"]
    assert "kernel died" in (run / "index.html").read_text(encoding="utf-8")
    assert "city_report.failed.ipynb" in (run / RUN_FAILED).read_text(encoding="utf-8")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("k", [1, 2])
def test_page_rename_failing_writes_neither_file(tmp_path, fake, monkeypatch, k):
    """W02-partial-group: a page's HTML and notebook are written together or not at all."""
    fake(marker="first")
    real, calls = os.replace, []

    def flaky(src, dst):
        calls.append(dst) if Path(dst).name.startswith(REPORT_STEM) else None
        if Path(dst).name.startswith(REPORT_STEM) and len(calls) == k:
            raise PermissionError(13, "Permission denied (injected)", str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(zl.ReportError, match=r"Could not write .*city_report"):
        render(tmp_path, run_id="r")
    monkeypatch.undo()
    run = tmp_path / "2025" / "r"
    assert not any(p.name.startswith(REPORT_STEM) for p in run.iterdir())
    assert RUN_FAILED in os.listdir(run)
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
           "--scheme", "baseline", "--year", "2025", "--out-dir", str(tmp_path), "--units",
           "none", "--workers", "1", "--draws", "0"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    indexes = sorted(Path(o[0].strip().splitlines()[-1]) for o in outs)
    assert len({i.parent for i in indexes}) == 2
    fingerprint = zl.Scheme.from_yaml(SAMPLE / "schemes" / "baseline.yaml").fingerprint()
    for index in indexes:
        assert fingerprint in (index.parent / f"{REPORT_STEM}.html").read_text(encoding="utf-8")
        assert RUNNING not in os.listdir(index.parent)


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
        render(tmp_path, run_id="r")
    run = tmp_path / "2025" / "r"
    assert sorted(os.listdir(run)) == [RUN_FAILED, f"{REPORT_STEM}.failed.ipynb", "scheme.yaml"]
    nb = nbformat.read(run / f"{REPORT_STEM}.failed.ipynb", as_version=4)
    assert FAILED_TAG in nb.cells[0].metadata["tags"] and "INTERRUPTED" in nb.cells[0].source
    assert "was INTERRUPTED" in (run / RUN_FAILED).read_text(encoding="utf-8")
