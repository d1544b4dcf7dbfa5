"""``mitrainer serve``: textual-serve behind a guard that admits only the person who launched it.

textual-serve on its own answers any request: a web page the user happens to visit could
open a WebSocket to ``localhost`` and drive the trainer (export a file anywhere, read every
stored session). :class:`GuardedServer` subclasses its ``Server`` and adds, for every
request (the page, its static files, downloads and the WebSocket):

* a **secret token**, made at each launch and printed in the URL (as Jupyter does); the
  page answers the token with an HttpOnly, SameSite=Strict cookie, which the WebSocket and
  the static files then carry. A request with neither is refused.
* a **Host check** (DNS rebinding: a page on another name resolved to this machine):
  only the names this server was started for, or an IP address.
* an **Origin check**: a request a browser sends from another origin (every WebSocket
  handshake carries one) is refused.

The page itself is mitrainer's (``serve_page/app_index.html``): the same markup as
textual-serve's, without the font it loads from a font host (it uses the copy in
textual-serve's static folder) and with URLs built from the address the browser used, so
that ``--host 0.0.0.0`` works from another machine. A Content-Security-Policy keeps the
page from loading anything from elsewhere.

It relies on textual-serve internals (``_make_app``, the route handlers, the page's
template variables and its ``textual.js``), so pyproject.toml pins the 1.1 series and
tests/functional/cli/test_serve.py checks them.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

PAGE_FOLDER = Path(__file__).resolve().parent / "serve_page"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
TOKEN_PARAMETER = "token"
MIN_FONT_SIZE, MAX_FONT_SIZE = 6, 64


def split_host(value: str) -> tuple[str, int | None]:
    """``("name", port)`` from a Host header (``name``, ``name:8000``, ``[::1]:8000``); port None if absent or bad."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        name, _, port_text = value.partition(":")
    else:
        name, port_text = value, ""
    port = int(port_text) if port_text.isdigit() and len(port_text) <= 5 else None
    return name.rstrip("."), port


def is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def url_host(name: str) -> str:
    """``name`` as it goes in a URL (an IPv6 address in brackets)."""
    return f"[{name}]" if ":" in name else name


def local_names(host: str) -> set[str]:
    """The host names a browser may use to reach a server bound to ``host`` (IP addresses aside)."""
    names = {"localhost"}
    if host in WILDCARD_HOSTS:
        hostname = socket.gethostname().lower()
        names |= {hostname, socket.getfqdn().lower()}
    else:
        names.add(host.lower())
    return {n for n in names if n}


def routed_address() -> str:
    """This machine's address on the interface of its default route ("" when there is none).

    ``connect`` on a UDP socket only looks up the route: no packet is sent (192.0.2.1 is a
    documentation address that nothing answers anyway).
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            return str(probe.getsockname()[0])
    except OSError:
        return ""


def browser_urls(host: str, port: int, token: str) -> list[str]:
    """The addresses to open in a browser, with the token: this machine first, then (when bound
    to every interface) the machine's name and addresses that other machines can use."""
    if host in WILDCARD_HOSTS:
        names = ["localhost", socket.gethostname()]
        try:
            infos = socket.getaddrinfo(socket.gethostname(), port, proto=socket.IPPROTO_TCP)
        except OSError:  # a name the resolver does not know: the name alone is still worth printing
            infos = []
        addresses = [str(info[4][0]) for info in infos] + [routed_address()]
        names += [a for a in addresses if a and not ipaddress.ip_address(a.split("%")[0]).is_loopback]
    else:
        names = [host]
    return [f"http://{url_host(n)}:{port}/?{TOKEN_PARAMETER}={token}" for n in dict.fromkeys(names)]


class GuardedServer(Server):
    """textual-serve's server with a launch token, Host and Origin checks, and a self-contained page."""

    def __init__(self, command: str, *, host: str, port: int, token: str | None = None) -> None:
        super().__init__(command, host=host, port=port, title="mitrainer", templates_path=PAGE_FOLDER)
        self.token = token or secrets.token_urlsafe(32)
        self.names = local_names(host)
        # Per port: two trainers served on one machine keep their own cookies.
        self.cookie_name = f"mitrainer-serve-{port}"

    # -- the guard -----------------------------------------------------------------------
    def refusal(self, request: web.Request) -> str | None:
        """Why ``request`` is refused, or None when it may pass."""
        host_header = request.headers.get("Host", "")
        name, port = split_host(host_header)
        if port != self.port or not (name in self.names or is_ip_address(name)):
            return "unknown host"
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower() != f"http://{host_header.strip().lower()}":
            return "cross-origin request"
        token = request.query.get(TOKEN_PARAMETER) or request.cookies.get(self.cookie_name) or ""
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return "missing or wrong token: open the address that 'mitrainer serve' printed"
        return None

    @web.middleware
    async def guard(self, request: web.Request, handler) -> web.StreamResponse:
        """Refuse what :meth:`refusal` refuses; answer the page with the cookie and safe headers."""
        problem = self.refusal(request)
        if problem is not None:
            return web.Response(status=403, text=f"mitrainer serve: {problem}\n")
        response = await handler(request)
        if request.path == "/":
            response.set_cookie(self.cookie_name, self.token, httponly=True, samesite="Strict", path="/")
            host = request.headers["Host"].strip()
            response.headers["Content-Security-Policy"] = (
                "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                f"font-src 'self'; img-src 'self' data:; connect-src 'self' ws://{host}; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = "no-store"
        return response

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        return app

    # -- textual-serve's handlers, adapted -------------------------------------------------
    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """The page's template values, with addresses relative to the one the browser used."""
        font_size = min(max(to_int(request.query.get("fontsize", "16"), 16), MIN_FONT_SIZE), MAX_FONT_SIZE)
        return {
            "font_size": font_size,
            "app_websocket_url": f"ws://{request.headers['Host'].strip()}/ws",
            "config": {"static": {"url": "/static/"}},
            "application": {"name": self.title},
        }

    async def on_startup(self, app: web.Application) -> None:
        urls = browser_urls(self.host, self.port, self.token)
        lines = ["mitrainer serve: open this address in your browser (it holds this launch's secret token):",
                 *(f"  {url}" for url in urls), "Press Ctrl+C to stop."]
        self.console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)
