"""The scheme comparison as tables, text and an Excel workbook (presentation, not computation).

:class:`SchemeTables` is the part of :class:`~zhengji_lab.review.SchemeComparison` that shows
what :func:`~zhengji_lab.review.compare_schemes` computed: wide tables (weights by scheme,
ranks by scheme, grade changes, the schemes compared), the console text that ``zhengji
weights`` prints, the notebook's HTML, and the workbook with Chinese column labels
(:mod:`zhengji_lab.labels`). It reads the comparison's fields (``assessments``, ``weights``,
``comparison``, ``panel``, ``year``, ``labels``) and the views ``schemes``, ``reference``,
``units`` and ``groups``; it computes nothing new.
"""
from __future__ import annotations

import html
import logging
from pathlib import Path

import pandas as pd

from zhengji_lab import safeio
from zhengji_lab.errors import choices
from zhengji_lab.labels import label_columns, text_table
from zhengji_lab.report import write_workbook
from zhengji_lab.review.applied import ALL, preorder

logger = logging.getLogger(__name__)

#: Weight columns of :attr:`SchemeComparison.weights` shown by the wide tables and the chart.
WEIGHT_VALUES = ("effective", "weight")


class SchemeTables:
    """Tables, text, HTML and the Excel workbook of a scheme comparison."""

    def weights_table(self, value: str = "effective", *, level: int | None = None,
                      group: str = ALL) -> pd.DataFrame:
        """Nodes × schemes: one weight column per scheme, nodes in tree order.

        Parameters
        ----------
        value : {"effective", "weight"}
            Effective weight at the index level, or weight within the parent.
        level : int, optional
            Only the nodes of this level (1 = indicators); default: every node but the root.
        group : str
            A peer group, or ``"all"`` (mean over all units).

        Returns
        -------
        DataFrame
            ``node, name_zh, level, <scheme>…``.
        """
        if value not in WEIGHT_VALUES:
            raise ValueError(f"The 'value' parameter of SchemeComparison.weights_table() must be "
                             f"one of {choices(WEIGHT_VALUES)}. Got {value!r} instead.")
        known = list(dict.fromkeys(self.weights["group"]))
        if group not in known:
            raise ValueError(f"The 'group' parameter of SchemeComparison.weights_table() must be "
                             f"one of {choices(known)}. Got {group!r} instead.")
        w = self.weights[self.weights["group"] == group]
        levels = sorted(w["level"].unique())
        if level is not None and level not in levels:
            raise ValueError(f"The 'level' parameter of SchemeComparison.weights_table() must be "
                             f"one of {levels} (1 = indicators). Got {level!r} instead.")
        order = list(dict.fromkeys(self.weights["node"]))
        tree_order = [n for n in self._node_order() if n in order]
        wide = w.pivot(index="node", columns="scheme", values=value).reindex(
            index=tree_order, columns=self.schemes)
        info = w.drop_duplicates("node").set_index("node")[["name_zh", "level"]]
        out = info.reindex(tree_order).join(wide).rename_axis("node").reset_index()
        out.columns.name = None
        if level is not None:
            out = out[out["level"] == level]
        return out.reset_index(drop=True)

    def _node_order(self) -> list[str]:
        a = self.assessments[self.reference]
        kids: dict[str, list[str]] = {}
        for parent, node in zip(a.weights["parent"], a.weights["node"]):
            kids.setdefault(parent, [])
            if node not in kids[parent]:
                kids[parent].append(node)
        return preorder(kids, a.root)[1:]

    def correlations(self, method: str = "spearman") -> pd.DataFrame:
        """Schemes × schemes rank correlations (within peer groups, unit-weighted mean)."""
        return self.comparison.correlation(method).loc[self.schemes, self.schemes]

    def ranks_table(self) -> pd.DataFrame:
        """Units with their rank under every scheme and the shift against the reference.

        Returns
        -------
        DataFrame
            ``unit_id, name_zh, peer_group, <scheme>…`` (ranks within the peer group, 1 =
            best) and ``shift <scheme>`` (rank minus the reference's; + = falls), ordered by
            peer group and reference rank.
        """
        u = self.units.set_index("unit_id")
        r = self.comparison.ranks
        out = pd.DataFrame({"name_zh": u["name_zh"].reindex(r.index),
                            "peer_group": u["peer_group"].astype(str).reindex(r.index)})
        out = out.join(r).join(self.comparison.shifts.add_prefix("shift "))
        first = {g: i for i, g in enumerate(self.groups)}
        out = out.rename_axis("unit_id").reset_index()
        return out.sort_values(["peer_group", self.reference], key=lambda s: s.map(first)
                               if s.name == "peer_group" else s, kind="stable",
                               ignore_index=True)

    @property
    def grade_changes(self) -> pd.DataFrame:
        """Units whose grade differs from the reference scheme's.

        ``unit_id, name_zh, peer_group, scheme, grade_reference, grade, rank_reference, rank``
        (empty when no unit's grade changes, or when the schemes give no grades).
        """
        cols = ["unit_id", "name_zh", "peer_group", "scheme", "grade_reference", "grade",
                "rank_reference", "rank"]
        gc = self.comparison.grade_changes
        if gc is None or gc.empty:
            return pd.DataFrame(columns=cols)
        u = self.units.set_index("unit_id")
        out = gc.assign(name_zh=gc["unit_id"].map(u["name_zh"]),
                        peer_group=gc["unit_id"].map(u["peer_group"].astype(str)))
        first = {g: i for i, g in enumerate(self.groups)}
        return out[cols].sort_values(["scheme", "peer_group", "rank_reference"],
                                     key=lambda s: s.map(first) if s.name == "peer_group"
                                     else s, kind="stable", ignore_index=True)

    def schemes_table(self) -> pd.DataFrame:
        """``scheme, name, fingerprint, description, reference``: what was compared."""
        rows = [{"scheme": label, "name": a.scheme.spec["name"],
                 "fingerprint": a.provenance["fingerprint"],
                 "description": str(a.scheme.spec.get("description") or ""),
                 "reference": label == self.reference}
                for label, a in self.assessments.items()]
        return pd.DataFrame(rows)
    def summary(self) -> str:
        """A few lines: schemes, agreement with the reference, grade changes."""
        n_units, n_groups = len(self.units), len(self.groups)
        pooled = self.comparison.frame
        pooled = pooled[(pooled["group"] == "all") & (pooled["scheme_a"] == self.reference)]
        changes = self.grade_changes.groupby("scheme").size()
        lines = [(f"权重方案评审 Weighting review {self.year}: {len(self.schemes)} schemes "
                  f"({', '.join(self.schemes)}), reference 参照 {self.reference!r}, {n_units} "
                  f"units in {n_groups} peer group{'s' if n_groups != 1 else ''}"),
                 "Spearman with the reference 与参照方案的秩相关: "
                 + ", ".join(f"{b} {s:.3f}" for b, s in zip(pooled["scheme_b"],
                                                             pooled["spearman"])),
                 "Grade changes 等次变化: "
                 + (", ".join(f"{s} {int(changes.get(s, 0))}" for s in self.schemes
                              if s != self.reference)
                    if self.comparison.grade_changes is not None
                    else "none given (the schemes define no grades 方案未设等次)")]
        unscored = {s: int(a.index.isna().sum()) for s, a in self.assessments.items()}
        if any(unscored.values()):
            lines.append("Units without a composite (below min_coverage) 无综合得分: "
                         + ", ".join(f"{s} {n}" for s, n in unscored.items() if n))
        return "\n".join(lines)

    def to_text(self) -> str:
        """The whole comparison as console text (what ``zhengji weights`` prints)."""
        parts = [self.summary(), "", "== 方案 Schemes ==",
                 text_table(self.schemes_table().drop(columns="description"))]
        parts += ["", ("== 权重 Weights (all units 全部单位): weight within the parent 层内权重 "
                       "and effective weight at the index level 有效权重 ==")]
        inner, eff = self.weights_table("weight"), self.weights_table("effective")
        parent = self.weights.drop_duplicates("node").set_index("node")["parent"]
        for level in sorted(inner["level"].unique(), reverse=True):
            rows = inner["level"] == level
            t = inner.loc[rows, ["node", "name_zh"]].copy()
            t.insert(2, "parent", t["node"].map(parent).map(self.labels))
            for s in self.schemes:
                t[s] = inner.loc[rows, s]
            if level != self._top_level():   # the top level's weights are their effective ones
                for s in self.schemes:
                    t[f"{s} eff."] = eff.loc[rows, s]
            parts += [f"Level 层级 {level}:", text_table(t)]
        corr = self.correlations("spearman").rename_axis("scheme").reset_index()
        frame = self.comparison.frame
        pooled = frame[frame["group"] == "all"].drop(columns="group")
        parts += ["", "== 秩相关 Rank correlations (Spearman, within peer groups) ==",
                  text_table(corr), "",
                  f"Pairs of schemes (top-k = {self.comparison.top_k}):",
                  text_table(pooled)]
        gc = self.grade_changes
        parts += ["", f"== 等次变化 Units whose grade changes ({len(gc)}) ==",
                  text_table(gc.drop(columns="unit_id"), digits=0)]
        if self.panel is not None:
            parts += ["", "== 专家组 Expert panel: 一致性与一致程度 consistency and agreement ==",
                      self.panel.to_text()]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        head, *rest = self.summary().split("\n")
        fmt = {"index": False, "float_format": lambda v: f"{v:.3f}", "na_rep": "—"}
        return (f"<h4>{html.escape(head)}</h4>"
                + "".join(f"<p>{html.escape(line)}</p>" for line in rest)
                + "<h5>有效权重 Effective weights (dimensions)</h5>"
                + self.weights_table("effective", level=self._top_level()).to_html(**fmt)
                + "<h5>秩相关 Rank correlations (Spearman)</h5>"
                + self.correlations().to_html(float_format=lambda v: f"{v:.3f}"))
    def _top_level(self) -> int:
        a = self.assessments[self.reference]
        dims = a.weights.loc[a.weights["parent"] == a.root, "node"]
        return int(self.weights.loc[self.weights["node"].isin(dims), "level"].max())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables written by :meth:`to_excel`, by sheet name, columns labelled in Chinese."""
        out = {"schemes": self.schemes_table(),
               "weights": self.weights_table("weight"),
               "effective_weights": self.weights_table("effective"),
               "weights_by_group": self.weights,
               "ranks": self.ranks_table(),
               "correlations": self.comparison.frame,
               "spearman": self.correlations("spearman").rename_axis("scheme").reset_index(),
               "grade_changes": self.grade_changes}
        if self.panel is not None:
            out["panel_consistency"] = self.panel.consistency
            out["panel_agreement"] = self.panel.agreement
        return {name: label_columns(df) for name, df in out.items()}

    def to_excel(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write one sheet per table (:meth:`tables`) to an .xlsx workbook.

        Parameters
        ----------
        path : str or Path
            The workbook (``.xlsx``); its folder is created when missing.
        overwrite : bool
            Replace an existing file; otherwise a ``FileExistsError`` is raised.

        Returns
        -------
        Path

        Raises
        ------
        zhengji_lab.safeio.WorkspaceOutputError
            ``path`` is in a workspace folder.
        zhengji_lab.safeio.WriteError
            The file could not be written (it is open in Excel, the folder is read-only).
        """
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            raise ValueError(f"The 'path' parameter of SchemeComparison.to_excel() must end in "
                             f".xlsx. Got {str(path)!r} instead.")
        safeio.refuse_workspace_folder(path, folder=False, what="the comparison workbook",
                                       fix="choose another file (--out)")
        if path.exists() and not overwrite:
            raise safeio.OutputExistsError(f"{path} already exists; pass overwrite=True (zhengji "
                                           f"weights --overwrite) or choose another file (--out).",
                                           path)
        write_workbook(self.tables(), path, overwrite=overwrite)
        logger.info("Wrote the comparison of %d schemes to %s", len(self.schemes), path)
        return path
