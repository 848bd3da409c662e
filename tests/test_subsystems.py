"""Each engine subsystem run alone on a hand-built state, against its authority: closed-form
solutions, conservation laws and published figures (the source named in each test). The
parameters come from a compiled plan of ``tests/data/emu-nominal.toml``; the states are
built here, not by the engine."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from spacewalk import load_scenario
from spacewalk.physics import gas
from spacewalk.scenario import Fault
from spacewalk.sim.crewmotion import CrewMotion
from spacewalk.sim.events import EventLog
from spacewalk.sim.plan import KIND, LOC_OUTSIDE, compile_plan, hole_cdA_m2
from spacewalk.sim.subsystems import (
    co2,
    faults,
    power,
    rules,
    suitgas,
    thermal,
    timeline,
    tissue,
    vessels,
)
from spacewalk.sim.values import VALUE_INDEX, VALUE_KEYS
from spacewalk.units import PA_PER_PSI, R_O2, SUIT_GAS_T_K, gas_constant

EMU = Path(__file__).parent / "data" / "emu-nominal.toml"
LOC_AIRLOCK = 1  # the airlock's vessel index in emu-nominal.toml (cabin 0, airlock 1)
DT = 10.0
GAMMA = 1.4
# choked-flow factor sqrt(g) (2/(g+1))^((g+1)/(2(g-1))) for g = 1.4 (Anderson, Modern
# Compressible Flow, eq. 5.21): 0.6847
GAMMA_FLOW = math.sqrt(GAMMA) * (2 / (GAMMA + 1)) ** ((GAMMA + 1) / (2 * (GAMMA - 1)))


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(EMU)


@pytest.fixture
def plan(scenario):
    return compile_plan(scenario, runs=2)


def _everyone(plan, value=True):
    return np.full((plan.runs, len(plan.crew_ids)), value)


def test_vessel_vents_as_the_choked_exponential(plan):
    """Isothermal choked venting to vacuum: p(t) = p0 exp(-Cd A G sqrt(R T) t / V)."""
    s = vessels.init(plan)
    v = plan.vessel
    vloc = np.full((plan.runs, 2), LOC_AIRLOCK)  # both crew in the airlock, depressing
    p0 = vessels.pressure_Pa(s, plan)[0, 1]
    steps = 30
    for _ in range(steps):
        s, _ = vessels.step(
            s,
            plan,
            vloc,
            _everyone(plan),
            _everyone(plan, False),
            np.zeros((plan.runs, 2)),
            np.zeros((plan.runs, 2), dtype=bool),
            DT,
        )
    R = gas_constant(v.o2_fraction[0, 1])
    tau = v.volume_m3[0, 1] / (v.vent_cdA_m2[0, 1] * GAMMA_FLOW * math.sqrt(R * v.T_K[0, 1]))
    expected = p0 * math.exp(-steps * DT / tau)
    assert vessels.pressure_Pa(s, plan)[0, 1] == pytest.approx(expected, rel=1e-6)
    assert vessels.pressure_Pa(s, plan)[0, 0] == pytest.approx(
        vessels.pressure_Pa(vessels.init(plan), plan)[0, 0]
    )  # the cabin, with nobody venting it, keeps its gas


def test_vessel_repress_adds_the_set_mass_flow_and_stops_at_the_target(plan):
    """Mass conservation: the gas added is the repress flow times the time, up to the target."""
    s = vessels.init(plan)
    s.m_kg[:, 1] *= 0.01  # an airlock near vacuum
    m0 = s.m_kg[0, 1]
    vloc = np.full((plan.runs, 2), LOC_AIRLOCK)
    target = np.full((plan.runs, 2), 14.7 * PA_PER_PSI)
    no = np.zeros((plan.runs, 2), dtype=bool)
    s, _ = vessels.step(s, plan, vloc, _everyone(plan, False), _everyone(plan), target, no, DT)
    assert s.m_kg[0, 1] - m0 == pytest.approx(plan.vessel.repress_kg_s[0, 1] * DT, rel=1e-12)
    for _ in range(2000):
        s, _ = vessels.step(s, plan, vloc, _everyone(plan, False), _everyone(plan), target, no, DT)
    assert vessels.pressure_Pa(s, plan)[0, 1] == pytest.approx(14.7 * PA_PER_PSI, rel=1e-9)


def test_suit_draws_the_weir_o2_of_its_metabolic_rate(plan):
    """Weir (1949): 1 L of O2 (STPD) releases 20.2 kJ at RQ 0.85; O2 is 1.429 g/L at STPD."""
    plan.crew.leak_m3_s[:] = 0.0
    plan.crew.purge_kg_s[:] = 0.0
    s = suitgas.init(plan, np.full((plan.runs, 2), 29.6e3))
    fs = faults.init(plan)
    met = np.full((plan.runs, 2), 300.0)
    o2_0 = s.o2_primary_kg.copy()
    minutes = 60
    for k in range(minutes * 6):
        s, ev, _ = suitgas.step(s, plan, _everyone(plan), met, 0.0, fs, _everyone(plan), k * DT, DT)
        assert not ev
    used_g = 1000 * (o2_0 - s.o2_primary_kg)[0, 0]
    weir_g = 300.0 * minutes * 60 / 20.2e3 * 1.429
    assert used_g == pytest.approx(weir_g, rel=0.02)
    assert s.p_suit_Pa[0, 0] == pytest.approx(plan.crew.p_set_Pa[0, 0])  # regulated


def test_suit_runs_on_the_secondary_once_the_primary_is_empty(plan):
    """Once the primary is empty the secondary's O2 mass is drawn at the real rate: Weir's
    metabolic O2 and the leak at the set pressure (not a clock at its design flow)."""
    plan.crew.leak_m3_s[:] = 0.0
    s = suitgas.init(plan, np.full((plan.runs, 2), 29.6e3))
    s.o2_primary_kg[:, 0] = 1e-6  # all but empty
    fs = faults.init(plan)
    met = np.full((plan.runs, 2), 300.0)
    s, ev, _ = suitgas.step(s, plan, _everyone(plan), met, 0.0, fs, _everyone(plan), 0.0, DT)
    assert [e.code for e in ev] == ["o2-primary-exhausted", "switched-to-secondary"]
    assert s.primary_out_s[0, 0] == 0.0 and np.isnan(s.primary_out_s[0, 1])
    reserve = s.o2_secondary_kg[0, 0]
    s, _, _ = suitgas.step(s, plan, _everyone(plan), met, 0.0, fs, _everyone(plan), DT, DT)
    weir_kg = 300.0 * DT / 20.2e3 * 1.429e-3
    assert reserve - s.o2_secondary_kg[0, 0] == pytest.approx(weir_kg, rel=0.02)
    assert s.p_suit_Pa[0, 0] == pytest.approx(plan.crew.p_set_Pa[0, 0])


def test_a_hole_beyond_the_regulators_settles_where_inflow_meets_outflow(plan):
    """Mass balance at equilibrium: with both regulators at their maximum, the pressure falls
    until the choked flow out of the hole plus metabolism equals what they deliver; on the
    way the gas mass follows the exact solution of dm/dt = F - sink - k m."""
    plan.crew.leak_m3_s[:] = 0.0
    s = suitgas.init(plan, np.full((plan.runs, 2), 29.6e3))
    fs = faults.init(plan)
    fs.hole_cdA_m2[:, 0] = hole_cdA_m2(10.0)  # a 10 mm hole
    fs.any_leak = True
    met = np.full((plan.runs, 2), 300.0)
    for k in range(60):
        s, _, out = suitgas.step(
            s, plan, _everyone(plan), met, 0.0, fs, _everyone(plan), k * DT, DT
        )
    p = plan.crew
    supply = p.reg_max_kg_s[0, 0] + p.secondary_kg_s[0, 0]
    assert out.draw_kg_s[0, 0] == pytest.approx(supply, rel=1e-9)  # both at their maximum
    sink = 300.0 / 20.2e3 * 1.429e-3
    out_flow = gas.orifice_mass_flow_kg_s(
        s.p_suit_Pa[0, 0], 0.0, hole_cdA_m2(10.0), R_O2, SUIT_GAS_T_K
    )
    assert out_flow + sink == pytest.approx(supply, rel=2e-3)  # Weir to 2 % of a 2 % term
    assert s.p_suit_Pa[0, 0] < 1.5 * PA_PER_PSI  # far below the 2.5 psi of useful consciousness
    assert s.p_suit_Pa[0, 1] == pytest.approx(plan.crew.p_set_Pa[0, 1])  # the partner's holds


def test_a_small_hole_is_held_by_the_primary_regulator(plan):
    """A 1 mm hole (0.15 kg/h) is within the primary's flow: the pressure holds and the draw
    is the hole's choked flow at the set pressure plus metabolism."""
    plan.crew.leak_m3_s[:] = 0.0
    s = suitgas.init(plan, np.full((plan.runs, 2), 29.6e3))
    fs = faults.init(plan)
    fs.hole_cdA_m2[:, 0] = hole_cdA_m2(1.0)
    fs.any_leak = True
    met = np.full((plan.runs, 2), 300.0)
    for k in range(6):
        s, ev, out = suitgas.step(
            s, plan, _everyone(plan), met, 0.0, fs, _everyone(plan), k * DT, DT
        )
    p_set = plan.crew.p_set_Pa[0, 0]
    hole = gas.orifice_mass_flow_kg_s(p_set, 0.0, hole_cdA_m2(1.0), R_O2, SUIT_GAS_T_K)
    assert 3600 * hole == pytest.approx(0.15, abs=0.02)  # the 0.15 kg/h
    assert s.p_suit_Pa[0, 0] == pytest.approx(p_set)
    assert out.draw_kg_s[0, 0] == pytest.approx(hole + 300.0 / 20.2e3 * 1.429e-3, rel=5e-3)


