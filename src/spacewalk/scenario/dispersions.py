"""Dispersions: what a Monte Carlo campaign varies, drawn per run and written into the plan.

A ``[[campaign.dispersions]]`` entry names a *target* (a parameter of the scenario), a
distribution and its parameters. :func:`resolve` turns each target into one or more
:class:`Slot` objects (one per crew member, tether or fault it reaches) and reports every
target that does not resolve, with the fix, when the file loads: a misspelt target never
goes unnoticed at run time. :func:`draw` gives each run its own random stream,
``SeedSequence(seed, spawn_key=(run,))``, so any run can be re-created alone and no value
depends on the batch size or the worker. :func:`spacewalk.sim.dispersions.apply`
writes the values into the plan's per-run arrays: this module is data and checks only.

Targets (``*`` stands for every crew member the parameter applies to; each is drawn on its
own unless ``shared = true``):

- ``crew.ID.metabolic_factor``, ``crew.ID.mass_kg``, ``crew.ID.translation_speed_m_s``
- ``crew.ID.suit.KEY`` for the suit keys in :data:`SUIT_KEYS`
- ``crew.ID.maneuvering.propellant_kg``, ``crew.ID.maneuvering.isp_s``
- ``crew.ID.tether.TETHER.length_m`` (also ``stiffness_N_m``, ``damping_N_s_m``)
- ``timeline.ID.LABEL.duration_min``, ``timeline.ID.LABEL.metabolic_W``
- ``vehicle.VESSEL.KEY`` (``cabin``, ``airlock`` or a ``[vehicle.vessels.NAME]``) for
  ``pressure_psi``, ``vent_diameter_cm``, ``vent_cd``, ``repress_flow_kg_min``;
  ``vehicle.o2_store_kg``, ``vehicle.hatch_diameter_m`` (every hatch of the vehicle's size)
- ``faults[K].at_min``, ``faults[K].rate_mL_min``, ``faults[K].hole_diameter_mm``,
  ``faults[K].remaining_fraction``
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
from annotated_types import Ge, Gt, Le, Lt

from ..physics.maneuvering import UNITS
from ..units import M3_PER_FT3, PA_PER_PSI
from .model import (
    DEFAULT_WORKLOAD,
    EVENT_ACTIVITIES,
    PRESSURE_ACTIVITIES,
    Activity,
    CrewMember,
    Dispersion,
    Fault,
    Issue,
    Suit,
    Tether,
    Vehicle,
    Vessel,
)
from .presets import WORKLOADS_W

if TYPE_CHECKING:
    from .model import Scenario

TAIL_SIGMAS = 6.0  # a normal must keep this many standard deviations inside its target's range

# suit key -> (crew array in the plan, factor from the file's unit)
SUIT_KEYS = {
    "o2_primary_kg": ("o2_primary_kg", 1.0),
    "o2_secondary_min": ("o2_secondary_s", 60.0),
    "feedwater_kg": ("feedwater_kg", 1.0),
    "battery_Ah": ("battery_Ah", 1.0),
    "battery_draw_A": ("battery_A", 1.0),
    "scrubber_capacity_kg": ("scrub_cap_kg", 1.0),
    "leak_cm3_min": ("leak_m3_s", 1e-6 / 60.0),
    "cooling_W": ("cooling_W", 1.0),
    "sweat_evaporation_kg_h": ("evap_kg_s", 1.0 / 3600.0),
    "vent_flow_cfm": ("vent_m3_s", M3_PER_FT3 / 60.0),
    "purge_flow_kg_h": ("purge_kg_s", 1.0 / 3600.0),
    "pressure_psi": ("p_set_Pa", PA_PER_PSI),
    "insulation_W_K": ("insulation_W_K", 1.0),  # NF for every suit: worth dispersing
    "visor_coupling": ("visor_coupling", 1.0),  # C: worth dispersing
}
_BACKPACK_ONLY = ("o2_primary_kg", "feedwater_kg", "battery_Ah")  # zero on an umbilical
CREW_KEYS = ("metabolic_factor", "mass_kg", "translation_speed_m_s")
UNIT_KEYS = ("propellant_kg", "isp_s")
TETHER_KEYS = ("length_m", "stiffness_N_m", "damping_N_s_m")
TIMELINE_KEYS = ("duration_min", "metabolic_W")
VESSEL_KEYS = ("pressure_psi", "vent_diameter_cm", "vent_cd", "repress_flow_kg_min")
VEHICLE_KEYS = ("o2_store_kg", "hatch_diameter_m")
FAULT_KEYS = ("at_min", "rate_mL_min", "hole_diameter_mm", "remaining_fraction")


@dataclass(frozen=True)
class Slot:
    """One dispersed number: its column name, nominal value, allowed range and where it goes."""

    name: str
    nominal: float
    lo: float
    hi: float
    lo_open: bool
    hi_open: bool
    where: Where

    def admits(self, low: float, high: float) -> bool:
        ok_lo = low > self.lo if self.lo_open else low >= self.lo
        ok_hi = high < self.hi if self.hi_open else high <= self.hi
        return ok_lo and ok_hi

    @property
    def range_text(self) -> str:
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        return f"{left}{self.lo:g}, {self.hi:g}{right}"


def _bounds(model, key: str) -> tuple[float, float, bool, bool]:
    """The range a pydantic field allows, from its Gt/Ge/Lt/Le constraints."""
    lo, hi, lo_open, hi_open = -math.inf, math.inf, True, True
    for m in model.model_fields[key].metadata:
        if isinstance(m, Gt):
            lo, lo_open = float(m.gt), True
        elif isinstance(m, Ge):
            lo, lo_open = float(m.ge), False
        elif isinstance(m, Lt):
            hi, hi_open = float(m.lt), True
        elif isinstance(m, Le):
            hi, hi_open = float(m.le), False
    return lo, hi, lo_open, hi_open


def _slot(name, nominal, model, key, apply, *, hi=None) -> Slot:
    lo, hi0, lo_open, hi_open = _bounds(model, key)
    if hi is not None:
        hi0, hi_open = hi, False
    return Slot(name, float(nominal), lo, hi0, lo_open, hi_open, apply)


# ----------------------------------------------------------------- where a value goes


@dataclass(frozen=True)
class Where:
    """Where a dispersed value goes in the compiled parameters, as data (applied by
    :func:`spacewalk.sim.dispersions.apply`): ``kind`` says which table, ``key`` which array,
    ``index`` the crew, slot, tether, vessel or fault, ``factor`` the unit conversion and
    ``nominal`` the scenario's own value (for terms that scale from it)."""

    kind: str  # crew, mass, propellant, tether, timeline, vessel, vehicle, fault
    key: str
    index: tuple[int, ...] = ()
    factor: float = 1.0
    nominal: float = 0.0


