"""Questions to the catalogue, as DataFrames: lists, records and totals, a person's EVAs, and
a timeline plot. Durations are minutes; cancelled EVAs (no time outside) count in no total."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..units import format_hm
from .names import Match, match
from .store import Catalogue

LIST_COLUMNS = ["date", "id", "country", "vehicle", "crew", "duration", "scenario", "source"]


def list_evas(
    cat: Catalogue,
    country: str | None = None,
    vehicle: str | None = None,
    person: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    simulated: bool = False,
) -> tuple[pd.DataFrame, list[Match]]:
    """EVAs that pass every filter given, and the person match used (if ``person``)."""
    ev = cat.evas()
    keep = pd.Series(True, index=ev.index)
    if country:
        keep &= ev["country"].str.lower() == country.lower()
    if vehicle:
        v = vehicle.lower()
        keep &= ev["vehicle"].str.lower().str.contains(v, regex=False) | ev[
            "mission"
        ].str.lower().str.contains(v, regex=False)
    matches: list[Match] = []
    if person:
        matches = match(person, cat.identities())
        who = {m.person for m in matches[:1]}
        keep &= ev["crew"].apply(lambda crew: bool(who & set(crew)))
    if year_from is not None:
        keep &= ev["year"] >= year_from
    if year_to is not None:
        keep &= ev["year"] <= year_to
    if simulated:
        keep &= ev["scenario"].notna()
    return ev[keep].reset_index(drop=True), matches


def utc_dates(ev: pd.DataFrame) -> pd.Series:
    """Each EVA's date in UTC, the one convention of every output; where the source's (local)
    date differs it is noted, as in ``1993-12-05 (local 12-04)``."""
    utc = ev["date_utc"].dt.strftime("%Y-%m-%d")
    local = ev["date"].dt.strftime("%Y-%m-%d")
    return pd.Series(
        [u if u == d else f"{u} (local {d[5:]})" for u, d in zip(utc, local, strict=True)],
        index=ev.index,
    )


def table(ev: pd.DataFrame) -> pd.DataFrame:
    """The columns ``catalogue list`` prints."""
    out = ev.copy()
    out["date"] = utc_dates(ev)
    out["crew"] = out["crew"].apply(", ".join)
    out["duration"] = [
        "cancelled" if c else format_hm(d)
        for c, d in zip(out["cancelled"], out["duration_min"], strict=True)
    ]
    out["scenario"] = out["scenario"].fillna("")
    return out[LIST_COLUMNS]


def person_totals(cat: Catalogue, ev: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per person: EVAs, total minutes, first and last date (cancelled EVAs excluded);
    ``ev``: the catalogue's :meth:`~Catalogue.evas` if already at hand."""
    cr = cat.crew(ev)
    cr = cr[~cr["cancelled"]]
    g = cr.groupby("person")
    return (
        pd.DataFrame(
            {
                "evas": g.size(),
                "total_min": g["duration_min"].sum(),
                "first": g["date_utc"].min().dt.date,
                "last": g["date_utc"].max().dt.date,
            }
        )
        .reset_index()
        .sort_values(["total_min", "person"], ascending=[False, True])
        .reset_index(drop=True)
    )


def records(cat: Catalogue) -> pd.DataFrame:
    """The records: longest EVA, most EVA time and most EVAs per person, and the firsts.

    Columns ``record, value, who, date, id, source``."""
    ev = cat.evas()
    done = ev[~ev["cancelled"] & ev["duration_min"].notna()]
    rows = []
    longest = done[done["duration_min"] == done["duration_min"].max()]
    for _, top in longest.iterrows():  # every EVA of the record length: a tie shows them all
        rows.append(_rec("longest single EVA", format_hm(top["duration_min"]), top))
    pt = person_totals(cat, ev)
    best = pt[pt["total_min"] == pt["total_min"].max()]
    rows.append(
        {
            "record": "most EVA time, one person",
            "value": f"{format_hm(best['total_min'].iloc[0])} in {evas_text(best['evas'].iloc[0])}",
            "who": _who(best),
            "date": _span(best),
            "id": "",
            "source": "sum of the catalogue's EVAs",
        }
    )
    most = pt[pt["evas"] == pt["evas"].max()]
    rows.append(
        {
            "record": "most EVAs, one person",
            "value": evas_text(most["evas"].iloc[0]),
            "who": _who(most),
            "date": _span(most),
            "id": "",
            "source": "count of the catalogue's EVAs",
        }
    )
    rows.append(_rec("first EVA", format_hm(done.iloc[0]["duration_min"]), done.iloc[0]))
    for country, g in done.groupby("country", sort=False):
        rows.append(
            _rec(f"first EVA by {country}", format_hm(g.iloc[0]["duration_min"]), g.iloc[0])
        )
    flagged = done[done["firsts"].apply(bool)]
    for _, r in flagged.iterrows():
        for f in r["firsts"]:
            if f != "first EVA":
                rows.append(_rec(f, format_hm(r["duration_min"]), r))
    return pd.DataFrame(rows)


def evas_text(n: int) -> str:
    return f"{n} EVA" if n == 1 else f"{n} EVAs"


def _who(tied: pd.DataFrame) -> str:
    """The holder, or every holder of a tie, marked as such."""
    names = sorted(tied["person"])
    return names[0] if len(names) == 1 else ", ".join(names) + " (tied)"


def _span(people: pd.DataFrame) -> str:
    first, last = min(people["first"]), max(people["last"])
    return str(first) if first == last else f"{first} to {last}"


def _rec(name: str, value: str, r) -> dict:
    return {
        "record": name,
        "value": value,
        "who": ", ".join(r["crew"]),
        "date": utc_dates(pd.DataFrame([r]))[r.name]
        if hasattr(r, "name")
        else str(r["date"].date()),
        "id": r["id"],
        "source": r["source"],
    }


def person(cat: Catalogue, name: str) -> tuple[list[Match], pd.DataFrame]:
    """The matches for ``name`` (best first) and the best match's EVAs."""
    matches = match(name, cat.identities())
    if not matches:
        return [], cat.evas().iloc[0:0]
    ev, _ = list_evas(cat)
    mine = ev[ev["crew"].apply(lambda crew: matches[0].person in crew)]
    return matches, mine.reset_index(drop=True)


def timeline_plot(cat: Catalogue, path: str | Path) -> Path:
    """EVAs per year by country, as a stacked bar chart saved to ``path`` (PNG, SVG, PDF)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ev = cat.evas()
    ev = ev[~ev["cancelled"]]
    counts = ev.groupby(["year", "country"]).size().unstack(fill_value=0).sort_index()
    years = range(int(counts.index.min()), int(counts.index.max()) + 1)
    counts = counts.reindex(years, fill_value=0)
    fig, ax = plt.subplots(figsize=(11, 4.5), constrained_layout=True)
    bottom = None
    for country in counts.columns:
        ax.bar(counts.index, counts[country], bottom=bottom, label=country, width=0.8)
        bottom = counts[country] if bottom is None else bottom + counts[country]
    ax.set_xlabel("year")
    ax.set_ylabel("EVAs")
    ax.set_title(f"EVAs per year by country ({len(ev)} EVAs in the catalogue)")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
