"""Import built packages into a real `anki.collection.Collection` (PyPI `anki`), as a user would."""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest


def new_collection(tmp_path: Path, name: str = "collection.anki2") -> Collection:
    return Collection(str(tmp_path / name))


def import_apkg(col: Collection, apkg: Path, **options: object) -> object:
    """Import with Anki's defaults (update if newer), like the File → Import dialog; return the log."""
    request = ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions(**options))
    result = col.import_anki_package(request)
    col.models._clear_cache()  # headless: Anki's UI would do this after the op
    return result.log
