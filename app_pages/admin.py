"""Verwaltung: accounts and roles (admins), the audit log (coordinators and admins), retention."""

import pandas as pd
import streamlit as st

from app_pages.ui.datasets import register
from app_pages.ui.page import friendly_errors
from app_pages.ui.people import login_form, principal
from app_pages.ui.text import bound, lang, plain, t
from app_pages.ui.widgets import forget_opened, multiselect, opened_version, panels, prepared_download
from geo.core import i18n
from geo.core.access import Action, Principal, Role
from geo.core.tables import csv_bytes
from geo.register import accounts, privacy

st.title(t("admin.title"))


def connector_labels(who: Principal) -> dict[int, str]:
    """Connector ID -> what this person may see of them (names only for those who keep the register)."""
    reg = register()
    if who.may(Action.READ_REGISTER):
        return {c.id: f"#{c.id} {c.display_name}" for c in reg.private_connectors(by=who)}
    return {c.id: f"#{c.id} ({', '.join(c.languages) or '–'})" for c in reg.connectors()}


def role_label(role: str) -> str:
    """A role in the user's language."""
    return t(f"role.{role}")


def account_list(who: Principal) -> list[accounts.AccountView]:
    """Every account with its roles and state."""
    views = accounts.accounts(register(), by=who)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("app.email"): a.email,
                    t("account.name"): a.display_name,
                    t("admin.roles"): ", ".join(role_label(r) for r in sorted(a.roles)),
                    t("admin.connector"): f"#{a.connector_id}" if a.connector_id else "",
                    t("admin.state"): t("admin.disabled") if a.disabled else t("admin.active"),
                    t("admin.password"): t("admin.yes") if a.has_password else t("admin.no"),
                    t("admin.last_login"): i18n.format_date(a.last_login_at, lang(), time=True)
                    if a.last_login_at
                    else "",
                }
                for a in views
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    return views


def new_account(who: Principal) -> None:
    """Create an account; its one-time code is shown once, here."""
    people = connector_labels(who)
    with st.form("admin_new_account", clear_on_submit=True):
        st.markdown(f"**{t('admin.new_account')}**")
        email = st.text_input(t("app.email"), max_chars=254)
        name = st.text_input(t("account.name"), max_chars=80)
        roles = multiselect(t("admin.roles"), [r.value for r in Role], format_func=bound(role_label))
        connector = st.selectbox(
            t("admin.connector"),
            [None, *people],
            format_func=bound(lambda i: people.get(i, "–") if i else "–"),
        )
        if st.form_submit_button(t("admin.create")):
            _id, code = accounts.create_account(
                register(), by=who, email=email, roles=roles, display_name=name, connector_id=connector
            )
            st.session_state["admin_code"] = (email.strip().lower(), code)
            st.rerun()
    if shown := st.session_state.pop("admin_code", None):
        st.success(t("admin.code_once", email=plain(shown[0]), code=shown[1]), icon=":material/key:")


def edit_account(who: Principal, views: list[accounts.AccountView]) -> None:
    """Change roles, link, state; hand out a new one-time code."""
    if not views:
        return
    by_id = {a.id: a for a in views}
    chosen = st.selectbox(
        t("admin.edit_account"),
        list(by_id),
        format_func=bound(lambda i: by_id[i].email),
        key="admin_edit_account",
    )
    account = by_id[chosen]
    version = opened_version(
        "admin_account", chosen, account.version
    )  # a save over another's change is refused
    people = connector_labels(who)
    with st.form("admin_edit_account_form"):
        roles = multiselect(
            t("admin.roles"),
            [r.value for r in Role],
            default=sorted(account.roles),
            format_func=bound(role_label),
        )
        options = [None, *people]
        connector = st.selectbox(
            t("admin.connector"),
            options,
            index=options.index(account.connector_id) if account.connector_id in options else 0,
            format_func=bound(lambda i: people.get(i, "–") if i else "–"),
        )
        disabled = st.checkbox(t("admin.disabled"), value=account.disabled)
        if st.form_submit_button(t("tandems.save")):
            accounts.update_account(
                register(),
                chosen,
                by=who,
                version=version,
                roles=roles,
                disabled=disabled,
                connector_id=connector,
            )
            forget_opened("admin_account")
            st.session_state["admin_flash"] = t("admin.saved", email=plain(account.email))
            st.rerun()
    if account.source == "local" and st.button(t("admin.new_code"), key="admin_new_code"):
        code = accounts.new_setup_code(register(), chosen, by=who)
        st.session_state["admin_code"] = (account.email, code)
        st.rerun()
    if st.button(t("admin.end_sessions"), key="admin_end_sessions", help=t("admin.end_sessions_help")):
        ended = accounts.end_all_sessions(register(), chosen, by=who)
        st.session_state["admin_flash"] = t("admin.sessions_ended", n=ended, email=plain(account.email))
        st.rerun()


def audit(who: Principal) -> None:
    """The audit log, newest first, and its export."""
    frame = accounts.audit_in_words(accounts.audit_log(register(), by=who, limit=300), lang())
    st.caption(t("admin.audit_note"))
    st.dataframe(
        pd.DataFrame(
            {
                t("admin.when"): i18n.format_dates(frame["at"], lang(), time=True),
                t("admin.who"): frame["actor"],
                t("admin.what"): frame["what"],
                t("admin.target"): frame["target"],
                t("admin.details"): frame["details"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    prepared_download(
        "admin_audit",
        prepare=t("admin.audit_prepare"),
        make=lambda: [
            (
                t("admin.audit_download"),
                accounts.audit_csv(register(), by=who, csv=csv_bytes),
                "protokoll.csv",
                "text/csv",
            )
        ],
    )


def retention(who: Principal) -> None:
    """Who is due for erasure under the retention rule, and erase them."""
    due = privacy.retention_due(register(), by=who)
    st.write(t("admin.retention_intro", days=privacy.retention_days(), n=len(due)))
    if due:
        st.dataframe(
            pd.DataFrame(
                [{"ID": c.connector_id, t("admin.left_on"): i18n.format_date(c.left_on, lang())} for c in due]
            ),
            hide_index=True,
        )
        if st.button(t("admin.retention_apply", n=len(due)), key="admin_retention_apply", type="primary"):
            erased = privacy.apply_retention(register(), by=who)
            st.session_state["admin_flash"] = t("admin.retention_done", n=len(erased))
            st.rerun()


with friendly_errors():
    who = principal()
    if flash := st.session_state.pop("admin_flash", None):
        st.success(flash)
    sections = []
    if who.may(Action.MANAGE_ACCOUNTS):
        sections.append(("accounts", t("admin.tab_accounts")))
    if who.may(Action.READ_AUDIT):
        sections.append(("audit", t("admin.tab_audit")))
    if who.may(Action.ERASE_PERSON):
        sections.append(("retention", t("admin.tab_retention")))
    if not sections:
        st.info(t("access.login_needed") if who.is_public else t("admin.nothing"))
        if who.is_public:  # a bookmark of this page: log in here, and the page shows itself
            login_form("admin")
        st.stop()
    name, boxes = panels("admin", dict(sections))
    with boxes[name], friendly_errors():
        if name == "accounts":
            views = account_list(who)
            new_account(who)
            edit_account(who, views)
        elif name == "audit":
            audit(who)
        else:
            retention(who)
