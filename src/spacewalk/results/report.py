"""The HTML report of a run: one self-contained page (inline SVG plots, inline CSS, no
scripts, fonts or images fetched from anywhere)."""

from __future__ import annotations

import html
from types import SimpleNamespace

import numpy as np

from ..scenario.channels import CHANNEL_BY_NAME
from .columns import event_records, telemetry_columns
from .history import check_result
from .plotting import CSS as _CSS
from .svgchart import TAB10, TAB20, Chart, page_row

_PLOTS = (
    ("Suit and vessel pressure", ["p_suit_kPa", "p_ambient_kPa"]),
    ("O2", ["o2_primary_kg", "o2_vehicle_kg"]),
    ("O2 time left", ["o2_time_min"]),
    ("Helmet CO2 (inspired)", ["ppco2_mmHg"]),
    ("Heat storage", ["heat_storage_kJ"]),
    ("Cooling water", ["feedwater_kg"]),
    ("Battery", ["battery_Ah"]),
    ("Water in the helmet", ["helmet_water_L"]),
    ("Tissue ratio (DCS)", ["tissue_ratio"]),
)
_MOTION_PLOTS = (
    ("Distance from the hatch", ["range_m"]),
    ("Tumbling (rotation relative to the vehicle)", ["tumble_deg_s"]),
    ("Tether tension", ["tether_tension_N"]),
    ("Maneuvering-unit delta-v left", ["dv_left_m_s"]),
)


def _night_spans(summary: dict) -> list[tuple[float, float]]:
    """Orbital nights [min] from the summary's sunset and sunrise times."""
    orbit = summary.get("orbit") or {}
    changes = orbit.get("day_night") or []
    end = summary["sim_duration_min"]
    spans, start = [], None
    if changes and changes[0]["event"] == "sunrise":
        start = 0.0
    for ch in changes:
        if ch["event"] == "sunset":
            start = ch["t_min"]
        elif start is not None:
            spans.append((start, ch["t_min"]))
            start = None
    if start is not None:
        spans.append((start, end))
    return spans


def _shade_nights(chart: Chart, spans) -> None:
    for a, b in spans:
        chart.band(a, b)


_MARK_COLOUR = {"caution": "#c9a100", "warning": "#d45500", "emergency": "#b00000"}


_STORE_OF = {
    "o2_primary_kg": "o2_primary",
    "o2_vehicle_kg": "o2_vehicle",
    "feedwater_kg": "feedwater",
    "battery_Ah": "battery",
    "o2_time_min": "o2_primary",
}


def _not_applicable(summary: dict) -> set[tuple[str, str]]:
    """(crew, channel) pairs with no store behind them: an umbilical suit's battery and
    primary O2, a gas-cooled suit's feedwater, everything of an unsuited crew member."""
    out = set()
    for cid, c in summary["crew"].items():
        items = c.get("consumables") or {}
        for ch, store in _STORE_OF.items():
            cap = (items.get(store) or {}).get("capacity") or 0.0
            if ch == "o2_time_min":
                cap = cap or (items.get("o2_vehicle") or {}).get("capacity") or 0.0
            if cap <= 0:
                out.add((cid, ch))
    return out


def _alarms(events: list[dict]) -> list[dict]:
    """The run's caution, warning and emergency events (faults, rules, aborts, ...)."""
    return [e for e in events if e["run"] == 0 and e["severity"] in _MARK_COLOUR]


def _mark_alarms(chart: Chart, alarms: list[dict]) -> None:
    """A dotted line at each alarm's time, coloured by severity."""
    for e in alarms:
        chart.vline(e["t_s"] / 60.0, colour=_MARK_COLOUR[e["severity"]])


def _alarms_table(alarms: list[dict]) -> str:
    """The front matter: every alarm with its time and crew member, before anything else."""
    if not alarms:
        return "<p>No alarms: no caution, warning or emergency event in this run.</p>"
    rows = "".join(
        f"<tr class='{html.escape(str(e['severity']))}'><td class=num>{e['t_s'] / 60:.1f}</td>"
        f"<td>{html.escape(str(e['crew']))}</td><td>{html.escape(str(e['severity']))}</td>"
        f"<td>{html.escape(str(e['message']))}</td></tr>"
        for e in alarms
    )
    return (
        "<table><tr><th>t [min]</th><th>crew</th><th>severity</th><th>what</th></tr>"
        f"{rows}</table><p class=sub>Dotted lines on the timeline and the plots mark these "
        "times (yellow caution, orange warning, red emergency).</p>"
    )


