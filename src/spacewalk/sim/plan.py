"""Compile a validated scenario into parameter arrays for the engine.

Crew parameters have shape (runs, crew), vehicle parameters (runs,) or (runs, vessel);
timelines are tables of shape (crew, activities + 2): after the activities comes a terminal
pad (where a finished timeline rests) and last the hidden
"return to the hatch" activity that terminate and abort jump to. A dispersion (Monte Carlo)
is just a different set of arrays.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..physics import dcs, gas, orbit
from ..physics.maneuvering import UNITS, ManeuveringUnit, suited_mass_properties
from ..scenario import ACTIVITIES, DEFAULT_WORKLOAD, Scenario, utc_seconds
from ..scenario.model import OUTSIDE, walk_vessels
from ..scenario.presets import WORKLOADS_W
from ..scenario.protocols import stage_tuples
from ..units import DISCHARGE_CD, M3_PER_FT3, PA_PER_PSI, gas_constant, p_sat_water_Pa

KIND = {name: i for i, name in enumerate(ACTIVITIES)}
RETURN = len(ACTIVITIES)  # kind code of the hidden return-to-hatch activity
# a crew member's location is the index of the vessel around them (the cabin is 0), or
# LOC_OUTSIDE; Plan.locations names them, outside last (so LOC_OUTSIDE indexes it too)
LOC_CABIN, LOC_OUTSIDE = 0, OUTSIDE


# how a crew member is held or moves (telemetry channel "motion")
MOTION_MODES = (
    "inside",
    "handrail",
    "foot-restraint",
    "ladder",
    "arm",
    "free",
    "flying",
    "captured",
)
MODE = {name: i for i, name in enumerate(MOTION_MODES)}
DEFAULT_FLY_SPEED_M_S = 0.3  # McCandless left the bay at ~0.09 m/s (TIME 1984); NF cruise
DEFAULT_ARM_SPEED_M_S = 0.2  # SSRMS with crew on the end limited to < 20 cm/s (reference-data 8)


@dataclass(frozen=True)
class MotionPlan:
    """Motion tables: per timeline slot (crew, slots[, 3]) and per crew or target."""

    orbit: orbit.OrbitModel
    nonlinear: bool
    hatch_m: np.ndarray  # (V, 3) where each vessel's EVA hatch is
    pos_slot: np.ndarray  # (C, S, 3) where the activity ends (nan: stays)
    target_slot: np.ndarray  # (C, S) target index a fly or capture goes to (-1: none)
    speed_slot: np.ndarray  # (C, S) speed given by the activity (nan: none)
    push_slot: np.ndarray  # (C, S, 3) free-float push [m/s, H]
    spin_slot: np.ndarray  # (C, S, 3) free-float spin [rad/s, B]
    restraint_slot: np.ndarray  # (C, S) MODE code of the activity's restraint (-1: default)
    units: list[ManeuveringUnit]
    unit_index: np.ndarray  # (C,) index into units, -1 none
    inertia_kg_m2: np.ndarray  # (C, 3)
    tether_ids: list[list[str]]
    anchor_m: np.ndarray  # (C, K, 3)
    attach_m: np.ndarray  # (C, K, 3)
    length_m: np.ndarray  # (R, C, K)
    stiffness_N_m: np.ndarray  # (R, C, K)
    damping_N_s_m: np.ndarray  # (R, C, K)
    target_ids: list[str]
    target_mass_kg: np.ndarray  # (T,)
    target_inertia_kg_m2: np.ndarray  # (T, 3)
    target_r_m: np.ndarray  # (T, 3)
    target_v_m_s: np.ndarray  # (T, 3)
    target_w_rad_s: np.ndarray  # (T, 3)
    target_offset_m: np.ndarray  # (T, 3)


def build_orbit(sc: Scenario) -> orbit.OrbitModel:
    o = sc.orbit
    start = sc.scenario.start_utc or o.epoch_utc
    if o.tle is not None:
        return orbit.from_tle(start, o.tle[0], o.tle[1])
    if o.altitude_km is not None:
        a, e = orbit.R_EARTH_M + 1000.0 * o.altitude_km, 0.0
    else:
        a, e = (
            orbit.semi_major_axis_m(o.perigee_km, o.apogee_km),
            orbit.eccentricity(o.perigee_km, o.apogee_km),
        )
    return orbit.from_elements(
        start,
        a,
        e,
        o.inclination_deg,
        o.raan_deg,
        o.arg_perigee_deg,
        o.mean_anomaly_deg,
        o.epoch_utc or None,
    )


def _ops_back_s(sc: Scenario, crew_ids: list[str]) -> np.ndarray:
    """(C, V) From arriving at a vessel's EVA hatch to a suit that can be opened: the crew
    member's own ingress, the scenario's hatch close (their durations in the timeline), and the
    vessel's repress from vacuum to its pressure at its repress flow (the gas physics)."""

    def first(acts, kind):
        return next((a.duration_min or 0.0 for a in acts if a.activity == kind), 0.0) * 60.0

    close_s = max((first(sc.timeline[c], "hatch-close") for c in crew_ids), default=0.0)
    repress_s = np.array(
        [
            gas.gas_mass_kg(
                v.gas.pressure_psi * PA_PER_PSI,
                gas_constant(v.gas.repress_o2_fraction),
                v.gas.temperature_K,
                v.gas.volume_m3,
            )
            / (v.gas.repress_flow_kg_min / 60.0)
            for v in sc.vehicle.vessel_specs()
        ]
    )
    ingress_s = np.array([first(sc.timeline[c], "ingress") for c in crew_ids])
    return ingress_s[:, None] + close_s + repress_s[None, :]


