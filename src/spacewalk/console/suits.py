"""The NASA SUITS telemetry stream server's JSON, from the physics of the console's session.

NASA's SUITS challenge teams build helmet and mission-control displays against the telemetry
stream server (TSS, github.com/SUITS-Techteam/TSS_2024), whose values are scripted: sine
waves and fill rates. The console serves the same files at the same paths
(``/json_data/teams/N/TELEMETRY.json``, ``EVA.json``, ``/json_data/ERROR.json``, ``DCU.json``,
``UIA.json``, ``IMU.json``), with the field names and units of TSS and of its value-range
table (``SUITS_TelemetryValueRanges.pdf``), computed from the run at the session clock. So a
SUITS client pointed at ``spacewalk console`` reads physics instead of a script.

``eva1`` and ``eva2`` are the first two crew members who are ever suited, in the scenario's
order. Where the physics has nothing behind a field yet, it carries a constant: its TSS
nominal value, named in :data:`UNMODELLED` and in docs/console.md, never a made-up dynamic.
"""

from __future__ import annotations

import math

import numpy as np

from ..physics.metabolism import co2_made_kg_s
from ..units import PA_PER_MMHG, PA_PER_PSI, R_CO2, SUIT_GAS_T_K
from .session import Session

TEAMS = 11  # TSS serves teams 0 to 10, each the same here: the console holds one run
FULL_BOTTLE_PSI = 3000.0  # a full O2 bottle in TSS (OXY_PRESSURE_CAP; value table max)
KPA_PER_PSI = PA_PER_PSI / 1000.0
# TSS fields with no physics behind them yet, and the constant each carries (TSS nominal)
UNMODELLED = {
    "heart_rate": 90.0,  # TSS RESTING_HEART_RATE; no heart-rate model
    "fan_pri_rpm": 30000.0,  # TSS SUIT_FAN_RPM; fans are on or off (the battery), no speed
    "fan_sec_rpm": 0.0,  # one fan, never swapped
    "scrubber_b_co2_storage": 0.0,  # one CO2 canister (METOX or LiOH), not two that swap
    "temperature": 70.0,  # deg F, TSS nominal; the suit's gas temperature is not modelled
    "coolant_gas_pressure": 0.0,  # the cooling water loop's pressures are not modelled
    "coolant_liquid_pressure": 500.0,
}
TELEMETRY_FIELDS = (
    "batt_time_left",
    "oxy_pri_storage",
    "oxy_sec_storage",
    "oxy_pri_pressure",
    "oxy_sec_pressure",
    "oxy_time_left",
    "heart_rate",
    "oxy_consumption",
    "co2_production",
    "suit_pressure_oxy",
    "suit_pressure_co2",
    "suit_pressure_other",
    "suit_pressure_total",
    "fan_pri_rpm",
    "fan_sec_rpm",
    "helmet_pressure_co2",
    "scrubber_a_co2_storage",
    "scrubber_b_co2_storage",
    "temperature",
    "coolant_ml",
    "coolant_gas_pressure",
    "coolant_liquid_pressure",
)
# which console fault raises which TSS error flag, from the fault's time while suited
ERROR_OF_FAULT = {
    "regulator-failure": "oxy_error",  # the primary O2 cannot hold the suit: go to secondary
    "suit-leak": "oxy_error",
    "cooling-failure": "pump_error",  # the cooling loop's pump and sublimator
    "water-intrusion": "fan_error",  # the EMU's water came from its fan/pump/separator
    "fan-failure": "fan_error",
}


def ev_crew(session: Session | None) -> list[str]:
    """The crew who are ever suited, in the scenario's order: eva1, eva2."""
    if session is None:
        return []
    out = []
    for cid in session.crew:
        s = session.streams.get(f"{cid}.suited")
        if s is not None and np.nanmax(s.values, initial=0.0) > 0:
            out.append(cid)
    return out


class _At:
    """The crew member's channels at one session time (the last sample at or before it)."""

    def __init__(self, session: Session, cid: str, t_s: float):
        self.session, self.cid, self.t_s = session, cid, t_s
        self.suit = session.scenario.suits[_suit_key(session, cid)]

    def __call__(self, channel: str, back: int = 0) -> float:
        s = self.session.streams.get(f"{self.cid}.{channel}")
        if s is None:
            return math.nan
        i = int(np.searchsorted(s.t_s, self.t_s, side="right")) - 1 - back
        if i < 0 or s.text:
            return math.nan
        return float(s.values[i])


def _suit_key(session: Session, cid: str) -> str:
    return next(c.suit for c in session.scenario.crew if c.id == cid)


def _num(x: float, digits: int = 6) -> float:
    """TSS prints %f: six decimals; a value the physics leaves empty reads 0."""
    return 0.0 if x is None or not math.isfinite(x) else round(float(x), digits) + 0.0


