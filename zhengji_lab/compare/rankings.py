"""Rank comparison: how far the rankings of several schemes agree.

:func:`compare_rankings` sets the rankings side by side (Spearman's rho, Kendall's tau-b, rank
shifts, top-k overlap, grade changes; within peer groups if given) and returns a
:class:`RankComparison`.

References
----------
Kendall, M. G. (1945). The treatment of ties in ranking problems. *Biometrika* 33(3), 239–251.

OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
section 7 (uncertainty: comparing rankings). OECD Publishing. doi:10.1787/9789264043466-en
"""
from __future__ import annotations

import html
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from zhengji_lab._result import ResultMixin
from zhengji_lab.aggregation import rank
from zhengji_lab.errors import choices
from zhengji_lab.plots import bump_chart, rank_heatmap

PlotKind = Literal["bump", "heatmap"]

_FRAME_COLUMNS = ["scheme_a", "scheme_b", "group", "n_units", "spearman", "kendall",
                  "mean_abs_shift", "max_abs_shift", "top_k_overlap"]


@dataclass(frozen=True, eq=False, repr=False)
class RankComparison(ResultMixin):
    """Agreement between the rankings of several schemes (made by :func:`compare_rankings`).

    Attributes
    ----------
    frame : DataFrame
        One row per pair of schemes and peer group: ``scheme_a, scheme_b, group, n_units,
        spearman, kendall, mean_abs_shift, max_abs_shift, top_k_overlap``. ``group`` is ``"all"``
        for the pooled row (the only one without peer groups). ``scheme_a`` is the reference
        whenever the reference is in the pair.
    ranks : DataFrame
        Units × schemes of nullable integer ranks (``Int64``, as :func:`zhengji_lab.rank`), 1 =
        best, ties ``"min"``, within peer groups if given.
    shifts : DataFrame
        Units × non-reference schemes: rank under the scheme minus rank under the reference
        (positive = the unit falls).
    grade_changes : DataFrame or None
        Units whose grade differs from the reference: ``unit_id, scheme, grade_reference,
        grade, rank_reference, rank``; None when no grades were given.
    reference : str
        Name of the reference scheme (参照方案).
    top_k : int
    groups : Series or None
        Peer group of each unit, if ranks were computed within groups.
    """

    frame: pd.DataFrame
    ranks: pd.DataFrame
    shifts: pd.DataFrame
    grade_changes: pd.DataFrame | None
    reference: str
    top_k: int
    groups: pd.Series | None = None

    def correlation(self, method: Literal["spearman", "kendall"] = "spearman") -> pd.DataFrame:
        """Schemes × schemes matrix of rank correlations (pooled ``"all"`` rows of the frame)."""
        if method not in ("spearman", "kendall"):
            raise ValueError(f"The 'method' parameter of RankComparison.correlation() must be one "
                             f"of {choices(('spearman', 'kendall'))}. Got {method!r} instead.")
        names = list(self.ranks.columns)
        out = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
        pooled = self.frame[self.frame["group"] == "all"]
        for a, b, v in zip(pooled["scheme_a"], pooled["scheme_b"], pooled[method]):
            out.loc[a, b] = out.loc[b, a] = v
        return out

    def summary(self) -> str:
        """A plain-text summary: the pooled comparison of every scheme with the reference."""
        pooled = self.frame[(self.frame["group"] == "all")
                            & (self.frame["scheme_a"] == self.reference)]
        lines = [f"排名比较 Rank comparison: {len(self.ranks)} units, {self.ranks.shape[1]} schemes, "
                 f"reference (参照方案) {self.reference!r}, top-k = {self.top_k}"
                 + (f", within {self.groups.nunique()} peer groups" if self.groups is not None
                    else ""),
                 pooled.drop(columns=["scheme_a", "group"]).round(3).to_string(index=False)]
        if self.grade_changes is not None:
            counts = self.grade_changes.groupby("scheme").size()
            lines.append("等次变化 Grade changes: " + (", ".join(f"{k}: {v}" for k, v in counts.items())
                                                  or "none"))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        title = (f"<p><b>排名比较 Rank comparison</b>: {len(self.ranks)} units, reference "
                 f"{html.escape(self.reference)}, top-k = {self.top_k}</p>")
        return title + self.frame.round(3).to_html(index=False)

    def plot(self, kind: PlotKind = "bump", ax=None, labels: Mapping | None = None,
             group=None):
        """Draw a bump chart of the ranks or a heatmap of the Spearman correlations.

        Parameters
        ----------
        kind : {"bump", "heatmap"}
        ax : matplotlib Axes, optional
        labels : mapping, optional
            Display names of units and schemes (e.g. Chinese names).
        group : optional
            With peer groups, draw the bump chart for this group's units only.

        Returns
        -------
        matplotlib Axes
        """
        if kind == "bump":
            ranks = self.ranks
            if group is not None:
                if self.groups is None or group not in set(self.groups):
                    raise ValueError(f"The 'group' parameter of RankComparison.plot() must be a "
                                     f"peer group of the comparison. Got {group!r} instead.")
                ranks = ranks[self.groups.reindex(ranks.index) == group]
            return bump_chart(ranks, ax=ax, labels=labels)
        if kind == "heatmap":
            return rank_heatmap(self.correlation("spearman"), ax=ax, labels=labels)
        raise ValueError(f"The 'kind' parameter of RankComparison.plot() must be one of "
                         f"{choices(PlotKind.__args__)}. Got {kind!r} instead.")


