"""Where a sync's memory goes: peak resident memory per pipeline stage, and what holds it.

Runs the benchmark's first and hourly runs (bench.run's job: a csv export into a workbook),
and with `--runs` its no-new and digest runs too, in this process, with hooks around the
pipeline's stages and the steps inside them. Each hook reads the kernel's high-water mark
of resident memory (VmHWM) and resets it (/proc/self/clear_refs), so every stage's peak is
exact, not sampled.

With `--holders`, at the end of the big stages it also sizes the run's live objects (the
frames and tables `pipeline._run` holds, and what the stage returned), each distinct Python
object counted once, for the first holder that reaches it, and counts the entries of the
lru caches. It runs between the stages, outside their peaks, but slowly: about 2 minutes
of CPU at 100k responses, too slow for 1M (scale the 100k figures).

The peaks reset the kernel's high-water mark, so `ru_maxrss` means nothing in this
process; the overall peak is printed instead. After the runs it reports how much of the
RSS is free heap the allocator kept (malloc_trim) and how much the caches held.

    python -m bench.memory /tmp/signer-sync-bench/responses-1M-seed8-99pct.csv \\
        /tmp/signer-sync-bench/responses-1M-seed8.csv --folder /tmp/mem-run [--holders]

Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import gc
import itertools
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.run import JOB

MB = 1024 * 1024
_STATUS = Path("/proc/self/status")


def _kib(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    return int(match.group(1)) if match else 0


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # 5: reset the peak RSS (VmHWM)


class Recorder:
    """Stage peaks, nested: a step's peak also counts towards every stage around it."""

    def __init__(self) -> None:
        self.stack: list[list[Any]] = []  # [path, peak KiB, RSS at entry KiB]
        self.rows: list[dict[str, Any]] = []
        self.run = ""
        self.overall = 0

    def _fold(self) -> int:
        peak = _kib("VmHWM")
        self.overall = max(self.overall, peak)
        for frame in self.stack:
            frame[1] = max(frame[1], peak)
        _reset_peak()
        return peak

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self._fold()
        parent = self.stack[-1][0] if self.stack else self.run
        path = f"{parent}/{name}"
        started, cpu = time.perf_counter(), time.process_time()
        entry = _kib("VmRSS")
        self.stack.append([path, entry, entry])
        try:
            yield
        finally:
            self._fold()
            frame = self.stack.pop()
            self.rows.append({"stage": frame[0], "depth": frame[0].count("/"),
                              "peak_mb": frame[1] / 1024, "entry_mb": frame[2] / 1024,
                              "exit_mb": _kib("VmRSS") / 1024,
                              "wall_s": time.perf_counter() - started,
                              "cpu_s": time.process_time() - cpu})


RECORDER = Recorder()


def _hooked(name: str, function: Callable[..., Any],
            after: Callable[[str, Any], None] | None = None) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with RECORDER.stage(name):
            result = function(*args, **kwargs)
        if after is not None:
            after(name, result)
        return result
    return wrapper


def install_hooks(after_stage: Callable[[str, Any], None] | None) -> None:
    """Wrap the pipeline's stages and the steps inside them (module attributes, so the
    pipeline's own lookups find the wrappers)."""
    from sync import curate, normalize, outputs, pipeline, review, signer_ids, state
    from sync.backends import csv as csv_backend
    from sync.backends import workbook

    def patch(owner: Any, attribute: str, name: str, holders: bool = False) -> None:
        setattr(owner, attribute, _hooked(name, getattr(owner, attribute),
                                          after_stage if holders else None))

    patch(pipeline, "_run", "run (all)")
    patch(pipeline, "read_inputs", "read", holders=True)
    patch(csv_backend.CsvBook, "read", "csv read")
    patch(workbook.WorkbookBook, "read", "workbook read (calamine)")
    patch(pipeline, "mapped_responses", "map headers", holders=True)
    patch(pipeline, "normalize_responses", "normalize", holders=True)
    patch(normalize, "cluster_organizations", "cluster_organizations")
    if hasattr(pipeline, "clear_caches"):
        patch(pipeline, "clear_caches", "clear_caches")
    patch(curate, "build_signers", "curate", holders=True)
    patch(curate, "skip_reasons", "skip_reasons")
    patch(curate, "effective_responses", "effective_responses")
    patch(curate, "_gather", "_gather")
    patch(pipeline, "_identify", "ids and decisions", holders=True)
    patch(state.State, "decisions", "state.decisions")
    patch(state.State, "registry", "state.registry")
    patch(signer_ids, "registry_from_tab", "registry_from_tab")
    patch(signer_ids, "assign_ids", "assign_ids")
    patch(curate, "flag_possible_duplicates", "flag_possible_duplicates")
    patch(review, "merge_decisions", "merge_decisions")
    patch(pipeline, "letter_list", "write: letter_list")
    patch(pipeline, "_tab_writes", "write: _tab_writes", holders=True)
    patch(pipeline, "curated_table", "curated_table")
    patch(pipeline, "letter_rows", "letter_rows")
    patch(pipeline, "_same_rows", "_same_rows")
    patch(pipeline, "_publish", "write: _publish")
    patch(outputs, "write_letter_file", "write_letter_file")
    patch(workbook.WorkbookBook, "write", "workbook write")
    patch(workbook.WorkbookBook, "_attempt", "build and swap in")
    patch(workbook, "write_package", "write_package (stream rows)")
    patch(state.State, "save_curation", "state.save_curation")
    patch(pipeline, "_decisions", "_decisions")


