"""``zl.build(ws, scheme, year)``: the assessment of a year as the scheme defines it, then the
uncertainty flags the scheme asks for (``uncertainty_flags``), a step after the pipeline that
runs the Monte Carlo analysis over the scheme's ``uncertainty`` section."""
from __future__ import annotations

from zhengji_lab.montecarlo.analysis import flag_uncertain
from zhengji_lab.pipeline import Assessment, build_assessment


def build(ws, scheme, year: int, *, validate: bool = True) -> Assessment:
    """Build the assessment of ``year``.

    Parameters
    ----------
    ws : Workspace
    scheme : Scheme, str or path
        A Scheme, the name of one of the workspace's schemes, or a YAML file.
    year : int
    validate : bool
        Check that the year exists (skip inside loops that checked it once).

    Returns
    -------
    Assessment
        Scores, ranks and grades per unit and node, weights (and each unit's own), deductions,
        talk triggers with their evidence, the data after each step (``stage``), the log and
        provenance; with ``uncertainty_flags`` in the scheme, rank bands and flags on the
        grades and triggers that depend on its uncertain choices.

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> ws = zl.load_workspace(zl.datasets.data_dir() / "reference" / "oecd_tai_2008")
    >>> float(build(ws, "tai_handbook", 2000).index.max().round(3))   # Finland, Table 23
    0.745
    """
    a = build_assessment(ws, scheme, year, validate=validate)
    if a.scheme.spec["uncertainty_flags"] is not None:
        a = flag_uncertain(ws, a)
    return a
