"""The note sanitizer: real notes survive, hostile markup never does."""

from __future__ import annotations

import html
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addon.data.sanitize import sanitize_css, sanitize_html

HOSTILE = [
    ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
    ("<p onclick=\"alert(1)\" class='x'>hi</p>", '<p class="x">hi</p>'),
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href=" JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="https://docs.python.org/3/">docs</a>', '<a href="https://docs.python.org/3/">docs</a>'),
    ('<a href="#gil">x</a>', '<a href="#gil">x</a>'),
    ('<a href="file:///etc/passwd">x</a>', "<a>x</a>"),
    ('<img src="x.png" onerror="alert(1)">', '<img src="x.png">'),
    ('<img src="http://evil/x.png">', "<img>"),
    ('<img src="../../secret.png">', "<img>"),
    ("<iframe src='https://evil'><p>inside</p></iframe>after", "after"),
    ("<svg><script>alert(1)</script><circle/></svg>ok", "ok"),
    ('<div style="background:url(https://evil)">x</div>', "<div>x</div>"),
    ("<style>body{display:none}</style>text", "text"),
    ("<form action='https://evil'><input name=a></form>z", "z"),
    ("<p>unclosed <b>bold", "<p>unclosed <b>bold</b></p>"),
    ("</div></p>stray", "stray"),
    ("<custom-tag>kept text</custom-tag>", "kept text"),
    ("a &lt;b&gt; &amp; c", "a &lt;b&gt; &amp; c"),
    ("<!-- comment --><p>x</p>", "<p>x</p>"),
    ('<h2 id="por-que-existe">Por que?</h2>', '<h2 id="por-que-existe">Por que?</h2>'),
    ('<h2 id="x&quot; onload=&quot;y">t</h2>', "<h2>t</h2>"),
    ("<object data=x><embed src=y></object>rest", "rest"),
    ("<noscript><p>hidden</p></noscript>shown", "shown"),
    ("<td colspan='2x'>c</td>", "<td>c</td>"),
]


@pytest.mark.parametrize(("source", "expected"), HOSTILE)
def test_hostile_markup(source: str, expected: str) -> None:
    assert sanitize_html(source) == expected


def test_a_real_note_keeps_its_structure_anchors_and_code(built_deck: Path) -> None:
    with zipfile.ZipFile(built_deck) as zf:
        media = json.loads(zf.read("media"))
        notes = [zf.read(k).decode() for k, v in media.items() if "-note-" in v]
    assert notes
    for raw in notes:
        clean = sanitize_html(raw)
        assert re.findall(r'<h[1-6] id="([^"]+)"', clean) == re.findall(r'<h[1-6] id="([^"]+)"', raw)
        assert clean.count("<pre") == raw.count("<pre")
        assert _text(clean) == _text(raw)


def _text(markup: str) -> str:
    """The text a reader sees (entities decoded: `&quot;` and `"` read the same)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", markup))).strip()


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<script>",
                "</script>",
                "<img src=x onerror=alert(1)>",
                "<a href='javascript:x'>",
                "<p",
                ">",
                "<",
                '"',
                "'",
                "onload=",
                "<svg>",
                "<style>",
                "</p>",
                "<div class='a'>",
                "text",
                "&",
                "<iframe>",
                "</",
                "<!--",
                "-->",
                "<![CDATA[",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_no_script_or_handler_ever_survives(source: str) -> None:
    clean = sanitize_html(source).lower()
    assert "<script" not in clean and "<iframe" not in clean and "<svg" not in clean and "<style" not in clean
    tags = re.findall(r"<[^>]*>?", clean)  # what is left outside tags is escaped text
    assert not any("javascript:" in t or re.search(r"\son\w+=", t) for t in tags)


def test_css_cannot_close_its_style_element_or_load_anything() -> None:
    css = "a{color:red}</style><script>alert(1)</script>@import url(https://evil/x.css); b{background:url(x)}"
    clean = sanitize_css(css)
    assert "<" not in clean and "@import" not in clean and "url(" not in clean
    assert "color:red" in clean


@pytest.mark.parametrize(
    "css",
    [
        "b{background:\\75 rl(https://evil.example/x)}",
        "b{background:\\000075rl(https://evil.example/x)}",
        "@\\69mport 'https://evil.example/x.css';",
        "b{background:u\\rl(https://evil.example/x)}",
        "b{background-image:image-set('https://evil.example/x.png' 1x)}",
        "b{background-image:-webkit-image-set('https://evil.example/x.png' 1x)}",
        "@font-face{font-family:x;src:url(https://evil.example/f.woff)}",
        "b{background:URL( 'https://evil.example/x' )}",
        "b{background:url/**/(https://evil.example/x)}",
        "a{}\\3c/style><script>alert(1)</script>",
    ],
)
def test_css_escapes_and_other_fetching_functions_cannot_load_anything(css: str) -> None:
    """The note viewer's CSS filter could be bypassed with CSS escapes and image-set() (issue 19, 15)."""
    clean = sanitize_css(css).lower()
    assert "evil.example" not in clean
    assert "<" not in clean


def test_css_escapes_that_are_harmless_keep_their_meaning() -> None:
    assert sanitize_css('a::after { content: " \\2197"; }') == 'a::after { content: " ↗"; }'


def _parsed_directly(source: str) -> str:
    """What `sanitize_html` gave before the tail shortcut: the whole text through the parser."""
    from addon.data.sanitize import _Sanitizer

    parser = _Sanitizer()
    parser.feed(source)
    parser.close()
    return parser.result()


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet="<>ab &;/!-?\"'=\n", max_size=60),
    st.lists(st.sampled_from(["<a ", "<!--", "</", "<?", "x < y", "<b &amp; ", "<i", " "]), min_size=110, max_size=160),
)
def test_a_tail_of_unclosed_markup_is_the_text_the_parser_made_of_it(head: str, tail: list[str]) -> None:
    """Past the last `>`, more than `TAIL_LT_MAX` `<` are escaped up front: the page is unchanged."""
    source = head + ">" + "".join(tail)
    assert sanitize_html(source) == _parsed_directly(source)


def test_a_hostile_note_is_sanitized_in_bounded_time() -> None:
    """20,000 `<a ` after the last `>` took 20 s (quadratic); the note viewer's op holds the collection."""
    started = time.perf_counter()
    out = sanitize_html("<p>x</p>" + "<a " * 200_000)
    assert time.perf_counter() - started < 5 and out.startswith("<p>x</p>&lt;a &lt;a ")
