"""
The geometry of the statistics' charts, drawn by the templates as inline
SVG (templates/agent/statistics_charts.html): bars for counts per day or per
hour, horizontal bars for agents and ratings, the weekday x hour heat map.

Written here rather than taken from a charting library: the page needs four
simple shapes rendered on the server, with no script and no CDN (the CSP
allows neither), each with a table of the same numbers behind it. Chart.js
and Vega-Lite draw in the browser with JavaScript; pygal and matplotlib
render SVG on the server, but pygal's output carries its own script and
styles for tooltips, and matplotlib is a large dependency whose SVG has no
roles or titles for a screen reader. What is left is arithmetic: scales,
ticks and rectangles, which this module does in a page of code.
"""

import math
from dataclasses import dataclass

# The drawing's own units; the SVG scales to the width of its box (viewBox).
WIDTH = 720
HEIGHT = 240
LEFT = 48  # room for the axis' numbers
BOTTOM = 28  # room for the labels under the bars
TOP = 12
# Five shades of the heat map: none, then four steps up to the busiest cell.
HEAT_LEVELS = 5
MAX_X_LABELS = 16


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    label_shown: bool


@dataclass(frozen=True)
class Tick:
    y: float
    value: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    baseline: float
    bars: list
    ticks: list

    @property
    def label_y(self):
        return self.baseline + 18


def nice_ceiling(value):
    """
    The smallest of 1, 2, 4, 8 x 10^k that is at least ``value`` (at least 1):
    the axis' top, whose quarters (the ticks) are round numbers too.
    """
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 4, 8, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover (the loop ends at 10)


def bar_chart(items, *, width=WIDTH, height=HEIGHT):
    """Vertical bars for ``items`` [(label, value)], on an axis from 0 to a round number, with 5 ticks."""
    top = nice_ceiling(max((value for _label, value in items), default=0))
    plot_height = height - TOP - BOTTOM
    baseline = height - BOTTOM
    slot = (width - LEFT) / max(len(items), 1)
    gap = min(slot * 0.2, 4)
    every = math.ceil(len(items) / MAX_X_LABELS) or 1
    bars = []
    for index, (label, value) in enumerate(items):
        bar_height = plot_height * value / top
        bars.append(
            Bar(
                x=round(LEFT + index * slot + gap / 2, 2),
                y=round(baseline - bar_height, 2),
                width=round(max(slot - gap, 0.5), 2),
                height=round(bar_height, 2),
                label=label,
                value=value,
                label_shown=index % every == 0,
            )
        )
    ticks = [Tick(y=round(baseline - plot_height * n / 4, 2), value=top * n / 4) for n in range(5)]
    return BarChart(width=width, height=height, left=LEFT, baseline=baseline, bars=bars, ticks=ticks)


@dataclass(frozen=True)
class Row:
    bar_y: float
    text_y: float
    width: float
    value_x: float
    label: str
    value: float


@dataclass(frozen=True)
class RowChart:
    width: int
    height: int
    left: int
    label_x: int
    bar_height: int
    rows: list


def row_chart(items, *, width=WIDTH, label_width=180, row_height=28):
    """Horizontal bars for ``items`` [(label, value)]: the longest bar is the largest value."""
    top = max((value for _label, value in items), default=0) or 1
    room = width - label_width - 60  # the value is written after the bar
    rows = []
    for index, (label, value) in enumerate(items):
        bar_width = round(room * value / top, 2)
        rows.append(
            Row(
                bar_y=index * row_height + 4,
                text_y=index * row_height + 19,
                width=bar_width,
                value_x=label_width + bar_width + 6,
                label=label,
                value=value,
            )
        )
    return RowChart(
        width=width,
        height=max(len(rows), 1) * row_height,
        left=label_width,
        label_x=label_width - 8,
        bar_height=row_height - 8,
        rows=rows,
    )


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    level: int
    value: int
    weekday: int
    hour: int


@dataclass(frozen=True)
class HeatMap:
    width: int
    height: int
    left: int
    top: int
    size: int
    cells: list
    legend: list  # [(level, lowest, highest)]


def heat_level(value, busiest):
    """0 for no chats, else 1..HEAT_LEVELS-1 by the share of the busiest cell."""
    if not value or not busiest:
        return 0
    return min(HEAT_LEVELS - 1, math.ceil((HEAT_LEVELS - 1) * value / busiest))


def heat_map(cells, *, size=26, left=40, top=22):
    """The 7 x 24 cells (weekday, hour) with a shade each, and the legend's range for each shade."""
    busiest = max((value for row in cells for value in row), default=0)
    drawn = [
        Cell(x=left + hour * size, y=top + weekday * size, level=heat_level(value, busiest), value=value,
             weekday=weekday, hour=hour)
        for weekday, row in enumerate(cells)
        for hour, value in enumerate(row)
    ]  # fmt: skip
    legend = [(0, 0, 0)]
    for level in range(1, HEAT_LEVELS):
        lowest = math.floor(busiest * (level - 1) / (HEAT_LEVELS - 1)) + 1
        highest = math.floor(busiest * level / (HEAT_LEVELS - 1))
        if busiest and highest >= lowest:
            legend.append((level, lowest, highest))
    return HeatMap(
        width=left + 24 * size, height=top + 7 * size, left=left, top=top, size=size, cells=drawn, legend=legend
    )
