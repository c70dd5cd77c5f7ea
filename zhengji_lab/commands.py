"""What each ``zhengji`` subcommand does (:mod:`zhengji_lab.cli` declares their arguments and
imports this module only when a command runs, so ``zhengji --help`` stays fast).

Each function takes the parsed arguments and returns the exit code; messages for the user go to
the console (this is the command line, so printing is its job).
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from zhengji_lab import assess
from zhengji_lab.effects import adoption_effect
from zhengji_lab.errors import (
    InconsistentJudgementWarning,
    ReportError,
    WorkspaceError,
    format_problems,
)
from zhengji_lab.report import format_ranking, render_report, write_results
from zhengji_lab.review import compare_schemes
from zhengji_lab.workspace import load_workspace, write_template


def validate(args: argparse.Namespace) -> int:
    """``zhengji validate PATH``: every problem of a workspace with file, row, column and fix."""
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


def template(args: argparse.Namespace) -> int:
    """``zhengji template BOOK.xlsx``: an empty workbook with notes in Chinese and English."""
    try:
        path = write_template(args.book, overwrite=args.force)
    except (FileExistsError, ValueError) as err:
        hint = " Use --force to replace it." if isinstance(err, FileExistsError) else ""
        print(f"zhengji template: {err}{hint}", file=sys.stderr)
        return 1
    print(f"Wrote {path} (已生成模板): fill the sheets, then run `zhengji validate {path}`.")
    return 0


def build(args: argparse.Namespace) -> int:
    """``zhengji build``: one year's assessment, the ranking printed, results as CSV and .xlsx."""
    try:
        ws = load_workspace(args.workspace)
        a = assess.build(ws, args.scheme, args.year)
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


def report(args: argparse.Namespace) -> int:
    """``zhengji report``: the yearly report rendered to HTML."""
    try:
        html = render_report(args.workspace, args.scheme, args.year, out_dir=args.out_dir,
                             overwrite=args.overwrite)
    except (ReportError, FileNotFoundError, TypeError, ValueError) as err:
        print(f"zhengji report: {err}", file=sys.stderr)
        return 1
    print(html)
    return 0


def weights(args: argparse.Namespace) -> int:
    """``zhengji weights``: candidate schemes compared and the expert panel reviewed, as .xlsx."""
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


def effects(args: argparse.Namespace) -> int:
    """``zhengji effects``: the effect of adopting individualized indicators on an outcome."""
    if args.out and Path(args.out).exists():
        print(f"zhengji effects: {args.out} already exists; choose another file.",
              file=sys.stderr)
        return 1
    try:
        ws = load_workspace(args.workspace)
        result = adoption_effect(ws, outcome=args.outcome, estimator=args.estimator,
                                 inference=args.inference, seed=args.seed)
    except (FileNotFoundError, TypeError, ValueError) as err:
        print(f"zhengji effects: {err}", file=sys.stderr)
        return 1
    print(result.summary())
    if args.out:
        result.frame.to_csv(args.out, index=False, encoding="utf-8-sig")
        print(f"Wrote {args.out} (估计结果已写入).")
    return 0
