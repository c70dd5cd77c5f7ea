"""Outcomes outside the score of the SYNTHETIC sample city, and the planted effects of adoption.

The sample city's ``outcomes.csv`` holds, for every town and park and year, outcomes that are not
indicators of the framework (the outcomes and their parameters are in ``city_spec.yaml``):
``survey_satisfaction`` (群众满意度调查得分, higher is better), ``hotline_complaints``
(12345热线投诉量 per 10,000 residents, lower is better) and the placebo ``income_growth``
(居民人均可支配收入增速, never moved by adoption). Each is

.. math:: y_{it} = \\mu_{k(i)} + a_i + g_t + \\lambda L_{it} + e_{it} + \\tau_{it} D_{it}

with a unit effect :math:`a_i`, common year effects :math:`g_t` (a trend, a 2020 shock and
yearly noise), a small loading :math:`\\lambda` on latent performance :math:`L_{it}`, AR(1) noise
:math:`e_{it}` and :math:`D_{it} = 1` from the unit's adoption year on. Nothing in the model
depends on who adopts when, so trends are parallel and nothing is anticipated by construction;
adoption moves an outcome only through :math:`\\tau_{it}`, whose form is the ``effects`` option
of :func:`~zhengji_lab.datasets.make_city` (:data:`EFFECTS`, or a mapping of custom sizes).

References
----------
Borusyak, K., Jaravel, X., Spiess, J. (2024). Revisiting event-study designs: robust and
efficient estimation. *Review of Economic Studies* 91(6), 3253-3285 (the ATT as the mean of
the treated cells' effects; forbidden comparisons of static two-way fixed effects).
Gardner, J. (2022). Two-stage differences in differences. arXiv:2207.05943.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from typing import Literal, get_args

import numpy as np
import pandas as pd

from zhengji_lab.datasets.spec import ADOPTION, OUTCOME_KINDS, OUTCOMES

#: The named options of ``make_city(effects=...)``.
EffectsOption = Literal["dynamic", "constant", "none"]
EFFECTS: tuple[str, ...] = get_args(EffectsOption)
#: Outcomes that adoption may move (the others are placebos).
AFFECTED: tuple[str, ...] = tuple(o.name for o in OUTCOMES if o.effects)
_OPTION_TEXT = (f"one of {set(EFFECTS)} or a mapping {{outcome: size or {{cohort: (start, "
                f"growth)}}}} over outcomes {list(AFFECTED)}")


class TrueEffect(float):
    """A true average effect of adoption: the number, with its breakdown.

    The value is the ATT, the mean of the cell effects :math:`\\tau_{it}` over the treated
    unit-years (:math:`D_{it} = 1`); it behaves as a ``float``.

    Attributes
    ----------
    by_cohort : dict
        Adoption year -> mean effect over that cohort's treated unit-years.
    by_event_time : dict
        Years since adoption (0 in the adoption year) -> mean effect over the treated unit-years
        at that event time.

    Examples
    --------
    >>> t = TrueEffect(2.0, by_cohort={2022: 2.5, 2023: 1.5}, by_event_time={0: 1.0, 1: 3.0})
    >>> t + 1, t.by_cohort[2022]
    (3.0, 2.5)
    """

    __slots__ = ("by_cohort", "by_event_time")

    def __new__(cls, value: float, by_cohort: dict, by_event_time: dict):
        self = super().__new__(cls, value)
        self.by_cohort = dict(by_cohort)
        self.by_event_time = dict(by_event_time)
        return self

    def __reduce__(self):
        return TrueEffect, (float(self), self.by_cohort, self.by_event_time)

    def __repr__(self) -> str:
        return (f"TrueEffect({float(self)!r}, by_cohort={self.by_cohort!r}, "
                f"by_event_time={self.by_event_time!r})")

    __str__ = float.__repr__


def cohorts() -> list[int]:
    """The adoption years of the units that have outcomes, sorted."""
    return sorted({year for _, year in ADOPTION.values()})


def check_effects(effects) -> str | dict:
    """``effects`` of :func:`~zhengji_lab.datasets.make_city` checked, as the truth records it.

    Returns
    -------
    str or dict
        The option's name, or a copy of the mapping with floats: ``{outcome: size}`` or
        ``{outcome: {cohort: (start, growth)}}``.

    Raises
    ------
    TypeError
        ``effects`` is neither a string nor a mapping.
    ValueError
        An unknown option, an outcome that adoption cannot move, or a size that is not a number
        or not given for every adoption cohort.
    """
    if isinstance(effects, str):
        if effects not in EFFECTS:
            raise ValueError(f"The 'effects' parameter of make_city() must be {_OPTION_TEXT}. "
                             f"Got {effects!r} instead.")
        return effects
    if not isinstance(effects, Mapping):
        raise TypeError(f"The 'effects' parameter of make_city() must be {_OPTION_TEXT}. Got "
                        f"{effects!r} instead.")
    out: dict = {}
    for name, size in effects.items():
        if name not in AFFECTED:
            placebo = [o.name for o in OUTCOMES if not o.effects]
            raise ValueError(f"The 'effects' parameter of make_city() may give sizes for the "
                             f"outcomes {list(AFFECTED)} ({placebo} are placebos, never moved). "
                             f"Got {name!r} instead.")
        if _is_number(size):
            out[name] = float(size)
            continue
        pairs = size if isinstance(size, Mapping) else {}
        if set(pairs) != set(cohorts()) or not all(
                not isinstance(p, str) and len(p) == 2 and all(map(_is_number, p))
                for p in pairs.values()):
            raise ValueError(f"The 'effects' parameter of make_city() must give {name!r} a "
                             f"number or {{cohort: (start, growth)}} for the cohorts "
                             f"{cohorts()}. Got {size!r} instead.")
        out[name] = {int(g): (float(p[0]), float(p[1])) for g, p in pairs.items()}
    return out


def _is_number(x) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool) and math.isfinite(x)


def planted(effects: str | dict) -> dict[str, dict[int, tuple[float, float]]]:
    """``{outcome: {cohort: (start, growth)}}`` for every outcome under a checked option."""
    zero = {g: (0.0, 0.0) for g in cohorts()}
    out = {}
    for o in OUTCOMES:
        if isinstance(effects, dict):
            size = effects.get(o.name, 0.0)
        elif effects == "none" or not o.effects:
            size = 0.0
        else:
            size = o.effects[effects]
        out[o.name] = ({g: (float(size), 0.0) for g in zero} if _is_number(size)
                       else dict(size))
    return out


def make_outcomes(rng: np.random.Generator, units: pd.DataFrame, latent: pd.DataFrame,
                  effects: str | dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Draw the outcomes of the towns and parks, with the planted effects.

    The draws do not depend on ``effects``: the cities of two options differ by the cell
    effects only (before clipping to an outcome's range).

    Parameters
    ----------
    rng : Generator
        Drawn from after everything else of :func:`~zhengji_lab.datasets.make_city`.
    units : DataFrame
        The units table (``unit_id``, ``kind``).
    latent : DataFrame
        Latent performance, units × years.
    effects : str or dict
        The option, checked by :func:`check_effects`.

    Returns
    -------
    outcomes : DataFrame
        ``unit_id, year, name, value`` (the workspace's ``outcomes``).
    cell_effects : DataFrame
        ``unit_id, year, outcome, effect``: :math:`\\tau_{it}` of every cell (0 before adoption,
        for units that never adopt and for placebos).
    adoption_effects : dict
        Outcome that adoption may move -> :class:`TrueEffect`.
    """
    keep = units["kind"].isin(OUTCOME_KINDS).to_numpy()
    ids = units["unit_id"].to_numpy()[keep]
    kinds = units["kind"].to_numpy()[keep]
    years = np.array(latent.columns, dtype=int)
    n, t = len(ids), len(years)
    start = np.array([ADOPTION[u][1] if u in ADOPTION else 0 for u in ids])
    event = years[None, :] - start[:, None]              # years since adoption
    treated = (start[:, None] > 0) & (event >= 0)
    lat = latent.to_numpy()[keep]
    sizes = planted(effects)
    values, taus = [], []
    for o in OUTCOMES:
        unit = rng.normal(0.0, o.unit_sd, n)
        year = (o.trend * (years - years[0]) + o.shock_2020 * (years == 2020)
                + rng.normal(0.0, o.year_sd, t))
        noise = np.empty((n, t))
        noise[:, 0] = rng.normal(0.0, o.noise_sd / math.sqrt(1 - o.rho**2), n)
        for k in range(1, t):
            noise[:, k] = o.rho * noise[:, k - 1] + rng.normal(0.0, o.noise_sd, n)
        mean = np.array([o.mean[k] for k in kinds])
        base = mean[:, None] + unit[:, None] + year[None, :] + o.loading * lat + noise
        table = sizes[o.name]
        tau = np.zeros((n, t))
        for r, g in enumerate(start):
            if g:
                first, growth = table[g]
                tau[r] = np.where(treated[r], first + growth * event[r], 0.0)
        tau = np.round(tau, o.decimals) + 0.0           # a multiple of the rounding step; no -0.0
        values.append(np.clip(np.round(np.round(base, o.decimals) + tau, o.decimals), o.lo,
                              o.hi))
        taus.append(tau)
    names = [o.name for o in OUTCOMES]
    index = pd.MultiIndex.from_product([ids, years, names], names=["unit_id", "year", "name"])
    long = pd.DataFrame({"value": np.stack(values, axis=2).ravel(),
                         "effect": np.stack(taus, axis=2).ravel()}, index=index).reset_index()
    long["year"] = long["year"].astype("int64")
    outcomes = long[["unit_id", "year", "name", "value"]]
    cell_effects = long[["unit_id", "year", "name", "effect"]].rename(columns={"name": "outcome"})
    true = {}
    for j, o in enumerate(OUTCOMES):
        if o.name not in AFFECTED:
            continue
        tau = taus[j]
        true[o.name] = TrueEffect(
            float(tau[treated].mean()),
            by_cohort={int(g): float(tau[treated & (start[:, None] == g)].mean())
                       for g in cohorts()},
            by_event_time={int(e): float(tau[treated & (event == e)].mean())
                           for e in sorted(set(event[treated]))})
    return outcomes, cell_effects, true
