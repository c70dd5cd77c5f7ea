"""papermill rendering of the yearly report: run folders that never overwrite, parameter checks
before a kernel starts, failed notebooks kept.

:func:`render_report` runs ``notebooks/yearly_report.ipynb`` with papermill and exports it with
:func:`~zhengji_lab.report.export.export_html`. Facts this module is built on (DESIGN.md,
"Reports"): a failed or timed-out run can leave a saved notebook that looks complete, so success
is judged by the exception; parameters stay JSON-simple (str, int), so a Scheme object is
written to the run folder and passed by path. papermill is imported only when rendering.

Examples
--------
>>> next_run_dir(Path("reports"), 2025, taken=lambda p: p.name in {"2025", "2025-run2"}).name
'2025-run3'
"""
from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from zhengji_lab.errors import BuildError, ReportError
from zhengji_lab.report.export import export_html
from zhengji_lab.report.notebook import notebook_path
from zhengji_lab.scheme import Scheme

logger = logging.getLogger(__name__)

#: File stem of the rendered report: ``city_report.html``, ``city_report.ipynb``.
REPORT_STEM = "city_report"


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
                  overwrite: bool = False, kernel_name: str | None = None,
                  progress: bool = True) -> Path:
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
        Reports go to ``<out_dir>/<year>/``. When that folder already holds a report, the run
        goes to the next free ``<year>-run2/``, ``-run3/`` … (logged), unless ``overwrite``.
    overwrite : bool
        Write into ``<out_dir>/<year>/``, replacing the report files there.
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
        When a cell fails or the kernel dies; the executed notebook is kept as
        ``city_report.failed.ipynb`` and the message names it and the failing cell.
    """
    nb_path = notebook_path()
    out_dir = Path(out_dir)
    run_dir = out_dir / str(year) if overwrite else next_run_dir(out_dir, year)
    params = _notebook_parameters(workspace, scheme, year, run_dir / "scheme.yaml")
    kernel = kernel_name or "python3"
    _check_kernel(kernel)
    # papermill is slow to import: only when rendering
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    run_dir.mkdir(parents=True, exist_ok=True)
    if hasattr(scheme, "to_yaml"):
        scheme.to_yaml(params["scheme"])
    ipynb = run_dir / f"{REPORT_STEM}.ipynb"
    html = run_dir / f"{REPORT_STEM}.html"
    failed = run_dir / f"{REPORT_STEM}.failed.ipynb"
    if overwrite:
        for old in (ipynb, html, failed):
            if old.exists():
                old.unlink()
                logger.info("overwrite=True: removed %s", old)
    elif run_dir.name != str(year):
        logger.warning("%s already holds a report; this run writes to %s",
                       out_dir / str(year), run_dir)
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(str(nb_path), str(ipynb), parameters=params, kernel_name=kernel,
                            language="python", progress_bar=progress)
    except PapermillExecutionError as exc:
        if ipynb.exists():
            ipynb.replace(failed)
        raise ReportError(
            f"The report notebook failed in cell In [{exc.exec_count}] (`{_failing_line(exc)}`) "
            f"with {exc.ename}: {str(exc.evalue).rstrip('.')}. The executed notebook with the "
            f"traceback is kept at {failed}.", notebook=failed, cell=exc.cell_index) from exc
    except Exception as exc:                          # timeouts, dead kernels, …
        kept = ""
        if ipynb.exists():
            ipynb.replace(failed)
            kept = f" The notebook as far as it ran is kept at {failed}."
        raise ReportError(f"Rendering the report failed: {type(exc).__name__}: {exc}.{kept}",
                          notebook=failed if kept else None) from exc
    export_html(ipynb, html)
    logger.info("Report written to %s in %.1f s", html, time.perf_counter() - t0)
    return html
