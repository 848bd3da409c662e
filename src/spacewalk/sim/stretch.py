"""The engine's routine steps as one compiled loop: a stretch of steps in which nothing
starts, ends, fails or alarms runs without Python between the steps.

:meth:`spacewalk.sim.engine.Engine.step` calls each subsystem's kernel from Python, about
twenty calls a step; on one run that glue, not the arithmetic, is the step's cost (90 us a
step, 0.27 s for an 8-hour EVA). :func:`_run` calls the same kernels, with the same arrays,
in the same order, step after step, and returns to Python at the first step that needs
more than they do:

- before a step (nothing changed yet) when the timeline's step is not its usual one
  (:func:`~spacewalk.sim.subsystems.timeline._quiet_kernel`: its usual step goes on with
  each activity, starts a held one, ends one whose end changes nothing but the timeline),
  a fault is due, someone waits at a hatch, a depress is held for a crew member without a
  suit for the first time, or the end or ``until_s`` is reached. The engine takes that step's
  timeline (and faults) in Python and hands the rest of the step back to a stretch
  (``timeline_given``); after a step's timeline (its usual step may end an activity), a
  hatch or a depress hold gives the step to the engine from :data:`MOTION`;
- within a step, at the phase the engine's Python takes up (:data:`MOTION_END`,
  :data:`VALUES`, :data:`PHYSIOLOGY`, :data:`RULES`, :data:`AFTER_TALLY`): a tether's reach
  passed, a crew member not well or exposed, a flight rule asking a rescue, or a number gone
  wrong (and a subsystem's event flagged or a rule firing when the list below is full).

What the event log tells of the steps a stretch took (the activities it started and ended,
the hatches it closed, the Sun's rising and setting, the subsystems' flags, the rules'
alarms and actions: :func:`~spacewalk.sim.subsystems.rules._act`) it lists in
:attr:`Buffers.told_i`, in order, for the engine to log after it
(:meth:`~spacewalk.sim.engine.Engine._log_told`) as its Python step would.
Telemetry is recorded into preallocated blocks (:func:`spacewalk.sim.record.block`, the
keys of :func:`~spacewalk.sim.record.snapshot`); a full block stops the stretch before a
step (:data:`FULL`) for the engine to give it another.

A stretch needs the simple motion of the held kernel (nobody free, no maneuvering unit, no
route along handrails, no rescue): :meth:`Engine._stretch_ok` says when. Whatever it does
not take, the engine's Python does, as before: the two paths are one arithmetic, and the
library, its faulted variants and dispersed batches give the same telemetry, events and
summaries bit for bit either way (``tests/test_stretch.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ..physics import jit
from ..physics.motion import _advance_all_held
from . import body, values
from .arrays import as_bool
from .crewmotion import _beyond_reach, _peak_and_range, _start_held_kernel
from .plan import LOC_OUTSIDE
from .subsystems import co2, power, rules, suitgas, thermal, timeline, tissue, vessels
from .subsystems import physiology as physio

NOTICE = "the engine's compiled stretch (compiled in the background after a first run)"
# where the engine's Python takes up a step the stretch stopped in (BEFORE: not begun)
BEFORE, MOTION, MOTION_END, VALUES, PHYSIOLOGY, RULES, AFTER_TALLY = range(7)
FULL = -1  # stopped before a step: its telemetry record needs a new block
TOLD_SUN, TOLD_FLAG = timeline.TOLD_SUN, timeline.TOLD_FLAG  # (rows the stretch tells)
K_DOFF, ALWAYS = timeline.K_DOFF, rules.APPLIES.index("always")
# the events of the gas and body subsystems' flags, in the order the engine logs them
# (Engine._log_flags: suitgas.flag_events, co2's, thermal's, power's)
FLAG_CODES = (*suitgas.FLAG_CODES, co2.FLAG_CODE, thermal.FLAG_CODE, power.FLAG_CODE)
VEHICLE_FLAG = 3  # a run's event (crew: the vehicle): suitgas's last
K_DEPRESS, K_REPRESS = timeline.K_DEPRESS, timeline.K_REPRESS


@dataclass
class Buffers:
    """What a stretch's step computes for the next subsystem, preallocated (R, C)."""

    out_i: np.ndarray  # (5, R, C) the timeline's step: slot, kind, hatch vessel, flat_r, equalise
    out_f: np.ndarray  # (4, R, C) duration, target pressure, envelope, the activity's clock
    out_b: np.ndarray  # (5, R, C) ready, is_return, at_hatch, the activity ends, starts
    vloc: np.ndarray  # the vessel around each crew member
    depress: np.ndarray  # venting asked (and not held)
    repress: np.ndarray
    held: np.ndarray  # a depress held for someone unsuited
    go: np.ndarray  # the rules' scratch (rules._act)
    pend: np.ndarray
    range_m: np.ndarray  # from the hatch
    live: np.ndarray  # the motion's live: not lost, the run going
    fires: np.ndarray  # (K, R, C) the rules' check
    # what the stretch did that the event log tells, in order: (what: timeline.TOLD_*, run,
    # crew, and a slot, vessel, step, rule, flag or code), its time, how many
    told_i: np.ndarray
    told_t: np.ndarray
    told_v: np.ndarray  # a value the event carries (a rule's channel, a range)
    told_n: np.ndarray

    @classmethod
    def empty(cls, R: int, C: int, K: int, S: int, V: int) -> Buffers:
        """For R runs of C crew, K rules, S activity slots and V vessels (room for what the
        event log is told of a run's starts, ends and more between two of the engine's steps;
        a stretch stops where a step might not fit)."""
        told = R * (C * (S + 8) + V) + 64  # (full: the engine's Python takes a step)
        b = np.zeros((R, C), np.bool_)
        return cls(
            np.zeros((5, R, C), np.int64), np.zeros((4, R, C)), np.zeros((5, R, C), np.bool_),
            np.zeros((R, C), np.int64), b, b.copy(), b.copy(), b.copy(), b.copy(),
            np.zeros((R, C)), b.copy(),
            np.zeros((K, R, C), np.bool_), np.zeros((told, 4), np.int64), np.zeros(told),
            np.zeros(told), np.zeros(1, np.int64),
        )  # fmt: skip

    def now(self) -> timeline.TimelineNow:
        """The timeline's step of the stretch's last step (copies)."""
        return timeline.quiet_now(self.out_i.copy(), self.out_f.copy(), self.out_b.copy())

    def put(self, now: timeline.TimelineNow) -> None:
        """A timeline step the engine took (:func:`~spacewalk.sim.subsystems.timeline.step`),
        for a stretch to go on from (``_run(timeline_given=True)``)."""
        i, f, b = self.out_i, self.out_f, self.out_b
        i[0], i[1], i[2], i[3] = now.slot, now.kind, now.hatch_v, now.flat_r
        i[4] = -1 if now.equalise_to is None else now.equalise_to
        f[0], f[1], f[2] = now.dur_s, now.target_Pa, now.envelope_m
        b[0], b[1], b[2] = now.ready, now.is_return, now.at_hatch


