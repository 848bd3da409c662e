"""The campaign report: outcomes and events with intervals, margins, drivers; one
self-contained HTML page (inline SVG and CSS, nothing fetched)."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from ..results.plotting import CSS as _CSS
from ..results.plotting import figure, legend
from ..results.plotting import svg as _svg
from . import risk

_TOP_DRIVERS = 4
# a driver table needs the event in this many runs, and as many without it, to say anything
# (with fewer, a rank correlation's interval spans most of -1 to 1)
MIN_EVENT_RUNS = 10

_MARGIN_NAMES = {
    "limiting_time_left_min": ("time left of the limiting consumable at the end", "min"),
    "o2_margin_min": ("smallest O2 margin over the way back, outside", "min"),
}
_PARAM_WORDS = {
    "metabolic_factor": "metabolic rate (factor)",
    "mass_kg": "body mass [kg]",
    "translation_speed_m_s": "translation speed [m/s]",
    "vent_diameter_cm": "vent diameter [cm]",
    "hatch_diameter_m": "hatch diameter [m]",
    "at_min": "start [min]",
    "rate_mL_min": "rate [mL/min]",
    "o2_primary_kg": "primary O2 [kg]",
    "feedwater_kg": "feedwater [kg]",
    "leak_cm3_min": "leak [cm3/min]",
    "battery_Ah": "battery [Ah]",
    "scrubber_capacity_kg": "CO2 scrubber [kg]",
}
CONSUMABLE_WORDS = {
    "o2_primary": "primary O2",
    "o2_secondary": "secondary O2",
    "o2_vehicle": "the vehicle's O2",
    "scrubber": "the CO2 scrubber",
    "feedwater": "feedwater",
    "battery": "the battery",
}


def readable(name: str) -> str:
    """A column's name as words: ``crew.parmitano.metabolic_factor`` -> "parmitano: metabolic
    rate (factor)", ``margin_o2_primary_pct`` -> "primary O2 left at the end [%]"."""
    if name in _MARGIN_NAMES:
        text, unit = _MARGIN_NAMES[name]
        return f"{text} [{unit}]"
    if name.startswith("margin_") and name.endswith("_pct"):
        key = name[len("margin_") : -len("_pct")]
        return f"{CONSUMABLE_WORDS.get(key, key.replace('_', ' '))} left at the end [%]"
    parts = name.split(".")
    if parts[0] == "crew" and len(parts) >= 3:
        key = parts[-1]
        where = " ".join(p for p in parts[2:-1] if p != "suit")
        what = _PARAM_WORDS.get(key, key.replace("_", " "))
        return f"{parts[1]}: {where + ' ' if where else ''}{what}"
    return " ".join(parts[:-1] + [_PARAM_WORDS.get(parts[-1], parts[-1].replace("_", " "))])


def headline(runs: pd.DataFrame) -> str:
    """The campaign in one line: how many end early, what limits, what drives it."""
    n = len(runs)
    if not n:
        return "No run has finished yet."
    early = runs["outcome"] != "completed"
    parts = [f"{100 * early.mean():.0f} % end early"]
    lim = runs["limiting_consumable"].replace("", np.nan).dropna()
    if len(lim):
        top = lim.value_counts()
        name = CONSUMABLE_WORDS.get(top.index[0], top.index[0])
        parts.append(f"{name} limits in {100 * top.iloc[0] / n:.0f} %")
    if not runs.attrs.get("dispersed"):
        parts.append("every run identical (no dispersions)")
    else:
        event = "consumable_limited"
        hits = int(runs[event].fillna(False).astype(bool).sum()) if event in runs else 0
        if MIN_EVENT_RUNS <= hits <= n - MIN_EVENT_RUNS:
            frame = risk.drivers(runs, event)
            sig = frame[frame["significant"]]
            if len(sig):
                parts.append(f"driven by {readable(str(sig.iloc[0]['parameter']))}")
            else:
                parts.append("no dispersed parameter drives it significantly")
    return "; ".join(parts) + "."


def _pct(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{100 * x:.2f} %"


def _prob_table(frame: pd.DataFrame, key: str) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(str(r[key]))}</td><td class=num>{r['runs']}</td>"
        f"<td class=num>{_pct(r['probability'])}</td>"
        f"<td class=num>{_pct(r['ci_low'])} to {_pct(r['ci_high'])}</td></tr>"
        for _, r in frame.iterrows()
    )
    return (
        f"<table><tr><th>{key}</th><th>runs</th><th>probability</th>"
        f"<th>95 % Wilson interval</th></tr>{rows}</table>"
    )


