"""papermill rendering of the yearly report: run folders claimed race-free that never overwrite,
parameter checks before a kernel starts, failed and interrupted runs marked.

:func:`render_report` runs ``notebooks/yearly_report.ipynb`` with papermill and exports it with
:func:`~zhengji_lab.report.export.html_text`. Facts this module is built on (DESIGN.md,
"Reports"): a failed or timed-out run can leave a saved notebook that looks complete, so success
is judged by the exception; parameters stay JSON-simple (str, int), so a Scheme object is
written to the run folder and passed by path. ``draws`` and ``seed`` (the Monte Carlo draws of
the rank bands, :func:`~zhengji_lab.report.yearly_assessment`) are passed only when given, so
the notebook's defaults hold otherwise. papermill is imported only when rendering.

Run folders (issue 10). A run claims its folder by creating :data:`RUNNING` in it with
``O_EXCL``, which only one process can do, so two runs started at once never share a folder:
the first free of ``<year>/``, ``<year>-run2/`` … (:func:`claim_run_dir`). papermill writes the
notebook to a temporary name; the HTML and the notebook are renamed into place together when
the run succeeds, and :data:`RUNNING` is removed. A run that fails or is interrupted
(``KeyboardInterrupt``) leaves :data:`RUN_FAILED` in its folder, and the notebook as far as it
ran as ``city_report.failed.ipynb``, whose first cell says the run failed or was interrupted and
why; a run killed outright leaves :data:`RUNNING`, which says so too.

Examples
--------
>>> next_run_dir(Path("reports"), 2025, taken=lambda p: p.name in {"2025", "2025-run2"}).name
'2025-run3'
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

from zhengji_lab import safeio
from zhengji_lab.errors import BuildError, ReportError
from zhengji_lab.report.export import html_text
from zhengji_lab.report.notebook import REPORT_DRAWS, REPORT_SEED, check_draws, notebook_path
from zhengji_lab.scheme import Scheme

logger = logging.getLogger(__name__)

#: Arguments of the report kernels: ipykernel's start-up chatter ("Kernel is running over TCP
#: without encryption") is not the user's business; errors still show.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]

#: File stem of the rendered report: ``city_report.html``, ``city_report.ipynb``.
REPORT_STEM = "city_report"

#: Created (``O_EXCL``) when a run claims its folder; removed when the run ends.
RUNNING = "RUNNING.txt"

#: Left in the run folder by a run that failed or was interrupted: what happened and where.
RUN_FAILED = "RUN_FAILED.txt"

#: Tag of the first cell of a failed run's notebook, the one saying that it failed.
FAILED_TAG = "zhengji-run-failed"


def next_run_dir(out_dir: Path, year: int, *,
                 taken: Callable[[Path], bool] | None = None) -> Path:
    """The first free run folder: ``<out_dir>/<year>``, then ``<year>-run2``, ``-run3`` …

    A folder is taken when it exists and is not empty (``taken`` overrides the test).
    """
    def _taken(p: Path) -> bool:
        return p.exists() and any(p.iterdir())

    taken = taken or _taken
    candidate, k = out_dir / str(year), 1
    while taken(candidate):
        k += 1
        candidate = out_dir / f"{year}-run{k}"
    return candidate


def claim_run_dir(out_dir: str | Path, year: int, *, overwrite: bool = False) -> Path:
    """Claim a run folder for one run, race-free: create :data:`RUNNING` in it with ``O_EXCL``.

    Without ``overwrite``, the first folder of ``<year>``, ``<year>-run2`` … that is missing or
    empty and whose :data:`RUNNING` this call creates; two runs started at once get two
    folders. With ``overwrite``, ``<year>`` itself, unless another run holds it.

    Raises
    ------
    ReportError
        When the folder cannot be created or written (read-only), or with ``overwrite`` when
        another run holds ``<year>``; the message names the folder and the fix.
    """
    out_dir = Path(out_dir)
    _make_run_folder(out_dir, out_dir)
    note = _running_note()
    if overwrite:
        run = out_dir / str(year)
        _make_run_folder(run, out_dir)
        if not _create_mark(run, note, out_dir):
            raise ReportError(
                f"{run / RUNNING} says another report run is writing to {run}: "
                f"{_first_line(run / RUNNING)}. Wait for it to finish, or run without "
                f"--overwrite (the next free <year>-runN/); if no run is going on (it was "
                f"killed), delete {run / RUNNING} and run again.")
        return run
    k = 1
    while True:
        run = out_dir / (str(year) if k == 1 else f"{year}-run{k}")
        k += 1
        if run.exists() and (not run.is_dir() or any(run.iterdir())):
            continue
        _make_run_folder(run, out_dir)
        if not _create_mark(run, note, out_dir):
            continue                                   # another run got there first
        if any(p.name != RUNNING for p in run.iterdir()):
            (run / RUNNING).unlink(missing_ok=True)    # a run began and ended in between
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


def _notebook_parameters(workspace, scheme, year: int, scheme_file: Path) -> dict:
    """JSON-simple notebook parameters, relative paths resolved against the current folder.

    A Scheme object is passed as ``scheme_file``, where the caller writes it.
    """
    if isinstance(year, bool) or not isinstance(year, int):  # as check_year says it
        raise BuildError(f"The year must be a whole number such as 2025. Got {year!r} instead.")
    if hasattr(workspace, "framework"):              # a Workspace read from disk
        workspace = workspace.source
    if not isinstance(workspace, (str, Path)) or not str(workspace):
        raise TypeError("The 'workspace' parameter of render_report() must be the path of a "
                        "workspace folder or .xlsx workbook (or a Workspace read from one). Got "
                        f"{workspace!r} instead.")
    ws_path = Path(workspace).expanduser()
    if not ws_path.exists():
        raise FileNotFoundError(f"The 'workspace' parameter of render_report() must be an "
                                f"existing folder or .xlsx workbook. Got {str(workspace)!r} "
                                f"instead (looked in {Path.cwd()}).")
    if isinstance(scheme, Scheme):                   # parameters stay JSON-simple: write it out
        scheme_param = str(scheme_file.resolve())
    elif isinstance(scheme, (str, Path)):
        path = Path(scheme).expanduser()
        looks_like_file = isinstance(scheme, Path) or path.suffix in (".yaml", ".yml")
        if path.is_file():
            scheme_param = str(path.resolve())
        elif looks_like_file:
            raise FileNotFoundError(f"The 'scheme' parameter of render_report() names the file "
                                    f"{str(scheme)!r}, which does not exist (looked in "
                                    f"{Path.cwd()}). Give a scheme name of the workspace or an "
                                    f"existing YAML path.")
        else:
            scheme_param = str(scheme)
    else:
        raise TypeError(f"The 'scheme' parameter of render_report() must be a scheme name, a "
                        f"YAML path or a Scheme. Got {type(scheme).__name__} instead.")
    return {"year": int(year), "workspace": str(ws_path.resolve()), "scheme": scheme_param}


def _check_kernel(kernel_name: str) -> None:
    # jupyter_client comes with papermill: only when rendering
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel as exc:
        raise ReportError(
            f"No Jupyter kernel named {kernel_name!r}. Install this environment's kernel with "
            f"`{sys.executable} -m ipykernel install --prefix {sys.prefix} --name python3` "
            f"(make venv does it), or pass kernel_name=...") from exc
    exe = Path(spec.argv[0]) if spec.argv else None
    if exe is not None and exe.is_absolute() and exe.resolve() != Path(sys.executable).resolve():
        logger.warning("Kernel %r runs %s, not this Python (%s); it must have zhengji_lab "
                       "installed.", kernel_name, exe, sys.executable)


def _failing_line(exc) -> str:
    """The source line an IPython traceback marks with an arrow, else the cell's first line."""
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    for frame in exc.traceback or []:
        for line in ansi.sub("", frame).splitlines():
            m = re.match(r"\s*-+>\s*\d+\s(.*)", line)
            if m:
                return m.group(1).strip()
    return next((ln.strip() for ln in exc.source.splitlines() if ln.strip()), "")


