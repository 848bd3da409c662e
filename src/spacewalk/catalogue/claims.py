"""Check the claims in a piece of writing about spacewalks against the catalogue.

A claim is a duration, a date, a distance or a count in a sentence that is about an EVA (it
says spacewalk, walk, EVA, outside, hatch, MMU...), attributed to the people and missions that
the sentence names, or that the sentences just before (or, for a date with no subject, just
after) name. Each claim is **supported** (with the record), **contradicted** (with what the
record says, and why when a career total is passed off as one spacewalk or one mission) or
**not checkable** (no subject, or nothing in the catalogue to compare with).

Machine translation damage is undone first: placeholder numbers (``XNUMX``) are flagged,
decimal commas read (``1,5 liters``), a year before its day (``June 1965, 4``) is read as a
date and flagged as garbled, and transliterated names (``Dzeminaj XII``, ``Voshkod``) are
matched through :mod:`.names` and :func:`mission_key`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from ..units import format_hm
from .names import fold, name_parts, similar
from .nasa import MONTHS
from .store import Catalogue

SUPPORTED, CONTRADICTED, UNCHECKABLE = "supported", "contradicted", "not checkable"
NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
NUM = r"(?:\d+|" + "|".join(NUMBER_WORDS) + r")"
EVA_CUES = re.compile(
    r"space\s?walk|\bwalk|\bEVAs?\b|extra-?vehicular|extra-spacecraft|\boutside\b|\bhatch\b|"
    r"\bMMU\b|untethered",
    re.IGNORECASE,
)
TOTAL_CUES = re.compile(r"\btotal|accumulat|consecutive|spacewalks|space walks|EVAs\b", re.I)
MISSION_CUE = re.compile(r"\bmission\b", re.I)
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
PLACEHOLDER = "XNUMX"
_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE_PATTERNS = [
    # June 1965, 4 (machine translation puts the year first) or March 1965, XNUMX
    ("swapped", re.compile(_MONTH + r"\s+(?P<y>\d{4}),\s*(?P<d>\d{1,2}|XNUMX)\b", re.I)),
    ("mdy", re.compile(_MONTH + r"\s+(?P<d>\d{1,2}|XNUMX),?\s+(?P<y>\d{4})\b", re.I)),
    ("dmy", re.compile(r"\b(?P<d>\d{1,2})\s+" + _MONTH + r"\s+(?P<y>\d{4})\b", re.I)),
    ("my", re.compile(r"\b" + _MONTH + r"\s+(?P<y>\d{4})\b(?!,\s*\d)", re.I)),
]
DURATION = re.compile(
    r"(?:(?P<h>" + NUM + r")[- ]hours?\b(?:,?\s*(?:and\s+)?(?P<m>" + NUM + r")[- ]minutes?\b)?"
    r"|(?P<mo>" + NUM + r")[- ]minutes?\b)",
    re.I,
)
DISTANCE = re.compile(r"(?P<n>" + NUM + r")[- ]?(?P<u>meters?|metres?|m|feet|foot|ft)\b", re.I)
COUNT = re.compile(
    r"(?P<n>" + NUM + r")\s+(?:\w+\s+)?(?:spacewalks|space walks|EVAs|walks)\b", re.I
)
APPROX = re.compile(r"\b(about|nearly|almost|over|some|around|roughly|more than)\s+$", re.I)


@dataclass
class Claim:
    """One claim: where it is, what it says, and what the record says."""

    line: int
    sentence: str
    text: str
    kind: str
    verdict: str
    record: str

    def __str__(self) -> str:
        return f'line {self.line}: "{self.text}" ({self.kind}): {self.verdict}. {self.record}'


def number(word: str) -> int:
    w = word.lower()
    return NUMBER_WORDS[w] if w in NUMBER_WORDS else int(w)


def mission_key(text: str) -> str:
    """``gemini12`` from "Gemini XII", "Dzeminaj XII" or "Gemini 12"; ``sts61`` from
    "STS-61 / HST-1"; ``voskhod2`` from "Voshkod 2"."""
    t = text.strip()
    t = re.sub(r"^(Dzeminaj|D[zž]eminaj|Jemini|Dzhemini)", "Gemini", t, flags=re.I)
    t = re.sub(r"^Voshkod", "Voskhod", t, flags=re.I)
    t = re.split(r"\s*/\s*|\s{2,}", t)[0]
    m = re.match(r"^([A-Za-z ]+?)[\s-]*([IVXL]+|\d+[A-Za-z]?(?:-[A-Z])?)$", t)
    if m:
        name, num = m.group(1), m.group(2)
        if re.fullmatch(r"[IVXL]+", num):
            vals = [ROMAN[c] for c in num]
            num = str(
                sum(v if i + 1 == len(vals) or v >= vals[i + 1] else -v for i, v in enumerate(vals))
            )
        t = name + num
    return re.sub(r"[^a-z0-9]", "", t.lower())


MISSION_TEXT = re.compile(
    r"\b(?:Gemini|Dzeminaj|D[zž]eminaj|Voskhod|Voshkod|Apollo|Skylab|Soyuz)[\s-]+(?:[IVXL]+|\d+)\b"
    r"|\bSTS-?\d+(?:-?[A-Z])?\b|\bPolaris Dawn\b",
)


class _Context:
    """The catalogue as the checker needs it: EVAs by person and by mission key."""

    def __init__(self, cat: Catalogue):
        self.ev = cat.evas()
        self.ev = self.ev[~self.ev["cancelled"]]
        self.ev["mkey"] = [
            {mission_key(str(m)), mission_key(str(v))}
            for m, v in zip(self.ev["mission"], self.ev["vehicle"], strict=True)
        ]
        people = sorted({p for crew in self.ev["crew"] for p in crew})
        self.by_surname: dict[str, list[str]] = {}
        for p in people:
            self.by_surname.setdefault(name_parts(p)[1], []).append(p)
        ids = cat.identities()
        for spelling, person in ids.canonical.items():
            if person in people:
                key = name_parts(spelling)[1]
                if person not in self.by_surname.setdefault(key, []):
                    self.by_surname[key].append(person)

    def people_in(self, sentence: str) -> list[str]:
        found = []
        for w in re.findall(r"\b[A-Z][A-Za-z'-]{2,}\b", sentence):
            key = fold(w)
            hits = self.by_surname.get(key)
            if not hits and len(key) >= 6:
                close = [k for k in self.by_surname if similar(k, key) >= 0.85]
                hits = [p for k in close for p in self.by_surname[k]]
            for p in hits or []:
                first = name_parts(p)[0]
                # several people share the surname: keep the one whose first name is there
                if len(hits) > 1 and not any(
                    similar(fold(x), first) >= 0.7 for x in sentence.split()
                ):
                    continue
                if p not in found:
                    found.append(p)
        return found

    def missions_in(self, sentence: str) -> list[str]:
        keys = [mission_key(m) for m in MISSION_TEXT.findall(sentence)]
        known = set().union(*self.ev["mkey"]) if len(self.ev) else set()
        return [k for k in keys if k in known]

    def evas_of(self, people: list[str], missions: list[str]) -> pd.DataFrame:
        ev = self.ev
        sel = pd.Series(False, index=ev.index)
        if people:
            sel |= ev["crew"].apply(lambda c: bool(set(people) & set(c)))
        if missions:
            in_mission = ev["mkey"].apply(lambda k: bool(k & set(missions)))
            sel = (sel & in_mission) if people and (sel & in_mission).any() else sel | in_mission
        return ev[sel]


def sentences(text: str) -> list[tuple[int, str]]:
    """(line number, sentence) pairs."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", line.strip()):
            if s.strip():
                out.append((n, s.strip()))
    return out