def _motion_plan(sc: Scenario, crew_ids: list[str], hatch_of: np.ndarray, runs: int) -> MotionPlan:
    C, S = hatch_of.shape
    hatches = np.array([v.hatch_m for v in sc.vehicle.vessel_specs()], dtype=float)
    u = np.asarray(sc.vehicle.translation_direction, dtype=float)
    u = u / np.linalg.norm(u)
    target_ids = [t.id for t in sc.targets]
    pos = np.full((C, S, 3), np.nan)
    tgt = np.full((C, S), -1, dtype=np.int64)
    speed = np.full((C, S), np.nan)
    push = np.zeros((C, S, 3))
    spin = np.zeros((C, S, 3))
    restraint = np.full((C, S), -1, dtype=np.int64)
    for ci, cid in enumerate(crew_ids):
        for j, a in enumerate(sc.timeline[cid]):
            hatch = hatches[hatch_of[ci, j]]
            if a.restraint is not None:
                restraint[ci, j] = MODE[a.restraint]
            if a.at_m is not None:
                pos[ci, j] = a.at_m
            elif a.range_m is not None:
                pos[ci, j] = hatch + a.range_m * u
            elif a.activity in ("ingress",):
                pos[ci, j] = hatch
            if a.to == "hatch":
                pos[ci, j] = hatch
            elif a.to in sc.vehicle.sites and a.activity in ("translate", "task"):
                site = sc.vehicle.sites[a.to]
                pos[ci, j] = site.at_m
                if a.restraint is None and site.restraint is not None:
                    restraint[ci, j] = MODE[site.restraint]
            elif a.to:
                tgt[ci, j] = target_ids.index(a.to)
            if a.speed_m_s is not None:
                speed[ci, j] = a.speed_m_s
            if a.push_m_s is not None:
                push[ci, j] = a.push_m_s
            if a.spin_deg_s is not None:
                spin[ci, j] = np.radians(a.spin_deg_s)
        pos[ci, S - 1] = np.nan  # the hidden return slot: to the hatch it returns by
    names = sorted({m.maneuvering_unit for m in sc.crew if m.maneuvering_unit})
    units = [UNITS[n] for n in names]
    unit_index = np.array(
        [names.index(m.maneuvering_unit) if m.maneuvering_unit else -1 for m in sc.crew]
    )
    tethers = [m.all_tethers() for m in sc.crew]
    K = max(1, max(len(t) for t in tethers))
    anchor = np.zeros((C, K, 3))
    attach = np.zeros((C, K, 3))
    length = np.zeros((C, K))
    k = np.zeros((C, K))
    c = np.zeros((C, K))
    for ci, ts in enumerate(tethers):
        for j, t in enumerate(ts):
            anchor[ci, j] = hatches[hatch_of[ci, 0]] if t.anchor_m is None else t.anchor_m
            attach[ci, j] = t.attach_m
            length[ci, j] = t.length_m
            k[ci, j] = t.stiffness_N_m
            c[ci, j] = t.damping_N_s_m
    inertia = np.zeros((C, 3))
    for ci, m in enumerate(sc.crew):
        suit = sc.suit_of(m)
        unit = UNITS[m.maneuvering_unit] if m.maneuvering_unit else None
        _, inertia[ci] = suited_mass_properties(m.mass_kg, suit.mass_kg if suit else 0.0, unit)
    T = len(sc.targets)
    w = np.zeros((T, 3))
    for j, t in enumerate(sc.targets):
        axis = np.asarray(t.spin_axis, dtype=float)
        w[j] = axis / np.linalg.norm(axis) * t.spin_rpm * 2 * np.pi / 60.0
    return MotionPlan(
        orbit=build_orbit(sc),
        nonlinear=sc.engine.relative_motion == "nonlinear",
        hatch_m=hatches,
        pos_slot=pos,
        target_slot=tgt,
        speed_slot=speed,
        push_slot=push,
        spin_slot=spin,
        restraint_slot=restraint,
        units=units,
        unit_index=unit_index,
        inertia_kg_m2=inertia,
        tether_ids=[[t.id for t in ts] for ts in tethers],
        anchor_m=anchor,
        attach_m=attach,
        length_m=np.tile(length, (runs, 1, 1)),  # per run: a campaign disperses them
        stiffness_N_m=np.tile(k, (runs, 1, 1)),
        damping_N_s_m=np.tile(c, (runs, 1, 1)),
        target_ids=target_ids,
        target_mass_kg=np.array([t.mass_kg for t in sc.targets]).reshape(T),
        target_inertia_kg_m2=np.array([t.inertia_kg_m2 for t in sc.targets]).reshape(T, 3),
        target_r_m=np.array([t.position_m for t in sc.targets]).reshape(T, 3),
        target_v_m_s=np.array([t.velocity_m_s for t in sc.targets]).reshape(T, 3),
        target_w_rad_s=w,
        target_offset_m=np.array([t.capture_offset_m for t in sc.targets]).reshape(T, 3),
    )


