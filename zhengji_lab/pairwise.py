"""Non-compensatory aggregation by pairwise comparison of units (OECD/JRC Handbook 2008,
section 6.1.3), within peer groups.

Both methods are built on the weighted outranking matrix ``e_jk`` (:func:`outranking`): the share
of weight of the indicators on which unit ``j`` is better than unit ``k``, plus half of those on
which they tie.

* :func:`copeland` (Handbook eq. 6.2): a unit scores +1 for every unit it beats (``e_jk > 1/2``)
  and −1 for every unit that beats it;
* :func:`kemeny` (Condorcet–Kemeny–Young–Levenglick, Handbook eqs. 6.3–6.4): the ranking that
  maximises the sum of ``e_jk`` over the pairs it puts in the order ``j`` above ``k``, solved
  exactly as a binary integer programme. Scores are on Copeland's scale: units ranked below minus
  units ranked above.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
section 6.1.3. doi:10.1787/9789264043466-en

Kemeny, J. G. (1959). Mathematics without numbers. *Daedalus* 88(4), 577–591.

Young, H. P. and Levenglick, A. (1978). A consistent extension of Condorcet's election principle.
*SIAM Journal on Applied Mathematics* 35(2), 285–300. doi:10.1137/0135023

Conitzer, V., Davenport, A. and Kalagnanam, J. (2006). Improved bounds for computing Kemeny
rankings. *AAAI 2006*, 620–626 (the integer programme with triangle constraints).
"""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

#: Two units tie in a pairwise comparison when the weights of the indicators on which each is
#: better differ by at most this share of the weight they are compared on (sums such as
#: 1/6 + 1/6 + 1/6 and 1/2, or 0.1 + 0.2 and 0.3, are equal only up to rounding).
TIE_RTOL = 1e-9
#: Largest number of units of one peer group that outrank each other in cycles (a strongly
#: connected part of the pairwise majority graph, indistinguishable units counted once) for
#: which ``kemeny`` solves the integer programme; larger parts raise an error suggesting
#: Copeland. Measured on random uniform data (the hardest case: the whole group is one cycle),
#: 5-60 indicators, median / 90th percentile / worst of 10-20 groups: 20 units 0.04 / 0.04 /
#: 0.06 s, 30 units 0.1 / 0.15 / 0.4 s, 35 units 0.15 / 0.2 / 1.5 s, 40 units 0.3 / 1-1.7 /
#: 11 s, 50 units 0.5 s / - / 23 s. Real indicators are correlated and easier: on COINr's ASEM
#: example (51 countries, one group) most nodes are one cycle of 44-51 units, each solved in
#: 0.2-0.4 s, so the limit is conservative for real data.
KEMENY_MAX_UNITS = 40
#: Seconds after which the solver gives up on one strongly connected part (an error follows).
KEMENY_TIME_LIMIT = 60.0
# HiGHS stops when the incumbent is within 1e-6 (absolute) of the bound; the objective is scaled
# so that its largest coefficient is this, which makes that gap 1e-10 of a coefficient.
_KEMENY_OBJECTIVE_SCALE = 1e4