# --- holders: what the live objects weigh ---------------------------------------------------

class Sizer:
    """Bytes of the objects reachable from each root, every object counted once overall
    (the first root to reach it owns it). Big object arrays, columns and tables are walked
    by pointer with numpy; small structures with a set of ids."""

    def __init__(self) -> None:
        self.walked = np.empty(0, dtype=np.int64)  # sorted: objects met through arrays
        self.seen: set[int] = set()  # objects met one by one

    def of(self, root: Any) -> int:
        return self._object(root)

    def _known(self, pointer: int) -> bool:
        if pointer in self.seen:
            return True
        index = int(np.searchsorted(self.walked, pointer))
        return index < len(self.walked) and int(self.walked[index]) == pointer

    def _array(self, array: np.ndarray) -> int:
        """An object array: its pointers, plus the distinct objects not met before."""
        flat = np.ascontiguousarray(array.ravel())
        if not len(flat):
            return flat.nbytes
        buffer = (ctypes.c_int64 * len(flat)).from_address(flat.ctypes.data)
        pointers = np.frombuffer(buffer, dtype=np.int64)
        distinct, first = np.unique(pointers, return_index=True)
        self._merge_seen()
        fresh = ~np.isin(distinct, self.walked, assume_unique=True)
        self.walked = np.union1d(self.walked, distinct[fresh])
        total = flat.nbytes
        for index in first[fresh]:
            total += self._contents(flat[index])
        return total

    def _merge_seen(self) -> None:
        if self.seen:
            self.walked = np.union1d(self.walked, np.fromiter(self.seen, dtype=np.int64))
            self.seen.clear()

    def _object(self, value: Any) -> int:
        if value is None or self._known(id(value)):
            return 0
        self.seen.add(id(value))
        return self._contents(value)

    def _contents(self, value: Any) -> int:
        if isinstance(value, pd.DataFrame):
            return int(value.index.memory_usage()) + sum(
                self._column(value.iloc[:, i]) for i in range(value.shape[1]))
        if isinstance(value, pd.Series):
            return self._column(value)
        if isinstance(value, np.ndarray):
            return self._array(value) if value.dtype == object else value.nbytes
        size = sys.getsizeof(value)
        if isinstance(value, (str, bytes, int, float, bool)):
            return size
        if isinstance(value, (list, tuple)) and len(value) > 1000:
            if all(isinstance(v, (list, tuple)) for v in value[:50]):  # a table
                cells = np.fromiter(itertools.chain.from_iterable(value), dtype=object)
                return size + sum(map(sys.getsizeof, value)) + self._array(cells)
            return size + self._array(np.fromiter(value, dtype=object, count=len(value)))
        if isinstance(value, dict) and len(value) > 1000:
            keys = np.fromiter(value.keys(), dtype=object, count=len(value))
            values = np.fromiter(value.values(), dtype=object, count=len(value))
            return size + self._array(keys) + self._array(values)
        if isinstance(value, (list, tuple, set, frozenset)):
            return size + sum(self._object(v) for v in value)
        if isinstance(value, dict):
            return size + sum(self._object(k) + self._object(v) for k, v in value.items())
        if hasattr(value, "__dict__"):
            return size + self._object(vars(value))
        for slot in getattr(type(value), "__slots__", ()):
            size += self._object(getattr(value, slot, None))
        return size

    def _column(self, column: pd.Series) -> int:
        values = column.array
        array = values._ndarray if hasattr(values, "_ndarray") else np.asarray(values)
        index = 0 if self._known(id(column.index)) else int(column.index.memory_usage())
        self.seen.add(id(column.index))
        return index + (self._array(array) if array.dtype == object else array.nbytes)


def _lru_caches() -> dict[str, Any]:
    """Every lru cache of the sync package, by module and name."""
    found: dict[str, Any] = {}
    for module_name, module in sorted(sys.modules.items()):
        for value in vars(module).values() if module_name.startswith("sync.") else ():
            if isinstance(value, functools._lru_cache_wrapper) and value not in found.values():
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def cache_report() -> dict[str, int]:
    """Entries held by each lru cache of the sync package."""
    return {name: cache.cache_info().currsize for name, cache in _lru_caches().items()}


