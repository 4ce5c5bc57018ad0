"""AppTest smoke tests: each page runs headless, shows no exception, and wires geo/ correctly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _app(monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    return AppTest.from_file(APP, default_timeout=60)


def _map_args(at: AppTest) -> dict:
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)


def test_explore_page_shows_the_map(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path).run()
    assert not at.exception
    assert at.title[0].value == "Sozialräume erkunden"
    assert "Demo-Daten" in at.warning[0].value
    args = _map_args(at)
    assert args["script"].count('"sozialraum_id"') == 171
    assert all(link.startswith("data:") for link in args["js_links"] + args["css_links"])
    assert args["returned_objects"] == []
    assert "SGB-II-Quote" in args["script"]


def test_indicator_change_and_url(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path).run()
    at.selectbox(key="explore_indicator").set_value("kinderarmut").run()
    assert not at.exception
    assert "Kinderarmut" in _map_args(at)["script"]
    assert at.query_params["indikator"] in ("kinderarmut", ["kinderarmut"])


def test_english(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path).run()
    at.sidebar.selectbox[0].set_value("en").run()
    assert at.title[0].value == "Explore the Sozialräume"
    assert "Child poverty" not in _map_args(at)["script"]
    assert "SGB II rate" in _map_args(at)["script"]


def test_data_page(monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert at.title[0].value == "Daten"
    assert [m.value for m in at.metric][:2] == ["171", "10"]
    assert at.button(key="data_fetch").label == "Jetzt herunterladen"


def test_missing_dataset_is_one_plain_sentence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _app(monkeypatch, tmp_path / "leer", tmp_path).run()
    assert not at.exception
    assert "python -m geo demo" in at.error[0].value
    assert "Traceback" not in at.error[0].value


def test_fetch_failure_is_one_plain_sentence(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path, tmp_path: Path
) -> None:
    at = _app(monkeypatch, demo_dir, tmp_path)
    at.run()
    at.switch_page("app_pages/data.py").run()
    at.text_input(key="data_base_url").set_value("http://127.0.0.1:9/").run()
    at.button(key="data_fetch").click().run()
    assert not at.exception
    assert "konnte nicht" in at.error[0].value
    assert not (tmp_path / "var" / "official").exists()
