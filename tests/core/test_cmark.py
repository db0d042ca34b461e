"""kbdeck's binding of cmark-gfm: the HTML of the `cmarkgfm` wrapper, byte for byte, without its leaks."""

from __future__ import annotations

import os
import subprocess
import sys

import cmarkgfm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kbtest import CONTENT, FIXTURES

from kbdeck.support import cmark


def reference(text: str) -> str:
    return str(cmarkgfm.markdown_to_html_with_extensions(text, cmark.OPTIONS, list(cmark.EXTENSIONS)))


def test_same_html_as_the_wrapper_on_every_markdown_file() -> None:
    files = [*CONTENT.rglob("*.md"), *CONTENT.rglob("*.yaml"), *FIXTURES.rglob("*.md")]
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert cmark.to_html(text) == reference(text), path


def test_the_c_api_is_bound_here_and_the_wrapper_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cmark._BOUND is not None  # Linux wheels export it: the leak-free path is the one in use
    text = (CONTENT / "python-internals" / "memory-management.md").read_text(encoding="utf-8")
    bound = cmark.to_html(text)
    monkeypatch.setattr(cmark, "_BOUND", None)
    assert cmark.to_html(text) == bound == reference(text)


def test_gfm_extensions_are_on() -> None:
    html = cmark.to_html("| a | b |\n|:-|-:|\n| 1 | 2 |\n\n~~x~~ www.example.com <script>x</script> <kbd>k</kbd>\n")
    assert '<th style="text-align: left">a</th>' in html
    assert "<del>x</del>" in html and '<a href="http://www.example.com">' in html
    assert "&lt;script>" in html and "<kbd>k</kbd>" in html  # tagfilter; other raw HTML kept


MARKDOWNISH = st.lists(
    st.sampled_from(
        [*"ab \n\t*_`#>-|:[]()!<&\\~", "**", "```", "\n\n", "- ", "1. ", "| x |", "|---|", "{{c1::", "}}", "é", "<b>"]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=MARKDOWNISH)
def test_same_html_as_the_wrapper_on_random_text(text: str) -> None:
    assert cmark.to_html(text) == reference(text)


def test_memory_stays_flat_over_many_calls() -> None:
    # in a fresh process: the wrapper leaks ~4.6 KB per call, that is ~90 MB over these 20,000
    script = """
import os
from kbdeck.support import cmark
text = "# Título\\n\\nUm parágrafo com `code`, **negrito**, [link](https://x.org).\\n\\n- a\\n- b\\n" * 6
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024 // 1024
for _ in range(2000):
    cmark.to_html(text)
before = rss()
for _ in range(20000):
    cmark.to_html(text)
print(rss() - before)
"""
    grown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=os.environ)
    assert int(grown.stdout) < 8, f"resident memory grew by {grown.stdout.strip()} MB over 20,000 renders"


@pytest.mark.parametrize("failure", ["no-library", "missing-symbol", "no-extension"])
def test_binding_fails_over_to_the_wrapper(monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    """Issue 22: `_bind()`'s failure path was never exercised; an ABI change must fall back, not crash."""
    import ctypes

    real = ctypes.CDLL

    class Partial:
        def __init__(self, path: str) -> None:
            self._lib = real(path)

        def __getattr__(self, name: str) -> object:
            if failure == "missing-symbol" and name == "cmark_render_html":
                raise AttributeError(name)
            return getattr(self._lib, name)

    if failure == "no-library":
        monkeypatch.setattr(ctypes, "CDLL", lambda path: (_ for _ in ()).throw(OSError("cannot load")))
    elif failure == "missing-symbol":
        monkeypatch.setattr(ctypes, "CDLL", Partial)
    else:
        monkeypatch.setattr(cmark, "EXTENSIONS", ("table", "no-such-extension"))
    assert cmark._bind() is None
