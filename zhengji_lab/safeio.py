"""Safe file writes: the one place where the kit's rule for writing files lives.

Every file the kit writes (workspace tables and workbooks, result files, the problem table,
report notebooks and HTML, workbooks of scheme comparisons, effect estimates, templates) goes
through this module (issue 10, "Nothing silent, nothing lost"):

* **Temporary name, then rename.** The bytes go to a hidden temporary file in the target's own
  folder (``.<name>.<token>.tmp``), are flushed to disk (``fsync``) and renamed into place with
  :func:`os.replace`, which is atomic: a reader sees the old file or the new one, never half of
  one, and a crash or a full disk leaves the old file as it was.
* **All or nothing for a group of files** (:func:`write_files`): every file is written to its
  temporary first; only then are they renamed, the files they replace kept under a hard link
  until the last rename has succeeded. A failure at any point puts every earlier file back and
  removes the temporaries and the folders the call created; nothing else is deleted.
* **Never replace without being asked.** An existing file is replaced only with
  ``overwrite=True`` (``--overwrite`` on the command line); otherwise
  :class:`OutputExistsError` names it.
* **Never write outputs into a workspace.** :func:`refuse_workspace_folder` refuses a folder
  that holds ``framework.csv``, ``units.csv`` or ``values.csv`` (or sits in a workspace's
  ``judgements/`` or ``schemes/``), and the workspace being assessed.
* **Clear errors.** An operating-system failure (a read-only folder, a file locked by Excel, a
  full disk) becomes a :class:`WriteError` naming the file, what was left as it was, and the fix.

:data:`WRITE_MISTAKES` lists the classes of write mistakes this rule guards against, by id.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = write_text(Path(tmp) / "note.txt", "一\\n")
...     try:
...         write_text(path, "二\\n")
...     except OutputExistsError as err:
...         print(type(err).__name__, isinstance(err, FileExistsError))
...     _ = write_text(path, "二\\n", overwrite=True)
...     print(path.read_text(encoding="utf-8").strip(), sorted(p.name for p in Path(tmp).iterdir()))
OutputExistsError True
二 ['note.txt']
"""
from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from zhengji_lab.errors import OutputExistsError, WorkspaceOutputError, WriteError

logger = logging.getLogger(__name__)

#: Classes of write mistakes the kit guards against (id → one line); tests name the id they check.
WRITE_MISTAKES: dict[str, str] = {
    "W01-deletes-user-files": "an overwrite deletes files the kit did not write (the user's "
                              "other schemes, judgements, notes)",
    "W02-partial-group": "a failure midway through a group of files leaves some replaced, some "
                         "deleted and some missing (not all or nothing)",
    "W03-torn-file": "a file written in place is left half-written (truncated) by a crash, an "
                     "interrupt or a full disk, and readers take it for complete",
    "W04-silent-replace": "an existing file is replaced without overwrite / --overwrite "
                          "(validate --problems, export_html, write_workbook)",
    "W05-output-into-workspace": "result, problem or report files are written into a workspace "
                                 "folder, replacing its tables (build --out W replaced "
                                 "deductions.csv) or read back as tables or judgements",
    "W06-output-is-workspace": "the output path is the workspace being assessed itself (a "
                               "workbook or folder named by --out)",
    "W07-run-folder-race": "two report runs started at once choose the same run folder, and one "
                           "run's HTML holds the other's content",
    "W08-interrupted-looks-complete": "an interrupted or failed report leaves a notebook that "
                                      "looks complete, with no mark in the run folder or notebook",
    "W09-traceback-not-message": "a read-only folder or locked file ends in a traceback instead "
                                 "of a message naming the file and the fix",
    "W10-temporaries-left": "temporary files are left behind after a failed write",
    "W11-delete-before-write": "an overwrite deletes the old files before the new ones are "
                               "ready, so a failure leaves neither",
    "W12-stale-marks": "a successful re-run leaves an earlier run's failure marks beside the "
                       "new report, or a failed re-run leaves the old report with no sign it is "
                       "old",
    "W13-file-folder-confusion": "an output file path is an existing folder, or an output "
                                 "folder an existing file, and the error is a traceback",
    "W14-mode-lost": "a replaced file loses its permissions (temporaries are created 0600)",
    "W15-concurrent-overwrite": "two runs writing into the same folder with overwrite "
                                "interleave their files",
    "W16-silent-leftovers": "files an overwrite keeps (user files beside a rewritten workspace) "
                            "are read back with it and nobody is told",
    "W17-folders-left": "a failed write of a new folder leaves the empty folders it created",
    "W18-check-after-work": "an existing output is found only after minutes of work, or "
                            "after part of the output was written",
}

