"""Vehicles as N vessels: a vehicle with two airlocks and a crew lock, from a scenario file
alone (tests/data/iss-two-airlocks.toml), against the closed-form depress and the topology
the file declares; and the problems a wrong vessel layout gives."""

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from spacewalk import ScenarioError, load_scenario, parse_toml, simulate
from spacewalk.units import DISCHARGE_CD, PA_PER_PSI, gas_constant

FILE = Path(__file__).parent / "data" / "iss-two-airlocks.toml"
GAMMA_FLOW = math.sqrt(1.4) * (2 / 2.4) ** (2.4 / 0.8)  # choked-flow function of air, k = 1.4


@pytest.fixture(scope="module")
def result():
    return simulate(load_scenario(FILE))


def _path(frame) -> list[str]:
    """The locations a crew member passes through, in order, repeats collapsed."""
    out: list[str] = []
    for loc in frame["location"]:
        if not out or out[-1] != loc:
            out.append(loc)
    return out


def test_each_crew_member_goes_through_the_vessels_the_file_names(result):
    tm = result.telemetry
    quest = ["cabin", "equipment-lock", "crew-lock", "outside", "crew-lock", "equipment-lock"]
    assert _path(tm[tm.crew == "ev1"]) == [*quest, "cabin"]
    assert _path(tm[tm.crew == "ev2"]) == [*quest, "cabin"]
    assert _path(tm[tm.crew == "ev3"]) == ["cabin", "poisk", "outside", "poisk", "cabin"]
    assert result.summary["outcome"] == "completed"


def test_only_the_vessels_with_an_open_hatch_vent(result):
    """The crew lock and Poisk go to vacuum; the equipment lock (its own vessel, inner hatch
    closed) and the cabin keep their air; each EVA crew member's airlock pressure channel is
    the pressure of the lock they go out by."""
    tm = result.telemetry
    ev1, ev3 = tm[tm.crew == "ev1"], tm[tm.crew == "ev3"]
    assert ev1.p_airlock_kPa.min() < 0.7 and ev3.p_airlock_kPa.min() < 0.7
    # Quest's crew lock vents before Poisk (no prebreathe wait there): different histories
    out1 = ev1.t_s[ev1.location == "outside"].min()
    out3 = ev3.t_s[ev3.location == "outside"].min()
    # in the equipment lock before the crew lock is entered: 14.7 psi air, untouched
    in_eq = ev1[ev1.location == "equipment-lock"]
    assert in_eq.p_ambient_kPa[in_eq.t_s < out1].tolist() == pytest.approx(
        [14.7 * PA_PER_PSI / 1000] * int((in_eq.t_s < out1).sum()), rel=1e-12
    )
    assert tm.p_cabin_kPa[tm.t_s < out1].min() == pytest.approx(14.7 * PA_PER_PSI / 1000)
    assert out3 - out1 > 20 * 60
    ev = result.events
    opened = ev[ev.code == "hatch-open"]
    assert list(opened.subject) == ["crew-lock", "poisk"]
    assert list(ev[ev.code == "hatch-closed"].subject) == ["crew-lock", "poisk"]


def test_inner_hatches_open_on_equal_pressures_the_gas_shared_as_boyle_says(result):
    """Each lock is repressed to 14.0 psi and opens into a 14.7 psi vessel: through its
    equalisation valve and open hatch the two end at one pressure, each gas mass kept
    (isothermal, one gas: p = (p1 V1 + p2 V2) / (V1 + V2), Boyle). The crew lock into the
    equipment lock, that into the cabin, then Poisk into the cabin, in the order the
    timeline goes; the cabin is never vented."""
    tm = result.telemetry
    v = {x.id: x.gas.volume_m3 for x in result.scenario.vehicle.vessel_specs()}

    def shared(p_a, vol_a, p_b, vol_b):
        return (p_a * vol_a + p_b * vol_b) / (vol_a + vol_b)

    kPa = PA_PER_PSI / 1000
    p_eq = shared(14.7, v["equipment-lock"], 14.0, v["crew-lock"])
    p_cab = shared(14.7, v["cabin"], p_eq, v["equipment-lock"])
    p_end = shared(p_cab, v["cabin"], 14.0, v["poisk"])
    ev1 = tm[tm.crew == "ev1"]

    def back_in(frame, where):  # the records in ``where`` after the EVA
        after = frame[frame.t_s > frame.t_s[frame.location == "outside"].max()]
        return after[after.location == where]

    assert back_in(ev1, "equipment-lock").p_ambient_kPa.iloc[0] == pytest.approx(
        p_eq * kPa, rel=1e-9
    )
    # ev1 is in the cabin before Poisk's crew leave it
    assert back_in(ev1, "cabin").p_cabin_kPa.iloc[0] == pytest.approx(p_cab * kPa, rel=1e-9)
    assert tm.p_cabin_kPa.iloc[-1] == pytest.approx(p_end * kPa, rel=1e-9)
    assert not (result.events.code == "inner-hatch-held").any()


