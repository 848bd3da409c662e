"""Tissue nitrogen: the NASA 360-min tissue and the exercise tissue of the ETR model
(:mod:`spacewalk.physics.dcs`), updated at their own slower rate (``engine.dcs_dt_s``);
each update holds the step's breathing gas over the period."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...physics import dcs
from ...physics.metabolism import vo2_mL_kg_min
from ..plan import KIND, Plan


@dataclass
class TissueState:
    n2_Pa: np.ndarray  # (R, C) 360-min tissue N2 tension
    etr_n2_Pa: np.ndarray  # (R, C) exercise tissue (ETR) N2 tension


def init(plan: Plan) -> TissueState:
    return TissueState(plan.crew.tissue0_Pa.copy(), plan.crew.etr0_Pa.copy())


def breathing(now, suited, p_suit_Pa, p_amb_Pa, fo2_amb):
    """Inspired N2 (O2 only in a suit or on prebreathe), the breathing pressure and the dry
    O2 fraction breathed."""
    prebreathing = now.ready & (now.kind == KIND["prebreathe"])
    on_o2 = suited | prebreathing
    p_in = np.where(on_o2, 0.0, dcs.inspired_n2_Pa(p_amb_Pa, fo2_amb))
    return p_in, np.where(suited, p_suit_Pa, p_amb_Pa), np.where(on_o2, 1.0, fo2_amb)


def step(s: TissueState, plan: Plan, p_in_Pa, met_W, dt_period):
    """One update over ``dt_period`` seconds (the engine calls it every ``dcs_dt_s``)."""
    s.n2_Pa = dcs.tissue_step(s.n2_Pa, p_in_Pa, dcs.K_360_PER_S, dt_period)
    etr_k = dcs.etr_rate_per_s(vo2_mL_kg_min(met_W, plan.crew.mass_kg))
    s.etr_n2_Pa = dcs.tissue_step(s.etr_n2_Pa, p_in_Pa, etr_k, dt_period)
    return s, []


def ratios(s: TissueState, p_breath_Pa) -> tuple[np.ndarray, np.ndarray]:
    """Tissue ratio and exercise tissue ratio over the breathing pressure."""
    return dcs.tissue_ratio(s.n2_Pa, p_breath_Pa), dcs.tissue_ratio(s.etr_n2_Pa, p_breath_Pa)