@njit(cache=True, error_model="numpy")
def all_over(done, lost, incapacitated, adrift, loc, pio2, ppco2, core_rise, helmet_water, busy):
    """Whether every run is over: each crew member done, lost, incapacitated or adrift. A run
    goes on while someone helpless (incapacitated, adrift) is alive outside, or inside and
    still exposed to a hazard (:func:`~spacewalk.sim.subsystems.physiology.exposed`: a
    closed suit with no fresh gas, a vessel nobody repressed): what happens to them (their
    O2, their heat) is the outcome, not a script's end. A run found over is marked in
    ``busy`` (R,) and stays as it ended while the batch's other runs go on: the suits, the
    battery, the vessels (their pressures still written), the surroundings, the tissues and
    the tallies' times skip it (as a run alone would have stopped), so a run's numbers do
    not depend on the runs beside it."""
    R, C = done.shape
    every = True
    for r in range(R):
        if not busy[r]:
            continue
        over = True
        for c in range(C):
            helpless = incapacitated[r, c] or adrift[r, c]
            alive_helpless = helpless and not lost[r, c]
            if (
                (alive_helpless and loc[r, c] == LOC_OUTSIDE)
                or (
                    alive_helpless
                    and physio.exposed(pio2[r, c], ppco2[r, c], core_rise[r, c], helmet_water[r, c])
                )
                or not (done[r, c] or lost[r, c] or helpless)
            ):
                over = False
                break
        if over:
            busy[r] = False
        else:
            every = False
    return every


jit.register(all_over, jit.ENGINE_NOTICE)


@njit(cache=True, error_model="numpy")
def _depress(kind, ready, vloc, suited, lost, run_ok, depress_held, depress, repress, held):
    """This step's depress and repress asks (the timeline's ``ready`` and ``kind``); a
    depress is held while a live crew member without a suit is in the vessel (the engine's
    ``_depress_allowed``). Returns False, changing nothing, when a hold is new (the engine
    says so); otherwise ``depress`` is what may vent and ``depress_held`` is updated."""
    R, C = kind.shape
    any_depress = False
    for r in range(R):
        for c in range(C):
            depress[r, c] = ready[r, c] and kind[r, c] == K_DEPRESS
            repress[r, c] = ready[r, c] and kind[r, c] == K_REPRESS
            any_depress |= depress[r, c]
    if not any_depress:
        return True
    for r in range(R):
        for c in range(C):
            held[r, c] = False
            if depress[r, c]:
                for o in range(C):
                    bare = not suited[r, o] and not lost[r, o] and run_ok[r]
                    held[r, c] |= vloc[r, c] == vloc[r, o] and bare
            if held[r, c] and not depress_held[r, c]:
                return False
    for r in range(R):
        for c in range(C):
            depress_held[r, c] = (depress_held[r, c] or held[r, c]) if depress[r, c] else False
            depress[r, c] = depress[r, c] and not held[r, c]
    return True


