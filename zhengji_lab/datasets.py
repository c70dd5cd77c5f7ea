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
  (生态功能镇: high red-line share, low industrial base).
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
  score (``liv_satisfaction``) is raised by :data:`EFFECT_SIZE` points. Two adopters game their
  targets: they declare 65-75 % of what they can expect to reach, the others 100-108 %.
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

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill (1-9 scale, consistency
ratio, random index).
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*.
OECD Publishing. doi:10.1787/9789264043466-en
Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E., Saisana, M. (2022). COINr:
An R package for developing composite indicators. *Journal of Open Source Software* 7(78), 4567.

Examples
--------
>>> ws, truth = make_city()
>>> ws.units["kind"].value_counts().to_dict()
{'agency': 20, 'town': 10, 'enterprise': 6, 'institution': 6, 'park': 4}
>>> truth.ecology_towns
('town_cuiping', 'town_ludang', 'town_yuehu')
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zhengji_lab.weighting.ahp import ahp
from zhengji_lab.workspace import COLUMNS, Workspace, load_workspace, write_workspace

logger = logging.getLogger(__name__)

#: The seed of the shipped ``data/sample_city`` folder.
DEFAULT_SEED = 20251
#: Years of the sample city.
YEARS: tuple[int, ...] = tuple(range(2019, 2026))
#: Points added to the satisfaction score of an adopter of an individualized indicator.
EFFECT_SIZE = 3.0
#: The outcome that the planted effect of individualized indicators moves.
EFFECT_OUTCOME = "liv_satisfaction"
#: Share of the applicable cells that are missing.
MISSING_SHARE = 0.03
# the values of Saaty's scale, 1/9 ... 1 ... 9
_SAATY_VALUES = np.array([1 / k for k in range(9, 1, -1)] + list(range(1, 10)), dtype=float)

# -- the city -----------------------------------------------------------------------------------

# unit_id, name_zh, name_en, kind, role (role sets the covariate ranges below)
_UNITS = [
    ("town_yunxi", "云溪街道", "Yunxi Subdistrict", "town", "subdistrict"),
    ("town_qingshi", "青石街道", "Qingshi Subdistrict", "town", "subdistrict"),
    ("town_binjiang", "滨江街道", "Binjiang Subdistrict", "town", "subdistrict"),
    ("town_liuwan", "柳湾镇", "Liuwan Town", "town", "town"),
    ("town_baisha", "白沙镇", "Baisha Town", "town", "town"),
    ("town_shiqiao", "石桥镇", "Shiqiao Town", "town", "town"),
    ("town_fenglin", "枫林镇", "Fenglin Town", "town", "town"),
    ("town_cuiping", "翠屏山镇", "Cuipingshan Town", "town", "eco"),
    ("town_ludang", "芦荡镇", "Ludang Town", "town", "eco"),
    ("town_yuehu", "月湖镇", "Yuehu Town", "town", "eco"),
    ("park_etdz", "青川经济开发区", "Qingchuan Economic Development Zone", "park", "park"),
    ("park_hitech", "青川高新技术产业开发区", "Qingchuan High-tech Industrial Development Zone",
     "park", "park"),
    ("park_chem", "沿江化工园区", "Riverside Chemical Industry Park", "park", "park"),
    ("park_port", "临港物流园区", "Port Logistics Park", "park", "park"),
    ("agency_drc", "市发展和改革委员会", "Development and Reform Commission", "agency", "agency"),
    ("agency_finance", "市财政局", "Finance Bureau", "agency", "agency"),
    ("agency_education", "市教育局", "Education Bureau", "agency", "agency"),
    ("agency_police", "市公安局", "Public Security Bureau", "agency", "agency"),
    ("agency_civil", "市民政局", "Civil Affairs Bureau", "agency", "agency"),
    ("agency_hrss", "市人力资源和社会保障局", "Human Resources and Social Security Bureau",
     "agency", "agency"),
    ("agency_land", "市自然资源和规划局", "Natural Resources and Planning Bureau", "agency",
     "agency"),
    ("agency_ecoenv", "市生态环境局", "Ecology and Environment Bureau", "agency", "agency"),
    ("agency_housing", "市住房和城乡建设局", "Housing and Urban-Rural Development Bureau",
     "agency", "agency"),
    ("agency_transport", "市交通运输局", "Transport Bureau", "agency", "agency"),
    ("agency_water", "市水利局", "Water Resources Bureau", "agency", "agency"),
    ("agency_agri", "市农业农村局", "Agriculture and Rural Affairs Bureau", "agency", "agency"),
    ("agency_commerce", "市商务局", "Commerce Bureau", "agency", "agency"),
    ("agency_culture", "市文化广电和旅游局", "Culture, Radio, Television and Tourism Bureau",
     "agency", "agency"),
    ("agency_health", "市卫生健康委员会", "Health Commission", "agency", "agency"),
    ("agency_emergency", "市应急管理局", "Emergency Management Bureau", "agency", "agency"),
    ("agency_market", "市市场监督管理局", "Market Regulation Administration", "agency", "agency"),
    ("agency_approval", "市行政审批局", "Administrative Approval Bureau", "agency", "agency"),
    ("agency_urban", "市城市管理局", "Urban Management Bureau", "agency", "agency"),
    ("agency_stats", "市统计局", "Statistics Bureau", "agency", "agency"),
    ("soe_urban", "青川城市建设投资集团", "Qingchuan Urban Construction Investment Group",
     "enterprise", "enterprise"),
    ("soe_transport", "青川交通产业集团", "Qingchuan Transport Industry Group", "enterprise",
     "enterprise"),
    ("soe_water", "青川水务集团", "Qingchuan Water Group", "enterprise", "enterprise"),
    ("soe_tourism", "青川文化旅游发展集团", "Qingchuan Culture and Tourism Development Group",
     "enterprise", "enterprise"),
    ("soe_agri", "青川农业发展集团", "Qingchuan Agricultural Development Group", "enterprise",
     "enterprise"),
    ("soe_assets", "青川国有资产投资经营公司", "Qingchuan State Assets Investment and Operation Co.",
     "enterprise", "enterprise"),
    ("inst_hospital", "青川市人民医院", "Qingchuan People's Hospital", "institution",
     "institution"),
    ("inst_tcm", "青川市中医院", "Qingchuan Hospital of Traditional Chinese Medicine",
     "institution", "institution"),
    ("inst_school", "青川中学", "Qingchuan Senior High School", "institution", "institution"),
    ("inst_vocational", "青川中等专业学校", "Qingchuan Secondary Vocational School", "institution",
     "institution"),
    ("inst_trading", "青川市公共资源交易中心", "Public Resources Trading Centre", "institution",
     "institution"),
    ("inst_media", "青川市融媒体中心", "Qingchuan Media Convergence Centre", "institution",
     "institution"),
]
_PEER_GROUP = {"town": "towns_parks", "park": "towns_parks", "agency": "agency",
               "enterprise": "enterprise", "institution": "institution"}
