"""Smoke tests of zhengji_lab.plots on the Agg backend, and Chinese text in SVG output."""
import io
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import zhengji_lab as zl
from zhengji_lab import plots

plt.switch_backend("Agg")

pytestmark = [pytest.mark.filterwarnings("ignore:Glyph .* missing from font"),
              pytest.mark.filterwarnings("ignore:The set_bad function:PendingDeprecationWarning")]

NAMES = {"u0": "城关镇", "u1": "经济开发区", "u2": "真州镇", "base": "基准方案", "ent": "熵权法",
         "eco": "经济发展", "soc": "民生保障"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax):
    """Every text drawn on the axes: tick labels, texts, axis labels, legend."""
    out = [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels() + ax.texts]
    out += [ax.get_xlabel(), ax.get_ylabel()]
    if ax.get_legend() is not None:
        out += [t.get_text() for t in ax.get_legend().get_texts()]
    return out


def _svg(ax) -> str:
    buf = io.StringIO()
    ax.figure.savefig(buf, format="svg")
    return buf.getvalue()


def test_bump_chart():
    ranks = pd.DataFrame({"base": [1, 2, 3], "ent": [2, 1, pd.NA]}, index=["u0", "u1", "u2"],
                         dtype="Int64")
    ax = plots.bump_chart(ranks, labels=NAMES)
    assert isinstance(ax, mpl.axes.Axes)
    assert len(ax.get_lines()) == 3
    texts = _texts(ax)
    assert {"城关镇", "基准方案", "熵权法"} <= set(texts)
    assert texts.count("真州镇") == 1                 # no label at the end where the rank is NA
    assert ax.yaxis_inverted()


def test_rank_heatmap_on_given_axes():
    corr = pd.DataFrame([[1, 0.8], [0.8, 1]], index=["base", "ent"], columns=["base", "ent"])
    _, ax = plt.subplots()
    out = plots.rank_heatmap(corr, ax=ax, labels=NAMES)
    assert out is ax
    assert sorted(t.get_text() for t in ax.texts) == ["0.80", "0.80", "1.00", "1.00"]
    assert "基准方案" in _texts(ax)


@pytest.mark.parametrize("tidy", [False, True])
def test_weights_bar(tidy):
    wide = pd.DataFrame({"base": [0.6, 0.4], "ent": [0.3, 0.7]}, index=["eco", "soc"])
    data = (wide.rename_axis(index="node", columns="scheme").stack().rename("weight")
            .reset_index()) if tidy else wide
    ax = plots.weights_bar(data, labels=NAMES)
    heights = sorted(round(p.get_height(), 6) for p in ax.patches if p.get_height() > 0)
    assert heights == [0.3, 0.4, 0.6, 0.7]
    assert {"经济发展", "基准方案"} <= set(_texts(ax))


def test_interval_plot_sorted_by_nominal():
    bands = pd.DataFrame({"unit": ["u2", "u0", "u1"], "nominal": [3, 1, 2],
                          "median": [3, 1.5, 2], "lo": [2, 1, 1], "hi": [3, 3, 3]})
    ax = plots.interval_plot(bands, labels=NAMES)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["城关镇", "经济开发区", "真州镇"]
    assert ax.yaxis_inverted()
    assert len(ax.get_legend().get_texts()) == 3
    with pytest.raises(ValueError, match="lacks the column\\(s\\) \\['hi'\\]"):
        plots.interval_plot(bands.drop(columns="hi"))


def test_sobol_bars():
    df = pd.DataFrame({"input": ["weights", "aggregate.method"], "S1": [0.5, 0.2],
                       "S1_conf": [0.05, 0.04], "ST": [0.7, 0.3], "ST_conf": [0.06, 0.05]})
    ax = plots.sobol_bars(df, labels={"weights": "权重"})
    assert len(ax.patches) == 4
    assert "权重" in _texts(ax)
    with pytest.raises(ValueError, match="lacks the column"):
        plots.sobol_bars(df.drop(columns="ST_conf"))
    with pytest.raises(TypeError, match="takes a DataFrame"):
        plots.sobol_bars(df.to_dict())


def test_svg_keeps_chinese_text_when_fonttype_none():
    """Without a CJK font the SVG route must carry the Chinese characters as text."""
    ranks = pd.DataFrame({"base": [1, 2, 3], "ent": [2, 1, 3]}, index=["u0", "u1", "u2"])
    with mpl.rc_context({"svg.fonttype": "none"}):
        ax = plots.bump_chart(ranks, labels=NAMES)
        ax.set_title("排名比较 Rank comparison")
        svg = _svg(ax)
    for text in ("城关镇", "经济开发区", "基准方案", "排名比较"):
        assert text in svg
    assert "<text" in svg


def test_chinese_rc_and_setup(monkeypatch):
    monkeypatch.setattr(plots, "find_cjk_font", lambda: None)
    assert plots.chinese_rc() == {"svg.fonttype": "none"}
    with mpl.rc_context(), warnings.catch_warnings():
        assert plots.setup_chinese() is None
        assert mpl.rcParams["svg.fonttype"] == "none"
    monkeypatch.setattr(plots, "find_cjk_font", lambda: "Noto Sans CJK SC")
    rc = plots.chinese_rc()
    assert rc["font.sans-serif"][0] == "Noto Sans CJK SC" and rc["axes.unicode_minus"] is False


def test_find_cjk_font_is_in_the_list_or_none():
    font = plots.find_cjk_font()
    assert font is None or font in plots.CJK_FONTS


def test_plots_is_public():
    assert zl.plots is plots
    assert callable(zl.plots.bump_chart)
    rng = np.random.default_rng(0)
    assert isinstance(plots.bump_chart(pd.DataFrame(rng.integers(1, 5, (4, 2)))), mpl.axes.Axes)


def test_cjk_font_draws_without_missing_glyphs():
    """With a CJK font installed (e.g. Debian's fonts-noto-cjk) Chinese rasterises cleanly."""
    if plots.find_cjk_font() is None:
        pytest.skip("no CJK font installed; the SVG route is tested above")
    ranks = pd.DataFrame({"base": [1, 2, 3], "ent": [2, 1, 3]}, index=["u0", "u1", "u2"])
    with mpl.rc_context(plots.chinese_rc()), warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing from font")
        ax = plots.bump_chart(ranks, labels=NAMES)
        ax.figure.savefig(io.BytesIO(), format="png")
