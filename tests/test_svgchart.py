"""The report's charts, written as SVG text (spacewalk.results.svgchart): ticks, thinning
and gaps checked against what a reader of the chart must see."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np

from spacewalk.results.svgchart import Chart, nice_ticks, page_row, tick_label


def test_ticks_are_round_numbers_that_cover_the_range():
    for lo, hi in [(0, 147.1), (0.443, 0.552), (-1, 1), (37.2, 45.0), (0, 1e-3), (-33, 33)]:
        ticks = nice_ticks(lo, hi)
        step = ticks[1] - ticks[0]
        assert 2 <= len(ticks) <= 6
        assert lo <= ticks[0] < lo + step + 1e-12 and hi - step - 1e-12 < ticks[-1] <= hi
        mantissa = step / 10 ** np.floor(np.log10(step))
        assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5, 10)) < 1e-9
    assert [tick_label(v, 0.02) for v in nice_ticks(0.45, 0.55)] == [
        "0.46", "0.48", "0.50", "0.52", "0.54",
    ]  # fmt: skip
    assert tick_label(0.475, 0.025) == "0.475"
    assert [tick_label(v, 2.5) for v in (37.5, 40.0)] == ["37.5", "40.0"]
    assert tick_label(50.0, 50.0) == "50"


def test_a_long_series_keeps_its_extremes_and_a_gap_stays_a_gap():
    t = np.linspace(0, 480, 20_000)
    y = np.sin(t / 3.0)
    y[5000] = 7.0  # one spike: a plot that dropped it would hide an alarm's cause
    y[12_000:12_100] = np.nan  # not suited: no line through it
    chart = Chart(520, 270, title="spike")
    chart.line(t, y, colour="#000")
    chart.fit()
    text = chart.svg()
    ET.fromstring(text)  # well-formed XML
    d = re.search(r'<path d="([^"]+)"', text).group(1)
    assert d.count("M") == 2  # two pieces, broken at the gap
    pts = np.array(re.findall(r"[ML]([0-9.]+) ([0-9.]+)", d), float)
    assert len(pts) < 2_000  # thinned to what ~450 pixels can show
    x0, y0, x1, y1 = chart.box
    assert abs(pts[:, 1].min() - y0) < 0.1 + 0.05 * (y1 - y0)  # the spike reaches the top
    assert chart.ylim[1] >= 7.0


def test_equal_axes_draw_a_metre_the_same_both_ways_and_sit_side_by_side():
    views = [Chart(400, 420, title=t, equal=True) for t in ("a", "b")]
    for v in views:
        v.polygon([(-1, -1), (1, -1), (1, 1), (-1, 1)])
        v.limits(xlim=(-10, 10), ylim=(-10, 10))
    text = page_row(*views)
    root = ET.fromstring(text)
    assert root.get("width") == "800" and root.find("{*}title").text == "a / b"
    x0, y0, x1, y1 = views[0].box
    assert abs((x1 - x0) - (y1 - y0)) < 0.5
