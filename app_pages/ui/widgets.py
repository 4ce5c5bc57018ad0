"""The house widgets: tables with a download, pickers by ID, distances, panels that keep their place, the language switch."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.ui.caches import PREPARED
from app_pages.ui.datasets import current_folder, register
from app_pages.ui.people import principal, remember_language
from app_pages.ui.records import principal_key
from app_pages.ui.text import LOG, bound, labelled, lang, t
from geo.analysis import view
from geo.core import i18n, tables


def table_with_download(
    frame: pd.DataFrame, *, caption: str, file_name: str, key: str, decimals: dict[str, int] | None = None
) -> None:
    """A caption, a sortable table (numbers as the user writes them) and its CSV download (spreadsheet-safe)."""
    st.caption(caption)
    st.dataframe(tables.localized(frame, lang(), decimals=decimals), hide_index=True, width="stretch")
    st.download_button(
        t("ranking.download"), tables.csv_bytes(frame), file_name=file_name, mime="text/csv", key=key
    )


def prepared_download(
    name: str,
    *,
    prepare: str,
    make: Callable[[], list[tuple[str, bytes, str, str]]],
    key: tuple = (),
    on_prepare: Callable[[], None] | None = None,
) -> None:
    """
    A button that builds files only when asked, then their download buttons.

    `make` returns `(label, content, file name, mime type)` per file. The files stay offered while `key`
    (what they were made from: a period, a quarter), the acting person, the dataset and the language are
    unchanged; they show the state when they were made (preparing again takes later writes in). A document
    that takes a second to build is never rebuilt on every rerun. `on_prepare` runs after a successful build
    (an audit entry). Logging out forgets every prepared file (they may hold personal data).
    """
    full_key = (key, principal_key(principal()), register().url, current_folder(), lang())
    store_ = st.session_state.setdefault(PREPARED, {})
    if st.button(prepare, key=f"{name}_prepare"):
        made = make()
        if on_prepare is not None:  # recorded before the file is offered: no export without its audit entry
            on_prepare()
        store_[name] = (full_key, made)
    ready = store_.get(name)
    if ready is None or ready[0] != full_key:
        store_.pop(name, None)
        return
    files_ = ready[1]
    columns = st.columns(len(files_)) if len(files_) > 1 else [st.container()]
    for n, (column, (label, content, file_name, mime)) in enumerate(zip(columns, files_, strict=True)):
        column.download_button(label, content, file_name, mime, key=f"{name}_download_{n}")


def opened_version(kind: str, chosen: int, current: int) -> int:
    """
    The version of a record as it was when the user opened it for editing.

    Saving with it makes the register refuse the save when someone else saved the record in between.
    Call `forget_opened(kind)` after a successful save, so the new version is read next time.
    """
    if st.session_state.get(f"{kind}_opened") != chosen:
        st.session_state[f"{kind}_opened"] = chosen
        st.session_state[f"{kind}_version"] = current
    return int(st.session_state[f"{kind}_version"])


def forget_opened(kind: str) -> None:
    """After a save: the next edit starts from the record's new version."""
    st.session_state.pop(f"{kind}_opened", None)


def multiselect(label: str, options: object, **kwargs: object) -> list:
    """
    `st.multiselect` with a placeholder in the user's language (Streamlit's own is English), and without
    Streamlit's "Select all" / "Select N matches" line: one tap on it after typing chose every match.
    """
    return st.multiselect(label, options, placeholder=t("app.choose"), select_all=False, **kwargs)  # type: ignore[call-overload]


def distinct(labels: dict[int, str]) -> dict[int, str]:
    """
    Labels a person can tell apart: a label that occurs more than once gets its record's ID (``Ampel (#7)``).

    Pickers hold IDs; Streamlit remembers a choice by its label, so two equal labels would be one choice.
    """
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {i: f"{label} (#{i})" if seen[label] > 1 else label for i, label in labels.items()}


def tandem_names() -> dict[int, str]:
    """Tandem ID -> name, told apart when two tandems share a name (public: no personal data)."""
    return distinct({tv.id: tv.name for tv in register().tandems()})


def pick_tandem(
    label: str,
    *,
    empty: str | None = "–",
    key: str | None = None,
    where: object = st,
    only: frozenset[int] | None = None,
) -> int | None:
    """A tandem chooser; with `empty`, an option for "none" shown with that text; `only` limits the choice."""
    names = {i: n for i, n in tandem_names().items() if only is None or i in only}
    options: list[int | None] = [None, *names] if empty is not None else list(names)
    return where.selectbox(  # type: ignore[attr-defined]
        label,
        options,
        format_func=bound(lambda i: names.get(i, empty or "–")),
        key=key,
        placeholder=t("app.choose"),  # shown when there is no tandem to choose (Streamlit's own is English)
    )


def pick_sozialraum(labels: dict[str, str], *, key: str | None = None) -> str | None:
    """A searchable Sozialraum chooser (name, ID or Stadtteil), empty until the user picks one."""
    return st.selectbox(
        t("tandems.sozialraum"),
        list(labels),
        format_func=labelled(labels),
        index=None,
        placeholder=t("tandems.pick_sozialraum"),
        key=key,
    )


KM_STEPS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0)


def km_text(km: float) -> str:
    """A distance as people write it in the chosen language, without trailing zeros: ``1,5`` or ``0,75``."""
    return i18n.format_number(km, lang(), decimals=2, trim=True)


