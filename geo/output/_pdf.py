"""
The layout every A4 PDF of the app shares (matplotlib, no browser, no network).

Text is measured as the PNG renderer draws it, a little wider than the PDF's own metrics. A table's header
wraps, and gets smaller if it must, so that nothing of it is cut (`header_lines`); a cell too long for its
column ends in "…" (`fit_line`); `table` draws one, `header` a page's title, `pdf_bytes` writes the pages.
Used by `geo.output.briefs` and `geo.output.programme_pdfs` (and the Mappe's `dossier`), not by pages.
"""

from __future__ import annotations

import functools
import io
import re

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.table import Table
from matplotlib.text import Text

from geo.core.tables import printable
from geo.output import snapshot

A4_PORTRAIT = (8.27, 11.69)
#: A4 landscape ("A4 quer"): the meeting brief on a projector.
A4_LANDSCAPE = (11.69, 8.27)
#: Table text in points; a header shrinks down to `HEADER_MIN_SIZE` before a word of it is broken.
TABLE_FONT_SIZE = 7.5
HEADER_MIN_SIZE = 6.0
#: Lines a header may take at `TABLE_FONT_SIZE` before it is set smaller.
HEADER_MAX_LINES = 3
#: Space between a cell's border and its text, in points.
CELL_PAD_PT = 2.5
#: Body rows as tall as matplotlib makes them for 10-point text, times this.
ROW_SCALE = 1.25
#: No table cell on an A4 page holds more characters than this.
MAX_CELL_CHARS = 400


@functools.cache
def _renderer() -> RendererAgg:
    """Measures text as the PNG export draws it (a little wider than the PDF's own metrics: a safe side)."""
    return RendererAgg(1, 1, snapshot.DPI)


@functools.lru_cache(maxsize=8192)
def text_size(text: str, size: float, *, bold: bool = False) -> tuple[float, float, float]:
    """
    Width, height and descent of one line of `text` in points, in the font of the prints.

    Parameters
    ----------
    text
        One line (no newline).
    size
        Font size in points.
    bold
        Bold, as table headers are.
    """
    prop = FontProperties(family=snapshot.RC["font.family"], size=size, weight="bold" if bold else "normal")
    width, height, descent = _renderer().get_text_width_height_descent(text, prop, ismath=False)
    scale = 72 / snapshot.DPI
    return width * scale, height * scale, descent * scale


def _pieces(text: str) -> list[tuple[str, str]]:
    """`text` as (glue, piece): a line may break at a space (glue " ") and after a hyphen or slash ("")."""
    pieces: list[tuple[str, str]] = []
    for word in text.split():
        for n, piece in enumerate(re.findall(r"[^-/]+[-/]?|[-/]", word)):
            pieces.append(("" if n else " ", piece))
    return pieces


def fill_lines(text: str, width_pt: float, *, size: float, bold: bool = False) -> tuple[list[str], bool]:
    """
    `text` broken into lines no wider than `width_pt` at font size `size`.

    Returns
    -------
    tuple of list of str and bool
        The lines, and whether a word wider than `width_pt` had to be broken inside (with a hyphen).
    """
    lines: list[str] = []
    line = ""
    broken = False
    for glue, piece in _pieces(text):
        candidate = f"{line}{glue}{piece}" if line else piece
        if text_size(candidate, size, bold=bold)[0] <= width_pt:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = piece
        while len(line) > 1 and text_size(line, size, bold=bold)[0] > width_pt:
            broken = True
            cut = max(
                (n for n in range(1, len(line)) if text_size(line[:n] + "-", size, bold=bold)[0] <= width_pt),
                default=1,
            )
            lines.append(line[:cut] + "-")
            line = line[cut:]
    if line or not lines:
        lines.append(line)
    return lines, broken


def header_lines(label: str, width_pt: float, *, size: float = TABLE_FONT_SIZE) -> tuple[list[str], float]:
    """
    A column header laid out to fit its column: its lines and the font size they fit at.

    Parameters
    ----------
    label
        The header.
    width_pt
        The width its text may take, in points (the column less its padding).
    size
        The font size tried first.

    Returns
    -------
    tuple of list of str and float
        Lines, each no wider than `width_pt` at the returned size, so that nothing of the header is cut.

    Notes
    -----
    Lines break at spaces and after a hyphen or slash. At `size` a header may take `HEADER_MAX_LINES` lines;
    one that needs more, or has a word wider than the column, is set smaller in half points down to
    `HEADER_MIN_SIZE`; a word still too wide there is broken inside with a hyphen. Only a header from data
    (a Sozialraum's name) can need more than one line beyond `HEADER_MAX_LINES` at the smallest size: its
    last line then ends in "…".
    """
    current = size
    while True:
        lines, broken = fill_lines(label, width_pt, size=current, bold=True)
        if not broken and len(lines) <= HEADER_MAX_LINES:
            return lines, current
        if current <= HEADER_MIN_SIZE:
            if len(lines) > HEADER_MAX_LINES + 1:
                rest = " ".join(lines[HEADER_MAX_LINES:])
                lines = [*lines[:HEADER_MAX_LINES], fit_line(rest, width_pt, size=current, bold=True)]
            return lines, current
        current = max(HEADER_MIN_SIZE, current - 0.5)


