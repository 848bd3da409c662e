"""Tissue nitrogen and the DCS dose (:mod:`spacewalk.physics.dcs`): the NASA 360-min tissue,
the exercise tissue of the ETR model and the survival model's accelerated time, updated at
their own slower rate (``engine.dcs_dt_s``); each update holds the step's breathing gas over
the period (what each crew member breathes is the values' kernel's, :mod:`spacewalk.sim.values`:
the suit's O2, a prebreathe mask's, or the vessel's gas).

One compiled kernel (:func:`_kernel`) does the period in place, number by number the
arithmetic of :func:`spacewalk.physics.dcs.advance` and
:func:`~spacewalk.physics.dcs.probability_dcs` (the reference, which the prebreathe histories
use); ``tests/test_dcs.py`` holds the two together."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ...physics import dcs, jit
from ...physics.metabolism import RQ_DEFAULT, o2_energy_equivalent_J_per_L
from ..arrays import every_run
from ..plan import Plan
from ..values import VALUE_INDEX

_TISSUE_RATIO, _ETR, _P_DCS = VALUE_INDEX["tissue_ratio"], VALUE_INDEX["etr"], VALUE_INDEX["p_dcs"]
_K360, _LAMBDA, _VO2_REST = dcs.K_360_PER_S, dcs.ETR_LAMBDA, dcs.VO2_REST_ML_KG_MIN
_MU0, _N, _GAMMA, _BETA = dcs.MU0, dcs.DOSE_EXPONENT, dcs.GAMMA, dcs.BETA
_C1 = dcs.OTHER_GASES_PA
_P_NOW = VALUE_INDEX["p_dcs_exposure"]


def init(plan: Plan) -> dcs.Dose:
    return dcs.Dose(*np.moveaxis(plan.crew.dose0, -1, 0).copy())


def step(
    s: dcs.Dose, plan: Plan, p_breath_Pa, fo2_breath, met_W, dt_period, p_dcs, values,
    busy=None, live=None,
):  # fmt: skip
    """One update over ``dt_period`` seconds (the engine calls it every ``dcs_dt_s``), in
    place: the tissues and dose ``s``, P(DCS) into ``p_dcs`` (R, C) and the tissue ratios and
    P(DCS) into their rows of the engine's value buffer ``values``. A crew member who is not
    ``live`` (lost) keeps the tissues and risk of the loss, as the summary's peaks do."""
    jit.about_to_run(_kernel, jit.ENGINE_NOTICE)
    live = np.ones(p_dcs.shape, dtype=np.bool_) if live is None else live
    _kernel(*s, p_breath_Pa, fo2_breath, met_W, plan.crew.mass_kg, float(dt_period), p_dcs,
            values, every_run(busy, plan.runs), live)  # fmt: skip


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _kernel(
    n2, etr, etr_dlam, u, u_ln, u_x, u_s, ln_s, g_mu0, g_n, g_lam, g_gamma, g_beta, p_breath,
    fo2_breath, met_W, mass_kg, dt_s, p_dcs, values, busy, live,
):  # fmt: skip
    """The period of :func:`spacewalk.physics.dcs.advance` on a constant breathing gas (its
    inspired N2 the dry gas's, none on O2; an exposure ends as in
    :func:`~spacewalk.physics.dcs.close_exposures`), then P(DCS) and the ratios over the
    pressure breathed, in place."""
    R, C = n2.shape
    e_o2 = o2_energy_equivalent_J_per_L(RQ_DEFAULT)
    decay360 = math.exp(-_K360 * dt_s)
    for r in range(R):
        if not busy[r]:
            continue  # the run is over: it stays as it ended (sim.stretch.all_over)
        for c in range(C):
            if not live[r, c]:
                continue  # lost: the tissues and risk stay as at the loss (the peaks' too)
            pb, fo2 = p_breath[r, c], fo2_breath[r, c]
            p_in = pb * (1.0 - fo2)
            vo2 = met_W[r, c] / e_o2 * 60_000.0 / mass_kg[r, c]
            # dcs.tissue_ramp with a constant inspired N2 (its ramp term r = 0 exactly)
            n2[r, c] = p_in - 0.0 / _K360 + (n2[r, c] - p_in + 0.0 / _K360) * decay360
            pmax = pb if not pb < 1.0 else 1.0  # NumPy's maximum
            k, dk = _K360, 0.0
            if etr[r, c] + _C1 <= pmax:  # dcs._washing_out: exercise speeds the tissue
                k = _K360 * math.exp(_LAMBDA * (vo2 - _VO2_REST))  # dcs.etr_rate_per_s
                dk = (vo2 - _VO2_REST) * k
            decay = math.exp(-k * dt_s)
            # the sensitivity to lambda (dcs.tissue_ramp_dk, no ramp), from the period's start
            etr_dlam[r, c] = etr_dlam[r, c] * decay - dk * dt_s * (etr[r, c] - p_in) * decay
            etr[r, c] = p_in - 0.0 / k + (etr[r, c] - p_in + 0.0 / k) * decay
            dose = max((etr[r, c] + _C1) / pmax - 1.0, 0.0)  # dcs.supersaturation
            excess = max(vo2 - _VO2_REST, 0.0)
            x = math.log1p(excess / _VO2_REST)
            closed = dose <= 0.0 and u[r, c] > 0.0
            if closed:  # the exposure is over: dcs.close_exposures
                uu = u[r, c]
                ln_u = math.log(uu)
                ub = math.exp(min(_BETA * ln_u, 700.0))
                pe = ub / (1.0 + ub)
                bp = _BETA * pe
                ln_s[r, c] -= math.log1p(ub)
                g_mu0[r, c] -= bp
                g_n[r, c] += bp * u_ln[r, c] / uu
                g_lam[r, c] += bp * _N * u_s[r, c] / uu
                g_gamma[r, c] += bp * u_x[r, c] / uu
                g_beta[r, c] += pe * ln_u
                u[r, c], u_ln[r, c], u_x[r, c], u_s[r, c] = 0.0, 0.0, 0.0, 0.0
            ln_d = math.log(dose if dose > 0.0 else 1.0)
            rate = 0.0
            d_ln_d = 0.0  # dcs._dose_sensitivity
            if dose > 0.0:
                rate = math.exp(-_MU0 + _GAMMA * x + _N * ln_d)
                d_ln_d = etr_dlam[r, c] / (etr[r, c] + _C1 - pmax)
            du = rate * dt_s / 60.0
            u[r, c] += du
            u_ln[r, c] += du * ln_d
            u_x[r, c] += du * x
            u_s[r, c] += du * d_ln_d
            uu = u[r, c]
            values[_TISSUE_RATIO, r, c] = n2[r, c] / pmax
            values[_ETR, r, c] = etr[r, c] / pmax
            if not (uu > 0.0 or closed):
                continue  # no exposure now nor just over: P(DCS) is as it was
            # dcs.probability_exposure, and dcs.probability_dcs: the exposures over (p_done)
            # and this one, p_done + (1 - p_done) p_now
            p_now = 0.0
            if uu > 0.0:
                z = min(max(_BETA * math.log(uu), -700.0), 700.0)
                p_now = 1.0 / (1.0 + math.exp(-z))
            ln_done = ln_s[r, c]
            p = p_now
            if ln_done != 0.0:
                p_done = -math.expm1(ln_done)
                p = p_done + (1.0 - p_done) * p_now
            values[_P_NOW, r, c] = p_now
            p_dcs[r, c] = p
            values[_P_DCS, r, c] = p


jit.register(_kernel, jit.ENGINE_NOTICE)
