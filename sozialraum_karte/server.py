"""
The app as its server runs it: Streamlit's pages (``app.py``), the login cookie's routes, the map's files.

The icon font is cut to the icons the app can show (`sozialraum_karte.icons`).

``streamlit run`` on this file (what ``sozialraum-karte serve`` and ``make run`` do) finds ``app`` and serves
it; the routes set and clear the HttpOnly login cookie (`geo.register.websession`). On a fresh install (a real
register without accounts) the server prints the one-time setup code for the first admin to its log when
it starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from geo.register import websession
from sozialraum_karte.icons import IconFont, icon_font

#: The pages: ``app.py`` beside the ``app_pages`` package (the checkout's root or site-packages).
SCRIPT = Path(__file__).resolve().parent.parent / "app.py"

_log = logging.getLogger("sozialraum_karte.server")


def announce_setup_code() -> str | None:
    """On a register without accounts: the first admin's setup code, printed to the log (`geo.register.accounts`)."""
    from geo.core.errors import SozialraumError  # noqa: PLC0415
    from geo.register import accounts, store  # noqa: PLC0415 - opened when the server starts, not on import

    try:
        return accounts.announce_install_code(store.Register(store.database_url()))
    except SozialraumError as exc:  # the app says so on its pages; the server still starts
        _log.warning("register not opened at start: %s", exc.message("en"))
        return None


@asynccontextmanager
async def _lifespan(_app: st.App) -> AsyncIterator[None]:
    # the icon font is cut in a worker thread while the server starts, so the first page finds it ready (cut on
    # its first request instead, a page drawn meanwhile shifted when the icons arrived a second later)
    cutting = asyncio.get_running_loop().run_in_executor(None, icon_font)
    announce_setup_code()
    yield
    cutting.cancel()


#: A file named after its content: a browser may keep it for a year.
_IMMUTABLE = "public, max-age=31536000, immutable"


def _file(request: Request, plain: bytes, gzipped: bytes, media_type: str) -> Response:
    """`plain`, or `gzipped` as it is when the browser takes gzip (compressed once, not per request)."""
    headers = {"Cache-Control": _IMMUTABLE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(gzipped, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(plain, media_type=media_type, headers=headers)


async def map_bundle(request: Request) -> Response:
    """The map's browser code (`geo.output.webmap.browser_bundle`): by its versioned name only, cached for a year."""
    from geo.output import webmap  # noqa: PLC0415 - loaded with the first map, not at start

    name, code = webmap.browser_bundle()
    if request.path_params.get("name") != name:
        return Response("not found", status_code=404, media_type="text/plain")
    return _file(request, code, webmap.browser_bundle_gzipped(), "text/javascript; charset=utf-8")


async def map_base(request: Request) -> Response:
    """A map's geometry and names (`geo.output.webmap.publish`), by the version a page of this process published."""
    from geo.output import webmap  # noqa: PLC0415

    version = str(request.path_params.get("version", ""))
    base = webmap.published(version)
    if base is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return _file(request, base.encoded, base.gzipped, "application/json")


app = st.App(
    SCRIPT,
    routes=[
        *websession.routes(),
        Route("/_sk/web/{name}", map_bundle, methods=["GET"]),
        Route("/_sk/base/{version}.json", map_base, methods=["GET"]),
    ],
    middleware=[Middleware(IconFont)],  # Streamlit's icon font cut to the icons it can show (issue 30)
    lifespan=_lifespan,
)
