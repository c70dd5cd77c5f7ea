"""Tests of ``zhengji build`` (and the argument checks of ``zhengji report``)."""
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import zhengji_lab as zl
from zhengji_lab.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_city"
ARGS = ["build", "--workspace", str(SAMPLE), "--scheme", "baseline", "--year", "2025"]


def test_build_prints_ranking_and_writes_csv_and_xlsx(tmp_path, capsys):
    out = tmp_path / "results"
    assert main([*ARGS, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    ws = zl.load_workspace(SAMPLE)
    assert "园镇" in printed and "机关" in printed and "等次" in printed and "减分" in printed
    assert sum(name in printed for name in ws.units["name_zh"]) == len(ws.units)
    assert str(out) in printed
    for name in ("scores", "weights", "deductions", "triggers", "log", "ranking"):
        assert (out / f"{name}.csv").is_file()
    book = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    assert {"scores", "weights", "deductions", "triggers", "log", "ranking"} <= set(book.sheetnames)
    book.close()
    ranking = pd.read_excel(out / "results.xlsx", sheet_name="ranking")
    assert {"排名 rank", "单位名称 name_zh", "等次 grade"} <= set(ranking.columns)
    assert len(ranking) == len(ws.units)


def test_build_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "results"
    assert main([*ARGS, "--out", str(out)]) == 0
    stamp = (out / "scores.csv").stat().st_mtime_ns
    capsys.readouterr()
    assert main([*ARGS, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "already holds results" in err and "--overwrite" in err
    assert (out / "scores.csv").stat().st_mtime_ns == stamp
    assert main([*ARGS, "--out", str(out), "--overwrite", "--lang", "en"]) == 0
    assert "Port Logistics Park" in capsys.readouterr().out
    assert (out / "scores.csv").stat().st_mtime_ns > stamp


def test_build_default_out_and_yaml_scheme(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    yaml_path = SAMPLE / "schemes" / "equal.yaml"
    args = ["build", "--workspace", str(SAMPLE), "--scheme", str(yaml_path), "--year", "2024"]
    assert main(args) == 0
    name = zl.Scheme.from_yaml(yaml_path).spec["name"]
    assert (tmp_path / "out" / f"2024-{name}" / "results.xlsx").is_file()


@pytest.mark.parametrize("argv, match", [
    (["--year", "1999"], "No values for year 1999"),
    (["--scheme", "no_such_scheme"], "No scheme 'no_such_scheme'"),
])
def test_build_bad_input_exits_1(tmp_path, capsys, argv, match):
    args = dict(zip(ARGS[1::2], ARGS[2::2]))
    args.update(dict(zip(argv[::2], argv[1::2])))
    flat = ["build", *[x for kv in args.items() for x in kv], "--out", str(tmp_path / "o")]
    assert main(flat) == 1
    assert match in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_report_bad_workspace_exits_1(tmp_path, capsys):
    code = main(["report", "--workspace", str(tmp_path / "missing"), "--scheme", "baseline",
                 "--year", "2025", "--out-dir", str(tmp_path / "reports")])
    assert code == 1
    assert "zhengji report:" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()
