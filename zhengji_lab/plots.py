"""Figures with Chinese labels (seaborn/matplotlib): small functions that each draw one chart.

Every function takes the data first, then ``ax=None`` (a new figure is made when none is given)
and ``labels``, a mapping from codes (units, schemes, indicators) to display names such as
Chinese names; codes not in the mapping are shown as they are. Each returns the ``Axes`` and
never calls ``plt.show()``.

Chinese text needs a CJK font. :func:`setup_chinese` uses the first of :data:`CJK_FONTS` that
matplotlib finds; without one, it keeps text as text in SVG output (``svg.fonttype: none``) so
that the browser draws the glyphs when a report embeds the SVG. PNG output without a CJK font
shows empty boxes, so reports should embed SVG figures.
"""
from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.ticker import MaxNLocator

logger = logging.getLogger(__name__)

#: CJK fonts tried in this order by :func:`setup_chinese`.
CJK_FONTS: tuple[str, ...] = ("Noto Sans CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
                              "SimHei", "Microsoft YaHei", "PingFang SC")


#: File-name fragments (lower case) of the font files that may hold :data:`CJK_FONTS`.
_CJK_FILE_HINTS: tuple[str, ...] = ("cjk", "wqy", "simhei", "msyh", "pingfang")


def _first_known_cjk_font() -> str | None:
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in known), None)


def find_cjk_font() -> str | None:
    """Return the first font of :data:`CJK_FONTS` that matplotlib can use, or None.

    matplotlib caches its font list (``~/.cache/matplotlib``), so a font installed after the
    cache was built (e.g. ``apt-get install fonts-noto-cjk``) is unknown to it. When none of
    :data:`CJK_FONTS` is known, the system font files whose names suggest a CJK font are
    registered for this process only (``fontManager.addfont``; the cache file is not touched)
    and the list is searched again.
    """
    font = _first_known_cjk_font()
    if font is None:
        for path in font_manager.findSystemFonts():
            if any(hint in Path(path).name.lower() for hint in _CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError) as err:   # unreadable font file
                    logger.debug("Skipped font file %s: %s", path, err)
        font = _first_known_cjk_font()
    return font


def chinese_rc() -> dict:
    """rc settings under which Chinese text renders; for ``matplotlib.rc_context``.

    With a CJK font: the font goes first in ``font.sans-serif`` (matplotlib falls back glyph
    by glyph to the fonts after it) and ``axes.unicode_minus`` is off, as CJK fonts often lack
    the Unicode minus. Without one: ``svg.fonttype: none`` keeps text as text in SVG output.
    """
    font = find_cjk_font()
    if font is None:
        return {"svg.fonttype": "none"}
    return {"font.family": "sans-serif",
            "font.sans-serif": [font, *[f for f in mpl.rcParams["font.sans-serif"] if f != font]],
            "axes.unicode_minus": False}


def setup_chinese(*, silence_missing_glyphs: bool = True) -> str | None:
    """Make Chinese labels render in this process (changes ``matplotlib.rcParams``).

    Parameters
    ----------
    silence_missing_glyphs : bool, default True
        Without a CJK font matplotlib warns about every Chinese glyph it cannot draw in raster
        output. When the SVG route is taken these warnings are expected, so they are filtered
        (only the "Glyph ... missing from font" warning).

    Returns
    -------
    str or None
        The CJK font used, or None when SVG text is used instead.
    """
    rc = chinese_rc()
    mpl.rcParams.update(rc)
    font = find_cjk_font()
    if font is None:
        logger.info("No CJK font found among %s; SVG figures keep text as text.", CJK_FONTS)
        if silence_missing_glyphs:
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
    else:
        logger.info("Chinese labels use the font %r.", font)
    return font


def _label(labels: Mapping | None, code) -> str:
    return str(labels.get(code, code)) if labels else str(code)


