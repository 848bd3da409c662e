"""EMU consumables envelope (reference-data 4) and mass balances."""

import numpy as np
import pytest

from spacewalk import SUITS, simulate
from spacewalk.physics.lifesupport import inspired_co2_mmHg
from spacewalk.physics.metabolism import co2_made_kg_s, o2_use_kg_s
from spacewalk.units import H_SUB_ICE, PA_PER_MMHG, R_CO2

from .helpers import edited

EMU = SUITS["emu"]


def _tasks(d, minutes, workload):
    for cid in ("ev1", "ev2"):
        for a in d["timeline"][cid]:
            if a.get("label") == "worksite tasks":
                a["duration_min"] = minutes
                a["workload"] = workload


def test_nominal_emu_eva_ends_inside_the_envelope(emu_toml):
    # a 6.5 h planned EVA (reference-data 8) at the 1,000 Btu/h design rate
    sc = edited(emu_toml, lambda d: _tasks(d, 330, "moderate"))
    s = simulate(sc).summary
    assert s["outcome"] == "completed"
    for cid in ("ev1", "ev2"):
        items = s["crew"][cid]["consumables"]
        assert items["o2_primary"]["capacity"] == pytest.approx(0.552, abs=1e-3)
        assert items["scrubber"]["capacity"] == pytest.approx(1.48 * 0.45359237, abs=1e-3)
        assert items["feedwater"]["capacity"] == pytest.approx(4.536, abs=1e-3)
        assert items["battery"]["capacity"] == pytest.approx(45.0)
        for name, item in items.items():
            assert item["exhausted_at_min"] is None, name
            assert item["left"] > 0, name
        assert s["crew"][cid]["limiting_consumable"]["name"] in ("o2_primary", "scrubber")


def test_twice_the_design_rate_runs_out_and_names_o2_first(emu_toml):
    def edit(d):
        _tasks(d, 330, "very-heavy")  # 2,000 Btu/h = twice the design rate
        d["flight_rules"] = []  # let the consumables run out

    s = simulate(edited(emu_toml, edit)).summary
    for cid in ("ev1", "ev2"):
        lim = s["crew"][cid]["limiting_consumable"]
        assert lim["name"] == "o2_primary" and lim["reason"] == "ran out first"
        # 0.552 kg at 586 W + leak lasts ~3.7 h (Weir; EMU handbook); the clock starts at
        # suit-up, 15 min in, and the first hour (depress, egress) runs at lighter rates
        assert 3.7 * 60 < lim["exhausted_at_min"] < 5.0 * 60
        items = s["crew"][cid]["consumables"]
        assert items["feedwater"]["exhausted_at_min"] is None or (
            items["feedwater"]["exhausted_at_min"] > lim["exhausted_at_min"]
        )


def test_twice_the_design_rate_trips_the_o2_margin_rule(emu_toml):
    s = simulate(edited(emu_toml, lambda d: _tasks(d, 330, "very-heavy"))).summary
    assert s["outcome"] == "terminated"
    assert any("o2-margin" in a["message"] for a in s["alarms"])


