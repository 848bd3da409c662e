"""Per-run summaries: outcome, phases, consumables with margins, the limiting consumable,
peak values and alarms. Built from the engine's output only."""

from __future__ import annotations

import math

import numpy as np

from ..catalogue.store import entries_for_scenario
from ..physics.orbit import R_EARTH_M
from ..scenario import ACTIVITIES
from ..sim.engine import CONSUMABLES, OUTCOMES, EngineOutput
from ..sim.plan import KIND
from ..sim.subsystems.physiology import CAUSES, CONDITIONS
from ..units import format_hm

OUTCOME_RANK = {
    "completed": 0,
    "incomplete": 1,
    "terminated": 2,
    "aborted": 3,
    "incapacitated": 4,
    "adrift": 5,
    "loss-of-crew": 6,
}
# a run's outcome is its EVA crew's worst; these count whoever they befall (a helpless or
# lost crew member inside is not a completed EVA)
ANY_ROLE_OUTCOMES = ("incapacitated", "loss-of-crew")
_CONSUMABLE_UNITS = {
    "o2_primary": ("kg", "primary O2"),
    "o2_vehicle": ("kg", "vehicle O2 (by umbilical)"),
    "o2_secondary": ("min", "secondary O2 reserve"),
    "scrubber": ("kg CO2", "CO2 scrubber"),
    "feedwater": ("kg", "feedwater"),
    "battery": ("Ah", "battery"),
}


def _r(x, nd=3):
    x = float(x)
    return None if not math.isfinite(x) else round(x, nd)


def consumable_tables(out: EngineOutput):
    """Every consumable of every run and crew member at the end, as arrays (N, R, C) in the
    order of ``engine.CONSUMABLES``: capacity, left, margin [%], time left at the EVA's
    average rate [min] (the secondary O2: its own time) and when it ran out [min]. The one
    computation behind the run summaries and the campaign rows; nan where a crew member has
    no such consumable."""
    p, f, plan = out.plan.crew, out.final, out.plan
    cap_left = {  # capacity and what is left, per consumable (engine.CONSUMABLES)
        "o2_primary": (p.o2_primary_kg, f["o2_primary_kg"]),
        "o2_secondary": (p.o2_secondary_s / 60.0, f["o2_secondary_min"]),
        "o2_vehicle": (
            np.where(plan.on_vehicle_store(), plan.o2_store_kg[:, None], 0.0),
            f["o2_vehicle_kg"],
        ),
        "scrubber": (p.scrub_cap_kg, p.scrub_cap_kg - f["scrubber_used_kg"]),
        "feedwater": (p.feedwater_kg, f["feedwater_kg"]),
        "battery": (p.battery_Ah, f["battery_Ah"]),
    }
    order = CONSUMABLES
    cap = np.stack([cap_left[k][0] for k in order])
    left = np.stack([cap_left[k][1] for k in order])
    left = np.maximum(left, 0.0)
    has = cap > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(has, 100.0 * left / np.where(has, cap, 1.0), np.nan)
        rate = (cap - left) / np.where(out.suited_s > 0, out.suited_s, np.inf)
        time_left = np.where(rate > 0, left / np.where(rate > 0, rate, 1.0) / 60.0, np.inf)
    time_left[order.index("o2_secondary")] = left[order.index("o2_secondary")]
    time_left = np.where(has, time_left, np.nan)
    exhausted = np.stack([out.exhausted_s[k] for k in order]) / 60.0
    exhausted = np.where(has, exhausted, np.nan)
    return order, np.where(has, cap, np.nan), left, margin, time_left, exhausted


def _consumables(out: EngineOutput, r: int, c: int, tables) -> dict:
    order, cap, left, margin, time_left, exhausted = tables
    items = {}
    for k, name in enumerate(order):
        if not np.isfinite(cap[k, r, c]):
            continue
        unit, title = _CONSUMABLE_UNITS[name]
        items[name] = {
            "title": title,
            "unit": unit,
            "capacity": _r(cap[k, r, c]),
            "used": _r(cap[k, r, c] - left[k, r, c]),
            "left": _r(left[k, r, c]),
            "margin_pct": _r(margin[k, r, c], 1),
            "time_left_min": _r(time_left[k, r, c], 1),
            "exhausted_at_min": _r(exhausted[k, r, c], 1),
        }
    return items


def _limiting(items: dict) -> dict | None:
    ran_out = [
        (v["exhausted_at_min"], k) for k, v in items.items() if v["exhausted_at_min"] is not None
    ]
    if ran_out:
        _, name = min(ran_out)
        return {"name": name, "reason": "ran out first", **items[name]}
    candidates = [
        (v["time_left_min"], k)
        for k, v in items.items()
        if k != "o2_secondary" and v["time_left_min"] is not None
    ]
    if not candidates:
        return None
    _, name = min(candidates)
    return {"name": name, "reason": "least time left at this EVA's average rate", **items[name]}


