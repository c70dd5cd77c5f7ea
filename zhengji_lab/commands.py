"""What each ``zhengji`` subcommand does (:mod:`zhengji_lab.cli` declares their arguments and
imports this module only when a command runs, so ``zhengji --help`` stays fast).

Each function takes the parsed arguments and returns the exit code; messages for the user go to
the console (this is the command line, so printing is its job). Every file goes through
:mod:`zhengji_lab.safeio`: nothing replaced without ``--overwrite`` (``--force`` for templates),
never into a workspace folder, and a file that cannot be written (read-only folder, file open in
Excel) is a message naming it and the fix, not a traceback.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from zhengji_lab import assess, safeio
from zhengji_lab.errors import (
    InconsistentJudgementWarning,
    ReportError,
    WorkspaceError,
    WorkspaceWarning,
    format_problems,
)
from zhengji_lab.report import check_results_dir, format_ranking, render_report, write_results
from zhengji_lab.review import compare_schemes
from zhengji_lab.scheme_checks import SchemeWarnings
from zhengji_lab.workspace import load_workspace, write_template


def validate(args: argparse.Namespace) -> int:
    """``zhengji validate PATH``: every problem of a workspace with file, row, column and fix."""
    problems = Path(args.problems) if args.problems else None
    if problems is not None:                 # a wrong --problems is refused before the work
        try:
            safeio.refuse_workspace_folder(problems, folder=False, workspace=args.path,
                                           what="the problem table",
                                           fix="write it outside the workspace, e.g. --problems "
                                               "problems.csv in another folder")
            safeio.check_new([problems], overwrite=args.overwrite,
                             fix="choose another file (--problems)")
        except (OSError, ValueError) as err:
            print(f"zhengji validate: {err}", file=sys.stderr)
            return 1
    schemes = SchemeWarnings()  # a broken scheme file loads as a warning: listed here
    try:
        with warnings.catch_warnings():     # listed below as things to check, not as warnings
            warnings.simplefilter("ignore", WorkspaceWarning)
            with schemes:
                ws = load_workspace(args.path)
        found = schemes.problems
    except WorkspaceError as err:
        ws, found = None, schemes.with_problems(err.problems)
    except (FileNotFoundError, ValueError) as err:
        print(f"zhengji validate: {err}", file=sys.stderr)
        return 1
    if len(found):
        n = len(found)
        print(f"{n} problem{'s' if n != 1 else ''} in {args.path} (发现 {n} 个问题):")
        print(format_problems(found, limit=None))
        if ws is not None:
            print(schemes.fine(ws))
        if problems is not None:
            try:
                safeio.write_text(problems, found.to_csv(index=False),
                                  encoding="utf-8-sig", overwrite=args.overwrite,
                                  fix="choose another file (--problems)")
            except OSError as write_err:
                print(f"zhengji validate: {write_err}", file=sys.stderr)
                return 1
            print(f"The problem table is in {problems}.")
        return 1
    for note in schemes.notes:
        print(f"Check: {note}")
    checks = ws.warnings if ws.warnings is not None else ()
    if len(checks):
        print(f"{len(checks)} thing{'s' if len(checks) != 1 else ''} to check (请核对):")
        print(format_problems(checks, limit=None))
    years = ws.years
    span = f"years {years[0]}–{years[-1]}" if years else "no years"
    print(f"OK: {len(ws.units)} units, {len(ws.indicators())} indicators, {span}")
    if problems is not None and problems.exists():
        print(f"Note: {problems} is from an earlier check (the workspace now has no problems); "
              f"it was left as it was.", file=sys.stderr)
    return 0


def template(args: argparse.Namespace) -> int:
    """``zhengji template BOOK.xlsx``: an empty workbook with notes in Chinese and English."""
    try:
        path = write_template(args.book, overwrite=args.force)
    except (OSError, ValueError) as err:
        hint = " Use --force to replace it." if isinstance(err, FileExistsError) else ""
        print(f"zhengji template: {err}{hint}", file=sys.stderr)
        return 1
    print(f"Wrote {path} (已生成模板): fill the sheets, then run `zhengji validate {path}`.")
    return 0


def build(args: argparse.Namespace) -> int:
    """``zhengji build``: one year's assessment, the ranking printed, results as CSV and .xlsx."""
    try:
        if args.out:                         # a wrong --out is refused before the work
            check_results_dir(args.out, overwrite=args.overwrite, workspace=args.workspace)
        ws = load_workspace(args.workspace)
        a = assess.build(ws, args.scheme, args.year)
    except (OSError, TypeError, ValueError) as err:
        print(f"zhengji build: {err}", file=sys.stderr)
        return 1
    print(a.summary())
    print(format_ranking(a, ws, lang=args.lang))
    out = Path(args.out) if args.out else Path("out") / f"{a.year}-{a.scheme.spec['name']}"
    try:
        paths = write_results(a, ws, out, overwrite=args.overwrite)
    except (OSError, ValueError) as err:
        print(f"zhengji build: {err}", file=sys.stderr)
        return 1
    print(f"Wrote {len(paths) - 1} CSV files and {paths['workbook'].name} to {out} "
          f"(结果已写入).")
    return 0


