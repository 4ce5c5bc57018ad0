"""
Browser tests: a real ``streamlit run`` on 127.0.0.1 and headless Chromium with every outside request blocked.

They need Debian's chromium (``make test`` installs it when run as root) and Playwright for Python. Under
CI (``CI=true``) a missing browser is a failure; elsewhere these tests skip and say why.
Screenshots are kept in ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser]  # grouped per server in conftest.py (`_browser_groups`)

if not (Path(CHROMIUM).exists() and shutil.which("chromium")) and not os.environ.get("CI"):
    pytest.skip(
        f"{CHROMIUM} is not installed (make test installs it as root); browser tests skipped outside CI",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Locator, Page  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402


def _wait_for_login_cookie(pg: Page, timeout_s: float = 30) -> None:
    """Wait until the server has set the login cookie: HttpOnly, so no page script can read it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [c for c in pg.context.cookies() if c["name"] == "sk_session" and c["value"]]
        if found:
            assert found[0]["httpOnly"] and found[0]["sameSite"] == "Strict"
            assert "sk_session" not in pg.evaluate("document.cookie")
            return
        pg.wait_for_timeout(200)
    raise AssertionError("no login cookie")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: Settings of the developer's shell that a test server must not inherit.
_NOT_INHERITED = (
    "DATABASE_URL",
    "SOZIALRAUM_COORDINATOR_HASH",
    "SOZIALRAUM_REQUIRE_LOGIN",
    "SOZIALRAUM_FETCH_HOSTS",
)


def _serve(
    tmp_path_factory: pytest.TempPathFactory,
    extra_env: dict[str, str],
    *,
    user_dir: Path | None = None,
    cwd: Path = ROOT,
    port: int | None = None,
) -> Iterator[str]:
    """`streamlit run sozialraum_karte/server.py` on a free loopback port with a fresh demo dataset; stopped afterwards."""
    from geo.data import demo_dataset

    data = demo_dataset.write(tmp_path_factory.mktemp("browser-demo"))
    os.environ["SOZIALRAUM_BROWSER_DEMO"] = str(data)
    port = port or _free_port()
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env.update(
        {
            "SOZIALRAUM_DATA_DIR": str(data),
            "SOZIALRAUM_USER_DIR": str(user_dir or tmp_path_factory.mktemp("browser-var")),
            **extra_env,
        }
    )
    log = (tmp_path_factory.mktemp("log") / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "sozialraum_karte" / "server.py"),  # the pages and the login cookie's routes
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            # as `sozialraum-karte serve` runs it: Streamlit's file watcher walked every loaded module on each
            # script run (8 page visits: 1.48 CPU-s with it, 0.69 without; a server's first page 3.2 -> 2.0)
            "--server.fileWatcherType",
            "none",
        ],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"streamlit did not start; see {log.name}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


#: The sidebar's transition as the browser computes it: "0s" on a device that asks for less motion (the app's
#: `PAGE_CSS`), Streamlit's 0.3 s slide otherwise.
SIDEBAR_MOTION = "getComputedStyle(document.querySelector('[data-testid=stSidebar]')).transitionDuration"


def new_page(browser: Browser, blocked: list[str] | None = None, **context: Any) -> Page:
    """
    A page in a fresh context of `browser` (`context`: viewport, touch, ...). Requests to anything but
    loopback and local files are blocked, and recorded in `blocked` when given.

    The device asks for less motion (``prefers-reduced-motion``), which the app honours: no transitions, so
    a change of window size or a folding sidebar costs the browser half the work (8 resizes of Erkunden:
    0.7 instead of 1.6 CPU-s). The journeys (`test_browser_access.py`) keep a default device's motion.
    """
    options = {"viewport": {"width": 1280, "height": 900}, "reduced_motion": "reduce", **context}
    pg = browser.new_context(**options).new_page()

    def route(r):
        u = r.request.url
        if u.startswith(("data:", "blob:", "about:", "file:", "http://127.0.0.1", "ws://127.0.0.1")):
            r.continue_()
        else:
            if blocked is not None:
                blocked.append(u)
            r.abort()

    pg.route("**/*", route)
    return pg


