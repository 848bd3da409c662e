"""Metabolic gas exchange: O2 used and CO2 made for a metabolic rate.

The energy equivalent of oxygen follows Weir (1949, J Physiol 109:1-9):
energy per litre of O2 (STPD) = 3.941 + 1.106 * RQ  [kcal/L]. At RQ = 0.85 this is
4.881 kcal/L = 20.42 kJ/L, i.e. 1 L/min of O2 ~ 340 W, the figure in reference-data 8.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..units import RHO_CO2_STPD, RHO_O2_STPD
from . import jit

KCAL_J = 4184.0  # [J/kcal]
RQ_DEFAULT = 0.85  # respiratory quotient of a mixed diet at moderate work


# compiled (numbers or arrays): the suit kernels call them for one crew member
@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def o2_energy_equivalent_J_per_L(rq=RQ_DEFAULT):
    """Weir's energy equivalent of one litre (STPD) of O2 [J/L]."""
    return (3.941 + 1.106 * rq) * KCAL_J


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def o2_use_kg_s(metabolic_W, rq=RQ_DEFAULT):
    """O2 consumed [kg/s] at a metabolic rate [W]."""
    return metabolic_W / o2_energy_equivalent_J_per_L(rq) * RHO_O2_STPD


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def co2_made_kg_s(metabolic_W, rq=RQ_DEFAULT):
    """CO2 produced [kg/s] at a metabolic rate [W]: VCO2 = RQ * VO2 (volumes at STPD)."""
    vo2_L_s = metabolic_W / o2_energy_equivalent_J_per_L(rq)
    return rq * vo2_L_s * RHO_CO2_STPD


def vo2_mL_kg_min(metabolic_W, body_mass_kg, rq=RQ_DEFAULT):
    """O2 uptake normalised by body mass [mL/(kg min)], the unit of the NASA exercise-DCS model."""
    vo2_L_s = np.asarray(metabolic_W) / o2_energy_equivalent_J_per_L(rq)
    return vo2_L_s * 60_000.0 / np.asarray(body_mass_kg)
