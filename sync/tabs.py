"""Tab mistakes a newcomer makes, found before anything is written (`run` and `check`).

* The response tab the job names is not there ("Responses" after a rename, a typo): a
  config error naming the tabs there are and the closest, not a run to try again.
* The curated tab is not there but another tab is plainly signer-sync's own curated tab
  (staff renamed it): starting a fresh tab would report every signer as new and leave the
  reviewers' decisions behind in the old one, so the run stops and says what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sync.backends import Book
from sync.config import ALIASES_TAB, JobConfig
from sync.errors import ConfigError
from sync.names import closest, fold

# The columns that make a tab recognizably a curated tab signer-sync wrote.
CURATED_SIGNATURE = ("Signer ID", "Status", "Listed As", "Reviewer Note")


def missing_source_tab(job: JobConfig, book: Book) -> ConfigError:
    """The error for a `[source] tab` that `book` does not have."""
    names = book.tab_names()
    near = closest(job.source.tab, names)
    there = ", ".join(repr(t) for t in names) or "none"
    hint = f"; the closest is {near!r}" if near else ""
    return ConfigError(
        f"{job.name}: tab {job.source.tab!r} not found in {book.description}; tabs there: "
        f"{there}{hint}; set [source] tab in {job.file} to the name of the form's response "
        "tab")


def renamed_curated_tabs(job: JobConfig, target: Book) -> list[str]:
    """The tabs of `target` that look like signer-sync's curated tab, when the configured
    one is missing. Reads only header rows, and only of tabs the job does not name."""
    named = [job.target.digest_tab, job.target.letter_tab, ALIASES_TAB]
    if job.same_book:
        named.append(job.source.tab)
    keys = {fold(n) for n in named}
    others = [t for t in target.tab_names() if fold(t) not in keys]
    if not others:
        return []
    headers = _headers(target, others)
    want = {fold(c) for c in CURATED_SIGNATURE}
    return [t for t in others if want <= {fold(h) for h in headers.get(t) or []}]


def renamed_curated_error(job: JobConfig, target: Book, found: Sequence[str]) -> ConfigError:
    tab = job.target.curated_tab
    which = " and ".join(repr(t) for t in found)
    look = "looks" if len(found) == 1 else "look"
    return ConfigError(
        f"{job.name}: tab {tab!r} is not in {target.description}, but tab {which} {look} "
        f"like signer-sync's curated tab (columns {', '.join(CURATED_SIGNATURE)}); nothing "
        f"was written, so the reviewers' decisions stay where they are: rename the tab back "
        f"to {tab!r}, or set curated_tab = \"{found[0]}\" under [target] in {job.file}")


def check_curated_not_renamed(job: JobConfig, target: Book) -> None:
    found = renamed_curated_tabs(job, target)
    if found:
        raise renamed_curated_error(job, target, found)


def _headers(book: Any, tabs: Sequence[str]) -> dict[str, list[str] | None]:
    if hasattr(book, "read_headers"):  # the spreadsheet backends read only the first row
        return book.read_headers(tabs)  # type: ignore[no-any-return]
    return {t: None if f is None else [str(c) for c in f.columns]
            for t, f in book.read(tabs).items()}
