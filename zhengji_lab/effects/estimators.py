"""The estimators of :func:`~zhengji_lab.effects.adoption_effect`: pyfixest fits and numpy twins.

Each estimator gives the same rows: ``att``; one per adoption cohort (``cohort_<year>``); one per
event time (``event_<k>``, years since adoption, the reference -1 left out). :func:`fit_pyfixest`
computes them with pyfixest (the reported estimates and standard errors); :func:`kernel_rows`
and :func:`kernel_estimates` compute the same numbers with :mod:`zhengji_lab.effects.kernels`
for the hundreds of refits of the bootstrap and of randomization inference, for any adoption
schedule.

* ``twfe``: static two-way fixed effects ``y ~ D | unit + year`` (att), with one treatment dummy
  per cohort (cohort rows) and the dynamic event study ``y ~ i(rel, ref=-1) | unit + year``
  (event rows; units that never adopt get no dummies); CRV1 errors by cluster.
* ``did2s``: Gardner's two-stage estimator (``pyfixest.did2s``): unit and year effects fitted on
  the untreated cells, second stage ``~ D``, ``~ i(cohort)`` on treated cells and
  ``~ i(rel, ref=-1)``; Gardner's GMM standard errors.
* ``sun_abraham``: the interaction-weighted estimator: the saturated regression ``y ~
  i(rel, cohort, ref=-1) | unit + year`` with the never-adopting units as the comparison group
  (what ``pyfixest.event_study(estimator="saturated")`` fits), its cohort × event-time effects
  averaged with the shares of treated cells (ATT, per cohort, per event time).

References
----------
Gardner, J. (2021). Two-stage differences in differences. Working paper, arXiv:2207.05943.
Sun, L., Abraham, S. (2021). Estimating dynamic treatment effects in event studies with
heterogeneous treatment effects. *Journal of Econometrics* 225(2), 175-199.
Borusyak, K., Jaravel, X., Spiess, J. (2024). Revisiting event-study designs: robust and
efficient estimation. *Review of Economic Studies* 91(6), 3253-3285 (a second normalised lead
when no unit never adopts).
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing.
*Journal of Econometrics* 225(2), 254-277.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zhengji_lab.effects import kernels
from zhengji_lab.effects.panel import AdoptionPanel
from zhengji_lab.errors import EffectsError, choices

#: The estimators, the heterogeneity-robust default first.
ESTIMATORS: tuple[str, ...] = ("did2s", "twfe", "sun_abraham")
#: Tolerance of pyfixest's alternating projections (its default, 1e-6 or so, is too loose to
#: compare with the exact numpy kernels).
FIXEF_TOL = 1e-13


@dataclass(frozen=True, eq=False)
class Design:
    """A panel as arrays, with the event window; see :func:`make_design`."""

    panel: AdoptionPanel
    estimator: str
    y: np.ndarray
    unit: np.ndarray            # codes 0..U-1
    year: np.ndarray            # codes 0..T-1
    year_value: np.ndarray
    cluster: np.ndarray         # codes 0..G-1
    unit_cohort: np.ndarray     # adoption year per unit code (0 = never)
    F: np.ndarray
    Q: np.ndarray
    window: tuple[int, int]
    cohorts: tuple[int, ...]
    events: tuple[int, ...]     # event times with a coefficient
    references: tuple[int, ...]  # event times normalised to 0

    @property
    def treat(self) -> np.ndarray:
        return self.schedule(self.unit_cohort)[1]

    @property
    def terms(self) -> list[str]:
        return (["att"] + [f"cohort_{g}" for g in self.cohorts]
                + [f"event_{k}" for k in self.events])

    def schedule(self, unit_cohort: np.ndarray):
        """``(cohort, treat, rel)`` of every cell under an adoption schedule (rel binned to the
        window, NaN for units that never adopt)."""
        cohort = unit_cohort[self.unit]
        adopts = cohort > 0
        treat = (adopts & (self.year_value >= cohort)).astype(float)
        rel = np.where(adopts, np.clip(self.year_value - cohort, *self.window), np.nan)
        return cohort, treat, rel


def check_estimator(estimator) -> str:
    if estimator not in ESTIMATORS:
        raise EffectsError(f"The 'estimator' parameter of adoption_effect() must be one of "
                           f"{choices(ESTIMATORS)}. Got {estimator!r} instead.")
    return estimator


def make_design(panel: AdoptionPanel, estimator: str, event_window=None) -> Design:
    """Arrays of ``panel`` for ``estimator``; ``event_window = (lo, hi)`` bins event times below
    ``lo`` into ``lo`` and above ``hi`` into ``hi`` (default: every observed event time)."""
    check_estimator(estimator)
    df = panel.data
    unit, _ = pd.factorize(df["unit_id"])
    year, _ = pd.factorize(df["year"], sort=True)
    cluster, _ = pd.factorize(df["cluster"])
    unit_cohort = df.groupby(unit)["cohort"].first().to_numpy(dtype=int)
    rel = df["rel"].dropna()
    observed = (int(rel.min()), int(rel.max()))
    if event_window is None:
        window = observed
    else:
        try:
            lo, hi = (int(k) for k in event_window)
        except (TypeError, ValueError):
            lo, hi = 0, -1
        if not lo <= -2 < 0 <= hi:
            raise EffectsError(f"The 'event_window' parameter of adoption_effect() must be a "
                               f"pair (lo, hi) of whole years with lo <= -2 and hi >= 0 (-1 is "
                               f"the reference year). Got {event_window!r} instead.")
        window = (max(lo, observed[0]), min(hi, observed[1]))
    never = bool((unit_cohort == 0).any())
    if estimator == "sun_abraham" and not never:
        raise EffectsError("The Sun & Abraham estimator compares each cohort with units that "
                           "never adopt, and every unit of this panel adopts. Use "
                           "estimator='did2s' (it compares with units not yet treated), or add "
                           "outcome data of units that do not adopt.")
    F = kernels.fe_dummies(unit, year)
    events = sorted({int(k) for k in np.clip(rel.to_numpy(), *window)} - {-1})
    references = [-1]
    if estimator == "twfe" and not never and events and events[0] < -1:
        # without units that never adopt, a fully dynamic TWFE is collinear with the unit and
        # year effects: a second lead is normalised (Borusyak, Jaravel & Spiess 2024)
        references.append(events.pop(0))
    treated = (df["treat"] > 0).to_numpy()
    cohorts = tuple(int(g) for g in np.unique(df["cohort"].to_numpy()[treated]))  # with effects
    return Design(panel=panel, estimator=estimator, y=df["y"].to_numpy(dtype=float), unit=unit,
                  year=year, year_value=df["year"].to_numpy(dtype=int), cluster=cluster,
                  unit_cohort=unit_cohort, F=F, Q=kernels.orth_basis(F), window=window,
                  cohorts=cohorts, events=tuple(events), references=tuple(sorted(references)))


# -- the cells behind each row -----------------------------------------------------------------

def term_cells(design: Design, unit_cohort: np.ndarray) -> list[np.ndarray]:
    """Cells of each term (att, cohorts, events) under a schedule, as boolean masks."""
    cohort, treat, rel = design.schedule(unit_cohort)
    treated = treat > 0
    return ([treated] + [treated & (cohort == g) for g in design.cohorts]
            + [rel == k for k in design.events])


def _sa_cells(design: Design, unit_cohort: np.ndarray):
    """Sun & Abraham's cohort × event-time dummies (reference -1) and the averaging weights of
    each term (shares of the cells: treated cells for the ATT and cohorts, cohorts at an event
    time for the event rows)."""
    cohort, _, rel = design.schedule(unit_cohort)
    cells = sorted({(int(g), int(k)) for g, k in zip(cohort[cohort > 0], rel[cohort > 0])
                    if k not in design.references})
    X = np.column_stack([(cohort == g) & (rel == k) for g, k in cells]).astype(float)
    n = X.sum(axis=0)
    gs = np.array([g for g, _ in cells])
    ks = np.array([k for _, k in cells])
    post = ks >= 0
    masks = ([post] + [post & (gs == g) for g in design.cohorts]
             + [ks == k for k in design.events])
    W = np.zeros((len(masks), len(cells)))
    for r, m in enumerate(masks):
        if m.any():
            W[r, m] = n[m] / n[m].sum()
        else:
            W[r] = np.nan
    return cells, X, W


def _twfe_designs(design: Design, unit_cohort: np.ndarray):
    """The three TWFE regressions: (X, rows of the term list they give)."""
    g = term_cells(design, unit_cohort)
    n_c = len(design.cohorts)
    return [(g[0][:, None], [0]), (np.column_stack(g[1:1 + n_c]), list(range(1, 1 + n_c))),
            (np.column_stack(g[1 + n_c:]) if design.events else None,
             list(range(1 + n_c, 1 + n_c + len(design.events))))]


def kernel_estimates(design: Design, unit_cohort: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Every term's estimate for each column of ``Y`` ``(n, m)`` under an adoption schedule,
    ``(terms, m)``; NaN where a term has no cells under that schedule."""
    out = np.full((len(design.terms), Y.shape[1]), np.nan)
    est = design.estimator
    if est == "did2s":
        groups = term_cells(design, unit_cohort)
        untreated = design.schedule(unit_cohort)[1] == 0
        if not imputable(design, untreated):
            return out
        resid = kernels.first_stage(Y, untreated, design.F)
        for r, m in enumerate(groups):
            if m.any():
                out[r] = resid[m].mean(axis=0)
    elif est == "twfe":
        for X, rows in _twfe_designs(design, unit_cohort):
            if X is None:
                continue
            X = X.astype(float)
            keep = X.any(axis=0)
            beta = kernels.ols_fe(Y, X[:, keep], design.Q)
            out[np.asarray(rows)[keep]] = beta
    else:
        _, X, W = _sa_cells(design, unit_cohort)
        out[:] = W @ kernels.ols_fe(Y, X, design.Q)
    return out


