"""Report pages on a Dask cluster (``zhengji report --scheduler ADDRESS``): a kernel kept alive
on every worker, pages sent as :class:`~zhengji_lab.report.kernels.Page` and returned as
:class:`~zhengji_lab.report.kernels.PageResult` (bytes), so workers need zhengji_lab and its
kernel installed but share no folder with the client.

Imported only when a run is given a scheduler: dask is the optional ``dask`` extra.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from distributed import Client, WorkerPlugin, as_completed, get_worker

from zhengji_lab.report.kernels import Page, PageRenderer, PageResult

#: Name of the Dask worker plugin that keeps a kernel alive on each worker.
DASK_PLUGIN = "zhengji-report-kernels"


class KernelPlugin(WorkerPlugin):
    """Dask worker plugin: a :class:`PageRenderer` per worker thread, closed with the worker."""

    name = DASK_PLUGIN

    def __init__(self, kernel_name: str = "python3"):
        self.kernel_name = kernel_name         # only this travels to the workers

    def setup(self, worker=None) -> None:
        self._renderers: dict[int, PageRenderer] = {}
        self._lock = threading.Lock()

    def renderer(self) -> PageRenderer:
        with self._lock:
            key = threading.get_ident()
            if key not in self._renderers:
                self._renderers[key] = PageRenderer(self.kernel_name)
            return self._renderers[key]

    def teardown(self, worker=None) -> None:
        with self._lock:
            for r in self._renderers.values():
                r.close()
            self._renderers.clear()


def _render_on_worker(page: Page, data: bytes) -> PageResult:
    """Dask task: render ``page`` on this worker's kept-alive kernel."""
    renderer = get_worker().plugins[DASK_PLUGIN].renderer()
    return renderer.render(page, renderer.data_file(data))


def render_on_dask(pages: list[Page], data: bytes, scheduler, *,
                   kernel_name: str = "python3") -> Iterator[PageResult]:
    """Render ``pages`` on a Dask cluster, yielding each :class:`PageResult` as it is done.

    Parameters
    ----------
    pages : list of Page
    data : bytes
        The run's data (:meth:`~zhengji_lab.report.rundata.RunData.to_bytes`), sent once to
        every worker.
    scheduler : str or distributed.Client
        The scheduler's address (``tcp://host:8786``) or a connected client.
    kernel_name : str
        Jupyter kernel on the workers; they need zhengji_lab and this kernel installed.
    """
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        client.register_plugin(KernelPlugin(kernel_name), name=DASK_PLUGIN)
        shared = client.scatter(data, broadcast=True)
        futures = [client.submit(_render_on_worker, page, shared, pure=False,
                                 key=f"zhengji-page-{page.key}-{time.time_ns()}")
                   for page in pages]
        for future in as_completed(futures):
            yield future.result()
    finally:
        if client is not scheduler:
            client.close()
