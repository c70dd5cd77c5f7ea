"""Deductions, grades by quota and talk triggers."""
import numpy as np
import pandas as pd
import pytest

from zhengji_lab.core import grade_counts
from zhengji_lab.rules import apply_deductions, assign_grades, talk_triggers


def test_deductions_capped_and_visible():
    idx = pd.Series([90.0, 80.0, 70.0], index=["a", "b", "c"])
    ev = pd.DataFrame({"unit_id": ["a", "a", "c"], "item": ["safety", "credit", "eco"],
                       "points": [6.0, 7.0, 2.0]})
    final, table = apply_deductions(idx, ev, cap=10)
    assert final.tolist() == [80.0, 80.0, 68.0]
    row = table.set_index("unit_id").loc["a"]
    assert row["points"] == 13 and row["applied"] == 10 and row["capped"]
    assert "safety; credit" == row["items"]


def test_negative_deduction_rejected():
    with pytest.raises(ValueError, match="'a'.*-1"):
        apply_deductions(pd.Series([1.0], index=["a"]),
                         pd.DataFrame({"unit_id": ["a"], "item": ["x"], "points": [-1.0]}))


def test_grade_quota_and_ties():
    assert grade_counts(10, np.cumsum([0.3, 0.5, 0.2])).tolist() == [3, 8, 10]
    assert grade_counts(4, np.cumsum([0.3, 0.5, 0.2])).tolist() == [1, 3, 4]
    ranks = pd.Series([1, 2, 2, 4, 5], index=list("abcde"))
    g = assign_grades(ranks, pd.Series("g", index=ranks.index),
                      [{"name": "一等", "share": 0.3}, {"name": "二等", "share": 0.5},
                       {"name": "三等", "share": 0.2}])
    # 5 units: cumulative counts 2 (1.5 rounds half up), 4, 5; the tie at rank 2 shares 一等
    assert g.tolist() == ["一等", "一等", "一等", "二等", "三等"]


def test_triggers_each_with_evidence():
    hist = pd.DataFrame({
        "unit_id": ["a", "b", "c", "d", "e"] * 2,
        "year": [2024] * 5 + [2025] * 5,
        "rank": [1, 2, 3, 4, 5, 5, 1, 2, 3, 4],
        "group_size": [5] * 10,
    })
    ded = pd.DataFrame({"unit_id": ["b"], "items": ["安全生产事故"], "points": [2.0]})
    rules = {"consecutive_lagging": {"bottom_share": 0.2, "years": 2},
             "marked_regression": {"rank_drop": 3}, "problem_found": {"deduction_points": 1}}
    out = talk_triggers(hist, 2025, rules, ded)
    got = set(zip(out["unit_id"], out["trigger"]))
    assert got == {("a", "marked_regression"), ("b", "problem_found")}
    hist.loc[(hist.unit_id == "e") & (hist.year == 2025), "rank"] = 5
    hist.loc[(hist.unit_id == "a") & (hist.year == 2025), "rank"] = 4
    out = talk_triggers(hist, 2025, rules, ded)
    lag = out[out.trigger == "consecutive_lagging"]
    assert lag["unit_id"].tolist() == ["e"] and "2024: 5/5" in lag["evidence"].iloc[0]


def test_group_of_one_has_nobody_lagging():
    hist = pd.DataFrame({"unit_id": ["a", "a"], "year": [2024, 2025], "rank": [1, 1],
                         "group_size": [1, 1]})
    rules = {"consecutive_lagging": {"bottom_share": 0.2, "years": 2}}
    assert talk_triggers(hist, 2025, rules).empty


def test_the_first_year_builds_with_a_lagging_trigger(sample_ws, baseline):
    """The first year has no earlier one: consecutive lagging cannot fire, and nothing fails
    (review of issue 8)."""
    import zhengji_lab as zl

    first = min(sample_ws.years)
    a = zl.build(sample_ws, baseline, first)
    assert "consecutive_lagging" not in set(a.triggers["trigger"])


def test_units_without_a_peer_group_get_no_grade():
    r = pd.Series([1, 2, 1], index=list("abc"))
    g = pd.Series({"a": "x", "b": "x"})
    out = assign_grades(r, g, [{"name": "A", "share": 0.5}, {"name": "B", "share": 0.5}])
    assert out.tolist()[:2] == ["A", "B"] and pd.isna(out["c"])
