"""Stage 4, **package**: rendered notes to an Anki `.apkg` (collection, media, bundle, CSS, ledger of stamps).

Imports: render, content, model, support. Never `anki` itself: the collection is written directly.
"""
