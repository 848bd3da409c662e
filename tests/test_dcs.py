"""Tissue nitrogen and tissue ratio against reference-data 9 (Conkin 1996 convention)."""

import numpy as np
import pytest

from spacewalk import load_scenario, simulate
from spacewalk.physics import dcs
from spacewalk.physics.metabolism import vo2_mL_kg_min
from spacewalk.results import dcs_trials
from spacewalk.units import PA_PER_PSI

from .helpers import edited

PSI = PA_PER_PSI


def test_tissue_follows_the_exponential_solution():
    p0, pin = 11.61 * PSI, 0.0
    k = np.log(2) / (360 * 60)
    for minutes in (10, 60, 360, 720):
        stepped = p0
        for _ in range(minutes):
            stepped = dcs.tissue_ramp(stepped, pin, pin, k, 60.0)
        assert stepped == pytest.approx(pin + (p0 - pin) * 0.5 ** (minutes / 360), rel=1e-12)


def _staged(hours_at_10_2):
    return [
        (60 * 60, 14.7 * PSI, 14.7 * PSI, 1.0, 1.0),  # 60 min mask O2 at 14.7
        (hours_at_10_2 * 3600, 10.2 * PSI, 10.2 * PSI, 0.265, 0.265),  # cabin 10.2 / 26.5 %
        (40 * 60, 10.2 * PSI, 10.2 * PSI, 1.0, 1.0),  # 40 min O2 prebreathe
    ]


@pytest.mark.parametrize(
    "stages, p1n2_psia, tr",
    [
        # reference-data 9, "Tissue ratios computed for the simulator", into a 4.3 psia suit
        (_staged(12), 7.60, 1.77),
        (_staged(24), 7.11, 1.65),
        (_staged(36), 6.98, 1.62),
        ([(240 * 60, 14.7 * PSI, 14.7 * PSI, 1.0, 1.0)], 7.31, 1.70),  # 4 h resting O2
        ([(120 * 60, 14.7 * PSI, 14.7 * PSI, 1.0, 1.0)], 9.21, 2.14),  # 2 h resting O2
    ],
)
def test_protocol_tissue_ratios_match_the_reference(stages, p1n2_psia, tr):
    p1 = dcs.history(stages).n2_Pa
    assert p1 / PSI == pytest.approx(p1n2_psia, abs=0.015)
    assert dcs.tissue_ratio(p1, 4.3 * PSI) == pytest.approx(tr, abs=0.006)


def test_linear_ramp_solution_agrees_with_fine_steps():
    k = dcs.K_360_PER_S
    exact = dcs.tissue_ramp(11.6 * PSI, 11.4 * PSI, 5.6 * PSI, k, 45 * 3600)
    p, n = 11.6 * PSI, 45 * 3600
    for i in range(n):
        pin = 11.4 * PSI + (5.6 - 11.4) * PSI * (i + 0.5) / n
        p = dcs.tissue_ramp(p, pin, pin, k, 1.0)
    assert exact == pytest.approx(p, rel=1e-6)


def test_engine_prebreathe_reproduces_the_staged_protocol(emu_toml):
    """Shuttle staged protocol with its last 40 min of O2 done inside the engine."""

    def edit(d):
        d["vehicle"]["cabin"].update(pressure_psi=10.2, o2_fraction=0.265)
        d["vehicle"]["airlock"].update(pressure_psi=10.2, o2_fraction=0.265)
        d["engine"].update(dt_s=10.0, record_every_s=60.0)
        d["prebreathe"] = [
            {"duration_min": 60, "pressure_psi": 14.7, "o2_fraction": 1.0},
            {"duration_min": 720, "pressure_psi": 10.2, "o2_fraction": 0.265},
        ]
        for cid in ("ev1", "ev2"):
            d["timeline"][cid] = [
                {"activity": "prebreathe", "duration_min": 40},
                {"activity": "rest", "duration_min": 5},
            ]
        d["timeline"]["ev2"][0]["duration_min"] = 1

    res = simulate(edited(emu_toml, edit))
    tel = res.telemetry[(res.telemetry.crew == "ev1") & (res.telemetry.t_s == 40 * 60)]
    assert tel.tissue_n2_kPa.iloc[0] * 1000 / PSI == pytest.approx(7.60, abs=0.015)


