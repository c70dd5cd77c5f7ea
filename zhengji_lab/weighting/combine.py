"""Combined weights (组合赋权): linear mixtures and the game-theory combination (博弈论组合赋权).

``how="linear"``: ``w = Σ_k α_k w_k`` with chosen ``α`` (≥ 0, summing to 1), e.g. half
subjective (AHP) and half objective (entropy).

``how="game"`` (Lai et al. 2015): look for the combination ``w = Σ_k α_k w_k`` that
minimises its deviation ``||Σ_k α_k w_k − w_i||`` from each basic weight vector ``w_i``, a
compromise ("consensus") between the methods; the first-order conditions are the linear system

    Σ_k α_k (w_i · w_k) = w_i · w_i,   i = 1..L,

then normalise the coefficients. Lai et al. normalise ``α / Σα``; that can give negative
weights when a coefficient is negative, which happens when one weight vector is far from the
others (the system then "subtracts" it). This is a known issue of the method, handled here
explicitly by ``negative=``:

* ``"abs"`` (default): ``α* = |α| / Σ|α|``, the convention of most applications, with a
  :class:`~zhengji_lab.errors.NegativeCoefficientWarning` because ``|α|`` is no longer the
  least-squares solution;
* ``"clip"``: negative coefficients set to 0, ``α* = α⁺ / Σα⁺`` (also warns);
* ``"raise"``: refuse, so the panel chooses a linear ``α`` instead.

When every ``α_k ≥ 0`` all three agree with Lai et al.

References
----------
Lai, C., Chen, X., Chen, X., Wang, Z., Wu, X. & Zhao, S. (2015). A fuzzy comprehensive
evaluation model for flood risk based on the combination weight of game theory. *Natural
Hazards* 77(2), 1243–1259. doi:10.1007/s11069-015-1645-6
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from zhengji_lab.errors import NegativeCoefficientWarning
from zhengji_lab.weighting._common import as_weights, check_choice, logger, named


def _weight_vectors(weight_list) -> tuple[list[str], pd.Index, np.ndarray]:
    if isinstance(weight_list, Mapping):
        items = list(weight_list.items())
    elif isinstance(weight_list, Sequence) and not isinstance(weight_list, str):
        items = [(f"#{k + 1}", w) for k, w in enumerate(weight_list)]
    else:
        raise TypeError("The 'weight_list' parameter of combine() must be a list (or mapping "
                        f"name -> weights) of weight Series. Got {type(weight_list).__name__}.")
    if len(items) < 2:
        raise ValueError("The 'weight_list' parameter of combine() needs at least two weight "
                         f"vectors. Got {len(items)}.")
    names, rows, codes = [], [], None
    for name, w in items:
        w = getattr(w, "weights", w)  # AHPResult, PCAResult, … carry .weights
        if not isinstance(w, pd.Series):
            raise TypeError(f"Weights {name} given to combine() must be a Series indexed by "
                            f"code (or a result with .weights). Got {type(w).__name__}.")
        if isinstance(w.index, pd.MultiIndex) or not w.index.is_unique:
            raise ValueError(f"Weights {name} given to combine() must have unique codes.")
        if codes is None:
            codes = w.index
        elif set(w.index) != set(codes):
            raise ValueError(f"Weights {name} given to combine() cover different codes: missing "
                             f"{named([c for c in codes if c not in w.index])}, extra "
                             f"{named([c for c in w.index if c not in codes])}.")
        v = w.reindex(codes).to_numpy(dtype=float)
        if not (np.isfinite(v).all() and (v >= 0).all() and v.sum() > 0):
            raise ValueError(f"Weights {name} given to combine() must be finite, >= 0 and not "
                             f"all 0. Got {w.head(10).to_dict()}.")
        if not np.isclose(v.sum(), 1.0, rtol=0, atol=1e-9):
            logger.info("combine(): weights %s summed to %g; rescaled to sum to 1.", name,
                        v.sum())
        names.append(name)
        rows.append(v / v.sum())
    return names, codes, np.vstack(rows)


def combine(weight_list, *, how: Literal["linear", "game"] = "linear", alpha=None,
            negative: Literal["abs", "clip", "raise"] = "abs") -> pd.Series:
    """Combine several weight vectors over the same codes into one.

    Parameters
    ----------
    weight_list : sequence or mapping of Series
        The basic weights (e.g. AHP and entropy), each indexed by the same codes; results with
        a ``.weights`` attribute are accepted. Vectors not summing to 1 are rescaled (logged).
    how : {"linear", "game"}
        Linear mixture with ``alpha``, or the game-theory combination (Lai et al. 2015).
    alpha : float or sequence of float, optional
        ``how="linear"`` only: the mixing coefficients (≥ 0; rescaled to sum to 1), or a
        single ``α`` for the first of two vectors (the second gets ``1 − α``). Default: equal.
    negative : {"abs", "clip", "raise"}
        ``how="game"`` only: what to do with negative combination coefficients (see the
        module docstring).

    Returns
    -------
    Series
        Combined weights indexed by code, summing to 1.

    Examples
    --------
    >>> import pandas as pd, zhengji_lab as zl
    >>> ahp = pd.Series({"a": 0.6, "b": 0.3, "c": 0.1})
    >>> ent = pd.Series({"a": 0.2, "b": 0.3, "c": 0.5})
    >>> zl.weighting.combine([ahp, ent], alpha=0.7).round(2).to_dict()
    {'a': 0.48, 'b': 0.3, 'c': 0.22}
    >>> zl.weighting.combine([ahp, ent], how="game").round(4).to_dict()
    {'a': 0.4317, 'b': 0.3, 'c': 0.2683}
    """
    check_choice(how, ("linear", "game"), "how", "combine")
    check_choice(negative, ("abs", "clip", "raise"), "negative", "combine")
    names, codes, W = _weight_vectors(weight_list)
    L = len(names)
    if how == "linear":
        if alpha is None:
            a = np.full(L, 1 / L)
        elif isinstance(alpha, (int, float, np.number)) and not isinstance(alpha, bool):
            if L != 2 or not 0 <= alpha <= 1:
                raise ValueError("A single 'alpha' in combine() must lie in [0, 1] and needs "
                                 f"exactly two weight vectors; got alpha={alpha!r} for {L}. "
                                 "Give one coefficient per vector instead.")
            a = np.array([alpha, 1 - alpha], dtype=float)
        else:
            a = np.asarray(alpha, dtype=float).ravel()
            if len(a) != L or not (np.isfinite(a).all() and (a >= 0).all() and a.sum() > 0):
                raise ValueError(f"The 'alpha' parameter of combine() must hold {L} numbers "
                                 f">= 0 with a positive total. Got {alpha!r} instead.")
            if not np.isclose(a.sum(), 1.0, rtol=0, atol=1e-9):
                logger.info("combine(): alpha summed to %g; rescaled to sum to 1.", a.sum())
            a = a / a.sum()
    else:
        if alpha is not None:
            raise ValueError("The 'alpha' parameter of combine() is for how='linear'; the "
                             "game-theory method solves for the coefficients.")
        G = W @ W.T  # G_ik = w_i · w_k
        if np.linalg.cond(G) > 1e12:
            raise ValueError("combine(how='game') cannot separate the weight vectors (two "
                             "are identical or one is a mix of the others), so the coefficients "
                             "are not unique. Drop the duplicate or use how='linear'.")
        raw = np.linalg.solve(G, np.diag(G))  # Σ_k α_k w_i·w_k = w_i·w_i  (Lai et al. 2015)
        coef = dict(zip(names, raw.round(4).tolist()))
        logger.info("combine(how='game'): coefficients %s", coef)
        if (raw < 0).any():
            neg = [n for n, r in zip(names, raw) if r < 0]
            if negative == "raise":
                raise ValueError(f"combine(how='game') gave negative coefficients for {neg} "
                                 f"({coef}). Choose a linear alpha or pass negative='abs' or "
                                 f"'clip'.")
            warnings.warn(f"combine(how='game') gave negative coefficients for {neg} "
                          f"({coef}); used "
                          f"{'|alpha|' if negative == 'abs' else 'alpha clipped at 0'} "
                          f"normalised (negative={negative!r}).", NegativeCoefficientWarning,
                          stacklevel=2)
        a = np.abs(raw) if negative == "abs" else np.clip(raw, 0.0, None)
        a = a / a.sum()
    return as_weights(a @ W, codes, "combine")
