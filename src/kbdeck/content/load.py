"""Stage 1 of the build: read the content tree into a `KnowledgeBase`, collecting problems.

Every file is read as UTF-8; a file that is not is reported with the position of the first bad
byte and skipped, never crashing the run. With a cache directory, what a file parses to (and the
problems it has) is remembered by a hash of its text, so a rebuild parses only edited files
(`parsecache.py`).
"""

from __future__ import annotations

import codecs
import itertools
import os
from pathlib import Path, PurePosixPath

from ..model.kb import Card, Example, KnowledgeBase, Roadmap, Topic
from ..model.problems import Problems, Span
from .cards import load_text_cards, load_yaml_cards
from .chars import BAD_CHARS, report_raw
from .examples import REGION_COMMENT, example_id, load_example
from .notes import load_topic
from .parsecache import ParsedFiles
from .roadmap import load_roadmap

SKIP_DIRS = {"__pycache__", "node_modules"}


def shown_path(path: Path) -> str:
    """The path as messages show it: relative to the working directory when inside it (as given when there is
    no working directory any more: a terminal left in a deleted folder)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_text(path: Path, problems: Problems) -> str | None:
    """File text, or None after reporting a decoding problem."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
        problems.error(
            Span(shown_path(path), line, col),
            "not-utf8",
            f"file is {encoding}, not UTF-8 (it starts with a {encoding} byte-order mark)"
            if encoding
            else f"file is not UTF-8 (byte 0x{data[err.start]:02x})",
            "re-save the file as UTF-8 (in most editors: save with encoding, then UTF-8)",
        )
        return None
    if BAD_CHARS.search(text) is not None:  # the shown path (two resolves) only for the message
        report_raw(text, shown_path(path), problems)
        return None
    return text


_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16's: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
"""What Windows editors write first when told to save as "Unicode": a file that is not UTF-8 at its first byte."""


def roadmap_in(names: list[str], root: Path, roadmap_path: Path) -> Path | None:
    """Which of the content folder's entries (`names`, as listed) is `roadmap.yaml`: that name, or on a
    case-insensitive disk (macOS, Windows) the name it was written with (`Roadmap.yaml`, which
    `roadmap_path.is_file()` found but the folder lists as written: read as no roadmap at all, the build
    stopped with no problem to show). Only the folder's own entries are looked at, not every file."""
    if "roadmap.yaml" in names:
        return roadmap_path
    for name in names:
        if name.lower() == "roadmap.yaml":
            try:
                if (root / name).samefile(roadmap_path):
                    return root / name
            except OSError:
                continue
    return None


def _report_linked(root: Path, shown_root: PurePosixPath, linked: list[Path], problems: Problems) -> None:
    """A warning for each linked folder `content_files` did not enter that holds content from outside."""
    inside = root.resolve()
    for folder in sorted(linked):
        if folder.resolve().is_relative_to(inside):
            continue  # its files are read where they really are
        unread = _content_in(folder)
        if unread:  # a linked folder of images is fine: a note's image is found through the link
            rel = folder.relative_to(root).as_posix()
            problems.warning(
                Span(str(shown_root / rel)),
                "linked-folder",
                f"`{rel}` is a link to a folder, which kbdeck does not enter: the {unread} note, card or example "
                f"file{'s' if unread > 1 else ''} in it are not read",
                "move the folder into the content folder (a link to each file inside it is read)",
            )


def _content_in(folder: Path, most: int = 10_000) -> int:
    """How many files below `folder` kbdeck would read as content (notes, cards, examples), looking at
    `most` entries at most."""
    suffixes = {".md", ".yaml", ".yml", *REGION_COMMENT}
    try:
        return sum(1 for path in itertools.islice(folder.rglob("*"), most) if path.suffix in suffixes)
    except OSError:
        return 0


def _misnamed(shown: str, rel: Path, suffix: str, rule: str, problems: Problems) -> None:
    """A file written as content but not read as such, for the case of its extension (`lists.MD`) or a
    spelling kbdeck does not read (`.markdown`): said, never skipped silently (its cards would be missing)."""
    problems.error(
        Span(shown),
        "misnamed-file",
        f"`{rel.as_posix()}` is not read: {rule} (lowercase)",
        f"rename it to `{rel.with_suffix(suffix).name}`",
    )


def skipped(name: str) -> bool:
    """A file or folder name that is never content, nor holds any: hidden ones and caches."""
    return name.startswith(".") or name in SKIP_DIRS


