"""Acronyms: which words a short form abbreviates, and where a name defines its acronym.

The matching follows Schwartz & Hearst's abbreviation-definition algorithm (PSB 2003): the
short form's characters are found, in order, at the starts of the long form's words, the
first one at the first word. Their algorithm lets any word go unmatched; a sign-on list
compares names across responses, so here only small words ("of", "for", "the") and the
other parts of a hyphenated word ("American-Arab" → A) may be skipped, a word in capitals
gives all its letters ("UCC Palestine Israel Network" → UCCPIN), and a digit stands for the
word it sounds like ("Movement for Black Lives" → M4BL). Only a definition written in the
same answer ("Name (ACRONYM)", "ACRONYM - Name") may also leave its last words out
("United Electrical, Radio and Machine Workers of America (UE)"); any may leave out a
trailing phrase that opens with a small word ("United Farm Workers of America" → UFW).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

from sync.normalize.text import CACHE_SIZE, fold

SMALL_WORDS = frozenset({
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the",
    "to", "with", "de", "la", "del", "y", "en", "dos", "das", "da", "do", "des", "du", "et",
    "für", "fur", "fuer", "und", "los", "las", "el", "le", "e", "&"})
_DIGIT_WORDS = {"2": {"to", "two"}, "4": {"for", "four"}, "8": {"ate"}}
_PARTS = re.compile(r"[-/‐–]")
_LETTERS = re.compile(r"[^0-9A-Za-z]")


def _unaccent(text: str) -> str:
    """Accents dropped, case kept ("Aztlán" → "Aztlan")."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


@lru_cache(maxsize=CACHE_SIZE)
def acronym_letters(word: str) -> str:
    """The letters of `word` when it reads as an acronym ("U.S.C.P.R." → "USCPR", "M4BL",
    "MEChA", "AAUP-AFT" → "AAUPAFT"); "" when it does not."""
    letters = _LETTERS.sub("", _unaccent(word))
    if not 2 <= len(letters) <= 10 or letters.isdigit():
        return ""
    upper = sum(c.isupper() for c in letters)
    lower = sum(c.islower() for c in letters)
    if upper < 2 + lower or lower > 1 or not letters[0].isalpha():
        return ""
    return letters.upper()


def abbreviates(short: str, words: Sequence[str], *, may_drop_tail: bool = False) -> bool:
    """Whether the acronym `short` (upper case) abbreviates `words` (see the module doc)."""
    words = tuple(w for w in words if any(c.isalnum() for c in w))
    if not short or not words:
        return False
    return _match(short, words, may_drop_tail)


@lru_cache(maxsize=CACHE_SIZE)
def _match(short: str, words: tuple[str, ...], may_drop_tail: bool) -> bool:
    options = tuple(_contributions(word) for word in words)
    small = tuple(fold(w) in SMALL_WORDS for w in words)

    @cache
    def go(at: int, word: int) -> bool:
        if word == len(words):
            return at == len(short)
        if at == len(short):
            return (may_drop_tail and word > 0) or all(small[word:])
        if small[word] and go(at, word + 1):
            return True
        for piece in options[word]:
            if short.startswith(piece, at) and go(at + len(piece), word + 1):
                return True
        return False

    return go(0, 0)


@lru_cache(maxsize=CACHE_SIZE)
def _contributions(word: str) -> tuple[str, ...]:
    """What one word may give an acronym: its initial, all its letters when it is in
    capitals, the initials of any of its hyphenated parts, a digit for a word it sounds like."""
    folded = fold(word)
    pieces = {d for d, sounds in _DIGIT_WORDS.items() if folded in sounds}
    parts = [p for p in (_LETTERS.sub("", _unaccent(part))
                         for part in _PARTS.split(word)) if p]
    if not parts:
        return tuple(pieces)
    initials = [p[0].upper() for p in parts]
    for mask in range(1, 2 ** min(len(initials), 4)):
        pieces.add("".join(c for i, c in enumerate(initials) if mask >> i & 1))
    for part in parts:
        if (part.isupper() and len(part) <= 5) or part.isdigit():
            pieces.add(part.upper())
    if len(parts) > 1:
        pieces.add("".join(p.upper() for p in parts if p.isupper() or p.isdigit()))
    pieces.discard("")
    return tuple(sorted(pieces, key=len, reverse=True))
