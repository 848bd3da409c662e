"""A run's telemetry and events as the engine gives them: NumPy columns and event records.

The report, the history checks and the run folder read these directly; the pandas frames of
:class:`spacewalk.results.simulation.SimulationResult` (``telemetry``, ``events``) are built
from them on first use. ``spacewalk run`` thus never imports pandas, which costs about 0.3 s
of a command that takes about a second (docs/benchmarks.md).

The same readers take the frames of a run folder read back (:func:`telemetry_columns`,
:func:`event_records`), so a report or a check is the same from either.
"""

from __future__ import annotations

import json
import math

import numpy as np

from ..scenario.channels import CHANNELS
from ..sim.events import COLUMNS as EVENT_COLUMNS

# text channels, held as object arrays of names: the channel table's (no digits to show)
TEXT_CHANNELS = tuple(c.name for c in CHANNELS if c.digits is None)
BOOL_CHANNELS = ("suited", "tether_taut")


def dtype_of(name: str):
    """The NumPy type a column is held in (the frame's and the Parquet file's)."""
    if name in TEXT_CHANNELS:
        return object
    if name in BOOL_CHANNELS:
        return np.bool_
    return {"run": np.int32, "alarms": np.int32, "crew": np.int8}.get(name, np.float64)


class Telemetry:
    """One row per recorded time, run and crew member: ``run`` (int32), ``t_s``, ``crew``
    (codes into ``crew_ids``) and one array per channel (text channels as object arrays of
    str, ``suited`` and ``tether_taut`` bool, ``alarms`` int32, the others float64 with NaN
    for not finite)."""

    def __init__(self, data: dict[str, np.ndarray], crew_ids):
        self.data = data
        self.crew_ids = tuple(crew_ids)

    def __len__(self) -> int:
        return len(self.data["t_s"])

    @property
    def names(self) -> list[str]:
        return list(self.data)

    def column(self, name: str) -> np.ndarray:
        """A column's values (the crew column as the crew members' ids)."""
        if name == "crew":
            return np.asarray(self.crew_ids, dtype=object)[self.data["crew"]]
        return self.data[name]

    def frame(self):
        """The pandas DataFrame (crew categorical, units in ``attrs``)."""
        import pandas as pd

        from .frames import with_units

        cols = dict(self.data)
        cols["crew"] = pd.Categorical.from_codes(self.data["crew"], categories=self.crew_ids)
        return with_units(pd.DataFrame(cols))

    def arrow(self):
        """The Arrow table of the run folder's Parquet file: the frame's columns and types
        (crew dictionary-encoded, text as large strings, NaN as null), built from the arrays'
        buffers (``pyarrow.array`` would import pandas)."""
        import pyarrow as pa

        arrays = []
        for name, values in self.data.items():
            if name == "crew":
                index = np.int8 if len(self.crew_ids) < 128 else np.int32
                arrays.append(
                    pa.DictionaryArray.from_arrays(
                        _arrow(values.astype(index)), _arrow_text(self.crew_ids, pa.large_string())
                    )
                )
            elif values.dtype == object:
                arrays.append(_arrow_text(values, pa.large_string()))
            else:
                arrays.append(_arrow(values))
        return pa.Table.from_arrays(arrays, names=list(self.data))


_ARROW_TYPES = {"f8": "float64", "i4": "int32", "i8": "int64", "i1": "int8", "b1": "bool_"}


def _arrow(values: np.ndarray):
    """A NumPy array of numbers or bools as an Arrow array (NaN as null)."""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    kind = _ARROW_TYPES[values.dtype.str[1:]]
    validity, nulls = None, 0
    if values.dtype.kind == "f":
        missing = np.isnan(values)
        nulls = int(missing.sum())
        if nulls:
            validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    data = np.packbits(values, bitorder="little") if values.dtype.kind == "b" else values
    typ = getattr(pa, kind)()
    return pa.Array.from_buffers(typ, len(values), [validity, pa.py_buffer(data)], nulls)


def _arrow_text(values, typ):
    """Strings as an Arrow (large) string array."""
    import pyarrow as pa

    encoded = [str(v).encode() for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64 if typ == pa.large_string() else np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(typ, len(encoded), [None, pa.py_buffer(offsets), data])


def held(result, name: str):
    """A result's ``telemetry`` or ``events`` as it holds them: columns or records from a
    simulation (``telemetry_source``), the frames of a run folder read back."""
    source = getattr(result, f"{name}_source", None)
    return getattr(result, name) if source is None else source


def telemetry_columns(telemetry, names=None) -> dict[str, np.ndarray]:
    """The columns ``names`` (all by default) as NumPy arrays, the crew as their ids, from
    :class:`Telemetry` or a pandas frame; a name that is not a column is left out."""
    if isinstance(telemetry, Telemetry):
        have = telemetry.names
        return {n: telemetry.column(n) for n in (have if names is None else names) if n in have}
    have = [str(n) for n in telemetry.columns]
    return {n: telemetry[n].to_numpy() for n in (have if names is None else names) if n in have}


def _native(value):
    """A NumPy scalar as the Python value JSON and the frames hold; NaN as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def event_records(events) -> list[dict]:
    """The event log as a list of dicts in the log's column order, from the engine's records
    or a pandas frame."""
    if isinstance(events, list):
        return [{k: ev.get(k) for k in EVENT_COLUMNS} for ev in events]
    return [{k: _native(v) for k, v in row.items()} for row in events.to_dict(orient="records")]


def events_frame(records: list[dict]):
    import pandas as pd

    return pd.DataFrame(records, columns=list(EVENT_COLUMNS))


def events_jsonl(records: list[dict]) -> str:
    """The log as JSON lines (numbers, strings, null; the values as an object)."""

    def plain(o):
        if isinstance(o, np.generic):
            return _native(o)
        if isinstance(o, np.ndarray):
            return o.tolist()
        raise TypeError(f"{type(o).__name__} is not JSON")

    return "".join(json.dumps(row, default=plain) + "\n" for row in records)


__all__ = [
    "Telemetry",
    "event_records",
    "events_frame",
    "events_jsonl",
    "held",
    "telemetry_columns",
]
