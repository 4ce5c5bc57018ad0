"""
City profiles (issue 29): a city is a TOML file. The bundled profiles load and name their levels; every
mistake in a profile is named with its field; Berlin's real files (``../shared/data/raw/berlin-lor/``) are
recognised as published and checked (542 Planungsräume, invalid ones, duplicate and mangled names, IDs that
join nothing); a need index from S1/S3/S4 agrees with the city's own status index; Düsseldorf's real files
fit its profile.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis import need
from geo.core import i18n
from geo.data import city
from tests.conftest import QUARTIERSATLAS_CSV, RAW, REGISTRY, ROOT, SOZIALRAEUME

BERLIN = RAW / "berlin-lor"
OLD_447 = BERLIN / "not_joinable_old_plr_447" / "mss_2021_kontext_indikatoren_k08_k14_k15.csv"


def _berlin_files() -> list[Path]:
    """Berlin's files as published (the Shapefile's parts, the tables, the points), without the old edition."""
    return [p for p in BERLIN.rglob("*") if p.is_file() and p.parent.name != "not_joinable_old_plr_447"]


@pytest.fixture(scope="module")
def berlin() -> city.CityData:
    return city.check(city.load_profile("berlin"), _berlin_files())


def test_the_bundled_profiles_load_and_name_their_levels_in_every_language() -> None:
    assert city.bundled() == ["berlin", "duesseldorf"]
    berlin = city.load_profile("berlin")
    assert berlin.metric_crs == "EPSG:25833" and berlin.id_width == 8
    assert [p.key for p in berlin.parents] == ["bezirksregion", "prognoseraum", "bezirk"]
    assert berlin.unit.name("de", plural=True) == "Planungsräume"
    assert berlin.parent_id(berlin.parents[0], "01100101") == "011001"
    assert berlin.normalise_id("1100101") == "01100101" and berlin.normalise_id(1100101.0) == "01100101"
    assert berlin.normalise_id("123456789") is None and berlin.normalise_id("01x00101") is None
    duesseldorf = city.load_profile()  # the default
    assert duesseldorf.key == "duesseldorf" and duesseldorf.metric_crs == "EPSG:25832"
    assert duesseldorf.normalise_id("11001") == "011001"
    assert len(duesseldorf.indicators) >= 40  # the Quartiersatlas catalogue the app always used
    for profile in (berlin, duesseldorf):
        for level in (profile.unit, *profile.parents):
            assert set(level.names) == set(i18n.LANGUAGES), (profile.key, level.key)
        for indicator in profile.indicators:
            assert indicator.direction in city.DIRECTIONS and indicator.label("ar")


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = (city.CITIES_DIR / "berlin.toml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "stadt.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key", "field"),
    [
        ('id_width = 8 ', "id_widht = 8 ", "city.field_unknown", "unit.id_widht"),  # a typo is not a default
        ('metric_crs = "EPSG:25833"', 'metric_crs = "EPSG:4326"', "city.crs_not_metric", "city.metric_crs"),
        ('metric_crs = "EPSG:25833"', 'metric_crs = "EPSG:99999"', "city.crs_unknown", "city.metric_crs"),
        ("extent = [13.05, 52.30, 13.80, 52.70]", "extent = [13.80, 52.30, 13.05, 52.70]", "city.box_order", "city.extent"),
        ('table = "mss_kontext"\ncolumn = "KI_01"', 'table = "mss_kontex"\ncolumn = "KI_01"', "city.table_unknown", "indicator[4].table"),
        ('direction = "none"                        # context', 'direction = "sideways"  # context', "city.field_choice", "indicator[7].direction"),
        ("prefix = 6 ", "prefix = 9 ", "city.field_range", "parent[0].prefix"),
        ('id_column = "PLR_ID"\nname_column = "PLR_NAME"\nassume_crs', 'name_column = "PLR_NAME"\nassume_crs', "city.field_missing", "geometry.id_column"),
        ('decimal = ","\nencoding = "utf-8-sig"\nsource = "SenSBW', 'decimal = ";"\nencoding = "utf-8-sig"\nsource = "SenSBW', "city.field_choice", "table[3].decimal"),
    ],
)  # fmt: skip
def test_a_mistake_in_a_profile_is_named_with_its_field(
    tmp_path: Path, old: str, new: str, key: str, field: str
) -> None:
    with pytest.raises(city.ProfileError) as caught:
        city.load_profile(_broken(tmp_path, old, new))
    assert caught.value.key == key and caught.value.params["field"] == field
    assert field in caught.value.message("de") and "{" not in caught.value.message("ar")


def test_an_unknown_city_or_a_file_that_is_no_toml_is_refused_in_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(city.ProfileError) as unknown:
        city.load_profile("hamburg")
    assert "berlin, duesseldorf" in unknown.value.message("de")
    bad = tmp_path / "kaputt.toml"
    bad.write_text("[city\nname = 1", encoding="utf-8")
    with pytest.raises(city.ProfileError) as not_toml:
        city.load_profile(bad)
    assert not_toml.value.key == "city.not_toml"


@pytest.mark.real_data
def test_berlins_files_are_recognised_as_published_and_checked(berlin: city.CityData) -> None:
    data = berlin
    assert set(data.files) == {
        "geometry", "mss_indizes", "mss_index_indikatoren", "mss_kontext", "lor", "einwohner", "mss_z",
        "jugendfreizeit",
    }  # fmt: skip
    units = data.units
    assert len(units) == 542 and units["unit_id"].str.fullmatch(r"\d{8}").all()
    assert "01100101" in set(units["unit_id"])  # the leading zero kept
    assert units["bezirk"].nunique() == 12 and units["bezirksregion"].nunique() == 143
    assert units.crs.to_string() == "EPSG:4326"
    report = data.report
    assert report.usable, [i.message("de") for i in report.errors]
    (invalid,) = [i for i in report.find("city_rows_invalid") if i.params["file"] == "mss_2021_indizes.csv"]
    assert set(invalid.ids) == {"03300515", "03400831", "04400725", "05300838", "06200418", "10100205"}
    (twice,) = report.find("city_name_twice")
    assert twice.params["name"] == "Schloßstraße" and set(twice.ids) == {"04300414", "06100102"}
    (mangled,) = [
        i for i in report.find("city_names_differ") if i.params["file"] == "mss_2021_kontext_indikatoren.csv"
    ]
    assert mangled.params["n"] >= 16 and "01100416: Arkonaplatz / Arkoplatz" in mangled.ids
    values = data.indicators()
    assert values["s1_arbeitslose"].notna().sum() == 536  # the 6 invalid ones are missing, not -9999
    assert values["s1_arbeitslose"].min() >= 0
    assert values.at["01100101", "s1_arbeitslose"] == pytest.approx(4.22594)
    assert values["einwohner_2022"].sum() == 3_821_881  # "–" means nobody lives there
    assert (
        report.counts["points:jugendfreizeit"] == 407
        and report.counts["units_with_points:jugendfreizeit"] == 269
    )
    assert data.points["jugendfreizeit"].crs.to_string() == "EPSG:4326"  # UTM metres read as such


@pytest.mark.real_data
def test_a_need_index_from_s1_s3_s4_agrees_with_berlins_own_status_index(berlin: city.CityData) -> None:
    values = berlin.indicators()
    table = values.rename_axis("sozialraum_id").reset_index()
    index = need.need_index(
        table, [need.Component(c) for c in ("s1_arbeitslose", "s3_transfer", "s4_kinderarmut")]
    )
    both = pd.DataFrame(
        {"score": index.score, "status": values["status_index"], "klasse": values["status_index_klasse"]}
    )
    both = both.dropna()
    assert len(both) == 536
    rho = both["score"].corr(both["status"], method="spearman")
    assert rho > 0.99, rho  # the city's Status-Index is the standardised sum of the same three z-scores
    assert both["score"].corr(both["klasse"], method="spearman") > 0.8  # four classes tie many ranks


@pytest.mark.real_data
def test_a_table_of_another_edition_joins_nothing_and_says_so() -> None:
    profile = city.load_profile("berlin")
    shapes = [p for p in BERLIN.glob("lor_planungsraeume_2021.*")]
    data = city.check(profile, [*shapes, OLD_447])
    (unknown,) = data.report.find("city_ids_unknown")
    assert unknown.params["n"] == 447 and unknown.params["rows"] == 447 and len(unknown.ids) == city.SHOWN_IDS
    (without,) = data.report.find("city_units_without_row")
    assert without.params["n"] == 542
    both = city.check(profile, [*shapes, OLD_447, BERLIN / "mss_2021_kontext_indikatoren.csv"])
    assert both.report.find("city_file_twice") and not both.report.usable


@pytest.mark.real_data
def test_a_file_no_layer_takes_is_named_and_a_read_me_is_left_aside(tmp_path: Path) -> None:
    stray = tmp_path / "haushalte.csv"
    stray.write_text("A;B\n1;2\n", encoding="utf-8")
    data = city.check(
        city.load_profile("berlin"), [*BERLIN.glob("lor_planungsraeume_2021.*"), stray, BERLIN / "SOURCE.md"]
    )
    assert [i.params["file"] for i in data.report.find("city_file_unplaced")] == ["haushalte.csv"]
    assert [i.params["file"] for i in data.report.find("city_file_ignored")] == ["SOURCE.md"]
    with pytest.raises(city.DataError) as missing:
        city.check(city.load_profile("berlin"), [BERLIN / "mss_2021_indizes.csv"])
    assert missing.value.key == "city.no_geometry"


@pytest.mark.real_data
def test_duesseldorfs_real_files_fit_its_profile() -> None:
    data = city.check(city.load_profile("duesseldorf"), [SOZIALRAEUME, QUARTIERSATLAS_CSV, REGISTRY])
    assert set(data.files) == {"geometry", "quartiersatlas", "welcome_points"}
    assert len(data.units) == 171 and data.units["unit_id"].str.fullmatch(r"\d{6}").all()
    assert not data.report.find("city_ids_unknown") and not data.report.find("city_units_without_row")
    values = data.indicators()
    assert values["sgb2_quote"].notna().sum() >= 160
    assert data.report.counts["points:welcome_points"] > 0
    assert data.units["stadtbezirk"].nunique() == 10


@pytest.mark.real_data
def test_the_command_line_checks_a_profile_and_a_citys_files() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "geo", "profile", "check", "berlin", str(BERLIN)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr  # the folder holds both editions of the context table
    assert "Das Profil Berlin ist gültig: Planungsraum › Bezirksregion › Prognoseraum › Bezirk" in run.stdout
    assert "lor_planungsraeume_2021.shp → Planungsräume (Grenzen)" in run.stdout
    assert "Zwei Dateien für »MSS 2021: Kontextindikatoren«" in run.stdout and "Traceback" not in run.stderr
    only = subprocess.run(
        [sys.executable, "-m", "geo", "profile", "check", "nirgendwo"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert (
        only.returncode == 2
        and "nicht bekannt" in only.stderr + only.stdout
        and "Traceback" not in only.stderr
    )


def test_the_register_keeps_unit_ids_of_any_city(register_url: str) -> None:
    """Migration 0011: Berlin's 8-digit Planungsraum IDs fit every column that holds a unit ID."""
    from datetime import date, datetime

    from geo.core.access import Principal
    from geo.register import journal, store

    cli = Principal.cli()
    register = store.Register(register_url)
    try:
        assert store.schema_revision(register.engine) == store.HEAD_REVISION == "0011"
        ids = {"01100101", "12500930"}
        members = [register.add_connector(n, "Deutsch", by=cli) for n in ("Ada", "Bea")]
        tandem = register.create_tandem("Tandem Mitte", members, by=cli, start=date(2026, 1, 1))
        register.assign(tandem, "01100101", by=cli, valid_from=date(2026, 1, 1), known_ids=ids)
        journal.add_activity(
            register, by=cli, kind="quizabend", title="Quiz", starts_at=datetime(2026, 3, 1, 18),
            sozialraum_id="12500930", known_ids=ids, tandem_id=tandem,
        )  # fmt: skip
        assert [a.sozialraum_id for a in register.assignments()] == ["01100101"]
        assert set(journal.activities(register, by=cli)["sozialraum_id"]) == {"12500930"}
        # a home unit typed without its leading zero gets the city's width; one the data lacks is refused
        cara = register.add_connector("Cara", by=cli, home_sozialraum_id="1100101", known_ids=ids)
        assert {c.id: c.home_sozialraum_id for c in register.private_connectors(by=cli)}[cara] == "01100101"
        with pytest.raises(store.RegisterError):
            register.add_connector("Dora", by=cli, home_sozialraum_id="99999999", known_ids=ids)
        frame = pd.DataFrame(
            {"Tandem": ["Tandem Mitte"], "Sozialraum-ID": ["12500930"], "von": ["2026-02-01"]}
        )
        assert store.import_assignments(register, frame, by=cli, known_ids=ids) == []
    finally:
        register.close()


