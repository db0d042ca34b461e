"""Renamed ids are spotted (git diff first, then same-topic heuristics) so the build can warn precisely."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kbtest import make_content

from kbdeck.apkg.ledger import Changes
from kbdeck.apkg.renames import Rename, find_renames, git_renames


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_git_diff_names_the_rename(tmp_path: Path) -> None:
    root = make_content(tmp_path, {})
    git(tmp_path, "init", "-q")
    git(tmp_path, "-c", "user.email=a@b", "-c", "user.name=a", "add", ".")
    git(tmp_path, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "v1")
    cards = root / "flashcards/lang/gil.yaml"
    cards.write_text(cards.read_text(encoding="utf-8").replace("id: gil-output\n", "id: gil-saida\n"), encoding="utf-8")
    assert git_renames(root) == {"gil-output": "gil-saida"}
    changes = Changes(new=("gil-saida",), changed=(), unchanged=(), removed=(("gil-output", "lang/gil"),))
    assert find_renames(changes, {"gil-saida": "lang/gil"}, root) == [Rename("gil-output", "gil-saida", "git diff")]


def test_same_topic_heuristic_without_git(tmp_path: Path) -> None:
    root = make_content(tmp_path, {})
    assert git_renames(root) == {}
    changes = Changes(
        new=("a-novo", "b-novo", "b-outro"),
        changed=(),
        unchanged=(),
        removed=(("a-velho", "t/a"), ("b-velho", "t/b")),
    )
    topics = {"a-novo": "t/a", "b-novo": "t/b", "b-outro": "t/b"}
    # topic t/b is ambiguous (two new ids): no guess there
    assert find_renames(changes, topics, root) == [Rename("a-velho", "a-novo", "same topic")]
