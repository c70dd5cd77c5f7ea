"""Every notebook under notebooks/, one parametrised test per property (STYLE.md, 2.5).

Each notebook is committed without outputs, is thin (its code is calls into zhengji_lab's public
API, the narrative is markdown), has one cell tagged ``parameters`` of typed JSON-simple literals
with help comments, and runs as JupyterLab runs it: from the ``notebooks/`` folder, with the
parameters it is committed with. The run tests start a kernel and take 5-20 s each: they are
marked slow. What a notebook must show beyond running cleanly is in :data:`EXPECT`; a new
notebook needs an entry there (its parameters are pinned because papermill only warns on a
misspelt parameter).
"""
import ast
import json
from dataclasses import dataclass, field

import nbformat
import pandas as pd
import pytest
from conftest import DATA, ROOT

import zhengji_lab as zl

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]

# -- thinness: longer code belongs in the package (STYLE.md 2.5) ----------------------------------
MAX_CELL_LINES = 15         # lines of one code cell
MAX_CODE_LINES = 80         # non-blank code lines of the whole notebook
MAX_CELL_CALLS = 12         # function calls in one code cell
MAX_CALLS = 60              # function calls in the whole notebook
CODE_CELLS_PER_MARKDOWN = 3  # at least one markdown cell for every three code cells
MIN_HEADINGS = 3            # markdown section headings
IMPORTS = {"zhengji_lab", "matplotlib.pyplot", "IPython.display"}
JSON_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict}


@dataclass(frozen=True)
class Expect:
    """What one notebook must hold and show, beyond the checks every notebook gets."""

    #: name -> (type, default), in the order of the parameters cell
    parameters: dict
    #: help comments relied on elsewhere (``zhengji report`` passes these parameters)
    help: dict = field(default_factory=dict)
    #: cell tags besides ``parameters``
    tags: tuple = ()
    #: code the notebook must hold (figures with Chinese labels need ``setup_notebook``)
    code: tuple = ("zl.report.setup_notebook()",)
    #: at least this many SVG figures, and texts that some figure holds (labels kept as text)
    figures: int = 0
    svg_text: tuple = ()
    #: texts that the outputs of a MIME type hold, {mime: (text, ...)}
    outputs: dict = field(default_factory=dict)
    #: every unit of the sample city is named in the outputs
    all_units: bool = False