def _crew_set(key, c, factor=1.0):
    return Where("crew", key, (c,), factor)


def _mass(c, nominal):
    return Where("mass", "mass_kg", (c,), nominal=nominal)


def _propellant(c, nominal):
    return Where("propellant", "propellant_kg", (c,), nominal=nominal)


def _tether(attr, c, k):
    return Where("tether", attr, (c, k))


def _timeline(attr, c, j, factor):
    return Where("timeline", attr, (c, j), factor)


def _vessel(key, i, nominal):
    return Where("vessel", key, (i,), nominal=nominal)


def _vehicle(attr):
    return Where("vehicle", attr)


def _fault(k, key):
    return Where("fault", key, (k,))


# ----------------------------------------------------------------- resolving targets


def _hint(word: str, options) -> str:
    options = list(options)
    close = difflib.get_close_matches(word, options, n=1)
    text = f"use one of {', '.join(options)}" if options else "nothing can be dispersed here"
    return text + (f" (did you mean {close[0]!r}?)" if close else "")


class _UnresolvedError(Exception):
    def __init__(self, problem: str, fix: str):
        super().__init__(problem)
        self.problem, self.fix = problem, fix


def _crew_members(sc: Scenario, who: str) -> list[tuple[int, CrewMember]]:
    ids = [m.id for m in sc.crew]
    if who == "*":
        return [(c, m) for c, m in enumerate(sc.crew) if m.role == "eva"]
    if who not in ids:
        raise _UnresolvedError(f"no crew member has id {who!r}", _hint(who, [*ids, "*"]))
    return [(ids.index(who), sc.crew[ids.index(who)])]


