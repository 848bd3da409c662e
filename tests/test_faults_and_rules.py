"""Faults, flight rules and ingress: water intrusion (EVA 23), Leonov's ballooned suit."""

import numpy as np
import pytest

from spacewalk import SUITS, simulate
from spacewalk.physics.lifesupport import envelope_m, fits_hatch
from spacewalk.units import PA_PER_ATM, PA_PER_PSI

from .helpers import edited


def test_water_intrusion_raises_caution_and_abort_and_grows_at_its_rate(emu_toml):
    # EVA 23 (reference-data 4): water from ~44 min; 1-1.5 L by helmet removal
    def edit(d):
        d["faults"] = [{"kind": "water-intrusion", "crew": "ev1", "at_min": 120, "rate_mL_min": 30}]

    res = simulate(edited(emu_toml, edit))
    ev = res.events
    ev1 = ev[ev.crew == "ev1"]
    fault = ev1[ev1.message.str.contains("FAULT water intrusion")]
    caution = ev1[ev1.message.str.contains("CAUTION helmet-water")]
    abort = ev1[ev1.message.str.startswith("ABORT")]
    assert len(fault) == 1 and fault.t_s.iloc[0] == 7200
    # caution at 0.05 L: 1.67 min after the fault at 30 mL/min (one step of tolerance)
    assert caution.t_s.iloc[0] == pytest.approx(7200 + 0.05 / 0.030 * 60, abs=10)
    assert abort.t_s.iloc[0] == pytest.approx(7200 + 0.3 / 0.030 * 60, abs=10)
    assert caution.severity.iloc[0] == "caution" and "warning" in set(ev1.severity)
    tel = res.telemetry[res.telemetry.crew == "ev1"].set_index("t_s")
    rate_L_min = (tel.helmet_water_L[7200 + 600] - tel.helmet_water_L[7200 + 300]) / 5.0
    assert rate_L_min == pytest.approx(0.030, rel=1e-9)
    s = res.summary
    assert s["crew"]["ev1"]["outcome"] == "aborted"
    # the EVA ends for the partner too: EVA 23's Cassidy followed Parmitano in (reference-data 4)
    assert s["crew"]["ev2"]["outcome"] == "terminated"
    partner = ev[(ev.crew == "ev2") & ev.message.str.startswith("TERMINATE with the crew")]
    assert partner.t_s.iloc[0] == abort.t_s.iloc[0]
    assert s["outcome"] == "aborted"
    # after the abort he is back inside well before the planned end
    back = ev1[ev1.message.str.startswith("INGRESS")].t_s.iloc[0]
    assert back < abort.t_s.iloc[0] + 15 * 60


def test_berkut_balloons_past_the_volga_at_040_atm_but_fits_at_027():
    # reference-data 5: Berkut 0.40 atm nominal, 0.27 atm setting; Volga 1.0 m internal
    b = SUITS["berkut"]

    def at(atm):
        return envelope_m(
            atm * PA_PER_ATM / 1000, b["envelope_m"], b["envelope_compliance_m_per_kPa"]
        )

    assert not fits_hatch(at(0.40), 1.0)
    assert fits_hatch(at(0.27), 1.0)


VOLGA = """
[scenario]
name = "volga-test"
start_utc = "1965-03-18T08:30:00Z"
[orbit]
perigee_km = 167
apogee_km = 475
inclination_deg = 64.8
[engine]
dt_s = 5.0
record_every_s = 5.0
max_duration_h = 2.0
[vehicle]
hatch_diameter_m = 1.0
[vehicle.cabin]
volume_m3 = 5.0
pressure_psi = 14.7
vent_diameter_cm = 1.0
repress_flow_kg_min = 1.0
[vehicle.airlock]
volume_m3 = 2.5
pressure_psi = 14.7
vent_diameter_cm = 2.5
repress_flow_kg_min = 1.0
[[crew]]
id = "leonov"
role = "eva"
suit = "berkut"
[[timeline.leonov]]
activity = "suit-up"
duration_min = 5
[[timeline.leonov]]
activity = "enter-airlock"
duration_min = 2
[[timeline.leonov]]
activity = "depress"
to_psi = 0.1
[[timeline.leonov]]
activity = "egress"
duration_min = 1
range_m = 5
[[timeline.leonov]]
activity = "task"
duration_min = 10
[[timeline.leonov]]
activity = "ingress"
duration_min = 2
[[timeline.leonov]]
activity = "hatch-close"
duration_min = 1
[[timeline.leonov]]
activity = "repress"
to_psi = 14.0
[[flight_rules]]
id = "ingress-blocked"
channel = "ingress_blocked_min"
above = 2.0
action = "lower-suit-pressure"
message = "cannot fit through the hatch: bleed the suit to its low setting"
"""


