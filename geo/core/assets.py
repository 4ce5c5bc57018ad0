"""
Scripts and styles that maps need, taken from installed packages, never from a public host.

Leaflet 1.9.4 comes from the PyPI package `django-js-lib-leaflet`. The app's map (`geo.output.webmap`) inlines it,
in the app and in the HTML export, so the exported file works with no network access.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

_LEAFLET = ("js_lib_leaflet", "static", "js_lib_leaflet")


@cache
def leaflet_file(name: str) -> bytes:
    """A file of the installed Leaflet distribution, for example ``leaflet.js``."""
    package, *parts = _LEAFLET
    return resources.files(package).joinpath(*parts, name).read_bytes()