def _exposure(prebreathe_min, psi, minutes, vo2=dcs.VO2_REST_ML_KG_MIN, exercise_pb=0.0):
    """Stages: a prebreathe at 14.7 psi (the first 10 min at ``exercise_pb`` mL/(kg min)
    when given), then ``minutes`` on O2 at ``psi`` and ``vo2``."""
    p0 = 14.7 * PSI
    stages = []
    if exercise_pb:
        stages.append((600.0, p0, p0, 1.0, 1.0, exercise_pb))
        prebreathe_min -= 10
    if prebreathe_min > 0:
        stages.append((prebreathe_min * 60.0, p0, p0, 1.0, 1.0))
    stages.append((minutes * 60.0, psi * PSI, psi * PSI, 1.0, 1.0, vo2))
    return stages


def _p(stages, ambulatory=False):
    return float(dcs.probability_dcs(dcs.history(stages, ambulatory=ambulatory)))


def test_the_risk_grows_with_time_at_altitude_from_zero():
    """The issue's complaint: a minute at low pressure got a 4-hour chamber probability. The
    survival model starts at zero and climbs with the exposure (log-logistic in time)."""
    curve = [_p(_exposure(0, 4.3, m)) for m in (1, 10, 30, 60, 120, 240)]
    assert curve[0] < 0.005
    assert np.all(np.diff(curve) > 0)
    # Webb et al. 1996 (ambulatory subjects): 77 % (20/26) by 4 h after a 1-h resting
    # prebreathe; Wilson 95 %
    assert 0.58 <= _p(_exposure(60, 4.3, 240, vo2=5.8), ambulatory=True) <= 0.89


def test_no_supersaturation_no_risk_however_long():
    """A tissue whose total gas tension (N2 plus the venous O2, CO2 and water vapour, 2.57
    psi) is below the pressure breathed makes no bubbles. Sea-level air for a month accrues
    nothing, nor 12 h on O2 at 14.7 psi; at 10.2 psi on O2 from sea-level air the dose accrues
    until the 360-min tissue's N2 falls below 10.2 - 2.57 = 7.63 psi (about 3.6 h), then no
    more, however long."""
    p0 = 14.7 * PSI
    month = [(30 * 86400.0, p0, p0, 0.21, 0.21)]
    assert float(dcs.history(month).u) == 0.0
    assert _p(_exposure(0, 14.7, 720)) == 0.0
    assert _p(_exposure(0, 10.2, 60)) < _p(_exposure(0, 10.2, 200))
    four, twelve = _p(_exposure(0, 10.2, 240)), _p(_exposure(0, 10.2, 720))
    assert twelve == pytest.approx(four, rel=1e-9) and twelve < 0.01


def test_walking_at_altitude_raises_the_risk():
    """The NASA tests kept their subjects' lower bodies still to stand for weightlessness; the
    USAF's subjects walked. The fit's ambulation term (Conkin and Powell 2001 carry it as a
    covariate) multiplies the accelerated time by exp(alpha) > 1, and its interval carries
    alpha's variance; the engine, in weightlessness, is the non-ambulatory case."""
    stages = _exposure(60, 4.3, 240, vo2=5.8)
    assert dcs.AMBULATION > 0 and _p(stages, ambulatory=True) > _p(stages)
    s = dcs.history(stages, ambulatory=True)
    lo, hi = dcs.probability_interval(s, ambulatory=True)
    assert lo < _p(stages, ambulatory=True) < hi


def test_exercise_raises_the_risk_at_altitude_and_lowers_it_in_the_prebreathe():
    """Directions from the chamber literature: exercise at altitude raises P(DCS) (Conkin
    1996; Webb et al. 2010); exercise at the start of the O2 prebreathe lowers it (Webb et
    al. 1996: 77 % to 42 %)."""
    rest = _p(_exposure(60, 4.3, 240))
    work = _p(_exposure(60, 4.3, 240, vo2=10.0))
    credit = _p(_exposure(60, 4.3, 240, exercise_pb=31.1))
    assert work > rest > credit


