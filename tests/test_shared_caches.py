"""What the app computes once for all sessions holds nothing personal (issue 30)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.analysis import coverage, need
from geo.core.access import Principal
from geo.data import dataset
from geo.output import profile
from geo.register import demo_register


@pytest.fixture
def seeded(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[dataset.Dataset, object]]:
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    data = dataset.load_dataset(demo_dir)
    ids = sorted(data.spaces["sozialraum_id"])
    register = demo_register.seeded_register(ids, spaces=data.spaces)
    yield data, register
    register.close()


def test_shared_steckbrief_and_coverage_entries_hold_no_personal_data(seeded: tuple) -> None:
    """
    The cached Steckbrief and coverage view are read by every role: they may name tandems, never a person.

    The demo register's connectors have names, contacts and a home Sozialraum; none of it may be in the
    entries (pickled, as Streamlit's cache keeps them) for a Sozialraum where a tandem works.
    """
    data, register = seeded
    people = register.private_connectors(by=Principal.cli())
    assert people, "the demo register has connectors"
    personal = {p.display_name for p in people} | {p.contact for p in people if p.contact}
    assignments = register.active_assignments()
    assert not assignments.empty
    worked = str(assignments["sozialraum_id"].iloc[0])
    components = need.default_components(data.indicator_ids(), data.catalogue)
    result = need.need_index(data.spaces, components)
    sheet = profile.sheet(
        data,
        worked,
        indicator_ids=profile.profile_indicators(data.indicator_ids(), data.catalogue),
        need=result,
        stability=need.stability(data.spaces, result),
        assignments=assignments,
        lang="de",
    )
    assert sheet.profile.tandems  # the tandem is named (public) ...
    view = coverage.coverage_view(
        data.spaces, data.welcome_points, result.score, result.need_class, assignments
    )
    for entry in (sheet, view):
        blob = pickle.dumps(entry).decode("utf-8", errors="ignore")
        leaked = [p for p in personal if p in blob]
        assert leaked == [], leaked  # ... its people are not


def test_a_shared_result_is_made_once_for_all_sessions_and_bounded() -> None:
    """`ui.shared`: one object per key (no copies), ``_`` arguments outside the key, one maker at a time."""
    import threading
    import time

    from app_pages.ui import caches as ui

    made: list[tuple[str, int]] = []

    @ui.shared(max_entries=2)
    def square(name: str, n: int, _who: object = None) -> dict[str, int]:
        made.append((name, n))
        time.sleep(0.05)  # long enough for the other threads to ask while it is being made
        return {name: n * n}

    first = square("a", 2, _who="ada")
    assert square("a", 2, _who="bob") is first  # the person is no part of the key: the same object
    assert made == [("a", 2)]
    threads = [threading.Thread(target=square, args=("b", 3)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert made.count(("b", 3)) == 1  # eight sessions asking at once: made once, the others waited
    square("c", 4)  # a third key: the least recently used ("a") goes
    assert square("b", 3) == {"b": 9} and made.count(("b", 3)) == 1
    square("a", 2)
    assert made.count(("a", 2)) == 2
    square.clear()  # type: ignore[attr-defined]
    square("b", 3)
    assert made.count(("b", 3)) == 2