def test_mass_balances_close(emu_toml):
    """O2 used = metabolic + leak; CO2 made = scrubbed + held in the suit; water used =
    sublimated heat / latent heat. Integrated over every step (record_every_s = dt_s)."""

    def edit(d):
        d["engine"].update(dt_s=10.0, record_every_s=10.0)
        _tasks(d, 120, "heavy")

    res = simulate(edited(emu_toml, edit))
    tel = res.telemetry[res.telemetry.crew == "ev1"]
    dt = 10.0
    suited = tel.suited.to_numpy()
    met = tel.metabolic_W.to_numpy()
    used_o2 = EMU["o2_primary_kg"] - tel.o2_primary_kg.iloc[-1]
    drawn = (tel.o2_flow_g_min.to_numpy() / 60e3 * dt).sum()
    metabolic = (np.where(suited, o2_use_kg_s(met), 0) * dt).sum()
    assert used_o2 == pytest.approx(drawn, rel=1e-9)
    assert 0 <= drawn - metabolic < 0.005  # the rest is the 36.2 cm^3/min leak
    made = (np.where(suited, co2_made_kg_s(met), 0) * dt).sum()
    last = np.nonzero(suited)[0][-1]  # the suit's gas goes to the cabin when it is opened
    scrubbed = tel.scrubber_used_pct.iloc[last] / 100 * EMU["scrubber_capacity_kg"]
    # the loop's mixed CO2: the inspired value less the rebreathed plume (not part of the
    # mass balance: the plume is exhaled gas, not gas held in the suit)
    plume = inspired_co2_mmHg(
        0.0, met[last], EMU["co2_rebreathed_max"], EMU["co2_rebreathed_ve_L_min"]
    )
    mixed_pa = (tel.ppco2_mmHg.iloc[last] - plume) * PA_PER_MMHG
    held = mixed_pa * EMU["gas_volume_L"] / 1000 / (R_CO2 * 295.0)
    assert made == pytest.approx(scrubbed + held, rel=1e-6)
    water = EMU["feedwater_kg"] - tel.feedwater_kg.iloc[-1]
    # latent heat of evaporated sweat is carried to the sublimator too; with the EMU's
    # cooling margin no sweat forms at this rate, so cooling alone sets the water use
    assert tel.sweat_L.iloc[-1] == pytest.approx(0.0, abs=1e-6)
    sublimated = (np.nan_to_num(tel.cooling_W.to_numpy()) * dt / H_SUB_ICE).sum()
    assert water == pytest.approx(sublimated, rel=1e-6)


def test_a_service_umbilical_feeds_the_suits_in_the_airlock_until_egress(emu_toml):
    """An hour's wait in a suit in the airlock (STS-102 waited 2.5-3 h): plugged into the
    vehicle's service umbilical the suit's own O2, battery and feedwater are untouched at
    egress and the vehicle's store pays the O2 (Weir: 300 W for an hour is 20.2 kJ per
    litre of O2); unplugged, the suit pays. Outside, both run on their own stores."""

    def wait_in_the_airlock(service: bool):
        def edit(d):
            d["vehicle"]["o2_store_kg"] = 5.0
            d["vehicle"]["airlock"]["service_umbilical"] = service
            for crew in ("ev1", "ev2"):
                acts = d["timeline"][crew]
                for a in acts:  # a short EVA: the suits' stores last in both cases
                    if a["activity"] == "task":
                        a["duration_min"] = min(a["duration_min"], 60)
                i = next(k for k, a in enumerate(acts) if a["activity"] == "depress")
                acts.insert(i, {"activity": "wait", "duration_min": 60, "metabolic_W": 300})

        return simulate(edited(emu_toml, edit))

    plugged, unplugged = wait_in_the_airlock(True), wait_in_the_airlock(False)
    for res, own_paid in ((plugged, False), (unplugged, True)):
        ev = res.events
        egress = ev[(ev.crew == "ev1") & (ev.code == "egress")].t_s.iloc[0]
        wait = next(
            p for p in res.summary["phases"] if p["crew"] == "ev1" and p["activity"] == "wait"
        )
        tel = res.telemetry[res.telemetry.crew == "ev1"].set_index("t_s")
        start = tel.index[tel.index <= wait["start_min"] * 60][-1]
        before = tel.loc[start]
        at_egress = tel.loc[tel.index[tel.index <= egress][-1]]
        used_kg = before["o2_primary_kg"] - at_egress["o2_primary_kg"]
        weir_kg = 300.0 * 3600.0 / 20.2e3 * 1.429e-3  # 300 W for the hour's wait
        if own_paid:
            assert used_kg > 0.9 * weir_kg
            assert at_egress["battery_Ah"] < before["battery_Ah"] - 3.0  # 3.8 A for an hour
        else:
            assert used_kg == pytest.approx(0.0, abs=1e-9)
            assert at_egress["battery_Ah"] == pytest.approx(before["battery_Ah"])
            assert at_egress["feedwater_kg"] == pytest.approx(before["feedwater_kg"])
        # outside, the suit's own O2 is drawn in both cases
        out = tel[tel.index > egress + 600]
        assert len(out) and out["o2_primary_kg"].iloc[-1] < at_egress["o2_primary_kg"]
    # the vehicle's store paid for both suits' time plugged in (the hour's wait, and the
    # suit-up and depress around it), nothing while they were outside, and again once
    # they were back in the airlock
    tel = plugged.telemetry[plugged.telemetry.crew == "ev1"].set_index("t_s")["o2_vehicle_kg"]
    ev = plugged.events
    egress, ingress = ev[ev.code == "egress"].t_s.max(), ev[ev.code == "ingress"].t_s.min()
    at_egress = tel.loc[tel.index[tel.index <= egress][-1]]
    paid = 5.0 - at_egress
    assert 2 * weir_kg < paid < 2 * weir_kg * 1.6
    outside = tel[(tel.index > egress) & (tel.index < ingress)]
    assert outside.max() == pytest.approx(outside.min(), abs=1e-12)
    assert tel.iloc[-1] < at_egress


