"""The workspace's names (``workspace.yaml``, the workbook sheet ``workspace``, issue 11)."""
from __future__ import annotations

import dataclasses
import warnings

import openpyxl
import pytest

import zhengji_lab as zl
from zhengji_lab.errors import WorkspaceWarning

NAMES = {"name_zh": "青川市", "name_en": "Qingchuan", "region": "青川市（虚构）",
         "office": "青川市委考核办"}


@pytest.fixture(scope="module")
def small():
    """A small workspace without names (the TAI reference, 23 countries)."""
    return dataclasses.replace(zl.datasets.load_tai(), meta={}, source="")


def make_ws(small, tmp_path, changes: dict | None = None, name: str = "ws"):
    """``small`` as a folder, with ``changes`` (file → text) written into it."""
    folder = zl.write_workspace(small, tmp_path / name)
    for file, text in (changes or {}).items():
        (folder / file).write_text(text, encoding="utf-8")
    return folder


def _problems(path) -> list[tuple]:
    with pytest.raises(zl.WorkspaceError) as err:
        zl.load_workspace(path)
    return list(err.value.problems[["file", "row", "column", "value", "problem", "fix"]]
                .itertuples(index=False, name=None))


@pytest.mark.parametrize("target", ["copy", "copy.xlsx"])
def test_names_round_trip_folder_and_workbook(small, tmp_path, target):
    ws = zl.load_workspace(make_ws(small, tmp_path, {"workspace.yaml": "name_zh: 青川市\n"}))
    assert ws.meta == {"name_zh": "青川市"} and ws.title() == ws.title("en") == "青川市"
    named = dataclasses.replace(ws, meta=NAMES)
    assert not named.equals(ws)                          # the names are compared …
    assert named.data_hash() == ws.data_hash()           # … but are not data
    back = zl.load_workspace(zl.write_workspace(named, tmp_path / target))
    assert back.meta == NAMES and back.equals(named)
    assert (back.title("zh"), back.title("en")) == ("青川市", "Qingchuan")


def test_workbook_sheet_and_template_rows(small, tmp_path):
    named = dataclasses.replace(zl.load_workspace(make_ws(small, tmp_path)), meta=NAMES)
    book = openpyxl.load_workbook(zl.write_workspace(named, tmp_path / "b.xlsx"))
    assert book.sheetnames[1] == "workspace"
    assert list(book["workspace"].values)[:2] == [("key", "value"), ("name_zh", "青川市")]
    template = openpyxl.load_workbook(zl.workspace.write_template(tmp_path / "t.xlsx"))
    assert [r[0] for r in template["workspace"].values] == ["key", "name_zh", "name_en",
                                                             "region", "office"]


def test_missing_file_gives_no_names_and_the_folder_name(small, tmp_path):
    ws = zl.load_workspace(make_ws(small, tmp_path, name="city_a"))
    assert ws.meta == {} and ws.title() == ws.title("en") == "city_a"
    book = zl.write_workspace(ws, tmp_path / "city_b.xlsx")
    assert zl.load_workspace(book).title() == "city_b"
    memory = zl.Workspace(ws.framework, ws.units, ws.values)  # positional: still compatible
    assert memory.meta == {} and memory.title() == ""
    with pytest.raises(ValueError, match="'lang' parameter of Workspace.title"):
        ws.title("fr")


def test_bad_key_is_a_located_error_with_did_you_mean(small, tmp_path):
    text = "name_zh: 青川市\nnmae_en: Qingchuan\nname_zh: 又一个\nregion: 2024\n"
    rows = _problems(make_ws(small, tmp_path, {"workspace.yaml": text}))
    assert rows[0][:4] == ("workspace.yaml", 2, "key", "nmae_en")
    assert "unknown key 'nmae_en'" in rows[0][4] and "Did you mean 'name_en'?" in rows[0][5]
    assert rows[1][:2] == ("workspace.yaml", 3) and "appears twice" in rows[1][4]
    assert rows[2][:3] == ("workspace.yaml", 4, "region") and "must be text" in rows[2][4]
    assert _problems(make_ws(small, tmp_path, {"workspace.yaml": "name_zh: [x\n"}, name="b"))[0][1] == 2


def test_bad_key_in_the_workbook_sheet(small, tmp_path):
    path = zl.write_workspace(zl.load_workspace(make_ws(small, tmp_path)), tmp_path / "w.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("workspace")
    for row in (["key", "value"], ["name_zh", "青川市"], ["ofice", "考核办"]):
        sheet.append(row)
    book.save(path)
    (row,) = _problems(path)
    assert row[:4] == ("w.xlsx, sheet 'workspace'", 3, "key", "ofice")
    assert "Did you mean 'office'?" in row[5]


def test_in_memory_bad_key_is_refused(small):
    with pytest.raises(ValueError, match=r"unknown key 'nmae_zh'; did you mean 'name_zh'"):
        zl.Workspace(small.framework, small.units, small.values, meta={"nmae_zh": "x"})


def test_overwriting_without_names_keeps_and_names_the_old_file(small, tmp_path):
    folder = make_ws(small, tmp_path, {"workspace.yaml": "name_zh: 旧名\n"})
    ws = dataclasses.replace(zl.load_workspace(folder), meta={})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        zl.write_workspace(ws, folder, overwrite=True)
    assert any(issubclass(w.category, WorkspaceWarning) and "workspace.yaml" in str(w.message)
               for w in caught)


def test_sample_city_and_references_are_named(sample_ws):
    assert sample_ws.title() == "青川市" and "Qingchuan" in sample_ws.title("en")
    assert sample_ws.meta["office"].startswith("青川市委考核办")
    assert "Technology Achievement Index" in zl.datasets.load_tai().title("en")
    assert "ASEM" in zl.datasets.load_asem().title("en")
