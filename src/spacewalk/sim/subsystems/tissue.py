"""Tissue nitrogen and the DCS dose (:mod:`spacewalk.physics.dcs`): the NASA 360-min tissue,
the exercise tissue of the ETR model and the survival model's accelerated time, updated at
their own slower rate (``engine.dcs_dt_s``); each update holds the step's breathing gas over
the period (what each crew member breathes is the values' kernel's, :mod:`spacewalk.sim.values`:
the suit's O2, a prebreathe mask's, or the vessel's gas)."""

from __future__ import annotations

import numpy as np

from ...physics import dcs
from ...physics.metabolism import vo2_mL_kg_min
from ..plan import Plan


def init(plan: Plan) -> dcs.Dose:
    return dcs.Dose(*np.moveaxis(plan.crew.dose0, -1, 0).copy())


def step(s: dcs.Dose, plan: Plan, p_in_Pa, p_breath_Pa, fo2_breath, met_W, dt_period):
    """One update over ``dt_period`` seconds (the engine calls it every ``dcs_dt_s``)."""
    vo2 = vo2_mL_kg_min(met_W, plan.crew.mass_kg)
    on_o2 = fo2_breath >= dcs.ON_O2_FRACTION
    return dcs.advance(s, p_in_Pa, p_in_Pa, p_breath_Pa, on_o2, vo2, dt_period), []


def ratios(s: dcs.Dose, p_breath_Pa) -> tuple[np.ndarray, np.ndarray]:
    """Tissue ratio and exercise tissue ratio over the breathing pressure."""
    return dcs.tissue_ratio(s.n2_Pa, p_breath_Pa), dcs.tissue_ratio(s.etr_Pa, p_breath_Pa)
