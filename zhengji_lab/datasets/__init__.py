"""Data sets: the synthetic sample city 青川市 (Qingchuan) and published reference workspaces.

**The sample city is SYNTHETIC.** 青川市 / Qingchuan is a fictional county-level city; every unit,
name and number of :func:`make_city` is simulated from the model below, with a planted ground truth
(:class:`CityTruth`) so that methods can be checked against what is known to be there. The shipped
folder ``data/sample_city/`` is ``make_city(seed=DEFAULT_SEED)`` written with
:func:`zhengji_lab.write_workspace`; :func:`regenerate` (``python scripts/make_sample_city.py``)
rewrites it and the reference workspaces below from the code.

The city (46 units, years 2019-2025)
------------------------------------
* Units: 10 towns and subdistricts (镇/街道), 4 parks (园区), 20 agencies (机关部门), 6 state
  enterprises (国有企业) and 6 public institutions (事业单位). Towns and parks are compared with
  each other (the article's 园镇 category, ``peer_group = "towns_parks"``); the other peer groups
  are ``agency``, ``enterprise`` and ``institution``. Structural covariates: ``area_km2``,
  ``population`` (10k residents), ``baseline_output`` (2018 GDP of towns and parks, operating
  revenue of enterprises and institutions, budget of agencies; 亿元), ``eco_redline_share``
  (ecological red-line share of the area) and ``industrial_base`` (0-1); the territorial ones are
  empty for agencies, enterprises and institutions. Three towns are ecology-function towns
  (生态功能镇: high red-line share, low industrial base). The text column ``positioning``
  (功能定位) is ``urban`` for subdistricts, ``industrial`` for the other towns, ``ecological``
  for the ecology-function towns and ``park`` for parks (empty for the other units).
* Framework: 33 indicators in 5 dimensions (经济发展 economy, 生态环境 ecology, 民生保障
  livelihood, 安全稳定 safety, 党的建设 party) under the root ``index`` (综合考核指数). Each
  indicator lists the unit kinds it applies to; every kind has at least 15 common indicators and
  at least 2 in every dimension. Three are individualized (个性化指标, ``scope =
  individualized``) with declared targets in ``targets.csv``; they apply to a unit-year exactly
  when ``targets.csv`` has a row for it.
* Values: a latent performance per unit and year, :math:`L_{it} = u_i + s_i (t - 2019) + e_{it}`
  with :math:`u_i \\sim N(0, 1)`, :math:`s_i \\sim N(0.05, 0.04)` and AR(1) shocks
  :math:`e_{it} = 0.5 e_{i,t-1} + N(0, 0.4^2)`. An indicator's "goodness" is :math:`z = \\lambda L
  + \\beta_{ind} x_{ind} + \\beta_{eco} x_{eco} + \\sqrt{1-\\lambda^2}(0.6 p_{ij} + 0.8
  \\varepsilon_{ijt})` with standardised covariates (towns and parks only), a persistent
  unit-indicator term :math:`p` and yearly noise :math:`\\varepsilon`; the value is
  ``mean + trend (t - 2019) + direction × sd × z`` clipped to the indicator's range (counts are
  Poisson with rate ``mean × exp(direction × sd × z)``). Common economic indicators load on
  industrial base and against red-line share, so they are unfair to ecology-function towns while
  latent performance does not depend on the covariates. About 3 % of the cells are missing
  (two thirds as absent rows, one third as rows with an empty value), six outliers are planted,
  and negative-list deductions are more likely for units with low latent performance.
* Individualized indicators are adopted in a staggered way: two towns from 2022 (特色产业), two
  ecology-function towns from 2022 and one from 2024 (生态产品价值实现), the four parks from 2023
  (亩均产出), the other five towns never. From its adoption year on an adopter's satisfaction
  score (``liv_satisfaction``) is raised by :data:`EFFECT_SIZE` points (not with
  ``effects="none"``). Two adopters game their targets: they declare 65-75 % of what they can
  expect to reach, the others 100-108 %.
* Outcomes outside the score (``outcomes.csv``, every town and park in every year, complete):
  ``survey_satisfaction`` (群众满意度调查得分, 0-100, mean about 80, sd across units about 4),
  ``hotline_complaints`` (12345热线投诉量 per 10,000 residents, about 65 in towns and 50 in
  parks, rising, with a 2020 spike; lower is better) and ``income_growth``
  (居民人均可支配收入增速, %), each :math:`y_{it} = \\mu_{k(i)} + a_i + g_t + \\lambda L_{it} +
  e_{it} + \\tau_{it} D_{it}` with a
  unit effect :math:`a_i`, year effects :math:`g_t` (trend, a 2020 shock, yearly noise), a
  small loading on latent performance, AR(1) noise :math:`e_{it}` (coefficient 0.3) and
  :math:`D_{it} = 1` from the unit's adoption year on. Nothing but :math:`\tau_{it}` depends on
  adoption (parallel trends and no anticipation hold by construction), and the outcomes are
  drawn after everything else, so the other tables do not depend on them. The ``effects``
  option of :func:`make_city` sets :math:`\tau`: by default (``"dynamic"``) it differs by
  cohort and grows with the years since adoption :math:`e = t - g`, :math:`\tau = s_g + r_g e`:

  ======================  ===============  ===============  ===============  ========
  outcome                 cohort 2022      cohort 2023      cohort 2024      ATT
  ======================  ===============  ===============  ===============  ========
  survey_satisfaction     1.0 + 1.5 e      0.5 + 1.0 e      1.0 + 0.5 e      +2.417
  hotline_complaints      -1.5 - 2.0 e     -1.0 - 1.5 e     -1.5 - 0.5 e     -3.517
  ======================  ===============  ===============  ===============  ========

  where the ATT is the mean over the 30 treated unit-years (:class:`CityTruth`
  ``adoption_effects``, with the means by cohort and by event time). Static two-way fixed
  effects, which compares later adopters with earlier ones, is biased towards zero by these
  effects (by -0.68 and +0.90 in expectation, over a quarter of the ATT), while an imputation or
  two-stage estimator (Gardner 2022; Borusyak, Jaravel and Spiess 2024) is not. ``"constant"``
  plants +2 and -3 in every treated unit-year, ``"none"`` nothing; ``income_growth`` is a
  placebo under every option.
* Judgements: a 7-member panel judges the weights of the 5 dimensions (groups ``index`` and
  ``index_points``) and of the livelihood indicators (``livelihood``, ``livelihood_points``).
  Each expert's personal weights are the consensus times personal noise; from them come a Saaty
  pairwise matrix (1-9 scale, reciprocal; group ``<g>``) and a 100-point budget (group
  ``<g>_points``). Two experts are inconsistent (CR > 0.10 with Saaty's random index), one stands
  apart (economy first; jobs and income first within livelihood).
* Schemes: ``baseline`` (the DESIGN.md scheme: fixed dimension weights, livelihood by AHP),
  ``expert_ahp`` (dimension weights by AHP from the panel), ``expert_points`` (point budgets at
  both levels), ``equal`` and ``entropy``.

Reference workspaces
--------------------
:func:`load_tai` and :func:`load_asem` read the workspaces under ``data/reference/`` (published data
laid out as assessment workspaces, each with its ``SOURCE.md`` and the original files under
``source/``).

Modules
-------
* :mod:`~zhengji_lab.datasets.spec` — the city's fixed structure (units, indicator tree and the
  value model's parameters, adopters, outliers, deduction items, panel, schemes), read from the
  package data file ``city_spec.yaml``;
* :mod:`~zhengji_lab.datasets.city` — :func:`make_city` and :class:`CityTruth`: the numbers and the
  planted ground truth;
* :mod:`~zhengji_lab.datasets.outcomes` — the outcomes outside the score, the planted effects of
  adoption and :class:`TrueEffect`;
* :mod:`~zhengji_lab.datasets.reference` — :func:`load_tai`, :func:`load_asem`, :func:`data_dir`
  and the builders of the reference workspaces from their ``source/`` files;
* this package — :func:`regenerate`, which rewrites the shipped ``data/`` folders.

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill (1-9 scale, consistency
ratio, random index).
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*.
OECD Publishing. doi:10.1787/9789264043466-en
Gardner, J. (2022). Two-stage differences in differences. arXiv:2207.05943.
Borusyak, K., Jaravel, X., Spiess, J. (2024). Revisiting event-study designs: robust and
efficient estimation. *Review of Economic Studies* 91(6), 3253-3285.
Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E., Saisana, M. (2022). COINr:
An R package for developing composite indicators. *Journal of Open Source Software* 7(78), 4567.

Examples
--------
>>> ws, truth = make_city()
>>> ws.units["kind"].value_counts().to_dict()
{'agency': 20, 'town': 10, 'enterprise': 6, 'institution': 6, 'park': 4}
>>> truth.ecology_towns
('town_cuiping', 'town_ludang', 'town_yuehu')
>>> truth.outcomes, truth.unaffected_outcomes
(('survey_satisfaction', 'hotline_complaints', 'income_growth'), ('income_growth',))
>>> round(truth.adoption_effects["hotline_complaints"], 3)
-3.517
"""
from __future__ import annotations

