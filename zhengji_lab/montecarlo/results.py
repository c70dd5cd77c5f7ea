"""Result objects of the uncertainty and sensitivity analyses (STYLE.md 2.3)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


def _plots():
    from zhengji_lab import plots  # lazy: matplotlib and seaborn load only when plotting

    return plots


@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """Rank bands of every unit under the scheme's uncertain choices (蒙特卡洛排名区间).

    Attributes
    ----------
    frame : DataFrame
        One row per unit: ``unit_id, name_zh, peer_group, nominal_rank, nominal_grade, median,
        mean, q05, q95`` (the quantiles of ``band``), ``mean_shift`` (mean absolute difference
        from the nominal rank), ``p_<grade>`` (probability of each grade), ``p_unranked``
        (draws in which the unit had no score), ``grade_uncertain`` (the band straddles a grade
        boundary of the nominal quotas) and, when the scheme has talk triggers,
        ``p_marked_regression`` / ``p_consecutive_lagging`` (share of draws in which the trigger
        fires when the same choices are applied to the earlier years too).
    counts : DataFrame
        Units × rank (0 = no rank): the number of draws with each rank, from which every
        statistic above is computed exactly.
    inputs : DataFrame
        The uncertain inputs: ``input, kind, address, alternatives, columns``.
    n : int
        Number of draws.
    year : int
    scheme : Scheme
        The nominal scheme.
    band : tuple of float
        Quantiles of the rank band.
    """

    frame: pd.DataFrame
    counts: pd.DataFrame = field(repr=False)
    inputs: pd.DataFrame = field(repr=False)
    n: int
    year: int
    scheme: object = field(repr=False)
    band: tuple = (0.05, 0.95)

    @property
    def lo(self) -> str:
        """Name of the lower band column (``q05``)."""
        return f"q{round(100 * self.band[0]):02d}"

    @property
    def hi(self) -> str:
        """Name of the upper band column (``q95``)."""
        return f"q{round(100 * self.band[1]):02d}"

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`frame`."""
        return self.frame.copy()

    def bands(self) -> pd.DataFrame:
        """``unit, nominal, median, lo, hi`` (the input of :func:`zhengji_lab.plots.interval_plot`)."""
        f = self.frame
        return pd.DataFrame({"unit": f["unit_id"], "nominal": f["nominal_rank"],
                             "median": f["median"], "lo": f[self.lo], "hi": f[self.hi]})

    def summary(self) -> str:
        f = self.frame
        width = (f[self.hi] - f[self.lo]).median()
        straddle = int(f["grade_uncertain"].fillna(False).sum())
        return (f"Rank uncertainty {self.year}, scheme {self.scheme.spec['name']!r} "
                f"({self.scheme.fingerprint()}): {self.n} draws over {len(self.inputs)} inputs "
                f"({', '.join(self.inputs['input'])}); {len(f)} units, median "
                f"{self.lo}–{self.hi} band width {width:g} ranks; {straddle} units' band straddles "
                f"a grade boundary (等次存疑).")

    def plot(self, ax=None, *, group: str | None = None, labels=None):
        """Rank bands as an interval plot sorted by nominal rank, one panel per peer group.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw one peer group here (``group``, or the only one).
        group : str, optional
            The peer group to draw; by default every group gets its own panel.
        labels : mapping, optional
            Unit labels; the units' Chinese names by default.

        Returns
        -------
        Axes, or an array of Axes (one per peer group)
        """
        import matplotlib.pyplot as plt

        f = self.frame
        labels = dict(zip(f["unit_id"], f["name_zh"])) if labels is None else labels
        groups = list(f["peer_group"].unique()) if group is None else [group]
        unknown = [g for g in groups if g not in set(f["peer_group"])]
        if unknown:
            raise ValueError(f"The 'group' parameter of UncertaintyResult.plot() must be one of "
                             f"{sorted(set(f['peer_group']))}. Got {group!r} instead.")
        if len(groups) > 1 and ax is not None:
            raise ValueError("UncertaintyResult.plot(ax=...) draws one peer group; pass group= "
                             f"one of {groups}, or no ax to get one panel per group.")
        bands = self.bands()
        if len(groups) == 1:
            return _plots().interval_plot(bands[f["peer_group"] == groups[0]], ax=ax,
                                          labels=labels)
        sizes = [int((f["peer_group"] == g).sum()) for g in groups]
        fig, axes = plt.subplots(len(groups), 1, figsize=(6.4, 1.2 * len(groups) + 0.25 * sum(sizes)),
                                 gridspec_kw={"height_ratios": sizes}, squeeze=False)
        for a, g in zip(axes[:, 0], groups):
            _plots().interval_plot(bands[f["peer_group"] == g], ax=a, labels=labels)
            a.set_ylabel(f"同类组 Peer group: {g}")
        fig.tight_layout()
        return axes[:, 0]

    def _repr_html_(self) -> str:
        shown = self.frame.drop(columns=["unit_id"], errors="ignore").head(60)
        return (f"<p>{self.summary()}</p>"
                + shown.to_html(index=False, float_format=lambda v: f"{v:.2f}"))

    def __repr__(self) -> str:
        return f"<UncertaintyResult: {self.summary()}>"


@dataclass(frozen=True, eq=False)
class SensitivityIndices:
    """First-order and total Sobol indices of ranks per uncertain input (敏感性分析).

    Attributes
    ----------
    frame : DataFrame
        ``input, S1, S1_conf, ST, ST_conf`` (SALib's names) for the mean absolute rank shift
        from the nominal ranking.
    by_unit : DataFrame
        ``unit_id, input, S1, S1_conf, ST, ST_conf`` for each unit's rank (0 for a unit whose
        rank never changes, as in SALib).
    inputs : DataFrame
        The uncertain inputs (as in :class:`UncertaintyResult`).
    n : int
        Base sample size ``N`` of the Saltelli design; the model ran ``N·(D + 2)`` times.
    runs : int
    year : int
    scheme : Scheme
    conf_level : float
    """

    frame: pd.DataFrame
    by_unit: pd.DataFrame = field(repr=False)
    inputs: pd.DataFrame = field(repr=False)
    n: int
    runs: int
    year: int
    scheme: object = field(repr=False)
    conf_level: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`frame`."""
        return self.frame.copy()

    def summary(self) -> str:
        top = self.frame.sort_values("ST", ascending=False).iloc[0]
        return (f"Sobol indices of the mean absolute rank shift, {self.year}, scheme "
                f"{self.scheme.spec['name']!r}: N = {self.n} ({self.runs} runs), "
                f"{len(self.frame)} inputs; largest total effect {top['input']!r} "
                f"ST = {top['ST']:.3f} ± {top['ST_conf']:.3f} ({self.conf_level:.0%}).")

    def plot(self, ax=None, labels=None):
        """S1 and ST bars with their confidence intervals (of the mean absolute rank shift)."""
        out = _plots().sobol_bars(self.frame, ax=ax, labels=labels)
        if ax is None:
            out.figure.tight_layout()
        return out

    def _repr_html_(self) -> str:
        return (f"<p>{self.summary()}</p>"
                + self.frame.to_html(index=False, float_format=lambda v: f"{v:.3f}"))

    def __repr__(self) -> str:
        return f"<SensitivityIndices: {self.summary()}>"