def _as_scores(name: str, obj) -> tuple[pd.Series, pd.Series | None]:
    """Scores (and grades, if the frame has them) of one scheme, indexed by unit."""
    where = f"Scheme {name!r} passed to compare_rankings()"
    grades = None
    if hasattr(obj, "scores") and hasattr(obj, "root"):  # an Assessment: its composite
        obj = obj.scores[obj.scores["node"] == obj.root].drop(columns="node")
    if isinstance(obj, pd.DataFrame):
        if "score" not in obj.columns:
            raise ValueError(f"{where} is a DataFrame without a 'score' column. Pass a Series of "
                             f"scores indexed by unit, an Assessment, or a frame such as "
                             f"Assessment.scores.")
        df = obj
        if "node" in df.columns:
            df = df[df["node"] == "index"]
            if df.empty:
                raise ValueError(f"{where} has a 'node' column but no rows with node 'index'. "
                                 f"Pass the Assessment itself (its root is known), or the rows of "
                                 f"the composite.")
        if "year" in df.columns and df["year"].nunique() > 1:
            raise ValueError(f"{where} holds {df['year'].nunique()} years "
                             f"({sorted(df['year'].unique())[:10]}). Select one year first.")
        if "unit_id" in df.columns:
            df = df.set_index("unit_id")
        scores = df["score"]
        if "grade" in df.columns:
            grades = df["grade"]
    elif isinstance(obj, pd.Series):
        scores = obj
    else:
        raise TypeError(f"{where} must be a Series of scores indexed by unit or a DataFrame with a "
                        f"'score' column. Got {type(obj).__name__} instead.")
    if not pd.api.types.is_numeric_dtype(scores.dtype):
        raise TypeError(f"{where} has non-numeric scores (dtype {scores.dtype}). Convert them "
                        f"with pd.to_numeric first.")
    dup = scores.index[scores.index.duplicated()].unique().tolist()
    if dup:
        raise ValueError(f"{where} has duplicated units: {dup[:10]}. Give one score per unit.")
    return scores.astype(float), grades


def _pair_stats(ra: np.ndarray, rb: np.ndarray, top_k: int) -> dict:
    """Statistics of two rank vectors over the units ranked by both."""
    ok = np.isfinite(ra) & np.isfinite(rb)
    ra, rb = ra[ok], rb[ok]
    n = int(ok.sum())
    shift = np.abs(rb - ra)
    top_a = ra <= top_k
    out = {"n_units": n,
           "mean_abs_shift": float(shift.mean()) if n else np.nan,
           "max_abs_shift": float(shift.max()) if n else np.nan,
           # share of a's top k (ties "min" may make it more than k units) also in b's top k
           "top_k_overlap": float((top_a & (rb <= top_k)).sum() / top_a.sum()) if top_a.any()
           else np.nan,
           "spearman": np.nan, "kendall": np.nan}
    if n >= 2 and np.ptp(ra) > 0 and np.ptp(rb) > 0:
        # Spearman's rho = Pearson correlation of average ranks (ties -> mid-ranks); the
        # average ranks of 'min' ranks equal the average ranks of the scores.
        out["spearman"] = float(np.corrcoef(stats.rankdata(ra), stats.rankdata(rb))[0, 1])
        out["kendall"] = float(stats.kendalltau(ra, rb, variant="b").statistic)
    return out


