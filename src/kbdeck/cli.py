"""The `kbdeck` command line: a thin layer over the pipeline stages.

Exit codes: 0 success, 1 content problems (reported as `path:line:col: error[code]: ...`),
2 usage or environment errors. A content error never produces a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import math
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__


def _content_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--content", type=Path, default=Path("content"), metavar="DIR", help="content directory (default: content)"
    )


def _execute_arg(p: argparse.ArgumentParser, help: str) -> None:
    p.add_argument("--execute", action="store_true", help=help)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kbdeck", description="Compile a study knowledge base into Anki decks.")
    parser.add_argument("--version", action="version", version=f"kbdeck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="check the content and write build/<deck>.apkg")
    _content_arg(p)
    p.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="output directory (default: build)")
    p.add_argument("--dry-run", action="store_true", help="check and report what would change; write nothing")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument(
        "--compress",
        action="store_true",
        help="deflate the package (several times smaller, to share it; slower to write)",
    )

    _execute_arg(p, "re-run every output card and record what it prints (runs the knowledge base's code)")

    p = sub.add_parser("check", help="report every content problem at once")
    _content_arg(p)
    _execute_arg(p, "re-run every output card and fail, with a diff, where its record no longer matches")
    p.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="output format (default: text; github: annotations on a pull request's lines, in GitHub Actions)",
    )
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")

    p = sub.add_parser("ids", help="write missing card ids into the source files, in place")
    _content_arg(p)

    p = sub.add_parser("stats", help="counts per day against the roadmap's targets")
    _content_arg(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--write-readme", action="store_true", help="rewrite the progress block of the content's README.md")

    p = sub.add_parser("watch", help="rebuild whenever a content file changes")
    _content_arg(p)
    p.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="output directory (default: build)")
    p.add_argument(
        "--interval",
        type=_seconds,
        default=None,
        help="polling interval in seconds where the system reports no file changes (default: 0.1-0.3, "
        "as often as a look at the files costs at most 2.5%% of a core)",
    )
    p.add_argument(
        "--poll",
        action="store_true",
        help="poll even where the system reports file changes (a network or container-mounted folder may not)",
    )
    _execute_arg(p, "let each build run the output cards whose code has no recorded output yet")

    p = sub.add_parser("init", help="create a small knowledge base to start from (never overwrites)")
    p.add_argument("dir", nargs="?", type=Path, default=Path("content"), help="folder to create (default: content)")
    p.add_argument("--language", choices=("en", "pt-BR"), default="en", help="language of the template (default: en)")

    p = sub.add_parser("docs", help="print the content format reference")

    p = sub.add_parser("ledger", help="repair a damaged build ledger, keeping every stamp it can read")
    _content_arg(p)
    p.add_argument("--rebuild", action="store_true", help="rewrite the ledger from what can still be read of it")

    p = sub.add_parser("trust", help="let this knowledge base run its new output cards' code when it builds")
    _content_arg(p)
    p.add_argument("--revoke", action="store_true", help="stop trusting it")
    p.add_argument("--list", action="store_true", help="list the trusted knowledge bases")
    return parser


HINT_MAX = 3
"""Folders with a roadmap the hint names at most."""


def content_hint(command: str) -> str:
    """What to type instead, for a content folder that is not there: the working directory or the folders
    just below it that hold a `roadmap.yaml` (a user who ran `kbdeck init my-kb` and then `cd my-kb`, or who
    stayed one level up, gets the exact command), else how to make one."""
    if Path("roadmap.yaml").is_file():
        return f"this folder has a roadmap.yaml: `kbdeck {command} --content .`"
    try:
        found = sorted(d.name for d in Path().iterdir() if d.is_dir() and (d / "roadmap.yaml").is_file())
    except OSError:
        found = []
    if found:
        tried = " or ".join(f"`kbdeck {command} --content {shlex.quote(name)}`" for name in found[:HINT_MAX])
        more = f" ({len(found) - HINT_MAX} more)" if len(found) > HINT_MAX else ""
        return f"{'a folder' if len(found) == 1 else 'folders'} here with a roadmap.yaml: {tried}{more}"
    return "pass the folder that holds roadmap.yaml with `--content DIR` (`kbdeck init DIR` starts one)"


def _seconds(text: str) -> float:
    """A polling interval: a finite number of seconds above 0 (`-1` was a traceback in the first poll, `0`
    and `nan` a loop that never sleeps, `inf` one that never looks again)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (0 < value <= 3600):  # also false for nan
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0 and at most 3600 (e.g. 0.5)")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    relative = {
        "the folder" if name == "dir" else f"--{name}": path
        for name in ("content", "out", "dir")
        if (path := getattr(args, name, None)) is not None and not path.is_absolute()
    }
    if relative and not _working_directory_exists():
        given = ", ".join(f"{option} (`{path}` is relative)" for option, path in relative.items())
        print("kbdeck: the current folder no longer exists (it was deleted or moved)", file=sys.stderr)
        print(
            f"  = hint: `cd` to a folder that exists (the same path again, if it was made anew), or give absolute "
            f"paths: {given}",
            file=sys.stderr,
        )
        return 2
    if args.command in ("init", "docs"):
        return _run(args)
    if not args.content.is_dir():
        what = "is a file, not a folder" if args.content.exists() else "not found"
        print(f"kbdeck: content directory `{args.content}` {what}", file=sys.stderr)
        print(f"  = hint: {content_hint(args.command)}", file=sys.stderr)
        return 2
    out = getattr(args, "out", None)
    if out is not None and out.exists() and not out.is_dir():
        print(f"kbdeck: output directory `{out}` is a file, not a folder", file=sys.stderr)
        print(
            "  = hint: pass a folder with `--out DIR` (kbdeck writes the package and its cache there)", file=sys.stderr
        )
        return 2
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    """The command's handler, with what the environment does to it (Ctrl-C, a closed pipe, a full disk)
    said in one line instead of a traceback."""
    from . import commands

    handler = getattr(commands, f"cmd_{args.command}")
    try:
        return int(handler(args))
    except KeyboardInterrupt:  # Ctrl-C: files are replaced whole (`files.py`), so nothing is half-written
        if args.command != "watch":  # where Ctrl-C is how one stops
            print("kbdeck: interrupted; nothing half-written was left behind", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `kbdeck stats | head`: the reader took what it wanted and left
        return reader_gone()
    except OSError as exc:  # the environment, not the content: a full disk, a read-only folder
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"kbdeck: {exc.strerror or exc}{where}; nothing half-written was left behind", file=sys.stderr)
        if (hint := environment_hint(exc)) is not None:
            print(f"  = hint: {hint}", file=sys.stderr)
        return 2


