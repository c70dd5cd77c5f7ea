"""What adopting individualized indicators changed in outcomes outside the score.

:func:`adoption_effect` estimates the effect of adoption (a unit's first year with a target for an
individualized indicator) on an outcome such as a satisfaction survey or 12345 hotline complaints,
with staggered adoption across a county's 10-20 towns and parks: static two-way fixed effects,
Gardner's two-stage estimator or Sun & Abraham's interaction-weighted estimator, each with its
event study and a pre-trend test, and inference that holds with few clusters (wild cluster
bootstrap, randomization inference). The result says how many clusters, units and cohorts it
rests on.

References
----------
Gardner, J. (2021). Two-stage differences in differences. Working paper, arXiv:2207.05943.
Sun, L., Abraham, S. (2021). Estimating dynamic treatment effects in event studies with
heterogeneous treatment effects. *Journal of Econometrics* 225(2), 175-199.
Callaway, B., Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time periods.
*Journal of Econometrics* 225(2), 200-230.
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing.
*Journal of Econometrics* 225(2), 254-277.
de Chaisemartin, C., D'Haultfœuille, X. (2020). Two-way fixed effects estimators with
heterogeneous treatment effects. *American Economic Review* 110(9), 2964-2996.
Cameron, A. C., Gelbach, J. B., Miller, D. L. (2008). Bootstrap-based improvements for inference
with clustered errors. *Review of Economics and Statistics* 90(3), 414-427.
Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors. *Canadian
Journal of Economics* 56(3), 839-858 (working paper 2014).
MacKinnon, J. G., Webb, M. D. (2017). Wild bootstrap inference for wildly different cluster
sizes. *Journal of Applied Econometrics* 32(2), 233-254.
Roodman, D., MacKinnon, J. G., Nielsen, M. Ø., Webb, M. D. (2019). Fast and wild: bootstrap
inference in Stata using boottest. *Stata Journal* 19(1), 4-60.
Imbens, G. W., Rubin, D. B. (2015). *Causal Inference for Statistics, Social, and Biomedical
Sciences*. Cambridge University Press, ch. 5.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

import matplotlib as mpl
import numpy as np
import pandas as pd
from scipy import stats

from zhengji_lab.effects import kernels
from zhengji_lab.effects.estimators import (
    Design,
    fit_pyfixest,
    kernel_rows,
    kernel_vcov,
    make_design,
    term_cells,
)
from zhengji_lab.effects.inference import (
    check_inference,
    cluster_stats,
    pretrend_test,
    randomization_stats,
    wild_stats,
)
from zhengji_lab.effects.panel import adoption_panel
from zhengji_lab.effects.result import EffectsResult
from zhengji_lab.errors import FewClustersWarning
from zhengji_lab.pipeline.run import as_scheme
from zhengji_lab.plots import _axes, chinese_rc
from zhengji_lab.workspace import Workspace

logger = logging.getLogger(__name__)

#: Columns of :attr:`AdoptionEffect.frame`.
COLUMNS: list[str] = ["term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "kind",
                      "n"]
#: Below this many clusters analytic cluster-robust inference is flagged.
FEW_CLUSTERS = 30
_NAMES = {"did2s": "Gardner two-stage (did2s)", "twfe": "two-way fixed effects (TWFE)",
          "sun_abraham": "Sun & Abraham (interaction-weighted)"}


@dataclass(frozen=True, eq=False)
class AdoptionEffect(EffectsResult):
    """The effect of adopting individualized indicators on one outcome.

    Attributes
    ----------
    frame : DataFrame
        ``term, estimate, std_error, ci_low, ci_high, p_value, kind, n``: first ``att`` (the
        average effect over the treated unit-years), then ``cohort_<year>`` (per adoption
        cohort), then ``event_<k>`` for each year ``k`` since adoption (``kind`` ``"event"``;
        the reference year(s), ``kind == "reference"``, have estimate 0 and no error). ``n`` is
        the number of unit-years behind a row. Estimates and standard errors come from
        pyfixest; p-values and intervals from the inference method.
    outcome, estimator, inference : str
    level : float
    n_clusters, n_units, n_treated_units, n_obs : int
        What the result rests on: clusters, units, adopting units, unit-years.
    cohorts : DataFrame
        ``cohort, n_units`` of the adopting units.
    pretrend : dict
        Joint test that the leads (event times before -1 resting on 3 or more clusters) are 0:
        ``statistic`` (mean squared t), ``df``, ``p_value`` (wild cluster restricted bootstrap,
        whatever ``inference``), beside the Wald test with the cluster-robust covariance and an
        F(q, G-1) reference (``wald_f``, ``df_num``, ``df_den``, ``p_value_f``: it over-rejects
        with few clusters), ``terms``, ``left_out``, ``method``.
    event_study : DataFrame
        The event rows of ``frame`` with ``event_time``.
    notes : tuple of str
        What the result rests on, what was left out, and how to read it.
    seed : int or None
    twfe_weights : DataFrame
        ``unit_id, year, cohort, event_time, weight``: the weight static TWFE puts on each
        treated unit-year (de Chaisemartin & D'Haultfœuille 2020); negative weights are the
        symptom of its bias under heterogeneous effects.
    details : dict
        Inference settings used (bootstrap weights and draws, permutations).
    """

    outcome: str
    estimator: str
    inference: str
    level: float
    n_clusters: int
    n_units: int
    n_treated_units: int
    n_obs: int
    cohorts: pd.DataFrame
    pretrend: dict
    event_study: pd.DataFrame
    notes: tuple[str, ...]
    seed: int | None = None
    twfe_weights: pd.DataFrame | None = None
    details: dict = field(default_factory=dict)

    @property
    def att(self) -> pd.Series:
        """The ``att`` row of :attr:`frame`."""
        return self.frame.iloc[0]

    def _head(self) -> str:
        return (f"AdoptionEffect of adoption on {self.outcome!r}: {_NAMES[self.estimator]}, "
                f"{self.inference} inference; {self.n_clusters} clusters, {self.n_units} units "
                f"({self.n_treated_units} adopting in {len(self.cohorts)} cohorts), "
                f"{self.n_obs} unit-years")

    def __repr__(self) -> str:
        return f"{self._head()}\n{self.frame.to_string(max_rows=30)}"

    def summary(self, digits: int = 3) -> str:
        """The estimate table as text: what it rests on, the rows, the pre-trend test, notes."""
        table = self.frame.drop(columns="kind").round(digits).to_string(index=False)
        pt = self.pretrend
        pre = (f"Pre-trend test (事前趋势检验), leads {', '.join(pt['terms'])}: "
               f"p = {pt['p_value']:.3g} ({pt['method']})" if pt.get("terms") else
               "Pre-trend test: no lead rests on 3 or more clusters")
        notes = "".join(f"\n  note: {n}" for n in self.notes)
        return f"{self._head()}\n{table}\n{pre}{notes}"

    def plot(self, ax=None, *, title: str | None = None):
        """The event study: effect and interval by years since adoption, the ATT annotated.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        title : str, optional
            Default: the outcome and the estimator.

        Returns
        -------
        matplotlib Axes
        """
        ev = self.event_study
        att = self.att
        with mpl.rc_context(chinese_rc()):
            ax = _axes(ax, figsize=(7.0, 4.2))
            k = ev["event_time"].to_numpy(dtype=float)
            est = ev["estimate"].to_numpy(dtype=float)
            lo = ev["ci_low"].to_numpy(dtype=float)
            hi = ev["ci_high"].to_numpy(dtype=float)
            pre = k < 0
            has_ci = np.isfinite(lo) & np.isfinite(hi)
            for mask, colour, name in ((pre, "0.45", "事前 Before adoption"),
                                       (~pre, "C0", "事后 After adoption")):
                m = mask & has_ci
                ax.errorbar(k[m], est[m], yerr=[est[m] - lo[m], hi[m] - est[m]], fmt="o",
                            color=colour, capsize=3, label=name)
                m = mask & ~has_ci
                ax.plot(k[m], est[m], "o", color=colour, mfc="white")
            ax.axhline(0.0, color="0.3", linewidth=0.8)
            ax.axvline(-0.5, color="0.3", linestyle="--", linewidth=0.8)
            if np.isfinite(att["estimate"]):
                right = max(k.max(initial=0.0), 0.0) + 0.4
                ax.hlines(att["estimate"], -0.4, right, color="C3", linewidth=1.2)
                top = att["estimate"]
                if np.isfinite(att["ci_low"]) and np.isfinite(att["ci_high"]):
                    ax.fill_between([-0.4, right], att["ci_low"], att["ci_high"], color="C3",
                                    alpha=0.12, linewidth=0)
                    top = att["ci_high"]
                ax.annotate(f"ATT = {att['estimate']:.3g} "
                            f"[{att['ci_low']:.3g}, {att['ci_high']:.3g}]",
                            xy=(right, top), xytext=(-4, 3), textcoords="offset points",
                            ha="right", va="bottom", color="C3", fontsize=9)
            ax.set_xticks(k)
            ax.set_xlabel("距采用年数 Years since adoption")
            ax.set_ylabel("效应 Effect")
            ax.set_title(title or f"{self.outcome} · {_NAMES[self.estimator]}\n"
                                  f"{int(100 * self.level)}% {self.inference}, "
                                  f"{self.n_clusters} clusters")
            ax.legend(fontsize=8, loc="best")
        return ax


def adoption_effect(ws: Workspace, outcome: str, *, estimator: str = "did2s",
                    inference: str = "wild", seed: int | None = None, adoption=None,
                    level: float = 0.95, n_boot: int = 9999, n_permutations: int = 999,
                    wild_weights: str = "auto", cluster: str = "unit_id",
                    event_window: tuple[int, int] | None = None, scheme=None,
                    progress: bool = False) -> AdoptionEffect:
    """The effect of adopting individualized indicators on an outcome outside the score.

    Parameters
    ----------
    ws : Workspace
    outcome : str
        A name in ``outcomes.csv`` (looked up first), an indicator of ``values.csv`` (warns
        :class:`~zhengji_lab.errors.CircularEvidenceWarning` when it is part of the composite)
        or a name in ``covariates.csv``.
    estimator : {"did2s", "twfe", "sun_abraham"}, default "did2s"
        Gardner's two-stage estimator (robust to effects that differ by cohort and grow over
        time), static two-way fixed effects (biased under such heterogeneity: a diagnostic), or
        Sun & Abraham's interaction-weighted estimator (needs units that never adopt).
    inference : {"wild", "cluster", "randomization"}, default "wild"
        Wild cluster restricted bootstrap, analytic cluster-robust t(G-1), or randomization
        inference over adoption schedules. See :mod:`zhengji_lab.effects.inference`.
    seed : int, optional
        Seed of the bootstrap weights and the permutations.
    adoption : Series or DataFrame, optional
        ``unit_id -> first adoption year`` (or columns ``unit_id, year``) instead of the first
        year with a target for an individualized indicator in ``targets.csv``.
    level : float, default 0.95
    n_boot : int, default 9999
        Wild bootstrap draws; with :math:`2^G \\le` ``n_boot`` all sign vectors are used.
    n_permutations : int, default 999
    wild_weights : {"auto", "rademacher", "webb"}, default "auto"
        "auto": Rademacher enumeration when possible, Webb's six-point weights otherwise.
    cluster : str, default "unit_id"
        ``"unit_id"`` or a column of ``units.csv`` whose values nest units.
    event_window : (int, int), optional
        Bin event times below ``lo`` into ``lo`` and above ``hi`` into ``hi`` (``lo <= -2``,
        ``hi >= 0``); default every observed event time.
    scheme : Scheme, str or path, optional
        An indicator outcome excluded by this scheme is not circular evidence.
    progress : bool, default False
        Progress bars on the bootstrap and permutation loops.

    Returns
    -------
    AdoptionEffect

    Raises
    ------
    EffectsError
        An outcome the workspace does not have; no unit adopting; every unit adopting in the
        same year with none that never adopts; fewer than 6 clusters; an unknown estimator,
        inference method or parameter out of range.

    Notes
    -----
    Units that have outcome data but never adopt are the comparison group. Every result also
    carries the event study of its estimator (dynamic TWFE, did2s with second stage
    ``~ i(rel, ref=-1)``, or Sun & Abraham's event-time averages) and a joint pre-trend test.
    Estimates and standard errors are pyfixest's; the bootstrap and permutations refit with
    numpy kernels that equal them (:mod:`zhengji_lab.effects.kernels`). Callaway & Sant'Anna's
    estimator is not offered: with units that never adopt as the comparison group its ATT(g, t)
    equal Sun & Abraham's cohort × event-time effects.

    References
    ----------
    See the module docstring.

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> ws, truth = zl.datasets.make_city(seed=3)
    >>> r = adoption_effect(ws, "survey_satisfaction", n_boot=999, seed=1)
    >>> r.n_clusters, list(r.cohorts["n_units"])
    (14, [4, 4, 1])
    >>> r.frame.loc[0, "ci_low"] < truth.adoption_effects["survey_satisfaction"] < r.frame.loc[0, "ci_high"]
    True
    """
    check_inference(inference, wild_weights, level, n_boot, n_permutations)
    if scheme is not None:
        scheme = as_scheme(ws, scheme)
    panel = adoption_panel(ws, outcome, adoption=adoption, cluster=cluster, scheme=scheme)
    design = make_design(panel, estimator, event_window)
    notes = list(panel.notes)
    k_est, rows = kernel_rows(design)
    try:
        est, V = fit_pyfixest(design)
    except ValueError as err:
        if estimator != "did2s":
            raise
        est, V = k_est, kernel_vcov(design, rows)
        notes.append(f"pyfixest.did2s could not fit this panel ({err}: a unit or year has one "
                     f"untreated cell); estimates and GMM errors come from the numpy kernel, "
                     f"which equals pyfixest wherever pyfixest runs.")
    # pyfixest.did2s recovers fixed effects with lsqr (atol = btol = 1e-6): allow for it
    if np.nanmax(np.abs(est - k_est), initial=0.0) > 1e-4 * (1.0 + np.std(design.y)):
        warnings.warn(f"The numpy kernel and pyfixest disagree on {outcome!r} (max difference "
                      f"{np.nanmax(np.abs(est - k_est)):.3g}); bootstrap and permutation "
                      f"results may not match the reported estimates.", RuntimeWarning,
                      stacklevel=2)
    se = np.sqrt(np.diag(V))
    G = panel.n_clusters
    rng = np.random.default_rng(seed)
    v, used, enumerated = kernels.wild_weights(G, n_boot, wild_weights, rng)
    details: dict = {"weights": used, "n_boot": len(v), "enumerated": enumerated}
    crit = stats.t.ppf(0.5 + level / 2, G - 1)
    draws = (f"all {len(v)} = 2^{G} Rademacher sign vectors (the exact bootstrap "
             f"distribution)" if enumerated else
             f"{len(v)} draws of {'Webb six-point' if used == 'webb' else 'Rademacher'} weights")
    if inference == "cluster":
        p, lo, hi = cluster_stats(est, se, G, level)
        if G < FEW_CLUSTERS:
            warnings.warn(f"Analytic cluster-robust inference with {G} clusters over-rejects "
                          f"(fewer than {FEW_CLUSTERS}); use inference='wild' or "
                          f"'randomization'.", FewClustersWarning, stacklevel=2)
        notes.append(f"Inference: cluster-robust standard errors, t({G - 1}) reference; with "
                     f"{G} clusters such tests over-reject (Cameron, Gelbach & Miller 2008).")
    elif inference == "wild":
        p, lo, hi = wild_stats(design, rows, k_est, crit * se, level=level, v=v,
                               progress=progress)
        notes.append(f"Inference: wild cluster restricted bootstrap (WCR) of the t statistic "
                     f"over {G} clusters, {draws}; p-values test a zero effect, intervals "
                     f"invert the test.")
    else:
        p, lo, hi, ri = randomization_stats(design, k_est, crit * se, level=level,
                                            n_permutations=n_permutations, rng=rng,
                                            progress=progress)
        details.update(ri)
        notes.append(f"Inference: randomization over {ri['n_permutations']} permutations "
                     f"of the adoption years across the {panel.n_units} units (cohort sizes "
                     f"kept); intervals invert the sharp null of a constant additive effect; "
                     f"leads get a p-value but no interval.")
        if ri["n_invalid"]:
            notes.append(f"{ri['n_invalid']} permuted schedules left out (the estimator "
                         f"is not defined under them).")
    frame = _frame(design, est, se, p, lo, hi)
    pretrend = pretrend_test(design, est, V, rows, v)
    notes += _design_notes(design, pretrend, draws)
    weights = _twfe_weights(design)
    neg = weights["weight"] < 0
    w = weights["weight"]
    notes.append(f"Static TWFE on this panel weights the {len(w)} treated unit-years from "
                 f"{w.min():.3f} to {w.max():.3f} (the ATT weights each 1/{len(w)} = "
                 f"{1 / len(w):.3f}), {int(neg.sum())} negatively (sum {w[neg].sum():.3f}; de "
                 f"Chaisemartin & D'Haultfœuille 2020): unequal or negative weights bias it when "
                 f"effects differ by cohort or grow over time.")
    event = frame[frame["kind"].isin(["event", "reference"])].copy()
    event.insert(1, "event_time", [int(t.split("_", 1)[1]) for t in event["term"]])
    cohorts = panel.cohorts
    return AdoptionEffect(
        frame=frame, outcome=outcome, estimator=estimator, inference=inference,
        level=float(level), n_clusters=G, n_units=panel.n_units,
        n_treated_units=int(cohorts["n_units"].sum()), n_obs=len(panel.data), cohorts=cohorts,
        pretrend=pretrend, event_study=event.reset_index(drop=True), notes=tuple(notes),
        seed=seed, twfe_weights=weights, details=details)


def _frame(design: Design, est, se, p, lo, hi) -> pd.DataFrame:
    """The tidy table, reference event rows inserted in event-time order."""
    cohort, treat, rel = design.schedule(design.unit_cohort)
    n = ([int(treat.sum())] + [int(((treat > 0) & (cohort == g)).sum()) for g in design.cohorts]
         + [int((rel == k).sum()) for k in design.events])
    kinds = ["att"] + ["cohort"] * len(design.cohorts) + ["event"] * len(design.events)
    frame = pd.DataFrame({"term": design.terms, "estimate": est, "std_error": se, "ci_low": lo,
                          "ci_high": hi, "p_value": p, "kind": kinds, "n": n})
    refs = pd.DataFrame({"term": [f"event_{k}" for k in design.references], "estimate": 0.0,
                         "std_error": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                         "p_value": np.nan, "kind": "reference",
                         "n": [int((rel == k).sum()) for k in design.references]})
    head = frame[frame["kind"] != "event"]
    ev = pd.concat([frame[frame["kind"] == "event"], refs], ignore_index=True)
    ev = ev.iloc[np.argsort([int(t.split("_", 1)[1]) for t in ev["term"]], kind="stable")]
    return pd.concat([head, ev], ignore_index=True)[COLUMNS]


def _twfe_weights(design: Design) -> pd.DataFrame:
    cohort, treat, _ = design.schedule(design.unit_cohort)
    w = kernels.twfe_weights(treat, design.Q)
    data = design.panel.data
    keep = treat > 0
    return pd.DataFrame({"unit_id": data["unit_id"].to_numpy()[keep],
                         "year": data["year"].to_numpy()[keep], "cohort": cohort[keep],
                         "event_time": (design.year_value - cohort)[keep],
                         "weight": w[keep]}).reset_index(drop=True)


def _design_notes(design: Design, pretrend: dict, draws: str) -> list[str]:
    panel = design.panel
    years = panel.data["year"]
    cohorts = ", ".join(f"{c} ({n} unit{'s' if n > 1 else ''})"
                        for c, n in panel.cohorts.itertuples(index=False))
    never = int((panel.unit_cohorts == 0).sum())
    notes = [f"Outcome {panel.outcome!r} from {panel.source}: {panel.n_units} units over "
             f"{years.min()}-{years.max()} ({len(panel.data)} unit-years), {panel.n_clusters} "
             f"clusters by {panel.cluster!r}; adopting cohorts {cohorts}; {never} units never "
             f"adopt" + (" (the comparison group)." if never else
                         " (only not-yet-adopting units are compared).")]
    observed = panel.data["rel"].dropna()
    if design.window != (int(observed.min()), int(observed.max())):
        notes.append(f"Event times binned into [{design.window[0]}, {design.window[1]}]: the "
                     f"end rows pool the years beyond them.")
    refs = ", ".join(f"event_{k}" for k in design.references)
    notes.append(f"Event study reference: {refs} (estimate 0, no error).")
    if design.estimator == "did2s":
        notes.append("Standard errors: Gardner's GMM variance (pyfixest.did2s), which accounts "
                     "for the first stage and has no small-sample factor.")
    if pretrend["terms"]:
        notes.append(f"Pre-trend test of {', '.join(pretrend['terms'])} = 0: mean squared t = "
                     f"{pretrend['statistic']:.3f}, p = {pretrend['p_value']:.3f} by the wild "
                     f"cluster restricted bootstrap ({draws}); the Wald test with the "
                     f"cluster-robust covariance and an F({pretrend['df_num']}, "
                     f"{pretrend['df_den']}) reference gives p = {pretrend['p_value_f']:.3f} but "
                     f"rejects far too often with this few clusters. Passing the test does not "
                     f"prove parallel trends.")
    else:
        notes.append("Pre-trend test: no lead with enough clusters before the reference year, "
                     "so none is possible.")
    if pretrend["left_out"]:
        notes.append(f"Leads left out of the pre-trend test (fewer than 3 clusters): "
                     f"{', '.join(pretrend['left_out'])}.")
    cells = term_cells(design, design.unit_cohort)
    thin = [f"{t} ({len(np.unique(design.cluster[m]))})" for t, m in zip(design.terms, cells)
            if not t.startswith("event_-") and 0 < len(np.unique(design.cluster[m])) < 3]
    if thin:
        notes.append(f"Rows resting on fewer than 3 adopting clusters: {', '.join(thin)}; no "
                     f"method bounds them reliably (cluster errors are far too small, the wild "
                     f"bootstrap may give an unbounded interval; MacKinnon & Webb 2017).")
    return notes


def effects_table(results) -> pd.DataFrame:
    """One row per :class:`AdoptionEffect`: its ``att`` row with what it rests on.

    Parameters
    ----------
    results : iterable of AdoptionEffect

    Returns
    -------
    DataFrame
        ``outcome, estimator, inference, estimate, std_error, ci_low, ci_high, p_value,
        pretrend_p, n_clusters, n_treated_units``.
    """
    rows = [{"outcome": r.outcome, "estimator": r.estimator, "inference": r.inference,
             **r.att[["estimate", "std_error", "ci_low", "ci_high", "p_value"]].to_dict(),
             "pretrend_p": r.pretrend.get("p_value", np.nan), "n_clusters": r.n_clusters,
             "n_treated_units": r.n_treated_units} for r in results]
    return pd.DataFrame(rows)
