"""AppTest smoke tests: each page runs headless, shows no exception, and wires geo/ correctly."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.core import i18n
from geo.core.access import Principal
from geo.data import dataset
from geo.output import webmap
from geo.register import accounts, demo_register, journal, store
from geo.register.store import Register
from tests.conftest import log_in_here

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
ADMIN = Principal(label="test-admin", roles=frozenset({"admin"}))

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _app(monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    return AppTest.from_file(APP, default_timeout=60)


def _explore(monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path) -> AppTest:
    """The app opened (on its start page), then the map page."""
    at = _app(monkeypatch, data_dir, tmp_path).run()
    at.switch_page("app_pages/explore.py")
    return at.run()


def _open(at: AppTest, name: str, panel: str) -> AppTest:
    """Open panel `panel` of the tabs `name` (`ui.panels`: only the open panel runs) and rerun."""
    at.session_state[f"{name}_panel"] = panel
    return at.run()


def _each_panel(at: AppTest) -> Iterator[str]:
    """After a page ran: open each of its panels in turn (only the open one runs) and yield its ID."""
    for name, ids in dict(at.session_state["app_panels"]).items():
        for panel in ids:
            _open(at, name, panel)
            yield panel


def _map_args(at: AppTest) -> dict:
    """The arguments of the one map component on a page (coverage, activities)."""
    assert not at.error, [e.value for e in at.error]
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)


def _webmap(at: AppTest) -> tuple[dict, dict]:
    """The Erkunden map's base (geometry, names) and style (colours, lines, legend, choices)."""
    assert not at.error, [e.value for e in at.error]
    parts = {c.proto.component_name: c.proto for c in at.get("bidi_component")}
    base = webmap.published_at(json.loads(parts["sk_map_base"].json))  # the page gave the base's address
    assert base is not None
    return base.payload, webmap.unmessage(parts["sk_map"].bytes)


def _line(base: dict, style: dict, sozialraum_id: str) -> str:
    i = base["ids"].index(sozialraum_id)
    return style["linePrefix"] + style["lines"][i]


