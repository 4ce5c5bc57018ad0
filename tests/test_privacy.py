"""
Personal data of connectors: shown only to those allowed, in no public page or export, erasable, retained
no longer than the rule says, and available to the person as a file.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from geo.analysis.view import MapView
from geo.core.access import AccessDeniedError, Principal
from geo.core.tables import csv_bytes
from geo.data import dataset
from geo.output import dossier, export, formats
from geo.register import accounts, digest, hsds, journal, partners, privacy, store
from tests.conftest import log_in_here

APP = str(Path(__file__).resolve().parent.parent / "app.py")
CLI = Principal.cli()
PASSWORD = "ein-gutes-passwort"
NAME = "Zzyzx Sentinelperson"
EMAIL = "zzyzx.sentinel@example.invalid"
PHONE = "+49 211 5550199"
#: A partner's contact person: someone who never signed up (stored on consent, seen by Tandem Nord only).
CONTACT = "Qwxyv Partnerkontakt"
CONTACT_EMAIL = "qwxyv.kontakt@partner.invalid"
SENTINELS = (NAME, "Zzyzx", EMAIL, PHONE, "5550199", CONTACT, "Qwxyv", CONTACT_EMAIL)


def _account(register: store.Register, email: str, roles: str, connector: int | None = None) -> Principal:
    _id, code = accounts.create_account(register, by=CLI, email=email, roles=roles, connector_id=connector)
    return accounts.set_password_with_code(register, email, code, PASSWORD)


@pytest.fixture
def demo_register(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[store.Register, dict]]:
    """The demo register the app uses, with a sentinel connector (name, e-mail, phone) in a tandem."""
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    register = store.Register(store.demo_database_url(), demo=True)
    sentinel = register.add_connector(
        NAME, "Türkisch", by=CLI, contact=f"{EMAIL}, {PHONE}", home_sozialraum_id="011001"
    )
    other = register.add_connector("Omar", "Arabisch", by=CLI)
    third = register.add_connector("Lena", "Polnisch", by=CLI)
    fourth = register.add_connector("Kofi", "Englisch", by=CLI)
    tandem = register.create_tandem("Tandem Nord", [sentinel, other], by=CLI, start=date(2025, 1, 1))
    second = register.create_tandem("Tandem Süd", [third, fourth], by=CLI, start=date(2025, 1, 1))
    register.assign(tandem, "011001", by=CLI, valid_from=date(2025, 1, 1), known_ids={"011001"})
    people = {
        "sentinel": _account(register, EMAIL, "connector", sentinel),
        "connector": _account(register, "lena@stadt.invalid", "connector", third),
        "coordinator": _account(register, "koordination@stadt.invalid", "coordinator"),
        "admin": _account(register, "admin@stadt.invalid", "admin"),
        "ids": {"sentinel": sentinel, "tandem": tandem, "second": second},
    }
    journal.add_activity(
        register,
        by=people["sentinel"],
        kind="quizabend",
        title="Quiz",
        starts_at=datetime(2026, 12, 1, 19),
        sozialraum_id="011001",
        known_ids={"011001"},
        tandem_id=tandem,
        notes="Notiz mit Telefon " + PHONE,  # a person typed their number into a note
    )
    partner = partners.save_partner(
        register,
        partners.PartnerInput(
            name="Nachbarschaftsverein Nord",
            sozialraum_ids=("011001",),
            tandem_ids=(tandem,),
            keeper_id=other,
            offers=(partners.Offer(name="Sprachcafé", topic="sprache", languages="Türkisch"),),
            places=(partners.Place(street="Nordstraße 1", point=(51.2277, 6.7735)),),
        ),
        by=people["sentinel"],
        known_ids={"011001"},
    )
    partners.add_contact(
        register,
        partner,
        partners.Contact(
            name=CONTACT, email=CONTACT_EMAIL, phone=PHONE, basis="consent", consent_on=date(2026, 5, 1)
        ),
        by=people["sentinel"],
    )
    yield register, people
    register.close()


def _everything_shown(at: AppTest) -> str:
    """All text an AppTest run put on the page: Markdown, alerts, tables, metrics, map scripts."""
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "success", "warning", "error")
        for e in at.get(kind)
    ]
    parts += [str(e.value) for kind in ("title", "subheader", "metric") for e in at.get(kind)]
    parts += [d.value.to_csv() for d in at.dataframe] + [t.value.to_csv() for t in at.table]
    parts += [c.proto.json_args for c in at.get("component_instance")]
    parts += [c.proto.json + c.proto.bytes.decode("utf-8") for c in at.get("bidi_component")]
    parts += [str(o.options) for o in [*at.selectbox, *at.multiselect]]
    return "\n".join(parts)


@pytest.mark.parametrize("who", ["public", "connector"])
def test_the_sentinel_is_on_no_page_the_public_or_another_connector_sees(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path, demo_register: tuple, who: str
) -> None:
    _register, _people = demo_register
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(demo_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if who == "connector":
        log_in_here(at, "lena@stadt.invalid", PASSWORD)
        assert any("Angemeldet" in s.value for s in at.sidebar.success)
    seen = []
    for page in (
        "explore",
        "coverage",
        "tandems",
        "activities",
        "concerns",
        "partners",
        "group",
        "export",
        "data",
        "account",
    ):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, page
        seen.append(_everything_shown(at))
    shown = "\n".join(seen)
    assert "Tandem Nord" in shown  # the tandem is public
    for sentinel in SENTINELS:
        assert sentinel not in shown, sentinel


def test_exports_a_non_coordinator_can_make_carry_no_personal_data(
    demo_dir: Path, demo_register: tuple
) -> None:
    register, people = demo_register
    data = dataset.load_dataset(demo_dir)
    assignments = register.active_assignments()
    files = {
        "html": export.render(data, MapView(mode="abdeckung"), "html", assignments=assignments),
        "brief": export.render(data, MapView(mode="abdeckung"), "brief", assignments=assignments),
        "factsheet": export.render(
            data,
            MapView(mode="indikator"),
            "factsheet",
            assignments=assignments,
            sozialraum_id="011001",
            open_concerns=journal.open_concerns(register, "011001", by=people["connector"]),
        ),
        "register csv": b"".join(csv_bytes(f) for f in store.export_frames(register).values()),
        "ics (public)": formats.ics(register, people["ids"]["tandem"], by=Principal.public()),
        "ics (other tandem)": formats.ics(register, people["ids"]["tandem"], by=people["connector"]),
        "own data (other connector)": privacy.own_data_json(register, by=people["connector"]),
        "hsds package": hsds.package_zip(register, by=people["sentinel"]),
        "mappe (public)": dossier.html_page(data, register, "011001", by=people["sentinel"], public=True),
        "mappe pdf (public)": dossier.pdf(data, register, "011001", by=people["sentinel"], public=True),
        "mappe (other tandem)": dossier.html_page(data, register, "011001", by=people["connector"]),
        "digest (other tandem)": "\n".join(
            digest.render(digest.digest(register, people["ids"]["second"], by=people["connector"]))
        ).encode(),
    }
    for name, content in files.items():
        text = content.decode("utf-8", "replace")
        if content.startswith(b"%PDF"):
            text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
        if content.startswith(b"PK"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                text = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
        assert "Tandem Nord" in text or name.startswith(("own", "ics", "hsds", "mappe", "digest")), name
        if name.startswith(("hsds", "mappe")):
            assert "Nachbarschaftsverein Nord" in text, name  # the organisation is public
        for sentinel in SENTINELS:
            assert sentinel not in text, (name, sentinel)
    # the problem log export is for coordinators only
    with pytest.raises(AccessDeniedError):
        journal.concerns_frame(register, by=people["connector"])
    # the tandem's own members see their note in their calendar file
    assert PHONE in formats.ics(register, people["ids"]["tandem"], by=people["sentinel"]).decode()


def test_own_data_as_a_file(demo_register: tuple) -> None:
    register, people = demo_register
    mine = json.loads(privacy.own_data_json(register, by=people["sentinel"]))
    assert mine["konto"]["email"] == EMAIL
    assert mine["connector"]["name"] == NAME
    assert PHONE in mine["connector"]["kontakt"]
    assert [t["name"] for t in mine["tandems"]] == ["Tandem Nord"]
    assert PASSWORD not in json.dumps(mine)
    assert "$argon2" not in json.dumps(mine)
    log = accounts.audit_log(register, by=CLI)
    assert "personal_data.export" in set(log["action"])  # the export itself is recorded
    with pytest.raises(AccessDeniedError):
        privacy.own_data(register, by=Principal.public())


def test_a_connector_corrects_only_their_own_record(demo_register: tuple) -> None:
    register, people = demo_register
    me = register.own_connector(by=people["sentinel"])
    assert me is not None
    assert me.display_name == NAME
    register.update_connector(
        me.id, by=people["sentinel"], version=me.version, languages="Türkisch, Kurdisch"
    )
    assert register.own_connector(by=people["sentinel"]).languages == ("Türkisch", "Kurdisch")  # type: ignore[union-attr]
    lena = register.own_connector(by=people["connector"])
    assert lena is not None
    with pytest.raises(AccessDeniedError):  # someone else's record
        register.update_connector(lena.id, by=people["sentinel"], version=lena.version, contact="x")
    with pytest.raises(AccessDeniedError):  # and not whether one is active
        register.update_connector(me.id, by=people["sentinel"], version=me.version + 1, active=False)


def test_erasure_keeps_the_tandem_and_leaves_no_trace_in_the_audit_log(demo_register: tuple) -> None:
    register, people = demo_register
    sentinel = people["ids"]["sentinel"]
    journal.add_concern(
        register,
        journal.ConcernInput(thema="Ampel", sozialraum_ids=("011001",), tandem_id=people["ids"]["tandem"]),
        by=people["sentinel"],
        known_ids={"011001"},
    )
    with pytest.raises(AccessDeniedError):
        privacy.erase_connector(register, sentinel, by=people["connector"])
    privacy.erase_connector(register, sentinel, by=people["coordinator"])
    record = next(c for c in register.private_connectors(by=people["coordinator"]) if c.id == sentinel)
    assert record.display_name == f"gelöscht #{sentinel}"
    assert (record.contact, record.home_sozialraum_id, record.languages, record.active) == (
        "",
        None,
        (),
        False,
    )
    (tandem,) = [t for t in register.tandems() if t.id == people["ids"]["tandem"]]
    assert sentinel in tandem.member_ids  # the tandem keeps its shape
    concerns = journal.concerns(register, by=people["coordinator"])
    assert concerns["tandem"].tolist() == ["Tandem Nord"]  # concerns keep only the tandem name
    with pytest.raises(accounts.LoginError):  # the account is gone with the address
        accounts.login(register, EMAIL, PASSWORD)
    log = accounts.audit_csv(register, by=people["coordinator"], csv=csv_bytes).decode("utf-8")
    assert "connector.erase" in log
    for value in SENTINELS:
        assert value not in log, value
    assert accounts.principal_for(register, people["sentinel"].account_id).is_public


def test_retention_erases_only_who_left_long_enough_ago(
    demo_register: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    register, people = demo_register
    monkeypatch.setenv("SOZIALRAUM_RETENTION_DAYS", "30")
    coordinator = people["coordinator"]
    me = register.own_connector(by=people["sentinel"])
    assert me is not None
    register.update_connector(me.id, by=coordinator, version=me.version, active=False)  # left today
    assert privacy.retention_due(register, by=coordinator) == []
    later = date.today() + timedelta(days=31)
    due = privacy.retention_due(register, by=coordinator, today=later)
    assert [c.connector_id for c in due] == [me.id]
    with pytest.raises(AccessDeniedError):
        privacy.apply_retention(register, by=people["connector"], today=later)
    assert privacy.apply_retention(register, by=coordinator, today=later) == [me.id]
    assert privacy.retention_due(register, by=coordinator, today=later) == []
    names = {c.id: c.display_name for c in register.private_connectors(by=coordinator)}
    assert names[me.id].startswith("gelöscht")
    assert "Omar" in names.values()  # active people stay
