"""One function per CLI command; each returns the process exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .check import check
from .load import load
from .outputs import OutputRunner
from .problems import Problems
from .render import render_notes


def cmd_check(args: argparse.Namespace) -> int:
    problems = Problems()
    kb = load(args.content, problems)
    if kb is not None:
        check(kb, problems)
        # output cards are content too: a snippet that fails is an error at its card (cached runs)
        render_notes(kb, problems, OutputRunner(Path("build") / ".cache" / "outputs.json"))
    if args.format == "json":
        print(problems.render_json())
    else:
        print(problems.render_text(), file=sys.stderr if problems.items else sys.stdout)
    return 1 if problems.blocking(args.strict) else 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build, summary

    result = build(args.content, args.out, dry_run=args.dry_run, strict=args.strict, compress=args.compress)
    if result.changes is None:
        print(result.problems.render_text(), file=sys.stderr)
        print("kbdeck: build refused: fix the problems above (nothing was written)", file=sys.stderr)
        return 1
    if result.problems.items:
        print(result.problems.render_text(), file=sys.stderr)
    print(summary(result, args.dry_run))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    import json

    from . import stats

    problems = Problems()
    kb = load(args.content, problems)
    if kb is None:
        print(problems.render_text(), file=sys.stderr)
        return 1
    data = stats.compute(kb)
    if args.write_readme:
        readme = args.content / "README.md"
        if not readme.is_file():
            print(f"kbdeck: {readme} not found", file=sys.stderr)
            return 2
        text = readme.read_text(encoding="utf-8")
        updated = stats.replace_block(text, stats.render_block(data))
        if updated is None:
            print(
                f"kbdeck: {readme} has no progress block; add the two markers\n  {stats.START}\n  {stats.END}",
                file=sys.stderr,
            )
            return 2
        if updated != text:
            readme.write_text(updated, encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.format == "json" else stats.render_text(data))
    return 0


def cmd_ids(args: argparse.Namespace) -> int:
    from .ids import assign_ids
    from .load import content_files, shown_path

    problems = Problems()
    kb = load(args.content, problems)
    if kb is None:
        print(problems.render_text(), file=sys.stderr)
        return 1
    syntax = [p for p in problems.errors if p.code.startswith("yaml")]
    if syntax:
        print(Problems(syntax).render_text(), file=sys.stderr)
        print("kbdeck: fix the syntax errors first; no file was changed", file=sys.stderr)
        return 1
    paths = {shown_path(p): p for p in content_files(args.content)}
    written = assign_ids(list(kb.cards), paths)
    for path, card_id, line in written:
        print(f"{shown_path(path)}:{line}: id {card_id}")
    print(f"kbdeck: {len(written)} id(s) written" if written else "kbdeck: every card already has an id")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from .watch import watch

    watch(args.content, args.out, args.interval)
    return 0
