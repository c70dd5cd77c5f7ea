"""Factor-analysis weights (主成分/因子分析赋权) after the OECD/JRC Handbook, section 6.1.

The procedure of Nicoletti, Scarpetta & Boylaud (2000) as the Handbook applies it to the
Technology Achievement Index (Tables 16 and 17 and the text after them):

1. standardise the indicators and take the principal components of their correlation matrix
   (eigenvalues = variance explained, Table 16; loadings = eigenvector × √eigenvalue);
2. retain the leading factors that have an eigenvalue above 1 **or** explain more than 10% of
   the variance each, adding factors until together they explain more than 60%
   (``n_factors="handbook"``; the Handbook keeps four factors for the TAI, with eigenvalues
   3.3, 1.7, 1.0 and 0.9 and 87% of the variance, although two of them are below 1);
3. rotate the retained loadings by varimax (Kaiser 1958, with Kaiser normalisation) (Table 17);
4. square the rotated loadings and scale them to unity sum within each factor;
5. assign each indicator to the factor on which its squared loading is largest; the factors are
   weighted by their share of the (rotated) explained variance, and the indicator's weight is
   its scaled squared loading × its factor's weight, renormalised to sum to 1.

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
"""
from __future__ import annotations

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
        All eigenvalues of the correlation matrix, largest first (``PC1``, ``PC2``, …).
    explained_variance : Series
        Each component's share of the total variance (eigenvalue / number of indicators).
    unrotated_loadings : DataFrame
        Indicators × retained components: eigenvector × √eigenvalue.
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


def pca(X: pd.DataFrame, *, n_factors="handbook", rotate: bool = True,
        dropna: bool = False) -> PCAResult:
    """Factor-analysis weights of a units × indicators table (Handbook section 6.1).

    Parameters
    ----------
    X : DataFrame
        Units (rows) × indicators (columns), numeric, none constant.
    n_factors : {"handbook", "kaiser"} or int
        How many factors to retain: ``"handbook"`` (eigenvalue > 1 or > 10% of the variance
        each, and > 60% together; see the module docstring), ``"kaiser"`` (eigenvalue > 1),
        or a number.
    rotate : bool
        Varimax-rotate the retained loadings (the Handbook does).
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
    L = vecs[:, :k] * np.sqrt(vals[:k])
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
    pcs = pd.Index([f"PC{i + 1}" for i in range(m)], name="component")
    return PCAResult(
        weights=as_weights(w, codes, "pca"),
        eigenvalues=pd.Series(vals, index=pcs, name="eigenvalue"),
        explained_variance=pd.Series(vals / m, index=pcs, name="explained_variance"),
        unrotated_loadings=pd.DataFrame(L, index=codes, columns=pcs[:k]),
        loadings=pd.DataFrame(Lr, index=codes, columns=factors),
        factor_variance=pd.Series(var, index=factors, name="explained_variance"),
        scaled_loadings=pd.DataFrame(scaled, index=codes, columns=factors),
        assignment=pd.Series(factors[assign], index=codes, name="factor"),
        factor_weights=pd.Series(fw, index=factors, name="factor_weight"),
        n_factors=k,
    )
