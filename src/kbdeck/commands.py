"""One function per CLI command; each returns the process exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .content.check import check
from .content.load import load
from .content.outputs import Policy, runner_for
from .model.kb import KnowledgeBase
from .model.problems import Problems
from .model.words import words_for
from .render.notes import render_notes


def loaded(content: Path) -> tuple[KnowledgeBase | None, Problems]:
    """The knowledge base and the problems met loading it; when it cannot be loaded, the problems
    have been printed."""
    problems = Problems()
    kb = load(content, problems)
    if kb is None:
        print(problems.render_text(), file=sys.stderr)
    return kb, problems


def cmd_check(args: argparse.Namespace) -> int:
    problems = Problems()
    kb = load(args.content, problems)
    if kb is not None:
        check(kb, problems)
        # output cards are content too: no record (or, with --execute, a drifted one) is an error at the card
        runner = runner_for(
            args.content,
            kb.roadmap.id,
            kb.roadmap.python,
            problems,
            policy=Policy.ALL if args.execute else None,
            verify=True,
        )
        if runner is not None:
            render_notes(kb, problems, runner)
            if runner.ran and args.format == "text":
                print(f"kbdeck: ran {runner.ran} output card{'s' * (runner.ran != 1)} (Python {runner.ran_under})")
    if args.format == "json":
        print(problems.render_json())
    elif args.format == "github":
        print(problems.render_github())
    else:
        print(problems.render_text(), file=sys.stderr if problems.items else sys.stdout)
    return 1 if problems.blocking(args.strict) else 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build, summary

    result = build(
        args.content,
        args.out,
        dry_run=args.dry_run,
        strict=args.strict,
        compress=args.compress,
        execute=Policy.ALL if args.execute else None,
    )
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

    kb, _problems = loaded(args.content)
    if kb is None:
        return 1
    data = stats.compute(kb)
    if args.write_readme:
        readme = args.content / "README.md"
        if not readme.is_file():
            print(f"kbdeck: {readme} not found", file=sys.stderr)
            return 2
        text = readme.read_text(encoding="utf-8")
        words = words_for(kb.roadmap.language)
        updated = stats.replace_block(text, stats.render_block(data, words), words)
        if updated is None:
            print(
                f"kbdeck: {readme} has no progress block; add the two markers\n  {words.progress_start}\n"
                f"  {words.progress_end}",
                file=sys.stderr,
            )
            return 2
        if updated != text:
            readme.write_text(updated, encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.format == "json" else stats.render_text(data))
    return 0


def cmd_ids(args: argparse.Namespace) -> int:
    from .content.ids import assign_ids
    from .content.load import content_files, shown_path

    kb, problems = loaded(args.content)
    if kb is None:
        return 1
    syntax = [p for p in problems.errors if p.code.startswith("yaml")]
    if syntax:
        print(Problems(syntax).render_text(), file=sys.stderr)
        print("kbdeck: fix the syntax errors first; no file was changed", file=sys.stderr)
        return 1
    paths = {shown_path(p): p for p in content_files(args.content)}
    written, skipped = assign_ids(list(kb.cards), paths)
    for path, card_id, line in written:
        print(f"{shown_path(path)}:{line}: id {card_id}")
    for card, why in skipped:
        print(f"{card.span}: not written: add `id:` to this card by hand ({why})")
    if written or skipped:
        left = f", {len(skipped)} left to you" if skipped else ""
        print(f"kbdeck: {len(written)} id{'s' * (len(written) != 1)} written{left}")
    else:
        print("kbdeck: every card already has an id")
    return 1 if skipped else 0


def cmd_watch(args: argparse.Namespace) -> int:
    from .watch import watch

    watch(
        args.content,
        args.out,
        args.interval,
        execute=Policy.MISSING if args.execute else None,
        events=not args.poll,
    )
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    from .content.load import shown_path
    from .support.trust import set_trust, trust_file, trusted

    if args.list:
        rows = trusted()
        for path, kb_id in rows:
            print(f"{kb_id}\t{path}")
        if not rows:
            print("kbdeck: no knowledge base is trusted on this machine")
        return 0
    kb, _problems = loaded(args.content)
    if kb is None:
        return 1
    name = f"`{kb.roadmap.id}` ({shown_path(args.content)})"
    try:
        changed = set_trust(args.content, kb.roadmap.id, not args.revoke)
    except OSError as exc:
        print(f"kbdeck: cannot write {trust_file()}: {exc}", file=sys.stderr)
        return 2
    if args.revoke:
        print(f"kbdeck: {name} is {'no longer' if changed else 'not'} trusted: its builds run no code")
    else:
        print(
            f"kbdeck: {name} is {'now' if changed else 'already'} trusted on this machine: builds run its output "
            f"cards that have no recorded output yet (saved in {trust_file()})"
        )
    return 0


def cmd_ledger(args: argparse.Namespace) -> int:
    from .apkg.ledger import LedgerError, ledger_path, read_ledger, salvage, write_ledger
    from .content.load import shown_path

    kb, _problems = loaded(args.content)
    if kb is None:
        return 1
    path = ledger_path(args.content)
    if not path.exists() and not path.is_symlink():
        print(
            f"kbdeck: there is no ledger at {shown_path(path)} yet: the next build recovers it from the previous "
            "package if the output folder still has one, and otherwise stamps every note as new (a first build)"
        )
        return 0
    try:
        ledger = read_ledger(path, kb.roadmap.id)
    except LedgerError as exc:
        if not args.rebuild:
            print(f"kbdeck: the ledger {shown_path(path)} {exc}; `kbdeck ledger --rebuild` repairs it", file=sys.stderr)
            return 1
        try:
            text = path.read_bytes().decode("utf-8", "replace")
        except OSError as err:
            print(f"kbdeck: cannot read {shown_path(path)}: {err.strerror}", file=sys.stderr)
            return 2
        if f'"kb": "{kb.roadmap.id}"' not in text and '"kb":' in text:
            print(
                f"kbdeck: {shown_path(path)} belongs to another knowledge base than `{kb.roadmap.id}`; "
                "put the roadmap's `id` back rather than rebuilding the ledger",
                file=sys.stderr,
            )
            return 1
        ledger, log = salvage(text, kb.roadmap.id)
        try:
            write_ledger(path, ledger)
        except OSError as err:
            print(f"kbdeck: cannot write {shown_path(path)}: {err.strerror}", file=sys.stderr)
            return 2
        print(
            f"kbdeck: repaired {shown_path(path)}: {'; '.join(log) or 'read it whole'}; kept {len(ledger.notes)} note "
            f"stamps and {len(ledger.removed)} tombstones; build generation {ledger.generation}. Run `kbdeck build`."
        )
        return 0
    print(
        f"kbdeck: {shown_path(path)} is sound: {len(ledger.notes)} notes, {len(ledger.removed)} tombstones, "
        f"build generation {ledger.generation}"
    )
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .content.load import shown_path
    from .init import InitError, init

    try:
        written = init(args.dir, args.language)
    except InitError as exc:
        print(f"kbdeck: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"kbdeck: cannot write {exc.filename or args.dir}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    where = shown_path(args.dir)
    print(f"kbdeck: wrote {len(written)} files to {where}")
    print(f"  next: kbdeck build --content {where}   (then import the .apkg from build/ into Anki)")
    print("  the format: kbdeck docs")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from .init import reference

    print(reference())
    return 0
