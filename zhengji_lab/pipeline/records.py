"""The build's log: one :class:`StepRecord` per step, holding the step's parameters as the scheme
gave them and, as a frozen dataclass of its own type, the values it resolved.

======================  =======================================================================
step                    ``resolved``
======================  =======================================================================
``scheme``              :class:`Noted` — warnings about the scheme (only when there are)
``workspace``           :class:`Warned` — one located warning about the workspace's data (as
                        loaded, or found for this year and scheme), only when there are
``select``              :class:`Selected` — units, indicators, missing cells, units left out
``denominate``          :class:`Table` — per indicator: denominator, units, values made missing
``impute``              :class:`Table` — one row per filled cell
``screen``              :class:`Table` — one row per unit left out, with its share of data
``treat``               :class:`Treated` — per-indicator details, changed points, status lists
``normalise``           :class:`Normalised` — goalposts used and fitted, what was not found
``weight``              :class:`Weighted` — one node (and peer group): weights, diagnostics
``aggregate``           :class:`Aggregated` — units below the coverage rule
``deductions``          :class:`Deducted` — units with deductions, points taken off
``grades``              :class:`Graded` — units per grade
``triggers``            :class:`Triggered` — number of talk triggers
``uncertainty_flags``   :class:`Flagged` — draws, inputs, uncertain grades and triggers
======================  =======================================================================
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


class FrozenMap(Mapping):
    """A read-only mapping that pickles (a ``MappingProxyType`` does not), so an
    :class:`~zhengji_lab.Assessment` and its log travel to report kernels and Dask workers."""

    __slots__ = ("_data",)

    def __init__(self, mapping=()):
        object.__setattr__(self, "_data", dict(mapping))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __reduce__(self):
        return FrozenMap, (self._data,)


def _frozen(mapping) -> Mapping:
    return FrozenMap(mapping)


@dataclass(frozen=True)
class Resolved:
    """Base of the values a step resolved; :meth:`brief` shows them in one short line."""

    def brief(self) -> str:
        """The values, rounded and with tables as their shape, for the log table."""
        parts = []
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, pd.DataFrame):
                v = f"table {v.shape[0]}×{v.shape[1]}"
            elif isinstance(v, (float, np.floating)):
                v = f"{v:.4g}"
            elif isinstance(v, Mapping):
                v = {k: round(x, 4) if isinstance(x, (float, np.floating)) else x
                     for k, x in v.items()}
            parts.append(f"{f.name}={v}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Noted(Resolved):
    warnings: tuple           # the texts of the warnings (SchemeWarning) the build gave


@dataclass(frozen=True)
class Warned(Resolved):
    """A located warning about the workspace (a :class:`~zhengji_lab.errors.WorkspaceWarning`):
    where (file or sheet, spreadsheet row, column, the cell's value), what and what to check."""

    file: str
    row: int | None
    column: str
    value: str
    problem: str
    fix: str

    def brief(self) -> str:
        place = self.file + (f" row {self.row}" if self.row is not None else "")
        place += f", column '{self.column}'" if self.column else ""
        return f"{place}: {self.problem}. Fix: {self.fix}."


@dataclass(frozen=True)
class Selected(Resolved):
    units: int
    indicators: int
    missing_cells: int
    units_without_values: tuple
    excluded: tuple


@dataclass(frozen=True, eq=False)
class Table(Resolved):
    table: pd.DataFrame


@dataclass(frozen=True, eq=False)
class Treated(Resolved):
    details: pd.DataFrame     # per indicator: status, skew and kurtosis before/after, units
    points: pd.DataFrame      # per changed cell: value, treated value, step, treatment
    status: Mapping           # status -> indicators (passed, winsorised, log, failing)


@dataclass(frozen=True)
class Normalised(Resolved):
    reference_year: int | None
    goalposts: Mapping = field(default_factory=dict)
    unknown_indicators: tuple = ()
    fitted_on_assessed_year: tuple = ()
    no_spread: tuple = ()
    reference_year_missing: bool = False


@dataclass(frozen=True, eq=False)
class Weighted(Resolved):
    method: str
    weights: Any              # child -> weight, or a units × children frame (BoD)
    diagnostics: Mapping = field(default_factory=dict)   # method-specific: cr, loadings, …


@dataclass(frozen=True)
class Aggregated(Resolved):
    units_below_min_coverage: tuple


@dataclass(frozen=True)
class Deducted(Resolved):
    units: int
    points_applied: float


@dataclass(frozen=True)
class Graded(Resolved):
    counts: Mapping


@dataclass(frozen=True)
class Triggered(Resolved):
    n: int


@dataclass(frozen=True)
class Flagged(Resolved):
    draws: int
    inputs: tuple
    grades_uncertain: tuple
    triggers_uncertain: tuple


def weighted(info: Mapping) -> Weighted:
    """A :class:`Weighted` from a weighting's diagnostics (``method``, ``weights`` and the
    method's own values, see :func:`zhengji_lab.weighting.resolve`)."""
    rest = {k: v for k, v in info.items() if k not in ("method", "weights")}
    weights = info["weights"]
    return Weighted(info["method"], weights if isinstance(weights, pd.DataFrame)
                    else _frozen(weights), _frozen(rest))


@dataclass(frozen=True)
class StepRecord:
    """One step of a build: its parameters as given and the values it resolved (a
    :class:`Resolved` of the step's type)."""

    step: str
    params: dict
    resolved: Resolved

    def as_row(self) -> dict:
        """The record as one row of the log table (values shortened for display)."""
        text = self.resolved.brief()
        return {"step": self.step, "params": str(self.params),
                "resolved": text if len(text) < 300 else text[:297] + "..."}


__all__ = ["Aggregated", "Deducted", "Flagged", "Graded", "Normalised", "Noted", "Resolved",
           "Selected", "StepRecord", "Table", "Treated", "Triggered", "Warned", "Weighted",
           "weighted"]
