"""People's names: spelling variants, transliterations and nicknames.

The NASA dataset writes one cosmonaut three ways ("Yuri Onufrienko", "Yuri Onufrenko", "Yri
Onufrienko"), uses nicknames ("Mike" and "Michael Good") and sometimes a surname alone
("Thuot/Hieb/Akers"). :func:`identities` groups the spellings of a list of names into people;
:func:`match` finds the person a user means ("McCandles", "Gilis") and says how close it was.
Names are compared after :func:`fold`, which maps common transliteration variants onto one
spelling, with :class:`difflib.SequenceMatcher` for what remains (typos).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

NICKNAMES = {
    "mike": "michael",
    "bob": "robert",
    "rob": "robert",
    "jim": "james",
    "joe": "joseph",
    "steve": "stephen",
    "dave": "david",
    "dan": "daniel",
    "danny": "daniel",
    "bill": "william",
    "tom": "thomas",
    "ed": "edward",
    "kathy": "kathryn",
    "katherine": "kathryn",
    "rick": "richard",
    "rich": "richard",
    "chris": "christopher",
    "andy": "andrew",
    "tim": "timothy",
    "pat": "patrick",
    "clay": "clayton",
    "doug": "douglas",
    "jeff": "jeffrey",
    "randy": "randolph",
    "russ": "russell",
    "stan": "stanley",
    "nick": "nicholas",
    "buzz": "edwin",
    "alexandr": "alexander",
    "aleksandr": "alexander",
    "aleksei": "alexei",
    "alexey": "alexei",
    "maksim": "maxim",
    "sergey": "sergei",
    "yuriy": "yuri",
    "yri": "yuri",
    "vasili": "vasily",
    "vassily": "vasily",
    "anatoli": "anatoly",
    "valeri": "valery",
    "gennadi": "gennady",
}
SURNAME_SIMILAR = 0.8  # SequenceMatcher ratio of folded surnames for the same person
FIRST_SIMILAR = 0.7
MATCH_MIN = 0.72  # lowest score :func:`match` accepts


def fold(text: str) -> str:
    """Lower case, no accents or punctuation, and common transliteration variants made one:
    ``Solovyov``/``Solovyev``, ``Yurchikhin``/``Yurchikin``, ``Samokutyaev``/``Samokutyayev``."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z ]", " ", s)
    for a, b in (
        ("yo", "e"),
        ("ye", "e"),
        ("ya", "a"),
        ("yu", "u"),
        ("kh", "k"),
        ("ks", "x"),
        ("ie", "i"),
        ("iy", "i"),
        ("y", "i"),
        ("w", "v"),
    ):
        s = s.replace(a, b)
    s = re.sub(r"(.)\1+", r"\1", s)  # doubled letters
    return " ".join(s.split())


def name_parts(name: str) -> tuple[str, str]:
    """(folded first name with nicknames resolved, folded surname)."""
    words = name.replace('"', " ").split()
    if len(words) == 1:
        return "", fold(words[0])
    first = words[0].lower().rstrip(".")
    first = fold(NICKNAMES.get(first, first))
    # "Bruce McCandless II", "Edward H. White II": the surname is the last word that is not
    # a generational suffix
    rest = [w for w in words[1:] if w.rstrip(".").upper() not in ("II", "III", "JR")]
    rest = [w for w in rest if len(w.rstrip(".")) > 1] or rest
    return first, fold(" ".join(rest[-2:] if "-" in rest[-1] else rest[-1:]))


def similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def same_person(a: str, b: str) -> bool:
    """Whether two spellings name one person: similar surnames, and compatible first names
    (equal after nicknames, similar, an initial, or missing on one side)."""
    fa, sa = name_parts(a)
    fb, sb = name_parts(b)
    if similar(sa, sb) < SURNAME_SIMILAR:
        return False
    if not fa or not fb:
        return True
    if len(fa) == 1 or len(fb) == 1:
        return fa[0] == fb[0]
    return fa[0] == fb[0] and similar(fa, fb) >= FIRST_SIMILAR


@dataclass
class Identities:
    """Spellings grouped into people: ``canonical[spelling]`` is the name shown."""

    canonical: dict[str, str]

    def __call__(self, spelling: str) -> str:
        return self.canonical.get(spelling, spelling)


def identities(spellings: list[str], preferred: dict[str, list[str]] | None = None) -> Identities:
    """Group spellings into people.

    ``preferred`` maps a canonical name to its known aliases (the project's own records); a
    group takes that name when it contains it or an alias, else its most frequent full
    spelling. A surname alone joins a group only when exactly one group fits it."""
    preferred = preferred or {}
    alias_of = {a: name for name, aliases in preferred.items() for a in aliases}
    counts: dict[str, int] = {}
    for s in spellings:
        counts[s] = counts.get(s, 0) + 1
    full = [s for s in counts if len(s.split()) > 1]
    single = [s for s in counts if len(s.split()) == 1]
    groups: list[list[str]] = []
    for s in sorted(full, key=lambda s: -counts[s]):
        target = alias_of.get(s)
        for g in groups:
            if (target and (target in g or any(alias_of.get(x) == target for x in g))) or (
                same_person(s, g[0])
            ):
                g.append(s)
                break
        else:
            groups.append([s])
    for s in single:
        fits = [g for g in groups if same_person(s, g[0])]
        if len(fits) == 1:
            fits[0].append(s)
        else:
            groups.append([s])
    canonical = {}
    for g in groups:
        names = [alias_of.get(x, x) for x in g]
        named = [n for n in names if n in preferred]
        best = named[0] if named else max(g, key=lambda x: (len(x.split()) > 1, counts[x]))
        for x in g:
            canonical[x] = best
    return Identities(canonical)


@dataclass(frozen=True)
class Match:
    """The person a query names, with the spelling it matched and how well (0-1)."""

    query: str
    person: str
    spelling: str
    score: float

    def __str__(self) -> str:
        how = "exact" if self.score >= 0.999 else f"spelling variant, similarity {self.score:.2f}"
        via = f" (as '{self.spelling}')" if self.spelling != self.person else ""
        return f"'{self.query}' matched {self.person}{via}: {how}"


def match(query: str, ids: Identities) -> list[Match]:
    """People whose spellings are close to ``query``, best first (empty if none is close).

    A one-word query is compared with surnames, a longer one with whole names."""
    q = query.strip()
    qf, qs = name_parts(q)
    best: dict[str, Match] = {}
    for spelling, person in ids.canonical.items():
        f, s = name_parts(spelling)
        if not qf:
            score = similar(qs, s)
        else:
            score = similar(qs, s) * (0.85 + 0.15 * (similar(qf, f) if f else 0.5))
        raw = spelling.lower().split()
        score = 1.0 if q.lower() in (spelling.lower(), raw[-1]) else min(score, 0.99)
        if score >= MATCH_MIN and (person not in best or score > best[person].score):
            best[person] = Match(q, person, spelling, round(score, 3))
    return sorted(best.values(), key=lambda m: -m.score)
