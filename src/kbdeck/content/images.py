"""Local images in notes and cards, packaged as media the cards can show offline.

`![a projection](img/p.png)` in a note or a card refers to a file beside the Markdown (or under the
content folder). The build copies the file into the package under a content-addressed name,
`_kbdeck-<kb>-img-<hash>.png`, and points the HTML at it: Anki never replaces a media file that
already exists under the same name, so an edited image must arrive under a new name. The checker
reports a missing, oversized or unsupported image at its line; a remote image is a warning (it
does not show offline, on a phone in the subway).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from ..model.problems import Problems, Span

SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})
MAX_BYTES = 2_000_000
"""Largest image accepted: every image is synced to every phone."""

MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
RENDERED_IMAGE = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")', re.IGNORECASE)
REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
WEB = re.compile(r"^(?:https?:)?//", re.IGNORECASE)


_IMG_OPEN = re.compile(r"<img\b", re.IGNORECASE)


def img_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` for a pattern that starts `<img\\b[^>]*?`, in linear time: where a tag has no
    match before its first `>`, no `<img` inside it has either (each would search a part of the same
    stretch), so the search goes on after that `>`. The plain search started again at every `<img` and
    read to the next `>`: 50,000 `<img ` took 100 s."""
    pos = 0
    while (opening := _IMG_OPEN.search(text, pos)) is not None:
        m = pattern.match(text, opening.start())
        if m is not None:
            yield m
            pos = m.end()
            continue
        gt = text.find(">", opening.start())
        if gt == -1:
            return
        pos = gt + 1


def image_refs(markdown: str) -> list[tuple[str, int]]:
    """Image targets written in Markdown or raw HTML, with where each starts (code is the caller's to
    blank out)."""
    found = [(m.group(1), m.start(1)) for m in MARKDOWN_IMAGE.finditer(markdown)]
    return found + [(m.group(1), m.start(1)) for m in img_matches(HTML_IMAGE, markdown)]


def locate(ref: str, bases: list[Path], root: Path) -> Path | None:
    """The file `ref` names, relative to the first base where it exists, never outside `root`."""
    return next((path for path in _files(ref, bases) if path.is_relative_to(root.resolve())), None)


def outside(ref: str, bases: list[Path]) -> Path | None:
    """The file `ref` names that exists outside the content folder (which `locate` refuses), if any."""
    return next(_files(ref, bases), None)


def _files(ref: str, bases: list[Path]) -> Iterator[Path]:
    """The existing files `ref` names, relative to each base in turn (resolved: `..` and links followed)."""
    target = html.unescape(ref).split("#")[0].split("?")[0]
    return (path for base in bases if (path := (base / target).resolve()).is_file())


def check_images(markdown: str, bases: list[Path], root: Path, at: Callable[[int], Span], problems: Problems) -> None:
    """Report every image of `markdown` that cannot be packaged (or will not show offline), where it is
    written (`at` gives the place of a character offset)."""
    for ref, offset in image_refs(markdown):
        if ref.startswith("_kbdeck-"):
            continue
        span = at(offset)
        if REMOTE.match(ref):
            if WEB.match(ref):  # another scheme (file:, javascript:) is the raw-HTML check's error
                problems.warning(
                    span,
                    "remote-image",
                    f"image `{ref[:80]}` is on the web: it does not show offline (phones, planes)",
                    "download it next to the note and refer to it by a relative path",
                )
            continue
        path = locate(ref, bases, root)
        if path is None:
            elsewhere = outside(ref, bases)
            if elsewhere is not None:
                problems.error(
                    span,
                    "image-outside",
                    f"image `{ref[:80]}` is outside the content folder ({elsewhere}): only files under it are packaged",
                    "copy it beside the note (or anywhere under the content folder) and refer to that copy",
                )
            else:
                problems.error(
                    span,
                    "missing-image",
                    f"image `{ref[:80]}` not found (relative to the file, or to the content folder)",
                    "check the path and its case; images must live under the content folder",
                )
        elif path.suffix.lower() not in SUFFIXES:
            problems.error(
                span, "bad-image", f"image `{ref[:80]}` is not PNG, JPEG, GIF, SVG or WebP", "convert it to PNG"
            )
        elif path.stat().st_size > MAX_BYTES:
            problems.error(
                span,
                "image-too-large",
                f"image `{ref[:80]}` has {path.stat().st_size:,} bytes (at most {MAX_BYTES:,})",
                "shrink it: every image is synced to every phone",
            )


class Images:
    """Collects the images a build packages, by content-addressed media name."""

    def __init__(self, kb_id: str, root: Path) -> None:
        self.kb_id = kb_id
        self.root = root
        self.media: dict[str, bytes] = {}

    def attach(self, rendered: str, bases: list[Path]) -> str:
        """`rendered` HTML with local image sources replaced by their media names (others left alone;
        the checker has reported them)."""
        if "<img" not in rendered:
            return rendered

        def sub(m: re.Match[str]) -> str:
            ref = m.group(2)
            if ref.startswith("_kbdeck-") or REMOTE.match(ref):
                return m.group(0)
            path = locate(ref, bases, self.root)
            if path is None or path.suffix.lower() not in SUFFIXES or path.stat().st_size > MAX_BYTES:
                return m.group(0)
            data = path.read_bytes()
            name = f"_kbdeck-{self.kb_id}-img-{hashlib.sha256(data).hexdigest()[:16]}{path.suffix.lower()}"
            self.media[name] = data
            return f"{m.group(1)}{name}{m.group(3)}"

        pieces: list[str] = []
        last = 0
        for m in img_matches(RENDERED_IMAGE, rendered):
            pieces += [rendered[last : m.start()], sub(m)]
            last = m.end()
        return "".join(pieces) + rendered[last:]