def render_report(workspace, scheme, year: int, *, out_dir: str | Path = "reports",
                  overwrite: bool = False, draws: int | None = None, seed: int | None = None,
                  kernel_name: str | None = None, progress: bool = True) -> Path:
    """Render the yearly city report: run ``notebooks/yearly_report.ipynb`` with papermill and
    export it to HTML.

    Parameters
    ----------
    workspace : str, Path or Workspace
        The assessment workspace (folder or .xlsx); relative paths are resolved against the
        current folder before the notebook runs.
    scheme : str, Path or Scheme
        A scheme name of the workspace (``ws.schemes``), a YAML path, or a Scheme (written to
        ``scheme.yaml`` in the run folder, since notebook parameters stay JSON-simple).
    year : int
    out_dir : str or Path
        Reports go to ``<out_dir>/<year>/``. When that folder already holds a report (or a run
        is writing to it), the run goes to the next free ``<year>-run2/``, ``-run3/`` … (logged),
        unless ``overwrite``. Never a workspace folder.
    overwrite : bool
        Write into ``<out_dir>/<year>/``, replacing the report files there once the new ones are
        ready (a failed run leaves them as they were).
    draws : int, optional
        Monte Carlo draws of the rank bands, 等次存疑 and the triggers' firing probabilities
        over the scheme's ``uncertainty`` section; 0 turns them off. Default: the notebook's
        (:data:`~zhengji_lab.report.REPORT_DRAWS`).
    seed : int, optional
        Seed of the draws; default the notebook's (:data:`~zhengji_lab.report.REPORT_SEED`).
    kernel_name : str, optional
        Jupyter kernel; default ``"python3"`` (this virtual environment's kernel).
    progress : bool
        Show papermill's progress bar.

    Returns
    -------
    Path
        The HTML report (``city_report.html``, beside the executed ``city_report.ipynb``).

    Raises
    ------
    ReportError
        When a cell fails, the kernel dies, or the output folder cannot be written; the run
        folder is marked with :data:`RUN_FAILED`, the executed notebook is kept as
        ``city_report.failed.ipynb`` (its first cell says the run failed) and the message names
        it and the failing cell.
    zhengji_lab.safeio.WorkspaceOutputError
        A ``ValueError``: ``out_dir`` is a workspace folder.
    KeyboardInterrupt
        Re-raised after the run folder and the notebook are marked as interrupted.
    """
    nb_path = notebook_path()
    out_dir = Path(out_dir)
    params = _notebook_parameters(workspace, scheme, year, Path("scheme.yaml"))
    given = {k: v for k, v in (("draws", draws), ("seed", seed)) if v is not None}
    check_draws(given.get("draws", REPORT_DRAWS), given.get("seed", REPORT_SEED), "render_report")
    params.update(given)
    safeio.refuse_workspace_folder(out_dir, what="reports", workspace=params["workspace"],
                                   fix="choose another output folder (--out-dir, out_dir=...), "
                                       "e.g. reports")
    kernel = kernel_name or "python3"
    _check_kernel(kernel)
    # papermill is slow to import: only when rendering
    import papermill as pm

    run_dir = claim_run_dir(out_dir, year, overwrite=overwrite)
    if not overwrite and run_dir.name != str(year):
        logger.warning("%s already holds a report; this run writes to %s",
                       out_dir / str(year), run_dir)
    ipynb, html = run_dir / f"{REPORT_STEM}.ipynb", run_dir / f"{REPORT_STEM}.html"
    partial = None
    t0 = time.perf_counter()
    try:
        if isinstance(scheme, Scheme):
            params["scheme"] = str((run_dir / "scheme.yaml").resolve())
            safeio.write_text(run_dir / "scheme.yaml", scheme.to_yaml(), overwrite=True)
        partial = safeio.temporary_path(ipynb, keep_suffix=True)
        pm.execute_notebook(str(nb_path), str(partial), parameters=params, kernel_name=kernel,
                            language="python", progress_bar=progress,
                            extra_arguments=KERNEL_ARGUMENTS)
        page = safeio.stage(html, html_text(partial, default_title=REPORT_STEM).encode("utf-8"))
        safeio.commit([(page, html), (partial, ipynb)],
                      fix="choose another output folder (--out-dir)")
    except BaseException as exc:                      # interrupts too: the run is marked
        error = _failed(exc, run_dir, partial)
        if error is exc:
            raise
        raise error from exc
    for stale in (RUNNING, RUN_FAILED, f"{REPORT_STEM}.failed.ipynb"):  # this run's, or earlier
        with contextlib.suppress(OSError):                                # runs' marks
            (run_dir / stale).unlink(missing_ok=True)
    logger.info("Report written to %s in %.1f s", html, time.perf_counter() - t0)
    return html


