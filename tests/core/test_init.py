"""`kbdeck init` and a self-contained install (issue 21): a new user's first knowledge base builds and
imports on the first try, in their language, with the reference at hand."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from anki_helpers import import_apkg, new_collection
from kbtest import ROOT

from kbdeck.build import build
from kbdeck.cli import main

PORTUGUESE = re.compile(r"imprime|saída|kb::tipo|Referências", re.I)


@pytest.mark.parametrize("language", ["en", "pt-BR"])
def test_init_then_build_then_import_works_the_first_time(
    tmp_path: Path, language: str, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "my-kb"
    assert main(["init", str(content), "--language", language]) == 0
    assert "kbdeck build --content" in capsys.readouterr().out
    assert main(["check", "--content", str(content), "--strict"]) == 0
    result = build(content, tmp_path / "build")
    assert result.apkg is not None and result.ran == 0, result.problems.render_text()
    kinds = {n.tags[0] for n in result.notes}
    assert len(result.notes) == 5 and kinds
    col = new_collection(tmp_path)
    log = import_apkg(col, result.apkg)
    assert len(log.new) == 5
    images = [n for n in result.media if "-img-" in n]
    assert images and all((Path(col.media.dir()) / n).is_file() for n in images)
    html = " ".join(col.get_card(c).answer() for c in col.find_cards(""))
    assert "\\(\\|v\\|_2 = \\sqrt{v \\cdot v}\\)" in html  # the formula reaches Anki's MathJax intact
    assert f'src="{images[0]}"' in html
    if language == "en":
        visible = " ".join([html, *(t for n in result.notes for t in n.tags)])
        assert not PORTUGUESE.search(visible)
    col.close()


def test_init_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "kb"
    target.mkdir()
    (target / "notes.md").write_text("mine", encoding="utf-8")
    assert main(["init", str(target)]) == 2
    assert "never overwrites" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["notes.md"]


def test_docs_prints_the_shipped_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs"]) == 0
    shipped = (ROOT / "src/kbdeck/reference/content-format.md").read_text(encoding="utf-8")
    assert capsys.readouterr().out.rstrip("\n") == shipped.rstrip("\n")
    assert shipped == (ROOT / "docs/content-format.md").read_text(encoding="utf-8"), (
        "copy docs/content-format.md to src/kbdeck/reference/content-format.md (the wheel ships that copy)"
    )


def test_the_wheel_carries_the_templates_and_the_reference(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        # the machine's pip settings (its package index) live in the real config folder, not the test's
        env={k: v for k, v in os.environ.items() if k != "XDG_CONFIG_HOME"},
    )
    (wheel,) = tmp_path.glob("kbdeck-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for language in ("en", "pt-BR"):
        for rel in ("roadmap.yaml", "outputs.json", "basics/img/vector.svg", "examples/basics/slicing.py"):
            assert f"kbdeck/templates/{language}/{rel}" in names
    assert "kbdeck/reference/content-format.md" in names
