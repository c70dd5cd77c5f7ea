"""The yearly run: the city report, a page per unit, ``index.html``, a workbook and, on request,
PDFs, into a run folder of their own, in one call.

:func:`render_report` checks its parameters before any work, claims ``<out_dir>/<year>/<run-id>/``
(:mod:`~zhengji_lab.report.folders`), computes the assessments and their Monte Carlo once
(:func:`~zhengji_lab.report.rundata.prepare_run`), renders ``notebooks/yearly_report.ipynb``
and ``notebooks/unit_report.ipynb`` on kernels kept alive (:mod:`~zhengji_lab.report.kernels`;
``workers`` of them here, or on a Dask cluster with ``scheduler``), writes each page as it comes
(HTML beside its executed notebook), then the index and the workbook
(:mod:`~zhengji_lab.report.site`) and, with ``pdf``, one PDF per page through headless Chromium
(:mod:`~zhengji_lab.report.pdf`).

A page that fails does not stop the others: its notebook as far as it ran is kept as
``<stem>.failed.ipynb``, the index lists it, :data:`~zhengji_lab.report.folders.RUN_FAILED`
says what failed, and :class:`RunResult` carries the failures (``zhengji report`` exits
non-zero listing them). Parameters stay JSON-simple (str, int, dict): the run's data is passed
as a file path, a Scheme object as the YAML written into the run folder.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from zhengji_lab import safeio
from zhengji_lab.errors import BuildError, ReportError
from zhengji_lab.report.excel import workbook_bytes
from zhengji_lab.report.folders import (
    RUN_FAILED,
    RUNNING,
    claim_run_dir,
    failed_notebook,
    write_failed_mark,
)
from zhengji_lab.report.kernels import KernelPool, Page, PageResult, describe_failure
from zhengji_lab.report.notebook import REPORT_DRAWS, REPORT_SEED, check_draws, notebook_path
from zhengji_lab.report.rundata import check_lang, prepare_run
from zhengji_lab.report.site import failed_page_html, index_html, run_tables
from zhengji_lab.report.unit import UNIT_NOTEBOOK
from zhengji_lab.scheme import Scheme
from zhengji_lab.scheme_schema import did_you_mean

logger = logging.getLogger(__name__)

#: File stem of the city report: ``city_report.html``, ``city_report.ipynb``.
REPORT_STEM = "city_report"
#: Folder of the unit pages in a run folder.
UNITS_FOLDER = "units"
#: The run's index page.
INDEX = "index.html"


@dataclass(frozen=True)
class RunResult:
    """What a yearly run wrote.

    Attributes
    ----------
    folder : Path
        The run folder, ``<out_dir>/<year>/<run-id>/``.
    index : Path
        ``index.html``, linking every page.
    city : Path or None
        The city report's HTML (``None`` when it failed).
    units : dict
        ``{unit_id: HTML path}`` of the unit pages written.
    workbook : Path
        The run's workbook (one sheet per table).
    pdfs : dict
        ``{page stem: PDF path}`` (empty without ``pdf``).
    failures : dict
        ``{page stem: why}`` of the pages that failed; their notebooks are kept beside them as
        ``<stem>.failed.ipynb``.
    seconds : float
        Wall time of the run.
    """

    folder: Path
    index: Path
    city: Path | None
    units: dict[str, Path]
    workbook: Path
    pdfs: dict[str, Path] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every page was rendered."""
        return not self.failures


def _check_path(workspace, scheme) -> tuple[Path, object]:
    """The workspace's path (``None`` for a Workspace made in memory) and the scheme as the run
    passes it on; clear errors otherwise."""
    if hasattr(workspace, "framework"):              # a Workspace: the pages get it from the run
        workspace = workspace.source or None
        if workspace is None:
            return None, scheme if isinstance(scheme, Scheme) else _scheme_param(scheme)
    if not isinstance(workspace, (str, Path)) or not str(workspace):
        raise TypeError("The 'workspace' parameter of render_report() must be the path of a "
                        "workspace folder or .xlsx workbook (or a Workspace read from one). Got "
                        f"{workspace!r} instead.")
    ws_path = Path(workspace).expanduser()
    if not ws_path.exists():
        raise FileNotFoundError(f"The 'workspace' parameter of render_report() must be an "
                                f"existing folder or .xlsx workbook. Got {str(workspace)!r} "
                                f"instead (looked in {Path.cwd()}).")
    return ws_path.resolve(), scheme if isinstance(scheme, Scheme) else _scheme_param(scheme)


