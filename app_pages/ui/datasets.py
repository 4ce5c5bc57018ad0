"""The dataset shown and its register: which folder, loaded once per version, and what every page reads from it."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app_pages.ui.caches import SHARED_CACHES, run_memo, session_copy, shared
from app_pages.ui.text import SESSION_WORDS, lang, t
from geo.analysis import dynamics, need, view
from geo.core import files
from geo.core.errors import SozialraumError
from geo.core.settings import get_settings
from geo.data import dataset
from geo.output import maps, profile, webmap
from geo.register import accounts, demo_register, impact, store, welcome


def speak_city() -> None:
    """Every text of this run names the levels as the chosen dataset's city does (Planungsraum in Berlin)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    if words := dataset.words_of(current_folder()):
        SESSION_WORDS[ctx.session_id] = words
    else:
        SESSION_WORDS.pop(ctx.session_id, None)


#: A dataset's version as cache key: its version token, newest Welcome Point change, the day, the register.
Stamp = tuple[str, int, str, str, bool]


def _dataset_register() -> store.Register:
    """The register of the dataset shown, without seeding the demo (which itself loads the dataset)."""
    is_demo = showing_demo()
    return open_register(store.demo_database_url() if is_demo else store.database_url(), is_demo)


def folder_stamp(folder: Path) -> Stamp:
    """
    A cache key that changes when the dataset's files change, a Welcome Point change is recorded or the day
    changes (a closure recorded for the first of next month takes effect then).
    """
    memo = run_memo()
    if (key := ("stamp", str(folder))) not in memo:
        newest = dataset.version(folder)  # a token each write renews, seen by every process
        reg = _dataset_register()
        try:
            changed = welcome.stamp(reg)
        except SozialraumError:  # the register is unreachable: the imported list, as before
            changed = 0
        memo[key] = (newest, changed, date.today().isoformat(), reg.url, reg.demo)
    return memo[key]


_CLEANED: set[str] = set()


def clean_up_at_start(user_dir: str) -> list[str]:
    """Once per server process: remove what killed writes left in the user folder (see `geo.core.files`)."""
    if user_dir in _CLEANED:
        return []
    _CLEANED.add(user_dir)
    return [str(p) for p in files.clean_leftovers(Path(user_dir))]


@functools.lru_cache(maxsize=32)
def _title(folder: str, _mtime: float) -> str:
    """A dataset's title, read once per version of its `dataset.json`."""
    return dataset.DatasetMeta.read(Path(folder)).title


def available_datasets() -> dict[str, str]:
    """Dataset folders the app can open: path -> title (the configured data folder first)."""
    memo = run_memo()
    if "datasets" not in memo:
        memo["datasets"] = _list_datasets()
    return dict(memo["datasets"])


def _list_datasets() -> dict[str, str]:
    settings = get_settings()
    clean_up_at_start(str(settings.user_dir))
    candidates = [settings.data_dir]
    if settings.user_dir.exists():
        candidates += sorted(
            p
            for p in settings.user_dir.iterdir()
            if not p.name.startswith(".") and dataset.is_dataset(p)  # not a write in progress
        )
    out = {}
    for folder in candidates:
        meta = folder / "dataset.json"
        if dataset.is_dataset(folder):
            out[str(folder)] = _title(str(folder), meta.stat().st_mtime if meta.exists() else 0.0)
    if not out:
        out[str(settings.data_dir)] = settings.data_dir.name
    official = settings.user_dir / "official"
    if str(official) not in out:  # the way to the real register and the import before anything is loaded
        out[str(official)] = t("app.official_missing")
    return out


def current_folder() -> str:
    """
    The dataset folder chosen in the sidebar.

    Before anything is chosen (a new browser session, a reload): the first one, except for someone whose
    session cookie belongs to the real register, who comes back to the first dataset that is not the demo.
    """
    options = available_datasets()
    chosen = st.session_state.get("app_dataset")
    if chosen in options:
        return chosen
    if _real_session():
        for folder in options:
            meta = Path(folder) / "dataset.json"
            if not meta.exists() or not dataset.DatasetMeta.read(Path(folder)).demo:
                return folder
    return next(iter(options))


def _real_session() -> bool:
    """True when this browser's session cookie is a login of the real register (not the demo register)."""
    token = st.context.cookies.get(SESSION_COOKIE)
    if not isinstance(token, str) or not token or st.session_state.get("app_logged_out"):
        return False
    reg = open_register(store.database_url(), False)
    return not accounts.session_principal(reg, accounts.session_of_token(reg, token)).is_public


