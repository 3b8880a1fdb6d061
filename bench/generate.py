"""Seeded, realistic sign-on form exports at any size, streamed row by row.

The output is exactly what Google Forms gives with "Download responses (.csv)" for the seed
form (examples/form-responses.csv): the same ten headers, `M/D/YYYY H:MM:SS` timestamps in
order. The mix is what a real petition collects:

* organizations, most signing once, some several times in other spellings (all caps, all
  lower case, "The …", an acronym in parentheses, stray punctuation and spacing);
* individuals with titles in the first-name box ("Rabbi", "Rev. Dr.", "Mr."), names typed
  in one case, affiliations with "(for identification purposes only)";
* the same email answering again later (a correction or a double submit);
* signers outside the U.S. (country-code email domains, "International" scope);
* junk: test entries, blank responses, "N/A" answers.

Rows are produced one at a time from one `random.Random(seed)`, so a million responses
never sit in memory and the same seed always gives the same bytes.

    python -m bench.generate 100000 /tmp/signer-sync-bench/responses-100k.csv --seed 8
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import random
from collections.abc import Iterator
from pathlib import Path

from sync.fields import FIELDS

HEADERS = list(FIELDS.values())
START = dt.datetime(2021, 10, 15, 9, 0, 0)
SPAN_DAYS = 45

_PLACES = ("Chicago", "Boston", "Oakland", "Detroit", "Austin", "Seattle", "Brooklyn",
           "Philadelphia", "Tucson", "Minneapolis", "Atlanta", "Denver", "Portland", "Dearborn",
           "Albuquerque", "Madison", "Richmond", "Baltimore", "Cleveland", "Sacramento",
           "Dublin", "Ann Arbor", "Paterson", "Miami", "New Haven", "Pittsburgh")
_CAUSES = ("Justice in Palestine", "Peace", "Palestinian Rights", "Human Rights", "Peace and "
           "Justice", "Faith and Justice", "Workers' Rights", "Immigrant Rights",
           "Racial Justice", "Climate Justice", "Solidarity", "Liberation")
_KINDS = ("Coalition for", "Committee for", "Alliance for", "Network for", "Friends of",
          "Students for", "Jewish Voice for", "Muslims for", "Christians for", "Labor for",
          "Veterans for", "Healthcare Workers for", "Teachers for", "Lawyers for")
_SUFFIXES = ("", "", "", " Chapter", " Collective", " Project", " Circle", " Caucus")
_ACRONYM_EVERY = 4  # one organization in four is also written with its acronym

_FIRST = ("Miriam", "Daniel", "Leila", "Hannah", "Tobi", "Ameer", "Priya", "Colin", "Noa",
          "Yasmin", "Omar", "Jane", "Maria", "Kevin", "James", "Carol", "José", "Zoë", "Rasha",
          "Marisol", "Michael", "Anna", "Rebecca", "Samira", "Gwendolyn", "Thomas", "Eli",
          "Mary", "Greg", "Hatem", "Sean", "Janelle", "Joshua", "Lucía", "Nadia", "Ann",
          "Frank", "Tasha", "Hiba", "John", "Erin", "Brandon", "Patrick", "Denise", "Kathleen",
          "Salma", "deShawn", "Catherine", "Hendrik", "Ariel")
_LAST = ("Feldstein", "Kaplan", "Haddad", "Whitcomb", "Okafor", "Khalil", "Raman", "Brennan",
         "Birnbaum", "Odeh", "Siddiqui", "Dorsey", "Lopez", "O'Neill", "Whitaker", "Ashby",
         "Nuñez", "Martin-Leclerc", "al-Sayed", "Greene", "Stern", "Kowalski", "Goldman",
         "Nasser", "Baker", "Pell", "Rosen", "Callahan", "Ortiz", "Barakat", "McDonald",
         "Price", "Levinthal", "Morales", "Khoury", "Westbrook", "Delgado", "Mansour",
         "Pereira", "Walsh", "Williams", "Doyle", "Holmberg", "van der Berg", "Summers")
_TITLES = ("Rabbi", "Rev.", "Rev. Dr.", "Dr.", "Prof.", "Imam", "Sister", "Father", "Pastor",
           "Mr.", "Ms.", "Mx.")
_ROLES = ("Professor of History", "Organizer", "Teacher", "Registered Nurse", "Attorney",
          "Social Worker", "PhD Candidate", "Pediatrician", "Retired teacher", "Board Member")
_SCOPES = ("National", "Regional", "State", "Local", "Local", "Local", "Campus",
           "Nation-wide", "Other: citywide", "")
_US_DOMAINS = ("example.org", "example.com", "example.net", "example.edu", "example.us")
_FOREIGN_DOMAINS = ("example.ie", "example.co.uk", "example.de", "example.ca", "example.fr",
                    "example.org.za", "example.com.au", "example.ps")
_PARTNERS = ("", "", "", "Al-Haq and Addameer", "DCI-P", "Visited UAWC on a delegation",
             "Sabeel", "Union of Palestinian Women's Committees (UPWC)", "Bisan; Al-Haq")
_AUTHORIZED = ("Yes", "Yes", "Yes", "No", "")
_INDIVIDUAL = "Not applicable - signing as an individual"
_AMPLIFY = ("Yes", "Yes", "Maybe", "No", "")
_JUNK = (("test", "Test", "test"), ("asdf", "asdf", "asdf"), ("", "", ""), ("N/A", "", ""))

# Shares of the mix, in percent of responses.
ORG_SHARE, FOREIGN_SHARE, DUPLICATE_SHARE, JUNK_SHARE = 45, 4, 8, 2


def organization_name(number: int) -> str:
    """The `number`-th distinct organization: place × kind × cause × suffix, then numbered."""
    place = _PLACES[number % len(_PLACES)]
    rest = number // len(_PLACES)
    kind = _KINDS[rest % len(_KINDS)]
    rest //= len(_KINDS)
    cause = _CAUSES[rest % len(_CAUSES)]
    rest //= len(_CAUSES)
    suffix = _SUFFIXES[rest % len(_SUFFIXES)]
    rest //= len(_SUFFIXES)
    base = f"{place} {kind} {cause}{suffix}"
    return base if not rest else f"{base} {rest + 1}"


def _acronym(name: str) -> str:
    return "".join(w[0] for w in name.replace("-", " ").split() if w[0].isalpha()).upper()


def spelling_variant(number: int, rng: random.Random) -> str:
    """How a respondent might type organization `number`: mostly as is, sometimes mangled."""
    name = organization_name(number)
    pick = rng.randrange(10)
    if pick == 0:
        return name.upper()
    if pick == 1:
        return name.lower()
    if pick == 2:
        return f"The {name}"
    if pick == 3:
        return f"  {name} ,"
    if pick == 4 and number % _ACRONYM_EVERY == 0:
        return f"{name} ({_acronym(name)})"
    return name


def _timestamp(moment: dt.datetime) -> str:
    """Google Forms' export format: no leading zeros on month, day or hour."""
    return f"{moment.month}/{moment.day}/{moment.year} {moment.hour}:{moment:%M:%S}"


