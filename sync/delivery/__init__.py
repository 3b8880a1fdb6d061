"""Sending the digest by email: compose once, keep it in the state's outbox, send what is
waiting.

A digest's email is composed when the digest is made and stored whole in the outbox (see
`State.commit_digest`). `deliver_pending` then tries every email still waiting, oldest
first, with the job's transport (`smtp` or `gmail`). A failure is recorded and reported,
never raised: the digest files and tabs are already written, and the email is tried again
on the next run, or given up on after GIVE_UP_AFTER attempts when it cannot pass by itself
(the error's `transient` flag says which).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage

from sync.config import JobConfig
from sync.errors import SyncError
from sync.state import Outgoing, State

log = logging.getLogger("sync")
Transport = Callable[[EmailMessage], None]
# Attempts at an email that fails for a reason that does not pass by itself (a refused
# login, an unknown server): enough for a person to notice and fix it over a few hourly
# runs, few enough not to repeat the same complaint all week.
GIVE_UP_AFTER = 5


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
    """Send every digest email waiting in the outbox; return a line per email not sent.

    Nothing here raises: a run's syncing and digest are done by now, and an email that
    cannot go out must not fail them. A passing failure (the server is down or busy) is
    retried on every run; one that will not pass by itself (a refused login or recipient,
    an unknown server) is given up after GIVE_UP_AFTER attempts, saying what to fix.
    """
    waiting = state.pending_mail()
    if not waiting or job.email is None:
        return []
    try:
        send = transport or transport_for(job)
    except SyncError as exc:
        send, unusable = None, exc
    lines: list[str] = []
    for mail in waiting:
        try:
            if send is None:
                raise unusable
            message = message_from_bytes(mail.message, policy=policy.default)
            assert isinstance(message, EmailMessage)
            send(message)
        except SyncError as exc:
            lines.append(_failed(job, state, mail, str(exc), exc.transient, now))
            continue
        except Exception as exc:
            # Only the error's type: its text may quote what was being encoded or sent.
            lines.append(_failed(job, state, mail, f"unexpected {type(exc).__name__} while "
                                 "sending", False, now))
            continue
        state.mail_sent(mail.id, now)
        log.info("emailed the digest of %s to %s", mail.digest_at, message["To"])
    return lines


def _failed(job: JobConfig, state: State, mail: Outgoing, error: str, transient: bool,
            now: dt.datetime) -> str:
    """Record one failed attempt and say what happens next."""
    attempt = mail.attempts + 1
    made = dt.datetime.fromisoformat(mail.digest_at).strftime("%Y-%m-%d %H:%M")
    head = f"{job.name}: the digest email of {made} was not sent ({error})"
    if transient:
        state.mail_failed(mail.id, error)
        return f"{head}; it is kept and will be sent on the next run (attempt {attempt})"
    if attempt < GIVE_UP_AFTER:
        state.mail_failed(mail.id, error)
        return (f"{head}; fix that and it is sent on the next run (attempt {attempt} of "
                f"{GIVE_UP_AFTER}, then it is given up)")
    state.mail_failed(mail.id, error, give_up_at=now)
    return (f"{head}; gave up after {attempt} attempts: fix that for the next digests, and "
            f"send this one by hand from {job.digest_dir} (its .html file)")
