"""The structure of an organization name: its own words, the acronym it defines, and the
words that make its identity.

Words that do not change which organization a name means are left out of its identity:
descriptive parentheses ("(Oakland, CA)", "(UC Student Workers Union)", "(UK)"), a subtitle
after a colon ("Project South: Institute for …"), legal suffixes ("Inc.", "LLC", "e.V."),
"Chapter", the word "Local" next to a local's number ("SEIU Local 1021" is "SEIU 1021"
is "Local 1021 SEIU"), a trailing "National" ("CAIR National" is CAIR itself). A trailing
country ("Christian Aid UK", "Pax Christi USA") is kept apart as a qualifier: a name with
it and the same name without it are one organization unless two countries are in use
("BDS France", "BDS Italia").

A parenthesized acronym is that name's definition ("… Lives (M4BL)"), and so is the other
way round ("CIW (Coalition of Immokalee Workers)") or an acronym before or after a dash
("FLIC - Florida Immigrant Coalition"), when the acronym abbreviates the words (see
`acronyms`). Postal codes and a few city short forms written in capitals read as the place
("Make the Road NY" is "… New York").
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache

from sync.normalize.acronyms import abbreviates, acronym_letters
from sync.normalize.places import countries, place_key, us_postal_codes, us_states
from sync.normalize.text import CACHE_SIZE, clean_text, fold

_PARENS = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]")
_DASH = re.compile(r"\s+[-–—]+\s+|\s*--+\s*|\s*[–—]\s*")
_COLON = re.compile(r":\s")
_WORDS = re.compile(r"[\s,/–—]+")
_SPACE_BEFORE_MARK = re.compile(r"\s+([,;:])")
_CITY_STATE_TAIL = re.compile(r",\s*[A-Z][\w.'’-]*(?:\s[A-Z][\w.'’-]*){0,2},?\s([A-Z]{2})$")
_CAPS_PART = re.compile(r"(?<=[a-z])-(?=[A-Z]{2,}\b)|(?<=\b[A-Z][A-Z])-(?=[A-Z][a-z])|"
                        r"(?<=[A-Z][A-Z][A-Z])-(?=[A-Z][a-z])")
_ALNUM = re.compile(r"[^\W_]")
_INNER_MARK = re.compile(r"(?<=\w)[.'’](?=\w)")
_PUNCT = re.compile(r"[^\w\s]")
_DIGIT_EDGE = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z]{2})")
_WEB_SUFFIX = re.compile(r"(?<=\w)\.(?:org|com|net)\b")
LEGAL_SUFFIXES = frozenset({"inc", "incorporated", "llc", "corp", "corporation", "ltd", "ev",
                            "asbl", "pbc", "nfp"})
_FILLER = frozenset({"the", "at", "chapter"})
_SELF = frozenset({"national", "office", "hq", "headquarters"})
# Short forms of big U.S. cities and regions, as organizations write them in capitals.
CITY_SHORT_FORMS = {
    "LA": "los angeles", "NYC": "new york city", "SF": "san francisco",
    "SFBA": "san francisco bay area", "ATL": "atlanta", "NOLA": "new orleans",
    "PDX": "portland", "KC": "kansas city", "SOCAL": "southern california",
    "NORCAL": "northern california", "DMV": "dc maryland virginia", "PHILLY": "philadelphia",
    "CHI": "chicago", "BK": "brooklyn", "BMORE": "baltimore",
}
# One word, two spellings: "Palestinian Centre for Human Rights" is "… Center …".
BRITISH_SPELLINGS = {"centre": "center", "centres": "centers", "theatre": "theater",
                     "organisation": "organization", "organisations": "organizations",
                     "labour": "labor", "defence": "defense", "programme": "program",
                     "neighbour": "neighbor", "neighbours": "neighbors"}
_NOT_STATE_CODES = {"DC", "IN", "ME", "OR", "OK", "HI", "OH", "PA", "AS"}


@dataclass(frozen=True)
class ParsedName:
    """`display`: the name as typed without its acronym definition and descriptive
    parentheses; `words`: its words; `acronym`: the acronym it defines ("" if none);
    `core`: its identity words, folded; `country`: a trailing country ("" if none)."""

    display: str
    words: tuple[str, ...]
    acronym: str
    core: tuple[str, ...]
    country: str

    @property
    def key(self) -> str:
        return " ".join(sorted(set(self.core))) + ("|" + self.country if self.country else "")


@lru_cache(maxsize=CACHE_SIZE)
def parse_org(spelling: str) -> ParsedName:
    text = clean_text(spelling)
    acronym = ""
    if "(" in text or "[" in text:
        text, acronym = _drop_parentheses(text)
    if ": " in text:
        text = _COLON.split(text, maxsplit=1)[0]
    parts = [p.strip() for p in _DASH.split(text) if p.strip()]
    if len(parts) == 2:
        for short, long in ((parts[0], parts[1]), (parts[1], parts[0])):
            letters = acronym_letters(short) if " " not in short else ""
            if letters and abbreviates(letters, _words(long), may_drop_tail=True):
                acronym, text = acronym or letters, long
                break
    text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    text = _CITY_STATE_TAIL.sub("", text) if _is_city_state_tail(text) else text
    words = tuple(_words(text))
    core, country = identity(words)
    return ParsedName(text, words, acronym, core, country)


def _is_city_state_tail(text: str) -> bool:
    """", Falls Church VA": a town and a postal code after a comma describe the name."""
    match = _CITY_STATE_TAIL.search(text)
    return bool(match) and match.group(1) in us_postal_codes() and match.start() > 0


def _drop_parentheses(text: str) -> tuple[str, str]:
    """The text without its parentheses, and the acronym one of them defines."""
    inners = _PARENS.findall(text)
    outer = " ".join(_PARENS.sub(_kept_parenthesis, text).split()).rstrip(" ,-–—")
    if not outer:
        return text, ""
    outer_words = _words(outer)
    for inner in inners:
        inner_words = _words(inner)
        letters = acronym_letters(inner) if len(inner_words) == 1 else ""
        if letters and abbreviates(letters, outer_words, may_drop_tail=True):
            return outer, letters
        own = acronym_letters(outer) if len(outer_words) == 1 else ""
        if own and abbreviates(own, inner_words, may_drop_tail=True):
            return inner, own
    return outer, ""


def _kept_parenthesis(match: re.Match[str]) -> str:
    """"Presbyterian Church (U.S.A.)": a country in parentheses right after the name is the
    organization's own; any other parenthesis only describes it."""
    inner = match.group(1).replace(".", "").strip().upper()
    return match.group(0) if inner in ("USA", "US") else " "


