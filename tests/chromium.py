"""A real headless Chromium, driven over the Chrome DevTools Protocol with `websockets` (no other dependency).

Debian's `chromium` is required: when it is missing, `find_chromium` raises with the install command,
so a test that needs a browser fails loudly instead of skipping. Never downloads a browser.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
)
MISSING = (
    "Chromium is required for the card rendering tests and was not found. Install Debian's package: "
    "`apt-get install -y chromium` (.ci/run does this), or point KBDECK_CHROMIUM at a Chromium binary."
)


class ChromiumMissing(RuntimeError):
    """No Chromium binary on this machine."""


def find_chromium() -> str:
    """The Chromium binary: $KBDECK_CHROMIUM, else `chromium`/`chromium-browser` on PATH."""
    for candidate in (os.environ.get("KBDECK_CHROMIUM"), "chromium", "chromium-browser", "/usr/bin/chromium"):
        if candidate and (path := shutil.which(candidate)):
            return path
    raise ChromiumMissing(MISSING)


class Chromium:
    """One headless browser process with one page; `close()` ends the process (it is ours)."""

    def __init__(self, binary: str | None = None, timeout: float = 30.0) -> None:
        self.profile = tempfile.mkdtemp(prefix="kbdeck-chromium-")
        self.proc = subprocess.Popen(
            [binary or find_chromium(), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._stack = contextlib.ExitStack()
        url = self._browser_url()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(url, max_size=None, open_timeout=timeout, ping_interval=None)
        )
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.session: str = attached["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def _browser_url(self) -> str:
        assert self.proc.stderr is not None
        deadline = time.monotonic() + self.timeout
        seen = []
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                break
            seen.append(line)
            if m := re.search(r"DevTools listening on (ws://\S+)", line):
                # keep draining stderr, or a chatty browser blocks on a full pipe
                self._drain = threading.Thread(target=self.proc.stderr.read, daemon=True)
                self._drain.start()
                return m.group(1)
        self.close()
        raise RuntimeError("Chromium did not start:\n" + "".join(seen[-20:]))

    def _call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        msg_id = next(self._ids)
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv(timeout=self.timeout))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """A DevTools command on the page."""
        return self._call(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def viewport(self, width: int, height: int, *, mobile: bool, scale: float = 1.0) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile},
        )

    def open(self, path: Path) -> None:
        """Load a local file and wait until it and its fonts are ready."""
        self.send("Page.navigate", {"url": path.resolve().as_uri()})
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            ready = self.evaluate(
                f"document.URL === {json.dumps(path.resolve().as_uri())} && document.readyState === 'complete'"
                " && document.fonts.status === 'loaded'"
            )
            if ready:
                return
            time.sleep(0.02)
        raise TimeoutError(f"{path} did not load")

    def screenshot(self, path: Path) -> None:
        """The whole page (not only the viewport) as a PNG."""
        width, height = self.evaluate(
            "[document.documentElement.clientWidth, Math.ceil(document.documentElement.scrollHeight)]"
        )
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        shot = self.send("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            if getattr(self, "_stack", None) is not None:
                self._stack.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            drain = getattr(self, "_drain", None)
            if drain is not None:
                drain.join(5)
            if self.proc.stderr is not None and (drain is None or not drain.is_alive()):
                self.proc.stderr.close()
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