def _phase_chart(summary: dict, alarms: list[dict]) -> str:
    """Each crew member's activities as bars coloured by kind (the legend), each bar's full
    name written in it where it fits and never clipped; the table below names them all."""
    phases = [p for p in summary["phases"] if p["end_min"] is not None]
    crew = list(summary["crew"])
    kinds = sorted({p.get("kind", p["activity"]) for p in phases})
    span = max(summary["sim_duration_min"], 1.0)
    cols = 1 + len(kinds) // 14
    chart = Chart(
        1000, 44 * len(crew) + 70, title="Timeline (shaded: orbital night; dotted: alarms)",
        xlabel="time since scenario start [min]", left=90, legend_px=150 * cols,
    )  # fmt: skip
    _shade_nights(chart, _night_spans(summary))
    for p in phases:
        kind = p.get("kind", p["activity"])
        chart.bar(crew.index(p["crew"]), p["start_min"], p["end_min"],
                  colour=TAB20[kinds.index(kind) % 20], text=p["activity"])  # fmt: skip
    _mark_alarms(chart, alarms)
    for k, kind in enumerate(kinds):  # one entry per kind of activity, outside the axes
        chart.legend_patch(kind, TAB20[k % 20])
    chart.limits(xlim=(0, span), ylim=(len(crew) - 0.5, -0.5))  # the first crew member on top
    chart.yticks = [(k, c) for k, c in enumerate(crew)]
    return chart.svg()


def _phase_table(summary: dict) -> str:
    """Every activity by name, time and crew member: what the timeline's bars are."""
    rows = "".join(
        f"<tr><td>{html.escape(p['crew'])}</td><td>{html.escape(p['activity'])}</td>"
        f"<td>{html.escape(p.get('kind', ''))}</td><td class=num>{p['start_min']:.1f}</td>"
        f"<td class=num>{'-' if p['end_min'] is None else format(p['end_min'], '.1f')}</td></tr>"
        for p in summary["phases"]
    )
    return (
        f"<details><summary>Every activity ({len(summary['phases'])})</summary><table>"
        "<tr><th>crew</th><th>activity</th><th>kind</th><th>start [min]</th><th>end [min]</th>"
        f"</tr>{rows}</table></details>"
    )


class _Run0:
    """The first run's telemetry split by crew member once, for every chart: per crew member
    the rows, the times [min] and the channels' values as float arrays, taken as asked."""

    def __init__(self, cols: dict[str, np.ndarray]):
        mine = cols["run"] == 0 if "run" in cols else np.ones(len(cols["t_s"]), dtype=bool)
        self.cols = {name: values[mine] for name, values in cols.items()}
        crew = self.cols["crew"]
        order = dict.fromkeys(crew.tolist())  # the crew in order of appearance
        self.crew = [(c, np.flatnonzero(crew == c), {}) for c in order]
        self.t_min = {c: self.cols["t_s"][rows] / 60.0 for c, rows, _ in self.crew}

    def values(self, rows, cache: dict, ch: str):
        if ch not in cache:
            cache[ch] = np.asarray(self.cols[ch][rows], dtype=float)
        return cache[ch]

    def has_values(self, ch: str) -> bool:
        """A channel recorded with at least one value (not all NaN)."""
        v = self.cols.get(ch)
        if v is None or not len(v):
            return False
        return bool(v.dtype.kind not in "fc" or (~np.isnan(v)).any())


