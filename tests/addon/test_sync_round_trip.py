"""Updates from builds, synced through Anki's own sync server (issues 16 and 20): a second profile (the
"phone") ends with the same kbdeck files as the first — one bundle, the current note pages, nothing
superseded left behind —, gets every edit and each card's note section, which reads well at 360 px with
AnkiDroid's page classes, and the reviews it made itself survive every update.

`python -m anki.syncserver` runs on 127.0.0.1 (a free port, a throwaway folder), started by the test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer
from anki.sync_pb2 import SyncAuth, SyncCollectionResponse
from card_pages import ANKIDROID, RenderedCard, page_html, problems, show
from chromium import Chromium
from kbtest import make_content

from addon.ops.update_op import run_update
from kbdeck.build import build

REVIEWS = "select id, cid, ease, ivl, lastIvl, factor, time, type from revlog order by id"
"""The review log without its sync bookkeeping (`usn` changes when a review is uploaded)."""
NOTE = "---\ntitle: Três vias\n---\n\n## Por que existe\n\nTexto {n}.\n"
CARDS = "".join(f"- id: sync-{i}\n  q: Pergunta {i}?\n  a: Resposta {i}.\n  see: por-que-existe\n\n" for i in range(4))


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "SYNC_USER1": "user:pass",
        "SYNC_BASE": str(tmp_path_factory.mktemp("syncserver")),
        "SYNC_HOST": "127.0.0.1",
        "SYNC_PORT": str(port),
    }
    server = subprocess.Popen([sys.executable, "-m", "anki.syncserver"], env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("anki.syncserver did not start")
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def sync(col: Collection, auth: SyncAuth) -> None:
    """What Anki's Sync button does: the collection (a full sync when one is required), then the media."""
    required = SyncCollectionResponse.ChangesRequired
    out = col.sync_collection(auth, False)
    if out.required in (required.FULL_UPLOAD, required.FULL_DOWNLOAD, required.FULL_SYNC):
        upload = out.required == required.FULL_UPLOAD or (out.required == required.FULL_SYNC and col.card_count() > 0)
        col.close_for_full_sync()
        col.full_upload_or_download(auth=auth, server_usn=out.server_media_usn, upload=upload)
        col.reopen(after_full_sync=True)
    col.sync_media(auth)
    deadline = time.monotonic() + 60
    while col.media_sync_status().active and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not col.media_sync_status().active, "media sync did not finish"


def kbdeck_media(col: Collection) -> list[str]:
    return sorted(n for n in os.listdir(col.media.dir()) if n.startswith("_kbdeck-"))


def test_ten_updates_synced_to_a_second_profile(tmp_path: Path, endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_content(tmp_path, {"flashcards/lang/tres.yaml": CARDS, "lang/tres.md": NOTE.format(n=0)})
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = Collection(str(tmp_path / "a" / "collection.anki2"))
    b = Collection(str(tmp_path / "b" / "collection.anki2"))
    try:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        first = build(content, tmp_path / "out")
        assert first.apkg is not None
        run_update(a, str(first.apkg))
        auth_a, auth_b = a.sync_login("user", "pass", endpoint), b.sync_login("user", "pass", endpoint)
        sync(a, auth_a)
        sync(b, auth_b)  # the empty "phone" downloads everything
        assert b.note_count() == a.note_count() > 0 and kbdeck_media(b) == kbdeck_media(a)
        # the phone studies: its review must survive every update made on the desktop
        b.decks.select(b.decks.id_for_name("Sample KB::01 Linguagem"))
        queued = b.sched.get_queued_cards()
        card = b.get_card(queued.cards[0].card.id)
        card.start_timer()
        b.sched.answer_card(b.sched.build_answer(card=card, states=queued.cards[0].states, rating=CardAnswer.GOOD))
        phone_review = b.db.all(REVIEWS)
        assert len(phone_review) == 1
        sync(b, auth_b)
        for cycle in range(1, 11):
            (content / "lang/tres.md").write_text(NOTE.format(n=cycle), encoding="utf-8")
            cards = content / "flashcards/lang/tres.yaml"
            cards.write_text(CARDS.replace("Resposta 0.", f"Resposta 0 (v{cycle})."), encoding="utf-8")
            monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1700000000 + 100 * cycle))
            result = build(content, tmp_path / "out")
            assert result.apkg is not None
            run_update(a, str(result.apkg))
            sync(a, auth_a)
        sync(b, auth_b)
        bundles = [n for n in kbdeck_media(a) if "-bundle-" in n]
        assert len(bundles) == 1
        assert kbdeck_media(b) == kbdeck_media(a)  # the superseded files left the phone too
        (nid,) = b.find_notes("Id:sync-0")
        assert "Resposta 0 (v10)." in b.get_note(nid).fields[2]  # the edits arrived
        assert "Texto 10." in b.get_note(nid)["Reserved1"]  # and the note section travelled with the card
        assert b.db.all(REVIEWS) == phone_review == a.db.all(REVIEWS)  # the phone's review, on both
        # the phone's copy, rendered by Anki itself, read at 360 px with AnkiDroid's classes, section opened
        card = b.get_card(b.find_cards("Id:sync-0")[0])
        rendered = RenderedCard("sync-0-1", 1, card.question(), card.answer())
        with Chromium() as browser:
            for theme in ("light", "dark"):
                page = page_html(ANKIDROID, theme, rendered, "answer")
                assert '<details class="kb-section">' in page and "Texto 10." in page
                opened = page.replace('<details class="kb-section">', '<details class="kb-section" open>')
                probe = show(browser, tmp_path / f"phone-{theme}.html", opened, ANKIDROID, 360)
                assert not problems(probe), problems(probe)
    finally:
        a.close()
        b.close()