@pytest.fixture
def page(chromium: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A Chromium page whose requests to anything but loopback are blocked and recorded."""
    blocked: list[str] = []
    pg = new_page(chromium, blocked)
    yield pg, blocked
    pg.context.close()


#: True once the page has been quiet for a moment: the app's page setup ran, Streamlit is not running the
#: script (`data-test-script-state`, its status widget), no element of a previous run is left (they stay,
#: faded, until the new run replaces them: axe would measure their faded contrast, 3.26:1) and no finite
#: animation or transition is under way. "A moment": the same answer at two polls 120 ms apart.
_QUIET = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  const status = document.querySelector('[data-testid=stStatusWidget]');
  const quiet = !!document.getElementById('sk-page-css') && !!app
    && ['notRunning', 'initial'].includes(app.getAttribute('data-test-script-state'))
    && (!status || !status.innerText.trim())
    && !document.querySelector('[data-stale=true]')
    && document.getAnimations().every((a) => a.playState !== 'running'
      || (a.effect && a.effect.getTiming().iterations === Infinity));
  const now = performance.now();
  if (!quiet) { window.__skQuietSince = undefined; return false; }
  if (window.__skQuietSince === undefined) window.__skQuietSince = now;
  return now - window.__skQuietSince >= 120;
}"""


def settled(pg: Page, *, after_action: bool = True) -> None:
    """
    Wait until the page is quiet (`_QUIET`). After an action (a click, a new address) Streamlit starts the
    rerun a round trip later, so first 200 ms pass; a changed window size needs no rerun.
    """
    if after_action:
        pg.wait_for_timeout(200)
    pg.evaluate("window.__skQuietSince = undefined")
    pg.wait_for_function(_QUIET, timeout=30_000, polling=40)


#: The app's own way to another page (Streamlit answers the browser's Back and Forward so): the address
#: changes and the same session runs the page's script; no new page load, no new session.
_VISIT = """(path) => {
  window.__skVisitFrom = (document.querySelector('h1') || {}).innerText;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}"""


def visit(pg: Page, url: str) -> None:
    """
    Open `url` in the app that `pg` already shows, as its menu does: a script run in the same session
    instead of a new page load (a quarter of Chromium's work and less than half the time: 9 pages took
    2.0 instead of 8.0 CPU-s and 3.3 instead of 7.3 s). A page of another origin, or none yet, is loaded.
    Waits until the page is another (its heading changed) and quiet.
    """
    here, there = urllib.parse.urlsplit(pg.url), urllib.parse.urlsplit(url)
    if (here.scheme, here.netloc) != (there.scheme, there.netloc) or not pg.locator(
        "[data-testid=stApp]"
    ).count():
        pg.goto(url)
        settled(pg)
        return
    path = there.path or "/"
    if there.query:
        path += f"?{there.query}"
    same = (here.path or "/") == (there.path or "/")
    pg.evaluate(_VISIT, path)
    if not same:
        pg.wait_for_function(
            "() => (document.querySelector('h1') || {}).innerText !== window.__skVisitFrom", timeout=30_000
        )
    settled(pg)


def _count_in_frames(pg: Page, selector: str, want: int, timeout_s: float = 45) -> int:
    deadline = time.monotonic() + timeout_s
    best = 0
    while time.monotonic() < deadline:
        best = max((f.locator(selector).count() for f in pg.frames), default=0)
        if best >= want:
            return best
        pg.wait_for_timeout(500)
    return best


_FIND_CLICKABLE = """() => {
  const cx = window.innerWidth / 2, cy = window.innerHeight / 2;
  const found = [];
  for (const p of document.querySelectorAll('path.sk-sozialraum')) {
    const r = p.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (r.width > 12 && document.elementFromPoint(x, y) === p) found.push([Math.hypot(x - cx, y - cy), x, y]);
  }
  found.sort((a, b) => a[0] - b[0]);  // the one nearest the middle of the map, away from controls
  return found.length ? [found[0][1], found[0][2]] : null;
}"""


def _click_a_sozialraum(pg: Page) -> str:
    """A real mouse click on a point that lies on a Sozialraum; returns its ID."""
    pg.locator(".sk-map").scroll_into_view_if_needed()
    settled(pg, after_action=False)
    frame = next(f for f in pg.frames if f.locator("path.sk-sozialraum").count())
    point = frame.evaluate(_FIND_CLICKABLE)
    assert point is not None, "no Sozialraum is visible to click"
    sozialraum_id = frame.evaluate(
        f"document.elementFromPoint({point[0]}, {point[1]}).getAttribute('data-id')"
    )
    pg.mouse.click(point[0], point[1])
    return str(sozialraum_id)


def _click_tab(pg: Page, name: str) -> None:
    """Click a tab once the page has settled: a rerun briefly shows the old and the new page together."""
    tab = pg.get_by_role("tab", name=name, exact=True)
    for _ in range(60):
        if tab.count() == 1:
            break
        pg.wait_for_timeout(250)
    tab.click()


def _url_when(pg: Page, ok: Callable[[str], bool], timeout_s: float = 15) -> str:
    """The page's address once `ok` holds (or the last one seen): it is written at the end of a rerun."""
    end = time.monotonic() + timeout_s
    while not ok(pg.url) and time.monotonic() < end:
        pg.wait_for_timeout(200)
    return pg.url


def _no_error(pg: Page) -> None:
    assert pg.locator("[data-testid=stException]").count() == 0
    errors = pg.locator("[data-testid=stAlertContentError]")
    assert errors.count() == 0, [errors.nth(i).inner_text() for i in range(errors.count())]


def test_explore_map_offline(server: str, page: tuple[Page, list[str]]) -> None:
    pg, blocked = page
    ARTIFACTS.mkdir(exist_ok=True)
    pg.goto(server + "/erkunden")
    shapes = _count_in_frames(pg, "path.sk-sozialraum", 171)
    settled(pg, after_action=False)
    pg.screenshot(path=str(ARTIFACTS / "explore.png"), full_page=True)
    assert shapes == 171
    assert _count_in_frames(pg, "path.sk-welcome-point", 10, timeout_s=5) == 10
    assert _count_in_frames(pg, ".sk-legend", 1, timeout_s=5) == 1
    frame = next(f for f in pg.frames if f.locator(".leaflet-control-scale").count())
    scale = frame.locator(".leaflet-control-scale-line")
    assert scale.count() == 1  # metric only
    assert "Demo-Daten" in frame.locator(".sk-source").inner_text()  # the source line on the map
    a, b = scale.bounding_box(), frame.locator(".sk-source").bounding_box()
    assert a is not None and b is not None
    apart = (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )
    assert apart  # the source line does not cover the scale
    _no_error(pg)
    assert blocked == []


def test_choose_indicator_click_and_see_profile(server: str, page: tuple[Page, list[str]]) -> None:
    pg, blocked = page
    pg.goto(server + "/erkunden")
    assert _count_in_frames(pg, "path.sk-sozialraum", 171) == 171
    pg.get_by_label("Kennzahl", exact=True).click()
    pg.keyboard.type("Kinderarm")
    pg.get_by_role("option", name="Kinderarmut (%)").click()
    settled(pg)
    assert _count_in_frames(pg, ".sk-legend", 1, timeout_s=20) == 1
    legend = next(f for f in pg.frames if f.locator(".sk-legend").count()).locator(".sk-legend").inner_text()
    assert "Kinderarmut (%)" in legend
    clicked = _click_a_sozialraum(pg)
    pg.get_by_text("Bedarfswert (0–100)").wait_for(timeout=30_000)
    assert _count_in_frames(pg, "path.sk-selected", 1, timeout_s=10) == 1
    assert pg.locator("[data-testid=stCaptionContainer]").filter(has_text=f"{clicked} ·").count() >= 1
    # the URL is written at the end of the script run, a moment after the profile appears
    url = _url_when(pg, lambda u: "indikator=kinderarmut" in u and re.search(r"sr=\d{6}", u) is not None)
    assert re.search(r"sr=\d{6}", url), url
    pg.get_by_text("Nächste Welcome Points").scroll_into_view_if_needed()
    pg.screenshot(path=str(ARTIFACTS / "explore-profile.png"))
    # status next to dynamics: the Steckbrief names its dynamics class; the change view recolours the map
    assert (
        pg.get_by_text(re.compile(r"^Veränderung im Mittel pro Jahr: steigend bei mehr als \+1 %")).count()
        == 1
    )
    pg.get_by_text("Veränderung", exact=True).first.click()

    def change_legend() -> bool:
        return any(
            "Veränderung 31.12.2021 – 31.12.2024" in f.locator(".sk-legend").inner_text()
            for f in pg.frames
            if f.locator(".sk-legend").count()
        )

    deadline = time.monotonic() + 30
    while not change_legend() and time.monotonic() < deadline:
        pg.wait_for_timeout(300)
    assert change_legend()
    pg.screenshot(path=str(ARTIFACTS / "explore-change.png"))
    _no_error(pg)
    assert blocked == []


def test_a_new_indicator_recolours_the_same_map(server: str, page: tuple[Page, list[str]]) -> None:
    """The map is built once: a new indicator changes colours and legend in place, no new map element."""
    pg, blocked = page
    pg.goto(server + "/erkunden")
    assert _count_in_frames(pg, "path.sk-sozialraum", 171) == 171
    settled(pg, after_action=False)
    pg.evaluate("document.querySelector('.sk-map').dataset.marker = 'the same map'")
    styled = pg.get_attribute(".sk-map", "data-styled")
    before = pg.evaluate(
        "[...document.querySelectorAll('path.sk-sozialraum')].map(p => p.getAttribute('fill'))"
    )
    pg.get_by_label("Kennzahl", exact=True).click()
    pg.keyboard.type("Kinderarm")
    pg.get_by_role("option", name="Kinderarmut (%)").click()
    pg.wait_for_function(f"document.querySelector('.sk-map').dataset.styled !== '{styled}'", timeout=30_000)
    assert pg.get_attribute(".sk-map", "data-marker") == "the same map"
    assert pg.locator(".sk-map").count() == 1
    after = pg.evaluate(
        "[...document.querySelectorAll('path.sk-sozialraum')].map(p => p.getAttribute('fill'))"
    )
    assert len(after) == 171 and after != before
    assert "Kinderarmut (%)" in pg.locator(".sk-legend").inner_text()
    _no_error(pg)
    assert blocked == []


def test_the_standalone_map_works_from_a_disk_without_network(
    page: tuple[Page, list[str]], demo_dir: Path, tmp_path: Path
) -> None:
    """`python -m geo map`: one file, opened from disk, draws every Sozialraum with no request at all."""
    from geo.__main__ import main

    out = tmp_path / "karte.html"
    assert main(["map", "--data-dir", str(demo_dir), "--out", str(out)]) == 0
    pg, blocked = page
    pg.goto(out.as_uri())
    pg.wait_for_selector("path.sk-sozialraum", timeout=20_000)
    assert pg.locator("path.sk-sozialraum").count() == 171
    assert pg.locator("path.sk-welcome-point").count() == 10
    assert "SGB-II-Quote" in pg.locator(".sk-legend").inner_text()
    assert "Demo-Daten" in pg.locator(".sk-source").inner_text()
    pg.screenshot(path=str(ARTIFACTS / "standalone-map.png"))
    # `geo export --format html` writes the same map (one HTML writer): here the coverage view
    exported = tmp_path / "abdeckung.html"
    assert (
        main(
            [
                "export",
                "--data-dir",
                str(demo_dir),
                "--view",
                "coverage",
                "--format",
                "html",
                "--out",
                str(exported),
            ]
        )
        == 0
    )
    pg.goto(exported.as_uri())
    pg.wait_for_selector("path.sk-sozialraum", timeout=20_000)
    assert pg.locator("path.sk-sozialraum").count() == 171
    assert "Welcome Point" in pg.locator(".sk-legend").inner_text()
    assert "Demo-Daten" in pg.locator(".sk-source").inner_text()
    assert blocked == []


def test_what_if_a_new_welcome_point_on_the_coverage_map(server: str, page: tuple[Page, list[str]]) -> None:
    """Abdeckung: the same map component; in "what if" mode a tap places a hypothetical Welcome Point."""
    pg, blocked = page
    pg.goto(server + "/abdeckung")
    assert _count_in_frames(pg, "path.sk-sozialraum", 171) == 171
    assert pg.locator("path.sk-gap").count() > 10  # gaps marked
    # ... and hatched, a cue besides colour, in the map and in the legend
    fills = pg.eval_on_selector_all("path.sk-gap", "nodes => nodes.map(n => n.getAttribute('fill'))")
    assert all(f.startswith("url(#sk-hatch-") for f in fills), fills[:3]
    assert pg.locator("pattern[id^=sk-hatch-]").count() == 1
    assert pg.locator(".sk-legend .sk-swatch.sk-hatched").count() == 1
    assert pg.locator("path.sk-catchment").count() == 10  # one catchment per demo Welcome Point
    pg.get_by_text("Was wäre, wenn", exact=False).first.click()
    settled(pg)
    _click_a_sozialraum(pg)
    pg.locator("path.sk-pin-hypothetical").first.wait_for(timeout=30_000)
    assert pg.locator("path.sk-catchment").count() == 11  # the new point has its catchment
    _no_error(pg)
    assert blocked == []


def test_a_map_in_a_closed_tab_fits_the_city_when_opened(server: str, page: tuple[Page, list[str]]) -> None:
    """Aktivitäten -> Karte: the map in a tab shows the city, not the world (issue 13 saw the world with folium)."""
    pg, blocked = page
    pg.goto(server + "/aktivitaeten")
    _click_tab(pg, "Karte")
    assert _count_in_frames(pg, "path.sk-sozialraum", 171) == 171
    settled(pg, after_action=False)
    holder = pg.locator(".sk-map").bounding_box()
    city = pg.evaluate(
        """() => { const b = [...document.querySelectorAll('path.sk-sozialraum')].map(p => p.getBoundingClientRect());
        return [Math.min(...b.map(r => r.left)), Math.max(...b.map(r => r.right))]; }"""
    )
    assert holder is not None
    assert city[1] - city[0] > 0.3 * holder["width"]  # the city fills the map (the world view: a few pixels)
    _no_error(pg)
    assert blocked == []


def test_explore_on_a_phone(server: str, page: tuple[Page, list[str]]) -> None:
    pg, _ = page
    pg.set_viewport_size({"width": 390, "height": 844})
    pg.goto(server + "/?indikator=kinderarmut")
    assert _count_in_frames(pg, "path.sk-sozialraum", 171) == 171
    box = pg.locator(".sk-map").bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 400
    legend = next(f for f in pg.frames if f.locator(".sk-legend").count()).locator(".sk-legend details")
    assert legend.get_attribute("open") is None  # folded on a phone, the map stays visible
    assert (
        "Demo-Daten (erfunden)"
        in next(f for f in pg.frames if f.locator(".sk-legend").count()).locator(".sk-legend").inner_text()
    )  # the demo mark stays visible when folded
    pg.locator(".sk-map").scroll_into_view_if_needed()
    settled(pg, after_action=False)
    pg.screenshot(path=str(ARTIFACTS / "explore-phone.png"))
    _click_a_sozialraum(pg)
    metric = pg.get_by_text("Bedarfswert (0–100)")
    metric.wait_for(timeout=30_000)
    metric.scroll_into_view_if_needed()
    settled(pg, after_action=False)
    pg.screenshot(path=str(ARTIFACTS / "explore-phone-profile.png"))
    metric_box = metric.bounding_box()
    assert metric_box is not None
    assert metric_box["x"] + metric_box["width"] <= 390  # the profile fits the phone's width
    _no_error(pg)


def test_data_page(server: str, page: tuple[Page, list[str]]) -> None:
    pg, _ = page
    pg.goto(server + "/daten")
    pg.get_by_text("Aktueller Datensatz").wait_for(timeout=30_000)
    pg.get_by_text("Daten laden und importieren dürfen nur Admins.").wait_for(timeout=30_000)
    pg.screenshot(path=str(ARTIFACTS / "data.png"), full_page=True)
    assert pg.get_by_role("button", name="Jetzt herunterladen").count() == 0  # the public imports nothing
    _no_error(pg)


def _upload(uploader: Locator, path: Path) -> None:
    """Choose a file and wait until the server has it (under load a click right after may miss it)."""
    pg = uploader.page
    with pg.expect_response(lambda r: "/_stcore/upload_file" in r.url and r.ok, timeout=30_000):
        uploader.set_input_files(str(path))
    container = uploader.locator("xpath=ancestor::*[@data-testid='stFileUploader'][1]")
    container.locator(f'[data-testid=stFileChipName][title="{path.name}"]').wait_for(timeout=30_000)
    settled(pg)


def _go_to(pg: Page, name: str) -> None:
    """Open a page from the menu bar: directly, or through the group that holds it (laptop size)."""
    link = pg.locator("[data-testid=stTopNavLink]").filter(has_text=name)
    if link.count():
        link.first.click()
        return
    for group in pg.locator("[data-testid=stTopNavSection]").all():
        group.click()
        label = re.compile(rf"{re.escape(name)}$")  # the icon's name comes first ("groupTandems")
        item = pg.locator("[data-testid=stTopNavDropdownLink]").filter(has_text=label)
        try:
            item.first.wait_for(state="visible", timeout=2_000)
        except PlaywrightTimeout:
            pg.keyboard.press("Escape")
            continue
        item.first.click()
        return
    raise AssertionError(f"no page {name!r} in the menu bar")


def open_section(pg: Page, toggle: Locator, inside: Locator, tries: int = 6) -> None:
    """
    Open an expander (or a sidebar section) by its `toggle` until `inside`, something it holds, is visible.
    A rerun that ends while it opens may draw it closed again: then it is opened once more.
    """
    for _ in range(tries):
        if inside.is_visible():
            return
        toggle.click()
        with contextlib.suppress(PlaywrightTimeout):
            inside.wait_for(state="visible", timeout=5_000)
    inside.wait_for(state="visible", timeout=5_000)


def _log_in(pg: Page, email: str, password: str) -> None:
    """
    Log in with the sidebar form and wait until the sidebar says who is logged in.

    A rerun still under way (the step before started it) may close the login section while it opens, or take
    the button away under the tap: each of up to three attempts opens the section again, fills the form and
    taps, and a tap that found no button counts as a lost tap, not as the end of the test.
    """
    settled(pg)
    email_box = pg.get_by_label("E-Mail-Adresse")
    logged_in = pg.get_by_text(f"Angemeldet: {email}")
    for attempt in range(3):
        try:
            open_section(pg, pg.get_by_text("Anmeldung", exact=True), email_box)
            email_box.fill(email, timeout=10_000)
            pg.get_by_label("Passwort", exact=True).fill(password, timeout=10_000)
            pg.get_by_role("button", name="Anmelden", exact=True).click(timeout=10_000)
            logged_in.wait_for(timeout=30_000)
            return
        except PlaywrightTimeout:
            pg.screenshot(path=str(ARTIFACTS / f"login-attempt-{attempt}.png"))
            if logged_in.count():
                return
    logged_in.wait_for(timeout=30_000)


def _log_out(pg: Page) -> None:
    pg.get_by_role("button", name="Abmelden").click()
    pg.get_by_text("Anmeldung", exact=True).wait_for(timeout=30_000)


ADMIN_EMAIL = "admin@stadt.invalid"
ADMIN_PASSWORD = "ein-admin-passwort"


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory, portal_mirror_server: str) -> Iterator[str]:
    """A server with one real admin account in its (real) register; the local mirror is allowed."""
    from geo.core.access import Principal
    from geo.register import accounts, store

    user_dir = tmp_path_factory.mktemp("admin-var")
    register = store.Register(f"sqlite:///{user_dir / 'register.sqlite'}")
    _id, code = accounts.create_account(register, by=Principal.cli(), email=ADMIN_EMAIL, roles="admin")
    accounts.set_password_with_code(register, ADMIN_EMAIL, code, ADMIN_PASSWORD)
    register.close()
    yield from _serve(tmp_path_factory, {"SOZIALRAUM_FETCH_HOSTS": "127.0.0.1"}, user_dir=user_dir)