def fit_line(text: str, width_pt: float, *, size: float = TABLE_FONT_SIZE, bold: bool = False) -> str:
    """
    `text` on one line of `width_pt` points: whole, or shortened to end in "…" (never cut off unseen).

    Line breaks, tabs and runs of spaces become one space; a text longer than any page (`MAX_CELL_CHARS`)
    is shortened first.
    """
    text = " ".join(text.split())[:MAX_CELL_CHARS]
    if text_size(text, size, bold=bold)[0] <= width_pt:
        return text
    low, high = 0, len(text)  # the longest start that fits with "…": found by halving (long text is slow)
    while low < high:
        middle = (low + high + 1) // 2
        if text_size(text[:middle].rstrip() + "…", size, bold=bold)[0] <= width_pt:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def _lines_height(n: int, size: float) -> float:
    """Height in points of `n` lines as matplotlib sets them (line spacing 1.2, from the "lp" metrics)."""
    _w, height, descent = text_size("lp()ÄÜ", size, bold=True)
    return height + (n - 1) * (height - descent) * 1.2


def table(ax: Axes, frame: pd.DataFrame, *, title: str, widths: list[float] | None = None) -> None:
    """
    A table on `ax`, top left; every header and cell fits its column (`header_lines`, `fit_line`).

    Headers wrap (and, if they must, get smaller) instead of running into the next column or off the page;
    a cell too long for its column ends in "…".
    """
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    if frame.empty:
        ax.text(0, 0.9, "–", fontsize=9, va="top")
        return
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    box = ax.get_position()
    axes_w = box.width * fig.get_figwidth() * 72  # points per unit of the axes' width and height
    axes_h = box.height * fig.get_figheight() * 72
    columns = len(frame.columns)
    widths = widths or [1 / columns] * columns
    room = [w * axes_w - 2 * CELL_PAD_PT for w in widths]
    cells = [
        [fit_line(printable(v), room[c]) for c, v in enumerate(row)]
        for row in frame.astype(str).to_numpy().tolist()
    ]
    headers = [header_lines(printable(label), room[c]) for c, label in enumerate(frame.columns)]
    table = ax.table(
        cellText=cells,
        colLabels=["\n".join(lines) for lines, _size in headers],
        loc="upper left",
        cellLoc="left",
        colLoc="left",
        colWidths=widths,
    )
    table.auto_set_font_size(False)
    table.set_fontsize(TABLE_FONT_SIZE)
    table.scale(1, ROW_SCALE)
    needed = max(_lines_height(len(lines), size) for lines, size in headers) + 2 * CELL_PAD_PT
    for (row, col), cell in table.get_celld().items():
        cell.PAD = CELL_PAD_PT / (widths[col] * axes_w)  # the same few points in every column
        cell.set_edgecolor("#cccccc")
        if row == 0:
            cell.get_text().set_fontsize(headers[col][1])
            cell.set_text_props(fontweight="bold")
            cell.set_facecolor("#eeeeee")
            cell.set_height(max(cell.get_height(), needed / axes_h))


def header(fig: Figure, title: str, subtitle: str) -> None:
    """Title and subtitle at the top left, the same distance from the top edge on any page."""
    height = fig.get_figheight()
    fig.text(0.05, 1 - 0.29 / height, title, fontsize=17, fontweight="bold", va="top")
    fig.text(0.05, 1 - 0.61 / height, subtitle, fontsize=9.5, color="#444444", va="top")


def pdf_bytes(figures: list[Figure]) -> bytes:
    """The pages as one PDF; text from data shown as written (no control characters, no "$…$" maths)."""
    buffer = io.BytesIO()
    with mpl.rc_context(snapshot.RC), PdfPages(buffer, metadata={"Creator": "Sozialraum-Karte"}) as pdf:
        for fig in figures:
            cells = [cell.get_text() for table in fig.findobj(Table) for cell in table.get_celld().values()]
            for text in [*fig.findobj(Text), *cells]:  # text from data: no control characters, no "$…$" maths
                text.set_text(printable(text.get_text()))
                text.set_parse_math(False)
            pdf.savefig(fig)
    return buffer.getvalue()
