"""kbdeck: compile a study knowledge base (Markdown notes, YAML cards, runnable examples) into Anki decks.

The package is the pure core shared by the CLI and the Anki add-on's expectations: it must never
import `anki` or `aqt`, so it runs anywhere (CI, editors, `kbdeck watch`) without Anki installed.
"""

__version__ = "0.1.0"
