"""A scheme checked against the workspace it is used with; a workspace's scheme files checked.

A scheme names things of its workspace: parent nodes under ``weights``, the children of a node
in fixed ``values``, indicators under ``normalise.overrides``, ``normalise.goalposts``,
``exclude`` and ``denominate``, denominators, columns of ``units.csv`` (``peer_groups``,
``impute.by``), judgement groups and their experts, and addresses in ``uncertainty``. A name the
workspace lacks would be ignored or replaced by a default somewhere down the line, so each is an
error naming the key path, the valid names and the closest one:

* :func:`fit_problems` — the names (used by every entry point through
  :func:`~zhengji_lab.pipeline.run.as_scheme`, which raises them as one
  :class:`~zhengji_lab.errors.BuildError`);
* :func:`uncertainty_problems` — each ``uncertainty`` entry parsed by the Monte Carlo's own parser
  (:func:`~zhengji_lab.montecarlo.design.parse_design`), raised by ``build`` as one
  :class:`~zhengji_lab.errors.SchemeError`, as :func:`zhengji_lab.uncertainty` raises them;
* :func:`scheme_notes` — suspicious but valid: fixed weights rescaled because they miss 1 by a
  little (a :class:`~zhengji_lab.errors.SchemeWarning`, repeated in the build log);
* :func:`check_scheme_files` — every scheme file of a workspace, read and checked as above when
  the workspace is loaded; a broken file is reported (a warning with its problems) without
  stopping the others (``zhengji validate`` lists its problems and exits 1).
"""
from __future__ import annotations

import re
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pandas as pd

from zhengji_lab.errors import PROBLEM_COLUMNS, BuildError, SchemeError, SchemeWarning, choices
from zhengji_lab.prep import denominator_spec
from zhengji_lab.scheme import Scheme, filled
from zhengji_lab.scheme_schema import did_you_mean, read_yaml, weight_sum_notes
from zhengji_lab.weighting.registry import REGISTRY

if TYPE_CHECKING:
    from zhengji_lab.workspace import Workspace

#: Workspace → {(scheme fingerprint, origin, what): problems} (checks are pure; builds repeat).
_CHECKED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LINE = re.compile(r"^line (\d+)\b")


def label(scheme: Scheme) -> str:
    """How messages name a scheme: its file, else ``scheme '<name>'``."""
    return scheme.origin or f"scheme {scheme.spec['name']!r}"


def _listed(names, limit: int = 12) -> str:
    names = list(names)
    more = f" … ({len(names)} in all)" if len(names) > limit else ""
    return choices(names[:limit])[:-1] + more + "}"


def _indicator(where: str, code, leaves: list[str], parents: dict) -> str | None:
    """The problem of a name that must be an indicator (a leaf of the framework), or None."""
    if code in leaves:
        return None
    if code in parents:
        return (f"{where}: {code!r} is a dimension (it has children in framework.csv); only "
                f"indicators are normalised, excluded or denominated. Name its indicators "
                f"{_listed(parents[code])} instead.")
    return (f"{where}: {code!r} is not an indicator of framework.csv"
            f"{did_you_mean(code, leaves) or '.'} Indicators: {_listed(leaves)}.")


