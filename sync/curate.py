"""The curate stage: clean responses → one row per signer, reviewer decisions merged back.

Pure functions over DataFrames. The rules, in the order they apply:

1. A response with neither an organization nor a name, or with test junk, is skipped with
   a reason (it still counts in the run's figures).
2. The same email answering twice counts once: its latest answer wins, and the earlier
   answers count towards the signers of the latest one.
3. A response signs for its organization when it names one, unless it says it signs as an
   individual. It signs as an individual when it gives a name and either names no
   organization, gives an affiliation to list, or says it signs as an individual.
4. Organization answers whose names cluster together (normalize.orgs) are one signer.
5. Flags say why a person should look; a flagged signer starts as "Needs review".
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd

from sync import frames
from sync.normalize.answers import PARTNER_ORGS
from sync.normalize.names import split_title
from sync.normalize.text import fold, looks_like_formula

CURATED_COLUMNS = (
    "Signer ID", "Type", "Name", "Listed As", "Affiliation", "Scope", "Outside U.S.", "Flags",
    "Status", "Reviewer Note", "Email", "First Signed", "Last Updated", "Late Signer",
    "Can Amplify", "Partner Orgs", "Responses",
)
REVIEWER_COLUMNS = ("Listed As", "Status", "Reviewer Note")
STATUSES = ("Approved", "Needs review", "Excluded")
ORGANIZATION, INDIVIDUAL = "Organization", "Individual"


def counts_as_needing_review(statuses: pd.Series) -> pd.Series:
    """Signers that need review: those whose Status is neither Approved nor Excluded (a
    Status a reviewer typed that is not understood included)."""
    return ~statuses.isin(("Approved", "Excluded"))

# Words that, alone, make up the organization and name of a test entry ("test asdf").
_JUNK = {"test", "testing", "asdf", "asdfgh", "qwerty", "xxx", "abc", "aaa", "foo", "bar",
         "lorem", "ipsum", "delete", "ignore", "sample", "dummy",
         # "test entry, please delete", "this is just a test"
         "entry", "please", "this", "is", "a", "just", "only", "me", "submission", "do", "not"}
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Skipped:
    row: int
    reason: str


def skip_reasons(clean: pd.DataFrame) -> pd.Series:
    """Why each response is skipped ("" for the ones that are kept)."""
    if clean.empty:
        return pd.Series([], dtype=object, index=clean.index)
    organization, name = clean["organization"], clean["display_name"]
    typed = (organization != "") | (name != "")
    junk = _all_junk(organization) & _all_junk(name)
    nothing = (organization == "") & (name == "")
    reasons = pd.Series("", index=clean.index, dtype=object)
    reasons[typed & junk] = "looks like a test entry"
    reasons[nothing] = "no organization or name given"
    reasons[nothing & (clean["email"] == "")] = "blank response"
    return reasons


def _all_junk(values: pd.Series) -> pd.Series:
    """Whether every word of each value is a test word (an empty value counts as junk),
    computed once per distinct value."""
    return values.map({v: _junk(v) for v in values.unique()}).astype(bool)


def _junk(value: str) -> bool:
    """Every word a test word; text with no words at all ("???? ???", what an ANSI save
    leaves of a name) is no test entry but text lost in the export, kept and flagged."""
    words = _WORDS.findall(fold(value))
    return set(words) <= _JUNK if words or not value.strip() else False


def _folded(values: pd.Series) -> pd.Series:
    """`fold` of every value, computed once per distinct value."""
    return values.map({value: fold(value) for value in values.unique()})


def effective_responses(clean: pd.DataFrame) -> pd.DataFrame:
    """The kept responses with `group`: the row of the answer that counts for its email.

    The latest answer of each email wins; rows without an email stand alone.
    """
    frame = clean.rename_axis(None)  # copy-on-write: adding a column leaves `clean` as it is
    frame["row"] = frame.index
    order = frame.sort_values(["submitted_at", "row"], na_position="first")
    latest = order.groupby(order["email"].where(order["email"] != "", order["row"].astype(str)),
                           sort=False)["row"].last()
    key = frame["email"].where(frame["email"] != "", frame["row"].astype(str))
    frame["group"] = key.map(latest)
    return frame


def build_signers(
    clean: pd.DataFrame, published: dt.date | None, *, us_only: bool = True
) -> tuple[pd.DataFrame, list[Skipped]]:
    """Signers (contract columns, no Signer ID yet, plus `_keys`, `_sort`, `_default` and
    `_rows`, the sheet rows behind each signer) and skips."""
    reasons = skip_reasons(clean)
    skipped = [Skipped(int(row), why) for row, why in reasons.items() if why]
    kept = effective_responses(clean[reasons == ""])
    winners = kept[kept["row"] == kept["group"]]

    # an answer naming an organization but signing "as an individual" with no name to list
    # signs for the organization (flagged: authorization not confirmed) rather than vanish
    orgs = winners[(winners["organization"] != "") & ((winners["authorized"] != "individual")
                                                      | (winners["display_name"] == ""))]
    people = winners[
        (winners["display_name"] != "")
        & ((winners["organization"] == "") | (winners["affiliation"] != "")
           | (winners["authorized"] == "individual"))
    ]
    behind_orgs, mine, behind_people = _gather(
        kept, dict(zip(orgs["row"].tolist(), orgs["org_key"].tolist(), strict=True)),
        set(people["row"].tolist()))
    rows = [_values(_org_signer(key, behind_orgs[key], mine[key], us_only))
            for key in sorted(mine)]
    rows += [_values(_person_signer(winner, behind_people[winner.row], us_only))
             for winner in frames.records(people, _Winner)]
    # Let go of each intermediate as soon as the next one is built: at 1M responses each
    # is hundreds of MB, and together they made the run's peak.
    del kept, winners, orgs, people, behind_orgs, mine, behind_people
    signers = pd.DataFrame(rows, columns=list(_SIGNER_COLUMNS))
    del rows
    if not signers.empty:
        signers["Late Signer"] = signers["First Signed"].map(lambda t: _late(t, published))
        signers = signers.sort_values(["First Signed", "Type", "_sort"], kind="stable")
    return signers.reset_index(drop=True), skipped


_SIGNER_COLUMNS = (*CURATED_COLUMNS, "_keys", "_near", "_sort", "_default", "_rows")


def _values(signer: dict[str, object]) -> tuple[object, ...]:
    """A signer's values in `_SIGNER_COLUMNS` order (None where it has none yet): a tuple
    is kept per signer until the frame is built, not the dict (at 700,000 signers the
    dicts took 0.9 GB)."""
    return tuple(signer.get(column) for column in _SIGNER_COLUMNS)


class _Winner(NamedTuple):
    """The response that counts for an individual signer: the columns `_person_signer`
    reads."""

    row: int
    email: str
    submitted_at: Any
    display_name: str
    sort_name: str
    affiliation: str
    authorized: str
    org_name: str
    person_evidence: Any
    person_text_lost: bool


@dataclass(slots=True)
class _Behind:
    """What the responses behind one signer add up to, fed in submission order."""

    emails: dict[str, None] = field(default_factory=dict)
    first: str = ""
    last: str = ""
    amplify: str = ""
    partners: set[str] = field(default_factory=set)
    rows: list[int] = field(default_factory=list)

    def add(self, row: int, email: str, signed: str, amplify: str, partners: list[str]) -> None:
        self.rows.append(row)
        if email:
            self.emails[email] = None
        if signed:
            self.first = self.first or signed
            self.last = signed
        if amplify:
            self.amplify = amplify
        self.partners.update(partners)

    def columns(self) -> dict[str, object]:
        return {
            "Email": "; ".join(self.emails),
            "First Signed": self.first,
            "Last Updated": self.last,
            "Can Amplify": self.amplify,
            "Partner Orgs": "; ".join(p for p in PARTNER_ORGS if p in self.partners),
            "Responses": len(self.rows),
            "_rows": tuple(self.rows),
        }


@dataclass(slots=True)
class _Answers:
    """An organization's own answers (the responses naming it), in submission order."""

    name: str = ""
    spelling_keys: set[str] = field(default_factory=set)
    near: set[str] = field(default_factory=set)
    evidence: list[Any] = field(default_factory=list)
    scopes: set[str] = field(default_factory=set)
    authorized: bool = False
    no_email: bool = False
    no_time: bool = False
    text_lost: bool = False

    def add(self, name: str, spelling_key: str, near: tuple[str, ...], email: str, signed: str,
            scope: str, authorized: str, evidence: Any, text_lost: bool) -> None:
        self.name = name  # the cluster's printed name; the latest answer's is kept
        self.spelling_keys.add(spelling_key)
        self.near.update(near)
        self.evidence.append(evidence)
        self.scopes.add(scope)
        self.authorized = self.authorized or authorized == "yes"
        self.no_email = self.no_email or not email
        self.no_time = self.no_time or not signed
        self.text_lost = self.text_lost or text_lost


