"""Wirkung: what the programme achieved per quarter, Sozialraum, tandem and Stadtbezirk, set against need."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from app_pages.ui.datasets import load_current, register, showing_demo
from app_pages.ui.page import explain_words, friendly_errors
from app_pages.ui.people import principal
from app_pages.ui.records import impact_current
from app_pages.ui.text import labelled, lang, plain, t
from app_pages.ui.widgets import prepared_download
from geo.core import charts, i18n
from geo.core.access import Principal
from geo.core.tables import localized
from geo.output import programme_pdfs
from geo.register import decide, impact


def figures_table(frame: pd.DataFrame, first: dict[str, object]) -> Styler:
    """The figures of `frame` under translated headers, after the leading columns `first`, as the reader writes numbers."""
    table = pd.DataFrame(
        {
            **first,
            t("impact.activities"): frame["activities"],
            t("impact.participants"): frame["participants"],
            t("impact.logged"): frame["logged"],
            t("impact.answered"): frame["answered"],
            t("impact.resolved"): frame["resolved"],
            t("impact.median_days"): pd.to_numeric(frame["median_days"], errors="coerce"),
        }
    )
    return localized(table, lang(), decimals={t("impact.median_days"): 1})


def quarter_choice() -> str:
    """The quarter to show: the current one and the seven before it."""
    today = date.today()
    options = []
    day = today
    for _ in range(8):
        options.append(impact.quarter_of(day))
        day = impact.quarter(options[-1])[0] - timedelta(days=1)
    shown = {q: q.replace("-Q", " · Q") for q in options}
    return str(st.selectbox(t("impact.quarter"), options, format_func=labelled(shown), key="impact_quarter"))


def said_section(who: Principal, start: date, end: date) -> None:
    """What the connectors decided and what the city did with it in the quarter (no names)."""
    counts = decide.said_counts(register(), start, end, by=who)
    st.subheader(t("impact.said_title"))
    cols = st.columns(3)
    figures = (
        ("impact.said_to_city", counts.to_city),
        ("impact.said_answered", counts.answered),
        ("impact.said_days", counts.median_days),
        ("impact.said_consultations", counts.consultations),
        ("impact.said_closed", counts.closed),
    )
    for n, (key, value) in enumerate(figures):
        shown = "–" if pd.isna(value) else i18n.format_number(value, lang(), decimals=0)
        cols[n % 3].metric(t(key), shown)
    if not counts.public_decisions.empty:
        st.markdown(
            "\n".join(
                f"- {i18n.format_date(r.held_on, lang())}: **{plain(r.title)}** · {t(f'decide.method.{r.method}')}"
                f" · {plain(decide.result_in_words(r.method, r.winners, tie=r.tie, adopted=r.adopted, lang=lang()))}"
                for r in counts.public_decisions.itertuples()
            )
        )
    st.caption(t("impact.said_help"))


def city_figures(city: dict) -> None:
    """The quarter's six figures for the whole city, three to a row."""
    cols = st.columns(3)
    for n, key in enumerate(("activities", "participants", "logged", "answered", "resolved", "median_days")):
        value = city[key]
        decimals = 1 if key == "median_days" else 0
        shown = "–" if pd.isna(value) else i18n.format_number(value, lang(), decimals=decimals)
        cols[n % 3].metric(t(f"impact.{key}"), shown)
    st.caption(t("impact.definitions"))


def need_table(result: impact.Impact) -> None:
    """Where the work went by need class, beside where people live (the same table as in the PDF)."""
    st.subheader(t("impact.need_title"))
    shares = {t(f"impact.{share}"): 0 for share in impact.NEED_SHARES}
    st.dataframe(
        localized(impact.need_view(result, lang()), lang(), decimals=shares), hide_index=True, width="stretch"
    )
    st.caption(t("impact.need_help"))


def quarter_chart(quarters: pd.DataFrame) -> None:
    """Activities and concerns of the last eight quarters as bars."""
    st.subheader(t("impact.chart_title"))
    last = quarters.tail(8)
    st.vega_lite_chart(
        spec=charts.quarter_bars(
            [str(q) for q in last["quarter"]],
            {
                t("impact.activities"): [float(v) for v in last["activities"]],
                t("impact.logged"): [float(v) for v in last["logged"]],
            },
            x_title=t("impact.quarter"),
            y_title=t("impact.count"),
            lang=lang(),
        ),
        width="stretch",
    )


def detail_tables(result: impact.Impact) -> None:
    """The same figures per Stadtbezirk, per tandem and per Sozialraum with any activity or concern."""
    st.subheader(t("impact.bezirk_title"))
    bezirke = figures_table(result.by_bezirk, {t("ranking.bezirk"): result.by_bezirk["stadtbezirk"]})
    st.dataframe(bezirke, hide_index=True, width="stretch")
    st.subheader(t("impact.tandem_title"))
    tandems = figures_table(result.by_tandem, {t("tandems.name"): result.by_tandem["tandem"]})
    st.dataframe(tandems, hide_index=True, width="stretch")
    st.subheader(t("impact.sozialraum_title"))
    by_id = result.by_sozialraum
    active = by_id[(by_id["activities"] > 0) | (by_id["logged"] > 0)]
    first = {
        "ID": active["sozialraum_id"],
        t("ranking.name"): active["name"],
        t("ranking.class"): [t(f"need.short{c}") if c else "–" for c in active["need_class"]],
    }
    st.dataframe(figures_table(active, first), hide_index=True, width="stretch")


def show(who: Principal) -> None:
    """Figures of the chosen quarter, need, Bezirke, tandems, Sozialräume, the chart; the PDF."""
    label = quarter_choice()
    start, end = impact.quarter(label)
    data, _ = load_current()
    result, quarters = impact_current(who, start, end)
    city_figures(result.city)
    said_section(who, start, end)
    need_table(result)
    quarter_chart(quarters)
    detail_tables(result)

    def report() -> bytes:
        said = decide.said_counts(register(), start, end, by=who)
        return programme_pdfs.impact_report(
            result, quarters, data, label=label, lang=lang(), demo=showing_demo(), said=said
        )

    prepared_download(
        "impact_pdf",
        prepare=t("impact.prepare"),
        key=(label, date.today()),
        make=lambda: [(t("impact.download"), report(), f"wirkung-{label}.pdf", "application/pdf")],
    )


st.title(t("impact.title"))
explain_words("impact")
with friendly_errors():
    show(principal())