@dataclass(frozen=True)
class CrewParams:
    """Crew and suit parameters, each (runs, crew), in SI units: one array per field, never
    added to after compilation; a dispersion writes other values into the same arrays."""

    has_suit: np.ndarray  # wears a suit
    eva: np.ndarray  # role eva
    umbilical: np.ndarray  # O2 and power by umbilical
    p_set_Pa: np.ndarray  # suit pressure setpoint
    p_low_Pa: np.ndarray  # low pressure setting (= setpoint if none)
    cooling_W: np.ndarray  # cooling capacity
    evap_kg_s: np.ndarray  # sweat the ventilation can evaporate
    liquid: np.ndarray  # liquid-cooled
    vent_m3_s: np.ndarray  # ventilation flow
    purge_kg_s: np.ndarray  # open-loop purge flow
    scrubber: np.ndarray  # CO2 scrubber (else purge)
    scrub_cap_kg: np.ndarray  # scrubber capacity
    o2_primary_kg: np.ndarray  # primary O2 (0 on an umbilical)
    o2_secondary_s: np.ndarray  # secondary O2 as time at its design flow
    secondary_kg_s: np.ndarray  # the secondary's design (and maximum) flow
    reg_max_kg_s: np.ndarray  # the primary regulator's maximum flow
    feedwater_kg: np.ndarray  # sublimator feedwater
    battery_Ah: np.ndarray  # battery charge
    battery_A: np.ndarray  # battery current
    battery_V: np.ndarray  # battery voltage
    gas_volume_m3: np.ndarray  # suit gas volume
    leak_m3_s: np.ndarray  # nominal leak
    rebreathed_max: np.ndarray  # helmet: largest share of a breath from the last exhalation
    rebreathed_ve_L_min: np.ndarray  # helmet: the minute ventilation scale of that share
    envelope0_m: np.ndarray  # suited size at the hatch, unpressurised
    compliance_m_per_Pa: np.ndarray  # growth of the size with pressure
    mass_kg: np.ndarray  # crew member's mass
    speed_m_s: np.ndarray  # translation speed
    motion_mass_kg: np.ndarray  # crew + suit + unit mass
    propellant_kg: np.ndarray  # maneuvering-unit propellant
    isp_s: np.ndarray  # maneuvering-unit specific impulse
    absorptance: np.ndarray  # outer layer solar absorptance
    emittance: np.ndarray  # outer layer emittance
    insulation_W_K: np.ndarray  # insulation conductance
    vent_water_Pa: np.ndarray  # water vapour pressure of the gas entering the helmet
    helmet_first: np.ndarray  # the vent gas reaches the helmet before the body
    visor_coupling: np.ndarray  # share of the way from skin to sink of the visor's face
    met_factor: np.ndarray  # metabolic factor of a campaign's dispersion (1 nominal)
    dose0: np.ndarray  # (R, C, fields of dcs.Dose): tissues and DCS dose after the history


