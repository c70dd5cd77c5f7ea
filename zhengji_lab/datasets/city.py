"""The generator of the SYNTHETIC sample city 青川市: :func:`make_city` and its :class:`CityTruth`.

The fixed part of the city (units, indicator tree, adopters, outcomes, outliers, deduction items,
panel, schemes) is :mod:`zhengji_lab.datasets.spec`, read from ``city_spec.yaml``; this module
draws the numbers from the model described in the docstring of :mod:`zhengji_lab.datasets` and
plants the ground truth. Everything is drawn from one :func:`numpy.random.default_rng` in a fixed
order, so one seed gives one city; the outcomes outside the score
(:mod:`zhengji_lab.datasets.outcomes`) are drawn last, so that the other tables are the same
whatever their planted effects.

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill (1-9 scale, consistency
ratio, random index).
"""
from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml

from zhengji_lab.datasets.outcomes import (
    AFFECTED,
    OUTCOMES,
    EffectsOption,
    TrueEffect,
    check_effects,
    make_outcomes,
)
from zhengji_lab.datasets.spec import (
    ADOPTION,
    CONSENSUS,
    COVARIATES,
    DEDUCTION_ITEMS,
    DIMENSIONS,
    EXPERTS,
    GAMED_TARGET,
    GAMING_UNITS,
    HONEST_TARGET,
    INCONSISTENT_EXPERTS,
    INDICATORS,
    OUTLIERS,
    OUTLYING_EXPERT,
    OUTLYING_WEIGHTS,
    PEER_GROUP,
    POSITIONING,
    ROOT,
    SCHEME_TEMPLATE,
    SCHEMES,
    UNITS,
    WORKSPACE_META,
)
from zhengji_lab.weighting.ahp import ahp
from zhengji_lab.workspace import COLUMNS, Workspace

logger = logging.getLogger(__name__)

#: The seed of the shipped ``data/sample_city`` folder.
DEFAULT_SEED = 20251
#: Years of the sample city.
YEARS: tuple[int, ...] = tuple(range(2019, 2026))
#: Points added to the satisfaction score of an adopter of an individualized indicator (unless
#: ``make_city(effects="none")``).
EFFECT_SIZE = 3.0
#: The outcome that the planted effect of individualized indicators moves.
EFFECT_OUTCOME = "liv_satisfaction"
#: Share of the applicable cells that are missing.
MISSING_SHARE = 0.03
# the values of Saaty's scale, 1/9 ... 1 ... 9
_SAATY_VALUES = np.array([1 / k for k in range(9, 1, -1)] + list(range(1, 10)), dtype=float)
# standardisation of the covariates in the value model (fixed, so units do not shift each other)
_IND_CENTRE, _IND_SCALE = 0.5, 0.25
_ECO_CENTRE, _ECO_SCALE = 0.15, 0.18
# the panel's judgements
_PERSONAL_NOISE = 0.2      # sd of log personal weights around the consensus
_JUDGEMENT_NOISE = {"consistent": 0.15, "inconsistent": 0.7}   # sd of log pairwise errors
_CR_BOUNDS = {"consistent": (0.0, 0.08), "inconsistent": (0.15, math.inf)}


