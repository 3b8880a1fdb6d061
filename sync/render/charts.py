"""The digest's pictures as PNG bytes, drawn with matplotlib's Agg canvas.

Figures are built with the object API (`Figure` + `FigureCanvasAgg`), never pyplot: no
global figure state and no GUI backend, so charts render the same in the scheduler's
worker threads as in a terminal without a display.
"""

from __future__ import annotations

import base64
import datetime as dt
import io

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from sync.curate import INDIVIDUAL, ORGANIZATION
from sync.digest import SCOPE_ORDER, Digest

ORG_COLOR, PERSON_COLOR, NEW_COLOR, MARK_COLOR = "#1f5f8b", "#d98b2b", "#7fb3d5", "#8a8a8a"


def cumulative_chart(signers: pd.DataFrame, published: dt.date | None) -> bytes | None:
    """Organizations and individuals signed so far, by day, with the letter's publication
    date marked; None when no signer has a date."""
    when = pd.to_datetime(signers["First Signed"], errors="coerce") if not signers.empty \
        else pd.Series(dtype="datetime64[ns]")
    if when.notna().sum() == 0:
        return None
    figure = Figure(figsize=(7.5, 3.4), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    for kind, label, color in ((ORGANIZATION, "Organizations", ORG_COLOR),
                               (INDIVIDUAL, "Individuals", PERSON_COLOR)):
        days = when[(signers["Type"] == kind) & when.notna()].dt.normalize()
        if days.empty:
            continue
        counts = days.value_counts().sort_index().cumsum()
        axes.step(counts.index, counts.to_numpy(), where="post", label=label, color=color,
                  linewidth=2)
    if published is not None:
        axes.axvline(pd.Timestamp(published), color=MARK_COLOR, linestyle="--", linewidth=1)
        axes.annotate("Letter published", xy=(pd.Timestamp(published), 1), xycoords=(
            "data", "axes fraction"), xytext=(4, -12), textcoords="offset points",
            color="#555555", fontsize=9)
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_ylabel("Signers")
    axes.set_ylim(bottom=0)
    axes.set_title("Signers over time", loc="left", fontsize=12)
    axes.legend(frameon=False, loc="upper left")
    _tidy(axes)
    return _png(figure)


def scope_chart(signers: pd.DataFrame, new_ids: set[str]) -> bytes | None:
    """Organizations by scope, new ones since the last digest stacked on the rest; None when
    there are no organizations."""
    orgs = signers[signers["Type"] == ORGANIZATION] if not signers.empty else signers
    if orgs.empty:
        return None
    is_new = orgs["Signer ID"].isin(new_ids)
    scopes = [s for s in SCOPE_ORDER if (orgs["Scope"] == s).any()]
    earlier = [int(((orgs["Scope"] == s) & ~is_new).sum()) for s in scopes]
    new = [int(((orgs["Scope"] == s) & is_new).sum()) for s in scopes]
    figure = Figure(figsize=(7.5, 0.5 + 0.45 * len(scopes)), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(scopes)))[::-1]
    axes.barh(positions, earlier, color=ORG_COLOR, label="Before this digest")
    axes.barh(positions, new, left=earlier, color=NEW_COLOR, label="New in this digest")
    for y, a, b in zip(positions, earlier, new, strict=True):
        axes.annotate(str(a + b), xy=(a + b, y), xytext=(4, 0), textcoords="offset points",
                      va="center", fontsize=9)
    axes.set_yticks(positions, scopes)
    axes.set_xlabel("Organizations")
    axes.set_title("Organizations by scope", loc="left", fontsize=12)
    if any(new):
        axes.legend(frameon=False, loc="lower right")
    axes.margins(x=0.12)
    _tidy(axes)
    return _png(figure)


def data_uri(png: bytes) -> str:
    """A PNG as a data: URI, so an HTML file that uses it needs no other file."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _tidy(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def digest_charts(digest: Digest) -> dict[str, bytes]:
    """The charts a digest shows, by name, leaving out any with nothing to draw."""
    charts = {
        "cumulative": cumulative_chart(digest.signers, digest.published),
        "scope": scope_chart(digest.signers, set(digest.new["Signer ID"])),
    }
    return {name: png for name, png in charts.items() if png is not None}
