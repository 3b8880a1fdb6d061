"""The benchmark: the whole sync at each size, next to the I/O floor, with ratios.

For each size it generates (once, cached in the data folder) a seeded form export, then in
a fresh subprocess per measurement, so one size's memory never pollutes another's:

* **sync**: `pipeline.run_job` on a csv → workbook job, timed per stage by the pipeline
  itself (read, map headers, normalize, curate, ids and decisions, write), four times:
  the first run (fresh state, new workbook) on the first 99% of the responses; the hourly
  run once the last 1% arrived (the workbook exists: read it, rewrite its tab); a run
  with no new responses (nothing to write); and the weekly digest run (a sync, then the
  digest row appended to its tab and the digest files rendered);
* **floor**: the same file read with `pandas.read_csv` and a workbook with tabs of the same
  shape written with openpyxl's write-only mode: the I/O any implementation must pay;
* **google**: the same three runs and a digest run, with the form's response tab and the
  curated tab in one spreadsheet on the fake Sheets server (`sync.testing.fake_sheets`),
  the job pointed at it with SIGNER_SYNC_SHEETS_ENDPOINT, counting the Sheets API requests
  of each run; and the naive reference (`bench.naive`): how many requests a row-by-row
  gspread sync would make for the same curated tables, counted without being sent.

Peak memory is each subprocess's `ru_maxrss`. Ratios are sync ÷ floor.

    python -m bench.run                       # 1k, 10k, 100k
    python -m bench.run --sizes 1k,10k,100k,1M --data /tmp/signer-sync-bench
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.generate import write_export

DEFAULT_DATA = Path("/tmp/signer-sync-bench")
STAGES = ("read", "map headers", "normalize", "curate", "ids and decisions", "write")

JOB = """
name = "bench"
[source]
kind = "csv"
path = "{csv}"
[target]
kind = "workbook"
path = "signers.xlsx"
[state]
path = "state.sqlite"
[letter]
published = "2021-10-29"
[digest]
dir = "digests"
"""


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def peak_mb() -> float:
    """This process's peak resident memory (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- measurements, each run in its own subprocess -------------------------------------------

def measure_sync(csv_path: Path, earlier_path: Path, folder: Path) -> dict[str, Any]:
    from sync.config import load_job
    from sync.pipeline import run_job

    folder.mkdir(parents=True, exist_ok=True)
    for stale in ("signers.xlsx", "state.sqlite", *folder.glob("bench-*.toml")):
        (folder / stale).unlink(missing_ok=True)
    runs: dict[str, Any] = {}
    for name, source in (("first", earlier_path), ("hourly", csv_path), ("unchanged", csv_path),
                         ("digest", csv_path)):
        # one job whose export is replaced between runs (two job files sharing a state file
        # would be refused)
        job_file = folder / "bench.toml"
        job_file.write_text(JOB.format(csv=source.resolve()), encoding="utf-8")
        job = load_job(job_file)
        started, cpu = time.perf_counter(), time.process_time()
        result = run_job(job, with_digest=name == "digest")
        runs[name] = {"total": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                      "timings": result.timings, "wrote": result.wrote,
                      "new": result.new_signers}
        counts = {"responses": result.responses, "signers": len(result.curated),
                  "organizations": result.count("Organization"), "skipped": len(result.skipped)}
        del result  # a worker keeps no run's result into the next: neither does the bench
    return {**counts, "runs": runs, "peak_mb": peak_mb()}


def measure_floor(csv_path: Path, folder: Path, rows: int) -> dict[str, Any]:
    """Read the export and write tabs of the curated and digest tabs' shape, nothing else."""
    import pandas as pd
    from openpyxl import Workbook

    from sync.curate import CURATED_COLUMNS
    from sync.digest import DIGEST_COLUMNS

    started, cpu = time.perf_counter(), time.process_time()
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    read = time.perf_counter() - started

    started = time.perf_counter()
    width = len(CURATED_COLUMNS)
    cells = frame.iloc[:rows].to_numpy().tolist()
    book = Workbook(write_only=True)
    curated = book.create_sheet("Curated Signers")
    curated.append(list(CURATED_COLUMNS))
    for values in cells:  # the export's 10 answers, repeated to the curated tab's 17 columns
        curated.append((values * 2)[:width])
    digest = book.create_sheet("Signer Digest")
    digest.append(list(DIGEST_COLUMNS))
    digest.append([str(v) for v in range(len(DIGEST_COLUMNS))])
    folder.mkdir(parents=True, exist_ok=True)
    book.save(folder / "floor.xlsx")
    write = time.perf_counter() - started
    return {"read": read, "write": write, "total": read + write,
            "cpu": time.process_time() - cpu, "peak_mb": peak_mb()}


GOOGLE_JOB = """
name = "bench-google"
[source]
kind = "google"
spreadsheet = "https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"
tab = "{tab}"
[state]
path = "state-google.sqlite"
[letter]
published = "2021-10-29"
[digest]
dir = "digests-google"
"""
SHEET_KEY = "1BenchSignOnResponses_Key-0008"
FORM_TAB = "Form Responses 1"
NAIVE_SAMPLE = 200


