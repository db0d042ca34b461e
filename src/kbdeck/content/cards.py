"""Load flashcard files: YAML lists of cards, and the study guide's `ID:/Q:/A:/Tags:` text format.

Only shape is checked here (keys, types, kinds, empty texts, cloze syntax); cross-references
(ids across files, `see:` anchors, includes) are the checker's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model.kb import Card, Kind
from ..model.problems import Problems, Span
from .clozes import parse_hide
from .schema import check_keys, describe, expect_mapping, str_list
from .yamlspan import ALIAS

CARD_KEYS = {
    "id": str,
    "kind": str,
    "q": str,
    "a": str,
    "cloze": str,
    "code": str,
    "include": str,
    "extra": str,
    "see": str,
    "tags": list,
    "reverse": bool,
    "hide": list,
}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.DOTALL)
MAX_CLOZE = 500
"""Highest cloze number accepted: every number is a card of its own in Anki."""
TEXT_KEYS = {"ID": "id", "Q": "q", "A": "a", "Extra": "extra", "See": "see", "Tags": "tags", "Cloze": "cloze"}
TEXT_LINE_RE = re.compile(r"^(ID|Q|A|Extra|See|Tags|Cloze):(?:[ \t]|$)(.*)$")


def load_yaml_cards(text: str, shown: str, topic: str, problems: Problems) -> list[Card]:
    """Cards of one YAML flashcard file."""
    from .yamlspan import parse_yaml  # PyYAML only when a file is parsed (not when it comes from the cache)

    root = parse_yaml(text, shown, problems)
    if root is None:
        return []
    if not isinstance(root.value, list):
        problems.error(
            root.span,
            "expected-list",
            f"a flashcard file must be a list of cards, got {describe(root.value)}",
            "start each card with `- id: ...`",
        )
        return []
    cards = []
    for order, item in enumerate(root.value):
        mapping = expect_mapping(item, "a card", item.span, problems)
        if mapping is None:
            continue
        values = check_keys(mapping, CARD_KEYS, "a card", problems)
        tags = tuple(t for t, _ in str_list(mapping, "tags", "a card", problems))
        hides = str_list(mapping, "hide", "a card", problems)
        spans = tuple((k, v.span) for k, v in mapping.items())
        spans += tuple((f"hide:{i}", at) for i, (_, at) in enumerate(hides))  # each entry's own place
        aliased = frozenset(k for k, n in mapping.items() if n.raw == ALIAS)  # reported: nothing more to say
        card = _make_card(values, tags, spans, item.span, topic, order, problems, tuple(h for h, _ in hides), aliased)
        if card is not None:
            cards.append(card)
    return cards


@dataclass
class TextBlock:
    """A card of the text format while it is being parsed."""

    start: int
    values: dict[str, list[str]]
    spans: dict[str, Span]


def parse_text_blocks(text: str, shown: str, problems: Problems) -> list[TextBlock]:
    """Split the text format into blocks; a block starts at `ID:` or at a `Q:` after a complete card."""
    blocks: list[TextBlock] = []
    current: TextBlock | None = None
    last_key: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        m = TEXT_LINE_RE.match(line)
        if m:
            key = TEXT_KEYS[m.group(1)]
            starts_new = current is None or key == "id" or (key == "q" and ("q" in current.values))
            if starts_new:
                current = TextBlock(number, {}, {})
                blocks.append(current)
            assert current is not None
            if key in current.values:
                problems.error(
                    Span(shown, number, 1),
                    "duplicate-key",
                    f"`{m.group(1)}:` appears twice in one card",
                    "keep one; a new card starts at its own `ID:` line",
                )
            current.values[key] = [m.group(2)]
            current.spans[key] = Span(shown, number, len(m.group(1)) + 2)
            last_key = key
        elif line[:1] in (" ", "\t") and current is not None and last_key is not None:
            current.values[last_key].append(line)
        elif line.strip() == "" and current is not None and last_key is not None:
            current.values[last_key].append("")
        elif line.startswith("#") or line.strip() == "":
            last_key = None if line.startswith("#") else last_key
        else:
            problems.error(
                Span(shown, number, 1),
                "text-format",
                f"unexpected line `{line[:40]}` in a flashcard text file",
                "start lines with ID:, Q:, A:, Extra:, See: or Tags:, indent continuation lines",
            )
            last_key = None
    return blocks


def _join(lines: list[str]) -> str:
    first, rest = lines[0], lines[1:]
    while rest and not rest[-1].strip():
        rest.pop()
    indents = [len(x) - len(x.lstrip()) for x in rest if x.strip()]
    cut = min(indents) if indents else 0
    return "\n".join([first.strip(), *(x[cut:] for x in rest)]).strip()


def load_text_cards(text: str, shown: str, topic: str, problems: Problems) -> list[Card]:
    """Cards of one text-format (`.md`) flashcard file."""
    cards = []
    for order, block in enumerate(parse_text_blocks(text, shown, problems)):
        values: dict[str, object] = {k: _join(v) for k, v in block.values.items() if k != "tags"}
        tags: tuple[str, ...] = ()
        if "tags" in block.values:
            tags = tuple(t.strip() for t in _join(block.values["tags"]).split(",") if t.strip())
        spans = tuple(block.spans.items())
        card = _make_card(values, tags, spans, Span(shown, block.start, 1), topic, order, problems)
        if card is not None:
            cards.append(card)
    return cards


def _make_card(
    v: dict[str, object],
    tags: tuple[str, ...],
    spans: tuple[tuple[str, Span], ...],
    span: Span,
    topic: str,
    order: int,
    problems: Problems,
    hides: tuple[str, ...] = (),
    aliased: frozenset[str] = frozenset(),
) -> Card | None:
    at = dict(spans)
    card_id = str(v.get("id", "")).strip()
    if not card_id:
        problems.error(
            span,
            "missing-id",
            "card has no `id`",
            "run `kbdeck ids` to assign one; ids keep review history across edits",
        )
    elif not ID_RE.match(card_id):
        problems.error(
            at.get("id", span),
            "bad-id",
            f"card id `{card_id}` must be lowercase ascii letters, digits and -",
            f"e.g. `{re.sub(r'[^a-z0-9]+', '-', card_id.lower()).strip('-') or 'topic-question'}`",
        )
    kind = _kind(v, at, span, problems)
    if kind is None:
        return None
    text = {k: str(v.get(k, "")) for k in ("q", "a", "cloze", "code", "include", "extra", "see")}
    label = f"card `{card_id}`" if card_id else "card"
    if kind is Kind.BASIC:
        for key, name in (("q", "question"), ("a", "answer")):
            if not text[key].strip() and key not in aliased:
                problems.error(at.get(key, span), f"empty-{name}", f"{label} has an empty {name}", f"write `{key}:`")
    elif kind is Kind.CLOZE:
        wrong_hide = "hide" in at and "hide" not in v  # reported as wrong-type: it may hold the deletions
        if "cloze" not in aliased:
            check_cloze(text["cloze"], at.get("cloze", span), label, problems, hides=bool(hides) or wrong_hide)
        _check_hides(hides, at, label, problems)
    else:
        if bool(text["code"].strip()) == bool(text["include"].strip()):
            problems.error(
                at.get("code", at.get("include", span)),
                "output-source",
                f"output {label} needs exactly one of `code` or `include`",
                "keep `code:` (the snippet) or `include: examples/<group>/<name>.py#region`, not both",
            )
        if text["a"].strip():
            problems.error(
                at["a"],
                "output-answer",
                f"output {label} must not have `a`: its answer is the real output",
                "remove `a:`; the build runs the code and shows what it prints",
            )
    if kind is not Kind.CLOZE and text["cloze"]:
        problems.error(
            at["cloze"],
            "cloze-kind",
            f"{label} mixes `cloze` with another kind",
            "a card is one kind: `cloze:` (with `extra:`), or `q:`/`a:`, or `code:`",
        )
    if kind is not Kind.CLOZE and "hide" in v:
        problems.error(
            at["hide"],
            "hide-kind",
            f"{label}: `hide` applies to cloze cards only",
            "write the card's text under `cloze:`, with the `@include` of the code to hide parts of",
        )
        hides = ()
    reverse = v.get("reverse") is True
    if reverse and kind is not Kind.BASIC:
        problems.error(
            at["reverse"],
            "reverse-kind",
            f"{label}: `reverse` applies to basic cards (q/a) only",
            "remove `reverse:`, or write the card as `q:` and `a:`",
        )
        reverse = False
    return Card(
        id=card_id,
        topic=topic,
        kind=kind,
        span=span,
        q=text["q"],
        a=text["a"],
        cloze=text["cloze"],
        code=text["code"],
        include=text["include"].strip(),
        extra=text["extra"],
        see=text["see"].strip(),
        tags=tags,
        field_spans=tuple(x for k, at_k in spans for x in (k, at_k.line, at_k.col)),
        order=order,
        reverse=reverse,
        hide=hides,
    )


def _check_hides(hides: tuple[str, ...], at: dict[str, Span], label: str, problems: Problems) -> None:
    """Each `hide:` entry is a deletion without its braces (`c1::text`); whether the code has the text is
    the checker's job (it has the examples)."""
    for i, entry in enumerate(hides):
        why = parse_hide(entry)
        if isinstance(why, str) or why.number > MAX_CLOZE:
            problems.error(
                at[f"hide:{i}"],
                "bad-hide",
                f"{label}: `hide` entry `{entry[:40]}` is not a deletion",
                why if isinstance(why, str) else f"cloze numbers go up to c{MAX_CLOZE}",
            )


