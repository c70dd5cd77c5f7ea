"""The specification of the SYNTHETIC sample city 青川市, read from the package data file.

Everything about the city that :func:`~zhengji_lab.datasets.make_city` does not draw: the units
and their roles, the covariate ranges, the indicator tree with each indicator's value-model
parameters, the adopters of individualized indicators and the units that game their targets, the
planted outliers, the outcomes outside the score with their planted effects, the negative-list
items, the expert panel and the scheme texts. The YAML file (:data:`SPEC_FILE`,
``city_spec.yaml`` beside this module) is read once, at import, through :mod:`importlib.resources`,
so it is found in an installed package too; the names below are its content as Python objects.

Examples
--------
>>> len(UNITS), len(INDICATORS), [d[0] for d in DIMENSIONS]
(46, 33, ['economy', 'ecology', 'livelihood', 'safety', 'party'])
>>> INDICATORS[0].code, INDICATORS[0].param("mean", "park")
('eco_gdp_growth', 8.0)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib.resources import files
from string import Template

import yaml

#: The package data file holding the specification.
SPEC_FILE = "city_spec.yaml"


@dataclass(frozen=True)
class Indicator:
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
        """The parameter ``name`` (``"mean"`` or ``"sd"``) for units of ``kind``."""
        value = getattr(self, name)
        return value[kind] if isinstance(value, dict) else value


@dataclass(frozen=True)
class Outcome:
    """One simulated outcome outside the score (``outcomes.csv``) and its model's parameters.

    ``effects`` holds the planted effect of adoption per option of
    :func:`~zhengji_lab.datasets.make_city`: ``"dynamic"`` maps each adoption cohort (year) to
    ``(start, growth)``, ``"constant"`` is one size; empty for a placebo.
    """

    name: str
    name_zh: str
    name_en: str
    unit: str
    mean: dict                  # by unit kind
    unit_sd: float              # sd of the unit effect
    noise_sd: float             # innovation sd of the AR(1) noise
    direction: int = 1
    loading: float = 0.0        # raw units per unit of latent performance
    trend: float = 0.0          # raw units per year
    shock_2020: float = 0.0     # raw units added in 2020
    year_sd: float = 0.0        # sd of the yearly common shocks
    rho: float = 0.0            # AR(1) coefficient of the noise
    lo: float = -math.inf
    hi: float = math.inf
    decimals: int = 1
    effects: dict = field(default_factory=dict)


def _outcome(entry: dict) -> Outcome:
    """An :class:`Outcome` from its YAML entry (names plus ``model`` and ``effects``)."""
    fields = {k: v for k, v in entry.items() if k not in ("model", "effects")}
    effects = entry.get("effects", {})
    if effects:
        effects = {"dynamic": {int(g): tuple(map(float, p))
                               for g, p in effects["dynamic"].items()},
                   "constant": float(effects["constant"])}
    return Outcome(**fields, **entry["model"], effects=effects)


def _indicator(entry: dict) -> Indicator:
    """An :class:`Indicator` from its YAML entry (framework fields plus ``model``)."""
    fields = {k: v for k, v in entry.items() if k != "model"}
    return Indicator(**fields, **entry["model"])


_SPEC = yaml.safe_load(files(__package__).joinpath(SPEC_FILE).read_text(encoding="utf-8"))

#: ``(unit_id, name_zh, name_en, kind, role)``; the role sets the covariate ranges.
UNITS: tuple[tuple[str, str, str, str, str], ...] = tuple(tuple(u) for u in _SPEC["units"])
#: What reports and workbooks call the city (``Workspace.meta``, ``workspace.yaml``).
WORKSPACE_META: dict[str, str] = dict(_SPEC["workspace"])
#: Unit kind -> peer group.
PEER_GROUP: dict[str, str] = _SPEC["peer_groups"]
#: Role -> uniform ranges of the covariates (``area``, ``pop``, ``redline``, ``ind``, and
#: ``output_per_pop`` or ``output``).
COVARIATES: dict[str, dict[str, list[float]]] = _SPEC["covariates"]
#: ``(code, name_zh, name_en)`` of the root.
ROOT: tuple[str, str, str] = tuple(_SPEC["root"])
#: ``(code, name_zh, name_en)`` of the dimensions, children of the root.
DIMENSIONS: tuple[tuple[str, str, str], ...] = tuple(tuple(d) for d in _SPEC["dimensions"])
#: The indicators, in framework order.
INDICATORS: tuple[Indicator, ...] = tuple(_indicator(e) for e in _SPEC["indicators"])
#: Individualized indicators: unit_id -> (indicator, adoption year); other towns never adopt.
ADOPTION: dict[str, tuple[str, int]] = {u: tuple(a) for u, a in _SPEC["adoption"].items()}
#: Unit kinds that have outcomes (the territorial units: towns and parks).
OUTCOME_KINDS: tuple[str, ...] = tuple(_SPEC["outcome_kinds"])
#: The outcomes outside the score, in ``outcomes.csv`` order.
OUTCOMES: tuple[Outcome, ...] = tuple(_outcome(e) for e in _SPEC["outcomes"])
#: Role -> functional positioning (the ``positioning`` column of ``units.csv``).
POSITIONING: dict[str, str] = _SPEC["positioning"]
#: Adopters that declare low targets.
GAMING_UNITS: tuple[str, ...] = tuple(_SPEC["targets"]["gaming_units"])
#: Ranges of target / expected value for honest and for gaming units.
HONEST_TARGET: tuple[float, float] = tuple(_SPEC["targets"]["honest"])
GAMED_TARGET: tuple[float, float] = tuple(_SPEC["targets"]["gamed"])
#: ``(indicator, operation, size)`` of the planted outliers; operation is "times" or "plus".
OUTLIERS: tuple[tuple[str, str, float], ...] = tuple(tuple(o) for o in _SPEC["outliers"])
#: Negative-list items: ``item, name_zh, name_en, max_points, kinds, probability, note``.
DEDUCTION_ITEMS: tuple[dict, ...] = tuple(_SPEC["deduction_items"])
#: The members of the expert panel.
EXPERTS: tuple[str, ...] = tuple(_SPEC["panel"]["experts"])
#: Experts whose AHP matrices are inconsistent (CR > 0.10).
INCONSISTENT_EXPERTS: tuple[str, ...] = tuple(_SPEC["panel"]["inconsistent"])
#: The expert whose weights stand apart.
OUTLYING_EXPERT: str = _SPEC["panel"]["outlying"]
#: ``{group: {node: weight}}``: the panel's consensus, and the outlying expert's centre.
CONSENSUS: dict[str, dict[str, float]] = _SPEC["panel"]["consensus"]
OUTLYING_WEIGHTS: dict[str, dict[str, float]] = _SPEC["panel"]["outlying_weights"]
#: ``{name: {"description": ..., "weights": {node: rule}}}`` of the schemes.
SCHEMES: dict[str, dict] = _SPEC["schemes"]
#: The text of a scheme file, with ``$name``, ``$description`` and ``$weights``.
SCHEME_TEMPLATE = Template(_SPEC["scheme_template"])
