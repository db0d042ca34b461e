"""Stage 1 of the build: read the content tree into a `KnowledgeBase`, collecting problems.

Every file is read as UTF-8; a file that is not is reported with the position of the first bad
byte and skipped, never crashing the run.
"""

from __future__ import annotations

from pathlib import Path

from .cards import load_text_cards, load_yaml_cards
from .examples import load_example
from .model import Card, Example, KnowledgeBase, Roadmap, Topic
from .notes import load_topic
from .problems import Problems, Span
from .roadmap import load_roadmap

SKIP_DIRS = {"__pycache__", "node_modules"}


def shown_path(path: Path) -> str:
    """The path as messages show it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: Path, problems: Problems) -> str | None:
    """File text, or None after reporting a decoding problem."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8").replace("\r\n", "\n").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        problems.error(
            Span(shown_path(path), line, col),
            "not-utf8",
            f"file is not UTF-8 (byte 0x{data[err.start]:02x})",
            "re-save the file as UTF-8",
        )
        return None


def content_files(root: Path) -> list[Path]:
    """Every regular file under root except hidden ones and caches, in a stable order."""
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if any(p.startswith(".") or p in SKIP_DIRS for p in rel) or not path.is_file():
            continue
        out.append(path)
    return out


def load(root: Path, problems: Problems) -> KnowledgeBase | None:
    """Load a content directory; None only when there is no usable roadmap."""
    roadmap_path = root / "roadmap.yaml"
    if not roadmap_path.is_file():
        problems.error(
            Span(shown_path(roadmap_path)),
            "missing-roadmap",
            f"no roadmap.yaml in {shown_path(root)}",
            "every content directory starts with a roadmap.yaml (see docs/content-format.md)",
        )
        return None
    roadmap: Roadmap | None = None
    topics: dict[str, Topic] = {}
    cards: list[Card] = []
    examples: dict[str, Example] = {}
    readme = None
    for path in content_files(root):
        rel = path.relative_to(root)
        shown = shown_path(path)
        if rel.parts[0] == "examples":
            if path.suffix != ".py":
                continue
            text = read_text(path, problems)
            if text is not None:
                ex_id = rel.relative_to("examples").with_suffix("").as_posix()
                examples[ex_id] = load_example(path, ex_id, shown, text, problems)
            continue
        if rel.parts[0] == "flashcards":
            if path.suffix not in (".yaml", ".yml", ".md"):
                continue
            text = read_text(path, problems)
            if text is None:
                continue
            topic = rel.relative_to("flashcards").with_suffix("").as_posix()
            loader = load_text_cards if path.suffix == ".md" else load_yaml_cards
            cards.extend(loader(text, shown, topic, problems))
            continue
        text = read_text(path, problems) if path.suffix in (".md", ".yaml", ".yml") else None
        if text is None:
            continue
        if rel == Path("roadmap.yaml"):
            roadmap = load_roadmap(text, shown, problems)
        elif len(rel.parts) == 1 and rel.name.lower() == "readme.md":
            readme = path
        elif path.suffix == ".md" and len(rel.parts) >= 2:
            topic_id = rel.with_suffix("").as_posix()
            topics[topic_id] = load_topic(path, topic_id, shown, text, problems)
    if roadmap is None:
        return None
    return KnowledgeBase(root, roadmap, topics, tuple(cards), examples, readme)
