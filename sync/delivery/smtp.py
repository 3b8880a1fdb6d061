"""Sending over SMTP with STARTTLS; the login comes from environment variables."""

from __future__ import annotations

import logging
import os
import smtplib
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
                    server.login(self.username, self.password)
                refused = server.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"the mail server {where} refused the login in "
                                f"{SMTP_USERNAME_ENV} ({exc.smtp_code})") from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(f"the mail server {where} does not offer STARTTLS; set "
                                "starttls = false in [email] only for a trusted local relay"
                                ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"cannot send through {where} ({exc})", transient=True
                                ) from None
        if refused:
            # The others got it: sending again would send them a second copy.
            log.warning("the mail server %s refused %s", where, ", ".join(sorted(refused)))