def test_an_older_sqlite_register_with_data_widens_without_losing_a_row(tmp_path: Path) -> None:
    """SQLite copies each table to widen it (foreign keys off during the copy, checked after it)."""
    from datetime import date, datetime

    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from geo.core.access import Principal
    from geo.register import journal, store

    cli = Principal.cli()
    url = f"sqlite:///{tmp_path / 'alt.sqlite'}"
    register = store.Register(url)
    members = [
        register.add_connector(n, "Deutsch", by=cli, home_sozialraum_id="011001") for n in ("Ada", "Bea")
    ]
    tandem = register.create_tandem("Tandem Nord", members, by=cli, start=date(2026, 1, 1))
    register.assign(tandem, "011001", by=cli, valid_from=date(2026, 1, 1), known_ids={"011001"})
    journal.add_activity(
        register, by=cli, kind="quizabend", title="Quiz", starts_at=datetime(2026, 3, 1, 18),
        sozialraum_id="011001", known_ids={"011001"}, tandem_id=tandem,
    )  # fmt: skip
    register.close()
    engine = store.make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(Path(store.__file__).parent / "migrations"))
    with engine.connect() as connection:  # back to 0010, as a register from before this change is
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        with connection.begin():
            config.attributes["connection"] = connection
            command.downgrade(config, "0010")

    def widths() -> dict[str, int | None]:
        inspector = sa.inspect(engine)
        return {
            f"{table}.{column['name']}": getattr(column["type"], "length", None)
            for table in ("connector", "assignment", "activity", "partner_area")
            for column in inspector.get_columns(table)
            if "sozialraum_id" in column["name"]
        }

    def counts() -> dict[str, int]:
        with engine.connect() as c:
            return {
                t: c.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
                for t in ("connector", "tandem_member", "assignment", "activity")
            }

    assert set(widths().values()) == {6}
    before = counts()
    store.migrate(engine)
    assert set(widths().values()) == {20} and counts() == before == {
        "connector": 2,
        "tandem_member": 2,
        "assignment": 1,
        "activity": 1,
    }
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1  # on again for everyone after
    engine.dispose()