def _evas(out: EngineOutput, r: int) -> list[dict]:
    """The EVAs of a run: each from the end of a depress to the start of the repress that
    follows it, for crew members who went outside; overlapping crew periods are one EVA.

    This is the convention of the duration figures in the record (airlock or cabin at
    vacuum to repress); time outside is egress to ingress.
    """
    plan = out.plan
    k = plan.kind
    spans = []
    for c in range(len(plan.crew_ids)):
        cur = None
        for j in range(int(plan.n_acts[c])):
            start, end = out.act_start_s[r, c, j], out.act_end_s[r, c, j]
            if k[c, j] == KIND["depress"] and math.isfinite(end):
                cur = {"start": end, "out": None, "in": None}
            elif cur is None or math.isnan(start):
                continue
            elif k[c, j] == KIND["egress"] and math.isfinite(end):
                cur["out"] = end
            elif k[c, j] == KIND["ingress"] and math.isfinite(end):
                cur["in"] = end
            elif k[c, j] == KIND["repress"]:
                if cur["out"] is not None:
                    spans.append((cur["start"], start, plan.crew_ids[c], cur["out"], cur["in"]))
                cur = None
    spans.sort()
    evas: list[dict] = []
    for start, end, cid, t_out, t_in in spans:
        if evas and start < evas[-1]["_end"]:
            eva = evas[-1]
            eva["_start"] = min(eva["_start"], start)
            eva["_end"] = max(eva["_end"], end)
        else:
            eva = {"_start": start, "_end": end, "outside_min": {}}
            evas.append(eva)
        outside = (t_in - t_out) / 60.0 if t_in is not None else None
        eva["outside_min"][cid] = _r(outside, 2) if outside is not None else None
    return [
        {
            "n": i + 1,
            "start_min": _r(e["_start"] / 60.0, 2),
            "end_min": _r(e["_end"] / 60.0, 2),
            "duration_min": _r((e["_end"] - e["_start"]) / 60.0, 2),
            "crew": list(e["outside_min"]),
            "outside_min": e["outside_min"],
        }
        for i, e in enumerate(evas)
    ]


