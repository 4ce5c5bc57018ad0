"""
The icon font of a first visit (issue 30): Streamlit's Material Symbols cut to the icons the app and Streamlit
can draw, sent at Streamlit's own address by the server's middleware (`sozialraum_karte.icons`).

That every icon on every page and tab is drawn from the cut font is checked in the browser, in the axe
sweep (`tests/test_browser_access.py::_icons_not_drawn`).
"""

from __future__ import annotations

import asyncio
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from starlette.responses import PlainTextResponse

from sozialraum_karte import icons

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cut() -> tuple[bytes, str]:
    made = icons.icon_font()
    assert made is not None, "the icon font could not be cut (see the log)"
    return made


def _app_icons() -> set[str]:
    """Every ``:material/name:`` in the app's own code, found here without the module's scanner."""
    files = [ROOT / "app.py", *(ROOT / "app_pages").rglob("*.py"), *(ROOT / "geo").rglob("*.py")]
    return {name for f in files for name in re.findall(r":material/(\w+):", f.read_text(encoding="utf-8"))}


def test_the_cut_font_keeps_every_icon_the_app_and_streamlit_name_and_is_a_fraction_of_the_whole(
    cut: tuple[bytes, str],
) -> None:
    body, etag = cut
    whole_file = icons.streamlit_font()
    assert whole_file is not None
    whole = icons.ligatures(TTFont(str(whole_file)))
    kept = icons.ligatures(TTFont(io.BytesIO(body)))
    app = _app_icons()
    assert len(app) >= 20, app  # the navigation alone has a dozen
    assert app - set(kept) == set()
    # Streamlit's own: the sidebar's buttons, an expander's arrow, a status box's check, a warning
    assert {
        "keyboard_double_arrow_left",
        "keyboard_double_arrow_right",
        "expand_more",
        "check",
        "warning",
    } <= set(kept)
    # a name nobody uses stays out, and the file is a small part of the whole
    assert "android_cell_dual_4_bar_alert" in whole and "android_cell_dual_4_bar_alert" not in kept
    assert len(kept) < len(whole) / 4
    assert len(body) < whole_file.stat().st_size / 4
    assert body[:4] == b"wOF2" and re.fullmatch(r'"[0-9a-f]{32}"', etag)


def test_a_name_outside_the_subset_keeps_its_letters_so_it_is_blank_not_another_icon() -> None:
    whole_file = icons.streamlit_font()
    assert whole_file is not None
    cut = icons.subset(whole_file, {"home", "map", "no_such_icon"})
    time.sleep(1.1)  # the font's own "modified" time has whole seconds
    assert (
        icons.subset(whole_file, {"no_such_icon", "map", "home"}) == cut
    )  # every process: the same bytes, one ETag
    small = TTFont(io.BytesIO(cut))
    kept = icons.ligatures(small)
    assert {"home", "map"} <= set(kept) and "search" not in kept and "no_such_icon" not in kept
    cmap = small.getBestCmap()
    assert all(ord(c) in cmap for c in "abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode()


class _Client:
    """Requests straight into the ASGI middleware, with Streamlit's own static route standing behind it."""

    def __init__(self) -> None:
        async def streamlit(scope, receive, send):
            await PlainTextResponse("streamlit's own " + scope["path"])(scope, receive, send)

        self.app = icons.IconFont(streamlit)

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> Answer:
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": method,
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        }
        asyncio.run(self.app(scope, receive, send))
        start = sent[0]
        return Answer(
            start["status"],
            {k.decode(): v.decode() for k, v in start["headers"]},
            b"".join(m.get("body", b"") for m in sent[1:]),
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers)

    def post(self, path: str) -> Answer:
        return self.request("POST", path)


def _client() -> _Client:
    return _Client()


def test_the_server_sends_the_cut_font_at_streamlits_address_and_a_304_when_it_is_known(
    cut: tuple[bytes, str],
) -> None:
    body, etag = cut
    client = _client()
    address = "/static/media/MaterialSymbols-Rounded.nEdyypZU.woff2"
    first = client.get(address)
    assert (first.status_code, first.content, first.headers["content-type"]) == (200, body, "font/woff2")
    # the app's next version may keep more icons under Streamlit's same file name: the browser asks again
    assert first.headers["cache-control"] == "no-cache" and first.headers["etag"] == etag
    again = client.get(address, headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    stale = client.get(address, headers={"If-None-Match": '"0"'})
    assert stale.status_code == 200 and stale.content == body
    # under a base path too; everything else goes on to Streamlit
    assert client.get("/karte" + address).content == body
    assert client.get("/static/js/index.js").text == "streamlit's own /static/js/index.js"
    assert client.get("/static/media/SourceSansVF-Upright.ttf.BsWL4Kly.woff2").text.startswith(
        "streamlit's own"
    )
    assert client.post(address).text.startswith("streamlit's own")


def test_when_the_font_cannot_be_cut_streamlits_own_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(icons, "icon_font", lambda: None)
    address = "/static/media/MaterialSymbols-Rounded.nEdyypZU.woff2"
    assert _client().get(address).text == "streamlit's own " + address


def test_a_font_that_cannot_be_read_is_reported_and_none_is_made(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "MaterialSymbols-Rounded.x.woff2"
    broken.write_bytes(b"wOF2 not a font")
    monkeypatch.setattr(icons, "streamlit_font", lambda: broken)
    assert icons._make() is None
    assert "icon font not cut" in caplog.text


def test_a_cut_font_is_kept_for_the_next_process_and_a_broken_one_is_cut_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    made = icons._make()
    assert made is not None
    (kept,) = (tmp_path / "sozialraum-karte").glob("icons-*.woff2")
    assert kept.read_bytes() == made[0]

    def no_cutting(*_args: object) -> bytes:
        raise AssertionError("cut again although a cut font was kept")

    monkeypatch.setattr(icons, "subset", no_cutting)
    assert icons._make() == made  # the next process reads it: same bytes, same ETag
    kept.write_bytes(b"not a font")
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert icons._make() == made and kept.read_bytes() == made[0]
    # a folder that cannot be written: cut all the same
    blocked = tmp_path / "file"
    blocked.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert icons._make() == made
