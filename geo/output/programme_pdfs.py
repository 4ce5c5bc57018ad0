"""
The programme's documents as A4 PDFs (matplotlib, no browser, no network).

- `certificate`: a connector's certificate of volunteering ("Ehrenamtsnachweis") for a period: activities,
  hours with preparation, qualifications, the Ehrenamtskarte NRW statement, lines to sign. Personal data:
  made only for coordinators and the person (`geo.register.programme` checks it when reading).
- `impact_report`: one page per quarter for the monthly meeting and the city's committees: figures,
  need classes, Stadtbezirke, tandems by name, a chart over time. No personal data.
- `agenda`: one page for the monthly meeting: concerns waiting longest, upcoming activities, new gaps; a
  second page with the connectors' open proposals (and a small map of their Sozialräume) and what waits
  for the city's answer (`group_agenda`: that page alone, for the group's moderators).
"""

from __future__ import annotations

import os
import textwrap
from datetime import date

import geopandas as gpd
import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from geo.core import i18n
from geo.core.settings import METRIC_CRS
from geo.data.dataset import Dataset
from geo.output import _pdf, snapshot
from geo.output._pdf import A4_PORTRAIT, fill_lines
from geo.register import decide, impact, programme

#: Rows of activities on the certificate's first page and on each further page.
FIRST_PAGE_ROWS = 22
MORE_PAGE_ROWS = 38
CERTIFICATE_WIDTHS = [0.1, 0.27, 0.17, 0.1, 0.12, 0.13, 0.11]
FIGURE_WIDTHS = [0.19, 0.14, 0.13, 0.12, 0.15, 0.12, 0.15]


def programme_name() -> str:
    """The programme's name on documents (`SOZIALRAUM_PROGRAMME`, else Düsseldorf's Community Connectors)."""
    return (
        os.environ.get("SOZIALRAUM_PROGRAMME", "").strip()
        or "Community Connectors – Landeshauptstadt Düsseldorf"
    )


def _hours(value: float, lang: str) -> str:
    return i18n.format_number(value, lang, decimals=1)


def _certificate_intro(
    journey: programme.Journey,
    frame: pd.DataFrame,
    rule: programme.Threshold,
    period: tuple[date, date],
    *,
    lang: str,
) -> list[str]:
    """The certificate's opening lines: who, when, how many hours, qualifications, the Ehrenamtskarte."""

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    start, end = period
    total = float(frame["hours"].sum()) if not frame.empty else 0.0
    intro = [
        t(
            "certificate.intro",
            name=journey.name,
            programme=programme_name(),
            start=i18n.format_date(start, lang),
            end=i18n.format_date(end, lang),
        ),
        "",
        t("certificate.total", hours=_hours(total, lang), n=len(frame)),
    ]
    if journey.qualifications:
        intro.append(
            t("certificate.qualifications")
            + " "
            + "; ".join(f"{name} ({i18n.format_date(on, lang)})" for name, on in journey.qualifications)
        )
    key = "certificate.card_reached" if rule.reached else "certificate.card_not_reached"
    intro.append(
        t(
            key,
            hours=_hours(total, lang),
            needed=_hours(rule.needed, lang),
            per_week=_hours(rule.per_week, lang),
            year=programme.EHRENAMTSKARTE_HOURS_PER_YEAR,
            week=programme.EHRENAMTSKARTE_HOURS_PER_WEEK,
        )
    )
    if not rule.full_year:
        intro.append(t("certificate.card_pro_rata"))
    intro.append(t("certificate.card_source", source=programme.EHRENAMTSKARTE_SOURCE))
    return intro


