"""The memory profiler of the benchmark: every stage of both runs gets a peak."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import write_export

REPO = Path(__file__).parents[1]
STAGES = ("read", "map headers", "normalize", "curate", "ids and decisions",
          "write: _tab_writes", "write: _publish")


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="reads Linux /proc")
def test_each_stage_of_the_first_and_hourly_runs_gets_a_peak_within_the_runs(
    tmp_path: Path,
) -> None:
    full = write_export(tmp_path / "full.csv", 200, seed=8)
    earlier = write_export(tmp_path / "earlier.csv", 200, seed=8, keep=198)
    out = tmp_path / "memory.json"
    subprocess.run([sys.executable, "-m", "bench.memory", str(earlier), str(full),
                    "--folder", str(tmp_path / "run"), "--out", str(out)],
                   cwd=REPO, check=True, capture_output=True)

    figures = json.loads(out.read_text())
    peaks = {row["stage"]: row["peak_mb"] for row in figures["stages"]}
    for run in ("first", "hourly"):
        whole = peaks[f"{run}/run_job"]
        for stage in STAGES:
            assert 0 < peaks[f"{run}/run_job/run (all)/{stage}"] <= whole
    assert (tmp_path / "run" / "signers.xlsx").exists()
