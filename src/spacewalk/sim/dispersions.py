"""Dispersed values written into a compiled plan (the targets are resolved and drawn by
:mod:`spacewalk.scenario.dispersions`; each slot says, as data, where its value goes)."""

from __future__ import annotations

import numpy as np

from ..scenario.dispersions import Slot
from ..units import PA_PER_PSI
from .plan import Plan, hole_cdA_m2


def _apply_one(plan: Plan, w, v: np.ndarray) -> None:
    kind, key = w.kind, w.key
    if kind == "crew":
        (c,) = w.index
        if key == "p_set_Pa":
            # the low setting follows the dispersed pressure: never above it, and equal to it
            # for a suit that has no low setting of its own
            p_set, p_low = plan.crew.p_set_Pa[:, c], plan.crew.p_low_Pa[:, c]
            has_low = p_low < p_set - 1e-6
            plan.crew.p_low_Pa[:, c] = np.where(
                has_low, np.minimum(p_low, v * w.factor), v * w.factor
            )
        getattr(plan.crew, key)[:, c] = v * w.factor
    elif kind in ("mass", "propellant"):
        (c,) = w.index
        getattr(plan.crew, key)[:, c] = v
        plan.crew.motion_mass_kg[:, c] += v - w.nominal
    elif kind == "tether":
        c, k = w.index
        getattr(plan.motion, key)[:, c, k] = v  # (runs, crew, tethers)
    elif kind == "timeline":
        c, j = w.index
        getattr(plan, key)[:, c, j] = v * w.factor
    elif kind == "vessel":
        (i,) = w.index
        ves = plan.vessel
        if key == "pressure_psi":
            ves.p0_Pa[:, i] = v * PA_PER_PSI
        elif key == "vent_diameter_cm":
            ves.vent_cdA_m2[:, i] *= (v / w.nominal) ** 2
        elif key == "vent_cd":
            ves.vent_cdA_m2[:, i] *= v / w.nominal
        else:
            ves.repress_kg_s[:, i] = v / 60.0
    elif kind == "vehicle" and key == "hatch_diameter_m":  # the hatches of the vehicle's size
        inherits = plan.vessel.hatch_inherits
        plan.vessel.hatch_diameter_m[:, inherits] = v[:, None]
    elif kind == "vehicle":
        getattr(plan, key)[:] = v
    elif kind == "fault":
        f = plan.faults[w.index[0]]
        if key == "at_min":
            f.at_s[:] = v * 60.0
        elif key == "rate_mL_min":
            f.value[:] = v / 1000.0 / 60.0
        elif key == "hole_diameter_mm":
            f.value[:] = hole_cdA_m2(v)
        else:
            f.value[:] = v
    else:  # a Where kind this module does not know: a programming error, never user input
        raise ValueError(f"unknown dispersion target kind {kind!r}")


def apply(plan: Plan, groups: list[list[Slot]], values: np.ndarray) -> None:
    """Write per-run values (runs, slots) into the plan's arrays (in place, once per plan:
    vent areas scale from their nominal)."""
    flat = [s for g in groups for s in g]
    for j, s in enumerate(flat):
        _apply_one(plan, s.where, values[:, j])
