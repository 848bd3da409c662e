"""The planner's question: what prebreathe does this cabin need?

Given the cabin the crew live in (its pressure and O2 fraction), the suit pressure, the EVA's
length and work, every protocol of the library (:mod:`spacewalk.scenario.protocols`) and a
family of plain O2 prebreathes at the cabin pressure (0 to 4 h) are run as one batch through
the engine: one run per candidate, each starting from the tissue state its protocol leaves,
each crew member suited and depressed through an airlock and working for the EVA's length.
For each candidate the table gives the EVA's P(DCS) with its 95 % interval, and the NASA
acceptance test (:func:`spacewalk.physics.dcs.acceptance_risk`: 4 h in the suit with light
exercise, <= 15 % DCS and <= 20 % grade IV venous gas emboli at 95 % confidence); the
shortest candidate that passes is the answer.

The protocols are written from sea-level air; for another cabin they are applied after the
crew have equilibrated with it (their O2 stages do not depend on the pressure; their air
stages are what the protocol prescribes).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..physics import dcs
from ..scenario import parse_toml
from ..scenario.presets import WORKLOADS_W
from ..scenario.protocols import PROTOCOLS, Protocol, stage_tuples, with_break
from ..sim.engine import run_engine
from ..sim.plan import compile_plan
from ..units import PA_PER_PSI
from . import plotting

O2_FAMILY_MIN = tuple(range(0, 241, 15))

# Above 5 psi the model is optimistic: at 25,000 ft (5.45 psia), 4 h after a 60-min
# prebreathe, the USAF saw 63 % DCS at rest where the model gives 33 % (its walking subjects),
# 25 % after one with exercise periods where it gives 12 %, and over 80 % with no prebreathe
# where it gives 51 % (Webb et al. 2000 and the exercise-enhanced prebreathe at 7,620 m,
# reference-data 9; docs/dcs.md, shown, not scored: the groups' sizes are not published). At
# 4.3 psia the model meets the long resting prebreathes of 3.5-8 h and the exercise ones (the
# twenty chamber groups of ``spacewalk models validate``).
SOFT_SUIT_PSI, SOFT_SUIT_TR = 5.0, 1.6  # those groups' tissue ratio into 5.45 psia: 1.9-2.1
SOFT_SUIT_CAUTION = (
    "tissue ratio {tr:.2f} into a suit at {psi:g} psi: at 25,000 ft (5.45 psia) after a 60-min "
    "prebreathe the USAF saw 63 % DCS at rest and 25 % with exercise where the model gives 33 "
    "and 12 %, so its risk here is likely low, by up to two times (docs/dcs.md)"
)


def caution(suit_psi: float, tissue_ratio: float) -> str:
    """Why the model's risk for a prebreathe into a suit at ``suit_psi``, leaving the 360-min
    tissue at ``tissue_ratio`` there, is less trustworthy than its interval says, or ''."""
    if suit_psi >= SOFT_SUIT_PSI and tissue_ratio >= SOFT_SUIT_TR:
        return SOFT_SUIT_CAUTION.format(tr=tissue_ratio, psi=suit_psi)
    return ""


# One suited crew member, depressed through an airlock, working for the EVA's length: stores
# large enough that no consumable ends the EVA, and no flight rules (the question is DCS).
_BENCH = """
[scenario]
name = "prebreathe-bench"
start_utc = "2024-06-01T12:00:00Z"
[engine]
dt_s = 30.0
record_every_s = 600.0
dcs_dt_s = 60.0
max_duration_h = {max_h}
[vehicle]
hatch_diameter_m = 1.0
hatch_open_max_psi = 0.1
[vehicle.cabin]
volume_m3 = 100.0
pressure_psi = {cabin_psi}
o2_fraction = {cabin_o2}
vent_diameter_cm = 5.6
repress_flow_kg_min = 5.0
[vehicle.airlock]
volume_m3 = 4.25
pressure_psi = {cabin_psi}
o2_fraction = {cabin_o2}
vent_diameter_cm = 2.0
repress_flow_kg_min = 0.45
[orbit]
altitude_km = 420
inclination_deg = 51.6
[suits.bench]
base = "emu"
pressure_psi = {suit_psi}
o2_primary_kg = 20.0
scrubber_capacity_kg = 20.0
feedwater_kg = 50.0
battery_Ah = 500.0
[[crew]]
id = "ev"
role = "eva"
suit = "bench"
[[timeline.ev]]
activity = "enter-airlock"
duration_min = 1
[[timeline.ev]]
activity = "suit-up"
duration_min = 1
[[timeline.ev]]
activity = "depress"
to_psi = 0.1
[[timeline.ev]]
activity = "task"
duration_min = {eva_min}
metabolic_W = {met}
"""


@dataclass(frozen=True)
class Question:
    """What the planner asks: the cabin, the suit, the EVA."""

    cabin_psi: float = 14.7
    cabin_o2: float = 0.21
    suit_psi: float = 4.3
    eva_min: float = 390.0  # a typical planned ISS EVA, 6.5 h (reference-data 8)
    metabolic_W: float = WORKLOADS_W["moderate"]
    protocols: tuple[str, ...] = ()  # default: the whole library
    extra: tuple[Protocol, ...] = field(default=())  # e.g. with_break(...)


def question_from_scenario(sc, **override) -> Question:
    """The question a scenario asks: its cabin, its first EVA crew member's suit, and that
    crew member's first EVA (depress to repress) as length and mean metabolic rate; any
    keyword of :class:`Question` overrides."""
    from ..scenario import DEFAULT_WORKLOAD

    cabin = sc.vehicle.cabin
    fields = {"cabin_psi": cabin.pressure_psi, "cabin_o2": cabin.o2_fraction}
    eva_crew = [m for m in sc.crew if m.role == "eva" and m.suit]
    if eva_crew:
        m = eva_crew[0]
        fields["suit_psi"] = sc.suits[m.suit].pressure_psi
        minutes = energy = 0.0
        in_eva = False
        for a in sc.timeline.get(m.id, []):
            if a.activity == "depress":
                in_eva = True
                continue
            if in_eva and a.activity == "repress":
                break
            if in_eva and a.duration_min:
                met = a.metabolic_W or WORKLOADS_W[a.workload or DEFAULT_WORKLOAD[a.activity]]
                minutes += a.duration_min
                energy += met * a.duration_min
        if minutes > 0:
            fields["eva_min"] = minutes
            fields["metabolic_W"] = energy / minutes
    fields.update({k: v for k, v in override.items() if v is not None})
    return Question(**fields)


def candidates(q: Question) -> list[Protocol]:
    named = [PROTOCOLS[n] for n in (q.protocols or PROTOCOLS)]
    plain = [
        Protocol(
            f"o2-{m}min",
            f"{m} min of O2 at {q.cabin_psi:g} psi",
            "-",
            ({"duration_min": m, "pressure_psi": q.cabin_psi, "o2_fraction": 1.0},),
        )
        for m in O2_FAMILY_MIN
        if m > 0
    ]
    return [*named, *(plain if not q.protocols else []), *q.extra]


def _start(q: Question, protocol: Protocol) -> dcs.Dose:
    """The state after the protocol, starting from tissues in equilibrium with the cabin
    (the N2 the crew breathe there; no dose: how they came to live at that pressure is not
    the question)."""
    n2 = float(dcs.inspired_n2_Pa(q.cabin_psi * PA_PER_PSI, q.cabin_o2))
    cabin = dcs.sea_level()._replace(n2_Pa=np.asarray(n2), etr_Pa=np.asarray(n2))
    return dcs.history(stage_tuples(protocol.stages), start=cabin)


def answer(q: Question) -> pd.DataFrame:
    """One row per candidate, shortest first among those that pass; columns documented in
    docs/dcs.md."""
    cands = candidates(q)
    starts = [_start(q, c) for c in cands]
    text = _BENCH.format(
        cabin_psi=q.cabin_psi,
        cabin_o2=q.cabin_o2,
        suit_psi=q.suit_psi,
        eva_min=q.eva_min,
        met=q.metabolic_W,
        max_h=min(240.0, q.eva_min / 60.0 + 2.0),
    )
    plan = compile_plan(parse_toml(text, "prebreathe-bench"), runs=len(cands))
    plan.crew.dose0[:, 0, :] = np.array([np.array(s, dtype=float) for s in starts])
    out = run_engine(plan, record=False, events=False)
    suit_Pa = q.suit_psi * PA_PER_PSI
    rows = []
    for r, (c, s) in enumerate(zip(cands, starts, strict=True)):
        last = c.stages[-1] if c.stages else None
        from_psi = (last.get("end_pressure_psi") or last["pressure_psi"]) if last else q.cabin_psi
        test = dcs.acceptance_risk(s, from_psi * PA_PER_PSI, suit_Pa)
        tr = float(dcs.tissue_ratio(s.n2_Pa, suit_Pa))
        rows.append(
            {
                "protocol": c.name,
                "title": c.title,
                "minutes": c.duration_min,
                "o2_minutes": c.o2_min,
                "tissue_ratio": tr,
                "p_dcs": float(out.peaks["p_dcs"][r, 0]),
                "p_dcs_lo": float(out.peaks["p_dcs_lo"][r, 0]),
                "p_dcs_hi": float(out.peaks["p_dcs_hi"][r, 0]),
                "test_p_dcs": test.p_dcs,
                "test_upper95": test.upper,
                "test_p_giv": test.p_giv,
                "test_giv_upper95": test.giv_upper,
                "meets_estimate": test.meets_estimate,
                "meets_limit": test.meets_limit,
                "source": c.source,
                "caution": caution(q.suit_psi, tr),
            }
        )
    table = pd.DataFrame(rows)
    return table.sort_values(
        ["meets_limit", "meets_estimate", "minutes", "p_dcs"],
        ascending=[False, False, True, True],
        kind="stable",
    ).reset_index(drop=True)


def shortest(table: pd.DataFrame, column: str = "meets_limit") -> pd.Series | None:
    """The shortest candidate that passes: at 95 % confidence (``meets_limit``, the NASA
    criterion) or at the estimate (``meets_estimate``)."""
    ok = table[table[column]].sort_values(["minutes", "p_dcs"], kind="stable")
    return None if ok.empty else ok.iloc[0]


def format_text(q: Question, table: pd.DataFrame) -> str:
    head = (
        f"cabin {q.cabin_psi:g} psi at {100 * q.cabin_o2:g} % O2, suit {q.suit_psi:g} psi, "
        f"EVA {q.eva_min:g} min at {q.metabolic_W:g} W"
    )
    lines = [
        head,
        "",
        f"{'protocol':<26}{'min':>6}{'O2 min':>8}{'TR':>6}{'EVA P(DCS) [95 %]':>22}"
        f"{'test':>7}{'upper':>7}{'GIV':>7}{'upper':>7}  meets (estimate, 95 %)",
    ]
    for row in table.itertuples():
        interval = f"{100 * row.p_dcs:5.1f} [{100 * row.p_dcs_lo:.1f}-{100 * row.p_dcs_hi:.1f}]"
        lines.append(
            f"{row.protocol:<26}{row.minutes:>6.0f}{row.o2_minutes:>8.0f}{row.tissue_ratio:>6.2f}"
            f"{interval:>22}{100 * row.test_p_dcs:>6.1f}%{100 * row.test_upper95:>6.1f}%"
            f"{100 * row.test_p_giv:>6.1f}%{100 * row.test_giv_upper95:>6.1f}%  "
            f"{'yes' if row.meets_estimate else 'no':>3}, {'yes' if row.meets_limit else 'no'}"
            f"{'  (!)' if row.caution else ''}"
        )
    lines.append("")
    lines.extend(_verdict(table))
    lines.append(
        "test: P(DCS) of the NASA acceptance test (4 h in the suit, light exercise); GIV: its "
        "P(grade IV venous gas emboli); upper: each one's one-sided 95 % bound from the model's "
        "coefficients; NASA accepts a protocol at <= 15 % DCS and <= 20 % grade IV VGE with 95 % "
        "confidence (NASA/TP-2004-213158)"
    )
    if table.caution.astype(bool).any():
        lines.append(
            f"(!) a tissue ratio of {SOFT_SUIT_TR:g} or more into a suit at {SOFT_SUIT_PSI:g} "
            "psi or more: the chamber data at 5.45 psia say the model is optimistic there "
            "(docs/dcs.md)"
        )
    return "\n".join(lines)


def _verdict(table: pd.DataFrame) -> list[str]:
    out = []
    for column, words in (
        ("meets_limit", "at 95 % confidence"),
        ("meets_estimate", "at the estimate"),
    ):
        best = shortest(table, column)
        out.append(
            f"shortest that meets the limits {words}: {best.protocol} ({best.title}), "
            f"{best.minutes:.0f} min"
            if best is not None
            else f"nothing meets the limits {words}: raise the cabin's O2 or lower its "
            "pressure, raise the suit's, or prebreathe longer"
        )
        if best is not None and best.caution:
            out.append(f"  caution: {best.caution}")
    return out


def render_html(q: Question, table: pd.DataFrame) -> str:
    """A small self-contained page: the question, the table and a plot of each candidate's
    EVA risk against its length (offline: inline SVG from matplotlib)."""
    fig, ax = plotting.figure(1, 1, figsize=(8.5, 4.2))
    ok = table.meets_limit.to_numpy()
    x = table.minutes.to_numpy()
    y = 100 * table.p_dcs.to_numpy()
    err = np.vstack([y - 100 * table.p_dcs_lo.to_numpy(), 100 * table.p_dcs_hi.to_numpy() - y])
    for mask, colour, label in (
        (ok, "#2a7d3a", "meets the limits (95 %)"),
        (~ok, "#b5442f", "does not"),
    ):
        ax.errorbar(
            x[mask], y[mask], yerr=err[:, mask], fmt="o", color=colour, label=label, capsize=2, ms=4
        )
    ax.axhline(100 * dcs.ACCEPTANCE_LIMIT, color="#444", lw=0.8, ls="--")
    ax.set_xlabel("protocol length [min]")
    ax.set_ylabel("EVA P(DCS) [%]")
    ax.set_xscale("symlog", linthresh=60)
    ax.set_xlim(left=0)
    plotting.legend(ax, frameon=False)
    ax.set_title("P(DCS) of the EVA after each candidate, with its 95 % interval")
    fig.tight_layout()
    svg = plotting.svg(fig)
    rows = "".join(
        f"<tr><td>{html.escape(r.protocol)}</td><td>{html.escape(r.title)}</td>"
        f"<td class=num>{r.minutes:.0f}</td><td class=num>{r.o2_minutes:.0f}</td>"
        f"<td class=num>{r.tissue_ratio:.2f}</td>"
        f"<td class=num>{100 * r.p_dcs:.1f} ({100 * r.p_dcs_lo:.1f}-{100 * r.p_dcs_hi:.1f})</td>"
        f"<td class=num>{100 * r.test_p_dcs:.1f}</td><td class=num>{100 * r.test_upper95:.1f}</td>"
        f"<td class=num>{100 * r.test_p_giv:.1f}</td>"
        f"<td class=num>{100 * r.test_giv_upper95:.1f}</td>"
        f"<td>{'yes' if r.meets_estimate else 'no'}, {'yes' if r.meets_limit else 'no'}</td>"
        f"<td>{html.escape(r.source)}</td><td>{html.escape(r.caution)}</td></tr>"
        for r in table.itertuples()
    )
    text = " ".join(html.escape(line.strip()) + "." for line in _verdict(table))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>spacewalk prebreathe</title>
<style>{plotting.CSS}</style></head><body>
<h1>What prebreathe does this cabin need?</h1>
<p>Cabin {q.cabin_psi:g} psi at {100 * q.cabin_o2:g} % O2; suit {q.suit_psi:g} psi; EVA
{q.eva_min:g} min at {q.metabolic_W:g} W.</p>
<p>{text}</p>
{svg}
<table><tr><th>protocol</th><th>what</th><th>min</th><th>O2 min</th><th>TR</th>
<th>EVA P(DCS) % (95 %)</th><th>test P(DCS) %</th><th>test upper 95 %</th>
<th>test P(grade IV VGE) %</th><th>its upper 95 %</th><th>meets (estimate, 95 %)</th>
<th>source</th><th>caution</th></tr>
{rows}</table>
<p>Model, coefficients, sources and limits: docs/dcs.md. The test is the NASA acceptance
test: 4 h in the suit with light exercise, accepted at &le; 15 % DCS and &le; 20 % grade IV
venous gas emboli with 95 % confidence (NASA/TP-2004-213158).</p>
</body></html>
"""


__all__ = [
    "Question",
    "answer",
    "candidates",
    "caution",
    "format_text",
    "render_html",
    "shortest",
    "with_break",
]
