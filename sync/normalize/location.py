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
    PEOPLES,
    PROVINCE_CODES,
    cities,
    countries,
    palestine_israel,
    place_key,
    province_shown,
    provinces,
    us_only_cities,
    us_postal_codes,
    us_states,
    us_town_names,
)
from sync.normalize.signs import FOREIGN_PROVIDERS, NAMED_PARTNERS, US_PROVIDERS, name_signs
from sync.normalize.text import CACHE_SIZE, clean_text

_T = TypeVar("_T")

# Country-code domains widely sold as generic ones: no evidence of where a group is based.
GENERIC_CCTLDS = {"io", "co", "ai", "me", "tv", "ly", "fm", "am", "gg", "sh", "to", "cc", "ws",
                  "la", "is", "so", "nu", "tk", "ms", "vc", "bz"}
US_TLDS = {"us", "edu", "gov", "mil"}
_PREPOSITIONS = {"in", "for", "of", "with", "on", "from", "to", "about", "against", "and",
                 "the", "&", "de", "del", "pour", "fur", "por", "para", "y", "et", "und"}
# "Law Society of Ireland", "Federación ... de Honduras": an institution of a country.
_OF = {"of", "de", "del", "di", "du", "da", "do", "des", "della"}
# Words that make what follows a cause: "Committee for Justice in Colombia".
_CAUSE_WORDS = {"for", "with", "solidarity", "friends", "justice", "peace", "people",
                "peoples", "support", "liberation", "freedom", "free", "rights", "boycott",
                "against", "stop", "save", "aid", "relief", "pour", "por", "para", "con"}
_US_WORDS = re.compile(
    r"(?<![\w.])(?:U\.S\.A\.?|U\.S\.|USA|US|United States)(?!\w)"
    r"|(?<![Nn]orth |[Ss]outh |[Ll]atin )(?<![Cc]entral )\bAmerica(?:ns?)?\b"
    r"(?! University (?:of|in)\b)"
)
# "Lebanon Valley College", "Bethlehem Lutheran Church": a place in an institution's name.
_INSTITUTIONS = {"college", "university", "church", "congregation", "temple", "synagogue",
                 "masjid", "mosque", "school", "seminary", "parish", "chapel", "cathedral",
                 "academy", "hospital", "center", "centre", "shul", "minyan", "havurah"}
# What a group named for its city calls itself next: "Sydney Peace Foundation", "Hamilton
# Coalition ..."; a city before anything else is a person's or a street's name ("George
# Washington University", "Saint John's Abbey").
_GROUP_WORDS = {"peace", "solidarity", "coalition", "committee", "campaign", "network",
                "group", "society", "association", "union", "council", "forum", "alliance",
                "collective", "students", "action", "branch", "chapter", "friends",
                "palestine", "palestinian", "stop", "antiwar", "anti", "trades", "labour",
                "jewish", "muslim", "quakers", "greens", "socialists", "women", "youth",
                "bds", "psc", "sjp", "jvp", "for", "against", "foundation", "institute"}