@dataclass(frozen=True)
class VesselParams:
    """Vessel parameters, each (runs, vessels), in :meth:`Vehicle.vessel_ids` order: the
    cabin (0), the airlock, the other vessels; hatches to vacuum and inner hatches."""

    volume_m3: np.ndarray
    p0_Pa: np.ndarray
    o2_fraction: np.ndarray
    T_K: np.ndarray
    vent_cdA_m2: np.ndarray  # discharge coefficient x valve area
    repress_kg_s: np.ndarray
    repress_o2_fraction: np.ndarray
    hatch_diameter_m: np.ndarray  # the EVA hatch (0: the vessel has none)
    hatch_open_max_Pa: np.ndarray  # the EVA hatch opens at or below this pressure
    hatch_inherits: np.ndarray  # (V,) the hatch size is the vehicle's (a dispersion of it)
    inside: np.ndarray  # (V,) the vessel each lock's inner hatch opens into (-1: the cabin)
    service: np.ndarray  # (V,) suits here run on the vehicle's service umbilical


@dataclass(frozen=True)
class PlannedFault:
    """A scheduled fault: its time and size per run (a campaign disperses them; a time of
    ``inf`` means the fault does not happen in that run)."""

    at_s: np.ndarray  # (runs,)
    crew: int
    kind: str
    value: np.ndarray  # (runs,) kg/s of water, leak C_d*A [m^2], cooling fraction, tether index


@dataclass(frozen=True)
class Plan:
    """A scenario compiled for the engine: typed arrays, built once by :func:`compile_plan`."""

    scenario: Scenario
    runs: int
    crew_ids: list[str]
    labels: list[list[str]]
    # timeline tables (crew, slots); durations and rates per run (runs, crew, slots)
    kind: np.ndarray
    dur_s: np.ndarray
    until_s: np.ndarray  # (C, S) run time a wait ends at (nan: by duration)
    any_until: bool  # some wait ends at a run time
    met_W: np.ndarray
    to_Pa: np.ndarray
    range_m: np.ndarray
    after_c: np.ndarray
    after_a: np.ndarray
    next_a: np.ndarray
    ingress_target: np.ndarray
    n_acts: np.ndarray
    crew: CrewParams
    vessel: VesselParams
    vessel_ids: list[str]
    locations: tuple[str, ...]  # names of the location codes: the vessels, then outside
    loc_after: np.ndarray  # (C, S) where each activity leaves the crew member
    hatch_of: np.ndarray  # (C, S) the vessel whose EVA hatch each activity goes by
    ops_back_s: np.ndarray  # (C, V) ingress, hatch close and repress by each vessel's hatch
    single_hatch: int  # the one vessel every activity goes by (-1: it varies)
    any_umbilical: bool  # a suit is fed by the vehicle's O2 store (umbilical or service)
    o2_store_kg: np.ndarray  # (runs,)
    faults: list[PlannedFault]
    motion: MotionPlan

    def on_vehicle_store(self) -> np.ndarray:
        """(R, C) the crew whose suits draw on the vehicle's O2 store at some time: the
        umbilical suits, and every suit where a vessel has a service umbilical."""
        return self.crew.umbilical | (bool(self.vessel.service.any()) & self.crew.has_suit)


_UNSUITED = {
    "liquid": False,
    "scrubber": False,
    "gas_volume_m3": 0.06,
    "rebreathed_ve_L_min": 1.0,
    "emittance": 1.0,
    "envelope0_m": 0.5,
    "helmet_first": False,
}


