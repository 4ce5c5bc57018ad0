"""
Coordinator mode: a password set in configuration, stored only as an Argon2 hash.

The hash comes from `SOZIALRAUM_COORDINATOR_HASH`, else from `coordinator.hash` in the user data folder
(written by ``python -m geo set-password``). Without a configured hash nobody is a coordinator.
"""

from __future__ import annotations

import os
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
