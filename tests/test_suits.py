"""The SUITS-shaped feed: the telemetry stream server's files, from the physics.

The field lists below are NASA SUITS's published ones: the JSON files of the telemetry stream
server, SUITS-Techteam/TSS_2024 at commit c7743ea (public/json_data/), and the units of its
value table (SUITS_TelemetryValueRanges.pdf in the same repository).
"""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("aiohttp")
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from spacewalk.console.server import make_app  # noqa: E402
from spacewalk.console.suits import UNMODELLED  # noqa: E402

# public/json_data/teams/0/TELEMETRY.json, eva1 (eva2 spells one field "suit_pressure_cO2")
TSS_TELEMETRY = [
    "batt_time_left", "oxy_pri_storage", "oxy_sec_storage", "oxy_pri_pressure",
    "oxy_sec_pressure", "oxy_time_left", "heart_rate", "oxy_consumption", "co2_production",
    "suit_pressure_oxy", "suit_pressure_co2", "suit_pressure_other", "suit_pressure_total",
    "fan_pri_rpm", "fan_sec_rpm", "helmet_pressure_co2", "scrubber_a_co2_storage",
    "scrubber_b_co2_storage", "temperature", "coolant_ml", "coolant_gas_pressure",
    "coolant_liquid_pressure",
]  # fmt: skip
TSS_EVA = {"started", "paused", "completed", "total_time", "uia", "dcu", "rover", "spec"}
TSS_ERROR = {"fan_error", "oxy_error", "pump_error"}
TSS_DCU = {"batt", "oxy", "comm", "fan", "pump", "co2"}
TSS_UIA = {
    "eva1_power", "eva1_oxy", "eva1_water_supply", "eva1_water_waste", "eva2_power",
    "eva2_oxy", "eva2_water_supply", "eva2_water_waste", "oxy_vent", "depress",
}  # fmt: skip
TSS_IMU = {"posx", "posy", "heading"}
PSI_PER_KPA = 1 / 6.894757293168


def _files(c, team=0):
    async def get(path):
        r = await c.get("/json_data/" + path)
        assert r.status == 200, path
        return await r.json()

    names = [f"teams/{team}/TELEMETRY.json", f"teams/{team}/EVA.json"]
    names += ["ERROR.json", "DCU.json", "UIA.json", "IMU.json"]
    return asyncio.gather(*(get(n) for n in names))


