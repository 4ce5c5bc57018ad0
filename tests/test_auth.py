"""Accounts: one-time codes, Argon2 passwords, throttling in the database, roles, the first admin, OIDC."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from geo import accounts, store
from geo.access import AccessDeniedError, Principal, Role

CLI = Principal.cli()
PASSWORD = "ein-gutes-passwort"


@pytest.fixture
def register(register_url: str) -> Iterator[store.Register]:
    reg = store.Register(register_url)
    yield reg
    reg.close()


def _account(register: store.Register, email: str, roles: str, connector: int | None = None) -> Principal:
    _id, code = accounts.create_account(register, by=CLI, email=email, roles=roles, connector_id=connector)
    return accounts.set_password_with_code(register, email, code, PASSWORD)


def test_code_sets_the_password_once_and_only_a_hash_is_kept(register: store.Register) -> None:
    _id, code = accounts.create_account(register, by=CLI, email="Ana@Stadt.de", roles="coordinator")
    with pytest.raises(accounts.LoginError, match="Passwort"):
        accounts.login(register, "ana@stadt.de", "noch-keines-gesetzt")  # no password yet
    with pytest.raises(accounts.LoginError, match="Einmalcode"):
        accounts.set_password_with_code(register, "ana@stadt.de", "AAAA-BBBB-CCCC", PASSWORD)
    with pytest.raises(accounts.LoginError, match="mindestens 10"):
        accounts.set_password_with_code(register, "ana@stadt.de", code, "kurz")
    who = accounts.set_password_with_code(register, "ana@stadt.de", code.lower().replace("-", " "), PASSWORD)
    assert who.roles == {"coordinator"}
    with pytest.raises(accounts.LoginError, match="Einmalcode"):
        accounts.set_password_with_code(register, "ana@stadt.de", code, "ein-anderes-passwort")  # used up
    with register.read() as s:
        stored = s.scalar(select(store.Account).where(store.Account.email == "ana@stadt.de"))
        assert stored is not None
        assert stored.password_hash is not None
        assert stored.password_hash.startswith("$argon2id$")
        assert PASSWORD not in stored.password_hash
        assert stored.setup_code_hash is None
    assert accounts.login(register, " ANA@stadt.de ", PASSWORD).account_id == who.account_id


def test_expired_code(register: store.Register) -> None:
    policy = accounts.LoginPolicy(code_valid=timedelta(seconds=-1))
    _id, code = accounts.create_account(register, by=CLI, email="b@stadt.de", roles="admin", policy=policy)
    with pytest.raises(accounts.LoginError, match="abgelaufen"):
        accounts.set_password_with_code(register, "b@stadt.de", code, PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", PASSWORD, "Bitte geben Sie"),
        ("c@stadt.de", "", "Bitte geben Sie"),
        ("c@stadt.de", "x" * 10_000, "stimmen nicht"),
        ("unbekannt@stadt.de", PASSWORD, "stimmen nicht"),
        ("c@stadt.de", "falsches-passwort", "stimmen nicht"),
    ],
)
def test_bad_logins_are_one_plain_sentence(
    register: store.Register, email: str, password: str, message: str
) -> None:
    _account(register, "c@stadt.de", "coordinator")
    with pytest.raises(accounts.LoginError, match=message) as info:
        accounts.login(register, email, password)
    assert "Traceback" not in info.value.message()
    assert info.value.message("en")  # and in English


@pytest.fixture
def request_close() -> Iterator[list[store.Register]]:
    opened: list[store.Register] = []
    yield opened
    for reg in opened:
        reg.close()


def test_throttling_per_account_is_shared_and_survives_a_restart(
    register_url: str, request_close: list[store.Register]
) -> None:
    first = store.Register(register_url)
    _account(first, "d@stadt.de", "coordinator")
    policy = accounts.LoginPolicy(per_account=3, per_client=100, window=timedelta(minutes=15))
    for client in ("tab-1", "tab-2", "tab-3"):  # a new tab is a new client: the account still counts
        with pytest.raises(accounts.LoginError, match="stimmen nicht"):
            accounts.login(first, "d@stadt.de", "falsch-falsch", client=client, policy=policy)
    first.close()
    second = store.Register(register_url)  # another server process, or the same after a restart
    request_close.append(second)
    with pytest.raises(accounts.LoginError, match="gesperrt") as info:
        accounts.login(second, "d@stadt.de", PASSWORD, client="tab-4", policy=policy)  # even the right one
    assert "Minuten" in info.value.message()
    open_again = accounts.LoginPolicy(per_account=3, per_client=100, window=timedelta(seconds=0))
    assert accounts.login(second, "d@stadt.de", PASSWORD, policy=open_again).roles == {"coordinator"}


def test_throttling_per_client_across_accounts(register: store.Register) -> None:
    policy = accounts.LoginPolicy(per_account=100, per_client=4)
    for i in range(4):
        with pytest.raises(accounts.LoginError, match="stimmen nicht"):
            accounts.login(register, f"x{i}@stadt.de", "falsch-falsch", client="10.1.2.3", policy=policy)
    with pytest.raises(accounts.LoginError, match="gesperrt"):
        accounts.login(register, "x9@stadt.de", "falsch-falsch", client="10.1.2.3", policy=policy)
    with pytest.raises(accounts.LoginError, match="stimmen nicht"):  # another client is not locked
        accounts.login(register, "x9@stadt.de", "falsch-falsch", client="10.9.9.9", policy=policy)
    with register.read() as s:  # neither the address of the client nor the typed e-mail is stored
        keys = " ".join(s.scalars(select(store.LoginFailure.key)))
        details = " ".join(s.scalars(select(store.AuditEntry.actor)))
    assert "10.1.2.3" not in keys
    assert "x9@" not in keys + details


def test_disabled_account_and_role_removed_while_logged_in(register: store.Register) -> None:
    admin = _account(register, "admin@stadt.de", "admin")
    coordinator = _account(register, "e@stadt.de", "coordinator")
    assert accounts.principal_for(register, coordinator.account_id).may(store.Action.READ_REGISTER)
    (view,) = [a for a in accounts.accounts(register, by=admin) if a.email == "e@stadt.de"]
    accounts.update_account(register, view.id, by=admin, version=view.version, roles="")
    # the next rerun builds the principal afresh: the right is gone
    assert not accounts.principal_for(register, coordinator.account_id).may(store.Action.READ_REGISTER)
    # and a write with the old principal object is refused inside the transaction
    with pytest.raises(AccessDeniedError):
        register.add_connector("Neu", by=coordinator)
    (view,) = [a for a in accounts.accounts(register, by=admin) if a.email == "e@stadt.de"]
    accounts.update_account(register, view.id, by=admin, version=view.version, disabled=True)
    assert accounts.principal_for(register, coordinator.account_id).is_public
    with pytest.raises(AccessDeniedError, match="gesperrt"):
        register.add_connector("Neu", by=coordinator)
    with pytest.raises(accounts.LoginError, match="gesperrt"):
        accounts.login(register, "e@stadt.de", PASSWORD)


def test_only_admins_manage_accounts(register: store.Register) -> None:
    coordinator = _account(register, "f@stadt.de", "coordinator")
    with pytest.raises(AccessDeniedError):
        accounts.create_account(register, by=coordinator, email="g@stadt.de", roles="admin")
    with pytest.raises(AccessDeniedError):
        accounts.accounts(register, by=coordinator)
    with pytest.raises(AccessDeniedError, match="angemeldet"):
        accounts.create_account(register, by=Principal.public(), email="g@stadt.de", roles="admin")
    with pytest.raises(accounts.LoginError, match="passenden Eintrag"):
        accounts.create_account(register, by=CLI, email="h@stadt.de", roles="connector")
    with pytest.raises(accounts.LoginError, match="schon ein Konto"):
        accounts.create_account(register, by=CLI, email="F@stadt.de", roles="admin")


def test_first_admin_only_on_an_empty_register(register: store.Register) -> None:
    assert accounts.count_accounts(register) == 0
    admin = accounts.create_first_admin(register, email="erste@stadt.de", password=PASSWORD)
    assert admin.roles == {Role.ADMIN.value, Role.COORDINATOR.value}
    with pytest.raises(AccessDeniedError, match="schon ein Konto"):
        accounts.create_first_admin(register, email="zweite@stadt.de", password=PASSWORD)


def test_the_shared_password_becomes_one_admin_account(
    register_url: str, monkeypatch: pytest.MonkeyPatch, request_close: list[store.Register]
) -> None:
    from argon2 import PasswordHasher

    monkeypatch.setenv("SOZIALRAUM_COORDINATOR_HASH", PasswordHasher().hash("altes-gemeinsames-pw"))
    register = store.Register(register_url)
    request_close.append(register)
    who = accounts.login(register, "koordination@local", "altes-gemeinsames-pw")
    assert who.roles == {"admin", "coordinator"}
    request_close.append(store.Register(register_url))  # opening again adopts nothing more
    assert accounts.count_accounts(register) == 1


def test_unreadable_legacy_hash_file_is_no_crash(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from geo import auth

    folder = tmp_path / "var"
    (folder / auth.HASH_FILE).mkdir(parents=True)  # a folder where the file should be: unreadable
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(folder))
    assert auth.legacy_hash() is None


def test_oidc_roles_from_a_claim_follow_the_provider(register: store.Register) -> None:
    claims = {"email": "Oi@Stadt.de", "email_verified": True, "name": "Oi", "groups": ["sk-koordination"]}
    who = accounts.oidc_principal(
        register, claims, role_claim="groups", role_map={"sk-koordination": "coordinator"}
    )
    assert who.roles == {"coordinator"}
    claims["groups"] = ["andere-gruppe"]
    assert accounts.oidc_principal(register, claims, role_claim="groups").roles == frozenset()
    log = accounts.audit_log(register, by=CLI)
    assert (log["action"] == "account.roles").sum() == 2  # granted, then taken away
    with pytest.raises(accounts.LoginError, match="E-Mail"):
        accounts.oidc_principal(register, {"email": "x@stadt.de", "email_verified": False})


def test_oidc_roles_from_the_account_table(register: store.Register) -> None:
    assert accounts.oidc_principal(register, {"email": "niemand@stadt.de"}).is_public
    _account(register, "table@stadt.de", "admin")
    assert accounts.oidc_principal(register, {"email": "TABLE@stadt.de"}).roles == {"admin"}


def test_a_session_token_survives_a_reload_until_logout_expiry_or_lock(
    register: store.Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = _account(register, "s@stadt.de", "coordinator")
    token = accounts.start_session(register, who)
    assert accounts.session_principal(register, token).account_id == who.account_id
    with register.read() as s:  # only the hash is kept
        assert token not in " ".join(s.scalars(select(store.LoginSession.token_hash)))
    assert accounts.session_principal(register, token + "x").is_public
    assert accounts.session_principal(register, None).is_public
    accounts.end_session(register, token)
    assert accounts.session_principal(register, token).is_public  # logged out: the cookie is worthless
    monkeypatch.setenv("SOZIALRAUM_SESSION_HOURS", "12")
    old = accounts.start_session(register, who)
    now = accounts._now()
    monkeypatch.setattr(accounts, "_now", lambda: now + timedelta(hours=12, minutes=1))
    assert accounts.session_principal(register, old).is_public  # expired
    monkeypatch.setattr(accounts, "_now", lambda: now)
    token = accounts.start_session(register, who)
    (view,) = accounts.accounts(register, by=CLI)
    accounts.update_account(register, view.id, by=CLI, version=view.version, disabled=True)
    assert accounts.session_principal(register, token).is_public  # a locked account's sessions end
    with pytest.raises(AccessDeniedError):
        accounts.start_session(register, Principal.public())


def test_demo_accounts_cannot_be_taken_away_from_other_visitors(tmp_path: Path) -> None:
    from geo import demo, privacy

    register = store.Register(f"sqlite:///{tmp_path / 'demo.sqlite'}", demo=True)
    assert demo.seed_register(register, ["011001", "011002"])
    assert not demo.seed_register(register, ["011001", "011002"])  # only a brand-new register is seeded
    admin = accounts.login(register, "admin@demo.invalid", demo.DEMO_PASSWORD)
    views = {a.email: a for a in accounts.accounts(register, by=admin)}
    connector = views["connector@demo.invalid"]
    with pytest.raises(accounts.LoginError, match="Demo-Konten"):
        accounts.update_account(register, connector.id, by=admin, version=connector.version, disabled=True)
    with pytest.raises(accounts.LoginError, match="Demo-Konten"):
        accounts.new_setup_code(register, connector.id, by=admin)
    with pytest.raises(accounts.LoginError, match="Demo-Konten"):
        accounts.change_password(register, by=admin, old=demo.DEMO_PASSWORD, new="ein-neues-passwort")
    with pytest.raises(store.RegisterError, match="Demo-Konten"):
        privacy.erase_connector(register, connector.connector_id or 0, by=CLI)
    assert accounts.login(register, "connector@demo.invalid", demo.DEMO_PASSWORD).roles == {"connector"}
    with pytest.raises(ValueError, match="demo register"):
        demo.seed_register(store.Register(f"sqlite:///{tmp_path / 'real.sqlite'}"), ["011001"])
    register.close()
