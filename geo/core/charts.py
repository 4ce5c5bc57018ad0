"""
Charts of the Steckbrief and the comparison as Vega-Lite specifications (plain dictionaries).

Streamlit draws a specification with `st.vega_lite_chart` without Altair: building the same chart with
Altair cost a fifth of a Steckbrief's server time (schema validation on every rerun) and a third of a
second of import. The data travels inside the specification, as text and numbers only.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from geo.core import i18n

#: The Sozialraum shown: the strong mark (dark red, filled, largest); medians are lighter and hollow,
#: so that the marks differ by shape and fill as well as by colour.
SELECTED_COLOUR = "#b30000"
CITY_COLOUR = "#525252"
BEZIRK_COLOUR = "#2166ac"


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def with_arrow_data(spec: dict[str, Any] | None, name: str = "rows") -> dict[str, Any] | None:
    """
    `spec` with its inline ``data.values`` as one named dataset of Arrow IPC bytes (a new dictionary).

    Streamlit sends a chart's data in Arrow: given rows, it builds a pandas frame and serialises it on every
    rerun (0.6-0.9 ms for a Steckbrief's chart, measured alone). A named dataset that already is
    Arrow bytes it passes on untouched (the path Altair's charts take), so a chart kept in a shared cache in
    this form costs nothing to send again. A spec without inline rows is returned as it is.
    """
    data = spec.get("data") if spec is not None else None
    if spec is None or not isinstance(data, dict) or not isinstance(data.get("values"), list):
        return spec
    import pyarrow as pa  # noqa: PLC0415 - pandas' own dependency, needed only for a chart shown in the app

    table = pa.Table.from_pylist(data["values"])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    rest = {k: v for k, v in data.items() if k != "values"}
    return {
        **spec,
        "data": {**rest, "name": name},
        "datasets": {**spec.get("datasets", {}), name: sink.getvalue().to_pybytes()},
    }


def number_locale(lang: str) -> dict[str, Any]:
    """Vega-Lite's number locale for `lang`: the decimal mark and thousands separator people write."""
    decimal, thousands = i18n.separators(lang)
    return {"decimal": decimal, "thousands": thousands, "grouping": [3], "currency": ["", "\u00a0€"]}


def profile_dots(
    comparison: pd.DataFrame, *, name: str, city: str, bezirk: str, unit: str = "%", lang: str = "de"
) -> dict[str, Any] | None:
    """
    A dot plot of the indicators in `unit`: the Sozialraum against the city and Stadtbezirk medians.

    `comparison` is `geo.output.profile.comparison` (``label``, ``unit``, ``value``, ``city``, ``bezirk``); `name`,
    `city` and `bezirk` are the legend's words for the three marks. None when no indicator has that unit.
    """
    rows = comparison[comparison["unit"] == unit]
    order = [name, city, bezirk]
    drawn = ((city, "city"), (bezirk, "bezirk"), (name, "value"))  # the Sozialraum last: drawn on top
    values = [
        {"label": str(r["label"]), "what": what, "v": v}
        for _, r in rows.iterrows()
        for what, column in drawn
        if (v := _number(r[column])) is not None
    ]
    if not values:
        return None
    legend = {"orient": "bottom", "direction": "vertical", "title": None}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "config": {"locale": {"number": number_locale(lang)}},
        "data": {"values": values},
        "mark": {"type": "point", "strokeWidth": 2},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "title": None,
                "sort": None,
                "axis": {"labelLimit": 160},
            },
            "x": {"field": "v", "type": "quantitative", "title": unit},
            "color": {
                "field": "what",
                "type": "nominal",
                "scale": {"domain": order, "range": [SELECTED_COLOUR, CITY_COLOUR, BEZIRK_COLOUR]},
                "legend": legend,
            },
            "shape": {
                "field": "what",
                "type": "nominal",
                "scale": {"domain": order, "range": ["circle", "diamond", "square"]},
                "legend": legend,
            },
            "size": {
                "field": "what",
                "type": "nominal",
                "scale": {"domain": order, "range": [170, 70, 70]},
                "legend": None,
            },
            "fill": {
                "field": "what",
                "type": "nominal",
                "scale": {"domain": order, "range": [SELECTED_COLOUR, "transparent", "transparent"]},
                "legend": None,
            },
            "tooltip": [
                {"field": "label", "type": "nominal", "title": None},
                {"field": "what", "type": "nominal", "title": None},
                {"field": "v", "type": "quantitative", "format": ".1f", "title": unit},
            ],
        },
    }


