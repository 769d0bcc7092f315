"""Horizontal bar charts as geometry for an inline SVG (no chart library, no JavaScript).

The template draws the rectangles and labels; the numbers are always in a table beside the chart.
"""

from dataclasses import dataclass, field

WIDTH = 640
LABEL_WIDTH = 200
VALUE_WIDTH = 56
BAR_HEIGHT = 14
GAP = 10
SERIES_CLASSES = ("bar-a", "bar-b")


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    css: str
    series: str


@dataclass
class Row:
    label: str
    y: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    id: str
    title: str
    width: int
    height: int
    rows: list[Row]
    legend: list[tuple[str, str]]
    suffix: str = ""


def _short(label: str, limit: int = 26) -> str:
    """At most `limit` characters: a 12 px label of 26 fits the 192 units left of the bars."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    chart_id: str,
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float]]],
    maximum: float | None = None,
    suffix: str = "",
) -> Chart:
    """A chart with one group of bars per label and one bar per series in each group."""
    top = max((max(values, default=0) for _, values in series), default=0)
    top = maximum or top or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    group = BAR_HEIGHT * len(series) + GAP
    rows = []
    for index, label in enumerate(labels):
        y = GAP + index * group
        row = Row(_short(label), y)
        for number, (name, values) in enumerate(series):
            value = values[index] or 0
            row.bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=y + number * BAR_HEIGHT,
                    width=max(room * float(value) / float(top), 0),
                    height=BAR_HEIGHT - 2,
                    value=value,
                    css=SERIES_CLASSES[number % len(SERIES_CLASSES)],
                    series=name,
                )
            )
        rows.append(row)
    legend = [(name, SERIES_CLASSES[n % len(SERIES_CLASSES)]) for n, (name, _) in enumerate(series)]
    height = GAP + len(labels) * group + GAP
    return Chart(chart_id, title, WIDTH, max(height, 40), rows, legend, suffix)
