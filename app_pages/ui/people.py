"""Who is here: the login (password or the city's provider), the login session and its cookie, the language a person keeps."""

from __future__ import annotations

import contextlib
import secrets
import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app_pages.ui.caches import PREPARED, run_memo
from app_pages.ui.datasets import SESSION_COOKIE, open_register, register, showing_demo
from app_pages.ui.page import friendly_errors
from app_pages.ui.scripts import read_script
from app_pages.ui.text import LOG, lang, t
from geo.core import auth, i18n
from geo.core.access import Principal
from geo.core.errors import SozialraumError
from geo.register import accounts, demo_register, store

#: How long a process trusts what it read of `.streamlit/secrets.toml` (without the file Streamlit looks for
#: it on disk again on every question, which was 4 % of a busy server's time).
SECRETS_SECONDS = 30.0
_secrets_read: list[tuple[float, bool]] = []


def _auth_in_secrets() -> bool:
    now = time.monotonic()
    if _secrets_read and now - _secrets_read[0][0] < SECRETS_SECONDS:
        return _secrets_read[0][1]
    try:
        found = "auth" in st.secrets
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        found = False
    _secrets_read[:] = [(now, found)]
    return found


def oidc_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an ``[auth]`` section for `st.login` (and this is no demo)."""
    memo = run_memo()
    if "oidc_configured" not in memo:
        memo["oidc_configured"] = _auth_in_secrets() and not showing_demo()
    return bool(memo["oidc_configured"])


def client_id() -> str:
    """
    What tells clients apart for login throttling: the browser's address (only its hash is stored), read
    from ``X-Forwarded-For`` only behind a trusted proxy; "" when unknown (then the account's limit applies).
    """
    peer = st.context.ip_address or "127.0.0.1"  # Streamlit reports a connection from this host as None
    return accounts.client_address(peer, st.context.headers.get("X-Forwarded-For"))


def principal() -> Principal:
    """
    Who is acting in this browser session, as the register holds it now (public when nobody logged in).

    Built on every rerun, so a disabled account or a removed role counts from the next click. When the
    register cannot be opened (an operator's setting), the session acts as the public and the sidebar says
    why (`register_problem`); the pages that need no register keep working.
    """
    try:
        reg = register()
    except SozialraumError as exc:
        st.session_state["app_register_problem"] = exc.markdown(lang())
        return Principal.public()
    st.session_state.pop("app_register_problem", None)
    # asked by several parts of one run: read from the register once per run (and again when the run logs
    # someone in or out, which changes the key)
    memo = run_memo()
    key = (
        "principal",
        reg.url,
        repr(st.session_state.get("app_session")),
        bool(st.session_state.get("app_logged_out")),
    )
    if key in memo:
        known: Principal = memo[key]
        return known
    who = _principal(reg)
    _open_in_own_language(reg, who)
    memo[key] = who
    return who


def _open_in_own_language(reg: store.Register, who: Principal) -> None:
    """
    The first time a session acts as an account (any way of logging in, or a reload with the cookie): switch
    to the language the person chose before, if it differs (applied before the language widget, on a rerun).
    Someone who never chose one but picked a language other than German before logging in keeps it, stored.
    """
    if who.is_public or st.session_state.get("app_lang_account") == who.account_id:
        return
    st.session_state["app_lang_account"] = who.account_id
    try:
        own = accounts.language_of(reg, by=who)
        if own is None and lang() != i18n.DEFAULT_LANGUAGE:
            accounts.set_language(reg, lang(), by=who)
    except SozialraumError as exc:  # the language is a convenience: never a reason to fail a page
        LOG.warning("account language not read or kept: %s", exc.message("en"))
        return
    if own is not None and own != lang():
        st.session_state["app_lang_pending"] = own
        st.rerun()


def apply_pending_language() -> None:
    """Before the language widget is drawn: switch to the language found for the logged-in account."""
    if pending := st.session_state.pop("app_lang_pending", None):
        st.session_state["lang"] = pending


def remember_language() -> None:
    """The language widget's callback: a logged-in person's choice is kept for the next login and their mails."""
    try:
        who = principal()
        if not who.is_public:
            accounts.set_language(register(), lang(), by=who)
            st.session_state["app_lang_account"] = who.account_id
    except SozialraumError as exc:
        LOG.warning("account language not stored: %s", exc.message("en"))


def register_problem() -> str | None:
    """Why the register could not be opened on this rerun, if it could not."""
    return st.session_state.get("app_register_problem")


def _principal(reg: store.Register) -> Principal:
    if oidc_configured() and st.user.is_logged_in:
        try:
            return accounts.oidc_principal(
                reg, st.user.to_dict(), role_claim=auth.oidc_role_claim(), role_map=auth.oidc_role_map()
            )
        except SozialraumError as exc:
            st.session_state["app_login_problem"] = exc.markdown(lang())
            return Principal.public()
    session = st.session_state.get("app_session")
    if session and session[0] == reg.url:  # checked against the register on every run
        who = accounts.session_principal(reg, session[1])
        if who.is_public:  # logged out in another tab, expired, new password or roles: say so once
            st.session_state.pop("app_session", None)
            st.session_state["app_login_problem"] = t("app.session_ended")
            st.session_state["app_cookie"] = {"logout": secrets.token_hex(8)}
        return who
    token = st.context.cookies.get(SESSION_COOKIE)
    if (
        isinstance(token, str) and token and not st.session_state.get("app_logged_out")
    ):  # a reload or a new tab: the cookie carries the login
        session_id = accounts.session_of_token(reg, token)
        who = accounts.session_principal(reg, session_id)
        if not who.is_public:
            st.session_state["app_session"] = (reg.url, session_id)
        return who
    return Principal.public()


def log_in_session(reg: store.Register, who: Principal) -> None:
    """
    Remember the logged-in account: in this browser session, and in a cookie so a reload keeps it.

    The register keeps the session (`geo.register.accounts.start_session`); the page redeems its one-time ticket at
    the server, whose answer sets the HttpOnly cookie (`geo.register.websession`): no page script sees the token.
    """
    login = accounts.start_session(reg, who)
    st.session_state["app_session"] = (reg.url, login.session_id)
    st.session_state.pop("app_logged_out", None)
    st.session_state["app_cookie"] = {"ticket": login.ticket}


def current_session() -> int | None:
    """The login session of this tab (its id in the register), if there is one."""
    session = st.session_state.get("app_session")
    return session[1] if session else None


def log_out_session() -> None:
    """Log out: the session ends in the register (in every tab and cookie copy) and the cookie is cleared."""
    session = st.session_state.pop("app_session", None)
    if session:
        with contextlib.suppress(SozialraumError):
            accounts.end_session(
                open_register(session[0], session[0] == store.demo_database_url()), session[1]
            )
    st.session_state.pop(PREPARED, None)
    st.session_state.pop("app_lang_account", None)
    st.session_state["app_logged_out"] = True
    st.session_state["app_cookie"] = {"logout": secrets.token_hex(8)}


_COOKIE_JS = read_script("session-cookie.js")
_cookie_writer = st.components.v2.component("sk_session_cookie", js=_COOKIE_JS)


def write_session_cookie() -> None:
    """Have the server set (after a login) or clear (after a logout) the login cookie; call once per run."""
    if cookie := st.session_state.get("app_cookie"):
        _cookie_writer(data=cookie, key="app_session_cookie")


def login_form(prefix: str) -> None:
    """Log in: with the city's identity provider when configured, else with an account of the register."""
    if problem := st.session_state.pop("app_login_problem", None):
        st.error(problem)
    if oidc_configured():
        if st.button(t("app.login_oidc"), key=f"{prefix}_login_oidc", type="primary"):
            st.login()
        return
    with st.form(f"{prefix}_login", clear_on_submit=False):
        email = st.text_input(t("app.email"), key=f"{prefix}_login_email", max_chars=254)
        password = st.text_input(
            t("app.password"), type="password", key=f"{prefix}_login_password", max_chars=2000
        )
        if st.form_submit_button(t("app.login"), type="primary"):
            with friendly_errors():
                reg = register()
                who = accounts.login(reg, email, password, client=client_id())
                log_in_session(reg, who)
                st.session_state["app_just_logged_in"] = who.label
                st.session_state["app_logins"] = int(st.session_state.get("app_logins", 0)) + 1
                st.rerun()
    if showing_demo():
        st.info(
            t("app.demo_accounts", password=demo_register.DEMO_PASSWORD)
            + "\n\n"
            + "\n".join(
                f"- `{e}` ({', '.join(t(f'role.{r}') for r in roles)})"
                for e, roles in demo_register.DEMO_ACCOUNTS.items()
            ),
            icon=":material/science:",
        )
    else:
        st.caption(t("app.code_hint"))


def wanted_page(who: Principal, protected: tuple[str, ...]) -> str | None:
    """
    The page that needs a login which this session asked for by its address (a link or a bookmark), until
    someone logs in: that page is then offered (hidden from the menu) and asks for the login itself.
    """
    if not who.is_public:
        st.session_state.pop("app_wanted_page", None)
        return None
    ctx = get_script_run_ctx(suppress_warning=True)
    asked = ctx.pages_manager.intended_page_name if ctx is not None else None
    if asked in protected:
        st.session_state["app_wanted_page"] = asked
    wanted = st.session_state.get("app_wanted_page")
    return str(wanted) if wanted in protected else None
