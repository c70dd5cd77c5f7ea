"""Run folders of the yearly run: claimed race-free, never overwritten, failures marked.

Every run writes into a folder of its own, ``<out_dir>/<year>/<run-id>/``; the run id is the
start time (``20261205-093012``) unless the caller names it. A run claims its folder by
creating :data:`RUNNING` in it with ``O_EXCL``, which only one process can do, so two runs
started at once never share a folder (:func:`claim_run_dir`), and a folder that already holds
files is never used again: an earlier run's output is never overwritten.

A page that fails leaves its notebook as far as it ran as ``<stem>.failed.ipynb``, whose first
cell (tagged :data:`FAILED_TAG`) says that it failed and why (:func:`failed_notebook`); a run
with failures, or interrupted, leaves :data:`RUN_FAILED` listing them (:func:`write_failed_mark`);
a run killed outright leaves :data:`RUNNING`, which says so too.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     claim_run_dir(tmp, 2025, run_id="approved").relative_to(tmp).as_posix()
'2025/approved'
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import socket
from pathlib import Path

from zhengji_lab import safeio
from zhengji_lab.errors import ReportError

logger = logging.getLogger(__name__)

#: Created (``O_EXCL``) when a run claims its folder; removed when the run ends.
RUNNING = "RUNNING.txt"

#: Left in the run folder by a run with failed pages or interrupted: what happened and where.
RUN_FAILED = "RUN_FAILED.txt"

#: Tag of the first cell of a failed page's notebook, the one saying that it failed.
FAILED_TAG = "zhengji-run-failed"

_RUN_ID = re.compile(r"^[\w.\-]+$")


def check_run_id(run_id) -> None:
    """A run id names one folder: letters, digits, ``_ . -`` (Chinese letters too)."""
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id) or run_id in (".", ".."):
        raise ValueError(f"The run id must be a folder name of letters, digits, '_', '.' or '-' "
                         f"(such as 2025-approved). Got {run_id!r} instead.")


def claim_run_dir(out_dir: str | Path, year: int, *, run_id: str | None = None) -> Path:
    """Claim a run folder for one run, race-free: create :data:`RUNNING` in it with ``O_EXCL``.

    Parameters
    ----------
    out_dir : str or Path
        Reports go to ``<out_dir>/<year>/<run-id>/``.
    year : int
    run_id : str, optional
        The run's folder name; by default the start time ``YYYYMMDD-HHMMSS`` (with ``-2``,
        ``-3`` … when another run started in the same second).

    Raises
    ------
    ReportError
        When the folder cannot be created or written (read-only), or when the named run
        already exists; the message names the folder and the fix.
    """
    out_dir = Path(out_dir)
    if run_id is not None:
        check_run_id(run_id)
    base = out_dir / str(year)
    _make_run_folder(base, out_dir)
    note = _running_note()
    stem = run_id or dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    k = 1
    while True:
        run = base / (stem if k == 1 else f"{stem}-{k}")
        k += 1
        if run.exists() and (not run.is_dir() or any(run.iterdir())):
            if run_id is not None:
                raise ReportError(f"{run} already holds a report run, which is never "
                                  f"overwritten. Choose another run id (--run-id), or leave it "
                                  f"out to name the run by its start time.")
            continue
        _make_run_folder(run, out_dir)
        if not _create_mark(run, note, out_dir) or any(p.name != RUNNING for p in run.iterdir()):
            if run_id is not None:                     # another run got there first
                raise ReportError(f"Another report run is writing to {run}: "
                                  f"{_first_line(run / RUNNING)}. Choose another run id.")
            continue
        return run


def _running_note() -> str:
    started = dt.datetime.now().isoformat(timespec="seconds")
    return (f"A report run started at {started} (process {os.getpid()} on "
            f"{socket.gethostname()}) is writing to this folder.\n"
            f"If no zhengji report is running any more, the run was killed before it finished: "
            f"the files here are incomplete.\n")


def _make_run_folder(folder: Path, out_dir: Path) -> None:
    try:
        safeio.make_folder(folder)
    except OSError as exc:
        existing = next((p for p in [out_dir, *out_dir.parents] if p.is_dir()), out_dir)
        raise ReportError(f"Cannot write the report into {folder}: {_reason(exc)}. Fix: choose "
                          f"another output folder (--out-dir, out_dir=...) or make {existing} "
                          f"writable.") from exc


def _create_mark(run: Path, note: str, out_dir: Path) -> bool:
    try:
        return safeio.create_exclusive(run / RUNNING, note)
    except OSError as exc:
        raise ReportError(f"Cannot write the report into {run}: {_reason(exc)}. Fix: choose "
                          f"another output folder (--out-dir, out_dir=...) or make {out_dir} "
                          f"writable.") from exc


def _reason(exc: OSError) -> str:
    """The operating system's reason, under a :class:`~zhengji_lab.safeio.WriteError` too."""
    cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
    return f"{type(cause).__name__}: {cause.strerror or cause}"


def _first_line(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").splitlines()[0].rstrip(".")
    except (OSError, IndexError):
        return "(unreadable)"


def failed_notebook(notebook: bytes | None, what: str, *, interrupted: bool = False
                    ) -> tuple[bytes | None, int | None]:
    """The notebook of a failed page as far as it ran, with a first cell saying that it failed.

    Returns the notebook's bytes (``None`` when there is no notebook to keep) and the index of
    its failing cell (the first with an error output, counting the added cell).
    """
    import nbformat  # lazy: comes with papermill, needed only for a failed page

    if not notebook:
        return None, None
    try:
        nb = nbformat.reads(notebook.decode("utf-8"), as_version=4)
    except Exception:                                   # the mark must not hide the failure
        logger.exception("Could not read the failed notebook")
        return notebook, None
    status = "interrupted" if interrupted else "failed"
    when = dt.datetime.now().isoformat(timespec="seconds")
    mark = nbformat.v4.new_markdown_cell(
        f"## ⚠ 本次运行{'被中断' if interrupted else '失败'} — this run {status.upper()}\n\n"
        f"{what} ({when}).\n\nThe results below are incomplete: do not use them. Cells "
        f"after the failure did not run, even where papermill marks them completed.")
    mark.metadata["tags"] = [FAILED_TAG]
    nb.cells.insert(0, mark)
    nb.metadata["zhengji"] = {"status": status, "error": what, "at": when}
    cell = next((i for i, c in enumerate(nb.cells)
                 if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
    return nbformat.writes(nb).encode("utf-8"), cell


def write_failed_mark(run_dir: Path, failures: dict[str, str], *, interrupted: bool = False,
                      kept: dict[str, str] | None = None) -> Path | None:
    """Write :data:`RUN_FAILED`: the run's failures (``{page: why}``) and the notebooks kept
    (``{page: file name}``); returns its path, ``None`` when it could not be written."""
    when = dt.datetime.now().isoformat(timespec="seconds")
    lines = [f"This report run {'was INTERRUPTED' if interrupted else 'FAILED'} at {when}."]
    for page, why in failures.items():
        lines.append(f"- {page}: {why}.")
        if kept and page in kept:
            lines.append(f"  The notebook as far as it ran: {kept[page]}.")
    lines.append("The other pages of this folder are complete. Fix the cause and run the report "
                 "again: a new run goes to a new folder.")
    try:
        return safeio.write_text(run_dir / RUN_FAILED, "\n".join(lines) + "\n", overwrite=True)
    except OSError:
        logger.exception("Could not mark %s as failed", run_dir)
        return None