def test_the_suits_files_have_the_published_fields_from_the_physics(tmp_path):
    async def go():
        async with TestClient(TestServer(make_app(tmp_path))) as c:
            # before any run: the shape, all zeros and nothing started (as TSS before start)
            tel, ev, err, dcu, uia, imu = await _files(c)
            assert list(tel["telemetry"]["eva1"]) == TSS_TELEMETRY
            assert not ev["eva"]["started"] and not any(err["error"].values())

            await c.post("/api/live", json={"scenario": "iss-eva-23-2013", "speed": 1000})
            await c.post("/api/control", json={"action": "pause"})
            await c.post("/api/control", json={"action": "resume"})
            await asyncio.sleep(3.5)  # at 1000x: about an hour in, both crew outside
            await c.post("/api/control", json={"action": "pause"})
            state = await (await c.get("/api/state")).json()
            tel, ev, err, dcu, uia, imu = await _files(c, team=7)
            t = tel["telemetry"]
            assert list(t["eva1"]) == TSS_TELEMETRY
            assert set(TSS_TELEMETRY) - {"suit_pressure_co2"} | {"suit_pressure_cO2"} <= set(
                t["eva2"]
            )
            assert t["eva_time"] == int(state["t_s"])
            assert set(ev["eva"]) == TSS_EVA and ev["eva"]["started"] and ev["eva"]["paused"]
            assert set(err["error"]) == TSS_ERROR
            assert set(dcu["dcu"]["eva1"]) == TSS_DCU == set(dcu["dcu"]["eva2"])
            assert set(uia["uia"]) == TSS_UIA
            assert set(imu["imu"]["eva1"]) == TSS_IMU

            # the values are the run's, in TSS's units: psi, %, s
            hist = await (
                await c.get(
                    "/api/history?ids=parmitano.p_suit_kPa,parmitano.o2_time_min,parmitano.ppco2_mmHg"
                )
            ).json()  # noqa: E501
            p1 = t["eva1"]
            assert p1["suit_pressure_total"] == pytest.approx(
                hist["parmitano.p_suit_kPa"][-1]["value"] * PSI_PER_KPA, abs=1e-5
            )
            assert p1["suit_pressure_total"] == pytest.approx(4.3, abs=0.01)  # EMU 4.3 psid
            assert p1["oxy_time_left"] == int(hist["parmitano.o2_time_min"][-1]["value"] * 60)
            assert p1["helmet_pressure_co2"] == pytest.approx(
                hist["parmitano.ppco2_mmHg"][-1]["value"] * 0.0193368, rel=1e-4
            )
            # partial pressures add up to the total; a pure-O2 suit has nothing else in it
            parts = p1["suit_pressure_oxy"] + p1["suit_pressure_co2"] + p1["suit_pressure_other"]
            assert parts == pytest.approx(p1["suit_pressure_total"], abs=1e-5)
            assert abs(p1["suit_pressure_other"]) < 1e-5
            assert 0 < p1["oxy_pri_storage"] < 100 and p1["oxy_sec_storage"] == 100.0
            assert p1["oxy_pri_pressure"] == pytest.approx(30 * p1["oxy_pri_storage"], rel=1e-5)
            assert p1["oxy_consumption"] > 0 and p1["co2_production"] > 0
            assert 0 < p1["coolant_ml"] < 100 and 0 < p1["scrubber_a_co2_storage"] < 100
            for field, value in UNMODELLED.items():  # the fields with no physics say so
                assert field in TSS_TELEMETRY and p1[field] == value
            assert dcu["dcu"]["eva1"]["oxy"] and dcu["dcu"]["eva1"]["batt"]

            # a fault flips the documented flag: a 10-mm hole in Cassidy's suit -> oxy_error
            await c.post("/api/control", json={"action": "resume"})
            r = await c.post(
                "/api/control",
                json={
                    "action": "inject",
                    "fault": {"kind": "suit-leak", "crew": "cassidy", "hole_diameter_mm": 10},
                },
            )
            assert r.status == 200
            await asyncio.sleep(0.5)
            tel, ev, err, dcu, uia, imu = await _files(c)
            assert err["error"] == {"fan_error": False, "oxy_error": True, "pump_error": False}
            # and the physics follows: the secondary O2 feeds the leak
            assert not dcu["dcu"]["eva2"]["oxy"]
            assert tel["telemetry"]["eva2"]["oxy_sec_storage"] < 100.0
            # water in Parmitano's helmet (the fan/pump/separator) -> fan_error
            await c.post(
                "/api/control",
                json={
                    "action": "inject",
                    "fault": {"kind": "water-intrusion", "crew": "parmitano", "rate_mL_min": 50},
                },
            )
            for _ in range(30):  # 0.3 s at 1000x on an idle machine; longer on a loaded one
                await asyncio.sleep(0.1)
                _, _, err, _, _, _ = await _files(c)
                if err["error"]["fan_error"]:
                    break
            assert err["error"]["fan_error"] and err["error"]["oxy_error"]

            bad = await c.get("/json_data/teams/11/TELEMETRY.json")
            assert bad.status == 404 and "0 to 10" in (await bad.json())["error"]

    asyncio.run(go())


def test_eva1_and_eva2_are_the_first_two_suited_and_an_umbilical_suit_is_off_its_battery():
    from spacewalk import simulate
    from spacewalk.console import suits
    from spacewalk.console.session import Session

    res = simulate("polaris-dawn-2024")
    s = Session("replay", res.scenario, res.telemetry, res.events, res.summary, "x")
    tel = res.telemetry
    out = tel[(tel["crew"] == res.scenario.crew[0].id) & (tel["location"] == "outside")]
    s.clock.seek(float(out["t_s"].iloc[0]) + 60.0)  # a minute after the first is outside
    assert suits.ev_crew(s) == [c.id for c in res.scenario.crew]  # all four are suited
    dcu = suits.dcu(s)["dcu"]
    assert set(dcu) == {"eva1", "eva2"}
    # the Polaris suits run on the Dragon's umbilical: no battery drawn, none to time
    assert dcu["eva1"]["batt"] is False
    assert suits.telemetry(s)["telemetry"]["eva1"]["batt_time_left"] == 0.0


def test_a_flag_ends_with_its_eva():
    """Parmitano's water raises fan_error; once his helmet is off and the EVA over, the flag
    is down again (a fault ends with its EVA)."""
    from spacewalk import load_scenario, simulate
    from spacewalk.console import suits
    from spacewalk.console.session import Session

    sc = load_scenario("iss-eva-23-2013")
    res = simulate(sc)
    s = Session("replay", res.scenario, res.telemetry, res.events, res.summary, "x")
    fault = res.scenario.faults[0]  # Parmitano's water, 80.8 min in
    assert fault.kind == "water-intrusion"
    s.clock.seek(fault.at_min * 60.0 + 60.0)
    assert suits.errors(s)["error"]["fan_error"]
    s.clock.seek(res.summary["sim_duration_min"] * 60.0)  # helmet off, the EVA over
    assert not suits.errors(s)["error"]["fan_error"]