def certificate(
    journey: programme.Journey,
    frame: pd.DataFrame,
    start: date,
    end: date,
    *,
    lang: str = "de",
    demo: bool = False,
    today: date | None = None,
) -> bytes:
    """
    The certificate of volunteering for `journey`'s person from `start` to `end`.

    `frame` is `programme.hours(...)` for that period (read with the acting person's rights).
    """

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    total = float(frame["hours"].sum()) if not frame.empty else 0.0
    rule = programme.ehrenamtskarte(total, start, end)
    rows = pd.DataFrame(
        {
            t("certificate.date"): [i18n.format_date(d.to_pydatetime(), lang) for d in frame["starts_at"]],
            t("certificate.activity"): frame["title"],
            t("certificate.kind"): [t(f"activities.kind_{k}") for k in frame["kind"]],
            t("certificate.sozialraum"): frame["sozialraum_id"],
            t("certificate.minutes"): [_hours(m / 60, lang) for m in frame["minutes"]],
            t("certificate.prep"): [_hours(m / 60, lang) for m in frame["prep_minutes"]],
            t("certificate.sum"): [_hours(h, lang) for h in frame["hours"]],
        }
    )
    period = t("certificate.period", start=i18n.format_date(start, lang), end=i18n.format_date(end, lang))
    figures = []
    with mpl.rc_context(snapshot.RC):
        fig = Figure(figsize=A4_PORTRAIT, dpi=snapshot.DPI)
        _pdf.header(fig, t("certificate.title"), f"{programme_name()} · {period}")
        intro = _certificate_intro(journey, frame, rule, (start, end), lang=lang)
        wrapped = "\n".join(textwrap.fill(line, width=105) if line else "" for line in intro)
        fig.text(0.05, 0.905, wrapped, fontsize=8.8, va="top", linespacing=1.45)
        first = rows.head(FIRST_PAGE_ROWS)
        _pdf.table(
            fig.add_axes((0.05, 0.17, 0.90, 0.50)),
            first,
            title=t("certificate.activities"),
            widths=CERTIFICATE_WIDTHS,
        )
        figures.append(fig)
        rest = rows.iloc[FIRST_PAGE_ROWS:]
        while not rest.empty:
            page = Figure(figsize=A4_PORTRAIT, dpi=snapshot.DPI)
            _pdf.header(page, t("certificate.title"), f"{journey.name} · {period}")
            _pdf.table(
                page.add_axes((0.05, 0.17, 0.90, 0.74)),
                rest.head(MORE_PAGE_ROWS),
                title=t("certificate.activities_more"),
                widths=CERTIFICATE_WIDTHS,
            )
            figures.append(page)
            rest = rest.iloc[MORE_PAGE_ROWS:]
        last = figures[-1]
        made = i18n.format_date(today or date.today(), lang)
        last.text(0.05, 0.105, "_" * 34, fontsize=9)
        last.text(0.05, 0.085, t("certificate.place_date", date=made), fontsize=8)
        last.text(0.55, 0.105, "_" * 34, fontsize=9)
        last.text(0.55, 0.085, t("certificate.signature"), fontsize=8)
        for n, page in enumerate(figures, start=1):
            page.text(0.95, 0.02, t("certificate.page", page=n, total=len(figures)), fontsize=7.5, ha="right")
            if demo:
                snapshot.demo_mark(page, lang)
    return _pdf.pdf_bytes(figures)


def _percent(share: float, lang: str) -> str:
    return "–" if pd.isna(share) else f"{i18n.format_number(100 * share, lang, decimals=0)} %"


def _in_percent(value: float, lang: str) -> str:
    """A value already in percent (0-100), as the page's tables write it."""
    return "–" if pd.isna(value) else f"{i18n.format_number(value, lang, decimals=0)} %"


def _days(value: float, lang: str) -> str:
    return "–" if pd.isna(value) else i18n.format_number(value, lang, decimals=1)


