"""
The connectors decide (issue 28, the core in `geo/register/decide.py`): the three methods computed by hand on crafted
inputs, group roles with terms, proposals and supports, meetings with a quorum, the city's answer flowing
back to the proposal, its concerns and the digest, consultations, and "you said, we did" without names.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from geo.__main__ import main
from geo.core.access import AccessDeniedError, Action, Principal
from geo.output import minutes
from geo.register import accounts, decide, digest, journal, privacy
from geo.register.store import Register, RegisterError

CLI = Principal.cli()
PASSWORD = "ein-gutes-passwort"
IDS = {"011001", "037001"}


# --- the methods, by hand ---------------------------------------------------------------------------------


def test_systemic_consensing_takes_the_least_total_resistance() -> None:
    # three people, three options; totals by hand: A 2+8+5=15, B 4+1+3=8, C 0+9+9=18 -> B
    outcome = decide.consensing({"A": {1: 2, 2: 8, 3: 5}, "B": {1: 4, 2: 1, 3: 3}, "C": {1: 0, 2: 9, 3: 9}})
    assert outcome.winners == ("B",) and not outcome.tie and outcome.adopted
    assert outcome.totals == {"A": 15, "B": 8, "C": 18}


def test_systemic_consensing_names_a_tie_as_a_tie() -> None:
    outcome = decide.consensing({"Park": {1: 3, 2: 4}, "Bücherei": {1: 6, 2: 1}, "Nichts": {1: 10, 2: 10}})
    assert outcome.totals == {"Park": 7, "Bücherei": 7, "Nichts": 20}
    assert outcome.tie and set(outcome.winners) == {"Park", "Bücherei"} and not outcome.adopted


def test_consensing_refuses_values_out_of_range_and_gaps() -> None:
    with pytest.raises(RegisterError) as high:
        decide.consensing({"A": {1: 11}})
    assert high.value.key == "decide.resistance_range"
    with pytest.raises(RegisterError) as gap:
        decide.consensing({"A": {1: 2, 2: 3}, "B": {1: 4}})
    assert gap.value.key == "decide.resistance_missing"


def test_consent_passes_without_a_serious_objection_only() -> None:
    assert decide.consent({1: False, 2: False, 3: False}, "Sommerfest").adopted
    blocked = decide.consent({1: False, 2: True, 3: False}, "Sommerfest")
    assert not blocked.adopted and blocked.totals == {"Sommerfest": 1} and blocked.winners == ()


def test_simple_majority_counts_yes_against_no_and_names_a_tie() -> None:
    assert decide.majority({1: "yes", 2: "yes", 3: "no", 4: "abstain"}).adopted
    tie = decide.majority({1: "yes", 2: "no", 3: "abstain"})
    assert tie.tie and not tie.adopted and tie.totals == {"yes": 1, "no": 1}
    election = decide.majority({1: "Amal", 2: "Bora", 3: "Amal"}, ("Amal", "Bora"))
    assert election.winners == ("Amal",) and election.totals == {"Amal": 2, "Bora": 1}


# --- the group in a register -------------------------------------------------------------------------------


@dataclass
class Group:
    register: Register
    a: int
    b: int
    c: int
    tandem: int
    concern: int
    alice: Principal  # connector a
    bora: Principal  # connector b
    chiara: Principal  # connector c
    coordinator: Principal


def _account(register: Register, email: str, roles: str, connector: int | None = None) -> Principal:
    _id, code = accounts.create_account(register, by=CLI, email=email, roles=roles, connector_id=connector)
    return accounts.set_password_with_code(register, email, code, PASSWORD)


@pytest.fixture
def group(register_url: str) -> Iterator[Group]:
    register = Register(register_url)
    a, b, c = (register.add_connector(n, "Deutsch", by=CLI) for n in ("Alice", "Bora", "Chiara"))
    tandem = register.create_tandem("Tandem Nord", [a, b], by=CLI, start=date(2025, 1, 1))
    register.assign(tandem, "011001", by=CLI, valid_from=date(2025, 1, 1), known_ids=IDS)
    concern = journal.add_concern(
        register,
        journal.ConcernInput(thema="Spielplatz ohne Licht", sozialraum_ids=("011001",), tandem_id=tandem),
        by=CLI,
        known_ids=IDS,
    )
    yield Group(
        register,
        a,
        b,
        c,
        tandem,
        concern,
        _account(register, "alice@stadt.invalid", "connector", a),
        _account(register, "bora@stadt.invalid", "connector", b),
        _account(register, "chiara@stadt.invalid", "connector", c),
        _account(register, "koordination@stadt.invalid", "coordinator"),
    )
    register.close()


def _reload(g: Group, who: Principal) -> Principal:
    with g.register.read() as s:
        return g.register.current(s, who)


def test_only_an_elected_moderator_in_office_records_a_meeting(group: Group) -> None:
    g = group
    with pytest.raises(AccessDeniedError):  # nobody gives themselves a role
        decide.record_election(g.register, g.a, "moderator", by=g.alice, valid_from=date(2026, 1, 1))
    with pytest.raises(AccessDeniedError):  # a connector without the term cannot record a meeting
        decide.record_meeting(g.register, date(2026, 11, 5), [g.a, g.b], by=g.alice)
    decide.record_election(
        g.register,
        g.a,
        "moderator",
        by=g.coordinator,
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
    )
    alice = _reload(g, g.alice)
    assert alice.group_roles == frozenset({"moderator"}) and alice.may(Action.RUN_MEETING)
    meeting = decide.record_meeting(g.register, date(2026, 11, 5), [g.a, g.b], by=g.alice, quorum=2)
    assert meeting > 0
    with pytest.raises(AccessDeniedError):  # the coordination does not run the group's meeting
        decide.record_meeting(g.register, date(2026, 11, 6), [g.a, g.b], by=g.coordinator)
    # a term that ended takes the right with it
    decide.record_election(
        g.register,
        g.b,
        "moderator",
        by=g.coordinator,
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
    )
    assert not _reload(g, g.bora).may(Action.RUN_MEETING)
    held = decide.terms(g.register, by=g.chiara)
    assert set(zip(held["name"], held["current"], strict=True)) == {("Alice", True), ("Bora", False)}
    with pytest.raises(AccessDeniedError):  # who holds a role is the group's and the coordination's
        decide.terms(g.register, by=Principal.public())


def test_a_proposal_is_supported_once_per_person_and_decided_by_consent(group: Group) -> None:
    g = group
    with pytest.raises(AccessDeniedError):  # the group's own: the coordination does not propose
        decide.propose(g.register, decide.ProposalInput(kind="city", title="Licht"), by=g.coordinator)
    pid = decide.propose(
        g.register,
        decide.ProposalInput(kind="city", title="Licht am Spielplatz", concern_ids=(g.concern,), lang="tr"),
        by=g.bora,
    )
    decide.support(g.register, pid, by=g.alice)
    decide.support(g.register, pid, by=g.alice)  # twice is still one
    decide.support(g.register, pid, by=g.chiara)
    decide.support(g.register, pid, by=g.chiara, on=False)  # withdrawn
    decide.comment(g.register, pid, "Auch im Winter wichtig.", by=g.chiara)
    row = decide.proposals(g.register, by=g.alice).set_index("id").loc[pid]
    assert row["supports"] == 1 and row["supported_by_me"] and row["concern_ids"] == (g.concern,)
    assert row["comments"] == 1 and row["author"] == "Bora" and row["lang"] == "tr"
    decide.record_election(g.register, g.a, "moderator", by=g.coordinator, valid_from=date(2026, 1, 1))
    meeting = decide.record_meeting(g.register, date(2026, 11, 5), [g.a, g.b], by=g.alice, quorum=2)
    with pytest.raises(RegisterError) as absent:  # only those present take part
        decide.record_decision(
            g.register,
            meeting,
            decide.DecisionRecord("Licht", "consent", {g.c: (False, "")}, proposal_id=pid),
            by=g.alice,
        )
    assert absent.value.key == "decide.not_present"
    outcome = decide.record_decision(
        g.register,
        meeting,
        decide.DecisionRecord(
            "Licht am Spielplatz",
            "consent",
            {g.a: (False, ""), g.b: (False, "Bitte auch Bänke")},
            proposal_id=pid,
            carried_by=g.b,
            due_on=date(2026, 12, 31),
            to_city=True,
        ),
        by=g.alice,
    )
    assert outcome.adopted
    assert decide.proposals(g.register, by=g.alice).set_index("id").loc[pid, "status"] == "to_city"
    with pytest.raises(RegisterError):  # decided: no more supports
        decide.support(g.register, pid, by=g.chiara)
    # individual inputs are the group's: not the coordination's, not the public's
    (decision,) = decide.decisions(g.register, by=g.alice)["id"]
    assert list(decide.inputs(g.register, decision, by=g.chiara)["text"]) == ["", "Bitte auch Bänke"]
    for outsider in (g.coordinator, Principal.public()):
        with pytest.raises(AccessDeniedError):
            decide.inputs(g.register, decision, by=outsider)


def test_without_the_quorum_the_group_does_not_decide(group: Group) -> None:
    g = group
    decide.record_election(g.register, g.a, "moderator", by=g.coordinator, valid_from=date(2026, 1, 1))
    meeting = decide.record_meeting(g.register, date(2026, 11, 5), [g.a], by=g.alice)  # default: 2 of 3
    with pytest.raises(RegisterError) as caught:
        decide.record_decision(
            g.register, meeting, decide.DecisionRecord("X", "majority", {g.a: "yes"}), by=g.alice
        )
    assert caught.value.key == "decide.no_quorum" and caught.value.params == {"present": 1, "quorum": 2}
    assert decide.decisions(g.register, by=g.alice).empty  # nothing half-written


def test_the_citys_answer_reaches_the_proposal_its_concerns_and_the_digest(group: Group) -> None:
    g = group
    pid = decide.propose(
        g.register, decide.ProposalInput(kind="city", title="Licht", concern_ids=(g.concern,)), by=g.alice
    )
    decide.record_election(g.register, g.a, "moderator", by=g.coordinator, valid_from=date(2026, 1, 1))
    meeting = decide.record_meeting(g.register, date.today() - timedelta(days=9), [g.a, g.b, g.c], by=g.alice)
    decide.record_decision(
        g.register,
        meeting,
        decide.DecisionRecord(
            "Licht am Spielplatz",
            "consensing",
            {"Licht am Spielplatz": {g.a: 0, g.b: 1, g.c: 2}, "Nichts tun": {g.a: 8, g.b: 9, g.c: 5}},
            proposal_id=pid,
            to_city=True,
            public=True,
        ),
        by=g.alice,
    )
    row = decide.decisions(g.register, by=g.coordinator).iloc[0]
    assert row["winners"] == ("Licht am Spielplatz",) and row["totals"] == {
        "Licht am Spielplatz": 3,
        "Nichts tun": 22,
    }
    with pytest.raises(AccessDeniedError):  # the answer is the coordination's
        decide.answer_decision(g.register, int(row["id"]), by=g.alice, version=1, answer="Ja")
    decide.answer_decision(
        g.register,
        int(row["id"]),
        by=g.coordinator,
        version=int(row["version"]),
        answer="Das Amt stellt zwei Laternen auf.",
        changed="Laternen bis März",
    )
    mine = decide.proposals(g.register, by=g.alice).set_index("id").loc[pid]
    assert mine["status"] == "answered" and mine["city_answer"] == "Das Amt stellt zwei Laternen auf."
    assert mine["city_changed"] == "Laternen bis März"  # the proposal carries what the city did with it
    history = journal.history(g.register, g.concern, by=g.alice)
    assert any("zwei Laternen" in c for c in history["comment"])
    week = digest.digest(g.register, g.tandem, by=g.alice)
    assert any("zwei Laternen" in str(c) for c in week.answers["comment"])
    said = decide.you_said_we_did(g.register, by=Principal.public())
    (item,) = said.itertuples()
    assert item.status == "answered" and item.days == 9 and item.changed == "Laternen bis März"
    assert "Alice" not in said.to_csv() and "Bora" not in said.to_csv()


def test_a_consultation_is_answered_in_any_language_and_closed_with_what_changed(group: Group) -> None:
    g = group
    with pytest.raises(AccessDeniedError):
        decide.open_consultation(g.register, "Flyer?", by=g.alice, deadline=date.today() + timedelta(days=5))
    cid = decide.open_consultation(
        g.register,
        "Ist der Flyer zum Sommerfest verständlich?",
        by=g.coordinator,
        deadline=date.today() + timedelta(days=5),
        languages=("de", "ar"),
    )
    decide.answer_consultation(g.register, cid, "Zu viele Wörter.", by=g.alice)
    decide.answer_consultation(g.register, cid, "كلمات كثيرة جدًا", by=g.alice, lang="ar")  # replaces hers
    decide.answer_consultation(g.register, cid, "Bitte größere Schrift.", by=g.bora)
    answers = decide.consultation_answers(g.register, cid, by=g.coordinator)
    assert sorted(answers["lang"]) == ["ar", "de"] and len(answers) == 2
    decide.close_consultation(g.register, cid, "Kürzerer Text, größere Schrift.", by=g.coordinator, version=1)
    with pytest.raises(RegisterError) as closed:
        decide.answer_consultation(g.register, cid, "Noch was", by=g.chiara)
    assert closed.value.key == "decide.consultation_closed"
    said = decide.you_said_we_did(g.register, by=g.chiara)
    assert list(said["status"]) == ["closed"] and list(said["changed"]) == ["Kürzerer Text, größere Schrift."]


def test_the_audit_log_says_it_in_words(group: Group) -> None:
    g = group
    decide.record_election(g.register, g.a, "moderator", by=g.coordinator, valid_from=date(2026, 1, 1))
    decide.propose(g.register, decide.ProposalInput(kind="activity", title="Sommerfest"), by=g.bora)
    log = accounts.audit_in_words(accounts.audit_log(g.register, by=g.coordinator), "de")
    text = log.to_csv()
    assert "Wahl eingetragen" in text and "Rolle: Moderation" in text
    assert "Art des Vorschlags: Idee für eine Aktivität" in text
    assert "moderator" not in text and "proposal_kind" not in text


def test_a_persons_own_data_holds_what_the_group_keeps_of_them(group: Group) -> None:
    g = group
    pid = decide.propose(g.register, decide.ProposalInput(kind="activity", title="Sprachcafé"), by=g.alice)
    decide.support(g.register, pid, by=g.alice)
    decide.comment(g.register, pid, "Dienstags passt.", by=g.alice, lang="de")
    mine = privacy.own_data(g.register, by=g.alice)["gruppe"]
    assert [p["titel"] for p in mine["vorschlaege"]] == ["Sprachcafé"]
    assert mine["unterstuetzt"][0]["vorschlag"] == pid and mine["kommentare"][0]["text"] == "Dienstags passt."
    assert privacy.own_data(g.register, by=g.bora)["gruppe"]["vorschlaege"] == []


def test_the_minutes_name_people_in_the_groups_copy_only(
    group: Group, tmp_path: Path, demo_dir: Path
) -> None:
    g = group
    decide.record_election(g.register, g.a, "moderator", by=g.coordinator, valid_from=date(2026, 1, 1))
    meeting = decide.record_meeting(g.register, date(2026, 11, 5), [g.a, g.b, g.c], by=g.alice)
    decide.record_election(
        g.register, g.c, "speaker", by=g.coordinator, valid_from=date(2026, 11, 5), meeting_id=meeting
    )
    for title, public in (("Sommerfest", True), ("Interne Regel", False)):
        decide.record_decision(
            g.register,
            meeting,
            decide.DecisionRecord(
                title, "majority", {g.a: "yes", g.b: "no", g.c: "yes"}, public=public, carried_by=g.b
            ),
            by=g.alice,
        )
    title, parts = minutes.sections(g.register, by=g.chiara)
    text = "\n".join([title, *(p for s in parts for p in [s.title, *s.paragraphs])])
    assert "05.11.2026" in title and "3 Personen waren da (nötig: 2)" in text
    assert "Bora: nein" in text and "Kümmert sich: Bora" in text and "Interne Regel" in text
    assert "Chiara: Sprecherin oder Sprecher" in text  # elected in this meeting
    assert "Stimmen: ja: 2 · nein: 1" in text
    title, parts = minutes.sections(g.register, by=Principal.public(), public=True)
    public = "\n".join([title, *(p for s in parts for p in [s.title, *s.paragraphs])])
    assert "Sommerfest" in public and "Interne Regel" not in public
    for name in ("Alice", "Bora", "Chiara"):
        assert name not in public
    with pytest.raises(AccessDeniedError):  # the group's copy is the group's
        minutes.sections(g.register, by=Principal.public())
    with pytest.raises(RegisterError) as none:
        minutes.sections(g.register, by=g.alice, held_on=date(2020, 1, 1))
    assert none.value.key == "decide.no_meeting"
    # the command line writes the PDF, the group's copy by default
    out = tmp_path / "protokoll.pdf"
    args = ["--data-dir", str(demo_dir), "--db", g.register.url, "--out", str(out), "--meeting", "2026-11-05"]
    assert main(["minutes", *args]) == 0
    pages = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Bora: nein" in pages and "Fassung für die Gruppe" in pages


def test_the_meeting_agenda_brings_the_proposals_and_what_waits_for_the_city(group: Group) -> None:
    from geo.output import programme_pdfs
    from geo.register import impact

    g = group
    pid = decide.propose(
        g.register, decide.ProposalInput(kind="city", title="Licht", concern_ids=(g.concern,)), by=g.alice
    )
    decide.support(g.register, pid, by=g.bora)
    decide.support(g.register, pid, by=g.chiara)
    decide.propose(g.register, decide.ProposalInput(kind="activity", title="Sprachcafé"), by=g.bora)
    decide.record_election(g.register, g.a, "moderator", by=g.coordinator, valid_from=date(2026, 1, 1))
    meeting = decide.record_meeting(g.register, date.today() - timedelta(days=20), [g.a, g.b], by=g.alice)
    decide.record_decision(
        g.register,
        meeting,
        decide.DecisionRecord("Bänke", "consent", {g.a: (False, "")}, to_city=True),
        by=g.alice,
    )
    places = pd.DataFrame(
        {
            "sozialraum_id": ["011001"],
            "name": ["A"],
            "stadtbezirk": ["1"],
            "need_class": [1],
            "population": [100],
        }
    )
    agenda = impact.agenda(g.register, places, by=g.coordinator)
    assert list(agenda.proposals["title"]) == ["Licht", "Sprachcafé"]  # the most supported first
    assert (
        list(agenda.proposals["supports"]) == [2, 0] and agenda.proposals.at[0, "sozialraum_ids"] == "011001"
    )
    assert list(agenda.city_waiting["title"]) == ["Bänke"] and agenda.city_waiting.at[0, "waiting_days"] == 20
    content = programme_pdfs.agenda(agenda)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(content)).pages]
    assert len(pages) == 2 and "2 offene Vorschläge" in pages[1] and "Bänke" in pages[1]
    assert "Wo die Vorschläge liegen" not in pages[1]  # no map without the dataset's areas
    assert programme_pdfs.proposal_areas(agenda) == {"011001": 1}


def test_the_groups_agenda_shows_where_the_proposals_lie(group: Group, demo_dir: Path) -> None:
    from geo.data import dataset
    from geo.output import programme_pdfs
    from geo.register import impact

    g = group
    decide.propose(
        g.register, decide.ProposalInput(kind="city", title="Licht", concern_ids=(g.concern,)), by=g.alice
    )
    spaces = dataset.load_dataset(demo_dir).spaces
    agenda = impact.group_agenda(g.register, by=g.alice)
    (page,) = PdfReader(io.BytesIO(programme_pdfs.group_agenda(agenda, spaces=spaces))).pages
    text = page.extract_text()
    assert "Wo die Vorschläge liegen (ein Sozialraum)" in text and "011001" in text
    unknown = spaces[spaces["sozialraum_id"] != "011001"]  # another city's areas: no map, no error
    (page,) = PdfReader(io.BytesIO(programme_pdfs.group_agenda(agenda, spaces=unknown))).pages
    assert "Wo die Vorschläge liegen" not in page.extract_text()


def test_a_proposal_takes_up_only_open_concerns_the_person_sees(group: Group) -> None:
    g = group
    assert decide.linkable_concerns(g.register, by=g.alice) == {g.concern: "Spielplatz ohne Licht"}
    assert decide.linkable_concerns(g.register, by=Principal.public()) == {}  # not public: not seen
    journal.change_status(
        g.register, g.concern, by=g.coordinator, version=1, status="erledigt", comment="Licht brennt."
    )
    assert decide.linkable_concerns(g.register, by=g.alice) == {}


def test_the_quarter_counts_what_went_to_the_city_and_what_came_back(group: Group) -> None:
    g = group
    decide.record_election(g.register, g.a, "moderator", by=g.coordinator, valid_from=date(2026, 1, 1))
    held = date.today() - timedelta(days=10)
    meeting = decide.record_meeting(g.register, held, [g.a, g.b], by=g.alice)
    for title, public in (("Licht", True), ("Bänke", False)):
        decide.record_decision(
            g.register,
            meeting,
            decide.DecisionRecord(title, "consent", {g.a: (False, "")}, to_city=True, public=public),
            by=g.alice,
        )
    light = decide.decisions(g.register, by=g.coordinator).set_index("title").loc["Licht"]
    decide.answer_decision(
        g.register, int(light["id"]), by=g.coordinator, version=int(light["version"]), answer="Kommt."
    )
    decide.open_consultation(
        g.register, "Flyer?", by=g.coordinator, deadline=date.today() + timedelta(days=3)
    )
    counts = decide.said_counts(g.register, held - timedelta(days=1), date.today(), by=Principal.public())
    assert (counts.to_city, counts.answered, counts.median_days) == (2, 1, 10.0)
    assert (counts.consultations, counts.closed) == (1, 0)
    assert list(counts.public_decisions["title"]) == ["Licht"]  # the public sees only what is public
    assert set(counts.items["title"]) == {"Licht", "Bänke", "Flyer?"}
    before = decide.said_counts(g.register, date(2020, 1, 1), date(2020, 3, 31), by=Principal.public())
    assert before.to_city == 0 and before.public_decisions.empty and before.items.empty


def test_the_quarterly_report_says_what_went_to_the_city_without_names(group: Group, demo_dir: Path) -> None:
    from geo.data import dataset
    from geo.output import programme_pdfs
    from geo.register import impact

    g = group
    decide.record_election(g.register, g.a, "moderator", by=g.coordinator, valid_from=date(2026, 1, 1))
    held = date.today() - timedelta(days=12)
    meeting = decide.record_meeting(g.register, held, [g.a, g.b], by=g.alice)
    decide.record_decision(
        g.register,
        meeting,
        decide.DecisionRecord(
            "Licht am Spielplatz", "consent", {g.a: (False, "")}, to_city=True, public=True
        ),
        by=g.alice,
    )
    light = decide.decisions(g.register, by=g.coordinator).iloc[0]
    decide.answer_decision(
        g.register,
        int(light["id"]),
        by=g.coordinator,
        version=int(light["version"]),
        answer="Zwei Laternen kommen.",
        changed="Aufgestellt bis März",
    )
    for n in range(30):  # more than one page holds: the rest is counted, never cut off silently
        decide.open_consultation(
            g.register,
            f"Frage {n:02d} der Stadt",
            by=g.coordinator,
            deadline=date.today() + timedelta(days=3),
        )
    data = dataset.load_dataset(demo_dir)
    start, end = impact.quarter(impact.quarter_of(date.today()))
    ev = impact.events(g.register, by=Principal.public())
    result = impact.impact(ev, impact.places(data), start, end, tandem_names={})
    said = decide.said_counts(g.register, start, end, by=Principal.public())
    content = programme_pdfs.impact_report(result, impact.by_quarter(ev), data, label="Q", said=said)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(content)).pages]
    assert len(pages) == 2 and "Ihr sagtet, wir taten" in pages[1]
    assert "Zwei Laternen kommen." in pages[1] and "Aufgestellt bis März" in pages[1]
    assert (
        "31 Punkte im Quartal" in pages[1] and "weitere Punkte: in der App unter Mitentscheiden" in pages[1]
    )
    assert "Alice" not in pages[1] and "Bora" not in pages[1]
    assert len(programme_pdfs.impact_report(result, impact.by_quarter(ev), data, label="Q")) < len(content)


def test_the_weekly_digest_brings_the_proposals_and_the_citys_questions(group: Group) -> None:
    g = group
    pid = decide.propose(g.register, decide.ProposalInput(kind="activity", title="Sprachcafé"), by=g.chiara)
    decide.support(g.register, pid, by=g.alice)
    decide.propose(g.register, decide.ProposalInput(kind="city", title="Licht"), by=g.bora)
    decide.open_consultation(
        g.register, "Ist der Flyer verständlich?", by=g.coordinator, deadline=date.today() + timedelta(days=5)
    )
    week = digest.digest(g.register, g.tandem, by=g.alice)
    assert week.proposals == (("Sprachcafé", 1), ("Licht", 0)) and not week.empty
    _subject, text = digest.render(week, "de")
    assert "liegen 2 Vorschläge vor" in text and "- Sprachcafé (1 Unterstützung)" in text
    assert "Die Stadt hat eine Frage an Sie" in text and "Ist der Flyer verständlich?" in text


def test_the_moderators_make_the_groups_agenda_and_the_public_cannot(group: Group) -> None:
    from geo.output import programme_pdfs
    from geo.register import impact

    g = group
    pid = decide.propose(g.register, decide.ProposalInput(kind="activity", title="Sprachcafé"), by=g.alice)
    decide.support(g.register, pid, by=g.bora)
    agenda = impact.group_agenda(g.register, by=g.chiara)
    assert list(agenda.proposals["title"]) == ["Sprachcafé"] and agenda.waiting.empty
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(programme_pdfs.group_agenda(agenda))).pages]
    assert len(pages) == 1 and "Ein offener Vorschlag" in pages[0] and "Sprachcafé" in pages[0]
    with pytest.raises(AccessDeniedError):
        impact.group_agenda(g.register, by=Principal.public())


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def test_a_consultation_carries_its_flyer_for_the_connectors_only(group: Group, tmp_path: Path) -> None:
    from geo.register import backup

    g = group
    soon = date.today() + timedelta(days=7)
    with pytest.raises(RegisterError) as wrong:  # a renamed text file is not a PDF
        decide.open_consultation(
            g.register,
            "Flyer?",
            by=g.coordinator,
            deadline=soon,
            attachment=decide.Attachment("a.pdf", b"hallo"),
        )
    assert wrong.value.key == "decide.attachment_type"
    big = decide.Attachment("plan.pdf", b"%PDF-" + bytes(decide.ATTACHMENT_MAX))
    with pytest.raises(RegisterError) as too_big:
        decide.open_consultation(g.register, "Plan?", by=g.coordinator, deadline=soon, attachment=big)
    assert too_big.value.key == "decide.attachment_too_big"
    assert decide.consultations(g.register, by=g.alice).empty  # nothing half-opened
    cid = decide.open_consultation(
        g.register,
        "Ist der Flyer verständlich?",
        by=g.coordinator,
        deadline=soon,
        attachment=decide.Attachment("C:\\Users\\amt\\flyer\u202e.png", PNG),
    )
    row = decide.consultations(g.register, by=g.alice).iloc[0]
    assert (row["file_name"], row["file_type"]) == ("flyer.png", "image/png")
    found = decide.consultation_file(g.register, cid, by=g.alice)
    assert found is not None and found.content == PNG and found.media_type == "image/png"
    with pytest.raises(AccessDeniedError):
        decide.consultation_file(g.register, cid, by=Principal.public())
    with pytest.raises(AccessDeniedError):  # only the coordination asks
        decide.open_consultation(
            g.register, "Frage", by=g.alice, deadline=soon, attachment=decide.Attachment("f.png", PNG)
        )
    out = tmp_path / "sicherung.zip"  # the bytes survive a backup and its restore
    backup.backup(g.register, out, by=CLI)
    target = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    backup.restore(target, out, by=CLI)
    restored = Register(target)
    try:
        again = decide.consultation_file(restored, cid, by=CLI)
        assert again is not None and again.content == PNG
    finally:
        restored.close()