@dataclass(frozen=True, eq=False)
class CityTruth:
    """The ground truth planted in :func:`make_city`.

    Attributes
    ----------
    seed : int, Generator or None
        The ``seed`` given to :func:`make_city`.
    latent : DataFrame
        ``unit_id, year, latent``: latent performance :math:`L_{it}` (higher is better); it does
        not depend on the structural covariates.
    ecology_towns : tuple of str
        The ecology-function towns (high red-line share, low industrial base).
    adoption : DataFrame
        ``unit_id, indicator, year``: first year of each adopter's individualized indicator.
    effect_outcome : str
        The indicator moved by adoption (``"liv_satisfaction"``).
    effect_size : float
        Points added to ``effect_outcome`` in every year from adoption on (before clipping to
        the 0-100 range; no dynamics, the same for every adopter): :data:`EFFECT_SIZE`, or 0 for
        ``effects="none"``.
    gaming_units : tuple of str
        Adopters that declare low targets (65-75 % of their expected value) and beat them easily.
    outliers : DataFrame
        ``unit_id, year, indicator, clean, value``: planted outliers, the value before and after.
    missing : DataFrame
        ``unit_id, year, indicator, how``: missing cells, ``how`` is ``"absent"`` (no row in
        ``values``) or ``"nan"`` (a row with an empty value). Cells of individualized indicators
        before adoption are not applicable and not listed.
    consensus_weights : dict of Series
        ``{group: weights}`` the panel's consensus for judgement groups ``"index"`` and
        ``"livelihood"``.
    expert_weights : dict of DataFrame
        ``{group: experts × nodes}``: each expert's personal weights behind their judgements.
    inconsistent_experts : tuple of str
        Experts whose AHP matrices have CR > 0.10 (the others have CR <= 0.08).
    outlying_expert : str
        The expert whose weights stand apart from the panel in both groups.
    effects : str or dict
        The ``effects`` option of :func:`make_city`: ``"dynamic"``, ``"constant"``, ``"none"``,
        or the mapping of custom sizes (as floats).
    outcomes : tuple of str
        The outcomes outside the score in ``workspace.outcomes`` (towns and parks, every year).
    adoption_effects : dict of TrueEffect
        ``{outcome: ATT}`` for the outcomes adoption moves (``survey_satisfaction``,
        ``hotline_complaints``; 0 under ``"none"``): the mean of the cell effects over the
        treated unit-years, a ``float`` with ``.by_cohort`` (adoption year -> mean over that
        cohort's treated unit-years) and ``.by_event_time`` (years since adoption -> mean).
    unaffected_outcomes : tuple of str
        Placebo outcomes that adoption never moves (``income_growth``).
    outcome_effects : DataFrame
        ``unit_id, year, outcome, effect``: the planted effect of every cell of
        ``workspace.outcomes`` (0 before adoption, for units that never adopt and for placebos).
    """

    seed: int | np.random.Generator | None
    latent: pd.DataFrame
    ecology_towns: tuple[str, ...]
    adoption: pd.DataFrame
    effect_outcome: str
    effect_size: float
    gaming_units: tuple[str, ...]
    outliers: pd.DataFrame
    missing: pd.DataFrame
    consensus_weights: dict
    expert_weights: dict
    inconsistent_experts: tuple[str, ...]
    outlying_expert: str
    effects: str | dict
    outcomes: tuple[str, ...]
    adoption_effects: dict[str, TrueEffect]
    unaffected_outcomes: tuple[str, ...]
    outcome_effects: pd.DataFrame