def test_more_work_at_altitude_never_lowers_the_risk():
    """Work at altitude raises the risk (Conkin 1996; Webb et al. 2010): after the ISS's
    exercise prebreathe, 6.5 h in a 4.3 psi suit at 4 to 30 mL/(kg min) gives a P(DCS) that
    rises with the work. Exercise speeds the exercise tissue only while it is not
    supersaturated (a prebreathe); had it sped it at altitude too, hard work would wash the
    dose out faster than it raises the rate (with the fitted lambda, 30 mL/(kg min) gave less
    risk than 13)."""
    from spacewalk.scenario.protocols import PROTOCOLS, stage_tuples

    cevis = list(stage_tuples(PROTOCOLS["iss-cevis"].stages))
    p2 = 4.3 * PSI
    risk = [
        float(dcs.probability_dcs(dcs.history(
            [*cevis, (1800.0, cevis[-1][2], p2, 1.0, 1.0), (390 * 60.0, p2, p2, 1.0, 1.0, vo2)]
        )))
        for vo2 in (4.0, 5.8, 10.9, 15.0, 20.0, 30.0)
    ]  # fmt: skip
    assert all(a < b for a, b in zip(risk, risk[1:], strict=False)), risk


def test_a_suit_that_loses_pressure_raises_the_risk():
    """Off nominal: a leak that lets the EMU fall from 4.3 to 3.5 psi halfway through the EVA
    raises the risk, and a suit at 5.88 psi (the Orlan) lowers it; the USAF's profiles A-E
    (in the fit) rise with altitude the same way (Pilmanis et al. 2004)."""
    pb, psi = 60 * 60.0, 14.7 * PSI
    nominal = [(pb, psi, psi, 1.0, 1.0), (240 * 60.0, 4.3 * PSI, 4.3 * PSI, 1.0, 1.0, 5.8)]
    leak = [nominal[0], (120 * 60.0, 4.3 * PSI, 4.3 * PSI, 1.0, 1.0, 5.8),
            (120 * 60.0, 3.5 * PSI, 3.5 * PSI, 1.0, 1.0, 5.8)]  # fmt: skip
    soft = [nominal[0], (240 * 60.0, 5.88 * PSI, 5.88 * PSI, 1.0, 1.0, 5.8)]
    assert _p(leak) > 1.2 * _p(nominal) > 1.2 * _p(soft)


def test_the_interval_brackets_the_estimate_and_widens_off_the_data():
    s_in = dcs.history(_exposure(60, 4.3, 240, vo2=5.8))  # a calibration condition
    s_out = dcs.history(_exposure(0, 3.0, 30, vo2=25.0))  # far outside it
    for s in (s_in, s_out):
        lo, hi = dcs.probability_interval(s)
        assert lo < dcs.probability_dcs(s) < hi

    def logit_width(s):
        lo, hi = dcs.probability_interval(s)
        return np.log(hi / (1 - hi)) - np.log(lo / (1 - lo))

    assert logit_width(s_out) > logit_width(s_in) > 0


def test_the_shipped_coefficients_are_the_fit_to_the_chamber_trials():
    """The coefficients are traceable: re-running the maximum-likelihood fit on the twenty
    NASA and USAF groups (spacewalk.results.dcs_trials) gives the constants in physics.dcs."""
    pytest.importorskip("scipy")
    result = dcs_trials.fit()
    shipped = [dcs.MU0, dcs.DOSE_EXPONENT, dcs.ETR_LAMBDA, dcs.GAMMA, dcs.AMBULATION]
    assert result["theta"] == pytest.approx(shipped, rel=2e-4, abs=2e-5)
    assert result["covariance"] == pytest.approx(dcs.COVARIANCE, rel=0.02, abs=1e-6)
    # the groups scatter about the fit ~1.4 times as much as binomial sampling would: the
    # interval is widened by that (quasi-binomial), not left to the sampling alone
    assert result["dispersion"] == pytest.approx(dcs.DISPERSION, abs=0.01)
    assert result["pearson_chi2"] > 1.2 * (20 - 5)


