"""Report pages executed on kernels kept alive: one kernel per worker, many pages each, on this
machine (threads) or on a Dask cluster.

Facts this module is built on (DESIGN.md, "Reports"): a kernel costs ~0.9 s to start and a
report page ~2 s to import its libraries, while a page on a kept-alive kernel costs a fraction
of a second more than its own work; so a :class:`PageRenderer` starts one kernel and runs page
after page on it (``papermill.execute_notebook(km=...)``), each page starting with a cell that resets the
kernel's namespace (``%reset -f``, figures closed; removed from the page after) and starting a new kernel when a page killed it.
A failed page is judged by papermill's exception, not by the saved notebook (a timed-out cell
leaves a notebook that looks completed); its executed notebook and the failing cell come back
in the :class:`PageResult`, and the next page goes on.

A :class:`Page` carries its notebook's text and JSON-simple parameters and a
:class:`PageResult` the bytes of the exported page, so pages travel to Dask workers that share
no folder with the client (:func:`render_on_dask`); the run's data travels once to each worker
(``Client.scatter(..., broadcast=True)``) and is written there to a temporary file
(:mod:`zhengji_lab.report.cluster`).
papermill, nbformat and dask are imported only when pages are rendered.
"""
from __future__ import annotations

import hashlib
import json
import logging
import queue
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from zhengji_lab.report.export import html_text

logger = logging.getLogger(__name__)

#: Arguments of the report kernels: ipykernel's start-up chatter ("Kernel is running over TCP
#: without encryption") is not the user's business; errors still show.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]

#: Seconds a page's cell may run before the page fails (a page takes seconds).
CELL_TIMEOUT = 600

#: Tag of the cell a page starts with on a kept-alive kernel (removed from the page after):
#: the page starts from an empty namespace, without the previous page's figures.
RESET_TAG = "zhengji-reset"
_RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
          "import matplotlib.pyplot as _zl_plt\n_zl_plt.close('all')\ndel _zl_plt")
# run on a new kernel while the run computes its data: the pages' imports, paid once
_WARM = "import zhengji_lab\nimport matplotlib.pyplot\nimport matplotlib_inline.backend_inline"


@dataclass(frozen=True)
class Page:
    """One page of a run: what to execute and where its files go.

    Attributes
    ----------
    key : str
        ``"city"`` or the unit's id.
    stem : str
        Its path in the run folder without suffix (``city_report``, ``units/town_yunxi``).
    source : str
        The notebook's text (JSON), so a worker needs no copy of the repository's notebooks.
    parameters : dict
        JSON-simple parameters; ``run_data`` is filled in where the page runs.
    title : str
        Page title when the notebook has no title cell.
    """

    key: str
    stem: str
    source: str
    parameters: dict
    title: str


@dataclass(frozen=True)
class PageResult:
    """What rendering a :class:`Page` gave: the page, or the failure and its notebook."""

    key: str
    stem: str
    html: bytes | None
    notebook: bytes | None
    error: str | None = None
    cell: int | None = None
    interrupted: bool = False
    seconds: float = 0.0
    worker: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


def failing_line(exc) -> str:
    """The source line an IPython traceback marks with an arrow, else the cell's first line."""
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    for frame in exc.traceback or []:
        for line in ansi.sub("", frame).splitlines():
            m = re.match(r"\s*-+>\s*\d+\s(.*)", line)
            if m:
                return m.group(1).strip()
    return next((ln.strip() for ln in exc.source.splitlines() if ln.strip()), "")


def _with_reset(source: str) -> str:
    """The notebook's text with the reset cell first (a cell of nbformat 4, JSON)."""
    nb = json.loads(source)
    cell = {"cell_type": "code", "execution_count": None, "id": "zhengji-reset",
            "metadata": {"tags": [RESET_TAG]}, "outputs": [], "source": _RESET}
    nb["cells"] = [cell, *nb["cells"]]
    return json.dumps(nb)


