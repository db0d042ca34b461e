"""YAML with source positions: every mapping, list and scalar remembers where it was written.

PyYAML's `safe_load` throws positions away; messages like `cards.yaml:12:5: unknown key` need
them, so we compose the node graph and convert it ourselves. Duplicate keys, which `safe_load`
silently lets the last one win, are reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from ..model.problems import Problems, Span
from .chars import BAD_CHARS, report_value

ALIAS = "*alias"
"""`Located.raw` of an alias: reported where it is written, and skipped by whatever reads the value (an
"empty value" or "must be text" error there would only repeat it)."""


@dataclass(frozen=True)
class Located:
    """A YAML value with the span of its first character."""

    value: Any
    """A str/int/float/bool/None, a `dict[str, Located]` or a `list[Located]`."""
    span: Span
    """Where the value starts."""
    key_span: Span | None = None
    """For a mapping entry: where its key starts (the better place to point at)."""
    raw: str | None = None
    """For a scalar that YAML resolved to something other than text (`0o17` → 15, `no` → False,
    `1e3` → 1000.0): the text as written, which is what a field that expects text takes."""

    def plain(self) -> Any:
        """The value with all positions stripped."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


def _span(path: str, mark: yaml.Mark, line_offset: int) -> Span:
    return Span(path, mark.line + 1 + line_offset, mark.column + 1)


_FAST_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)
_LENIENT_CHARS = ("\t", "\x85", "\u2028", "\u2029", "\ufeff")
_BLOCK_HEADER_CHARS = frozenset("-+0123456789")


def _lenient_in_libyaml(text: str) -> bool:
    """Whether `text` holds what libyaml accepts where PyYAML refuses: a tab, a Unicode line break or a
    BOM, or a block scalar header running into a comment (`|#`, `>-2#`: the regex
    `[|>][-+0-9]*#`). Found with `in` and a walk back from each `#`: the regex scan cost a 30,000-card
    cold build 0.4 s, as much as libyaml's parse of those files (tests/core/test_build_cache.py)."""
    if any(c in text for c in _LENIENT_CHARS):
        return True
    at = text.find("#")
    while at >= 0:
        before = at - 1
        while before >= 0 and text[before] in _BLOCK_HEADER_CHARS:
            before -= 1
        if before >= 0 and text[before] in "|>":
            return True
        at = text.find("#", at + 1)
    return False


_PLAIN_TAGS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}


class _UnlikePyYAML(Exception):
    """libyaml composed a node the pure-Python parser would compose otherwise: an empty plain scalar
    (other positions), an explicit or unresolved tag (other values), or a key that is not a scalar."""


def _compose(text: str, fast: bool) -> yaml.Node | None:
    """The node graph, composed by libyaml when `fast` (an order of magnitude faster).

    The pure-Python parser stays the reference: it decides what is an error and words it (the
    messages and positions users see, and the golden tests, come from it), and it composes again
    whatever libyaml refuses or where the two are known to differ (`_convert` finds those as it goes,
    `_UnlikePyYAML`: a separate walk over every node cost as much as the conversion).
    """
    if fast and _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except Exception:  # any refusal, even a non-YAML one (surrogates), is the pure parser's to judge
            pass
    return yaml.compose(text, Loader=_AliasMarkingLoader)


class _AliasNode(yaml.ScalarNode):
    """An alias (`*name`) where it is written: PyYAML's composer puts the anchored node itself there, whose
    position is the anchor's, so the error pointed at the `&name` instead of the `*name`."""