def fit_problems(ws: Workspace, scheme: Scheme) -> list[str]:
    """The names ``scheme`` uses that ``ws`` lacks, one message each (key path, valid names,
    the closest one).

    Parameters
    ----------
    ws : Workspace
    scheme : Scheme

    Returns
    -------
    list of str
        Empty when the scheme fits: weights at parent nodes (or ``"*"``) whose fixed values
        name exactly the node's children and whose judgements (and experts) exist and judge
        those children; indicators in ``normalise.overrides``, ``normalise.goalposts``,
        ``exclude`` and ``denominate``; denominators; the ``peer_groups`` and ``impute.by``
        columns of units.csv.
    """
    spec, out = scheme.spec, []
    parents, leaves = ws.tree(), ws.indicators()
    weights = spec["weights"]
    for node in weights:
        if node == "*" or node in parents:
            continue
        if node in leaves:
            up = ws.framework.loc[ws.framework["code"] == node, "parent"].iloc[0]
            out.append(f"weights.{node}: {node!r} is an indicator, it has no children to weight;"
                       f" its weight is given at its parent: weights.{up}.")
        else:
            out.append(f"weights.{node}: no node {node!r} with children in framework.csv"
                       f"{did_you_mean(node, parents) or '.'} Nodes with children: "
                       f"{_listed(parents)} (or '*', the default).")
    for node, kids in parents.items():
        where = f"weights.{node}" if node in weights else f"weights.* (at node {node!r})"
        _weighting_fits(weights.get(node, weights["*"]), where, node, kids, ws.judgements, out)
    norm = spec["normalise"]
    for section in ("overrides", "goalposts"):
        for code in norm.get(section) or {}:
            out.append(_indicator(f"normalise.{section}.{code}", code, leaves, parents))
    for i, code in enumerate(spec["exclude"]):
        out.append(_indicator(f"exclude[{i}]", code, leaves, parents))
    for code, entry in spec["denominate"].items():
        problem = _indicator(f"denominate.{code}", code, leaves, parents)
        out.append(problem)
        if problem is None:
            try:
                ws.covariate_table(min(ws.years, default=0), [denominator_spec(entry)[0]])
            except BuildError as exc:
                out.append(f"denominate.{code}: {exc}")
    columns = list(ws.units.columns)
    for where, col in (("peer_groups", spec["peer_groups"]), ("impute.by", spec["impute"]["by"])):
        if col is not None and col not in columns:
            out.append(f"{where} names column {col!r}, which units.csv lacks"
                       f"{did_you_mean(col, columns) or '.'} Columns there: {columns}.")
    return [p for p in out if p]


def _weighting_fits(spec: dict, where: str, node: str, kids: list, judgements: dict,
                    out: list[str]) -> None:
    """One weighting at ``node``: fixed values over its children, judgements that exist."""
    entry = REGISTRY.get(spec.get("method"))
    if entry is None:
        return
    if entry.inputs == "parts":
        for i, part in enumerate(spec.get("of") or []):
            if isinstance(part, dict):
                _weighting_fits(part, f"{where}.of[{i}]", node, kids, judgements, out)
    elif entry.inputs == "values":
        values = spec["values"]
        unknown = [k for k in values if k not in kids]
        lacking = [k for k in kids if k not in values]
        if unknown or lacking:
            hint = "".join(f" For {k!r}{did_you_mean(k, lacking or kids)}" for k in unknown
                           if did_you_mean(k, lacking or kids))
            out.append(f"{where}.values must name exactly the children of {node!r} ({kids}); "
                       f"unknown {unknown}, lacking {lacking}.{hint}")
    elif entry.inputs == "judgements":
        ref = spec["judgements"]
        group = str(ref).removeprefix("judgements/").strip("/")
        if group not in judgements:
            groups = sorted(judgements)
            out.append(f"{where} reads judgements {ref!r}, which the workspace does not have"
                       f"{did_you_mean(group, groups) or '.'} Judgement groups (folders under "
                       f"judgements/): {groups}.")
            return
        judged = judgements[group]
        experts = spec.get("experts")
        if experts is not None:
            unknown = [e for e in experts if e not in judged] if isinstance(experts, list) \
                else [experts]
            if unknown or not experts:
                out.append(f"{where}.experts must name experts of {ref!r}: {sorted(judged)}. "
                           f"Got {experts!r} instead.")
                return
        first = next(iter(judged.values()), None)
        if first is not None and set(first.index) != set(kids):
            out.append(f"{where} reads judgements {ref!r}, which judge {sorted(first.index)[:10]},"
                       f" but the children of {node!r} are {kids[:10]}; point it at the "
                       f"judgements of {node!r}.")