def test_return_by_is_when_the_primary_o2_left_equals_the_way_back(emu_toml):
    """With the flight rules off and a long task, the primary O2 runs low outside: the
    summary's return-by time is when what is left equals the O2 the way back needs at the
    task's rate (Weir: 293 W is 20.2 kJ per litre of O2 at 1.429 g/L, plus the suit's
    nominal leak), the way back being 40 m at 0.15 m/s, then ev1's ingress (5 min), the hatch
    close (3 min) and the airlock's repress from vacuum (ideal-gas mass over its flow)."""

    def edit(d):
        d["flight_rules"] = []
        for crew in ("ev1", "ev2"):
            for a in d["timeline"][crew]:
                if a["activity"] == "task":
                    a["duration_min"] = 600

    res = simulate(edited(emu_toml, edit))
    c = res.summary["crew"]["ev1"]
    tel = res.telemetry[res.telemetry.crew == "ev1"].set_index("t_s")
    p_suit = 4.3 * 6894.757
    leak_kg_s = 36.2e-6 / 60.0 * p_suit / (259.8 * 295.0)
    rate_kg_s = 293.1 / 20.2e3 * 1.429e-3 + leak_kg_s
    lock = res.scenario.vehicle.airlock
    mass_kg = lock.pressure_psi * 6894.757 * lock.volume_m3 / (287.0 * lock.temperature_K)
    back_s = 40.0 / 0.15 + 5 * 60 + 3 * 60 + mass_kg / (lock.repress_flow_kg_min / 60.0)
    need_kg = rate_kg_s * back_s
    task = tel[tel.activity == "worksite tasks"]
    left = task["o2_primary_kg"]
    t_cross = np.interp(-need_kg, -left.to_numpy(), left.index.to_numpy())
    assert c["return_by_min"] == pytest.approx(t_cross / 60.0, abs=1.0)


def test_o2_time_left_never_exceeds_the_resting_bound():
    """The O2 time left at the recent rate used to start from a filter at zero and project
    16,000 to 45,000 minutes in the first minutes after suit-up (issue 20). It can never be
    more than the primary O2 lasts at rest (116 W; Weir: 20.2 kJ per litre at 1.429 g/L)
    plus the 30-minute reserve."""
    res = simulate("iss-eva-23-2013")
    tel = res.telemetry[res.telemetry.suited.astype(bool)]
    rest_kg_min = 116.3 / 20.2e3 * 1.429e-3 * 60.0
    bound = SUITS["emu"]["o2_primary_kg"] / rest_kg_min + 30.0
    assert tel["o2_time_min"].max() <= bound * 1.02


def test_a_reused_exponential_is_the_exponential():
    """The CO2 kernel keeps each crew member's last exponentials and reuses them while their
    argument is the same (``lifesupport.exp_reusing``): the helmet's numbers are those of a
    fresh exp every step, bit for bit, as the flow and the ventilation change and return."""
    from spacewalk.physics.lifesupport import co2_step

    last_loop, last_plume = np.full(2, np.nan), np.full(2, np.nan)
    pp = 0.0
    for flow, met in [(1e-3, 300.0)] * 3 + [(8e-4, 450.0), (8e-4, 450.0), (1e-3, 300.0)]:
        fresh = co2_step(pp, 2e-5, flow, 1.0, 0.02, 295.0, 10.0)
        kept = co2_step(pp, 2e-5, flow, 1.0, 0.02, 295.0, 10.0, last_loop)
        assert fresh == kept
        plume = inspired_co2_mmHg(1.0, met, 0.3, 40.0)
        assert plume == inspired_co2_mmHg(1.0, met, 0.3, 40.0, last_plume)
        pp = fresh[0]
    assert last_loop[1] == np.exp(-1e-3 / 0.02 * 10.0)  # the last argument's exponential