class _AliasMarkingLoader(yaml.SafeLoader):
    """The pure-Python composer, but for aliases, each composed as an `_AliasNode` at its own place."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            if event.anchor in self.anchors:  # else: PyYAML's own error (an undefined alias)
                self.get_event()  # type: ignore[no-untyped-call]
                return _AliasNode("!kbdeck-alias", str(event.anchor), event.start_mark, event.end_mark)
        return super().compose_node(parent, index)


SYNTAX_HINT = (
    "check indentation and quoting; a value containing ': ' or starting with a special "
    "character ({, [, *, &, !, |, >, ', \", %, @, `) must be quoted or written as a block (|)"
)
TAB_HINT = "indent with spaces: YAML does not allow a tab there (editors can turn tabs into spaces for .yaml files)"


def _where(err: yaml.MarkedYAMLError, path: str, line_offset: int) -> tuple[Span, str]:
    """Where a syntax error is reported, and its words. PyYAML marks the place it gave up (`problem_mark`)
    and, for some errors, where the construct it was reading began (`context_mark`). When they are on
    different lines, the message names the beginning too; and when the parser gave up at the end of the
    text, the place to fix is the beginning (a quote or bracket never closed), so the error points there:
    "line 25, column 1" of a 25-line file says nothing about the quote opened on line 16."""
    context, problem = err.context_mark, err.problem_mark
    what = " ".join(s for s in (err.context, err.problem) if s)
    mark = problem or context
    span = _span(path, mark, line_offset) if mark else Span(path, 1 + line_offset, 1)
    if context is None or problem is None or context.line == problem.line or not err.context:
        return span, what

    def at(m: yaml.Mark) -> str:
        return f"line {m.line + 1 + line_offset}, column {m.column + 1}"

    if any(end in (err.problem or "") for end in ("end of stream", "<stream end>")):
        return _span(path, context, line_offset), f"{what} ({at(problem)}): what starts here is never closed"
    return span, f"{err.context} ({at(context)}) {err.problem or ''}".rstrip()


def _why(err: Exception, node: yaml.ScalarNode) -> str:
    """What is wrong with a tagged scalar, in one line (PyYAML's own message spans several, with a caret)."""
    if isinstance(err, yaml.MarkedYAMLError) and err.problem:
        return err.problem
    return f"`{str(node.value)[:40]}` is not a `!!{node.tag.rsplit(':', 1)[-1]}`"


def _too_deep(path: str, line_offset: int, problems: Problems) -> None:
    problems.error(
        Span(path, 1 + line_offset, 1),
        "yaml-syntax",
        "invalid YAML: nested too deeply to read (lists or mappings hundreds of levels inside each other)",
        "cards, roadmaps and front matter need only a few levels of nesting",
    )


def parse_yaml(text: str, path: str, problems: Problems, line_offset: int = 0) -> Located | None:
    """Parse one YAML document; on a syntax error report it with the parser's position."""
    fast = _FAST_LOADER is not None and not _lenient_in_libyaml(text)
    while True:
        try:
            node = _compose(text, fast)
        except yaml.MarkedYAMLError as err:
            span, what = _where(err, path, line_offset)
            problems.error(span, "yaml-syntax", f"invalid YAML: {what}", TAB_HINT if "'\\t'" in what else SYNTAX_HINT)
            return None
        except yaml.YAMLError as err:  # non-marked errors (rare): still a content problem
            problems.error(Span(path, 1 + line_offset, 1), "yaml-syntax", f"invalid YAML: {err}", SYNTAX_HINT)
            return None
        except RecursionError:  # PyYAML's composer recurses once per level: `[[[[…` thousands deep
            _too_deep(path, line_offset, problems)
            return None
        if node is None:
            return None
        found = Problems()
        try:
            located = _convert(node, path, found, line_offset, set(), fast)
        except _UnlikePyYAML:
            fast = False  # compose it again, the reference way
            continue
        except RecursionError:
            _too_deep(path, line_offset, problems)
            return None
        finally:  # the shared constructor memoises every node it built: forget this document's
            _CONSTRUCTOR.constructed_objects.clear()
            _CONSTRUCTOR.recursive_objects.clear()
        problems.items.extend(found.items)
        return located


_STR_TAG = "tag:yaml.org,2002:str"


def _unlike_scalar(node: yaml.ScalarNode) -> bool:
    """A key the two parsers compose differently: a tag other than the standard ones, or empty and plain."""
    return node.tag not in _PLAIN_TAGS or (not node.value and not node.style)


def _checked(node: yaml.ScalarNode, span: Span, problems: Problems, value: str | None = None) -> str:
    """A text scalar, without the characters no field may hold (reported). Only a double-quoted scalar
    can hold one: both parsers refuse a control character or a lone surrogate written as itself in the
    file, so one can only come from an escape (`"\\x1f"`); checking every scalar was 0.17 s of a
    30,000-card cold build."""
    text = node.value if value is None else value
    if node.style == '"' and report_value(text, span, problems):
        return BAD_CHARS.sub("", text)
    return text


_CONSTRUCTOR = yaml.SafeLoader.__new__(yaml.SafeLoader)
yaml.constructor.SafeConstructor.__init__(_CONSTRUCTOR)


def _convert(node: yaml.Node, path: str, problems: Problems, off: int, seen: set[int], fast: bool = False) -> Located:
    """Positions for `node` and below. Each node is converted once: a node met again is an alias
    (`*name`), refused, so a tiny file of nested aliases (a "billion laughs") or one that refers to
    itself (`&s [*s]`) costs no more than its own size. A graph libyaml composed (`fast`) raises
    `_UnlikePyYAML` at a node the pure-Python parser would compose otherwise."""
    span = _span(path, node.start_mark, off)
    if id(node) in seen or isinstance(node, _AliasNode):
        if fast:  # libyaml's graph has no alias positions: the pure parser's has (`_AliasMarkingLoader`)
            raise _UnlikePyYAML
        problems.error(
            span,
            "yaml-alias",
            "YAML aliases (`*name` referring to an `&name` anchor) are not supported",
            "write the value out again where it is needed",
        )
        return Located(None, span, raw=ALIAS)
    seen.add(id(node))
    if fast and node.tag not in _PLAIN_TAGS:
        raise _UnlikePyYAML
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Located] = {}
        for key_node, value_node in node.value:
            if fast and (not isinstance(key_node, yaml.ScalarNode) or _unlike_scalar(key_node)):
                raise _UnlikePyYAML
            key_span = _span(path, key_node.start_mark, off)
            if not isinstance(key_node, yaml.ScalarNode):
                problems.error(
                    key_span,
                    "yaml-key",
                    "mapping keys must be plain text",
                    "write a word before the colon: `q:`, `tags:`",
                )
                continue
            key = str(key_node.value)
            value = _convert(value_node, path, problems, off, seen, fast)
            if key in out:
                first = out[key].key_span or out[key].span
                problems.error(
                    key_span,
                    "duplicate-key",
                    f"key `{key}` appears twice in the same mapping (first at line {first.line})",
                    "remove one of them: YAML would silently keep only the last",
                )
            out[key] = Located(value.value, value.span, key_span, value.raw)
        return Located(out, span)
    if isinstance(node, yaml.SequenceNode):
        return Located([_convert(n, path, problems, off, seen, fast) for n in node.value], span)
    assert isinstance(node, yaml.ScalarNode)
    if fast and not node.value and not node.style:  # an empty plain scalar
        raise _UnlikePyYAML
    scalar: Any
    if node.tag == _STR_TAG:  # most scalars: what the constructor would return, without its calls
        return Located(_checked(node, span, problems), span)
    try:
        scalar = _CONSTRUCTOR.construct_object(node, deep=True)
    except (ValueError, OverflowError):  # an int of 4,300+ digits, `!!float abc`
        scalar = node.value  # the text as written; a field that wants a number reports it
    except Exception as err:  # a tag PyYAML cannot build: YAMLError, or KeyError (`!!bool maybe`), AttributeError…
        problems.error(
            span, "yaml-value", f"invalid value: {_why(err, node)}", 'quote it to keep it as text: `key: "..."`'
        )
        scalar = node.value
    if isinstance(scalar, str):
        scalar = _checked(node, span, problems, scalar)
    if not isinstance(scalar, (str, int, float, bool)) and scalar is not None:
        scalar = str(node.value)  # dates, binary...: keep the text as written
    return Located(scalar, span, raw=None if isinstance(scalar, str) else str(node.value))
