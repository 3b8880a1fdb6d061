"""What a digest says, section by section, shared by the Markdown and HTML renderers so both
always say the same thing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sync import frames
from sync.digest import SCOPE_ORDER, Digest, shown_name, stamp
from sync.render.letter import printed_parts

# A digest lists at most this many signers per list, then says how many more there are: the
# first digest of a big petition would otherwise list every signer (100 MB of HTML at a
# million responses, far past what a mail server accepts). The curated tab has them all.
MAX_LISTED = 1000


@dataclass(frozen=True)
class Item:
    text: str
    detail: str = ""
    unlisted: int = 0  # > 0: the line saying how many more signers this list has

    @property
    def signers(self) -> int:
        """How many signers this line stands for."""
        return self.unlisted or 1


@dataclass(frozen=True)
class Section:
    title: str
    items: list[Item]
    groups: list[tuple[str, list[Item]]] | None = None
    note: str = ""

    @property
    def count(self) -> int:
        return sum(item.signers for items in (self.items, *(i for _, i in self.groups or []))
                   for item in items)


def period(digest: Digest) -> str:
    since = f"since {stamp(digest.since)}" if digest.since else "since the form opened"
    return f"{stamp(digest.at)}, {since}"


def sections(digest: Digest, include_emails: bool = False) -> list[Section]:
    """The digest's sections in reading order; empty ones left out, except a line saying
    nobody new signed."""

    def item(row: Mapping[str, Any], detail: str = "", affiliation: bool = False) -> Item:
        text = shown_name(row)
        if affiliation:  # as the letter prints it: a Listed As may hold the affiliation
            name, listed = printed_parts(row)
            text = f"{name}, {listed}" if listed else name
        if include_emails and row["Email"]:
            detail = "; ".join(d for d in (detail, str(row["Email"])) if d)
        return Item(text, detail)

    out: list[Section] = []
    orgs = digest.new_organizations
    if not orgs.empty:
        groups = [(scope, _items(orgs[orgs["Scope"] == scope], item)) for scope in SCOPE_ORDER]
        out.append(Section("New organizations", [], [(s, i) for s, i in groups if i]))
    people = digest.new_individuals
    if not people.empty:
        out.append(Section("New individuals",
                           _items(people, lambda r: item(r, affiliation=True))))
    if digest.new.empty:
        out.append(Section("New signers", [], note="Nobody new signed since the last digest."))
    if not digest.late_ready.empty:
        out.append(Section(
            "Late signers approved and ready to add",
            _items(digest.late_ready, lambda r: item(
                r, f"{r['Type'].lower()}, signed {str(r['First Signed'])[:10]}",
                affiliation=r["Type"] != "Organization")),
            note="They signed after the letter was published; add them to the letter.",
        ))
    if not digest.needs_review.empty:
        out.append(Section(
            "Needs review",
            _items(digest.needs_review, lambda r: item(
                r, f"{r['Signer ID']}, {r['Type'].lower()}: {r['Flags'] or 'marked for review'}")),
            note="Set Status to Approved or Excluded in the curated tab.",
        ))
    if not digest.edited.empty:
        out.append(Section(
            "Responses edited since the last digest",
            _items(digest.edited, lambda r: item(
                r, f"{r['Signer ID']}, {_plural_responses(int(r['Responses']))}, "
                   f"last updated {str(r['Last Updated'])[:16].replace('T', ' ')}")),
        ))
    return out


def _items(frame: pd.DataFrame, make: Callable[[Mapping[str, Any]], Item]) -> list[Item]:
    """An item for each of the frame's first MAX_LISTED rows, and a line for the rest."""
    items = [make(row) for row in _rows(frame.iloc[:MAX_LISTED])]
    more = len(frame) - len(items)
    if more > 0:
        items.append(Item(f"… and {more:,} more (every signer is in the curated tab)",
                          unlisted=more))
    return items


def totals(digest: Digest) -> list[tuple[str, int, str]]:
    """(label, total, change from the last digest as "+3", "-1", "±0", or "" the first time)."""
    rows = []
    for label, kind in (("Organizations", "organizations"), ("Individuals", "individuals")):
        change = digest.change(kind)
        rows.append((label, digest.totals[kind], "" if change is None else _signed(change)))
    return rows


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The columns the sections print from, row by row: the first digest of a big petition
    lists every signer."""
    return frames.dicts(frame, "Signer ID", "Type", "Name", "Listed As", "Affiliation",
                        "Email", "Flags", "First Signed", "Last Updated", "Responses")


def _signed(number: int) -> str:
    return f"+{number}" if number > 0 else ("±0" if number == 0 else str(number))


def _plural_responses(count: int) -> str:
    return f"{count} response{'' if count == 1 else 's'}"
