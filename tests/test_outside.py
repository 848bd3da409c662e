"""The vehicle's outside: solids a free body hits, handrail routes held translation follows,
and the way back to the hatch that the O2 margin and the rules use (issue 18, items 3 and 5).

Geometry is checked against closed forms (a straight line meeting a plane or a cylinder,
path lengths added by hand); the repress time against the ideal-gas mass over the flow."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spacewalk import ScenarioError, load_scenario, simulate
from spacewalk.physics import structure
from spacewalk.sim.plan import compile_plan
from spacewalk.sim.routes import Routes, length
from spacewalk.units import PA_PER_PSI, gas_constant

from .helpers import edited

BOX = structure.solids([((0.0, 0.0, 10.0), (4.0, 4.0, 2.0))])  # z from 9 to 11
CYL = structure.solids(cylinders=[((0.0, -5.0, 0.0), (0.0, 5.0, 0.0), 2.0)])  # along y, r 2


def test_a_straight_path_meets_a_box_face_where_the_plane_is():
    hit = structure.first_hit((1.0, 0.5, 0.0), (1.0, 0.5, 20.0), BOX)
    # the face z = 9 is met at 9/20 of the way, within the skin (5 cm)
    assert hit.fraction * 20.0 == pytest.approx(9.0 + structure.SKIN_M, abs=1e-6)
    assert hit.normal.tolist() == [0.0, 0.0, -1.0]
    assert structure.first_hit((3.0, 0.0, 0.0), (3.0, 0.0, 20.0), BOX) is None  # beside it
    # no tunnelling: 20 m in one step through a 2 m box is still a hit
    thin = structure.solids([((0.0, 0.0, 10.0), (4.0, 4.0, 0.2))])
    assert structure.first_hit((0.0, 0.0, 0.0), (0.0, 0.0, 20.0), thin) is not None


def test_a_straight_path_meets_a_cylinder_side_and_its_caps():
    # along x through the axis: the side x = -2 at (8 - 2)/16 of the way
    hit = structure.first_hit((-8.0, 0.0, 0.0), (8.0, 0.0, 0.0), CYL)
    assert -8.0 + 16.0 * hit.fraction == pytest.approx(-2.0 + structure.SKIN_M, abs=1e-6)
    assert hit.normal == pytest.approx([-1.0, 0.0, 0.0])
    # at an angle: the line x = -8 + t, z = 1 meets x^2 + z^2 = 4 at x = -sqrt(3)
    hit = structure.first_hit((-8.0, 0.0, 1.0), (8.0, 0.0, 1.0), CYL)
    x = -8.0 + 16.0 * hit.fraction
    assert math.hypot(x, 1.0) == pytest.approx(2.0 - structure.SKIN_M, abs=1e-6)
    # along the axis, into the end cap y = -5
    hit = structure.first_hit((0.0, -9.0, 0.5), (0.0, 0.0, 0.5), CYL)
    assert hit.normal == pytest.approx([0.0, -1.0, 0.0])
    assert -9.0 + 9.0 * hit.fraction == pytest.approx(-5.0 + structure.SKIN_M, abs=1e-6)
    # a point on the surface (a crew member holding a handrail there) is not inside
    assert (structure.depth([[2.0, 0.0, 0.0]], CYL) <= structure.SKIN_M).all()


def _routes_scenario(emu_toml, edit_more=None):
    def edit(d):
        v = d["vehicle"]
        v["hatch_m"] = [0.0, 0.0, 0.0]
        v["sites"] = {
            "corner": {"at_m": [0.0, 10.0, 0.0]},
            "worksite": {"at_m": [0.0, 10.0, 20.0], "restraint": "foot-restraint"},
            "other": {"at_m": [5.0, 0.0, 0.0]},
        }
        v["paths"] = [
            {"from": "hatch", "to": "corner"},
            {"from": "corner", "to": "worksite", "via_m": [[0.0, 10.0, 10.0]]},
            {"from": "hatch", "to": "other"},
        ]
        # a box the straight line from the hatch to the worksite would pass through
        v["shape"] = {"boxes": [{"id": "module", "center_m": [0, 4, 8], "size_m": [2, 6, 6]}]}
        ev1 = d["timeline"]["ev1"]
        ev1[3]["range_m"] = 0  # out of the hatch, onto the rails
        ev1[4] = {
            "activity": "translate",
            "label": "to worksite",
            "duration_min": 10,
            "to": "worksite",
        }
        if edit_more:
            edit_more(d)

    return edited(emu_toml, edit)


def test_the_shortest_way_along_the_rails_and_its_length(emu_toml):
    routes = Routes(_routes_scenario(emu_toml))
    way = routes.way((0.0, 0.0, 0.0), (0.0, 10.0, 20.0))
    # hatch -> corner (10 m) -> via (10 m) -> worksite (10 m): the rails, not the 22.4 m chord
    assert length(way) == pytest.approx(30.0, abs=1e-9)
    assert way[:, 0] == pytest.approx(0.0)
    # from off the rails: onto the nearest rail (1 m gap), then along it
    d = routes.distance_to([[1.0, 5.0, 0.0]], "hatch")
    assert d[0] == pytest.approx(1.0 + 5.0, abs=1e-9)
    assert routes.distance_to([[0.0, 10.0, 20.0]], "hatch")[0] == pytest.approx(30.0)


def test_held_translation_follows_the_rails_and_keeps_clear_of_the_solids(emu_toml):
    res = simulate(_routes_scenario(emu_toml))
    tl = res.telemetry
    ev1 = tl[(tl.crew == "ev1") & tl.activity.isin(["to worksite", "worksite tasks"])]
    pts = ev1[["x_m", "y_m", "z_m"]].to_numpy()
    routes = Routes(res.scenario)
    gap, _ = structure.nearest_on_segments(pts, routes.a, routes.b)
    # every sample on a rail (the chord of one 10 s step at a corner cuts it by < 1 cm)
    assert gap.min(axis=1).max() < 0.01
    assert (structure.depth(pts, routes and structure.solids([((0, 4, 8), (2, 6, 6))])) < 0).all()
    at_site = ev1[ev1.activity == "worksite tasks"]
    assert at_site[["x_m", "y_m", "z_m"]].to_numpy() == pytest.approx(
        np.tile([0.0, 10.0, 20.0], (len(at_site), 1))
    )
    # the site's restraint is the activity's
    assert (at_site["motion"] == "foot-restraint").all()
    # 30 m in the activity's 10 min: 0.05 m/s along the rails
    moving = ev1[ev1.activity == "to worksite"]
    v = np.linalg.norm(moving[["vx_m_s", "vy_m_s", "vz_m_s"]].to_numpy(), axis=1)
    assert np.median(v) == pytest.approx(30.0 / 600.0, rel=0.02)


def test_the_way_back_is_along_the_rails_then_ingress_close_and_repress(emu_toml):
    sc = _routes_scenario(emu_toml)
    plan = compile_plan(sc, 1)
    lock = sc.vehicle.airlock
    mass = lock.pressure_psi * PA_PER_PSI * lock.volume_m3
    mass /= gas_constant(lock.repress_o2_fraction) * lock.temperature_K
    repress_s = mass / (lock.repress_flow_kg_min / 60.0)
    # ev1's ingress (5 min) and the hatch close (3 min) from the timeline, then the repress
    assert plan.ops_back_s[0, 1] == pytest.approx(5 * 60 + 3 * 60 + repress_s, rel=1e-12)
    res = simulate(sc)
    tl = res.telemetry
    at_site = tl[(tl.crew == "ev1") & (tl.activity == "worksite tasks")].iloc[5]
    speed = sc.crew[0].translation_speed_m_s
    expected = (30.0 / speed + plan.ops_back_s[0, 1]) / 60.0
    assert at_site["time_back_min"] == pytest.approx(expected, rel=1e-9)
    assert res.summary["crew"]["ev1"]["peaks"]["time_back_min"] == pytest.approx(expected, abs=1e-3)
    assert "emergency ingress" in res.text() and "along the handrails" in res.text()


def test_a_free_body_stops_on_a_solid_with_a_contact_event(emu_toml):
    def more(d):
        d["crew"][0]["tether_length_m"] = 40.0
        d["timeline"]["ev1"][5] = {
            "activity": "free-float",
            "label": "push off",
            "duration_min": 5,
            "push_m_s": [0.0, -0.1, -0.2],  # from the worksite toward the module's centre
        }
        d["timeline"]["ev1"][6]["to"] = "worksite"
        d["timeline"]["ev1"][6].pop("range_m", None)

    res = simulate(_routes_scenario(emu_toml, more))
    contact = res.events[res.events.code == "contact"]
    assert len(contact) >= 1 and contact.iloc[0]["subject"] == "module"
    tl = res.telemetry
    free = tl[(tl.crew == "ev1") & (tl.activity == "push off")]
    pts = free[["x_m", "y_m", "z_m"]].to_numpy()
    box = structure.solids([((0, 4, 8), (2, 6, 6))])
    assert (structure.depth(pts, box) <= structure.SKIN_M + 1e-9).all()  # never inside
    # it meets the top face (z = 11) and keeps only the velocity along it: none into the box
    touching = free[structure.depth(pts, box)[:, 0] > -0.01]
    assert len(touching)
    assert touching["z_m"].to_numpy() == pytest.approx(11.0 - structure.SKIN_M, abs=0.02)
    assert (touching["vz_m_s"] >= -1e-6).all()
    assert contact.iloc[0]["severity"] == "caution"


def test_a_handrail_within_reach_is_a_handhold(emu_toml):
    """Drift 3 m from the worksite but 0.6 m from the rail: the next held activity takes hold
    of the rail. Without the rails the same drift leaves the crew member adrift."""

    def more(d):
        d["crew"][0].pop("tether_length_m", None)
        d["timeline"]["ev1"][5] = {
            "activity": "free-float",
            "label": "let go",
            "duration_min": 1,
            "push_m_s": [0.01, 0.0, -0.05],  # to (0.6, 10, 17)
        }

    res = simulate(_routes_scenario(emu_toml, more))
    assert res.summary["crew"]["ev1"]["outcome"] == "completed"
    assert not (res.events.code == "adrift").any()

    def no_rails(d):
        more(d)
        d["vehicle"]["paths"] = []

    lost = simulate(_routes_scenario(emu_toml, no_rails))
    assert lost.summary["crew"]["ev1"]["outcome"] == "adrift"


def test_outside_keys_are_checked_with_a_fix(emu_toml):
    def bad(d):
        d["vehicle"]["paths"][0]["to"] = "cornr"
        d["timeline"]["ev1"][4]["to"] = "worksit"

    with pytest.raises(ScenarioError) as exc:
        _routes_scenario(emu_toml, bad)
    text = str(exc.value)
    assert "vehicle.paths[0].to" in text and "did you mean 'corner'" in text
    assert "timeline.ev1[4].to" in text and "did you mean 'worksite'" in text


def test_iss_eva_23_carries_quest_a_truss_and_its_handrail_routes():
    sc = load_scenario("iss-eva-23-2013")
    assert [c.id for c in sc.vehicle.shape.cylinders] == ["quest"]
    quest = sc.vehicle.shape.cylinders[0]
    assert math.dist(quest.from_m, quest.to_m) == pytest.approx(5.5)  # reference-data 8
    assert quest.radius_m == pytest.approx(2.0)
    routes = Routes(sc)
    for site in ("parmitano-worksite", "cassidy-worksite"):
        assert np.isfinite(routes.distance_to([sc.vehicle.sites[site].at_m], "airlock")[0])


# --------------------------------------------------------------------- a partner's rescue


def _incapacitated_outside(emu_toml, more=None):
    """ev2's cooling fails at the worksite: ev2 overheats and is incapacitated outside (heat
    stroke, lethal only after an hour at 42 C) and cannot abort; the only rule is the
    standard partner-rescue. (Water over the nose and mouth would drown them before the tow
    is home: test_physiology.py.)"""

    def edit(d):
        d["faults"] = [
            {"kind": "cooling-failure", "crew": "ev2", "remaining_fraction": 0.0, "at_min": 60}
        ]
        d["flight_rules"] = [
            {"id": "partner-rescue", "channel": "condition", "above": 1.5,
             "level": "warning", "action": "rescue", "applies": "outside"}
        ]  # fmt: skip
        if more:
            more(d)

    return simulate(edited(emu_toml, edit))


def test_a_partner_goes_to_them_tethers_them_and_tows_them_in(emu_toml):
    from spacewalk.sim.subsystems import rescue

    res = _incapacitated_outside(emu_toml)
    ev = res.events.set_index("code")
    t_order, t_reached = ev.loc["rescue", "t_s"], ev.loc["rescue-reached", "t_s"]
    speed = res.scenario.crew[0].translation_speed_m_s
    # ev1 at 40 m, ev2 at 30 m along the same line: 10 m at the translation speed (one step)
    assert t_reached - t_order == pytest.approx(10.0 / speed, abs=res.scenario.engine.dt_s)
    assert ev.loc["rescue", "crew"] == "ev1" and ev.loc["rescue", "subject"] == "ev2"
    tl = res.telemetry
    ev1 = tl[tl.crew == "ev1"].set_index("t_s")
    # tethering takes TIE_S, then the tow at half the speed: 30 m back, then a minute's margin
    t_tow = t_reached + rescue.TIE_S
    t_ingress = res.events[(res.events.code == "activity-start") & (res.events.crew == "ev1")
                           & (res.events.subject == "ingress")].t_s.iloc[-1]  # fmt: skip
    way = 30.0 / (rescue.TOW_FACTOR * speed) + 60.0
    assert t_ingress - t_tow == pytest.approx(way, abs=2 * res.scenario.engine.dt_s)
    towing = ev1.loc[t_tow + 20 : t_tow + 200]
    v = np.linalg.norm(towing[["vx_m_s", "vy_m_s", "vz_m_s"]].to_numpy(), axis=1)
    assert np.median(v) == pytest.approx(rescue.TOW_FACTOR * speed, rel=0.02)
    # in tow, ev2 is where ev1 is
    ev2 = tl[tl.crew == "ev2"].set_index("t_s")
    k = ev2.index.get_indexer([t_tow + 100], method="nearest")[0]
    assert ev2["range_m"].iloc[k] == pytest.approx(ev1["range_m"].iloc[k], abs=2)
    # brought in: the repress that follows is around them too, and the run ends
    assert ev.loc["rescued", "crew"] == "ev2"
    assert ev2["location"].iloc[-1] == "airlock"
    assert res.summary["crew"]["ev2"]["rescued_by"] == "ev1"
    assert res.summary["crew"]["ev2"]["outcome"] == "incapacitated"
    assert res.summary["sim_duration_min"] < 200
    # when ev1 takes their suit off in the repressed airlock, they take ev2's off too
    t_doff = ev1.index[~ev1["suited"].astype(bool) & (ev1.index > t_ingress)][0]
    assert not ev2["suited"].astype(bool).loc[t_doff:].any()
    # incapacitated by heat (+3 C), out of the suit the body sheds it; the run ends as it
    # falls under what impairs (+2 C), once nothing worse can happen to them
    core = ev2["core_temp_rise_C"]
    assert core.max() >= 3.0 and core.iloc[-1] < core.max() - 1.0


def test_on_a_second_eva_the_rescued_stay_in_the_cabin_alive():
    """STS-61, Thornton's cooling fails on the second EVA (no heat terminate): he is
    incapacitated by heat, Akers brings him in; he is taken along into the cabin and lives
    (before, he was left in the airlock, suited, and died 21 h later as the third EVA's
    airlock went to vacuum). With a crew member incapacitated the mission stands down: the
    three others begin no further EVA."""
    import tomllib

    import tomli_w

    from spacewalk import parse_toml
    from spacewalk.scenario import library_dir
    from spacewalk.scenario.rules import STANDARD_RULES

    d = tomllib.loads((library_dir() / "sts-61-1993.toml").read_text())
    d["faults"] = [
        {"kind": "cooling-failure", "crew": "thornton", "remaining_fraction": 0.0,
         "at_min": 1560.0}
    ]  # fmt: skip
    d["flight_rules"] = [r for r in STANDARD_RULES if not r["id"].startswith("heat-storage")]
    res = simulate(parse_toml(tomli_w.dumps(d)), record=False)
    crew = res.summary["crew"]
    assert crew["thornton"]["rescued_by"] == "akers"
    assert crew["thornton"]["outcome"] == "incapacitated"  # alive
    assert not (res.events.code == "loss-of-crew-hypoxia").any()
    ev = res.events
    stood = ev[ev.code == "stand-down"]
    assert set(stood.crew) == {"musgrave", "hoffman", "akers"}
    assert crew["musgrave"]["outcome"] == crew["hoffman"]["outcome"] == "terminated"
    # nobody goes outside after the EVA in which Thornton was incapacitated
    down = ev[(ev.code == "incapacitated") & (ev.crew == "thornton")].t_s.iloc[0]
    assert not ((ev.code == "egress") & (ev.t_s > down)).any()


def test_with_nobody_outside_to_go_the_rescue_is_unanswered(emu_toml):
    def ev1_back_early(d):
        for a in d["timeline"]["ev1"]:
            if a.get("label") == "worksite tasks":
                a["duration_min"] = 10  # ev1 is back in the airlock when ev2 is hit

    res = _incapacitated_outside(emu_toml, ev1_back_early)
    codes = list(res.events.code)
    assert "rescue-none" in codes and "rescue" not in codes
    none = res.events[res.events.code == "rescue-none"].iloc[0]
    assert none["severity"] == "emergency" and none["crew"] == "ev2"
    assert res.summary["crew"]["ev2"]["rescued_by"] is None


def test_a_ride_beyond_the_arms_reach_is_refused(emu_toml):
    def far(d):
        d["vehicle"]["arm"] = {"base_m": [0.0, 0.0, 0.0], "reach_m": 17.6}
        d["timeline"]["ev1"][5] = {"activity": "ride", "at_m": [0.0, 20.0, 0.0]}

    with pytest.raises(ScenarioError, match=r"20\.0 m from the arm's base, beyond its 17\.6 m"):
        _routes_scenario(emu_toml, far)
    sc = load_scenario("sts-114-2005")  # Robinson's ride under Discovery is within reach
    assert sc.vehicle.arm.reach_m == pytest.approx(17.6)


def test_a_hand_stops_a_slow_body_on_a_rail_but_not_a_fast_one(emu_toml):
    """Let go at the worksite with a push along the rail: at 0.05 m/s the next held activity
    takes hold (its speed goes into the vehicle, an event says how much); at 1.5 m/s, past
    the rail in one step, the hand cannot stop it: adrift."""

    def drift(push):
        def more(d):
            d["crew"][0].pop("tether_length_m", None)
            d["timeline"]["ev1"][5] = {
                "activity": "free-float",
                "label": "let go",
                "duration_min": 1 / 6,  # one 10 s step
                "push_m_s": [0.0, 0.0, -push],  # back along the rail
            }

        return simulate(_routes_scenario(emu_toml, more))

    slow = drift(0.05)
    grab = slow.events[slow.events.code == "take-hold"]
    assert len(grab) == 1 and grab.iloc[0]["crew"] == "ev1"
    assert "0.05 m/s" in grab.iloc[0]["message"]
    assert slow.summary["crew"]["ev1"]["outcome"] == "completed"
    fast = drift(1.5)
    assert fast.summary["crew"]["ev1"]["outcome"] == "adrift"
    assert not (fast.events.code == "take-hold").any()