def test_a_failed_regulator_with_the_secondary_spent_lets_the_suit_gas_decay(plan):
    """No makeup (the primary's regulator failed, the secondary empty): the suit's O2 mass
    falls by what metabolism and the leak take."""
    p0 = 29.6e3
    s = suitgas.init(plan, np.full((plan.runs, 2), p0))
    s.o2_secondary_kg[:] = 0.0
    fs = faults.init(plan)
    fs.regulator_failed[:] = True
    met = np.full((plan.runs, 2), 300.0)
    vol = plan.crew.gas_volume_m3[0, 0]
    m0 = p0 * vol / (R_O2 * 295.0)
    s, _, _ = suitgas.step(s, plan, _everyone(plan), met, 0.0, fs, _everyone(plan), 0.0, DT)
    weir_kg_s = 300.0 / 20.2e3 * 1.429e-3
    leak_kg_s = plan.crew.leak_m3_s[0, 0] * p0 / (R_O2 * 295.0)
    m1 = s.p_suit_Pa[0, 0] * vol / (R_O2 * 295.0)
    assert m0 - m1 == pytest.approx((weir_kg_s + leak_kg_s) * DT, rel=0.02)


def test_the_secondary_holds_the_suit_when_the_primary_regulator_fails(plan):
    """The EMU's SOP has its own regulator: with the primary's failed, the suit stays at its
    setting and the secondary's O2 mass goes down by exactly what metabolism (Weir) and the
    nominal leak take, while the primary's store is untouched."""
    p0 = plan.crew.p_set_Pa[0, 0]
    s = suitgas.init(plan, np.full((plan.runs, 2), p0))
    fs = faults.init(plan)
    fs.regulator_failed[:, 0] = True
    met = np.full((plan.runs, 2), 300.0)
    primary, reserve = s.o2_primary_kg.copy(), s.o2_secondary_kg.copy()
    s, ev, _ = suitgas.step(s, plan, _everyone(plan), met, 0.0, fs, _everyone(plan), 0.0, DT)
    assert [e.code for e in ev] == ["switched-to-secondary"]
    weir_kg_s = 300.0 / 20.2e3 * 1.429e-3
    leak_kg_s = plan.crew.leak_m3_s[0, 0] * p0 / (R_O2 * 295.0)
    assert reserve[0, 0] - s.o2_secondary_kg[0, 0] == pytest.approx(
        (weir_kg_s + leak_kg_s) * DT, rel=0.02
    )
    assert s.o2_primary_kg[0, 0] == primary[0, 0]
    assert s.p_suit_Pa[0, 0] == pytest.approx(p0)
    assert s.o2_secondary_kg[0, 1] == reserve[0, 1]  # the partner's primary holds theirs