def test_the_fits_probability_is_the_histories():
    """The fit computes each group's P(DCS) from its covariates with coefficients it chooses;
    at the shipped ones that must be what the physics' history gives the validation rows, for
    every group, the staged protocol's two exposures (its night and its EVA) included."""
    shipped = (dcs.MU0, dcs.DOSE_EXPONENT, dcs.ETR_LAMBDA, dcs.GAMMA, dcs.AMBULATION)
    staged = next(t for t in dcs_trials.TRIALS if not t.in_fit)
    assert float(dcs.history(staged.stages).ln_s) < 0.0  # its night is an exposure of its own
    for t in dcs_trials.TRIALS:
        fit_p = dcs_trials._probability(shipped, dcs_trials.covariates(t), t.ambulatory)
        assert fit_p == pytest.approx(dcs_trials.predicted(t)[0], rel=1e-9), t.key


def test_every_fitted_group_has_a_stored_prediction():
    assert set(dcs_trials.LEFT_OUT) == {t.key for t in dcs_trials.FITTED}


@pytest.mark.parametrize("key", [t.key for t in dcs_trials.FITTED])
def test_each_group_is_predicted_by_the_fit_to_the_others(key):
    """The validation's ``predicted`` DCS rows: each group's P(DCS) from a fit that did not
    see it (leave one group out). Re-running the fit gives the stored figure."""
    pytest.importorskip("scipy")
    assert dcs_trials.left_out(key) == pytest.approx(dcs_trials.LEFT_OUT[key], abs=5e-4)


def test_the_grade_iv_shift_is_the_fit_to_the_prp_counts_and_predicts_each_test():
    """Grade IV VGE: the shift in physics.dcs is the maximum-likelihood fit to the seven PRP
    tests' grade IV counts (NASA/TP-2004-213158, Table 7: 22 of 229), and each test's stored
    prediction is the shift fitted to the other six."""
    pytest.importorskip("scipy")
    assert sum(t.giv for t in dcs_trials.GIV_TRIALS) == 22
    assert sum(t.n for t in dcs_trials.GIV_TRIALS) == 229
    result = dcs_trials.fit_giv()
    assert result["shift"] == pytest.approx(dcs.GIV_SHIFT, abs=2e-4)
    assert result["se"] == pytest.approx(dcs.GIV_SHIFT_SE, abs=2e-4)
    assert result["dispersion"] == pytest.approx(dcs.GIV_DISPERSION, abs=0.01)
    assert set(dcs_trials.LEFT_OUT_GIV) == {t.key for t in dcs_trials.GIV_TRIALS}
    for key, stored in dcs_trials.LEFT_OUT_GIV.items():
        assert dcs_trials.left_out_giv(key) == pytest.approx(stored, abs=5e-4), key


def test_grade_iv_vge_follows_the_exposure_and_its_interval_brackets_it():
    """No supersaturation, no grade IV; it grows with time at altitude; the pooled PRP model
    gives fewer grade IV than DCS (22 against 28 of 229: a negative shift); the interval
    brackets the estimate and is wider than the DCS one (the shift's own uncertainty)."""
    air = dcs.history([(86400.0, 14.7 * PSI, 14.7 * PSI, 0.21, 0.21)])  # a day at sea level
    assert float(dcs.probability_giv(air)) == 0.0
    short, long = (dcs.history(_exposure(60, 4.3, m, vo2=5.8)) for m in (60, 240))
    assert 0.0 < float(dcs.probability_giv(short)) < float(dcs.probability_giv(long))
    assert float(dcs.probability_giv(long)) < float(dcs.probability_dcs(long))
    lo, hi = dcs.giv_interval(long)
    lo_d, hi_d = dcs.probability_interval(long)
    assert lo < dcs.probability_giv(long) < hi
    assert np.log(hi / (1 - hi)) - np.log(lo / (1 - lo)) > np.log(hi_d / (1 - hi_d)) - np.log(
        lo_d / (1 - lo_d)
    )


