"""An .xlsx workbook standing in for the Google spreadsheet (offline demo, tests, exports).

A write builds the new workbook in a temporary file beside the old one and then swaps it
in (`os.replace` is atomic on one filesystem), so a crash mid-save never leaves a broken
workbook. Only the written tabs' worksheets are rebuilt (xlsx_parts); every other tab
reaches the new file byte for byte. Reads use calamine.

Staff may have the workbook open while a run is going. Each read remembers which version
of the file it read (modification time, size and a hash); a write that finds the file
changed since (staff saved it) builds on the newer file, taking the reviewers' edits made
in between into the rows it writes (xlsx_merge), and a save that lands while the new file
is being built makes the write start over on it. The new file keeps the old one's
permission bits (and, run as root, its owner).

A tab is found by `sync.names.find_tab` ("Curated signers" is the existing "Curated
Signers"), and written under its existing title: Excel tab names ignore case, so a second
tab differing only in case would be one a person reads as the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

import pandas as pd
from openpyxl import Workbook
from python_calamine import CalamineError, CalamineWorkbook

from sync.backends.base import TabWrite, display_path, frame_from_rows, unique_headers
from sync.backends.sniff import xlsx_problem
from sync.backends.xlsx_merge import with_newer
from sync.backends.xlsx_parts import worksheet_parts, write_package
from sync.errors import BackendError
from sync.names import find_tab
from sync.own_files import refuse_link

# A save that keeps landing while the new file is built: give up (the run fails and is
# retried) rather than loop.
ATTEMPTS = 3
# tempfile.mkstemp's names: the prefix, 8 characters of its alphabet, the suffix
_TEMP_CHARACTERS = "[a-z0-9_]{8}"


@dataclass(frozen=True)
class Version:
    """Which version of the file a run saw."""

    mtime_ns: int
    size: int
    sha256: str


class WorkbookBook:
    def __init__(self, path: Path, *, before_replace: Callable[[], None] | None = None) -> None:
        """`before_replace` runs after the new file is built, just before it is swapped in
        (tests use it to save the workbook the way staff would at that moment)."""
        self.path = path
        self.description = display_path(path)
        self.before_replace = before_replace
        self._read_version: Version | None = None  # of the file last read or written

    def read(self, tabs: Sequence[str]) -> dict[str, pd.DataFrame | None]:
        self._remove_leftovers()
        try:
            with self.path.open("rb") as handle:
                self._read_version = _version(handle)
                return _frames(handle, tabs, self.path)
        except FileNotFoundError:
            self._read_version = None
            return dict.fromkeys(tabs)

    def read_headers(self, tabs: Sequence[str]) -> dict[str, list[str] | None]:
        """Only the header row of each tab (None for a missing one)."""
        try:
            with self.path.open("rb") as handle:
                book = _calamine(handle, self.path)
        except FileNotFoundError:
            return dict.fromkeys(tabs)
        try:
            found = {tab: find_tab(tab, book.sheet_names, self.description) for tab in tabs}
            return {tab: unique_headers(
                (book.get_sheet_by_name(name).to_python(nrows=1) or [[]])[0])
                if name is not None else None for tab, name in found.items()}
        except CalamineError as exc:
            raise BackendError(f"{self.path} is not a readable .xlsx workbook ({exc})") from None
        finally:
            book.close()

    def tab_names(self) -> list[str]:
        try:
            with self.path.open("rb") as handle:
                book = _calamine(handle, self.path)
        except FileNotFoundError:
            return []
        try:
            return list(book.sheet_names)
        finally:
            book.close()

    def write(self, writes: Sequence[TabWrite]) -> None:
        """Build the new workbook on the file as it is now (with the reviewers' edits made
        since the read), and swap it in unless the file changed again meanwhile."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        refuse_link(self.path, "the workbook signer-sync writes")
        self._remove_leftovers()
        for _ in range(ATTEMPTS):
            try:
                with self.path.open("rb") as handle:
                    base = _version(handle)
                    names = _sheet_names(handle, self.path)
                    existing = [replace(w, tab=find_tab(w.tab, names, self.description) or w.tab)
                                for w in writes]
                    changes = self._newer_edits(existing, handle, base)
                    if self._attempt(changes, handle, base):
                        return
            except FileNotFoundError:
                if self._attempt(writes, None, None):
                    return
        raise BackendError(f"{self.path} kept changing while signer-sync was writing it "
                           "(someone saving it again and again?); nothing was written, "
                           "run again")

    def _newer_edits(self, writes: Sequence[TabWrite], handle: IO[bytes],
                     base: Version) -> list[TabWrite]:
        """`writes`, with what staff saved into the file since the run read it."""
        if base == self._read_version or not any(w.read_as is not None for w in writes):
            return list(writes)
        tabs = [w.tab for w in writes if w.read_as is not None]
        handle.seek(0)
        newer = _frames(handle, tabs, self.path)
        return [with_newer(w, newer.get(w.tab)) if w.read_as is not None else w
                for w in writes]

    def _attempt(self, writes: Sequence[TabWrite], handle: IO[bytes] | None,
                 base: Version | None) -> bool:
        """Build the new file on `handle` (the file as it is, None when there is none) and
        swap it in; False, writing nothing, when the file changed meanwhile."""
        fd, temp = tempfile.mkstemp(prefix=self._temp_prefix, suffix=".xlsx",
                                    dir=self.path.parent)  # O_CREAT | O_EXCL | O_NOFOLLOW
        try:
            with os.fdopen(fd, "w+b") as out:
                self._build(writes, handle, out)
                _keep_permissions(out.fileno(), handle)
                out.flush()
                os.fsync(out.fileno())
                if self.before_replace is not None:
                    self.before_replace()
                if self._current() != base:
                    return False
                if not os.path.samestat(os.fstat(out.fileno()), os.lstat(temp)):
                    raise BackendError(f"the temporary file {temp} was replaced while "
                                       "signer-sync was writing it; nothing was written")
                os.replace(temp, self.path)
                self._read_version = _version(out)
        except OSError as exc:
            raise BackendError(f"cannot save {self.path} ({exc.strerror or exc})") from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        return True

    def _build(self, writes: Sequence[TabWrite], handle: IO[bytes] | None,
               out: IO[bytes]) -> None:
        if handle is None:
            write_package(zipfile.ZipFile(_skeleton(writes)), out, writes,
                          created={w.tab for w in writes})
            return
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                write_package(archive, out, writes)
        except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError,
                ElementTree.ParseError) as exc:
            raise BackendError(
                f"{self.path} is not a readable .xlsx workbook ({exc})") from None

    def _current(self) -> Version | None:
        try:
            with self.path.open("rb") as handle:
                return _version(handle)
        except FileNotFoundError:
            return None

    @property
    def _temp_prefix(self) -> str:
        return f".{self.path.stem}-"

    def _remove_leftovers(self) -> None:
        """Delete the temporary files an earlier write of this workbook left when it was
        killed (they hold every signer's name and email): only regular files of this
        process's user named exactly as this backend names them."""
        pattern = re.compile(re.escape(self._temp_prefix) + _TEMP_CHARACTERS + r"\.xlsx")
        try:
            names = os.listdir(self.path.parent)
        except FileNotFoundError:
            return
        for name in names:
            if not pattern.fullmatch(name):
                continue
            leftover = self.path.parent / name
            with contextlib.suppress(FileNotFoundError):
                info = os.lstat(leftover)
                if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
                    leftover.unlink()


