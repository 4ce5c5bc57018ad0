"""Welcome Points: the list as kept in the app (open and closed) and each one's history; coordinators record changes."""

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from app_pages.ui.datasets import clear_caches, load_current, register
from app_pages.ui.page import friendly_errors
from app_pages.ui.people import principal
from app_pages.ui.text import bound, lang, plain, t
from app_pages.ui.widgets import panels
from geo.core import i18n
from geo.core.access import Action, Principal
from geo.data.dataset import Dataset
from geo.register import welcome
from geo.register.store import Register

st.title(t("wp.title"))
st.caption(t("wp.intro"))


def show_list(state: welcome.State) -> None:
    """Every Welcome Point with contact, hours and status; closed ones say since when."""
    table = welcome.listing(state)
    shown = pd.DataFrame(
        {
            t("wp.col_name"): table["name"],
            t("wp.col_status"): [
                t("wp.status_open")
                if status == "open"
                else t("wp.status_closed", date=i18n.format_date(since, lang()))
                for status, since in zip(table["status"], table["closed_from"], strict=True)
            ],
            t("wp.col_phone"): table["phone"],
            t("wp.col_hours"): table["hours"].fillna(""),
            t("wp.col_address"): table["address"],
            t("wp.col_organisation"): table["organisation"],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")


def show_history(state: welcome.State, recorded: list[welcome.Change]) -> None:
    """The changes of one Welcome Point, oldest first."""
    names = {**dict(zip(state.closed["welcome_point_id"], state.closed["name"], strict=True))}
    names |= dict(zip(state.open["welcome_point_id"], state.open["name"], strict=True))
    with st.expander(t("wp.history")):
        picked = st.selectbox(
            t("wp.pick"),
            sorted(names, key=lambda i: names[i]),
            format_func=lambda i: names[i],
            key="wp_history",
        )
        changes = welcome.history(recorded, picked) if picked else []
        if not changes:
            st.caption(t("wp.no_history"))
        for change in changes:
            fields = ", ".join(f"{t(f'wp.field_{k}')}: {plain(str(v))}" for k, v in change.fields.items())
            st.markdown(
                t(
                    "wp.history_line",
                    date=i18n.format_date(change.valid_from, lang()),
                    kind=t(f"wp.kind_{change.kind}"),
                    fields=fields or "–",
                    who=plain(change.created_by),
                )
            )


def _done(message: str) -> None:
    clear_caches()
    st.session_state["wp_flash"] = message
    st.rerun()


def close_form(change: Callable[..., None], open_names: dict[str, str]) -> None:
    """Close an open Welcome Point from a day, with a reason."""
    with st.form("wp_close_form", clear_on_submit=True):
        picked = st.selectbox(t("wp.pick"), list(open_names), format_func=bound(lambda i: open_names[i]))
        since = st.date_input(t("wp.from"), value=date.today(), format="DD.MM.YYYY")
        reason = st.text_input(t("wp.reason"), max_chars=300)
        if st.form_submit_button(t("wp.close_button")) and picked:
            change(
                "close",
                since,
                t("wp.closed_done", name=open_names[picked]),
                welcome_point_id=picked,
                reason=reason,
            )


def reopen_form(change: Callable[..., None], closed_names: dict[str, str]) -> None:
    """Open a closed Welcome Point again from a day."""
    if not closed_names:
        st.caption(t("wp.none_closed"))
        return
    with st.form("wp_reopen_form", clear_on_submit=True):
        picked = st.selectbox(t("wp.pick"), list(closed_names), format_func=bound(lambda i: closed_names[i]))
        since = st.date_input(t("wp.from"), value=date.today(), format="DD.MM.YYYY")
        if st.form_submit_button(t("wp.reopen_button")) and picked:
            change("reopen", since, t("wp.reopened_done", name=closed_names[picked]), welcome_point_id=picked)


def edit_form(change: Callable[..., None], open_names: dict[str, str]) -> None:
    """Change what is known of an open Welcome Point from a day (empty fields stay as they are)."""
    picked = st.selectbox(
        t("wp.pick"), list(open_names), format_func=bound(lambda i: open_names[i]), key="wp_edit_pick"
    )
    with st.form("wp_edit_form", clear_on_submit=True):
        st.caption(t("wp.edit_hint"))
        fields = _fields(edit=True)
        since = st.date_input(t("wp.from"), value=date.today(), format="DD.MM.YYYY")
        if st.form_submit_button(t("wp.edit_button")) and picked:
            change(
                "edit", since, t("wp.edited_done", name=open_names[picked]), welcome_point_id=picked, **fields
            )


def add_form(change: Callable[..., None]) -> None:
    """A new Welcome Point from a day."""
    with st.form("wp_add_form", clear_on_submit=True):
        fields = _fields(edit=False)
        since = st.date_input(t("wp.from"), value=date.today(), format="DD.MM.YYYY")
        if st.form_submit_button(t("wp.add_button")):
            change("add", since, t("wp.added_done", name=fields.get("name", "")), **fields)


def change_forms(data: Dataset, reg: Register, who: Principal, state: welcome.State) -> None:
    """Close, reopen, change or add a Welcome Point; each from a day."""
    known = data.registry_points()

    def change(kind: str, since: date, done: str, **fields: str) -> None:
        with friendly_errors():
            welcome.record(reg, who, kind, valid_from=since, known=known, **fields)
            _done(done)

    open_names = dict(zip(state.open["welcome_point_id"], state.open["name"], strict=True))
    closed_names = dict(zip(state.closed["welcome_point_id"], state.closed["name"], strict=True))
    st.subheader(t("wp.change_title"))
    tabs = {
        "close": t("wp.tab_close"),
        "reopen": t("wp.tab_reopen"),
        "edit": t("wp.tab_edit"),
        "add": t("wp.tab_add"),
    }
    panel, boxes = panels("wp", tabs)
    with boxes[panel]:
        if panel == "close":
            close_form(change, open_names)
        elif panel == "reopen":
            reopen_form(change, closed_names)
        elif panel == "edit":
            edit_form(change, open_names)
        else:
            add_form(change)


def _fields(*, edit: bool) -> dict[str, str]:
    """The text fields of a change (on an edit, an empty field stays as it is)."""
    suffix = "edit" if edit else "add"
    out = {}
    for name in ("name", "organisation", "address", "phone", "hours"):
        out[name] = st.text_input(t(f"wp.field_{name}"), max_chars=300, key=f"wp_{suffix}_{name}")
    c1, c2 = st.columns(2)
    out["lon"] = c1.text_input(t("wp.field_lon"), key=f"wp_{suffix}_lon", placeholder="6,7797")
    out["lat"] = c2.text_input(t("wp.field_lat"), key=f"wp_{suffix}_lat", placeholder="51,2227")
    return out


def show_differences(data: Dataset, state: welcome.State) -> None:
    """Where the imported registry and the kept list disagree (after a new import, what the app changed)."""
    found = welcome.differences(data.registry_points(), state)
    with st.expander(t("wp.differences", n=len(found))):
        if found.empty:
            st.caption(t("wp.no_differences"))
        for row in found.itertuples():
            st.markdown(f"- {plain(row.name)} (`{row.welcome_point_id}`): {t(f'wp.diff_{row.what}')}")


if flash := st.session_state.pop("wp_flash", None):
    st.success(flash)

with friendly_errors():
    data, _geometry = load_current()
    reg = register()
    recorded = welcome.changes(reg)
    state = welcome.as_of(data.registry_points(), recorded, date.today())
    show_list(state)
    show_history(state, recorded)
    who = principal()
    if who.may(Action.MANAGE_WELCOME_POINTS) and not who.is_public:
        change_forms(data, reg, who, state)
        show_differences(data, state)
    else:
        st.info(t("wp.coordinators_only"), icon=":material/lock:")
