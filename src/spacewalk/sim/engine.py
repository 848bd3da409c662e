"""The engine: fixed time steps over arrays shaped (runs, crew), events between steps.

One code path runs one run or thousands. Each step:

1. scheduled faults whose time has come are applied;
2. the timeline advances each crew member (activities end on time, on a vessel pressure,
   or wait for another crew member; ingress waits while the suit does not fit the hatch);
3. cabin and airlock gas vent or repress (:mod:`spacewalk.gas`);
4. the suits regulate pressure and use O2, make and scrub CO2, move heat and water, drain
   batteries (:mod:`spacewalk.lifesupport`);
5. tissue nitrogen is updated (:mod:`spacewalk.dcs`) at its own, slower rate
   (``engine.dcs_dt_s``, default 60 s: the 360-min tissue needs no more);
6. hazards and exhausted consumables are detected, flight rules are checked and act
   (alarm, terminate, abort to ingress, lower suit pressure);
7. telemetry is recorded at its own rate (``engine.record_every_s``).

Time is kept as an integer count of steps, so rates never drift. The engine draws no random
numbers: a Monte Carlo campaign (:mod:`spacewalk.campaign`) gives each run its own parameters
(durations, metabolic rates, consumables, fault times) through the plan's per-run arrays. A run whose numbers go wrong
(NaN or infinite) is stopped with a status and a reason; the other runs go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..physics import dcs, gas, lifesupport
from ..physics.metabolism import co2_made_kg_s, o2_use_kg_s, vo2_mL_kg_min
from ..scenario.presets import WORKLOADS_W
from ..units import (
    C_BODY,
    DISCHARGE_CD,
    H_SUB_ICE,
    H_VAP_SWEAT,
    PA_PER_MMHG,
    R_O2,
    USEFUL_CONSCIOUSNESS_PA,
    gas_constant,
)
from ..units import (
    SUIT_GAS_T_K as SUIT_T_K,
)
from .crewmotion import CrewMotion
from .plan import KIND, LOC_AIRLOCK, LOC_CABIN, LOC_OUTSIDE, RETURN, Plan

O2_RATE_TAU_S = 300.0  # [s] smoothing of the O2 draw used for "time remaining"
HATCH_OPS_S = 300.0  # [s] hatch and ingress time added to the translation back
CABIN_COOLING_W = 1.0e4  # unsuited crew: the cabin takes any heat
CABIN_EVAP_KG_S = 1.0  # unsuited crew: sweat evaporates freely

EVENT_LUT = np.zeros(RETURN + 1, dtype=bool)  # kinds that end on an event, not a duration
EVENT_LUT[[KIND[k] for k in ("fly", "capture", "release", "ride")]] = True
OUTCOMES = ("completed", "terminated", "aborted", "loss-of-crew", "incomplete")
CONSUMABLES = ("o2_primary", "o2_secondary", "o2_vehicle", "scrubber", "feedwater", "battery")


@dataclass
class Recorder:
    every: int
    times: list[float] = field(default_factory=list)
    frames: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, t: float, values: dict[str, np.ndarray]) -> None:
        self.times.append(t)
        for k, v in values.items():
            self.frames.setdefault(k, []).append(np.array(v, copy=True))


@dataclass
class EngineOutput:
    plan: Plan
    t_end_s: float
    recorder: Recorder | None
    events: list[dict]
    act_start_s: np.ndarray  # (runs, crew, slots), nan if never started
    act_end_s: np.ndarray
    final: dict[str, np.ndarray]
    peaks: dict[str, np.ndarray]
    exhausted_s: dict[str, np.ndarray]  # consumable -> (runs, crew) time it ran out (nan)
    outcome: np.ndarray  # (runs, crew) index into OUTCOMES
    status: list[str]  # per run: "ok" or "numerical-error: ..."
    time_outside_s: np.ndarray
    suited_s: np.ndarray
    alarms: np.ndarray
    motion: CrewMotion | None = None
    dark_outside_s: np.ndarray | None = None  # (runs, crew) time outside in orbital night
    sent_back_s: np.ndarray | None = None  # (runs, crew) first terminate or abort (nan: none)
    sent_back_rule: np.ndarray | None = None  # (runs, crew) the rule that did it (-1: none)
    rules_fired: np.ndarray | None = None  # (rules, runs, crew) whether each flight rule fired
    day_night: list = field(default_factory=list)  # [(t_s, "sunrise" | "sunset"), ...]


class _Log:
    def __init__(self, crew_ids: list[str]):
        self.crew_ids = crew_ids
        self.items: list[dict] = []

    def add(self, t, run, crew, severity, source, message):
        self.items.append(
            {
                "run": int(run),
                "t_s": float(t),
                "crew": self.crew_ids[crew] if isinstance(crew, int | np.integer) else crew,
                "severity": severity,
                "source": source,
                "message": message,
            }
        )

    def each(self, mask, t, severity, source, message):
        """Log one event per (run, crew) where ``mask`` is true; ``message`` may be callable."""
        if not np.count_nonzero(mask):
            return
        for r, c in zip(*np.nonzero(mask), strict=True):
            text = message(r, c) if callable(message) else message
            self.add(t, r, int(c), severity, source, text)


def run_engine(plan: Plan, record: bool = True) -> EngineOutput:
    sc = plan.scenario
    R, C = plan.runs, len(plan.crew_ids)
    S = plan.kind.shape[1]
    dt = sc.engine.dt_s
    every = round(sc.engine.record_every_s / dt)
    dcs_every = round(sc.engine.dcs_dt_s / dt)
    dt_dcs = dcs_every * dt
    n_max = int(np.ceil(sc.engine.max_duration_h * 3600.0 / dt))
    p = plan.crew
    v = plan.vessel
    log = _Log(plan.crew_ids)
    ci = np.broadcast_to(np.arange(C), (R, C))
    ri = np.broadcast_to(np.arange(R)[:, None], (R, C))
    eva_v = plan.eva_vessel

    # ---------------------------------------------------------------- state
    act = np.zeros((R, C), dtype=np.int64)
    act_t = np.zeros((R, C))
    started = np.zeros((R, C), dtype=bool)
    done = np.broadcast_to(plan.n_acts == 0, (R, C)).copy()
    completed = np.zeros((R, C, S), dtype=bool)
    act_start = np.full((R, C, S), np.nan)
    act_start[:, :, 0] = 0.0
    act_end = np.full((R, C, S), np.nan)
    loc = np.full((R, C), LOC_CABIN, dtype=np.int64)
    range_m = np.zeros((R, C))
    ret_dur = np.zeros((R, C))
    ret_speed = p["speed_m_s"].copy()
    ret_met = np.full((R, C), WORKLOADS_W["moderate"])
    return_to = np.full((R, C), -1, dtype=np.int64)
    mode = np.zeros((R, C), dtype=np.int64)  # 0 nominal, 1 terminated, 2 aborted
    lost = np.zeros((R, C), dtype=bool)
    blocked_s = np.zeros((R, C))
    blocked_logged = np.zeros((R, C), dtype=bool)

    R_v = gas_constant(v["o2_fraction"])  # (R, 2)
    fo2_v = v["o2_fraction"].copy()
    m_v = gas.gas_mass_kg(v["p0_Pa"], R_v, v["T_K"], v["volume_m3"])
    hatch_open = np.zeros(R, dtype=bool)

    suited = np.zeros((R, C), dtype=bool)
    low_mode = np.zeros((R, C), dtype=bool)
    p_suit = v["p0_Pa"][:, [0]].repeat(C, axis=1)
    o2_primary = p["o2_primary_kg"].copy()
    o2_secondary = p["o2_secondary_s"].copy()
    o2_vehicle = plan.o2_store_kg.copy()
    o2_rate = np.zeros((R, C))
    pp_co2 = np.zeros((R, C))
    scrub_used = np.zeros((R, C))
    heat = np.zeros((R, C))
    sweat_total = np.zeros((R, C))
    feedwater = p["feedwater_kg"].copy()
    battery = p["battery_Ah"].copy()
    helmet_water = np.zeros((R, C))
    tissue = p["tissue0_Pa"].copy()
    etr_tissue = p["etr0_Pa"].copy()
    # faults
    water_rate = np.zeros((R, C))
    hole_cdA = np.zeros((R, C))
    reg_failed = np.zeros((R, C), dtype=bool)
    cooling_factor = np.ones((R, C))
    fault_done = [np.zeros(R, dtype=bool) for _ in plan.faults]
    fault_next = min((float(f.at_s.min()) for f in plan.faults), default=np.inf)
    fault_leak = False
    sent_back = np.full((R, C), np.nan)  # when a rule first sent each crew member back
    sent_rule = np.full((R, C), -1, dtype=np.int64)  # and which rule (index into rules)
    # rules
    rules = list(sc.flight_rules or [])
    fired = np.zeros((len(rules), R, C), dtype=bool)
    rule_channel = [r.channel for r in rules]
    rule_applies_idx = np.array(
        [("suited", "outside", "always").index(r.applies) for r in rules], dtype=np.int64
    )
    rule_vals = np.zeros((len(rules), R, C))
    rule_limit = np.array([r.above if r.above is not None else r.below for r in rules])
    rule_limit = rule_limit.reshape(-1, 1, 1)
    rule_sign = np.array([1.0 if r.above is not None else -1.0 for r in rules]).reshape(-1, 1, 1)
    alarms = np.zeros((R, C), dtype=np.int64)
    # summaries
    peaks = {
        k: np.zeros((R, C))
        for k in (
            "ppco2_mmHg",
            "tissue_ratio",
            "etr",
            "heat_storage_kJ",
            "helmet_water_L",
            "fog_index",
            "core_temp_rise_C",
            "dp_suit_kPa",
        )
    }
    peak_keys = tuple(peaks)
    peaks["o2_margin_min"] = np.full((R, C), np.inf)
    exhausted = {k: np.full((R, C), np.nan) for k in CONSUMABLES}
    breakthrough = np.zeros((R, C), dtype=bool)
    time_outside = np.zeros((R, C))
    suited_s = np.zeros((R, C))
    run_ok = np.ones(R, dtype=bool)
    status = ["ok"] * R
    recorder = Recorder(every) if record else None
    # motion and the orbit's day and night
    motion = CrewMotion(plan, log)
    n_sub = round(dt / sc.engine.motion_dt_s)
    sunlit_all = plan.motion.orbit.sunlit_fraction(np.arange(n_max + 2) * dt)
    lit_prev = sunlit_all[0] >= 0.5
    day_night = []
    env_sun = lifesupport.environment_heat_W(
        1.0, p["absorptance"], p["emittance"], p["insulation_W_K"]
    )
    env_shadow = lifesupport.environment_heat_W(
        0.0, p["absorptance"], p["emittance"], p["insulation_W_K"]
    )
    env_swing = env_sun - env_shadow
    dark_outside = np.zeros((R, C))

    kind_flat, dur_flat, met_flat = plan.kind.ravel(), plan.dur_s.ravel(), plan.met_W.ravel()
    run_base = (ri * C + ci) * S  # index of (run, crew, slot 0) in the per-run tables
    to_flat, next_flat = plan.to_Pa.ravel(), plan.next_a.ravel()
    until_flat = plan.until_s.ravel()
    has_until = bool(np.isfinite(until_flat).any())
    after_c_flat, after_a_flat = plan.after_c.ravel(), plan.after_a.ravel()
    vessel_lut = np.array([0, 1, eva_v])  # location code -> vessel index (outside: EVA vessel)

    def vessel_of(location):
        return vessel_lut[location]

    def p_vessels():
        return gas.pressure_Pa(m_v, R_v, v["T_K"], v["volume_m3"])

    def send_back(go, tgt, is_abort, t, why, rule_k):
        """Terminate or abort: skip to the return-to-hatch slot, then the next ingress."""
        nonlocal ret_dur, ret_met, ret_speed, return_to, act, act_t, started, mode
        idx = np.arange(S)
        skipped = (idx >= act[..., None]) & (idx < tgt[..., None]) & go[..., None]
        completed[...] |= skipped
        act_end[skipped & np.isnan(act_end)] = t
        speed = p["speed_m_s"] * (1.5 if is_abort else 1.0)
        ret_dur = np.where(go, range_m / speed + 60.0, ret_dur)
        ret_met = np.where(go, WORKLOADS_W["heavy" if is_abort else "moderate"], ret_met)
        ret_speed = np.where(go, speed, ret_speed)
        return_to = np.where(go, tgt, return_to)
        act = np.where(go, S - 1, act)
        act_start[ri[go], ci[go], S - 1] = t
        act_t = np.where(go, 0.0, act_t)
        started = np.where(go, False, started)
        mode = np.maximum(mode, np.where(go, 2 if is_abort else 1, 0))
        first = go & np.isnan(sent_back)
        sent_back[first] = t
        sent_rule[first] = rule_k
        log.each(
            go,
            t,
            "warning",
            "rules",
            lambda r, c: (
                f"{'ABORT' if is_abort else 'TERMINATE'}{why}: return to the hatch "
                f"({range_m[r, c]:.0f} m)"
            ),
        )

    step = 0
    t = 0.0
    values: dict[str, np.ndarray] = {}
    while True:
        t = step * dt
        # ------------------------------------------------------------ 1 faults
        if t + 1e-9 >= fault_next:
            for f, applied in zip(plan.faults, fault_done, strict=True):
                due = ~applied & (f.at_s <= t + 1e-9)
                if not np.count_nonzero(due):
                    continue
                applied |= due
                c, kind, value = f.crew, f.kind, f.value
                hit = np.nonzero(due & run_ok)[0]
                if kind == "tether-break":
                    motion.break_tether(c, int(value[0]), t, hit)  # the tether's index
                    continue
                if kind == "water-intrusion":
                    water_rate[:, c] = np.where(due, value, water_rate[:, c])
                elif kind == "suit-leak":
                    hole_cdA[:, c] = np.where(due, value, hole_cdA[:, c])
                    fault_leak = True
                elif kind == "regulator-failure":
                    reg_failed[:, c] |= due
                elif kind == "cooling-failure":
                    cooling_factor[:, c] = np.where(due, value, cooling_factor[:, c])
                elif kind == "scrubber-exhausted":
                    scrub_used[:, c] = np.where(due, p["scrub_cap_kg"][:, c], scrub_used[:, c])
                for r in hit:
                    msg = {
                        "water-intrusion": "FAULT water intrusion into the helmet at "
                        f"{value[r] * 6e4:.0f} mL/min",
                        "suit-leak": "FAULT suit leak",
                        "regulator-failure": "FAULT suit pressure regulator failed: no O2 makeup",
                        "cooling-failure": f"FAULT cooling failure, {value[r]:.0%} capacity left",
                        "scrubber-exhausted": "FAULT CO2 scrubber exhausted",
                    }[kind]
                    log.add(t, r, c, "warning", "faults", msg)
            pending = [f.at_s[~d] for f, d in zip(plan.faults, fault_done, strict=True)]
            fault_next = min((float(a.min()) for a in pending if a.size), default=np.inf)

        # ------------------------------------------------------------ 2 timeline
        active = ~done & ~lost
        slot = np.minimum(act, S - 1)
        flat = ci * S + slot
        kind_now = kind_flat.take(flat)
        p_ves = p_vessels()
        vloc = vessel_of(loc)
        p_loc_vessel = p_ves[ri, vloc]
        dep_c = after_c_flat.take(flat)
        dep_ok = (dep_c < 0) | completed[ri, np.maximum(dep_c, 0), after_a_flat.take(flat)]
        ready = active & dep_ok
        starting = ready & ~started
        is_return = slot == S - 1
        flat_r = run_base + slot
        dur_now = np.where(is_return, ret_dur, dur_flat.take(flat_r))
        if np.count_nonzero(starting):
            suited |= starting & (kind_now == KIND["suit-up"])
            suited &= ~(starting & (kind_now == KIND["doff"]))
            motion.start(starting, kind_now, slot, loc, dur_now, ret_speed, t)
            if record or R <= 16:
                log.each(
                    starting & (kind_now != RETURN),
                    t,
                    "info",
                    "timeline",
                    lambda r, c: f"start {plan.labels[c][slot[r, c]]}",
                )
            started |= starting
        # egress needs the hatch open, which needs the vessel vented
        is_egress = kind_now == KIND["egress"]
        can_open = p_ves[:, eva_v] <= plan.hatch_open_max_Pa
        opening = ready & is_egress & ~hatch_open[:, None] & can_open[:, None]
        if np.count_nonzero(opening):
            newly = opening.any(axis=1) & ~hatch_open
            for r in np.nonzero(newly)[0]:
                log.add(t, r, "vehicle", "info", "vehicle", "hatch open")
            hatch_open |= newly
        # ingress needs the suit to fit the hatch
        dp_suit = p_suit - np.where(loc == LOC_OUTSIDE, 0.0, p_loc_vessel)
        envelope = lifesupport.envelope_m(
            dp_suit / 1000.0, p["envelope0_m"], p["compliance_m_per_Pa"] * 1000.0
        )
        fits = lifesupport.fits_hatch(envelope, plan.hatch_diameter_m[:, None])
        is_ingress = kind_now == KIND["ingress"]
        blocked = ready & is_ingress & ~fits
        if np.count_nonzero(blocked):
            blocked_s += np.where(blocked, dt, 0.0)
            log.each(
                blocked & ~blocked_logged,
                t,
                "warning",
                "timeline",
                lambda r, c: (
                    f"INGRESS BLOCKED: ballooned suit {envelope[r, c]:.2f} m does not fit the "
                    f"{plan.hatch_diameter_m[r]:.2f} m hatch at {dp_suit[r, c] / 1000:.1f} kPa"
                ),
            )
            blocked_logged |= blocked
        gate = ready & ~blocked & ~((is_egress | is_ingress) & ~hatch_open[:, None])
        at_hatch = ready & is_egress & ~gate  # nobody leaves through a closed hatch
        act_t += gate * dt
        is_depress = kind_now == KIND["depress"]
        is_repress = kind_now == KIND["repress"]
        target_p = to_flat.take(flat)
        finished = np.where(
            is_depress,
            p_loc_vessel <= target_p,
            np.where(is_repress, p_loc_vessel >= target_p - 1.0, act_t >= dur_now - 1e-9),
        )
        if has_until:
            until = until_flat.take(flat)
            finished = np.where(np.isnan(until), finished, t >= until - 1e-9)
        by_event = EVENT_LUT[kind_now]
        if motion.any_unit:
            by_event |= is_return & motion.flying_rc
        if np.count_nonzero(by_event):
            finished = np.where(by_event, motion.event_done(kind_now, act_t, dur_now), finished)
        complete = gate & finished
        if np.count_nonzero(complete):
            act_end[ri[complete], ci[complete], slot[complete]] = t
            completed[ri[complete], ci[complete], slot[complete]] = True
            loc = np.where(complete & (kind_now == KIND["enter-airlock"]), LOC_AIRLOCK, loc)
            loc = np.where(complete & is_egress, LOC_OUTSIDE, loc)
            loc = np.where(complete & (kind_now == KIND["leave-airlock"]), LOC_CABIN, loc)
            into = complete & is_ingress
            loc = np.where(into, eva_v, loc)  # LOC_CABIN == 0 == cabin vessel, 1 == airlock
            closing = (complete & (kind_now == KIND["hatch-close"])).any(axis=1)
            if np.count_nonzero(closing):
                for r in np.nonzero(closing & hatch_open)[0]:
                    log.add(t, r, "vehicle", "info", "vehicle", "hatch closed")
                hatch_open &= ~closing
            recharged = complete & (kind_now == KIND["recharge"])
            if np.count_nonzero(recharged):
                # between EVAs: fresh O2 bottles, CO2 cartridge, feedwater and battery
                o2_primary = np.where(recharged, p["o2_primary_kg"], o2_primary)
                o2_secondary = np.where(recharged, p["o2_secondary_s"], o2_secondary)
                scrub_used = np.where(recharged, 0.0, scrub_used)
                feedwater = np.where(recharged, p["feedwater_kg"], feedwater)
                battery = np.where(recharged, p["battery_Ah"], battery)
                breakthrough &= ~recharged
                log.each(recharged, t, "info", "timeline", "suit recharged for the next EVA")
            log.each(complete & is_egress, t, "info", "timeline", "EGRESS: outside")
            log.each(into, t, "info", "timeline", "INGRESS: back inside")
            nxt = np.where(is_return, return_to, next_flat.take(flat))
            act = np.where(complete, nxt, act)
            now = complete & (act < plan.n_acts[None, :])
            act_start[ri[now], ci[now], np.minimum(act, S - 1)[now]] = t
            act_t = np.where(complete, 0.0, act_t)
            started &= ~complete
            done |= (act >= plan.n_acts[None, :]) & (act != S - 1)

        # ------------------------------------------------------------ motion
        range_m = motion.step(t, dt, n_sub, kind_now, ready, ~lost & run_ok[:, None], at_hatch)
        sun = sunlit_all[step]
        if (sun >= 0.5) != lit_prev:
            lit_prev = sun >= 0.5
            day_night.append((t, "sunrise" if lit_prev else "sunset"))
            for r in np.nonzero(run_ok)[0]:
                log.add(
                    t,
                    r,
                    "vehicle",
                    "info",
                    "orbit",
                    "SUNRISE: orbital day begins" if lit_prev else "SUNSET: orbital night begins",
                )

        # ------------------------------------------------------------ 3 vehicle gas
        vent = np.zeros((R, 2), dtype=bool)
        repress = np.zeros((R, 2), dtype=bool)
        dep_now = ready & is_depress
        rep_now = ready & is_repress
        vloc = vessel_of(loc)
        if np.count_nonzero(dep_now) or np.count_nonzero(rep_now):
            for vi in (0, 1):
                vent[:, vi] = (dep_now & (vloc == vi)).any(axis=1)
                repress[:, vi] = (rep_now & (vloc == vi)).any(axis=1)
        vent[:, eva_v] &= ~hatch_open
        repress[:, eva_v] &= ~hatch_open
        m_v = np.where(
            vent, gas.vent_step(m_v, v["volume_m3"], v["vent_cdA_m2"], R_v, v["T_K"], dt), m_v
        )
        hatch_area = DISCHARGE_CD * np.pi * plan.hatch_diameter_m**2 / 4.0
        m_v[:, eva_v] = np.where(
            hatch_open,
            gas.vent_step(
                m_v[:, eva_v],
                v["volume_m3"][:, eva_v],
                hatch_area,
                R_v[:, eva_v],
                v["T_K"][:, eva_v],
                dt,
            ),
            m_v[:, eva_v],
        )
        add = np.where(repress, v["repress_kg_s"] * dt, 0.0)
        if np.count_nonzero(add):
            # stop at the highest repress target among the crew asking for it
            tgt = np.zeros((R, 2))
            for vi in (0, 1):
                tgt[:, vi] = np.where(rep_now & (vloc == vi), target_p, 0.0).max(axis=1)
            fo2_new = gas.mix_o2_fraction(m_v, fo2_v, add, v["repress_o2_fraction"])
            R_new = gas_constant(fo2_new)
            m_cap = gas.gas_mass_kg(tgt, R_new, v["T_K"], v["volume_m3"])
            add = np.clip(np.minimum(add, m_cap - m_v), 0.0, None)
            fo2_v = np.where(
                add > 0, gas.mix_o2_fraction(m_v, fo2_v, add, v["repress_o2_fraction"]), fo2_v
            )
            R_v = gas_constant(fo2_v)
            m_v = m_v + add
        p_ves = p_vessels()
        vloc = vessel_of(loc)
        outside = loc == LOC_OUTSIDE
        p_amb = np.where(outside, 0.0, p_ves[ri, vloc])
        fo2_amb = fo2_v[ri, vloc]

        # ------------------------------------------------------------ 4 suits
        met = np.where(is_return & ready, ret_met, met_flat.take(flat_r))
        met = np.where(done | lost, WORKLOADS_W["rest"], met) * p["met_factor"]
        umb = p["umbilical"]
        supply_ok = np.where(umb, (o2_vehicle > 0)[:, None], o2_primary > 0)
        reserve_ok = o2_secondary > 0
        regulating = suited & ~reg_failed & (supply_ok | reserve_ok)
        setpoint = np.where(low_mode, p["p_low_Pa"], p["p_set_Pa"])
        o2_met = o2_use_kg_s(met)
        rho_suit = p_suit / (R_O2 * SUIT_T_K)
        leak = np.where(p_suit > p_amb, p["leak_m3_s"] * rho_suit, 0.0)
        if fault_leak:
            leak = leak + gas.orifice_mass_flow_kg_s(p_suit, p_amb, hole_cdA, R_O2, SUIT_T_K)
        purge = np.where(regulating, p["purge_kg_s"], 0.0)
        draw = (o2_met + leak + purge) * suited
        mass_suit = gas.gas_mass_kg(p_suit, R_O2, SUIT_T_K, p["gas_volume_m3"])
        p_free = gas.pressure_Pa(
            np.maximum(mass_suit - (leak + o2_met) * dt, 0.0), R_O2, SUIT_T_K, p["gas_volume_m3"]
        )
        p_suit = np.where(
            regulating,
            np.maximum(p_amb, setpoint),
            np.where(suited, np.maximum(p_free, p_amb), p_amb),
        )
        from_store = regulating & supply_ok
        use = np.where(from_store, draw * dt, 0.0)
        before_primary = o2_primary > 0
        o2_primary = np.where(from_store & ~umb, np.maximum(o2_primary - use, 0.0), o2_primary)
        o2_vehicle = np.maximum(o2_vehicle - np.where(umb, use, 0.0).sum(axis=1), 0.0)
        on_reserve = regulating & ~supply_ok
        before_secondary = o2_secondary > 0
        o2_secondary = np.where(on_reserve, np.maximum(o2_secondary - dt, 0.0), o2_secondary)
        o2_rate += (draw - o2_rate) * (dt / O2_RATE_TAU_S)
        # CO2
        made = co2_made_kg_s(met) * suited
        fan_ok = umb | (battery > 0) | (p["battery_A"] == 0)
        eff = np.where(
            p["scrubber"], lifesupport.scrubber_efficiency(scrub_used, p["scrub_cap_kg"]), 1.0
        )
        flow = np.where(
            p["scrubber"],
            p["vent_m3_s"] * fan_ok,
            purge * R_O2 * SUIT_T_K / np.maximum(p_suit, 1.0),
        )
        pp_new, removed = lifesupport.co2_step(
            pp_co2, made, flow, eff, p["gas_volume_m3"], SUIT_T_K, dt
        )
        pp_co2 = pp_new * suited
        scrub_used = np.where(suited & p["scrubber"], scrub_used + removed, scrub_used)
        # heat and water
        equip_W = np.where(suited & ~umb & (battery > 0), p["battery_A"] * p["battery_V"], 0.0)
        sublimator_ok = (feedwater > 0) | (p["feedwater_kg"] == 0)
        liquid_ok = ~p["liquid"] | fan_ok
        cool_max = np.where(
            suited, p["cooling_W"] * cooling_factor * sublimator_ok * liquid_ok, CABIN_COOLING_W
        )
        evap_max = np.where(suited, p["evap_kg_s"] * fan_ok, CABIN_EVAP_KG_S)
        env_W = (env_shadow + sun * env_swing) * (suited & outside)
        heat, cooling, sweat, evap = lifesupport.heat_step(
            heat, met + equip_W + env_W, cool_max, evap_max, dt
        )
        sweat_total += sweat * dt
        uses_water = suited & (p["feedwater_kg"] > 0)
        water_use = (cooling + evap * H_VAP_SWEAT) / H_SUB_ICE + water_rate
        before_water = feedwater > 0
        feedwater = np.where(uses_water, np.maximum(feedwater - water_use * dt, 0.0), feedwater)
        helmet_water = helmet_water + water_rate * dt * suited
        fog = lifesupport.fog_index(sweat, evap_max) * suited
        before_battery = battery > 0
        battery = np.where(
            suited & ~umb, np.maximum(battery - p["battery_A"] * dt / 3600.0, 0.0), battery
        )

        # ------------------------------------------------------------ 5 DCS
        prebreathing = ready & (kind_now == KIND["prebreathe"])
        on_o2 = suited | prebreathing
        p_in = np.where(on_o2, 0.0, dcs.inspired_n2_Pa(p_amb, fo2_amb))
        p_breath = np.where(suited, p_suit, p_amb)
        if (step + 1) % dcs_every == 0:  # the slow subsystem: holds this step's gas over its period
            tissue = dcs.tissue_step(tissue, p_in, dcs.K_360_PER_S, dt_dcs)
            etr_k = dcs.etr_rate_per_s(vo2_mL_kg_min(met, p["mass_kg"]))
            etr_tissue = dcs.tissue_step(etr_tissue, p_in, etr_k, dt_dcs)
        tr = dcs.tissue_ratio(tissue, p_breath)
        etr = dcs.tissue_ratio(etr_tissue, p_breath)

        # ------------------------------------------------------------ 6 hazards, rules
        live = ~lost & run_ok[:, None]
        hypoxic = live & (p_breath < USEFUL_CONSCIOUSNESS_PA)
        if np.count_nonzero(hypoxic):
            log.each(
                hypoxic,
                t,
                "emergency",
                "suit",
                lambda r, c: (
                    "LOSS OF CREW: suit pressure below 2.5 psi, no useful consciousness"
                    if suited[r, c]
                    else "LOSS OF CREW: exposed to vacuum without a suit"
                ),
            )
            lost |= hypoxic
        for name, before, after in (
            ("o2_primary", before_primary, o2_primary > 0),
            ("o2_secondary", before_secondary, o2_secondary > 0),
            ("feedwater", before_water, feedwater > 0),
            ("battery", before_battery, battery > 0),
        ):
            if np.count_nonzero(before) == np.count_nonzero(after):
                continue  # nothing ran out this step (stores only ever fall)
            ran_out = before & ~after & suited & live
            if np.count_nonzero(ran_out):
                exhausted[name] = np.where(ran_out & np.isnan(exhausted[name]), t, exhausted[name])
                sev = "warning" if name != "o2_secondary" else "emergency"
                log.each(ran_out, t, sev, "suit", f"{name.replace('_', ' ')} exhausted")
                if name == "o2_primary":
                    log.each(
                        ran_out & (o2_secondary > 0),
                        t,
                        "warning",
                        "suit",
                        "switched to secondary O2",
                    )
        veh_out = (
            (o2_vehicle <= 0)
            & np.isnan(exhausted["o2_vehicle"]).all(axis=1)
            & (plan.o2_store_kg > 0)
        )
        if np.count_nonzero(veh_out):
            exhausted["o2_vehicle"][veh_out] = np.where(umb[veh_out], t, np.nan)
            for r in np.nonzero(veh_out)[0]:
                log.add(
                    t,
                    r,
                    "vehicle",
                    "warning",
                    "vehicle",
                    "vehicle O2 store for the umbilicals exhausted",
                )
        bt = (
            suited
            & p["scrubber"]
            & (scrub_used >= lifesupport.SCRUBBER_BREAKTHROUGH * p["scrub_cap_kg"])
            & ~breakthrough
            & live
        )
        if np.count_nonzero(bt):
            log.each(bt, t, "caution", "suit", "CO2 scrubber breakthrough")
            breakthrough |= bt
        full = suited & p["scrubber"] & (scrub_used >= p["scrub_cap_kg"] * (1 - 1e-9)) & live
        exhausted["scrubber"] = np.where(
            full & np.isnan(exhausted["scrubber"]), t, exhausted["scrubber"]
        )

        secondary_min = o2_secondary / 60.0
        supply_kg = np.where(umb, o2_vehicle[:, None], o2_primary)
        umb_rate = np.where(umb, o2_rate, 0.0).sum(axis=1, keepdims=True)
        rate = np.where(umb, umb_rate, o2_rate)
        o2_time = (
            np.where(rate > 0, supply_kg / np.maximum(rate, 1e-12) / 60.0, np.inf) + secondary_min
        )
        o2_time = np.where(suited, o2_time, np.inf)
        back_min = np.where(
            loc == LOC_OUTSIDE, (range_m / p["speed_m_s"] + HATCH_OPS_S) / 60.0, 0.0
        )
        o2_margin = o2_time - back_min
        core_rise = heat / (p["mass_kg"] * C_BODY)
        values = {
            "ppco2_mmHg": pp_co2 / p["washout"] / PA_PER_MMHG,
            "p_suit_kPa": p_suit / 1000.0,
            "dp_suit_kPa": (p_suit - p_amb) / 1000.0,
            "o2_time_min": o2_time,
            "o2_margin_min": o2_margin,
            "helmet_water_L": helmet_water,
            "heat_storage_kJ": heat / 1000.0,
            "core_temp_rise_C": core_rise,
            "fog_index": fog,
            "tissue_ratio": tr,
            "etr": etr,
            "feedwater_kg": feedwater,
            "battery_Ah": battery,
            "ingress_blocked_min": blocked_s / 60.0,
        }
        any_fire = 0
        if rules:
            for k, ch in enumerate(rule_channel):
                rule_vals[k] = values[ch]
            masks = (np.stack((suited, outside, p["has_suit"])) & live)[rule_applies_idx]
            fires = ((rule_vals - rule_limit) * rule_sign > 0) & masks & ~fired
            any_fire = np.count_nonzero(fires)
        for k, rule in enumerate(rules if any_fire else ()):
            val = values[rule.channel]
            fire = fires[k]
            if not np.count_nonzero(fire):
                continue
            fired[k] |= fire
            alarms += fire
            sev = "caution" if rule.level == "caution" else "warning"
            log.each(
                fire,
                t,
                sev,
                "rules",
                lambda r, c, rule=rule, val=val: (
                    f"{rule.level.upper()} {rule.id}: {rule.message or rule.channel} "
                    f"({rule.channel} = {val[r, c]:.3g}); action: {rule.action}"
                ),
            )
            if rule.action == "lower-suit-pressure":
                low_mode |= fire
                log.each(
                    fire,
                    t,
                    "info",
                    "rules",
                    lambda r, c: f"suit pressure lowered to {p['p_low_Pa'][r, c] / 1000:.1f} kPa",
                )
            elif rule.action in ("terminate", "abort"):
                tgt = plan.ingress_target[ci, slot]
                go = fire & (loc == LOC_OUTSIDE) & (slot != S - 1) & (tgt >= 0) & ~done
                if np.count_nonzero(go):
                    send_back(go, tgt, rule.action == "abort", t, "", k)
                # the EVA ends for the partners too, also when the one it fired for is
                # already back in the airlock waiting for them: they terminate and follow
                runs_hit = (go | (fire & suited & (loc != LOC_CABIN))).any(axis=1, keepdims=True)
                buddy = (
                    (runs_hit & ~go & (loc == LOC_OUTSIDE) & (slot != S - 1) & (tgt >= 0))
                    & ~done
                    & ~lost
                )
                if np.count_nonzero(buddy):
                    send_back(buddy, tgt, False, t, " with the crew", k)

        # ------------------------------------------------------------ 7 summaries, record
        all_live = live.all()
        for key in peak_keys:
            val = values[key] if all_live else np.where(live, values[key], 0.0)
            np.maximum(peaks[key], val, out=peaks[key])
        peaks["o2_margin_min"] = np.where(
            outside & live, np.minimum(peaks["o2_margin_min"], o2_margin), peaks["o2_margin_min"]
        )
        time_outside += outside * dt
        if sun < 0.5:
            dark_outside += outside * dt
        suited_s += suited * dt

        if step % 60 == 0:
            bad = ~np.isfinite(p_suit + pp_co2 + heat + tissue + o2_primary).all(axis=1) & run_ok
            if np.count_nonzero(bad):
                for r in np.nonzero(bad)[0]:
                    status[r] = "numerical-error: non-finite suit state"
                    log.add(
                        t,
                        r,
                        "vehicle",
                        "emergency",
                        "engine",
                        "run stopped: numbers went non-finite",
                    )
                run_ok &= ~bad
                done |= bad[:, None]
        if recorder is not None and step % every == 0:
            p_ves = p_vessels()
            recorder.add(
                t,
                {
                    **values,
                    "p_dcs": dcs.probability_dcs(etr),
                    "activity": np.where(done, -1, np.where(slot == S - 1, S - 1, act)),
                    "location": loc,
                    "suited": suited,
                    "metabolic_W": met,
                    "p_ambient_kPa": p_amb / 1000.0,
                    "p_cabin_kPa": np.repeat(p_ves[:, [0]] / 1000.0, C, axis=1),
                    "p_airlock_kPa": np.repeat(
                        (p_ves[:, [1]] if plan.has_airlock else np.full((R, 1), np.nan)) / 1000.0,
                        C,
                        axis=1,
                    ),
                    "o2_primary_kg": o2_primary,
                    "o2_vehicle_kg": np.where(umb, o2_vehicle[:, None], np.nan),
                    "o2_secondary_min": secondary_min,
                    "o2_flow_g_min": draw * 60e3,
                    "scrubber_used_pct": np.where(
                        p["scrub_cap_kg"] > 0,
                        100 * scrub_used / np.maximum(p["scrub_cap_kg"], 1e-12),
                        np.nan,
                    ),
                    "cooling_W": np.where(suited, cooling, np.nan),
                    "sweat_L": sweat_total,
                    "tissue_n2_kPa": tissue / 1000.0,
                    "suit_envelope_m": envelope,
                    "range_m": range_m,
                    "alarms": alarms,
                    **motion.channels(sun, loc != LOC_OUTSIDE),
                },
            )
        step += 1
        if (done | lost).all() or step > n_max:
            break

    peaks["p_dcs"] = dcs.probability_dcs(peaks["etr"])  # monotonic in ETR
    outcome = np.where(lost, 3, np.where(~done, 4, mode))
    for r, c in zip(*np.nonzero(~done & ~lost), strict=True):
        log.add(
            t, r, int(c), "warning", "engine", "time limit reached before the timeline finished"
        )
    final = {
        "o2_primary_kg": o2_primary,
        "o2_secondary_min": o2_secondary / 60.0,
        "o2_vehicle_kg": np.repeat(o2_vehicle[:, None], C, axis=1),
        "scrubber_used_kg": scrub_used,
        "feedwater_kg": feedwater,
        "battery_Ah": battery,
        "helmet_water_L": helmet_water,
        "tissue_ratio": values["tissue_ratio"],
    }
    return EngineOutput(
        plan=plan,
        t_end_s=t,
        recorder=recorder,
        events=log.items,
        act_start_s=act_start,
        act_end_s=act_end,
        final=final,
        peaks=peaks,
        exhausted_s=exhausted,
        outcome=outcome,
        status=status,
        time_outside_s=time_outside,
        suited_s=suited_s,
        alarms=alarms,
        motion=motion,
        dark_outside_s=dark_outside,
        day_night=day_night,
        sent_back_s=sent_back,
        sent_back_rule=sent_rule,
        rules_fired=fired,
    )