def _margin_table(frame: pd.DataFrame) -> str:
    cols = ["min", "p1", "p5", "median", "p95", "mean"]
    rows = "".join(
        f"<tr><td>{html.escape(readable(str(r['margin'])))}</td><td class=num>{r['runs']}</td>"
        + "".join(f"<td class=num>{r[c]:.2f}</td>" for c in cols)
        + "</tr>"
        for _, r in frame.iterrows()
    )
    head = "".join(f"<th>{c}</th>" for c in cols)
    return f"<table><tr><th>margin</th><th>runs</th>{head}</tr>{rows}</table>"


def _margin_plots(runs: pd.DataFrame) -> list[str]:
    out = []
    for col in risk.margin_columns(runs):
        x = runs[col].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        if x.size < 2:
            continue
        fig, ax = figure(figsize=(5.2, 2.8))
        ax.hist(x, bins=min(50, max(10, int(np.sqrt(x.size)))), color="#4a78b5")
        ax.set_title(readable(col), fontsize=9)
        ax.axvline(0.0, color="#b00000", lw=1.0, ls="--", label="nothing left (0)")
        p5 = float(np.percentile(x, 5))
        ax.axvline(p5, color="#8a6100", lw=1.0, ls=":", label=f"5th percentile ({p5:.1f})")
        ax.set_xlabel(readable(col).rsplit("[", 1)[-1].rstrip("]"), fontsize=8)
        ax.set_ylabel("runs", fontsize=8)
        legend(ax, fontsize=7)
        fig.tight_layout()
        out.append(_svg(fig))
    return out


def _drivers_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>No dispersed parameters.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(readable(str(r['parameter'])))}</td><td class=num>{r['spearman']:+.3f}</td>"
        f"<td class=num>{r['ci_low']:+.3f} to {r['ci_high']:+.3f}</td>"
        f"<td>{'yes' if r['significant'] else 'no'}</td>"
        f"<td class=num>{r['result_in_lowest_fifth']:.3f}</td>"
        f"<td class=num>{r['result_in_highest_fifth']:.3f}</td></tr>"
        for _, r in frame.iterrows()
    )
    return (
        "<table><tr><th>parameter</th><th>Spearman rho</th><th>95 % interval</th>"
        "<th>significant</th><th>in lowest fifth</th><th>in highest fifth</th></tr>"
        f"{rows}</table>"
    )


def _driver_plot(runs: pd.DataFrame, event: str, frame: pd.DataFrame) -> str:
    """The event's probability across fifths of its strongest drivers."""
    top = frame.dropna(subset=["spearman"]).head(_TOP_DRIVERS)
    if top.empty:
        return ""
    fig, ax = figure(figsize=(7, 3))
    ok = runs[runs["status"] == "ok"]
    y = ok[event].astype(float)
    for name in top["parameter"]:
        x = ok[name].astype(float)
        edges = np.unique(np.percentile(x, [0, 20, 40, 60, 80, 100]))
        if edges.size < 2:
            continue
        idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
        mids, p, lo, hi = [], [], [], []
        for q in range(edges.size - 1):
            sel = idx == q
            n, k = int(sel.sum()), float(y[sel].sum())
            if not n:
                continue
            a, b = risk.wilson_interval(k, n)
            mids.append(q + 1)
            p.append(k / n)
            lo.append(k / n - float(a))
            hi.append(float(b) - k / n)
        ax.errorbar(mids, p, yerr=[lo, hi], marker="o", capsize=3, label=readable(name))
    ax.set_xlabel("fifth of the parameter's values (1 lowest)")
    ax.set_ylabel(f"P({event})")
    ax.set_xticks([1, 2, 3, 4, 5])
    legend(ax, fontsize=7)
    fig.tight_layout()
    return _svg(fig)


