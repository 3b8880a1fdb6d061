"""The state store: one SQLite file per job.

It holds what a run cannot read back from the spreadsheet: each run's record, the Signer
ID registry, the reviewer decisions last written (and the status the tool computed), and
the snapshot of signers that the last digest reported, and the outbox of digest emails
not yet delivered. The digest snapshot advances only in `commit_digest`, which the pipeline
calls after every write of that digest succeeded; the digest's email enters the outbox in
the same transaction, so it is sent later if sending now fails, never lost.

A digest being published is recorded first as *pending* (`begin_digest`). If the run dies
after the digest row reached the tab but before `commit_digest`, the next run finds the
pending digest's row in the tab and commits it (`commit_pending`): the digest was
published, so its signers are not reported again and no second row is appended. If the
row never arrived, the pending digest is dropped (`drop_pending`) and reported again.

Every table is created with IF NOT EXISTS, so a state file from an older version gains the
new tables the first time a newer version opens it (and loses `pending_defaults`, which
older versions kept and this one does not need: the curated tab's rows tell the tool's
statuses from a reviewer's).

A damaged state file fails the same way on every run, so it is told apart from a passing
failure: SQLite's own verdict (SQLITE_CORRUPT, SQLITE_NOTADB) or, for any other error, a
`PRAGMA quick_check` that does not wait for locks, so a damaged page is reported at once
instead of as "database is locked" after the busy timeout. It is then a
`DamagedStateError` (exit 2) saying to move the file aside (see `DAMAGED_ADVICE`).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sync import frames, own_files
from sync.errors import DamagedStateError, PathError, StateError, SyncError, scrub
from sync.review import Decision

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT,
    outcome TEXT NOT NULL DEFAULT 'running', responses INTEGER, signers INTEGER,
    new_signers INTEGER, skipped INTEGER, wrote INTEGER, message TEXT
);
CREATE TABLE IF NOT EXISTS signer_keys (key TEXT PRIMARY KEY, signer_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    signer_id TEXT PRIMARY KEY, listed_as TEXT, status TEXT, note TEXT, computed TEXT
);
CREATE TABLE IF NOT EXISTS digests (
    id INTEGER PRIMARY KEY, digest_at TEXT NOT NULL, since TEXT, summary TEXT, counts TEXT
);
CREATE TABLE IF NOT EXISTS digest_snapshot (
    signer_id TEXT PRIMARY KEY, type TEXT, name TEXT, status TEXT, last_updated TEXT,
    responses INTEGER
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY, digest_at TEXT NOT NULL, message BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, sent_at TEXT
);
DROP TABLE IF EXISTS pending_defaults;
CREATE TABLE IF NOT EXISTS pending_digest (
    id INTEGER PRIMARY KEY CHECK (id = 1), digest_at TEXT NOT NULL, since TEXT, summary TEXT,
    counts TEXT, tab_row TEXT NOT NULL, file TEXT, mail BLOB
);
CREATE TABLE IF NOT EXISTS pending_snapshot (
    signer_id TEXT PRIMARY KEY, type TEXT, name TEXT, status TEXT, last_updated TEXT,
    responses INTEGER
);
"""
# Columns added after the first release; `State` adds them to older files.
COLUMNS_ADDED = {"runs": {"organizations": "INTEGER", "individuals": "INTEGER"},
                 "outbox": {"gave_up_at": "TEXT"}}
SNAPSHOT_COLUMNS = ("Signer ID", "Type", "Name", "Status", "Last Updated", "Responses")
# How long a statement waits for another connection's lock. Runs of a job never overlap
# (sync.runlock), so only `status` reading at the same moment can hold one, briefly.
BUSY_TIMEOUT_SECONDS = 30
# SQLite's names for a file that is not a sound database: retrying never helps.
DAMAGED_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_FORMAT"}
# Files SQLite writes beside the database; a link there would be written through too.
SIDE_FILES = ("-journal", "-wal", "-shm")
DAMAGED_ADVICE = (
    "Running again will not help. Move the file aside (rename it, e.g. to {name}.damaged) "
    "and run again: a new state file is made, and Signer IDs, Listed As, Status and "
    "Reviewer Note are read back from the curated tab. What only the state file knew is "
    "lost: the next digest reports every signer as new, digest emails not yet sent are "
    "not sent, and `status` starts a new run history")


