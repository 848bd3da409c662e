"""Scenario files: the typed model of a spacewalk and its validation.

A scenario is TOML data, parsed with :mod:`tomllib` (never evaluated) and checked here.
Every problem becomes an :class:`Issue` naming the key path, what was expected and how to
fix it; :class:`ScenarioError` carries all of them at once. See ``docs/scenario-format.md``.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from ..physics.dcs import VO2_REST_ML_KG_MIN
from ..physics.maneuvering import UNITS
from ..physics.orbit import tle_line_problem
from ..units import CABIN_GAS_T_K, DISCHARGE_CD
from .channels import CHANNELS
from .events import EVENTS
from .presets import SUITS, WORKLOADS_W
from .protocols import PROTOCOLS


def _finite3(v: tuple[float, float, float]) -> tuple[float, float, float]:
    if not all(abs(c) < 1e7 for c in v):
        raise ValueError("each component must be a finite number of metres (or m/s, deg/s)")
    return v


# a vector [x, y, z]: positions in the vehicle's Hill frame H or a body frame B (motion.py)
Vec3 = Annotated[tuple[float, float, float], AfterValidator(_finite3)]

ACTIVITIES = (
    "suit-up",
    "prebreathe",
    "enter-airlock",
    "depress",
    "egress",
    "translate",
    "task",
    "rest",
    "wait",
    "ingress",
    "hatch-close",
    "repress",
    "leave-airlock",
    "doff",
    "free-float",
    "fly",
    "hold",
    "capture",
    "release",
    "ride",
    "recharge",
)
# activities in which the crew member is a free body (drifting, or flown by a unit)
FREE_ACTIVITIES = ("free-float", "fly", "hold", "capture", "release")
# activities that need a maneuvering unit
UNIT_ACTIVITIES = ("fly", "capture")
# activities that end on an event rather than a duration (arrival, capture)
EVENT_ACTIVITIES = ("fly", "capture", "release", "ride")
RESTRAINTS = ("handrail", "foot-restraint", "ladder", "arm")
# activities that end on a pressure condition rather than a duration
PRESSURE_ACTIVITIES = ("depress", "repress")
DEFAULT_WORKLOAD = {
    "suit-up": "light",
    "prebreathe": "rest",
    "enter-airlock": "light",
    "depress": "rest",
    "egress": "light",
    "translate": "moderate",
    "task": "moderate",
    "rest": "rest",
    "wait": "rest",
    "ingress": "light",
    "hatch-close": "light",
    "repress": "rest",
    "leave-airlock": "light",
    "doff": "light",
    "free-float": "light",
    "fly": "light",
    "hold": "light",
    "capture": "moderate",
    "release": "light",
    "ride": "light",
    "recharge": "light",
}
FAULT_KINDS = {
    "water-intrusion": {"rate_mL_min"},
    "suit-leak": {"hole_diameter_mm"},
    "regulator-failure": set(),
    "cooling-failure": {"remaining_fraction"},
    "scrubber-exhausted": set(),
    "fan-failure": set(),
    "tether-break": {"tether"},
}
RULE_ACTIONS = ("alarm", "terminate", "abort", "lower-suit-pressure", "open-purge", "rescue")


class _Model(BaseModel):
    # NaN and infinities are refused in every number of a scenario (an inf store or a NaN
    # weight would pass a range check and break the run)
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


EARLIEST_UTC = "1957-10-04T00:00:00Z"  # Sputnik 1: nothing flew before
LATEST_UTC = "2200-01-01T00:00:00Z"


def _instant(text: str) -> str:
    """An optional UTC instant in the years an orbit model and a clock can handle."""
    if text:
        t = utc_seconds(text)
        if not utc_seconds(EARLIEST_UTC) <= t < utc_seconds(LATEST_UTC):
            raise ValueError(f"{text!r} is outside {EARLIEST_UTC[:10]} to {LATEST_UTC[:10]}")
    return text


UtcInstant = Annotated[str, AfterValidator(_instant)]


class ScenarioInfo(_Model):
    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = ""
    description: str = ""
    date: str = ""
    start_utc: UtcInstant = ""
    seed: int = Field(default=0, ge=0)
    catalogue_id: str = ""


class EngineSettings(_Model):
    dt_s: float = Field(default=10.0, gt=0, le=60)
    record_every_s: float = Field(default=30.0, gt=0, le=3600)
    max_duration_h: float = Field(default=12.0, gt=0, le=240)
    dcs_dt_s: float = Field(default=60.0, gt=0, le=3600)
    motion_dt_s: float = Field(default=0.1, gt=0, le=10)
    relative_motion: Literal["cw", "nonlinear"] = "cw"

    @model_validator(mode="after")
    def _rates_are_multiples(self):
        sub = self.dt_s / self.motion_dt_s
        if abs(sub - round(sub)) > 1e-9 or round(sub) < 1:
            raise ValueError(
                f"dt_s ({self.dt_s}) must be a whole multiple of motion_dt_s "
                f"({self.motion_dt_s}); set motion_dt_s = {self.dt_s / max(1, round(sub)):g}"
            )
        for name in ("record_every_s", "dcs_dt_s"):
            ratio = getattr(self, name) / self.dt_s
            if abs(ratio - round(ratio)) > 1e-9 or round(ratio) < 1:
                raise ValueError(
                    f"{name} ({getattr(self, name)}) must be a whole multiple of dt_s "
                    f"({self.dt_s}); set {name} = {max(1, round(ratio)) * self.dt_s:g}"
                )
        return self


class Vessel(_Model):
    volume_m3: float = Field(gt=0, le=2000)
    pressure_psi: float = Field(ge=0, le=20)
    o2_fraction: float = Field(default=0.21, gt=0, le=1)
    temperature_K: float = Field(default=CABIN_GAS_T_K, gt=200, lt=350)
    vent_diameter_cm: float = Field(gt=0, le=100)
    vent_cd: float = Field(default=DISCHARGE_CD, gt=0, le=1)
    repress_flow_kg_min: float = Field(gt=0, le=1000)
    repress_o2_fraction: float = Field(default=0.21, gt=0, le=1)
    # suits in this vessel can be plugged into the vehicle's O2, power and cooling water (the
    # Shuttle's and ISS's service and cooling umbilical): a backpack suit draws on them here
    # and switches to its own stores when it leaves the vessel
    service_umbilical: bool = False


class Lock(Vessel):
    """A vessel beside the cabin: an airlock, a crew lock, an equipment lock, an orbital
    module. Its inner hatch opens into ``inside``; ``hatch`` says whether it has a hatch to
    vacuum (the EVA hatch), whose size, position and opening pressure default to the
    vehicle's."""

    inside: str = "cabin"
    hatch: bool = True
    hatch_diameter_m: float | None = Field(default=None, gt=0, le=5)
    hatch_open_max_psi: float | None = Field(default=None, ge=0, le=15)
    hatch_m: Vec3 | None = None


@dataclass(frozen=True)
class VesselSpec:
    """One vessel of a vehicle as the engine sees it (:meth:`Vehicle.vessel_specs`)."""

    id: str
    gas: Vessel
    inside: int  # index of the vessel its inner hatch opens into (-1: the cabin itself)
    hatch: bool  # a hatch to vacuum
    hatch_diameter_m: float
    hatch_open_max_psi: float
    hatch_m: tuple[float, float, float]
    inherits_hatch: bool  # the hatch size is the vehicle's (a dispersion of it applies)


class Box(_Model):
    """A solid part of the vehicle: a box aligned with the vehicle frame."""

    id: str = Field(min_length=1)
    center_m: Vec3
    size_m: Vec3  # full extents along x, y, z

    @model_validator(mode="after")
    def _positive(self):
        if min(self.size_m) <= 0:
            raise ValueError("size_m must be three lengths above 0 (full extents along x, y, z)")
        return self


