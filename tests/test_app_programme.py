"""The programme-year pages through AppTest, on the demo register with its synthetic programme year."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.core.access import Principal
from geo.register import demo_register, journal, store
from geo.register.store import Register
from tests.conftest import log_in_here

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _app(monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SOZIALRAUM_DEMO_PROGRAMME", "1")  # the demo register with its programme year
    return AppTest.from_file(APP, default_timeout=90)


def _login(at: AppTest, email: str) -> None:
    log_in_here(at, email, demo_register.DEMO_PASSWORD)


def _open(at: AppTest, name: str, panel: str) -> AppTest:
    """Open panel `panel` of the tabs `name` (only the open panel runs) and rerun."""
    at.session_state[f"{name}_panel"] = panel
    return at.run()


def _in_form(elements: object, prefix: str) -> list:
    return [e for e in elements if e.proto.form_id.startswith(prefix)]  # type: ignore[attr-defined]


def test_coordinator_sees_journeys_hours_meeting_and_records_a_decision(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    _login(at, "koordination@demo.invalid")
    at.switch_page("app_pages/programme.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.label for t in at.tabs] == [
        "Engagement",
        "Stunden und Nachweis",
        "Wochenüberblick",
        "Monatstreffen",
    ]
    person = at.selectbox(key="programme_person_journey_view")
    assert len(person.options) == 7  # four in tandems, one interested, one in training, one who left (alumna)
    person.set_value(1).run()  # Amal: her engagement ends in 45 days
    assert any("aktiv" in m.value for m in at.markdown)
    assert any(
        "Das Engagement endet laut Planung" in w.value for w in at.warning
    )  # the first connector's notice
    assert _in_form(at.button, "programme_status_")  # coordinators change the journey
    _open(at, "programme", "hours")
    at.selectbox(key="programme_person_hours_view").set_value(1).run()
    hours = next(m for m in at.metric if m.label == "Stunden im Zeitraum")
    assert float(hours.value.replace(",", ".")) > 0
    assert not at.get("download_button")  # documents are built only when asked for (≈1 s each)
    at.button(key="programme_cert_prepare").click().run()
    assert not at.exception
    (offered,) = at.get("download_button")  # the certificate is offered, and only it
    assert "Ehrenamtsnachweis" in offered.proto.label
    at.run()
    assert len(at.get("download_button")) == 1  # a rerun keeps it without building it again
    # the monthly meeting: a decision lands in the concern's history
    _open(at, "programme", "meeting")
    (text,) = _in_form(at.text_area, "programme_decision")
    text.set_value("Dem Bezirksamt vorlegen.")
    _in_form(at.button, "programme_decision")[0].click().run()
    assert not at.exception
    assert any("Beschluss steht jetzt im Verlauf" in s.value for s in at.success)
    register = Register(store.demo_database_url(), demo=True)
    decided = [
        i
        for i in journal.concerns(register, by=Principal.cli())["id"]
        if "Dem Bezirksamt vorlegen."
        in journal.history(register, int(i), by=Principal.cli())["comment"].tolist()
    ]
    assert len(decided) == 1
    register.close()


def test_connector_sees_only_their_own_record_and_records_hours(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    _login(at, "connector@demo.invalid")
    at.switch_page("app_pages/programme.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Monatstreffen" not in [t.label for t in at.tabs]
    assert list(at.selectbox(key="programme_person_journey_view").options) == [
        "Demo-Connectorin Amal"
    ]  # only their own
    assert not _in_form(at.button, "programme_status_") and not _in_form(at.button, "programme_end_")
    _open(at, "programme", "hours")
    activity = at.selectbox(key="programme_hours_activity_1")
    assert activity.options  # the activities of their own tandem that have begun
    (minutes, prep) = _in_form(at.number_input, "programme_hours_")
    minutes.set_value(150)
    prep.set_value(45)
    _in_form(at.button, "programme_hours_")[0].click().run()
    assert not at.exception and any("Gespeichert" in s.value for s in at.success)
    assert at.session_state["programme_panel"] == "hours"  # the person stays where they were
    assert [n.value for n in _in_form(at.number_input, "programme_hours_")] == [150, 45]  # what was saved


def test_impact_page_and_the_availability_check(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/impact.py").run()  # public: no personal data
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label for m in at.metric} >= {"Aktivitäten durchgeführt", "Anliegen erfasst"}
    assert not at.get("download_button")  # the quarterly report is built only when asked for
    at.button(key="impact_pdf_prepare").click().run()
    (report,) = at.get("download_button")
    assert "Quartalsbericht" in report.proto.label
    assert not any("Demo-Connector" in d.value.to_csv() for d in at.dataframe)  # tandems by name only
    _login(at, "koordination@demo.invalid")
    at.switch_page("app_pages/activities.py").run()
    tandem = next(s for s in _in_form(at.selectbox, "activities_new") if s.label == "Tandem")
    tandem.set_value(1)
    check = next(b for b in _in_form(at.button, "activities_new") if b.label == "Wer kann dann? prüfen")
    check.click().run()
    assert not at.exception
    said = [*(s.value for s in at.success), *(w.value for w in at.warning)]
    assert any("verfügbar" in x or "Zeiten" in x for x in said), said


def test_impact_figures_are_made_once_per_register_state_and_set_of_rights(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    """Issue 30: Wirkung's figures are shared by sessions with the same rights, and made anew after a write."""
    from geo.register import impact

    made: list[int] = []
    real = impact.impact

    def counting(ev: impact.Events, *args: object, **kwargs: object) -> impact.Impact:
        made.append(1)
        return real(ev, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(impact, "impact", counting)
    first = _app(monkeypatch, demo_dir, tmp_path)
    first.run()
    first.switch_page("app_pages/impact.py").run()
    assert not first.exception, [e.value for e in first.exception]
    shown = {m.label: m.value for m in first.metric}
    first.run()  # a click elsewhere on the page
    assert len(made) == 1
    second = _app(monkeypatch, demo_dir, tmp_path)  # another visitor: the public's figures, as they are
    second.run()
    second.switch_page("app_pages/impact.py").run()
    assert {m.label: m.value for m in second.metric} == shown
    assert len(made) == 1
    _login(second, "koordination@demo.invalid")  # other rights: figures of their own, never the public's
    second.switch_page("app_pages/impact.py").run()
    assert not second.exception
    assert len(made) == 2
    register = Register(store.demo_database_url(), demo=True)
    journal.add_concern(
        register, journal.ConcernInput("Bank fehlt", tandem_id=1), by=Principal.cli(), known_ids=set()
    )
    register.close()
    first.run()  # the register changed: made again, with the new concern
    assert len(made) == 3

    def logged(values: dict[str, object]) -> int:  # "1.234" as German writes it
        return int(str(values["Anliegen erfasst"]).replace(".", ""))

    assert logged({m.label: m.value for m in first.metric}) == logged(shown) + 1


def test_a_connector_is_told_on_the_concerns_page_when_a_status_changes(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    monkeypatch.setenv("SOZIALRAUM_DEMO_PROGRAMME", "0")  # a bare demo register: only this change is news
    at.run()
    _login(at, "connector@demo.invalid")
    register = Register(store.demo_database_url(), demo=True)
    concern = journal.add_concern(
        register,
        journal.ConcernInput("Licht am Spielplatz", tandem_id=1),
        by=Principal.cli(),
        known_ids=set(),
    )
    journal.change_status(
        register, concern, by=Principal.cli(), version=1, status="weitergeleitet", comment="Ans Gartenamt."
    )
    at.switch_page("app_pages/concerns.py").run()
    _open(at, "concerns", "mine")
    assert not at.exception
    assert any("Neu: 1 Anliegen mit neuem Stand" in i.value for i in at.info)
    assert any(":material/fiber_new:" in m.value and "Licht am Spielplatz" in m.value for m in at.markdown)
    at.button(key="concerns_seen").click().run()
    assert not any("Neu:" in i.value for i in at.info)
    register.close()
