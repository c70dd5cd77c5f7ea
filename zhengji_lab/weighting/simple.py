"""Weights that need no data: equal, fixed (expert-given) and budget allocation (BAP).

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
section 6.1 ("Budget allocation process") and Table 22. OECD Publishing.
doi:10.1787/9789264043466-en
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from zhengji_lab.weighting._common import as_weights, check_choice, logger, named


def equal(X_or_codes) -> pd.Series:
    """Equal weights ``1/m`` for the ``m`` indicators.

    Parameters
    ----------
    X_or_codes : DataFrame, Series or sequence of str
        A units × indicators table (its columns are used), a Series (its index is used) or
        the indicator codes themselves.

    Returns
    -------
    Series
        Weights indexed by indicator code, summing to 1.

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> zl.weighting.equal(["gdp", "jobs", "air"]).round(3).to_dict()
    {'gdp': 0.333, 'jobs': 0.333, 'air': 0.333}
    """
    if isinstance(X_or_codes, pd.DataFrame):
        codes = list(X_or_codes.columns)
    elif isinstance(X_or_codes, pd.Series):
        codes = list(X_or_codes.index)
    elif isinstance(X_or_codes, (Sequence, pd.Index, np.ndarray)) and not isinstance(X_or_codes,
                                                                                    str):
        codes = list(X_or_codes)
    else:
        raise TypeError("The 'X_or_codes' parameter of equal() must be a DataFrame, a Series or a "
                        f"sequence of indicator codes. Got {type(X_or_codes).__name__} instead.")
    if not codes:
        raise ValueError("The 'X_or_codes' parameter of equal() names no indicator.")
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise ValueError(f"The 'X_or_codes' parameter of equal() repeats {named(dup)}. "
                         f"Name each indicator once.")
    return as_weights(np.ones(len(codes)), codes, "equal")


def fixed(values: Mapping) -> pd.Series:
    """Weights given by an expert or a scheme, rescaled to sum to 1.

    Parameters
    ----------
    values : Mapping or Series
        ``{code: weight}``; weights must be finite and ≥ 0 with a positive total. When they do
        not sum to 1 (e.g. points out of 100) they are rescaled and the rescaling is logged
        (as COINr does).

    Returns
    -------
    Series
        Weights indexed by indicator code, summing to 1.

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> zl.weighting.fixed({"economy": 30, "ecology": 50, "party": 20}).to_dict()
    {'economy': 0.3, 'ecology': 0.5, 'party': 0.2}
    """
    if not isinstance(values, (Mapping, pd.Series)):
        raise TypeError("The 'values' parameter of fixed() must be a mapping or Series "
                        f"{{code: weight}}. Got {type(values).__name__} instead.")
    s = pd.Series(dict(values) if isinstance(values, Mapping) else values, dtype=object)
    if s.empty:
        raise ValueError("The 'values' parameter of fixed() names no indicator.")
    if not s.index.is_unique:
        raise ValueError(f"The 'values' parameter of fixed() repeats "
                         f"{named(s.index[s.index.duplicated()].unique())}.")
    notnum = [k for k, v in s.items() if isinstance(v, bool)
              or not isinstance(v, (int, float, np.number))]
    if notnum:
        raise TypeError(f"The 'values' parameter of fixed() must hold numbers; "
                        f"{named(notnum)} are not numbers.")
    w = s.astype(float)
    bad = w.index[~np.isfinite(w.to_numpy())]
    if len(bad):
        raise ValueError(f"The 'values' parameter of fixed() has missing or infinite weights for "
                         f"{named(bad)}. Give every indicator a number.")
    neg = w[w < 0]
    if len(neg):
        raise ValueError(f"The 'values' parameter of fixed() must hold weights >= 0. Got "
                         f"{neg.head(10).to_dict()} instead.")
    total = float(w.sum())
    if total <= 0:
        raise ValueError("The 'values' parameter of fixed() must have a positive total; all "
                         "weights are 0.")
    if not np.isclose(total, 1.0, rtol=0, atol=1e-9):
        logger.info("fixed(): weights summed to %g; rescaled to sum to 1.", total)
    return as_weights(w.to_numpy(), w.index, "fixed")


def budget(allocations: pd.DataFrame, *, how: Literal["mean", "median"] = "mean",
           total: float = 100) -> pd.Series:
    """Budget allocation (BAP): experts share ``total`` points among the nodes.

    Each expert's row must add up to ``total``. The weights are the mean (or median) points
    per node, divided by their sum (for the mean this is just ``mean / total``; medians need
    the renormalisation, which is logged).

    Parameters
    ----------
    allocations : DataFrame
        Experts (rows) × nodes (columns) of points ≥ 0.
    how : {"mean", "median"}
        How experts' points are combined; the Handbook's Table 22 uses the mean.
    total : float
        The budget every expert distributes (100 by default).

    Returns
    -------
    Series
        Weights indexed by node code, summing to 1.

    References
    ----------
    Moldan, B. & Billharz, S. (1997). *Sustainability Indicators*. Wiley. (budget allocation)
    OECD/JRC (2008), Handbook, section 6.1 and Table 22.

    Examples
    --------
    >>> import pandas as pd, zhengji_lab as zl
    >>> pts = pd.DataFrame({"a": [50, 30], "b": [30, 50], "c": [20, 20]}, index=["li", "wang"])
    >>> zl.weighting.budget(pts).to_dict()
    {'a': 0.4, 'b': 0.4, 'c': 0.2}
    """
    check_choice(how, ("mean", "median"), "how", "budget")
    if isinstance(total, bool) or not isinstance(total, (int, float)) or not total > 0:
        raise ValueError(f"The 'total' parameter of budget() must be a number > 0. Got "
                         f"{total!r} instead.")
    if not isinstance(allocations, pd.DataFrame):
        raise TypeError("The 'allocations' parameter of budget() must be a DataFrame of experts "
                        f"(rows) × nodes (columns). Got {type(allocations).__name__} instead.")
    if allocations.empty:
        raise ValueError("The 'allocations' parameter of budget() has no expert or no node.")
    bad = [c for c in allocations.columns if not pd.api.types.is_numeric_dtype(allocations[c])]
    if bad:
        raise TypeError(f"The 'allocations' parameter of budget() must hold numbers; columns "
                        f"{named(bad)} are not numeric.")
    P = allocations.to_numpy(dtype=float)
    experts = allocations.index
    blank = ~np.isfinite(P)
    if blank.any():
        who = [f"{e!r} ({named(allocations.columns[blank[i]])})"
               for i, e in enumerate(experts) if blank[i].any()]
        raise ValueError(f"Budget allocations are missing for expert(s) {', '.join(who[:10])}. "
                         f"Every expert must give points (0 allowed) to every node.")
    if (P < 0).any():
        who = [repr(e) for i, e in enumerate(experts) if (P[i] < 0).any()]
        raise ValueError(f"Budget allocations must be >= 0; expert(s) {', '.join(who[:10])} gave "
                         f"negative points.")
    sums = P.sum(axis=1)
    off = ~np.isclose(sums, total, rtol=0, atol=1e-6 * total)
    if off.any():
        who = [f"{e!r} (sum {s:g})" for e, s, o in zip(experts, sums, off) if o]
        raise ValueError(f"Each expert's budget must add up to total={total:g}; "
                         f"{', '.join(who[:10])} do not. Correct the points or the 'total'.")
    agg = P.mean(axis=0) if how == "mean" else np.median(P, axis=0)
    if how == "median":
        if agg.sum() == 0:
            raise ValueError("budget(how='median'): the median points are 0 for every node, so "
                             "the experts disagree completely; use how='mean'.")
        logger.info("budget(): median points summed to %g of %g; rescaled to sum to 1.",
                    agg.sum(), total)
    return as_weights(agg, allocations.columns, "budget")
