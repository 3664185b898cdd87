"""Load a page in headless Chromium over the DevTools protocol (``--remote-debugging-pipe``:
JSON messages separated by NUL bytes on file descriptors 3 and 4; standard library only)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IMAGES_JS = "JSON.stringify(Array.from(document.images).map(i => [i.complete, i.naturalWidth]))"
HEADING_JS = "(document.querySelector('h2') || {}).textContent || ''"


class DevTools:
    """A headless Chromium driven through the DevTools pipe."""

    def __init__(self, profile_dir: str):
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()

        def setup_fds() -> None:  # via fresh copies: a pipe end may already be fd 3 or 4
            copies = os.dup(to_child), os.dup(from_child)
            os.dup2(copies[0], 3)
            os.dup2(copies[1], 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--window-size=1400,2000", f"--user-data-dir={profile_dir}",
             "--remote-debugging-pipe", "about:blank"],
            preexec_fn=setup_fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []

    def _message(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        text, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(text)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        """Call ``method`` and return its result; events that arrive meanwhile are kept."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        while True:
            event = self._message()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self) -> None:
        try:
            self.send("Browser.close")
        finally:
            self.process.wait(timeout=30)
            os.close(self._write)
            os.close(self._read)


def load_page(path: Path) -> dict:
    """Open ``path``: console errors, [complete, naturalWidth] per image, the text of the first
    ``h2`` heading, and the PNG screenshot bytes of the top of the page."""
    with tempfile.TemporaryDirectory() as profile:
        browser = DevTools(profile)
        try:
            target = browser.send("Target.createTarget", url="about:blank")["targetId"]
            session = browser.send("Target.attachToTarget", targetId=target, flatten=True)[
                "sessionId"
            ]
            for domain in ("Runtime", "Log", "Page"):
                browser.send(f"{domain}.enable", session)
            browser.send("Page.navigate", session, url=Path(path).resolve().as_uri())
            browser.wait_for("Page.loadEventFired")
            images = browser.send(
                "Runtime.evaluate", session, expression=IMAGES_JS, returnByValue=True
            )["result"]["value"]
            heading = browser.send(
                "Runtime.evaluate", session, expression=HEADING_JS, returnByValue=True
            )["result"]["value"]
            shot = browser.send(
                "Page.captureScreenshot", session, format="png", captureBeyondViewport=False
            )["data"]
        finally:
            browser.close()
    errors = [
        e["params"]
        for e in browser.events
        if e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    return {
        "errors": errors,
        "images": json.loads(images),
        "first_heading": heading,
        "screenshot": base64.b64decode(shot),
    }