def _pct(left: float, full: float) -> float:
    return 100.0 * left / full if full > 0 else math.nan


def telemetry_of(at: _At) -> dict:
    """One crew member's TSS telemetry: units as TSS gives them (psi, %, s, psi/min)."""
    suit = at.suit
    o2_pri_pct = _pct(at("o2_primary_kg"), suit.o2_primary_kg)
    o2_sec_pct = _pct(at("o2_secondary_min"), suit.o2_secondary_min)
    p_total_psi = at("p_suit_kPa") / KPA_PER_PSI
    co2_suit_psi = at("ppco2_suit_mmHg") * PA_PER_MMHG / PA_PER_PSI
    # CO2 displaces O2 in a closed loop (as in the inspired-O2 model)
    o2_psi = at("ppo2_kPa") / KPA_PER_PSI - np.nan_to_num(co2_suit_psi)
    suited = at("suited") > 0
    made_kg_min = float(co2_made_kg_s(at("metabolic_W"))) * 60.0 if suited else 0.0
    volume_m3 = suit.gas_volume_L / 1000.0
    out = {
        # at the suit's present draw; an umbilical suit's battery is not drawn
        "batt_time_left": (
            at("battery_Ah") / suit.battery_draw_A * 3600.0 if suit.battery_draw_A > 0 else 0.0
        ),
        "oxy_pri_storage": o2_pri_pct,
        "oxy_sec_storage": o2_sec_pct,
        # an isothermal bottle: pressure in proportion to the gas left
        "oxy_pri_pressure": FULL_BOTTLE_PSI * o2_pri_pct / 100.0,
        "oxy_sec_pressure": FULL_BOTTLE_PSI * o2_sec_pct / 100.0,
        "oxy_time_left": at("o2_time_min") * 60.0,
        "heart_rate": UNMODELLED["heart_rate"],
        # the primary bottle's pressure fall at the present O2 draw
        "oxy_consumption": (
            FULL_BOTTLE_PSI * at("o2_flow_g_min") / 1000.0 / suit.o2_primary_kg
            if suit.o2_primary_kg > 0
            else 0.0
        ),
        # metabolic CO2 as the suit pressure it adds each minute before removal
        "co2_production": made_kg_min * R_CO2 * SUIT_GAS_T_K / volume_m3 / PA_PER_PSI,
        "suit_pressure_oxy": o2_psi,
        "suit_pressure_co2": co2_suit_psi,
        "suit_pressure_other": p_total_psi - o2_psi - np.nan_to_num(co2_suit_psi),
        "suit_pressure_total": p_total_psi,
        "fan_pri_rpm": UNMODELLED["fan_pri_rpm"] if suited else 0.0,
        "fan_sec_rpm": UNMODELLED["fan_sec_rpm"],
        "helmet_pressure_co2": at("ppco2_mmHg") * PA_PER_MMHG / PA_PER_PSI,
        "scrubber_a_co2_storage": at("scrubber_used_pct"),
        "scrubber_b_co2_storage": UNMODELLED["scrubber_b_co2_storage"],
        "temperature": UNMODELLED["temperature"],
        # TSS's "coolant_ml" is the coolant store in % (its value table: coolant_storage)
        "coolant_ml": _pct(at("feedwater_kg"), suit.feedwater_kg),
        "coolant_gas_pressure": UNMODELLED["coolant_gas_pressure"],
        "coolant_liquid_pressure": UNMODELLED["coolant_liquid_pressure"],
    }
    out = {k: _num(v) for k, v in out.items()}
    out["oxy_time_left"] = int(out["oxy_time_left"])  # TSS gives whole seconds
    return out


def _empty() -> dict:
    return {k: (0 if k == "oxy_time_left" else 0.0) for k in TELEMETRY_FIELDS}


def telemetry(session: Session | None) -> dict:
    """``TELEMETRY.json``: eva_time [s] and eva1, eva2 (zeros where there is no one)."""
    now = session.clock.now() if session is not None else 0.0
    crew = ev_crew(session)
    evas = [telemetry_of(_At(session, c, now)) if c else _empty() for c in (crew + ["", ""])[:2]]
    # TSS spells eva2's CO2 field "suit_pressure_cO2"; both spellings are given for eva2
    evas[1]["suit_pressure_cO2"] = evas[1]["suit_pressure_co2"]
    return {"telemetry": {"eva_time": int(now), "eva1": evas[0], "eva2": evas[1]}}


def _first(session: Session, crew: list[str], channel: str, test, now: float) -> float:
    """The earliest time at or before now when ``test`` holds for any of the crew."""
    first = math.inf
    for cid in crew:
        s = session.streams[f"{cid}.{channel}"]
        hit = np.flatnonzero(test(s.values) & (s.t_s <= now))
        if hit.size:
            first = min(first, float(s.t_s[hit[0]]))
    return first