_ACADEMIC = {"university", "college"}
_US_CAMPUSES = {"uc", "csu", "suny", "cuny"}
_CAUSE_PLACES = {"palestine", "israel", "gaza", "west bank", "palestina"}
_SETTLER_DEMONYMS = {"canadian": "Canada", "australian": "Australia", "british": "United Kingdom"}
_SEGMENT_SPLIT = re.compile(r"\s*(?:[,;/|]|\s[-–—]\s|:\s)\s*")
_CHAPTER_DASH = re.compile(r"(?<=[a-z])[-–—](?=[A-Z])(?!American)")  # "CAIR-Chicago"
_HYPHENATED = re.compile(r"[\w'’]+(?:[-–—][\w'’]+)+")
_PARENTHESES = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_POSTAL_CODE = re.compile(r"(?:^|[\s,])([A-Z]{2}|D\.C\.)(?=$|[\s,;)\d])")
# Postal codes that are everyday words in capitals ("OR", "ME"): no U.S. context alone.
_CODE_WORDS = {"IN", "OR", "ME", "OK", "HI", "AS"}
_UNIVERSITY = re.compile(
    r"\b(?:(?:university|college|institute)\s+of"
    r"|(?:universite|universidad|universidade|universita|universitat|universiteit)"
    r"(?:\s+(?:de|di|du|van|da|do))?)\s+(?P<place>.+)$"
)
# What a place name means where it stands: "strong" is a base abroad, "weak" asks for a
# look. Kinds: a country or province, a foreign city (no U.S. namesake, or Palestinian or
# Israeli), a "major" foreign city that dwarfs its U.S. namesakes, one "leaning" abroad,
# a country whose name is also a U.S. place.
_STRENGTH = {
    "place": {"country": "strong", "city": "strong", "major": "weak", "ambiguous": "weak"},
    "university": {"country": "strong", "city": "strong", "major": "strong",
                   "leaning": "weak", "ambiguous": "weak"},
    "of": {"country": "strong", "city": "weak", "major": "weak"},
    "campus": {},  # "UC Santa Cruz": a U.S. campus
    "in": {"country": "weak", "city": "weak", "major": "weak"},
}


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
    """(country name, public suffix or domain) when the email's domain says where its owner
    is: a country-code domain, or a national provider's ("btinternet.com"); None
    otherwise."""
    _, _, domain = email.rpartition("@")
    if not domain:
        return None
    if domain in FOREIGN_PROVIDERS:
        return FOREIGN_PROVIDERS[domain], domain
    suffix = _extractor()(domain).suffix
    tld = suffix.rsplit(".", 1)[-1].casefold() if suffix else ""
    if len(tld) != 2 or tld in GENERIC_CCTLDS or tld in US_TLDS:
        return None
    code = "GB" if tld == "uk" else tld.upper()
    country = pycountry.countries.get(alpha_2=code)
    if not country or code in {"PR", "GU", "VI", "AS", "MP", "UM"}:
        return None
    return getattr(country, "common_name", None) or country.name.split(",")[0], suffix


@lru_cache(maxsize=CACHE_SIZE)
def email_is_us(email: str) -> bool:
    _, _, domain = email.rpartition("@")
    if domain in US_PROVIDERS:
        return True
    suffix = _extractor()(domain).suffix if domain else ""
    return bool(suffix) and suffix.rsplit(".", 1)[-1].casefold() in US_TLDS


@dataclass(frozen=True)
class _TextFindings:
    strong: tuple[str, ...] = ()   # "Lyon (France)", "France"
    weak: tuple[str, ...] = ()     # "Jordan": names that alone only ask for a look
    us: tuple[str, ...] = ()       # "GA", "USA", "Chicago"


# What almost every text says: one shared answer, rather than one per text in the cache.
_NOTHING_FOUND = _TextFindings()


def _segments(text: str) -> list[list[str]]:
    """The text's comma/dash segments, then those of what it says in each parentheses."""
    inner = _PARENTHESES.findall(text)
    outer = _HYPHENATED.sub(_split_chapter, _PARENTHESES.sub(",", text))
    out = []
    for part in (outer, *inner):
        pieces = [p.strip(" .*\"'") for p in _SEGMENT_SPLIT.split(part)]
        if any(pieces):
            out.append([p for p in pieces if p])
    return out


def _split_chapter(match: re.Match[str]) -> str:
    """ "Cair-Chicago" → "Cair - Chicago", but "Port-au-Prince" stays a city."""
    word = match.group(0)
    if _place(place_key(word))[0]:
        return word
    return _CHAPTER_DASH.sub(lambda dash: _chapter_dash(word, dash), word)


def _chapter_dash(word: str, dash: re.Match[str]) -> str:
    """A dash between an acronym and a place splits a chapter off ("CAIR-Chicago"); one in
    a compound name does not ("Dartmouth-Hitchcock")."""
    left, right = word[:dash.start()], word[dash.end():]
    left_word = re.split(r"[-–—\s]", left)[-1]
    right_word = re.split(r"[-–—\s]", right)[0]
    if left_word.isupper() or _place(place_key(right_word))[0]:
        return " - "
    return dash.group(0)


_NOT_A_PLACE = ("", "")


