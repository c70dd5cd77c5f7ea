"""The panel behind :func:`~zhengji_lab.effects.adoption_effect`: outcome, adoption cohorts, events.

:func:`adoption_panel` finds the outcome in the workspace (``outcomes.csv`` first, then an
indicator of ``values.csv``, then ``covariates.csv``), takes each unit's adoption year (the first
year it has a target for an individualized indicator, or ``adoption=``), and returns one row per
unit-year with an outcome value, its cohort, treatment and years since adoption. It refuses, with
what is needed, the data no estimator can use, and records in ``notes`` every cell and unit it
leaves out.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zhengji_lab.errors import CircularEvidenceWarning, EffectsError
from zhengji_lab.workspace import Workspace

#: The fewest clusters :func:`adoption_panel` accepts.
MIN_CLUSTERS = 6


@dataclass(frozen=True, eq=False)
class AdoptionPanel:
    """One outcome's panel with adoption cohorts.

    Attributes
    ----------
    data : DataFrame
        ``unit_id, year, y, cohort, treat, rel, cluster``: ``cohort`` is the adoption year
        (0 = never adopts), ``treat`` is 1 from the adoption year on, ``rel`` the years since
        adoption (NaN for units that never adopt), ``cluster`` the cluster label.
    outcome, source : str
        The outcome and the table it came from (``outcomes.csv``, ``values.csv``,
        ``covariates.csv``).
    cluster : str
        ``"unit_id"`` or the units column whose values are the clusters.
    notes : tuple of str
        What was left out and why.
    """

    data: pd.DataFrame
    outcome: str
    source: str
    cluster: str
    notes: tuple[str, ...]

    @property
    def n_units(self) -> int:
        return int(self.data["unit_id"].nunique())

    @property
    def n_clusters(self) -> int:
        return int(self.data["cluster"].nunique())

    @property
    def unit_cohorts(self) -> pd.Series:
        """Adoption year per unit (0 = never), in order of first appearance."""
        return self.data.groupby("unit_id", sort=False)["cohort"].first()

    @property
    def cohorts(self) -> pd.DataFrame:
        """``cohort, n_units`` of the adopting units (never-adopting units not listed)."""
        c = self.unit_cohorts
        c = c[c > 0].value_counts().sort_index()
        return pd.DataFrame({"cohort": c.index.astype(int), "n_units": c.to_numpy(dtype=int)})

    @property
    def has_never_treated(self) -> bool:
        return bool((self.unit_cohorts == 0).any())


def _names(df: pd.DataFrame, column: str) -> list[str]:
    return sorted(pd.unique(df[column].astype(str))) if len(df) else []


def find_outcome(ws: Workspace, outcome: str, scheme=None) -> tuple[pd.DataFrame, str]:
    """``unit_id, year, y`` of ``outcome`` and the table it came from.

    Looks in ``outcomes.csv``, then ``values.csv`` (an indicator: a
    :class:`~zhengji_lab.errors.CircularEvidenceWarning` unless ``scheme`` excludes it), then
    ``covariates.csv``.
    """
    if not isinstance(outcome, str) or not outcome:
        raise EffectsError(f"The 'outcome' parameter of adoption_effect() must be the name of an "
                           f"outcome (a string). Got {outcome!r} instead.")
    for table, column, source in ((ws.outcomes, "name", "outcomes.csv"),
                                  (ws.values, "indicator", "values.csv"),
                                  (ws.covariates, "name", "covariates.csv")):
        if len(table) and (table[column] == outcome).any():
            rows = table.loc[table[column] == outcome, ["unit_id", "year", "value"]]
            if source == "values.csv":
                _warn_circular(ws, outcome, scheme)
            return rows.rename(columns={"value": "y"}), source
    listed = [f"outcomes.csv {_names(ws.outcomes, 'name')[:10]}",
              f"covariates.csv {_names(ws.covariates, 'name')[:10]}",
              (f"{ws.values['indicator'].nunique() if len(ws.values) else 0} indicators of "
               f"values.csv (e.g. {_names(ws.values, 'indicator')[:5]})")]
    raise EffectsError(
        f"No outcome {outcome!r} in the workspace: it is neither a name in outcomes.csv, nor an "
        f"indicator of values.csv, nor a name in covariates.csv. There are: "
        f"{'; '.join(listed)}. Add its values to outcomes.csv (columns unit_id, year, name, "
        f"value; an outcome outside the score such as a satisfaction survey or 12345 hotline "
        f"complaints).")


def _warn_circular(ws: Workspace, indicator: str, scheme) -> None:
    excluded = set(scheme.spec["exclude"]) if scheme is not None else set()
    if indicator in set(ws.framework["code"]) and indicator not in excluded:
        warnings.warn(
            f"The outcome {indicator!r} is an indicator of the composite score: units were "
            f"scored on it, so a change after adopting individualized indicators is circular "
            f"evidence (units had a reason to move what was counted), not proof that the "
            f"indicators worked. Prefer an outcome outside the score (outcomes.csv), or pass a "
            f"scheme that excludes {indicator!r}.", CircularEvidenceWarning, stacklevel=4)


def adoption_years(ws: Workspace, adoption=None) -> pd.Series:
    """First adoption year per adopting unit (``unit_id`` -> int year).

    By default the first year a unit has a row in ``targets.csv`` for an indicator whose
    framework ``scope`` is ``individualized``; ``adoption`` (a Series ``unit_id -> year`` or a
    DataFrame with columns ``unit_id, year``; missing years = never) overrides it.
    """
    if adoption is None:
        t = ws.targets[ws.targets["indicator"].isin(ws.individualized())]
        years = t.groupby("unit_id")["year"].min()
    elif isinstance(adoption, pd.Series):
        years = adoption.rename_axis("unit_id")
    elif isinstance(adoption, pd.DataFrame) and {"unit_id", "year"} <= set(adoption.columns):
        years = adoption.set_index("unit_id")["year"]
    else:
        raise EffectsError(f"The 'adoption' parameter of adoption_effect() must be a Series "
                           f"unit_id -> adoption year or a DataFrame with columns unit_id, year. "
                           f"Got {type(adoption).__name__} instead.")
    years = pd.to_numeric(years, errors="coerce").dropna()
    fractional = years[years != np.round(years)]
    if len(fractional):
        raise EffectsError(f"Adoption years must be whole years. Got "
                           f"{fractional.head(10).to_dict()} instead.")
    years = years.astype(int)
    return years.groupby(level=0).min() if years.index.has_duplicates else years


def adoption_panel(ws: Workspace, outcome: str, *, adoption=None, cluster: str = "unit_id",
                   scheme=None, min_clusters: int = MIN_CLUSTERS) -> AdoptionPanel:
    """The panel of ``outcome`` with adoption cohorts, ready for the estimators.

    Units with outcome data that never adopt are the comparison group; adopters without
    outcome data are not in the panel. Left out, with a note: empty cells (the panel may be
    unbalanced); units adopting in or before their first year with data (always treated: their
    effect cannot be told apart from their unit effect); years in which every unit has adopted
    (no comparison cell).

    Raises
    ------
    EffectsError
        No such outcome; no unit adopting; every unit adopting in the same year with no unit
        that never adopts; fewer than ``min_clusters`` clusters; an unknown cluster column.
    """
    rows, source = find_outcome(ws, outcome, scheme)
    years = adoption_years(ws, adoption)
    notes = []
    df = rows.copy()
    df["year"] = df["year"].astype(int)
    if df.duplicated(["unit_id", "year"]).any():
        dup = df.loc[df.duplicated(["unit_id", "year"], keep=False), ["unit_id", "year"]]
        raise EffectsError(f"The outcome {outcome!r} has more than one value for some unit-years "
                           f"in {source}, e.g. {dup.head(5).to_records(index=False).tolist()}; "
                           f"keep one value per unit and year.")
    empty = df["y"].isna()
    if empty.any():
        notes.append(f"{int(empty.sum())} empty cell(s) of {outcome!r} left out (unbalanced "
                     f"panel).")
        df = df[~empty]
    if df.empty:
        raise EffectsError(f"The outcome {outcome!r} has no values in {source} (every cell is "
                           f"empty); fill in its values (unit_id, year, value).")
    df["cohort"] = df["unit_id"].map(years).fillna(0).astype(int)
    absent = sorted(str(u) for u in set(years.index) - set(df["unit_id"]))
    if absent:
        notes.append(f"{len(absent)} adopting unit(s) have no data on {outcome!r} and are not in "
                     f"the panel: {absent[:10]}.")
    first = df.groupby("unit_id")["year"].transform("min")
    always = df["cohort"].gt(0) & df["cohort"].le(first)
    if always.any():
        gone = sorted(str(u) for u in pd.unique(df.loc[always, "unit_id"]))
        notes.append(f"{len(gone)} unit(s) adopted in or before their first year with data "
                     f"(always treated, no year to compare with) and were left out: {gone[:10]}.")
        df = df[~always]
    adopters = df.loc[df["cohort"] > 0].groupby("unit_id")["cohort"].first()
    if adopters.empty:
        raise EffectsError(
            f"No unit of the panel of {outcome!r} adopts individualized indicators, so there is "
            f"no effect of adoption to estimate. Adoption is the first year a unit has a target "
            f"for an individualized indicator (framework scope 'individualized') in targets.csv; "
            f"add those targets, or pass adoption= (unit_id -> first year).")
    never = set(df["unit_id"]) - set(adopters.index)
    if not never and adopters.nunique() == 1:
        raise EffectsError(
            f"Every unit of the panel of {outcome!r} adopts in {int(adopters.iloc[0])} and none "
            f"never adopts: the estimators need variation in adoption timing or units that "
            f"never adopt (a comparison group). Add outcome data of units that do not adopt, "
            f"or of units adopting in other years.")
    df["treat"] = (df["cohort"].gt(0) & df["year"].ge(df["cohort"])).astype(float)
    no_control = df.groupby("year")["treat"].transform("min").eq(1.0)
    if no_control.any():
        gone = sorted(int(y) for y in pd.unique(df.loc[no_control, "year"]))
        notes.append(f"Year(s) {gone} left out: every unit had adopted, so there is no "
                     f"comparison cell (effects in them are not identified without units that "
                     f"never adopt).")
        df = df[~no_control]
    if not (df["treat"] > 0).any():
        raise EffectsError(f"No unit-year of {outcome!r} is on or after a unit's adoption year, "
                           f"so there is no effect to estimate; add outcome data for the years "
                           f"after adoption.")
    df["rel"] = np.where(df["cohort"] > 0, df["year"] - df["cohort"], np.nan)
    df["cluster"] = _clusters(ws, df, cluster)
    g = df["cluster"].nunique()
    if g < min_clusters:
        raise EffectsError(
            f"The panel of {outcome!r} has {g} cluster(s) ({cluster!r}); inference on adoption "
            f"effects needs at least {min_clusters} (with fewer, no test, not even the wild "
            f"cluster bootstrap or randomization inference, can hold its size). Add units with "
            f"outcome data, or cluster by a finer column.")
    data = df[["unit_id", "year", "y", "cohort", "treat", "rel", "cluster"]]
    data = data.sort_values(["unit_id", "year"], kind="stable").reset_index(drop=True)
    return AdoptionPanel(data=data, outcome=outcome, source=source, cluster=cluster,
                         notes=tuple(notes))


def _clusters(ws: Workspace, df: pd.DataFrame, cluster: str) -> pd.Series:
    if cluster == "unit_id":
        return df["unit_id"].astype(str)
    if not isinstance(cluster, str) or cluster not in ws.units.columns:
        raise EffectsError(f"The 'cluster' parameter of adoption_effect() must be 'unit_id' or a "
                           f"column of units.csv {list(ws.units.columns)}. Got {cluster!r} "
                           f"instead.")
    labels = df["unit_id"].map(dict(zip(ws.units["unit_id"], ws.units[cluster])))
    if labels.isna().any():
        missing = sorted(str(u) for u in pd.unique(df.loc[labels.isna(), "unit_id"]))[:10]
        raise EffectsError(f"Units {missing} have no value in the cluster column {cluster!r} of "
                           f"units.csv; fill it in or cluster by 'unit_id'.")
    return labels.astype(str)