def _person(rng: random.Random, number: int) -> tuple[str, str, str]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    if rng.random() < 0.25:
        first = f"{rng.choice(_TITLES)} {first}"
    case = rng.randrange(12)
    if case == 0:
        first, last = first.upper(), last.upper()
    elif case == 1:
        first, last = first.lower(), last.lower()
    local = f"{first.split()[-1]}.{last}.{number}".casefold().replace(" ", "").replace("'", "")
    return first, last, local


def responses(count: int, seed: int = 8) -> Iterator[list[str]]:
    """`count` response rows (no header), in submission order."""
    rng = random.Random(seed)
    organizations = max(20, count // 4)
    step = dt.timedelta(days=SPAN_DAYS) / max(count, 1)
    earlier: list[list[str]] = []  # a bounded reservoir of past answers to resubmit
    for index in range(count):
        when = _timestamp(START + step * index + dt.timedelta(seconds=rng.randrange(60)))
        roll = rng.randrange(100)
        if roll < JUNK_SHARE:
            org, first, last = rng.choice(_JUNK)
            email = "" if not first and not org else f"test{index}@example.com"
            yield [when, email, org, "", first, last, "", "", "", ""]
            continue
        if roll < JUNK_SHARE + DUPLICATE_SHARE and earlier:
            again = list(rng.choice(earlier))
            again[0] = when
            if rng.random() < 0.5:
                again[8] = rng.choice(_AMPLIFY)
            yield again
            continue
        first, last, local = _person(rng, index)
        foreign = rng.randrange(100) < FOREIGN_SHARE
        domain = rng.choice(_FOREIGN_DOMAINS if foreign else _US_DOMAINS)
        email = f"{local}@{domain}"
        if rng.random() < 0.05:
            email = f"  {email.upper()} "
        affiliation = ""
        if roll < JUNK_SHARE + DUPLICATE_SHARE + ORG_SHARE:
            # a skewed pick: a few big organizations get many sign-ons
            number = int(organizations * rng.random() ** 2)
            org = spelling_variant(number, rng)
            scope = "International" if foreign and rng.random() < 0.5 else rng.choice(_SCOPES)
            authorized = rng.choice(_AUTHORIZED)
            if rng.random() < 0.3:
                affiliation = f"{rng.choice(_ROLES)}, {org.strip(' ,')}"
        else:
            org, scope, authorized = "", "", _INDIVIDUAL
            pick = rng.randrange(4)
            if pick == 0:
                affiliation = f"{rng.choice(_ROLES)}, {organization_name(rng.randrange(500))}"
            elif pick == 1:
                affiliation = (f"{rng.choice(_ROLES)}, {rng.choice(_PLACES)} "
                               "(for identification purposes only)")
            elif pick == 2:
                affiliation = rng.choice(("N/A", "none", "self", ""))
        row = [when, email, org, scope, first, last, affiliation, authorized,
               rng.choice(_AMPLIFY), rng.choice(_PARTNERS)]
        if len(earlier) < 1000:
            earlier.append(row)
        else:
            earlier[rng.randrange(1000)] = row
        yield row


def write_export(path: Path, count: int, seed: int = 8, keep: int | None = None) -> Path:
    """Write a form export of `count` responses to `path` (UTF-8, like Google's); with
    `keep`, only its first `keep` responses (the same sheet, earlier in the day)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(itertools.islice(responses(count, seed), keep))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="number of responses")
    parser.add_argument("path", type=Path, help="where to write the csv")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    write_export(args.path, args.count, args.seed)


if __name__ == "__main__":
    main()
