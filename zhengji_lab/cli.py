"""The ``zhengji`` command line.

Each subcommand is a function of :mod:`zhengji_lab.commands` (``<name>(args) -> int``, the exit
code) plus one here that declares its arguments, registered in :data:`COMMANDS`. This module
imports nothing heavy, and :mod:`zhengji_lab.commands` is imported only when a command runs, so
``zhengji --help`` stays fast.

>>> main(["validate", "no/such/folder"])
1
"""
from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from zhengji_lab import __version__


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, its arguments and the function that runs it."""

    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: str
    """The function of :mod:`zhengji_lab.commands` that runs it."""


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="workspace folder or .xlsx workbook (考核数据文件夹或工作簿)")
    parser.add_argument("--problems", metavar="FILE.csv",
                        help="also write the problem table to this CSV (opens in Excel)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace FILE.csv if it exists")




def _template_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("book", metavar="BOOK.xlsx", help="workbook to write (要生成的工作簿)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")




def _assessment_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", required=True,
                        help="workspace folder or .xlsx workbook (考核数据文件夹或工作簿)")
    parser.add_argument("--scheme", required=True,
                        help="scheme name under WORKSPACE/schemes/, or a YAML path (考核方案)")
    parser.add_argument("--year", type=int, required=True, help="reporting year (考核年度)")


def _build_arguments(parser: argparse.ArgumentParser) -> None:
    _assessment_arguments(parser)
    parser.add_argument("--out", metavar="DIR",
                        help="folder for the CSV files and results.xlsx "
                             "(default out/<year>-<scheme>/)")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh",
                        help="language of the printed names (default zh)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace results already in the output folder")




def _report_arguments(parser: argparse.ArgumentParser) -> None:
    _assessment_arguments(parser)
    parser.add_argument("--units", nargs="+", default=["all"], metavar="ID",
                        help="units that get a page: all (default), none, or unit ids "
                             "(单位页面)")
    parser.add_argument("--workers", type=int, default=None,
                        help="kernels kept alive, each rendering page after page (default: the "
                             "number of CPUs, at most 4)")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh",
                        help="language of the pages' labels and names (default zh)")
    parser.add_argument("--pdf", action="store_true",
                        help="also print every page to PDF (A4) with headless Chromium")
    parser.add_argument("--draws", type=int, default=None,
                        help="Monte Carlo draws of the rank bands (排名区间) over the scheme's "
                             "uncertainty section; 0 turns them off (default 1000)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed of the draws (default 2025)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="render the pages on this Dask cluster (tcp://host:8786)")
    parser.add_argument("--out-dir", default="reports",
                        help="runs go to OUT_DIR/<year>/<run-id>/ (default reports)")
    parser.add_argument("--run-id", default=None,
                        help="name of the run folder (default: the start time, "
                             "YYYYMMDD-HHMMSS); an existing run is never overwritten")




def _weights_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", required=True,
                        help="workspace folder or .xlsx workbook (考核数据文件夹或工作簿)")
    parser.add_argument("--year", type=int, required=True, help="reporting year (考核年度)")
    parser.add_argument("--schemes", metavar="A,B,C",
                        help="scheme names under WORKSPACE/schemes/ to compare, separated by "
                             "commas (default: all; 候选方案)")
    parser.add_argument("--reference", metavar="NAME",
                        help="the scheme the others are compared with (default: the first; "
                             "参照方案)")
    parser.add_argument("--out", metavar="FILE.xlsx",
                        help="workbook to write (default out/weights-<year>.xlsx)")
    parser.add_argument("--overwrite", action="store_true", help="replace FILE.xlsx if it exists")




def _effects_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", required=True,
                        help="workspace folder or .xlsx workbook (考核数据文件夹或工作簿)")
    parser.add_argument("--outcome", required=True,
                        help="an outcome of outcomes.csv (or an indicator or covariate) whose "
                             "change after adoption is estimated (结果变量)")
    parser.add_argument("--estimator", choices=["did2s", "twfe", "sun_abraham"],
                        default="did2s",
                        help="did2s: Gardner's two-stage estimator, robust to staggered "
                             "adoption (default); twfe: two-way fixed effects; sun_abraham: "
                             "interaction-weighted event study")
    parser.add_argument("--inference", choices=["wild", "randomization", "cluster"],
                        default="wild",
                        help="wild cluster bootstrap (default), randomisation inference, or "
                             "analytic cluster-robust errors (over-reject with few clusters)")
    parser.add_argument("--seed", type=int, default=2025,
                        help="random seed of the bootstrap or permutations (default 2025)")
    parser.add_argument("--out", metavar="FILE.csv",
                        help="also write the estimate table to this CSV (opens in Excel)")


#: The subcommands, in the order ``zhengji --help`` lists them.
COMMANDS: dict[str, Command] = {
    "validate": Command("check a workspace and list every problem (检查考核数据)",
                        _validate_arguments, "validate"),
    "template": Command("write an empty workbook to fill in (生成空白模板)",
                        _template_arguments, "template"),
    "build": Command("build one year's assessment, print the ranking, write CSV and .xlsx "
                     "(计算考核结果)", _build_arguments, "build"),
    "weights": Command("compare candidate weighting schemes and review the expert panel, "
                       "write .xlsx (权重方案评审)", _weights_arguments, "weights"),
    "report": Command("render the yearly run: city report, unit pages, index, workbook, PDFs "
                      "(生成年度报告)",
                      _report_arguments, "report"),
    "effects": Command("estimate what adopting individualized indicators changed in an outcome "
                       "outside the score (个性化指标效果评估)", _effects_arguments, "effects"),
}


def main(argv: list[str] | None = None) -> int:
    """Run ``zhengji`` with ``argv`` (default: the command line); returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="zhengji", description="zhengji_lab: comprehensive performance assessment "
                                    "(综合考核) workspaces, schemes and reports.")
    parser.add_argument("--version", action="version", version=f"zhengji_lab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        command.arguments(sub.add_parser(name, help=command.help, description=command.help))
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        # lazy: the commands (pandas, the pipeline) load only to run one; --help stays fast
        commands = importlib.import_module("zhengji_lab.commands")
        return getattr(commands, COMMANDS[args.command].run)(args)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings on the console as ``警告 Category: message``, without source locations."""
    print(f"警告 {category.__name__}: {message}", file=sys.stderr if file is None else file)


if __name__ == "__main__":
    sys.exit(main())
