"""Shared page helpers: translation, dataset choice, cached loaders and plain error messages."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo.analysis import coverage, dynamics, need, view
from geo.core import auth, files, glossary, i18n, tables
from geo.core.access import Principal
from geo.core.errors import SozialraumError
from geo.core.settings import get_settings
from geo.data import dataset
from geo.output import dossier, maps, profile, webmap
from geo.register import accounts, demo, impact, journal, knowledge, partners, store, welcome


def _script(name: str) -> str:
    """A browser script or style sheet of the pages' components (``app_pages/js/``)."""
    return resources.files("app_pages").joinpath("js", name).read_text(encoding="utf-8")


_log = logging.getLogger("sozialraum_karte.ui")
T = TypeVar("T")


#: Characters that Streamlit's Markdown would read as formatting, links, images, HTML or maths.
def plain(text: object) -> str:
    """
    Text typed by a user or read from data, safe to put into Markdown: shown exactly as written.

    Without this, ``![x](https://host/p.png)`` in a concern would make every reader's browser fetch an image
    from an outside host, and ``**`` or ``$`` would change how the text looks. On a right-to-left page the
    text is isolated (U+2068 … U+2069, after the text's own bidi controls were removed), so a German title
    keeps its question mark at its end instead of jumping to the Arabic sentence's side.
    """
    shown = tables.markdown_text(text)
    if shown and i18n.direction(lang()) == "rtl":
        return f"\u2068{shown}\u2069"
    return shown


_BOUND_LANGUAGE: contextvars.ContextVar[str | None] = contextvars.ContextVar("bound_language", default=None)


def lang() -> str:
    """The language the user chose (German by default)."""
    bound_language = _BOUND_LANGUAGE.get()
    if bound_language is not None:
        return bound_language
    return str(st.session_state.get("lang", i18n.DEFAULT_LANGUAGE))


def bound(func: Callable[[Any], str]) -> Callable[[Any], str]:
    """
    A widget's `format_func` that speaks the language of the run that made it.

    Streamlit may call a format function after the run (the testing tree re-formats a chosen value outside
    any session), where the session's language cannot be read; the labels must stay those the user saw.
    """
    language = lang()
    words = i18n.active_words()
    made: dict[Any, str] = {}  # Streamlit formats each option once per run, the chosen one again

    def call(value: Any) -> str:
        try:
            return made[value]
        except (KeyError, TypeError):  # not made yet, or an option that is no dictionary key
            pass
        token = _BOUND_LANGUAGE.set(language)
        words_token = i18n.set_block_words(words)
        try:
            text = func(value)
        finally:
            i18n.reset_block_words(words_token)
            _BOUND_LANGUAGE.reset(token)
        with contextlib.suppress(TypeError):
            made[value] = text
        return text

    return call


#: The words of each browser session whose dataset names its levels otherwise than the catalogue (by session
#: id; Düsseldorf's sessions have no entry). A dictionary look-up: `t` asks for it with every text.
_SESSION_WORDS: dict[str, i18n.Words] = {}


def _session_words() -> i18n.Words | None:
    """How this browser session's dataset names its levels (`speak_city`); None outside a session's run."""
    ctx = get_script_run_ctx()
    return None if ctx is None else _SESSION_WORDS.get(ctx.session_id)


i18n.set_words_source(_session_words)


def speak_city() -> None:
    """Every text of this run names the levels as the chosen dataset's city does (Planungsraum in Berlin)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    if words := dataset.words_of(current_folder()):
        _SESSION_WORDS[ctx.session_id] = words
    else:
        _SESSION_WORDS.pop(ctx.session_id, None)


def labelled(labels: Mapping[Any, str]) -> Callable[[Any], str]:
    """A widget's `format_func` from a mapping of option -> label (the option itself when it has none)."""
    return lambda value: labels.get(value, str(value))


def t(key: str, **params: object) -> str:
    """Translate `key` into the user's language."""
    return i18n.translate(key, lang(), **params)


_RUN = threading.local()


def run_memo() -> dict:
    """
    A dictionary that lives for one script run (a rerun or a fragment run starts a new one).

    For what many widgets ask on one run and what may change between runs (folder listings, file times):
    looked up once per run instead of a dozen times. Outside a script run (a test calling a function
    directly) every call gets a fresh dictionary. A run is recognised by Streamlit's per-run cursor table,
    which `ScriptRunContext.reset` replaces at the start of every run; holding on to it keeps its identity
    from being reused.
    """
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return {}
    held = getattr(_RUN, "held", None)
    if held is None or held[0] is not ctx.cursors:
        held = (ctx.cursors, {})
        _RUN.held = held
    return held[1]


