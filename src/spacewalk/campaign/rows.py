"""One row per run, computed over the whole batch at once from the engine's output.

The columns follow the per-run summary (:mod:`spacewalk.summary`) reduced over the EVA crew:
the worst outcome, the consumable with least time left (or the first to run out) and its
crew member, each consumable's smallest margin, peaks, alarms, when and why the EVA was ended
early, which flight rules fired, and the dispersed values.

A batch's rows are columns of NumPy arrays (:func:`row_columns`), made without pandas: a
campaign's worker processes never import it (a fifth of a second of each one's start); the
process that writes the store makes the DataFrame (:func:`frame`).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from ..results.summary import ANY_ROLE_OUTCOMES, OUTCOME_RANK, consumable_tables
from ..sim.engine import OUTCOMES, EngineOutput
from ..sim.subsystems.physiology import CAUSES, CONDITIONS

if TYPE_CHECKING:
    import pandas as pd

Columns = dict[str, np.ndarray]  # a batch's rows: each column's values, run by run

# rule channels that watch a consumable: a terminate or abort on them ends the EVA for one
CONSUMABLE_CHANNELS = ("o2_time_min", "o2_margin_min", "feedwater_kg", "battery_Ah", "ppco2_mmHg")
PEAKS = {
    "peak_ppco2_mmHg": "ppco2_mmHg",
    "peak_tissue_ratio": "tissue_ratio",
    "peak_helmet_water_L": "helmet_water_L",
    "peak_heat_storage_kJ": "heat_storage_kJ",
    "peak_p_dcs": "p_dcs",
}


def frame(rows: Columns | pd.DataFrame) -> pd.DataFrame:
    """A batch's rows as a DataFrame (its columns in their order)."""
    import pandas as pd

    return rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)


def rows_from_output(
    out: EngineOutput, runs: np.ndarray, seed: int, values: np.ndarray, value_names: list[str]
) -> pd.DataFrame:
    """The rows of one batch as a DataFrame (:func:`row_columns`)."""
    return frame(row_columns(out, runs, seed, values, value_names))


