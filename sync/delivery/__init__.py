"""Sending the digest by email: compose once, keep it in the state's outbox, send what is
waiting.

A digest's email is composed when the digest is made and stored whole in the outbox (see
`State.commit_digest`). `deliver_pending` then tries every email still waiting, oldest
first, with the job's transport (`smtp` or `gmail`). A failure is recorded and reported,
never raised: the digest files and tabs are already written, and the email is tried again
on the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage

from sync.config import JobConfig
from sync.errors import SyncError
from sync.state import State

log = logging.getLogger("sync")
Transport = Callable[[EmailMessage], None]


class DeliveryError(SyncError):
    """An email could not be sent; the message says why, without any credential."""


def transport_for(job: JobConfig) -> Transport:
    """The job's way of sending mail, built only when there is something to send."""
    assert job.email is not None
    if job.email.via == "gmail":
        from sync.delivery.gmail import GmailTransport

        return GmailTransport.for_job(job)
    from sync.delivery.smtp import SmtpTransport

    return SmtpTransport.from_config(job.email)


def deliver_pending(job: JobConfig, state: State, now: dt.datetime,
                    transport: Transport | None = None) -> list[str]:
    """Send every digest email waiting in the outbox; return a line per failure."""
    waiting = state.pending_mail()
    if not waiting or job.email is None:
        return []
    problems: list[str] = []
    try:
        send = transport or transport_for(job)
    except SyncError as exc:
        send, problems = None, [str(exc)]
    for mail in waiting:
        if send is None:
            state.mail_failed(mail.id, problems[0])
            continue
        message = message_from_bytes(mail.message, policy=policy.default)
        assert isinstance(message, EmailMessage)
        try:
            send(message)
        except SyncError as exc:
            state.mail_failed(mail.id, str(exc))
            problems.append(str(exc))
            continue
        state.mail_sent(mail.id, now)
        log.info("emailed the digest of %s to %s", mail.digest_at, message["To"])
    if problems:
        return [f"{job.name}: the digest email was not sent ({problems[-1]}); it is kept and "
                f"will be sent on the next run ({len(waiting)} waiting)"]
    return []
