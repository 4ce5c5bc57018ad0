"""Class limits computed with numpy are the ones mapclassify computes (it is imported only when needed)."""

from __future__ import annotations

import mapclassify
import numpy as np
import pandas as pd
import pytest

from geo.indicators import classify


@pytest.mark.parametrize("n", [5, 17, 171, 1000])
@pytest.mark.parametrize("k", [2, 5, 9])
def test_quantiles_and_equal_intervals_match_mapclassify(n: int, k: int) -> None:
    y = np.round(np.random.default_rng(n * k).gamma(2, 5, n), 1)
    values = pd.Series(y, index=[f"{i:06d}" for i in range(n)])
    k = min(k, len(np.unique(y)))
    for scheme, reference in (
        ("quantiles", mapclassify.Quantiles),
        ("equal_interval", mapclassify.EqualInterval),
    ):
        ours = classify(values, scheme=scheme, k=k)
        theirs = reference(y, k=k)
        expected = tuple(float(b) for b in np.unique(theirs.bins) if b >= y.min())
        assert ours.bins == pytest.approx(expected)
        assert (ours.labels.to_numpy() == np.minimum(theirs.yb, len(ours.bins) - 1)).all()