def _impact_figures(fig: Figure, city: dict[str, float], lang: str) -> None:
    """The quarter's six figures in a row, each label under its own value."""

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    figures = [
        (t("impact.activities"), i18n.format_number(city["activities"], lang, decimals=0)),
        (t("impact.participants"), i18n.format_number(city["participants"], lang, decimals=0)),
        (t("impact.logged"), i18n.format_number(city["logged"], lang, decimals=0)),
        (t("impact.answered"), i18n.format_number(city["answered"], lang, decimals=0)),
        (t("impact.resolved"), i18n.format_number(city["resolved"], lang, decimals=0)),
        (t("impact.median_days"), _days(city["median_days"], lang)),
    ]
    label_width = 0.145 * A4_PORTRAIT[0] * 72  # points: each label stays above its own value
    for n, (name, value) in enumerate(figures):
        x = 0.05 + n * 0.155
        fig.text(x, 0.905, value, fontsize=15, fontweight="bold", va="top")
        lines, _broken = fill_lines(name, label_width, size=7)
        fig.text(x, 0.875, "\n".join(lines), fontsize=7, color="#444444", va="top")


def _impact_chart(ax: Axes, quarters: pd.DataFrame, lang: str) -> None:
    """Activities and logged concerns of the last eight quarters, as bars side by side."""

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    shown = quarters.tail(8)
    xs = range(len(shown))
    ax.bar(
        [x - 0.2 for x in xs],
        shown["activities"],
        width=0.4,
        color="#2b6cb0",
        label=t("impact.activities"),
    )
    ax.bar([x + 0.2 for x in xs], shown["logged"], width=0.4, color="#dd8a2b", label=t("impact.logged"))
    ax.set_xticks(list(xs), list(shown["quarter"]), fontsize=7.5)
    ax.tick_params(axis="y", labelsize=7.5)
    ax.set_title(t("impact.chart_title"), loc="left", fontsize=10, fontweight="bold")
    ax.legend(fontsize=7.5, frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)


def impact_report(
    result: impact.Impact,
    quarters: pd.DataFrame,
    dataset: Dataset,
    *,
    label: str,
    lang: str = "de",
    demo: bool = False,
    said: decide.SaidCounts | None = None,
) -> bytes:
    """
    The quarterly report (`label` such as "2026-Q3").

    One page of figures, need, Bezirke, tandems and a chart; with `said` (`geo.register.decide.said_counts` of the
    quarter) a second page "You said, we did", without names.
    """

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    city = result.city
    with mpl.rc_context(snapshot.RC):
        fig = Figure(figsize=A4_PORTRAIT, dpi=snapshot.DPI)
        period = t(
            "certificate.period",
            start=i18n.format_date(result.start, lang),
            end=i18n.format_date(result.end, lang),
        )
        _pdf.header(fig, t("impact.report_title", quarter=label), f"{programme_name()} · {period}")
        _impact_figures(fig, city, lang)
        _impact_chart(fig.add_axes((0.08, 0.67, 0.86, 0.16)), quarters, lang)
        need_rows = impact.need_view(result, lang)  # the same table as on the page, as text
        shares = [t(f"impact.{share}") for share in impact.NEED_SHARES]
        need_rows = need_rows.assign(
            **{c: need_rows[c].astype(str) for c in need_rows.columns[1:3]},
            **{c: [_in_percent(v, lang) for v in need_rows[c]] for c in shares},
        )
        _pdf.table(fig.add_axes((0.05, 0.5, 0.90, 0.12)), need_rows, title=t("impact.need_title"))

        def figures_of(frame: pd.DataFrame, first: str, name: str) -> pd.DataFrame:
            return pd.DataFrame(
                {
                    name: frame[first].astype(str),
                    t("impact.activities"): frame["activities"].astype(str),
                    t("impact.participants"): frame["participants"].astype(str),
                    t("impact.logged"): frame["logged"].astype(str),
                    t("impact.answered"): frame["answered"].astype(str),
                    t("impact.resolved"): frame["resolved"].astype(str),
                    t("impact.median_days"): [_days(v, lang) for v in frame["median_days"]],
                }
            )

        _pdf.table(
            fig.add_axes((0.05, 0.27, 0.90, 0.2)),
            figures_of(result.by_bezirk, "stadtbezirk", t("ranking.bezirk")),
            title=t("impact.bezirk_title"),
            widths=FIGURE_WIDTHS,
        )
        _pdf.table(
            fig.add_axes((0.05, 0.05, 0.90, 0.15)),
            figures_of(result.by_tandem.head(10), "tandem", t("tandems.name")),
            title=t("impact.tandem_title"),
            widths=FIGURE_WIDTHS,
        )
        if demo or dataset.meta.demo:
            snapshot.demo_mark(fig, lang)
        snapshot.footer(fig, dataset, lang)
        pages = [fig]
        if said is not None:
            pages.append(_said_page(said, dataset, label=label, lang=lang, demo=demo or dataset.meta.demo))
    return _pdf.pdf_bytes(pages)


