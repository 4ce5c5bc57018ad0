"""
Benchmark: the analysis on a synthetic city of N square Sozialräume and 1,000 Welcome Points.

Two ways to grow the city:

- fixed area (default): the squares tile the extent of Düsseldorf (about 217 km²), so at 100,000 Sozialräume
  each is about 47 m wide and a kilometre's reach holds about 1,400 of them: far denser than any real city.
  The pairs within a reach grow with the square of N, and so does `suggest`, whose answer depends on them.
- ``--constant-density``: each square has Düsseldorf's mean Sozialraum area (217 km² / 171), as a city with
  more Sozialräume has them on more land (a Sozialraum is a unit of a few thousand residents). A kilometre's
  reach then holds about the same number of Sozialräume at every N, so linear work shows as linear growth.

Each N runs in its own process, so the peak memory reported (`ru_maxrss`) is that run's own.

Steps timed: need index (three indicators), distance to the nearest Welcome Point, coverage table, gaps,
`suggest(k=3)` with a reach of 1 km, and a Fisher-Jenks classification of one indicator.

Run with ``.venv/bin/python bench/scale.py [--constant-density] [--runs R] [N ...]`` (default one run of
1000 10000 100000); with ``--runs 5`` each cell is min / median of five runs and the last column the growth
of the medians from 10,000 to 100,000.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AREA_M2 = 217e6
X0, Y0 = 340_000.0, 5_670_000.0


def run_one(n: int, *, constant_density: bool = False) -> dict[str, float]:
    import geopandas as gpd  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415
    import shapely  # noqa: PLC0415

    from geo.analysis import coverage, need  # noqa: PLC0415
    from geo.data.indicators import classify  # noqa: PLC0415

    rng = np.random.default_rng(n)
    side = int(np.ceil(np.sqrt(n)))
    step = float(np.sqrt(AREA_M2 / 171)) if constant_density else float(np.sqrt(AREA_M2 / n))
    cols, rows = np.divmod(np.arange(n), side)
    x, y = X0 + cols * step, Y0 + rows * step
    squares = shapely.box(x, y, x + step, y + step)
    ids = [f"{i:07d}" for i in range(n)]
    spaces = gpd.GeoDataFrame(
        {
            "sozialraum_id": ids,
            "name": ids,
            "stadtbezirk": rows * 10 // side + 1,
            "bevoelkerung": rng.integers(50, 8000, n).astype(float),
            "sgb2_quote": rng.gamma(2, 5, n),
            "kinderarmut": rng.gamma(2, 8, n),
            "arbeitslose_pct": rng.gamma(2, 3, n),
        },
        geometry=squares,
        crs=25832,
    ).to_crs(4326)
    wp_x, wp_y = X0 + rng.uniform(0, side * step, 1000), Y0 + rng.uniform(0, side * step, 1000)
    points = gpd.GeoDataFrame(
        {"welcome_point_id": [f"wp-{i}" for i in range(1000)], "name": "WP", "address": ""},
        geometry=shapely.points(wp_x, wp_y),
        crs=25832,
    ).to_crs(4326)
    times: dict[str, float] = {}

    def timed(name: str, fn, *args, **kwargs):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        times[name] = time.perf_counter() - start
        return out

    components = [need.Component(i, 1.0, True) for i in ("sgb2_quote", "kinderarmut", "arbeitslose_pct")]
    result = timed("need index", need.need_index, spaces, components)
    timed("distance to nearest", coverage.distance_to_nearest, spaces, points)
    assigned = pd.DataFrame({"sozialraum_id": ids[:: max(1, n // 50)], "tandem": "T"})
    table = timed(
        "coverage table", coverage.coverage_table, spaces, points, result.score, result.need_class, assigned
    )
    timed("gaps", coverage.gaps, table, min_class=2)
    found = timed("suggest k=3", coverage.suggest, table, spaces, k=3, reach_m=1000)
    timed(
        "fisher-jenks k=5", classify, spaces.set_index("sozialraum_id")["sgb2_quote"], scheme="fisher_jenks"
    )
    times["together (need .. suggest)"] = sum(
        times[k] for k in ("need index", "distance to nearest", "coverage table", "gaps", "suggest k=3")
    )
    times["peak MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times["suggestions"] = len(found)
    return times


def main(sizes: list[int], *, constant_density: bool = False, runs: int = 1) -> None:
    """Each size `runs` times, each run in its own process; min / median (of the runs) per step."""
    results: dict[int, list[dict[str, float]]] = {}
    for n in sizes:
        flag = ["--constant-density"] if constant_density else []
        results[n] = []
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, __file__, *flag, "--one", str(n)], capture_output=True, text=True, check=True
            )
            results[n].append(json.loads(out.stdout.strip().splitlines()[-1]))
    steps = list(results[sizes[0]][0])

    def cell(n: int, step: str) -> str:
        values = sorted(r[step] for r in results[n])
        low, mid = values[0], values[len(values) // 2]
        if step in ("peak MiB", "suggestions"):
            return f"{mid:,.0f}"
        return f"{mid:.3f} s" if runs == 1 else f"{low:.3f} / {mid:.3f} s"

    print(f"runs per size: {runs} (min / median)" if runs > 1 else "one run per size")
    print("| step | " + " | ".join(f"{n:,}" for n in sizes) + " | median 10k -> 100k |")
    print("|---|" + "---|" * (len(sizes) + 1))
    for step in steps:
        growth = ""
        if 10_000 in results and 100_000 in results and step not in ("peak MiB", "suggestions"):
            small = sorted(r[step] for r in results[10_000])[len(results[10_000]) // 2]
            large = sorted(r[step] for r in results[100_000])[len(results[100_000]) // 2]
            growth = f"{large / small:.1f}x" if small > 0 else ""
        print(f"| {step} | " + " | ".join(cell(n, step) for n in sizes) + f" | {growth} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    dense = "--constant-density" in args
    runs = 1
    if "--runs" in args:
        at = args.index("--runs")
        runs = int(args[at + 1])
        del args[at : at + 2]
    args = [a for a in args if a != "--constant-density"]
    if len(args) > 1 and args[0] == "--one":
        print(json.dumps(run_one(int(args[1]), constant_density=dense)))
    else:
        main([int(a) for a in args] or [1000, 10_000, 100_000], constant_density=dense, runs=runs)
