"""
Benchmark: the monthly meeting, when every connector opens the map at once.

Starts `streamlit run` on 127.0.0.1 with the real data (the demo when absent) and drives SESSIONS pages in one
headless Chromium (so the browsers share the same 2 cores as the server, as on the reference machine) for
SECONDS: each page loads Erkunden, then alternates a new indicator and a click on a Sozialraum. Reported:
page load (until the map is painted), the time of each rerun as the user sees it (new colours, or the
Steckbrief of the Sozialraum clicked), and errors (page errors, exceptions shown, timeouts).

Run with ``.venv/bin/python bench/load.py [SESSIONS] [SECONDS]`` (default 20 sessions, 60 s).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from bench._data import CHROMIUM, CHROMIUM_ARGS, CLICKABLE, real_or_demo, serve  # noqa: E402


async def session(browser, url: str, seconds: float, *, loads: list, reruns: list, errors: list) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    start = time.perf_counter()
    try:
        await page.goto(url + "/erkunden", timeout=180_000)  # the map page, not the start page
        await page.wait_for_function(
            "document.querySelectorAll('path.sk-sozialraum').length > 100", timeout=180_000
        )
    except Exception as exc:
        errors.append(f"load: {type(exc).__name__}")
        await page.close()
        return
    loads.append(time.perf_counter() - start)
    await page.locator(".sk-map").scroll_into_view_if_needed()
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        i += 1
        try:
            if i % 2:
                styled = await page.get_attribute(".sk-map", "data-styled")
                select = page.locator("[data-testid=stSelectbox]").filter(
                    has=page.get_by_text("Indikator", exact=True)
                )
                await select.first.click()
                t0 = time.perf_counter()
                await page.get_by_role("option").nth(1 + (i // 2) % 6).click()
                await page.wait_for_function(
                    f"document.querySelector('.sk-map').dataset.styled !== '{styled}'", timeout=60_000
                )
            else:
                await page.locator(".sk-map").scroll_into_view_if_needed()
                found = await page.evaluate(CLICKABLE)
                spot = random.choice(found) if found else None
                if not spot:
                    continue
                t0 = time.perf_counter()
                await page.mouse.click(spot[0], spot[1])
                await page.wait_for_function(
                    f"[...document.querySelectorAll('[data-testid=stCaptionContainer]')]"
                    f".some(e => e.innerText.includes('{spot[2]} ·'))",
                    timeout=60_000,
                )
            reruns.append(time.perf_counter() - t0)
            if await page.locator("[data-testid=stException]").count():
                errors.append("exception shown")
        except Exception as exc:
            errors.append(f"rerun: {type(exc).__name__}")
        await page.wait_for_timeout(300)
    await page.close()


async def drive(url: str, sessions: int, seconds: float) -> tuple[list, list, list]:
    loads: list[float] = []
    reruns: list[float] = []
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await asyncio.gather(
            *(
                session(browser, url, seconds, loads=loads, reruns=reruns, errors=errors)
                for _ in range(sessions)
            )
        )
        await browser.close()
    return loads, reruns, errors


def _q(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(sessions: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, label = real_or_demo(Path(tmp))
        with serve(folder, Path(tmp) / "var") as (url, _started):
            loads, reruns, errors = asyncio.run(drive(url, sessions, seconds))
    print(f"data: {label}; {sessions} sessions for {seconds:.0f} s in one Chromium beside the server")
    if loads:
        print(f"- page load to painted map: median {statistics.median(loads):.1f} s, max {max(loads):.1f} s")
    if reruns:
        print(
            f"- reruns seen by users: {len(reruns)}, median {statistics.median(reruns):.2f} s, "
            f"p95 {_q(reruns, 0.95):.2f} s, max {max(reruns):.2f} s"
        )
    print(f"- errors: {len(errors)} {sorted(set(errors))[:5]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20, float(sys.argv[2]) if len(sys.argv) > 2 else 60)
