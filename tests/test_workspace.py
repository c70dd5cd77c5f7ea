"""Workspace I/O and validation: round trips folder ↔ xlsx, every class of bad input, template."""
from __future__ import annotations

import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zhengji_lab as zl
from zhengji_lab.workspace import COLUMNS, README_SHEET, validate_workspace, write_template

# A small valid workspace: index → economy (gdp, debt [towns], park_output [parks]) and
# ecology (forest); two towns and a park; 2023–2024.  Row numbers in the tests below count the
# header as row 1.
FILES = {
    "framework.csv": """\
code,name_zh,name_en,parent,level,direction,unit,scope,kinds,visibility,source,key
index,综合指数,Index,,3,1,,,,,,
economy,经济发展,Economy,index,2,1,,,,,,
ecology,生态环境,Ecology,index,2,1,,,,,,
gdp,人均GDP,GDP per head,economy,1,1,万元,common,,visible,统计局,
debt,债务率,Debt ratio,economy,1,-1,%,common,town,visible,财政局,
park_output,园区产值,Park output,economy,1,1,亿元,individualized,park,visible,,yes
forest,森林覆盖率,Forest cover,ecology,1,1,%,common,,latent,,
""",
    "units.csv": """\
unit_id,name_zh,name_en,kind,peer_group,population
t1,甲镇,Town A,town,town,5.2
t2,乙镇,Town B,town,town,3.1
p1,开发区,Park,park,park,
""",
    "values.csv": """\
unit_id,year,indicator,value
t1,2023,gdp,10
t1,2023,debt,50
t1,2023,forest,0.3
t2,2023,gdp,8
t2,2023,debt,
p1,2023,gdp,20
p1,2023,park_output,
t1,2024,gdp,11
t2,2024,gdp,9
p1,2024,park_output,130
""",
    "targets.csv": "unit_id,year,indicator,target,target_source\n"
                   "p1,2024,park_output,120,declared\n",
    "deductions.csv": "unit_id,year,item,points,note\nt1,2024,safety,2,一般事故\n",
    "deduction_items.csv": "item,name_zh,name_en,max_points\nsafety,安全生产事故,Safety accident,5\n",
    "judgements/index/expert_01.csv": ",economy,ecology\neconomy,1,3\necology,1/3,1\n",
    "judgements/economy/expert_02.csv": "node,points\ngdp,50\ndebt,30\npark_output,20\n",
    "schemes/baseline.yaml": "name: baseline\naggregate: {method: arithmetic}\n",
}


def make_ws(tmp_path, changes: dict | None = None, name: str = "ws"):
    """Write :data:`FILES` with ``changes`` (file → text or bytes; None deletes the file)."""
    root = tmp_path / name
    for file, text in {**FILES, **(changes or {})}.items():
        if text is None:
            continue
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


def edit(file: str, old: str, new: str) -> dict:
    """``{file: FILES[file] with old replaced by new}``."""
    assert old in FILES[file], old
    return {file: FILES[file].replace(old, new, 1)}


def append(file: str, line: str) -> dict:
    return {file: FILES[file] + line + "\n"}


@pytest.fixture
def ws(tmp_path):
    return zl.load_workspace(make_ws(tmp_path))


# ---------------------------------------------------------------------------------------------
# Loading and the convenience methods
def test_load_folder_dtypes(ws):
    assert ws.values["year"].dtype == np.int64 and ws.values["value"].dtype == np.float64
    assert ws.framework["level"].dtype == np.int64
    assert ws.framework["direction"].tolist() == [1, 1, 1, 1, -1, 1, 1]
    assert ws.framework.loc[0, "parent"] == "" and ws.framework.loc[0, "kinds"] == ""
    assert ws.framework.loc[0, "scope"] == "common" and ws.framework.loc[0, "visibility"] == \
        "visible"
    assert pd.api.types.is_string_dtype(ws.units["unit_id"])
    assert ws.units["population"].tolist()[:2] == [5.2, 3.1] and np.isnan(ws.units.loc[2,
                                                                                       "population"])
    assert np.isnan(ws.values.loc[4, "value"])  # empty cell → NaN, row kept
    assert ws.targets["target"].tolist() == [120.0] and ws.deductions["points"].tolist() == [2.0]
    assert ws.source.endswith("ws")


def test_load_judgements_and_schemes(ws):
    ahp = ws.judgements["index"]["expert_01"]
    assert list(ahp.index) == list(ahp.columns) == ["economy", "ecology"]
    np.testing.assert_allclose(ahp.to_numpy(), [[1, 3], [1 / 3, 1]], rtol=0, atol=1e-15)
    budget = ws.judgements["economy"]["expert_02"]
    assert list(budget.columns) == ["points"] and budget["points"].tolist() == [50, 30, 20]
    assert ws.schemes == {"baseline": FILES["schemes/baseline.yaml"]}


def test_tree_methods(ws):
    assert ws.root == "index"
    assert ws.tree() == {"index": ["economy", "ecology"],
                         "economy": ["gdp", "debt", "park_output"], "ecology": ["forest"]}
    assert ws.children("economy") == ["gdp", "debt", "park_output"] and ws.children("gdp") == []
    assert ws.indicators() == ["gdp", "debt", "park_output", "forest"]
    assert ws.indicators("town") == ["gdp", "debt", "forest"]
    assert ws.indicators("park") == ["gdp", "park_output", "forest"]
    with pytest.raises(ValueError, match="'node' parameter of Workspace.children.*'nope'"):
        ws.children("nope")
    with pytest.raises(ValueError, match=r"'kind' parameter .* one of \['park', 'town'\]"):
        ws.indicators("agency")