def _words(text: str) -> list[str]:
    """The words of a name; an acronym hyphened to a word is a word of its own
    ("Attendants-CWA", "CAIR-Michigan"), a hyphened word stays one ("American-Arab")."""
    text = _CAPS_PART.sub(" ", text)
    return [w for w in _WORDS.split(text) if w.isalnum() or _ALNUM.search(w)]


@lru_cache(maxsize=CACHE_SIZE)
def identity(words: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """(identity words, trailing country) of a name's words (see the module doc)."""
    tokens: list[str] = []
    for word in words:
        tokens.extend(word_tokens(word))
    numbered = any(t.isdigit() for t in tokens)
    tokens = [t for t in tokens if t not in _FILLER and t not in LEGAL_SUFFIXES
              and not (numbered and t == "local")]
    country = ""
    while len(tokens) > 1 and tokens[-1] in _SELF:
        tokens.pop()
    known = countries()
    if len(tokens) > 1 and tokens[-1] in ("usa", "us"):
        tokens.pop()
        return tuple(sys.intern(t) for t in tokens), "United States"
    for size in (3, 2, 1):
        tail = " ".join(tokens[-size:])
        if len(tokens) > size and tail in known:
            country = known[tail]
            del tokens[-size:]
            break
    if tokens[-1:] == ["state"] and (" ".join(tokens[-3:-1]) in us_states()
                                     or " ".join(tokens[-2:-1]) in us_states()):
        tokens.pop()
    return tuple(sys.intern(t) for t in tokens), country


@lru_cache(maxsize=CACHE_SIZE)
def word_tokens(word: str) -> tuple[str, ...]:
    """The folded identity tokens of one word ("NY" → new, york; "1199SEIU" → 1199, seiu)."""
    bare = word.strip(".,;:'\"").replace(".", "")
    if (bare.upper() in CITY_SHORT_FORMS and bare.isupper()) or bare in ("SoCal", "NorCal"):
        return tuple(CITY_SHORT_FORMS[bare.upper()].split())
    if len(bare) == 2 and bare.isupper() and bare not in _NOT_STATE_CODES:
        state = _state_of_code().get(bare)
        if state:
            return tuple(state.split())
    text = fold(word).replace("&", " and ")
    text = _WEB_SUFFIX.sub("", text)
    text = _INNER_MARK.sub("", text)
    text = _DIGIT_EDGE.sub(" ", text)
    return tuple(BRITISH_SPELLINGS.get(w, w) for w in _PUNCT.sub(" ", text).split()
                 if w != "and")


@lru_cache(maxsize=1)
def _state_of_code() -> dict[str, str]:
    return {code: place_key(name) for name, code in us_states().items()
            if name not in ("washington dc", "district of columbia")}
