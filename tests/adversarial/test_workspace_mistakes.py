"""Workspaces as a county office fills them in (issue 10, "Nothing silent, nothing lost").

One test per mistake class of :data:`MISTAKES` (``test_<id>``), each asserting the exact outcome:
a :class:`~zhengji_lab.errors.WorkspaceError` whose problems table names file or sheet, row,
column, the value and the fix; a located :class:`~zhengji_lab.errors.WorkspaceWarning` (kept in
``Workspace.warnings`` and repeated in ``Assessment.log``); or the correct result.  Mistakes are
made in copies of the sample city (its 2024–2025 data; workbooks: 2025 only), and a property test
mutates it at random: loading and building either give a result or a located error.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zhengji_lab as zl
from zhengji_lab.errors import (
    BuildError,
    InconsistentJudgementWarning,
    WorkspaceError,
    WorkspaceWarning,
)

#: Mistake classes (id → what the office did); ``test_<id>`` checks each.
MISTAKES = {
    # Excel workbooks
    "xlsx_merged_cells": "a peer group merged over the towns and parks in the units sheet",
    "xlsx_formula_without_result": "formulas in a workbook a program wrote (no saved results)",
    "xlsx_percent_cell": "a percent-formatted value (Excel shows 90.7 %) of an indicator in %",
    "xlsx_percent_cell_other_unit": "a percent-formatted value of an indicator measured in 分",
    "xlsx_percent_cell_elsewhere": "percent-formatted deduction points",
    "xlsx_excel_error_value": "#DIV/0! left in a value cell by a failed formula",
    "xlsx_sheet_name_case": "the values sheet named 'Values '",
    "xlsx_unknown_sheet": "an extra sheet of notes",
    "xlsx_missing_sheet": "the units sheet deleted",
    "xlsx_leading_zeros": "unit codes 001 typed as numbers (Excel drops the zeros)",
    "xlsx_date_in_year": "a year Excel turned into a date",
    "old_workbook_format": "an .xls (Excel 97–2003) or WPS .et workbook given to load",
    # codes and ids
    "unit_id_case": "two units whose ids differ only in case",
    "code_case_reference": "values for 'Town_Yunxi' where units.csv has 'town_yunxi'",
    "kind_case": "framework kinds 'Town' where units are of the kind 'town'",
    "peer_group_case": "peer groups 'Agency' and 'agency'",
    "zero_width_in_id": "a zero-width space pasted into a unit id",
    "fullwidth_id": "a unit id typed in full-width letters (Chinese input method)",
    "bom_in_cell": "a byte-order mark inside a cell (files pasted together)",
    "trailing_spaces_in_ids": "trailing spaces and no-break spaces around ids",
    "kinds_fullwidth_separator": "kinds separated by the full-width ；",
    "kinds_comma_separator": "kinds separated by , and 、",
    "unknown_kind_in_framework": "a misspelt kind in the framework (twon)",
    "unknown_unit": "a value for a unit that is not in units.csv",
    "unknown_indicator": "a value for an indicator that is not in the framework",
    "duplicate_unit": "a unit listed twice",
    "duplicate_value_row": "the same unit, year and indicator twice",
    # numbers
    "year_out_of_range": "years 25 and 2205",
    "year_far_from_others": "a year 2052 among 2022–2025",
    "huge_value": "1e300 and ±1.7e308 in values",
    "text_in_value": "'10万' in a value cell",
    "missing_marker": "'-' and '/' written for a missing value",
    "thousands_separator": "'1,234' with a thousands separator",
    "fullwidth_digits": "a value in full-width digits ９０．５",
    "percent_text": "'90.7%' in a CSV value of an indicator in %",
    "percent_text_other_unit": "'90%' in a CSV value of an indicator measured in 分",
    "empty_required_cell": "a value row without its unit id",
    "negative_points": "deduction points written as -1",
    "points_above_item_maximum": "more points than the negative list allows for the item",
    # the framework
    "dimension_without_indicators": "a dimension with no indicators under it",
    "level_inconsistent": "the root at level 4 above dimensions at level 2",
    "orphan_parent": "a parent code that is not in the framework",
    "bad_direction": "direction 0 (neither +1 nor -1)",
    "value_for_dimension": "a value given for a dimension",
    "value_for_other_kind": "a value of an indicator that does not apply to the unit's kind",
    "individualized_without_target": "a value of an individualized indicator without a target",
    # peer groups, targets, deductions, years (suspicious but possible)
    "empty_peer_group": "a unit without a peer group among units with one",
    "peer_group_of_one": "a typo that makes a peer group of one unit (town_parks)",
    "target_for_common_indicator": "a target for a common indicator the scheme does not use",
    "deduction_year_without_values": "a deduction dated 2026 (no values that year)",
    "deduction_unit_without_values": "a deduction of a unit without values that year",
    "key_indicator_missing": "the satisfaction survey (a key indicator) missing for everyone",
    "year_rows_all_empty": "a year whose rows are all empty",
    "unit_without_values": "a unit without values in the year built",
    # files, encodings, layout
    "utf16_unicode_text": "values saved as Excel's 'Unicode text' (UTF-16, tab-separated)",
    "utf16_big_endian": "a UTF-16 big-endian file",
    "semicolon_csv": "a CSV separated by semicolons",
    "gbk_csv": "a CSV saved in GBK, the default of Chinese Windows",
    "header_case": "column names in another case (Unit_ID, Year)",
    "title_row_above_header": "a title row above the column names",
    "wide_values": "values written wide (years as columns)",
    "duplicate_column_name": "two columns named kind",
    "missing_column": "the value column named val",
    "missing_required_file": "framework.csv missing",
    "table_saved_as_xlsx": "values saved as values.xlsx in a folder workspace",
    "file_name_case": "the file named Values.csv",
    "extra_unknown_table_file": "an extra value.csv (a copy under a wrong name)",
    "judgement_saved_as_xlsx": "an expert's judgement saved as .xlsx in judgements/",
    "excel_lock_file": "Excel's lock file ~$expert_1.csv next to an open judgement",
    "blank_rows_and_crlf": "blank rows and Windows line ends",
}

YEARS = (2024, 2025)
SCHEME = "equal"   # no expert panel: no judgement warnings in the way


# ---------------------------------------------------------------------------------------------
# Workspaces to break
def _trim(src, dst, years) -> None:
    """Copy the sample city keeping only ``years`` (rows of other years are dropped)."""
    shutil.copytree(src, dst)
    for name in ("values", "targets", "deductions", "outcomes", "covariates"):
        file = dst / f"{name}.csv"
        rows = list(csv.reader(io.StringIO(file.read_text("utf-8-sig"), newline="")))
        at = rows[0].index("year")
        kept = [rows[0]] + [r for r in rows[1:] if int(r[at]) in years]
        text = io.StringIO(newline="")
        csv.writer(text, lineterminator="\n").writerows(kept)
        file.write_text("\ufeff" + text.getvalue(), encoding="utf-8")
    for file in (dst / "schemes").glob("*.yaml"):   # goalposts fitted on a year that is there
        file.write_text(file.read_text("utf-8").replace("reference_year: 2022",
                                                        f"reference_year: {min(years)}"), "utf-8")


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The sample city of 2024–2025 (loads and builds without a warning)."""
    root = tmp_path_factory.mktemp("clean") / "ws"
    _trim(DATA / "sample_city", root, YEARS)
    return root


