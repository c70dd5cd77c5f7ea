"""The ``zhengji`` command line.

Each subcommand is one small function ``_<name>(args) -> int`` (the exit code) plus one that
declares its arguments, registered in :data:`COMMANDS`.  To add a subcommand, write the two
functions and add a :class:`Command` to the dict; import the modules it needs *inside* the
function, so that ``zhengji --help`` and ``import zhengji_lab`` stay fast.

>>> main(["validate", "no/such/folder"])
1
"""
from __future__ import annotations

import argparse
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
    run: Callable[[argparse.Namespace], int]


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="workspace folder or .xlsx workbook (考核数据文件夹或工作簿)")
    parser.add_argument("--problems", metavar="FILE.csv",
                        help="also write the problem table to this CSV (opens in Excel)")


def _validate(args: argparse.Namespace) -> int:
    from zhengji_lab.errors import WorkspaceError, format_problems
    from zhengji_lab.workspace import load_workspace

    try:
        ws = load_workspace(args.path)
    except WorkspaceError as err:
        n = len(err.problems)
        print(f"{n} problem{'s' if n != 1 else ''} in {args.path} (发现 {n} 个问题):")
        print(format_problems(err.problems, limit=None))
        if args.problems:
            err.problems.to_csv(args.problems, index=False, encoding="utf-8-sig")
            print(f"The problem table is in {args.problems}.")
        return 1
    except (FileNotFoundError, ValueError) as err:
        print(f"zhengji validate: {err}", file=sys.stderr)
        return 1
    years = ws.years
    span = f"years {years[0]}–{years[-1]}" if years else "no years"
    print(f"OK: {len(ws.units)} units, {len(ws.indicators())} indicators, {span}")
    return 0


def _template_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("book", metavar="BOOK.xlsx", help="workbook to write (要生成的工作簿)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def _template(args: argparse.Namespace) -> int:
    from zhengji_lab.workspace import write_template

    try:
        path = write_template(args.book, overwrite=args.force)
    except (FileExistsError, ValueError) as err:
        hint = " Use --force to replace it." if isinstance(err, FileExistsError) else ""
        print(f"zhengji template: {err}{hint}", file=sys.stderr)
        return 1
    print(f"Wrote {path} (已生成模板): fill the sheets, then run `zhengji validate {path}`.")
    return 0


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


def _build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from zhengji_lab.build import build
    from zhengji_lab.report import format_ranking, write_results
    from zhengji_lab.workspace import load_workspace

    try:
        ws = load_workspace(args.workspace)
        a = build(ws, args.scheme, args.year)
    except (FileNotFoundError, TypeError, ValueError) as err:
        print(f"zhengji build: {err}", file=sys.stderr)
        return 1
    print(a.summary())
    print(format_ranking(a, ws, lang=args.lang))
    out = Path(args.out) if args.out else Path("out") / f"{a.year}-{a.scheme.spec['name']}"
    try:
        paths = write_results(a, ws, out, overwrite=args.overwrite)
    except FileExistsError as err:
        print(f"zhengji build: {err}", file=sys.stderr)
        return 1
    print(f"Wrote {len(paths) - 1} CSV files and {paths['workbook'].name} to {out} "
          f"(结果已写入).")
    return 0


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    _assessment_arguments(parser)
    parser.add_argument("--out-dir", default="reports",
                        help="reports go to OUT_DIR/<year>/ (default reports)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the report in OUT_DIR/<year>/ instead of writing to "
                             "the next free <year>-runN/")


def _report(args: argparse.Namespace) -> int:
    from zhengji_lab.errors import ReportError
    from zhengji_lab.report import render_report

    try:
        html = render_report(args.workspace, args.scheme, args.year, out_dir=args.out_dir,
                             overwrite=args.overwrite)
    except (ReportError, FileNotFoundError, TypeError, ValueError) as err:
        print(f"zhengji report: {err}", file=sys.stderr)
        return 1
    print(html)
    return 0


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


def _weights(args: argparse.Namespace) -> int:
    import warnings
    from pathlib import Path

    from zhengji_lab.errors import InconsistentJudgementWarning
    from zhengji_lab.review import compare_schemes
    from zhengji_lab.workspace import load_workspace

    out = Path(args.out) if args.out else Path("out") / f"weights-{args.year}.xlsx"
    if out.exists() and not args.overwrite:  # before the work, not after it
        print(f"zhengji weights: {out} already exists; use --overwrite to replace it or --out "
              f"to choose another file.", file=sys.stderr)
        return 1
    names = [n.strip() for n in args.schemes.split(",") if n.strip()] if args.schemes else None
    try:
        ws = load_workspace(args.workspace)
        with warnings.catch_warnings():  # the panel's consistency table below lists them
            warnings.simplefilter("ignore", InconsistentJudgementWarning)
            cmp = compare_schemes(ws, names, args.year, reference=args.reference)
        print(cmp.to_text())
        path = cmp.to_excel(out, overwrite=args.overwrite)
    except (FileNotFoundError, FileExistsError, TypeError, ValueError) as err:
        print(f"zhengji weights: {err}", file=sys.stderr)
        return 1
    print(f"\nWrote {path} (权重方案比较已写入).")
    return 0


#: The subcommands, in the order ``zhengji --help`` lists them.
COMMANDS: dict[str, Command] = {
    "validate": Command("check a workspace and list every problem (检查考核数据)",
                        _validate_arguments, _validate),
    "template": Command("write an empty workbook to fill in (生成空白模板)",
                        _template_arguments, _template),
    "build": Command("build one year's assessment, print the ranking, write CSV and .xlsx "
                     "(计算考核结果)", _build_arguments, _build),
    "weights": Command("compare candidate weighting schemes and review the expert panel, "
                       "write .xlsx (权重方案评审)", _weights_arguments, _weights),
    "report": Command("render the yearly report to HTML (生成年度报告)",
                      _report_arguments, _report),
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
        return COMMANDS[args.command].run(args)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings on the console as ``警告 Category: message``, without source locations."""
    print(f"警告 {category.__name__}: {message}", file=sys.stderr if file is None else file)


if __name__ == "__main__":
    sys.exit(main())