def _scheme_param(scheme) -> str | Path:
    """A scheme name, or the resolved path of an existing YAML file."""
    if not isinstance(scheme, (str, Path)):
        raise TypeError(f"The 'scheme' parameter of render_report() must be a scheme name, a "
                        f"YAML path or a Scheme. Got {type(scheme).__name__} instead.")
    path = Path(scheme).expanduser()
    if path.is_file():
        return path.resolve()
    if isinstance(scheme, Path) or path.suffix in (".yaml", ".yml"):
        raise FileNotFoundError(f"The 'scheme' parameter of render_report() names the file "
                                f"{str(scheme)!r}, which does not exist (looked in "
                                f"{Path.cwd()}). Give a scheme name of the workspace or an "
                                f"existing YAML path.")
    return str(scheme)


def check_kernel(kernel_name: str) -> None:
    """Raise :class:`~zhengji_lab.errors.ReportError` when the Jupyter kernel is not installed."""
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


def _check_whole(value, name: str, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"The {name!r} parameter of render_report() must be a whole number >= "
                         f"{low}. Got {value!r} instead.")


def select_units(ws, units) -> list[str]:
    """The unit ids a run renders pages for: ``"all"`` (every unit), ``"none"``, or ids.

    Raises
    ------
    ValueError
        An id not in the workspace's units, with the closest ids.
    """
    known = list(ws.units["unit_id"])
    if isinstance(units, str):
        units = [units]
    units = list(units)
    if units == ["all"]:
        return known
    if units in (["none"], []):
        return []
    unknown = [u for u in units if u not in known]
    if unknown:
        raise ValueError(f"The units {', '.join(map(repr, unknown))} are not in the workspace's "
                         f"units.csv{did_you_mean(unknown[0], known)}. Give 'all' or unit ids "
                         f"of units.csv.")
    return list(dict.fromkeys(units))


def _pages(data, units: list[str], *, scheme_param, workspace: Path | None, lang: str,
           unit_notebook: Path) -> list[Page]:
    common = {"year": data.year, "workspace": str(workspace or ""), "scheme": str(scheme_param),
              "draws": data.draws, "seed": data.seed, "lang": lang}
    links = {u: f"{UNITS_FOLDER}/{u}.html" for u in units}
    city = notebook_path().read_text(encoding="utf-8")
    pages = [Page("city", REPORT_STEM, city, {**common, "unit_pages": links}, REPORT_STEM)]
    if units:
        unit_nb = unit_notebook.read_text(encoding="utf-8")
        names = data.workspace.units.set_index("unit_id")["name_zh"]
        pages += [Page(u, f"{UNITS_FOLDER}/{u}", unit_nb,
                       {**common, "unit_id": u, "city_report": f"../{REPORT_STEM}.html"},
                       str(names.get(u, u))) for u in units]
    return pages


