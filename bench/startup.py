"""
Benchmark: process start -> first painted map, on the real data (the demo when the real files are absent).

Each round starts a fresh `streamlit run` on 127.0.0.1 (file watcher off, as in production) while a headless
Chromium is already running, as a user's browser would be, opens the app's address as soon as the server
answers its health check, and waits until every Sozialraum shape is in the page. The time counts from just
before the server process is started. Outside requests are counted, not intercepted (interception would slow
every request the page makes).

Run with ``.venv/bin/python bench/startup.py [ROUNDS]`` (default 5); prints min / median / max.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench._data import CHROMIUM, CHROMIUM_ARGS, real_or_demo, serve, spread  # noqa: E402


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder, label = real_or_demo(Path(tmp))
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        answered, painted, outside = [], [], []
        for i in range(rounds):
            with serve(folder, Path(tmp) / f"var{i}") as (url, started):
                answered.append(time.perf_counter() - started)
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.on(
                    "request",
                    lambda r, url=url: (
                        None
                        if r.url.startswith((url, "data:", "blob:", "ws://127.0.0.1"))
                        else outside.append(r.url)
                    ),
                )
                page.goto(url + "/erkunden")  # the map page (the app opens on its start page)
                page.wait_for_function(
                    "document.querySelectorAll('path.sk-sozialraum').length > 100", timeout=120_000
                )
                painted.append(time.perf_counter() - started)
                page.close()
        browser.close()
    print(f"data: {label}; {rounds} cold starts, min / median / max")
    print(f"- process start -> server answers its health check: {spread(answered)}")
    print(f"- process start -> first painted map: {spread(painted)}")
    print(f"- requests to outside hosts: {len(outside)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