@pytest.fixture(scope="module")
def clean_book(tmp_path_factory):
    """The sample city of 2025 as a workbook."""
    root = tmp_path_factory.mktemp("book") / "ws"
    _trim(DATA / "sample_city", root, (2025,))
    with warnings.catch_warnings():
        warnings.simplefilter("error", WorkspaceWarning)
        ws = zl.load_workspace(root)
    return zl.write_workspace(ws, root.parent / "city.xlsx")


@pytest.fixture(scope="module")
def clean_ws(clean):
    return zl.load_workspace(clean)


@pytest.fixture
def ws_dir(clean, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(clean, root)
    return root


@pytest.fixture
def book(clean_book, tmp_path):
    path = tmp_path / "city.xlsx"
    shutil.copy(clean_book, path)
    return path


def read(root, name: str) -> str:
    return (root / name).read_text("utf-8-sig")


def write(root, name: str, text: str, encoding: str = "utf-8") -> None:
    (root / name).write_bytes(text.encode(encoding))


def change(root, name: str, old: str, new: str, count: int = 1) -> None:
    text = read(root, name)
    assert text.count(old) >= count, old
    write(root, name, text.replace(old, new, count))


def append(root, name: str, *lines: str) -> None:
    write(root, name, read(root, name).rstrip("\n") + "\n" + "\n".join(lines) + "\n")


def line_of(root, name: str, start: str) -> int:
    """Spreadsheet row (header = 1) of the first line starting with ``start``."""
    lines = read(root, name).splitlines()
    return next(i for i, line in enumerate(lines) if line.startswith(start)) + 1


def problems_of(path) -> pd.DataFrame:
    with pytest.raises(WorkspaceError) as err:
        zl.load_workspace(path)
    table = err.value.problems
    assert list(table.columns) == ["file", "row", "column", "value", "problem", "fix"]
    assert table["fix"].str.len().gt(0).all() and table["file"].str.len().gt(0).all()
    return table


def warned(path):
    """Load ``path``; the WorkspaceWarning's table and the workspace."""
    with pytest.warns(WorkspaceWarning) as caught:
        ws = zl.load_workspace(path)
    found = [w.message for w in caught if isinstance(w.message, WorkspaceWarning)]
    assert len(found) == 1 and found[0].problems.equals(ws.warnings)
    return ws.warnings, ws


def find(table: pd.DataFrame, file: str, row, column: str, value=None, problem: str = "",
         fix: str = "") -> pd.Series:
    """The one row of a problems or warnings table at this place, matching the patterns."""
    at = table["file"].eq(file) & table["column"].eq(column)
    at &= table["row"].isna() if row is None else table["row"].eq(row)
    if value is not None:
        at &= table["value"].eq(str(value))
    at &= table["problem"].str.contains(problem, regex=True)
    at &= table["fix"].str.contains(fix, regex=True)
    assert at.sum() == 1, table.to_string()
    return table[at].iloc[0]


def build(ws, year: int = 2025, scheme: str = SCHEME):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentJudgementWarning)
        return zl.build(ws, scheme, year=year)


def logged(a) -> list:
    """The ``workspace`` records of an assessment's log, as (file, row, column, problem)."""
    return [(r.resolved.file, r.resolved.row, r.resolved.column, r.resolved.problem)
            for r in a.log if r.step == "workspace"]


def open_book(path):
    return openpyxl.load_workbook(path)


def header_index(sheet, name: str) -> int:
    """1-based column of ``name`` in row 1."""
    return [c.value for c in sheet[1]].index(name) + 1


def sheet_row(sheet, **match) -> int:
    """The first row whose cells in the named columns equal ``match``."""
    cols = {k: header_index(sheet, k) for k in match}
    for r in range(2, sheet.max_row + 1):
        if all(sheet.cell(r, c).value == match[k] for k, c in cols.items()):
            return r
    raise AssertionError(match)


def test_classes_are_counted():
    tests = {name[5:] for name in globals() if name.startswith("test_")}
    assert set(MISTAKES) <= tests, sorted(set(MISTAKES) - tests)
    assert len(MISTAKES) >= 30


# ---------------------------------------------------------------------------------------------
# Valid workspaces stay silent
@pytest.mark.parametrize("name", ["sample_city", "reference/asem_coinr",
                                  "reference/oecd_tai_2008"])
