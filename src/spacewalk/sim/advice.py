"""Advice at load time: what the models say about a scenario before it runs.

``spacewalk validate`` and ``spacewalk run`` print these as warnings (:func:`advisories`):
an EVA whose crew go from the cabin's air into a low-pressure suit with too little O2
beforehand (the README's "14.7 psi cabin, 4.3 psi suit, no prebreathe") gets its P(DCS)
estimate and the fix, and a cabin too thin for the crew who start in it without suits says
so, before the run rather than in its report.
"""

from __future__ import annotations

from ..physics import dcs
from ..physics import physiology as phys
from ..scenario import Scenario
from ..units import PA_PER_PSI
from .plan import crew_history, dose_after

_ON_O2 = ("suit-up", "prebreathe")


def _o2_before_depress(acts) -> float | None:
    """Minutes on O2 in the timeline before its first depress; None without a depress."""
    o2_min, on_o2 = 0.0, False
    for a in acts:
        if a.activity == "depress":
            return o2_min
        on_o2 = on_o2 or a.activity in _ON_O2
        o2_min += (a.duration_min or 0.0) if on_o2 else 0.0
    return None


def dcs_advisories(sc: Scenario) -> list[str]:
    """One line per EVA crew member whose protocol before the first depress fails the NASA
    acceptance test (:func:`spacewalk.physics.dcs.acceptance_risk`: a 30-min ascent, 4 h in
    the suit with light exercise; the run itself reports the EVA's own risk)."""
    out = []
    p_cabin = sc.vehicle.cabin.pressure_psi * PA_PER_PSI
    for m in sc.crew:
        if m.role != "eva" or not m.suit or m.id not in sc.timeline:
            continue
        o2_min = _o2_before_depress(sc.timeline[m.id])
        if o2_min is None:
            continue
        suit_psi = sc.suits[m.suit].pressure_psi
        start = dcs.Dose(*dose_after(tuple(crew_history(sc, m.id))))
        if o2_min > 0:
            start = dcs.history([(o2_min * 60.0, p_cabin, p_cabin, 1.0, 1.0)], start=start)
        test = dcs.acceptance_risk(start, p_cabin, suit_psi * PA_PER_PSI)
        if test.meets_estimate:
            continue
        tr = float(dcs.tissue_ratio(start.n2_Pa, suit_psi * PA_PER_PSI))
        has_history = any(not st.crew or m.id in st.crew for st in sc.prebreathe)
        what = "its [[prebreathe]] stages" if has_history else "no [[prebreathe]] stages"
        out.append(
            f"crew {m.id!r}: with {what} and {o2_min:.0f} min of O2 in the timeline before "
            f"the depress, the tissue ratio into the {suit_psi:.3g}-psi suit is {tr:.2f} and "
            f"P(DCS) is {100 * test.p_dcs:.0f} % and P(grade IV VGE) {100 * test.p_giv:.0f} % in "
            "the NASA acceptance test (4 h in the suit, light exercise), above its limits of 15 "
            "and 20 %; add a [[prebreathe]] stage or "
            '`protocol = "..."` (`spacewalk prebreathe` lists those that meet the limits)'
        )
    return out


def cabin_advisories(sc: Scenario) -> list[str]:
    """A line if the crew, who start in the cabin without suits, would breathe too little O2
    there to be well (below the inspired O2 of air at 14,000 ft,
    :data:`spacewalk.physics.physiology.HYPOXIA_IMPAIRED_PIO2_MMHG`)."""
    cabin = sc.vehicle.cabin
    p_Pa = cabin.pressure_psi * PA_PER_PSI
    pio2 = float(phys.inspired_o2_mmHg.py_func(p_Pa, cabin.o2_fraction))  # (not compiled)
    if pio2 >= phys.HYPOXIA_IMPAIRED_PIO2_MMHG:
        return []
    return [
        f"the crew start in the cabin without suits: at {cabin.pressure_psi:g} psi and "
        f"{cabin.o2_fraction:g} O2 they breathe {pio2:.0f} mmHg of O2, below the "
        f"{phys.HYPOXIA_IMPAIRED_PIO2_MMHG:.0f} mmHg that impairs (air at 14,000 ft), before "
        "anything else happens; give vehicle.cabin.pressure_psi before the EVA (sea level "
        "14.7, the ISS's campout 10.2, Dragon's 8.6 with o2_fraction 0.35) or raise its "
        "o2_fraction"
    ]


def advisories(sc: Scenario) -> list[str]:
    """Every load-time warning: the cabin's air, then each EVA crew member's DCS risk."""
    return cabin_advisories(sc) + dcs_advisories(sc)