def _failed(exc: BaseException, run_dir: Path, partial: Path | None) -> BaseException:
    """Mark a failed or interrupted run (its folder and notebook); the exception to raise."""
    from papermill.exceptions import PapermillExecutionError  # lazy: papermill is slow to load

    interrupted = not isinstance(exc, Exception)
    failed = run_dir / f"{REPORT_STEM}.failed.ipynb"
    if isinstance(exc, PapermillExecutionError):
        what = (f"The report notebook failed in cell In [{exc.exec_count}] "
                f"(`{_failing_line(exc)}`) with {exc.ename}: {str(exc.evalue).rstrip('.')}")
    elif interrupted:
        what = f"The report run was interrupted ({type(exc).__name__})"
    else:
        what = f"Rendering the report failed: {type(exc).__name__}: {str(exc).rstrip('.')}"
    kept, cell = _keep_failed_notebook(partial, failed, what, interrupted)
    _write_failed_mark(run_dir, what, interrupted, failed if kept else None)
    with contextlib.suppress(OSError):
        (run_dir / RUNNING).unlink(missing_ok=True)
    if interrupted:
        logger.error("%s; the run folder %s is marked with %s", what, run_dir, RUN_FAILED)
        return exc
    if isinstance(exc, PapermillExecutionError):
        return ReportError(f"{what}. The executed notebook with the traceback is kept at "
                           f"{failed}; {run_dir / RUN_FAILED} marks the run as failed.",
                           notebook=failed, cell=cell)
    if isinstance(exc, ReportError):
        return exc
    where = f" The notebook as far as it ran is kept at {failed}." if kept else ""
    return ReportError(f"{what}.{where} {run_dir / RUN_FAILED} marks the run as failed.",
                       notebook=failed if kept else None)


