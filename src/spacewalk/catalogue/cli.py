"""``spacewalk catalogue ...``: import, list, records, person, timeline, check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..units import format_hm

if TYPE_CHECKING:
    import pandas as pd

    from .store import Catalogue

# the catalogue's modules (pandas, ftfy, SQLite) are imported by the commands: the command
# line builds this parser on every command


def _print(df: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)
    elif df.empty:
        print("(none)")
    else:
        short = df.astype(str).apply(lambda col: col.str.slice(0, 60))
        print(short.to_string(index=False))


def _cat(args) -> Catalogue:
    from .store import Catalogue

    cat = Catalogue(args.db)
    if args.catalogue_command != "import" and not cat.dataset_rows():
        print(
            "note: the catalogue holds only the library's EVAs so far; "
            "`spacewalk catalogue import FILE` adds the NASA EVA dataset (docs/catalogue.md)",
            file=sys.stderr,
        )
    return cat


def _import(args) -> int:
    report = _cat(args).import_files(args.files)
    print(report)
    unreadable = {p.file for p in report.problems if p.line <= 1}
    return 1 if unreadable else 0


def _list(args) -> int:
    from . import query

    ev, matches = query.list_evas(
        _cat(args),
        country=args.country,
        vehicle=args.vehicle,
        person=args.person,
        year_from=args.year_from,
        year_to=args.year_to,
        simulated=args.simulated,
    )
    if args.person:
        if not matches:
            print(f"no person in the catalogue is close to '{args.person}'", file=sys.stderr)
            return 1
        print(matches[0], file=sys.stderr)
        others = [m.person for m in matches[1:] if m.score >= matches[0].score - 0.05]
        if others:
            print(f"also close: {', '.join(others)} (give a first name to choose)", file=sys.stderr)
    _print(query.table(ev), args.format)
    return 0


def _records(args) -> int:
    from . import query

    _print(query.records(_cat(args)), args.format)
    return 0


def _person(args) -> int:
    from . import query

    matches, ev = query.person(_cat(args), args.name)
    if not matches:
        print(
            f"no person in the catalogue is close to '{args.name}'; try a surname "
            "(`spacewalk catalogue list` shows who is in it)",
            file=sys.stderr,
        )
        return 1
    print(matches[0])
    others = [m.person for m in matches[1:] if m.score >= matches[0].score - 0.05]
    if others:
        print(f"also close: {', '.join(others)} (give a first name to choose)")
    done = ev[~ev["cancelled"]]
    _print(query.table(ev), args.format)
    print(f"\n{query.evas_text(len(done))}, {format_hm(done['duration_min'].sum())} in all")
    return 0


def _timeline(args) -> int:
    from . import query

    path = query.timeline_plot(_cat(args), args.out)
    print(f"wrote {path}")
    return 0


def _check(args) -> int:
    import pandas as pd

    from . import claims as claims_mod

    if args.file == "-":
        text, name = sys.stdin.read(), "<stdin>"
    else:
        path = Path(args.file)
        try:
            text, name = path.read_text(encoding="utf-8", errors="replace"), str(path)
        except OSError as exc:
            print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
            return 1
    found = claims_mod.check_text(text, _cat(args))
    if args.format == "csv":
        _print(claims_mod.claims_frame(found), "csv")
    else:
        for c in found:
            print(c)
    counts = pd.Series([c.verdict for c in found]).value_counts()
    summary = ", ".join(f"{n} {v}" for v, n in counts.items()) or "no claims found"
    print(f"\n{name}: {len(found)} claims: {summary}", file=sys.stderr)
    return 1 if (counts.get(claims_mod.CONTRADICTED, 0)) else 0


def add_parser(sub) -> None:
    p = sub.add_parser("catalogue", help="the record of spacewalks: import, query, check claims")
    p.add_argument("--db", help="catalogue database file (default: the user's data directory)")
    csub = p.add_subparsers(dest="catalogue_command", required=True)
    c = csub.add_parser("import", help="import files in the NASA EVA dataset format")
    c.add_argument("files", nargs="+", help="CSV or JSON files of the NASA EVA dataset")
    c.set_defaults(func=_import)
    c = csub.add_parser("list", help="EVAs, filtered")
    c.add_argument("--country")
    c.add_argument("--vehicle", help="vehicle or mission, part of the name (STS-61, Mir)")
    c.add_argument("--person", help="a crew member; spelling variants are matched")
    c.add_argument("--from", dest="year_from", type=int, metavar="YEAR")
    c.add_argument("--to", dest="year_to", type=int, metavar="YEAR")
    c.add_argument("--simulated", action="store_true", help="only EVAs with a library scenario")
    c.add_argument("--format", choices=("text", "csv"), default="text")
    c.set_defaults(func=_list)
    c = csub.add_parser("records", help="longest EVA, most EVA time and EVAs, the firsts")
    c.add_argument("--format", choices=("text", "csv"), default="text")
    c.set_defaults(func=_records)
    c = csub.add_parser("person", help="every EVA of a person, and the total")
    c.add_argument("name", help="a crew member's name; spelling variants are matched")
    c.add_argument("--format", choices=("text", "csv"), default="text")
    c.set_defaults(func=_person)
    c = csub.add_parser("timeline", help="plot EVAs per year by country")
    c.add_argument("--out", default="eva-timeline.png", help="image file (.png, .svg, .pdf)")
    c.set_defaults(func=_timeline)
    c = csub.add_parser(
        "check", help="check the claims of a text against the record; exit 1 if any is wrong"
    )
    c.add_argument("file", help="a text file, or - for standard input")
    c.add_argument("--format", choices=("text", "csv"), default="text")
    c.set_defaults(func=_check)
