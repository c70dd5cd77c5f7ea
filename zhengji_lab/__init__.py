"""zhengji_lab (政绩 lab): a research and indicator-design kit for comprehensive performance
assessment (综合考核) of towns, parks, agencies, enterprises, institutions and cadres.

Names are loaded when first used (PEP 562), so ``import zhengji_lab`` and ``zhengji --help``
stay fast; ``zl.build`` imports what a build needs, ``zl.plots`` matplotlib, and so on.

>>> import zhengji_lab as zl
>>> ws = zl.load_workspace(zl.datasets.data_dir() / "reference" / "oecd_tai_2008")
>>> a = zl.build(ws, "tai_handbook", year=2000)
>>> a.table(lang="en").loc[:2, ["name_en", "index", "rank"]].round(3)
         name_en  index  rank
0        Finland  0.745     1
1  United States  0.733     2
2         Sweden  0.704     3
"""
import importlib

__version__ = "0.1.0"

#: Public names and the module that defines each (DESIGN.md, "Public API").
_NAMES = {
    "aggregate": "aggregation", "rank": "aggregation",
    "build": "assess",
    "Assessment": "pipeline", "StepRecord": "pipeline",
    "CronbachAlpha": "compare", "RankComparison": "compare", "compare_rankings": "compare",
    "correlation_flags": "compare", "cronbach_alpha": "compare",
    "effective_weights": "compare", "importance": "compare",
    "BuildError": "errors", "ReportError": "errors", "SchemeError": "errors",
    "WorkspaceError": "errors", "ZhengjiError": "errors", "EffectsError": "errors",
    "OutputExistsError": "errors", "WorkspaceOutputError": "errors", "WriteError": "errors",
    "normalise": "normalisation",
    "PanelSummary": "panel", "panel_summary": "panel",
    "render_report": "report",
    "SchemeComparison": "review", "compare_schemes": "review",
    "Scheme": "scheme",
    "SensitivityIndices": "montecarlo", "UncertaintyResult": "montecarlo",
    "sensitivity": "montecarlo", "uncertainty": "montecarlo",
    "Correlations": "stats", "DataAvailability": "stats", "StrengthsWeaknesses": "stats",
    "correlations": "stats", "data_availability": "stats", "indicator_stats": "stats",
    "strengths_weaknesses": "stats",
    "Workspace": "workspace", "load_workspace": "workspace", "validate_workspace": "workspace",
    "write_workspace": "workspace",
}
#: Subpackages and modules reached as attributes (``zl.weighting.entropy``, ``zl.datasets``).
_MODULES = ("cli", "datasets", "panel", "plots", "report", "review", "weighting", "workspace",
            "montecarlo", "pipeline", "stats", "compare", "errors", "scheme", "effects")

__all__ = [
    "Assessment",
    "BuildError",
    "Correlations",
    "CronbachAlpha",
    "DataAvailability",
    "EffectsError",
    "OutputExistsError",
    "PanelSummary",
    "RankComparison",
    "ReportError",
    "Scheme",
    "SchemeComparison",
    "SchemeError",
    "SensitivityIndices",
    "StepRecord",
    "StrengthsWeaknesses",
    "UncertaintyResult",
    "Workspace",
    "WorkspaceError",
    "WorkspaceOutputError",
    "WriteError",
    "ZhengjiError",
    "aggregate",
    "build",
    "cli",
    "compare_rankings",
    "compare_schemes",
    "correlation_flags",
    "correlations",
    "cronbach_alpha",
    "data_availability",
    "datasets",
    "effective_weights",
    "importance",
    "indicator_stats",
    "load_workspace",
    "normalise",
    "panel",
    "panel_summary",
    "plots",
    "rank",
    "render_report",
    "report",
    "sensitivity",
    "strengths_weaknesses",
    "uncertainty",
    "validate_workspace",
    "weighting",
    "write_workspace",
]


def __getattr__(name: str):
    if name in _NAMES:
        # lazy: a name's module (and pandas, scipy …) loads when the name is first used
        value = getattr(importlib.import_module(f"zhengji_lab.{_NAMES[name]}"), name)
    elif name in _MODULES:
        # lazy: as above, for the subpackages reached as attributes
        value = importlib.import_module(f"zhengji_lab.{name}")
    else:
        raise AttributeError(f"module 'zhengji_lab' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_NAMES, *_MODULES})