def test_valid_workspaces_load_and_build_without_a_warning(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=InconsistentJudgementWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        ws = zl.load_workspace(DATA / name)
        assert ws.warnings.empty
        for scheme in ws.schemes:
            a = zl.build(ws, scheme, year=ws.years[-1])
            assert not logged(a)


def test_trimmed_copies_are_clean(clean, clean_book):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ws = zl.load_workspace(clean)
        assert not logged(build(ws)) and zl.load_workspace(clean_book).warnings.empty


# ---------------------------------------------------------------------------------------------
# Excel workbooks
def test_xlsx_merged_cells(book):
    wb = open_book(book)
    units = wb["units"]
    col = header_index(units, "peer_group")
    letter = openpyxl.utils.get_column_letter(col)
    units.merge_cells(f"{letter}2:{letter}15")   # the 10 towns and 4 parks
    wb.save(book)
    p = find(problems_of(book), "city.xlsx, sheet 'units'", 2, "peer_group", "towns_parks",
             rf"the cells {letter}2:{letter}15 are merged: they read as 'towns_parks' in the "
             r"first cell and 13 empty cells", r"unmerge .*fill down")
    assert p is not None


def test_xlsx_formula_without_result(book):
    wb = open_book(book)
    values = wb["values"]
    col = header_index(values, "value")
    first = sheet_row(values, indicator="eco_gdp_growth")
    rows = [r for r in range(first, values.max_row + 1)
            if values.cell(r, header_index(values, "indicator")).value == "eco_gdp_growth"][:3]
    for r in rows:   # =ROUND(...) written by a program: openpyxl saves no result
        values.cell(r, col).value = f"=ROUND({values.cell(r, col).value}*1.0,1)"
    wb.save(book)
    table = problems_of(book)
    for r in rows:
        p = find(table, "city.xlsx, sheet 'values'", r, "value", None,
                 r"hold a formula without a saved result \(e\.g\. =ROUND", r"save it")
        assert p["value"].startswith("=ROUND(")


def test_xlsx_percent_cell(book, clean_book):
    wb = open_book(book)
    values = wb["values"]
    rows, shown_values = [], []
    for unit in ("town_yunxi", "town_qingshi"):
        r = sheet_row(values, unit_id=unit, indicator="eco_tax_share")  # unit: %
        cell = values.cell(r, header_index(values, "value"))
        rows.append(r)
        shown_values.append(cell.value)
        cell.value = cell.value / 100          # Excel shows 0.751 as 75.1 %
        cell.number_format = "0.0%"
    wb.save(book)
    table, ws = warned(book)
    stored = repr(shown_values[0] / 100)
    find(table, "city.xlsx, sheet 'values'", rows[0], "value", stored,
         rf"2 percentages of indicators measured in % were read as shown \(rows {rows[0]}, "
         rf"{rows[1]}\); row {rows[0]}: {stored} formatted as % as {shown_values[0]:g}",
         "plain numbers")
    v = ws.values.set_index(["unit_id", "year", "indicator"])["value"]
    assert [v["town_yunxi", 2025, "eco_tax_share"], v["town_qingshi", 2025, "eco_tax_share"]] \
        == shown_values                      # as displayed, not 0.751
    assert zl.load_workspace(clean_book).equals(ws)


def test_xlsx_percent_cell_other_unit(book):
    wb = open_book(book)
    values = wb["values"]
    r = sheet_row(values, unit_id="town_yunxi", indicator="liv_satisfaction")  # unit: 分
    values.cell(r, header_index(values, "value")).number_format = "0%"
    wb.save(book)
    find(problems_of(book), "city.xlsx, sheet 'values'", r, "value", None,
         r"formatted as a percentage .* the unit of 'liv_satisfaction' in the framework is not %",
         r"format the cell as a number")


def test_xlsx_percent_cell_elsewhere(book):
    wb = open_book(book)
    ded = wb["deductions"]
    ded.cell(2, header_index(ded, "points")).number_format = "0.00%"
    wb.save(book)
    find(problems_of(book), "city.xlsx, sheet 'deductions'", 2, "points", None,
         r"formatted as a percentage \(Excel shows 50%, the cell holds 0\.5\), but 'points' is "
         r"not a percentage", "format the cell as a number")


def test_xlsx_excel_error_value(book):
    wb = open_book(book)
    values = wb["values"]
    values.cell(5, header_index(values, "value")).value = "#DIV/0!"
    wb.save(book)
    find(problems_of(book), "city.xlsx, sheet 'values'", 5, "value", "#DIV/0!",
         r"the Excel error #DIV/0! \(a formula failed\)", r"correct the formula")


def test_xlsx_sheet_name_case(book, clean_book):
    wb = open_book(book)
    wb["values"].title = "Values "
    wb.save(book)
    table, ws = warned(book)
    find(table, "city.xlsx, sheet 'Values '", None, "", "Values ",
         r"the sheet 'Values ' was read as the table 'values'", "rename the sheet to 'values'")
    assert ws.equals(zl.load_workspace(clean_book))


def test_xlsx_unknown_sheet(book):
    wb = open_book(book)
    wb.create_sheet("备注 notes")["A1"] = "会议记录"
    wb.save(book)
    table, _ = warned(book)
    find(table, "city.xlsx, sheet '备注 notes'", None, "", "备注 notes",
         r"Sheet '备注 notes' is not part of a workspace and was ignored", "rename the sheet")


def test_xlsx_missing_sheet(book):
    wb = open_book(book)
    del wb["units"]
    wb.save(book)
    find(problems_of(book), "city.xlsx, sheet 'units'", None, "", "",
         "a required sheet is missing", "add a sheet named 'units'")


def test_xlsx_leading_zeros(book):
    wb = open_book(book)
    units, values = wb["units"], wb["values"]
    units.cell(2, 1).value = "001"            # typed as text in units …
    for r in range(2, values.max_row + 1):    # … as a number in values: Excel stores 1
        if values.cell(r, 1).value == "town_yunxi":
            values.cell(r, 1).value = 1
    r = sheet_row(values, unit_id=1)
    wb.save(book)
    find(problems_of(book), "city.xlsx, sheet 'values'", r, "unit_id", "1",
         r"unknown unit '1' \(did you mean '001'\? Excel drops the leading zeros", "add it to")


def test_xlsx_date_in_year(book):
    import datetime

    wb = open_book(book)
    values = wb["values"]
    values.cell(3, header_index(values, "year")).value = datetime.datetime(2025, 1, 1)
    wb.save(book)
    find(problems_of(book), "city.xlsx, sheet 'values'", 3, "year", "2025-01-01 00:00:00",
         r"text '2025-01-01 00:00:00' in the number column 'year'", "four-digit whole number")


@pytest.mark.parametrize("suffix, what", [(".xls", "Excel 97–2003"), (".et", "WPS")])
def test_old_workbook_format(tmp_path, suffix, what):
    path = tmp_path / f"city{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ValueError, match=rf"Got '.*city\{suffix}' instead: .*{what} workbook; "
                                         r"open it in Excel or WPS and save it as an \.xlsx"):
        zl.load_workspace(path)


# ---------------------------------------------------------------------------------------------
# Codes and ids
def test_unit_id_case(ws_dir):
    append(ws_dir, "units.csv", "Town_Yunxi,云溪街道(新),,town,towns_parks,,,,,,")
    find(problems_of(ws_dir), "units.csv", 48, "unit_id", "Town_Yunxi",
         r"'Town_Yunxi' and 'town_yunxi' \(row 2\) differ only in case; codes are "
         r"case-sensitive, so these are two different units", "write one spelling")


def test_code_case_reference(ws_dir):
    row = line_of(ws_dir, "values.csv", "town_yunxi,2025,eco_gdp_growth")
    change(ws_dir, "values.csv", "town_yunxi,2025,eco_gdp_growth", "Town_Yunxi,2025,eco_gdp_growth")
    change(ws_dir, "values.csv", "town_yunxi,2025,eco_tax_share", "town_yunxi,2025,ECO_TAX_SHARE")
    table = problems_of(ws_dir)
    find(table, "values.csv", row, "unit_id", "Town_Yunxi",
         r"unknown unit 'Town_Yunxi' \(did you mean 'town_yunxi'\? codes are case-sensitive\)",
         r"add it to units\.csv, or correct the code")
    find(table, "values.csv", row + 2, "indicator", "ECO_TAX_SHARE",
         r"unknown indicator 'ECO_TAX_SHARE' \(did you mean 'eco_tax_share'\?", "correct")


def test_kind_case(ws_dir):
    change(ws_dir, "framework.csv", ",individualized,town,", ",individualized,Town,")
    row = line_of(ws_dir, "framework.csv", "ind_featured_industry")
    find(problems_of(ws_dir), "framework.csv", row, "kinds", "Town",
         r"the kind 'Town' of 'ind_featured_industry' differs only in case from the kind 'town'",
         r"write 'town'")


def test_peer_group_case(ws_dir):
    row = line_of(ws_dir, "units.csv", "agency_finance")
    change(ws_dir, "units.csv", "Finance Bureau,agency,agency", "Finance Bureau,agency,Agency")
    find(problems_of(ws_dir), "units.csv", row, "peer_group", "Agency",
         r"'Agency' and 'agency' \(row \d+\) differ only in case; .* two different peer_groups",
         "write one spelling")


