"""The benchmark: the whole sync at each size, next to the I/O floor, with ratios.

For each size it generates (once, cached in the data folder) a seeded form export, then in
a fresh subprocess per measurement, so one size's memory never pollutes another's:

* **sync**: `pipeline.run_job` on a csv → workbook job, timed per stage by the pipeline
  itself (read, map headers, normalize, curate, ids and decisions, write), three times:
  the first run (fresh state, new workbook) on the first 99% of the responses; the hourly
  run once the last 1% arrived (the workbook exists: read it, rewrite its tab); and a run
  with no new responses (nothing to write);
* **floor**: the same file read with `pandas.read_csv` and a workbook with tabs of the same
  shape written with openpyxl's write-only mode: the I/O any implementation must pay;
* **google**: Sheets API requests against the fake Sheets server and a naive row-by-row
  gspread writer's request count belong here; the Google backend was not on this branch
  when this script was written, so it says so (`google_available` detects it).

Peak memory is each subprocess's `ru_maxrss`. Ratios are sync ÷ floor.

    python -m bench.run                       # 1k, 10k, 100k
    python -m bench.run --sizes 1k,10k,100k,1M --data /tmp/signer-sync-bench
"""

from __future__ import annotations

import argparse
import importlib.util
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
NO_GOOGLE = "google backend not available on this branch"
GOOGLE_PENDING = ("google backend found, but this script was written before it existed and "
                  "does not measure it yet")

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
    for stale in ("signers.xlsx", "state.sqlite"):
        (folder / stale).unlink(missing_ok=True)
    runs: dict[str, Any] = {}
    for name, source in (("first", earlier_path), ("hourly", csv_path), ("unchanged", csv_path)):
        job_file = folder / f"bench-{name}.toml"
        job_file.write_text(JOB.format(csv=source.resolve()), encoding="utf-8")
        job = load_job(job_file)
        started, cpu = time.perf_counter(), time.process_time()
        result = run_job(job)
        runs[name] = {"total": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                      "timings": result.timings, "wrote": result.wrote,
                      "new": result.new_signers}
    return {
        "responses": result.responses, "signers": len(result.curated),
        "organizations": result.count("Organization"), "skipped": len(result.skipped),
        "runs": runs, "peak_mb": peak_mb(),
    }


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


def google_available() -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None
                   for name in ("sync.backends.google", "sync.testing.fake_sheets"))
    except ModuleNotFoundError:  # a parent package (sync.testing) is missing
        return False


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
        f"| I/O floor (pandas read_csv, write-only openpyxl) | {floor['read']:.2f} s | | | "
        f"{floor['write']:.2f} s | **{floor['total']:.2f} s** | {floor['cpu']:.2f} s |",
        f"| **first run ÷ floor** | {read / floor['read']:.1f}x | | | "
        f"{t['write'] / floor['write']:.1f}x | **{first['total'] / floor['total']:.1f}x** | "
        f"{first['cpu'] / floor['cpu']:.1f}x |",
        "",
        f"- normalize + curate (first run) = {work:.2f} s = "
        f"**{work / floor['total']:.1f}x the I/O floor**",
        f"- peak memory: sync (all three runs) {sync['peak_mb']:.0f} MB, floor "
        f"{floor['peak_mb']:.0f} MB ({sync['peak_mb'] / floor['peak_mb']:.1f}x)",
        "",
    ]
    lines.append(f"Sheets API requests (fake server) and naive row-by-row gspread: "
                 f"{GOOGLE_PENDING if google_available() else NO_GOOGLE}")
    lines.append("")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="signer-sync benchmark")
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated, e.g. 1k,1M")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"where exports and outputs go (default {DEFAULT_DATA})")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, csv_path, other, folder = args.child
        if kind == "sync":
            result = measure_sync(Path(csv_path), Path(other), Path(folder))
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
        print("\n".join(report(size, sync, floor)), flush=True)


if __name__ == "__main__":
    main()