def build_summaries(out: EngineOutput) -> list[dict]:
    plan = out.plan
    sc = plan.scenario
    R = plan.runs
    summaries = []
    events_by_run: dict[int, list[dict]] = {}
    for e in out.events:
        events_by_run.setdefault(e["run"], []).append(e)
    orbit_info = _orbit_info(out)
    tables = consumable_tables(out)
    for r in range(R):
        crew = {}
        phases = []
        worst = "completed"
        worst_condition = 0
        for c, member in enumerate(sc.crew):
            first_phase = len(phases)
            outcome = OUTCOMES[out.outcome[r, c]]
            if member.role == "eva" or outcome in ANY_ROLE_OUTCOMES:
                worst = max(worst, outcome, key=OUTCOME_RANK.get)
            items = _consumables(out, r, c, tables) if member.suit else {}
            for j, label in enumerate(plan.labels[c]):
                start = out.act_start_s[r, c, j]
                if math.isnan(start):
                    continue
                code = int(plan.kind[c, j])
                phases.append(
                    {
                        "crew": member.id,
                        "activity": label,
                        "kind": ACTIVITIES[code] if code < len(ACTIVITIES) else "return",
                        "start_min": _r(start / 60.0, 2),
                        "end_min": _r(out.act_end_s[r, c, j] / 60.0, 2),
                    }
                )
            # in time order: the return to the hatch is the last slot but not the last phase
            phases[first_phase:] = sorted(phases[first_phase:], key=lambda ph: ph["start_min"])
            worst_condition = max(worst_condition, int(out.condition[r, c]))
            crew[member.id] = {
                "name": member.name,
                "role": member.role,
                "suit": member.suit,
                "outcome": outcome,
                "condition": CONDITIONS[out.condition[r, c]],
                "condition_cause": (
                    CAUSES[out.condition_cause[r, c]] if out.condition_cause[r, c] >= 0 else None
                ),
                "impaired_min": _r(out.impaired_s[r, c] / 60.0, 1),
                # when the suit pressure first fell below its setting, 3.5 and 2.5 psi
                "suit_pressure_low_min": {
                    name: _r(out.suit_below_s[k, r, c] / 60.0, 2)
                    for k, name in enumerate(("below set", "3.5 psi", "2.5 psi"))
                },
                "time_outside_min": _r(out.time_outside_s[r, c] / 60.0, 1),
                "consumables": items,
                "limiting_consumable": _limiting(items) if member.suit else None,
                "peaks": {k: _r(v[r, c], 4) for k, v in out.peaks.items()},
                "alarms": int(out.alarms[r, c]),
                "darkness_outside_min": _r(out.dark_outside_s[r, c] / 60.0, 1),
                # the latest time to start back and arrive with the O2 reserve untouched
                # (the way back along the handrails, or straight without them)
                "return_by_min": _r(out.return_by_s[r, c] / 60.0, 1),
                # brought in by a partner's rescue (None: came in alone, or not at all)
                "rescued_by": (
                    out.plan.crew_ids[out.rescued_by[r, c]]
                    if out.rescued_by is not None and out.rescued_by[r, c] >= 0
                    else None
                ),
                "motion": out.motion.summary(r, c),
            }
        evs = events_by_run.get(r, [])
        kinds = plan.kind
        first = [
            out.act_start_s[r, c, j]
            for c in range(len(sc.crew))
            for j in range(kinds.shape[1])
            if kinds[c, j] in (KIND["suit-up"], KIND["depress"])
        ]
        last = [
            out.act_end_s[r, c, j]
            for c in range(len(sc.crew))
            for j in range(kinds.shape[1])
            if kinds[c, j] == KIND["repress"]
        ]
        first = [x for x in first if not math.isnan(x)]
        last = [x for x in last if not math.isnan(x)]
        eva_clock = (max(last) - min(first)) / 60.0 if first and last else None
        peaks = {
            k: _r(np.max(v[r]) if k != "o2_margin_min" else np.min(v[r]), 4)
            for k, v in out.peaks.items()
        }
        summaries.append(
            {
                "scenario": sc.scenario.name,
                "title": sc.scenario.title,
                "catalogue_id": sc.scenario.catalogue_id or None,
                "handrails": bool(sc.vehicle.paths),  # the way back follows them
                "catalogue": entries_for_scenario(sc.scenario.name, sc.scenario.catalogue_id),
                "run": r,
                "status": out.status[r],
                "outcome": worst if out.status[r] == "ok" else "error",
                "condition": CONDITIONS[worst_condition],
                "sim_duration_min": _r(out.t_end_s / 60.0, 2),
                "eva_clock_min": _r(eva_clock, 2) if eva_clock is not None else None,
                "phases": phases,
                "evas": _evas(out, r),
                "orbit": orbit_info,
                "crew": crew,
                "peaks": peaks,
                "alarms": [
                    {k: e[k] for k in ("t_s", "crew", "severity", "message")}
                    for e in evs
                    if e["severity"] in ("caution", "warning", "emergency")
                ],
            }
        )
    return summaries


def _orbit_info(out) -> dict:
    o = out.plan.motion.orbit
    r, _ = o.state(np.linspace(0.0, o.period_s, 181))
    alt = (np.linalg.norm(r, axis=1) - R_EARTH_M) / 1000.0
    return {
        "period_min": _r(o.period_s / 60.0, 2),
        "perigee_km": _r(float(alt.min()), 1),
        "apogee_km": _r(float(alt.max()), 1),
        "beta_deg_at_start": _r(float(o.beta_deg(0.0)[0]), 1),
        "relative_motion": "nonlinear" if out.plan.motion.nonlinear else "cw",
        "day_night": [{"t_min": _r(t / 60.0, 2), "event": kind} for t, kind in out.day_night],
    }


