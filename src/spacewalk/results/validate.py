"""The historic library simulated and checked: every documented figure of every scenario
(``spacewalk history validate``; the comparison itself is :mod:`spacewalk.results.history`)."""

from __future__ import annotations

from ..scenario import library_names, load_scenario
from .history import Row, check_result
from .simulation import simulate


def documented_names() -> list[str]:
    """Library scenarios that carry documented figures."""
    return [n for n in library_names() if load_scenario(n).documented]


def validate(names: list[str] | None = None, progress=None) -> list[Row]:
    """Simulate each scenario (default: the whole library) and check its documented figures;
    ``progress(done, total, name)`` is called before each."""
    rows: list[Row] = []
    todo = names or documented_names()
    for k, name in enumerate(todo):
        if progress is not None:
            progress(k, len(todo), name)
        rows += check_result(simulate(load_scenario(name)))
    return rows
