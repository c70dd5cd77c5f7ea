"""Helpers for the repository's notebooks: figure setup, paths, and tables ready for display.

A notebook opened in JupyterLab runs in ``notebooks/``, papermill runs it wherever it is called
from: :func:`locate` finds ``data/…`` either way, :func:`notebook_path` finds a notebook of the
repository (the report notebook by default). :func:`setup_notebook` makes figures SVG with their
text kept as text, so the browser draws Chinese glyphs (DESIGN.md, "Reports"), and :func:`show`
displays a table without index, rounded, with text aligned left.

Examples
--------
>>> notebook_path().name
'yearly_report.ipynb'
>>> locate("data/sample_city").is_dir()
True
"""
from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib as mpl
import pandas as pd

from zhengji_lab.errors import InconsistentJudgementWarning
from zhengji_lab.plots import setup_chinese

#: The notebook rendered by :func:`~zhengji_lab.report.render_report` (under ``notebooks/``).
REPORT_NOTEBOOK = "yearly_report.ipynb"

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
    """
    if df.empty:
        from IPython.display import Markdown

        return Markdown(f"*{empty}*")
    text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    positions = [i for i, c in enumerate(df.columns) if c in text]
    return (df.style.hide(axis="index").format(precision=precision, na_rep="—")
            .set_properties(subset=text, **{"text-align": "left"})
            .set_table_styles([{"selector": f"th.col_heading.col{i}", "props": "text-align: left"}
                               for i in positions]))
