"""Provenance per layer: each source with its own title, publisher, date and licence, on maps, exports and JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from geo.core.access import Principal
from geo.data import dataset, imports, provenance
from geo.output import maps
from tests.conftest import QUARTIERSATLAS, REGISTRY, SOZIALRAEUME
from tests.test_cli import run


def _by_kind(data: dataset.Dataset) -> dict[str, provenance.Layer]:
    return {layer.kind: layer for layer in data.meta.layer_records()}


@pytest.mark.real_data
def test_the_real_files_each_keep_their_own_licence_and_date(real: dataset.Dataset, tmp_path: Path) -> None:
    layers = _by_kind(real)
    assert list(layers) == ["geometry", "indicators", "welcome_points"]
    geometry = layers["geometry"]
    assert (geometry.reference_date, geometry.licence_id) == ("2021-12-31", "dl-de/zero-2-0")
    assert geometry.licence_url == "https://www.govdata.de/dl-de/zero-2-0"
    assert geometry.source_url.endswith("Sozialräume_WGS84_4326_0.geojson")
    atlas = layers["indicators"]
    assert (atlas.reference_date, atlas.licence, atlas.licence_id) == ("2021-12-31", "", "")  # none stated
    assert "Dritte" in atlas.title and "Dritte" in atlas.publisher
    registry = layers["welcome_points"]
    assert (registry.reference_date, registry.licence) == ("", "")  # the registry states neither
    assert all(layer.imported for layer in layers.values())
    # the map's source line says it per layer, not one licence for everything
    line = maps.source_line(real.meta, "de")
    assert "Sozialräume: Sozialräume (31.12.2021; dl-de/zero-2-0)" in line
    assert (
        "Indikatoren: Quartiersatlas 2024 (Auszug durch Dritte) (31.12.2021; Lizenz nicht angegeben)" in line
    )
    assert "Welcome Points: Integrationsberatung in Düsseldorf (Art: Welcome Point) (ohne Stand;" in line
    assert "not stated" in maps.source_line(real.meta, "en")
    # a later import of one more layer keeps the others
    folder = tmp_path / "official"
    shutil.copytree(real.folder, folder)
    streets = tmp_path / "strassen.csv"
    streets.write_text("name;lon;lat\nKönigsallee;6.7797;51.2227\n", encoding="utf-8")
    imports.import_files(folder, by=Principal.cli(), streets=streets)
    again = _by_kind(dataset.load_dataset(folder))
    assert list(again) == ["geometry", "indicators", "welcome_points", "streets"]
    assert again["geometry"] == geometry and again["streets"].title == "strassen"


@pytest.mark.real_data
def test_json_outputs_carry_the_sources(real: dataset.Dataset) -> None:
    gaps = run("gaps", "--data-dir", real.folder, "--db", "sqlite://", "--json")
    assert gaps.returncode == 0, gaps.stderr
    sources = {s["kind"]: s for s in json.loads(gaps.stdout)["sources"]}
    assert sources["geometry"]["licence_id"] == "dl-de/zero-2-0"
    assert sources["indicators"]["licence"] == "" and sources["indicators"]["reference_date"] == "2021-12-31"
    checked = run(
        "validate",
        "--sozialraeume",
        SOZIALRAEUME,
        "--indicators",
        QUARTIERSATLAS,
        "--welcome-points",
        REGISTRY,
        "--json",
    )
    kinds = [s["kind"] for s in json.loads(checked.stdout)["sources"]]
    assert kinds == ["geometry", "indicators", "welcome_points"]


def test_an_unknown_file_says_what_is_not_known() -> None:
    layer = provenance.describe("nationalities", Path("/tmp/Ausländer nach Staatsangehörigkeit_3.csv"))
    assert layer.title == "Ausländer nach Staatsangehörigkeit"
    assert (layer.publisher, layer.reference_date, layer.licence) == ("", "", "")
    assert layer.line("de").count("nicht angegeben") == 3  # publisher, date, licence
    assert "Staatsangehörigkeiten: " in layer.line("de")


def test_the_demo_keeps_one_line_marked_as_demo(demo_dir: Path) -> None:
    data = dataset.load_dataset(demo_dir)
    line = maps.source_line(data.meta, "de")
    assert line.startswith("Demo-Daten (erfunden) · Quelle: Synthetisch erzeugt") and "CC0 1.0" in line
    (record,) = data.meta.layer_records()
    assert record.kind == "dataset" and record.licence == "CC0 1.0"


@pytest.mark.real_data
def test_an_admin_completes_what_the_registry_does_not_say(real: dataset.Dataset, tmp_path: Path) -> None:
    """The registry states no date and no licence: an admin who knows them records them; maps then say so."""
    from geo.core.access import AccessDeniedError
    from geo.core.errors import DataError
    from geo.register import accounts, store

    folder = tmp_path / "official"
    shutil.copytree(real.folder, folder)
    register = store.Register(f"sqlite:///{tmp_path / 'r.sqlite'}")
    admin = Principal(label="admin", roles=frozenset({"admin"}))
    coordinator = Principal(label="k", roles=frozenset({"coordinator"}))
    with pytest.raises(AccessDeniedError):
        dataset.describe_layer(folder, "welcome_points", {"reference_date": "2024-06-30"}, by=coordinator)
    with pytest.raises(AccessDeniedError):
        dataset.describe_layer(
            folder,
            "welcome_points",
            {"reference_date": "2024-06-30"},
            by=Principal(label="d", roles=admin.roles, demo=True),
        )
    for changes, key in [
        ({"reference_date": "30.06.2024"}, "error.layer_date"),
        ({"source_url": "javascript:alert(1)"}, "error.layer_url"),
        ({"colour": "red"}, "error.layer_fields"),
        ({"title": ""}, "error.layer_title"),
    ]:
        with pytest.raises(DataError) as refused:
            dataset.describe_layer(folder, "welcome_points", changes, by=admin)
        assert refused.value.key == key
    with pytest.raises(DataError):
        dataset.describe_layer(folder, "nationalities", {"publisher": "x"}, by=admin)  # no such layer here
    before = (folder / dataset.META_FILE).read_text(encoding="utf-8")
    record = dataset.describe_layer(
        folder,
        "welcome_points",
        {"reference_date": "2024-06-30", "licence_id": "dl-de/by-2-0", "publisher": "Amt für Migration"},
        by=admin,
        audit=register,
    )
    assert record.licence == "Datenlizenz Deutschland – Namensnennung – Version 2.0"  # filled in from the id
    assert record.licence_url == "https://www.govdata.de/dl-de/by-2-0"
    loaded = dataset.load_dataset(folder)
    layers = _by_kind(loaded)
    assert layers["welcome_points"].reference_date == "2024-06-30"
    assert layers["geometry"] == _by_kind(real)["geometry"]  # the others untouched
    assert (
        "Welcome Points: Integrationsberatung in Düsseldorf (Art: Welcome Point) (30.06.2024; dl-de/by-2-0)"
        in (maps.source_line(loaded.meta, "de"))
    )
    assert before != (folder / dataset.META_FILE).read_text(encoding="utf-8")
    assert not list(folder.glob("*.tmp*"))  # written whole, nothing left beside it
    log = accounts.audit_log(register, by=Principal.cli(), limit=None)
    assert "data.provenance" in set(log["action"])
    register.close()
