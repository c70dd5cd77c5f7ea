"""Benefit of the doubt (BoD, 有利权重 / DEA 赋权): each unit's most favourable weights.

For unit ``i`` the BoD score is the linear programme (Cherchye et al. 2007; Handbook
section 6.1, "Benefit of the doubt approach")::

    CI_i = max_w  Σ_j w_j x_ij
           s.t.   Σ_j w_j x_kj ≤ 1   for every unit k (of i's peer group)
                  w_j ≥ 0,

i.e. data envelopment analysis with constant returns and one unit input: the unit is scored
with the weights that flatter it most, relative to the best unit under those same weights, so
``CI_i ∈ [0, 1]`` and the units on the frontier score 1.

Solver. The programmes are solved in their envelopment (dual) form (Cooper, Seiford & Tone 2007,
chapter 3)::

    CI_i = min_λ  Σ_k λ_k    s.t.  Σ_k λ_k x_kj ≥ x_ij  (j = 1..m),  λ ≥ 0,

whose row duals are unit i's optimal weights ``w``. One HiGHS model (``highspy``) per peer group
is built once and re-solved for every unit: between units only the right-hand side ``x_i``
changes (with pie-share restrictions, the coefficients of ``3m`` restriction entries), so each
solve warm-starts from the previous optimal basis with a few dual simplex iterations. Three
shortcuts keep this at about a second for 1,000 units × 30 indicators (13–30 s with one cold
``linprog`` per unit; ``benchmarks/bench_bod.py``):

* column generation: the model holds only the peers needed so far (at first the best unit on
  each indicator); after each solve the weights are priced against every unit, and units that
  would score above 1 join as columns (the most violated first, which is on the frontier),
  until no unit does;
* units are solved along a nearest-neighbour tour of their directions ``x_i / ‖x_i‖``, so that
  consecutive right-hand sides, and their optimal bases, are close;
* a unit that scores 1 under another unit's optimal weights (which it satisfies, share
  restrictions included) is on the frontier and takes those weights without an LP of its own.

Scores equal those of the per-unit LP to about 1e-10 (``tests/test_weighting_bod.py`` checks
them against ``scipy.optimize.linprog``). Each unit's weights are rescaled so that the best unit
of the peer group scores exactly 1 under them.

Weight restrictions (``bounds=(lo, hi)`` or per indicator ``{code: (lo, hi)}``):

* ``bounds_on="weights"`` (default): each indicator's share of the weights,
  ``lo ≤ w_j / Σ_k w_k ≤ hi``. With sample min-max data this reproduces the BoD column of the
  Handbook's Table 23 for the TAI exactly with ``bounds=(0.10, 0.15)`` (three countries tied
  at 1, every other rank equal).
* ``bounds_on="shares"``: the "pie share" of each indicator in the unit's score,
  ``lo ≤ w_j x_ij / Σ_k w_k x_ik ≤ hi`` (Cherchye et al. 2007, section 4). Units with a zero
  on an indicator cannot meet ``lo > 0`` and are reported.

Peer groups (``groups``): a unit is compared only with the units of its own group. An indicator
on which every unit of a group scores 0 carries no information there: it gets weight 0 in that
group (logged) and its restriction is dropped.

The optimal weights of a unit need not be unique (frontier units in particular have many);
scores are unique. The reported weights are *one* optimal vector, chosen deterministically from
the data: the distinct rows, sorted by value, are solved along the tour above, which depends on
the values only, never on the order of the rows. So the same units in any order get the same
weights (bit for bit), identical units get identical weights, and a frontier unit may carry the
weights of the unit whose LP found it. Adding or removing units can change the weights chosen for the others
even where their scores stay the same.

References
----------
Cherchye, L., Moesen, W., Rogge, N. & Van Puyenbroeck, T. (2007). An introduction to 'benefit
of the doubt' composite indicators. *Social Indicators Research* 82(1), 111–145.
doi:10.1007/s11205-006-9029-7
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 6.1 and Table 23.
doi:10.1787/9789264043466-en
Cooper, W. W., Seiford, L. M. & Tone, K. (2007). *Data Envelopment Analysis*, 2nd ed.,
chapters 3 (the envelopment form and its dual) and 6 (assurance-region weight restrictions).
Springer. doi:10.1007/978-0-387-45283-8
Melyn, W. & Moesen, W. (1991). Towards a synthetic indicator of macroeconomic performance:
unequal weighting when limited information is available. Public Economics Research Paper 17,
KU Leuven.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import highspy
import numpy as np
import pandas as pd

from zhengji_lab.weighting._common import as_table, check_choice, logger, named

# The pybind11 class under highspy's ``Highs`` wrapper: the wrapper's constructor registers
# callbacks, which makes HiGHS print its banner to stdout before ``output_flag`` can be switched
# off (ERGO-Code/HiGHS#1702: the flag must be set before any other call). Falls back to
# ``Highs`` where a highspy release does not expose ``_Highs``.
_Highs = getattr(highspy, "_Highs", highspy.Highs)
_INF = highspy.kHighsInf
#: A unit scoring at least 1 - FRONTIER_TOL under another unit's optimal weights takes them.
FRONTIER_TOL = 1e-10
#: A unit scoring above 1 + PRICE_TOL under the current weights joins the model as a column.
PRICE_TOL = 1e-9
#: At most this many such units join per pricing round (the most violated first).
PRICE_BATCH = 10


@dataclass(frozen=True, eq=False)
class BoDResult:
    """Benefit-of-the-doubt scores and each unit's own weights.

    Attributes
    ----------
    scores : Series
        BoD score of each unit in [0, 1] (1 = on the frontier of its peer group).
    weights : DataFrame
        Units × indicators: **each unit's own** optimal weights (one optimal vector, chosen
        deterministically; see the module notes), scaled so that the best unit of the peer
        group scores exactly 1 under them. BoD has no single weight vector: "the" weights are
        per unit, and not unique (frontier units have many).
    shares : DataFrame
        Units × indicators: ``w_j x_ij / Σ_k w_k x_ik``, each indicator's share of the unit's
        score (0 for a unit scoring 0).
    """

    scores: pd.Series
    weights: pd.DataFrame
    shares: pd.DataFrame

    @property
    def mean_weights(self) -> pd.Series:
        """Average of the units' weight vectors, each first rescaled to sum to 1, renormalised.

        A summary for comparing BoD with common-weight methods; units whose weights are all 0
        (a unit with only zeros) are left out.
        """
        W = self.weights.to_numpy()
        tot = W.sum(axis=1)
        rel = W[tot > 0] / tot[tot > 0, None]
        m = rel.mean(axis=0)
        return pd.Series(m / m.sum(), index=self.weights.columns, name="weight")

    def to_frame(self) -> pd.DataFrame:
        """Units × (score, weights of each indicator)."""
        return self.weights.add_prefix("w_").assign(score=self.scores)


def _bounds_table(bounds, codes, func) -> tuple[np.ndarray, np.ndarray] | None:
    if bounds is None:
        return None
    if isinstance(bounds, Mapping):
        lacking = [c for c in codes if c not in bounds]
        if lacking:
            raise ValueError(f"The 'bounds' parameter of {func}() has no (lo, hi) for "
                             f"{named(lacking)}; give every indicator a pair, or one pair for "
                             f"all.")
        pairs = [bounds[c] for c in codes]
    else:
        pairs = [bounds] * len(codes)
    try:
        lo, hi = (np.array(v, dtype=float) for v in zip(*pairs))
    except (TypeError, ValueError):
        raise ValueError(f"The 'bounds' parameter of {func}() must be a pair (lo, hi) or a "
                         f"mapping code -> (lo, hi). Got {bounds!r} instead.") from None
    if not (np.isfinite(lo).all() and np.isfinite(hi).all() and (0 <= lo).all()
            and (lo <= hi).all() and (hi <= 1).all()):
        raise ValueError(f"The 'bounds' parameter of {func}() must satisfy 0 <= lo <= hi <= 1. "
                         f"Got {bounds!r} instead.")
    if lo.sum() > 1 + 1e-12 or hi.sum() < 1 - 1e-12:
        raise ValueError(f"The 'bounds' parameter of {func}() cannot be met: the lower bounds "
                         f"sum to {lo.sum():g} and the upper bounds to {hi.sum():g}, but the "
                         f"shares must sum to 1.")
    return lo, hi


def _group_bounds(lims, live, sub, on, members, group):
    """The restrictions of the indicators that vary in a group, checked for feasibility."""
    lo, hi = lims[0][live], lims[1][live]
    if lo.sum() > 1 + 1e-12 or hi.sum() < 1 - 1e-12:
        raise ValueError(f"bod(): in group {group!r} only {int(live.sum())} indicators are not "
                         f"0 for every unit, and their bounds cannot be met (lower bounds sum to "
                         f"{lo.sum():g}, upper to {hi.sum():g}). Widen the bounds.")
    if on == "shares" and (lo > 0).any():
        stuck = (sub[:, lo > 0] == 0).any(axis=1)
        if stuck.any():
            raise ValueError(f"bod(bounds_on='shares') cannot give units {named(members[stuck])} "
                             f"a positive share of an indicator on which they score 0. Lower "
                             f"those bounds to 0 or use bounds_on='weights'.")
    return lo, hi


class _Envelopment:
    """The envelopment form of one peer group's BoD programmes: built once, re-solved per unit.

    Unit i's multiplier programme and its dual (Cooper, Seiford & Tone 2007, chapters 3 and 6),
    with ``P`` the group's data and ``R w ≤ 0`` the weight restrictions::

        max x_i·w   s.t.  P w ≤ 1,  R w ≤ 0,  w ≥ 0
        min Σ_k λ_k s.t.  Pᵀλ + Rᵀμ ≥ x_i,  λ, μ ≥ 0

    On weights (``bounds_on="weights"``) R has the rows ``lo_j Σw − w_j`` (lo_j > 0) and
    ``w_j − hi_j Σw`` (hi_j < 1), the same for every unit, so only the right-hand side ``x_i``
    changes. Pie shares restrict ``w_j x_ij / s`` with ``s = x_i·w`` (Cherchye et al. 2007,
    section 4); with ``s`` as a variable the pair is::

        max s  s.t.  P w ≤ 1,  s − x_i·w = 0 [θ],  lo_j s − x_ij w_j ≤ 0 [μ_j],
                     x_ij w_j − hi_j s ≤ 0 [ν_j],  w ≥ 0
        min Σ_k λ_k  s.t.  Σ_k λ_k x_kj − x_ij (θ + μ_j − ν_j) ≥ 0 (every j),
                           θ + lo·μ − hi·ν = 1,  θ free

    so only the ``x_ij`` entries of the θ, μ and ν columns change between units. The row duals of
    the indicator rows are the weights ``w``. Peers join as columns when first needed
    (:meth:`solve`).
    """

    def __init__(self, P: np.ndarray, lims: tuple[np.ndarray, np.ndarray] | None, on: str):
        n, m = P.shape
        self.P, self.m = P, m
        lo, hi = (np.zeros(m), np.ones(m)) if lims is None else lims
        lo_at, hi_at = np.flatnonzero(lo > 0), np.flatnonzero(hi < 1)
        self.shares = on == "shares" and (lo_at.size + hi_at.size) > 0
        self.lims = (lo, hi)
        self.rows = np.arange(m, dtype=np.int32)
        self.joined = np.zeros(n, dtype=bool)
        h = self.h = _Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")  # re-solves warm-start from the model's own basis
        if self.shares:
            h.addRows(m + 1, np.r_[np.zeros(m), 1.0], np.r_[np.full(m, _INF), 1.0], 0,
                      np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
            # θ, then μ_j, ν_j: only their entry in the score row s (row m) is fixed
            coef = np.r_[1.0, lo[lo_at], -hi[hi_at]]
            k = len(coef)
            h.addCols(k, np.zeros(k), np.r_[-_INF, np.zeros(k - 1)], np.full(k, _INF), k,
                      np.arange(k, dtype=np.int32), np.full(k, m, dtype=np.int32), coef)
            # per unit: the rows j, columns and signs of the entries ±x_ij that change
            self.at = np.r_[np.arange(m), lo_at, hi_at]
            self.cols = np.r_[np.zeros(m, int), 1 + np.arange(k - 1)].tolist()
            self.sign = np.r_[-np.ones(m + lo_at.size), np.ones(hi_at.size)]
        else:
            h.addRows(m, np.zeros(m), np.full(m, _INF), 0,
                      np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
            cols = [lo[j] - np.eye(m)[j] for j in lo_at] + [np.eye(m)[j] - hi[j] for j in hi_at]
            if cols:
                self._add_columns(np.array(cols), cost=0.0)
        # at first the best unit on each indicator: it bounds every weight
        self._join(np.unique(np.argmax(P, axis=0)))

    def _add_columns(self, C: np.ndarray, cost: float) -> None:
        nz = C != 0
        self.h.addCols(len(C), np.full(len(C), cost), np.zeros(len(C)), np.full(len(C), _INF),
                       int(nz.sum()), np.r_[0, np.cumsum(nz.sum(axis=1))[:-1]].astype(np.int32),
                       np.nonzero(nz)[1].astype(np.int32), C[nz])

    def _join(self, units: np.ndarray) -> None:
        self.joined[units] = True
        self._add_columns(self.P[units], cost=1.0)

    def solve(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Unit i's optimal weights, scaled so that the best unit scores 1, and every unit's score
        under them.

        Column generation: the weights of the current model are priced against every unit of
        the group; units scoring above 1 under them join as columns (at most ``PRICE_BATCH``,
        the most violated first) and the model is re-solved, until none does. The most
        violated unit is the best under some admissible weights, hence on the frontier: the
        model grows towards the frontier units, not towards all units.
        """
        h, x = self.h, self.P[i]
        if self.shares:
            for r, c, v in zip(self.at.tolist(), self.cols, (self.sign * x[self.at]).tolist()):
                h.changeCoeff(r, c, v)
        else:
            h.changeRowsBounds(self.m, self.rows, x, np.full(self.m, _INF))
        while True:
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                # bounded and feasible by construction; guard anyway
                raise ArithmeticError(f"bod(): the linear programme failed "
                                      f"({h.modelStatusToString(h.getModelStatus())}).")
            # HiGHS may return -0.0 or -1e-17 at a zero bound
            w = np.maximum(np.asarray(h.getSolution().row_dual[:self.m]), 0.0)
            t = self.P @ w
            out = np.flatnonzero((t > 1 + PRICE_TOL) & ~self.joined)
            if not out.size:
                break
            self._join(out[np.argsort(-t[out], kind="stable")[:PRICE_BATCH]])
        top = t.max()
        return (w / top, t / top) if top > 0 else (w, t)

    def admits(self, X: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Which units (rows of X) meet their own pie-share restrictions under ``w``."""
        if not self.shares:
            return np.ones(len(X), dtype=bool)
        lo, hi = self.lims
        S = X * w / (X @ w)[:, None]
        return ((S >= lo - FRONTIER_TOL) & (S <= hi + FRONTIER_TOL)).all(axis=1)


def _tour(P: np.ndarray, skip: np.ndarray) -> list[int]:
    """The units (rows of P) not in ``skip`` along a nearest-neighbour tour of their directions.

    It starts at the unit with the largest sum; each next unit is the one closest in angle to
    the current one. Ties go to the first in ``P``'s order, so the tour depends on the data
    only. Consecutive units of the tour have close right-hand sides in the envelopment form,
    hence close optimal bases: about a third fewer simplex iterations than in canonical order.
    """
    idx = np.flatnonzero(~skip)
    U = P[idx] / np.linalg.norm(P[idx], axis=1, keepdims=True)
    left = np.ones(len(idx), dtype=bool)
    cur, tour = int(np.argmax(P[idx].sum(axis=1))), []
    for _ in range(len(idx)):
        left[cur] = False
        tour.append(int(idx[cur]))
        if left.any():
            cur = int(np.argmax(np.where(left, U @ U[cur], -np.inf)))
    return tour


def _group_weights(sub: np.ndarray, lims: tuple[np.ndarray, np.ndarray] | None,
                   on: str) -> np.ndarray:
    """Each unit's optimal weights within one peer group (units × indicators of ``sub``)."""
    # identical units are solved once; np.unique sorts, so nothing depends on the row order
    P, inverse = np.unique(sub, axis=0, return_inverse=True)
    W = np.zeros_like(P)
    done = ~(P > 0).any(axis=1)  # only zeros: score 0 under any weights; weights left at 0
    if not done.all():
        model = _Envelopment(P, lims, on)
        for i in _tour(P, done):
            if done[i]:
                continue
            w, t = model.solve(i)
            # units on the frontier under i's weights (which they admit) are solved with them
            found = np.flatnonzero(~done & (t >= 1 - FRONTIER_TOL))
            found = found[model.admits(P[found], w)]
            W[found], done[found] = w, True
            W[i], done[i] = w, True
    return W[inverse.ravel()]


def bod(X: pd.DataFrame, *, bounds=None, bounds_on: Literal["weights", "shares"] = "weights",
        groups=None, dropna: bool = False) -> BoDResult:
    """Benefit-of-the-doubt scores and weights (DEA, constant returns; Cherchye et al. 2007).

    Parameters
    ----------
    X : DataFrame
        Units (rows) × indicators (columns), normalised so that higher is better, ≥ 0. BoD is
        invariant to rescaling a column (unless ``bounds`` restrict the weights themselves,
        ``bounds_on="weights"``: ``w_j / Σ w`` depends on the columns' units), not to shifting
        it: min-max and goalpost data give different scores.
    bounds : (float, float) or Mapping, optional
        Restrictions ``(lo, hi)`` on each indicator's share (see ``bounds_on``), one pair for
        all or ``{code: (lo, hi)}``.
    bounds_on : {"weights", "shares"}
        ``"weights"``: ``w_j / Σ w`` (the Handbook's TAI example); ``"shares"``: the pie share
        ``w_j x_ij / Σ w x_i`` (Cherchye et al. 2007).
    groups : Series or Mapping, optional
        Unit -> peer group; each unit is compared only with the units of its group.
    dropna : bool
        Drop units with missing values (logged) instead of raising.

    Returns
    -------
    BoDResult
        ``.scores`` (per unit), ``.weights`` (units × indicators, each unit's own weights),
        ``.shares`` and ``.mean_weights`` (normalised average, a summary only).

    Examples
    --------
    With one indicator the score is ``x / max(x)``:

    >>> import pandas as pd, zhengji_lab as zl
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 4.0]}, index=["u1", "u2", "u3"])
    >>> zl.weighting.bod(X).scores.to_dict()
    {'u1': 0.25, 'u2': 0.5, 'u3': 1.0}
    """
    check_choice(bounds_on, ("weights", "shares"), "bounds_on", "bod")
    A, units, codes = as_table(X, "bod", dropna=dropna, min_units=1)
    neg = (A < 0).any(axis=0)
    if neg.any():
        raise ValueError(f"bod() needs data >= 0 (normalised, higher is better); columns "
                         f"{named(codes[neg])} have negative values. Normalise them first "
                         f"(e.g. min-max).")
    lims = _bounds_table(bounds, codes, "bod")
    if groups is None:
        labels, names = np.zeros(len(units), dtype=int), ["(all units)"]
    else:
        g = pd.Series(groups)
        lacking = [u for u in units if u not in g.index]
        if lacking:
            raise ValueError(f"The 'groups' parameter of bod() has no group for units "
                             f"{named(lacking)}.")
        g = g.reindex(units)
        if g.isna().any():
            raise ValueError(f"The 'groups' parameter of bod() has missing groups for units "
                             f"{named(units[g.isna().to_numpy()])}.")
        labels, names = pd.factorize(g)

    W = np.zeros_like(A)
    for lab in np.unique(labels):
        members = np.flatnonzero(labels == lab)
        # an indicator on which every unit of the group scores 0 carries no information there:
        # it gets weight 0 and its restriction is dropped
        live = (A[members] > 0).any(axis=0)
        if not live.all():
            logger.info("bod(): indicator(s) %s are 0 for every unit of group %r; weight 0 there.",
                        named(codes[~live]), names[lab])
        if not live.any():
            continue  # every unit of the group scores 0
        sub = A[np.ix_(members, live)]
        sub_lims = None if lims is None else _group_bounds(lims, live, sub, bounds_on,
                                                            units[members], names[lab])
        W[np.ix_(members, live)] = _group_weights(sub, sub_lims, bounds_on)
    score = (A * W).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        S = np.where(score[:, None] > 0, A * W / score[:, None], 0.0)
    return BoDResult(
        scores=pd.Series(np.minimum(score, 1.0), index=units, name="score"),
        weights=pd.DataFrame(W, index=units, columns=codes),
        shares=pd.DataFrame(S, index=units, columns=codes),
    )
