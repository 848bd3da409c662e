"""Telemetry recording: the channel table (:data:`spacewalk.scenario.channels.CHANNELS`) is
the single source of what is recorded. A record step copies the engine's raw state
(:func:`snapshot`: a few dozen arrays, no arithmetic); :meth:`Recorder.frames` derives every
channel of the table from the stacked copies at once, the same arithmetic element for element
as at the step, and refuses a set that differs from the table."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..scenario.channels import CHANNELS
from ..units import PA_PER_MMHG
from .plan import LOC_OUTSIDE, MODE

CHANNEL_NAMES = frozenset(ch.name for ch in CHANNELS)


@dataclass
class Recorder:
    every: int  # record every this many engine steps (engine.record_every_s)
    times: list[float] = field(default_factory=list)
    raw: dict[str, list[np.ndarray]] = field(default_factory=dict)  # :func:`snapshot`s
    _frames: tuple[int, dict] | None = None  # the channels derived from so many records

    def add(self, t: float, snap: dict[str, np.ndarray]) -> None:
        """Keep one :func:`snapshot` (its arrays are copies: nothing is copied again)."""
        self.times.append(t)
        for k, v in snap.items():
            self.raw.setdefault(k, []).append(v[None])

    def add_rows(self, rows: dict[str, np.ndarray], j0: int, j1: int) -> None:
        """Keep records ``j0`` to ``j1 - 1`` of a block the engine's compiled stretch wrote
        (:func:`block`: views, which it never writes again)."""
        self.times.extend(rows["t"][j0:j1].tolist())
        for k, v in rows.items():
            if k != "t":
                self.raw.setdefault(k, []).append(v[j0:j1])

    def frames(self, plan) -> dict[str, np.ndarray]:
        """Every channel of ``CHANNELS``, (records, runs, crew), for the records so far."""
        n = len(self.times)
        if self._frames is None or self._frames[0] != n:
            raw = {k: np.concatenate(v) for k, v in self.raw.items()}
            out = channels(raw, plan)
            if out.keys() != CHANNEL_NAMES:
                extra, missing = out.keys() - CHANNEL_NAMES, CHANNEL_NAMES - out.keys()
                raise KeyError(f"recorded channels differ from CHANNELS: +{extra} -{missing}")
            self._frames = (n, out)
        return self._frames[1]


def snapshot(eng, now, *, met, p_amb, p_ves, draw, cooling, range_m, sunlit, pio2, ppo2_Pa):
    """Copies of what the channels are made of at this step of the engine ``eng``: ``now``
    is the timeline's step, the keywords what the step computed."""
    tl, cs, th, motion, b = eng.tl, eng.cs, eng.th, eng.motion, eng.motion.b
    cb = motion.cb
    r_H, v_H = motion.in_H()
    snap = {
        "values": eng.vbuf.copy(),  # the channels the rules watch (sim.values.VALUE_KEYS)
        "done": tl.done.copy(),
        "slot": now.slot.copy(),
        "act": tl.act.copy(),
        "loc": tl.loc.copy(),
        "suited": tl.suited.copy(),
        "condition": eng.ph.condition.copy(),
        "pio2": np.array(pio2),
        "ppo2_Pa": np.array(ppo2_Pa),
        "pp_co2": cs.pp_co2_Pa.copy(),
        "met": np.array(met),
        "p_amb": np.array(p_amb),
        "p_ves": np.array(p_ves),
        "hatch_v": now.hatch_v.copy(),
        "o2_primary": eng.suit.o2_primary_kg.copy(),
        "o2_vehicle": eng.suit.o2_vehicle_kg.copy(),
        "draw": np.array(draw),
        "scrub_used": cs.scrub_used_kg.copy(),
        "cooling": np.array(cooling),
        "sweat": th.sweat_kg.copy(),
        "n2": np.array(eng.ts.n2_Pa),
        "envelope": np.array(now.envelope_m),
        "range_m": np.array(range_m),
        "alarms": eng.rs.alarms.copy(),
        "sunlit": np.array(sunlit),
        # the motion: positions in H (the crew member's own, in a stack), the body state
        "r_H": np.array(r_H),
        "v_H": np.array(v_H),
        "y": b.y[cb],
        "tension": b.tension[cb],
        "tumble": b.stats[cb, 1],
        "prop": b.prop[cb],
        "return_margin": motion.return_margin.copy(),
        "mode": motion.mode.copy(),
        "free": b.free[cb],
    }
    if motion.any_unit:  # the rocket equation's logs at the step (NumPy's SIMD loops
        snap["dv_used"], snap["dv_left"] = motion.dv()  # give other last bits on a stack)
    return snap


