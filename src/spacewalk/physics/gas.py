"""Gas in a vessel (cabin, airlock, suit): pressure, venting through an orifice, repress.

All functions are pure. Those the engine's compiled kernels call are compiled with Numba:
``orifice_mass_flow_kg_s`` and ``mix_o2_fraction`` take one vessel's or suit's numbers,
``vent_step`` and ``vent_time_constant_s`` numbers or arrays; the rest broadcast over arrays
whose leading axis is the run. Venting is isothermal: the walls keep the gas near cabin
temperature during a minutes-long vent.

Choked orifice flow (reference-data 10, Higgins via G. Landis):

    m_dot = Cd * A * p0 * sqrt(gamma / (R T0)) * (2 / (gamma + 1)) ** ((gamma + 1) / (2 (gamma - 1)))

Into vacuum the flow is always choked, so the vessel's gas decays exponentially with the
time constant ``tau = V / (Cd A Gamma sqrt(R T))``; :func:`vent_step` applies that exact
solution over a step, so it is stable for any step length.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..units import GAMMA_AIR, choked_flow_factor
from . import jit

GAMMA_FLOW = choked_flow_factor(GAMMA_AIR)  # 0.6847
CRITICAL_RATIO = (2.0 / (GAMMA_AIR + 1.0)) ** (GAMMA_AIR / (GAMMA_AIR - 1.0))  # 0.528


def orifice_area_m2(diameter_m):
    return np.pi * np.asarray(diameter_m) ** 2 / 4.0


def pressure_Pa(mass_kg, R, temperature_K, volume_m3):
    """Ideal-gas pressure of ``mass_kg`` of gas in a rigid vessel."""
    return mass_kg * R * temperature_K / volume_m3


def gas_mass_kg(pressure_Pa, R, temperature_K, volume_m3):
    return pressure_Pa * volume_m3 / (R * temperature_K)


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def orifice_mass_flow_kg_s(p_up_Pa, p_down_Pa, cd_area_m2, R, temperature_K):
    """Mass flow through one orifice from ``p_up`` to ``p_down`` (choked or subsonic, >= 0);
    compiled, called by the suit gas kernel for a suit's holes."""
    p_up = max(p_up_Pa, 0.0)
    ratio = min(max(p_down_Pa / p_up, 0.0), 1.0) if p_up > 0 else 1.0
    g = GAMMA_AIR
    if ratio <= CRITICAL_RATIO:
        psi = GAMMA_FLOW
    else:
        psi = np.sqrt(
            max(2.0 * g / (g - 1.0) * (ratio ** (2.0 / g) - ratio ** ((g + 1.0) / g)), 0.0)
        )
    return cd_area_m2 * p_up * psi / np.sqrt(R * temperature_K)


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def vent_time_constant_s(volume_m3, cd_area_m2, R, temperature_K):
    """Time constant [s] of an isothermal choked vent to vacuum."""
    return volume_m3 / (cd_area_m2 * GAMMA_FLOW * np.sqrt(R * temperature_K))


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def vent_step(mass_kg, volume_m3, cd_area_m2, R, temperature_K, dt_s):
    """Gas mass left after venting to vacuum for ``dt_s`` (exact for choked isothermal flow)."""
    tau = vent_time_constant_s(volume_m3, cd_area_m2, R, temperature_K)
    return mass_kg * np.exp(-dt_s / tau)


def depress_time_s(p0_Pa, p1_Pa, volume_m3, cd_area_m2, R, temperature_K):
    """Closed-form time to vent from ``p0`` to ``p1`` into vacuum: tau * ln(p0 / p1)."""
    tau = vent_time_constant_s(volume_m3, cd_area_m2, R, temperature_K)
    return tau * np.log(np.asarray(p0_Pa) / np.asarray(p1_Pa))


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def mix_o2_fraction(mass_kg, o2_fraction, added_kg, added_o2_fraction):
    """O2 mole fraction of one vessel's gas after adding gas (mass-weighted; O2 and N2 differ
    by 14 % in molar mass, which the repress gas budget does not need to resolve)."""
    total = mass_kg + added_kg
    if total > 0:
        return (mass_kg * o2_fraction + added_kg * added_o2_fraction) / total
    return added_o2_fraction
