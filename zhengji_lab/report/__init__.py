"""Yearly reports: the tables and figures of an :class:`~zhengji_lab.Assessment`, its
result files (CSV and one .xlsx workbook), and the papermill rendering of
``notebooks/yearly_report.ipynb`` into a printable HTML page.

One job per module; every public name is importable from here (``zl.report.ranking``,
``zl.report.render_report`` …):

* :mod:`~zhengji_lab.report.tables`: the tables the report notebook shows (ranking per peer
  group with rank bands, headline, deductions, triggers, year-over-year change, consistency,
  title, the note on uncertainty) and those ``zhengji build`` writes; their labels come from
  :mod:`zhengji_lab.labels`;
* :mod:`~zhengji_lab.report.provenance`: the provenance section, the build log as a readable
  table (:func:`provenance_table`);
* :mod:`~zhengji_lab.report.excel`: :func:`write_workbook` (any ``{sheet: DataFrame}``, also
  used by :mod:`zhengji_lab.review`) and :func:`write_results` (CSV files and the workbook);
* :mod:`~zhengji_lab.report.notebook`: notebook helpers (:func:`setup_notebook`,
  :func:`locate`, :func:`notebook_path`, :func:`show`) and the report's build with its
  uncertainty flags (:func:`yearly_assessment`);
* :mod:`~zhengji_lab.report.escape`: workspace text escaped for HTML and Markdown;
* :mod:`~zhengji_lab.report.export`: HTML export without code, with A4 print CSS;
* :mod:`~zhengji_lab.report.unit`: one unit's page (:func:`unit_header`, :func:`unit_history`,
  :func:`peer_comparison`, :func:`unit_targets`, :func:`unit_change` …);
* :mod:`~zhengji_lab.report.rundata`: what a yearly run computes once and its pages read
  (:class:`RunData`, :func:`prepare_run`, :func:`page_data`);
* :mod:`~zhengji_lab.report.render`: :func:`render_report`, the yearly run (city report, unit
  pages, index, workbook, PDFs) into a run folder of its own (:class:`RunResult`);
* :mod:`~zhengji_lab.report.folders`: run folders claimed race-free that never overwrite,
  failed pages and interrupted runs marked;
* :mod:`~zhengji_lab.report.kernels`: pages executed on kernels kept alive, on this machine
  or on a Dask cluster (:mod:`~zhengji_lab.report.cluster`);
* :mod:`~zhengji_lab.report.site`: the run's ``index.html`` and workbook;
* :mod:`~zhengji_lab.report.pdf`: pages printed to PDF through headless Chromium.

Every file is written through :mod:`zhengji_lab.safeio` (temporary name, then rename).

The notebook stays thin: every table and figure it shows comes from a function here.

Examples
--------
>>> import zhengji_lab as zl
>>> zl.report.render_report is zl.render_report
True
"""
from zhengji_lab.labels import GROUP_LABELS, group_label
from zhengji_lab.report.escape import Link, escape_html, escape_markdown
from zhengji_lab.report.excel import (
    WORKBOOK,
    check_results_dir,
    result_paths,
    workbook_bytes,
    write_results,
    write_workbook,
)
from zhengji_lab.report.export import PRINT_CSS, TITLE_TAG, export_html, html_text
from zhengji_lab.report.folders import FAILED_TAG, RUN_FAILED, RUNNING, claim_run_dir
from zhengji_lab.report.notebook import (
    REPORT_DRAWS,
    REPORT_NOTEBOOK,
    REPORT_SEED,
    locate,
    notebook_path,
    setup_notebook,
    show,
    yearly_assessment,
)
from zhengji_lab.report.provenance import provenance_table
from zhengji_lab.report.render import REPORT_STEM, RunResult, render_report, select_units
from zhengji_lab.report.rundata import RunData, page_data, prepare_run
from zhengji_lab.report.tables import (
    LANGS,
    RESULT_TABLES,
    column_labels,
    consistency_table,
    deductions_table,
    dimension_heatmap,
    dimension_scores,
    format_ranking,
    headline,
    ranking,
    ranking_tables,
    result_tables,
    title,
    triggers_table,
    uncertainty_note,
    year_over_year,
)
from zhengji_lab.report.unit import (
    TARGET_SOURCES,
    UNIT_NOTEBOOK,
    peer_comparison,
    peer_plot,
    rank_history_plot,
    run_notes,
    unit_change,
    unit_deductions,
    unit_header,
    unit_history,
    unit_strengths,
    unit_targets,
    unit_title,
    unit_triggers,
)

__all__ = [
    "FAILED_TAG", "GROUP_LABELS", "LANGS", "PRINT_CSS", "REPORT_DRAWS", "REPORT_NOTEBOOK",
    "REPORT_SEED", "REPORT_STEM", "RESULT_TABLES", "RUNNING", "RUN_FAILED", "TARGET_SOURCES",
    "TITLE_TAG", "UNIT_NOTEBOOK", "WORKBOOK", "Link", "RunData", "RunResult",
    "check_results_dir", "claim_run_dir", "column_labels", "consistency_table",
    "deductions_table", "dimension_heatmap", "dimension_scores", "escape_html",
    "escape_markdown", "export_html", "format_ranking", "group_label", "headline", "html_text",
    "locate", "notebook_path", "page_data", "peer_comparison", "peer_plot", "prepare_run",
    "provenance_table", "rank_history_plot", "ranking", "ranking_tables", "render_report",
    "result_paths", "result_tables", "run_notes", "select_units", "setup_notebook", "show",
    "title", "triggers_table", "uncertainty_note", "unit_change", "unit_deductions",
    "unit_header", "unit_history", "unit_strengths", "unit_targets", "unit_title",
    "unit_triggers", "workbook_bytes", "write_results", "write_workbook", "year_over_year",
    "yearly_assessment",
]