def score_bars(
    names: list[str], scores: list[float | None], *, title: str, lang: str = "de"
) -> dict[str, Any]:
    """Horizontal bars of need scores (0-100), one per name, in the order given."""
    values = [{"name": n, "score": s} for n, s in zip(names, scores, strict=True) if _number(s) is not None]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "config": {"locale": {"number": number_locale(lang)}},
        "data": {"values": values},
        "mark": {"type": "bar", "color": SELECTED_COLOUR},
        "encoding": {
            "x": {"field": "score", "type": "quantitative", "title": title, "scale": {"domain": [0, 100]}},
            "y": {"field": "name", "type": "nominal", "title": None, "sort": None},
            "tooltip": [
                {"field": "name", "type": "nominal", "title": None},
                {"field": "score", "type": "quantitative", "format": ".1f", "title": title},
            ],
        },
    }


def course_line(
    rows: pd.DataFrame, *, title: str, colour: str = SELECTED_COLOUR, lang: str = "de"
) -> dict[str, Any] | None:
    """
    A line over time (`date`, `value`, `kind`): observed values solid with points, a forecast dashed.

    None with fewer than two values (one value is no course). The dates are the reference dates as given.
    """
    values = [
        {"date": str(r["date"]), "v": v, "kind": str(r.get("kind", "observed"))}
        for _, r in rows.iterrows()
        if (v := _number(r["value"])) is not None
    ]
    if len(values) < 2:
        return None
    observed = [v for v in values if v["kind"] != "forecast"]
    if observed and len(observed) < len(values):  # the dashed part starts at the last observed value
        last = max(observed, key=lambda v: str(v["date"]))
        values.append({**last, "kind": "forecast"})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "config": {"locale": {"number": number_locale(lang)}},
        "title": {"text": title, "fontSize": 13, "anchor": "start"},
        "height": 140,
        "data": {"values": values},
        "mark": {
            "type": "line",
            "point": {"filled": True, "color": colour},
            "color": colour,
            "strokeWidth": 2,
        },
        "encoding": {
            # by year: a value as of 31 December 2021 belongs to 2021, not to the tick of 2022 beside it
            "x": {
                "field": "date",
                "timeUnit": "year",
                "type": "temporal",
                "title": None,
                "axis": {"format": "%Y", "tickCount": 6},
            },
            "y": {"field": "v", "type": "quantitative", "title": None, "scale": {"zero": False}},
            "strokeDash": {
                "field": "kind",
                "type": "nominal",
                "scale": {"domain": ["observed", "forecast"], "range": [[1, 0], [5, 4]]},
                "legend": None,
            },
            "tooltip": [
                {"field": "date", "type": "temporal", "format": "%d.%m.%Y", "title": None},
                {"field": "v", "type": "quantitative", "format": ",.0f", "title": None},
            ],
        },
    }


def quarter_bars(
    quarters: list[str], series: dict[str, list[float]], *, x_title: str, y_title: str, lang: str = "de"
) -> dict[str, Any]:
    """
    Bars per quarter, one bar per series side by side (the Wirkung page's chart).

    The bars are hidden from screen readers (`aria: false`): the table beside the chart says the same in
    text, and an empty series left an unnamed "graphics-symbol" group behind (axe: svg-img-alt, serious).
    """
    values = [
        {"quarter": q, "what": name, "n": float(v)}
        for name, column in series.items()
        for q, v in zip(quarters, column, strict=True)
        if _number(v) is not None
    ]
    names = list(series)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": f"{y_title}: {', '.join(names)} – {x_title} {quarters[0] if quarters else ''}"
        f"{' – ' + quarters[-1] if len(quarters) > 1 else ''}",
        "config": {"locale": {"number": number_locale(lang)}, "aria": False},
        "data": {"values": values},
        "mark": {"type": "bar", "aria": False},
        "encoding": {
            "x": {"field": "quarter", "type": "nominal", "title": x_title, "sort": quarters},
            "xOffset": {"field": "what", "type": "nominal", "sort": names},
            "y": {"field": "n", "type": "quantitative", "title": y_title, "axis": {"format": "d"}},
            "color": {
                "field": "what",
                "type": "nominal",
                "title": None,
                "sort": names,
                "scale": {"range": [SELECTED_COLOUR, "#4d4d4d"]},
                "legend": {"orient": "bottom"},
            },
            "tooltip": [
                {"field": "quarter", "type": "nominal", "title": x_title},
                {"field": "what", "type": "nominal", "title": None},
                {"field": "n", "type": "quantitative", "format": "d", "title": y_title},
            ],
        },
    }
