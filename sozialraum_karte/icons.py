"""
The icon font of a first visit, cut to the icons this app and Streamlit can draw.

Streamlit draws every icon of a page (the menu's, an expander's arrow, the sidebar's button, an alert's) as a
ligature of the Material Symbols font: the text ``expand_more`` in that font is one glyph. The font holds
about 4,300 icons in 366 KiB, a third of a first visit behind the documented nginx (issue 30), and a page
shows about twenty. `IconFont`, a middleware of the app's server, answers Streamlit's own address of that
font (``/static/media/MaterialSymbols-Rounded.<hash>.woff2``) with a subset of it (`subset`) that keeps:

- every ``:material/name:`` in this app's code (`app.py`, `app_pages`, `geo`, `sozialraum_karte`),
- every ``:material/name:`` in Streamlit's Python package (the icons it sets itself, e.g. on a status box),
- every string in Streamlit's browser code that is the name of an icon (its own buttons name theirs so),

about 500 icons in about 50 KiB. Nothing else changes: the letters stay, so a name outside the subset would
show as blank space, not as a wrong icon; the browser tests check on every page and tab that each icon was
drawn as one (`tests/test_browser_access.py::_axe`). The subset is made when the server starts, in a worker thread
(about 1.5 s of CPU), and kept in ``$XDG_CACHE_HOME/sozialraum-karte`` for the next process of the same
Streamlit and icons; if it cannot be made, Streamlit's own file is sent. The answer
says ``no-cache`` with an ETag: the subset may grow with the app's next version under Streamlit's same file
name, so a browser asks again and gets a 304 of a few hundred bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import streamlit
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

_log = logging.getLogger("sozialraum_karte.icons")

#: Streamlit's address of the font (its file name carries a hash of Streamlit's build).
FONT_PATH = re.compile(r"/static/media/MaterialSymbols-Rounded\.[A-Za-z0-9_-]+\.woff2$")
#: ``:material/name:``, the way Streamlit names an icon in Python and in its browser code.
NAMED = re.compile(r":material/([a-z0-9_]+):")
#: A string literal in JavaScript made only of the characters of icon names.
LITERAL = re.compile(r"[\"'`]([a-z0-9_]+)[\"'`]")

#: The app's code: the folder holding ``app.py``, the pages, `geo` and this package.
ROOT = Path(__file__).resolve().parent.parent
APP_CODE = ("app.py", "app_pages", "geo", "sozialraum_karte")


def streamlit_static() -> Path:
    """Streamlit's built browser files (``static/static``: ``js``, ``css``, ``media``)."""
    return Path(streamlit.__file__).resolve().parent / "static" / "static"


def streamlit_font() -> Path | None:
    """Streamlit's Material Symbols font file, or None when this Streamlit has none."""
    found = sorted((streamlit_static() / "media").glob("MaterialSymbols-Rounded.*.woff2"))
    return found[0] if found else None


def _texts(paths: Iterable[Path]) -> Iterable[str]:
    for path in paths:
        try:
            yield path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue


def _python_files(root: Path, names: Iterable[str]) -> Iterable[Path]:
    for name in names:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from path.rglob("*.py")


def app_icons() -> set[str]:
    """Every ``:material/name:`` in this app's code."""
    return {name for text in _texts(_python_files(ROOT, APP_CODE)) for name in NAMED.findall(text)}


def candidate_icons() -> set[str]:
    """
    Every name that may be an icon (see the module's docstring), before the font is asked which are.

    Reads Streamlit's 22 MB of browser code: done only when no process has cut the font for this Streamlit
    and these app icons before (`_make`).
    """
    wanted = app_icons()
    for text in _texts(Path(streamlit.__file__).resolve().parent.rglob("*.py")):
        wanted |= set(NAMED.findall(text))
    for text in _texts((streamlit_static() / "js").glob("*.js")):
        wanted |= set(NAMED.findall(text))
        wanted |= set(LITERAL.findall(text))
    return wanted


def wanted_icons(ligatures: Iterable[str]) -> set[str]:
    """The icon names the subset keeps: the candidates the font knows (`ligatures` are its names)."""
    return candidate_icons() & set(ligatures)


def ligatures(font: object) -> dict[str, str]:
    """The font's icon names (the text a ligature replaces) and the glyph each becomes."""
    characters = {glyph: chr(code) for code, glyph in font.getBestCmap().items()}  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:  # type: ignore[index]
        for wrapped in lookup.SubTable:
            table = getattr(wrapped, "ExtSubTable", wrapped)  # an extension lookup wraps the real one
            for first, entries in getattr(table, "ligatures", {}).items():
                for entry in entries:
                    parts = [first, *entry.Component]
                    if all(p in characters for p in parts):
                        found["".join(characters[p] for p in parts)] = entry.LigGlyph
    return found


