"""Expected performance (value added, 增值评价): each unit's score against what its conditions
predict, shrunk by empirical Bayes.

:func:`value_added` regresses the composite on the conditions a unit cannot control (area,
population, industrial base, ecological red-line share …) within its peer group, and shrinks each
residual towards 0 by how noisy the unit's composite is (Morris 1983; Goldstein and Spiegelhalter
1996): a unit is better or worse than expected only when its interval excludes 0. The least-squares
fit, the covariates a peer group can use and Morris's between-unit variance are also used by
:func:`zhengji_lab.effects.fairness.fairness`.

References
----------
Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications. *Journal of
the American Statistical Association* 78(381), 47–55. doi:10.1080/01621459.1983.10477920

Goldstein, H. and Spiegelhalter, D. J. (1996). League tables and their limitations: statistical
issues in comparisons of institutional performance. *Journal of the Royal Statistical Society A*
159(3), 385–443. doi:10.2307/2983325

Paule, R. C. and Mandel, J. (1982). Consensus values and weighting factors. *Journal of Research
of the National Bureau of Standards* 87(5), 377–385.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import NamedTuple

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import optimize, stats

from zhengji_lab.effects.result import EffectsResult
from zhengji_lab.errors import BuildError
from zhengji_lab.labels import group_label
from zhengji_lab.plots import _label, chinese_rc
from zhengji_lab.workspace.schema import COLUMNS

logger = logging.getLogger(__name__)

#: The verdicts of :func:`value_added`, by whether the interval lies above 0, holds 0, lies below.
VERDICTS = {"better": "better than expected 好于预期", "as": "as expected 符合预期",
            "worse": "worse than expected 低于预期"}

_FRAME = ["unit_id", "peer_group", "score", "expected", "residual", "se", "shrinkage",
          "value_added", "posterior_sd", "ci_low", "ci_high", "verdict"]


# -- shared with fairness: least squares, the covariates a peer group can use, the sizes -----------

class OLSFit(NamedTuple):
    """An ordinary least-squares fit (``numpy.linalg.lstsq``, SVD-based)."""

    coef: np.ndarray
    fitted: np.ndarray
    resid: np.ndarray
    r2: float
    adj_r2: float
    rank: int


def ols_fit(X: np.ndarray, y: np.ndarray) -> OLSFit:
    """Least squares of ``y`` on ``X`` (``X`` holds the intercept column).

    R² is ``1 − RSS/TSS`` with the centred total sum of squares and the adjusted R² is
    ``1 − (1 − R²)(n − 1)/(n − rank X)``, as statsmodels' ``OLS(...).fit().rsquared`` and
    ``rsquared_adj`` for a model with a constant (R² ≥ 0 there; a rounding error below 0 is
    set to 0). NaN when ``y`` is constant or no residual
    degree of freedom is left.
    """
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    fitted = X @ coef
    resid = y - fitted
    n, rank = len(y), int(np.linalg.matrix_rank(X))
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = max(1.0 - float(resid @ resid) / tss, 0.0) if tss > 0 else np.nan   # ≥ 0 with a constant
    adj = 1.0 - (1.0 - r2) * (n - 1) / (n - rank) if n > rank else np.nan
    return OLSFit(coef, fitted, resid, r2, adj, rank)


def covariate_columns(units: pd.DataFrame) -> list[str]:
    """The numeric structural covariates of a units table (the columns after the standard ones)."""
    return [c for c in units.columns if c not in COLUMNS["units"]
            and pd.api.types.is_numeric_dtype(units[c]) and not pd.api.types.is_bool_dtype(units[c])]


def usable_covariates(Z: pd.DataFrame, group, *, explicit: bool) -> tuple[list[str], list[str]]:
    """The covariates of ``Z`` (the peer group's scored units × candidates) a regression can use.

    A covariate is used when it has a value for every unit and is not constant. A candidate
    missing for every unit of the group, or constant in it, is left out with a note; when the
    covariates were named (``explicit``), one missing for some units only is an error naming
    them, because leaving it out would change the question asked.

    Returns
    -------
    (list of str, list of str)
        The covariates used and the notes on those left out.
    """
    used, empty, partial, constant = [], [], [], []
    for c in Z.columns:
        missing = Z.index[Z[c].isna()]
        if len(missing) == len(Z):
            empty.append(c)
        elif len(missing):
            if explicit:
                raise BuildError(f"Covariate {c!r} is missing for {len(missing)} unit(s) of peer "
                                 f"group {group!r}: {list(missing[:10])}. Add their values "
                                 f"(units.csv or covariates.csv), or leave {c!r} out of "
                                 f"covariates=.")
            partial.append(f"{c!r} (missing for {list(missing[:10])})")
        elif Z[c].nunique() < 2:
            constant.append(c)
        else:
            used.append(c)
    notes = [f"peer group {group!r}: covariate(s) {', '.join(what)} {why}, left out"
             for what, why in ((list(map(repr, empty)), "without values"),
                               (partial, "incomplete"), (list(map(repr, constant)), "constant"))
             if what]
    return used, notes


def check_size(group, n: int, used: list[str], func: str) -> None:
    """Refuse a regression on fewer units than covariates + 3 (two residual degrees of freedom
    at least, so that R² and the residual variance mean something)."""
    if n < len(used) + 3:
        raise BuildError(f"{func}(): peer group {group!r} has {n} scored unit(s) for "
                         f"{len(used)} covariate(s) {used[:10]}; a regression needs at least "
                         f"covariates + 3 = {len(used) + 3} units. Pass fewer covariates "
                         f"(covariates=[...] with at most {max(n - 3, 0)} names).")


def design(Z: pd.DataFrame) -> np.ndarray:
    """``[1, Z]``: the intercept and the covariates, as floats."""
    return np.column_stack([np.ones(len(Z)), Z.to_numpy(dtype=float)])


def pm_tau2(y: np.ndarray, s2: np.ndarray, X: np.ndarray) -> float:
    """Between-unit variance τ² of ``y_i ~ N(x_i'β, τ² + s_i²)`` by Paule and Mandel's method.

    τ² solves the generalised Q statistic ``Σ w_i (y_i − x_i'β̂_w)² = n − rank X`` with weights
    ``w_i = 1/(s_i² + τ²)`` and β̂_w their weighted least squares, and is 0 when the statistic at
    τ² = 0 is already below ``n − rank X``. This is Morris's (1983) empirical-Bayes estimator;
    with only the intercept it is the Paule–Mandel estimator of meta-analysis (statsmodels
    ``combine_effects(method_re="pm")``). The residuals of ``y`` on ``X`` give the same τ², as
    the weighted fit absorbs any vector of the column space of ``X``.
    """
    df = len(y) - int(np.linalg.matrix_rank(X))

    def q(tau2: float) -> float:
        w = 1.0 / (s2 + tau2)
        sw = np.sqrt(w)
        beta, *_ = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)
        e = y - X @ beta
        return float((w * e * e).sum())

    zero_noise = bool((s2 <= 0).any())
    if not zero_noise and q(0.0) <= df:
        return 0.0
    resid = ols_fit(X, y).resid
    hi = max(float(resid @ resid) / max(df, 1), 1e-12)
    while q(hi) > df:
        hi *= 2.0
    lo = hi * 1e-12 if zero_noise else 0.0
    if zero_noise and q(lo) <= df:
        return lo
    return float(optimize.brentq(lambda t: q(t) - df, lo, hi, xtol=1e-14 * hi, rtol=1e-14,
                                 maxiter=500))


# -- the measurement error of a composite ----------------------------------------------------------

def effective_unit_weights(assessment) -> pd.DataFrame:
    """Units × indicators: the weight of each indicator in each unit's composite.

    The product of the weights down the tree (COINr's effective weights, as
    :func:`zhengji_lab.compare.effective_weights`), but per unit: from ``Assessment.unit_weights``,
    each parent's weights rescaled over the children that have a score for that unit (the
    coverage rule of the aggregation), so that a unit's weights sum to 1 when it has a
    composite. Exact for arithmetic aggregation; a first-order approximation otherwise.
    """
    nodes = assessment.stage("nodes")
    uw = assessment.unit_weights
    leaves = list(assessment.stage("normalised").columns)
    eff = {assessment.root: pd.Series(1.0, index=nodes.index)}
    todo = [assessment.root]
    while todo:
        parent = todo.pop()
        rows = uw[uw["parent"] == parent]
        if rows.empty:
            continue
        W = rows.pivot(index="unit_id", columns="node", values="weight").reindex(nodes.index)
        W = W.where(nodes[W.columns].notna(), 0.0).fillna(0.0)
        total = W.sum(axis=1).replace(0.0, np.nan)
        W = W.div(total, axis=0).fillna(0.0)
        for child in W.columns:
            eff[child] = eff[parent] * W[child]
            todo.append(child)
    return pd.DataFrame({c: eff.get(c, pd.Series(0.0, index=nodes.index)) for c in leaves})


def composite_noise(assessment) -> pd.Series:
    """Each unit's measurement-error variance of its composite, from its own indicators.

    The unit's normalised indicator scores ``x_ij`` are taken as exchangeable items around its
    level: ``x_ij = μ_i + e_ij`` with independent errors of variance ``σ_i²``. The composite
    ``Σ_j w_ij x_ij`` (effective weights :func:`effective_unit_weights`, summing to 1) then has
    variance ``s_i² = σ_i² Σ_j w_ij²``, and ``v_i = Σ_j w_ij (x_ij − x̄_i)² / (1 − Σ_j w_ij²)``,
    ``x̄_i = Σ_j w_ij x_ij``, is unbiased for ``σ_i²`` (the weighted variance with reliability
    weights). NaN for a unit with fewer than two weighted indicators.
    """
    X = assessment.stage("normalised")
    W = effective_unit_weights(assessment).reindex(index=X.index, columns=X.columns)
    W = W.where(X.notna(), 0.0)
    Xv = X.fillna(0.0).to_numpy(dtype=float)
    Wv = W.to_numpy(dtype=float)
    total = Wv.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        Wv = Wv / total[:, None]
        mean = (Wv * Xv).sum(axis=1)
        sum_sq = (Wv ** 2).sum(axis=1)
        v = (Wv * (Xv - mean[:, None]) ** 2).sum(axis=1) / (1.0 - sum_sq)
        s2 = np.where((total > 0) & (sum_sq < 1.0 - 1e-12), v * sum_sq, np.nan)
    return pd.Series(s2, index=X.index, name="noise")


# -- the result --------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False, repr=False)
class ValueAddedResult(EffectsResult):
    """Each unit's score against what its conditions predict (made by :func:`value_added`).

    Attributes
    ----------
    frame : DataFrame
        One row per unit of the assessment: ``unit_id, peer_group, score`` (the composite after
        deductions), ``expected`` (the OLS prediction from the unit's conditions within its peer
        group), ``residual`` (score − expected), ``se`` (the standard error of the score,
        ``sqrt(s_i²)``), ``shrinkage`` (``B_i = τ²/(τ² + s_i²)``, the share of the residual
        kept), ``value_added`` (``B_i · residual``), ``posterior_sd`` (``sqrt(B_i s_i²)``),
        ``ci_low, ci_high`` (``value_added ± z · posterior_sd`` at ``level``) and ``verdict``
        (:data:`VERDICTS`; missing when the unit could not be assessed).
    groups : DataFrame
        One row per peer group: ``peer_group, n, n_covariates, covariates, r2, adj_r2, tau2``
        (NaN for a group left out, with a note).
    coefficients : DataFrame
        ``peer_group, term, estimate``: the OLS coefficients (``const`` = intercept).
    notes : list of str
        Units without a score or a noise variance, covariates and peer groups left out.
    level : float
    noise : str
        ``"indicators"`` (the default) or ``"given"`` (``noise=``).
    names : dict
        ``unit_id → name_zh``, the default labels of :meth:`plot`.
    """

    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    coefficients: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list = field(default_factory=list)
    level: float = 0.95
    noise: str = "indicators"
    names: dict = field(default_factory=dict)

    def summary(self) -> str:
        """The verdict counts per peer group and the notes."""
        counts = self.frame.groupby(["peer_group", "verdict"]).size().unstack(fill_value=0)
        head = (f"增值评价 Value added: {len(self.frame)} units, {len(self.groups)} peer groups, "
                f"{self.level:.0%} intervals, noise from {self.noise}")
        lines = [head,
                 counts.to_string() if len(counts) else "  (no unit assessed)"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def plot(self, axes=None, labels=None):
        """Caterpillar plot: each unit's value added with its interval, sorted, one panel per
        peer group.

        Parameters
        ----------
        axes : sequence of matplotlib Axes, optional
            One per peer group with assessed units (in the order of ``groups``).
        labels : mapping, optional
            Display names of units; by default their Chinese names (:attr:`names`).

        Returns
        -------
        matplotlib Figure
        """
        df = self.frame.dropna(subset=["value_added"])
        labels = self.names if labels is None else labels
        names = [g for g in self.groups["peer_group"] if (df["peer_group"] == g).any()]
        with mpl.rc_context(chinese_rc()):
            if axes is None:
                heights = [max(2.0, 0.9 + 0.22 * (df["peer_group"] == g).sum()) for g in names]
                fig, axes = plt.subplots(len(names) or 1, 1, squeeze=False,
                                         figsize=(7.0, sum(heights) or 2.0),
                                         gridspec_kw={"height_ratios": heights or [1]})
                axes = axes[:, 0]
            fig = axes[0].figure
            colours = {VERDICTS["better"]: "C2", VERDICTS["as"]: "0.45", VERDICTS["worse"]: "C3"}
            for ax, g in zip(axes, names):
                sub = df[df["peer_group"] == g].sort_values("value_added")
                y = np.arange(len(sub))
                c = [colours.get(v, "0.45") for v in sub["verdict"]]
                ax.hlines(y, sub["ci_low"], sub["ci_high"], colors=c, linewidth=2)
                ax.scatter(sub["value_added"], y, color=c, zorder=3, s=18)
                ax.axvline(0.0, color="0.3", linewidth=0.8)
                ax.set_yticks(y, [_label(labels, u) for u in sub["unit_id"]], fontsize=7)
                ax.set_title(group_label(g), fontsize=9)
                ax.grid(axis="x", alpha=0.3)
            axes[len(names) - 1 if names else 0].set_xlabel(
                f"增值 Value added (得分减预期, 收缩后 score − expected, shrunk; "
                f"{self.level:.0%} 区间 interval)")
            fig.tight_layout()
        return fig


# -- value_added -------------------------------------------------------------------------------

def _covariate_frame(assessment, covariates) -> tuple[pd.DataFrame, bool]:
    units = assessment.units.set_index("unit_id")
    if covariates is None:
        return units[covariate_columns(assessment.units)].astype(float), False
    if isinstance(covariates, pd.DataFrame):
        Z = covariates.copy()
        bad = [c for c in Z.columns if not pd.api.types.is_numeric_dtype(Z[c])]
        if bad:
            raise BuildError(f"The covariates passed to value_added() must be numbers; columns "
                             f"{bad[:10]} are not.")
        return Z.reindex(units.index).astype(float), True
    if isinstance(covariates, str) or not all(isinstance(c, str) for c in covariates):
        raise BuildError(f"The 'covariates' parameter of value_added() must be a list of "
                         f"column names, a DataFrame (units × covariates) or None. Got "
                         f"{covariates!r} instead.")
    known = covariate_columns(assessment.units)
    unknown = [c for c in covariates if c not in known]
    if unknown:
        raise BuildError(f"No covariate {unknown[:10]} among the numeric columns of the "
                         f"assessment's units {known}. Correct the name, or pass a DataFrame: "
                         f"ws.covariate_table(year, names) reads covariates.csv too.")
    return units[list(covariates)].astype(float), True


def _noise(assessment, noise) -> tuple[pd.Series, str]:
    if noise is None:
        return composite_noise(assessment), "indicators"
    if not isinstance(noise, pd.Series):
        raise BuildError(f"The 'noise' parameter of value_added() must be a Series of variances "
                         f"indexed by unit_id. Got {type(noise).__name__} instead.")
    s2 = pd.to_numeric(noise, errors="coerce").astype(float)
    bad = s2.index[~np.isfinite(s2) | (s2 < 0)].tolist()
    if bad:
        raise BuildError(f"The 'noise' parameter of value_added() must hold finite variances "
                         f">= 0; unit(s) {bad[:10]} do not.")
    scored = assessment.index.dropna().index
    lacking = scored.difference(s2.index).tolist()
    if lacking:
        raise BuildError(f"The 'noise' parameter of value_added() has no variance for "
                         f"{len(lacking)} scored unit(s): {lacking[:10]}. Give every unit a "
                         f"variance (e.g. of its scores over the years).")
    return s2, "given"


def value_added(assessment, *, covariates=None, noise: pd.Series | None = None,
                level: float = 0.95) -> ValueAddedResult:
    """Each unit's score against what its conditions predict, shrunk by empirical Bayes.

    Within each peer group the composite ``y_i`` (after deductions) is regressed by OLS on the
    unit's conditions; ``expected`` is the fit and ``r_i = y_i − expected_i`` the residual. The
    residual is read in the parametric empirical-Bayes model of Morris (1983), as Goldstein and
    Spiegelhalter (1996) use it for league tables: ``r_i ~ N(θ_i, s_i²)`` with ``θ_i ~ N(0,
    τ²)``, so the unit's value added is the posterior mean ``B_i r_i`` with ``B_i = τ²/(τ² +
    s_i²)`` and posterior sd ``sqrt(B_i s_i²)``.

    Parameters
    ----------
    assessment : Assessment
        From :func:`zhengji_lab.build`.
    covariates : list of str, DataFrame or None
        The conditions: names of numeric columns of ``assessment.units``, a units × covariates
        DataFrame indexed by ``unit_id`` (e.g. ``ws.covariate_table(year, names)``, which also
        reads ``covariates.csv``), or ``[]`` for none (the expected score is the peer-group
        mean). By default every numeric covariate column of ``assessment.units`` that has a
        value for every scored unit of the peer group and is not constant there.
    noise : Series, optional
        The variance ``s_i²`` of each unit's score, indexed by ``unit_id`` (e.g. from its
        year-to-year variation); overrides the default, :func:`composite_noise`: the measurement
        error of the composite implied by the spread of the unit's own normalised indicator
        scores, ``s_i² = Σ_j w_ij² · v_i`` with the effective weights ``w_ij`` of its indicators
        (:func:`effective_unit_weights`) and ``v_i`` their weighted variance.
    level : float, default 0.95
        Level of the normal intervals.

    Returns
    -------
    ValueAddedResult

    Raises
    ------
    BuildError
        Unknown covariates, a covariate missing for some units, a peer group with fewer units
        than covariates + 3, a bad ``noise``.

    Notes
    -----
    τ² is estimated in each peer group by Paule and Mandel's (1982) method generalised to a
    regression, which is Morris's (1983) empirical-Bayes estimator: the τ² ≥ 0 at which the
    weighted residual sum of squares ``Σ (y_i − x_i'β̂)²/(s_i² + τ²)`` equals its degrees of
    freedom ``n − p`` (``p`` the number of coefficients; :func:`pm_tau2`). The intervals treat
    the fit and τ² as known (the naive EB interval; Morris 1983, section 4, widens it), so they
    are a little too narrow in small peer groups. Units without a score keep their row with
    missing estimates and are named in ``notes``; so are peer groups with fewer than 3 scored
    units.

    References
    ----------
    Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications. *JASA*
    78(381), 47–55.

    Goldstein, H. and Spiegelhalter, D. J. (1996). League tables and their limitations:
    statistical issues in comparisons of institutional performance. *JRSS A* 159(3), 385–443.

    Paule, R. C. and Mandel, J. (1982). Consensus values and weighting factors. *J. Res. NBS*
    87(5), 377–385.

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> ws = zl.load_workspace(zl.datasets.data_dir() / "sample_city")
    >>> a = zl.build(ws, "equal", year=2025)
    >>> va = value_added(a, covariates=["eco_redline_share", "industrial_base"])
    >>> va.frame.loc[va.frame["peer_group"] == "towns_parks", "verdict"].notna().all()
    np.True_
    """
    if isinstance(level, bool) or not isinstance(level, (float, int)) or not 0 < level < 1:
        raise BuildError(f"The 'level' parameter of value_added() must be a number in (0, 1). "
                         f"Got {level!r} instead.")
    y_all = assessment.index
    groups = assessment.units.set_index("unit_id")["peer_group"].reindex(y_all.index)
    Z_all, explicit = _covariate_frame(assessment, covariates)
    s2_all, source = _noise(assessment, noise)
    z = stats.norm.ppf(0.5 + level / 2)
    notes = []
    screened = assessment.screened_out
    if len(screened):
        notes.append(f"{len(screened)} unit(s) screened out by the scheme (too little data), "
                     f"not scored: {screened['unit_id'].tolist()}")
    missing = y_all.index[y_all.isna()].tolist()
    if missing:
        notes.append(f"{len(missing)} unit(s) without a score, not assessed: {missing}")
    lone = y_all.index[groups.isna()].tolist()
    if lone:
        notes.append(f"{len(lone)} unit(s) without a peer group, not assessed: {lone}")
    no_noise = y_all.index[y_all.notna() & s2_all.reindex(y_all.index).isna()].tolist()
    if no_noise:
        notes.append(f"{len(no_noise)} unit(s) without a noise variance (fewer than two "
                     f"weighted indicators), not assessed: {no_noise}")

    frame = pd.DataFrame({"unit_id": y_all.index, "peer_group": groups.to_numpy(),
                          "score": y_all.to_numpy(dtype=float)}).set_index("unit_id")
    frame = frame.reindex(columns=_FRAME[1:-1])
    group_rows, coef_rows = [], []
    for g in pd.unique(groups.dropna()):
        members = groups.index[(groups == g) & y_all.notna()]
        members = members[s2_all.reindex(members).notna().to_numpy()]
        used, why = usable_covariates(Z_all.loc[members], g, explicit=explicit)
        notes += why
        if len(members) < 3:
            notes.append(f"peer group {g!r}: {len(members)} scored unit(s), too few to assess")
            group_rows.append({"peer_group": g, "n": len(members), "n_covariates": len(used),
                               "covariates": ", ".join(used), "r2": np.nan, "adj_r2": np.nan,
                               "tau2": np.nan})
            continue
        check_size(g, len(members), used, "value_added")
        X = design(Z_all.loc[members, used])
        y = y_all[members].to_numpy(dtype=float)
        fit = ols_fit(X, y)
        s2 = s2_all[members].to_numpy(dtype=float)
        tau2 = pm_tau2(fit.resid, s2, X)
        B = np.where(tau2 + s2 > 0, tau2 / np.where(tau2 + s2 > 0, tau2 + s2, 1.0), 1.0)
        va = B * fit.resid
        sd = np.sqrt(B * s2)
        frame.loc[members, ["expected", "residual", "se", "shrinkage", "value_added",
                            "posterior_sd", "ci_low", "ci_high"]] = np.column_stack(
            [fit.fitted, fit.resid, np.sqrt(s2), B, va, sd, va - z * sd, va + z * sd])
        group_rows.append({"peer_group": g, "n": len(members), "n_covariates": len(used),
                           "covariates": ", ".join(used), "r2": fit.r2, "adj_r2": fit.adj_r2,
                           "tau2": tau2})
        coef_rows += [{"peer_group": g, "term": t, "estimate": float(b)}
                      for t, b in zip(["const", *used], fit.coef)]
    lo, hi = frame["ci_low"], frame["ci_high"]
    verdict = pd.Series(VERDICTS["as"], index=frame.index, dtype=object)
    verdict[lo > 0] = VERDICTS["better"]
    verdict[hi < 0] = VERDICTS["worse"]
    frame["verdict"] = verdict.where(lo.notna(), None)
    for n in notes:
        logger.info("value_added(): %s", n)
    return ValueAddedResult(
        frame=frame.reset_index()[_FRAME],
        groups=pd.DataFrame(group_rows, columns=["peer_group", "n", "n_covariates", "covariates",
                                                 "r2", "adj_r2", "tau2"]),
        coefficients=pd.DataFrame(coef_rows, columns=["peer_group", "term", "estimate"]),
        notes=notes, level=float(level), noise=source,
        names=dict(zip(assessment.units["unit_id"], assessment.units.get("name_zh", ""))))
