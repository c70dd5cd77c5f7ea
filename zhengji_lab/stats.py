"""Indicator statistics on par with COINr (version 1.1.14): :func:`indicator_stats`
(``get_stats``), :func:`data_availability` (``get_data_avail``, ``Screen``), :func:`correlations`
(``get_corr``, ``get_pvals``) and :func:`strengths_weaknesses` (``get_str_weak``).

Each takes an :class:`~zhengji_lab.build.Assessment` (one of its stages) or a units ×
indicators DataFrame. Framework metadata (names, units of measure, directions, levels) come
from the ``framework`` argument, else from the assessment's ``framework`` (the tree it was
built on).

References
----------
Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. and Saisana, M. (2022).
COINr: an R package for developing composite indicators. *Journal of Open Source Software*
7(78), 4567. doi:10.21105/joss.04567

OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
steps 3–4 (missing data, multivariate analysis). doi:10.1787/9789264043466-en

Joanes, D. N. and Gill, C. A. (1998). Comparing measures of sample skewness and kurtosis.
*Journal of the Royal Statistical Society D* 47(1), 183–189 (the bias-corrected G1 and G2).
"""
from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

from zhengji_lab.build import Assessment, as_scheme, prepare
from zhengji_lab.errors import choices
from zhengji_lab.scheme import Scheme
from zhengji_lab.workspace import COLUMNS, Workspace, canonical

logger = logging.getLogger(__name__)

Style = Literal["tidy", "coinr"]
CorrMethod = Literal["pearson", "spearman", "kendall"]

#: indicator_stats() columns → COINr ``get_stats`` names.
COINR_STATS_COLUMNS: dict[str, str] = {
    "min": "Min", "max": "Max", "mean": "Mean", "median": "Median", "sd": "Std", "skew": "Skew",
    "kurtosis": "Kurt", "n_available": "N.Avail", "n_nonzero": "N.NonZero",
    "n_unique": "N.Unique", "n_same": "N.Same", "share_available": "Frc.Avail",
    "share_nonzero": "Frc.NonZero", "share_unique": "Frc.Unique", "share_same": "Frc.Same",
    "flag_available": "Flag.Avail", "flag_nonzero": "Flag.NonZero", "flag_unique": "Flag.Unique",
    "flag_skew_kurtosis": "Flag.SkewKurt"}
#: data_availability() columns → COINr ``Screen()`` data-summary names.
COINR_AVAILABILITY_COLUMNS: dict[str, str] = {
    "n_missing": "N_missing", "n_zero": "N_zero", "n_missing_or_zero": "N_miss_or_zero",
    "availability": "Dat_Avail", "nonzero_share": "Non_Zero", "low_data": "LowData",
    "low_nonzero": "LowNonZero", "low_data_or_nonzero": "LowDatOrZeroFlag"}


# -- helpers: R's signif, framework metadata, stages, checks ----------------------------------

def _signif(x, digits: int) -> np.ndarray:
    """R's ``signif`` (nmath ``fprec``): ``nearbyint(x · 10^e) / 10^e``, ties to even."""
    out = np.asarray(x, dtype=float).copy()
    ok = np.isfinite(out) & (out != 0)
    v = out[ok]
    e = (digits - 1 - np.floor(np.log10(np.abs(v)))).astype(int)
    p = 10.0 ** np.abs(e)
    out[ok] = np.where(e > 0, np.rint(v * p) / p, np.rint(v / p) * p)
    return out


@dataclass(frozen=True)
class _Meta:
    """Leaves in framework order, parent and level of every node, and ``info`` per code:
    ``name_zh, name_en, unit, direction`` (NaN when unknown)."""

    leaves: list
    parent: dict
    level: dict
    info: pd.DataFrame

    @classmethod
    def from_framework(cls, fw: pd.DataFrame) -> _Meta:
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

    @classmethod
    def from_weights(cls, weights: pd.DataFrame, leaves) -> _Meta:
        parent = dict(zip(weights["node"], weights["parent"]))
        info = pd.DataFrame(index=pd.Index([*parent, *set(parent.values())]).unique(),
                            columns=["name_zh", "name_en", "unit", "direction"])
        return cls(list(leaves), parent, _heights(parent, leaves), info)

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


