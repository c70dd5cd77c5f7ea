"""Helpers shared by the modules of :mod:`zhengji_lab.stats`.

* :func:`signif`: R's ``signif``, to round as COINr's tables do;
* :class:`Meta` and :func:`metadata`: framework metadata (leaves in framework order, parents,
  levels, names, units of measure, directions) from a workspace, a framework table or the
  framework an assessment was built on;
* :func:`stage_frame`, :func:`numeric_frame`, :func:`applicable_mask`: the units × indicators
  table to work on, and which of its cells apply;
* :func:`check_choice`, :func:`check_share`: parameter checks worded as the package's;
* :func:`heatmap`: the heatmap the result classes plot.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zhengji_lab.errors import choices
from zhengji_lab.pipeline import Assessment
from zhengji_lab.workspace import Workspace


def signif(x, digits: int) -> np.ndarray:
    """R's ``signif`` (nmath ``fprec``): ``nearbyint(x · 10^e) / 10^e``, ties to even."""
    out = np.asarray(x, dtype=float).copy()
    ok = np.isfinite(out) & (out != 0)
    v = out[ok]
    e = (digits - 1 - np.floor(np.log10(np.abs(v)))).astype(int)
    p = 10.0 ** np.abs(e)
    out[ok] = np.where(e > 0, np.rint(v * p) / p, np.rint(v / p) * p)
    return out


@dataclass(frozen=True)
class Meta:
    """Leaves in framework order, parent and level of every node, and ``info`` per code:
    ``name_zh, name_en, unit, direction`` (NaN when unknown)."""

    leaves: list
    parent: dict
    level: dict
    info: pd.DataFrame

    @classmethod
    def from_framework(cls, fw: pd.DataFrame) -> Meta:
        if not {"code", "parent"} <= set(fw.columns):
            raise ValueError(f"The 'framework' parameter must be a Workspace or a framework "
                             f"table with columns code, parent[, level, name_zh, name_en, unit, "
                             f"direction]. Got columns {list(fw.columns)} instead.")
        fw = fw.assign(parent=fw["parent"].fillna("").astype(str))
        leaves = fw.loc[~fw["code"].isin(set(fw["parent"])), "code"].tolist()
        parent = {c: p for c, p in zip(fw["code"], fw["parent"]) if p}
        level = (dict(zip(fw["code"], fw["level"].astype(int))) if "level" in fw.columns
                 and fw["level"].notna().all() else _heights(parent, leaves))
        info = fw.set_index("code").reindex(columns=["name_zh", "name_en", "unit", "direction"])
        return cls(leaves, parent, level, info)

    def dimension(self, code: str):
        """The ancestor at level 2 (COINr's ``report_level = 2``), else the parent."""
        node = code
        while node in self.parent:
            node = self.parent[node]
            if self.level.get(node) == 2:
                return node
        return self.parent.get(code)

    def directions(self, codes) -> pd.Series | None:
        d = self.info["direction"].reindex(list(codes))
        return None if d.isna().any() else d.astype(float)


def _heights(parent: dict, leaves) -> dict:
    """Levels counted from the bottom: a leaf 1, a node 1 + its highest child."""
    level = dict.fromkeys(leaves, 1)
    for leaf in leaves:
        node, h = leaf, 1
        while node in parent:
            node, h = parent[node], h + 1
            level[node] = max(level.get(node, 0), h)
    return level


def metadata(data, framework, func: str) -> Meta | None:
    """Metadata from ``framework`` (a Workspace or framework table), else from the framework
    the assessment ``data`` was built on; None for a plain table without ``framework``."""
    if isinstance(framework, (Workspace, pd.DataFrame)):
        fw = framework.framework if isinstance(framework, Workspace) else framework
        return Meta.from_framework(fw)
    if framework is not None:
        raise TypeError(f"The 'framework' parameter of {func}() must be a Workspace or a "
                        f"framework DataFrame. Got {type(framework).__name__} instead.")
    return Meta.from_framework(data.framework) if isinstance(data, Assessment) else None


def stage_frame(a: Assessment, stage: str, func: str) -> pd.DataFrame:
    """The assessment's stage ``stage`` (units × indicators or nodes)."""
    check_choice(stage, [s for s in a.stages if s != "applicable"], "stage", func)
    return a.stages[stage]


def numeric_frame(data, func: str) -> pd.DataFrame:
    """``data`` as floats, if it is a DataFrame of numeric columns."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{func}() takes an Assessment or a units × indicators DataFrame. Got "
                        f"{type(data).__name__} instead.")
    bad = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
    if bad:
        raise ValueError(f"{func}() needs numeric columns only; {bad[:10]} are not numeric. Move "
                         f"unit codes to the index (df.set_index('unit_id')).")
    return data.astype(float)


def applicable_mask(a: Assessment, X: pd.DataFrame) -> pd.DataFrame:
    """Which cells of ``X`` apply (the assessment's ``applicable`` stage; True where absent)."""
    A = a.stages.get("applicable", pd.DataFrame(index=X.index, columns=X.columns))
    return A.reindex(index=X.index, columns=X.columns).fillna(True).astype(bool)


def check_choice(value, valid, name: str, func: str) -> None:
    if value not in valid:
        raise ValueError(f"The {name!r} parameter of {func}() must be one of {choices(valid)}. "
                         f"Got {value!r} instead.")


def check_share(value, name: str, func: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"The {name!r} parameter of {func}() must be a number in [0, 1]. Got "
                         f"{value!r} instead.")


def heatmap(D: pd.DataFrame, ax, labels, figsize, **kw):
    """Seaborn heatmap of ``D`` with labelled rows and columns on ``ax`` (a new one if None)."""
    import seaborn as sns

    from zhengji_lab.plots import _axes, _label  # lazy: matplotlib only when plotting

    ax = _axes(ax, figsize=figsize)
    shown = D.rename(index=lambda c: _label(labels, c), columns=lambda c: _label(labels, c))
    sns.heatmap(shown.astype(float), ax=ax, **kw)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return ax
