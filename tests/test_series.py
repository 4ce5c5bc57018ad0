"""Time series: the city's own tables and the long format, Sozialraum and Stadtteil values kept apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis import dynamics
from geo.core.access import Principal
from geo.core.errors import DataError
from geo.core.report import Report
from geo.data import dataset, imports, series
from geo.output import maps
from tests.conftest import RAW as SHARED_RAW
from tests.test_cli import run

RAW = SHARED_RAW / "ilia-sapan-portfolio"
AGES = "Wohnbevölkerung nach Alter Wohnquartiere Düsseldorf {}.csv"
STADTTEILE = RAW / "Bevölkerungsstand in den Stadtteilen seit 2012_1.csv"
MIGRATION = RAW / "Bevölkerung_mit_Migrationshintergrund_2022_bis_2024.csv"
FORECAST = (
    RAW
    / "Prognose der Bevölkerungsentwicklung auf Ebene der Düsseldorfer Stadtteile bis 01. Januar 2035_0.csv"
)


@pytest.fixture(scope="module")
def ids(real: dataset.Dataset) -> set[str]:
    return set(real.spaces["sozialraum_id"])


def _values(table: pd.DataFrame, indicator: str, date: str) -> pd.Series:
    rows = table[(table["indicator"] == indicator) & (table["date"] == date)]
    return rows.set_index("id")["value"]


@pytest.mark.real_data
@pytest.mark.parametrize(
    ("name", "date", "total"),
    [("2021_1", "2021-12-31", 643_649), ("2022_1", "2022-12-31", None), ("2024", "2024-12-31", 658_130)],
)
def test_wohnquartiere_add_up_to_sozialraeume(ids: set[str], name: str, date: str, total: int | None) -> None:
    report = Report()
    table = series.read_series(RAW / AGES.format(name), sozialraum_ids=ids, report=report)
    assert set(table["level"]) == {"sozialraum"} and set(table["date"]) == {date}
    population = _values(table, "bevoelkerung", date)
    assert len(population) == 170  # 171 Sozialräume, Glasmacherviertel (071009) uninhabited
    assert not report.find("series_ids_unmatched")  # the 2021 keys lost their leading zero and still match
    if total is not None:
        assert population.sum() == total
    if date == "2021-12-31":
        # the same day as the Quartiersatlas: Oberrath has the 2,036 people its corrected row says
        assert population["063007"] == 2036
        parts = table[(table["id"] == "063007") & (table["indicator"] != "bevoelkerung")]
        assert parts["value"].sum() <= 2036  # the age groups the atlas has (65+ is split differently)
    assert set(table["indicator"]) == {
        "bevoelkerung",
        "alter_u6",
        "alter_6_17",
        "alter_18_29",
        "alter_30_49",
        "alter_50_64",
    }


@pytest.mark.real_data
@pytest.mark.real_data
def test_the_old_wohnquartier_tables_are_refused_with_the_reason(ids: set[str]) -> None:
    """2014-2020 count 373 quartiers with 6-digit keys of another scheme: nothing to add up to Sozialräume."""
    with pytest.raises(DataError) as refused:
        series.read_series(
            RAW / "Wohnbevölkerung nach Alter Wohnquartiere Düsseldorf 2016_0.csv", sozialraum_ids=ids
        )
    assert refused.value.key == "error.series_old_keys"
    assert "vor 2021" in refused.value.message("de")


def test_stadtteil_tables_stay_stadtteil_values(ids: set[str]) -> None:
    since = series.read_series(STADTTEILE, sozialraum_ids=ids)
    assert set(since["level"]) == {"stadtteil"}
    assert _values(since, "bevoelkerung", "2021-12-31").sum() == 643_753  # the city's official total
    assert "032/033" in set(since["id"]) and "011" in set(since["id"])  # reported together, kept together
    years = sorted(since["date"].str[:4].unique())
    assert (years[0], years[-1], len(years)) == ("2012", "2024", 13)
    migration = series.read_series(MIGRATION, sozialraum_ids=ids)
    share = _values(migration, "migration_pct", "2020-12-31")
    assert share["011"] == pytest.approx(round(1275 / 2421 * 100, 1))
    assert sorted(migration["date"].str[:4].unique()) == ["2020", "2021", "2022", "2023", "2024"]
    forecast = series.read_series(FORECAST, sozialraum_ids=ids)
    assert set(forecast["kind"]) == {"observed", "forecast"}
    assert set(forecast.loc[forecast["kind"] == "forecast", "date"]) == {"2035-01-01"}
    assert "Duesseldorf" not in set(forecast["id"])  # the city's total row is no Stadtteil
    assert _values(forecast, "bevoelkerung", "2019-12-31")["011"] == 2453


def test_the_long_format_and_what_is_refused(tmp_path: Path) -> None:
    long = tmp_path / "lang.csv"
    long.write_text(
        "sozialraum_id;indicator;date;value\n11001;sgb2_quote;31.12.2020;12,5\n011001;sgb2_quote;2021-12-31;13\n",
        encoding="utf-8",
    )
    table = series.read_series(long, sozialraum_ids={"011001"})
    assert table[["id", "date", "value"]].values.tolist() == [
        ["011001", "2020-12-31", 12.5],
        ["011001", "2021-12-31", 13.0],
    ]
    bad = tmp_path / "kaputt.csv"
    bad.write_text("stadtteil_nr;indicator;date;value\n011;x;gestern;1\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        series.read_series(bad, sozialraum_ids=set())
    assert caught.value.key == "error.series_bad_dates"
    other = tmp_path / "anders.csv"
    other.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        series.read_series(other, sozialraum_ids=set())
    assert caught.value.key == "error.series_unknown_format"


@pytest.mark.real_data
def test_imports_accumulate_and_the_dataset_answers_a_course(real: dataset.Dataset, tmp_path: Path) -> None:
    folder = tmp_path / "official"
    shutil.copytree(real.folder, folder)
    imports.import_files(
        folder, by=Principal.cli(), series=[RAW / AGES.format("2021_1"), RAW / AGES.format("2024")]
    )
    result = run(
        "import", "--sozialraeume", folder / dataset.SPACES_FILE, "--series", STADTTEILE, "--out", folder
    )
    assert result.returncode == 0, result.stderr
    loaded = dataset.load_dataset(folder)
    assert loaded.series is not None
    course = series.course(loaded.series, "sozialraum", "011001", "bevoelkerung")
    assert course["date"].tolist() == ["2021-12-31", "2024-12-31"]  # both files kept after the third import
    stadtteil = series.course(loaded.series, "stadtteil", "011", "bevoelkerung")
    assert len(stadtteil) == 13
    layer = {x.kind: x for x in loaded.meta.layer_records()}["series"]
    assert "Wohnbevölkerung nach Alter Wohnquartiere Düsseldorf 2024" in layer.title
    assert "Bevölkerungsstand in den Stadtteilen seit 2012" in layer.title
    assert "Zeitreihen" not in maps.source_line(loaded.meta, "de")  # a map shows no series: not in its line
    # the change map between the two years of the Wohnquartier tables: by hand from the course, its source named
    result = dynamics.change(loaded.series, "bevoelkerung", "2021-12-31", "2024-12-31")
    first, last = course["value"].tolist()
    assert result.change["011001"] == pytest.approx((last / first - 1) * 100)
    assert len(result.change.dropna()) == 170
    styling = maps.style_change(result, lang="de")
    line = maps.source_line(loaded.meta, "de", extra=styling.layers)
    assert "Zeitreihen" in line and "Wohnbevölkerung nach Alter" in line


def test_a_course_needs_two_values_and_a_forecast_is_dashed_from_the_last_observed() -> None:
    from geo.core import charts

    one = pd.DataFrame({"date": ["2021-12-31"], "value": [5.0], "kind": ["observed"]})
    assert charts.course_line(one, title="x") is None
    rows = pd.DataFrame(
        {"date": ["2019-12-31", "2035-01-01"], "value": [2453.0, 2320.0], "kind": ["observed", "forecast"]}
    )
    spec = charts.course_line(rows, title="Altstadt", lang="de")
    assert spec is not None
    values = spec["data"]["values"]
    assert [(v["date"], v["kind"]) for v in values] == [
        ("2019-12-31", "observed"),
        ("2035-01-01", "forecast"),
        ("2019-12-31", "forecast"),  # the dashed line starts where the observed one ends
    ]
    assert spec["encoding"]["strokeDash"]["scale"]["range"][1] == [5, 4]
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_the_stadtteil_course_is_the_stadtteils_even_where_two_are_reported_together() -> None:
    table = pd.DataFrame(
        {
            "level": ["sozialraum", "sozialraum", "stadtteil", "stadtteil", "stadtteil"],
            "id": ["032001", "032001", "032/033", "032/033", "011"],
            "indicator": ["bevoelkerung"] * 5,
            "date": ["2021-12-31", "2024-12-31", "2012-12-31", "2024-12-31", "2024-12-31"],
            "value": [100.0, 120.0, 20_000.0, 21_000.0, 2487.0],
            "kind": ["observed"] * 5,
            "source": ["x"] * 5,
        }
    )
    own, unit, whole = series.population_courses(table, "032001")
    assert own["value"].tolist() == [100.0, 120.0]
    assert unit == "032/033" and whole["value"].tolist() == [20_000.0, 21_000.0]
    nothing, none, empty = series.population_courses(None, "032001")
    assert nothing.empty and none == "" and empty.empty


def test_the_data_page_summary_counts_each_level_and_names_the_years() -> None:
    import pandas as pd

    from geo.data import series

    table = pd.DataFrame(
        {
            "level": ["sozialraum", "sozialraum", "sozialraum", "stadtteil"],
            "id": ["011001", "011001", "011002", "011"],
            "date": ["2019-12-31", "2023-12-31", "2023-12-31", "2021-12-31"],
        }
    )
    assert series.summary(table) == {"n": 4, "spaces": 2, "stadtteile": 1, "first": "2019", "last": "2023"}
    assert series.summary(table[table["level"] == "sozialraum"])["stadtteile"] == 0  # type: ignore[index]
    assert series.summary(None) is None and series.summary(table.iloc[:0]) is None