def _gather(kept: pd.DataFrame, org_of_winner: dict[int, str], person_winners: set[int]
            ) -> tuple[dict[str, _Behind], dict[str, _Answers], dict[int, _Behind]]:
    """One pass over the kept responses in submission order (oldest first, undated first):
    every response counts towards the signers of its email's latest answer; an
    organization's own answers are those naming it."""
    ordered = kept.sort_values(["submitted_at", "row"], na_position="first")
    signed = _iso_seconds(ordered["submitted_at"]).tolist()
    behind_orgs: defaultdict[str, _Behind] = defaultdict(_Behind)
    mine: defaultdict[str, _Answers] = defaultdict(_Answers)
    behind_people: defaultdict[int, _Behind] = defaultdict(_Behind)
    answers = frames.columns(ordered, "row", "group", "org_key", "email", "amplify", "partners",
                      "org_name", "org_spelling_key", "org_near", "scope", "authorized",
                      "org_evidence", "org_text_lost")
    for row, group, org_key, email, amplify, partners, org_name, spelling_key, near, scope, \
            authorized, evidence, lost, when in zip(*answers, signed, strict=True):
        cluster = org_of_winner.get(group)
        if cluster is not None:
            behind_orgs[cluster].add(row, email, when, amplify, partners)
            if org_key == cluster:
                mine[cluster].add(org_name, spelling_key, near, email, when, scope,
                                  authorized, evidence, lost)
        if group in person_winners:
            behind_people[group].add(row, email, when, amplify, partners)
    return behind_orgs, mine, behind_people


