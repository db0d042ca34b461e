"""GitHub-Flavored Markdown → HTML, through cmark-gfm's C library, with nothing leaked.

The library comes compiled inside the `cmarkgfm` wheel, whose Python wrapper never frees the
document tree nor the HTML of a call (about 4.6 KB per text: 280 MB for a 30,000-card cold build).
This module calls the same library's C API directly (ctypes), in the order cmark-gfm documents,
and frees both. The output is the wrapper's, byte for byte (`tests/core/test_cmark.py`). Where the
extension does not export the C API (possible on Windows), the wrapper itself renders.
"""

from __future__ import annotations

import ctypes
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_int, c_size_t, c_void_p
from typing import Any

import cmarkgfm  # type: ignore[import-untyped]
from cmarkgfm import _cmark

OPTIONS = _cmark.lib.CMARK_OPT_UNSAFE | _cmark.lib.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
"""Raw HTML kept; column alignment as `style="text-align: …"` (no deprecated `align=`)."""
SOURCEPOS = _cmark.lib.CMARK_OPT_SOURCEPOS
"""Each block's lines and columns in the source, as `data-sourcepos="l:c-l:c"`: where the headings are."""
EXTENSIONS = ("table", "strikethrough", "autolink", "tagfilter")


class _Mem(ctypes.Structure):
    """cmark's allocator (`cmark_mem`): what it allocated must go back through its `free`."""

    _fields_ = [
        ("calloc", CFUNCTYPE(c_void_p, c_size_t, c_size_t)),
        ("realloc", CFUNCTYPE(c_void_p, c_void_p, c_size_t)),
        ("free", CFUNCTYPE(None, c_void_p)),
    ]


def _bind() -> tuple[ctypes.CDLL, list[int], Any] | None:
    """The library's C API through ctypes, or None where the extension does not export it (a
    Windows build may not): then the `cmarkgfm` wrapper renders, the same HTML, leaks included."""
    try:
        lib = ctypes.CDLL(_cmark.__file__)
        for name, restype, argtypes in _SIGNATURES:
            function = getattr(lib, name)
            function.restype = restype
            function.argtypes = argtypes
    except (OSError, AttributeError):
        return None
    lib.cmark_gfm_core_extensions_ensure_registered()
    extensions = [lib.cmark_find_syntax_extension(name.encode()) for name in EXTENSIONS]
    if not all(extensions):
        return None
    return lib, extensions, lib.cmark_get_default_mem_allocator().contents.free


_SIGNATURES: list[tuple[str, Any, list[Any]]] = [
    ("cmark_gfm_core_extensions_ensure_registered", None, []),
    ("cmark_find_syntax_extension", c_void_p, [c_char_p]),
    ("cmark_parser_new", c_void_p, [c_int]),
    ("cmark_parser_attach_syntax_extension", c_int, [c_void_p, c_void_p]),
    ("cmark_parser_feed", None, [c_void_p, c_char_p, c_size_t]),
    ("cmark_parser_finish", c_void_p, [c_void_p]),
    ("cmark_parser_get_syntax_extensions", c_void_p, [c_void_p]),
    ("cmark_render_html", c_void_p, [c_void_p, c_int, c_void_p]),
    ("cmark_node_free", None, [c_void_p]),
    ("cmark_parser_free", None, [c_void_p]),
    ("cmark_get_default_mem_allocator", POINTER(_Mem), []),
]
_BOUND = _bind()


def version() -> str:
    """The library's version and the settings used: what shapes the HTML."""
    library = _cmark.ffi.string(_cmark.lib.cmark_version_string()).decode()
    return f"cmark-gfm {library} {OPTIONS} {','.join(EXTENSIONS)}"


def to_html(text: str, options: int = OPTIONS) -> str:
    """GitHub-Flavored Markdown → HTML (as `cmarkgfm.markdown_to_html_with_extensions`)."""
    if _BOUND is None:
        return str(cmarkgfm.markdown_to_html_with_extensions(text, options, list(EXTENSIONS)))
    _lib, extensions, _free = _BOUND
    data = text.encode("utf-8")
    parser = _lib.cmark_parser_new(options)
    try:
        for extension in extensions:
            _lib.cmark_parser_attach_syntax_extension(parser, extension)
        _lib.cmark_parser_feed(parser, data, len(data))
        root = _lib.cmark_parser_finish(parser)
        try:
            raw = _lib.cmark_render_html(root, options, _lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return ctypes.string_at(raw).decode("utf-8")
            finally:
                _free(raw)
        finally:
            _lib.cmark_node_free(root)
    finally:
        _lib.cmark_parser_free(parser)