@st.cache_data(show_spinner=False, max_entries=4)
def _load(folder: str, stamp: Stamp) -> dataset.Dataset:
    data = dataset.load_dataset(folder)
    _newest, changed, day, url, is_demo = stamp
    if changed:  # Welcome Points closed, moved or added in the app, as of today
        data = welcome.current(data, welcome.changes(open_register(url, is_demo)), date.fromisoformat(day))
    return data


@st.cache_resource(show_spinner=False, max_entries=4)
def shared_dataset(folder: str, stamp: Stamp) -> dataset.Dataset:
    """
    One copy of the dataset for the work done once for all sessions (`_sheet`, `_coverage_view`): never
    changed, and its spatial index (`geo.analysis.coverage.spatial_of`) is built once, not for every copy.
    """
    return _load(folder, stamp)


@st.cache_data(show_spinner=False, max_entries=4)
def _geometry(folder: str, stamp: Stamp) -> maps.MapGeometry:
    return maps.map_geometry(_load(folder, stamp))


@st.cache_resource(show_spinner=False, max_entries=8)
def _base(folder: str, stamp: Stamp, language: str) -> webmap.Base:
    return webmap.base_payload(_load(folder, stamp), _geometry(folder, stamp), lang=language)


def base_current() -> webmap.Base:
    """The browser map's base (geometry, names, Welcome Points) of the chosen dataset, built once per version."""
    folder = current_folder()
    return _base(folder, folder_stamp(Path(folder)), lang())


@shared(max_entries=8)
def _labels(folder: str, stamp: Stamp) -> dict[str, str]:
    return profile.search_labels(_load(folder, stamp).spaces)


@shared(max_entries=8)
def _indicators(folder: str, stamp: Stamp) -> list[str]:
    return _load(folder, stamp).indicator_ids()


@shared(max_entries=8)
def _welcome_point_labels(folder: str, stamp: Stamp) -> dict[object, str]:
    return profile.welcome_point_labels(shared_dataset(folder, stamp).welcome_points)


def welcome_point_labels_current() -> dict[object, str]:
    """The chosen dataset's Welcome Points as "Name, Adresse" by ID (`geo.output.profile`), once per version."""
    folder = current_folder()
    return _welcome_point_labels(folder, folder_stamp(Path(folder)))


def indicators_current() -> list[str]:
    """Catalogue IDs with values in the chosen dataset (`Dataset.indicator_ids`), worked out once per version."""
    folder = current_folder()
    return _indicators(folder, folder_stamp(Path(folder)))


def labels_current() -> dict[str, str]:
    """Search labels (``Name (ID, Stadtteil)``) of the chosen dataset by Sozialraum ID, built once per version."""
    folder = current_folder()
    return _labels(folder, folder_stamp(Path(folder)))


@shared(max_entries=64)
def _styling(
    folder: str, stamp: Stamp, key: view.MapView, language: str, _result: need.NeedIndex, _change: object
) -> maps.Styling:
    # the need index and the change follow from the key (its recipe, its dates) and the dataset
    return maps.style_view(_load(folder, stamp), key, result=_result, change=_change, lang=language)  # type: ignore[arg-type]


def view_styling(shown: view.MapView, result: need.NeedIndex, change: object = None) -> maps.Styling:
    """
    Colours, classes and legend of a map view (`geo.output.maps.style_view`), made once per view for all sessions.

    `result` is the need index of the view's recipe and `change` its change (`geo.analysis.view.change_of`); the
    coverage view has its own (`coverage_current`).
    """
    folder = current_folder()
    return _styling(folder, folder_stamp(Path(folder)), shown.styling_key(), lang(), result, change)


def view_lines(shown: view.MapView, result: need.NeedIndex, change: object = None) -> pd.Series:
    """The map's tooltip line per Sozialraum for a view; an indicator's are made once for all sessions."""
    if shown.mode == "indikator" and shown.indicator:
        return indicator_lines(shown.indicator)
    return webmap.lines_view(load_current()[0], shown, result=result, change=change, lang=lang())  # type: ignore[arg-type]


@shared(max_entries=256)
def _lines(folder: str, stamp: Stamp, indicator: str, language: str) -> pd.Series:
    return webmap.lines_for(shared_dataset(folder, stamp), "indikator", indicator_id=indicator, lang=language)


def indicator_lines(indicator: str) -> pd.Series:
    """The map's tooltip line per Sozialraum for an indicator, made once for all sessions (read only)."""
    folder = current_folder()
    return _lines(folder, folder_stamp(Path(folder)), indicator, lang())


@shared(max_entries=512)
def _dynamics_text(folder: str, stamp: Stamp, sozialraum_id: str, language: str) -> tuple[str, str] | None:
    text = dynamics.sentence(shared_dataset(folder, stamp).series, sozialraum_id, language)
    return None if text is None else (text, dynamics.band_text("bevoelkerung", language))


