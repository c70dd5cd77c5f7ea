"""Benefit of the doubt (BoD, 有利权重 / DEA 赋权): each unit's most favourable weights.

For unit ``i`` the BoD score is the linear programme (Cherchye et al. 2007; Handbook
section 6.1, "Benefit of the doubt approach")::

    CI_i = max_w  Σ_j w_j x_ij
           s.t.   Σ_j w_j x_kj ≤ 1   for every unit k (of i's peer group)
                  w_j ≥ 0,

i.e. data envelopment analysis with constant returns and one unit input: the unit is scored
with the weights that flatter it most, relative to the best unit under those same weights, so
``CI_i ∈ [0, 1]`` and the units on the frontier score 1. Each LP is solved by
``scipy.optimize.linprog`` (HiGHS).

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
scores are unique. To make the reported weights independent of the order of the rows, the
constraints are given to the solver in a canonical order (sorted by the data).

References
----------
Cherchye, L., Moesen, W., Rogge, N. & Van Puyenbroeck, T. (2007). An introduction to 'benefit
of the doubt' composite indicators. *Social Indicators Research* 82(1), 111–145.
doi:10.1007/s11205-006-9029-7
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 6.1 and Table 23.
doi:10.1787/9789264043466-en
Melyn, W. & Moesen, W. (1991). Towards a synthetic indicator of macroeconomic performance:
unequal weighting when limited information is available. Public Economics Research Paper 17,
KU Leuven.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from zhengji_lab.weighting._common import as_table, canonical_rows, check_choice, logger, named


@dataclass(frozen=True, eq=False)
class BoDResult:
    """Benefit-of-the-doubt scores and each unit's own weights.

    Attributes
    ----------
    scores : Series
        BoD score of each unit in [0, 1] (1 = on the frontier of its peer group).
    weights : DataFrame
        Units × indicators: **each unit's own** optimal weights as the LP returns them, scaled
        so that the best unit of the peer group scores 1 under them (BoD has no single weight
        vector: "the" weights are per unit). Not unique for frontier units.
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


def _solve(x: np.ndarray, peers: np.ndarray, restrict: np.ndarray | None) -> np.ndarray:
    """Optimal weights of one unit: max x·w s.t. peers·w ≤ 1, restrict·w ≤ 0, w ≥ 0."""
    A_ub, b_ub = peers, np.ones(len(peers))
    if restrict is not None:
        A_ub = np.vstack([peers, restrict])
        b_ub = np.concatenate([b_ub, np.zeros(len(restrict))])
    res = linprog(-x, A_ub=A_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    if res.status != 0:  # bounded and feasible (w = 0) by construction; guard anyway
        raise ArithmeticError(f"bod(): the linear programme failed ({res.message}).")
    return np.clip(res.x, 0.0, None)  # HiGHS may return -0.0 or -1e-17 at a zero bound


def _restrictions(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, on: str) -> np.ndarray:
    """Rows R with R·w ≤ 0 expressing lo ≤ share_j ≤ hi."""
    m = len(x)
    base = np.ones(m) if on == "weights" else x  # share of Σw or of Σ w x_i
    own = np.diag(base)
    return np.vstack([lo[:, None] * base[None, :] - own,   # lo·Σ − w_j b_j ≤ 0
                      own - hi[:, None] * base[None, :]])  # w_j b_j − hi·Σ ≤ 0


def bod(X: pd.DataFrame, *, bounds=None, bounds_on: Literal["weights", "shares"] = "weights",
        groups=None, dropna: bool = False) -> BoDResult:
    """Benefit-of-the-doubt scores and weights (DEA, constant returns; Cherchye et al. 2007).

    Parameters
    ----------
    X : DataFrame
        Units (rows) × indicators (columns), normalised so that higher is better, ≥ 0. BoD is
        invariant to rescaling a column, not to shifting it: min-max and goalpost data give
        different scores.
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
        peers = canonical_rows(sub)  # constraint order independent of row order
        for row, i in enumerate(members):
            restrict = None if sub_lims is None else _restrictions(sub[row], *sub_lims, bounds_on)
            W[i, live] = _solve(sub[row], peers, restrict)
    score = (A * W).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        S = np.where(score[:, None] > 0, A * W / score[:, None], 0.0)
    return BoDResult(
        scores=pd.Series(np.minimum(score, 1.0), index=units, name="score"),
        weights=pd.DataFrame(W, index=units, columns=codes),
        shares=pd.DataFrame(S, index=units, columns=codes),
    )
