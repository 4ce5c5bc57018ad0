"""Need index maths on a crafted table, with expected values computed by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.analysis import need
from geo.analysis.need import Component
from geo.data.indicators import classify

# x: higher = more need; y: higher = less need, missing for B
TABLE = pd.DataFrame(
    {"sozialraum_id": ["A", "B", "C", "D"], "x": [1.0, 2.0, 3.0, 4.0], "y": [10.0, np.nan, 30.0, 20.0]}
)
COMPONENTS = [Component("x", 1.0, True), Component("y", 1.0, False)]


def test_minmax_by_hand() -> None:
    # x -> 0, 1/3, 2/3, 1;  -y -> A 1, C 0, D 0.5;  means: A .5, B 1/3, C 1/3, D .75
    # scaled to 0-100 between 1/3 and .75: A 40, B 0, C 0, D 100
    result = need.need_index(TABLE, COMPONENTS, normalisation="minmax")
    assert result.score.to_dict() == pytest.approx({"A": 40.0, "B": 0.0, "C": 0.0, "D": 100.0})
    assert result.rank.to_dict() == {"A": 2, "B": 3, "C": 3, "D": 1}
    # quintiles of 4 ranks: 1 + (rank-1)*5 // 4
    assert result.need_class.to_dict() == {"A": 2, "B": 3, "C": 3, "D": 1}
    assert result.missing == {"y": ["B"]}


def test_percentile_by_hand() -> None:
    # x -> .25 .5 .75 1;  -y among A, C, D: C 1/3, D 2/3, A 1
    # means: A .625, B .5, C 13/24, D 5/6 -> scaled: A 37.5, B 0, C 12.5, D 100
    result = need.need_index(TABLE, COMPONENTS, normalisation="percentile")
    assert result.score.to_dict() == pytest.approx({"A": 37.5, "B": 0.0, "C": 12.5, "D": 100.0})


def test_zscore_by_hand() -> None:
    sd = math.sqrt(5 / 3)  # sample sd of 1..4
    zx = {k: (v - 2.5) / sd for k, v in zip("ABCD", [1, 2, 3, 4], strict=True)}
    zy = {"A": 1.0, "C": -1.0, "D": 0.0}  # -y: mean -20, sd 10
    combined = {
        "A": (zx["A"] + zy["A"]) / 2,
        "B": zx["B"],
        "C": (zx["C"] + zy["C"]) / 2,
        "D": (zx["D"] + zy["D"]) / 2,
    }
    low, high = min(combined.values()), max(combined.values())
    expected = {k: 100 * (v - low) / (high - low) for k, v in combined.items()}
    result = need.need_index(TABLE, COMPONENTS, normalisation="zscore")
    assert result.score.to_dict() == pytest.approx(expected)
    assert result.score["A"] == pytest.approx(31.64, abs=0.01)


def test_weights_and_direction_matter() -> None:
    only_y = need.need_index(TABLE, [Component("x", 0.0), Component("y", 1.0, False)], normalisation="minmax")
    assert only_y.score.to_dict() == pytest.approx(
        {"A": 100.0, "C": 0.0, "D": 50.0, "B": np.nan}, nan_ok=True
    )
    assert only_y.need_class["B"] == 0  # no score, no class: never read as zero
    flipped = need.need_index(TABLE, [Component("x", 1.0, False)], normalisation="minmax")
    assert flipped.score.to_dict() == pytest.approx({"A": 100.0, "B": 200 / 3, "C": 100 / 3, "D": 0.0})


def test_ten_units_fill_five_classes_evenly() -> None:
    table = pd.DataFrame({"sozialraum_id": list("ABCDEFGHIJ"), "x": np.arange(10.0)})
    result = need.need_index(table, [Component("x")], normalisation="minmax")
    assert result.need_class.tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_stability() -> None:
    # with one indicator, weights cannot change the order: nothing is sensitive
    table = pd.DataFrame({"sozialraum_id": list("ABCDEFGHIJ"), "x": np.arange(10.0)})
    single = need.need_index(table, [Component("x")])
    assert (need.stability(table, single) == 0).all()
    # two opposed indicators of equal weight: the middle units flip with the weights
    table["y"] = np.arange(10.0)[::-1] + np.array([0, 0.1, 0, 0.1, 0, 0.1, 0, 0.1, 0, 0.1])
    opposed = need.need_index(table, [Component("x"), Component("y")], normalisation="minmax")
    shares = need.stability(table, opposed)
    assert shares.max() > need.SENSITIVE_SHARE
    assert need.is_sensitive(shares.max())


def test_default_components_only_what_is_there() -> None:
    assert [c.indicator_id for c in need.default_components(["kinderarmut", "sgb2_quote"])] == [
        "sgb2_quote",
        "kinderarmut",
    ]


def test_classification_limits() -> None:
    values = pd.Series([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan])
    q = classify(values, scheme="quantiles", k=5)
    assert q.bins == pytest.approx((2.8, 4.6, 6.4, 8.2, 10.0))
    assert q.labels.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, -1]
    eq = classify(values, scheme="equal_interval", k=3)
    assert eq.bins == pytest.approx((4.0, 7.0, 10.0))
    manual = classify(values, scheme="manual", breaks=[3, 6])
    assert manual.bins == (3.0, 6.0, 10.0)
    assert manual.labels.tolist()[:4] == [0, 0, 0, 1]
    std = classify(values, scheme="std_mean")
    assert std.labels.max() <= std.k - 1
    assert std.lower == 1.0


def test_std_mean_drops_limits_below_the_minimum() -> None:
    skewed = pd.Series([1.0, 1, 1, 1, 1, 1, 1, 1, 1, 50])
    std = classify(skewed, scheme="std_mean")
    assert min(std.bins) >= 1.0
    assert std.labels.min() == 0
    assert max(std.bins) >= 50.0


def test_an_index_of_two_copies_is_named() -> None:
    copies = [("altersarmut", "mindestsicherung")]
    assert need.counted_twice(["sgb2_quote", "altersarmut", "mindestsicherung"], copies) == copies
    assert need.counted_twice(["sgb2_quote", "altersarmut"], copies) == []