def render_report(workspace, scheme, year: int, *, units="all", workers: int | None = None,
                  lang: str = "zh", pdf: bool = False, draws: int = REPORT_DRAWS,
                  seed: int = REPORT_SEED, scheduler=None, out_dir: str | Path = "reports",
                  run_id: str | None = None, unit_notebook: str | Path | None = None,
                  kernel_name: str | None = None, progress: bool = True) -> RunResult:
    """Render the yearly run: the city report, a page per unit, the index, the workbook and,
    with ``pdf``, a PDF per page, into ``<out_dir>/<year>/<run-id>/``.

    Parameters
    ----------
    workspace : str, Path or Workspace
        The assessment workspace (folder or .xlsx), or a Workspace (one made in memory too,
        such as ``make_city``'s: the pages read it from the run's data).
    scheme : str, Path or Scheme
        A scheme name of the workspace, a YAML path, or a Scheme; the scheme as used is written
        to ``scheme.yaml`` in the run folder.
    year : int
    units : "all", "none" or list of str
        The units that get a page (default all); the city report links each to its page.
    workers : int, optional
        Kernels kept alive on this machine, each rendering page after page (default: the
        number of CPUs, at most 4).
    lang : {"zh", "en"}
        Language of the pages' labels and names.
    pdf : bool
        Also print every page to PDF (A4) through headless Chromium.
    draws, seed : int
        Monte Carlo draws of the rank bands, 等次存疑 and the triggers' firing probabilities
        over the scheme's ``uncertainty`` section (0 turns them off), and their seed; computed
        once for the run.
    scheduler : str or distributed.Client, optional
        Render the pages on this Dask cluster instead (its workers need zhengji_lab and its
        kernel installed); files are still written here.
    out_dir : str or Path
        Never a workspace folder. Runs go to ``<out_dir>/<year>/<run-id>/``; a run never
        writes into a folder that holds files.
    run_id : str, optional
        The run folder's name; default the start time (``20261205-093012``).
    unit_notebook : str or Path, optional
        The notebook of the unit pages (default ``notebooks/unit_report.ipynb``): an office's
        own page, with the same parameters.
    kernel_name : str, optional
        Jupyter kernel (default ``"python3"``, this environment's).
    progress : bool
        A progress bar over the pages (on stderr).

    Returns
    -------
    RunResult
        With the failed pages in ``failures`` (the run goes on past them).

    Raises
    ------
    ReportError
        The kernel is missing, the output folder cannot be written, Chromium is missing with
        ``pdf``, or this year's assessment cannot be built (the run folder is then marked
        with :data:`~zhengji_lab.report.folders.RUN_FAILED`).
    TypeError, ValueError, FileNotFoundError
        A parameter is wrong; nothing is written.
    KeyboardInterrupt
        Re-raised after the run folder is marked as interrupted and the kernels shut down.
    """
    t0 = time.perf_counter()
    if isinstance(year, bool) or not isinstance(year, int):   # as check_year says it
        raise BuildError(f"The year must be a whole number such as 2025. Got {year!r} instead.")
    ws_path, scheme_param = _check_path(workspace, scheme)
    unit_nb = Path(unit_notebook) if unit_notebook is not None else notebook_path(UNIT_NOTEBOOK)
    if not unit_nb.is_file():
        raise FileNotFoundError(f"The unit page's notebook {unit_nb} does not exist; give an "
                                f"existing .ipynb (unit_notebook=...).")
    check_draws(draws, seed, "render_report")
    check_lang(lang, "render_report")
    workers = min(4, os.cpu_count() or 1) if workers is None else workers
    _check_whole(workers, "workers", 1)
    out_dir = Path(out_dir)
    safeio.refuse_workspace_folder(out_dir, what="reports", workspace=ws_path,
                                   fix="choose another output folder (--out-dir, out_dir=...), "
                                       "e.g. reports")
    kernel = kernel_name or "python3"
    if scheduler is None:
        check_kernel(kernel)
    if pdf:
        from zhengji_lab.report.pdf import find_chromium  # lazy: only with pdf

        find_chromium()
    from zhengji_lab.workspace import load_workspace  # lazy: the report imports no pipeline

    ws = workspace if hasattr(workspace, "framework") else load_workspace(ws_path)
    chosen = select_units(ws, units)
    run_dir = claim_run_dir(out_dir, year, run_id=run_id)
    state = _State()
    # kernels start (and import the pages' libraries) while the run computes its data
    pool = None if scheduler is not None else KernelPool(min(workers, 1 + len(chosen)), kernel)
    try:
        if pool is not None:
            pool.warm_up()
        return _run(ws, ws_path, scheme, scheme_param, unit_nb, year, run_dir, chosen, state,
                    workers=workers, lang=lang, pdf=pdf, draws=draws, seed=seed,
                    scheduler=scheduler, pool=pool, kernel=kernel, progress=progress, t0=t0)
    except BaseException as exc:                    # interrupts too: the run is marked
        interrupted = not isinstance(exc, Exception)
        what = describe_failure(exc, "The report run")
        write_failed_mark(run_dir, {**state.failures, "run": what}, interrupted=interrupted,
                          kept=state.kept)
        with contextlib.suppress(OSError):
            (run_dir / RUNNING).unlink(missing_ok=True)
        if interrupted or isinstance(exc, ReportError):
            raise
        raise ReportError(f"{what}. {run_dir / RUN_FAILED} marks the run as failed.") from exc
    finally:
        if pool is not None:
            pool.close()


@dataclass
class _State:
    """What a run has written so far: pages, failures and the failed pages' notebooks."""

    written: dict[str, Path] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)

    def write(self, run_dir: Path, result: PageResult) -> None:
        """Write a page (HTML beside its notebook), or keep a failed page's notebook; an
        interrupted page is kept, then the interrupt goes on."""
        stem = run_dir / result.stem
        if result.ok:
            safeio.write_files({stem.with_suffix(".html"): result.html,
                                stem.with_suffix(".ipynb"): result.notebook})
            self.written[result.key] = stem.with_suffix(".html")
            return
        self.failures[result.stem] = result.error
        notebook, _ = failed_notebook(result.notebook, result.error,
                                      interrupted=result.interrupted)
        if notebook is not None:
            failed = safeio.write_bytes(stem.parent / f"{stem.name}.failed.ipynb", notebook)
            self.kept[result.stem] = failed.relative_to(run_dir).as_posix()
        if result.interrupted:
            raise KeyboardInterrupt(result.error)
        if result.key != "city":         # the city report links here: say what happened
            safeio.write_text(stem.with_suffix(".html"), failed_page_html(
                result.key, result.error, f"{stem.name}.failed.ipynb" if notebook else None))
        logger.error("%s", result.error)