def content_files(root: Path, linked: list[Path] | None = None) -> list[Path]:
    """Every regular file under root except hidden ones and caches, in a stable order: files reached
    through a symbolic link count, folders reached through one are not entered (as `Path.rglob`), and
    are put in `linked` when given (a build says so: their files' cards would be missing without a word).

    One `os.scandir` per folder, and skipped folders (`.git`, `node_modules`) are never entered: a
    watcher polls this, and listing a 30,000-card knowledge base with `rglob` took 37 ms a poll."""
    out: list[Path] = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                found = list(entries)
        except OSError:  # gone, unreadable or not a folder: nothing in it counts
            continue
        for entry in found:
            if skipped(entry.name):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(folder / entry.name)
                elif entry.is_file():
                    out.append(folder / entry.name)
                elif linked is not None and entry.is_symlink() and entry.is_dir():
                    linked.append(folder / entry.name)
            except OSError:  # vanished meanwhile
                continue
    out.sort()
    return out


def load(root: Path, problems: Problems, cache_dir: Path | None = None) -> KnowledgeBase | None:
    """Load a content directory; None only when there is no usable roadmap.

    With `cache_dir` (the build's `<out>/.cache`), unchanged files are not parsed again.
    """
    roadmap_path = root / "roadmap.yaml"
    if not roadmap_path.is_file():
        near = sorted(p.name for p in root.glob("*") if p.stem.lower() == "roadmap" and p.is_file())
        problems.error(
            Span(shown_path(roadmap_path)),
            "missing-roadmap",
            f"no roadmap.yaml in {shown_path(root)}",
            f"rename `{near[0]}` to roadmap.yaml (kbdeck reads that name only)"
            if near
            else "every content directory starts with a roadmap.yaml (`kbdeck docs` describes it; `kbdeck init` "
            "writes one)",
        )
        return None
    roadmap: Roadmap | None = None
    topics: dict[str, Topic] = {}
    cards: list[Card] = []
    examples: dict[str, Example] = {}
    readme = None
    unreadable: set[str] = set()
    parsed = ParsedFiles(cache_dir)
    shown_root = PurePosixPath(shown_path(root))  # resolved once, not per file
    linked: list[Path] = []
    files = content_files(root, linked)
    _report_linked(root, shown_root, linked, problems)
    roadmap_file = roadmap_in(os.listdir(root), root, roadmap_path)
    for path in files:
        rel = path.relative_to(root)
        shown = str(shown_root / rel.as_posix())
        here = (path, shown)  # where the file is for this run (the parse cache stores references to them)
        if rel.parts[0] == "examples":
            if path.suffix not in REGION_COMMENT:
                continue
            text = read_text(path, problems)
            if text is None:
                unreadable.add(rel.as_posix())
            else:
                ex_id = example_id(PurePosixPath(rel.relative_to("examples").as_posix()))
                examples[ex_id] = parsed.call(load_example, path, ex_id, shown, text, here=here, problems=problems)
            continue
        if rel.parts[0] == "flashcards":
            if path.suffix not in (".yaml", ".yml", ".md"):
                if path.suffix.lower() in (".yaml", ".yml", ".md", ".markdown"):
                    _misnamed(shown, rel, ".yaml", "card files end in .yaml, .yml or .md", problems)
                continue
            text = read_text(path, problems)
            if text is None:
                unreadable.add(rel.as_posix())
                continue
            topic = rel.relative_to("flashcards").with_suffix("").as_posix()
            loader = load_text_cards if path.suffix == ".md" else load_yaml_cards
            cards.extend(parsed.call(loader, text, shown, topic, here=(shown,), problems=problems))
            continue
        if path.suffix not in (".md", ".yaml", ".yml"):
            if path.suffix.lower() in (".md", ".markdown") and len(rel.parts) >= 2:
                _misnamed(shown, rel, ".md", "notes end in .md", problems)
                unreadable.add(rel.with_suffix(".md").as_posix())  # its cards and its day: the note is there
            continue
        text = read_text(path, problems)
        if text is None:
            unreadable.add(rel.as_posix())
            continue
        if path == roadmap_file:
            roadmap = parsed.call(load_roadmap, text, shown, here=(shown,), problems=problems)
        elif len(rel.parts) == 1 and rel.name.lower() == "readme.md":
            readme = path
        elif path.suffix == ".md" and len(rel.parts) == 1:
            problems.warning(
                Span(shown),
                "note-outside-area",
                f"`{rel.as_posix()}` is not in an area folder, so it is no topic and builds into nothing",
                f"move it into an area's folder (e.g. `<area>/{rel.name}`) and list it in a day of the roadmap",
            )
        elif path.suffix == ".md" and len(rel.parts) >= 2:
            topic_id = rel.with_suffix("").as_posix()
            topics[topic_id] = parsed.call(load_topic, path, topic_id, shown, text, here=here, problems=problems)
    parsed.save()
    if roadmap is None:
        return None
    return KnowledgeBase(root, roadmap, topics, tuple(cards), examples, readme, frozenset(unreadable))