TEXT_LOST = "text lost in the export: save the CSV as UTF-8"


def _flags(evidence: list[Any], no_email: bool, no_time: bool, text_lost: bool,
           us_only: bool) -> tuple[list[str], bool]:
    """Flags shared by both kinds of signer, and whether the evidence proves a base outside
    the U.S."""
    outside = any(e.outside for e in evidence)
    reasons = list(dict.fromkeys(r for e in evidence for r in e.reasons))
    if outside:  # proven outside: the "confirm" flags of other answers add nothing
        reasons = [r for r in reasons if not r.startswith("outside U.S.?")]
    flags = reasons if us_only else []
    if no_email:
        flags = [*flags, "no email address"]
    if no_time:
        flags = [*flags, "no timestamp"]
    if text_lost:
        flags = [*flags, TEXT_LOST]
    return flags, outside


def _formula_flag(*texts: str) -> list[str]:
    """Text a spreadsheet would run as a formula is written as text, but is no name."""
    return ["looks like a spreadsheet formula"] if any(map(looks_like_formula, texts)) else []


def widest_scope(scopes: set[str]) -> str:
    """The widest scope the responses give: a chapter member who names the national
    organization often answers with their chapter's scope ("Local")."""
    return next((s for s in ("International", "National", "Regional", "State", "Local")
                 if s in scopes), "Unknown")


def _org_signer(key: str, behind: _Behind, mine: _Answers, us_only: bool) -> dict[str, object]:
    scope = widest_scope(mine.scopes)
    flags, outside = _flags(mine.evidence, mine.no_email, mine.no_time, mine.text_lost,
                            us_only)
    flags += _formula_flag(mine.name)
    if not mine.authorized:
        flags.append("authorization not confirmed")
    if scope == "Unknown":
        flags.append("no scope given")
    elif scope == "International" and not outside and us_only:
        flags.append("international scope: confirm U.S. base")
    return {
        "Type": ORGANIZATION, "Name": mine.name, "Listed As": "", "Affiliation": "",
        "Scope": scope, "Outside U.S.": "Yes" if outside else "No",
        "Flags": "; ".join(flags), **behind.columns(),
        # every spelling's key, so a new spelling joining this cluster keeps its Signer ID
        "_keys": tuple(sorted({f"org:{k}" for k in (*mine.spelling_keys, key)})),
        "_near": tuple(sorted(f"org:{k}" for k in mine.near)),
        "_sort": fold(mine.name).removeprefix("the "),
        "_default": "Needs review" if flags else "Approved",
    }


