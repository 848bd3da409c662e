"""Catalogue query speed: ``catalogue records`` on the NASA dataset, and with 10,000 more
distinct names (issue "Hostile input": it grew faster than quadratically, 12.7 s for the
dataset and 250 s with 1,200 names, on a loaded machine).

Basilisk has no catalogue, so there is no reference to run beside it; the figure is the
time, against the issue's target of under 1 s for the dataset plus 10,000 names.

    python benchmarks/bench_catalogue.py [--extra 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import string
import tempfile
import time
from pathlib import Path

from spacewalk.catalogue import query
from spacewalk.catalogue.store import Catalogue

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def extra_rows(n: int, seed: int = 1) -> str:
    """n EVAs of one new person each, in the dataset's format."""
    rng = random.Random(seed)

    def word(lo: int, hi: int) -> str:
        return rng.choice(string.ascii_uppercase) + "".join(
            rng.choice(string.ascii_lowercase) for _ in range(rng.randint(lo, hi))
        )

    lines = ["EVA #,Country,Crew,Vehicle,Date,Duration,Purpose"]
    for i in range(n):
        lines.append(f"{100000 + i},USA,{word(3, 7)} {word(4, 9)},Test-{i},01/01/2020,1:00,test")
    return "\n".join(lines) + "\n"


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--extra", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = [DATA / "nasa-eva-us-russia.csv", DATA / "nasa-eva-additions.csv"]
    if not files[0].exists():
        raise SystemExit(f"needs the NASA dataset at {DATA} (see shared/data/README.md)")
    with tempfile.TemporaryDirectory() as tmp:
        cat = Catalogue(Path(tmp) / "nasa.sqlite")
        cat.import_files(files)
        t = timed(lambda: query.records(cat), args.repeat)
        print(f"records, NASA dataset ({len(cat.evas())} EVAs): {min(t):.3f} to {max(t):.3f} s")
        more = Path(tmp) / "extra.csv"
        more.write_text(extra_rows(args.extra))
        cat.import_files([more])
        t = timed(lambda: query.records(cat), args.repeat)
        print(f"records, NASA dataset + {args.extra:,} names: {min(t):.3f} to {max(t):.3f} s")


if __name__ == "__main__":
    main()