def test_the_purge_valve_runs_on_the_secondary_and_the_suit_holds_when_the_primary_is_empty(
    plan,
):
    """An open purge valve is the secondary's purge mode: its design flow leaves through the
    valve while the regulators still hold the suit. With the primary empty the secondary
    feeds both the purge and the makeup (Weir's metabolic O2 and the leak): the suit stays
    at its setting and the secondary's mass falls by exactly their sum (before, the purge
    took the secondary's whole flow and the suit decayed to hypoxia within minutes)."""
    p0 = plan.crew.p_set_Pa[0, 0]
    s = suitgas.init(plan, np.full((plan.runs, 2), p0))
    s.o2_primary_kg[:, 0] = 0.0
    s.purge_open[:, 0] = True
    fs = faults.init(plan)
    met = np.full((plan.runs, 2), 300.0)
    reserve = s.o2_secondary_kg[0, 0]
    for k in range(60):  # ten minutes
        s, _, out = suitgas.step(
            s, plan, _everyone(plan), met, 0.0, fs, _everyone(plan), k * DT, DT
        )
        assert s.p_suit_Pa[0, 0] == pytest.approx(p0)
    weir_kg_s = 300.0 / 20.2e3 * 1.429e-3
    leak_kg_s = plan.crew.leak_m3_s[0, 0] * p0 / (R_O2 * 295.0)
    purge_kg_s = plan.crew.secondary_kg_s[0, 0]
    assert out.purge_kg_s[0, 0] == purge_kg_s
    assert reserve - s.o2_secondary_kg[0, 0] == pytest.approx(
        (purge_kg_s + weir_kg_s + leak_kg_s) * 600.0, rel=1e-3
    )


