"""Class limits computed with numpy are the ones mapclassify computes (it is imported only when needed)."""

from __future__ import annotations

import warnings

import mapclassify
import numpy as np
import pandas as pd
import pytest

from geo.data.indicators import classify


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


def test_fisher_jenks_on_many_values_is_sampled_deterministically_and_says_so() -> None:
    from geo.data import indicators

    y = np.random.default_rng(7).gamma(2, 5, 5000)
    values = pd.Series(y)
    first = classify(values, scheme="fisher_jenks", k=5)
    again = classify(values, scheme="fisher_jenks", k=5)
    assert first.bins == again.bins  # the same colours on every rerun
    assert first.sampled == indicators.FISHER_JENKS_MAX
    assert first.bins[-1] == pytest.approx(y.max())
    few = classify(pd.Series(y[:200]), scheme="fisher_jenks", k=5)
    assert few.sampled is None
    with warnings.catch_warnings():  # mapclassify says it has no numba
        warnings.simplefilter("ignore", UserWarning)
        reference = mapclassify.FisherJenks(y[:200], k=5).bins
    assert few.bins == pytest.approx(tuple(np.unique(reference)))
