"""Processes that render fragments, one per core: how a cold build renders thousands of texts at once.

A worker is forked early (see `Workers`), renders the chunks of jobs it is sent with its own `Renderer`,
and sends the HTML back, or writes it to the build cache itself when there is too much to send
(`fragments.SPILL_MIN`). `fragments.py` decides what to render; this module only runs it.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..model.kb import Example
from ..support.cache import CACHE_FILE, Memo
from .highlight import code_block, warm
from .markdown_html import Renderer

if TYPE_CHECKING:  # a rebuild that renders in-process never imports them
    from concurrent.futures import Executor, Future

CHUNK_MAX = 500
"""Most jobs sent to a worker at once."""

STORED_CHUNK_MAX = 5_000
"""Most jobs sent to a worker at once when it stores their HTML (`SPILL_MIN`): each chunk is one transaction
that puts its keys into the store's key index, wherever they fall (they are digests), so a 300,000-card cold
build's workers rewrote and journalled most of that index 1,200 times in chunks of 500 (17 s of system time;
8 s in chunks of 5,000, whose HTML a worker holds: 10 MB)."""

NICE = 5
"""How much lower a worker's priority is than the build's: with every core busy, the build's own process (which
everything else waits for) runs first, and the workers take the rest. With as many workers as cores, the three
processes of a cold 300,000-card build shared two cores evenly while it checked the knowledge base: checking
took 43 s for its 30 s of CPU, and once it was done the workers had nothing left to do while the build packaged.
At 30,000 cards they finish during checking either way. Lower priority also leaves the machine's other programs
(an editor, Anki) their share."""

Job = tuple[str, ...]
"""("md", text) or ("code", code, lang, label): what to render."""

Rendered = list[str] | tuple[int, int]
"""What a worker gives back for a chunk: the HTML, or where in the store it put it (`Memo.append`)."""

Into = tuple[str, str]
"""Where a worker stores what it renders: the cache folder and the renderer's fingerprint (`Memo`)."""


