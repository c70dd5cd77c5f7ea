"""Factor-analysis weights (主成分/因子分析赋权) after the OECD/JRC Handbook, section 6.1.

The procedure of Nicoletti, Scarpetta & Boylaud (2000) as the Handbook applies it to the
Technology Achievement Index (Tables 16 and 17 and the text after them):

1. standardise the indicators and take the principal components of their correlation matrix
   (eigenvalues = variance explained, Table 16; loadings = eigenvector × √eigenvalue), or, with
   ``extraction="ml"``, fit the retained factors by maximum likelihood instead (below);
2. retain the leading factors that have an eigenvalue above 1 **or** explain more than 10% of
   the variance each, adding factors until together they explain more than 60%
   (``n_factors="handbook"``; the Handbook keeps four factors for the TAI, with eigenvalues
   3.3, 1.7, 1.0 and 0.9 and 87% of the variance, although two of them are below 1);
3. rotate the retained loadings by varimax (Kaiser 1958, with Kaiser normalisation) (Table 17);
4. square the rotated loadings and scale them to unity sum within each factor;
5. assign each indicator to the factor on which its squared loading is largest; the factors are
   weighted by their share of the (rotated) explained variance, and the indicator's weight is
   its scaled squared loading × its factor's weight, renormalised to sum to 1.

Maximum-likelihood extraction (``extraction="ml"``) fits the common-factor model
``R ≈ ΛΛ' + Ψ`` (Ψ diagonal: each indicator's uniqueness) to the correlation matrix R by
maximising the normal likelihood (Lawley & Maxwell 1971), with
``statsmodels.multivariate.factor.Factor(method="ml")``. The number of factors is still chosen
from R's eigenvalues (step 2), and steps 3–5 are the same. Unlike principal components, the ML
loadings leave out each indicator's unique variance, so an indicator that shares little with the
others gets a small loading on every factor. Three limits are checked, each with the fix named:
the model is identified only for ``(p − k)² ≥ p + k`` (p indicators, k factors; Ledermann 1937,
R's ``factanal``), R must be non-singular (more units than indicators, no exact collinearity),
and the fit must converge; it typically fails when a uniqueness is driven to 0 (a Heywood case),
as for the TAI with the Handbook's four factors (``n_factors=2`` converges). The fit starts from R's
``factanal`` start values, so it is deterministic.

Every weight is ≥ 0 by construction (COINr 1.1.14's PCA weights, taken from raw loadings, can be
negative). The correlation matrix does not change when a column is rescaled or reversed, so raw
and min-max data give the same weights and indicator directions do not matter.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
section 6.1 and Tables 16–17. OECD Publishing. doi:10.1787/9789264043466-en
Nicoletti, G., Scarpetta, S. & Boylaud, O. (2000). Summary indicators of product market
regulation with an extension to employment protection legislation. OECD Economics Department
Working Papers 226.
Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
*Psychometrika* 23(3), 187–200. doi:10.1007/BF02289233
Lawley, D. N. & Maxwell, A. E. (1971). *Factor Analysis as a Statistical Method*, 2nd ed.
Butterworths.
Ledermann, W. (1937). On the rank of the reduced correlational matrix in multiple-factor
analysis. *Psychometrika* 2(2), 85–93. doi:10.1007/BF02288062
Bai, J. & Li, K. (2012). Statistical analysis of factor models of high dimension. *Annals of
Statistics* 40(1), 436–465. doi:10.1214/11-AOS966 (statsmodels' identification of the ML
loadings before rotation)
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zhengji_lab.weighting._common import as_table, as_weights, canonical_rows, check_choice, named


@dataclass(frozen=True, eq=False)
class PCAResult:
    """Factor-analysis weights and the structure they came from.

    Attributes
    ----------
    weights : Series
        Indicator weights, summing to 1.
    eigenvalues : Series
        All eigenvalues of the correlation matrix, largest first (``PC1``, ``PC2``, …); they
        choose the number of factors under either extraction.
    explained_variance : Series
        Each component's share of the total variance (eigenvalue / number of indicators).
    unrotated_loadings : DataFrame
        Indicators × retained factors before rotation: eigenvector × √eigenvalue (``PC1``, …)
        under ``"principal"``; the ML loadings (``ML1``, …, ordered by variance) under ``"ml"``.
    loadings : DataFrame
        Indicators × retained factors (``F1``, …) after varimax rotation, ordered by the
        variance they explain.
    factor_variance : Series
        Variance explained by each rotated factor (sum of its squared loadings).
    scaled_loadings : DataFrame
        Squared rotated loadings scaled to unity sum within each factor.
    assignment : Series
        The factor each indicator is grouped into (largest squared loading).
    factor_weights : Series
        Each factor's share of the retained explained variance.
    n_factors : int
        Number of retained factors.
    extraction : {"principal", "ml"}
        How the factors were extracted.
    communality : Series
        Each indicator's variance explained by the retained factors (row sum of squared
        loadings, unchanged by rotation); under ``"ml"`` it is 1 − the fitted uniqueness.
    """

    weights: pd.Series
    eigenvalues: pd.Series
    explained_variance: pd.Series
    unrotated_loadings: pd.DataFrame
    loadings: pd.DataFrame
    factor_variance: pd.Series
    scaled_loadings: pd.DataFrame
    assignment: pd.Series
    factor_weights: pd.Series
    n_factors: int
    extraction: str = "principal"
    communality: pd.Series | None = None

    def to_frame(self) -> pd.DataFrame:
        """Indicators × (rotated loadings, factor, scaled squared loading, weight)."""
        own = self.scaled_loadings.to_numpy()[np.arange(len(self.weights)),
                                               self.loadings.columns.get_indexer(self.assignment)]
        return self.loadings.assign(factor=self.assignment, scaled_sq_loading=own,
                                    weight=self.weights)


def varimax(L: np.ndarray, *, normalize: bool = True, tol: float = 1e-12,
            max_sweeps: int = 500) -> np.ndarray:
    """Varimax rotation of a loadings matrix by Kaiser's (1958) pairwise algorithm.

    Each pair of factors is rotated by the angle that maximises the varimax criterion
    ``Σ_f [Σ_i b_if⁴ − (Σ_i b_if²)² / p]`` in their plane, in closed form (Kaiser 1958; Harman
    1976), sweeping over all pairs until no angle exceeds ``tol``. Unlike the
    gradient/SVD iteration of R's ``stats::varimax``, a pairwise sweep cannot stall at the
    unrotated solution when that is a stationary point (e.g. two symmetric indicators).

    Parameters
    ----------
    L : ndarray
        Variables × factors loadings.
    normalize : bool
        Kaiser normalisation: rotate the rows scaled to unit length, then scale back.
    tol, max_sweeps
        Stop when every rotation angle of a sweep is below ``tol`` (radians), or after
        ``max_sweeps`` sweeps.

    Returns
    -------
    ndarray
        The rotated loadings (same communalities ``Σ_f b_if²`` as ``L``).

    References
    ----------
    Kaiser, H. F. (1958), Psychometrika 23(3), 187–200.
    Harman, H. H. (1976). *Modern Factor Analysis*, 3rd ed. University of Chicago Press.
    """
    p, k = L.shape
    h = np.sqrt((L ** 2).sum(axis=1)) if normalize else np.ones(p)
    h = np.where(h > 0, h, 1.0)
    B = L / h[:, None]
    for _ in range(max_sweeps):
        largest = 0.0
        for j in range(k - 1):
            for m in range(j + 1, k):
                a, b = B[:, j].copy(), B[:, m].copy()
                u, v = a * a - b * b, 2 * a * b
                A, Bs = u.sum(), v.sum()
                C, D = (u * u - v * v).sum(), 2 * (u * v).sum()
                phi = 0.25 * np.arctan2(D - 2 * A * Bs / p, C - (A * A - Bs * Bs) / p)
                c, s = np.cos(phi), np.sin(phi)
                B[:, j], B[:, m] = a * c + b * s, b * c - a * s
                largest = max(largest, abs(phi))
        if largest < tol:
            break
    return B * h[:, None]


def _retain(eigenvalues: np.ndarray, rule) -> int:
    m = len(eigenvalues)
    share = eigenvalues / m
    if isinstance(rule, (int, np.integer)) and not isinstance(rule, bool):
        if not 1 <= rule <= m:
            raise ValueError(f"The 'n_factors' parameter of pca() must be between 1 and {m}. "
                             f"Got {rule} instead.")
        return int(rule)
    check_choice(rule, ("handbook", "kaiser"), "n_factors", "pca")
    if rule == "kaiser":
        return max(1, int((eigenvalues > 1).sum()))
    ok = (eigenvalues > 1) | (share > 0.10)
    k = int(np.argmin(ok)) if not ok.all() else m  # leading run of factors that qualify
    k = max(k, 1)
    while k < m and share[:k].sum() <= 0.60:
        k += 1
    return k


#: A uniqueness below this is a Heywood case (R's ``factanal`` bounds uniquenesses at 0.005).
HEYWOOD = 0.005


def _ml_fit(C: np.ndarray, k: int, n: int, max_iter: int):
    """One ML factor fit of the correlation matrix ``C``: ``(loadings, uniqueness, retvals,
    converged)``; statsmodels' own warnings are replaced by the caller's messages."""
    from statsmodels.multivariate.factor import Factor

    p = C.shape[0]
    # R's factanal start: uniqueness (1 − k/2p) / diag(R⁻¹); loadings: principal axes of R − Ψ
    uniq = np.clip((1 - 0.5 * k / p) / np.diag(np.linalg.inv(C)), HEYWOOD, 1.0)
    vals, vecs = np.linalg.eigh(C - np.diag(uniq))
    top = np.argsort(vals)[::-1][:k]
    load = vecs[:, top] * np.sqrt(np.clip(vals[top], 1e-6, None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning / EstimationWarning: judged below
        res = Factor(corr=C, n_factor=k, method="ml", nobs=n).fit(
            start=(load, uniq), opt={"gtol": 1e-7, "maxiter": max_iter})
    r = res.mle_retvals
    # BFGS reports a line-search "precision loss" even at a stationary point: accept a
    # vanishing gradient too
    converged = bool(r.success) or float(np.abs(r.jac).max()) < 1e-6
    return np.real(res.loadings), np.asarray(res.uniqueness), r, converged


def _proper(fit) -> bool:
    """A converged ML fit without a Heywood case."""
    return fit[3] and fit[1].min() >= HEYWOOD


def _ml_loadings(C: np.ndarray, k: int, n: int, max_iter: int, codes: pd.Index, rule):
    """ML loadings of ``k`` factors, with errors that name the fix (module docstring)."""
    p = C.shape[0]
    kmax = max((j for j in range(p + 1) if (p - j) ** 2 >= p + j), default=0)
    if k > kmax:
        if kmax == 0:
            raise ValueError(f"extraction='ml' in pca() needs at least 3 indicators to identify "
                             f"one factor; got {p}. Use extraction='principal'.")
        raise ValueError(f"extraction='ml' in pca() can identify at most {kmax} factor"
                         f"{'s' if kmax > 1 else ''} from {p} indicators ((p - k)² ≥ p + k, "
                         f"Ledermann 1937); n_factors={rule!r} gives {k}. Pass "
                         f"n_factors={kmax}{' (or fewer)' if kmax > 1 else ''}, or use "
                         f"extraction='principal'.")
    vals = np.linalg.eigvalsh(C)
    if vals.min() <= 1e-10 * vals.max():
        rank = int((vals > 1e-10 * vals.max()).sum())
        raise ValueError(f"extraction='ml' in pca() needs a non-singular correlation matrix, but "
                         f"the {p} indicators on {n} units have rank {rank} (fewer units than "
                         f"indicators, or indicators that are exact combinations of others). "
                         f"Drop redundant indicators, or use extraction='principal'.")
    L, uniq, r, converged = _ml_fit(C, k, n, max_iter)
    heywood = codes[uniq < HEYWOOD]
    if not converged:
        if len(heywood):
            why = (f"the uniqueness of {named(heywood)} went to 0 (a Heywood case, an improper "
                   f"solution)")
            fix = ["drop indicators that (nearly) duplicate others"]
        else:
            why = (f"stopped after {r.nit} iterations with max_iter={max_iter}; scipy: "
                   f"{r.message}".rstrip("."))
            fix = [f"raise max_iter (now {max_iter})"]
        if k > 1:
            fits = next((j for j in range(k - 1, 0, -1) if _proper(_ml_fit(C, j, n, max_iter))),
                        None)
            fix.insert(int(not len(heywood)), f"retain fewer factors (n_factors={fits} converges)"
                       if fits else "retain fewer factors")
        raise ValueError(f"extraction='ml' in pca() did not converge for {k} factor"
                         f"{'s' if k > 1 else ''}: {why}. Fix: {', '.join(fix)}, or use "
                         f"extraction='principal'.")
    if len(heywood):
        warnings.warn(f"pca(extraction='ml'): uniqueness near 0 for {named(heywood)} (a "
                      f"Heywood case), so their loadings are unreliable; consider fewer factors, "
                      f"dropping near-duplicate indicators, or extraction='principal'.",
                      UserWarning, stacklevel=3)
    return L, uniq


def pca(X: pd.DataFrame, *, n_factors="handbook", extraction: str = "principal",
        rotate: bool = True, max_iter: int = 1000, dropna: bool = False) -> PCAResult:
    """Factor-analysis weights of a units × indicators table (Handbook section 6.1).

    Parameters
    ----------
    X : DataFrame
        Units (rows) × indicators (columns), numeric, none constant.
    n_factors : {"handbook", "kaiser"} or int
        How many factors to retain: ``"handbook"`` (eigenvalue > 1 or > 10% of the variance
        each, and > 60% together; see the module docstring), ``"kaiser"`` (eigenvalue > 1),
        or a number. Chosen from the correlation matrix's eigenvalues under either extraction.
    extraction : {"principal", "ml"}
        ``"principal"`` (default): principal components, as the Handbook does. ``"ml"``:
        maximum-likelihood factor analysis (statsmodels), the same rotation and weighting
        (module docstring). Raises when the model is not identified (too many factors for the
        indicators), the correlation matrix is singular, or the fit does not converge, naming
        the fix; warns on a converged Heywood case (a uniqueness near 0).
    rotate : bool
        Varimax-rotate the retained loadings (the Handbook does).
    max_iter : int
        Most BFGS iterations of the ML fit (``extraction="ml"`` only).
    dropna : bool
        Drop units with missing values (logged) instead of raising.

    Returns
    -------
    PCAResult
        ``.weights`` plus loadings, eigenvalues, explained variance and the assignment of
        indicators to factors.

    Examples
    --------
    >>> import numpy as np, pandas as pd, zhengji_lab as zl
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(50, 2))
    >>> X = pd.DataFrame(np.column_stack([f[:, 0], f[:, 0], f[:, 1], f[:, 1]])
    ...                  + 0.3 * rng.normal(size=(50, 4)), columns=["a1", "a2", "b1", "b2"])
    >>> res = zl.weighting.pca(X)
    >>> res.n_factors, res.assignment.to_dict()
    (2, {'a1': 'F2', 'a2': 'F2', 'b1': 'F1', 'b2': 'F1'})
    """
    check_choice(extraction, ("principal", "ml"), "extraction", "pca")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"The 'max_iter' parameter of pca() must be an int >= 1. Got "
                         f"{max_iter!r} instead.")
    A, _, codes = as_table(X, "pca", dropna=dropna, min_units=3)
    A = canonical_rows(A)  # varimax can amplify rounding: make the result row-order free
    sd = A.std(axis=0)
    if (sd == 0).any():
        raise ValueError(f"pca() cannot use constant indicators {named(codes[sd == 0])}: their "
                         f"correlations are undefined. Drop them (they carry no information).")
    m = A.shape[1]
    C = np.corrcoef(A, rowvar=False).reshape(m, m)
    vals, vecs = np.linalg.eigh(C)
    order = np.argsort(vals)[::-1]
    vals, vecs = np.clip(vals[order], 0.0, None), vecs[:, order]
    vecs = vecs * np.sign(vecs[np.abs(vecs).argmax(axis=0), np.arange(m)])  # fixed sign
    k = _retain(vals, n_factors)
    pcs = pd.Index([f"PC{i + 1}" for i in range(m)], name="component")
    if extraction == "ml":
        L, _ = _ml_loadings(C, k, A.shape[0], max_iter, codes, n_factors)
        L = L[:, np.argsort(-(L ** 2).sum(axis=0), kind="stable")]
        L = L * np.sign(L[np.abs(L).argmax(axis=0), np.arange(k)])  # fixed sign
        unrot = pd.Index([f"ML{i + 1}" for i in range(k)], name="factor")
    else:
        L, unrot = vecs[:, :k] * np.sqrt(vals[:k]), pcs[:k]
    Lr = varimax(L) if rotate else L.copy()
    var = (Lr ** 2).sum(axis=0)
    order = np.argsort(-var, kind="stable")
    Lr, var = Lr[:, order], var[order]
    Lr = Lr * np.where(Lr.sum(axis=0) < 0, -1.0, 1.0)  # display sign: mostly positive
    sq = Lr ** 2
    scaled = sq / var  # squared loadings scaled to unity sum within each factor
    assign = sq.argmax(axis=1)
    fw = var / var.sum()  # factor weight = share of the retained explained variance
    w = scaled[np.arange(m), assign] * fw[assign]
    factors = pd.Index([f"F{i + 1}" for i in range(k)], name="factor")
    return PCAResult(
        weights=as_weights(w, codes, "pca"),
        eigenvalues=pd.Series(vals, index=pcs, name="eigenvalue"),
        explained_variance=pd.Series(vals / m, index=pcs, name="explained_variance"),
        unrotated_loadings=pd.DataFrame(L, index=codes, columns=unrot),
        loadings=pd.DataFrame(Lr, index=codes, columns=factors),
        factor_variance=pd.Series(var, index=factors, name="explained_variance"),
        scaled_loadings=pd.DataFrame(scaled, index=codes, columns=factors),
        assignment=pd.Series(factors[assign], index=codes, name="factor"),
        factor_weights=pd.Series(fw, index=factors, name="factor_weight"),
        n_factors=k,
        extraction=extraction,
        communality=pd.Series((L ** 2).sum(axis=1), index=codes, name="communality"),
    )
