"""`kbdeck init`: a small knowledge base that builds and imports on the first try.

The templates (`templates/<language>/`, shipped inside the package) hold a roadmap with one week and
one day, two topics, a card of each kind, a tested example with a region, an image and a formula,
with comments pointing at the reference (`kbdeck docs`). The output card's answer is recorded here,
with the Python running kbdeck, so the first build runs no code. `init` never overwrites anything.
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

from .content.outputs import RECORD_NAME, Record, current_python, record_key, write_record

TEMPLATES = ("en", "pt-BR")


class InitError(Exception):
    """The folder cannot be initialised (the message says why)."""


def init(target: Path, language: str) -> list[Path]:
    """Write the template for `language` into `target` (new or empty); the files written."""
    if language not in TEMPLATES:
        raise InitError(f"no template for language `{language}` (choose one of {', '.join(TEMPLATES)})")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InitError(f"{target} already exists and is not an empty folder: kbdeck init never overwrites")
    source = resources.files("kbdeck") / "templates" / language
    written: list[Path] = []
    python = current_python()
    with resources.as_file(source) as folder:
        target.mkdir(parents=True, exist_ok=True)
        outputs = json.loads((folder / "outputs.json").read_text(encoding="utf-8"))
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_dir() or rel.as_posix() == "outputs.json" or "__pycache__" in rel.parts:
                continue
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if rel.as_posix() == "roadmap.yaml":
                dest.write_text(path.read_text(encoding="utf-8").replace("PYTHON_VERSION", python), encoding="utf-8")
            else:
                shutil.copyfile(path, dest)
            written.append(dest)
    record = Record(python)
    for card_id, stdout in outputs.items():
        code = _output_code(target, card_id)
        record.outputs[record_key(python, code)] = {"cards": [card_id], "stdout": stdout}
    write_record(target / RECORD_NAME, record)
    written.append(target / RECORD_NAME)
    return written


def _output_code(root: Path, card_id: str) -> str:
    """The code the template's output card runs, resolved as the build resolves it."""
    from .content.load import load
    from .model.problems import Problems
    from .render.assembly import output_code

    kb = load(root, Problems())
    assert kb is not None, "the template does not load"
    card = next(c for c in kb.cards if c.id == card_id)
    code = output_code(card, kb)
    assert code is not None
    return code


def reference() -> str:
    """The content format reference shipped with the package (docs/content-format.md)."""
    return (resources.files("kbdeck") / "reference" / "content-format.md").read_text(encoding="utf-8")
