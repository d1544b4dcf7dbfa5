"""Headless Chromium for the browser tests: where it is, how it is launched, and a small DevTools client.

The browser tests are marked ``browser``; they skip where Chromium is not installed, except
under ``CI=true``, where tests/conftest.py turns such a skip into a failure (CI installs
Debian's ``chromium``: see .ci/run).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import subprocess
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
needs_chromium = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")]

# No network of its own (no updates, sync or safe-browsing lookups), a fresh profile each time.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio"]


def chromium_command(profile: Path, *args: str) -> list[str]:
    return [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args]


class DevTools:
    """A connection to a page target over the Chrome DevTools protocol (flat sessions)."""

    def __init__(self, socket, session_id: str) -> None:
        self.socket = socket
        self.session_id = session_id

    async def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = True) -> dict:
        return await _call(self.socket, method, params, self.session_id if session else None)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        reply = await self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                     "returnByValue": True})
        if "exceptionDetails" in reply:
            raise AssertionError(f"page script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 60) -> Any:
        """Evaluate ``expression`` until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.evaluate(expression)
            if value or time.monotonic() > deadline:
                return value
            await asyncio.sleep(0.25)

    async def new_page(self, *, fresh_context: bool = False) -> DevTools:
        """Another tab in this browser (in a context of its own, without cookies, when ``fresh_context``)."""
        params: dict[str, Any] = {"url": "about:blank"}
        if fresh_context:
            params["browserContextId"] = (await self.send("Target.createBrowserContext", session=False))[
                "browserContextId"]
        target = (await self.send("Target.createTarget", params, session=False))["targetId"]
        attached = await self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)
        page = DevTools(self.socket, attached["sessionId"])
        await page.send("Page.enable")
        return page

    async def navigate(self, url: str) -> None:
        await self.send("Page.navigate", {"url": url})
        await self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'")


_ids = itertools.count(1)
_pending: dict[int, asyncio.Future] = {}


async def _call(socket, method: str, params: dict | None, session_id: str | None) -> dict:
    message_id = next(_ids)
    message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
    if session_id:
        message["sessionId"] = session_id
    future = asyncio.get_running_loop().create_future()
    _pending[message_id] = future
    await socket.send_str(json.dumps(message))
    reply = await asyncio.wait_for(future, 60)
    if "error" in reply:
        raise AssertionError(f"{method}: {reply['error']}")
    return reply.get("result", {})


async def _read_replies(socket) -> None:
    async for message in socket:
        data = json.loads(message.data)
        future = _pending.pop(data.get("id"), None)
        if future is not None and not future.done():
            future.set_result(data)


@asynccontextmanager
async def browser(profile: Path):
    """Headless Chromium with its DevTools port open; yields a :class:`DevTools` on a first tab."""
    import aiohttp

    process = subprocess.Popen(chromium_command(profile, "--remote-debugging-port=0", "about:blank"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (active.exists() and len(active.read_text().split()) >= 2):
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError("Chromium did not open its DevTools port")
            await asyncio.sleep(0.1)
        port, path = active.read_text().split()[:2]
        async with aiohttp.ClientSession() as http, http.ws_connect(f"ws://127.0.0.1:{port}{path}",
                                                                    max_msg_size=0) as socket:
            reader = asyncio.create_task(_read_replies(socket))
            try:
                first = DevTools(socket, "")
                yield await first.new_page()
            finally:
                reader.cancel()
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