def make_city(seed: int | np.random.Generator | None = DEFAULT_SEED, *,
              effects: EffectsOption | Mapping = "dynamic") -> tuple[Workspace, CityTruth]:
    """Simulate the SYNTHETIC sample city 青川市 (Qingchuan), 2019-2025, with its ground truth.

    Parameters
    ----------
    seed : int, numpy Generator or None, default :data:`DEFAULT_SEED`
        Passed to :func:`numpy.random.default_rng`; the shipped ``data/sample_city`` is
        ``make_city(DEFAULT_SEED)``. The structure (units, framework, adopters, gaming units,
        inconsistent and outlying experts) is fixed; the numbers are drawn.
    effects : {"dynamic", "constant", "none"} or mapping, default "dynamic"
        The planted effects of adopting individualized indicators on the outcomes outside the
        score (``survey_satisfaction`` up, ``hotline_complaints`` down; ``income_growth`` is a
        placebo, never moved):

        * ``"dynamic"``: different by adoption cohort and growing with the years since adoption,
          ``start + growth × (t - cohort)`` (the cohorts' ``start, growth`` are in
          ``city_spec.yaml``); static two-way fixed effects is biased by them;
        * ``"constant"``: one size for every adopter and year from adoption on;
        * ``"none"``: no effect anywhere, not even on ``liv_satisfaction``;
        * a mapping ``{outcome: size}`` (constant) or ``{outcome: {cohort: (start, growth)}}``
          (dynamic, every cohort given): custom sizes; outcomes not named are not moved.

        Except under ``"none"``, adopters' ``liv_satisfaction`` (in the score) is raised by
        :data:`EFFECT_SIZE`. The option changes nothing else: every table but ``outcomes`` (and
        ``liv_satisfaction`` for ``"none"``) is the same for every option, and the outcomes are
        the same up to the planted effects (:attr:`CityTruth.outcome_effects`).

    Returns
    -------
    workspace : Workspace
        Framework, units, values, targets, deductions, deduction items, judgements, schemes,
        outcomes and the city's names (``meta``: 青川市); floats are rounded so that a CSV round trip is exact.
    truth : CityTruth
        What was planted (see :mod:`zhengji_lab.datasets` for the model).

    Raises
    ------
    TypeError, ValueError
        ``effects`` is not one of the options or a valid mapping.

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill (consistency ratio and
    random index used to make two experts inconsistent).

    Examples
    --------
    >>> ws, truth = make_city(seed=1)
    >>> sorted(ws.judgements)
    ['index', 'index_points', 'livelihood', 'livelihood_points']
    >>> truth.inconsistent_experts, truth.outlying_expert
    (('expert_3', 'expert_5'), 'expert_7')
    >>> att = truth.adoption_effects["survey_satisfaction"]
    >>> round(att, 3), att.by_cohort
    (2.417, {2022: 3.25, 2023: 1.5, 2024: 1.25})
    >>> _, flat = make_city(seed=1, effects="constant")
    >>> flat.adoption_effects["hotline_complaints"].by_cohort
    {2022: -3.0, 2023: -3.0, 2024: -3.0}
    """
    effects = check_effects(effects)
    effect_size = 0.0 if effects == "none" else EFFECT_SIZE
    rng = np.random.default_rng(seed)
    units = _make_units(rng)
    latent = _make_latent(rng, units)
    values, outliers, missing, targets = _make_values(rng, units, latent, effect_size)
    deductions = _make_deductions(rng, units, latent)
    judgements, expert_weights = _make_judgements(rng)
    # drawn last, so that the tables above do not depend on them
    outcomes, outcome_effects, adoption_effects = make_outcomes(rng, units, latent, effects)
    ws = Workspace(
        framework=_framework(), units=units, values=values, targets=targets,
        deductions=deductions, deduction_items=_deduction_items(), judgements=judgements,
        schemes=_schemes(), outcomes=outcomes, meta=dict(WORKSPACE_META),
    )
    truth = CityTruth(
        seed=seed,
        latent=latent.stack().rename("latent").rename_axis(["unit_id", "year"]).reset_index(),
        ecology_towns=tuple(u[0] for u in UNITS if u[4] == "eco"),
        adoption=pd.DataFrame([(u, ind, y) for u, (ind, y) in ADOPTION.items()],
                              columns=["unit_id", "indicator", "year"]),
        effect_outcome=EFFECT_OUTCOME,
        effect_size=effect_size,
        gaming_units=GAMING_UNITS,
        outliers=outliers,
        missing=missing,
        consensus_weights={g: pd.Series(w, name="weight") for g, w in CONSENSUS.items()},
        expert_weights=expert_weights,
        inconsistent_experts=INCONSISTENT_EXPERTS,
        outlying_expert=OUTLYING_EXPERT,
        effects=effects,
        outcomes=tuple(o.name for o in OUTCOMES),
        adoption_effects=adoption_effects,
        unaffected_outcomes=tuple(o.name for o in OUTCOMES if o.name not in AFFECTED),
        outcome_effects=outcome_effects,
    )
    return ws, truth


# -- pieces of make_city ------------------------------------------------------------------------

def _framework() -> pd.DataFrame:
    rows = [(i.code, i.name_zh, i.name_en, i.parent, 1, i.direction, i.unit, i.scope, i.kinds,
             i.visibility, i.source, i.key) for i in INDICATORS]
    rows += [(code, zh, en, ROOT[0], 2, 1, "分", "common", "", "visible", "", "")
             for code, zh, en in DIMENSIONS]
    rows.append((*ROOT, "", 3, 1, "分", "common", "", "visible", "", ""))
    return pd.DataFrame(rows, columns=COLUMNS["framework"])