def _crew_slots(sc: Scenario, parts: list[str]) -> list[Slot]:
    if len(parts) < 3:
        raise _UnresolvedError(
            "a crew target reads crew.ID.KEY", "e.g. crew.*.metabolic_factor or crew.ev1.mass_kg"
        )
    who, key, rest = parts[1], parts[2], parts[3:]
    members = _crew_members(sc, who)
    slots = []
    if key in CREW_KEYS and not rest:
        for c, m in members:
            name = f"crew.{m.id}.{key}"
            if key == "metabolic_factor":
                slots.append(Slot(name, 1.0, 0.0, 10.0, True, False, _crew_set("met_factor", c)))
            elif key == "mass_kg":
                slots.append(_slot(name, m.mass_kg, CrewMember, key, _mass(c, m.mass_kg)))
            else:
                slots.append(
                    _slot(name, m.translation_speed_m_s, CrewMember, key, _crew_set("speed_m_s", c))
                )
        return slots
    if key == "suit" and len(rest) == 1:
        skey = rest[0]
        if skey not in SUIT_KEYS:
            raise _UnresolvedError(f"suit key {skey!r} cannot be dispersed", _hint(skey, SUIT_KEYS))
        array, factor = SUIT_KEYS[skey]
        for c, m in members:
            suit = sc.suit_of(m)
            if suit is None or (skey in _BACKPACK_ONLY and sc.supply_of(m) == "umbilical"):
                if who != "*":
                    raise _UnresolvedError(
                        f"{m.id!r} has no suit {skey} to disperse"
                        + (" (the suit is fed by an umbilical)" if suit else ""),
                        "name another crew member or another key",
                    )
                continue
            slots.append(
                _slot(
                    f"crew.{m.id}.suit.{skey}",
                    getattr(suit, skey),
                    Suit,
                    skey,
                    _crew_set(array, c, factor),
                )
            )
        return slots
    if key == "maneuvering" and len(rest) == 1:
        ukey = rest[0]
        if ukey not in UNIT_KEYS:
            raise _UnresolvedError(
                f"maneuvering key {ukey!r} cannot be dispersed", _hint(ukey, UNIT_KEYS)
            )
        for c, m in members:
            if m.maneuvering_unit is None:
                if who != "*":
                    raise _UnresolvedError(
                        f"{m.id!r} has no maneuvering unit", "set maneuvering_unit or name another"
                    )
                continue
            unit = UNITS[m.maneuvering_unit]
            nominal = getattr(unit, ukey)
            apply = _propellant(c, nominal) if ukey == "propellant_kg" else _crew_set("isp_s", c)
            slots.append(
                Slot(f"crew.{m.id}.maneuvering.{ukey}", nominal, 0.0, math.inf, True, True, apply)
            )
        return slots
    if key == "tether" and len(rest) == 2:
        tid, tkey = rest
        if tkey not in TETHER_KEYS:
            raise _UnresolvedError(
                f"tether key {tkey!r} cannot be dispersed", _hint(tkey, TETHER_KEYS)
            )
        for c, m in members:
            tethers = m.all_tethers()
            names = [t.id for t in tethers]
            if tid != "*" and tid not in names:
                if who != "*":
                    raise _UnresolvedError(
                        f"{m.id!r} has no tether {tid!r}", _hint(tid, [*names, "*"])
                    )
                continue
            for k, t in enumerate(tethers):
                if tid in ("*", t.id):
                    slots.append(
                        _slot(
                            f"crew.{m.id}.tether.{t.id}.{tkey}",
                            getattr(t, tkey),
                            Tether,
                            tkey,
                            _tether(tkey, c, k),
                        )
                    )
        return slots
    raise _UnresolvedError(
        f"unknown crew parameter {'.'.join(parts[2:])!r}",
        _hint(key, [*CREW_KEYS, "suit.KEY", "maneuvering.KEY", "tether.ID.KEY"]),
    )