# role -> uniform ranges of area_km2, population (10k), eco_redline_share, industrial_base, and
# of baseline_output per 10k residents (towns: GDP per capita in 亿元 per 10k people) or in total
_COVARIATES = {
    "subdistrict": {"area": (18, 45), "pop": (5, 9), "redline": (0.0, 0.05), "ind": (0.35, 0.6),
                    "output_per_pop": (9, 14)},
    "town": {"area": (60, 140), "pop": (3, 6), "redline": (0.03, 0.15), "ind": (0.45, 0.85),
             "output_per_pop": (7, 13)},
    "eco": {"area": (90, 170), "pop": (2, 4), "redline": (0.35, 0.6), "ind": (0.08, 0.28),
            "output_per_pop": (4, 7)},
    "park": {"area": (12, 60), "pop": (0.8, 3), "redline": (0.0, 0.04), "ind": (0.75, 0.95),
             "output": (60, 260)},
    "agency": {"output": (0.3, 15)},
    "enterprise": {"output": (3, 40)},
    "institution": {"output": (0.5, 12)},
}
# standardisation of the covariates in the value model (fixed, so units do not shift each other)
_IND_CENTRE, _IND_SCALE = 0.5, 0.25
_ECO_CENTRE, _ECO_SCALE = 0.15, 0.18

_DIMENSIONS = [
    ("economy", "经济发展", "Economic development"),
    ("ecology", "生态环境", "Ecological environment"),
    ("livelihood", "民生保障", "People's livelihood"),
    ("safety", "安全稳定", "Safety and stability"),
    ("party", "党的建设", "Party building"),
]
_ROOT = ("index", "综合考核指数", "Comprehensive assessment index")


@dataclass(frozen=True)
class _Indicator:
    """One simulated indicator: framework row plus the parameters of its value model."""

    code: str
    name_zh: str
    name_en: str
    parent: str
    unit: str
    source: str
    mean: float | dict          # by kind ("town", ...) when a dict
    sd: float | dict            # raw units; for counts the sd of the log rate
    kinds: str = ""             # ";"-separated; "" = every kind
    direction: int = 1
    scope: str = "common"
    visibility: str = "visible"
    key: str = ""
    count: bool = False         # Poisson counts instead of clipped normal values
    lo: float = -math.inf
    hi: float = math.inf
    decimals: int = 1
    loading: float = 0.5        # lambda: weight of latent performance in the goodness z
    b_ind: float = 0.0          # effect of industrial base (standardised) on z
    b_eco: float = 0.0          # effect of the red-line share (standardised) on z
    trend: float = 0.0          # raw units per year
    shock_2020: float = 0.0     # raw units added in 2020

    def param(self, name: str, kind: str) -> float:
        value = getattr(self, name)
        return value[kind] if isinstance(value, dict) else value


_TP = "town;park"
_STATS, _FIN, _ENV, _HOT = "市统计局 Statistics Bureau", "市财政局 Finance Bureau", \
    "市生态环境局 Ecology and Environment Bureau", "12345热线平台 12345 hotline platform"
_ORG, _SASAC, _SAFE = "市委组织部 Organisation Department", "市国资办 State Assets Office", \
    "市应急管理局 Emergency Management Bureau"