@njit(cache=True, error_model="numpy")
def _doffed(starting, kind, water_rate_kg_s, hole_cdA_m2, regulator_failed, cooling_factor,
            fan_failed, fired, applies):  # fmt: skip
    """The suits that come off at a doff starting: the crew member's faults end
    (:func:`~spacewalk.sim.subsystems.faults.clear`) and the rules of an EVA watch the next
    one afresh (:func:`~spacewalk.sim.subsystems.rules.rearm`)."""
    R, C = starting.shape
    for r in range(R):
        for c in range(C):
            if starting[r, c] and kind[r, c] == K_DOFF:
                water_rate_kg_s[r, c] = 0.0
                hole_cdA_m2[r, c] = 0.0
                regulator_failed[r, c] = False
                cooling_factor[r, c] = 1.0
                fan_failed[r, c] = False
                for k in range(fired.shape[0]):
                    if applies[k] != ALWAYS:
                        fired[k, r, c] = False


@njit(cache=True, error_model="numpy")
def _tell_flags(suit, co2, thermal, power, t, told_i, told_t, told_n):
    """The gas and body subsystems' event flags into the list the event log is told
    (``FLAG_CODES``, in :meth:`~spacewalk.sim.engine.Engine._log_flags`'s order: a crew
    member's events, a run's vehicle O2), the flags cleared."""
    _, R, C = suit.shape
    e = told_n[0]
    for x in range(len(FLAG_CODES)):
        for r in range(R):
            if x == VEHICLE_FLAG:
                out = False
                for c in range(C):
                    out |= suit[3, r, c]
                if out:
                    told_i[e, 0], told_i[e, 1], told_i[e, 2], told_i[e, 3] = TOLD_FLAG, r, -1, x
                    told_t[e] = t
                    e += 1
                continue
            for c in range(C):
                if x < 3:
                    f = suit[x, r, c]
                elif x == 4:
                    f = co2[r, c]
                elif x == 5:
                    f = thermal[r, c]
                else:
                    f = power[r, c]
                if f:
                    told_i[e, 0], told_i[e, 1], told_i[e, 2], told_i[e, 3] = TOLD_FLAG, r, c, x
                    told_t[e] = t
                    e += 1
    told_n[0] = e
    for r in range(R):
        for c in range(C):
            for k in range(suit.shape[0]):
                suit[k, r, c] = False
            co2[r, c] = thermal[r, c] = power[r, c] = False


@njit(cache=True, error_model="numpy")
def _numbers_ok(p_suit, pp_co2, heat_J, n2, o2_primary, run_ok) -> bool:
    """The engine's ``_check_numbers`` finds nothing: every live run's state is finite."""
    R, C = p_suit.shape
    for r in range(R):
        for c in range(C):
            x = p_suit[r, c] + pp_co2[r, c] + heat_J[r, c] + n2[r, c] + o2_primary[r, c]
            if run_ok[r] and not np.isfinite(x):
                return False
    return True


