"""Job files (`jobs/NAME.toml`) → typed, validated config.

Every mistake becomes one `ConfigError` line naming the file and the key, e.g.
`jobs/demo.toml: [source] kind must be one of csv, workbook, google (got "xlsx")`.
Relative paths resolve against the job file's folder.

A job is also refused when another job file in its folder has the same `name` or the same
state file (a copied `jobs/demo.toml`): the two would share one Signer ID registry, one
lock and one digest history. `shared_identity` does the same across any set of jobs.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from sync import own_files
from sync.errors import ConfigError
from sync.fields import FIELDS
from sync.names import fold

SOURCE_KINDS = ("csv", "workbook", "google", "forms")
TARGET_KINDS = ("workbook", "google")
CURATED_TAB = "Curated Signers"
DIGEST_TAB = "Signer Digest"
LETTER_TAB = "Letter List"
ALIASES_TAB = "Aliases"
DEFAULT_SOURCE_TAB = "Form Responses 1"
EMAIL_VIA = ("smtp", "gmail")
SMTP_USERNAME_ENV = "SIGNER_SYNC_SMTP_USERNAME"
SMTP_PASSWORD_ENV = "SIGNER_SYNC_SMTP_PASSWORD"
# A job's name is part of file names (state/NAME.sqlite, NAME-letter-list.txt, the digests):
# letters (any script), digits, spaces, "-", "_" and ".", starting with a letter or digit,
# so no name can reach outside its folder ("../../x") or hide a file (".x").
JOB_NAME = re.compile(r"[^\W_][\w .-]*")
MAX_JOB_NAME = 100
# The longest tab name each spreadsheet accepts, and (Excel) the characters it refuses.
MAX_TAB_NAME = {"workbook": 31, "google": 100}
EXCEL_TAB_FORBIDDEN = "/\\?*[]:"


@dataclass(frozen=True)
class SourceConfig:
    kind: str
    path: Path | None = None
    spreadsheet: str | None = None
    tab: str = DEFAULT_SOURCE_TAB
    credentials: Path | None = None
    form: str | None = None


@dataclass(frozen=True)
class TargetConfig:
    kind: str
    path: Path | None = None
    spreadsheet: str | None = None
    curated_tab: str = CURATED_TAB
    digest_tab: str = DIGEST_TAB
    credentials: Path | None = None
    letter_tab: str = LETTER_TAB


@dataclass(frozen=True)
class EmailConfig:
    """`[email]`: who gets the digest and how it is sent. SMTP credentials come from the
    environment (SMTP_USERNAME_ENV, SMTP_PASSWORD_ENV), never from the job file."""

    to: tuple[str, ...]
    sender: str
    via: str = "smtp"
    smtp_host: str | None = None
    smtp_port: int = 587
    starttls: bool = True


@dataclass(frozen=True)
class ScheduleConfig:
    sync: str = "0 * * * *"
    digest: str = "0 9 * * mon"
    timezone: str = "America/New_York"  # also the zone First Signed and Last Updated are in

    def trigger(self, which: str) -> CronTrigger:
        return CronTrigger.from_crontab(getattr(self, which), timezone=ZoneInfo(self.timezone))


@dataclass(frozen=True)
class JobConfig:
    name: str
    file: Path
    source: SourceConfig
    target: TargetConfig
    state_path: Path
    digest_dir: Path
    published: dt.date | None = None
    us_only: bool = True
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    fields: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    include_emails: bool = False
    email: EmailConfig | None = None

    @property
    def same_book(self) -> bool:
        """True when the curated tabs live in the same spreadsheet as the responses."""
        return (self.source.kind, self.source.path, self.source.spreadsheet) == (
            self.target.kind,
            self.target.path,
            self.target.spreadsheet,
        )


_KNOWN_KEYS: dict[str, set[str]] = {
    "": {"name", "source", "target", "state", "letter", "digest", "schedule", "fields", "aliases",
         "email"},
    "source": {"kind", "path", "spreadsheet", "tab", "credentials", "form"},
    "target": {"kind", "path", "spreadsheet", "curated_tab", "digest_tab", "letter_tab",
               "credentials"},
    "state": {"path"},
    "letter": {"published", "us_only"},
    "digest": {"dir", "include_emails"},
    "email": {"to", "via", "from", "smtp_host", "smtp_port", "starttls"},
    "schedule": {"sync", "digest", "timezone"},
}


class _Reader:
    """Reads one table of the job file, turning every problem into a ConfigError."""

    def __init__(self, file: Path, table: str, data: Any) -> None:
        self.file, self.table = file, table
        if not isinstance(data, dict):
            self.fail(f"[{table}] must be a table")
        self.data: dict[str, Any] = data
        known = _KNOWN_KEYS.get(table)
        if known is not None:
            for key in data:
                if key not in known:
                    self.fail(f"unknown key `{key}`{self._in()}; expected one of "
                              + ", ".join(sorted(known)))

    def _in(self) -> str:
        return f" in [{self.table}]" if self.table else ""

    def fail(self, message: str) -> None:
        raise ConfigError(f"{self.file}: {message}")

    def text(self, key: str, default: str | None = None, required: bool = False) -> str | None:
        value = self.data.get(key, default)
        if value is None:
            if required:
                self.fail(f"[{self.table}] needs `{key}`")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"[{self.table}] `{key}` must be a non-empty text value")
        return value.strip()

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.text(key, default, required=True)
        if value not in choices:
            self.fail(f"[{self.table}] `{key}` must be one of {', '.join(choices)} (got {value!r})")
        return value  # type: ignore[return-value]

    def path(self, key: str, default: str | None = None, required: bool = False) -> Path | None:
        value = self.text(key, default, required)
        if value is None:
            return None
        return (self.file.parent / Path(value).expanduser()).resolve()

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"[{self.table}] `{key}` must be true or false (got {value!r})")
        return value


def load_job(path: str | Path) -> JobConfig:
    """Parse and validate one job file, refusing it when another job file in its folder
    has the same name or state file."""
    job = _load_job(path)
    for other in sorted(job.file.parent.glob("*.toml")):
        if other.resolve() == job.file:
            continue
        try:
            raw = tomllib.loads(other.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # that job's own problem, reported when it is used
        identity = _identity(other.resolve(), raw)
        if identity is not None:
            problem = shared_identity(job, *identity)
            if problem is not None:
                raise problem
    return job


def shared_identity(job: JobConfig, other: Path, name: str, state: Path
                    ) -> ConfigError | None:
    """The error when the job file `other` (named `name`, state file `state`) would share
    `job`'s name or state file, else None."""
    shared = []
    if name.casefold() == job.name.casefold():
        shared.append(f"its name {job.name!r}")
    if state == job.state_path:
        shared.append(f"its state file {state}")
    if not shared:
        return None
    return ConfigError(
        f"{job.file}: shares {' and '.join(shared)} with the job file {other}; two jobs "
        "would mix their Signer IDs, reviewer decisions and digests (a copied job file keeps "
        "the original's): give one of them its own `name` and its own [state] `path`")


