"""Checks across tables and of AHP judgement matrices (schemes: :mod:`zhengji_lab.scheme_checks`).

Run once every table is typed (:mod:`~zhengji_lab.workspace.parse`): unique keys (and codes
that differ only in case), the shape of the indicator tree and its levels, codes that must exist
in another table (naming the code meant when one differs only in case or in leading zeros),
kinds, declared targets, deduction caps; Saaty's scale and reciprocity of AHP matrices.  Each
check adds what it finds to a :class:`~zhengji_lab.workspace.problems.Problems` and raises nothing.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from zhengji_lab.workspace.problems import Problems, Where
from zhengji_lab.workspace.schema import KEYS, kinds_of
from zhengji_lab.workspace.text import ratio_text

_AHP_RTOL = 1e-2  # tolerance for reciprocals and the [1/9, 9] scale (rounded fractions)


def check_links(t: dict[str, pd.DataFrame], broken: set[str], where: Where,
                out: Problems) -> None:
    """Keys, the tree, and every code that must exist elsewhere (units, indicators, items).

    ``t`` are the typed tables; ``broken`` the tables that could not be read or miss required
    columns, whose checks are skipped.
    """
    for name, keys in KEYS.items():
        if name not in broken:
            _check_unique(t[name], keys, where.table(name), out)
    for name, col in CASED:
        if name not in broken:
            _check_case(t[name], col, where.table(name), out)
    fw, units = t["framework"], t["units"]
    if "framework" not in broken:
        _check_tree(fw, where.table("framework"), out)
        if "units" not in broken:
            _check_kind_case(fw, units, where, out)
    codes = set(fw["code"])
    parents = set(fw["parent"])
    kinds = dict(zip(fw["code"], map(kinds_of, fw["kinds"])))
    unit_kind = dict(zip(units["unit_id"], units["kind"]))
    fw_file, units_file = where.table("framework"), where.table("units")
    near_code = _near(codes)
    for name in ("values", "targets", "deductions", "covariates", "outcomes"):
        df, file = t[name], where.table(name)
        if name in broken or df.empty:
            continue
        if "units" not in broken:
            known = df["unit_id"].isin(set(unit_kind)) | df["unit_id"].eq("")
            near = _near(set(unit_kind))
            for row, unit in df["unit_id"][~known].items():
                out.add(file, row, "unit_id", unit, f"unknown unit '{unit}'{near(unit)}",
                        f"add it to {units_file}, or correct the code")
        if name in ("covariates", "outcomes"):
            continue
        if name == "deductions":
            items = t["deduction_items"]
            if "deduction_items" not in broken and len(items):
                near = _near(set(items["item"]))
                for row, item in df["item"][~df["item"].isin(items["item"]) & df["item"].ne("")
                                            ].items():
                    out.add(file, row, "item", item, f"unknown deduction item '{item}'{near(item)}",
                            f"add it to {where.table('deduction_items')}, or correct the code")
                cap = df["item"].map(dict(zip(items["item"], items["max_points"])))
                for row in df.index[(df["points"] > cap).fillna(False).to_numpy(dtype=bool)]:
                    out.add(file, row, "points", df.at[row, "points"],
                            f"{df.at[row, 'points']:g} points exceed the maximum "
                            f"{cap[row]:g} of item '{df.at[row, 'item']}'",
                            f"correct the points, or the max_points of the item in "
                            f"{where.table('deduction_items')}")
            continue
        if name == "targets":
            for row in df.index[df["target"].isna().to_numpy(dtype=bool)]:
                out.add(file, row, "target", "", "the target is empty",
                        "write the declared target, or delete the row")
        if name == "values" and "targets" not in broken:
            _check_declared(df, t["targets"], fw, file, where.table("targets"), out)
        if "framework" in broken:
            continue
        for row, unit, code in zip(df.index, df["unit_id"], df["indicator"]):
            if code not in codes:
                if code:
                    out.add(file, row, "indicator", code, f"unknown indicator '{code}'"
                            f"{near_code(code)}", f"add it to {fw_file}, or correct the code")
            elif code in parents:
                out.add(file, row, "indicator", code, f"'{code}' is a dimension, not an "
                        f"indicator (it has children in {fw_file})", "give values only for "
                        "leaf indicators; dimension scores are computed")
            elif unit in unit_kind and kinds[code] and unit_kind[unit] not in kinds[code]:
                stray = sorted(kinds[code] - set(unit_kind.values()))
                out.add(file, row, "indicator", code, f"'{code}' applies to kinds "
                        f"{'; '.join(sorted(kinds[code]))} only, but unit '{unit}' is a "
                        f"'{unit_kind[unit]}'", (f"correct the kinds of '{code}' in {fw_file}: "
                        f"{', '.join(map(repr, stray))} is the kind of no unit; " if stray
                        else "") + f"delete the row, or add '{unit_kind[unit]}' to the kinds of "
                        f"'{code}' in {fw_file}")


def _check_declared(values: pd.DataFrame, targets: pd.DataFrame, fw: pd.DataFrame, file: str,
                    targets_file: str, out: Problems) -> None:
    """A value of an individualized indicator needs the unit's declared target that year."""
    own = set(fw.loc[fw["scope"] == "individualized", "code"])
    declared = set(zip(targets["unit_id"], targets["year"], targets["indicator"]))
    for row, unit, year, code, value in zip(values.index, values["unit_id"], values["year"],
                                            values["indicator"], values["value"]):
        if code in own and not pd.isna(value) and (unit, year, code) not in declared:
            out.add(file, row, "indicator", code, f"'{code}' is an individualized indicator, but "
                    f"unit '{unit}' declared no target for it in {year}",
                    f"add the target to {targets_file}, or delete the value")


