"""Timestamps are read a whole column at a time; every value must still read as it does
alone, whatever shape the sheet or export gave it."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from sync.normalize.times import parse_timestamp, parse_timestamps

SHAPES = [
    "10/22/2021 18:02:11", "10/5/2021 9:03:04", " 10/22/2021  18:02:11 ", "44500.5",
    "2021-10-22 18:02:11", "2021-10-22T18:02:11", "10/22/2021 6:02:11 PM",
    "10/22/2021 18:02:11 GMT", "22/10/2021 18:02:11", "2/29/2021 1:00:00", "13/22/2021 1:00:00",
    "１０/22/2021 18:02:11", "10/22/2021 18:02:11.5", "", "N/A", "yesterday",
]


def one_by_one(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.map(parse_timestamp), errors="coerce")


@given(st.lists(st.sampled_from(SHAPES), max_size=12))
def test_a_column_reads_as_each_of_its_values_alone(values: list[str]) -> None:
    column = pd.Series(values, index=range(3, 3 + len(values)), dtype="str")
    expected = one_by_one(column)
    got = parse_timestamps(column)
    assert got.dtype == expected.dtype
    assert got.index.equals(column.index)
    assert got.isna().tolist() == expected.isna().tolist()
    assert got.dropna().tolist() == expected.dropna().tolist()


def test_the_google_backends_serial_numbers_read_as_dates() -> None:
    got = parse_timestamps(pd.Series(["44491.75", "44500.5"], dtype="str"))
    assert got.tolist() == [pd.Timestamp("2021-10-22 18:00"), pd.Timestamp("2021-10-31 12:00")]
