"""The bundle contract: what the build (the writer) and the Anki add-on (the reader) must agree on.

The add-on cannot import kbdeck, so this one module lives twice, byte for byte: here, where the
build imports it (src/kbdeck/model/contract.py: the model layer, since rendering names GUIDs and
packaging writes the rest), and as `addon/data/contract.py`, where the add-on imports it; packaging vendors
this file into the `.ankiaddon` and `tests/addon/test_contract.py` fails when the copies differ
(copy this file over the add-on's). Stdlib only, no relative import, nothing that is not contract:
the schema version, the media names, a note's identity (GUID) and its fields' digest, the JSON
encoding. A change here is a change to every released add-on's input: bump SCHEMA_VERSION.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

SCHEMA_VERSION = 1
"""The bundle's `schema`; an add-on refuses a bundle of another version."""

BUNDLE_NAME_RE = re.compile(r"^_kbdeck-(?P<kb>[A-Za-z0-9][A-Za-z0-9._-]{0,99})-bundle-(?P<hash>[0-9a-f]{8,64})\.json$")
NOTE_NAME_RE = re.compile(r"^_kbdeck-[A-Za-z0-9][A-Za-z0-9._-]{0,99}-note-[0-9a-f]{8,64}\.html$")
"""Media names: content-addressed (Anki never replaces a media file on import) and per knowledge base;
the leading underscore keeps Anki's Check Media from deleting them."""

GUID_NAMESPACE = "6f0d6a8e-5a3c-4f43-9d0e-6b8f3f9a1c27"
"""Part of every GUID's hash (a UUID's text; never change it: GUIDs are what keep review history)."""

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGIT_PAIRS = [_ALPHABET[i % 62] + _ALPHABET[i // 62] for i in range(62 * 62)]
_GUID_PREFIXES: dict[str, Any] = {}


def media_name(kb_id: str, kind: str, data: bytes, suffix: str) -> str:
    """`_kbdeck-<kb>-<kind>-<hash>.<suffix>` (kinds: bundle, note; images have their own names)."""
    return f"_kbdeck-{kb_id}-{kind}-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"


def note_guid(kb_id: str, card_id: str) -> str:
    """A note's GUID from identity only, never from content or position, so edits keep review history.

    14 base-62 digits of sha256(namespace:kb:card), least significant first (taken two at a time:
    same digits, half the big-integer divisions). The add-on refuses a bundle whose cards carry
    other GUIDs: it would claim notes that are not its knowledge base's.
    """
    prefix = _GUID_PREFIXES.get(kb_id)
    if prefix is None:
        prefix = _GUID_PREFIXES[kb_id] = hashlib.sha256(f"{GUID_NAMESPACE}:{kb_id}:".encode())
    hasher = prefix.copy()  # = sha256(f"{GUID_NAMESPACE}:{kb_id}:{card_id}")
    hasher.update(card_id.encode())
    n = int.from_bytes(hasher.digest()[:12], "big")
    # seven base-62 pairs (3844 = 62²), unrolled: no list, one string (a rebuild asks this of every note)
    n, a = divmod(n, 3844)
    n, b = divmod(n, 3844)
    n, c = divmod(n, 3844)
    n, d = divmod(n, 3844)
    n, e = divmod(n, 3844)
    n, f = divmod(n, 3844)
    g = n % 3844
    pairs = _DIGIT_PAIRS
    return f"kb{pairs[a]}{pairs[b]}{pairs[c]}{pairs[d]}{pairs[e]}{pairs[f]}{pairs[g]}"


def fields_digest(joined: str) -> str:
    """A short digest of a note's fields as Anki stores them (joined with U+001F, NFC-normalised, as Anki
    normalises on import): the add-on tells "Anki still has what this build gave it" from "edited in Anki"."""
    return hashlib.sha256(unicodedata.normalize("NFC", joined).encode()).hexdigest()[:16]


def canonical(data: dict[str, Any]) -> bytes:
    """The bundle's JSON: sorted keys, no spaces, UTF-8 (the same data gives the same bytes, and name)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
