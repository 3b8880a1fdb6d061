"""Response timestamps, whatever shape the sheet or export gives them in."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sync.normalize.text import clean_text

# Google Forms' CSV export, US-locale sheets, backends' ISO text, and common other locales.
# Day-first formats come after month-first ones: the form's own export is month-first.
FORMATS = (
    "%m/%d/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
)


def parse_timestamp(value: str) -> dt.datetime | None:
    """A naive datetime in the sheet's own time zone, or None when there is none to read."""
    text = clean_text(value)
    if not text:
        return None
    serial = _from_serial(text)
    if serial is not None:
        return serial
    text = text.removesuffix(" GMT").removesuffix(" UTC")
    for fmt in FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        parsed = pd.to_datetime(text)
    except (ValueError, OverflowError):
        return None
    if pd.isna(parsed):
        return None
    return parsed.tz_localize(None).to_pydatetime() if parsed.tzinfo else parsed.to_pydatetime()


# Google Sheets' serial date-times: days since 1899-12-30, the fraction the time of day.
# The Google backend reads timestamps this way so the spreadsheet's locale cannot change
# how a date reads; 20000..80000 (1954..2119) keeps ordinary numbers from passing as dates.
SERIAL_EPOCH = dt.datetime(1899, 12, 30)
_SERIAL_RANGE = (20_000.0, 80_000.0)


def _from_serial(text: str) -> dt.datetime | None:
    try:
        days = float(text)
    except ValueError:
        return None
    if not _SERIAL_RANGE[0] <= days <= _SERIAL_RANGE[1]:
        return None
    return SERIAL_EPOCH + dt.timedelta(seconds=round(days * 86_400))


def parse_timestamps(values: pd.Series) -> pd.Series:
    """`parse_timestamp` over a column, as datetime64 (NaT where there is none to read).

    The form export's own format is parsed for the whole column at once (strptime per row
    was the largest cost of the normalize stage at 100k responses); whatever it cannot read
    goes through `parse_timestamp`, once per distinct value. Text in that format reads the
    same either way, since it is the first format `parse_timestamp` tries."""
    parsed = pd.to_datetime(values, format=FORMATS[0], errors="coerce")
    missing = parsed.isna()
    if not missing.any():
        return parsed
    rest = values[missing]
    found = {value: parse_timestamp(value) for value in pd.unique(rest)}
    others = pd.to_datetime(rest.map(found.__getitem__), errors="coerce")
    if missing.all():  # e.g. the Google backend's serial numbers
        return others
    parsed[missing] = others
    return parsed
