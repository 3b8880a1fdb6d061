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
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sync.normalize.answers import PARTNER_ORGS
from sync.normalize.orgs import best_spelling
from sync.normalize.text import fold

CURATED_COLUMNS = (
    "Signer ID", "Type", "Name", "Listed As", "Affiliation", "Scope", "Outside U.S.", "Flags",
    "Status", "Reviewer Note", "Email", "First Signed", "Last Updated", "Late Signer",
    "Can Amplify", "Partner Orgs", "Responses",
)
REVIEWER_COLUMNS = ("Listed As", "Status", "Reviewer Note")
STATUSES = ("Approved", "Needs review", "Excluded")
ORGANIZATION, INDIVIDUAL = "Organization", "Individual"

_JUNK = {"test", "testing", "asdf", "asdfgh", "qwerty", "xxx", "abc", "aaa", "foo", "bar",
         "lorem ipsum", "delete", "ignore", "sample", "dummy"}


@dataclass(frozen=True)
class Skipped:
    row: int
    reason: str


def skip_reasons(clean: pd.DataFrame) -> pd.Series:
    """Why each response is skipped ("" for the ones that are kept)."""
    if clean.empty:
        return pd.Series([], dtype=object, index=clean.index)
    organization, name = _folded(clean["organization"]), _folded(clean["display_name"])
    typed = (organization != "") | (name != "")
    junk = (organization.isin(_JUNK) | (organization == "")) & (name.isin(_JUNK) | (name == ""))
    nothing = (clean["organization"] == "") & (clean["display_name"] == "")
    reasons = pd.Series("", index=clean.index, dtype=object)
    reasons[typed & junk] = "looks like a test entry"
    reasons[nothing] = "no organization or name given"
    reasons[nothing & (clean["email"] == "")] = "blank response"
    return reasons


def _folded(values: pd.Series) -> pd.Series:
    """`fold` of every value, computed once per distinct value."""
    return values.map({value: fold(value) for value in values.unique()})


def effective_responses(clean: pd.DataFrame) -> pd.DataFrame:
    """The kept responses with `group`: the row of the answer that counts for its email.

    The latest answer of each email wins; rows without an email stand alone.
    """
    frame = clean.rename_axis(None).copy()
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
    """Signers (contract columns, no Signer ID yet, plus `_keys` and `_sort`) and skips."""
    reasons = skip_reasons(clean)
    skipped = [Skipped(int(row), why) for row, why in reasons.items() if why]
    kept = effective_responses(clean[reasons == ""])
    winners = kept[kept["row"] == kept["group"]]

    orgs = winners[(winners["organization"] != "") & (winners["authorized"] != "individual")]
    people = winners[
        (winners["display_name"] != "")
        & ((winners["organization"] == "") | (winners["affiliation"] != "")
           | (winners["authorized"] == "individual"))
    ]
    behind_orgs, mine, behind_people = _gather(kept, dict(zip(orgs["row"], orgs["org_key"],
                                                              strict=True)), set(people["row"]))
    rows = [_org_signer(key, behind_orgs[key], mine[key], us_only) for key in sorted(mine)]
    rows += [_person_signer(winner, behind_people[winner.row], us_only)
             for winner in people.itertuples()]
    signers = pd.DataFrame(rows, columns=[*CURATED_COLUMNS, "_keys", "_sort", "_default"])
    if not signers.empty:
        signers["Late Signer"] = signers["First Signed"].map(lambda t: _late(t, published))
        signers = signers.sort_values(["First Signed", "Type", "_sort"], kind="stable")
    return signers.reset_index(drop=True), skipped


@dataclass(slots=True)
class _Behind:
    """What the responses behind one signer add up to, fed in submission order."""

    emails: dict[str, None] = field(default_factory=dict)
    first: str = ""
    last: str = ""
    amplify: str = ""
    partners: set[str] = field(default_factory=set)
    count: int = 0

    def add(self, email: str, signed: str, amplify: str, partners: list[str]) -> None:
        self.count += 1
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
            "Responses": self.count,
        }


@dataclass(slots=True)
class _Answers:
    """An organization's own answers (the responses naming it), in submission order."""

    names: list[str] = field(default_factory=list)
    outside: dict[str, None] = field(default_factory=dict)
    scope: str = "Unknown"
    authorized: bool = False
    no_email: bool = False
    no_time: bool = False

    def add(self, name: str, email: str, signed: str, scope: str, authorized: str,
            outside: list[str]) -> None:
        self.names.append(name)
        self.outside.update(dict.fromkeys(outside))
        if scope != "Unknown":
            self.scope = scope
        self.authorized = self.authorized or authorized == "yes"
        self.no_email = self.no_email or not email
        self.no_time = self.no_time or not signed


