"""Horizontal bar charts for the report pages, drawn in HTML (no chart library, no JavaScript).

Labels and values are ordinary page text (at least 12 px, wrapping instead of being clipped); each
bar is a tiny inline SVG whose rectangle's width is a percentage attribute, so no inline style is
needed under the site's Content-Security-Policy. The numbers are always in a table beside the
chart too. A chart with nothing to show says so in a sentence instead.
"""

from dataclasses import dataclass, field

SERIES_CLASSES = ("bar-a", "bar-b")


@dataclass
class Bar:
    value: float
    percent: float  # of the chart's maximum, 0 to 100
    css: str
    series: str


@dataclass
class Row:
    label: str
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    id: str
    title: str
    rows: list[Row]
    legend: list[tuple[str, str]]
    suffix: str = ""
    empty_text: str = ""

    @property
    def empty(self) -> bool:
        """True when every bar is zero (or there are no rows): a sentence reads better."""
        return not any(bar.value for row in self.rows for bar in row.bars)


def bar_chart(
    chart_id: str,
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float]]],
    maximum: float | None = None,
    suffix: str = "",
    empty_text: str = "",
) -> Chart:
    """A chart with one group of bars per label and one bar per series in each group."""
    top = max((max(values, default=0) for _, values in series), default=0)
    top = float(maximum or top or 1)
    rows = []
    for index, label in enumerate(labels):
        row = Row(label)
        for number, (name, values) in enumerate(series):
            value = values[index] or 0
            percent = min(max(100 * float(value) / top, 0), 100)
            css = SERIES_CLASSES[number % len(SERIES_CLASSES)]
            row.bars.append(Bar(value, round(percent, 1), css, name))
        rows.append(row)
    legend = [(name, SERIES_CLASSES[n % len(SERIES_CLASSES)]) for n, (name, _) in enumerate(series)]
    return Chart(chart_id, title, rows, legend, suffix, empty_text)
