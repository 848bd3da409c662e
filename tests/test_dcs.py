"""Tissue nitrogen and tissue ratio against reference-data 9 (Conkin 1996 convention)."""

import numpy as np
import pytest

from spacewalk import load_scenario, simulate
from spacewalk.physics import dcs
from spacewalk.units import PA_PER_PSI

from .helpers import edited

PSI = PA_PER_PSI


def test_tissue_follows_the_exponential_solution():
    p0, pin = 11.61 * PSI, 0.0
    k = np.log(2) / (360 * 60)
    for minutes in (10, 60, 360, 720):
        stepped = p0
        for _ in range(minutes):
            stepped = dcs.tissue_step(stepped, pin, k, 60.0)
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
    p1 = dcs.history_tissue_Pa(stages)
    assert p1 / PSI == pytest.approx(p1n2_psia, abs=0.015)
    assert dcs.tissue_ratio(p1, 4.3 * PSI) == pytest.approx(tr, abs=0.006)


def test_linear_ramp_solution_agrees_with_fine_steps():
    k = dcs.K_360_PER_S
    exact = dcs.tissue_ramp(11.6 * PSI, 11.4 * PSI, 5.6 * PSI, k, 45 * 3600)
    p, n = 11.6 * PSI, 45 * 3600
    for i in range(n):
        pin = 11.4 * PSI + (5.6 - 11.4) * PSI * (i + 0.5) / n
        p = dcs.tissue_step(p, pin, k, 1.0)
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


def test_probability_model_is_the_published_logistic():
    # NASA/TP-2004-213158 Table 10 (research model, ETR only): logit = -29.11 + 14.11 ETR
    assert dcs.probability_dcs(29.11 / 14.11) == pytest.approx(0.5)
    assert dcs.probability_dcs(1.8) == pytest.approx(
        np.exp(-3.712) / (1 + np.exp(-3.712)), rel=1e-3
    )
    etr = np.linspace(1.0, 2.6, 9)
    assert np.all(np.diff(dcs.probability_dcs(etr)) > 0)
    # the ETR compartment has the 360-min half-time at rest (VO2 = 0)
    assert dcs.etr_rate_per_s(0.0) == pytest.approx(dcs.K_360_PER_S, rel=1e-4)


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
