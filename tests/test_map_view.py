"""One map view for every screen, file and command: its address, its styling, and exports of every mode."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from geo.analysis import dynamics, need, view
from geo.analysis.view import MapView
from geo.data import dataset
from geo.output import export, maps, snapshot, webmap

NOBODY = pd.DataFrame(columns=["sozialraum_id", "tandem"])
ROOT = Path(__file__).resolve().parents[1]
EXPORT = [sys.executable, "-m", "geo", "export", "--data-dir"]


@pytest.fixture(scope="module")
def data(demo_dir: Path) -> dataset.Dataset:
    return dataset.load_dataset(demo_dir)


def _known(data: dataset.Dataset) -> dict:
    return {
        "indicators": data.indicator_ids(),
        "sozialraum_ids": set(data.spaces["sozialraum_id"]),
        "welcome_point_ids": set(data.welcome_points["welcome_point_id"]),
        "changing": dynamics.indicators(data.series),
    }


def test_change_and_coverage_views_travel_in_the_address(data: dataset.Dataset) -> None:
    changing = dynamics.indicators(data.series)
    dates = dynamics.dates(data.series, changing[0])
    change = MapView(
        mode="wandel", indicator=changing[0], change_from=dates[0], change_to=dates[1], change_how="absolute"
    )
    params = view.to_params(change)
    assert params == {
        "ansicht": "wandel",
        "indikator": changing[0],
        "von": dates[0],
        "bis": dates[1],
        "wie": "absolut",
    }
    assert view.from_params(params, **_known(data)) == change
    cover = MapView(mode="abdeckung", min_class=1, coverage_km=1.5, measure="edge")
    params = view.to_params(cover)
    assert params == {"ansicht": "abdeckung", "mindest": "1", "radius": "1.5", "messung": "rand"}
    assert view.from_params(params, **_known(data)) == cover
    assert set(params) | {"von", "bis", "wie"} <= view.PARAMETERS


def test_stale_change_and_coverage_values_fall_back(data: dataset.Dataset) -> None:
    known = _known(data)
    odd = {"ansicht": "wandel", "indikator": "gibt_es_nicht", "von": "gestern", "wie": "viel"}
    assert view.from_params(odd, **known) == MapView(mode="wandel")
    # without any time series a change link opens the indicator view
    assert view.from_params({"ansicht": "wandel"}, **{**known, "changing": []}).mode == "indikator"
    odd = {"ansicht": "abdeckung", "mindest": "7", "radius": "-3", "messung": "luftlinie"}
    assert view.from_params(odd, **known) == MapView(mode="abdeckung")
    assert view.from_params({"ansicht": "karte"}, **known).mode == "indikator"


def test_a_link_or_its_query_string_gives_the_same_parameters() -> None:
    expected = {"ansicht": "index", "norm": "percentile", "grenzen": "5,10"}
    assert (
        view.from_link("https://karte.example/erkunden?ansicht=index&norm=percentile&grenzen=5%2C10")
        == expected
    )
    assert view.from_link("?ansicht=index&norm=percentile&grenzen=5,10") == expected
    assert view.from_link("ansicht=index&norm=percentile&grenzen=5,10") == expected
    assert view.from_link("/erkunden?ansicht=index&norm=percentile&grenzen=5,10") == expected
    assert view.from_link("") == {}


def test_the_styling_key_keeps_only_what_colours_the_map() -> None:
    a = MapView(indicator="x", breaks=(1.0, 2.0), selected="011001", shortlist=("011002",), classes=(1,))
    b = MapView(indicator="x", breaks=(1.0, 2.0), bezirke=(3,), min_class=1)
    assert a.styling_key() == b.styling_key() == MapView(indicator="x", breaks=(1.0, 2.0))
    assert MapView(indicator="x").styling_key() != MapView(indicator="y").styling_key()
    assert MapView(mode="abdeckung", min_class=1).styling_key() != MapView(mode="abdeckung").styling_key()
    assert MapView(mode="index", indicator="x").styling_key() == MapView(mode="index").styling_key()


def test_change_of_falls_back_to_the_dates_the_series_has(data: dataset.Dataset) -> None:
    ids = list(data.spaces["sozialraum_id"])
    first = dynamics.indicators(data.series)[0]
    dates = dynamics.dates(data.series, first)
    assert view.change_of(MapView(), data.series, ids) is None
    whole = view.change_of(MapView(mode="wandel"), data.series, ids)
    assert whole is not None and (whole.indicator, whole.start, whole.end) == (first, dates[0], dates[-1])
    odd = MapView(mode="wandel", indicator=first, change_from="1999-12-31", change_to=dates[0])
    fallback = view.change_of(odd, data.series, ids)
    assert fallback is not None and (fallback.start, fallback.end) == (dates[0], dates[-1])
    assert view.change_of(MapView(mode="wandel"), None, ids) is None


def _classes(png: bytes) -> int:
    """How many of the map's class colours a picture shows (the legend's swatches count too)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    return len({tuple(p) for p in pixels[::7]})


