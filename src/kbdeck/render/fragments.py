"""Rendered HTML fragments (Markdown texts, code blocks): made once, remembered by content hash.

Rendering Markdown and highlighting code is most of a build's work, and every fragment is a pure
function of its input and of the renderer's code. So fragments are memoised in the build cache
(`cache.py`) under a hash of the text, the example regions it includes, kbdeck's version and
source, and the versions of cmark-gfm and Pygments. A rebuild renders only what changed; a
cold build renders its misses in worker processes, one per core (`workers.py`).

Fragments never decide anything: `render.py` and the build use them exactly where they would call
`Renderer.render` and `highlight.code_block`, so a cached build is the same as an uncached one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pygments

from ..content.codeblocks import expand_includes, fence_langs
from ..model.kb import Example
from ..support.cache import Memo, Value, code_fingerprint, text_key
from .highlight import expect
from .markdown_html import Renderer, parser_version
from .workers import Job, Workers, render_job

if TYPE_CHECKING:  # a rebuild that renders in-process never imports it
    from concurrent.futures import Future

    from .workers import Rendered

PARALLEL_MIN = 64
"""Fewer misses than this render in-process: starting workers would cost more than it saves."""

SPILL_MIN = 100_000
"""Fragments from which a cold build's workers store what they render rather than send it back (`spill`):
about 50,000 notes. Below, holding them is faster (30,000 cards: 90 MB); at 300,000 cards they were 0.9 GB."""

SPILL_EVERY = 20_000
"""Fragments written to the store at a time by `spill` (about 30 MB of HTML)."""

STALE_SPARE = 100
"""A complete build forgets the fragments it did not use once they are more than a quarter of those it
did, plus this many (a rebuild without a full read of the store does not know which they are for free)."""

KEY_MARK = "\x00"
"""Around a fragment's key in a note's recipe (`Fragments.keys_only`); no card text holds it (load.py)."""


_KEYED = re.compile(f"{KEY_MARK}([^{KEY_MARK}]+){KEY_MARK}")


def renderer_fingerprint() -> str:
    """Everything besides a fragment's input that shapes its HTML."""
    return code_fingerprint(parser_version(), pygments.__version__)


