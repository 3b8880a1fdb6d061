"""The README cannot drift from the program: its commands, job keys and test command."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from sync.cli import build_parser
from sync.config import _KNOWN_KEYS

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _toml_blocks() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", README, flags=re.S)


def test_every_command_the_readme_shows_exists() -> None:
    blocks = [body for language, body in re.findall(r"^```(\w*)\n(.*?)^```", README,
                                                    flags=re.S | re.M) if language != "toml"]
    code = re.findall(r"`([^`\n]+)`", README) + [line for b in blocks for line in b.splitlines()]
    shown = {match.group(1) for text in code
             for match in [re.search(r"signer-sync (?:--[\w-]+ \w+ )?([a-z]+)\b", text)]
             if match}
    parser = build_parser()
    commands = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert {"run", "digest", "check", "schedule", "status"} <= shown
    assert shown <= commands


def test_every_job_key_the_readme_shows_is_accepted() -> None:
    blocks = _toml_blocks()
    assert blocks, "the README has job file examples"
    for block in blocks:
        data = tomllib.loads(block)
        for table, value in data.items():
            if isinstance(value, dict) and table in _KNOWN_KEYS:
                assert set(value) <= _KNOWN_KEYS[table], (table, set(value) - _KNOWN_KEYS[table])
            elif not isinstance(value, dict):
                assert table in _KNOWN_KEYS[""], table


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    commands = re.findall(r"```sh\n(python3 -m venv .*?)\n```", README)
    assert len(commands) == 2, "the quick start is two commands"
    install_and_demo, install_and_test = commands
    assert "signer-sync run jobs/demo.toml" in install_and_demo
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines()
