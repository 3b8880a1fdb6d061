"""Evidence that a signer is based outside the U.S.

The letter is for U.S.-based groups, so a foreign group slipping through defeats it, and a
U.S. group flagged as foreign is a public mistake. The rules:

* Evidence of a base abroad: a country-code email domain (not one sold as a generic domain,
  such as .io or .co); a country, a people ("Danes for …"), or a foreign city in a place
  position: after a comma or dash, in parentheses, at the end of a name ("BDS France"), or
  "University of Sydney".
* U.S. context wins against it: a state or postal code ("Athens, GA"), "USA"/"U.S."/
  "American", a U.S. city, a .edu/.gov/.us email. Then the evidence becomes a "confirm" flag.
* A cause is not a place: "… in Palestine", "Palestinian American …". A country after "in",
  "for", "of" … is what the group works on. A leading country ("Mexico Solidarity Network")
  or demonym ("Korean Resource Center") is common for U.S. solidarity and diaspora groups, so
  it only earns a "confirm" flag; so do names that are foreign and U.S. places at once.

`Outside U.S.` is Yes only on positive evidence with no U.S. context; every reason is a short
text for the `Flags` column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

import pycountry
import tldextract

from sync.normalize.places import (
    AMBIGUOUS_COUNTRIES,
    DEMONYMS,
    PALESTINIAN_CITIES,
    PEOPLES,
    cities,
    countries,
    place_key,
    us_postal_codes,
    us_states,
)
from sync.normalize.text import CACHE_SIZE, clean_text

_T = TypeVar("_T")

# Country-code domains widely sold as generic ones: no evidence of where a group is based.
GENERIC_CCTLDS = {"io", "co", "ai", "me", "tv", "ly", "fm", "am", "gg", "sh", "to", "cc", "ws",
                  "la", "is", "so", "nu", "tk", "ms", "vc", "bz"}
US_TLDS = {"us", "edu", "gov", "mil"}
_PREPOSITIONS = {"in", "for", "of", "with", "on", "from", "to", "about", "against", "and",
                 "the", "&", "de", "del", "pour", "fur", "por", "para", "y", "et", "und"}
_US_WORDS = re.compile(
    r"(?<![\w.])(?:U\.S\.A\.?|U\.S\.|USA|US|United States)(?!\w)"
    r"|(?<![Nn]orth |[Ss]outh |[Ll]atin )(?<![Cc]entral )\bAmerica(?:ns?)?\b"
    r"(?! University (?:of|in)\b)"
)
# "Lebanon Valley College", "Bethlehem Lutheran Church": a place in an institution's name.
_INSTITUTIONS = {"college", "university", "church", "congregation", "temple", "synagogue",
                 "masjid", "mosque", "school", "seminary", "parish", "chapel", "cathedral",
                 "academy", "hospital", "center", "centre", "shul", "minyan", "havurah"}
_SEGMENT_SPLIT = re.compile(r"\s*(?:[,;/|]|\s[-–—]\s|:\s)\s*")
_CHAPTER_DASH = re.compile(r"(?<=[a-z])[-–—](?=[A-Z])")  # "CAIR-Chicago"
_PARENTHESES = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_POSTAL_CODE = re.compile(r"(?:^|[\s,])([A-Z]{2}|D\.C\.)(?=$|[\s,;)\d])")
# Postal codes that are everyday words in capitals ("OR", "ME"): no U.S. context alone.
_CODE_WORDS = {"IN", "OR", "ME", "OK", "HI"}
_UNIVERSITY = re.compile(
    r"\b(?:university|universite|universidad|universita|universitat|college|institute)"
    r"\s+(?:of|de|di|du|van|da)\s+(?P<place>.+)$"
)


@dataclass(frozen=True)
class Evidence:
    """Whether the text proves a base outside the U.S., and the flags it earns."""

    outside: bool = False
    reasons: tuple[str, ...] = ()


NO_EVIDENCE = Evidence()


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # The bundled public-suffix snapshot: no network at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=CACHE_SIZE)
def email_country(email: str) -> tuple[str, str] | None:
    """(country name, public suffix) when the email's domain is a country-code domain that
    says where its owner is; None otherwise."""
    _, _, domain = email.rpartition("@")
    if not domain:
        return None
    suffix = _extractor()(domain).suffix
    tld = suffix.rsplit(".", 1)[-1].casefold() if suffix else ""
    if len(tld) != 2 or tld in GENERIC_CCTLDS or tld in US_TLDS:
        return None
    code = "GB" if tld == "uk" else tld.upper()
    country = pycountry.countries.get(alpha_2=code)
    if not country:
        return None
    return getattr(country, "common_name", None) or country.name.split(",")[0], suffix


@lru_cache(maxsize=CACHE_SIZE)
def email_is_us(email: str) -> bool:
    _, _, domain = email.rpartition("@")
    suffix = _extractor()(domain).suffix if domain else ""
    return bool(suffix) and suffix.rsplit(".", 1)[-1].casefold() in US_TLDS


@dataclass(frozen=True)
class _TextFindings:
    strong: tuple[str, ...] = ()   # "Lyon (France)", "France"
    weak: tuple[str, ...] = ()     # "Jordan": names that alone only ask for a look
    us: tuple[str, ...] = ()       # "GA", "USA", "Chicago"


# What almost every text says: one shared answer, rather than one per text in the cache.
_NOTHING_FOUND = _TextFindings()


def _segments(text: str) -> tuple[list[str], list[str]]:
    """(the text's comma/dash segments, what it says in parentheses)."""
    inner = _PARENTHESES.findall(text)
    outer = _PARENTHESES.sub(",", text)
    outer = _CHAPTER_DASH.sub(" - ", outer)
    parts = [p.strip(" .*\"'") for p in _SEGMENT_SPLIT.split(outer)]
    return [p for p in parts if p], [p.strip() for p in inner if p.strip()]


_NOT_A_PLACE = ("", "")


def _place(key: str, *, cities_too: bool = True) -> tuple[str, str]:
    """("foreign"|"us"|"ambiguous"|"", shown name) for a folded text that is a whole place."""
    return _place_tables()[cities_too].get(key, _NOT_A_PLACE)


@lru_cache(maxsize=1)
def _place_tables() -> dict[bool, dict[str, tuple[str, str]]]:
    """`_place`'s answer for every place name, without cities (False) and with (True).

    Built once from the place tables; where a name is in several, the first kind below wins:
    a U.S. state, an ambiguous country, a country, a demonym, a U.S. city, a foreign city.
    """
    us_cities, foreign = cities()
    places: dict[str, tuple[str, str]] = {}
    for key in us_states():
        places.setdefault(key, ("us", key.title()))
    for key in AMBIGUOUS_COUNTRIES:
        places.setdefault(key, ("ambiguous", key.title()))
    for key, shown in countries().items():
        places.setdefault(key, ("foreign", shown))
    for key, country in DEMONYMS.items():
        places.setdefault(key, ("foreign", country))
    with_cities = dict(places)
    for key in us_cities:
        with_cities.setdefault(key, ("us", key.title()))
    for key, country in foreign.items():
        with_cities.setdefault(key, ("foreign", f"{key.title()} ({country})"))
    return {False: places, True: with_cities}


def _trailing_place(words: list[str]) -> tuple[str, str]:
    """A place that ends a segment ("BDS France"), unless a preposition introduces it."""
    for size in (3, 2, 1):
        if len(words) <= size:
            continue
        kind, shown = _place(" ".join(words[-size:]))
        if kind:  # the longest place wins: "of El Salvador" is not "Salvador"
            return (kind, shown) if words[-size - 1] not in _PREPOSITIONS else ("", "")
    return "", ""


@lru_cache(maxsize=CACHE_SIZE)
def _find_places(text: str) -> _TextFindings:
    strong: list[str] = []
    weak: list[str] = []
    # Every U.S. word starts with "U" or is "America…": most texts can skip the search.
    us: list[str] = ([m.group(0) for m in _US_WORDS.finditer(text)]
                     if "U" in text or "America" in text else [])
    codes = us_postal_codes()
    us += [code for code in _POSTAL_CODE.findall(text)
           if code.replace(".", "") in codes and code not in _CODE_WORDS]
    segments, inner = _segments(text)
    for index, segment in enumerate([*segments, *inner]):
        key = place_key(segment)
        words = key.split()
        if not words:
            continue
        # "CAIR", "AMP": an acronym, not a town
        kind, shown = _place(key, cities_too=not (segment.isupper() and len(words) == 1))
        university = _UNIVERSITY.search(key)
        if not kind and university:
            kind, shown = _place(university.group("place"))
        if not kind:
            kind, shown = _trailing_place(words)
        if kind == "us":
            us.append(shown)
        elif kind == "foreign":
            strong.append(shown)
        elif kind == "ambiguous":
            weak.append(shown)
        if index == 0 and words[0] in PEOPLES and len(words) > 1 and words[1] != "american":
            strong.append(f"{words[0].title()} ({PEOPLES[words[0]]})")
        elif index == 0 and not kind and not _INSTITUTIONS & set(words[1:]):
            weak += _leading_place(words)
        elif index == 0 and not kind:
            weak += _leading_city(words)
    if not (strong or weak or us):
        return _NOTHING_FOUND
    return _TextFindings(tuple(dict.fromkeys(strong)), tuple(dict.fromkeys(weak)),
                         tuple(dict.fromkeys(us)))


def _leading_city(words: list[str]) -> list[str]:
    """A foreign city opening a name ("Sydney Peace Foundation", "Tel Aviv University"):
    worth a look, not proof. Palestinian towns open U.S. names as causes ("Gaza Solidarity
    Committee of Ann Arbor")."""
    _, foreign = cities()
    for size in (2, 1):
        head = " ".join(words[:size])
        if len(words) > size and head in foreign and head not in PALESTINIAN_CITIES:
            return [f"{head.title()} ({foreign[head]})"]
    return []


def _leading_place(words: list[str]) -> list[str]:
    """A country, demonym or foreign city opening a name ("Mexico Solidarity Network",
    "Norwegian People's Aid"): worth a look, not proof. "Irish American …" is a U.S. name,
    "Georgia Peace Action" a state's."""
    states, known = us_states(), countries()
    if any(" ".join(words[:size]) in states for size in (1, 2, 3)):
        return []
    for size in (2, 1):
        if len(words) <= size or words[size] in {"american", "americans"}:
            continue
        head = " ".join(words[:size])
        if head in known or head in AMBIGUOUS_COUNTRIES:
            return [known.get(head, head.title())]
        if head in DEMONYMS:
            return [f"{head.title()} ({DEMONYMS[head]})"]
    return _leading_city(words)


def outside_us_evidence(email: str, *texts: str) -> Evidence:
    """Weigh the email and the texts (an organization name, an affiliation)."""
    return _weigh(_email_findings(email), tuple(_text_findings(t) for t in texts if t))


def outside_us_evidence_of_pairs(emails: Iterable[str], texts: Iterable[str]) -> list[Evidence]:
    """`outside_us_evidence(email, text)` for each pair, in order.

    A column of responses repeats its emails' domains and its texts, and most pairs say the
    same few things (usually nothing): each distinct email and text is read once, and each
    distinct combination of what they say is weighed once. What they say is numbered as it
    is first met, so each pair is looked up by two small numbers.
    """
    email_said: _Numbering[_EmailFindings] = _Numbering()
    text_said: _Numbering[tuple[_TextFindings, ...]] = _Numbering()
    by_email: dict[str, int] = {}
    by_text: dict[str, int] = {"": text_said.number(())}
    weighed: dict[tuple[int, int], Evidence] = {}
    out = []
    for email, text in zip(emails, texts, strict=True):
        if email not in by_email:
            by_email[email] = email_said.number(_email_findings(email))
        if text not in by_text:
            by_text[text] = text_said.number((_text_findings(text),))
        pair = (by_email[email], by_text[text])
        if pair not in weighed:
            weighed[pair] = _weigh(email_said.values[pair[0]], text_said.values[pair[1]])
        out.append(weighed[pair])
    return out


class _Numbering(Generic[_T]):
    """Numbers distinct values in the order they are first met."""

    def __init__(self) -> None:
        self.values: list[_T] = []
        self._numbers: dict[_T, int] = {}

    def number(self, value: _T) -> int:
        if value not in self._numbers:
            self._numbers[value] = len(self.values)
            self.values.append(value)
        return self._numbers[value]


@dataclass(frozen=True)
class _EmailFindings:
    us: tuple[str, ...] = ()        # ".edu email"
    abroad: tuple[str, ...] = ()    # "email domain .fr (France)"


def _email_findings(email: str) -> _EmailFindings:
    us = ("." + email.rpartition(".")[2] + " email",) if email_is_us(email) else ()
    by_email = email_country(email)
    return _EmailFindings(us, (f"email domain .{by_email[1]} ({by_email[0]})",)
                          if by_email else ())


def _text_findings(text: str) -> _TextFindings:
    return _find_places(clean_text(text))


def _weigh(by_email: _EmailFindings, found: tuple[_TextFindings, ...]) -> Evidence:
    strong = [s for f in found for s in f.strong]
    weak = [w for f in found for w in f.weak]
    us = [u for f in found for u in f.us] + list(by_email.us)
    evidence = list(by_email.abroad)
    # "Lyon (France)" already says "France"
    shown = " ".join(evidence + strong)
    evidence += [s for s in dict.fromkeys(strong) if shown.count(s) == 1]
    if us and evidence:
        where = ", ".join(dict.fromkeys(us))
        return Evidence(False, (f"outside U.S.?: {', '.join(evidence)}, but U.S. context "
                                f"({where}): confirm U.S. base",))
    if evidence:
        return Evidence(True, (f"outside U.S.: {', '.join(evidence)}",))
    if weak and not us:
        return Evidence(False, (f"outside U.S.?: names {', '.join(dict.fromkeys(weak))}: "
                                "confirm U.S. base",))
    return NO_EVIDENCE
