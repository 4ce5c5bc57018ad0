"""
The Erkunden map as two Streamlit components (Components v2, no iframe): a base and the map itself.

The base component carries the address of the dataset's geometry (`geo.output.webmap.base_payload`, handed out
by the server at ``/_sk/base/<version>.json``, gzipped and named after its content, so a browser keeps it)
and loads Leaflet with the map's code once per browser from ``/_sk/web/`` (`geo.output.webmap.browser_bundle`,
cached for a year under a name that changes with the code). The map
component carries the style of the view (a few kilobytes) and runs `geo/output/web/map.js`, which keeps the
Leaflet map and restyles it. A click on a Sozialraum comes back as the trigger value ``clicked``
(``{"id", "lat", "lng"}``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st

from app_pages.ui.scripts import read_script
from geo.output import webmap

_LOADER = read_script("map-loader.js")


#: The map component itself: it waits for the code the base brought and hands over (a few hundred bytes,
#: because a component's code travels with every change of its data).
_MAP_STUB = read_script("map-stub.js")


def _loader_js() -> str:
    name, _code = webmap.browser_bundle()
    return _LOADER.replace("SK_BUNDLE", json.dumps(webmap.BUNDLE_PATH + name))


_base_component = st.components.v2.component("sk_map_base", js=_loader_js())
_map_component = st.components.v2.component("sk_map", js=_MAP_STUB, isolate_styles=False)


def show_map(
    base: webmap.Base,
    style: dict[str, Any],
    *,
    key: str,
    on_click: Callable[[], None],
) -> None:
    """Mount the base (sent once) and the map (restyled); `on_click` runs before the script on a click."""
    _base_component(data=webmap.publish(base), key=f"{key}_base", height="content")
    _map_component(data=webmap.message(style), key=key, on_clicked_change=on_click, height="content")


def clicked(key: str) -> dict[str, Any] | None:
    """The last click on the map with `key` (in its callback): ``{"id", "lat", "lng"}``, else None."""
    getter = getattr(st.session_state.get(key), "get", None)  # the component's state: a dict-like
    value = getter("clicked") if callable(getter) else None
    return value if isinstance(value, dict) else None


# "In meiner Nähe": a button that asks the browser for the phone's position, only when it is pressed (the
# browser then asks the person). The position comes back as the trigger value ``located`` (``{"lat", "lon",
# "accuracy"}``, or ``{"error": code}``) and is used for this one question; the app stores it nowhere.
_LOCATE_JS = read_script("locate.js")
_LOCATE_CSS = read_script("locate.css")
_locate_component = st.components.v2.component("sk_locate", js=_LOCATE_JS, css=_LOCATE_CSS)


def locate_button(label: str, busy: str, *, key: str, on_located: Callable[[], None]) -> None:
    """The "near me" button; `on_located` runs before the script when the browser answered."""
    _locate_component(
        data={"label": label, "busy": busy}, key=key, on_located_change=on_located, height="content"
    )


def located(key: str) -> dict[str, Any] | None:
    """The browser's last answer to the button with `key` (in its callback), else None."""
    getter = getattr(st.session_state.get(key), "get", None)  # the component's state: a dict-like
    value = getter("located") if callable(getter) else None
    return value if isinstance(value, dict) else None