def environment_hint(exc: OSError) -> str | None:
    """What to do about a folder kbdeck cannot write to, or a full disk (None for other errors)."""
    folder = f"`{Path(exc.filename).parent}`" if isinstance(exc.filename, str) else "the folder"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (
            f"make {folder} writable: a build keeps its ledger (and the output record) in the content folder, and "
            "writes the package and its cache to the output folder (`--out`); a read-only checkout can be copied "
            "first"
        )
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"free some space on the disk of {folder} (or pass another `--out`), then build again"
    return None


def _working_directory_exists() -> bool:
    """False in a terminal whose folder was deleted: every relative path would then fail with a bare
    "No such file or directory"."""
    try:
        os.getcwd()
    except OSError:
        return False
    return True


def run() -> NoReturn:
    """The `kbdeck` command: `main`, then exit at once.

    A build leaves hundreds of megabytes of objects behind on a large knowledge base; freeing them
    one by one at interpreter exit took 0.1 s of every rebuild. Output is flushed first; nothing
    else is pending by then (workers are shut down, temporary files removed, files closed).
    """
    tolerate_narrow_output()
    try:
        code = main()
    except KeyboardInterrupt:  # Ctrl-C while starting up (parsing the arguments), before `main`'s own handler
        code = 130
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # what was left to print, the reader no longer wanted
        code = reader_gone()
    sys.stderr.flush()
    os._exit(code)


def tolerate_narrow_output() -> None:
    """Print what an output's encoding cannot hold as `?` instead of failing there.

    Redirected on Windows (`kbdeck build > build.log`), Python writes cp1252, which has no `→` or `›`: the
    summary of a build that had already written its package ended in a UnicodeEncodeError traceback."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="replace")


def reader_gone() -> int:
    """The exit status of a command whose output was piped to a reader that stopped reading (`| head`):
    128 + SIGPIPE, as a command killed by it, and nothing more written there (the rest of the output
    goes nowhere instead of raising again at the next write)."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    return 141


if __name__ == "__main__":
    run()