def _said_items(fig: Figure, items: pd.DataFrame, *, title: str, lang: str) -> None:
    """
    Each item of "You said, we did" as a short block: the topic, what and where it stands, the answer.

    Wrapped, never cut inside a sentence: what does not fit between the figures and the public decisions is
    counted in a last line that says where to read on (the app's page "Mitentscheiden").
    """

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    width = 0.88 * A4_PORTRAIT[0] * 72
    line = 1.35 / (A4_PORTRAIT[1] * 72)  # a line of 1 pt in figure coordinates
    top, bottom = 0.80, 0.37
    fig.text(0.05, 0.83, title, fontsize=11, fontweight="bold", va="top")
    y = top
    for shown, row in enumerate(items.itertuples()):
        blocks: list[tuple[list[str], float, bool, str]] = [
            (fill_lines(str(row.title), width, size=8.5, bold=True)[0][:2], 8.5, True, "#000000"),
            (
                [
                    " · ".join(
                        (
                            t(f"group.said_kind.{row.kind}"),
                            t(f"group.said_status.{row.status}"),
                            t("group.days", n=int(row.days)),
                        )
                    )
                ],
                7.5,
                False,
                "#444444",
            ),
        ]
        answer = " – ".join(p for p in (str(row.answer or "").strip(), str(row.changed or "").strip()) if p)
        if answer:
            blocks.append((fill_lines(answer, width, size=7.5)[0][:3], 7.5, False, "#000000"))
        height = sum(len(lines) * size * line for lines, size, _bold, _colour in blocks) + 6 * line
        if y - height < bottom + 12 * line and shown < len(items):
            fig.text(
                0.06,
                y,
                t(
                    "impact.said_more",
                    n=len(items) - shown,
                    where=f"{t('nav.group')} › {t('group.tab_said')}",
                ),
                fontsize=7.5,
                va="top",
                color="#444444",
            )
            return
        for lines, size, bold, colour in blocks:
            fig.text(
                0.06,
                y,
                "\n".join(lines),
                fontsize=size,
                va="top",
                color=colour,
                fontweight="bold" if bold else None,
            )
            y -= len(lines) * size * line
        y -= 6 * line
    if items.empty:
        fig.text(0.06, y, "–", fontsize=9, va="top")


def _said_page(said: decide.SaidCounts, dataset: Dataset, *, label: str, lang: str, demo: bool) -> Figure:
    """The quarterly report's page "You said, we did": what went to the city and what came back, no names."""

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    fig = Figure(figsize=A4_PORTRAIT, dpi=snapshot.DPI)
    _pdf.header(fig, t("impact.said_report_title", quarter=label), programme_name())
    figures = [
        (t("impact.said_to_city"), i18n.format_number(said.to_city, lang, decimals=0)),
        (t("impact.said_answered"), i18n.format_number(said.answered, lang, decimals=0)),
        (t("impact.said_days"), _days(said.median_days, lang)),
        (t("impact.said_consultations"), i18n.format_number(said.consultations, lang, decimals=0)),
        (t("impact.said_closed"), i18n.format_number(said.closed, lang, decimals=0)),
    ]
    label_width = 0.17 * A4_PORTRAIT[0] * 72
    for n, (name, value) in enumerate(figures):
        x = 0.05 + n * 0.185
        fig.text(x, 0.905, value, fontsize=15, fontweight="bold", va="top")
        lines, _broken = fill_lines(name, label_width, size=7)
        fig.text(x, 0.875, "\n".join(lines), fontsize=7, color="#444444", va="top")
    _said_items(fig, said.items, title=t("impact.said_items", n=len(said.items)), lang=lang)
    public = said.public_decisions.head(10)
    decided = pd.DataFrame(
        {
            t("certificate.date"): [i18n.format_date(d, lang) for d in public["held_on"]],
            t("concerns.thema"): public["title"],
            t("minutes.method"): [t(f"decide.method.{m}") for m in public["method"]],
            t("impact.said_result"): [
                decide.result_in_words(
                    r.method, tuple(r.winners), tie=bool(r.tie), adopted=bool(r.adopted), lang=lang
                )
                for r in public.itertuples()
            ],
        }
    )
    _pdf.table(
        fig.add_axes((0.05, 0.08, 0.90, 0.24)),
        decided,
        title=t("impact.said_public", n=len(said.public_decisions)),
        widths=[0.12, 0.32, 0.34, 0.22],
    )
    fig.text(0.05, 0.055, t("impact.said_help"), fontsize=7, color="#444444")
    if demo:
        snapshot.demo_mark(fig, lang)
    snapshot.footer(fig, dataset, lang)
    return fig


