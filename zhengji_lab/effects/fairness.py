"""Are units of different kinds and positionings treated alike? Two schemes side by side.

:func:`fairness` builds two schemes for one year — typically the common indicators only
(:func:`common_only`) and the scheme with the individualized indicators (个性化指标) — and sets
side by side, within each peer group: the score and rank gap of each kind or positioning against
the other units, with permutation p-values; how far units move in the ranking; and how much of
the score the conditions units cannot control explain, with bootstrap intervals.

References
----------
Good, P. (2005). *Permutation, Parametric, and Bootstrap Tests of Hypotheses*, 3rd ed. Springer
(two-sample permutation tests, section 3).

Phipson, B. and Smyth, G. K. (2010). Permutation p-values should never be zero: calculating exact
p-values when permutations are randomly drawn. *Statistical Applications in Genetics and
Molecular Biology* 9(1), article 39. doi:10.2202/1544-6115.1585

Efron, B. and Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall
(percentile intervals, chapter 13).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from zhengji_lab.assess import build
from zhengji_lab.compare.rankings import compare_rankings
from zhengji_lab.effects.result import EffectsResult
from zhengji_lab.effects.value_added import (
    check_size,
    covariate_columns,
    design,
    ols_fit,
    usable_covariates,
)
from zhengji_lab.errors import BuildError
from zhengji_lab.labels import group_label
from zhengji_lab.pipeline.run import as_scheme, check_year
from zhengji_lab.plots import _label, chinese_rc
from zhengji_lab.scheme import Scheme

logger = logging.getLogger(__name__)

_GAP_COLUMNS = ["by", "peer_group", "group", "measure", "n", "n_other", "gap_a", "gap_b",
                "change", "p_a", "p_b", "p_change"]
_MOBILITY_COLUMNS = ["peer_group", "n_units", "spearman", "kendall", "mean_abs_shift",
                     "max_abs_shift", "share_moved_1", "share_moved_3"]
_CONDITION_COLUMNS = ["peer_group", "measure", "scheme", "estimate", "ci_low", "ci_high", "n",
                      "n_covariates", "covariates"]


def common_only(ws, scheme) -> Scheme:
    """The scheme without its individualized indicators (framework ``scope`` individualized).

    Parameters
    ----------
    ws : Workspace
    scheme : Scheme, str or path
        A Scheme, the name of one of the workspace's schemes, or a YAML file.

    Returns
    -------
    Scheme
        ``scheme`` with every individualized indicator added to its ``exclude`` list (weight 0
        for every unit) and named ``<name>_common_only``.

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> ws = zl.load_workspace(zl.datasets.data_dir() / "sample_city")
    >>> s = common_only(ws, "baseline")
    >>> s.spec["name"], s.spec["exclude"]
    ('baseline_common_only', ['ind_eco_product_value', 'ind_featured_industry', 'ind_park_output_per_mu'])
    """
    scheme = as_scheme(ws, scheme)
    individual = ws.individualized()
    if not individual:
        logger.info("common_only(): the framework has no individualized indicator; the scheme "
                    "is unchanged but for its name.")
    exclude = sorted(set(scheme.spec["exclude"]) | set(individual))
    return (scheme.replace("exclude", exclude)
            .replace("name", f"{scheme.spec['name']}_common_only"))


@dataclass(frozen=True, eq=False, repr=False)
class FairnessResult(EffectsResult):
    """Two schemes side by side (made by :func:`fairness`).

    Attributes
    ----------
    frame : DataFrame
        Gaps by group: one row per grouping column ``by``, ``peer_group``, ``group`` (a value
        of the column) and ``measure`` (``"score"``: the composite after deductions, or
        ``"rank"``: the rank within the peer group, 1 = best). ``n`` and ``n_other`` count the
        group's units and the other units of the peer group; ``gap_a`` and ``gap_b`` are the
        group's mean minus the others' mean under scheme a and b (a negative score gap or a
        positive rank gap means the group does worse); ``change`` is ``gap_b − gap_a``;
        ``p_a, p_b, p_change`` are two-sided permutation p-values of each.
    mobility : DataFrame
        Per peer group: ``peer_group, n_units, spearman, kendall`` (tau-b), ``mean_abs_shift,
        max_abs_shift``, and the shares of units moving by at least 1 and 3 ranks
        (``share_moved_1, share_moved_3``).
    shifts : DataFrame
        Per unit: ``unit_id, peer_group, score_a, score_b, rank_a, rank_b, shift`` (rank_b −
        rank_a; positive = the unit falls under scheme b).
    conditions : DataFrame
        How much of the score the conditions explain, per peer group: ``measure`` (``r2`` or
        ``adj_r2``), ``scheme`` (``"a"``, ``"b"`` or ``"change"`` = b − a), ``estimate``,
        ``ci_low, ci_high`` (bootstrap percentile interval), ``n, n_covariates, covariates``.
    notes : list of str
        Units left out and peer groups without a regression, and why.
    scheme_a, scheme_b : str
        The names of the two schemes.
    year : int
    level : float
    n_permutations, n_boot : int
    assessment_a, assessment_b : Assessment
    """

    mobility: pd.DataFrame = field(default_factory=pd.DataFrame)
    shifts: pd.DataFrame = field(default_factory=pd.DataFrame)
    conditions: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list = field(default_factory=list)
    scheme_a: str = "a"
    scheme_b: str = "b"
    year: int = 0
    level: float = 0.95
    n_permutations: int = 999
    n_boot: int = 999
    assessment_a: object = field(default=None, repr=False)
    assessment_b: object = field(default=None, repr=False)

    def summary(self) -> str:
        """The score gaps, the rank mobility, the variance explained, and the notes."""
        score = self.frame[self.frame["measure"] == "score"]
        cond = self.conditions[self.conditions["measure"] == "r2"]
        fmt = {"float_format": lambda v: f"{v:.3f}", "index": False}
        head = (f"公平性 Fairness {self.year}: a = {self.scheme_a!r}, b = {self.scheme_b!r}; "
                f"{len(score)} score gaps, {int((score['p_change'] < 0.05).sum())} changes with "
                f"p < 0.05 ({self.n_permutations} permutations)")
        lines = [head,
                 "得分差 Score gaps (group mean − others' mean):",
                 score.drop(columns="measure").to_string(**fmt) if len(score) else "  none",
                 "排名变动 Rank mobility:",
                 self.mobility.to_string(**fmt) if len(self.mobility) else "  none",
                 "条件解释的方差 R² explained by conditions:",
                 cond.drop(columns="measure").to_string(**fmt) if len(cond) else "  none"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def plot(self, axes=None, labels=None, alpha: float = 0.05):
        """The score gap of each group under both schemes, and each unit's rank shift.

        Parameters
        ----------
        axes : pair of matplotlib Axes, optional
        labels : mapping, optional
            Display names of units; by default their Chinese names.
        alpha : float, default 0.05
            Gaps with a permutation p-value below ``alpha`` are drawn filled, others hollow.

        Returns
        -------
        matplotlib Figure
        """
        gaps = self.frame[self.frame["measure"] == "score"].reset_index(drop=True)
        moved = self.shifts.groupby("peer_group")["shift"].transform(lambda s: (s != 0).any())
        shifts = self.shifts[moved.astype(bool)].sort_values(["peer_group", "shift", "unit_id"])
        if labels is None and self.assessment_a is not None:
            labels = dict(zip(self.assessment_a.units["unit_id"],
                              self.assessment_a.units["name_zh"]))
        with mpl.rc_context(chinese_rc()):
            if axes is None:
                h = max(3.0, 1.2 + 0.3 * max(len(gaps), 0.5 * len(shifts)))
                fig, axes = plt.subplots(1, 2, figsize=(12.0, h))
            ax, ax2 = axes
            y = np.arange(len(gaps))
            for k, (col, p, marker, name) in enumerate(
                    [("gap_a", "p_a", "o", self.scheme_a), ("gap_b", "p_b", "s", self.scheme_b)]):
                sig = (gaps[p] < alpha).to_numpy()
                for filled in (True, False):
                    m = sig == filled
                    if not m.any():
                        continue
                    ax.scatter(gaps.loc[m, col], y[m] + (k - 0.5) * 0.25, marker=marker,
                               s=36, color=f"C{k}", facecolors=f"C{k}" if filled else "none",
                               label=(f"{'方案A Scheme a' if k == 0 else '方案B Scheme b'}: "
                                      f"{name}" + (f" (p < {alpha})" if filled else "")))
            ax.axvline(0.0, color="0.3", linewidth=0.8)
            ax.set_yticks(y, [f"{b}: {group_label(g)} ({group_label(pg)})" for b, g, pg in
                              zip(gaps["by"], gaps["group"], gaps["peer_group"])], fontsize=7)
            ax.invert_yaxis()
            ax.set_xlabel("得分差 Score gap (组均值 − 其他单位均值 group − others)")
            ax.legend(fontsize=7, loc="best")
            ax.grid(axis="x", alpha=0.3)
            yy = np.arange(len(shifts))
            colours = np.where(shifts["shift"] > 0, "C3", "C0")
            ax2.barh(yy, shifts["shift"], color=colours)
            ax2.set_yticks(yy, [_label(labels, u) for u in shifts["unit_id"]], fontsize=7)
            ax2.invert_yaxis()
            ax2.axvline(0.0, color="0.3", linewidth=0.8)
            ax2.set_xlabel("排名变动 Rank shift, b − a (+ 下降 falls)")
            if not len(shifts):
                ax2.set_title("无排名变动 No rank changes", fontsize=9)
            ax2.grid(axis="x", alpha=0.3)
            fig = ax.figure
            fig.tight_layout()
        return fig


# -- pieces ------------------------------------------------------------------------------------

def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise BuildError(f"The {name!r} parameter of fairness() must be a whole number >= 1. Got "
                         f"{value!r} instead.")
    return int(value)


def _groupings(units: pd.DataFrame, by) -> dict[str, pd.Series]:
    """``{name: unit -> label}``; empty labels are missing."""
    ids = units.set_index("unit_id")
    if by is None:
        by = ["kind"]
        if "positioning" in ids.columns:
            values = ids["positioning"].replace("", np.nan).dropna()
            if values.nunique() >= 2:
                by.append("positioning")
    if isinstance(by, str):
        by = [by]
    if isinstance(by, dict):
        out = {}
        for name, labels in by.items():
            if not isinstance(labels, pd.Series):
                raise BuildError(f"The 'by' parameter of fairness() as a dict maps a name to a "
                                 f"Series unit_id -> group. Got {type(labels).__name__} for "
                                 f"{name!r} instead.")
            out[str(name)] = labels.reindex(ids.index)
    else:
        unknown = [c for c in by if c not in ids.columns]
        if unknown:
            raise BuildError(f"No column {unknown[:10]} in units.csv to group by; its columns "
                             f"are {list(ids.columns)}. Pass by= with column names, or a dict "
                             f"{{name: Series unit_id -> group}}.")
        out = {c: ids[c] for c in by}
    return {k: v.astype(object).where(v.notna() & (v.astype(str) != ""), None)
            for k, v in out.items()}


def _perm_gaps(codes: np.ndarray, n_groups: int, Y: np.ndarray) -> np.ndarray:
    """Group mean − others' mean of each column of ``Y`` (units × measures) for each row of
    ``codes`` (draws × units of group codes): draws × groups × measures."""
    M = (codes[:, None, :] == np.arange(n_groups)[None, :, None]).astype(float)
    n_g = M.sum(axis=2)[..., None]
    sums = np.einsum("dgu,um->dgm", M, Y)
    return sums / n_g - (Y.sum(axis=0) - sums) / (len(Y) - n_g)


def _gap_rows(name, pg, labels: pd.Series, Y: pd.DataFrame, rng, n_perm) -> list[dict]:
    """The rows of the gaps frame for one grouping and peer group (labels have ≥ 2 values)."""
    groups = sorted(pd.unique(labels), key=str)
    codes = pd.Categorical(labels, categories=groups).codes
    V = Y.to_numpy(dtype=float)
    observed = _perm_gaps(codes[None, :], len(groups), V)[0]
    perms = rng.permuted(np.tile(codes, (n_perm, 1)), axis=1)
    null = _perm_gaps(perms, len(groups), V)
    tol = 1e-9 * (1.0 + np.abs(observed))
    p = (1.0 + (np.abs(null) >= np.abs(observed) - tol).sum(axis=0)) / (1.0 + n_perm)
    rows = []
    for k, g in enumerate(groups):
        n = int((codes == k).sum())
        for m, measure in enumerate(("score", "rank")):
            a, b, c = 3 * m, 3 * m + 1, 3 * m + 2
            rows.append({"by": name, "peer_group": pg, "group": g, "measure": measure, "n": n,
                         "n_other": len(codes) - n, "gap_a": observed[k, a],
                         "gap_b": observed[k, b], "change": observed[k, c], "p_a": p[k, a],
                         "p_b": p[k, b], "p_change": p[k, c]})
    return rows


def _r2_draws(X: np.ndarray, ys: list[np.ndarray], idx: np.ndarray) -> list[tuple]:
    """R² and adjusted R² of each ``y`` on ``X`` in each bootstrap resample (rows of ``idx``);
    NaN where a resample leaves ``y`` constant or no residual degree of freedom."""
    Xb = X[idx]
    P = np.linalg.pinv(Xb)
    n = idx.shape[1]
    rank = np.linalg.matrix_rank(Xb)
    out = []
    for y in ys:
        yb = y[idx]
        fitted = np.einsum("dup,dp->du", Xb, np.einsum("dpu,du->dp", P, yb))
        rss = ((yb - fitted) ** 2).sum(axis=1)
        tss = ((yb - yb.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            r2 = np.where(tss > 1e-12 * (1 + (yb ** 2).sum(axis=1)), 1.0 - rss / tss, np.nan)
            adj = np.where(n > rank, 1.0 - (1.0 - r2) * (n - 1) / (n - rank), np.nan)
        out.append((r2, adj))
    return out


def _condition_rows(pg, Z: pd.DataFrame, ya, yb, used, rng, n_boot, level) -> list[dict]:
    """R² and adjusted R² under a and b and their change, with bootstrap intervals."""
    sd = Z.std(ddof=0).replace(0.0, 1.0)
    X = design((Z - Z.mean()) / sd)       # standardised: R² unchanged, pinv well conditioned
    fa, fb = ols_fit(X, ya), ols_fit(X, yb)
    idx = rng.integers(0, len(ya), size=(n_boot, len(ya)))
    (ra, aa), (rb, ab) = _r2_draws(X, [ya, yb], idx)
    q = [50 * (1 - level), 50 * (1 + level)]
    rows = []
    for measure, est_a, est_b, da, db in (("r2", fa.r2, fb.r2, ra, rb),
                                          ("adj_r2", fa.adj_r2, fb.adj_r2, aa, ab)):
        for scheme, est, draws in (("a", est_a, da), ("b", est_b, db),
                                   ("change", est_b - est_a, db - da)):
            ok = draws[np.isfinite(draws)]
            lo, hi = np.percentile(ok, q) if len(ok) else (np.nan, np.nan)
            rows.append({"peer_group": pg, "measure": measure, "scheme": scheme,
                         "estimate": est, "ci_low": lo, "ci_high": hi, "n": len(ya),
                         "n_covariates": len(used), "covariates": ", ".join(used)})
    return rows


def _covariates(ws, year, covariates) -> tuple[pd.DataFrame, bool]:
    if covariates is None:
        return ws.units.set_index("unit_id")[covariate_columns(ws.units)].astype(float), False
    if isinstance(covariates, pd.DataFrame):
        return covariates.reindex(ws.units["unit_id"]).astype(float), True
    if isinstance(covariates, str) or not all(isinstance(c, str) for c in covariates):
        raise BuildError(f"The 'covariates' parameter of fairness() must be a list of names (of "
                         f"covariates.csv or numeric units.csv columns), a DataFrame or None. "
                         f"Got {covariates!r} instead.")
    return ws.covariate_table(year, list(covariates)), True


def fairness(ws, scheme_a, scheme_b, year: int, *, by=None, covariates=None,
             n_permutations: int = 999, n_boot: int = 999, level: float = 0.95,
             seed: int | np.random.Generator | None = None) -> FairnessResult:
    """Two schemes side by side: gaps by group, rank mobility, variance explained by conditions.

    Parameters
    ----------
    ws : Workspace
    scheme_a, scheme_b : Scheme, str or path
        Schemes, names of the workspace's schemes, or YAML files; typically
        ``common_only(ws, name)`` and ``name``. Both are built for ``year``.
    year : int
    by : str, list of str or dict, optional
        Grouping columns of ``units.csv``, or ``{name: Series unit_id -> group}``. By default
        ``kind``, and ``positioning`` when units.csv has it with at least two non-empty values.
        Within each peer group with at least two groups, each group is compared with the other
        units of the peer group; units with an empty group are left out of that grouping.
    covariates : list of str or DataFrame, optional
        The conditions units cannot control: names of ``covariates.csv`` (their value in
        ``year``) or of numeric ``units.csv`` columns (:meth:`Workspace.covariate_table`), or a
        units × covariates DataFrame. By default every numeric ``units.csv`` covariate that has
        a value for every unit of the peer group and is not constant there.
    n_permutations : int, default 999
    n_boot : int, default 999
    level : float, default 0.95
        Level of the bootstrap intervals.
    seed : int, Generator or None
        For :func:`numpy.random.default_rng`; permutations and resamples are drawn from it in a
        fixed order, so a seed gives the same result.

    Returns
    -------
    FairnessResult

    Raises
    ------
    BuildError
        An unknown scheme, a year without data, an unknown grouping column or covariate, a peer
        group with fewer units than covariates + 3, or schemes with different peer groups.

    Notes
    -----
    *Gaps.* For group g of a peer group, gap = mean of g − mean of the other units, on the scores
    and on the ranks, under each scheme; ``change`` is the gap under b minus under a (the mean
    change of g's units minus the others'). Each is tested by permuting the group labels among
    the peer group's units (the same permutations for every gap of the peer group), with the
    two-sided p-value ``(1 + #{|gap*| ≥ |gap|})/(1 + n_permutations)`` of Phipson and Smyth
    (2010), never 0.

    *Mobility* reuses :func:`zhengji_lab.compare_rankings` on the units scored by both schemes.

    *Conditions.* Within each peer group the composite is regressed on the covariates by least
    squares (``numpy.linalg.lstsq``; R² equals statsmodels' OLS ``rsquared``), under a and b;
    the intervals are percentile intervals of ``n_boot`` resamples of the units with
    replacement, the same resamples for a and b (so the change is paired). R² of a resample
    with duplicated units is biased upwards, more so with many covariates and few units: read
    the interval of the change rather than those of the levels. A peer group with
    fewer than 4 units or without a usable covariate is left out, with a note.

    References
    ----------
    Phipson, B. and Smyth, G. K. (2010). Permutation p-values should never be zero. *Statistical
    Applications in Genetics and Molecular Biology* 9(1), 39.

    Efron, B. and Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, chapter 13.
    Chapman & Hall.

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> ws = zl.load_workspace(zl.datasets.data_dir() / "sample_city")
    >>> res = fairness(ws, common_only(ws, "equal"), "equal", 2025, by="kind",
    ...                n_permutations=99, n_boot=99, seed=1)
    >>> sorted(res.frame["group"].unique())
    ['park', 'town']
    """
    sa, sb = as_scheme(ws, scheme_a), as_scheme(ws, scheme_b)
    year = check_year(ws, year)
    n_permutations = _positive_int(n_permutations, "n_permutations")
    n_boot = _positive_int(n_boot, "n_boot")
    if isinstance(level, bool) or not isinstance(level, (float, int)) or not 0 < level < 1:
        raise BuildError(f"The 'level' parameter of fairness() must be a number in (0, 1). Got "
                         f"{level!r} instead.")
    groupings = _groupings(ws.units, by)
    Z_all, explicit = _covariates(ws, year, covariates)
    rng = np.random.default_rng(seed)
    a, b = build(ws, sa, year), build(ws, sb, year)
    notes = []

    ga = a.units.set_index("unit_id")["peer_group"]
    gb = b.units.set_index("unit_id")["peer_group"]
    both = ga.index.intersection(gb.index)
    differ = both[(ga[both] != gb[both]).to_numpy()].tolist()
    if differ:
        raise BuildError(f"The schemes {sa.spec['name']!r} and {sb.spec['name']!r} put "
                         f"{len(differ)} unit(s) in different peer groups: {differ[:10]}. "
                         f"Compare schemes with the same peer_groups setting.")
    score_a, score_b = a.index.reindex(both), b.index.reindex(both)
    scored = both[(score_a.notna() & score_b.notna()).to_numpy()]
    left = sorted(set(ws.units["unit_id"]) - set(scored))
    if left:
        notes.append(f"{len(left)} unit(s) without a composite under both schemes (no data, "
                     f"screened out or below the coverage rule), left out: {left}")
    score_a, score_b, groups = score_a[scored], score_b[scored], ga[scored]

    cmp = compare_rankings({"a": score_a, "b": score_b}, groups=groups)
    ranks = cmp.ranks.astype(float)
    shifts = pd.DataFrame({"unit_id": scored, "peer_group": groups.to_numpy(),
                           "score_a": score_a.to_numpy(), "score_b": score_b.to_numpy(),
                           "rank_a": cmp.ranks["a"].to_numpy(), "rank_b": cmp.ranks["b"].to_numpy(),
                           "shift": cmp.shifts["b"].to_numpy()})
    per_group = cmp.frame[cmp.frame["group"] != "all"].rename(columns={"group": "peer_group"})
    moved = shifts.assign(m1=shifts["shift"].abs() >= 1, m3=shifts["shift"].abs() >= 3)
    shares = moved.groupby("peer_group")[["m1", "m3"]].mean().astype(float)
    mobility = per_group.assign(share_moved_1=per_group["peer_group"].map(shares["m1"]),
                                share_moved_3=per_group["peer_group"].map(shares["m3"]))
    mobility = mobility[_MOBILITY_COLUMNS].reset_index(drop=True)

    Y = pd.DataFrame({"score_a": score_a, "score_b": score_b, "score_d": score_b - score_a,
                      "rank_a": ranks["a"], "rank_b": ranks["b"],
                      "rank_d": ranks["b"] - ranks["a"]})
    rows = []
    for name, labels in groupings.items():
        labels = labels.reindex(scored)
        for pg in pd.unique(groups):
            members = scored[((groups == pg) & labels.notna()).to_numpy()]
            if labels[members].nunique() >= 2:
                rows += _gap_rows(name, pg, labels[members], Y.loc[members], rng, n_permutations)
    frame = pd.DataFrame(rows, columns=_GAP_COLUMNS)

    cond_rows = []
    for pg in pd.unique(groups):
        members = scored[(groups == pg).to_numpy()]
        if len(members) < 4:
            notes.append(f"peer group {pg!r}: {len(members)} unit(s), too few for a regression "
                         f"on conditions")
            continue
        used, why = usable_covariates(Z_all.reindex(members), pg, explicit=explicit)
        notes += why
        if not used:
            notes.append(f"peer group {pg!r}: no usable covariate, no regression on conditions")
            continue
        check_size(pg, len(members), used, "fairness")
        cond_rows += _condition_rows(pg, Z_all.loc[members, used], score_a[members].to_numpy(),
                                     score_b[members].to_numpy(), used, rng, n_boot, level)
    for n in notes:
        logger.info("fairness(): %s", n)
    return FairnessResult(
        frame=frame, mobility=mobility, shifts=shifts,
        conditions=pd.DataFrame(cond_rows, columns=_CONDITION_COLUMNS), notes=notes,
        scheme_a=sa.spec["name"], scheme_b=sb.spec["name"], year=year, level=float(level),
        n_permutations=n_permutations, n_boot=n_boot, assessment_a=a, assessment_b=b)
