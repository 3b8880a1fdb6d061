"""Organization names: cleaning, keys, clusters of spellings, canonical names.

Clustering follows OpenRefine's key-collision methods and adds what a sign-on list needs:

1. one node per identity key (org_parse): case, accents, punctuation, word order and the
   words that do not change identity folded ("The Riverside Church (NYC)", "SEIU Local 1021"
   / "Local 1021 SEIU");
2. spacing variants ("MoveOn" / "Move On"), the identity words run together;
3. a fuzzy pass for typos: within a block of names that share all their words but one
   (word order ignored, like token_sort_ratio), rapidfuzz finds the odd words one edit apart
   (two for long words), and a guard keeps two real words apart ("Austin" / "Tustin");
4. structure (org_joins): a trailing country, an organizational email domain, and acronyms
   with the rest of the name the same ("SJP UCLA" / "Students for Justice in Palestine at
   UCLA"), by Schwartz & Hearst matching (acronyms);
5. staff aliases (variant → canonical) from the job file and the `Aliases` tab;
6. near matches not joined are kept as suggestions (`OrgClusters.near`).

A chapter never merges into its parent: "Democratic Socialists of America - Boston" has a
word the parent lacks, which no step above accepts (hence no token_set_ratio, which scores
100 on subsets).
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from sync.normalize import org_joins
from sync.normalize.acronyms import acronym_letters
from sync.normalize.org_parse import parse_org
from sync.normalize.places import cities, countries, us_states
from sync.normalize.text import CACHE_SIZE, clean_text, fold, is_blankish, is_single_case

SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on",
               "or", "the", "to", "with", "de", "la", "del", "y", "en"}
KNOWN_ACRONYMS = {"us", "usa", "u.s.", "u.s.a.", "uk", "nyc", "dc", "lgbtq", "lgbtqia",
                  "bds", "sjp", "jvp", "afsc", "fcnl", "cair", "dsa", "ucla", "suny",
                  "ngo", "aclu", "naacp", "uaw", "seiu", "afl-cio", "cwa", "ufcw", "nlg", "ywca",
                  "ymca", "uscpr", "amp", "cjp", "mit", "nyu", "usc", "ucsd", "ucc", "elca",
                  "umc", "pcusa", "md", "rn", "ceo", "uc", "vfp", "wilpf", "pym", "aroc",
                  "uspcn", "mcc", "ccr", "ue", "ipsc", "psc", "ijv", "apan", "cuny", "lgbt"}
# Words with a casing of their own.
SPECIAL_CASING = {"phd": "PhD", "ph.d.": "Ph.D.", "ph.d": "Ph.D", "codepink": "CODEPINK",
                  "ifnotnow": "IfNotNow", "moveon": "MoveOn", "mpower": "MPower",
                  "mcdonald's": "McDonald's", "youtube": "YouTube", "iphone": "iPhone"}
# "Inc." and "U.S." end in a period that belongs to them.
_KEEP_PERIOD = {"inc", "co", "ltd", "corp", "jr", "sr", "st", "dept", "assn", "bros", "intl"}
_PUNCT = re.compile(r"[^\w\s]")
_NOT_KEY = re.compile(r"[^\w\s-]")
_VOWEL = re.compile(r"[aeiouy]")
_WORD_PARTS = re.compile(r"([-/(\"“])")
_WEB_SUFFIX = re.compile(r"(?<=\w)\.(?:org|com|net)\b")
_INNER_MARK = re.compile(r"(?<=\w)[.'’](?=\w)")
_WORD_SPLIT = re.compile(r"[\s\-–—/]+")
_PAREN_TAIL = re.compile(r"^(?P<base>.*?\S)\s*[(\[](?P<inner>[^()\[\]]+)[)\]]$")
_CHUNK = 1000  # rows of the score matrix at a time, so a big block stays small in memory


def clean_org(name: str) -> str:
    """What an organization answer says, tidied; "" when it says nothing."""
    text = clean_text(name)
    while text != (text := text.strip(" ,;:")) or (
            text.endswith(".") and not period_belongs(text) and (text := text[:-1])):
        pass
    if is_blankish(text) or not any(c.isalnum() for c in text):
        return ""
    return recase_title(text)


# Answers to "Organization Name" that say there is none: the respondent signs as a person.
NOT_AN_ORGANIZATION = {
    "individual", "an individual", "as an individual", "signing as an individual", "me",
    "independent", "personal", "private citizen", "citizen", "unaffiliated", "no organization",
    "no org", "not applicable", "none individual", "just me", "self-employed", "individually",
}


def clean_organization_answer(answer: str) -> str:
    """An "Organization Name" answer: `clean_org`, and "" for "Individual", "Unaffiliated"…"""
    name = clean_org(answer)
    key = _NOT_KEY.sub("", fold(name)).replace(" - ", " ").strip()
    return "" if key in NOT_AN_ORGANIZATION else name


def period_belongs(text: str) -> bool:
    last = text.rsplit(" ", 1)[-1]
    return "." in last[:-1] or last[:-1].casefold() in _KEEP_PERIOD or len(last) == 2


def recase_title(text: str) -> str:
    """Title case for text typed in one case: small words lower, acronyms upper.

    A lone word typed in capitals stays as typed: it is an acronym or a brand ("CODEPINK").
    So do the short words of a short name in capitals that holds an acronym or a number:
    "UTEP SJP", "MIT CAA", "GEO 3550" (not "Utep SJP").
    """
    if not is_single_case(text):
        return text
    words = text.split(" ")
    if len(words) == 1 and text.isupper():
        return text
    short_caps = text.isupper() and len(words) <= 3 and any(
        w.strip("(),;:\"'").lower() in KNOWN_ACRONYMS or w.isdigit() for w in words)
    out = []
    for index, word in enumerate(words):
        lower = word.lower()
        bare = lower.strip("(),;:\"'")
        if short_caps and bare.isalpha() and len(bare) <= 4 and bare not in SMALL_WORDS \
                and bare != "of" and not is_place_word(bare):
            out.append(word)
        elif bare == "la" and index == len(words) - 1:
            out.append(word.upper())  # "Teacher, LA" (Los Angeles); "de la" inside a name
        elif bare in SPECIAL_CASING:
            out.append(word.lower().replace(bare, SPECIAL_CASING[bare]))
        elif bare in KNOWN_ACRONYMS or (len(bare) > 1 and bare.isalpha()
                                      and not _VOWEL.search(bare)):
            out.append(word.upper())
        elif index and bare in SMALL_WORDS:
            out.append(lower)
        else:
            out.append(_capitalize(lower))
    return " ".join(out)


def _capitalize(word: str) -> str:
    """"women's" → "Women's", "jewish-muslim" → "Jewish-Muslim", "(bay" → "(Bay"."""
    parts = _WORD_PARTS.split(word)
    # title(), not upper(): a first letter with no capital of its own ("ß") becomes "Ss",
    # not "SS", which a second pass would read as capitals and recase again
    return "".join(part[:1].title() + part[1:] for part in parts)


# Words that never tell two organizations apart: "Students for Justice in Palestine at UCLA"
# is "… - UCLA", "The Sunrise Movement" is "Sunrise Movement".
_FILLER = {"the", "at"}


@lru_cache(maxsize=CACHE_SIZE)
def name_tokens(name: str) -> tuple[str, ...]:
    """Folded words of a name: "&" read as "and", a web address's ".org" dropped
    ("MoveOn.org"), filler words dropped."""
    text = fold(clean_text(name)).replace("&", " and ")
    text = _WEB_SUFFIX.sub("", text)
    text = _INNER_MARK.sub("", text)  # U.S.A. → USA, Women's → Womens
    # Interned: the cache holds hundreds of thousands of names made of far fewer words.
    words = [sys.intern(word) for word in _PUNCT.sub(" ", text).split()]
    kept = tuple(w for w in words if w not in _FILLER)
    return kept or tuple(words)


def fingerprint(name: str) -> str:
    """OpenRefine's fingerprint key: folded, punctuation gone, words sorted and unique."""
    return " ".join(sorted(set(name_tokens(name))))


