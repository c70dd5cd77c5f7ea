"""Ambition of declared targets (目标先进性) and units that declare easy targets year after year.

Individualized indicators (个性化指标) are scored by the distance to a target the unit declares
itself (自主申报) or an expert argues for (专家论证). A unit that declares low targets and beats
them easily scores well on that indicator without performing well: the "ratchet effect" and
target gaming that Bevan & Hood (2006) describe for the English health system. The evidence the
panel needs is per unit, indicator and year: how a target compares with the unit's own record
and with its peers' targets, how the unit did against it, whether the easy pattern repeats, and
what the scheme's cap on achievement (``{method: target, cap: 1.2}``) does to the ranking.

References
----------
Bevan, G. and Hood, C. (2006). What's measured is what matters: targets and gaming in the
English public health care system. *Public Administration* 84(3), 517-538.
doi:10.1111/j.1467-9299.2006.00600.x
Weitzman, M. L. (1980). The "ratchet principle" and performance incentives. *The Bell Journal
of Economics* 11(1), 302-308. doi:10.2307/3003414
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from zhengji_lab.assess import build
from zhengji_lab.effects.result import EffectsResult
from zhengji_lab.errors import BuildError
from zhengji_lab.pipeline import as_scheme
from zhengji_lab.plots import _axes, _label, chinese_rc
from zhengji_lab.workspace import Workspace

logger = logging.getLogger(__name__)

#: Columns of :attr:`TargetAmbition.frame`, in order.
FRAME_COLUMNS: list[str] = [
    "unit_id", "indicator", "year", "direction", "target_source", "target", "baseline",
    "baseline_method", "n_earlier", "ambition", "peer_n", "peer_ambition_median",
    "ambition_vs_peers", "ambition_percentile", "value", "achievement", "met", "margin",
    "peer_margin_median", "margin_vs_peers", "peer_miss_share", "easy_reason", "flag", "note"]

#: Columns of :attr:`TargetAmbition.units`, in order.
UNIT_COLUMNS: list[str] = [
    "unit_id", "indicator", "years", "first_year", "last_year", "n_judged", "n_met", "n_flagged",
    "share_flagged", "median_ambition", "mean_margin", "mean_margin_vs_peers", "pattern", "flag"]

#: Columns of :attr:`TargetAmbition.cap_effect`, in order.
CAP_COLUMNS: list[str] = [
    "unit_id", "peer_group", "year", "max_achievement", "over_cap", "score_capped",
    "score_uncapped", "rank_capped", "rank_uncapped", "shift"]


@dataclass(frozen=True, eq=False)
class TargetAmbition(EffectsResult):
    """How ambitious declared targets were, and which units declare easy ones year after year.

    Attributes
    ----------
    frame : DataFrame
        One row per unit, indicator and target year (:data:`FRAME_COLUMNS`); see
        :func:`target_ambition` for each column.
    units : DataFrame
        One row per unit and indicator (:data:`UNIT_COLUMNS`): years with targets, years judged
        (with a realised value), met and flagged, the share flagged, the median ambition, the
        mean margin and mean margin against the peers,
        the ``pattern`` found (``"easy"``, ``"bunching"`` or ``""``) and the unit-level ``flag``.
    cap_effect : DataFrame or None
        With a ``scheme``: one row per assessed unit of ``year`` (:data:`CAP_COLUMNS`): the
        composite score and rank within its peer group with the scheme's cap and with the cap
        removed from every target-normalised indicator, ``shift = rank_uncapped - rank_capped``
        (negative: the unit ranks better without the cap), and whether any of its achievements
        exceeded the cap (``over_cap``).
    year : int or None
        The year asked for (rows run up to it); None for all target years.
    caps : dict
        ``{indicator: cap}`` of the scheme's target-normalised indicators (empty without one).
    rule : dict
        The thresholds used (the parameters of :func:`target_ambition`).
    labels : dict
        ``code -> "中文名 English name"`` for units and indicators, used by :meth:`plot`.
    """

    units: pd.DataFrame
    cap_effect: pd.DataFrame | None = None
    year: int | None = None
    caps: dict = field(default_factory=dict)
    rule: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)

    @property
    def flagged(self) -> list[str]:
        """The units flagged at unit level (easy targets repeated, or bunching)."""
        return sorted(set(self.units.loc[self.units["flag"], "unit_id"]))

    def summary(self) -> str:
        """One line per flagged unit, with its pattern and mean margin."""
        u = self.units[self.units["flag"]]
        head = (f"目标先进性 Target ambition: {self.frame['unit_id'].nunique()} units, "
                f"{len(self.frame)} targets, {len(u)} unit(s) flagged")
        lines = [f"- {r.unit_id} ({r.indicator}): {r.pattern}, {r.n_flagged}/{r.n_judged} years,"
                 f" mean margin {r.mean_margin:+.1%}" for r in u.itertuples()]
        return "\n".join([head, *lines])

    def plot(self, ax=None, labels=None, *, cap: float | None = None):
        """Achievement (value / target) per unit over the years; flagged units highlighted.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        labels : mapping, optional
            Display names for unit codes; by default the workspace's Chinese and English names.
        cap : float, optional
            Draw this cap line; by default the scheme's caps (:attr:`caps`), none without one.

        Returns
        -------
        matplotlib Axes
        """
        labels = self.labels if labels is None else labels
        f = self.frame
        flagged = set(self.flagged)
        caps = sorted({cap} if cap is not None else set(self.caps.values()))
        with mpl.rc_context(chinese_rc()):
            ax = _axes(ax, figsize=(7.5, 4.5))
            for (unit, ind), g in f.groupby(["unit_id", "indicator"], sort=True):
                g = g.sort_values("year")
                y = g["achievement"].replace([np.inf, -np.inf], np.nan)
                name = _label(labels, unit)
                if unit in flagged:
                    k = sorted(flagged).index(unit)
                    ax.plot(g["year"], y, marker="osD^v"[k % 5], lw=2.4, zorder=3,
                            color=("tab:red", "darkred", "orangered", "firebrick")[k % 4],
                            label=f"{name} (疑似低目标 easy targets)")
                else:
                    ax.plot(g["year"], y, marker=".", lw=1.0, alpha=0.6, label=name)
            ax.axhline(1.0, color="0.3", ls="--", lw=1, label="100 % 完成目标 target met")
            for c in caps:
                ax.axhline(c, color="tab:red", ls=":", lw=1,
                           label=f"封顶 {c:.0%} cap (方案 scheme)")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("年度 Year")
            ax.set_ylabel("完成度 Achievement (实际/目标 value/target)")
            ax.set_title("个性化指标目标完成度 Achievement of declared targets")
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
            ax.grid(alpha=0.3)
        return ax


def target_ambition(ws: Workspace, year: int | None = None, *, scheme=None,
                    tolerance: float = 0.0, wide_margin: float = 0.15, peer_gap: float = 0.15,
                    min_years: int = 2, bunching_band: float = 0.05,
                    bunching_years: int = 3, trend_years: int = 3) -> TargetAmbition:
    """How ambitious each declared target was, and which units declare easy targets repeatedly.

    Parameters
    ----------
    ws : Workspace
        Its ``targets`` (individualized indicators only) and ``values``.
    year : int, optional
        Rows for every target year up to and including ``year`` (the record the pattern is
        judged on); None takes every target year. ``year`` must have targets.
    scheme : Scheme, str or path, optional
        When given, :attr:`TargetAmbition.cap_effect` compares the ranking of ``year`` (the
        latest target year when ``year`` is None) with the scheme's caps and without them.
    tolerance : float, default 0.0
        A target whose ``ambition`` is at most this is "not above the unit's own record".
    wide_margin : float, default 0.15
        A ``margin`` at least this (the target beaten by 15 % of itself) is wide.
    peer_gap : float, default 0.15
        A ``margin_vs_peers`` at least this is wide compared with the peers.
    min_years : int, default 2
        A unit is judged on its record only with at least this many judged years (years with
        a realised value).
    bunching_band : float, default 0.05
        Bunching (压线完成): the margin is in ``[0, bunching_band]`` in every judged year ...
    bunching_years : int, default 3
        ... of at least this many judged years, while the peers missed at least once.
    trend_years : int, default 3
        With at least this many earlier realised values the own record is the linear trend
        projected to the target year; with fewer, the last earlier value.

    Returns
    -------
    TargetAmbition
        ``frame`` (one row per unit, indicator and target year), ``units``, ``cap_effect``.

    Raises
    ------
    BuildError
        No targets (for ``year``), a target for an indicator that is not in the framework or not
        individualized, a missing or non-positive target, or a unit-indicator-year declared twice;
        each message names the unit, indicator and year and the fix.

    Notes
    -----
    Directions: ``d`` is the framework's direction (+1 higher is better, -1 lower is better); every
    measure is oriented so that positive means more ambitious or better.

    * ``baseline``: the unit's own record before the target year (values of years < ``year`` of
      the same indicator): the least-squares line through them projected to the target year when
      there are at least ``trend_years``, otherwise the last one (``baseline_method`` says which;
      ``"none"`` before any realised value, as in the first target year, since an individualized
      indicator has values only from adoption on).
    * ``ambition = d * (target - baseline) / |baseline|``: how far the target reaches beyond the
      own record (0.05: 5 % above it); NaN without a record or with a baseline of 0.
    * Peers are the other units declaring the same indicator that year (``peer_n``).
      ``ambition_vs_peers`` is the ambition minus the peers' median ambition,
      ``ambition_percentile`` the share of peers with a lower ambition (ties count half).
    * ``achievement`` is ``value / target`` (``target / value`` for ``d = -1``, infinite for a
      value <= 0 there), as the scheme's distance-to-target normalisation computes it;
      ``margin = d * (value - target) / target``; ``met = margin >= 0``. ``margin_vs_peers`` is
      the margin minus the peers' median margin, ``peer_miss_share`` the share of peers that
      missed.
    * A row is flagged easy (``flag``) when the target was beaten widely
      (``margin >= wide_margin``) **and** either it was not above the own record
      (``ambition <= tolerance``: ``easy_reason = "below_record"``) or the margin stands out from
      the peers' (``margin_vs_peers >= peer_gap``: ``"beats_peers"``). In the first target year
      the ambition is NaN and only the peer comparison can flag; with neither record nor peers a
      row is not judged (``note`` says so).
    * A unit (``units``) is flagged when the same rule holds for its record as a whole
      (``pattern = "easy"``): judged in at least ``min_years`` years, its mean margin is at least
      ``wide_margin`` **and** either its median ambition is at most ``tolerance`` (its targets
      sat at or below what it had already achieved) or its mean ``margin_vs_peers`` is at least
      ``peer_gap``. Pooling the years lets one good or bad year neither make nor break the
      judgement (``n_flagged`` and ``share_flagged`` show the single years); the median keeps
      a near-zero baseline (a growth rate close to 0) from dominating the ambition. A unit also
      is flagged when it bunches just above its targets (``"bunching"``: met in every one of at
      least ``bunching_years`` judged years with margins at most ``bunching_band``, while its
      peers missed in some of them); the rows of a bunching unit get ``flag`` and
      ``easy_reason = "bunching"``.
    * With ``scheme``, the assessment of the year is built twice by :func:`zhengji_lab.build`: as
      the scheme says, and with every target-normalised indicator's ``{cap: c, scale: [lo,
      hi]}`` replaced by ``{cap: C, scale: [lo, lo + (hi - lo) * C / c]}``, where ``C`` is twice
      the year's largest achievement (at least ``2 c``), rounded up: scores at or below the cap
      are unchanged, achievements above it score beyond ``hi`` instead of at it.

    On the synthetic city (``make_city``, 2025, these defaults) the unit flag found 389 of the
    400 planted gaming units of seeds 0-199 (the others did not beat their low targets on a
    noisy growth rate) and flagged 19 of 1400 honest adopters (1.4 %).

    Rows without a realised value stay with NaN measures and a ``note``; nothing is dropped.
    Ambition and margins are ratios: scaling a unit's values and targets by a positive constant
    leaves them unchanged.

    References
    ----------
    Bevan, G. and Hood, C. (2006). What's measured is what matters: targets and gaming in the
    English public health care system. *Public Administration* 84(3), 517-538.
    Weitzman, M. L. (1980). The "ratchet principle" and performance incentives. *The Bell
    Journal of Economics* 11(1), 302-308.

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> from zhengji_lab.effects.targets import target_ambition
    >>> ws, truth = zl.datasets.make_city(seed=1)
    >>> res = target_ambition(ws, year=2025)
    >>> sorted(truth.gaming_units) == res.flagged
    True
    """
    rule = _check_rule(tolerance=tolerance, wide_margin=wide_margin, peer_gap=peer_gap,
                       min_years=min_years, bunching_band=bunching_band,
                       bunching_years=bunching_years, trend_years=trend_years)
    targets = _checked_targets(ws, year)
    frame = _rows(ws, targets, rule)
    frame = _peers(frame)
    frame = _judge_rows(frame, rule)
    units = _judge_units(frame, rule)
    bunching = units.loc[units["pattern"] == "bunching", ["unit_id", "indicator"]]
    hit = pd.MultiIndex.from_frame(frame[["unit_id", "indicator"]]).isin(
        pd.MultiIndex.from_frame(bunching)) & frame["value"].notna().to_numpy()
    frame.loc[hit, "easy_reason"] = "bunching"
    frame.loc[hit, "flag"] = True
    frame = frame[FRAME_COLUMNS].reset_index(drop=True)
    caps: dict = {}
    cap_effect = None
    if scheme is not None:
        cap_year = int(frame["year"].max()) if year is None else int(year)
        cap_effect, caps = _cap_effect(ws, scheme, cap_year, frame)
    zh, en = ws.labels("zh"), ws.labels("en")
    labels = {c: (zh[c] if zh[c] == en[c] else f"{zh[c]} {en[c]}") for c in zh}
    logger.debug("target_ambition: %d rows, %d unit(s) flagged", len(frame), units["flag"].sum())
    return TargetAmbition(frame, units, cap_effect, None if year is None else int(year), caps,
                          rule, labels)


# -- input checks ------------------------------------------------------------------------------
def _check_rule(**rule) -> dict:
    for name in ("wide_margin", "bunching_band"):
        if not (isinstance(rule[name], (int, float)) and 0 <= rule[name] <= 1e6):
            raise ValueError(f"The {name!r} parameter of target_ambition() must be a number >= 0."
                             f" Got {rule[name]!r} instead.")
    for name in ("tolerance", "peer_gap"):
        if not (isinstance(rule[name], (int, float)) and math.isfinite(rule[name])):
            raise ValueError(f"The {name!r} parameter of target_ambition() must be a finite "
                             f"number. Got {rule[name]!r} instead.")
    for name, low in (("min_years", 1), ("bunching_years", 1), ("trend_years", 2)):
        v = rule[name]
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"The {name!r} parameter of target_ambition() must be a whole number"
                             f" >= {low}. Got {v!r} instead.")
    return rule


def _where(r) -> str:
    return f"unit {r.unit_id!r}, indicator {r.indicator!r}, year {int(r.year)}"


def _checked_targets(ws: Workspace, year) -> pd.DataFrame:
    """The targets up to ``year`` with their direction, after checking every row."""
    tg = ws.targets
    if tg is None or len(tg) == 0:
        raise BuildError("The workspace has no targets (targets.csv is empty): declare targets "
                         "for the individualized indicators (unit_id, year, indicator, target).")
    tg = tg.copy()
    tg["year"] = pd.to_numeric(tg["year"], errors="coerce")
    years = sorted(int(y) for y in tg["year"].dropna().unique())
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
            raise BuildError(f"The year must be a whole number such as {max(years)}. "
                             f"Got {year!r} instead.")
        if int(year) not in years:
            raise BuildError(f"No targets for year {year}; targets.csv has targets for {years}. "
                             "Choose one of those years or declare the year's targets.")
        tg = tg[tg["year"] <= int(year)]
    fw = ws.framework.reindex(columns=["code", "direction", "scope"]).set_index("code")
    leaves = set(ws.indicators())
    if "target_source" not in tg.columns:
        tg["target_source"] = ""
    tg["target"] = pd.to_numeric(tg["target"], errors="coerce")
    problems = []
    for r in tg.itertuples():
        if r.indicator not in leaves:
            problems.append(f"{_where(r)}: the indicator is not an indicator of the framework; "
                            "fix the code in targets.csv or add the indicator to framework.csv")
        elif fw.at[r.indicator, "scope"] != "individualized":
            problems.append(f"{_where(r)}: the indicator is not individualized (scope "
                            f"{fw.at[r.indicator, 'scope']!r}); set scope 'individualized' in "
                            "framework.csv or remove the target")
        elif not r.target > 0:
            problems.append(f"{_where(r)}: target {r.target!r} is not a positive number, and "
                            "achievement and margin are ratios to it; declare a positive target "
                            "(a lower-is-better indicator keeps a positive target, e.g. 3 "
                            "accidents)")
    dup = tg[tg.duplicated(["unit_id", "indicator", "year"], keep="first")]
    problems += [f"{_where(r)}: declared more than once; keep one row" for r in dup.itertuples()]
    if problems:
        more = f"\n... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise BuildError(f"{len(problems)} problem(s) with the targets:\n- "
                         + "\n- ".join(problems[:10]) + more)
    tg["year"] = tg["year"].astype(int)
    tg["direction"] = fw["direction"].reindex(tg["indicator"]).astype(int).to_numpy()
    return tg.sort_values(["indicator", "unit_id", "year"]).reset_index(drop=True)


# -- per row: own record, achievement ----------------------------------------------------------
def _baseline(years: np.ndarray, vals: np.ndarray, year: int, trend_years: int):
    earlier = (years < year) & ~np.isnan(vals)
    n = int(earlier.sum())
    if n == 0:
        return np.nan, "none", 0
    x, y = years[earlier].astype(float), vals[earlier]
    if n >= trend_years:
        slope, intercept = np.polyfit(x, y, 1)
        return float(intercept + slope * year), "trend", n
    return float(y[np.argmax(x)]), "last", n


def _rows(ws: Workspace, tg: pd.DataFrame, rule: dict) -> pd.DataFrame:
    vals = ws.values[ws.values["indicator"].isin(set(tg["indicator"]))]
    vals = vals.assign(value=pd.to_numeric(vals["value"], errors="coerce"),
                       year=vals["year"].astype(int))
    realised = vals.groupby(["unit_id", "indicator", "year"])["value"].first()
    by_unit = {k: (g["year"].to_numpy(), g["value"].to_numpy(dtype=float))
               for k, g in vals.groupby(["unit_id", "indicator"])}
    out = []
    for r in tg.itertuples():
        yrs, vs = by_unit.get((r.unit_id, r.indicator), (np.array([], int), np.array([])))
        base, how, n = _baseline(yrs, vs, r.year, rule["trend_years"])
        value = realised.get((r.unit_id, r.indicator, r.year), np.nan)
        out.append((r.unit_id, r.indicator, r.year, r.direction, r.target_source, r.target, base,
                    how, n, value))
    f = pd.DataFrame(out, columns=["unit_id", "indicator", "year", "direction", "target_source",
                                   "target", "baseline", "baseline_method", "n_earlier", "value"])
    d, t, b, v = (f[c].to_numpy(dtype=float) for c in ("direction", "target", "baseline", "value"))
    with np.errstate(divide="ignore", invalid="ignore"):
        f["ambition"] = np.where(b != 0, d * (t - b) / np.abs(b), np.nan)
        f["margin"] = d * (v - t) / t
        ach = np.where(d > 0, v / t, np.where(v > 0, t / v, np.inf))
    f["achievement"] = np.where(np.isnan(v), np.nan, ach)
    f["met"] = pd.array(np.where(np.isnan(v), None, f["margin"] >= 0), dtype="boolean")
    notes = [[] for _ in range(len(f))]
    for k in range(len(f)):
        if np.isnan(v[k]):
            notes[k].append("no realised value")
        if f.at[k, "baseline_method"] == "none":
            notes[k].append("no earlier realised value: ambition not measured")
        elif b[k] == 0:
            notes[k].append("own record is 0: ambition not measured")
    f["note"] = notes
    return f


def _peers(f: pd.DataFrame) -> pd.DataFrame:
    """Peer statistics: the other units declaring the same indicator in the same year."""
    cols = {c: np.full(len(f), np.nan) for c in
            ("peer_n", "peer_ambition_median", "ambition_percentile", "peer_margin_median",
             "peer_miss_share")}
    for _, g in f.groupby(["indicator", "year"]):
        idx = g.index.to_numpy()
        amb, mar = g["ambition"].to_numpy(float), g["margin"].to_numpy(float)
        for j, row in enumerate(idx):
            others = np.arange(len(idx)) != j
            cols["peer_n"][row] = others.sum()
            pa, pm = amb[others][~np.isnan(amb[others])], mar[others][~np.isnan(mar[others])]
            if len(pa):
                cols["peer_ambition_median"][row] = np.median(pa)
                if not np.isnan(amb[j]):
                    cols["ambition_percentile"][row] = (np.mean(pa < amb[j])
                                                        + 0.5 * np.mean(pa == amb[j]))
            if len(pm):
                cols["peer_margin_median"][row] = np.median(pm)
                cols["peer_miss_share"][row] = np.mean(pm < 0)
    f = f.assign(**cols)
    f["peer_n"] = f["peer_n"].astype(int)
    f["ambition_vs_peers"] = f["ambition"] - f["peer_ambition_median"]
    f["margin_vs_peers"] = f["margin"] - f["peer_margin_median"]
    return f


def _judge_rows(f: pd.DataFrame, rule: dict) -> pd.DataFrame:
    wide = (f["margin"] >= rule["wide_margin"]).to_numpy()
    below = (f["ambition"] <= rule["tolerance"]).to_numpy()
    beats = (f["margin_vs_peers"] >= rule["peer_gap"]).to_numpy()
    f["easy_reason"] = np.where(wide & below, "below_record",
                                np.where(wide & beats, "beats_peers", ""))
    f["flag"] = f["easy_reason"] != ""
    for k in np.flatnonzero(f["value"].notna() & f["ambition"].isna()
                            & f["peer_margin_median"].isna()):
        f.at[k, "note"] = [*f.at[k, "note"], "neither own record nor peers: not judged"]
    f["note"] = ["; ".join(n) for n in f["note"]]
    return f


def _judge_units(f: pd.DataFrame, rule: dict) -> pd.DataFrame:
    out = []
    for (unit, ind), g in f.groupby(["unit_id", "indicator"], sort=False):
        judged = g[g["value"].notna()]
        n_judged, n_flag = len(judged), int(judged["flag"].sum())
        n_met = int(judged["met"].sum())
        amb, margin = g["ambition"].median(), judged["margin"].mean()
        vs_peers = judged["margin_vs_peers"].mean()
        pattern = ""
        if n_judged >= rule["min_years"] and margin >= rule["wide_margin"] and (
                amb <= rule["tolerance"] or vs_peers >= rule["peer_gap"]):
            pattern = "easy"
        elif (n_judged >= rule["bunching_years"] and n_met == n_judged
              and judged["margin"].max() <= rule["bunching_band"]
              and judged["peer_miss_share"].gt(0).any()):
            pattern = "bunching"
        out.append((unit, ind, len(g), int(g["year"].min()), int(g["year"].max()), n_judged,
                    n_met, n_flag, n_flag / n_judged if n_judged else np.nan, amb, margin,
                    vs_peers, pattern, pattern != ""))
    units = pd.DataFrame(out, columns=UNIT_COLUMNS)
    return units.sort_values(["indicator", "unit_id"]).reset_index(drop=True)


# -- what the cap does to the ranking ----------------------------------------------------------
def _cap_effect(ws: Workspace, scheme, year: int, frame: pd.DataFrame):
    """Rank with the scheme's caps and with them removed, built twice by :func:`zl.build`.

    Removing the cap keeps the scheme's mapping of achievement onto its scale and extends it
    linearly above the cap: an override ``{cap: c, scale: [lo, hi]}`` becomes ``{cap: C, scale:
    [lo, lo + (hi - lo) * C / c]}`` with ``C`` above every achievement of the year, so units at
    or below the cap keep their scores and those above it score beyond ``hi``.
    """
    sch = as_scheme(ws, scheme)
    specs = {c: sch.normalise_spec(c) for c in ws.indicators()}
    codes = [c for c, s in specs.items() if s["method"] == "target"]
    if not codes:
        raise BuildError(f"Scheme {sch.spec['name']!r} normalises no indicator with method "
                         "'target', so there is no cap to remove; give a scheme with "
                         "{method: target, cap: ...} overrides or leave out 'scheme'.")
    caps = {c: float(specs[c].get("cap") or 1.0) for c in codes}
    rows = frame[(frame["year"] == year) & frame["indicator"].isin(codes)]
    ach = rows["achievement"].to_numpy(dtype=float)
    ach = ach[np.isfinite(ach)]
    big = float(math.ceil(2 * max([*caps.values(), *ach, 1.0])))
    overrides = dict(sch.spec["normalise"].get("overrides") or {})
    for c in codes:
        lo, hi = specs[c].get("scale") or (0.0, 1.0)
        overrides[c] = {**overrides.get(c, {}), "method": "target", "cap": big,
                        "scale": [lo, lo + (hi - lo) * big / caps[c]]}
    uncapped = sch.replace("normalise.overrides", overrides)
    root = ws.root
    capped_scores = build(ws, sch, year).scores
    uncapped_scores = build(ws, uncapped, year).scores
    both = (capped_scores[capped_scores["node"] == root][["unit_id", "score", "rank"]]
            .merge(uncapped_scores[uncapped_scores["node"] == root][["unit_id", "score", "rank"]],
                   on="unit_id", suffixes=("_capped", "_uncapped"), how="outer"))
    group_col = sch.spec["peer_groups"]
    groups = ws.units.set_index("unit_id")
    both["peer_group"] = (groups[group_col].reindex(both["unit_id"]).to_numpy()
                          if group_col in groups.columns else "")
    both["year"] = year
    over = rows.assign(over=rows["achievement"] > rows["indicator"].map(caps))
    per_unit = over.groupby("unit_id").agg(max_achievement=("achievement", "max"),
                                           over_cap=("over", "any"))
    both = both.join(per_unit, on="unit_id")
    both["over_cap"] = both["over_cap"].fillna(False).astype(bool)
    both["shift"] = both["rank_uncapped"] - both["rank_capped"]
    both = both.sort_values(["peer_group", "rank_capped", "unit_id"]).reset_index(drop=True)
    return both[CAP_COLUMNS], caps
