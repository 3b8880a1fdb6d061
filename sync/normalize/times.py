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