def test_ingress_blocked_until_the_suit_is_vented_and_tissue_ratio_jumps():
    from spacewalk import parse_toml

    res = simulate(parse_toml(VOLGA))
    ev = res.events
    blocked = ev[ev.message.str.startswith("INGRESS BLOCKED")]
    lowered = ev[ev.message.str.contains("suit pressure lowered")]
    inside = ev[ev.message.str.startswith("INGRESS: back inside")]
    assert len(blocked) == 1 and len(lowered) == 1 and len(inside) == 1
    assert blocked.t_s.iloc[0] < lowered.t_s.iloc[0] < inside.t_s.iloc[0]
    assert lowered.t_s.iloc[0] - blocked.t_s.iloc[0] == pytest.approx(120, abs=10)
    tel = res.telemetry.set_index("t_s")
    before, after = lowered.t_s.iloc[0] - 5, lowered.t_s.iloc[0] + 5
    # the suit drops from 0.40 to 0.27 atm and the tissue ratio jumps by 0.40/0.27
    assert tel.p_suit_kPa[before] == pytest.approx(0.40 * 101.325, rel=1e-3)
    assert tel.p_suit_kPa[after] == pytest.approx(0.27 * 101.325, rel=1e-3)
    ratio = tel.tissue_ratio[after] / tel.tissue_ratio[before]
    assert ratio == pytest.approx(0.40 / 0.27, rel=0.01)
    assert res.summary["outcome"] == "completed"


def test_gas_cooled_suit_stores_heat_far_beyond_its_cooling():
    from spacewalk import parse_toml

    text = VOLGA.replace(
        'activity = "task"\nduration_min = 10',
        'activity = "task"\nduration_min = 10\nmetabolic_W = 700',
    )
    res = simulate(parse_toml(text))
    peak = res.summary["crew"]["leonov"]["peaks"]
    # Berkut removes ~8 W sensible + ~73 W by evaporation (presets, C); at 700 W for 10 min
    # most of the heat is stored: of the order of Leonov's documented +1.8 C (reference-data 5)
    assert peak["core_temp_rise_C"] > 1.0
    assert peak["fog_index"] > 1.0
    assert np.isfinite(peak["heat_storage_kJ"])


# ---------------------------------------------------------------- scoped to each EVA


def test_a_fan_failure_outside_fogs_the_visor_opens_the_purge_and_aborts(emu_toml):
    """The EMU's fan, pump and water separator share one motor (the FPS of the EVA 23
    mishap report, reference-data 4): when it stops, the vent loop stands still (the helmet
    gas saturates and the visor fogs; no gas carries the CO2 to the canister), and the
    cooling water stops. The standard rules answer as the EMU's procedure does: the purge
    valve flushes the helmet with open-loop O2 on the secondary, and the secondary in use is
    an abort to the airlock."""

    def edit(d):
        d["faults"] = [{"kind": "fan-failure", "crew": "ev1", "at_min": 120}]

    res = simulate(edited(emu_toml, edit))
    ev = res.events
    ev1 = ev[ev.crew == "ev1"]

    def first(code, subject=None):
        rows = ev1[(ev1.code == code) & ((ev1.subject == subject) if subject else True)]
        return rows.t_s.iloc[0]

    fault = first("fault-fan")
    assert fault == 7200
    assert first("rule-caution", "visor-fog") == fault  # a still gas saturates at once
    assert fault < first("rule-caution", "co2-high") < first("purge-opened")
    # the purge valve's flow is the secondary's purge mode: in use at once, an abort at once
    assert first("purge-opened") <= first("switched-to-secondary") <= first("abort")
    assert first("abort") < first("ingress")
    tel = res.telemetry[res.telemetry.crew == "ev1"].set_index("t_s")
    assert tel.cooling_W[fault + 60] == 0.0  # the pump is on the same motor
    assert tel.ppco2_mmHg.max() < 30.0  # the purge holds the helmet CO2
    # and its dry O2 takes the sweat overboard: without it the core climbs 1.7 C by ingress
    assert tel.core_temp_rise_C.max() < 0.5
    s = res.summary
    assert s["crew"]["ev1"]["outcome"] == "aborted"
    assert s["crew"]["ev2"]["outcome"] == "terminated"
    assert res.telemetry[res.telemetry.crew == "ev2"].fog_index.max() < 1.0


