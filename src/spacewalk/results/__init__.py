"""Results: what a run produced and how it is read.

``simulation`` (``simulate`` and :class:`SimulationResult`), ``summary`` (outcome, phases,
consumables, margins), ``runio`` (the run folder), ``report`` (the HTML page), ``history``
(documented figures against simulated ones) and ``validate`` (the historic library run and
checked).
"""