def agenda(
    result: impact.Agenda, *, lang: str = "de", demo: bool = False, spaces: gpd.GeoDataFrame | None = None
) -> bytes:
    """The monthly meeting's agenda: one page, and the group's page when it has proposals or waits (`spaces`: map)."""

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    with mpl.rc_context(snapshot.RC):
        fig = Figure(figsize=A4_PORTRAIT, dpi=snapshot.DPI)
        _pdf.header(fig, t("agenda.title", date=i18n.format_date(result.today, lang)), programme_name())
        waiting = pd.DataFrame(
            {
                "#": result.waiting["concern_id"].astype(str),
                t("concerns.thema"): result.waiting["thema"],
                t("agenda.sozialraum"): result.waiting["sozialraum_ids"],
                t("concerns.status"): [t(f"concerns.status_{s}") for s in result.waiting["status"]],
                t("concerns.tandem"): result.waiting["tandem"],
                t("agenda.waiting_days"): result.waiting["waiting_days"].astype(str),
            }
        )
        _pdf.table(
            fig.add_axes((0.05, 0.6, 0.90, 0.3)),
            waiting,
            title=t("agenda.waiting"),
            widths=[0.05, 0.33, 0.12, 0.15, 0.2, 0.15],
        )
        upcoming = result.upcoming.head(12)
        coming = pd.DataFrame(
            {
                t("certificate.date"): [
                    i18n.format_date(d.to_pydatetime(), lang, time=True) for d in upcoming["starts_at"]
                ],
                t("certificate.activity"): upcoming["title"],
                t("agenda.sozialraum"): upcoming["sozialraum_id"],
                t("concerns.tandem"): upcoming["tandem"],
            }
        )
        _pdf.table(
            fig.add_axes((0.05, 0.3, 0.90, 0.27)),
            coming,
            title=t("agenda.upcoming", n=len(result.upcoming)),
            widths=[0.2, 0.45, 0.12, 0.23],
        )
        gaps = pd.DataFrame(
            {
                "ID": result.new_gaps["sozialraum_id"],
                t("ranking.name"): result.new_gaps["name"],
                t("ranking.class"): [t(f"need.short{c}") for c in result.new_gaps["need_class"]],
                t("ranking.population"): [
                    i18n.format_number(v, lang, decimals=0) for v in result.new_gaps["population"]
                ],
            }
        )
        _pdf.table(
            fig.add_axes((0.05, 0.06, 0.90, 0.2)),
            gaps,
            title=t("agenda.new_gaps", n=len(result.new_gaps), total=result.gap_count),
            widths=[0.12, 0.5, 0.2, 0.18],
        )
        if demo:
            snapshot.demo_mark(fig, lang)
        fig.text(0.01, 0.012, t("export.made", date=i18n.format_date(pd.Timestamp.now(), lang)), fontsize=7.5)
        pages = [fig]
        if not result.proposals.empty or not result.city_waiting.empty:
            pages.append(_agenda_group_page(result, lang=lang, demo=demo, spaces=spaces))
    return _pdf.pdf_bytes(pages)


