"""Tests of ``zhengji weights``: the panel's comparison of candidate schemes in the terminal and
in an .xlsx workbook."""
from pathlib import Path

import pandas as pd
import pytest

import zhengji_lab as zl
from zhengji_lab.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_city"
ARGS = ["weights", "--workspace", str(SAMPLE), "--year", "2025"]


def test_weights_prints_the_comparison_and_writes_xlsx(tmp_path, capsys):
    out = tmp_path / "review" / "w.xlsx"
    assert main([*ARGS, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for scheme in ("baseline", "entropy", "equal", "expert_ahp"):
        assert scheme in printed
    for text in ("经济发展", "满意度评价",                   # nodes × schemes, Chinese names
                 "Rank correlations", "spearman", "kendall",  # between schemes
                 "等次变化", "柳湾镇",                        # grade changes with unit names
                 "一致性 Consistency", "expert_3", "0.291",   # CR per expert (index panel)
                 "kendall_w", "p_value", "ICC(3,1)", "克里彭多夫 α",  # agreement
                 str(out)):
        assert text in printed, text
    book = pd.read_excel(out, sheet_name=None)
    assert {"weights", "effective_weights", "ranks", "correlations", "grade_changes",
            "panel_consistency", "panel_agreement"} <= set(book)
    assert list(book["weights"].columns[:3]) == ["节点 node", "名称 name_zh", "层级 level"]


def test_weights_never_overwrites_without_the_flag(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [*ARGS, "--schemes", "equal,baseline", "--reference", "baseline"]
    assert main(args) == 0
    out = tmp_path / "out" / "weights-2025.xlsx"                  # the default file
    assert out.is_file()
    printed = capsys.readouterr().out
    assert "2 schemes (equal, baseline), reference 参照 'baseline'" in printed
    assert "expert_ahp" not in printed.split("== 专家组")[0]
    stamp = out.stat().st_mtime_ns
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "--overwrite" in err
    assert out.stat().st_mtime_ns == stamp
    assert main([*args, "--overwrite"]) == 0
    assert out.stat().st_mtime_ns > stamp
    assert list(pd.read_excel(out, sheet_name="spearman").columns) == \
        ["方案 scheme", "equal", "baseline"]


@pytest.mark.parametrize("extra, match", [
    (["--schemes", "baseline,nope"], "names 'nope', which is not a scheme of the workspace"),
    (["--schemes", "baseline"], "at least 2 schemes"),
    (["--reference", "nope"], "'reference' parameter"),
    (["--year", "1999"], "No values for year 1999"),
])
def test_weights_bad_input_exits_1_with_the_reason(tmp_path, capsys, extra, match):
    out = tmp_path / "w.xlsx"
    argv = ARGS[:3] + ["--year", "2025"] if "--year" not in extra else ARGS[:3]
    assert main([*argv, *extra, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("zhengji weights:") and match in err
    assert not out.exists()


def test_weights_missing_workspace_and_help(tmp_path, capsys):
    assert main(["weights", "--workspace", str(tmp_path / "none"), "--year", "2025",
                 "--out", str(tmp_path / "w.xlsx")]) == 1
    assert "zhengji weights:" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "weights" in capsys.readouterr().out
    assert list(zl.cli.COMMANDS).index("weights") == list(zl.cli.COMMANDS).index("build") + 1