#: Files whose presence makes a folder an assessment workspace.
WORKSPACE_MARKERS = ("framework.csv", "units.csv", "values.csv")

_WORKSPACE_SUBFOLDERS = ("judgements", "schemes")
_TMP = ".tmp"


# -- checks ---------------------------------------------------------------------------------------
def is_workspace_folder(folder) -> bool:
    """Whether ``folder`` holds a workspace table (:data:`WORKSPACE_MARKERS`)."""
    folder = Path(folder)
    return folder.is_dir() and any((folder / m).is_file() for m in WORKSPACE_MARKERS)


def workspace_folder_of(folder) -> Path | None:
    """The workspace ``folder`` is, or whose ``judgements/`` or ``schemes/`` it sits in; else
    None."""
    folder = Path(folder).expanduser().absolute()
    if is_workspace_folder(folder):
        return folder
    for parent in folder.parents:
        part = folder.relative_to(parent).parts[0]
        if part in _WORKSPACE_SUBFOLDERS and is_workspace_folder(parent):
            return parent
    return None


def refuse_workspace_folder(target, *, what: str, fix: str, folder: bool = True,
                            workspace=None) -> None:
    """Refuse to write outputs into a workspace folder, or onto the workspace being assessed.

    Parameters
    ----------
    target : str or Path
        The output folder (``folder=True``) or file (``folder=False``, then its folder is checked).
    what : str
        What would be written, for the message ("result files").
    fix : str
        What to do instead, for the message ("choose another --out").
    workspace : str or Path, optional
        The workspace being assessed (folder or .xlsx): refused as a target too.

    Raises
    ------
    WorkspaceOutputError
    """
    target = Path(target).expanduser()
    own = Path(workspace).expanduser().absolute() if workspace not in (None, "") else None
    if own is not None and target.absolute() == own:
        raise WorkspaceOutputError(
            f"{target} is the workspace being assessed; the kit never writes {what} into a "
            f"workspace folder or over a workspace workbook. Fix: {fix}.")
    folder_path = target if folder else target.parent
    found = workspace_folder_of(folder_path)
    if found is None and own is not None and own.is_dir() and folder_path.absolute() == own:
        found = own
    if found is not None:
        raise WorkspaceOutputError(
            f"{folder_path} is {'' if found == folder_path.absolute() else 'inside '}the "
            f"assessment workspace {found} (it holds "
            f"{', '.join(m for m in WORKSPACE_MARKERS if (found / m).is_file()) or 'the workspace'}"
            f"); the kit never writes {what} into a workspace folder, where they could replace "
            f"its tables or be read back as them. Fix: {fix}.")


def check_new(paths: Iterable, *, overwrite: bool, fix: str = "") -> None:
    """Raise :class:`OutputExistsError` for existing files unless ``overwrite``; a folder where a
    file should go is refused either way.
    """
    paths = [Path(p) for p in paths]
    folders = [p for p in paths if p.is_dir()]
    if folders:
        raise OutputExistsError(f"{folders[0]} is a folder, not a file; choose another file "
                                f"name{f' ({fix})' if fix else ''}.", folders[0])
    existing = [p for p in paths if p.exists()]
    if existing and not overwrite:
        names = ", ".join(str(p) for p in existing[:10])
        more = f" and {len(existing) - 10} more" if len(existing) > 10 else ""
        raise OutputExistsError(f"{names}{more} already exist{'s' if len(existing) == 1 else ''}; "
                                f"pass overwrite=True (--overwrite) to replace "
                                f"{'it' if len(existing) == 1 else 'them'}"
                                f"{f', or {fix}' if fix else ''}.", existing[0])


