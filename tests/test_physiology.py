"""Physiology that can fail, against its sources: the FAA's time of useful consciousness, the
alveolar gas equation, the CO2 exposure studies, core temperature and EVA 23's helmet water;
and the suit's gas against flow physics when a hole opens outside."""

import tomllib
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from spacewalk import load_scenario, parse_toml, simulate
from spacewalk.physics import physiology as phys
from spacewalk.scenario.load import scenario_to_mapping
from spacewalk.sim.subsystems import physiology

EMU = Path(__file__).parent / "data" / "emu-nominal.toml"
FT = 0.3048


def _isa_mmHg(ft):
    """ICAO standard atmosphere (troposphere; isothermal above 11 km), written out here."""
    h = ft * FT
    if h <= 11000:
        return (
            101325
            * (1 - 0.0065 * h / 288.15) ** (9.80665 * 0.0289644 / (8.31446 * 0.0065))
            / 133.322
        )
    p11 = 101325 * (1 - 0.0065 * 11000 / 288.15) ** 5.25588
    return p11 * np.exp(-9.80665 * 0.0289644 * (h - 11000) / (8.31446 * 216.65)) / 133.322


@pytest.mark.parametrize(
    "ft, lo_s, hi_s",
    [(22000, 300, 600), (25000, 180, 360), (30000, 60, 180), (35000, 30, 60), (40000, 15, 20)],
)
def test_time_of_useful_consciousness_falls_in_the_faa_range(ft, lo_s, hi_s):
    """FAA table (AC 61-107, as tabulated in Wikipedia, M): at the inspired O2 of air at each
    altitude, humidified at 37 C (47 mmHg), the model's TUC lies in the published range."""
    pio2 = 0.2095 * (_isa_mmHg(ft) - 47.0)
    assert lo_s <= float(phys.time_of_useful_consciousness_s(pio2)) <= hi_s


def test_a_pure_o2_suit_at_2_5_psi_is_air_at_15000_ft():
    """Alveolar gas equation's inspired term: 2.5 psia of O2 (129 mmHg) gives PiO2 82 mmHg,
    the same as air at 15,000 ft, where the FAA table has no loss of useful consciousness."""
    pio2 = phys.inspired_o2_mmHg(2.5 * 6894.757, 1.0)
    assert float(pio2) == pytest.approx(0.2095 * (_isa_mmHg(15000) - 47.0), abs=2.5)
    assert np.isinf(phys.time_of_useful_consciousness_s(pio2 + 1.0))
    # below the 14,000 ft level, flight crews must breathe O2 (14 CFR 91.211): impaired
    at_14000_ft = 0.2095 * (_isa_mmHg(14000) - 47.0)
    assert abs(phys.HYPOXIA_IMPAIRED_PIO2_MMHG - at_14000_ft) < 0.5


def _run(pio2, ppco2, core=0.0, water=0.0, seconds=3600.0, dt=10.0):
    """Drive the physiology subsystem alone at constant exposures; the times of its events."""
    plan_like = type("P", (), {"runs": 1, "crew_ids": ["a"]})
    s = physiology.init(plan_like)
    live = np.ones((1, 1), dtype=bool)
    times = {}
    for k in range(int(seconds / dt)):
        s, ev = physiology.step(
            s,
            np.full((1, 1), pio2),
            np.full((1, 1), ppco2),
            np.full((1, 1), core),
            np.full((1, 1), water),
            live,
            k * dt,
            dt,
        )
        for e in ev:
            times.setdefault(e.code, (k + 1) * dt)
    return s, times


def test_ten_percent_co2_incapacitates_within_fifteen_minutes():
    """CO2 exposure studies (CCOHS summary, L-M): at 10 % (76 mmHg) excitation at 1.5 min and
    loss of consciousness within 15 min; 6.5 % (49 mmHg) lowers performance within 20 min."""
    _, times = _run(170.0, 0.10 * 760)
    assert times["impaired"] == pytest.approx(90.0, abs=10.0)
    assert times["incapacitated"] == pytest.approx(900.0, abs=10.0)
    _, times = _run(170.0, 0.065 * 760, seconds=1800)
    assert times["impaired"] == pytest.approx(1200.0, abs=10.0)
    assert "incapacitated" not in times
    _, times = _run(170.0, 0.04 * 760)  # 30 mmHg for an hour: no effect in these sources
    assert not times


def test_hypoxia_incapacitates_at_the_tuc_and_kills_four_minutes_later():
    s, times = _run(phys.inspired_o2_mmHg(1.3 * 6894.757, 1.0), 6.0, seconds=600)
    assert times["impaired"] == 10.0
    assert times["incapacitated"] <= 30.0  # TUC between 35,000 and 40,000 ft: 15-60 s
    assert times["loss-of-crew-hypoxia"] == pytest.approx(times["incapacitated"] + 240.0, abs=10)
    assert s.dead[0, 0] and physiology.CAUSES[s.cause[0, 0]] == "hypoxia"


