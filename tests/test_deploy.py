"""The deployment files and the README's schedule section name commands that exist."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from sync.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _parses(words: list[str]) -> str:
    """The command `signer-sync WORDS` would run; fails the test if the CLI rejects it."""
    try:
        return build_parser().parse_args(words).command
    except SystemExit:
        pytest.fail(f"signer-sync {' '.join(words)} is not a valid command")


def _after_program(command: str) -> list[str]:
    words = shlex.split(command)
    start = next(i for i, w in enumerate(words)
                 if w == "signer-sync" or w.endswith("/bin/signer-sync"))
    end = next((i for i, w in enumerate(words) if i > start and w in (">>", ">", "&&", "|")),
               len(words))
    return words[start + 1:end]


def test_systemd_unit_starts_the_worker():
    unit = (DEPLOY / "signer-sync.service").read_text(encoding="utf-8")
    start = re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE)
    assert start is not None
    assert _parses(_after_program(start.group(1))) == "schedule"
    assert re.search(r"^KillSignal=SIGTERM$", unit, re.MULTILINE)


def test_crontab_example_runs_hourly_syncs_and_a_weekly_digest():
    lines = [line for line in (DEPLOY / "crontab.example").read_text(encoding="utf-8")
             .splitlines() if line.strip() and not line.startswith("#") and "=" not in
             line.split()[0]]
    schedules = {_parses(_after_program(" ".join(line.split()[5:]))): line.split()[:5]
                 for line in lines}
    assert schedules == {"run": ["0", "*", "*", "*", "*"], "digest": ["0", "9", "*", "*", "1"]}


def test_dockerfile_runs_the_worker_from_files_in_the_repository():
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (.+)$", text, re.MULTILINE).group(1))
    command = json.loads(re.search(r"^CMD (.+)$", text, re.MULTILINE).group(1))
    assert entrypoint == ["signer-sync"]
    assert _parses(command) == "schedule"
    for copied in re.findall(r"^COPY (.+) \S+$", text, re.MULTILINE):
        for source in copied.split():
            assert (ROOT / source).exists(), f"Dockerfile copies {source}, which is missing"
    assert "json" not in " ".join(re.findall(r"^COPY .+$", text, re.MULTILINE))


def _options_and_commands() -> tuple[set[str], set[str]]:
    parser = build_parser()
    options = set(parser._option_string_actions)
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for sub in commands.values():
        options |= set(sub._option_string_actions)
    return options, set(commands)


def test_readme_schedule_section_names_commands_options_and_files_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running it on a schedule", 1)[1].split("\n## ", 1)[0]
    options, commands = _options_and_commands()
    mentioned = re.findall(r"signer-sync((?: -[-\w]+(?: \w+)?)*) ([a-z]+)", section)
    assert {command for _, command in mentioned} >= {"schedule", "status", "run"}
    for _, command in mentioned:
        assert command in commands, f"README mentions `signer-sync {command}`"
    invocations = re.findall(r"`(signer-sync [^`]+)`", section) + [
        line for line in section.splitlines() if line.startswith("signer-sync ")]
    for option in set(re.findall(r"(?<![\w-])(--[a-z][-a-z]+)", " ".join(invocations))):
        assert option in options, f"README mentions {option}, which no command accepts"
    assert _parses(["--log-format", "json", "schedule"]) == "schedule"
    for path in re.findall(r"`(deploy/[^`\s]+)`", section):
        assert (ROOT / path).exists(), f"README names {path}, which is missing"
