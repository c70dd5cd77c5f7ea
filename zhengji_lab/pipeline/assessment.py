"""The result of a build: :class:`Assessment` (its log is a list of
:class:`~zhengji_lab.pipeline.records.StepRecord`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from zhengji_lab.scheme import Scheme

#: Columns of :attr:`Assessment.weights`.
WEIGHT_COLUMNS = ["parent", "node", "weight", "method", "fitted", "scope", "peer_group",
                  "indicator_set"]


@dataclass(frozen=True, eq=False)
class Assessment:
    """The result of :func:`zhengji_lab.build`; never written by hand.

    Attributes
    ----------
    scheme : Scheme
    year : int
    scores : DataFrame
        Tidy ``unit_id, year, node, score, rank, grade``. The root (node ``index`` in the usual
        framework) holds the composite after deductions; ranks are within peer groups and follow
        that score; grades are given for the composite only.
    weights : DataFrame
        :data:`WEIGHT_COLUMNS`: ``parent, node, weight, method``; ``fitted`` (fitted to the
        data); ``scope``, what the row applies to: ``all`` (every unit), ``peer_group`` (fitted
        within ``peer_group``), ``indicator_set`` (fitted within ``peer_group`` on the units to
        which exactly the children in ``indicator_set`` apply) or ``unit_mean`` (benefit of the
        doubt: every unit has its own weights, the row holds their mean).
    unit_weights : DataFrame
        ``unit_id, parent, node, weight``: the weights each unit's scores were aggregated with
        (0 for a child that does not apply to the unit), before the rescaling over the children
        it has values for. At a benefit-of-the-doubt node these are the unit's own weights as
        shares summing to 1 (its score is 100·Σ w·x with the unscaled weights of the log).
    deductions : DataFrame
        ``unit_id, year, items, points, applied, capped``.
    triggers : DataFrame
        ``unit_id, year, trigger, label, evidence``.
    log : list of StepRecord
    screened_out : DataFrame
        Units left out by the scheme's ``screen`` step: ``unit_id, available, applicable,
        share``.
    framework : DataFrame
        The workspace's indicator tree (names, units, directions) the assessment was built on.
    provenance : dict
        Package version, scheme fingerprint, data hash, year.
    units : DataFrame
        The assessed units with names, kind and peer group.
    """

    scheme: Scheme
    year: int
    scores: pd.DataFrame
    weights: pd.DataFrame
    deductions: pd.DataFrame
    triggers: pd.DataFrame
    log: list
    provenance: dict
    units: pd.DataFrame
    stages: dict = field(default_factory=dict, repr=False)
    screened_out: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    framework: pd.DataFrame | None = field(default=None, repr=False)
    unit_weights: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def stage(self, name: str) -> pd.DataFrame:
        """An intermediate units × indicators table: ``raw`` (as selected), ``denominated``,
        ``imputed``, ``screened`` (those that ran), ``treated``, ``normalised``, ``nodes`` (every
        node's score before deductions) or ``applicable``."""
        if name not in self.stages:
            raise KeyError(f"No stage {name!r}; stages are {sorted(self.stages)}.")
        return self.stages[name]

    @property
    def root(self) -> str:
        return self.provenance["root"]

    @property
    def index(self) -> pd.Series:
        """The composite (after deductions) per unit."""
        s = self.scores[self.scores["node"] == self.root]
        return s.set_index("unit_id")["score"]

    def log_frame(self) -> pd.DataFrame:
        """The log as a table: one row per step."""
        return pd.DataFrame([r.as_row() for r in self.log])

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """The ranking per peer group with names, dimension scores, deductions and grade."""
        s = self.scores.pivot(index="unit_id", columns="node", values="score")
        root = self.scores[self.scores["node"] == self.root].set_index("unit_id")
        name = "name_zh" if lang == "zh" else "name_en"
        out = self.units.set_index("unit_id")[[name, "kind", "peer_group"]].join(s)
        out["deduction"] = self.deductions.set_index("unit_id")["applied"].reindex(out.index)
        out["rank"] = root["rank"].reindex(out.index)
        out["grade"] = root["grade"].reindex(out.index)
        return out.sort_values(["peer_group", "rank"]).reset_index()

    def summary(self) -> str:
        n = self.units.shape[0]
        return (f"Assessment {self.year} — scheme {self.scheme.spec['name']!r} "
                f"({self.provenance['fingerprint']}), {n} units, "
                f"{self.scores['node'].nunique()} nodes, {len(self.triggers)} talk triggers")

    def _repr_html_(self) -> str:
        return f"<p>{self.summary()}</p>" + self.table().head(20).to_html(index=False)

    def __repr__(self) -> str:
        return f"<{self.summary()}>"
