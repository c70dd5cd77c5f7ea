"""Numpy kernels of the linear difference-in-differences estimators and their inference.

Every estimator of :func:`~zhengji_lab.effects.adoption_effect` is linear in the outcome: an
estimate is :math:`\\hat\\theta = c^\\top y`, and its cluster-robust score in cluster :math:`g` is
:math:`s_g = (S y)_g` with a :math:`G \\times n` matrix :math:`S`, so that the CRV1 variance is
:math:`\\kappa \\sum_g s_g^2` for a small-sample factor :math:`\\kappa`. This module builds
``c`` and ``S`` for

* two-way fixed effects with any regressors ``X`` and linear combinations ``W`` of their
  coefficients (static TWFE, cohort-specific TWFE, the dynamic TWFE event study, and Sun &
  Abraham's saturated regression aggregated), by the within transformation (Frisch-Waugh-Lovell:
  projection off the unit and year dummies);
* Gardner's two-stage estimator: unit and year effects fitted on the untreated cells, the
  effect of a group of cells the mean residual over it, with the GMM scores of Gardner (2021)
  and Butts & Gardner's ``did2s``.

On top of that representation the wild cluster restricted bootstrap (WCR) is the "fast and wild"
algorithm of Roodman et al. (2019): every bootstrap t statistic is a ratio of an affine function of
the weights to the norm of another, for all draws at once, and the confidence interval is found by
inverting the test over the null value with the same draws. Randomization inference and its
inversion under a constant additive effect (Imbens & Rubin 2015, ch. 5) reuse the same estimates.

The kernels are checked against pyfixest, statsmodels and wildboottest in
``tests/test_effects_adoption.py``; the point estimates and standard errors reported to users
come from pyfixest.

References
----------
Cameron, A. C., Gelbach, J. B., Miller, D. L. (2008). Bootstrap-based improvements for inference
with clustered errors. *Review of Economics and Statistics* 90(3), 414-427.
Gardner, J. (2021). Two-stage differences in differences. Working paper, arXiv:2207.05943.
Imbens, G. W., Rubin, D. B. (2015). *Causal Inference for Statistics, Social, and Biomedical
Sciences*. Cambridge University Press, ch. 5 (Fisher exact p-values, intervals by inversion).
MacKinnon, J. G. (2015). Wild cluster bootstrap confidence intervals. *L'Actualité économique*
91(1-2), 11-33.
MacKinnon, J. G., Webb, M. D. (2017). Wild bootstrap inference for wildly different cluster
sizes. *Journal of Applied Econometrics* 32(2), 233-254.
Roodman, D., MacKinnon, J. G., Nielsen, M. Ø., Webb, M. D. (2019). Fast and wild: bootstrap
inference in Stata using boottest. *Stata Journal* 19(1), 4-60.
Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors. *Canadian
Journal of Economics* 56(3), 839-858 (the six-point distribution; working paper 2014).
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Relative tolerance under which two test statistics count as tied.
TIE = 1e-9
#: The six points of Webb's distribution, each drawn with probability 1/6.
WEBB_POINTS = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0,
                        math.sqrt(1.5)])


@dataclass(frozen=True)
class LinearRow:
    """One linear estimate and what its wild bootstrap needs.

    Attributes
    ----------
    c : ndarray (n,)
        The estimate is ``c @ y``.
    S : ndarray (G, n)
        Cluster scores ``S @ y``; the CRV1 variance is ``kappa * sum((S @ y) ** 2)``.
    u0 : ndarray (n,)
        Residuals of the model restricted to an effect of 0.
    d : ndarray (n,)
        Restricted residuals under the null value ``theta`` are ``u0 - theta * d``
        (``c @ d == 1``).
    """

    c: np.ndarray
    S: np.ndarray
    u0: np.ndarray
    d: np.ndarray


# -- fixed effects ------------------------------------------------------------------------------

def fe_dummies(unit: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Unit dummies and year dummies but the first: the design of two-way fixed effects.

    ``unit`` and ``year`` are integer codes ``0 .. U-1`` and ``0 .. T-1``.
    """
    n_units, n_years = int(unit.max()) + 1, int(year.max()) + 1
    F = np.zeros((len(unit), n_units + n_years - 1))
    F[np.arange(len(unit)), unit] = 1.0
    later = year > 0
    F[np.flatnonzero(later), n_units + year[later] - 1] = 1.0
    return F


