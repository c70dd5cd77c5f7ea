"""Normalising every indicator with its own settings; goalposts fitted on the reference year."""
from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from zhengji_lab.normalisation import fit_goalposts, normalise
from zhengji_lab.pipeline.prepare import Prepared, prepare
from zhengji_lab.pipeline.records import FrozenMap, Normalised, StepRecord
from zhengji_lab.scheme import Scheme
from zhengji_lab.workspace import Workspace


def _normalise_key(spec: dict):
    return (spec["method"], tuple(spec.get("scale") or ()), spec.get("cap"))


def normalise_table(ws: Workspace, scheme: Scheme, prep: Prepared,
                    ) -> tuple[pd.DataFrame, StepRecord]:
    """Normalise every indicator with its own settings (global ones updated by overrides).

    Goalposts not given in the scheme are fitted on the scheme's ``reference_year`` (the values
    of all units that year after imputation and treatment), so that scores are comparable
    across years; when the reference year has no spread for an indicator they are fitted on the
    assessed year and the log says so.
    """
    X = prep.X
    out = pd.DataFrame(index=X.index, columns=X.columns, dtype=float)
    groups: dict[tuple, list[str]] = {}
    for code in X.columns[prep.applicable.any(axis=0).to_numpy()]:  # skip excluded indicators
        groups.setdefault(_normalise_key(scheme.normalise_spec(code)), []).append(code)
    resolved: dict[str, Any] = {}
    ref_year = scheme.spec["reference_year"]
    given = scheme.spec["normalise"].get("goalposts") or {}
    named = set(given) | set(scheme.spec["normalise"].get("overrides") or {})
    unknown = sorted(named - set(X.columns))
    if unknown:  # a scheme written for another framework, or a typo: say so, then go on
        warnings.warn(f"The scheme's normalise section names {unknown[:10]}, which are not "
                      f"indicators of this workspace; those settings are not used.",
                      UserWarning, stacklevel=3)
        resolved["unknown_indicators"] = unknown
    for (method, scale, cap), codes in groups.items():
        sub = X[codes]
        kwargs: dict[str, Any] = {}
        if method == "goalposts":
            gp = {}
            need = [c for c in codes if c not in given]
            reference, missing_year = _reference_table(ws, scheme, ref_year)
            resolved["reference_year_missing"] = missing_year
            fitted = fit_goalposts(reference
                                   .reindex(columns=need)) if need else None
            for c in need:
                lo, hi = fitted.at[c, "lo"], fitted.at[c, "hi"]
                if not lo < hi:  # no spread (or no values) in the reference year
                    lo, hi = fit_goalposts(sub[[c]]).loc[c]
                    resolved.setdefault("fitted_on_assessed_year", []).append(c)
                if not lo < hi:  # no values this year either: nothing to normalise
                    lo, hi = 0.0, 1.0
                    resolved.setdefault("no_spread", []).append(c)
                gp[c] = (float(lo), float(hi))
            gp.update({c: tuple(given[c]) for c in codes if c in given})
            kwargs["goalposts"] = gp
            resolved.setdefault("goalposts", {}).update(gp)
        elif method == "target":
            kwargs["targets"] = prep.targets[codes]
            kwargs["cap"] = cap
        out[codes] = normalise(sub, method=method, directions=prep.directions[codes],
                               scale=list(scale) if scale else None, **kwargs)
    record = StepRecord("normalise", scheme.spec["normalise"], Normalised(
        ref_year, FrozenMap(resolved.get("goalposts", {})),
        tuple(resolved.get("unknown_indicators", ())),
        tuple(resolved.get("fitted_on_assessed_year", ())), tuple(resolved.get("no_spread", ())),
        resolved.get("reference_year_missing", False)))
    return out.where(prep.applicable), record


def _reference_table(ws: Workspace, scheme: Scheme, ref_year) -> tuple[pd.DataFrame, bool]:
    """The reference year's values, imputed and treated as the scheme says (goalposts are
    fitted on them), and whether that year is missing: then an empty table, with a warning."""
    if ref_year is not None and ref_year in ws.years:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # already said when the reference year is built
            return prepare(ws, scheme, ref_year)[0].X, False
    if ref_year is not None:
        warnings.warn(f"The scheme's reference_year {ref_year} has no values in this workspace "
                      f"(years {ws.years}); goalposts are fitted on the assessed year, so they "
                      "differ from year to year.", UserWarning, stacklevel=4)
    return pd.DataFrame(dtype=float), ref_year is not None
