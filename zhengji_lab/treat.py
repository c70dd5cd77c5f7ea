"""Data treatment before normalisation: imputation of missing values and outlier winsorisation.

Both functions return the treated table *and* a record of every cell they changed, so that an
assessment's log shows exactly what was imputed or capped (nothing is changed silently).

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, sections 3 (imputation) and 5
(outliers). Becker, W. et al. (2022). COINr: An R package for developing composite indicators.
JOSS 7(78), 4567 — ``Treat()``: winsorise one point at a time while |skewness| >= 2 and
kurtosis >= 3.5 and fewer than 5 distinct points are winsorised, else log-transform the column.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from zhengji_lab.errors import choices

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
                         f"{choices(ImputeMethod.__args__)}. Got {method!r} instead.")
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


#: What :func:`winsorise` does with a column still skewed after winsorising up to the limit.
TreatFallback = Literal["none", "log"]
#: Per-indicator outcome of :func:`winsorise` (column ``status`` of its details).
TREAT_STATUSES = ("passed", "winsorised", "log", "failing")
POINT_COLUMNS = ["unit_id", "indicator", "value", "treated", "step", "treatment"]
DETAIL_COLUMNS = ["indicator", "status", "skew_before", "kurtosis_before", "points", "units",
                  "skew_winsorised", "kurtosis_winsorised", "skew_after", "kurtosis_after"]


@dataclass(frozen=True, eq=False)
class Winsorised:
    """What :func:`winsorise` did.

    Attributes
    ----------
    table : DataFrame
        The treated units × indicators table (same index and columns as the input).
    points : DataFrame
        One row per changed cell: ``unit_id, indicator, value`` (before), ``treated`` (after),
        ``step`` (the step of the column's treatment that first changed the cell, 1 first;
        tied cells share a step; a log transform is one step) and ``treatment``: ``winhi`` /
        ``winlo`` (winsorised at the high / low end) or ``log`` (COINr's ``log_CT``).
    details : DataFrame
        One row per indicator (COINr's ``Dets_Table``): ``status`` — ``passed`` (no
        treatment needed, or fewer than 4 values, or no spread), ``winsorised`` (passes after
        winsorising), ``log`` (still failed after winsorising up to the limit, so the original
        column was log-transformed) or ``failing`` (still fails, no fallback);
        ``skew_before, kurtosis_before``; ``points`` (distinct winsorised points) and ``units``
        (their units; for ``log`` the winsorisation tried and discarded);
        ``skew_winsorised, kurtosis_winsorised`` (after winsorising, NaN when not tried);
        ``skew_after, kurtosis_after`` (of the column returned). Skewness and kurtosis are NaN
        for columns with fewer than 4 values or no spread.
    """

    table: pd.DataFrame
    points: pd.DataFrame
    details: pd.DataFrame

    def summary(self) -> dict:
        """Indicators per status, e.g. ``{'winsorised': ['gas', ...], 'log': [...]}``."""
        d = self.details
        return {s: d.loc[d["status"] == s, "indicator"].tolist() for s in TREAT_STATUSES
                if (d["status"] == s).any()}


def skew_kurtosis(v: np.ndarray) -> tuple[float, float]:
    """Bias-corrected sample skewness and excess kurtosis of the values ``v`` (no NaN).

    COINr's ``skew()`` / ``kurt()`` (``R/treat.R``, from ``e1071`` type 2; Excel's SKEW and
    KURT; ``scipy.stats.skew(bias=False)``, ``kurtosis(bias=False)``):
    ``G1 = g1·√(n(n−1))/(n−2)``, ``G2 = ((n+1)(r−3)+6)(n−1)/((n−2)(n−3))`` with
    ``g1 = √n·Σd³/(Σd²)^{3/2}``, ``r = n·Σd⁴/(Σd²)²``, ``d = v − mean(v)``. NaN without
    spread; the skewness needs 3 values and the kurtosis 4 (NaN otherwise). The values are summed in ascending order, so the result does not
    depend on the order of the units (a column at a threshold is judged the same whatever the
    row order).

    >>> [round(s, 6) for s in skew_kurtosis(np.array([1.0, 2, 3, 4, 10]))]
    [1.697056, 3.152]
    """
    n = len(v)
    if n < 3 or v.max() == v.min():
        return np.nan, np.nan
    v = np.sort(v)
    d = v - v.mean()
    with np.errstate(all="ignore"):  # a spread lost to underflow gives NaN, as no spread
        d2 = d * d
        m2 = d2.sum()
        g1 = np.sqrt(n) * (d2 * d).sum() / m2 ** 1.5
        r = n * (d2 * d2).sum() / m2 ** 2
    if not (np.isfinite(g1) and np.isfinite(r)):
        return np.nan, np.nan
    kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)) if n >= 4 else np.nan
    return float(g1 * np.sqrt(n * (n - 1)) / (n - 2)), float(kurt)


def _fails(sk: float, kt: float, skew: float, kurtosis: float) -> bool:
    # COINr's check_SkewKurt: Pass = |skew| < skew_thresh | kurt < kurt_thresh (NaN passes)
    return bool(abs(sk) >= skew and kt >= kurtosis)


def _winsorise_column(x: np.ndarray, skew: float, kurtosis: float, max_points: int):
    """COINr's ``winsorise()`` on one column (NaN kept): ``(x, nwin, changed, steps, sides)``.

    ``nwin`` is COINr's count of winsorised points; ``changed`` are the positions of the
    winsorised points in the order they were first changed, ``steps`` / ``sides`` the step
    that first changed each and its end (+1 high).
    """
    x = x.copy()
    ok = ~np.isnan(x)
    first: dict[int, tuple[int, int]] = {}
    last = {1: 0, -1: 0}   # points tied at each extreme in the latest step on that side
    step = 0
    while sum(last.values()) < max_points:
        v = x[ok]
        sk, kt = skew_kurtosis(v)
        if not _fails(sk, kt, skew, kurtosis):
            break
        side = 1 if sk >= 0 else -1          # COINr: skew(x) >= 0 → high outliers
        extreme = v.max() if side > 0 else v.min()
        worst = np.flatnonzero(ok & (x == extreme))
        inner = v[v != extreme]
        x[worst] = inner.max() if side > 0 else inner.min()
        step += 1
        for w in worst:
            first.setdefault(int(w), (step, side))
        # COINr: nwin <- length(imax) + length(imin); every earlier point of a side is tied
        # at its extreme, so this counts distinct winsorised points
        last[side] = len(worst)
    changed = np.array(list(first), dtype=int)
    steps = np.array([s for s, _ in first.values()], dtype=int)
    sides = np.array([e for _, e in first.values()], dtype=int)
    return x, sum(last.values()), changed, steps, sides


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr's ``log_CT``: ``log(x − min + 0.01·(max − min))`` (NaN kept).

    >>> np.round(log_ct(np.array([1.0, 2.0, np.nan, 101.0])), 4).tolist()
    [0.0, 0.6931, nan, 4.6151]
    """
    lo, hi = np.nanmin(x), np.nanmax(x)
    return np.log(x - lo + 0.01 * (hi - lo))


