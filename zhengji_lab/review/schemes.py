"""The comparison of candidate schemes: build each one for a year and set the results side by side.

:func:`compare_schemes` builds each candidate scheme of a workspace once for one year and
computes what the expert panel compares: the weights each scheme gives every node as the units
get them, and their effective weights (:mod:`zhengji_lab.review.applied`); how each unit's rank
and grade move against a reference scheme, and the rank correlations between the schemes
(:func:`zhengji_lab.compare_rankings`); and the panel's review of its judgements
(:func:`zhengji_lab.panel_summary`). It returns a :class:`SchemeComparison`, which holds those
results; its tables, text, workbook and figures come from
:mod:`zhengji_lab.review.tables` and :mod:`zhengji_lab.review.figures`.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
sections 6 (weighting) and 7 (uncertainty: comparing rankings). OECD Publishing.
doi:10.1787/9789264043466-en
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from zhengji_lab._result import ResultMixin
from zhengji_lab.compare import RankComparison, compare_rankings
from zhengji_lab.errors import choices
from zhengji_lab.panel import PanelSummary, panel_summary
from zhengji_lab.pipeline import Assessment, as_scheme, build_assessment, check_year
from zhengji_lab.review.applied import ALL, PEER_ALL, weights_frame
from zhengji_lab.review.figures import SchemeFigures
from zhengji_lab.review.tables import SchemeTables
from zhengji_lab.scheme import Scheme
from zhengji_lab.workspace import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False, repr=False)
class SchemeComparison(SchemeTables, SchemeFigures, ResultMixin):
    """Candidate schemes side by side for one year (made by :func:`compare_schemes`).

    The results computed by :func:`compare_schemes`; the tables, text, workbook
    (:class:`~zhengji_lab.review.tables.SchemeTables`) and figures
    (:class:`~zhengji_lab.review.figures.SchemeFigures`) are inherited.

    Attributes
    ----------
    assessments : dict
        ``{label: Assessment}``, one per scheme, in the order given (built without the talk
        triggers' history; ``zl.build`` gives the full assessment).
    weights : DataFrame
        Tidy ``scheme, group, parent, node, name_zh, level, weight, effective``: per scheme and
        peer group (``group == "all"``: all units), the mean weight of each node within its
        parent as the units get it, and its effective weight at the index level (see
        :mod:`zhengji_lab.review.applied`). ``level`` is 1 for indicators and grows towards
        the root; :attr:`frame` is this table.
    comparison : RankComparison
        :func:`zhengji_lab.compare_rankings` of the composites, within peer groups, with the
        grades: ``.frame`` (Spearman, Kendall, rank shifts, top-k overlap per pair of schemes),
        ``.ranks``, ``.shifts``, ``.grade_changes``.
    panel : PanelSummary or None
        The expert panel's review (:func:`panel_summary`), None without judgements.
    year : int
    labels : dict
        Display names (Chinese) of node codes and units.
    """

    assessments: dict
    weights: pd.DataFrame
    comparison: RankComparison
    panel: PanelSummary | None
    year: int
    labels: dict

    @property
    def schemes(self) -> list[str]:
        """Labels of the schemes, in the order given."""
        return list(self.assessments)

    @property
    def reference(self) -> str:
        """The scheme the others are compared with (参照方案)."""
        return self.comparison.reference

    @property
    def units(self) -> pd.DataFrame:
        """The assessed units: ``unit_id, name_zh, name_en, kind, peer_group, …``."""
        return self.assessments[self.reference].units

    @property
    def groups(self) -> list[str]:
        """The peer groups, in the order of the units table."""
        return list(dict.fromkeys(self.units["peer_group"].astype(str)))

    @property
    def frame(self) -> pd.DataFrame:
        """The tidy source of truth: :attr:`weights` (``scheme, group, parent, node, …``)."""
        return self.weights

    def __repr__(self) -> str:
        return f"<SchemeComparison {self.year}: {', '.join(self.schemes)}>"


def _scheme_items(ws: Workspace, schemes) -> dict[str, Scheme]:
    """``{label: Scheme}`` from names of the workspace, Scheme objects or a dict."""
    where = "The 'schemes' parameter of compare_schemes()"
    if schemes is None:
        schemes = list(ws.schemes)
    if isinstance(schemes, (str, Scheme)) or not isinstance(schemes, (Mapping, Sequence)):
        raise TypeError(f"{where} must be a list of scheme names or Scheme objects, or a dict "
                        f"label -> Scheme. Got {type(schemes).__name__} instead.")
    items = list(schemes.items()) if isinstance(schemes, Mapping) else \
        [(s.spec["name"] if isinstance(s, Scheme) else s, s) for s in schemes]
    out: dict[str, Scheme] = {}
    for label, s in items:
        if not isinstance(label, str) or not label:
            raise TypeError(f"{where} needs a non-empty text label for every scheme. Got "
                            f"{label!r} instead.")
        if isinstance(s, str):
            if s not in ws.schemes:
                raise ValueError(f"{where} names {s!r}, which is not a scheme of the workspace; "
                                 f"its schemes are {choices(ws.schemes)}.")
            s = as_scheme(ws, s)  # errors name the scheme file
        elif not isinstance(s, Scheme):
            raise TypeError(f"{where} must hold scheme names or Scheme objects. Got "
                            f"{type(s).__name__} for {label!r} instead.")
        if label in out:
            raise ValueError(f"{where} has two schemes labelled {label!r}; pass a dict "
                             f"{{label: Scheme}} with distinct labels.")
        out[label] = s
    if len(out) < 2:
        raise ValueError(f"{where} needs at least 2 schemes to compare. Got {len(out)} "
                         f"({list(out)}); the workspace's schemes are {choices(ws.schemes)}.")
    return out


def compare_schemes(ws: Workspace, schemes=None, year: int | None = None, *,
                    reference: str | None = None, top_k: int = 5,
                    panel: bool = True) -> SchemeComparison:
    """Build candidate schemes for one year and compare their weights, ranks and grades.

    Parameters
    ----------
    ws : Workspace
    schemes : list or dict, optional
        Names of the workspace's schemes and/or :class:`~zhengji_lab.Scheme` objects (labelled
        by their ``name``), or a dict ``{label: Scheme or name}``. Default: every scheme of the
        workspace. At least two.
    year : int, optional
        The year assessed; default the workspace's latest.
    reference : str, optional
        Label of the scheme the others are compared with; default the first.
    top_k : int, default 5
        For the top-k overlap of :func:`zhengji_lab.compare_rankings`.
    panel : bool, default True
        Also review the expert panel (:func:`panel_summary`) when the workspace has judgements.

    Returns
    -------
    SchemeComparison

    Raises
    ------
    ValueError
        Unknown scheme names, fewer than two schemes, an unknown reference or year, or schemes
        that compare units in different peer groups (``peer_groups``), whose ranks cannot be
        set side by side.

    Notes
    -----
    Each distinct scheme (by :meth:`~zhengji_lab.Scheme.fingerprint`) is built once; schemes
    are built without the earlier years that the talk triggers need. Ranks are recomputed by
    :func:`zhengji_lab.compare_rankings` within the peer groups from the composites, exactly
    as :func:`zhengji_lab.build` ranks them.

    Examples
    --------
    >>> import warnings, zhengji_lab as zl
    >>> ws = zl.load_workspace(zl.datasets.data_dir() / "sample_city")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     cmp = zl.compare_schemes(ws, ["baseline", "equal"], 2025, panel=False)
    >>> cmp.schemes, cmp.reference
    (['baseline', 'equal'], 'baseline')
    >>> cmp.weights_table("weight", level=2)[["node", "baseline", "equal"]].round(2)
             node  baseline  equal
    0     economy      0.30    0.2
    1     ecology      0.25    0.2
    2  livelihood      0.25    0.2
    3      safety      0.10    0.2
    4       party      0.10    0.2
    """
    if not isinstance(ws, Workspace):
        raise TypeError(f"The 'ws' parameter of compare_schemes() must be a Workspace "
                        f"(zl.load_workspace). Got {type(ws).__name__} instead.")
    if year is None:
        year = ws.years[-1]
    year = check_year(ws, year)  # the same error as build's for the same mistake
    items = _scheme_items(ws, schemes)
    if reference is not None and reference not in items:
        raise ValueError(f"The 'reference' parameter of compare_schemes() must be one of "
                         f"{choices(items)}. Got {reference!r} instead.")
    built: dict[str, Assessment] = {}
    assessments: dict[str, Assessment] = {}
    for label, s in items.items():
        key = s.fingerprint()
        if key not in built:  # identical schemes share one build
            logger.info("compare_schemes(): building %r (%s) for %d", label, key, year)
            built[key] = build_assessment(ws, s, int(year), history=False)
        assessments[label] = built[key]

    ref = reference or next(iter(items))
    groups = assessments[ref].units.set_index("unit_id")["peer_group"].astype(str)
    differ = [f"{label!r} (peer_groups: {a.scheme.spec['peer_groups']!r})"
              for label, a in assessments.items()
              if not a.units.set_index("unit_id")["peer_group"].astype(str).reindex(
                  groups.index).equals(groups)]
    if differ:
        raise ValueError(f"The schemes passed to compare_schemes() rank units within different "
                         f"peer groups: {', '.join(differ)} differ from the reference {ref!r} "
                         f"(peer_groups: {assessments[ref].scheme.spec['peer_groups']!r}). "
                         f"Compare schemes with the same peer_groups.")
    # one peer group: the pooled ranking is the ranking ("all" is compare_rankings' pooled row)
    cmp_groups = None if groups.nunique() == 1 else groups.replace(ALL, PEER_ALL)
    root = {label: a.scores[a.scores["node"] == a.root].set_index("unit_id")
            for label, a in assessments.items()}
    graded = all(a.scheme.spec["grades"] for a in assessments.values())
    comparison = compare_rankings({label: r["score"] for label, r in root.items()},
                                  reference=ref, top_k=top_k, groups=cmp_groups,
                                  grades={label: r["grade"] for label, r in root.items()}
                                  if graded else None)
    review = panel_summary(ws) if panel and ws.judgements else None
    labels = ws.labels("zh")
    return SchemeComparison(assessments=assessments, weights=weights_frame(assessments, ws),
                            comparison=comparison, panel=review, year=int(year),
                            labels=labels)
