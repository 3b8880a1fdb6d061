"""The `signer-sync` command: parse, load the job, call the pipeline, print. Nothing else.

Exit status: 0 done; 1 the run failed (nothing half-written); 2 bad config or usage, or a
file of the job that needs fixing (see EXIT_CODES, shown in every command's help).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sync import __version__, logs, scheduler, status
from sync.check import check_job
from sync.config import load_job
from sync.curate import INDIVIDUAL, ORGANIZATION
from sync.errors import SyncError, scrub
from sync.logs import FORMATS
from sync.pipeline import RunResult, run_job
from sync.render.markdown import render_markdown

log = logging.getLogger("sync")


EXIT_CODES = """exit status:
  0  done
  1  the run failed; nothing was half-written, run it again
  2  the command line, the job file, the sheet or one of the job's files needs
     fixing (the message says which); running again as it is will not help"""
CHECK_EXIT_CODES = """exit status:
  0  ready to run
  1  a check failed; the FAIL lines say what to do
  2  the job file needs fixing, or its source or target cannot be opened"""
JOB_HELP = "a job file, e.g. jobs/demo.toml"
WAIT_HELP = ("if a run of this job is in progress, wait up to SECONDS for it to finish "
             "(default: stop at once)")


def _common_options(default: object) -> argparse.ArgumentParser:
    """-q and --log-format, accepted before the command and after it. After it, they
    default to SUPPRESS so they never undo the same option given before the command."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("-q", "--quiet", action="store_true", default=default,
                         help="print only the summary")
    options.add_argument("--log-format", choices=FORMATS, default=default,
                         help="log lines as text (default) or one JSON object per line")
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signer-sync",
        description="Turn a Google Form's sign-on responses into a curated signer list.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options(None)],
    )
    parser.set_defaults(quiet=False, log_format="text")
    parser.add_argument("--version", action="version", version=f"signer-sync {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    after = _common_options(argparse.SUPPRESS)

    def command(name: str, text: str, epilog: str = EXIT_CODES) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=text, description=text, epilog=epilog,
                                   formatter_class=argparse.RawDescriptionHelpFormatter,
                                   parents=[after])

    run = command("run", "one sync: read the responses, clean them up, write the curated tab")
    run.add_argument("job", metavar="JOB", help=JOB_HELP)
    run.add_argument("--wait", type=float, default=0.0, metavar="SECONDS", help=WAIT_HELP)

    digest = command("digest", "a sync, then the digest of what changed since the last digest")
    digest.add_argument("job", metavar="JOB", help=JOB_HELP)
    digest.add_argument("--dry-run", action="store_true",
                        help="print the digest without writing anything (the next digest "
                        "still covers the same time)")
    digest.add_argument("--wait", type=float, default=0.0, metavar="SECONDS", help=WAIT_HELP)

    check = command("check", "check the job file, credentials, access and header mapping, "
                    "writing nothing", CHECK_EXIT_CODES)
    check.add_argument("job", metavar="JOB", help=JOB_HELP)

    for name, text in (
            ("schedule", "the worker: runs every job's sync and digest at their scheduled "
             "times, until stopped"),
            ("status", "each job's last run, last digest, next run times and totals")):
        many = command(name, text)
        many.add_argument("jobs", nargs="*", metavar="JOB",
                          help="job files (default: every jobs/*.toml)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure(fmt=args.log_format, quiet=args.quiet,
                   worker=args.command == "schedule")
    if args.command in ("schedule", "status"):
        return _many_jobs(args.command, args.jobs)
    job_name = args.job
    if args.command == "check":
        report = check_job(args.job)
        print("\n".join(report.lines()))
        warned = (f", but read the WARN line{'s' if report.warnings > 1 else ''} above"
                  if report.warnings else "")
        print(f"{report.job}: " + (f"ready to run{warned}." if report.exit_code == 0 else
                                   "not ready; fix the FAIL lines above and check again."))
        return report.exit_code
    try:
        job = load_job(args.job)
        job_name = job.name
        if args.command == "run":
            with logs.job_context(job.name):
                result = run_job(job, wait=args.wait)
            print(_run_summary(result))
        else:
            with logs.job_context(job.name):
                result = run_job(job, with_digest=True, dry_run=args.dry_run, wait=args.wait)
            assert result.digest is not None
            print(render_markdown(result.digest, job.name, job.include_emails), end="")
            if result.digest_file:
                print(f"Digest saved to {result.digest_file} and {result.html_file}")
            elif args.dry_run:
                print("Dry run: nothing was written and the digest state did not advance.")
        for message in result.messages:
            print(f"signer-sync: {scrub(message)}", file=sys.stderr)
    except SyncError as exc:
        message = scrub(str(exc))
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
        f"{result.count(INDIVIDUAL)} individuals ({result.new_signers} added to the tab), "
        f"{result.needs_review} need review, {_plural(len(result.skipped), 'response')} "
        "skipped; "
        f"curated tab {where}."
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"



def _many_jobs(command: str, paths: Sequence[str]) -> int:
    """`schedule` and `status`: a broken job file is reported and the others go on."""
    try:
        jobs, errors = scheduler.load_jobs(paths)
        for error in errors:
            log.error("%s", error)
        if not jobs:
            return 2
        if command == "schedule":
            scheduler.serve(scheduler.Worker(jobs))
        else:
            print("\n\n".join(status.render(status.job_status(job, scheduler.job_now(job)))
                               for job in jobs))
    except SyncError as exc:
        print(f"signer-sync: {exc}", file=sys.stderr)
        return exc.exit_code
    return 2 if errors and command == "status" else 0
