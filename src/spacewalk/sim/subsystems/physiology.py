"""Physiology: hypoxia, hypercapnia, heat and cold, and water in the helmet, each a dose
(:mod:`spacewalk.physics.physiology`); the crew member's condition is well, impaired or
incapacitated. Incapacitation is kept for the rest of the run; hypoxia, or the helmet's water
over the nose and mouth, that goes on for ``ANOXIA_LETHAL_S`` after incapacitation is loss
of crew, and so is a core at the lethal temperature for longer than ``HEAT_LETHAL_S``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ...physics import jit
from ...physics import physiology as phys
from ..arrays import as_bool, as_f64
from ..events import Emit
from ..plan import Plan

WELL, IMPAIRED, INCAPACITATED = 0, 1, 2
CONDITIONS = ("well", "impaired", "incapacitated")
CAUSES = ("hypoxia", "hypercapnia", "hyperthermia", "hypothermia", "helmet-water")


@dataclass
class PhysiologyState:
    hypoxia: np.ndarray  # (R, C) dose toward loss of useful consciousness
    co2_impaired: np.ndarray  # (R, C) dose toward CO2 impairment
    co2_incapacitated: np.ndarray  # (R, C) dose toward CO2 incapacitation
    condition: np.ndarray  # (R, C) WELL, IMPAIRED or INCAPACITATED now
    worst: np.ndarray  # (R, C) the worst condition so far
    cause: np.ndarray  # (R, C) index into CAUSES of the worst condition (-1: none)
    impaired_s: np.ndarray  # (R, C) time spent impaired or worse
    anoxic_s: np.ndarray  # (R, C) time hypoxic while incapacitated
    hot_s: np.ndarray  # (R, C) time with the core at or above the lethal temperature
    dead: np.ndarray  # (R, C) loss of crew


def init(plan: Plan) -> PhysiologyState:
    R, C = plan.runs, len(plan.crew_ids)
    z = np.zeros((R, C))
    return PhysiologyState(
        z.copy(),
        z.copy(),
        z.copy(),
        np.zeros((R, C), dtype=np.int64),
        np.zeros((R, C), dtype=np.int64),
        np.full((R, C), -1, dtype=np.int64),
        z.copy(),
        z.copy(),
        z.copy(),
        np.zeros((R, C), dtype=bool),
    )


def calm(s: PhysiologyState, pio2_mmHg, ppco2_mmHg, core_rise_C, helmet_water_L, live) -> bool:
    """Whether :func:`step` would change nothing that anyone sees this step (every live crew
    member well, no exposure, no dose; the dead and the runs stopped are not looked at:
    their condition, causes and times stay as they are, only their unseen doses would move):
    the compiled check, ``_calm``."""
    shape = s.condition.shape
    jit.about_to_run(_calm, jit.ENGINE_NOTICE)
    return _calm(
        as_f64(pio2_mmHg, shape), as_f64(ppco2_mmHg, shape), as_f64(core_rise_C, shape),
        as_f64(helmet_water_L, shape), s.hypoxia, s.co2_impaired, s.co2_incapacitated,
        s.condition, as_bool(live, shape),
    )  # fmt: skip


def step(s: PhysiologyState, pio2_mmHg, ppco2_mmHg, core_rise_C, helmet_water_L, live, t, dt):
    """Advance the doses on this step's inspired O2 and CO2 [mmHg], core temperature rise
    [C] and helmet water [L]; returns (state, events). The doses are only computed where an
    exposure or a dose exists; a step in which nobody is exposed to anything, carries a dose
    or is in any condition but well changes nothing and is one compiled check, ``_calm``)."""
    if calm(s, pio2_mmHg, ppco2_mmHg, core_rise_C, helmet_water_L, live):
        return s, []
    hypoxic = pio2_mmHg < phys.HYPOXIA_NONE_PIO2_MMHG
    tuc = None
    if np.count_nonzero(hypoxic) or np.count_nonzero(s.hypoxia):
        tuc = phys.time_of_useful_consciousness_s(pio2_mmHg)
        s.hypoxia = phys.dose_step(s.hypoxia, tuc, dt)
    if np.count_nonzero(ppco2_mmHg >= phys.CO2_IMPAIRED_MMHG_S[0][0]) or np.count_nonzero(
        s.co2_impaired
    ):
        s.co2_impaired = phys.dose_step(
            s.co2_impaired, phys.co2_time_to_impairment_s(ppco2_mmHg), dt
        )
    if np.count_nonzero(ppco2_mmHg >= phys.CO2_INCAPACITATED_MMHG_S[0][0]) or np.count_nonzero(
        s.co2_incapacitated
    ):
        s.co2_incapacitated = phys.dose_step(
            s.co2_incapacitated, phys.co2_time_to_incapacitation_s(ppco2_mmHg), dt
        )
    impaired = (
        (pio2_mmHg < phys.HYPOXIA_IMPAIRED_PIO2_MMHG)
        | (s.co2_impaired >= 1.0)
        | (core_rise_C >= phys.CORE_IMPAIRED_RISE_C)
        | (core_rise_C <= -phys.CORE_IMPAIRED_DROP_C)
        | (helmet_water_L >= phys.HELMET_WATER_IMPAIRED_L)
    )
    incapacitated = (
        (s.hypoxia >= 1.0)
        | (s.co2_incapacitated >= 1.0)
        | (core_rise_C >= phys.CORE_INCAPACITATED_RISE_C)
        | (core_rise_C <= -phys.CORE_INCAPACITATED_DROP_C)
        | (helmet_water_L >= phys.HELMET_WATER_INCAPACITATED_L)
        | (s.condition == INCAPACITATED)  # kept for the run
    )
    level = np.where(incapacitated, INCAPACITATED, np.where(impaired, IMPAIRED, WELL))
    level = np.where(live, level, s.condition)
    events: list[Emit] = []
    worse = level > s.worst
    if np.count_nonzero(worse):
        cause_now = _causes(s, level, pio2_mmHg, core_rise_C, helmet_water_L)
        for lvl, code in ((IMPAIRED, "impaired"), (INCAPACITATED, "incapacitated")):
            new = live & (level >= lvl) & (s.worst < lvl)
            if np.count_nonzero(new):
                events.append(
                    Emit(
                        code,
                        t,
                        new,
                        subject=lambda r, c, cause=cause_now: CAUSES[cause[r, c]],
                        values={"pio2_mmHg": pio2_mmHg, "ppco2_mmHg": ppco2_mmHg},
                    )
                )
        s.cause = np.where(worse, cause_now, s.cause)
        s.worst = np.maximum(s.worst, level)
    s.condition = level
    if np.count_nonzero(level):
        s.impaired_s += np.where(live & (level >= IMPAIRED), dt, 0.0)
        # no O2 reaches the lungs: too little in the gas, or the helmet's water over the nose
        # and mouth (the volume that incapacitates: no gas exchange, as in drowning)
        drowning = helmet_water_L >= phys.HELMET_WATER_INCAPACITATED_L
        anoxic = live & (level == INCAPACITATED) & (hypoxic | drowning)
        s.anoxic_s = np.where(anoxic, s.anoxic_s + dt, s.anoxic_s)
        hot = live & (core_rise_C >= phys.CORE_LETHAL_RISE_C)
        if np.count_nonzero(hot) or np.count_nonzero(s.hot_s):
            s.hot_s = np.where(hot, s.hot_s + dt, s.hot_s)
        suffocated = anoxic & (s.anoxic_s >= phys.ANOXIA_LETHAL_S)
        overheated = s.hot_s > phys.HEAT_LETHAL_S
        dies = (suffocated | overheated) & live & ~s.dead
        if np.count_nonzero(dies):
            water = dies & suffocated & drowning & ~hypoxic
            heat = dies & ~suffocated
            for code, who in (("loss-of-crew-hypoxia", dies & suffocated & ~water),
                              ("loss-of-crew-drowning", water),
                              ("loss-of-crew-hyperthermia", heat)):  # fmt: skip
                if np.count_nonzero(who):
                    events.append(Emit(code, t, who, values={
                        "pio2_mmHg": pio2_mmHg, "helmet_water_L": helmet_water_L,
                        "core_rise_C": core_rise_C,
                    }))  # fmt: skip
            s.dead |= dies
    return s, events


HYPOXIA_NONE = phys.HYPOXIA_NONE_PIO2_MMHG
HYPOXIA_IMPAIRED = phys.HYPOXIA_IMPAIRED_PIO2_MMHG
CO2_DOSE_FROM = min(phys.CO2_IMPAIRED_MMHG_S[0][0], phys.CO2_INCAPACITATED_MMHG_S[0][0])


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def exposed(pio2, ppco2, core_rise, helmet_water) -> bool:
    """Whether a crew member is exposed to a hazard (one number each): too little O2 or
    enough CO2 to build a dose, a core temperature or helmet water that impairs. Without one
    nothing worse can happen to them: their doses only fade, and no hypoxia, no death."""
    return not (
        pio2 >= HYPOXIA_NONE
        and ppco2 < CO2_DOSE_FROM
        and core_rise < phys.CORE_IMPAIRED_RISE_C
        and core_rise > -phys.CORE_IMPAIRED_DROP_C
        and helmet_water < phys.HELMET_WATER_IMPAIRED_L
    )


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _calm(pio2, ppco2, core_rise, helmet_water, hypoxia, co2_impaired, co2_incap, condition,
          live):  # fmt: skip
    """Whether :func:`step` would change nothing seen and log nothing: every live crew member
    well, breathing enough O2 and too little CO2 to start a dose, no dose left to fade, core
    temperature and helmet water short of impairment (a NaN is never calm)."""
    R, C = pio2.shape
    for r in range(R):
        for c in range(C):
            if live[r, c] and not (
                condition[r, c] == WELL
                and hypoxia[r, c] == 0.0
                and co2_impaired[r, c] == 0.0
                and co2_incap[r, c] == 0.0
                and pio2[r, c] >= HYPOXIA_IMPAIRED
                and not exposed(pio2[r, c], ppco2[r, c], core_rise[r, c], helmet_water[r, c])
            ):
                return False
    return True


jit.register(_calm, jit.ENGINE_NOTICE)


def _causes(s: PhysiologyState, level, pio2_mmHg, core_rise_C, helmet_water_L) -> np.ndarray:
    """(R, C) index into CAUSES of what sets each crew member's level (the first that does)."""
    impaired = np.stack(
        [
            pio2_mmHg < phys.HYPOXIA_IMPAIRED_PIO2_MMHG,
            s.co2_impaired >= 1.0,
            core_rise_C >= phys.CORE_IMPAIRED_RISE_C,
            core_rise_C <= -phys.CORE_IMPAIRED_DROP_C,
            helmet_water_L >= phys.HELMET_WATER_IMPAIRED_L,
        ]
    )
    incapacitated = np.stack(
        [
            s.hypoxia >= 1.0,
            s.co2_incapacitated >= 1.0,
            core_rise_C >= phys.CORE_INCAPACITATED_RISE_C,
            core_rise_C <= -phys.CORE_INCAPACITATED_DROP_C,
            helmet_water_L >= phys.HELMET_WATER_INCAPACITATED_L,
        ]
    )
    new_incap = incapacitated.any(axis=0)
    return np.where(
        (level == INCAPACITATED) & new_incap, incapacitated.argmax(axis=0), impaired.argmax(axis=0)
    )
