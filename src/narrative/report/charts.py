"""Charts as inline SVG (matplotlib, no scripts, no network), drawn only from published tables."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402

from narrative.aggregate.cohort import Table  # noqa: E402
from narrative.aggregate.timeline import TimelineEvent  # noqa: E402

COLOUR = "#1f6fb2"
SECOND = "#e07b24"
WITHHELD = "#bdbdbd"
HEAT = LinearSegmentedColormap.from_list("narrative", ["#eef4fb", "#1f6fb2", "#0b2f57"])
plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False, "svg.hashsalt": "narrative"})


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def bars(labels: Sequence[str], series: dict[str, Sequence], *, title: str, horizontal: bool = False) -> str:
    """Bars of published counts; a withheld count is a grey stub labelled ``<5`` or ``*``."""
    size = (7.5, max(2.6, 0.28 * len(labels) + 1)) if horizontal else (max(5.0, 0.4 * len(labels) + 2), 3.0)
    fig, ax = plt.subplots(figsize=size)
    width = 0.8 / len(series)
    top = max([_number(v) or 0 for values in series.values() for v in values] + [10])
    for s, (name, values) in enumerate(series.items()):
        colour = (COLOUR, SECOND)[s % 2]
        for i, value in enumerate(values):
            at = i - 0.4 + width * (s + 0.5)
            number = _number(value)
            length = number if number is not None else top * 0.04
            style = dict(color=colour if number is not None else WITHHELD,
                         hatch=None if number is not None else "///", label=name if i == 0 else None)
            (ax.barh if horizontal else ax.bar)(at, length, width * 0.95, **style)
            if number is None:
                if horizontal:
                    ax.text(length, at, f" {value}", va="center", fontsize=8)
                else:
                    ax.text(at, length, str(value), ha="center", va="bottom", fontsize=8)
    ticks = range(len(labels))
    (ax.set_xlim if horizontal else ax.set_ylim)(0, top * 1.08)
    if horizontal:
        ax.set_yticks(ticks, labels)
        ax.invert_yaxis()
        ax.set_xlabel("children")
    else:
        ax.set_xticks(ticks, labels, rotation=45 if len(labels) > 8 else 0, ha="right" if len(labels) > 8 else "center")
        ax.set_ylabel("children")
    if len(series) > 1:
        ax.legend(frameon=False)
    ax.set_title(title, loc="left")
    return _svg(fig)


def heatmap(table: Table, *, skip: int = 1) -> str:
    """A matrix of published counts; withheld cells grey with their mark."""
    rows = [r[0] for r in table.rows]
    columns = table.columns[skip:]
    values = [[_number(v) for v in r[skip:]] for r in table.rows]
    top = max([v for row in values for v in row if v is not None] + [1])
    fig, ax = plt.subplots(figsize=(max(5.0, 0.42 * len(columns) + 3), max(2.5, 0.32 * len(rows) + 1.5)))
    for i, row in enumerate(table.rows):
        for j, shown in enumerate(row[skip:]):
            number = values[i][j]
            colour = WITHHELD if number is None else HEAT(number / top)
            ax.add_patch(plt.Rectangle((j, i), 1, 1, color=colour, ec="white", lw=0.5))
            dark = number is not None and number / top > 0.5
            ax.text(j + 0.5, i + 0.5, str(shown), ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")
    ax.set_xlim(0, len(columns))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks([j + 0.5 for j in range(len(columns))], columns, rotation=60, ha="right")
    ax.set_yticks([i + 0.5 for i in range(len(rows))], rows)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(table.title, loc="left")
    return _svg(fig)


def timeline(events: Sequence[TimelineEvent], *, by_age: bool) -> str:
    """Lanes by code; a dated event is a bar over its whole interval (never a point), an undated
    one a hollow triangle at its note ("by then")."""
    codes = sorted({e.code for e in events})
    lane = {c: i for i, c in enumerate(codes)}
    fig, ax = plt.subplots(figsize=(9, max(2.2, 0.45 * len(codes) + 1.2)))

    def x(value_age, value_date):
        if by_age:
            return value_age
        return matplotlib.dates.date2num(value_date) if value_date else None

    for event in events:
        y = lane[event.code]
        if event.dated:
            start, end = x(event.age_start, event.date_start), x(event.age_end, event.date_end)
            minimum = 0.04 if by_age else 14
            ax.barh(y, max(end - start, minimum), left=start, height=0.5, color=COLOUR, alpha=0.75)
        else:
            at = x(event.note_age, event.note_date)
            if at is not None:
                ax.plot([at], [y], marker="<", markersize=9, markerfacecolor="white", markeredgecolor=SECOND,
                        markeredgewidth=1.5)
    ax.set_yticks(range(len(codes)), codes)
    ax.set_ylim(len(codes) - 0.5, -0.5)
    if by_age:
        ax.set_xlabel("age (years)")
    else:
        ax.xaxis_date()
        ax.set_xlabel("date (no DOB on record)")
    ax.plot([], [], marker="<", ls="", markerfacecolor="white", markeredgecolor=SECOND, label="undated: by this note")
    ax.barh([], [], color=COLOUR, alpha=0.75, label="dated: the whole interval")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.grid(axis="x", color="#eeeeee")
    return _svg(fig)
