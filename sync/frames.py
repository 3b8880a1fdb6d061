"""Rows of a DataFrame as plain Python values, fast.

A pandas 3 string column hands out its values one at a time through Python when iterated
(`zip(frame[a], frame[b])`, `itertuples`, `to_dict("records")`), which cost seconds per
pass at 100,000 rows; `Series.tolist()` converts a whole column in one call.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import starmap
from typing import Any, TypeVar

import pandas as pd

Record = TypeVar("Record", bound=tuple[Any, ...])


def columns(frame: pd.DataFrame, *names: str) -> list[list[Any]]:
    """The named columns as lists, for `zip(*columns(frame, "a", "b"))`."""
    return [frame[name].tolist() for name in names]


def rows(frame: pd.DataFrame, *names: str) -> Iterator[tuple[Any, ...]]:
    """The named columns' values, row by row."""
    return zip(*columns(frame, *names), strict=True)


def records(frame: pd.DataFrame, record: type[Record]) -> list[Record]:
    """Each row as `record`, a NamedTuple whose fields name the columns it takes."""
    return list(starmap(record, rows(frame, *record._fields)))


def dicts(frame: pd.DataFrame, *names: str) -> list[dict[str, Any]]:
    """Each row as a dict of the named columns (those the frame has)."""
    present = [name for name in names if name in frame.columns]
    return [dict(zip(present, values, strict=True)) for values in rows(frame, *present)]