import logging
from pathlib import Path

from zhengji_lab.datasets.city import (
    DEFAULT_SEED,
    EFFECT_OUTCOME,
    EFFECT_SIZE,
    MISSING_SHARE,
    YEARS,
    CityTruth,
    make_city,
)
from zhengji_lab.datasets.outcomes import EFFECTS, TrueEffect
from zhengji_lab.datasets.reference import BUILDERS, data_dir, load_asem, load_tai
from zhengji_lab.datasets.spec import EXPERTS
from zhengji_lab.workspace import write_workspace

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_SEED", "EFFECTS", "EFFECT_OUTCOME", "EFFECT_SIZE", "EXPERTS", "MISSING_SHARE",
    "YEARS", "CityTruth", "TrueEffect", "data_dir", "load_asem", "load_tai", "make_city",
    "regenerate",
]


def regenerate(data: str | Path | None = None) -> Path:
    """Rewrite ``data/sample_city`` and the reference workspaces from the code.

    ``sample_city`` is ``make_city(DEFAULT_SEED)``; ``reference/oecd_tai_2008`` and
    ``reference/asem_coinr`` are rebuilt from the published files in their ``source/`` folders.
    Other files (``README.md``, ``SOURCE.md``, ``source/``, ``published/``) are left alone.
    ``scripts/make_sample_city.py`` calls this.

    Parameters
    ----------
    data : str or PathLike, optional
        The ``data/`` folder; the repository's (:func:`data_dir`) by default.

    Returns
    -------
    Path
        The ``data/`` folder written.
    """
    data = data_dir() if data is None else Path(data)
    ws, _ = make_city(DEFAULT_SEED)
    write_workspace(ws, data / "sample_city", overwrite=True)
    for name, build in BUILDERS.items():
        folder = data / "reference" / name
        write_workspace(build(folder), folder, overwrite=True)
    logger.info("Regenerated the sample city and the reference workspaces in %s", data)
    return data