def render(runs: pd.DataFrame, manifest, scenario) -> str:
    """The report page as one string of HTML."""
    n = len(runs)
    info = scenario.scenario
    outcomes = risk.outcome_table(runs)
    events = risk.event_table(runs)
    margins = risk.margins(runs)
    sections = []
    for event in (
        "consumable_limited",
        *[c for c in risk.event_columns(runs) if c.startswith("rule:")],
    ):
        hits = int(runs[event].fillna(False).astype(bool).sum())
        if hits == 0 or hits == n:
            continue
        if min(hits, n - hits) < MIN_EVENT_RUNS:
            sections.append(
                f"<h3>{html.escape(event)} ({hits} of {n} runs)</h3><p>Too few runs "
                f"{'with' if hits < MIN_EVENT_RUNS else 'without'} it to rank its drivers (fewer "
                f"than {MIN_EVENT_RUNS}); run more to see what drives it.</p>"
            )
            continue
        frame = risk.drivers(runs, event)
        sections.append(
            f"<h3>{html.escape(event)} ({hits} of {n} runs)</h3>"
            f"{_drivers_table(frame)}{_driver_plot(runs, event, frame)}"
        )
    limiting = runs["limiting_consumable"].replace("", "(none)").value_counts()
    lim_rows = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td class=num>{v}</td><td class=num>{_pct(v / n)}</td></tr>"
        for k, v in limiting.items()
    )
    errors = runs[runs["status"] != "ok"]
    err_rows = "".join(
        f"<tr><td class=num>{html.escape(str(r['run']))}</td><td>{html.escape(str(r['status']))}</td></tr>"
        for _, r in errors.head(50).iterrows()
    )
    missing = manifest.runs - n
    dispersed = "".join(
        f"<tr><td>{html.escape(d.target)}</td><td>{html.escape(str(d.distribution))}</td><td>"
        + html.escape(
            ", ".join(
                f"{k} {getattr(d, k)}"
                for k in (
                    "mean",
                    "sd",
                    "low",
                    "high",
                    "median",
                    "sigma",
                    "values",
                    "weights",
                    "rate_per_h",
                )
                if getattr(d, k) is not None
            )
            + (" (relative)" if d.relative else "")
            + (" (shared)" if d.shared else "")
        )
        + "</td></tr>"
        for d in (scenario.campaign.dispersions if scenario.campaign else [])
    )
    charts = "".join(f"<div>{c}</div>" for c in _margin_plots(runs))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(info.title or info.name)}: campaign report</title>
<style>{_CSS}</style></head><body>
<h1>Campaign: {html.escape(info.title or info.name)}</h1>
<p class=headline><b>{html.escape(headline(runs))}</b></p>
<p class=sub>{n} runs of {html.escape(str(manifest.runs))}{f" ({missing} not yet run: `spacewalk campaign resume`)" if missing else ""},
seed {html.escape(str(manifest.seed))}, batches of {html.escape(str(manifest.batch_size))}. Each run draws from its own stream,
SeedSequence({html.escape(str(manifest.seed))}, spawn_key=(run,)): `spacewalk campaign rerun FOLDER RUN` re-creates it.</p>
<h2>Dispersions</h2>
<table><tr><th>target</th><th>distribution</th><th>parameters</th></tr>{dispersed}</table>
<h2>Outcomes</h2>
{_prob_table(outcomes, "outcome")}
<p class=sub>Outcome of a run: the worst over its EVA crew. Intervals: Wilson score interval at 95 %
(Brown, Cai and DasGupta 2001).</p>
<h2>Events</h2>
{_prob_table(events, "event")}
<p class=sub>consumable_limited: a consumable ran out, or a flight rule on a consumable (O2 time or
margin, feedwater, battery, CO2) ended the EVA.</p>
<h2>Limiting consumable</h2>
<table><tr><th>consumable</th><th>runs</th><th>share</th></tr>{lim_rows}</table>
<h2>Margins</h2>
{_margin_table(margins)}
<div class=grid>{charts}</div>
<h2>What drives it</h2>
<p class=sub>Spearman rank correlation of each dispersed parameter with the event (95 % interval by
Fisher's z, standard error 1.06/sqrt(n-3)); the event's rate in the lowest and highest fifth
of the parameter; the plots show the rate in each fifth with Wilson intervals.</p>
{"".join(sections) or "<p>No event occurred in some runs and not in others, so nothing to rank.</p>"}
<h2>Runs that did not finish</h2>
{f"<table><tr><th>run</th><th>status</th></tr>{err_rows}</table>" if err_rows else "<p>None: every run finished.</p>"}
</body></html>
"""
