"""Inference for :func:`~zhengji_lab.effects.adoption_effect` that holds with few clusters.

Three methods, each giving a p-value for "no effect" and an interval at the chosen level for every
term of an estimator (:mod:`zhengji_lab.effects.estimators`):

* ``"cluster"``: the cluster-robust standard error with a t(G-1) reference; it over-rejects with
  few clusters (Cameron, Gelbach & Miller 2008; MacKinnon & Webb 2017);
* ``"wild"``: the wild cluster restricted bootstrap (WCR) of the t statistic (Cameron, Gelbach &
  Miller 2008), all :math:`2^G` Rademacher sign vectors when that is no more than ``n_boot``,
  Webb's six-point weights otherwise; intervals by test inversion (MacKinnon 2015; Roodman et al.
  2019);
* ``"randomization"``: the adoption schedule permuted across units, cohort sizes kept; intervals
  by inverting the sharp null of a constant additive effect (Imbens & Rubin 2015, ch. 5).

References
----------
Cameron, A. C., Gelbach, J. B., Miller, D. L. (2008). Bootstrap-based improvements for inference
with clustered errors. *Review of Economics and Statistics* 90(3), 414-427.
Cameron, A. C., Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
*Journal of Human Resources* 50(2), 317-372 (F(q, G-1) for Wald tests with few clusters).
Imbens, G. W., Rubin, D. B. (2015). *Causal Inference for Statistics, Social, and Biomedical
Sciences*. Cambridge University Press, ch. 5.
MacKinnon, J. G. (2015). Wild cluster bootstrap confidence intervals. *L'Actualité économique*
91(1-2), 11-33.
MacKinnon, J. G., Webb, M. D. (2017). Wild bootstrap inference for wildly different cluster
sizes. *Journal of Applied Econometrics* 32(2), 233-254.
Roodman, D., MacKinnon, J. G., Nielsen, M. Ø., Webb, M. D. (2019). Fast and wild: bootstrap
inference in Stata using boottest. *Stata Journal* 19(1), 4-60.
Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors. *Canadian
Journal of Economics* 56(3), 839-858.
"""
from __future__ import annotations

import numpy as np
from scipy import stats
from tqdm import tqdm

from zhengji_lab.effects import kernels
from zhengji_lab.effects.estimators import (
    Design,
    kernel_estimates,
    restricted_resid,
    term_cells,
)
from zhengji_lab.errors import EffectsError, choices

#: The inference methods.
INFERENCE: tuple[str, ...] = ("wild", "cluster", "randomization")
#: The wild bootstrap weight choices.
WILD_WEIGHTS: tuple[str, ...] = ("auto", "rademacher", "webb")
#: Leads resting on fewer clusters are left out of the pre-trend test.
MIN_LEAD_CLUSTERS = 3


