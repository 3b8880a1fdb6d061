"""Pointing the Sheets API somewhere else: a fake server in tests, or any Sheets emulator.

`SIGNER_SYNC_SHEETS_ENDPOINT=http://127.0.0.1:8000` sends every request meant for
https://sheets.googleapis.com to that base URL instead, keeping path and query.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest, Response
from requests.utils import should_bypass_proxies

GOOGLE_SHEETS_ORIGIN = "https://sheets.googleapis.com"
ENDPOINT_ENV_VAR = "SIGNER_SYNC_SHEETS_ENDPOINT"


def validate_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"not a usable API base URL: {base_url!r}")
    return base_url.rstrip("/")


class EndpointAdapter(HTTPAdapter):
    """A transport adapter that sends requests meant for `origin` (Google's Sheets API) to
    `base_url` instead, keeping path and query: https://sheets.googleapis.com/v4/... ->
    http://127.0.0.1:8000/v4/....

    gspread builds its URLs from module constants imported by name into several modules,
    so patching gspread.urls changes nothing; rewriting at the transport layer catches
    every request. Mount it on any requests.Session, including google-auth's
    AuthorizedSession (see `mount_endpoint`)."""

    def __init__(self, base_url: str, *, origin: str = GOOGLE_SHEETS_ORIGIN, **kwargs: Any) -> None:
        self.base_url = validate_base_url(base_url)
        self.origin = origin.rstrip("/")
        super().__init__(**kwargs)

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        url = request.url or ""
        if url == self.origin or url.startswith(self.origin + "/"):
            request.url = self.base_url + url[len(self.origin) :]
            # Proxies were chosen for Google's host; re-decide for the new one (NO_PROXY).
            if proxies and should_bypass_proxies(request.url, no_proxy=proxies.get("no_proxy")):
                proxies = {}
        return super().send(
            request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
        )


def mount_endpoint(
    session: requests.Session, base_url: str, *, origin: str = GOOGLE_SHEETS_ORIGIN
) -> requests.Session:
    """Route `session`'s requests for `origin` to `base_url`; returns the session."""
    session.mount(origin.rstrip("/") + "/", EndpointAdapter(base_url, origin=origin))
    return session


def endpoint_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The Sheets endpoint override from SIGNER_SYNC_SHEETS_ENDPOINT, if set."""
    value = (os.environ if environ is None else environ).get(ENDPOINT_ENV_VAR, "").strip()
    return validate_base_url(value) if value else None