def orth_basis(F: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the column space of ``F`` (SVD; rank-deficient designs allowed)."""
    u, s, _ = np.linalg.svd(F, full_matrices=False)
    rank = int(np.sum(s > s.max() * max(F.shape) * np.finfo(float).eps)) if s.size else 0
    return u[:, :rank]


def within(Q: np.ndarray, A: np.ndarray) -> np.ndarray:
    """The two-way within transformation: ``A`` less its projection on the fixed effects.

    ``Q`` is :func:`orth_basis` of :func:`fe_dummies`; for a balanced panel this is
    :math:`a_{it} - \\bar a_{i\\cdot} - \\bar a_{\\cdot t} + \\bar a_{\\cdot\\cdot}`.
    """
    return A - Q @ (Q.T @ A)


def ols_fe(Y: np.ndarray, X: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Coefficients of ``X`` in regressions of each column of ``Y`` on ``X`` and the fixed
    effects (Frisch-Waugh-Lovell); ``(k, m)`` for ``Y`` of shape ``(n, m)``."""
    Xt = within(Q, X)
    return np.linalg.lstsq(Xt, within(Q, Y), rcond=None)[0]


def first_stage(Y: np.ndarray, untreated: np.ndarray, F: np.ndarray) -> np.ndarray:
    """Gardner's first stage: ``Y`` less unit and year effects fitted on the untreated cells.

    Returns the residuals of every cell, ``(n, m)``; on treated cells they are the imputed
    effects :math:`y_{it} - \\hat\\alpha_i - \\hat\\lambda_t`.
    """
    coef = np.linalg.lstsq(F[untreated], Y[untreated], rcond=None)[0]
    return Y - F @ coef


def one_hot(cluster: np.ndarray) -> np.ndarray:
    """``(n, G)`` indicators of the cluster codes ``0 .. G-1``."""
    Z = np.zeros((len(cluster), int(cluster.max()) + 1))
    Z[np.arange(len(cluster)), cluster] = 1.0
    return Z


# -- the linear representation -----------------------------------------------------------------

def ols_rows(X: np.ndarray, W: np.ndarray, y: np.ndarray, Q: np.ndarray,
             cluster: np.ndarray) -> tuple[np.ndarray, list[LinearRow]]:
    """Linear combinations ``W @ beta`` of the coefficients of ``X`` in ``y ~ X | unit + year``.

    Parameters
    ----------
    X : ndarray (n, k)
    W : ndarray (r, k)
        One row per estimate (the identity for the coefficients themselves).
    y : ndarray (n,)
    Q : ndarray
        :func:`orth_basis` of the fixed-effects design.
    cluster : ndarray (n,) of int

    Returns
    -------
    estimates : ndarray (r,)
    rows : list of LinearRow
        With ``S = Z' diag(c) M_X`` (the CRV1 score of :math:`w^\\top\\hat\\beta`, by
        Frisch-Waugh-Lovell) and restricted residuals of the least squares fit under
        :math:`w^\\top\\beta = \\theta`: ``u0 - theta d`` with
        :math:`d = \\tilde X (\\tilde X^\\top\\tilde X)^{-1} w / w^\\top(\\tilde X^\\top\\tilde X)^{-1}w`.
    """
    Xt = within(Q, X)
    XtXi = np.linalg.pinv(Xt.T @ Xt)
    B = XtXi @ Xt.T                                      # (k, n): beta = B y
    C = W @ B
    Mx = -Xt @ B                                         # M_X = I - QQ' - Xt B
    Mx -= Q @ Q.T
    Mx[np.diag_indices_from(Mx)] += 1.0
    resid = Mx @ y
    Zt = one_hot(cluster).T
    rows = []
    for c, w in zip(C, W):
        q = w @ XtXi @ w
        d = Xt @ (XtXi @ w) / q
        rows.append(LinearRow(c=c, S=(Zt * c) @ Mx, u0=resid + (c @ y) * d, d=d))
    return C @ y, rows


def did2s_rows(groups: np.ndarray, untreated: np.ndarray, y: np.ndarray, F: np.ndarray,
               cluster: np.ndarray) -> tuple[np.ndarray, list[LinearRow]]:
    """Gardner's two-stage estimates: the mean first-stage residual over each group of cells.

    Parameters
    ----------
    groups : ndarray (r, n) of bool
        The cells of each estimate: treated cells (all of them for the ATT, a cohort's, an event
        time's) or, for pre-trend coefficients, untreated cells at a lead.
    untreated : ndarray (n,) of bool
        Cells of the first stage.
    y, F, cluster
        Outcome, :func:`fe_dummies`, cluster codes.

    Returns
    -------
    estimates : ndarray (r,)
    rows : list of LinearRow
        Scores are those of Gardner's GMM variance (pyfixest's ``_did2s_vcov``, Butts & Gardner's
        R ``did2s``): :math:`s_g = n_r^{-1}[\\sum_{i\\in g} g_{ri}\\,\\hat e_i - V_r
        \\sum_{i \\in g, D_i=0} x_{1i}\\hat u_i]` with first-stage residuals :math:`\\hat u`,
        second-stage residuals :math:`\\hat e` and :math:`V_r = g_r^\\top X_1
        (X_{10}^\\top X_{10})^{-1}`. The restricted model of a post-adoption group keeps the
        first stage and sets the group's effect to the null value (its cells' residuals are
        :math:`\\hat u_i - \\theta`); that of a lead scales the group's indicator so that the
        estimate equals the null value.
    """
    n = len(y)
    Fu = F[untreated]
    pinv_u = np.linalg.pinv(Fu)                           # (p, n_u)
    M1 = np.eye(n)
    M1[:, untreated] -= F @ pinv_u                        # first-stage residual operator
    first_u = M1 @ y
    FuFu_inv = pinv_u @ pinv_u.T                          # (Fu'Fu)^+
    Z = one_hot(cluster)
    rows, estimates = [], []
    for g in np.asarray(groups, dtype=float):
        n_r = g.sum()
        c = (g @ M1) / n_r
        h = untreated * (F @ (FuFu_inv @ (F.T @ g)))
        S = ((Z.T * (g - h)) @ M1 - np.outer(Z.T @ g, c)) / n_r
        rows.append(LinearRow(c=c, S=S, u0=first_u, d=g / (c @ g)))
        estimates.append(c @ y)
    return np.array(estimates), rows


def crv_se(row: LinearRow, y: np.ndarray, kappa: float = 1.0) -> float:
    """Cluster-robust standard error ``sqrt(kappa * sum_g s_g^2)`` of ``row`` (CRV1 when
    ``kappa = (N-1)/(N-K) * G/(G-1)``)."""
    s = row.S @ y
    return float(math.sqrt(kappa * (s @ s)))


def twfe_weights(D: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """de Chaisemartin & D'Haultfœuille's weights of static TWFE on the treated cells.

    :math:`\\hat\\beta_{fe} = \\sum_{D_{it}=1} w_{it} y_{it}` plus terms that vanish under
    parallel trends, with :math:`w_{it} = \\tilde D_{it} / \\sum_{D=1}\\tilde D` and
    :math:`\\tilde D` the residual of :math:`D` on unit and year effects (their Theorem 1);
    returns ``w`` for every cell (0 where untreated); it sums to 1 over treated cells.
    """
    Dt = within(Q, D)
    treated = D > 0
    return np.where(treated, Dt / Dt[treated].sum(), 0.0)


# -- the wild cluster restricted bootstrap ------------------------------------------------------

def wild_weights(n_clusters: int, n_boot: int, kind: str,
                 rng: np.random.Generator) -> tuple[np.ndarray, str, bool]:
    """Bootstrap weights ``(B, G)``, the distribution used and whether they are enumerated.

    ``kind="auto"``: every one of the :math:`2^G` Rademacher sign vectors when
    :math:`2^G \\le` ``n_boot`` (the exact bootstrap distribution), else Webb's six-point
    distribution, which has :math:`6^G` distinct draws where Rademacher has only :math:`2^G`
    (Webb 2023; MacKinnon & Webb 2017). ``"rademacher"`` enumerates as well when it can.
    """
    if kind in ("auto", "rademacher") and 2 ** n_clusters <= n_boot:
        v = np.array(list(itertools.product([-1.0, 1.0], repeat=n_clusters)))
        return v, "rademacher", True
    if kind == "rademacher":
        return rng.choice([-1.0, 1.0], size=(n_boot, n_clusters)), "rademacher", False
    return rng.choice(WEBB_POINTS, size=(n_boot, n_clusters)), "webb", False


def wild_test(row: LinearRow, y: np.ndarray, cluster: np.ndarray,
              v: np.ndarray) -> Callable[[float], tuple[float, float, np.ndarray]]:
    """The WCR test of :math:`H_0: c^\\top E y = \\theta` as a function of :math:`\\theta`.

    Roodman et al. (2019): with restricted fit :math:`\\tilde\\mu` and residuals
    :math:`\\tilde u(\\theta) = u_0 - \\theta d`, the bootstrap sample :math:`y^*_b = \\tilde\\mu +
    v_{bg}\\tilde u` gives :math:`c^\\top y^*_b - \\theta = m + v_b^\\top w` with
    :math:`w_h = \\sum_{i \\in h} c_i\\tilde u_i`, and scores :math:`S y^*_b = l + K v_b` with
    :math:`K_{gh} = \\sum_{i\\in h} S_{gi}\\tilde u_i`. Everything is affine in :math:`\\theta`,
    so each evaluation costs :math:`O(BG)` after an :math:`O(BG^2)` set-up. The small-sample
    factor cancels from the comparison of t statistics. The p-value is the share of
    :math:`|t^*_b| \\ge |t|`, ties within :data:`TIE` counted: under full enumeration the sign
    vectors :math:`\\pm 1` reproduce :math:`|t|` exactly, so the smallest p-value is
    :math:`2/2^G`, as for the exact randomization distribution (wildboottest compares strictly
    and counts these two draws or not as floating-point rounding falls).

    Returns
    -------
    callable
        ``theta -> (p_value, t, t_star)``.
    """
    Z = one_hot(cluster)
    c, S, u0, d = row.c, row.S, row.u0, row.d
    est, score = c @ y, S @ y
    se = math.sqrt(score @ score)
    mu0 = y - u0                                          # restricted fit at theta = 0 ...
    m0, m1 = c @ mu0, c @ d - 1.0                         # ... moves by theta * d
    l0, l1 = S @ mu0, S @ d
    w0, w1 = Z.T @ (c * u0), Z.T @ (c * d)
    K0, K1 = (S * u0) @ Z, (S * d) @ Z
    N0, N1 = m0 + v @ w0, m1 - v @ w1                     # numerator: N0 + theta N1
    E0, E1 = l0 + v @ K0.T, l1 - v @ K1.T                 # scores: E0 + theta E1

    def test(theta: float) -> tuple[float, float, np.ndarray]:
        t = (est - theta) / se
        t_star = (N0 + theta * N1) / np.sqrt(np.sum((E0 + theta * E1) ** 2, axis=1))
        p = float(np.mean(np.abs(t_star) >= abs(t) * (1 - TIE)))
        return p, t, t_star

    return test


def ols_restricted_resid(X: np.ndarray, R: np.ndarray, y: np.ndarray,
                         Q: np.ndarray) -> np.ndarray:
    """Residuals of ``y ~ X | unit + year`` restricted to :math:`R\\beta = 0` (restricted least
    squares: :math:`\\tilde u = \\hat u + \\tilde X A R^\\top (R A R^\\top)^{+} R\\hat\\beta`,
    :math:`A = (\\tilde X^\\top \\tilde X)^{-1}`)."""
    Xt = within(Q, X)
    A = np.linalg.pinv(Xt.T @ Xt)
    yt = within(Q, y)
    b = A @ (Xt.T @ yt)
    return yt - Xt @ b + Xt @ (A @ R.T @ np.linalg.pinv(R @ A @ R.T) @ (R @ b))


def wild_joint(rows: list[LinearRow], u: np.ndarray, y: np.ndarray, cluster: np.ndarray,
               v: np.ndarray) -> tuple[float, np.ndarray]:
    """The WCR bootstrap of a joint test that every row's estimate is 0.

    The statistic is the mean squared t statistic :math:`T = q^{-1}\\sum_r b_r^2 / V_{rr}` with
    cluster-robust variances :math:`V_{rr} = \\sum_g s_{rg}^2`; it does not invert the
    covariance matrix, whose off-diagonal terms are poorly estimated from 10-20 clusters (with
    them, the F-referred Wald test rejected a true null in over half of the sample cities; see
    ``benchmarks/bench_effects_size.py``). Bootstrap samples :math:`y^*_b = (y - \\tilde u) +
    v_{bg}\\tilde u` from the residuals ``u`` of the model restricted to all rows being 0 give
    :math:`T^*_b` computed the same way (the small-sample factor cancels); the p-value is the
    share of :math:`T^*_b \\ge T` (Cameron, Gelbach & Miller 2008; Roodman et al. 2019).

    Returns
    -------
    T : float
    T_star : ndarray (B,)
    """
    Z = one_hot(cluster)
    C = np.array([r.c for r in rows])                       # (q, n)
    S = np.array([r.S for r in rows])                       # (q, G, n)
    b, s = C @ y, S @ y
    T = float(np.mean(b ** 2 / np.sum(s ** 2, axis=1)))
    mu = y - u
    m, l = C @ mu, S @ mu                                   # zero when u is restricted
    w = (C * u) @ Z                                         # (q, G)
    K = np.einsum("rgn,nh->rgh", S * u, Z)                  # (q, G, G)
    b_star = m[None, :] + v @ w.T                           # (B, q)
    s_star = l[None] + np.einsum("rgh,bh->brg", K, v)       # (B, q, G)
    return T, np.mean(b_star ** 2 / np.sum(s_star ** 2, axis=2), axis=1)


# -- randomization inference -------------------------------------------------------------------

def permutation_test(a: np.ndarray, b: np.ndarray, estimate: float,
                     k: float) -> Callable[[float], float]:
    """Randomization p-value of the sharp null of a constant additive effect :math:`\\theta`.

    Under :math:`y_{it}(1) - y_{it}(0) = \\theta` on every treated cell, the outcome a permuted
    schedule :math:`D^p` would have produced is :math:`y - \\theta D + \\theta D^p`; for an
    estimator linear in :math:`y` whose estimate of :math:`\\theta D^p` under :math:`D^p` is
    :math:`\\theta k` (1 after adoption, 0 at a lead) the statistic
    :math:`|\\hat\\theta^p - \\theta k|` is :math:`|a_p - \\theta b_p|` with
    :math:`a_p = c_p^\\top y` and :math:`b_p = c_p^\\top D` (Imbens & Rubin 2015, ch. 5).

    Parameters
    ----------
    a, b : ndarray (P,)
        :math:`c_p^\\top y` and :math:`c_p^\\top D` for each permuted schedule (NaN = the
        estimate is not defined under that schedule; left out).
    estimate : float
        The observed estimate :math:`c^\\top y`.
    k : float
        :math:`c^\\top D` of the observed schedule (1 or 0).

    Returns
    -------
    callable
        ``theta -> p``, with :math:`p = (1 + \\#\\{|a_p - \\theta b_p| \\ge |\\hat\\theta - \\theta
        k|\\}) / (1 + P)` (the observed schedule counts as one of the draws).
    """
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    scale = max(np.abs(a).max(initial=0.0), abs(estimate), 1e-300)

    def test(theta: float) -> float:
        obs = abs(estimate - theta * k)
        hits = np.abs(a - theta * b) >= obs - TIE * max(scale, abs(theta))
        return float((1 + hits.sum()) / (1 + len(a)))

    return test


def invert(test: Callable[[float], float], estimate: float, step: float, alpha: float,
           *, tol: float = 1e-7, max_expand: int = 30) -> tuple[float, float]:
    """The confidence set :math:`\\{\\theta: p(\\theta) > \\alpha\\}` as an interval.

    Starting at the estimate (where :math:`p = 1`), each side moves out by ``step``, doubling,
    until :math:`p \\le \\alpha`, then bisects the crossing (MacKinnon 2015; Roodman et al.
    2019); the same bootstrap draws or permutations serve every :math:`\\theta`. A side that
    never reaches :math:`p \\le \\alpha` is infinite.

    Parameters
    ----------
    test : callable
        ``theta -> p``.
    estimate, step : float
        The point estimate and a scale of the search (e.g. the analytic half-width).
    alpha : float
        1 - confidence level.
    tol : float
        Bisection stops when the bracket is narrower than ``tol * max(step, |bound|)``.
    """
    step = step if np.isfinite(step) and step > 0 else max(abs(estimate), 1.0)
    bounds = []
    for sign in (-1.0, 1.0):
        inside, outside = estimate, None
        for j in range(max_expand):
            x = estimate + sign * step * 2.0 ** j
            if test(x) <= alpha:
                outside = x
                break
            inside = x
        if outside is None:
            bounds.append(sign * math.inf)
            continue
        for _ in range(200):                 # the bracket halves; floats stop it at last
            if abs(outside - inside) <= tol * max(step, abs(inside)):
                break
            mid = 0.5 * (inside + outside)
            if test(mid) > alpha:
                inside = mid
            else:
                outside = mid
        bounds.append(0.5 * (inside + outside))
    return bounds[0], bounds[1]
