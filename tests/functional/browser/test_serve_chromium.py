"""``mitrainer serve`` in headless Chromium: the trainer loads, and other pages cannot reach it.

Runs the real command (a subprocess on a free port, with a temporary data folder) and drives
Chromium over its DevTools protocol (tests/chromium.py).
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.chromium import browser, needs_chromium

pytestmark = [*needs_chromium, pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("textual_serve") is None,
                                 reason="textual-serve (the serve extra) is not installed")]

# Collects what the page's WebSocket receives (the terminal's output) before textual.js runs.
RECORD_TERMINAL = """
(() => {
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  window.__terminal = "";
  window.WebSocket = function (url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string") window.__terminal += decoder.decode(event.data, {stream: true});
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
})();
"""

# Resolves to "open" or "refused": a WebSocket to the trainer from the page this runs in.
TRY_WEBSOCKET = """
new Promise((resolve) => {
  const socket = new WebSocket("ws://localhost:%d/ws?width=80&height=24");
  socket.onopen = () => { socket.close(); resolve("open"); };
  socket.onerror = () => resolve("refused");
  setTimeout(() => resolve("timeout"), 15000);
})
"""

ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>78]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path):
    """``mitrainer serve`` on a free port; yields (port, the printed address with the token)."""
    port = free_port()
    env = {**os.environ, "MITRAINER_DATA_DIR": str(tmp_path / "data"), "MITRAINER_LANG": "en"}
    process = subprocess.Popen([sys.executable, "-m", "mitrainer", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                               start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            found = re.search(r"http://localhost:\d+/\?token=\S+", line)
            url = found[0] if found else None
        assert url, "mitrainer serve printed no address"
        yield port, url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and the trainers it started
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def other_site(tmp_path: Path):
    """A page on another origin of the same machine (localhost, another port): a hostile page's stand-in."""
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "index.html").write_text("<!DOCTYPE html><title>another page</title>", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("localhost", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def test_the_trainer_loads_in_the_browser_and_other_pages_cannot_reach_it(served, other_site, tmp_path):
    port, url = served

    async def drive() -> None:
        async with browser(tmp_path / "profile") as page:
            await page.send("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_TERMINAL})
            await page.navigate(url)
            # The home screen, as the terminal in the page received and drew it.
            seen = await page.wait_for("window.__terminal.includes('Scenarios (') && window.__terminal", timeout=90)
            text = ESCAPES.sub("", seen or await page.evaluate("window.__terminal"))
            assert "Scenarios (" in text and "No sessions yet" in text, text[-2000:]
            assert "Practise motivational interviewing" in text
            assert await page.evaluate("document.body.classList.contains('-first-byte')")
            # The page opens its own WebSocket again (same origin, the cookie the page set) …
            assert await page.evaluate(TRY_WEBSOCKET % port) == "open"

            # … and another page in the same browser, which sends that cookie too, cannot.
            hostile = await page.new_page()
            await hostile.navigate(other_site)
            assert await hostile.evaluate(TRY_WEBSOCKET % port) == "refused"

            # Without the token (a browser that never opened the printed address): refused.
            stranger = await page.new_page(fresh_context=True)
            await stranger.navigate(f"http://localhost:{port}/")
            body = await stranger.evaluate("document.body.innerText")
            assert "token" in body and not await stranger.evaluate("!!document.getElementById('terminal')")

    asyncio.run(drive())
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://localhost:{port}/", timeout=10)
    assert refused.value.code == 403
