"""Charts written as SVG text directly: axes with round-number ticks, lines, bands, bars,
polygons, markers and a legend, in a fixed layout (no text measuring, no font files).

The run report draws a dozen charts; matplotlib took 1.1-1.9 s for them (its layout engine
measures every tick label), this takes a few milliseconds. A chart is built in data
coordinates and written once::

    c = Chart(width=520, height=270, title="O2", xlabel="time [min]", ylabel="kg")
    c.line(t_min, o2_kg, label="ev1")
    c.fit()                       # limits from what was drawn (or c.limits(...))
    svg_text = c.svg()
"""

from __future__ import annotations

import html
import math

import numpy as np

# matplotlib's tab10 and tab20, so the colours read as before
TAB10 = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip
TAB20 = ("#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728",
         "#ff9896", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2",
         "#7f7f7f", "#c7c7c7", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5")  # fmt: skip
DASH = {"-": "", "--": "5,3", ":": "1.5,2.5"}
CHAR_EM = 0.56  # mean width of a character in em, for text that must fit (system sans-serif)


def nice_ticks(lo: float, hi: float, most: int = 6) -> np.ndarray:
    """Round-number ticks covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of ten),
    at most ``most`` of them inside the range."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return np.array([lo])
    raw = (hi - lo) / max(most - 1, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * mag >= raw * (1 - 1e-9))
    first = math.ceil(lo / step - 1e-9) * step
    ticks = np.arange(first, hi + step * 1e-9, step)
    return np.where(np.abs(ticks) < step * 1e-9, 0.0, ticks)


def tick_label(v: float, step: float) -> str:
    """A tick's text with the decimals its step needs (no 0.30000000000000004)."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    if step > 0 and round(step * 10**decimals) % 10 and step * 10**decimals % 1:
        decimals += 1  # a 2.5 or 0.25 step
    return f"{v:.{decimals}f}"


def _esc(s) -> str:
    return html.escape(str(s), quote=True)


def _thin(x: np.ndarray, y: np.ndarray, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """At most 2 points per bucket (its min and max, in time order) for long series: what a
    plot of ``buckets`` pixels can show of them."""
    n = len(x)
    if n <= 4 * buckets:
        return x, y
    edges = np.linspace(0, n, buckets + 1).astype(int)
    keep = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        seg = y[a:b]
        finite = np.isfinite(seg)
        if not finite.any():
            keep.append(a)
            continue
        lo = a + int(np.nanargmin(seg))
        hi = a + int(np.nanargmax(seg))
        keep.extend(sorted({lo, hi}))
    idx = np.array(keep)
    return x[idx], y[idx]


class Chart:
    """One plot area with its title, axis labels and an optional legend on its right."""

    def __init__(
        self,
        width: float = 520,
        height: float = 270,
        *,
        title: str = "",
        xlabel: str = "",
        ylabel: str = "",
        legend_px: float | None = 0.0,
        left: float = 56,
        bottom: float = 40,
        top: float = 26,
        right: float = 12,
        equal: bool = False,
    ):
        self.width, self.height = width, height
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel
        self.legend_px = legend_px  # None: as wide as the longest label needs (up to 200)
        self.margins = (left, top, right, bottom)
        self.box = (0.0, 0.0, 1.0, 1.0)  # the plot area x0, y0, x1, y1, set when written
        self.equal = equal
        self.items: list[tuple] = []  # (kind, data...) in data coordinates, drawn in order
        self.legend_items: list[tuple[str, str, str]] = []  # (label, colour, kind)
        self.xlim: tuple[float, float] | None = None
        self.ylim: tuple[float, float] | None = None
        self.yticks: list[tuple[float, str]] | None = None  # categorical labels

    # -- building ------------------------------------------------------------------------
    def line(self, x, y, *, colour: str, style: str = "-", width: float = 1.2, label=None):
        x, y = np.asarray(x, float), np.asarray(y, float)
        self.items.append(("line", x, y, colour, style, width))
        if label:
            self.legend_items.append((str(label), colour, "line" + style))

    def band(self, x0: float, x1: float, *, colour: str = "#1b2a4a", opacity: float = 0.13):
        self.items.append(("band", x0, x1, colour, opacity))

    def vline(self, x: float, *, colour: str, style: str = ":", width: float = 0.8):
        self.items.append(("vline", x, colour, style, width))

    def bar(self, y: float, x0: float, x1: float, *, colour: str, height: float = 0.8, text=""):
        self.items.append(("bar", y, x0, x1, colour, height, text))

    def polygon(self, pts, *, fill="#c9d1d9", stroke="#6e7681", label=None):
        self.items.append(("polygon", np.asarray(pts, float), fill, stroke))
        if label:
            self.legend_items.append((label, fill, "patch"))

    def circle(self, cx, cy, r, *, colour, style=":", label=None):
        self.items.append(("circle", cx, cy, r, colour, style))
        if label:
            self.legend_items.append((label, colour, "line" + style))

    def marker(self, x, y, *, colour="#000", shape="o", size=3.0, label=None, text=None):
        self.items.append(("marker", x, y, colour, shape, size, text))
        if label:
            self.legend_items.append((label, colour, "marker" + shape))

    def legend_patch(self, label: str, colour: str):
        self.legend_items.append((label, colour, "patch"))

    def limits(self, xlim=None, ylim=None):
        if xlim is not None:
            self.xlim = (float(xlim[0]), float(xlim[1]))
        if ylim is not None:
            self.ylim = (float(ylim[0]), float(ylim[1]))

    def fit(self, pad: float = 0.05):
        """Limits from the lines drawn (5 % margin; a flat line gets a band around it)."""
        xs = [it[1] for it in self.items if it[0] == "line"]
        ys = [it[2] for it in self.items if it[0] == "line"]

        def span(arrays, margin):
            vals = np.concatenate([a[np.isfinite(a)] for a in arrays]) if arrays else []
            if len(vals) == 0:
                return (0.0, 1.0)
            lo, hi = float(vals.min()), float(vals.max())
            if hi - lo < 1e-12 * max(1.0, abs(hi)):
                d = max(abs(hi) * 0.1, 1.0)
                return (lo - d, hi + d)
            m = (hi - lo) * margin
            return (lo - m, hi + m)

        if self.xlim is None:
            self.xlim = span(xs, 0.0)
        if self.ylim is None:
            self.ylim = span(ys, pad)

    # -- writing -------------------------------------------------------------------------
    def _scales(self):
        left, top, right, bottom = self.margins
        if self.legend_px is None:
            longest = max((len(t) for t, _, _ in self.legend_items), default=0)
            self.legend_px = min(200.0, longest * 8 * CHAR_EM + 30) if longest else 0.0
        self.box = (left, top, self.width - right - self.legend_px, self.height - bottom)
        x0, y0, x1, y1 = self.box
        (a, b), (c, d) = self.xlim, self.ylim
        if self.equal:  # one metre is as long across as up: shrink the longer side's box
            sx, sy = (x1 - x0) / (b - a), (y1 - y0) / (d - c)
            s = min(sx, sy)
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            w, h = s * (b - a), s * (d - c)
            x0, x1, y0, y1 = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
            self.box = (x0, y0, x1, y1)
        return (
            lambda v: x0 + (np.asarray(v, float) - a) / (b - a) * (x1 - x0),
            lambda v: y1 - (np.asarray(v, float) - c) / (d - c) * (y1 - y0),
        )

    def svg(self) -> str:
        """The chart as one ``<svg>`` element."""
        return _wrap(self.width, self.height, self.body(), self.title)

    def body(self) -> str:
        """The chart's elements, without the ``<svg>`` around them."""
        if self.xlim is None or self.ylim is None:
            self.fit()
        X, Y = self._scales()
        x0, y0, x1, y1 = self.box
        # the same plot area gives the same id, so equal ids are equal clip paths
        clip = f"clip-{x0:.0f}-{y0:.0f}-{x1:.0f}-{y1:.0f}"
        out = [
            f'<defs><clipPath id="{clip}"><rect x="{x0:.1f}" y="{y0:.1f}" '
            f'width="{x1 - x0:.1f}" height="{y1 - y0:.1f}"/></clipPath></defs>',
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
            'fill="#fff" stroke="none"/>',
        ]
        out += self._grid(X, Y)
        out.append(f'<g clip-path="url(#{clip})">')
        for it in self.items:
            out.append(self._item(it, X, Y))
        out.append("</g>")
        out.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
            'fill="none" stroke="#333" stroke-width="0.8"/>'
        )
        for it in self.items:  # marker texts may stand outside the plot area
            if it[0] == "marker" and it[6]:
                px, py = float(X(it[1])), float(Y(it[2]))
                out.append(
                    f'<text x="{px + 3:.1f}" y="{py - 3:.1f}" font-size="8">{_esc(it[6])}</text>'
                )
        if self.title:
            out.append(
                f'<text x="{(x0 + x1) / 2:.1f}" y="{y0 - 8:.1f}" text-anchor="middle" '
                f'font-size="12">{_esc(self.title)}</text>'
            )
        if self.xlabel:
            out.append(
                f'<text x="{(x0 + x1) / 2:.1f}" y="{self.height - 6:.1f}" text-anchor="middle">'
                f"{_esc(self.xlabel)}</text>"
            )
        if self.ylabel:
            cy = (y0 + y1) / 2
            out.append(
                f'<text x="12" y="{cy:.1f}" text-anchor="middle" '
                f'transform="rotate(-90 12 {cy:.1f})">{_esc(self.ylabel)}</text>'
            )
        out += self._legend()
        return "".join(out)

    def _grid(self, X, Y) -> list[str]:
        x0, y0, x1, y1 = self.box
        out = []
        xt = nice_ticks(*self.xlim, most=max(3, int((x1 - x0) / 70)))
        step = xt[1] - xt[0] if len(xt) > 1 else 1.0
        for v in xt:
            px = float(X(v))
            out.append(
                f'<line x1="{px:.1f}" y1="{y0:.1f}" x2="{px:.1f}" y2="{y1 + 4:.1f}" stroke="#ccc" stroke-width="0.6"/>'
            )
            out.append(
                f'<text x="{px:.1f}" y="{y1 + 14:.1f}" text-anchor="middle" font-size="9">{tick_label(v, step)}</text>'
            )
        if self.yticks is not None:
            labels = self.yticks
        else:
            yt = nice_ticks(*self.ylim, most=max(3, int((y1 - y0) / 40)))
            step = yt[1] - yt[0] if len(yt) > 1 else 1.0
            labels = [(v, tick_label(v, step)) for v in yt]
        for v, text in labels:
            py = float(Y(v))
            grid = "#ccc" if self.yticks is None else "none"
            out.append(
                f'<line x1="{x0 - 4:.1f}" y1="{py:.1f}" x2="{x1:.1f}" y2="{py:.1f}" stroke="{grid}" stroke-width="0.6"/>'
            )
            out.append(
                f'<text x="{x0 - 6:.1f}" y="{py + 3:.1f}" text-anchor="end" font-size="9">{_esc(text)}</text>'
            )
        return out

    def _item(self, it, X, Y) -> str:
        kind = it[0]
        x0, y0, x1, y1 = self.box
        if kind == "line":
            _, x, y, colour, style, width = it
            x, y = _thin(x, y, int(x1 - x0))
            px, py = X(x), Y(y)
            ok = np.isfinite(px) & np.isfinite(py)
            parts, pen = [], False
            # Python floats: formatting them is several times faster than NumPy scalars
            for a, b, good in zip(px.tolist(), py.tolist(), ok.tolist(), strict=True):
                if not good:
                    pen = False
                    continue
                parts.append(f"{'L' if pen else 'M'}{a:.1f} {b:.1f}")
                pen = True
            dash = f' stroke-dasharray="{DASH[style]}"' if DASH.get(style) else ""
            return f'<path d="{"".join(parts)}" fill="none" stroke="{colour}" stroke-width="{width}"{dash}/>'
        if kind == "band":
            _, a, b, colour, opacity = it
            pa, pb = float(X(a)), float(X(b))
            return f'<rect x="{pa:.1f}" y="{y0:.1f}" width="{max(pb - pa, 0):.1f}" height="{y1 - y0:.1f}" fill="{colour}" fill-opacity="{opacity}"/>'
        if kind == "vline":
            _, x, colour, style, width = it
            px = float(X(x))
            return f'<line x1="{px:.1f}" y1="{y0:.1f}" x2="{px:.1f}" y2="{y1:.1f}" stroke="{colour}" stroke-width="{width}" stroke-dasharray="{DASH[style] or "none"}"/>'
        if kind == "bar":
            _, y, a, b, colour, h, text = it
            pa, pb = float(X(a)), float(X(b))
            top, bot = float(Y(y - h / 2)), float(Y(y + h / 2))
            ya, yb = min(top, bot), max(top, bot)
            s = f'<rect x="{pa:.1f}" y="{ya:.1f}" width="{max(pb - pa, 0):.1f}" height="{yb - ya:.1f}" fill="{colour}" stroke="#fff" stroke-width="0.8"/>'
            if text and len(text) * 9 * CHAR_EM + 6 < pb - pa:  # written where it fits
                s += f'<text x="{pa + 3:.1f}" y="{(ya + yb) / 2 + 3:.1f}" font-size="9">{_esc(text)}</text>'
            return s
        if kind == "polygon":
            _, pts, fill, stroke = it
            p = " ".join(f"{float(X(a)):.1f},{float(Y(b)):.1f}" for a, b in pts)
            return f'<polygon points="{p}" fill="{fill}" stroke="{stroke}" stroke-width="0.6"/>'
        if kind == "circle":
            _, cx, cy, r, colour, style = it
            rx = abs(float(X(cx + r)) - float(X(cx)))
            ry = abs(float(Y(cy + r)) - float(Y(cy)))
            return f'<ellipse cx="{float(X(cx)):.1f}" cy="{float(Y(cy)):.1f}" rx="{rx:.1f}" ry="{ry:.1f}" fill="none" stroke="{colour}" stroke-width="0.8" stroke-dasharray="{DASH[style] or "none"}"/>'
        if kind == "marker":
            _, x, y, colour, shape, size, _text = it
            return _marker(float(X(x)), float(Y(y)), colour, shape, size)
        raise ValueError(kind)

    def _legend(self) -> list[str]:
        if not self.legend_items or self.legend_px <= 0:
            return []
        x = self.box[2] + 8
        y = self.box[1] + 4
        per_col = max(1, int((self.box[3] - self.box[1]) // 13))
        col_w = self.legend_px - 8
        cols = math.ceil(len(self.legend_items) / per_col)
        if cols > 1:
            col_w = (self.legend_px - 8) / cols
        out = []
        for k, (label, colour, kind) in enumerate(self.legend_items):
            cx = x + (k // per_col) * col_w
            cy = y + (k % per_col) * 13 + 6
            if kind == "patch":
                out.append(
                    f'<rect x="{cx:.1f}" y="{cy - 4:.1f}" width="14" height="8" fill="{colour}"/>'
                )
            elif kind.startswith("marker"):
                out.append(_marker(cx + 7, cy, colour, kind[6:], 3.0))
            else:
                dash = DASH.get(kind[4:], "")
                d = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(
                    f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{cx + 14:.1f}" y2="{cy:.1f}" stroke="{colour}" stroke-width="1.4"{d}/>'
                )
            room = int((col_w - 20) / (8 * CHAR_EM))
            text = label if len(label) <= room else label[: max(room - 1, 1)] + "…"
            out.append(
                f'<text x="{cx + 18:.1f}" y="{cy + 3:.1f}" font-size="8"><title>{_esc(label)}</title>{_esc(text)}</text>'
            )
        return out


def _marker(px: float, py: float, colour: str, shape: str, size: float) -> str:
    if shape == "s":
        return f'<rect x="{px - size:.1f}" y="{py - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}" fill="{colour}"/>'
    return f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{size:.1f}" fill="{colour}"/>'


def _wrap(width: float, height: float, body: str, title: str) -> str:
    """An ``<svg>`` element; its ``<title>`` names the chart for screen readers and tests."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-size="10" role="img" '
        'font-family="system-ui,-apple-system,Segoe UI,sans-serif">'
        f"<title>{_esc(title)}</title>{body}</svg>"
    )


def page_row(*charts: Chart) -> str:
    """Charts side by side in one ``<svg>`` (the two views of the positions)."""
    x, parts = 0.0, []
    for c in charts:
        parts.append(f'<g transform="translate({x:.0f} 0)">{c.body()}</g>')
        x += c.width
    title = " / ".join(c.title for c in charts if c.title)
    return _wrap(x, max(c.height for c in charts), "".join(parts), title)
