"""Physics: pure functions and kernels over arrays (runs first), in SI units.

Nothing here knows about scenarios, the engine or results: each module takes arrays and
returns arrays. ``gas`` (vessels and orifices), ``lifesupport`` (suit CO2, heat, envelope),
``dcs`` (tissue nitrogen and the survival model of DCS), ``metabolism`` (O2 use and CO2 made),
``orbit`` (SGP4, the Sun, the Earth's shadow), ``motion`` (relative motion, attitude,
tethers, thrusters: the compiled kernel) and ``maneuvering`` (the units' geometry and mass
properties).
"""
