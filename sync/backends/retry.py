"""Retrying Google API calls: bounded exponential backoff with jitter, on transient errors.

Transient means 408, 429 or 5xx, judged from the JSON error body's `error.code` (what
Google sends) and, for bodies that are not JSON (a proxy's HTML 502), the HTTP status.
400/401/403/404 are never retried: they need a person.

Every call wrapped here is safe to repeat: reads change nothing, and signer-sync writes
only with values.batchUpdate to fixed ranges and spreadsheets.batchUpdate layout requests
that are checked against the metadata before they are sent, so a retried write whose first
attempt landed (answer lost on the way back) writes the same cells again.

gspread 6.2.1's BackOffHTTPClient is not used: its retry cap never triggers and it never
retries a non-JSON 502.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
import tenacity

log = logging.getLogger("sync")
T = TypeVar("T")

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})


def error_code(response: requests.Response | None) -> int | None:
    """The error's code: `error.code` of Google's JSON body, else the HTTP status."""
    if response is None:
        return None
    return _code(response.text, response.status_code)


def _code(text: str | bytes, status: int) -> int:
    try:
        body = json.loads(text)
    except ValueError:
        return status
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, int) else status


def failure_code(exc: BaseException) -> int | None:
    """The code of a failed Google API call: gspread's APIError (a requests response) or
    google-api-python-client's HttpError (an httplib2 response and its content)."""
    response = getattr(exc, "response", None)
    if isinstance(response, requests.Response):
        return error_code(response)
    resp = getattr(exc, "resp", None)
    status = getattr(resp, "status", None)
    if isinstance(status, int):
        return _code(getattr(exc, "content", b"") or b"", status)
    return None


def is_transient(exc: BaseException) -> bool:
    """True for failures worth repeating: rate limits, timeouts, server errors, dropped
    connections."""
    if isinstance(exc, requests.ConnectionError | requests.Timeout | ConnectionError
                  | TimeoutError):
        return True
    code = failure_code(exc)
    return code is not None and (code in TRANSIENT_STATUS or 500 <= code < 600)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. `sleep` is injectable so tests never wait on the wall clock."""

    attempts: int = 5
    max_delay: float = 120.0
    initial_wait: float = 1.0
    max_wait: float = 32.0
    sleep: Callable[[float], None] = tenacity.nap.sleep

    def call(self, what: str, work: Callable[[], T]) -> T:
        """`work()`, repeated on transient failures; the last failure is re-raised."""
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts)
            | tenacity.stop_after_delay(self.max_delay),
            wait=tenacity.wait_exponential_jitter(initial=self.initial_wait, max=self.max_wait),
            retry=tenacity.retry_if_exception(is_transient),
            sleep=self.sleep,
            before_sleep=lambda state: log.info(
                "%s failed (%s); trying again (attempt %d of %d)",
                what, _short(state.outcome.exception() if state.outcome else None),
                state.attempt_number + 1, self.attempts,
            ),
            reraise=True,
        )
        return retrying(work)


# The policy a GoogleBook uses unless given one; tests replace it with one that never sleeps.
DEFAULT = RetryPolicy()


def _short(exc: BaseException | None) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, requests.Response):
        return f"HTTP {response.status_code}"
    return type(exc).__name__
