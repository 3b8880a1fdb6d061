"""The normalize caches are emptied once a run's responses are clean, and emptying them
changes no result."""

from __future__ import annotations

import pandas as pd

from sync.fields import FIELDS
from sync.normalize import clear_caches, location, normalize_responses, orgs, text
from sync.normalize.text import CACHE_SIZE
from tests.conftest import response


def _frame() -> pd.DataFrame:
    rows = [response(email="ana@example.fr", organization="BDS France",
                     first_name="Ana", last_name="Ruiz", affiliation="Sunrise, Chicago"),
            response(email="li@example.org", organization="Jewish Voice for Peace - Boston",
                     first_name="Li", last_name="Wei")]
    return pd.DataFrame(rows, columns=list(FIELDS), index=range(2, 2 + len(rows)))


def _value_caches() -> list:
    return [value for module in (text, orgs, location) for value in vars(module).values()
            if hasattr(value, "cache_info") and value.cache_info().maxsize == CACHE_SIZE]


def test_clearing_the_caches_empties_every_value_cache_and_changes_no_result() -> None:
    warm = normalize_responses(_frame())
    assert sum(cache.cache_info().currsize for cache in _value_caches()) > 0

    clear_caches()

    assert [cache.cache_info().currsize for cache in _value_caches()] == [0] * len(
        _value_caches())
    pd.testing.assert_frame_equal(normalize_responses(_frame()), warm)
