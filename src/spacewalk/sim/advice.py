"""Advice at load time: what the DCS model says about a scenario before it runs.

``spacewalk validate`` and ``spacewalk run`` print these as warnings: an EVA whose crew go
from the cabin's air into a low-pressure suit with too little O2 beforehand (the README's
"14.7 psi cabin, 4.3 psi suit, no prebreathe") gets its P(DCS) estimate and the fix, before
the run rather than in its report.
"""

from __future__ import annotations

from ..physics import dcs
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
        p = dcs.acceptance_risk(start, p_cabin, suit_psi * PA_PER_PSI)[0]
        if p <= dcs.ACCEPTANCE_LIMIT:
            continue
        tr = float(dcs.tissue_ratio(start.n2_Pa, suit_psi * PA_PER_PSI))
        has_history = any(not st.crew or m.id in st.crew for st in sc.prebreathe)
        what = "its [[prebreathe]] stages" if has_history else "no [[prebreathe]] stages"
        out.append(
            f"crew {m.id!r}: with {what} and {o2_min:.0f} min of O2 in the timeline before "
            f"the depress, the tissue ratio into the {suit_psi:.3g}-psi suit is {tr:.2f} and "
            f"P(DCS) is {100 * p:.0f} % in the NASA acceptance test (4 h in the suit, light "
            "exercise), above its 15 % limit; add a [[prebreathe]] stage or "
            '`protocol = "..."` (`spacewalk prebreathe` lists those that meet the limit)'
        )
    return out
