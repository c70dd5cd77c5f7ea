"""Analytic Hierarchy Process (层次分析法): priorities and consistency of pairwise judgements.

A judgement matrix ``A`` holds ``a_ij`` = how much more important row ``i`` is than column
``j`` on Saaty's 1–9 scale, with ``a_ji = 1 / a_ij``. Priorities are its principal
(Perron) eigenvector (Saaty 1977, 1980) or the normalised row geometric means (Crawford &
Williams 1985). Consistency: ``CI = (λ_max − n) / (n − 1)`` and ``CR = CI / RI(n)`` where
``RI`` is the mean CI of random reciprocal matrices; ``CR > 0.10`` is Saaty's rule for
judgements that should be revised.

Random index tables (:data:`RANDOM_INDEX`, chosen with ``ri=``):

* ``"saaty"``: Saaty (1980), *The Analytic Hierarchy Process*, n = 1..10:
  0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49.
* ``"alonso_lamata"``: Alonso & Lamata (2006), from 100 000 random matrices per n, n ≤ 15.
* ``"donegan_dodd"``: Donegan & Dodd (1991), n ≤ 15.

Group judgements (:func:`ahp_group`) are combined as in Forman & Peniwati (1998): AIJ takes the
element-wise geometric mean of the experts' matrices (Aczél & Saaty 1983) and then its
priorities; AIP takes the geometric mean of the experts' priority vectors, renormalised.

References
----------
Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures. *Journal of
Mathematical Psychology* 15(3), 234–281. doi:10.1016/0022-2496(77)90033-5
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill. (RI table; "wealth of
nations" example)
Saaty, T. L. (2008). Decision making with the analytic hierarchy process. *International Journal
of Services Sciences* 1(1), 83–98. ("drinks" example)
Crawford, G. & Williams, C. (1985). A note on the analysis of subjective judgement matrices.
*Journal of Mathematical Psychology* 29(4), 387–405.
Alonso, J. A. & Lamata, M. T. (2006). Consistency in the analytic hierarchy process: a new
approach. *International Journal of Uncertainty, Fuzziness and Knowledge-Based Systems* 14(4),
445–459.
Donegan, H. A. & Dodd, F. J. (1991). A note on Saaty's random indexes. *Mathematical and
Computer Modelling* 15(10), 135–137.
Aczél, J. & Saaty, T. L. (1983). Procedures for synthesizing ratio judgements. *Journal of
Mathematical Psychology* 27(1), 93–102.
Forman, E. & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
analytic hierarchy process. *European Journal of Operational Research* 108(1), 165–169.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from zhengji_lab.errors import InconsistentJudgementWarning
from zhengji_lab.weighting._common import as_weights, check_choice, named

#: Random consistency index by matrix order, per published table (see module docstring).
RANDOM_INDEX: dict[str, dict[int, float]] = {
    "saaty": {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
              10: 1.49},
    "alonso_lamata": {1: 0.0, 2: 0.0, 3: 0.5245, 4: 0.8815, 5: 1.1086, 6: 1.2479, 7: 1.3417,
                      8: 1.4056, 9: 1.4499, 10: 1.4854, 11: 1.5141, 12: 1.5365, 13: 1.5551,
                      14: 1.5713, 15: 1.5838},
    "donegan_dodd": {1: 0.0, 2: 0.0, 3: 0.4914, 4: 0.8286, 5: 1.0591, 6: 1.1797, 7: 1.2519,
                     8: 1.3171, 9: 1.3733, 10: 1.4055, 11: 1.4213, 12: 1.4497, 13: 1.4643,
                     14: 1.4822, 15: 1.4969},
}
Method = Literal["eigen", "geometric"]
METHODS = ("eigen", "geometric")
#: Saaty's scale runs from 1/9 to 9.
SAATY_SCALE = (1 / 9, 9.0)


@dataclass(frozen=True, eq=False)
class AHPResult:
    """Priorities and consistency of one judgement matrix.

    Attributes
    ----------
    weights : Series
        Priorities indexed by code, summing to 1.
    lambda_max : float
        Principal eigenvalue of the matrix (``n`` for a consistent matrix).
    ci, cr : float
        Consistency index ``(λ_max − n)/(n − 1)`` and ratio ``CI / RI(n)`` (0 for n ≤ 2).
    ri : float
        The random index used; ``ri_table`` names its table.
    method : str
        ``"eigen"`` or ``"geometric"`` (how the priorities were derived; CI and CR always come
        from the principal eigenvalue).
    matrix : DataFrame
        The validated judgement matrix (rows and columns in the same order).
    worst_pair : tuple of str, or None
        The judgement ``(i, j)`` with the largest ``|ln(a_ij w_j / w_i)|`` (None for n = 1).
    suggested : float or None
        ``w_i / w_j`` rounded to Saaty's scale: the value of ``a_ij`` consistent with the
        priorities.
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    cr: float
    ri: float
    ri_table: str
    method: str
    matrix: pd.DataFrame = field(repr=False)
    worst_pair: tuple | None = None
    suggested: float | None = None

    @property
    def consistent(self) -> bool:
        """Whether ``CR ≤ 0.10`` (Saaty's threshold)."""
        return self.cr <= 0.10

    def summary(self) -> str:
        """One line: λ_max, CI, CR and the most inconsistent judgement."""
        text = (f"AHP ({self.method}, n={len(self.weights)}): lambda_max={self.lambda_max:.4f}, "
                f"CI={self.ci:.4f}, CR={self.cr:.4f} (RI {self.ri_table}={self.ri:g})")
        if self.worst_pair is not None:
            i, j = self.worst_pair
            text += (f"; most inconsistent judgement ({i}, {j}) = "
                     f"{_fmt(self.matrix.loc[i, j])}, consistent value ≈ {_fmt(self.suggested)}")
        return text

    def to_frame(self) -> pd.DataFrame:
        """The priorities as a one-column frame (``weight``) indexed by code."""
        return self.weights.to_frame()


