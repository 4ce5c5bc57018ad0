"""
Scripts and styles that maps need, taken from installed packages, never from a public host.

Leaflet 1.9.4 comes from the PyPI package `django-js-lib-leaflet`. The app's map (`geo.webmap`) inlines it;
folium maps (the HTML export of a view) reference it as `data:` URIs, so they work as standalone files with
no network access.
"""

from __future__ import annotations

import base64
from functools import cache
from importlib import resources

_LEAFLET = ("js_lib_leaflet", "static", "js_lib_leaflet")


@cache
def leaflet_file(name: str) -> bytes:
    """A file of the installed Leaflet distribution, for example ``leaflet.js``."""
    package, *parts = _LEAFLET
    return resources.files(package).joinpath(*parts, name).read_bytes()


def data_uri(content: bytes, mime: str) -> str:
    """`content` as a base64 `data:` URI."""
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


@cache
def leaflet_links() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """
    Folium-style `(name, url)` lists of Leaflet's script and stylesheet, as `data:` URIs.

    Returns
    -------
    tuple
        ``(default_js, default_css)`` to set on a `folium.Map` instead of its CDN links.
    """
    js = [("leaflet", data_uri(leaflet_file("leaflet.js"), "text/javascript"))]
    css = [("leaflet_css", data_uri(leaflet_file("leaflet.css"), "text/css"))]
    return js, css