def _timeline_slots(sc: Scenario, parts: list[str]) -> list[Slot]:
    if len(parts) < 4:
        raise _UnresolvedError(
            "a timeline target reads timeline.ID.LABEL.KEY",
            "e.g. timeline.ev1.worksite.duration_min",
        )
    who, key, label = parts[1], parts[-1], ".".join(parts[2:-1])
    ids = [m.id for m in sc.crew]
    if who not in sc.timeline:
        raise _UnresolvedError(f"no timeline for {who!r}", _hint(who, ids))
    acts = sc.timeline[who]
    labels = [a.key for a in acts]
    if label not in labels:
        raise _UnresolvedError(f"{who!r} has no activity labelled {label!r}", _hint(label, labels))
    if key not in TIMELINE_KEYS:
        raise _UnresolvedError(
            f"activity key {key!r} cannot be dispersed", _hint(key, TIMELINE_KEYS)
        )
    c, j = ids.index(who), labels.index(label)
    a = acts[j]
    name = f"timeline.{who}.{label}.{key}"
    if key == "duration_min":
        by_event = a.activity in EVENT_ACTIVITIES or a.activity in PRESSURE_ACTIVITIES
        if a.duration_min is None or by_event or a.until_utc:
            raise _UnresolvedError(
                f"activity {label!r} ends on an event or a pressure, not on a duration",
                "disperse an activity that has duration_min",
            )
        return [_slot(name, a.duration_min, Activity, key, _timeline("dur_s", c, j, 60.0))]
    nominal = a.metabolic_W or WORKLOADS_W[a.workload or DEFAULT_WORKLOAD[a.activity]]
    return [_slot(name, nominal, Activity, key, _timeline("met_W", c, j, 1.0))]


def _vehicle_slots(sc: Scenario, parts: list[str]) -> list[Slot]:
    if len(parts) == 2 and parts[1] in VEHICLE_KEYS:
        key = parts[1]
        return [_slot(f"vehicle.{key}", getattr(sc.vehicle, key), Vehicle, key, _vehicle(key))]
    ids = sc.vehicle.vessel_ids()
    if parts[1] == "vessels" and len(parts) == 4:
        parts = [parts[0], *parts[2:]]  # vehicle.vessels.NAME.KEY names vessel NAME
    if len(parts) == 3 and (parts[1] in ids or parts[1] == "airlock"):
        ves, key = parts[1], parts[2]
        if ves not in ids:
            raise _UnresolvedError("this vehicle has no airlock", "disperse vehicle.cabin instead")
        if key not in VESSEL_KEYS:
            raise _UnresolvedError(
                f"vessel key {key!r} cannot be dispersed", _hint(key, VESSEL_KEYS)
            )
        i = ids.index(ves)
        nominal = getattr(sc.vehicle.vessel_specs()[i].gas, key)
        return [_slot(f"vehicle.{ves}.{key}", nominal, Vessel, key, _vessel(key, i, nominal))]
    raise _UnresolvedError(
        f"unknown vehicle parameter {'.'.join(parts[1:])!r}",
        _hint(parts[-1], [*VEHICLE_KEYS, *(f"{v}.{k}" for v in ids for k in VESSEL_KEYS)]),
    )


_FAULT_RE = re.compile(r"^faults\[(\d+)\]\.([A-Za-z_]+)$")


def _fault_slots(sc: Scenario, target: str) -> list[Slot]:
    m = _FAULT_RE.match(target)
    if not m:
        raise _UnresolvedError(
            "a fault target reads faults[K].KEY (K counts the [[faults]] from 0)",
            "e.g. faults[0].at_min",
        )
    k, key = int(m.group(1)), m.group(2)
    if k >= len(sc.faults):
        raise _UnresolvedError(
            f"there is no faults[{k}]: the scenario has {len(sc.faults)} fault(s)",
            "count the [[faults]] entries from 0",
        )
    f = sc.faults[k]
    if key not in FAULT_KEYS:
        raise _UnresolvedError(f"fault key {key!r} cannot be dispersed", _hint(key, FAULT_KEYS))
    if key != "at_min" and getattr(f, key) is None and key != "remaining_fraction":
        raise _UnresolvedError(
            f"a '{f.kind}' fault has no {key}", "disperse at_min or its own size"
        )
    if key == "remaining_fraction" and f.kind != "cooling-failure":
        raise _UnresolvedError(
            f"a '{f.kind}' fault has no {key}", "disperse at_min or its own size"
        )
    name = f"faults[{k}].{key}"
    nominal = getattr(f, key) if getattr(f, key) is not None else 0.0
    # a fault drawn after the run's end (or at inf) does not happen in that run
    return [
        _slot(name, nominal, Fault, key, _fault(k, key), hi=math.inf if key == "at_min" else None)
    ]


