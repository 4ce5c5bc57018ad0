"""
The Erkunden map as two Streamlit components (Components v2, no iframe): a base and the map itself.

The base component carries the dataset's geometry (`geo.webmap.base_payload`) and loads Leaflet with the
map's code once per browser from ``/_sk/web/`` (`geo.webmap.browser_bundle`, cached for a year under a name
that changes with the code); it is the same message on every rerun, so Streamlit sends it to a browser
session once and then only a reference. The map
component carries the style of the view (a few kilobytes) and runs `geo/web/map.js`, which keeps the
Leaflet map and restyles it. A click on a Sozialraum comes back as the trigger value ``clicked``
(``{"id", "lat", "lng"}``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st

from geo import webmap

_LOADER = """
export default function ({ data }) {
  // the map's code comes once per browser as a file of its own (`webmap.browser_bundle`, cached a year)
  if (!window.__skMount && !document.querySelector("script[data-sk-map]")) {
    const script = document.createElement("script");
    script.src = SK_BUNDLE;
    script.dataset.skMap = "1";
    document.head.appendChild(script);
  }
  window.__skBase = window.__skBase || {};
  const bytes = new Uint8Array(data.buffer || data, data.byteOffset || 0, data.byteLength);
  const cut = bytes.indexOf(10);
  const version = new TextDecoder().decode(bytes.subarray(0, cut));
  if (!window.__skBase[version]) window.__skBase[version] = JSON.parse(new TextDecoder().decode(bytes.subarray(cut + 1)));
}
"""


#: The map component itself: it waits for the code the base brought and hands over (a few hundred bytes,
#: because a component's code travels with every change of its data).
_MAP_STUB = """
export default function (component) {
  const bytes = component.data;
  const text = new TextDecoder().decode(bytes);
  const data = JSON.parse(text.slice(text.indexOf("\\n") + 1));
  let tries = 0;
  const go = () => {
    if (window.__skMount) { window.__skMount({ ...component, data }); return; }
    if ((tries += 1) < 2400) setTimeout(go, 25);  // up to a minute for the code on a slow phone line
  };
  go();
}
"""


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
    _base_component(data=base.encoded, key=f"{key}_base", height="content")
    _map_component(data=webmap.message(style), key=key, on_clicked_change=on_click, height="content")


def clicked(key: str) -> dict[str, Any] | None:
    """The last click on the map with `key` (in its callback): ``{"id", "lat", "lng"}``, else None."""
    getter = getattr(st.session_state.get(key), "get", None)  # the component's state: a dict-like
    value = getter("clicked") if callable(getter) else None
    return value if isinstance(value, dict) else None


# "In meiner Nähe": a button that asks the browser for the phone's position, only when it is pressed (the
# browser then asks the person). The position comes back as the trigger value ``located`` (``{"lat", "lon",
# "accuracy"}``, or ``{"error": code}``) and is used for this one question; the app stores it nowhere.
_LOCATE_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let button = parentElement.querySelector("button.sk-locate");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.className = "sk-locate";
    parentElement.appendChild(button);
    button.addEventListener("click", () => {
      const texts = JSON.parse(button.dataset.texts);
      if (!navigator.geolocation) { setTriggerValue("located", { error: "unsupported" }); return; }
      button.disabled = true;
      button.textContent = texts.busy;
      navigator.geolocation.getCurrentPosition(
        (p) => {
          button.disabled = false;
          button.textContent = texts.label;
          setTriggerValue("located", { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy });
        },
        (e) => {
          button.disabled = false;
          button.textContent = texts.label;
          setTriggerValue("located", { error: String(e.code) });
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
      );
    });
  }
  button.dataset.texts = JSON.stringify(data);
  if (!button.disabled) button.textContent = data.label;
}
"""
_LOCATE_CSS = """
.sk-locate { font: inherit; font-size: 1rem; min-height: 2.5rem; padding: 0.25rem 0.75rem; cursor: pointer;
  color: #31333f; background: #ffffff; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; }
.sk-locate:hover, .sk-locate:focus-visible { border-color: #b30000; color: #b30000; }
.sk-locate:disabled { color: #5f5e5d; cursor: progress; }
"""
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