def test_explore_page_shows_the_map(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _explore(monkeypatch, demo_dir, tmp_path)
    assert not at.exception
    assert at.title[0].value == "Sozialräume erkunden"
    assert any("Demo-Daten (erfunden)" in c.value for c in at.caption)  # one line, over the map
    base, style = _webmap(at)
    assert len(base["ids"]) == len(base["topology"]["objects"]["sozialraeume"]["geometries"]) == 171
    assert style["v"] == base["v"]  # the style names the geometry it colours
    assert len(style["fill"]) == 171 and all(0 <= f < len(style["palette"]) for f in style["fill"])
    assert "SGB-II-Quote" in style["legend"]["title"]
    assert "Demo-Daten" in style["source"]
    assert len(json.dumps(style)) < 20_000  # what a change sends: colours and lines, no geometry


def test_indicator_change_and_url(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _explore(monkeypatch, demo_dir, tmp_path)
    at.selectbox(key="explore_indicator").set_value("kinderarmut").run()
    assert not at.exception
    assert "Kinderarmut" in _webmap(at)[1]["legend"]["title"]
    assert at.query_params["indikator"] in ("kinderarmut", ["kinderarmut"])


def test_english(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _explore(monkeypatch, demo_dir, tmp_path)
    at.sidebar.selectbox[0].set_value("en").run()
    assert at.title[0].value == "Explore the Sozialräume"
    base, style = _webmap(at)
    assert "SGB II rate" in style["legend"]["title"]
    assert base["bezirkLabels"][0][2].startswith("District")


def test_data_page(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert at.title[0].value == "Daten"
    assert [m.value for m in at.metric][:2] == ["171", "10"]
    assert any("Staatsangehörigkeiten für 50 Stadtteile" in c.value for c in at.caption)
    assert "data_fetch" not in _keys(at)  # the public imports nothing
    assert any("nur Admins" in i.value for i in at.info)
    _login(at, "admin@demo.invalid", demo_register.DEMO_PASSWORD)
    assert "data_fetch" not in _keys(at)  # a demo admin cannot replace the data everybody sees
    assert any("Mit einem Demo-Konto können Sie keine Daten laden" in i.value for i in at.info)


def _keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


def _official_copy(demo_dir: Path, tmp_path: Path) -> Path:
    """The demo files as if they were an imported official dataset (the real register applies)."""
    import shutil

    folder = tmp_path / "offiziell"
    shutil.copytree(demo_dir, folder)
    meta = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    meta.update(demo=False, title="Offiziell (Test)")
    (folder / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_an_admin_completes_the_origin_of_imported_data(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    official = _official_copy(demo_dir, tmp_path)
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    register = Register(store.database_url())
    _account(register, "admin@test.invalid", "admin")
    register.close()
    at = _app(monkeypatch, official, tmp_path)
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert "data_provenance_kind" not in {s.key for s in at.selectbox}  # the public edits nothing
    _login(at, "admin@test.invalid", PASSWORD)
    at.text_input(key="data_provenance_dataset_reference_date").set_value("31.12.2024")
    at.button[[b.label for b in at.button].index("Herkunft speichern")].click().run()
    assert not at.exception
    assert any("kein Datum" in e.value for e in at.error)  # a sentence, and nothing written
    assert json.loads((official / "dataset.json").read_text(encoding="utf-8"))["layers"] == []
    at.text_input(key="data_provenance_dataset_reference_date").set_value("2024-12-31")
    at.text_input(key="data_provenance_dataset_licence_id").set_value("CC-BY-4.0")
    at.button[[b.label for b in at.button].index("Herkunft speichern")].click().run()
    assert not at.exception and not at.error
    (layer,) = json.loads((official / "dataset.json").read_text(encoding="utf-8"))["layers"]
    assert (layer["reference_date"], layer["licence"]) == ("2024-12-31", "CC BY 4.0")
    assert any("Herkunft gespeichert" in s.value for s in at.success)
    shown = [m.value.replace("\\", "") for m in at.markdown]  # markdown-escaped text
    assert any("31.12.2024" in m and "CC-BY-4.0" in m for m in shown), shown
    # the form shows what is stored, the licence's name filled in from its ID
    assert at.text_input(key="data_provenance_dataset_licence").value == "CC BY 4.0"
    saved = (official / "dataset.json").read_text(encoding="utf-8")
    at.button[[b.label for b in at.button].index("Herkunft speichern")].click().run()  # nothing changed
    assert not at.exception and not at.error
    assert any("Nichts geändert" in i.value for i in at.info)  # said, not silently nothing
    assert (official / "dataset.json").read_text(encoding="utf-8") == saved


def test_missing_dataset_is_one_plain_sentence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _app(monkeypatch, tmp_path / "leer", tmp_path).run()
    assert not at.exception
    assert "python -m geo demo" in at.error[0].value
    assert "Traceback" not in at.error[0].value


def test_only_an_admin_fetches_and_never_from_an_internal_address(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    official = _official_copy(demo_dir, tmp_path)
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    register = Register(store.database_url())
    _account(register, "admin@test.invalid", "admin")
    _account(register, COORDINATOR_EMAIL, "coordinator")
    register.close()
    at = _app(monkeypatch, official, tmp_path)
    at.run()
    at.switch_page("app_pages/data.py").run()
    _login(at, COORDINATOR_EMAIL, PASSWORD)
    assert "data_fetch" not in _keys(at)  # coordinators do not import data
    _logout(at)
    _login(at, "admin@test.invalid", PASSWORD)
    for address in ("http://127.0.0.1:9/", "http://10.0.0.8/", "http://169.254.169.254/latest/"):
        at.text_input(key="data_base_url").set_value(address).run()
        at.button(key="data_fetch").click().run()
        assert not at.exception
        assert "wird nicht geladen" in at.error[0].value, address
    assert not (tmp_path / "var" / "official").exists()
    log = accounts.audit_log(Register(store.database_url()), by=Principal.cli())
    assert "data.fetch" not in set(log["action"])


def test_deep_link_opens_the_same_view(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.query_params["ansicht"] = "index"
    at.query_params["index"] = "sgb2_quote:2:+,gymnasium_pct:1:-"
    at.query_params["sr"] = "011001"
    at.query_params["liste"] = "011001,012001"
    at.query_params["bezirk"] = "1"
    at.run()
    assert not at.exception
    assert at.multiselect(key="explore_components").value == ["sgb2_quote", "gymnasium_pct"]
    assert at.select_slider(key="explore_w_sgb2_quote").value == 2.0
    assert at.toggle(key="explore_up_gymnasium_pct").value is False
    assert at.session_state["explore_selected"] == "011001"
    assert at.session_state["explore_shortlist"] == ["011001", "012001"]
    base, style = _webmap(at)
    assert "Bedarf" in style["legend"]["title"]
    assert base["ids"][style["selected"]] == "011001"
    assert [base["ids"][i] for i in style["shortlist"]] == ["011001", "012001"]
    veiled = {base["ids"][i] for i in style["veiled"]}  # the Stadtbezirk filter veils the rest
    assert veiled and not any(i.startswith("01") for i in veiled)
    name = dataset.load_dataset(demo_dir).spaces.set_index("sozialraum_id").loc["011001", "name"]
    assert [_shown(h.value) for h in at.subheader] == [name]  # the profile of the linked Sozialraum
    params = at.query_params
    assert params["sr"] in ("011001", ["011001"])
    assert "gymnasium_pct:1:-" in str(params["index"])


def test_deep_link_distance_between_steps(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    points = dataset.load_dataset(demo_dir).welcome_points
    at.query_params["wp"] = points["welcome_point_id"].iloc[0]
    at.query_params["km"] = "1.3"  # a hand-edited link: not one of the slider's steps
    at.run()
    assert not at.exception
    km = at.select_slider(key="explore_km")
    assert km.value == 1.5
    assert km.format_func(0.75) == "0,75 km"  # German decimal comma on the slider


def test_the_welcome_point_filter_names_each_point_and_keeps_what_lies_near_it(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _explore(monkeypatch, demo_dir, tmp_path)
    first = dataset.load_dataset(demo_dir).welcome_points.iloc[0]
    box = at.selectbox(key="explore_wp")
    assert f"{first['name']}, {first['address']}" in box.options
    at.segmented_control(key="explore_panel").set_value("ranking").run()
    every = len(next(d.value for d in at.dataframe if "Platz" in d.value.columns))
    at.selectbox(key="explore_wp").set_value(first["welcome_point_id"]).run()
    assert not at.exception
    near = len(next(d.value for d in at.dataframe if "Platz" in d.value.columns))
    assert 0 < near < every


def test_profile_ranking_and_compare(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _explore(monkeypatch, demo_dir, tmp_path)
    at.selectbox(key="explore_search").set_value("011001").run()
    assert not at.exception
    assert at.metric[0].label == "Bedarfswert (0–100)"
    assert "von 170" in at.metric[1].value  # 171 Sozialräume, one uninhabited
    assert at.selectbox(key="explore_search").value is None  # a search that picks, then is empty again
    assert any("Sozialraum 011001" in c.value or "011001 ·" in c.value for c in at.caption)
    at.button(key="explore_add").click().run()
    assert at.session_state["explore_shortlist"] == ["011001"]
    assert not at.dataframe  # only the panel shown is built
    at.segmented_control(key="explore_panel").set_value("ranking").run()
    ranking = next(d.value for d in at.dataframe if "Platz" in d.value.columns)
    assert len(ranking) == 171
    assert ranking.iloc[0]["Platz"] == 1
    at.multiselect(key="explore_classes").set_value([1]).run()
    filtered = next(d.value for d in at.dataframe if "Platz" in d.value.columns)
    assert 30 <= len(filtered) <= 36
    assert set(filtered["Bedarf"]) == {"1 – höchster Bedarf"}


def test_official_type_is_shown_as_is(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    import shutil

    import pandas as pd

    folder = tmp_path / "typed"
    shutil.copytree(demo_dir, folder)
    table = pd.read_csv(folder / dataset.INDICATORS_FILE, sep=";", dtype=str)
    table.insert(3, "Sozialraumtyp", ["Typ A" if i % 3 else "Typ <b>B</b>" for i in range(len(table))])
    table.to_csv(folder / dataset.INDICATORS_FILE, sep=";", index=False)
    at = _app(monkeypatch, folder, tmp_path)
    at.query_params["ansicht"] = "typ"
    at.query_params["sr"] = "011001"
    at.run()
    assert not at.exception
    base, style = _webmap(at)
    assert "Amtliche Einteilung" in style["legend"]["title"]
    labels = [label for _colour, label in style["legend"]["rows"]]
    assert "Typ A" in labels
    # the text arrives as text: the map puts every text from data into the page with textContent
    assert "Typ <b>B</b>" in labels
    assert "Typ <b>B</b>" in {_line(base, style, i) for i in base["ids"]} | {
        line.split(": ", 1)[-1] for line in (_line(base, style, i) for i in base["ids"])
    }
    code = (Path(__file__).parent.parent / "geo" / "output" / "web" / "map.js").read_text(encoding="utf-8")
    assert "innerHTML" not in code and "insertAdjacentHTML" not in code
    assert any("Amtliche Einteilung" in m.value for m in at.markdown)


def test_coverage_page(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/coverage.py").run()
    assert not at.exception
    assert at.title[0].value == "Wo Tandems arbeiten und wo sie fehlen"
    gaps = int(next(m.value for m in at.metric if m.label == "Lücken"))
    assert 30 <= gaps <= 70  # high need (two fifths of 170) and no tandem yet
    _base, style = _webmap(at)
    assert list(style["classes"].values()).count("sk-gap") == gaps  # the gaps are marked on the map
    assert len(style["outlines"]) == 10  # one catchment per Welcome Point of the demo
    assert "Lücke" in " ".join(label for _colour, label in style["legend"]["rows"])
    at.selectbox(key="coverage_min_class").set_value(1).run()
    assert int(next(m.value for m in at.metric if m.label == "Lücken")) < gaps
    _open(at, "coverage", "suggest")
    assert any("erreicht" in m.value for m in at.markdown)  # suggestions with their reasons
    at.select_slider(key="coverage_km").set_value(2.5).run()
    assert not at.exception
    assert "2,5 km" in next(m.help for m in at.metric if m.label == "Nah am Welcome Point")


PASSWORD = "ein-testpasswort"
COORDINATOR_EMAIL = "koordination@test.invalid"


def _demo_register(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Register:
    """The register the app uses while it shows the demo dataset (its own SQLite file)."""
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    return Register(store.demo_database_url(), demo=True)


def _account(register: Register, email: str, roles: str, connector: int | None = None) -> None:
    """An account with `PASSWORD`, made the way an admin and the person would."""
    _id, code = accounts.create_account(
        register, by=Principal.cli(), email=email, roles=roles, connector_id=connector
    )
    accounts.set_password_with_code(register, email, code, PASSWORD)


def _register_with_tandem(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, first: tuple[str, str, str], name: str
) -> tuple[Register, int]:
    """A coordinator account and a register with one tandem of `first` (name, languages, contact) and Omar."""
    from datetime import date

    register = _demo_register(monkeypatch, tmp_path)
    a = register.add_connector(first[0], first[1], contact=first[2], by=COORD)
    b = register.add_connector("Omar", "Arabisch", by=COORD)
    _account(register, COORDINATOR_EMAIL, "coordinator")
    return register, register.create_tandem(name, [a, b], start=date(2025, 1, 1), by=COORD)


def test_suggestions_follow_a_tandems_languages(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    register, tandem = _register_with_tandem(
        monkeypatch, tmp_path, ("Amal", "Arabisch, Deutsch", ""), "Tandem Arabisch"
    )
    register.close()
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    _login(at, COORDINATOR_EMAIL, PASSWORD)
    at.switch_page("app_pages/coverage.py").run()
    _open(at, "coverage", "suggest")
    at.selectbox(key="coverage_for").set_value(tandem).run()
    assert not at.exception
    toggle = at.toggle(key="coverage_use_languages")
    assert "Syrien" in toggle.label and "Irak" in toggle.label  # the demo's Arabic-speaking nationalities
    plain = [m.value for m in at.markdown if m.value.startswith("**1.")]
    toggle.set_value(True).run()
    assert not at.exception
    weighted = [c.value for c in at.caption if "Sprache des Tandems" in c.value]
    assert weighted and all("Syrien" in c for c in weighted)
    assert [m.value for m in at.markdown if m.value.startswith("**1.")] != plain  # the choice changed


def test_tandems_page_public_and_coordinator(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    _register_with_tandem(
        monkeypatch, tmp_path, ("Zzyzx Sentinel", "Türkisch", "sentinel@example.invalid"), "Tandem Nord"
    )
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/tandems.py").run()
    assert not at.exception
    public = "".join(d.value.to_csv() for d in at.dataframe) + repr(
        [m.value for m in [*at.markdown, *at.caption]]
    )
    assert "Tandem Nord" in public
    assert "Zzyzx" not in public
    assert "sentinel@" not in public
    assert not any("Connectoren" in t.label for t in at.tabs)  # no register for the public
    _login(at, COORDINATOR_EMAIL, "falsches-passwort")
    assert "E-Mail-Adresse oder Passwort stimmen nicht." in [e.value for e in at.sidebar.error]
    _login(at, COORDINATOR_EMAIL, PASSWORD)
    assert not at.exception
    register_view = "".join(d.value.to_csv() for d in at.dataframe)
    assert "Zzyzx Sentinel" in register_view  # coordinators see names and contacts
    assert "sentinel@example.invalid" in register_view
    assert any("Demo-Register" in i.value for i in at.info)  # the demo has a register of its own


def _login(at: AppTest, email: str, password: str) -> None:
    """Log in with the sidebar form."""
    log_in_here(at, email, password)


def _logout(at: AppTest) -> None:
    at.button(key="app_logout").click().run()


def _shown(markdown: str) -> str:
    """What a reader sees of Markdown made with `plain`: the escapes and invisible word joiners removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def _in_form(elements: object, form: str) -> list:
    return [e for e in elements if e.proto.form_id == form]  # type: ignore[attr-defined]


def test_second_coordinator_cannot_overwrite(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    register, _ = _register_with_tandem(monkeypatch, tmp_path, ("Ana", "Spanisch", ""), "Tandem Nord")
    sessions = []
    for _ in range(2):
        at = _app(monkeypatch, demo_dir, tmp_path)
        at.run()
        at.switch_page("app_pages/tandems.py").run()
        _login(at, COORDINATOR_EMAIL, PASSWORD)
        _open(at, "tandems", "tandems")
        sessions.append(at)
    first, second = sessions
    for at, new_name in ((first, "Tandem Nord-Ost"), (second, "Tandem Nord-West")):
        (name_box,) = [t for t in _in_form(at.text_input, "tandems_edit_tandem_form") if t.label == "Tandem"]
        name_box.set_value(new_name)
    _in_form(first.button, "tandems_edit_tandem_form")[0].click().run()
    assert not first.exception
    assert register.tandems()[0].name == "Tandem Nord-Ost"
    _in_form(second.button, "tandems_edit_tandem_form")[0].click().run()
    assert not second.exception
    assert any("Jemand anderes hat diesen Eintrag gespeichert" in e.value for e in second.error)
    assert register.tandems()[0].name == "Tandem Nord-Ost"  # the first save stands


def test_export_page(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _explore(monkeypatch, demo_dir, tmp_path)
    at.selectbox(key="explore_indicator").set_value("kinderarmut").run()
    at.switch_page("app_pages/export.py").run()
    assert not at.exception
    assert at.selectbox(key="export_indicator").value == "kinderarmut"  # the explore view carries over
    at.selectbox(key="export_format").set_value("pdf").run()
    at.button(key="export_make").click().run()
    assert not at.exception
    (download,) = at.get("download_button")
    assert download.proto.url.endswith(".pdf")
    assert download.label.startswith("Herunterladen (")


def _recording_views(monkeypatch: pytest.MonkeyPatch) -> list:
    """The map views `export.render` is called with (the files are still made)."""
    from geo.output import export

    views: list = []
    real = export.render

    def recording(data: object, shown: object, *args: object, **kwargs: object) -> bytes:
        views.append(shown)
        return real(data, shown, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "render", recording)
    return views


def test_export_page_exports_erkunden_s_manual_limits(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    """The Export page used to rebuild the view from other pages' widgets and dropped manual limits."""
    views = _recording_views(monkeypatch)
    at = _explore(monkeypatch, demo_dir, tmp_path)
    at.selectbox(key="explore_indicator").set_value("kinderarmut").run()
    at.selectbox(key="explore_scheme").set_value("manual").run()
    at.text_input(key="explore_breaks").input("10, 20").run()
    assert at.query_params["grenzen"] == "10,20"  # Erkunden's own address
    at.switch_page("app_pages/export.py").run()  # from the menu: the map last shown
    assert not at.exception
    assert any("10" in c.value and "20" in c.value for c in at.caption)
    at.selectbox(key="export_format").set_value("png").run()
    at.button(key="export_make").click().run()
    assert not at.exception
    assert views[-1].indicator == "kinderarmut" and views[-1].breaks == (10.0, 20.0)
    assert at.query_params["grenzen"] == "10,20"  # the address names what is exported


def test_export_page_exports_the_view_in_its_address_in_every_mode(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    from geo.analysis import dynamics
    from geo.data import dataset

    views = _recording_views(monkeypatch)
    series = dataset.load_dataset(demo_dir).series
    changing = dynamics.indicators(series)
    dates = dynamics.dates(series, changing[1])
    at = _app(monkeypatch, demo_dir, tmp_path).run()
    at.switch_page("app_pages/export.py")
    at.query_params.update(
        {"ansicht": "wandel", "indikator": changing[1], "von": dates[0], "bis": dates[1], "wie": "absolut"}
    )
    at.run()
    assert not at.exception
    assert at.selectbox(key="export_kind").value == "wandel"
    at.selectbox(key="export_format").set_value("pdf").run()
    at.button(key="export_make").click().run()
    assert not at.exception
    shown = views[-1]
    assert (shown.mode, shown.indicator, shown.change_from, shown.change_to, shown.change_how) == (
        "wandel",
        changing[1],
        dates[0],
        dates[1],
        "absolute",
    )
    at.selectbox(key="export_kind").set_value("abdeckung").run()
    assert at.query_params["ansicht"] == "abdeckung"
    at.button(key="export_make").click().run()
    assert not at.exception and views[-1].mode == "abdeckung"
    offered = at.selectbox(key="export_kind").options
    assert "Veränderung" in offered and "Wo Tandems arbeiten" in offered
    assert "Amtliche Einteilung" not in offered  # the demo has no official classification


def test_export_page_offers_the_brief_in_landscape_for_a_projector(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    import io

    from pypdf import PdfReader

    from geo.output import export

    made: list[bytes] = []
    real = export.render

    def recording(*args: object, **kwargs: object) -> bytes:
        made.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(export, "render", recording)
    at = _app(monkeypatch, demo_dir, tmp_path).run()
    at.switch_page("app_pages/export.py").run()
    at.selectbox(key="export_format").set_value("brief").run()
    at.radio(key="export_orientation").set_value("landscape").run()
    at.button(key="export_make").click().run()
    assert not at.exception
    (download,) = at.get("download_button")
    assert download.proto.url.endswith(".pdf")
    page = PdfReader(io.BytesIO(made[-1])).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # A4 quer, for a projector


def test_concerns_page_log_answer_feedback(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/concerns.py").run()
    assert not at.exception
    assert not _in_form(at.button, "concerns_new")  # the public logs nothing
    assert any("Bitte melden Sie sich an" in i.value for i in at.info)
    _login(
        at, "connector@demo.invalid", demo_register.DEMO_PASSWORD
    )  # a demo account, in the demo register only
    (thema,) = [x for x in _in_form(at.text_input, "concerns_new") if x.label == "Thema"]
    thema.set_value("Spielplatz kaputt")
    assert not at.multiselect  # one Sozialraum by default: no multiple choice to tap by mistake
    at.selectbox(key="concerns_place").set_value("011001")
    (tandem,) = [x for x in _in_form(at.selectbox, "concerns_new") if x.label == "Tandem"]
    assert list(tandem.options) == ["Demo-Tandem Süd"]  # only their own tandems
    _in_form(at.button, "concerns_new")[0].click().run()
    assert not at.exception
    assert at.session_state["concerns_panel"] == "new"  # the person stays where they were
    assert "Spielplatz kaputt" in at.success[0].value
    assert not at.error
    assert any("Spielplatz kaputt" in _shown(m.value) for m in at.markdown)  # what was saved, shown
    _open(at, "concerns", "mine")  # at once among their concerns, before anyone answered
    assert [m.value for m in at.markdown if "Spielplatz kaputt" in _shown(m.value)]
    stored = journal.concerns(_demo_register(monkeypatch, tmp_path), by=Principal.cli())
    assert stored.iloc[0]["sozialraum_ids"] == "011001"
    _open(at, "concerns", "all")
    assert not _in_form(at.button, "concerns_answer")  # only coordinators answer
    assert not any("Tabelle" in t.label for t in at.tabs)  # no export of the problem log for connectors
    _logout(at)
    _login(at, "koordination@demo.invalid", demo_register.DEMO_PASSWORD)
    assert at.session_state["concerns_panel"] == "all"
    record = " ".join(_shown(m.value) for m in at.markdown)
    for key, value in (("concerns.prioritaet", "concerns.priority_mittel"), ("concerns.sozialraeume", None)):
        label = f"**{i18n.translate(key, 'de')}:**"
        assert label + (f" {i18n.translate(value, 'de')}" if value else "") in record  # the full record
    _in_form(at.selectbox, "concerns_answer")[0].set_value("weitergeleitet")
    _in_form(at.text_area, "concerns_answer")[0].set_value("An das Gartenamt weitergegeben.")
    _in_form(at.button, "concerns_answer")[0].click().run()
    assert not at.exception
    assert at.session_state["concerns_panel"] == "all"  # not thrown back to the empty form
    assert "jetzt weitergeleitet" in at.success[0].value
    assert any("An das Gartenamt weitergegeben." in d.value.to_csv() for d in at.dataframe)  # its history
    _logout(at)  # not marked public: the public sees neither the concern nor the answer
    assert not any("Gartenamt" in _shown(m.value) for m in at.markdown)
    assert not any("Spielplatz" in d.value.to_csv() for d in at.dataframe)


def test_several_sozialraeume_for_one_concern_are_chosen_and_confirmed(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/concerns.py").run()
    _login(at, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    at.toggle(key="concerns_several").set_value(True).run()
    (places,) = at.multiselect
    assert places.proto.select_all == 0  # Streamlit's "Select all" / "Select N matches" is not offered
    places.set_value(["011001", "011002"])
    (thema,) = [x for x in _in_form(at.text_input, "concerns_new") if x.label == "Thema"]
    thema.set_value("Zwei Orte")
    _in_form(at.button, "concerns_new")[0].click().run()
    assert any("bestätigen" in e.value for e in at.error)  # not filed under both without a confirmation
    register = _demo_register(monkeypatch, tmp_path)
    assert journal.concerns(register, by=Principal.cli()).empty
    at.multiselect[0].set_value(["011001", "011002"])
    at.checkbox(key="concerns_several_ok").check()
    next(x for x in _in_form(at.text_input, "concerns_new") if x.label == "Thema").set_value("Zwei Orte")
    _in_form(at.button, "concerns_new")[0].click().run()
    assert not at.error
    assert journal.concerns(register, by=Principal.cli()).iloc[0]["sozialraum_ids"] == "011001,011002"


def test_activities_page(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/activities.py").run()
    assert not at.exception
    assert not _in_form(at.button, "activities_new")  # the public plans nothing
    _login(at, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    (title,) = [x for x in _in_form(at.text_input, "activities_new") if x.label == "Titel"]
    title.set_value("Rundgang für Neue")
    (place,) = [x for x in _in_form(at.selectbox, "activities_new") if x.label == "Sozialraum"]
    place.set_value("011001")
    (hours,) = [x for x in _in_form(at.selectbox, "activities_new") if x.label == "Dauer (Stunden)"]
    assert hours.format_func(1.5) == "1,5"
    hours.set_value(1.5)
    _in_form(at.button, "activities_new")[0].click().run()
    assert not at.exception
    assert "Rundgang für Neue" in at.success[0].value
    assert not at.error
    assert at.session_state["activities_panel"] == "new"  # the person stays on the form they used
    _open(at, "activities", "list")
    listed = next(d.value for d in at.dataframe if "Titel" in d.value.columns)
    assert listed["Titel"].tolist() == ["Rundgang für Neue"]
    stored = journal.activities(_demo_register(monkeypatch, tmp_path)).iloc[0]
    assert stored["tandem"] == "Demo-Tandem Süd"
    assert stored["ends_at"] - stored["starts_at"] == pd.Timedelta(hours=1.5)
    _open(at, "activities", "calendar")
    assert any("Rundgang für Neue" in str(tbl.value.to_numpy()) for tbl in at.table)  # the month calendar
    _open(at, "activities", "map")
    _base, style = _webmap(at)  # the map panel: the activity as an orange pin
    ((title, kind),) = [(title, kind) for _lat, _lon, title, kind in style["pins"]]
    assert title.startswith("Rundgang für Neue · ") and kind == "activity"


def test_concerns_and_activities_on_the_map(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    from datetime import datetime

    from geo.register import journal

    register = _demo_register(monkeypatch, tmp_path)
    _account(register, COORDINATOR_EMAIL, "coordinator")
    known = {"011001", "011002"}
    journal.add_concern(
        register,
        journal.ConcernInput(thema="Geheim intern", sozialraum_ids=("011001",), point=(51.31, 6.78)),
        known_ids=known,
        by=COORD,
    )
    journal.add_concern(
        register,
        journal.ConcernInput(
            thema="Müll <am> Platz", sozialraum_ids=("011001",), point=(51.3, 6.79), public=True
        ),
        known_ids=known,
        by=COORD,
    )
    journal.add_activity(
        register,
        kind="quizabend",
        title="Quiz",
        starts_at=datetime(2026, 12, 1, 19),
        sozialraum_id="011001",
        known_ids=known,
        by=COORD,
    )
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.query_params["sr"] = "011001"
    at.run()
    _base, public = _webmap(at)
    assert "concern" not in {kind for *_rest, kind in public["pins"]}  # the public sees no concern's point
    assert any(m.value == "- Müll \\<am\\> Platz" for m in at.markdown)  # a public concern's topic
    assert not any("Geheim" in m.value for m in at.markdown)  # never one that is not public
    _login(at, COORDINATOR_EMAIL, PASSWORD)
    base, style = _webmap(at)
    assert style["notes"][str(base["ids"].index("011001"))] == "Anliegen: 2 · Aktivitäten: 1"
    assert "concern" in {kind for *_rest, kind in style["pins"]}
    assert "Müll <am> Platz" in {title for _lat, _lon, title, _kind in style["pins"]}  # text, set as text
    assert any("Offene Anliegen: 2 · Aktivitäten: 1" in m.value for m in at.markdown)
    assert any(m.value == "- Müll \\<am\\> Platz" for m in at.markdown)  # shown as typed, never as HTML


PAGES = ["explore", "coverage", "tandems", "activities", "concerns", "export", "data", "account"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_a_fresh_install(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path, page: str
) -> None:
    """A new user's first look: empty register, demo data, no error and no exception on any page."""
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title


def test_an_unexpected_fault_is_a_sentence_and_logged(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from geo.output import webmap

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaputt-sentinel")

    monkeypatch.setattr(webmap, "style_payload", broken)  # called on every run (not cached)
    at = _app(monkeypatch, demo_dir, tmp_path).run()
    at.switch_page("app_pages/explore.py")
    with caplog.at_level("ERROR", logger="sozialraum_karte"):
        at.run()
    assert not at.exception  # no traceback on the page
    (error,) = at.error
    assert "RuntimeError" in error.value and "kaputt-sentinel" not in error.value
    assert "kaputt-sentinel" in caplog.text  # the maintainers find the traceback in the log


def test_guessing_the_password_locks_the_login(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    register, _ = _register_with_tandem(monkeypatch, tmp_path, ("Ana", "Spanisch", ""), "Tandem Nord")
    register.close()
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    for _ in range(accounts.LoginPolicy().per_account):
        _login(at, COORDINATOR_EMAIL, "falsches-passwort")
        assert "E-Mail-Adresse oder Passwort stimmen nicht." in [e.value for e in at.error]
    fresh = _app(monkeypatch, demo_dir, tmp_path)  # another browser tab does not help
    fresh.run()
    _login(fresh, COORDINATOR_EMAIL, PASSWORD)
    assert any("gesperrt" in e.value for e in fresh.error)
    assert not any("Angemeldet" in s.value for s in fresh.sidebar.success)


def test_a_city_that_requires_login_shows_the_public_nothing(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOZIALRAUM_REQUIRE_LOGIN", "1")
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Konto"  # the only page until someone logs in
    maps = [c for c in at.get("bidi_component") if "sk_map" in c.proto.component_name]
    assert not at.get("component_instance") and not maps  # no map
    with pytest.raises(ValueError, match=r"Known pages: \['[^,]*account.py'\]"):  # the map is no page
        at.switch_page("app_pages/explore.py")
    _login(at, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    at.switch_page("app_pages/explore.py").run()
    assert at.title[0].value == "Sozialräume erkunden"


def test_the_app_opens_in_the_language_a_person_chose(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    official = _official_copy(demo_dir, tmp_path)
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    register = Register(store.database_url())
    _account(register, COORDINATOR_EMAIL, "coordinator")
    register.close()
    at = _app(monkeypatch, official, tmp_path)
    at.run()
    at.selectbox(key="lang").set_value("tr").run()  # chosen before the first login: kept with it
    _login(at, COORDINATOR_EMAIL, PASSWORD)
    assert not at.exception
    assert at.selectbox(key="lang").value == "tr"
    register = Register(store.database_url())
    (view,) = accounts.accounts(register, by=Principal.cli())
    assert accounts.language_of(register, by=accounts.principal_for(register, view.id)) == "tr"
    register.close()
    at.selectbox(key="lang").set_value("uk").run()  # changed while logged in: kept for the account
    assert not at.exception
    _logout(at)
    at.selectbox(key="lang").set_value("de").run()  # the public's choice is kept nowhere
    assert at.selectbox(key="lang").value == "de"
    _login(at, COORDINATOR_EMAIL, PASSWORD)
    assert not at.exception
    assert at.selectbox(key="lang").value == "uk"  # the next login opens in her language
    at.switch_page("app_pages/account.py").run()
    assert any("Українська" in c.value for c in at.caption)
    register = Register(store.database_url())
    (view,) = accounts.accounts(register, by=Principal.cli())
    assert accounts.language_of(register, by=accounts.principal_for(register, view.id)) == "uk"
    log = accounts.audit_log(register, by=Principal.cli())
    assert (log["action"] == "account.language").sum() == 2  # tr at the login, uk later
    register.close()


def test_first_admin_on_a_fresh_install(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    official = _official_copy(demo_dir, tmp_path)
    at = _app(monkeypatch, official, tmp_path)
    at.run()
    at.switch_page("app_pages/account.py").run()
    assert any("Noch gibt es kein Konto" in i.value for i in at.info)
    form = "account_first"
    boxes = _in_form(at.text_input, form)
    boxes[1].set_value("erste@stadt.invalid")
    boxes[3].set_value(PASSWORD)
    boxes[4].set_value(PASSWORD)
    _in_form(at.button, form)[0].click().run()  # without the code from the server's log: refused
    assert any("Einrichtungs-Code stimmt nicht" in e.value for e in at.error)
    register = Register(store.database_url())
    assert accounts.count_accounts(register) == 0
    code = accounts.install_code(register, renew=True)  # what the operator reads in the log
    boxes = _in_form(at.text_input, form)
    boxes[0].set_value(code)
    boxes[3].set_value(PASSWORD)
    boxes[4].set_value(PASSWORD)
    _in_form(at.button, form)[0].click().run()
    assert not at.exception
    assert any("erste@stadt.invalid" in _shown(s.value) for s in at.sidebar.success)
    assert accounts.count_accounts(register) == 1
    at.switch_page("app_pages/account.py").run()
    assert not _in_form(at.button, form)  # offered once only
    at.switch_page("app_pages/admin.py").run()
    assert [t.label for t in at.tabs] == ["Konten", "Protokoll", "Aufbewahrung"]
    assert any("erste@stadt.invalid" in d.value.to_csv() for d in at.dataframe)
    _open(at, "admin", "audit")
    assert any("erstes Admin-Konto angelegt" in d.value.to_csv() for d in at.dataframe)
    register.close()


def test_a_role_taken_away_counts_from_the_next_click(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    register, _ = _register_with_tandem(monkeypatch, tmp_path, ("Ana", "Spanisch", ""), "Tandem Nord")
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/tandems.py").run()
    _login(at, COORDINATOR_EMAIL, PASSWORD)
    assert any(t.label == "Connectoren" for t in at.tabs)
    (view,) = [a for a in accounts.accounts(register, by=Principal.cli()) if a.email == COORDINATOR_EMAIL]
    accounts.update_account(register, view.id, by=Principal.cli(), version=view.version, roles="")
    at.run()  # the next rerun: new rights end every login of the account; the person logs in again
    assert not any(t.label == "Connectoren" for t in at.tabs)
    assert not at.sidebar.success
    _login(at, COORDINATOR_EMAIL, PASSWORD)
    assert not any(t.label == "Connectoren" for t in at.tabs)
    assert any("keine Rolle" in s.value for s in at.sidebar.success)
    register.close()


def test_admin_creates_an_account_and_the_person_sets_a_password(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    _login(at, "admin@demo.invalid", demo_register.DEMO_PASSWORD)
    at.switch_page("app_pages/admin.py").run()
    form = "admin_new_account"
    _in_form(at.text_input, form)[0].set_value("neu@stadt.invalid")
    _in_form(at.multiselect, form)[0].set_value(["coordinator"])
    _in_form(at.button, form)[0].click().run()
    assert not at.exception
    (shown,) = [s.value for s in at.success if "Einmalcode" in s.value]
    code = re.search(r"\*\*([A-Z0-9-]+)\*\*", shown).group(1)  # type: ignore[union-attr]
    at.switch_page("app_pages/admin.py").run()
    assert not any("Einmalcode" in s.value for s in at.success)  # shown once
    _logout(at)
    at.switch_page("app_pages/account.py").run()
    boxes = _in_form(at.text_input, "account_code")
    for box, value in zip(boxes, ["neu@stadt.invalid", code, PASSWORD, PASSWORD], strict=True):
        box.set_value(value)
    _in_form(at.button, "account_code")[0].click().run()
    assert not at.exception
    assert any("neu@stadt.invalid (Koordination)" in _shown(s.value) for s in at.sidebar.success)
    at.switch_page("app_pages/admin.py").run()
    assert [t.label for t in at.tabs] == ["Protokoll", "Aufbewahrung"]  # a coordinator reads the audit log


def test_a_connector_sees_and_corrects_their_own_record(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    _login(at, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    assert "Verwaltung" not in [p for p in str(at.get("navigation")).split("'")]
    at.switch_page("app_pages/account.py").run()
    (languages,) = [x for x in _in_form(at.text_input, "account_record") if x.label == "Sprachen"]
    assert "Arabisch" in languages.value
    languages.set_value("Arabisch, Französisch")
    _in_form(at.button, "account_record")[0].click().run()
    assert not at.exception
    assert any("gespeichert" in s.value for s in at.success)
    at.button(key="account_data_prepare").click().run()
    (download,) = at.get("download_button")
    assert download.proto.url  # the file is offered
    register = _demo_register(monkeypatch, tmp_path)
    me = next(c for c in register.private_connectors(by=COORD) if c.languages[:1] == ("Arabisch",))
    assert me.languages == ("Arabisch", "Französisch")
    log = accounts.audit_log(register, by=Principal.cli())
    assert {"connector.update", "personal_data.export"} <= set(log["action"])
    assert at.get("download_button")
    _logout(at)  # on a shared computer the file goes with the logout, even when the same person logs in again
    _login(at, "connector@demo.invalid", demo_register.DEMO_PASSWORD)
    at.switch_page("app_pages/account.py").run()
    assert not at.get("download_button")
    register.close()


#: What each role is offered on each page: form IDs and button keys of writes and personal reads.
PAGE_CONTROLS = {
    "tandems": {"tandems_new_connector", "tandems_new_tandem", "tandems_assign", "tandems_import_kind"},
    "concerns": {"concerns_new", "concerns_answer", "concerns_export_prepare"},
    "activities": {"activities_new", "activities_edit"},
    "data": {"data_fetch", "data_import"},
    "account": {"account_record", "account_data_prepare", "account_password", "account_code"},
}
EXPECTED_CONTROLS = {
    "public": {"account_code"},
    "connector": {"concerns_new", "activities_new", "activities_edit", "account_record"}
    | {"account_data_prepare", "account_password"},
    "coordinator": {"tandems_new_connector", "tandems_new_tandem", "tandems_assign", "tandems_import_kind"}
    | {"concerns_new", "concerns_answer", "concerns_export_prepare", "activities_new", "activities_edit"}
    | {"account_password", "account_data_prepare"},
    "admin": {"data_fetch", "data_import", "account_password", "account_data_prepare"},
}


def _controls(at: AppTest) -> set[str]:
    forms = {
        e.proto.form_id for kind in ("text_input", "selectbox", "multiselect", "button") for e in at.get(kind)
    }
    keys = {e.key for kind in ("button", "radio") for e in at.get(kind) if e.key}
    return forms | keys


@pytest.mark.parametrize("role", ["public", "connector", "coordinator", "admin"])
def test_each_role_is_offered_exactly_its_writes_on_every_page(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path, role: str
) -> None:
    """Through the pages: the real register of an official dataset, one account per role."""
    from datetime import date, datetime

    official = _official_copy(demo_dir, tmp_path)
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    register = Register(store.database_url())
    a, b = (register.add_connector(n, "Deutsch", by=COORD) for n in ("A", "B"))
    tandem = register.create_tandem("Tandem", [a, b], by=COORD, start=date(2025, 1, 1))
    journal.add_concern(
        register, journal.ConcernInput(thema="T", tandem_id=tandem), by=COORD, known_ids=set()
    )
    journal.add_activity(
        register,
        by=COORD,
        kind="quizabend",
        title="Quiz",
        starts_at=datetime.now(),
        sozialraum_id="011001",
        known_ids={"011001"},
        tandem_id=tandem,
    )
    emails = {"connector": "c@stadt.invalid", "coordinator": "k@stadt.invalid", "admin": "a@stadt.invalid"}
    for name, email in emails.items():
        _account(register, email, name, a if name == "connector" else None)
    register.close()
    at = _app(monkeypatch, official, tmp_path)
    at.run()
    if role != "public":
        _login(at, emails[role], PASSWORD)
    offered: set[str] = set()
    for page, controls in PAGE_CONTROLS.items():
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, page
        offered |= _controls(at) & controls
        for panel in _each_panel(at):
            assert not at.exception, (page, panel)
            offered |= _controls(at) & controls
    assert offered == EXPECTED_CONTROLS[role]


def test_two_concerns_with_the_same_title_are_answered_separately(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    """Pickers identify records by ID: the answer lands on the concern chosen, not on its namesake."""
    register = _demo_register(monkeypatch, tmp_path)
    _account(register, COORDINATOR_EMAIL, "coordinator")
    first, second = (
        journal.add_concern(register, journal.ConcernInput(thema="Ampel"), by=COORD, known_ids=set())
        for _ in range(2)
    )
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/concerns.py").run()
    _login(at, COORDINATOR_EMAIL, PASSWORD)
    _open(at, "concerns", "all")
    picker = at.selectbox(key="concerns_pick")
    assert len(set(picker.options)) == 2  # two entries a person can tell apart
    picker.set_value(first).run()
    _in_form(at.selectbox, "concerns_answer")[0].set_value("erledigt")
    _in_form(at.text_area, "concerns_answer")[0].set_value("Repariert.")
    _in_form(at.button, "concerns_answer")[0].click().run()
    assert not at.exception
    statuses = journal.concerns(register, by=COORD).set_index("id")["status"]
    assert (statuses[first], statuses[second]) == ("erledigt", "offen")
    register.close()


def test_a_stale_answer_is_refused_and_says_so(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    """Two coordinators answer the same concern: the second save, made on the old state, is refused."""
    register = _demo_register(monkeypatch, tmp_path)
    _account(register, COORDINATOR_EMAIL, "coordinator")
    concern = journal.add_concern(register, journal.ConcernInput(thema="Ampel"), by=COORD, known_ids=set())
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/concerns.py").run()
    _login(at, COORDINATOR_EMAIL, PASSWORD)
    _open(at, "concerns", "all")
    at.selectbox(key="concerns_pick").set_value(concern).run()
    # meanwhile, a colleague answers in another session
    journal.change_status(register, concern, by=COORD, version=1, status="weitergeleitet", comment="Ans Amt.")
    _in_form(at.selectbox, "concerns_answer")[0].set_value("erledigt")
    _in_form(at.text_area, "concerns_answer")[0].set_value("Repariert.")
    _in_form(at.button, "concerns_answer")[0].click().run()
    assert not at.exception
    assert any("Jemand anderes" in e.value for e in at.error)
    history = journal.history(register, concern, by=COORD)
    assert "Repariert." not in history.to_string()
    assert journal.concerns(register, by=COORD).set_index("id")["status"][concern] == "weitergeleitet"
    register.close()


def test_a_mistyped_setting_is_named_instead_of_failing_everywhere(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    monkeypatch.setenv("SOZIALRAUM_SESSION_HOURS", "zwölf")
    at.run()
    assert not at.exception
    assert any("SOZIALRAUM_SESSION_HOURS" in e.value and "zwölf" in e.value for e in at.error)


def test_a_user_folder_that_cannot_be_made_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    """The operator pointed SOZIALRAUM_USER_DIR below a file: the map still shows, login says why not."""
    blocker = tmp_path / "datei"
    blocker.write_text("kein Ordner", encoding="utf-8")
    at = _app(monkeypatch, demo_dir, tmp_path)
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(blocker / "var"))
    at.run()
    assert not at.exception
    at.switch_page("app_pages/explore.py").run()
    assert at.title[0].value == "Sozialräume erkunden"
    assert any("kann nicht unter" in e.value for e in at.error), [e.value for e in at.error]
    for page in ("tandems", "activities", "concerns", "data", "account"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, page
        assert not any("Interner Fehler" in e.value for e in at.error), page


def test_switching_datasets_says_what_is_shown_and_whose_register(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    import shutil

    at = _app(monkeypatch, demo_dir, tmp_path)
    official = tmp_path / "var" / "official"
    shutil.copytree(_official_copy(demo_dir, tmp_path), official)
    at.run()
    assert not at.sidebar.info or "Sie sehen jetzt" not in at.sidebar.info[0].value  # nothing switched yet
    picker = next(s for s in at.sidebar.selectbox if s.label == "Welche Daten?")
    picker.set_value(str(official)).run()
    assert not at.exception
    notes = [i.value for i in at.sidebar.info if "Sie sehen jetzt" in i.value]
    assert notes and "Offiziell" in notes[0] and "Register der Stadt" in notes[0]
    picker = next(s for s in at.sidebar.selectbox if s.label == "Welche Daten?")
    picker.set_value(str(demo_dir)).run()
    notes = [i.value for i in at.sidebar.info if "Sie sehen jetzt" in i.value]
    assert notes and "Demo-Register" in notes[0]
    at.run()  # said once, not on every click
    assert not [i for i in at.sidebar.info if "Sie sehen jetzt" in i.value]


def test_the_maps_counts_follow_a_write_made_elsewhere(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    """Counts and pins are cached until the register changes: a concern logged elsewhere shows on the next run."""
    register = _demo_register(monkeypatch, tmp_path)
    at = _explore(monkeypatch, demo_dir, tmp_path)
    base, style = _webmap(at)
    position = str(base["ids"].index("011001"))
    before = style["notes"].get(position, "")
    journal.add_concern(
        register,
        journal.ConcernInput(thema="Neu", sozialraum_ids=("011001",)),
        by=COORD,
        known_ids={"011001"},
    )
    at.run()
    _base, style = _webmap(at)
    assert style["notes"][position] != before
    assert style["notes"][position].startswith("Anliegen: ")
    register.close()


def test_the_index_recipe_survives_the_indicator_view(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    """The index controls are drawn only in the index view; what was set there is kept and still used."""
    at = _explore(monkeypatch, demo_dir, tmp_path)
    assert not at.get("multiselect") or all(m.key != "explore_components" for m in at.multiselect)
    at.segmented_control(key="explore_mode").set_value("index").run()
    at.select_slider(key="explore_w_sgb2_quote").set_value(4.0).run()
    at.selectbox(key="explore_norm").set_value("percentile").run()
    at.segmented_control(key="explore_mode").set_value("indikator").run()
    at.selectbox(key="explore_indicator").set_value("kinderarmut").run()  # a few runs without the controls
    assert not at.exception
    assert all(s.key != "explore_w_sgb2_quote" for s in at.select_slider)
    assert at.session_state["explore_w_sgb2_quote"] == 4.0
    at.segmented_control(key="explore_mode").set_value("index").run()
    assert at.select_slider(key="explore_w_sgb2_quote").value == 4.0
    assert at.selectbox(key="explore_norm").value == "percentile"
