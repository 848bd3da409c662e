"""Vehicles as N vessels: a vehicle with two airlocks and a crew lock, from a scenario file
alone (tests/data/iss-two-airlocks.toml), against the closed-form depress and the topology
the file declares; and the problems a wrong vessel layout gives."""

import math
import tomllib
from pathlib import Path

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
    # ev3 ends the run: the last record is before the step that takes it into the cabin
    assert _path(tm[tm.crew == "ev3"]) == ["cabin", "poisk", "outside", "poisk"]
    assert result.summary["outcome"] == "completed"


def test_only_the_vessels_with_an_open_hatch_vent(result):
    """The crew lock and Poisk go to vacuum; the equipment lock (its own vessel, inner hatch
    closed) and the cabin keep their air; each EVA crew member's airlock pressure channel is
    the pressure of the lock they go out by."""
    tm = result.telemetry
    ev1, ev3 = tm[tm.crew == "ev1"], tm[tm.crew == "ev3"]
    assert ev1.p_airlock_kPa.min() < 0.7 and ev3.p_airlock_kPa.min() < 0.7
    # in the equipment lock before the crew lock is entered, and after it: 14.7 psi air
    in_eq = ev1[ev1.location == "equipment-lock"]
    assert in_eq.p_ambient_kPa.min() == pytest.approx(14.7 * PA_PER_PSI / 1000, rel=1e-9)
    assert tm.p_cabin_kPa.min() == pytest.approx(14.7 * PA_PER_PSI / 1000, rel=1e-9)
    # Quest's crew lock vents before Poisk (no prebreathe wait there): different histories
    out1 = ev1.t_s[ev1.location == "outside"].min()
    out3 = ev3.t_s[ev3.location == "outside"].min()
    assert out3 - out1 > 20 * 60
    ev = result.events
    opened = ev[ev.code == "hatch-open"]
    assert list(opened.subject) == ["crew-lock", "poisk"]
    assert list(ev[ev.code == "hatch-closed"].subject) == ["crew-lock", "poisk"]


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
