"""Shared fixtures: paths to the real data beside the checkout, and a demo dataset per session."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT.parent / "shared" / "data" / "raw"
SOZIALRAEUME = RAW / "jukkler-sozialindex" / "Sozialräume_WGS84_4326_0.geojson"
STADTTEILE = RAW / "jukkler-sozialindex" / "Stadtteile_2025_WGS84_EPSG4326_1.geojson"
QUARTIERSATLAS = RAW / "jukkler-sozialindex" / "Quartiersatlas_2024_Daten.xlsx"
QUARTIERSATLAS_CSV = RAW / "jukkler-sozialindex" / "converted" / "Quartiersatlas_2024_Daten_Profildaten.csv"
REGISTRY = RAW / "ilia-sapan-portfolio" / "Integrationsberatung in Düsseldorf_1.csv"
WOHNQUARTIERE_2021 = (
    RAW / "ilia-sapan-portfolio" / "Wohnbevölkerung nach Alter Wohnquartiere Düsseldorf 2021_1.csv"
)
WOHNQUARTIERE_2024 = (
    RAW / "ilia-sapan-portfolio" / "Wohnbevölkerung nach Alter Wohnquartiere Düsseldorf 2024.csv"
)
WOHNQUARTIERE_2020 = (
    RAW / "ilia-sapan-portfolio" / "Wohnbevölkerung nach Alter Wohnquartiere Düsseldorf 2020.csv"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Real-data tests need ../shared beside the checkout; CI always has it, so there they never skip."""
    if RAW.exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"the real data folder {RAW} is not beside this checkout")
    for item in items:
        if "real_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly generated demo dataset folder."""
    from geo import demo

    return demo.write(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def portal_mirror() -> Iterator[str]:
    """A local HTTP server on 127.0.0.1 serving the real files, standing in for the open-data portal."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(RAW / "jukkler-sozialindex")
    )
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
