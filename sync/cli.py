"""The `signer-sync` command: parse, load the job, call the pipeline, print. Nothing else.

Exit status: 0 done; 1 the run failed (nothing half-written); 2 bad config or usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sync import __version__
from sync.check import check_job
from sync.config import load_job
from sync.curate import INDIVIDUAL, ORGANIZATION
from sync.digest import render_markdown
from sync.errors import SyncError
from sync.pipeline import RunResult, run_job

log = logging.getLogger("sync")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signer-sync",
        description="Turn a Google Form's sign-on responses into a curated signer list.",
    )
    parser.add_argument("--version", action="version", version=f"signer-sync {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="one sync: read, normalize, curate, write the curated tab"
    )
    run.add_argument("job", metavar="JOB", help="a job file, e.g. jobs/demo.toml")

    digest = commands.add_parser(
        "digest", help="a sync, then the digest of what changed since the last digest"
    )
    digest.add_argument("job", metavar="JOB", help="a job file, e.g. jobs/demo.toml")
    digest.add_argument("--dry-run", action="store_true",
                        help="print the digest without writing anything or advancing state")

    check = commands.add_parser(
        "check", help="check config, credentials, access and header mapping, writing nothing"
    )
    check.add_argument("job", metavar="JOB", help="a job file, e.g. jobs/demo.toml")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(quiet=args.quiet)
    job_name = args.job
    if args.command == "check":
        report = check_job(args.job)
        print("\n".join(report.lines()))
        print(f"{report.job}: " + ("ready to run." if report.exit_code == 0 else
                                   "not ready; fix the FAIL lines above and check again."))
        return report.exit_code
    try:
        job = load_job(args.job)
        job_name = job.name
        if args.command == "run":
            result = run_job(job)
            print(_run_summary(result))
        else:
            result = run_job(job, with_digest=True, dry_run=args.dry_run)
            assert result.digest is not None
            print(render_markdown(result.digest, job.name), end="")
            if result.digest_file:
                print(f"Digest saved to {result.digest_file}")
            elif args.dry_run:
                print("Dry run: nothing was written and the digest state did not advance.")
    except SyncError as exc:
        message = str(exc)
        prefix = "" if message.startswith((f"{job_name}:", "/", ".")) else f"{job_name}: "
        print(f"signer-sync: {prefix}{message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("signer-sync: interrupted; nothing was half-written", file=sys.stderr)
        return 1
    return 0


def _run_summary(result: RunResult) -> str:
    where = "written" if result.wrote else "unchanged"
    return (
        f"{result.job}: {result.count(ORGANIZATION)} organizations, "
        f"{result.count(INDIVIDUAL)} individuals ({result.new_signers} new), "
        f"{result.needs_review} need review, {_plural(len(result.skipped), 'response')} "
        "skipped; "
        f"curated tab {where}."
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _configure_logging(*, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("sync")
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if quiet else logging.INFO)
    root.propagate = False
