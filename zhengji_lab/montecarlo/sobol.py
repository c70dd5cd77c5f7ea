"""First-order and total Sobol indices from a Saltelli design, vectorised over many outputs.

The design is SALib's (:func:`SALib.sample.sobol.sample` with ``calc_second_order=False``): for
each of ``N`` base rows the block ``A, AB_1, …, AB_D, B`` of ``D + 2`` model runs, where ``AB_j``
is ``A`` with the columns of input (group) ``j`` taken from ``B``. The estimators are the ones
SALib 1.6 uses (``SALib.analyze.sobol``), applied to every output column at once:

* outputs are first standardised, ``Y ← (Y − mean Y) / sd Y`` over all runs (as SALib does);
* first order, Saltelli et al. (2010), Table 2 (b):
  ``S_j = mean(f(B) (f(AB_j) − f(A))) / V``;
* total order, Jansen (1999), Saltelli et al. (2010), Table 2 (f):
  ``ST_j = mean((f(A) − f(AB_j))²) / 2V``;
* ``V`` is the (population) variance of ``f(A)`` and ``f(B)`` together;
* confidence intervals: ``z_{(1+level)/2}`` × the standard deviation of the estimates over
  ``num_resamples`` bootstrap resamples of the ``N`` base rows (Archer et al. 1997).

With the same design, outputs and integer ``seed`` the point estimates and the intervals equal
SALib's (``tests/test_sensitivity_sobol.py`` checks it), but many outputs (every unit's rank) are
analysed in one pass instead of one call per output.

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S. (2010). Variance
based sensitivity analysis of model output. Design and estimator for the total sensitivity index.
Computer Physics Communications 181(2), 259–270. doi:10.1016/j.cpc.2009.09.018

Jansen, M. J. W. (1999). Analysis of variance designs for model output. Computer Physics
Communications 117(1–2), 35–43. doi:10.1016/S0010-4655(98)00154-4

Archer, G. E. B., Saltelli, A., Sobol, I. M. (1997). Sensitivity measures, ANOVA-like techniques
and the use of bootstrap. Journal of Statistical Computation and Simulation 58(2), 99–120.
doi:10.1080/00949659708811825

Herman, J., Usher, W. (2017). SALib: An open-source Python library for sensitivity analysis.
Journal of Open Source Software 2(9), 97. doi:10.21105/joss.00097
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

_EPS = np.finfo(float).eps


@dataclass(frozen=True, eq=False)
class SobolEstimates:
    """Sobol indices of ``m`` outputs with respect to ``D`` inputs (arrays of shape ``(D, m)``)."""

    S1: np.ndarray
    S1_conf: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray


def split_blocks(Y: np.ndarray, n_inputs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``A`` (N, m), ``B`` (N, m) and ``AB`` (N, D, m) from outputs in SALib's row order."""
    step = n_inputs + 2
    N = Y.shape[0] // step
    blocks = Y.reshape(N, step, Y.shape[1])
    return blocks[:, 0, :], blocks[:, -1, :], blocks[:, 1:-1, :]