EXPECT = {
    "yearly_report": Expect(
        parameters={"year": ("int", 2025), "workspace": ("str", "data/sample_city"),
                    "scheme": ("str", "baseline"), "draws": ("int", zl.report.REPORT_DRAWS),
                    "seed": ("int", zl.report.REPORT_SEED), "lang": ("str", "zh"),
                    "run_data": ("str", ""), "unit_pages": ("dict", {})},
        help={"workspace": "assessment workspace (folder or .xlsx)",
              "scheme": "scheme name under workspace/schemes/, or a YAML path",
              "draws": "Monte Carlo draws of the rank bands (0: none)",
              "seed": "random seed of the draws",
              "lang": 'language of labels and names: "zh" or "en"',
              "run_data": "the run's data, given by zhengji report (else computed here)",
              "unit_pages": "{unit_id: link to its page}, given by zhengji report"},
        tags=(zl.report.TITLE_TAG,),
        figures=1, svg_text=("维度得分",),
        # the sample city's scheme has an uncertainty section: rank bands, uncertain grades
        # (23 of 46 at 1000 draws) and the triggers' firing probabilities are shown
        outputs={"text/markdown": ("年度综合考核报告", "baseline", "排名区间", "等次存疑"),
                 "text/html": ("等次", "一致性比率", "排名区间", "存疑", "触发概率",
                               "抽样次数 Draws", "方案指纹", "上年排名", "排名变化")},
        all_units=True),
    "unit_report": Expect(
        parameters={"unit_id": ("str", "town_yunxi"), "year": ("int", 2025),
                    "workspace": ("str", "data/sample_city"), "scheme": ("str", "baseline"),
                    "draws": ("int", zl.report.REPORT_DRAWS),
                    "seed": ("int", zl.report.REPORT_SEED), "lang": ("str", "zh"),
                    "run_data": ("str", ""), "city_report": ("str", "")},
        help={"unit_id": "the unit of this page (units.csv unit_id)",
              "workspace": "assessment workspace (folder or .xlsx)",
              "scheme": "scheme name under workspace/schemes/, or a YAML path",
              "draws": "Monte Carlo draws of the rank bands (0: none)",
              "seed": "random seed of the draws",
              "lang": 'language of labels and names: "zh" or "en"',
              "run_data": "the run's data, given by zhengji report (else computed here)",
              "city_report": 'relative link back to the city report ("": none)'},
        tags=(zl.report.TITLE_TAG,),
        figures=2, svg_text=("组内排名", "得分"),   # rank over the years; unit vs peers
        # town_yunxi: bands, peers, strengths, no targets, no deductions, change from 2024
        outputs={"text/markdown": ("云溪街道 2025 年度考核", "Yunxi Subdistrict", "同类比较组",
                                   "排名区间", "本单位无个性化指标目标", "本年度无减分项"),
                 "text/html": ("排名区间", "组内中位数", "组内排名", "优势", "弱项", "上年",
                               "变化", "经济发展")}),
    "01_weighting_review": Expect(
        parameters={"year": ("int", 2025), "workspace": ("str", "data/sample_city"),
                    "schemes": ("list", []), "reference": ("str", "")},
        figures=8,                 # weights ×2, bump ×4, shifts, heatmap, panel ×2
        svg_text=("经济发展", "排名"),
        outputs={"text/html": ("expert_ahp", "kendall_w", "一致性比率", "云溪街道")},
        all_units=True),
    "02_individualized_indicators": Expect(
        parameters={"year": ("int", 2025), "workspace": ("str", "data/sample_city"),
                    "scheme": ("str", "baseline"), "outcome": ("str", "survey_satisfaction"),
                    "seed": ("int", 2025)},
        figures=5,                 # fairness, value added, did2s and TWFE event studies, targets
        svg_text=("距采用年数", "得分差"),
        outputs={"text/html": ("cohort_2022", "town_baisha", "hotline_complaints", "好于预期")}),
    "03_robustness": Expect(
        parameters={"year": ("int", 2025), "workspace": ("str", "data/sample_city"),
                    "scheme": ("str", "baseline"), "n": ("int", 2000), "n_sobol": ("int", 512),
                    "seed": ("int", 2025)},
        figures=6,                 # bands, Sobol, weights, comparison, TAI bands, TAI Sobol
        outputs={"text/plain": ("UncertaintyResult", "2000 draws")},
        all_units=True),
}


def _read(path):
    return nbformat.read(path, as_version=4)


def _code(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def _python(source: str) -> ast.Module:
    """The cell as Python, IPython magics (``%config …``) turned into calls first."""
    from IPython.core.inputtransformer2 import TransformerManager

    return ast.parse(TransformerManager().transform_cell(source))


def _parameters_cell(nb):
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{len(cells)} cells tagged 'parameters'; papermill needs exactly one"
    assert cells[0].cell_type == "code"
    return cells[0]


def _expect(path) -> Expect:
    if path.stem not in EXPECT:
        pytest.fail(f"{path.name} has no entry in EXPECT (tests/test_notebooks.py): pin its "
                    f"parameters there, with what its outputs must show.")
    return EXPECT[path.stem]


def test_notebooks_are_found():
    assert {"yearly_report", "01_weighting_review", "03_robustness"} <= set(IDS)
    assert zl.report.notebook_path().parent == NOTEBOOK_DIR


# -- committed as written -------------------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path):
    dirty = [i for i, c in _code(_read(path)) if c.outputs or c.execution_count is not None]
    assert not dirty, (f"{path.name}: cells {dirty} carry outputs or execution counts; run "
                       f"`make clean-notebooks`.")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_thin(path):
    """Calls into the public API and narrative: no functions or classes, no private modules,
    short cells (STYLE.md 2.5)."""
    nb = _read(path)
    code = _code(nb)
    lines = calls = 0
    for i, cell in code:
        tree = _python(cell.source)
        defined = [type(n).__name__ for n in ast.walk(tree) if isinstance(
            n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))]
        assert not defined, f"{path.name}, cell {i} defines {defined}: move it to the package"
        imports = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imports |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert imports <= IMPORTS, f"{path.name}, cell {i} imports {sorted(imports - IMPORTS)}"
        n_lines = len(cell.source.splitlines())
        assert n_lines <= MAX_CELL_LINES, f"{path.name}, cell {i} has {n_lines} lines"
        n_calls = sum(isinstance(n, ast.Call) for n in ast.walk(tree))
        assert n_calls <= MAX_CELL_CALLS, f"{path.name}, cell {i} makes {n_calls} calls"
        lines += sum(bool(ln.strip()) for ln in cell.source.splitlines())
        calls += n_calls
    assert lines <= MAX_CODE_LINES, f"{path.name} has {lines} lines of code"
    assert calls <= MAX_CALLS, f"{path.name} makes {calls} calls"
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert len(markdown) * CODE_CELLS_PER_MARKDOWN >= len(code), \
        f"{path.name}: {len(markdown)} markdown cells for {len(code)} code cells"
    headings = [ln for m in markdown for ln in m.splitlines() if ln.startswith("#")]
    assert len(headings) >= MIN_HEADINGS, f"{path.name}: {len(headings)} section headings"