def _gather(kept: pd.DataFrame, org_of_winner: dict[int, str], person_winners: set[int]
            ) -> tuple[dict[str, _Behind], dict[str, _Answers], dict[int, _Behind]]:
    """One pass over the kept responses in submission order (oldest first, undated first):
    every response counts towards the signers of its email's latest answer; an
    organization's own answers are those naming it."""
    ordered = kept.sort_values(["submitted_at", "row"], na_position="first")
    signed = ordered["submitted_at"].map(_iso, na_action="ignore").fillna("")
    behind_orgs: dict[str, _Behind] = {}
    mine: dict[str, _Answers] = {}
    behind_people: dict[int, _Behind] = {}
    columns = [ordered[c].tolist() for c in ("group", "org_key", "email", "amplify", "partners",
                                             "organization", "scope", "authorized",
                                             "outside_reasons")]
    for group, org_key, email, amplify, partners, organization, scope, authorized, outside, \
            when in zip(*columns, signed.tolist(), strict=True):
        cluster = org_of_winner.get(group)
        if cluster is not None:
            behind_orgs.setdefault(cluster, _Behind()).add(email, when, amplify, partners)
            if org_key == cluster:
                mine.setdefault(cluster, _Answers()).add(organization, email, when, scope,
                                                         authorized, outside)
        if group in person_winners:
            behind_people.setdefault(group, _Behind()).add(email, when, amplify, partners)
    return behind_orgs, mine, behind_people


def _flags(outside: list[str], no_email: bool, no_time: bool, us_only: bool) -> list[str]:
    flags = list(outside) if us_only else []
    if no_email:
        flags.append("no email address")
    if no_time:
        flags.append("no timestamp")
    return flags


def _org_signer(key: str, behind: _Behind, mine: _Answers, us_only: bool) -> dict[str, object]:
    outside = list(mine.outside)
    flags = _flags(outside, mine.no_email, mine.no_time, us_only)
    if not mine.authorized:
        flags.append("authorization not confirmed")
    if mine.scope == "Unknown":
        flags.append("no scope given")
    elif mine.scope == "International" and not outside and us_only:
        flags.append("international scope: confirm U.S. base")
    name = best_spelling(mine.names)
    return {
        "Type": ORGANIZATION, "Name": name, "Listed As": "", "Affiliation": "",
        "Scope": mine.scope, "Outside U.S.": "Yes" if outside else "No",
        "Flags": "; ".join(flags), **behind.columns(),
        "_keys": (f"org:{key}",),
        "_sort": fold(name).removeprefix("the "),
        "_default": "Needs review" if flags else "Approved",
    }


def _person_signer(winner: Any, behind: _Behind, us_only: bool) -> dict[str, object]:
    """`winner` is the response that counts for this person (a row of `itertuples`)."""
    outside = list(dict.fromkeys(winner.outside_reasons))
    flags = _flags(outside, not winner.email, pd.isna(winner.submitted_at), us_only)
    affiliation = winner.affiliation
    if not affiliation and winner.authorized == "individual":
        affiliation = winner.organization
    key = f"email:{winner.email}" if winner.email else f"name:{fold(winner.display_name)}"
    return {
        "Type": INDIVIDUAL, "Name": winner.display_name, "Listed As": "",
        "Affiliation": affiliation, "Scope": "", "Outside U.S.": "Yes" if outside else "No",
        "Flags": "; ".join(flags), **behind.columns(),
        "_keys": (key,),
        "_sort": winner.sort_name,
        "_default": "Needs review" if flags else "Approved",
    }


def _iso(value: pd.Timestamp) -> str:
    return value.isoformat(timespec="seconds") if pd.notna(value) else ""


def _late(first_signed: str, published: dt.date | None) -> str:
    if not published or not first_signed:
        return "No"
    return "Yes" if dt.datetime.fromisoformat(first_signed).date() > published else "No"


def flag_possible_duplicates(signers: pd.DataFrame) -> pd.DataFrame:
    """Flag individuals with the same name and affiliation under another email.

    The first of them (the oldest signer) stays unflagged; each later one is flagged as a
    possible duplicate of it and starts as "Needs review". Needs `Signer ID`.
    """
    out = signers.copy()
    people = out[out["Type"] == INDIVIDUAL]
    if people.empty:
        return out
    same = _folded(people["Name"]) + "\x00" + _folded(people["Affiliation"])
    first_id = people.groupby(same, sort=False)["Signer ID"].transform("first")
    later = people.index[people["Signer ID"] != first_id]
    out.loc[later, "Flags"] = [
        "; ".join(f for f in (flags, f"possible duplicate of {first}") if f)
        for flags, first in zip(out.loc[later, "Flags"].tolist(), first_id[later].tolist(),
                                strict=True)
    ]
    out.loc[later, "_default"] = "Needs review"
    return out
