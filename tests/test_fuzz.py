"""A fuzzer of our own: mutated library scenarios must give a clean error or a clean run.

Each case takes a library scenario and applies one to three mutations of the kinds an
independent fuzzer found crashes with: wrong types, NaN, infinities and extreme numbers,
deep nesting, broken dates, huge strings and arrays, deleted and extra keys. A case passes
when validation either refuses it with a :class:`ScenarioError` (every issue naming a path
and a problem) or accepts it; an accepted case is then run (cut to its first half hour) and,
for some, written as a run folder with its report, within a time budget. Any other
exception, anywhere, fails. The cases are drawn from fixed seeds, so a failure repeats.
"""

from __future__ import annotations

import copy
import math
import time
import tomllib

import numpy as np
import pytest
import tomli_w

from spacewalk import ScenarioError, parse_toml, simulate
from spacewalk.scenario import library_dir, library_names

CASES = 2000  # per CI run (issue: at least 2,000)
RUN_AT_MOST = 32  # accepted cases that are also simulated
REPORT_AT_MOST = 4  # of those, written as a run folder with its report
RUN_BUDGET_S = 30.0  # one shortened run, report included
LIBRARY = {
    n: tomllib.loads((library_dir() / f"{n}.toml").read_text("utf-8")) for n in library_names()
}
NUMBERS = [math.nan, math.inf, -math.inf, 1e308, -1e308, 0, -1, 1e-300, 10**30, -(10**30), 0.5]
SCALES = [0.0, 0.1, 0.5, 0.9, 1.1, 2.0, 10.0]
DATES = [
    "garbage",
    "2024-09-12",
    "2024-02-30T10:00:00Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2024-09-12T10:00:00",
    "2024-09-12T10:00:00+05:00",
    "",
]


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _slots(node, prefix=()):
    """Every (container, key) in a parsed TOML tree, with its key path."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for k, v in items:
        yield (*prefix, k), node, k
        if isinstance(v, (dict, list)):
            yield from _slots(v, (*prefix, k))


def _nested(rng, depth: int):
    value = 1
    for _ in range(depth):
        value = [value] if rng.random() < 0.5 else {"a": value}
    return value


def _junk(rng, old):
    kind = rng.integers(6)
    if kind == 0:
        return NUMBERS[rng.integers(len(NUMBERS))]
    if kind == 1:
        return ["x", 3, True, [], {}, [1, "a"], {"k": "v"}][rng.integers(7)]
    if kind == 2:
        return DATES[rng.integers(len(DATES))]
    if kind == 3:
        return "x" * int(rng.choice([0, 1000, 200_000]))
    if kind == 4:
        n = int(rng.choice([0, 50, 20_000]))
        return [old] * n if not isinstance(old, (dict, list)) else [1.0] * n
    return _nested(rng, int(rng.integers(2, 60)))


def mutate(rng, data: dict) -> dict:
    data = copy.deepcopy(data)
    for _ in range(int(rng.integers(1, 4))):
        slots = list(_slots(data))
        path, parent, key = slots[rng.integers(len(slots))]
        how = rng.integers(10)
        if how == 0 and isinstance(parent, dict):
            del parent[key]
        elif how == 1 and isinstance(parent, dict):
            parent[f"extra{rng.integers(100)}"] = _junk(rng, None)
        elif how in (2, 3) and _is_number(parent[key]):
            parent[key] = NUMBERS[rng.integers(len(NUMBERS))]  # numbers: the usual target
        elif how in (5, 6) and _is_number(parent[key]):
            # a plausible but unusual value: many of these pass validation and must run
            parent[key] = type(parent[key])(parent[key] * float(rng.choice(SCALES)))
        elif how == 4 and isinstance(key, str) and ("utc" in key or key == "date"):
            parent[key] = DATES[rng.integers(len(DATES))]
        else:
            parent[key] = _junk(rng, parent[key])
    return data


def _dump(data) -> str | None:
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError, RecursionError):
        return None  # not expressible in TOML (e.g. mixed arrays of tables): not a file


def _check_error(exc: ScenarioError, source: str) -> None:
    assert str(exc).startswith(source + ":")
    assert exc.issues
    for issue in exc.issues:
        assert isinstance(issue.path, str) and issue.problem


@pytest.mark.parametrize("part", range(4))
def test_mutated_library_scenarios_give_a_clean_error_or_a_clean_run(part, tmp_path):
    names = sorted(LIBRARY)
    ran = reported = refused = 0
    per_part = CASES // 4
    for case in range(part * per_part, (part + 1) * per_part):
        rng = np.random.default_rng(case)
        name = names[case % len(names)]
        text = _dump(mutate(rng, LIBRARY[name]))
        if text is None:
            continue
        source = f"fuzz-{case}.toml"
        try:
            sc = parse_toml(text, source)
        except ScenarioError as exc:
            _check_error(exc, source)
            refused += 1
            continue
        if ran >= RUN_AT_MOST // 4:
            continue
        short = sc.model_copy(
            update={
                "engine": sc.engine.model_copy(
                    update={"max_duration_h": min(sc.engine.max_duration_h, 0.5)}
                )
            }
        )
        t0 = time.perf_counter()
        result = simulate(short)
        if reported < REPORT_AT_MOST // 4:
            result.write(tmp_path / f"case-{case}")
            reported += 1
        ran += 1
        assert time.perf_counter() - t0 < RUN_BUDGET_S, (case, name)
    assert refused > per_part // 4  # the mutations do bite
    assert ran > 0