def _crew_arrays(sc: Scenario, runs: int) -> dict[str, np.ndarray]:
    cols: dict[str, list] = {
        k: []
        for k in (
            "has_suit",
            "eva",
            "umbilical",
            "p_set_Pa",
            "p_low_Pa",
            "cooling_W",
            "evap_kg_s",
            "liquid",
            "vent_m3_s",
            "purge_kg_s",
            "scrubber",
            "scrub_cap_kg",
            "o2_primary_kg",
            "o2_secondary_s",
            "secondary_kg_s",
            "reg_max_kg_s",
            "feedwater_kg",
            "battery_Ah",
            "battery_A",
            "battery_V",
            "gas_volume_m3",
            "leak_m3_s",
            "rebreathed_max",
            "rebreathed_ve_L_min",
            "envelope0_m",
            "compliance_m_per_Pa",
            "mass_kg",
            "speed_m_s",
            "motion_mass_kg",
            "propellant_kg",
            "isp_s",
            "absorptance",
            "emittance",
            "insulation_W_K",
            "vent_water_Pa",
            "helmet_first",
            "visor_coupling",
        )
    }
    for m in sc.crew:
        s = sc.suit_of(m)
        umb = sc.supply_of(m) == "umbilical"
        cols["has_suit"].append(s is not None)
        cols["eva"].append(m.role == "eva")
        cols["umbilical"].append(umb)
        cols["mass_kg"].append(m.mass_kg)
        cols["speed_m_s"].append(m.translation_speed_m_s)
        unit = UNITS[m.maneuvering_unit] if m.maneuvering_unit else None
        cols["motion_mass_kg"].append(
            suited_mass_properties(m.mass_kg, s.mass_kg if s else 0.0, unit)[0]
        )
        cols["propellant_kg"].append(unit.propellant_kg if unit else 0.0)
        cols["isp_s"].append(unit.isp_s if unit else 0.0)
        fixed = (
            "has_suit",
            "eva",
            "umbilical",
            "mass_kg",
            "speed_m_s",
            "motion_mass_kg",
            "propellant_kg",
            "isp_s",
        )
        if s is None:  # unsuited: neutral values that keep every array finite and typed
            for k in cols:
                if k not in fixed:
                    cols[k].append(_UNSUITED.get(k, 0.0))
            continue
        cols["absorptance"].append(s.absorptance)
        cols["emittance"].append(s.emittance)
        cols["insulation_W_K"].append(s.insulation_W_K)
        cols["vent_water_Pa"].append(p_sat_water_Pa(s.vent_dew_point_C + 273.15))
        cols["helmet_first"].append(s.vent_to_helmet_first)
        cols["visor_coupling"].append(s.visor_coupling)
        cols["p_set_Pa"].append(s.pressure_psi * PA_PER_PSI)
        cols["p_low_Pa"].append((s.low_pressure_psi or s.pressure_psi) * PA_PER_PSI)
        cols["cooling_W"].append(s.cooling_W)
        cols["evap_kg_s"].append(s.sweat_evaporation_kg_h / 3600.0)
        cols["liquid"].append(s.cooling == "liquid")
        cols["vent_m3_s"].append(s.vent_flow_cfm * M3_PER_FT3 / 60.0)
        cols["purge_kg_s"].append(s.purge_flow_kg_h / 3600.0)
        cols["scrubber"].append(s.co2_removal == "scrubber")
        cols["scrub_cap_kg"].append(s.scrubber_capacity_kg)
        cols["o2_primary_kg"].append(0.0 if umb else s.o2_primary_kg)
        cols["o2_secondary_s"].append(s.o2_secondary_min * 60.0)
        cols["secondary_kg_s"].append(s.secondary_flow_kg_h / 3600.0)
        cols["reg_max_kg_s"].append(s.regulator_max_kg_h / 3600.0)
        cols["feedwater_kg"].append(0.0 if umb else s.feedwater_kg)
        cols["battery_Ah"].append(0.0 if umb else s.battery_Ah)
        cols["battery_A"].append(0.0 if umb else s.battery_draw_A)
        cols["battery_V"].append(s.battery_V)
        cols["gas_volume_m3"].append(s.gas_volume_L / 1000.0)
        cols["leak_m3_s"].append(s.leak_cm3_min * 1e-6 / 60.0)
        cols["rebreathed_max"].append(s.co2_rebreathed_max)
        cols["rebreathed_ve_L_min"].append(s.co2_rebreathed_ve_L_min)
        cols["envelope0_m"].append(s.envelope_m)
        cols["compliance_m_per_Pa"].append(s.envelope_compliance_m_per_kPa / 1000.0)
    return {k: np.tile(np.asarray(v), (runs, 1)) for k, v in cols.items()}


