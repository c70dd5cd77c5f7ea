"""Rank comparison between schemes, effective weights, indicator importance and diagnostics.

* :func:`compare_rankings`: how far the rankings of several schemes agree (Spearman, Kendall's
  tau-b, rank shifts, top-k overlap, grade changes), as a :class:`RankComparison`.
* :func:`importance`: how much each indicator actually drives the index, the squared Pearson
  correlation or the correlation ratio (first-order sensitivity index) of Paruolo, Saisana and
  Saltelli (2013), set beside the nominal weight.
* :func:`effective_weights`: the weight of every node at the index level (COINr's
  ``get_eff_weights``), and optionally its mean share of the units' scores.
* :func:`cronbach_alpha` and :func:`correlation_flags`: internal consistency and correlation
  checks within dimensions (OECD/JRC Handbook 2008, section 3).

References
----------
Paruolo, P., Saisana, M. and Saltelli, A. (2013). Ratings and rankings: voodoo or science?
*Journal of the Royal Statistical Society A* 176(3), 609–634. doi:10.1111/j.1467-985X.2012.01059.x

Becker, W., Saisana, M., Paruolo, P. and Vandecasteele, I. (2017). Weights and importance in
composite indicators: closing the gap. *Ecological Indicators* 80, 12–22.
doi:10.1016/j.ecolind.2017.03.056

Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. and Saisana, M. (2022).
COINr: an R package for developing composite indicators. *Journal of Open Source Software*
7(78), 4567. doi:10.21105/joss.04567

OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*.
OECD Publishing. doi:10.1787/9789264043466-en
"""
from __future__ import annotations

import html
import itertools
import logging
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from scipy.interpolate import BSpline

from zhengji_lab.aggregate import rank
from zhengji_lab.errors import choices

logger = logging.getLogger(__name__)

ImportanceMethod = Literal["pearson2", "corr_ratio"]
IMPORTANCE_METHODS: tuple[str, ...] = ImportanceMethod.__args__
PlotKind = Literal["bump", "heatmap"]
CorrMethod = Literal["pearson", "spearman", "kendall"]

_FRAME_COLUMNS = ["scheme_a", "scheme_b", "group", "n_units", "spearman", "kendall",
                  "mean_abs_shift", "max_abs_shift", "top_k_overlap"]