def _keep_failed_notebook(partial: Path | None, failed: Path, what: str,
                          interrupted: bool) -> tuple[bool, int | None]:
    """Save the notebook as far as it ran with a first cell saying the run failed; returns
    whether one was kept and the index of its failing cell."""
    import nbformat  # lazy: comes with papermill, needed only here

    if partial is None or not partial.is_file() or partial.stat().st_size == 0:
        if partial is not None:
            safeio.discard(partial)
        return False, None
    try:
        nb = nbformat.read(str(partial), as_version=4)
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
        safeio.write_text(failed, nbformat.writes(nb), overwrite=True)
        return True, cell
    except Exception:                                   # the mark must not hide the failure
        logger.exception("Could not keep the failed notebook %s", failed)
        return False, None
    finally:
        safeio.discard(partial)


def _write_failed_mark(run_dir: Path, what: str, interrupted: bool, failed: Path | None) -> None:
    earlier = [f"{REPORT_STEM}{ext}" for ext in (".html", ".ipynb")
               if (run_dir / f"{REPORT_STEM}{ext}").exists()]
    when = dt.datetime.now().isoformat(timespec="seconds")
    lines = [f"This report run {'was INTERRUPTED' if interrupted else 'FAILED'} at {when}.",
             what + ".",
             f"The notebook as far as it ran: {failed.name}." if failed else
             "No notebook was saved."]
    if earlier:
        one = len(earlier) == 1
        lines.append(f"{', '.join(earlier)} in this folder {'is' if one else 'are'} from an "
                     f"earlier run; this run did not replace {'it' if one else 'them'}.")
    lines.append("Run the report again; a run without --overwrite goes to the next free folder.")
    try:
        safeio.write_text(run_dir / RUN_FAILED, "\n".join(lines) + "\n", overwrite=True)
    except OSError:
        logger.exception("Could not mark %s as failed", run_dir)