def _vessel_arrays(sc: Scenario, runs: int) -> dict[str, np.ndarray]:
    specs = sc.vehicle.vessel_specs()
    cols = {
        "volume_m3": [v.gas.volume_m3 for v in specs],
        "p0_Pa": [v.gas.pressure_psi * PA_PER_PSI for v in specs],
        "o2_fraction": [v.gas.o2_fraction for v in specs],
        "T_K": [v.gas.temperature_K for v in specs],
        "vent_cdA_m2": [
            v.gas.vent_cd * np.pi * (v.gas.vent_diameter_cm / 100.0) ** 2 / 4.0 for v in specs
        ],
        "repress_kg_s": [v.gas.repress_flow_kg_min / 60.0 for v in specs],
        "repress_o2_fraction": [v.gas.repress_o2_fraction for v in specs],
        "hatch_diameter_m": [v.hatch_diameter_m if v.hatch else 0.0 for v in specs],
        "hatch_open_max_Pa": [v.hatch_open_max_psi * PA_PER_PSI for v in specs],
    }
    out = {k: np.tile(np.asarray(val, dtype=float), (runs, 1)) for k, val in cols.items()}
    out["hatch_inherits"] = np.array([v.inherits_hatch and v.hatch for v in specs])
    out["service"] = np.array([v.gas.service_umbilical for v in specs], dtype=bool)
    out["inside"] = np.array([v.inside for v in specs], dtype=np.int64)
    return out


@functools.lru_cache(maxsize=256)
def dose_after(stages: tuple) -> np.ndarray:
    """The tissue dose after a history of prebreathe stages, computed once per distinct
    history (crew sharing a cabin share it; every batch of a campaign compiles the same);
    a read-only array."""
    dose = np.array(dcs.history(stages), dtype=float)
    dose.flags.writeable = False
    return dose


def crew_history(sc: Scenario, member_id: str) -> list[tuple]:
    return stage_tuples(st for st in sc.prebreathe if not st.crew or member_id in st.crew)


