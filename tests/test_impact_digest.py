"""Impact figures against hand counts, the quarterly report without personal data, the agenda and decisions,
the weekly digest and concern notices through a local SMTP server, the demo programme year, the CLI."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from geo.core.access import Action, Principal
from geo.data import dataset
from geo.output import programme_pdfs
from geo.register import digest, impact, journal, models, programme
from geo.register.store import Register, RegisterError

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
IDS = {"011001", "011002", "012001"}
PLACES = pd.DataFrame(
    {
        "sozialraum_id": ["011001", "011002", "012001"],
        "name": ["Eins", "Zwei", "Drei"],
        "stadtbezirk": ["01", "01", "02"],
        "need_class": [1, 3, 1],
        "population": [1000, 3000, 1000],
    }
)
SENTINEL = "SENTINEL-Zuhal-Yilmaz"


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _backdate(register: Register, concern: int, when: list[datetime]) -> None:
    """Set a concern's creation and its history entries (oldest first) to the given times."""
    with register.write(Principal.cli(), Action.WRITE_REGISTER, "test.backdate") as tx:
        record = tx.session.get(models.Concern, concern)
        assert record is not None
        record.created_at = when[0]
        from sqlalchemy import select

        updates = tx.session.scalars(
            select(models.ConcernUpdate)
            .where(models.ConcernUpdate.concern_id == concern)
            .order_by(models.ConcernUpdate.id)
        )
        for update, at in zip(updates, when, strict=True):
            update.created_at = at


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[Register]:
    register = Register(f"sqlite:///{tmp_path}/r.sqlite")
    a = register.add_connector(SENTINEL, "Türkisch", by=COORD, contact="sentinel@example.org")
    b = register.add_connector("Bo", "Deutsch", by=COORD)
    tandem = register.create_tandem("Tandem Süd", [a, b], start=date(2025, 1, 1), by=COORD)
    register.assign(tandem, "011001", by=COORD, valid_from=date(2025, 1, 1), known_ids=IDS)
    for title, day, status, actual in (
        ("Quiz", datetime(2026, 1, 15, 18), "durchgefuehrt", 10),
        ("Rundgang", datetime(2026, 3, 20, 11), "durchgefuehrt", 5),
        ("Abgesagt", datetime(2026, 2, 1, 18), "abgesagt", None),
        ("April", datetime(2026, 4, 2, 18), "durchgefuehrt", 7),
    ):
        journal.add_activity(
            register, by=COORD, kind="quizabend", title=title, starts_at=day, sozialraum_id="011001",
            known_ids=IDS, status=status, tandem_id=tandem, actual=actual,
        )  # fmt: skip
    # A: logged 10 Jan, answered 20 Jan (10 days), resolved 1 Feb; B: logged 1 Feb, answered 1 Apr (Q2);
    # C: logged 1 Mar in two Sozialräume of two Bezirke, never answered
    a_id = journal.add_concern(
        register,
        journal.ConcernInput("A", sozialraum_ids=("011001",), tandem_id=tandem),
        by=COORD,
        known_ids=IDS,
    )
    journal.change_status(register, a_id, by=COORD, version=1, status="weitergeleitet", comment="ans Amt")
    journal.change_status(register, a_id, by=COORD, version=2, status="erledigt", comment="erledigt")
    _backdate(register, a_id, [datetime(2026, 1, 10), datetime(2026, 1, 20), datetime(2026, 2, 1)])
    b_id = journal.add_concern(
        register,
        journal.ConcernInput("B", sozialraum_ids=("011002",), tandem_id=tandem),
        by=COORD,
        known_ids=IDS,
    )
    journal.change_status(register, b_id, by=COORD, version=1, status="in_bearbeitung", comment="läuft")
    _backdate(register, b_id, [datetime(2026, 2, 1), datetime(2026, 4, 1)])
    c_id = journal.add_concern(
        register, journal.ConcernInput("C", sozialraum_ids=("011001", "012001")), by=COORD, known_ids=IDS
    )
    _backdate(register, c_id, [datetime(2026, 3, 1)])
    yield register
    register.close()


