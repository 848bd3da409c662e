"""Vessels: the cabin, airlocks and other locks as isothermal gas volumes
(:mod:`spacewalk.physics.gas`).

A vessel vents through its valve while a crew member inside it depresses, through its open
EVA hatch to vacuum, and is repressurised at its set mass flow up to the highest target
asked for, mixing the repress gas into its O2 fraction. Inner hatches between vessels are
closed: crew pass them only between pressurised vessels (the procedures' repress first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...physics import gas
from ...units import DISCHARGE_CD, gas_constant
from ..plan import Plan


@dataclass
class VesselState:
    m_kg: np.ndarray  # (R, V) gas mass
    o2_fraction: np.ndarray  # (R, V)
    R_J_kgK: np.ndarray  # (R, V) specific gas constant of the mix


def init(plan: Plan) -> VesselState:
    v = plan.vessel
    R_v = gas_constant(v.o2_fraction)
    return VesselState(
        m_kg=gas.gas_mass_kg(v.p0_Pa, R_v, v.T_K, v.volume_m3),
        o2_fraction=v.o2_fraction.copy(),
        R_J_kgK=R_v,
    )


def pressure_Pa(s: VesselState, plan: Plan) -> np.ndarray:
    v = plan.vessel
    return gas.pressure_Pa(s.m_kg, s.R_J_kgK, v.T_K, v.volume_m3)


def step(s: VesselState, plan: Plan, vloc, depress, repress_asked, target_Pa, hatch_open, dt):
    """One step of every vessel. ``vloc`` (R, C) is the vessel around each crew member;
    ``depress`` and ``repress_asked`` (R, C) who asks their vessel to vent or fill, to
    ``target_Pa``; ``hatch_open`` (R, V) each vessel's EVA hatch to vacuum."""
    v = plan.vessel
    R_, V = s.m_kg.shape
    vent = np.zeros((R_, V), dtype=bool)
    repress = np.zeros((R_, V), dtype=bool)
    if np.count_nonzero(depress) or np.count_nonzero(repress_asked):
        for vi in range(V):
            vent[:, vi] = (depress & (vloc == vi)).any(axis=1)
            repress[:, vi] = (repress_asked & (vloc == vi)).any(axis=1)
    vent &= ~hatch_open
    repress &= ~hatch_open
    m_v = np.where(
        vent,
        gas.vent_step(s.m_kg, v.volume_m3, v.vent_cdA_m2, s.R_J_kgK, v.T_K, dt),
        s.m_kg,
    )
    if np.count_nonzero(hatch_open):
        # (vessels without a hatch never have it open; 1 m^2 keeps their unused column finite)
        hatch_area = np.where(hatch_open, DISCHARGE_CD * np.pi * v.hatch_diameter_m**2 / 4, 1.0)
        m_v = np.where(
            hatch_open,
            gas.vent_step(m_v, v.volume_m3, hatch_area, s.R_J_kgK, v.T_K, dt),
            m_v,
        )
    add = np.where(repress, v.repress_kg_s * dt, 0.0)
    if np.count_nonzero(add):
        # stop at the highest repress target among the crew asking for it
        tgt = np.zeros((R_, V))
        for vi in range(V):
            tgt[:, vi] = np.where(repress_asked & (vloc == vi), target_Pa, 0.0).max(axis=1)
        fo2 = s.o2_fraction
        fo2_new = gas.mix_o2_fraction(m_v, fo2, add, v.repress_o2_fraction)
        m_cap = gas.gas_mass_kg(tgt, gas_constant(fo2_new), v.T_K, v.volume_m3)
        add = np.clip(np.minimum(add, m_cap - m_v), 0.0, None)
        s.o2_fraction = np.where(
            add > 0, gas.mix_o2_fraction(m_v, fo2, add, v.repress_o2_fraction), fo2
        )
        s.R_J_kgK = gas_constant(s.o2_fraction)
        m_v = m_v + add
    s.m_kg = m_v
    return s, []