def _one_ev_with_iv_inside(emu_toml, faults):
    """emu-nominal with EV2 gone and an IV crew member resting in the cabin."""

    def edit(d):
        d["crew"] = [c for c in d["crew"] if c["id"] == "ev1"]
        d["crew"].append({"id": "iv", "name": "IV", "role": "inside"})
        del d["timeline"]["ev2"]
        for a in d["timeline"]["ev1"]:
            a.pop("after", None)
        d["timeline"]["iv"] = [{"activity": "rest", "label": "in the cabin", "duration_min": 400}]
        d["faults"] = faults

    return simulate(edited(emu_toml, edit))


def test_the_crew_inside_come_for_a_crew_member_collapsed_alone_in_the_airlock(emu_toml):
    """EV1's cooling fails; he terminates, gets in alone and collapses of heat in the airlock
    during his own repress, which stops with him. Before, nobody could reach him: the IV
    crew member in the cabin sat beside a half-repressed lock while he died of
    hyperthermia. Now the IV opens the inner hatch's equalisation valve (the gas physics
    brings the lock to the cabin's pressure) and, 9 min after the pressures are equal (ISS
    EVA 23: repress end to helmet off, reference-data 4), has him in the cabin, suit off."""
    res = _one_ev_with_iv_inside(
        emu_toml,
        [{"kind": "cooling-failure", "crew": "ev1", "at_min": 70, "remaining_fraction": 0.0}],
    )
    ev = res.events
    ev1 = ev[ev.crew == "ev1"]
    down = ev1[ev1.code == "incapacitated"].t_s.iloc[0]
    helped = ev1[ev1.code == "helped-in"]
    assert list(helped.subject) == ["iv"]
    tel = res.telemetry[res.telemetry.crew == "ev1"].set_index("t_s")
    assert tel.location[tel.index >= down].iloc[0] == "airlock"
    cabin = res.telemetry[res.telemetry.crew == "iv"].set_index("t_s").p_ambient_kPa
    # the lock was equalised with the cabin, then the 9 minutes
    equal = tel.index[(tel.index > down) & (abs(tel.p_ambient_kPa - cabin) < 0.7)][0]
    assert helped.t_s.iloc[0] == pytest.approx(equal + 540.0, abs=30.0)
    after = tel[tel.index > helped.t_s.iloc[0] + 60]
    assert (after.location == "cabin").all() and not after.suited.any()
    assert not ev.code.str.startswith("loss-of-crew").any()
    assert after.core_temp_rise_C.iloc[-1] < 1.0  # the cabin takes his heat


def test_the_dead_make_no_heat_and_use_no_o2(emu_toml):
    # a 10 mm hole: loss of crew outside (test_physiology); from then on his metabolism is nil
    res = simulate(
        edited(
            emu_toml,
            lambda d: d.update(
                faults=[
                    {"kind": "suit-leak", "crew": "ev1", "at_min": 120, "hole_diameter_mm": 10}
                ],
                flight_rules=[],
            ),
        )
    )
    ev = res.events
    lost = ev[(ev.crew == "ev1") & ev.code.str.startswith("loss-of-crew")].t_s.iloc[0]
    tel = res.telemetry[res.telemetry.crew == "ev1"]
    dead = tel[tel.t_s > lost]
    assert len(dead) and (dead.metabolic_W == 0.0).all()
    assert (tel[tel.t_s < lost].metabolic_W > 0.0).all()


def test_cartridges_spent_in_the_airlock_stop_the_eva_before_it_begins(emu_toml):
    """Both CO2 cartridges spent during the depress: the purge opens on the secondary O2,
    and the secondary in use stops the EVA where it is, in the airlock (it repressed, the
    suits come off). Before, the rule watched only outside: the crew emptied their O2 on the
    purge in the airlock, went out anyway and died there."""

    def edit(d):
        d["faults"] = [
            {"kind": "scrubber-exhausted", "crew": c, "at_min": 25.0} for c in ("ev1", "ev2")
        ]

    res = simulate(edited(emu_toml, edit))
    ev = res.events
    assert not (ev.code == "egress").any()
    assert ((ev.code == "rule-warning") & (ev.subject == "secondary-o2")).sum() >= 1
    assert not ev.code.str.startswith("loss-of-crew").any()
    tel = res.telemetry
    assert (tel.location != "outside").all()
    assert not tel[tel.t_s == tel.t_s.max()].suited.any()