def winsorise(X: pd.DataFrame, *, skew: float = 2.0, kurtosis: float = 3.5,
              max_points: int = 5, fallback: TreatFallback = "none") -> Winsorised:
    """Treat outliers column by column, as COINr's ``Treat()`` with its defaults.

    A column *fails* when its absolute skewness is at least ``skew`` **and** its excess
    kurtosis at least ``kurtosis`` (COINr's ``check_SkewKurt``: it passes when
    ``|skew| < skew`` or ``kurtosis < kurtosis``). A failing column is winsorised one step at a
    time: the most extreme value on the side of the skew (high when the skew is >= 0; the side
    is decided again at each step) — every unit tied at it — takes the nearest other value
    (``x[imax] <- max(x[-imax])``). Steps go on while the column fails and the number of
    distinct winsorised points is below ``max_points``; a point winsorised again is still one
    point, and since tied points move together the count can pass ``max_points`` in the last
    step. If the column still fails, ``fallback='log'`` replaces it by the log transform of the
    *original* column, ``log(x − min + 0.01·(max − min))`` (COINr's ``log_CT``, applied whether
    or not the result passes); ``fallback='none'`` keeps the winsorised column, marked
    ``failing``.

    Columns with fewer than 4 values or no spread are left as they are (``passed``). Missing
    values stay missing and are ignored by the statistics.

    Parameters
    ----------
    X : DataFrame
        Units × indicators, numbers (NaN for missing).
    skew, kurtosis : float
        Thresholds of absolute skewness and excess kurtosis (COINr: 2 and 3.5).
    max_points : int
        Winsorisation goes on while fewer than this many distinct points are winsorised
        (COINr's ``winmax``, default 5); 0 winsorises nothing.
    fallback : {'none', 'log'}
        What to do with a column that still fails (COINr's default ``f2 = "log_CT"`` is
        ``'log'``).

    Returns
    -------
    Winsorised
        ``.table`` (the treated table), ``.points`` (one row per changed cell) and
        ``.details`` (one row per indicator: what was done, skewness and kurtosis before and
        after); see :class:`Winsorised`.

    References
    ----------
    Becker, W. et al. (2022). COINr: An R package for developing composite indicators. JOSS
    7(78), 4567; COINr 1.1.14, ``R/treat.R``: ``Treat.numeric()``, ``winsorise()``,
    ``check_SkewKurt()``, ``log_CT()``. OECD/JRC (2008). *Handbook on Constructing Composite
    Indicators*, step 5 (outliers).

    Examples
    --------
    >>> X = pd.DataFrame({"a": [float(i) for i in range(1, 21)] + [80.0, 200.0]})
    >>> res = winsorise(X, max_points=5)
    >>> res.table["a"].tolist()[-3:], res.summary(), int(res.details.at[0, "points"])
    ([20.0, 20.0, 20.0], {'winsorised': ['a']}, 2)
    """
    if not (isinstance(max_points, (int, np.integer)) and not isinstance(max_points, bool)
            and max_points >= 0):
        raise ValueError(f"The 'max_points' parameter of winsorise() must be an integer >= 0. "
                         f"Got {max_points!r} instead.")
    if fallback not in TreatFallback.__args__:
        raise ValueError(f"The 'fallback' parameter of winsorise() must be one of "
                         f"{choices(TreatFallback.__args__)}. Got {fallback!r} instead.")
    for name, value in (("skew", skew), ("kurtosis", kurtosis)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or np.isnan(value):
            raise ValueError(f"The {name!r} parameter of winsorise() must be a number. "
                             f"Got {value!r} instead.")
    out = X.copy()  # every column becomes float, treated or not
    points, details = [], []
    for col in X.columns:
        try:
            x0 = X[col].to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"winsorise(): indicator {col!r} holds values that are not "
                             f"numbers ({exc}); clean the values or leave the indicator out."
                             ) from exc
        ok = ~np.isnan(x0)
        sk0, kt0 = skew_kurtosis(x0[ok])
        row = {"indicator": col, "status": "passed", "skew_before": sk0, "kurtosis_before": kt0,
               "points": 0, "units": (), "skew_winsorised": np.nan,
               "kurtosis_winsorised": np.nan, "skew_after": sk0, "kurtosis_after": kt0}
        if _fails(sk0, kt0, skew, kurtosis):
            x1, nwin, changed, steps, sides = _winsorise_column(x0, skew, kurtosis,
                                                                int(max_points))
            sk1, kt1 = skew_kurtosis(x1[ok])
            row.update(points=nwin, units=tuple(X.index[changed]),
                       skew_winsorised=sk1, kurtosis_winsorised=kt1,
                       skew_after=sk1, kurtosis_after=kt1)
            if not _fails(sk1, kt1, skew, kurtosis):
                row["status"] = "winsorised"
            elif fallback == "none":
                row["status"] = "failing"
            else:
                row["status"] = "log"
                x1 = log_ct(x0)
                row["skew_after"], row["kurtosis_after"] = skew_kurtosis(x1[ok])
                changed = np.flatnonzero(ok)
                steps, sides = np.ones(len(changed), dtype=int), np.zeros(len(changed), int)
            labels = np.where(sides > 0, "winhi", np.where(sides < 0, "winlo", "log"))
            points += [(X.index[w], col, x0[w], x1[w], s, t)
                       for w, s, t in zip(changed, steps, labels)]
            x0 = x1
        out[col] = x0
        details.append(row)
    return Winsorised(out, pd.DataFrame(points, columns=POINT_COLUMNS),
                      pd.DataFrame(details, columns=DETAIL_COLUMNS))
