"""Timestamps are read a whole column at a time; every value must still read as it does
alone, whatever shape the sheet or export gave it."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.normalize.times import parse_timestamp, parse_timestamps

SHAPES = [
    "10/22/2021 18:02:11", "10/5/2021 9:03:04", " 10/22/2021  18:02:11 ", "44500.5",
    "2021-10-22 18:02:11", "2021-10-22T18:02:11", "10/22/2021 6:02:11 PM",
    "10/22/2021 18:02:11 GMT", "22/10/2021 18:02:11", "2/29/2021 1:00:00", "13/22/2021 1:00:00",
    "１０/22/2021 18:02:11", "10/22/2021 18:02:11.5", "", "N/A", "yesterday",
    "2021/10/15 9:14:37 AM EDT", "2021/11/08 8:05:00 AM EST", "2021/10/28 11:30:00 PM GMT+5:30",
    "2021/10/16 1:00:00 AM GMT-4", "2021/10/20 12:05:00 PM GMT", "2021/10/20 12:05:00 pm PDT",
    "2021/10/15 9:14:37 AM CET", "2021/13/15 9:14:37 AM EDT", " 2021/10/15  9:14:37 AM  HST",
    "2021-10-22 18:02:11 UTC", "2021-10-22T18:02:11.123Z", "2021-10-22T18:02:11-04:00",
]


def one_by_one(values: pd.Series, zone: str) -> pd.Series:
    return pd.to_datetime(values.map(lambda v: parse_timestamp(v, zone)), errors="coerce")


@settings(deadline=None)  # a zone's first conversion loads its rules: slow once, on a busy machine
@given(st.lists(st.sampled_from(SHAPES), max_size=12),
       st.sampled_from(["America/New_York", "America/Los_Angeles", "Asia/Kolkata"]))
def test_a_column_reads_as_each_of_its_values_alone(values: list[str], zone: str) -> None:
    column = pd.Series(values, index=range(3, 3 + len(values)), dtype="str")
    expected = one_by_one(column, zone)
    got = parse_timestamps(column, zone)
    assert got.dtype == "datetime64[us]"
    assert got.index.equals(column.index)
    assert got.isna().tolist() == expected.isna().tolist()
    assert got.dropna().tolist() == expected.dropna().tolist()


def test_the_google_backends_serial_numbers_read_as_dates() -> None:
    got = parse_timestamps(pd.Series(["44491.75", "44500.5"], dtype="str"))
    assert got.tolist() == [pd.Timestamp("2021-10-22 18:00"), pd.Timestamp("2021-10-31 12:00")]


def test_zoned_times_either_side_of_a_daylight_saving_change_convert_to_the_jobs_zone() -> None:
    forms = pd.Series(["2021/11/06 11:30:00 PM EDT", "2021/11/07 1:30:00 AM EDT",
                       "2021/11/07 1:10:00 AM EST", "2021/11/08 8:05:00 AM EST",
                       "2021/10/28 11:30:00 PM GMT+5:30", "2021/10/16 1:00:00 AM GMT-4",
                       "2021/10/20 12:05:00 PM GMT", "2021/10/29 11:45:00 PM PDT"], dtype="str")
    assert parse_timestamps(forms, "America/New_York").dt.strftime("%m-%d %H:%M").tolist() == [
        "11-06 23:30", "11-07 01:30", "11-07 01:10", "11-08 08:05", "10-28 14:00",
        "10-16 01:00", "10-20 08:05", "10-30 02:45"]
    assert parse_timestamps(forms, "America/Los_Angeles").dt.strftime("%m-%d %H:%M").tolist() == [
        "11-06 20:30", "11-06 22:30", "11-06 23:10", "11-08 05:05", "10-28 11:00",
        "10-15 22:00", "10-20 05:05", "10-29 23:45"]


def test_naive_times_are_the_sheets_own_and_stay_as_they_are_in_any_zone() -> None:
    sheet = pd.Series(["10/22/2021 16:30:12", "2021-10-22 16:30:12", "44491.6875"], dtype="str")
    for zone in ("America/New_York", "Asia/Kolkata"):
        assert parse_timestamps(sheet, zone).dt.strftime("%Y-%m-%d %H:%M").tolist() == [
            "2021-10-22 16:30", "2021-10-22 16:30", "2021-10-22 16:30"]


def test_a_zone_abbreviation_that_is_not_a_us_one_does_not_read() -> None:
    # IST is India's, Ireland's and Israel's: guessing would put signers hours off
    got = parse_timestamps(pd.Series(["2021/10/15 9:14:37 AM IST", "2021/10/15 9:14:37 AM CET"],
                                     dtype="str"))
    assert got.isna().all()