def test_co2_settles_where_removal_equals_production(plan):
    """Steady state of a well-mixed loop with a fresh scrubber: made = flow * pp / (R T)."""
    s = co2.init(plan)
    met = np.full((plan.runs, 2), 400.0)
    for k in range(200):
        s, _ = co2.step(
            s,
            plan,
            _everyone(plan),
            met,
            _everyone(plan),
            np.zeros((plan.runs, 2)),
            np.full((plan.runs, 2), 29.6e3),
            _everyone(plan),
            k * DT,
            DT,
        )
    # CO2 made at RQ 0.85 (Weir): 0.85 x the O2 volume, 1.977 g/L at STPD
    made = 400.0 / 20.2e3 * 0.85 * 1.977e-3
    flow = plan.crew.vent_m3_s[0, 0]
    r_co2 = 8.314462618 / 0.04401
    assert s.pp_co2_Pa[0, 0] == pytest.approx(made * r_co2 * 295.0 / flow, rel=0.03)
    # and the scrubber holds what the gas does not: the mass balance closes
    held = s.pp_co2_Pa[0, 0] * plan.crew.gas_volume_m3[0, 0] / (r_co2 * 295.0)
    assert s.scrub_used_kg[0, 0] + held == pytest.approx(made * 200 * DT, rel=0.03)


def test_without_cooling_every_watt_is_stored_in_the_body(plan):
    """First law: no cooling and no evaporation, so storage = heat in x time."""
    s = thermal.init(plan)
    fs = faults.init(plan)
    fs.cooling_factor[:] = 0.0
    no_fan = _everyone(plan, False)  # no ventilation: nothing evaporates
    met = np.full((plan.runs, 2), 350.0)
    equip = np.full((plan.runs, 2), 20.0)
    no_leak = np.zeros((plan.runs, 2))  # no environment heat: the visor's sinks as they are
    env = (no_leak, no_leak, *thermal.environment(plan)[2:])
    for k in range(90):
        s, _, out = thermal.step(
            s,
            plan,
            _everyone(plan),
            _everyone(plan),
            met,
            equip,
            no_fan,
            env,
            1.0,
            fs,
            _everyone(plan),
            k * DT,
            DT,
        )
        assert np.all(out.cooling_W == 0.0)
    assert s.heat_J[0, 0] == pytest.approx(370.0 * 90 * DT, rel=1e-12)


