"""
One-page A4 briefs for meetings: the situation of the city, and a fact sheet per Sozialraum.

Both are PDFs drawn with matplotlib (no browser, no network) and carry no personal data: tandems appear by
name only.
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from geo import coverage, dynamics, i18n, need, profile, snapshot
from geo.dataset import Dataset
from geo.maps import format_date

A4_PORTRAIT = (8.27, 11.69)
TOP_GAPS = 10


def _table(
    ax: Axes, frame: pd.DataFrame, *, title: str, widths: list[float] | None = None, wrap: int = 0
) -> None:
    """A table on `ax`; with `wrap`, header labels longer than that many characters take two lines."""
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    if frame.empty:
        ax.text(0, 0.9, "–", fontsize=9, va="top")
        return
    cells = frame.astype(str).to_numpy().tolist()
    labels = [
        textwrap.fill(str(c), wrap, max_lines=2, placeholder="…") if wrap else str(c) for c in frame.columns
    ]
    table = ax.table(
        cellText=cells,
        colLabels=labels,
        loc="upper left",
        cellLoc="left",
        colLoc="left",
        colWidths=widths,
    )
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    table.scale(1, 1.25)
    for (row, _col), cell in table.get_celld().items():
        cell.set_edgecolor("#cccccc")
        if row == 0:
            cell.set_text_props(fontweight="bold")
            cell.set_facecolor("#eeeeee")
            if any("\n" in label for label in labels):
                cell.set_height(cell.get_height() * 1.8)


def _header(fig: Figure, title: str, subtitle: str) -> None:
    fig.text(0.05, 0.975, title, fontsize=17, fontweight="bold", va="top")
    fig.text(0.05, 0.948, subtitle, fontsize=9.5, color="#444444", va="top")


def _percent(share: float, lang: str) -> str:
    return "–" if pd.isna(share) else f"{i18n.format_number(100 * share, lang, decimals=0)} %"


def meeting_brief(dataset: Dataset, prepared: snapshot.Prepared, *, lang: str = "de") -> bytes:
    """
    The one-page meeting brief (A4 PDF): map, coverage figures, top gaps, tandems with their areas.

    Parameters
    ----------
    dataset
        The loaded dataset.
    prepared
        From `geo.snapshot.prepare` (its coverage table holds tandem names only).
    lang
        Language.
    """
    view = prepared.view

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    city, _ = coverage.city_figures(prepared.table, min_class=view.min_class, distance_m=view.distance_m)
    gap_table = coverage.gaps(prepared.table, min_class=view.min_class)
    with mpl.rc_context(snapshot.RC):
        fig = Figure(figsize=A4_PORTRAIT, dpi=snapshot.DPI)
        as_of = t("map.as_of", date=format_date(dataset.meta.reference_date, lang))
        _header(fig, t("brief.title"), f"{prepared.styling.title} · {as_of} · {dataset.meta.title}")
        ax_map = fig.add_axes((0.04, 0.50, 0.58, 0.43))
        snapshot.draw_map(ax_map, dataset, prepared, lang=lang)
        fig.legend(
            handles=snapshot.legend_handles(prepared, dataset, lang),
            loc="upper left",
            bbox_to_anchor=(0.63, 0.935),
            frameon=False,
            fontsize=8,
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
        for n, (label, value) in enumerate(figures):
            y = 0.72 - n * 0.055
            fig.text(0.64, y, value, fontsize=15, fontweight="bold", va="top")
            fig.text(0.64, y - 0.025, label, fontsize=7.5, color="#444444", va="top")
        gaps = gap_table.head(TOP_GAPS)
        gap_rows = pd.DataFrame(
            {
                "ID": gaps["sozialraum_id"],
                t("ranking.name"): gaps["name"].str.slice(0, 34),
                t("ranking.bezirk"): gaps["stadtbezirk"],
                t("ranking.class"): gaps["need_class"].map(lambda c: t(f"need.short{c}")),
                t("ranking.population"): gaps["population"].map(
                    lambda v: i18n.format_number(v, lang, decimals=0)
                ),
                t(f"coverage.distance_m_{view.measure}"): gaps["distance_m"].map(
                    lambda v: i18n.format_number(v, lang, decimals=0)
                ),
            }
        )
        _table(
            fig.add_axes((0.05, 0.26, 0.90, 0.21)),
            gap_rows,
            title=t("brief.top_gaps", n=len(gaps), total=len(gap_table)),
            widths=[0.09, 0.35, 0.08, 0.17, 0.14, 0.17],
        )
        covered = prepared.table[prepared.table["covered"]]
        by_tandem: dict[str, list[str]] = {}
        for _, row in covered.iterrows():
            for name in row["tandems"].split(", "):
                by_tandem.setdefault(name, []).append(f"{row['name']} ({row['sozialraum_id']})")
        tandem_rows = pd.DataFrame(
            {
                t("tandems.name"): list(by_tandem),
                t("tandems.sozialraeume"): ["; ".join(v)[:90] for v in by_tandem.values()],
            }
        )
        _table(
            fig.add_axes((0.05, 0.06, 0.90, 0.17)), tandem_rows, title=t("brief.tandems"), widths=[0.3, 0.7]
        )
        if dataset.meta.demo:
            snapshot.demo_mark(fig, lang)
        snapshot.footer(fig, dataset, lang)
    return snapshot.to_bytes(fig, "pdf")


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

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    shown = profile.profile_indicators(dataset.indicator_ids())
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
        _header(
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
        # what stands out, in plain words, before the numbers (the need sentence is the next line's job);
        # wrapped short enough to stay left of the small map
        lines = [
            textwrap.fill(sentence, width=60, subsequent_indent="  ")
            for sentence in profile.plain_summary(p, lang=lang, sentences=2, with_need=False)
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
        lines.append(
            f"{t('profile.tandems')}: {', '.join(p.tandems) if p.tandems else t('profile.no_tandem')}"
        )
        lines.append(t("profile.nearest") + ":")
        lines += [
            f"  {r.name}, {r.address}: {i18n.format_number(r.distance_m, lang, decimals=0)} m"
            for r in p.nearest_welcome_points.itertuples()
        ]
        topics = "; ".join(open_concerns or [])
        lines.append(t("brief.concerns", list=topics[:150]) if topics else t("brief.no_concerns"))
        fig.text(0.05, 0.91, "\n".join(lines), fontsize=9, va="top", linespacing=1.5, wrap=True)
        comp = p.comparison

        def fmt(v: float) -> str:
            return i18n.format_number(v, lang, decimals=1)

        frame = pd.DataFrame(
            {
                t("profile.indicator"): comp["label"].str.slice(0, 44),
                t("profile.unit"): comp["unit_label"],
                p.name[:22]: comp["value"].map(fmt),
                t("profile.city_median"): comp["city"].map(fmt),
                t("profile.bezirk_median", n=p.stadtbezirk): comp["bezirk"].map(fmt),
            }
        )
        _table(
            fig.add_axes((0.05, 0.06, 0.90, 0.58)),
            frame,
            title=t("brief.indicators"),
            widths=[0.42, 0.07, 0.15, 0.14, 0.16],
        )
        if dataset.meta.demo:
            snapshot.demo_mark(fig, lang)
        snapshot.footer(fig, dataset, lang)
    return snapshot.to_bytes(fig, "pdf")