# Compiled without Numba's reference counting: it would count every array handed to a kernel
# not inlined (the timeline's usual step, the suit gas: 150 atomic operations a step, a fifth
# of a run's time). Python holds the arrays for the call; the kernels called here are compiled
# in this context, so none may allocate an array (its compile fails: tests/test_stretch.py).
@njit(cache=True, error_model="numpy", _nrt=False)
def _run(
    # the loop: the first step, the last it may begin, whether the first step's timeline is
    # given, rates, the Sun, faults
    step0, last, timeline_given, dt, n_sub, every, dcs_every, record, sunlit_all, lit_prev,
    fault_next_s,
    # the timeline's state and tables (timeline._quiet_kernel's arguments), its outputs
    act, act_t, started, done, lost, incapacitated, adrift, completed, loc, hatch_open,
    ret_dur_s, return_to, kind, hatch_of, single_hatch, after_c, after_a, dur_s, to_Pa, until_s,
    any_until, loc_after, inside, inner_lut, envelope0_m, compliance_m_per_Pa,
    hatch_diameter_m, hatch_open_max_Pa, p_suit, any_unit, flying, event_lut,
    out_i, out_f, out_b, act_start_s, act_end_s, next_a, n_acts, plain_end_lut,
    ingress_target, told_i, told_t, told_n,
    vloc, depress, repress, held, depress_held, suited, run_ok, busy,
    # the held activities' starts (crewmotion._start_held_kernel)
    ret_speed, pos_slot, speed_slot, hatch_m, restraint_slot, chasing, way_n, way_k,
    # the held motion (physics.motion._advance_all_held), reach and range
    y, p_tgt, v_cruise, arrived, model, n_mean, h_chief, anchor, length, k_t, tension, reach,
    stats, offset, cb, out_of_reach, tethered, peak_range, range_m, live_m,
    # the vessels (vessels._kernel)
    m_kg, o2_fraction, R_J_kgK, vented_kg, added_kg, volume_m3, vent_cdA_m2, T_K, repress_kg_s,
    repress_o2_fraction, p_ves,
    # around each crew member (body._environment)
    ret_met_W, met_W_flat, met_factor, umbilical, umbilical_cut, service, any_service,
    outside, live, met, p_amb, fo2_amb, on_vehicle,
    # power (power._outputs, power._drain), fans
    battery_Ah, battery_A, battery_V, battery_out_s, fan_ok, equip_W, any_fan, fan_failed,
    # suit gas (suitgas._kernel)
    low_mode, o2_primary, o2_secondary, o2_vehicle, o2_rate, on_secondary, purge_open, below_s,
    primary_out_s, secondary_out_s, vehicle_out_s, gas_volume_m3, p_low_Pa, p_set_Pa,
    purge_kg_s, secondary_kg_s, leak_m3_s, reg_max_kg_s, o2_store_kg, regulator_failed,
    hole_cdA_m2, any_leak, any_umbilical, draw, purge,
    # helmet CO2 (co2._kernel)
    pp_co2, scrub_used_kg, breakthrough, scrub_out_s, inspired_mmHg, co2_last_exp, scrubber,
    scrub_cap_kg, vent_m3_s, rebreathed_max, rebreathed_ve_L_min,
    # heat and water (thermal._kernel)
    heat_J, sweat_kg, feedwater_kg, helmet_water_kg, feedwater_out_s, sublimated_kg,
    helmet_drained_kg, external_water_kg, heat_in_J, heat_out_J, cooling_W, feedwater_cap_kg,
    liquid, evap_kg_s, env_shadow, env_swing, vent_water_Pa, helmet_first, visor_coupling,
    sink_shadow, sink_swing, saturation, cooling_factor, water_rate_kg_s, cooling, fog,
    # each subsystem's event flags
    flag_suit, flag_co2, flag_thermal, flag_power,
    # the values (values._kernel), tissue (tissue._kernel), what each breathes
    vbuf, o2_secondary_s, speed_m_s, ops_back_s, mass_kg, n2_Pa, etr_Pa, etr_dlam, u,
    u_ln, u_x, u_s, ln_s, g_mu0, g_n, g_lam, g_gamma, g_beta, p_dcs, blocked_s, p_breath,
    fo2_breath, pio2, ppco2,
    # physiology (physiology._calm), rules (rules._fires), tallies (values._tally)
    hypoxia, co2_impaired, co2_incapacitated, condition,
    rule_rows, rule_limit, rule_sign, rule_applies, fired, has_suit, fires, rescue_asked,
    rule_action, ever, tl_mode, sent_back_s, sent_back_rule, out_ahead, vent_ahead,
    first_repress, go, pend, told_v,
    peak_stack, peak_rows, o2_margin_min, time_outside_s, dark_outside_s, suited_s,
    return_by_s, return_by_crossed,
    # what else the telemetry records (sim.record.snapshot): into the block from row j
    alarms, prop, return_margin, mode, free, j, r_t, r_values, r_done, r_slot, r_act, r_loc,
    r_suited, r_condition, r_pio2, r_ppo2_Pa, r_pp_co2, r_met, r_p_amb, r_p_ves, r_hatch_v,
    r_o2_primary, r_o2_vehicle, r_draw, r_scrub_used, r_cooling, r_sweat, r_n2, r_envelope,
    r_range_m, r_alarms, r_sunlit, r_r_H, r_v_H, r_y, r_tension, r_tumble, r_prop,
    r_return_margin, r_mode, r_free,
):  # fmt: skip
    """Steps from ``step0`` on, as :meth:`spacewalk.sim.engine.Engine.step` takes them (see
    the module's docstring), recording telemetry into the block ``r_*`` from row ``j``.
    Returns (steps done, the phase the engine's Python takes up in the step after them,
    whether every run is over, the next free row of the block)."""
    R, C = act.shape
    n = 0
    lit = lit_prev
    while True:
        step = step0 + n
        if step > last:
            return n, BEFORE, False, j
        if record and step % every == 0 and j == r_t.shape[0]:
            return n, FULL, False, j
        t = step * dt
        sun = sunlit_all[step]
        given = n == 0 and timeline_given  # this step's timeline is the engine's, in out_*
        room = told_n[0] + 2 * R * C + R * hatch_open.shape[1] + 1 <= told_i.shape[0]
        if not (given or t + 1e-9 < fault_next_s) or not room:
            return n, BEFORE, False, j  # a fault due, or no room to tell what happens
        # the timeline: its usual step (it may start held activities and end an activity:
        # after it, the step's timeline is done), nobody at a hatch, no new hold on a depress
        quiet = timeline.QUIET
        if not given:
            quiet = timeline._quiet_kernel(
                act, act_t, started, done, lost, incapacitated, adrift, completed, loc,
                hatch_open, ret_dur_s, return_to, kind, hatch_of, single_hatch, after_c,
                after_a, dur_s, to_Pa, until_s, any_until, loc_after, inside, inner_lut,
                envelope0_m, compliance_m_per_Pa, hatch_diameter_m, hatch_open_max_Pa, p_ves,
                p_suit, any_unit, flying, event_lut, t, dt, out_i, out_f, out_b, act_start_s,
                act_end_s, next_a, n_acts, plain_end_lut, ingress_target, True, suited, free,
                cb, told_i, told_t, told_n,
            )  # fmt: skip
            if not quiet:
                return n, BEFORE, False, j
        if quiet == timeline.QUIET_STARTS:  # the motion of the activities started; a doff
            _start_held_kernel(
                out_b[4], out_i[1], out_i[0], loc, out_i[2], out_f[0], ret_speed, speed_m_s,
                pos_slot, speed_slot, hatch_m, restraint_slot, cb, y, stats, arrived, p_tgt,
                v_cruise, chasing, way_n, way_k, mode, free,
            )  # fmt: skip
            _doffed(out_b[4], out_i[1], water_rate_kg_s, hole_cdA_m2, regulator_failed,
                    cooling_factor, fan_failed, fired, rule_applies)  # fmt: skip
        if not given:  # (the engine's timeline step keeps its own clocks)
            for r in range(R):
                for c in range(C):
                    act_t[r, c] = out_f[3, r, c]
        at_hatch = False
        for r in range(R):
            for c in range(C):
                at_hatch |= out_b[2, r, c]
        if at_hatch:
            return n, MOTION, False, j
        timeline._vessel_kernel(loc, act, return_to, hatch_of, single_hatch, False, vloc)
        ready, now_kind = out_b[0], out_i[1]
        if not _depress(now_kind, ready, vloc, suited, lost, run_ok, depress_held, depress,
                        repress, held):  # fmt: skip
            return n, MOTION, False, j
        # the motion of held bodies, their tethers' reach, the range
        _advance_all_held(
            0, y.shape[0], n_sub, dt / n_sub, y, p_tgt, v_cruise, arrived, model, n_mean,
            h_chief, anchor, length, k_t, tension, reach, stats, offset,
        )  # fmt: skip
        for r in range(R):
            for c in range(C):
                live_m[r, c] = not lost[r, c] and run_ok[r]
        if tethered and _beyond_reach(reach, cb, out_of_reach):
            return n, MOTION_END, False, j
        _peak_and_range(stats, cb, live_m, peak_range, range_m)
        if (sun >= 0.5) != lit:  # sunrise or sunset (the engine's _day_night, told)
            lit = not lit
            e = told_n[0]
            told_i[e, 0], told_i[e, 1], told_i[e, 2], told_i[e, 3] = TOLD_SUN, -1, -1, step
            told_t[e] = t
            told_n[0] = e + 1
        # the gas and body subsystems (sim.body.step)
        vessels._kernel(
            m_kg, o2_fraction, R_J_kgK, vented_kg, added_kg, volume_m3, vent_cdA_m2, T_K,
            hatch_diameter_m, repress_kg_s, repress_o2_fraction, vloc, depress, repress,
            out_f[1], hatch_open, dt, inside, out_i[4], p_ves, busy,
        )  # fmt: skip
        body._environment(
            loc, vloc, p_ves, o2_fraction, lost, run_ok, out_b[1], ready, now_kind, ret_met_W,
            met_W_flat, out_i[3], done, incapacitated, adrift, met_factor, umbilical,
            umbilical_cut, service, suited, any_service,
            outside, live, met, p_amb, fo2_amb, on_vehicle, busy,
        )  # fmt: skip
        power._outputs(battery_Ah, battery_A, battery_V, suited, on_vehicle, fan_ok, equip_W)
        if any_fan:
            for r in range(R):
                for c in range(C):
                    fan_ok[r, c] = fan_ok[r, c] and not fan_failed[r, c]
        flagged = suitgas._kernel(
            p_suit, low_mode, o2_primary, o2_secondary, o2_vehicle, o2_rate, on_secondary,
            purge_open, below_s, primary_out_s, secondary_out_s, vehicle_out_s,
            gas_volume_m3, p_low_Pa, p_set_Pa, purge_kg_s, secondary_kg_s, leak_m3_s,
            reg_max_kg_s, o2_store_kg, suited, met, p_amb, regulator_failed, hole_cdA_m2, live,
            on_vehicle, any_leak, any_umbilical, t, dt, draw, purge, flag_suit, busy,
        )  # fmt: skip
        flagged |= co2._kernel(
            pp_co2, scrub_used_kg, breakthrough, scrub_out_s, inspired_mmHg, co2_last_exp,
            scrubber,
            scrub_cap_kg, vent_m3_s, gas_volume_m3, rebreathed_max, rebreathed_ve_L_min,
            suited, met, fan_ok, purge, p_suit, live, t, dt, flag_co2, busy,
        )  # fmt: skip
        flagged |= thermal._kernel(
            heat_J, sweat_kg, feedwater_kg, helmet_water_kg, feedwater_out_s, sublimated_kg,
            helmet_drained_kg, external_water_kg, heat_in_J, heat_out_J, cooling_W,
            feedwater_cap_kg, liquid, evap_kg_s, env_shadow, env_swing, vent_water_Pa,
            helmet_first, visor_coupling, scrubber, sink_shadow, sink_swing, saturation,
            purge, p_set_Pa, suited, outside, met, equip_W, fan_ok, sun, cooling_factor,
            water_rate_kg_s, live, on_vehicle, t, dt, cooling, fog, flag_thermal, busy,
        )  # fmt: skip
        flagged |= power._drain(battery_Ah, battery_out_s, battery_A, suited, on_vehicle, live,
                                t, dt, flag_power, busy)  # fmt: skip
        if flagged:  # their events told (or, no room, the engine logs them)
            if told_n[0] + 7 * R * C > told_i.shape[0]:
                return n, VALUES, False, j
            _tell_flags(flag_suit, flag_co2, flag_thermal, flag_power, t, told_i, told_t,
                        told_n)  # fmt: skip
        # the channels the rules watch, what each breathes, the tissues at their rate
        values._kernel(
            vbuf, inspired_mmHg, p_suit, p_amb, o2_primary, o2_secondary, o2_vehicle, o2_rate,
            secondary_kg_s, o2_secondary_s, umbilical, umbilical_cut, suited, outside,
            range_m, speed_m_s, ops_back_s, out_i[2], helmet_water_kg, heat_J, mass_kg, fog,
            n2_Pa, etr_Pa, p_dcs, feedwater_kg, battery_Ah, blocked_s, now_kind, ready,
            fo2_amb, p_breath, fo2_breath, pio2, ppco2,
        )  # fmt: skip
        if (step + 1) % dcs_every == 0:
            tissue._kernel(n2_Pa, etr_Pa, etr_dlam, u, u_ln, u_x, u_s, ln_s, g_mu0, g_n,
                           g_lam, g_gamma, g_beta, p_breath, fo2_breath, met, mass_kg,
                           dcs_every * dt, p_dcs, vbuf, busy, live)  # fmt: skip
        core = vbuf[values._CORE_TEMP_RISE_C]
        water = vbuf[values._HELMET_WATER_L]
        if not physio._calm(pio2, ppco2, core, water, hypoxia, co2_impaired, co2_incapacitated,
                            condition, live):  # fmt: skip
            return n, PHYSIOLOGY, False, j
        for r in range(R):
            for c in range(C):
                rescue_asked[r, c] = False
        K = rule_rows.shape[0]
        fire = K > 0 and rules._fires(
            vbuf, rule_rows, rule_limit, rule_sign, rule_applies, fired, suited, outside,
            has_suit, live, fires,
        )  # fmt: skip
        # the rules' actions (the engine's Python takes them where there is no room to tell
        # them or a rescue to send)
        if fire and not rules._act(
            fires, fired, ever, alarms, rule_rows, vbuf, rule_action, low_mode, purge_open,
            scrubber, act, act_t, started, tl_mode, completed, act_start_s, act_end_s, n_acts,
            done, lost, adrift, loc, suited, hatch_open, ret_dur_s, ret_met_W, ret_speed,
            return_to, sent_back_s, sent_back_rule, out_i[0], ingress_target, out_ahead,
            vent_ahead, first_repress, speed_m_s, range_m, go, pend, t, told_i, told_t, told_v,
            told_n,
        ):  # fmt: skip
            return n, RULES, False, j
        values._tally(
            peak_stack, peak_rows, o2_margin_min, vbuf, live, outside, suited, sun < 0.5, dt,
            time_outside_s, dark_outside_s, suited_s, return_by_s, return_by_crossed, t, busy,
        )  # fmt: skip
        if step % 60 == 0 and not _numbers_ok(p_suit, pp_co2, heat_J, n2_Pa, o2_primary,
                                              run_ok):  # fmt: skip
            return n, AFTER_TALLY, False, j
        if record and step % every == 0:  # sim.record.snapshot, number for number
            r_t[j], r_sunlit[j] = t, sun
            for q in range(vbuf.shape[0]):
                for r in range(R):
                    for c in range(C):
                        r_values[j, q, r, c] = vbuf[q, r, c]
            for r in range(R):
                r_o2_vehicle[j, r] = o2_vehicle[r]
                for v in range(p_ves.shape[1]):
                    r_p_ves[j, r, v] = p_ves[r, v]
                for c in range(C):
                    r_done[j, r, c], r_slot[j, r, c] = done[r, c], out_i[0, r, c]
                    r_act[j, r, c], r_loc[j, r, c] = act[r, c], loc[r, c]
                    r_suited[j, r, c], r_condition[j, r, c] = suited[r, c], condition[r, c]
                    r_pio2[j, r, c] = pio2[r, c]
                    r_ppo2_Pa[j, r, c] = fo2_breath[r, c] * p_breath[r, c]
                    r_pp_co2[j, r, c], r_met[j, r, c] = pp_co2[r, c], met[r, c]
                    r_p_amb[j, r, c], r_hatch_v[j, r, c] = p_amb[r, c], out_i[2, r, c]
                    r_o2_primary[j, r, c], r_draw[j, r, c] = o2_primary[r, c], draw[r, c]
                    r_scrub_used[j, r, c], r_cooling[j, r, c] = scrub_used_kg[r, c], cooling[r, c]
                    r_sweat[j, r, c], r_n2[j, r, c] = sweat_kg[r, c], n2_Pa[r, c]
                    r_envelope[j, r, c], r_range_m[j, r, c] = out_f[2, r, c], range_m[r, c]
                    r_alarms[j, r, c] = alarms[r, c]
                    r_return_margin[j, r, c], r_mode[j, r, c] = return_margin[r, c], mode[r, c]
                    i = cb[r, c]  # the crew member's body (no stack: nobody docked)
                    for q in range(y.shape[1]):
                        r_y[j, r, c, q] = y[i, q]
                    for q in range(3):
                        r_r_H[j, r, c, q], r_v_H[j, r, c, q] = y[i, q], y[i, 3 + q]
                    for q in range(tension.shape[1]):
                        r_tension[j, r, c, q] = tension[i, q]
                    r_tumble[j, r, c], r_prop[j, r, c] = stats[i, 1], prop[i]
                    r_free[j, r, c] = free[i]
            j += 1
        n += 1
        if all_over(done, lost, incapacitated, adrift, loc, pio2, ppco2, core, water, busy):
            return n, BEFORE, True, j


