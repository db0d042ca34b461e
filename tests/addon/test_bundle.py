"""Reading bundles: the real pipeline's bundle, the newest per knowledge base, and hostile files."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from addon_helpers import bundle_dict, bundle_name
from hypothesis import given, settings
from hypothesis import strategies as st

from addon.data.bundle import BundleError, latest_per_kb, parse_bundle
from addon.data.discovery import discover

ROOT = Path(__file__).resolve().parents[2]

ROADMAP = {"w1": {"d1": ["py/gil"]}}
CARDS = {"py/gil": ["gil-1", "gil-2"]}


def write(media: Path, data: dict[str, Any] | bytes, kb: str = "kb") -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    name = bundle_name(kb, raw)
    (media / name).write_bytes(raw)
    return name


def test_the_bundle_of_a_real_build_parses(built_deck: Path) -> None:
    with zipfile.ZipFile(built_deck) as zf:
        media = json.loads(zf.read("media"))
        (index, name), *_ = [(k, v) for k, v in media.items() if "-bundle-" in v]
        bundle = parse_bundle(zf.read(index), name)
    assert bundle.kb.id == "python-senior-kb"
    assert bundle.generation >= 1
    assert bundle.weeks and all(day.topics for week in bundle.weeks for day in week.days)
    for card_id, ref in bundle.cards.items():
        assert bundle.guids[ref.guid] == card_id
        assert card_id in bundle.topics[ref.topic].cards
    assert all(t.note for t in bundle.topics.values())


def test_discovery_keeps_the_highest_generation_per_knowledge_base(tmp_path: Path) -> None:
    write(tmp_path, bundle_dict(ROADMAP, CARDS, generation=3, title="old"))
    newest = write(tmp_path, bundle_dict(ROADMAP, CARDS, generation=7, title="new"))
    write(tmp_path, bundle_dict(ROADMAP, CARDS, generation=5, title="middle"))
    other = write(tmp_path, bundle_dict(ROADMAP, CARDS, kb="other", generation=1, title="Other"), kb="other")
    (tmp_path / "unrelated.json").write_text("{}")
    found = discover(tmp_path)
    assert [b.file_name for b in found.bundles] == [newest, other]
    assert found.problems == ()


def test_latest_per_kb_breaks_generation_ties_by_file_name() -> None:
    from addon_helpers import make_bundle

    a = make_bundle(ROADMAP, CARDS, generation=2, title="a")
    b = make_bundle(ROADMAP, CARDS, generation=2, title="b")
    assert latest_per_kb([a, b]) == latest_per_kb([b, a])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(schema_version=2), "schema_version"),
        (lambda d: d.pop("kb"), "bundle.kb"),
        (lambda d: d["kb"].update(id=""), "bundle.kb.id"),
        (lambda d: d["weeks"][0].update(days="monday"), "bundle.weeks[0].days"),
        (lambda d: d["weeks"][0]["days"][0].update(topics=[1, 2]), "topics[0]"),
        (lambda d: d["cards"]["gil-1"].update(guid=None), "guid"),
        (lambda d: d["kb"]["targets"].update(topics="many"), "targets.topics"),
        (lambda d: d["topics"]["py/gil"].update(cards="gil-1"), "expected a list"),
        (lambda d: d["build"].update(generation=True), "generation"),
    ],
)
def test_malformed_bundles_are_rejected_with_a_message_naming_the_path(mutate: Any, message: str) -> None:
    data = bundle_dict(ROADMAP, CARDS)
    mutate(data)
    raw = json.dumps(data).encode()
    with pytest.raises(BundleError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_bundle(raw, bundle_name("kb", raw))


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[1, 2]", b'{"schema_version": NaN}', b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000],
)
def test_garbage_is_a_bundle_error_never_a_crash(raw: bytes) -> None:
    with pytest.raises(BundleError):
        parse_bundle(raw, bundle_name("kb", raw))


def test_a_bundle_under_another_knowledge_bases_name_is_rejected() -> None:
    raw = json.dumps(bundle_dict(ROADMAP, CARDS, kb="kb")).encode()
    with pytest.raises(BundleError, match="file name"):
        parse_bundle(raw, bundle_name("someone-else", raw))


def test_hostile_values_are_kept_as_inert_text_and_unsafe_note_names_are_dropped() -> None:
    data = bundle_dict(ROADMAP, CARDS)
    data["kb"]["title"] = "<script>alert(1)</script>" + "x" * 10_000
    data["topics"]["py/gil"]["note"] = "../../../etc/passwd"
    raw = json.dumps(data).encode()
    bundle = parse_bundle(raw, bundle_name("kb", raw))
    assert bundle.kb.title.startswith("<script>")  # escaping is the renderer's job (tested there)
    assert len(bundle.kb.title) == 2000
    assert bundle.topics["py/gil"].note == ""


def test_discovery_reports_bad_files_and_still_returns_the_good_ones(tmp_path: Path) -> None:
    good = write(tmp_path, bundle_dict(ROADMAP, CARDS))
    write(tmp_path, b"{broken", kb="broken")
    write(tmp_path, {"schema_version": 1, "kb": []}, kb="wrongtype")
    found = discover(tmp_path)
    assert [b.file_name for b in found.bundles] == [good]
    assert len(found.problems) == 2
    assert all(p.startswith("_kbdeck-") for p in found.problems)


def test_discovery_of_a_missing_folder_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    found = discover(tmp_path / "nope")
    assert found.bundles == () and found.problems


def test_discovery_reuses_parsed_files_until_they_change(tmp_path: Path) -> None:
    name = write(tmp_path, bundle_dict(ROADMAP, CARDS))
    first = discover(tmp_path).bundles[0]
    assert discover(tmp_path).bundles[0] is first
    path = tmp_path / name
    data = json.loads(path.read_text())
    data["kb"]["title"] = "Changed"
    path.write_text(json.dumps(data))
    os.utime(path, ns=(1, 1))
    assert discover(tmp_path).bundles[0].kb.title == "Changed"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["kb", "weeks", "topics", "cards", "build", "mock_interviews"]), json_values))
def test_any_json_is_either_a_bundle_or_a_bundle_error(extra: dict[str, Any]) -> None:
    data = {**bundle_dict(ROADMAP, CARDS), **extra}
    raw = json.dumps(data).encode()
    with contextlib.suppress(BundleError):
        parse_bundle(raw, bundle_name("kb", raw))


def test_part_two_reads_heading_lines_areas_and_mock_sections(built_deck: Path) -> None:
    from addon.data.apkg import read_bundle

    bundle = read_bundle(built_deck)
    assert all(h.line > 0 for t in bundle.topics.values() for h in t.headings)
    assert {t.area for t in bundle.topics.values()} <= set(bundle.areas)
    assert {c.deck for c in bundle.cards.values()} <= set(bundle.areas.values())
    mock = bundle.mock_interviews[0]
    assert mock.minutes == sum(s.minutes for s in mock.sections) > 0
    assert any(s.problem and not s.cards for s in mock.sections)
    assert any(s.cards and (s.topics or s.areas) for s in mock.sections)
    assert bundle.day_of(bundle.weeks[0].days[0].topics[0]) == (bundle.weeks[0], bundle.weeks[0].days[0])


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"title": "x", "minutes": 5, "problem": 3}, "problem"),
        ({"title": "x", "minutes": 5, "cards": 4, "topics": "py/gil"}, "expected a list"),
        ({"title": "x", "minutes": "5"}, "minutes: expected an integer"),
    ],
)
def test_bad_mock_sections_are_rejected_with_their_path(section: dict[str, Any], message: str) -> None:
    data = bundle_dict(ROADMAP, CARDS)
    data["mock_interviews"] = [{"id": "m", "title": "M", "sections": [section]}]
    raw = json.dumps(data).encode()
    with pytest.raises(BundleError, match=message):
        parse_bundle(raw, bundle_name("kb", raw))


def test_the_contract_is_one_module_the_build_and_the_add_on_share_byte_for_byte(tmp_path: Path) -> None:
    """addon/data/contract.py is a copy of src/kbdeck/model/contract.py, and the .ankiaddon ships that file."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from package_addon import package

    built = (ROOT / "src/kbdeck/model/contract.py").read_bytes()
    assert (ROOT / "addon/data/contract.py").read_bytes() == built, (
        "copy src/kbdeck/model/contract.py over addon/data/contract.py (the add-on cannot import kbdeck)"
    )
    with zipfile.ZipFile(package(tmp_path / "kbdeck.ankiaddon")) as zf:
        assert zf.read("data/contract.py") == built


