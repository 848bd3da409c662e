"""Suit life support physics: the regulator, CO2 washout and scrubbing, heat balance and
sweat, fit through a hatch. Pure functions. Those the engine's compiled suit kernels call
are compiled with Numba and take one suit's numbers (``regulated_mass_step``, ``co2_step``,
``scrubber_efficiency``, ``heat_step``, the fogging functions); ``inspired_co2_mmHg`` takes
numbers or arrays; the rest take arrays shaped (runs, crew).

CO2: the suit gas is one well-mixed node of volume V ventilated by a flow Q whose CO2 is
removed with efficiency eta (a scrubber) or dumped overboard (an open-loop purge):

    d(ppCO2)/dt = m_dot_CO2 R_CO2 T / V - (Q eta / V) ppCO2

is linear with constant coefficients over a step, so :func:`co2_step` uses its exact
solution. The inspired ppCO2 a crew member breathes is higher than the mixed value: a share
f of each breath is drawn from the plume of the last exhalation, which carries the alveolar
CO2 (40 mmHg above what was inspired, normocapnia, H) before the vent flow sweeps it away:
inspired = mixed + f * 40 mmHg, with f = f_max (1 - exp(-VE / VE0)) rising with the minute
ventilation VE = 25 VO2 (the ventilatory equivalent below the anaerobic threshold, H,
textbook). f_max and VE0 are a helmet's two parameters (for the EMU, fitted to Kim et al.
2020 at 1,000 and 3,000 Btu/h; its rest and 2,000 Btu/h figures are then predictions, see
``spacewalk models validate``). The loop's CO2 can never exceed the suit's pressure less
the water vapour in it: the relief valve vents the rest.

Heat: metabolic and equipment heat go to the cooling (liquid-cooling garment or the gas
stream), up to its capacity; the rest is stored in the body, which answers with sweat. Only
the sweat the ventilation can carry evaporates (its latent heat leaves); the rest pools.

Fogging: water condenses on the visor when its inner face is colder than the dew point of the
gas that sweeps it. The gas enters with the suit's inlet dew point and takes up the water the
lungs add (the minute ventilation leaves saturated at 37 C) and, where the gas reaches the
helmet after the body, the evaporated sweat; a stream that carries its whole capacity leaves
saturated at skin temperature (:func:`helmet_vapour_Pa`). The visor's inner face lies between
the helmet's inside, at skin temperature, and the radiative sink of the space (or cabin)
beyond it, a share ``coupling`` of the way (:func:`visor_temperature_K`): at night, against a
colder sink, it is colder. The fog index is the gas's vapour pressure over saturation at the
visor (:func:`visor_saturation_Pa`, :func:`fog_index`): above 1 the visor condenses.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import units
from ..units import (
    BODY_T_K,
    H_VAP_SWEAT,
    M_H2O,
    PA_PER_MMHG,
    R_CO2,
    R_UNIVERSAL,
    SKIN_T_K,
    SOLAR_CONSTANT_W_M2,
    STEFAN_BOLTZMANN,
)
from . import jit
from .metabolism import o2_energy_equivalent_J_per_L
from .physiology import PH2O_BODY_MMHG

SCRUBBER_BREAKTHROUGH = 0.9  # loading fraction where CO2 starts to pass the bed
RECOVERY_TAU_S = 900.0  # [s] time constant of clearing stored heat when cooling has room
SWEAT_TAU_S = 300.0  # [s] stored heat / (h_vap * tau) sets the sweat rate
SWEAT_MAX_KG_S = 1.5 / 3600.0  # [kg/s] 1.5 L/h, a high sustained human sweat rate
# [kg/m^3] water in expired gas, saturated at 37 C: 47 mmHg M_H2O / (R T_body) = 0.0438 (H)
EXPIRED_WATER_KG_M3 = PH2O_BODY_MMHG * PA_PER_MMHG * M_H2O / (R_UNIVERSAL * BODY_T_K)

p_sat_water_Pa = njit(cache=True, error_model="numpy", fastmath=jit.ARCP)(units.p_sat_water_Pa)
water_per_kg_o2 = njit(cache=True, error_model="numpy", fastmath=jit.ARCP)(units.water_per_kg_o2)
P_SAT_SKIN_PA = units.p_sat_water_Pa(SKIN_T_K)  # [Pa] 5.63 kPa: gas saturated at the skin


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def regulated_mass_step(
    m_kg, m_set_kg, m_amb_kg, k_out_per_s, sink_kg_s, primary_kg_s, secondary_kg_s, dt_s
):
    """Suit gas mass over one step with a two-stage regulator (one suit; compiled, called
    from the suit gas kernel).

    The gas leaves through leaks and holes at ``k_out (m - m_amb)`` (exact for choked flow to
    vacuum, where the flow is proportional to the suit pressure) and by ``sink`` (metabolic O2
    and an open-loop purge). The primary regulator supplies what holding the set mass needs,
    up to ``primary_kg_s``; the secondary adds up to ``secondary_kg_s`` when that is not
    enough (the EMU's SOP comes on when the suit pressure falls, or the primary is empty).
    When the two cannot hold, the mass follows the exact solution of
    ``dm/dt = F_in - sink - k (m - m_amb)`` towards its equilibrium.

    Returns ``(m_new, primary_flow, secondary_flow)`` [kg, kg/s, kg/s].
    """
    hold = sink_kg_s + max(k_out_per_s * (m_set_kg - m_amb_kg) + (m_set_kg - m_kg) / dt_s, 0.0)
    fp = min(hold, primary_kg_s)
    fs = min(hold - fp, secondary_kg_s)
    f_in = fp + fs
    if f_in >= hold * (1.0 - 1e-12):  # the usual step: the regulator holds the setting
        return m_set_kg, fp, fs
    if k_out_per_s > 0:
        m_eq = m_amb_kg + (f_in - sink_kg_s) / k_out_per_s
        decayed = m_eq + (m_kg - m_eq) * np.exp(-k_out_per_s * dt_s)
    else:
        decayed = m_kg + (f_in - sink_kg_s) * dt_s
    return min(max(decayed, 0.0), m_set_kg), fp, fs


PETCO2_ABOVE_INSPIRED_MMHG = 40.0  # H: normal arterial and end-tidal CO2, textbook
VENTILATORY_EQUIVALENT = 25.0  # H: VE / VO2 below the anaerobic threshold, textbook


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def minute_ventilation_L_min(metabolic_W):
    """Minute ventilation [L/min BTPS] at a metabolic rate: 25 times the O2 uptake."""
    return VENTILATORY_EQUIVALENT * metabolic_W / o2_energy_equivalent_J_per_L() * 60.0


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def exp_reusing(x, last):
    """exp(x), kept in ``last`` ([argument, exponential], updated) and reused while the
    argument stays the same: a step's exponential of a rate that seldom changes (a constant
    ventilation, a steady flow) is then a comparison, not a new exp (the same number)."""
    if x != last[0]:
        last[0] = x
        last[1] = np.exp(x)
    return last[1]


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def inspired_co2_mmHg(mixed_mmHg, metabolic_W, rebreathed_max, rebreathed_ve_L_min, last=None):
    """Inspired ppCO2 [mmHg] in a helmet: the mixed value plus the rebreathed plume (numbers
    or arrays; for one crew member, ``last`` keeps the plume's exponential, :func:`exp_reusing`)."""
    ve = minute_ventilation_L_min(metabolic_W)
    x = -ve / np.maximum(rebreathed_ve_L_min, 1e-9)
    e = np.exp(x) if last is None else exp_reusing(x, last)
    f = rebreathed_max * (1.0 - e)
    return mixed_mmHg + f * PETCO2_ABOVE_INSPIRED_MMHG


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def scrubber_efficiency(used_kg, capacity_kg):
    """Fraction of CO2 the bed removes: 1 until 90 % loaded, then falling to 0 when full."""
    frac = used_kg / capacity_kg if capacity_kg > 0 else 1.0
    return min(max((1.0 - frac) / (1.0 - SCRUBBER_BREAKTHROUGH), 0.0), 1.0)


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def co2_step(pp_Pa, made_kg_s, flow_m3_s, efficiency, volume_m3, temperature_K, dt_s, last=None):
    """Mixed suit ppCO2 after ``dt_s`` and the CO2 mass taken out of the gas meanwhile (one
    suit; ``last`` keeps the step's exponential, :func:`exp_reusing`).

    Returns ``(pp_new_Pa, removed_kg)``; the removal closes the mass balance exactly:
    made * dt = removed + (pp_new - pp) V / (R T).
    """
    source = made_kg_s * R_CO2 * temperature_K / volume_m3  # [Pa/s]
    rate = flow_m3_s * efficiency / volume_m3  # [1/s]
    if rate > 0:
        decay = np.exp(-rate * dt_s) if last is None else exp_reusing(-rate * dt_s, last)
        pp_new = source / rate + (pp_Pa - source / rate) * decay
    else:
        pp_new = pp_Pa + source * dt_s
    stored = (pp_new - pp_Pa) * volume_m3 / (R_CO2 * temperature_K)
    removed = made_kg_s * dt_s - stored
    return pp_new, removed


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def heat_step(
    storage_J, heat_in_W, cooling_max_W, evaporation_max_kg_s, dt_s, latent_shares,
    evaporation_free_kg_s=0.0,
):  # fmt: skip
    """Body heat storage after ``dt_s`` (above neutral; negative is a cold body), one crew
    member.

    Returns ``(storage_J, cooling_W, sweat_kg_s, evaporated_kg_s, into_free_kg_s)``. Cooling
    takes the heat coming in plus a share of what is stored, up to ``cooling_max_W`` (it
    never heats: a cold body keeps its deficit); stored heat drives sweating; evaporation is
    capped by what the ventilation can carry and, where ``latent_shares`` is true, by the
    cooling capacity left after the sensible load (the EMU's sublimator condenses the vent
    loop's water, so sweat evaporates only while it has room). ``evaporation_free_kg_s`` is
    a stream that takes its water overboard (a purge): it takes sweat first, whatever the
    cooling, and ``into_free_kg_s`` is its share. The first law holds exactly: the change of
    storage is heat in less cooling less the latent heat of the evaporated sweat.
    """
    stored = max(storage_J, 0.0)
    demand = heat_in_W + storage_J / RECOVERY_TAU_S
    cooling = min(max(demand, 0.0), cooling_max_W)
    sweat = min(stored / (H_VAP_SWEAT * SWEAT_TAU_S), SWEAT_MAX_KG_S)
    evap_max = evaporation_max_kg_s
    if latent_shares:
        evap_max = min(evap_max, max(cooling_max_W - cooling, 0.0) / H_VAP_SWEAT)
    into_free = min(sweat, evaporation_free_kg_s)
    evaporated = into_free + min(sweat - into_free, evap_max)
    new = storage_J + (heat_in_W - cooling - evaporated * H_VAP_SWEAT) * dt_s
    return new, cooling, sweat, evaporated, into_free


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def purge_moisture_kg_s(purge_kg_s, p_suit_Pa):
    """Water a stream of dry O2 can carry off the skin [kg/s] (one suit): it leaves saturated
    at skin temperature (``units.water_per_kg_o2``; a suit below twice the saturation
    pressure is taken at twice it, where the formula would blow up)."""
    p = max(p_suit_Pa, 2.0 * P_SAT_SKIN_PA)
    return purge_kg_s * water_per_kg_o2(P_SAT_SKIN_PA, p)


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def respired_water_kg_s(metabolic_W, p_water_in_Pa):
    """Water the lungs add to the helmet gas [kg/s]: the minute ventilation (BTPS) leaves
    saturated at 37 C and came in carrying ``p_water_in_Pa`` of vapour (one crew member)."""
    ve_m3_s = minute_ventilation_L_min(metabolic_W) / 60000.0
    inspired = p_water_in_Pa * M_H2O / (R_UNIVERSAL * BODY_T_K)
    return ve_m3_s * max(EXPIRED_WATER_KG_M3 - inspired, 0.0)


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def helmet_vapour_Pa(p_water_in_Pa, load_kg_s, capacity_kg_s):
    """Water vapour pressure [Pa] of the gas at the visor (one crew member).

    The stream enters at ``p_water_in_Pa`` and can carry ``capacity_kg_s`` of water before it
    is saturated at skin temperature; a load of water takes it that share of the way (linear
    in vapour pressure, exact to the mole fraction of water, a few per cent). A load at or
    beyond the capacity, or a stream that has stopped, leaves the gas saturated.
    """
    if capacity_kg_s <= 0.0:
        return P_SAT_SKIN_PA
    share = min(load_kg_s / capacity_kg_s, 1.0)
    return p_water_in_Pa + share * (P_SAT_SKIN_PA - p_water_in_Pa)


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def visor_temperature_K(sink_K, coupling):
    """Temperature of the visor's inner face [K]: a share ``coupling`` of the way from the
    helmet's inside (skin temperature) to the radiative sink beyond the visor."""
    return SKIN_T_K - coupling * (SKIN_T_K - sink_K)


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def visor_saturation_Pa(sink_K, coupling):
    """Saturation vapour pressure [Pa] at the visor's inner face (:func:`visor_temperature_K`)."""
    return p_sat_water_Pa(visor_temperature_K(sink_K, coupling))


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def fog_index(p_water_Pa, visor_saturation_Pa):
    """The gas's water vapour pressure over saturation at the visor's face (>1: the visor
    condenses, it fogs)."""
    return p_water_Pa / visor_saturation_Pa


def envelope_m(dp_suit_kPa, envelope0_m, compliance_m_per_kPa):
    """Size of the suited body that must pass the hatch, growing as the suit balloons."""
    return envelope0_m + compliance_m_per_kPa * np.maximum(dp_suit_kPa, 0.0)


def fits_hatch(envelope, hatch_diameter_m):
    return envelope <= hatch_diameter_m


EARTH_IR_W_M2 = 237.0  # [W/m^2] mean outgoing long-wave radiation (Trenberth et al. 2009)
ALBEDO = 0.30  # Earth's mean Bond albedo
EARTH_VIEW_FACTOR = 0.33  # C: (1 - cos rho) / 2 at 420 km, sin rho = R / (R + h)


def sink_temperature_K(sunlit, absorptance, emittance, solar_W_m2=SOLAR_CONSTANT_W_M2):
    """Radiative equilibrium temperature of the suit's outer layer.

    The layer absorbs sunlight on its projected area (a quarter of its surface, as a
    sphere), Earth-reflected sunlight and Earth infrared over the view factor, and radiates
    ``emittance * sigma * T^4``. ``sunlit`` is the fraction of the solar disc in view.
    """
    solar = absorptance * sunlit * solar_W_m2 * (0.25 + 0.5 * ALBEDO * EARTH_VIEW_FACTOR)
    infrared = emittance * EARTH_IR_W_M2 * EARTH_VIEW_FACTOR
    return ((solar + infrared) / (emittance * STEFAN_BOLTZMANN)) ** 0.25


def environment_heat_W(sunlit, absorptance, emittance, insulation_W_K):
    """Heat leaking into the crew member through the suit (negative: lost to space)."""
    return insulation_W_K * (sink_temperature_K(sunlit, absorptance, emittance) - SKIN_T_K)
