"""Random input to every loader gives problems, never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kbdeck.content.cards import load_text_cards, load_yaml_cards
from kbdeck.content.examples import load_example
from kbdeck.content.notes import load_topic
from kbdeck.content.roadmap import load_roadmap
from kbdeck.model.problems import Problems


# YAML-ish and Markdown-ish alphabets hit the parsers' interesting paths far more than random unicode
def pieces(chars: str, words: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(list(chars) + words), max_size=60).map("".join)


yamlish = pieces("- :#'\"|>{}[],\n\tabcqidse0123!&*%@`", ["id", "q:", "a:", "\n- ", "cloze: {{c1::", "}}"])
mdish = pieces("#-`~ \n*_[](){}:abc", ["---\n", "```", "@include ", "# region: a\n", "# endregion\n", "ID: "])
fuzz = settings(max_examples=300, deadline=None)


@fuzz
@given(yamlish)
def test_yaml_cards_never_crash(text: str) -> None:
    load_yaml_cards(text, "f.yaml", "a/b", Problems())


@fuzz
@given(st.one_of(yamlish, mdish))
def test_text_cards_never_crash(text: str) -> None:
    load_text_cards("Q: " + text, "f.md", "a/b", Problems())
    load_text_cards(text, "f.md", "a/b", Problems())


@fuzz
@given(yamlish)
def test_roadmap_never_crashes(text: str) -> None:
    load_roadmap(text, "roadmap.yaml", Problems())


@fuzz
@given(st.one_of(mdish, yamlish))
def test_topic_never_crashes(text: str) -> None:
    load_topic(Path("a/b.md"), "a/b", "a/b.md", text, Problems())
    load_topic(Path("a/b.md"), "a/b", "a/b.md", "---\n" + text, Problems())


@fuzz
@given(mdish)
def test_example_never_crashes(text: str) -> None:
    load_example(Path("e.py"), "g/e", "e.py", text, Problems())