def test_zero_width_in_id(ws_dir, clean_ws):
    row = line_of(ws_dir, "values.csv", "town_qingshi,2024")
    change(ws_dir, "values.csv", "town_qingshi,2024", "town_\u200bqingshi,2024")
    table, ws = warned(ws_dir)
    find(table, "values.csv", row, "unit_id", "town_\\u200bqingshi",
         r"the cell held an invisible or full-width character and was read without it: "
         r"character 6 is U\+200B \(ZERO WIDTH SPACE\), read as 'town_qingshi'", "retype")
    assert ws.equals(clean_ws)


def test_fullwidth_id(ws_dir, clean_ws):
    rows = [line_of(ws_dir, "values.csv", "park_port,2025,eco_gdp_growth") + i for i in (0, 1)]
    for _ in rows:
        change(ws_dir, "values.csv", "park_port,2025", "ｐａｒｋ_ｐｏｒｔ,2025")
    table, ws = warned(ws_dir)
    find(table, "values.csv", rows[0], "unit_id", "ｐａｒｋ_ｐｏｒｔ",
         rf"2 cells .* were read without them \(rows {rows[0]}–{rows[1]}\); row {rows[0]}: "
         r"character 1 is U\+FF50 \(FULLWIDTH LATIN SMALL LETTER P\), read as 'park_port'",
         "retype")
    assert ws.equals(clean_ws)


def test_bom_in_cell(ws_dir, clean_ws):
    row = line_of(ws_dir, "units.csv", "park_chem")
    change(ws_dir, "units.csv", "park_chem,", "\ufeffpark_chem,")
    table, ws = warned(ws_dir)
    find(table, "units.csv", row, "unit_id", "\\ufeffpark_chem",
         r"character 1 is U\+FEFF \(ZERO WIDTH NO-BREAK SPACE\), read as 'park_chem'", "retype")
    assert ws.equals(clean_ws)


def test_trailing_spaces_in_ids(ws_dir, clean_ws):
    """Spaces and no-break spaces around a cell are not part of it (silently: they are never
    meant)."""
    change(ws_dir, "values.csv", "town_yunxi,2025,eco_gdp_growth",
           "town_yunxi  ,2025, eco_gdp_growth\u00a0")
    change(ws_dir, "units.csv", "town_liuwan,", "town_liuwan\u3000,")
    with warnings.catch_warnings():
        warnings.simplefilter("error", WorkspaceWarning)
        assert zl.load_workspace(ws_dir).equals(clean_ws)


def test_kinds_fullwidth_separator(ws_dir, clean_ws):
    row = line_of(ws_dir, "framework.csv", "eco_gdp_growth")
    change(ws_dir, "framework.csv", "common,town;park,visible,市统计局 Statistics Bureau,yes",
           "common,town；park,visible,市统计局 Statistics Bureau,yes")
    table, ws = warned(ws_dir)
    find(table, "framework.csv", row, "kinds", "town；park",
         r"character 5 is U\+FF1B \(FULLWIDTH SEMICOLON\), read as 'town;park'", "retype")
    assert ws.equals(clean_ws)


def test_kinds_comma_separator(ws_dir, clean_ws):
    rows = [line_of(ws_dir, "framework.csv", c) for c in ("eco_gdp_growth", "eco_investment")]
    for sep in (", ", "、"):
        change(ws_dir, "framework.csv", "common,town;park,visible",
               f'common,"town{sep}park",visible')
    table, ws = warned(ws_dir)
    find(table, "framework.csv", rows[0], "kinds", "town, park",
         rf"kinds separated by ',' '、' or '\|' were read as separated by ';' \(rows "
         rf"{rows[0]}–{rows[1]}\): 'town, park' → 'town;park'", "separate kinds with ';'")
    assert ws.equals(clean_ws)


def test_unknown_kind_in_framework(ws_dir):
    # a misspelt kind on an indicator units have values for: their values are errors, whose fix
    # names the kind no unit has
    change(ws_dir, "framework.csv", "common,town,visible,市统计局 Statistics Bureau,\n",
           "common,twon,visible,市统计局 Statistics Bureau,\n")
    row = line_of(ws_dir, "values.csv", "town_yunxi,2024,liv_income_growth")
    find(problems_of(ws_dir), "values.csv", row, "indicator", "liv_income_growth",
         r"'liv_income_growth' applies to kinds twon only, but unit 'town_yunxi' is a 'town'",
         r"correct the kinds of 'liv_income_growth' in framework\.csv: 'twon' is the kind of no "
         "unit")
    # a kind no unit has, on an indicator without values: a warning
    change(ws_dir, "framework.csv", "common,twon,visible", "common,town,visible")
    row = len(read(ws_dir, "framework.csv").splitlines()) + 1
    append(ws_dir, "framework.csv", "pty_cadre_review,干部考察,Cadre review,party,1,1,分,common,"
                                    "cadre,visible,市委组织部,")
    table, _ = warned(ws_dir)
    find(table, "framework.csv", row, "kinds", "cadre",
         r"'pty_cadre_review' applies to the kind 'cadre', which no unit in units\.csv has",
         r"check the spelling \(units are of the kinds agency, enterprise, institution, park, "
         r"town\)")


def test_unknown_unit(ws_dir):
    append(ws_dir, "values.csv", "town_x,2025,eco_gdp_growth,7")
    n = len(read(ws_dir, "values.csv").splitlines())
    find(problems_of(ws_dir), "values.csv", n, "unit_id", "town_x", r"unknown unit 'town_x'$",
         r"add it to units\.csv")


def test_unknown_indicator(ws_dir):
    append(ws_dir, "values.csv", "town_yunxi,2025,eco_gpd_growth,7")
    n = len(read(ws_dir, "values.csv").splitlines())
    find(problems_of(ws_dir), "values.csv", n, "indicator", "eco_gpd_growth",
         r"unknown indicator 'eco_gpd_growth'$", r"add it to framework\.csv")


def test_duplicate_unit(ws_dir):
    append(ws_dir, "units.csv", "town_baisha,白沙镇,Baisha Town,town,towns_parks,,,,,,")
    find(problems_of(ws_dir), "units.csv", 48, "unit_id", "town_baisha",
         r"duplicate of row 6 \(same unit_id\)", "keep one of the rows")


def test_duplicate_value_row(ws_dir):
    row = line_of(ws_dir, "values.csv", "town_yunxi,2025,eco_gdp_growth")
    append(ws_dir, "values.csv", "town_yunxi,2025,eco_gdp_growth,9.9")
    n = len(read(ws_dir, "values.csv").splitlines())
    find(problems_of(ws_dir), "values.csv", n, "unit_id/year/indicator",
         "town_yunxi/2025/eco_gdp_growth", rf"duplicate of row {row}", "keep one of the rows")


