"""Konto: set a password with a one-time code, the first admin of a fresh install, one's own record and data."""

import streamlit as st

from app_pages.ui.datasets import register, showing_demo
from app_pages.ui.page import friendly_errors
from app_pages.ui.people import client_id, current_session, log_in_session, oidc_configured, principal
from app_pages.ui.text import lang, plain, t
from app_pages.ui.widgets import forget_opened, opened_version, prepared_download
from geo.core import i18n
from geo.core.access import Action, Principal
from geo.core.settings import UNIT_ID_MAX
from geo.register import accounts, privacy
from geo.register.store import Register

st.title(t("account.title"))


def new_password_fields() -> tuple[str, str]:
    """The new password, typed twice (inside a form)."""
    password = st.text_input(t("account.new_password"), type="password", max_chars=2000)
    again = st.text_input(t("account.new_password_again"), type="password", max_chars=2000)
    return password, again


def logged_in(reg: Register, who: Principal, message: str) -> None:
    """Remember the login (session and cookie), say so, and show the app as this person sees it."""
    log_in_session(reg, who)
    st.session_state["account_flash"] = message
    st.rerun()


def first_admin() -> None:
    """
    A fresh install without any account: the operator creates the first admin account with the setup code
    the server printed to its log (nobody else has it).
    """
    accounts.announce_install_code(register())  # to the server log, if none is waiting yet
    st.info(t("account.first_intro"), icon=":material/key:")
    with st.form("account_first"):
        code = st.text_input(t("account.setup_code"), max_chars=40, help=t("account.setup_code_help"))
        email = st.text_input(t("app.email"), max_chars=254)
        name = st.text_input(t("account.name"), max_chars=80)
        password, again = new_password_fields()
        if st.form_submit_button(t("account.first_button"), type="primary"):
            if password != again:
                st.error(t("account.passwords_differ"))
                return
            reg = register()
            who = accounts.create_first_admin(
                reg, email=email, password=password, display_name=name, setup_code=code, client=client_id()
            )
            logged_in(reg, who, t("account.first_done"))


def redeem_code() -> None:
    """A new account sets its password with the one-time code it was given."""
    st.subheader(t("account.code_title"))
    st.write(t("account.code_intro"))
    with st.form("account_code"):
        email = st.text_input(t("app.email"), max_chars=254)
        code = st.text_input(t("account.code"), max_chars=40)
        password, again = new_password_fields()
        if st.form_submit_button(t("account.code_button")):
            if password != again:
                st.error(t("account.passwords_differ"))
                return
            reg = register()
            who = accounts.set_password_with_code(reg, email, code, password, client=client_id())
            logged_in(reg, who, t("account.code_done"))


def own_record(who: Principal) -> None:
    """A connector sees and corrects their own personal record."""
    record = register().own_connector(by=who)
    if record is None:
        return
    st.subheader(t("account.record_title"))
    st.caption(t("account.record_note"))
    version = opened_version("account_record", record.id, record.version)
    with st.form("account_record"):
        name = st.text_input(t("tandems.display_name"), value=record.display_name, max_chars=80)
        languages = st.text_input(t("tandems.languages"), value=", ".join(record.languages), max_chars=300)
        contact = st.text_input(t("tandems.contact"), value=record.contact, max_chars=300)
        home = st.text_input(t("tandems.home"), value=record.home_sozialraum_id or "", max_chars=UNIT_ID_MAX)
        if st.form_submit_button(t("tandems.save")):
            register().update_connector(
                record.id,
                by=who,
                version=version,
                display_name=name,
                languages=languages,
                contact=contact,
                home_sozialraum_id=home.strip() or None,
            )
            forget_opened("account_record")
            st.session_state["account_flash"] = t("account.record_saved")
            st.rerun()


def password_change(who: Principal) -> None:
    """Change one's own password (local accounts)."""
    with st.expander(t("account.change_title")), st.form("account_password", clear_on_submit=True):
        old = st.text_input(t("account.old_password"), type="password", max_chars=2000)
        new, again = new_password_fields()
        if st.form_submit_button(t("account.change_button")):
            if new != again:
                st.error(t("account.passwords_differ"))
                return
            ended = accounts.change_password(
                register(), by=who, old=old, new=new, keep_session=current_session()
            )
            st.success(t("account.changed") + " " + t("account.other_sessions_ended", n=ended))


def own_data(who: Principal) -> None:
    """A person's own data as a file (Art. 15 GDPR)."""
    st.subheader(t("account.data_title"))
    st.caption(t("account.data_note"))
    prepared_download(
        "account_data",
        prepare=t("account.data_prepare"),
        make=lambda: [
            (
                t("account.data_download"),
                privacy.own_data_json(register(), by=who),
                "meine-daten.json",
                "application/json",
            )
        ],
    )


with friendly_errors():
    if flash := st.session_state.pop("account_flash", None):
        st.success(flash)
    who = principal()
    if who.is_public:
        if not showing_demo() and not oidc_configured() and accounts.count_accounts(register()) == 0:
            first_admin()
        else:
            st.write(t("account.public_intro"))
            if showing_demo():
                st.info(t("account.demo_hint"), icon=":material/science:")
            redeem_code()
    else:
        st.markdown(t("account.you_are", who=plain(who.label)))
        st.caption(
            t("account.language_demo")
            if showing_demo()
            else t("account.language_note", language=i18n.LANGUAGES.get(lang(), lang()))
        )
        if who.may(Action.OWN_RECORD):
            own_record(who)
            own_data(who)
        if not oidc_configured():
            password_change(who)