@pytest.mark.parametrize(
    "core, water, worst, cause",
    [
        (2.1, 0.0, "impaired", "hyperthermia"),  # 39.1 C: heat exhaustion (L)
        (3.1, 0.0, "incapacitated", "hyperthermia"),  # 40.1 C: heat stroke (L)
        (-2.1, 0.0, "impaired", "hypothermia"),  # 34.9 C: hypothermia (M)
        (0.0, 1.2, "impaired", "helmet-water"),  # EVA 23: 1-1.5 L, eyes and ears (MIB, H)
        (0.0, 2.1, "incapacitated", "helmet-water"),  # nose and mouth under water (C/NF)
        (1.0, 0.2, "well", None),
    ],
)
def test_heat_cold_and_water_thresholds(core, water, worst, cause):
    s, _ = _run(170.0, 3.0, core=core, water=water, seconds=60)
    assert physiology.CONDITIONS[s.worst[0, 0]] == worst
    assert (physiology.CAUSES[s.cause[0, 0]] if s.cause[0, 0] >= 0 else None) == cause


def _emu_with(faults):
    data = tomllib.loads(EMU.read_text())
    data["faults"] = faults
    return simulate(parse_toml(tomli_w.dumps(data)))


def test_a_10_mm_hole_outside_ends_as_a_flight_controller_would_see_it():
    """An EMU holed (10 mm) two hours in: the pressure falls within a step to where the
    regulators' flow meets the hole's choked flow, the pressure rule aborts, the crew member
    loses useful consciousness in seconds; the partner sets off to rescue them, reaches them
    and is tethering them when they die, 4 min after losing consciousness (the TUC and the
    4-minute loss of crew of the physiology model), and goes back alone; the partner is
    well."""
    res = _emu_with(
        [{"kind": "suit-leak", "crew": "ev1", "at_min": 120.0, "hole_diameter_mm": 10.0}]
    )
    ev = res.events
    codes = list(ev[ev.crew == "ev1"].code)
    for code in (
        "fault-suit-leak",
        "switched-to-secondary",
        "abort",
        "incapacitated",
        "loss-of-crew-hypoxia",
    ):
        assert code in codes
    ev1 = res.telemetry[res.telemetry.crew == "ev1"].set_index("t_s")
    assert ev1.p_suit_kPa.loc[7170.0] == pytest.approx(29.65, abs=0.01)
    assert ev1.p_suit_kPa.loc[7230.0] < 10.0
    crew = res.summary["crew"]
    assert crew["ev1"]["outcome"] == "loss-of-crew" and crew["ev1"]["condition_cause"] == "hypoxia"
    ev2 = list(ev[ev.crew == "ev2"].code)
    assert ev2.index("rescue") < ev2.index("rescue-reached") < ev2.index("rescue-late")
    # no script brings the body home: after the loss it stays where the rescuer left it
    t_lost = ev[(ev.crew == "ev1") & (ev.code == "loss-of-crew-hypoxia")].t_s.iloc[0]
    after = ev1.range_m.loc[t_lost + 30 :]
    assert after.max() - after.min() < 1e-9 and after.iloc[0] > 30.0
    assert res.summary["crew"]["ev2"]["outcome"] == "terminated"
    # the time to 2.5 psi: within the step the hole opens (time constant ~5 s at 10 mm)
    assert crew["ev1"]["suit_pressure_low_min"]["2.5 psi"] == 120.0
    assert crew["ev2"]["condition"] == "well"


def test_a_4_mm_hole_is_held_on_the_secondary_and_the_eva_aborts():
    """A 4 mm hole (2.4 kg/h) is just beyond the primary regulator: the secondary comes on,
    the pressure holds, the secondary-O2 rule aborts the EVA within a minute; when the
    primary is empty the secondary alone holds 4 psi, above the 3.0 psi abort line."""
    res = _emu_with(
        [{"kind": "suit-leak", "crew": "ev1", "at_min": 120.0, "hole_diameter_mm": 4.0}]
    )
    ev = res.events
    after = ev[(ev.crew == "ev1") & (ev.t_s >= 7200) & (ev.t_s <= 7260)]
    assert {"fault-suit-leak", "switched-to-secondary", "abort"} <= set(after.code)
    crew = res.summary["crew"]["ev1"]
    assert crew["outcome"] == "aborted" and crew["condition"] == "well"
    p = res.telemetry[res.telemetry.crew == "ev1"].set_index("t_s").p_suit_kPa
    assert p.loc[7200.0:7800.0].min() == pytest.approx(29.65, abs=0.01)
    assert p.min() > 20.7
    low = crew["suit_pressure_low_min"]
    assert low["below set"] > 120.0 + 10 and low["3.5 psi"] is None and low["2.5 psi"] is None


