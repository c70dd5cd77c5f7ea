"""The workspace's names: ``workspace.yaml`` in a folder, the sheet ``workspace`` in a workbook.

What reports and workbooks call the workspace (not its folder name): ``name_zh``, ``name_en``,
``region`` and ``office``, all optional text.  A folder holds them as a YAML mapping::

    name_zh: 青川市
    name_en: Qingchuan (SYNTHETIC sample city)

and a workbook as rows of the sheet ``workspace`` with the columns ``key, value``.  An unknown
key is a located error with the closest valid key (as in a scheme,
:func:`~zhengji_lab.scheme_schema.did_you_mean`), and so is a key written twice
(:class:`~zhengji_lab.scheme_schema.StrictLoader`).  Empty values are left out: a workspace
without the file has the names ``{}``.

Examples
--------
>>> print(meta_yaml({"name_en": "Qingchuan", "name_zh": "青川市"}), end="")
# 工作空间名称 · What reports and workbooks call this workspace (zhengji_lab)
name_zh: 青川市
name_en: Qingchuan
>>> check_meta({"nmae_zh": "青川市"})
Traceback (most recent call last):
...
ValueError: The 'meta' of a Workspace has the unknown key 'nmae_zh'; did you mean 'name_zh'? \
The keys are {'name_zh', 'name_en', 'region', 'office'}.
"""
from __future__ import annotations

import yaml

from zhengji_lab.errors import choices
from zhengji_lab.scheme_schema import StrictLoader, did_you_mean, yaml_problem
from zhengji_lab.workspace.problems import Problems, Where

#: The keys of ``workspace.yaml``, in the order they are written.
META_KEYS = ("name_zh", "name_en", "region", "office")
#: The file of a folder workspace and the sheet of a workbook that hold the names.
META_FILE = "workspace.yaml"
META_SHEET = "workspace"
#: What each key means (Chinese, English): the workbook's README and the template's rows.
META_NOTES = {
    "name_zh": ("中文名称，报告标题使用，如 青川市", "Chinese name, used in report titles"),
    "name_en": ("英文名称", "English name"),
    "region": ("所属地区", "Region"),
    "office": ("考核机构，如 市委考核办", "The office that runs the assessment"),
}
_HEADER = ["key", "value"]
_COMMENT = "# 工作空间名称 · What reports and workbooks call this workspace (zhengji_lab)\n"


def meta_label(where: Where) -> str:
    """``workspace.yaml``, or ``book.xlsx, sheet 'workspace'``."""
    return where.table(META_SHEET) if where.book else META_FILE


def check_meta(meta) -> dict[str, str]:
    """The names of an in-memory workspace, in :data:`META_KEYS` order without empty values.

    Raises
    ------
    ValueError
        A key outside :data:`META_KEYS` (the message names the closest one).
    TypeError
        ``meta`` is not a dict, or a value is not text.
    """
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise TypeError(f"The 'meta' of a Workspace must be a dict with the keys "
                        f"{choices(META_KEYS)}. Got {type(meta).__name__} instead.")
    for key, value in meta.items():
        if key not in META_KEYS:
            raise ValueError(f"The 'meta' of a Workspace has the unknown key {key!r}"
                             f"{did_you_mean(key, META_KEYS) or '.'} The keys are "
                             f"{choices(META_KEYS)}.")
        if value is not None and not isinstance(value, str):
            raise TypeError(f"The 'meta' value {key!r} of a Workspace must be text. Got "
                            f"{value!r} instead.")
    return {k: meta[k].strip() for k in META_KEYS if (meta.get(k) or "").strip()}


def parse_meta_yaml(text: str, where: str, out: Problems) -> dict[str, str]:
    """The names in ``workspace.yaml`` text; problems (with the YAML line) go to ``out``."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem, _, fix = yaml_problem(exc, text).rpartition("; ")
        out.add(where, mark.line + 1 if mark else None, "", "", problem or fix,
                f"{fix.rstrip('.') if problem else 'correct it'}: one 'key: value' a line")
        return {}
    finally:
        loader.dispose()
    for found in loader.duplicates:
        line, _, problem = found.partition(": ")
        out.add(where, int(line.split()[1]), "", "", problem.partition("; ")[0],
                "keep one of the two lines: YAML would silently use the last")
    if data is None:
        return {}
    if not isinstance(data, dict):
        out.add(where, 1, "", "", f"workspace.yaml must be a mapping of keys to text; got "
                f"{type(data).__name__}", "write one 'key: value' a line, e.g. name_zh: 青川市")
        return {}
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    pairs = [(lines.get(str(key)), str(key), value) for key, value in data.items()]
    return _check_pairs(pairs, where, out)


def parse_meta_grid(grid: list[list[str]], where: str, out: Problems) -> dict[str, str]:
    """The names in the rows (``key, value``) of a workbook's ``workspace`` sheet."""
    pairs = []
    for i, row in enumerate(grid, start=1):
        cells = [c.strip() for c in row[:2]] + [""] * (2 - len(row[:2]))
        if i == 1 and [c.casefold() for c in cells] == _HEADER or not any(cells):
            continue
        pairs.append((i, cells[0], cells[1]))
    return _check_pairs(pairs, where, out)


def _check_pairs(pairs, where: str, out: Problems) -> dict[str, str]:
    """``(row, key, value)`` → names; unknown, empty and repeated keys and values that are not
    text are problems."""
    meta: dict[str, str] = {}
    for row, key, value in pairs:
        if key not in META_KEYS:
            close = did_you_mean(key, META_KEYS).removeprefix("; ")
            out.add(where, row, "key", key, f"unknown key {key!r}" if key else "a key is empty",
                    f"{close.capitalize() + ' ' if close else ''}The keys are "
                    f"{', '.join(META_KEYS)}; correct or delete the row")
        elif key in meta:
            out.add(where, row, "key", key, f"key {key!r} appears twice", "keep one of them")
        elif value is not None and not isinstance(value, str):
            out.add(where, row, key, value, f"{key!r} must be text; got {value!r}",
                    "write the name as text (in YAML, put it in quotes)")
        else:
            meta[key] = (value or "").strip()
    return {k: meta[k] for k in META_KEYS if meta.get(k)}


def meta_yaml(meta: dict[str, str]) -> str:
    """``workspace.yaml`` text of the names, in :data:`META_KEYS` order."""
    lines = [yaml.safe_dump({k: meta[k]}, allow_unicode=True, width=10**6)
             for k in META_KEYS if meta.get(k)]
    return _COMMENT + "".join(lines)


def meta_grid(meta: dict[str, str], *, every_key: bool = False) -> list[list[str]]:
    """The rows of the ``workspace`` sheet (``key, value``); ``every_key`` adds empty rows for
    the keys without a value (the template)."""
    keys = META_KEYS if every_key else [k for k in META_KEYS if meta.get(k)]
    return [list(_HEADER)] + [[k, meta.get(k, "")] for k in keys]
