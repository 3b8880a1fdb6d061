"""A Google Form read through the Forms API, for forms without a linked response sheet.

`forms.get` gives the question titles, `forms.responses.list` (paged) the answers. The
result looks like the form's response sheet: `Timestamp`, `Email Address`, then one column
per question titled as the question, checkbox answers joined with ", " as Sheets does. The
timestamp is `lastSubmittedTime` (an edited response carries its latest edit), in UTC.

A form is read-only here; the curated and digest tabs go to a `[target]` spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from sync.backends.base import TabWrite, frame_from_rows
from sync.backends.google_auth import GoogleAuth, load_auth
from sync.backends.retry import DEFAULT, RetryPolicy, failure_code, is_transient
from sync.errors import BackendError, ConfigError

T = TypeVar("T")
_EDIT_URL = re.compile(r"/forms/d/([A-Za-z0-9_-]+)")
_PUBLIC_URL = re.compile(r"/forms/d/e/")
_ID = re.compile(r"[A-Za-z0-9_-]{20,}")
PAGE_SIZE = 5000


def form_id(form: str) -> str:
    """The form's id from its edit URL or the id itself."""
    text = form.strip()
    if _PUBLIC_URL.search(text):
        raise ConfigError(
            f"{form!r} is the form's public link; use the address of the form's edit page "
            "(https://docs.google.com/forms/d/ID/edit)")
    match = _EDIT_URL.search(text)
    if match:
        return match.group(1)
    if _ID.fullmatch(text):
        return text
    raise ConfigError(f"{form!r} is neither a Google Forms edit URL nor a form id")


class FormsBook:
    def __init__(self, form: str, credentials: Path | None = None, *,
                 tab: str = "Form Responses 1", retry: RetryPolicy | None = None,
                 http: Any = None) -> None:
        self.form_id = form_id(form)
        self.tab = tab
        self.description = f"Google Form {self.form_id}"
        self.retry = retry or DEFAULT
        self._credentials_path = credentials
        self._http = http
        self._auth: GoogleAuth | None = None
        self._service: Any = None

    @property
    def auth(self) -> GoogleAuth:
        if self._auth is None:
            self._auth = load_auth(self._credentials_path)
        return self._auth

    @property
    def service(self) -> Any:
        if self._service is None:
            from googleapiclient.discovery import build

            if self._http is not None:
                self._service = build("forms", "v1", http=self._http, static_discovery=True)
            else:
                self._service = build("forms", "v1", credentials=self.auth.credentials,
                                      static_discovery=True, cache_discovery=False)
        return self._service

    def tab_names(self) -> list[str]:
        return [self.tab]

    def read(self, tabs: Sequence[str]) -> dict[str, pd.DataFrame | None]:
        rows = self.rows()
        return {tab: frame_from_rows(rows) if tab == self.tab else None for tab in tabs}

    def read_header(self, tab: str) -> list[str] | None:
        """The columns the responses will have, from `forms.get` alone (for `check`)."""
        if tab != self.tab:
            return None
        return ["Timestamp", "Email Address", *self._questions().values()]

    def write(self, writes: Sequence[TabWrite]) -> None:
        raise BackendError(f"{self.description} is read-only; set a [target] spreadsheet")

    def rows(self) -> list[list[str]]:
        questions = self._questions()
        header = ["Timestamp", "Email Address", *questions.values()]
        answers = sorted(self._responses(), key=lambda r: r.get("lastSubmittedTime", ""))
        rows: list[list[str]] = [header]
        for answer in answers:
            given = answer.get("answers", {})
            rows.append([
                _timestamp(answer.get("lastSubmittedTime") or answer.get("createTime", "")),
                answer.get("respondentEmail", ""),
                *(_text(given.get(question_id, {})) for question_id in questions),
            ])
        return rows

    def _questions(self) -> dict[str, str]:
        """{question id: column title} in the form's order."""
        form = self._call(lambda: self.service.forms().get(formId=self.form_id).execute())
        questions: dict[str, str] = {}
        for item in form.get("items", []):
            title = item.get("title", "")
            if "questionItem" in item:
                questions[item["questionItem"]["question"]["questionId"]] = title
            for row in item.get("questionGroupItem", {}).get("questions", []):
                row_title = row.get("rowQuestion", {}).get("title", "")
                questions[row["questionId"]] = f"{title} [{row_title}]"
        return questions

    def _responses(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self._call(lambda token=token: self.service.forms().responses().list(
                formId=self.form_id, pageSize=PAGE_SIZE, pageToken=token).execute())
            found.extend(page.get("responses", []))
            token = page.get("nextPageToken")
            if not token:
                return found

    def _call(self, work: Callable[[], T]) -> T:
        try:
            return self.retry.call("reading the form", work)
        except Exception as exc:
            code = failure_code(exc)
            if code is None and not is_transient(exc):
                raise
            raise self._explain(exc, code) from None

    def _explain(self, exc: Exception, code: int | None) -> BackendError:
        if is_transient(exc):
            return BackendError(f"the Google Forms API kept failing ({code}); nothing was "
                                "written, run again later", transient=True)
        who = self.auth.who
        share = (f"add {self.auth.email} as a collaborator (editor) of the form"
                 if self.auth.email else "share the form with the account signer-sync runs as")
        if code in (403, 404):
            return BackendError(f"{who} cannot read {self.description}: check the form's "
                                f"address and {share}; the Google Forms API must be enabled "
                                "in the service account's project")
        return BackendError(f"Google Forms refused the request for {self.description} ({code})")


def _timestamp(value: str) -> str:
    """RFC 3339 (`2021-10-22T18:02:11.123Z`) as `2021-10-22 18:02:11 UTC`: the zone stays
    in the text, so the normalize stage converts it to the job's."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _text(answer: dict[str, Any]) -> str:
    values = answer.get("textAnswers", {}).get("answers", [])
    return ", ".join(str(v.get("value", "")) for v in values)