def _run(ws, ws_path, scheme, scheme_param, unit_nb, year, run_dir, units, state, *, workers,
         lang, pdf, draws, seed, scheduler, pool, kernel, progress, t0) -> RunResult:
    data = prepare_run(ws, scheme, year, draws=draws, seed=seed, lang=lang)
    assessed = set(data.unit_ids)
    skipped = [u for u in units if u not in assessed]
    if skipped:                          # said on the index and the pages, not dropped silently
        note = (f"{year}: no page for {', '.join(skipped)}: not assessed this year (no values, "
                f"or left out by the scheme's screen step)")
        logger.warning("%s", note)
        data = dataclasses.replace(data, notes=(*data.notes, note))
        units = [u for u in units if u in assessed]
    scheme_file = safeio.write_text(run_dir / "scheme.yaml", data.scheme.to_yaml())
    if isinstance(scheme_param, Scheme):
        scheme_param = scheme_file.resolve()
    pages = _pages(data, units, scheme_param=scheme_param, workspace=ws_path, lang=lang,
                   unit_notebook=unit_nb)
    bar = _progress_bar(len(pages), progress)

    def write(result: PageResult) -> None:
        state.write(run_dir, result)
        bar.update(1)

    try:
        render_pages(pages, data.to_bytes(), workers=workers, scheduler=scheduler,
                     kernel_name=kernel, pool=pool, on_done=write)
    finally:
        bar.close()
    written = dict(state.written)
    city = written.pop("city", None)
    pdfs = _print_pdfs(run_dir, [city, *written.values()], workers, progress) if pdf else {}
    workbook = run_dir / f"assessment_{year}.xlsx"
    safeio.write_bytes(workbook, workbook_bytes(run_tables(data, run_id=run_dir.name)))
    index = run_dir / "index.html"
    rel = {k: p.relative_to(run_dir).as_posix() for k, p in written.items()}
    safeio.write_text(index, index_html(
        data, run_id=run_dir.name, pages=rel, failures=state.failures, kept=state.kept,
        workbook=workbook.name, pdfs={k: p.relative_to(run_dir).as_posix()
                                      for k, p in pdfs.items()},
        city=city.relative_to(run_dir).as_posix() if city else None))
    if state.failures:
        write_failed_mark(run_dir, state.failures, kept=state.kept)
    (run_dir / RUNNING).unlink(missing_ok=True)
    seconds = time.perf_counter() - t0
    logger.info("Run written to %s in %.1f s (%d pages, %d failed)", run_dir, seconds,
                len(pages), len(state.failures))
    return RunResult(run_dir, index, city, written, workbook, pdfs, state.failures, seconds)


def _print_pdfs(run_dir: Path, htmls: Iterable[Path | None], workers: int,
                progress: bool) -> dict[str, Path]:
    from zhengji_lab.report.pdf import print_pdfs  # lazy: only with pdf

    pairs = [(h, h.with_suffix(".pdf")) for h in htmls if h is not None]
    print_pdfs(pairs, workers=workers, progress=progress)
    return {h.relative_to(run_dir).with_suffix("").as_posix(): p for h, p in pairs}


def _progress_bar(total: int, show: bool):
    from tqdm.auto import tqdm  # lazy: comes with papermill

    return tqdm(total=total, desc="报告页面 pages", unit="页", disable=not show, file=sys.stderr)


def render_pages(pages: list[Page], data: bytes, *, workers: int = 1, scheduler=None,
                 kernel_name: str = "python3", cwd: str | Path | None = None,
                 pool: KernelPool | None = None,
                 on_done: Callable[[PageResult], None] | None = None) -> list[PageResult]:
    """Render every page, on this machine (``workers`` kernels, or the kernels of ``pool``) or
    on a Dask ``scheduler``; ``on_done`` is called with each result as it comes (the caller
    writes it and advances its progress bar). Returns the results in the order of ``pages``."""
    if scheduler is not None:
        # lazy: dask is an optional extra, needed only with a scheduler
        from zhengji_lab.report.cluster import render_on_dask

        results: Iterable[PageResult] = render_on_dask(pages, data, scheduler,
                                                       kernel_name=kernel_name)
        return _collect(pages, results, on_done)
    if pool is not None:
        return _collect(pages, pool.render(pages, data), on_done)
    with KernelPool(min(workers, len(pages)), kernel_name, cwd) as own:
        return _collect(pages, own.render(pages, data), on_done)


def _collect(pages, results: Iterable[PageResult], on_done) -> list[PageResult]:
    by_key = {}
    for result in results:
        if on_done is not None:
            on_done(result)
        by_key[result.key] = result
    return [by_key[p.key] for p in pages]