def _person_signer(winner: _Winner, behind: _Behind, us_only: bool) -> dict[str, object]:
    flags, outside = _flags([winner.person_evidence], not winner.email,
                            pd.isna(winner.submitted_at), winner.person_text_lost, us_only)
    affiliation = winner.affiliation
    if not affiliation and winner.authorized == "individual":
        affiliation = winner.org_name
    flags += _formula_flag(winner.display_name, affiliation)
    key = f"email:{winner.email}" if winner.email else f"name:{fold(winner.display_name)}"
    return {
        "Type": INDIVIDUAL, "Name": winner.display_name, "Listed As": "",
        "Affiliation": affiliation, "Scope": "", "Outside U.S.": "Yes" if outside else "No",
        "Flags": "; ".join(flags), **behind.columns(),
        "_keys": (key,),
        "_near": (),
        "_sort": winner.sort_name,
        "_default": "Needs review" if flags else "Approved",
    }


def _iso_seconds(moments: pd.Series) -> pd.Series:
    """Timestamps as ISO text to the second ("" where there is none), the way the curated
    tab shows them."""
    return moments.dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("").astype(object)


def _late(first_signed: str, published: dt.date | None) -> str:
    if not published or not first_signed:
        return "No"
    return "Yes" if dt.datetime.fromisoformat(first_signed).date() > published else "No"


def flag_possible_duplicates(signers: pd.DataFrame) -> pd.DataFrame:
    """Flag individuals with the same name and affiliation under another email, and
    organizations that are probably one (normalize's near matches, `_near`).

    Of two individuals the first (the oldest signer) stays unflagged and the later one is
    flagged as a possible duplicate of it; two organizations are both flagged, each naming
    the other ("possible duplicate of ORG-0012: Tzedek Chicago"), so neither prints before
    staff decide. A flagged signer starts as "Needs review". Needs `Signer ID`.
    """
    out = _flag_near_organizations(signers.copy())
    people = out[out["Type"] == INDIVIDUAL]
    if people.empty:
        return out
    # "Dr. Susan Lee" and "Susan Lee" are the same name
    untitled = people["Name"].map({n: split_title(n)[1] or n for n in people["Name"].unique()})
    same = _folded(untitled) + "\x00" + _folded(people["Affiliation"])
    first_id = people.groupby(same, sort=False)["Signer ID"].transform("first")
    later = people.index[people["Signer ID"] != first_id]
    out.loc[later, "Flags"] = [
        "; ".join(f for f in (flags, f"possible duplicate of {first}") if f)
        for flags, first in zip(out.loc[later, "Flags"].tolist(), first_id[later].tolist(),
                                strict=True)
    ]
    out.loc[later, "_default"] = "Needs review"
    return out


def _flag_near_organizations(out: pd.DataFrame) -> pd.DataFrame:
    if "_near" not in out.columns or not any(out["_near"].tolist()):
        return out
    owner: dict[str, tuple[str, str]] = {}
    for signer_id, name, keys in zip(out["Signer ID"].tolist(), out["Name"].tolist(),
                                     out["_keys"].tolist(), strict=True):
        for key in keys:
            owner.setdefault(key, (signer_id, name))
    for index, signer_id, near, flags in zip(out.index, out["Signer ID"].tolist(),
                                             out["_near"].tolist(), out["Flags"].tolist(),
                                             strict=True):
        others = dict.fromkeys(owner[k] for k in near if k in owner and owner[k][0] != signer_id)
        if others:
            out.at[index, "Flags"] = "; ".join(
                [f for f in (flags,) if f]
                + [f"possible duplicate of {other}: {name}" for other, name in sorted(others)])
            out.at[index, "_default"] = "Needs review"
    return out