def target_slots(sc: Scenario, target: str) -> list[Slot]:
    """The slots one target reaches, or raise ``_UnresolvedError`` with the fix."""
    if target.startswith("faults"):
        return _fault_slots(sc, target)
    parts = target.split(".")
    head = parts[0]
    if head == "crew":
        slots = _crew_slots(sc, parts)
    elif head == "timeline":
        slots = _timeline_slots(sc, parts)
    elif head == "vehicle":
        slots = _vehicle_slots(sc, parts)
    else:
        raise _UnresolvedError(
            f"unknown target {target!r}",
            "a target starts with crew., timeline., vehicle. or faults[ (docs/campaigns.md)"
            + (f"; did you mean {c!r}?" if (c := _close_head(head)) else ""),
        )
    if not slots:
        raise _UnresolvedError(
            f"{target!r} reaches no crew member (none has this parameter)",
            "name a crew member that has it",
        )
    return slots


def _close_head(head: str) -> str | None:
    close = difflib.get_close_matches(head, ["crew", "timeline", "vehicle", "faults"], n=1)
    return close[0] if close else None


def _support(d: Dispersion) -> tuple[float, float]:
    """Smallest and largest value a distribution gives (tails cut at TAIL_SIGMAS)."""
    if d.distribution == "normal":
        return d.mean - TAIL_SIGMAS * d.sd, d.mean + TAIL_SIGMAS * d.sd
    if d.distribution == "truncnormal":
        lo = d.low if d.low is not None else d.mean - TAIL_SIGMAS * d.sd
        hi = d.high if d.high is not None else d.mean + TAIL_SIGMAS * d.sd
        return lo, hi
    if d.distribution == "uniform":
        return d.low, d.high
    if d.distribution == "lognormal":
        return d.median * math.exp(-TAIL_SIGMAS * d.sigma), d.median * math.exp(
            TAIL_SIGMAS * d.sigma
        )
    if d.distribution == "choice":
        return min(d.values), max(d.values)
    return (d.low or 0.0), math.inf  # exponential: a time after ``low``


def resolve(sc: Scenario) -> tuple[list[list[Slot]], list[Issue]]:
    """Every dispersion's slots, and the problems (target, range, duplicates) with fixes."""
    groups: list[list[Slot]] = []
    issues: list[Issue] = []
    if sc.campaign is None:
        return groups, issues
    seen: dict[str, int] = {}
    for k, d in enumerate(sc.campaign.dispersions):
        path = f"campaign.dispersions[{k}]"
        try:
            slots = target_slots(sc, d.target)
        except _UnresolvedError as exc:
            issues.append(Issue(f"{path}.target", exc.problem, exc.fix))
            groups.append([])
            continue
        if d.distribution == "exponential" and not d.target.endswith(".at_min"):
            issues.append(
                Issue(
                    f"{path}.distribution",
                    "an exponential distribution gives the time of a fault from its rate",
                    "use it on a faults[K].at_min target, or choose another distribution",
                )
            )
        low, high = _support(d)
        for s in slots:
            scale = s.nominal if d.relative else 1.0
            lo_v, hi_v = sorted((low * scale, high * scale))
            if not s.admits(lo_v, hi_v):
                tail = " (normal tails are taken to 6 sd)" if "normal" in d.distribution else ""
                issues.append(
                    Issue(
                        f"{path}",
                        f"{s.name} must lie in {s.range_text}, and this distribution gives "
                        f"values from {lo_v:g} to {hi_v:g}{tail}",
                        "narrow it, or use truncnormal with low and high inside the range",
                    )
                )
                break
            if d.relative and s.nominal == 0:
                issues.append(
                    Issue(
                        f"{path}.relative",
                        f"{s.name} is 0 in the scenario, so a relative dispersion leaves it at 0",
                        "give absolute values (relative = false)",
                    )
                )
                break
        for s in slots:
            if s.name in seen:
                issues.append(
                    Issue(
                        f"{path}.target",
                        f"{s.name} is already dispersed by campaign.dispersions[{seen[s.name]}]",
                        "disperse each parameter once",
                    )
                )
                break
            seen[s.name] = k
        groups.append(slots)
    return groups, issues


