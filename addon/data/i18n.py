"""UI strings in English and Brazilian Portuguese, following Anki's interface language.

Two flat tables with the same keys (a test checks it) and `{name}` placeholders, kept as data in
`locale/en.json` and `locale/pt-BR.json` (a translator edits those, not code); no string of the UI
lives anywhere else. Numbers and percentages are formatted per language here too, so
renderers never hard-code a decimal separator. Stdlib-only: tests use it without Anki.
"""

from __future__ import annotations

import json
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def _table(name: str) -> dict[str, str]:
    """One language's strings from `locale/<name>.json` (data, shipped in the package beside this file)."""
    with open(LOCALE / f"{name}.json", encoding="utf-8") as f:
        data = json.load(f)
    return {str(k): str(v) for k, v in data.items()}


EN = _table("en")
PT_BR = _table("pt-BR")

TABLES = {"en": EN, "pt-BR": PT_BR}


def normalize(lang: str) -> str:
    """Anki's language code (e.g. "pt_BR", "pt-PT", "en_GB") → one of our tables."""
    return "pt-BR" if lang.replace("_", "-").lower().startswith("pt") else "en"


class Translator:
    """Looks strings up in one table (English as the fallback) and formats numbers for that language."""

    def __init__(self, lang: str) -> None:
        self.lang = normalize(lang)
        self._table = TABLES[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        """The string `key` filled with `values`; an int `n` picks the singular form and is formatted.

        A table may hold `key:one` beside `key` (the other plural form): it is used when `n` is
        "one" in this language's CLDR rules (English: 1; Portuguese: 0 and 1, as in Anki's own
        pt-BR strings). So `tr("cards_n", n=1)` reads "1 card" / "1 cartão" and `n=1234` reads
        "1,234 cards" / "1.234 cartões" — callers pass the count, never a pre-formatted number.
        """
        n = values.get("n")
        if isinstance(n, int) and not isinstance(n, bool):
            if self.plural_one(n):
                key = f"{key}:one" if f"{key}:one" in self._table or f"{key}:one" in EN else key
            values = {**values, "n": self.num(n)}
        text = self._table.get(key) or EN.get(key, key)
        return text.format(**values) if values else text

    def plural_one(self, n: int) -> bool:
        """True when `n` takes the singular ("one") form in this language."""
        return n in (0, 1) if self.lang == "pt-BR" else n == 1

    def num(self, n: float) -> str:
        """Grouped integer: 12,345 (en) / 12.345 (pt-BR)."""
        text = f"{round(n):,}"
        return text.replace(",", ".") if self.lang == "pt-BR" else text

    def pct(self, value: float | None, digits: int = 0) -> str:
        """A percentage like 42% or 87.5% (87,5% in pt-BR); an em dash when there is no value."""
        if value is None:
            return "—"
        text = f"{value:.{digits}f}%"
        return text.replace(".", ",") if self.lang == "pt-BR" else text


def anki_language() -> str:
    """Anki's current interface language ("en" when Anki is not loaded)."""
    try:
        from anki.lang import current_lang
    except ImportError:
        return "en"
    return str(current_lang or "en")


def translator(setting: str) -> Translator:
    """The translator for the `language` setting ("auto" follows Anki)."""
    return Translator(anki_language() if setting == "auto" else setting)