def _channel_chart(
    run0: _Run0,
    title: str,
    channels: list[str],
    nights=(),
    alarms=None,
    skip: set | None = None,
) -> str | None:
    """One time plot; ``skip`` holds the (crew, channel) pairs that do not apply (a suit
    with no battery, primary O2 or feedwater of its own, an unsuited crew member)."""
    present = [c for c in channels if run0.has_values(c)]
    if not present:
        return None
    skip = skip or set()
    if all((crew, ch) in skip for crew, _, _ in run0.crew for ch in present):
        return None
    unit = CHANNEL_BY_NAME[present[0]].unit
    chart = Chart(520, 270, title=title, xlabel="time [min]", ylabel=unit, legend_px=None)
    k = 0
    for crew, rows, cache in run0.crew:
        colour = TAB10[k % 10]
        k += 1
        for ch in present:
            if (crew, ch) in skip:  # the suit has no such store: not a line at zero
                continue
            chart.line(
                run0.t_min[crew],
                run0.values(rows, cache, ch),
                colour=colour,
                style="-" if ch == present[0] else "--",
                label=f"{crew} {ch}" if len(present) > 1 else str(crew),
            )
    chart.fit()
    _shade_nights(chart, nights)
    if alarms is not None:
        _mark_alarms(chart, alarms)
    return chart.svg()


def _outline_2d(outline: dict, h: int, v: int) -> tuple[list, list]:
    """The vehicle's solids as polygons and its paths as lines, on the plane of axes h, v."""
    polys = []
    for b in outline["boxes"]:
        (ch, cv), (sh, sv) = (b["center_m"][h], b["center_m"][v]), (b["size_m"][h], b["size_m"][v])
        polys.append([(ch - sh / 2, cv - sv / 2), (ch + sh / 2, cv - sv / 2),
                      (ch + sh / 2, cv + sv / 2), (ch - sh / 2, cv + sv / 2)])  # fmt: skip
    for c in outline["cylinders"]:
        a = np.array([c["from_m"][h], c["from_m"][v]])
        b = np.array([c["to_m"][h], c["to_m"][v]])
        r, d = c["radius_m"], b - a
        if np.linalg.norm(d) < 1e-9:  # seen end on: a disc
            ang = np.linspace(0, 2 * np.pi, 33)
            polys.append(list(zip(a[0] + r * np.cos(ang), a[1] + r * np.sin(ang), strict=True)))
            continue
        n = np.array([-d[1], d[0]]) / np.linalg.norm(d) * r  # the side, seen across
        polys.append([tuple(a + n), tuple(b + n), tuple(b - n), tuple(a - n)])
    lines = [[(p[h], p[v]) for p in path["points"]] for path in outline["paths"]]
    return polys, lines


def _positions_chart(run0: _Run0, vehicle=None) -> str | None:
    """Where each crew member went: two views of the Hill frame, the vehicle at the origin,
    with its outline, handrail paths, worksites and hatches when the scenario gives them."""
    cols = run0.cols
    if any(c not in cols for c in ("x_m", "y_m", "z_m", "location")) or not len(cols["x_m"]):
        return None
    outline = vehicle.outline() if vehicle is not None else None
    views = (
        Chart(520, 420, title="Crew positions outside, seen from the orbit normal",
              xlabel="y, along-track [m]", ylabel="x, radial (up) [m]", legend_px=None,
              equal=True),
        Chart(400, 420, title="... and from behind (along-track)",
              xlabel="z, orbit normal [m]", ylabel="x, radial (up) [m]", equal=True),
    )  # fmt: skip
    reach = 3.0  # at least a few metres around the vehicle, whatever the crew did
    for (view, h), first in zip(((views[0], 1), (views[1], 2)), (True, False), strict=True):
        if outline is not None:
            polys, lines = _outline_2d(outline, h, 0)
            for k, poly in enumerate(polys):
                view.polygon(poly, label="vehicle" if first and k == 0 else None)
            for k, line in enumerate(lines):
                xs, ys = zip(*line, strict=True)
                view.line(xs, ys, colour="#8b949e", style="--", width=0.8,
                          label="handrail paths" if first and k == 0 else None)  # fmt: skip
            for site in outline["sites"]:
                view.marker(site["at_m"][h], site["at_m"][0], size=2.0, text=site["id"])
            for k, hatch in enumerate(outline["hatches"]):
                view.marker(hatch["at_m"][h], hatch["at_m"][0], colour="#d29922", shape="s",
                            label="hatch" if first and k == 0 else None)  # fmt: skip
            if outline.get("arm"):
                base = outline["arm"]["base_m"]
                view.circle(base[h], base[0], outline["arm"]["reach_m"], colour="#a371f7",
                            label="arm's reach" if first else None)  # fmt: skip
            pts = [p for poly in polys for p in poly] + [p for ln in lines for p in ln]
            for p in pts:
                reach = max(reach, 1.1 * max(abs(p[0]), abs(p[1])))
    k = 0
    for crew, rows, _ in run0.crew:
        out = rows[cols["location"][rows] == "outside"]
        if not out.size:
            continue
        colour = TAB10[k % 10]
        k += 1
        x, y, z = (np.asarray(cols[c][out], dtype=float) for c in ("x_m", "y_m", "z_m"))
        views[0].line(y, x, colour=colour, label=str(crew))
        views[1].line(z, x, colour=colour)
        for v in (x, y, z):
            v = np.abs(v[~np.isnan(v)])
            if v.size:
                reach = max(reach, 1.15 * float(v.max()))
    for view in views:
        view.marker(
            0, 0, shape="s", size=3.5, label="vehicle centre of mass" if view is views[0] else None
        )
        view.limits(xlim=(-reach, reach), ylim=(-reach, reach))
    return page_row(*views)


