"""CO2 in the helmet: made by metabolism, removed by the scrubber (efficiency falling past
breakthrough, fan on the battery) or washed out by an open-loop purge."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...physics import lifesupport
from ...physics.metabolism import co2_made_kg_s
from ...physics.physiology import PH2O_BODY_MMHG
from ...units import PA_PER_MMHG, R_O2
from ...units import SUIT_GAS_T_K as SUIT_T_K
from ..events import Emit
from ..plan import Plan


@dataclass
class Co2State:
    pp_co2_Pa: np.ndarray  # (R, C) suit-loop CO2 partial pressure
    scrub_used_kg: np.ndarray  # (R, C) CO2 taken up by the scrubber
    breakthrough: np.ndarray  # (R, C) breakthrough was reported
    exhausted_s: np.ndarray  # (R, C) when the scrubber was full (nan: never)
    inspired_mmHg: np.ndarray  # (R, C) what the crew member breathes in


def init(plan: Plan) -> Co2State:
    R, C = plan.crew.scrub_cap_kg.shape
    return Co2State(
        np.zeros((R, C)),
        np.zeros((R, C)),
        np.zeros((R, C), dtype=bool),
        np.full((R, C), np.nan),
        np.zeros((R, C)),
    )


def recharge(s: Co2State, mask) -> Co2State:
    """A fresh CO2 cartridge between EVAs."""
    s.scrub_used_kg = np.where(mask, 0.0, s.scrub_used_kg)
    s.breakthrough &= ~mask
    return s


def spend(s: Co2State, plan: Plan, mask) -> Co2State:
    """The scrubber-exhausted fault: the bed is full at once."""
    s.scrub_used_kg = np.where(mask, plan.crew.scrub_cap_kg, s.scrub_used_kg)
    return s


def step(s: Co2State, plan: Plan, suited, met_W, fan_ok, purge_kg_s, p_suit_Pa, live, t, dt):
    p = plan.crew
    made = co2_made_kg_s(met_W) * suited
    eff = np.where(
        p.scrubber, lifesupport.scrubber_efficiency(s.scrub_used_kg, p.scrub_cap_kg), 1.0
    )
    # the scrubber's share of the removal, and any open-loop purge (all of its CO2 leaves)
    scrubbed = np.where(p.scrubber, p.vent_m3_s * fan_ok * eff, 0.0)
    purged = purge_kg_s * R_O2 * SUIT_T_K / np.maximum(p_suit_Pa, 1.0)
    pp_new, removed = lifesupport.co2_step(
        s.pp_co2_Pa, made, scrubbed + purged, 1.0, p.gas_volume_m3, SUIT_T_K, dt
    )
    removed = removed * scrubbed / np.maximum(scrubbed + purged, 1e-30)  # to the bed
    # the relief valve keeps the loop's CO2 below the suit pressure less its water vapour
    cap = np.maximum(p_suit_Pa - PH2O_BODY_MMHG * PA_PER_MMHG, 0.0)
    s.pp_co2_Pa = np.minimum(pp_new, cap) * suited
    mixed = s.pp_co2_Pa / PA_PER_MMHG
    inspired = lifesupport.inspired_co2_mmHg(mixed, met_W, p.rebreathed_max, p.rebreathed_ve_L_min)
    s.inspired_mmHg = np.minimum(inspired, cap / PA_PER_MMHG) * suited
    s.scrub_used_kg = np.where(suited & p.scrubber, s.scrub_used_kg + removed, s.scrub_used_kg)
    events: list[Emit] = []
    bt = (
        suited
        & p.scrubber
        & (s.scrub_used_kg >= lifesupport.SCRUBBER_BREAKTHROUGH * p.scrub_cap_kg)
        & ~s.breakthrough
        & live
    )
    if np.count_nonzero(bt):
        events.append(Emit("scrubber-breakthrough", t, bt))
        s.breakthrough |= bt
    full = suited & p.scrubber & (s.scrub_used_kg >= p.scrub_cap_kg * (1 - 1e-9)) & live
    s.exhausted_s = np.where(full & np.isnan(s.exhausted_s), t, s.exhausted_s)
    return s, events


def inspired_mmHg(s: Co2State, plan: Plan) -> np.ndarray:
    """Inspired ppCO2 [mmHg]: the loop value and what is rebreathed from the last breath."""
    return s.inspired_mmHg
