"""Telemetry recording: the channel table (:data:`spacewalk.scenario.channels.CHANNELS`) is
the single source of what is recorded; :func:`channel_values` gives every channel of it from
the subsystems' states, and :class:`Recorder` refuses a set that differs from the table."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..scenario.channels import CHANNELS
from ..units import PA_PER_MMHG
from .plan import LOC_OUTSIDE

CHANNEL_NAMES = frozenset(ch.name for ch in CHANNELS)


@dataclass
class Recorder:
    every: int  # record every this many engine steps (engine.record_every_s)
    times: list[float] = field(default_factory=list)
    frames: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, t: float, values: dict[str, np.ndarray]) -> None:
        if values.keys() != CHANNEL_NAMES:
            extra, missing = values.keys() - CHANNEL_NAMES, CHANNEL_NAMES - values.keys()
            raise KeyError(f"recorded channels differ from CHANNELS: +{extra} -{missing}")
        self.times.append(t)
        for k, v in values.items():
            self.frames.setdefault(k, []).append(np.array(v, copy=True))


def channel_values(
    eng, values, now, *, met, p_amb, p_ves, draw, cooling, range_m, sunlit, pio2, ppo2_Pa
):
    """Every telemetry channel at this step of the engine ``eng``: ``values`` holds those the
    rules watch, ``now`` is the timeline's step, the keywords what the step computed."""
    plan, tl, suit, cs, th, ts, rs = eng.plan, eng.tl, eng.suit, eng.cs, eng.th, eng.ts, eng.rs
    R, C = plan.runs, len(plan.crew_ids)
    S = plan.kind.shape[1]
    p = plan.crew
    cap = p.scrub_cap_kg
    hv = now.hatch_v  # the lock each crew member goes out by (the cabin: no airlock)
    airlock = np.where(hv > 0, p_ves[np.arange(R)[:, None], hv], np.nan)
    return {
        **values,
        "activity": np.where(tl.done, -1, np.where(now.slot == S - 1, S - 1, tl.act)),
        "location": tl.loc,
        "suited": tl.suited,
        "condition": eng.ph.condition,
        "pio2_mmHg": pio2,
        "ppo2_kPa": ppo2_Pa / 1000.0,
        "ppco2_suit_mmHg": np.where(tl.suited, cs.pp_co2_Pa / PA_PER_MMHG, np.nan),
        "metabolic_W": met,
        "p_ambient_kPa": p_amb / 1000.0,
        "p_cabin_kPa": np.repeat(p_ves[:, [0]] / 1000.0, C, axis=1),
        "p_airlock_kPa": airlock / 1000.0,
        "o2_primary_kg": suit.o2_primary_kg,
        "o2_vehicle_kg": np.where(plan.on_vehicle_store(), suit.o2_vehicle_kg[:, None], np.nan),
        "o2_flow_g_min": draw * 60e3,
        "scrubber_used_pct": np.where(
            cap > 0, 100 * cs.scrub_used_kg / np.maximum(cap, 1e-12), np.nan
        ),
        "cooling_W": np.where(tl.suited, cooling, np.nan),
        "sweat_L": th.sweat_kg,
        "tissue_n2_kPa": ts.n2_Pa / 1000.0,
        "suit_envelope_m": now.envelope_m,
        "range_m": range_m,
        "alarms": rs.alarms,
        **eng.motion.channels(sunlit, tl.loc != LOC_OUTSIDE),
    }
