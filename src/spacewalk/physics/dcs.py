"""Decompression sickness: tissue nitrogen, the tissue ratios, and a survival model of the
time to DCS driven by the tissue history.

**Tissues.** The NASA tissue ratio uses one 360-minute half-time compartment (Conkin et al.
1996, ASEM 67(2):176-183; reference-data 9):

    P(t) = P_in + (P0 - P_in) exp(-k t),   k = ln2 / 360 min,   TR = P1N2 / P2,

with P_in the N2 partial pressure of the dry breathing gas (0 on 100 % O2), P2 the pressure
breathed after decompression and P0 = 0.79 x 14.7 psia = 11.61 psia at sea level. The
exercise tissue (ETR), which drives the risk, is the compartment of Conkin, Gernhardt, Powell
and Pollock, NASA/TP-2004-213158 (2004), Eq. 6, whose rate constant grows exponentially with
O2 uptake, here held at the 360-min half-time at rest: k = (ln2 / 360 min)
exp(lambda (VO2 - VO2_rest)), VO2 in mL/(kg min), while the tissue is not supersaturated
(TP-2004-213158's tissue runs to the end of the ascent; at altitude work acts through the
risk's rate alone, :func:`_washing_out`). Exercise removes N2 faster because it raises the
blood flow through working tissue (TP-2004-213158): that is how exercise during a prebreathe
protects, and how a break on air loses the protection (the N2 comes back).

**Risk: a log-logistic accelerated-failure-time model with time-varying dose** (Cox and
Oakes 1984, ch. 5; the log-logistic survival form of Conkin 2001, NASA/TP-2001-210775, and of
the USAF model, Pilmanis et al. 2004, ASEM 75:749-759). The accelerated time

    u(t) = integral of r(s) ds,   r = exp(-mu0) D^n (VO2 / VO2_rest)^gamma

grows while the tissue's total gas tension exceeds the pressure breathed: the dose is Conkin's
modified tissue ratio, D = max((P_ETR + c1) / P2 - 1, 0) (Conkin, Kumar, Powell, Foster and
Waligora 1996, ASEM 67:176-183, who fitted c1 > 0: a tissue ratio that falls as P2 falls), with
c1 the venous tension of the tissue's other gases, O2 40 + CO2 46 + water vapour 47 mmHg (the
mixed venous values of any physiology text, e.g. West, *Respiratory Physiology*), so that D is
the total gas tension's excess over the pressure breathed and sea-level air is not
supersaturated (c1 < 14.7 - 11.61 psi). The dose grows faster with exercise at
altitude, VO2 over the resting 4.0 mL/(kg min) (activity at altitude raises the risk: Conkin
1996; Webb et al. 2010; a power law, so that a hard-working crew member is not extrapolated
exponentially). Then P(DCS by t) = u^beta / (1 + u^beta) for one exposure (a stretch of supersaturation);
a run's exposures are independent, and its P(DCS) is 1 minus the product of their survivals
(:func:`close_exposures`). A subject who walks at altitude (an ambulatory
chamber subject) has u multiplied by exp(alpha); a crew member in weightlessness, like the
NASA tests' non-ambulatory subjects (lower body still, to stand for it), has not: the engine
is non-ambulatory (NASA's data bank carries ambulation as a covariate: Conkin and Powell 2001,
ASEM 72:202-214).

Grade IV venous gas emboli (NASA's second acceptance criterion) follow the same exposure's u
shifted by GIV_SHIFT (:func:`probability_giv`), fitted to the PRP tests' grade IV counts.

beta is the reciprocal of the USAF model's log-logistic scale for exposures at or above
30,000 ft, 0.565 +/- 0.05 (Pilmanis et al. 2004, Table I, stratum 3). mu0, n, lambda, gamma
and alpha were fitted by maximum likelihood to twenty NASA and USAF chamber groups (622
exposures; :mod:`spacewalk.results.dcs_trials` lists them, re-runs the fit and predicts each
group from a fit to the other nineteen); their covariance gives the interval. Outside
3.5-7.3 psia, 3-6 h at altitude and the protocols of those groups it is an extrapolation
(docs/dcs.md).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..units import PA_PER_MMHG, PA_PER_PSI

HALF_TIME_MIN = 360.0
K_360_PER_S = np.log(2.0) / (HALF_TIME_MIN * 60.0)
TISSUE_SEA_LEVEL_PA = 0.79 * 14.7 * PA_PER_PSI  # 11.61 psia
VO2_REST_ML_KG_MIN = 4.0  # TP-2004-213158: measured at rest before a test, 4.0 +/- 0.5

# c1 of the modified tissue ratio: the venous tension of the tissue's other gases, O2 40 + CO2
# 46 + water vapour 47 mmHg at 37 C (mixed venous blood; West, Respiratory Physiology). Set from
# physiology, not fitted: a free c1 fits 4.1 psi, which would leave sea-level air supersaturated.
OTHER_GASES_PA = (40.0 + 46.0 + 47.0) * PA_PER_MMHG  # 2.57 psi

# The survival model's coefficients: fitted by spacewalk.results.dcs_trials.fit() (the test
# suite re-runs the fit and checks these), and beta from Pilmanis et al. 2004, Table I.
MU0 = 7.01875  # ln of the time scale [ln min] at D = 1, at rest
DOSE_EXPONENT = 2.47424  # n
ETR_LAMBDA = 0.088399  # [per mL/(kg min)] the exercise tissue's rate: exp(lambda (VO2 - rest))
GAMMA = 0.61148  # exponent of VO2 / VO2_rest at altitude
AMBULATION = 0.86641  # alpha: ln of u's factor for walking at altitude (0 in the engine)
BETA = 1.0 / 0.565  # shape; USAF model stratum 3 scale 0.565 +/- 0.05
BETA_SE = 0.05 / 0.565**2
# The fit does not explain the groups to within their binomial spread (Pearson's X^2 over its
# 20 - 5 degrees of freedom is 21.8). As a quasi-binomial model would (McCullagh and Nelder 1989,
# sec. 4.5), the coefficients' covariance is scaled by X^2 / df, so the interval carries the
# groups' scatter about the model and not only the sampling of a model taken as right
# (spacewalk.results.dcs_trials.fit() computes both; the test suite checks them).
DISPERSION = 1.45
# covariance of (mu0, n, lambda, gamma, alpha) at the optimum (inverse Hessian of the
# log-likelihood), before the dispersion
COVARIANCE = np.array(
    [
        [2.4791e-02, 1.6281e-02, -2.2035e-04, 2.4049e-02, 1.0304e-02],
        [1.6281e-02, 7.2802e-02, 1.5688e-05, 2.6243e-02, -6.3373e-03],
        [-2.2035e-04, 1.5688e-05, 2.4745e-05, -7.5571e-05, -1.1005e-04],
        [2.4049e-02, 2.6243e-02, -7.5571e-05, 6.0631e-02, -8.9535e-03],
        [1.0304e-02, -6.3373e-03, -1.1005e-04, -8.9535e-03, 1.9689e-02],
    ]
)


class Dose(NamedTuple):
    """Tissue and risk state per (run, crew): the tissues [Pa] and the exercise tissue's
    sensitivity to lambda, d(P_ETR)/d(lambda) [Pa per mL/(kg min)]; the present exposure's
    accelerated time u and the integrals its derivatives need (for the interval: u_ln = of
    r ln D, u_x = of r x, u_s = of r S / (P_ETR + c1 - P2), so that du/dlambda = n u_s); and
    the exposures already over (:func:`close_exposures`): their log-survival ln_s and its
    derivatives, g_mu0 ... g_gamma = sum of beta P_i d(ln u_i)/d(coefficient) and g_beta =
    sum of P_i ln u_i."""

    n2_Pa: np.ndarray
    etr_Pa: np.ndarray
    etr_dlam: np.ndarray
    u: np.ndarray
    u_ln: np.ndarray
    u_x: np.ndarray
    u_s: np.ndarray
    ln_s: np.ndarray
    g_mu0: np.ndarray
    g_n: np.ndarray
    g_lam: np.ndarray
    g_gamma: np.ndarray
    g_beta: np.ndarray


def sea_level(shape=()) -> Dose:
    """Tissues in equilibrium with sea-level air, no exposure yet."""
    full = np.full(shape, TISSUE_SEA_LEVEL_PA)
    return Dose(full, full.copy(), *(np.zeros(shape) for _ in range(11)))


def inspired_n2_Pa(pressure_Pa, o2_fraction):
    """Dry-gas N2 partial pressure of a breathing gas (the reference's convention)."""
    return np.asarray(pressure_Pa) * (1.0 - np.asarray(o2_fraction))


def tissue_ramp(tissue_Pa, inspired0_Pa, inspired1_Pa, k_per_s, duration_s):
    """Exact update over a stage whose inspired N2 changes linearly from ``inspired0`` to
    ``inspired1`` (a cabin pressure or O2 ramp): P' = k (Pin(t) - P), Pin = a + r t."""
    r = (inspired1_Pa - inspired0_Pa) / duration_s
    decay = np.exp(-k_per_s * duration_s)
    return inspired1_Pa - r / k_per_s + (tissue_Pa - inspired0_Pa + r / k_per_s) * decay


def tissue_ramp_dk(tissue_Pa, inspired0_Pa, inspired1_Pa, k_per_s, duration_s):
    """d(:func:`tissue_ramp`)/dk at a fixed start: how the stage's end tissue moves with
    the rate constant (for the exercise tissue's sensitivity to lambda)."""
    r = (inspired1_Pa - inspired0_Pa) / duration_s
    decay = np.exp(-k_per_s * duration_s)
    r_k2 = r / k_per_s**2
    return r_k2 * (1.0 - decay) - duration_s * (tissue_Pa - inspired0_Pa + r / k_per_s) * decay


def etr_rate_per_s(vo2_mL_kg_min, lam: float | None = None):
    """Rate constant of the exercise tissue: the form of NASA/TP-2004-213158's Eq. 6, k
    growing as exp(lambda VO2), held at the 360-min half-time at rest (4.0 mL/(kg min));
    lambda :data:`ETR_LAMBDA` unless given."""
    lam = ETR_LAMBDA if lam is None else lam
    return K_360_PER_S * np.exp(lam * (np.asarray(vo2_mL_kg_min) - VO2_REST_ML_KG_MIN))


def tissue_ratio(tissue_Pa, ambient_Pa):
    return np.asarray(tissue_Pa) / np.maximum(np.asarray(ambient_Pa), 1.0)


def supersaturation(etr_Pa, p_breath_Pa):
    """The dose D: the modified tissue ratio minus one, (P_ETR + c1) / P2 - 1, where positive
    (Conkin et al. 1996; c1 the other gases' tension, :data:`OTHER_GASES_PA`)."""
    ratio = (np.asarray(etr_Pa) + OTHER_GASES_PA) / np.maximum(
        np.asarray(p_breath_Pa, dtype=float), 1.0
    )
    return np.maximum(ratio - 1.0, 0.0)


def _dose_sensitivity(dose, etr_Pa, etr_dlam, p_breath_Pa):
    """d(ln D)/d(lambda) = S / (P_ETR + c1 - P2) where supersaturated (0 elsewhere)."""
    excess = np.asarray(etr_Pa) + OTHER_GASES_PA - np.maximum(np.asarray(p_breath_Pa), 1.0)
    return np.where(dose > 0.0, etr_dlam / np.where(dose > 0.0, excess, 1.0), 0.0)


def _washing_out(etr_Pa, p_breath_Pa):
    """Whether exercise speeds the exercise tissue over a period that starts with the tissue
    at ``etr_Pa``: only while it is not supersaturated (a prebreathe, the cabin), as
    TP-2004-213158's tissue runs to the end of the ascent. Supersaturated, work acts through
    the rate (gamma) alone, so more work at altitude never lowers the risk."""
    return np.asarray(etr_Pa) + OTHER_GASES_PA <= np.maximum(np.asarray(p_breath_Pa), 1.0)


def _period(s: Dose, p_in0_Pa, p_in1_Pa, p_breath_Pa, vo2_mL_kg_min, dt_s: float):
    """The tissues after a period, the exercise tissue's sensitivity to lambda, and the
    covariates of the dose over it: the supersaturation D and the exercise at altitude x."""
    vo2 = np.asarray(vo2_mL_kg_min, dtype=float)
    n2 = tissue_ramp(s.n2_Pa, p_in0_Pa, p_in1_Pa, K_360_PER_S, dt_s)
    calm = _washing_out(s.etr_Pa, p_breath_Pa)
    k = np.where(calm, etr_rate_per_s(vo2), K_360_PER_S)
    etr = tissue_ramp(s.etr_Pa, p_in0_Pa, p_in1_Pa, k, dt_s)
    dk_dlam = np.where(calm, (vo2 - VO2_REST_ML_KG_MIN) * k, 0.0)
    sens = s.etr_dlam * np.exp(-k * dt_s) + dk_dlam * tissue_ramp_dk(
        s.etr_Pa, p_in0_Pa, p_in1_Pa, k, dt_s
    )
    dose = supersaturation(etr, p_breath_Pa)
    x = np.log1p(np.maximum(vo2 - VO2_REST_ML_KG_MIN, 0.0) / VO2_REST_ML_KG_MIN)
    return n2, etr, sens, dose, x


def rate_per_min(dose, x, mu0=None, n=None, gamma=None):
    """The accelerated time's rate r [1/min] (zero where the tissue is not supersaturated);
    the coefficients default to the model's."""
    mu0 = MU0 if mu0 is None else mu0
    n = DOSE_EXPONENT if n is None else n
    gamma = GAMMA if gamma is None else gamma
    ln_d = np.log(np.where(dose > 0.0, dose, 1.0))
    return np.where(dose > 0.0, np.exp(-mu0 + gamma * x + n * ln_d), 0.0)


def close_exposures(s: Dose, over) -> Dose:
    """End the present exposure where ``over`` (the tissue no longer supersaturated): its
    survival 1 / (1 + u^beta) joins the run's, and the next exposure starts from u = 0. Each
    exposure is independent of the last: repeated altitude exposures with ground intervals
    gave less DCS than one continuous exposure of the same length (Pilmanis, Webb, Kannan and
    Balldin 2002, ASEM 73(6):525-531); docs/dcs.md."""
    over = np.asarray(over, dtype=bool) & (np.asarray(s.u) > 0.0)
    if not over.any():
        return s
    safe = np.where(over, s.u, 1.0)
    ln_u = np.log(safe)
    ub = np.exp(np.minimum(BETA * ln_u, 700.0))
    p = ub / (1.0 + ub)
    bp = np.where(over, BETA * p, 0.0)
    zero = np.zeros_like(safe)
    return s._replace(
        u=np.where(over, zero, s.u),
        u_ln=np.where(over, zero, s.u_ln),
        u_x=np.where(over, zero, s.u_x),
        u_s=np.where(over, zero, s.u_s),
        ln_s=s.ln_s - np.where(over, np.log1p(ub), 0.0),
        g_mu0=s.g_mu0 - bp,
        g_n=s.g_n + bp * s.u_ln / safe,
        g_lam=s.g_lam + bp * DOSE_EXPONENT * s.u_s / safe,
        g_gamma=s.g_gamma + bp * s.u_x / safe,
        g_beta=s.g_beta + np.where(over, p * ln_u, 0.0),
    )


def advance(s: Dose, p_in0_Pa, p_in1_Pa, p_breath_Pa, vo2_mL_kg_min, dt_s: float) -> Dose:
    """One period of ``dt_s`` seconds: the tissues follow the inspired N2 (a linear ramp from
    ``p_in0`` to ``p_in1``), then the dose accrues at the end-of-period supersaturation (or,
    none left, the exposure ends)."""
    n2, etr, sens, dose, x = _period(s, p_in0_Pa, p_in1_Pa, p_breath_Pa, vo2_mL_kg_min, dt_s)
    s = close_exposures(s, dose <= 0.0)
    du = rate_per_min(dose, x) * dt_s / 60.0
    ln_d = np.log(np.where(dose > 0.0, dose, 1.0))
    return s._replace(
        n2_Pa=n2,
        etr_Pa=etr,
        etr_dlam=sens,
        u=s.u + du,
        u_ln=s.u_ln + du * ln_d,
        u_x=s.u_x + du * x,
        u_s=s.u_s + du * _dose_sensitivity(dose, etr, sens, p_breath_Pa),
    )


def _log_survival(s: Dose):
    """ln S of the whole history (the exposures over and the present one), the present one's
    P and ln u (0 where it has not begun)."""
    u = np.asarray(s.u, dtype=float)
    pos = u > 0.0
    ln_u = np.where(pos, np.log(np.where(pos, u, 1.0)), 0.0)
    z = np.clip(BETA * ln_u, -700.0, 700.0)
    p_now = np.where(pos, 1.0 / (1.0 + np.exp(-z)), 0.0)
    ln_s = np.asarray(s.ln_s, dtype=float) - np.where(pos, np.log1p(np.exp(z)), 0.0)
    return ln_s, p_now, ln_u


def probability_dcs(s: Dose):
    """P(DCS by now) over the history: 1 - the product of each exposure's survival, the
    log-logistic 1 / (1 + u^beta)."""
    p_done = -np.expm1(np.asarray(s.ln_s, dtype=float))
    return p_done + (1.0 - p_done) * probability_exposure(s)


def probability_exposure(s: Dose):
    """P(DCS) of the present exposure alone, u^beta / (1 + u^beta): what the NASA acceptance
    limit is about (0 when the tissue is not supersaturated)."""
    return _log_survival(s)[1]


def _ln_u_gradient(s: Dose, ambulatory: bool = False):
    """d(ln u)/d(mu0, n, lambda, gamma, alpha) of the present exposure (last axis)."""
    u = np.asarray(s.u, dtype=float)
    u_safe = np.where(u > 0.0, u, 1.0)
    return np.stack(
        [
            -np.ones_like(u),
            s.u_ln / u_safe,
            DOSE_EXPONENT * s.u_s / u_safe,
            s.u_x / u_safe,
            np.full_like(u, float(ambulatory)),
        ],
        axis=-1,
    )


def probability_interval(
    s: Dose, z: float = 1.96, ambulatory: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The (2.5 %, 97.5 %) bounds of P(DCS) from the coefficients' covariance, scaled by the
    fit's dispersion, and beta's standard error (delta method on the logit of P, whose
    gradient is -d(ln S)/d(coefficient) / P, summed over the exposures). An ``ambulatory``
    subject's history (:func:`history` with ``ambulatory``) has alpha's variance counted too."""
    ln_s, p_now, ln_u = _log_survival(s)
    p = probability_dcs(s)
    pos = p > 0.0
    p_safe = np.where(pos, p, 1.0)
    done = np.stack(
        [s.g_mu0, s.g_n, s.g_lam, s.g_gamma, -float(ambulatory) * np.asarray(s.g_mu0)], axis=-1
    )
    grads = (done + (BETA * p_now)[..., None] * _ln_u_gradient(s, ambulatory)) / p_safe[..., None]
    g_beta = (s.g_beta + p_now * ln_u) / p_safe
    var = (
        DISPERSION * np.einsum("...i,ij,...j->...", grads, COVARIANCE, grads)
        + (g_beta * BETA_SE) ** 2
    )
    logit = np.log(p_safe) - ln_s
    half = z * np.sqrt(var)
    lo = np.where(pos, 1.0 / (1.0 + np.exp(-(logit - half))), 0.0)
    hi = np.where(pos, 1.0 / (1.0 + np.exp(-(logit + half))), 0.0)
    return lo, hi


# Grade IV venous gas emboli (Spencer's highest grade, in the pulmonary artery), NASA's second
# acceptance criterion: the present exposure's accelerated time u shifted by GIV_SHIFT,
# P(grade IV by now) = (u e^shift)^beta / (1 + (u e^shift)^beta). The shift was fitted by maximum
# likelihood (spacewalk.results.dcs_trials.fit_giv(), which the test suite re-runs) to the grade
# IV counts of the seven PRP tests, 22 of 229 exposures, with the DCS coefficients above held
# (NASA/TP-2004-213158, Table 7: the research model's subjects with and without DCS); its
# standard error before the dispersion, and the dispersion (Pearson's X^2 over 6 degrees of
# freedom; most of it Phase V-2's 2 of 3).
GIV_SHIFT = -0.1284
GIV_SHIFT_SE = 0.1278
GIV_DISPERSION = 2.31


def giv_from_exposure(p_exposure, shift: float | None = None):
    """P(grade IV VGE) of an exposure from its P(DCS): the same u shifted, so the logit moves
    by beta times the shift (:data:`GIV_SHIFT` unless given; 0 where P(DCS) is 0)."""
    shift = GIV_SHIFT if shift is None else shift
    p = np.clip(np.asarray(p_exposure, dtype=float), 0.0, 1.0)
    pos = p > 0.0
    odds = np.where(pos, p, 1.0) / np.maximum(1.0 - p, 1e-300)
    z = np.clip(np.log(odds) + BETA * shift, -700.0, 700.0)
    return np.where(pos, 1.0 / (1.0 + np.exp(-z)), 0.0)


def probability_giv(s: Dose):
    """P(grade IV VGE) in the present exposure (0 when the tissue is not supersaturated): the
    exposure's u shifted by :data:`GIV_SHIFT` in the log-logistic. Non-ambulatory, as the
    engine's crew and the PRP tests it was fitted to."""
    return giv_from_exposure(probability_exposure(s))


def giv_interval(s: Dose, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of :func:`probability_giv` (delta method on its logit, beta ln(u e^shift)): the DCS
    coefficients' covariance (scaled by their dispersion), the shift's variance (scaled by its
    own) and beta's, taken as independent (the shift was fitted with the DCS coefficients held,
    so near the PRP's conditions the interval is wider than a joint fit's would be)."""
    ln_u = _log_survival(s)[2]
    pos = np.asarray(s.u, dtype=float) > 0.0
    grads = _ln_u_gradient(s)
    var_ln_v = (
        DISPERSION * np.einsum("...i,ij,...j->...", grads, COVARIANCE, grads)
        + GIV_DISPERSION * GIV_SHIFT_SE**2
    )
    ln_v = ln_u + GIV_SHIFT
    half = z * np.sqrt(BETA**2 * var_ln_v + (ln_v * BETA_SE) ** 2)
    logit = BETA * ln_v
    lo = np.where(pos, 1.0 / (1.0 + np.exp(-(logit - half))), 0.0)
    hi = np.where(pos, 1.0 / (1.0 + np.exp(-(logit + half))), 0.0)
    return lo, hi


def _substeps(stages, substep_s: float):
    """Each stage ``(duration_s, p0, p1, fo2_0, fo2_1[, vo2])`` cut into ``n`` periods of at
    most ``substep_s``: the inspired N2 at the periods' edges (n + 1), the pressure breathed
    at their ends (n), the stage's VO2 and the period."""
    for stage in stages:
        duration_s, p0, p1, f0, f1 = stage[:5]
        vo2 = stage[5] if len(stage) > 5 else VO2_REST_ML_KG_MIN
        n = max(1, int(np.ceil(duration_s / substep_s)))
        edges = np.linspace(0.0, 1.0, n + 1)
        p = p0 + (p1 - p0) * edges
        f = f0 + (f1 - f0) * edges
        yield inspired_n2_Pa(p, f), p[1:], float(vo2), duration_s / n


def _linear_series(start, e: float, c, k_dt: float) -> np.ndarray:
    """x_{i+1} = e x_i + c_i from ``start``, each x_i (i = 1..n) in closed form: shape
    (n, *start's shape). Chunks keep e^-i within 1e13."""
    n = len(c)
    chunk = max(1, int(30.0 / max(k_dt, 1e-12)))
    out = np.empty((n, *np.shape(start)))
    tail = (slice(None),) + (None,) * np.ndim(start)
    x = np.asarray(start, dtype=float)
    for a in range(0, n, chunk):
        i = np.arange(1, min(chunk, n - a) + 1, dtype=float)
        grow = e**-i
        summed = np.cumsum(grow[tail] * c[a : a + len(i)], axis=0)
        out[a : a + len(i)] = (x + summed) / grow[tail]
        x = out[a + len(i) - 1]
    return out


def _tissue_series(tissue_Pa, pin_Pa, k_per_s: float, dt_s: float) -> np.ndarray:
    """The tissue at the end of each period of a stage, ``tissue_ramp`` period after period
    (the inspired N2 linear within each), as the linear recurrence P' = e P + c solved in
    closed form: shape (periods, *tissue's shape)."""
    e = float(np.exp(-k_per_s * dt_s))
    r_over_k = (pin_Pa[1:] - pin_Pa[:-1]) / dt_s / k_per_s
    c = pin_Pa[1:] - r_over_k - (pin_Pa[:-1] - r_over_k) * e  # >= 0 for pins >= 0
    tail = (slice(None),) + (None,) * np.ndim(tissue_Pa)
    return _linear_series(tissue_Pa, e, c[tail] + np.zeros(np.shape(tissue_Pa)), k_per_s * dt_s)


def _stage_covariates(s: Dose, pin_Pa, p_breath_Pa, vo2: float, dt_s: float, lam=None):
    """:func:`_period` over every period of a stage at once: the tissues, the exercise
    tissue's sensitivity to lambda, D and x at the end of each period, each of shape
    (periods, *state's shape)."""
    n2 = _tissue_series(s.n2_Pa, pin_Pa, K_360_PER_S, dt_s)
    tail = (slice(None),) + (None,) * np.ndim(s.n2_Pa)
    etr, sens = np.empty(n2.shape), np.empty(n2.shape)
    for idx in np.ndindex(np.shape(s.n2_Pa)):  # one tissue at a time: its switches are its own
        at = (slice(None), *idx)
        etr[at], sens[at] = _exercise_tissue(
            float(np.asarray(s.etr_Pa)[idx]), float(np.asarray(s.etr_dlam)[idx]), pin_Pa,
            np.asarray(p_breath_Pa, dtype=float), vo2, dt_s, lam,
        )  # fmt: skip
    dose = supersaturation(etr, np.asarray(p_breath_Pa)[tail])
    x = np.log1p(max(vo2 - VO2_REST_ML_KG_MIN, 0.0) / VO2_REST_ML_KG_MIN)
    return n2, etr, sens, dose, x


def _exercise_tissue(etr0, sens0, pin_Pa, p_breath_Pa, vo2: float, dt_s: float, lam=None):
    """One exercise tissue and its sensitivity to lambda at the end of each period of a
    stage: in closed form over each run of periods where exercise speeds it
    (:func:`_washing_out`, judged at each period's start) or does not."""
    n = len(p_breath_Pa)
    k_ex = float(etr_rate_per_s(vo2, lam))
    etr, sens = np.empty(n), np.empty(n)
    i = 0
    while i < n:
        calm = bool(_washing_out(etr0, p_breath_Pa[i]))
        k = k_ex if calm else K_360_PER_S
        run = _tissue_series(etr0, pin_Pa[i:], k, dt_s)
        starts = np.concatenate([[etr0], run[:-1]])
        change = np.flatnonzero(_washing_out(starts, p_breath_Pa[i:]) != calm)
        m = int(change[0]) if change.size else n - i
        dk = (vo2 - VO2_REST_ML_KG_MIN) * k if calm else 0.0
        c = dk * tissue_ramp_dk(starts[:m], pin_Pa[i : i + m], pin_Pa[i + 1 : i + m + 1], k, dt_s)
        etr[i : i + m] = run[:m]
        sens[i : i + m] = _linear_series(sens0, float(np.exp(-k * dt_s)), c, k * dt_s)
        etr0, sens0, i = etr[i + m - 1], sens[i + m - 1], i + m
    return etr, sens


def _walk(
    stages, s: Dose, substep_s: float, walk: float, collect: dict | None = None, lam=None
) -> Dose:
    """:func:`advance` period after period (to round-off), a stage at a time: each stage's
    tissues at once, then its dose summed in pieces cut where an exposure ends (a period with
    no supersaturation after one with some, or the first after an exposure carried in), which
    :func:`close_exposures` closes. ``collect`` gathers D, x and the periods [min]."""
    for pin, p_breath, vo2, dt_s in _substeps(stages, substep_s):
        n2, etr, sens, dose, x = _stage_covariates(s, pin, p_breath, vo2, dt_s, lam)
        tail = (slice(None),) + (None,) * np.ndim(s.n2_Pa)
        d_ln_d = _dose_sensitivity(dose, etr, sens, np.asarray(p_breath)[tail])
        over = dose <= 0.0
        ends = over.copy()
        ends[1:] &= ~over[:-1]
        cuts = np.flatnonzero(ends.reshape(len(ends), -1).any(axis=1))
        for a, b in zip([0, *cuts], [*cuts, len(dose)], strict=True):
            if a == b:
                continue
            s = close_exposures(s, over[a])
            du = rate_per_min(dose[a:b], x) * (dt_s / 60.0 * walk)
            ln_d = np.log(np.where(dose[a:b] > 0.0, dose[a:b], 1.0))
            s = s._replace(
                u=s.u + du.sum(axis=0),
                u_ln=s.u_ln + (du * ln_d).sum(axis=0),
                u_x=s.u_x + du.sum(axis=0) * x,
                u_s=s.u_s + (du * d_ln_d[a:b]).sum(axis=0),
            )
            if collect is not None:
                for key, v in (("dose", dose[a:b]), ("x", np.full(b - a, x)),
                               ("dt_min", np.full(b - a, dt_s / 60.0))):  # fmt: skip
                    collect.setdefault(key, []).append(v)
        s = s._replace(n2_Pa=n2[-1], etr_Pa=etr[-1], etr_dlam=sens[-1])
    return s


def history(
    stages, start: Dose | None = None, substep_s: float = 60.0, ambulatory: bool = False
) -> Dose:
    """The dose state after a list of stages ``(duration_s, p0_Pa, p1_Pa, fo2_0, fo2_1,
    vo2_mL_kg_min)``, each a linear ramp of pressure and O2 fraction at a constant O2 uptake
    (the last element may be left out: rest, 4.0 mL/(kg min)), breathed at the ambient
    pressure. Within a stage the inspired N2 is linear between substeps, which is exact for a
    pressure ramp at constant O2 fraction. The same as :func:`advance` period after period
    (to round-off). ``ambulatory``: a subject who walks at altitude (a chamber group; the
    engine's crew do not), whose u grows exp(alpha) times as fast."""
    s = start if start is not None else sea_level()
    return _walk(stages, s, substep_s, np.exp(AMBULATION) if ambulatory else 1.0)


def history_covariates(stages, lam=None, substep_s: float = 60.0) -> dict[str, np.ndarray]:
    """The dose's covariates period by period over the stages (D, x and the period in
    minutes) from sea-level air, the exercise tissue at ``lam`` (default the model's): what a
    fit of the other coefficients needs, since neither the tissues nor where an exposure ends
    depend on them."""
    out: dict[str, list] = {}
    _walk(stages, sea_level(), substep_s, 1.0, out, lam)
    keys = ("dose", "x", "dt_min")
    return {k: np.concatenate(out[k]) if k in out else np.zeros(0) for k in keys}


# NASA accepted a prebreathe protocol when a test of 4 h at 4.3 psia, reached by a 30-min
# ascent on O2, with the light exercise of an EVA (measured at 5.8 mL/(kg min)), gave <= 15 %
# DCS and <= 20 % grade IV VGE at 95 % confidence (NASA/TP-2004-213158, Results, abstract and
# "Exercise at 4.3 psia"; Conkin et al., reference-data 9).
ACCEPTANCE_LIMIT = 0.15
GIV_ACCEPTANCE_LIMIT = 0.20
TEST_MINUTES = 240.0
TEST_ASCENT_MIN = 30.0
TEST_VO2_ML_KG_MIN = 5.8


class Acceptance(NamedTuple):
    """The acceptance test's P(DCS), its two-sided 95 % interval and one-sided 95 % upper
    bound; its P(grade IV VGE) and that one's upper bound."""

    p_dcs: float
    lo: float
    hi: float
    upper: float
    p_giv: float
    giv_upper: float

    @property
    def meets_estimate(self) -> bool:
        return self.p_dcs <= ACCEPTANCE_LIMIT and self.p_giv <= GIV_ACCEPTANCE_LIMIT

    @property
    def meets_limit(self) -> bool:
        """NASA's criterion: both limits met at 95 % confidence."""
        return self.upper <= ACCEPTANCE_LIMIT and self.giv_upper <= GIV_ACCEPTANCE_LIMIT


def acceptance_risk(
    start: Dose,
    from_Pa: float,
    suit_Pa: float,
    minutes: float = TEST_MINUTES,
    vo2_mL_kg_min: float = TEST_VO2_ML_KG_MIN,
) -> Acceptance:
    """The acceptance test after a history: from the state ``start``, a 30-min ascent on O2
    from ``from_Pa`` to ``suit_Pa``, then ``minutes`` there with the tests' light exercise."""
    stages = [
        (TEST_ASCENT_MIN * 60.0, from_Pa, suit_Pa, 1.0, 1.0),
        (minutes * 60.0, suit_Pa, suit_Pa, 1.0, 1.0, vo2_mL_kg_min),
    ]
    s = history(stages, start=start)
    lo, hi = probability_interval(s)
    _, upper = probability_interval(s, z=1.645)
    _, giv_upper = giv_interval(s, z=1.645)
    return Acceptance(
        float(probability_dcs(s)), float(lo), float(hi), float(upper),
        float(probability_giv(s)), float(giv_upper),
    )  # fmt: skip