def spacing_key(name: str) -> str:
    """The key for spacing variants ("MoveOn" / "Move On" / "Move-On"): the folded words
    run together.

    OpenRefine's n-gram fingerprint keeps the sorted set of character n-grams, which makes
    long names collide ("Democratic Socialists of Balington" / "… of Batington" have the
    same bigrams); keeping the characters in order has no such collisions.
    """
    return "".join(name_tokens(name))


_NOT_LETTERS = re.compile(r"[^A-Za-z]")


def _initials(words: Iterable[str], *, skip_small: bool) -> str:
    return "".join(initial for initial, small in map(_initial, words)
                   if not (skip_small and small)).upper()


@lru_cache(maxsize=CACHE_SIZE)
def _initial(word: str) -> tuple[str, bool]:
    """What one word gives its name's initials, and whether it is a small word.

    Cached: names share most of their words, and every acronym pass spells initials."""
    letters = _NOT_LETTERS.sub("", word)
    if not letters:
        return "", False
    # "US Campaign …", "U.S. Campaign …": a word in capitals gives all its letters.
    initial = letters if letters.isupper() and len(letters) <= 3 else letters[0]
    return initial, letters.casefold() in SMALL_WORDS


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(c in letters for c in short)


def split_acronym(name: str) -> tuple[str, str]:
    """("Friends Committee on National Legislation", "FCNL") for a name followed by its
    acronym in parentheses; (name, "") otherwise. "(UK)" after a name is not its acronym."""
    if ")" not in name and "]" not in name:  # most names: no need to run the pattern
        return name, ""
    match = _PAREN_TAIL.match(name)
    if not match:
        return name, ""
    base, inner = match.group("base").rstrip(" ,-–—"), match.group("inner").strip()
    first = inner.split(" ")[0]
    letters = first.replace(".", "")
    if not (2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()):
        return name, ""
    words = _WORD_SPLIT.split(base)
    everything = _initials(words, skip_small=False)
    if letters[0] == everything[:1] and _is_subsequence(letters, everything):
        return base, letters
    return name, ""


