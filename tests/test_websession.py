"""
The login cookie is set by the server (HttpOnly), only for a valid ticket and only for this site's pages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from geo.core.access import Principal
from geo.register import accounts, store, websession

PASSWORD = "ein-gutes-passwort"


class Client:
    """Requests straight to the two routes (no server, no network)."""

    def __init__(self) -> None:
        self.app = Starlette(routes=websession.routes())

    def request(self, method: str, path: str, content: str = "", headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://karte.test") as c:
                return await c.request(method, path, content=content, headers=headers or {})

        return asyncio.run(go())

    def post(self, path: str, content: str = "", headers: dict[str, str] | None = None) -> httpx.Response:
        return self.request("POST", path, content, headers)

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)


@pytest.fixture
def client() -> Iterator[tuple[Client, store.Register]]:
    websession._register.cache_clear()
    register = store.Register(store.database_url())  # the test's own user folder (conftest)
    _, code = accounts.create_account(register, by=Principal.cli(), email="k@stadt.de", roles="coordinator")
    accounts.set_password_with_code(register, "k@stadt.de", code, PASSWORD)
    yield Client(), register
    register.close()
    websession._register.cache_clear()


def _ticket(register: store.Register) -> accounts.LoginTicket:
    return accounts.start_session(register, accounts.login(register, "k@stadt.de", PASSWORD))


def test_a_ticket_sets_an_httponly_cookie_once(client: tuple[Client, store.Register]) -> None:
    c, register = client
    login = _ticket(register)
    answer = c.post(websession.SESSION_PATH, content=login.ticket, headers={"Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=" in cookie
    assert "Secure" not in cookie  # plain HTTP here; behind TLS the cookie is Secure
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    assert accounts.session_of_token(register, token) == login.session_id
    again = c.post(websession.SESSION_PATH, content=login.ticket)  # a ticket works once
    assert again.status_code == 403 and "set-cookie" not in again.headers


def test_another_site_cannot_set_or_clear_the_cookie(client: tuple[Client, store.Register]) -> None:
    c, register = client
    login = _ticket(register)
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://angreifer.example"},
        {"Origin": "null"},
    ):
        assert c.post(websession.SESSION_PATH, content=login.ticket, headers=headers).status_code == 403
        assert c.post(websession.LOGOUT_PATH, headers=headers).status_code == 403
    same = {"Origin": "http://karte.test", "Sec-Fetch-Site": "same-origin"}
    assert c.post(websession.SESSION_PATH, content=login.ticket, headers=same).status_code == 204
    assert c.post(websession.SESSION_PATH, content="geraten", headers=same).status_code == 403
    cleared = c.post(websession.LOGOUT_PATH, headers=same)
    assert cleared.status_code == 204 and "Max-Age=0" in cleared.headers["set-cookie"]
    assert c.get(websession.SESSION_PATH).status_code == 405  # only POST


def test_behind_tls_the_cookie_is_secure() -> None:
    assert "Secure" in websession.cookie_header("abc", None, secure=True)
    assert "Max-Age=0" in websession.cookie_header("", None, secure=False)


def test_behind_a_trusted_proxy_with_tls_the_cookie_is_secure(client: tuple[Client, store.Register]) -> None:
    c, register = client
    login = _ticket(register)
    # httpx's test transport connects from 127.0.0.1: the documented nginx on the same host
    answer = c.post(websession.SESSION_PATH, content=login.ticket, headers={"X-Forwarded-Proto": "https"})
    assert answer.status_code == 204 and "Secure" in answer.headers["set-cookie"]