def test_an_open_purge_carries_sweat_overboard_without_the_sublimator(plan):
    """A closed loop's fan is stopped and its cooling gone; the purge valve is open (the
    secondary's design flow, 5.1 lb/h of dry O2): the body still sheds heat by sweat that
    the purge stream carries overboard, up to what dry O2 takes to saturation at skin
    temperature, and none of it is the sublimator's feedwater. The capacity by hand: 35 C
    saturation 5.628 kPa (steam tables), in O2 at 4.3 psia (29.65 kPa) a humidity ratio of
    18.015 / 31.998 x 5.628 / (29.65 - 5.628) = 0.1319 kg/kg: 0.305 kg/h, 206 W."""
    from spacewalk.units import H_VAP_SWEAT, KG_PER_LB

    purge = 5.1 * KG_PER_LB / 3600.0
    s = thermal.init(plan)
    fs = faults.init(plan)
    fs.cooling_factor[:] = 0.0
    s.heat_J[:] = 6.0e5  # hot: sweating at the most a body sweats
    met = np.full((plan.runs, 2), 300.0)
    no_leak = np.zeros((plan.runs, 2))  # no environment heat: what leaves is the purge's
    no_fan, env = _everyone(plan, False), (no_leak, no_leak, *thermal.environment(plan)[2:])
    water0, heat0 = s.feedwater_kg.copy(), s.heat_J.copy()
    args = (_everyone(plan), _everyone(plan), met, 0.0, no_fan, env, 1.0, fs, _everyone(plan))
    s, _, _ = thermal.step(s, plan, *args, 0.0, DT, purge_kg_s=np.full((plan.runs, 2), purge))
    assert plan.crew.p_set_Pa[0, 0] == pytest.approx(29.65e3, rel=1e-3)  # the EMU's 4.3 psia
    capacity = purge * 18.015 / 31.998 * 5.628 / (29.65 - 5.628)
    shed = (heat0 - s.heat_J)[0, 0] / DT + 300.0  # W taken out: metabolic heat plus storage
    assert shed == pytest.approx(capacity * H_VAP_SWEAT, rel=0.005)  # Magnus: within 0.4 %
    assert np.array_equal(s.feedwater_kg, water0) and not s.sublimated_kg.any()
    # without the purge, nothing leaves: the body stores it all
    s2 = thermal.init(plan)
    s2.heat_J[:] = 6.0e5
    s2, _, _ = thermal.step(s2, plan, *args, 0.0, DT)
    assert s2.heat_J[0, 0] == pytest.approx(6.0e5 + 300.0 * DT)


def test_water_intrusion_fills_the_helmet_at_its_rate(plan):
    s = thermal.init(plan)
    fs = faults.init(plan)
    fs.water_rate_kg_s[:, 0] = 25.0 / 1000 / 60  # 25 mL/min
    met = np.full((plan.runs, 2), 300.0)
    env = thermal.environment(plan)
    for k in range(60):
        s, _, _ = thermal.step(
            s,
            plan,
            _everyone(plan),
            _everyone(plan),
            met,
            0.0,
            _everyone(plan),
            env,
            1.0,
            fs,
            _everyone(plan),
            k * DT,
            DT,
        )
    assert s.helmet_water_kg[0, 0] == pytest.approx(0.25, rel=1e-12)  # 10 min x 25 mL/min
    assert s.helmet_water_kg[0, 1] == 0.0


def test_battery_drains_its_current_and_reports_empty_once(plan):
    s = power.init(plan)
    amps = plan.crew.battery_A[0, 0]
    hours = plan.crew.battery_Ah[0, 0] / amps
    codes, steps = [], int(math.ceil(hours * 3600 / DT)) + 3
    for k in range(steps):
        s, ev = power.step(s, plan, _everyone(plan), _everyone(plan), k * DT, DT)
        codes += [e.code for e in ev]
        if k == 5:
            assert s.battery_Ah[0, 0] == pytest.approx(
                plan.crew.battery_Ah[0, 0] - amps * 6 * DT / 3600
            )
    assert codes == ["battery-exhausted"]
    assert s.out_s[0, 0] == pytest.approx(math.ceil(hours * 3600 / DT) * DT - DT, abs=DT)