def _check_unique(df: pd.DataFrame, keys: list[str], file: str, out: Problems) -> None:
    if not df.duplicated(keys).any():
        return
    first: dict[tuple, int] = {}
    for row, key in zip(df.index, df[keys].itertuples(index=False, name=None)):
        if key in first:
            out.add(file, row, "/".join(keys), "/".join(map(str, key)), f"duplicate of row "
                    f"{first[key]} (same {'/'.join(keys)})", "keep one of the rows")
        else:
            first[key] = row


def _check_tree(fw: pd.DataFrame, file: str, out: Problems) -> None:
    """One root, every parent a code, no cycles, levels as the tree's heights."""
    if fw.empty:
        out.add(file, None, "", "", "the framework is empty", "add the indicator tree: one row "
                "per indicator, dimension and the root (the composite index)")
        return
    nodes = fw.drop_duplicates("code")
    parent = dict(zip(nodes["code"], nodes["parent"]))
    row_of = dict(zip(nodes["code"], nodes.index))
    roots = nodes[nodes["parent"].eq("")]
    if roots.empty:
        out.add(file, None, "parent", "", "the framework has no root",
                "leave 'parent' empty on exactly one row: the composite index")
    for row, code in roots["code"].iloc[1:].items():
        out.add(file, row, "parent", "", f"a second root: '{code}' has an empty parent, as does "
                f"'{roots['code'].iloc[0]}' (row {roots.index[0]})", f"give '{code}' its parent "
                "code; only the composite index has an empty parent")
    orphans = False
    for row, code, up in zip(fw.index, fw["code"], fw["parent"]):
        if up and up not in parent:
            orphans = True
            out.add(file, row, "parent", up, f"the parent '{up}' of '{code}' is not a code of "
                    "the framework", f"add a row for '{up}', or correct the parent code")
    cycles = _cycles(parent)
    for cycle in cycles:
        out.add(file, row_of[cycle[0]], "parent", parent[cycle[0]], "the tree has a cycle: "
                f"{' → '.join([*cycle, cycle[0]])}", "break the cycle: one of these nodes must "
                "hang under a node outside it")
    if not (orphans or cycles):
        _check_levels(nodes, parent, row_of, file, out)


def _check_levels(nodes: pd.DataFrame, parent: dict, row_of: dict, file: str,
                  out: Problems) -> None:
    """Level 1 for indicators (no children), 1 + the largest level below for the others."""
    kids: dict[str, list[str]] = {}
    for code, up in parent.items():
        if up:
            kids.setdefault(up, []).append(code)
    height: dict[str, int] = {}
    for code in _bottom_up(parent, kids):
        height[code] = 1 + max((height[k] for k in kids.get(code, [])), default=0)
    for code, level in zip(nodes["code"], nodes["level"]):
        if pd.isna(level) or int(level) == height[code]:
            continue
        row, level = row_of[code], int(level)
        if code not in kids:
            out.add(file, row, "level", level, f"'{code}' has level {level} but no children: a "
                    "dimension without indicators (it would be read as an indicator that no "
                    "unit has values for)", f"add its indicators (rows with parent '{code}'), or "
                    "delete the row; if it is an indicator, write level 1")
        else:
            below = ", ".join(kids[code][:5]) + (" …" if len(kids[code]) > 5 else "")
            out.add(file, row, "level", level, f"'{code}' has level {level}, but the nodes under "
                    f"it ({below}) make it level {height[code]}", f"write {height[code]} "
                    "(indicators 1, their dimensions 2, and so on up to the root), or correct "
                    f"the parent of the nodes under '{code}'")


