"""People's names: spelling variants, transliterations and nicknames.

The NASA dataset writes one cosmonaut three ways ("Yuri Onufrienko", "Yuri Onufrenko", "Yri
Onufrienko"), uses nicknames ("Mike" and "Michael Good") and sometimes a surname alone
("Thuot/Hieb/Akers"). :func:`identities` groups the spellings of a list of names into people;
:func:`match` finds the person a user means ("McCandles", "Gilis") and says how close it was.
Names are compared after :func:`fold`, which maps common transliteration variants onto one
spelling, with :class:`difflib.SequenceMatcher` for what remains (typos).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
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


@functools.lru_cache(maxsize=65536)
def name_parts(name: str) -> tuple[str, str]:
    """(folded first name with nicknames resolved, folded surname); cached, it is pure."""
    words = name.replace('"', " ").split()
    if len(words) == 1:
        return "", fold(words[0])
    first = words[0].lower().rstrip(".")
    first = fold(NICKNAMES.get(first, first))
    # "Bruce McCandless II", "Edward H. White II": the surname is the last word that is not
    # a generational suffix
    rest = [w for w in words[1:] if w.rstrip(".").upper() not in ("II", "III", "JR")]
    rest = [w for w in rest if len(w.rstrip(".")) > 1] or rest or words[1:]  # "Abe Jr"
    return first, fold(" ".join(rest[-2:] if "-" in rest[-1] else rest[-1:]))


def similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


@functools.lru_cache(maxsize=65536)
def _letters(text: str) -> dict[str, int]:
    return dict(Counter(text))


def _at_least(a: str, b: str, threshold: float) -> bool:
    """``similar(a, b) >= threshold``, with difflib's two upper bounds tried first (the
    lengths, then the letters in common regardless of order)."""
    total = len(a) + len(b)
    if not total or 2 * min(len(a), len(b)) < threshold * total:
        return not total
    la, lb = _letters(a), _letters(b)
    common = sum(min(n, lb[c]) for c, n in la.items() if c in lb)
    return 2 * common >= threshold * total and similar(a, b) >= threshold


def same_person(a: str, b: str) -> bool:
    """Whether two spellings name one person: similar surnames, and compatible first names
    (equal after nicknames, similar, an initial, or missing on one side)."""
    fa, sa = name_parts(a)
    fb, sb = name_parts(b)
    if (fa and fb and fa[0] != fb[0]) or not _at_least(sa, sb, SURNAME_SIMILAR):
        return False
    if not fa or not fb:
        return True
    if len(fa) == 1 or len(fb) == 1:
        return fa[0] == fb[0]
    return fa[0] == fb[0] and similar(fa, fb) >= FIRST_SIMILAR


class _Candidates:
    """The groups a spelling can belong to, found without comparing it with every group.

    Two full names can be one person only with the same first-name initial (or one that folds
    to nothing), and surnames with SequenceMatcher ratio r >= 0.8 share a two-letter sequence
    whenever their lengths add to 6 or more: of the M >= r (la + lb) / 2 matched letters, at
    least 3M - 1 - la - lb >= 0.2 (la + lb) - 1 > 0 consecutive pairs are adjacent in both.
    So a group is a candidate when its first spelling shares the initial and a surname bigram
    (short surnames are filed by length instead). The candidates come back in the order the groups were made, so
    the grouping is exactly the one that compares with every group.
    """

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], list[int]] = {}  # (initial, bigram) -> groups
        self.initials: set[str] = set()

    @staticmethod
    def _keys(spelling: str) -> tuple[str, set[str], set[str]]:
        """(initial, the keys a group is filed under, the keys a spelling looks up)."""
        first, surname = name_parts(spelling)
        n = len(surname)
        grams = {surname[i : i + 2] for i in range(n - 1)} if n >= 3 else set()
        # a surname of one or two letters can only match one of at most three (2M/(la + lb)
        # >= 0.8 with M <= la): those are filed under "<=3" too, and short ones under "<3"
        filed = grams | ({"<=3"} if n <= 3 else set()) | ({"<3"} if n < 3 else set())
        looked = {"<=3"} if n < 3 else grams | {"<3"}
        return first[:1], filed, looked

    def add(self, spelling: str, group: int) -> None:
        initial, filed, _ = self._keys(spelling)
        self.initials.add(initial)
        for key in filed:
            self.by_key.setdefault((initial, key), []).append(group)

    def near(self, spelling: str) -> list[int]:
        initial, _, looked = self._keys(spelling)
        # a first name that folds to nothing (or none, a surname alone) fits any initial
        initials = (initial, "") if initial else self.initials
        out: set[int] = set()
        for ini in initials:
            for key in looked:
                out.update(self.by_key.get((ini, key), ()))
        return sorted(out)


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
    index = _Candidates()
    by_target: dict[str, int] = {}  # a preferred name -> the group that holds it
    for s in sorted(full, key=lambda s: -counts[s]):
        target = alias_of.get(s)
        found = next((i for i in index.near(s) if same_person(s, groups[i][0])), None)
        if target in by_target and (found is None or by_target[target] < found):
            found = by_target[target]
        if found is None:
            found = len(groups)
            groups.append([])
            index.add(s, found)
        groups[found].append(s)
        if target:
            by_target.setdefault(target, found)
        if s in preferred:
            by_target.setdefault(s, found)
    for s in single:
        fits = [groups[i] for i in index.near(s) if same_person(s, groups[i][0])]
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