class Workers:
    """Processes that render fragments, one per core (forked where the platform can).

    Forked workers share their parent's memory until they write to it, so the earlier they are
    forked the smaller they stay: `render_workers` forks them before the knowledge base is loaded
    when the build is cold (nothing cached yet, so nearly everything will render).
    """

    def __init__(self, count: int = 0) -> None:
        self.count = count or usable_cpus()
        self._pool: Executor | None = None

    def start(self) -> None:
        if self._pool is not None:
            return
        import multiprocessing  # only builds that render a lot pay for these imports
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self._pool = ProcessPoolExecutor(self.count, context, initializer=_worker_start, initargs=(os.getpid(),))
        # a garbage collection in a forked worker writes to every object it scans (copying the
        # page); objects frozen at the fork are never scanned
        gc.freeze()
        try:
            self._pool.submit(int)  # forks the workers now
        finally:
            gc.unfreeze()

    @property
    def started(self) -> bool:
        return self._pool is not None

    def submit(
        self, examples: dict[str, Example], jobs: list[Job], into: Into | None = None, keys: list[str] | None = None
    ) -> list[tuple[slice, Future[Rendered]]]:
        """Send `jobs` to the workers: (which of the jobs, future of their HTML) for each chunk. With `into` (a
        store) and the jobs' `keys`, a worker writes the HTML there and its future gives the rows it went to."""
        self.start()
        assert self._pool is not None
        # a few chunks per worker even out slow ones; small chunks keep each worker's results small
        size = min(CHUNK_MAX if into is None else STORED_CHUNK_MAX, max(1, len(jobs) // (self.count * 4)))
        token = f"{os.getpid()}:{id(examples)}"  # lets a worker reuse its renderer across chunks
        chunks = [slice(i, i + size) for i in range(0, len(jobs), size)]
        return [
            (
                s,
                self._pool.submit(
                    _render_chunk, token, examples, _sent(jobs[s]), into and (*into, keys[s] if keys else [])
                ),
            )
            for s in chunks
        ]

    def render(self, examples: dict[str, Example], jobs: list[Job]) -> list[str]:
        """Render `jobs` in the workers, in order."""
        html: list[str] = []
        for _, future in self.submit(examples, jobs):
            result = future.result()
            assert isinstance(result, list), "sent back: not stored"
            html.extend(result)
        return html

    def close(self, cancel: bool = False) -> None:
        """Stop the workers once their chunks are done; with `cancel`, drop the chunks not yet started
        (the build was interrupted: nobody will read them)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=cancel)
            self._pool = None


def _worker_start(parent: int) -> None:
    """A worker's first act: follow its parent out (a killed build must not leave workers behind,
    which nothing would ever stop), leave Ctrl-C to its parent, then set up its lexers.

    Ctrl-C in a terminal interrupts every process of the command, workers too: each died printing the
    traceback of wherever it was. The build stops them itself (`render_workers`), so they ignore it."""
    import signal
    import threading
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)  # the parent is gone (killed): no one will ever read our results

    threading.Thread(target=watch_parent, name="kbdeck-parent-watch", daemon=True).start()
    with contextlib.suppress(AttributeError, OSError):  # no `os.nice` on Windows
        os.nice(NICE)
    warm()


def usable_cpus() -> int:
    """The cores this process may run on: its affinity (`taskset`, a container's cpuset), not the machine's.

    `os.cpu_count()` counts the machine's: pinned to one core, a cold build forked two workers
    that took turns on it and paid for pickling every fragment across, 10–20% slower than
    rendering in-process (bench/README.md, one-core figures).
    """
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # no affinity API (macOS, Windows)
        return os.cpu_count() or 1


@contextmanager
def render_workers(cache_dir: Path | None, count: int = 0) -> Iterator[Workers]:
    """Workers for one build, already forked when the cache is cold; shut down at the end."""
    workers = Workers(count)
    if workers.count > 1 and cache_dir is not None and not (cache_dir / CACHE_FILE).exists():
        workers.start()
    try:
        yield workers
    except BaseException:  # interrupted or failed: what is still queued is rendered for no one
        workers.close(cancel=True)
        raise
    workers.close()


def render_job(renderer: Renderer, job: Job) -> str:
    """One job's HTML, the same in a worker and in-process."""
    if job[0] == "md":
        return renderer.render(job[1])
    return code_block(job[1], job[2], label=job[3])


def _sent(jobs: list[Job]) -> list[tuple[bytes, ...]]:
    """Jobs as they travel to a worker: UTF-8 bytes, not the strings. Pickling a string leaves a UTF-8
    copy of it inside the string for the rest of its life (CPython caches it there), and these are the
    knowledge base's own texts, kept to the end of the build: 20 MB more at 30,000 cards."""
    return [tuple(part.encode("utf-8", "surrogatepass") for part in job) for job in jobs]  # exact, as pickle


_WORKER_RENDERER: tuple[str, Renderer] | None = None


def _render_chunk(
    token: str, examples: dict[str, Example], jobs: list[tuple[bytes, ...]], into: tuple[str, str, list[str]] | None
) -> Rendered:
    """A worker's chunk: its HTML, or once it is in the store `into` names (cache folder, fingerprint, the jobs'
    keys), where (`Memo.append`); a store that cannot take it (a full disk) gets the HTML sent back instead."""
    global _WORKER_RENDERER
    if _WORKER_RENDERER is None or _WORKER_RENDERER[0] != token:
        _WORKER_RENDERER = (token, Renderer(examples))
    html = [render_job(_WORKER_RENDERER[1], tuple(p.decode("utf-8", "surrogatepass") for p in job)) for job in jobs]
    if into is not None:
        cache_dir, fingerprint, keys = into
        rows = Memo(Path(cache_dir), "fragments", fingerprint).append(dict(zip(keys, html, strict=True)))
        if rows is not None:
            return rows
    return html
