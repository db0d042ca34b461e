"""Every word kbdeck itself writes into a deck, a tag or a message about content, per language.

A knowledge base's `language` (roadmap.yaml) picks the table: an English knowledge base gets
English on its cards, never the Portuguese of the knowledge base this project ships. Adding a
language is adding one `Words` to `LANGUAGES`. Tag namespaces are the same in every language
(`kb::kind::output`), except pt-BR's, which keeps `kb::tipo::` because the shipped deck has used it
since its first release: renaming a tag changes every note, and a plain re-import then drops every
note's Anki-side tags (`leech`, `marked`, the user's own).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    """The words of one language."""

    output_question: str
    """Front of an output card that has no `q:`."""
    output_label: str
    """Label of the printed output on an output card's back."""
    kind_tag: str
    """Namespace of the card-kind tag: `kb::<kind_tag>::basic|cloze|output`."""
    references: tuple[str, ...]
    """Headings that count as a note's references section (lower case); the first is suggested."""
    progress_start: str
    """Marker that opens the generated progress block of the knowledge base's README."""
    progress_end: str
    progress_notice: str
    """First line of the generated block."""
    progress_labels: tuple[str, str, str, str]
    """Topics, flashcards, runnable examples, mock interviews."""
    progress_headers: tuple[str, str, str, str, str, str, str]
    """Goal, have, target; day, theme, flashcards, target."""
    section_continues: str
    """Under a card's note section that was cut: where it continues (`{where}`: topic › heading)."""


ENGLISH = Words(
    output_question="What does this code print?",
    output_label="output",
    kind_tag="kind",
    references=("references", "further reading", "sources"),
    progress_start="<!-- kbdeck:progress:start -->",
    progress_end="<!-- kbdeck:progress:end -->",
    progress_notice="_Block written by `kbdeck stats --write-readme`; do not edit by hand._",
    progress_labels=("Topics", "Flashcards", "Runnable examples", "Mock interviews"),
    progress_headers=("Goal", "Have", "Target", "Day", "Theme", "Flashcards", "Target"),
    section_continues="The section continues in the note: {where}.",
)

PORTUGUESE = Words(
    output_question="O que este código imprime?",
    output_label="saída",
    kind_tag="tipo",
    references=("referências", "referencias", "references"),
    progress_start="<!-- kbdeck:progresso:start -->",
    progress_end="<!-- kbdeck:progresso:end -->",
    progress_notice="_Bloco gerado por `kbdeck stats --write-readme`; não edite à mão._",
    progress_labels=("Tópicos", "Flashcards", "Exemplos executáveis", "Mock interviews"),
    progress_headers=("Meta", "Atual", "Alvo", "Dia", "Tema", "Flashcards", "Alvo"),
    section_continues="A seção continua na nota: {where}.",
)

LANGUAGES: dict[str, Words] = {"en": ENGLISH, "pt-BR": PORTUGUESE}
"""By BCP 47 tag; `words_for` also matches the base language (`en-GB` → `en`, `pt` → `pt-BR`)."""


def known(language: str) -> bool:
    return _find(language) is not None


def words_for(language: str) -> Words:
    """The table for `language`; English when there is none (check warns about it)."""
    return _find(language) or ENGLISH


def _find(language: str) -> Words | None:
    if language in LANGUAGES:
        return LANGUAGES[language]
    base = language.replace("_", "-").split("-")[0].lower()  # `pt_BR`, as locales write it, is `pt-BR`
    return next((w for tag, w in LANGUAGES.items() if tag.split("-")[0].lower() == base), None)
