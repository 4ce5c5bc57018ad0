"""
Benchmark: server time of explore-page reruns (AppTest) and the map payload sent to the browser.

Uses the real data when it is beside the checkout (imported into a temporary folder), else the demo.
Run with ``.venv/bin/python bench/explore_rerun.py``; figures are kept in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from bench._data import real_or_demo  # noqa: E402

ROUNDS = 10


def _payload(at: AppTest) -> int:
    (component,) = at.get("component_instance")
    return len(component.proto.json_args.encode())


def _timed_runs(at: AppTest, change) -> list[float]:
    times = []
    for i in range(ROUNDS):
        change(at, i)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, label = real_or_demo(Path(tmp))
        os.environ["SOZIALRAUM_DATA_DIR"] = str(folder)
        os.environ["SOZIALRAUM_USER_DIR"] = str(Path(tmp) / "var")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        start = time.perf_counter()
        at.run()
        first = time.perf_counter() - start
        payload = _payload(at)
        indicators = ["kinderarmut", "sgb2_quote"]
        by_indicator = _timed_runs(
            at, lambda a, i: a.selectbox(key="explore_indicator").set_value(indicators[i % 2])
        )
        at.selectbox(key="explore_search").set_value("063007").run()
        with_profile = _timed_runs(
            at, lambda a, i: a.selectbox(key="explore_indicator").set_value(indicators[i % 2])
        )
        at.segmented_control(key="explore_mode").set_value("index").run()
        weights = _timed_runs(
            at, lambda a, i: a.slider(key="explore_w_sgb2_quote").set_value(1.0 + 0.5 * (i % 2 + 1))
        )
        print(f"data: {label}; {ROUNDS} reruns each, median (max) in seconds")
        print(f"- first run (load, validate, simplify, map): {first:.2f}")
        print(f"- indicator change: {statistics.median(by_indicator):.2f} ({max(by_indicator):.2f})")
        print(
            f"- indicator change with a profile open: {statistics.median(with_profile):.2f} ({max(with_profile):.2f})"
        )
        print(
            f"- index weight change (new index + stability): {statistics.median(weights):.2f} ({max(weights):.2f})"
        )
        print(f"- map payload to the browser (st_folium args): {payload / 1024:,.0f} KiB")
        args = json.loads(at.get("component_instance")[0].proto.json_args)
        print(
            f"  of which Leaflet as data: URIs: {sum(len(u) for u in args['js_links'] + args['css_links']) / 1024:,.0f} KiB"
        )


if __name__ == "__main__":
    main()
