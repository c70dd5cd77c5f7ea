"""Weights as the units get them, per scheme and peer group (the weighting review's numbers).

A scheme states weights per parent node; a unit gets them *as the aggregation applies them*
(:mod:`zhengji_lab.aggregation`): children that do not apply to the unit's kind get weight 0 and
the others are rescaled to sum to 1. Data-driven weights are fitted per peer group (and per set
of applicable children), benefit-of-the-doubt weights per unit. :func:`weights_frame`
therefore reports, per peer group and over all units (``group == "all"``), the mean over the
units of the weights they get, and the effective weight of every node at the index level
computed from those mean weights (:func:`zhengji_lab.effective_weights`, COINr's
``get_eff_weights``). A missing value, which also rescales a unit's weights, is not counted: the
weights describe the scheme, not the gaps in one year's data.

The weights each unit gets are the assessment's own record of them (``Assessment.unit_weights``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from zhengji_lab.compare.effective import effective_weights
from zhengji_lab.pipeline import Assessment
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


def _unit_weights(a: Assessment) -> pd.DataFrame:
    """Units × (parent, node): the weight of each child within its parent as a unit gets it —
    ``a.unit_weights`` (the units' own weights under benefit of the doubt, 0 for children that
    do not apply) rescaled to sum to 1 within each parent, as the aggregation does."""
    uw = a.unit_weights
    W = uw.pivot(index="unit_id", columns=["parent", "node"], values="weight")
    W = W.reindex(columns=pd.MultiIndex.from_frame(uw[["parent", "node"]].drop_duplicates()))
    sums = W.T.groupby(level="parent", sort=False).transform("sum").T
    return W / sums.replace(0.0, np.nan)


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
    names = ws.labels("zh")
    rows = []
    for label, a in assessments.items():
        U = _unit_weights(a)
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