# ---------------------------------------------------------------------------------------------
# Numbers
def test_year_out_of_range(ws_dir):
    rows = [line_of(ws_dir, "values.csv", f"town_yunxi,2025,{c}")
            for c in ("eco_gdp_growth", "eco_investment_growth")]
    change(ws_dir, "values.csv", "town_yunxi,2025,eco_gdp_growth", "town_yunxi,25,eco_gdp_growth")
    change(ws_dir, "values.csv", "town_yunxi,2025,eco_investment_growth",
           "town_yunxi,2205,eco_investment_growth")
    table = problems_of(ws_dir)
    for row, year in zip(rows, ("25", "2205")):
        find(table, "values.csv", row, "year", year,
             rf"'year' must be between 1900 and 2100; got '{year}'", "four-digit whole number")


def test_year_far_from_others(ws_dir):
    rows = [line_of(ws_dir, "values.csv", f"town_yunxi,2025,{c}")
            for c in ("eco_gdp_growth", "eco_investment_growth")]
    for c in ("eco_gdp_growth", "eco_investment_growth"):
        change(ws_dir, "values.csv", f"town_yunxi,2025,{c}", f"town_yunxi,2052,{c}")
    table, ws = warned(ws_dir)
    find(table, "values.csv", rows[0], "year", "2052",
         rf"the year 2052 is 27 years from the nearest other year of values \(rows "
         rf"{rows[0]}–{rows[1]}; the others: 2024, 2025\)", "a typo")
    assert 2052 in ws.years
    a = build(ws)   # the warning found when loading is in every build's log
    assert ("values.csv", rows[0], "year") in [x[:3] for x in logged(a)]


def test_huge_value(ws_dir):
    rows = [line_of(ws_dir, "values.csv", f"town_yunxi,2025,{c}")
            for c in ("eco_gdp_growth", "eco_investment_growth", "eco_tax_share")]
    for c, v in zip(("eco_gdp_growth", "eco_investment_growth", "eco_tax_share"),
                    ("1e300", "-1.7e308", "1.7976931348623157e309")):
        text = read(ws_dir, "values.csv")
        old = re.search(rf"town_yunxi,2025,{c},[^\n]*", text)[0]
        write(ws_dir, "values.csv", text.replace(old, f"town_yunxi,2025,{c},{v}"))
    table = problems_of(ws_dir)
    for row, v in zip(rows, ("1e300", "-1.7e308", "1.7976931348623157e309")):
        find(table, "values.csv", row, "value", v, rf"{re.escape(v)} is beyond ±1e\+15",
             "correct the number")


def _set_value(root, unit: str, year: int, code: str, new: str) -> int:
    """Write ``new`` as the value of (unit, year, code); returns its row."""
    text = read(root, "values.csv")
    old = re.search(rf"(?m)^{unit},{year},{code},[^\n]*", text)[0]
    write(root, "values.csv", text.replace(old, f"{unit},{year},{code},{new}", 1))
    return line_of(root, "values.csv", f"{unit},{year},{code},")


def test_text_in_value(ws_dir):
    row = _set_value(ws_dir, "town_yunxi", 2025, "liv_new_jobs", "10万")
    find(problems_of(ws_dir), "values.csv", row, "value", "10万",
         "text '10万' in the number column 'value'", "write a plain number")


def test_missing_marker(ws_dir):
    rows = [_set_value(ws_dir, "town_yunxi", 2025, c, m)
            for c, m in (("liv_new_jobs", "-"), ("eco_tax_share", "/"))]
    table = problems_of(ws_dir)
    for row, m in zip(rows, ("-", "/")):
        find(table, "values.csv", row, "value", m, f"text '{m}' in the number column",
             "leave the cell empty if the value is missing")


def test_thousands_separator(ws_dir):
    row = _set_value(ws_dir, "town_yunxi", 2025, "liv_new_jobs", '"1,234"')
    find(problems_of(ws_dir), "values.csv", row, "value", "1,234", "text '1,234'",
         "no units, % signs or thousands separators")


def test_fullwidth_digits(ws_dir):
    row = _set_value(ws_dir, "town_yunxi", 2025, "liv_satisfaction", "９０．５")
    table, ws = warned(ws_dir)
    find(table, "values.csv", row, "value", "９０．５",
         r"character 1 is U\+FF19 \(FULLWIDTH DIGIT NINE\), read as '90\.5'", "retype")
    v = ws.values.set_index(["unit_id", "year", "indicator"])["value"]
    assert v["town_yunxi", 2025, "liv_satisfaction"] == 90.5


def test_percent_text(ws_dir):
    rows = [_set_value(ws_dir, "town_yunxi", 2025, "eco_tax_share", "90.7%"),     # unit %
            _set_value(ws_dir, "town_yunxi", 2025, "eco_key_projects", "９８．５％")]
    table, ws = warned(ws_dir)
    find(table, "values.csv", min(rows), "value", "90.7%" if rows[0] < rows[1] else "９８．５％",
         rf"2 percentages of indicators measured in % were read as shown \(rows "
         rf"{min(rows)}, {max(rows)}\)", "plain numbers")
    v = ws.values.set_index(["unit_id", "year", "indicator"])["value"]
    assert v["town_yunxi", 2025, "eco_tax_share"] == 90.7
    assert v["town_yunxi", 2025, "eco_key_projects"] == 98.5


def test_percent_text_other_unit(ws_dir):
    row = _set_value(ws_dir, "town_yunxi", 2025, "liv_satisfaction", "90%")   # unit 分
    find(problems_of(ws_dir), "values.csv", row, "value", "90%",
         "text '90%' in the number column 'value'", "no units, % signs")


def test_empty_required_cell(ws_dir):
    row = line_of(ws_dir, "values.csv", "town_yunxi,2025,eco_gdp_growth")
    change(ws_dir, "values.csv", "town_yunxi,2025,eco_gdp_growth", ",2025,eco_gdp_growth")
    find(problems_of(ws_dir), "values.csv", row, "unit_id", "", "'unit_id' is empty",
         "fill in the unit_id")


def test_negative_points(ws_dir):
    change(ws_dir, "deductions.csv", "town_qingshi,2025,blind_development,0.5",
           "town_qingshi,2025,blind_development,-1")
    row = line_of(ws_dir, "deductions.csv", "town_qingshi,2025")
    find(problems_of(ws_dir), "deductions.csv", row, "points", "-1",
         "'points' must be at least 0; got '-1'", "write at least 0")


def test_points_above_item_maximum(ws_dir):
    change(ws_dir, "deductions.csv", "town_qingshi,2025,blind_development,0.5",
           "town_qingshi,2025,blind_development,5")
    row = line_of(ws_dir, "deductions.csv", "town_qingshi,2025")
    find(problems_of(ws_dir), "deductions.csv", row, "points", "5.0",
         "5 points exceed the maximum 2 of item 'blind_development'", "correct the points")