def make_folder(folder, *, fix: str = "") -> list[Path]:
    """Create ``folder`` and missing parents; returns those created (outermost first).

    Raises
    ------
    WriteError
        When a path on the way is a file, or the parent is not writable.
    """
    folder = Path(folder)
    missing = []
    for p in [folder, *folder.parents]:
        if p.is_dir():
            break
        missing.append(p)
    created = []
    for p in reversed(missing):
        try:
            os.mkdir(p)
        except FileExistsError:
            if not p.is_dir():
                _remove_folders(created)
                raise WriteError(f"{p} is a file, not a folder; choose another output folder"
                                 f"{f' ({fix})' if fix else ''}.", p) from None
            continue
        except OSError as exc:
            _remove_folders(created)
            err = WriteError(f"Could not create the folder {p} ({type(exc).__name__}: "
                             f"{exc.strerror or exc}); nothing was written. Fix: make sure the "
                             f"folder {p.parent} is writable{f', or {fix}' if fix else ''}.", p)
            err.errno = exc.errno
            raise err from exc
        created.append(p)
    return created


# -- writing --------------------------------------------------------------------------------------
def temporary_path(path, *, keep_suffix: bool = False) -> Path:
    """Reserve a new empty hidden file beside ``path``: ``.<name>.<token>.tmp`` (with
    ``keep_suffix``, ``.<stem>.<token>.tmp<suffix>``, for writers that look at the suffix)."""
    path = Path(path)
    while True:
        token = secrets.token_hex(4)
        name = (f".{path.stem}.{token}{_TMP}{path.suffix}" if keep_suffix
                else f".{path.name}.{token}{_TMP}")
        tmp = path.with_name(name)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


def stage(path, data: bytes) -> Path:
    """Write ``data`` to a temporary beside ``path``, synced to disk.

    Returns the temporary; :func:`commit` renames it into place, :func:`discard` removes it.
    """
    path = Path(path)
    tmp = temporary_path(path)
    try:
        fd = os.open(tmp, os.O_WRONLY)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(OSError):      # the replaced file's permissions, not 0600
            if path.is_file():
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_bytes(path, data: bytes, *, overwrite: bool = False, fix: str = "") -> Path:
    """Write ``data`` to ``path`` through a temporary and a rename (see the module notes)."""
    return write_files({path: data}, overwrite=overwrite, fix=fix)[0]


def write_text(path, text: str, *, overwrite: bool = False, encoding: str = "utf-8",
               fix: str = "") -> Path:
    """Write ``text`` to ``path`` through a temporary and a rename; newlines as given.

    ``encoding="utf-8-sig"`` adds the byte-order mark Excel needs to read Chinese CSV text.
    """
    return write_bytes(path, text.encode(encoding), overwrite=overwrite, fix=fix)


def write_files(files: Mapping, *, overwrite: bool = False, fix: str = "") -> list[Path]:
    """Write several files all or nothing: every temporary first, then the renames.

    Parameters
    ----------
    files : mapping
        ``{path: bytes}``; folders are created as needed.
    overwrite : bool
        Replace existing files; otherwise :class:`OutputExistsError` before anything is written.
    fix : str
        What the user can do instead, for error messages ("choose another --out").

    Returns
    -------
    list of Path
        The paths, in the order given.

    Raises
    ------
    OutputExistsError, WriteError
        Before anything changed, or after every file was put back as it was.
    """
    items = [(Path(p), data) for p, data in files.items()]
    check_new([p for p, _ in items], overwrite=overwrite, fix=fix)
    created: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    current = None
    try:
        for path, _ in items:
            current = path
            created += make_folder(path.parent, fix=fix)
        for path, data in items:
            current = path
            staged.append((stage(path, data), path))
        commit(staged, fix=fix)
    except BaseException as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        _remove_folders(created)
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            left = "no file was changed" if len(items) > 1 else _unchanged(current)
            raise _write_error(exc, current, fix, left) from exc
        raise
    return [p for p, _ in items]