def uncertainty_problems(ws: Workspace, scheme: Scheme) -> list[str]:
    """Each ``uncertainty`` entry as the Monte Carlo parses it (its own parser, so what passes
    here runs there): addresses that exist, valid alternatives, nodes, indicators, expert
    groups; then the entries together (one entry per address and node, distinct names).

    Returns
    -------
    list of str
        One message per bad entry (``uncertainty[i] (address '...'): ...``).
    """
    entries = scheme.spec["uncertainty"]
    if not entries and scheme.spec["uncertainty_flags"] is None:
        return []
    from zhengji_lab.montecarlo.design import parse_design  # lazy: the Monte Carlo package
    # imports the pipeline, which imports the workspace package that calls this when loading
    out = []
    for i, entry in enumerate(entries):
        try:
            parse_design(ws, scheme, [entry])
        except SchemeError as exc:  # parsed alone, the entry is uncertainty[0]: say which it is
            out.append(re.sub(r"^uncertainty\[0\]", f"uncertainty[{i}]", str(exc)))
    if not out:  # the entries together: one per address and node, distinct names
        try:
            parse_design(ws, scheme)
        except SchemeError as exc:
            prefix = "" if entries else "uncertainty_flags: "  # flags without entries to vary
            out.append(prefix + str(exc))
    return out


def scheme_notes(scheme: Scheme) -> list[str]:
    """Suspicious but valid: fixed weights that are rescaled because they miss 1 (or 100) by
    a little (:func:`~zhengji_lab.scheme_schema.weight_sum_notes`)."""
    return weight_sum_notes(scheme.spec["weights"])


def _cached(ws, key, compute):
    store = _CHECKED.setdefault(ws, {})
    if key not in store:
        store[key] = compute()
    return store[key]


def _header(scheme: Scheme, n: int, what: str) -> str:
    where = f" ({scheme.origin})" if scheme.origin else ""
    return (f"Scheme {scheme.spec['name']!r}{where} {what} ({n} problem{'s' if n != 1 else ''}); "
            "fix them and build again:")


def _lines(scheme: Scheme, problems: list[str]) -> str:
    return "\n".join(f"- {label(scheme)}: {p}" for p in problems)


def check_fit(ws: Workspace, scheme: Scheme) -> None:
    """Raise every name ``scheme`` uses that ``ws`` lacks as one BuildError (cached per
    workspace and scheme).

    Raises
    ------
    BuildError
        One line per problem: the scheme file, the key path, the valid names and the closest.
    """
    key = (scheme.fingerprint(), scheme.origin, "fit")
    problems = _cached(ws, key, lambda: fit_problems(ws, scheme))
    if problems:
        raise BuildError(_header(scheme, len(problems), "does not fit the workspace") + "\n"
                         + _lines(scheme, problems))


def check_uncertainty(ws: Workspace, scheme: Scheme) -> None:
    """Raise the problems of the ``uncertainty`` entries as one SchemeError (cached), the
    error :func:`zhengji_lab.uncertainty` raises for the same entries."""
    key = (scheme.fingerprint(), scheme.origin, "uncertainty")
    problems = _cached(ws, key, lambda: uncertainty_problems(ws, scheme))
    if problems:
        raise SchemeError(_header(scheme, len(problems), "has an uncertainty section that "
                                  "does not fit the workspace") + "\n" + _lines(scheme, problems),
                          problems=problems)


def warn_notes(scheme: Scheme, *, stacklevel: int = 2) -> list[str]:
    """Warn (:class:`SchemeWarning`) each of :func:`scheme_notes`, naming the scheme; returns
    the texts (for the build log). ``stacklevel`` as for :func:`warnings.warn` called here."""
    texts = [f"{label(scheme)}: {note}" for note in scheme_notes(scheme)]
    for text in texts:
        warnings.warn(text, SchemeWarning, stacklevel=stacklevel)
    return texts