def test_the_contract_imports_nothing_but_the_stdlib() -> None:
    import ast

    tree = ast.parse((ROOT / "src/kbdeck/model/contract.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0 and (node.module or "").split(".")[0] in sys.stdlib_module_names | {"__future__"}
        elif isinstance(node, ast.Import):
            assert all(a.name.split(".")[0] in sys.stdlib_module_names for a in node.names)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=30), st.text(max_size=40))
def test_the_guid_is_the_documented_hash(kb_id: str, card_id: str) -> None:
    """The GUID is sha256(namespace:kb:card) in 14 base-62 digits, least significant first (cached prefix,
    two digits per division: still exactly that)."""
    import hashlib

    from addon.data.contract import GUID_NAMESPACE, note_guid

    n = int.from_bytes(hashlib.sha256(f"{GUID_NAMESPACE}:{kb_id}:{card_id}".encode()).digest()[:12], "big")
    digits = []
    for _ in range(14):
        n, r = divmod(n, 62)
        digits.append("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[r])
    assert note_guid(kb_id, card_id) == "kb" + "".join(digits)


def test_a_build_whose_ledger_was_lost_is_still_the_newest(tmp_path: Path) -> None:
    """A lost ledger starts the generation again at 1 while the bundle's time goes on: the add-on kept the
    older build's bundle (generation 23) as the newest, for its roadmap and for what Anki holds."""
    from addon_helpers import make_bundle

    from addon.data.discovery import bundles_of
    from addon.data.reconcile import previous_digests

    old = bundle_dict(ROADMAP, CARDS, generation=23, title="before")
    old["build"]["changed_at"] = 1_790_000_000
    old["cards"]["gil-1"]["fields"] = "aaaaaaaaaaaaaaaa"
    new = bundle_dict(ROADMAP, CARDS, generation=1, title="after")
    new["build"]["changed_at"] = 1_800_000_000
    new["cards"]["gil-1"]["fields"] = "bbbbbbbbbbbbbbbb"
    older, newer = write(tmp_path, old), write(tmp_path, new)
    assert [b.file_name for b in discover(tmp_path).bundles] == [newer]
    assert [b.file_name for b in bundles_of(tmp_path, "kb")] == [older, newer]
    incoming = make_bundle(ROADMAP, CARDS, generation=2, title="next")
    digests = previous_digests(bundles_of(tmp_path, "kb"), incoming)
    assert set(digests.values()) == {"bbbbbbbbbbbbbbbb"}  # what the newest import gave Anki
