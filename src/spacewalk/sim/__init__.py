"""The simulation: a scenario compiled into parameter arrays, then stepped by the engine.

``plan`` compiles a validated scenario into typed arrays shaped (runs, crew, ...);
``engine`` steps them; ``crewmotion`` puts every crew member's body into the motion kernel.
"""
