"""Change over time and dynamics classes: figures by hand on crafted series, the demo, the change map."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis import dynamics, need
from geo.data import dataset
from geo.output import maps, webmap


def _table(rows: list[tuple[str, str, str, float]], level: str = "sozialraum") -> pd.DataFrame:
    return pd.DataFrame(
        [(level, i, ind, d, v, "observed", "test") for i, ind, d, v in rows],
        columns=["level", "id", "indicator", "date", "value", "kind", "source"],
    )


CRAFTED = _table(
    [
        ("A", "bevoelkerung", "2021-12-31", 1000),
        ("A", "bevoelkerung", "2024-12-31", 1100),  # +10 % in 3 years: +3.23 % a year, rising
        ("B", "bevoelkerung", "2021-12-31", 1000),
        ("B", "bevoelkerung", "2024-12-31", 1010),  # +1 %: +0.33 % a year, stable
        ("C", "bevoelkerung", "2021-12-31", 1000),
        ("C", "bevoelkerung", "2024-12-31", 900),  # -10 %: -3.45 % a year, falling
        ("D", "bevoelkerung", "2024-12-31", 500),  # one value: no change, no class
        ("A", "sgb2_quote", "2021-12-31", 10.0),
        ("A", "sgb2_quote", "2024-12-31", 14.0),  # +4 points in 3 years: 1.33 points a year, rising
        ("B", "sgb2_quote", "2021-12-31", 10.0),
        ("B", "sgb2_quote", "2024-12-31", 12.0),  # 0.67 points a year: stable
    ]
)


def test_change_and_dynamics_by_hand() -> None:
    result = dynamics.change(
        CRAFTED, "bevoelkerung", "2021-12-31", "2024-12-31", ids=["A", "B", "C", "D", "E"]
    )
    assert result.change.round(6).to_dict() | {"D": 0, "E": 0} == {
        "A": 10.0,
        "B": 1.0,
        "C": -10.0,
        "D": 0,
        "E": 0,
    }
    assert math.isnan(result.change["D"]) and math.isnan(result.change["E"])
    years = 1096 / 365.25
    assert result.per_year["A"] == pytest.approx((1.1 ** (1 / years) - 1) * 100)
    assert result.dynamics.to_dict() == {"A": "rising", "B": "stable", "C": "falling", "D": "", "E": ""}
    absolute = dynamics.change(CRAFTED, "bevoelkerung", "2021-12-31", "2024-12-31", how="absolute")
    assert absolute.change.to_dict() == {
        "A": 100.0,
        "B": 10.0,
        "C": -100.0,
        "D": pytest.approx(float("nan"), nan_ok=True),
    }
    # a share changes in percentage points per year, not in percent
    share = dynamics.change(CRAFTED, "sgb2_quote", "2021-12-31", "2024-12-31", how="absolute")
    assert share.change.to_dict() == {"A": 4.0, "B": 2.0}
    assert share.per_year["A"] == pytest.approx(4 / years)
    assert share.dynamics.to_dict() == {"A": "rising", "B": "stable"}
    # a wider band makes A stable too
    assert (
        dynamics.change(CRAFTED, "sgb2_quote", "2021-12-31", "2024-12-31", band=1.5).dynamics["A"] == "stable"
    )
    with pytest.raises(ValueError, match="after"):
        dynamics.change(CRAFTED, "bevoelkerung", "2024-12-31", "2021-12-31")
    with pytest.raises(ValueError, match="absolute or percent"):
        dynamics.change(CRAFTED, "bevoelkerung", "2021-12-31", "2024-12-31", how="ratio")


def test_which_indicators_and_dates_offer_a_change() -> None:
    stadtteil = _table(
        [("011", "migration_pct", "2020-12-31", 30), ("011", "migration_pct", "2021-12-31", 31)], "stadtteil"
    )
    both = pd.concat([CRAFTED, stadtteil], ignore_index=True)
    assert dynamics.indicators(both) == ["bevoelkerung", "sgb2_quote"]  # a Stadtteil value never on the map
    assert dynamics.dates(both, "bevoelkerung") == ["2021-12-31", "2024-12-31"]
    assert dynamics.indicators(None) == []


def test_diverging_classes_are_symmetric() -> None:
    values = pd.Series([-40.0, -10.0, -1.0, 0.0, 2.0, 12.0, 40.0, float("nan")], index=list("abcdefgh"))
    # |values| sorted 0, 1, 2, 10, 12, 40, 40: the 80th percentile is 12 + 0.8 * 28 = 34.4, kept as 34
    assert dynamics.breaks(values) == (8.5, 34.0)
    assert dynamics.classes(values).tolist() == [0, 1, 2, 2, 2, 3, 4, -1]
    assert dynamics.breaks(pd.Series([0.0, 0.0])) == (0.0, 0.0)


def test_status_by_dynamics_counts_by_hand() -> None:
    need_class = pd.Series({"A": 1, "B": 1, "C": 2, "D": 5, "E": 0})
    dyn = pd.Series({"A": "rising", "B": "falling", "C": "falling", "D": "", "E": "stable"})
    table = dynamics.status_table(need_class, dyn)
    assert table.loc[1].tolist() == [1, 0, 1]  # rising, stable, falling
    assert table.loc[2].tolist() == [0, 0, 1]
    assert int(table.to_numpy().sum()) == 3  # D has no dynamics, E no need class


def test_the_change_map_states_dates_unit_and_the_series_source(demo_dir: Path) -> None:
    demo = dataset.load_dataset(demo_dir)
    assert dynamics.indicators(demo.series)[:2] == ["bevoelkerung", "alter_u6"]
    result = dynamics.change(
        demo.series, "bevoelkerung", "2021-12-31", "2024-12-31", ids=list(demo.spaces["sozialraum_id"])
    )
    assert result.change.notna().sum() >= 160
    assert {"rising", "stable", "falling"} <= set(result.dynamics)
    styling = maps.style_change(result, lang="de")
    assert styling.title == "Bevölkerung: Veränderung 31.12.2021 – 31.12.2024"
    assert len(styling.legend) == 6 and styling.legend[2][1].startswith("kaum verändert (±")
    assert all("%" in label for _c, label in styling.legend[:5])
    assert styling.as_of == "2024-12-31" and styling.layers == {"series"}
    lines = webmap.change_lines(result, None, lang="de")
    sid = result.change.dropna().index[0]
    assert lines[sid].startswith(f"31.12.2021: {result.before[sid]:,.0f}".replace(",", "."))
    assert "Veränderung: " in lines[sid]
    # the Steckbrief's class: the same as the map's between the first and the last date
    own = dynamics.of(demo.series, sid)
    assert own is not None and own.dynamics[sid] == result.dynamics[sid]
    result_need = need.need_index(demo.spaces, need.default_components(demo.indicator_ids()))
    with_need = webmap.change_lines(result, result_need, lang="en")
    assert "need" in with_need[sid].lower() or "Need" in with_need[sid]