_INDICATORS = [
    # economy 经济发展
    _Indicator("eco_gdp_growth", "地区生产总值增速", "GDP growth", "economy", "%", _STATS,
               {"town": 6.0, "park": 8.0}, {"town": 1.5, "park": 2.5}, kinds=_TP, key="yes",
               lo=-10, hi=25, loading=0.55, b_ind=0.5, b_eco=-0.4, shock_2020=-4.0),
    _Indicator("eco_investment_growth", "固定资产投资增速", "Fixed-asset investment growth",
               "economy", "%", _STATS, {"town": 6.0, "park": 9.0}, {"town": 5.0, "park": 6.0},
               kinds=_TP, lo=-40, hi=80, loading=0.45, b_ind=0.4, b_eco=-0.4, shock_2020=-6.0),
    _Indicator("eco_tax_share", "税收占一般公共预算收入比重",
               "Tax share of general public budget revenue", "economy", "%", _FIN,
               {"town": 76.0, "park": 85.0}, {"town": 6.0, "park": 4.0}, kinds=_TP, lo=0, hi=100,
               loading=0.4, b_ind=0.5, b_eco=-0.3),
    _Indicator("eco_new_firms", "新增市场主体", "New market entities per 10,000 residents",
               "economy", "户/万人", "市市场监督管理局 Market Regulation Administration",
               {"town": 110.0, "park": 320.0}, {"town": 25.0, "park": 70.0}, kinds=_TP, lo=0,
               decimals=0, loading=0.35, b_ind=0.35, b_eco=-0.35, shock_2020=-20.0),
    _Indicator("eco_key_projects", "重点项目完成率", "Key-project completion rate", "economy",
               "%", "市发展和改革委员会 Development and Reform Commission", 95.0, 4.0,
               kinds="town;park;agency;enterprise", key="yes", lo=0, hi=100, loading=0.5),
    _Indicator("eco_business_env", "营商环境评价", "Business-environment evaluation", "economy",
               "分", "第三方评估 third-party evaluation", 85.0, 5.0, kinds="agency;institution",
               lo=0, hi=100, loading=0.6),
    _Indicator("eco_budget_execution", "预算执行率", "Budget execution rate", "economy", "%",
               _FIN, 93.0, 4.0, kinds="agency;institution", lo=0, hi=100, loading=0.45),
    _Indicator("ent_profit_growth", "利润总额增长率", "Profit growth", "economy", "%", _SASAC,
               6.0, 8.0, kinds="enterprise", lo=-60, hi=80, loading=0.6, shock_2020=-8.0),
    _Indicator("ent_asset_preservation", "国有资本保值增值率",
               "State-capital preservation and appreciation rate", "economy", "%", _SASAC,
               104.0, 3.0, kinds="enterprise", visibility="latent", lo=80, hi=130, loading=0.5),
    _Indicator("ind_featured_industry", "特色产业产值增速", "Featured-industry output growth",
               "economy", "%", _STATS, 12.0, 4.0, kinds="town", scope="individualized",
               lo=-20, hi=60, loading=0.5, b_ind=0.2),
    _Indicator("ind_park_output_per_mu", "亩均产出", "Output per mu of industrial land",
               "economy", "万元/亩", "市自然资源和规划局 Natural Resources and Planning Bureau",
               380.0, 60.0, kinds="park", scope="individualized", key="yes", lo=50, loading=0.5,
               b_ind=0.2, trend=15.0),
    # ecology 生态环境
    _Indicator("env_quality_improvement", "生态环境质量改善",
               "Ecological-environment quality improvement", "ecology", "分", _ENV, 80.0, 6.0,
               key="yes", visibility="latent", lo=0, hi=100, loading=0.5, b_ind=-0.2,
               b_eco=0.3),
    _Indicator("env_pm25", "细颗粒物(PM2.5)年均浓度", "Annual mean PM2.5 concentration",
               "ecology", "μg/m³", _ENV, {"town": 34.0, "park": 38.0}, 4.0, kinds=_TP,
               direction=-1, lo=5, loading=0.2, b_ind=-0.5, b_eco=0.4, trend=-1.0),
    _Indicator("env_water_quality", "地表水优Ⅲ类水质比例",
               "Share of surface water of grade III or better", "ecology", "%", _ENV, 82.0, 9.0,
               kinds=_TP, visibility="latent", lo=0, hi=100, loading=0.3, b_ind=-0.3,
               b_eco=0.5, trend=1.0),
    _Indicator("env_energy_intensity", "单位产值能耗", "Energy use per unit of output", "ecology",
               "吨标煤/万元", _STATS, {"town": 0.42, "park": 0.55, "enterprise": 0.30},
               {"town": 0.07, "park": 0.10, "enterprise": 0.06}, kinds="town;park;enterprise",
               direction=-1, lo=0.05, decimals=3, loading=0.35, b_ind=-0.4, trend=-0.012),
    _Indicator("env_green_office", "公共机构能耗下降率",
               "Energy-use reduction of public bodies", "ecology", "%",
               "市机关事务管理局 Government Offices Administration", 3.0, 1.5,
               kinds="agency;institution", lo=-5, hi=15, loading=0.45),
    _Indicator("env_rectification", "环保问题整改完成率",
               "Completion rate of environmental rectification", "ecology", "%", _ENV, 94.0, 5.0,
               visibility="latent", lo=0, hi=100, loading=0.5),
    _Indicator("ind_eco_product_value", "生态产品价值实现", "Ecological product value realised",
               "ecology", "亿元", _ENV, 1.8, 0.5, kinds="town", scope="individualized",
               visibility="latent", lo=0.05, decimals=2, loading=0.45, b_eco=0.5, trend=0.25),
    # livelihood 民生保障
    _Indicator("liv_satisfaction", "满意度评价", "Satisfaction evaluation", "livelihood", "分",
               "第三方满意度调查 third-party survey", 88.0, 3.0, key="yes", lo=0, hi=100,
               loading=0.6, trend=0.3),
    _Indicator("liv_hotline_complaints", "12345热线投诉量",
               "12345 hotline complaints per 10,000 residents", "livelihood", "件/万人", _HOT,
               {"town": 42.0, "park": 28.0, "agency": 9.0, "enterprise": 6.0, "institution": 7.0},
               {"town": 10.0, "park": 8.0, "agency": 3.0, "enterprise": 2.0, "institution": 2.5},
               direction=-1, lo=0, loading=0.5),
    _Indicator("liv_complaint_resolution", "12345诉求解决率",
               "12345 complaint resolution rate", "livelihood", "%", _HOT, 91.0, 4.0, lo=0,
               hi=100, loading=0.6, trend=0.4),
    _Indicator("liv_new_jobs", "城镇新增就业", "New urban jobs", "livelihood", "人",
               "市人力资源和社会保障局 Human Resources and Social Security Bureau",
               {"town": 850.0, "park": 1800.0, "enterprise": 150.0},
               {"town": 220.0, "park": 500.0, "enterprise": 60.0}, kinds="town;park;enterprise",
               lo=0, decimals=0, loading=0.4, b_ind=0.3),
    _Indicator("liv_income_growth", "居民人均可支配收入增速",
               "Growth of per-capita disposable income", "livelihood", "%", _STATS, 6.5, 0.8,
               kinds="town", loading=0.4, shock_2020=-2.5),
    _Indicator("liv_online_service", "政务服务网上可办率", "Share of services available online",
               "livelihood", "%", "市行政审批局 Administrative Approval Bureau", 90.0, 6.0,
               kinds="agency", lo=0, hi=100, loading=0.45, trend=1.0),
    _Indicator("liv_good_reviews", "政务服务好评率", "Share of good reviews (好差评)",
               "livelihood", "%", "政务服务好差评系统 good/bad review system", 97.0, 1.5,
               kinds="agency;institution", lo=0, hi=100, decimals=2, loading=0.5),
    # safety 安全稳定
    _Indicator("saf_accidents", "生产安全事故起数", "Production-safety accidents", "safety", "起",
               _SAFE, {"town": 3.0, "park": 4.0, "enterprise": 1.0}, 0.4,
               kinds="town;park;enterprise", direction=-1, key="yes", count=True, decimals=0,
               loading=0.4, b_ind=-0.3),
    _Indicator("saf_petitions", "信访事项", "Petition cases", "safety", "件",
               "市信访局 Letters and Visits Bureau",
               {"town": 55.0, "park": 25.0, "agency": 14.0, "enterprise": 9.0,
                "institution": 11.0}, 0.3, direction=-1, count=True, decimals=0, loading=0.45),
    _Indicator("saf_hazard_rectification", "安全隐患整改率", "Safety-hazard rectification rate",
               "safety", "%", _SAFE, 95.0, 3.5, visibility="latent", lo=0, hi=100, loading=0.5),
    _Indicator("saf_crime_rate", "刑事案件发案率", "Criminal cases per 10,000 residents",
               "safety", "起/万人", "市公安局 Public Security Bureau", {"town": 22.0, "park": 26.0},
               5.0, kinds=_TP, direction=-1, lo=0, loading=0.3, trend=-1.0),
    _Indicator("saf_risk_prevention", "风险防控评价", "Risk-prevention evaluation", "safety", "分",
               "市委政法委 Political and Legal Affairs Commission", 88.0, 4.0,
               kinds="agency;institution", visibility="latent", lo=0, hi=100, loading=0.5),
    # party 党的建设
    _Indicator("pty_political", "政治建设评价(两个确立、两个维护)",
               "Political-building evaluation", "party", "分", _ORG, 92.0, 2.5, key="yes",
               visibility="latent", lo=0, hi=100, loading=0.5),
    _Indicator("pty_integrity", "党风廉政建设", "Party conduct and integrity", "party", "分",
               "市纪委监委 Discipline Inspection Commission", 90.0, 3.0, visibility="latent",
               lo=0, hi=100, loading=0.5),
    _Indicator("pty_organization", "基层党组织建设", "Grass-roots Party organisation", "party",
               "分", _ORG, 89.0, 3.5, visibility="latent", lo=0, hi=100, loading=0.5),
]
_KINDS = ("town", "park", "agency", "enterprise", "institution")