# -- a workspace's scheme files ----------------------------------------------------------------
@dataclass(frozen=True)
class SchemeFiles:
    """What checking a workspace's scheme files found.

    Attributes
    ----------
    problems : DataFrame
        One row per problem of a broken scheme (columns of a problems table: ``file, row,
        column, value, problem, fix``; ``row`` is the line of the YAML when known).
    notes : DataFrame
        Suspicious but valid (the same columns): fixed weights rescaled, a ``name`` that
        differs from the file name.
    broken : tuple of str
        Names (file stems) of the schemes that cannot be used.
    fine : tuple of str
        Names of the schemes without problems.
    """

    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    broken: tuple = ()
    fine: tuple = ()


def _row(file: str, message: str, fix: str) -> dict:
    m = _LINE.match(message)
    return {"file": file, "row": int(m.group(1)) if m else None, "column": "", "value": "",
            "problem": message.rstrip("."), "fix": fix}


def scheme_file_problems(ws: Workspace, name: str, file: str, *,
                         against: bool = True) -> tuple[list[str], list[str]]:
    """The problems and notes of one scheme file of ``ws`` (its text in ``ws.schemes``).

    Parameters
    ----------
    ws : Workspace
    name : str
        The scheme's name in ``ws.schemes`` (the file stem).
    file : str
        How messages name the file (``schemes/<name>.yaml`` or a workbook sheet).
    against : bool
        Also check it against the workspace (skip when the workspace's tables have problems).

    Returns
    -------
    (list of str, list of str)
        Problems (YAML, duplicate keys, unknown keys, values, names, uncertainty) and notes.
    """
    try:
        scheme = Scheme.from_yaml(ws.schemes[name], origin=file)
    except SchemeError as exc:
        return list(exc.problems) + (_names_anyway(ws, ws.schemes[name]) if against else []), []
    problems = fit_problems(ws, scheme) + uncertainty_problems(ws, scheme) if against else []
    notes = scheme_notes(scheme)
    raw = read_yaml(ws.schemes[name], file)
    given = raw.get("name")
    if given is None:
        notes.append(f"name: the scheme has no name, so reports will call it 'unnamed'; add "
                     f"`name: {name}`.")
    elif given != name:
        notes.append(f"name: {given!r} differs from the file name {name!r}: build(ws, {name!r}) "
                     f"finds it by the file name, reports and results call it {given!r}. "
                     "Rename one of them so that they agree.")
    return problems, notes


def _names_anyway(ws: Workspace, text: str) -> list[str]:
    """The names an invalid scheme uses that ``ws`` lacks, as far as they can be read (so that
    all of a file's problems are listed at once)."""
    try:
        raw = read_yaml(text)
        if not isinstance(raw, dict):
            return []
        return fit_problems(ws, SimpleNamespace(spec=filled(raw)))
    except (SchemeError, AttributeError, KeyError, TypeError, ValueError):
        return []  # a section of the wrong type: its own problem is reported already


def check_scheme_files(ws: Workspace, file: Callable[[str], str], *,
                       against: bool = True) -> SchemeFiles:
    """Every scheme file of ``ws``, read and checked (as a file, then against ``ws``).

    Parameters
    ----------
    ws : Workspace
    file : callable
        ``file(name)`` names the scheme's file or sheet (``Where.scheme``).
    against : bool
        Also check each scheme against the workspace.

    Returns
    -------
    SchemeFiles
    """
    problems, notes, broken, fine = [], [], [], []
    for name in ws.schemes:
        where = file(name)
        found, said = scheme_file_problems(ws, name, where, against=against)
        problems += [_row(where, p, "correct the scheme file; the workspace's other schemes "
                          "are not affected") for p in found]
        notes += [_row(where, n, "check the scheme file") for n in said]
        (broken if found else fine).append(name)
    table = pd.DataFrame(problems, columns=PROBLEM_COLUMNS).astype({"row": "Int64"})
    note_table = pd.DataFrame(notes, columns=PROBLEM_COLUMNS).astype({"row": "Int64"})
    return SchemeFiles(table, note_table, tuple(broken), tuple(fine))