def _indices(A: np.ndarray, B: np.ndarray, AB: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S1 and ST (shape ``(D, ...)``) from blocks whose first axis is the base rows."""
    y = np.concatenate([A, B], axis=0)
    var = np.var(y, axis=0)
    ok = var > _EPS
    # Saltelli et al. (2010), Table 2 (b): V_j = mean(f(B) (f(A_B^j) - f(A)))
    v1 = np.mean(B[:, None] * (AB - A[:, None]), axis=0)
    # Jansen (1999); Saltelli et al. (2010), Table 2 (f): VT_j = mean((f(A) - f(A_B^j))^2) / 2
    vt = 0.5 * np.mean((A[:, None] - AB) ** 2, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, v1 / var, 0.0), np.where(ok, vt / var, 0.0)


def sobol_indices(Y, n_inputs: int, *, num_resamples: int = 100, conf_level: float = 0.95,
                  seed: int | np.random.Generator | None = None,
                  max_cells: int = 4_000_000) -> SobolEstimates:
    """First-order and total Sobol indices of every output column, with bootstrap intervals.

    Parameters
    ----------
    Y : array of shape (N·(D+2),) or (N·(D+2), m)
        Model outputs in the row order of SALib's Saltelli design without second order.
    n_inputs : int
        ``D``, the number of inputs (or groups of inputs).
    num_resamples : int
        Bootstrap resamples of the base rows for the confidence intervals.
    conf_level : float
        Confidence level of the intervals, in (0, 1).
    seed : int, Generator or None
        Seeds the bootstrap (an integer gives SALib's resamples for the same ``seed``).
    max_cells : int
        Bound on the size of the bootstrap arrays; outputs are processed in slices below it.

    Returns
    -------
    SobolEstimates
        Arrays of shape ``(D, m)`` (``(D,)`` for a 1-d ``Y``). Outputs with no variance get 0,
        as in SALib.

    Examples
    --------
    >>> from SALib.sample import sobol as sobol_sample
    >>> from zhengji_lab.montecarlo import test_functions as tf
    >>> problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    >>> X = sobol_sample.sample(problem, 1024, calc_second_order=False, seed=1)
    >>> est = sobol_indices(tf.ishigami(X), 3, seed=1)
    >>> np.round(est.S1, 1).tolist(), np.round(est.ST, 1).tolist()
    ([0.3, 0.4, 0.0], [0.6, 0.4, 0.2])
    """
    if not (isinstance(n_inputs, (int, np.integer)) and n_inputs >= 1):
        raise ValueError(f"The 'n_inputs' parameter of sobol_indices() must be an integer >= 1. "
                         f"Got {n_inputs!r} instead.")
    if not 0 < conf_level < 1:
        raise ValueError(f"The 'conf_level' parameter of sobol_indices() must be in (0, 1). Got "
                         f"{conf_level!r} instead.")
    if not (isinstance(num_resamples, (int, np.integer)) and num_resamples >= 2):
        raise ValueError(f"The 'num_resamples' parameter of sobol_indices() must be an integer "
                         f">= 2. Got {num_resamples!r} instead.")
    Y = np.asarray(Y, dtype=float)
    flat = Y.ndim == 1
    Y = Y[:, None] if flat else Y
    step = n_inputs + 2
    if Y.ndim != 2 or Y.shape[0] == 0 or Y.shape[0] % step:
        raise ValueError(f"The 'Y' parameter of sobol_indices() must have N·(D+2) rows for "
                         f"D={n_inputs} inputs (SALib's design without second order). Got "
                         f"{Y.shape[0]} rows instead.")
    N = Y.shape[0] // step
    # standardise every output over all runs, as SALib.analyze.sobol does
    with np.errstate(invalid="ignore", divide="ignore"):
        Z = (Y - Y.mean(axis=0)) / Y.std(axis=0)
    A, B, AB = split_blocks(Z, n_inputs)
    undefined = np.isnan(Y).any(axis=0)
    if undefined.any():
        warnings.warn(f"{int(undefined.sum())} of {Y.shape[1]} outputs have missing values; "
                      "their indices are NaN.", UserWarning, stacklevel=2)
    const = ~(np.ptp(np.concatenate([A, B]), axis=0) > _EPS) & ~undefined
    if const.any():
        warnings.warn(f"{int(const.sum())} of {Y.shape[1]} outputs are constant across the "
                      "design; their indices are set to 0.", UserWarning, stacklevel=2)
    S1, ST = _indices(A, B, AB)
    S1[:, const], ST[:, const] = 0.0, 0.0
    S1[:, undefined], ST[:, undefined] = np.nan, np.nan

    r = np.random.default_rng(seed).integers(N, size=(N, num_resamples))
    z = norm.ppf(0.5 + conf_level / 2)
    S1_conf, ST_conf = np.zeros_like(S1), np.zeros_like(ST)
    width = max(1, int(max_cells // max(1, N * num_resamples * (n_inputs + 2))))
    for lo in range(0, Y.shape[1], width):
        sl = slice(lo, lo + width)
        Ar, Br, ABr = A[r, sl], B[r, sl], AB[r, :, sl]  # (N, R, ...): resampled base rows
        s1, st = _indices(Ar, Br, ABr.transpose(0, 2, 1, 3))
        spread = np.ptp(np.concatenate([Ar, Br]), axis=(0, 1)) > _EPS
        S1_conf[:, sl] = np.where(spread, z * s1.std(axis=1, ddof=1), 0.0)
        ST_conf[:, sl] = np.where(spread, z * st.std(axis=1, ddof=1), 0.0)
    S1_conf[:, undefined], ST_conf[:, undefined] = np.nan, np.nan
    if flat:
        S1, S1_conf, ST, ST_conf = (a[:, 0] for a in (S1, S1_conf, ST, ST_conf))
    return SobolEstimates(S1, S1_conf, ST, ST_conf)
