"""Sozialraum-Karte: the Streamlit entry point (sidebar: language, dataset, login; navigation)."""

from pathlib import Path

import streamlit
import streamlit as st

from app_pages import shell
from app_pages.ui.datasets import speak_city
from app_pages.ui.page import page_setup
from app_pages.ui.text import lang, plain, t
from geo.core import i18n, logs
from geo.core.settings import check_environment

# A local favicon: without one, Streamlit fetches the page's material icon from a Google host.
FAVICON = str(Path(streamlit.__file__).parent / "static" / "favicon.png")
st.set_page_config(page_title="Sozialraum-Karte", page_icon=FAVICON, layout="wide")

if "lang" not in st.session_state:
    st.session_state["lang"] = st.query_params.get("lang", i18n.DEFAULT_LANGUAGE)
    if st.session_state["lang"] not in i18n.LANGUAGES:
        st.session_state["lang"] = i18n.DEFAULT_LANGUAGE

speak_city()
page_setup()
st.session_state["app_panels"] = {}  # the panels (`ui.panels`) this run draws, by name

logs.configure()
logs.started("server", pid=__import__("os").getpid())

if problems := check_environment():  # an operator's typo: say which setting, instead of failing on every page
    for problem in problems:
        st.error(problem.message(st.session_state["lang"]))
    st.stop()


who, wants_login = shell.sidebar()
if just := st.session_state.pop("app_just_logged_in", None):  # say so where the person looks: the page
    st.toast(t("app.logged_in_toast", who=plain(just)), icon=":material/badge:")
# the address carries the language: a reload or a shared link opens in it
if lang() == i18n.DEFAULT_LANGUAGE:
    if "lang" in st.query_params:
        del st.query_params["lang"]
elif st.query_params.get("lang") != lang():
    st.query_params["lang"] = lang()
shell.navigate(who, wants_login)
