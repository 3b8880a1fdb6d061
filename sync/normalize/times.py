"""Response timestamps, whatever shape the sheet or export gives them in, in the job's zone.

A timestamp without a zone (a Sheets download's `10/22/2021 16:30:12`, the Google backend's
serial numbers, an .xlsx date cell) is a wall-clock time of the spreadsheet's time zone,
which the job's `[schedule] timezone` names: it is kept as it is. One with a zone (Google
Forms' own download, `2021/10/15 9:14:37 AM EDT` or `... GMT+5:30`; the Forms API's UTC;
ISO text with an offset) is converted to the job's zone. Either way the result is a naive
datetime in that zone, which is what the curated tab shows and what Late Signer compares.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pandas as pd

from sync.normalize.text import clean_text

DEFAULT_ZONE = "America/New_York"

# Google Forms' download, a Sheets download, US-locale sheets, backends' ISO text, and common
# other locales. Day-first formats come after month-first ones: US exports are month-first.
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
# What Forms' "Download responses (.csv)" writes before the zone: the one zoned shape read
# a whole column at a time (a big form's download has as many distinct values as rows).
FORMS_DOWNLOAD = "%Y/%m/%d %I:%M:%S %p"

# Hours from UTC of the zone abbreviations Forms' download writes. Abbreviations are
# ambiguous worldwide (CST is also China's, IST India's, Ireland's and Israel's), so no
# library maps them; Forms writes the US ones for a US-locale form, and those are the ones
# read. Each is a fixed offset whatever the date: EDT says the time is on the summer side
# of a daylight-saving change, EST the winter side. GMT, UTC and Z are UTC itself; any other
# abbreviation does not read.
US_ZONES = {
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "HDT": -9, "AST": -4, "ADT": -3, "SST": -11,
    "CHST": 10, "GMT": 0, "UTC": 0, "Z": 0,
}
# A zone after the time: letters (not AM/PM) or GMT/UTC with an offset, "GMT-4", "GMT+5:30".
_ZONE_SUFFIX = re.compile(
    r"^(?P<base>.*\d(?:\s*[AaPp]\.?[Mm]\.?)?)\s+"
    r"(?P<zone>(?!(?:[AaPp]\.?[Mm]\.?)$)[A-Za-z]{1,5}|(?:GMT|UTC)\s?[+-]\d{1,2}(?::?\d{2})?)$")
_OFFSET = re.compile(r"^(?:GMT|UTC)\s?(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?$")


def zone_offset(label: str) -> dt.timedelta | None:
    """The UTC offset a zone label after a timestamp stands for; None when it is unknown."""
    label = label.upper()
    if label in US_ZONES:
        return dt.timedelta(hours=US_ZONES[label])
    match = _OFFSET.match(label)
    if match is None:
        return None
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    if hours > 14 or minutes >= 60:
        return None
    offset = dt.timedelta(hours=hours, minutes=minutes)
    return -offset if match["sign"] == "-" else offset


def parse_timestamp(value: str, zone: str | ZoneInfo = DEFAULT_ZONE) -> dt.datetime | None:
    """A naive datetime in `zone` (the job's), or None when there is none to read."""
    text = clean_text(value)
    if not text:
        return None
    serial = _from_serial(text)
    if serial is not None:
        return serial
    offset = None
    suffix = _ZONE_SUFFIX.match(text)
    if suffix is not None:
        offset = zone_offset(suffix["zone"])
        if offset is None:  # a zone we cannot place: no time is better than a wrong one
            return None
        text = suffix["base"]
    moment = _naive(text)
    if moment is None:
        return None
    if moment.tzinfo is not None:
        return moment.astimezone(_zone(zone)).replace(tzinfo=None)
    if offset is None:
        return moment
    return (moment - offset).replace(tzinfo=dt.UTC).astimezone(_zone(zone)).replace(tzinfo=None)


def _naive(text: str) -> dt.datetime | None:
    """The date-time `text` spells (aware only when it carries its own numeric offset)."""
    for fmt in FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        parsed = pd.to_datetime(text)
    except (ValueError, OverflowError):
        return None
    return None if pd.isna(parsed) else parsed.to_pydatetime()


def _zone(zone: str | ZoneInfo) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


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


# The column's dtype whatever its values: pandas infers seconds for some, microseconds for
# others, and one column parsed in parts must not mix them.
UNIT = "datetime64[us]"


def parse_timestamps(values: pd.Series, zone: str | ZoneInfo = DEFAULT_ZONE) -> pd.Series:
    """`parse_timestamp` over a column, as datetime64[us] (NaT where there is none to read).

    The two shapes of big columns are parsed for the whole column at once (strptime per row
    was the largest cost of the normalize stage at 100k responses): a Sheets download's
    `FORMATS[0]`, then Forms' download (`FORMS_DOWNLOAD` and a zone, converted per distinct
    zone). Whatever neither reads goes through `parse_timestamp`, once per distinct value.
    Text in those shapes reads the same either way: no format tried before them reads it."""
    zone = _zone(zone)
    parsed = pd.to_datetime(values, format=FORMATS[0], errors="coerce").astype(UNIT)
    missing = parsed.isna()
    if not missing.any():
        return parsed
    rest = values[missing]
    others = _forms_download(rest, zone).astype(UNIT)
    unread = others.isna()
    if unread.any():
        found = {value: parse_timestamp(value, zone) for value in pd.unique(rest[unread])}
        others[unread] = pd.to_datetime(rest[unread].map(found.__getitem__),
                                        errors="coerce").astype(UNIT)
    if missing.all():  # e.g. the Google backend's serial numbers, Forms' download
        return others
    parsed[missing] = others
    return parsed


def _forms_download(values: pd.Series, zone: ZoneInfo) -> pd.Series:
    """Forms' download shape (NaT elsewhere), converted from its zones to `zone`. The zone
    is the last word (a split is 2.5x faster than `_ZONE_SUFFIX` over a column); a value
    spaced otherwise is left to `parse_timestamp`."""
    parts = values.str.rpartition(" ")
    local = pd.to_datetime(parts[0], format=FORMS_DOWNLOAD, errors="coerce")
    labels = parts[2].where(local.notna())
    offsets = {label: zone_offset(label) for label in pd.unique(labels.dropna())}
    shift = pd.to_timedelta(labels.map(offsets), errors="coerce")
    utc = (local - shift).dt.tz_localize("UTC")
    return utc.dt.tz_convert(zone).dt.tz_localize(None)


def timestamp_problem(values: pd.Series, parsed: pd.Series, column: str) -> str | None:
    """Why a timestamp column is broken, as a sentence for staff; None when it is not.

    It is broken when more than one and more than half of its non-blank values (`values`,
    as the source has them) did not read (`parsed`): then it is not the form's timestamps,
    or not in a shape this reads, and every signer would come out undated. One odd value,
    or a few, are only flagged (`no timestamp`) on their signers."""
    typed = values.str.strip() != ""
    unread = values[typed & parsed.isna()]
    if len(unread) < 2 or len(unread) * 2 <= int(typed.sum()):
        return None
    example = str(unread.iloc[0]).strip()
    suffix = _ZONE_SUFFIX.match(clean_text(example))
    if suffix is not None and zone_offset(suffix["zone"]) is None:
        why = (f"the time zone {suffix['zone']!r} is not one signer-sync can place (it reads "
               "US zones such as EDT or PST and offsets such as GMT+1 or GMT-4:30)")
    else:
        why = ("a timestamp should look like 10/22/2021 16:30:12 (a sheet or its .csv "
               "download) or 2021/10/22 4:30:12 PM EDT (the form's own download)")
    return (f"column {column!r}: {len(unread):,} of {int(typed.sum()):,} timestamps cannot "
            f"be read (for example {example[:60]!r}); {why}. Download the responses again "
            "from the form or its sheet without editing that column, or map [fields] "
            "submitted_at to the column that has the time of each response")
