"""The digest: what changed since the last digest (pure functions; rendering is in
`sync.render`).

The last digest's snapshot (state.digest_snapshot: Signer ID, Type, Name, Status, Last
Updated, Responses) and its counts are the baseline. Against it a digest finds:

* new signers: Signer IDs the last digest did not report;
* late signers ready to add: late signers that are Approved now and were not Approved (or
  not there) last time — the ones staff still have to add to the published letter;
* edited: signers the last digest reported whose responses changed since (a later
  timestamp, which is what an edited Google Form response gets, or another response);
* needs review: every signer whose Status is "Needs review" now, with its flags;
* totals, and the change from the last digest's totals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sync.curate import INDIVIDUAL, ORGANIZATION, counts_as_needing_review

DIGEST_COLUMNS = (
    "Digest At", "Since", "New Organizations", "New Individuals", "Needs Review",
    "Total Organizations", "Total Individuals", "Summary",
)
SCOPE_ORDER = ("National", "Regional", "State", "Local", "International", "Unknown")


@dataclass(frozen=True)
class Digest:
    at: dt.datetime
    since: dt.datetime | None
    new: pd.DataFrame
    needs_review: pd.DataFrame
    totals: dict[str, int]
    skipped: int = 0
    late_ready: pd.DataFrame = field(default_factory=pd.DataFrame)
    edited: pd.DataFrame = field(default_factory=pd.DataFrame)
    previous_totals: dict[str, int] | None = None
    signers: pd.DataFrame = field(default_factory=pd.DataFrame)
    published: dt.date | None = None
    skip_reasons: dict[str, list[int]] = field(default_factory=dict)  # reason → sheet rows

    @property
    def new_organizations(self) -> pd.DataFrame:
        return self.new[self.new["Type"] == ORGANIZATION]

    @property
    def new_individuals(self) -> pd.DataFrame:
        return self.new[self.new["Type"] == INDIVIDUAL]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new_organizations": len(self.new_organizations),
            "new_individuals": len(self.new_individuals),
            "needs_review": len(self.needs_review),
            "late_ready": len(self.late_ready),
            "edited": len(self.edited),
            **self.totals,
        }

    def change(self, kind: str) -> int | None:
        """How many more (or fewer) `kind` ("organizations", "individuals") than at the
        last digest; None for the first digest."""
        if self.previous_totals is None or kind not in self.previous_totals:
            return None
        return self.totals[kind] - int(self.previous_totals[kind])

    @property
    def summary(self) -> str:
        if self.new.empty:
            head = "No new signers"
        else:
            head = (f"{_plural(len(self.new_organizations), 'new organization')}, "
                    f"{_plural(len(self.new_individuals), 'new individual')}")
        return (f"{head}; {len(self.needs_review)} need review; "
                f"{self.totals['organizations']} organizations and "
                f"{self.totals['individuals']} individuals in all")

    def tab_row(self) -> list[str | int]:
        return [
            stamp(self.at), stamp(self.since) if self.since else "",
            len(self.new_organizations), len(self.new_individuals), len(self.needs_review),
            self.totals["organizations"], self.totals["individuals"], self.summary,
        ]


def build_digest(curated: pd.DataFrame, previous: pd.DataFrame, at: dt.datetime,
                 since: dt.datetime | None, skipped: int = 0,
                 skip_reasons: dict[str, list[int]] | None = None, *,
                 previous_totals: Mapping[str, int] | None = None,
                 published: dt.date | None = None) -> Digest:
    """Compare the curated signers with the snapshot the last digest reported."""
    if since is not None and since.tzinfo is not None and at.tzinfo is not None:
        since = since.astimezone(at.tzinfo)  # read back with an offset: shown in at's zone
    before = previous.set_index("Signer ID") if not previous.empty else None
    seen = curated["Signer ID"].isin(before.index) if before is not None else pd.Series(
        False, index=curated.index)
    new = curated[~seen]
    needs_review = curated[counts_as_needing_review(curated["Status"])]
    totals = {
        "organizations": int((curated["Type"] == ORGANIZATION).sum()),
        "individuals": int((curated["Type"] == INDIVIDUAL).sum()),
    }
    was_approved = seen & (curated["Signer ID"].map(
        before["Status"] if before is not None else {}) == "Approved")
    late_ready = curated[(curated["Late Signer"] == "Yes") & (curated["Status"] == "Approved")
                         & ~was_approved]
    return Digest(at, since, new, needs_review, totals, skipped,
                  skip_reasons=skip_reasons or {}, late_ready=late_ready,
                  edited=_edited(curated[seen], before),
                  previous_totals=dict(previous_totals) if previous_totals else None,
                  signers=curated, published=published)


def _edited(known: pd.DataFrame, before: pd.DataFrame | None) -> pd.DataFrame:
    """Signers already reported whose responses changed: a later Last Updated or more
    responses behind them."""
    if before is None or known.empty:
        return known.iloc[0:0]
    old = before.loc[known["Signer ID"]]
    later = known["Last Updated"].astype(str).to_numpy() > old["Last Updated"].astype(
        str).to_numpy()
    more = known["Responses"].astype(int).to_numpy() != pd.to_numeric(
        old["Responses"], errors="coerce").fillna(0).astype(int).to_numpy()
    return known[later | more]


def shown_name(row: Mapping[str, Any]) -> str:
    """The name the letter prints: `Listed As` when a reviewer set it, else Name."""
    return str(row["Listed As"] or row["Name"])


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def stamp(moment: dt.datetime | None) -> str:
    """A digest's time as people read it, with its zone ("2021-12-06 09:00 EST")."""
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip() if moment else ""