def _axes(ax, figsize=(6.4, 4.8)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _need_columns(df: pd.DataFrame, columns, func: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{func}() takes a DataFrame. Got {type(df).__name__} instead.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"The frame passed to {func}() lacks the column(s) {missing}; it needs "
                         f"{list(columns)}. Got columns {list(df.columns)} instead.")


def bump_chart(ranks_df: pd.DataFrame, ax=None, labels: Mapping | None = None):
    """Bump chart: the rank of each unit (one line) under each scheme (x axis), 1 at the top.

    Parameters
    ----------
    ranks_df : DataFrame
        Units × schemes of ranks (1 = best), e.g. ``RankComparison.ranks``.
    ax : matplotlib Axes, optional
    labels : mapping, optional
        Display names for units (written at both ends of each line) and schemes (x ticks).

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(ranks_df, pd.DataFrame):
        raise TypeError(f"bump_chart() takes a units × schemes DataFrame of ranks. Got "
                        f"{type(ranks_df).__name__} instead.")
    ranks_df = ranks_df.astype(float)                # nullable Int64 ranks: NA -> NaN
    ax = _axes(ax, figsize=(1.6 + 1.6 * ranks_df.shape[1], 1.2 + 0.28 * len(ranks_df)))
    x = np.arange(ranks_df.shape[1])
    colours = sns.color_palette("husl", max(len(ranks_df), 1))
    for colour, (unit, row) in zip(colours, ranks_df.iterrows()):
        y = row.to_numpy(dtype=float)
        ax.plot(x, y, marker="o", color=colour, linewidth=1.5, markersize=4)
        name = _label(labels, unit)
        if np.isfinite(y[0]):
            ax.text(x[0] - 0.08, y[0], name, ha="right", va="center", fontsize=8, color=colour)
        if np.isfinite(y[-1]):
            ax.text(x[-1] + 0.08, y[-1], name, ha="left", va="center", fontsize=8, color=colour)
    ax.set_xticks(x, [_label(labels, s) for s in ranks_df.columns])
    ax.set_xlim(-0.9, len(x) - 0.1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.invert_yaxis()
    ax.set_ylabel("排名 Rank")
    ax.set_xlabel("方案 Scheme")
    ax.grid(axis="y", alpha=0.3)
    return ax


def rank_heatmap(corr_df: pd.DataFrame, ax=None, labels: Mapping | None = None):
    """Annotated heatmap of rank correlations between schemes (schemes × schemes).

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(corr_df, pd.DataFrame):
        raise TypeError(f"rank_heatmap() takes a schemes × schemes DataFrame of correlations. "
                        f"Got {type(corr_df).__name__} instead.")
    n = max(corr_df.shape[0], 1)
    ax = _axes(ax, figsize=(1.5 + 0.9 * n, 1.0 + 0.8 * n))
    shown = corr_df.rename(index=lambda c: _label(labels, c), columns=lambda c: _label(labels, c))
    sns.heatmap(shown.astype(float), ax=ax, vmin=-1, vmax=1, center=0, cmap="RdBu_r",
                annot=True, fmt=".2f", square=True, cbar_kws={"label": "秩相关 Rank correlation"})
    ax.set_xlabel("")
    ax.set_ylabel("")
    return ax


def shift_heatmap(shifts_df: pd.DataFrame, ax=None, labels: Mapping | None = None):
    """Annotated heatmap of rank shifts: units (rows) × schemes (columns).

    Parameters
    ----------
    shifts_df : DataFrame
        Units × schemes of rank shifts against a reference, e.g. ``RankComparison.shifts``
        (rank under the scheme minus the reference rank: positive = the unit falls, red;
        negative = it rises, blue). Rows are drawn in the order given.
    ax : matplotlib Axes, optional
    labels : mapping, optional
        Display names for units (rows) and schemes (columns).

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(shifts_df, pd.DataFrame):
        raise TypeError(f"shift_heatmap() takes a units × schemes DataFrame of rank shifts. Got "
                        f"{type(shifts_df).__name__} instead.")
    data = shifts_df.astype(float)                   # nullable Int64 shifts: NA -> NaN
    finite = np.abs(data.to_numpy())[np.isfinite(data.to_numpy())]
    lim = max(1.0, float(finite.max())) if finite.size else 1.0
    ax = _axes(ax, figsize=(2.8 + 1.1 * data.shape[1], 1.0 + 0.24 * len(data)))
    shown = data.rename(index=lambda u: _label(labels, u), columns=lambda s: _label(labels, s))
    sns.heatmap(shown, ax=ax, cmap="RdBu_r", center=0, vmin=-lim, vmax=lim, annot=True,
                fmt=".0f", annot_kws={"fontsize": 7}, linewidths=0.3, linecolor="white",
                cbar_kws={"label": "排名变动 Rank shift (+ 下降 falls)"})
    ax.set_xlabel("方案 Scheme")
    ax.set_ylabel("")
    ax.tick_params(axis="y", labelsize=7)
    return ax


def weights_bar(weights_df: pd.DataFrame, ax=None, labels: Mapping | None = None):
    """Grouped bars of weights: one group per node, one bar per scheme.

    Parameters
    ----------
    weights_df : DataFrame
        Nodes × schemes (wide), or tidy with columns ``node, scheme, weight``.

    Returns
    -------
    matplotlib Axes
    """
    if isinstance(weights_df, pd.DataFrame) and {"node", "scheme", "weight"} <= set(weights_df):
        weights_df = weights_df.pivot(index="node", columns="scheme", values="weight")
    if not isinstance(weights_df, pd.DataFrame):
        raise TypeError(f"weights_bar() takes a nodes × schemes DataFrame. Got "
                        f"{type(weights_df).__name__} instead.")
    ax = _axes(ax, figsize=(1.5 + 0.5 * weights_df.size, 4.0))
    long = (weights_df.rename_axis(index="node", columns="scheme").stack().rename("weight")
            .reset_index())
    long["node"] = [_label(labels, c) for c in long["node"]]
    long["scheme"] = [_label(labels, c) for c in long["scheme"]]
    sns.barplot(long, x="node", y="weight", hue="scheme", ax=ax)
    ax.set_xlabel("指标/维度 Node")
    ax.set_ylabel("权重 Weight")
    ax.legend(title="方案 Scheme", fontsize=8)
    plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
    return ax


def interval_plot(bands_df: pd.DataFrame, ax=None, labels: Mapping | None = None):
    """Rank bands sorted by nominal rank: median dot, 5–95% line and the nominal rank marker.

    Parameters
    ----------
    bands_df : DataFrame
        Columns ``unit, nominal, median, lo, hi`` (ranks; 1 = best).

    Returns
    -------
    matplotlib Axes
    """
    _need_columns(bands_df, ["unit", "nominal", "median", "lo", "hi"], "interval_plot")
    df = bands_df.sort_values("nominal", kind="stable").reset_index(drop=True)
    ax = _axes(ax, figsize=(6.4, 1.0 + 0.25 * len(df)))
    y = np.arange(len(df))
    ax.hlines(y, df["lo"], df["hi"], color="0.5", linewidth=2, label="5–95% 区间 interval")
    ax.plot(df["median"], y, "o", color="C0", label="中位数 median")
    ax.plot(df["nominal"], y, "D", color="C3", markersize=4, label="名义排名 nominal")
    ax.set_yticks(y, [_label(labels, u) for u in df["unit"]])
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("排名 Rank")
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return ax


def sobol_bars(df: pd.DataFrame, ax=None, labels: Mapping | None = None):
    """First-order (S1) and total (ST) Sobol indices per input, with confidence error bars.

    Parameters
    ----------
    df : DataFrame
        Columns ``input, S1, S1_conf, ST, ST_conf`` (SALib's names).

    Returns
    -------
    matplotlib Axes
    """
    _need_columns(df, ["input", "S1", "S1_conf", "ST", "ST_conf"], "sobol_bars")
    ax = _axes(ax, figsize=(1.5 + 0.8 * len(df), 4.0))
    x = np.arange(len(df))
    width = 0.38
    ax.bar(x - width / 2, df["S1"], width, yerr=df["S1_conf"], capsize=3,
           label="一阶 S1 (first order)")
    ax.bar(x + width / 2, df["ST"], width, yerr=df["ST_conf"], capsize=3,
           label="总效应 ST (total)")
    ax.set_xticks(x, [_label(labels, c) for c in df["input"]], rotation=45, ha="right")
    ax.set_ylabel("敏感性指数 Sensitivity index")
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.legend(fontsize=8)
    return ax
