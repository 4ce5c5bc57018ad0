"""The start page per person (`geo.register.start`): counted by hand on a small register, and on the demo year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from geo.core.access import Principal
from geo.data import dataset
from geo.register import accounts, demo_register, impact, journal, programme, start, store
from geo.register.store import Register

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
IDS = {"011001", "011002", "011003", "011004"}
TODAY = date(2026, 3, 10)


def _account(register: Register, connector_id: int | None, role: str, email: str) -> Principal:
    account, _code = accounts.create_account(
        register, by=Principal.cli(), email=email, roles=role, connector_id=connector_id
    )
    return accounts.principal_for(register, account)


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[Register]:
    register = Register(f"sqlite:///{tmp_path}/r.sqlite")
    yield register
    register.close()


def _places() -> pd.DataFrame:
    """Four Sozialräume: two of the highest need, one of class 2, one of class 5."""
    return pd.DataFrame(
        {
            "sozialraum_id": ["011001", "011002", "011003", "011004"],
            "name": ["Eins", "Zwei", "Drei", "Vier"],
            "stadtbezirk": ["1"] * 4,
            "population": [1000.0, 3000.0, 2000.0, 500.0],
            "need_class": [1, 1, 2, 5],
        }
    )


def _world(register: Register) -> dict[str, object]:
    ana = register.add_connector("Ana", "Spanisch", by=COORD)
    omar = register.add_connector("Omar", "Arabisch", by=COORD)
    lea = register.add_connector("Lea", "Türkisch", by=COORD)
    kim = register.add_connector("Kim", "Koreanisch", by=COORD)
    sued = register.create_tandem("Tandem Süd", [ana, omar], start=date(2025, 1, 1), by=COORD)
    nord = register.create_tandem("Tandem Nord", [lea, kim], start=date(2025, 1, 1), by=COORD)
    register.assign(sued, "011002", by=COORD, valid_from=date(2025, 1, 1), known_ids=IDS)
    register.assign(sued, "011001", by=COORD, valid_from=date(2025, 1, 1), known_ids=IDS)
    register.assign(nord, "011004", by=COORD, valid_from=date(2025, 1, 1), known_ids=IDS)
    acts = {}
    for title, when, status, tandem in (
        ("Quiz", datetime(2026, 3, 1, 18), "durchgefuehrt", sued),  # held, Ana enters her hours below
        ("Rundgang", datetime(2026, 3, 5, 11), "durchgefuehrt", sued),  # held, no hours yet: due
        ("Abgesagt", datetime(2026, 3, 6, 18), "abgesagt", sued),  # cancelled: never due
        ("Alt", datetime(2026, 1, 2, 18), "durchgefuehrt", sued),  # older than 30 days: not due
        ("Fest", datetime(2026, 3, 12, 17), "geplant", sued),  # coming
        ("Idee", datetime(2026, 3, 20, 17), "idee", sued),  # coming
        ("Weit", datetime(2026, 5, 1, 17), "geplant", sued),  # beyond 14 days
        ("Nord", datetime(2026, 3, 11, 17), "geplant", nord),  # another tandem's
    ):
        acts[title] = journal.add_activity(
            register,
            by=COORD,
            kind="quizabend",
            title=title,
            starts_at=when,
            ends_at=when + timedelta(hours=2),
            sozialraum_id="011001",
            known_ids=IDS,
            status=status,
            tandem_id=tandem,
        )
    ana_p = _account(register, ana, "connector", "ana@example.org")
    programme.record_hours(register, acts["Quiz"], ana, by=ana_p, minutes=90, prep_minutes=30)
    old = journal.add_concern(
        register, journal.ConcernInput(thema="Ampel", tandem_id=sued), by=ana_p, known_ids=IDS
    )
    newer = journal.add_concern(
        register, journal.ConcernInput(thema="Spielplatz", tandem_id=sued), by=ana_p, known_ids=IDS
    )
    answered = journal.add_concern(
        register, journal.ConcernInput(thema="Licht", tandem_id=sued), by=ana_p, known_ids=IDS
    )
    version = journal.concerns(register, by=COORD).set_index("id").loc[answered, "version"]
    journal.change_status(
        register, answered, by=COORD, version=int(version), status="weitergeleitet", comment="ans Amt"
    )
    return {"ana": ana, "lea": lea, "sued": sued, "nord": nord, "acts": acts, "ana_p": ana_p,
            "concerns": (old, newer, answered)}  # fmt: skip


def test_public_start_reads_nothing(reg: Register) -> None:
    s = start.start(None, _places(), by=Principal.public(), today=TODAY)
    assert s.kind == "public" and not s.tandems and s.due_count == 0
    assert [step.key for step in s.steps] == ["map", "nearby", "concerns"]
    assert start.start(reg, _places(), by=Principal.public(), today=TODAY).kind == "public"


def test_connector_start_counted_by_hand(reg: Register) -> None:
    w = _world(reg)
    ana_p = w["ana_p"]
    assert isinstance(ana_p, Principal)
    s = start.start(reg, _places(), by=ana_p, today=TODAY)
    assert s.kind == "connector" and s.name == "Ana"  # greeted by the name in the register
    assert [(t.name, t.sozialraum_ids) for t in s.tandems] == [("Tandem Süd", ("011001", "011002"))]
    assert s.sozialraum_ids == ("011001", "011002")
    assert list(s.upcoming["title"]) == ["Fest", "Idee"]  # not the other tandem's, not beyond 14 days
    assert list(s.hours_due["title"]) == ["Rundgang"]  # Quiz has hours, Abgesagt cancelled, Alt too old
    assert list(s.news["thema"]) == ["Licht"]  # the one answered concern, once
    assert s.ending is None
    assert [step.key for step in s.steps] == ["concern", "activity", "hours"]
    assert s.waiting.empty and s.gaps.empty  # a coordinator's lists are not read for a connector


def test_connector_engagement_ending_is_due(reg: Register) -> None:
    w = _world(reg)
    ana_p = w["ana_p"]
    assert isinstance(ana_p, Principal)
    version = programme.journey(reg, int(w["ana"]), by=COORD).version  # type: ignore[call-overload]
    programme.set_engagement(
        reg, int(w["ana"]), by=COORD, version=version, planned_end=TODAY + timedelta(days=20), set_end=True
    )  # type: ignore[call-overload]
    s = start.start(reg, _places(), by=ana_p, today=TODAY)
    assert s.ending == TODAY + timedelta(days=20)
    assert s.due_count == 2  # the hours for the Rundgang and the ending engagement


def test_connector_without_tandem_is_sent_to_the_map(reg: Register) -> None:
    w = _world(reg)
    alone = reg.add_connector("Neu", "Farsi", by=COORD)  # in no tandem
    who = _account(reg, alone, "connector", "neu@example.org")
    s = start.start(reg, _places(), by=who, today=TODAY)
    assert s.kind == "connector" and not s.tandems and s.upcoming.empty and s.hours_due.empty
    assert [step.key for step in s.steps] == ["map"]
    assert w["sued"]


def test_coordinator_start_counted_by_hand(reg: Register) -> None:
    w = _world(reg)
    coord = _account(reg, None, "coordinator", "koord@example.org")
    s = start.start(reg, _places(), by=coord, today=TODAY)
    assert s.kind == "coordinator"
    old, newer, _answered = w["concerns"]  # type: ignore[misc]
    assert list(s.waiting["concern_id"]) == [old, newer]  # oldest first; the answered one is not waiting
    assert s.waiting_count == 2
    # 011001/011002 (class 1) have Tandem Süd; 011003 (class 2) has nobody; 011004 is class 5
    assert list(s.gaps["sozialraum_id"]) == ["011003"] and s.gap_count == 1
    assert s.last_meeting is None
    assert [step.key for step in s.steps] == ["answer", "gaps", "agenda"]


def test_demo_year_start_per_demo_account(tmp_path: Path, demo_dir: Path) -> None:
    register = Register(f"sqlite:///{tmp_path}/demo.sqlite", demo=True)
    data = dataset.load_dataset(demo_dir)
    ids = sorted(data.spaces["sozialraum_id"])
    assert demo_register.seed_register(register, ids)
    today = date(2026, 11, 23)
    demo_register.seed_programme_year(register, ids, today=today)
    places = impact.places(data)
    connector = accounts.login(register, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    s = start.start(register, places, by=connector, today=today)
    assert s.kind == "connector" and s.tandems and s.sozialraum_ids
    assert not s.upcoming.empty  # the demo year plans activities after `today`
    coordinator = accounts.login(register, "koordination@demo.invalid", demo_register.DEMO_PASSWORD)
    c = start.start(register, places, by=coordinator, today=today)
    assert c.kind == "coordinator" and c.gap_count > 0
    assert c.last_meeting is not None  # the demo records a meeting's decision
    register.close()


# --- the start page through AppTest ----------------------------------------------------------------------

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _app(monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path) -> object:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SOZIALRAUM_DEMO_PROGRAMME", "1")
    return AppTest.from_file(APP, default_timeout=90)


def _login_here(at: object, email: str) -> None:
    at.text_input(key="start_login_email").set_value(email)  # type: ignore[attr-defined]
    at.text_input(key="start_login_password").set_value(demo_register.DEMO_PASSWORD)  # type: ignore[attr-defined]
    next(b for b in at.button if b.proto.form_id == "start_login").click().run()  # type: ignore[attr-defined]


def _buttons(at: object) -> dict[str, object]:
    return {b.key: b for b in at.button if b.key}  # type: ignore[attr-defined]


def test_start_page_per_role(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    from geo.core import i18n

    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()  # type: ignore[attr-defined]
    assert not at.exception  # type: ignore[attr-defined]
    assert at.title[0].value == i18n.translate("start.title_public", "de")  # type: ignore[attr-defined]
    assert {"start_do_map", "start_do_nearby", "start_do_concerns"} <= set(_buttons(at))
    assert {f"start_lang_{code}" for code in i18n.LANGUAGES} <= set(_buttons(at))  # each by its own name
    assert _buttons(at)["start_lang_ar"].label == "العربية"  # type: ignore[attr-defined]
    _login_here(at, "connector@demo.invalid")  # logging in on the start page changes the screen
    assert not at.exception  # type: ignore[attr-defined]
    assert at.title[0].value.startswith("Hallo")  # type: ignore[attr-defined]
    texts = " ".join(m.value for m in at.markdown).replace("\\", "")  # type: ignore[attr-defined]
    assert "Demo-Tandem Süd" in texts
    assert {"start_do_concern", "start_do_activity", "start_do_hours"} <= set(_buttons(at))
    _buttons(at)["start_do_concern"].click().run()  # type: ignore[attr-defined]
    assert at.session_state["concerns_panel"] == "new"  # type: ignore[attr-defined]
    assert at.title[0].value == i18n.translate("concerns.title", "de")  # type: ignore[attr-defined]


def test_start_page_of_a_coordinator_opens_the_oldest_concern(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    from geo.core import i18n

    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()  # type: ignore[attr-defined]
    _login_here(at, "koordination@demo.invalid")
    assert not at.exception  # type: ignore[attr-defined]
    headers = [h.value for h in at.subheader]  # type: ignore[attr-defined]
    assert i18n.translate("start.waiting", "de") in headers and i18n.translate("start.gaps", "de") in headers
    register = Register(store.demo_database_url(), demo=True)
    places = impact.places(dataset.load_dataset(demo_dir))
    coordinator = accounts.login(register, "koordination@demo.invalid", demo_register.DEMO_PASSWORD)
    expected = start.start(register, places, by=coordinator)
    register.close()
    _buttons(at)["start_do_answer"].click().run()  # type: ignore[attr-defined]
    assert at.session_state["concerns_panel"] == "all"  # type: ignore[attr-defined]
    if not expected.waiting.empty:
        assert at.selectbox(key="concerns_pick").value == int(expected.waiting["concern_id"].iloc[0])  # type: ignore[attr-defined]