# -- parameters -----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_parameters_are_typed_json_simple_literals(path):
    """``name: type = literal  # help``: values papermill can inject from JSON, derived values in
    a later cell (papermill does not recompute them)."""
    cell = _parameters_cell(_read(path))
    for node in _python(cell.source).body:
        assert isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name), \
            f"{path.name}: parameters cell line {node.lineno} is not `name: type = value`"
        name, kind = node.target.id, ast.unparse(node.annotation)
        assert kind in JSON_TYPES, f"{path.name}: {name} has type {kind}"
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            pytest.fail(f"{path.name}: {name} = {ast.unparse(node.value)} is not a literal; "
                        f"derive values in the next cell")
        assert type(value) is JSON_TYPES[kind], f"{path.name}: {name}: {kind} = {value!r}"
        assert json.loads(json.dumps(value)) == value


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_parameters_and_setup_are_pinned(path):
    """papermill only warns on a misspelt parameter, so names, types and defaults are pinned;
    so are the tags and set-up code a notebook relies on."""
    import papermill as pm

    expect = _expect(path)
    params = pm.inspect_notebook(str(path))
    assert {k: (v["inferred_type_name"], ast.literal_eval(v["default"]))
            for k, v in params.items()} == expect.parameters
    assert list(params) == list(expect.parameters)
    assert all(v["help"] for v in params.values()), f"{path.name}: a parameter lacks help"
    for name, text in expect.help.items():
        assert params[name]["help"] == text
    nb = _read(path)
    tags = {t for c in nb.cells for t in c.metadata.get("tags", [])}
    assert set(expect.tags) <= tags
    code = "\n".join(c.source for _, c in _code(nb))
    assert [c for c in expect.code if c not in code] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_workspace_is_located_from_the_notebooks_folder(path):
    """JupyterLab runs a notebook in notebooks/: a relative ``workspace`` such as
    ``data/sample_city`` is found through ``zl.report.locate`` (the repository's folder), or
    through ``zl.report.page_data``, which locates it."""
    nb = _read(path)
    if "workspace:" not in _parameters_cell(nb).source:
        pytest.skip("no workspace parameter")
    code = "\n".join(c.source for _, c in _code(nb))
    assert "zl.report.locate(workspace)" in code or "workspace=workspace" in code
    assert "load_workspace(workspace)" not in code


# -- running --------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_from_the_notebooks_folder(path, tmp_path):
    """As JupyterLab runs it: working folder notebooks/, the committed parameters (none
    injected), the executed copy written to a temporary folder."""
    import papermill as pm

    out = tmp_path / path.name
    pm.execute_notebook(str(path), str(out), cwd=str(NOTEBOOK_DIR), kernel_name="python3",
                        language="python", progress_bar=False)
    outputs = [o for _, c in _code(_read(out)) for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not [t for t in stderr if "Warning" in t], f"{path.name} shows warnings: {stderr}"
    expect = _expect(path)
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) >= expect.figures
    for text in expect.svg_text:
        assert any(text in s for s in svgs), text
    for mime, texts in expect.outputs.items():
        shown = " ".join(o.get("data", {}).get(mime, "") for o in outputs)
        missing = [t for t in texts if t not in shown]
        assert not missing, f"{missing} not in the {mime} outputs of {path.name}"
    if expect.all_units:
        shown = " ".join(str(v) for o in outputs for k, v in o.get("data", {}).items()
                         if k.startswith("text/"))
        units = pd.read_csv(DATA / "sample_city" / "units.csv", encoding="utf-8-sig")
        assert [n for n in units["name_zh"] if n not in shown] == []
