"""Decompression sickness: tissue nitrogen, tissue ratio and a probability of DCS.

Tissue N2 follows the single 360-minute half-time compartment of the NASA tissue ratio
(Conkin et al. 1996, ASEM 67(2):176-183; reference-data 9):

    P(t) = P_in + (P0 - P_in) exp(-ln2 t / 360 min),   TR = P1N2 / P2,

with P_in the N2 partial pressure of the dry breathing gas (0 on 100 % O2) and P2 the
ambient (suit) pressure after decompression. As in the reference's worked values, the
initial tissue tension is 0.79 x 14.7 psia = 11.61 psia and no water-vapour correction is
applied.

The probability of DCS uses the exercise tissue ratio (ETR) and logistic model of Conkin,
Gernhardt, Powell and Pollock, NASA/TP-2004-213158 (2004), Table 10, research model
(ETR only): P(DCS) = 1 / (1 + exp(-(-29.11 + 14.11 ETR))), where the ETR compartment's
rate constant shortens with O2 uptake: k = exp(0.025 VO2) / 519.37 per minute (their
Eq. 6 with lambda2 = 0.025; VO2 in mL/(kg min); k = ln2/360 at rest). The model was fit
to 229 exposures at 4.3 psia for 4 h after exercise prebreathe; outside that range it is an
extrapolation.
"""

from __future__ import annotations

import numpy as np

from ..units import PA_PER_PSI

HALF_TIME_MIN = 360.0
K_360_PER_S = np.log(2.0) / (HALF_TIME_MIN * 60.0)
TISSUE_SEA_LEVEL_PA = 0.79 * 14.7 * PA_PER_PSI  # 11.61 psia
ETR_LAMBDA = 0.025  # [per mL/(kg min)] NASA/TP-2004-213158, Table 10
ETR_B0 = -29.11  # same, constant
ETR_B1 = 14.11  # same, ETR coefficient


def inspired_n2_Pa(pressure_Pa, o2_fraction):
    """Dry-gas N2 partial pressure of a breathing gas (the reference's convention)."""
    return np.asarray(pressure_Pa) * (1.0 - np.asarray(o2_fraction))


def tissue_step(tissue_Pa, inspired_Pa, k_per_s, dt_s):
    """Exact update of a compartment over ``dt_s`` with constant inspired N2."""
    return inspired_Pa + (tissue_Pa - inspired_Pa) * np.exp(-k_per_s * dt_s)


def tissue_ramp(tissue_Pa, inspired0_Pa, inspired1_Pa, k_per_s, duration_s):
    """Exact update over a stage whose inspired N2 changes linearly from ``inspired0`` to
    ``inspired1`` (a cabin pressure or O2 ramp): P' = k (Pin(t) - P), Pin = a + r t."""
    r = (inspired1_Pa - inspired0_Pa) / duration_s
    decay = np.exp(-k_per_s * duration_s)
    return inspired1_Pa - r / k_per_s + (tissue_Pa - inspired0_Pa + r / k_per_s) * decay


def etr_rate_per_s(vo2_mL_kg_min):
    """Rate constant of the exercise-adjusted compartment (NASA/TP-2004-213158, Eq. 6)."""
    return np.exp(ETR_LAMBDA * np.asarray(vo2_mL_kg_min)) / 519.37 / 60.0


def tissue_ratio(tissue_Pa, ambient_Pa):
    return np.asarray(tissue_Pa) / np.maximum(np.asarray(ambient_Pa), 1.0)


def probability_dcs(etr):
    """P(DCS) from the exercise tissue ratio (NASA/TP-2004-213158, Table 10)."""
    z = ETR_B0 + ETR_B1 * np.asarray(etr, dtype=float)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def history_tissue_Pa(stages, start_Pa=TISSUE_SEA_LEVEL_PA, k_per_s=K_360_PER_S):
    """Tissue N2 after a list of stages ``(duration_s, p0_Pa, p1_Pa, fo2_0, fo2_1)``.

    Each stage is a linear ramp of pressure and O2 fraction; the inspired N2 is taken as
    linear in between (exact for a pressure ramp at constant O2 fraction, and for constant
    pressure with an O2 ramp)."""
    tissue = start_Pa
    for duration_s, p0, p1, f0, f1 in stages:
        tissue = tissue_ramp(
            tissue, inspired_n2_Pa(p0, f0), inspired_n2_Pa(p1, f1), k_per_s, duration_s
        )
    return tissue