@dataclass(frozen=True)
class RunRecord:
    id: int
    kind: str
    started_at: str
    ended_at: str | None
    outcome: str
    responses: int | None
    signers: int | None
    new_signers: int | None
    skipped: int | None
    wrote: bool
    message: str | None
    organizations: int | None = None
    individuals: int | None = None


@dataclass(frozen=True)
class Outgoing:
    """A digest email waiting in the outbox: the whole message, as it will be sent."""

    id: int
    digest_at: str
    message: bytes
    attempts: int
    last_error: str


@dataclass(frozen=True)
class DigestRecord:
    digest_at: dt.datetime
    since: dt.datetime | None
    summary: str
    counts: dict[str, int]


@dataclass(frozen=True)
class PendingDigest:
    """A digest whose writes started but whose commit was not recorded."""

    record: DigestRecord
    tab_row: list[str]  # the digest tab row as text, to recognize it in the tab
    file: str | None  # the Markdown file written for it, if any


class State:
    def __init__(self, path: Path) -> None:
        self.path = path
        own_files.make_folder(path.parent, "the state folder")
        with self._connect() as db:
            db.executescript(SCHEMA)
            for table, columns in COLUMNS_ADDED.items():  # constants, never user input
                have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                for column, kind in columns.items():
                    if column not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        for suffix in ("", *SIDE_FILES):
            own_files.refuse_link(self.path.with_name(self.path.name + suffix), "the state file")
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS)
        except sqlite3.Error as exc:
            raise self._failure(exc, "cannot open the state file {path}") from None
        try:
            with db:
                yield db
        except sqlite3.Error as exc:
            raise self._failure(exc, "the state file {path} could not be updated") from None
        finally:
            db.close()

    def _failure(self, exc: sqlite3.Error, what: str) -> SyncError:
        """A `DamagedStateError` when the file is damaged, a `PathError` when it cannot be
        written, else a `StateError` (run again)."""
        code = getattr(exc, "sqlite_errorname", "")
        if code in DAMAGED_CODES or not self._sound():
            return self.damaged(str(exc))
        if code in ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM"):
            return PathError(f"cannot write the state file {self.path} ({exc}): it, or its "
                             "folder, is not a file and a folder signer-sync may write. Fix "
                             "it, or change [state] path in the job file, and run again")
        return StateError(f"{what.format(path=self.path)} ({exc})",
                          transient=code in ("SQLITE_BUSY", "SQLITE_LOCKED"))

    def _sound(self) -> bool:
        """PRAGMA quick_check without waiting for locks: False only on evidence of damage
        (a lock held by someone else is no evidence, and neither is a missing file)."""
        try:
            db = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True,
                                 timeout=0)
        except sqlite3.Error:
            return True
        try:
            return db.execute("PRAGMA quick_check").fetchone() == ("ok",)
        except sqlite3.Error as exc:
            return getattr(exc, "sqlite_errorname", "") not in DAMAGED_CODES
        finally:
            db.close()

    @contextmanager
    def _reading(self, table: str) -> Iterator[None]:
        """Values read back from `table` that no run could have written (bad JSON, a date
        that is not one) mean the file was edited or damaged: say so, never a traceback."""
        try:
            yield
        except (TypeError, ValueError) as exc:
            raise self.damaged(f"table {table} holds a value signer-sync cannot read: {exc}"
                               ) from None

    def damaged(self, problem: str) -> DamagedStateError:
        return DamagedStateError(f"the state file {self.path} is damaged ({problem}). "
                                 + DAMAGED_ADVICE.format(name=self.path.name))

    # runs -----------------------------------------------------------------------------
    def start_run(self, kind: str, at: dt.datetime) -> int:
        with self._connect() as db:
            cursor = db.execute("INSERT INTO runs (kind, started_at) VALUES (?, ?)",
                                (kind, at.isoformat(timespec="seconds")))
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, at: dt.datetime, outcome: str, *,
                   counts: Mapping[str, int] | None = None, wrote: bool = False,
                   message: str = "") -> None:
        counts = counts or {}
        with self._connect() as db:
            db.execute(
                "UPDATE runs SET ended_at=?, outcome=?, responses=?, signers=?, new_signers=?,"
                " skipped=?, wrote=?, message=?, organizations=?, individuals=? WHERE id=?",
                (at.isoformat(timespec="seconds"), outcome, counts.get("responses"),
                 counts.get("signers"), counts.get("new_signers"), counts.get("skipped"),
                 int(wrote), scrub(message), counts.get("organizations"), counts.get("individuals"),
                 run_id),
            )

    def runs(self, limit: int = 20) -> list[RunRecord]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, kind, started_at, ended_at, outcome, responses, signers, new_signers,"
                " skipped, wrote, message, organizations, individuals FROM runs"
                " ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [RunRecord(*row[:9], bool(row[9]), *row[10:]) for row in rows]

    def first_run_at(self) -> dt.datetime | None:
        """When this job's first run started: the tool has been in use since then."""
        with self._connect() as db:
            row = db.execute("SELECT started_at FROM runs ORDER BY id LIMIT 1").fetchone()
        with self._reading("runs"):
            return dt.datetime.fromisoformat(row[0]) if row else None

    # signer IDs and reviewer decisions --------------------------------------------------
    def registry(self) -> dict[str, str]:
        with self._connect() as db:
            return dict(db.execute("SELECT key, signer_id FROM signer_keys").fetchall())

    def decisions(self) -> dict[str, Decision]:
        with self._connect() as db:
            rows = db.execute("SELECT signer_id, listed_as, status, note, computed FROM decisions")
            return {signer_id: Decision(listed or "", status or "", note or "", computed or "")
                    for signer_id, listed, status, note, computed in rows}

    def save_curation(self, registry: Mapping[str, str], decisions: Mapping[str, Decision]) -> None:
        """Remember the IDs and decisions just written, in one transaction."""
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO signer_keys VALUES (?, ?)", registry.items())
            db.executemany(
                "INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?, ?)",
                [(i, d.listed_as, d.status, d.note, d.computed) for i, d in decisions.items()],
            )

    # digests ----------------------------------------------------------------------------
    def last_digest(self) -> DigestRecord | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT digest_at, since, summary, counts FROM digests ORDER BY id DESC LIMIT 1"
            ).fetchone()
        with self._reading("digests"):
            return None if row is None else _record(row)

    def digest_snapshot(self) -> pd.DataFrame:
        with self._connect() as db:
            rows = db.execute(
                "SELECT signer_id, type, name, status, last_updated, responses"
                " FROM digest_snapshot"
            ).fetchall()
        return pd.DataFrame(rows, columns=list(SNAPSHOT_COLUMNS))

    def commit_digest(self, record: DigestRecord, snapshot: pd.DataFrame,
                      mail: bytes | None = None) -> None:
        """Advance the digest state: called only once everything the digest reported is
        written, so a failure before this point makes the next digest report it again.
        `mail`, the digest's email, joins the outbox in the same transaction."""
        with self._connect() as db:
            if mail is not None:
                _queue_mail(db, record.digest_at.isoformat(timespec="seconds"), mail)
            _replace_snapshot(db, "digest_snapshot", snapshot)
            _insert_digest(db, record)
            db.execute("DELETE FROM pending_digest")
            db.execute("DELETE FROM pending_snapshot")

    def begin_digest(self, record: DigestRecord, snapshot: pd.DataFrame, tab_row: list[str],
                     file: str | None, mail: bytes | None = None) -> None:
        """Record the digest about to be written (and its email), replacing any earlier
        pending one."""
        with self._connect() as db:
            _replace_snapshot(db, "pending_snapshot", snapshot)
            db.execute("DELETE FROM pending_digest")
            db.execute(
                "INSERT INTO pending_digest VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                (*_digest_values(record), json.dumps(tab_row), file, mail),
            )

    # the outbox of digest emails ------------------------------------------------------
    def pending_mail(self) -> list[Outgoing]:
        """Digest emails not yet delivered (nor given up on), oldest first."""
        return self._outbox("sent_at IS NULL AND gave_up_at IS NULL")

    def given_up_mail(self) -> list[Outgoing]:
        """Digest emails that failed too often for a reason that does not pass."""
        return self._outbox("gave_up_at IS NOT NULL")

    def _outbox(self, where: str) -> list[Outgoing]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, digest_at, message, attempts, last_error FROM outbox"
                f" WHERE {where} ORDER BY id"  # where is one of two constants
            ).fetchall()
        return [Outgoing(row[0], row[1], bytes(row[2]), row[3], row[4] or "") for row in rows]

    def mail_sent(self, mail_id: int, at: dt.datetime) -> None:
        """Record the delivery; the message itself is dropped (the digest files keep it)."""
        with self._connect() as db:
            db.execute("UPDATE outbox SET sent_at=?, attempts=attempts+1, last_error=NULL,"
                       " message=X'' WHERE id=?", (at.isoformat(timespec="seconds"), mail_id))

    def mail_failed(self, mail_id: int, error: str, *, give_up_at: dt.datetime | None = None
                    ) -> None:
        """Count a failed attempt; with `give_up_at`, it is not tried again (the message
        stays, and the digest's files keep what it said)."""
        gave_up = give_up_at.isoformat(timespec="seconds") if give_up_at else None
        with self._connect() as db:
            db.execute("UPDATE outbox SET attempts=attempts+1, last_error=?, gave_up_at=?"
                       " WHERE id=?", (scrub(error), gave_up, mail_id))

    def pending_digest(self) -> PendingDigest | None:
        with self._connect() as db:
            row = db.execute("SELECT digest_at, since, summary, counts, tab_row, file"
                             " FROM pending_digest").fetchone()
        if row is None:
            return None
        with self._reading("pending_digest"):
            tab_row = json.loads(row[4])
            if not isinstance(tab_row, list):
                raise ValueError(f"tab_row is not a list: {row[4]!r}")
            return PendingDigest(_record(row[:4]), [str(v) for v in tab_row], row[5])

    def commit_pending(self) -> None:
        """The pending digest was published: make it the last digest."""
        with self._connect() as db:
            row = db.execute(
                "SELECT digest_at, since, summary, counts, mail FROM pending_digest").fetchone()
            if row is None:
                return
            if row[4] is not None:
                _queue_mail(db, row[0], bytes(row[4]))
            db.execute("DELETE FROM digest_snapshot")
            db.execute("INSERT INTO digest_snapshot SELECT * FROM pending_snapshot")
            db.execute("INSERT INTO digests (digest_at, since, summary, counts)"
                       " VALUES (?, ?, ?, ?)", row[:4])
            db.execute("DELETE FROM pending_digest")
            db.execute("DELETE FROM pending_snapshot")

    def drop_pending(self) -> None:
        """The pending digest never reached the tab: forget it, it will be reported again."""
        with self._connect() as db:
            db.execute("DELETE FROM pending_digest")
            db.execute("DELETE FROM pending_snapshot")