def form_rows(csv_path: Path) -> list[list[Any]]:
    """The export as the form's response tab holds it: header, then rows whose Timestamp
    is a date-time cell (the fake shows it the way Sheets does)."""
    import pandas as pd

    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    stamps = pd.to_datetime(frame.iloc[:, 0], format="%m/%d/%Y %H:%M:%S", errors="coerce")
    rows = frame.to_numpy(dtype=object).tolist()
    for row, stamp in zip(rows, stamps.dt.to_pydatetime(), strict=True):
        if not pd.isna(stamp):
            row[0] = stamp
    return [list(frame.columns), *rows]


def measure_google(csv_path: Path, earlier_path: Path, folder: Path) -> dict[str, Any]:
    """The same runs with the form's response tab and the curated tab in one spreadsheet on
    the fake Sheets server, counting its requests per run; then the naive writer's count."""
    import os

    from bench import naive
    from sync.config import load_job
    from sync.pipeline import run_job
    from sync.testing.fake_sheets import FakeSheetsServer

    folder.mkdir(parents=True, exist_ok=True)
    for stale in ("state-google.sqlite",):
        (folder / stale).unlink(missing_ok=True)
    full, earlier = form_rows(csv_path), form_rows(earlier_path)
    runs: dict[str, Any] = {}
    naive_counts: dict[str, int] = {}
    with FakeSheetsServer() as server:
        os.environ["SIGNER_SYNC_SHEETS_ENDPOINT"] = server.url
        server.add_spreadsheet(SHEET_KEY, "Sign-on (Responses)", {FORM_TAB: earlier},
                               row_count=len(full) + 100, column_count=len(full[0]))
        job_file = folder / "bench-google.toml"
        job_file.write_text(GOOGLE_JOB.format(key=SHEET_KEY, tab=FORM_TAB), encoding="utf-8")
        job = load_job(job_file)
        previous: dict[str, list[str]] = {}
        for name in ("first", "hourly", "unchanged", "digest"):
            if name == "hourly":
                server.set_values(SHEET_KEY, FORM_TAB, "A1", full)
            server.reset_requests()
            started = time.perf_counter()
            result = run_job(job, with_digest=name == "digest")
            elapsed = time.perf_counter() - started
            operations: dict[str, int] = {}
            for request in server.requests:
                operation = request.operation or request.path
                operations[operation] = operations.get(operation, 0) + 1
            sent = [r for r in server.requests if r.method in ("POST", "PUT")]
            runs[name] = {"total": elapsed, "requests": len(server.requests),
                          "timings": result.timings,
                          "operations": operations, "new": result.new_signers,
                          "largest_mb": max((len(json.dumps(r.body)) for r in sent if r.body),
                                            default=0) / 1e6}
            rows = naive.table_rows(result.curated)
            naive_counts[name] = naive.naive_requests(rows, previous, digest=name == "digest")
            previous = rows
        sample = list(previous.values())[:NAIVE_SAMPLE]
    counted, sent_count = naive.check_against_fake(sample)
    return {"runs": runs, "naive": naive_counts, "signers": len(result.curated),
            "check": {"sample": len(sample), "counted": counted, "sent": sent_count},
            "peak_mb": peak_mb()}


def _child(kind: str, *args: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.run", "--child", kind, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{kind} measurement failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the report ------------------------------------------------------------------------------

def machine() -> str:
    import openpyxl
    import pandas as pd

    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split()[1])
        memory = f", {total_kb / 1024 / 1024:.1f} GiB RAM"
    return (f"{platform.machine()}, {_cpus()} CPUs{memory}; Python {platform.python_version()}"
            f", pandas {pd.__version__}, openpyxl {openpyxl.__version__}")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _stage_cells(run: dict[str, Any]) -> str:
    t = run["timings"]
    read = t["read"] + t["map headers"]
    curate = t["curate"] + t["ids and decisions"]
    return (f"{read:.2f} s | {t['normalize']:.2f} s | {curate:.2f} s | {t['write']:.2f} s | "
            f"**{run['total']:.2f} s** | {run['cpu']:.2f} s")