class Cylinder(_Model):
    """A solid part of the vehicle: a cylinder from the centre of one end to the other."""

    id: str = Field(min_length=1)
    from_m: Vec3
    to_m: Vec3
    radius_m: float = Field(gt=0, le=100)

    @model_validator(mode="after")
    def _length(self):
        if sum((a - b) ** 2 for a, b in zip(self.from_m, self.to_m, strict=True)) < 1e-6:
            raise ValueError("from_m and to_m must be two different points (the end centres)")
        return self


class Shape(_Model):
    """The vehicle's outside as simple solids: what a free body hits, what the plots draw."""

    boxes: list[Box] = Field(default_factory=list, max_length=64)
    cylinders: list[Cylinder] = Field(default_factory=list, max_length=64)


class Site(_Model):
    """A named place on the outside: a worksite, a foot-restraint socket, a junction."""

    at_m: Vec3
    restraint: Literal[RESTRAINTS] | None = None  # type: ignore[valid-type]
    note: str = ""


class TranslationPath(_Model):
    """A handrail (or ladder) route between two places, straight from point to point."""

    from_: str = Field(alias="from", min_length=1)
    to: str = Field(min_length=1)
    via_m: list[Vec3] = Field(default_factory=list, max_length=64)
    kind: Literal["handrail", "ladder"] = "handrail"


class Arm(_Model):
    """A robot arm a crew member rides (``ride``): where it is based and how far it reaches."""

    base_m: Vec3
    reach_m: float = Field(gt=0, le=100)


class Vehicle(_Model):
    name: str = ""
    cabin: Vessel
    airlock: Lock | None = None
    vessels: dict[str, Lock] = Field(default_factory=dict, max_length=8)
    hatch_diameter_m: float = Field(gt=0, le=5)
    hatch_open_max_psi: float = Field(default=0.2, ge=0, le=15)
    o2_store_kg: float = Field(default=0.0, ge=0)
    hatch_m: Vec3 = (0.0, 0.0, 0.0)
    translation_direction: Vec3 = (0.0, 0.0, 1.0)
    # the outside: solids, named places and the handrail routes between them (a graph the
    # crew translate along); without paths, held translation is a straight line
    shape: Shape = Shape()
    sites: dict[str, Site] = Field(default_factory=dict, max_length=256)
    paths: list[TranslationPath] = Field(default_factory=list, max_length=512)
    arm: Arm | None = None  # a ride's end must be within its reach

    @model_validator(mode="after")
    def _direction(self):
        if sum(c * c for c in self.translation_direction) < 1e-12:
            raise ValueError("translation_direction must not be the zero vector")
        return self

    def outline(self) -> dict:
        """The outside as plain data for drawings: solids, each handrail path as the points
        it goes through, the sites and the EVA hatches (positions in the vehicle frame [m])."""
        where = {k: tuple(v.at_m) for k, v in self.sites.items()} | {"hatch": tuple(self.hatch_m)}
        hatches = [{"id": v.id, "at_m": list(v.hatch_m)} for v in self.vessel_specs() if v.hatch]
        where |= {h["id"]: tuple(h["at_m"]) for h in hatches}
        return {
            "boxes": [b.model_dump() for b in self.shape.boxes],
            "cylinders": [c.model_dump() for c in self.shape.cylinders],
            "paths": [
                {
                    "kind": p.kind,
                    "points": [list(where[p.from_]), *map(list, p.via_m), list(where[p.to])],
                }
                for p in self.paths
                if p.from_ in where and p.to in where
            ],
            "sites": [{"id": k, "at_m": list(v.at_m)} for k, v in self.sites.items()],
            "hatches": hatches,
            "arm": None if self.arm is None else self.arm.model_dump(),
        }

    def vessel_ids(self) -> list[str]:
        """The vessels in engine order: the cabin, the airlock, then [vehicle.vessels.*]."""
        return ["cabin"] + (["airlock"] if self.airlock else []) + list(self.vessels)

    def locks(self) -> dict[str, Lock]:
        return ({"airlock": self.airlock} if self.airlock else {}) | dict(self.vessels)

    def cabin_is_airlock(self) -> bool:
        """No other vessel has a hatch to vacuum: the whole cabin is vented (Gemini, Dragon)."""
        return not any(v.hatch for v in self.locks().values())

    def vessel_specs(self) -> list[VesselSpec]:
        """Every vessel with its hatches resolved (a valid vehicle: ``inside`` names exist)."""
        ids = self.vessel_ids()
        specs = [
            VesselSpec(
                "cabin",
                self.cabin,
                -1,
                self.cabin_is_airlock(),
                self.hatch_diameter_m,
                self.hatch_open_max_psi,
                self.hatch_m,
                True,
            )
        ]
        for vid, v in self.locks().items():
            specs.append(
                VesselSpec(
                    vid,
                    v,
                    ids.index(v.inside),
                    v.hatch,
                    v.hatch_diameter_m or self.hatch_diameter_m,
                    self.hatch_open_max_psi
                    if v.hatch_open_max_psi is None
                    else v.hatch_open_max_psi,
                    v.hatch_m or self.hatch_m,
                    v.hatch_diameter_m is None,
                )
            )
        return specs


VESSEL_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
OUTSIDE = -1  # the location code of a crew member outside (vessels are 0, 1, ...)


@dataclass(frozen=True)
class VesselWalk:
    """Where a crew member's activities take place, from a walk through the timeline from
    the cabin: per activity the location after it (``after``), a vessel index of
    :meth:`Vehicle.vessel_ids` or :data:`OUTSIDE`, and ``hatch``, the
    vessel whose EVA hatch the crew member goes out or comes in by (the next egress or
    ingress, else the last). ``problems`` are (activity index, key, problem, fix): the
    first only, as the rest of the walk depends on it."""

    after: list[int]
    hatch: list[int]
    problems: list[tuple[int, str, str, str]]