# --------------------------------------------------------------------------------------------
# Rank comparison
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class RankComparison:
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

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of :attr:`frame`."""
        return self.frame.copy()

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
        from zhengji_lab import plots

        if kind == "bump":
            ranks = self.ranks
            if group is not None:
                if self.groups is None or group not in set(self.groups):
                    raise ValueError(f"The 'group' parameter of RankComparison.plot() must be a "
                                     f"peer group of the comparison. Got {group!r} instead.")
                ranks = ranks[self.groups.reindex(ranks.index) == group]
            return plots.bump_chart(ranks, ax=ax, labels=labels)
        if kind == "heatmap":
            return plots.rank_heatmap(self.correlation("spearman"), ax=ax, labels=labels)
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


# --------------------------------------------------------------------------------------------
# Importance
# --------------------------------------------------------------------------------------------

def _pspline_fit(x: np.ndarray, y: np.ndarray, n_segments: int) -> np.ndarray:
    """Fitted values of a P-spline smoother of y on x, penalty chosen by GCV.

    Cubic B-splines on ``n_segments`` equal segments over the range of x, with a second-order
    difference penalty on the coefficients (Eilers & Marx 1996, eq. 13); as the penalty grows
    the fit tends to the least-squares line, so linear dependence is not over-smoothed. The
    penalty lambda minimises GCV(λ) = n·RSS / (n − tr H)² (Craven & Wahba 1979) over the grid
    10^-6 … 10^6 × tr(B'B) / tr(D'D), which keeps the grid's meaning the same for any n.
    """
    lo, hi = x.min(), x.max()
    step = (hi - lo) / n_segments
    knots = lo + step * np.arange(-3, n_segments + 4)
    # extrapolate: x == hi may fall a rounding error beyond the last interior knot
    B = BSpline.design_matrix(x, knots, 3, extrapolate=True).toarray()
    D = np.diff(np.eye(B.shape[1]), n=2, axis=0)
    BtB, Bty, DtD = B.T @ B, B.T @ y, D.T @ D
    n = len(y)
    best, fitted = np.inf, None
    for lam in np.logspace(-6, 6, 49) * np.trace(BtB) / np.trace(DtD):
        A = BtB + lam * DtD
        coef = np.linalg.solve(A, Bty)
        yhat = B @ coef
        edf = np.trace(np.linalg.solve(A, BtB))          # tr H, H = B (B'B + λD'D)^-1 B'
        rss = float(np.sum((y - yhat) ** 2))
        if edf >= n - 1e-9:
            continue
        gcv = n * rss / (n - edf) ** 2
        if gcv < best:
            best, fitted = gcv, yhat
    return fitted


def importance(
    X: pd.DataFrame,
    index: pd.Series,
    *,
    method: ImportanceMethod = "pearson2",
    weights: pd.Series | Mapping | None = None,
    n_segments: int | None = None,
) -> pd.DataFrame:
    """Importance of each indicator for the index, beside its nominal weight.

    Parameters
    ----------
    X : DataFrame
        Units × indicators (normalised values, as aggregated).
    index : Series
        The index (composite score) per unit, same units as ``X``.
    method : {"pearson2", "corr_ratio"}, default "pearson2"
        ``"pearson2"``: the squared Pearson correlation r_i² of indicator and index.
        ``"corr_ratio"``: the correlation ratio (first-order sensitivity index)
        S_i = V(E[y | x_i]) / V(y) (Paruolo et al. 2013, eq. 3), with E[y | x_i] estimated by a
        P-spline smoother (cubic B-splines, second-order difference penalty chosen by
        generalised cross-validation; Eilers & Marx 1996). S_i ≥ r_i² up to estimation error,
        with equality when E[y | x_i] is linear.
    weights : Series or mapping, optional
        Nominal weight of each indicator (extra entries, e.g. dimension rows of
        :func:`effective_weights`, are ignored). Rescaled to sum to 1 over ``X``'s columns. For a
        hierarchical index compare with effective weights, not the within-dimension weights.
    n_segments : int, optional
        Number of equal B-spline segments for ``"corr_ratio"``; by default
        ``min(20, max(4, n // 5))`` for n units.

    Returns
    -------
    DataFrame
        One row per indicator: ``indicator, nominal, importance, share, ratio`` where ``share``
        is the importance rescaled to sum to 1 and ``ratio = share / nominal`` (> 1: the
        indicator matters more than its weight says). ``nominal`` and ``ratio`` are NaN without
        weights. A constant indicator has importance 0.

    Notes
    -----
    Units with a missing indicator value or index are left out per indicator (pairwise). With
    few units both estimates are biased upwards, the correlation ratio more (the smoother also
    fits noise). Measured on y = x1 + … + x4 + e with iid N(0, 1) terms (true S_i = 0.2), mean
    over 20 samples: 23 units r² 0.234, S 0.270; 100 units 0.209, 0.225; 300 units 0.201,
    0.205. On linear data with a few thousand units the two agree to 1e-3. Paruolo et al.
    (2013) estimate S_i on 26–90 countries; below ~20 units prefer ``"pearson2"``.

    References
    ----------
    Paruolo, P., Saisana, M. and Saltelli, A. (2013). Ratings and rankings: voodoo or science?
    *JRSS A* 176(3), 609–634, section 3.

    Becker, W., Saisana, M., Paruolo, P. and Vandecasteele, I. (2017). Weights and importance in
    composite indicators: closing the gap. *Ecological Indicators* 80, 12–22.

    Eilers, P. H. C. and Marx, B. D. (1996). Flexible smoothing with B-splines and penalties.
    *Statistical Science* 11(2), 89–121.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.uniform(size=(500, 2)), columns=["a", "b"])
    >>> y = 2 * X["a"] + X["b"]
    >>> importance(X, y, weights={"a": 2, "b": 1}).round(1)[["indicator", "nominal", "share"]]
      indicator  nominal  share
    0         a      0.7    0.8
    1         b      0.3    0.2
    """
    if method not in IMPORTANCE_METHODS:
        raise ValueError(f"The 'method' parameter of importance() must be one of "
                         f"{choices(IMPORTANCE_METHODS)}. Got {method!r} instead.")
    X = _check_numeric_frame(X, "importance")
    if not isinstance(index, pd.Series):
        raise TypeError(f"The 'index' parameter of importance() must be a Series indexed by unit. "
                        f"Got {type(index).__name__} instead.")
    if not pd.api.types.is_numeric_dtype(index.dtype):
        raise TypeError(f"The 'index' parameter of importance() must be numeric. Got dtype "
                        f"{index.dtype} instead.")
    lacking = X.index.difference(index.index).tolist()
    if lacking:
        raise ValueError(f"The 'index' parameter of importance() has no value for {len(lacking)} "
                         f"unit(s) of X: {lacking[:10]}. Pass the index of the same units.")
    y_all = index.reindex(X.index).astype(float)
    if n_segments is not None and (isinstance(n_segments, bool)
                                   or not isinstance(n_segments, (int, np.integer))
                                   or n_segments < 1):
        raise ValueError(f"The 'n_segments' parameter of importance() must be an int >= 1. Got "
                         f"{n_segments!r} instead.")
    nominal = pd.Series(np.nan, index=X.columns)
    if weights is not None:
        nominal = _check_weights(weights, X.columns, "importance")

    values = {}
    for col in X.columns:
        ok = X[col].notna() & y_all.notna()
        x, y = X.loc[ok, col].to_numpy(float), y_all[ok].to_numpy(float)
        if len(y) < 4:
            raise ValueError(f"Indicator {col!r} and the index have only {len(y)} unit(s) with "
                             f"both values in importance(); at least 4 are needed.")
        if np.ptp(y) == 0:
            raise ValueError("The 'index' parameter of importance() is constant over the units; "
                             "no indicator can explain it.")
        if np.ptp(x) == 0:
            values[col] = 0.0                         # E[y | x] is a constant: S_i = 0
        elif method == "pearson2":
            values[col] = float(np.corrcoef(x, y)[0, 1] ** 2)
        else:
            segs = n_segments or min(20, max(4, len(y) // 5))
            # S_i = V(E[y|x_i]) / V(y), Paruolo et al. (2013) eq. 3
            values[col] = float(np.var(_pspline_fit(x, y, segs)) / np.var(y))
    imp = pd.Series(values)
    total = imp.sum()
    share = imp / total if total > 0 else pd.Series(np.nan, index=imp.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = share / nominal
    return pd.DataFrame({"indicator": X.columns, "nominal": nominal.to_numpy(),
                         "importance": imp.to_numpy(), "share": share.to_numpy(),
                         "ratio": ratio.to_numpy()})


def _check_numeric_frame(X, func: str) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"{func}() takes a units × indicators DataFrame 'X'. Got "
                        f"{type(X).__name__} instead.")
    bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c].dtype)]
    if bad:
        raise TypeError(f"{func}() needs numeric indicator columns; {bad[:10]} are not. Convert "
                        f"them with pd.to_numeric first.")
    if X.columns.duplicated().any():
        raise ValueError(f"{func}() got duplicated columns "
                         f"{X.columns[X.columns.duplicated()].tolist()[:10]}.")
    return X


def _check_weights(weights, columns, func: str) -> pd.Series:
    w = pd.Series(weights, dtype=float) if isinstance(weights, Mapping) else weights
    if not isinstance(w, pd.Series):
        raise TypeError(f"The 'weights' parameter of {func}() must be a Series or mapping "
                        f"indicator -> weight. Got {type(weights).__name__} instead.")
    missing = [c for c in columns if c not in w.index]
    if missing:
        raise ValueError(f"The 'weights' parameter of {func}() has no weight for {missing[:10]}. "
                         f"Give a weight for every indicator.")
    w = w.reindex(columns).astype(float)
    bad = w[~np.isfinite(w) | (w < 0)]
    if len(bad):
        raise ValueError(f"The 'weights' parameter of {func}() must hold finite weights >= 0. Got "
                         f"{dict(bad.head(10))} instead.")
    if w.sum() <= 0:
        raise ValueError(f"The 'weights' parameter of {func}() sums to 0; give at least one "
                         f"positive weight.")
    if not np.isclose(w.sum(), 1.0):
        logger.info("%s(): weights summing to %.6g were rescaled to sum to 1.", func, w.sum())
    return w / w.sum()


# --------------------------------------------------------------------------------------------
# Effective weights
# --------------------------------------------------------------------------------------------

def _tree(weights) -> pd.DataFrame:
    """Validated parent, node, weight table; a Series is a one-level tree under 'index'."""
    if isinstance(weights, Mapping):
        weights = pd.Series(weights, dtype=float)
    if isinstance(weights, pd.Series):
        tree = pd.DataFrame({"parent": "index", "node": weights.index.astype(str),
                             "weight": weights.to_numpy(dtype=float)})
    elif isinstance(weights, pd.DataFrame):
        missing = [c for c in ("parent", "node", "weight") if c not in weights.columns]
        if missing:
            raise ValueError(f"The 'weights' parameter of effective_weights() as a DataFrame needs "
                             f"columns 'parent', 'node', 'weight' (as Assessment.weights); "
                             f"{missing} are missing.")
        tree = weights[["parent", "node", "weight"]].reset_index(drop=True)
    else:
        raise TypeError(f"The 'weights' parameter of effective_weights() must be a DataFrame "
                        f"(parent, node, weight) or a Series indicator -> weight. Got "
                        f"{type(weights).__name__} instead.")
    dup = tree["node"][tree["node"].duplicated()].tolist()
    if dup:
        raise ValueError(f"The 'weights' parameter of effective_weights() lists node(s) {dup[:10]} "
                         f"more than once; each node has one parent and one weight.")
    w = pd.to_numeric(tree["weight"], errors="coerce")
    bad = tree.loc[~np.isfinite(w) | (w < 0), "node"].tolist()
    if bad:
        raise ValueError(f"The 'weights' parameter of effective_weights() must hold finite "
                         f"weights >= 0; node(s) {bad[:10]} do not.")
    tree["weight"] = w.astype(float)
    roots = sorted(set(tree["parent"]) - set(tree["node"]))
    if len(roots) != 1:
        raise ValueError(f"The 'weights' parameter of effective_weights() must describe one tree "
                         f"with one root (a parent that is no node). Found roots {roots[:10]}.")
    sums = tree.groupby("parent", sort=False)["weight"].sum()
    if (sums <= 0).any():
        raise ValueError(f"The weights under parent(s) {sums.index[sums <= 0].tolist()[:10]} sum "
                         f"to 0 in effective_weights(); give each parent a positive weight sum.")
    return tree


def _effective_one(tree: pd.DataFrame, X: pd.DataFrame | None) -> pd.DataFrame:
    """Effective weights (and contributions over the units of X) of one validated tree."""
    tree = tree.copy()
    tree["nominal"] = tree["weight"] / tree.groupby("parent")["weight"].transform("sum")
    parent = dict(zip(tree["node"], tree["parent"]))
    nominal = dict(zip(tree["node"], tree["nominal"]))

    def path(node):
        out = []
        while node in parent:
            out.append(node)
            if len(out) > len(parent):
                raise ValueError(f"The 'weights' parameter of effective_weights() has a cycle "
                                 f"through {out[-3:]}.")
            node = parent[node]
        return out

    paths = {n: path(n) for n in tree["node"]}
    # COINr get_eff_weights: product of the within-parent normalised weights up to the root
    tree["effective"] = [float(np.prod([nominal[m] for m in paths[n]])) for n in tree["node"]]
    leaves = [n for n in tree["node"] if n not in set(tree["parent"])]
    level = dict.fromkeys(leaves, 1)
    for n in sorted(tree["node"], key=lambda n: -len(paths[n])):     # deepest first
        level.setdefault(n, 1)
        p = parent[n]
        if p in parent:
            level[p] = max(level.get(p, 1), level[n] + 1)
    tree["level"] = [level[n] for n in tree["node"]]
    cols = ["node", "parent", "level", "weight", "nominal", "effective"]
    if X is None:
        return tree[cols]

    lacking = [c for c in leaves if c not in X.columns]
    extra = [c for c in X.columns if c not in leaves]
    if lacking or extra:
        raise ValueError(f"The columns of X in effective_weights() must be the indicators (leaves) "
                         f"of 'weights': missing {lacking[:10]}, not in the tree {extra[:10]}.")
    eff = tree.set_index("node")["effective"]
    parts = X[leaves].mul(eff[leaves], axis=1)                       # eff_i · x_ui
    total = parts.sum(axis=1, min_count=1)
    usable = total > 0
    if not usable.all():
        logger.info("effective_weights(): %d unit(s) with a zero or missing total are left out "
                    "of the contribution shares.", int((~usable).sum()))
    share = parts[usable].div(total[usable], axis=0).fillna(0.0)
    mean_share = share.mean()
    contribution = {n: float(mean_share[[m for m in leaves if n in paths[m]]].sum())
                    for n in tree["node"]}
    tree["contribution"] = tree["node"].map(contribution)
    return tree[cols + ["contribution"]]


def effective_weights(X: pd.DataFrame | None, weights, *,
                      groups: pd.Series | None = None) -> pd.DataFrame:
    """Effective weight of every indicator and dimension at the index level.

    The effective weight is COINr's ``get_eff_weights`` (Becker et al. 2022, file
    ``R/weights.R``): weights are first rescaled to sum to 1 within each parent, then
    multiplied down the tree, so a node's effective weight is the product of the normalised
    weights on its path to the root. It reflects the weights *and* the number of siblings at
    every level, and sums to 1 over each level of a balanced tree. It depends on the weights
    only; the data enter through the optional ``contribution``.

    Parameters
    ----------
    X : DataFrame or None
        Units × indicators of normalised values (≥ 0, e.g. min-max on [0, 100]). When given,
        the column ``contribution`` is added: the mean over units of the share of the unit's
        index that each node contributes, ``eff_i·x_ui / Σ_j eff_j·x_uj`` (exact for arithmetic
        aggregation without missing values; a missing value contributes nothing to that unit).
    weights : DataFrame or Series
        The tree as ``parent, node, weight`` rows (``Assessment.weights``), or a Series
        indicator → weight for a one-level index. If the frame has a ``group`` column (weights
        fitted per peer group, ``"*"`` = all groups), each peer group's tree is its own rows
        plus the ``"*"`` rows.
    groups : Series, optional
        Peer group of each unit. Results are then given per peer group (column ``group``),
        with contributions over that group's units; needed with ``X`` when the weights differ
        by peer group.

    Returns
    -------
    DataFrame
        One row per node (root excluded; per peer group if weights or ``groups`` say so):
        ``[group,] node, parent, level, weight, nominal, effective`` and ``contribution`` if
        ``X`` is given. ``level`` is 1 for indicators and grows towards the root; ``nominal`` is
        the weight rescaled within its parent.

    References
    ----------
    Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. and Saisana, M. (2022).
    COINr: an R package for developing composite indicators. *JOSS* 7(78), 4567 (function
    ``get_eff_weights``, vignette "Weights", section "Effective weights").

    Examples
    --------
    >>> w = pd.DataFrame({"parent": ["index", "index", "eco", "eco", "soc"],
    ...                   "node": ["eco", "soc", "gdp", "jobs", "health"],
    ...                   "weight": [0.5, 0.5, 1, 1, 1]})
    >>> effective_weights(None, w)[["node", "level", "effective"]]
         node  level  effective
    0     eco      2       0.50
    1     soc      2       0.50
    2     gdp      1       0.25
    3    jobs      1       0.25
    4  health      1       0.50
    """
    if X is not None:
        X = _check_numeric_frame(X, "effective_weights")
        negative = [c for c in X.columns if (X[c] < 0).any()]
        if negative:
            raise ValueError(f"effective_weights() computes contribution shares of non-negative "
                             f"scores, but X has negative values in {negative[:10]}. Normalise "
                             f"with min-max (or goalposts) onto [0, 100] first.")
    per_group = (isinstance(weights, pd.DataFrame) and "group" in weights.columns
                 and weights["group"].ne("*").any())
    if not per_group and groups is None:
        return _effective_one(_tree(weights), X)

    if groups is not None:
        if not isinstance(groups, pd.Series):
            raise TypeError(f"The 'groups' parameter of effective_weights() must be a Series unit "
                            f"-> peer group. Got {type(groups).__name__} instead.")
        if X is not None:
            missing = X.index.difference(groups.dropna().index).tolist()
            if missing:
                raise ValueError(f"The 'groups' parameter of effective_weights() has no peer group "
                                 f"for {len(missing)} unit(s) of X: {missing[:10]}.")
            names = list(pd.unique(groups.reindex(X.index)))
        else:
            names = list(pd.unique(groups.dropna()))
    elif X is not None:
        raise ValueError("The weights passed to effective_weights() differ by peer group (column "
                         "'group'), so contributions need the units' peer groups: pass groups= "
                         "(e.g. ws.units.set_index('unit_id')['peer_group']).")
    else:
        names = [g for g in pd.unique(weights["group"]) if g != "*"]
    if per_group:
        base = weights["group"].str.split("/").str[0]  # "g/pattern": fitted per indicator set
        known = set(base) - {"*"}
        lacking = [g for g in names if g not in known]
        if lacking:
            raise ValueError(f"The weights passed to effective_weights() have no rows for peer "
                             f"group(s) {lacking[:10]}; their groups are {sorted(known)[:10]}.")
    out = []
    for g in names:
        rows = _group_rows(weights, base, g) if per_group else weights
        units = None if X is None else X[groups.reindex(X.index) == g]
        out.append(_effective_one(_tree(rows), units).assign(group=g))
    frame = pd.concat(out, ignore_index=True)
    return frame[["group", *[c for c in frame.columns if c != "group"]]]


def _group_rows(weights: pd.DataFrame, base: pd.Series, g: str) -> pd.DataFrame:
    """The weights that apply in peer group ``g``: the shared rows (``*``) and the group's own;
    weights fitted per indicator set (``g/<set>``) are averaged over the sets and rescaled to
    sum to 1 within each parent."""
    rows = weights[(weights["group"] == "*") | (base == g)]
    if not rows["group"].str.startswith(f"{g}/").any():
        return rows
    own = rows[rows["group"] != "*"]
    own = own.groupby(["parent", "node"], sort=False, as_index=False)["weight"].mean()
    own["weight"] = own["weight"] / own.groupby("parent")["weight"].transform("sum")
    return pd.concat([rows[rows["group"] == "*"], own], ignore_index=True)


# --------------------------------------------------------------------------------------------
# Internal consistency and correlation checks
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class CronbachAlpha:
    """Cronbach's alpha of a set of items (made by :func:`cronbach_alpha`).

    Attributes
    ----------
    alpha : float
        Cronbach's alpha of all items.
    frame : DataFrame
        One row per item: ``item, item_total_corr`` (corrected: with the sum of the *other*
        items) and ``alpha_if_deleted``.
    n_units, n_items : int
        Units (complete cases) and items used.
    standardised : bool
        Whether items were standardised (alpha on the correlation matrix).
    """

    alpha: float
    frame: pd.DataFrame
    n_units: int
    n_items: int
    standardised: bool

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of :attr:`frame`."""
        return self.frame.copy()

    def summary(self) -> str:
        """Plain-text summary."""
        kind = "standardised items" if self.standardised else "raw items"
        return (f"克朗巴哈系数 Cronbach's alpha = {self.alpha:.3f} ({self.n_items} {kind}, "
                f"{self.n_units} units)\n" + self.frame.round(3).to_string(index=False))

    def _repr_html_(self) -> str:
        return (f"<p><b>Cronbach's alpha</b> = {self.alpha:.3f} ({self.n_items} items, "
                f"{self.n_units} units)</p>" + self.frame.round(3).to_html(index=False))

    def plot(self, ax=None, labels: Mapping | None = None):
        """Bars of alpha if each item is deleted, with a line at the overall alpha."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(1.5 + 0.6 * self.n_items, 4.0))
        names = [str(labels.get(i, i)) if labels else str(i) for i in self.frame["item"]]
        ax.bar(names, self.frame["alpha_if_deleted"], color="C0")
        ax.axhline(self.alpha, color="C3", linestyle="--", label=f"α = {self.alpha:.2f}")
        ax.set_ylabel("删除该项后的 α  Alpha if deleted")
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
        ax.legend(fontsize=8)
        return ax


def _alpha(V: np.ndarray) -> float:
    """Cronbach (1951) alpha = k/(k−1) · (1 − Σ σ_i² / σ_total²) from an item covariance matrix."""
    k = V.shape[0]
    if k < 2:
        return np.nan
    return float(k / (k - 1) * (1 - np.trace(V) / V.sum()))


def cronbach_alpha(X: pd.DataFrame, standardised: bool = True, *,
                   missing: Literal["listwise", "pairwise"] = "listwise") -> CronbachAlpha:
    """Cronbach's alpha with corrected item–total correlations and alpha if an item is deleted.

    Parameters
    ----------
    X : DataFrame
        Units × items (indicators of one dimension, directions already aligned).
    standardised : bool, default True
        Alpha on standardised items (the correlation matrix), as the OECD/JRC Handbook's
        Table 11; equal to ``k r̄ / (1 + (k − 1) r̄)`` with r̄ the mean inter-item correlation.
        With False, alpha on the raw covariance matrix.
    missing : {"listwise", "pairwise"}, default "listwise"
        ``"listwise"``: units with a missing item are dropped, with a warning. ``"pairwise"``:
        each covariance (correlation) uses the units where both items are present (R's
        ``use = "pairwise.complete.obs"``, as COINr's ``get_cronbach``, which uses raw
        covariances: ``standardised=False``); ``n_units`` then counts units with any item.

    Returns
    -------
    CronbachAlpha

    Notes
    -----
    The corrected item–total correlation of item i is its correlation with the sum of the other
    (standardised) items; with ``missing="pairwise"`` it is computed from the pairwise matrix V
    as ``Σ_{j≠i} V_ij / sqrt(V_ii · Σ_{j,l≠i} V_jl)``.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika* 16(3), 297–334.

    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 3.3 and Table 11.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=200)
    >>> X = pd.DataFrame({f"x{i}": f + rng.normal(size=200) for i in range(4)})
    >>> round(cronbach_alpha(X).alpha, 2)
    0.76
    """
    X = _check_numeric_frame(X, "cronbach_alpha")
    if missing not in ("listwise", "pairwise"):
        raise ValueError(f"The 'missing' parameter of cronbach_alpha() must be one of "
                         f"{choices(['listwise', 'pairwise'])}. Got {missing!r} instead.")
    if X.shape[1] < 2:
        raise ValueError(f"cronbach_alpha() needs at least 2 items (columns). Got {X.shape[1]} "
                         f"instead.")
    if missing == "pairwise":
        return _cronbach_pairwise(X, bool(standardised))
    complete = X.dropna()
    if len(complete) < len(X):
        warnings.warn(f"cronbach_alpha(): {len(X) - len(complete)} of {len(X)} units have a "
                      f"missing item and were left out (listwise deletion).", UserWarning,
                      stacklevel=2)
    if len(complete) < 3:
        raise ValueError(f"cronbach_alpha() needs at least 3 units with every item present. Got "
                         f"{len(complete)} instead.")
    sd = complete.std(ddof=1)
    constant = sd.index[sd == 0].tolist()
    if constant:
        raise ValueError(f"cronbach_alpha(): item(s) {constant[:10]} are constant over the units "
                         f"and have no variance to share; drop them.")
    Z = (complete - complete.mean()) / sd if standardised else complete
    V = np.cov(Z.to_numpy(float), rowvar=False)
    k = X.shape[1]
    items = []
    for i, item in enumerate(X.columns):
        keep = [j for j in range(k) if j != i]
        rest = Z.iloc[:, keep].sum(axis=1)
        items.append({"item": item,
                      "item_total_corr": float(np.corrcoef(Z.iloc[:, i], rest)[0, 1]),
                      "alpha_if_deleted": _alpha(V[np.ix_(keep, keep)])})
    return CronbachAlpha(alpha=_alpha(V), frame=pd.DataFrame(items), n_units=len(complete),
                         n_items=k, standardised=bool(standardised))


def _cronbach_pairwise(X: pd.DataFrame, standardised: bool) -> CronbachAlpha:
    """cronbach_alpha(missing="pairwise"): alpha from the pairwise-complete matrix."""
    ok = X.notna().to_numpy(int)
    pairs = ok.T @ ok
    if pairs.min() < 3:
        i, j = np.unravel_index(pairs.argmin(), pairs.shape)
        raise ValueError(f"cronbach_alpha(missing='pairwise') needs at least 3 units with both "
                         f"items of every pair present; items {X.columns[i]!r} and "
                         f"{X.columns[j]!r} share {pairs.min()}.")
    sd = X.std(ddof=1)
    constant = sd.index[sd == 0].tolist()
    if constant:
        raise ValueError(f"cronbach_alpha(): item(s) {constant[:10]} are constant over the units "
                         f"and have no variance to share; drop them.")
    V = (X.corr() if standardised else X.cov()).to_numpy(float)
    k = X.shape[1]
    items = []
    for i, item in enumerate(X.columns):
        keep = [j for j in range(k) if j != i]
        rest = V[np.ix_(keep, keep)]
        items.append({"item": item,
                      "item_total_corr": float(V[i, keep].sum() / np.sqrt(V[i, i] * rest.sum())),
                      "alpha_if_deleted": _alpha(rest)})
    return CronbachAlpha(alpha=_alpha(V), frame=pd.DataFrame(items),
                         n_units=int(X.notna().any(axis=1).sum()), n_items=k,
                         standardised=standardised)


_FLAG_NOTES = {"collinear": "高度共线 collinear pair",
               "negative_pair": "负相关 negatively correlated pair",
               "negative_dimension": "与所属维度负相关 negatively correlated with its dimension",
               "weak_dimension": "与所属维度弱相关 weakly correlated with its dimension"}


def correlation_flags(
    X: pd.DataFrame,
    groups: pd.Series | Mapping,
    *,
    high: float = 0.9,
    low: float = 0.3,
    scores: pd.DataFrame | None = None,
    method: CorrMethod = "pearson",
) -> pd.DataFrame:
    """Flag indicator pairs and indicator–dimension correlations that deserve a look.

    Within each dimension: pairs with correlation ≥ ``high`` (``collinear``: double counting)
    or < 0 (``negative_pair``: a trade-off inside the dimension); and indicators whose
    correlation with their dimension is < 0 (``negative_dimension``) or < ``low``
    (``weak_dimension``: the indicator is barely reflected in the dimension).

    Parameters
    ----------
    X : DataFrame
        Units × indicators (normalised, directions aligned).
    groups : Series or mapping
        Dimension of each indicator (indicator → dimension code).
    high, low : float
        Thresholds (OECD/JRC Handbook 2008, section 3; COINr flags collinearity above 0.9).
    scores : DataFrame, optional
        Units × dimensions of dimension scores. By default an indicator is correlated with the
        mean of the *other* indicators of its dimension (so it is not correlated with itself);
        dimensions with fewer than 3 indicators are then skipped (with two, this is the pair's
        correlation again).
    method : {"pearson", "spearman", "kendall"}
        Correlation, on pairwise complete units.

    Returns
    -------
    DataFrame
        ``dimension, item_a, item_b, correlation, flag, note``; ``item_b`` is the dimension
        for indicator–dimension flags.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 3.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1, 2, 3, 4, 5.], "b": [1, 2, 3, 4, 5.1], "c": [5, 1, 4, 2, 3.]})
    >>> correlation_flags(X, {"a": "d", "b": "d", "c": "d"})[["item_a", "item_b", "flag"]]
      item_a item_b                flag
    0      a      b           collinear
    1      a      c       negative_pair
    2      b      c       negative_pair
    3      c      d  negative_dimension
    """
    X = _check_numeric_frame(X, "correlation_flags")
    if method not in CorrMethod.__args__:
        raise ValueError(f"The 'method' parameter of correlation_flags() must be one of "
                         f"{choices(CorrMethod.__args__)}. Got {method!r} instead.")
    if not -1 <= low <= high <= 1:
        raise ValueError(f"The 'low' and 'high' parameters of correlation_flags() must satisfy "
                         f"-1 <= low <= high <= 1. Got low={low!r}, high={high!r} instead.")
    g = pd.Series(groups) if isinstance(groups, Mapping) else groups
    if not isinstance(g, pd.Series):
        raise TypeError(f"The 'groups' parameter of correlation_flags() must be a Series or mapping "
                        f"indicator -> dimension. Got {type(groups).__name__} instead.")
    missing = [c for c in X.columns if c not in g.index or pd.isna(g.get(c))]
    if missing:
        raise ValueError(f"The 'groups' parameter of correlation_flags() has no dimension for "
                         f"{missing[:10]}. Give every indicator of X a dimension.")
    g = g.reindex(X.columns)
    if scores is not None:
        lacking = [d for d in pd.unique(g) if d not in scores.columns]
        if lacking:
            raise ValueError(f"The 'scores' parameter of correlation_flags() lacks dimension(s) "
                             f"{lacking[:10]}. Give a column per dimension.")
    R = X.corr(method=method)
    rows = []
    for dim in pd.unique(g):
        members = g.index[g == dim].tolist()
        for a, b in itertools.combinations(members, 2):
            r = R.loc[a, b]
            if r >= high:
                rows.append((dim, a, b, r, "collinear"))
            elif r < 0:
                rows.append((dim, a, b, r, "negative_pair"))
        for a in members:
            if scores is not None:
                d = scores[dim].reindex(X.index)
            elif len(members) > 2:
                d = X[[m for m in members if m != a]].mean(axis=1)
            else:
                continue
            r = X[a].corr(d, method=method)
            if r < 0:
                rows.append((dim, a, dim, r, "negative_dimension"))
            elif r < low:
                rows.append((dim, a, dim, r, "weak_dimension"))
    out = pd.DataFrame(rows, columns=["dimension", "item_a", "item_b", "correlation", "flag"])
    out["note"] = out["flag"].map(_FLAG_NOTES)
    return out
