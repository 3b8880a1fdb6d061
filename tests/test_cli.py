"""What a person reads from the command line: the help, where options may go, the summary."""

from __future__ import annotations

import pytest

from sync.cli import main
from tests.jobs import write_job


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


RUNNING = ("run", "digest", "schedule", "status")


@pytest.mark.parametrize("argv", [(), *((c,) for c in RUNNING)], ids=["main", *RUNNING])
def test_every_help_ends_with_the_exit_codes(capsys, argv) -> None:
    text = _help(capsys, *argv)
    epilog = text[text.index("exit status:"):]
    assert "0  done" in epilog
    assert "1  the run failed; nothing was half-written, run it again" in epilog
    assert "2  the command line, the job file, the sheet or one of the job's files" in epilog


def test_check_help_says_what_its_exit_codes_mean(capsys) -> None:
    epilog = _help(capsys, "check").split("exit status:")[1]
    assert "0  ready to run" in epilog
    assert "1  a check failed; the FAIL lines say what to do" in epilog
    assert "2  the job file needs fixing, or its source or target cannot be opened" in epilog


def test_the_help_is_in_plain_words(capsys) -> None:
    text = " ".join(_help(capsys).split())  # as read, whatever the terminal's width
    assert "read the responses, clean them up, write the curated tab" in text
    assert "next run times" in text
    for jargon in ("normalize", "curate,", "fire times", "crons"):
        assert jargon not in text
    assert "stop at once" in " ".join(_help(capsys, "run").split())


@pytest.mark.parametrize("argv", [["-q", "run", "JOB"], ["run", "-q", "JOB"],
                                  ["run", "JOB", "-q"], ["run", "JOB", "--quiet"]])
def test_quiet_is_accepted_before_or_after_the_command(tmp_path, capsys, argv) -> None:
    job = str(write_job(tmp_path))
    assert main([job if a == "JOB" else a for a in argv]) == 0
    captured = capsys.readouterr()
    assert "organizations" in captured.out
    assert "read 4 responses" not in captured.err  # -q: the summary only


def test_log_format_after_the_command_is_not_undone(tmp_path, capsys) -> None:
    job = str(write_job(tmp_path))
    assert main(["--log-format", "json", "run", job]) == 0
    assert capsys.readouterr().err.startswith("{")
    assert main(["run", job, "--log-format", "json"]) == 0
    assert capsys.readouterr().err.startswith("{")


def test_the_run_summary_says_new_to_the_tab_not_new_since_the_digest(tmp_path, capsys) -> None:
    """A run's count is of signers added to the curated tab; the digest's "new" is since the
    last digest. The words differ so the two cannot be read as one number."""
    job = str(write_job(tmp_path))
    assert main(["run", job]) == 0
    first = capsys.readouterr().out
    assert "(5 added to the tab)" in first and " new" not in first
    assert main(["digest", job]) == 0
    digest = capsys.readouterr().out
    assert "(0 added to the tab)" not in digest
    assert "3 new organizations, 2 new individuals" in digest