def test_tissue_goes_halfway_in_one_half_time(plan):
    """The 360-min tissue (NASA TR model): halfway to the inspired N2 after 360 minutes."""
    s = tissue.init(plan)
    start = s.n2_Pa[0, 0]
    p_breath, fo2 = np.full((plan.runs, 2), 101_325.0), np.ones((plan.runs, 2))  # on O2
    p_dcs, values = np.zeros((plan.runs, 2)), np.zeros((len(VALUE_KEYS), plan.runs, 2))
    for _ in range(360):
        tissue.step(s, plan, p_breath, fo2, np.full((plan.runs, 2), 100.0), 60.0, p_dcs, values)
    assert s.n2_Pa[0, 0] == pytest.approx(start / 2, rel=1e-9)


def test_a_fault_applies_at_its_time_and_only_once(scenario):
    sc = scenario.model_copy(
        update={
            "faults": [Fault(kind="cooling-failure", crew="ev1", at_min=5, remaining_fraction=0.25)]
        }
    )
    plan = compile_plan(sc, runs=1)
    fs = faults.init(plan)
    ok = np.ones(1, dtype=bool)
    fs, ev, _ = faults.step(fs, plan, 290.0, ok)
    assert not ev and fs.cooling_factor[0, 0] == 1.0
    fs, ev, _ = faults.step(fs, plan, 300.0, ok)
    assert [e.code for e in ev] == ["fault-cooling"] and fs.cooling_factor[0, 0] == 0.25
    fs, ev, _ = faults.step(fs, plan, 310.0, ok)
    assert not ev


def _outside_timeline(plan, scenario):
    """Both crew at their worksite task, outside."""
    tl = timeline.init(plan)
    task = [a.key for a in scenario.timeline["ev1"]].index("worksite tasks")
    tl.act[:] = task
    tl.started[:] = True
    tl.loc[:] = LOC_OUTSIDE
    tl.suited[:] = True
    tl.hatch_open[:] = True
    return tl, task


def test_a_rule_fires_once_and_an_abort_sends_the_crew_back(plan, scenario):
    rt = rules.table(plan)
    rs = rules.init(plan, rt)
    tl, task = _outside_timeline(plan, scenario)
    suit = suitgas.init(plan, np.full((plan.runs, 2), 29.6e3))
    R, C = plan.runs, 2
    values = np.zeros((len(VALUE_KEYS), R, C))  # the engine's buffer, a row a channel
    values[VALUE_INDEX["p_suit_kPa"]] = 29.6
    values[VALUE_INDEX["o2_margin_min"]] = 300.0
    values[VALUE_INDEX["o2_time_min"]] = 400.0
    values[VALUE_INDEX["feedwater_kg"]] = 3.0
    values[VALUE_INDEX["battery_Ah"]] = 20.0
    values[VALUE_INDEX["ppco2_mmHg"], 0, 0] = 40.0  # above the co2-critical abort limit
    slot = np.full((R, C), task)
    rng = np.full((R, C), 20.0)
    rs, ev = rules.step(rs, rt, plan, values, tl, suit, slot, rng, _everyone(plan), 0.0)
    codes = [e.code for e in ev]
    assert codes == [
        "rule-caution",  # co2-high
        "rule-warning",  # co2-critical: abort, and the partner terminates
        "abort",
        "terminate-with-crew",
        "rule-warning",  # co2-purge: the purge valve opens
        "purge-opened",
    ]
    assert tl.mode[0, 0] == timeline.ABORTED and tl.mode[0, 1] == timeline.TERMINATED
    assert (tl.mode[1] == timeline.NOMINAL).all()  # the other run goes on
    S = plan.kind.shape[1]
    assert tl.act[0, 0] == S - 1 and tl.ret_dur_s[0, 0] == pytest.approx(
        20.0 / (1.5 * plan.crew.speed_m_s[0, 0]) + 60.0
    )
    assert rs.alarms[0, 0] == 3
    assert suit.purge_open[0, 0] and not suit.purge_open[0, 1]
    rs, ev = rules.step(rs, rt, plan, values, tl, suit, slot, rng, _everyone(plan), DT)
    assert not ev  # a rule fires once per crew member


