"""Coordinator password: hashed, and guessing is stopped for the whole server, not per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import auth


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> str:
    password = "richtiges-passwort"
    monkeypatch.setenv("SOZIALRAUM_COORDINATOR_HASH", auth.hash_password(password))
    return password


def test_guard_locks_after_five_failures_and_opens_after_the_window(configured: str) -> None:
    now = [1000.0]
    guard = auth.LoginGuard(max_failures=5, window_s=600, clock=lambda: now[0])
    for _ in range(5):
        assert guard.check("falsch") is False
        now[0] += 10
    assert guard.check(configured) is None  # refused, even the right password: nothing is checked
    assert guard.wait_s() == pytest.approx(600 - 50)
    now[0] += 551  # the first failure has left the window
    assert guard.wait_s() == 0
    assert guard.check(configured) is True
    assert guard.check("falsch") is False  # the right password cleared the count
    assert guard.wait_s() == 0


def test_without_a_configured_password_nobody_is_coordinator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SOZIALRAUM_COORDINATOR_HASH", raising=False)
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path))
    assert auth.coordinator_hash() is None
    assert auth.check_coordinator("irgendwas") is False
    assert auth.check_coordinator("") is False