def _meta(data, framework, func: str) -> _Meta | None:
    if isinstance(framework, (Workspace, pd.DataFrame)):
        fw = framework.framework if isinstance(framework, Workspace) else framework
        return _Meta.from_framework(fw)
    if framework is not None:
        raise TypeError(f"The 'framework' parameter of {func}() must be a Workspace or a "
                        f"framework DataFrame. Got {type(framework).__name__} instead.")
    if not isinstance(data, Assessment):
        return None
    if isinstance(data.framework, pd.DataFrame):
        return _Meta.from_framework(data.framework)
    return _Meta.from_weights(data.weights, data.stages["normalised"].columns)


def _stage(a: Assessment, stage: str, func: str) -> pd.DataFrame:
    _check(stage, [s for s in a.stages if s != "applicable"], "stage", func)
    return a.stages[stage]


def _frame(data, func: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{func}() takes an Assessment or a units × indicators DataFrame. Got "
                        f"{type(data).__name__} instead.")
    bad = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
    if bad:
        raise ValueError(f"{func}() needs numeric columns only; {bad[:10]} are not numeric. Move "
                         f"unit codes to the index (df.set_index('unit_id')).")
    return data.astype(float)


def _applicable(a: Assessment, X: pd.DataFrame) -> pd.DataFrame:
    A = a.stages.get("applicable", pd.DataFrame(index=X.index, columns=X.columns))
    return A.reindex(index=X.index, columns=X.columns).fillna(True).astype(bool)


def _check(value, valid, name: str, func: str) -> None:
    if value not in valid:
        raise ValueError(f"The {name!r} parameter of {func}() must be one of {choices(valid)}. "
                         f"Got {value!r} instead.")


def _check_share(value, name: str, func: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"The {name!r} parameter of {func}() must be a number in [0, 1]. Got "
                         f"{value!r} instead.")


def _heatmap(D: pd.DataFrame, ax, labels, figsize, **kw):
    import seaborn as sns

    from zhengji_lab.plots import _axes, _label

    ax = _axes(ax, figsize=figsize)
    shown = D.rename(index=lambda c: _label(labels, c), columns=lambda c: _label(labels, c))
    sns.heatmap(shown.astype(float), ax=ax, **kw)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return ax


# -- indicator statistics (COINr get_stats) ---------------------------------------------------

def _moments(v: np.ndarray) -> tuple[float, float]:
    """Bias-corrected skewness G1 and excess kurtosis G2 (e1071 type 2, as COINr's)."""
    n = v.size
    with np.errstate(invalid="ignore", divide="ignore"):
        d = v - v.mean()
        s2, s3, s4 = (d ** 2).sum(), (d ** 3).sum(), (d ** 4).sum()
        skew = np.sqrt(n) * s3 / s2 ** 1.5 * np.sqrt(n * (n - 1)) / (n - 2) if n >= 3 else np.nan
        r = n * s4 / s2 ** 2
        kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)) if n >= 4 else np.nan
    return float(skew), float(kurt)


def _column_stats(v: np.ndarray, n: int) -> dict:
    m = v.size
    if not m:
        return {"n_available": 0, "n_nonzero": 0, "n_unique": 0, "n_same": 0,
                "share_available": 0.0 if n else np.nan, "n_units": n}
    skew, kurt = _moments(v)
    nz, nu = int((v != 0).sum()), int(np.unique(v).size)
    same = int(pd.Series([f"{x:.15g}" for x in v]).value_counts().max())   # R's table()
    return {"min": v.min(), "max": v.max(), "mean": v.mean(), "median": np.median(v),
            "sd": v.std(ddof=1) if m > 1 else np.nan, "skew": skew, "kurtosis": kurt,
            "n_available": m, "n_nonzero": nz, "n_unique": nu, "n_same": same,
            "share_available": m / n if n else np.nan, "share_nonzero": nz / m,
            "share_unique": nu / m, "share_same": same / m, "n_units": n}


