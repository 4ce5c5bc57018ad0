"""Nationalities per Stadtteil -> residents who may speak a tandem's languages; suggestions weighted by them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.analysis import coverage
from geo.core.access import Principal
from geo.core.errors import DataError, MissingColumnError
from geo.core.report import Report
from geo.data import languages, sources
from tests.conftest import NATIONALITIES, STADTTEILE
from tests.test_coverage import _squares, _table

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
ADMIN = Principal(label="test-admin", roles=frozenset({"admin"}))


@pytest.mark.real_data
def test_real_table_by_stadtteil_name() -> None:
    st = sources.read_stadtteile(STADTTEILE)
    report = Report()
    table = languages.read_nationalities(
        NATIONALITIES, dict(zip(st["stadtteil_nr"], st["name"], strict=True)), report=report
    )
    assert len(table) == 50  # every row matched a Stadtteil, umlauts and all
    assert report.issues == []
    assert "Griechenland" in table.columns and "Russ. Föderation" in table.columns  # PDF hyphens removed
    assert "ausl_total" not in table.columns and "sonstige" not in table.columns
    assert table.at["037", "Türkei"] == 947  # Oberbilk
    assert table.at["033", "Syrien"] == 0  # Hafen: an empty (suppressed) cell
    assert table.at["011", "Griechenland"] == 33  # "33.0" in a decimal-point file
    assert languages.languages_of("Russ. Föderation") == ("Russisch",)


def test_keys_by_number_and_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "staatsangehoerigkeiten.csv"
    path.write_text(
        "Stadtteil;Türkei;Syrien;Insgesamt\n011 Altstadt;1.234;12,5;2000\n12;;3;10\n999 Nirgendwo;1;1;2\n",
        encoding="cp1252",
    )
    report = Report()
    table = languages.read_nationalities(path, {"011": "Altstadt", "012": "Carlstadt"}, report=report)
    assert table.loc["011"].tolist() == [1234.0, 12.5]  # thousands point in a decimal-comma file
    assert table.loc["012"].tolist() == [0.0, 3.0]
    assert list(table.columns) == ["Türkei", "Syrien"]  # the total is not a nationality
    (issue,) = report.issues
    assert issue.code == "nationality_rows_unmatched" and issue.ids == ("999 Nirgendwo",)


def test_unusable_tables_are_plain_errors(tmp_path: Path) -> None:
    none_match = tmp_path / "a.csv"
    none_match.write_text("Stadtteil;Türkei\nAtlantis;5\n", encoding="utf-8")
    with pytest.raises(DataError, match="Atlantis"):
        languages.read_nationalities(none_match, {"011": "Altstadt"})
    no_key = tmp_path / "b.csv"
    no_key.write_text("Land;Türkei\nx;5\n", encoding="utf-8")
    with pytest.raises(MissingColumnError, match="Stadtteil"):
        languages.read_nationalities(no_key, {"011": "Altstadt"})


def _spaces() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sozialraum_id": ["011001", "011002", "012001"],
            "stadtteil_nr": ["011", "011", "012"],
            "bevoelkerung": [600.0, 400.0, 500.0],
        }
    )


def test_speakers_by_hand() -> None:
    table = pd.DataFrame({"Türkei": [100.0, 0.0], "Syrien": [0.0, 50.0]}, index=pd.Index(["011", "012"]))
    turkish, matched = languages.speakers(_spaces(), table, ["Türkisch", "Deutsch"])
    assert matched == ("Türkei",)
    # 100 of Stadtteil 011's 1000 residents: a tenth of each of its Sozialräume
    assert turkish.to_dict() == pytest.approx({"011001": 60.0, "011002": 40.0, "012001": 0.0})
    arabic, matched = languages.speakers(_spaces(), table, ["arabisch"])  # case does not matter
    assert matched == ("Syrien",)
    assert arabic["012001"] == pytest.approx(50.0)
    nobody, matched = languages.speakers(_spaces(), table, ["Deutsch"])
    assert matched == () and (nobody == 0).all()


def test_suggestion_follows_the_languages() -> None:
    table = _table([("021001", "T1")])
    spaces, _ = _squares()
    # without languages 021002 wins (4000 high-need residents); its Stadtteil has no Turkish nationals,
    # while 011002 (2000 residents) lies in a Stadtteil where a quarter are Turkish nationals
    spaces = spaces.assign(stadtteil_nr=["011", "011", "021", "021"], by=COORD)
    nat = pd.DataFrame({"Türkei": [750.0, 0.0]}, index=pd.Index(["011", "021"]))
    estimate, _ = languages.speakers(spaces, nat, ["Türkisch"])
    assert estimate["011002"] == pytest.approx(500.0)
    (plain,) = coverage.suggest(table, spaces, k=1, min_class=2, reach_m=1100)
    (by_language,) = coverage.suggest(table, spaces, k=1, min_class=2, reach_m=1100, speakers=estimate)
    assert plain.sozialraum_id == "021002" and plain.speakers is None
    assert by_language.sozialraum_id == "011002"
    assert by_language.speakers == pytest.approx(500.0)
    assert by_language.high_need_population == 2000  # the reasons still name everyone reached