def _version(handle: IO[bytes]) -> Version:
    info = os.fstat(handle.fileno())
    handle.seek(0)
    return Version(info.st_mtime_ns, info.st_size, hashlib.file_digest(handle, "sha256")
                   .hexdigest())


def _sheet_names(handle: IO[bytes], path: Path) -> list[str]:
    """The tabs' names from the workbook's index alone (no cells are read)."""
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            return list(worksheet_parts(archive, None).values())
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise BackendError(f"{path} is not a readable .xlsx workbook ({exc})") from None


def _frames(handle: IO[bytes], tabs: Sequence[str], path: Path
            ) -> dict[str, pd.DataFrame | None]:
    # calamine (Rust) reads a big tab about ten times faster than openpyxl's read-only
    # mode; like `data_only`, it gives a formula's last computed value.
    handle.seek(0)
    book = _calamine(handle, path)
    try:
        found = {tab: find_tab(tab, book.sheet_names, display_path(path)) for tab in tabs}
        return {
            tab: frame_from_rows(book.get_sheet_by_name(name).to_python(
                skip_empty_area=False)) if name is not None else None
            for tab, name in found.items()
        }
    except CalamineError as exc:
        raise BackendError(f"{path} is not a readable .xlsx workbook ({exc})") from None
    finally:
        book.close()


def _calamine(handle: IO[bytes], path: Path) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(handle)
    except (OSError, CalamineError) as exc:
        problem = xlsx_problem(path, display_path(path))
        if problem is not None:  # a csv, a zip, an empty file...: say which
            raise problem from None
        raise BackendError(f"{path} is not a readable .xlsx workbook ({exc})") from None


def _skeleton(writes: Sequence[TabWrite]) -> io.BytesIO:
    """A new workbook with the written tabs, empty (openpyxl writes the package parts)."""
    book = Workbook()
    book.remove(book.active)
    for change in writes:
        if change.tab not in book.sheetnames:
            book.create_sheet(change.tab)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _keep_permissions(fd: int, original: IO[bytes] | None) -> None:
    """The new file gets the old one's permission bits (mkstemp makes it 0600), and its
    owner and group when running as root; a new workbook gets what the umask allows."""
    if original is None:
        umask = os.umask(0o022)  # os.umask is the only way to read it: set, then put back
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        return
    info = os.fstat(original.fileno())
    if os.geteuid() == 0:
        os.fchown(fd, info.st_uid, info.st_gid)
    os.fchmod(fd, stat.S_IMODE(info.st_mode))
