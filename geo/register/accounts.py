"""
Accounts: logging in, one-time codes, throttling, roles, and the audit log.

Two ways to know who is acting:

- Accounts in the register (the embedded default): one per person, an Argon2id hash of the password. An
  admin creates the account (in the app or with ``python -m geo user add``) and hands the person a one-time
  code; the person sets their own password with it before it expires.
- An identity provider (OpenID Connect through Streamlit's ``st.login``): the provider vouches for the
  e-mail address; the roles come from a claim (``SOZIALRAUM_OIDC_ROLE_CLAIM``, e.g. ``groups``) or, without
  one, from this account table (kept by admins).

Failed logins are kept in the database, so every server process counts the same failures and a restart
forgets nothing: per account and per client, with a window and a limit from the settings.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo.core import i18n
from geo.core.access import AccessDeniedError, Action, Principal, Role
from geo.core.errors import RegisterError, SozialraumError
from geo.core.settings import NUMBERS, SettingError, env_number
from geo.register.models import Account, AuditEntry, Connector, LoginFailure, LoginSession, SetupCode
from geo.register.store import NO_LOGIN, Register, principal_of

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}$")


#: OWASP's Password Storage Cheat Sheet for Argon2id on a server: m = 19 MiB, t = 2, p = 1 (the settings' defaults).
OWASP_MEMORY_KIB = int(NUMBERS["SOZIALRAUM_ARGON2_MEMORY_KIB"][0])
OWASP_PASSES = int(NUMBERS["SOZIALRAUM_ARGON2_PASSES"][0])


def password_hasher() -> PasswordHasher:
    """
    Argon2id as OWASP's Password Storage Cheat Sheet recommends for a server: m = 19 MiB, t = 2, p = 1.

    A login costs 19 MiB of memory instead of argon2-cffi's default 64 MiB. A hash made with other
    parameters is renewed at the person's next successful login (`login`, `check_needs_rehash`).
    `SOZIALRAUM_ARGON2_MEMORY_KIB` and `SOZIALRAUM_ARGON2_PASSES` change the cost; the test suite lowers it
    (a hash in a thousandth of the time), a server below OWASP's figures says so in its log.

    Raises
    ------
    SettingError
        For a setting that is no number or below its minimum.
    """
    memory, passes = (
        int(env_number("SOZIALRAUM_ARGON2_MEMORY_KIB")),
        int(env_number("SOZIALRAUM_ARGON2_PASSES")),
    )
    if memory < OWASP_MEMORY_KIB or passes < OWASP_PASSES:
        logging.getLogger("sozialraum_karte.accounts").warning(
            "passwords are hashed below OWASP's recommendation (Argon2id m=%d KiB, t=%d; recommended m=%d, t=%d)",
            memory,
            passes,
            OWASP_MEMORY_KIB,
            OWASP_PASSES,
        )
    return PasswordHasher(time_cost=passes, memory_cost=memory, parallelism=1)


def _hasher_at_start() -> PasswordHasher:
    """
    The hasher of this process.

    With OWASP's figures when a setting is unusable: the app names the setting when it starts
    (`geo.core.settings.check_environment`).
    """
    try:
        return password_hasher()
    except SettingError:
        return PasswordHasher(time_cost=OWASP_PASSES, memory_cost=OWASP_MEMORY_KIB, parallelism=1)


_hasher = _hasher_at_start()


@functools.cache
def _slots() -> ThreadPoolExecutor:
    """
    The few threads that hash and check passwords and codes (`SOZIALRAUM_HASH_CONCURRENCY`, default 4).

    Every other thread hands its hash to them and waits: at most that many Argon2 hashes are in memory at
    once, and only in these threads' memory pools (a hash made in each session's own thread leaves its
    19 MiB in that thread's pool: 20 logins at once grew the server by about 330 MiB).
    """
    workers = int(env_number("SOZIALRAUM_HASH_CONCURRENCY"))
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")


def _hash(secret: str) -> str:
    """An Argon2id hash of `secret`, made by one of the hashing threads (memory stays bounded)."""
    return _slots().submit(lambda: _hasher.hash(secret)).result()


def _verify(stored: str, secret: str) -> bool:
    """True when `secret` matches `stored` (raises as `PasswordHasher.verify`); checked like `_hash`."""
    return bool(_slots().submit(lambda: _hasher.verify(stored, secret)).result())


@functools.cache
def _dummy_hash() -> str:
    """
    Verified when an e-mail address is unknown, so an unknown address takes as long as a wrong password.

    Made when first needed (a sixth of a second at import otherwise).
    """
    return _hash("sozialraum-karte: no such account")


class LoginError(SozialraumError):
    """A login, a one-time code or a new password was not accepted; the message says why, plainly."""


@dataclass(frozen=True)
class LoginPolicy:
    """Throttling: at most `per_account` failures per account and `per_client` per client in `window`."""

    per_account: int = 5
    per_client: int = 20
    window: timedelta = timedelta(minutes=15)
    code_valid: timedelta = timedelta(hours=72)

    @classmethod
    def from_env(cls) -> LoginPolicy:
        """`SOZIALRAUM_LOGIN_MAX_FAILURES`, `SOZIALRAUM_LOGIN_MAX_CLIENT_FAILURES`, `SOZIALRAUM_LOGIN_WINDOW_MIN`, `SOZIALRAUM_CODE_HOURS`."""
        return cls(
            per_account=int(env_number("SOZIALRAUM_LOGIN_MAX_FAILURES")),
            per_client=int(env_number("SOZIALRAUM_LOGIN_MAX_CLIENT_FAILURES")),
            window=timedelta(minutes=env_number("SOZIALRAUM_LOGIN_WINDOW_MIN")),
            code_valid=timedelta(hours=env_number("SOZIALRAUM_CODE_HOURS")),
        )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def normalise_email(email: str) -> str:
    """An e-mail address as stored: trimmed and lower-case; refused when it is not one."""
    value = (email or "").strip().lower()
    if not _EMAIL.match(value):
        raise LoginError("accounts.bad_email")
    return value


def _key(kind: str, value: str) -> str:
    """A throttling key that does not keep the client's address or a typed e-mail in the clear."""
    return kind + ":" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:40]


