"""Text clean-up shared by every field: Unicode, invisible characters, spacing, casing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pandas as pd

# Zero-width and bidi-control characters people paste in from documents and phones.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
# C0/C1 control characters other than ordinary whitespace.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
# Distinct strings each cached helper keeps. A million responses hold ~180k distinct
# organization spellings and more distinct texts; at 65,536 the caches thrashed.
CACHE_SIZE = 1 << 19
_BLANKISH = {"", "-", "--", "—", "–", ".", "n/a", "na", "n.a.", "none", "no", "nil", "null",
             "self", "myself", "not applicable", "x", "?", "tbd"}


def clean_text(value: object) -> str:
    """NFKC-normalized, invisible and control characters removed, spacing collapsed."""
    if value is None:
        return ""
    text = str(value)
    if text.isascii() and text.isprintable():
        # Most text: already NFKC, nothing invisible, and the space is its only whitespace.
        return " ".join(text.split())
    return _clean(text)


@lru_cache(maxsize=CACHE_SIZE)
def _clean(text: str) -> str:
    # Cached: every column's answers repeat, and the place finder cleans names again.
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def is_blankish(text: str) -> bool:
    """True for answers that mean "nothing here" ("N/A", "none", "-", "self")."""
    return text.strip().strip(".").casefold() in _BLANKISH or text.strip().casefold() in _BLANKISH


def is_single_case(text: str) -> bool:
    """True when every cased letter is upper case, or every one is lower case."""
    if text.isascii():  # the common case, in C: the cased ASCII characters are the letters
        return text.isupper() or text.islower()
    letters = [c for c in text if c.isalpha() and (c.isupper() or c.islower())]
    return bool(letters) and (
        all(c.isupper() for c in letters) or all(c.islower() for c in letters)
    )


def fold(text: str) -> str:
    """Case- and accent-folded text, for comparing what people typed."""
    if text.isascii():  # most text: no accents, and casefold() is lower() on ASCII
        return text.lower()
    return _fold_unicode(text)


@lru_cache(maxsize=CACHE_SIZE)
def _fold_unicode(text: str) -> str:
    # NFKC first: a compatibility character can spell capitals ("㎴" is "pV")
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Excel's "CSV (Comma delimited)" save writes the Windows code page, where every letter it
# lacks (Arabic, Cyrillic, Vietnamese "ễ"...) becomes "?": "محمد" arrives as "????",
# "Nguyễn" as "Nguy?n". Two question marks in a row, or one inside a word, is that.
_LOST_TEXT = re.compile(r"\?\?|[^\W\d_]\?[^\W\d_]")


def text_lost(values: pd.Series) -> pd.Series:
    """Whether each value looks like text an ANSI save replaced with question marks."""
    maybe = values.str.contains("?", regex=False)  # in C; most answers have none
    if maybe.any():
        maybe[maybe] = values[maybe].str.contains(_LOST_TEXT)
    return maybe.astype(bool)


def is_text_lost(text: str) -> bool:
    """`text_lost` of one value."""
    return _LOST_TEXT.search(text) is not None


FORMULA_TRIGGERS = "=+-@"


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet would read as a formula if it were typed into a cell."""
    return len(text) > 1 and text[0] in FORMULA_TRIGGERS


def no_new_formula(typed: str, cleaned: str) -> str:
    """`cleaned`, unless cleaning made formula-like text out of what was not ("*=SUM(…)" →
    "=SUM(…)"); then without its leading formula characters. What a respondent typed as a
    formula stays as typed: the backends write it as text."""
    if not looks_like_formula(cleaned) or clean_text(typed).startswith(cleaned[0]):
        return cleaned
    return cleaned.lstrip(FORMULA_TRIGGERS + " ")
