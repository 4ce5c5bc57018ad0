"""What the register holds, read once for every session with the same register state (no personal data in shared entries)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.ui.caches import run_memo, shared
from app_pages.ui.datasets import (
    Stamp,
    cached_need,
    current_folder,
    folder_stamp,
    indicators_current,
    load_current,
    need_recipe_key,
    places_current,
    register,
    shared_dataset,
)
from app_pages.ui.text import lang, t
from geo.analysis import coverage, need
from geo.core import charts
from geo.core.access import Principal
from geo.output import dossier, profile
from geo.register import impact, journal, knowledge, partners, store


def principal_key(who: Principal) -> tuple:
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

    Cached per person's rights (`principal_key`): a cached list never reaches someone with other rights.
    """
    reg = register()
    return _partner_views(reg.url, register_stamp(reg), principal_key(who), reg, who)


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
    data = shared_dataset(folder, data_stamp)
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
        principal_key(who),
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
    return _journal_overview(reg.url, register_stamp(reg), principal_key(who), reg, who)


@st.cache_data(show_spinner=False, max_entries=16)
def _events(url: str, stamp: int, who_key: tuple, _reg: store.Register, _who: Principal) -> impact.Events:
    return impact.events(_reg, by=_who)


def events_current(who: Principal) -> impact.Events:
    """Activities and concerns as the impact figures need them, read again only after a write to the register."""
    reg = register()
    return _events(reg.url, register_stamp(reg), principal_key(who), reg, who)


@shared(max_entries=32)
def _impact(key: tuple, _reg: store.Register, _who: Principal) -> tuple[impact.Impact, pd.DataFrame]:
    url, stamp, who_key, _folder, _data_stamp, start, end = key
    names = {tv.id: tv.name for tv in _reg.tandems()}
    ev = _events(url, stamp, who_key, _reg, _who)
    result = impact.impact(
        ev, places_current(), start, end, tandem_names=names, covered=impact.covered_on(_reg, end)
    )
    return result, impact.by_quarter(ev, last=end)


def impact_current(who: Principal, start: date, end: date) -> tuple[impact.Impact, pd.DataFrame]:
    """
    The impact figures from `start` to `end` (`geo.register.impact.impact`) and the quarters up to `end`
    (`impact.by_quarter`) as `who` may see them: made once per register state, dataset version and set of
    rights for every session (the page made them on every click, a tenth of a page run). Read only: every
    caller gets the same objects.
    """
    reg = register()
    folder = current_folder()
    key = (reg.url, register_stamp(reg), principal_key(who), folder, folder_stamp(Path(folder)), start, end)
    return _impact(key, reg, who)


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
    data = shared_dataset(folder, stamp)
    result, changes = cached_need(folder, stamp, need_key, normalisation)
    made = profile.sheet(
        data,
        sozialraum_id,
        indicator_ids=list(indicator_ids),
        need=result,
        stability=changes,
        assignments=_assignments,
        lang=language,
    )
    # the chart's rows in Arrow once, not turned into a pandas frame and serialised on every rerun
    return dataclasses.replace(made, chart=charts.with_arrow_data(made.chart))


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
        need_key=need_recipe_key(components),
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
    data = shared_dataset(folder, stamp)
    result, _ = cached_need(folder, stamp, need_key, normalisation)
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
        need_key=need_recipe_key(components),
        normalisation=normalisation,
        hypothetical=tuple((float(lat), float(lon)) for lat, lon in hypothetical),
        hypothetical_name=t("coverage.hypothetical"),
        settings=(measure, int(min_class), float(km), bool(beyond)),
        _assignments=active_assignments(),
    )


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
    return _open_concerns(reg.url, register_stamp(reg), principal_key(who), sozialraum_id, reg, who)


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