def test_leonov_is_reported_impaired_not_a_green_completed():
    """Voskhod 2: Leonov got back in (completed), but hot (about +1.8 C, reference-data 5) and
    working hard at 0.27 atm: the summary says the crew was impaired."""
    res = simulate(load_scenario("voskhod-2-1965"))
    assert res.summary["outcome"] == "completed"
    assert res.summary["condition"] == "impaired"
    assert "CREW IMPAIRED" in res.text()


def test_a_spent_scrubber_without_purge_is_bounded_and_incapacitates():
    """No flight rules: the loop's CO2 climbs at the metabolic rate, never above the suit's
    pressure less its water vapour, displaces the O2 and incapacitates (CO2 exposure times);
    nothing rescues the crew member."""
    data = tomllib.loads(EMU.read_text())
    data["faults"] = [{"kind": "scrubber-exhausted", "crew": "ev1", "at_min": 60}]
    data["flight_rules"] = []
    res = simulate(parse_toml(tomli_w.dumps(data)))
    ev1 = res.telemetry[res.telemetry.crew == "ev1"]
    assert (ev1.ppco2_mmHg <= ev1.p_suit_kPa * 7.50062 - 47.0 + 1e-6).all()
    crew = res.summary["crew"]["ev1"]
    assert crew["condition"] == "incapacitated" and crew["condition_cause"] == "hypercapnia"


def test_the_default_rules_open_the_purge_and_abort_on_a_spent_scrubber():
    """With the standard rules the purge valve opens at 20 mmHg (open loop on the O2 supply),
    the CO2 stays below the level that impairs, the secondary's use aborts the EVA."""
    data = tomllib.loads(EMU.read_text())
    data["faults"] = [{"kind": "scrubber-exhausted", "crew": "ev1", "at_min": 120}]
    res = simulate(parse_toml(tomli_w.dumps(data)))
    codes = list(res.events[res.events.crew == "ev1"].code)
    assert codes.index("purge-opened") < codes.index("abort")
    ev1 = res.telemetry[res.telemetry.crew == "ev1"]
    assert ev1.ppco2_mmHg.max() < 0.065 * 760  # below the 6.5 % that impairs
    assert res.summary["crew"]["ev1"]["outcome"] == "aborted"


def test_the_run_goes_on_while_a_helpless_crew_member_inside_is_still_exposed():
    """Polaris Dawn with every suit's O2 makeup failed during the EVA (a common cause on
    Dragon's umbilicals): the crew are brought in and the cabin repressed, but the closed
    suits get no fresh gas, so their CO2 climbs and their O2 falls. The run does not stop
    when the last of them is incapacitated (which would report them alive): it goes on
    while anyone helpless is exposed, and hypoxia kills four minutes after incapacitation
    (physics.physiology.ANOXIA_LETHAL_S), so the outcome is a loss of crew."""
    sc = load_scenario("polaris-dawn-2024")
    data = tomllib.loads(tomli_w.dumps(scenario_to_mapping(sc)))
    data["faults"] = [
        {"kind": "regulator-failure", "crew": m.id, "at_min": 30.0} for m in sc.crew if m.suit
    ]
    data.pop("documented", None)
    res = simulate(parse_toml(tomli_w.dumps(data)))
    ev = res.events
    incap = ev[ev.code == "incapacitated"]
    lost = ev[ev.code == "loss-of-crew-hypoxia"]
    assert set(incap.crew) == set(lost.crew) == {m.id for m in sc.crew}
    for c in lost.crew:  # each dies after the lethal time of hypoxia, not at incapacitation
        assert lost[lost.crew == c].t_s.iloc[0] >= incap[incap.crew == c].t_s.iloc[0] + 240.0
    assert res.summary["outcome"] == "loss-of-crew"
    last = res.telemetry[res.telemetry.t_s == res.telemetry.t_s.max()]
    assert (last.p_ambient_kPa > 30).all()  # the cabin was repressed: the suits are the cause


def test_what_still_counts_as_exposed():
    """The other side of the run's end: breathing enough O2 and little CO2, at a bearable
    temperature, with a dry helmet, nothing worse can happen (the doses only fade); any one
    hazard keeps the run going (test_outside.py: a rescued crew member out of the suit ends
    the run once the heat is shed)."""
    assert not physiology.exposed(150.0, 5.0, 0.5, 0.0)  # sea-level air
    assert physiology.exposed(60.0, 5.0, 0.5, 0.0)  # hypoxic (air at 20,000 ft: 63 mmHg)
    assert physiology.exposed(150.0, 50.0, 0.5, 0.0)  # 6.5 % CO2: a dose toward impairment
    assert physiology.exposed(150.0, 5.0, 2.5, 0.0)  # +2.5 C: impaired by heat
    assert physiology.exposed(150.0, 5.0, 0.5, 1.5)  # 1.5 L in the helmet (EVA 23's)


