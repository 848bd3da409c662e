"""CO2 in the helmet: made by metabolism, removed by the scrubber (efficiency falling past
breakthrough, fan on the battery) or washed out by an open-loop purge."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ...physics import jit, lifesupport
from ...physics.metabolism import co2_made_kg_s
from ...physics.physiology import PH2O_BODY_MMHG
from ...units import PA_PER_MMHG, R_O2
from ...units import SUIT_GAS_T_K as SUIT_T_K
from ..arrays import as_bool, as_f64, every_run
from ..events import Emit
from ..plan import Plan


@dataclass
class Co2State:
    pp_co2_Pa: np.ndarray  # (R, C) suit-loop CO2 partial pressure
    scrub_used_kg: np.ndarray  # (R, C) CO2 taken up by the scrubber
    breakthrough: np.ndarray  # (R, C) breakthrough was reported
    exhausted_s: np.ndarray  # (R, C) when the scrubber was full (nan: never)
    inspired_mmHg: np.ndarray  # (R, C) what the crew member breathes in
    # (R, C, 4) the last exponentials, the loop's and the plume's, with their arguments
    # (lifesupport.exp_reusing): most steps change neither
    last_exp: np.ndarray


def init(plan: Plan) -> Co2State:
    R, C = plan.crew.scrub_cap_kg.shape
    return Co2State(
        np.zeros((R, C)),
        np.zeros((R, C)),
        np.zeros((R, C), dtype=bool),
        np.full((R, C), np.nan),
        np.zeros((R, C)),
        np.full((R, C, 4), np.nan),
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
    """One compiled kernel (:func:`_kernel`) over every run and crew member; the events it
    flags are logged here."""
    p = plan.crew
    shape = p.scrub_cap_kg.shape
    flags = np.zeros(shape, dtype=np.bool_)  # breakthrough reported this step
    any_flag = run(
        s, plan, as_bool(suited, shape), as_f64(met_W, shape), as_bool(fan_ok, shape),
        as_f64(purge_kg_s, shape), as_f64(p_suit_Pa, shape), as_bool(live, shape), t, dt, flags,
    )  # fmt: skip
    return s, flag_events(flags, t) if any_flag else []


def run(s: Co2State, plan: Plan, suited, met_W, fan_ok, purge_kg_s, p_suit_Pa, live, t, dt,
        flags, busy=None) -> bool:  # fmt: skip
    """The kernel on (R, C) arrays of its dtypes (the engine's own buffers: nothing is
    converted), ``flags`` filled in; returns whether any event is flagged."""
    p = plan.crew
    jit.about_to_run(_kernel, jit.ENGINE_NOTICE)
    return _kernel(
        s.pp_co2_Pa, s.scrub_used_kg, s.breakthrough, s.exhausted_s, s.inspired_mmHg,
        s.last_exp, p.scrubber, p.scrub_cap_kg, p.vent_m3_s, p.gas_volume_m3, p.rebreathed_max,
        p.rebreathed_ve_L_min,
        suited, met_W, fan_ok, purge_kg_s, p_suit_Pa, live, float(t), float(dt), flags,
        every_run(busy, plan.runs),
    )  # fmt: skip


FLAG_CODE = "scrubber-breakthrough"  # the event of the kernel's flag


def flag_events(flags, t) -> list[Emit]:
    """The events of the kernel's ``flags`` (R, C), which are cleared."""
    events = [Emit(FLAG_CODE, t, flags.copy())] if flags.any() else []
    flags[:] = False
    return events


P_H2O_BODY_PA = PH2O_BODY_MMHG * PA_PER_MMHG


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _kernel(
    pp_co2, scrub_used, breakthrough, exhausted_s, inspired_mmHg, last_exp,
    scrubber, scrub_cap, vent_m3_s, V_m3, rebreathed_max, rebreathed_ve,
    suited, met_W, fan_ok, purge_kg_s, p_suit, live, t, dt, flags, busy,
):  # fmt: skip
    """The helmet CO2 step of every run and crew member, in place: made by metabolism,
    removed by the scrubber (efficiency falling past breakthrough, fan on the battery) and
    by any open-loop purge (exact over the step, :func:`lifesupport.co2_step`), capped by
    the relief valve, and the inspired value with the rebreathed plume."""
    R, C = pp_co2.shape
    flagged = False
    for r in range(R):
        if not busy[r]:
            continue  # the run is over: it stays as it ended (sim.stretch.all_over)
        for c in range(C):
            on = 1.0 if suited[r, c] else 0.0
            made = co2_made_kg_s(met_W[r, c]) * on
            eff = 1.0
            scrubbed = 0.0
            if scrubber[r, c]:
                eff = lifesupport.scrubber_efficiency(scrub_used[r, c], scrub_cap[r, c])
                scrubbed = vent_m3_s[r, c] * (1.0 if fan_ok[r, c] else 0.0) * eff
            # an open-loop purge's flow at suit pressure (all of its CO2 leaves)
            purged = purge_kg_s[r, c] * R_O2 * SUIT_T_K / max(p_suit[r, c], 1.0)
            pp_new, removed = lifesupport.co2_step(
                pp_co2[r, c], made, scrubbed + purged, 1.0, V_m3[r, c], SUIT_T_K, dt,
                last_exp[r, c, 0:2],
            )  # fmt: skip
            removed = removed * scrubbed / max(scrubbed + purged, 1e-30)  # to the bed
            # the relief valve keeps the loop's CO2 below the suit pressure less water vapour
            cap = max(p_suit[r, c] - P_H2O_BODY_PA, 0.0)
            pp_co2[r, c] = min(pp_new, cap) * on
            mixed = pp_co2[r, c] / PA_PER_MMHG
            inspired = lifesupport.inspired_co2_mmHg(
                mixed, met_W[r, c], rebreathed_max[r, c], rebreathed_ve[r, c],
                last_exp[r, c, 2:4],
            )  # fmt: skip
            inspired_mmHg[r, c] = min(inspired, cap / PA_PER_MMHG) * on
            if suited[r, c] and scrubber[r, c]:
                scrub_used[r, c] = scrub_used[r, c] + removed
                if live[r, c]:
                    full = lifesupport.SCRUBBER_BREAKTHROUGH * scrub_cap[r, c]
                    if scrub_used[r, c] >= full and not breakthrough[r, c]:
                        flags[r, c] = flagged = breakthrough[r, c] = True
                    if scrub_used[r, c] >= scrub_cap[r, c] * (1 - 1e-9) and np.isnan(
                        exhausted_s[r, c]
                    ):
                        exhausted_s[r, c] = t
    return flagged


jit.register(_kernel, jit.ENGINE_NOTICE)


def inspired_mmHg(s: Co2State, plan: Plan) -> np.ndarray:
    """Inspired ppCO2 [mmHg]: the loop value and what is rebreathed from the last breath."""
    return s.inspired_mmHg
