"""
Browser tests of accessibility, languages and the phone: axe-core on every page, the keyboard alone, the map in
the first screen, right to left, "near me".

A file of their own so that `make test` can run them beside the other browser tests (pytest-xdist, one file per
worker); servers, pages and helpers come from `tests/test_browser.py`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_browser import (
    ARTIFACTS,
    SIDEBAR_MOTION,
    Browser,
    Page,
    PlaywrightTimeout,
    _click_a_sozialraum,
    _click_tab,
    _form,
    _log_in,
    _log_out,
    _no_error,
    _serve,
    new_page,
    page,
    settled,
    visit,
)

pytestmark = [pytest.mark.browser]  # grouped per server in conftest.py (`_browser_groups`)


# --- accessibility (axe-core, WCAG 2.1 A/AA) -------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


_STREAMLIT_ENGLISH = """([exact, patterns]) => {
  const hits = [];
  const english = (v) => v && (exact.includes(v.trim()) || patterns.some((p) => new RegExp(p).test(v.trim())));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (english(n.nodeValue)) hits.push(n.nodeValue.trim());
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]'))
    for (const a of ['aria-label', 'title', 'placeholder']) if (english(el.getAttribute(a))) hits.push(a + '=' + el.getAttribute(a));
  return hits;
}"""


def _streamlit_english(pg: Page) -> list[str]:
    """Streamlit's own English texts still on the page (they should be in the page's language)."""
    from geo.core import i18n

    patterns = [regex for regex, _key, _where in i18n.STREAMLIT_PATTERNS]
    return list(pg.evaluate(_STREAMLIT_ENGLISH, [list(i18n.STREAMLIT_TEXTS), patterns]))


def _axe(pg: Page, where: str, found: dict[str, list[dict]], *, after_action: bool = True) -> list[str]:
    """
    Run axe-core on the page; returns the critical and serious violations, records the rest.

    Streamlit's own English texts left on a German page count as violations too (WCAG 3.1.2, language of parts).
    """
    from axe_playwright_python.sync_playwright import Axe

    settled(pg, after_action=after_action)
    bad = [f"{where}: Streamlit's English text {text!r}" for text in _streamlit_english(pg)]
    bad += [
        f"{where}: the icon {name!r} is not drawn (not in the icon font's subset?)"
        for name in _icons_not_drawn(pg)
    ]
    # resultTypes: only violations are reported in full (passes and the rest are cut to one node: faster)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = Axe().run(pg, options=options)
    for v in result.response["violations"]:
        entry = {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "help": v["help"]}
        if v["impact"] in ("critical", "serious"):
            node = v["nodes"][0]
            summary = " ".join(node.get("failureSummary", "").split())[:200]
            bad.append(f"{where}: {v['id']} ({v['impact']}) {node.get('html', '')[:120]} -- {summary}")
        else:
            found.setdefault(where, []).append(entry)
    return bad


#: Each leaf set in the Material Symbols font whose text did not become one icon: an icon's ligature makes a
#: glyph about one em wide, a name the font lacks is as wide as its letters (`sozialraum_karte.icons`).
ICONS_NOT_DRAWN = """async () => {
  await document.fonts.ready;
  return [...document.querySelectorAll('span, i, div')]
    .filter((e) => e.childElementCount === 0 && e.textContent.trim()
      && getComputedStyle(e).fontFamily.includes('Material Symbols'))
    .filter((e) => {
      const text = document.createRange();  // the text's own extent: the icon's box is one em, whatever it holds
      text.selectNodeContents(e);
      return text.getBoundingClientRect().width > 1.6 * parseFloat(getComputedStyle(e).fontSize);
    })
    .map((e) => e.textContent.trim());
}"""


def _icons_not_drawn(pg: Page) -> list[str]:
    return sorted(set(pg.evaluate(ICONS_NOT_DRAWN)))


#: The sizes every settled state is checked at: a laptop (the projector's size too) and a phone.
AXE_VIEWPORTS = ((1366, 768), (390, 844))


def _axe_both(pg: Page, where: str, found: dict[str, dict[str, list[dict]]]) -> list[str]:
    """
    axe on the settled page at both `AXE_VIEWPORTS`, the laptop's last (the sweep goes on at laptop size).

    One sweep, navigated once, instead of one per size (issue 31: the suite under six minutes).
    """
    bad: list[str] = []
    for i, (width, height) in enumerate(reversed(AXE_VIEWPORTS)):
        pg.set_viewport_size({"width": width, "height": height})
        size = f"{width}x{height}"
        bad += _axe(pg, f"{where} @{size}", found.setdefault(size, {}), after_action=i == 0)
    return bad


def _every_tab(pg: Page, where: str, found: dict[str, dict[str, list[dict]]]) -> list[str]:
    """axe on the page and on each of its tabs, shown one after another, each at both sizes."""
    bad = _axe_both(pg, where, found)
    names = [t.inner_text().strip() for t in pg.get_by_role("tab").all()]
    for name in names[1:]:
        _click_tab(pg, name)
        bad += _axe_both(pg, f"{where} [{name}]", found)
    return bad


#: The sweep in two halves that run beside each other (pytest-xdist): as a visitor, and as a coordinator.
AXE_PARTS = [
    pytest.param(part, marks=pytest.mark.xdist_group(f"axe-{part}"), id=part)
    for part in ("visitor", "coordinator")
]


@pytest.mark.parametrize("part", AXE_PARTS)
def test_every_page_passes_axe_and_speaks_its_language(
    coordinator_server: str, page: tuple[Page, list[str]], part: str
) -> None:
    """
    0 critical and 0 serious axe findings on every page and tab, logged out and as coordinator, each state
    checked at laptop and at phone size (one sweep; before issue 31 there was one sweep per size). Findings
    below serious go to `test-artifacts/axe-findings-{part}.json`.
    """
    import json

    from geo.register import demo_register

    pg, blocked = page
    pg.set_viewport_size({"width": 1366, "height": 768})
    found: dict[str, dict[str, list[dict]]] = {}
    bad: list[str] = []
    if part == "visitor":
        pg.goto(coordinator_server + "/erkunden")
        pg.locator("path.sk-sozialraum").first.wait_for(timeout=45_000)
        settled(pg, after_action=False)
        assert pg.evaluate(SIDEBAR_MOTION) == "0s"  # the device asks for less motion, and gets it
        # the page-setup component sets the language a moment after the map may already be drawn
        with contextlib.suppress(PlaywrightTimeout):  # the assertion below names what it found
            pg.wait_for_function("document.documentElement.lang === 'de'", timeout=15_000)
        assert pg.evaluate("document.documentElement.lang") == "de"
        bad += _axe_both(pg, "erkunden", found)
        search = pg.locator("[data-testid=stSelectbox]").filter(
            has=pg.get_by_text("Sozialraum suchen", exact=False)
        )
        search.click()
        pg.keyboard.type("011")
        pg.get_by_role("option").first.click()
        pg.get_by_role("button", name="Auswahl aufheben").wait_for(timeout=30_000)
        bad += _axe_both(pg, "erkunden: Kurzprofil", found)
        for panel in ("Liste nach Bedarf", "Vergleich"):
            pg.locator("[data-testid=stButtonGroup]").get_by_text(panel, exact=True).click()
            bad += _axe_both(pg, f"erkunden: {panel}", found)
        pg.locator("[data-testid=stButtonGroup]").get_by_text("Veränderung", exact=True).click()
        bad += _axe_both(pg, "erkunden: Veränderung", found)
        paths = ("/", "/abdeckung", "/wirkung", "/partner", "/mitentscheiden", "/konto", "/daten", "/export")
        for path in paths:  # through the app, as its menu goes (`visit`), not a new page load each time
            visit(pg, coordinator_server + path)
            bad += _every_tab(pg, path, found)
    else:
        pg.goto(coordinator_server + "/tandems")
        _log_in(pg, "koordination@demo.invalid", demo_register.DEMO_PASSWORD)
        paths = (
            "/",
            "/tandems",
            "/aktivitaeten",
            "/anliegen",
            "/partner",
            "/mitentscheiden",
            "/programmjahr",
            "/export",
            "/daten",
            "/verwaltung",
            "/konto",
        )
        for path in paths:
            visit(pg, coordinator_server + path)
            bad += _every_tab(pg, f"coordinator {path}", found)
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"axe-findings-{part}.json"
    report.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    assert bad == [], "\n".join(bad)
    assert blocked == []


def test_the_page_language_follows_the_chosen_language(server: str, page: tuple[Page, list[str]]) -> None:
    from app_pages.ui.text import LANGUAGE_LABEL

    pg, _blocked = page
    pg.goto(server + "/erkunden")
    pg.locator("path.sk-sozialraum").first.wait_for(timeout=45_000)
    main_direction = "getComputedStyle(document.querySelector('[data-testid=stMain]')).direction"
    assert (pg.evaluate("document.documentElement.lang"), pg.evaluate(main_direction)) == ("de", "ltr")
    sidebar_button = pg.get_by_test_id("stSidebarCollapseButton").locator("button")
    # Streamlit's own texts speak the page's language too, and go back to English with it
    pg.wait_for_function(
        "[...document.querySelectorAll('a')].some((a) => a.textContent === 'Zum Hauptinhalt springen')"
    )
    assert sidebar_button.get_attribute("aria-label") == "Seitenleiste einklappen"
    pg.get_by_label(LANGUAGE_LABEL).click()
    pg.get_by_role("option", name="English").click()
    pg.wait_for_function("document.documentElement.lang === 'en'", timeout=30_000)
    pg.get_by_text("Explore the Sozialräume", exact=True).first.wait_for(timeout=30_000)
    pg.wait_for_function(
        "[...document.querySelectorAll('a')].some((a) => a.textContent === 'Skip to main content')"
    )
    assert sidebar_button.get_attribute("aria-label") == "Collapse sidebar"
    # Arabic: the text runs right to left, in the page and in the map's legend; the map stays a map
    pg.goto(server + "/erkunden?lang=ar")
    pg.wait_for_function("document.documentElement.lang === 'ar'", timeout=30_000)
    pg.locator("path.sk-sozialraum").first.wait_for(timeout=45_000)
    pg.get_by_text("استكشاف المناطق الاجتماعية").first.wait_for(timeout=30_000)
    assert pg.evaluate(main_direction) == "rtl"
    assert pg.evaluate("getComputedStyle(document.querySelector('.sk-legend')).direction") == "rtl"
    assert pg.evaluate("getComputedStyle(document.querySelector('.leaflet-container')).direction") == "ltr"
    assert pg.locator(".leaflet-control-zoom-in").get_attribute("title") == "تكبير"
    assert _streamlit_english(pg) == []
    # on a phone the folded sidebar is wholly off the page (with <html dir=rtl> it stayed half on it)
    pg.set_viewport_size({"width": 390, "height": 844})
    pg.goto(server + "/erkunden?lang=ar")
    pg.locator("path.sk-sozialraum").first.wait_for(timeout=45_000)
    settled(pg, after_action=False)  # the sidebar's folding, a transition, is over
    box = pg.locator("[data-testid=stSidebar]").bounding_box()
    assert box is None or box["x"] + box["width"] <= 1 or box["x"] >= 390, box


VISIBLE_LABELS = """() => [...document.querySelectorAll('.sk-bezirk-label, .sk-tandem-label')]
  .filter((l) => !l.classList.contains('sk-hidden-label'))
  .map((l) => { const r = l.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""


def _overlapping(rects: list[list[float]]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i, a in enumerate(rects)
        for j, b in enumerate(rects[:i])
        if a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]
    ]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768)])