def _grade_labels(grades, names, scores, frame_grades) -> dict | None:
    if grades is None:
        if all(g is not None for g in frame_grades.values()):
            return dict(frame_grades)
        return None
    if callable(grades):
        out = {}
        for n in names:
            labels = grades(scores[n])
            if not isinstance(labels, pd.Series):
                raise TypeError(f"The 'grades' callable of compare_rankings() must return a Series "
                                f"of grade labels indexed by unit. Got {type(labels).__name__} "
                                f"for scheme {n!r} instead.")
            out[n] = labels
        return out
    if isinstance(grades, Mapping):
        missing = [n for n in names if n not in grades]
        if missing:
            raise ValueError(f"The 'grades' parameter of compare_rankings() has no grades for "
                             f"scheme(s) {missing}. Give a Series of grade labels for every scheme.")
        return {n: grades[n] for n in names}
    raise TypeError(f"The 'grades' parameter of compare_rankings() must be a dict scheme -> Series "
                    f"of grade labels, or a callable scores -> labels. Got {type(grades).__name__} "
                    f"instead.")


def compare_rankings(
    schemes: Mapping[str, pd.Series | pd.DataFrame],
    *,
    reference: str | None = None,
    top_k: int = 5,
    grades: Mapping[str, pd.Series] | Callable[[pd.Series], pd.Series] | None = None,
    groups: pd.Series | None = None,
) -> RankComparison:
    """Compare the rankings produced by several schemes.

    Parameters
    ----------
    schemes : mapping of str to Series, DataFrame or Assessment
        Scheme name → scores indexed by unit (higher = better), an Assessment (its composite and
        grades), or a DataFrame with a ``score`` column (``Assessment.scores`` works: the rows
        of node ``"index"`` are used, indexed by ``unit_id``). Every scheme must score the same units; NaN scores are allowed and such
        units are left out of the statistics of the pairs concerned.
    reference : str, optional
        The scheme the others are compared with; the first one by default.
    top_k : int, default 5
        ``top_k_overlap`` is the share of ``scheme_a``'s top ``top_k`` (rank ≤ top_k; ties can
        make it more units) that are also in ``scheme_b``'s top ``top_k``.
    grades : mapping or callable, optional
        Grade labels (等次) per unit for each scheme, or a callable mapping a scheme's scores to
        labels. By default, grades are taken from DataFrame inputs that all have a ``grade``
        column.
    groups : Series, optional
        Peer group of each unit; ranks, and all statistics, are then computed within groups.
        Ranks are always recomputed from the scores, so pass the peer groups to compare the
        ranks that ``build`` reports (e.g. ``ws.units.set_index("unit_id")["peer_group"]``).

    Returns
    -------
    RankComparison

    Notes
    -----
    Ranks: 1 is best, ties ``"min"`` (:func:`zhengji_lab.rank`). Spearman's rho is the Pearson
    correlation of mid-ranks; Kendall's tau is tau-b (Kendall 1945), which corrects for ties.
    With peer groups each statistic is computed per group; the pooled row (``group == "all"``)
    holds the unit-weighted mean of the groups' correlations (groups with fewer than 2 units or
    a constant ranking are skipped), the mean and maximum absolute shift over all units, and the
    overlap of the pooled per-group top-k sets.

    References
    ----------
    Kendall, M. G. (1945). The treatment of ties in ranking problems. *Biometrika* 33(3),
    239–251.

    Examples
    --------
    >>> a = pd.Series({"u1": 90.0, "u2": 80.0, "u3": 70.0, "u4": 60.0})
    >>> b = pd.Series({"u1": 85.0, "u2": 88.0, "u3": 70.0, "u4": 50.0})
    >>> cmp = compare_rankings({"expert": a, "entropy": b}, top_k=1)
    >>> cmp.frame[["spearman", "mean_abs_shift", "top_k_overlap"]].round(2).iloc[0].tolist()
    [0.8, 0.5, 0.0]
    >>> cmp.shifts["entropy"].tolist()
    [1, -1, 0, 0]
    """
    if not isinstance(schemes, Mapping):
        raise TypeError(f"The 'schemes' parameter of compare_rankings() must be a dict name -> "
                        f"scores. Got {type(schemes).__name__} instead.")
    if len(schemes) < 2:
        raise ValueError(f"The 'schemes' parameter of compare_rankings() needs at least 2 schemes "
                         f"to compare. Got {len(schemes)} instead.")
    names = list(schemes)
    if not all(isinstance(n, str) for n in names):
        raise TypeError(f"Scheme names passed to compare_rankings() must be strings. Got "
                        f"{names[:10]} instead.")
    if reference is None:
        reference = names[0]
    if reference not in names:
        raise ValueError(f"The 'reference' parameter of compare_rankings() must be one of "
                         f"{choices(names)}. Got {reference!r} instead.")
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ValueError(f"The 'top_k' parameter of compare_rankings() must be an int >= 1. Got "
                         f"{top_k!r} instead.")

    scores, frame_grades = {}, {}
    for n, obj in zip(names, schemes.values()):
        scores[n], frame_grades[n] = _as_scores(n, obj)
    # the reference first, the others in the order given
    names = [reference] + [n for n in names if n != reference]
    units = scores[reference].index
    for n in names[1:]:
        extra = scores[n].index.difference(units).tolist()
        lacking = units.difference(scores[n].index).tolist()
        if extra or lacking:
            raise ValueError(f"Schemes {reference!r} and {n!r} passed to compare_rankings() score "
                             f"different units: only in {reference!r}: {lacking[:10]}; only in "
                             f"{n!r}: {extra[:10]}. Compare the same units (use NaN for a unit a "
                             f"scheme cannot score).")
        scores[n] = scores[n].reindex(units)

    if groups is not None:
        if not isinstance(groups, pd.Series):
            raise TypeError(f"The 'groups' parameter of compare_rankings() must be a Series unit "
                            f"-> peer group. Got {type(groups).__name__} instead.")
        groups = groups.reindex(units)
        missing = units[groups.isna()].tolist()
        if missing:
            raise ValueError(f"The 'groups' parameter of compare_rankings() has no peer group for "
                             f"{len(missing)} unit(s): {missing[:10]}. Give every unit a group.")
        if (groups == "all").any():
            raise ValueError("The 'groups' parameter of compare_rankings() names a peer group "
                             "'all', which is reserved for the pooled rows of the result. "
                             "Rename that group.")

    ranks = pd.DataFrame({n: rank(scores[n], groups) for n in names}, index=units)
    ranks.columns.name = "scheme"
    shifts = ranks[names[1:]].sub(ranks[reference], axis=0)

    rows = []
    for a, b in itertools.combinations(names, 2):
        ra = ranks[a].to_numpy(dtype=float, na_value=np.nan)
        rb = ranks[b].to_numpy(dtype=float, na_value=np.nan)
        pooled = {"scheme_a": a, "scheme_b": b, "group": "all", **_pair_stats(ra, rb, top_k)}
        if groups is not None:
            per_group = []
            for g in pd.unique(groups):
                m = (groups == g).to_numpy()
                per_group.append({"scheme_a": a, "scheme_b": b, "group": g,
                                  **_pair_stats(ra[m], rb[m], top_k)})
            pg = pd.DataFrame(per_group)
            for col in ("spearman", "kendall"):
                ok = pg[col].notna()
                pooled[col] = (float(np.average(pg.loc[ok, col], weights=pg.loc[ok, "n_units"]))
                               if ok.any() else np.nan)
            rows.append(pooled)
            rows.extend(per_group)
        else:
            rows.append(pooled)
    frame = pd.DataFrame(rows, columns=_FRAME_COLUMNS)

    grade_changes = None
    labels = _grade_labels(grades, names, scores, frame_grades)
    if labels is not None:
        ref = labels[reference].reindex(units)
        parts = []
        for n in names[1:]:
            g = labels[n].reindex(units)
            changed = ~((g == ref) | (g.isna() & ref.isna()))
            parts.append(pd.DataFrame({"unit_id": units[changed], "scheme": n,
                                       "grade_reference": ref[changed].to_numpy(),
                                       "grade": g[changed].to_numpy(),
                                       "rank_reference": ranks.loc[changed, reference].array,
                                       "rank": ranks.loc[changed, n].array}))
        grade_changes = pd.concat(parts, ignore_index=True)
    return RankComparison(frame=frame, ranks=ranks, shifts=shifts, grade_changes=grade_changes,
                          reference=reference, top_k=int(top_k), groups=groups)

