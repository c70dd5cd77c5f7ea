"""What a yearly run computes once and every page reads: the workspace, the approved scheme and
its assessment of every year up to the reporting year, with the rank bands.

DESIGN.md ("Reports") asks that the assessment and the Monte Carlo be computed once per run and
the pages read them. :func:`prepare_run` builds them (:func:`~zhengji_lab.report.yearly_assessment`
for each year of the data up to the reporting year, so a unit page can show its ranks over
the years with their bands); :meth:`RunData.save` writes them to one file that the page
notebooks read back with :func:`page_data`. A notebook opened on its own (no ``run_data``
parameter) computes the same thing itself, so every notebook also runs alone in JupyterLab.

The file is a pickle of package objects; it is written by the run into a private temporary
folder (or sent to Dask workers as bytes) and read only by the run's own pages.

Examples
--------
>>> import zhengji_lab as zl
>>> data = prepare_run(zl.load_workspace(zl.report.locate("data/sample_city")), "baseline",
...                    2025, draws=0, history=False)
>>> data.year, sorted(data.assessments), data.previous is None
(2025, [2025], True)
"""
from __future__ import annotations

import pickle
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from zhengji_lab.errors import BuildError, InconsistentJudgementWarning
from zhengji_lab.pipeline import Assessment, as_scheme
from zhengji_lab.report.notebook import (
    REPORT_DRAWS,
    REPORT_SEED,
    check_draws,
    locate,
    yearly_assessment,
)
from zhengji_lab.scheme import Scheme
from zhengji_lab.workspace import Workspace, load_workspace

#: Languages of a run's pages (``zhengji report --lang``).
PAGE_LANGS = ("zh", "en")


@dataclass(frozen=True, eq=False)
class RunData:
    """The assessments of one yearly run, computed once and read by every page.

    Attributes
    ----------
    workspace : Workspace
    scheme : Scheme
        The approved scheme (as given to the run).
    year : int
        The reporting year.
    assessments : Mapping[int, Assessment]
        This year's assessment and, unless the run left the history out, every earlier year of
        the data that could be built, each with the rank bands of ``draws`` draws.
    draws, seed : int
        The Monte Carlo draws of the rank bands (0: none) and their seed.
    lang : {"zh", "en"}
        Language of the pages.
    notes : tuple of str
        What the run could not compute and why (an earlier year that does not build, a year
        whose bands could not be drawn); the pages show them.
    """

    workspace: Workspace
    scheme: Scheme
    year: int
    assessments: Mapping[int, Assessment]
    draws: int = REPORT_DRAWS
    seed: int = REPORT_SEED
    lang: str = "zh"
    notes: tuple[str, ...] = field(default=())

    @property
    def assessment(self) -> Assessment:
        """The reporting year's assessment."""
        return self.assessments[self.year]

    @property
    def previous(self) -> Assessment | None:
        """Last year's assessment, when the data has it and it was built."""
        return self.assessments.get(self.year - 1)

    @property
    def unit_ids(self) -> list[str]:
        """The units assessed this year, in the order of the workspace's units table."""
        assessed = set(self.assessment.scores["unit_id"])
        return [u for u in self.workspace.units["unit_id"] if u in assessed]

    def save(self, path: str | Path) -> Path:
        """Write the run's data for its pages (a pickle; see the module's note)."""
        path = Path(path)
        path.write_bytes(self.to_bytes())
        return path

    def to_bytes(self) -> bytes:
        """The pickle :meth:`save` writes (sent as is to Dask workers)."""
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: str | Path) -> RunData:
        """Read what :meth:`save` wrote.

        Raises
        ------
        FileNotFoundError, TypeError
            The file is missing, or holds something else than a run's data.
        """
        data = pickle.loads(Path(path).read_bytes())
        if not isinstance(data, cls):
            raise TypeError(f"{path} does not hold the data of a report run (it holds a "
                            f"{type(data).__name__}).")
        return data


def check_lang(lang, caller: str) -> None:
    """Check a page language (:data:`PAGE_LANGS`); the message names ``caller``."""
    if lang not in PAGE_LANGS:
        raise ValueError(f"The 'lang' parameter of {caller}() must be 'zh' or 'en'. Got "
                         f"{lang!r} instead.")


def prepare_run(ws: Workspace, scheme, year: int, *, draws: int = REPORT_DRAWS,
                seed: int = REPORT_SEED, lang: str = "zh", history: bool = True) -> RunData:
    """Compute what a yearly run's pages show: the assessment of ``year`` and of every earlier
    year of the data, each with its rank bands.

    Parameters
    ----------
    ws : Workspace
    scheme : Scheme, str or path
        The approved scheme (a Scheme, a scheme name of the workspace or a YAML file).
    year : int
        The reporting year; its build must succeed (errors are raised as they are).
    draws, seed : int
        Monte Carlo draws of the rank bands over the scheme's ``uncertainty`` section (0: none)
        and their seed, the same for every year (:func:`~zhengji_lab.report.yearly_assessment`).
    lang : {"zh", "en"}
    history : bool
        Also build the earlier years (a unit page shows them). An earlier year that does not
        build, or whose bands cannot be drawn, is noted in :attr:`RunData.notes` (built without
        bands in the second case), not raised: it must not stop this year's reports.

    Returns
    -------
    RunData
    """
    check_draws(draws, seed, "prepare_run")
    check_lang(lang, "prepare_run")
    approved = as_scheme(ws, scheme)
    assessments, notes = {}, []
    with warnings.catch_warnings():
        # the report lists the experts' consistency in a table (consistency_table)
        warnings.simplefilter("ignore", InconsistentJudgementWarning)
        assessments[year] = yearly_assessment(ws, approved, year, draws=draws, seed=seed)
        for y in ([y for y in ws.years if y < year] if history else []):
            try:
                assessments[y] = yearly_assessment(ws, approved, y, draws=draws, seed=seed)
            except BuildError as exc:
                if not draws:
                    notes.append(f"{y}: not built ({exc})")
                    continue
                try:
                    assessments[y] = yearly_assessment(ws, approved, y, draws=0)
                    notes.append(f"{y}: rank bands not computed ({exc})")
                except BuildError as again:
                    notes.append(f"{y}: not built ({again})")
    return RunData(ws, approved, year, dict(sorted(assessments.items())), draws, seed, lang,
                   tuple(notes))


def page_data(run_data: str = "", *, workspace: str = "data/sample_city",
              scheme: str = "baseline", year: int = 2025, draws: int = REPORT_DRAWS,
              seed: int = REPORT_SEED, lang: str = "zh") -> RunData:
    """The data a report page shows: the run's file when the run passed one, else computed here.

    The report notebooks call this with their parameters: ``zhengji report`` passes
    ``run_data`` (computed once for the whole run); a notebook opened alone in JupyterLab
    leaves it empty and computes its own (:func:`prepare_run`; the workspace path is found
    from ``notebooks/`` too, :func:`~zhengji_lab.report.locate`).
    """
    if run_data:
        return RunData.load(run_data)
    return prepare_run(load_workspace(locate(workspace)), scheme, year, draws=draws, seed=seed,
                       lang=lang)
