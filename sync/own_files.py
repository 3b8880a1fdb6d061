"""The files signer-sync itself creates and rewrites: the lock, the state database and the
digest, HTML and letter list files.

None of them is ever opened through a symbolic link. A link where one of them should be
would make a run truncate or overwrite whatever the link points to (the form export, say),
so it is refused with a message naming the path. The lock is opened with `O_NOFOLLOW`, so
the kernel refuses the link itself; SQLite has no such flag through Python's `sqlite3`, so
the state file (and the journal SQLite writes beside it) is checked just before it is opened.

A folder that is missing, a file where a folder should be, or a folder the service may not
write into fails the same way on every run, so it is a `PathError` (exit 2) that says what
to fix, not a retryable failure.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from sync.errors import PathError

# What a person has to fix; anything else (a full disk, an I/O error) may pass on its own.
PERMANENT = {errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.EACCES, errno.EPERM,
             errno.EROFS, errno.ELOOP, errno.ENOENT, errno.ENAMETOOLONG}


def link_refused(path: Path, what: str) -> PathError:
    return PathError(
        f"{path} ({what}) is a symbolic link; signer-sync never writes through a link, "
        "because that would overwrite the file it points to. Remove the link, or point the "
        "job file at a real file, and run again")


def refuse_link(path: Path, what: str) -> None:
    """Raise `PathError` when `path` is a symbolic link (dangling or not)."""
    if path.is_symlink():
        raise link_refused(path, what)


def open_no_follow(path: Path, flags: int, what: str, mode: int = 0o644) -> int:
    """`os.open` that refuses a symbolic link at `path` (the kernel checks, no race)."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise link_refused(path, what) from None
        raise


def make_folder(folder: Path, what: str) -> None:
    """Create `folder` (and its parents), or raise `PathError` saying why it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        refuse_unusable(folder, what, exc, folder=True)
        raise


def refuse_unusable(path: Path, what: str, exc: OSError, *, folder: bool = False) -> None:
    """Raise a `PathError` naming `path` (a file, or a folder with `folder`) when `exc` is
    a problem a person must fix; return for anything else, which the caller reports as a
    failed run."""
    if exc.errno not in PERMANENT:
        return
    folders = (path, *path.parents) if folder else path.parents
    blocker = next((p for p in folders if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        reason = f"{blocker} is a file, where a folder should be"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "signer-sync may not write there (the folder or the disk is read-only)"
    else:
        reason = exc.strerror or str(exc)
    raise PathError(f"cannot write {path} ({what}): {reason}. Fix the folder, or change "
                    "the path in the job file, and run again") from None
