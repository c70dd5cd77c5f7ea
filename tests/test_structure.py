"""The package's shape: short modules, no import cycles, no ``print``, no unexplained lazy imports.

Every check walks ``zhengji_lab/`` and parses each module with :mod:`ast` (nothing is
imported), so the tests name no module and keep working while the package is restructured.

``print`` is allowed only in the command line's own modules: those behind ``[project.scripts]``
and the command bodies they alone import, inside their functions.

Import graph: an edge ``a -> b`` for every ``import``/``from ... import`` in ``a`` that names a
module ``b`` of the package, at any depth (inside functions too); ``from p import n`` points to
``p.n`` when that is a submodule and to ``p`` otherwise. Imports under ``if TYPE_CHECKING:`` are
not executed and do not count. The implicit import of parent packages does not count either:
Python puts them in ``sys.modules`` before the module runs, so they cannot close a cycle.
``importlib.import_module("zhengji_lab.x")`` is an import of ``zhengji_lab.x``; one whose name is
computed (``f"zhengji_lab.{name}"``, PEP 562 loaders) counts for the lazy-import check only.
"""
from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tomllib
from conftest import ROOT

PACKAGE = "zhengji_lab"
PACKAGE_DIR = ROOT / PACKAGE
MAX_LINES = 600
LAZY = re.compile(r"#\s*lazy:\s*\S")
_FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool
    lines: list[str]
    tree: ast.Module
    where: str            # path relative to the package's parent folder, for messages


@dataclass(frozen=True)
class Import:
    source: str           # importing module
    targets: tuple[str, ...]  # package modules it names
    lineno: int
    in_function: bool
    lazy_marked: bool


@cache
def modules(package_dir: Path = PACKAGE_DIR) -> dict[str, Module]:
    """Every module of the package, by dotted name (a package by its ``__init__.py``)."""
    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if "__pycache__" in parts:
            continue
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=str(path))
        found[name] = Module(name, path, is_package, text.splitlines(), tree,
                             "/".join(parts) + ".py")
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _nodes(tree: ast.AST):
    """Yield ``(node, in_function)``, leaving out the bodies of ``if TYPE_CHECKING:``."""
    stack = [(tree, False)]
    while stack:
        node, in_function = stack.pop()
        yield node, in_function
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            children = node.orelse
        else:
            children = list(ast.iter_child_nodes(node))
        inner = in_function or isinstance(node, _FUNCTION)
        stack.extend((child, inner) for child in reversed(children))


def _existing_prefix(name: str, known: dict[str, Module]) -> str | None:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in known:
            return ".".join(parts[:end])
    return None


def _dynamic_name(node: ast.AST) -> str | None:
    """``"a.b"`` for ``importlib.import_module("a.b")``, ``import_module("a.b")`` or
    ``__import__("a.b")``; ``"a.*"`` for a name computed as ``f"a.{...}"``; else None."""
    if not (isinstance(node, ast.Call) and node.args):
        return None
    func, name = node.func, node.args[0]
    if (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)) not in (
            "import_module", "__import__"):
        return None
    if isinstance(name, ast.Constant) and isinstance(name.value, str):
        return name.value
    if (isinstance(name, ast.JoinedStr) and name.values and isinstance(name.values[0], ast.Constant)
            and name.values[0].value.endswith(".")):
        return f"{name.values[0].value}*"
    return None


def _targets(node: ast.Import | ast.ImportFrom | ast.Call, module: Module,
             known: dict[str, Module]) -> list[str]:
    """The package modules an import names (none for other packages)."""
    if isinstance(node, ast.Call):
        name = _dynamic_name(node)
        if name.endswith(".*"):  # computed: a package module, but which one is not known here
            return [name] if name.split(".")[0] == module.name.split(".")[0] else []
        target = _existing_prefix(name, known)
        return [target] if target else []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
        return [t for t in (_existing_prefix(n, known) for n in names) if t]
    if node.level:
        base = module.name.split(".")
        if not module.is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        origin = ".".join(base + ([node.module] if node.module else []))
    else:
        origin = node.module or ""
    if origin not in known and _existing_prefix(origin, known) is None:
        return []
    out = []
    for alias in node.names:
        sub = f"{origin}.{alias.name}"
        out.append(sub if sub in known else _existing_prefix(origin, known))
    return out


