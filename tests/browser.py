"""Browser helpers for the tests: Debian's Chromium through selenium, and pixel checks.

:func:`chromium_driver` opens headless Chromium (``/usr/bin/chromedriver``, window 1280×2000)
and *skips* the test, naming what is missing and how to install it, when Chromium, chromedriver
or selenium is not there; with ``ZHENGJI_REQUIRE_BROWSER=1`` (``.ci/run`` sets it once the
packages are installed) a missing browser fails the test instead. The checks take a driver and,
optionally, the page to open (a path or a URL):

* :func:`assert_chinese_renders` - several distinct CJK characters of an element each have ink
  and look different from each other. A missing CJK font draws every character as the same
  box ("tofu"), which has ink too, so the pairwise difference is the real check
  (:func:`check_glyphs_differ`).
* :func:`assert_column_visible` - a table column, found by its header text, is displayed, not
  covered or clipped, has ink, and has cells below it.

Pixel work uses Pillow (which matplotlib brings). selenium is imported only when a driver is
opened, so this module imports (and its doctests run) without it.

Examples
--------
>>> from PIL import Image, ImageDraw
>>> box = Image.new("L", (20, 20), 255)
>>> ImageDraw.Draw(box).rectangle([4, 3, 15, 16], outline=0)
>>> has_ink(box), glyph_difference(box, box.copy())
(True, 0.0)
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pytest
from PIL import Image, ImageFilter

#: How to install what the browser tests need (Debian).
INSTALL = "apt-get install chromium chromium-driver fonts-noto-cjk"

#: Set to 1 to make a missing browser fail the tests instead of skipping them.
REQUIRE_ENV = "ZHENGJI_REQUIRE_BROWSER"

#: The window the pages are opened in (CSS pixels).
WINDOW = (1280, 2000)

#: A pixel counts as ink when it is this much darker than white (0-255 grey levels).
INK_LEVEL = 60

#: Share of a character's box that must be ink (a blank box has none).
MIN_INK = 0.02

#: Smallest :func:`glyph_difference` between two distinct characters. Measured in Chromium 150
#: with Noto Sans CJK SC: the same character at seven places of a line differs from itself by at
#: most 0.06 at 13 px and 0.03 at 20 and 32 px; distinct characters (青川市年度考核报告排名区间)
#: by at least 0.17 at 13 px and 0.27 at 20 and 32 px.
MIN_DIFFERENCE = 0.10

_UP = 4  # glyph_difference scales crops up this much (quarter-pixel alignment)


# -- the browser ----------------------------------------------------------------------------------
def missing_parts() -> list[str]:
    """What the browser tests need and this machine lacks, each with how to get it."""
    from zhengji_lab.errors import ReportError
    from zhengji_lab.report.pdf import find_chromium

    missing = []
    try:
        find_chromium()
    except ReportError as exc:
        missing.append(f"chromium ({str(exc).split('. Fix:')[0]})")
    if _chromedriver() is None:
        missing.append("chromedriver (/usr/bin/chromedriver, package chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[dev]')")
    return missing


def skip_without_browser() -> None:
    """Skip the calling test (fail it under ``ZHENGJI_REQUIRE_BROWSER=1``) when the browser
    is missing; the reason names the missing parts and the install command."""
    missing = missing_parts()
    if missing:
        reason = (f"browser test needs {'; '.join(missing)}. Install: `{INSTALL}` (Debian) "
                  f"and `pip install -e '.[dev]'`")
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but the {reason}")
        pytest.skip(reason)


def require_chromium() -> Path:
    """The Chromium executable, else skip the calling test (fail it under
    ``ZHENGJI_REQUIRE_BROWSER=1``) naming how to install it."""
    from zhengji_lab.errors import ReportError
    from zhengji_lab.report.pdf import find_chromium

    try:
        return find_chromium()
    except ReportError as exc:
        reason = f"test needs Chromium: {exc}"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but the {reason}")
        pytest.skip(reason)


def _chromedriver() -> Path | None:
    for candidate in (os.environ.get("ZHENGJI_CHROMEDRIVER"), "/usr/bin/chromedriver",
                      shutil.which("chromedriver")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


@contextlib.contextmanager
def chromium_driver(window: tuple[int, int] = WINDOW) -> Iterator:
    """Headless Chromium through selenium and chromedriver; skips when they are missing.

    The flags are those of :data:`zhengji_lab.report.pdf.CHROMIUM_FLAGS` (not the print-only
    ``--no-pdf-header-footer``, with which chromedriver cannot open a session) with a fresh
    profile folder; the driver is quit and the profile removed on exit.
    """
    skip_without_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    from zhengji_lab.report.pdf import CHROMIUM_FLAGS, find_chromium

    with tempfile.TemporaryDirectory(prefix="zhengji-selenium-") as profile:
        options = Options()
        options.binary_location = str(find_chromium())
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={window[0]},{window[1]}")
        options.add_argument("--hide-scrollbars")
        service = Service(executable_path=str(_chromedriver()), log_output=os.devnull)
        driver = webdriver.Chrome(options=options, service=service)
        try:
            driver.set_window_size(*window)
            yield driver
        finally:
            driver.quit()


def open_page(driver, page) -> None:
    """Open ``page`` (a file path or a URL) and wait for its fonts."""
    text = str(page)
    url = text if "://" in text else Path(text).absolute().as_uri()
    driver.get(url)
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; document.fonts.ready.then(() => done());")


def screenshot(driver) -> tuple[Image.Image, float]:
    """The viewport as a greyscale image, and device pixels per CSS pixel."""
    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("L")
    return image, image.width / driver.execute_script("return window.innerWidth")


def crop(image: Image.Image, rect: dict, scale: float) -> Image.Image:
    """The part of ``image`` under a CSS-pixel rectangle (``x, y, width, height``)."""
    box = (round(rect["x"] * scale), round(rect["y"] * scale),
           round((rect["x"] + rect["width"]) * scale), round((rect["y"] + rect["height"]) * scale))
    return image.crop(box)


def render_city_report(out_dir) -> Path:
    """Render the sample city's 2025 report (baseline scheme) under ``out_dir``; its HTML.

    Only the city page: no unit pages where ``render_report`` can leave them out.
    """
    import inspect

    import zhengji_lab as zl

    kwargs = {"out_dir": out_dir, "progress": False}
    if "units" in inspect.signature(zl.render_report).parameters:
        kwargs["units"] = "none"
    zl.render_report(Path(__file__).parents[1] / "data" / "sample_city", "baseline", 2025,
                     **kwargs)
    found = sorted(Path(out_dir).rglob("city_report.html"))
    assert found, f"render_report wrote no city_report.html under {out_dir}"
    return found[0]


# -- pixel checks ---------------------------------------------------------------------------------
def ink_mask(image: Image.Image):
    """Boolean array: pixels at least :data:`INK_LEVEL` darker than white."""
    import numpy as np

    return np.asarray(image.convert("L"), dtype=float) < 255 - INK_LEVEL


def has_ink(image: Image.Image, min_share: float = MIN_INK) -> bool:
    """Whether at least ``min_share`` of the image's pixels are ink."""
    mask = ink_mask(image)
    return bool(mask.size > 0 and mask.mean() >= min_share)


