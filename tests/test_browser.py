"""The rendered report in a real browser: Chinese is drawn (no tofu) and columns are visible.

Headless Chromium through selenium (tests/browser.py); the tests skip, naming what is missing
and how to install it, when Chromium, chromedriver or selenium is not there.
"""
import pytest
from browser import (
    MIN_DIFFERENCE,
    assert_chinese_renders,
    assert_column_visible,
    char_crops,
    check_glyphs_differ,
    chromium_driver,
    glyph_difference,
    open_page,
    render_city_report,
    skip_without_browser,
)
from PIL import Image, ImageDraw


@pytest.fixture(scope="module")
def driver():
    with chromium_driver() as d:
        yield d


@pytest.fixture(scope="module")
def city_report(tmp_path_factory):
    """The sample city's 2025 report, rendered once for the module."""
    return render_city_report(tmp_path_factory.mktemp("reports"))


def test_a_missing_browser_skips_naming_what_and_how(monkeypatch):
    monkeypatch.setenv("ZHENGJI_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("ZHENGJI_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"ZHENGJI_CHROMIUM=/nonexistent/chromium.*"
                                                    r"apt-get install chromium chromium-driver"):
        skip_without_browser()
    monkeypatch.setenv("ZHENGJI_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="ZHENGJI_REQUIRE_BROWSER=1 but"):
        skip_without_browser()


# -- the check itself ---------------------------------------------------------------------------
def _box(offset: int = 0) -> Image.Image:
    """A tofu box as Chromium draws a glyph no font has: the same rectangle for every char."""
    image = Image.new("L", (32, 40), 255)
    ImageDraw.Draw(image).rectangle([5 + offset, 6, 26 + offset, 34], outline=0, width=2)
    return image


def test_the_glyph_check_fails_on_tofu_and_blanks():
    tofu = [("青", _box()), ("川", _box(1)), ("市", _box(2))]   # shifted by subpixels on a line
    with pytest.raises(AssertionError, match=r"drawn alike.*tofu.*apt-get install"):
        check_glyphs_differ(tofu)
    blank = Image.new("L", (32, 40), 255)
    with pytest.raises(AssertionError, match=r"'川' drew no ink"):
        check_glyphs_differ([("青", _box()), ("川", blank)])
    strokes = []
    for char, line in [("一", [4, 20, 28, 20]), ("丨", [16, 4, 16, 36]), ("丿", [26, 4, 6, 36])]:
        image = Image.new("L", (32, 40), 255)
        ImageDraw.Draw(image).line(line, fill=0, width=3)
        strokes.append((char, image))
    check_glyphs_differ(strokes)


def test_the_glyph_check_on_real_glyphs(driver, tmp_path):
    """In Chromium, the same character at several places compares alike (as tofu would),
    distinct characters compare apart: the threshold sits between the two."""
    page = tmp_path / "glyphs.html"
    page.write_text('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body '
                    'style="font: 32px \'Noto Sans CJK SC\', sans-serif">'
                    '<p id="same">报 报 报 报</p><p id="distinct">青川市年度考核报告</p>',
                    encoding="utf-8")
    open_page(driver, page)
    same = char_crops(driver, driver.find_element("id", "same"), distinct=False)
    assert [c for c, _ in same] == ["报"] * 4
    assert max(glyph_difference(same[0][1], img) for _, img in same[1:]) < MIN_DIFFERENCE / 2
    with pytest.raises(AssertionError, match="drawn alike"):
        check_glyphs_differ(same)
    assert assert_chinese_renders(driver, selector="#distinct", count=6) == list("青川市年度考")


# -- the report ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_city_report_draws_chinese_and_shows_the_rank_band(driver, city_report):
    chars = assert_chinese_renders(driver, city_report, selector="h1", count=4)
    assert len(set(chars)) == 4
    assert assert_column_visible(driver, "排名区间") >= 5


@pytest.mark.slow
def test_index_links_to_a_unit_page_with_chinese_and_rank_bands(driver, full_run):
    """Acceptance (issue 11): open the full run's index.html, follow the link of a unit's name
    (a real click), and check by pixels that the unit page draws Chinese (no tofu) and shows
    the rank band column (排名区间)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    proc, index, _ = full_run
    assert proc.returncode == 0, proc.stderr[-2000:]
    open_page(driver, index)
    assert_chinese_renders(driver, selector="h1")
    link = driver.find_element(By.LINK_TEXT, "云溪街道")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
    link.click()
    WebDriverWait(driver, 30).until(lambda d: d.current_url.endswith("units/town_yunxi.html"))
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; document.fonts.ready.then(() => done());")
    assert_chinese_renders(driver, selector="h1")
    assert assert_column_visible(driver, "排名区间") >= 5          # a band for most years
    back = driver.find_element(By.PARTIAL_LINK_TEXT, "返回全市报告")
    back.click()
    WebDriverWait(driver, 30).until(lambda d: d.current_url.endswith("city_report.html"))
    assert_column_visible(driver, "排名区间")
