"""Adversarial tests of every writer (issue 10, "Nothing silent, nothing lost"): safe writes in
:mod:`zhengji_lab.safeio`, ``write_workspace``, ``zhengji validate --problems`` and
``zhengji build --out`` (the report: test_writes_report.py).

Failures are injected midway by making the k-th rename (``os.replace``) or the k-th temporary
raise ``PermissionError``: tests run as root here, where ``chmod`` does not stop writes. One
real ``chmod`` test per writer skips when running as root. Each test names the write-mistake
classes of :data:`zhengji_lab.safeio.WRITE_MISTAKES` it checks; the last test checks that every
class is named by some test.
"""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest

import zhengji_lab as zl
from zhengji_lab import safeio
from zhengji_lab.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample_city"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
as_root = pytest.mark.skipif(IS_ROOT, reason="running as root: chmod does not stop root from "
                                             "writing, so a read-only folder cannot be made")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) → its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def hidden(folder: Path) -> list[str]:
    """Temporaries and backups left anywhere under ``folder``."""
    return [p.name for p in folder.rglob(".*") if p.name.endswith((".tmp", ".bak"))
            or ".tmp." in p.name]


def fail_on(monkeypatch, k: int, name: str = "replace", error=PermissionError):
    """Make the k-th call (1-based) of ``os.<name>`` raise ``error``; returns the call log."""
    real = getattr(os, name)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == k:
            raise error(13, "Permission denied (injected)", str(args[-1]))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, flaky)
    return calls


@pytest.fixture
def user_ws(tmp_path):
    """A copy of the sample city with files the user added: a note, a scheme, a judgement."""
    ws = tmp_path / "city"
    shutil.copytree(SAMPLE, ws)
    (ws / "notes.txt").write_text("the panel met on 3 March\n", encoding="utf-8")
    (ws / "schemes" / "my_draft.yaml").write_text("name: my_draft\n", encoding="utf-8")
    (ws / "judgements" / "index" / "expert_new.csv").write_bytes(
        (ws / "judgements" / "index").glob("*.csv").__next__().read_bytes())
    return ws


# -- safeio ---------------------------------------------------------------------------------------
def test_write_text_refuses_replaces_and_keeps_mode(tmp_path):
    """W04-silent-replace, W14-mode-lost, W10-temporaries-left."""
    path = safeio.write_text(tmp_path / "a.csv", "x\n")
    with pytest.raises(safeio.OutputExistsError, match=r"a\.csv already exists.*--overwrite"):
        safeio.write_text(path, "y\n")
    assert path.read_text() == "x\n"
    os.chmod(path, 0o640)
    safeio.write_text(path, "y\n", overwrite=True)
    assert path.read_text() == "y\n" and stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_a_new_file_gets_the_usual_mode(tmp_path):
    """W14-mode-lost: temporaries are not left 0600 once renamed."""
    umask = os.umask(0o022)
    try:
        path = safeio.write_bytes(tmp_path / "b.bin", b"1")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_folder_where_a_file_goes_and_file_where_a_folder_goes(tmp_path):
    """W13-file-folder-confusion."""
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(safeio.OutputExistsError, match=r"d\.csv is a folder, not a file"):
        safeio.write_text(tmp_path / "d.csv", "x", overwrite=True)
    (tmp_path / "f").write_text("keep")
    with pytest.raises(safeio.WriteError, match=r"f is a file, not a folder"):
        safeio.write_text(tmp_path / "f" / "x.csv", "x")
    assert (tmp_path / "f").read_text() == "keep"


@pytest.mark.parametrize("k", [1, 2, 3])
def test_write_files_all_or_nothing_when_a_rename_fails(tmp_path, monkeypatch, k):
    """W02-partial-group, W11-delete-before-write, W10-temporaries-left, W17-folders-left."""
    old = {tmp_path / "a.csv": b"old a", tmp_path / "b.csv": b"old b"}
    for p, data in old.items():
        p.write_bytes(data)
    files = {tmp_path / "a.csv": b"new a", tmp_path / "b.csv": b"new b",
             tmp_path / "new" / "deep" / "c.csv": b"new c"}
    fail_on(monkeypatch, k)
    with pytest.raises(safeio.WriteError, match=r"Could not write .*PermissionError.*Fix: make "
                                                r"sure the folder .* is writable") as info:
        safeio.write_files(files, overwrite=True)
    monkeypatch.undo()
    assert info.value.errno == 13 and isinstance(info.value, OSError)
    assert snapshot(tmp_path) == {"a.csv": b"old a", "b.csv": b"old b"}
    assert not (tmp_path / "new").exists() and hidden(tmp_path) == []


