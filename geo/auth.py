"""
Coordinator mode: a password set in configuration, stored only as an Argon2 hash.

The hash comes from `SOZIALRAUM_COORDINATOR_HASH`, else from `coordinator.hash` in the user data folder
(written by ``python -m geo set-password``). Without a configured hash nobody is a coordinator.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.settings import get_settings

HASH_FILE = "coordinator.hash"
MIN_LENGTH = 10
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An Argon2id hash of `password`."""
    return _hasher.hash(password)


def coordinator_hash() -> str | None:
    """The configured hash, or None when coordinator mode is not set up."""
    if value := os.environ.get("SOZIALRAUM_COORDINATOR_HASH"):
        return value.strip()
    path = get_settings().user_dir / HASH_FILE
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def check_coordinator(password: str) -> bool:
    """True when `password` matches the configured hash (always False when none is configured)."""
    stored = coordinator_hash()
    if not stored or not password:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def set_coordinator_password(password: str) -> Path:
    """Store the hash of a new coordinator password in the user data folder (readable by the owner only)."""
    if len(password) < MIN_LENGTH:
        msg = f"the password needs at least {MIN_LENGTH} characters"
        raise ValueError(msg)
    folder = get_settings().user_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / HASH_FILE
    path.write_text(hash_password(password) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


class LoginGuard:
    """
    Refuses password checks for a while after too many wrong passwords, for the whole server process.

    A per-session limit would not stop guessing (a new browser tab is a new session), so the failures are
    counted for all sessions together: after `max_failures` wrong passwords within `window_s` seconds no
    password is checked until the oldest of them has left the window. A right password clears the count.
    During an attack this also keeps the real coordinators out for up to `window_s`; that is the price.
    """

    def __init__(
        self, max_failures: int = 5, window_s: float = 600, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: deque[float] = deque()
        self._lock = threading.Lock()

    def _forget_old(self, now: float) -> None:
        while self._failures and now - self._failures[0] >= self.window_s:
            self._failures.popleft()

    def wait_s(self) -> float:
        """Seconds until a password will be checked again (0 when it will be checked now)."""
        with self._lock:
            now = self._clock()
            self._forget_old(now)
            if len(self._failures) < self.max_failures:
                return 0.0
            return self.window_s - (now - self._failures[0])

    def check(self, password: str) -> bool | None:
        """True or False as `check_coordinator`; None when refused because of too many recent failures."""
        if self.wait_s() > 0:
            return None
        ok = check_coordinator(password)
        with self._lock:
            if ok:
                self._failures.clear()
            else:
                self._failures.append(self._clock())
        return ok


#: The guard of this server process (shared by all sessions).
GUARD = LoginGuard()
