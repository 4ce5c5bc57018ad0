"""
One-page A4 briefs for meetings: the city's situation (`meeting_brief`), a Sozialraum's (`fact_sheet`).

Both are PDFs drawn with matplotlib (no browser, no network) and carry no personal data: tandems appear by
name only. The situation brief can also be set in landscape for a projector (`orientation`). Their tables
and headers are laid out as in every PDF of the app (`geo.output._pdf`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from geo.analysis import coverage, dynamics, need
from geo.core import i18n
from geo.data.dataset import Dataset
from geo.output import _pdf, profile, snapshot
from geo.output._pdf import A4_LANDSCAPE, A4_PORTRAIT, fill_lines
from geo.output.maps import format_date

TOP_GAPS = 10

Orientation = Literal["portrait", "landscape"]


def _percent(share: float, lang: str) -> str:
    return "–" if pd.isna(share) else f"{i18n.format_number(100 * share, lang, decimals=0)} %"


@dataclass(frozen=True)
class _BriefLayout:
    """Where the parts of the meeting brief go on its page (figure fractions; axes as left, bottom, w, h)."""

    page: tuple[float, float]
    map_box: tuple[float, float, float, float]
    legend_at: tuple[float, float]
    legend_columns: int
    figures_at: tuple[tuple[float, float], ...]  # top left of each key figure's value
    figure_label_width: float  # of the page
    gaps_box: tuple[float, float, float, float]
    gaps_widths: tuple[float, ...]
    tandems_box: tuple[float, float, float, float]


_BRIEF_LAYOUTS: dict[str, _BriefLayout] = {
    # map top left, legend and figures beside it, the two tables across the page below
    "portrait": _BriefLayout(
        page=A4_PORTRAIT,
        map_box=(0.04, 0.50, 0.58, 0.43),
        legend_at=(0.63, 0.935),
        legend_columns=1,
        figures_at=tuple((0.64, 0.72 - n * 0.055) for n in range(4)),
        figure_label_width=0.33,
        gaps_box=(0.05, 0.26, 0.90, 0.21),
        gaps_widths=(0.09, 0.35, 0.08, 0.17, 0.14, 0.17),
        tandems_box=(0.05, 0.06, 0.90, 0.17),
    ),
    # for a projector: the map as tall as the page on the left, everything else in a column beside it
    "landscape": _BriefLayout(
        page=A4_LANDSCAPE,
        map_box=(0.03, 0.06, 0.46, 0.83),
        legend_at=(0.515, 0.795),
        legend_columns=2,
        figures_at=tuple((0.52 + n * 0.115, 0.90) for n in range(4)),
        figure_label_width=0.105,
        gaps_box=(0.52, 0.33, 0.45, 0.31),
        gaps_widths=(0.09, 0.30, 0.08, 0.20, 0.14, 0.19),
        tandems_box=(0.52, 0.06, 0.45, 0.2),
    ),
}


def meeting_brief(
    dataset: Dataset,
    prepared: snapshot.Prepared,
    *,
    lang: str = "de",
    orientation: Orientation = "portrait",
) -> bytes:
    """
    The one-page meeting brief (A4 PDF): map, coverage figures, top gaps, tandems with their areas.

    Parameters
    ----------
    dataset
        The loaded dataset.
    prepared
        From `geo.output.snapshot.prepare` (its coverage table holds tandem names only).
    lang
        Language.
    orientation
        "portrait" (A4 upright, for print) or "landscape" (A4 quer, for a projector: the map fills the
        left half, figures, gaps and tandems the right).
    """
    if orientation not in _BRIEF_LAYOUTS:
        msg = f"unknown orientation {orientation!r}; known: {', '.join(_BRIEF_LAYOUTS)}"
        raise ValueError(msg)
    layout = _BRIEF_LAYOUTS[orientation]
    view = prepared.view

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    city, _ = coverage.city_figures(prepared.table, min_class=view.min_class, distance_m=view.distance_m)
    gap_table = coverage.gaps(prepared.table, min_class=view.min_class)
    with mpl.rc_context(snapshot.RC):
        fig = Figure(figsize=layout.page, dpi=snapshot.DPI)
        as_of = t("map.as_of", date=format_date(dataset.meta.reference_date, lang))
        _pdf.header(fig, t("brief.title"), f"{prepared.styling.title} · {as_of} · {dataset.meta.title}")
        snapshot.draw_map(fig.add_axes(layout.map_box), dataset, prepared, lang=lang)
        fig.legend(
            handles=snapshot.legend_handles(prepared, dataset, lang),
            loc="upper left",
            bbox_to_anchor=layout.legend_at,
            frameon=False,
            fontsize=8,
            ncols=layout.legend_columns,
        )
        figures = [
            (t("coverage.share_covered"), _percent(city["share_high_need_covered"], lang)),
            (t("coverage.share_within"), _percent(city["share_within"], lang)),
            (t("coverage.gap_count"), str(len(gap_table))),
            (
                t("brief.high_need_population"),
                i18n.format_number(city["high_need_population"], lang, decimals=0),
            ),
        ]
        label_width = layout.figure_label_width * layout.page[0] * 72
        below = 21 / (72 * layout.page[1])  # the label 21 points under the top of its value
        for (x, y), (label, value) in zip(layout.figures_at, figures, strict=True):
            fig.text(x, y, value, fontsize=15, fontweight="bold", va="top")
            lines, _broken = fill_lines(label, label_width, size=7.5)
            fig.text(x, y - below, "\n".join(lines), fontsize=7.5, color="#444444", va="top")
        _pdf.table(
            fig.add_axes(layout.gaps_box),
            _gap_rows(gap_table.head(TOP_GAPS), view.measure, lang),
            title=t("brief.top_gaps", n=min(TOP_GAPS, len(gap_table)), total=len(gap_table)),
            widths=list(layout.gaps_widths),
        )
        _pdf.table(
            fig.add_axes(layout.tandems_box),
            _tandem_rows(prepared.table, lang),
            title=t("brief.tandems"),
            widths=[0.3, 0.7],
        )
        if dataset.meta.demo:
            snapshot.demo_mark(fig, lang)
        snapshot.footer(fig, dataset, lang)
    return snapshot.to_bytes(fig, "pdf")


def _gap_rows(gaps: pd.DataFrame, measure: str, lang: str) -> pd.DataFrame:
    """The brief's table of the most urgent gaps, in words and numbers as the reader writes them."""

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    return pd.DataFrame(
        {
            "ID": gaps["sozialraum_id"],
            t("ranking.name"): gaps["name"],
            t("ranking.bezirk"): gaps["stadtbezirk"],
            t("ranking.class"): gaps["need_class"].map(lambda c: t(f"need.short{c}")),
            t("ranking.population"): gaps["population"].map(
                lambda v: i18n.format_number(v, lang, decimals=0)
            ),
            t(f"coverage.distance_m_{measure}"): gaps["distance_m"].map(
                lambda v: i18n.format_number(v, lang, decimals=0)
            ),
        }
    )