def row_columns(
    out: EngineOutput,
    runs: np.ndarray,
    seed: int,
    values: np.ndarray,
    value_names: list[str],
) -> Columns:
    """The rows of one batch (``runs`` are the campaign's run numbers of the batch's runs),
    column by column."""
    plan = out.plan
    sc = plan.scenario
    R, C = plan.runs, len(plan.crew_ids)
    crew_ids = np.asarray(plan.crew_ids, dtype=object)
    watched = np.array([m.role == "eva" and m.suit is not None for m in sc.crew])
    ranks = np.array([OUTCOME_RANK[o] for o in OUTCOMES])[out.outcome]  # (R, C)
    any_role = np.isin(out.outcome, [OUTCOMES.index(o) for o in ANY_ROLE_OUTCOMES])
    ranks = np.where(watched[None, :] | any_role, ranks, 0)
    names_by_rank = {v: k for k, v in OUTCOME_RANK.items()}
    outcome = np.array([names_by_rank[x] for x in ranks.max(axis=1)], dtype=object)
    status = np.asarray(out.status, dtype=object)
    outcome = np.where(status == "ok", outcome, "error")

    order, _, _, margin, time_left, exhausted = consumable_tables(out)
    N = len(order)
    has_cap = [bool(np.isfinite(margin[k][:, watched]).any()) for k in range(N)]
    mask = watched[None, None, :]
    margin = np.where(mask, margin, np.nan)
    time_left = np.where(mask, time_left, np.nan)
    exhausted = np.where(mask, exhausted, np.nan)
    # limiting: the first to run out, else the least time left (secondary O2 is the reserve)
    ex_flat = exhausted.transpose(1, 0, 2).reshape(R, N * C)
    tl = time_left.copy()
    tl[order.index("o2_secondary")] = np.nan
    tl_flat = tl.transpose(1, 0, 2).reshape(R, N * C)
    any_ex = np.isfinite(ex_flat).any(axis=1)
    pick = np.where(
        any_ex,
        np.argmin(np.where(np.isfinite(ex_flat), ex_flat, np.inf), axis=1),
        np.argmin(np.where(np.isnan(tl_flat), np.inf, tl_flat), axis=1),
    )
    has_any = np.isfinite(ex_flat).any(axis=1) | ~np.isnan(tl_flat).all(axis=1)
    lim_name = np.where(has_any, np.asarray(order, dtype=object)[pick // C], "")
    lim_crew = np.where(has_any, crew_ids[pick % C], "")
    idx = np.arange(R)
    lim_time = np.where(has_any, tl_flat[idx, pick], np.nan)
    margin_flat = margin.transpose(1, 0, 2).reshape(R, N * C)
    lim_margin = np.where(has_any, margin_flat[idx, pick], np.nan)
    first_ex = np.where(any_ex, lim_name, "")

    cols: dict[str, object] = {
        "run": np.asarray(runs, dtype=np.int64),
        "seed": np.full(R, seed, dtype=np.int64),
        "status": status,
        "outcome": outcome,
        "limiting_consumable": lim_name,
        "limiting_crew": lim_crew,
        "limiting_time_left_min": lim_time,
        "limiting_margin_pct": lim_margin,
        "consumable_exhausted": any_ex,
        "first_exhausted": first_ex,
    }
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN reductions: crew without it
        for k, name in enumerate(order):
            if has_cap[k]:
                cols[f"margin_{name}_pct"] = np.nanmin(margin[k], axis=1)
        o2m = out.peaks["o2_margin_min"]
        o2m = np.where(watched[None, :] & np.isfinite(o2m), o2m, np.nan)
        cols["o2_margin_min"] = np.nanmin(o2m, axis=1)
        for col, key in PEAKS.items():
            cols[col] = np.where(watched[None, :], out.peaks[key], np.nan).max(axis=1)
        cols["time_outside_min"] = out.time_outside_s.max(axis=1) / 60.0
    cols["alarms"] = out.alarms.sum(axis=1).astype(np.int64)
    # the worst condition over the crew (well, impaired, incapacitated), and its cause
    cond = np.where(watched[None, :], out.condition, 0)
    worst_c = np.argmax(cond, axis=1)
    cols["condition"] = np.asarray(CONDITIONS, dtype=object)[cond.max(axis=1)]
    cols["crew_impaired"] = cond.max(axis=1) >= 1
    cols["crew_incapacitated"] = cond.max(axis=1) >= 2
    cause = out.condition_cause[idx, worst_c]
    cols["condition_cause"] = np.where(
        cond.max(axis=1) > 0, np.asarray([*CAUSES, ""], dtype=object)[cause], ""
    )
    sb = np.where(np.isnan(out.sent_back_s), np.inf, out.sent_back_s)
    first_c = np.argmin(sb, axis=1)
    ended = np.isfinite(sb[idx, first_c])
    cols["ended_early_min"] = np.where(ended, sb[idx, first_c] / 60.0, np.nan)
    rules = sc.flight_rules or []
    rule_ids = np.asarray([r.id for r in rules] + [""], dtype=object)
    k_first = out.sent_back_rule[idx, first_c]
    cols["ended_by"] = np.where(ended, rule_ids[k_first], "")
    by_consumable = np.array([r.channel in CONSUMABLE_CHANNELS for r in rules] + [False])
    cols["consumable_limited"] = any_ex | (ended & by_consumable[k_first])
    for k, r in enumerate(rules):
        cols[f"rule:{r.id}"] = out.rules_fired[k].any(axis=1)
    for j, name in enumerate(value_names):
        cols[name] = values[:, j]
    bad = status != "ok"  # a stopped run keeps its dispersed values, not its results
    if bad.any():
        keep = {"run", "seed", "status", "outcome", *value_names}
        for c in [c for c in cols if c not in keep]:
            col = np.array(cols[c])  # (a copy)
            if col.dtype == object:  # text: blank
                col[bad] = ""
            elif col.dtype == bool:
                col[bad] = False
            else:  # a number (a count too): none
                col = col.astype(float)
                col[bad] = np.nan
            cols[c] = col
    return cols


def error_rows(runs, seed, values, value_names, reason: str) -> pd.DataFrame:
    """Rows for runs the engine could not run at all (an exception), with the reason."""
    cols: Columns = {
        "run": np.asarray(runs, dtype=np.int64),
        "seed": np.full(len(runs), seed, dtype=np.int64),
        "status": np.full(len(runs), reason, dtype=object),
        "outcome": np.full(len(runs), "error", dtype=object),
    }
    for j, name in enumerate(value_names):
        cols[name] = values[:, j]
    return frame(cols)