def test_eva_23_keeps_every_standard_rule():
    """ISS EVA 23 writes out the standard rules to change one threshold (the water abort); a
    rule added to the standard set must reach it too (the purge valve once did not, and a
    stopped fan there ended in loss of crew with the purge never opened)."""
    from spacewalk.scenario.rules import STANDARD_RULES

    own = {r["id"] for r in _library("iss-eva-23-2013")["flight_rules"]}
    assert own == {r["id"] for r in STANDARD_RULES}


def _library(name: str) -> dict:
    import tomllib

    from spacewalk.scenario import library_dir

    return tomllib.loads((library_dir() / f"{name}.toml").read_text(encoding="utf-8"))


def _run(data: dict):
    import tomli_w

    from spacewalk import parse_toml

    return simulate(parse_toml(tomli_w.dumps(data), "edited"))


def test_rules_rearm_at_each_eva_and_nobody_is_lost():
    """STS-88 with its task workloads doubled: before, the O2-margin rule fired in EVA 1
    only; EVA 2 ran out of primary O2 outside and EVA 3 lost both crew. Each EVA is now
    terminated on its own margin, and everyone comes home."""
    d = _library("sts-88-1998")
    for acts in d["timeline"].values():
        for a in acts:
            if a["activity"] == "task":
                a["metabolic_W"] *= 2
    res = _run(d)
    ev = res.events
    for crew in ("ross", "newman"):
        mine = ev[ev.crew == crew]
        egress = mine[mine.code == "egress"].t_s.to_numpy()
        caution = mine[(mine.code == "rule-caution") & (mine.subject == "o2-margin")].t_s.to_numpy()
        terminate = mine[mine.code == "terminate"].t_s.to_numpy()
        assert len(egress) == 3 and len(caution) == 3 and len(terminate) == 3
        # one caution and one terminate inside each EVA, after its egress
        assert all(egress[i] < caution[i] <= terminate[i] for i in range(3))
        assert all(terminate[i] < egress[i + 1] for i in range(2))
        assert res.summary["crew"][crew]["outcome"] == "terminated"
    assert not ev.code.str.startswith("loss-of-crew").any()


def test_a_fault_ends_with_its_eva():
    """Water into Ross's helmet during STS-88's first EVA: before, it kept flowing through
    EVAs 2 and 3 with no new alarm. It stops when his helmet comes off."""
    d = _library("sts-88-1998")
    d["faults"] = [{"kind": "water-intrusion", "crew": "ross", "at_min": 120, "rate_mL_min": 10}]
    res = _run(d)
    ev = res.events
    ross = ev[ev.crew == "ross"]
    second_egress = ross[ross.code == "egress"].t_s.to_numpy()[1]
    tel = res.telemetry[res.telemetry.crew == "ross"]
    later = tel[tel.t_s >= second_egress]
    assert later.helmet_water_L.max() == 0.0
    assert (tel[tel.t_s < second_egress].helmet_water_L.max()) > 0.3  # the first EVA's abort
    assert len(ross[ross.code == "abort"]) == 1
    # the second EVA runs its course: no alarm on helmet water outside the first
    water = ross[ross.subject.isin(["helmet-water", "helmet-water-abort"])]
    assert (water.t_s < second_egress).all()


def test_an_abort_ends_the_eva_for_crew_still_in_a_vented_cabin():
    """Polaris Dawn with water into Isaacman's helmet while he is outside: before, Gillis
    went out 8 minutes after the abort. Now he stays in, closes the hatch only once
    Isaacman is back in, and the cabin represses."""
    d = _library("polaris-dawn-2024")
    d.setdefault("faults", []).append(
        {"kind": "water-intrusion", "crew": "isaacman", "at_min": 40, "rate_mL_min": 300}
    )
    res = _run(d)
    ev = res.events
    abort = ev[(ev.crew == "isaacman") & (ev.code == "abort")].t_s.iloc[0]
    gillis = ev[ev.crew == "gillis"]
    assert not (gillis.code == "egress").any()
    assert gillis[gillis.code == "terminate-with-crew"].t_s.iloc[0] == abort
    back_in = ev[(ev.crew == "isaacman") & (ev.code == "ingress")].t_s.iloc[0]
    closed = ev[ev.code == "hatch-closed"].t_s.iloc[0]
    assert abort < back_in <= closed
    assert res.summary["crew"]["gillis"]["outcome"] == "terminated"
    repress = ev[(ev.code == "activity-start") & (ev.subject == "repress")]
    assert set(repress.crew) >= {"gillis", "menon", "poteet"} and (repress.t_s >= closed).all()