def test_the_map_is_in_the_first_screen(
    server: str, page: tuple[Page, list[str]], width: int, height: int
) -> None:
    """Phone and laptop: the map of Erkunden and Abdeckung starts within the first screen, labels apart."""
    pg, _blocked = page
    pg.set_viewport_size({"width": width, "height": height})
    for path in ("/erkunden", "/abdeckung"):
        visit(pg, server + path)
        pg.locator("path.sk-sozialraum").first.wait_for(timeout=45_000)
        pg.wait_for_timeout(1_000)
        box = pg.locator(".leaflet-container").first.bounding_box()
        assert box is not None
        assert height - box["y"] >= 0.35 * height, (path, box)  # at least a third of the screen is map
        assert _overlapping(pg.evaluate(VISIBLE_LABELS)) == [], path
        assert pg.locator(".sk-legend .sk-point").count() == 1  # Welcome Points are in the legend
        pg.screenshot(path=str(ARTIFACTS / f"first-screen{path.replace('/', '-')}-{width}.png"))
        _no_error(pg)


def test_on_a_phone_the_sidebar_folds_and_the_source_folds_into_the_legend(
    server: str, page: tuple[Page, list[str]]
) -> None:
    pg, _blocked = page
    pg.set_viewport_size({"width": 390, "height": 844})
    pg.goto(server + "/erkunden")
    pg.locator("path.sk-sozialraum").first.wait_for(timeout=45_000)
    # the source line does not lie over the south of the city; it is in the folded legend
    assert not pg.locator(".sk-source").is_visible()
    legend_source = pg.locator(".sk-legend .sk-legend-source")
    assert not legend_source.is_visible()
    pg.locator(".sk-legend summary").click()
    assert legend_source.is_visible() and "Demo-Daten" in legend_source.inner_text()
    assert pg.locator(".sk-legend .sk-demo").is_visible()  # the demo mark stays outside the fold
    # a page chosen in the sidebar: the sidebar folds away instead of covering 300 of 390 px
    pg.locator("[data-testid=stExpandSidebarButton]").first.click()
    sidebar = pg.locator("[data-testid=stSidebar]")
    pg.wait_for_function("document.querySelector('[data-testid=stSidebar]').dataset.collapsed === 'false'")
    pg.get_by_role("link", name="Wo Tandems fehlen").click()
    pg.wait_for_url("**/abdeckung", timeout=30_000)
    pg.wait_for_function("document.querySelector('[data-testid=stSidebar]').dataset.collapsed === 'true'")
    assert sidebar.get_attribute("data-collapsed") == "true"
    _no_error(pg)


