"""The base of the results of :mod:`zhengji_lab.effects`: a tidy ``frame`` plus what each adds."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True, eq=False)
class EffectsResult:
    """A result of :mod:`zhengji_lab.effects`.

    Attributes
    ----------
    frame : DataFrame
        The tidy table of the result (one row per estimate, unit or unit-indicator-year).
    """

    frame: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.frame._repr_html_()

    def __repr__(self) -> str:
        return f"{type(self).__name__}\n{self.frame.to_string(max_rows=20)}"