def _place(key: str, *, cities_too: bool = True) -> tuple[str, str]:
    """(kind, shown name) for a folded text that is a whole place; kind is "us" or one of
    `_STRENGTH`'s kinds, "" when the text is no place."""
    return _place_tables()[cities_too].get(key, _NOT_A_PLACE)


@lru_cache(maxsize=1)
def _place_tables() -> dict[bool, dict[str, tuple[str, str]]]:
    """`_place`'s answer for every place name, without cities (False) and with (True).

    Built once from the place tables; where a name is in several, the first kind below wins:
    a U.S. state, an ambiguous country, a country, a province, a demonym, a U.S.-only city,
    a foreign city.
    """
    _, foreign = cities()
    places: dict[str, tuple[str, str]] = {}
    for key in us_states():
        places.setdefault(key, ("us", key.title()))
    for key in AMBIGUOUS_COUNTRIES:
        places.setdefault(key, ("ambiguous", key.title()))
    for key, shown in countries().items():
        places.setdefault(key, ("country", shown))
    for key, kind_shown in provinces().items():
        places.setdefault(key, kind_shown)
    for key, country in DEMONYMS.items():
        places.setdefault(key, ("country", country))
    with_cities = dict(places)
    for key in us_only_cities():
        with_cities.setdefault(key, ("us", key.title()))
    for key, (kind, country) in foreign.items():
        with_cities.setdefault(key, (kind, f"{key.title()} ({country})"))
    return {False: places, True: with_cities}


def _longest_place(words: list[str], *, at_start: bool) -> tuple[str, str, int]:
    """The longest place (3 words down to 1) that opens (`at_start`) or ends `words`:
    (kind, shown, its length); "of El Salvador" is not "Salvador"."""
    for size in (3, 2, 1):
        if len(words) < size:
            continue
        kind, shown = _place(" ".join(words[:size] if at_start else words[-size:]))
        if kind:
            return kind, shown, size
    return "", "", 0


def _is_us_marker(segment: str) -> bool:
    """A segment that is a U.S. state, its postal code in capitals ("IN" too), or a place
    with its state ("Rochester NY")."""
    if not segment:
        return False
    stripped = segment.strip(" .")
    return (place_key(stripped) in us_states()
            or (stripped.isupper() and stripped.replace(".", "") in us_postal_codes())
            or _ends_in_state(stripped, place_key(stripped).split()))


def _ends_in_state(segment: str, words: list[str]) -> bool:
    """ "Lebanon NH", "dublin ohio": a place resolved by the state after it."""
    if len(words) < 2 or not _could_be_state(words[-1]):
        return False
    last = segment.split()[-1].strip(".,")
    return ((last.isupper() and last.replace(".", "") in us_postal_codes())
            or any(" ".join(words[-n:]) in us_states() for n in (1, 2) if len(words) > n))


@lru_cache(maxsize=1)
def _state_words() -> frozenset[str]:
    """Every word that ends a U.S. state's name or is a postal code, folded."""
    return frozenset({k.split()[-1] for k in us_states()}
                     | {c.casefold() for c in us_postal_codes()} | {"dc"})


def _could_be_state(word: str) -> bool:
    return word in _state_words()


class _Found:
    """What one text says, gathered segment by segment."""

    def __init__(self) -> None:
        self.strong: list[str] = []
        self.weak: list[str] = []
        self.us: list[str] = []

    def add(self, position: str, kind: str, shown: str) -> None:
        if kind == "us":
            self.us.append(shown)
            return
        strength = _STRENGTH[position].get(kind, "")
        if strength == "strong":
            self.strong.append(shown)
        elif strength == "weak":
            self.weak.append(f"names {shown}")