def test_impact_figures_against_hand_counts(reg: Register) -> None:
    ev = impact.events(reg, by=Principal.public())
    start, end = impact.quarter("2026-Q1")
    assert (start, end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert impact.quarter("2026-q4") == (date(2026, 10, 1), date(2026, 12, 31))
    with pytest.raises(RegisterError):
        impact.quarter("2026-Q5")
    result = impact.impact(ev, PLACES, start, end, tandem_names={1: "Tandem Süd"}, covered={"011001"})
    # held in Q1: Quiz and Rundgang (the cancelled one and April do not count); 10 + 5 participants
    assert result.city["activities"] == 2 and result.city["participants"] == 15
    # logged A, B, C (C once in the city's total); answered A only (B's answer is in Q2); resolved A
    assert (result.city["logged"], result.city["answered"], result.city["resolved"]) == (3, 1, 1)
    assert result.city["median_days"] == pytest.approx(10)
    spaces = result.by_sozialraum.set_index("sozialraum_id")
    assert spaces.loc["011001", ["activities", "logged", "answered", "resolved"]].tolist() == [
        2,
        2,
        1,
        1,
    ]  # A, C
    assert spaces.loc["011002", ["activities", "logged", "answered"]].tolist() == [0, 1, 0]  # B
    assert spaces.loc["012001", "logged"] == 1  # C counts in each of its Sozialräume
    bezirke = result.by_bezirk.set_index("stadtbezirk")
    assert bezirke.loc["01", ["activities", "logged"]].tolist() == [2, 3]  # A, B, C once
    assert bezirke.loc["02", ["activities", "logged"]].tolist() == [0, 1]
    tandems = result.by_tandem.set_index("tandem")
    assert tandems.loc["Tandem Süd", ["activities", "logged", "answered"]].tolist() == [
        2,
        2,
        1,
    ]  # C had no tandem
    need = result.by_need.set_index("need_class")
    # class 1: 011001 and 012001 (2,000 of 5,000 people), both activities, 3 of 4 concern entries
    assert need.loc[1, "sozialraeume"] == 2 and need.loc[1, "with_tandem"] == 1
    assert need.loc[1, "population_share"] == pytest.approx(0.4) and need.loc[1, "activity_share"] == 1.0
    assert need.loc[1, "concern_share"] == pytest.approx(0.75) and need.loc[
        3, "concern_share"
    ] == pytest.approx(0.25)
    shown = impact.need_view(result, "en").set_index("Need class")  # the page's and the PDF's table
    assert list(shown.columns)[-3:] == [
        "Share of inhabitants (%)",
        "Share of activities (%)",
        "Share of concerns (%)",
    ]
    first = shown.loc["1 – highest need"]
    assert first["Share of inhabitants (%)"] == pytest.approx(40) and first["Share of concerns (%)"] == 75
    q2 = impact.impact(ev, PLACES, *impact.quarter("2026-Q2"), tandem_names={}, covered=set())
    assert (q2.city["activities"], q2.city["answered"], q2.city["median_days"]) == (
        1,
        1,
        59,
    )  # B: 1 Feb → 1 Apr
    quarters = impact.by_quarter(ev).set_index("quarter")
    assert quarters.loc["2026-Q1", "activities"] == 2 and quarters.loc["2026-Q2", "answered"] == 1


def test_quarterly_report_has_no_personal_data(reg: Register, demo_dir: Path, tmp_path: Path) -> None:
    ev = impact.events(reg, by=Principal.public())
    data = dataset.load_dataset(demo_dir)
    result = impact.impact(
        ev, impact.places(data), *impact.quarter("2026-Q1"), tandem_names={1: "Tandem Süd"}
    )
    pdf = programme_pdfs.impact_report(result, impact.by_quarter(ev), data, label="2026-Q1")
    text = _pdf_text(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "Ergebnisse im Quartal 2026-Q1" in text and "Tandem Süd" in text and "Demo" in text
    assert SENTINEL not in text and "sentinel@example.org" not in text
    # the command line writes the same report
    from geo.__main__ import main

    out = tmp_path / "q1.pdf"
    assert (
        main(
            [
                "impact",
                "--quarter",
                "2026-Q1",
                "--data-dir",
                str(demo_dir),
                "--db",
                reg.url,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    cli_text = _pdf_text(out.read_bytes())
    assert "Ergebnisse im Quartal 2026-Q1" in cli_text and SENTINEL not in cli_text
    assert (
        main(
            [
                "impact",
                "--quarter",
                "Q1-2026",
                "--data-dir",
                str(demo_dir),
                "--db",
                reg.url,
                "--out",
                str(out),
            ]
        )
        == 2
    )


def test_certificate_on_the_command_line(reg: Register, tmp_path: Path) -> None:
    from geo.__main__ import main

    programme.record_hours(reg, 1, 1, by=COORD, minutes=120, prep_minutes=30)
    out = tmp_path / "nachweis.pdf"
    assert (
        main(
            [
                "certificate",
                "--connector",
                "1",
                "--from",
                "2026-01-01",
                "--to",
                "2026-03-31",
                "--out",
                str(out),
                "--db",
                reg.url,
            ]
        )
        == 0
    )
    text = _pdf_text(out.read_bytes())
    assert SENTINEL in text and "Insgesamt 2,5 Stunden bei 1 Aktivität" in text
    assert (
        main(
            [
                "certificate",
                "--connector",
                "99",
                "--from",
                "2026-01-01",
                "--to",
                "2026-03-31",
                "--out",
                str(out),
                "--db",
                reg.url,
            ]
        )
        == 2
    )


def test_agenda_and_a_meeting_decision_in_the_history(reg: Register) -> None:
    result = impact.agenda(reg, PLACES, by=COORD, today=date(2026, 4, 10))
    # open: B (last entry 1 Apr) and C (logged 1 Mar): C waited longest
    assert result.waiting["thema"].tolist() == ["C", "B"]
    assert result.waiting["waiting_days"].tolist() == [40, 9]
    assert result.gap_count == 1 and result.new_gaps.empty  # 012001 never had a tandem
    reg.end_assignment(1, by=COORD, version=1, valid_to=date(2026, 4, 1))
    moved = impact.agenda(reg, PLACES, by=COORD, today=date(2026, 4, 10))
    assert moved.new_gaps["sozialraum_id"].tolist() == ["011001"] and moved.gap_count == 2
    pdf = programme_pdfs.agenda(moved)
    assert "Tagesordnung" in _pdf_text(pdf) and len(PdfReader(io.BytesIO(pdf)).pages) == 1
    journal.record_decision(reg, 3, by=COORD, text="Dem Bezirksamt vorlegen.", meeting_on=date(2026, 4, 9))
    history = journal.history(reg, 3, by=COORD)
    assert history["kind"].tolist() == ["status", "beschluss"]
    assert history.iloc[-1]["comment"] == "Dem Bezirksamt vorlegen." and history.iloc[-1]["status"] == "offen"
    with pytest.raises(RegisterError):
        journal.record_decision(reg, 3, by=COORD, text="später", meeting_on=date.today() + timedelta(days=30))
    with pytest.raises(Exception, match=r"Berechtigung|angemeldet"):
        impact.agenda(reg, PLACES, by=Principal.public())


class _Inbox:
    """Messages the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []
        self.languages: dict[str, str] = {}  # recipient → Content-Language of the last message
        self.attachments: dict[str, list[tuple[str, bytes]]] = {}  # recipient → (file name, content)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 - aiosmtpd's API
        import email
        import email.policy

        message = email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[attr-defined]
        body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined]
        self.messages.append((list(envelope.rcpt_tos), f"{message['Subject']}\n{body}"))  # type: ignore[attr-defined]
        files = [(str(part.get_filename()), part.get_content()) for part in message.iter_attachments()]  # type: ignore[attr-defined]
        for to in envelope.rcpt_tos:  # type: ignore[attr-defined]
            self.languages[to] = str(message["Content-Language"])
            self.attachments[to] = files
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Inbox]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SOZIALRAUM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SOZIALRAUM_SMTP_PORT", str(port))
    monkeypatch.setenv("SOZIALRAUM_SMTP_FROM", "karte@stadt.example")
    monkeypatch.setenv("SOZIALRAUM_SMTP_SECURITY", "none")
    yield inbox
    controller.stop()


def _member_accounts(reg: Register) -> None:
    """Accounts for both members of Tandem Süd (the sentinel connector is Zuhal's record)."""
    from geo.register import accounts

    for connector, email in ((1, "zuhal@example.org"), (2, "bo@example.org")):
        accounts.create_account(
            reg, by=Principal.cli(), email=email, roles="connector", connector_id=connector
        )


def test_digest_and_notices_through_a_local_smtp_server(reg: Register, smtp: _Inbox) -> None:
    _member_accounts(reg)
    today = date.today()
    soon = datetime.combine(today + timedelta(days=3), datetime.min.time()) + timedelta(hours=18)
    journal.add_activity(
        reg, by=COORD, kind="quizabend", title="Quiz im Advent", starts_at=soon, sozialraum_id="011001",
        known_ids=IDS, tandem_id=1,
    )  # fmt: skip
    programme.set_engagement(
        reg, 1, by=COORD, version=0, planned_end=today + timedelta(days=20), set_end=True
    )
    journal.change_status(reg, 2, by=COORD, version=3, status="erledigt", comment="Die Ampel ist repariert.")
    sent = digest.send_digests(reg, by=COORD)
    assert sent.tandems == 1 and sent.messages == 2
    assert sorted(to for rcpt, _ in smtp.messages for to in rcpt) == ["bo@example.org", "zuhal@example.org"]
    mails = {rcpt[0]: text for rcpt, text in smtp.messages}
    for text in mails.values():
        assert text.startswith("Wochenüberblick Tandem Süd")
        assert "Quiz im Advent" in text and "Die Ampel ist repariert." in text
    assert "Ihr Engagement endet laut Plan" in mails["zuhal@example.org"]  # her own end only
    assert "Engagement endet" not in mails["bo@example.org"] and SENTINEL not in mails["bo@example.org"]
    # the concern's status change is a notice for the tandem, mailed once
    # every status change (A twice, B twice) is a notice for the tandem, newest first, mailed once
    assert digest.notices(reg, by=COORD)["concern_id"].tolist() == [2, 2, 1, 1]
    smtp.messages.clear()
    assert digest.tell_tandems(reg, by=COORD) is None
    assert len(smtp.messages) == 8 and all("Anliegen #" in text for _, text in smtp.messages)
    assert any("Anliegen #2" in text and "Die Ampel ist repariert." in text for _, text in smtp.messages)
    assert digest.mail_notices(reg, by=COORD) == 0  # nothing pending any more
    # the next digest counts answers since this one
    smtp.messages.clear()
    digest.send_digests(reg, by=COORD)
    assert all("seit" in text and "Die Ampel ist repariert." not in text for _, text in smtp.messages)
    log = __import__("geo.register.accounts", fromlist=["audit_log"]).audit_log(reg, by=Principal.cli())
    assert {"digest.send", "notice.mail"} <= set(log["action"])


def test_each_person_gets_mail_in_the_language_they_chose(
    reg: Register, smtp: _Inbox, tmp_path: Path
) -> None:
    from geo.core.access import AccessDeniedError
    from geo.register import accounts

    _member_accounts(reg)
    bo = accounts.principal_for(reg, 2)
    assert accounts.language_of(reg, by=bo) is None
    assert accounts.set_language(reg, "ar", by=bo) is True
    assert accounts.set_language(reg, "ar", by=bo) is False  # unchanged: no write, no audit entry
    assert accounts.language_of(reg, by=bo) == "ar"
    with pytest.raises(accounts.LoginError):
        accounts.set_language(reg, "xx", by=bo)
    with pytest.raises(AccessDeniedError):
        accounts.set_language(reg, "en", by=Principal.public())
    log = accounts.audit_log(reg, by=Principal.cli())
    assert (log["action"] == "account.language").sum() == 1
    programme.set_engagement(
        reg, 2, by=COORD, version=0, planned_end=date.today() + timedelta(days=20), set_end=True
    )
    journal.change_status(reg, 2, by=COORD, version=3, status="erledigt", comment="Die Ampel ist repariert.")
    digest.send_digests(reg, by=COORD)  # the sender's language (German) only where nobody chose one
    mails = {rcpt[0]: text for rcpt, text in smtp.messages}
    assert mails["zuhal@example.org"].startswith("Wochenüberblick Tandem Süd")
    assert mails["bo@example.org"].startswith("الملخص الأسبوعي Tandem Süd")
    assert "ينتهي تطوعك حسب الخطة" in mails["bo@example.org"]  # his own end, in his language
    assert smtp.languages == {"zuhal@example.org": "de", "bo@example.org": "ar"}
    smtp.messages.clear()
    digest.mail_notices(reg, by=COORD, lang="en")  # a sender in English: Zuhal chose nothing
    subjects = {(rcpt[0], text.splitlines()[0].split(":")[0]) for rcpt, text in smtp.messages}
    assert subjects == {("zuhal@example.org", "Concern #1"), ("zuhal@example.org", "Concern #2"),
                        ("bo@example.org", "المسألة #1"), ("bo@example.org", "المسألة #2")}  # fmt: skip
    demo_register = Register(f"sqlite:///{tmp_path}/demo.sqlite", demo=True)
    try:  # the demo's shared accounts keep no language
        assert accounts.set_language(demo_register, "en", by=bo) is False
    finally:
        demo_register.close()


def test_without_a_mail_server_the_digest_still_works(reg: Register, monkeypatch: pytest.MonkeyPatch) -> None:
    d = digest.digest(reg, 1, by=COORD)
    assert "Tandem Süd" in digest.render(d)[0]
    assert digest.tell_tandems(reg, by=COORD) is None  # nothing configured: nothing to do, no error
    with pytest.raises(digest.MailError):
        digest.send_digests(reg, by=COORD)
    monkeypatch.setenv("SOZIALRAUM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SOZIALRAUM_SMTP_PORT", "9")  # nobody listens: one sentence, nothing lost
    from geo.register import accounts

    accounts.create_account(
        reg, by=Principal.cli(), email="bo@example.org", roles="connector", connector_id=2
    )
    monkeypatch.setenv("SOZIALRAUM_SMTP_FROM", "karte@stadt.example")
    journal.change_status(reg, 2, by=COORD, version=3, status="erledigt", comment="fertig")
    problem = digest.tell_tandems(reg, by=COORD)
    assert problem is not None and "nicht angenommen" in problem.message()
    log = accounts.audit_log(reg, by=Principal.cli())
    assert "notice.mail" not in set(log["action"])  # nothing counts as mailed: the next run sends them
    with pytest.raises(Exception, match="Tandems"):
        digest.digest(reg, 1, by=Principal(label="x", roles=frozenset({"connector"}), account_id=None))


def test_demo_programme_year(tmp_path: Path, demo_dir: Path) -> None:
    from geo.register import demo_register

    register = Register(f"sqlite:///{tmp_path}/demo.sqlite", demo=True)
    ids = sorted(dataset.load_dataset(demo_dir).spaces["sozialraum_id"])
    assert demo_register.seed_register(register, ids)
    demo_register.seed_programme_year(register, ids, today=date(2026, 11, 23))
    by = Principal.cli()
    assert programme.hours(register, 1, by=by)["hours"].sum() > 20
    assert programme.journey(register, 1, by=by).ending_soon(date(2026, 11, 23))
    ev = impact.events(register, by=by)
    assert (ev.activities["status"] == "durchgefuehrt").sum() >= 40 and len(ev.concerns) == len(
        demo_register.DEMO_THEMES
    )
    assert ev.concerns["answered_at"].notna().sum() >= 3
    assert not digest.digest(register, 1, by=by, today=date(2026, 11, 23)).upcoming.empty
    with pytest.raises(ValueError, match="demo register"):
        demo_register.seed_programme_year(Register(f"sqlite:///{tmp_path}/real.sqlite"), ids)


def test_a_digest_with_open_proposals_carries_the_groups_agenda(reg: Register, smtp: _Inbox) -> None:
    from pypdf import PdfReader

    from geo.output import programme_pdfs
    from geo.register import accounts, decide, impact

    _member_accounts(reg)
    cem = reg.add_connector("Cem", "Deutsch", by=COORD)
    _id, code = accounts.create_account(
        reg, by=Principal.cli(), email="dritte@example.org", roles="connector", connector_id=cem
    )
    third = accounts.set_password_with_code(reg, "dritte@example.org", code, "ein-gutes-passwort")
    calls: list[str] = []

    def agenda(language: str) -> bytes:
        calls.append(language)
        return programme_pdfs.group_agenda(impact.group_agenda(reg, by=COORD), lang=language)

    digest.send_digests(reg, by=COORD, agenda=agenda)
    assert all(not files for files in smtp.attachments.values()) and not calls  # no proposal: no agenda
    decide.propose(reg, decide.ProposalInput(kind="activity", title="Sprachcafé am Dienstag"), by=third)
    digest.send_digests(reg, by=COORD, agenda=agenda)
    ((name, content),) = smtp.attachments["zuhal@example.org"]
    assert (
        name == digest.AGENDA_FILE
        and "Sprachcafé am Dienstag" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    )
    assert "hängt als PDF an" in smtp.messages[-1][1]
    assert calls == ["de"]  # made once per language, not once per person
