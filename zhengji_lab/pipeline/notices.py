"""The build's warnings about the workspace's data: located, warned and kept in the log.

A suspicious but possible input is a :class:`~zhengji_lab.errors.WorkspaceWarning` naming file,
row and column, and a ``workspace`` record (:class:`~zhengji_lab.pipeline.records.Warned`) of
``Assessment.log``, so the report shows it.  Those found when the workspace was loaded
(``Workspace.located_warnings``) are repeated in the log; :func:`prepare
<zhengji_lab.pipeline.prepare.prepare>` adds those that depend on the year and the scheme:

* units without values in the year (not assessed);
* units without a peer group (in the scheme's ``peer_groups`` column) while others have one:
  left out of the year's assessment, since ranking them in an unnamed group would compare them
  with each other only;
* peer groups with one assessed unit (ranked and graded against nobody);
* indicators without a value for any unit they apply to (their weight goes to their siblings;
  said of key indicators, ``key = yes``, first);
* targets of common indicators that the scheme does not normalise by distance to target (they
  change nothing).
"""
from __future__ import annotations

import warnings

import pandas as pd

from zhengji_lab.errors import WorkspaceWarning
from zhengji_lab.pipeline.records import StepRecord, Warned
from zhengji_lab.workspace.problems import rows_text, where_of
from zhengji_lab.workspace.schema import is_key


class Notices:
    """Collects the build's warnings about one workspace: each is warned once and logged."""

    def __init__(self, ws, year: int):
        self.ws, self.year = ws, year
        self.where = where_of(ws.source)
        self.records: list[StepRecord] = []

    def add(self, table: str, rows, column: str, value, problem: str, fix: str) -> None:
        """Warn (a :class:`WorkspaceWarning`) and log one warning about ``table``; ``rows`` are
        positions in the table (the first is named, all in the problem text)."""
        file = self.where.table(table)
        sheet = [int(r) for r in self.ws.sheet_rows(table)[list(rows)]] if len(rows) else []
        row = sheet[0] if sheet else None
        if len(sheet) > 1:
            problem += f" ({rows_text(sheet)})"
        place = file + (f" row {row}" if row is not None else "") + (
            f", column '{column}'" if column else "")
        warnings.warn(f"{place}: {problem}. Fix: {fix}.", WorkspaceWarning, stacklevel=6)
        self.records.append(StepRecord("workspace", {"source": "build", "year": self.year},
                                       Warned(file, row, column, str(value), problem, fix)))


def workspace_records(ws) -> list[StepRecord]:
    """The warnings found when the workspace was loaded, as ``workspace`` log records."""
    table = ws.located_warnings()
    return [StepRecord("workspace", {"source": "load"},
                       Warned(w.file, None if pd.isna(w.row) else int(w.row), w.column, w.value,
                              w.problem, w.fix))
            for w in table.itertuples(index=False)]


def check_units(note: Notices, units: pd.DataFrame, col: str, dropped: list) -> pd.DataFrame:
    """Warn of units without values; leave out units without a peer group among units with
    one (warned); warn of peer groups of one assessed unit.  Returns the units kept."""
    ws, year = note.ws, note.year
    if dropped:
        n, have = len(dropped), "s have" if len(dropped) > 1 else " has"
        listed = ", ".join(dropped[:10]) + (" …" if n > 10 else "")
        at = ws.units.index.get_indexer(ws.units.index[ws.units["unit_id"].isin(dropped)])
        note.add("units", at, "unit_id", listed, f"{n} unit{have} no values in {year} and "
                 f"{'are' if n > 1 else 'is'} not assessed: {listed}", f"add their {year} "
                 f"values to {note.where.table('values')}, if they are to be assessed")
    groups = units[col].astype(str).str.strip().where(units[col].notna(), "")
    blank = groups.eq("")
    if blank.any() and not blank.all():
        ids = units["unit_id"][blank].tolist()
        note.add("units", ws.units.index.get_indexer(units.index[blank]), col, "",
                 f"{len(ids)} unit{'s have' if len(ids) > 1 else ' has'} no peer group in "
                 f"'{col}' and {'are' if len(ids) > 1 else 'is'} left out of the {year} "
                 f"assessment ({', '.join(ids[:10])}{' …' if len(ids) > 10 else ''}): ranked in "
                 f"an unnamed group, they would be compared with each other only",
                 f"write their peer group in '{col}'; to compare all units together, leave "
                 f"'{col}' empty in every row")
        units, groups = units[~blank], groups[~blank]
    sizes = groups.value_counts()
    for group in sizes.index[sizes.eq(1)]:
        if col == "peer_group" and ws.units[col].astype(str).str.strip().eq(group).sum() == 1:
            continue  # the workspace's own warning (units.csv) says it
        at = units.index[groups.eq(group)]
        unit = units.at[at[0], "unit_id"]
        note.add("units", ws.units.index.get_indexer(at), col, group, f"the peer group "
                 f"'{group}' has one assessed unit in {year} ('{unit}'): it is ranked first of "
                 "its group, and graded, against nobody", f"check the peer groups in '{col}' "
                 "and the unit's values; a unit is better compared with similar units")
    return units


def check_indicators(note: Notices, X: pd.DataFrame, applicable: pd.DataFrame) -> None:
    """Warn of indicators without a value for any unit they apply to in the year."""
    fw = note.ws.framework
    position = pd.Series(range(len(fw)), index=fw["code"].to_numpy())
    key = dict(zip(fw["code"], map(is_key, fw["key"] if "key" in fw else [""] * len(fw))))
    applies = applicable.any()
    empty = [c for c in X.columns if applies[c] and X.loc[applicable[c], c].isna().all()]
    for code in sorted(empty, key=lambda c: not key.get(c)):
        n = int(applicable[code].sum())
        what = "the key indicator" if key.get(code) else "the indicator"
        note.add("framework", [int(position[code])], "code", code, f"{what} '{code}' has no "
                 f"value for any of the {n} unit{'s' if n > 1 else ''} it applies to in "
                 f"{note.year}: its weight goes to the other indicators of its dimension",
                 f"add the {note.year} values of '{code}' to {note.where.table('values')}; "
                 "if it was not measured this year, say so in the report, or leave it out in the "
                 "scheme (exclude)")


def check_targets(note: Notices, targets: pd.DataFrame, scheme) -> None:
    """Warn of targets of common indicators the scheme does not normalise by target."""
    ws = note.ws
    scope = dict(zip(ws.framework["code"], ws.framework["scope"]))
    common = targets[targets["indicator"].map(scope).eq("common")]
    for code, rows in common.groupby("indicator", sort=True).groups.items():
        method = scheme.normalise_spec(code)["method"]
        if method == "target":
            continue
        note.add("targets", ws.targets.index.get_indexer(rows), "indicator", code,
                 f"the targets of the common indicator '{code}' in {note.year} are not used: the "
                 f"scheme normalises it by {method}, and targets decide only which units an "
                 "individualized indicator applies to", f"delete the rows, or mark '{code}' "
                 "individualized in the framework, or normalise it by distance to target "
                 f"(normalise.overrides.{code}.method: target)")


def no_values_message(ws, year: int) -> str:
    """Why ``year`` has no unit to assess: no rows, or rows whose values are all empty."""
    filled = sorted(int(y) for y in ws.values.dropna(subset=["value"])["year"].unique())
    if (ws.values["year"] == year).any():
        return (f"Year {year} has rows in {where_of(ws.source).table('values')} but every value "
                f"is empty; years with values: {filled}. Fill in the values, or build another "
                "year.")
    return f"No values for year {year}. Years with values: {filled}."
