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
from dataclasses import dataclass
from functools import lru_cache

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


def _segments(text: str) -> tuple[list[str], list[str]]:
    """(the text's comma/dash segments, what it says in parentheses)."""
    inner = re.findall(r"[(\[]([^()\[\]]*)[)\]]", text)
    outer = re.sub(r"[(\[][^()\[\]]*[)\]]", ",", text)
    outer = _CHAPTER_DASH.sub(" - ", outer)
    parts = [p.strip(" .*\"'") for p in _SEGMENT_SPLIT.split(outer)]
    return [p for p in parts if p], [p.strip() for p in inner if p.strip()]


def _place(key: str, *, cities_too: bool = True) -> tuple[str, str]:
    """("foreign"|"us"|"ambiguous"|"", shown name) for a folded text that is a whole place."""
    us_cities, foreign = cities()
    if key in us_states():
        return "us", key.title()
    if key in AMBIGUOUS_COUNTRIES:
        return "ambiguous", key.title()
    if key in countries():
        return "foreign", countries()[key]
    if key in DEMONYMS:
        return "foreign", DEMONYMS[key]
    if not cities_too:
        return "", ""
    if key in us_cities:
        return "us", key.title()
    if key in foreign:
        return "foreign", f"{key.title()} ({foreign[key]})"
    return "", ""


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
    us: list[str] = [m.group(0) for m in _US_WORDS.finditer(text)]
    codes = us_postal_codes()
    us += [code for code in re.findall(r"(?:^|[\s,])([A-Z]{2}|D\.C\.)(?=$|[\s,;)\d])", text)
           if code.replace(".", "") in codes and code not in {"IN", "OR", "ME", "OK", "HI"}]
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
    if any(" ".join(words[:size]) in us_states() for size in (1, 2, 3)):
        return []
    for size in (2, 1):
        if len(words) <= size or words[size] in {"american", "americans"}:
            continue
        head = " ".join(words[:size])
        if head in countries() or head in AMBIGUOUS_COUNTRIES:
            return [countries().get(head, head.title())]
        if head in DEMONYMS:
            return [f"{head.title()} ({DEMONYMS[head]})"]
    return _leading_city(words)


def outside_us_evidence(email: str, *texts: str) -> Evidence:
    """Weigh the email and the texts (an organization name, an affiliation)."""
    found = [_find_places(clean_text(t)) for t in texts if t]
    strong = [s for f in found for s in f.strong]
    weak = [w for f in found for w in f.weak]
    us = [u for f in found for u in f.us]
    if email_is_us(email):
        us.append("." + email.rpartition(".")[2] + " email")
    by_email = email_country(email)
    evidence = [f"email domain .{by_email[1]} ({by_email[0]})"] if by_email else []
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
