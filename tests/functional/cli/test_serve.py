"""``mitrainer serve`` admits only the browser it printed the address for (textual-serve behind a guard).

These run textual-serve's real aiohttp application in process with a trainer command that is a
harmless shell command; tests/functional/browser/test_serve_chromium.py drives the real trainer in Chromium.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason="textual-serve (the serve extra) is not installed")

from aiohttp import WSServerHandshakeError  # noqa: E402  (textual-serve's dependency)
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from mitrainer.tui.served import GuardedServer, browser_urls, split_host  # noqa: E402

PORT = 8765
TOKEN = "launch-secret"


def with_client(check, *, host: str = "localhost") -> None:
    """Run ``check(client, server)`` against the guarded application, served on ``PORT``."""

    async def run() -> None:
        server = GuardedServer("echo served", host=host, port=PORT, token=TOKEN)
        app = await server._make_app()
        app.on_startup.clear()  # the banner goes to the console: not wanted in a test
        # Any free port: the guard compares the Host header (sent explicitly below) with PORT.
        async with TestClient(TestServer(app)) as client:
            await check(client, server)

    asyncio.run(run())


HOST = {"Host": f"localhost:{PORT}"}


def cookie(server: GuardedServer) -> dict[str, str]:
    """The header a browser sends once the page has set its cookie."""
    return {"Cookie": f"{server.cookie_name}={TOKEN}"}


def test_the_page_needs_the_token_and_answers_it_with_a_strict_cookie() -> None:
    async def check(client: TestClient, server: GuardedServer) -> None:
        refused = await client.get("/", headers=HOST)
        assert refused.status == 403 and "token" in await refused.text()
        wrong = await client.get("/", params={"token": "guess"}, headers=HOST)
        assert wrong.status == 403
        page = await client.get("/", params={"token": TOKEN}, headers=HOST)
        assert page.status == 200
        cookie = page.headers["Set-Cookie"]
        assert f"{server.cookie_name}={TOKEN}" in cookie
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        html = await page.text()
        assert f'data-session-websocket-url="ws://localhost:{PORT}/ws"' in html
        assert 'src="/static/js/textual.js"' in html

    with_client(check)


def test_the_page_loads_nothing_from_another_host() -> None:
    async def check(client: TestClient, server: GuardedServer) -> None:
        html = await (await client.get("/", params={"token": TOKEN}, headers=HOST)).text()
        assert "googleapis" not in html and "https://" not in html
        assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
        policy = (await client.get("/", params={"token": TOKEN}, headers=HOST)).headers["Content-Security-Policy"]
        assert policy.startswith("default-src 'none'")
        # The font the page names is the copy textual-serve ships, served from here.
        font = await client.get("/static/fonts/RobotoMono-VariableFont_wght.ttf", headers={**HOST, **cookie(server)})
        assert font.status == 200 and len(await font.read()) > 10_000

    with_client(check)


def test_static_files_and_downloads_need_the_token_too() -> None:
    async def check(client: TestClient, server: GuardedServer) -> None:
        assert (await client.get("/static/js/textual.js", headers=HOST)).status == 403
        assert (await client.get("/download/abc", headers=HOST)).status == 403
        ok = await client.get("/static/js/textual.js", headers={**HOST, **cookie(server)})
        assert ok.status == 200

    with_client(check)


@pytest.mark.parametrize("host", ["evil.example:8765", "localhost:9999", "localhost", "attacker.localhost.example:8765"])
def test_a_foreign_host_header_is_refused(host: str) -> None:
    # DNS rebinding: another name that resolves to this machine.
    async def check(client: TestClient, server: GuardedServer) -> None:
        response = await client.get("/", params={"token": TOKEN}, headers={"Host": host})
        assert response.status == 403 and "unknown host" in await response.text()

    with_client(check)


@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost:9999", "null",
                                    f"https://localhost:{PORT}", f"http://127.0.0.1:{PORT}"])
def test_a_websocket_from_another_origin_is_refused_even_with_the_cookie(origin: str) -> None:
    async def check(client: TestClient, server: GuardedServer) -> None:
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", headers={**HOST, **cookie(server), "Origin": origin})
        assert refused.value.status == 403

    with_client(check)


def test_the_served_origin_with_the_cookie_opens_the_websocket() -> None:
    async def check(client: TestClient, server: GuardedServer) -> None:
        socket = await client.ws_connect("/ws", headers={**HOST, **cookie(server), "Origin": f"http://localhost:{PORT}"})
        await socket.close()
        with pytest.raises(WSServerHandshakeError):  # the same handshake without the cookie
            await client.ws_connect("/ws", headers={**HOST, "Origin": f"http://localhost:{PORT}"})

    with_client(check)


def test_bound_to_every_interface_any_ip_address_is_a_host_but_not_any_name() -> None:
    async def check(client: TestClient, server: GuardedServer) -> None:
        for host in (f"192.168.1.20:{PORT}", f"[fe80::1]:{PORT}", f"127.0.0.1:{PORT}"):
            page = await client.get("/", params={"token": TOKEN}, headers={"Host": host})
            assert page.status == 200, host
            # The page's addresses are the ones the browser used, not 0.0.0.0.
            assert f'data-session-websocket-url="ws://{host}/ws"' in await page.text()
        assert (await client.get("/", params={"token": TOKEN}, headers={"Host": f"rebound.example:{PORT}"})).status == 403

    with_client(check, host="0.0.0.0")


def test_the_printed_addresses_hold_the_token_and_never_0000() -> None:
    assert browser_urls("localhost", 8000, "T") == ["http://localhost:8000/?token=T"]
    everywhere = browser_urls("0.0.0.0", 8000, "T")
    assert everywhere[0] == "http://localhost:8000/?token=T" and len(everywhere) >= 2
    assert all("0.0.0.0" not in url and url.endswith("/?token=T") for url in everywhere)
    assert browser_urls("::1", 8000, "T") == ["http://[::1]:8000/?token=T"]


def test_host_headers_are_split_into_name_and_port() -> None:
    assert split_host("LocalHost:8000") == ("localhost", 8000)
    assert split_host("[::1]:8000") == ("::1", 8000)
    assert split_host("example.org.:80") == ("example.org", 80)
    assert split_host("example.org") == ("example.org", None)
    assert split_host("a:b:c") == ("a:b:c", None)


def test_textual_serve_internals_the_guard_relies_on_are_there() -> None:
    # GuardedServer overrides _make_app, handle_index and on_startup, and its page feeds
    # textual.js the data attributes it reads. A release that changes them must fail here.
    from textual_serve import server

    for name in ("_make_app", "handle_index", "handle_websocket", "handle_download", "on_startup"):
        assert callable(getattr(server.Server, name, None)), name
    script = (Path(server.__file__).parent / "static" / "js" / "textual.js").read_text(encoding="utf-8")
    assert "dataset.sessionWebsocketUrl" in script and "dataset.fontSize" in script
    assert 'this.websocket_url+"?width="' in script


def test_the_trainer_a_browser_gets_confines_its_exports() -> None:
    from mitrainer.cli import build_parser
    from mitrainer.cli.sessions_cmds import trainer_command
    from mitrainer.settings import Settings
    from mitrainer.tui.app import build_services

    command = trainer_command(build_parser().parse_args(["serve"]))
    assert command.startswith(f"{sys.executable} -m mitrainer --served")
    args = build_parser().parse_args(["--served", "--db", ":memory:"])
    services = build_services(Settings.from_args(args))
    try:
        assert services.exports_confined
    finally:
        services.store.close()