def _bottom_up(parent: dict, kids: dict) -> list[str]:
    """Nodes of an acyclic tree, each after all the nodes under it."""
    order: list[str] = []
    stack = [(code, False) for code, up in parent.items() if not up]
    while stack:
        code, done = stack.pop()
        if done:
            order.append(code)
        else:
            stack.append((code, True))
            stack.extend((k, False) for k in kids.get(code, []))
    return order


def _cycles(parent: dict[str, str]) -> list[list[str]]:
    """Cycles of a parent-pointer map, each as a list of nodes in walking order."""
    done: set[str] = set()
    cycles = []
    for start in parent:
        path: list[str] = []
        position: dict[str, int] = {}
        node = start
        while node in parent and node not in done and node not in position:
            position[node] = len(path)
            path.append(node)
            node = parent[node]
        if node in position:
            cycles.append(path[position[node]:])
        done.update(path)
    return cycles


#: (table, column) whose codes must not differ only in case.
CASED = [("framework", "code"), ("units", "unit_id"), ("units", "kind"), ("units", "peer_group"),
         ("deduction_items", "item")]


def _check_case(df: pd.DataFrame, col: str, file: str, out: Problems) -> None:
    """Two spellings of one code that differ only in case ('Town_A', 'town_a'): an error
    naming the first row of each."""
    first: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for row, code in zip(df.index, df[col]):
        if not code or code in first:
            continue
        first[code] = row
        key = code.casefold()
        if key in spelled:
            other = spelled[key]
            out.add(file, row, col, code, f"'{code}' and '{other}' (row {first[other]}) differ "
                    f"only in case; codes are case-sensitive, so these are two different "
                    f"{'units' if col == 'unit_id' else col + 's'}",
                    f"write one spelling, e.g. '{other}', in every row and table")
        else:
            spelled[key] = code


def _check_kind_case(fw: pd.DataFrame, units: pd.DataFrame, where: Where,
                     out: Problems) -> None:
    """Kinds in the framework that match a unit's kind only when case is ignored."""
    kinds = set(units["kind"])
    by_key = {k.casefold(): k for k in kinds}
    for row, code, cell in zip(fw.index, fw["code"], fw["kinds"]):
        for kind in sorted(kinds_of(cell)):
            if kind not in kinds and kind.casefold() in by_key:
                out.add(where.table("framework"), row, "kinds", cell, f"the kind '{kind}' of "
                        f"'{code}' differs only in case from the kind '{by_key[kind.casefold()]}'"
                        f" in {where.table('units')}; kinds are case-sensitive, so '{code}' "
                        "would not apply to those units", f"write '{by_key[kind.casefold()]}'")


def _near(known: set):
    """A function giving ``" (did you mean 'x'?)"`` for a code that matches a known one when
    case, spaces or leading zeros (lost when Excel read a code as a number) are ignored."""
    def key(code: str) -> str:
        code = code.casefold().replace(" ", "").replace("-", "_")
        return code.lstrip("0") or code if code.isdigit() else code

    by_key: dict[str, str] = {}
    for code in known:
        by_key.setdefault(key(str(code)), str(code))

    def near(code: str) -> str:
        match = by_key.get(key(str(code)))
        if match is None or match == code:
            return ""
        why = ("Excel drops the leading zeros of a code it reads as a number; format the "
               "column as Text" if str(code).isdigit() else "codes are case-sensitive")
        return f" (did you mean '{match}'? {why})"
    return near


def check_ahp(matrix: pd.DataFrame, rows: pd.Index, where: str, out: Problems) -> None:
    """Diagonal 1, entries in Saaty's [1/9, 9] and a_ji = 1/a_ij (Saaty 1980, ch. 1)."""
    a = matrix.to_numpy()
    n = len(a)
    low, high = (1 - _AHP_RTOL) / 9, 9 * (1 + _AHP_RTOL)
    for i in range(n):
        for j in range(n):
            code_i, code_j, v = matrix.index[i], matrix.columns[j], a[i, j]
            if np.isnan(v):
                continue
            if i == j and v != 1:
                out.add(where, rows[i], code_j, ratio_text(v), f"the diagonal cell "
                        f"({code_i}, {code_j}) is {v:g}", "write 1: a node compared with itself")
            elif i != j and not low <= v <= high:
                out.add(where, rows[i], code_j, ratio_text(v), f"({code_i}, {code_j}) = {v:g} "
                        f"is outside Saaty's scale [1/9, 9]", "use 1/9 … 9")
            elif i < j and not np.isnan(a[j, i]) and abs(v * a[j, i] - 1) > _AHP_RTOL:
                out.add(where, rows[i], code_j, ratio_text(v), f"({code_i}, {code_j}) = "
                        f"{ratio_text(v)} but ({code_j}, {code_i}) = {ratio_text(a[j, i])}; "
                        f"they must be reciprocals", f"write {ratio_text(1 / v)} in row "
                        f"{rows[j]}, column {code_i}")