def _queue_mail(db: sqlite3.Connection, digest_at: str, mail: bytes) -> None:
    db.execute("INSERT INTO outbox (digest_at, message) VALUES (?, ?)", (digest_at, mail))


def _digest_values(record: DigestRecord) -> tuple[str, str | None, str, str]:
    return (record.digest_at.isoformat(timespec="seconds"),
            record.since.isoformat(timespec="seconds") if record.since else None,
            record.summary, json.dumps(record.counts))


def _record(row: tuple[str, str | None, str, str | None]) -> DigestRecord:
    """A digests row as a record; ValueError when it holds what no run writes."""
    counts = json.loads(row[3] or "{}")
    if not isinstance(counts, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in counts.values()):
        raise ValueError(f"counts are not numbers by name: {row[3]!r}")
    return DigestRecord(dt.datetime.fromisoformat(row[0]),
                        dt.datetime.fromisoformat(row[1]) if row[1] else None,
                        str(row[2]), counts)


def _insert_digest(db: sqlite3.Connection, record: DigestRecord) -> None:
    db.execute("INSERT INTO digests (digest_at, since, summary, counts) VALUES (?, ?, ?, ?)",
               _digest_values(record))


def _replace_snapshot(db: sqlite3.Connection, table: str, snapshot: pd.DataFrame) -> None:
    db.execute(f"DELETE FROM {table}")  # table is one of two constants, never user input
    db.executemany(
        f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)",
        frames.rows(snapshot, *SNAPSHOT_COLUMNS),
    )
