"""Stage 2 of the build: cross-reference checks over a loaded knowledge base.

Returns nothing; every finding goes into `Problems`, so one run shows them all.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from ..model.kb import Card, Kind, KnowledgeBase, Topic
from ..model.problems import Problems, Span
from ..model.words import LANGUAGES, words_for
from ..model.words import known as known_words
from .clozes import parse_hides, place_hides
from .codeblocks import include_lines, iter_fences, marker_of, resolve_include, split_ref
from .load import shown_path
from .texts import SyntaxCheck, check_include, check_text


def did_you_mean(value: str, options: list[str]) -> str:
    import difflib  # only when there is something to suggest

    close = difflib.get_close_matches(value, options, n=1, cutoff=0.75)
    return f"did you mean `{close[0]}`?" if close else ""


def check(kb: KnowledgeBase, problems: Problems, cache_dir: Path | None = None) -> None:
    """Run every cross-reference check (with `cache_dir`, code that parsed before is not parsed again)."""
    syntax = SyntaxCheck(cache_dir)
    check_roadmap(kb, problems)
    check_cards(kb, problems, syntax)
    check_notes(kb, problems, syntax)
    check_examples(kb, problems)
    syntax.save()


BUNDLE_ID_RE = re.compile(r"^[^\x00-\x1f\"\\]{1,200}$")
"""What the add-on accepts as an id in the bundle (`addon/bundle.py` ID_RE; a test keeps them equal): an id it
would refuse makes it drop the whole knowledge base, so the build refuses it first."""


def check_bundle_ids(kb: KnowledgeBase, problems: Problems) -> None:
    rm = kb.roadmap
    named: list[tuple[str, str, Span]] = [
        *(("area", a.id, a.span) for a in rm.areas),
        *(("week", w.id, w.span) for w in rm.weeks),
        *(("day", d.id, d.span) for d in rm.days),
        *(("mock interview", m.id, m.span) for m in rm.mock_interviews),
        *(("topic", t.id, t.span) for t in kb.topics.values()),
        *(("example", e.id, e.span) for e in kb.examples.values()),
    ]
    for what, ident, span in named:
        if not BUNDLE_ID_RE.match(ident):
            problems.error(
                span,
                "bad-id",
                f"{what} id `{ident[:80]}` is empty, longer than 200 characters, or holds a quote, a backslash "
                "or a control character",
                "rename it (file names give topic and example ids)",
            )


def check_roadmap(kb: KnowledgeBase, problems: Problems) -> None:
    rm = kb.roadmap
    check_bundle_ids(kb, problems)
    if not known_words(rm.language):
        problems.warning(
            rm.span,
            "unknown-language",
            f"kbdeck has no words for language `{rm.language}`: what it writes on cards (the output card's "
            "question, the output label) will be in English",
            f"use one of {', '.join(sorted(LANGUAGES))}, or add a table to kbdeck's words.py",
        )
    area_ids = [a.id for a in rm.areas]
    _unique([(a.id, a.span) for a in rm.areas], "area", problems)
    _unique([(w.id, w.span) for w in rm.weeks], "week", problems)
    _unique([(d.id, d.span) for d in rm.days], "day", problems)
    _unique([(m.id, m.span) for m in rm.mock_interviews], "mock interview", problems)
    topic_ids = sorted(kb.topics)
    placed: dict[str, Span] = {}
    for day in rm.days:
        for ref, span in zip(day.topics, day.topic_spans, strict=True):
            if ref not in kb.topics:
                if kb.unread_note(ref):
                    continue  # its note's own error says why
                problems.error(
                    span,
                    "unknown-topic",
                    f"day `{day.id}` lists topic `{ref}` but there is no `{ref}.md`",
                    did_you_mean(ref, topic_ids) or "create the note or fix the id",
                )
            elif ref in placed:
                problems.error(
                    span,
                    "duplicate-topic",
                    f"topic `{ref}` is already planned at line {placed[ref].line}",
                    "a topic belongs to one day",
                )
            placed.setdefault(ref, span)
    for topic in kb.topics.values():
        if topic.area not in area_ids:
            problems.error(
                topic.span,
                "unknown-area",
                f"note `{topic.id}` is in folder `{topic.area}`, which is not an area of roadmap.yaml",
                did_you_mean(topic.area, area_ids) or "add the area to `areas:` in roadmap.yaml",
            )
    problem_notes = set()
    for mock in rm.mock_interviews:
        for s in mock.sections:
            for ref in s.topics:
                if ref not in kb.topics and not kb.unread_note(ref):
                    problems.error(
                        s.span,
                        "unknown-topic",
                        f"mock section `{s.title}` lists unknown topic `{ref}`",
                        did_you_mean(ref, topic_ids),
                    )
            for area in s.areas:
                if area not in area_ids:
                    problems.error(
                        s.span,
                        "unknown-area",
                        f"mock section `{s.title}` lists unknown area `{area}`",
                        did_you_mean(area, area_ids),
                    )
            if s.problem:
                problem_notes.add(s.problem)
                if s.problem not in kb.topics and not kb.unread_note(s.problem):
                    problems.error(
                        s.span,
                        "unknown-topic",
                        f"mock section `{s.title}` names problem `{s.problem}` but there is no such note",
                        did_you_mean(s.problem, topic_ids),
                    )
    for topic in kb.topics.values():
        if topic.id not in placed and topic.id not in problem_notes:
            problems.warning(
                topic.span,
                "unplanned-topic",
                f"note `{topic.id}` is not in any day of the roadmap",
                "add it to a day's `topics:` so it gets studied (its cards go to no day otherwise)",
            )


def _unique(items: list[tuple[str, Span]], what: str, problems: Problems) -> None:
    seen: dict[str, Span] = {}
    for ident, span in items:
        if ident in seen:
            problems.error(
                span,
                "duplicate-id",
                f"{what} id `{ident}` is already used at {seen[ident]}",
                f"each {what} has its own id in roadmap.yaml; rename one of them",
            )
        seen.setdefault(ident, span)


def markdown_fields(card: Card) -> list[tuple[str, str]]:
    return [(k, getattr(card, k)) for k in ("q", "a", "cloze", "extra") if getattr(card, k)]


def label(card: Card) -> str:
    """How messages name a card: by id, or by its line when it has none yet."""
    return f"card `{card.id}`" if card.id else f"the card at line {card.span.line} (no id yet)"


def check_cards(kb: KnowledgeBase, problems: Problems, syntax: SyntaxCheck | None = None) -> None:
    syntax = syntax or SyntaxCheck()
    seen: dict[str, Card] = {}
    for card in kb.cards:
        if card.id:
            first = seen.get(card.id)
            if first is not None:
                problems.error(
                    card.span_of("id"),
                    "duplicate-id",
                    f"card id `{card.id}` is already used at {first.span_of('id')}",
                    "ids are unique across the whole knowledge base; rename one of them",
                )
            else:
                seen[card.id] = card
        topic = kb.topics.get(card.topic)
        if topic is None and not kb.unread_note(card.topic):  # else its note's own error says why
            problems.error(
                card.span,
                "orphan-cards",
                f"{label(card)} belongs to topic `{card.topic}`, which has no note",
                did_you_mean(card.topic, sorted(kb.topics))
                or f"write {PurePosixPath(shown_path(kb.root), card.topic)}.md or move the card to an existing "
                "topic's file",
            )
        if card.see and topic is not None and topic.heading_for(card.see) is None:
            anchors = [h.anchor for h in topic.headings]
            problems.error(
                card.span_of("see"),
                "unknown-anchor",
                f"{label(card)}: `see: {card.see}` is not a heading of {topic.id}.md",
                _swallowed_by(topic)
                or did_you_mean(card.see, anchors)
                or (f"headings: {', '.join(anchors[:8])}" if anchors else f"{topic.id}.md has no headings"),
            )
        if not card.see:
            problems.warning(
                card.span,
                "missing-see",
                f"{label(card)} does not say which heading it comes from",
                "add `see: <heading anchor>` so the card links back to its note",
            )
        if card.kind is Kind.OUTPUT and card.include:
            check_include(card.include, card.span_of("include"), kb, problems)
            example = kb.examples.get(split_ref(card.include)[0])
            if example is not None and not example.runnable:
                problems.error(
                    card.span_of("include"),
                    "output-not-python",
                    f"output {label(card)} includes `{card.include}`, which is not Python: output cards run Python",
                    "show that code with `@include` in a basic or cloze card, and run it from a Python example",
                )
        for key, text in markdown_fields(card):
            check_text(text, card.span_of(key), kb, problems, syntax=syntax)
        if card.hide and card.kind is Kind.CLOZE:
            _check_hides(card, kb, problems)


def _check_hides(card: Card, kb: KnowledgeBase, problems: Problems) -> None:
    """Every `hide:` entry finds its text in the code the card includes (the loader checked their shape)."""
    refs = [m.group(2) for m in include_lines(card.cloze)]
    if not refs:
        problems.error(
            card.span_of("hide"),
            "hide-without-include",
            f"{label(card)} hides text in included code, but its `cloze` has no `@include` line",
            "add a line `@include examples/<group>/<name>.py#region` to the cloze text",
        )
        return
    codes = [code for code in (resolve_include(ref, kb.examples)[0] for ref in refs) if code is not None]
    if len(codes) != len(refs):
        return  # the include's own error says why
    hides = parse_hides(card.hide)
    if len(hides) != len(card.hide):
        return  # the loader reported the malformed entries
    for i in place_hides(codes, hides)[1]:  # the placement the renderer makes (`codeblocks.hide_in_includes`)
        text = hides[i].text
        taken = any(text in code for code in codes)
        problems.error(
            card.span_of(f"hide:{i}"),
            "hide-not-found",
            f"{label(card)}: `{text[:60]}` (c{hides[i].number}) is "
            + ("only where earlier entries already hide text" if taken else "not in the code it includes")
            + f" ({', '.join(refs)})",
            "copy the text exactly as the example region has it (spaces and quotes included)",
        )


def _swallowed_by(topic: Topic) -> str | None:
    """For a `see:` that names no heading: the note's code block that is never closed, when there is one
    (every heading after it is code, so the card's anchor is gone although the text is still there)."""
    for fence in iter_fences(topic.body):
        if not fence.closed and HEADING_LINE.search(fence.code):
            return (
                f"the code block opened at {topic.span.path}:{topic.body_line + fence.line} is never closed, "
                f"so the headings after it are code: close it with a line of {marker_of(topic.body, fence)}"
            )
    return None


HEADING_LINE = re.compile(r"^ {0,3}#{1,6}[ \t]", re.MULTILINE)
"""A line that would be a Markdown heading outside a code block."""


def check_notes(kb: KnowledgeBase, problems: Problems, memo: SyntaxCheck | None = None) -> None:
    words = words_for(kb.roadmap.language)
    heading = words.references[0].capitalize()
    for topic in kb.topics.values():
        span = Span(topic.span.path, topic.body_line, 1)
        check_text(topic.body, span, kb, problems, per_line=True, memo=memo)
        if not any(h.text.strip().lower() in words.references for h in topic.headings):
            problems.warning(
                Span(topic.span.path, topic.body_line, 1),
                "missing-references",
                f"note `{topic.id}` has no `## {heading}` section",
                "end the note with official docs",
            )


def check_examples(kb: KnowledgeBase, problems: Problems) -> None:
    for example in kb.examples.values():
        if example.runnable and not example.docstring.strip():
            problems.warning(
                example.span,
                "missing-docstring",
                f"example `{example.id}` has no module docstring",
                "say what it shows and what to look at",
            )