# ---------------------------------------------------------------------------------------------
# The framework
def test_dimension_without_indicators(ws_dir):
    append(ws_dir, "framework.csv", "culture,文化建设,Culture,index,2,1,分,common,,visible,,")
    row = len(read(ws_dir, "framework.csv").splitlines())
    find(problems_of(ws_dir), "framework.csv", row, "level", "2",
         r"'culture' has level 2 but no children: a dimension without indicators",
         r"add its indicators \(rows with parent 'culture'\), or delete the row")


def test_level_inconsistent(ws_dir):
    change(ws_dir, "framework.csv", "index,综合考核指数,Comprehensive assessment index,,3,",
           "index,综合考核指数,Comprehensive assessment index,,4,")
    change(ws_dir, "framework.csv", "eco_gdp_growth,地区生产总值增速,GDP growth,economy,1,",
           "eco_gdp_growth,地区生产总值增速,GDP growth,economy,2,")
    table = problems_of(ws_dir)
    find(table, "framework.csv", line_of(ws_dir, "framework.csv", "index,"), "level", "4",
         r"'index' has level 4, but the nodes under it \(economy, ecology, livelihood, safety, "
         r"party\) make it level 3", "write 3")
    find(table, "framework.csv", 2, "level", "2",
         "'eco_gdp_growth' has level 2 but no children", "if it is an indicator, write level 1")


def test_orphan_parent(ws_dir):
    change(ws_dir, "framework.csv", "GDP growth,economy,", "GDP growth,econmy,")
    find(problems_of(ws_dir), "framework.csv", 2, "parent", "econmy",
         "the parent 'econmy' of 'eco_gdp_growth' is not a code of the framework",
         "add a row for 'econmy', or correct the parent code")


def test_bad_direction(ws_dir):
    change(ws_dir, "framework.csv", "GDP growth,economy,1,1,", "GDP growth,economy,1,0,")
    find(problems_of(ws_dir), "framework.csv", 2, "direction", "0",
         r"'direction' must be \+1 or -1; got '0'", "write 1 if higher values are better")


def test_value_for_dimension(ws_dir):
    append(ws_dir, "values.csv", "town_yunxi,2025,economy,80")
    n = len(read(ws_dir, "values.csv").splitlines())
    find(problems_of(ws_dir), "values.csv", n, "indicator", "economy",
         "'economy' is a dimension, not an indicator", "give values only for leaf indicators")


def test_value_for_other_kind(ws_dir):
    append(ws_dir, "values.csv", "agency_drc,2025,eco_gdp_growth,7")
    n = len(read(ws_dir, "values.csv").splitlines())
    find(problems_of(ws_dir), "values.csv", n, "indicator", "eco_gdp_growth",
         "'eco_gdp_growth' applies to kinds park; town only, but unit 'agency_drc' is a 'agency'",
         "delete the row, or add 'agency' to the kinds")


def test_individualized_without_target(ws_dir):
    append(ws_dir, "values.csv", "town_yunxi,2025,ind_featured_industry,12")
    n = len(read(ws_dir, "values.csv").splitlines())
    find(problems_of(ws_dir), "values.csv", n, "indicator", "ind_featured_industry",
         "an individualized indicator, but unit 'town_yunxi' declared no target for it in 2025",
         r"add the target to targets\.csv")


# ---------------------------------------------------------------------------------------------
# Peer groups, targets, deductions, years: suspicious but possible
def test_empty_peer_group(ws_dir):
    row = line_of(ws_dir, "units.csv", "park_port")
    change(ws_dir, "units.csv", "Port Logistics Park,park,towns_parks,", "Port Logistics Park,park,,")
    table, ws = warned(ws_dir)
    find(table, "units.csv", row, "peer_group", "",
         r"1 unit has no peer group while the others have one \(row 15: park_port\)",
         "write the peer group")
    with pytest.warns(WorkspaceWarning, match=rf"units\.csv row {row}, column 'peer_group': 1 "
                                              r"unit has no peer group in 'peer_group' and is left"
                                              r" out of the 2025 assessment \(park_port\)"):
        a = build(ws)
    assert "park_port" not in set(a.scores["unit_id"]) and "" not in set(a.units["peer_group"])
    assert ("units.csv", row, "peer_group") in [x[:3] for x in logged(a)]   # the build's
    assert [x for x in logged(a) if "while the others have one" in x[3]]       # and the load's


def test_peer_group_of_one(ws_dir):
    row = line_of(ws_dir, "units.csv", "park_chem")
    change(ws_dir, "units.csv", "Riverside Chemical Industry Park,park,towns_parks",
           "Riverside Chemical Industry Park,park,town_parks")
    table, ws = warned(ws_dir)
    find(table, "units.csv", row, "peer_group", "town_parks",
         r"the peer group 'town_parks' has one unit only \('park_chem'\): it is ranked first of "
         r"its group, and graded, against nobody", r"check the spelling \(the other peer groups:"
         r" agency, enterprise, institution, towns_parks\)")
    a = build(ws)
    assert ("units.csv", row, "peer_group") in [x[:3] for x in logged(a)]
    # by another column (the scheme's peer_groups): the build says it
    units = ws.units.assign(zone=np.where(ws.units["unit_id"] == "agency_drc", "solo", "all"))
    other = zl.Workspace(**{**{t: getattr(ws, t) for t in zl.workspace.COLUMNS}, "units": units,
                            "judgements": ws.judgements, "schemes": ws.schemes})
    scheme = zl.Scheme.from_yaml(ws.schemes[SCHEME]).replace("peer_groups", "zone")
    with pytest.warns(WorkspaceWarning, match=r"units\.csv row 16, column 'zone': the peer group "
                                              r"'solo' has one assessed unit in 2025 "
                                              r"\('agency_drc'\)"):
        zl.build(other, scheme, year=2025)


def test_target_for_common_indicator(ws_dir):
    append(ws_dir, "targets.csv", "town_yunxi,2025,eco_gdp_growth,8,self_declared")
    n = len(read(ws_dir, "targets.csv").splitlines())
    ws = zl.load_workspace(ws_dir)   # a scheme may normalise it by target: no load warning
    assert ws.warnings.empty
    with pytest.warns(WorkspaceWarning, match=r"the targets of the common indicator "
                                              r"'eco_gdp_growth' in 2025 are not used: the scheme "
                                              r"normalises it by minmax"):
        a = build(ws)
    assert ("targets.csv", n, "indicator") in [x[:3] for x in logged(a)]
    # normalised by distance to target, every town and park needs one; then they are used
    towns = ws.units.loc[ws.units["kind"].isin(["town", "park"]), "unit_id"]
    append(ws_dir, "targets.csv", *[f"{u},2025,eco_gdp_growth,8,self_declared" for u in towns
                                    if u != "town_yunxi"])
    ws = zl.load_workspace(ws_dir)
    scheme = zl.Scheme.from_yaml(ws.schemes[SCHEME]).replace(
        "normalise.overrides.eco_gdp_growth", {"method": "target", "cap": 1.2}).replace(
        "triggers", {})   # no earlier years (without targets) built for the talk triggers
    with warnings.catch_warnings():
        warnings.simplefilter("error", WorkspaceWarning)
        used = zl.build(ws, scheme, year=2025)
    assert not logged(used)


