"""Monte Carlo uncertainty and Sobol sensitivity of ranks over scheme choices (issue 4).

* :func:`uncertainty` — rank bands per unit (nominal rank, median, mean, 5–95% band, grade
  probabilities) over the choices listed in the scheme's ``uncertainty`` section;
* :func:`sensitivity` — first-order and total Sobol indices of the mean absolute rank shift and of
  every unit's rank, per uncertain input;
* :mod:`~zhengji_lab.montecarlo.design` — what an ``uncertainty`` entry may say, validation, and
  the map from ``[0, 1)^d`` to scheme choices;
* :mod:`~zhengji_lab.montecarlo.engine` — the vectorised evaluation of many draws, and the naive
  one-``build``-per-draw reference;
* :mod:`~zhengji_lab.montecarlo.sobol` — Saltelli/Jansen estimators over many outputs;
* :mod:`~zhengji_lab.montecarlo.test_functions` — linear and Ishigami functions with known
  indices.

Note that ``zl.sensitivity`` is the function; this subpackage is ``zhengji_lab.montecarlo``
(import its modules as ``from zhengji_lab.montecarlo import sobol``).
"""
from zhengji_lab.montecarlo import test_functions
from zhengji_lab.montecarlo.analysis import sensitivity, uncertainty
from zhengji_lab.montecarlo.design import Design, Input, parse_design
from zhengji_lab.montecarlo.results import SensitivityIndices, UncertaintyResult
from zhengji_lab.montecarlo.sobol import SobolEstimates, sobol_indices

__all__ = [
           "Design",
           "Input",
           "SensitivityIndices",
           "SobolEstimates",
           "UncertaintyResult",
           "parse_design",
           "sensitivity",
           "sobol_indices",
           "test_functions",
           "uncertainty",
]