def _white_pushes_off(break_at_min: float | None) -> dict:
    """Gemini 4 without the gun: White pushes off at 0.5 m/s after egress, then works held."""
    d = _library("gemini-4-1965")
    white = next(c for c in d["crew"] if c["id"] == "white")
    white.pop("maneuvering_unit", None)
    acts = [a for a in d["timeline"]["white"] if a["activity"] not in ("fly", "free-float")]
    i = next(k for k, a in enumerate(acts) if a["activity"] == "egress")
    push = {"activity": "free-float", "label": "push off", "duration_min": 2.0}
    acts.insert(i + 1, {**push, "push_m_s": [0.5, 0.0, 0.0]})
    d["timeline"]["white"] = acts
    d.pop("documented", None)
    if break_at_min is not None:
        d["faults"] = [
            {"kind": "tether-break", "crew": "white", "at_min": break_at_min, "tether": "umbilical"}
        ]
    return d


def test_a_free_body_out_of_reach_drifts_instead_of_being_pulled_home():
    """Before, the next held activity moved White back along a straight line from 60 m away
    with no propulsion, and the EVA 'completed'. On his umbilical he pulls himself back;
    with it broken and no gun he is adrift, and the events say so. The broken umbilical
    also cuts his O2: the ELSS's 12-minute emergency supply (TIME 1965, M) runs, then
    hypoxia ends him, instead of breathing from the ship on a cut hose."""
    held = _run(_white_pushes_off(None))
    assert held.summary["crew"]["white"]["outcome"] == "completed"
    assert held.summary["crew"]["white"]["motion"]["max_range_m"] < 8.0  # the 7.6 m umbilical
    egress = held.events[(held.events.crew == "white") & (held.events.code == "egress")]
    cut_at = egress.t_s.iloc[0] + 12.0
    cut = _run(_white_pushes_off(cut_at / 60))
    white = cut.events[cut.events.crew == "white"]
    adrift = white[white.code == "adrift"]
    assert len(adrift) == 1 and adrift.severity.iloc[0] == "emergency"
    assert not (white.code == "ingress").any()
    # he keeps drifting: far beyond the umbilical's reach
    assert cut.summary["crew"]["white"]["motion"]["max_range_m"] > 200.0
    secondary = white[white.code == "switched-to-secondary"].t_s.iloc[0]
    assert secondary == pytest.approx(cut_at, abs=10.0)
    empty = white[white.code == "o2-secondary-exhausted"].t_s.iloc[0]
    assert empty - secondary == pytest.approx(12 * 60, abs=60)  # ELSS emergency O2
    assert (white.code == "loss-of-crew-hypoxia").any()
    assert cut.summary["crew"]["white"]["outcome"] == "loss-of-crew"


def test_a_survivor_does_not_wait_for_a_partner_who_cannot_come(emu_toml):
    """A 30-mm hole kills ev2 outside (hypoxia); ev1's hatch-close waits on ev2's ingress, which
    will never come. The wait is released (a caution event says so), ev1 closes the hatch,
    represses and ends the EVA: no deadlock until the time limit, and nobody brought home."""

    def edit(d):
        d["faults"] = [{"kind": "suit-leak", "crew": "ev2", "at_min": 100, "hole_diameter_mm": 30}]

    res = simulate(edited(emu_toml, edit), record=False)
    crew = res.summary["crew"]
    assert crew["ev2"]["outcome"] == "loss-of-crew"
    assert crew["ev1"]["outcome"] == "terminated" and crew["ev1"]["condition"] == "well"
    ev = res.events
    released = ev[ev.code == "wait-released"]
    assert list(released.crew) == ["ev1"] and "ev2" in released.message.iloc[0]
    assert "hatch-closed" in set(ev.code) and "time-limit" not in set(ev.code)
    assert res.summary["sim_duration_min"] < 200