jit.register(_depress, NOTICE)
jit.register(_numbers_ok, NOTICE)
jit.register(_run, NOTICE)
_compiled = False  # _run is compiled or in the on-disk cache (once True, stays so)


def ready() -> bool:
    """Whether the stretch is compiled (in this process or in Numba's on-disk cache). The
    engine does not compile it on a run's way: its compile takes 12-15 s, so the warm-up
    helper (:mod:`spacewalk.sim.warm`) compiles it in the background after a first run, and
    until then the engine steps in Python."""
    global _compiled
    if not _compiled:
        _compiled = all(jit.compiled(k) for k in (_run, _depress, _numbers_ok))
    return _compiled


def arguments(eng, last: int, timeline_given: bool = False) -> tuple:
    """:func:`_run`'s arguments for the engine ``eng`` from its current step to ``last``
    (``timeline_given``: the engine took that step's timeline, :meth:`Buffers.put`): the
    arrays the engine's Python passes to each kernel, the same objects."""
    plan, p, v, tl, m = eng.plan, eng.plan.crew, eng.plan.vessel, eng.tl, eng.motion
    s, cs, th, pw, fs, b = eng.suit, eng.cs, eng.th, eng.pw, eng.fs, eng.body
    f, ves, ts = eng.flags, eng.ves, eng.ts
    ph, rs, rt, tally, mb = eng.ph, eng.rs, eng.rt, eng.tally, m.b
    shape = tl.act.shape
    env_shadow, env_swing, sink_shadow, sink_swing, saturation = eng.env
    buf = eng.stretch_buf
    return (
        eng.step_index, last, timeline_given, float(eng.dt), eng.n_sub, eng.every, eng.dcs_every,
        eng.recorder is not None, eng.sunlit_all, bool(eng.lit_prev), float(fs.next_s),
        tl.act, tl.act_t, tl.started, tl.done, tl.lost, tl.incapacitated, tl.adrift,
        tl.completed, tl.loc, tl.hatch_open, tl.ret_dur_s, tl.return_to,
        plan.kind, plan.hatch_of, plan.single_hatch, plan.after_c, plan.after_a, plan.dur_s,
        plan.to_Pa, plan.until_s, plan.any_until, plan.loc_after, v.inside, timeline.INNER_LUT,
        p.envelope0_m, p.compliance_m_per_Pa, v.hatch_diameter_m, v.hatch_open_max_Pa,
        s.p_suit_Pa, m.any_unit, as_bool(m.flying_rc, shape), timeline.EVENT_LUT,
        buf.out_i, buf.out_f, buf.out_b, tl.act_start_s, tl.act_end_s, plan.next_a,
        plan.n_acts, timeline.PLAIN_END_LUT, plan.ingress_target, buf.told_i, buf.told_t,
        buf.told_n, buf.vloc, buf.depress, buf.repress, buf.held, eng.depress_held, tl.suited,
        eng.run_ok, eng.busy,
        tl.ret_speed_m_s, plan.motion.pos_slot, plan.motion.speed_slot, plan.motion.hatch_m,
        plan.motion.restraint_slot, m.chasing, m.way_n, m.way_k,
        mb.y, mb.p_tgt, mb.v_cruise, mb.arrived, mb.model, mb.n_mean, mb.h_chief, mb.anchor,
        mb.length, mb.k, mb.tension, mb.reach, mb.stats, mb.offset, m.cb, m.out_of_reach,
        m.tethered, m.peak_range, buf.range_m, buf.live,
        ves.m_kg, ves.o2_fraction, ves.R_J_kgK, ves.vented_kg, ves.added_kg, v.volume_m3,
        v.vent_cdA_m2, v.T_K, v.repress_kg_s, v.repress_o2_fraction, eng.p_ves,
        tl.ret_met_W, eng.met_W_flat, p.met_factor, p.umbilical, eng.umbilical_cut, v.service,
        eng.any_service, b.outside, b.live, b.met, b.p_amb, b.fo2_amb, b.on_vehicle,
        pw.battery_Ah, p.battery_A, p.battery_V, pw.out_s, b.fan_ok, b.equip_W, fs.any_fan,
        fs.fan_failed,
        s.low_mode, s.o2_primary_kg, s.o2_secondary_kg, s.o2_vehicle_kg, s.o2_rate_kg_s,
        s.on_secondary, s.purge_open, s.below_s, s.primary_out_s, s.secondary_out_s,
        s.vehicle_out_s, p.gas_volume_m3, p.p_low_Pa, p.p_set_Pa, p.purge_kg_s,
        p.secondary_kg_s, p.leak_m3_s, p.reg_max_kg_s, plan.o2_store_kg, fs.regulator_failed,
        fs.hole_cdA_m2, bool(fs.any_leak), bool(plan.any_umbilical), b.draw, b.purge,
        cs.pp_co2_Pa, cs.scrub_used_kg, cs.breakthrough, cs.exhausted_s, cs.inspired_mmHg,
        cs.last_exp, p.scrubber, p.scrub_cap_kg, p.vent_m3_s, p.rebreathed_max,
        p.rebreathed_ve_L_min,
        th.heat_J, th.sweat_kg, th.feedwater_kg, th.helmet_water_kg, th.feedwater_out_s,
        th.sublimated_kg, th.helmet_drained_kg, th.external_water_kg, th.heat_in_J,
        th.heat_out_J, p.cooling_W, p.feedwater_kg, p.liquid, p.evap_kg_s, env_shadow,
        env_swing, p.vent_water_Pa, p.helmet_first, p.visor_coupling, sink_shadow, sink_swing,
        saturation, fs.cooling_factor, fs.water_rate_kg_s, b.cooling, b.fog,
        f.suit, f.co2, f.thermal, f.power,
        eng.vbuf, p.o2_secondary_s, p.speed_m_s, plan.ops_back_s, p.mass_kg, ts.n2_Pa,
        ts.etr_Pa, ts.etr_dlam, ts.u, ts.u_ln, ts.u_x, ts.u_s, ts.ln_s, ts.g_mu0, ts.g_n,
        ts.g_lam, ts.g_gamma, ts.g_beta, eng.p_dcs, tl.blocked_s,
        b.p_breath, b.fo2_breath, eng.pio2, eng.ppco2,
        ph.hypoxia, ph.co2_impaired, ph.co2_incapacitated, ph.condition,
        rt.rows, rt.limit.ravel(), rt.sign.ravel(), rt.applies, rs.fired,
        as_bool(p.has_suit, shape), buf.fires, rs.rescue,
        rt.action, rs.ever, tl.mode, tl.sent_back_s, tl.sent_back_rule, rt.out_ahead,
        rt.vent_ahead, rt.first_repress, buf.go, buf.pend, buf.told_v,
        tally.peak_stack, values._PEAK_ROWS, tally.o2_margin_min, tally.time_outside_s,
        tally.dark_outside_s, tally.suited_s, tally.return_by_s, tally.return_by_crossed,
        rs.alarms, mb.prop, m.return_margin, m.mode, mb.free, eng.record_j,
        *eng.record_block.values(),
    )  # fmt: skip