@pytest.mark.real_data
def test_berlin_as_a_dataset_maps_ranks_finds_gaps_and_exports_a_pdf(berlin: city.CityData) -> None:
    """The map, the need index, coverage gaps and a PDF export work on Berlin's 542 Planungsräume."""
    import io

    from pypdf import PdfReader

    from geo.analysis import coverage
    from geo.analysis.view import MapView
    from geo.data import dataset
    from geo.output import export, maps, webmap

    data = dataset.from_city(berlin)
    assert data.city == "berlin" and len(data.spaces) == 542
    assert data.indicator_ids()[:3] == ["s1_arbeitslose", "s3_transfer", "s4_kinderarmut"]
    assert data.spaces["stadtbezirk"].nunique() == 12 and data.spaces["bevoelkerung"].sum() > 3_700_000
    styling = maps.style_indicator(data, "s1_arbeitslose", lang="ar")
    assert styling.title.startswith("العاطلون عن العمل") and "%" in styling.title
    assert maps.default_indicator(data.indicator_ids(), data.catalogue) == "s1_arbeitslose"
    components = need.default_components(data.indicator_ids(), data.catalogue)
    assert [c.indicator_id for c in components] == ["s1_arbeitslose", "s3_transfer", "s4_kinderarmut"]
    index = need.need_index(data.spaces, components)
    assert index.score.notna().sum() == 536 and (index.need_class == 1).sum() > 100
    assert "Arbeitslose (SGB II)" in maps.need_recipe(index, "de", data.catalogue)
    assigned = pd.DataFrame({"sozialraum_id": ["01100101"], "tandem": ["Tandem Mitte"]})
    table = coverage.coverage_table(data.spaces, data.welcome_points, index.score, index.need_class, assigned)
    found = coverage.gaps(table, min_class=1)
    assert len(found) == (index.need_class == 1).sum() - int(
        table.loc[table["sozialraum_id"] == "01100101", "need_class"].eq(1).sum()
    )
    assert found["sozialraum_id"].str.len().eq(8).all()
    pdf = export.render(
        data, MapView(mode="indikator", indicator="s1_arbeitslose"), "pdf", assignments=assigned
    )
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Arbeitslose (SGB II)" in text and "CC BY 3.0 DE" in text and "Berlin" in text
    # the source line names every layer the map draws on: the shapes, the MSS tables, the youth centres
    assert "MSS 2021: Index-Indikatoren" in text and "unbekannt (nicht geprüft)" in text
    assert (
        "Jugendfreizeiteinrichtungen" in text and "Welcome Point" not in text
    )  # the points named as the city's
    assert data.points_label("ar", plural=True) == "مراكز شبابية"
    base = webmap.base_payload(data, maps.map_geometry(data), lang="uk")
    assert base.payload["text"]["welcomePoint"] == "молодіжний центр"
    topology = webmap.dumps(base.payload["topology"]).encode()
    assert len(gzip.compress(topology)) <= 80_000  # 542 Planungsräume as a topology, on the wire
    assert len(base.payload["bezirkArcs"]) < len(base.payload["topology"]["arcs"])