def test_the_crew_lock_depresses_as_its_choked_exponential(result):
    """Isothermal choked venting of the crew lock alone: t = tau ln(p0 / p1), tau = V /
    (Cd A Gamma sqrt(R T)); its volume and valve are the file's, not the equipment lock's."""
    sc = result.scenario
    lock = sc.vehicle.vessels["crew-lock"]
    area = DISCHARGE_CD * math.pi * (lock.vent_diameter_cm / 100) ** 2 / 4
    tau = lock.volume_m3 / (area * GAMMA_FLOW * math.sqrt(gas_constant(0.21) * lock.temperature_K))
    expected = tau * math.log(lock.pressure_psi / 0.1)
    phases = {(p["crew"], p["activity"]): p for p in result.summary["phases"]}
    dep = phases[("ev1", "depress")]
    took_s = (dep["end_min"] - dep["start_min"]) * 60
    # the valve opens on the step after the activity starts and the end is seen on the step
    # after the crossing: up to two engine steps late, never early
    assert expected <= took_s <= expected + 2 * sc.engine.dt_s


def test_range_is_from_each_crew_members_own_hatch(result):
    tm = result.telemetry
    assert tm[tm.crew == "ev3"].range_m.max() == pytest.approx(4.0, abs=0.01)  # at_m: 4 m off Poisk
    assert tm[tm.crew == "ev1"].range_m.max() == pytest.approx(10.0, abs=0.1)  # range_m 10


def _problems(edit) -> list:
    data = tomllib.loads(FILE.read_text())
    edit(data)
    with pytest.raises(ScenarioError) as err:
        parse_toml(tomli_w.dumps(data), "iss.toml")
    return err.value.issues


def test_a_lock_must_be_named_when_a_vessel_opens_into_several():
    def edit(d):
        del d["timeline"]["ev1"][0]["vessel"]

    (issue,) = _problems(edit)
    assert issue.path == "timeline.ev1[0].vessel"
    assert "which one" in issue.problem and "equipment-lock, poisk" in issue.fix


def test_egress_needs_a_vessel_with_a_hatch_to_vacuum():
    def edit(d):
        del d["timeline"]["ev1"][2]  # straight out of the equipment lock

    issues = _problems(edit)
    assert any(
        i.path == "timeline.ev1[3].activity" and "no hatch to vacuum" in i.problem for i in issues
    )


def test_inner_hatches_must_lead_to_the_cabin():
    def unknown(d):
        d["vehicle"]["vessels"]["poisk"]["inside"] = "node-3"

    (issue,) = _problems(unknown)
    assert issue.path == "vehicle.vessels.poisk.inside" and "cabin" in issue.fix

    def circle(d):
        d["vehicle"]["vessels"]["equipment-lock"]["inside"] = "crew-lock"

    issues = _problems(circle)
    assert any("circle" in i.problem for i in issues)


def test_an_airlock_vehicle_keeps_its_cabin_closed():
    """With an airlock, only the airlock vents; without one (Dragon) the cabin is the lock."""
    iss = load_scenario("iss-eva-23-2013").vehicle
    dragon = load_scenario("polaris-dawn").vehicle
    assert [v.id for v in iss.vessel_specs() if v.hatch] == ["airlock"]
    assert [v.id for v in dragon.vessel_specs() if v.hatch] == ["cabin"]


EMU = Path(__file__).parent / "data" / "emu-nominal.toml"


