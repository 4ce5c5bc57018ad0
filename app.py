"""Sozialraum-Karte: the Streamlit entry point (sidebar and navigation only)."""

import hashlib
import math
import time
from pathlib import Path

import streamlit
import streamlit as st

from app_pages.ui import available_datasets, current_folder, is_coordinator, t
from geo import auth, i18n

# A local favicon: without one, Streamlit fetches the page's material icon from a Google host.
FAVICON = str(Path(streamlit.__file__).parent / "static" / "favicon.png")
st.set_page_config(page_title="Sozialraum-Karte", page_icon=FAVICON, layout="wide")

if "lang" not in st.session_state:
    st.session_state["lang"] = st.query_params.get("lang", i18n.DEFAULT_LANGUAGE)
    if st.session_state["lang"] not in i18n.LANGUAGES:
        st.session_state["lang"] = i18n.DEFAULT_LANGUAGE

with st.sidebar:
    st.selectbox(
        t("app.language"),
        options=list(i18n.LANGUAGES),
        format_func=i18n.LANGUAGES.get,
        key="lang",
    )
    datasets = available_datasets()
    # "app_dataset" is the app's choice; the Daten page sets it after an import, which may also add an
    # option or rename one. The widget key covers the choice and every option with its label, so any such
    # change creates a fresh widget that a stale value from the browser cannot override.
    current = current_folder()
    st.session_state["app_dataset"] = current
    widget_key = "app_dataset_" + hashlib.sha256(repr((current, datasets)).encode()).hexdigest()[:12]

    def _choose_dataset() -> None:
        if st.session_state[widget_key] in datasets:
            st.session_state["app_dataset"] = st.session_state[widget_key]

    options = list(datasets)
    st.selectbox(
        t("app.dataset"),
        options=options,
        index=options.index(current),
        format_func=datasets.get,
        key=widget_key,
        on_change=_choose_dataset,
    )

    if is_coordinator():
        st.success(t("app.coordinator_on"), icon=":material/badge:")
        if st.button(t("app.logout"), key="app_logout"):
            st.session_state.pop("role", None)
            st.rerun()
    elif auth.coordinator_hash():
        with st.expander(t("app.coordinator_login")), st.form("app_login", clear_on_submit=True):
            password = st.text_input(t("app.password"), type="password")
            if st.form_submit_button(t("app.login")):
                ok = auth.GUARD.check(password)
                if ok:
                    st.session_state["role"] = "coordinator"
                    st.rerun()
                elif ok is None:
                    st.error(t("app.login_locked", minutes=max(1, math.ceil(auth.GUARD.wait_s() / 60))))
                else:
                    time.sleep(1)  # slows down guessing
                    st.error(t("app.login_failed"))

pages = [
    st.Page(
        "app_pages/explore.py",
        title=t("nav.explore"),
        icon=":material/map:",
        url_path="erkunden",
        default=True,
    ),
    st.Page("app_pages/coverage.py", title=t("nav.coverage"), icon=":material/radar:", url_path="abdeckung"),
    st.Page("app_pages/tandems.py", title=t("nav.tandems"), icon=":material/group:", url_path="tandems"),
    st.Page(
        "app_pages/activities.py", title=t("nav.activities"), icon=":material/event:", url_path="aktivitaeten"
    ),
    st.Page("app_pages/concerns.py", title=t("nav.concerns"), icon=":material/forum:", url_path="anliegen"),
    st.Page("app_pages/export.py", title=t("nav.export"), icon=":material/print:", url_path="export"),
    st.Page("app_pages/data.py", title=t("nav.data"), icon=":material/database:", url_path="daten"),
]
st.navigation(pages).run()
