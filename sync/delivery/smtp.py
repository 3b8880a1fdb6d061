"""Sending over SMTP with STARTTLS; the login comes from environment variables."""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from sync.config import SMTP_PASSWORD_ENV, SMTP_USERNAME_ENV, EmailConfig
from sync.delivery import DeliveryError

log = logging.getLogger("sync")


@dataclass
class SmtpTransport:
    host: str
    port: int
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    tls_context: ssl.SSLContext | None = None
    timeout: float = 30

    @classmethod
    def from_config(cls, email: EmailConfig, environ: Mapping[str, str] | None = None,
                    tls_context: ssl.SSLContext | None = None) -> SmtpTransport:
        environ = os.environ if environ is None else environ
        username, password = environ.get(SMTP_USERNAME_ENV), environ.get(SMTP_PASSWORD_ENV)
        if bool(username) != bool(password):
            raise DeliveryError(f"set both {SMTP_USERNAME_ENV} and {SMTP_PASSWORD_ENV} to log "
                                "in to the mail server, or neither to send without logging in")
        assert email.smtp_host is not None
        return cls(email.smtp_host, email.smtp_port, email.starttls, username or None,
                   password or None, tls_context)

    def __call__(self, message: EmailMessage) -> None:
        where = f"{self.host}:{self.port}"
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
                if self.starttls:
                    server.starttls(context=self.tls_context or ssl.create_default_context())
                if self.username and self.password:
                    _login(server, self.username, self.password)
                refused = server.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"the mail server {where} refused the login in {SMTP_USERNAME_ENV} "
                f"({exc.smtp_code}): set the right {SMTP_USERNAME_ENV} and "
                f"{SMTP_PASSWORD_ENV} (for Gmail, an app password)", transient=_passing(exc)
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(f"the mail server {where} does not offer STARTTLS; set "
                                "starttls = false in [email] only for a trusted local relay"
                                ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _reply in exc.recipients.values()]
            raise DeliveryError(
                f"the mail server {where} refused the recipients "
                f"{', '.join(sorted(exc.recipients))} ({', '.join(map(str, codes))}): fix "
                "`to` in [email]", transient=all(400 <= code < 500 for code in codes)
            ) from None
        except smtplib.SMTPSenderRefused as exc:
            raise DeliveryError(
                f"the mail server {where} refused the sender {exc.sender} ({exc.smtp_code}): "
                "fix `from` in [email] (an address the server lets you send as)",
                transient=_passing(exc)) from None
        except socket.gaierror as exc:
            if exc.errno in _NO_SUCH_HOST:
                raise DeliveryError(f"there is no mail server called {self.host}: fix "
                                    "`smtp_host` in [email]") from None
            raise DeliveryError(f"cannot look up the mail server {self.host} ({exc.strerror})",
                                transient=True) from None
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(
                f"the certificate of the mail server {where} is not valid for it "
                f"({exc.verify_message}): check `smtp_host` in [email]") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"cannot send through {where} ({exc})",
                                transient=not isinstance(exc, smtplib.SMTPResponseException)
                                or _passing(exc)) from None
        if refused:
            # The others got it: sending again would send them a second copy.
            log.warning("the mail server %s refused %s", where, ", ".join(sorted(refused)))


# getaddrinfo's answers for a name that does not exist (rather than a resolver that is
# down for now, EAI_AGAIN, which is worth retrying).
_NO_SUCH_HOST = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


def _passing(exc: smtplib.SMTPResponseException) -> bool:
    """A 4xx reply means "try again later"; 5xx, that it will not work as it is."""
    return 400 <= exc.smtp_code < 500


def _login(server: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; a login smtplib cannot send is refused here, saying which variable to fix.

    smtplib encodes the login as ASCII, so a password with "é" raised a UnicodeEncodeError
    whose text quotes the character and its position in the password.
    """
    for name, value in ((SMTP_USERNAME_ENV, username), (SMTP_PASSWORD_ENV, password)):
        if not value.isascii():
            raise DeliveryError(
                f"{name} holds a character that is not plain ASCII (an accent, say), which "
                f"an SMTP login cannot carry: set {name} to ASCII letters, digits and "
                "punctuation only (an app password is)")
    server.login(username, password)