def report(args: argparse.Namespace) -> int:
    """``zhengji report``: the yearly run; exits 1 listing the pages that failed."""
    given = {k: v for k, v in (("draws", args.draws), ("seed", args.seed)) if v is not None}
    try:
        result = render_report(args.workspace, args.scheme, args.year, units=args.units,
                               workers=args.workers, lang=args.lang, pdf=args.pdf,
                               scheduler=args.scheduler, out_dir=args.out_dir,
                               run_id=args.run_id, progress=sys.stderr.isatty(), **given)
    except (ReportError, OSError, TypeError, ValueError) as err:
        print(f"zhengji report: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("zhengji report: interrupted; the run folder is marked with RUN_FAILED.txt.",
              file=sys.stderr)
        return 130
    if result.failures:
        print(f"zhengji report: {len(result.failures)} page(s) failed (see "
              f"{result.folder / 'RUN_FAILED.txt'}):", file=sys.stderr)
        for page, why in result.failures.items():
            print(f"  {page}: {why}", file=sys.stderr)
    print(result.index)
    return 1 if result.failures else 0


def weights(args: argparse.Namespace) -> int:
    """``zhengji weights``: candidate schemes compared and the expert panel reviewed, as .xlsx."""
    out = Path(args.out) if args.out else Path("out") / f"weights-{args.year}.xlsx"
    if out.exists() and not args.overwrite:  # before the work, not after it
        print(f"zhengji weights: {out} already exists; use --overwrite to replace it or --out "
              f"to choose another file.", file=sys.stderr)
        return 1
    try:
        safeio.refuse_workspace_folder(out, folder=False, workspace=args.workspace,
                                       what="the comparison workbook",
                                       fix="choose another file (--out)")
    except ValueError as err:
        print(f"zhengji weights: {err}", file=sys.stderr)
        return 1
    names = [n.strip() for n in args.schemes.split(",") if n.strip()] if args.schemes else None
    try:
        ws = load_workspace(args.workspace)
        with warnings.catch_warnings():  # the panel's consistency table below lists them
            warnings.simplefilter("ignore", InconsistentJudgementWarning)
            cmp = compare_schemes(ws, names, args.year, reference=args.reference)
        print(cmp.to_text())
        path = cmp.to_excel(out, overwrite=args.overwrite)
    except (OSError, TypeError, ValueError) as err:
        print(f"zhengji weights: {err}", file=sys.stderr)
        return 1
    print(f"\nWrote {path} (权重方案比较已写入).")
    return 0


def effects(args: argparse.Namespace) -> int:
    """``zhengji effects``: the effect of adopting individualized indicators on an outcome."""
    # lazy: the effects estimators (pyfixest) load only for this command
    from zhengji_lab.effects import adoption_effect

    fix = "choose another file (--out)"
    try:
        if args.out:                         # a wrong --out is refused before the work
            safeio.refuse_workspace_folder(args.out, folder=False, workspace=args.workspace,
                                           what="the estimate table", fix=fix)
            safeio.check_new([args.out], overwrite=False, fix=fix)
        ws = load_workspace(args.workspace)
        result = adoption_effect(ws, outcome=args.outcome, estimator=args.estimator,
                                 inference=args.inference, seed=args.seed)
    except (OSError, TypeError, ValueError) as err:
        print(f"zhengji effects: {err}", file=sys.stderr)
        return 1
    print(result.summary())
    if args.out:
        try:
            safeio.write_text(args.out, result.frame.to_csv(index=False), encoding="utf-8-sig",
                              fix=fix)
        except OSError as err:
            print(f"zhengji effects: {err}", file=sys.stderr)
            return 1
        print(f"Wrote {args.out} (估计结果已写入).")
    return 0