@pytest.mark.real_data
def test_load_official_data_on_the_data_page(
    admin_server: str, page: tuple[Page, list[str]], portal_mirror_server: str, tmp_path: Path
) -> None:
    """An admin chooses the official data, logs in, downloads from a (local) mirror, uploads the tables."""
    from tests.conftest import QUARTIERSATLAS, REGISTRY

    pg, _ = page
    portal_mirror = portal_mirror_server
    pg.goto(admin_server + "/daten")
    pg.get_by_text("Aktueller Datensatz").wait_for(timeout=30_000)
    pg.get_by_role(
        "combobox", name="Welche Daten?"
    ).click()  # the real register belongs to the official data, not the demo
    pg.get_by_role("option", name="Offizielle Daten (noch nicht geladen)").click()
    pg.get_by_text("python -m geo demo").first.wait_for(timeout=30_000)  # nothing loaded yet: one sentence
    _log_in(pg, ADMIN_EMAIL, ADMIN_PASSWORD)
    _wait_for_login_cookie(pg)
    pg.reload()  # back on the official data and still logged in, although the demo is the default dataset
    pg.get_by_text(f"Angemeldet: {ADMIN_EMAIL}").wait_for(timeout=30_000)
    settled(pg)
    url_box = pg.get_by_label("Adresse des Ordners mit den Dateien")
    open_section(pg, pg.get_by_text("Andere Adresse (Spiegelserver)"), url_box)
    url_box.fill(portal_mirror)
    url_box.press("Enter")
    settled(pg)
    pg.get_by_role("button", name="Jetzt herunterladen").click()
    pg.get_by_text("Die offiziellen Geodaten wurden geladen").wait_for(timeout=60_000)
    uploaders = pg.locator("[data-testid=stFileUploader] input[type=file]")
    _upload(uploaders.nth(0), QUARTIERSATLAS)
    _upload(uploaders.nth(1), REGISTRY)
    pg.get_by_role("button", name="Importieren").click()
    pg.get_by_text("Die Dateien wurden importiert").wait_for(timeout=60_000)
    settled(pg)
    # the extraction error of 063007 is corrected with its evidence, visibly, and an admin may undo it
    pg.get_by_text("Korrigierte Werte").wait_for(timeout=60_000)
    pg.get_by_text("2.036.643 in der Datei → 2.036").wait_for(timeout=10_000)
    assert pg.get_by_role("button", name="Zurücknehmen").count() == 3
    pg.get_by_text("Hinweise zur Datenqualität").click()
    pg.get_by_text("»Haushalte« = 1.179.359").wait_for(timeout=10_000)  # no evidence: named, left missing
    repairs = pg.get_by_text(re.compile(r"^Beim Import behoben: \d+$"))
    repairs.wait_for(timeout=30_000)
    assert (
        repairs.inner_text().strip() == "Beim Import behoben: 3"
    )  # repaired geometry and names, merged rows
    repairs.click()
    pg.get_by_text("4 ungültige Geometrien wurden repariert").wait_for(timeout=10_000)
    pg.get_by_text("17 Zeilen des Verzeichnisses ergeben 11 Welcome Points").wait_for(timeout=10_000)
    pg.get_by_text("Kein Straßenverzeichnis").wait_for(timeout=10_000)
    # the street directory (made up here: one real street's coordinates, typed in by hand)
    streets = tmp_path / "strassenverzeichnis.csv"
    streets.write_text("Straßenname;Längengrad;Breitengrad\nKönigsallee;6,7797;51,2227\n", encoding="utf-8")
    _upload(uploaders.nth(4), streets)
    pg.get_by_role("button", name="Importieren").click()
    pg.get_by_text("Straßenverzeichnis: 1 Straße").wait_for(timeout=60_000)
    pg.screenshot(path=str(ARTIFACTS / "data-imported.png"), full_page=True)
    _no_error(pg)
    _go_to(pg, "Erkunden")
    pg.get_by_text("Sozialräume erkunden").wait_for(timeout=30_000)
    assert _count_in_frames(pg, "path.sk-sozialraum", 171) == 171
    pg.screenshot(path=str(ARTIFACTS / "explore-official.png"), full_page=True)
    assert _count_in_frames(pg, "path.sk-welcome-point", 11, timeout_s=30) == 11
    assert pg.get_by_text("erfundene Werte und Grenzen").count() == 0
    # the imported street is found by "near me"
    pg.locator("[data-testid=stButtonGroup]").get_by_text("In der Nähe", exact=True).click()
    box = pg.get_by_label("Oder einen Ort eingeben", exact=True)
    box.fill("königsallee")
    box.press("Enter")
    pg.get_by_text("Ausgangspunkt: Königsallee").wait_for(timeout=30_000)
    settled(pg, after_action=False)
    pg.screenshot(path=str(ARTIFACTS / "explore-official.png"), full_page=True)
    _no_error(pg)
    # the Welcome Point in Bilk closed in 2024: recorded in the app, it leaves every distance but stays shown
    _go_to(pg, "Welcome Points")
    pg.get_by_text("Die Liste beginnt mit dem importierten Verzeichnis").wait_for(timeout=30_000)
    close_form = pg.get_by_test_id("stForm").first
    close_form.locator("[data-testid=stSelectbox]").click()
    pg.keyboard.type("Welcome Point Bilk")
    pg.get_by_role("option", name="Welcome Point Bilk", exact=True).click()
    close_form.get_by_label("Grund (optional)").fill("Kürzungen 2024")
    close_form.get_by_role("button", name="Als geschlossen eintragen").click()
    pg.get_by_text("»Welcome Point Bilk« ist als geschlossen eingetragen.").wait_for(timeout=30_000)
    pg.screenshot(path=str(ARTIFACTS / "welcome-points.png"), full_page=True)
    _no_error(pg)
    _go_to(pg, "Erkunden")
    pg.get_by_text("Sozialräume erkunden").wait_for(timeout=30_000)
    assert _count_in_frames(pg, "path.sk-welcome-point-closed", 1, timeout_s=30) == 1
    assert pg.locator("path.sk-welcome-point").count() == 10
    assert pg.get_by_text("Welcome Point, geschlossen").count() >= 1  # in the legend


