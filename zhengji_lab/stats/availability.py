"""Each unit's share of its applicable data, overall, per dimension and per group:
:func:`data_availability` and its :class:`DataAvailability` (COINr's ``get_data_avail`` and
the data summary of ``Screen``).

References
----------
Becker et al. (2022), COINr ``get_data_avail`` and ``Screen``; OECD/JRC (2008), step 3 (missing
data). Full references in :mod:`zhengji_lab.stats`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zhengji_lab.pipeline import Assessment, as_scheme, prepare
from zhengji_lab.prep import data_share
from zhengji_lab.scheme import Scheme
from zhengji_lab.stats._common import (
    applicable_mask,
    check_choice,
    check_share,
    heatmap,
    metadata,
    numeric_frame,
    stage_frame,
)
from zhengji_lab.workspace import Workspace, with_defaults

#: data_availability() columns → COINr ``Screen()`` data-summary names.
COINR_AVAILABILITY_COLUMNS: dict[str, str] = {
    "n_missing": "N_missing", "n_zero": "N_zero", "n_missing_or_zero": "N_miss_or_zero",
    "availability": "Dat_Avail", "nonzero_share": "Non_Zero", "low_data": "LowData",
    "low_nonzero": "LowNonZero", "low_data_or_nonzero": "LowDatOrZeroFlag"}


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
        return heatmap(D, ax, labels, (2.0 + 0.7 * D.shape[1], 1.0 + 0.25 * D.shape[0]),
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
    :func:`zhengji_lab.pipeline.prepare`, which computes it); only applicable cells count.

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
    check_share(min_share, "min_share", func)
    check_share(min_nonzero, "min_nonzero", func)
    units = None
    if isinstance(data, Workspace):
        if year is None:
            raise ValueError(f"data_availability() needs the 'year' parameter with a workspace, "
                             f"one of {data.years}.")
        check_choice(year, data.years, "year", func)
        data = with_defaults(data)   # made in memory: the defaults load_workspace fills in
        prep, _ = prepare(data, _raw_scheme(data, scheme), int(year))
        X, A = prep.X, prep.applicable.reindex_like(prep.X).fillna(False).astype(bool)
        units, meta = data.units, metadata(data, data if framework is None else framework, func)
    elif isinstance(data, Assessment):
        X = stage_frame(data, stage, func)
        A, units, meta = applicable_mask(data, X), data.units, metadata(data, framework, func)
    else:
        X, meta = numeric_frame(data, func), metadata(data, framework, func)
        A = (pd.DataFrame(True, index=X.index, columns=X.columns) if applicable is None else
             applicable.reindex(index=X.index, columns=X.columns).fillna(False).astype(bool))
    present = X.notna() & A
    counts = data_share(X, A)
    n_app, n_av = counts["applicable"], counts["available"]
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