def indicator_stats(data, stage: str = "treated", *, t_skew: float = 2.0, t_kurt: float = 3.5,
                    t_avail: float = 0.65, t_zero: float = 0.5, t_unique: float = 0.5,
                    style: Style = "tidy", nsignif: int | None = None) -> pd.DataFrame:
    """Statistics of each indicator, with flags for low data, many zeros, few distinct values
    and outliers (COINr's ``get_stats``).

    Parameters
    ----------
    data : Assessment or DataFrame
        An assessment (its ``stage``; ignored for a DataFrame) or a units × indicators table.
    stage : str, default "treated"
    t_skew, t_kurt : float, default 2 and 3.5
        Outlier flag: ``|skew| > t_skew`` **and** ``kurtosis > t_kurt`` (COINr's defaults).
    t_avail, t_zero, t_unique : float, default 0.65, 0.5, 0.5
        Flags for shares of available, non-zero, distinct values below these (COINr's).
    style : {"tidy", "coinr"}
        ``"tidy"``: the columns below, indexed by indicator. ``"coinr"``: COINr's table, column
        ``iCode`` then the names of :data:`COINR_STATS_COLUMNS`, flags ``"ok"``, ``"LOW"``,
        ``"OUT"``, numbers to ``nsignif`` significant digits (3 by default, as COINr's).
    nsignif : int, optional
        Significant digits to round numbers to (R's ``signif``).

    Returns
    -------
    DataFrame
        One row per indicator (index ``indicator``): ``min, max, mean, median, sd`` (sample,
        n − 1), ``skew`` (bias-corrected G1), ``kurtosis`` (bias-corrected *excess* G2);
        ``n_available`` (non-missing), ``n_nonzero``, ``n_unique`` (distinct values), ``n_same``
        (count of the most frequent value); ``share_available`` (of the units the indicator
        applies to), ``share_nonzero``, ``share_unique``, ``share_same`` (of the available
        values); ``flag_available``, ``flag_nonzero``, ``flag_unique``, ``flag_skew_kurtosis``
        (True = flagged); ``n_units`` (units the indicator applies to).

    Notes
    -----
    As COINr's: the zero and unique flags compare counts with *all* units (``n_nonzero /
    n_units < t_zero``) while the shares divide by the available values, and values equal to
    15 significant digits are the same value in ``n_same`` (R's ``table``). Skewness needs 3
    values and kurtosis 4, else NaN (and no outlier flag). With an assessment, units to which
    an indicator does not apply (kinds, individualized targets) are not in ``n_units``.

    References
    ----------
    Becker et al. (2022), COINr ``get_stats``; Joanes and Gill (1998).

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, 2, 3, 4, 100], "b": [0.0, 0, 1, np.nan, 2]})
    >>> s = indicator_stats(X).reset_index()
    >>> s[["indicator", "n_available", "n_nonzero", "n_same", "skew", "flag_nonzero"]].round(3)
      indicator  n_available  n_nonzero  n_same   skew  flag_nonzero
    0         a            5          5       1  2.232         False
    1         b            4          2       2  0.855          True
    """
    func = "indicator_stats"
    _check(style, Style.__args__, "style", func)
    for name, t in (("t_avail", t_avail), ("t_zero", t_zero), ("t_unique", t_unique)):
        _check_share(t, name, func)
    if isinstance(data, Assessment):
        X = _stage(data, stage, func)
        n_units = _applicable(data, X).sum()
    else:
        X = _frame(data, func)
        n_units = pd.Series(len(X), index=X.columns)
    rows = {c: _column_stats(X[c].dropna().to_numpy(float), int(n_units[c])) for c in X.columns}
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(
        columns=[*COINR_STATS_COLUMNS, "n_units"]).rename_axis("indicator")
    n = out["n_units"].where(out["n_units"] > 0)
    out["flag_available"] = out["n_available"] / n < t_avail
    out["flag_nonzero"] = out["n_nonzero"] / n < t_zero
    out["flag_unique"] = out["n_unique"] / n < t_unique
    out["flag_skew_kurtosis"] = (out["skew"].abs() > t_skew) & (out["kurtosis"] > t_kurt)
    if style == "coinr":
        nsignif = 3 if nsignif is None else nsignif
        undefined = out["skew"].isna() | out["kurtosis"].isna()
        flags = {"flag_available": "LOW", "flag_nonzero": "LOW", "flag_unique": "LOW",
                 "flag_skew_kurtosis": "OUT"}
        out = out.drop(columns="n_units").astype(dict.fromkeys(flags, object))
        for c, word in flags.items():
            out[c] = out[c].map({True: word, False: "ok"})
        out.loc[undefined, "flag_skew_kurtosis"] = None
        out = out.rename(columns=COINR_STATS_COLUMNS).rename_axis("iCode").reset_index()
    if nsignif is not None:
        for c in [c for c in out.columns if out[c].dtype.kind == "f"]:
            out[c] = _signif(out[c], nsignif)
    return out


# -- data availability (COINr get_data_avail, Screen) -----------------------------------------

