"""Unit conversions and physical constants used across spacewalk.

Everything inside the engine is SI (Pa, kg, s, W, J, m, K). Scenario files and
telemetry use the units named in their keys (``pressure_psi``, ``ppco2_mmHg``);
these factors convert at the edges.
"""

from __future__ import annotations

import math

PA_PER_PSI = 6894.757293168  # [Pa/psi]
PA_PER_MMHG = 133.322387415  # [Pa/mmHg]
PA_PER_ATM = 101325.0  # [Pa/atm]
KG_PER_LB = 0.45359237  # [kg/lb]
M3_PER_FT3 = 0.028316846592  # [m^3/ft^3]
W_PER_BTU_H = 0.29307107  # [W per Btu/h]
W_PER_KCAL_H = 1.163  # [W per kcal/h]

R_UNIVERSAL = 8.314462618  # [J/(mol K)]
M_O2 = 0.031998  # [kg/mol]
M_N2 = 0.028014  # [kg/mol]
M_CO2 = 0.04401  # [kg/mol]
R_O2 = R_UNIVERSAL / M_O2  # [J/(kg K)] 259.8
R_CO2 = R_UNIVERSAL / M_CO2  # [J/(kg K)] 188.9

# Gas densities at STPD (0 C, 101.325 kPa)
RHO_O2_STPD = 1.429e-3  # [kg/L] O2 at STPD, measured (CRC Handbook)
RHO_CO2_STPD = 1.977e-3  # [kg/L] measured (CO2 is non-ideal; CRC Handbook)

H_VAP_SWEAT = 2.43e6  # [J/kg] latent heat of evaporation of sweat at skin temperature
H_SUB_ICE = 2.83e6  # [J/kg] latent heat of sublimation of ice (EMU sublimator)
C_BODY = 3490.0  # [J/(kg K)] mean specific heat of the human body

G0 = 9.80665  # [m/s^2] standard gravity (specific impulse)

STEFAN_BOLTZMANN = 5.670374419e-8  # [W/(m^2 K^4)] CODATA 2018 (exact)
SOLAR_CONSTANT_W_M2 = 1361.0  # [W/m^2] total solar irradiance at 1 au (Kopp & Lean 2011)

# gas temperatures and the orifice discharge coefficient, each defined here only
SUIT_GAS_T_K = 295.0  # [K] suit gas (NF: assumption, near cabin temperature)
CABIN_GAS_T_K = 295.0  # [K] cabin and airlock gas (default of [vehicle.cabin] temperature_K)
VENT_GAS_T_K = 285.0  # [K] ventilation gas at the fan, after the cooler (NF: assumption)
DISCHARGE_CD = 0.72  # discharge coefficient of vents, hatches and suit holes (NF: sharp-edged orifice ~0.6-0.8)

M_H2O = 0.018015  # [kg/mol]
BODY_T_K = 310.15  # [K] core and lung temperature, 37 C (BTPS)
SKIN_T_K = 308.15  # [K] mean skin temperature under a working suit, 35 C (NF: assumption)
GAMMA_AIR = 1.4  # ratio of specific heats for air, O2 and N2 near 295 K


def p_sat_water_Pa(t_K: float) -> float:
    """Saturation vapour pressure of water [Pa] at ``t_K``: the Magnus form of Alduchov and
    Eskridge 1996 (J Appl Meteor 35:601), over water, within 0.4 % from -40 to 50 C."""
    t_C = t_K - 273.15
    return 610.94 * math.exp(17.625 * t_C / (t_C + 243.04))


def water_per_kg_o2(p_water_Pa: float, p_Pa: float) -> float:
    """Water [kg] carried per kg of O2 in a gas at ``p_Pa`` holding ``p_water_Pa`` of water
    vapour (the humidity ratio, M_H2O / M_O2 p_w / (p - p_w))."""
    return (M_H2O / M_O2) * p_water_Pa / (p_Pa - p_water_Pa)


def gas_constant(o2_mole_fraction: float) -> float:
    """Specific gas constant [J/(kg K)] of an O2/N2 mixture of the given O2 mole fraction."""
    molar_mass = o2_mole_fraction * M_O2 + (1.0 - o2_mole_fraction) * M_N2
    return R_UNIVERSAL / molar_mass


def choked_flow_factor(gamma: float = GAMMA_AIR) -> float:
    """The dimensionless factor of choked orifice flow.

    m_dot = Cd * A * p0 * factor / sqrt(R * T0), with
    factor = sqrt(gamma) * (2 / (gamma + 1)) ** ((gamma + 1) / (2 (gamma - 1))).
    For gamma = 1.4 it is 0.6847 (Higgins via G. Landis; reference-data 10).
    """
    return math.sqrt(gamma) * (2.0 / (gamma + 1.0)) ** ((gamma + 1.0) / (2.0 * (gamma - 1.0)))


def format_hm(minutes: float | None) -> str:
    """``8 h 56 min``, or ``55 min`` under an hour, from minutes; ``-`` for none."""
    if minutes is None or minutes != minutes:
        return "-"
    h, m = divmod(round(float(minutes)), 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"
