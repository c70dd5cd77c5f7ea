"""Validation shared by the weighting methods.

Every public weighting function validates its inputs once here (names the parameter, the
offending columns or rows and the fix, in the sklearn-like wording of ``STYLE.md`` 2.6) and then
computes on plain float arrays, so the methods stay cheap inside Monte Carlo loops.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

logger = logging.getLogger("zhengji_lab.weighting")

#: At most this many offenders are named in an error message.
MAX_NAMED = 10


def named(items) -> str:
    """``'a', 'b', … (and 3 more)`` for error messages."""
    items = list(items)
    head = ", ".join(repr(i) for i in items[:MAX_NAMED])
    return head + (f" (and {len(items) - MAX_NAMED} more)" if len(items) > MAX_NAMED else "")


def check_choice(value, options, param: str, func: str) -> None:
    """Raise the standard error when ``value`` is not one of ``options``."""
    if value not in options:
        raise ValueError(f"The {param!r} parameter of {func}() must be one of "
                         f"{{{', '.join(repr(o) for o in options)}}}. Got {value!r} instead.")


def as_table(X, func: str, *, dropna: bool = False, min_units: int = 2,
             param: str = "X") -> tuple[np.ndarray, pd.Index, pd.Index]:
    """Validate a units × indicators table and return ``(values, units, codes)``.

    Parameters
    ----------
    X : DataFrame
        Rows are units, columns indicator codes; every column numeric.
    func : str
        Name of the calling function, for messages.
    dropna : bool
        If False (default) a missing value raises, naming the columns that have them; if True
        the units (rows) with any missing value are dropped and a warning is logged naming them.
    min_units : int
        Fewest units the method needs (after dropping).
    """
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"The {param!r} parameter of {func}() must be a pandas DataFrame "
                        f"(units × indicators). Got {type(X).__name__} instead.")
    if X.shape[1] == 0:
        raise ValueError(f"The {param!r} parameter of {func}() has no indicator columns.")
    if not X.columns.is_unique:
        dup = X.columns[X.columns.duplicated()].unique()
        raise ValueError(f"The {param!r} parameter of {func}() has duplicated indicator "
                         f"columns {named(dup)}. Give each indicator one column.")
    if not X.index.is_unique:
        dup = X.index[X.index.duplicated()].unique()
        raise ValueError(f"The {param!r} parameter of {func}() has duplicated units (rows) "
                         f"{named(dup)}. Give each unit one row.")
    bad = [c for c, dt in X.dtypes.items()
           if not (pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt))]
    if bad:
        raise TypeError(f"The {param!r} parameter of {func}() must hold numbers only; columns "
                        f"{named(bad)} are not numeric. Convert or drop them.")
    A = np.array(X.to_numpy(dtype=float), dtype=float, copy=True)  # never write into X
    units, codes = X.index, X.columns
    if np.isinf(A).any():
        cols = codes[np.isinf(A).any(axis=0)]
        raise ValueError(f"The {param!r} parameter of {func}() has infinite values in columns "
                         f"{named(cols)}. Replace them before weighting.")
    missing = np.isnan(A)
    if missing.any():
        if not dropna:
            cols = codes[missing.any(axis=0)]
            raise ValueError(f"The {param!r} parameter of {func}() has missing values in columns "
                             f"{named(cols)}. Impute them first, or pass dropna=True to drop the "
                             f"units that have them.")
        rows = missing.any(axis=1)
        logger.warning("%s(): dropped %d unit(s) with missing values: %s", func, rows.sum(),
                       named(units[rows]))
        A, units = A[~rows], units[~rows]
    if A.shape[0] < min_units:
        raise ValueError(f"{func}() needs at least {min_units} units with complete data; "
                         f"got {A.shape[0]}.")
    return A, units, codes


def canonical_rows(A: np.ndarray) -> np.ndarray:
    """The rows of ``A`` in a canonical order: by decreasing row sum, ties by the values.

    Methods whose numerics can amplify rounding (an iterative optimiser, a varimax, an LP with
    several optimal vertices) compute on this order, so that the same units given in another
    order produce bit-identical weights. Strong units first also speeds up HiGHS on BoD's
    constraint matrix (about 2× on 1,000 units against a lexicographic order).
    """
    return A[np.lexsort(np.vstack([A.T[::-1], -A.sum(axis=1)]))]


def as_directions(directions, codes: pd.Index, func: str) -> np.ndarray:
    """Directions (+1 higher is better, -1 lower is better) aligned to ``codes``.

    ``None`` means +1 for every indicator; a Mapping or Series is matched by code; a plain
    sequence is taken in column order.
    """
    if directions is None:
        return np.ones(len(codes))
    if isinstance(directions, (Mapping, pd.Series)):
        d = pd.Series(directions, dtype=object)
        lacking = [c for c in codes if c not in d.index]
        if lacking:
            raise ValueError(f"The 'directions' parameter of {func}() has no direction for "
                             f"{named(lacking)}. Give +1 or -1 for every indicator.")
        values = d.reindex(codes).to_list()
    elif isinstance(directions, (Sequence, np.ndarray)) and not isinstance(directions, str):
        values = list(directions)
        if len(values) != len(codes):
            raise ValueError(f"The 'directions' parameter of {func}() has {len(values)} entries "
                             f"for {len(codes)} indicators. Give one +1 or -1 per column.")
    else:
        raise TypeError(f"The 'directions' parameter of {func}() must be a Series or mapping "
                        f"code -> +1/-1, a sequence, or None. Got {type(directions).__name__}.")
    bad = {c: v for c, v in zip(codes, values)
           if isinstance(v, bool) or not (isinstance(v, (int, float, np.number)) and v in (1, -1))}
    if bad:
        shown = dict(list(bad.items())[:MAX_NAMED])
        raise ValueError(f"The 'directions' parameter of {func}() must hold +1 or -1. Got "
                         f"{shown} instead.")
    return np.asarray(values, dtype=float)


def minmax(A: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Direction-aware min-max rescaling of each column onto [0, 1].

    ``(x - min) / (max - min)`` for ``d = +1`` and ``(max - x) / (max - min)`` for ``d = -1``.
    Returns the rescaled array and a boolean mask of constant columns, which are set to 0.
    """
    lo, hi = A.min(axis=0), A.max(axis=0)
    rng = hi - lo
    constant = rng == 0
    safe = np.where(constant, 1.0, rng)
    Z = np.where(d > 0, A - lo, hi - A) / safe
    Z[:, constant] = 0.0
    return Z, constant


def as_weights(w: np.ndarray, codes, func: str) -> pd.Series:
    """Final check of computed weights: finite, non-negative, summing to one."""
    w = np.asarray(w, dtype=float)
    total = w.sum()
    if not (np.isfinite(w).all() and (w >= 0).all() and total > 0):
        # A bug guard, not input validation: every method must end here with valid weights.
        raise ArithmeticError(f"{func}() computed invalid weights {w!r}; please report this.")
    return pd.Series(w / total, index=pd.Index(codes, name="indicator"), name="weight")


def log_dropped_constant(func: str, codes, constant: np.ndarray) -> None:
    """Log the indicators that get weight 0 because they do not vary."""
    if constant.any():
        logger.info("%s(): constant indicator(s) %s get weight 0 (no variation).", func,
                    named(pd.Index(codes)[constant]))
