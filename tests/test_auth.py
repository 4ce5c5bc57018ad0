"""Accounts: one-time codes, Argon2 passwords, throttling in the database, roles, the first admin, OIDC."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from geo.core.access import AccessDeniedError, Principal, Role
from geo.core.settings import SettingError
from geo.register import accounts, models, store

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
        stored = s.scalar(select(models.Account).where(models.Account.email == "ana@stadt.de"))
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
        keys = " ".join(s.scalars(select(models.LoginFailure.key)))
        details = " ".join(s.scalars(select(models.AuditEntry.actor)))
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


def test_first_admin_only_with_the_operators_setup_code(register: store.Register) -> None:
    assert accounts.count_accounts(register) == 0
    code = accounts.install_code(register)  # what the server prints to its log at its first start
    assert code and accounts.install_code(register) is None  # made once: a second start prints none
    with register.read() as s:  # only a hash is kept
        assert code not in " ".join(s.scalars(select(models.SetupCode.code_hash)))
    for wrong in ("", "AAAA-BBBB-CCCC"):  # a visitor without the log cannot claim the install
        with pytest.raises(accounts.LoginError, match="Einrichtungs-Code"):
            accounts.create_first_admin(register, email="x@stadt.de", password=PASSWORD, setup_code=wrong)
    assert accounts.count_accounts(register) == 0
    admin = accounts.create_first_admin(
        register, email="erste@stadt.de", password=PASSWORD, setup_code=code.lower().replace("-", " ")
    )
    assert admin.roles == {Role.ADMIN.value, Role.COORDINATOR.value}
    with pytest.raises((AccessDeniedError, accounts.LoginError)):  # the code is used up
        accounts.create_first_admin(register, email="zweite@stadt.de", password=PASSWORD, setup_code=code)
    assert accounts.install_code(register, renew=True) is None  # an account exists: no code any more
    assert accounts.count_accounts(register) == 1


def test_guessing_the_setup_code_is_throttled(register: store.Register) -> None:
    code = accounts.install_code(register)
    assert code
    policy = accounts.LoginPolicy(per_account=3, per_client=100, window=timedelta(minutes=15))
    for _ in range(3):
        with pytest.raises(accounts.LoginError, match="Einrichtungs-Code"):
            accounts.create_first_admin(
                register, email="x@stadt.de", password=PASSWORD, setup_code="AAAA", policy=policy
            )
    with pytest.raises(accounts.LoginError, match="gesperrt"):  # even the right code waits now
        accounts.create_first_admin(
            register, email="x@stadt.de", password=PASSWORD, setup_code=code, policy=policy
        )


def test_the_demo_register_has_no_first_admin(tmp_path: Path) -> None:
    demo_register = store.Register(f"sqlite:///{tmp_path / 'demo.sqlite'}", demo=True)
    try:
        assert accounts.install_code(demo_register) is None
        with pytest.raises(accounts.LoginError):
            accounts.create_first_admin(demo_register, email="x@stadt.de", password=PASSWORD, setup_code="x")
    finally:
        demo_register.close()


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
    from geo.core import auth

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


def _cookie(register: store.Register, who: Principal) -> tuple[int, str]:
    """A session as a browser gets it: started at login, its ticket redeemed for the cookie's token."""
    login = accounts.start_session(register, who)
    redeemed = accounts.redeem_ticket(register, login.ticket)
    assert redeemed is not None
    assert accounts.redeem_ticket(register, login.ticket) is None  # a ticket works once
    return login.session_id, redeemed[0]


