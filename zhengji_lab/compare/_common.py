"""Input checks shared by the modules of :mod:`zhengji_lab.compare`.

* :func:`check_numeric_frame`: a units × indicators DataFrame of numbers, without duplicated
  columns;
* :func:`check_weights`: nominal weights per indicator, finite, ≥ 0, rescaled to sum to 1.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)


def check_numeric_frame(X, func: str) -> pd.DataFrame:
    """``X`` itself if it is a DataFrame of numeric columns without duplicates (``func`` names
    the caller in the error messages)."""
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


def check_weights(weights, columns, func: str) -> pd.Series:
    """Weights of ``columns`` as a Series summing to 1; extra entries are ignored."""
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