def _make_units(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for unit_id, zh, en, kind, role in UNITS:
        spec = COVARIATES[role]
        draw = {k: rng.uniform(*v) for k, v in spec.items()}
        area = round(draw["area"], 1) if "area" in draw else np.nan
        pop = round(draw["pop"], 2) if "pop" in draw else np.nan
        if "output_per_pop" in draw:   # towns: GDP grows with population and industrial base
            output = pop * draw["output_per_pop"] * (0.6 + draw["ind"])
        else:
            output = draw["output"]
        rows.append((unit_id, zh, en, kind, PEER_GROUP[kind], area, pop, round(output, 2),
                     round(draw["redline"], 3) if "redline" in draw else np.nan,
                     round(draw["ind"], 3) if "ind" in draw else np.nan,
                     POSITIONING.get(role, "")))
    return pd.DataFrame(rows, columns=COLUMNS["units"] + [
        "area_km2", "population", "baseline_output", "eco_redline_share", "industrial_base",
        "positioning"])


def _make_latent(rng: np.random.Generator, units: pd.DataFrame) -> pd.DataFrame:
    """Latent performance, units × years: unit effect + unit trend + AR(1) shocks."""
    n, t = len(units), len(YEARS)
    effect = rng.normal(0.0, 1.0, n)
    slope = rng.normal(0.05, 0.04, n)
    rho, innovation = 0.5, 0.4
    shocks = np.empty((n, t))
    shocks[:, 0] = rng.normal(0.0, innovation / math.sqrt(1 - rho**2), n)
    for k in range(1, t):
        shocks[:, k] = rho * shocks[:, k - 1] + rng.normal(0.0, innovation, n)
    latent = effect[:, None] + slope[:, None] * np.arange(t)[None, :] + shocks
    return pd.DataFrame(latent, index=pd.Index(units["unit_id"], name="unit_id"),
                        columns=pd.Index(YEARS, name="year"))


def _make_values(rng, units, latent, effect_size):
    """Values (long), planted outliers, missing cells and targets; adopters' satisfaction is
    raised by ``effect_size`` from adoption on."""
    years = np.array(YEARS)
    territorial = units["kind"].isin(["town", "park"]).to_numpy()
    x_ind = np.where(territorial, (units["industrial_base"] - _IND_CENTRE) / _IND_SCALE, 0.0)
    x_eco = np.where(territorial, (units["eco_redline_share"] - _ECO_CENTRE) / _ECO_SCALE, 0.0)
    adopted = np.array([[u in ADOPTION and y >= ADOPTION[u][1] for y in YEARS]
                        for u in units["unit_id"]])
    frames, targets = [], []
    for ind in INDICATORS:
        rows = np.flatnonzero([not ind.kinds or k in ind.kinds.split(";") for k in units["kind"]])
        if ind.scope == "individualized":
            rows = np.array([r for r in rows if ADOPTION.get(units["unit_id"][r], ("",))[0]
                             == ind.code], dtype=int)
        kinds = units["kind"].to_numpy()[rows]
        mean = np.array([ind.param("mean", k) for k in kinds])[:, None]
        sd = np.array([ind.param("sd", k) for k in kinds])[:, None]
        structural = ind.b_ind * x_ind[rows, None] + ind.b_eco * x_eco[rows, None]
        noise_sd = math.sqrt(1 - ind.loading**2)
        persistent = rng.normal(0.0, 1.0, (len(rows), 1))
        z = (ind.loading * latent.to_numpy()[rows] + structural
             + noise_sd * (0.6 * persistent + 0.8 * rng.normal(0.0, 1.0, (len(rows), len(years)))))
        level = mean + ind.trend * (years - YEARS[0]) + ind.shock_2020 * (years == 2020)
        if ind.count:
            value = rng.poisson(level * np.exp(ind.direction * sd * z)).astype(float)
        else:
            value = level + ind.direction * sd * z
        if ind.code == EFFECT_OUTCOME:
            value = value + effect_size * adopted[rows]
        value = np.round(np.clip(value, ind.lo, ind.hi), ind.decimals)
        frame = pd.DataFrame(value, index=units["unit_id"].to_numpy()[rows], columns=years)
        frame = frame.stack().rename("value").rename_axis(["unit_id", "year"]).reset_index()
        frame.insert(2, "indicator", ind.code)
        if ind.scope == "individualized":
            keep = [y >= ADOPTION[u][1] for u, y in zip(frame["unit_id"], frame["year"])]
            frame = frame[keep]
            # declared target: what the unit can expect from its mean latent level, its
            # conditions and its persistent term (no yearly shocks)
            expected = (level + sd * (ind.loading * latent.to_numpy()[rows].mean(axis=1)[:, None]
                                      + structural + noise_sd * 0.6 * persistent))
            for r, unit in enumerate(units["unit_id"].to_numpy()[rows]):
                gaming = unit in GAMING_UNITS
                factor = rng.uniform(*(GAMED_TARGET if gaming else HONEST_TARGET))
                start = ADOPTION[unit][1]
                for k, year in enumerate(YEARS):
                    if year >= start:
                        source = ("self_declared" if gaming or year == start
                                  else "expert_argued")
                        targets.append((unit, year, ind.code,
                                        round(float(expected[r, k] * factor), ind.decimals),
                                        source))
        frames.append(frame)
    values = pd.concat(frames, ignore_index=True)
    order = {"unit_id": {u: k for k, u in enumerate(units["unit_id"])},
             "indicator": {i.code: k for k, i in enumerate(INDICATORS)}}
    values = values.sort_values(["unit_id", "year", "indicator"],
                                key=lambda s: s.map(order[s.name]) if s.name in order else s,
                                kind="stable").reset_index(drop=True)
    values["year"] = values["year"].astype("int64")

    # outliers: one random cell of each listed indicator
    outlier_rows = []
    for code, op, size in OUTLIERS:
        pos = rng.choice(np.flatnonzero(values["indicator"] == code))
        clean = values.at[pos, "value"]
        decimals = next(i.decimals for i in INDICATORS if i.code == code)
        planted = round(clean * size if op == "times" else clean + size, decimals)
        values.at[pos, "value"] = planted
        outlier_rows.append((values.at[pos, "unit_id"], int(values.at[pos, "year"]), code,
                             clean, planted, pos))
    outliers = pd.DataFrame(outlier_rows,
                            columns=["unit_id", "year", "indicator", "clean", "value", "pos"])

    # missing cells: MCAR among the other cells; 2/3 absent rows, 1/3 empty values
    candidates = np.setdiff1d(np.arange(len(values)), outliers["pos"])
    n_missing = round(MISSING_SHARE * len(values))
    chosen = rng.choice(candidates, size=n_missing, replace=False)
    absent, empty = np.sort(chosen[: 2 * n_missing // 3]), np.sort(chosen[2 * n_missing // 3:])
    missing = pd.concat([values.loc[absent, ["unit_id", "year", "indicator"]].assign(how="absent"),
                         values.loc[empty, ["unit_id", "year", "indicator"]].assign(how="nan")])
    missing = missing.sort_index().reset_index(drop=True)
    values.loc[empty, "value"] = np.nan
    values = values.drop(index=absent).reset_index(drop=True)
    outliers = outliers.drop(columns="pos")
    targets = pd.DataFrame(targets, columns=COLUMNS["targets"]).sort_values(
        ["unit_id", "year"], key=lambda s: s.map(order[s.name]) if s.name in order else s,
        kind="stable").reset_index(drop=True)
    logger.debug("sample city: %d values, %d missing, %d outliers, %d targets", len(values),
                 n_missing, len(outliers), len(targets))
    return values, outliers, missing, targets


def _make_deductions(rng, units, latent) -> pd.DataFrame:
    """Negative-list events: yearly probability logit(p0) - 0.8 L per applicable item."""
    rows = []
    lat = latent.to_numpy()
    for u, (unit, kind) in enumerate(zip(units["unit_id"], units["kind"])):
        for k, year in enumerate(YEARS):
            for d in DEDUCTION_ITEMS:
                if d["kinds"] and kind not in d["kinds"].split(";"):
                    continue
                p0 = d["probability"]
                p = 1 / (1 + math.exp(-(math.log(p0 / (1 - p0)) - 0.8 * lat[u, k])))
                if rng.random() < p:
                    steps = np.arange(0.5, d["max_points"] + 0.25, 0.5)
                    chance = 1 / steps
                    points = float(rng.choice(steps, p=chance / chance.sum()))
                    rows.append((unit, year, d["item"], points, d["note"]))
    return pd.DataFrame(rows, columns=COLUMNS["deductions"])


def _deduction_items() -> pd.DataFrame:
    return pd.DataFrame(list(DEDUCTION_ITEMS), columns=COLUMNS["deduction_items"])


def _saaty_matrix(rng, weights: np.ndarray, noise: float) -> np.ndarray:
    """Pairwise judgements w_i / w_j × lognormal error, snapped to the 1-9 scale, reciprocal."""
    n = len(weights)
    a = np.ones((n, n))
    log_scale = np.log(_SAATY_VALUES)
    for i in range(n):
        for j in range(i + 1, n):
            ratio = math.log(weights[i] / weights[j]) + rng.normal(0.0, noise)
            a[i, j] = _SAATY_VALUES[np.argmin(np.abs(log_scale - ratio))]
            a[j, i] = 1.0 / a[i, j]
    return a


def _make_judgements(rng):
    """Each expert's AHP matrix (group ``<g>``) and point budget (``<g>_points``), both from
    the expert's personal weights."""
    judgements: dict[str, dict[str, pd.DataFrame]] = {
        name: {} for g in CONSENSUS for name in (g, f"{g}_points")}
    expert_weights = {}
    for group, consensus in CONSENSUS.items():
        nodes = list(consensus)
        personal = {}
        for expert in EXPERTS:
            centre = np.array(list((OUTLYING_WEIGHTS if expert == OUTLYING_EXPERT
                                    else CONSENSUS)[group].values()))
            w = centre * np.exp(rng.normal(0.0, _PERSONAL_NOISE, len(nodes)))
            w = w / w.sum()
            personal[expert] = w
            # AHP pairwise matrix with a controlled consistency
            kind = "inconsistent" if expert in INCONSISTENT_EXPERTS else "consistent"
            lo, hi = _CR_BOUNDS[kind]
            while True:
                a = pd.DataFrame(_saaty_matrix(rng, w, _JUDGEMENT_NOISE[kind]), index=nodes,
                                 columns=nodes)
                if lo <= ahp(a, cr_threshold=math.inf).cr <= hi:
                    break
            judgements[group][expert] = a
            # 100-point budget, integers by largest remainder
            raw = 100 * w
            points = np.floor(raw)
            short = int(100 - points.sum())
            points[np.argsort(points - raw)[:short]] += 1
            judgements[f"{group}_points"][expert] = pd.DataFrame({"points": points}, index=nodes)
        expert_weights[group] = pd.DataFrame(personal, index=nodes).T.rename_axis("expert")
    return judgements, expert_weights


def _schemes() -> dict[str, str]:
    """The scheme texts: the template with each scheme's name, description and weight rules."""
    return {name: SCHEME_TEMPLATE.substitute(name=name, description=scheme["description"],
                                             weights="\n".join(_weight_lines(scheme["weights"])))
            for name, scheme in SCHEMES.items()}


def _weight_lines(weights: dict[str, dict]) -> list[str]:
    """``  <node>: <rule>`` per entry, the rule as one line of flow-style YAML."""
    return [f"  {node if node.isidentifier() else json.dumps(node)}: "
            + yaml.safe_dump(rule, default_flow_style=True, width=math.inf, sort_keys=False).strip()
            for node, rule in weights.items()]