def undamage(sentence: str) -> str:
    """Decimal commas (``1,5``) to points; thousands points (``1.000``) dropped."""
    s = re.sub(r"\b(\d{1,2}),(\d)\b(?!\d)", r"\1.\2", sentence)
    return re.sub(r"\b(\d{1,3})\.(\d{3})\b", r"\1\2", s)


def check_text(text: str, cat: Catalogue | None = None) -> list[Claim]:
    """Every claim found in ``text``, checked against the catalogue."""
    ctx = _Context(cat or Catalogue())
    sents = sentences(text)
    claims: list[Claim] = []
    recent: list[tuple[list[str], list[str]]] = []
    for k, (line, raw) in enumerate(sents):
        s = undamage(raw)
        people, missions = ctx.people_in(s), ctx.missions_in(s)
        subject_people = people or next((p for p, _ in reversed(recent[-3:]) if p), [])
        subject_missions = missions or next((m for _, m in reversed(recent[-3:]) if m), [])
        ahead = ctx.people_in(sents[k + 1][1]) if k + 1 < len(sents) else []
        ahead_m = ctx.missions_in(sents[k + 1][1]) if k + 1 < len(sents) else []
        recent.append((people, missions))
        if not EVA_CUES.search(s):
            continue
        evas = ctx.evas_of(subject_people, subject_missions)

        def add(text_, kind, verdict, record, line=line, raw=raw):
            claims.append(Claim(line, raw, text_, kind, verdict, record))

        s_nodate = MISSION_TEXT.sub(lambda m: " " * len(m.group(0)), s)
        for kind, pat in DATE_PATTERNS:
            for m in pat.finditer(s_nodate):
                date_evas = evas if len(evas) else ctx.evas_of(ahead, ahead_m)
                add(m.group(0), "date", *_check_date(kind, m, date_evas))
            s_nodate = pat.sub(lambda m: " " * len(m.group(0)), s_nodate)
        for m in DURATION.finditer(s_nodate):
            add(m.group(0), "duration", *_check_duration(m, s_nodate, evas, ctx, subject_people))
        for m in DISTANCE.finditer(s_nodate):
            add(m.group(0), "distance", *_check_distance(m, evas))
        for m in COUNT.finditer(s_nodate):
            # a sentence that names a mission and nobody counts the mission's EVAs
            counted = people if missions else subject_people
            count_evas = evas if counted or not missions else ctx.evas_of([], missions)
            add(m.group(0), "count", *_check_count(m, count_evas, ctx, counted, subject_missions))
    return claims