SENTINEL = "Zzyzx Sentinelname"


def _metric(pg: Page, label: str) -> str:
    return (
        pg.locator("[data-testid=stMetric]")
        .filter(has_text=label)
        .locator("[data-testid=stMetricValue]")
        .inner_text()
    )


def _form(pg: Page, title: str) -> Locator:
    """The one form with `title`, once the page has settled (during a rerun the old copy may still show)."""
    form = pg.locator("[data-testid=stForm]").filter(has_text=title)
    end = time.monotonic() + 30
    while form.count() != 1 and time.monotonic() < end:
        pg.wait_for_timeout(200)
    return form


def test_create_tandem_assign_and_the_gap_list_shrinks(
    coordinator_server: str, page: tuple[Page, list[str]]
) -> None:
    from geo.analysis import coverage, need
    from geo.data import dataset
    from geo.register import demo_register

    pg, blocked = page
    data = dataset.load_dataset(os.environ["SOZIALRAUM_BROWSER_DEMO"])
    result = need.need_index(data.spaces, need.default_components(data.indicator_ids()))
    table = coverage.coverage_table(
        data.spaces,
        data.welcome_points,
        result.score,
        result.need_class,
        pd.DataFrame(columns=["sozialraum_id", "tandem"]),
    )
    seeded = set(sorted(data.spaces["sozialraum_id"])[:2])  # the demo register's two assignments
    gaps = coverage.gaps(table, min_class=2)
    first_gap = gaps.loc[~gaps["sozialraum_id"].isin(seeded), "sozialraum_id"].iloc[0]

    pg.goto(coordinator_server + "/abdeckung")
    pg.get_by_text("Wo Tandems arbeiten und wo sie fehlen").wait_for(timeout=30_000)
    before = int(_metric(pg, "Lücken"))

    pg.goto(coordinator_server + "/tandems")
    _log_in(pg, "koordination@demo.invalid", demo_register.DEMO_PASSWORD)
    for name, languages in ((SENTINEL, "Türkisch, Deutsch"), ("Omar", "Arabisch")):
        form = _form(pg, "Connectorin oder Connector hinzufügen")
        form.get_by_label("Name").fill(name)
        form.get_by_label("Sprachen").fill(languages)
        form.get_by_role("button", name="Speichern").click()
        pg.get_by_text(f"»{name}« wurde gespeichert.").wait_for(timeout=30_000)
    pg.wait_for_function(  # Streamlit idle: a form filled during a rerun is rebuilt and loses its input
        "!document.querySelector('[data-testid=stStatusWidget]')"
        " || !document.querySelector('[data-testid=stStatusWidget]').innerText.trim()",
        timeout=30_000,
    )
    settled(pg)
    _click_tab(pg, "Tandems")
    pg.wait_for_function(  # Streamlit idle: a form filled during a rerun is rebuilt and loses its input
        "!document.querySelector('[data-testid=stStatusWidget]')"
        " || !document.querySelector('[data-testid=stStatusWidget]').innerText.trim()",
        timeout=30_000,
    )
    settled(pg)
    form = _form(pg, "Neues Tandem")
    form.get_by_label("Tandem").fill("Tandem Test")
    members = form.get_by_label("Mitglieder (mindestens zwei)")
    for person in (SENTINEL, "Omar"):  # typed and chosen with Enter: no race with the option list's rendering
        members.click()
        pg.keyboard.type(person)
        pg.get_by_role("option", name=person).wait_for(timeout=10_000)
        pg.keyboard.press("Enter")
        form.locator("[data-testid=stMultiSelectTagsContainer]").get_by_text(person).wait_for(timeout=10_000)
    pg.keyboard.press("Escape")
    tags = form.locator("[data-testid=stMultiSelectTagsContainer]").inner_text()
    assert SENTINEL in tags and "Omar" in tags
    pg.wait_for_function(  # Streamlit idle: a form filled during a rerun is rebuilt and loses its input
        "!document.querySelector('[data-testid=stStatusWidget]')"
        " || !document.querySelector('[data-testid=stStatusWidget]').innerText.trim()",
        timeout=30_000,
    )
    settled(pg)
    form.get_by_role("button", name="Speichern").click()
    saved = pg.get_by_text("Das Tandem »Tandem Test« wurde gespeichert.")
    try:
        saved.wait_for(timeout=30_000)
    except PlaywrightTimeout:
        pg.screenshot(path=str(ARTIFACTS / "tandem-not-saved.png"), full_page=True)
        alerts = [a.inner_text() for a in pg.locator("[role=alert], [data-testid=stAlert]").all()]
        raise AssertionError(f"the tandem was not saved; the page says: {alerts}") from None
    _click_tab(pg, "Zuordnungen")
    form = _form(pg, "Tandem einem Sozialraum zuordnen")
    form.get_by_label("Tandem", exact=True).click()  # the demo register has tandems of its own
    pg.get_by_role("option", name="Tandem Test").click()
    form.get_by_label("Sozialraum").click()
    pg.keyboard.type(first_gap)
    pg.get_by_role("option").filter(has_text=first_gap).first.click()
    form.get_by_role("button", name="Speichern").click()
    pg.get_by_text("»Tandem Test« arbeitet jetzt in").wait_for(timeout=30_000)
    pg.screenshot(path=str(ARTIFACTS / "tandems-coordinator.png"))
    _no_error(pg)

    _go_to(pg, "Wo Tandems fehlen")
    pg.get_by_text("Wo Tandems arbeiten und wo sie fehlen").wait_for(timeout=30_000)
    end = time.monotonic() + 20
    while int(_metric(pg, "Lücken")) != before - 1 and time.monotonic() < end:
        pg.wait_for_timeout(250)  # the page may still be finishing its rerun
    assert int(_metric(pg, "Lücken")) == before - 1
    assert _count_in_frames(pg, "path.sk-covered", 3, timeout_s=20) == 3  # two seeded demo assignments + ours
    pg.screenshot(path=str(ARTIFACTS / "coverage-after.png"))
    _no_error(pg)

    _log_out(pg)
    _go_to(pg, "Tandems")
    pg.get_by_text("Namen und Kontakte der Connectors").wait_for(timeout=30_000)
    pg.screenshot(path=str(ARTIFACTS / "tandems-public.png"))
    pg.get_by_text("Tandem Test").first.wait_for(state="attached", timeout=30_000)  # a grid cell
    assert pg.get_by_text(SENTINEL).count() == 0  # the public view shows no connector names
    assert blocked == []


