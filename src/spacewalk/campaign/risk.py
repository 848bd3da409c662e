"""Risk from a campaign's rows: probabilities with confidence intervals, margins, drivers.

- Probabilities carry the **Wilson score interval** (Wilson 1927), the interval Brown, Cai
  and DasGupta (2001, Statistical Science 16:101) recommend for a binomial proportion: unlike
  the Wald interval it keeps its coverage near 0 and 1 (rare failures) and never leaves [0, 1].
  With no failures in n runs its upper end is about 3.84/n at 95 %.
- Drivers are ranked by **Spearman's rank correlation** between each dispersed parameter and
  the event (or any result column), with a 95 % interval from Fisher's z with the Spearman
  standard error 1.06/sqrt(n - 3) (Fieller, Hartley and Pearson 1957), and by the event's
  probability in the lowest and highest fifth of the parameter's values.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd


def wilson_interval(k, n, confidence: float = 0.95):
    """Wilson score interval for k successes in n trials (arrays or numbers)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = np.where(k <= 0, 0.0, np.clip(centre - half, 0, 1))  # exact ends at 0 and n
    hi = np.where(k >= n, 1.0, np.clip(centre + half, 0, 1))
    return lo, hi


def _table(names, counts, n, confidence) -> pd.DataFrame:
    counts = np.asarray(counts, dtype=float)
    lo, hi = wilson_interval(counts, n, confidence)
    return pd.DataFrame(
        {
            "event": names,
            "runs": counts.astype(np.int64),
            "probability": counts / n,
            "ci_low": lo,
            "ci_high": hi,
        }
    )


def outcome_table(runs: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Probability of each outcome (worst over the EVA crew), with its Wilson interval."""
    n = len(runs)
    from ..results.summary import OUTCOME_RANK  # the engine's outcomes: loaded when needed

    names = [*OUTCOME_RANK, "error"]
    counts = [int((runs["outcome"] == o).sum()) for o in names]
    return _table(names, counts, n, confidence).rename(columns={"event": "outcome"})


def event_columns(runs: pd.DataFrame) -> list[str]:
    """The yes/no results of a run: ended early, consumable limits, each flight rule."""
    cols = ["consumable_limited", "consumable_exhausted", "crew_impaired", "crew_incapacitated"]
    cols += [c for c in runs.columns if c.startswith("rule:")]
    return [c for c in cols if c in runs.columns]


def event_table(runs: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Probability of each event, with its Wilson interval."""
    n = len(runs)
    early = runs["outcome"].isin(
        ["terminated", "aborted", "incapacitated", "adrift", "loss-of-crew"]
    )
    names = ["ended early", *event_columns(runs)]
    counts = [int(early.sum()), *(int(runs[c].fillna(False).astype(bool).sum()) for c in names[1:])]
    return _table(names, counts, n, confidence)


MARGIN_COLUMNS = ("limiting_time_left_min", "o2_margin_min")


def margin_columns(runs: pd.DataFrame) -> list[str]:
    cols = [c for c in runs.columns if c.startswith("margin_") and c.endswith("_pct")]
    return [*(c for c in MARGIN_COLUMNS if c in runs.columns), *cols]


def margins(runs: pd.DataFrame) -> pd.DataFrame:
    """Distribution of each margin: minimum, percentiles 1, 5, 50, 95 and mean."""
    out = []
    for c in margin_columns(runs):
        x = runs[c].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        if not x.size:
            continue
        q = np.percentile(x, [1, 5, 50, 95])
        out.append(
            {
                "margin": c,
                "runs": x.size,
                "min": x.min(),
                "p1": q[0],
                "p5": q[1],
                "median": q[2],
                "p95": q[3],
                "mean": x.mean(),
            }
        )
    return pd.DataFrame(out)


def dispersed_columns(runs: pd.DataFrame) -> list[str]:
    return list(runs.attrs.get("dispersed", []))


def drivers(
    runs: pd.DataFrame, result: str = "consumable_limited", dispersed: list[str] | None = None
) -> pd.DataFrame:
    """What drives a result: each dispersed parameter's Spearman rank correlation with it
    (95 % interval), and the result's mean in the lowest and highest fifth of the parameter.

    ``result`` is a column of the runs: an event (yes/no, e.g. ``consumable_limited`` or
    ``rule:o2-margin``) or a number (e.g. ``limiting_time_left_min``). Sorted by strength.
    """
    if result not in runs.columns:
        raise KeyError(f"no column {result!r} in the runs; use one of: {', '.join(runs.columns)}")
    params = dispersed if dispersed is not None else dispersed_columns(runs)
    ok = runs["status"] == "ok"
    y = runs.loc[ok, result]
    y = y.astype(float) if y.dtype == bool else pd.to_numeric(y, errors="coerce")
    z = NormalDist().inv_cdf(0.975)
    rows = []
    for name in params:
        x = runs.loc[ok, name].astype(float)
        good = x.notna() & y.notna()
        xg, yg = x[good], y[good]
        n = int(good.sum())
        if n < 10 or xg.nunique() < 2 or yg.nunique() < 2:
            rho = lo = hi = math.nan
        else:
            rho = float(np.corrcoef(xg.rank(), yg.rank())[0, 1])
            zr = math.atanh(max(min(rho, 0.999999), -0.999999))
            se = 1.06 / math.sqrt(n - 3)
            lo, hi = math.tanh(zr - z * se), math.tanh(zr + z * se)
        if n >= 5 and xg.nunique() >= 2:
            q20, q80 = np.percentile(xg, [20, 80])
            low_mean = float(yg[xg <= q20].mean())
            high_mean = float(yg[xg >= q80].mean())
        else:
            low_mean = high_mean = math.nan
        rows.append(
            {
                "parameter": name,
                "spearman": rho,
                "ci_low": lo,
                "ci_high": hi,
                "significant": bool(np.isfinite(lo) and (lo > 0 or hi < 0)),
                "result_in_lowest_fifth": low_mean,
                "result_in_highest_fifth": high_mean,
                "runs": n,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    order = frame["spearman"].abs().fillna(-1).sort_values(ascending=False).index
    return frame.loc[order].reset_index(drop=True)
