"""notebooks/03_robustness.ipynb: thin, committed without outputs, runs under papermill."""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "03_robustness.ipynb"


def test_parameters_are_pinned():
    """papermill only warns on a misspelt parameter, so names and types are pinned here."""
    import papermill as pm

    params = pm.inspect_notebook(str(NOTEBOOK))
    assert {k: v["inferred_type_name"] for k, v in params.items()} == {
        "year": "int", "workspace": "str", "scheme": "str", "n": "int", "n_sobol": "int",
        "seed": "int"}


def test_notebook_is_thin_and_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert not re.search(r"^\s*(def|class|lambda)\s", cell.source, re.MULTILINE), i
        assert len(cell.source.splitlines()) <= 15, f"cell {i} is longer than 15 lines"
        assert not cell.outputs and cell.execution_count is None, f"cell {i} has outputs"
        imports = re.findall(r"^\s*(?:import|from)\s+(\S+)", cell.source, re.MULTILINE)
        assert set(imports) <= {"zhengji_lab", "matplotlib.pyplot"}, imports


@pytest.mark.slow
def test_notebook_runs_on_the_sample_city(tmp_path):
    import papermill as pm

    out = tmp_path / "robustness.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), parameters={"n": 200, "n_sobol": 32},
                        kernel_name="python3", language="python", progress_bar=False, cwd=ROOT)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(figures) >= 6   # bands, Sobol, weights, comparison, TAI bands, TAI Sobol
    text = "".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "UncertaintyResult" in text and "200 draws" in text