def _identity(file: Path, raw: dict[str, Any]) -> tuple[Path, str, Path] | None:
    """What a job file's state is keyed by: (file, name, state file), as `load_job` reads
    them; None when they cannot be read (that file's own error)."""
    name = raw.get("name", file.stem)
    state = raw.get("state", {})
    if not isinstance(name, str) or not name.strip() or not isinstance(state, dict):
        return None
    name = name.strip()
    path = state.get("path", f"../state/{name}.sqlite")
    if not isinstance(path, str) or not path.strip():
        return None
    return file, name, (file.parent / Path(path.strip()).expanduser()).resolve()


def _load_job(path: str | Path) -> JobConfig:
    file = Path(path)
    with_suffix = file.with_name(f"{file.name}.toml")
    if not file.exists() and file.suffix != ".toml" and with_suffix.exists():
        file = with_suffix
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: job file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read the job file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error(file, exc)) from None
    file = file.resolve()
    top = _Reader(file, "", raw)
    name = _job_name(top, file.stem)
    if "source" not in raw:
        top.fail("needs a [source] table (kind, and path or spreadsheet)")
    source = _source(_Reader(file, "source", raw["source"]))
    _tab_name(_Reader(file, "source", raw["source"]), "tab", source.tab, source.kind)
    target = _target(file, raw.get("target"), source)
    state = _Reader(file, "state", raw.get("state", {}))
    letter = _Reader(file, "letter", raw.get("letter", {}))
    digest = _Reader(file, "digest", raw.get("digest", {}))
    return JobConfig(
        name=name,
        file=file,
        source=source,
        target=target,
        state_path=_own_path(state, "path", f"../state/{name}.sqlite"),
        digest_dir=digest.path("dir", "../out/digests"),  # type: ignore[arg-type]
        published=_published(letter),
        us_only=letter.boolean("us_only", True),
        schedule=_schedule(_Reader(file, "schedule", raw.get("schedule", {}))),
        fields=_fields(_Reader(file, "fields", raw.get("fields", {}))),
        aliases=_aliases(_Reader(file, "aliases", raw.get("aliases", {}))),
        include_emails=digest.boolean("include_emails", False),
        email=_email(_Reader(file, "email", raw["email"])) if "email" in raw else None,
    )