@dataclass(frozen=True, eq=False)
class AHPGroupResult:
    """Priorities of a panel's judgements combined by AIJ or AIP.

    Attributes
    ----------
    weights : Series
        Combined priorities, summing to 1.
    how : str
        ``"aij"`` or ``"aip"``.
    individual : dict
        ``{expert: AHPResult}`` for every expert.
    combined : AHPResult or None
        For AIJ, the result of the element-wise geometric-mean matrix; None for AIP.
    """

    weights: pd.Series
    how: str
    individual: dict
    combined: AHPResult | None = None

    @property
    def cr(self) -> pd.Series:
        """Consistency ratio of every expert (and of the AIJ group matrix as ``"(group)"``)."""
        cr = {name: res.cr for name, res in self.individual.items()}
        if self.combined is not None:
            cr["(group)"] = self.combined.cr
        return pd.Series(cr, name="cr")


def _fmt(v: float) -> str:
    """Judgement as printed on Saaty's scale: ``3`` or ``1/3``."""
    return f"{v:.3g}" if v >= 1 else f"1/{1 / v:.3g}"


def _saaty_round(r: float) -> float:
    """Nearest value on Saaty's scale {1/9, …, 1/2, 1, 2, …, 9} (rounded in the ratio's side)."""
    k = float(min(9, max(1, round(r if r >= 1 else 1 / r))))
    return k if r >= 1 else 1 / k