def test_nobody_is_walked_into_a_lock_open_to_vacuum():
    """A third crew member, unsuited, is due in the airlock an hour into the EVA while the
    EVA hatch is open: the inner hatch stays shut (equalising would vent the cabin), they
    wait in the cabin with a warning, and go in once the hatch is closed and the lock
    repressed and equalised with the cabin. Nobody is hurt."""
    data = tomllib.loads(EMU.read_text())
    data["crew"].append({"id": "iv", "role": "inside"})
    data["timeline"]["iv"] = [
        {"activity": "wait", "duration_min": 60},
        {"activity": "enter-airlock", "duration_min": 5},
    ]
    res = simulate(parse_toml(tomli_w.dumps(data), "iv.toml"))
    ev, tm = res.events, res.telemetry
    held = ev[ev.code == "inner-hatch-held"]
    assert list(held.crew) == ["iv"] and held.t_s.iloc[0] == pytest.approx(60 * 60, abs=10)
    iv = tm[tm.crew == "iv"]
    in_lock = iv[iv.location == "airlock"]
    repressed = ev[(ev.code == "activity-start") & (ev.subject == "doff")].t_s.min()
    assert in_lock.t_s.min() > repressed  # not before the EVA crew are back and repressed
    assert in_lock.p_ambient_kPa.min() > 96  # never in less than 14 psi
    assert not ev.code.isin(["impaired", "incapacitated", "loss-of-crew-hypoxia"]).any()
    # once the EVA hatch is closed their equalisation valve fills the lock from the cabin
    # beside its repress: the two end at one pressure, below the cabin's 14.7 psi
    end = iv.iloc[-1]
    assert end.p_airlock_kPa == pytest.approx(end.p_cabin_kPa, rel=1e-12)
    assert 14.0 * PA_PER_PSI / 1000 < end.p_cabin_kPa < 14.7 * PA_PER_PSI / 1000


def test_an_equalisation_valve_moves_gas_as_the_orifice_flow_and_keeps_it():
    """Through the lock's valve, cabin air into an airlock at a fifth of its pressure: the
    first step moves the choked orifice flow (Anderson, Modern Compressible Flow, eq. 5.21:
    m' = Cd A p0 sqrt(g / (R T)) (2 / (g + 1))^((g+1)/(2(g-1)))) times dt; the valve never
    carries past equal pressures, the mass and the O2 in it are kept, and the two end at
    the Boyle pressure."""
    from spacewalk.sim.plan import compile_plan
    from spacewalk.sim.subsystems import vessels

    plan = compile_plan(load_scenario(EMU), runs=1)
    s = vessels.init(plan)
    s.m_kg[0, 1] *= 0.2
    s.o2_fraction[0, 1] = 1.0  # an airlock of O2, to see the O2 mix
    s.R_J_kgK[0, 1] = gas_constant(1.0)
    m0, o2_0 = s.m_kg.sum(), (s.m_kg * s.o2_fraction).sum()
    p = vessels.pressure_Pa(s, plan)[0]
    ves = plan.vessel
    R, T = gas_constant(0.21), ves.T_K[0, 0]
    choked = ves.vent_cdA_m2[0, 1] * p[0] * GAMMA_FLOW / math.sqrt(R * T)
    nobody = np.zeros((1, 2), dtype=bool)
    vloc, into = np.zeros((1, 2), dtype=np.int64), np.array([[1, -1]])
    zero = np.zeros((1, 2))
    dt = 10.0
    m_al = s.m_kg[0, 1]
    s, _ = vessels.step(s, plan, vloc, nobody, nobody, zero, nobody, dt, into)
    assert s.m_kg[0, 1] - m_al == pytest.approx(choked * dt, rel=1e-12)
    for _ in range(200):
        s, _ = vessels.step(s, plan, vloc, nobody, nobody, zero, nobody, dt, into)
        assert s.m_kg.sum() == pytest.approx(m0, rel=1e-14)
        assert (s.m_kg * s.o2_fraction).sum() == pytest.approx(o2_0, rel=1e-14)
        p_now = vessels.pressure_Pa(s, plan)[0]
        assert p_now[1] <= p_now[0] * (1 + 1e-12)  # never past equal
    assert p_now[1] == pytest.approx(p_now[0], rel=1e-9)


def test_the_vehicle_gas_balance_closes_with_hatches_equalised():
    """Quest, Poisk and the cabin through a whole run, three locks equalised through their
    inner hatches and a 4-mm hole in a suit: what the vessels hold at the end is what they
    held, plus the repress, less what went to space, to round-off."""
    from spacewalk.sim.engine import Engine
    from spacewalk.sim.plan import compile_plan
    from spacewalk.sim.subsystems import vessels

    data = tomllib.loads(FILE.read_text())
    data["faults"] = [{"kind": "suit-leak", "crew": "ev1", "at_min": 80, "hole_diameter_mm": 4}]
    eng = Engine(compile_plan(parse_toml(tomli_w.dumps(data), "iss.toml")), record=False).run()
    ves, m0 = eng.ves, vessels.init(eng.plan).m_kg
    assert ves.vented_kg.sum() > 1.0 and ves.added_kg.sum() > 1.0  # both locks cycled
    held = ves.m_kg.sum()
    assert held == pytest.approx((m0 + ves.added_kg - ves.vented_kg).sum(), rel=1e-13)