def eva(session: Session | None) -> dict:
    """``EVA.json``: started, paused, completed, total time; the UIA step is the egress
    preparation (from the first EV crew member suited to the first one outside). The DCU,
    rover and spectrometer steps of the lunar challenge have no counterpart: never started."""
    never = {"started": False, "completed": False, "time": 0}
    if session is None:
        body = {"started": False, "paused": False, "completed": False, "total_time": 0}
        return {"eva": {**body, "uia": never, "dcu": never, "rover": never, "spec": never}}
    now = session.clock.now()
    crew = ev_crew(session)
    suited = _first(session, crew, "suited", lambda v: v > 0, now)
    outside = _first(session, crew, "location", lambda v: v == "outside", now)
    uia = {
        "started": math.isfinite(suited),
        "completed": math.isfinite(outside),
        "time": int((min(outside, now) - suited) if math.isfinite(suited) else 0),
    }
    return {
        "eva": {
            "started": now > 0 or not session.clock.paused,
            "paused": session.clock.paused,
            "completed": session.finished(now),
            "total_time": int(now),
            "uia": uia,
            "dcu": never,
            "rover": never,
            "spec": never,
        }
    }


def errors(session: Session | None) -> dict:
    """``ERROR.json``: a flag is up from its fault's time until that crew member's suit next
    comes off (a fault ends with its EVA), for scenario faults and faults injected on the
    console alike."""
    flags = {"fan_error": False, "oxy_error": False, "pump_error": False}
    if session is None:
        return {"error": flags}
    now = session.clock.now()
    crew = ev_crew(session)
    for fault in session.scenario.faults:
        flag = ERROR_OF_FAULT.get(fault.kind)
        t0 = fault.at_min * 60.0
        if not flag or fault.crew not in crew or t0 > now:
            continue
        suited = session.streams[f"{fault.crew}.suited"]
        span = (suited.t_s >= t0) & (suited.t_s <= now)
        if span.any() and (suited.values[span] > 0).all():  # not out of the suit since
            flags[flag] = True
    return {"error": flags}


def dcu(session: Session | None) -> dict:
    """``DCU.json``: the suit's switches as the physics has them: on its battery, on primary
    O2 (false once the secondary is being drawn); one fan, one channel, one CO2 canister."""
    out = {}
    crew = ev_crew(session)
    now = session.clock.now() if session is not None else 0.0
    for i, cid in enumerate((crew + ["", ""])[:2], start=1):
        if not cid:
            out[f"eva{i}"] = dict.fromkeys(("batt", "oxy", "comm", "fan", "pump", "co2"), True)
            continue
        at = _At(session, cid, now)
        drawing_secondary = at("o2_secondary_used_min") > at("o2_secondary_used_min", back=1)
        out[f"eva{i}"] = {
            "batt": at.suit.supply == "backpack" and at("suited") > 0,
            "oxy": not drawing_secondary,
            "comm": True,
            "fan": True,
            "pump": False,  # the coolant fill/flush valve: closed outside
            "co2": True,
        }
    return {"dcu": out}


def uia(session: Session | None) -> dict:
    """``UIA.json``: the umbilical interface's switches; none is modelled, all are off."""
    keys = ("power", "oxy", "water_supply", "water_waste")
    flags = {f"eva{i}_{k}": False for i in (1, 2) for k in keys}
    return {"uia": {**flags, "oxy_vent": False, "depress": False}}


def imu(session: Session | None) -> dict:
    """``IMU.json``: the plan view of the console (Hill frame): posx along-track, posy orbit
    normal [m]; heading [deg] of the body's x axis in that plane, from posy toward posx."""
    out = {}
    crew = ev_crew(session)
    now = session.clock.now() if session is not None else 0.0
    for i, cid in enumerate((crew + ["", ""])[:2], start=1):
        if not cid:
            out[f"eva{i}"] = {"posx": 0.0, "posy": 0.0, "heading": 0.0}
            continue
        at = _At(session, cid, now)
        q0, q1, q2, q3 = (at(k) for k in ("q0", "q1", "q2", "q3"))
        # the body x axis in the Hill frame: the first column of the rotation matrix
        bx_y = 2.0 * (q1 * q2 + q0 * q3)
        bx_z = 2.0 * (q1 * q3 - q0 * q2)
        heading = math.degrees(math.atan2(bx_y, bx_z)) % 360.0
        out[f"eva{i}"] = {
            "posx": _num(at("y_m")),
            "posy": _num(at("z_m")),
            "heading": _num(heading),
        }
    return {"imu": out}


FILES = {"ERROR.json": errors, "DCU.json": dcu, "UIA.json": uia, "IMU.json": imu}
TEAM_FILES = {"TELEMETRY.json": telemetry, "EVA.json": eva}
