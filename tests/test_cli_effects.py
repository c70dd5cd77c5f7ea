"""``zhengji effects``: the estimate table of an adoption effect, from the command line."""
import pandas as pd
from conftest import DATA

from zhengji_lab.cli import main

WS = str(DATA / "sample_city")


def test_prints_the_estimate_table(capsys):
    rc = main(["effects", "--workspace", WS, "--outcome", "survey_satisfaction",
               "--inference", "randomization", "--seed", "7"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "14 clusters" in out and "cohort_2022" in out and "Pre-trend test" in out
    first = next(line for line in out.splitlines() if line.strip().startswith("att"))
    assert float(first.split()[1]) > 0          # the planted effect is positive


def test_writes_the_table_and_never_replaces_a_file(tmp_path, capsys):
    out = tmp_path / "effect.csv"
    args = ["effects", "--workspace", WS, "--outcome", "hotline_complaints", "--estimator",
            "twfe", "--inference", "cluster", "--out", str(out)]
    assert main(args) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert table["term"].iloc[0] == "att" and table["estimate"].iloc[0] < 0
    before = out.read_bytes()
    assert main(args) == 1
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_an_unknown_outcome_says_where_to_add_it(capsys):
    assert main(["effects", "--workspace", WS, "--outcome", "no_such_outcome"]) == 1
    err = capsys.readouterr().err
    assert "no_such_outcome" in err and "outcomes.csv" in err