def block(eng, n: int) -> dict[str, np.ndarray]:
    """Room for ``n`` records of :func:`snapshot` (its keys, dtypes and shapes, and ``t``)
    for the engine's compiled stretch to write (:mod:`spacewalk.sim.stretch`); a motion
    with a maneuvering unit (``dv_used``, ``dv_left``) does not run in one."""
    R, C, V = eng.R, eng.C, eng.p_ves.shape[1]
    b = eng.motion.b
    rc, f, i, z = (n, R, C), np.float64, np.int64, np.bool_
    shapes = {
        "t": ((n,), f), "values": ((n, eng.vbuf.shape[0], R, C), f), "done": (rc, z),
        "slot": (rc, i), "act": (rc, i), "loc": (rc, i), "suited": (rc, z),
        "condition": (rc, i), "pio2": (rc, f), "ppo2_Pa": (rc, f), "pp_co2": (rc, f),
        "met": (rc, f), "p_amb": (rc, f), "p_ves": ((n, R, V), f), "hatch_v": (rc, i),
        "o2_primary": (rc, f), "o2_vehicle": ((n, R), f), "draw": (rc, f),
        "scrub_used": (rc, f), "cooling": (rc, f), "sweat": (rc, f), "n2": (rc, f),
        "envelope": (rc, f), "range_m": (rc, f), "alarms": (rc, i), "sunlit": ((n,), f),
        "r_H": ((*rc, 3), f), "v_H": ((*rc, 3), f), "y": ((*rc, b.y.shape[1]), f),
        "tension": ((*rc, b.tension.shape[1]), f), "tumble": (rc, f), "prop": (rc, f),
        "return_margin": (rc, f), "mode": (rc, i), "free": (rc, z),
    }  # fmt: skip
    return {k: np.empty(shape, dtype) for k, (shape, dtype) in shapes.items()}


def channels(raw: dict[str, np.ndarray], plan) -> dict[str, np.ndarray]:
    """Every channel from stacked snapshots (each (records, ...))."""
    from .values import VALUE_KEYS

    n = raw["done"].shape[0]
    R, C = plan.runs, len(plan.crew_ids)
    S = plan.kind.shape[1]
    cap = plan.crew.scrub_cap_kg
    suited, p_ves, hv = raw["suited"], raw["p_ves"], raw["hatch_v"]
    airlock = np.where(hv > 0, np.take_along_axis(p_ves, hv, axis=2), np.nan)
    y, ten = raw["y"], raw["tension"]
    r_H, v_H = raw["r_H"], raw["v_H"]
    nan = np.full((n, R, C), np.nan)
    inside = raw["loc"] != LOC_OUTSIDE
    return {
        **dict(zip(VALUE_KEYS, np.moveaxis(raw["values"], 1, 0), strict=True)),
        "activity": np.where(raw["done"], -1, np.where(raw["slot"] == S - 1, S - 1, raw["act"])),
        "location": raw["loc"],
        "suited": suited,
        "condition": raw["condition"],
        "pio2_mmHg": raw["pio2"],
        "ppo2_kPa": raw["ppo2_Pa"] / 1000.0,
        "ppco2_suit_mmHg": np.where(suited, raw["pp_co2"] / PA_PER_MMHG, np.nan),
        "metabolic_W": raw["met"],
        "p_ambient_kPa": raw["p_amb"] / 1000.0,
        "p_cabin_kPa": np.repeat(p_ves[:, :, [0]] / 1000.0, C, axis=2),
        "p_airlock_kPa": airlock / 1000.0,
        "o2_primary_kg": raw["o2_primary"],
        "o2_vehicle_kg": np.where(plan.on_vehicle_store(), raw["o2_vehicle"][:, :, None], np.nan),
        "o2_flow_g_min": raw["draw"] * 60e3,
        "scrubber_used_pct": np.where(
            cap > 0, 100 * raw["scrub_used"] / np.maximum(cap, 1e-12), np.nan
        ),
        "cooling_W": np.where(suited, raw["cooling"], np.nan),
        "sweat_L": raw["sweat"],
        "tissue_n2_kPa": raw["n2"] / 1000.0,
        "suit_envelope_m": raw["envelope"],
        "range_m": raw["range_m"],
        "alarms": raw["alarms"],
        "x_m": r_H[..., 0],
        "y_m": r_H[..., 1],
        "z_m": r_H[..., 2],
        "vx_m_s": v_H[..., 0],
        "vy_m_s": v_H[..., 1],
        "vz_m_s": v_H[..., 2],
        "q0": y[..., 6],
        "q1": y[..., 7],
        "q2": y[..., 8],
        "q3": y[..., 9],
        "wx_deg_s": np.degrees(y[..., 10]),
        "wy_deg_s": np.degrees(y[..., 11]),
        "wz_deg_s": np.degrees(y[..., 12]),
        "tumble_deg_s": np.degrees(raw["tumble"]),
        "tether_tension_N": ten.max(axis=-1),
        "tether_taut": (ten > 0).any(axis=-1),
        "propellant_kg": np.where(plan.motion.unit_index >= 0, raw["prop"], np.nan),
        "dv_used_m_s": raw.get("dv_used", nan),
        "dv_left_m_s": raw.get("dv_left", nan),
        "return_margin_m_s": raw["return_margin"],
        "motion": np.where(inside & ~raw["free"], MODE["inside"], raw["mode"]),
        "sunlit": np.broadcast_to(raw["sunlit"][:, None, None], (n, R, C)),
    }