def subset(font_file: Path, names: set[str] | None = None) -> bytes:
    """
    `font_file` (WOFF2) cut to the icons `names` (default `wanted_icons`), as WOFF2.

    The letters the names are written with stay; a name the font does not know is left out.
    """
    from fontTools import subset as cut  # noqa: PLC0415 - only when the font is first asked for
    from fontTools.ttLib import TTFont  # noqa: PLC0415

    font = TTFont(str(font_file), recalcTimestamp=False)  # the same bytes in every process: one ETag for all
    known = ligatures(font)
    keep = wanted_icons(known) if names is None else names & set(known)
    options = cut.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.layout_closure = (
        False  # keep only the ligatures of the icons kept, not every one their letters spell
    )
    subsetter = cut.Subsetter(options)
    letters = sorted({ord(c) for name in known for c in name})
    subsetter.populate(glyphs=[known[n] for n in sorted(keep)], unicodes=letters)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


_lock = threading.Lock()
_made: dict[str, tuple[bytes, str] | None] = {}


def icon_font() -> tuple[bytes, str] | None:
    """The subset of Streamlit's font and its ETag, made once per process; None if it cannot be made."""
    with _lock:
        if "font" not in _made:
            _made["font"] = _make()
        return _made["font"]


#: Renewed when the way of cutting changes, so that no process reads a font cut the old way.
CUT_VERSION = "3"


def cache_folder() -> Path:
    """Where cut fonts are kept for the next process: ``$XDG_CACHE_HOME/sozialraum-karte`` (``~/.cache/…``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sozialraum-karte"


def _make() -> tuple[bytes, str] | None:
    """
    Cut the font, or read the cut a process before made of the same font and icons (`cache_folder`).

    Cutting takes about 1.5 s of CPU (the WOFF2 file is unpacked whole) and reading Streamlit's code for its
    icons leaves tens of MiB behind in the process; a process that finds the cut reads only the app's own
    code (the key: Streamlit's version and font file, the app's icons) and never loads fontTools.
    """
    font_file = streamlit_font()
    if font_file is None:
        return None
    try:
        # Streamlit's icons change only with Streamlit: its version and font file stand for them in the key
        parts = [CUT_VERSION, streamlit.__version__, font_file.name, str(font_file.stat().st_size)]
        key = hashlib.sha256("\n".join([*parts, *sorted(app_icons())]).encode()).hexdigest()[:24]
        kept = cache_folder() / f"icons-{key}.woff2"
        body = _read_kept(kept)
        if body is None:
            from fontTools.ttLib import TTFont  # noqa: PLC0415 - only when no process cut it before

            known = ligatures(TTFont(str(font_file)))  # the icon names only: no glyph is unpacked
            body = subset(font_file, candidate_icons() & set(known))
            _keep(kept, body)
            _log.info("icon font cut: %d -> %d bytes", font_file.stat().st_size, len(body))
    except Exception as exc:  # any failure: Streamlit's own font is sent, the page still works
        _log.warning("icon font not cut, Streamlit's own is sent: %s", exc)
        return None
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _read_kept(path: Path) -> bytes | None:
    try:
        body = path.read_bytes()
    except OSError:
        return None
    return body if body[:4] == b"wOF2" else None


def _keep(path: Path, body: bytes) -> None:
    """Write the cut font for the next process, whole or not at all; a folder that refuses is no error."""
    written: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".icons-", delete=False) as out:
            written = Path(out.name)
            out.write(body)
        written.replace(path)
    except OSError as exc:
        _log.info("cut icon font not kept in %s: %s", path.parent, exc)
        if written is not None:
            written.unlink(missing_ok=True)


class IconFont:
    """ASGI middleware: Streamlit's icon font address answered with `icon_font` (else passed on)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The cut font for a GET or HEAD of the font's address (a 304 when the browser has it); else Streamlit."""
        if (
            scope["type"] != "http"
            or scope.get("method") not in ("GET", "HEAD")
            or not FONT_PATH.search(scope.get("path", ""))
        ):
            await self.app(scope, receive, send)
            return
        made = await asyncio.to_thread(icon_font)
        if made is None:
            await self.app(scope, receive, send)
            return
        body, etag = made
        headers = {"Cache-Control": "no-cache", "ETag": etag}
        if Headers(scope=scope).get("if-none-match") == etag:
            response = Response(status_code=304, headers=headers)
        else:
            response = Response(body, media_type="font/woff2", headers=headers)
        await response(scope, receive, send)