HOLDERS: list[dict[str, Any]] = []


def size_holders(stage: str, returned: Any) -> None:
    """Size what the running `_run` holds, and what the stage that just ended returned
    (not yet in `_run`'s variables)."""
    started = time.perf_counter()
    frame = sys._getframe()
    run_locals: dict[str, Any] = {}
    while frame is not None:
        if frame.f_code.co_name == "_run" and "timings" in frame.f_locals:
            run_locals = dict(frame.f_locals)
            break
        frame = frame.f_back
    roots: dict[str, Any] = {}
    inputs = run_locals.get("inputs")
    if inputs is None and stage == "read":
        inputs = returned
    if inputs is not None:
        roots["inputs.source"] = inputs.source
        roots["inputs.curated (tab read back)"] = inputs.curated
        roots["inputs.letter"] = inputs.letter
    for name in ("responses", "clean", "curation", "curated", "letter", "writes", "result"):
        if name in run_locals:
            roots[name] = run_locals[name]
    if stage != "read":  # last: only what it adds to the rest
        roots[f"returned by {stage}"] = returned
    sizer = Sizer()
    sizes = {name: sizer.of(root) / MB for name, root in roots.items() if root is not None}
    caches = {name.removeprefix("sync.normalize."): entries
              for name, entries in cache_report().items() if entries > 1}
    HOLDERS.append({"run": RECORDER.run, "after": stage, "rss_mb": _kib("VmRSS") / 1024,
                    "holders_mb": sizes, "cache_entries": caches,
                    "sizing_s": time.perf_counter() - started})
    del sizer, roots, run_locals
    gc.collect()
    _reset_peak()


def release_report() -> dict[str, float]:
    """RSS once the runs are over; after giving free heap back to the system (what the
    allocator kept); after emptying the normalize caches too (what they held)."""
    libc = ctypes.CDLL("libc.so.6")
    found = {"after the runs": _kib("VmRSS") / 1024}
    gc.collect()
    libc.malloc_trim(0)
    found["free heap returned (malloc_trim)"] = _kib("VmRSS") / 1024
    caches = _lru_caches()
    for big in (True, False):
        for cache in caches.values():
            if (cache.cache_info().maxsize != 1) == big:
                cache.cache_clear()
        gc.collect()
        libc.malloc_trim(0)
        found["value caches emptied" if big else "place tables (maxsize=1) emptied too"] = \
            _kib("VmRSS") / 1024
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("first", type=Path, help="the export the first run reads")
    parser.add_argument("hourly", type=Path, help="the export the hourly run reads")
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--holders", action="store_true", help="also size the live objects")
    parser.add_argument("--runs", default="first,hourly",
                        help="runs in order: first, hourly, unchanged, digest (the last three "
                             "read the hourly export; digest also publishes the digest)")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)

    from sync.config import load_job
    from sync.pipeline import run_job

    install_hooks(size_holders if args.holders else None)
    args.folder.mkdir(parents=True, exist_ok=True)
    if "first" in args.runs.split(","):
        for stale in ("signers.xlsx", "state.sqlite", *args.folder.glob("bench-*.toml")):
            (args.folder / stale).unlink(missing_ok=True)
    _reset_peak()
    baseline = _kib("VmRSS") / 1024
    for name in args.runs.split(","):
        source = args.first if name == "first" else args.hourly
        job_file = args.folder / "bench.toml"  # one job, its export replaced between runs
        job_file.write_text(JOB.format(csv=source.resolve()), encoding="utf-8")
        job = load_job(job_file)
        RECORDER.run = name
        with RECORDER.stage("run_job"):
            result = run_job(job, with_digest=name == "digest")
        print(f"{name}: {result.responses} responses, {len(result.curated)} signers, "
              f"peak {RECORDER.rows[-1]['peak_mb']:.0f} MB", file=sys.stderr, flush=True)
        del result
    after = release_report()
    figures = {"baseline_mb": baseline, "after_runs": after,
               "overall_peak_mb": RECORDER.overall / 1024,
               "stages": RECORDER.rows, "holders": HOLDERS, "caches": cache_report()}
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1))
    for row in RECORDER.rows:
        print(f"{'  ' * row['depth']}{row['stage']:<60} peak {row['peak_mb']:7.0f} MB  "
              f"entry {row['entry_mb']:7.0f}  exit {row['exit_mb']:7.0f}  "
              f"cpu {row['cpu_s']:6.1f} s")
    print("; ".join(f"{k}: {v:.0f} MB" for k, v in after.items()))
    for holder in HOLDERS:
        print(f"[{holder['run']}] after {holder['after']}: RSS {holder['rss_mb']:.0f} MB; "
              + ", ".join(f"{k} {v:.0f}" for k, v in holder["holders_mb"].items())
              + f"; caches {holder['cache_entries']}")


if __name__ == "__main__":
    main()
