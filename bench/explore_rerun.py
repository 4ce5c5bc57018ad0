"""
Benchmark: server time of explore-page reruns (AppTest) and the map payloads sent to the browser.

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

from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import AppTest, app_test, local_script_runner  # noqa: E402

# A server compiles each page once (its ScriptCache lives as long as the process); AppTest makes a new cache
# on every run and so parses and compiles every page again each time, which the server never does (on the
# 540-line Erkunden page that was 40 % of a measured rerun). One cache for the whole benchmark, as in a server.
_SHARED_SCRIPT_CACHE = ScriptCache()
app_test.ScriptCache = local_script_runner.ScriptCache = lambda: _SHARED_SCRIPT_CACHE  # type: ignore[assignment]

from bench._data import real_or_demo, spread  # noqa: E402
from geo.output import webmap  # noqa: E402

ROUNDS = 10


def _payloads(at: AppTest) -> tuple[int, int]:
    """Bytes of the map's base (sent once) and of its style (sent on every change)."""
    parts = {c.proto.component_name: c.proto for c in at.get("bidi_component")}
    base = webmap.published_at(json.loads(parts["sk_map_base"].json))  # the page gives the base's address
    assert base is not None
    return len(base.gzipped), len(parts["sk_map"].bytes)


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
        at.run().switch_page("app_pages/explore.py").run()  # the start page is the app's first page
        first = time.perf_counter() - start
        base, style = _payloads(at)
        indicators = ["kinderarmut", "sgb2_quote"]
        # the ratio the issue asks for, measured in pairs taken one right after the other (a second session on
        # the account page of a visitor), so that the machine's drift from one minute to the next cancels out
        visitor = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        visitor.run()
        visitor.switch_page("app_pages/account.py").run()
        pairs = []
        for i in range(3 * ROUNDS):
            t0 = time.perf_counter()
            at.selectbox(key="explore_indicator").set_value(indicators[i % 2]).run()
            t1 = time.perf_counter()
            visitor.run()
            pairs.append((t1 - t0, time.perf_counter() - t1))
        by_indicator = _timed_runs(
            at, lambda a, i: a.selectbox(key="explore_indicator").set_value(indicators[i % 2])
        )
        at.selectbox(key="explore_search").set_value("063007").run()
        with_profile = _timed_runs(
            at, lambda a, i: a.selectbox(key="explore_indicator").set_value(indicators[i % 2])
        )
        at.segmented_control(key="explore_mode").set_value("index").run()
        weights = _timed_runs(
            at, lambda a, i: a.select_slider(key="explore_w_sgb2_quote").set_value(1.0 + 0.5 * (i % 2 + 1))
        )
        # a near-empty page in the same run, for scale: the account page of a visitor
        at.switch_page("app_pages/account.py").run()
        empty = _timed_runs(at, lambda a, i: None)
        print(f"data: {label}; {ROUNDS} reruns each, min / median / max in seconds")
        print(f"- first run (load, validate, simplify, map): {first:.2f}")
        print(f"- indicator change: {spread(by_indicator, places=3)}")
        print(f"- indicator change with a profile open: {spread(with_profile, places=3)}")
        print(f"- index weight change (new index + stability): {spread(weights, places=3)}")
        print(f"- near-empty page (Konto, not logged in): {spread(empty, places=3)}")
        ratio = statistics.median(by_indicator) / statistics.median(empty)
        print(f"- indicator change / near-empty page (medians): {ratio:.1f} x")
        paired = statistics.median(a / b for a, b in pairs)
        print(
            f"- the same in {len(pairs)} interleaved pairs: indicator change "
            f"{spread([a for a, _ in pairs], places=3)}, near-empty page {spread([b for _, b in pairs], places=3)}, "
            f"median of the pairs' ratios {paired:.1f} x"
        )
        print(f"- map base (geometry, names, Welcome Points; fetched once, gzipped): {base / 1024:,.1f} KiB")
        print(f"- map style (colours, lines, legend, choices; sent per change): {style / 1024:,.1f} KiB")


if __name__ == "__main__":
    main()
