"""Weights as the units get them, per scheme and peer group (the weighting review's numbers).

A scheme states weights per parent node; a unit gets them *as the aggregation applies them*
(:mod:`zhengji_lab.aggregate`): children that do not apply to the unit's kind get weight 0 and
the others are rescaled to sum to 1. Data-driven weights are fitted per peer group (and per set
of applicable children), benefit-of-the-doubt weights per unit. :func:`weights_frame`
therefore reports, per peer group and over all units (``group == "all"``), the mean over the
units of the weights they get, and the effective weight of every node at the index level
computed from those mean weights (:func:`zhengji_lab.effective_weights`, COINr's
``get_eff_weights``). A missing value, which also rescales a unit's weights, is not counted: the
weights describe the scheme, not the gaps in one year's data.

Which units a row of ``Assessment.weights`` applies to is read by
:func:`zhengji_lab.compare.effective.weight_scopes`, the one reader of its ``group`` labels.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from zhengji_lab.build import Assessment
from zhengji_lab.compare.effective import effective_weights, weight_scopes
from zhengji_lab.workspace import Workspace

#: Group label of the pooled rows of :attr:`SchemeComparison.weights` (all units).
ALL = "all"
#: Label of a peer group named "all" beside others ("all" is the pooled label).
PEER_ALL = "all (peer group)"


def preorder(tree: dict, root: str) -> list[str]:
    """Nodes from the root down, each followed by its subtree (framework order of siblings)."""
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(tree.get(node, [])))
    return out


def _node_applicability(a: Assessment, tree: dict, root: str) -> pd.DataFrame:
    """Units × nodes: does at least one indicator under the node apply to the unit (as build)."""
    has = a.stage("applicable").copy()
    for node in reversed(preorder(tree, root)):  # children before their parents
        if node in tree:
            has[node] = has[tree[node]].any(axis=1)
    return has


def _bod_unit_weights(a: Assessment, parent: str, kids: list[str]) -> pd.DataFrame:
    """Units × children: each unit's own benefit-of-the-doubt weights, rescaled to sum to 1."""
    frames = [r.resolved["weights"] for r in a.log
              if r.step == "weight" and r.params.get("node") == parent
              and isinstance(r.resolved, dict) and r.resolved.get("method") == "bod"]
    if not frames:
        return pd.DataFrame(columns=kids, dtype=float)
    own = pd.concat(frames).reindex(columns=kids).fillna(0.0)
    return own.div(own.sum(axis=1).replace(0.0, np.nan), axis=0)


def _unit_weights(a: Assessment, tree: dict, root: str) -> pd.DataFrame:
    """Units × (parent, node): the weight of each child within its parent as a unit gets it.

    The weights of ``a.weights`` for the unit's peer group (and set of applicable children, as
    build fitted them), or the unit's own BoD weights; children that do not apply to the unit
    get 0 and the others are rescaled to sum to 1, as :func:`zhengji_lab.aggregate` does.
    """
    has = _node_applicability(a, tree, root)
    groups = a.units.set_index("unit_id")["peer_group"].astype(str).reindex(has.index)
    parts = {}
    for parent, rows in a.weights.groupby("parent", sort=False):
        kids = tree[parent]
        scopes = weight_scopes(rows)
        if scopes["peer_group"].isna().all():  # one set of weights for every unit
            shared = rows.drop_duplicates("node").set_index("node")["weight"].reindex(kids)
            W = pd.DataFrame(np.tile(shared.to_numpy(dtype=float), (len(has), 1)),
                             index=has.index, columns=kids)
            if scopes["scope"].eq("unit_mean").any():  # BoD: the units' own weights
                W = _bod_unit_weights(a, parent, kids).dropna(how="all").combine_first(W)
                W = W.reindex(index=has.index, columns=kids)
        else:                                  # fitted per peer group (and indicator set)
            table: dict[tuple, pd.Series] = {}
            for key, node, w in zip(zip(scopes["peer_group"], scopes["children"]),
                                    rows["node"], rows["weight"]):
                table.setdefault(key, pd.Series(np.nan, index=kids))[node] = w
            applies = [frozenset(np.asarray(kids)[row]) for row in has[kids].to_numpy(bool)]
            none = pd.Series(np.nan, index=kids)
            W = pd.DataFrame([table.get((g, frozenset()), table.get((g, s), none)).to_numpy()
                              for g, s in zip(groups, applies)], index=has.index, columns=kids)
        W = W.where(has[kids], 0.0)
        parts[parent] = W.div(W.sum(axis=1).replace(0.0, np.nan), axis=0)
    return pd.concat(parts, axis=1, names=["parent", "node"])


def _effective(mean: pd.Series) -> pd.DataFrame:
    """``parent, node, level, weight, effective`` of a tree of mean weights (index parent, node)."""
    tree = mean.fillna(0.0).rename("weight").reset_index()
    sums = tree.groupby("parent", sort=False)["weight"].transform("sum")
    # a parent that applies to none of these units: its own weight is 0, so is its subtree's
    dead = tree["parent"][sums <= 0].unique()
    eff = effective_weights(None, tree[~tree["parent"].isin(dead)])
    out = tree[["parent", "node"]].merge(eff[["node", "level", "nominal", "effective"]],
                                         on="node", how="left")
    out = out.rename(columns={"nominal": "weight"})
    out[["weight", "effective"]] = out[["weight", "effective"]].fillna(0.0)
    level = dict(zip(eff["node"], eff["level"]))
    out["level"] = [level.get(n, level.get(p, 2) - 1) for n, p in zip(out["node"],
                                                                      out["parent"])]
    return out


def weights_frame(assessments: dict, ws: Workspace) -> pd.DataFrame:
    """Tidy ``scheme, group, parent, node, name_zh, level, weight, effective`` of the schemes.

    Per scheme and peer group (``group == "all"``: all units; a peer group named "all" is
    :data:`PEER_ALL`), the mean weight of each node within its parent as the units get it and
    its effective weight at the index level (see the module docstring above).
    """
    tree, root, names = ws.tree(), ws.root, ws.labels("zh")
    rows = []
    for label, a in assessments.items():
        U = _unit_weights(a, tree, root)
        groups = a.units.set_index("unit_id")["peer_group"].astype(str).reindex(U.index)
        means = [(ALL, U.mean())]
        if groups.nunique() > 1:   # with one peer group its rows are the pooled ones
            means += [(PEER_ALL if g == ALL else g, sub.mean())
                      for g, sub in U.groupby(groups, sort=False)]
        for g, mean in means:
            rows.append(_effective(mean).assign(scheme=label, group=g))
    out = pd.concat(rows, ignore_index=True)
    out["name_zh"] = out["node"].map(names)
    return out[["scheme", "group", "parent", "node", "name_zh", "level", "weight", "effective"]]