def imputable(design: Design, untreated: np.ndarray) -> bool:
    """Whether every unit and every year has an untreated cell (else the first stage of did2s
    cannot impute the treated cells)."""
    return bool(np.bincount(design.unit[untreated], minlength=design.unit.max() + 1).all()
                and np.bincount(design.year[untreated], minlength=design.year.max() + 1).all())


def kernel_rows(design: Design) -> tuple[np.ndarray, list[kernels.LinearRow]]:
    """Estimates and :class:`~zhengji_lab.effects.kernels.LinearRow` of every term under the
    observed schedule (for the wild bootstrap and for checking pyfixest)."""
    y, cl = design.y, design.cluster
    if design.estimator == "did2s":
        groups = np.array(term_cells(design, design.unit_cohort))
        return kernels.did2s_rows(groups, design.treat == 0, y, design.F, cl)
    if design.estimator == "twfe":
        est, rows = [], []
        for X, _ in _twfe_designs(design, design.unit_cohort):
            if X is None:
                continue
            e, r = kernels.ols_rows(X.astype(float), np.eye(X.shape[1]), y, design.Q, cl)
            est.extend(e)
            rows.extend(r)
        return np.array(est), rows
    _, X, W = _sa_cells(design, design.unit_cohort)
    return kernels.ols_rows(X, W, y, design.Q, cl)