def test_the_survivors_close_a_hatch_its_closer_cannot():
    """Polaris Dawn: Gillis's umbilical breaks as he stands in the vented cabin on his way
    out and, with no secondary O2, he is lost; closing Dragon's hatch was his step. His
    emergency ends Isaacman's EVA (he is on his way out: exposed), the others stop waiting
    for him, the first repress closes the hatch (once Isaacman, who can, is back in), and the
    cabin crew finish; Gillis is not brought back."""
    from spacewalk import load_scenario
    from spacewalk.scenario import scenario_from_mapping, scenario_to_mapping

    m = scenario_to_mapping(load_scenario("polaris-dawn-2024"))
    m["faults"] = [{"kind": "tether-break", "crew": "gillis", "at_min": 40, "tether": "umbilical"}]
    res = simulate(scenario_from_mapping(m, "polaris-umbilical-break"), record=False)
    crew = res.summary["crew"]
    assert crew["gillis"]["outcome"] == "loss-of-crew"
    assert crew["isaacman"]["outcome"] == "terminated"
    assert all(crew[c]["outcome"] == "completed" for c in ("menon", "poteet"))
    ev = res.events
    told = ev[(ev.code == "terminate-with-crew") & (ev.crew == "isaacman")].t_s
    assert told.iloc[0] == ev[ev.code == "fault-tether-break"].t_s.iloc[0]
    assert set(ev[ev.code == "wait-released"].crew) == {"isaacman", "menon", "poteet"}
    closed = ev[ev.code == "hatch-closed"].t_s
    back = ev[(ev.code == "ingress") & (ev.crew == "isaacman")].t_s
    assert len(closed) == 1 and closed.iloc[0] >= back.iloc[0]
    assert "time-limit" not in set(ev.code)


def test_a_leak_in_the_depressing_airlock_stops_the_eva_there_and_represses():
    """A 10-mm hole in Parmitano's suit 30 min into EVA 23, while the crew lock is being
    depressed: before, no rule watched the airlock, Cassidy opened the hatch and worked six
    hours outside while Parmitano died beside the hatch. Now the suit-pressure rule fires
    there, both stand down and the lock is repressed at once (its hatch was never opened,
    so nothing is closed first); the repressed lock is air he can breathe before the 4 min
    without O2 that kill (physiology), so he lives, incapacitated, as the outcome says."""
    d = _library("iss-eva-23-2013")
    d["faults"] = [{"kind": "suit-leak", "crew": "parmitano", "at_min": 30, "hole_diameter_mm": 10}]
    res = _run(d)
    ev = res.events
    fault = ev[ev.code == "fault-suit-leak"].t_s.iloc[0]
    rule = ev[(ev.code == "rule-warning") & (ev.subject == "suit-pressure-low")]
    assert list(rule.crew) == ["parmitano"] and rule.t_s.iloc[0] == fault
    assert not ev.code.isin(["egress", "hatch-open"]).any()
    stood = ev[ev.code == "terminate-with-crew"]
    assert set(stood.crew) == {"parmitano", "cassidy"} and (stood.t_s == fault).all()
    repress = ev[(ev.code == "activity-start") & (ev.subject == "repress")]
    assert (repress.t_s == fault).all() and "cassidy" in set(repress.crew)
    held = ev[(ev.code == "rule-warning") & (ev.subject == "airlock-emergency")]
    assert list(held.crew) == ["parmitano"]  # incapacitated in the airlock: said so
    assert not ev.code.str.startswith("loss-of-crew").any()
    crew = res.summary["crew"]
    assert crew["parmitano"]["outcome"] == "incapacitated"
    assert crew["cassidy"]["outcome"] == "terminated" and crew["cassidy"]["time_outside_min"] == 0
    tel = res.telemetry[res.telemetry.crew == "parmitano"]
    assert tel.p_ambient_kPa.iloc[-1] > 90  # the lock is back near cabin pressure


def test_a_crew_member_incapacitated_in_the_airlock_is_looked_after_and_the_mission_stands_down():
    """STS-88, Ross's cooling gone in the first EVA: heat terminates it and he collapses in
    the airlock after ingress. Before, nobody took his suit off: he sat in it for two days
    until its O2 ran out and he died as the airlock was depressed for EVA 2. Now Newman,
    beside him, takes him into his care: Ross's suit comes off with Newman's, he goes into
    the cabin with him, and lives. With his partner incapacitated Newman does not go out
    alone for EVAs 2 and 3 (no solo EVA; the mission stands down, as it would after a loss)."""
    d = _library("sts-88-1998")
    d["faults"] = [
        {"kind": "cooling-failure", "crew": "ross", "at_min": 60, "remaining_fraction": 0.0}
    ]
    res = _run(d)
    ev = res.events
    ross, newman = ev[ev.crew == "ross"], ev[ev.crew == "newman"]
    down = ross[ross.code == "incapacitated"].t_s.iloc[0]
    care = ross[ross.code == "in-care"]
    assert list(care.subject) == ["newman"] and 0 <= care.t_s.iloc[0] - down <= 30
    assert not ev.code.str.startswith("loss-of-crew").any()
    assert res.summary["crew"]["ross"]["outcome"] == "incapacitated"
    assert len(newman[newman.code == "egress"]) == 1  # EVA 1 only
    stood = newman[newman.code == "stand-down"]
    assert len(stood) == 1 and stood.t_s.iloc[0] > care.t_s.iloc[0]
    assert res.summary["crew"]["newman"]["outcome"] == "terminated"
    tel = res.telemetry[res.telemetry.crew == "ross"]
    later = tel[tel.t_s >= stood.t_s.iloc[0]]
    assert (later.location == "cabin").all() and not later.suited.any()