class Fragments:
    """Renders Markdown and code blocks through the cache; a drop-in for `Renderer.render`.

    Inside `batch()`, a miss is only recorded (and answered with ""); leaving the batch renders every
    miss at once, in the workers when there are many. Callers lay their texts out with keys in a batch
    (`keys_only`), then fill the keys in with the HTML (`filled`).
    """

    def __init__(
        self, examples: dict[str, Example], cache_dir: Path | None = None, workers: Workers | None = None
    ) -> None:
        self.examples = examples
        self.cache_dir = cache_dir
        self.workers = workers or Workers()
        self._own_workers = workers is None
        self._fingerprint = renderer_fingerprint()
        self._memo = Memo(cache_dir, "fragments", self._fingerprint)
        self._filled: dict[str, str] = {}
        """`filled` texts made of more than one part, by recipe (let go of with the fragments)."""
        self._known: dict[str, str] = {}
        """The fragments read or rendered so far: the store is read whole only when most of it is
        needed (`load_all`); a rebuild whose notes come from the note memo reads a few by key."""
        self._loaded = self._nothing_stored()
        self._keys_only = False
        self._used: set[str] = set()
        self._counting = True
        """Whether `_used` still records what is asked for: until `release`, which `save` comes before."""
        self._wanted: dict[str, Job] | None = None
        self._sent: list[_Sent] = []
        """The chunks sent to the workers by `prefetch`, in the order they render them."""
        self._sent_keys: dict[str, int] = {}
        """Each fragment sent to the workers and not held since: its chunk in `_sent`; one asked for only once by the
        prefetch is dropped once read (at 300,000 cards, 0.1 GB of keys held to the end of rendering otherwise)."""
        self._shared: set[str] = set()
        """The fragments the prefetch asked for more than once (a note section that several cards carry): the
        only ones read from the workers' rows again after the chunk of notes that first needed them."""
        self._prefetching = False
        self.spilled = False
        """Whether fragments are read from the store rather than held (`spill`)."""
        self._renderer: Renderer | None = None
        self.rendered = 0
        """How many fragments this build actually rendered (the rest came from the cache)."""

    def load_all(self) -> None:
        """Read every stored fragment at once (one query instead of one per key)."""
        if not self._loaded:
            stored = self._memo.load_texts()
            stored.update(self._known)
            self._known, self._loaded = stored, True

    @contextmanager
    def keys_only(self) -> Iterator[None]:
        """Answer each request with its key between NUL characters (`KEY_MARK`), marked used, nothing
        read or rendered: what a note is made of, known without its HTML (`render/recipes.py`). In a batch,
        the fragments not held are still collected, so that `filled` can make the HTML after it."""
        self._keys_only = True
        try:
            yield
        finally:
            self._keys_only = False

    def render(self, text: str) -> str:
        """Markdown → HTML, as `Renderer(examples).render(text)`."""
        expanded = expand_includes(text, self.examples) if "@include" in text else text
        key = text_key("md", text) if expanded is text else text_key("md", text, expanded)
        return self._get(key, ("md", text))

    def code(self, code: str, lang: str, label: str = "") -> str:
        """A code block, as `highlight.code_block(code, lang, label=label)`."""
        return self._get(text_key("code", code, lang, label), ("code", code, lang, label))

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Record what is asked for; render the misses when the block ends."""
        self._wanted = {}
        try:
            yield
            wanted, self._wanted = self._wanted, None
            self._render_all(wanted)
        finally:
            self._wanted = None

    @contextmanager
    def prefetch(self) -> Iterator[None]:
        """Like `batch`, but the misses go to the workers without waiting for them.

        A cold build asks for every fragment right after loading, and the workers render while the
        build checks the knowledge base; the first request that needs one of them waits.
        """
        self._wanted, self._prefetching = {}, True
        try:
            yield
            wanted, self._wanted = self._wanted, None
            keys = [k for k in wanted if k not in self._known and k not in self._sent_keys]
            if len(keys) >= PARALLEL_MIN and self.workers.count > 1:
                jobs = [wanted[k] for k in keys]
                # too many to hold: the workers store them and say where (`spill`, `_take`)
                into = (str(self.cache_dir), self._fingerprint) if len(keys) >= SPILL_MIN and self.cache_dir else None
                for chunk, future in self.workers.submit(self.examples, jobs, into, keys):
                    self._sent_keys.update(dict.fromkeys(keys[chunk], len(self._sent)))
                    self._sent.append(_Sent(keys[chunk], future))
                if into is not None:
                    self.spilled, self._loaded = True, False
        finally:
            self._wanted, self._prefetching = None, False
        self._used.clear()  # only what the build itself asks for counts as used

    def _drain(self) -> None:
        """Wait for every fragment sent to the workers by `prefetch` (those they stored are read by key after)."""
        sent, self._sent = self._sent, []
        for chunk in sent:
            self._result(chunk)
        self._sent_keys, self._shared = {}, set()

    def _take(self, keys: Iterable[str]) -> None:
        """The fragments of `keys` sent to the workers, waiting only for the chunks that hold them: a large cold
        build packs its first notes while the workers still render the last ones. What a worker stored is read
        back from the rows it reported, not by key (see `Memo.rows`), so the store's key index is made only
        once the workers are done."""
        needed: dict[int, list[str]] = {}
        for key in keys:
            index = self._sent_keys.get(key)
            if index is not None and key not in self._known:
                needed.setdefault(index, []).append(key)
        for index in sorted(needed):
            rows = self._result(self._sent[index])
            if rows is not None:
                found = self._memo.rows(*rows, needed[index])
                self._known.update(found)
                for key in found:
                    if key not in self._shared:
                        del self._sent_keys[key]

    def _busy(self) -> bool:
        """Whether the workers may still be rendering chunks `prefetch` sent them."""
        return any(chunk.future is not None for chunk in self._sent)

    def _result(self, chunk: _Sent) -> tuple[int, int] | None:
        """Wait for a chunk the workers were sent: where its fragments are in the store, or None once the HTML
        they sent back is held (and, like any new fragment, in `new`)."""
        if chunk.future is not None:
            result, chunk.future = chunk.future.result(), None
            keys, chunk.keys = chunk.keys, []  # `_sent_keys` holds what is still to be read
            self.rendered += len(keys)
            if isinstance(result, tuple):
                chunk.rows = result
            else:  # the store could not take it (a full disk)
                for key, value in zip(keys, result, strict=True):
                    self._known[key] = self._memo.new[key] = value
                    self._sent_keys.pop(key, None)
        return chunk.rows

    def spill(self) -> bool:
        """Stop holding fragments: from here on one is read from the store when asked for (in batches:
        `forget` lets a batch's go after it), and what the workers still render goes there as it comes.

        For a deck too large to hold as HTML (at 300,000 cards the fragments alone were 0.9 GB): a cold
        build's workers already store what they render (`prefetch`, from `SPILL_MIN` fragments); a rebuild
        with that many notes to render calls this (`render_notes`). False where there is no store or it cannot
        take them (a full disk): what it could not take is held, as without a store, and the rest read back.
        """
        if self.cache_dir is None:
            return False
        if self.spilled:  # the workers store what they render: each chunk is read back when first needed (`_take`)
            return True
        sent, self._sent = self._sent, []
        self._sent_keys = {}
        ready: dict[str, Value] = dict(self._memo.new)
        stored = True
        for chunk in sent:
            if chunk.future is None:  # taken already: held, in `new`
                continue
            html, chunk.future = chunk.future.result(), None
            self.rendered += len(chunk.keys)
            if isinstance(html, tuple):  # stored by the worker
                continue
            ready.update(zip(chunk.keys, html, strict=True))
            if stored and len(ready) >= SPILL_EVERY:
                stored = self._memo.add(ready)
                if stored:
                    ready = {}
        stored = stored and self._memo.add(ready)
        self._memo.new = {} if stored else ready
        self._known = self._unsaved()
        self._loaded = self._nothing_stored()
        self.spilled = stored
        return stored

    def forget(self) -> None:
        """Let go of the fragments held that the store can give back: with `spilled`, this build's new ones
        are written to it first (a rebuild that renders every note would hold them all otherwise)."""
        if self._nothing_stored():
            return
        if self.spilled and self._memo.new and self._memo.add(self._memo.new):
            self._memo.new = {}
        self._known = self._unsaved()
        self._filled = {}
        self._loaded = False

    def filled(self, recipe: str) -> str:
        """A text made with `keys_only`, each key replaced by its fragment's HTML: the text the same requests make
        outside `keys_only` (a note's fields are literal parts around fragments, and nothing looks at the HTML:
        the premise of the note memo). The fragments are those a batch around the requests collected."""
        if KEY_MARK not in recipe:
            return recipe
        if recipe[0] == KEY_MARK and recipe.count(KEY_MARK) == 2:  # one fragment: its own string, as `render` gives
            return self._fragment(_KEYED.match(recipe))  # type: ignore[arg-type]  # the whole text is one key
        # a text around fragments once per build (or per chunk): cards that carry one note section share its HTML
        found = self._filled.get(recipe)
        if found is None:
            found = self._filled[recipe] = _KEYED.sub(self._fragment, recipe)
        return found

    def _fragment(self, match: re.Match[str]) -> str:
        key = match[1]
        html = self._known.get(key)
        if html is None:
            html = self._memo.get_text(key)
        if html is None:
            raise KeyError(f"fragment {key} was not collected (`filled` outside the batch of its requests)")
        return html

    def _unsaved(self) -> dict[str, str]:
        """The fragments this build made that the store does not have yet."""
        return {k: v for k, v in self._memo.new.items() if isinstance(v, str)}

    def save(self, prune: bool) -> None:
        """Store new fragments; with `prune` (a complete build, before `release`), forget the ones this build did
        not use."""
        self._drain()
        if not prune or not self._counting:  # after `release`, what this build used is no longer known
            self._memo.save()
        elif self._loaded:
            self._memo.save(set(self._known) - self._used - set(self._memo.new))
        elif self._memo.new and self._memo.count() + len(self._memo.new) > len(self._used) * 5 // 4 + STALE_SPARE:
            self._memo.save(keep=self._used)  # only a build that rendered something can have made many stale
        else:  # a few stale fragments cost a little disk; finding them costs a pass over every key
            self._memo.save()
        if self.spilled:  # what the workers stored was read back by rows: the next build reads by key
            self._memo.index()

    def release(self) -> None:
        """Let go of the fragments held (a note that does not hold its fields reads them again by key), and of
        the keys this build used: they served `save` (at 300,000 cards, 0.1 GB that every note that renders
        its fields again, and so this object, kept alive to the end of the build)."""
        self._known, self._filled = {}, {}
        self._sent, self._sent_keys, self._shared = [], {}, set()  # taken by `save`, which comes before
        self._used, self._counting = set(), False
        self._loaded = self._nothing_stored()
        self._memo.close()

    def _nothing_stored(self) -> bool:
        """No cache file: nothing to read, so the store counts as read whole (`_loaded`)."""
        return self._memo.path is None or not self._memo.path.is_file()

    def close(self) -> None:
        if self._own_workers:
            self.workers.close()

    def _get(self, key: str, job: Job) -> str:
        if self._counting:
            self._used.add(key)
        if self._keys_only:
            if self._wanted is not None and key not in self._known:
                self._wanted[key] = job
            return f"{KEY_MARK}{key}{KEY_MARK}"
        if self._wanted is None and key in self._sent_keys:  # in a batch, taken with the rest (`_render_all`)
            self._take([key])
        html = self._known.get(key)
        if html is None and not self._loaded and self._wanted is None:
            html = self._memo.get_text(key)  # in a batch, the store is asked once for all (`_render_all`)
            if html is not None:
                self._known[key] = html
        if html is not None:
            return html
        if self._wanted is not None:
            if self._prefetching and key in self._wanted:
                self._shared.add(key)
            self._wanted[key] = job
            return ""
        self._render_all({key: job})
        return self._known[key]

    def _render_all(self, wanted: dict[str, Job]) -> None:
        if self._sent:
            self._take(wanted)
        if not self._loaded:
            rest = [k for k in wanted if k not in self._known and k not in self._sent_keys]
            # while workers still add to a store with no key index, reading by key would make it (see `_take`):
            # what is not held then was never stored, or is rendered again (the same HTML)
            if rest and (not self._busy() or self._memo.has_key_index()):
                self._known.update(self._memo.get_texts(rest))
        keys = [k for k in wanted if k not in self._known]
        if not keys:
            return
        jobs = [wanted[k] for k in keys]
        # the workers' queue holds the chunks still to come from `prefetch`: a few misses (output cards' output)
        # render here rather than behind them
        if len(jobs) >= PARALLEL_MIN and self.workers.count > 1 and not self._busy():
            html = self.workers.render(self.examples, jobs)
        else:
            if self._renderer is None:
                self._renderer = Renderer(self.examples)
            expect(code_sizes(jobs))
            html = [render_job(self._renderer, job) for job in jobs]
        self.rendered += len(jobs)
        for key, value in zip(keys, html, strict=True):
            self._known[key] = self._memo.new[key] = value


class _Sent:
    """A chunk of fragments sent to the workers: its keys, its future until taken, then where its rows are."""

    __slots__ = ("future", "keys", "rows")

    def __init__(self, keys: list[str], future: Future[Rendered]) -> None:
        self.keys = keys
        self.future: Future[Rendered] | None = future
        self.rows: tuple[int, int] | None = None


def code_sizes(jobs: list[Job]) -> dict[str, int]:
    """About how many characters of code in each language the jobs hold (a Markdown text counts
    toward the languages of its fences): enough to decide whether to accelerate a lexer."""
    sizes: dict[str, int] = {}
    for job in jobs:
        if job[0] == "md":
            langs = fence_langs(job[1])
            for lang in langs:
                sizes[lang] = sizes.get(lang, 0) + len(job[1]) // len(langs)
        else:
            sizes[job[2]] = sizes.get(job[2], 0) + len(job[1])
    return sizes
