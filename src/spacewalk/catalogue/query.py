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


def table(ev: pd.DataFrame) -> pd.DataFrame:
    """The columns ``catalogue list`` prints."""
    out = ev.copy()
    out["date"] = out["date"].dt.date.astype(str)
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
                "first": g["date"].min().dt.date,
                "last": g["date"].max().dt.date,
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
    top = done.loc[done["duration_min"].idxmax()]
    rows.append(_rec("longest single EVA", format_hm(top["duration_min"]), top))
    pt = person_totals(cat, ev)
    best = pt.iloc[0]
    rows.append(
        {
            "record": "most EVA time, one person",
            "value": f"{format_hm(best['total_min'])} in {best['evas']} EVAs",
            "who": best["person"],
            "date": f"{best['first']} to {best['last']}",
            "id": "",
            "source": "sum of the catalogue's EVAs",
        }
    )
    most = pt.sort_values(["evas", "total_min"], ascending=False).iloc[0]
    rows.append(
        {
            "record": "most EVAs, one person",
            "value": f"{most['evas']} EVAs, {format_hm(most['total_min'])}",
            "who": most["person"],
            "date": f"{most['first']} to {most['last']}",
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


def _rec(name: str, value: str, r) -> dict:
    return {
        "record": name,
        "value": value,
        "who": ", ".join(r["crew"]),
        "date": str(r["date"].date()),
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
