"""
The app's frame around every page: the sidebar (language, dataset, login) and the menu of pages.

`app.py` calls `sidebar` and `navigate` on every run; the pages themselves are in the other modules here.
"""

import hashlib
from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from app_pages.ui.datasets import available_datasets, current_folder, showing_demo
from app_pages.ui.page import friendly_errors
from app_pages.ui.people import (
    apply_pending_language,
    log_out_session,
    login_form,
    oidc_configured,
    principal,
    register_problem,
    wanted_page,
    write_session_cookie,
)
from app_pages.ui.text import LANGUAGE_LABEL, labelled, lang, plain, t
from app_pages.ui.widgets import language_changed
from geo.core import i18n
from geo.core.access import Action, Principal, login_required


def dataset_choice() -> None:
    """The dataset picker; a change of options or choice makes a fresh widget (no stale browser value)."""
    datasets = available_datasets()
    current = current_folder()
    st.session_state["app_dataset"] = current
    widget_key = "app_dataset_" + hashlib.sha256(repr((current, datasets)).encode()).hexdigest()[:12]

    def _choose_dataset() -> None:
        if st.session_state[widget_key] in datasets:
            st.session_state["app_dataset"] = st.session_state[widget_key]
            st.session_state["app_dataset_switched"] = True

    options = list(datasets)
    st.selectbox(
        t("app.dataset"),
        options=options,
        index=options.index(current),
        format_func=labelled(datasets),
        key=widget_key,
        on_change=_choose_dataset,
    )
    if st.session_state.pop("app_dataset_switched", False):  # say what is shown now, and whose register
        key = "app.dataset_switched_demo" if showing_demo() else "app.dataset_switched_real"
        st.info(t(key, title=plain(datasets[current_folder()])), icon=":material/swap_horiz:")


def who_is_logged_in(who: Principal) -> None:
    """The account in use, its roles, and the way out."""
    roles = ", ".join(t(f"role.{r}") for r in sorted(who.roles)) or t("role.none")
    demo_mark = f" · {t('app.demo_account')}" if who.demo else ""
    st.success(t("app.logged_in_as", who=plain(who.label), roles=roles) + demo_mark, icon=":material/badge:")
    if st.button(t("app.logout"), key="app_logout"):
        log_out_session()
        if oidc_configured() and st.user.is_logged_in:
            st.logout()  # the browser is sent to the provider and back; a rerun now would race that redirect
            st.stop()
        st.rerun()


def sidebar() -> tuple[Principal, bool]:
    """
    The sidebar: language, dataset, who is logged in and the way out.

    Returns the acting person, and whether a login form is still owed (`sidebar_login` draws it once the
    page is known).
    """
    with st.sidebar:
        apply_pending_language()
        st.selectbox(
            LANGUAGE_LABEL,  # in every language: someone who reads no German finds it
            options=list(i18n.LANGUAGES),
            format_func=labelled(i18n.LANGUAGES),
            key="lang",
            on_change=language_changed,
        )
        if i18n.needs_review(lang()):
            st.caption(t("app.translation_review"))
        dataset_choice()
        who = Principal.public()
        wants_login = False
        with friendly_errors():
            who = principal()
        if trouble := register_problem():
            st.error(trouble)
        write_session_cookie()
        if not who.is_public:
            who_is_logged_in(who)
        elif oidc_configured() and st.user.is_logged_in:  # the provider knows the person, this app does not
            st.warning(st.session_state.pop("app_login_problem", None) or t("app.oidc_not_enabled"))
            if st.button(t("app.logout"), key="app_logout"):
                st.logout()
                st.stop()
        else:  # drawn once the page is known (`sidebar_login`): a page with its own login form gets no second
            wants_login = True
    return who, wants_login


@dataclass
class Pages:
    """The app's pages: two on their own, three groups in the menu, and those added per person."""

    start: StreamlitPage
    explore: StreamlitPage
    work: list[StreamlitPage]
    city: list[StreamlitPage]
    more: list[StreamlitPage]
    account: StreamlitPage
    admin: StreamlitPage
    programme: StreamlitPage