def test_a_run_reports_grade_iv_vge_for_its_worst_exposure():
    """The summary carries each crew member's worst exposure's P(DCS) (a peak taken every
    step, so at or above the telemetry's samples) and its P(grade IV VGE), the same exposure
    shifted, below it; the text summary says it."""
    from spacewalk.results.summary import format_summary

    res = simulate("sts-102-2001")
    for cid, c in res.summary["crew"].items():
        sampled = res.telemetry[res.telemetry.crew == cid].p_dcs_exposure.max()
        worst = c["peaks"]["p_dcs_exposure"]
        assert sampled - 1e-4 <= worst <= sampled + 0.01
        assert c["peaks"]["p_giv"] == pytest.approx(float(dcs.giv_from_exposure(worst)), abs=1e-4)
        assert 0.0 < c["peaks"]["p_giv"] < worst
    assert "grade IV VGE" in format_summary(res.summary)


def test_the_intervals_lambda_gradient_is_the_derivative_of_the_survival():
    """lambda moves the tissues, so its share of the interval comes from the exercise tissue's
    sensitivity carried through the history (d(P_ETR)/d(lambda)): over two EVA days, each with
    an exercise prebreathe, -d(ln S)/d(lambda) from the state equals the central difference of
    ln S between histories recomputed at lambda +/- 1e-5."""
    p0, p2 = 14.7 * PSI, 4.3 * PSI

    def day(vo2_bout):
        return [
            (600.0, p0, p0, 1.0, 1.0, vo2_bout),
            (3000.0, p0, p0, 1.0, 1.0),
            (1800.0, p0, p2, 1.0, 1.0),
            (6 * 3600.0, p2, p2, 1.0, 1.0, 10.0),
            (14 * 3600.0, p0, p0, 0.21, 0.21),
        ]

    stages = day(31.1) + day(20.0)[:4]

    def ln_survival(lam):
        s = dcs._walk(stages, dcs.sea_level(), 60.0, 1.0, None, lam)
        return float(dcs._log_survival(s)[0]), s

    h = 1e-5
    numeric = (ln_survival(dcs.ETR_LAMBDA + h)[0] - ln_survival(dcs.ETR_LAMBDA - h)[0]) / (2 * h)
    _, s = ln_survival(dcs.ETR_LAMBDA)
    assert float(s.ln_s) < 0.0 < float(s.u)  # one exposure over, one going on
    p_now = float(dcs.probability_exposure(s))
    state = -(s.g_lam + dcs.BETA * p_now * dcs.DOSE_EXPONENT * s.u_s / s.u)
    assert float(state) == pytest.approx(numeric, rel=1e-6)


def test_the_etr_compartment_has_the_360_min_half_time_at_rest():
    """The exercise tissue is the 360-min tissue at rest, and faster with exercise as
    exp(lambda VO2) (NASA/TP-2004-213158, Eq. 6's form): at the PRP's 10-min bout (75 % of a
    VO2peak of 41.5) the half-time is under an hour."""
    assert dcs.etr_rate_per_s(dcs.VO2_REST_ML_KG_MIN) == pytest.approx(dcs.K_360_PER_S, rel=1e-12)
    half_time_min = np.log(2.0) / dcs.etr_rate_per_s(0.75 * 41.5) / 60.0
    assert 20.0 < half_time_min < 60.0


def test_slow_tissue_rate_agrees_with_the_fast_one():
    """The DCS subsystem runs at its own period (engine.dcs_dt_s); over a whole EVA its
    tissue tension stays within 0.015 psi (TR within 0.003) of one updated every engine step:
    between its updates it is up to 60 s stale, 60 s x ln2/360 min x 40 kPa = 0.08 kPa."""
    fast = simulate(
        load_scenario("polaris-dawn").model_copy(
            update={
                "engine": load_scenario("polaris-dawn").engine.model_copy(update={"dcs_dt_s": 5.0})
            }
        )
    )
    slow = simulate("polaris-dawn")  # dcs_dt_s = 60 s
    diff = (fast.telemetry.tissue_n2_kPa - slow.telemetry.tissue_n2_kPa).abs().max()
    assert diff * 1000 / PSI < 0.015


