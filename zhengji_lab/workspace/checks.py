"""Checks across tables, of AHP judgement matrices and of schemes.

Run once every table is typed (:mod:`~zhengji_lab.workspace.parse`): unique keys, the shape of
the indicator tree, codes that must exist in another table, kinds, declared targets, deduction
caps; Saaty's scale and reciprocity of AHP matrices; scheme YAML.  Each check adds what it finds
to a :class:`~zhengji_lab.workspace.problems.Problems` and raises nothing.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from zhengji_lab.errors import SchemeError
from zhengji_lab.scheme import Scheme
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
    fw, units = t["framework"], t["units"]
    if "framework" not in broken:
        _check_tree(fw, where.table("framework"), out)
    codes = set(fw["code"])
    parents = set(fw["parent"])
    kinds = dict(zip(fw["code"], map(kinds_of, fw["kinds"])))
    unit_kind = dict(zip(units["unit_id"], units["kind"]))
    fw_file, units_file = where.table("framework"), where.table("units")
    for name in ("values", "targets", "deductions", "covariates", "outcomes"):
        df, file = t[name], where.table(name)
        if name in broken or df.empty:
            continue
        if "units" not in broken:
            known = df["unit_id"].isin(set(unit_kind)) | df["unit_id"].eq("")
            for row, unit in df["unit_id"][~known].items():
                out.add(file, row, "unit_id", unit, f"unknown unit '{unit}'",
                        f"add it to {units_file}, or correct the code")
        if name in ("covariates", "outcomes"):
            continue
        if name == "deductions":
            items = t["deduction_items"]
            if "deduction_items" not in broken and len(items):
                for row, item in df["item"][~df["item"].isin(items["item"]) & df["item"].ne("")
                                            ].items():
                    out.add(file, row, "item", item, f"unknown deduction item '{item}'",
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
                    out.add(file, row, "indicator", code, f"unknown indicator '{code}'",
                            f"add it to {fw_file}, or correct the code")
            elif code in parents:
                out.add(file, row, "indicator", code, f"'{code}' is a dimension, not an "
                        f"indicator (it has children in {fw_file})", "give values only for "
                        "leaf indicators; dimension scores are computed")
            elif unit in unit_kind and kinds[code] and unit_kind[unit] not in kinds[code]:
                out.add(file, row, "indicator", code, f"'{code}' applies to kinds "
                        f"{'; '.join(sorted(kinds[code]))} only, but unit '{unit}' is a "
                        f"'{unit_kind[unit]}'", f"delete the row, or add '{unit_kind[unit]}' "
                        f"to the kinds of '{code}' in {fw_file}")


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
    """One root, every parent a code, no cycles."""
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
    for row, code, up in zip(fw.index, fw["code"], fw["parent"]):
        if up and up not in parent:
            out.add(file, row, "parent", up, f"the parent '{up}' of '{code}' is not a code of "
                    "the framework", f"add a row for '{up}', or correct the parent code")
    for cycle in _cycles(parent):
        out.add(file, row_of[cycle[0]], "parent", parent[cycle[0]], "the tree has a cycle: "
                f"{' → '.join([*cycle, cycle[0]])}", "break the cycle: one of these nodes must "
                "hang under a node outside it")


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


def check_yaml(text: str, where: str, out: Problems) -> None:
    """The scheme file parses as YAML and is a valid scheme (every problem listed)."""
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        out.add(where, None if mark is None else mark.line + 1, "", "",
                f"not valid YAML ({getattr(exc, 'problem', None) or exc})",
                "correct the YAML: indent with spaces, write `key: value`")
        return
    try:
        Scheme(spec if isinstance(spec, dict) else {"name": spec})
    except SchemeError as exc:
        for problem in exc.problems:
            out.add(where, None, "", "", problem.rstrip("."), "correct the scheme")