def test_manual_limits_reach_the_exported_map(data: dataset.Dataset) -> None:
    """A view with manual limits exports with those classes (the Export page used to drop them: one class)."""
    indicator = maps.default_indicator(data.indicator_ids(), data.catalogue)
    values = data.spaces[indicator].dropna()
    limits = tuple(float(v) for v in np.quantile(values, [0.25, 0.5, 0.75]).round(1))
    shown = MapView(indicator=indicator, scheme="manual", breaks=limits)
    result = need.need_index(data.spaces, need.default_components(data.indicator_ids(), data.catalogue))
    screen = maps.style_view(data, shown, result=result, lang="de")
    prepared = snapshot.prepare(data, shown, NOBODY, lang="de")
    pd.testing.assert_series_equal(prepared.styling.fill, screen.fill)
    assert prepared.styling.legend == screen.legend
    known = data.spaces.set_index("sozialraum_id")[indicator].dropna().index
    assert screen.fill[known].nunique() == len(limits) + 1  # four classes, each holding some Sozialräume
    pdf = export.render(data, shown, "pdf", assignments=NOBODY)
    assert pdf.startswith(b"%PDF")
    wide = MapView(indicator=indicator, scheme="manual", breaks=(float(values.max()) + 1,))
    assert snapshot.prepare(data, wide, NOBODY).styling.fill[known].nunique() == 1


@pytest.mark.parametrize("mode", view.MODES)
def test_every_mode_exports_the_styling_the_screen_shows(data: dataset.Dataset, mode: str) -> None:
    shown = MapView(mode=mode)  # type: ignore[arg-type]
    prepared = snapshot.prepare(data, shown, NOBODY, lang="ar")
    screen = maps.style_view(
        data, shown, result=prepared.result, table=prepared.table, change=prepared.change, lang="ar"
    )
    pd.testing.assert_series_equal(prepared.styling.fill, screen.fill)
    assert prepared.styling.title == screen.title
    if mode == "wandel":
        assert prepared.change is not None and prepared.styling.as_of == prepared.change.end
    lines = webmap.lines_view(
        data, shown, result=prepared.result, table=prepared.table, change=prepared.change, lang="ar"
    )
    assert set(lines.index) == set(data.spaces["sozialraum_id"]) and lines.str.len().gt(0).all()
    html = export.render(data, shown, "html", assignments=NOBODY, lang="ar").decode()
    assert screen.title.split(" (")[0] in html
    assert _classes(export.render(data, shown, "png", assignments=NOBODY)) > 5


def test_the_coverage_and_need_views_need_their_tables(data: dataset.Dataset) -> None:
    result = need.need_index(data.spaces, need.default_components(data.indicator_ids(), data.catalogue))
    with pytest.raises(ValueError, match="coverage table"):
        maps.style_view(data, MapView(mode="abdeckung"), result=result)
    with pytest.raises(ValueError, match="need index"):
        maps.style_view(data, MapView(mode="index"))


def test_the_command_line_exports_what_a_link_shows(demo_dir: Path, tmp_path: Path) -> None:
    data = dataset.load_dataset(demo_dir)
    indicator = maps.default_indicator(data.indicator_ids(), data.catalogue)
    link = f"https://karte.example/erkunden?indikator={indicator}&methode=manual&grenzen=10,20&sr=011001"
    out = tmp_path / "karte.html"
    done = subprocess.run(
        [*EXPORT, str(demo_dir), "--format", "html", "--link", link, "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    shown = view.from_params(view.from_link(link), **_known(data))
    assert shown.breaks == (10.0, 20.0) and shown.selected == "011001"
    expected = export.render(data, shown, "html", assignments=NOBODY).decode()
    written = out.read_text()
    legend = [label for _colour, label in snapshot.prepare(data, shown, NOBODY).styling.legend]
    assert all(label in written for label in legend[:3]) and all(label in expected for label in legend[:3])
    bad = subprocess.run(
        [
            *EXPORT,
            str(demo_dir),
            "--format",
            "png",
            "--link",
            link,
            "--view",
            "need",
            "--out",
            str(tmp_path / "x.png"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert bad.returncode == 2 and "--link" in bad.stderr


def test_a_download_is_named_after_its_view_or_its_sozialraum() -> None:
    assert export.file_name(MapView(mode="wandel"), "pdf") == "sozialraum-karte-wandel-pdf.pdf"
    assert export.file_name(MapView(), "factsheet", "011001") == "sozialraum-karte-011001-factsheet.pdf"
    assert (
        export.file_name(MapView(mode="abdeckung"), "html", "011001")
        == "sozialraum-karte-abdeckung-html.html"
    )


def test_a_link_keeps_the_stadtbezirke_the_dataset_has(data: dataset.Dataset) -> None:
    ids = view.bezirk_ids(data.spaces)
    assert ids == set(range(1, 11))  # Düsseldorf's ten, read from the data
    shown = view.from_params({"bezirk": "2,10,11"}, **_known(data), bezirk_ids=ids)
    assert shown.bezirke == (2, 10)
    spaces = pd.DataFrame({"stadtbezirk": ["01", "12", None, "x"]})  # as text, as another city may have them
    assert view.bezirk_ids(spaces) == {1, 12}