def restricted_resid(design: Design, terms: list[str]) -> np.ndarray:
    """Residuals of the estimator's model restricted to every one of ``terms`` (leads) being 0:
    for did2s the first stage alone (untreated cells fitted, no lead term), for TWFE the event
    study without those lead dummies, for Sun & Abraham the saturated regression with the
    cell-weighted lead averages set to 0."""
    if design.estimator == "did2s":
        return kernels.first_stage(design.y[:, None], design.treat == 0, design.F)[:, 0]
    idx = [design.terms.index(t) for t in terms]
    if design.estimator == "twfe":
        X, rows = _twfe_designs(design, design.unit_cohort)[2]
        R = np.eye(len(rows))[[rows.index(i) for i in idx]]
        return kernels.ols_restricted_resid(X.astype(float), R, design.y, design.Q)
    _, X, W = _sa_cells(design, design.unit_cohort)
    return kernels.ols_restricted_resid(X, W[idx], design.y, design.Q)


def kernel_vcov(design: Design, rows: list[kernels.LinearRow]) -> np.ndarray:
    """Gardner's GMM covariance of the did2s terms from their kernel scores (no small-sample
    factor, as pyfixest's ``did2s``); used when pyfixest cannot fit the panel."""
    scores = np.array([r.S @ design.y for r in rows])
    return scores @ scores.T


# -- pyfixest ----------------------------------------------------------------------------------

