"""One function per CLI command; each returns the process exit code."""

from __future__ import annotations

import argparse
import sys

from .check import check
from .load import load
from .problems import Problems


def cmd_check(args: argparse.Namespace) -> int:
    problems = Problems()
    kb = load(args.content, problems)
    if kb is not None:
        check(kb, problems)
    if args.format == "json":
        print(problems.render_json())
    else:
        print(problems.render_text(), file=sys.stderr if problems.items else sys.stdout)
    return 1 if problems.blocking(args.strict) else 0