def _is_marked(node: ast.stmt, lines: list[str]) -> bool:
    """``# lazy: <reason>`` on one of the statement's lines or on a comment line just above."""
    own = lines[node.lineno - 1: node.end_lineno]
    above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
    return any(LAZY.search(line) for line in own) or (
        above.startswith("#") and LAZY.search(above) is not None)


@cache
def imports(package_dir: Path = PACKAGE_DIR) -> tuple[Import, ...]:
    """Every executed import of a package module, at any depth (statements and
    ``importlib.import_module`` with a literal name)."""
    known, out = modules(package_dir), []
    for module in known.values():
        for node, in_function in _nodes(module.tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) or _dynamic_name(node):
                targets = tuple(dict.fromkeys(_targets(node, module, known)))
                if targets:
                    out.append(Import(module.name, targets, node.lineno, in_function,
                                      _is_marked(node, module.lines)))
    return tuple(out)


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; returns the components with a cycle in them."""
    index, low, on_stack, stack, comps = {}, {}, set(), [], []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root), on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child), on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                if len(comp) > 1 or node in graph[node]:
                    comps.append(sorted(comp))
    return comps


def _shortest_cycle(graph: dict[str, set[str]], start: str, inside: set[str]) -> list[str]:
    """A shortest cycle through ``start`` (breadth first, inside its component)."""
    previous, frontier = {}, [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & inside):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return path[::-1] + [start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return [start]


# -- what the checks find --------------------------------------------------------------------


def long_modules(package_dir: Path = PACKAGE_DIR) -> list[str]:
    long = sorted(((len(m.lines), m.where) for m in modules(package_dir).values()), reverse=True)
    return [f"{where}: {n} lines" for n, where in long if n > MAX_LINES]


def import_cycles(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """One paragraph per strongly connected component: its members and its shortest cycles."""
    known = modules(package_dir)
    graph: dict[str, set[str]] = {name: set() for name in known}
    where: dict[tuple[str, str], str] = {}
    for imp in imports(package_dir):
        for target in set(imp.targets) & set(known):
            graph[imp.source].add(target)
            where.setdefault((imp.source, target), f"{known[imp.source].where}:{imp.lineno}")
    reports = []
    for members in _strongly_connected(graph):
        cycles = {}  # a shortest cycle through each member, each cycle once
        for member in members:
            cycle = _shortest_cycle(graph, member, set(members))
            cycles.setdefault(frozenset(itertools.pairwise(cycle)), cycle)
        shown = sorted(cycles.values(), key=len)[:10]
        text = "\n".join(
            "    " + " -> ".join(cycle) + "\n" + "\n".join(
                f"      {a} -> {b}: {where[a, b]}" for a, b in itertools.pairwise(cycle))
            for cycle in shown)
        reports.append(f"  {len(members)} modules import each other: {', '.join(members)}\n"
                       f"  {len(cycles)} shortest cycle(s) through them, e.g.:\n{text}")
    return reports


def print_calls(package_dir: Path = PACKAGE_DIR, allowed: frozenset[str] = frozenset()
                ) -> list[str]:
    return [f"{m.where}:{node.lineno}"
            for m in modules(package_dir).values() if m.name not in allowed
            for node, _ in _nodes(m.tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "print"]


def unmarked_lazy_imports(package_dir: Path = PACKAGE_DIR) -> list[str]:
    known = modules(package_dir)
    return [f"{known[imp.source].where}:{imp.lineno} imports {', '.join(imp.targets)}"
            for imp in imports(package_dir) if imp.in_function and not imp.lazy_marked]


def console_modules(package_dir: Path = PACKAGE_DIR,
                    pyproject: Path = ROOT / "pyproject.toml") -> frozenset[str]:
    """The command line's own modules, whose output *is* the command's output: the modules
    behind ``[project.scripts]``, and the command bodies they import only inside their
    functions (so that ``--help`` stays fast) and nothing else imports."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    scripts = {entry.split(":")[0].strip() for entry in project.get("scripts", {}).values()}
    deferred, elsewhere = set(), set()
    for imp in imports(package_dir):
        if imp.source in scripts and imp.in_function:
            deferred.update(imp.targets)
        else:
            elsewhere.update(t for t in imp.targets if t != imp.source)
    return frozenset(scripts | (deferred - elsewhere))


