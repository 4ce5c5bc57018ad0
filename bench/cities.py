"""
Benchmark (issue 29): Berlin's 542 Planungsräume against Düsseldorf's 171 Sozialräume, both from the real
files beside the checkout: the time to import and to draw the first map, and the map's bytes.

Run with ``.venv/bin/python bench/cities.py [ROUNDS]``. Prints a Markdown table (min / median / max of the
rounds); the figures measured on the reference machine are kept in ``bench/RESULTS.md``.

- import: the city's files as published into a dataset folder (Düsseldorf: `geo.data.imports.import_files` with
  the Quartiersatlas XLSX; Berlin: `geo.data.city.check` and `geo.data.dataset.import_city`).
- first map: opening the folder, the map's geometry, the base (geometry, names, points) and the first style,
  as the app does for a new dataset version.
- bytes: the base as the component receives it (sent once per dataset version) and each style payload
  (what one indicator change sends), over every indicator of the city, as JSON and gzipped.
"""

from __future__ import annotations

import gzip
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._data import ADMIN, RAW  # noqa: E402
from geo.core.access import Principal  # noqa: E402
from geo.data import (  # noqa: E402
    city,
    dataset,
    imports,
)
from geo.output import maps, webmap  # noqa: E402

BERLIN = RAW / "berlin-lor"


def _import_duesseldorf(out: Path) -> Path:
    imports.import_files(
        out,
        sozialraeume=RAW / "jukkler-sozialindex" / "Sozialräume_WGS84_4326_0.geojson",
        indicators=RAW / "jukkler-sozialindex" / "Quartiersatlas_2024_Daten.xlsx",
        welcome_points=RAW / "ilia-sapan-portfolio" / "Integrationsberatung in Düsseldorf_1.csv",
        by=ADMIN,
    )
    return out


def _import_berlin(out: Path) -> Path:
    files = [p for p in BERLIN.rglob("*") if p.is_file() and p.parent.name != "not_joinable_old_plr_447"]
    dataset.import_city(city.check(city.load_profile("berlin"), files), out, by=Principal.cli())
    return out


def _first_map(folder: Path) -> tuple[webmap.Base, dataset.Dataset]:
    loaded = dataset.load_dataset(folder)
    geometry = maps.map_geometry(loaded)
    base = webmap.base_payload(loaded, geometry)
    indicator = maps.default_indicator(loaded.indicator_ids(), loaded.catalogue)
    assert indicator is not None
    styling = maps.style_indicator(loaded, indicator)
    lines = webmap.lines_for(loaded, "indikator", indicator_id=indicator, lang="de")
    webmap.style_payload(base, styling, lines, loaded)
    return base, loaded


def _spread(values: list[float], fmt: str) -> str:
    return " / ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def _timed(fn: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def measure(label: str, importer: Callable[[Path], Path], rounds: int, tmp: Path) -> str:
    folders = iter(tmp / f"{label}-{n}" for n in range(rounds + 1))
    t_import = _timed(lambda: importer(next(folders)), rounds)
    folder = importer(tmp / f"{label}-map")
    t_map = _timed(lambda: _first_map(folder), rounds)
    base, loaded = _first_map(folder)
    sizes, zipped = [], []
    for indicator in loaded.indicator_ids():
        styling = maps.style_indicator(loaded, indicator)  # type: ignore[arg-type]
        lines = webmap.lines_for(loaded, "indikator", indicator_id=indicator, lang="de")
        text = webmap.dumps(webmap.style_payload(base, styling, lines, loaded)).encode("utf-8")
        sizes.append(len(text) / 1024)
        zipped.append(len(gzip.compress(text)) / 1024)
    return (
        f"| {label} | {len(loaded.spaces)} | {_spread(t_import, '.2f')} s | {_spread(t_map, '.2f')} s | "
        f"{len(base.encoded) / 1024:.0f} KiB ({len(gzip.compress(base.encoded)) / 1024:.0f} KiB gzipped) | "
        f"{_spread(sizes, '.1f')} KiB ({_spread(zipped, '.1f')} KiB gzipped), {len(sizes)} indicators |"
    )


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    if not BERLIN.exists():
        print("(the real data is not beside the checkout: nothing to measure)")
        return
    print("| city | units | import | first map | map base (once) | per indicator change |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        print(measure("Düsseldorf", _import_duesseldorf, rounds, Path(tmp)))
        print(measure("Berlin", _import_berlin, rounds, Path(tmp)))


if __name__ == "__main__":
    main()