def test_after_a_loss_of_crew_no_further_eva_begins():
    """STS-61, a 30-mm hole in Akers' suit 2 h into the second EVA: he is lost outside. No
    crew flies an EVA after a fatality, nor alone: Thornton comes in, takes his suit off and
    does not go out for EVA 4, and Musgrave and Hoffman, waiting for EVA 3, stand down.
    Before, the three later EVAs ran as planned, Thornton's alone."""
    d = _library("sts-61-1993")
    d["faults"] = [{"kind": "suit-leak", "crew": "akers", "hole_diameter_mm": 30.0, "at_min": 1594}]
    res = _run(d)
    ev = res.events
    lost = ev[ev.code.str.startswith("loss-of-crew")]
    assert list(lost.crew) == ["akers"]
    t_lost = lost.t_s.iloc[0]
    assert not ((ev.code == "egress") & (ev.t_s > t_lost)).any()
    stood = ev[ev.code == "stand-down"]
    assert sorted(stood.crew) == ["hoffman", "musgrave", "thornton"]
    thornton = ev[ev.crew == "thornton"]
    doff = thornton[(thornton.code == "activity-start") & (thornton.subject == "EVA2: doff")]
    assert stood[stood.crew == "thornton"].t_s.iloc[0] > doff.t_s.iloc[0]  # the EVA finished
    crew = res.summary["crew"]
    assert crew["akers"]["outcome"] == "loss-of-crew"
    assert {crew[c]["outcome"] for c in ("musgrave", "hoffman", "thornton")} == {"terminated"}
    # the run ends the day of the loss, not after EVA 5 three days later
    assert ev.t_s.max() - t_lost < 12 * 3600.0
    assert not ev.code.isin(["time-limit"]).any()
    # his tissues stop at the loss as his peaks do: the summary's P(DCS) lies in its interval
    # (before, his tissues went on in vacuum after the loss, to an interval of 1.0-1.0 beside
    # a peak of 0.994)
    peaks = crew["akers"]["peaks"]
    assert peaks["p_dcs_lo"] < peaks["p_dcs"] < peaks["p_dcs_hi"]
    tel = res.telemetry[(res.telemetry.crew == "akers") & (res.telemetry.t_s > t_lost + 600)]
    assert (tel.p_dcs == tel.p_dcs.iloc[0]).all()


def test_a_stand_down_in_a_cabin_that_vents_keeps_the_crew_in_and_suited():
    """Gemini 12, Aldrin's primary regulator failed between EVAs (a fault stays in the
    suit): on the next EVA day, suited in the cabin, his suit goes to the ELSS's emergency O2
    and the secondary-O2 rule stands the EVA down while both are suited in the cabin.
    Before, the crew member standing down took his helmet off while Lovell, whose timeline
    had no ingress, went on and vented the cabin around him. Now the stand-down takes the
    crew member about to vent the vessel too: both go to the repress, nobody is unsuited in
    vacuum, nobody is lost."""
    d = _library("gemini-12-1966")
    d.pop("documented", None)
    d["faults"] = [{"kind": "regulator-failure", "crew": "aldrin", "at_min": 434.0}]
    res = _run(d)
    ev = res.events
    fired = ev[(ev.code == "rule-warning") & (ev.subject == "secondary-o2")].t_s.iloc[0]
    stood = ev[(ev.code == "terminate-with-crew") & (ev.t_s == fired)]
    assert set(stood.crew) == {"aldrin", "lovell"}
    assert not ev.code.str.startswith("loss-of-crew").any()
    tel = res.telemetry
    assert not ((~tel.suited) & (tel.p_ambient_kPa < 20)).any()