def _pages() -> Pages:
    """Every page of the app, in the language of this run (titles go through the catalogue)."""
    start_page = st.Page(  # at "/" and at "/start"
        "app_pages/start.py", title=t("nav.start"), icon=":material/home:", url_path="start", default=True
    )
    explore_page = st.Page(
        "app_pages/explore.py", title=t("nav.explore"), icon=":material/map:", url_path="erkunden"
    )
    work = [
        st.Page(
            "app_pages/activities.py",
            title=t("nav.activities"),
            icon=":material/event:",
            url_path="aktivitaeten",
        ),
        st.Page(
            "app_pages/concerns.py", title=t("nav.concerns"), icon=":material/forum:", url_path="anliegen"
        ),
        st.Page(
            "app_pages/partners.py", title=t("nav.partners"), icon=":material/handshake:", url_path="partner"
        ),
        st.Page(
            "app_pages/group.py",
            title=t("nav.group"),
            icon=":material/how_to_vote:",
            url_path="mitentscheiden",
        ),
    ]
    city = [
        st.Page(
            "app_pages/coverage.py", title=t("nav.coverage"), icon=":material/radar:", url_path="abdeckung"
        ),
        st.Page("app_pages/tandems.py", title=t("nav.tandems"), icon=":material/group:", url_path="tandems"),
        st.Page(
            "app_pages/welcome_points.py",
            title=t("nav.welcome_points"),
            icon=":material/location_on:",
            url_path="welcome-points",
        ),
        st.Page("app_pages/impact.py", title=t("nav.impact"), icon=":material/insights:", url_path="wirkung"),
    ]
    more = [
        st.Page("app_pages/export.py", title=t("nav.export"), icon=":material/print:", url_path="export"),
        st.Page("app_pages/data.py", title=t("nav.data"), icon=":material/database:", url_path="daten"),
    ]
    account_page = st.Page(
        "app_pages/account.py", title=t("nav.account"), icon=":material/person:", url_path="konto"
    )
    admin_page = st.Page(
        "app_pages/admin.py", title=t("nav.admin"), icon=":material/shield_person:", url_path="verwaltung"
    )
    programme_page = st.Page(
        "app_pages/programme.py",
        title=t("nav.programme"),
        icon=":material/volunteer_activism:",
        url_path="programmjahr",
    )
    return Pages(start_page, explore_page, work, city, more, account_page, admin_page, programme_page)


def sidebar_login(current: StreamlitPage, own_login: list[StreamlitPage], wants_login: bool) -> None:
    """
    The sidebar's login (last in the sidebar, as before), unless the page shows its own: two forms with the
    same fields confuse. Drawn after the navigation knows the page, never through a placeholder (a rerun
    would empty it and fold the form while someone types).
    """
    if not wants_login:
        return
    with st.sidebar:
        if any(current is page for page in own_login):
            st.caption(t("app.login_on_page"))
            return
        with st.expander(t("app.login_title"), expanded=login_required()):
            login_form("app")


def navigate(who: Principal, wants_login: bool) -> None:
    """The menu of the pages this person may open, and the page chosen in it, run."""
    p = _pages()
    start_page, explore_page, account_page, admin_page, programme_page = (
        p.start,
        p.explore,
        p.account,
        p.admin,
        p.programme,
    )
    work, city, more = p.work, p.city, p.more
    # A link or bookmark to a page that needs a login: that page asks for the login and shows itself afterwards.
    # It is registered (hidden from the menu) only for the session that asked for it, until the login.
    wanted = wanted_page(who, ("programmjahr", "verwaltung"))
    own_login: list[StreamlitPage] = [start_page]  # pages with their own login form

    def asks_for_login(script: str, title: str, url_path: str) -> StreamlitPage:
        """A protected page opened by its address before a login: hidden from the menu, with its own form."""
        page = st.Page(script, title=title, url_path=url_path, visibility="hidden")
        own_login.append(page)
        return page

    if not who.may(Action.READ_PUBLIC):  # the city requires a login: only the account page until then
        account_only = st.navigation([account_page])
        sidebar_login(account_only, own_login, wants_login)
        account_only.run()
    else:
        if who.may(Action.READ_REGISTER) or who.may(Action.OWN_RECORD):
            work.append(programme_page)
        elif wanted == "programmjahr":
            work.append(asks_for_login("app_pages/programme.py", t("nav.programme"), "programmjahr"))
        more.append(account_page)
        if who.may(Action.MANAGE_ACCOUNTS) or who.may(Action.READ_AUDIT):
            more.append(admin_page)
        elif wanted == "verwaltung":
            more.append(asks_for_login("app_pages/admin.py", t("nav.admin"), "verwaltung"))
        # at most seven entries in the menu bar: two pages, three groups that open (on a phone: one menu)
        current = st.navigation(
            {
                "": [start_page, explore_page],
                t("nav.group_work"): work,
                t("nav.group_city"): city,
                t("nav.group_more"): more,
            },
            position="top",
        )
        sidebar_login(current, own_login, wants_login)
        current.run()
