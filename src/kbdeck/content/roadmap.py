"""Load `content/roadmap.yaml`: the plan (weeks → days → topics), targets and mock interviews."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model.kb import Area, Day, MockInterview, MockSection, Roadmap, Targets, Week
from ..model.problems import Problems, Span
from .schema import check_keys, expect_mapping, str_list

if TYPE_CHECKING:
    from .yamlspan import Located

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KB_ID_MAX = 100
"""The add-on finds a knowledge base's files by names that hold its id (`_kbdeck-<id>-…`, at most 100)."""
PYTHON_RE = re.compile(r"^3\.\d{1,2}$")

ROOT_KEYS = {
    "id": str,
    "title": str,
    "deck": str,
    "language": str,
    "source_url": str,
    "python": str,
    "subdecks": str,
    "targets": dict,
    "areas": list,
    "weeks": list,
    "mock_interviews": list,
}
TARGET_KEYS = {"topics": int, "flashcards": int, "examples": int, "mock_interviews": int}
AREA_KEYS = {"id": str, "deck": str}
WEEK_KEYS = {"id": str, "title": str, "days": list}
DAY_KEYS = {"id": str, "title": str, "flashcards": int, "topics": list, "date": str}
MOCK_KEYS = {"id": str, "title": str, "when": str, "sections": list}
SECTION_KEYS = {"title": str, "minutes": int, "cards": int, "topics": list, "areas": list, "problem": str}


def load_roadmap(text: str, path: str, problems: Problems) -> Roadmap | None:
    """Parse and validate the roadmap; None when it is unusable (problems say why)."""
    start = Span(path)
    from .yamlspan import parse_yaml  # PyYAML only when a file is parsed (not when it comes from the cache)

    before = len(problems.items)
    parsed = parse_yaml(text, path, problems)
    if parsed is None and len(problems.items) > before:
        return None  # invalid YAML, reported: not also "roadmap.yaml must be a mapping, got nothing"
    root = expect_mapping(parsed, "roadmap.yaml", start, problems)
    if root is None:
        return None
    top = check_keys(root, ROOT_KEYS, "roadmap.yaml", problems, ("id", "title", "deck"), start)
    kb_id = top.get("id", "")
    if "id" in top and not kb_id:
        problems.error(
            root["id"].span, "bad-id", "the knowledge base id is empty", "give it a short lowercase id: `id: my-kb`"
        )
    if kb_id and (not ID_RE.match(kb_id) or len(kb_id) > KB_ID_MAX):
        problems.error(
            root["id"].span,
            "bad-id",
            f"knowledge base id `{kb_id[:80]}` must be lowercase ascii, digits and -, at most {KB_ID_MAX} characters",
            "for example `id: my-kb`; it is part of every note's identity, so choose it once",
        )
    if "deck" in top and ("::" in top["deck"] or not top["deck"].strip()):
        problems.error(
            root["deck"].span,
            "bad-deck",
            f"root deck `{top['deck']}` must be a non-empty name without `::`",
            "name one deck, `deck: My KB`: each area becomes a subdeck of it by itself",
        )
    source_url = top.get("source_url", "") or ""
    if source_url and not re.match(r"^https?://[^\s\x00-\x1f\"'<>`\\]+$", source_url):
        problems.error(
            root["source_url"].span,
            "bad-source-url",
            f"`source_url` must be an http(s) address, got `{source_url[:80]}`",
            "e.g. https://github.com/<you>/<repo>/blob/main/content/ (cards link to it on phones)",
        )
        source_url = ""
    if source_url and not source_url.endswith("/") and not any(c in source_url for c in "?#="):
        source_url += "/"  # the folder's address: without its `/`, every link read `…/contentbasics/x.md`
    python = _python(root.get("python"), problems)
    subdecks = top.get("subdecks", "area")
    if subdecks not in ("area", "topic"):
        problems.error(
            root["subdecks"].span,
            "bad-subdecks",
            f"`subdecks` must be `area` or `topic`, got `{subdecks}`",
            "area: one subdeck per area (the default); topic: a subdeck per topic inside its area's",
        )
        subdecks = "area"
    targets = Targets()
    if "targets" in root and isinstance(root["targets"].value, dict):
        targets = Targets(**check_keys(root["targets"].value, TARGET_KEYS, "targets", problems))
    return Roadmap(
        id=kb_id or "kb",
        title=top.get("title", ""),
        deck=top.get("deck", "Knowledge Base"),
        span=start,
        language=top.get("language", "en"),
        source_url=source_url,
        python=python,
        subdecks=subdecks,
        id_span=root["id"].span if "id" in root else None,
        targets=targets,
        areas=tuple(_areas(root.get("areas"), problems)),
        weeks=tuple(_weeks(root.get("weeks"), problems)),
        mock_interviews=tuple(_mocks(root.get("mock_interviews"), problems)),
    )