def _kind(v: dict[str, object], at: dict[str, Span], span: Span, problems: Problems) -> Kind | None:
    if "kind" in v:
        try:
            return Kind(str(v["kind"]))
        except ValueError:
            problems.error(
                at.get("kind", span), "bad-kind", f"unknown card kind `{v['kind']}`", "use basic, cloze or output"
            )
            return None
    if "cloze" in v:
        return Kind.CLOZE
    if "code" in v or "include" in v:
        return Kind.OUTPUT
    return Kind.BASIC


def check_cloze(text: str, span: Span, label: str, problems: Problems, hides: bool = False) -> None:
    """At least one well-formed `{{cN::...}}` (none needed with `hides`, entries of `hide:`), balanced
    braces, numbers from 1."""
    if not text.strip():
        problems.error(
            span, "empty-cloze", f"{label} has an empty `cloze`", "write its text, with a `{{c1::...}}` deletion"
        )
        return
    end = text.rfind("}}") + 2  # no deletion ends later: the search from each `{{c` never goes past it
    found = CLOZE_RE.findall(text, 0, end)
    stripped = CLOZE_RE.sub("", text[:end]) + text[end:]
    bad = re.search(r"\{\{\s*c\d*\s*:?[^{}]*|\{\{c\d+::", stripped)
    if bad or stripped.count("{{c") or not (found or hides):
        where = bad.group(0)[:30] if bad else text[:30]
        problems.error(
            span,
            "malformed-cloze",
            f"{label} has a malformed cloze near `{where}`"
            if bad or stripped.count("{{c")
            else f"{label} has no `{{{{c1::...}}}}` deletion",
            "write deletions as {{c1::text}} or {{c1::text::hint}}",
        )
        return
    if any(len(n) > 3 or int(n) > MAX_CLOZE for n, _ in found):
        problems.error(
            span,
            "malformed-cloze",
            f"{label} uses a cloze number above c{MAX_CLOZE}",
            "number deletions c1, c2, … (each number is one card in Anki)",
        )
        return
    if any(int(n) == 0 for n, _ in found):
        problems.error(
            span, "malformed-cloze", f"{label} uses c0; cloze numbers start at c1", "renumber from `{{c1::...}}`"
        )
    if any(not body.split("::")[0].strip() for _, body in found):
        problems.error(span, "malformed-cloze", f"{label} has an empty deletion", "put the hidden text after `::`")