def test_log_a_concern_answer_it_and_read_the_answer(
    coordinator_server: str, page: tuple[Page, list[str]]
) -> None:
    from geo.core import i18n
    from geo.register import demo_register

    pg, blocked = page
    pg.goto(coordinator_server + "/anliegen")
    pg.get_by_text("Anliegen und Rückmeldungen").wait_for(timeout=30_000)
    pg.get_by_text("Bitte melden Sie sich an.").first.wait_for(timeout=30_000)  # the public logs nothing
    _log_in(pg, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    _wait_for_login_cookie(pg)
    pg.reload()  # a reload (or a phone waking up) keeps the login: the session cookie carries it
    pg.get_by_text("Angemeldet: connector@demo.invalid").wait_for(timeout=30_000)
    form = _form(pg, "Problembeschreibung")
    form.get_by_label("Thema", exact=True).fill("Spielplatz an der Ecke kaputt")
    # Markdown image syntax must stay text: rendered, every reader's browser would fetch it from outside
    form.get_by_label("Problembeschreibung").fill(
        "Die Schaukel ist seit Wochen abgesperrt. ![Foto](http://tracker.invalid/p.png) **laut**"
        " Mehr: www.tracker.invalid/a, https://tracker.invalid/b, [hier](http://tracker.invalid/c) x@tracker.invalid"
    )
    form.get_by_label(i18n.translate("concerns.sozialraum_one", "de")).click()
    pg.keyboard.type("011001")
    assert pg.get_by_role("option").filter(has_text="Select").count() == 0  # no "Select N matches"
    pg.get_by_role("option").filter(has_text="011001").first.click()
    form.get_by_role("button", name="Speichern").click()
    pg.get_by_text("Das Anliegen »Spielplatz an der Ecke kaputt« wurde gespeichert.").first.wait_for(
        timeout=30_000
    )

    _log_out(pg)
    _log_in(pg, "koordination@demo.invalid", demo_register.DEMO_PASSWORD)
    _click_tab(pg, "Alle Anliegen")
    shown = pg.get_by_text("Die Schaukel ist seit Wochen abgesperrt. ![Foto](").first
    shown.wait_for(timeout=30_000)  # shown as written (an invisible word joiner keeps addresses text)
    assert "![Foto](http://tracker.invalid/p.png) **laut**" in shown.inner_text().replace("\u2060", "")
    # neither Markdown nor a bare web address in what a connector wrote becomes a link or an image here (an
    # e-mail address may become a mailto: link: it fetches nothing, and copied from the page it still works)
    links = pg.locator("a[href*='tracker'], img[src*='tracker']")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["mailto:x@tracker.invalid"]
    answer = _form(pg, "Antworten (Koordination)")
    answer.get_by_label("Status").click()
    pg.get_by_role("option", name="weitergeleitet").click()
    answer.get_by_role("textbox", name="Kommentar").fill("Das Gartenamt repariert die Schaukel bis Ende Mai.")
    answer.get_by_text("Öffentlich zeigen").click()  # now everyone may read topic, status and answer
    answer.get_by_role("button", name="Rückmeldung speichern").click()
    pg.get_by_text("ist jetzt weitergeleitet").first.wait_for(timeout=30_000)
    _log_out(pg)
    pg.reload()  # after logout a reload stays logged out
    pg.get_by_text("Anmeldung", exact=True).wait_for(timeout=30_000)
    assert pg.get_by_text("Angemeldet:").count() == 0

    _click_tab(pg, "Rückmeldungen")
    pg.get_by_text("Das Gartenamt repariert die Schaukel bis Ende Mai.").wait_for(timeout=30_000)
    assert pg.get_by_text("Spielplatz an der Ecke kaputt · weitergeleitet").count() == 1
    pg.screenshot(path=str(ARTIFACTS / "concerns-feedback.png"))
    _click_tab(pg, "Alle Anliegen")  # the public sees the topic, never the description or the tandem
    # the panel shown before stays in the page, hidden, until the new one is drawn
    pg.locator("p:visible", has_text="Sie sehen die öffentlich gemachten Anliegen").first.wait_for(
        timeout=30_000
    )
    assert pg.get_by_text("Die Schaukel ist seit Wochen abgesperrt.").count() == 0
    _no_error(pg)
    assert blocked == []


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[str]:
    """An OpenID Connect provider (oidc-provider-mock) on 127.0.0.1 with one predefined user."""
    import json

    port = _free_port()
    ana = {
        "sub": "ana",
        "email": "Ana.Koordination@stadt.invalid",
        "email_verified": True,
        "name": "Ana",
        "groups": ["sk-koordination"],
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-W",
            "ignore",
            "-m",
            "oidc_provider_mock",
            "--port",
            str(port),
            "--user-claims",
            json.dumps(ana),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("oidc-provider-mock did not start")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory: pytest.TempPathFactory, oidc_provider: str) -> Iterator[str]:
    """
    The app as a city runs it: `st.login` against the provider, roles from the `groups` claim.

    Its working folder holds `.streamlit/secrets.toml` (Streamlit reads it from there); the data shown are
    not the demo (the demo keeps its own demo accounts).
    """
    import json

    cwd = tmp_path_factory.mktemp("oidc-cwd")
    (cwd / ".streamlit").mkdir()
    shutil.copy(ROOT / ".streamlit" / "config.toml", cwd / ".streamlit" / "config.toml")
    port = _free_port()
    (cwd / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "ein-test-geheimnis-das-lang-genug-ist"\n'
        'client_id = "sozialraum-karte"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = {"SOZIALRAUM_OIDC_ROLE_CLAIM": "groups", "SOZIALRAUM_OIDC_ROLE_MAP": "sk-koordination=coordinator"}
    served = _serve(tmp_path_factory, env, cwd=cwd, port=port)
    url = next(served)
    data = Path(os.environ["SOZIALRAUM_BROWSER_DEMO"])
    meta = json.loads((data / "dataset.json").read_text(encoding="utf-8"))
    meta.update(demo=False, title="Offizielle Daten (Test)")
    (data / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")  # read on every page view
    yield url
    for _ in served:
        pass


def test_login_through_the_citys_identity_provider(oidc_server: str, page: tuple[Page, list[str]]) -> None:
    """OpenID Connect end to end: st.login, the provider's page, back with the role from the groups claim."""
    pg, blocked = page
    pg.goto(oidc_server + "/tandems")
    pg.get_by_text("Tandems").first.wait_for(timeout=30_000)
    assert pg.get_by_role("tab", name="Connectoren", exact=True).count() == 0
    pg.get_by_text("Anmeldung", exact=True).click()
    pg.get_by_role("button", name="Mit dem Konto der Stadt anmelden").click()
    pg.get_by_role("button", name="ana", exact=True).click()  # the provider's page: a predefined user
    pg.get_by_text("Angemeldet: ana.koordination@stadt.invalid (Koordination)").wait_for(timeout=30_000)
    pg.goto(oidc_server + "/tandems")
    pg.get_by_role("tab", name="Connectoren", exact=True).wait_for(timeout=30_000)
    pg.screenshot(path=str(ARTIFACTS / "oidc-coordinator.png"))
    _no_error(pg)
    pg.get_by_role("button", name="Abmelden").click()
    # st.logout ends the session at the provider too (RP-initiated logout), which then sends the person back
    pg.get_by_role("button", name="End session").click()
    pg.get_by_text("Sozialraum-Karte Düsseldorf").wait_for(timeout=30_000)  # back on the start page
    pg.goto(oidc_server + "/tandems")
    pg.get_by_text("Es gibt noch keine aktiven Tandems.").wait_for(timeout=30_000)  # the public view again
    pg.screenshot(path=str(ARTIFACTS / "oidc-after-logout.png"))
    assert pg.locator("summary").filter(has_text="Anmeldung").count() == 1
    assert pg.get_by_text("Angemeldet:").count() == 0  # st.logout cleared the login cookie too
    # the only outside requests came from the mock provider's own page (its stylesheet), none from the app
    assert [u for u in blocked if "picocss" not in u] == []


@pytest.mark.real_data
def test_an_admin_imports_another_citys_files_on_the_data_page(
    admin_server: str, page: tuple[Page, list[str]]
) -> None:
    """Berlin's files as published, several at once, read with the Berlin profile; the app then speaks Berlin."""
    from tests.test_city import _berlin_files

    pg, _ = page
    pg.goto(admin_server + "/daten")
    pg.get_by_text("Aktueller Datensatz").wait_for(timeout=30_000)
    pg.get_by_role("combobox", name="Welche Daten?").click()  # the real register: not the demo's
    pg.get_by_role("option", name=re.compile(r"^Offizielle Daten")).first.click()
    settled(pg)
    _log_in(pg, ADMIN_EMAIL, ADMIN_PASSWORD)
    _wait_for_login_cookie(pg)
    pg.reload()
    pg.get_by_text(f"Angemeldet: {ADMIN_EMAIL}").wait_for(timeout=30_000)
    pg.get_by_text("Daten einer anderen Stadt").wait_for(timeout=60_000)
    box = pg.get_by_role("combobox", name="Stadtprofil")
    for _ in range(6):  # a rerun may close the list while it opens
        box.click()
        try:
            pg.get_by_role("option", name="Berlin", exact=True).click(timeout=5_000)
        except PlaywrightTimeout:
            pg.keyboard.press("Escape")
            continue
        settled(pg)
        if "Berlin" in pg.locator("[data-testid=stSelectbox]").filter(has_text="Stadtprofil").inner_text():
            break
    files = [p for p in _berlin_files() if p.suffix != ".md"]
    uploaded: list[str] = []
    pg.on("response", lambda r: uploaded.append(r.url) if "/_stcore/upload_file" in r.url and r.ok else None)
    pg.locator("[data-testid=stFileUploader] input[type=file]").last.set_input_files([str(p) for p in files])
    deadline = time.monotonic() + 60
    while len(uploaded) < len(files) and time.monotonic() < deadline:  # one request per file
        pg.wait_for_timeout(250)
    assert len(uploaded) >= len(files), (len(uploaded), len(files))
    pg.wait_for_timeout(500)
    pg.get_by_role("button", name="Prüfen und einlesen").click()
    pg.get_by_text("Berlin: 542 Gebiete eingelesen").wait_for(timeout=120_000)
    # the rest of the page follows the flash: the run has ended when the (old) notice about no data is gone
    pg.locator("[data-testid=stAlertContentError]").first.wait_for(state="detached", timeout=60_000)
    pg.get_by_text("Berlin: Planungsräume", exact=True).last.wait_for(timeout=60_000)
    pg.screenshot(path=str(ARTIFACTS / "data-city-imported.png"), full_page=True)
    _no_error(pg)
    _go_to(pg, "Erkunden")
    pg.get_by_text("Planungsräume erkunden").wait_for(timeout=60_000)
    assert _count_in_frames(pg, "path.sk-sozialraum", 542, timeout_s=60) == 542
    pg.screenshot(path=str(ARTIFACTS / "explore-berlin.png"), full_page=True)
    _no_error(pg)