def commit(pairs: list[tuple[Path, Path]], *, fix: str = "") -> None:
    """Rename each temporary onto its target; if one fails, put every earlier target back.

    A replaced file is kept under a hard link (a copy where links are not supported) until the
    last rename has succeeded; the temporaries are removed on failure.

    Raises
    ------
    WriteError
        Naming the file that failed and saying what was put back.
    """
    done: list[tuple[Path, Path | None]] = []
    target = None
    try:
        for tmp, target in pairs:
            backup = _backup(target) if len(pairs) > 1 and target.exists() else None
            try:
                os.replace(tmp, target)
            except BaseException:
                if backup is not None:
                    backup.unlink(missing_ok=True)
                raise
            done.append((target, backup))
    except BaseException as exc:
        stuck = _roll_back(done)
        for tmp, _ in pairs:
            tmp.unlink(missing_ok=True)
        if stuck:
            left = ("the files replaced before it could not all be put back; their earlier "
                    "versions are kept as " + ", ".join(f"{b} (for {t.name})" for t, b in stuck))
            logger.error("Could not write %s; %s", target, left)
        elif done:
            left = "the files written before it were put back as they were"
        else:
            left = _unchanged(target)
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise _write_error(exc, target, fix, left) from exc
        raise
    for _, backup in done:
        if backup is not None:
            backup.unlink(missing_ok=True)
    _sync_folders({target.parent for _, target in pairs})


def discard(path) -> None:
    """Remove a temporary made by :func:`temporary_path` (no error when it is gone)."""
    with contextlib.suppress(OSError):
        Path(path).unlink(missing_ok=True)


def create_exclusive(path, text: str) -> bool:
    """Create ``path`` with ``text`` only if it does not exist (``O_EXCL``, race-free).

    Returns
    -------
    bool
        False when the file already exists (another run holds it).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return False
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


# -- helpers --------------------------------------------------------------------------------------
def _backup(target: Path) -> Path:
    backup = target.with_name(f".{target.name}.{secrets.token_hex(4)}.bak")
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)
    return backup


def _roll_back(done: list[tuple[Path, Path | None]]) -> list[tuple[Path, Path]]:
    """Put back what ``commit`` replaced; returns (target, backup) pairs it could not."""
    stuck = []
    for target, backup in reversed(done):
        try:
            if backup is None:
                target.unlink(missing_ok=True)   # new in this call: the kit wrote it
            else:
                os.replace(backup, target)
        except OSError:
            if backup is not None:
                stuck.append((target, backup))
    return stuck


def _remove_folders(created: list[Path]) -> None:
    """Remove folders this call created, innermost first, if they are empty."""
    for folder in sorted(set(created), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _sync_folders(folders) -> None:
    """fsync the folders that got new names (POSIX; a no-op where folders cannot be opened)."""
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def _unchanged(path) -> str:
    return (f"{Path(path).name} was left as it was" if path is not None and Path(path).exists()
            else "nothing was written")


def _write_error(exc: OSError, path, fix: str, left: str) -> WriteError:
    """An operating-system error as a :class:`WriteError` naming the file and the fix."""
    path = Path(path) if path is not None else Path(getattr(exc, "filename", "") or ".")
    reason = exc.strerror or str(exc) or type(exc).__name__
    err = WriteError(
        f"Could not write {path} ({type(exc).__name__}: {reason}); {left}. Fix: make sure the "
        f"folder {path.parent} is writable and the file is not open in another program (Excel "
        f"locks the files it has open){f', or {fix}' if fix else ''}.", path)
    err.errno = exc.errno
    return err