def test_the_engine_integrates_the_dose_as_the_physics_does():
    """The tissue subsystem is the physics function stepped by the engine: the same breathing
    history, minute by minute from the run's telemetry (suit pressure, metabolic rate), gives
    the same P(DCS) at the end (within the engine's one-minute sampling)."""
    from spacewalk import parse_toml
    from spacewalk.physics.metabolism import vo2_mL_kg_min
    from spacewalk.results.models import _BENCH

    toml = _BENCH.format(met=250.0).replace(
        "duration_min = 240\npressure_psi = 14.7", "duration_min = 60\npressure_psi = 14.7"
    )
    res = simulate(parse_toml(toml, "bench"))
    tel = res.telemetry
    p = tel.p_suit_kPa.to_numpy() * 1000.0
    vo2 = vo2_mL_kg_min(tel.metabolic_W.to_numpy(), 75.0)
    stages = [(3600.0, 14.7 * PSI, 14.7 * PSI, 1.0, 1.0)]  # the scenario's 60-min prebreathe
    stages += [(60.0, p[i], p[i + 1], 1.0, 1.0, vo2[i + 1]) for i in range(len(p) - 1)]
    expected = dcs.probability_dcs(dcs.history(stages))
    assert 0.3 < expected < 0.95  # a risk large enough for the comparison to mean something
    assert tel.p_dcs.iloc[-1] == pytest.approx(expected, abs=0.01)


def test_a_history_is_the_engines_step_period_after_period():
    """A prebreathe history is computed a stage at a time (the tissue's linear recurrence in
    closed form); the engine advances the same tissues a period at a time
    (:func:`dcs.advance`). Over Dragon's two-day cabin ramp (pressure and O2 both ramping),
    the CEVIS exercise protocol and a campout they agree to round-off."""
    from spacewalk.scenario.protocols import PROTOCOLS, stage_tuples

    for name in ("dragon-ramp", "iss-cevis", "campout"):
        stages = stage_tuples(PROTOCOLS[name].stages)
        stepped = dcs.sea_level()
        for pin, p_breath, vo2, dt in dcs._substeps(stages, 60.0):
            for i in range(len(p_breath)):
                stepped = dcs.advance(stepped, pin[i], pin[i + 1], p_breath[i], vo2, dt)
        whole = dcs.history(stages)
        for a, b in zip(stepped, whole, strict=True):
            assert float(b) == pytest.approx(float(a), rel=1e-11, abs=1e-300), name