# -- the checks --------------------------------------------------------------------------------


def test_the_package_is_found():
    assert PACKAGE in modules() and len(modules()) > 1


def test_no_module_over_600_lines():
    offenders = long_modules()
    assert not offenders, (
        f"{len(offenders)} module(s) over {MAX_LINES} lines; split them by job:\n  "
        + "\n  ".join(offenders))


def test_no_import_cycle():
    reports = import_cycles()
    assert not reports, (
        f"{len(reports)} import cycle(s) (function-level imports included; "
        "imports under `if TYPE_CHECKING:` left out):\n" + "\n".join(reports))


def test_no_print_in_the_library():
    calls = print_calls(allowed=console_modules())
    assert not calls, (
        f"{len(calls)} print() call(s) in the library; use logging.getLogger(__name__) or "
        "return the text:\n  " + "\n  ".join(calls))


def test_function_level_imports_of_the_package_are_marked_lazy():
    unmarked = unmarked_lazy_imports()
    assert not unmarked, (
        f"{len(unmarked)} function-level import(s) of {PACKAGE} modules without a "
        "`# lazy: <reason>` comment (on the import or the line above). Import at the top of "
        "the module, or give the reason (a heavy optional dependency):\n  "
        + "\n  ".join(unmarked))


# -- the checks find what they should, on a made-up package ------------------------------------

TOY = {
    "__init__.py": "from toy import a\nfrom toy.sub import thing\nVERSION = '1'\n",
    "a.py": ("from typing import TYPE_CHECKING\nimport os\n"
             "if TYPE_CHECKING:\n    from toy.b import B\n"
             "def f():\n    from . import b  # lazy: b pulls in a heavy optional dependency\n"
             "    print('x')\n"),
    "b.py": "import toy.sub.deep\n\n\ndef g():\n    from .a import f\n    return f\n",
    "sub/__init__.py": "from .deep import thing\n",
    "sub/deep.py": ("thing = 1\n\n\ndef h():\n    # lazy: the root imports this package\n"
                    "    from .. import VERSION\n    return VERSION\n"),
    "sub/long.py": "x = 1\n" * (MAX_LINES + 1),
    # the console script and the module only it imports may print
    "cmd.py": ("import importlib\n\n\ndef main():\n"
               "    importlib.import_module('toy.body').run()\n    print('done')\n"),
    "body.py": "def run():\n    print('hello')\n",
    "sub/lazy.py": ("import importlib\n\n\ndef __getattr__(name):\n"
                    "    return importlib.import_module(f'toy.{name}')\n"),
}


def test_the_checks_on_a_made_up_package(tmp_path):
    for name, text in TOY.items():
        (tmp_path / "toy" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "toy" / name).write_text(text, encoding="utf-8")
    toy = tmp_path / "toy"
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "toy"\n[project.scripts]\ntoy = "toy.cmd:main"\n', encoding="utf-8")
    edges = {(i.source, t, i.in_function) for i in imports(toy) for t in i.targets}
    assert edges == {
        ("toy", "toy.a", False), ("toy", "toy.sub", False),   # `thing` is a name of toy.sub
        ("toy.a", "toy.b", True),                             # TYPE_CHECKING left out
        ("toy.b", "toy.sub.deep", False), ("toy.b", "toy.a", True),
        ("toy.sub", "toy.sub.deep", False),
        ("toy.sub.deep", "toy", True),                        # a name of the root package
        ("toy.cmd", "toy.body", True),                        # importlib.import_module
        ("toy.sub.lazy", "toy.*", True),                      # ... with a computed name
    }
    assert long_modules(toy) == [f"toy/sub/long.py: {MAX_LINES + 1} lines"]
    console = console_modules(toy, tmp_path / "pyproject.toml")
    assert console == {"toy.cmd", "toy.body"}
    assert print_calls(toy, console) == ["toy/a.py:7"]
    assert unmarked_lazy_imports(toy) == ["toy/b.py:5 imports toy.a", "toy/cmd.py:5 imports toy.body",
                                          "toy/sub/lazy.py:5 imports toy.*"]
    cycles = import_cycles(toy)
    assert len(cycles) == 1 and "5 modules import each other" in cycles[0]
    assert "toy.a -> toy.b -> toy.a" in cycles[0] and "toy/b.py:5" in cycles[0]