@pytest.mark.parametrize("k", [1, 3])
def test_write_files_all_or_nothing_when_a_temporary_fails(tmp_path, monkeypatch, k):
    """W02-partial-group, W03-torn-file: a full disk or read-only folder while staging."""
    (tmp_path / "a.csv").write_bytes(b"old a")
    real = safeio.stage
    calls = []

    def flaky(path, data):
        calls.append(path)
        if len(calls) == k:
            raise OSError(28, "No space left on device (injected)")
        return real(path, data)

    monkeypatch.setattr(safeio, "stage", flaky)
    files = {tmp_path / f"{n}.csv": b"new" for n in "abc"}
    with pytest.raises(safeio.WriteError, match=r"No space left.*no file was changed"):
        safeio.write_files(files, overwrite=True)
    assert snapshot(tmp_path) == {"a.csv": b"old a"} and hidden(tmp_path) == []


def test_interrupt_while_writing_leaves_the_old_file(tmp_path, monkeypatch):
    """W03-torn-file: an interrupt in the middle of the bytes; the old file is whole."""
    path = tmp_path / "r.csv"
    path.write_bytes(b"old")
    real = os.write

    def half(fd, data):
        real(fd, bytes(data[:2]))
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "write", half)
    with pytest.raises(KeyboardInterrupt):
        safeio.write_bytes(path, b"new content", overwrite=True)
    monkeypatch.undo()
    assert path.read_bytes() == b"old" and hidden(tmp_path) == []