# individualized indicators: unit_id -> (indicator, adoption year); the other towns never adopt
_ADOPTION = {
    "town_liuwan": ("ind_featured_industry", 2022),
    "town_baisha": ("ind_featured_industry", 2022),
    "town_cuiping": ("ind_eco_product_value", 2022),
    "town_ludang": ("ind_eco_product_value", 2022),
    "town_yuehu": ("ind_eco_product_value", 2024),
    "park_etdz": ("ind_park_output_per_mu", 2023),
    "park_hitech": ("ind_park_output_per_mu", 2023),
    "park_chem": ("ind_park_output_per_mu", 2023),
    "park_port": ("ind_park_output_per_mu", 2023),
}
_GAMING_UNITS = ("town_baisha", "park_chem")
_HONEST_TARGET, _GAMED_TARGET = (1.00, 1.08), (0.65, 0.75)  # target / expected value

# indicator, operation, size: planted outliers (a unit error, a complaint wave, a mega-project ...)
_OUTLIERS = [
    ("eco_new_firms", "times", 10.0),
    ("liv_hotline_complaints", "times", 5.0),
    ("saf_petitions", "times", 6.0),
    ("eco_investment_growth", "plus", 60.0),
    ("ent_profit_growth", "plus", 80.0),
    ("env_energy_intensity", "times", 3.0),
]

# item, name_zh, name_en, max_points, kinds ("" = all), base yearly probability, note
_DEDUCTION_ITEMS = [
    ("safety_accident", "安全生产事故", "Production-safety accident", 3.0,
     "town;park;enterprise", 0.08, "发生生产安全事故 / production-safety accident"),
    ("credit_loss", "失信事件", "Credit-loss event (失信)", 2.0, "", 0.03,
     "被列入失信记录 / entered in a credit-loss record"),
    ("blind_development", "盲目发展", "Blind development (政绩工程、形象工程)", 2.0,
     "town;park;enterprise", 0.04, "盲目举债上项目 / debt-financed vanity project"),
    ("environmental_violation", "环保问题", "Environmental violation", 2.0,
     "town;park;enterprise", 0.06, "环保督察通报问题 / problem reported by environmental inspection"),
    ("petition_problem", "信访问题", "Petition problem (越级、重复信访)", 1.0, "", 0.05,
     "越级或重复信访 / escalated or repeated petitions"),
]

# the panel
EXPERTS: tuple[str, ...] = tuple(f"expert_{k}" for k in range(1, 8))
_CONSENSUS = {
    "index": {"economy": 0.28, "ecology": 0.24, "livelihood": 0.26, "safety": 0.12,
              "party": 0.10},
    "livelihood": {"liv_satisfaction": 0.25, "liv_hotline_complaints": 0.15,
                   "liv_complaint_resolution": 0.15, "liv_new_jobs": 0.12,
                   "liv_income_growth": 0.13, "liv_online_service": 0.10,
                   "liv_good_reviews": 0.10},
}
_OUTLYING_WEIGHTS = {
    "index": {"economy": 0.50, "ecology": 0.06, "livelihood": 0.10, "safety": 0.22,
              "party": 0.12},
    "livelihood": {"liv_satisfaction": 0.05, "liv_hotline_complaints": 0.10,
                   "liv_complaint_resolution": 0.05, "liv_new_jobs": 0.40,
                   "liv_income_growth": 0.30, "liv_online_service": 0.05,
                   "liv_good_reviews": 0.05},
}
_INCONSISTENT_EXPERTS = ("expert_3", "expert_5")
_OUTLYING_EXPERT = "expert_7"
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
        the 0-100 range; no dynamics, the same for every adopter).
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


def make_city(seed: int | np.random.Generator | None = DEFAULT_SEED) -> tuple[Workspace, CityTruth]:
    """Simulate the SYNTHETIC sample city 青川市 (Qingchuan), 2019-2025, with its ground truth.

    Parameters
    ----------
    seed : int, numpy Generator or None, default :data:`DEFAULT_SEED`
        Passed to :func:`numpy.random.default_rng`; the shipped ``data/sample_city`` is
        ``make_city(DEFAULT_SEED)``. The structure (units, framework, adopters, gaming units,
        inconsistent and outlying experts) is fixed; the numbers are drawn.

    Returns
    -------
    workspace : Workspace
        Framework, units, values, targets, deductions, deduction items, judgements and schemes;
        floats are rounded so that a CSV round trip is exact.
    truth : CityTruth
        What was planted (see the module docstring for the model).

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
    """
    rng = np.random.default_rng(seed)
    units = _make_units(rng)
    latent = _make_latent(rng, units)
    values, outliers, missing, targets = _make_values(rng, units, latent)
    deductions = _make_deductions(rng, units, latent)
    judgements, expert_weights = _make_judgements(rng)
    ws = Workspace(
        framework=_framework(), units=units, values=values, targets=targets,
        deductions=deductions, deduction_items=_deduction_items(), judgements=judgements,
        schemes=_schemes(),
    )
    truth = CityTruth(
        seed=seed,
        latent=latent.stack().rename("latent").rename_axis(["unit_id", "year"]).reset_index(),
        ecology_towns=tuple(u[0] for u in _UNITS if u[4] == "eco"),
        adoption=pd.DataFrame([(u, ind, y) for u, (ind, y) in _ADOPTION.items()],
                              columns=["unit_id", "indicator", "year"]),
        effect_outcome=EFFECT_OUTCOME,
        effect_size=EFFECT_SIZE,
        gaming_units=_GAMING_UNITS,
        outliers=outliers,
        missing=missing,
        consensus_weights={g: pd.Series(w, name="weight") for g, w in _CONSENSUS.items()},
        expert_weights=expert_weights,
        inconsistent_experts=_INCONSISTENT_EXPERTS,
        outlying_expert=_OUTLYING_EXPERT,
    )
    return ws, truth


# -- pieces of make_city ------------------------------------------------------------------------

def _framework() -> pd.DataFrame:
    rows = [(i.code, i.name_zh, i.name_en, i.parent, 1, i.direction, i.unit, i.scope, i.kinds,
             i.visibility, i.source, i.key) for i in _INDICATORS]
    rows += [(code, zh, en, _ROOT[0], 2, 1, "分", "common", "", "visible", "", "")
             for code, zh, en in _DIMENSIONS]
    rows.append((*_ROOT, "", 3, 1, "分", "common", "", "visible", "", ""))
    return pd.DataFrame(rows, columns=COLUMNS["framework"])