def _motion_table(summary: dict) -> str:
    rows = []
    for cid, c in summary["crew"].items():
        mo = c.get("motion") or {}
        if not c["time_outside_min"]:
            continue
        unit = (
            f"{mo['maneuvering_unit']}: {mo['propellant_used_kg']:.2f} kg used, "
            f"{mo['delta_v_used_m_s']:.2f} m/s used, {mo['delta_v_left_m_s']:.2f} m/s left"
            if "maneuvering_unit" in mo
            else ""
        )
        rows.append(
            f"<tr><td>{html.escape(cid)}</td><td class=num>{mo['max_range_m']:.1f}</td>"
            f"<td class=num>{mo['max_speed_m_s']:.2f}</td><td class=num>{mo['max_tether_tension_N']:.0f}</td>"
            f"<td class=num>{mo['max_tumble_deg_s']:.1f}</td><td class=num>{c['darkness_outside_min']:.1f}</td>"
            f"<td>{html.escape(unit)}</td></tr>"
        )
    if not rows:
        return "<p>Nobody went outside.</p>"
    head = (
        "<tr><th>crew</th><th>farthest [m]</th><th>fastest [m/s]</th><th>tether peak [N]</th>"
        "<th>tumble peak [deg/s]</th><th>outside in darkness [min]</th><th>maneuvering unit</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _consumables_table(summary: dict) -> str:
    rows = []
    for cid, c in summary["crew"].items():
        lim = (c.get("limiting_consumable") or {}).get("name")
        for name, item in c["consumables"].items():
            margin = item["margin_pct"]
            cls = "low" if margin < 10 else "mid" if margin < 25 else ""
            ex = item["exhausted_at_min"]
            tl = item["time_left_min"]
            tl_text = "" if tl is None else f"{tl:.0f}"
            ex_text = "" if ex is None else f"{ex:.1f}"
            flag = " <b>(limiting)</b>" if name == lim else ""
            rows.append(
                f"<tr class='{cls}'><td>{html.escape(cid)}</td><td>{html.escape(str(item['title']))}{flag}</td>"
                f"<td class=num>{item['capacity']:.3g} {html.escape(str(item['unit']))}</td>"
                f"<td class=num>{item['left']:.3g}</td><td class=num>{margin:.0f} %</td>"
                f"<td class=num>{tl_text}</td><td class=num>{ex_text}</td></tr>"
            )
    head = (
        "<tr><th>crew</th><th>consumable</th><th>capacity</th><th>left</th><th>margin</th>"
        "<th>time left at this rate [min]</th><th>ran out at [min]</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _events_table(events: list[dict]) -> str:
    ev = [e for e in events if e["run"] == 0]
    if not ev:
        return "<p>No events.</p>"
    rows = "".join(
        f"<tr class='{html.escape(str(e['severity']))}'><td class=num>{e['t_s'] / 60:.1f}</td>"
        f"<td>{html.escape(str(e['crew']))}</td><td>{html.escape(str(e['severity']))}</td>"
        f"<td>{html.escape(str(e['source']))}</td><td>{html.escape(str(e['message']))}</td></tr>"
        for e in ev
    )
    return f"<table><tr><th>t [min]</th><th>crew</th><th>severity</th><th>source</th><th>message</th></tr>{rows}</table>"


def _record_table(scenario, telemetry, events, summary) -> str:
    """Documented against simulated (history.py), for scenarios that carry the record."""
    if not scenario.documented:
        return ""
    run = SimpleNamespace(scenario=scenario, telemetry=telemetry, events=events, summary=summary)
    rows = "".join(
        f"<tr><td>{html.escape(r.figure)}</td><td>{html.escape(r.documented)}</td>"
        f"<td>{html.escape(r.simulated)}</td><td>{html.escape(r.tolerance)}</td>"
        f"<td><span class='outcome {'completed' if r.ok else 'aborted'}'>{html.escape(r.status)}</span></td>"
        f"<td>{html.escape(str(r.basis))}</td><td class=sub>{html.escape(r.source)}"
        f"{'<br>' + html.escape(r.note) if r.note else ''}</td></tr>"
        for r in check_result(run)
    )
    return (
        "<h2>Against the record</h2><table><tr><th>figure</th><th>documented</th>"
        "<th>simulated</th><th>tolerance</th><th>result</th><th>basis</th><th>source</th></tr>"
        f"{rows}</table>"
    )


def _badge(word: str) -> str:
    """An outcome or condition as a coloured badge (the word is escaped)."""
    w = html.escape(str(word))
    return f"<span class='outcome {w}'>{w}</span>"


def _outcome_badge(outcome: str, alarms: list[dict]) -> str:
    """The run's outcome; a completed run with a warning or an emergency is not shown green."""
    serious = [e for e in alarms if e["severity"] in ("warning", "emergency")]
    if outcome != "completed" or not serious:
        return _badge(outcome)
    return f"<span class='outcome terminated'>completed, with {len(serious)} warning(s)</span>"


def _ingress_cell(c: dict) -> str:
    """The time to get back in from the farthest point (nothing for crew never outside)."""
    t = c["peaks"].get("time_back_min")
    return "-" if not t or c["time_outside_min"] <= 0 else f"{t:.1f}"


def _dcs_cell(peaks: dict) -> str:
    """P(DCS) with its 95 % interval (from the model's coefficients), and the worst
    exposure's P(grade IV VGE)."""
    p = 100 * peaks["p_dcs"]
    if "p_dcs_lo" not in peaks:
        return f"{p:.1f} %"
    giv = f"; grade IV VGE {100 * peaks['p_giv']:.1f} %" if "p_giv" in peaks else ""
    return f"{p:.1f} % ({100 * peaks['p_dcs_lo']:.1f}-{100 * peaks['p_dcs_hi']:.1f}){giv}"


def render_report(scenario, telemetry, events, summary: dict) -> str:
    """The report page as one string of HTML, from the telemetry and the event log as a
    simulation holds them (:mod:`spacewalk.results.columns`) or as frames (a run folder)."""
    info = scenario.scenario
    crew_rows = "".join(
        f"<tr><td>{html.escape(cid)}</td><td>{html.escape(c['name'] or '')}</td><td>{html.escape(str(c['role']))}</td>"
        f"<td>{html.escape(str(c['suit']))}</td><td>{_badge(c['outcome'])}</td>"
        f"<td>{_badge(c.get('condition', 'well'))}"
        f"{' by ' + html.escape(str(c.get('condition_cause'))) if c.get('condition_cause') else ''}</td>"
        f"<td class=num>{c['time_outside_min']:.1f}</td>"
        f"<td class=num>{'-' if c.get('return_by_min') is None else format(c['return_by_min'], '.1f')}</td>"
        f"<td class=num>{_ingress_cell(c)}</td>"
        f"<td class=num>{c['peaks']['ppco2_mmHg']:.1f}</td>"
        f"<td class=num>{c['peaks']['heat_storage_kJ']:.0f}</td><td class=num>{c['peaks']['helmet_water_L']:.2f}</td>"
        f"<td class=num>{c['peaks']['tissue_ratio']:.2f}</td><td class=num>{_dcs_cell(c['peaks'])}</td>"
        f"<td class=num>{c['alarms']}</td></tr>"
        for cid, c in summary["crew"].items()
    )
    nights = _night_spans(summary)
    records = event_records(events)
    alarms = _alarms(records)
    skip = _not_applicable(summary)
    run0 = _Run0(telemetry_columns(telemetry))
    charts = [
        c
        for title, chans in _PLOTS
        if (c := _channel_chart(run0, title, chans, nights, alarms, skip))
    ]
    motion_charts = [
        c
        for title, chans in _MOTION_PLOTS
        if (c := _channel_chart(run0, title, chans, nights, alarms))
    ]
    positions = _positions_chart(run0, scenario.vehicle) or ""
    orbit = summary.get("orbit") or {}
    orbit_line = (
        f"Orbit {orbit['perigee_km']:.0f} x {orbit['apogee_km']:.0f} km, period "
        f"{orbit['period_min']:.1f} min, beta {orbit['beta_deg_at_start']:.0f} deg; "
        f"relative motion {orbit['relative_motion']}. Shaded bands are orbital night."
        if orbit
        else ""
    )
    clock = (
        f" &middot; EVA clock {summary['eva_clock_min']:.1f} min"
        if summary.get("eva_clock_min")
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(info.title or info.name)}: spacewalk report</title>
<style>{_CSS}</style></head><body>
<h1>{html.escape(info.title or info.name)}</h1>
<p class=sub>{html.escape(info.description)}</p>
<p>Outcome {_outcome_badge(summary["outcome"], alarms)}{" &middot; crew " + _badge(summary.get("condition", "well")) if summary.get("condition", "well") != "well" else ""} &middot; status {html.escape(summary["status"])}
&middot; simulated {summary["sim_duration_min"]:.1f} min{clock}{" &middot; " + html.escape(info.date) if info.date else ""}</p>
<h2>Alarms</h2>
{_alarms_table(alarms)}
{_record_table(scenario, telemetry, events, summary)}
<h2>Crew</h2>
<table><tr><th>id</th><th>name</th><th>role</th><th>suit</th><th>outcome</th><th>condition</th><th>outside [min]</th><th>return by [min]&sup1;</th><th>emergency ingress [min]&sup1;</th>
<th>peak ppCO2 [mmHg]</th><th>peak heat storage [kJ]</th><th>peak helmet water [L]</th><th>peak TR</th><th>P(DCS) (95 %)&sup2;</th><th>flight-rule alarms</th></tr>
{crew_rows}</table>
<p class=sub>&sup1; Return by: the latest time (minutes into the run) to start back and reach the
hatch before the primary O2 is spent, with the reserve untouched, at the O2 rate of the moment;
the way back is along the vehicle's handrail paths (a straight line when the scenario has none)
at the translation speed, then ingress, hatch close and the repress the gas physics gives;
"emergency ingress" is that whole time from the farthest point of the EVA.
&sup2; P(DCS): the probability of decompression sickness by the end of the run, from the tissue
history (survival model and its sources: docs/dcs.md), with the interval from its coefficients.</p>
<h2>Consumables and margins</h2>
{_consumables_table(summary)}
<h2>Timeline</h2>
{_phase_chart(summary, alarms)}
{_phase_table(summary)}
<p class=sub>{html.escape(orbit_line)}</p>
<h2>Life support</h2>
<div class=grid>{"".join(f"<div>{c}</div>" for c in charts)}</div>
<h2>Motion around the vehicle</h2>
{_motion_table(summary)}
{positions}
<div class=grid>{"".join(f"<div>{c}</div>" for c in motion_charts)}</div>
<h2>Event log</h2>
{_events_table(records)}
<p class=sub>spacewalk report of scenario <code>{html.escape(info.name)}</code>. Positions are in the vehicle's Hill frame (x radial, y along-track, z orbit normal).</p>
</body></html>
"""
