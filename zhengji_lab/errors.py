"""Exception and warning classes shared across zhengji_lab.

Every error subclasses :class:`ZhengjiError` and a built-in (``ValueError``, ``RuntimeError``),
so callers can catch the package's errors as one, and callers who catch the built-in keep
working; warnings subclass ``UserWarning``.
"""
from __future__ import annotations

import pandas as pd

#: Columns of a problems table (:attr:`WorkspaceError.problems`).
PROBLEM_COLUMNS: list[str] = ["file", "row", "column", "value", "problem", "fix"]

#: How many problems the message of a :class:`WorkspaceError` lists before "... and N more".
MESSAGE_LIMIT = 20


def format_problems(problems: pd.DataFrame, *, limit: int | None = MESSAGE_LIMIT) -> str:
    """Render a problems table as one line per problem, naming file, row and column.

    Parameters
    ----------
    problems : DataFrame
        Columns :data:`PROBLEM_COLUMNS`; ``row`` is the 1-based spreadsheet row (header = 1)
        or missing when the problem concerns the whole file.
    limit : int or None
        Show at most this many lines, then "... and N more"; ``None`` shows all.

    Returns
    -------
    str

    Examples
    --------
    >>> p = pd.DataFrame([{"file": "values.csv", "row": 3, "column": "value", "value": "abc",
    ...                    "problem": "text 'abc' in the number column 'value'",
    ...                    "fix": "write a plain number"}])
    >>> print(format_problems(p))
    - values.csv row 3, column 'value': text 'abc' in the number column 'value'. Fix: write a plain number.
    """
    shown = problems if limit is None else problems.head(limit)
    lines = []
    for p in shown.itertuples(index=False):
        place = str(p.file)
        if not pd.isna(p.row):
            place += f" row {int(p.row)}"
        if p.column:
            place += f", column '{p.column}'"
        lines.append(f"- {place}: {p.problem}. Fix: {p.fix}.")
    if len(problems) > len(shown):
        lines.append(f"... and {len(problems) - len(shown)} more")
    return "\n".join(lines)


class ZhengjiError(Exception):
    """The base of every error the package raises on purpose; catch it to catch them all."""


class WorkspaceError(ZhengjiError, ValueError):
    """An assessment workspace has problems; all of them are listed at once.

    Parameters
    ----------
    problems : DataFrame
        One row per problem with columns ``file, row, column, value, problem, fix``
        (:data:`PROBLEM_COLUMNS`); kept as the ``problems`` attribute.
    source : str
        The folder or workbook the workspace came from ("" when built in memory).
    """

    def __init__(self, problems: pd.DataFrame, source: str = ""):
        self.problems = problems.reset_index(drop=True)
        self.source = source
        n = len(self.problems)
        where = f" {source!r}" if source else ""
        head = (f"The workspace{where} has {n} problem{'s' if n != 1 else ''} "
                f"(考核数据有 {n} 个问题); fix them and load it again:")
        body = format_problems(self.problems)
        if n > MESSAGE_LIMIT:
            body += " (all of them are in this error's .problems table; "
            body += f"`zhengji validate {source or 'PATH'}` prints them all)"
        super().__init__(f"{head}\n{body}")

    def __reduce__(self):
        # exceptions pickle through their args; rebuild from the table instead of the message
        return type(self), (self.problems, self.source)


class SchemeError(ZhengjiError, ValueError):
    """A scheme (考核方案) is invalid; ``problems`` lists every problem found (one str each)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = list(problems) if problems is not None else [message]


class BuildError(ZhengjiError, ValueError):
    """``build`` cannot run this scheme on this workspace (e.g. no values for the year)."""


class InconsistentJudgementWarning(UserWarning):
    """An AHP judgement matrix has a consistency ratio above the threshold (Saaty: 0.10).

    The message names the most inconsistent judgement and the value that would make it
    consistent with the derived priorities.
    """


class NegativeCoefficientWarning(UserWarning):
    """A game-theory (博弈论) weight combination produced a negative combination coefficient."""


class EffectsError(ZhengjiError, ValueError):
    """An effects analysis cannot run on these data, e.g. :func:`zhengji_lab.effects.adoption_effect`
    on an outcome the workspace does not have, with no unit adopting, with adoption in one year
    only and no comparison group, or with too few clusters; the message says what is needed."""


class CircularEvidenceWarning(UserWarning):
    """The outcome of an effects analysis is itself part of the composite score.

    Units were scored on it, so a change after they adopted individualized indicators is no
    independent evidence that the indicators worked (they had a reason to move what was counted).
    """


class FewClustersWarning(UserWarning):
    """Analytic cluster-robust inference with few clusters: the t test over-rejects.

    With fewer than about 30 clusters CRV1 standard errors are too small and t(G-1) tests reject
    too often (Cameron, Gelbach & Miller 2008; MacKinnon & Webb 2017); the wild cluster
    bootstrap or randomization inference hold better.
    """


class WorkspaceWarning(UserWarning):
    """A suspicious but possible input in a workspace (a peer group of one unit, a year far from
    the others, a key indicator missing for every unit …); the message names file, row, column
    and what to check, and the build log repeats it."""


class SchemeWarning(UserWarning):
    """A suspicious but possible scheme (fixed weights that do not sum to 1 and are rescaled …);
    the message names the scheme file, the key and what to check."""


class WriteError(ZhengjiError, OSError):
    """A file could not be written (a read-only folder, a file locked by another program, a
    full disk); the message names the file, what was left as it was, and the fix.

    ``path`` is the file or folder that failed; ``errno`` that of the operating system's error.
    """

    def __init__(self, message: str, path=None):
        super().__init__(message)
        self.path = path


class OutputExistsError(WriteError, FileExistsError):
    """An output file exists and ``overwrite`` was not given; the message names the files."""


class WorkspaceOutputError(ZhengjiError, ValueError):
    """An output (results, problems, reports …) would go into an assessment workspace folder."""


class ReportError(ZhengjiError, RuntimeError):
    """Rendering a report failed (a notebook cell raised, timed out, or the kernel died).

    ``notebook`` is the kept executed notebook (``*.failed.ipynb``) or None; ``cell`` the index
    of the failing cell in it, when known.
    """

    def __init__(self, message: str, *, notebook=None, cell: int | None = None):
        super().__init__(message)
        self.notebook = notebook
        self.cell = cell


def choices(valid) -> str:
    """The valid choices as a set literal for messages: ``{'a', 'b'}``.

    >>> choices(["minmax", "zscore"])
    "{'minmax', 'zscore'}"
    """
    return "{" + ", ".join(repr(v) for v in valid) + "}"
