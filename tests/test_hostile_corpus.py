"""
Hostile text through every renderer: nothing from data or users becomes markup, script, a link or a header.

One corpus (template-literal code, backticks, a closing script tag, Markdown images and links, bare web
addresses, CR/LF, bidi overrides) goes through each output with that output's one escaping rule: the HTML
map export (the web map as one file, also run in Chromium under CI), `geo map`'s offline HTML, Markdown on the pages, mail headers, and the names the register accepts.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis.view import MapView
from geo.core import tables
from geo.core.access import Principal
from geo.data import dataset
from geo.output import export
from geo.register import digest, store

CORPUS = (
    "Edit ${window.__pwned=1}",
    "Café `Ecke` ${1+1}",
    "`; window.__pwned=2; `",
    "Back\\slash \\` ${window.__pwned=3}",
    "</script><script>window.__pwned=4</script>",
    "<img src=x onerror=window.__pwned=5>",
    '"><svg onload=window.__pwned=6>',
    "![x](http://tracker.invalid/p.png)",
    "[klick](http://tracker.invalid/l) **fett** _kursiv_ $x^2$",
    "Mehr: https://tracker.invalid/a und www.tracker.invalid/b",
    "Zeile eins\r\nBcc: opfer@example.invalid",
    "\u202eevil.exe\u202c gpj.txt",
    "\u2066isoliert\u2069 \u202aeingebettet\u202c",
)
BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def hostile_export(demo_dir: Path) -> str:
    """The HTML map export with the corpus as Sozialraum names, Welcome Points and tandem names."""
    data = dataset.load_dataset(demo_dir)
    points = data.welcome_points.copy().iloc[: len(CORPUS)].copy()
    points["name"] = list(CORPUS[: len(points)])
    points["address"] = list(reversed(CORPUS[: len(points)]))
    spaces = data.spaces.copy()
    spaces["name"] = [CORPUS[i % len(CORPUS)] for i in range(len(spaces))]
    data = replace(data, welcome_points=points, spaces=spaces)
    html = export.render(  # coverage: also tandem names as labels on the map
        data,
        MapView(mode="abdeckung"),
        "html",
        assignments=pd.DataFrame({"sozialraum_id": spaces["sozialraum_id"][:3], "tandem": list(CORPUS[4:7])}),
    )
    return html.decode("utf-8")


def _payloads(html: str) -> list[object]:
    """The JSON the offline map carries (geometry, names, colours, legend, tooltips)."""
    import json

    found = re.findall(r'<script type="application/json" id="sk-(?:base|style)">(.*?)</script>', html, re.S)
    return [json.loads(p) for p in found]


def test_the_html_export_keeps_every_text_inside_json(hostile_export: str) -> None:
    import json

    payloads = _payloads(hostile_export)
    assert len(payloads) == 2  # base and style: every text from data is in them
    carried = json.dumps(payloads, ensure_ascii=False)
    assert "Edit ${window.__pwned=1}" in carried and "Café `Ecke`" in carried  # there, as text
    outside = re.sub(r'<script type="application/json".*?</script>', "", hostile_export, flags=re.S)
    assert "__pwned" not in outside  # nowhere else: not in a script, not in markup
    assert "<script>window.__pwned" not in hostile_export
    assert "<img src=x" not in hostile_export and "<svg onload" not in hostile_export
    assert not BIDI.search(hostile_export)


@pytest.mark.skipif(
    not shutil.which("chromium") and os.environ.get("CI") != "true",
    reason="Chromium is not installed here (CI installs it: make test)",
)
def test_the_html_export_runs_no_script_in_a_browser(
    hostile_export: str, tmp_path: Path, chromium: object
) -> None:
    page_file = tmp_path / "karte.html"
    page_file.write_text(hostile_export, encoding="utf-8")
    errors: list[str] = []
    page = chromium.new_page()  # type: ignore[attr-defined]  # a context of its own (conftest.py's Chromium)
    try:
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append(f"dialog {d.message}"), d.dismiss()))
        page.goto(page_file.as_uri())
        page.wait_for_selector("path.sk-sozialraum", timeout=30_000)
        for shape in page.locator("path.sk-sozialraum").all()[:4]:  # open a few tooltips
            shape.hover(force=True)
        assert page.evaluate("window.__pwned") is None
        shown = page.locator(".leaflet-tooltip").all_inner_texts()
    finally:
        page.context.close()
    assert not errors, errors  # also: a backtick in a real name no longer breaks the map
    assert any("window.__pwned" in s or "Edit" in s or "Café" in s for s in shown) or not shown


def test_the_web_maps_offline_html_keeps_text_in_json(demo_dir: Path) -> None:
    """`geo map` (the web map as one file): every text from data sits in JSON that no text can close."""
    import json

    from geo.output import maps, webmap

    data = dataset.load_dataset(demo_dir)
    spaces = data.spaces.copy()
    spaces["name"] = [CORPUS[i % len(CORPUS)] for i in range(len(spaces))]
    points = data.welcome_points.copy()
    points["name"] = [CORPUS[i % len(CORPUS)] for i in range(len(points))]
    data = replace(data, spaces=spaces, welcome_points=points)
    base = webmap.base_payload(data, maps.map_geometry(data))
    styling = maps.style_indicator(data, "sgb2_quote", lang="de")
    lines = webmap.lines_for(data, "indikator", indicator_id="sgb2_quote", lang="de")
    style = webmap.style_payload(base, styling, lines, data, lang="de", tiles=False)
    html = webmap.standalone_html(base, style, title=CORPUS[4], lang="de")
    assert "</script><script>window.__pwned" not in html and "<img src=x" not in html
    payloads = re.findall(
        r'<script type="application/json" id="sk-(?:base|style)">(.*?)</script>', html, re.S
    )
    assert len(payloads) == 2
    assert "Edit ${window.__pwned=1}" in json.dumps([json.loads(p) for p in payloads], ensure_ascii=False)


@pytest.mark.parametrize("text", CORPUS)
def test_markdown_shows_text_as_written_and_never_links(text: str) -> None:
    md = tables.markdown_text(text)
    unescaped = re.sub(r"\\(.)", "", md)  # what is left when every escaped character is taken out
    for live in ("![", "](", "**", "`", "$", "<", "["):
        assert live not in unescaped, (live, md)
    shown = re.sub(r"\\(.)", r"\1", md).replace("\u2060", "").replace("  \n", "\n")
    assert shown == tables.printable(text).replace("\r\n", "\n")  # a reader sees exactly what was typed
    assert not re.search(r"(https?|ftp)://|www\.", re.sub(r"\\(.)", r"\1", md))  # no autolink
    assert not BIDI.search(md)


@pytest.mark.parametrize("text", CORPUS)
def test_a_mail_header_is_one_clean_line(text: str) -> None:
    from email.message import EmailMessage

    header = digest.header_text(text)
    assert "\n" not in header and "\r" not in header and not BIDI.search(header)
    message = EmailMessage()
    message["Subject"] = header  # would raise on a line break
    assert "Bcc" not in message.keys()  # noqa: SIM118 - the headers, not a mapping's keys


def test_a_name_is_one_line(tmp_path: Path) -> None:
    register = store.Register(f"sqlite:///{tmp_path / 'r.sqlite'}")
    try:
        cli = Principal.cli()
        ids = [register.add_connector("Ana", "", by=cli), register.add_connector("Omar", "", by=cli)]
        for bad in ("Tandem\nNord", "Tandem\rBcc: x@y.invalid", "Tandem\u2028Nord", "Tandem\x07"):
            with pytest.raises(store.RegisterError, match="einer Zeile"):
                register.create_tandem(bad, ids, by=cli, start=date(2026, 1, 1))
        tandem = register.create_tandem(
            "Tandem `Nord` ${x}", ids, by=cli, start=date(2026, 1, 1)
        )  # odd, but one line: kept
        with pytest.raises(store.RegisterError, match="einer Zeile"):
            register.update_tandem(tandem, by=cli, name="Neu\nName", version=1)
    finally:
        register.close()