def glyph_difference(a: Image.Image, b: Image.Image, *, shift: int = 1) -> float:
    """How differently two character crops are inked: 0 for the same drawing, 1 for drawings
    that share no ink.

    Both crops are scaled up 4 times and blurred, then ``b`` is moved over ``a`` by up to
    ``shift`` pixels in quarter-pixel steps; the smallest ``sum|a - b| / (sum a + sum b)`` of
    their ink counts. A glyph drawn at two places differs only by where its edges fall between
    pixels (anti-aliasing), which the alignment and blur absorb; tofu boxes are the same drawing
    for every character.

    Examples
    --------
    >>> from PIL import ImageDraw
    >>> one, two = Image.new("L", (20, 20), 255), Image.new("L", (20, 20), 255)
    >>> ImageDraw.Draw(one).line([2, 10, 18, 10], fill=0, width=2)
    >>> ImageDraw.Draw(two).line([10, 2, 10, 18], fill=0, width=2)
    >>> glyph_difference(one, two) > MIN_DIFFERENCE, glyph_difference(one, one.copy())
    (True, 0.0)
    """
    import numpy as np

    def ink(image):
        image = image.convert("L")
        image = image.resize((image.width * _UP, image.height * _UP), Image.Resampling.BILINEAR)
        return 1 - np.asarray(image.filter(ImageFilter.GaussianBlur(_UP / 2)), float) / 255

    ink_a, ink_b = ink(a), ink(b)
    total = ink_a.sum() + ink_b.sum()
    if total == 0:
        return 0.0
    s = shift * _UP
    h = max(ink_a.shape[0], ink_b.shape[0]) + 2 * s
    w = max(ink_a.shape[1], ink_b.shape[1]) + 2 * s
    fixed = np.zeros((h, w))
    fixed[s:s + ink_a.shape[0], s:s + ink_a.shape[1]] = ink_a
    best = 1.0
    for dy in range(2 * s + 1):
        for dx in range(2 * s + 1):
            moved = np.zeros((h, w))
            moved[dy:dy + ink_b.shape[0], dx:dx + ink_b.shape[1]] = ink_b
            best = min(best, float(np.abs(fixed - moved).sum() / total))
    return best


def check_glyphs_differ(crops: list[tuple[str, Image.Image]], *,
                        min_difference: float = MIN_DIFFERENCE) -> None:
    """Assert every crop has ink and every two crops differ (no tofu).

    Parameters
    ----------
    crops : list of (character, image)
        A crop per character, of distinct characters.

    Raises
    ------
    AssertionError
        Naming the blank character, or the pair that looks the same and how alike they are.
    """
    assert len(crops) >= 2, f"need at least two characters to compare, got {len(crops)}"
    for char, image in crops:
        assert has_ink(image), (f"{char!r} drew no ink (under {MIN_INK:.0%} of its box {image.size}"
                                f" is dark): the text is invisible or not drawn")
    for (c1, i1), (c2, i2) in combinations(crops, 2):
        diff = glyph_difference(i1, i2)
        assert diff >= min_difference, (
            f"{c1!r} and {c2!r} are drawn alike (glyph difference {diff:.3f}, under "
            f"{min_difference}): boxes (tofu) instead of glyphs, so no CJK font is installed or "
            f"named. Install one: `{INSTALL}`")


