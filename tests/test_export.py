"""Exports: PDF text, PNG presets, no personal data in any file, and no network needed."""

from __future__ import annotations

import io
import socket
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from geo.analysis import dynamics
from geo.analysis.view import MODES, MapView
from geo.core.access import Principal
from geo.data import dataset
from geo.output import export
from geo.register.store import Register

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
ADMIN = Principal(label="test-admin", roles=frozenset({"admin"}))

SENTINEL_NAME = "Zzyzx Sentinelname"
SENTINEL_CONTACT = "sentinel-contact@example.invalid"


@pytest.fixture(scope="module")
def data(demo_dir: Path) -> dataset.Dataset:
    return dataset.load_dataset(demo_dir)


@pytest.fixture(scope="module")
def assignments(tmp_path_factory: pytest.TempPathFactory, data: dataset.Dataset) -> pd.DataFrame:
    register = Register(f"sqlite:///{tmp_path_factory.mktemp('db') / 'r.sqlite'}")
    a = register.add_connector(
        SENTINEL_NAME, "Türkisch", contact=SENTINEL_CONTACT, home_sozialraum_id="011001", by=COORD
    )
    b = register.add_connector("Zweite Person", "Arabisch", by=COORD)
    t = register.create_tandem("Tandem Nordlicht", [a, b], start=date(2025, 1, 1), by=COORD)
    register.assign(
        t, "011001", valid_from=date(2025, 1, 1), known_ids=set(data.spaces["sozialraum_id"]), by=COORD
    )
    return register.active_assignments()


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_holds_title_source_legend_and_demo_mark(
    data: dataset.Dataset, assignments: pd.DataFrame
) -> None:
    pdf = export.render(
        data, MapView(mode="indikator", indicator="kinderarmut"), "pdf", assignments=assignments
    )
    text = _text(pdf)
    assert "Kinderarmut (%)" in text
    assert "Quelle: Synthetisch erzeugt" in text
    assert "Stand 31.12.2021" in text
    assert "keine Daten" in text
    assert "Gleich viele je Stufe, 5 Stufen" in text
    assert "Demo-Daten (erfunden)" in text
    assert "Welcome Points" in text
    assert "Bezirk 1" in text
    assert "2 km" in text or "1 km" in text  # the scale bar


def test_coverage_pdf_and_brief(data: dataset.Dataset, assignments: pd.DataFrame) -> None:
    view = MapView(mode="abdeckung", min_class=2)
    text = _text(export.render(data, view, "pdf", assignments=assignments, lang="en"))
    assert "Gap: high need, no tandem" in text
    assert "Tandem Nordlicht" in text
    brief = _text(export.render(data, view, "brief", assignments=assignments))
    assert "Überblick" in brief
    assert "dringendsten Lücken" in brief
    assert "Tandem Nordlicht" in brief
    assert "Quelle:" in brief
    assert len(PdfReader(io.BytesIO(export.render(data, view, "brief", assignments=assignments))).pages) == 1
    sheet = _text(export.render(data, view, "factsheet", assignments=assignments, sozialraum_id="011001"))
    name = data.spaces.set_index("sozialraum_id").loc["011001", "name"]
    assert name in sheet
    assert "Stadt (mittlerer Wert)" in sheet
    assert "Tandem Nordlicht" in sheet
    # status next to dynamics, as on the Steckbrief (the demo's population course 2021-2024)
    expected = dynamics.sentence(data.series, "011001", "de")
    assert expected is not None and expected.replace("**", "") in " ".join(sheet.split())


@pytest.mark.parametrize(("preset", "size"), [("a4", (1753, 1240)), ("16:9", (1999, 1125))])
def test_png_presets_not_blank(
    data: dataset.Dataset, assignments: pd.DataFrame, preset: str, size: tuple
) -> None:
    png = export.render(data, MapView(mode="index"), "png", assignments=assignments, preset=preset)  # type: ignore[arg-type]
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert abs(image.size[0] - size[0]) <= 1
    assert abs(image.size[1] - size[1]) <= 1
    pixels = np.asarray(image).reshape(-1, 3)
    assert (pixels.std(axis=0) > 20).all()  # not a blank page
    assert len(np.unique(pixels[::50], axis=0)) > 50  # many colours: the classes, outlines, text


