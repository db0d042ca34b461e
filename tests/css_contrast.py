"""WCAG contrast and a tiny reader for the flat CSS that `kbdeck.apkg.theme.card_css()` ships.

The reader only understands what the theme writes (no nesting, no @media): a list of
`selectors { declarations }` rules. Enough to answer "which colour does this exact selector get".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AA = 4.5


def parse_colour(value: str) -> tuple[float, float, float, float]:
    """`#rgb`, `#rrggbb`, `rgb(r, g, b)` or `rgba(r, g, b, a)` → (r, g, b, alpha) with r, g, b in 0–255."""
    value = value.strip()
    if value.startswith("#"):
        h = value[1:]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), 1.0)
    m = re.fullmatch(r"rgba?\(([^)]*)\)", value)
    if not m:
        raise ValueError(f"not a colour: {value!r}")
    parts = [float(p) for p in re.split(r"[,\s/]+", m.group(1).strip()) if p]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0)


def _luminance(rgb: tuple[float, float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])


def contrast(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio between two opaque colours."""
    a, b = sorted((_luminance(parse_colour(fg)), _luminance(parse_colour(bg))), reverse=True)
    return (a + 0.05) / (b + 0.05)


@dataclass(frozen=True)
class Rule:
    """One CSS rule."""

    selectors: tuple[str, ...]
    """Comma-separated selectors, whitespace normalised."""
    declarations: dict[str, str]
    """Property → value."""


def parse_css(css: str) -> list[Rule]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = []
    for m in re.finditer(r"([^{}]+)\{([^{}]*)\}", css):
        selectors = tuple(" ".join(s.split()) for s in m.group(1).split(","))
        decls = {}
        for decl in m.group(2).split(";"):
            if ":" in decl:
                prop, _, value = decl.partition(":")
                decls[prop.strip()] = value.strip()
        rules.append(Rule(selectors, decls))
    return rules


def declared(rules: list[Rule], selector: str, prop: str) -> str | None:
    """The last value of `prop` in a rule that lists exactly `selector` (cascade order for equal selectors)."""
    found = None
    for rule in rules:
        if selector in rule.selectors:
            for name in (prop, "background") if prop == "background-color" else (prop,):
                if name in rule.declarations:
                    found = rule.declarations[name]
    return found
