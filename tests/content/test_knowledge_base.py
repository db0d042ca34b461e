"""The shipped knowledge base: checks clean under --strict, meets its targets, builds and imports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from anki_helpers import import_apkg, new_collection
from kbtest import CONTENT

from kbdeck.build import build
from kbdeck.cli import main
from kbdeck.content.outputs import Policy


def test_content_is_clean_under_strict(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--content", str(CONTENT), "--strict"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "0 errors, 0 warnings" in out


def test_the_recorded_outputs_are_what_the_code_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """`check --execute` runs every output card (the examples extra is installed here) against the
    committed record: a record that lies, or a card without one, fails."""
    code = main(["check", "--content", str(CONTENT), "--execute", "--strict"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "0 errors, 0 warnings" in out and "ran " in out


def test_the_shipped_deck_builds_from_the_record_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a fresh clone does: nothing runs, and the package is the one a full execution gives."""
    import shutil

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # cards changed since the ledger: same stamp in both
    recorded, executed = tmp_path / "recorded", tmp_path / "executed"
    shutil.copytree(CONTENT, recorded)
    shutil.copytree(CONTENT, executed)
    (executed / ".kbdeck-outputs.json").unlink()
    a = build(recorded, tmp_path / "out-a")
    b = build(executed, tmp_path / "out-b", execute=Policy.ALL)
    assert a.apkg is not None and b.apkg is not None, a.problems.render_text() + b.problems.render_text()
    assert a.ran == 0 and b.ran > 100
    assert a.apkg.read_bytes() == b.apkg.read_bytes()
    assert (executed / ".kbdeck-outputs.json").read_bytes() == (CONTENT / ".kbdeck-outputs.json").read_bytes()


def test_every_target_is_met(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--content", str(CONTENT), "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    for key in ("topics", "flashcards", "examples", "mock_interviews"):
        assert stats[key]["have"] >= stats[key]["target"], key
    for day in stats["days"]:
        assert day["flashcards"] >= day["target"], day


def test_shipped_deck_builds_and_imports(tmp_path: Path) -> None:
    # build from a copy so the test never rewrites the committed ledger
    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    result = build(content, tmp_path / "build")
    assert result.apkg is not None, result.problems.render_text()
    col = new_collection(tmp_path)
    log = import_apkg(col, result.apkg)
    assert len(log.new) == len(result.notes) == col.note_count()
    assert col.card_count() >= col.note_count()
    col.close()


def test_the_committed_ledger_is_current(tmp_path: Path) -> None:
    """A fresh clone's first build must leave the ledger as committed (README: "commit the ledger with the
    content"): a change to the note types' CSS re-stamped them, and CI's first `make build` rewrote it."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    result = build(content, tmp_path / "build")
    assert result.apkg is not None, result.problems.render_text()
    assert (content / ".kbdeck-ledger.json").read_bytes() == (CONTENT / ".kbdeck-ledger.json").read_bytes(), (
        "the build changed the ledger: run `make build` and commit content/.kbdeck-ledger.json"
    )


def test_the_readme_shows_the_summary_make_build_prints(tmp_path: Path) -> None:
    """The quickstart's example summary (README.md) is what a build of the shipped content prints, but for the
    seconds: it showed counts and a generation two content changes old."""
    import shutil

    from kbdeck.build import summary

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    result = build(content, tmp_path / "build")
    assert result.apkg is not None, result.problems.render_text()
    readme = (CONTENT.parent / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"```\n(kbdeck: Python Senior Knowledge Base → .*?)\n```", readme, re.DOTALL)
    assert shown is not None, "the README's quickstart has no build summary"
    expected = summary(result).replace(str(tmp_path / "build"), "build")

    def untimed(text: str) -> list[str]:
        return [re.sub(r", [\d.]+ s$", ", … s", line) for line in text.splitlines()]

    assert untimed(shown.group(1)) == untimed(expected)


def test_readme_progress_block_is_current(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    assert main(["stats", "--content", str(content), "--write-readme"]) == 0
    capsys.readouterr()
    assert (content / "README.md").read_text(encoding="utf-8") == (CONTENT / "README.md").read_text(encoding="utf-8"), (
        "run `kbdeck stats --write-readme` and commit content/README.md"
    )


TYPED_CODE: dict[str, str] = {}
"""Cards allowed to show Python or SQL typed into the card rather than included from a tested example, and why."""


def test_python_and_sql_on_cards_come_from_tested_examples() -> None:
    """The house rule: code on a card is code the test-suite runs (an `@include` of a Python region, or of a .sql
    one a Python example runs; `hide:` for deletions in it; or an output card). A ```python or ```sql block typed
    into a card fails here unless it is listed, with why. (Shell and Dockerfile fragments cannot run here.)"""
    from kbdeck.content.codeblocks import iter_fences
    from kbdeck.content.load import load
    from kbdeck.model.problems import Problems

    kb = load(CONTENT, Problems())
    assert kb is not None
    typed = {
        card.id
        for card in kb.cards
        for text in (card.q, card.a, card.cloze, card.extra)
        if any(f.lang in ("python", "py", "python3", "sql", "postgresql") for f in iter_fences(text))
    }
    assert typed == set(TYPED_CODE), "include a region of a tested example instead (`hide:` for deletions)"


def test_every_example_in_another_language_or_helper_is_used_by_a_python_one() -> None:
    """kbdeck never runs a .sql example; a Python example must (the test-suite runs those), or the SQL on a
    card would be untested code. Checked here as: some Python example opens the file by name. The same for
    a `_helper.py` module (not run on its own): some example of its folder imports it."""
    from kbdeck.content.load import load
    from kbdeck.model.problems import Problems

    kb = load(CONTENT, Problems())
    assert kb is not None
    sources = [e.source for e in kb.examples.values() if e.runnable]
    other_languages = [e for e in kb.examples.values() if e.path.suffix != ".py"]  # `_helper.py`s are imported
    orphans = [e.id for e in other_languages if not any(e.path.name in s for s in sources)]
    assert not orphans, "run these from a Python example (read the file, execute it, assert what the cards claim)"
    helpers = [e for e in kb.examples.values() if e.path.suffix == ".py" and not e.runnable]
    unused = [
        h.id
        for h in helpers
        if not any(
            e.path.parent == h.path.parent and re.search(rf"^(from|import) {h.path.stem}\b", e.source, re.M)
            for e in kb.examples.values()
            if e.runnable
        )
    ]
    assert not unused, "import these from an example beside them, or remove them"