def parse_roles(roles: Iterable[str] | str) -> frozenset[str]:
    """Roles from a list or a comma-separated text; refused when one is unknown."""
    items = roles.split(",") if isinstance(roles, str) else list(roles)
    out = frozenset(r.strip().lower() for r in items if r.strip())
    unknown = sorted(out - {r.value for r in Role})
    if unknown:
        raise LoginError("accounts.unknown_role", roles=unknown, known=[r.value for r in Role])
    return out


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise LoginError("accounts.password_short", n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise LoginError("accounts.password_long", n=MAX_PASSWORD)


def new_code() -> str:
    """A one-time code people can type: 12 letters and digits in three groups, no look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _clean_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


# --- throttling -----------------------------------------------------------------------------------------


#: The proxies whose ``X-Forwarded-For`` is believed: the documented nginx on the same host.
DEFAULT_TRUSTED_PROXIES = "127.0.0.1/32,::1/128"


def trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """
    The networks of reverse proxies whose ``X-Forwarded-For`` names the client (`SOZIALRAUM_TRUSTED_PROXIES`).

    Comma-separated addresses or networks; empty (``""``) trusts no proxy. A value that is no address stops
    with a sentence naming the setting.
    """
    text = os.environ.get("SOZIALRAUM_TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES)
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise SettingError(
                "error.setting_invalid_proxies", name="SOZIALRAUM_TRUSTED_PROXIES", value=part[:40]
            ) from exc
    return networks


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address (an IPv4 address mapped into IPv6, as a dual-stack server reports it, as IPv4)."""
    try:
        address = ipaddress.ip_address((text or "").strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(peer: str | None) -> bool:
    """True when a connection comes from one of the `trusted_proxies`."""
    address = _address(peer)
    return address is not None and any(
        address in n for n in trusted_proxies() if n.version == address.version
    )


def client_address(
    peer: str | None,
    forwarded_for: str | None,
    trusted: list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None = None,
) -> str:
    """
    The address that tells clients apart for login throttling; "" when it is not known.

    `peer` is the address the connection came from. Only when it is a trusted proxy is ``X-Forwarded-For``
    read, from the right: the first address that is not itself a trusted proxy is the client (what the
    proxy appended, not what the client wrote in front). A connection straight from this host without a
    proxy's header (local use), or a header that names no address, gives "": then only the per-account
    limit applies, so nobody can lock everybody out.
    """
    trusted = trusted_proxies() if trusted is None else trusted

    def is_proxy(a: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(a in n for n in trusted if n.version == a.version)

    direct = _address(peer)
    if direct is None:
        return ""
    if not is_proxy(direct):
        return str(direct)
    for part in reversed((forwarded_for or "").split(",")):
        hop = _address(part)
        if hop is None:
            return ""
        if not is_proxy(hop):
            return str(hop)
    return ""


def _failures(register: Register, key: str, since: datetime) -> int:
    with register.read() as s:
        return int(
            s.scalar(select(func.count()).where(LoginFailure.key == key, LoginFailure.at >= since)) or 0
        )


def lock_remaining(
    register: Register, *, email: str, client: str, policy: LoginPolicy | None = None
) -> timedelta:
    """How long logins for this e-mail address or from this client are refused (zero when they are not)."""
    policy = policy or LoginPolicy.from_env()
    now = _now()
    since = now - policy.window
    waits = []
    limits = [(_key("account", email.strip().lower()), policy.per_account)]
    if client:  # without a known address only the account's own limit applies (one bucket for all would let
        limits.append((_key("client", client), policy.per_client))  # anybody lock everybody out)
    for key, limit in limits:
        with register.read() as s:
            times = list(
                s.scalars(
                    select(LoginFailure.at)
                    .where(LoginFailure.key == key, LoginFailure.at >= since)
                    .order_by(LoginFailure.at.desc())
                    .limit(limit)
                )
            )
        if len(times) >= limit:
            waits.append(times[-1] + policy.window - now)
    return max(waits, default=timedelta(0))


def _fail(register: Register, email: str, client: str, reason: str, account_id: int | None) -> None:
    """Count a failure for the account and the client, and record it in the audit log."""
    who = Principal(label=f"account #{account_id}" if account_id else "unknown", account_id=account_id)
    with register.write(who, NO_LOGIN, "login.failed", target="account", target_id=account_id or "") as tx:
        s = tx.session
        s.execute(delete(LoginFailure).where(LoginFailure.at < _now() - timedelta(days=1)))  # long past
        s.add(LoginFailure(scope="account", key=_key("account", email), at=_now()))
        if client:
            s.add(LoginFailure(scope="client", key=_key("client", client), at=_now()))
        tx.details = {"reason": reason}


# --- logging in -----------------------------------------------------------------------------------------


def login(
    register: Register,
    email: str,
    password: str,
    *,
    client: str = "",
    policy: LoginPolicy | None = None,
) -> Principal:
    """
    Log in with an e-mail address and a password.

    Every way to fail is one `LoginError` with a plain sentence: an empty or overlong password, an unknown
    address or a wrong password (the same sentence for both), a disabled account, an account without a
    password yet, or too many failures (the account or the client is locked for a while).

    `client` tells clients apart (the browser's address); only a hash of it is stored.
    """
    policy = policy or LoginPolicy.from_env()
    address = (email or "").strip().lower()
    if not address or not password:
        raise LoginError("accounts.login_empty")
    if len(password) > MAX_PASSWORD or len(address) > 254:
        raise LoginError("accounts.login_failed")
    wait = lock_remaining(register, email=address, client=client, policy=policy)
    if wait > timedelta(0):
        raise LoginError("accounts.locked", minutes=max(1, int(wait.total_seconds() // 60) + 1))
    with register.read() as s:
        account = s.scalar(select(Account).where(Account.email == address))
        stored = account.password_hash if account is not None else None
        account_id = account.id if account is not None else None
        disabled = bool(account.disabled) if account is not None else False
    try:
        ok = _verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        _fail(register, address, client, "password" if account_id else "unknown", account_id)
        raise LoginError("accounts.login_failed")
    if disabled:
        _fail(register, address, client, "disabled", account_id)
        raise LoginError("accounts.disabled")
    with register.write(Principal.public(), NO_LOGIN, "login", target="account", target_id=account_id) as tx:
        s = tx.session
        changes: dict[str, object] = {"last_login_at": _now()}
        if stored is not None and _hasher.check_needs_rehash(stored):
            changes["password_hash"] = _hash(password)
        # a plain UPDATE, not a versioned edit: logins to one account at once (a shared account at a meeting)
        # never conflict, and a login does not make an admin's open form of the account stale
        s.execute(update(Account).where(Account.id == account_id).values(**changes))
        record = s.get(Account, account_id)
        assert record is not None
        s.execute(delete(LoginFailure).where(LoginFailure.key == _key("account", address)))
        principal = tx.by = principal_of(s, record, demo=register.demo)  # the entry names who logged in
        tx.details = {"source": "password"}
    return principal


def principal_for(register: Register, account_id: int | None) -> Principal:
    """
    The principal of a logged-in account as the register holds it now (public when it is gone or disabled).

    Pages call this on every rerun, so a role taken away or an account disabled counts from the next click.
    """
    if account_id is None:
        return Principal.public()
    with register.read() as s:
        account = s.get(Account, account_id)
        if account is None or account.disabled:
            return Principal.public()
        return principal_of(s, account, demo=register.demo)


def oidc_principal(
    register: Register,
    claims: Mapping[str, object],
    *,
    role_claim: str | None = None,
    role_map: Mapping[str, str] | None = None,
) -> Principal:
    """
    The principal for a person the identity provider logged in (`claims` as in ``st.user``).

    With `role_claim`, the roles come from that claim (a list or a comma-separated text; `role_map` turns
    provider group names into roles) and the account is created or updated to match, every change audited.
    Without it, the account table decides (an address not in it is treated as the public).

    Raises
    ------
    LoginError
        When the provider gave no verified e-mail address, or the account is disabled.
    """
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is False:
        raise LoginError("accounts.oidc_no_email")
    with register.read() as s:
        account = s.scalar(select(Account).where(Account.email == email))
        if account is not None and account.disabled:
            raise LoginError("accounts.disabled")
    if role_claim:
        raw = claims.get(role_claim) or []
        groups = [str(g) for g in (raw if isinstance(raw, list | tuple) else str(raw).split(","))]
        mapping = {k.lower(): v for k, v in (role_map or {}).items()}
        roles = frozenset(
            r
            for g in groups
            if (r := mapping.get(g.strip().lower(), g.strip().lower())) in {x.value for x in Role}
        )
        with register.write(Principal(label="oidc"), NO_LOGIN, None) as tx:  # entries only for changes
            s = tx.session
            account = s.scalar(select(Account).where(Account.email == email))
            if account is None:
                account = Account(
                    email=email, display_name=str(claims.get("name") or "")[:80], roles="", source="oidc"
                )
                s.add(account)
                s.flush()
                tx.also("account.create", target="account", target_id=account.id, source="oidc")
            if account.role_set() != roles:
                before = sorted(account.role_set())
                account.roles = ",".join(sorted(roles))
                tx.also(
                    "account.roles",
                    target="account",
                    target_id=account.id,
                    **{"from": before, "to": sorted(roles)},
                )
    return principal_for(register, _account_id(register, email))


def _account_id(register: Register, email: str) -> int | None:
    with register.read() as s:
        return s.scalar(select(Account.id).where(Account.email == email))


# --- sessions that survive a reload ---------------------------------------------------------------------


def session_hours() -> float:
    """How long a login lasts in a browser (`SOZIALRAUM_SESSION_HOURS`, default 12)."""
    return env_number("SOZIALRAUM_SESSION_HOURS")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: How long a new session's ticket can be redeemed for its cookie (the page does so at once).
TICKET_SECONDS = 120


@dataclass(frozen=True)
class LoginTicket:
    """A new session: its id (kept in the tab's server-side state) and the one-time ticket for its cookie."""

    session_id: int
    ticket: str


def _end_sessions(s: Session, account_id: int, *, keep: int | None = None) -> int:
    """End every login session of an account (except `keep`); returns how many ended."""
    query = delete(LoginSession).where(LoginSession.account_id == account_id)
    if keep is not None:
        query = query.where(LoginSession.id != keep)
    return int(getattr(s.execute(query), "rowcount", 0) or 0)


def start_session(register: Register, principal: Principal) -> LoginTicket:
    """
    A new login session for a logged-in principal, and a one-time ticket that sets its cookie.

    The tab keeps the session's id in its server-side state; the browser redeems the ticket at
    ``/_sk/session`` (`geo.register.websession`), whose answer sets the HttpOnly cookie with a random token. Only
    hashes of ticket and token are stored. The session ends after `session_hours()`, with logout (in every
    tab and with every copy of its cookie), and when the account's password, code, roles or state change.
    """
    if principal.account_id is None:
        raise AccessDeniedError("access.login_needed")
    ticket = ("d" if register.demo else "r") + secrets.token_urlsafe(32)  # which register it belongs to
    with register.write(principal, NO_LOGIN, None) as tx:  # the login itself is the audited event
        s = tx.session
        now = _now()
        s.execute(delete(LoginSession).where(LoginSession.expires_at < now))  # forget old ones on the way
        record = LoginSession(
            token_hash=None,
            account_id=principal.account_id,
            expires_at=now + timedelta(hours=session_hours()),
            ticket_hash=_token_hash(ticket),
            ticket_expires=now + timedelta(seconds=TICKET_SECONDS),
        )
        s.add(record)
        s.flush()
        return LoginTicket(record.id, ticket)


def redeem_ticket(register: Register, ticket: str | None) -> tuple[str, datetime] | None:
    """
    The cookie's token for a session's one-time ticket, and when the session expires (None: no such ticket).

    The ticket is used up; a token already issued is replaced, so only the newest cookie works.
    """
    if not isinstance(ticket, str) or not ticket or len(ticket) > 100:
        return None
    token = secrets.token_urlsafe(32)
    with register.write(Principal.public(), NO_LOGIN, None) as tx:  # a browser sets its cookie: no event
        s = tx.session
        now = _now()
        found = s.scalar(select(LoginSession).where(LoginSession.ticket_hash == _token_hash(ticket)))
        if found is None or found.expires_at <= now or (found.ticket_expires or now) <= now:
            return None
        found.ticket_hash = None
        found.ticket_expires = None
        found.token_hash = _token_hash(token)
        return token, found.expires_at


def session_of_token(register: Register, token: str | None) -> int | None:
    """The session a browser's cookie token belongs to (None when it is unknown or expired)."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    with register.read() as s:
        found = s.scalar(select(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
        return found.id if found is not None and found.expires_at > _now() else None


def session_principal(register: Register, session_id: int | None) -> Principal:
    """
    Who a login session acts for, checked against the register on every run of a page.

    Public when the session has ended (logout anywhere, expiry, a new password or code, changed roles) or
    its account is gone or disabled.
    """
    if not isinstance(session_id, int):
        return Principal.public()
    with register.read() as s:
        found = s.get(LoginSession, session_id)
        account_id = found.account_id if found is not None and found.expires_at > _now() else None
    return principal_for(register, account_id)


def end_session(register: Register, session_id: int | None) -> None:
    """Logout: the session stops working at once, in every tab, every server process and every cookie copy."""
    if isinstance(session_id, int):
        with register.write(Principal.public(), NO_LOGIN, None) as tx:  # logout: no event, as before
            tx.session.execute(delete(LoginSession).where(LoginSession.id == session_id))


def end_all_sessions(register: Register, account_id: int, *, by: Principal) -> int:
    """An admin (or the person) ends every login of an account, e.g. after a lost phone; audited."""
    action = Action.READ_PUBLIC if by.account_id == account_id else Action.MANAGE_ACCOUNTS
    with register.write(by, action, "account.sessions_end", target="account", target_id=account_id) as tx:
        ended = _end_sessions(tx.session, account_id)
        tx.details = {"sessions": ended}
        return ended


def record_login(register: Register, principal: Principal, source: str) -> None:
    """Audit a login that happened elsewhere (the identity provider)."""
    if principal.account_id is not None:
        register.record(principal, "login", target="account", target_id=principal.account_id, source=source)


# --- accounts -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountView:
    """An account as admins see it (no hash, no code)."""

    id: int
    email: str
    display_name: str
    roles: frozenset[str]
    connector_id: int | None
    disabled: bool
    source: str
    has_password: bool
    code_expires: datetime | None
    last_login_at: datetime | None
    version: int


def count_accounts(register: Register) -> int:
    """How many accounts exist (the first start offers to create an admin when there are none)."""
    with register.read() as s:
        return int(s.scalar(select(func.count()).select_from(Account)) or 0)


def accounts(register: Register, *, by: Principal) -> list[AccountView]:
    """All accounts, for admins."""
    with register.read(by, Action.MANAGE_ACCOUNTS) as s:
        return [
            AccountView(
                a.id,
                a.email,
                a.display_name,
                a.role_set(),
                a.connector_id,
                a.disabled,
                a.source,
                a.password_hash is not None,
                a.setup_code_expires,
                a.last_login_at,
                a.version,
            )
            for a in s.scalars(select(Account).order_by(Account.email))
        ]


def create_account(
    register: Register,
    *,
    by: Principal,
    email: str,
    roles: Iterable[str] | str,
    display_name: str = "",
    connector_id: int | None = None,
    policy: LoginPolicy | None = None,
) -> tuple[int, str]:
    """
    Create an account and its one-time code (returned once, stored only as a hash); returns (id, code).

    A connector account must be linked to a connector record, so the person's rights follow their tandems.
    """
    policy = policy or LoginPolicy.from_env()
    address = normalise_email(email)
    role_set = parse_roles(roles)
    if Role.CONNECTOR in role_set and connector_id is None:
        raise LoginError("accounts.connector_needs_record")
    code = new_code()
    try:
        with register.write(by, Action.MANAGE_ACCOUNTS, "account.create", target="account") as tx:
            if connector_id is not None and tx.session.get(Connector, connector_id) is None:
                raise RegisterError("register.not_found", what=f"connector {connector_id}")
            record = Account(
                email=address,
                display_name=display_name.strip()[:80],
                roles=",".join(sorted(role_set)),
                connector_id=connector_id,
                setup_code_hash=_hash(_clean_code(code)),
                setup_code_expires=_now() + policy.code_valid,
                source="local",
            )
            tx.session.add(record)
            tx.session.flush()
            tx.target_id = record.id
            tx.details = {"roles": sorted(role_set), "connector": connector_id is not None}
            return record.id, code
    except IntegrityError as exc:
        raise LoginError("accounts.exists", email=address) from exc


def install_code(register: Register, *, renew: bool = False) -> str | None:
    """
    The one-time setup code of a fresh install, made when none exists; None when there is nothing to print.

    Only the operator sees it: the server prints it to its log when it starts on a register without accounts
    (and ``python -m geo setup-code`` makes a new one, `renew`). Its hash is kept; the form that creates the
    first admin asks for it. Once an account exists there is no code (and none is made).
    """
    if register.demo:
        return None
    with register.write(Principal(label="setup"), NO_LOGIN, None) as tx:  # only the operator sees the code
        s = tx.session
        if (s.scalar(select(func.count()).select_from(Account)) or 0) > 0:
            s.execute(delete(SetupCode))
            return None
        if not renew and s.scalar(select(func.count()).select_from(SetupCode)):
            return None
        s.execute(delete(SetupCode))
        code = new_code()
        s.add(SetupCode(code_hash=_hash(_clean_code(code))))
        return code


def announce_install_code(register: Register) -> str | None:
    """
    On a register without accounts: make the setup code (when none is waiting) and print it to the log.

    The server's log is the one place only the operator reads. Called when the server starts and when the
    Konto page offers the first admin form (so an app started any other way still gets one).
    """
    code = install_code(register)
    if code:
        logging.getLogger("sozialraum_karte.accounts").warning(
            "No account yet. Setup code for the first admin account (Konto page): %s "
            "(or create the account with: sozialraum-karte user add --email EMAIL --role admin,coordinator; "
            "a new code: sozialraum-karte user setup-code)",
            code,
        )
    return code


def create_first_admin(
    register: Register,
    *,
    email: str,
    password: str,
    setup_code: str,
    display_name: str = "",
    client: str = "",
    policy: LoginPolicy | None = None,
) -> Principal:
    """
    On a fresh install: the first account, an admin, with its password. Refused once any account exists.

    Only the operator can: the form asks for the setup code the server printed to its log
    (`install_code`); a wrong code counts as a failed login (throttled the same way). The check and the
    insert are one transaction, so two people racing on a fresh install make one admin.
    """
    policy = policy or LoginPolicy.from_env()
    address = normalise_email(email)
    _check_password(password)
    if register.demo:
        raise LoginError("accounts.demo_fixed")
    if lock_remaining(register, email="setup", client=client, policy=policy) > timedelta(0):
        raise LoginError("accounts.locked", minutes=int(policy.window.total_seconds() // 60))
    with register.read() as s:
        stored = [row.code_hash for row in s.scalars(select(SetupCode))]
    try:
        ok = any(_verify(h, _clean_code(setup_code)) for h in stored)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        _fail(register, "setup", client, "setup_code", None)
        raise LoginError("accounts.setup_code_wrong")
    first = Principal(label="setup")
    with register.write(first, NO_LOGIN, "account.create_first_admin", target="account") as tx:
        s = tx.session
        if (s.scalar(select(func.count()).select_from(Account)) or 0) > 0:
            raise AccessDeniedError("accounts.not_first")
        record = Account(
            email=address,
            display_name=display_name.strip()[:80],
            roles=",".join(sorted({Role.ADMIN.value, Role.COORDINATOR.value})),
            password_hash=_hash(password),
            source="local",
        )
        s.add(record)
        s.flush()
        s.execute(delete(SetupCode))  # used up
        tx.target_id = record.id
        return principal_of(s, record, demo=register.demo)


def new_setup_code(
    register: Register, account_id: int, *, by: Principal, policy: LoginPolicy | None = None
) -> str:
    """A fresh one-time code for an account (a forgotten password); the old password stops working."""
    policy = policy or LoginPolicy.from_env()
    code = new_code()
    with register.write(
        by, Action.MANAGE_ACCOUNTS, "account.new_code", target="account", target_id=account_id
    ) as tx:
        record = tx.session.get(Account, account_id)
        if record is None:
            raise RegisterError("register.not_found", what=f"account {account_id}")
        if record.source == "demo":
            raise LoginError("accounts.demo_fixed")
        record.setup_code_hash = _hash(_clean_code(code))
        record.setup_code_expires = _now() + policy.code_valid
        record.password_hash = None
        tx.details = {"sessions_ended": _end_sessions(tx.session, account_id)}
    return code


def set_password_with_code(
    register: Register,
    email: str,
    code: str,
    password: str,
    *,
    client: str = "",
    policy: LoginPolicy | None = None,
) -> Principal:
    """
    A person sets their password with their one-time code; returns the logged-in principal.

    The code is used up. Wrong codes count as failed logins (throttled the same way).
    """
    policy = policy or LoginPolicy.from_env()
    address = (email or "").strip().lower()
    _check_password(password)
    if lock_remaining(register, email=address, client=client, policy=policy) > timedelta(0):
        raise LoginError("accounts.locked", minutes=int(policy.window.total_seconds() // 60))
    with register.read() as s:
        account = s.scalar(select(Account).where(Account.email == address))
        stored = account.setup_code_hash if account is not None else None
        expires = account.setup_code_expires if account is not None else None
        account_id = account.id if account is not None else None
        disabled = bool(account.disabled) if account is not None else False
    try:
        ok = _verify(stored or _dummy_hash(), _clean_code(code)) and stored is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        _fail(register, address, client, "code", account_id)
        raise LoginError("accounts.code_wrong")
    if expires is None or expires < _now():
        raise LoginError("accounts.code_expired")
    if disabled:
        raise LoginError("accounts.disabled")
    event = "account.password_set"
    with register.write(Principal.public(), NO_LOGIN, event, target="account", target_id=account_id) as tx:
        s = tx.session
        record = s.get(Account, account_id)
        assert record is not None
        record.password_hash = _hash(password)
        record.setup_code_hash = None
        record.setup_code_expires = None
        record.last_login_at = _now()
        _end_sessions(s, record.id)  # whoever was logged in with the old password is not any more
        principal = tx.by = principal_of(s, record, demo=register.demo)  # the entry names who set it
        tx.details = {"with": "code"}
    return principal


def change_password(
    register: Register, *, by: Principal, old: str, new: str, keep_session: int | None = None
) -> int:
    """
    A logged-in person changes their own password (the old one is asked again).

    Returns how many other login sessions of the account ended (all but `keep_session`, the one in use).
    """
    _check_password(new)
    if by.account_id is None:
        raise AccessDeniedError("access.login_needed")
    if register.demo:
        raise LoginError("accounts.demo_fixed")
    with register.write(
        by, Action.READ_PUBLIC, "account.password_change", target="account", target_id=by.account_id
    ) as tx:
        record = tx.session.get(Account, by.account_id)
        assert record is not None
        try:
            ok = record.password_hash is not None and _verify(record.password_hash, old)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            raise LoginError("accounts.old_password_wrong")
        record.password_hash = _hash(new)
        ended = _end_sessions(tx.session, record.id, keep=keep_session)
        tx.details = {"sessions_ended": ended}
        return ended


def set_language(register: Register, language: str, *, by: Principal) -> bool:
    """
    A logged-in person chooses the language of the app and of the mails they get; returns whether it changed.

    The demo's accounts are shared by everyone trying the demo: their language is not stored (the next person
    would find the app in someone else's language).

    Raises
    ------
    LoginError
        For a language the app does not speak.
    AccessDeniedError
        Without a login.
    """
    if language not in i18n.LANGUAGES:
        raise LoginError("accounts.unknown_language", language=language[:8])
    if by.account_id is None:
        raise AccessDeniedError("access.login_needed")
    if register.demo or language == language_of(register, by=by):
        return False
    with register.write(
        by, Action.READ_PUBLIC, "account.language", target="account", target_id=by.account_id
    ) as tx:
        record = tx.session.get(Account, by.account_id)
        assert record is not None
        record.language = language
        tx.details = {"language": language}
    return True


def language_of(register: Register, *, by: Principal) -> str | None:
    """The language `by` chose for the app and their mails (None: not chosen, or not logged in)."""
    if by.account_id is None:
        return None
    with register.read() as s:
        language = s.scalar(select(Account.language).where(Account.id == by.account_id))
    return language if language in i18n.LANGUAGES else None


def update_account(
    register: Register,
    account_id: int,
    *,
    by: Principal,
    version: int,
    roles: Iterable[str] | str | None = None,
    disabled: bool | None = None,
    connector_id: int | bool | None = False,
) -> None:
    """
    Change an account's roles, link or state (admins). An admin cannot take away the last active admin.

    `connector_id=False` leaves the link as it is; None removes it.
    """
    with register.write(
        by, Action.MANAGE_ACCOUNTS, "account.update", target="account", target_id=account_id
    ) as tx:
        s = tx.session
        record = s.get(Account, account_id)
        if record is None:
            raise RegisterError("register.not_found", what=f"account {account_id}")
        if record.source == "demo":  # every visitor of the demo relies on them
            raise LoginError("accounts.demo_fixed")
        if record.version != version:
            raise RegisterError("register.concurrent_edit")
        was_admin = Role.ADMIN in record.role_set() and not record.disabled
        changes: dict[str, object] = {}
        if roles is not None:
            new_roles = parse_roles(roles)
            if new_roles != record.role_set():
                changes["roles"] = {"from": sorted(record.role_set()), "to": sorted(new_roles)}
                record.roles = ",".join(sorted(new_roles))
        if connector_id is not False:
            if connector_id is not None and s.get(Connector, connector_id) is None:
                raise RegisterError("register.not_found", what=f"connector {connector_id}")
            if record.connector_id != connector_id:
                changes["connector"] = True
                record.connector_id = connector_id
        if Role.CONNECTOR in record.role_set() and record.connector_id is None:
            raise LoginError("accounts.connector_needs_record")
        if disabled is not None and disabled != record.disabled:
            changes["disabled"] = disabled
            record.disabled = disabled
        s.flush()
        admins = s.scalar(
            select(func.count()).where(Account.roles.contains(Role.ADMIN.value), Account.disabled.is_(False))
        )
        if was_admin and not admins:
            raise LoginError("accounts.last_admin")
        if changes:  # new rights or none: every open login starts again from what is stored now
            changes["sessions_ended"] = _end_sessions(s, account_id)
        tx.details = changes
        tx.target_id = account_id


# --- the audit log --------------------------------------------------------------------------------------

AUDIT_COLUMNS = ("at", "actor", "action", "target", "target_id", "details")


def audit_log(
    register: Register, *, by: Principal, limit: int | None = 500, action_prefix: str | None = None
) -> pd.DataFrame:
    """The audit log, newest first (coordinators and admins)."""
    with register.read(by, Action.READ_AUDIT) as s:
        query = select(AuditEntry).order_by(AuditEntry.id.desc())
        if action_prefix:
            query = query.where(AuditEntry.action.startswith(action_prefix))
        if limit:
            query = query.limit(limit)
        rows = [tuple(getattr(e, c) for c in AUDIT_COLUMNS) for e in s.scalars(query)]
    frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"])
    return frame


def audit_csv(register: Register, *, by: Principal, csv: Callable[[pd.DataFrame], bytes]) -> bytes:
    """The whole audit log as a spreadsheet-safe CSV; the export itself is recorded."""
    frame = audit_log(register, by=by, limit=None)
    register.record(by, "audit.export", target="audit", rows=len(frame))
    return csv(frame)


#: Where audit times are shown (they are stored in UTC).
LOCAL_ZONE = "Europe/Berlin"


def _word(prefix: str, code: object, lang: str) -> str:
    """`prefix.code` in words, or the code itself when the catalogue has no words for it (nothing hidden)."""
    key = f"{prefix}.{code}"
    text = i18n.translate(key, lang)
    return str(code) if text == key else text


def audit_in_words(frame: pd.DataFrame, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """
    The audit log as a person reads it: local time, the event, what it concerned and its details in words.

    Columns `at` (local wall-clock time), `actor`, `what`, `target`, `details`. An event or detail without a
    translation keeps its code, so nothing is hidden (the sweep test fails on such a code).
    """

    def word(prefix: str, code: str) -> str:
        return _word(prefix, code, lang)

    local = pd.to_datetime(frame["at"]).dt.tz_localize(UTC).dt.tz_convert(LOCAL_ZONE).dt.tz_localize(None)
    return pd.DataFrame(
        {
            "at": local,
            "actor": frame["actor"],
            "what": frame["action"].map(lambda a: word("audit_action", str(a))),
            "target": [
                (word("audit_target", str(t)) + (f" {i}" if i else "")).strip()
                for t, i in zip(frame["target"], frame["target_id"], strict=True)
            ],
            "details": frame["details"].map(lambda d: details_words(str(d or ""), lang)),
        }
    )


#: Details whose values are codes with their own words: the detail -> the codes' catalogue prefix.
CODED_DETAILS = {
    "reason": "handover.reason.",
    "basis": "partners.basis.",
    "role": "decide.role.",
    "method": "decide.method.",
    "proposal_kind": "decide.kind.",
}


def details_words(details: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """An audit entry's details in words: ``geänderte Angaben: Minuten, Minuten Vorbereitung``."""
    if not details:
        return ""
    try:
        data = json.loads(details)
    except json.JSONDecodeError:
        return details

    def word(prefix: str, code: object) -> str:
        return _word(prefix, code, lang)

    def status(code: object) -> str:  # a status code in words (concern, programme or activity status)
        for prefix in ("concerns.status_", "programme.status_", "activities.status_"):
            if (text := i18n.translate(f"{prefix}{code}", lang)) != f"{prefix}{code}":
                return text
        return str(code)

    def coded(prefix: str, code: str) -> str:  # a code with its own words (a leaving reason, a basis)
        text = i18n.translate(f"{prefix}{code}", lang)
        return code if text == f"{prefix}{code}" else text

    def value(v: object, key: str = "") -> str:
        if isinstance(v, str) and key in ("status", "from", "to", *CODED_DETAILS):
            return coded(CODED_DETAILS[key], v) if key in CODED_DETAILS else status(v)
        if isinstance(v, list | tuple):
            return ", ".join(word("audit_field", x) for x in v)
        if isinstance(v, bool):
            return i18n.translate("app.yes" if v else "app.no", lang)
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            return i18n.format_date(datetime.strptime(v, "%Y-%m-%d").date(), lang)
        if isinstance(v, int | float):
            return i18n.format_number(v, lang, decimals=0 if float(v).is_integer() else 2)
        return str(v)

    return "; ".join(f"{word('audit_detail', k)}: {value(v, k)}" for k, v in data.items())