P = ParamSpec("P")
R = TypeVar("R")
_SHARED: list[Callable[[], None]] = []


def shared(max_entries: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """
    A result made once per process for every session, by its arguments; the least recently used goes first.

    For results every session reads as they are (a Steckbrief, a legend, "Was wir hier wissen" per role):
    unlike `st.cache_data`, a hit hands out the same object (no unpickled copy, no hashing of the arguments
    through Streamlit's hasher), so a caller must never change what it gets. Arguments whose names start
    with ``_`` (the register, the person) are not part of the key, as with Streamlit's caches; the others
    must be hashable. ``func.clear()`` forgets everything.
    """

    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        import inspect  # noqa: PLC0415 - once per decorated function

        names = list(inspect.signature(func).parameters)
        skipped = {i for i, name in enumerate(names) if name.startswith("_")}
        entries: OrderedDict[tuple, Any] = OrderedDict()
        busy: dict[tuple, threading.Lock] = {}
        lock = threading.Lock()

        @functools.wraps(func)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            key = (
                tuple(a for i, a in enumerate(args) if i not in skipped),
                tuple(sorted((k, v) for k, v in kwargs.items() if not k.startswith("_"))),
            )
            with lock:
                if key in entries:
                    entries.move_to_end(key)
                    found: R = entries[key]
                    return found
                making = busy.setdefault(key, threading.Lock())
            with making:  # many sessions asking at once (a meeting opening the app): one makes, the rest wait
                with lock:
                    if key in entries:
                        made: R = entries[key]
                        return made
                value = func(*args, **kwargs)
                with lock:
                    entries[key] = value
                    busy.pop(key, None)
                    while len(entries) > max_entries:
                        entries.popitem(last=False)
            return value

        def clear() -> None:
            with lock:
                entries.clear()

        call.clear = clear  # type: ignore[attr-defined]
        _SHARED.append(clear)
        return call

    return wrap


def session_copy(name: str, key: tuple, make: Callable[[], T]) -> T:
    """
    This session's copy of what `make` returns, made again only when `key` changes.

    `st.cache_data` hands every caller a fresh copy (unpickled on every call); a session that keeps its copy
    for the reruns that follow saves that work (about 9 ms for the real dataset on every rerun).
    """
    held = st.session_state.get(name)
    if held is not None and held[0] == key:
        return held[1]
    value = make()
    st.session_state[name] = (key, value)
    return value


#: A dataset's version as cache key: its version token, newest Welcome Point change, the day, the register.
Stamp = tuple[str, int, str, str, bool]


def _dataset_register() -> store.Register:
    """The register of the dataset shown, without seeding the demo (which itself loads the dataset)."""
    is_demo = showing_demo()
    return _register(store.demo_database_url() if is_demo else store.database_url(), is_demo)


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
    reg = _register(store.database_url(), False)
    return not accounts.session_principal(reg, accounts.session_of_token(reg, token)).is_public


@st.cache_data(show_spinner=False, max_entries=4)
def _load(folder: str, stamp: Stamp) -> dataset.Dataset:
    data = dataset.load_dataset(folder)
    _newest, changed, day, url, is_demo = stamp
    if changed:  # Welcome Points closed, moved or added in the app, as of today
        data = welcome.current(data, welcome.changes(_register(url, is_demo)), date.fromisoformat(day))
    return data


@st.cache_resource(show_spinner=False, max_entries=4)
def _shared(folder: str, stamp: Stamp) -> dataset.Dataset:
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
    return webmap.lines_for(_shared(folder, stamp), "indikator", indicator_id=indicator, lang=language)


def indicator_lines(indicator: str) -> pd.Series:
    """The map's tooltip line per Sozialraum for an indicator, made once for all sessions (read only)."""
    folder = current_folder()
    return _lines(folder, folder_stamp(Path(folder)), indicator, lang())


@shared(max_entries=512)
def _dynamics_text(folder: str, stamp: Stamp, sozialraum_id: str, language: str) -> tuple[str, str] | None:
    text = dynamics.sentence(_shared(folder, stamp).series, sozialraum_id, language)
    return None if text is None else (text, dynamics.band_text("bevoelkerung", language))


def dynamics_text(sozialraum_id: str) -> tuple[str, str] | None:
    """How the population of a Sozialraum changed, in a sentence, and the threshold's note; or None."""
    folder = current_folder()
    return _dynamics_text(folder, folder_stamp(Path(folder)), sozialraum_id, lang())


@shared(max_entries=8)
def _changing(folder: str, stamp: Stamp) -> list[str]:
    return dynamics.indicators(_shared(folder, stamp).series)


def changing_indicators() -> list[str]:
    """Indicators with values at two or more dates in the chosen dataset (the change view's), read only."""
    folder = current_folder()
    return _changing(folder, folder_stamp(Path(folder)))


def _principal_key(who: Principal) -> tuple:
    return (who.account_id, tuple(sorted(who.roles)), tuple(sorted(who.tandem_ids)), who.demo, who.system)


@shared(max_entries=64)
def _journal_overview(
    url: str, stamp: int, who_key: tuple, _reg: store.Register, _who: Principal
) -> tuple[pd.DataFrame, pd.DataFrame]:
    return journal.counts_by_sozialraum(_reg), journal.map_pins(_reg, by=_who)


@shared(max_entries=32)
def _partner_views(
    url: str, stamp: int, who_key: tuple, _reg: store.Register, _who: Principal
) -> list[partners.PartnerView]:
    return partners.partners(_reg, by=_who)


def partner_views(who: Principal) -> list[partners.PartnerView]:
    """
    The partners as `who` may see them (contacts only where allowed), read again only after a write.

    Cached per person's rights (`_principal_key`): a cached list never reaches someone with other rights.
    """
    reg = register()
    return _partner_views(reg.url, register_stamp(reg), _principal_key(who), reg, who)


@shared(max_entries=512)
def _knowledge(  # noqa: PLR0917 - the cache key, one part per argument
    url: str,
    stamp: int,
    who_key: tuple,
    folder: str,
    data_stamp: Stamp,
    sozialraum_id: str,
    language: str,
    _reg: store.Register,
    _who: Principal,
) -> tuple[bool, list[dossier.Section]]:
    full = knowledge.reads_in_full(_reg, sozialraum_id, by=_who)
    data = _shared(folder, data_stamp)
    return full, dossier.sections(data, _reg, sozialraum_id, by=_who, public=not full, lang=language)


def knowledge_current(sozialraum_id: str, who: Principal) -> tuple[bool, list[dossier.Section]]:
    """
    "Was wir hier wissen" about a Sozialraum as `who` may read it (in full, or the public part), and whether
    in full; read again only after a write to the register, per person's rights.
    """
    reg = register()
    folder = current_folder()
    return _knowledge(
        reg.url,
        register_stamp(reg),
        _principal_key(who),
        folder,
        folder_stamp(Path(folder)),
        sozialraum_id,
        lang(),
        reg,
        who,
    )


def journal_overview(who: Principal) -> tuple[pd.DataFrame, pd.DataFrame]:
    """
    Counts of concerns and activities per Sozialraum, and the map's pins as `who` may see them.

    Read again only after a write to the register (`Register.stamp`), and per person (rights differ).
    """
    reg = register()
    return _journal_overview(reg.url, register_stamp(reg), _principal_key(who), reg, who)


@st.cache_data(show_spinner=False, max_entries=8)
def _places(folder: str, stamp: Stamp) -> pd.DataFrame:
    return impact.places(_load(folder, stamp))


def places_current() -> pd.DataFrame:
    """The chosen dataset's Sozialräume with their need class (`geo.register.impact.places`), cached until its files change."""
    folder = current_folder()
    return _places(folder, folder_stamp(Path(folder)))


@st.cache_data(show_spinner=False, max_entries=16)
def _events(url: str, stamp: int, who_key: tuple, _reg: store.Register, _who: Principal) -> impact.Events:
    return impact.events(_reg, by=_who)


def events_current(who: Principal) -> impact.Events:
    """Activities and concerns as the impact figures need them, read again only after a write to the register."""
    reg = register()
    return _events(reg.url, register_stamp(reg), _principal_key(who), reg, who)


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
    _shared.clear()
    _geometry.clear()
    _base.clear()
    for forget in _SHARED:  # the labels, indicators, need indices, Steckbriefe, ...
        forget()


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    """Show a data problem as one plain sentence in the user's language, never a traceback."""
    try:
        yield
    except SozialraumError as exc:
        st.error(exc.markdown(lang()))
    except OSError as exc:  # a full disk, a read-only or missing folder: the operator can fix it
        _log.exception("file system error on a page")
        st.error(t("error.os", reason=files.reason(exc)))
    except Exception as exc:  # the last line of defence: a sentence for the user, the traceback in the log
        _log.exception("unexpected error on a page")
        st.error(t("app.internal_error", kind=type(exc).__name__))


def demo_notice(meta: dataset.DatasetMeta) -> None:
    """A visible notice when the data shown is the synthetic demo."""
    if meta.demo:  # one line, so that the map stays in the first screen; the map itself says it again
        st.caption(f":material/science: **{t('map.demo_mark')}**: {t('app.demo_notice_short')}")


@shared(max_entries=32)
def _need(
    folder: str, stamp: Stamp, components: tuple[tuple[str, float, bool], ...], normalisation: str
) -> tuple[need.NeedIndex, pd.Series]:
    data = _load(folder, stamp)
    comps = [need.Component(*c) for c in components]
    result = need.need_index(data.spaces, comps, normalisation=normalisation)  # type: ignore[arg-type]
    return result, need.stability(data.spaces, result)


def need_current(components: list[need.Component], normalisation: str) -> tuple[need.NeedIndex, pd.Series]:
    """The need index and its stability for the chosen dataset, cached on the plain settings."""
    folder = current_folder()
    return _need(folder, folder_stamp(Path(folder)), _need_key(components), normalisation)


def _need_key(components: list[need.Component]) -> tuple[tuple[str, float, bool], ...]:
    """A need recipe as a cache key: (indicator, weight, direction) per part."""
    return tuple((c.indicator_id, float(c.weight), bool(c.higher_is_more_need)) for c in components)


def _register_key() -> tuple[str, int, date]:
    """What the register's shared results key on: its address, its stamp (any write) and the day."""
    reg = register()
    return (reg.url, register_stamp(reg), date.today())


@shared(max_entries=512)
def _sheet(
    folder: str,
    stamp: Stamp,
    *,
    register_key: tuple[str, int, date],
    need_key: tuple[tuple[str, float, bool], ...],
    normalisation: str,
    sozialraum_id: str,
    indicator_ids: tuple[str, ...],
    language: str,
    _assignments: pd.DataFrame,
) -> profile.Sheet:
    data = _shared(folder, stamp)
    result, changes = _need(folder, stamp, need_key, normalisation)
    return profile.sheet(
        data,
        sozialraum_id,
        indicator_ids=list(indicator_ids),
        need=result,
        stability=changes,
        assignments=_assignments,
        lang=language,
    )


def sheet_current(
    sozialraum_id: str, indicator_ids: list[str], components: list[need.Component], normalisation: str
) -> profile.Sheet:
    """
    The Steckbrief of `sozialraum_id` (`geo.output.profile.sheet`), made once for every session that looks at it
    with the same data, need index, register state and language (it holds no personal data).
    """
    folder = current_folder()
    return _sheet(
        folder,
        folder_stamp(Path(folder)),
        register_key=_register_key(),
        need_key=_need_key(components),
        normalisation=normalisation,
        sozialraum_id=sozialraum_id,
        indicator_ids=tuple(indicator_ids),
        language=lang(),
        _assignments=active_assignments(),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _coverage_view(
    folder: str,
    stamp: Stamp,
    *,
    register_key: tuple[str, int, date],
    need_key: tuple[tuple[str, float, bool], ...],
    normalisation: str,
    hypothetical: tuple[tuple[float, float], ...],
    hypothetical_name: str,
    settings: tuple[str, int, float, bool],
    _assignments: pd.DataFrame,
) -> coverage.CoverageView:
    data = _shared(folder, stamp)
    result, _ = _need(folder, stamp, need_key, normalisation)
    measure, min_class, km, beyond = settings
    return coverage.coverage_view(
        data.spaces,
        coverage.with_hypothetical(data.welcome_points, hypothetical, hypothetical_name),
        result.score,
        result.need_class,
        _assignments,
        measure=measure,
        min_class=min_class,
        distance_m=km * 1000,
        beyond=beyond,
    )


def coverage_current(
    components: list[need.Component],
    normalisation: str,
    hypothetical: list[tuple[float, float]],
    *,
    measure: str,
    min_class: int,
    km: float,
    beyond: bool,
) -> coverage.CoverageView:
    """
    `geo.analysis.coverage.coverage_view` for the chosen dataset, computed once for every session with the same
    data, need index, register state, what-if points and settings (it holds no personal data).
    """
    folder = current_folder()
    return _coverage_view(
        folder,
        folder_stamp(Path(folder)),
        register_key=_register_key(),
        need_key=_need_key(components),
        normalisation=normalisation,
        hypothetical=tuple((float(lat), float(lon)) for lat, lon in hypothetical),
        hypothetical_name=t("coverage.hypothetical"),
        settings=(measure, int(min_class), float(km), bool(beyond)),
        _assignments=active_assignments(),
    )


@st.cache_resource(show_spinner=False)
def _register(url: str, is_demo: bool) -> store.Register:
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
        reg = _register(store.demo_database_url(), True)
        if not st.session_state.get("app_demo_seeded"):
            data, _ = load_current()
            ids = sorted(data.spaces["sozialraum_id"])
            if demo.seed_register(reg, ids) and demo.programme_year_wanted():
                demo.seed_programme_year(reg, ids, spaces=data.spaces)
            st.session_state["app_demo_seeded"] = True
        return reg
    return _register(store.database_url(), False)


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
        _log.warning("account language not read or kept: %s", exc.message("en"))
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
        _log.warning("account language not stored: %s", exc.message("en"))


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


SESSION_COOKIE = "sk_session"


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
            accounts.end_session(_register(session[0], session[0] == store.demo_database_url()), session[1])
    st.session_state.pop(PREPARED, None)
    st.session_state.pop("app_lang_account", None)
    st.session_state["app_logged_out"] = True
    st.session_state["app_cookie"] = {"logout": secrets.token_hex(8)}


_COOKIE_JS = _script("session-cookie.js")
_cookie_writer = st.components.v2.component("sk_session_cookie", js=_COOKIE_JS)


#: Streamlit draws captions in the text colour at 60 % opacity: #828180 on white, 3.88:1, below WCAG's
#: 4.5:1 for text. Full opacity in #5f5e5d is 6.4:1 and still reads as secondary.
#: (`html body` in front: Streamlit adds its own rules later, and an equally specific later rule would win.)
PAGE_CSS = """
html body [data-testid="stCaptionContainer"] { color: #5f5e5d; opacity: 1; }
html body [data-testid="stMainBlockContainer"] { padding-top: 4rem; }
html body [data-testid="stHeading"] h1 { font-size: 2rem; padding-top: 0.25rem; }
html body [data-testid="stBaseButton-tertiary"] { justify-content: flex-start; text-align: start; }
html body [data-testid^="stBaseButton-"], html body [data-testid="stButtonGroup"] button,
html body [data-testid="stPopoverButton"] { min-height: 44px; }
html body [data-testid="stExpandSidebarButton"] { min-width: 44px; height: 44px; width: auto; gap: 4px;
  padding: 0 10px; border: 1px solid #8a8886; border-radius: 8px; }
html body [data-testid="stExpandSidebarButton"]::after { content: var(--sk-menu); font-size: 15px;
  font-weight: 600; white-space: nowrap; }
"""
#: Right-to-left languages: the text runs right to left, but Streamlit's frame stays as it is built (its
#: sidebar slides out to the left; with ``<html dir="rtl">`` a folded phone sidebar stayed half on the page).
#: The map keeps Leaflet's own left-to-right geometry; its legend, source line and tooltips read right to left.
RTL_CSS = """
[data-testid="stMain"], [data-testid="stSidebarContent"], [role="dialog"] { direction: rtl; }
[data-testid="stMain"] .leaflet-container, [data-testid="stVegaLiteChart"] { direction: ltr; }
[data-testid="stMain"] .leaflet-container .sk-legend, [data-testid="stMain"] .leaflet-container .sk-source,
[data-testid="stMain"] .leaflet-container .leaflet-tooltip { direction: rtl; text-align: right; }
"""

# Sets the page's language on every run and adds the house CSS to the document once (it stays
# across reruns and page changes, unlike an element that a rerun replaces).
_PAGE_JS = _script("page.js")
_page_language = st.components.v2.component("sk_page_language", js=_PAGE_JS)


def page_setup() -> None:
    """
    Once per run, before anything else is drawn: the page's language, the house CSS and the text direction.

    Streamlit writes ``<html lang="en">`` whatever the page says; screen readers pick their voice from it.
    """
    code = lang()
    menu = json.dumps(
        t("app.menu_button"), ensure_ascii=False
    )  # a CSS string: the label of the sidebar's toggle, in words
    css = PAGE_CSS + f":root {{ --sk-menu: {menu}; }}\n" + (RTL_CSS if i18n.direction(code) == "rtl" else "")
    _page_language(
        data={
            "lang": code,
            "css": css,
            "texts": i18n.streamlit_texts(code),
            "top": int(st.session_state.get("app_logins", 0)),  # a new login: back to the top of the page
        },
        key="app_page_language",
        height="content",
    )


def write_session_cookie() -> None:
    """Have the server set (after a login) or clear (after a logout) the login cookie; call once per run."""
    if cookie := st.session_state.get("app_cookie"):
        _cookie_writer(data=cookie, key="app_session_cookie")


def register_stamp(reg: store.Register) -> int:
    """`Register.stamp` looked up once per script run (several cached reads ask for it)."""
    memo = run_memo()
    key = ("register_stamp", reg.url)
    if key not in memo:
        memo[key] = reg.stamp()
    return memo[key]


@shared(max_entries=16)
def _active_assignments(url: str, stamp: int, day: date, _reg: store.Register) -> pd.DataFrame:
    return _reg.active_assignments(day)


def active_assignments() -> pd.DataFrame:
    """Active assignments today (no personal data), read again after a write to the register or a new day."""
    reg = register()
    return _active_assignments(reg.url, register_stamp(reg), date.today(), reg)


@shared(max_entries=256)
def _open_concerns(
    url: str, stamp: int, who_key: tuple, sozialraum_id: str, _reg: store.Register, _who: Principal
) -> list[str]:
    return journal.open_concerns(_reg, sozialraum_id, by=_who)


def open_concerns(sozialraum_id: str, who: Principal) -> list[str]:
    """`journal.open_concerns` as `who` may see them, read again only after a write to the register."""
    reg = register()
    return _open_concerns(reg.url, register_stamp(reg), _principal_key(who), sozialraum_id, reg, who)


def need_components() -> tuple[list[need.Component], str]:
    """The need index the user built on the explore page, or the default one."""
    available = indicators_current()
    chosen = st.session_state.get("explore_components")
    if chosen:
        comps = [
            need.Component(
                i,
                float(st.session_state.get(f"explore_w_{i}", 1.0)),
                bool(st.session_state.get(f"explore_up_{i}", True)),
            )
            for i in chosen
            if i in available
        ]
        if comps:
            return comps, str(st.session_state.get("explore_norm", "zscore"))
    return need.default_components(available, load_current()[0].catalogue), "zscore"


def table_with_download(
    frame: pd.DataFrame, *, caption: str, file_name: str, key: str, decimals: dict[str, int] | None = None
) -> None:
    """A caption, a sortable table (numbers as the user writes them) and its CSV download (spreadsheet-safe)."""
    st.caption(caption)
    st.dataframe(tables.localized(frame, lang(), decimals=decimals), hide_index=True, width="stretch")
    st.download_button(
        t("ranking.download"), tables.csv_bytes(frame), file_name=file_name, mime="text/csv", key=key
    )


#: Session key of the files a user prepared for download (forgotten at logout: they may hold personal data).
PREPARED = "_app_prepared_files"


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
    full_key = (key, _principal_key(principal()), register().url, current_folder(), lang())
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
        _log.warning("choices not carried across the language switch (Streamlit internals changed)")
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


#: The language picker's label, in every language: someone who reads no German still finds it.
LANGUAGE_LABEL = " · ".join(dict.fromkeys(i18n.translate("app.language", code) for code in i18n.LANGUAGES))


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
            t("app.demo_accounts", password=demo.DEMO_PASSWORD)
            + "\n\n"
            + "\n".join(
                f"- `{e}` ({', '.join(t(f'role.{r}') for r in roles)})"
                for e, roles in demo.DEMO_ACCOUNTS.items()
            ),
            icon=":material/science:",
        )
    else:
        st.caption(t("app.code_hint"))


def explain_words(page: str, *, first: list[tuple[str, str]] | None = None, where: object = st) -> None:
    """
    "Was heißt das?": the page's words a reader may not know, one plain sentence each (`geo.core.glossary`).

    `first` puts what matters most right now on top (the indicator shown on the map).
    """
    pairs = [*(first or []), *glossary.for_page(page, lang())]
    if not pairs:
        return
    with where.popover(t("app.explain_button"), icon=":material/help:", key=f"{page}_glossary"):  # type: ignore[attr-defined]
        st.markdown("\n".join(f"- **{plain(word)}**: {plain(sentence)}" for word, sentence in pairs))


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