def walk_vessels(vehicle: Vehicle, acts: list[Activity]) -> VesselWalk:
    specs = vehicle.vessel_specs()
    ids = [v.id for v in specs]
    hatched = [v.id for v in specs if v.hatch]
    problems: list[tuple[int, str, str, str]] = []
    here, afters, gates = 0, [], []  # gates: (index, vessel) of egress/ingress
    last_out = -1
    for j, a in enumerate(acts):
        name = "outside" if here == OUTSIDE else ids[here]
        if a.activity == "enter-airlock":
            children = [v.id for v in specs if v.inside == here and here != OUTSIDE]
            if here == OUTSIDE:
                problems.append((j, "activity", "'enter-airlock' from outside", "use ingress"))
            elif a.vessel:
                if a.vessel not in ids or specs[ids.index(a.vessel)].inside != here:
                    problems.append(
                        (
                            j,
                            "vessel",
                            f"no vessel {a.vessel!r} opens into the {name}",
                            f"from the {name} you can enter: {', '.join(children) or 'none'}",
                        )
                    )
                else:
                    here = ids.index(a.vessel)
            elif len(children) == 1:
                here = ids.index(children[0])
            elif not children:
                problems.append(
                    (
                        j,
                        "activity",
                        f"'enter-airlock' from the {name}, which has no lock opening into it",
                        "remove it, or add [vehicle.airlock] (or [vehicle.vessels.NAME] with "
                        f'inside = "{name}")',
                    )
                )
            else:
                problems.append(
                    (
                        j,
                        "vessel",
                        f"the {name} opens into {len(children)} locks; which one?",
                        f"set vessel = one of {', '.join(children)}",
                    )
                )
        elif a.activity == "leave-airlock":
            if here <= 0:
                problems.append((j, "activity", f"'leave-airlock' from the {name}", "remove it"))
            else:
                here = specs[here].inside
        elif a.activity == "egress":
            if here != OUTSIDE and not specs[here].hatch:
                problems.append(
                    (
                        j,
                        "activity",
                        f"egress from the {name}, which has no hatch to vacuum",
                        f"enter a vessel with one first ({', '.join(hatched)})",
                    )
                )
            elif here != OUTSIDE:
                gates.append((j, here))
                last_out, here = here, OUTSIDE
        elif a.activity == "ingress":
            dest = last_out if last_out >= 0 else (here if here >= 0 else -1)
            if a.vessel:
                dest = ids.index(a.vessel) if a.vessel in ids else -2
            if dest == -2:
                problems.append(
                    (
                        j,
                        "vessel",
                        f"no vessel is called {a.vessel!r}",
                        f"use one of {', '.join(hatched)}",
                    )
                )
            elif dest >= 0 and not specs[dest].hatch:
                problems.append(
                    (
                        j,
                        "vessel",
                        f"ingress into {a.vessel or ids[dest]!r}, which has no hatch to vacuum",
                        f"use one of {', '.join(hatched)}",
                    )
                )
            elif dest == -1 and len(hatched) > 1:
                problems.append(
                    (
                        j,
                        "vessel",
                        "ingress before any egress",
                        f"set vessel = one of {', '.join(hatched)}",
                    )
                )
            else:
                dest = dest if dest >= 0 else ids.index(hatched[0])
                gates.append((j, dest))
                here = dest
        afters.append(here)
        if problems:  # what follows depends on where this left the crew member
            afters += [here] * (len(acts) - j - 1)
            break
    default = gates[0][1] if gates else ids.index(hatched[0])
    hatch, g = [], 0
    for j in range(len(acts)):
        while g < len(gates) and gates[g][0] < j:
            g += 1
        hatch.append(gates[g][1] if g < len(gates) else (gates[-1][1] if gates else default))
    return VesselWalk(afters, hatch, problems)


class Orbit(_Model):
    altitude_km: float | None = Field(default=None, gt=100, lt=100000)
    perigee_km: float | None = Field(default=None, gt=100, lt=100000)
    apogee_km: float | None = Field(default=None, gt=100, lt=100000)
    inclination_deg: float | None = Field(default=None, ge=0, le=180)
    raan_deg: float = Field(default=0.0, ge=-360, le=360)
    arg_perigee_deg: float = Field(default=0.0, ge=-360, le=360)
    mean_anomaly_deg: float = Field(default=0.0, ge=-360, le=360)
    epoch_utc: UtcInstant = ""
    tle: list[str] | None = Field(default=None, min_length=2, max_length=2)

    @model_validator(mode="after")
    def _one_shape(self):
        if self.tle is not None:
            given = [
                k
                for k in ("altitude_km", "perigee_km", "apogee_km", "inclination_deg")
                if getattr(self, k) is not None
            ]
            if given:
                raise ValueError(
                    f"a TLE defines the whole orbit; remove {', '.join(given)} or the tle"
                )
            for number, line in enumerate(self.tle, start=1):
                problem = tle_line_problem(number, line)
                if problem:
                    raise ValueError(f"tle line {number} {problem}")
            return self
        if self.inclination_deg is None:
            raise ValueError("give inclination_deg (or a two-line element set as tle)")
        if self.altitude_km is not None and (self.perigee_km or self.apogee_km):
            raise ValueError("give either altitude_km, or perigee_km and apogee_km, not both")
        if self.altitude_km is None:
            if self.perigee_km is None or self.apogee_km is None:
                raise ValueError("give altitude_km, or both perigee_km and apogee_km")
            if self.perigee_km > self.apogee_km:
                raise ValueError(
                    f"perigee_km ({self.perigee_km}) is above apogee_km ({self.apogee_km}); "
                    "swap them"
                )
        return self


