"""Metabolic O2 and CO2 against Weir (1949) and the reference's 1 L/min ~ 340 W."""

import numpy as np
import pytest

from spacewalk.physics.metabolism import co2_made_kg_s, o2_energy_equivalent_J_per_L, o2_use_kg_s


def test_energy_equivalent_is_weirs():
    # Weir 1949, J Physiol 109:1-9: 3.941 + 1.106 RQ kcal per litre O2; RQ 0.85 -> 4.881 kcal/L
    assert o2_energy_equivalent_J_per_L(0.85) == pytest.approx(4.881 * 4184, rel=1e-4)
    # reference-data 8: 1 L O2/min ~ 340 W at RQ 0.85
    assert o2_energy_equivalent_J_per_L(0.85) / 60 == pytest.approx(340, abs=2)


def test_o2_over_a_task_matches_the_energy_equivalent():
    # 7 h at the EMU design rate of 1,000 Btu/h (293.07 W): energy / (J per L) * 1.429 g/L
    seconds = 7 * 3600
    used = o2_use_kg_s(293.07) * seconds
    expected = 293.07 * seconds / (4.881 * 4184) * 1.4290e-3
    assert used == pytest.approx(expected, rel=1e-3)
    # ... which is the EMU's 0.552 kg of usable O2 less a small leak allowance (reference-data 4)
    assert 0.50 < used < 0.552


def test_co2_is_rq_times_o2_by_volume():
    vo2_L = o2_use_kg_s(500.0) / 1.4290e-3
    vco2_L = co2_made_kg_s(500.0) / 1.977e-3
    np.testing.assert_allclose(vco2_L / vo2_L, 0.85, rtol=1e-3)
