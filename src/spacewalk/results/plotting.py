"""The reports' page style, and the matplotlib figures of the campaign and prebreathe reports
(the run report writes its SVG directly: ``svgchart``). Drawn without pyplot: no backend is
chosen and no global figure state is touched, so a notebook's matplotlib stays as it was;
matplotlib is imported only when a figure is drawn."""

from __future__ import annotations

import io
import re

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em auto;max-width:1100px;color:#1b1f24;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccd;padding-bottom:.2em}
.sub{color:#555}.outcome{display:inline-block;padding:.15em .6em;border-radius:4px;font-weight:600}
.completed{background:#d8f0dc}.terminated{background:#fff0c2}.aborted,.incomplete{background:#ffd9b3}
.loss-of-crew,.error,.incapacitated,.adrift{background:#f7c1c1}.impaired{background:#ffd9b3}.well{background:#d8f0dc}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ccd;padding:.25em .55em;text-align:left}
th{background:#f0f2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.low{background:#ffe1e1}.mid{background:#fff3cd}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(500px,1fr));gap:.6em}
.caution{color:#8a6100}.warning{color:#b34700}.emergency{color:#b00000;font-weight:600}
svg{max-width:100%;height:auto}
"""


def figure(*grid: int, figsize: tuple[float, float]):
    """A new figure and its axes (``figure(1, 2, figsize=...)`` for a row of two)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    return fig, fig.subplots(*grid)


def legend(ax, **kwargs) -> None:
    """A legend where something is labelled (a run with nobody outside has no lines),
    outside the axes on the right, so that it never covers data."""
    if ax.get_legend_handles_labels()[0]:
        kwargs.pop("loc", None)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)


def svg(fig) -> str:
    """The figure as inline SVG, without the metadata that would change from run to run."""
    buf = io.StringIO()
    fig.savefig(
        buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None}
    )
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