def is_bare_acronym(name: str) -> bool:
    letters = name.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()


def canonical_name(counts: Mapping[str, int]) -> str:
    """The printed name of a cluster from its spellings' counts (in the order typed).

    Each spelling is read without its acronym definition and descriptive parentheses
    ("Friends Committee on National Legislation (FCNL)", "Al-Haq (Ramallah)", "FLIC -
    Florida Immigrant Coalition"). The full name beats a form with an acronym in it ("Boston
    DSA", "MAP UK"), mixed case beats one case, then the most common (spellings of one name
    count together), then accents kept ("Unión" over "Union"), then the first typed.
    """
    if not counts:
        return ""
    if len(counts) == 1:
        only = next(iter(counts))
        return parse_org(only).display or only
    order = {v: i for i, v in enumerate(counts)}
    parsed = {v: parse_org(v) for v in counts}
    shown = {v: parsed[v].display or v for v in counts}
    by_key: Counter[str] = Counter()
    for spelling, count in counts.items():
        by_key[parsed[spelling].key] += count
    best = min(counts, key=lambda v: (
        is_bare_acronym(shown[v]), _acronyms_in(parsed[v].words),
        is_single_case(shown[v]) and " " in shown[v], -by_key[parsed[v].key],
        shown[v].isascii(), order[v]))
    return shown[best]


def _acronyms_in(words: tuple[str, ...]) -> int:
    return sum(bool(acronym_letters(w)) for w in words)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _typo_only(a: tuple[str, ...], b: tuple[str, ...],
               established: Callable[[str], bool]) -> bool:
    """True when two word lists are the same words but for one small typo.

    The differing word must be long enough to hold a typo (4+ letters), have no digits
    ("Chapter 27" vs "Chapter 72", "Local 600" vs "Local 60") and be one edit apart (two for
    9+ letters). And one of the two must not be `established` (a known place, or a word other
    names use too): "Marion" and "Marin", or two towns both with chapters, are two places,
    while "Amercan" next to "American" is a typo.
    """
    if len(a) != len(b):
        return False
    if len(set(a)) == len(a) and len(set(b)) == len(b):
        only_a, only_b = list(set(a) - set(b)), list(set(b) - set(a))
    else:
        only_a = list((Counter(a) - Counter(b)).elements())
        only_b = list((Counter(b) - Counter(a)).elements())
    return (len(only_a) == len(only_b) == 1 and _one_typo(only_a[0], only_b[0])
            and not (established(only_a[0]) and established(only_b[0])))


@lru_cache(maxsize=CACHE_SIZE)
def is_place_word(word: str) -> bool:
    us_cities, foreign = cities()
    return word in us_states() or word in countries() or word in us_cities or word in foreign


def _one_typo(a: str, b: str) -> bool:
    if min(len(a), len(b)) < 4 or any(c.isdigit() for c in a + b):
        return False
    return OSA.distance(a, b) <= (2 if min(len(a), len(b)) >= 9 else 1)