@dataclass(frozen=True, eq=False)
class DataAvailability:
    """Data availability of units (made by :func:`data_availability`).

    Attributes
    ----------
    frame : DataFrame
        One row per unit: ``unit_id`` [, the ``by`` column], ``n_applicable`` (indicators that
        apply to the unit), ``n_available``, ``n_missing``, ``n_zero``, ``n_missing_or_zero``,
        ``availability`` (n_available / n_applicable), ``nonzero_share`` (1 − n_zero /
        n_available), ``low_data``, ``low_nonzero``, ``low_data_or_nonzero``.
    dimensions : DataFrame
        Units × dimensions: availability within each dimension (COINr's ``ByGroup``; one
        column ``*`` when there is no framework).
    groups : DataFrame or None
        With ``by``: one row per group, ``n_units, n_applicable, n_available, availability``
        (pooled), ``mean_availability, min_availability, n_low_data`` and the pooled
        ``availability_<dimension>``.
    by : str or None
    """

    frame: pd.DataFrame
    dimensions: pd.DataFrame
    groups: pd.DataFrame | None = None
    by: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of :attr:`frame`."""
        return self.frame.copy()

    def to_coinr(self) -> pd.DataFrame:
        """The per-unit table with COINr's ``Screen()`` data-summary columns (``uCode`` …)."""
        out = self.frame[["unit_id", *COINR_AVAILABILITY_COLUMNS]]
        return out.rename(columns={"unit_id": "uCode", **COINR_AVAILABILITY_COLUMNS})

    def summary(self) -> str:
        """Plain-text summary (and the group table)."""
        f = self.frame
        text = (f"数据可得性 Data availability: {len(f)} units, mean {f['availability'].mean():.1%}"
                f", {int(f['low_data'].sum())} below the threshold")
        return text if self.groups is None else text + "\n" + self.groups.round(3).to_string()

    def _repr_html_(self) -> str:
        return f"<p>{self.summary().splitlines()[0]}</p>" + self.frame.round(3).to_html(index=False)

    def plot(self, ax=None, labels: Mapping | None = None):
        """Heatmap of availability, units × dimensions."""
        D = self.dimensions
        return _heatmap(D, ax, labels, (2.0 + 0.7 * D.shape[1], 1.0 + 0.25 * D.shape[0]),
                        vmin=0, vmax=1, cmap="Blues",
                        cbar_kws={"label": "数据可得率 Availability"})


def _raw_scheme(ws: Workspace, scheme) -> Scheme:
    """``scheme`` (or a default one) with its data preparation switched off."""
    if scheme is None:
        spec = {"name": "data_availability",
                "peer_groups": "peer_group" if "peer_group" in ws.units.columns else "kind"}
    else:
        spec = as_scheme(ws, scheme).to_dict()
    off = {"impute": {"method": "none"}, "treat": {"method": "none"}, "denominate": {},
           "screen": {"min_share": 0}}
    spec.update({k: v for k, v in off.items() if k in Scheme.from_dict({}).spec})
    return Scheme.from_dict(spec)