def report(size: int, sync: dict[str, Any], floor: dict[str, Any]) -> list[str]:
    runs = sync["runs"]
    first, t = runs["first"], runs["first"]["timings"]
    read = t["read"] + t["map headers"]
    work = t["normalize"] + t["curate"] + t["ids and decisions"]
    lines = [
        f"## {label(size)} responses ({sync['responses']} read, {sync['signers']} signers, "
        f"{sync['organizations']} organizations, {sync['skipped']} skipped)",
        "",
        "| | read | normalize | curate | write | total | CPU time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| sync, first run (99%, new workbook) | {_stage_cells(first)} |",
        f"| sync, hourly run (+1%: {runs['hourly']['new']} new signers, workbook rewritten) | "
        f"{_stage_cells(runs['hourly'])} |",
        f"| sync, no new responses ("
        f"{'tab rewritten' if runs['unchanged']['wrote'] else 'nothing written'}) | "
        f"{_stage_cells(runs['unchanged'])} |",
        f"| digest (a sync + the digest row and files) | {_stage_cells(runs['digest'])} |",
        f"| I/O floor (pandas read_csv, write-only openpyxl) | {floor['read']:.2f} s | | | "
        f"{floor['write']:.2f} s | **{floor['total']:.2f} s** | {floor['cpu']:.2f} s |",
        f"| **first run ÷ floor** | {read / floor['read']:.1f}x | | | "
        f"{t['write'] / floor['write']:.1f}x | **{first['total'] / floor['total']:.1f}x** | "
        f"{first['cpu'] / floor['cpu']:.1f}x |",
        "",
        f"- normalize + curate (first run) = {work:.2f} s = "
        f"**{work / floor['total']:.1f}x the I/O floor**",
        f"- peak memory: sync (all four runs) {sync['peak_mb']:.0f} MB, floor "
        f"{floor['peak_mb']:.0f} MB ({sync['peak_mb'] / floor['peak_mb']:.1f}x)",
        "",
    ]
    return lines


RUN_LABELS = {
    "first": "first run (99%, tabs created)",
    "hourly": "hourly run (+1% new)",
    "unchanged": "no new responses",
    "digest": "digest (a sync + the digest row)",
}


def google_report(google: dict[str, Any], floor: dict[str, Any]) -> list[str]:
    check = google["check"]
    lines = [
        f"Google: the same runs with the form's response tab and the curated tab in one "
        f"spreadsheet on the fake Sheets server (in-process HTTP, so the times include the "
        f"fake's own JSON work); naive = a row-by-row gspread sync (append_row per new "
        f"signer; row_values + update per signer already in the tab), its calls counted "
        f"without being sent (a {check['sample']}-signer sample sent to the fake for real: "
        f"{check['counted']} counted, {check['sent']} received).",
        "",
        "| Google run | wall time | ÷ floor | Sheets API requests | by operation "
        "| largest write | naive requests | naive ÷ ours |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for name, run in google["runs"].items():
        operations = ", ".join(f"{op} {n}" for op, n in sorted(run["operations"].items()))
        naive_count = google["naive"][name]
        lines.append(
            f"| {RUN_LABELS[name]} | {run['total']:.2f} s | {run['total'] / floor['total']:.1f}x "
            f"| **{run['requests']}** | {operations} | {run['largest_mb']:.1f} MB "
            f"| {naive_count:,} | {naive_count / max(run['requests'], 1):,.0f}x |")
    slowest = {name: max(run["timings"].items(), key=lambda item: item[1])
               for name, run in google["runs"].items()}
    lines += ["", "- slowest stage per Google run: " + "; ".join(
        f"{name} {stage} {seconds:.1f} s" for name, (stage, seconds) in slowest.items())]
    digest_timings = google["runs"]["digest"]["timings"]
    lines.append("- the digest run's write stage includes rendering the digest "
                 f"({digest_timings.get('render digest', 0):.1f} s) and saving its files "
                 f"({digest_timings.get('write digest files', 0):.1f} s)")
    lines += [f"- peak memory, Google runs (fake server in the same process): "
                  f"{google['peak_mb']:.0f} MB", ""]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="signer-sync benchmark")
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated, e.g. 1k,1M")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"where exports and outputs go (default {DEFAULT_DATA})")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--google-max", type=parse_size, default=parse_size("100k"),
                        help="largest size also run against the fake Sheets server "
                             "(default 100k; the in-process fake holds every cell)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, csv_path, other, folder = args.child
        if kind == "sync":
            result = measure_sync(Path(csv_path), Path(other), Path(folder))
        elif kind == "google":
            result = measure_google(Path(csv_path), Path(other), Path(folder))
        else:
            result = measure_floor(Path(csv_path), Path(folder), int(other))
        print(json.dumps(result))
        return

    print(f"# signer-sync benchmark\n\nmachine: {machine()}\n")
    for size in (parse_size(s) for s in args.sizes.split(",")):
        csv_path = args.data / f"responses-{label(size)}-seed{args.seed}.csv"
        earlier = args.data / f"responses-{label(size)}-seed{args.seed}-99pct.csv"
        if not csv_path.exists():
            write_export(csv_path, size, args.seed)
        if not earlier.exists():
            write_export(earlier, size, args.seed, keep=size * 99 // 100)
        folder = args.data / f"run-{label(size)}"
        sync = _child("sync", str(csv_path), str(earlier), str(folder))
        floor = _child("floor", str(csv_path), str(sync["signers"]), str(folder))
        lines = report(size, sync, floor)
        if size > args.google_max:
            lines.append(f"Sheets API requests: the fake-server run was skipped at this size "
                         f"(over --google-max {label(args.google_max)}).")
        else:
            google = _child("google", str(csv_path), str(earlier), str(folder))
            lines.extend(google_report(google, floor))
        print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