# -- checks on a page -----------------------------------------------------------------------------
_CHAR_BOXES = r"""
const [root, distinct, limit] = arguments;
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
const seen = new Set(), found = [];
for (let node = walker.nextNode(); node && found.length < limit; node = walker.nextNode()) {
  const text = node.data;
  for (let i = 0; i < text.length && found.length < limit; i++) {
    const ch = text[i];
    if (!/\p{Script=Han}/u.test(ch) || (distinct && seen.has(ch))) continue;
    const range = document.createRange();
    range.setStart(node, i); range.setEnd(node, i + 1);
    const r = range.getBoundingClientRect();
    if (r.width < 4 || r.height < 4 || r.top < 0 || r.left < 0 ||
        r.bottom > window.innerHeight || r.right > window.innerWidth) continue;
    seen.add(ch);
    found.push([ch, {x: r.left, y: r.top, width: r.width, height: r.height}]);
  }
}
return found;
"""


def char_crops(driver, element, *, count: int = 4, distinct: bool = True
               ) -> list[tuple[str, Image.Image]]:
    """Crops of the first ``count`` CJK characters of ``element``'s text (distinct ones by
    default), each cut from a screenshot by its box (a DOM Range over the one character)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    boxes = driver.execute_script(_CHAR_BOXES, element, distinct, count)
    image, scale = screenshot(driver)
    return [(char, crop(image, rect, scale)) for char, rect in boxes]


def _element(driver, page, selector: str):
    from selenium.webdriver.common.by import By

    if page is not None:
        open_page(driver, page)
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    assert found, f"no element matches {selector!r} on {driver.current_url}"
    return found[0]


def assert_chinese_renders(driver, page=None, *, selector: str = "h1", count: int = 4
                           ) -> list[str]:
    """Assert ``count`` distinct CJK characters of the first ``selector`` element on ``page``
    (by default the open page) are drawn as distinct glyphs with ink; returns them."""
    element = _element(driver, page, selector)
    assert element.is_displayed(), f"{selector!r} on {driver.current_url} is not displayed"
    crops = char_crops(driver, element, count=count)
    assert len(crops) == count, (f"{selector!r} on {driver.current_url} shows "
                                 f"{len(crops)} distinct CJK characters in view, not {count}: "
                                 f"{element.text[:80]!r}")
    check_glyphs_differ(crops)
    return [char for char, _ in crops]


_HEADER = r"""
const [want] = arguments;
const norm = s => s.replace(/\s+/g, ' ').trim();
const all = [...document.querySelectorAll('th')];
return all.find(th => norm(th.textContent) === want)
    || all.find(th => norm(th.textContent).includes(want)) || null;
"""

_COLUMN = r"""
const th = arguments[0];
th.scrollIntoView({block: 'center'});
const r = th.getBoundingClientRect();
const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
const hit = document.elementFromPoint(cx, cy);
const table = th.closest('table');
const cells = [...(table ? table.querySelectorAll('tbody td, tbody th') : [])].filter(c => {
  const b = c.getBoundingClientRect();
  return b.width > 0 && b.left < cx && b.right > cx && c.textContent.trim() !== '';
});
return {rect: {x: r.left, y: r.top, width: r.width, height: r.height},
        onTop: hit !== null && (hit === th || th.contains(hit)), cells: cells.length,
        inView: r.left >= 0 && r.right <= window.innerWidth && r.top >= 0 &&
                r.bottom <= window.innerHeight};
"""


def assert_column_visible(driver, header: str, page=None) -> int:
    """Assert the table column headed ``header`` (a ``th``, matched by its whole text, else by
    part of it) on ``page`` (by default the open page) is visible: displayed, inside the
    window, not covered or clipped, with ink, and with non-empty cells below it.

    Returns
    -------
    int
        How many non-empty cells the column has.
    """
    if page is not None:
        open_page(driver, page)
    th = driver.execute_script(_HEADER, header)
    assert th is not None, f"no table header {header!r} on {driver.current_url}"
    assert th.is_displayed(), f"the column {header!r} on {driver.current_url} is hidden"
    info = driver.execute_script(_COLUMN, th)
    where = f"the column {header!r} on {driver.current_url}"
    assert info["rect"]["width"] >= 4 and info["rect"]["height"] >= 4, f"{where} has no size"
    assert info["inView"], f"{where} lies outside the {WINDOW[0]}-pixel-wide window: {info}"
    assert info["onTop"], f"{where} is covered or clipped by another element"
    image, scale = screenshot(driver)
    assert has_ink(crop(image, info["rect"], scale), 0.005), f"{where} shows no text (no ink)"
    assert info["cells"] > 0, f"{where} has no non-empty cells below its header"
    return info["cells"]