def _validate(matrix, func: str, *, scale, tol: float, label: str = ""):
    """Return ``(A, codes)`` for a valid judgement matrix, or raise naming the problem."""
    where = f" ({label})" if label else ""
    if isinstance(matrix, np.ndarray):
        matrix = pd.DataFrame(matrix)
    if not isinstance(matrix, pd.DataFrame):
        raise TypeError(f"The 'matrix' parameter of {func}() must be a square DataFrame (index "
                        f"and columns = codes){where}. Got {type(matrix).__name__} instead.")
    n_rows, n_cols = matrix.shape
    if n_rows != n_cols or n_rows == 0:
        raise ValueError(f"Judgement matrix{where} must be square and non-empty; got "
                         f"{n_rows} rows × {n_cols} columns.")
    rows, cols = list(matrix.index), list(matrix.columns)
    if set(rows) != set(cols) or len(set(rows)) != n_rows:
        raise ValueError(f"Judgement matrix{where} must have the same codes as rows and columns; "
                         f"rows only: {named([r for r in rows if r not in cols])}, columns "
                         f"only: {named([c for c in cols if c not in rows])}"
                         + (", or a code repeats." if len(set(rows)) != n_rows else "."))
    matrix = matrix[rows]
    text = [c for c in rows if not pd.api.types.is_numeric_dtype(matrix[c])]
    if text:
        raise TypeError(f"Judgement matrix{where} must hold numbers; columns {named(text)} hold "
                        f"text. Convert fractions such as '1/3' to numbers first "
                        f"(e.g. float(fractions.Fraction('1/3'))).")
    A = matrix.to_numpy(dtype=float)
    bad = ~np.isfinite(A) | (A <= 0)
    if bad.any():
        cells = [(rows[i], rows[j]) for i, j in zip(*np.nonzero(bad))]
        raise ValueError(f"Judgement matrix{where} must hold positive numbers; cells "
                         f"{named(cells)} are missing, zero or negative.")
    if not np.allclose(np.diag(A), 1.0, rtol=0, atol=tol):
        raise ValueError(f"Judgement matrix{where} must have 1 on its diagonal; got "
                         f"{dict(zip(rows, np.diag(A).round(4).tolist()))}.")
    off = np.abs(A * A.T - 1) > tol
    if off.any():
        pairs = [(rows[i], rows[j], f"{A[i, j]:.4g}", f"{A[j, i]:.4g}")
                 for i, j in zip(*np.nonzero(np.triu(off, 1)))]
        raise ValueError(f"Judgement matrix{where} must be reciprocal (a_ji = 1/a_ij); pairs "
                         f"(i, j, a_ij, a_ji) {named(pairs)} are not.")
    if scale is not None:
        lo, hi = scale
        out = (A < lo * (1 - tol)) | (A > hi * (1 + tol))
        if out.any():
            # the matrix is reciprocal by now, so naming the entries above 1 names every pair
            cells = [(rows[i], rows[j], f"{A[i, j]:.4g}") for i, j in zip(*np.nonzero(out))
                     if A[i, j] > 1]
            raise ValueError(f"Judgements must lie on Saaty's scale [{_fmt(lo)}, {_fmt(hi)}]; "
                             f"{named(cells)} do not{where}. Pass scale=None to allow "
                             f"other ratios (e.g. measured ones).")
    return A, pd.Index(rows, name="indicator")


def _random_index(table: str, n: int, func: str) -> float:
    check_choice(table, tuple(RANDOM_INDEX), "ri", func)
    values = RANDOM_INDEX[table]
    if n not in values:
        fits = [t for t, v in RANDOM_INDEX.items() if n in v]
        raise ValueError(f"The random index table {table!r} covers n ≤ {max(values)}; this "
                         f"matrix has n={n}. Use ri={fits[0]!r} or split the node."
                         if fits else f"No random index table covers n={n}; split the node.")
    return values[n]


def _priorities(A: np.ndarray, method: str) -> tuple[np.ndarray, float]:
    """Priority vector and principal eigenvalue of a positive reciprocal matrix."""
    n = len(A)
    if n == 1:
        return np.ones(1), 1.0
    vals, vecs = np.linalg.eig(A)
    k = int(np.argmax(vals.real))  # the Perron root is real and the largest
    lam = float(vals[k].real)
    if method == "eigen":
        v = vecs[:, k].real
        w = v / v.sum()  # a Perron vector has one sign, so this makes it positive
    else:
        w = np.exp(np.log(A).mean(axis=1))  # row geometric means (Crawford & Williams 1985)
        w = w / w.sum()
    return w, lam