def test_interrupt_between_renames_puts_back_every_file(tmp_path, monkeypatch):
    """W02-partial-group: KeyboardInterrupt after the first rename of a group."""
    for n in "ab":
        (tmp_path / f"{n}.csv").write_bytes(b"old " + n.encode())
    fail_on(monkeypatch, 2, error=lambda *a: KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        safeio.write_files({tmp_path / "a.csv": b"new", tmp_path / "b.csv": b"new"},
                           overwrite=True)
    monkeypatch.undo()
    assert snapshot(tmp_path) == {"a.csv": b"old a", "b.csv": b"old b"}


def test_workspace_folders_are_refused(tmp_path, user_ws):
    """W05-output-into-workspace, W06-output-is-workspace."""
    for target in (user_ws, user_ws / "judgements" / "index", user_ws / "schemes" / "x"):
        with pytest.raises(safeio.WorkspaceOutputError, match=r"framework\.csv.*choose another"):
            safeio.refuse_workspace_folder(target, what="result files", fix="choose another")
    safeio.refuse_workspace_folder(user_ws / "out", what="r", fix="f")  # a plain sub-folder
    safeio.refuse_workspace_folder(tmp_path / "elsewhere", what="r", fix="f")
    book = tmp_path / "book.xlsx"
    with pytest.raises(safeio.WorkspaceOutputError, match=r"book\.xlsx is the workspace being "
                                                          r"assessed"):
        safeio.refuse_workspace_folder(book, folder=False, what="r", fix="f", workspace=book)
    with pytest.raises(zl.ZhengjiError):
        safeio.refuse_workspace_folder(user_ws / "values.csv", folder=False, what="r", fix="f")


# -- write_workspace ------------------------------------------------------------------------------
def test_write_workspace_overwrite_deletes_nothing_the_user_added(user_ws):
    """W01-deletes-user-files, W16-silent-leftovers (the note, the draft scheme and the extra
    judgement stay, and a warning names the ones loading reads back)."""
    ws = zl.load_workspace(SAMPLE)
    before = snapshot(user_ws)
    with pytest.warns(zl.errors.WorkspaceWarning,
                      match=r"keeps 2 judgement or scheme files.*expert_new\.csv.*my_draft\.yaml"):
        zl.write_workspace(ws, user_ws, overwrite=True)
    after = snapshot(user_ws)
    added = ["notes.txt", "schemes/my_draft.yaml", "judgements/index/expert_new.csv"]
    assert {f: after[f] for f in added} == {f: before[f] for f in added}
    assert set(after) == set(before) and hidden(user_ws) == []


def changed(ws: zl.Workspace) -> zl.Workspace:
    """``ws`` with every value doubled and one scheme edited: each file differs from disk."""
    schemes = {name: text + "# edited\n" for name, text in ws.schemes.items()}
    return dataclasses.replace(ws, values=ws.values.assign(value=ws.values["value"] * 2),
                               schemes=schemes)


@pytest.mark.parametrize("k", [1, 2, 17, 30, 40])
def test_write_workspace_failing_midway_loses_nothing(user_ws, monkeypatch, k):
    """W02-partial-group, W11-delete-before-write: the k-th of 40-odd renames fails (a file
    locked, a folder read-only); every file is as it was, also those renamed before it."""
    ws = changed(zl.load_workspace(SAMPLE))
    before = snapshot(user_ws)
    fail_on(monkeypatch, k)
    with pytest.raises(safeio.WriteError, match=r"Could not write .*(put back|left as it was)"):
        zl.write_workspace(ws, user_ws, overwrite=True)
    monkeypatch.undo()
    assert snapshot(user_ws) == before and hidden(user_ws) == []
    zl.write_workspace(ws, user_ws / "copy")                     # the same call, not failing
    assert len(snapshot(user_ws / "copy")) > k


def test_write_workspace_new_folder_failing_leaves_no_folder(tmp_path, monkeypatch):
    """W17-folders-left, W10-temporaries-left."""
    fail_on(monkeypatch, 3)
    with pytest.raises(OSError, match="Could not write"):
        zl.write_workspace(zl.load_workspace(SAMPLE), tmp_path / "new" / "city")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_write_workspace_xlsx_failing_keeps_the_old_workbook(tmp_path, monkeypatch):
    """W03-torn-file: a workbook open in Excel cannot be replaced; the old one stays whole."""
    book = zl.write_workspace(zl.load_workspace(SAMPLE), tmp_path / "city.xlsx")
    before = book.read_bytes()
    fail_on(monkeypatch, 1)
    with pytest.raises(safeio.WriteError, match=r"city\.xlsx.*left as it was.*Excel"):
        zl.write_workspace(zl.Workspace(*(getattr(zl.load_workspace(SAMPLE), t) for t in
                                          ("framework", "units", "values"))), book,
                           overwrite=True)
    monkeypatch.undo()
    assert book.read_bytes() == before and sorted(tmp_path.iterdir()) == [book]


@as_root
def test_write_workspace_into_a_read_only_folder(user_ws):
    """W09-traceback-not-message, W02-partial-group with a real chmod (skipped as root)."""
    before = snapshot(user_ws)
    os.chmod(user_ws, 0o555)
    try:
        with pytest.raises(safeio.WriteError, match=r"Could not write .*writable"):
            zl.write_workspace(zl.load_workspace(SAMPLE), user_ws, overwrite=True)
    finally:
        os.chmod(user_ws, 0o755)
    assert snapshot(user_ws) == before


# -- zhengji validate --problems ------------------------------------------------------------------
@pytest.fixture
def bad_ws(tmp_path):
    ws = tmp_path / "bad"
    shutil.copytree(SAMPLE, ws)
    with (ws / "values.csv").open("a", encoding="utf-8") as f:
        f.write("no_such_unit,2025,gdp,1\n")
    return ws


def test_validate_problems_never_replaces_without_overwrite(bad_ws, tmp_path, capsys):
    """W04-silent-replace, W18-check-after-work."""
    out = tmp_path / "problems.csv"
    out.write_text("my own notes\n", encoding="utf-8")
    assert main(["validate", str(bad_ws), "--problems", str(out)]) == 1
    err = capsys.readouterr().err
    assert "problems.csv already exists" in err and "--overwrite" in err
    assert out.read_text(encoding="utf-8") == "my own notes\n"
    assert main(["validate", str(bad_ws), "--problems", str(out), "--overwrite"]) == 1
    assert "The problem table is in" in capsys.readouterr().out
    assert list(pd.read_csv(out, encoding="utf-8-sig").columns)[:2] == ["file", "row"]
    assert main(["validate", str(SAMPLE), "--problems", str(out), "--overwrite"]) == 0
    assert "from an earlier check" in capsys.readouterr().err and out.exists()


@pytest.mark.parametrize("target", ["values.csv", "problems.csv", "judgements/index/p.csv"])
def test_validate_problems_never_into_the_workspace(bad_ws, capsys, target):
    """W05-output-into-workspace, W06-output-is-workspace."""
    before = snapshot(bad_ws)
    code = main(["validate", str(bad_ws), "--problems", str(bad_ws / target), "--overwrite"])
    assert code == 1
    err = capsys.readouterr().err
    assert "never writes the problem table into a workspace folder" in err
    assert "--problems problems.csv in another folder" in err
    assert snapshot(bad_ws) == before


def test_validate_problems_write_failure_is_a_message(bad_ws, tmp_path, monkeypatch, capsys):
    """W09-traceback-not-message: the file is locked (rename refused); the old one stays."""
    out = tmp_path / "problems.csv"
    out.write_text("earlier\n", encoding="utf-8")
    fail_on(monkeypatch, 1)
    assert main(["validate", str(bad_ws), "--problems", str(out), "--overwrite"]) == 1
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert re.search(r"zhengji validate: Could not write .*problems\.csv.*left as it was", err)
    assert "Traceback" not in err and out.read_text(encoding="utf-8") == "earlier\n"


# -- zhengji build --out --------------------------------------------------------------------------
ARGS = ["build", "--scheme", "baseline", "--year", "2025"]


@pytest.mark.parametrize("where", [".", "judgements/index"])
def test_build_out_never_into_the_workspace(user_ws, capsys, where):
    """W05-output-into-workspace: `build --out W --overwrite` once replaced W's
    deductions.csv with a result table."""
    before = snapshot(user_ws)
    out = user_ws / where
    assert main([*ARGS, "--workspace", str(user_ws), "--out", str(out), "--overwrite"]) == 1
    captured = capsys.readouterr()
    assert "never writes result files into a workspace folder" in captured.err
    assert "choose another output folder (--out)" in captured.err
    assert "等次" not in captured.out                       # refused before the work
    assert snapshot(user_ws) == before


def test_build_out_is_the_workbook_or_a_file(tmp_path, capsys):
    """W06-output-is-workspace, W13-file-folder-confusion."""
    book = zl.write_workspace(zl.load_workspace(SAMPLE), tmp_path / "city.xlsx")
    before = book.read_bytes()
    assert main([*ARGS, "--workspace", str(book), "--out", str(book), "--overwrite"]) == 1
    assert "is the workspace being assessed" in capsys.readouterr().err
    other = tmp_path / "notes.txt"
    other.write_text("keep")
    assert main([*ARGS, "--workspace", str(SAMPLE), "--out", str(other), "--overwrite"]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
    assert book.read_bytes() == before and other.read_text() == "keep"


def test_build_refuses_existing_results_before_the_work(tmp_path, capsys):
    """W18-check-after-work, W04-silent-replace."""
    out = tmp_path / "res"
    assert main([*ARGS, "--workspace", str(SAMPLE), "--out", str(out)]) == 0
    before = snapshot(out)
    capsys.readouterr()
    assert main([*ARGS, "--workspace", str(SAMPLE), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "already holds results" in captured.err and "等次" not in captured.out
    assert snapshot(out) == before


@pytest.mark.parametrize("k", [1, 4, 7])
def test_build_failing_midway_keeps_the_earlier_results(tmp_path, monkeypatch, capsys, k):
    """W02-partial-group, W09-traceback-not-message: results.xlsx open in Excel (the k-th of
    7 renames refused)."""
    out = tmp_path / "res"
    (out).mkdir()
    (out / "my_notes.md").write_text("keep")
    assert main([*ARGS, "--workspace", str(SAMPLE), "--out", str(out)]) == 0
    before = snapshot(out)
    capsys.readouterr()
    fail_on(monkeypatch, k)
    code = main([*ARGS, "--workspace", str(SAMPLE), "--out", str(out), "--overwrite"])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 1 and "zhengji build: Could not write" in err and "Traceback" not in err
    assert snapshot(out) == before and hidden(out) == []


@as_root
def test_build_into_a_read_only_folder(tmp_path, capsys):
    """W09-traceback-not-message with a real chmod (skipped as root)."""
    out = tmp_path / "ro"
    out.mkdir()
    os.chmod(out, 0o555)
    try:
        assert main([*ARGS, "--workspace", str(SAMPLE), "--out", str(out)]) == 1
    finally:
        os.chmod(out, 0o755)
    err = capsys.readouterr().err
    assert "Could not write" in err and "writable" in err and list(out.iterdir()) == []


def test_other_writers_refuse_to_replace(tmp_path, capsys):
    """W04-silent-replace: export_html, write_workbook; W05 for the weights workbook."""
    path = tmp_path / "w.xlsx"
    zl.report.write_workbook({"a": pd.DataFrame({"x": [1]})}, path)
    with pytest.raises(FileExistsError, match="already exists"):
        zl.report.write_workbook({"a": pd.DataFrame({"x": [2]})}, path)
    code = main(["weights", "--workspace", str(SAMPLE), "--year", "2025",
                 "--out", str(SAMPLE / "weights.xlsx")])
    assert code == 1 and "never writes the comparison workbook into a workspace" in \
        capsys.readouterr().err
    assert not (SAMPLE / "weights.xlsx").exists()


# -- the catalogue --------------------------------------------------------------------------------
def test_every_write_mistake_class_is_tested():
    """Each id of WRITE_MISTAKES is named by a test here or in test_writes_report.py."""
    here = Path(__file__).parent
    text = "".join(p.read_text(encoding="utf-8") for p in here.glob("test_writes*.py"))
    assert len(safeio.WRITE_MISTAKES) >= 12
    untested = [k for k in safeio.WRITE_MISTAKES if k not in text.replace(
        "safeio.WRITE_MISTAKES", "")]
    assert untested == []