def test_a_session_survives_a_reload_until_logout_expiry_or_lock(
    register: store.Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = _account(register, "s@stadt.de", "coordinator")
    session, token = _cookie(register, who)
    assert accounts.session_of_token(register, token) == session
    assert accounts.session_principal(register, session).account_id == who.account_id
    with register.read() as s:  # only hashes are kept
        assert token not in " ".join(filter(None, s.scalars(select(models.LoginSession.token_hash))))
    assert accounts.session_of_token(register, token + "x") is None
    assert accounts.session_of_token(register, None) is None
    assert accounts.session_principal(register, None).is_public
    accounts.end_session(register, session)
    assert accounts.session_of_token(register, token) is None  # logged out: the cookie is worthless
    assert accounts.session_principal(register, session).is_public  # and so is every open tab of it
    monkeypatch.setenv("SOZIALRAUM_SESSION_HOURS", "12")
    old, _ = _cookie(register, who)
    now = accounts._now()
    monkeypatch.setattr(accounts, "_now", lambda: now + timedelta(hours=12, minutes=1))
    assert accounts.session_principal(register, old).is_public  # an open tab ends at the expiry too
    monkeypatch.setattr(accounts, "_now", lambda: now)
    session, _ = _cookie(register, who)
    (view,) = accounts.accounts(register, by=CLI)
    accounts.update_account(register, view.id, by=CLI, version=view.version, disabled=True)
    assert accounts.session_principal(register, session).is_public  # a locked account's sessions end
    with pytest.raises(AccessDeniedError):
        accounts.start_session(register, Principal.public())


def test_a_ticket_expires_unused(register: store.Register, monkeypatch: pytest.MonkeyPatch) -> None:
    who = _account(register, "t@stadt.de", "coordinator")
    login = accounts.start_session(register, who)
    now = accounts._now()
    monkeypatch.setattr(accounts, "_now", lambda: now + timedelta(seconds=accounts.TICKET_SECONDS + 1))
    assert accounts.redeem_ticket(register, login.ticket) is None
    assert accounts.redeem_ticket(register, "") is None


def test_every_session_ends_with_a_new_password_code_or_roles(register: store.Register) -> None:
    who = _account(register, "p@stadt.de", "coordinator")
    here, _ = _cookie(register, who)
    other, copied = _cookie(register, who)  # another phone, or a copied cookie
    ended = accounts.change_password(
        register, by=who, old=PASSWORD, new="ein-neues-passwort", keep_session=here
    )
    assert ended == 1
    assert accounts.session_principal(register, here).account_id == who.account_id  # the one in use stays
    assert accounts.session_principal(register, other).is_public
    assert accounts.session_of_token(register, copied) is None
    (view,) = accounts.accounts(register, by=CLI)
    code = accounts.new_setup_code(register, view.id, by=CLI)  # an admin issues a new one-time code
    assert accounts.session_principal(register, here).is_public
    who = accounts.set_password_with_code(register, "p@stadt.de", code, PASSWORD)
    here, _ = _cookie(register, who)
    (view,) = accounts.accounts(register, by=CLI)
    accounts.update_account(register, view.id, by=CLI, version=view.version, roles="admin,coordinator")
    assert accounts.session_principal(register, here).is_public  # new rights: log in again
    who = accounts.login(register, "p@stadt.de", PASSWORD)
    here, _ = _cookie(register, who)
    assert accounts.end_all_sessions(register, who.account_id, by=CLI) == 1
    assert accounts.session_principal(register, here).is_public
    log = accounts.audit_log(register, by=CLI)
    assert "account.sessions_end" in set(log["action"])


def test_the_client_address_comes_from_a_trusted_proxy_only() -> None:
    loopback = accounts.trusted_proxies()
    # a proxy on this host (as Streamlit reports it on a dual-stack socket) that appended the client
    assert accounts.client_address("::ffff:127.0.0.1", "203.0.113.7", loopback) == "203.0.113.7"
    # what a client wrote in front of the proxy's own entry is not believed
    assert accounts.client_address("127.0.0.1", "198.51.100.1, 203.0.113.7", loopback) == "203.0.113.7"
    # a client connecting directly cannot choose its address with the header
    assert accounts.client_address("203.0.113.9", "198.51.100.1", loopback) == "203.0.113.9"
    # behind the proxy without its header, or with garbage: unknown (only the account's limit applies)
    assert accounts.client_address("127.0.0.1", None, loopback) == ""
    assert accounts.client_address("::1", "nonsense", loopback) == ""
    assert accounts.client_address(None, "203.0.113.7", loopback) == ""
    assert (
        accounts.client_address("127.0.0.1", "203.0.113.7", []) == "127.0.0.1"
    )  # no proxy trusted: the peer
    assert accounts.client_address("10.0.0.5", "203.0.113.7", [ipaddress.ip_network("10.0.0.0/8")]) == (
        "203.0.113.7"
    )


def test_a_bad_trusted_proxy_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOZIALRAUM_TRUSTED_PROXIES", "127.0.0.1, nginx")
    with pytest.raises(SettingError, match="SOZIALRAUM_TRUSTED_PROXIES"):
        accounts.trusted_proxies()


def test_without_a_client_address_nobody_locks_everybody_out(register: store.Register) -> None:
    _account(register, "opfer@stadt.de", "coordinator")
    policy = accounts.LoginPolicy(per_account=5, per_client=3, window=timedelta(minutes=15))
    for n in range(10):  # anybody, from an unknown address, against many accounts
        with pytest.raises(accounts.LoginError):
            accounts.login(register, f"raten{n}@stadt.de", "falsch-falsch", client="", policy=policy)
    assert accounts.login(register, "opfer@stadt.de", PASSWORD, client="", policy=policy).account_id
    for n in range(3):  # a known address is still limited as a client
        with pytest.raises(accounts.LoginError):
            accounts.login(
                register, f"raten{n}@stadt.de", "falsch-falsch", client="203.0.113.7", policy=policy
            )
    with pytest.raises(accounts.LoginError, match="gesperrt"):
        accounts.login(register, "opfer@stadt.de", PASSWORD, client="203.0.113.7", policy=policy)


def test_demo_accounts_cannot_be_taken_away_from_other_visitors(tmp_path: Path) -> None:
    from geo.register import demo_register, privacy

    register = store.Register(f"sqlite:///{tmp_path / 'demo.sqlite'}", demo=True)
    assert demo_register.seed_register(register, ["011001", "011002"])
    assert not demo_register.seed_register(
        register, ["011001", "011002"]
    )  # only a brand-new register is seeded
    admin = accounts.login(register, "admin@demo.invalid", demo_register.DEMO_PASSWORD)
    views = {a.email: a for a in accounts.accounts(register, by=admin)}
    connector = views["connector@demo.invalid"]
    with pytest.raises(accounts.LoginError, match="Demo-Konten"):
        accounts.update_account(register, connector.id, by=admin, version=connector.version, disabled=True)
    with pytest.raises(accounts.LoginError, match="Demo-Konten"):
        accounts.new_setup_code(register, connector.id, by=admin)
    with pytest.raises(accounts.LoginError, match="Demo-Konten"):
        accounts.change_password(
            register, by=admin, old=demo_register.DEMO_PASSWORD, new="ein-neues-passwort"
        )
    with pytest.raises(store.RegisterError, match="Demo-Konten"):
        privacy.erase_connector(register, connector.connector_id or 0, by=CLI)
    assert accounts.login(register, "connector@demo.invalid", demo_register.DEMO_PASSWORD).roles == {
        "connector"
    }
    with pytest.raises(ValueError, match="demo register"):
        demo_register.seed_register(store.Register(f"sqlite:///{tmp_path / 'real.sqlite'}"), ["011001"])
    register.close()


def test_passwords_use_owasps_argon2_parameters_and_older_hashes_are_renewed_at_login(
    register: store.Register, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """
    m = 19 MiB, t = 2, p = 1 unless set otherwise; a hash made with argon2-cffi's defaults (64 MiB) is replaced
    at the next login. (The suite hashes at the lowest cost, `conftest.py`: here the settings are unset.)
    """
    from argon2 import PasswordHasher

    monkeypatch.setenv("SOZIALRAUM_ARGON2_MEMORY_KIB", "4096")
    with caplog.at_level("WARNING"):
        assert accounts.password_hasher().memory_cost == 4096
    assert "below OWASP's recommendation" in caplog.text  # a weaker server says so
    monkeypatch.setenv("SOZIALRAUM_ARGON2_PASSES", "0")
    with pytest.raises(SettingError):
        accounts.password_hasher()
    monkeypatch.delenv("SOZIALRAUM_ARGON2_MEMORY_KIB")
    monkeypatch.delenv("SOZIALRAUM_ARGON2_PASSES")
    caplog.clear()
    owasp = accounts.password_hasher()
    assert (owasp.memory_cost, owasp.time_cost, owasp.parallelism) == (19 * 1024, 2, 1)
    assert "OWASP" not in caplog.text
    monkeypatch.setattr(accounts, "_hasher", owasp)
    _account(register, "ana@stadt.de", "coordinator")
    with register.write(CLI, store.Action.MANAGE_ACCOUNTS, "test.old_hash", target="account") as tx:
        record = tx.session.scalar(select(models.Account).where(models.Account.email == "ana@stadt.de"))
        assert record is not None
        assert record.password_hash is not None and "$m=19456,t=2,p=1$" in record.password_hash
        record.password_hash = PasswordHasher().hash(PASSWORD)  # as every account before this change
    accounts.login(register, "ana@stadt.de", PASSWORD)
    with register.read() as s:
        renewed = s.scalar(select(models.Account.password_hash).where(models.Account.email == "ana@stadt.de"))
    assert renewed is not None and "$m=19456,t=2,p=1$" in renewed
    assert accounts.login(register, "ana@stadt.de", PASSWORD).roles == {"coordinator"}


def test_logins_at_once_hash_a_bounded_number_of_passwords_at_a_time(
    register: store.Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 people logging in together: at most SOZIALRAUM_HASH_CONCURRENCY hashes run at once (memory)."""
    import threading
    import time

    _account(register, "ana@stadt.de", "coordinator")
    monkeypatch.setenv("SOZIALRAUM_HASH_CONCURRENCY", "2")
    accounts._slots.cache_clear()
    real, running, most = accounts._hasher.verify, [0], [0]
    lock = threading.Lock()

    def counted(stored: str, secret: str) -> bool:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        try:
            return bool(real(stored, secret))
        finally:
            with lock:
                running[0] -= 1

    class Counted:  # PasswordHasher's attributes are read-only: the module's hasher is replaced for the test
        verify = staticmethod(counted)
        hash = staticmethod(accounts._hasher.hash)
        check_needs_rehash = staticmethod(accounts._hasher.check_needs_rehash)

    monkeypatch.setattr(accounts, "_hasher", Counted())
    with register.read() as s:
        version_before = s.scalars(select(models.Account)).one().version
    failed: list[BaseException] = []

    def login() -> None:
        try:
            accounts.login(register, "ana@stadt.de", PASSWORD)
        except BaseException as exc:
            failed.append(exc)

    threads = [threading.Thread(target=login) for _ in range(20)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        accounts._slots.cache_clear()
    assert most[0] == 2
    assert failed == []
    with register.read() as s:  # a login is no versioned edit: twenty at once cannot conflict (they did)
        (account,) = s.scalars(select(models.Account))
        assert account.version == version_before and account.last_login_at is not None