def _tandem_rows(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Each tandem (by name only) with the Sozialräume it works in."""
    by_tandem: dict[str, list[str]] = {}
    for _, row in table[table["covered"]].iterrows():
        for name in row["tandems"].split(", "):
            by_tandem.setdefault(name, []).append(f"{row['name']} ({row['sozialraum_id']})")
    return pd.DataFrame(
        {
            i18n.translate("tandems.name", lang): list(by_tandem),
            i18n.translate("tandems.sozialraeume", lang): ["; ".join(v) for v in by_tandem.values()],
        }
    )


def fact_sheet(
    dataset: Dataset,
    prepared: snapshot.Prepared,
    sozialraum_id: str,
    *,
    lang: str = "de",
    open_concerns: list[str] | None = None,
) -> bytes:
    """
    One page about one Sozialraum (A4 PDF).

    Identity, need rank, indicators against the city and Stadtbezirk, nearest Welcome Points, tandems,
    and where it lies in the city.
    """
    fig = fact_sheet_figure(dataset, prepared, sozialraum_id, lang=lang, open_concerns=open_concerns)
    return snapshot.to_bytes(fig, "pdf")


def _fact_sheet_lines(
    dataset: Dataset, p: profile.Profile, sozialraum_id: str, *, lang: str, open_concerns: list[str] | None
) -> list[str]:
    """The fact sheet's text beside the map: what stands out, need, change, tandem, Welcome Points, concerns."""

    def t(key: str, **params: object) -> str:
        return i18n.translate(key, lang, **params)

    # what stands out, in plain words, before the numbers (the need sentence is the next line's job);
    # wrapped short enough to stay left of the small map
    lines = [
        textwrap.fill(sentence, width=60, subsequent_indent="  ")
        for sentence in profile.plain_summary(
            p, lang=lang, sentences=2, with_need=False, cat=dataset.catalogue
        )
    ]
    if p.score is not None and p.need_class:
        lines.append(
            t(
                "brief.need_line",
                score=i18n.format_number(p.score, lang, decimals=0),
                rank=p.rank,
                n=p.ranked,
                klasse=t(need.CLASS_KEYS[p.need_class - 1]),
            )
        )
    if (moving := dynamics.sentence(dataset.series, sozialraum_id, lang)) is not None:
        lines.append(moving.replace("**", ""))
    lines.append(f"{t('profile.tandems')}: {', '.join(p.tandems) if p.tandems else t('profile.no_tandem')}")
    lines.append(t("profile.nearest") + ":")
    lines += [
        f"  {r.name}, {r.address}: {i18n.format_number(r.distance_m, lang, decimals=0)} m"
        for r in p.nearest_welcome_points.itertuples()
    ]
    topics = "; ".join(open_concerns or [])
    lines.append(t("brief.concerns", list=topics[:150]) if topics else t("brief.no_concerns"))
    return lines


def fact_sheet_figure(
    dataset: Dataset,
    prepared: snapshot.Prepared,
    sozialraum_id: str,
    *,
    lang: str = "de",
    open_concerns: list[str] | None = None,
) -> Figure:
    """The fact sheet's page as a figure (the first page of the Sozialraum-Mappe too)."""

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    shown = profile.profile_indicators(dataset.indicator_ids(), dataset.catalogue)
    p = profile.build_profile(
        dataset,
        sozialraum_id,
        indicator_ids=shown,
        need=prepared.result,
        assignments=prepared.table.assign(tandem=prepared.table["tandems"]).loc[
            lambda f: f["tandems"] != "", ["sozialraum_id", "tandem"]
        ],
        lang=lang,
    )
    with mpl.rc_context(snapshot.RC):
        fig = Figure(figsize=A4_PORTRAIT, dpi=snapshot.DPI)
        population = i18n.format_number(p.population, lang, decimals=0) if p.population is not None else "–"
        _pdf.header(
            fig,
            p.name,
            t(
                "profile.place",
                id=p.sozialraum_id,
                stadtteil=p.stadtteil,
                bezirk=p.stadtbezirk,
                population=population,
            ),
        )
        ax_map = fig.add_axes((0.55, 0.68, 0.42, 0.25))
        snapshot.draw_map(ax_map, dataset, prepared, lang=lang, labels=False, highlight=sozialraum_id)
        lines = _fact_sheet_lines(dataset, p, sozialraum_id, lang=lang, open_concerns=open_concerns)
        fig.text(0.05, 0.91, "\n".join(lines), fontsize=9, va="top", linespacing=1.5, wrap=True)
        comp = p.comparison

        def fmt(v: float) -> str:
            return i18n.format_number(v, lang, decimals=1)

        frame = pd.DataFrame(
            {
                t("profile.indicator"): comp["label"],
                t("profile.unit"): comp["unit_label"],
                p.name: comp["value"].map(fmt),
                t("profile.city_median"): comp["city"].map(fmt),
                t("profile.bezirk_median", n=p.stadtbezirk): comp["bezirk"].map(fmt),
            }
        )
        _pdf.table(
            fig.add_axes((0.05, 0.06, 0.90, 0.58)),
            frame,
            title=t("brief.indicators"),
            widths=[0.42, 0.07, 0.15, 0.14, 0.16],
        )
        if dataset.meta.demo:
            snapshot.demo_mark(fig, lang)
        snapshot.footer(fig, dataset, lang)
    return fig
