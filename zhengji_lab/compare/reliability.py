"""Reliability and correlation diagnostics of the indicators within their dimensions.

* :func:`cronbach_alpha`: internal consistency of a dimension's indicators (Cronbach's alpha,
  corrected item–total correlations, alpha if an item is deleted), as a :class:`CronbachAlpha`;
* :func:`correlation_flags`: indicator pairs and indicator–dimension correlations that deserve
  a look (collinear, negative or weak).

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
*Psychometrika* 16(3), 297–334.

OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
section 3. OECD Publishing. doi:10.1787/9789264043466-en
"""
from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from zhengji_lab._result import ResultMixin
from zhengji_lab.compare._common import check_numeric_frame
from zhengji_lab.errors import choices
from zhengji_lab.labels import FLAG_NOTES

CorrMethod = Literal["pearson", "spearman", "kendall"]


@dataclass(frozen=True, eq=False, repr=False)
class CronbachAlpha(ResultMixin):
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


def _check_variance(sd: pd.Series) -> None:
    """Raise if an item (standard deviation ``sd``) is constant over the units."""
    constant = sd.index[sd == 0].tolist()
    if constant:
        raise ValueError(f"cronbach_alpha(): item(s) {constant[:10]} are constant over the units "
                         f"and have no variance to share; drop them.")


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
    X = check_numeric_frame(X, "cronbach_alpha")
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
    _check_variance(sd)
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
    _check_variance(sd)
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
    X = check_numeric_frame(X, "correlation_flags")
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
    out["note"] = out["flag"].map(FLAG_NOTES)
    return out