def format_summary(summary: dict) -> str:
    """A short text summary a flight controller can read at a glance."""
    lines = [
        f"{summary['title'] or summary['scenario']}",
        f"  outcome: {summary['outcome'].upper()}"
        + (
            f" - CREW {summary['condition'].upper()}"
            if summary.get("condition", "well") != "well"
            else ""
        )
        + f"   status: {summary['status']}   "
        f"simulated {summary['sim_duration_min']:.1f} min"
        + (f"   EVA clock {summary['eva_clock_min']:.1f} min" if summary["eva_clock_min"] else ""),
        "",
        "  phases (min):",
    ]
    for ph in summary["phases"]:
        end = "..." if ph["end_min"] is None else f"{ph['end_min']:7.1f}"
        lines.append(f"    {ph['crew']:<12} {ph['activity']:<24} {ph['start_min']:7.1f} -> {end}")
    if summary.get("evas"):
        lines.append("")
        lines.append("  EVAs (vessel at vacuum to repress):")
        for e in summary["evas"]:
            outside = ", ".join(
                f"{cid} {m:.1f} min outside" if m is not None else f"{cid} still outside"
                for cid, m in e["outside_min"].items()
            )
            lines.append(
                f"    EVA {e['n']}: {e['start_min']:.1f} -> {e['end_min']:.1f} min, "
                f"{format_hm(e['duration_min'])}; {outside}"
            )
        if len(summary["evas"]) > 1:
            total = sum(e["duration_min"] for e in summary["evas"])
            lines.append(f"    total {format_hm(total)} in {len(summary['evas'])} EVAs")
    if summary.get("catalogue"):
        lines.append("")
        lines.append("  in the catalogue (`spacewalk catalogue list --simulated`):")
        for e in summary["catalogue"]:
            lines.append(
                f"    {e['id']}: {e['date']}, {e['mission']}, {', '.join(e['crew'])}, "
                f"{format_hm(e['duration_min'])}"
            )
    lines.append("")
    lines.append("  crew:")
    for cid, c in summary["crew"].items():
        lines.append(
            f"    {cid} ({c['role']}, {c['suit'] or 'unsuited'}): {c['outcome']}"
            + (
                f" ({c['condition'].upper()} by {c['condition_cause']}, "
                f"{c['impaired_min']:.1f} min)"
                if c.get("condition", "well") != "well"
                else ""
            )
            + ", "
            f"{c['time_outside_min']:.1f} min outside, peak TR {c['peaks']['tissue_ratio']:.2f}, "
            f"P(DCS) {100 * c['peaks']['p_dcs']:.1f} % (95 % {100 * c['peaks']['p_dcs_lo']:.1f}-"
            f"{100 * c['peaks']['p_dcs_hi']:.1f}), grade IV VGE "
            f"{100 * c['peaks'].get('p_giv', 0.0):.1f} %, peak ppCO2 {c['peaks']['ppco2_mmHg']:.1f} mmHg"
        )
        if c.get("return_by_min") is not None:
            way = "along the handrails" if summary.get("handrails") else "straight-line way back"
            lines.append(
                f"      return by {c['return_by_min']:.1f} min to keep the O2 reserve ({way}); "
                f"emergency ingress {c['peaks']['time_back_min']:.1f} min from the farthest "
                "point (the way back, ingress, hatch close, repress)"
            )
        low = {k: v for k, v in (c.get("suit_pressure_low_min") or {}).items() if v is not None}
        if low:
            lines.append(
                "      SUIT PRESSURE " + ", ".join(f"{k} at {v:.1f} min" for k, v in low.items())
            )
        for item in c["consumables"].values():
            ex = (
                f", RAN OUT at {item['exhausted_at_min']:.1f} min"
                if item["exhausted_at_min"] is not None
                else ""
            )
            tl = (
                ""
                if item["time_left_min"] is None
                else f", {item['time_left_min']:.0f} min left at this rate"
            )
            lines.append(
                f"      {item['title']:<24} {item['left']:.3g} of {item['capacity']:.3g} {item['unit']} "
                f"({item['margin_pct']:.0f} %){tl}{ex}"
            )
        lim = c["limiting_consumable"]
        if lim:
            lines.append(f"      limiting: {lim['title']} ({lim['reason']})")
        mo = c.get("motion") or {}
        if c["time_outside_min"] > 0:
            lines.append(
                f"      motion: farthest {mo['max_range_m']:.1f} m, fastest {mo['max_speed_m_s']:.2f} m/s, "
                f"tether peak {mo['max_tether_tension_N']:.0f} N, tumble peak "
                f"{mo['max_tumble_deg_s']:.1f} deg/s; {c['darkness_outside_min']:.1f} min outside in darkness"
            )
        if "maneuvering_unit" in mo:
            lines.append(
                f"      {mo['maneuvering_unit'].upper()}: {mo['propellant_used_kg']:.2f} kg propellant used, "
                f"{mo['propellant_left_kg']:.2f} kg left; delta-v {mo['delta_v_used_m_s']:.2f} m/s used, "
                f"{mo['delta_v_left_m_s']:.2f} m/s left"
            )
    orb = summary.get("orbit")
    if orb:
        lines.append("")
        changes = ", ".join(f"{d['event']} {d['t_min']:.1f}" for d in orb["day_night"][:8])
        lines.append(
            f"  orbit: {orb['perigee_km']:.0f} x {orb['apogee_km']:.0f} km, period "
            f"{orb['period_min']:.1f} min, beta {orb['beta_deg_at_start']:.0f} deg"
            + (f"; {changes} (min)" if changes else "; no sunrise or sunset during the run")
        )
    lines.append("")
    n_rules = sum(c["alarms"] for c in summary["crew"].values())
    lines.append(
        f"  alarms: {n_rules} from flight rules; {len(summary['alarms'])} caution, warning "
        "and emergency events:"
    )
    for a in summary["alarms"][:20]:
        lines.append(
            f"    {a['t_s'] / 60:7.1f} min  {a['crew']:<10} {a['severity']:<9} {a['message']}"
        )
    if len(summary["alarms"]) > 20:
        lines.append(f"    ... {len(summary['alarms']) - 20} more in events.jsonl")
    return "\n".join(lines)
