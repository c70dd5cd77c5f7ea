"""Test functions with known Sobol indices (as SALib ships ``SALib.test_functions``).

* :func:`linear`: ``Y = Σ a_i X_i`` with independent inputs of equal variance has
  ``S_i = ST_i = a_i² / Σ a_j²`` (the model is additive, so first-order and total indices agree).
* :func:`ishigami`: ``Y = sin X1 + a sin² X2 + b X3⁴ sin X1``, ``X_i ~ U(−π, π)``, with the
  closed-form indices of :func:`ishigami_indices` (Ishigami & Homma 1990; Sobol' & Levitan 1999);
  for ``a = 7, b = 0.1``: ``S = (0.3139, 0.4424, 0)``, ``ST = (0.5576, 0.4424, 0.2437)``.

References
----------
Ishigami, T., Homma, T. (1990). An importance quantification technique in uncertainty analysis
for computer models. Proceedings of ISUMA '90, 398–403. doi:10.1109/ISUMA.1990.151285

Sobol', I. M., Levitan, Y. L. (1999). On the use of variance reducing multipliers in Monte Carlo
computations of a global sensitivity index. Computer Physics Communications 117(1–2), 52–61.
doi:10.1016/S0010-4655(98)00156-8

Saltelli, A. et al. (2008). *Global Sensitivity Analysis: The Primer*, section 4.9. Wiley.
doi:10.1002/9780470725184
"""
from __future__ import annotations

import numpy as np

#: Bounds of every Ishigami input.
ISHIGAMI_BOUNDS = (-np.pi, np.pi)


def linear(X, a) -> np.ndarray:
    """``Y = Σ a_i X_i`` for the rows of ``X``.

    Examples
    --------
    >>> linear(np.array([[1.0, 2.0]]), [3.0, 4.0]).tolist()
    [11.0]
    """
    a = np.asarray(a, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != a.size:
        raise ValueError(f"The 'X' parameter of linear() must have one column per coefficient "
                         f"({a.size}). Got shape {X.shape} instead.")
    return X @ a


def linear_indices(a) -> np.ndarray:
    """First-order (= total) indices of :func:`linear` with iid inputs: ``a_i² / Σ a_j²``.

    >>> linear_indices([1.0, 2.0, 2.0]).round(4).tolist()
    [0.1111, 0.4444, 0.4444]
    """
    a2 = np.asarray(a, dtype=float) ** 2
    return a2 / a2.sum()


def ishigami(X, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami function of the rows of ``X`` (three columns on ``[−π, π]``).

    >>> ishigami(np.array([[np.pi / 2, np.pi / 2, 1.0]])).round(6).tolist()
    [8.1]
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 3:
        raise ValueError(f"The 'X' parameter of ishigami() must have 3 columns. Got shape "
                         f"{X.shape} instead.")
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Analytic ``(S1, ST)`` of :func:`ishigami` (Sobol' & Levitan 1999, eq. 19).

    ``V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2``, ``V1 = (1 + bπ⁴/5)²/2``, ``V2 = a²/8``, ``V3 = 0``,
    ``V13 = 8b²π⁸/225``; ``ST1 = (V1 + V13)/V``, ``ST2 = V2/V``, ``ST3 = V13/V``.

    >>> S1, ST = ishigami_indices()
    >>> S1.round(4).tolist(), ST.round(4).tolist()
    ([0.3139, 0.4424, 0.0], [0.5576, 0.4424, 0.2437])
    """
    pi4 = np.pi ** 4
    V = a ** 2 / 8 + b * pi4 / 5 + b ** 2 * pi4 ** 2 / 18 + 0.5
    V1, V2, V13 = 0.5 * (1 + b * pi4 / 5) ** 2, a ** 2 / 8, 8 * b ** 2 * pi4 ** 2 / 225
    return np.array([V1, V2, 0.0]) / V, np.array([V1 + V13, V2, V13]) / V