def data_availability(data, year: int | None = None, by=None, *, stage: str = "raw",
                      scheme=None, applicable: pd.DataFrame | None = None, framework=None,
                      min_share: float = 2 / 3, min_nonzero: float = 0.05) -> DataAvailability:
    """Each unit's share of its applicable data, overall and within each dimension, with zeros.

    An indicator applies to a unit when the unit's kind is among the indicator's ``kinds``, and
    an individualized indicator only where a target was declared (the rule of
    :func:`zhengji_lab.build.prepare`, which computes it); only applicable cells count.

    Parameters
    ----------
    data : Workspace, Assessment or DataFrame
        A workspace (its raw values of ``year``, required), an assessment (its ``stage``), or
        a units × indicators table (all indicators apply unless ``applicable`` says otherwise).
    year : int, optional
    by : str or Series, optional
        A column of the units table (``"kind"``, ``"peer_group"`` …), or for a DataFrame a
        Series unit → group; adds :attr:`DataAvailability.groups`.
    stage : str, default "raw"
    scheme : Scheme or str, optional
        With a workspace: whose ``exclude`` list to respect (its data preparation is not run).
    applicable : DataFrame of bool, optional
    framework : Workspace or DataFrame, optional
        For the dimensions: an indicator's level-2 ancestor, else its parent.
    min_share, min_nonzero : float, default 2/3 and 0.05
        ``low_data`` when availability < ``min_share``, ``low_nonzero`` when the non-zero share
        < ``min_nonzero`` (COINr ``Screen()``'s ``dat_thresh`` and ``nonzero_thresh``).

    Returns
    -------
    DataAvailability

    References
    ----------
    Becker et al. (2022), COINr ``get_data_avail`` and ``Screen``; OECD/JRC (2008), step 3.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, np.nan], "b": [0.0, 2.0]}, index=["u1", "u2"])
    >>> data_availability(X).frame[["unit_id", "n_missing", "n_zero", "availability"]]
      unit_id  n_missing  n_zero  availability
    0      u1          0       1           1.0
    1      u2          1       0           0.5
    """
    func = "data_availability"
    _check_share(min_share, "min_share", func)
    _check_share(min_nonzero, "min_nonzero", func)
    units = None
    if isinstance(data, Workspace):
        if year is None:
            raise ValueError(f"data_availability() needs the 'year' parameter with a workspace, "
                             f"one of {data.years}.")
        _check(year, data.years, "year", func)
        if any(c not in getattr(data, t).columns for t, cs in COLUMNS.items() for c in cs):
            data = canonical(data)   # made in memory: the defaults load_workspace fills in
        prep, _ = prepare(data, _raw_scheme(data, scheme), int(year))
        X, A = prep.X, prep.applicable.reindex_like(prep.X).fillna(False).astype(bool)
        units, meta = data.units, _meta(data, data if framework is None else framework, func)
    elif isinstance(data, Assessment):
        X = _stage(data, stage, func)
        A, units, meta = _applicable(data, X), data.units, _meta(data, framework, func)
    else:
        X, meta = _frame(data, func), _meta(data, framework, func)
        A = (pd.DataFrame(True, index=X.index, columns=X.columns) if applicable is None else
             applicable.reindex(index=X.index, columns=X.columns).fillna(False).astype(bool))
    present = X.notna() & A
    n_app, n_av = A.sum(axis=1), present.sum(axis=1)
    n_zero = ((X == 0) & present).sum(axis=1)
    f = pd.DataFrame({"unit_id": X.index, "n_applicable": n_app, "n_available": n_av,
                      "n_missing": n_app - n_av, "n_zero": n_zero,
                      "n_missing_or_zero": n_app - n_av + n_zero,
                      "availability": n_av / n_app.where(n_app > 0),
                      "nonzero_share": 1 - n_zero / n_av.where(n_av > 0)}).reset_index(drop=True)
    f["low_data"] = f["availability"] < min_share
    f["low_nonzero"] = f["nonzero_share"] < min_nonzero
    f["low_data_or_nonzero"] = f["low_data"] | f["low_nonzero"]
    dim = pd.Series({c: (meta.dimension(c) if meta else None) or "*" for c in X.columns})
    P = present.T.groupby(dim, sort=False).sum().T
    N = A.T.groupby(dim, sort=False).sum().T
    D = (P / N.where(N > 0)).rename_axis(index="unit_id", columns="dimension")
    groups = by_name = None
    if by is not None:
        if isinstance(by, str):
            if units is None or by not in units.columns:
                raise ValueError(f"The 'by' parameter of data_availability() must be a column of "
                                 f"the units table {[] if units is None else list(units.columns)}"
                                 f". Got {by!r} instead.")
            g, by_name = units.set_index("unit_id")[by].reindex(X.index), by
        else:
            g, by_name = pd.Series(by).reindex(X.index), getattr(by, "name", None) or "group"
        f.insert(1, by_name, g.to_numpy())
        groups = f.groupby(by_name, sort=True, dropna=False).agg(
            n_units=("unit_id", "size"), n_applicable=("n_applicable", "sum"),
            n_available=("n_available", "sum"), mean_availability=("availability", "mean"),
            min_availability=("availability", "min"), n_low_data=("low_data", "sum"))
        groups.insert(3, "availability", groups["n_available"] / groups["n_applicable"])
        pooled = P.groupby(g.to_numpy()).sum() / N.groupby(g.to_numpy()).sum().replace(0, np.nan)
        groups = groups.join(pooled.add_prefix("availability_")).reset_index()
    return DataAvailability(frame=f, dimensions=D, groups=groups, by=by_name)


# -- correlations (COINr get_corr, get_pvals) -------------------------------------------------

