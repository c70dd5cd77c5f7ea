"""Suspicious but possible inputs: the located warnings of a loaded workspace.

Run after the checks across tables (:mod:`~zhengji_lab.workspace.checks`) on the typed tables;
each finding is a warning in the problems collector (:meth:`Problems.warn
<zhengji_lab.workspace.problems.Problems.warn>`), naming file, row, column and what to check:

* a unit without a peer group while other units have one, and a peer group of one unit (a typo
  makes one: ``town_parks`` among ``towns_parks``);
* a year of ``values`` more than :data:`~zhengji_lab.workspace.schema.YEAR_GAP` years from every
  other year (2205 for 2025);
* a deduction in a year without values, or for a unit without values that year (no assessment
  takes it off);
* a kind in the framework's ``kinds`` that no unit has (the indicator applies to nobody of it).

The build repeats these warnings in its log (``Assessment.log``) and adds its own, which depend
on the scheme and the year (:mod:`zhengji_lab.pipeline.notices`).
"""
from __future__ import annotations

import pandas as pd

from zhengji_lab.workspace.problems import Problems, Where, rows_text
from zhengji_lab.workspace.schema import YEAR_GAP, kinds_of


def check_suspicious(t: dict[str, pd.DataFrame], broken: set[str], where: Where,
                     out: Problems) -> None:
    """Add the warnings about the typed tables ``t`` (tables in ``broken`` are skipped)."""
    if "units" not in broken:
        check_peer_groups(t["units"], where.table("units"), out)
    if "values" not in broken:
        _check_years(t["values"], where.table("values"), out)
        if "deductions" not in broken:
            _check_deduction_years(t["deductions"], t["values"], where, out)
    if "framework" not in broken and "units" not in broken:
        _check_unknown_kinds(t["framework"], t["units"], where, out)


def check_peer_groups(units: pd.DataFrame, file: str, out: Problems,
                      column: str = "peer_group") -> None:
    """Units without a peer group among units with one; peer groups of one unit."""
    if column not in units.columns or units.empty:
        return
    groups = units[column].astype(str).str.strip()
    empty = groups.eq("") | units[column].isna()
    if empty.any() and not empty.all():
        ids = units["unit_id"][empty]
        n = len(ids)
        out.warn(file, ids.index[0], column, "", f"{n} unit{'s have' if n > 1 else ' has'} no "
                 f"peer group while the others have one ({rows_text(ids.index)}: "
                 f"{', '.join(ids.iloc[:5])}{' …' if n > 5 else ''}); an assessment that ranks "
                 f"by '{column}' leaves them out", f"write the peer group of each unit; to "
                 f"compare all units together, leave '{column}' empty in every row")
    sizes = groups[~empty].value_counts()
    others = sorted(sizes.index)
    for group in sizes.index[sizes.eq(1)]:
        row = groups.index[groups.eq(group)][0]
        rest = [g for g in others if g != group]
        out.warn(file, row, column, group, f"the peer group '{group}' has one unit only "
                 f"('{units.at[row, 'unit_id']}'): it is ranked first of its group, and "
                 f"graded, against nobody", f"check the spelling (the other peer groups: "
                 f"{', '.join(rest[:8])}{' …' if len(rest) > 8 else ''}); a unit compared with "
                 f"no one is better given the peer group of similar units")


def _check_years(values: pd.DataFrame, file: str, out: Problems) -> None:
    """A year of values more than YEAR_GAP years from every other year."""
    years = sorted(int(y) for y in values["year"].dropna().unique())
    if len(years) < 2:
        return
    for i, year in enumerate(years):
        gap = min(abs(year - y) for j, y in enumerate(years) if j != i)
        if gap > YEAR_GAP:
            rows = values.index[values["year"].eq(year)]
            out.warn(file, rows[0], "year", year, f"the year {year} is {gap} years from the "
                     f"nearest other year of values ({rows_text(rows)}; the others: "
                     f"{', '.join(map(str, [y for y in years if y != year][:8]))})",
                     "check the year: a typo (2205 for 2025)?")


def _check_deduction_years(deductions: pd.DataFrame, values: pd.DataFrame, where: Where,
                           out: Problems) -> None:
    """Deductions in a year without values, or of a unit without values that year."""
    if deductions.empty:
        return
    filled = values.dropna(subset=["value"])
    years = set(filled["year"])
    assessed = set(zip(filled["unit_id"], filled["year"]))
    file = where.table("deductions")
    for row, unit, year in zip(deductions.index, deductions["unit_id"], deductions["year"]):
        if pd.isna(year):
            continue
        if year not in years:
            out.warn(file, row, "year", int(year), f"the deduction of '{unit}' is dated {year:g},"
                     f" a year without values in {where.table('values')}: no assessment "
                     "takes it off", "check the year; or add that year's values")
        elif (unit, year) not in assessed:
            out.warn(file, row, "unit_id", unit, f"'{unit}' has no values in {year:g}, so its "
                     f"deduction of that year is taken off in no assessment",
                     "check the unit and the year; or add the unit's values")


def _check_unknown_kinds(fw: pd.DataFrame, units: pd.DataFrame, where: Where,
                         out: Problems) -> None:
    """Kinds named in the framework that no unit has (and that differ from every unit's kind
    by more than case, which the checks report as an error)."""
    kinds = set(units["kind"])
    if not kinds:
        return
    folded = {k.casefold() for k in kinds}
    for row, code, cell in zip(fw.index, fw["code"], fw["kinds"]):
        unknown = [k for k in sorted(kinds_of(cell)) if k not in kinds
                   and k.casefold() not in folded]
        if unknown:
            out.warn(where.table("framework"), row, "kinds", cell, f"'{code}' applies to the "
                     f"kind{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}, "
                     f"which no unit in {where.table('units')} has",
                     f"check the spelling (units are of the kinds "
                     f"{', '.join(sorted(kinds)[:8])}); separate kinds with ';'")
