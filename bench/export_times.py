"""
Benchmark: render time and size of every export format, on the real data when beside the checkout.

Run with ``.venv/bin/python bench/export_times.py``; figures are kept in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._data import real_or_demo  # noqa: E402
from geo.analysis.view import MapView  # noqa: E402
from geo.data import dataset  # noqa: E402
from geo.output import export  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, label = real_or_demo(Path(tmp))
        data = dataset.load_dataset(folder)
        sid = str(data.spaces["sozialraum_id"].iloc[0])
        assignments = pd.DataFrame({"sozialraum_id": [sid], "tandem": ["Tandem A"]})
        print(f"data: {label}")
        print("| view | format | preset | seconds | size |")
        print("|---|---|---|---|---|")
        for kind, fmt, preset in [
            ("indicator", "png", "a4"),
            ("indicator", "png", "16:9"),
            ("need", "pdf", "a4"),
            ("coverage", "pdf", "16:9"),
            ("coverage", "html", "a4"),
            ("coverage", "brief", "a4"),
            ("need", "factsheet", "a4"),
        ]:
            start = time.perf_counter()
            content = export.render(
                data,
                MapView(mode={"indicator": "indikator", "need": "index", "coverage": "abdeckung"}[kind]),  # type: ignore[arg-type]
                fmt,
                assignments=assignments,
                preset=preset,  # type: ignore[arg-type]
                sozialraum_id=sid,
            )
            seconds = time.perf_counter() - start
            print(f"| {kind} | {fmt} | {preset} | {seconds:.2f} | {len(content) / 1024:,.0f} KiB |")


if __name__ == "__main__":
    main()
