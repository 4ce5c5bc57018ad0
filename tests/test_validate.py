"""The validation report: the real files' known faults, and crafted mismatches."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.core.report import Report
from geo.data import validate
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
        "population": 643_753,
        "welcome_point_rows": 17,
    }
    assert real.report.usable


@pytest.mark.real_data
def test_real_report_names_the_extraction_error_of_063007(real: validate.Checked) -> None:
    corrected = {(i.ids[0], i.params["column"]): i for i in real.report.find("value_corrected")}
    population = corrected[("063007", "Bevölkerung")]
    assert (population.params["old"], population.params["new"]) == (2_036_643, 2_036)
    assert "2.036.643" in population.message("de") and "2.036" in population.message("de")
    assert set(corrected) == {("063007", "Bevölkerung"), ("063007", "30–49"), ("063007", "50–64")}
    # Haushalte has no evidence in its row: it stays implausible and missing
    implausible = {(i.ids[0], i.params["column"]) for i in real.report.find("implausible_value")}
    assert implausible == {("063007", "Haushalte")}
    assert "population_total" not in real.report.codes()
    # Oberrath counts with its 2,036 people, and the city adds up exactly to its official total
    table = real.indicators.set_index("sozialraum_id")  # type: ignore[union-attr]
    assert table.loc["063007", ["bevoelkerung", "alter_30_49", "alter_50_64"]].tolist() == [2036, 625, 392]
    assert pd.isna(table.loc["063007", "haushalte"])
    assert real.indicators["bevoelkerung"].sum() == 643_753  # type: ignore[index]
    assert real.report.counts["population"] == 643_753


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


@pytest.mark.real_data
def test_real_report_names_the_copied_column_the_decimal_artefact_and_the_merged_rows(
    real: validate.Checked,
) -> None:
    (copy,) = real.report.find("columns_identical")
    assert (copy.params["first"], copy.params["second"], copy.params["rows"]) == (
        "Altersarmut %",
        "Mindestsicherung %",
        169,
    )
    (artefact,) = real.report.find("decimal_artefact")
    assert (artefact.params["column"], artefact.params["digits"], artefact.params["rows"]) == (
        "Fläche ha",
        "21",
        171,
    )
    assert "…21" in artefact.message("de")
    (merged,) = real.report.find("welcome_point_rows_merged")
    assert merged.params == {"rows": 17, "points": 11} and len(merged.ids) == 6
    assert all(i.endswith("(2)") for i in merged.ids)
    # the rest of the official table is consistent: shares match counts, parts add up, densities fit
    for code in ("share_inconsistent", "parts_sum_mismatch", "density_inconsistent", "shares_sum_mismatch"):
        assert not real.report.find(code), code
    assert not real.report.find("columns_near_identical")


def _consistent(n: int = 25) -> pd.DataFrame:
    """`n` rows whose age groups, shares, densities and school shares all agree."""
    rows = []
    for i in range(n):
        people = 1000 + 40 * i
        weights = [0.05 + 0.002 * i, 0.10, 0.15, 0.30 - 0.002 * i, 0.20, 0.14, 0.06]
        counts = [int(people * w) for w in weights]
        counts[3] += people - sum(counts)  # the age groups add up to the population
        row = {"sozialraum_id": f"0110{i:02d}", "bevoelkerung": float(people), "flaeche_ha": 50.0 + i * 1.3}
        for group, count in zip(validate._AGE_GROUPS, counts, strict=True):
            row[group] = float(count)
            row[f"{group}_pct"] = round(count / people * 100, 1)
        row["dichte"] = float(round(people / (row["flaeche_ha"] / 100)))
        row |= {
            "hauptschule_pct": 10.0,
            "realschule_pct": 20.0,
            "gymnasium_pct": 45.5,
            "gesamtschule_pct": 24.5,
        }
        row |= {"sgb2_quote": 5.0 + i, "kinderarmut": 9.0 + 2 * i}
        rows.append(row)
    return pd.DataFrame(rows)


def test_a_consistent_table_has_no_findings_and_each_fault_is_named() -> None:
    clean = Report()
    validate.check_consistency(_consistent(), clean)
    assert clean.issues == []
    table = _consistent()
    table["mindestsicherung"] = table["sgb2_quote"]  # a copied column
    table["altersarmut"] = table["kinderarmut"] + 0.01  # nearly a copy
    table["flaeche_ha"] = table["flaeche_ha"].round(1) + 0.021  # glued decimals
    table.loc[3, "alter_u6_pct"] += 2  # a share that disagrees with its count
    table.loc[4, "alter_80plus"] += 7  # parts that no longer add up (and its share disagrees)
    table.loc[5, "dichte"] *= 1.2  # a density that does not fit
    table.loc[6, "gymnasium_pct"] = 60.0  # school shares over 100
    report = Report()
    validate.check_consistency(table, report)
    found = {i.code: i for i in report.issues if i.code != "share_inconsistent"}
    assert (found["columns_identical"].params["first"], found["columns_identical"].params["second"]) == (
        "SGB-II-Quote %",
        "Mindestsicherung %",
    )
    assert {
        found["columns_near_identical"].params["first"],
        found["columns_near_identical"].params["second"],
    } == {
        "Kinderarmut %",
        "Altersarmut %",
    }
    assert found["decimal_artefact"].params["digits"] == "21"
    shares = {(i.ids, i.params["column"]) for i in report.find("share_inconsistent")}
    assert (("011003",), "< 6 %") in shares and (("011004",), "80+ %") in shares
    assert found["parts_sum_mismatch"].ids == ("011004",)
    assert found["density_inconsistent"].ids == ("011005",)
    assert (
        found["shares_sum_mismatch"].ids == ("011006",)
        and found["shares_sum_mismatch"].params["variant"] == "schools"
    )
    for issue in report.issues:  # every finding reads as a sentence in every language
        for lang in ("de", "en", "tr", "ar", "uk", "ru"):
            assert "{" not in issue.message(lang), (issue.code, lang)


def test_column_comparisons_agree_with_a_pair_by_pair_reference() -> None:
    """The vectorised copy checks find exactly what comparing each pair of columns row by row finds."""
    import numpy as np

    def reference(table: pd.DataFrame, columns: list[str], min_rows: int) -> tuple[list, list]:
        exact, near = [], []
        for i, a in enumerate(columns):
            for b in columns[i + 1 :]:
                both = table[[a, b]].dropna()
                if len(both) >= min_rows and both[a].nunique() > 1 and (both[a] == both[b]).all():
                    exact.append((a, b, len(both)))
                elif len(both) >= 20 and both[a].nunique() > 1 and both[b].nunique() > 1:
                    spread = max(np.ptp(both[a]), np.ptp(both[b]))
                    if (both[a] - both[b]).abs().max() <= 0.01 * spread:
                        near.append((a, b))
        return exact, near

    rng = np.random.default_rng(7)
    for _ in range(25):
        n, k = int(rng.integers(5, 120)), int(rng.integers(4, 16))
        values = rng.normal(size=(n, k)).round(int(rng.integers(0, 3)))
        values[rng.random((n, k)) < rng.random() * 0.4] = np.nan
        table = pd.DataFrame(values, columns=[f"c{i}" for i in range(k)])
        table["c1"] = table["c0"]  # a copy
        table["c2"] = table["c0"] + rng.normal(scale=1e-4, size=n)  # a near copy
        table["c3"] = 5.0  # constant: never a copy
        columns = list(table.columns)
        exact, near = reference(table, columns, 10)
        found = validate.identical_columns(table, columns)
        assert found == exact
        assert [p[:2] for p in validate._near_identical(table, columns, {p[:2] for p in found})] == near
