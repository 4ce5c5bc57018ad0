"""The data the benchmarks run on: the real files when they are beside the checkout, else the demo."""

from __future__ import annotations

from pathlib import Path

from geo import demo, fetch
from geo.access import Principal

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
ADMIN = Principal(label="test-admin", roles=frozenset({"admin"}))

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT.parent / "shared" / "data" / "raw"


def real_or_demo(tmp: Path) -> tuple[Path, str]:
    """A dataset folder in `tmp`: the official files imported when present, else the demo; and its label."""
    spaces = RAW / "jukkler-sozialindex" / "Sozialräume_WGS84_4326_0.geojson"
    if not spaces.exists():
        return demo.write(tmp / "demo"), "demo"
    folder = tmp / "official"
    fetch.import_files(
        folder,
        sozialraeume=spaces,
        indicators=RAW / "jukkler-sozialindex" / "Quartiersatlas_2024_Daten.xlsx",
        welcome_points=RAW / "ilia-sapan-portfolio" / "Integrationsberatung in Düsseldorf_1.csv",
        by=ADMIN,
    )
    return folder, "official (real)"