def test_depress_ends_on_the_vessel_pressure(plan, scenario):
    """The timeline ends a depress when the vessel reaches the activity's target pressure."""
    tl = timeline.init(plan)
    dep = [a.activity for a in scenario.timeline["ev1"]].index("depress")
    tl.act[:] = dep
    tl.loc[:] = LOC_AIRLOCK
    tl.suited[:] = True
    motion = CrewMotion(plan, EventLog(plan.crew_ids))
    target = plan.to_Pa[0, dep]
    p_suit = np.full((plan.runs, 2), 29.6e3)
    for p_airlock, ended in ((target * 1.01, False), (target * 0.99, True)):
        p_ves = np.array([[101e3, p_airlock]] * plan.runs)
        tl, _, now = timeline.step(tl, plan, p_ves, p_suit, motion, 100.0, DT)
        assert np.all(now.kind == KIND["depress"])
        assert bool(tl.completed[0, 0, dep]) is ended


def test_each_compiled_kernel_has_one_specialisation():
    """Issue 21: a kernel compiled again for another argument type (a scalar, an int array, a
    broadcast view, a uint64 index) costs seconds on the first run after an install; a run
    and a dispersed batch (and every test before this one in the process) use one
    machine-code version of each."""
    import tomli_w

    from spacewalk.campaign.execute import _scenario, simulate_runs
    from spacewalk.physics import jit
    from spacewalk.results.simulation import simulate
    from spacewalk.scenario.load import scenario_to_mapping

    simulate("polaris-dawn-2024")
    sc, groups = _scenario(tomli_w.dumps(scenario_to_mapping(load_scenario("sts-102-2001"))))
    simulate_runs(sc, groups, 1, np.arange(4))
    used = [k for k, _ in jit._KERNELS if k.signatures]
    assert len(used) >= 4  # the three suit kernels and the held-crew motion kernel
    assert all(len(k.signatures) == 1 for k in used), [k.__name__ for k in used]


@pytest.mark.parametrize("name", ["iss-eva-23-2013", "sts-41b-1984", "sts-102-2001"])
def test_the_compiled_quiet_timeline_step_is_the_full_step(name, monkeypatch):
    """Issue 21: the timeline's usual step runs compiled (``_quiet_kernel``; it also ends
    an activity whose end changes nothing but the timeline), everything else through the
    NumPy step; with the compiled path switched off (and the engine's compiled stretches,
    which call the kernel themselves) the run is the same to the last bit (a change to one
    that is not made to the other shows here). EVA 23 has its hatch, a fault and an abort;
    STS-41B flies the MMU (steps that end on the motion's events); STS-102's nine hours end
    tasks, depresses and suit-ups."""
    from spacewalk.results.simulation import simulate
    from spacewalk.sim import engine
    from spacewalk.sim.subsystems import timeline

    fast = simulate(name)
    monkeypatch.setattr(timeline, "_quiet_step", lambda *a, **k: None)
    monkeypatch.setattr(engine.Engine, "_stretch_ok", lambda self: False)
    full = simulate(name)
    assert fast.telemetry.equals(full.telemetry)
    cols = ["t_s", "code", "crew", "message"]
    assert fast.events[cols].equals(full.events[cols])