def _python(node: Located | None, problems: Problems) -> str:
    """The declared Python minor version, as text. An unquoted `3.10` is the float 3.1 to YAML, so
    only a quoted string is accepted."""
    if node is None:
        return ""
    if isinstance(node.value, str) and PYTHON_RE.match(node.value):
        return node.value
    shown = node.value if isinstance(node.value, str) else repr(node.value)
    problems.error(
        node.span,
        "bad-python",
        f'`python` must be a quoted Python minor version such as "3.11", got {shown}',
        'write it in quotes (`python: "3.11"`): unquoted, YAML reads 3.10 as the number 3.1',
    )
    return ""


def _items(node: Located | None, what: str, problems: Problems) -> list[tuple[dict[str, Located], Span]]:
    if node is None or not isinstance(node.value, list):
        return []
    out = []
    for item in node.value:
        mapping = expect_mapping(item, what, item.span, problems)
        if mapping is not None:
            out.append((mapping, item.span))
    return out


def _areas(node: Located | None, problems: Problems) -> list[Area]:
    out = []
    for mapping, span in _items(node, "an area", problems):
        v = check_keys(mapping, AREA_KEYS, "an area", problems, ("id", "deck"), span)
        if "id" in v and "deck" in v:
            out.append(Area(v["id"], v["deck"], span))
    return out


def _weeks(node: Located | None, problems: Problems) -> list[Week]:
    out = []
    for mapping, span in _items(node, "a week", problems):
        v = check_keys(mapping, WEEK_KEYS, "a week", problems, ("id", "title", "days"), span)
        days = []
        for dmap, dspan in _items(mapping.get("days"), "a day", problems):
            d = check_keys(dmap, DAY_KEYS, "a day", problems, ("id", "title", "topics"), dspan)
            topics = str_list(dmap, "topics", "a day", problems)
            days.append(
                Day(
                    id=d.get("id", ""),
                    title=d.get("title", ""),
                    week=v.get("id", ""),
                    flashcards=d.get("flashcards", 0),
                    topics=tuple(t for t, _ in topics),
                    span=dspan,
                    topic_spans=tuple(s for _, s in topics),
                    date=str(d.get("date", "")),
                )
            )
        out.append(Week(v.get("id", ""), v.get("title", ""), tuple(days), span))
    return out


def _mocks(node: Located | None, problems: Problems) -> list[MockInterview]:
    out = []
    for mapping, span in _items(node, "a mock interview", problems):
        v = check_keys(mapping, MOCK_KEYS, "a mock interview", problems, ("id", "title", "sections"), span)
        sections = []
        for smap, sspan in _items(mapping.get("sections"), "a mock section", problems):
            s = check_keys(smap, SECTION_KEYS, "a mock section", problems, ("title", "minutes"), sspan)
            section = MockSection(
                title=s.get("title", ""),
                minutes=s.get("minutes", 0),
                span=sspan,
                cards=s.get("cards", 0),
                topics=tuple(t for t, _ in str_list(smap, "topics", "a mock section", problems)),
                areas=tuple(a for a, _ in str_list(smap, "areas", "a mock section", problems)),
                problem=s.get("problem", ""),
            )
            if not section.problem and not section.cards:
                problems.error(
                    sspan,
                    "empty-section",
                    f"mock section `{section.title}` has neither `cards` nor `problem`",
                    "give it `cards: N` with `topics`/`areas`, or `problem: <topic id>`",
                )
            sections.append(section)
        out.append(MockInterview(v.get("id", ""), v.get("title", ""), tuple(sections), span, v.get("when", "")))
    return out
