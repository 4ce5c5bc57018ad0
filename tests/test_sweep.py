"""
The words sweep (issue 25): every page and every panel, for every role, in every UI language, on the demo
with its programme year. Fails on a catalogue key, "None", "nan", Streamlit's English and internal event
names anywhere a person reads: text, labels, options, placeholders, tabs, metrics and tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from geo.core import i18n
from geo.register import demo_register
from tests.conftest import log_in_here

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = [
    "start",
    "explore",
    "activities",
    "concerns",
    "partners",
    "group",
    "coverage",
    "tandems",
    "welcome_points",
    "impact",
    "export",
    "data",
    "account",
    "programme",
    "admin",
]
ROLES = {"public": None, "connector": "connector@demo.invalid", "coordinator": "koordination@demo.invalid"}
ROLES["admin"] = "admin@demo.invalid"
#: Streamlit's own English texts that could reach a page (placeholders, empty states, bulk choices).
ENGLISH = re.compile(
    r"\b(?:Select all|Select \d+ matches|Choose an option|No results|Choose options|Add an option)\b"
)
RAW = re.compile(r"(?<![\w-])(?:None|nan|NaN|NaT|null|undefined)(?![\w-])")


def _catalogue_key() -> re.Pattern[str]:
    """Any `prefix.rest` whose prefix is a catalogue's first part (e-mail addresses are taken out first)."""
    prefixes = sorted({key.split(".")[0] for key in i18n.catalogue("de")})
    return re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + r")\.[a-z_][a-z0-9_.]*\b")


KEY = _catalogue_key()
EVENT = re.compile(
    r"\b[a-z]+_[a-z_]+\b|\b(?:account|activity|concern|connector|certificate|participation)\.[a-z_]+\b"
)


def _texts(at: AppTest) -> Iterator[tuple[str, str]]:
    """(where, text) of everything a person reads on the page as it is now."""
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "success",
        "warning",
        "error",
    ):
        for e in at.get(kind):
            yield kind, str(e.value if hasattr(e, "value") else e.proto)
    for kind in ("button", "text_input", "text_area", "toggle", "checkbox", "number_input", "date_input"):
        for e in at.get(kind):
            yield kind, str(e.label)
    for kind in ("selectbox", "multiselect", "radio", "select_slider"):
        for e in at.get(kind):
            yield kind, str(e.label)
            yield kind + " placeholder", str(getattr(e.proto, "placeholder", ""))
            for option in e.proto.options:
                yield kind + " option", str(option)
    for e in at.tabs:
        yield "tab", str(e.label)
    for e in at.metric:
        yield "metric", f"{e.label} {e.value}"
    for e in at.dataframe:
        data = e.proto.arrow_data
        if data.HasField("styler") and data.styler.display_values:  # what a Styler shows (``–`` for gaps)
            frame = dataframe_util.convert_arrow_bytes_to_pandas_df(data.styler.display_values)
        else:  # shown as is: a missing value reads "None"
            frame = e.value
        yield "table header", " | ".join(map(str, frame.columns))
        for row in frame.itertuples(index=False):
            yield "table", " | ".join(map(str, row))


def _problems(at: AppTest, where: str) -> list[str]:
    found = []
    if at.exception:
        return [f"{where}: exception {[e.value for e in at.exception]}"]
    for kind, text in _texts(at):
        plain = re.sub(r"\S+@\S+", "", text)  # e-mail addresses ("demo.invalid") are data
        plain = re.sub(r":material/[a-z_]+:", "", plain)  # an icon in Markdown, drawn as the icon
        plain = re.sub(r"https?://\S+|\b[\w-]+\.(?:csv|xlsx|pdf|ics|json|zip|png|html|geojson)\b", "", plain)
        if re.search(r"{[a-z_]+}", plain):
            found.append(f"{where} [{kind}] placeholder left in {text[:120]!r}")
        for name, pattern in (("key", KEY), ("raw", RAW), ("English", ENGLISH), ("event", EVENT)):
            if match := pattern.search(plain):
                found.append(f"{where} [{kind}] {name} {match.group(0)!r} in {text[:120]!r}")
    return found


