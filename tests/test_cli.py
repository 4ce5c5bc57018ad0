"""The command line contract: demo, validate (--json), import, fetch (local server), map."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from geo.__main__ import main
from geo.core import i18n
from geo.core.access import Principal
from geo.core.errors import DownloadError
from geo.data import dataset, imports
from geo.register import models
from tests.conftest import NATIONALITIES, QUARTIERSATLAS, REGISTRY, SOZIALRAEUME

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
ADMIN = Principal(label="test-admin", roles=frozenset({"admin"}))

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )


@pytest.mark.real_data
def test_validate_json_on_the_real_files() -> None:
    result = run(
        "validate",
        "--sozialraeume",
        SOZIALRAEUME,
        "--indicators",
        QUARTIERSATLAS,
        "--welcome-points",
        REGISTRY,
        "--json",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["counts"]["sozialraeume"] == 171
    assert report["counts"]["welcome_points"] == 11
    assert report["counts"]["indicator_rows"] == 171
    assert report["errors"] == []
    codes = {w["code"] for w in report["warnings"]}
    assert {"implausible_value", "uninhabited", "name_repaired", "geometry_repaired"} <= codes
    ids = {i for w in report["warnings"] if w["code"] == "implausible_value" for i in w["ids"]}
    assert ids == {"063007"}
    # the contract of corrections: each with ids, column, old, new, rule; the city's total after them
    fixed = {(c["ids"][0], c["column"]): (c["old"], c["new"], c["rule"]) for c in report["corrections"]}
    assert fixed == {
        ("063007", "30–49"): (625_192, 625, "share_and_digits"),
        ("063007", "50–64"): (392_133, 392, "share_and_digits"),
        ("063007", "Bevölkerung"): (2_036_643, 2_036, "sum_of_parts"),
    }
    assert report["counts"]["population"] == 643_753


def test_validate_unusable_exits_2_with_a_plain_message(tmp_path: Path) -> None:
    bad = tmp_path / "kaputt.geojson"
    bad.write_text("das ist kein GeoJSON", encoding="utf-8")
    result = run("validate", "--sozialraeume", bad, "--json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "kaputt.geojson" in result.stderr
    assert json.loads(result.stdout)["errors"][0]["code"] == "unreadable"


def test_validate_duplicates_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "dup.geojson"
    feature = (
        '{"type":"Feature","properties":{"SOZIALRAUM_ID":"011001"},"geometry":{"type":"Polygon",'
        '"coordinates":[[[6.7,51.2],[6.71,51.2],[6.71,51.21],[6.7,51.2]]]}}'
    )
    path.write_text(f'{{"type":"FeatureCollection","features":[{feature},{feature}]}}', encoding="utf-8")
    result = run("validate", "--sozialraeume", path, "--json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["errors"][0] == {
        "code": "duplicate_id",
        "message": report["errors"][0]["message"],
        "ids": ["011001"],
    }
    assert "Traceback" not in result.stderr


def test_demo_then_map(tmp_path: Path) -> None:
    assert run("demo", "--out", tmp_path / "d").returncode == 0
    out = tmp_path / "karte.html"
    result = run("map", "--data-dir", tmp_path / "d", "--indicator", "kinderarmut", "--out", out)
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    base = json.loads(html.split('id="sk-base">', 1)[1].split("</script>", 1)[0])
    assert len(base["ids"]) == len(base["topology"]["objects"]["sozialraeume"]["geometries"]) == 171
    assert "Kinderarmut" in html and "Demo-Daten (erfunden)" in html
    assert "https://cdn" not in html and "Leaflet 1.9.4" in html  # Leaflet inlined from the package


def test_map_of_a_missing_dataset_says_how_to_fix(tmp_path: Path) -> None:
    result = run("map", "--data-dir", tmp_path / "leer", "--out", tmp_path / "x.html")
    assert result.returncode == 2
    assert "python -m geo demo" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.real_data
def test_import_real_files_then_load(tmp_path: Path) -> None:
    out = tmp_path / "official"
    result = run(
        "import",
        "--sozialraeume",
        SOZIALRAEUME,
        "--indicators",
        QUARTIERSATLAS,
        "--welcome-points",
        REGISTRY,
        "--nationalities",
        NATIONALITIES,
        "--out",
        out,
    )
    assert result.returncode == 0, result.stderr
    loaded = dataset.load_dataset(out)
    assert loaded.nationalities is not None
    assert loaded.nationalities.at["037", "Türkei"] == 947  # matched by name without a Stadtteil file
    assert "Staatsangehörigkeiten: nationality_by_stadtteil" in loaded.meta.source
    assert len(loaded.spaces) == 171
    assert len(loaded.welcome_points) == 11
    assert not loaded.meta.demo
    row = loaded.spaces.set_index("sozialraum_id").loc["011001"]
    assert row["name"] == "Altstadt"
    names = loaded.spaces.set_index("sozialraum_id")["name"]
    assert names["033001"] == "Industriehafen und …"  # cut at a PDF line break: shown as cut
    assert names["015002"] == "Zwischen Nordfriedhof und Jo-…"
    assert "Industriehafen und;" in (out / "sozialraeume" / "indikatoren.csv").read_text(encoding="utf-8-sig")
    assert row["sgb2_quote"] == pytest.approx(6.8)
    # the wrong population stays flagged after import, on every load: nothing is silently changed
    assert "063007" in {i.ids[0] for i in loaded.report.find("implausible_value")}
    # the portal's file is named as the portal, with its licence; the registry by its title
    assert loaded.meta.source.startswith("Open Data Düsseldorf (Sozialräume, Stadtteile)")
    assert "Welcome Points: Integrationsberatung in Düsseldorf" in loaded.meta.source
    assert loaded.meta.licence.startswith("Datenlizenz Deutschland")


@pytest.mark.real_data
def test_fetch_from_a_mirror(tmp_path: Path, portal_mirror: str) -> None:
    seen: list[tuple[str, int]] = []
    report = imports.fetch_official(
        tmp_path / "o",
        base_url=portal_mirror,
        progress=lambda name, done, total: seen.append((name, done)),
        by=ADMIN,
    )
    assert report.usable
    assert {name for name, _ in seen} == {
        "Sozialräume_WGS84_4326_0.geojson",
        "Stadtteile_2025_WGS84_EPSG4326_1.geojson",
    }
    loaded = dataset.load_dataset(tmp_path / "o")
    assert len(loaded.spaces) == 171
    assert loaded.stadtteile is not None
    assert len(loaded.stadtteile) == 50
    assert loaded.meta.licence.startswith("Datenlizenz Deutschland")


@pytest.mark.real_data
def test_fetch_cli_from_a_mirror(tmp_path: Path, portal_mirror: str) -> None:
    result = run("fetch", "--out", tmp_path / "o", "--base-url", portal_mirror)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "sozialraeume" / "sozialraeume.geojson").exists()


@pytest.mark.real_data
def test_fetch_missing_file_names_the_url(tmp_path: Path, portal_mirror: str) -> None:
    with pytest.raises(DownloadError, match=r"HTTP 404") as info:
        imports.fetch_official(tmp_path / "o", base_url=portal_mirror + "nicht-da/", by=ADMIN)
    assert "nicht-da" in str(info.value)
    assert not (tmp_path / "o" / "sozialraeume").exists()  # nothing half-written


@pytest.mark.real_data
def test_fetch_size_limit(tmp_path: Path, portal_mirror: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOZIALRAUM_MAX_DOWNLOAD_MB", "0.5")
    with pytest.raises(DownloadError, match=r"0 MB|größer"):
        imports.fetch_official(tmp_path / "o", base_url=portal_mirror, by=ADMIN)


def test_unreachable_host_is_a_plain_download_error(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"127\.0\.0\.1:9"):
        imports.download("http://127.0.0.1:9/x.geojson", tmp_path / "x.geojson")
    with pytest.raises(DownloadError, match="http"):
        imports.download("file:///etc/passwd", tmp_path / "x")


def test_gaps_json_and_shrink_after_assignment(tmp_path: Path) -> None:
    from datetime import date

    from geo.data import demo_dataset
    from geo.register.store import Register

    data_dir = demo_dataset.write(tmp_path / "d")
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    result = run("gaps", "--data-dir", data_dir, "--db", db, "--min-class", "2", "--json")
    assert result.returncode == 0, result.stderr
    before = json.loads(result.stdout)
    assert before["count"] == len(before["gaps"]) > 0
    first = before["gaps"][0]
    assert set(first) >= {"sozialraum_id", "need_class", "distance_m", "population"}
    assert first["need_class"] == 1
    assert before["distance_measure"] == "point"
    edge = json.loads(run("gaps", "--data-dir", data_dir, "--db", db, "--json", "--distance", "edge").stdout)
    assert edge["distance_measure"] == "edge"
    by_point = {g["sozialraum_id"]: g["distance_m"] for g in before["gaps"]}
    by_edge = {g["sozialraum_id"]: g["distance_m"] for g in edge["gaps"]}
    assert by_edge.keys() == by_point.keys()
    assert all(by_edge[i] <= by_point[i] for i in by_edge)  # the edge is never farther than a point inside
    assert any(by_edge[i] < by_point[i] for i in by_edge)
    register = Register(db)
    a = register.add_connector("Sentinel Person", "Deutsch", contact="sentinel@example.invalid", by=COORD)
    b = register.add_connector("Zweite", "Englisch", by=COORD)
    t = register.create_tandem("T", [a, b], start=date(2025, 1, 1), by=COORD)
    register.assign(
        t, first["sozialraum_id"], valid_from=date(2025, 1, 1), known_ids={first["sozialraum_id"]}, by=COORD
    )
    after = json.loads(run("gaps", "--data-dir", data_dir, "--db", db, "--json").stdout)
    assert after["count"] == before["count"] - 1
    assert first["sozialraum_id"] not in {g["sozialraum_id"] for g in after["gaps"]}
    assert "Sentinel" not in result.stdout + run("gaps", "--data-dir", data_dir, "--db", db).stdout


def test_user_add_code_login_disable_and_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from geo.register import accounts, store

    db = f"sqlite:///{tmp_path / 'r.sqlite'}"

    def geo(*args: str) -> subprocess.CompletedProcess[str]:
        """The command in this process (starting Python for each would cost half a minute)."""
        code = main([*args, "--db", db])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    bad = geo("user", "add", "--email", "keine-adresse", "--role", "admin")
    assert bad.returncode == 2
    assert "keine E-Mail-Adresse" in bad.stderr
    unknown_role = geo("user", "add", "--email", "a@b.de", "--role", "chef")
    assert unknown_role.returncode == 2
    assert "chef" in unknown_role.stderr
    added = geo("user", "add", "--email", "Koordination@Stadt.de", "--role", "coordinator,admin")
    assert added.returncode == 0, added.stderr
    code = added.stdout.split("Einmalcode: ")[1].split(" ")[0]
    register = store.Register(db)
    who = accounts.set_password_with_code(register, "koordination@stadt.de", code, "ein-gutes-passwort")
    assert who.roles == {"coordinator", "admin"}
    assert (
        accounts.login(register, "koordination@stadt.de", "ein-gutes-passwort").account_id == who.account_id
    )
    listed = geo("user", "list")
    assert "koordination@stadt.de\tadmin,coordinator\tactive" in listed.stdout
    # the last admin cannot be locked out
    refused = geo("user", "disable", "--email", "koordination@stadt.de")
    assert refused.returncode == 2
    assert "letzte aktive Admin" in refused.stderr
    geo("user", "add", "--email", "zweite@stadt.de", "--role", "admin")
    assert geo("user", "disable", "--email", "koordination@stadt.de").returncode == 0
    with pytest.raises(accounts.LoginError, match="gesperrt"):
        accounts.login(register, "koordination@stadt.de", "ein-gutes-passwort")
    out = tmp_path / "protokoll.csv"
    assert geo("audit", "--out", str(out)).returncode == 0
    log = out.read_text(encoding="utf-8")
    assert "account.create" in log
    assert "login" in log
    assert "ein-gutes-passwort" not in log
    assert code not in log
    register.close()


def test_retention_dry_run_then_apply(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date, timedelta

    from geo.register import store

    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    register = store.Register(db)
    gone = register.add_connector("Zzyzx Sentinel", "Deutsch", contact="zz@example.invalid", by=COORD)
    register.update_connector(gone, version=1, active=False, by=COORD)
    with register._tx() as s:  # left 400 days ago
        s.get(models.Connector, gone).left_on = date.today() - timedelta(days=400)  # type: ignore[union-attr]
    stays = register.add_connector("Noch Aktiv", "Deutsch", by=COORD)

    def geo(*args: str) -> subprocess.CompletedProcess[str]:
        """The command in this process (starting Python for each would cost half a minute)."""
        code = main([*args, "--db", db])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    smoke = subprocess.run(  # once as a real process, the way an operator runs it
        [sys.executable, "-m", "geo", "retention", "--db", db],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert smoke.returncode == 0, smoke.stderr
    assert f"#{gone}" in smoke.stdout
    dry = geo("retention")
    assert dry.returncode == 0, dry.stderr
    assert f"#{gone}" in dry.stdout
    assert "Probelauf: 1" in dry.stdout
    assert register.private_connectors(by=COORD)[0].display_name == "Zzyzx Sentinel"  # nothing erased yet
    assert geo("retention", "--apply").returncode == 0
    people = {c.id: c for c in register.private_connectors(by=COORD)}
    assert people[gone].display_name.startswith("gelöscht")
    assert people[gone].contact == ""
    assert people[stays].display_name == "Noch Aktiv"
    assert "Probelauf: 0" in geo("retention").stdout
    register.close()


@pytest.mark.real_data
def test_validate_json_keeps_its_contract_on_broken_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    disguised = tmp_path / "karte.geojson"  # a spreadsheet under a map's name
    shutil.copy(QUARTIERSATLAS, disguised)
    assert main(["validate", "--sozialraeume", str(disguised), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["usable"] is False
    assert "keine Geometrien" in out["errors"][0]["message"]
    empty_point = tmp_path / "wp.geojson"
    empty_point.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},"geometry":null}]}',
        encoding="utf-8",
    )
    args = ["validate", "--sozialraeume", str(SOZIALRAEUME), "--welcome-points", str(empty_point), "--json"]
    assert main(args) == 2
    assert "keine Geometrie (Zählung ab 1): 1" in json.loads(capsys.readouterr().out)["errors"][0]["message"]
    from geo.data import validate

    def broken(*a: object, **k: object) -> None:
        raise RuntimeError("fault of ours")

    monkeypatch.setattr(validate, "check_files", broken)
    assert main(["validate", "--sozialraeume", str(SOZIALRAEUME), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)  # still one JSON object on stdout
    assert out["errors"][0]["code"] == "internal"


def test_json_commands_print_one_object_on_every_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gaps --json`: a missing dataset and a full disk each give one JSON object with the error, exit 2."""
    code = main(
        ["gaps", "--data-dir", str(tmp_path / "fehlt"), "--json", "--db", f"sqlite:///{tmp_path / 'r.db'}"]
    )
    out = capsys.readouterr().out
    assert code == 2
    assert json.loads(out)["error"]["message"].startswith("Im Ordner")

    def disk_full(_folder: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dataset, "load_dataset", disk_full)
    code = main(["gaps", "--data-dir", str(tmp_path), "--json", "--db", f"sqlite:///{tmp_path / 'r.db'}"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 2
    assert payload["error"]["code"] == "os" and "No space left" in payload["error"]["message"]


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_impact_on_the_demo_reads_the_demo_register(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo dataset's programme year is in the demo register, seeded on first use as the app seeds it."""
    from datetime import date, timedelta

    from geo.output import programme_pdfs
    from geo.register import impact

    monkeypatch.setenv("SOZIALRAUM_DEMO_PROGRAMME", "1")  # as the app runs (conftest switches it off)
    seen: list[impact.Impact] = []
    report = programme_pdfs.impact_report

    def keep(result: impact.Impact, *args: Any, **kwargs: Any) -> bytes:
        seen.append(result)
        return report(result, *args, **kwargs)

    monkeypatch.setattr(programme_pdfs, "impact_report", keep)
    quarter = impact.quarter_of(date.today() - timedelta(days=92))  # the last whole quarter: in the demo year
    out = tmp_path / "wirkung.pdf"
    code = main(["impact", "--data-dir", str(demo_dir), "--quarter", quarter, "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    city = seen[0].city
    assert city["activities"] > 0 and city["participants"] > 0 and city["logged"] > 0, city
    assert set(seen[0].by_tandem["tandem"]) == {"Demo-Tandem Nord", "Demo-Tandem Süd"}
    assert "Demo-Tandem Nord" in _pdf_text(out)
    assert (tmp_path / "var" / "demo-register.sqlite").exists()
    assert not (tmp_path / "var" / "register.sqlite").exists()  # the real register is left alone


def test_backup_refuses_an_empty_register_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import zipfile

    out = tmp_path / "sicherung.zip"
    real = f"sqlite:///{tmp_path / 'var' / 'register.sqlite'}"
    assert main(["backup", "--out", str(out)]) == 2
    refused = capsys.readouterr()
    assert refused.out.splitlines() == [i18n.translate("cli.backup_of_real", "de", url=real)]
    assert refused.out.startswith("Gesichert wird das echte Register")
    sentence = i18n.translate("backup.empty_real", "de", url=real)
    assert refused.err == sentence + "\n"  # one sentence, no traceback
    assert "ist leer" in sentence and "--allow-empty" in sentence and "--demo" in sentence
    assert not out.exists()
    assert main(["backup", "--out", str(out), "--allow-empty"]) == 0, capsys.readouterr().err
    assert "Tabellenzeilen: 0" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert sum(t["rows"] for t in manifest["tables"].values()) == 0
    # its own audit entry does not make the register worth a backup
    assert main(["backup", "--out", str(tmp_path / "wieder.zip")]) == 2


def test_backup_with_demo_saves_the_demo_register_and_names_it(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import zipfile

    from geo.register import demo_register

    ids = sorted(dataset.load_dataset(demo_dir).spaces["sozialraum_id"])
    demo_register.seeded_register(ids).close()  # the day's work happened on the demo
    out = tmp_path / "demo.zip"
    assert main(["--lang", "en", "backup", "--out", str(out)]) == 2  # the real register: empty
    assert "--demo" in capsys.readouterr().err
    assert main(["--lang", "en", "backup", "--demo", "--out", str(out)]) == 0
    shown = f"sqlite:///{tmp_path / 'var' / 'demo-register.sqlite'}"
    assert capsys.readouterr().out.splitlines()[0] == f"Backing up the demo register: {shown}"
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tables"]["connector"]["rows"] == 4
    assert manifest["tables"]["account"]["rows"] == len(demo_register.DEMO_ACCOUNTS)
    assert manifest["datasets"] == []  # the demo's dataset is written again by `geo demo`
    with pytest.raises(SystemExit):  # one register or the other
        main(["backup", "--demo", "--db", f"sqlite:///{tmp_path / 'x.sqlite'}", "--out", str(out)])


def test_backup_names_a_postgresql_register_without_its_password(
    postgres_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import uuid

    import psycopg

    from geo.register import store

    name = f"backup_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        postgres_server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True
    ) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.replace("//postgres@", "//postgres:geheim-123@") + f"/{name}"  # trust: any password
    register = store.Register(url)
    register.add_connector("Jemand", "Deutsch", by=COORD)
    register.close()
    assert main(["backup", "--db", url, "--out", str(tmp_path / "pg.zip")]) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "geheim-123" not in printed
    assert printed.splitlines()[0] == f"Gesichert wird das echte Register: {url.replace('geheim-123', '***')}"


def test_export_brief_in_landscape(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader

    out = tmp_path / "lagebild.pdf"
    args = [
        "export",
        "--data-dir",
        str(demo_dir),
        "--format",
        "brief",
        "--view",
        "coverage",
        "--out",
        str(out),
    ]
    assert main([*args, "--orientation", "landscape"]) == 0, capsys.readouterr().err
    box = PdfReader(out).pages[0].mediabox
    assert box.width > box.height
    assert main(args) == 0, capsys.readouterr().err
    box = PdfReader(out).pages[0].mediabox
    assert box.width < box.height