def test_nobody_vents_a_vessel_with_someone_unsuited_in_it(emu_toml):
    """A third crew member, unsuited, follows the EVA crew into the airlock and stays: the
    depress does not start (a warning says why), the hatch never opens, nobody is hurt."""

    def edit(d):
        d["crew"].append({"id": "iv", "role": "inside"})
        d["timeline"]["iv"] = [{"activity": "enter-airlock", "duration_min": 5}]
        d["engine"]["max_duration_h"] = 2.0

    res = simulate(edited(emu_toml, edit))
    ev = res.events
    held = ev[ev.code == "depress-held"]
    assert set(held.crew) == {"ev1", "ev2"} and set(held.subject) == {"airlock"}
    assert not ev.code.isin(["hatch-open", "egress", "impaired", "incapacitated"]).any()
    tel = res.telemetry
    assert tel.p_airlock_kPa.min() == pytest.approx(14.7 * PA_PER_PSI / 1000, rel=1e-9)


def test_a_failed_primary_regulator_is_the_sops_case_an_abort_not_a_death():
    """STS-102, Voss's primary O2 regulator fails 9 m from the hatch. The EMU's secondary
    oxygen pack has its own regulator: it holds the suit, the secondary-O2 rule aborts the
    EVA, and both come back well (before, the fault cut both stages: Voss died of hypoxia
    in the airlock). A suit with no secondary (SpaceX's, on Polaris Dawn) still loses its
    makeup O2: tests/test_physiology.py."""
    d = _library("sts-102-2001")
    d.pop("documented", None)
    d["faults"] = [{"kind": "regulator-failure", "crew": "voss", "at_min": 120.0}]
    res = _run(d)
    ev = res.events
    switched = ev[(ev.code == "switched-to-secondary") & (ev.crew == "voss")].t_s
    assert list(switched) == [7200.0]
    assert ev[(ev.code == "abort") & (ev.crew == "voss")].t_s.iloc[0] > 7200.0
    assert res.summary["crew"]["voss"]["outcome"] == "aborted"
    assert {c["condition"] for c in res.summary["crew"].values()} == {"well"}
    tel = res.telemetry
    voss = tel[(tel.crew == "voss") & (tel.t_s >= 7200.0) & tel.suited]
    assert voss.p_suit_kPa.min() == pytest.approx(4.3 * PA_PER_PSI / 1000, rel=0.02)


def test_the_one_who_comes_back_alone_closes_the_hatch_though_more_evas_are_planned():
    """STS-61, its second EVA: a 30-mm hole in Akers's suit 2 h in. He is lost outside
    before Thornton reaches him; Thornton comes back in alone. Before, the crew's later
    EVAs (each with a hatch-close of its own) counted as someone still to close this hatch:
    Thornton's repress never closed it, and he sat in the open airlock until his battery
    and CO2 cartridge ran out nine hours later and died of hypercapnia. The hatch-close that
    counts is one in the EVA a crew member is in: he closes it, the lock represses and he
    lives; the body stays outside (no script brings it in)."""
    d = _library("sts-61-1993")
    d["faults"] = [{"kind": "suit-leak", "crew": "akers", "at_min": 1594, "hole_diameter_mm": 30}]
    res = _run(d)
    crew = res.summary["crew"]
    assert crew["akers"]["outcome"] == "loss-of-crew"
    assert crew["thornton"]["outcome"] == "terminated"
    assert crew["thornton"]["condition"] == "well"
    ev = res.events
    lost = ev[ev.code.str.startswith("loss-of-crew") & (ev.crew == "akers")].t_s.iloc[0]
    closed = ev[(ev.code == "hatch-closed") & (ev.t_s > lost)]
    assert len(closed) and closed.t_s.iloc[0] < lost + 30 * 60  # within half an hour
    # an hour later he breathes the cabin's air: the staged Shuttle cabin's 10.2 psi
    tel = res.telemetry
    hour = (tel.t_s > lost + 3600) & (tel.t_s < lost + 2 * 3600)
    him = tel[hour & (tel.crew == "thornton")].p_ambient_kPa.to_numpy()
    cabin = tel[hour & (tel.crew == "musgrave")].p_ambient_kPa.to_numpy()
    assert len(him) and him == pytest.approx(cabin, rel=1e-3)
    assert cabin == pytest.approx(np.full(len(cabin), 10.2 * PA_PER_PSI / 1000), rel=0.01)
