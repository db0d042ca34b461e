"""Note identity as the build computes it: GUIDs and field digests (stdlib only).

The add-on cannot import kbdeck, so these two functions restate `kbdeck.render.note_guid` and
`kbdeck.bundle.fields_digest`; tests compare them with the originals on random input. The GUID
check keeps an update inside its own knowledge base; the digest tells "Anki still has what the
previous build gave it" from "edited in Anki".
"""

from __future__ import annotations

import hashlib
import unicodedata

GUID_NAMESPACE = "6f0d6a8e-5a3c-4f43-9d0e-6b8f3f9a1c27"
"""The build's GUID namespace (`kbdeck.render.GUID_NAMESPACE`; a test keeps the two functions equal)."""
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def expected_guid(kb_id: str, card_id: str) -> str:
    """The GUID the build gives card `card_id` of knowledge base `kb_id` (`kbdeck.render.note_guid`).

    A bundle whose cards carry other GUIDs claims notes that are not its knowledge base's (another
    deck's, or anyone's): it is refused, so an update can only ever touch its own notes.
    """
    n = int.from_bytes(hashlib.sha256(f"{GUID_NAMESPACE}:{kb_id}:{card_id}".encode()).digest()[:12], "big")
    out = []
    for _ in range(14):
        n, r = divmod(n, 62)
        out.append(_ALPHABET[r])
    return "kb" + "".join(out)


def fields_digest(joined: str) -> str:
    """Digest of a note's joined fields, as the build computes it (`kbdeck.bundle.fields_digest`)."""
    return hashlib.sha256(unicodedata.normalize("NFC", joined).encode()).hexdigest()[:16]