@lru_cache(maxsize=CACHE_SIZE)
def _find_places(text: str) -> _TextFindings:
    found = _Found()
    # Every U.S. word starts with "U" or is "America…": most texts can skip the search.
    if "U" in text or "America" in text:
        found.us += [m.group(0) for m in _US_WORDS.finditer(text)]
    codes = us_postal_codes()
    found.us += [code for code in _POSTAL_CODE.findall(text)
                 if code.replace(".", "") in codes and code not in _CODE_WORDS]
    for group, segments in enumerate(_segments(text)):
        for index, segment in enumerate(segments):
            after = segments[index + 1] if index + 1 < len(segments) else ""
            # each name opens a segment: "B'Tselem - The Israeli Information Center"
            opens = group == 0 and (index == 0 or segment[:4].casefold() == "the ")
            _read_segment(found, segment, after, first=opens, later=index > 0,
                          inner=group > 0)
    words = place_key(text).split()
    signs = name_signs(words)
    if signs and "name in another language" in signs:  # "Los Angeles" is no Spanish name
        signs = name_signs(_without_us_places(words))
    found.weak += signs
    if not (found.strong or found.weak or found.us):
        return _NOTHING_FOUND
    return _TextFindings(tuple(dict.fromkeys(found.strong)), tuple(dict.fromkeys(found.weak)),
                         tuple(dict.fromkeys(found.us)))


def _without_us_places(words: list[str]) -> list[str]:
    """The words, without the U.S. places among them ("Los Angeles" is no Spanish name)."""
    us_places = cities()[0]
    out: list[str] = []
    at = 0
    while at < len(words):
        size = next((n for n in (3, 2) if " ".join(words[at:at + n]) in us_places), 1)
        if size == 1:
            out.append(words[at])
        at += size
    return out


def _read_segment(found: _Found, segment: str, after: str, *, first: bool, later: bool,
                  inner: bool) -> None:
    """Add what one segment says; `after` is the segment that follows it."""
    key = place_key(segment)
    words = key.split()
    if not words:
        return
    if key in NAMED_PARTNERS:
        found.strong.append(f"{segment} (Palestine)")
        return
    if inner and key in _CAUSE_PLACES:  # "Stop the Wall (Palestine)": where, not a cause
        found.strong.append(segment)
        return
    if later and segment.strip(" .") in PROVINCE_CODES:  # "Richmond, BC"
        found.strong.append(province_shown(segment.strip(" .")))
        return
    if _ends_in_state(segment, words):  # "Lebanon NH"
        found.us.append(segment)
        return
    if _is_us_marker(after):  # "Paris, TX", "Nazareth College, Rochester NY"
        if _place(key)[0]:
            found.us.append(f"{segment}, {after}")
        return
    acronym = segment.isupper() and len(words) == 1  # "CAIR", "AMP": not a town
    kind, shown = _place(key, cities_too=not acronym)
    if kind:
        region, where = _place(place_key(after))
        if kind in {"major", "leaning"} and region in {"country", "major"}:
            found.strong.append(f"{segment}, {where}")  # "London, Ontario (Canada)"
        else:
            found.add("place", kind, shown)
        return
    university = _UNIVERSITY.search(key)
    if university:
        kind, shown, _ = _longest_place(university.group("place").split(), at_start=True)
        if kind:
            found.add("university", kind, shown)
    _read_prepositions(found, words)
    trailing, shown, size = _longest_place(words, at_start=False)
    last_typed = segment.split()[-1] if segment.split() else ""
    if (trailing and len(words) > size and words[-size - 1] not in _PREPOSITIONS
            and not (trailing != "country" and last_typed.isupper() and len(last_typed) <= 4)):
        # "BDS France", not "... at UGA", nor "UC Santa Cruz"
        found.add("campus" if words[-size - 1] in _US_CAMPUSES else "place", trailing, shown)
    if first:
        if words[0] == "the" and len(words) > 1:
            segment, words = segment.split(None, 1)[1], words[1:]
        _read_opening(found, segment, words)
    if not segment.split()[0].isupper():  # "Birzeit University", not "CAIR …"
        _read_leading_city(found, words, academic_only=not first)


def _read_prepositions(found: _Found, words: list[str]) -> None:
    """A place after "of"/"de" (an institution of a country) or "in" (work in a place);
    after "for", "with" or a cause word it is what the group works on."""
    for at, word in enumerate(words[:-1]):
        position = "of" if word in _OF else "in" if word == "in" else ""
        if not position or _CAUSE_WORDS & set(words[:at]):
            continue
        if position == "of" and at and words[at - 1] in {"university", "college"}:
            continue  # read as a university
        kind, shown, size = _longest_place(words[at + 1:], at_start=True)
        if kind and at + 1 + size == len(words):
            found.add(position, kind, shown)


