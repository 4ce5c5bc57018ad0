"""Print layout: every table header and cell of every PDF fits its column and the page; the brief in landscape."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.table import Table
from pypdf import PdfReader

from geo.analysis.view import MapView
from geo.core import i18n
from geo.core.access import Principal
from geo.data import dataset
from geo.output import _pdf, briefs, export, programme_pdfs, snapshot
from geo.register import demo_register, impact, programme
from geo.register.store import Register

TODAY = date(2026, 11, 23)
#: The brief's distance header, which used to run off the page ("Entfernung (m, ab Punk").
DISTANCE = i18n.translate("coverage.distance_m_point", "de")


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> tuple[dataset.Dataset, Register]:
    """The demo dataset and a demo register with its programme year (activities, hours, concerns)."""
    data = dataset.load_dataset(demo_dir)
    ids = sorted(data.spaces["sozialraum_id"])
    register = Register(f"sqlite:///{tmp_path_factory.mktemp('year') / 'demo.sqlite'}", demo=True)
    demo_register.seed_register(register, ids)
    demo_register.seed_programme_year(register, ids, today=TODAY)
    return data, register


def _pages(monkeypatch: pytest.MonkeyPatch, make: Callable[[], None]) -> list[Figure]:
    """The pages `make` turns into PDFs, kept as figures."""
    pages: list[Figure] = []
    to_bytes, pdf = snapshot.to_bytes, _pdf.pdf_bytes

    def keep_one(fig: Figure, fmt: str) -> bytes:
        pages.append(fig)
        return to_bytes(fig, fmt)  # type: ignore[arg-type]

    def keep_all(figures: list[Figure]) -> bytes:
        pages.extend(figures)
        return pdf(figures)

    monkeypatch.setattr(snapshot, "to_bytes", keep_one)
    monkeypatch.setattr(_pdf, "pdf_bytes", keep_all)
    make()
    return pages


def _inside(inner: object, outer: object, slack: float = 0.5) -> bool:
    return (
        outer.x0 - slack <= inner.x0  # type: ignore[attr-defined]
        and inner.x1 <= outer.x1 + slack  # type: ignore[attr-defined]
        and outer.y0 - slack <= inner.y0  # type: ignore[attr-defined]
        and inner.y1 <= outer.y1 + slack  # type: ignore[attr-defined]
    )


def _cut(fig: Figure) -> list[str]:
    """Table text that leaves its cell, cells that leave the page, and headers shortened, as drawn."""
    canvas = FigureCanvasAgg(fig)
    with mpl.rc_context(snapshot.RC):
        canvas.draw()
    renderer = canvas.get_renderer()
    problems = []
    for table in fig.findobj(Table):
        for (row, col), cell in table.get_celld().items():
            box, text = cell.get_window_extent(renderer), cell.get_text()
            where = f"row {row}, column {col} ({text.get_text()!r})"
            if not _inside(text.get_window_extent(renderer), box):
                problems.append(f"{where} runs out of its cell")
            if not _inside(box, fig.bbox, slack=0):
                problems.append(f"{where} runs off the page")
            if row == 0 and "…" in text.get_text():
                problems.append(f"{where}: a header is shortened")
    return problems


def _headers(fig: Figure) -> set[str]:
    return {
        " ".join(cell.get_text().get_text().split())
        for table in fig.findobj(Table)
        for (row, _col), cell in table.get_celld().items()
        if row == 0
    }


def test_a_long_header_wraps_instead_of_being_cut() -> None:
    label = "Entfernung (m, ab Punkt im Innern)"
    width = 0.17 * 0.90 * _pdf.A4_PORTRAIT[0] * 72 - 2 * _pdf.CELL_PAD_PT  # the brief's last column
    assert _pdf.text_size(label, _pdf.TABLE_FONT_SIZE, bold=True)[0] > width  # it cannot stay one line
    lines, size = _pdf.header_lines(label, width)
    assert len(lines) > 1
    assert size == _pdf.TABLE_FONT_SIZE
    assert " ".join(lines) == label
    assert all(_pdf.text_size(line, size, bold=True)[0] <= width for line in lines)


def test_a_word_wider_than_its_column_is_set_smaller_then_broken() -> None:
    smaller, size = _pdf.header_lines("Handlungsbedarf", 65)
    assert smaller == ["Handlungsbedarf"]
    assert _pdf.HEADER_MIN_SIZE <= size < _pdf.TABLE_FONT_SIZE
    broken, size = _pdf.header_lines("Handlungsbedarf", 40)
    assert size == _pdf.HEADER_MIN_SIZE
    assert len(broken) > 1 and all(line.endswith("-") for line in broken[:-1])
    assert "".join(line.removesuffix("-") for line in broken) == "Handlungsbedarf"  # nothing lost
    assert all(_pdf.text_size(line, size, bold=True)[0] <= 40 for line in broken)
    assert _pdf.header_lines("Sozialraum-ID", 45)[0] == ["Sozialraum-", "ID"]  # after the hyphen
    # a cell from data is shortened visibly, and long text quickly
    assert _pdf.fit_line("Zwischen Nordfriedhof und Golzheimer Heide", 80).endswith("…")
    assert _pdf.text_size(_pdf.fit_line("x" * 100_000, 80), _pdf.TABLE_FONT_SIZE)[0] <= 80


@pytest.mark.parametrize("lang", ["de", "ru"])
def test_no_pdf_cuts_a_table_header_or_cell(
    year: tuple[dataset.Dataset, Register], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """The brief (upright and landscape), fact sheet, certificate, quarterly report and agenda, as drawn."""
    data, register = year
    by = Principal.cli()
    assignments = register.active_assignments(TODAY)
    first = str(data.spaces["sozialraum_id"].min())

    def make() -> None:
        for orientation in ("portrait", "landscape"):
            view = MapView(mode="abdeckung")
            export.render(data, view, "brief", assignments=assignments, lang=lang, orientation=orientation)
        export.render(
            data,
            MapView(mode="index"),
            "factsheet",
            assignments=assignments,
            lang=lang,
            sozialraum_id=first,
        )
        ev = impact.events(register, by=by)
        start, end = impact.quarter("2026-Q3")
        names = {t.id: t.name for t in register.tandems()}
        result = impact.impact(ev, impact.places(data), start, end, tandem_names=names)
        programme_pdfs.impact_report(
            result, impact.by_quarter(ev, last=end), data, label="2026-Q3", lang=lang
        )
        programme_pdfs.agenda(impact.agenda(register, impact.places(data), by=by, today=TODAY), lang=lang)
        person = register.connectors()[0].id
        since = TODAY - timedelta(days=365)
        frame = programme.hours(register, person, by=by, start=since, end=TODAY)
        journey = programme.journey(register, person, by=by)
        programme_pdfs.certificate(journey, frame, since, TODAY, lang=lang, today=TODAY)

    pages = _pages(monkeypatch, make)
    assert len(pages) >= 7  # two briefs, fact sheet, report, agenda, a certificate of two pages
    assert sum(len(page.findobj(Table)) for page in pages) >= 12
    problems = [f"page {n}: {problem}" for n, page in enumerate(pages, start=1) for problem in _cut(page)]
    assert problems == []
    if lang == "de":
        assert DISTANCE in _headers(pages[0])
        assert DISTANCE in _headers(pages[1])


def test_the_brief_in_landscape_is_wider_than_high(year: tuple[dataset.Dataset, Register]) -> None:
    data, register = year
    assignments = register.active_assignments(TODAY)
    for orientation, wide in (("landscape", True), ("portrait", False)):
        pdf = export.render(
            data, MapView(mode="abdeckung"), "brief", assignments=assignments, orientation=orientation
        )
        reader = PdfReader(io.BytesIO(pdf))
        box = reader.pages[0].mediabox
        assert len(reader.pages) == 1
        assert (box.width > box.height) is wide, orientation
        text = reader.pages[0].extract_text()
        assert "Demo-Tandem Nord" in text and DISTANCE in " ".join(text.split())
    prepared = snapshot.prepare(data, MapView(mode="abdeckung"), assignments, lang="de")
    with pytest.raises(ValueError, match="orientation"):
        briefs.meeting_brief(data, prepared, orientation="sideways")  # type: ignore[arg-type]
