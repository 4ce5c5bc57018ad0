"""Welcome Points kept in the app: changes from a date, history, closed ones out of every distance but on the map."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis import coverage, need
from geo.analysis.view import MapView
from geo.core.access import AccessDeniedError, Principal
from geo.data import dataset
from geo.register import accounts, store, welcome

COORDINATOR = Principal(label="koordination", roles=frozenset({"coordinator"}))
CONNECTOR = Principal(label="c", roles=frozenset({"connector"}), connector_id=1)


@pytest.fixture
def reg(tmp_path: Path) -> store.Register:
    register = store.Register(f"sqlite:///{tmp_path / 'register.sqlite'}")
    yield register
    register.close()


@pytest.fixture(scope="module")
def demo(demo_dir: Path) -> dataset.Dataset:
    return dataset.load_dataset(demo_dir)


def test_a_closure_from_a_date_takes_the_point_out_of_distances_but_keeps_it_shown(
    reg: store.Register, demo: dataset.Dataset
) -> None:
    points = demo.welcome_points
    target = str(points["welcome_point_id"].iloc[0])
    with pytest.raises(AccessDeniedError):
        welcome.record(
            reg, CONNECTOR, "close", valid_from=date(2026, 12, 1), known=points, welcome_point_id=target
        )
    welcome.record(
        reg,
        COORDINATOR,
        "close",
        valid_from=date(2026, 12, 1),
        known=points,
        welcome_point_id=target,
        reason="Kürzungen",
    )
    recorded = welcome.changes(reg)
    before = welcome.current(demo, recorded, date(2026, 11, 30))
    after = welcome.current(demo, recorded, date(2026, 12, 1))
    assert target in set(before.welcome_points["welcome_point_id"])  # not yet closed
    assert target not in set(after.welcome_points["welcome_point_id"])
    assert after.closed_welcome_points is not None
    closed = after.closed_welcome_points.set_index("welcome_point_id").loc[target]
    assert (closed["closed_from"], closed["reason"]) == (date(2026, 12, 1), "Kürzungen")
    assert len(after.welcome_points) == len(points) - 1 and after.registry_points() is points
    # distances no longer reach the closed one: the Sozialraum it lay in is now farther from a Welcome Point
    home = str(points.set_index("welcome_point_id").at[target, "sozialraum_id"])
    near_before = coverage.distance_to_nearest(demo.spaces, points).loc[home]
    near_after = coverage.distance_to_nearest(demo.spaces, after.welcome_points).loc[home]
    assert near_before < 1 and near_after > 100
    # closing again is refused, reopening works, and the history keeps both
    with pytest.raises(welcome.WelcomePointError) as caught:
        welcome.record(
            reg, COORDINATOR, "close", valid_from=date(2027, 1, 1), known=points, welcome_point_id=target
        )
    assert caught.value.key == "welcome.already_closed"
    welcome.record(
        reg, COORDINATOR, "reopen", valid_from=date(2027, 3, 1), known=points, welcome_point_id=target
    )
    history = welcome.history(welcome.changes(reg), target)
    assert [c.kind for c in history] == ["close", "reopen"]
    reopened = welcome.current(demo, welcome.changes(reg), date(2027, 3, 1))
    assert target in set(reopened.welcome_points["welcome_point_id"])
    log = accounts.audit_log(reg, by=Principal.cli(), limit=None)
    assert {"welcome_point.close", "welcome_point.reopen"} <= set(log["action"])


def test_moved_renamed_new_hours_and_an_added_point(reg: store.Register, demo: dataset.Dataset) -> None:
    points = demo.welcome_points
    target = str(points["welcome_point_id"].iloc[1])
    inside = demo.spaces.geometry.iloc[20].representative_point()
    welcome.record(
        reg,
        COORDINATOR,
        "edit",
        valid_from=date(2026, 1, 1),
        known=points,
        welcome_point_id=target,
        name="Urbanes Zentrum Nord",
        address="Neue Straße 1, 40211 Düsseldorf",
        lon=inside.x,
        lat=inside.y,
        phone="0211 123456",
        hours="Di und Do 10–16 Uhr",
    )
    new_id = welcome.record(
        reg,
        COORDINATOR,
        "add",
        valid_from=date(2026, 2, 1),
        known=points,
        name="Welcome Point Neu",
        organisation="Träger e. V.",
        address="Platz 2, 40210 Düsseldorf",
        lon="6,78",  # a decimal comma, as people type it
        lat="51,22",
    )
    assert new_id == "wp-app-platz-2-40210-duesseldorf"
    now = welcome.current(demo, welcome.changes(reg), date(2026, 6, 1))
    moved = now.welcome_points.set_index("welcome_point_id").loc[target]
    assert (moved["name"], moved["hours"]) == ("Urbanes Zentrum Nord", "Di und Do 10–16 Uhr")
    assert (moved.geometry.x, moved.geometry.y) == pytest.approx((inside.x, inside.y))
    assert moved["sozialraum_id"] == demo.spaces["sozialraum_id"].iloc[20]  # it lies where it moved to
    assert "0211 123456" in moved["contacts"]
    assert new_id in set(now.welcome_points["welcome_point_id"])
    listing = welcome.listing(welcome.as_of(points, welcome.changes(reg), date(2026, 6, 1)))
    assert listing.set_index("welcome_point_id").at[target, "phone"] == "0211 123456"
    # a re-import shows what the file says otherwise
    found = welcome.differences(points, welcome.as_of(points, welcome.changes(reg), date(2026, 6, 1)))
    what = {(r.welcome_point_id, r.what) for r in found.itertuples()}
    assert {(target, "address"), (target, "name"), (new_id, "added_in_app")} <= what


@pytest.mark.parametrize(
    ("kind", "fields", "key"),
    [
        ("edit", {}, "welcome.nothing_changed"),
        ("edit", {"lon": 13.4, "lat": 52.5}, "welcome.outside_city"),  # Berlin
        ("edit", {"lon": 6.78}, "welcome.bad_position"),
        ("add", {"name": "X"}, "welcome.add_needs"),
        ("reopen", {}, "welcome.not_closed"),
        ("close", {"welcome_point_id": "wp-gibt-es-nicht"}, "welcome.unknown"),
        ("edit", {"hours": "x" * 301}, "welcome.too_long"),
    ],
)
def test_changes_that_make_no_sense_are_refused_with_a_reason(
    reg: store.Register, demo: dataset.Dataset, kind: str, fields: dict, key: str
) -> None:
    target = fields.pop("welcome_point_id", str(demo.welcome_points["welcome_point_id"].iloc[0]))
    with pytest.raises(welcome.WelcomePointError) as caught:
        welcome.record(
            reg,
            COORDINATOR,
            kind,
            valid_from=date(2026, 1, 1),
            known=demo.welcome_points,
            welcome_point_id=target,
            **fields,
        )
    assert caught.value.key == key
    assert "{" not in caught.value.message("de")
    assert welcome.changes(reg) == []  # nothing half-written


@pytest.mark.real_data
def test_closing_bilk_and_pempelfort_changes_coverage_on_the_real_data(
    reg: store.Register, real: dataset.Dataset
) -> None:
    points = real.welcome_points
    closing = points[points["address"].str.contains("Münsterstraße 6|Merowinger Straße 24", regex=True)]
    assert len(closing) == 2  # Pempelfort and Bilk, reported closed in 2024
    for wp_id in closing["welcome_point_id"]:
        welcome.record(
            reg, COORDINATOR, "close", valid_from=date(2024, 3, 1), known=points, welcome_point_id=wp_id
        )
    now = welcome.current(real, welcome.changes(reg), date(2026, 11, 23))
    assert len(now.welcome_points) == 9 and len(now.closed_welcome_points) == 2  # type: ignore[arg-type]
    result = need.need_index(real.spaces, need.default_components(real.indicator_ids()))
    nobody = pd.DataFrame(columns=["sozialraum_id", "tandem"])
    table = coverage.coverage_table(real.spaces, now.welcome_points, result.score, result.need_class, nobody)
    assert set(table["welcome_point_id"]) == set(now.welcome_points["welcome_point_id"])
    assert not set(table["welcome_point_id"]) & set(closing["welcome_point_id"])


def test_exports_show_a_closed_point_as_closed(reg: store.Register, demo: dataset.Dataset) -> None:
    """The print map draws the closed Welcome Point with its own legend entry; the HTML names it closed."""
    from geo.output import export, snapshot

    points = demo.welcome_points
    target = str(points["welcome_point_id"].iloc[0])
    name = str(points["name"].iloc[0])
    welcome.record(
        reg, COORDINATOR, "close", valid_from=date(2026, 12, 1), known=points, welcome_point_id=target
    )
    after = welcome.current(demo, welcome.changes(reg), date(2026, 12, 2))
    nobody = pd.DataFrame(columns=["sozialraum_id", "tandem"])
    prepared = snapshot.prepare(after, MapView(mode="index"), nobody)
    labels = [h.get_label() for h in snapshot.legend_handles(prepared, after, "de")]
    assert "Welcome Point, geschlossen" in labels
    still_open = snapshot.legend_handles(snapshot.prepare(demo, MapView(mode="index"), nobody), demo, "de")
    assert "Welcome Point, geschlossen" not in [h.get_label() for h in still_open]
    html = export.render(after, MapView(mode="index"), "html", assignments=nobody).decode()
    assert "sk-welcome-point-closed" in html and "seit 01.12.2026" in html
    assert html.count(name) >= 1
