"""The models checked against published data (``spacewalk models validate``): each row a model's
prediction beside a measured or specified figure, with the figure's own spread as a two-sided
tolerance, and its basis: *predicted* (no parameter was set from the figure), *calibrated*
(a parameter was) or *input* (the figure restates an input).

The figures are those of ``shared/research/reference-data.md``; where the record has no
independent figure for a model (the time to 2.5 psi for a given hole, a suited-exercise sweat
test, a helmet's dew point against its visor), there is no row, and docs/models.md says so.
"""

from __future__ import annotations

import numpy as np

from ..scenario import parse_toml
from ..scenario.presets import WORKLOADS_W
from ..sim.plan import compile_plan
from ..sim.subsystems import co2
from ..units import W_PER_BTU_H
from . import dcs_trials
from .history import FAIL, PASS, Row
from .simulation import simulate

# One EMU crew member outside at a constant metabolic rate, no flight rules: the bench.
_BENCH = """
[scenario]
name = "emu-bench"
start_utc = "2024-06-01T12:00:00Z"
[engine]
dt_s = 10.0
record_every_s = 60.0
max_duration_h = 6.0
[vehicle]
hatch_diameter_m = 1.0
hatch_open_max_psi = 0.1
[vehicle.cabin]
volume_m3 = 388.0
pressure_psi = 14.7
vent_diameter_cm = 5.6
repress_flow_kg_min = 5.0
[vehicle.airlock]
volume_m3 = 4.25
pressure_psi = 14.7
vent_diameter_cm = 1.0
repress_flow_kg_min = 0.45
[orbit]
altitude_km = 420
inclination_deg = 51.6
[[prebreathe]]
duration_min = 240
pressure_psi = 14.7
o2_fraction = 1.0
[[crew]]
id = "ev"
role = "eva"
suit = "emu"
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
activity = "egress"
duration_min = 1
[[timeline.ev]]
activity = "task"
duration_min = 240
metabolic_W = {met}
"""

# Kim et al. 2020, Aerosp Med Hum Perform 91(12) (reference-data 4, H): inspired ppCO2 in the
# EMU, time-weighted mean and SD [mmHg], by workload; the helmet's two parameters were fitted
# to the 1,000 and 3,000 Btu/h rows
KIM_2020 = (
    ("rest", WORKLOADS_W["rest"], 4.75, 1.03, "predicted"),
    ("1,000 Btu/h", 1000 * W_PER_BTU_H, 8.09, 1.39, "calibrated"),
    ("2,000 Btu/h", 2000 * W_PER_BTU_H, 11.39, 1.26, "predicted"),
    ("3,000 Btu/h", 3000 * W_PER_BTU_H, 14.36, 1.29, "calibrated"),
)
KIM_SOURCE = "Kim et al. 2020, Aerosp Med Hum Perform 91(12) (reference-data 4, H); mean ± SD"


def _bench(met_W: float):
    return compile_plan(parse_toml(_BENCH.format(met=met_W), "emu-bench"))


def helmet_co2_mmHg(met_W: float, minutes: float = 30.0) -> float:
    """Steady inspired ppCO2 of the EMU at a metabolic rate: the CO2 subsystem alone, fresh
    cartridge, fan on, at the suit's set pressure."""
    plan = _bench(met_W)
    s = co2.init(plan)
    one = np.ones((1, 1), dtype=bool)
    met = np.full((1, 1), met_W)
    p_suit = plan.crew.p_set_Pa
    dt = plan.scenario.engine.dt_s
    for k in range(int(minutes * 60 / dt)):
        s, _ = co2.step(s, plan, one, met, one, np.zeros((1, 1)), p_suit, one, k * dt, dt)
    return float(co2.inspired_mmHg(s, plan)[0, 0])


def emu_durations_h(met_W: float) -> dict[str, float]:
    """Hours each EMU consumable lasts at a metabolic rate: its capacity over its rate of use
    during a 4-h task outside (a straight-line fit to the bench run's telemetry; the whole
    engine: suit gas, CO2, heat and water, power)."""
    res = simulate(parse_toml(_BENCH.format(met=met_W), "emu-bench"))
    tel = res.telemetry
    task = tel[tel.activity == "task"]
    hours = (task.t_s - task.t_s.iloc[0]).to_numpy() / 3600.0
    p = res.scenario.suits["emu"]
    channels = {
        "o2_primary": ("o2_primary_kg", p.o2_primary_kg, -1.0),
        "scrubber": ("scrubber_used_pct", 100.0, 1.0),
        "feedwater": ("feedwater_kg", p.feedwater_kg, -1.0),
        "battery": ("battery_Ah", p.battery_Ah, -1.0),
    }
    out = {}
    for key, (channel, capacity, sign) in channels.items():
        rate = sign * np.polyfit(hours, task[channel].to_numpy(), 1)[0]
        out[key] = capacity / rate
    return out


def _status(ok: bool) -> str:
    return PASS if ok else FAIL


def validate(progress=None) -> list[Row]:
    """Every row; ``progress(done, total, what)`` is called before each model's group."""
    step = progress or (lambda *_: None)
    rows: list[Row] = []
    step(0, 3, "helmet CO2 against Kim 2020")
    for label, met, mean, sd, basis in KIM_2020:
        got = helmet_co2_mmHg(met)
        rows.append(
            Row(
                "helmet CO2",
                f"EMU inspired ppCO2 at {label}",
                f"{mean:g} mmHg",
                f"{got:.2f} mmHg",
                f"± {sd:g} mmHg",
                _status(abs(got - mean) <= sd),
                basis,
                KIM_SOURCE,
                "",
            )
        )
    step(1, 3, "EMU consumables at the design average")
    design = 1000 * W_PER_BTU_H
    hours = emu_durations_h(design)
    limiting = min(hours, key=hours.get)
    rows.append(
        Row(
            "EMU consumables",
            f"the limiting consumable ({limiting}) at the 1,000 Btu/h design average",
            "7 to 8 h",
            f"{hours[limiting]:.2f} h",
            "range",
            _status(7.0 <= hours[limiting] <= 8.0),
            "predicted",
            "7 h of expendables (NASA EMU text, H) to the ISS's 8-h requirement (space.nss.org, "
            "M); stores from the EMU Handbook (M), none set from the duration",
            "",
        )
    )
    names = {"scrubber": "METOX", "feedwater": "feedwater", "battery": "battery"}
    for key, name in names.items():
        rows.append(
            Row(
                "EMU consumables",
                f"{name} lasts the 7-h EVA at 1,000 Btu/h",
                "≥ 7 h",
                f"{hours[key]:.2f} h",
                "bound",
                _status(hours[key] >= 7.0),
                "input" if key == "battery" else "predicted",
                "7 h of expendables (NASA EMU text, H); the battery's 45 Ah at its 3.8 A "
                "qualification load is arithmetic on inputs (NTRS 20050217305, H)"
                if key == "battery"
                else "7 h of expendables (NASA EMU text, H); METOX 1.48 lb, feedwater 10 lb "
                "(EMU Handbook, M)",
                "",
            )
        )
    step(2, 3, "DCS against the chamber trials")
    rows.extend(dcs_trials.rows())
    return rows
