"""The validation report: the real files' known faults, and crafted mismatches."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo import validate
from geo.report import Report
from tests.conftest import QUARTIERSATLAS, REGISTRY, SOZIALRAEUME


@pytest.fixture(scope="module")
def real() -> validate.Checked:
    return validate.check_files(SOZIALRAEUME, indicators=QUARTIERSATLAS, welcome_points=REGISTRY)


@pytest.mark.real_data
def test_real_counts_and_usable(real: validate.Checked) -> None:
    assert real.report.counts == {
        "sozialraeume": 171,
        "welcome_points": 11,
        "indicator_rows": 171,
        "welcome_point_rows": 17,
    }
    assert real.report.usable


@pytest.mark.real_data
def test_real_report_names_the_extraction_error_of_063007(real: validate.Checked) -> None:
    implausible = {(i.ids[0], i.params["column"]): i for i in real.report.find("implausible_value")}
    population = implausible[("063007", "Bevölkerung")]
    assert population.params["value"] == 2_036_643
    assert 2_000 <= population.params["estimate"] <= 2_080  # the true value is 2036
    assert "2.036.643" in population.message("de")
    assert {col for sid, col in implausible if sid == "063007"} >= {"Bevölkerung", "30–49", "50–64"}
    assert {sid for sid, _ in implausible} == {"063007"}  # nothing else is flagged
    total = real.report.find("population_total")[0]
    assert total.params["total"] == 2_678_360
    # once the wrong value is treated as missing, the rest adds up to the city within 0.5 %
    assert real.indicators["bevoelkerung"].sum() == pytest.approx(643_753 - 2_036, rel=0.005)


@pytest.mark.real_data
def test_real_report_names_uninhabited_and_names(real: validate.Checked) -> None:
    assert real.report.find("uninhabited")[0].ids == ("071009",)
    assert real.report.find("name_repaired")[0].ids == ("042004", "053002")
    truncated = set(real.report.find("name_truncated")[0].ids)
    assert {"013001", "015002", "033001", "042004"} <= truncated
    assert "011001" not in truncated
    assert "071009" not in {sid for i in real.report.find("missing_values") for sid in i.ids}


@pytest.mark.real_data
def test_real_report_names_unmatched_borders(real: validate.Checked) -> None:
    unmatched = real.report.find("coverage_unmatched")
    assert unmatched
    assert len(unmatched[0].ids) > 10


def _spaces(ids: list[str]) -> gpd.GeoDataFrame:
    geoms = [box(6.75 + i * 0.01, 51.2, 6.76 + i * 0.01, 51.21) for i in range(len(ids))]
    return gpd.GeoDataFrame({"sozialraum_id": ids}, geometry=geoms, crs="EPSG:4326")


def test_join_mismatches_both_ways() -> None:
    report = Report()
    table = pd.DataFrame({"sozialraum_id": ["011001", "099001"]})
    validate.check_join(_spaces(["011001", "011002"]), table, report)
    assert report.find("geometry_without_indicators")[0].ids == ("011002",)
    assert report.find("indicators_without_geometry")[0].ids == ("099001",)
    assert report.usable


def test_implausible_percentage_and_count() -> None:
    table = pd.DataFrame(
        {
            "sozialraum_id": [f"0110{i:02d}" for i in range(1, 8)],
            "bevoelkerung": [3000, 3100, 2900, 3050, 2950, 3020, 3_020_000],
            "sgb2_quote": [5.0, 6.0, 140.0, 7.0, 8.0, 9.0, 10.0],
        }
    )
    report = Report()
    checked = validate.check_values(table, report, city_population=21_070)
    flagged = {(i.ids[0], i.params["column"]) for i in report.find("implausible_value")}
    assert flagged == {("011007", "Bevölkerung"), ("011003", "SGB-II-Quote %")}
    assert checked["bevoelkerung"].isna().tolist() == [False] * 6 + [True]
    assert table["bevoelkerung"].iloc[6] == 3_020_000  # the input is not changed
    assert "population_total" in report.codes()


def test_check_files_on_crafted_files(tmp_path: Path) -> None:
    spaces = _spaces(["011001", "011002"]).rename(columns={"sozialraum_id": "SOZIALRAUM_ID"})
    spaces.to_file(tmp_path / "s.geojson")
    (tmp_path / "t.csv").write_text("Sozialraum-ID;SGB-II-Quote %\n011001;5,5\n011003;7\n", encoding="utf-8")
    checked = validate.check_files(tmp_path / "s.geojson", indicators=tmp_path / "t.csv")
    assert checked.report.counts == {"sozialraeume": 2, "welcome_points": 0, "indicator_rows": 2}
    assert checked.report.find("geometry_without_indicators")[0].ids == ("011002",)
    assert checked.report.find("indicators_without_geometry")[0].ids == ("011003",)
    as_json = checked.report.as_dict("en")
    assert {w["code"] for w in as_json["warnings"]} >= {
        "geometry_without_indicators",
        "indicators_without_geometry",
    }
    assert all(set(w) == {"code", "message", "ids"} for w in as_json["warnings"])
