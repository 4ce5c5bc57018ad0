"""Words, not codes: audit events and details in every UI language, times in local time."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo.core import i18n
from geo.register import accounts

ROOT = Path(__file__).resolve().parent.parent
#: An event name as the code writes it: `register.write(by, Action.X, "concern.answer", ...)`, `record(...)`.
EVENT = re.compile(
    r'(?:Action\.[A-Z_]+,\s*|NO_LOGIN,\s*|also\(\s*|event = |record\([^"]*|_add_audit\([^"]*|batch\(by,\s*)"([a-z_]+(?:\.[a-z_]+)+)"'
)


def _events() -> set[str]:
    found: set[str] = set()
    for path in [*ROOT.glob("geo/**/*.py"), *ROOT.glob("app_pages/**/*.py")]:
        found |= set(EVENT.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_audit_event_has_words_in_every_language() -> None:
    events = _events()
    assert {"concern.answer", "certificate.export", "participation.record"} <= events  # the scan finds them
    assert {"login.failed", "account.password_set", "account.from_shared_password", "account.roles"} <= events
    for lang in i18n.LANGUAGES:
        missing = [e for e in sorted(events) if f"audit_action.{e}" not in i18n.catalogue(lang)]
        assert not missing, (lang, missing)


def test_audit_log_in_words_and_local_time() -> None:
    frame = pd.DataFrame(
        {
            "at": [pd.Timestamp("2026-07-01 10:00"), pd.Timestamp("2026-12-01 10:00")],  # UTC
            "actor": ["a@x", "b@x"],
            "action": ["participation.record", "certificate.export"],
            "target": ["activity", "connector"],
            "target_id": ["7", "3"],
            "details": [
                '{"fields": ["minutes", "prep_minutes"]}',
                '{"valid_from": "2026-01-02", "rows": 1200}',
            ],
        }
    )
    words = accounts.audit_in_words(frame, "de")
    assert list(words["at"].dt.hour) == [12, 11]  # summer time +2, winter time +1
    assert list(words["what"]) == ["Stunden eingetragen", "Ehrenamtsnachweis erstellt"]
    assert list(words["target"]) == ["Aktivität 7", "Connector 3"]
    assert words["details"][0] == "geänderte Angaben: Minuten, Minuten Vorbereitung"
    assert words["details"][1] == "gültig ab: 02.01.2026; Zeilen: 1.200"
    arabic = accounts.audit_in_words(frame, "ar")
    assert not any(re.search(r"[a-z]+_[a-z]+|[a-z]+\.[a-z]+", str(v)) for v in arabic.to_numpy().ravel()[2:])
    unknown = accounts.audit_in_words(frame.assign(action=["neu.erfunden", "login"]), "de")
    assert unknown["what"][0] == "neu.erfunden"  # nothing hidden: the sweep test fails on such a code