def _result(A, codes, *, method, ri, func, cr_threshold, label, stacklevel) -> AHPResult:
    n = len(A)
    w, lam = _priorities(A, method)
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ci = 0.0 if abs(ci) < 1e-12 else ci  # λ_max ≥ n in exact arithmetic (Saaty 1977)
    r = _random_index(ri, n, func)
    cr = ci / r if r > 0 else 0.0
    worst = suggested = None
    if n > 1:
        eps = np.abs(np.log(A * w[None, :] / w[:, None]))  # |ln(a_ij w_j / w_i)|
        i, j = np.unravel_index(int(np.argmax(np.triu(eps, 1))), eps.shape)
        worst, suggested = (codes[i], codes[j]), _saaty_round(w[i] / w[j])
    res = AHPResult(weights=as_weights(w, codes, func), lambda_max=lam, ci=ci, cr=cr, ri=r,
                    ri_table=ri, method=method,
                    matrix=pd.DataFrame(A, index=codes, columns=codes), worst_pair=worst,
                    suggested=suggested)
    if cr > cr_threshold:
        i, j = worst
        name = f" {label!r}" if label else ""
        warnings.warn(
            f"Judgement matrix{name} has consistency ratio {cr:.3f} (threshold "
            f"{cr_threshold:.2f}, random index table {ri!r}); most inconsistent judgement: "
            f"({i}, {j}) = {_fmt(A[codes.get_loc(i), codes.get_loc(j)])}, a value consistent "
            f"with the priorities would be about {_fmt(suggested)} (w_i/w_j = "
            f"{res.weights[i] / res.weights[j]:.3g}). Weights were computed; consider revising "
            f"the judgements.", InconsistentJudgementWarning, stacklevel=stacklevel)
    return res


def ahp(matrix, *, method: Method = "eigen", ri: str = "saaty", cr_threshold: float = 0.10,
        scale: tuple[float, float] | None = SAATY_SCALE, tol: float = 0.05,
        name: str = "") -> AHPResult:
    """Priorities of a pairwise judgement matrix with its consistency ratio.

    Parameters
    ----------
    matrix : DataFrame
        Square, index and columns the same codes (columns are reordered to the rows' order);
        ``a_ij`` = importance of row ``i`` over column ``j``, positive and reciprocal.
    method : {"eigen", "geometric"}
        Principal eigenvector (Saaty) or normalised row geometric means (Crawford & Williams).
    ri : {"saaty", "alonso_lamata", "donegan_dodd"}
        Random index table for the consistency ratio (see :data:`RANDOM_INDEX`).
    cr_threshold : float
        Above this consistency ratio an :class:`~zhengji_lab.errors.InconsistentJudgementWarning`
        names the most inconsistent judgement (largest ``|ln(a_ij w_j / w_i)|``) and the value
        on Saaty's scale that would agree with the priorities.
    scale : (float, float) or None
        Allowed range of judgements, Saaty's ``[1/9, 9]`` by default; None allows any positive
        ratio (e.g. a matrix built from measured ratios).
    tol : float
        Relative tolerance for the diagonal, reciprocity (``|a_ij a_ji − 1|``) and the scale
        limits; 0.05 accepts reciprocals typed with two decimals (0.33 for 1/3, 0.13 for
        1/8) and still catches a wrong reciprocal (3 against 1/2).
    name : str
        Name of the matrix (expert, node) used in the warning.

    Returns
    -------
    AHPResult
        ``.weights`` (Series summing to 1), ``.lambda_max``, ``.ci``, ``.cr`` and diagnostics.

    Examples
    --------
    >>> import pandas as pd, zhengji_lab as zl
    >>> codes = ["economy", "ecology", "livelihood"]
    >>> m = pd.DataFrame([[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]], index=codes, columns=codes)
    >>> res = zl.weighting.ahp(m)
    >>> res.weights.round(4).to_dict(), round(res.cr, 6)
    ({'economy': 0.5714, 'ecology': 0.2857, 'livelihood': 0.1429}, 0.0)
    """
    check_choice(method, METHODS, "method", "ahp")
    A, codes = _validate(matrix, "ahp", scale=scale, tol=tol, label=name)
    return _result(A, codes, method=method, ri=ri, func="ahp", cr_threshold=cr_threshold,
                   label=name, stacklevel=3)


