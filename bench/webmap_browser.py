"""
Benchmark: the Erkunden map in headless Chromium on the real data (the demo when the real files are absent).

Starts `streamlit run` on 127.0.0.1 with the data imported into a temporary folder, then measures with
Playwright (all outside requests blocked):

- bytes the browser receives over the websocket on first load, per indicator change and per click;
- indicator change -> map repainted (the map's ``data-styled`` counter moves);
- click on a Sozialraum -> its Steckbrief shown (its ID in the Steckbrief's caption).

Process start -> first painted map is measured by ``bench/startup.py``.

Run with ``.venv/bin/python bench/webmap_browser.py [ROUNDS]`` (default 7); prints min / median / max.
Needs Debian's chromium (``make test`` installs it). Figures are kept in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench._data import CHROMIUM, CHROMIUM_ARGS, CLICKABLE, real_or_demo, serve, spread  # noqa: E402


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, label = real_or_demo(Path(tmp))
        with serve(folder, Path(tmp) / "var") as (url, _started):
            frames: list[int] = []
            blocked: list[str] = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.route(
                    "**/*",
                    lambda r: (
                        r.continue_()
                        if r.request.url.startswith(
                            ("data:", "blob:", "about:", url, url.replace("http", "ws"))
                        )
                        else (blocked.append(r.request.url), r.abort())
                    ),
                )
                # what the frames cost on the wire with the server's permessage-deflate (context takeover)
                deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
                wire: list[int] = []

                def received(f) -> None:
                    data = f if isinstance(f, bytes) else f.encode("utf-8")
                    frames.append(len(data))
                    wire.append(len(deflate.compress(data) + deflate.flush(zlib.Z_SYNC_FLUSH)) - 4)

                page.on("websocket", lambda ws: ws.on("framereceived", received))
                page.goto(url + "/erkunden")  # the map page (the app opens on its start page)
                page.wait_for_function(
                    "document.querySelectorAll('path.sk-sozialraum').length > 100", timeout=120_000
                )
                page.wait_for_timeout(2000)
                first_bytes = sum(frames)
                select = (
                    page.locator("[data-testid=stSelectbox]")
                    .filter(has=page.get_by_text("Kennzahl", exact=True))
                    .first
                )
                change_bytes, change_times, change_wire = [], [], []
                for i in range(rounds):
                    frames.clear()
                    wire.clear()
                    styled = page.get_attribute(".sk-map", "data-styled")
                    select.click()
                    page.wait_for_timeout(300)
                    start = time.perf_counter()
                    page.get_by_role("option").nth(1 + i % 6).click()
                    page.wait_for_function(
                        f"document.querySelector('.sk-map').dataset.styled !== '{styled}'", timeout=30_000
                    )
                    change_times.append(time.perf_counter() - start)
                    page.wait_for_timeout(1500)
                    change_bytes.append(sum(frames))
                    change_wire.append(sum(wire))
                page.locator(".sk-map").scroll_into_view_if_needed()
                page.wait_for_timeout(300)
                spots = page.evaluate(CLICKABLE)
                click_bytes, click_times, click_wire = [], [], []
                for x, y, sid in spots[:: max(1, len(spots) // rounds)][:rounds]:
                    frames.clear()
                    wire.clear()
                    start = time.perf_counter()
                    page.mouse.click(x, y)
                    page.wait_for_function(
                        f"[...document.querySelectorAll('[data-testid=stCaptionContainer]')].some(e => e.innerText.includes('{sid} ·'))",
                        timeout=30_000,
                    )
                    click_times.append(time.perf_counter() - start)
                    page.wait_for_timeout(1500)
                    click_bytes.append(sum(frames))
                    click_wire.append(sum(wire))
                browser.close()
    print(f"data: {label}; min / median / max")
    print(
        f"- first load, bytes received over the websocket: {first_bytes / 1024:,.0f} KiB (the map code and geometry come as files of their own)"
    )
    print(f"- indicator change, bytes: {spread(change_bytes, 'KiB', scale=1 / 1024)}")
    print(f"- indicator change, bytes on the wire (compressed): {spread(change_wire, 'KiB', scale=1 / 1024)}")
    print(f"- indicator change -> repainted map: {spread(change_times)}")
    print(f"- click, bytes: {spread(click_bytes, 'KiB', scale=1 / 1024)}")
    print(f"- click, bytes on the wire (compressed): {spread(click_wire, 'KiB', scale=1 / 1024)}")
    print(f"- click -> Steckbrief shown: {spread(click_times)}")
    print(f"- requests to outside hosts: {len(blocked)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