def _blocks_of(tokens: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    """(block, odd word) pairs for the fuzzy pass. The guard only accepts names that differ
    in one word, so two such names share all their other words: a name sits in one block per
    word (keyed by its other words), with that word as the one to compare. One-word names
    are blocked by their first and by their last two letters."""
    if len(tokens) == 1:
        return [(("#first", tokens[0][:2]), tokens[0]), (("#last", tokens[0][-2:]), tokens[0])]
    ordered = tuple(sorted(tokens))
    return [(ordered[:i] + ordered[i + 1:], word) for i, word in enumerate(ordered)]


def _block_keys(tokens: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {block for block, _ in _blocks_of(tokens)}


@dataclass
class OrgClusters:
    """Clusters of organization spellings, and the canonical name of each.

    `key` maps a cleaned spelling to its cluster key (the fingerprint of the canonical name);
    `canonical` maps it to the canonical name. `match` finds the cluster other text (an
    individual's affiliation) names, without adding to the clusters.
    """

    key: dict[str, str] = field(default_factory=dict)
    canonical: dict[str, str] = field(default_factory=dict)
    _by_fingerprint: dict[str, str] = field(default_factory=dict)
    _by_spacing: dict[str, str] = field(default_factory=dict)
    _by_acronym: dict[str, str] = field(default_factory=dict)
    _blocks: dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]] = field(
        default_factory=dict)
    _word_counts: Counter[str] = field(default_factory=Counter)
    near: dict[str, set[str]] = field(default_factory=dict)

    def add(self, spelling: str, name: str, tokens: tuple[str, ...]) -> None:
        """Record that `spelling` (whose words are `tokens`) is the organization `name`."""
        base, acronym = split_acronym(spelling)
        self.key[spelling] = fingerprint(name)
        self.canonical[spelling] = name
        self._by_fingerprint[fingerprint(base)] = name
        self._by_spacing[spacing_key(base)] = name
        if acronym:
            self._by_acronym[acronym] = name
        for block in _block_keys(tokens):
            self._blocks.setdefault(block, []).append((tokens, name))

    def match(self, text: str) -> str:
        """The canonical name of the organization `text` names, or ""."""
        if not text:
            return ""
        if text in self.canonical:
            return self.canonical[text]
        base, _ = split_acronym(text)
        for index, probe in ((self._by_fingerprint, fingerprint(base)),
                             (self._by_spacing, spacing_key(base))):
            if probe in index:
                return index[probe]
        if is_bare_acronym(text) and text.replace(".", "") in self._by_acronym:
            return self._by_acronym[text.replace(".", "")]
        tokens = name_tokens(base)
        for block in sorted(_block_keys(tokens)):  # sorted: the same winner in every process
            for other, name in self._blocks.get(block, ()):
                if _typo_only(tokens, other, self._established):
                    return name
        return ""

    def _established(self, word: str) -> bool:
        return self._word_counts[word] > 1 or is_place_word(word)


