"""Sending through the Gmail API with the job's Google credentials.

A service account can send Gmail only on behalf of a Google Workspace user, through
domain-wide delegation: an administrator grants the service account the
`gmail.send` scope, and it then acts as the user in `[email] from`. A plain service
account (no delegation) has no mailbox and cannot send; use SMTP then.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sync.config import JobConfig
from sync.delivery import DeliveryError

SCOPES = ["https://www.googleapis.com/auth/gmail.send"]


@dataclass
class GmailTransport:
    service: Any  # a googleapiclient Resource for gmail v1

    @classmethod
    def for_job(cls, job: JobConfig) -> GmailTransport:
        from googleapiclient.discovery import build

        return cls(build("gmail", "v1", credentials=_credentials(job), cache_discovery=False))

    def __call__(self, message: EmailMessage) -> None:
        from googleapiclient.errors import Error as ApiError
        from googleapiclient.errors import HttpError

        raw = base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")
        try:
            self.service.users().messages().send(userId="me", body={"raw": raw}).execute()
        except HttpError as exc:
            status = exc.resp.status if exc.resp is not None else 0
            raise DeliveryError(f"the Gmail API refused the digest email (HTTP {status}: "
                                f"{exc.reason})", transient=status in (408, 429) or status >= 500
                                ) from None
        except (ApiError, OSError) as exc:
            raise DeliveryError(f"cannot reach the Gmail API ({exc})", transient=True) from None


def _credentials(job: JobConfig) -> Any:
    """The Sheets credentials of the job, acting as the `from` user (delegation)."""
    import google.auth
    from google.auth.exceptions import GoogleAuthError
    from google.oauth2 import service_account

    assert job.email is not None
    path = job.target.credentials or job.source.credentials
    try:
        if path is not None:
            credentials = service_account.Credentials.from_service_account_file(
                str(path), scopes=SCOPES)
            return credentials.with_subject(job.email.sender)
        credentials, _ = google.auth.default(scopes=SCOPES)
    except (GoogleAuthError, OSError, ValueError) as exc:
        raise DeliveryError(f"cannot load Google credentials to send Gmail ({exc})") from None
    if hasattr(credentials, "with_subject"):
        credentials = credentials.with_subject(job.email.sender)
    return credentials
