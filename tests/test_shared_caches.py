"""What the app computes once for all sessions holds nothing personal (issue 30)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import coverage, dataset, demo, need, profile
from geo.access import Principal


@pytest.fixture
def seeded(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[dataset.Dataset, object]]:
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    data = dataset.load_dataset(demo_dir)
    ids = sorted(data.spaces["sozialraum_id"])
    register = demo.seeded_register(ids, spaces=data.spaces)
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
