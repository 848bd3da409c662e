"""Physiology that can fail: hypoxia, hypercapnia, heat and cold, water in the helmet.

Each hazard is a dose that grows at 1 / (time to the effect at the present exposure) and
falls back while the exposure is gone; a crew member is *impaired* from the first threshold
and *incapacitated* (cannot work, fly or climb home) when a dose reaches 1. Thresholds carry
their sources and the confidence codes of ``shared/research/reference-data.md``.

Hypoxia is judged on the inspired O2 partial pressure, saturated with water at body
temperature, ``PiO2 = FO2 (P - 47 mmHg)`` (the alveolar gas equation's first term, H,
textbook), so a pure-O2 suit at 2.5 psi (PiO2 82 mmHg) is equivalent to air at about
15,000 ft, not to vacuum. The time of useful consciousness (TUC) is the FAA's table by
altitude in air (FAA AC 61-107, as tabulated in Wikipedia "Time of useful consciousness", M),
turned into PiO2 by the ISA standard atmosphere (H).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..units import PA_PER_MMHG
from . import jit

PH2O_BODY_MMHG = 47.0  # water vapour pressure at 37 C (H, textbook)
FO2_AIR = 0.2095


def isa_pressure_mmHg(altitude_ft):
    """ISA troposphere pressure (ICAO standard atmosphere, H), up to 11 km."""
    h_m = np.asarray(altitude_ft, dtype=float) * 0.3048
    return 760.0 * (1.0 - 2.25577e-5 * h_m) ** 5.25588


def _air_pio2(altitude_ft):
    return FO2_AIR * (isa_pressure_mmHg(altitude_ft) - PH2O_BODY_MMHG)


# FAA TUC table (altitude [ft], shortest and longest TUC [s]), normal ascent, at rest; the
# model takes the geometric mean. Above 50,000 ft: 6-9 s (space: 6-8 s, same source).
TUC_FT_S = (
    (18000, 20 * 60, 30 * 60),
    (22000, 5 * 60, 10 * 60),
    (25000, 3 * 60, 6 * 60),
    (28000, 150, 180),
    (30000, 60, 180),
    (35000, 30, 60),
    (40000, 15, 20),
    (43000, 9, 15),
    (50000, 6, 9),
)
# ISA above 11 km is isothermal; the two highest rows' pressures (mmHg): 40,000 ft 140.7,
# 43,000 ft 122.6, 50,000 ft 87.3 (ICAO standard atmosphere, H)
_P_HIGH_MMHG = {40000: 140.7, 43000: 122.6, 50000: 87.3}
TUC_PIO2_MMHG = np.array(
    [
        FO2_AIR * (_P_HIGH_MMHG[ft] - PH2O_BODY_MMHG) if ft in _P_HIGH_MMHG else _air_pio2(ft)
        for ft, _, _ in TUC_FT_S
    ]
)
TUC_S = np.array([np.sqrt(lo * hi) for _, lo, hi in TUC_FT_S])
# no loss of useful consciousness at or above the PiO2 of 15,000 ft ("30 min or more")
HYPOXIA_NONE_PIO2_MMHG = float(_air_pio2(15000))
# impaired below the PiO2 of 14,000 ft, above which US rules require flight crews to use O2
# at all times (14 CFR 91.211(a)(2), H)
HYPOXIA_IMPAIRED_PIO2_MMHG = float(_air_pio2(14000))
ANOXIA_LETHAL_S = 240.0  # L: irreversible brain injury after ~4-6 min without O2 (first-aid texts)

# Hypercapnia by inspired ppCO2 (% at sea level x 760 mmHg), from the exposure studies the
# Canadian Centre for Occupational Health and Safety summarises (quoted in pages; L-M) and
# Wikipedia "Hypercapnia" (M): 6.5-7.5 % for 20 min lowers mental performance, 10 % gives
# excitation and twitching at 1.5 min, loss of consciousness within 15 min, 7-10 % within
# "a few minutes to an hour", 30 % within 30 s (NIOSH fact sheet as quoted; L).
CO2_IMPAIRED_MMHG_S = ((0.065 * 760, 20 * 60), (0.10 * 760, 90.0))
CO2_INCAPACITATED_MMHG_S = ((0.07 * 760, 3600.0), (0.10 * 760, 15 * 60), (0.30 * 760, 30.0))

# Heat and cold, as the core temperature's departure from 37.0 C. Hyperthermia: heat
# exhaustion near 39 C, heat stroke above 40 C (L: general medical texts as quoted in pages);
# hypothermia: below 35 C by definition, 32 C moderate, shivering stops, confusion (M:
# Wikipedia "Hypothermia").
CORE_IMPAIRED_RISE_C, CORE_INCAPACITATED_RISE_C = 2.0, 3.0
CORE_IMPAIRED_DROP_C, CORE_INCAPACITATED_DROP_C = 2.0, 5.0
# Lethal heat: the critical thermal maximum, the least deep-body temperature that kills, is
# estimated at 41.6-42.0 C in man, and sedated men held an hour at 41.6-42.0 C came to no
# harm beyond a modest rise of serum enzymes (Bynum et al. 1978, Am J Physiol 235(5):R228-236,
# abstract; M). Loss of crew after more than that hour at 42 C or above (L: how much longer
# kills is not in the source; this is the least that can).
CORE_LETHAL_RISE_C = 5.0  # 42 C
HEAT_LETHAL_S = 3600.0

# Water in the helmet (EVA 23, MIB report, H): by ingress 1-1.5 L covered Parmitano's eyes,
# ears and part of his nose; he could not see or hear but reached the airlock. Impaired from
# 1.0 L; incapacitated (nose and mouth under water) from 2.0 L (C/NF: beyond the largest
# volume a crew member is known to have worked with).
HELMET_WATER_IMPAIRED_L, HELMET_WATER_INCAPACITATED_L = 1.0, 2.0

RECOVERY_TAU_S = 120.0  # NF: a dose fades with this time constant once the exposure is gone


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def inspired_o2_mmHg(p_breath_Pa, fo2_dry, ppco2_inspired_mmHg=0.0):
    """Inspired O2 partial pressure [mmHg], humidified at 37 C, of a gas of dry O2 fraction
    ``fo2_dry`` at ``p_breath_Pa``; CO2 in the gas displaces O2 (a suit's loop). Numbers or
    arrays (compiled: the physiology's kernel calls it for one crew member)."""
    p = p_breath_Pa / PA_PER_MMHG
    return np.maximum(p - PH2O_BODY_MMHG, 0.0) * fo2_dry - ppco2_inspired_mmHg


def time_of_useful_consciousness_s(pio2_mmHg):
    """TUC [s] at an inspired O2 pressure (inf at or above the 15,000 ft level)."""
    x = np.asarray(pio2_mmHg, dtype=float)
    # log TUC linear in PiO2 between rows; the table's PiO2 falls with altitude
    log_t = np.interp(x, TUC_PIO2_MMHG[::-1], np.log(TUC_S[::-1]))
    return np.where(x >= HYPOXIA_NONE_PIO2_MMHG, np.inf, np.exp(log_t))


def _time_to_effect_s(pp, table):
    """Time to an effect at exposure ``pp`` from (exposure, time) rows, log-log between rows,
    the last row's time above it, inf below the first."""
    xs = np.log([r[0] for r in table])
    ts = np.log([r[1] for r in table])
    x = np.log(np.maximum(np.asarray(pp, dtype=float), 1e-9))
    t = np.exp(np.interp(x, xs, ts))
    return np.where(np.asarray(pp) < table[0][0], np.inf, t)


def co2_time_to_impairment_s(ppco2_mmHg):
    return _time_to_effect_s(ppco2_mmHg, CO2_IMPAIRED_MMHG_S)


def co2_time_to_incapacitation_s(ppco2_mmHg):
    return _time_to_effect_s(ppco2_mmHg, CO2_INCAPACITATED_MMHG_S)


def dose_step(dose, time_to_effect_s, dt_s):
    """A dose after ``dt_s``: +dt / T while exposed (T finite), fading otherwise."""
    exposed = np.isfinite(time_to_effect_s)
    grown = dose + dt_s / np.where(exposed, time_to_effect_s, 1.0)
    return np.where(exposed, grown, dose * np.exp(-dt_s / RECOVERY_TAU_S))