def test_no_personal_data_in_any_export(data: dataset.Dataset, assignments: pd.DataFrame) -> None:
    leaky = assignments.assign(
        contact=SENTINEL_CONTACT, person=SENTINEL_NAME, by=COORD
    )  # extra columns must not travel
    for kind in MODES:
        for fmt in ("html", "png", "pdf", "brief", "factsheet"):
            content = export.render(data, MapView(mode=kind), fmt, assignments=leaky, sozialraum_id="011001")  # type: ignore[arg-type]
            text = content.decode("latin-1") + (_text(content) if content.startswith(b"%PDF") else "")
            assert SENTINEL_NAME not in text, (kind, fmt)
            assert SENTINEL_CONTACT not in text, (kind, fmt)


def test_exports_work_without_network(
    data: dataset.Dataset, assignments: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        msg = "network access during an export"
        raise AssertionError(msg)

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for fmt in export.FORMATS:
        content = export.render(
            data, MapView(mode="abdeckung"), fmt, assignments=assignments, sozialraum_id="011001"
        )
        assert len(content) > 10_000
    html = export.render(data, MapView(), "html", assignments=assignments).decode()
    assert 'src="http' not in html
    assert 'href="http' not in html.replace('href="https://leafletjs.com"', "")


def test_fact_sheet_lists_open_concerns(data: dataset.Dataset, assignments: pd.DataFrame) -> None:
    sheet = export.render(
        data,
        MapView(),
        "factsheet",
        assignments=assignments,
        sozialraum_id="011001",
        open_concerns=["Spielplatz kaputt", "Beleuchtung"],
    )
    assert "Offene Anliegen: Spielplatz kaputt; Beleuchtung" in _text(sheet)
    none = export.render(data, MapView(), "factsheet", assignments=assignments, sozialraum_id="011001")
    assert "Offene Anliegen: keine" in _text(none)


def test_coverage_gaps_are_hatched_in_print(
    data: dataset.Dataset, assignments: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    import numpy as np

    from geo.output import maps

    view = MapView(mode="abdeckung", min_class=2)

    def pixels(png: bytes) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)

    def whites(png: bytes) -> int:
        return int((pixels(png) == 255).all(axis=1).sum())

    def reds(png: bytes) -> int:
        gap = np.array([int(maps.GAP_COLOUR[i : i + 2], 16) for i in (1, 3, 5)])
        return int((np.abs(pixels(png) - gap).max(axis=1) < 12).sum())

    hatched = export.render(data, view, "png", assignments=assignments)
    plain = maps.style_coverage
    monkeypatch.setattr(maps, "style_coverage", lambda *a, **k: replace(plain(*a, **k), hatched=frozenset()))
    flat = export.render(data, view, "png", assignments=assignments)
    assert reds(flat) > 2_000  # there are gaps in the demo data
    assert reds(hatched) < 0.85 * reds(flat)  # white lines run through them
    assert whites(hatched) > whites(flat)


def test_arabic_exports_are_joined_and_right_to_left(
    data: dataset.Dataset, assignments: pd.DataFrame
) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # Matplotlib >= 3.11 shapes text: joined Arabic letters are narrower than the same letters kept apart
    # (a zero-width non-joiner between each); without shaping both would be as wide
    word = "الاجتماعية"
    fig = Figure()
    canvas = FigureCanvasAgg(fig)
    joined = fig.text(0, 0, word, fontsize=20)
    apart = fig.text(0, 0.5, "\u200c".join(word), fontsize=20)
    canvas.draw()
    renderer = canvas.get_renderer()
    assert joined.get_window_extent(renderer).width < 0.9 * apart.get_window_extent(renderer).width
    png = export.render(data, MapView(mode="index"), "png", assignments=assignments, lang="ar")
    assert png.startswith(b"\x89PNG")
    pdf = export.render(data, MapView(mode="index"), "pdf", assignments=assignments, lang="ar")
    assert pdf.startswith(b"%PDF")


def test_a_chosen_sozialraum_is_marked_on_the_map(data: dataset.Dataset, assignments: pd.DataFrame) -> None:
    name = data.spaces.set_index("sozialraum_id").loc["011001", "name"]
    marked = _text(
        export.render(data, MapView(mode="index"), "pdf", assignments=assignments, sozialraum_id="011001")
    )
    assert f"schwarz umrandet: {name} (011001)" in " ".join(marked.split())  # the subtitle may wrap
    plain = _text(export.render(data, MapView(mode="index"), "pdf", assignments=assignments))
    assert "schwarz umrandet" not in plain
