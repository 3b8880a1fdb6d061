"""The digest: what changed since the last digest, and how to show it (pure functions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from sync.curate import INDIVIDUAL, ORGANIZATION

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
            **self.totals,
        }

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
            _stamp(self.at), _stamp(self.since) if self.since else "",
            len(self.new_organizations), len(self.new_individuals), len(self.needs_review),
            self.totals["organizations"], self.totals["individuals"], self.summary,
        ]


def build_digest(curated: pd.DataFrame, previous: pd.DataFrame, at: dt.datetime,
                 since: dt.datetime | None, skipped: int = 0,
                 skip_reasons: dict[str, list[int]] | None = None) -> Digest:
    """Compare the curated signers with the snapshot the last digest reported."""
    seen = set(previous["Signer ID"]) if not previous.empty else set()
    new = curated[~curated["Signer ID"].isin(seen)]
    needs_review = curated[curated["Status"] == "Needs review"]
    totals = {
        "organizations": int((curated["Type"] == ORGANIZATION).sum()),
        "individuals": int((curated["Type"] == INDIVIDUAL).sum()),
    }
    return Digest(at, since, new, needs_review, totals, skipped, skip_reasons or {})


def render_markdown(digest: Digest, job_name: str) -> str:
    since = f"since {_stamp(digest.since)}" if digest.since else "since the form opened"
    lines = [f"# Signer digest: {job_name}", "", f"{_stamp(digest.at)}, {since}.", "",
             f"**{digest.summary}.**", ""]
    orgs = digest.new_organizations
    if not orgs.empty:
        lines += [f"## New organizations ({len(orgs)})", ""]
        for scope in SCOPE_ORDER:
            group = orgs[orgs["Scope"] == scope]
            if group.empty:
                continue
            lines += [f"### {scope}", ""]
            lines += [f"- {_shown_name(row)}" for _, row in group.iterrows()]
            lines.append("")
    people = digest.new_individuals
    if not people.empty:
        lines += [f"## New individuals ({len(people)})", ""]
        for _, row in people.iterrows():
            affiliation = f", {row['Affiliation']}" if row["Affiliation"] else ""
            lines.append(f"- {_shown_name(row)}{affiliation}")
        lines.append("")
    if digest.new.empty:
        lines += ["Nobody new signed since the last digest.", ""]
    if not digest.needs_review.empty:
        lines += [f"## Needs review ({len(digest.needs_review)})", ""]
        for _, row in digest.needs_review.iterrows():
            lines.append(f"- {row['Signer ID']} {_shown_name(row)} ({row['Type'].lower()}): "
                         f"{row['Flags'] or 'marked for review'}")
        lines.append("")
    lines += ["## Totals", "",
              f"- Organizations: {digest.totals['organizations']}",
              f"- Individuals: {digest.totals['individuals']}"]
    if digest.skipped:
        lines.append(f"- Responses skipped (blank or test entries): {digest.skipped}")
    for reason, rows in digest.skip_reasons.items():
        shown = ", ".join(str(r) for r in rows[:10]) + (", …" if len(rows) > 10 else "")
        lines.append(f"  - {reason}: {len(rows)} (sheet row{'s' if len(rows) > 1 else ''} "
                     f"{shown})")
    return "\n".join(lines) + "\n"


def _shown_name(row: pd.Series) -> str:
    return str(row["Listed As"] or row["Name"])


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _stamp(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""