# ---------------------------------------------------------------------- dates
def _check_date(kind: str, m: re.Match, evas: pd.DataFrame) -> tuple[str, str]:
    month = MONTHS[m.group("mon").lower()]
    year = int(m.group("y"))
    day_text = m.groupdict().get("d")
    garbled = ""
    if day_text == PLACEHOLDER:
        garbled = f"the day is a machine-translation placeholder ('{PLACEHOLDER}')"
        day_text = None
    elif kind == "swapped":
        garbled = f"garbled: the day comes after the year ('{m.group(0)}')"
    if not len(evas):
        return UNCHECKABLE, (
            garbled + "; " if garbled else ""
        ) + "no EVA in the catalogue to compare"
    dates = _eva_dates(evas)
    said = date(year, month, int(day_text)) if day_text else None
    if said is not None:
        hit = [d for d, _ in dates if d == said]
    else:
        hit = [d for d, _ in dates if (d.year, d.month) == (year, month)]
    best = _nearest(dates, said or date(year, month, 15))
    record = f"the record says {best[1]}"
    if garbled:
        return CONTRADICTED, f"{garbled}; {record}"
    if hit:
        return SUPPORTED, record
    return CONTRADICTED, record


def _eva_dates(evas: pd.DataFrame) -> list[tuple[date, str]]:
    """Each EVA's calendar date as the dataset gives it and its UTC start date."""
    out = []
    for _, r in evas.iterrows():
        label = f"{r['date'].date():%d %b %Y} ({', '.join(r['crew'])}, {r['mission']}, {r['id']})"
        out.append((r["date"].date(), label))
        if isinstance(r.get("start_utc"), str):
            utc = date.fromisoformat(str(r["start_utc"])[:10])
            if utc != r["date"].date():
                out.append(
                    (utc, label.replace(f"{r['date'].date():%d %b %Y}", f"{utc:%d %b %Y} UTC"))
                )
    return out


def _nearest(dates, target: date):
    return min(dates, key=lambda d: abs((d[0] - target).days))