def check_inference(inference, wild_weights, level, n_boot, n_permutations) -> None:
    """Raise :class:`~zhengji_lab.errors.EffectsError` for a parameter out of its range."""
    if inference not in INFERENCE:
        raise EffectsError(f"The 'inference' parameter of adoption_effect() must be one of "
                           f"{choices(INFERENCE)}. Got {inference!r} instead.")
    if wild_weights not in WILD_WEIGHTS:
        raise EffectsError(f"The 'wild_weights' parameter of adoption_effect() must be one of "
                           f"{choices(WILD_WEIGHTS)}. Got {wild_weights!r} instead.")
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise EffectsError(f"The 'level' parameter of adoption_effect() must be a confidence "
                           f"level between 0 and 1 such as 0.95. Got {level!r} instead.")
    for name, value in (("n_boot", n_boot), ("n_permutations", n_permutations)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 19:
            raise EffectsError(f"The '{name}' parameter of adoption_effect() must be a whole "
                               f"number of at least 19 (999 or more for reported results). Got "
                               f"{value!r} instead.")


def cluster_stats(estimates, se, n_clusters: int, level: float):
    """p-values and intervals from the cluster-robust standard errors, t(G-1) reference."""
    df = n_clusters - 1
    t = estimates / se
    crit = stats.t.ppf(0.5 + level / 2, df)
    return 2 * stats.t.sf(np.abs(t), df), estimates - crit * se, estimates + crit * se


def wild_stats(design: Design, rows, estimates, half_widths, *, level: float,
               v: np.ndarray, progress: bool = False):
    """WCR p-values (H0: effect = 0) and intervals by test inversion for every row, with the
    bootstrap weights ``v`` (:func:`~zhengji_lab.effects.kernels.wild_weights`).

    Returns
    -------
    p, lo, hi : ndarray
    """
    alpha = 1 - level
    p, lo, hi = (np.full(len(rows), np.nan) for _ in range(3))
    for r, row in enumerate(tqdm(rows, desc="wild bootstrap", disable=not progress)):
        test = kernels.wild_test(row, design.y, design.cluster, v)
        p[r] = test(0.0)[0]
        lo[r], hi[r] = kernels.invert(lambda th, test=test: test(th)[0], estimates[r],
                                      half_widths[r], alpha)
    return p, lo, hi


def permutations(design: Design, n_permutations: int, rng: np.random.Generator,
                 progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every term's estimate of ``y`` and of the observed treatment ``D`` under
    ``n_permutations`` random reassignments of the units' adoption years (cohort sizes kept);
    ``(terms, P)`` each, NaN where a term is not defined under a schedule."""
    Y = np.column_stack([design.y, design.treat])
    a = np.full((len(design.terms), n_permutations), np.nan)
    b = np.full_like(a, np.nan)
    for j in tqdm(range(n_permutations), desc="permutations", disable=not progress):
        out = kernel_estimates(design, rng.permutation(design.unit_cohort), Y)
        a[:, j], b[:, j] = out[:, 0], out[:, 1]
    return a, b


def randomization_stats(design: Design, estimates, half_widths, *, level: float,
                        n_permutations: int, rng: np.random.Generator, progress: bool = False):
    """Randomization p-values and intervals (post-adoption terms only; NaN for leads).

    Returns
    -------
    p, lo, hi : ndarray
    info : dict
        ``n_permutations`` (valid draws of the ATT) and ``n_invalid`` (schedules under which the
        estimator is not defined, left out).
    """
    a, b = permutations(design, n_permutations, rng, progress)
    k = kernel_estimates(design, design.unit_cohort,
                         np.column_stack([design.y, design.treat]))[:, 1]
    alpha = 1 - level
    p, lo, hi = (np.full(len(estimates), np.nan) for _ in range(3))
    for r in range(len(estimates)):
        if not np.isfinite(estimates[r]):
            continue
        test = kernels.permutation_test(a[r], b[r], estimates[r], round(k[r]))
        p[r] = test(0.0)
        if round(k[r]) == 1:
            lo[r], hi[r] = kernels.invert(test, estimates[r], half_widths[r], alpha)
    valid = int(np.isfinite(a[0]).sum())
    return p, lo, hi, {"n_permutations": valid, "n_invalid": n_permutations - valid}


def pretrend_test(design: Design, estimates, V, rows, v: np.ndarray) -> dict:
    """Joint test that the leads (event times before the reference -1) are 0.

    Leads resting on fewer than :data:`MIN_LEAD_CLUSTERS` clusters are left out (no test holds
    its size on one or two clusters; MacKinnon & Webb 2017). The p-value is the wild cluster
    restricted bootstrap of the mean squared lead t statistic
    (:func:`~zhengji_lab.effects.kernels.wild_joint`, with the bootstrap weights ``v``), whatever
    the inference method of the effects: the analytic Wald test with the cluster-robust
    covariance and an F(q, G-1) reference (as Cameron & Miller 2015 recommend with few
    clusters) is reported beside it (``wald_f``, ``p_value_f``) but rejects a true null far too
    often with 10-20 clusters (``benchmarks/bench_effects_size.py``).

    Returns
    -------
    dict
        ``statistic`` (mean squared t), ``df`` (number of leads), ``p_value`` (bootstrap),
        ``wald_f``, ``df_num``, ``df_den``, ``p_value_f`` (analytic), ``terms`` (the leads
        tested), ``left_out`` (thin leads), ``method``.
    """
    terms = design.terms
    G = int(design.cluster.max()) + 1
    cells = dict(zip(terms, term_cells(design, design.unit_cohort)))
    leads = [f"event_{k}" for k in design.events if k < -1]
    leads = [t for t in leads if np.isfinite(estimates[terms.index(t)])]
    thick = [t for t in leads if len(np.unique(design.cluster[cells[t]])) >= MIN_LEAD_CLUSTERS]
    out = {"statistic": np.nan, "df": len(thick), "p_value": np.nan, "wald_f": np.nan,
           "df_num": 0, "df_den": G - 1, "p_value_f": np.nan, "terms": thick,
           "left_out": [t for t in leads if t not in thick],
           "method": "wild cluster restricted bootstrap of the mean squared lead t statistic"}
    if not thick:
        return out
    idx = [terms.index(t) for t in thick]
    stat, star = kernels.wild_joint([rows[i] for i in idx], restricted_resid(design, thick),
                                    design.y, design.cluster, v)
    b, Vl = np.asarray(estimates)[idx], np.asarray(V)[np.ix_(idx, idx)]
    q = int(np.linalg.matrix_rank(Vl))
    wald = float(b @ np.linalg.pinv(Vl) @ b / max(q, 1))
    out.update(statistic=stat, p_value=float(np.mean(star >= stat * (1 - kernels.TIE))),
               wald_f=wald, df_num=q, p_value_f=float(stats.f.sf(wald, q, G - 1)) if q else np.nan)
    return out