def dynamics_text(sozialraum_id: str) -> tuple[str, str] | None:
    """How the population of a Sozialraum changed, in a sentence, and the threshold's note; or None."""
    folder = current_folder()
    return _dynamics_text(folder, folder_stamp(Path(folder)), sozialraum_id, lang())


@shared(max_entries=8)
def _changing(folder: str, stamp: Stamp) -> list[str]:
    return dynamics.indicators(shared_dataset(folder, stamp).series)


def changing_indicators() -> list[str]:
    """Indicators with values at two or more dates in the chosen dataset (the change view's), read only."""
    folder = current_folder()
    return _changing(folder, folder_stamp(Path(folder)))


@st.cache_data(show_spinner=False, max_entries=8)
def _places(folder: str, stamp: Stamp) -> pd.DataFrame:
    return impact.places(_load(folder, stamp))


def places_current() -> pd.DataFrame:
    """The chosen dataset's Sozialräume with their need class (`geo.register.impact.places`), cached until its files change."""
    folder = current_folder()
    return _places(folder, folder_stamp(Path(folder)))


def load_current() -> tuple[dataset.Dataset, maps.MapGeometry]:
    """
    The chosen dataset and its browser geometry, cached until its files change.

    The shared cache hands each caller a copy; a session keeps its copy for the reruns that follow
    (a copy of the real data takes about 9 ms to make, a tenth of an Erkunden rerun).
    """
    folder = current_folder()
    stamp = folder_stamp(Path(folder))

    def make() -> tuple[dataset.Dataset, maps.MapGeometry]:
        with st.spinner(t("app.loading")):
            return _load(folder, stamp), _geometry(folder, stamp)

    return session_copy("_app_dataset_copy", (folder, stamp), make)


def clear_caches() -> None:
    """Forget cached datasets (after an import)."""
    run_memo().clear()
    st.session_state.pop("_app_dataset_copy", None)
    _load.clear()
    shared_dataset.clear()
    _geometry.clear()
    _base.clear()
    for forget in SHARED_CACHES:  # the labels, indicators, need indices, Steckbriefe, ...
        forget()


@shared(max_entries=32)
def cached_need(
    folder: str, stamp: Stamp, components: tuple[tuple[str, float, bool], ...], normalisation: str
) -> tuple[need.NeedIndex, pd.Series]:
    data = _load(folder, stamp)
    comps = [need.Component(*c) for c in components]
    result = need.need_index(data.spaces, comps, normalisation=normalisation)  # type: ignore[arg-type]
    return result, need.stability(data.spaces, result)


def need_current(components: list[need.Component], normalisation: str) -> tuple[need.NeedIndex, pd.Series]:
    """The need index and its stability for the chosen dataset, cached on the plain settings."""
    folder = current_folder()
    return cached_need(folder, folder_stamp(Path(folder)), need_recipe_key(components), normalisation)


def need_recipe_key(components: list[need.Component]) -> tuple[tuple[str, float, bool], ...]:
    """A need recipe as a cache key: (indicator, weight, direction) per part."""
    return tuple((c.indicator_id, float(c.weight), bool(c.higher_is_more_need)) for c in components)


@st.cache_resource(show_spinner=False)
def open_register(url: str, is_demo: bool) -> store.Register:
    return store.Register(url, demo=is_demo)


def showing_demo() -> bool:
    """True when the chosen dataset is the synthetic demo (its register is the demo register)."""
    meta = Path(current_folder()) / "dataset.json"
    return meta.exists() and _is_demo(str(meta.parent), meta.stat().st_mtime)


@functools.lru_cache(maxsize=16)
def _is_demo(folder: str, _mtime: float) -> bool:
    """The demo flag of a dataset, read once per version of its `dataset.json` (many calls per rerun)."""
    return dataset.DatasetMeta.read(Path(folder)).demo


def register() -> store.Register:
    """
    The register of the dataset shown (engine shared by all sessions; schema migrated on first use).

    The demo dataset has a register of its own, seeded with invented tandems and one demo account per role;
    the real register (`DATABASE_URL` or ``var/register.sqlite``) never holds a demo account.
    """
    if showing_demo():
        reg = open_register(store.demo_database_url(), True)
        if not st.session_state.get("app_demo_seeded"):
            data, _ = load_current()
            ids = sorted(data.spaces["sozialraum_id"])
            if demo_register.seed_register(reg, ids) and demo_register.programme_year_wanted():
                demo_register.seed_programme_year(reg, ids, spaces=data.spaces)
            st.session_state["app_demo_seeded"] = True
        return reg
    return open_register(store.database_url(), False)


SESSION_COOKIE = "sk_session"
