"""One error hierarchy, with messages written for the staff who run the tool.

    SyncError                 anything signer-sync reports instead of a traceback (exit 1)
    ├── ConfigError           the job file or the sheet's shape is wrong; fix and rerun (exit 2)
    │   ├── HeaderError       a required question has no column in the response sheet
    │   └── PathError         a file or folder of the service's own cannot be used as it is
    ├── SourceError           the responses could not be read
    ├── BackendError          the target spreadsheet could not be read or written
    ├── StateError            the state database could not be used
    │   ├── RunInProgressError  another run of the same job holds the job's lock
    │   └── DamagedStateError   the state file is damaged; rerunning never helps (exit 2)
    └── StageError            a pipeline stage failed; names the stage, wraps the cause

`transient` marks errors worth retrying later (rate limits, timeouts, server errors):
the worker retries those on the next fire time, a person simply reruns.

`scrub` takes credentials out of any text about to be printed, logged or stored: a token
endpoint or a proxy that quotes the request puts the signed JWT assertion (or a token, a
password) in its error, and that error travels into messages. Every `SyncError` is
scrubbed when it is made; the log formatters, the CLI, the state's runs table and outbox
and `status` scrub again what reaches them by other ways.
"""

from __future__ import annotations

import re

REDACTED = "[redacted]"
# What a credential looks like in an error's text. Hand-written: no well-kept library
# scrubs free text (detect-secrets and the like scan files for a report, they do not
# rewrite a message); each pattern is one kind of credential signer-sync handles.
# A value after `key=` or `"key": `: quoted (the quotes are kept), or up to a separator.
_VALUE = r"""(?!\[redacted\])("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s&,;'"]+)"""
_CREDENTIALS: list[tuple[re.Pattern[str], str]] = [
    # PEM private keys, whole or cut short, with real or JSON-escaped newlines
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
                re.DOTALL), REDACTED),
    # a key's body without its armour: DER base64 opens with "MII"
    (re.compile(r"MII[A-Za-z0-9+/]{60,}={0,2}"), REDACTED),
    # JWTs (a service account's signed assertion, ID tokens): base64url JSON, "eyJ..."
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}"), REDACTED),
    # Google OAuth access and refresh tokens
    (re.compile(r"\bya29\.[A-Za-z0-9._-]+"), REDACTED),
    (re.compile(r"\b1//[A-Za-z0-9._-]{6,}"), REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]+"),
     rf"\1 {REDACTED}"),
    # a password in a URL: scheme://user:password@host
    (re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s@]+@"), rf"\1:{REDACTED}@"),
]
# key = value, key: value, "key": "value" for the names credentials go by
_KEY_VALUE = re.compile(
    r"""(?i)(["']?(?<![A-Za-z0-9])(?:private_key|private_key_id|client_secret|assertion|"""
    r"""(?:access|refresh|id)_token|password|passwd|pwd|secret|api_?key)["']?\s*[:=]\s*)"""
    + _VALUE)


def _redact_value(match: re.Match[str]) -> str:
    key, value = match.group(1), match.group(2)
    quote = value[0] if value[0] in "\"'" else ""
    return f"{key}{quote}{REDACTED}{quote}"


def scrub(text: str) -> str:
    """`text` with every credential it quotes replaced by "[redacted]"."""
    for pattern, replacement in _CREDENTIALS:
        text = pattern.sub(replacement, text)
    return _KEY_VALUE.sub(_redact_value, text)


class SyncError(Exception):
    """Base class: `str(error)` is a complete sentence a staff member can act on."""

    exit_code = 1

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(scrub(message))
        self.transient = transient


class ConfigError(SyncError):
    exit_code = 2


class HeaderError(ConfigError):
    """The response sheet lacks a column the job needs."""


class PathError(ConfigError):
    """A state, lock or output file is a symbolic link, or its folder is missing, not a
    folder or not writable: a person has to fix the file system, rerunning never helps."""


class SourceError(SyncError):
    pass


class BackendError(SyncError):
    pass


class StateError(SyncError):
    pass


class RunInProgressError(StateError):
    """Another run of the same job (the worker's or a person's) is running right now."""


class DamagedStateError(StateError):
    """The state file is not a sound SQLite database, or holds values no version of
    signer-sync wrote: the same error would come back on every run."""

    exit_code = 2


class StageError(SyncError):
    """Wraps an unexpected failure inside a stage so the message says where it happened."""

    def __init__(self, job: str, stage: str, cause: BaseException) -> None:
        super().__init__(f"{job}: the {stage} stage failed: {type(cause).__name__}: {cause}")
        self.stage = stage