def compile_plan(sc: Scenario, runs: int = 1) -> Plan:
    crew_ids = [m.id for m in sc.crew]
    n_crew = len(crew_ids)
    n_slots = max(len(sc.timeline[c]) for c in crew_ids) + 2  # a terminal pad, then return
    shape = (n_crew, n_slots)
    kind = np.full(shape, KIND["wait"], dtype=np.int64)
    dur = np.zeros(shape)
    until = np.full(shape, np.nan)
    met = np.full(shape, WORKLOADS_W["rest"])
    to_pa = np.full(shape, np.nan)
    rng = np.full(shape, np.nan)
    after_c = np.full(shape, -1, dtype=np.int64)
    after_a = np.zeros(shape, dtype=np.int64)
    next_a = np.zeros(shape, dtype=np.int64)
    target = np.full(shape, -1, dtype=np.int64)
    labels: list[list[str]] = []
    n_acts = np.zeros(n_crew, dtype=np.int64)
    loc_after = np.full(shape, OUTSIDE, dtype=np.int64)
    hatch_of = np.zeros(shape, dtype=np.int64)
    label_index = {c: {a.key: j for j, a in enumerate(sc.timeline[c])} for c in crew_ids}
    for ci, cid in enumerate(crew_ids):
        acts = sc.timeline[cid]
        n_acts[ci] = len(acts)
        walk = walk_vessels(sc.vehicle, acts)
        loc_after[ci, : len(acts)] = walk.after
        hatch_of[ci, : len(acts)] = walk.hatch
        hatch_of[ci, len(acts) :] = walk.hatch[-1] if acts else 0
        labels.append(
            [a.key for a in acts] + ["done"] * (n_slots - 1 - len(acts)) + ["return to hatch"]
        )
        for j, a in enumerate(acts):
            kind[ci, j] = KIND[a.activity]
            dur[ci, j] = (a.duration_min or 0.0) * 60.0
            if a.until_utc:  # a wait until a clock time: its length from the start of the run
                until[ci, j] = utc_seconds(a.until_utc) - utc_seconds(sc.scenario.start_utc)
            if a.metabolic_W is not None:
                met[ci, j] = a.metabolic_W
            else:
                met[ci, j] = WORKLOADS_W[a.workload or DEFAULT_WORKLOAD[a.activity]]
            if a.to_psi is not None:
                to_pa[ci, j] = a.to_psi * PA_PER_PSI
            if a.range_m is not None:
                rng[ci, j] = a.range_m
            if a.after:
                other, _, lab = a.after.partition(".")
                after_c[ci, j] = crew_ids.index(other)
                after_a[ci, j] = label_index[other][lab]
            next_a[ci, j] = j + 1
        # the next ingress at or after each activity: where terminate and abort lead
        nxt = -1
        for j in range(len(acts) - 1, -1, -1):
            if acts[j].activity == "ingress":
                nxt = j
            target[ci, j] = nxt
        # padding slots (beyond this crew's activities) are terminal
        for j in range(len(acts), n_slots):
            next_a[ci, j] = n_slots  # never reached: done is set at n_acts
        kind[ci, n_slots - 1] = RETURN
        met[ci, n_slots - 1] = WORKLOADS_W["moderate"]
    crew_cols = _crew_arrays(sc, runs)
    doses = [dose_after(tuple(crew_history(sc, cid))) for cid in crew_ids]
    dose0 = np.tile(np.stack(doses), (runs, 1, 1))
    crew = CrewParams(**crew_cols, met_factor=np.ones((runs, n_crew)), dose0=dose0)
    motion = _motion_plan(sc, crew_ids, hatch_of, runs)
    planned = [planned_fault(f, crew_ids, motion, runs) for f in sc.faults]
    vessel_ids = sc.vehicle.vessel_ids()
    return Plan(
        ops_back_s=_ops_back_s(sc, crew_ids),
        scenario=sc,
        runs=runs,
        crew_ids=crew_ids,
        labels=labels,
        kind=kind,
        dur_s=np.tile(dur, (runs, 1, 1)),
        until_s=until,
        any_until=bool(np.isfinite(until).any()),
        met_W=np.tile(met, (runs, 1, 1)),
        to_Pa=to_pa,
        range_m=rng,
        after_c=after_c,
        after_a=after_a,
        next_a=next_a,
        ingress_target=target,
        n_acts=n_acts,
        crew=crew,
        vessel=VesselParams(**_vessel_arrays(sc, runs)),
        vessel_ids=vessel_ids,
        locations=(*vessel_ids, "outside"),
        loc_after=loc_after,
        hatch_of=hatch_of,
        single_hatch=int(hatch_of.flat[0]) if (hatch_of == hatch_of.flat[0]).all() else -1,
        any_umbilical=bool(crew.umbilical.any())
        or any(v.gas.service_umbilical for v in sc.vehicle.vessel_specs()),
        o2_store_kg=np.full(runs, sc.vehicle.o2_store_kg),
        faults=planned,
        motion=motion,
    )


def planned_fault(f, crew_ids: list[str], motion: MotionPlan, runs: int) -> PlannedFault:
    """A scenario's fault as the engine applies it, the same in every run."""
    c = crew_ids.index(f.crew)
    if f.kind == "tether-break":
        value = float(motion.tether_ids[c].index(f.tether))
    else:
        value = {
            "water-intrusion": (f.rate_mL_min or 0.0) / 1000.0 / 60.0,  # kg/s of water
            "suit-leak": hole_cdA_m2(f.hole_diameter_mm or 0.0),
            "cooling-failure": f.remaining_fraction or 0.0,
        }.get(f.kind, 0.0)
    return PlannedFault(np.full(runs, f.at_min * 60.0), c, f.kind, np.full(runs, value))


def hole_cdA_m2(diameter_mm):
    """Effective area of a suit hole (the vents' discharge coefficient)."""
    return DISCHARGE_CD * np.pi * (np.asarray(diameter_mm) / 1000.0) ** 2 / 4.0