def _read_opening(found: _Found, segment: str, words: list[str]) -> None:
    """What the name opens with: a people ("Danes for …", strong), "<people> Canadian"
    (strong), a country, demonym or city (a look)."""
    if len(words) > 1 and words[0] in PEOPLES and words[1] != "american":
        found.strong.append(f"{words[0].title()} ({PEOPLES[words[0]]})")
        return
    if len(words) > 2 and words[1] in _SETTLER_DEMONYMS and words[0].endswith(("an", "sh")):
        found.strong.append(f"{words[0].title()} {words[1].title()} "
                            f"({_SETTLER_DEMONYMS[words[1]]})")
        return
    if not _INSTITUTIONS & set(words[1:]):
        found.weak += _leading_place(words)


def _read_leading_city(found: _Found, words: list[str], *, academic_only: bool) -> None:
    """A foreign city opening a name: "Tel Aviv University" (its university), "Sydney Peace
    Foundation" (a look). Palestinian towns open U.S. names as causes ("Gaza Solidarity
    Committee of Ann Arbor"), unless a university follows ("Birzeit University")."""
    _, foreign = cities()
    palestinian = palestine_israel()
    for size in (2, 1):
        head = " ".join(words[:size])
        if len(words) <= size or head not in foreign:
            continue
        kind, country = foreign[head]
        shown = f"{head.title()} ({country})"
        if words[size] in _ACADEMIC:  # "Nazareth College" is in Rochester, NY
            found.add("university", "leaning" if head in us_town_names() else kind, shown)
        elif (words[size] in _GROUP_WORDS and head not in palestinian and kind != "leaning"
              and not academic_only):
            found.weak.append(f"names {shown}")
        return


def _leading_place(words: list[str]) -> list[str]:
    """A country or demonym opening a name ("Mexico Solidarity Network", "Norwegian
    People's Aid"): worth a look, not proof. "Irish American …" is a U.S. name,
    "Georgia Peace Action" a state's."""
    states, known = us_states(), countries()
    if any(" ".join(words[:size]) in states for size in (1, 2, 3)):
        return []
    for size in (2, 1):
        if len(words) <= size or words[size] in {"american", "americans"}:
            continue
        head = " ".join(words[:size])
        if head in known or head in AMBIGUOUS_COUNTRIES:
            return [f"names {known.get(head, head.title())}"]
        if head in DEMONYMS:
            return [f"names {head.title()} ({DEMONYMS[head]})"]
    return []


def outside_us_evidence(email: str, *texts: str) -> Evidence:
    """Weigh the email and the texts (an organization name, an affiliation)."""
    return _weigh(_email_findings(email), tuple(_text_findings(t) for t in texts if t))


def outside_us_evidence_of_pairs(emails: Iterable[str], texts: Iterable[str],
                                 more: Iterable[str] | None = None) -> list[Evidence]:
    """`outside_us_evidence(email, text[, more text])` for each pair, in order (`more`: a
    second text per pair, such as the scope's "Other:" answer).

    A column of responses repeats its emails' domains and its texts, and most pairs say the
    same few things (usually nothing): each distinct email and text is read once, and each
    distinct combination of what they say is weighed once. What they say is numbered as it
    is first met, so each pair is looked up by two small numbers.
    """
    email_said: _Numbering[_EmailFindings] = _Numbering()
    text_said: _Numbering[tuple[_TextFindings, ...]] = _Numbering()
    by_email: dict[str, int] = {}
    by_text: dict[tuple[str, str], int] = {("", ""): text_said.number(())}
    weighed: dict[tuple[int, int], Evidence] = {}
    out = []
    texts = list(texts)
    seconds = [""] * len(texts) if more is None else list(more)
    for email, text, second in zip(emails, texts, seconds, strict=True):
        if email not in by_email:
            by_email[email] = email_said.number(_email_findings(email))
        if (text, second) not in by_text:
            by_text[text, second] = text_said.number(
                tuple(_text_findings(t) for t in (text, second) if t))
        pair = (by_email[email], by_text[text, second])
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
        return Evidence(False, (f"outside U.S.?: {', '.join(dict.fromkeys(weak))}: "
                                "confirm U.S. base",))
    return NO_EVIDENCE