def _without_reset(executed: bytes):
    """The executed notebook (a NotebookNode) without the reset cell."""
    import nbformat  # lazy: comes with papermill

    nb = nbformat.reads(executed.decode("utf-8"), as_version=4)
    nb.cells = [c for c in nb.cells if RESET_TAG not in c.get("metadata", {}).get("tags", [])]
    return nb


def _notebook_bytes(nb) -> bytes:
    import nbformat  # lazy: comes with papermill

    return nbformat.writes(nb).encode("utf-8")


def describe_failure(exc: BaseException, what: str = "The page") -> str:
    """One sentence on why a page failed: the cell, its failing line and the error."""
    from papermill.exceptions import PapermillExecutionError  # lazy: papermill is slow to load

    if isinstance(exc, PapermillExecutionError):
        return (f"{what} failed in cell In [{exc.exec_count}] (`{failing_line(exc)}`) with "
                f"{exc.ename}: {str(exc.evalue).rstrip('.')}")
    if not isinstance(exc, Exception):
        return f"{what} was interrupted ({type(exc).__name__})"
    return f"{what} failed: {type(exc).__name__}: {str(exc).rstrip('.')}"


class PageRenderer:
    """One kernel kept alive, executing page after page (papermill on a given kernel manager).

    Parameters
    ----------
    kernel_name : str
        Jupyter kernel; ``"python3"`` is this environment's (``make venv`` installs it).
    cwd : str or Path, optional
        Folder the kernel runs in (relative paths in parameters resolve against it).
    """

    def __init__(self, kernel_name: str = "python3", cwd: str | Path | None = None):
        self.kernel_name = kernel_name
        self.cwd = str(cwd or Path.cwd())
        self._km = None
        self._warming: threading.Thread | None = None
        self._scratch = tempfile.TemporaryDirectory(prefix="zhengji-pages-")
        self._data_files: dict[str, str] = {}

    def _kernel(self):
        warming = self._warming
        if warming is not None and warming is not threading.current_thread():
            warming.join()
            self._warming = None
        if self._km is None or not self._km.is_alive():
            from jupyter_client import KernelManager  # lazy: comes with papermill, for pages

            if self._km is not None:
                logger.warning("The report kernel died; starting a new one")
                self.shutdown()
            km = KernelManager(kernel_name=self.kernel_name)
            km.start_kernel(extra_arguments=KERNEL_ARGUMENTS, cwd=self.cwd)
            self._km = km
        return self._km

    def warm_up(self) -> None:
        """Start the kernel and import the pages' libraries in it, in the background (while
        the run computes its data); the first page waits for it."""
        def warm() -> None:
            try:
                kc = self._kernel().blocking_client()
                kc.start_channels()
                try:
                    kc.wait_for_ready(timeout=60)
                    kc.execute_interactive(_WARM, store_history=False, timeout=120,
                                           output_hook=lambda msg: None)
                finally:
                    kc.stop_channels()
            except Exception:                       # the first page will start it again
                logger.debug("Warming up the report kernel failed", exc_info=True)

        self._warming = threading.Thread(target=warm, name="report-kernel-warm-up", daemon=True)
        self._warming.start()

    def data_file(self, data: bytes) -> str:
        """The run's data written once to a temporary file of this renderer; its path."""
        digest = hashlib.sha256(data).hexdigest()
        if digest not in self._data_files:
            path = Path(self._scratch.name) / f"run-{digest[:16]}.pkl"
            path.write_bytes(data)
            self._data_files[digest] = str(path)
        return self._data_files[digest]

    def render(self, page: Page, run_data: str) -> PageResult:
        """Execute ``page`` with ``run_data`` (the path of the run's data) and export it to HTML.

        A failing cell, a dead kernel or a timeout gives a failed :class:`PageResult` with the
        notebook as far as it ran; so does an interrupt (``KeyboardInterrupt`` while the page
        ran), marked ``interrupted``: the caller keeps the notebook and stops the run.
        """
        import papermill as pm  # lazy: papermill is slow to import; only to render pages

        t0 = time.perf_counter()
        folder = Path(tempfile.mkdtemp(dir=self._scratch.name))
        source, executed = folder / "page.ipynb", folder / "executed.ipynb"
        source.write_text(_with_reset(page.source), encoding="utf-8")
        try:
            pm.execute_notebook(str(source), str(executed),
                                parameters={**page.parameters, "run_data": run_data},
                                km=self._kernel(), kernel_name=self.kernel_name,
                                language="python", progress_bar=False,
                                execution_timeout=CELL_TIMEOUT,
                                # saved after every cell (~0.08 s a page): an interrupted
                                # page keeps its notebook as far as it ran
                                request_save_on_cell_execute=True)
            nb = _without_reset(executed.read_bytes())
            html = html_text(nb, default_title=page.title).encode("utf-8")
            return PageResult(page.key, page.stem, html, _notebook_bytes(nb),
                              seconds=time.perf_counter() - t0,
                              worker=threading.current_thread().name)
        except BaseException as exc:  # noqa: BLE001 - the page failed; the caller decides
            notebook = (_notebook_bytes(_without_reset(executed.read_bytes()))
                        if executed.is_file() else None)
            return PageResult(page.key, page.stem, None, notebook,
                              error=describe_failure(exc, f"The page {page.stem}"),
                              cell=getattr(exc, "exec_count", None),
                              interrupted=not isinstance(exc, Exception),
                              seconds=time.perf_counter() - t0,
                              worker=threading.current_thread().name)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def shutdown(self) -> None:
        """Shut the kernel down (a later page starts a new one)."""
        km, self._km = self._km, None
        if km is not None:
            try:
                km.shutdown_kernel(now=True)
            except Exception:                           # a dead kernel cannot be shut down
                logger.debug("Kernel shutdown failed", exc_info=True)

    def close(self) -> None:
        """Shut the kernel down and remove the renderer's temporary files."""
        self.shutdown()
        self._scratch.cleanup()


