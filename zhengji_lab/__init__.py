"""zhengji_lab (政绩 lab): a research and indicator-design kit for comprehensive performance
assessment (综合考核) of towns, parks, agencies, enterprises, institutions and cadres.

>>> import zhengji_lab as zl
>>> ws = zl.load_workspace(zl.datasets.data_dir() / "reference" / "oecd_tai_2008")
>>> a = zl.build(ws, "tai_handbook", year=2000)
>>> a.table(lang="en").loc[:2, ["name_en", "index", "rank"]].round(3)
         name_en  index  rank
0        Finland  0.745     1
1  United States  0.733     2
2         Sweden  0.704     3
"""
__version__ = "0.1.0"

from zhengji_lab import cli, datasets, panel, plots, report, weighting
from zhengji_lab.aggregate import aggregate, rank
from zhengji_lab.build import Assessment, StepRecord, build
from zhengji_lab.compare import (
    CronbachAlpha,
    RankComparison,
    compare_rankings,
    correlation_flags,
    cronbach_alpha,
    effective_weights,
    importance,
)
from zhengji_lab.errors import BuildError, ReportError, SchemeError, WorkspaceError
from zhengji_lab.normalise import normalise
from zhengji_lab.panel import PanelSummary, panel_summary
from zhengji_lab.report import render_report
from zhengji_lab.review import SchemeComparison, compare_schemes
from zhengji_lab.scheme import Scheme
from zhengji_lab.sensitivity import SensitivityIndices, UncertaintyResult, sensitivity, uncertainty
from zhengji_lab.stats import (
    Correlations,
    DataAvailability,
    StrengthsWeaknesses,
    correlations,
    data_availability,
    indicator_stats,
    strengths_weaknesses,
)
from zhengji_lab.workspace import Workspace, load_workspace, validate_workspace, write_workspace

__all__ = [
    "Assessment", "BuildError", "Correlations", "CronbachAlpha", "DataAvailability", "PanelSummary",
    "RankComparison", "ReportError", "Scheme", "SchemeComparison", "SchemeError",
    "SensitivityIndices", "StepRecord", "StrengthsWeaknesses", "UncertaintyResult", "Workspace",
    "WorkspaceError", "aggregate", "build", "cli", "compare_rankings", "compare_schemes",
    "correlation_flags", "correlations", "cronbach_alpha", "data_availability", "datasets",
    "effective_weights", "importance", "indicator_stats", "load_workspace", "normalise", "panel",
    "panel_summary", "plots", "rank", "render_report", "report", "sensitivity",
    "strengths_weaknesses", "uncertainty", "validate_workspace", "weighting", "write_workspace",
]