def test_data_methods(ws):
    assert ws.years == [2023, 2024]
    m = ws.matrix(2023)
    assert m.index.name == "unit_id" and list(m.index) == ["t1", "t2", "p1"]
    assert list(m.columns) == ws.indicators() and (m.dtypes == float).all()
    assert m.loc["t1", "debt"] == 50 and np.isnan(m.loc["t2", "debt"])
    assert np.isnan(m.loc["t1", "park_output"])
    sub = ws.matrix(2024, units=["p1", "t1"], indicators=["park_output"])
    assert list(sub.index) == ["p1", "t1"] and list(sub.columns) == ["park_output"]
    assert sub.loc["p1", "park_output"] == 130 and np.isnan(sub.loc["t1", "park_output"])
    assert ws.directions.to_dict() == {"gdp": 1, "debt": -1, "park_output": 1, "forest": 1}
    assert ws.labels()["gdp"] == "人均GDP" and ws.labels("en")["t1"] == "Town A"
    with pytest.raises(ValueError, match=r"'year' parameter .* \[2023, 2024\]. Got 2030"):
        ws.matrix(2030)
    with pytest.raises(ValueError, match=r"'units' parameter .* unknown \['zz'\]"):
        ws.matrix(2023, units=["zz"])
    with pytest.raises(ValueError, match=r"'indicators' parameter .* unknown \['economy'\]"):
        ws.matrix(2023, indicators=["economy"])
    with pytest.raises(ValueError, match="'lang' parameter"):
        ws.labels("fr")
    assert "3 units, 4 indicators, years 2023–2024" in repr(ws)


def test_labels_fall_back_to_other_language_then_code(ws):
    units = ws.units.assign(name_en=["", "B", ""], name_zh=["甲", "", ""])
    labels = zl.Workspace(ws.framework, units, ws.values).labels("en")
    assert (labels["t1"], labels["t2"], labels["p1"]) == ("甲", "B", "p1")


def test_bom_is_accepted(tmp_path):
    bom = {f: "\ufeff" + FILES[f] for f in ("framework.csv", "units.csv", "values.csv")}
    assert zl.load_workspace(make_ws(tmp_path, bom)).equals(zl.load_workspace(make_ws(
        tmp_path, name="plain")))


def test_optional_tables_may_be_absent(tmp_path):
    gone = {f: None for f in FILES if f not in ("framework.csv", "units.csv", "values.csv")}
    # without targets, the individualized indicator can have no values
    gone["values.csv"] = "\n".join(line for line in FILES["values.csv"].splitlines()
                                   if "park_output" not in line) + "\n"
    ws = zl.load_workspace(make_ws(tmp_path, gone))
    assert ws.targets.empty and list(ws.targets.columns) == COLUMNS["targets"]
    assert ws.judgements == {} and ws.schemes == {}