def warn_scheme_files(ws: Workspace, file: Callable[[str], str], *, against: bool = True,
                      stacklevel: int = 2) -> SchemeFiles:
    """:func:`check_scheme_files`, then one :class:`SchemeWarning` per broken scheme (its
    ``problems`` attribute holds its rows) and one per note.

    A broken scheme does not stop the workspace from loading: its text stays in ``ws.schemes``,
    so ``build(ws, name, ...)`` fails with its errors, and the other schemes can be used.
    ``stacklevel`` is that of :func:`warnings.warn` called here (2: the caller of this function).
    """
    found = check_scheme_files(ws, file, against=against)
    for name in found.broken:
        where = file(name)
        rows = found.problems[found.problems["file"] == where].reset_index(drop=True)
        others = [n for n in ws.schemes if n != name]
        lines = "\n".join(f"- {where}{f' line {r}' if not pd.isna(r) else ''}: "
                          f"{_LINE.sub('', p).lstrip(': ,')}." for r, p in
                          zip(rows["row"], rows["problem"]))
        w = SchemeWarning(f"{where} has {len(rows)} problem{'s' if len(rows) != 1 else ''} and "
                          f"cannot be used until they are fixed"
                          + (f" (the other schemes, {', '.join(others)}, are not affected)"
                             if others else "") + f":\n{lines}")
        w.problems, w.scheme = rows, name
        warnings.warn(w, stacklevel=stacklevel)
    for r in found.notes.itertuples(index=False):
        warnings.warn(f"{r.file}: {r.problem}.", SchemeWarning, stacklevel=stacklevel)
    return found


class SchemeWarnings:
    """Collects the :class:`SchemeWarning` s raised in a ``with`` block (other warnings are
    shown as usual), for the command line, which lists a broken scheme's problems with the
    workspace's own.

    Examples
    --------
    >>> with SchemeWarnings() as said:
    ...     warnings.warn("schemes/x.yaml: name ...", SchemeWarning)
    >>> said.notes, len(said.problems)
    (['schemes/x.yaml: name ...'], 0)
    """

    def __init__(self):
        self.caught: list[Warning] = []

    def __enter__(self):
        self._catch = warnings.catch_warnings(record=True)
        self._records = self._catch.__enter__()
        warnings.simplefilter("always", SchemeWarning)
        return self

    def __exit__(self, *exc) -> bool:
        self._catch.__exit__(*exc)
        for w in self._records:
            if issubclass(w.category, SchemeWarning):
                self.caught.append(w.message)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return False

    @property
    def problems(self) -> pd.DataFrame:
        """The broken schemes' problems (a problems table)."""
        tables = [w.problems for w in self.caught if getattr(w, "problems", None) is not None]
        return (pd.concat(tables, ignore_index=True) if tables
                else pd.DataFrame(columns=PROBLEM_COLUMNS).astype({"row": "Int64"}))

    @property
    def notes(self) -> list[str]:
        """The other warnings' texts (suspicious but valid)."""
        return [str(w) for w in self.caught if getattr(w, "problems", None) is None]

    def with_problems(self, problems: pd.DataFrame) -> pd.DataFrame:
        """``problems`` (a workspace's) followed by the schemes' ones."""
        mine = self.problems
        return pd.concat([problems, mine], ignore_index=True) if len(mine) else problems

    def fine(self, ws: Workspace) -> str:
        """``The other schemes are fine: a, b.`` (or that there is none)."""
        broken = {getattr(w, "scheme", None) for w in self.caught}
        ok = [n for n in ws.schemes if n not in broken]
        return (f"The other schemes are fine: {', '.join(ok)}." if ok
                else "The workspace has no other scheme.")
