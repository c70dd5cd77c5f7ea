"""Weighting methods (赋权方法), one module per method, declared by name in :data:`REGISTRY`
(:mod:`zhengji_lab.weighting.registry`: how each is resolved at a node of the tree).

Every method returns weights that are ≥ 0, sum to 1 and do not depend on the order of the
units: a ``pd.Series`` indexed by indicator code, or a frozen result object that carries
``.weights`` beside its diagnostics:

==============  ===========================  ==============================================
name            function                     returns
==============  ===========================  ==============================================
``equal``       :func:`equal`                Series
``fixed``       :func:`fixed`                Series (rescaled to sum 1, logged)
``budget``      :func:`budget`               Series (expert point budgets, BAP)
``ahp``         :func:`ahp`                  :class:`AHPResult` (λ_max, CI, CR, …)
``ahp_group``   :func:`ahp_group`            :class:`AHPGroupResult` (AIJ / AIP)
``entropy``     :func:`entropy`              Series (熵权法, raw or min-max convention)
``critic``      :func:`critic`               Series (Diakoulaki et al. 1995)
``stdev``       :func:`stdev`                Series (σ of min-max data)
``pca``         :func:`pca`                  :class:`PCAResult` (Handbook factor analysis)
``bod``         :func:`bod`                  :class:`BoDResult` (per-unit weights, scores)
``combine``     :func:`combine`              Series (linear or game-theory 组合赋权)
``optimise``    :func:`optimise`             Series (importance matched to a target)
==============  ===========================  ==============================================

Missing values raise an error naming the columns, unless ``dropna=True`` (data-driven methods),
which drops the incomplete units and logs them. The public functions validate their input once
and then compute on numpy arrays; :func:`entropy_weights` and :func:`critic_weights` are the
array-level kernels for Monte Carlo loops on data already validated.
"""
from zhengji_lab.weighting.ahp import RANDOM_INDEX, AHPGroupResult, AHPResult, ahp, ahp_group
from zhengji_lab.weighting.bod import BoDResult, bod
from zhengji_lab.weighting.combine import combine
from zhengji_lab.weighting.critic import critic, critic_weights, stdev
from zhengji_lab.weighting.entropy import entropy, entropy_weights
from zhengji_lab.weighting.optimise import optimise
from zhengji_lab.weighting.pca import PCAResult, pca, varimax
from zhengji_lab.weighting.registry import REGISTRY, NodeMethod, is_fitted, resolve
from zhengji_lab.weighting.simple import budget, equal, fixed

__all__ = [
    "RANDOM_INDEX",
    "REGISTRY",
    "AHPGroupResult",
    "AHPResult",
    "BoDResult",
    "NodeMethod",
    "PCAResult",
    "ahp",
    "ahp_group",
    "bod",
    "budget",
    "combine",
    "critic",
    "critic_weights",
    "entropy",
    "entropy_weights",
    "equal",
    "fixed",
    "is_fitted",
    "optimise",
    "pca",
    "resolve",
    "stdev",
    "varimax",
]
