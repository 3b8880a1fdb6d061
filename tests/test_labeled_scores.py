"""The hand-labeled cases in tests/labeled/ meet the issue's targets (bench script)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "score_normalization.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("score_normalization", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_there_are_at_least_200_hand_labeled_cases():
    bench = load_bench()
    total = sum(len(bench.read_cases(f.name)) for f in bench.LABELED.glob("*.csv"))
    assert total >= 200


def test_labeled_cases_meet_the_targets():
    bench = load_bench()
    scores, misses = bench.score()
    assert scores["outside_traps_marked_yes"] == 0, [m for m in misses if m.kind == "outside"]
    assert scores["outside_precision"] == 1.0
    assert scores["outside_recall"] >= 0.95
    assert scores["merge_precision"] == 1.0, [m for m in misses if m.kind == "merge"]
    assert scores["merge_recall"] >= 0.95
    assert scores["names_exact"] >= 0.97, [m for m in misses if m.kind == "name"]
    assert scores["affiliations_exact"] >= 0.97, [m for m in misses if m.kind == "affiliation"]