def _tab_until(pg: Page, check: str, limit: int = 80, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `check` (JS, `a` is the focused element) holds; fail after `limit`."""
    for _ in range(limit):
        pg.keyboard.press("Shift+Tab" if back else "Tab")
        if pg.evaluate(f"(() => {{ const a = document.activeElement; return Boolean({check}); }})()"):
            return
    focused = pg.evaluate("document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"no focus on {check} after {limit} presses; now on {focused}")


def test_keyboard_alone_reaches_a_steckbrief_and_logs_a_concern(
    coordinator_server: str, page: tuple[Page, list[str]]
) -> None:
    """Without a mouse: skip the map, find a Sozialraum, read its Steckbrief, log in, log a concern."""
    from geo.core import i18n
    from geo.register import demo_register

    pg, _blocked = page
    pg.goto(coordinator_server + "/erkunden")
    pg.locator("path.sk-sozialraum").first.wait_for(timeout=45_000)
    # a few presses reach the skip link before the map (the labels are no tab stops)
    _tab_until(pg, "a.classList.contains('sk-skip')", limit=40)
    assert pg.locator("a.sk-skip").is_visible()  # shown while it has the focus
    # into the map: a Sozialraum is a named button, Enter opens its Steckbrief
    _tab_until(pg, "a.classList && a.classList.contains('sk-sozialraum')", limit=10)
    name = pg.evaluate("document.activeElement.getAttribute('aria-label')").split(",")[0]
    pg.keyboard.press("Enter")
    pg.get_by_role("heading", name=name).wait_for(timeout=30_000)
    pg.get_by_text("Zum Vergleich hinzufügen").wait_for(timeout=30_000)
    # back to the skip link, and past the whole map to the search box
    _tab_until(pg, "a.classList.contains('sk-skip')", limit=40, back=True)
    pg.keyboard.press("Enter")
    assert pg.evaluate("document.activeElement.closest('[data-testid=stSelectbox]') !== null")
    assert "Sozialraum suchen" in pg.evaluate(
        "document.activeElement.closest('[data-testid=stSelectbox]').innerText"
    )
    pg.keyboard.type("011001")
    pg.keyboard.press("Enter")
    pg.get_by_text("Zum Vergleich hinzufügen").wait_for(timeout=30_000)  # the Steckbrief is shown
    assert pg.get_by_text("Platz", exact=True).count() >= 1
    # log in from the keyboard: the sidebar's login section, e-mail, password, Enter
    _tab_until(pg, "a.tagName === 'SUMMARY' && a.innerText.includes('Anmeldung')", limit=400, back=True)
    pg.keyboard.press("Enter")
    _tab_until(pg, "a.getAttribute('aria-label') === 'E-Mail-Adresse'", limit=10)
    pg.keyboard.type("connector@demo.invalid")
    pg.keyboard.press("Tab")
    pg.keyboard.type(demo_register.DEMO_PASSWORD)
    pg.keyboard.press("Enter")
    pg.get_by_text("Angemeldet: connector@demo.invalid").wait_for(timeout=30_000)
    # to the concerns page through the menu bar: its group "Mitmachen" opens with Enter, then its link
    group = i18n.translate("nav.group_work", "de")
    _tab_until(pg, f"a.tagName === 'BUTTON' && a.innerText.trim().startsWith({group!r})", limit=400)
    pg.keyboard.press("Enter")  # the group opens as a menu with the focus on its first entry; arrows move
    for _ in range(6):
        if pg.evaluate("(document.activeElement.getAttribute('href') || '').endsWith('/anliegen')"):
            break
        pg.keyboard.press("ArrowDown")
    pg.keyboard.press("Enter")
    pg.get_by_text("Anliegen und Rückmeldungen").wait_for(timeout=30_000)
    pg.get_by_label("Problembeschreibung").wait_for(timeout=30_000)
    settled(pg)
    _tab_until(pg, "a.getAttribute('aria-label') === 'Thema'")
    pg.keyboard.type("Laterne im Hof defekt (Tastatur)")
    _tab_until(pg, "a.getAttribute('aria-label') === 'Problembeschreibung'", limit=15)
    pg.keyboard.type("Seit einer Woche dunkel.")
    place = i18n.translate("concerns.sozialraum_one", "de")
    _tab_until(pg, f"a.getAttribute('aria-label') === {place!r}", limit=15)  # one Sozialraum, by default
    pg.keyboard.type("011001")
    pg.keyboard.press("Enter")
    _tab_until(pg, "a.tagName === 'BUTTON' && a.innerText.trim() === 'Speichern'", limit=30)
    pg.keyboard.press("Enter")
    pg.get_by_text("Das Anliegen »Laterne im Hof defekt (Tastatur)« wurde gespeichert.").first.wait_for(
        timeout=30_000
    )
    _no_error(pg)


MAP_ZOOM = "(() => { const h = [...document.querySelectorAll('*')].find((e) => e.__skMap); return h ? h.__skMap.map.getZoom() : null; })()"


def test_the_map_zooms_to_a_searched_sozialraum_but_not_to_a_tapped_one(
    server: str, page: tuple[Page, list[str]]
) -> None:
    pg, _blocked = page
    pg.set_viewport_size({"width": 390, "height": 844})
    pg.goto(server + "/erkunden")
    pg.locator("path.sk-sozialraum").first.wait_for(timeout=45_000)
    settled(pg, after_action=False)
    city = pg.evaluate(MAP_ZOOM)
    # a tap chooses where the user is looking: the map stays put
    _click_a_sozialraum(pg)
    pg.get_by_text("Zum Vergleich hinzufügen").wait_for(timeout=30_000)
    settled(pg)
    assert pg.evaluate(MAP_ZOOM) == city
    # a Sozialraum found in the search: the map zooms to it (on a phone a Sozialraum is ~10 px wide)
    search = pg.locator("[data-testid=stSelectbox]").filter(has=pg.get_by_text("Sozialraum suchen"))
    search.click()
    pg.keyboard.type("101001")
    pg.keyboard.press("Enter")
    pg.wait_for_function(f"{MAP_ZOOM} >= {city} + 0.75", timeout=30_000)
    _no_error(pg)


def test_near_me_from_the_phones_location_or_a_typed_place(
    server: str, page: tuple[Page, list[str]], demo_dir: Path
) -> None:
    """One tap: the nearest high-need Sozialräume and Welcome Point; the location is asked for only then."""
    from geo.analysis import need
    from geo.data import dataset
    from geo.output import nearby

    data = dataset.load_dataset(demo_dir)
    result = need.need_index(data.spaces, need.default_components(data.indicator_ids()))
    worst = str(result.score.idxmax())
    spaces = data.spaces.set_index("sozialraum_id")
    inside = spaces.loc[worst].geometry.representative_point()
    pg, blocked = page
    pg.set_viewport_size({"width": 390, "height": 844})
    pg.context.grant_permissions(["geolocation"], origin=server)
    pg.context.set_geolocation({"latitude": inside.y, "longitude": inside.x, "accuracy": 20})
    pg.goto(server + "/erkunden")
    pg.locator("path.sk-sozialraum").first.wait_for(timeout=45_000)
    settled(pg, after_action=False)
    city = pg.evaluate(MAP_ZOOM)
    pg.locator("button.sk-locate").click()
    pg.get_by_text("Ausgangspunkt: Ihr Standort").wait_for(timeout=30_000)
    pg.get_by_text(f"Sie sind im Sozialraum {spaces.loc[worst, 'name']} ({worst}).").wait_for(timeout=10_000)
    pg.get_by_text("Nächster Welcome Point").wait_for(timeout=10_000)
    assert pg.get_by_text("Nächster Welcome Point").count() == 1
    assert pg.locator("a[href^='tel:']").count() == 1  # the Welcome Point's phone, one tap to call
    assert pg.get_by_text("in gerader Linie, in Metern").count() == 1  # distances say what they measure
    assert pg.locator("path.sk-pin-place").count() == 1  # the starting point on the map ...
    pg.wait_for_function(f"{MAP_ZOOM} > {city}", timeout=10_000)  # ... which zooms to it
    # a result opens its Steckbrief
    pg.get_by_role("button", name=f"{spaces.loc[worst, 'name']} ({worst})").first.click()
    pg.get_by_text("Zum Vergleich hinzufügen").wait_for(timeout=30_000)
    # a typed Stadtteil instead of the location
    pg.locator("[data-testid=stButtonGroup]").get_by_text("In der Nähe", exact=True).click()
    box = pg.get_by_label("Oder einen Ort eingeben", exact=True)
    box.fill("Garath")
    box.press("Enter")
    pg.get_by_text("Ausgangspunkt: Garath").wait_for(timeout=30_000)
    street = str(nearby.streets(data)["name"].iloc[0])  # a street of the demo's street list
    box.fill(street)
    box.press("Enter")
    pg.get_by_text(f"Ausgangspunkt: {street}").wait_for(timeout=30_000)
    box.fill("Königsallee")  # not in the demo's street list: said, never guessed
    box.press("Enter")
    pg.get_by_text("»Königsallee« wurde nicht gefunden").wait_for(timeout=30_000)
    _no_error(pg)
    assert blocked == []


# --- the language switch ----------------------------------------------------------------------------------


def test_switching_language_with_a_steckbrief_open_never_errors_and_follows_everywhere(
    server: str, page: tuple[Page, list[str]]
) -> None:
    """
    Issue 25: with a Steckbrief open, Deutsch -> Türkçe -> العربية. Before, the second switch ended in
    "Etwas ist schiefgelaufen (KeyError)" and the boxes kept the old language's labels; the address kept
    the old `lang`, so a reload brought the old language back.
    """
    from app_pages.ui.text import LANGUAGE_LABEL
    from geo.core import i18n
    from geo.data.indicators import catalogue

    pg, blocked = page
    pg.goto(server + "/erkunden")
    pg.get_by_text(i18n.translate("explore.title", "de")).first.wait_for(timeout=60_000)
    clicked = _click_a_sozialraum(pg)
    pg.locator("[data-testid=stCaptionContainer]").filter(has_text=f"{clicked} ·").first.wait_for(
        timeout=30_000
    )
    for code in ("tr", "ar"):
        pg.get_by_label(LANGUAGE_LABEL).click()
        pg.get_by_role("option", name=i18n.LANGUAGES[code], exact=True).click()
        pg.get_by_text(i18n.translate("explore.title", code)).first.wait_for(timeout=30_000)
        settled(pg)  # the rerun's last messages
        body = pg.inner_text("body")
        assert "KeyError" not in body and "schiefgelaufen" not in body, code
        _no_error(pg)
        boxes = [  # what each box shows: its value, or its placeholder when empty
            i.get_attribute("value") or i.get_attribute("placeholder")
            for i in pg.locator("[data-testid=stSelectbox] input").all()
        ]
        sgb2 = catalogue().get("sgb2_quote")
        assert f"{sgb2.label(code)} ({sgb2.unit_label(code)})" in boxes, boxes  # the indicator box follows
        for other in ("de", "tr", "ar"):  # the search box's empty choice in the language shown, only
            shown = i18n.translate("explore.search_none", other) in boxes
            assert shown == (other == code), (code, other, boxes)
        assert pg.locator("[data-testid=stCaptionContainer]").filter(has_text=f"{clicked} ·").count() >= 1
        assert f"lang={code}" in pg.url, pg.url  # the address follows the language
    pg.screenshot(path=str(ARTIFACTS / "language-switch-ar.png"))
    pg.reload()
    pg.get_by_text(i18n.translate("explore.title", "ar")).first.wait_for(timeout=60_000)
    assert blocked == []


def test_on_a_phone_the_menu_folds_away_once_the_page_speaks_the_chosen_language(
    server: str, chromium: Browser
) -> None:
    """390x844: the language is chosen in the menu, which covers the page; then it folds (one tap less)."""
    from app_pages.ui.text import LANGUAGE_LABEL
    from geo.core import i18n

    folded = "document.querySelector('[data-testid=stSidebar]').getAttribute('data-collapsed') === 'true'"
    pg = new_page(chromium, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    with contextlib.closing(pg.context):
        pg.goto(server + "/erkunden")
        pg.get_by_text(i18n.translate("explore.title", "de")).first.wait_for(timeout=60_000)
        pg.locator("[data-testid=stExpandSidebarButton]").first.click()
        pg.wait_for_function(f"!({folded})", timeout=10_000)  # the menu is open
        option = pg.get_by_role("option", name=i18n.LANGUAGES["tr"], exact=True)
        for attempt in range(
            4
        ):  # open the list again when a rerun closed it while it opened (a loaded machine)
            pg.get_by_label(LANGUAGE_LABEL).click()
            try:
                option.wait_for(state="visible", timeout=10_000)
                break
            except PlaywrightTimeout:
                pg.keyboard.press("Escape")
                if attempt == 3:
                    raise
        option.click()
        pg.get_by_text(i18n.translate("explore.title", "tr")).first.wait_for(timeout=30_000)
        pg.wait_for_function(folded, timeout=10_000)  # and folded away: the page, in Turkish, is in view
        assert pg.evaluate("document.documentElement.lang") == "tr"


def test_on_a_phone_one_finger_scrolls_a_tap_brings_the_steckbrief_and_targets_are_large(
    server: str, chromium: Browser
) -> None:
    """390x844 with touch: the map does not catch one finger; a tap shows the Steckbrief; 44 px controls."""
    from tests.test_browser import _FIND_CLICKABLE

    pg = new_page(chromium, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    with contextlib.closing(pg.context):
        pg.goto(server + "/erkunden")
        pg.locator(".sk-map.sk-touch").wait_for(timeout=60_000)
        # Leaflet marks a map that one finger drags with "leaflet-touch-drag" (CSS touch-action: none)
        assert pg.locator(".leaflet-container.leaflet-touch-drag").count() == 0
        sizes = pg.evaluate(
            """() => [...document.querySelectorAll('.leaflet-control-zoom a, [data-testid=stButtonGroup] button,'
                + ' [data-testid=stExpandSidebarButton]')].map(b => [b.getBoundingClientRect().height,
                b.getBoundingClientRect().width])"""
        )
        assert sizes and all(h >= 44 and w >= 24 for h, w in sizes), sizes
        pg.locator(".sk-map").scroll_into_view_if_needed()
        settled(pg, after_action=False)
        point = pg.evaluate(_FIND_CLICKABLE)
        assert point is not None
        pg.touchscreen.tap(point[0], point[1])
        box = pg.locator(".st-key-explore_profile")
        box.wait_for(timeout=30_000)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            top = box.evaluate("b => b.getBoundingClientRect().top")
            if 40 <= top < 844 * 0.5:
                break
            pg.wait_for_timeout(250)
        # in view, near the top, and below the page's header (at 0 the header covered the Steckbrief's heading)
        assert 40 <= box.evaluate("b => b.getBoundingClientRect().top") < 844 * 0.5
        pg.screenshot(path=str(ARTIFACTS / "phone-tap-steckbrief.png"))


def test_a_bookmark_of_a_page_that_needs_a_login_asks_for_it_there_and_shows_the_page(
    server: str, page: tuple[Page, list[str]]
) -> None:
    """Issue 25: "/programmjahr" before a login said "Seite nicht gefunden"; after a login nobody went back."""
    from geo.core import i18n
    from geo.register import demo_register

    pg, blocked = page
    pg.goto(server + "/programmjahr")
    main = pg.locator("[data-testid=stMain]")
    main.get_by_text(i18n.translate("programme.login", "de")).wait_for(timeout=60_000)
    assert pg.get_by_text(i18n.translate("st.page_not_found", "de")).count() == 0
    main.get_by_label(i18n.translate("app.email", "de")).fill("connector@demo.invalid")
    main.get_by_label(i18n.translate("app.password", "de"), exact=True).fill(demo_register.DEMO_PASSWORD)
    main.get_by_role("button", name=i18n.translate("app.login", "de")).click()
    pg.get_by_role("tab", name=i18n.translate("programme.tab_hours", "de")).wait_for(timeout=30_000)
    assert pg.url.rstrip("/").endswith("/programmjahr")
    _no_error(pg)
    assert blocked == []


# --- journeys, counting taps -------------------------------------------------------------------------------


class _Taps:
    """A page whose taps (clicks and fields filled) are counted, for the journeys' tap counts."""

    def __init__(self, pg: Page) -> None:
        self.pg, self.count = pg, 0

    def tap(self, locator: object) -> None:
        locator.click()  # type: ignore[attr-defined]
        self.count += 1

    def fill(self, locator: object, text: str) -> None:
        locator.click()  # type: ignore[attr-defined]  # one tap into the field, then typing
        locator.fill(text)  # type: ignore[attr-defined]
        self.count += 1

    def choose(self, locator: object, typed: str, option: str) -> None:
        """A picker: one tap to open it, type, one tap on the option."""
        self.pick(locator, self.pg.get_by_role("option").filter(has_text=option).first, typed=typed)

    def pick(self, box: object, option: object, *, typed: str = "") -> None:
        """Open a picker and tap an option: two taps (opened again when a rerun closed the list meanwhile)."""
        for attempt in range(4):
            box.click()  # type: ignore[attr-defined]
            if typed:
                self.pg.keyboard.type(typed)
            try:
                option.wait_for(state="visible", timeout=5_000)  # type: ignore[attr-defined]
                break
            except PlaywrightTimeout:
                self.pg.keyboard.press("Escape")
                if attempt == 3:
                    raise
        try:
            option.click(timeout=10_000)  # type: ignore[attr-defined]
        except PlaywrightTimeout:  # the list opened outside the viewport (the page moved under it): the
            if typed:  # same two taps end with the keyboard, as a person would choose then
                raise
            self.pg.keyboard.type(option.inner_text().strip())  # type: ignore[attr-defined]
            self.pg.keyboard.press("Enter")
        self.count += 2


@pytest.fixture(scope="module")
def year_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo with its programme year (held activities, hours, answered concerns), as `make run` shows it."""
    yield from _serve(tmp_path_factory, {"SOZIALRAUM_DEMO_PROGRAMME": "1"})


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 768)], ids=["phone", "laptop"])
def test_journeys_from_opening_the_app_to_the_end_of_the_task_counting_taps(
    year_server: str, viewport: tuple[int, int], chromium: Browser
) -> None:
    """
    Issue 25: a connector logs a concern, plans an activity and enters hours; a coordinator answers the oldest
    concern, each from opening the app (the start page). The counts go to `test-artifacts/taps.json`.
    """
    import json

    from geo.core import i18n
    from geo.register import demo_register

    def de(key: str, **p: object) -> str:
        return i18n.translate(key, "de", **p)

    counts: dict[str, int] = {}
    phone = viewport[0] < 640

    def open_app(email: str) -> tuple[Page, _Taps]:
        context = chromium.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, has_touch=phone, is_mobile=phone
        )
        pg = context.new_page()
        pg.goto(year_server + "/")
        main = pg.locator("[data-testid=stMain]")
        main.get_by_text(de("start.title_public")).wait_for(timeout=60_000)
        settled(pg, after_action=False)
        assert pg.evaluate(SIDEBAR_MOTION) != "0s"  # a device as most people have it: the sidebar slides
        taps = _Taps(pg)
        taps.tap(main.get_by_text(de("app.login_title"), exact=True))
        taps.fill(main.get_by_label(de("app.email")), email)
        taps.fill(main.get_by_label(de("app.password"), exact=True), demo_register.DEMO_PASSWORD)
        button = main.get_by_role("button", name=de("app.login"))
        taps.tap(button)
        hello = main.get_by_text("Hallo").first
        for attempt in range(3):  # on a loaded two-core CI machine the first run after a login can take long
            try:
                hello.wait_for(timeout=30_000)
                break
            except PlaywrightTimeout:
                pg.screenshot(path=str(ARTIFACTS / f"journey-login-{attempt}.png"), full_page=True)
                if attempt == 2:
                    raise AssertionError(main.inner_text()[-1500:]) from None
                if button.is_visible():  # the tap landed while a rerun replaced the form: once more,
                    button.click()  # not counted (the person's tap was made; the harness repeats it)
        return pg, taps

    def go_start(pg: Page, taps: _Taps) -> None:
        """Back to the start page through the menu: on a phone the menu button, then "Start"."""
        if phone:
            taps.tap(pg.locator("[data-testid=stExpandSidebarButton]").first)
            taps.tap(pg.locator("[data-testid=stSidebarNavLink]").filter(has_text=de("nav.start")).first)
        else:
            taps.tap(pg.get_by_role("link", name=de("nav.start")).first)
        pg.locator("[data-testid=stMain]").get_by_text("Hallo").first.wait_for(timeout=30_000)

    # a connector logs a concern
    pg, taps = open_app("connector@demo.invalid")
    main = pg.locator("[data-testid=stMain]")
    taps.tap(main.get_by_role("button", name=de("start.do_concern")))
    taps.fill(main.get_by_label(de("concerns.thema"), exact=True), "Bank am Spielplatz fehlt")
    taps.choose(main.get_by_label(de("concerns.sozialraum_one")), "011001", "011001")
    taps.tap(main.get_by_role("button", name=de("tandems.save")))
    main.get_by_text("Bank am Spielplatz fehlt").first.wait_for(timeout=30_000)
    main.locator("[data-testid=stAlertContentSuccess]").first.wait_for(timeout=30_000)
    counts["connector_logs_a_concern"] = taps.count
    # ... plans an activity (the start page's button; the tandem's Sozialraum comes chosen)
    taps.count = 0
    go_start(pg, taps)
    main.get_by_role("button", name=de("start.do_activity")).wait_for(timeout=60_000)
    taps.tap(main.get_by_role("button", name=de("start.do_activity")))
    taps.fill(main.get_by_label(de("activities.title_field"), exact=True), "Rundgang für Neue")
    taps.tap(main.get_by_role("button", name=de("tandems.save")))
    main.locator("[data-testid=stAlertContentSuccess]").first.wait_for(timeout=30_000)
    counts["connector_plans_an_activity"] = taps.count
    # ... enters hours (the start page's button opens the hours form)
    taps.count = 0
    go_start(pg, taps)
    main.get_by_role("button", name=de("start.do_hours")).wait_for(timeout=60_000)
    taps.tap(main.get_by_role("button", name=de("start.do_hours")))
    try:
        main.get_by_role("button", name=de("tandems.save")).wait_for(timeout=30_000)
    except PlaywrightTimeout:
        pg.screenshot(path=str(ARTIFACTS / "journey-hours-failed.png"), full_page=True)
        raise AssertionError(main.inner_text()[-1500:]) from None
    taps.tap(main.get_by_role("button", name=de("tandems.save")))
    main.locator("[data-testid=stAlertContentSuccess]").first.wait_for(timeout=30_000)
    counts["connector_enters_hours"] = taps.count
    pg.context.close()
    # a coordinator answers the oldest concern waiting for an answer
    pg, taps = open_app("koordination@demo.invalid")
    main = pg.locator("[data-testid=stMain]")
    taps.tap(main.get_by_role("button", name=de("start.do_answer")))
    answer = main.locator("[data-testid=stForm]").filter(has_text=de("concerns.answer"))
    taps.pick(
        answer.get_by_label(de("concerns.status")),
        pg.get_by_role("option", name=de("concerns.status_erledigt")),
    )
    taps.fill(answer.get_by_role("textbox", name=de("concerns.comment")), "Ans Bezirksamt weitergegeben.")
    taps.tap(answer.get_by_role("button", name=de("concerns.answer_button")))
    main.locator("[data-testid=stAlertContentSuccess]").first.wait_for(timeout=30_000)
    counts["coordinator_answers_the_oldest_concern"] = taps.count
    _no_error(pg)
    pg.screenshot(path=str(ARTIFACTS / f"journey-coordinator-{'phone' if phone else 'laptop'}.png"))
    pg.context.close()
    out = ARTIFACTS / "taps.json"
    ARTIFACTS.mkdir(exist_ok=True)
    known = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    known["phone" if phone else "laptop"] = counts
    out.write_text(json.dumps(known, indent=1), encoding="utf-8")
    # four taps to log in (open the form, e-mail, password, button), then the task itself
    assert counts["connector_logs_a_concern"] <= 4 + 6, counts
    assert counts["connector_plans_an_activity"] <= 5, counts  # from another page: back to Start first
    assert counts["connector_enters_hours"] <= 4, counts
    assert counts["coordinator_answers_the_oldest_concern"] <= 4 + 5, counts


def test_knowledge_stays_partner_debrief_handover_and_the_mappe(
    year_server: str, page: tuple[Page, list[str]], tmp_path: Path
) -> None:
    """
    A connector adds a partner and a debrief on a phone; the coordinator hands over her items when she
    leaves; the Sozialraum-Mappe for the next tandem holds what she built.
    """
    import io

    from pypdf import PdfReader

    from geo.register import demo_register

    pg, blocked = page
    pg.goto(year_server + "/partner")
    pg.get_by_text("Partner vor Ort").first.wait_for(timeout=30_000)
    _log_in(pg, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    pg.set_viewport_size({"width": 390, "height": 844})  # the rest of her part on a phone
    _click_tab(pg, "Partner eintragen")
    form = _form(pg, "Name der Organisation")
    form.get_by_role("textbox", name="Name der Organisation", exact=True).fill("Kulturverein Journey")
    form.get_by_role("textbox", name="Name des Angebots", exact=True).fill("Nähcafé")
    form.get_by_role("textbox", name="Sprachen", exact=True).fill("Türkisch, Deutsch")
    form.get_by_role("textbox", name="Straße und Hausnummer", exact=True).fill("Teststraße 3")
    form.get_by_role("textbox", name="Öffnungszeiten", exact=True).fill("Di 10-12")
    form.get_by_role("button", name="Speichern").click()
    pg.get_by_text("»Kulturverein Journey« ist gespeichert.").first.wait_for(timeout=30_000)
    pg.screenshot(path=str(ARTIFACTS / "partner-saved-phone.png"))
    assert (
        form.get_by_role("textbox", name="Name der Organisation", exact=True).input_value() == ""
    )  # empty again
    assert _streamlit_english(pg) == []

    visit(pg, year_server + "/aktivitaeten")
    pg.get_by_text("Angemeldet: connector@demo.invalid").wait_for(
        state="attached", timeout=30_000
    )  # sidebar folded
    _click_tab(pg, "Liste")
    pg.get_by_role("combobox", name="Stand").first.click()  # only what was held: those get a debrief
    pg.get_by_role("option", name="durchgeführt").click()
    debrief = _form(pg, "Wie viele Menschen kamen?")
    debrief.get_by_role("textbox", name="Was gut lief", exact=True).fill(
        "Mit Übersetzung kamen viele Familien."
    )
    debrief.get_by_role("button", name="Rückblick speichern").click()
    pg.get_by_text("ist gespeichert. Danke!").first.wait_for(timeout=30_000)
    pg.screenshot(path=str(ARTIFACTS / "debrief-saved-phone.png"))
    pg.set_viewport_size({"width": 1280, "height": 900})
    _log_out(pg)

    visit(pg, year_server + "/tandems")
    _log_in(pg, "koordination@demo.invalid", demo_register.DEMO_PASSWORD)
    _click_tab(pg, "Übergabe")
    pg.get_by_role("combobox", name="Wer hört auf?").click()
    pg.get_by_role("option", name="Demo-Connectorin Amal").click()
    handover = _form(pg, "Grund")
    handover.get_by_text("Kulturverein Journey").first.wait_for(timeout=30_000)  # her partner, to hand on
    reason = handover.get_by_role("combobox", name="Grund", exact=True)
    reason.scroll_into_view_if_needed()
    reason.click()
    pg.keyboard.type("umgezogen")  # the list may open outside the viewport below a long form
    pg.keyboard.press("Enter")
    handover.get_by_text("Bleibt als Ehemalige(r) für Fragen da").click()
    handover.get_by_role("button", name="Übergabe abschließen").click()
    pg.get_by_text("Übergabe abgeschlossen").first.wait_for(timeout=30_000)
    pg.screenshot(path=str(ARTIFACTS / "handover-done.png"), full_page=True)

    pg.goto(year_server + "/erkunden?sr=011001")
    pg.get_by_text("Was wir hier wissen").first.wait_for(timeout=45_000)
    pg.get_by_role("button", name="Sozialraum-Mappe vorbereiten").click()
    with pg.expect_download(timeout=60_000) as info:
        pg.get_by_role("button", name="Mappe als PDF").click()
    content = Path(info.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Kulturverein Journey" in text and "Mit Übersetzung kamen viele Familien." in text
    _no_error(pg)
    assert blocked == []


@pytest.fixture
def decide_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """
    The demo with its programme year, fresh: the handover test before it makes the demo connector an alumna,
    who no longer proposes (in one CI run that order left this test on the public view).
    """
    yield from _serve(tmp_path_factory, {"SOZIALRAUM_DEMO_PROGRAMME": "1"})


def test_the_connectors_decide_propose_decide_answer_and_see_it_on_a_phone(
    decide_server: str, page: tuple[Page, list[str]]
) -> None:
    """
    Issue 28: a connector proposes on a phone; as the elected moderator she records a meeting and a consent
    decision that goes to the city; the coordinator answers at a laptop; she sees the answer on her phone.
    """
    from geo.register import demo_register

    title = "Bänke am Rheinufer"
    pg, blocked = page
    pg.goto(decide_server + "/mitentscheiden")
    pg.get_by_text("Gemeinsam entscheiden").first.wait_for(timeout=30_000)
    _log_in(pg, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    pg.set_viewport_size({"width": 390, "height": 844})
    pg.get_by_role("tab", name="Vorschläge", exact=True).wait_for(timeout=60_000)  # the run after the login
    _click_tab(pg, "Vorschläge")
    pg.get_by_text("Neuer Vorschlag").first.click()
    form = _form(pg, "Vorschlag machen")
    form.get_by_role("textbox", name="Titel", exact=True).fill(title)
    form.get_by_role("textbox", name="Worum geht es genau? (ein paar Sätze)").fill("Ältere brauchen Pausen.")
    form.get_by_role("button", name="Vorschlag machen").click()
    pg.get_by_text(f"»{title}« ist vorgeschlagen").first.wait_for(timeout=30_000)
    pg.screenshot(path=str(ARTIFACTS / "proposal-phone.png"))
    _click_tab(pg, "Beschlüsse")
    pg.get_by_text("Monatstreffen eintragen (Moderation)").first.click()
    meeting = _form(pg, "Treffen speichern")
    meeting.get_by_role("spinbutton", name="So viele müssen da sein, damit die Gruppe entscheidet").fill(
        "1"
    )  # the quorum the group set for this short meeting
    present = meeting.get_by_role("combobox", name="Wer war da?")
    chosen = meeting.locator("[data-testid=stMultiSelectTagsContainer]").filter(has_text="Amal")
    for attempt in range(3):  # a rerun on a loaded machine may close the list while it opens
        present.click()
        try:
            pg.get_by_role("listbox").first.wait_for(timeout=8_000)  # open before typing: no key is lost
            present.fill("Amal")  # into the box itself: a key sent elsewhere could send the form
            pg.get_by_role("option", name="Amal", exact=False).first.click(timeout=8_000)
        except PlaywrightTimeout:
            pg.screenshot(path=str(ARTIFACTS / f"meeting-present-attempt-{attempt}.png"))
        present.press("Escape")
        if chosen.count():
            break
    assert chosen.count() == 1, "Amal is not marked as present"
    meeting.get_by_role("button", name="Treffen speichern").click()
    pg.get_by_text("Das Treffen am").first.wait_for(timeout=30_000)
    pg.get_by_text("Beschluss eintragen (Moderation)").first.click()
    decision = _form(pg, "Beschluss speichern")
    decision.get_by_role("textbox", name="Worüber wird entschieden?").fill(title)
    pick = decision.get_by_role("combobox", name="Zu diesem Vorschlag")
    for _ in range(3):  # her proposal, by its title (a rerun may close the list while it opens)
        pick.click()
        try:
            # typed into the box itself: a key that went to the title's field could send the form
            pick.press_sequentially(title)
            pg.get_by_role("option", name=title).click(timeout=5_000)
        except PlaywrightTimeout:
            pick.press("Escape")
        settled(pg)
        if pick.input_value() == title:  # the chosen label shows in the box
            break
        pg.keyboard.press("Escape")
    assert pick.input_value() == title
    decision.get_by_text("Geht an die Stadt").first.click()
    decision.get_by_role("button", name="Beschluss speichern").click()
    pg.get_by_text("Der Beschluss ist gespeichert: angenommen").first.wait_for(timeout=30_000)
    pg.screenshot(path=str(ARTIFACTS / "decision-phone.png"))
    pg.set_viewport_size({"width": 1280, "height": 900})
    _log_out(pg)

    _log_in(pg, "koordination@demo.invalid", demo_register.DEMO_PASSWORD)
    _click_tab(pg, "Beschlüsse")
    answer = _form(pg, f"Antwort der Stadt auf »{title}«")
    answer.get_by_role("textbox", name=f"Antwort der Stadt auf »{title}«").fill(
        "Das Gartenamt stellt drei Bänke auf."
    )
    answer.get_by_role("button", name="Antwort speichern").click()
    pg.get_by_text("Die Antwort ist gespeichert").first.wait_for(timeout=30_000)
    _log_out(pg)

    _log_in(pg, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    pg.set_viewport_size({"width": 390, "height": 844})
    _click_tab(pg, "Was daraus wurde")
    pg.get_by_text("Das Gartenamt stellt drei Bänke auf.").first.wait_for(timeout=30_000)
    pg.screenshot(path=str(ARTIFACTS / "you-said-we-did-phone.png"))
    # and on her proposal itself (only the open panel is drawn). The visible one: an element of the panel
    # shown before may still stand, hidden, earlier in the page. On a loaded machine a rerun can swallow the
    # tap on the tab (2 of 8 CI runs in stop 36, once in stop 37): the harness taps again, as a person would.
    answer = pg.get_by_text("Antwort der Stadt: Das Gartenamt stellt drei Bänke auf.").locator("visible=true")
    for attempt in range(3):
        _click_tab(pg, "Vorschläge")
        try:
            pg.get_by_text("Stadt hat geantwortet").locator("visible=true").first.wait_for(timeout=20_000)
            answer.first.wait_for(timeout=20_000)
            break
        except PlaywrightTimeout:
            pg.screenshot(path=str(ARTIFACTS / f"proposal-answer-attempt-{attempt}.png"), full_page=True)
            if attempt == 2:
                raise
    _no_error(pg)
    assert blocked == []