def nearest_km(km: float | None, default: float = 1.0) -> float:
    """The slider step nearest to `km` (a value from a shared link may lie between steps)."""
    return min(KM_STEPS, key=lambda s: abs(s - (default if km is None else km)))


def km_slider(label: str, *, key: str, container: object = st, help: str | None = None) -> float:
    """A distance in km on fixed steps, labelled in the user's language (``1,5 km``)."""
    if st.session_state.get(key) not in KM_STEPS:
        st.session_state[key] = nearest_km(st.session_state.get(key))
    return float(
        container.select_slider(  # type: ignore[attr-defined]
            label, options=KM_STEPS, key=key, format_func=bound(lambda v: f"{km_text(v)} km"), help=help
        )
    )


# --- panels that keep their place, and a language switch that carries every choice along --------------------


def panels(name: str, options: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """
    Tabs that keep their place: the open panel's ID and a container per panel; only the open one should run.

    The open panel is kept in ``st.session_state[f"{name}_panel"]`` by ID (not by its label, which changes
    with the language), so a save, a rerun, a language switch or a start-page button that opens a panel
    (`open_panel`) all land on the panel the person meant. `options` maps panel ID -> label.
    """
    state = f"{name}_panel"
    st.session_state.setdefault("app_panels", {})[name] = list(options)  # this run's panels (for tests)
    if st.session_state.get(state) not in options:
        st.session_state[state] = next(iter(options))
    wanted = options[st.session_state[state]]
    key = f"{name}_tabs_{lang()}"  # a fresh widget per language: its value is a label
    if key in st.session_state and st.session_state[key] != wanted:
        st.session_state[key] = wanted

    def changed() -> None:
        label = st.session_state.get(key)
        for panel_id, panel_label in options.items():
            if panel_label == label:
                st.session_state[state] = panel_id

    tabs = st.tabs(list(options.values()), key=key, on_change=changed, default=wanted)
    return str(st.session_state[state]), dict(zip(options, tabs, strict=True))


def open_panel(name: str, panel: str) -> None:
    """Before switching to a page: open its panel `panel` there (see `panels`)."""
    if panel:
        st.session_state[f"{name}_panel"] = panel


#: Widget kinds whose value Streamlit keeps in the browser as the option's *label*: after a language switch
#: the browser would send back a label of the old language, which matches no option of the new one.
_LABELLED_VALUES = frozenset({"string_value", "string_array_value", "int_value", "double_array_value"})


def carry_choices_across_language() -> None:
    """
    In the language widget's callback: write every keyed choice back into the session as it is now.

    Streamlit then sends each widget its value again, formatted in the new language, instead of keeping
    the old language's label in the browser (which made a Steckbrief's search box fail with a KeyError and
    left the indicator, search and time-series boxes in the old language).
    """
    from streamlit.runtime.state.session_state_proxy import get_session_state  # noqa: PLC0415

    try:
        state = get_session_state()._state
        mapping = {k: i for i, k in state._key_id_mapper.id_key_mapping.items()}
        metadata = state._new_widget_state.widget_metadata
    except AttributeError:  # another Streamlit: the choices may reset, nothing fails
        LOG.warning("choices not carried across the language switch (Streamlit internals changed)")
        return
    for user_key, widget_id in list(mapping.items()):
        meta = metadata.get(widget_id)
        if user_key == "lang" or meta is None or meta.value_type not in _LABELLED_VALUES:
            continue
        if not isinstance(user_key, str) or "_tabs_" in user_key:
            continue  # stateful tabs get a fresh widget per language (`panels`)
        try:
            value = st.session_state[user_key]
        except KeyError:
            continue
        if isinstance(value, dict):
            continue  # a data editor's edits cannot be written back
        with contextlib.suppress(Exception):  # a widget that refuses values set from the session
            st.session_state[user_key] = value


def language_changed() -> None:
    """The language widgets' callback: carry the choices across, remember the language for the account."""
    carry_choices_across_language()
    remember_language()


def choose_language(code: str) -> None:
    """A language button's callback (start page): the same as choosing it in the sidebar."""
    if code in i18n.LANGUAGES and code != st.session_state.get("lang"):
        st.session_state["lang"] = code
        language_changed()


def language_buttons(key: str) -> None:
    """Each language by its own name, one tap each (the start page's first screen)."""
    current = lang()
    row = st.container(horizontal=True, gap="small", key=key)
    for code, name in i18n.LANGUAGES.items():
        row.button(
            name,
            key=f"{key}_{code}",
            type="primary" if code == current else "secondary",
            on_click=choose_language,
            args=(code,),
        )


# --- the map view in the address, and the way to print it ------------------------------------------------------


def show_in_address(shown: view.MapView) -> None:
    """The view into the page address, in the language it was made in: a shared link opens the same map."""
    params = view.to_params(shown)
    if lang() != i18n.DEFAULT_LANGUAGE:
        params["lang"] = lang()
    st.query_params.from_dict(params)


def print_link(shown: view.MapView, where: Any = st) -> None:
    """»Diese Karte drucken oder speichern«: Export with this view; also what Export offers from the menu."""
    st.session_state["map_view"] = shown
    where.page_link(
        "app_pages/export.py",
        label=t("export.this_map"),
        icon=":material/print:",
        query_params=view.to_params(shown),
    )