def _login(at: AppTest, email: str) -> None:
    log_in_here(at, email, demo_register.DEMO_PASSWORD)


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_no_key_none_english_or_event_name_on_any_page_panel_role(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path, language: str
) -> None:
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SOZIALRAUM_DEMO_PROGRAMME", "1")  # the demo year: answers, hours, audit entries
    problems: list[str] = []
    visited = 0
    for role, email in ROLES.items():
        at = AppTest.from_file(APP, default_timeout=90)
        at.query_params["lang"] = language
        at.run()
        if email:
            _login(at, email)
        assert at.session_state["lang"] == language
        if language != i18n.DEFAULT_LANGUAGE:
            assert at.query_params["lang"] in (language, [language])  # the address follows the language
        if i18n.needs_review(language):
            assert i18n.translate("app.translation_review", language) in [c.value for c in at.sidebar.caption]
        for page in PAGES:
            try:
                at.switch_page(f"app_pages/{page}.py")
            except ValueError:  # not a page of this role (Programmjahr, Verwaltung)
                continue
            at.run()
            where = f"{language} {role} {page}"
            if at.title and page != "start":  # each page's title in the language chosen
                title_key = {"welcome_points": "wp.title"}.get(page, f"{page}.title")
                assert at.title[0].value == i18n.translate(title_key, language), where
            problems += _problems(at, where)
            visited += 1
            for name, panels in dict(at.session_state["app_panels"]).items():
                for panel in panels[1:]:  # the first one was just checked
                    at.session_state[f"{name}_panel"] = panel
                    at.run()
                    problems += _problems(at, f"{where} › {panel}")
                    visited += 1
                at.session_state[f"{name}_panel"] = panels[0]
    assert visited >= 4 * len(PAGES)
    unique = list(dict.fromkeys(re.sub(r" in '.*", "", p) for p in problems))  # one line per kind of fault
    assert not problems, "\n".join(unique[:60])


#: Markup a connector or a data file could type: it must reach every page as text, never as markup.
HOSTILE = (
    "![x](http://tracker.invalid/p.png) [klick](http://tracker.invalid/l) www.tracker.invalid **fett** $x$"
)
#: Free-text columns of the register that pages show (names, languages, titles, notes, answers).
HOSTILE_COLUMNS = {
    "connector": ("display_name", "languages", "contact"),
    "tandem": ("name",),
    "activity": ("title", "venue", "target_group", "notes"),
    "concern": ("thema", "beschreibung", "lokalisierung", "loesungen", "kontakt"),
    "concern_update": ("comment",),
    "connector_status": ("note",),
    "engagement": ("availability",),
    "qualification": ("name",),
}
#: What Markdown would turn into an image or a link: unescaped ``![``/``](``, or a bare web address.
LIVE = re.compile(r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\(|(?:https?|ftp)://tracker|www\.tracker")


def _live_markup(at: AppTest, where: str) -> list[str]:
    """Places where the hostile text landed in something Streamlit renders as Markdown, and is live there."""
    found = []
    markdown_kinds = {"title", "header", "subheader", "markdown", "caption", "info", "success", "warning"}
    markdown_kinds |= {"error", "button", "checkbox", "toggle", "text_input", "text_area", "tab"}
    markdown_kinds |= {"selectbox", "multiselect", "radio", "number_input", "date_input", "select_slider"}
    for kind, text in _texts(at):
        if kind not in markdown_kinds or "tracker" not in text:  # options and tables are never Markdown
            continue
        if LIVE.search(text.replace("\\\\", "")):
            found.append(f"{where} [{kind}] {text[:160]!r}")
    return found


def test_text_typed_by_people_never_becomes_markup_on_any_page(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    from sqlalchemy import text as sql

    from geo.data import dataset
    from geo.register import store

    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SOZIALRAUM_DEMO_PROGRAMME", "1")
    register = store.Register(store.demo_database_url(), demo=True)  # seeded as the app seeds it, then
    ids = sorted(dataset.load_dataset(demo_dir).spaces["sozialraum_id"])  # every free text made hostile
    assert demo_register.seed_register(register, ids)
    demo_register.seed_programme_year(register, ids)
    with register.engine.begin() as c:
        for table, columns in HOSTILE_COLUMNS.items():
            for column in columns:
                value = HOSTILE.replace(" ", "_") if column == "languages" else HOSTILE  # a list, comma-free
                c.execute(sql(f"UPDATE {table} SET {column} = :v"), {"v": f"{column} {value}"})
    register.close()
    problems: list[str] = []
    seen = 0
    for role, email in ROLES.items():
        at = AppTest.from_file(APP, default_timeout=90)
        at.run()
        if email:
            _login(at, email)
        for page in PAGES:
            try:
                at.switch_page(f"app_pages/{page}.py")
            except ValueError:
                continue
            at.run()
            where = f"{role} {page}"
            problems += [f"{where}: exception {[e.value for e in at.exception]}"] if at.exception else []
            problems += _live_markup(at, where)
            seen += sum("tracker" in text for _, text in _texts(at))
            for name, panels in dict(at.session_state["app_panels"]).items():
                for panel in panels[1:]:
                    at.session_state[f"{name}_panel"] = panel
                    at.run()
                    problems += _live_markup(at, f"{where} › {panel}")
                    seen += sum("tracker" in text for _, text in _texts(at))
                at.session_state[f"{name}_panel"] = panels[0]
    assert seen > 50  # the hostile text did reach the pages
    assert not problems, "\n".join(problems[:40])