@pytest.mark.real_data
def test_berlin_imports_into_a_dataset_folder_the_app_and_the_command_line_open(tmp_path: Path) -> None:
    from geo.core.access import AccessDeniedError, Principal
    from geo.data import dataset

    profile = city.load_profile("berlin")
    with pytest.raises(AccessDeniedError):  # importing is for admins and the command line
        dataset.import_city(city.check(profile, _berlin_files()), tmp_path / "nein", by=Principal.public())
    with pytest.raises(city.DataError):  # both editions of a table: refused, nothing written
        dataset.import_city(
            city.check(profile, [*_berlin_files(), OLD_447]), tmp_path / "zwei", by=Principal.cli()
        )
    assert not (tmp_path / "zwei").exists()
    folder = tmp_path / "berlin"
    made = dataset.import_city(city.check(profile, _berlin_files()), folder, by=Principal.cli())
    assert {p.name for p in (folder / dataset.CITY_FILES).iterdir()} >= {
        "lor_planungsraeume_2021.shp", "lor_planungsraeume_2021.dbf", "lor_planungsraeume_2021.prj",
        "mss_2021_indizes.csv", "jugendfreizeiteinrichtungen.geojson",
    }  # fmt: skip
    assert "SOURCE.md" not in {p.name for p in (folder / dataset.CITY_FILES).iterdir()}
    loaded = dataset.load_dataset(folder)
    assert loaded.meta.city == "berlin" and loaded.meta.version == made.meta.version
    assert len(loaded.spaces) == 542 and loaded.indicator_ids() == made.indicator_ids()
    assert loaded.spaces.set_index("sozialraum_id").at["01100101", "s1_arbeitslose"] == pytest.approx(4.22594)
    out = tmp_path / "karte.html"
    run = subprocess.run(
        [sys.executable, "-m", "geo", "map", "--data-dir", str(folder), "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Stülerstraße" in out.read_text(encoding="utf-8")


@pytest.mark.real_data
def test_the_command_line_imports_a_city_from_its_folder(tmp_path: Path) -> None:
    source = tmp_path / "quelle"
    source.mkdir()
    for path in _berlin_files():
        (source / path.name).write_bytes(path.read_bytes())
    run = subprocess.run(
        [sys.executable, "-m", "geo", "import", "--profile", "berlin", str(source), "--out", str(tmp_path / "b")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "lor_planungsraeume_2021.shp → Planungsräume (Grenzen)" in run.stdout
    assert "SOURCE.md: keine Datendatei" in run.stdout and (tmp_path / "b" / "stadtprofil.toml").exists()
    bare = subprocess.run(
        [sys.executable, "-m", "geo", "import", "--out", str(tmp_path / "c")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert (
        bare.returncode == 2
        and "--sozialraeume" in bare.stderr + bare.stdout
        and "Traceback" not in bare.stderr
    )


@pytest.mark.real_data
def test_the_app_opens_berlin_and_its_pages_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a Berlin dataset the pages that read the data run without an error and offer Berlin's indicators."""
    from streamlit.testing.v1 import AppTest

    from geo.core.access import Principal
    from geo.data import dataset

    folder = tmp_path / "berlin"
    dataset.import_city(city.check(city.load_profile("berlin"), _berlin_files()), folder, by=Principal.cli())
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(folder))
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    for page in (
        "app_pages/explore.py",
        "app_pages/coverage.py",
        "app_pages/export.py",
        "app_pages/impact.py",
    ):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
    at.switch_page("app_pages/explore.py").run()
    options = [o for box in at.selectbox for o in box.options]
    assert "Arbeitslose (SGB II) (%)" in options and "Kinderarmut (%)" in options
    assert "Berlin: Planungsräume" in options  # the data picker names it by its title, not its folder
    shown = " ".join(str(e.value) for e in (*at.title, *at.markdown, *at.caption))
    assert "Planungsräume erkunden" in shown and "Sozialräume erkunden" not in shown  # the city's words
    at.switch_page("app_pages/coverage.py").run()
    labels = " ".join(str(e.label) for e in at.tabs)
    assert "Nach Bezirk" in labels and "Stadtbezirk" not in labels, labels
    gaps = {m.label: m.value for m in at.metric}["Lücken"]
    # no tandem yet: every Planungsraum of high need (Berlin's own recipe) is a gap
    assert int(gaps) > 100, gaps


@pytest.mark.real_data
def test_a_table_in_another_encoding_is_refused_in_a_sentence_naming_it(tmp_path: Path) -> None:
    table = tmp_path / "mss_2021_indizes.csv"
    table.write_bytes("PLR_ID,PLR_NAME,SI_N,DI_N,KOM\n01100101,Stülerstraße,2,5,gültig\n".encode("cp1252"))
    with pytest.raises(city.DataError) as caught:
        city.check(city.load_profile("berlin"), [*BERLIN.glob("lor_planungsraeume_2021.*"), table])
    assert caught.value.key == "city.file_unreadable" and "mss_2021_indizes.csv" in caught.value.message("de")


def test_a_made_up_demo_for_any_profile_takes_the_path_of_real_files(tmp_path: Path) -> None:
    """`geo demo --profile`: files written as the profile describes them, imported, marked as demo everywhere."""
    import io

    from pypdf import PdfReader

    from geo.analysis.view import MapView
    from geo.data import citydemo, dataset
    from geo.output import export, maps

    berlin = city.load_profile("berlin")
    made = citydemo.write(berlin, tmp_path / "demo")
    assert made.meta.demo and made.meta.city == "berlin" and made.meta.licence == "CC0 1.0"
    assert "Synthetisch" in made.meta.source and "Amt für Statistik" not in str(
        made.meta
    )  # no official source
    spaces = made.spaces
    assert len(spaces) == 48 and spaces["sozialraum_id"].str.fullmatch(r"\d{8}").all()
    assert spaces["sozialraum_id"].iloc[0] == "01010101" and spaces["stadtbezirk"].nunique() == 4
    assert made.indicator_ids()[:3] == ["s1_arbeitslose", "s3_transfer", "s4_kinderarmut"]
    assert set(spaces["status_index_klasse"].dropna()) <= {1, 2, 3, 4} and len(made.welcome_points) == 16
    loaded = dataset.load_dataset(tmp_path / "demo")
    assert loaded.meta.demo and len(loaded.spaces) == 48
    assert (
        loaded.spaces["s1_arbeitslose"].tolist() == spaces["s1_arbeitslose"].tolist()
    )  # same seed, same demo
    index = need.need_index(loaded.spaces, need.default_components(loaded.indicator_ids(), loaded.catalogue))
    assert index.score.notna().all()
    assert maps.style_indicator(loaded, "s4_kinderarmut").title.startswith("Kinderarmut")
    pdf = export.render(
        loaded,
        MapView(mode="index"),
        "pdf",
        assignments=pd.DataFrame(columns=["sozialraum_id", "tandem"]),
    )
    assert "Demo" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    # a profile from a file, and Düsseldorf's (its catalogue file travels with it into the dataset folder)
    own = tmp_path / "meine-stadt.toml"
    own.write_text((city.CITIES_DIR / "berlin.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert len(citydemo.write(city.load_profile(own), tmp_path / "eigene").spaces) == 48
    citydemo.write(city.load_profile("duesseldorf"), tmp_path / "d")
    again = dataset.load_dataset(tmp_path / "d")
    assert (
        again.spaces["sozialraum_id"].str.fullmatch(r"\d{6}").all() and "sgb2_quote" in again.indicator_ids()
    )


def test_the_command_line_makes_a_demo_for_a_profile(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "geo", "demo", "--profile", "berlin", "--out", str(tmp_path / "b")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "b" / "stadtprofil.toml").exists() and (tmp_path / "b" / "stadt").is_dir()


def test_the_dataset_picker_names_a_city_dataset_by_its_title(tmp_path: Path) -> None:
    from geo.data import citydemo, dataset

    citydemo.write(city.load_profile("berlin"), tmp_path / "berlin")
    assert dataset.is_dataset(tmp_path / "berlin") and not dataset.is_dataset(tmp_path)
    assert dataset.DatasetMeta.read(tmp_path / "berlin").title == "Demo: Berlin (erfunden)"


def test_the_apps_sentences_name_the_levels_and_the_city_with_the_profiles_words() -> None:
    """Berlin's words cover every level word of the catalogue in all six languages, sentence starts kept."""
    from geo.core import i18n

    berlin = city.load_profile("berlin")
    for lang in i18n.LANGUAGES:
        assert city.words_missing(berlin, lang) == [], lang
    assert city.load_profile("duesseldorf").words == {}
    with i18n.city_words(berlin.words):
        assert i18n.translate("explore.title", "de") == "Planungsräume erkunden"
        assert i18n.translate("near.inside", "ru", name="X") == "Вы в районе планирования X."
        assert i18n.translate("explore.title", "en") == "Explore the planning areas"
        # an article that changes with the word, a capital at a sentence's start, the app's own name kept
        assert "Eine Bezirksregion ist" in i18n.translate("glossary.stadtteil.text", "de")
        assert i18n.translate("glossary.sozialraum.text", "en").startswith("A planning area (Planungsraum)")
        assert i18n.translate("brief.title", "de").startswith("Sozialraum-Karte")
        assert "Bezirken" in i18n.translate("explore.summary", "de", n=3, bezirke=12, wp=1)
        assert i18n.translate("coverage.tab_bezirke", "tr") == "İlçelere göre"  # a stem keeps its ending
    assert i18n.translate("explore.title", "de") == "Sozialräume erkunden"  # outside the block: Düsseldorf's


def test_a_words_table_is_checked_and_a_missing_form_is_named(tmp_path: Path) -> None:
    from geo.core import i18n

    text = (city.CITIES_DIR / "berlin.toml").read_text(encoding="utf-8")
    profile_file = tmp_path / "stadt.toml"
    profile_file.write_text(text.replace('"Sozialräumen" = "Planungsräumen"\n', ""), encoding="utf-8")
    assert city.words_missing(city.load_profile(profile_file), "de") == ["Sozialräumen"]
    profile_file.write_text(text.replace('"Sozialraums" = "Planungsraums"', '"Sozialraums" = 3'), "utf-8")
    with pytest.raises(city.ProfileError) as caught:
        city.load_profile(profile_file)
    assert "words.de.Sozialraums" in caught.value.message("de")
    profile_file.write_text(text.replace("[words.ar]", "[words.xx]"), "utf-8")
    with pytest.raises(city.ProfileError) as caught:
        city.load_profile(profile_file)
    assert "words.xx" in caught.value.message("de")
    assert i18n.with_words("Sozialraum-Karte, Sozialraum", "de", {"de": {"Sozialraum": "Gebiet"}}) == (
        "Sozialraum-Karte, Gebiet"
    )