def test_a_cabin_too_thin_to_breathe_is_said_at_load():
    """The crew start in the cabin without suits. Gemini's 5.1-psi pure-O2 cabin and
    Dragon's 8.6 psi at 35 % O2 are fine; a 5-psi cabin of air gives 0.21 x (259 - 47) = 44
    mmHg of inspired O2 (air at about 25,000 ft), below the 84 mmHg of air at 14,000 ft."""
    from spacewalk.sim.advice import cabin_advisories

    assert cabin_advisories(load_scenario("gemini-4-1965")) == []
    assert cabin_advisories(load_scenario("polaris-dawn-2024")) == []
    data = tomllib.loads(EMU.read_text())
    data["vehicle"]["cabin"]["pressure_psi"] = 5.0
    data["vehicle"]["cabin"]["o2_fraction"] = 0.21
    (line,) = cabin_advisories(parse_toml(tomli_w.dumps(data)))
    assert "44 mmHg" in line and "vehicle.cabin.pressure_psi" in line


def test_water_over_the_nose_and_mouth_drowns_four_minutes_after_incapacitation():
    """Water fills ev1's helmet at 300 mL/min with no abort: impaired at 1 L, incapacitated at
    2 L (the water over the nose and mouth), then no gas reaches the lungs and it is loss of
    crew after the same 4 min as anoxia (physics.physiology.ANOXIA_LETHAL_S). The inspired
    O2 of the suit's gas stays normal throughout: it is the water, not the gas."""
    data = tomllib.loads(EMU.read_text())
    data["faults"] = [{"kind": "water-intrusion", "crew": "ev1", "at_min": 120, "rate_mL_min": 300}]
    data["flight_rules"] = []
    res = simulate(parse_toml(tomli_w.dumps(data)))
    ev = res.events[res.events.crew == "ev1"].set_index("code")
    t_fault = 120 * 60.0
    # 1 L and 2 L of 300 mL/min, within a step (the water reaches the helmet as it leaks)
    assert ev.loc["impaired", "t_s"] == pytest.approx(t_fault + 200.0, abs=20.0)
    assert ev.loc["incapacitated", "t_s"] == pytest.approx(t_fault + 400.0, abs=20.0)
    assert ev.loc["loss-of-crew-drowning", "t_s"] == pytest.approx(
        ev.loc["incapacitated", "t_s"] + 240.0,
        abs=10.0,  # 4 min without O2 (first-aid texts)
    )
    assert "loss-of-crew-hypoxia" not in ev.index
    ev1 = res.telemetry[res.telemetry.crew == "ev1"]
    assert ev1.pio2_mmHg.min() > phys.HYPOXIA_NONE_PIO2_MMHG  # the gas was fine
    assert res.summary["crew"]["ev1"]["outcome"] == "loss-of-crew"


def test_a_core_held_above_the_critical_thermal_maximum_kills_after_an_hour():
    """Both suits' cooling lost outright on ISS EVA 23 (a common cause), no rules: the crew
    store every watt. Incapacitated by heat stroke at +3 C, they reach the critical thermal
    maximum, 42 C (+5 C; Bynum et al. 1978: estimated 41.6-42.0 C, an hour there survived),
    and die after more than an hour at it; the core never climbs without bound."""
    sc = load_scenario("iss-eva-23-2013")
    data = tomllib.loads(tomli_w.dumps(scenario_to_mapping(sc)))
    data.pop("documented", None)
    data["faults"] = [
        {"kind": "cooling-failure", "crew": m.id, "at_min": 12.0, "remaining_fraction": 0.0}
        for m in sc.crew
        if m.suit
    ]
    data["flight_rules"] = []
    res = simulate(parse_toml(tomli_w.dumps(data)))
    ev, tm = res.events, res.telemetry
    for crew in ("parmitano", "cassidy"):
        x = tm[tm.crew == crew].set_index("t_s")
        t_lethal = x.index[x.core_temp_rise_C >= 42.0 - 37.0][0]  # the CTM, Bynum 1978
        t_dead = ev[(ev.crew == crew) & (ev.code == "loss-of-crew-hyperthermia")].t_s.iloc[0]
        assert t_dead - t_lethal == pytest.approx(3600.0, abs=60.0)  # more than the hour
        assert x.core_temp_rise_C.max() < 7.0
    assert res.summary["outcome"] == "loss-of-crew"
