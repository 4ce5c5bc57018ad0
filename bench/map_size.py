"""
Benchmark: map HTML size and build times, on the real data when it is beside the checkout.

Run with ``make bench`` (or ``.venv/bin/python bench/map_size.py``). Prints a Markdown table; the figures
measured on the reference machine are kept in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._data import real_or_demo  # noqa: E402
from geo.data import dataset, demo_dataset  # noqa: E402
from geo.output import maps, webmap  # noqa: E402


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def measure(folder: Path, label: str) -> list[str]:
    rows = []
    loaded, t_load = _timed(dataset.load_dataset, folder)
    for tolerance in (0.0, 12.0):
        geometry, t_geom = _timed(maps.map_geometry, loaded, tolerance_m=tolerance)
        indicator = maps.default_indicator(loaded.indicator_ids())
        base, t_map = _timed(webmap.base_payload, loaded, geometry)
        styling = maps.style_indicator(loaded, indicator, lang="de")  # type: ignore[arg-type]
        lines = webmap.lines_for(loaded, "indikator", indicator_id=indicator, lang="de")
        style = webmap.style_payload(base, styling, lines, loaded)
        html, t_html = _timed(webmap.standalone_html, base, style, title="bench")
        vertices = int(sum(len(g.exterior.coords) for g in geometry.spaces.geometry.explode().to_numpy()))
        rows.append(
            f"| {label} | {tolerance:g} m | {vertices:,} | {len(html.encode()) / 1024:,.0f} KiB | "
            f"{t_load:.2f} s | {t_geom:.2f} s | {t_map + t_html:.2f} s |"
        )
    return rows


def main() -> None:
    tracemalloc.start()
    print(
        "| data | simplification | vertices sent | standalone HTML | load + validate | geometry | map build + render |"
    )
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        demo_dir = demo_dataset.write(Path(tmp) / "demo")
        for row in measure(demo_dir, "demo"):
            print(row)
        folder, label = real_or_demo(Path(tmp))
        if label != "demo":
            for row in measure(folder, label):
                print(row)
        else:
            print("(real data not found beside the checkout: only the demo was measured)")
    _, peak = tracemalloc.get_traced_memory()
    print(f"\nPeak Python memory (tracemalloc): {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
