"""Google credentials for the Sheets and Forms backends.

Where they come from, in order: the job's `credentials` key file, the file named by
GOOGLE_APPLICATION_CREDENTIALS, Application Default Credentials. When the Sheets endpoint
is pointed elsewhere (SIGNER_SYNC_SHEETS_ENDPOINT) and none of the first two is set,
requests go out unauthenticated, for the tests' fake server and Sheets emulators.

Messages name the file and what is wrong with it, never its contents.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import google.auth
from google.auth.credentials import Credentials
from google.auth.exceptions import DefaultCredentialsError
from google.oauth2 import service_account

from sync.backends.endpoint import endpoint_from_env
from sync.errors import ConfigError

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/forms.body.readonly",
    "https://www.googleapis.com/auth/forms.responses.readonly",
)
KEY_ENV_VAR = "GOOGLE_APPLICATION_CREDENTIALS"


@dataclass(frozen=True)
class GoogleAuth:
    """Loaded credentials (None: unauthenticated), the account's email if known, and where
    they came from, for `check` and for messages."""

    credentials: Credentials | None
    email: str | None
    origin: str

    @property
    def who(self) -> str:
        """The account as a message names it."""
        if self.email:
            return f"the service account {self.email}"
        return "these credentials" if self.credentials else "an unauthenticated client"


def load_auth(path: Path | None, environ: Mapping[str, str] | None = None) -> GoogleAuth:
    env = os.environ if environ is None else environ
    if path is not None:
        return _from_file(path, f"key file {path}", "`credentials` in the job file")
    from_env = env.get(KEY_ENV_VAR, "").strip()
    if from_env:
        return _from_file(Path(from_env), f"key file {from_env}", f"{KEY_ENV_VAR}")
    if endpoint_from_env(env):
        return GoogleAuth(None, None, "none (SIGNER_SYNC_SHEETS_ENDPOINT is set)")
    try:
        credentials, _project = google.auth.default(scopes=list(SCOPES))
    except DefaultCredentialsError:
        raise ConfigError(
            "no Google credentials found: set `credentials = \"path/to/key.json\"` in the job's "
            f"[source], or {KEY_ENV_VAR}, to a service-account key file (see README, "
            "\"Connecting to Google Sheets\")"
        ) from None
    email = getattr(credentials, "service_account_email", None)
    return GoogleAuth(credentials, email if isinstance(email, str) else None,
                      "Application Default Credentials")


def _from_file(path: Path, origin: str, named_by: str) -> GoogleAuth:
    fix = ("download a new JSON key for the service account (Google Cloud console → IAM → "
           "Service accounts → Keys → Add key → JSON)")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"credentials file {path} (named by {named_by}) does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read credentials file {path} ({type(exc).__name__})") from None
    except ValueError:
        raise ConfigError(f"credentials file {path} is not a JSON key file; {fix}") from None
    if not isinstance(info, dict):
        raise ConfigError(f"credentials file {path} is not a JSON key file; {fix}")
    kind = info.get("type")
    if kind == "service_account":
        try:
            credentials = service_account.Credentials.from_service_account_info(
                info, scopes=list(SCOPES))
        except (ValueError, KeyError) as exc:
            # The library's message names missing fields; a key parsing error says nothing
            # about the key's bytes. Neither is echoed for anything but field names.
            missing = [k for k in ("client_email", "token_uri", "private_key") if k not in info]
            detail = f"missing {', '.join(missing)}" if missing else "its private key is not valid"
            raise ConfigError(
                f"credentials file {path} is not a usable service-account key ({detail}); {fix}"
            ) from type(exc)(type(exc).__name__)
        return GoogleAuth(credentials, credentials.service_account_email, origin)
    if kind == "authorized_user":
        try:
            credentials, _project = google.auth.load_credentials_from_file(
                str(path), scopes=list(SCOPES))
        except DefaultCredentialsError:
            raise ConfigError(f"credentials file {path} is not a usable user credential; "
                              f"{fix}") from None
        return GoogleAuth(credentials, None, origin)
    raise ConfigError(
        f"credentials file {path} is not a service-account key (its \"type\" is {kind!r}, "
        f"expected \"service_account\"); {fix}"
    )
