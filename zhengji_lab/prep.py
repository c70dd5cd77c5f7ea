"""Data preparation before treatment: denomination and screening of units by data availability.

Both are COINr steps (Becker et al. 2022, ``Denominate()`` and ``Screen()``) and the OECD/JRC
Handbook's (2008, section 1.4 and step 3): an extensive indicator (exports, patents, NGOs) is
divided by a size measure (GDP, population, area) so that large and small units are
comparable, and a unit with too little data is left out rather than scored on a few
indicators. Both return what they did, so that an assessment's log says it.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*. doi:10.1787/9789264043466-en
Becker, W. et al. (2022). COINr: An R package for developing composite indicators. JOSS 7(78),
4567.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from zhengji_lab.errors import BuildError

#: Columns of the table of units left out by :func:`screen` (``Assessment.screened_out``).
SCREENED_COLUMNS = ["unit_id", "available", "applicable", "share"]
#: What a ``denominate`` entry does where a unit's denominator is missing.
WHEN_MISSING = ("error", "missing")


def denominator_spec(entry) -> tuple[str, str]:
    """``(denominator, when_missing)`` of one entry of the scheme's ``denominate`` section.

    An entry is a denominator name (``gdp``), or ``{by: gdp, when_missing: error | missing}``;
    ``missing`` makes a value whose denominator is absent missing (to be imputed) instead of an
    error.

    >>> denominator_spec("gdp"), denominator_spec({"by": "energy", "when_missing": "missing"})
    (('gdp', 'error'), ('energy', 'missing'))
    """
    if isinstance(entry, str):
        return entry, "error"
    return entry["by"], entry.get("when_missing", "error")


def denominate(X: pd.DataFrame, spec: dict, denominators: pd.DataFrame):
    """Divide indicators by their denominators: ``value / denominator`` per unit.

    Parameters
    ----------
    X : DataFrame
        Units × indicators of one year.
    spec : dict
        ``{indicator: denominator}`` or ``{indicator: {by: denominator, when_missing: ...}}``
        (the scheme's ``denominate`` section).
    denominators : DataFrame
        Units × denominator names (the workspace's covariates of the year, or units.csv
        columns); see :meth:`~zhengji_lab.workspace.Workspace.covariate`.

    Returns
    -------
    (DataFrame, DataFrame)
        The denominated table, and one row per indicator: ``indicator, denominator, units,
        made_missing`` (units whose value became missing for want of a denominator).

    Raises
    ------
    BuildError
        A denominator that is zero, negative, or missing for a unit with a value (unless its
        entry says ``when_missing: missing``), naming the indicator, the unit and the fix.

    Examples
    --------
    >>> X = pd.DataFrame({"exports": [10.0, 30.0]}, index=["a", "b"])
    >>> d = pd.DataFrame({"gdp": [2.0, 3.0]}, index=["a", "b"])
    >>> denominate(X, {"exports": "gdp"}, d)[0]["exports"].tolist()
    [5.0, 10.0]
    """
    out = X.copy()
    rows = []
    problems = []
    for code, entry in spec.items():
        by, when_missing = denominator_spec(entry)
        d = denominators[by].reindex(X.index)
        has = X[code].notna()
        absent = has & d.isna()
        bad = has & (d <= 0)
        for unit in bad.index[bad]:
            problems.append(f"indicator {code!r}, unit {unit!r}: the denominator {by!r} is "
                            f"{d[unit]:g}; a denominator must be positive — correct {by!r} of "
                            f"{unit!r} in covariates.csv or units.csv, or remove {code!r} from "
                            "the scheme's 'denominate'")
        if when_missing == "error":
            for unit in absent.index[absent]:
                problems.append(f"indicator {code!r}, unit {unit!r}: the denominator {by!r} is "
                                f"missing — add it to covariates.csv (or units.csv), or write "
                                f"'{code}: {{by: {by}, when_missing: missing}}' in the scheme's "
                                "'denominate' to treat the value as missing (then imputed)")
        out[code] = X[code] / d
        rows.append((code, by, int(has.sum()), sorted(absent.index[absent])))
    if problems:
        raise BuildError(f"The scheme's 'denominate' cannot be applied ({len(problems)} "
                         "problem(s)):\n- " + "\n- ".join(problems[:20])
                         + (f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""))
    return out, pd.DataFrame(rows, columns=["indicator", "denominator", "units", "made_missing"])


def data_share(X: pd.DataFrame, applicable: pd.DataFrame) -> pd.DataFrame:
    """Each unit's data availability: ``available, applicable, share`` (COINr's ``Dat_Avail``).

    Only the indicators that apply to the unit count; a unit to which none applies has share 1
    (it lacks nothing).

    >>> X = pd.DataFrame({"a": [1.0, np.nan], "b": [2.0, 3.0]}, index=["u", "v"])
    >>> data_share(X, X.notna() | True)["share"].tolist()
    [1.0, 0.5]
    """
    app = applicable.reindex_like(X).fillna(False).to_numpy(dtype=bool)
    have = (X.notna().to_numpy() & app).sum(axis=1)
    need = app.sum(axis=1)
    share = np.divide(have, need, out=np.ones(len(X)), where=need > 0)
    return pd.DataFrame({"available": have, "applicable": need, "share": share}, index=X.index)


def screen(X: pd.DataFrame, applicable: pd.DataFrame, *, min_share: float):
    """Units with at least ``min_share`` of their applicable data (COINr ``Screen(unit_screen =
    "byNA", dat_thresh = min_share)``).

    Parameters
    ----------
    X : DataFrame
        Units × indicators (after imputation, as COINr screens the imputed data set).
    applicable : DataFrame of bool
        Which indicators apply to each unit.
    min_share : float
        In [0, 1]; 0 keeps every unit.

    Returns
    -------
    (Index, DataFrame)
        The units kept, and one row per unit left out: ``unit_id, available, applicable,
        share``.

    >>> X = pd.DataFrame({"a": [1.0, np.nan], "b": [2.0, 3.0]}, index=["u", "v"])
    >>> kept, out = screen(X, X.notna() | True, min_share=0.9)
    >>> list(kept), out["unit_id"].tolist()
    (['u'], ['v'])
    """
    if isinstance(min_share, bool) or not isinstance(min_share, (int, float)) \
            or not 0 <= min_share <= 1:
        raise ValueError(f"The 'min_share' parameter of screen() must be a share in [0, 1] (0: "
                         f"no screening). Got {min_share!r} instead.")
    share = data_share(X, applicable)
    low = share["share"] < min_share - 1e-12
    left_out = share[low].rename_axis("unit_id").reset_index()
    return X.index[~low.to_numpy()], left_out