def ahp_group(matrices, *, how: Literal["aij", "aip"] = "aij", method: Method = "eigen",
              ri: str = "saaty", expert_weights: Mapping | None = None,
              cr_threshold: float = 0.10, scale: tuple[float, float] | None = SAATY_SCALE,
              tol: float = 0.05) -> AHPGroupResult:
    """Combine a panel's judgement matrices (AIJ) or priorities (AIP).

    Parameters
    ----------
    matrices : Mapping or sequence of DataFrame
        ``{expert: matrix}`` (or a list; experts are then named ``expert_1``, …), every matrix
        over the same codes.
    how : {"aij", "aip"}
        ``"aij"``: aggregate individual judgements by the element-wise (weighted) geometric mean,
        then derive priorities and consistency of that matrix. ``"aip"``: derive each expert's
        priorities, take their (weighted) geometric mean and renormalise.
    method, ri, cr_threshold, scale, tol
        As in :func:`ahp`; each expert's matrix is checked and warned about by name.
    expert_weights : Mapping, optional
        ``{expert: weight}`` for a weighted geometric mean (default: equal).

    Returns
    -------
    AHPGroupResult
        ``.weights``, ``.individual`` (each expert's :class:`AHPResult`), ``.combined`` (AIJ).

    Examples
    --------
    >>> import pandas as pd, zhengji_lab as zl
    >>> c = ["a", "b"]
    >>> li = pd.DataFrame([[1, 4], [1/4, 1]], index=c, columns=c)
    >>> wang = pd.DataFrame([[1, 1], [1, 1]], index=c, columns=c)
    >>> zl.weighting.ahp_group({"li": li, "wang": wang}).weights.round(4).to_dict()
    {'a': 0.6667, 'b': 0.3333}
    """
    check_choice(how, ("aij", "aip"), "how", "ahp_group")
    check_choice(method, METHODS, "method", "ahp_group")
    if isinstance(matrices, Mapping):
        named_m = dict(matrices)
    elif isinstance(matrices, Sequence) and not isinstance(matrices, str):
        named_m = {f"expert_{k + 1}": m for k, m in enumerate(matrices)}
    else:
        raise TypeError("The 'matrices' parameter of ahp_group() must be a mapping "
                        f"{{expert: matrix}} or a list. Got {type(matrices).__name__} instead.")
    if not named_m:
        raise ValueError("The 'matrices' parameter of ahp_group() holds no matrix.")
    experts = list(named_m)
    if expert_weights is None:
        pi = np.full(len(experts), 1 / len(experts))
    else:
        lacking = [e for e in experts if e not in expert_weights]
        if lacking:
            raise ValueError(f"The 'expert_weights' parameter of ahp_group() has no weight for "
                             f"{named(lacking)}.")
        pi = np.array([expert_weights[e] for e in experts], dtype=float)
        if not (np.isfinite(pi).all() and (pi >= 0).all() and pi.sum() > 0):
            raise ValueError("The 'expert_weights' parameter of ahp_group() must hold numbers "
                             f">= 0 with a positive total. Got {dict(zip(experts, pi.tolist()))}.")
        pi = pi / pi.sum()

    arrays, codes = [], None
    for e in experts:
        A, c = _validate(named_m[e], "ahp_group", scale=scale, tol=tol, label=f"expert {e!r}")
        if codes is None:
            codes = c
        elif set(c) != set(codes):
            raise ValueError(f"Expert {e!r} judged {named(sorted(c))}, but expert "
                             f"{experts[0]!r} judged {named(sorted(codes))}; every matrix must "
                             f"cover the same codes.")
        order = c.get_indexer(codes)
        arrays.append(A[np.ix_(order, order)])
    individual = {e: _result(A, codes, method=method, ri=ri, func="ahp_group",
                             cr_threshold=cr_threshold, label=f"expert {e!r}", stacklevel=4)
                  for e, A in zip(experts, arrays)}
    if how == "aij":
        G = np.exp(np.tensordot(pi, np.log(np.stack(arrays)), axes=1))  # weighted geometric mean
        combined = _result(G, codes, method=method, ri=ri, func="ahp_group",
                           cr_threshold=cr_threshold, label="group (AIJ)", stacklevel=3)
        return AHPGroupResult(weights=combined.weights, how=how, individual=individual,
                              combined=combined)
    W = np.stack([individual[e].weights.to_numpy() for e in experts])
    w = np.exp(pi @ np.log(W))  # geometric mean of priority vectors (AIP), then renormalised
    return AHPGroupResult(weights=as_weights(w, codes, "ahp_group"), how=how,
                          individual=individual)