def test_the_engines_tissue_kernel_is_the_physics_period():
    """The engine's compiled tissue step (:mod:`spacewalk.sim.subsystems.tissue`) is
    :func:`dcs.advance` and :func:`dcs.probability_dcs` number for number: on O2 before
    decompression (exercise speeding the exercise tissue), on air in a cabin, and
    supersaturated in a 4.3 psi suit at rest and at work, an hour of one-minute periods; then every run back in sea-level
    air for half an hour (the exposures end) and out again on O2 for another."""
    from spacewalk.sim.plan import compile_plan
    from spacewalk.sim.subsystems import tissue
    from spacewalk.sim.values import VALUE_INDEX, VALUE_KEYS

    plan = compile_plan(load_scenario("polaris-dawn"), runs=4)
    R, C = plan.runs, len(plan.crew_ids)
    s, ref = tissue.init(plan), tissue.init(plan)
    p_dcs, values = np.zeros((R, C)), np.zeros((len(VALUE_KEYS), R, C))
    met = np.array([450.0, 120.0, 100.0, 300.0])[:, None].repeat(C, axis=1)
    vo2 = vo2_mL_kg_min(met, plan.crew.mass_kg)
    phases = (
        ([101_325.0, 70_300.0, 29_600.0, 29_600.0], [1.0, 0.265, 1.0, 1.0], 60),
        ([101_325.0] * 4, [0.21] * 4, 30),
        ([29_600.0] * 4, [1.0] * 4, 30),
    )
    for pressures, fractions, minutes in phases:
        p_breath = np.array(pressures)[:, None].repeat(C, axis=1)
        fo2 = np.array(fractions)[:, None].repeat(C, axis=1)
        p_in = dcs.inspired_n2_Pa(p_breath, fo2)
        for _ in range(minutes):
            tissue.step(s, plan, p_breath, fo2, met, 60.0, p_dcs, values)
            ref = dcs.advance(ref, p_in, p_in, p_breath, vo2, 60.0)
        for a, b in zip(s, ref, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(p_dcs, dcs.probability_dcs(ref), rtol=1e-13, atol=1e-300)
        if minutes == 60:
            assert (ref.etr_dlam[0] < 0).all() and (ref.u[2:] > 0).all()  # both paths taken
            np.testing.assert_allclose(
                values[VALUE_INDEX["etr"]], ref.etr_Pa / p_breath, rtol=1e-14
            )
    assert (ref.ln_s[2:] < 0).all()  # two exposures ended in the sea-level air


def _eva_day(prebreathe_vo2=None):
    """A day: a 4-h O2 prebreathe at 14.7 psi (its first 10 min at ``prebreathe_vo2``),
    6 h at 4.3 psia at EVA work, then sea-level air for the rest of the 24 h."""
    p0 = 14.7 * PSI
    stages = _exposure(240, 4.3, 360, vo2=10.0, exercise_pb=prebreathe_vo2 or 0.0)
    return [*stages, (14 * 3600.0, p0, p0, 0.21, 0.21)]


def test_a_break_on_air_costs_protection_and_the_break_rules_payback_restores_it():
    """A break on air in a prebreathe costs protection by the N2 breathed back in, the longer
    the break the more: after CEVIS, 10 min on air raise the exercise tissue and the
    acceptance test's P(DCS), 60 min more. NASA's rule (NTRS 20230015410) pays a break of up to
    10 min back with twice its length on O2: in the model that restores at least the unbroken
    protocol's protection."""
    from spacewalk.scenario.protocols import PROTOCOLS, stage_tuples, with_break

    p0 = 14.7 * PSI
    cevis = stage_tuples(PROTOCOLS["iss-cevis"].stages)

    def test_p(stages):
        return dcs.acceptance_risk(dcs.history(stages), p0, 4.3 * PSI).p_dcs

    base = test_p(cevis)
    after = [test_p([*cevis, (m * 60.0, p0, p0, 0.21, 0.21)]) for m in (10, 60)]
    assert base < after[0] < after[1]
    for at_min, minutes in ((40, 5), (60, 10)):
        paid = stage_tuples(with_break(PROTOCOLS["iss-cevis"], at_min, minutes).stages)
        assert test_p(paid) <= base * (1 + 1e-9), (at_min, minutes)


def test_exposures_on_different_days_are_independent():
    """Two EVAs a day apart: the second's risk does not start where the first's ended (the
    log-logistic's hazard rises with its accelerated time, and a run of EVAs summed as one
    exposure would be charged as one long one): P = 1 - (1 - p1)(1 - p2), with p2 the second
    EVA's risk alone from the tissues the first day left (Pilmanis et al. 2002: repeated
    altitude exposures with ground intervals gave less DCS than one continuous exposure)."""
    one = dcs.history(_eva_day(31.1))
    two = dcs.history(_eva_day(31.1) + _eva_day())
    p1 = float(dcs.probability_dcs(one))
    tissues = dcs.sea_level()._replace(n2_Pa=one.n2_Pa, etr_Pa=one.etr_Pa)
    p2 = float(dcs.probability_dcs(dcs.history(_eva_day(), start=tissues)))
    assert p1 > 0.02 and p2 > 0.02
    p = float(dcs.probability_dcs(two))
    assert one.u == 0.0 and p == pytest.approx(1 - (1 - p1) * (1 - p2), rel=1e-12)
    # one exposure of the two days' accelerated time together would be charged far more
    u1, u2 = ((q / (1 - q)) ** (1 / dcs.BETA) for q in (p1, p2))
    assert p < 0.75 * (u1 + u2) ** dcs.BETA / (1 + (u1 + u2) ** dcs.BETA)
    lo, hi = dcs.probability_interval(two)
    assert lo < float(dcs.probability_dcs(two)) < hi