# ----------------------------------------------------------------- drawing and applying


def run_rng(seed: int, run: int) -> np.random.Generator:
    """The random stream of one run of a campaign: independent of batches and workers."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(run,))))


_STD = NormalDist()


@dataclass(frozen=True)
class _Sampler:
    """One dispersion's draw, its constants worked out once per :func:`draw` (not per run)."""

    d: Dispersion
    n: int  # values drawn: 1 for a shared dispersion, else the slots'
    scale: np.ndarray | None  # the slots' nominal values (relative), else None
    a: float = 0.0  # truncnormal: the bounds' quantiles, and the clip
    b: float = 1.0
    lo: float = -np.inf
    hi: float = np.inf
    values: np.ndarray | None = None  # choice
    p: np.ndarray | None = None

    @classmethod
    def of(cls, d: Dispersion, slots: list[Slot]) -> _Sampler:
        scale = np.array([s.nominal for s in slots]) if d.relative else None
        n = 1 if d.shared else len(slots)
        if d.distribution == "truncnormal":
            return cls(
                d, n, scale,
                a=_STD.cdf((d.low - d.mean) / d.sd) if d.low is not None else 0.0,
                b=_STD.cdf((d.high - d.mean) / d.sd) if d.high is not None else 1.0,
                lo=-np.inf if d.low is None else d.low,
                hi=np.inf if d.high is None else d.high,
            )  # fmt: skip
        if d.distribution == "choice":
            p = None if d.weights is None else np.asarray(d.weights) / sum(d.weights)
            return cls(d, n, scale, values=np.asarray(d.values, dtype=float), p=p)
        return cls(d, n, scale)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        d, n, kind = self.d, self.n, self.d.distribution
        if kind == "normal":
            return rng.normal(d.mean, d.sd, n)
        if kind == "truncnormal":
            u = self.a + rng.random(n) * (self.b - self.a)
            z = (_STD.inv_cdf(min(max(x, 1e-300), 1 - 1e-16)) for x in u.tolist())
            # (NumPy's clip, number by number: a few values, not worth an array call)
            return np.array([min(max(d.mean + d.sd * q, self.lo), self.hi) for q in z])
        if kind == "uniform":
            return rng.uniform(d.low, d.high, n)
        if kind == "lognormal":
            return d.median * np.exp(d.sigma * rng.standard_normal(n))
        if kind == "choice":
            return rng.choice(self.values, size=n, p=self.p)
        return (d.low or 0.0) + rng.exponential(60.0 / d.rate_per_h, n)  # minutes


def draw(sc: Scenario, groups: list[list[Slot]], seed: int, runs) -> np.ndarray:
    """The dispersed values of the given runs: shape (len(runs), total slots), in slot order.

    Run ``r`` always draws from :func:`run_rng` ``(seed, r)``, dispersion by dispersion in file
    order, so its values are the same in any batch and on any worker.
    """
    runs = np.asarray(runs, dtype=np.int64)
    dispersions = sc.campaign.dispersions if sc.campaign else []
    samplers = [_Sampler.of(d, g) for d, g in zip(dispersions, groups, strict=True)]
    cols = np.cumsum([0] + [len(g) for g in groups])
    out = np.empty((runs.size, cols[-1]))
    for i, r in enumerate(runs.tolist()):
        rng = run_rng(seed, r)
        for k, s in enumerate(samplers):
            x = s.sample(rng)  # (1,) for a shared dispersion: broadcast over its slots
            out[i, cols[k] : cols[k + 1]] = x if s.scale is None else x * s.scale
    return out


def slot_names(groups: list[list[Slot]]) -> list[str]:
    return [s.name for g in groups for s in g]