def test_deduction_year_without_values(ws_dir):
    append(ws_dir, "deductions.csv", "town_yunxi,2026,safety_accident,1,事故")
    n = len(read(ws_dir, "deductions.csv").splitlines())
    table, _ = warned(ws_dir)
    find(table, "deductions.csv", n, "year", "2026",
         r"the deduction of 'town_yunxi' is dated 2026, a year without values in values\.csv: "
         "no assessment takes it off", "check the year")


def test_deduction_unit_without_values(ws_dir):
    text = "\n".join(line for line in read(ws_dir, "values.csv").splitlines()
                     if not line.startswith("soe_water,2025,"))
    write(ws_dir, "values.csv", text + "\n")
    append(ws_dir, "deductions.csv", "soe_water,2025,safety_accident,1,事故")
    n = len(read(ws_dir, "deductions.csv").splitlines())
    table, _ = warned(ws_dir)
    find(table, "deductions.csv", n, "unit_id", "soe_water",
         "'soe_water' has no values in 2025, so its deduction of that year is taken off in no "
         "assessment", "check the unit and the year")


def test_key_indicator_missing(ws_dir):
    text = "\n".join(line for line in read(ws_dir, "values.csv").splitlines()
                     if ",2025,liv_satisfaction," not in line)
    write(ws_dir, "values.csv", text + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", WorkspaceWarning)
        ws = zl.load_workspace(ws_dir)
    row = line_of(ws_dir, "framework.csv", "liv_satisfaction")
    with pytest.warns(WorkspaceWarning, match=rf"framework\.csv row {row}, column 'code': the key "
                                              r"indicator 'liv_satisfaction' has no value for any "
                                              r"of the 46 units it applies to in 2025"):
        a = build(ws)
    assert logged(a)[0][:3] == ("framework.csv", row, "code")
    assert not [x for x in logged(build(ws, 2024))]


def test_year_rows_all_empty(ws_dir):
    lines = read(ws_dir, "values.csv").splitlines()
    lines = [re.sub(r"^([^,]+,2025,[^,]+),.*$", r"\1,", line) for line in lines]
    write(ws_dir, "values.csv", "\n".join(lines) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WorkspaceWarning)   # deductions of 2025: no values
        ws = zl.load_workspace(ws_dir)
    with pytest.raises(BuildError, match=r"Year 2025 has rows in values\.csv but every value is "
                                         r"empty; years with values: \[2024\]"):
        build(ws)


def test_unit_without_values(ws_dir):
    text = "\n".join(line for line in read(ws_dir, "values.csv").splitlines()
                     if not line.startswith("inst_media,2025,"))
    write(ws_dir, "values.csv", text + "\n")
    ws = zl.load_workspace(ws_dir)
    row = line_of(ws_dir, "units.csv", "inst_media")
    with pytest.warns(WorkspaceWarning, match=rf"units\.csv row {row}, column 'unit_id': 1 unit "
                                              r"has no values in 2025 and is not assessed: "
                                              r"inst_media"):
        a = build(ws)
    assert "inst_media" not in set(a.scores["unit_id"])
    assert ("units.csv", row, "unit_id") in [x[:3] for x in logged(a)]


# ---------------------------------------------------------------------------------------------
# Files, encodings, layout
def _silent_equal(root, clean_ws) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", WorkspaceWarning)
        assert zl.load_workspace(root).equals(clean_ws)


def test_utf16_unicode_text(ws_dir, clean_ws):
    """Excel's "Unicode text (*.txt)" export: UTF-16 LE with a BOM, tab-separated."""
    rows = list(csv.reader(io.StringIO(read(ws_dir, "values.csv"), newline="")))
    text = "\r\n".join("\t".join(r) for r in rows) + "\r\n"
    (ws_dir / "values.csv").write_bytes(text.encode("utf-16"))   # BOM FF FE
    assert (ws_dir / "values.csv").read_bytes()[:2] == b"\xff\xfe"
    _silent_equal(ws_dir, clean_ws)


def test_utf16_big_endian(ws_dir, clean_ws):
    (ws_dir / "units.csv").write_bytes(b"\xfe\xff" + read(ws_dir, "units.csv").encode("utf-16-be"))
    _silent_equal(ws_dir, clean_ws)


def test_semicolon_csv(ws_dir, clean_ws):
    rows = list(csv.reader(io.StringIO(read(ws_dir, "units.csv"), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";").writerows(rows)
    write(ws_dir, "units.csv", out.getvalue())
    _silent_equal(ws_dir, clean_ws)


def test_gbk_csv(ws_dir):
    write(ws_dir, "units.csv", read(ws_dir, "units.csv"), encoding="gbk")
    find(problems_of(ws_dir), "units.csv", None, "", "",
         r"not UTF-8 text \(byte \d+; it looks like GBK/GB18030", r"CSV UTF-8 \(逗号分隔\)")


def test_header_case(ws_dir, clean_ws):
    change(ws_dir, "values.csv", "unit_id,year,indicator,value", "Unit_ID,Year,indicator,Value")
    table, ws = warned(ws_dir)
    for old, new in (("Unit_ID", "unit_id"), ("Year", "year"), ("Value", "value")):
        find(table, "values.csv", 1, new, old, f"the column name '{old}' was read as '{new}'",
             f"write the column name exactly as '{new}'")
    assert ws.equals(clean_ws)


def test_title_row_above_header(ws_dir):
    write(ws_dir, "values.csv", "2022—2025年考核指标数据,,,\n" + read(ws_dir, "values.csv"))
    p = find(problems_of(ws_dir), "values.csv", 1, "A", "2022—2025年考核指标数据",
             r"row 1 is not the header: the column names are in row 2 \(row 1 holds the title",
             r"delete the row above the column names \(row 1\)")
    assert len(problems_of(ws_dir)) == 1 and p is not None


def test_wide_values(ws_dir):
    write(ws_dir, "values.csv", "unit_id,indicator,2024,2025\ntown_yunxi,eco_gdp_growth,7,8\n")
    table = problems_of(ws_dir)
    for col in ("year", "value"):
        find(table, "values.csv", 1, col, "", rf"the required column '{col}' is missing",
             r"The columns 2024, 2025 look like years: values is a long table, one row per unit,"
             r" year and indicator")


def test_duplicate_column_name(ws_dir):
    change(ws_dir, "units.csv", "peer_group,area_km2", "kind,area_km2")
    find(problems_of(ws_dir), "units.csv", 1, "kind", "kind",
         r"the column name 'kind' appears twice \(columns D and E\)", "rename or delete one")


def test_missing_column(ws_dir):
    change(ws_dir, "values.csv", "unit_id,year,indicator,value", "unit_id,year,indicator,val")
    find(problems_of(ws_dir), "values.csv", 1, "value", "",
         r"the required column 'value' is missing \(found: 'unit_id', 'year', 'indicator', "
         r"'val'\)", "add a column 'value' to row 1")


def test_missing_required_file(ws_dir):
    (ws_dir / "framework.csv").unlink()
    find(problems_of(ws_dir), "framework.csv", None, "", "", "a required file is missing",
         r"add framework\.csv")


def test_table_saved_as_xlsx(ws_dir):
    (ws_dir / "values.csv").rename(ws_dir / "values.xlsx")
    find(problems_of(ws_dir), "values.csv", None, "", "", "a required file is missing",
         r"save values\.xlsx from Excel as 'CSV UTF-8 \(逗号分隔\)\(\*\.csv\)' named values\.csv")
    (ws_dir / "targets.csv").rename(ws_dir / "targets.xlsx")   # an optional table: a warning
    (ws_dir / "values.xlsx").rename(ws_dir / "values.csv")
    with pytest.raises(WorkspaceError):   # values of individualized indicators lack targets
        zl.load_workspace(ws_dir)
    rows = validate_warnings(ws_dir)
    find(rows, "targets.xlsx", None, "", "targets.xlsx", "'targets.xlsx' is not read: a folder "
         "workspace reads CSV files, and there is no targets.csv", r"named targets\.csv")


def validate_warnings(root) -> pd.DataFrame:
    """The warnings of a workspace that also has problems."""
    from zhengji_lab.workspace.read import _load

    return _load(root, validate=True)[0].warnings


def test_file_name_case(ws_dir, clean_ws):
    (ws_dir / "values.csv").rename(ws_dir / "Values.csv")
    (ws_dir / "units.csv").rename(ws_dir / "units.csv.csv")
    table, ws = warned(ws_dir)
    find(table, "Values.csv", None, "", "Values.csv", r"the file 'Values\.csv' was read as "
         r"values\.csv", r"rename it to values\.csv")
    find(table, "units.csv.csv", None, "", "units.csv.csv", r"read as units\.csv", "rename")
    assert ws.equals(clean_ws)


def test_extra_unknown_table_file(ws_dir):
    shutil.copy(ws_dir / "values.csv", ws_dir / "value.csv")
    table, _ = warned(ws_dir)
    find(table, "value.csv", None, "", "value.csv",
         r"'value\.csv' is not a workspace table and was ignored", r"tables are framework\.csv")


def test_judgement_saved_as_xlsx(ws_dir):
    wb = openpyxl.Workbook()
    wb.active.append(["", "economy", "ecology"])
    wb.save(ws_dir / "judgements" / "index" / "expert_8.xlsx")
    find(problems_of(ws_dir), "judgements/index/expert_8.xlsx", None, "", "expert_8.xlsx",
         "a judgement must be a CSV file; this is a workbook, which is not read",
         r"save it .* as index/expert_8\.csv in judgements/")


def test_excel_lock_file(ws_dir, clean_ws):
    (ws_dir / "judgements" / "index" / "~$expert_1.csv").write_bytes(b"\x00lock")
    (ws_dir / "judgements" / "index" / ".DS_Store").write_bytes(b"\x00")
    _silent_equal(ws_dir, clean_ws)


def test_blank_rows_and_crlf(ws_dir, clean_ws):
    lines = read(ws_dir, "values.csv").splitlines()
    lines[10:10] = ["", ",,,"]
    write(ws_dir, "values.csv", "\r\n".join(lines) + "\r\n")
    _silent_equal(ws_dir, clean_ws)


# ---------------------------------------------------------------------------------------------
# Property: a workspace broken at random loads and builds, or says where it is broken
TABLES = ("framework.csv", "units.csv", "values.csv", "targets.csv", "deductions.csv",
          "deduction_items.csv", "judgements/index/expert_1.csv")
NASTY = ["", "abc", "1e300", "-1", "0", "2205", "25", "2024", "1.5", "town_yunxi", "Town_Yunxi",
         "ｔｏｗｎ_yunxi", "town_yunxi\u200b", "90.7%", "#DIV/0!", "１２", "town;park", "town，park",
         "index", "economy", "NaN", "inf", " ", "1/3", "yes", "individualized", "-", "\ufeff"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("small") / "ws"
    _trim(DATA / "sample_city", root, (2024, 2025))
    return root


@st.composite
def mutations(draw):
    file = draw(st.sampled_from(TABLES))
    kind = draw(st.sampled_from(["cell", "cell", "cell", "delete", "duplicate", "encoding"]))
    return (file, kind, draw(st.integers(0, 10**6)), draw(st.integers(0, 10**6)),
            draw(st.sampled_from(NASTY) | st.text(max_size=4)),
            draw(st.sampled_from(["utf-16", "gbk", "utf-8-sig", "utf-16-be", "latin-1"])))


def _mutate(root, mutation) -> None:
    file, kind, i, j, text, encoding = mutation
    path = root / file
    try:
        rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline="")))
    except UnicodeDecodeError:   # re-encoded by an earlier mutation: leave it so
        return
    r = i % len(rows)
    if kind == "cell":
        c = j % len(rows[r])
        rows[r][c] = text if j % 3 else rows[(r + 1) % len(rows)][c]   # or a neighbour's cell
    elif kind == "delete":
        del rows[r]
    elif kind == "duplicate":
        rows.insert(r, list(rows[r]))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    data = out.getvalue()
    if kind == "encoding":
        try:
            path.write_bytes((b"\xfe\xff" if encoding == "utf-16-be" else b"")
                             + data.encode(encoding))
        except UnicodeEncodeError:
            path.write_bytes(data.encode(encoding, errors="replace"))
    else:
        path.write_text(data, encoding="utf-8")


def _assert_located(table: pd.DataFrame) -> None:
    assert len(table)
    for p in table.itertuples(index=False):
        assert p.file and p.problem and p.fix, p
        assert pd.isna(p.row) or p.row >= 1, p
        if p.value and not p.file.endswith(".yaml"):   # a cell: its row and column
            assert not pd.isna(p.row) and (p.column or p.row == 1), p


@pytest.mark.slow
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(mutations(), min_size=1, max_size=3))
def test_random_mistakes_load_and_build_or_are_located(small, tmp_path_factory, changes):
    """One to three random edits (a cell, a row deleted or doubled, the file's encoding)."""
    root = tmp_path_factory.mktemp("m") / "ws"
    shutil.copytree(small, root)
    for mutation in changes:
        _mutate(root, mutation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ws = zl.load_workspace(root)
        except WorkspaceError as err:
            _assert_located(err.problems)
            return
        try:
            a = zl.build(ws, SCHEME, year=2025)
        except BuildError as err:
            assert str(err)
            return
    assert a.scores["unit_id"].notna().all() and len(a.scores)
    assert "" not in set(a.units["peer_group"]) or set(a.units["peer_group"]) == {""}