_TOML_AT = re.compile(r"\s*\(at line (?P<line>\d+), column \d+\)$")
_CURLY = "\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb"


def _toml_error(file: Path, exc: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error as staff can fix it: the line, as written, and the usual cause
    (text pasted from a word processor comes with curly quotes, which TOML does not read)."""
    message = str(exc)
    at = _TOML_AT.search(message)
    if at is None:
        return (f"{file}: not valid TOML ({message}); put text in straight double quotes, "
                'like name = "demo"')
    number = int(at["line"])
    lines = file.read_text(encoding="utf-8").splitlines()
    written = lines[number - 1].strip() if number <= len(lines) else ""
    hint = ("it has curly quotes: type straight double quotes instead"
            if any(c in written for c in _CURLY) else "put text in straight double quotes")
    return (f"{file}: line {number} is not valid TOML ({message[:at.start()]}): "
            f"{written[:80]!r}; {hint}, like name = \"demo\"")


def _job_name(top: _Reader, default: str) -> str:
    """`name` (default: the job file's name), refused unless it is safe as a file name."""
    name = top.text("name", default)
    assert name is not None
    if (not JOB_NAME.fullmatch(name) or len(name) > MAX_JOB_NAME
            or name.endswith((".", " "))):
        where = "`name`" if "name" in top.data else "the job's name (the file's name)"
        top.fail(f"{where} {name!r} cannot be used: the state file and the digests are named "
                 "after it. Use letters, digits, spaces, \"-\", \"_\" or \".\", starting with "
                 f"a letter or digit, at most {MAX_JOB_NAME} characters (e.g. name = "
                 "\"letter-2021\")")
    return name


def _own_path(reader: _Reader, key: str, default: str) -> Path:
    """A file signer-sync writes itself: its folder resolved, its own name kept, so a link
    at that name is seen (and refused, see sync.own_files) rather than silently followed."""
    full = reader.file.parent / Path(reader.text(key, default) or default).expanduser()
    if full.name in ("", ".", ".."):
        return full.resolve()
    return full.parent.resolve() / full.name


def _tab_name(reader: _Reader, key: str, tab: str, kind: str) -> None:
    """Refuse a tab name the spreadsheet of `kind` would refuse, before anything runs."""
    limit = MAX_TAB_NAME.get(kind)
    if limit is None:
        return
    spreadsheet = "an Excel workbook" if kind == "workbook" else "a Google spreadsheet"
    if len(tab) > limit:
        reader.fail(f"[{reader.table}] `{key}` {tab!r} is {len(tab)} characters long; a tab "
                    f"of {spreadsheet} has at most {limit}")
    if kind == "workbook":
        bad = sorted({c for c in tab if c in EXCEL_TAB_FORBIDDEN})
        if bad or tab.startswith("'") or tab.endswith("'"):
            shown = " ".join(bad) if bad else "'"
            reader.fail(f"[{reader.table}] `{key}` {tab!r} cannot be a tab of {spreadsheet}: "
                        f"it contains {shown} (a tab name cannot contain / \\ ? * [ ] : or "
                        "begin or end with ')")


def _source(reader: _Reader) -> SourceConfig:
    kind = reader.choice("kind", SOURCE_KINDS)
    if kind == "google":
        return SourceConfig(
            kind=kind,
            spreadsheet=reader.text("spreadsheet", required=True),
            tab=reader.text("tab", DEFAULT_SOURCE_TAB),  # type: ignore[arg-type]
            credentials=_credentials(reader),
        )
    if kind == "forms":
        return SourceConfig(kind=kind, form=reader.text("form", required=True),
                            credentials=_credentials(reader))
    path = reader.path("path", required=True)
    assert path is not None
    if not path.is_file():
        reader.fail(f"[source] `path` {path} does not exist or is not a file")
    return SourceConfig(kind=kind, path=path, tab=reader.text("tab", DEFAULT_SOURCE_TAB))  # type: ignore[arg-type]


def _credentials(reader: _Reader) -> Path | None:
    """The `credentials` key file, which must exist when given."""
    path = reader.path("credentials")
    if path is not None and not path.is_file():
        reader.fail(f"[{reader.table}] `credentials` file {path} does not exist (give the path "
                    "of the service account's JSON key, relative to the job file)")
    return path


def _target(file: Path, data: Any, source: SourceConfig) -> TargetConfig:
    if data is None:
        if source.kind == "csv":
            raise ConfigError(f"{file}: a csv source needs a [target] table (kind and path)")
        if source.kind == "forms":
            raise ConfigError(f"{file}: a forms source needs a [target] table (kind = "
                              "\"google\" and the spreadsheet to write to)")
        data = {}
    reader = _Reader(file, "target", data)
    kind = reader.choice("kind", TARGET_KINDS,
                         source.kind if source.kind in TARGET_KINDS else None)
    tabs = {
        "curated_tab": reader.text("curated_tab", CURATED_TAB),
        "digest_tab": reader.text("digest_tab", DIGEST_TAB),
        "letter_tab": reader.text("letter_tab", LETTER_TAB),
    }
    for key, tab in tabs.items():
        _tab_name(reader, key, tab, kind)  # type: ignore[arg-type]
    # compared as the backends find tabs: "Letter list" is the "Letter List" tab
    if len({fold(t) for t in tabs.values() if t}) < len(tabs):
        reader.fail("[target] `curated_tab`, `digest_tab` and `letter_tab` must be different tabs")
    if fold(source.tab) in {fold(t) for t in tabs.values() if t} and kind == source.kind:
        reader.fail(f"[target] must not write the form's response tab {source.tab!r}")
    if kind == "google":
        spreadsheet = reader.text("spreadsheet", source.spreadsheet, required=True)
        credentials = _credentials(reader) or source.credentials
        return TargetConfig(kind=kind, spreadsheet=spreadsheet, credentials=credentials, **tabs)  # type: ignore[arg-type]
    default_path = str(source.path) if source.kind == "workbook" else None
    reader.text("path", default_path, required=True)
    # its folder resolved, its own name kept: a link there is refused when it is written
    path = _own_path(reader, "path", default_path or "")
    own_files.refuse_link(path, "the workbook signer-sync writes")
    if not path.parent.exists():
        try:
            path.parent.mkdir(parents=True)
        except OSError as exc:
            reader.fail(f"[target] `path` folder {path.parent} cannot be created ({exc})")
    return TargetConfig(kind=kind, path=path, **tabs)  # type: ignore[arg-type]


def _published(reader: _Reader) -> dt.date | None:
    value = reader.data.get("published")
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    reader.fail(f"[letter] `published` must be a date like 2021-10-29 (got {value!r})")
    return None


def _schedule(reader: _Reader) -> ScheduleConfig:
    schedule = ScheduleConfig(
        sync=reader.text("sync", ScheduleConfig.sync),  # type: ignore[arg-type]
        digest=reader.text("digest", ScheduleConfig.digest),  # type: ignore[arg-type]
        timezone=reader.text("timezone", ScheduleConfig.timezone),  # type: ignore[arg-type]
    )
    try:
        ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        reader.fail(f"[schedule] `timezone` {schedule.timezone!r} is not a known time zone "
                    "(use a name like America/New_York)")
    for which in ("sync", "digest"):
        try:
            schedule.trigger(which)
        except ValueError as exc:
            reader.fail(f"[schedule] `{which}` is not a valid cron expression "
                        f"({getattr(schedule, which)!r}: {exc})")
    return schedule


def _fields(reader: _Reader) -> dict[str, str]:
    for key in reader.data:
        if key not in FIELDS:
            reader.fail(f"[fields] unknown field `{key}`; expected one of {', '.join(FIELDS)}")
        reader.text(key)
    return {key: value.strip() for key, value in reader.data.items()}


def _aliases(reader: _Reader) -> dict[str, str]:
    for key in reader.data:
        reader.text(key)
    return {key.strip(): value.strip() for key, value in reader.data.items()}


def _email(reader: _Reader) -> EmailConfig:
    to = reader.data.get("to")
    if isinstance(to, str):
        to = [to]
    if not isinstance(to, list) or not to or not all(_is_address(a) for a in to):
        reader.fail("[email] `to` must be a list of email addresses, e.g. "
                    '["staff@example.org"]')
    sender = reader.text("from", required=True)
    if not _is_address(sender):
        reader.fail(f"[email] `from` must be an email address (got {sender!r})")
    via = reader.choice("via", EMAIL_VIA, "smtp")
    host = reader.text("smtp_host")
    if via == "smtp" and host is None:
        reader.fail("[email] needs `smtp_host` to send with via = \"smtp\"")
    port = reader.data.get("smtp_port", EmailConfig.smtp_port)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        reader.fail(f"[email] `smtp_port` must be a port number like 587 (got {port!r})")
    return EmailConfig(to=tuple(a.strip() for a in to), sender=sender,  # type: ignore[arg-type]
                       via=via, smtp_host=host, smtp_port=port,
                       starttls=reader.boolean("starttls", True))


def _is_address(value: object) -> bool:
    if not isinstance(value, str):
        return False
    _, address = parseaddr(value.strip())
    return "@" in address and " " not in address
