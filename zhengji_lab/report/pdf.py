"""HTML → PDF through headless Chromium: one Chromium process per page, its chatter captured.

:func:`print_pdf` prints one HTML file to a PDF; :func:`print_pdfs` prints several in a thread
pool (each page gets its own Chromium process and profile, so they do not share state).
:func:`find_chromium` finds the browser. The module is generic: it takes an HTML file path and
knows nothing of reports; the page's own print CSS (``@page { size: A4 }``,
:data:`~zhengji_lab.report.export.PRINT_CSS`) sets the paper size and margins.

Facts this module is built on (DESIGN.md, "Reports"): headless Chromium prints HTML to PDF with
``--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
--disable-component-update --disable-sync --print-to-pdf``; without A4 print CSS pages come
out Letter size and wide figures are cropped. Besides those flags each run gets
``--disable-quic``, ``--disable-dev-shm-usage`` (a container's small ``/dev/shm`` crashes the
renderer on long pages), ``--no-pdf-header-footer`` (no date, title and file URL printed on
every page), a fresh temporary ``--user-data-dir`` (no profile shared between runs, nothing
left in the user's home) and a temporary ``--print-to-pdf`` path. Chromium logs to stderr on
every run (D-Bus, GPU and font warnings in a container): it is captured and shown only when the
print fails. The PDF is checked (it starts with ``%PDF``) and moved into place through
:mod:`zhengji_lab.safeio`: an existing file is replaced only with ``overwrite=True``.

Measured on this kind of machine (Chromium 150, Debian 12, 2 CPUs): Chromium's start-up alone
costs 0.65 s (an empty page); the city report prints in 1.1 s, a unit page in 1.0-1.3 s; the 48
pages of a run (city, index, 46 units) took 69 s one at a time (1.4 s a page), 58 s with
``workers=2``, 48 s with 4 and 43 s with 8: the processes compete for the CPUs.

Examples
--------
>>> cmd = chromium_command("chromium", "/tmp/a.html", "/tmp/out.pdf", "/tmp/profile")
>>> cmd[1:3], cmd[-2:]
(['--headless', '--no-sandbox'], ['--print-to-pdf=/tmp/out.pdf', 'file:///tmp/a.html'])
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from zhengji_lab import safeio
from zhengji_lab.errors import ReportError

logger = logging.getLogger(__name__)

#: Environment variable naming the Chromium (or Chrome) executable to use, as a path or a name.
CHROMIUM_ENV = "ZHENGJI_CHROMIUM"

#: Executables looked for on ``PATH``, in order, when :data:`CHROMIUM_ENV` is not set.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

#: How to install what printing needs (the browser and the CJK fonts it draws Chinese with).
INSTALL_HINT = ("install Chromium and the CJK fonts (Debian/Ubuntu: `apt-get install chromium "
                "fonts-noto-cjk`; elsewhere install Chromium or Google Chrome), or set "
                f"{CHROMIUM_ENV} to the browser's executable")

#: Flags of every headless Chromium run (DESIGN.md, "Reports", and the module notes); the tests'
#: selenium sessions use them too.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic", "--disable-dev-shm-usage",
)

#: Flags of a print run on top of :data:`CHROMIUM_FLAGS` (``--no-pdf-header-footer`` is for
#: printing only: chromedriver cannot start a session with it).
PRINT_FLAGS = ("--no-pdf-header-footer",)

#: Lines of Chromium's stderr quoted in an error message.
STDERR_TAIL = 12

# stderr lines Chromium writes on every run in a container; left out of error messages
_NOISE = ("dbus/", "Failed to connect to the bus", "bytes written to file")


def find_chromium() -> Path:
    """The Chromium executable: :data:`CHROMIUM_ENV`, else the first of :data:`CHROMIUM_NAMES`
    on ``PATH``.

    Returns
    -------
    Path

    Raises
    ------
    ReportError
        When :data:`CHROMIUM_ENV` names no executable, or none is on ``PATH``; the message
        says how to install Chromium (:data:`INSTALL_HINT`).
    """
    named = os.environ.get(CHROMIUM_ENV, "").strip()
    if named:
        found = _executable(named)
        if found is None:
            raise ReportError(f"{CHROMIUM_ENV}={named} names no executable file, so no PDF can "
                              f"be printed. Fix: point {CHROMIUM_ENV} at Chromium's executable "
                              f"or unset it; to {INSTALL_HINT}.")
        return found
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ReportError(f"No Chromium found to print PDFs with (looked for "
                      f"{', '.join(CHROMIUM_NAMES)} on PATH and {CHROMIUM_ENV}). Fix: "
                      f"{INSTALL_HINT}.")


def _executable(name: str | os.PathLike) -> Path | None:
    """``name`` as an executable file: a path to one, or a name on ``PATH``."""
    path = Path(name).expanduser()
    if path.is_file() and os.access(path, os.X_OK):
        return path
    found = shutil.which(str(name))
    return Path(found) if found else None


def chromium_command(chromium, html, pdf, profile) -> list[str]:
    """The command printing ``html`` to ``pdf`` with a fresh profile folder ``profile``.

    Parameters
    ----------
    chromium : str or Path
        The browser's executable.
    html : str or Path
        The page (a file; made absolute and given as a ``file://`` URL).
    pdf : str or Path
        Where Chromium writes the PDF (a temporary path: :func:`print_pdf` moves it into place).
    profile : str or Path
        An empty folder for ``--user-data-dir``.

    Returns
    -------
    list of str
    """
    return [str(chromium), *CHROMIUM_FLAGS, *PRINT_FLAGS, f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}", Path(html).absolute().as_uri()]


def print_pdf(html, pdf, *, chromium=None, timeout: float = 60,
              overwrite: bool = False) -> Path:
    """Print an HTML file to PDF with headless Chromium.

    Parameters
    ----------
    html : str or Path
        The page to print; its print CSS sets the paper size (``@page { size: A4 }``).
    pdf : str or Path
        Where to write the PDF; folders are created as needed.
    chromium : str or Path, optional
        The browser's executable (a path or a name on ``PATH``); by default
        :func:`find_chromium`.
    timeout : float
        Seconds Chromium may take for the page before it is stopped.
    overwrite : bool
        Replace an existing ``pdf``; otherwise :class:`~zhengji_lab.errors.OutputExistsError`
        (a ``FileExistsError``) before Chromium starts.

    Returns
    -------
    Path
        ``pdf``.

    Raises
    ------
    ReportError
        No Chromium; Chromium failed, timed out or wrote no PDF (the message quotes the end of
        its stderr).
    FileNotFoundError
        ``html`` does not exist.
    OutputExistsError, WriteError, WorkspaceOutputError
        From :mod:`zhengji_lab.safeio`: ``pdf`` exists, cannot be written, or is in a workspace.
    """
    html, pdf = Path(html), Path(pdf)
    _check_html(html)
    _check_target(pdf, overwrite)
    exe = _browser(chromium)
    data = _run_chromium(exe, html, pdf, timeout)
    return safeio.write_bytes(pdf, data, overwrite=overwrite, fix="choose another PDF file")


def print_pdfs(pairs: Iterable, *, chromium=None, workers: int = 1, timeout: float = 60,
               overwrite: bool = False, progress: bool = False) -> list[Path]:
    """Print several HTML files to PDF, ``workers`` Chromium processes at a time.

    Every target is checked before the first page is printed; each PDF is written as soon as
    its page is printed (a failure keeps the PDFs printed before it).

    Parameters
    ----------
    pairs : iterable of (html, pdf)
        The pages and where to write their PDFs.
    chromium : str or Path, optional
        The browser's executable; by default :func:`find_chromium`.
    workers : int
        How many pages to print at once, each in its own Chromium process (on 2 CPUs, 4
        workers print a run's pages in 0.7 of the time one takes: see the module notes).
    timeout : float
        Seconds per page.
    overwrite : bool
        Replace existing PDFs; otherwise :class:`~zhengji_lab.errors.OutputExistsError` before
        anything is printed.
    progress : bool
        Show a progress bar (tqdm, on stderr).

    Returns
    -------
    list of Path
        The PDFs, in the order given.

    Raises
    ------
    ReportError
        No Chromium, or a page failed (the message names it and how many were printed);
        the pages not yet started are not printed.
    ValueError
        Two pages go to the same PDF, or ``workers`` < 1.
    """
    pairs = [(Path(h), Path(p)) for h, p in pairs]
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}.")
    targets = [p.absolute() for _, p in pairs]
    if len(set(targets)) < len(targets):
        twice = sorted({str(p) for p in targets if targets.count(p) > 1})
        raise ValueError(f"Several pages would be printed to {', '.join(twice)}; give each page "
                         f"its own PDF file.")
    for html, pdf in pairs:
        _check_html(html)
    safeio.check_new([p for _, p in pairs], overwrite=overwrite, fix="choose another PDF file")
    for _, pdf in pairs:
        _check_target(pdf, overwrite)
    if not pairs:
        return []
    exe = _browser(chromium)
    bar = None
    if progress:
        from tqdm.auto import tqdm  # comes with papermill; only for the progress bar

        bar = tqdm(total=len(pairs), desc="PDF", unit="page", file=sys.stderr)
    failed = None
    try:
        with ThreadPoolExecutor(max_workers=min(workers, len(pairs))) as pool:
            futures = [pool.submit(print_pdf, html, pdf, chromium=exe, timeout=timeout,
                                   overwrite=overwrite) for html, pdf in pairs]
            for (html, _), future in zip(pairs, futures):
                try:
                    future.result()
                except BaseException as exc:
                    for f in futures:
                        f.cancel()
                    if not isinstance(exc, ReportError):
                        raise
                    failed = (html, exc)
                    break
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    if failed is not None:
        html, exc = failed
        printed = sum(1 for f in futures if f.done() and not f.cancelled()
                      and f.exception() is None)
        raise ReportError(f"Printing {html} to PDF failed; {printed} of {len(pairs)} PDFs were "
                          f"printed (they are kept), the rest were not. {exc}") from exc
    return [p for _, p in pairs]


# -- helpers --------------------------------------------------------------------------------------
def _check_html(html: Path) -> None:
    if not html.is_file():
        raise FileNotFoundError(f"{html} does not exist (or is not a file), so it cannot be "
                                f"printed to PDF. Fix: give the path of an HTML file.")


def _check_target(pdf: Path, overwrite: bool) -> None:
    """Refuse an existing or workspace target before Chromium starts (W18, W05)."""
    safeio.refuse_workspace_folder(pdf, what="PDF files", fix="choose another PDF file",
                                   folder=False)
    safeio.check_new([pdf], overwrite=overwrite, fix="choose another PDF file")


def _browser(chromium) -> Path:
    if chromium is None:
        return find_chromium()
    found = _executable(chromium)
    if found is None:
        raise ReportError(f"chromium={chromium!s} names no executable file, so no PDF can be "
                          f"printed. Fix: pass the browser's path, or leave chromium out to look "
                          f"for it; to {INSTALL_HINT}.")
    return found


def _run_chromium(exe: Path, html: Path, pdf: Path, timeout: float) -> bytes:
    """Run Chromium on ``html`` into a temporary folder; the checked bytes of the PDF."""
    with tempfile.TemporaryDirectory(prefix="zhengji-chromium-") as tmp:
        out = Path(tmp) / "page.pdf"
        profile = Path(tmp) / "profile"
        profile.mkdir()
        cmd = chromium_command(exe, html, out, profile)
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=os.name == "posix")
        except OSError as exc:
            raise ReportError(f"Could not start Chromium ({exe}) to print {html}: "
                              f"{exc.strerror or exc}. Fix: {INSTALL_HINT}.") from exc
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            _, stderr = proc.communicate()
            raise ReportError(
                f"Chromium ({exe}) did not finish printing {html} within {timeout:g} s and was "
                f"stopped; no PDF was written.{_tail(stderr)}\nFix: pass a longer timeout, or "
                f"check that the page opens in a browser without waiting for the network."
            ) from None
        except BaseException:
            _kill(proc)
            proc.communicate()
            raise
        logger.debug("Chromium printed %s in %.2f s", html, time.perf_counter() - started)
        data = out.read_bytes() if out.is_file() else b""
        if not data.startswith(b"%PDF"):
            what = "wrote no PDF" if not data else "wrote a file that is not a PDF"
            raise ReportError(
                f"Chromium ({exe}) {what} for {html} (exit status {proc.returncode}); "
                f"{pdf} was not written.{_tail(stderr + stdout)}\nFix: check that {html} opens "
                f"in a browser; if Chromium itself is broken, {INSTALL_HINT}.")
        return data


def _kill(proc: subprocess.Popen) -> None:
    """Stop Chromium and the processes it started (its own process group on POSIX)."""
    with contextlib.suppress(OSError):
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()


def _tail(stream: bytes) -> str:
    lines = [line for line in stream.decode("utf-8", "replace").splitlines()
             if line.strip() and not any(n in line for n in _NOISE)]
    if not lines:
        return ""
    return "\nChromium's messages (last lines):\n  " + "\n  ".join(lines[-STDERR_TAIL:])
