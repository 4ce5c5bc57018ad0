"""The knowledge pages through AppTest on the demo register: partners per role, debriefs, handover, Steckbrief."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.core.access import Principal
from geo.register import accounts, demo_register, partners, store
from geo.register.store import Register
from tests.conftest import log_in_here

APP = str(Path(__file__).resolve().parent.parent / "app.py")
#: The demo's invented contact people: never on a page for the public or a tandem that does not work with them.
DEMO_CONTACT = "Demo-Kontakt Leyla Beispiel"


def _app(monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SOZIALRAUM_DEMO_PROGRAMME", "1")
    return AppTest.from_file(APP, default_timeout=90)


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts).replace("\\", "")  # Markdown escapes out


def _in_form(elements: object, prefix: str) -> list:
    return [e for e in elements if e.proto.form_id.startswith(prefix)]  # type: ignore[attr-defined]


def test_the_public_sees_partners_and_offers_but_no_person(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/partners.py").run()
    assert not at.exception, [e.value for e in at.exception]
    text = _text(at)
    assert "Demo-Moscheeverein Am Markt" in text and "Hausaufgabenhilfe" in text
    assert DEMO_CONTACT not in text and "partner.invalid" not in text
    assert [t.label for t in at.tabs] == ["Alle Partner", "Austausch"]  # nothing to add without a login
    assert not [b for b in at.button if b.label.startswith("Geprüft")]


def test_a_connector_adds_a_partner_and_a_contact_and_stays_on_the_card(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    log_in_here(at, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    at.switch_page("app_pages/partners.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert DEMO_CONTACT in _text(at)  # a partner of her own tandem: she sees its contact person
    at.session_state["partners_panel"] = "new"
    at.run()
    form = "partners_form_new"
    fields = {t.label: t for t in _in_form(at.text_input, form)}
    fields["Name der Organisation"].set_value("Kulturverein Test")
    fields["Name des Angebots"].set_value("Nähcafé")
    fields["Sprachen"].set_value("Türkisch, Deutsch")
    fields["Straße und Hausnummer"].set_value("Teststraße 3")
    fields["Öffnungszeiten"].set_value("Di 10-12; Do 10:00-12:00")
    _in_form(at.button, form)[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("»Kulturverein Test« ist gespeichert" in s.value for s in at.success)
    assert at.session_state["partners_panel"] == "new"  # the person stays where they were
    register = Register(store.demo_database_url(), demo=True)
    (made,) = [p for p in partners.partners(register, by=Principal.cli()) if p.name == "Kulturverein Test"]
    assert [h.byday for h in made.places[0].hours] == ["TU", "TH"] and made.keeper_id is not None
    # a bad opening time is refused with a sentence, nothing stored
    fields = {t.label: t for t in _in_form(at.text_input, form)}
    fields["Name der Organisation"].set_value("Zweiter Verein")
    fields["Öffnungszeiten"].set_value("irgendwann")
    _in_form(at.button, form)[0].click().run()
    assert not at.exception and any("Öffnungszeit" in e.value for e in at.error)
    assert not [p for p in partners.partners(register) if p.name == "Zweiter Verein"]
    register.close()


def test_the_coordinator_may_import_and_the_connector_may_not(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    log_in_here(at, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    at.switch_page("app_pages/partners.py").run()
    at.session_state["partners_panel"] = "exchange"
    at.run()
    assert not at.exception
    assert not [b for b in at.button if b.label == "Einlesen"]
    assert not [b for b in at.button if b.key == "partners_contacts_prepare"]  # contact people: not hers
    at.button(key="partners_hsds_prepare").click().run()
    (offered,) = at.get("download_button")
    assert "HSDS" in offered.proto.label
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    log_in_here(at, "koordination@demo.invalid", demo_register.DEMO_PASSWORD)
    at.switch_page("app_pages/partners.py").run()
    at.session_state["partners_panel"] = "exchange"
    at.run()
    assert not at.exception
    assert [b for b in at.button if b.label == "Einlesen"]
    # a request for information from a partner's contact person: the coordination has the table, recorded
    at.button(key="partners_contacts_prepare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [d for d in at.get("download_button") if d.proto.label == "Kontaktpersonen (CSV)"]
    register = Register(store.demo_database_url(), demo=True)
    log = accounts.audit_log(register, by=Principal.cli(), action_prefix="partner.contacts_export")
    register.close()
    assert len(log) == 1


def test_a_connector_writes_a_debrief_and_the_steckbrief_shows_it(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    log_in_here(at, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    at.switch_page("app_pages/activities.py").run()
    at.session_state["activities_panel"] = "list"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    pick = at.selectbox(key="activities_pick")
    register = Register(store.demo_database_url(), demo=True)
    from geo.register import journal

    held = journal.activities(register, status="durchgefuehrt")
    own = {t.id for t in register.tandems() if t.name == "Demo-Tandem Süd"}
    newest = held[held["tandem_id"].isin(own)].sort_values("starts_at").iloc[-1]
    pick.set_value(int(newest["id"])).run()
    form = f"activities_debrief_{int(newest['id'])}"
    areas = _in_form(at.text_area, form)
    assert len(areas) == 2, "a held activity of her tandem offers the debrief"
    areas[0].set_value("Die Kinder haben die Bibliothek entdeckt.")
    _in_form(at.button, form)[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Rückblick" in s.value and "gespeichert" in s.value for s in at.success)
    assert at.session_state["activities_panel"] == "list"
    # the Steckbrief of that Sozialraum: what we know, for a logged-in connector
    at.switch_page("app_pages/explore.py").run()
    at.session_state["explore_selected"] = str(newest["sozialraum_id"])
    at.session_state["explore_panel"] = "profile"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Die Kinder haben die Bibliothek entdeckt" in _text(at)
    assert any(e.label.startswith("Was gut lief") for e in at.expander)
    at.button(key="explore_mappe_prepare").click().run()
    assert not at.exception
    assert len(at.get("download_button")) == 3  # the tandem's PDF and HTML, and the public PDF
    register.close()


def test_the_coordinator_hands_over_a_leaving_connectors_items(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    log_in_here(at, "koordination@demo.invalid", demo_register.DEMO_PASSWORD)
    at.switch_page("app_pages/tandems.py").run()
    at.session_state["tandems_panel"] = "handover"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Hana" in d.value.to_csv() for d in at.dataframe)  # the demo's completed handover
    person = at.selectbox(key="tandems_handover_person")
    register = Register(store.demo_database_url(), demo=True)
    amal = next(c.id for c in register.private_connectors(by=Principal.cli()) if "Amal" in c.display_name)
    person.set_value(amal).run()
    assert not at.exception, [e.value for e in at.exception]
    form = f"tandems_handover_{amal}"
    reason = next(s for s in _in_form(at.selectbox, form) if s.label == "Grund")
    reason.set_value("moved")
    _in_form(at.button, form)[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Übergabe abgeschlossen" in s.value for s in at.success)
    from geo.register import knowledge

    assert knowledge.orphaned(register) == []
    assert not next(c for c in register.private_connectors(by=Principal.cli()) if c.id == amal).active
    register.close()