def _make_units(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for unit_id, zh, en, kind, role in _UNITS:
        spec = _COVARIATES[role]
        draw = {k: rng.uniform(*v) for k, v in spec.items()}
        area = round(draw["area"], 1) if "area" in draw else np.nan
        pop = round(draw["pop"], 2) if "pop" in draw else np.nan
        if "output_per_pop" in draw:   # towns: GDP grows with population and industrial base
            output = pop * draw["output_per_pop"] * (0.6 + draw["ind"])
        else:
            output = draw["output"]
        rows.append((unit_id, zh, en, kind, _PEER_GROUP[kind], area, pop, round(output, 2),
                     round(draw["redline"], 3) if "redline" in draw else np.nan,
                     round(draw["ind"], 3) if "ind" in draw else np.nan))
    return pd.DataFrame(rows, columns=COLUMNS["units"] + [
        "area_km2", "population", "baseline_output", "eco_redline_share", "industrial_base"])


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


def _make_values(rng, units, latent):
    """Values (long), planted outliers, missing cells and targets."""
    years = np.array(YEARS)
    territorial = units["kind"].isin(["town", "park"]).to_numpy()
    x_ind = np.where(territorial, (units["industrial_base"] - _IND_CENTRE) / _IND_SCALE, 0.0)
    x_eco = np.where(territorial, (units["eco_redline_share"] - _ECO_CENTRE) / _ECO_SCALE, 0.0)
    adopted = np.array([[u in _ADOPTION and y >= _ADOPTION[u][1] for y in YEARS]
                        for u in units["unit_id"]])
    frames, targets = [], []
    for ind in _INDICATORS:
        rows = np.flatnonzero([not ind.kinds or k in ind.kinds.split(";") for k in units["kind"]])
        if ind.scope == "individualized":
            rows = np.array([r for r in rows if _ADOPTION.get(units["unit_id"][r], ("",))[0]
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
            value = value + EFFECT_SIZE * adopted[rows]
        value = np.round(np.clip(value, ind.lo, ind.hi), ind.decimals)
        frame = pd.DataFrame(value, index=units["unit_id"].to_numpy()[rows], columns=years)
        frame = frame.stack().rename("value").rename_axis(["unit_id", "year"]).reset_index()
        frame.insert(2, "indicator", ind.code)
        if ind.scope == "individualized":
            keep = [y >= _ADOPTION[u][1] for u, y in zip(frame["unit_id"], frame["year"])]
            frame = frame[keep]
            # declared target: what the unit can expect from its mean latent level, its
            # conditions and its persistent term (no yearly shocks)
            expected = (level + sd * (ind.loading * latent.to_numpy()[rows].mean(axis=1)[:, None]
                                      + structural + noise_sd * 0.6 * persistent))
            for r, unit in enumerate(units["unit_id"].to_numpy()[rows]):
                gaming = unit in _GAMING_UNITS
                factor = rng.uniform(*(_GAMED_TARGET if gaming else _HONEST_TARGET))
                start = _ADOPTION[unit][1]
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
             "indicator": {i.code: k for k, i in enumerate(_INDICATORS)}}
    values = values.sort_values(["unit_id", "year", "indicator"],
                                key=lambda s: s.map(order[s.name]) if s.name in order else s,
                                kind="stable").reset_index(drop=True)
    values["year"] = values["year"].astype("int64")

    # outliers: one random cell of each listed indicator
    outlier_rows = []
    for code, op, size in _OUTLIERS:
        pos = rng.choice(np.flatnonzero(values["indicator"] == code))
        clean = values.at[pos, "value"]
        decimals = next(i.decimals for i in _INDICATORS if i.code == code)
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
            for item, _, _, max_points, kinds, p0, note in _DEDUCTION_ITEMS:
                if kinds and kind not in kinds.split(";"):
                    continue
                p = 1 / (1 + math.exp(-(math.log(p0 / (1 - p0)) - 0.8 * lat[u, k])))
                if rng.random() < p:
                    steps = np.arange(0.5, max_points + 0.25, 0.5)
                    chance = 1 / steps
                    points = float(rng.choice(steps, p=chance / chance.sum()))
                    rows.append((unit, year, item, points, note))
    return pd.DataFrame(rows, columns=COLUMNS["deductions"])


def _deduction_items() -> pd.DataFrame:
    return pd.DataFrame([d[:4] for d in _DEDUCTION_ITEMS], columns=COLUMNS["deduction_items"])


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
        name: {} for g in _CONSENSUS for name in (g, f"{g}_points")}
    expert_weights = {}
    for group, consensus in _CONSENSUS.items():
        nodes = list(consensus)
        personal = {}
        for expert in EXPERTS:
            centre = np.array(list((_OUTLYING_WEIGHTS if expert == _OUTLYING_EXPERT
                                    else _CONSENSUS)[group].values()))
            w = centre * np.exp(rng.normal(0.0, _PERSONAL_NOISE, len(nodes)))
            w = w / w.sum()
            personal[expert] = w
            # AHP pairwise matrix with a controlled consistency
            kind = "inconsistent" if expert in _INCONSISTENT_EXPERTS else "consistent"
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


_SCHEME_TEMPLATE = """\
name: {name}
description: "{description}"
reference_year: 2022            # goalposts and other fitted bounds are fixed on this year
treat: {{method: none}}
impute: {{method: none}}
normalise:
  method: minmax
  scale: [0, 100]
  goalposts: {{}}
  overrides:                    # individualized indicators: achievement of the declared target
    ind_featured_industry: {{method: target, cap: 1.2}}
    ind_eco_product_value: {{method: target, cap: 1.2}}
    ind_park_output_per_mu: {{method: target, cap: 1.2}}
weights:
{weights}
aggregate: {{method: arithmetic, min_coverage: 0.66}}
peer_groups: peer_group         # towns and parks together (园镇), agencies, enterprises, institutions
deductions: {{cap: 10}}
grades:
  - {{name: 一等, share: 0.3}}
  - {{name: 二等, share: 0.5}}
  - {{name: 三等, share: 0.2}}
triggers:
  consecutive_lagging: {{bottom_share: 0.2, years: 2}}
  marked_regression: {{rank_drop: 3}}
  problem_found: {{deduction_points: 1}}
uncertainty:
  - address: normalise            # each alternative keeps the targets of the individualized
    alternatives:                 # indicators; a geometric mean needs values > 0
      - method: minmax
        scale: [1, 100]
        overrides:
          ind_featured_industry: {{method: target, cap: 1.2}}
          ind_eco_product_value: {{method: target, cap: 1.2}}
          ind_park_output_per_mu: {{method: target, cap: 1.2}}
      - method: zscore
        scale: [10, 2]              # mean 10, sd 2 (COINr's example)
        overrides:                  # mean ± 2 sd for the achievement of the targets
          ind_featured_industry: {{method: target, cap: 1.2, scale: [6, 14]}}
          ind_eco_product_value: {{method: target, cap: 1.2, scale: [6, 14]}}
          ind_park_output_per_mu: {{method: target, cap: 1.2, scale: [6, 14]}}
  - {{address: aggregate.method, alternatives: [arithmetic, geometric]}}
  - {{address: weights, noise: 0.25}}
"""
_FIXED_INDEX = ("  index: {method: fixed, values: {economy: 0.3, ecology: 0.25, livelihood: 0.25, "
                "safety: 0.1, party: 0.1}}")
_AHP_LIVELIHOOD = "  livelihood: {method: ahp, judgements: judgements/livelihood}"
_SCHEMES = {
    "baseline": ("青川市综合考核基准方案 / Qingchuan baseline scheme (SYNTHETIC sample city)",
                 [_FIXED_INDEX, _AHP_LIVELIHOOD, '  "*": {method: equal}']),
    "expert_ahp": (("候选方案: 维度权重由专家组AHP判断得出 / candidate: dimension weights by AHP "
                   "from the expert panel"),
                   ["  index: {method: ahp, judgements: judgements/index}", _AHP_LIVELIHOOD,
                    '  "*": {method: equal}']),
    "expert_points": (("候选方案: 专家组打分分配法 (维度和民生指标) / candidate: the panel's "
                      "point budgets for the dimensions and the livelihood indicators"),
                      ["  index: {method: budget, judgements: judgements/index_points}",
                       "  livelihood: {method: budget, judgements: judgements/livelihood_points}",
                       '  "*": {method: equal}']),
    "equal": ("候选方案: 各层等权 / candidate: equal weights at every level",
              ['  "*": {method: equal}']),
    "entropy": (("候选方案: 维度权重固定, 维度内熵权 / candidate: fixed dimension weights, entropy "
                "weights within dimensions"), [_FIXED_INDEX, '  "*": {method: entropy}']),
}


def _schemes() -> dict[str, str]:
    return {name: _SCHEME_TEMPLATE.format(name=name, description=description,
                                          weights="\n".join(lines))
            for name, (description, lines) in _SCHEMES.items()}


# -- reference workspaces -----------------------------------------------------------------------

def data_dir() -> Path:
    """The repository's ``data/`` folder (sample city and reference workspaces).

    Raises
    ------
    FileNotFoundError
        When the package is not installed from a clone of the repository (the data are not part
        of the wheel).
    """
    path = Path(__file__).resolve().parent.parent / "data"
    if not (path / "reference").is_dir():
        raise FileNotFoundError(
            f"zhengji_lab's data folder was not found at {str(path)!r}. The sample city and the "
            "reference workspaces ship with the repository, not with the installed package: "
            "install from a clone with `pip install -e .`, or pass a workspace folder to "
            "zl.load_workspace().")
    return path


def load_tai() -> Workspace:
    """The OECD/JRC Handbook's Technology Achievement Index (TAI), 23 countries × 8 indicators.

    Indicators → 4 dimensions (creation of technology, diffusion of recent innovations, diffusion
    of old innovations, human skills) → root ``index`` (the TAI); units are countries (``kind = "country"``,
    ``peer_group = "all"``), one year (2000, the HDR 2001 edition; the data years run 1995-2000).
    Schemes: ``tai_handbook`` (UNDP goalposts, capped, equal weights; every dimension holds two
    indicators, so equal weights per level are the Handbook's 1/8 per indicator and reproduce the
    EW column of Table 23) and ``tai_bap`` (the budget-allocation weights of Table 22 as fixed
    weights per node, reproducing the BAP column of Table 23).

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, Tables 22, 23 and A.2.
    doi:10.1787/9789264043466-en

    Examples
    --------
    >>> ws = load_tai()
    >>> ws.root, len(ws.units), ws.indicators()[:2]
    ('index', 23, ['patents', 'royalties'])
    """
    return _load_reference("oecd_tai_2008")


def load_asem() -> Workspace:
    """COINr's ASEM Sustainable Connectivity example: 51 countries × 49 indicators, 2018.

    The tree is COINr's ``ASEM_iMeta`` (49 indicators → 8 pillars → 2 sub-indices → index), with
    codes converted to snake_case (the original ``iCode`` is kept in ``framework.source``);
    ``units`` carry the denominators (area, energy, GDP, population) as covariates; missing
    values are absent rows. Scheme ``asem_coinr``: min-max 0-100 and arithmetic means with the
    iMeta weights rescaled within each parent (as COINr's ``Aggregate`` does). Values are not
    denominated (COINr's example divides some indicators by a denominator first).

    References
    ----------
    Becker, W. et al. (2022). COINr: An R package for developing composite indicators. *Journal
    of Open Source Software* 7(78), 4567.

    Examples
    --------
    >>> ws = load_asem()
    >>> ws.root, len(ws.units), len(ws.indicators()), ws.children("index")
    ('index', 51, 49, ['conn', 'sust'])
    """
    return _load_reference("asem_coinr")


def _load_reference(name: str) -> Workspace:
    path = data_dir() / "reference" / name
    if not (path / "framework.csv").is_file():
        raise FileNotFoundError(f"The reference workspace {str(path)!r} has no framework.csv. "
                                "Regenerate it with `python scripts/make_sample_city.py`.")
    return load_workspace(path)


_COUNTRY_ZH = {
    "AUS": "澳大利亚", "AUT": "奥地利", "BEL": "比利时", "CAN": "加拿大", "CZE": "捷克",
    "DEU": "德国", "ESP": "西班牙", "FIN": "芬兰", "FRA": "法国", "GBR": "英国", "HUN": "匈牙利",
    "IRL": "爱尔兰", "ISR": "以色列", "ITA": "意大利", "JPN": "日本", "KOR": "韩国", "NLD": "荷兰",
    "NOR": "挪威", "NZL": "新西兰", "SGP": "新加坡", "SVN": "斯洛文尼亚", "SWE": "瑞典",
    "USA": "美国", "BGR": "保加利亚", "HRV": "克罗地亚", "CYP": "塞浦路斯", "DNK": "丹麦",
    "EST": "爱沙尼亚", "GRC": "希腊", "LVA": "拉脱维亚", "LTU": "立陶宛", "LUX": "卢森堡",
    "MLT": "马耳他", "POL": "波兰", "PRT": "葡萄牙", "ROU": "罗马尼亚", "SVK": "斯洛伐克",
    "CHE": "瑞士", "BGD": "孟加拉国", "BRN": "文莱", "KHM": "柬埔寨", "CHN": "中国", "IND": "印度",
    "IDN": "印度尼西亚", "KAZ": "哈萨克斯坦", "LAO": "老挝", "MYS": "马来西亚", "MNG": "蒙古",
    "MMR": "缅甸", "PAK": "巴基斯坦", "PHL": "菲律宾", "RUS": "俄罗斯", "THA": "泰国", "VNM": "越南",
}
_TAI_TREE = [   # code, name_zh, name_en, indicators
    ("creation", "技术创造", "Creation of technology", ["patents", "royalties"]),
    ("diffusion_recent", "新技术扩散", "Diffusion of recent innovations", ["internet", "exports"]),
    ("diffusion_old", "旧技术扩散", "Diffusion of old innovations",
     ["telephones_log", "electricity_log"]),
    ("human_skills", "人力技能", "Human skills", ["schooling", "university"]),
]
_TAI_ZH = {
    "patents": "居民专利授权数(每百万人)", "royalties": "专利与许可费境外收入(美元/千人)",
    "internet": "互联网主机数(每千人)", "exports": "高、中技术产品出口占比",
    "telephones_log": "电话线路数(每千人, 对数)", "electricity_log": "人均用电量(对数)",
    "schooling": "平均受教育年限(15岁以上)", "university": "高等教育理工科毛入学率",
}
_TAI_YEAR = 2000
_TAI_SCHEME = """\
name: {name}
description: "{description}"
{comment}reference_year: 2000
treat: {{method: none}}
impute: {{method: none}}
normalise:
  method: goalposts             # (x - lo) / (hi - lo), capped to [0, 1]
  scale: [0, 1]
  goalposts:                    # UNDP goalposts (Saisana, Saltelli & Tarantola 2005, Table 1)
{goalposts}
  overrides: {{}}
weights:
{weights}
aggregate: {{method: arithmetic, min_coverage: 1.0}}
peer_groups: peer_group
deductions: {{cap: 0}}
"""


def _fixed(weights: pd.Series) -> str:
    """``{method: fixed, values: {...}}`` as given; the fixed method rescales them to sum to 1."""
    values = ", ".join(f"{code}: {w:g}" for code, w in weights.items())
    return f"{{method: fixed, values: {{{values}}}}}"


def _tai_from_source(folder: Path) -> Workspace:
    """The TAI workspace built from the Handbook files in ``folder/source``."""
    src = folder / "source"
    raw = pd.read_csv(src / "tai23_raw.csv")
    meta = pd.read_csv(src / "tai_indicator_meta.csv")
    dim_of = {i: d for d, _, _, inds in _TAI_TREE for i in inds}
    rows = [(m.indicator, _TAI_ZH[m.indicator], m.definition, dim_of[m.indicator], 1,
             1 if m.direction == "higher" else -1, m.unit, "common", "", "visible",
             f"UNDP HDR 2001 (data year {m.data_year}); OECD/JRC 2008 Table A.2", "")
            for m in meta.itertuples()]
    rows += [(code, zh, en, "index", 2, 1, "", "common", "", "visible", "", "")
             for code, zh, en, _ in _TAI_TREE]
    rows.append(("index", "技术成就指数", "Technology Achievement Index", "", 3, 1, "", "common", "",
                 "visible", "", ""))
    framework = pd.DataFrame(rows, columns=COLUMNS["framework"])
    units = pd.DataFrame({"unit_id": raw["iso3"], "name_zh": raw["iso3"].map(_COUNTRY_ZH),
                          "name_en": raw["country"], "kind": "country", "peer_group": "all"})
    values = (raw.melt(id_vars="iso3", value_vars=list(meta["indicator"]), var_name="indicator")
              .rename(columns={"iso3": "unit_id"}).assign(year=_TAI_YEAR)
              [COLUMNS["values"]].sort_values(["unit_id", "indicator"], kind="stable")
              .reset_index(drop=True))
    goalposts = "\n".join(f"    {m.indicator}: [{m.undp_goalpost_min!r}, {m.undp_goalpost_max!r}]"
                          for m in meta.itertuples())
    bap = pd.read_csv(src / "tai_expert_weights.csv").set_index("scheme").loc["BAP"]
    bap = bap[list(meta["indicator"])].astype(float)
    dims = pd.Series({d: bap[inds].sum() for d, _, _, inds in _TAI_TREE})
    bap_weights = [f"  index: {_fixed(dims)}"] + [f"  {d}: {_fixed(bap[inds])}"
                                                for d, _, _, inds in _TAI_TREE]
    schemes = {
        "tai_handbook": _TAI_SCHEME.format(
            name="tai_handbook", goalposts=goalposts, weights='  "*": {method: equal}',
            description="TAI as in the OECD/JRC Handbook (2008): UNDP goalposts, equal weights, "
                        "linear aggregation (Table 23, EW)",
            comment="# Every dimension holds two indicators, so equal weights at each level give "
                    "every indicator\n# 1/4 x 1/2 = 1/8, the Handbook's equal weighting of the 8 "
                    "indicators: the EW ranks of Table 23.\n"),
        "tai_bap": _TAI_SCHEME.format(
            name="tai_bap", goalposts=goalposts, weights="\n".join(bap_weights),
            description="TAI with the budget-allocation (BAP) weights of the OECD/JRC Handbook "
                        "(2008) Table 22 (Table 23, BAP)",
            comment="# Table 22's BAP weights per indicator, on the tree: the dimension sums at "
                    "the root and the\n# indicators' weights within each dimension, which the "
                    "fixed method rescales to sum to 1\n# (dimension weight x rescaled weight "
                    "= the Handbook's weight).\n"),
    }
    return Workspace(framework=framework, units=units, values=values, schemes=schemes)


_ASEM_ZH = {
    "LPI": "物流绩效指数", "Flights": "国际航班客座容量", "Ship": "班轮运输连通性指数",
    "Bord": "边境口岸数", "Elec": "电力贸易", "Gas": "天然气贸易", "ConSpeed": "平均网络连接速度",
    "Cov4G": "4G网络人口覆盖率", "Goods": "货物贸易", "Services": "服务贸易",
    "FDI": "外国直接投资", "PRemit": "个人汇款(收入与支出)", "ForPort": "外国证券投资资产与负债",
    "Embs": "驻外使馆网络", "IGOs": "参与国际政府间组织", "UNVote": "联合国投票一致性",
    "CostImpEx": "进出口成本", "Tariff": "平均关税率", "TBTs": "技术性贸易壁垒",
    "TIRcon": "加入《国际公路运输公约》(TIR)", "RTAs": "区域贸易协定", "Visa": "免签或落地签",
    "StMob": "高等教育国际学生流动", "Research": "国际合作科研成果", "Pat": "有外国共同发明人的专利",
    "CultServ": "文化服务贸易", "CultGood": "文化产品贸易", "Tourist": "入境游客",
    "MigStock": "移民存量", "Lang": "共同语言使用者", "Renew": "可再生能源占最终能源消费比重",
    "PrimEner": "单位GDP一次能源消耗", "CO2": "人均二氧化碳排放", "MatCon": "人均国内物质消耗",
    "Forest": "森林净损失", "Poverty": "国际贫困线以下人口比例", "Palma": "帕尔马比值",
    "TertGrad": "高等教育毕业生比例", "FreePress": "新闻自由(得分)", "TolMin": "对少数群体的宽容",
    "NGOs": "国际非政府组织", "CPI": "清廉指数", "FemLab": "女性劳动参与率(女/男)",
    "WomParl": "女性议员比例", "PubDebt": "公共债务占GDP比重", "PrivDebt": "私人债务占GDP比重",
    "GDPGrow": "人均GDP增长率", "RDExp": "研发支出占GDP比重",
    "NEET": "未就业、未受教育或培训的青年比例", "Physical": "物理互联",
    "ConEcFin": "经济与金融互联", "Political": "政治互联", "Instit": "制度互联",
    "P2P": "人员往来", "Environ": "环境可持续", "Social": "社会可持续",
    "SusEcFin": "经济与金融可持续", "Conn": "互联互通", "Sust": "可持续性",
    "Index": "可持续互联互通指数",
}
_ASEM_DENOMINATORS = {"Area": "area", "Energy": "energy", "GDP": "gdp", "Population": "population"}
_ASEM_YEAR = 2018


def _snake(code: str) -> str:
    """COINr code to snake_case: ``ConEcFin`` -> ``con_ec_fin``, ``CO2`` -> ``co2``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", code).lower()


def _asem_from_source(folder: Path) -> Workspace:
    """The ASEM workspace built from COINr's files in ``folder/source``."""
    src = folder / "source"
    meta = pd.read_csv(src / "ASEM_iMeta.csv")
    meta = meta[meta["Type"].isin(["Indicator", "Aggregate"])].reset_index(drop=True)
    codes = {c: _snake(c) for c in meta["iCode"]}
    if len(set(codes.values())) != len(codes):
        raise ValueError("COINr codes collide after conversion to snake_case; extend _snake().")
    framework = pd.DataFrame({
        "code": meta["iCode"].map(codes), "name_zh": meta["iCode"].map(_ASEM_ZH),
        "name_en": meta["iName"], "parent": meta["Parent"].map(codes).fillna(""),
        "level": meta["Level"].astype("int64"), "direction": meta["Direction"].astype("int64"),
        "unit": meta["Unit"].fillna(""), "scope": "common", "kinds": "",
        "visibility": "visible",
        "source": "COINr ASEM_iMeta iCode=" + meta["iCode"], "key": ""})
    data = pd.read_csv(src / "ASEM_iData.csv")
    units = pd.DataFrame({"unit_id": data["uCode"], "name_zh": data["uCode"].map(_COUNTRY_ZH),
                          "name_en": data["uName"], "kind": "country", "peer_group": "all"})
    units["eurasia_group"] = data["EurAsia_group"]  # COINr's default imputation groups
    for column, name in _ASEM_DENOMINATORS.items():
        units[name] = data[column].astype(float)
    indicators = list(meta.loc[meta["Type"] == "Indicator", "iCode"])
    values = (data.melt(id_vars="uCode", value_vars=indicators, var_name="indicator")
              .dropna(subset=["value"]).rename(columns={"uCode": "unit_id"})
              .assign(year=_ASEM_YEAR, indicator=lambda d: d["indicator"].map(codes),
                      value=lambda d: d["value"].astype(float))
              [COLUMNS["values"]].reset_index(drop=True))
    weight = pd.Series(meta["Weight"].astype(float).to_numpy(), index=framework["code"])
    lines = [f"  {node}: {_fixed(weight[framework['code'][framework['parent'] == node]])}"
             for node in framework["code"] if node in set(framework["parent"])]
    scheme = _ASEM_SCHEME.format(weights="\n".join(lines))
    # COINr's default pipeline: each indicator with a Denominator in iMeta is divided by it; a
    # value whose denominator is absent (Energy of LAO) becomes missing and is imputed, as in R
    den = meta.loc[meta["Denominator"].notna(), ["iCode", "Denominator"]]
    entries = []
    for code, by in zip(den["iCode"], den["Denominator"]):
        name = _ASEM_DENOMINATORS[by]
        gap = units[name].isna().any()
        entries.append(f"  {codes[code]}: " + (f"{{by: {name}, when_missing: missing}}" if gap
                                               else name))
    default = _COINR_DEFAULT.format(denominate="\n".join(entries), weights="\n".join(lines))
    return Workspace(framework=framework, units=units, values=values,
                     schemes={"asem_coinr": scheme, "coinr_default": default})


_ASEM_SCHEME = """\
name: asem_coinr
description: "ASEM Sustainable Connectivity (COINr's example): min-max, arithmetic, iMeta weights"
# COINr's documented build denominates, imputes and treats outliers first; this scheme starts
# from the raw values (the denominators are covariates in units.csv). Weights are the iMeta
# column Weight; the fixed method rescales them within each parent, as COINr's Aggregate() does.
reference_year: 2018
treat: {{method: none}}
impute: {{method: none}}
normalise: {{method: minmax, scale: [0, 100], goalposts: {{}}, overrides: {{}}}}
weights:
{weights}
aggregate: {{method: arithmetic, min_coverage: 0.0}}
peer_groups: peer_group
deductions: {{cap: 0}}
"""

_COINR_DEFAULT = """\
name: coinr_default
description: "COINr's default pipeline on its ASEM example (build_example_coin): denominate, impute
  by EurAsia group mean, screen at 90 % data, winsorise with log fallback, min-max 0-100,
  arithmetic means"
# COINr 1.1.14: Denominate(dset = "Raw"); Impute(f_i = "i_mean_grp", use_group =
# "EurAsia_group"); Screen(dat_thresh = 0.9, unit_screen = "byNA"); Treat() with its defaults;
# Normalise() min-max onto [0, 100]; Aggregate(f_ag = "a_amean") with the iMeta weights.
reference_year: 2018
denominate:
{denominate}
impute: {{method: peer_mean, by: eurasia_group}}
screen: {{min_share: 0.9}}
treat: {{method: winsorise, skew: 2.0, kurtosis: 3.5, max_points: 5, fallback: log}}
normalise: {{method: minmax, scale: [0, 100], goalposts: {{}}, overrides: {{}}}}
weights:
{weights}
aggregate: {{method: arithmetic, min_coverage: 0.0}}
peer_groups: peer_group
deductions: {{cap: 0}}
"""


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
    for name, build in (("oecd_tai_2008", _tai_from_source), ("asem_coinr", _asem_from_source)):
        folder = data / "reference" / name
        write_workspace(build(folder), folder, overwrite=True)
    logger.info("Regenerated the sample city and the reference workspaces in %s", data)
    return data
