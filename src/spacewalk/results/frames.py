"""Telemetry in the shapes analysts use: a pandas frame that carries its units in ``attrs``,
and an ``xarray.Dataset`` with dimensions (run, time, crew), each channel's unit and
description as attributes (xarray is an optional extra: ``pip install spacewalk[xarray]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..scenario.channels import CHANNEL_BY_NAME

if TYPE_CHECKING:
    import pandas as pd

INDEX = {"run": "", "t_s": "s", "crew": ""}


def with_units(telemetry: pd.DataFrame) -> pd.DataFrame:
    """The frame with ``attrs["units"]`` (column -> unit) and ``attrs["descriptions"]``."""
    units, text = {}, {}
    for col in telemetry.columns:
        ch = CHANNEL_BY_NAME.get(col)
        units[col] = ch.unit if ch else INDEX.get(col, "")
        text[col] = (
            ch.description
            if ch
            else {"t_s": "time since the start", "run": "run", "crew": "crew member"}.get(col, "")
        )
    telemetry.attrs["units"] = units
    telemetry.attrs["descriptions"] = text
    return telemetry


def to_xarray(telemetry: pd.DataFrame):
    """The telemetry as an ``xarray.Dataset`` over (run, time, crew); ``time`` in seconds."""
    try:
        import xarray  # noqa: F401  (pandas' to_xarray needs it)
    except ImportError:
        raise ImportError(
            "to_xarray needs xarray: pip install 'spacewalk[xarray]' (or pip install xarray)"
        ) from None
    frame = telemetry.assign(crew=telemetry["crew"].astype(str)).rename(columns={"t_s": "time"})
    ds = frame.set_index(["run", "time", "crew"]).to_xarray()
    ds["time"].attrs.update(units="s", description="time since the start")
    for name in ds.data_vars:
        ch = CHANNEL_BY_NAME.get(name)
        if ch is not None:
            ds[name].attrs.update(units=ch.unit, description=ch.description)
    return ds
