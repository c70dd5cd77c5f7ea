"""Statistics of each indicator with flags for low data, zeros, few distinct values and
outliers: :func:`indicator_stats`, COINr's ``get_stats``.

References
----------
Becker et al. (2022), COINr ``get_stats``; Joanes and Gill (1998). Full references in
:mod:`zhengji_lab.stats`.
"""
from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from zhengji_lab.pipeline import Assessment
from zhengji_lab.stats._common import (
    applicable_mask,
    check_choice,
    check_share,
    numeric_frame,
    signif,
    stage_frame,
)
from zhengji_lab.treat import skew_kurtosis

Style = Literal["tidy", "coinr"]

#: indicator_stats() columns → COINr ``get_stats`` names.
COINR_STATS_COLUMNS: dict[str, str] = {
    "min": "Min", "max": "Max", "mean": "Mean", "median": "Median", "sd": "Std", "skew": "Skew",
    "kurtosis": "Kurt", "n_available": "N.Avail", "n_nonzero": "N.NonZero",
    "n_unique": "N.Unique", "n_same": "N.Same", "share_available": "Frc.Avail",
    "share_nonzero": "Frc.NonZero", "share_unique": "Frc.Unique", "share_same": "Frc.Same",
    "flag_available": "Flag.Avail", "flag_nonzero": "Flag.NonZero", "flag_unique": "Flag.Unique",
    "flag_skew_kurtosis": "Flag.SkewKurt"}


def _column_stats(v: np.ndarray, n: int) -> dict:
    m = v.size
    if not m:
        return {"n_available": 0, "n_nonzero": 0, "n_unique": 0, "n_same": 0,
                "share_available": 0.0 if n else np.nan, "n_units": n}
    skew, kurt = skew_kurtosis(v)
    nz, nu = int((v != 0).sum()), int(np.unique(v).size)
    same = int(pd.Series([f"{x:.15g}" for x in v]).value_counts().max())   # R's table()
    return {"min": v.min(), "max": v.max(), "mean": v.mean(), "median": np.median(v),
            "sd": v.std(ddof=1) if m > 1 else np.nan, "skew": skew, "kurtosis": kurt,
            "n_available": m, "n_nonzero": nz, "n_unique": nu, "n_same": same,
            "share_available": m / n if n else np.nan, "share_nonzero": nz / m,
            "share_unique": nu / m, "share_same": same / m, "n_units": n}


def indicator_stats(data, stage: str = "treated", *, t_skew: float = 2.0, t_kurt: float = 3.5,
                    t_avail: float = 0.65, t_zero: float = 0.5, t_unique: float = 0.5,
                    style: Style = "tidy", nsignif: int | None = None) -> pd.DataFrame:
    """Statistics of each indicator, with flags for low data, many zeros, few distinct values
    and outliers (COINr's ``get_stats``).

    Parameters
    ----------
    data : Assessment or DataFrame
        An assessment (its ``stage``; ignored for a DataFrame) or a units × indicators table.
    stage : str, default "treated"
    t_skew, t_kurt : float, default 2 and 3.5
        Outlier flag: ``|skew| > t_skew`` **and** ``kurtosis > t_kurt`` (COINr's defaults).
    t_avail, t_zero, t_unique : float, default 0.65, 0.5, 0.5
        Flags for shares of available, non-zero, distinct values below these (COINr's).
    style : {"tidy", "coinr"}
        ``"tidy"``: the columns below, indexed by indicator. ``"coinr"``: COINr's table, column
        ``iCode`` then the names of :data:`COINR_STATS_COLUMNS`, flags ``"ok"``, ``"LOW"``,
        ``"OUT"``, numbers to ``nsignif`` significant digits (3 by default, as COINr's).
    nsignif : int, optional
        Significant digits to round numbers to (R's ``signif``).

    Returns
    -------
    DataFrame
        One row per indicator (index ``indicator``): ``min, max, mean, median, sd`` (sample,
        n − 1), ``skew`` (bias-corrected G1), ``kurtosis`` (bias-corrected *excess* G2);
        ``n_available`` (non-missing), ``n_nonzero``, ``n_unique`` (distinct values), ``n_same``
        (count of the most frequent value); ``share_available`` (of the units the indicator
        applies to), ``share_nonzero``, ``share_unique``, ``share_same`` (of the available
        values); ``flag_available``, ``flag_nonzero``, ``flag_unique``, ``flag_skew_kurtosis``
        (True = flagged); ``n_units`` (units the indicator applies to).

    Notes
    -----
    As COINr's: the zero and unique flags compare counts with *all* units (``n_nonzero /
    n_units < t_zero``) while the shares divide by the available values, and values equal to
    15 significant digits are the same value in ``n_same`` (R's ``table``). Skewness needs 3
    values and kurtosis 4, else NaN (and no outlier flag). With an assessment, units to which
    an indicator does not apply (kinds, individualized targets) are not in ``n_units``.

    References
    ----------
    Becker et al. (2022), COINr ``get_stats``; Joanes and Gill (1998).

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, 2, 3, 4, 100], "b": [0.0, 0, 1, np.nan, 2]})
    >>> s = indicator_stats(X).reset_index()
    >>> s[["indicator", "n_available", "n_nonzero", "n_same", "skew", "flag_nonzero"]].round(3)
      indicator  n_available  n_nonzero  n_same   skew  flag_nonzero
    0         a            5          5       1  2.232         False
    1         b            4          2       2  0.855          True
    """
    func = "indicator_stats"
    check_choice(style, Style.__args__, "style", func)
    for name, t in (("t_avail", t_avail), ("t_zero", t_zero), ("t_unique", t_unique)):
        check_share(t, name, func)
    if isinstance(data, Assessment):
        X = stage_frame(data, stage, func)
        n_units = applicable_mask(data, X).sum()
    else:
        X = numeric_frame(data, func)
        n_units = pd.Series(len(X), index=X.columns)
    rows = {c: _column_stats(X[c].dropna().to_numpy(float), int(n_units[c])) for c in X.columns}
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(
        columns=[*COINR_STATS_COLUMNS, "n_units"]).rename_axis("indicator")
    n = out["n_units"].where(out["n_units"] > 0)
    out["flag_available"] = out["n_available"] / n < t_avail
    out["flag_nonzero"] = out["n_nonzero"] / n < t_zero
    out["flag_unique"] = out["n_unique"] / n < t_unique
    out["flag_skew_kurtosis"] = (out["skew"].abs() > t_skew) & (out["kurtosis"] > t_kurt)
    if style == "coinr":
        nsignif = 3 if nsignif is None else nsignif
        undefined = out["skew"].isna() | out["kurtosis"].isna()
        flags = {"flag_available": "LOW", "flag_nonzero": "LOW", "flag_unique": "LOW",
                 "flag_skew_kurtosis": "OUT"}
        out = out.drop(columns="n_units").astype(dict.fromkeys(flags, object))
        for c, word in flags.items():
            out[c] = out[c].map({True: word, False: "ok"})
        out.loc[undefined, "flag_skew_kurtosis"] = None
        out = out.rename(columns=COINR_STATS_COLUMNS).rename_axis("iCode").reset_index()
    if nsignif is not None:
        for c in [c for c in out.columns if out[c].dtype.kind == "f"]:
            out[c] = signif(out[c], nsignif)
    return out