def _margins(A: np.ndarray, W: np.ndarray, ok: np.ndarray | None,
             groups: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Net outranking ``m_jk = e_jk − e_kj`` (in [−1, 1], exactly antisymmetric, 0 on ties
    within :data:`TIE_RTOL`) and the mask of the pairs that are compared."""
    n = A.shape[0]
    ok = np.ones(n, dtype=bool) if ok is None else np.asarray(ok, dtype=bool)
    pair = ok[:, None] & ok[None, :] & ~np.eye(n, dtype=bool)
    if groups is not None:
        g = np.asarray(groups)
        pair &= g[:, None] == g[None, :]
    W = np.where(np.isnan(A) | np.isnan(W), 0.0, W)
    both = (W > 0)[:, None, :] & (W > 0)[None, :, :]
    wbar = np.where(both, (W[:, None, :] + W[None, :, :]) / 2.0, 0.0)   # symmetric in j, k
    total = wbar.sum(axis=2)
    diff = np.where(both, A[:, None, :] - A[None, :, :], 0.0)          # diff_kj = −diff_jk
    # win_kj is loss_jk summed in the same order, so m_kj = −m_jk exactly
    win = np.where(diff > 0, wbar, 0.0).sum(axis=2)
    loss = np.where(diff < 0, wbar, 0.0).sum(axis=2)
    pair &= total > 0
    net = np.where(np.abs(win - loss) <= TIE_RTOL * total, 0.0, win - loss)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(pair, net / np.where(pair, total, 1.0), 0.0)
    return m, pair


def outranking(A: np.ndarray, W: np.ndarray, *, ok: np.ndarray | None = None,
               groups: np.ndarray | None = None) -> np.ndarray:
    """The weighted outranking matrix ``e_jk`` of the Handbook (2008, section 6.1.3).

    For a pair of units of the same peer group that both get a score (``ok``), the indicators
    both have are weighted by the mean of the two units' weights, renormalised; ``e_jk`` sums
    those on which ``j`` is better plus half of those on which they tie, so ``e_jk + e_kj = 1``.
    Weight sums equal within :data:`TIE_RTOL` count as equal (``e_jk = 1/2`` exactly).

    Returns
    -------
    ndarray
        ``(units, units)``; NaN on the diagonal and for pairs that are not compared (other peer
        group, a unit without a score, or no indicator in common).

    Examples
    --------
    >>> outranking(np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0]]), np.ones((2, 3))).tolist()
    [[nan, 0.5], [0.5, nan]]
    """
    m, pair = _margins(A, W, ok, groups)
    return np.where(pair, 0.5 + m / 2.0, np.nan)


def copeland(A: np.ndarray, W: np.ndarray, *, ok: np.ndarray | None = None,
             groups: np.ndarray | None = None) -> np.ndarray:
    """Copeland scores from the weighted outranking matrix (Handbook eq. 6.2).

    ``e_jk`` as in :func:`outranking`. A unit scores +1 for every unit it beats
    (``e_jk > 1/2``) and −1 for every unit that beats it; ties and pairs without an indicator in
    common count 0. The comparison is of the weight sums themselves (equal within
    :data:`TIE_RTOL`), so a 3–3 split of six indicators weighted 1/6 is a tie and the scores of
    a peer group sum to zero. Units that are not ``ok`` get NaN and are nobody's opponent.

    Parameters
    ----------
    A : ndarray
        Units × indicators (NaN = missing).
    W : ndarray
        Units × indicators weights (0 for indicators that do not count for a unit).
    ok : ndarray of bool, optional
        Units that get a score (default: all).
    groups : ndarray, optional
        Peer group per unit; units are compared only within their group.

    Examples
    --------
    >>> A = np.array([[60.0, 40.0, np.nan], [40.0, 60.0, 50.0]])
    >>> copeland(A, np.ones((2, 3))).tolist()  # mirror images on the indicators both have
    [0.0, 0.0]
    """
    m, pair = _margins(A, W, ok, groups)
    s = np.where(pair, np.sign(m), 0.0).sum(axis=1)
    n = A.shape[0]
    ok = np.ones(n, dtype=bool) if ok is None else np.asarray(ok, dtype=bool)
    return np.where(ok, s, np.nan)


def kemeny(A: np.ndarray, W: np.ndarray, *, ok: np.ndarray | None = None,
           groups: np.ndarray | None = None, labels: np.ndarray | None = None) -> np.ndarray:
    """Condorcet–Kemeny–Young–Levenglick ranking within each peer group (Handbook eqs. 6.3–6.4).

    Among all rankings of the units of a peer group that get a score (``ok``), the one that
    maximises ``Σ e_jk`` over the ordered pairs it puts ``j`` above ``k``, with ``e_jk`` the
    weighted outranking matrix of :func:`outranking` (pairs without an indicator in common count
    1/2 either way). It is solved exactly as the binary integer programme of Conitzer et al.
    (2006) with HiGHS (``scipy.optimize.milp``): ``x_jk = 1`` when ``j`` is above ``k``, for
    ``j < k`` only (``x_kj = 1 − x_jk``), and the transitivity (triangle) constraints
    ``0 <= x_ij + x_jk − x_ik <= 1`` for every ``i < j < k``, the form ``x_ij + x_jk + x_ki <= 2``
    takes after the substitution.

    Two reductions keep the programme small and do not change the optimum:

    * units that are indistinguishable — they tie with each other (``e_jk = 1/2``) and outrank
      every other unit equally, e.g. units with the same values on every indicator — are one
      entry of the programme, its pairs weighted by the product of the counts; they share a
      place and tie in the ranking;
    * the units are split into the strongly connected parts of the pairwise majority graph
      (``j → k`` when ``e_jk >= 1/2``). When every unit of a part beats every unit of another,
      every Kemeny ranking puts the first part above (exchanging two adjacent units that violate
      this would raise the objective), so each part is solved on its own. In particular a
      Condorcet winner (``e_jk > 1/2`` against everybody) is ranked first.

    The result is deterministic and does not depend on the order of the rows: the units are
    sorted by ``labels`` before the programme is built. Where several rankings are optimal the
    one HiGHS returns for that programme is taken (two units of a part of two that tie are
    ordered by label).

    Scores are on Copeland's scale: the number of units ranked below minus the number ranked
    above, so ranks follow the Kemeny order and the scores of a peer group sum to zero.

    Parameters
    ----------
    A : ndarray
        Units × indicators (NaN = missing).
    W : ndarray
        Units × indicators weights (0 for indicators that do not count for a unit).
    ok : ndarray of bool, optional
        Units that get a score (default: all); the others get NaN and are nobody's opponent.
    groups : ndarray, optional
        Peer group per unit; units are ranked only within their group.
    labels : ndarray, optional
        Unit identifiers, which fix the order the units enter the programme (default: row
        order).

    Returns
    -------
    ndarray
        Score per unit.

    Raises
    ------
    ValueError
        When a strongly connected part of a group has more than :data:`KEMENY_MAX_UNITS` units,
        or the solver does not finish within :data:`KEMENY_TIME_LIMIT` seconds.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 6.1.3.
    Kemeny (1959); Young and Levenglick (1978); Conitzer, Davenport and Kalagnanam (2006).

    Examples
    --------
    >>> A = np.array([[3.0, 3.0, 1.0], [2.0, 1.0, 3.0], [1.0, 2.0, 2.0]])
    >>> kemeny(A, np.ones((3, 3))).tolist()
    [2.0, 0.0, -2.0]
    """
    n = A.shape[0]
    ok = np.ones(n, dtype=bool) if ok is None else np.asarray(ok, dtype=bool)
    m, _ = _margins(A, W, ok, groups)
    out = np.full(n, np.nan)
    order = _label_order(labels, n)
    g = np.zeros(n, dtype=int) if groups is None else np.asarray(groups)
    rows = order[ok[order]]
    codes, names = pd.factorize(pd.Series(g[rows], dtype=object), use_na_sentinel=True)
    for c in range(-1, len(names)):
        members = rows[codes == c]
        if c == -1:     # no peer group: nobody to compare with
            out[members] = 0.0
            continue
        out[members] = _kemeny_group(m[np.ix_(members, members)], names[c])
    return out


def _label_order(labels, n: int) -> np.ndarray:
    if labels is None:
        return np.arange(n)
    labels = np.asarray(labels, dtype=object)
    try:
        return np.argsort(labels, kind="stable")
    except TypeError:       # labels of mixed types: order by their text
        return np.argsort(labels.astype(str), kind="stable")


def _kemeny_group(M: np.ndarray, group) -> np.ndarray:
    """Kemeny scores of one peer group from its net outranking matrix ``M`` (label order)."""
    n = len(M)
    # indistinguishable units: equal rows of M (which includes a tie between them)
    cls = np.full(n, -1)
    reps: list[int] = []
    for i in range(n):
        if cls[i] < 0:
            same = (np.abs(M - M[i]).max(axis=1) <= TIE_RTOL) & (cls < 0)
            cls[same] = len(reps)
            reps.append(i)
    sizes = np.bincount(cls).astype(float)
    Q = M[np.ix_(reps, reps)]
    r = len(reps)
    # strongly connected parts of the majority graph; between two parts every pair is won
    # strictly by the same side, so the parts are totally ordered by how many others they beat
    k, part = connected_components(sparse.csr_matrix((Q >= 0) & ~np.eye(r, dtype=bool)),
                                   directed=True, connection="strong")
    beats = np.zeros((k, k), dtype=bool)
    np.logical_or.at(beats, (part[:, None], part[None, :]), Q > 0)
    np.fill_diagonal(beats, False)
    ranked: list[int] = []
    for p_ in np.argsort(-beats.sum(axis=1), kind="stable"):
        idx = np.flatnonzero(part == p_)
        if len(idx) > 2:
            if len(idx) > KEMENY_MAX_UNITS:
                raise ValueError(
                    f"Kemeny ranking of peer group {group!r} ({int(sizes.sum())} units): "
                    f"{len(idx)} of them outrank each other in cycles, more than "
                    f"KEMENY_MAX_UNITS = {KEMENY_MAX_UNITS} for which the exact integer "
                    "programme is solved (it grows like the cube of that number). Use method "
                    "'copeland' (the same pairwise comparisons, without the optimisation), or "
                    "smaller peer groups.")
            idx = idx[_kemeny_order(Q[np.ix_(idx, idx)] * np.outer(sizes[idx], sizes[idx]),
                                    group)]
        ranked.extend(idx.tolist())      # a part of two is a tie: label order
    ranked_sizes = sizes[ranked]
    above = np.concatenate([[0.0], np.cumsum(ranked_sizes)[:-1]])
    below = n - above - ranked_sizes
    score = np.empty(r)
    score[ranked] = below - above
    return score[cls]


def _kemeny_order(C: np.ndarray, group) -> np.ndarray:
    """Positions, best first, of the ranking maximising ``Σ_{j above k} C_jk`` (``C``
    antisymmetric), by the binary integer programme described in :func:`kemeny`."""
    r = len(C)
    iu, ju = np.triu_indices(r, k=1)
    var = np.zeros((r, r), dtype=np.int64)
    var[iu, ju] = np.arange(len(iu))
    c = -C[iu, ju]                         # maximise Σ_{i<j} C_ij x_ij (+ constant)
    big = np.abs(c).max()
    if big > 0:
        c = c * (_KEMENY_OBJECTIVE_SCALE / big)
    t = np.array(list(combinations(range(r), 3)), dtype=np.int64)
    rows = np.repeat(np.arange(len(t)), 3)
    cols = np.column_stack([var[t[:, 0], t[:, 1]], var[t[:, 1], t[:, 2]],
                            var[t[:, 0], t[:, 2]]]).ravel()
    vals = np.tile([1.0, 1.0, -1.0], len(t))
    T = sparse.csr_matrix((vals, (rows, cols)), shape=(len(t), len(iu)))
    res = milp(c, integrality=np.ones(len(iu)), bounds=Bounds(0, 1),
               constraints=LinearConstraint(T, 0.0, 1.0),
               options={"mip_rel_gap": 0.0, "time_limit": KEMENY_TIME_LIMIT})
    if res.status != 0 or res.x is None:
        raise ValueError(f"Kemeny ranking of peer group {group!r}: the integer programme for "
                         f"{r} units that outrank each other in cycles was not solved "
                         f"({res.message}). Use method 'copeland' instead.")
    x = np.zeros((r, r))
    x[iu, ju] = res.x > 0.5
    x[ju, iu] = 1.0 - x[iu, ju]
    return np.argsort(x.sum(axis=0), kind="stable")    # column sums: how many are above