# ---------------------------------------------------------------------- durations
def _check_duration(m, sentence, evas, ctx, people) -> tuple[str, str]:
    if m.group("mo"):
        said = number(m.group("mo"))
        precise = True
    else:
        said = number(m.group("h")) * 60 + (number(m.group("m")) if m.group("m") else 0)
        precise = bool(m.group("m"))
    approx = bool(APPROX.search(sentence[: m.start()]))
    tol = (3 if precise else 30) * (2 if approx else 1)
    if said >= 24 * 60 * 3 or not len(evas):
        return UNCHECKABLE, "no EVA of the people or mission named to compare"
    total = bool(TOTAL_CUES.search(sentence))
    singles = []
    for _, r in evas.iterrows():
        who = f"{', '.join(r['crew'])}, {r['mission']} {r['date'].date()}"
        if r["duration_min"] is not None and not pd.isna(r["duration_min"]):
            singles.append((float(r["duration_min"]), f"{format_hm(r['duration_min'])} ({who})"))
        out = r.get("outside_min")
        if isinstance(out, list) and len(out) == 2:
            lo, hi = out  # compared at the point of the documented range nearest the claim
            singles.append((min(max(said, lo), hi), f"{lo:g}-{hi:g} min outside ({who})"))
    per_mission = evas.groupby("mission", sort=False)["duration_min"].agg(["sum", "size"])
    mission_totals = [
        (float(t), f"{format_hm(t)} over {n} EVAs of {name}")
        for name, t, n in per_mission.itertuples()
        if n > 1
    ]
    careers = []
    for p in people:
        mine = ctx.ev[ctx.ev["crew"].apply(lambda c, p=p: p in c)]
        if len(mine) > 1:
            ms = sorted(set(mine["mission"]))
            careers.append(
                (
                    float(mine["duration_min"].sum()),
                    f"{format_hm(mine['duration_min'].sum())}, {p}'s career EVA time over "
                    f"{len(mine)} EVAs ({', '.join(ms)})",
                    len(ms),
                    mine,
                )
            )

    def near(cands):
        return [c for c in cands if abs(c[0] - said) <= tol]

    longest = float(ctx.ev["duration_min"].max())
    if total:
        hit = near(mission_totals) or (near(singles) if len(evas) == 1 else [])
        if hit:
            return SUPPORTED, f"the record says {hit[0][1]}"
        career = near(careers)
        if career:
            c = career[0]
            if c[2] > 1 and (MISSION_CUE.search(sentence) or mission_totals):
                per = c[3].groupby("mission")["duration_min"].sum()
                parts = "; ".join(f"{format_hm(v)} on {k}" for k, v in per.items())
                return CONTRADICTED, (
                    f"{format_hm(c[0])} is a career total, not one mission's: the record says {c[1]}: "
                    f"{parts}"
                )
            return SUPPORTED, f"the record says {c[1]}"
    else:
        hit = near(singles)
        if hit:
            tops = "; the longest EVA on record" if abs(hit[0][0] - longest) < 0.5 else ""
            return SUPPORTED, f"the record says {hit[0][1]}{tops}"
        career = near(careers)
        if career:
            c = career[0]
            return CONTRADICTED, (
                f"{format_hm(said)} is not one spacewalk: the record says {c[1]}; the longest EVA on "
                f"record lasted {format_hm(longest)}"
            )
        if said > longest + tol:
            return CONTRADICTED, f"no EVA on record lasted more than {format_hm(longest)}"
    cands = mission_totals + singles + [c[:2] for c in careers]
    best = min(cands, key=lambda c: abs(c[0] - said))
    return CONTRADICTED, f"the record says {best[1]}"


# ---------------------------------------------------------------------- distances and counts
def _check_distance(m, evas) -> tuple[str, str]:
    n = number(m.group("n"))
    meters = n * 0.3048 if m.group("u").lower().startswith(("f", "foot")) else float(n)
    rec = [
        (
            float(r["max_distance_m"]),
            f"{r['max_distance_m']:g} m ({', '.join(r['crew'])}, {r['mission']})",
        )
        for _, r in evas.iterrows()
        if pd.notna(r.get("max_distance_m"))
    ]
    if not rec:
        return UNCHECKABLE, "no distance on record for the people or mission named"
    best = min(rec, key=lambda c: abs(c[0] - meters))
    if abs(best[0] - meters) <= max(1.0, 0.03 * best[0]):
        return SUPPORTED, f"the record says {best[1]}"
    return CONTRADICTED, f"the record says {best[1]} ({best[0] / 0.3048:.0f} ft)"


def _check_count(m, evas, ctx, people, missions) -> tuple[str, str]:
    """A number of EVAs: a person's (within the mission named, if one is) or a mission's.
    A person's count is compared with theirs, not the mission's: Musgrave made 3 of STS-61's 5."""
    n = number(m.group("n"))
    if not len(evas):
        return UNCHECKABLE, "no EVA of the people or mission named to count"
    if people:
        who = people[0]
        mine = evas[evas["crew"].apply(lambda c: who in c)]
        where = f" on {mine['mission'].iloc[0]}" if missions and len(mine) else ""
        if len(mine) == n:
            return SUPPORTED, f"the record lists {n} EVAs of {who}{where}"
        if missions and len(mine):
            name = mine["mission"].iloc[0]
            total = int((ctx.ev["mission"] == name).sum())
            return CONTRADICTED, f"{who} made {len(mine)} of {name}'s {total} EVAs in the record"
        return CONTRADICTED, f"the record lists {len(mine)} EVAs of {who}{where}"
    per = evas.groupby("mission").size()
    if (per == n).any():
        name = per[per == n].index[0]
        return SUPPORTED, f"the record lists {n} EVAs of {name}"
    name, count = per.idxmax(), int(per.max())
    return CONTRADICTED, f"the record lists {count} EVAs of {name}"


def claims_frame(claims: list[Claim]) -> pd.DataFrame:
    """The claims as a DataFrame: ``line, kind, text, verdict, record, sentence``."""
    return pd.DataFrame(
        [
            {
                "line": c.line,
                "kind": c.kind,
                "text": c.text,
                "verdict": c.verdict,
                "record": c.record,
                "sentence": c.sentence,
            }
            for c in claims
        ],
        columns=["line", "kind", "text", "verdict", "record", "sentence"],
    )
