"""The channels the flight rules watch, the tallies' peaks and the summaries read, computed by
one compiled kernel per step into a preallocated (channels, runs, crew) buffer.

Row ``VALUE_INDEX[name]`` of the buffer is the channel ``name`` (``Engine.values`` gives
the rows by name); the rule check (:func:`spacewalk.sim.subsystems.rules.check`), the
physiology and the tallies (:meth:`Tally.add`) read the rows by index. The kernel repeats,
operation for operation, the NumPy expressions it replaced (its divisions within an ulp:
``jit.ARCP``), in flat loops that run on vector registers where they can. The channels are
tested through the engine against their sources (O2 time
and margin in ``tests/test_suit_consumables.py`` and ``test_outside.py``, tissue ratios and
P(DCS) in ``test_dcs.py``, the rules' actions in ``test_faults_and_rules.py``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ..physics import jit
from ..physics.physiology import inspired_o2_mmHg
from ..scenario.model import RULE_CHANNELS
from ..units import C_BODY
from .arrays import every_run, flat, flat_rows
from .plan import KIND

# every channel a rule can watch, then those only the tallies and summaries read
VALUE_KEYS = (*RULE_CHANNELS, "time_back_min", "o2_secondary_min", "etr")
VALUE_INDEX = {k: i for i, k in enumerate(VALUE_KEYS)}
_I = VALUE_INDEX
PREBREATHE = KIND["prebreathe"]
# the rows as module constants (the kernels see them as compile-time integers)
_PPCO2_MMHG = _I["ppco2_mmHg"]
_P_SUIT_KPA = _I["p_suit_kPa"]
_DP_SUIT_KPA = _I["dp_suit_kPa"]
_O2_TIME_MIN = _I["o2_time_min"]
_O2_MARGIN_MIN = _I["o2_margin_min"]
_TIME_BACK_MIN = _I["time_back_min"]
_O2_SECONDARY_MIN = _I["o2_secondary_min"]
_O2_SECONDARY_USED_MIN = _I["o2_secondary_used_min"]
_HELMET_WATER_L = _I["helmet_water_L"]
_HEAT_STORAGE_KJ = _I["heat_storage_kJ"]
_CORE_TEMP_RISE_C = _I["core_temp_rise_C"]
_FOG_INDEX = _I["fog_index"]
_TISSUE_RATIO = _I["tissue_ratio"]
_ETR = _I["etr"]
_P_DCS = _I["p_dcs"]
_FEEDWATER_KG = _I["feedwater_kg"]
_BATTERY_AH = _I["battery_Ah"]
_INGRESS_BLOCKED_MIN = _I["ingress_blocked_min"]
PEAK_KEYS = (
    "ppco2_mmHg",
    "tissue_ratio",
    "etr",
    "p_dcs",
    "p_dcs_exposure",  # the worst exposure's: the grade IV VGE peak follows from it
    "heat_storage_kJ",
    "helmet_water_L",
    "fog_index",
    "core_temp_rise_C",
    "dp_suit_kPa",
    "time_back_min",  # the emergency ingress time from the farthest point
)


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _kernel(
    out, ppco2, p_suit, p_amb, o2_primary, o2_secondary, o2_vehicle, o2_rate, secondary_kg_s,
    o2_secondary_s, umbilical, umbilical_cut, suited, outside, way_m, speed, ops_back_s,
    hatch_v, helmet_water, heat_J, mass_kg,
    fog, n2_Pa, etr_Pa, p_dcs, feedwater, battery, blocked_s, kind, ready, fo2_amb,
    p_breath, fo2_breath, pio2, ppco2_breathed,
):  # fmt: skip
    """Every channel of every run and crew member (``condition`` is the physiology's, set
    after it): the O2 time at the recent rate (a vehicle store shared by the umbilicals on
    it) plus the secondary's minutes, the tissue ratios over the pressure breathed, the way
    back (``way_m`` at the crew member's speed, then the hatch operations of the vessel they
    go in by, ``ops_back_s[c, hatch_v]``) and the margin between them; an umbilical counts
    until it is cut. And what each crew member breathes, into the last four: the
    pressure and dry O2 fraction (the suit's O2, a prebreathe mask's, or the vessel's gas),
    the inspired O2 and CO2 [mmHg]."""
    R, C = ppco2.shape
    N = R * C
    o = flat_rows(out)
    su, pa, ps = flat(suited), flat(p_amb), flat(p_suit)
    pbr, fbr, pcb = flat(p_breath), flat(fo2_breath), flat(ppco2_breathed)
    # the O2 time and the way back: gathers and branches, one crew member at a time
    for r in range(R):
        umb_rate = 0.0
        for c in range(C):
            if umbilical[r, c] and not umbilical_cut[r, c]:
                umb_rate += o2_rate[r, c]
        for c in range(C):
            umb = umbilical[r, c] and not umbilical_cut[r, c]
            flow = secondary_kg_s[r, c]
            secondary = o2_secondary[r, c] / flow / 60.0 if flow > 0 else 0.0
            supply = o2_vehicle[r] if umb else o2_primary[r, c]
            rate = umb_rate if umb else o2_rate[r, c]
            o2_time = np.inf
            if suited[r, c]:
                o2_time = (supply / max(rate, 1e-12) / 60.0 if rate > 0 else np.inf) + secondary
            ops_s = ops_back_s[c, hatch_v[r, c]]
            back = (way_m[r, c] / speed[r, c] + ops_s) / 60.0 if outside[r, c] else 0.0
            out[_O2_TIME_MIN, r, c] = o2_time
            out[_O2_MARGIN_MIN, r, c] = o2_time - back
            out[_TIME_BACK_MIN, r, c] = back
            out[_O2_SECONDARY_MIN, r, c] = secondary
    # the rest flat and branch-free, a few arrays a loop (vector registers)
    rd, kd, fa, pc = flat(ready), flat(kind), flat(fo2_amb), flat(ppco2)
    for i in range(N):
        on_o2 = su[i] | (rd[i] & (kd[i] == PREBREATHE))
        pbr[i] = ps[i] if su[i] else pa[i]
        fbr[i] = 1.0 if on_o2 else fa[i]
        pcb[i] = pc[i] if su[i] else 0.0
    pi = flat(pio2)
    for i in range(N):
        pi[i] = inspired_o2_mmHg(pbr[i], fbr[i], pcb[i])
    n2, etr = flat(n2_Pa), flat(etr_Pa)
    for i in range(N):
        pb = pbr[i] if not pbr[i] < 1.0 else 1.0  # NumPy's maximum
        o[_TISSUE_RATIO, i] = n2[i] / pb
        o[_ETR, i] = etr[i] / pb
    for i in range(N):
        o[_PPCO2_MMHG, i] = pc[i]
        o[_P_SUIT_KPA, i] = ps[i] / 1000.0
        o[_DP_SUIT_KPA, i] = (ps[i] - pa[i]) / 1000.0
    sec_s = flat(o2_secondary_s)
    for i in range(N):
        o[_O2_SECONDARY_USED_MIN, i] = sec_s[i] / 60.0 - o[_O2_SECONDARY_MIN, i]
    heat, m = flat(heat_J), flat(mass_kg)
    for i in range(N):
        o[_HEAT_STORAGE_KJ, i] = heat[i] / 1000.0
        o[_CORE_TEMP_RISE_C, i] = heat[i] / (m[i] * C_BODY)
    water, fg, dcs = flat(helmet_water), flat(fog), flat(p_dcs)
    for i in range(N):
        o[_HELMET_WATER_L, i] = water[i]
        o[_FOG_INDEX, i] = fg[i]
        o[_P_DCS, i] = dcs[i]
    fw, bat, blocked = flat(feedwater), flat(battery), flat(blocked_s)
    for i in range(N):
        o[_FEEDWATER_KG, i] = fw[i]
        o[_BATTERY_AH, i] = bat[i]
        o[_INGRESS_BLOCKED_MIN, i] = blocked[i] / 60.0


jit.register(_kernel, jit.ENGINE_NOTICE)


def compute(out, *arrays) -> None:
    """Fill the buffer ``out`` (len(VALUE_KEYS), R, C) from the subsystems' arrays (the
    arguments of :func:`_kernel` in its order, each (R, C) but ``o2_vehicle`` (R,))."""
    jit.about_to_run(_kernel, jit.ENGINE_NOTICE)
    _kernel(out, *arrays)


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _tally(
    peaks, peak_rows, margin, out, live, outside, suited, dark, dt,
    time_outside, dark_outside, suited_s, return_by, crossed, t, busy,
):  # fmt: skip
    """The tallies of one step, in place: the peaks of the rows ``peak_rows`` over the live
    crew (NumPy's maximum: a NaN stays), the least O2 margin outside, the times outside, in
    the dark outside and suited (not once the run is over: ``busy``, as a run alone stops),
    and the latest time to start back with the reserve intact (the projection at the last
    step outside, or the time the slack reached zero)."""
    R, C = live.shape
    N = R * C
    lv, out_, o, pk = flat(live), flat(outside), flat_rows(out), flat_rows(peaks)
    for j in range(peak_rows.shape[0]):  # row by row, flat and branch-free (vector registers)
        row, peak = o[peak_rows[j]], pk[j]
        for i in range(N):
            v = row[i] if lv[i] else 0.0
            p = peak[i]
            # NumPy's maximum: a NaN in the peak stays, a NaN value enters
            peak[i] = v if (v > p) | (v != v) else p
    for r in range(R):
        if not busy[r]:
            continue  # the run is over (a crew member lost outside: their times stop)
        for c in range(C):
            time_outside[r, c] += outside[r, c] * dt
            suited_s[r, c] += suited[r, c] * dt
            if dark:
                dark_outside[r, c] += outside[r, c] * dt
    o2_margin, secondary = o[_O2_MARGIN_MIN], o[_O2_SECONDARY_MIN]
    least, by, was = flat(margin), flat(return_by), flat(crossed)
    for i in range(N):
        if out_[i] and lv[i]:
            m, o2 = least[i], o2_margin[i]
            least[i] = np.nan if np.isnan(m) or np.isnan(o2) else min(m, o2)
            if not was[i]:
                slack_s = (o2 - secondary[i]) * 60.0
                if slack_s <= 0:
                    by[i] = t
                    was[i] = True
                else:
                    by[i] = t + slack_s


jit.register(_tally, jit.ENGINE_NOTICE)


@dataclass
class Tally:
    """What the summaries need, accumulated every step: peaks, times outside and suited."""

    peak_stack: np.ndarray  # (len(PEAK_KEYS), R, C) the peak of each channel
    o2_margin_min: np.ndarray  # (R, C) the least O2 margin outside
    time_outside_s: np.ndarray
    dark_outside_s: np.ndarray
    suited_s: np.ndarray
    # the latest time to start back and arrive before the primary O2 is spent (the reserve
    # intact): the projection at the last step outside, or the time the slack reached zero
    return_by_s: np.ndarray
    return_by_crossed: np.ndarray

    @classmethod
    def zeros(cls, R: int, C: int) -> Tally:
        z = np.zeros((R, C))
        return cls(
            np.zeros((len(PEAK_KEYS), R, C)),
            np.full((R, C), np.inf),
            z.copy(),
            z.copy(),
            z.copy(),
            np.full((R, C), np.nan),
            np.zeros((R, C), bool),
        )

    @property
    def peaks(self) -> dict[str, np.ndarray]:
        """A copy of the peaks by channel, the least O2 margin outside among them."""
        peaks = dict(zip(PEAK_KEYS, self.peak_stack.copy(), strict=True))
        return {**peaks, "o2_margin_min": self.o2_margin_min.copy()}

    def add(
        self, out, live, outside, suited, sunlit: float, dt: float, t: float, busy=None
    ) -> None:
        """Add one step from the buffer of channel values ``out`` (:func:`compute`; ``busy``
        the runs not over, default all)."""
        jit.about_to_run(_tally, jit.ENGINE_NOTICE)
        _tally(
            self.peak_stack, _PEAK_ROWS, self.o2_margin_min, out, live, outside, suited,
            sunlit < 0.5, float(dt), self.time_outside_s, self.dark_outside_s, self.suited_s,
            self.return_by_s, self.return_by_crossed, float(t),
            every_run(busy, live.shape[0]),
        )  # fmt: skip


_PEAK_ROWS = np.array([_I[k] for k in PEAK_KEYS], dtype=np.int64)