def group_agenda(
    result: impact.Agenda, *, lang: str = "de", demo: bool = False, spaces: gpd.GeoDataFrame | None = None
) -> bytes:
    """
    The group's agenda on one page: the open proposals and what waits for the city (for moderators).

    With the dataset's `spaces` (``sozialraum_id``, geometry) a small map shows where the proposals lie.
    """
    with mpl.rc_context(snapshot.RC):
        page = _agenda_group_page(result, lang=lang, demo=demo, spaces=spaces)
    return _pdf.pdf_bytes([page])


def proposal_areas(result: impact.Agenda) -> dict[str, int]:
    """How many open proposals touch each Sozialraum (through the concerns they take up)."""
    counts: dict[str, int] = {}
    for ids in result.proposals["sozialraum_ids"]:
        for area in (i.strip() for i in str(ids or "").split(",")):
            if area:
                counts[area] = counts.get(area, 0) + 1
    return counts


def _proposal_map(ax: Axes, spaces: gpd.GeoDataFrame, counts: dict[str, int], *, title: str) -> None:
    """The city's Sozialräume in grey, those the proposals touch in colour with their ID (metric CRS)."""
    metric = spaces[["sozialraum_id", "geometry"]].to_crs(METRIC_CRS)
    touched = metric[metric["sozialraum_id"].isin(counts)]
    metric.plot(ax=ax, color="#eeeeee", edgecolor="#ffffff", linewidth=0.3)
    touched.plot(ax=ax, color="#dd8a2b", edgecolor="#7a4a10", linewidth=0.6)
    for row in touched.itertuples():
        point = row.geometry.representative_point()
        ax.annotate(
            str(row.sozialraum_id),
            (point.x, point.y),
            fontsize=5.5,
            ha="center",
            va="center",
            color="#222222",
        )
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_title(title, loc="left", fontsize=9, fontweight="bold")


def _agenda_group_page(
    result: impact.Agenda, *, lang: str, demo: bool, spaces: gpd.GeoDataFrame | None = None
) -> Figure:
    """The agenda's second page: the connectors' proposals (and where they lie), what waits for the city."""

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    fig = Figure(figsize=A4_PORTRAIT, dpi=snapshot.DPI)
    _pdf.header(fig, t("agenda.group_title", date=i18n.format_date(result.today, lang)), programme_name())
    shown = result.proposals.head(15)
    proposals = pd.DataFrame(
        {
            t("group.proposal_title"): shown["title"],
            t("group.kind"): [t(f"decide.kind.{k}") for k in shown["kind"]],
            t("agenda.supports"): shown["supports"].astype(str),
            t("agenda.sozialraum"): shown["sozialraum_ids"],
        }
    )
    _pdf.table(
        fig.add_axes((0.05, 0.5, 0.90, 0.4)),
        proposals,
        title=t("agenda.proposals", n=len(result.proposals)),
        widths=[0.45, 0.25, 0.12, 0.18],
    )
    waiting = result.city_waiting.head(12)
    city = pd.DataFrame(
        {
            t("group.item_title"): waiting["title"],
            t("group.meeting"): [i18n.format_date(d, lang) for d in waiting["held_on"]],
            t("agenda.waiting_days"): waiting["waiting_days"].astype(str),
        }
    )
    counts = proposal_areas(result)
    known = spaces is not None and bool(set(counts) & set(spaces["sozialraum_id"]))
    _pdf.table(
        fig.add_axes((0.05, 0.08, 0.55 if known else 0.90, 0.35)),
        city,
        title=t("agenda.city_waiting", n=len(result.city_waiting)),
        widths=[0.6, 0.2, 0.2],
    )
    if known and spaces is not None:
        _proposal_map(
            fig.add_axes((0.63, 0.08, 0.33, 0.33)),
            spaces,
            counts,
            title=t("agenda.proposal_map", n=len(counts)),
        )
    if demo:
        snapshot.demo_mark(fig, lang)
    return fig