class KernelPool:
    """``workers`` kernels kept alive on this machine, each driven by a thread rendering page
    after page; :meth:`warm_up` starts them ahead of the pages. A context manager: leaving it
    shuts the kernels down.
    """

    def __init__(self, workers: int = 1, kernel_name: str = "python3",
                 cwd: str | Path | None = None):
        self.renderers = [PageRenderer(kernel_name, cwd) for _ in range(max(1, workers))]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def warm_up(self) -> None:
        """Start every kernel and import the pages' libraries, in the background."""
        for r in self.renderers:
            r.warm_up()

    def render(self, pages: list[Page], data: bytes) -> Iterator[PageResult]:
        """Render ``pages``, yielding each :class:`PageResult` as it is done (pages are taken
        in the order given); the run's ``data`` is written once to a temporary file that every
        page reads. An interrupt stops the workers and shuts their kernels down."""
        todo: queue.Queue = queue.Queue()
        for page in pages:
            todo.put(page)
        done: queue.Queue = queue.Queue()
        stop = threading.Event()
        renderers = self.renderers[:max(1, len(pages))]
        path = renderers[0].data_file(data)

        def work(renderer: PageRenderer) -> None:
            try:
                while not stop.is_set():
                    try:
                        page = todo.get_nowait()
                    except queue.Empty:
                        return
                    done.put(renderer.render(page, path))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                done.put(exc)

        threads = [threading.Thread(target=work, args=(r,), name=f"report-worker-{i + 1}",
                                    daemon=True) for i, r in enumerate(renderers)]
        try:
            for t in threads:
                t.start()
            for _ in pages:
                item = done.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        except BaseException:       # interrupted: kernels first, so no page hangs on
            stop.set()
            for r in self.renderers:
                r.shutdown()
            raise
        finally:                    # the workers end with their page (daemon threads: a
            stop.set()              # worker stuck on a dead kernel does not hold the exit)
            deadline = time.monotonic() + 3
            for t in threads:
                t.join(timeout=max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        """Shut every kernel down and remove the temporary files."""
        for r in self.renderers:
            r.shutdown()
        for r in self.renderers:
            r.close()