def _name(prefix: str, k: int) -> str:
    return f"{prefix}_{'m' if k < 0 else 'p'}{abs(int(k))}"


def _frame(design: Design) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The panel with the dummy columns of the formulas; names of the columns per block."""
    df = design.panel.data[["unit_id", "year", "y", "cluster", "cohort", "treat"]].copy()
    cohort, treat, rel = design.schedule(design.unit_cohort)
    names = {"att": ["treat"], "cohort": [], "event": []}
    for g in design.cohorts:
        names["cohort"].append(f"coh_{g}")
        df[f"coh_{g}"] = (treat > 0) & (cohort == g)
    for k in design.events:
        names["event"].append(_name("ev", k))
        df[_name("ev", k)] = rel == k
    if design.estimator == "sun_abraham":
        names["sa"] = []
        cells, X, _ = _sa_cells(design, design.unit_cohort)
        for (g, k), col in zip(cells, X.T):
            names["sa"].append(f"sa_{g}_{_name('e', k)}")
            df[names["sa"][-1]] = col
    bools = [c for c in df.columns if df[c].dtype == bool]
    df[bools] = df[bools].astype(float)
    return df, names


def _coefs(fit, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and covariance of ``names`` (NaN for a column pyfixest dropped)."""
    have = list(fit._coefnames)
    idx = [have.index(n) if n in have else -1 for n in names]
    b = np.array([fit._beta_hat[i] if i >= 0 else np.nan for i in idx])
    V = np.full((len(names), len(names)), np.nan)
    for a, i in enumerate(idx):
        for c, j in enumerate(idx):
            if i >= 0 and j >= 0:
                V[a, c] = fit._vcov[i, j]
    return b, V


def feols_options(pf) -> dict:
    """Keep singletons (as statsmodels and the kernels do) and demean to :data:`FIXEF_TOL`
    (``MapDemeaner`` in pyfixest >= 0.60, ``fixef_tol`` before)."""
    if hasattr(pf, "MapDemeaner"):
        return {"fixef_rm": "none", "demeaner": pf.MapDemeaner(fixef_tol=FIXEF_TOL)}
    return {"fixef_rm": "none", "fixef_tol": FIXEF_TOL}


def fit_pyfixest(design: Design) -> tuple[np.ndarray, np.ndarray]:
    """Estimates and their covariance (terms × terms, block-diagonal across separate fits) from
    pyfixest; raises ``ValueError`` when pyfixest cannot fit the panel."""
    with warnings.catch_warnings():
        # pyfixest's own deprecations under pandas 3 (inplace=...) are not the user's business
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pyfixest\.")
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"pyfixest\.")
        return _fit_pyfixest(design)


def _fit_pyfixest(design: Design) -> tuple[np.ndarray, np.ndarray]:
    import pyfixest as pf

    df, names = _frame(design)
    n_terms = len(design.terms)
    est, V = np.full(n_terms, np.nan), np.full((n_terms, n_terms), np.nan)
    fe = "unit_id + year"
    if design.estimator == "sun_abraham":
        fit = pf.feols(f"y ~ {' + '.join(names['sa'])} | {fe}", data=df,
                       vcov={"CRV1": "cluster"}, **feols_options(pf))
        b, Vb = _coefs(fit, names["sa"])
        W = _sa_cells(design, design.unit_cohort)[2]
        return W @ b, W @ Vb @ W.T
    start = 0
    for block in ("att", "cohort", "event"):
        cols = names[block]
        if not cols:
            continue
        if design.estimator == "twfe":
            fit = pf.feols(f"y ~ {' + '.join(cols)} | {fe}", data=df, vcov={"CRV1": "cluster"},
                           **feols_options(pf))
        else:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fit = pf.did2s(df, yname="y", first_stage=f"~ 0 | {fe}",
                               second_stage=f"~ {' + '.join(cols)}", treatment="treat",
                               cluster="cluster")
            if any("singleton" in str(w.message) for w in caught):
                # its first stage drops units or years with one untreated cell, and the
                # second stage then no longer lines up with the data
                raise ValueError("pyfixest.did2s dropped singleton fixed effects")
        b, Vb = _coefs(fit, cols)
        sl = slice(start, start + len(cols))
        est[sl], V[sl, sl] = b, Vb
        start += len(cols)
    return est, V
