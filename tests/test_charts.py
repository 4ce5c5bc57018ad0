"""The Steckbrief's charts as Vega-Lite specifications: the Sozialraum is the strong mark, data stays data."""

from __future__ import annotations

import json

import pandas as pd

from geo.core import charts


def _comparison() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["Kinderarmut", "SGB-II-Quote", "Einwohner"],
            "unit": ["%", "%", "Personen"],
            "value": [31.5, 20.0, 2036.0],
            "city": [16.0, 10.2, 3000.0],
            "bezirk": [22.0, float("nan"), 2500.0],
        }
    )


def test_the_sozialraum_is_the_strong_mark_whatever_its_name() -> None:
    for name in ("Aaa-Viertel", "Zoo"):  # the colour must not follow the alphabetical order of the names
        spec = charts.profile_dots(
            _comparison(), name=name, city="Stadt (Median)", bezirk="Bezirk 6 (Median)"
        )
        assert spec is not None
        enc = spec["encoding"]
        assert enc["color"]["scale"]["domain"][0] == name
        assert enc["color"]["scale"]["range"][0] == charts.SELECTED_COLOUR
        sizes = enc["size"]["scale"]["range"]
        assert sizes[0] > max(sizes[1:])
        assert enc["fill"]["scale"]["range"][1:] == ["transparent", "transparent"]  # medians hollow
        assert len(set(enc["shape"]["scale"]["range"])) == 3  # not colour alone
        values = spec["data"]["values"]
        assert {v["label"] for v in values} == {"Kinderarmut", "SGB-II-Quote"}  # percent only
        assert len(values) == 5  # a missing median is left out, not drawn at 0
        assert values[-1]["what"] == name  # drawn last, on top


def test_no_chart_without_values_and_text_stays_text() -> None:
    frame = _comparison()
    assert charts.profile_dots(frame[frame["unit"] == "Personen"], name="x", city="c", bezirk="b") is None
    evil = '<img src=x onerror="alert(1)">'
    spec = charts.score_bars([evil, "B"], [55.0, None], title="Index")
    assert spec["data"]["values"] == [{"name": evil, "score": 55.0}]
    json.dumps(spec)  # plain data, nothing callable


def test_charts_write_numbers_as_the_reader_does() -> None:
    spec = charts.score_bars(["A"], [55.5], title="Index", lang="de")
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["thousands"] == "."
    assert (
        charts.score_bars(["A"], [55.5], title="Index", lang="en")["config"]["locale"]["number"]["decimal"]
        == "."
    )


def test_a_charts_rows_travel_as_arrow_once_and_say_the_same() -> None:
    import pyarrow as pa

    spec = charts.profile_dots(_comparison(), name="Zoo", city="Stadt", bezirk="Bezirk")
    assert spec is not None
    before = json.dumps(spec, sort_keys=True)
    fast = charts.with_arrow_data(spec)
    assert fast is not None and json.dumps(spec, sort_keys=True) == before  # the cached spec is not changed
    assert fast["data"] == {"name": "rows"} and set(fast["datasets"]) == {"rows"}
    table = pa.ipc.open_stream(fast["datasets"]["rows"]).read_all()
    assert table.to_pylist() == spec["data"]["values"]
    assert {k: v for k, v in fast.items() if k not in ("data", "datasets")} == {
        k: v for k, v in spec.items() if k != "data"
    }
    # nothing to move: returned as it is
    assert charts.with_arrow_data(None) is None
    named = {"mark": "point", "data": {"name": "x"}}
    assert charts.with_arrow_data(named) is named
