"""What a reviewer meant by the text in a Status cell.

A Status is one of three values. A near miss reads as the value meant: the same letters
once case, spacing and punctuation are ignored ("needs-review", "EXCLUDED."), one typing
slip away (a letter missing, extra, wrong or two swapped: "Aproved", "Exlcuded"), or the
start of a value ("Exclude", "Approve", "Excl"). Only one slip: "Unapproved" and
"Approval" are two away from "Approved", and a Status that might mean its opposite must not
put a signer on the letter. A question mark asks rather than decides ("Approved?"), so it is
never read as a value. Anything else is not understood, and the caller keeps it as typed.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA

from sync.curate import STATUSES
from sync.normalize.text import fold

# Shortest start of a value read as that value: "Excl" is Excluded, "Ex" could be anything.
_MIN_PREFIX = 4
_KEYS = {"".join(c for c in fold(status) if c.isalpha()): status for status in STATUSES}


@lru_cache(maxsize=1024)
def read_status(text: str) -> str | None:
    """The Status `text` means ("" for a blank cell), or None when it is not understood.

    Cached: a tab holds few distinct Status texts, however many rows it has."""
    text = text.strip()
    if not text or text in STATUSES:
        return text
    if "?" in text:
        return None
    key = "".join(c for c in fold(text) if c.isalpha())
    if key in _KEYS:
        return _KEYS[key]
    starts = [s for k, s in _KEYS.items() if len(key) >= _MIN_PREFIX and k.startswith(key)]
    # OSA counts swapped neighbours as one slip; score_cutoff stops counting past it
    close = [s for k, s in _KEYS.items() if OSA.distance(key, k, score_cutoff=1) <= 1]
    meant = set(starts) | set(close)
    return meant.pop() if len(meant) == 1 else None
