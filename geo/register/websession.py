"""
The login cookie, set and cleared by the server itself: HttpOnly, so no script in a page can read it.

Streamlit talks to the browser over a websocket, which cannot set cookies. After a login the page gets a
one-time ticket (`geo.register.accounts.start_session`) and sends it to ``POST /_sk/session``; the answer sets
``sk_session`` with a fresh random token (only its hash is stored), ``HttpOnly; SameSite=Strict``, and
``Secure`` when the request came over HTTPS (directly or through a trusted proxy). ``POST /_sk/logout``
clears it. The app's entry point for the server (`sozialraum_karte.server`) mounts these two routes beside
Streamlit's own.

A request from another site is refused (``Sec-Fetch-Site`` or ``Origin`` naming another host), so no
other page can log a browser in as someone else or out.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from geo.core.errors import SozialraumError
from geo.register import accounts, store

#: The cookie that carries a login across reloads and tabs.
COOKIE = "sk_session"
SESSION_PATH = "/_sk/session"
LOGOUT_PATH = "/_sk/logout"

_log = logging.getLogger("sozialraum_karte.websession")


def same_site(headers: Mapping[str, str]) -> bool:
    """
    True when a request comes from a page of this server, as browsers say in ``Sec-Fetch-Site`` and ``Origin``.

    A request that says neither (an old browser, a tool) is let through: the ticket is the secret.
    """
    fetch_site = str(headers.get("sec-fetch-site") or "").lower()
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return False
    origin = str(headers.get("origin") or "")
    if origin and origin != "null":
        return urlsplit(origin).netloc.lower() == str(headers.get("host") or "").lower()
    return origin != "null"


def cookie_header(token: str, expires: datetime | None, *, secure: bool) -> str:
    """The ``Set-Cookie`` value: the token until the session expires, or cleared when `token` is empty."""
    parts = [f"{COOKIE}={token}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if token and expires is not None:
        seconds = max(0, int((expires.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds()))
        parts.append(f"Max-Age={seconds}")
    else:
        parts.append("Max-Age=0")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


@functools.lru_cache(maxsize=8)
def _register(url: str, demo: bool) -> store.Register:
    return store.Register(url, demo=demo)


def _redeem(ticket: str) -> tuple[str, datetime] | None:
    """The ticket's token from the register it names (its first letter): the demo's or the real one."""
    registers = {"r": (store.database_url(), False), "d": (store.demo_database_url(), True)}
    if ticket[:1] not in registers:
        return None
    url, demo = registers[ticket[:1]]
    try:
        return accounts.redeem_ticket(_register(url, demo), ticket)
    except SozialraumError as exc:  # an operator's setting; the page says so elsewhere
        _log.warning("register not opened for a login cookie: %s", exc.message("en"))
        return None


def _secure(request: Request) -> bool:
    """HTTPS to this server, or to a trusted proxy that says so (``X-Forwarded-Proto``): the cookie is Secure."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-proto", "").strip().lower()
    return forwarded == "https" and accounts.is_trusted_proxy(peer)


async def set_session(request: Request) -> Response:
    """Redeem a login's one-time ticket for the HttpOnly cookie (204), or 403 for anything else."""
    if not same_site(request.headers):
        return Response(status_code=403)
    ticket = (await request.body())[:200].decode("ascii", "replace").strip()
    redeemed = await run_in_threadpool(_redeem, ticket)  # the database is not asked on the event loop
    if redeemed is None:
        return Response(status_code=403, headers={"Cache-Control": "no-store"})
    token, expires = redeemed
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.headers["Set-Cookie"] = cookie_header(token, expires, secure=_secure(request))
    return response


async def clear_session(request: Request) -> Response:
    """Clear the cookie (the session itself was ended by the page's logout); 204."""
    if not same_site(request.headers):
        return Response(status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.headers["Set-Cookie"] = cookie_header("", None, secure=_secure(request))
    return response


def routes() -> list[Route]:
    """The two routes the server mounts beside Streamlit's."""
    return [
        Route(SESSION_PATH, set_session, methods=["POST"]),
        Route(LOGOUT_PATH, clear_session, methods=["POST"]),
    ]