def test_unknown_files_and_sheets_warn(tmp_path):
    root = make_ws(tmp_path, {"target.csv": "x\n1\n"})
    with pytest.warns(UserWarning, match="'target.csv' .* not a workspace table"):
        zl.load_workspace(root)
    book = zl.write_workspace(zl.load_workspace(make_ws(tmp_path, name="b")), tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("notes")
    wb.save(book)
    with pytest.warns(UserWarning, match="Sheet 'notes' .* not part of a workspace"):
        zl.load_workspace(book)


# ---------------------------------------------------------------------------------------------
# Round trips
def test_round_trip_folder_and_xlsx(ws, tmp_path):
    folder = zl.load_workspace(zl.write_workspace(ws, tmp_path / "copy"))
    book = zl.load_workspace(zl.write_workspace(ws, tmp_path / "copy.xlsx"))
    back = zl.load_workspace(zl.write_workspace(book, tmp_path / "back"))
    for other in (folder, book, back):
        assert other.equals(ws) and other.data_hash() == ws.data_hash()
        for table in COLUMNS:
            pd.testing.assert_frame_equal(getattr(other, table), getattr(ws, table))
    assert book.source.endswith("copy.xlsx")
    text = (tmp_path / "copy" / "judgements" / "index" / "expert_01.csv").read_text("utf-8-sig")
    assert text == FILES["judgements/index/expert_01.csv"]  # fractions stay fractions


def test_xlsx_layout(ws, tmp_path):
    path = zl.write_workspace(ws, tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == README_SHEET
    assert {"J.index.expert_01", "J.economy.expert_02", "S.baseline"} <= set(wb.sheetnames)
    values = wb["values"]
    assert [c.value for c in values[1]] == COLUMNS["values"]
    assert values["B2"].value == 2023 and values["D2"].value == 10  # numbers, not text
    assert wb["J.index.expert_01"]["B3"].value == "1/3"
    assert wb["S.baseline"]["A1"].value == "name: baseline"


def test_equals_and_hash_see_changes(ws):
    values = ws.values.copy()
    values.loc[0, "value"] = 10.5
    changed = zl.Workspace(ws.framework, ws.units, values, ws.targets, ws.deductions,
                           ws.deduction_items, ws.judgements, ws.schemes)
    assert not changed.equals(ws) and changed.data_hash() != ws.data_hash()
    no_schemes = zl.Workspace(ws.framework, ws.units, ws.values, ws.targets, ws.deductions,
                              ws.deduction_items, ws.judgements)
    assert not no_schemes.equals(ws) and no_schemes.data_hash() == ws.data_hash()
    reordered = zl.Workspace(ws.framework, ws.units, ws.values, ws.targets, ws.deductions,
                             ws.deduction_items, dict(reversed(ws.judgements.items())),
                             ws.schemes)
    assert reordered.equals(ws) and reordered.data_hash() == ws.data_hash()


def test_in_memory_workspace_with_plain_dtypes_equals_loaded(ws, tmp_path):
    """A workspace built by hand (object/int columns, missing optional columns) round-trips."""
    fw = pd.DataFrame({"code": ["index", "a", "b"], "parent": ["", "index", "index"],
                       "level": [2, 1, 1], "direction": [1, 1, -1]})
    units = pd.DataFrame({"unit_id": ["u1", "u2"], "kind": ["town", "town"],
                          "population": [100, 200]})
    values = pd.DataFrame({"unit_id": ["u1", "u2"], "year": [2024.0, 2024.0],
                           "indicator": ["a", "b"], "value": [1, None]}, dtype=object)
    memory = zl.Workspace(fw, units, values,
                          judgements={"index": {"e1": pd.DataFrame([[1, 2], [0.5, 1]],
                                                                   index=["a", "b"],
                                                                   columns=["a", "b"])}},
                          schemes={"s": "name: s"})
    assert validate_workspace(memory).empty
    loaded = zl.load_workspace(zl.write_workspace(memory, tmp_path / "m.xlsx"))
    assert loaded.equals(memory) and memory.equals(loaded)
    assert loaded.data_hash() == memory.data_hash()
    assert loaded.framework["scope"].tolist() == ["common"] * 3
    assert loaded.units["population"].dtype == float


def test_write_refuses_to_overwrite(ws, tmp_path):
    for target in (tmp_path / "w", tmp_path / "w.xlsx"):
        zl.write_workspace(ws, target)
        with pytest.raises(FileExistsError, match="already exists.*overwrite=True"):
            zl.write_workspace(ws, target)
        zl.write_workspace(ws, target, overwrite=True)
        assert zl.load_workspace(target).equals(ws)


def test_overwrite_replaces_workspace_files_only(ws, tmp_path):
    """Issue 10: an overwrite replaces the files the workspace holds and deletes nothing; the
    judgements and schemes it does not hold are kept, and a warning names them."""
    root = make_ws(tmp_path, {"README.md": "keep me"})
    kept = {f: (root / f).read_bytes() for f in ("judgements/index/expert_01.csv",
                                                 "judgements/economy/expert_02.csv",
                                                 "schemes/baseline.yaml")}
    fewer = zl.Workspace(ws.framework, ws.units,
                         ws.values[ws.values["indicator"] != "park_output"])  # no targets
    with pytest.warns(zl.errors.WorkspaceWarning, match=r"keeps 3 judgement or scheme files.*"
                                                         r"judgements/economy/expert_02\.csv"):
        zl.write_workspace(fewer, root, overwrite=True)
    assert (root / "README.md").read_text() == "keep me"
    assert {f: (root / f).read_bytes() for f in kept} == kept
    with_kept = zl.Workspace(fewer.framework, fewer.units, fewer.values,
                             judgements=ws.judgements, schemes=ws.schemes)
    assert zl.load_workspace(root).equals(with_kept)


def test_bad_names_are_refused(ws, tmp_path):
    bad = zl.Workspace(ws.framework, ws.units, ws.values,
                       judgements={"a" * 30: {"expert": ws.judgements["index"]["expert_01"]}})
    with pytest.raises(ValueError, match="valid sheet names.*at most 31"):
        zl.write_workspace(bad, tmp_path / "x.xlsx")
    bad = zl.Workspace(ws.framework, ws.units, ws.values, schemes={"../up": "name: x\n"})
    with pytest.raises(ValueError, match=r"valid file names.*schemes/\.\./up\.yaml"):
        zl.write_workspace(bad, tmp_path / "x")


def test_load_path_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="No workspace at"):
        zl.load_workspace(tmp_path / "missing")
    (tmp_path / "values.csv").write_text("x")
    with pytest.raises(ValueError, match="'path' parameter of load_workspace.*folder or an .xlsx"):
        zl.load_workspace(tmp_path / "values.csv")


# ---------------------------------------------------------------------------------------------
# Validation: every class of problem names file, row and column
BAD = {
    # duplicates
    "duplicate value row": (append("values.csv", "t1,2023,gdp,12"),
                            (r"values\.csv row 12, column 'unit_id/year/indicator': duplicate of "
                             r"row 2")),
    "duplicate target": (append("targets.csv", "p1,2024,park_output,125,expert"),
                         r"targets\.csv row 3, .*duplicate of row 2"),
    "duplicate code": (append("framework.csv", "gdp,重复,,ecology,1,1,,,,,,"),
                       r"framework\.csv row 9, column 'code': duplicate of row 5"),
    "duplicate unit": (append("units.csv", "t2,丙镇,,town,town,1"),
                       r"units\.csv row 5, column 'unit_id': duplicate of row 3"),
    # unknown codes
    "unknown unit in values": (append("values.csv", "x9,2024,gdp,1"),
                               (r"values\.csv row 12, column 'unit_id': unknown unit 'x9'\. Fix: "
                                r"add it to units\.csv")),
    "unknown unit in targets": (append("targets.csv", "x9,2024,gdp,1,"),
                                r"targets\.csv row 3, column 'unit_id': unknown unit 'x9'"),
    "unknown unit in deductions": (append("deductions.csv", "x9,2024,safety,1,"),
                                   r"deductions\.csv row 3, column 'unit_id': unknown unit 'x9'"),
    "unknown indicator in values": (append("values.csv", "t1,2024,gdpp,1"),
                                    (r"values\.csv row 12, column 'indicator': unknown indicator "
                                     r"'gdpp'\. Fix: add it to framework\.csv")),
    "unknown indicator in targets": (append("targets.csv", "t1,2024,gdpp,1,"),
                                     r"targets\.csv row 3, column 'indicator': unknown indicator"),
    # text in numeric columns
    "text in value": (edit("values.csv", "t1,2023,gdp,10", "t1,2023,gdp,10万"),
                      r"values\.csv row 2, column 'value': text '10万' in the number column"),
    "text in year": (edit("values.csv", "t2,2023,gdp,8", "t2,2023年,gdp,8"),
                     r"values\.csv row 5, column 'year': text '2023年' .*Fix: write the year"),
    "fraction year": (edit("values.csv", "t2,2023,gdp,8", "t2,2023.5,gdp,8"),
                      r"values\.csv row 5, column 'year': 'year' must be a whole number"),
    "text in target": (edit("targets.csv", ",120,", ",约120,"),
                       r"targets\.csv row 2, column 'target': text '约120'"),
    "text in points": (edit("deductions.csv", ",2,", ",two,"),
                       r"deductions\.csv row 2, column 'points': text 'two'"),
    "negative points": (edit("deductions.csv", ",2,", ",-2,"),
                        r"deductions\.csv row 2, column 'points': 'points' must be at least 0"),
    "text in direction": (edit("framework.csv", "debt,债务率,Debt ratio,economy,1,-1",
                               "debt,债务率,Debt ratio,economy,1,负"),
                          r"framework\.csv row 6, column 'direction': text '负'"),
    "text in level": (edit("framework.csv", "forest,森林覆盖率,Forest cover,ecology,1",
                           "forest,森林覆盖率,Forest cover,ecology,一"),
                      r"framework\.csv row 8, column 'level': text '一'"),
    "empty year": (edit("values.csv", "t2,2023,gdp,8", "t2,,gdp,8"),
                   r"values\.csv row 5, column 'year': 'year' is empty"),
    # directions and choices
    "direction 0": (edit("framework.csv", "debt,债务率,Debt ratio,economy,1,-1",
                         "debt,债务率,Debt ratio,economy,1,0"),
                    (r"framework\.csv row 6, column 'direction': 'direction' must be \+1 or -1; "
                     r"got '0'\. Fix: write 1 if higher")),
    "points above the item's maximum": (
        edit("deductions.csv", "t1,2024,safety,2,", "t1,2024,safety,9,"),
        (r"deductions\.csv row 2, column 'points': 9 points exceed the maximum 5 of item "
        r"'safety'\. Fix: correct the points")),
    "individualized value without a declared target": (
        edit("values.csv", "p1,2024,park_output,130", "p1,2022,park_output,130"),
        (r"values\.csv row 11, column 'indicator': 'park_output' is an individualized indicator, "
        r"but unit 'p1' declared no target for it in 2022\. Fix: add the target to targets\.csv")),
    # a broken scheme is a SchemeWarning, not a WorkspaceError: tests/adversarial/test_scheme_*
    "bad scope": (edit("framework.csv", "individualized", "individual"),
                  r"framework\.csv row 7, column 'scope': 'individual' is not a valid scope"),
    # the tree
    "orphan parent": (edit("framework.csv", "gdp,人均GDP,GDP per head,economy",
                           "gdp,人均GDP,GDP per head,econ"),
                      (r"framework\.csv row 5, column 'parent': the parent 'econ' of 'gdp' is not "
                       r"a code")),
    "cycle": (append("framework.csv", "a,,,b,2,1,,,,,,\nb,,,a,2,1,,,,,,"),
              r"framework\.csv row 9, column 'parent': the tree has a cycle: a → b → a"),
    "two roots": (edit("framework.csv", "ecology,生态环境,Ecology,index", "ecology,生态环境,Ecology,"),
                  (r"framework\.csv row 4, column 'parent': a second root: 'ecology' has an empty "
                   r"parent, as does 'index' \(row 2\)")),
    "no root": (edit("framework.csv", "index,综合指数,Index,,", "index,综合指数,Index,economy,"),
                r"framework\.csv, column 'parent': the framework has no root"),
    # kinds, leaves, deduction items
    "kind mismatch": (append("values.csv", "t1,2024,park_output,5"),
                      (r"values\.csv row 12, column 'indicator': 'park_output' applies to kinds "
                       r"park only, but unit 't1' is a 'town'")),
    "kind mismatch in targets": (append("targets.csv", "p1,2024,debt,5,"),
                                 (r"targets\.csv row 3, column 'indicator': 'debt' applies to "
                                  r"kinds town only")),
    "non-leaf values": (append("values.csv", "t1,2024,economy,5"),
                        (r"values\.csv row 12, column 'indicator': 'economy' is a dimension, not "
                         r"an indicator")),
    "unknown deduction item": (append("deductions.csv", "t2,2024,fire,1,火灾"),
                               (r"deductions\.csv row 3, column 'item': unknown deduction item "
                                r"'fire'\. Fix: add it to deduction_items\.csv")),
    # structure of files
    "missing column": (edit("values.csv", "unit_id,year,indicator,value",
                            "unit_id,year,indicator,val"),
                       (r"values\.csv row 1, column 'value': the required column 'value' is "
                        r"missing \(found: 'unit_id', 'year', 'indicator', 'val'\)")),
    "duplicate column name": (edit("units.csv", "peer_group,population", "peer_group,kind"),
                              (r"units\.csv row 1, column 'kind': the column name 'kind' appears "
                               r"twice \(columns D and F\)")),
    "unnamed column": (edit("units.csv", "peer_group,population", "peer_group,"),
                       r"units\.csv row 2, column 'F': a cell to the right of the last named"),
    "bad encoding": ({"units.csv": FILES["units.csv"].encode("gbk")},
                     r"units\.csv: not UTF-8 text \(byte \d+; it looks like GBK"),
    "not a csv": ({"values.csv": b"PK\x03\x04\x00\x00binary"},
                  r"values\.csv: not a CSV text file"),
    "missing file": ({"framework.csv": None},
                     r"framework\.csv: a required file is missing\. Fix: add framework\.csv"),
    # judgements
    "ahp codes differ": ({"judgements/index/expert_01.csv": ",economy,ecology\necology,1,3\n"
                                                            "economy,1/3,1\n"},
                         (r"judgements/index/expert_01\.csv row 1: not an AHP matrix: the codes "
                          r"in row 1 \(economy, ecology\) differ from those in the first column")),
    "ahp not square": ({"judgements/index/expert_01.csv": ",economy,ecology\neconomy,1,3\n"},
                       r"expert_01\.csv row 1: not an AHP matrix"),
    "ahp unknown code": ({"judgements/index/expert_01.csv": ",economy,ecolog\neconomy,1,3\n"
                                                            "ecolog,1/3,1\n"},
                         (r"expert_01\.csv row 3, column 'A': 'ecolog' is not a code of the "
                          r"framework")),
    "ahp diagonal": ({"judgements/index/expert_01.csv": ",economy,ecology\neconomy,2,3\n"
                                                        "ecology,1/3,1\n"},
                     (r"expert_01\.csv row 2, column 'economy': the diagonal cell \(economy, "
                      r"economy\) is 2")),
    "ahp out of scale": ({"judgements/index/expert_01.csv": ",economy,ecology\neconomy,1,12\n"
                                                            "ecology,1/12,1\n"},
                         (r"expert_01\.csv row 2, column 'ecology': \(economy, ecology\) = 12 is "
                          r"outside Saaty's scale")),
    "ahp not reciprocal": ({"judgements/index/expert_01.csv": ",economy,ecology\neconomy,1,3\n"
                                                              "ecology,1/2,1\n"},
                           (r"expert_01\.csv row 2, column 'ecology': \(economy, ecology\) = 3 but "
                            r"\(ecology, economy\) = 1/2; they must be reciprocals\. Fix: write "
                            r"1/3 in row 3, column economy")),
    "ahp text": ({"judgements/index/expert_01.csv": ",economy,ecology\neconomy,1,三\n"
                                                    "ecology,1/3,1\n"},
                 r"expert_01\.csv row 2, column 'ecology': '三' is not a judgement"),
    "budget negative": ({"judgements/economy/expert_02.csv": "node,points\ngdp,-5\ndebt,30\n"},
                        r"expert_02\.csv row 2, column 'points': 'points' must be at least 0"),
    "budget text": ({"judgements/economy/expert_02.csv": "node,points\ngdp,五十\ndebt,30\n"},
                    r"expert_02\.csv row 2, column 'points': text '五十'"),
    "judgement outside a group": ({"judgements/loose.csv": "node,points\ngdp,1\n"},
                                  (r"judgements/loose\.csv: a judgement file must sit in one "
                                   r"sub-folder per group")),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_the_place(tmp_path, case):
    changes, pattern = BAD[case]
    with pytest.raises(zl.WorkspaceError) as err:
        zl.load_workspace(make_ws(tmp_path, changes))
    assert re.search(pattern, str(err.value)), str(err.value)
    assert list(err.value.problems.columns) == ["file", "row", "column", "value", "problem",
                                                "fix"]
    assert err.value.problems["fix"].str.len().gt(0).all()


def test_every_problem_is_collected_in_one_error(tmp_path):
    changes = {**edit("values.csv", "t1,2023,gdp,10", "t1,2023,gdp,10万"),
               **append("units.csv", "t2,丙镇,,town,town,1"),
               **edit("framework.csv", "gdp,人均GDP,GDP per head,economy",
                      "gdp,人均GDP,GDP per head,econ"),
               "deductions.csv": FILES["deductions.csv"] + "".join(
                   f"t2,2024,item{i},1,\n" for i in range(25))}
    with pytest.raises(zl.WorkspaceError) as err:
        zl.load_workspace(make_ws(tmp_path, changes))
    problems = err.value.problems
    assert len(problems) == 1 + 1 + 1 + 25
    assert problems["file"].value_counts().to_dict() == {"deductions.csv": 25, "values.csv": 1,
                                                         "units.csv": 1, "framework.csv": 1}
    lines = str(err.value).splitlines()
    assert "has 28 problems" in lines[0] and "28 个问题" in lines[0]
    assert len(lines) == 1 + 20 + 1 and lines[-1].startswith("... and 8 more")
    assert isinstance(err.value, ValueError)


def test_problems_sorted_by_file_and_row(tmp_path):
    changes = {"values.csv": FILES["values.csv"].replace("t1,2023,gdp,10", "t1,2023,gdp,x")
               + "x1,2024,gdp,1\n", **append("units.csv", "t1,重复,,town,,")}
    problems = validate_workspace(make_ws(tmp_path, changes))
    assert problems[["file", "row"]].values.tolist() == [["units.csv", 5], ["values.csv", 2],
                                                         ["values.csv", 12]]


def test_validate_false_skips_cross_checks_but_not_cells(tmp_path):
    ws = zl.load_workspace(make_ws(tmp_path, append("values.csv", "x9,2024,gdp,1")),
                           validate=False)
    assert "x9" in set(ws.values["unit_id"])
    with pytest.raises(zl.WorkspaceError, match="text 'abc'"):
        zl.load_workspace(make_ws(tmp_path, edit("values.csv", ",10\n", ",abc\n"), "b"),
                          validate=False)


def test_validate_workspace_in_memory(ws):
    assert validate_workspace(ws).empty
    values = pd.concat([ws.values, ws.values.iloc[[0]]], ignore_index=True)
    values = values.astype({"value": object})
    values.loc[1, "value"] = "n/a"
    fw = ws.framework.drop(columns="direction")
    problems = validate_workspace(zl.Workspace(fw, ws.units, values))
    found = problems[["file", "row", "column"]].values.tolist()
    assert ["framework.csv", 1, "direction"] in found
    assert ["values.csv", 3, "value"] in found
    assert ["values.csv", 12, "unit_id/year/indicator"] in found


def test_xlsx_problems_name_the_sheet(ws, tmp_path):
    path = zl.write_workspace(ws, tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["values"]["D3"] = "五十"
    del wb["units"]
    wb.save(path)
    with pytest.raises(zl.WorkspaceError) as err:
        zl.load_workspace(path)
    msg = str(err.value)
    assert "book.xlsx, sheet 'values' row 3, column 'value': text '五十'" in msg
    assert "book.xlsx, sheet 'units': a required sheet is missing" in msg


def test_xlsx_fraction_typed_as_date_is_explained(ws, tmp_path):
    import datetime

    path = zl.write_workspace(ws, tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["J.index.expert_01"]["B3"] = datetime.datetime(2025, 1, 3)  # Excel turned 1/3 into a date
    wb.save(path)
    with pytest.raises(zl.WorkspaceError, match=r"sheet 'J.index.expert_01' row 3, column "
                                                r"'economy': '2025-01-03 00:00:00' is not a "
                                                r"judgement.*format the cells as Text"):
        zl.load_workspace(path)


def test_unreadable_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(zl.WorkspaceError, match="broken.xlsx: cannot read the workbook"):
        zl.load_workspace(path)


def test_error_pickles(tmp_path):
    import pickle

    with pytest.raises(zl.WorkspaceError) as err:
        zl.load_workspace(make_ws(tmp_path, {"framework.csv": None}))
    again = pickle.loads(pickle.dumps(err.value))
    assert str(again) == str(err.value) and again.problems.equals(err.value.problems)


# ---------------------------------------------------------------------------------------------
# Template
def test_template_sheets_columns_and_notes(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [README_SHEET, "workspace", *COLUMNS]
    for table, columns in COLUMNS.items():
        header = next(iter(wb[table].iter_rows(max_row=1)))
        assert [c.value for c in header] == columns
        assert all(c.comment is not None and re.search("[\u4e00-\u9fff]", c.comment.text)
                   for c in header), table
    readme = [r for r in wb[README_SHEET].iter_rows(values_only=True)]
    assert ("values", "year", "是 yes", "年份，整数，如 2024", "Year, a whole number such as 2024") \
        in readme
    with pytest.raises(FileExistsError):
        write_template(path)
    with pytest.raises(ValueError, match="must end in .xlsx"):
        write_template(tmp_path / "t.csv")


def test_template_fill_and_load(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    with pytest.raises(zl.WorkspaceError, match="the framework is empty"):
        zl.load_workspace(path)
    wb = openpyxl.load_workbook(path)
    wb["framework"].append(["index", "指数", "Index", None, 2, 1])
    wb["framework"].append(["gdp", "GDP", None, "index", 1, 1, "万元"])
    wb["units"].append(["t1", "甲镇", None, "town"])
    wb["values"].append(["t1", 2024, "gdp", 3.5])
    wb.save(path)
    ws = zl.load_workspace(path)
    assert ws.indicators() == ["gdp"] and ws.matrix(2024).loc["t1", "gdp"] == 3.5
    assert ws.framework["parent"].tolist() == ["", "index"]


# ---------------------------------------------------------------------------------------------
# Property: load(write(ws)) equals ws
_text = st.text(st.sampled_from(list("ab 甲乙镇,\"'") + ["\n"]), max_size=6)
_code = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True)
# openpyxl writes numbers as "%.16g": a workbook keeps 16 significant digits, a CSV all 17
_number = st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: float(f"{x:.15g}"))


@st.composite
def workspaces(draw):
    codes = draw(st.lists(_code, min_size=3, max_size=7, unique=True))
    root, dims, leaves = codes[0], codes[1:2 + len(codes) // 3], codes[2 + len(codes) // 3:]
    if not leaves:
        leaves, dims = dims[-1:], dims[:-1] or [root]
    parents = [""] + [root] * (len(dims) if dims != [root] else 0)
    parents += [draw(st.sampled_from(dims)) for _ in leaves]
    nodes = [root] + (dims if dims != [root] else []) + leaves
    kinds = ["town", "park"]
    # levels are the tree's heights: 1 for nodes without children (a dimension that drew no
    # indicator is one), 2 for their parents, 3 for the root above dimensions
    has_kids = set(parents)
    dim_level = {d: 2 if d in has_kids else 1 for d in nodes[1:] if d not in leaves}
    fw = pd.DataFrame({"code": nodes, "name_zh": [draw(_text) for _ in nodes], "parent": parents,
                       "level": [1 + max((dim_level.get(c2, 1) for c2, p2 in zip(nodes, parents)
                                          if p2 == c), default=0) if p == "" else
                                 1 if c in leaves else dim_level[c]
                                 for c, p in zip(nodes, parents)],
                       "direction": [draw(st.sampled_from([1, -1])) for _ in nodes],
                       "kinds": [draw(st.sampled_from(["", "town", "park", "town; park"]))
                                 if c in leaves else "" for c in nodes]})
    n_units = draw(st.integers(1, 4))
    units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n_units)],
                          "name_en": [draw(_text) for _ in range(n_units)],
                          "kind": [draw(st.sampled_from(kinds)) for _ in range(n_units)],
                          "area": draw(st.lists(_number | st.none(),
                                                min_size=n_units, max_size=n_units))})
    rows = [(u, y, c) for u, k in zip(units["unit_id"], units["kind"]) for y in (2023, 2024)
            for c, ks in zip(fw["code"], fw["kinds"]) if c in leaves and (not ks or k in ks)]
    rows = draw(st.lists(st.sampled_from(rows), unique=True, max_size=12)) if rows else []
    value = _number | st.none()
    values = pd.DataFrame(rows, columns=["unit_id", "year", "indicator"]).assign(
        value=[draw(value) for _ in rows])
    if values.empty:
        values = pd.DataFrame({"unit_id": ["u0"], "year": [2024], "indicator": [leaves[0]],
                               "value": [1.0]})
        units.loc[0, "kind"] = "town"
        fw.loc[fw["code"] == leaves[0], "kinds"] = ""
    k = draw(st.integers(1, 9))
    ahp = pd.DataFrame([[1.0, k], [1 / k, 1.0]], index=leaves[:1] * 2, columns=leaves[:1] * 2)
    judgements = {} if len(leaves) < 2 else {"g": {"e": ahp.set_axis(leaves[:2]).set_axis(
        leaves[:2], axis=1)}}
    return zl.Workspace(fw, units, values, judgements=judgements,
                        schemes={"s": f"name: '{draw(_code)}'\n"})


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(ws=workspaces())
def test_round_trip_property_folder(tmp_path_factory, ws):
    assert validate_workspace(ws).empty
    path = zl.write_workspace(ws, tmp_path_factory.mktemp("p") / "ws")
    loaded = zl.load_workspace(path)
    assert loaded.equals(ws) and loaded.data_hash() == ws.data_hash()


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(ws=workspaces())
def test_round_trip_property_xlsx(tmp_path_factory, ws):
    loaded = zl.load_workspace(zl.write_workspace(ws, tmp_path_factory.mktemp("p") / "ws.xlsx"))
    assert loaded.equals(ws) and loaded.data_hash() == ws.data_hash()


def test_hash_equal_for_data_equal_workspaces(ws, tmp_path):
    """A workspace whose tables are not as loading gives them (an empty text column, a float32
    value column) hashes as its written-and-loaded copy (review of issue 8)."""
    units = ws.units.assign(note=None, region="")
    for other in (zl.Workspace(ws.framework, units, ws.values, ws.targets, ws.deductions,
                               ws.deduction_items, ws.judgements, ws.schemes),
                  zl.Workspace(ws.framework, ws.units, ws.values.astype({"value": "float32"}),
                               ws.targets, ws.deductions, ws.deduction_items, ws.judgements,
                               ws.schemes)):
        folder = tmp_path / str(id(other))
        zl.write_workspace(other, folder)
        loaded = zl.load_workspace(folder)
        assert other.data_hash() == loaded.data_hash()


# ---------------------------------------------------------------------------------------------
# The optional outcomes table (outcomes outside the score)
OUTCOMES_CSV = """\
unit_id,year,name,value
t1,2023,survey,80.5
t2,2023,survey,
p1,2024,complaints,12.25
t1,2024,survey,-0.125
"""


def test_outcomes_round_trip_folder_and_xlsx(tmp_path):
    ws = zl.load_workspace(make_ws(tmp_path, {"outcomes.csv": OUTCOMES_CSV}))
    o = ws.outcomes
    assert list(o.columns) == COLUMNS["outcomes"] and o["year"].dtype == np.int64
    assert o["value"].dtype == np.float64 and np.isnan(o.loc[1, "value"])  # empty: missing
    assert o["value"].tolist()[2:] == [12.25, -0.125] and o["name"].tolist()[0] == "survey"
    folder = zl.load_workspace(zl.write_workspace(ws, tmp_path / "copy"))
    book = zl.load_workspace(zl.write_workspace(ws, tmp_path / "copy.xlsx"))
    assert "outcomes" in openpyxl.load_workbook(tmp_path / "copy.xlsx").sheetnames
    back = zl.load_workspace(zl.write_workspace(book, tmp_path / "back"))
    for other in (folder, book, back):
        pd.testing.assert_frame_equal(other.outcomes, o)
        assert other.equals(ws) and other.data_hash() == ws.data_hash()
    changed = zl.Workspace(**{**{t: getattr(ws, t) for t in COLUMNS}, "judgements":
                              ws.judgements, "schemes": ws.schemes,
                              "outcomes": o.assign(value=o["value"] + 1)})
    assert not changed.equals(ws) and changed.data_hash() != ws.data_hash()
    # without the file, an empty table with the columns
    plain = zl.load_workspace(make_ws(tmp_path, name="plain"))
    assert plain.outcomes.empty and list(plain.outcomes.columns) == COLUMNS["outcomes"]


@pytest.mark.parametrize("line, pattern", [
    ("x9,2024,survey,1", (r"outcomes\.csv row 6, column 'unit_id': unknown unit 'x9'\. Fix: "
                          r"add it to units\.csv")),
    ("t1,2024,survey,high", r"outcomes\.csv row 6, column 'value': text 'high'"),
    ("t1,2023,survey,81", r"outcomes\.csv row 6, column 'unit_id/year/name': duplicate of row 2"),
])
def test_outcomes_problems_name_file_row_and_column(tmp_path, line, pattern):
    with pytest.raises(zl.WorkspaceError) as err:
        zl.load_workspace(make_ws(tmp_path, {"outcomes.csv": OUTCOMES_CSV + line + "\n"}))
    assert re.search(pattern, str(err.value)), str(err.value)
    book = zl.write_workspace(zl.load_workspace(make_ws(tmp_path, {"outcomes.csv": OUTCOMES_CSV},
                                                        name="ok")), tmp_path / "ok.xlsx")
    if "x9" in line:  # the same in a workbook names the sheet
        wb = openpyxl.load_workbook(book)
        wb["outcomes"].append(line.split(","))
        wb.save(book)
        with pytest.raises(zl.WorkspaceError, match=r"sheet 'outcomes' row 6, column "
                                                    r"'unit_id': unknown unit 'x9'"):
            zl.load_workspace(book)


# ---------------------------------------------------------------------------------------------
# Located warnings (issue 10): suspicious but possible inputs
def test_warnings_of_loaded_and_in_memory_workspaces(tmp_path):
    """The small workspace's park is a peer group of one: a WorkspaceWarning at load, the table
    in ``Workspace.warnings``; a copy made in memory finds the same; the build log repeats it."""
    with pytest.warns(zl.errors.WorkspaceWarning, match=r"units\.csv row 4, column 'peer_group':"
                                                        r" the peer group 'park' has one unit"):
        ws = zl.load_workspace(make_ws(tmp_path))
    assert ws.warnings[["file", "row", "column", "value"]].values.tolist() == [
        ["units.csv", 4, "peer_group", "park"]]
    memory = zl.Workspace(ws.framework, ws.units, ws.values, ws.targets, ws.deductions,
                          ws.deduction_items)
    assert memory.warnings is None
    pd.testing.assert_frame_equal(memory.located_warnings(), ws.warnings)
    with pytest.warns(zl.errors.WorkspaceWarning, match=r"test_workspace\.py|forest") as caught:
        a = zl.build(ws, "baseline", 2024)   # forest and debt have no value in 2024
    assert {w.filename for w in caught if isinstance(w.message, zl.errors.WorkspaceWarning)} \
        == {__file__}
    (rec,) = [r for r in a.log if r.step == "workspace" and r.params["source"] == "load"]
    assert (rec.resolved.file, rec.resolved.row, rec.resolved.column) == ("units.csv", 4,
                                                                          "peer_group")
    assert "has one unit" in rec.as_row()["resolved"]
    built = [(r.resolved.row, r.resolved.value) for r in a.log
             if r.step == "workspace" and r.params["source"] == "build"]
    assert built == [(6, "debt"), (8, "forest")]
