"""Mitentscheiden through AppTest on the demo register: the public, a connector, a moderator, the coordination."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.core.access import Principal
from geo.register import accounts, decide, demo_register, store
from geo.register.store import Register
from tests.conftest import log_in_here

APP = str(Path(__file__).resolve().parent.parent / "app.py")
CLI = Principal.cli()


def _app(monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    return AppTest.from_file(APP, default_timeout=90)


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def _in_form(elements: object, prefix: str) -> list:
    return [e for e in elements if e.proto.form_id.startswith(prefix)]  # type: ignore[attr-defined]


def _demo_connector(register: Register) -> int:
    (account,) = [a for a in accounts.accounts(register, by=CLI) if a.email == "connector@demo.invalid"]
    assert account.connector_id is not None
    return account.connector_id


def test_a_connector_proposes_and_supports_and_the_public_sees_no_name(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/group.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.label for t in at.tabs] == ["Was daraus wurde"]  # the public: only what came of it
    log_in_here(at, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    at.switch_page("app_pages/group.py").run()
    assert [t.label for t in at.tabs] == [
        "Vorschläge",
        "Beschlüsse",
        "Befragungen",
        "Gewählt",
        "Was daraus wurde",
    ]
    at.session_state["group_panel"] = "proposals"  # the panel open before the login stays open
    at.run()
    form = "group_new_"
    _in_form(at.text_input, form)[0].set_value("Mehr Licht am Spielplatz")
    _in_form(at.text_area, form)[0].set_value("Im Winter ist es um fünf dunkel.")
    _in_form(at.button, form)[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("»Mehr Licht am Spielplatz« ist vorgeschlagen" in s.value for s in at.success)
    assert at.session_state["group_panel"] == "proposals"  # she stays where she was
    assert _in_form(at.text_input, form)[0].value == ""  # an empty form, not the last one to send again
    register = Register(store.demo_database_url(), demo=True)
    (pid,) = decide.proposals(register, by=CLI)["id"]
    at.button(key=f"group_support_{pid}").click().run()
    assert not at.exception
    assert decide.proposals(register, by=CLI).set_index("id").at[pid, "supports"] == 1
    register.close()
    assert "1 Unterstützung" in _text(at)


def test_a_moderator_records_a_meeting_and_a_consent_decision(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()  # the app seeds the demo register
    register = Register(store.demo_database_url(), demo=True)
    me = _demo_connector(register)
    decide.record_election(register, me, "moderator", by=CLI, valid_from=date(2026, 1, 1))
    group = decide.members(register, by=CLI)
    register.close()
    log_in_here(at, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    at.switch_page("app_pages/group.py").run()
    at.session_state["group_panel"] = "decisions"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    present = _in_form(at.multiselect, "group_meeting")[0]
    present.set_value(list(group))  # sent with the form's button, as a browser does
    _in_form(at.button, "group_meeting")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Das Treffen am" in s.value for s in at.success)
    at.radio(key="group_decision_method").set_value("consent").run()
    _in_form(at.text_input, "group_decision")[0].set_value("Sommerfest im Park")
    _in_form(at.button, "group_decision")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = [s.value for s in at.success] + [e.value for e in at.error]
    assert any("Der Beschluss ist gespeichert: angenommen" in s for s in said), said
    at.button(key="group_agenda_prepare").click().run()  # the group's agenda, made by its moderator
    assert not at.exception, [e.value for e in at.exception]
    assert [d for d in at.get("download_button") if d.proto.label == "Tagesordnung der Gruppe (PDF)"]
    assert "Sommerfest im Park" in _text(at)


def test_a_connector_sees_the_flyer_a_consultation_asks_about(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    import io

    from PIL import Image

    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()  # the demo register is seeded
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), "#2b6cb0").save(picture, format="PNG")
    register = Register(store.demo_database_url(), demo=True)
    coordinator = accounts.login(register, "koordination@demo.invalid", demo_register.DEMO_PASSWORD)
    decide.open_consultation(
        register,
        "Passt das Bild zum Familientag?",
        by=coordinator,
        deadline=date.today(),
        attachment=decide.Attachment("bild.png", picture.getvalue()),
    )
    register.close()
    log_in_here(at, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    at.switch_page("app_pages/group.py").run()
    at.session_state["group_panel"] = "consultations"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Passt das Bild zum Familientag?" in _text(at)
    assert len(at.get("image")) == 1  # the picture shows on the page
    labels = [b.proto.label.replace("\\", "") for b in at.get("download_button")]
    assert "Datei ansehen: bild.png" in labels, labels
