"""``zhengji validate`` and ``zhengji template`` through ``zl.cli.main``."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from test_workspace import append, make_ws

import zhengji_lab as zl


def test_validate_ok(tmp_path, capsys):
    """Valid (exit 0); the one suspicious input, a peer group of one unit, is listed to check
    with its place (issue 10: a located warning, not silence)."""
    assert zl.cli.main(["validate", str(make_ws(tmp_path))]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "OK: 3 units, 4 indicators, years 2023–2024"
    assert lines[0] == "1 thing to check (请核对):"
    assert lines[1].startswith("- units.csv row 4, column 'peer_group': the peer group 'park' "
                               "has one unit only")


def test_validate_xlsx_ok(tmp_path, capsys):
    book = zl.write_workspace(zl.load_workspace(make_ws(tmp_path)), tmp_path / "b.xlsx")
    assert zl.cli.main(["validate", str(book)]) == 0
    out = capsys.readouterr().out
    assert "b.xlsx, sheet 'units' row 4, column 'peer_group'" in out
    assert out.strip().splitlines()[-1].startswith("OK: 3 units")


def test_validate_lists_every_problem_and_exits_1(tmp_path, capsys):
    changes = {**append("values.csv", "x9,2024,gdp,1"),
               "deductions.csv": "unit_id,year,item,points,note\n" + "".join(
                   f"t1,2024,fire{i},1,\n" for i in range(30))}
    out_csv = tmp_path / "problems.csv"
    code = zl.cli.main(["validate", str(make_ws(tmp_path, changes)), "--problems", str(out_csv)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0].startswith("31 problems in") and "发现 31 个问题" in out
    assert "- values.csv row 12, column 'unit_id': unknown unit 'x9'" in out
    assert "deductions.csv row 31, column 'item': unknown deduction item 'fire29'" in out
    assert "more" not in out  # the command prints them all, not the first 20
    table = pd.read_csv(out_csv, encoding="utf-8-sig")
    assert list(table.columns) == ["file", "row", "column", "value", "problem", "fix"]
    assert len(table) == 31


def test_validate_missing_path(tmp_path, capsys):
    assert zl.cli.main(["validate", str(tmp_path / "nope")]) == 1
    assert "No workspace at" in capsys.readouterr().err


def test_template_writes_and_refuses_to_overwrite(tmp_path, capsys):
    book = tmp_path / "book.xlsx"
    assert zl.cli.main(["template", str(book)]) == 0
    assert "已生成模板" in capsys.readouterr().out
    assert openpyxl.load_workbook(book).sheetnames[0] == zl.workspace.README_SHEET
    assert zl.cli.main(["template", str(book)]) == 1
    assert "already exists" in capsys.readouterr().err and book.exists()
    assert zl.cli.main(["template", str(book), "--force"]) == 0
    assert zl.cli.main(["template", str(tmp_path / "book.csv")]) == 1
    assert "must end in .xlsx" in capsys.readouterr().err


def test_template_then_validate_names_the_empty_framework(tmp_path, capsys):
    book = tmp_path / "book.xlsx"
    zl.cli.main(["template", str(book)])
    capsys.readouterr()
    assert zl.cli.main(["validate", str(book)]) == 1
    assert "book.xlsx, sheet 'framework': the framework is empty" in capsys.readouterr().out


def test_unknown_command_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        zl.cli.main(["nonsense"])
    assert exit_.value.code == 2