def test_tally_peaks_follow_numpy_maximum_and_skip_the_dead():
    """The compiled tallies keep a channel's peak as NumPy's maximum does (a NaN, from a run
    whose numbers went wrong, stays in the peak instead of being hidden by later finite
    values) and take no value from a crew member no longer live."""
    from spacewalk.sim.values import PEAK_KEYS, VALUE_INDEX, VALUE_KEYS, Tally

    R, C = 1, 3
    tally = Tally.zeros(R, C)
    out = np.zeros((len(VALUE_KEYS), R, C))
    row = VALUE_INDEX["ppco2_mmHg"]
    live = np.array([[True, True, False]])
    outside, suited = np.zeros((R, C), bool), np.ones((R, C), bool)
    for values in ([4.0, np.nan, 9.0], [7.0, 2.0, 9.0], [5.0, 3.0, 9.0]):
        out[row] = values
        tally.add(out, live, outside, suited, 1.0, 10.0, 0.0)
    peak = tally.peak_stack[PEAK_KEYS.index("ppco2_mmHg")]
    np.testing.assert_array_equal(peak, [[7.0, np.nan, 0.0]])  # the third crew member: dead
    assert tally.suited_s.tolist() == [[30.0, 30.0, 30.0]]


def test_the_kernels_flat_views_are_numpys_reshape():
    """``sim.arrays.flat`` and ``flat_rows``, the views the kernels' flat loops take, are
    NumPy's ``reshape(-1)`` and ``reshape(len(a), rest)`` of a C-contiguous array: the same
    elements, shape and strides, and writes go through to the array."""
    from numba import njit
    from numba.core.errors import TypingError

    from spacewalk.sim.arrays import flat, flat_rows

    @njit
    def views(a):
        f, r = flat(a), flat_rows(a)
        return f.shape, f.strides, r.shape, r.strides, f.copy(), r.copy()

    @njit
    def write(a, x):
        flat(a)[-1] = x

    for a in (
        np.arange(6.0).reshape(3, 2), np.arange(24).reshape(2, 3, 4), np.zeros((0, 2)),
        np.array([[True, False]]),
    ):  # fmt: skip
        f_shape, f_strides, r_shape, r_strides, f, r = views(a)
        by_rows = a.reshape(a.shape[0], int(np.prod(a.shape[1:])))
        assert (f_shape, r_shape) == (a.reshape(-1).shape, by_rows.shape)
        if a.size:  # (NumPy gives an empty array's strides as it likes)
            assert (f_strides, r_strides) == (a.reshape(-1).strides, by_rows.strides)
        np.testing.assert_array_equal(f, a.reshape(-1))
        np.testing.assert_array_equal(r, by_rows)
    a = np.zeros((2, 3))
    write(a, 7.0)
    assert a[1, 2] == 7.0
    with pytest.raises(TypingError):
        views(np.zeros((3, 2)).T)  # not C-contiguous: no view without a copy


def test_the_rules_check_is_the_same_for_a_few_runs_and_for_many():
    """The compiled rule check takes one pass for a few runs and a vector loop per rule for
    many; both give what the rules say: over the limit (above or below), on a live crew
    member the rule watches (suited, outside, any with a suit, suited in a vessel), not
    fired yet."""
    rng = np.random.default_rng(5)
    R, C, K, Q = 300, 2, 8, 6
    values = rng.normal(0.0, 1.0, (Q, R, C))
    values[2, 7, 1] = np.nan  # a number gone wrong fires nothing
    rows = rng.integers(0, Q, K)
    limit, sign = rng.normal(0.0, 0.5, K), np.where(np.arange(K) % 2 == 0, 1.0, -1.0)
    applies = np.arange(K) % 4
    fired = rng.random((K, R, C)) < 0.3
    suited, outside = rng.random((R, C)) < 0.8, rng.random((R, C)) < 0.5
    has_suit, live = rng.random((R, C)) < 0.9, rng.random((R, C)) < 0.95
    watched = np.stack([suited, outside, has_suit, suited & ~outside])[applies]
    over = (values[rows] - limit[:, None, None]) * sign[:, None, None] > 0
    expected = live[None] & watched & ~fired & over
    for n in (3, R):  # 6 crew members: one pass; 600: the vector loops
        fires = np.zeros((K, n, C), dtype=bool)
        args = (np.ascontiguousarray(values[:, :n]), rows, limit, sign, applies)
        crew = [np.ascontiguousarray(x[:n]) for x in (suited, outside, has_suit, live)]
        any_fire = rules._fires(*args, np.ascontiguousarray(fired[:, :n]), *crew, fires)
        np.testing.assert_array_equal(fires, expected[:, :n])
        assert any_fire == expected[:, :n].any()
