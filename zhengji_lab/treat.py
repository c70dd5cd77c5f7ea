"""Data treatment before normalisation: imputation of missing values and outlier winsorisation.

Both functions return the treated table *and* a record of every cell they changed, so that an
assessment's log shows exactly what was imputed or capped (nothing is changed silently).

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, sections 3 (imputation) and 5
(outliers). Becker, W. et al. (2022). COINr: An R package for developing composite indicators.
JOSS 7(78), 4567 — ``Treat()``: winsorise one point at a time while |skewness| > 2 and kurtosis
> 3.5, up to a maximum number of points.
"""
from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

ImputeMethod = Literal["none", "peer_mean", "peer_median", "previous_year"]


def impute(X: pd.DataFrame, *, method: ImputeMethod = "none", groups: pd.Series | None = None,
           history: pd.DataFrame | None = None, applicable: pd.DataFrame | None = None):
    """Fill missing values of a units × indicators table.

    Parameters
    ----------
    X : DataFrame
        Units × indicators for one year.
    method : {'none', 'peer_mean', 'peer_median', 'previous_year'}
        ``peer_mean`` / ``peer_median``: the mean / median of the unit's peer group that year;
        ``previous_year``: the unit's latest earlier value (from ``history``).
    groups : Series, optional
        Peer group per unit (required for the peer methods).
    history : DataFrame, optional
        Long values ``unit_id, year, indicator, value`` of earlier years (``previous_year``).
    applicable : DataFrame of bool, optional
        Cells that should hold a value; other cells (an indicator that does not apply to a unit's
        kind) are never filled.

    Returns
    -------
    (DataFrame, DataFrame)
        The filled table and one row per filled cell: ``unit_id, indicator, value, method``.
    """
    if method not in ImputeMethod.__args__:
        raise ValueError(f"The 'method' parameter of impute() must be one of "
                         f"{set(ImputeMethod.__args__)}. Got {method!r} instead.")
    need = X.isna() if applicable is None else X.isna() & applicable.reindex_like(X).fillna(False)
    filled = X.copy()
    if method == "none" or not need.to_numpy().any():
        return filled, pd.DataFrame(columns=["unit_id", "indicator", "value", "method"])
    if method in ("peer_mean", "peer_median"):
        if groups is None:
            raise ValueError(f"impute(method={method!r}) needs the units' peer groups.")
        how = "mean" if method == "peer_mean" else "median"
        fill = X.groupby(groups.reindex(X.index)).transform(how)
    else:
        if history is None:
            raise ValueError("impute(method='previous_year') needs the earlier years' values.")
        last = (history.dropna(subset=["value"]).sort_values("year")
                .groupby(["unit_id", "indicator"])["value"].last().unstack())
        fill = last.reindex(index=X.index, columns=X.columns)
    filled = filled.mask(need, fill)
    done = need & filled.notna()
    rows = [(u, c, filled.iat[u, c], method) for u, c in zip(*np.nonzero(done.to_numpy()))]
    log = pd.DataFrame([(X.index[u], X.columns[c], v, m) for u, c, v, m in rows],
                       columns=["unit_id", "indicator", "value", "method"])
    return filled, log


def winsorise(X: pd.DataFrame, *, skew: float = 2.0, kurtosis: float = 3.5,
              max_points: int = 5):
    """Winsorise outliers column by column, COINr style.

    While a column's absolute skewness exceeds ``skew`` *and* its excess kurtosis exceeds
    ``kurtosis``, the most extreme value on the side of the skew — every unit tied at it — is
    replaced by the nearest other value (COINr's ``winsorise()``, ``R/treat.R``:
    ``x[imax] <- max(x[-imax])``); at most ``max_points`` values per column (a step that would
    exceed the limit is not taken). Skewness and kurtosis are the bias-corrected sample
    statistics (``scipy.stats.skew(bias=False)``, ``kurtosis(fisher=True, bias=False)``), as in
    Excel's SKEW and KURT.

    Returns
    -------
    (DataFrame, DataFrame)
        The treated table and one row per changed cell: ``unit_id, indicator, value, treated,
        step`` (the step of the column's winsorisation, 1 first; tied cells share a step).
    """
    if not (isinstance(max_points, (int, np.integer)) and max_points >= 0):
        raise ValueError(f"The 'max_points' parameter of winsorise() must be an integer >= 0. "
                         f"Got {max_points!r} instead.")
    out = X.copy()
    changes = []
    for col in X.columns:
        x = out[col].to_numpy(dtype=float).copy()
        ok = ~np.isnan(x)
        done, step = 0, 0
        while done < max_points:
            v = x[ok]
            if len(v) < 4 or np.ptp(v) == 0:
                break
            sk = stats.skew(v, bias=False)
            if not (abs(sk) > skew and stats.kurtosis(v, fisher=True, bias=False) > kurtosis):
                break
            extreme = v.max() if sk > 0 else v.min()
            worst = np.flatnonzero(ok & (x == extreme))
            if done + len(worst) > max_points:
                break
            inner = v[v != extreme]
            new = inner.max() if sk > 0 else inner.min()
            step += 1
            changes += [(X.index[w], col, x[w], new, step) for w in worst]
            x[worst] = new
            done += len(worst)
        out[col] = x
    return out, pd.DataFrame(changes, columns=["unit_id", "indicator", "value", "treated", "step"])