@dataclass(frozen=True, eq=False)
class Correlations:
    """A correlation matrix with p-values and pairwise counts (made by :func:`correlations`).

    Attributes
    ----------
    frame : DataFrame
        Variables × variables correlations (NaN where blanked by ``p_max`` or undefined).
    pvalues, n : DataFrame
        Two-sided p-values, and the number of units where both values are present.
    method : str
    p_max : float or None
    level : int or None
    stage : str or None
    """

    frame: pd.DataFrame
    pvalues: pd.DataFrame
    n: pd.DataFrame
    method: str
    p_max: float | None = None
    level: int | None = None
    stage: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the matrix :attr:`frame`."""
        return self.frame.copy()

    def tidy(self) -> pd.DataFrame:
        """Long form, one row per pair (upper triangle): ``var_a, var_b, correlation, p_value,
        n``."""
        i, j = np.triu_indices(self.frame.shape[0], k=1)
        cols = self.frame.columns
        return pd.DataFrame({"var_a": cols[i], "var_b": cols[j],
                             "correlation": self.frame.to_numpy()[i, j],
                             "p_value": self.pvalues.to_numpy()[i, j],
                             "n": self.n.to_numpy()[i, j]})

    def summary(self) -> str:
        """One line: method, size, median and range."""
        r = self.tidy()["correlation"]
        blank = "" if self.p_max is None else f", p > {self.p_max} blanked"
        return (f"{self.method} correlations of {self.frame.shape[0]} variables{blank}; median "
                f"{r.median():.2f}, range [{r.min():.2f}, {r.max():.2f}]")

    def _repr_html_(self) -> str:
        return f"<p>{self.summary()}</p>" + self.frame.round(2).to_html()

    def plot(self, ax=None, labels: Mapping | None = None, annot: bool | None = None):
        """Heatmap of the lower triangle; blanked correlations are left white."""
        k = self.frame.shape[0]
        return _heatmap(self.frame, ax, labels, (2.0 + 0.45 * k, 1.5 + 0.4 * k),
                        mask=np.triu(np.ones((k, k), dtype=bool), k=1), vmin=-1, vmax=1,
                        center=0, cmap="RdBu_r", annot=k <= 12 if annot is None else annot,
                        fmt=".2f", square=True,
                        cbar_kws={"label": f"相关系数 Correlation ({self.method})"})


_TESTS = {"pearson": sps.pearsonr, "spearman": sps.spearmanr, "kendall": sps.kendalltau}


def correlations(data, stage: str = "normalised", level: int = 1,
                 method: CorrMethod = "pearson", p_max: float | None = None, *,
                 framework=None) -> Correlations:
    """Correlations between indicators, or between node scores at a framework level.

    Parameters
    ----------
    data : Assessment or DataFrame
        An assessment, or a units × variables table (``stage`` and ``level`` then ignored).
    stage : str, default "normalised"
        The indicators' stage (``level=1``); higher levels use the ``nodes`` stage.
    level : int, default 1
        1 = indicators, 2 = dimensions … (the framework's ``level``, COINr's ``Levels``).
    method : {"pearson", "spearman", "kendall"}
    p_max : float, optional
        Blank (NaN) correlations whose p-value is above it (COINr's ``pval``, 0.05 there by
        default; no blanking here by default).
    framework : Workspace or DataFrame, optional

    Returns
    -------
    Correlations

    Notes
    -----
    Each pair uses the units where both values are present (R's ``use =
    "pairwise.complete.obs"``; Spearman ranks within those units, as R's ``cor``). P-values are
    scipy's: the t test for Pearson, as R's ``cor.test``; for Spearman and Kendall scipy's
    asymptotic tests, where R's ``cor.test`` uses exact ones for small samples without ties.
    A pair with fewer than 3 common units has no p-value. The diagonal has correlation 1 and
    p-value 0, as COINr's ``get_pvals``.

    References
    ----------
    Becker et al. (2022), COINr ``get_corr``; OECD/JRC (2008), step 4.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 4, 6, 9], "c": [4.0, 1, np.nan, 2]})
    >>> correlations(X).frame.round(2)
          a     b     c
    a  1.00  0.99 -0.50
    b  0.99  1.00 -0.45
    c -0.50 -0.45  1.00
    """
    func = "correlations"
    _check(method, CorrMethod.__args__, "method", func)
    if p_max is not None:
        _check_share(p_max, "p_max", func)
    if not isinstance(data, Assessment):
        X, stage, level = _frame(data, func), None, None
    elif level == 1:
        X = _stage(data, stage, func)
    else:
        levels = _meta(data, framework, func).level
        _check(level, sorted(set(levels.values())), "level", func)
        X, stage = data.stages["nodes"], "nodes"
        X = X[[c for c in X.columns if levels.get(c) == level]]
    k, V = X.shape[1], X.to_numpy(float)
    R, P = np.eye(k), np.zeros((k, k))
    ok = np.isfinite(V)
    N = ok.T.astype(int) @ ok.astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # constant input: NaN, as R's cor
        for i in range(k):
            for j in range(i + 1, k):
                both = ok[:, i] & ok[:, j]
                res = _TESTS[method](V[both, i], V[both, j]) if N[i, j] >= 2 else (np.nan,) * 2
                R[i, j] = R[j, i] = res[0]
                P[i, j] = P[j, i] = res[1] if N[i, j] >= 3 else np.nan
    cols = X.columns.rename(None)
    frame, pvalues = (pd.DataFrame(M, index=cols, columns=cols) for M in (R, P))
    if p_max is not None:
        frame = frame.mask(pvalues > p_max)
    return Correlations(frame=frame, pvalues=pvalues, n=pd.DataFrame(N, index=cols, columns=cols),
                        method=method, p_max=p_max, level=level, stage=stage)


# -- strengths and weaknesses (COINr get_str_weak) --------------------------------------------

@dataclass(frozen=True, eq=False)
class StrengthsWeaknesses:
    """A unit's best and worst ranked indicators (made by :func:`strengths_weaknesses`);
    unpacks as ``strengths, weaknesses = result``.

    Attributes
    ----------
    unit_id : str
    strengths, weaknesses : DataFrame
        ``indicator, name_zh, name_en, dimension, rank, n_ranked, value, unit``; strengths
        best first, weaknesses in ascending rank (the worst last), as COINr's.
    stage : str or None
    """

    unit_id: str
    strengths: pd.DataFrame
    weaknesses: pd.DataFrame
    stage: str | None = None

    def __iter__(self):
        return iter((self.strengths, self.weaknesses))

    @property
    def frame(self) -> pd.DataFrame:
        """Both tables stacked, with ``side`` = ``strength`` or ``weakness``."""
        return pd.concat([self.strengths.assign(side="strength"),
                          self.weaknesses.assign(side="weakness")], ignore_index=True)

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`frame` (a new frame)."""
        return self.frame

    def to_coinr(self, sig_figs: int | None = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
        """COINr's two tables: ``Code, Name, Dimension, Rank, Value, Unit`` (3 digits)."""
        def one(t):
            value = t["value"] if sig_figs is None else _signif(t["value"], sig_figs)
            return pd.DataFrame({"Code": t["indicator"], "Name": t["name_en"],
                                 "Dimension": t["dimension"], "Rank": t["rank"],
                                 "Value": value, "Unit": t["unit"]})
        return one(self.strengths), one(self.weaknesses)

    def summary(self) -> str:
        """Both tables as text."""
        cols = ["indicator", "dimension", "rank", "n_ranked", "value"]
        return (f"{self.unit_id} 优势 strengths:\n{self.strengths[cols].to_string(index=False)}\n"
                f"{self.unit_id} 弱项 weaknesses:\n{self.weaknesses[cols].to_string(index=False)}")

    def _repr_html_(self) -> str:
        return (f"<p><b>{self.unit_id}</b> 优势 strengths</p>"
                f"{self.strengths.to_html(index=False)}<p>弱项 weaknesses</p>"
                f"{self.weaknesses.to_html(index=False)}")

    def plot(self, ax=None, labels: Mapping | None = None):
        """Bars of the rank percentile (1 = best rank, 0 = worst) of the listed indicators."""
        from zhengji_lab.plots import _axes, _label

        f = self.frame
        ax = _axes(ax, figsize=(6.4, 1.0 + 0.35 * len(f)))
        share = 1 - (f["rank"] - 1) / (f["n_ranked"] - 1).clip(lower=1)
        ax.barh([_label(labels, c) for c in f["indicator"]], share,
                color=np.where(f["side"] == "strength", "C2", "C3"))
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("排名百分位 Rank percentile (1 = best)")
        return ax


def strengths_weaknesses(data, unit_id: str, n: int = 5, *, stage: str = "raw",
                         groups="peer_group", adjust_direction: bool | None = None,
                         min_discard: bool = True, min_unique: float | None = None,
                         framework=None) -> StrengthsWeaknesses:
    """The unit's ``n`` best and ``n`` worst indicators by rank among its peers (COINr's
    ``get_str_weak``).

    Parameters
    ----------
    data : Assessment or DataFrame
        An assessment (its ``stage``: ranks and values) or a units × indicators table.
    unit_id : str
    n : int, default 5
        How many strengths and how many weaknesses (COINr's ``topN``, ``bottomN``).
    stage : str, default "raw"
    groups : str, Series or None, default "peer_group"
        Rank within the unit's group: a column of the assessment's units, or a Series unit →
        group with a DataFrame; None ranks among all units (COINr's default ``use_group``).
    adjust_direction : bool, optional
        Multiply by the indicators' directions before ranking. By default True for stages
        before ``normalised`` (COINr adjusts its ``Raw`` data set) and False for
        ``normalised`` and ``nodes``, where directions are applied already.
    min_discard : bool, default True
        Leave out indicators on which the unit has the worst rank of its group (COINr's: a zero
        shared by many units is no strength).
    min_unique : float, optional
        Leave out indicators whose share of distinct values (missing counted as one value, over
        all units) is not above this (COINr's ``unq_discard``).
    framework : Workspace or DataFrame, optional

    Returns
    -------
    StrengthsWeaknesses

    Notes
    -----
    COINr's rules: ranks are ``rank(-x, ties = "min")`` (1 = best) over the units of the group;
    indicators missing for the unit (or not applicable to it) are ignored; indicators are
    sorted by rank, ties in framework order; strengths are the first ``n``, weaknesses the
    last ``n``. ``dimension`` is the indicator's level-2 ancestor; ``n_ranked`` counts the
    units ranked on the indicator.

    References
    ----------
    Becker et al. (2022), COINr ``get_str_weak``.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [3.0, 1, 2], "b": [1.0, 2, 3], "c": [5.0, 6, 7]},
    ...                  index=["u", "v", "w"])
    >>> s, w = strengths_weaknesses(X, "v", n=1, adjust_direction=False)
    >>> s[["indicator", "rank"]].values.tolist(), w[["indicator", "rank"]].values.tolist()
    ([['b', 2]], [['c', 2]])
    """
    func = "strengths_weaknesses"
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"The 'n' parameter of {func}() must be an integer >= 1. Got {n!r} "
                         f"instead.")
    if min_unique is not None:
        _check_share(min_unique, "min_unique", func)
    meta = _meta(data, framework, func)
    if isinstance(data, Assessment):
        X = _stage(data, stage, func)
        if isinstance(groups, str):
            _check(groups, list(data.units.columns), "groups", func)
            groups = data.units.set_index("unit_id")[groups]
        X = X.where(_applicable(data, X))
    else:
        X, stage = _frame(data, func), None
        groups = None if isinstance(groups, str) else groups
    if unit_id not in X.index:
        raise ValueError(f"The 'unit_id' parameter of {func}() must be a unit of the data, e.g. "
                         f"{list(X.index[:5])}. Got {unit_id!r} instead.")
    if meta is not None:   # framework order: COINr keeps ties in iMeta order
        X = X[[c for c in meta.leaves if c in X.columns] +
              [c for c in X.columns if c not in meta.leaves]]
    if adjust_direction is None:
        adjust_direction = stage not in ("normalised", "nodes")
    S = X
    if adjust_direction:
        d = meta.directions(X.columns) if meta is not None else None
        if d is None:
            raise ValueError(f"{func}() needs the indicators' directions to rank the values; pass "
                             f"framework=<workspace or framework table>, or adjust_direction="
                             f"False if higher values are already better.")
        S = X * d
    if groups is not None:
        g = pd.Series(groups).reindex(X.index)
        S = S[g == g[unit_id]] if pd.notna(g[unit_id]) else S
    R = S.rank(ascending=False, method="min")
    r = R.loc[unit_id].dropna()
    if min_unique is not None:
        r = r[(X.nunique(dropna=False) / len(X)).reindex(r.index) > min_unique]
    if min_discard:
        r = r[r != R[r.index].max()]
    r = r.sort_values(kind="stable")
    info = (meta.info if meta is not None else pd.DataFrame(
        columns=["name_zh", "name_en", "unit"])).reindex(r.index)

    def table(codes):
        return pd.DataFrame({
            "indicator": codes, "name_zh": info.loc[codes, "name_zh"].to_numpy(),
            "name_en": info.loc[codes, "name_en"].to_numpy(),
            "dimension": [meta.dimension(c) if meta is not None else None for c in codes],
            "rank": r[codes].astype(int).to_numpy(), "n_ranked": R[codes].count().to_numpy(),
            "value": X.loc[unit_id, codes].to_numpy(float),
            "unit": info.loc[codes, "unit"].to_numpy()})

    codes = list(r.index)
    return StrengthsWeaknesses(unit_id=unit_id, strengths=table(codes[:n]),
                               weaknesses=table(codes[max(len(codes) - n, 0):]), stage=stage)
