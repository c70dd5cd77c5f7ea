"""Effective weights: the weight of every node of the tree at the index level.

:func:`effective_weights` multiplies the weights down the tree (COINr's ``get_eff_weights``)
and, given the data, adds each node's mean share of the units' scores. :func:`weight_scopes` says
which units each row of ``Assessment.weights`` applies to (its ``scope``, ``peer_group`` and
``indicator_set`` columns).

References
----------
Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. and Saisana, M. (2022).
COINr: an R package for developing composite indicators. *Journal of Open Source Software*
7(78), 4567. doi:10.21105/joss.04567
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

from zhengji_lab.compare._common import check_numeric_frame

logger = logging.getLogger(__name__)

#: Values of the ``scope`` column of :func:`weight_scopes`.
SCOPES = ("all", "peer_group", "indicator_set", "unit_mean")


def weight_scopes(weights: pd.DataFrame) -> pd.DataFrame:
    """Which units each row of a weights table (``Assessment.weights``) applies to.

    Parameters
    ----------
    weights : DataFrame
        Rows of ``parent, node, weight``, with the ``scope``, ``peer_group`` and
        ``indicator_set`` columns of ``Assessment.weights``; without them every row applies to
        every unit.

    Returns
    -------
    DataFrame
        Same index as ``weights``: ``scope`` (one of :data:`SCOPES`), ``peer_group`` (missing for
        the scopes ``"all"`` and ``"unit_mean"``) and ``children`` (the frozenset of children a
        row of scope ``"indicator_set"`` was fitted on; empty otherwise).

    Examples
    --------
    >>> w = pd.DataFrame({"scope": ["all", "indicator_set"], "peer_group": [None, "park"],
    ...                   "indicator_set": [(), ("gdp", "jobs")]})
    >>> s = weight_scopes(w)
    >>> s["scope"].tolist(), sorted(s["children"].iloc[1])
    (['all', 'indicator_set'], ['gdp', 'jobs'])
    """
    if "scope" not in weights.columns:
        return pd.DataFrame({"scope": "all", "peer_group": None,
                             "children": [frozenset()] * len(weights)}, index=weights.index)
    return pd.DataFrame({"scope": weights["scope"].to_numpy(),
                         "peer_group": weights["peer_group"].to_numpy(),
                         "children": [frozenset(c) for c in weights["indicator_set"]]},
                        index=weights.index)


def _tree(weights) -> pd.DataFrame:
    """Validated parent, node, weight table; a Series is a one-level tree under 'index'."""
    if isinstance(weights, Mapping):
        weights = pd.Series(weights, dtype=float)
    if isinstance(weights, pd.Series):
        tree = pd.DataFrame({"parent": "index", "node": weights.index.astype(str),
                             "weight": weights.to_numpy(dtype=float)})
    elif isinstance(weights, pd.DataFrame):
        missing = [c for c in ("parent", "node", "weight") if c not in weights.columns]
        if missing:
            raise ValueError(f"The 'weights' parameter of effective_weights() as a DataFrame needs "
                             f"columns 'parent', 'node', 'weight' (as Assessment.weights); "
                             f"{missing} are missing.")
        tree = weights[["parent", "node", "weight"]].reset_index(drop=True)
    else:
        raise TypeError(f"The 'weights' parameter of effective_weights() must be a DataFrame "
                        f"(parent, node, weight) or a Series indicator -> weight. Got "
                        f"{type(weights).__name__} instead.")
    dup = tree["node"][tree["node"].duplicated()].tolist()
    if dup:
        raise ValueError(f"The 'weights' parameter of effective_weights() lists node(s) {dup[:10]} "
                         f"more than once; each node has one parent and one weight.")
    w = pd.to_numeric(tree["weight"], errors="coerce")
    bad = tree.loc[~np.isfinite(w) | (w < 0), "node"].tolist()
    if bad:
        raise ValueError(f"The 'weights' parameter of effective_weights() must hold finite "
                         f"weights >= 0; node(s) {bad[:10]} do not.")
    tree["weight"] = w.astype(float)
    roots = sorted(set(tree["parent"]) - set(tree["node"]))
    if len(roots) != 1:
        raise ValueError(f"The 'weights' parameter of effective_weights() must describe one tree "
                         f"with one root (a parent that is no node). Found roots {roots[:10]}.")
    sums = tree.groupby("parent", sort=False)["weight"].sum()
    if (sums <= 0).any():
        raise ValueError(f"The weights under parent(s) {sums.index[sums <= 0].tolist()[:10]} sum "
                         f"to 0 in effective_weights(); give each parent a positive weight sum.")
    return tree


def _effective_one(tree: pd.DataFrame, X: pd.DataFrame | None) -> pd.DataFrame:
    """Effective weights (and contributions over the units of X) of one validated tree."""
    tree = tree.copy()
    tree["nominal"] = tree["weight"] / tree.groupby("parent")["weight"].transform("sum")
    parent = dict(zip(tree["node"], tree["parent"]))
    nominal = dict(zip(tree["node"], tree["nominal"]))

    def path(node):
        out = []
        while node in parent:
            out.append(node)
            if len(out) > len(parent):
                raise ValueError(f"The 'weights' parameter of effective_weights() has a cycle "
                                 f"through {out[-3:]}.")
            node = parent[node]
        return out

    paths = {n: path(n) for n in tree["node"]}
    # COINr get_eff_weights: product of the within-parent normalised weights up to the root
    tree["effective"] = [float(np.prod([nominal[m] for m in paths[n]])) for n in tree["node"]]
    leaves = [n for n in tree["node"] if n not in set(tree["parent"])]
    level = dict.fromkeys(leaves, 1)
    for n in sorted(tree["node"], key=lambda n: -len(paths[n])):     # deepest first
        level.setdefault(n, 1)
        p = parent[n]
        if p in parent:
            level[p] = max(level.get(p, 1), level[n] + 1)
    tree["level"] = [level[n] for n in tree["node"]]
    cols = ["node", "parent", "level", "weight", "nominal", "effective"]
    if X is None:
        return tree[cols]

    lacking = [c for c in leaves if c not in X.columns]
    extra = [c for c in X.columns if c not in leaves]
    if lacking or extra:
        raise ValueError(f"The columns of X in effective_weights() must be the indicators (leaves) "
                         f"of 'weights': missing {lacking[:10]}, not in the tree {extra[:10]}.")
    eff = tree.set_index("node")["effective"]
    parts = X[leaves].mul(eff[leaves], axis=1)                       # eff_i · x_ui
    total = parts.sum(axis=1, min_count=1)
    usable = total > 0
    if not usable.all():
        logger.info("effective_weights(): %d unit(s) with a zero or missing total are left out "
                    "of the contribution shares.", int((~usable).sum()))
    share = parts[usable].div(total[usable], axis=0).fillna(0.0)
    mean_share = share.mean()
    contribution = {n: float(mean_share[[m for m in leaves if n in paths[m]]].sum())
                    for n in tree["node"]}
    tree["contribution"] = tree["node"].map(contribution)
    return tree[cols + ["contribution"]]


def effective_weights(X: pd.DataFrame | None, weights, *,
                      groups: pd.Series | None = None) -> pd.DataFrame:
    """Effective weight of every indicator and dimension at the index level.

    The effective weight is COINr's ``get_eff_weights`` (Becker et al. 2022, file
    ``R/weights.R``): weights are first rescaled to sum to 1 within each parent, then
    multiplied down the tree, so a node's effective weight is the product of the normalised
    weights on its path to the root. It reflects the weights *and* the number of siblings at
    every level, and sums to 1 over each level of a balanced tree. It depends on the weights
    only; the data enter through the optional ``contribution``.

    Parameters
    ----------
    X : DataFrame or None
        Units × indicators of normalised values (≥ 0, e.g. min-max on [0, 100]). When given,
        the column ``contribution`` is added: the mean over units of the share of the unit's
        index that each node contributes, ``eff_i·x_ui / Σ_j eff_j·x_uj`` (exact for arithmetic
        aggregation without missing values; a missing value contributes nothing to that unit).
    weights : DataFrame or Series
        The tree as ``parent, node, weight`` rows (``Assessment.weights``), or a Series
        indicator → weight for a one-level index. If the frame has the ``scope`` and
        ``peer_group`` columns of ``Assessment.weights`` (weights fitted per peer group; read by
        :func:`weight_scopes`), each peer group's tree is its own rows plus the rows every unit
        shares.
    groups : Series, optional
        Peer group of each unit. Results are then given per peer group (column ``group``),
        with contributions over that group's units; needed with ``X`` when the weights differ
        by peer group.

    Returns
    -------
    DataFrame
        One row per node (root excluded; per peer group if weights or ``groups`` say so):
        ``[group,] node, parent, level, weight, nominal, effective`` and ``contribution`` if
        ``X`` is given. ``level`` is 1 for indicators and grows towards the root; ``nominal`` is
        the weight rescaled within its parent.

    References
    ----------
    Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. and Saisana, M. (2022).
    COINr: an R package for developing composite indicators. *JOSS* 7(78), 4567 (function
    ``get_eff_weights``, vignette "Weights", section "Effective weights").

    Examples
    --------
    >>> w = pd.DataFrame({"parent": ["index", "index", "eco", "eco", "soc"],
    ...                   "node": ["eco", "soc", "gdp", "jobs", "health"],
    ...                   "weight": [0.5, 0.5, 1, 1, 1]})
    >>> effective_weights(None, w)[["node", "level", "effective"]]
         node  level  effective
    0     eco      2       0.50
    1     soc      2       0.50
    2     gdp      1       0.25
    3    jobs      1       0.25
    4  health      1       0.50
    """
    if X is not None:
        X = check_numeric_frame(X, "effective_weights")
        negative = [c for c in X.columns if (X[c] < 0).any()]
        if negative:
            raise ValueError(f"effective_weights() computes contribution shares of non-negative "
                             f"scores, but X has negative values in {negative[:10]}. Normalise "
                             f"with min-max (or goalposts) onto [0, 100] first.")
    scopes = weight_scopes(weights) if isinstance(weights, pd.DataFrame) else None
    per_group = scopes is not None and scopes["peer_group"].notna().any()
    if not per_group and groups is None:
        return _effective_one(_tree(weights), X)

    if groups is not None:
        if not isinstance(groups, pd.Series):
            raise TypeError(f"The 'groups' parameter of effective_weights() must be a Series unit "
                            f"-> peer group. Got {type(groups).__name__} instead.")
        if X is not None:
            missing = X.index.difference(groups.dropna().index).tolist()
            if missing:
                raise ValueError(f"The 'groups' parameter of effective_weights() has no peer group "
                                 f"for {len(missing)} unit(s) of X: {missing[:10]}.")
            names = list(pd.unique(groups.reindex(X.index)))
        else:
            names = list(pd.unique(groups.dropna()))
    elif X is not None:
        raise ValueError("The weights passed to effective_weights() differ by peer group (column "
                         "'group'), so contributions need the units' peer groups: pass groups= "
                         "(e.g. ws.units.set_index('unit_id')['peer_group']).")
    else:
        names = list(pd.unique(scopes["peer_group"].dropna()))
    if per_group:
        known = set(scopes["peer_group"].dropna())
        lacking = [g for g in names if g not in known]
        if lacking:
            raise ValueError(f"The weights passed to effective_weights() have no rows for peer "
                             f"group(s) {lacking[:10]}; their groups are {sorted(known)[:10]}.")
    out = []
    for g in names:
        rows = _group_rows(weights, scopes, g) if per_group else weights
        units = None if X is None else X[groups.reindex(X.index) == g]
        out.append(_effective_one(_tree(rows), units).assign(group=g))
    frame = pd.concat(out, ignore_index=True)
    return frame[["group", *[c for c in frame.columns if c != "group"]]]


def _group_rows(weights: pd.DataFrame, scopes: pd.DataFrame, g: str) -> pd.DataFrame:
    """The weights that apply in peer group ``g``: the rows every unit shares and the group's
    own; weights fitted per indicator set are averaged over the sets and rescaled to sum to 1
    within each parent."""
    shared = scopes["peer_group"].isna()
    own = scopes["peer_group"].eq(g)
    if not (own & scopes["scope"].eq("indicator_set")).any():
        return weights[shared | own]
    mean = weights[own].groupby(["parent", "node"], sort=False, as_index=False)["weight"].mean()
    mean["weight"] = mean["weight"] / mean.groupby("parent")["weight"].transform("sum")
    return pd.concat([weights[shared], mean], ignore_index=True)
