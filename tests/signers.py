"""Fixed curated states for digest and letter tests: rows written by hand, not by the
pipeline, so the expectations do not come from the code under test."""

from __future__ import annotations

import pandas as pd

from sync.curate import CURATED_COLUMNS


def org(signer_id: str, name: str, *, scope: str = "National", status: str = "Approved",
        listed_as: str = "", first: str = "2021-10-20T10:00:00", last: str = "",
        late: str = "No", flags: str = "", email: str = "", responses: int = 1,
        sort: str = "") -> dict[str, object]:
    return _row(signer_id, "Organization", name, listed_as=listed_as, scope=scope,
                status=status, first=first, last=last or first, late=late, flags=flags,
                email=email or f"contact@{signer_id.lower()}.example.org",
                responses=responses, sort=sort or name.casefold().removeprefix("the "))


def person(signer_id: str, name: str, affiliation: str = "", *, sort: str,
           status: str = "Approved", listed_as: str = "", first: str = "2021-10-20T10:00:00",
           last: str = "", late: str = "No", flags: str = "", email: str = "",
           responses: int = 1) -> dict[str, object]:
    return _row(signer_id, "Individual", name, listed_as=listed_as, affiliation=affiliation,
                status=status, first=first, last=last or first, late=late, flags=flags,
                email=email or f"{signer_id.lower()}@mail.example.com", responses=responses,
                sort=sort)


def _row(signer_id: str, kind: str, name: str, *, listed_as: str = "", affiliation: str = "",
         scope: str = "", status: str, first: str, last: str, late: str, flags: str,
         email: str, responses: int, sort: str) -> dict[str, object]:
    return {
        "Signer ID": signer_id, "Type": kind, "Name": name, "Listed As": listed_as,
        "Affiliation": affiliation, "Scope": scope, "Outside U.S.": "No", "Flags": flags,
        "Status": status, "Reviewer Note": "", "Email": email, "First Signed": first,
        "Last Updated": last, "Late Signer": late, "Can Amplify": "", "Partner Orgs": "",
        "Responses": responses, "_sort": sort,
    }


def curated(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=[*CURATED_COLUMNS, "_sort"])


def snapshot(frame: pd.DataFrame) -> pd.DataFrame:
    """What the state keeps of a digest: the snapshot columns."""
    return frame.loc[:, ["Signer ID", "Type", "Name", "Status", "Last Updated", "Responses"]]