class PrebreatheStage(_Model):
    """One stage of the pre-simulation history (cabin atmosphere or mask O2), or a named
    protocol of :mod:`spacewalk.scenario.protocols` standing for its stages."""

    label: str = ""
    protocol: str = ""
    duration_min: float | None = Field(default=None, gt=0, le=20000)
    pressure_psi: float | None = Field(default=None, gt=0, le=20)
    end_pressure_psi: float | None = Field(default=None, gt=0, le=20)
    o2_fraction: float | None = Field(default=None, gt=0, le=1)
    end_o2_fraction: float | None = Field(default=None, gt=0, le=1)
    # O2 uptake during the stage [mL/(kg min)]: 4.0 at rest (NASA/TP-2004-213158); exercise
    # speeds the DCS model's exercise tissue (its N2 leaves faster on O2, comes back faster on air)
    vo2_mL_kg_min: float = Field(default=VO2_REST_ML_KG_MIN, gt=0, le=80)
    crew: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _stage_or_protocol(self):
        own = ("duration_min", "pressure_psi", "end_pressure_psi", "o2_fraction", "end_o2_fraction")
        if self.protocol:
            if self.protocol not in PROTOCOLS:
                near = difflib.get_close_matches(self.protocol, PROTOCOLS, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                raise ValueError(
                    f"unknown protocol {self.protocol!r}{hint}; the library has "
                    + ", ".join(PROTOCOLS)
                )
            given = [k for k in own if getattr(self, k) is not None]
            if given:
                raise ValueError(
                    f"a stage with protocol = {self.protocol!r} takes its stages from the "
                    f"library; remove {', '.join(given)} (or drop protocol and give the stage)"
                )
        else:
            required = ("duration_min", "pressure_psi", "o2_fraction")
            missing = [k for k in required if getattr(self, k) is None]
            if missing:
                raise ValueError(
                    f'a prebreathe stage needs {", ".join(missing)} (or protocol = "NAME": '
                    + ", ".join(PROTOCOLS)
                    + ")"
                )
        return self


class Suit(_Model):
    """A suit model: a preset from :data:`spacewalk.presets.SUITS` with overrides."""

    base: str = ""
    title: str = ""
    pressure_psi: float = Field(gt=0, le=15)
    low_pressure_psi: float | None = Field(default=None, gt=0, le=15)
    cooling: Literal["liquid", "gas"]
    cooling_W: float = Field(ge=0, le=5000)
    sweat_evaporation_kg_h: float = Field(ge=0, le=5)
    vent_flow_cfm: float = Field(ge=0, le=50)
    purge_flow_kg_h: float = Field(ge=0, le=50)
    co2_removal: Literal["scrubber", "purge"]
    scrubber_capacity_kg: float = Field(ge=0, le=20)
    o2_primary_kg: float = Field(ge=0, le=50)
    o2_secondary_min: float = Field(ge=0, le=600)
    secondary_flow_kg_h: float = Field(default=0.0, ge=0, le=50)
    regulator_max_kg_h: float = Field(gt=0, le=100)
    feedwater_kg: float = Field(ge=0, le=50)
    battery_Ah: float = Field(ge=0, le=500)
    battery_draw_A: float = Field(ge=0, le=50)
    battery_V: float = Field(ge=0, le=100)
    gas_volume_L: float = Field(gt=0, le=1000)
    leak_cm3_min: float = Field(ge=0, le=1e6)
    co2_rebreathed_max: float = Field(ge=0, le=1)
    co2_rebreathed_ve_L_min: float = Field(gt=0, le=200)
    envelope_m: float = Field(gt=0, le=5)
    envelope_compliance_m_per_kPa: float = Field(ge=0, le=1)
    supply: Literal["backpack", "umbilical"]
    mass_kg: float = Field(gt=0, le=500)
    absorptance: float = Field(gt=0, le=1)
    emittance: float = Field(gt=0, le=1)
    insulation_W_K: float = Field(ge=0, le=100)
    vent_dew_point_C: float = Field(ge=-80, le=35)
    vent_to_helmet_first: bool
    visor_coupling: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _consistent(self):
        if self.low_pressure_psi is not None and self.low_pressure_psi >= self.pressure_psi:
            raise ValueError(
                f"low_pressure_psi ({self.low_pressure_psi:g}) must be below pressure_psi "
                f"({self.pressure_psi:g})"
            )
        if self.co2_removal == "scrubber" and self.vent_flow_cfm <= 0:
            raise ValueError("a scrubber suit needs vent_flow_cfm > 0 to carry CO2 to it")
        if self.co2_removal == "purge" and self.purge_flow_kg_h <= 0:
            raise ValueError("a purge-ventilated suit needs purge_flow_kg_h > 0")
        if self.o2_secondary_min > 0 and self.secondary_flow_kg_h <= 0:
            raise ValueError(
                "a secondary O2 reserve (o2_secondary_min) needs its design flow: set "
                "secondary_flow_kg_h (its mass is the minutes at that flow)"
            )
        if self.purge_flow_kg_h >= self.regulator_max_kg_h:
            raise ValueError(
                f"the regulator's maximum flow ({self.regulator_max_kg_h:g} kg/h) must exceed "
                f"the purge flow ({self.purge_flow_kg_h:g} kg/h) it feeds"
            )
        return self


class Tether(_Model):
    """A tether or umbilical: a one-sided spring-damper from the vehicle to the suit."""

    id: str = Field(default="tether", min_length=1)
    length_m: float = Field(gt=0, le=100)
    stiffness_N_m: float = Field(default=2000.0, gt=0, le=1e7)  # NF: assumption, see docs
    damping_N_s_m: float = Field(default=50.0, ge=0, le=1e5)  # NF: assumption, see docs
    anchor_m: Vec3 | None = None  # on the vehicle (H); default: the hatch
    attach_m: Vec3 = (0.2, 0.0, -0.1)  # on the suit (B): the waist ring, ahead of the CoM


class CrewMember(_Model):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = ""
    role: Literal["eva", "inside"]
    suit: str | None = None
    supply: Literal["backpack", "umbilical"] | None = None
    mass_kg: float = Field(default=75.0, gt=30, lt=200)
    umbilical_length_m: float | None = Field(default=None, gt=0, le=100)
    tether_length_m: float | None = Field(default=None, gt=0, le=100)
    translation_speed_m_s: float = Field(default=0.15, gt=0, le=2)
    maneuvering_unit: Literal[tuple(UNITS)] | None = None  # type: ignore[valid-type]
    tethers: list[Tether] = Field(default_factory=list, max_length=4)

    def all_tethers(self) -> list[Tether]:
        """The umbilical and safety tether given by length, then the ones given in full."""
        out = []
        if self.umbilical_length_m is not None:
            out.append(Tether(id="umbilical", length_m=self.umbilical_length_m))
        if self.tether_length_m is not None:
            out.append(Tether(id="tether", length_m=self.tether_length_m))
        return out + list(self.tethers)


class Target(_Model):
    """A free rigid body near the vehicle: a satellite to capture."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = ""
    mass_kg: float = Field(gt=0, le=1e5)
    inertia_kg_m2: Vec3
    position_m: Vec3
    velocity_m_s: Vec3 = (0.0, 0.0, 0.0)
    spin_rpm: float = Field(default=0.0, ge=0, le=200)
    spin_axis: Vec3 = (0.0, 0.0, 1.0)
    capture_offset_m: Vec3 = (0.0, 0.0, 0.0)

    @model_validator(mode="after")
    def _positive(self):
        if min(self.inertia_kg_m2) <= 0:
            raise ValueError("inertia_kg_m2 must be three positive principal inertias")
        if sum(c * c for c in self.spin_axis) < 1e-12:
            raise ValueError("spin_axis must not be the zero vector")
        return self


def utc_seconds(text: str) -> float:
    """Seconds since the Unix epoch of an ISO 8601 UTC instant ``YYYY-MM-DDTHH:MM:SSZ``."""
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a UTC instant; write it as YYYY-MM-DDTHH:MM:SSZ"
        ) from None
    if dt.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone; end it with Z (UTC)")
    return dt.timestamp()


class Activity(_Model):
    activity: Literal[ACTIVITIES]  # type: ignore[valid-type]
    label: str = ""
    duration_min: float | None = Field(default=None, ge=0, le=10000)
    workload: Literal[tuple(WORKLOADS_W)] | None = None  # type: ignore[valid-type]
    metabolic_W: float | None = Field(default=None, gt=0, le=2000)
    after: str = ""
    until_utc: str = ""
    to_psi: float | None = Field(default=None, ge=0, le=20)
    range_m: float | None = Field(default=None, ge=0, le=10000)
    at_m: Vec3 | None = None
    restraint: Literal[RESTRAINTS] | None = None  # type: ignore[valid-type]
    to: str = ""
    speed_m_s: float | None = Field(default=None, gt=0, le=5)
    push_m_s: Vec3 | None = None
    spin_deg_s: Vec3 | None = None
    vessel: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _per_kind(self):
        kind = self.activity
        if self.workload is not None and self.metabolic_W is not None:
            raise ValueError("give workload or metabolic_W, not both")
        if kind in PRESSURE_ACTIVITIES:
            if self.duration_min is not None:
                raise ValueError(
                    f"'{kind}' ends when the vessel reaches to_psi, it takes no duration_min; "
                    "remove duration_min (the time comes from the gas physics)"
                )
            if self.to_psi is None:
                raise ValueError(f"'{kind}' needs to_psi, the vessel pressure that ends it")
        else:
            if self.to_psi is not None:
                raise ValueError(f"to_psi belongs to depress or repress, not '{kind}'")
            if self.until_utc:
                if kind != "wait" or self.duration_min is not None:
                    raise ValueError("until_utc belongs to a wait, instead of duration_min")
                utc_seconds(self.until_utc)
            elif (
                self.duration_min is None
                and not (kind == "wait" and self.after)
                and kind not in EVENT_ACTIVITIES
            ):
                raise ValueError(
                    f"'{kind}' needs duration_min"
                    + (" (or after, to wait for another crew member)" if kind == "wait" else "")
                )
        placed = ("translate", "task", "egress", "ride", "fly")
        if self.range_m is not None and kind not in ("translate", "task", "egress"):
            raise ValueError(f"range_m belongs to translate, task or egress, not '{kind}'")
        if self.at_m is not None and kind not in placed:
            raise ValueError(f"at_m belongs to {', '.join(placed)}, not '{kind}'")
        if self.at_m is not None and self.range_m is not None:
            raise ValueError("give at_m (a position) or range_m (a distance), not both")
        if kind == "fly" and (self.at_m is None) == (not self.to):
            raise ValueError(
                "'fly' needs exactly one destination: at_m = [x, y, z], or to = \"hatch\" "
                "or a target id"
            )
        if kind == "capture" and not self.to:
            raise ValueError("'capture' needs to = the id of a [[targets]] entry")
        if self.to and kind not in ("fly", "capture", "translate", "task"):
            raise ValueError(
                f"to belongs to fly, capture (a target or the hatch) or translate, task (a "
                f"[vehicle.sites] place), not '{kind}'"
            )
        if (
            self.to
            and kind in ("translate", "task")
            and (self.at_m is not None or self.range_m is not None)
        ):
            raise ValueError("give to (a site), at_m or range_m: one of them")
        if kind == "ride" and self.at_m is None:
            raise ValueError("'ride' needs at_m, where the arm takes the crew member")
        for name in ("push_m_s", "spin_deg_s"):
            if getattr(self, name) is not None and kind != "free-float":
                raise ValueError(f"{name} belongs to free-float, not '{kind}'")
        if self.speed_m_s is not None and kind not in ("fly", "ride", "translate"):
            raise ValueError(f"speed_m_s belongs to fly, ride or translate, not '{kind}'")
        if self.restraint is not None and kind in FREE_ACTIVITIES:
            raise ValueError(f"'{kind}' is free flight; a restraint does not apply")
        if self.vessel and kind not in ("enter-airlock", "ingress"):
            raise ValueError(
                f"vessel belongs to enter-airlock (the lock to enter) or ingress (the vessel "
                f"to come back into), not '{kind}'"
            )
        return self

    @property
    def key(self) -> str:
        return self.label or self.activity


class FlightRule(_Model):
    id: str = Field(min_length=1)
    channel: str
    above: float | None = None
    below: float | None = None
    level: Literal["caution", "warning"] = "caution"
    action: Literal[RULE_ACTIONS] = "alarm"  # type: ignore[valid-type]
    applies: Literal["suited", "outside", "always", "airlock"] = "suited"
    message: str = ""

    @model_validator(mode="after")
    def _one_limit(self):
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of above or below")
        return self


class Fault(_Model):
    kind: Literal[tuple(FAULT_KINDS)]  # type: ignore[valid-type]
    crew: str
    at_min: float = Field(ge=0, le=10000)
    rate_mL_min: float | None = Field(default=None, gt=0, le=10000)
    hole_diameter_mm: float | None = Field(default=None, gt=0, le=100)
    remaining_fraction: float | None = Field(default=None, ge=0, lt=1)
    tether: str | None = None

    @model_validator(mode="after")
    def _params(self):
        allowed = FAULT_KINDS[self.kind]
        given = {
            k
            for k in ("rate_mL_min", "hole_diameter_mm", "remaining_fraction", "tether")
            if getattr(self, k) is not None
        }
        extra = given - allowed
        if extra:
            raise ValueError(
                f"a '{self.kind}' fault takes {sorted(allowed) or 'no parameters'}, "
                f"not {sorted(extra)}"
            )
        missing = allowed - given - {"remaining_fraction"}
        if missing:
            raise ValueError(f"a '{self.kind}' fault needs {sorted(missing)}")
        return self


DISTRIBUTIONS = {  # the parameters each distribution takes (required, then optional)
    "normal": ({"mean", "sd"}, set()),
    "truncnormal": ({"mean", "sd"}, {"low", "high"}),
    "uniform": ({"low", "high"}, set()),
    "lognormal": ({"median", "sigma"}, set()),
    "choice": ({"values"}, {"weights"}),
    "exponential": ({"rate_per_h"}, {"low"}),
}
_DIST_PARAMS = ("mean", "sd", "low", "high", "median", "sigma", "values", "weights", "rate_per_h")


class Dispersion(_Model):
    """One dispersed parameter of a Monte Carlo campaign (see docs/campaigns.md)."""

    target: str = Field(min_length=1)
    distribution: Literal[tuple(DISTRIBUTIONS)]  # type: ignore[valid-type]
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)
    low: float | None = None
    high: float | None = None
    median: float | None = Field(default=None, gt=0)
    sigma: float | None = Field(default=None, gt=0)
    values: list[float] | None = Field(default=None, min_length=1)
    weights: list[float] | None = None
    rate_per_h: float | None = Field(default=None, gt=0)
    relative: bool = False
    shared: bool = False
    note: str = ""

    @model_validator(mode="after")
    def _params(self):
        required, optional = DISTRIBUTIONS[self.distribution]
        given = {k for k in _DIST_PARAMS if getattr(self, k) is not None}
        extra = given - required - optional
        if extra:
            raise ValueError(
                f"a '{self.distribution}' distribution takes {sorted(required | optional)}, "
                f"not {sorted(extra)}"
            )
        missing = required - given
        if missing:
            raise ValueError(f"a '{self.distribution}' distribution needs {sorted(missing)}")
        if self.distribution == "truncnormal" and self.low is None and self.high is None:
            raise ValueError("a 'truncnormal' distribution needs low, high or both")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.distribution == "truncnormal":
            lo = -math.inf if self.low is None else self.low
            hi = math.inf if self.high is None else self.high
            if not lo <= self.mean <= hi:
                raise ValueError("the mean of a truncated normal must lie between low and high")
        if self.weights is not None:
            if len(self.weights) != len(self.values or []):
                raise ValueError("weights must have one entry per value")
            if min(self.weights) < 0 or sum(self.weights) <= 0:
                raise ValueError("weights must be non-negative with a positive sum")
        return self


class CampaignSettings(_Model):
    """The ``[campaign]`` table: seed, default number of runs, batch size, dispersions."""

    seed: int | None = Field(default=None, ge=0)
    runs: int = Field(default=1000, ge=1, le=100_000_000)
    batch_size: int | None = Field(default=None, ge=1, le=100_000)  # None: chosen per campaign
    dispersions: list[Dispersion] = Field(default_factory=list, max_length=200)


# the metrics a [[documented]] figure can use (spacewalk.history), and what each needs;
# "when" is an activity (with edge) or an event
METRIC_PARAMS: dict[str, tuple[str, ...]] = {
    "eva_duration_min": (),
    "eva_count": (),
    "outside_min": ("crew",),
    "eva_clock_min": (),
    "outcome": (),
    "peak": ("crew", "channel"),
    "lowest": ("crew", "channel"),
    "value_at": ("crew", "channel", "when"),
    "jump": ("crew", "channel", "when"),
    "event_time_min": ("event",),
    "event_count": ("event",),
    "sunlit_at": ("crew", "when"),
    "activity_start_min": ("crew", "activity"),
    "motion": ("crew", "key"),
    "orbit": ("key",),
    "consumable_left_pct": ("crew", "key"),
    "limiting_consumable": ("crew",),
    "dark_outside_min": ("crew",),
}


class Documented(_Model):
    """A figure from the record and the metric that measures it in a run (history.py)."""

    figure: str = Field(min_length=1)
    metric: Literal[tuple(METRIC_PARAMS)]  # type: ignore[valid-type]
    crew: str = ""
    eva: int = Field(default=0, ge=0, le=20)
    channel: str = ""
    activity: str = ""
    edge: Literal["start", "end"] = "start"
    event: str = ""  # an event code, or CODE:SUBJECT (spacewalk.scenario.events)
    since: str = ""
    key: str = ""
    value: float | str | None = None
    tolerance: float | None = Field(default=None, ge=0)
    at_least: float | None = None
    at_most: float | None = None
    unit: str = ""
    source: str = Field(min_length=1)
    # predicted: no parameter was set from this figure; calibrated: one was; input: the figure
    # restates an input or follows from inputs by arithmetic (not a check of a model)
    basis: Literal["predicted", "calibrated", "input"] = "predicted"
    known_failure: str = ""

    @model_validator(mode="after")
    def _expectation(self):
        bounds = self.at_least is not None or self.at_most is not None
        if (self.value is None) == (not bounds):
            raise ValueError("give value (with tolerance for a number) or at_least / at_most")
        if isinstance(self.value, str) and self.tolerance is not None:
            raise ValueError("a text value (an outcome, 'night') takes no tolerance")
        if isinstance(self.value, float | int) and self.tolerance is None:
            raise ValueError("a number needs its tolerance, from the spread of the sources")
        if self.since and self.metric not in ("event_time_min", "activity_start_min"):
            raise ValueError("since belongs to event_time_min or activity_start_min")
        if self.since and not self.crew:
            raise ValueError("since names an activity of the crew member: set crew")
        if self.event:
            code = self.event.partition(":")[0]
            if code not in EVENTS:
                close = difflib.get_close_matches(code, list(EVENTS), n=1)
                raise ValueError(
                    f"event {code!r} is not an event code: use one of {', '.join(EVENTS)}, "
                    "optionally with :SUBJECT (a rule id, activity label, target or tether)"
                    + (f" (did you mean {close[0]!r}?)" if close else "")
                )
        needs = METRIC_PARAMS[self.metric]
        for name in needs:
            if name == "when":
                if bool(self.event) == bool(self.activity):
                    raise ValueError(
                        f"metric {self.metric!r} needs exactly one of event (an event "
                        "code) or activity (a label, with edge)"
                    )
            elif not getattr(self, name):
                raise ValueError(f"metric {self.metric!r} needs {name}")
        return self


class Scenario(_Model):
    scenario: ScenarioInfo
    engine: EngineSettings = EngineSettings()
    vehicle: Vehicle
    orbit: Orbit
    prebreathe: list[PrebreatheStage] = Field(default_factory=list)
    suits: dict[str, Suit] = Field(default_factory=dict)
    crew: list[CrewMember] = Field(min_length=1, max_length=12)
    timeline: dict[str, list[Activity]]
    flight_rules: list[FlightRule] | None = None
    faults: list[Fault] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list, max_length=8)
    documented: list[Documented] = Field(default_factory=list)
    campaign: CampaignSettings | None = None

    def suit_of(self, member: CrewMember) -> Suit | None:
        return None if member.suit is None else self.suits[member.suit]

    def supply_of(self, member: CrewMember) -> str:
        suit = self.suit_of(member)
        return member.supply or (suit.supply if suit else "backpack")


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Issue:
    """One problem in a scenario: where, what was expected, how to fix it."""

    path: str
    problem: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.path or '(top level)'}: {self.problem}"
        return f"{text}\n    fix: {self.fix}" if self.fix else text


class ScenarioError(ValueError):
    """A scenario file has problems; ``issues`` lists every one."""

    def __init__(self, source: str, issues: list[Issue]):
        self.source = source
        self.issues = issues
        lines = [f"{source}: {len(issues)} problem{'s' * (len(issues) != 1)}"]
        lines += [f"  - {issue}".replace("\n", "\n  ") for issue in issues]
        super().__init__("\n".join(lines))


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_TYPE_WORDS = {
    "float": "a number",
    "int": "a whole number",
    "string": "a text string in quotes",
    "bool": "true or false",
    "dict": "a table",
    "list": "an array",
    "model": "a table",
}


def _allowed_keys(loc: tuple) -> list[str]:
    """Names the schema accepts at the table that holds ``loc``'s last key."""
    model: Any = Scenario
    keyed = False  # the previous part was a table of named entries (a dict): skip its key
    for part in loc[:-1]:
        if isinstance(part, int) or (keyed and isinstance(part, str)):
            keyed = False
            continue
        fields = getattr(model, "model_fields", {})
        if part in fields:
            annotation = fields[part].annotation
            keyed = "dict[" in str(annotation) or getattr(annotation, "__origin__", None) is dict
            model = _inner_model(annotation)
        elif model is Suit or model is dict:
            continue
        else:
            return []
        if model is None:
            return []
    return list(getattr(model, "model_fields", {}))


def _inner_model(annotation: Any):
    args = getattr(annotation, "__args__", ())
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(args):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _issue_from_pydantic(err: Mapping[str, Any]) -> Issue:
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    ctx = err.get("ctx", {}) or {}
    given = err.get("input")
    path = _path(loc)
    shown = repr(given) if not isinstance(given, dict | list) else type(given).__name__
    if kind == "missing":
        return Issue(
            path, "required key is missing", f"add `{loc[-1]} = ...` (see docs/scenario-format.md)"
        )
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = _allowed_keys(loc)
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean `{close[0]}`?" if close else "remove it"
        if allowed and not close:
            hint += f"; allowed keys here: {', '.join(allowed)}"
        return Issue(path, f"unknown key `{name}`", hint)
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        return Issue(
            path, f"expected one of {expected}, got {shown}", "use one of the listed values"
        )
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = {
            "greater_than": "> ",
            "greater_than_equal": ">= ",
            "less_than": "< ",
            "less_than_equal": "<= ",
        }[kind]
        limit = next(iter(ctx.values()), "")
        return Issue(
            path,
            f"expected a value {bound}{limit}, got {shown}",
            "change the value to lie in range",
        )
    if kind == "string_pattern_mismatch":
        return Issue(
            path,
            f"expected lower-case letters, digits and hyphens, got {shown}",
            "write it like `polaris-dawn`",
        )
    if kind in ("too_short", "too_long"):
        return Issue(path, err.get("msg", "wrong length"), "add or remove entries")
    if kind == "value_error":
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        table = str(loc[0]) if loc else "the"
        return Issue(path, msg, f"see the [{table}] section of docs/scenario-format.md")
    for word, text in _TYPE_WORDS.items():
        if kind.startswith(word) or kind == f"{word}_type" or kind.endswith(f"{word}_type"):
            return Issue(path, f"expected {text}, got {shown}", f"write {text} here")
    return Issue(path, f"{err.get('msg', kind)} (got {shown})", "")


# --------------------------------------------------------------------------- loading


def _resolve_suits(raw: dict, issues: list[Issue]) -> dict:
    """Merge scenario suit tables over their presets, and add every preset crew names."""
    suits_raw = raw.get("suits", {})
    if not isinstance(suits_raw, dict):
        issues.append(Issue("suits", "expected a table of suit models", "write [suits.NAME]"))
        suits_raw = {}
    resolved: dict[str, Any] = {}
    for name, table in suits_raw.items():
        if not isinstance(table, dict):
            issues.append(Issue(f"suits.{name}", "expected a table", f"write [suits.{name}]"))
            continue
        base = table.get("base", "")
        if not isinstance(base, str):
            issues.append(
                Issue(
                    f"suits.{name}.base",
                    "expected the name of a suit preset",
                    f"use one of {', '.join(SUITS)}",
                )
            )
            continue
        if base:
            if base not in SUITS:
                close = difflib.get_close_matches(str(base), list(SUITS), n=1)
                issues.append(
                    Issue(
                        f"suits.{name}.base",
                        f"unknown suit preset {base!r}",
                        f"use one of {', '.join(SUITS)}"
                        + (f" (did you mean {close[0]!r}?)" if close else ""),
                    )
                )
                continue
            merged = dict(SUITS[base])
        else:
            merged = {}
        merged.update(table)
        resolved[name] = merged
    crew = raw.get("crew", [])
    if isinstance(crew, list):
        for member in crew:
            name = member.get("suit") if isinstance(member, dict) else None
            if isinstance(name, str) and name not in resolved and name in SUITS:
                resolved[name] = {"base": name, **SUITS[name]}
    return resolved


def _check_vessels(vehicle: Vehicle, issues: list[Issue]) -> bool:
    """The vessels' names and the tree of inner hatches; True if the vehicle can be walked."""
    ids = vehicle.vessel_ids()
    ok = True
    for vid in vehicle.vessels:
        path = f"vehicle.vessels.{vid}"
        if vid in ("cabin", "airlock", "outside") or not VESSEL_ID.match(vid):
            issues.append(
                Issue(
                    path,
                    f"vessel id {vid!r} is reserved or not lower-case letters, digits, hyphens",
                    "name it like `crew-lock` (cabin, airlock and outside are taken)",
                )
            )
            ok = False
    for vid, v in vehicle.locks().items():
        path = "vehicle.airlock" if vid == "airlock" else f"vehicle.vessels.{vid}"
        if v.inside not in ids or v.inside == vid:
            issues.append(
                Issue(
                    f"{path}.inside",
                    f"no other vessel is called {v.inside!r}",
                    f"name the vessel its inner hatch opens into: one of {', '.join(ids)}",
                )
            )
            ok = False
    if ok:  # every chain of inner hatches must lead to the cabin
        locks = vehicle.locks()
        for vid in locks:
            seen, at = {vid}, locks[vid].inside
            while at != "cabin" and at not in seen:
                seen.add(at)
                at = locks[at].inside
            if at != "cabin":
                issues.append(
                    Issue(
                        f"vehicle.vessels.{vid}.inside",
                        "the inner hatches go round in a circle and never reach the cabin",
                        "make one vessel of the circle open into the cabin",
                    )
                )
                return False
    return ok


def _check_outside(vehicle: Vehicle, issues: list[Issue]) -> None:
    """Path ends name a site, a vessel with an EVA hatch or "hatch"; solid ids are unique."""
    hatched = {k for k, v in vehicle.locks().items() if v.hatch}
    ends = {"hatch"} | set(vehicle.sites) | hatched | ({"cabin"} if not hatched else set())
    for k, path in enumerate(vehicle.paths):
        for key, name in (("from", path.from_), ("to", path.to)):
            if name not in ends:
                close = difflib.get_close_matches(name, sorted(ends), n=1)
                issues.append(
                    Issue(
                        f"vehicle.paths[{k}].{key}",
                        f"no site, vessel hatch or 'hatch' is named {name!r}",
                        f"name one of {', '.join(sorted(ends))}"
                        + (f" (did you mean {close[0]!r}?)" if close else ""),
                    )
                )
    solids = [b.id for b in vehicle.shape.boxes] + [c.id for c in vehicle.shape.cylinders]
    for sid in sorted({x for x in solids if solids.count(x) > 1}):
        issues.append(
            Issue("vehicle.shape", f"two solids have the id {sid!r}", "give each its own id")
        )


def _cross_check(sc: Scenario) -> list[Issue]:
    issues: list[Issue] = []
    _check_outside(sc.vehicle, issues)
    if sc.vehicle.o2_store_kg <= 0:
        v = sc.vehicle
        named = [("cabin", v.cabin), ("airlock", v.airlock)]
        named += [(f"vessels.{k}", x) for k, x in v.vessels.items()]
        for where, vessel in named:
            if vessel is not None and vessel.service_umbilical:
                issues.append(
                    Issue(
                        f"vehicle.{where}.service_umbilical",
                        "a service umbilical draws on the vehicle's O2, and vehicle.o2_store_kg "
                        "is 0",
                        "set vehicle.o2_store_kg to the O2 the umbilicals may use [kg]",
                    )
                )
    ids = [m.id for m in sc.crew]
    for i, member in enumerate(sc.crew):
        if ids.count(member.id) > 1:
            issues.append(
                Issue(
                    f"crew[{i}].id",
                    f"crew id {member.id!r} is used twice",
                    "give each crew member a unique id",
                )
            )
        if member.suit is not None and member.suit not in sc.suits:
            close = difflib.get_close_matches(member.suit, list(sc.suits) + list(SUITS), n=1)
            issues.append(
                Issue(
                    f"crew[{i}].suit",
                    f"unknown suit {member.suit!r}",
                    f"use a preset ({', '.join(SUITS)}) or define [suits.{member.suit}]"
                    + (f"; did you mean {close[0]!r}?" if close else ""),
                )
            )
        if member.suit is None and member.role == "eva":
            issues.append(
                Issue(
                    f"crew[{i}].suit",
                    "an EVA crew member needs a suit",
                    f'add suit = "emu" (or one of {", ".join(SUITS)})',
                )
            )
        if member.suit is None and sc.vehicle.cabin_is_airlock():
            issues.append(
                Issue(
                    f"crew[{i}].suit",
                    "this vehicle has no airlock, so the whole cabin is depressurised and every "
                    "crew member aboard must be suited",
                    "give this crew member a suit, or add [vehicle.airlock]",
                )
            )
        if (
            member.suit in sc.suits
            and sc.supply_of(member) == "umbilical"
            and sc.vehicle.o2_store_kg <= 0
        ):
            issues.append(
                Issue(
                    "vehicle.o2_store_kg",
                    f"crew member {member.id!r} is fed by an umbilical but the vehicle has no O2 store",
                    "set vehicle.o2_store_kg to the O2 available to the umbilicals",
                )
            )
        if (
            member.suit in sc.suits
            and sc.supply_of(member) == "backpack"
            and sc.suits[member.suit].o2_primary_kg <= 0
        ):
            issues.append(
                Issue(
                    f"crew[{i}].supply",
                    f"suit {member.suit!r} carries no O2 of its own, so it cannot run on a backpack",
                    'set supply = "umbilical"',
                )
            )
    for key in sc.timeline:
        if key not in ids:
            close = difflib.get_close_matches(key, ids, n=1)
            issues.append(
                Issue(
                    f"timeline.{key}",
                    f"no crew member has id {key!r}",
                    f"use one of {', '.join(ids)}"
                    + (f" (did you mean {close[0]!r}?)" if close else ""),
                )
            )
    labels = {cid: [a.key for a in acts] for cid, acts in sc.timeline.items()}
    vehicle_ok = _check_vessels(sc.vehicle, issues)
    for cid, acts in sc.timeline.items():
        if vehicle_ok:
            for j, key, problem, fix in walk_vessels(sc.vehicle, acts).problems:
                issues.append(Issue(f"timeline.{cid}[{j}].{key}", problem, fix))
    target_ids = [t.id for t in sc.targets]
    for k, t in enumerate(sc.targets):
        if target_ids.count(t.id) > 1:
            issues.append(
                Issue(f"targets[{k}].id", f"target id {t.id!r} is used twice", "make ids unique")
            )
    for i, member in enumerate(sc.crew):
        tids = [t.id for t in member.all_tethers()]
        for tid in tids:
            if tids.count(tid) > 1:
                issues.append(
                    Issue(
                        f"crew[{i}].tethers",
                        f"tether id {tid!r} is used twice (umbilical_length_m and "
                        "tether_length_m make tethers named 'umbilical' and 'tether')",
                        "give each tether a unique id",
                    )
                )
                break
    if not sc.scenario.start_utc and not sc.orbit.epoch_utc and sc.orbit.tle is None:
        issues.append(
            Issue(
                "scenario.start_utc",
                "the orbit needs a date: day and night come from the Sun's direction",
                'set start_utc = "YYYY-MM-DDTHH:MM:SSZ", the UTC instant the simulation starts',
            )
        )
    if sc.orbit.tle is not None and not sc.scenario.start_utc:
        issues.append(
            Issue(
                "scenario.start_utc",
                "a TLE orbit needs the UTC instant the simulation starts",
                'set start_utc = "YYYY-MM-DDTHH:MM:SSZ"',
            )
        )
    for cid in ids:
        if cid not in sc.timeline or not sc.timeline[cid]:
            issues.append(
                Issue(
                    f"timeline.{cid}",
                    "this crew member has no timeline",
                    f"add [[timeline.{cid}]] entries",
                )
            )
    for cid, acts in sc.timeline.items():
        seen: set[str] = set()
        suited_now = False
        for j, act in enumerate(acts):
            path = f"timeline.{cid}[{j}]"
            if act.until_utc and sc.scenario.start_utc:
                if utc_seconds(act.until_utc) <= utc_seconds(sc.scenario.start_utc):
                    issues.append(
                        Issue(
                            f"{path}.until_utc",
                            f"{act.until_utc} is not after the start ({sc.scenario.start_utc})",
                            "give a later instant",
                        )
                    )
            elif act.until_utc:
                issues.append(
                    Issue(
                        f"{path}.until_utc", "until_utc needs scenario.start_utc", "set start_utc"
                    )
                )
            if act.activity == "recharge" and suited_now:
                issues.append(
                    Issue(
                        f"{path}.activity",
                        "a suit is recharged between EVAs, and here it is still closed",
                        "put the recharge after a doff and before the next suit-up",
                    )
                )
            suited_now = (suited_now or act.activity == "suit-up") and act.activity != "doff"
            if act.key in seen:
                issues.append(
                    Issue(
                        f"{path}.label",
                        f"label {act.key!r} is used twice in this timeline",
                        "give the activity a unique label",
                    )
                )
            seen.add(act.key)
            if act.after:
                other, _, label = act.after.partition(".")
                if other not in labels:
                    issues.append(
                        Issue(
                            f"{path}.after",
                            f"{act.after!r} names no crew member",
                            f'write after = "CREW.LABEL" with CREW one of {", ".join(ids)}',
                        )
                    )
                elif label not in labels[other]:
                    issues.append(
                        Issue(
                            f"{path}.after",
                            f"crew member {other!r} has no activity labelled {label!r}",
                            f"use one of {', '.join(labels[other])}",
                        )
                    )
                elif other == cid:
                    issues.append(
                        Issue(
                            f"{path}.after",
                            "an activity cannot wait for its own crew member",
                            "name another crew member",
                        )
                    )
            member = sc.crew[ids.index(cid)] if cid in ids else None
            if (
                act.activity in UNIT_ACTIVITIES
                and member is not None
                and member.maneuvering_unit is None
            ):
                issues.append(
                    Issue(
                        f"{path}.activity",
                        f"'{act.activity}' needs a maneuvering unit, and {cid!r} has none",
                        f"set maneuvering_unit = one of {', '.join(UNITS)} on this crew member",
                    )
                )
            if act.to and act.activity in ("translate", "task"):
                if act.to not in sc.vehicle.sites:
                    close = difflib.get_close_matches(act.to, list(sc.vehicle.sites), n=1)
                    issues.append(
                        Issue(
                            f"{path}.to",
                            f"no [vehicle.sites] place is named {act.to!r}",
                            "name one of "
                            + (", ".join(sorted(sc.vehicle.sites)) or "(none: add a site)")
                            + (f" (did you mean {close[0]!r}?)" if close else ""),
                        )
                    )
            elif act.to and act.to != "hatch" and act.to not in target_ids:
                issues.append(
                    Issue(
                        f"{path}.to",
                        f"no target has id {act.to!r}",
                        'use "hatch" or the id of a [[targets]] entry'
                        + (f" ({', '.join(target_ids)})" if target_ids else ""),
                    )
                )
            arm = sc.vehicle.arm
            if act.activity == "ride" and arm is not None and act.at_m is not None:
                far = sum((a - b) ** 2 for a, b in zip(act.at_m, arm.base_m, strict=True)) ** 0.5
                if far > arm.reach_m:
                    issues.append(
                        Issue(
                            f"{path}.at_m",
                            f"{far:.1f} m from the arm's base, beyond its {arm.reach_m:g} m reach",
                            "move the ride's end within vehicle.arm.reach_m of vehicle.arm.base_m",
                        )
                    )
            if act.activity == "capture" and act.to == "hatch":
                issues.append(Issue(f"{path}.to", "the hatch cannot be captured", "name a target"))
    rule_channels = set(RULE_CHANNELS)
    for k, rule in enumerate(sc.flight_rules or []):
        if rule.channel not in rule_channels:
            close = difflib.get_close_matches(rule.channel, sorted(rule_channels), n=1)
            issues.append(
                Issue(
                    f"flight_rules[{k}].channel",
                    f"unknown channel {rule.channel!r}",
                    f"use one of {', '.join(sorted(rule_channels))}"
                    + (f" (did you mean {close[0]!r}?)" if close else ""),
                )
            )
        if rule.action == "lower-suit-pressure" and not any(
            s.low_pressure_psi for s in sc.suits.values()
        ):
            issues.append(
                Issue(
                    f"flight_rules[{k}].action",
                    "no suit in this scenario has a low_pressure_psi setting to lower to",
                    "set low_pressure_psi on the suit, or use another action",
                )
            )
    for k, fault in enumerate(sc.faults):
        if fault.crew not in ids:
            issues.append(
                Issue(
                    f"faults[{k}].crew",
                    f"no crew member has id {fault.crew!r}",
                    f"use one of {', '.join(ids)}",
                )
            )
        elif fault.kind == "tether-break":
            member = sc.crew[ids.index(fault.crew)]
            names = [t.id for t in member.all_tethers()]
            if fault.tether not in names:
                issues.append(
                    Issue(
                        f"faults[{k}].tether",
                        f"{fault.crew!r} has no tether {fault.tether!r}",
                        f"use one of {', '.join(names)}"
                        if names
                        else "give the crew member umbilical_length_m, tether_length_m or [[crew.tethers]]",
                    )
                )
        else:
            member = sc.crew[ids.index(fault.crew)]
            if member.suit is None:
                issues.append(
                    Issue(
                        f"faults[{k}].crew",
                        f"{fault.crew!r} wears no suit, so a suit fault cannot apply",
                        "name a suited crew member",
                    )
                )
    channel_names = [ch.name for ch in CHANNELS]
    for k, doc in enumerate(sc.documented):
        path = f"documented[{k}]"
        if doc.crew and doc.crew not in ids:
            issues.append(
                Issue(
                    f"{path}.crew",
                    f"no crew member has id {doc.crew!r}",
                    f"use one of {', '.join(ids)}",
                )
            )
        elif doc.since and doc.since not in labels.get(doc.crew, []):
            issues.append(
                Issue(
                    f"{path}.since",
                    f"{doc.crew!r} has no activity labelled {doc.since!r}",
                    f"use one of {', '.join(labels.get(doc.crew, []))}",
                )
            )
        elif doc.activity and doc.activity not in labels.get(doc.crew, []):
            issues.append(
                Issue(
                    f"{path}.activity",
                    f"{doc.crew or 'nobody'!r} has no activity labelled {doc.activity!r}",
                    f"use one of {', '.join(labels.get(doc.crew, [])) or 'the crew member labels'}",
                )
            )
        if doc.channel and doc.channel not in channel_names:
            close = difflib.get_close_matches(doc.channel, channel_names, n=1)
            issues.append(
                Issue(
                    f"{path}.channel",
                    f"unknown channel {doc.channel!r}",
                    "use a telemetry channel (spacewalk.CHANNELS)"
                    + (f"; did you mean {close[0]!r}?" if close else ""),
                )
            )
    for k, stage in enumerate(sc.prebreathe):
        for name in stage.crew:
            if name not in ids:
                issues.append(
                    Issue(
                        f"prebreathe[{k}].crew",
                        f"no crew member has id {name!r}",
                        f"use ids from: {', '.join(ids)}",
                    )
                )
    return issues


# channels a flight rule can watch (a subset of the telemetry channels; see telemetry.py)
RULE_CHANNELS = (
    "condition",  # 0 well, 1 impaired, 2 incapacitated
    "ppco2_mmHg",
    "p_suit_kPa",
    "dp_suit_kPa",
    "o2_time_min",
    "o2_margin_min",
    "o2_secondary_used_min",
    "helmet_water_L",
    "heat_storage_kJ",
    "core_temp_rise_C",
    "fog_index",
    "tissue_ratio",
    "p_dcs",
    "p_dcs_exposure",
    "feedwater_kg",
    "battery_Ah",
    "ingress_blocked_min",
)
