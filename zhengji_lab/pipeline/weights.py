"""Weights of each parent node and aggregation up the tree.

Weightings that do not depend on the data are resolved once for the node; fitted ones (entropy,
CRITIC, PCA, …; :func:`~zhengji_lab.weighting.is_fitted`) within each peer group, separately for
each set of children that applies there (towns and parks of one group have different
indicators); benefit of the doubt gives every unit its own weights. Each function returns its
values and its log records; the weights table rows say explicitly what they apply to
(:data:`~zhengji_lab.pipeline.assessment.WEIGHT_COLUMNS`), so nothing downstream parses labels.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from zhengji_lab.aggregation import aggregate
from zhengji_lab.pipeline.prepare import Prepared
from zhengji_lab.pipeline.records import Aggregated, StepRecord, weighted
from zhengji_lab.weighting import bod
from zhengji_lab.weighting.registry import is_fitted, resolve


def indicator_sets(has: pd.DataFrame, kids: list[str], groups: pd.Series):
    """``(group, split, children, units)`` for each peer group and set of applicable children.

    ``split`` says whether the group has several sets (its weights then differ by set). Units
    to which no child applies are skipped.
    """
    pattern = has[kids].apply(lambda r: ";".join(k for k, v in r.items() if v), axis=1)
    for (g, pat), members in pattern.groupby([groups, pattern], sort=False):
        if pat:
            split = pattern[groups == g].nunique() > 1
            yield g, split, pat.split(";"), members.index


def _rows(node, kids, w, method, *, fitted, scope, peer_group=None, indicator_set=()):
    return [{"parent": node, "node": k, "weight": float(w[k]), "method": method,
             "fitted": fitted, "scope": scope, "peer_group": peer_group,
             "indicator_set": tuple(indicator_set)} for k in kids]


def bod_node(prep: Prepared, scores: pd.DataFrame, has: pd.DataFrame, node: str, kids: list,
             spec: dict):
    """A node weighted by benefit of the doubt: each unit's own weights (Cherchye et al. 2007).

    Units are compared within their peer group, among units with the same applicable children;
    the node's score is the unit's BoD score in percent of the best (0–100). Units missing a
    child's score get no score (logged).

    Returns
    -------
    (Series, DataFrame, list, list)
        The node's scores, the units × children weights, the weight rows (the mean of the units'
        own weights, scope ``unit_mean``) and the log records.
    """
    params = {k: v for k, v in spec.items() if k != "method"}
    out = pd.Series(np.nan, index=scores.index)
    W = pd.DataFrame(0.0, index=scores.index, columns=kids)
    records = []
    for g, _, used, members in indicator_sets(has, kids, prep.groups):
        data = scores.loc[members, used].dropna()
        if data.empty:
            continue
        res = bod(data, **params)
        out[data.index] = 100.0 * res.scores
        own = res.weights.div(res.weights.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
        W.loc[data.index, used] = own.to_numpy()
        records.append(StepRecord("weight", {"node": node, "peer_group": g,
                                             "indicator_set": used, **spec},
                                  weighted({"method": "bod", "weights": res.weights,
                                            "scores": res.scores.round(4).to_dict(),
                                            "units_without_score":
                                            sorted(set(members) - set(data.index))})))
    mean = W[out.notna()].mean()
    w = mean / mean.sum() if mean.sum() > 0 else mean * 0.0
    return out, W, _rows(node, kids, w, "bod", fitted=True, scope="unit_mean"), records


def weights_for(ws, scheme, prep: Prepared, norm_scores: pd.DataFrame, has: pd.DataFrame,
                node: str, kids: list):
    """The weights of ``node``'s children.

    Returns
    -------
    (Series or DataFrame, list, list)
        One weight per child (a weighting that does not depend on the data), or units ×
        children (fitted per peer group and set of children); the weight rows; the log records.
    """
    spec = scheme.weight_spec(node)
    if not is_fitted(spec):
        w, info = resolve(spec, node, kids, judgements=ws.judgements)
        return (w, _rows(node, kids, w, spec["method"], fitted=False, scope="all"),
                [StepRecord("weight", {"node": node, **spec}, weighted(info))])
    # fitted within each peer group, separately for each set of applicable children, on the
    # units that have them all
    frames, rows, records = [], [], []
    for g, split, used, members in indicator_sets(has, kids, prep.groups):
        data = norm_scores.loc[members, used]
        if len(data.dropna()) < 3:  # few units with this pattern: fit on the whole peer group
            peers = norm_scores.loc[prep.groups.index[prep.groups == g], used]
            data = peers.dropna(how="all")
        scored = [c for c in used if data[c].notna().any()]  # a child without scores gets 0
        if not scored:
            continue
        w, info = resolve(spec, node, scored, data=data[scored], judgements=ws.judgements,
                          all_kids=kids)
        if len(scored) < len(used):
            info["children_without_scores"] = sorted(set(used) - set(scored))
        w = w.reindex(kids).fillna(0.0)
        frames.append(pd.DataFrame([w.to_numpy()] * len(members), index=members, columns=kids))
        rows += _rows(node, kids, w, spec["method"], fitted=True,
                      scope="indicator_set" if split else "peer_group", peer_group=g,
                      indicator_set=used if split else ())
        records.append(StepRecord("weight", {"node": node, "peer_group": g,
                                             "indicator_set": used, **spec}, weighted(info)))
    if not frames:  # no child of this node has a score for any unit
        return pd.DataFrame(0.0, index=norm_scores.index, columns=kids), rows, records
    return pd.concat(frames).reindex(norm_scores.index).fillna(0.0), rows, records


def unit_weights(w, has: pd.DataFrame, kids: list[str]) -> pd.DataFrame:
    """Units × children: the weights each unit's score is aggregated with (0 for a child that
    does not apply to the unit), before the rescaling over the children it has values for."""
    W = (w.reindex(index=has.index, columns=kids) if isinstance(w, pd.DataFrame)
         else pd.DataFrame(np.broadcast_to(w.reindex(kids).to_numpy(), (len(has), len(kids))),
                           index=has.index, columns=kids))
    return W.where(has[kids], 0.0)


def aggregate_node(scores: pd.DataFrame, has: pd.DataFrame, kids: list[str], w, *,
                   method: str, min_coverage: float, groups: pd.Series | None = None,
                   p: float | None = None):
    """The node's score per unit (:func:`~zhengji_lab.aggregation.aggregate`) and the units ×
    children weights it was aggregated with (:func:`unit_weights`)."""
    W = unit_weights(w, has, kids)
    return aggregate(scores[kids], W, method=method, min_coverage=min_coverage, groups=groups,
                     p=p), W


def score_tree(ws, scheme, prep: Prepared, norm: pd.DataFrame):
    """Every node's score, bottom-up (a fitted weighting at a parent is fitted on its
    children's scores).

    Returns
    -------
    (DataFrame, DataFrame, DataFrame, list)
        Units × (indicators and nodes) scores; the weights table; the per-unit weights
        (``unit_id, parent, node, weight``); the log records.
    """
    agg = scheme.spec["aggregate"]
    scores, has = norm.copy(), prep.node_applicability()
    rows, records, per_unit = [], [], []
    for node in prep.order:
        kids = prep.children[node]
        spec = scheme.weight_spec(node)
        if spec["method"] == "bod":
            scores[node], w, r, rec = bod_node(prep, scores, has, node, kids, spec)
            W = unit_weights(w, has, kids)
        else:
            w, r, rec = weights_for(ws, scheme, prep, scores, has, node, kids)
            scores[node], W = aggregate_node(
                scores, has, kids, w, method=agg["method"], min_coverage=agg["min_coverage"],
                groups=prep.groups, p=agg.get("p"))
        rows += r
        records += rec
        per_unit.append(W.rename_axis("unit_id").reset_index()
                        .melt(id_vars="unit_id", var_name="node", value_name="weight")
                        .assign(parent=node))
    low = scores.index[scores[prep.root].isna()].tolist()
    records.append(StepRecord("aggregate", agg, Aggregated(tuple(low))))
    unit_w = pd.concat(per_unit, ignore_index=True)[["unit_id", "parent", "node", "weight"]]
    return scores, pd.DataFrame(rows), unit_w, records
