"""Helpers shared by the agreement statistics of :mod:`zhengji_lab.panel`.

* :func:`as_matrix`: raters × items data (a DataFrame or 2-D array) checked and turned into a
  float array with its row and column labels;
* :class:`Statistic`: the result class of a statistic (``float()``, a one-row ``frame``);
* :func:`fmt_p`: a p-value as the summaries print it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from zhengji_lab._result import ResultMixin
from zhengji_lab.weighting._common import named


def as_matrix(data, *, param: str, caller: str, rows: str, cols: str,
              allow_missing: bool = False, min_rows: int = 2, min_cols: int = 2
              ) -> tuple[np.ndarray, pd.Index, pd.Index]:
    """Raters × items data as a float array plus row and column labels, checked."""
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, (pd.Series, str, bytes)) or np.ndim(data) != 2:
        raise TypeError(f"The {param!r} parameter of {caller}() must be a 2-D array or DataFrame "
                        f"with {rows} as rows and {cols} as columns. Got "
                        f"{type(data).__name__} with {np.ndim(data)} dimension(s) instead.")
    else:
        frame = pd.DataFrame(np.asarray(data))
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
            or pd.api.types.is_bool_dtype(frame[c])]
    if text:
        raise TypeError(f"The {param!r} parameter of {caller}() must hold numbers. Columns "
                        f"{named(text)} are not numeric; convert them first.")
    X = frame.to_numpy(dtype=float)
    if X.shape[0] < min_rows or X.shape[1] < min_cols:
        raise ValueError(f"The {param!r} parameter of {caller}() needs at least {min_rows} {rows} "
                         f"(rows) and {min_cols} {cols} (columns). Got shape {X.shape} instead.")
    if np.isinf(X).any():
        raise ValueError(f"The {param!r} parameter of {caller}() holds infinite values.")
    if not allow_missing and np.isnan(X).any():
        bad = frame.index[np.isnan(X).any(axis=1)]
        raise ValueError(f"The {param!r} parameter of {caller}() has missing values for {rows} "
                         f"{named(bad)}. Complete them or drop those {rows}.")
    return X, frame.index, frame.columns


def fmt_p(p: float) -> str:
    """``p = 0.0123``, or ``p < 0.0001``."""
    return "p < 0.0001" if p < 1e-4 else f"p = {p:.4f}"



class Statistic(ResultMixin):
    """An agreement statistic: ``float(result)`` is its estimate, ``frame`` one row of it.

    Subclasses (frozen dataclasses) name the field holding the estimate in ``_estimate`` and
    the fields of the one-row frame in ``_columns``.
    """

    _estimate: str = ""
    _columns: tuple[str, ...] = ()

    def __float__(self) -> float:
        return float(getattr(self, self._estimate))

    @property
    def frame(self) -> pd.DataFrame:
        """One row: the fields named in ``_columns``, in that order."""
        return pd.DataFrame([{name: getattr(self, name) for name in self._columns}])