def cluster_organizations(names: pd.Series | Iterable[str],
                          aliases: Mapping[str, str] | None = None,
                          domains: Iterable[str] | None = None) -> OrgClusters:
    """Cluster the cleaned organization spellings of all responses (see the module doc).

    Works on distinct spellings, so repeated answers cost nothing; the fuzzy pass compares
    names only within blocks (names sharing all words but one), which stay small however
    many responses there are. `domains`, one per name, are the email domains of the answers
    (org_joins.join_domains).
    """
    names = names.tolist() if isinstance(names, pd.Series) else list(names)
    counts = Counter(n for n in names if n)
    domains_of: dict[str, set[str]] = defaultdict(set)
    for name, domain in zip(names, domains or (), strict=False):
        if name and domain:
            domains_of[name].add(domain)
    spellings = list(counts)  # in the order first typed
    aliases = {clean_org(k): clean_org(v) for k, v in (aliases or {}).items()}
    aliases = {k: v for k, v in aliases.items() if k and v}
    base_of = {s: split_acronym(s) for s in spellings}
    parsed = {s: parse_org(s) for s in spellings}
    node = {s: _node(s) for s in spellings}  # 1. one node per identity key
    tokens_of = {s: parsed[s].core or name_tokens(base_of[s][0]) for s in spellings}
    word_counts = Counter(word for s in spellings for word in set(tokens_of[s]))
    uf = _UnionFind()
    _join_spacing_variants(spellings, node, uf)
    _join_typos(spellings, tokens_of, node, uf,
                lambda word: word_counts[word] > 1 or is_place_word(word))
    org_joins.join_countries(parsed, node, uf.union)
    org_joins.join_domains(parsed, domains_of, node, uf.union, uf.find)
    suggested = org_joins.join_acronyms(parsed, node, uf.union, uf.find)
    for variant, target in aliases.items():  # 6. staff aliases
        uf.union(_node(variant), _node(target))
    suggested |= org_joins.near_misses(parsed, node, uf.find, is_place_word)

    clusters: dict[str, list[str]] = defaultdict(list)
    for spelling in spellings:
        clusters[uf.find(node[spelling])].append(spelling)
    alias_targets = {uf.find(_node(t)): t
                     for t in sorted(set(aliases.values()), reverse=True)}
    result = OrgClusters(_word_counts=word_counts)
    for root, members in clusters.items():
        name = alias_targets.get(root) or canonical_name({m: counts[m] for m in members})
        for member in members:
            result.add(member, name, tokens_of[member])
    for letters, roots in _acronym_owners(spellings, base_of, node, uf).items():
        if len(roots) > 1:  # one acronym after two organizations' names: no alias
            result._by_acronym.pop(letters, None)
    key_of_root = {uf.find(node[s]): result.key[s] for s in spellings}
    for pair in suggested:
        a, b = (key_of_root.get(uf.find(n)) for n in pair)
        if a and b and a != b:
            result.near.setdefault(a, set()).add(b)
            result.near.setdefault(b, set()).add(a)
    return result


def _node(spelling: str) -> str:
    """The clustering node of a spelling: its identity key (org_parse)."""
    parsed = parse_org(spelling)
    return "id:" + (parsed.key if parsed.core else fingerprint(spelling))


def _join_spacing_variants(spellings: list[str], node: Mapping[str, str],
                           uf: _UnionFind) -> None:
    """2. "MoveOn" / "Move On"."""
    first: dict[str, str] = {}
    for spelling in spellings:
        parsed = parse_org(spelling)
        key = ("".join(parsed.core) + "|" + parsed.country if parsed.core
               else spacing_key(spelling))
        uf.union(node[spelling], first.setdefault(key, node[spelling]))


def _join_typos(spellings: list[str], tokens_of: Mapping[str, tuple[str, ...]],
                node: Mapping[str, str], uf: _UnionFind,
                established: Callable[[str], bool]) -> None:
    """3. Typos, within blocks; a word other names use too, or a place, is no typo."""
    blocks: dict[tuple[str, ...], dict[str, str]] = defaultdict(dict)
    for spelling in spellings:
        for block, word in _blocks_of(tokens_of[spelling]):
            blocks[block].setdefault(word, spelling)
    for members in blocks.values():
        if len(members) > 1:
            _fuzzy_block(members, node, uf, established)


def _acronym_owners(spellings: list[str], base_of: Mapping[str, tuple[str, str]],
                    node: Mapping[str, str], uf: _UnionFind) -> dict[str, set[str]]:
    """Acronym in parentheses → the clusters it was written after."""
    owners: dict[str, set[str]] = defaultdict(set)
    for spelling in spellings:
        if base_of[spelling][1]:
            owners[base_of[spelling][1]].add(uf.find(node[spelling]))
    return owners


def _fuzzy_block(members: Mapping[str, str], node: Mapping[str, str], uf: _UnionFind,
                 established: Callable[[str], bool]) -> None:
    """Join the names of one block (odd word → spelling) whose odd words are a typo apart.

    Only a word that is not `established` can be a typo, so those are compared (with
    rapidfuzz, against every word of the block) and the rest never are.
    """
    words = [w for w in members if len(w) >= 4 and not any(c.isdigit() for c in w)]
    fresh = [w for w in words if not established(w)]
    if not fresh or len(words) < 2:
        return
    for start in range(0, len(fresh), _CHUNK):
        chunk = fresh[start:start + _CHUNK]
        distances = process.cdist(chunk, words, scorer=OSA.distance, score_cutoff=2,
                                  dtype=np.int32, workers=1)
        for i, j in zip(*np.nonzero(distances <= 2), strict=True):
            a, b = chunk[int(i)], words[int(j)]
            if a != b and _one_typo(a, b):
                uf.union(node[members[a]], node[members[b]])
