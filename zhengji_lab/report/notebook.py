"""Helpers for the repository's notebooks: figure setup, paths, and tables ready for display.

A notebook opened in JupyterLab runs in ``notebooks/``, papermill runs it wherever it is called
from: :func:`locate` finds ``data/…`` either way, :func:`notebook_path` finds a notebook of the
repository (the report notebook by default). :func:`setup_notebook` makes figures SVG with their
text kept as text, so the browser draws Chinese glyphs (DESIGN.md, "Reports"), and :func:`show`
displays a table without index, rounded, with text aligned left. :func:`yearly_assessment` is
the build the report shows: with the uncertainty flags of the scheme's ``uncertainty`` section
computed once, unless ``draws`` is 0.

Examples
--------
>>> notebook_path().name
'yearly_report.ipynb'
>>> locate("data/sample_city").is_dir()
True
"""
from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import matplotlib as mpl
import pandas as pd

from zhengji_lab.assess import build
from zhengji_lab.errors import InconsistentJudgementWarning
from zhengji_lab.pipeline import Assessment, as_scheme
from zhengji_lab.plots import setup_chinese
from zhengji_lab.report.escape import Link, escape_html
from zhengji_lab.scheme_schema import FLAG_KEYS

#: The notebook rendered by :func:`~zhengji_lab.report.render_report` (under ``notebooks/``).
REPORT_NOTEBOOK = "yearly_report.ipynb"

#: Monte Carlo draws of the report's uncertainty flags (the notebook's default ``draws``): the
#: rank bands of the sample city's 46 units are stable at this number, and cost about 0.2 s.
REPORT_DRAWS = 1000
#: Seed of the report's uncertainty flags (the notebook's default ``seed``).
REPORT_SEED = 2025

# the repository checkout (or editable install) this package runs from
_REPOSITORY = Path(__file__).resolve().parents[2]


def notebook_path(name: str = REPORT_NOTEBOOK) -> Path:
    """The report notebook ``notebooks/<name>`` next to the package (repository layout).

    Raises
    ------
    FileNotFoundError
        When the package is not run from a repository checkout (or an editable install of one).
    """
    path = _REPOSITORY / "notebooks" / name
    if not path.is_file():
        raise FileNotFoundError(
            f"The report notebook {path} does not exist. zhengji_lab renders reports from the "
            f"notebooks/ folder of its repository: run from a checkout of the repository or "
            f"install it with `pip install -e .`.")
    return path


def locate(path: str | Path) -> Path:
    """``path`` as given when it exists, else the same relative path under the repository root.

    A notebook opened in JupyterLab runs in ``notebooks/``; this lets its default
    ``workspace = "data/sample_city"`` find the repository's ``data/`` folder.
    """
    given = Path(path).expanduser()
    if given.exists() or given.is_absolute():
        return given
    in_repo = _REPOSITORY / given
    return in_repo if in_repo.exists() else given


def setup_notebook() -> None:
    """Figures for reports: SVG output with text kept as text, Chinese-capable fonts.

    Without a CJK font matplotlib draws boxes for Chinese glyphs in PNG output; SVG with
    ``svg.fonttype: none`` leaves the glyphs to the browser (DESIGN.md, "Reports").
    """
    # IPython's inline backend: only in a notebook
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    setup_chinese()
    mpl.rcParams["svg.fonttype"] = "none"
    set_matplotlib_formats("svg")
    # the report lists the experts' consistency in a table (consistency_table)
    warnings.filterwarnings("ignore", category=InconsistentJudgementWarning)


def show(df: pd.DataFrame, *, precision: int = 1, empty: str = "无 None"):
    """A table ready for display in a report: no index, numbers rounded, missing as "—".

    Returns a pandas ``Styler``; an empty table becomes a short Markdown note (``empty``).
    Cells and column labels are escaped (:func:`~zhengji_lab.report.escape.escape_html`):
    workspace text such as a unit named ``<script>…`` shows as text; a
    :class:`~zhengji_lab.report.escape.Link` cell shows as a link with its text escaped.
    """
    if df.empty:
        from IPython.display import Markdown

        return Markdown(f"*{empty}*")
    text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    positions = [i for i, c in enumerate(df.columns) if c in text]
    linked = [c for c in text if any(isinstance(v, Link) for v in df[c])]
    styler = (df.style.hide(axis="index")
              .format(precision=precision, na_rep="—", escape="html")
              .format_index(escape_html, axis=1)
              .set_properties(subset=text, **{"text-align": "left"})
              .set_table_styles([{"selector": f"th.col_heading.col{i}",
                                  "props": "text-align: left"} for i in positions]))
    if linked:                  # links (a unit's name to its page) escape their own text
        styler = styler.format(lambda v: v.html() if isinstance(v, Link) else escape_html(v),
                               subset=linked, na_rep="—")
    return styler


def check_draws(draws, seed, caller: str) -> None:
    """Check the report's ``draws`` (0, or a whole number >= 2) and ``seed`` (a whole number
    >= 0); the message names ``caller``.

    Raises
    ------
    TypeError, ValueError
    """
    for name, value in (("draws", draws), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"The {name!r} parameter of {caller}() must be a whole number. Got "
                            f"{value!r} instead.")
    if draws == 1 or draws < 0:
        raise ValueError(f"The 'draws' parameter of {caller}() must be 0 (no uncertainty "
                         f"analysis) or a whole number >= 2. Got {draws!r} instead.")
    if seed < 0:
        raise ValueError(f"The 'seed' parameter of {caller}() must be a whole number >= 0. Got "
                         f"{seed!r} instead.")


def yearly_assessment(ws, scheme, year: int, *, draws: int = REPORT_DRAWS,
                      seed: int = REPORT_SEED) -> Assessment:
    """The assessment the yearly report shows: :func:`zhengji_lab.build` with the scheme's
    uncertainty flags computed once.

    When the scheme has an ``uncertainty`` section and ``draws`` > 0, the build runs with
    ``uncertainty_flags: {n: draws, seed: seed, band: …}`` (the scheme's own ``band``, else 5–95 %),
    so the scores carry ``rank_lo``, ``rank_hi`` and ``grade_uncertain`` and the talk triggers
    ``p_fire`` and ``uncertain`` (:func:`zhengji_lab.montecarlo.analysis.flag_uncertain`).
    ``draws=0`` builds without flags, even when the scheme has some.

    Parameters
    ----------
    ws : Workspace
    scheme : Scheme, str or path
        A Scheme, a scheme name of the workspace, or a YAML file.
    year : int
    draws : int
        Monte Carlo draws (0: no uncertainty analysis; else >= 2).
    seed : int
        Seed of the draws.

    Returns
    -------
    Assessment
        Its ``scheme`` and provenance fingerprint are those of the scheme as given (the
        approved scheme, as ``zhengji build`` prints it); the draws and seed the report used are
        in the log's ``uncertainty_flags`` record.

    Raises
    ------
    TypeError, ValueError
        ``draws`` or ``seed`` is not a whole number, or ``draws`` is 1 or negative.
    """
    check_draws(draws, seed, "yearly_assessment")
    approved = as_scheme(ws, scheme)
    flags = approved.spec["uncertainty_flags"]
    if draws and approved.spec["uncertainty"]:
        run = approved.replace("uncertainty_flags",
                               {**FLAG_KEYS, **(flags or {}), "n": draws, "seed": seed})
    elif flags is not None:
        run = approved.replace("uncertainty_flags", None)
    else:
        return build(ws, approved, year)
    a = build(ws, run, year)
    return dataclasses.replace(a, scheme=approved, provenance={
        **a.provenance, "fingerprint": approved.fingerprint()})
