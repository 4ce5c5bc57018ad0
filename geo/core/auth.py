"""
Settings of the login: the identity provider's role claim, and the shared password of the first version.

The shared coordinator password (`SOZIALRAUM_COORDINATOR_HASH`, or `coordinator.hash` in the user data
folder) is gone as a way to log in: when the register is opened and has no account yet, its hash becomes
one admin and coordinator account, ``koordination@local`` (see `geo.register.store.Register`), so an
existing install is not locked out.
"""

from __future__ import annotations

import os
from pathlib import Path

from geo.core.settings import get_settings

HASH_FILE = "coordinator.hash"


def legacy_hash() -> str | None:
    """The shared coordinator password's hash of the first version, if one is configured or stored."""
    if value := os.environ.get("SOZIALRAUM_COORDINATOR_HASH"):
        return value.strip()
    path: Path = get_settings().user_dir / HASH_FILE
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:  # missing or unreadable: there is nothing to adopt
        return None


def oidc_role_claim() -> str | None:
    """The claim of the identity provider's token that holds roles or groups (`SOZIALRAUM_OIDC_ROLE_CLAIM`)."""
    return os.environ.get("SOZIALRAUM_OIDC_ROLE_CLAIM", "").strip() or None


def oidc_role_map() -> dict[str, str]:
    """
    Provider group -> role, from `SOZIALRAUM_OIDC_ROLE_MAP` (``"sk-admins=admin,sk-koordination=coordinator"``).

    A group not listed counts when it is itself a role's name (``admin``, ``coordinator``, ``connector``).
    """
    pairs = (p.split("=", 1) for p in os.environ.get("SOZIALRAUM_OIDC_ROLE_MAP", "").split(",") if "=" in p)
    return {group.strip(): role.strip() for group, role in pairs}
