"""The catalogue: import of the NASA dataset format, the project's own records, records and
totals, name matching, links to the library, and the claim checker.

Figures checked by hand on ``tests/data/nasa-eva-fixture.csv`` (rows written from the NASA
dataset's public record) together with the project's own records; the full dataset and the
two articles are used when ``../shared`` is beside the project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from spacewalk.catalogue import query
from spacewalk.catalogue.claims import CONTRADICTED, SUPPORTED, UNCHECKABLE, check_text
from spacewalk.catalogue.names import same_person
from spacewalk.catalogue.store import Catalogue, entries_for_scenario, own_records
from spacewalk.cli import main
from spacewalk.scenario import library_names, load_scenario

FIXTURE = Path(__file__).parent / "data" / "nasa-eva-fixture.csv"
SHARED = Path(__file__).resolve().parents[2] / "shared"
DATASET = [SHARED / "data" / "nasa-eva-us-russia.csv", SHARED / "data" / "nasa-eva-additions.csv"]
SEEDS = SHARED / "seeds"
needs_dataset = pytest.mark.skipif(
    not DATASET[0].exists(), reason="the NASA dataset is not at ../shared/data (fresh clone)"
)


@pytest.fixture
def fixture_cat(tmp_path):
    cat = Catalogue(tmp_path / "cat.sqlite")
    cat.import_files([FIXTURE])
    return cat


@pytest.fixture(scope="module")
def full_cat(tmp_path_factory):
    cat = Catalogue(tmp_path_factory.mktemp("full") / "cat.sqlite")
    cat.import_files(DATASET)
    return cat


def _person_row(cat, name):
    pt = query.person_totals(cat)
    return pt[pt["person"] == name].iloc[0]


# ---------------------------------------------------------------------- import
def test_fixture_import_reads_every_good_row_and_names_each_bad_line(tmp_path):
    report = Catalogue(tmp_path / "c.sqlite").import_files([FIXTURE])
    assert report.added == 16 and report.updated == 0
    bad = {p.line: p.reason for p in report.problems}
    assert set(bad) == {19, 20, 21}
    assert "'06/31/1999' is not a calendar date" in bad[19]
    assert "'5:75' is not H:MM" in bad[20]
    assert "3 fields, expected 7" in bad[21]


def test_hostile_rows_are_skipped_and_reported_and_the_rest_imported(tmp_path):
    """A 1 MB field, a 24-digit EVA number and an EVA number in Arabic-Indic digits each
    failed the whole import with a traceback, or overwrote the real row 12."""
    good = FIXTURE.read_text(encoding="utf-8")
    hostile = tmp_path / "hostile.csv"
    hostile.write_text(
        good
        + "900,USA,Big Purpose,STS-1,04/12/1981,1:00,"
        + "x" * 1_000_000
        + "\n"
        + "123456789012345678901234,USA,Huge Number,STS-1,04/12/1981,1:00,too long\n"
        + "\u0661\u0662,USA,Not Twelve,STS-1,04/12/1981,1:00,Arabic-Indic twelve\n"
        + "901,USA,Last Row,STS-2,11/12/1981,2:00,still read\n",
        encoding="utf-8",
    )
    cat = Catalogue(tmp_path / "c.sqlite")
    report = cat.import_files([hostile])
    assert report.added == 16 + 1  # the fixture's good rows and the last one
    reasons = " | ".join(str(p) for p in report.problems)
    assert "row skipped" in reasons and "1 to 6 digits" in reasons
    assert (
        sum(
            "field larger than field limit" in str(p) or "characters" in str(p)
            for p in report.problems
        )
        == 1
    )
    ev = cat.evas().set_index("id")
    assert "nasa-901" in ev.index and "Not Twelve" not in " ".join(ev["crew"].sum())


def test_the_dataset_quirks_are_read(fixture_cat):
    ev = fixture_cat.evas().set_index("id")
    # mojibake repaired; a quoted purpose over two lines kept whole
    assert ev.loc["voskhod-2-eva-1", "purpose"] == "World's first EVA"
    assert 'ammonia servicer" second line' in ev.loc["sts-102-eva-1", "purpose"]
    # crews split on runs of spaces and on '/'; surnames alone joined to the full names
    assert set(ev.loc["nasa-64", "crew"]) == {"Pierre Thuot", "Rick Hieb", "Tom Akers"}
    # date forms: "Mar. 18, 1965", "March 16-17, 1966" (first day), "Sept. 1973" (month)
    assert str(ev.loc["voskhod-2-eva-1", "date"].date()) == "1965-03-18"
    assert str(ev.loc["nasa-2", "date"].date()) == "1966-03-16"
    assert ev.loc["nasa-235", "date_precision"] == "month"
    # numberless and zero-minute rows are cancelled EVAs, counted in no total
    assert ev["cancelled"].sum() == 3
    # transliterations: both spellings of Tsibliyev are one person (records.toml alias)
    assert _person_row(fixture_cat, "Vasily Tsibliyev")["evas"] == 2


def test_import_is_idempotent_and_updates_a_changed_row(tmp_path):
    cat = Catalogue(tmp_path / "c.sqlite")
    first = cat.import_files([FIXTURE])
    again = cat.import_files([FIXTURE])
    assert (again.added, again.updated, again.unchanged) == (0, 0, first.added)
    assert len(cat.evas()) == len(Catalogue(tmp_path / "c.sqlite").evas())
    changed = tmp_path / "edited" / FIXTURE.name  # same name: each row's source stays the same
    changed.parent.mkdir()
    changed.write_bytes(FIXTURE.read_bytes().replace(b"8:29,Three", b"8:30,Three"))
    third = cat.import_files([changed])
    assert (third.added, third.updated) == (0, 1)


def test_bad_files_get_clear_errors(tmp_path, capsys):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("Name,When\nLeonov,1965\n", encoding="utf-8")
    missing = tmp_path / "missing.csv"
    code = main(
        ["catalogue", "--db", str(tmp_path / "c.sqlite"), "import", str(wrong), str(missing)]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert f"{wrong}:1: header lacks EVA #, Country" in out
    assert "(the NASA 'Extra-vehicular Activity (EVA) - US and Russia' format)" in out
    assert f"{missing}:0: cannot read the file" in out


@needs_dataset
def test_the_full_dataset_imports_with_no_lost_rows(full_cat, tmp_path):
    report = Catalogue(tmp_path / "c.sqlite").import_files(DATASET)
    assert report.added == 375 + 16 and not report.problems
    ev = full_cat.evas().set_index("id")
    assert len(ev) == 375 + 16 + 1  # + Polaris Dawn, which only the project's records hold
    # four numberless rows; Gemini VIII, Soyuz 12 and Mir 25 (hatch bolts stuck) at 0:00
    assert ev["cancelled"].sum() == 7
    leonov = ev.loc["voskhod-2-eva-1"]
    assert leonov["crew"] == ["Alexei Leonov"] and leonov["duration_min"] == 12
    assert str(leonov["date"].date()) == "1965-03-18" and leonov["origin"] == "project+dataset"
    assert ev.loc["sts-102-eva-1", "duration_min"] == 8 * 60 + 56
    assert str(ev.loc["sts-102-eva-1", "date"].date()) == "2001-03-10"  # US local date
    assert ev.loc["iss-us-eva-23", "duration_min"] == 92
    assert set(ev.loc["nasa-217", "crew"]) == {"Doug Wheelock", "Tracy Caldwell Dyson"}


# ---------------------------------------------------------------------- fresh install, records
def test_a_fresh_install_knows_the_library_spacewalks(tmp_path):
    cat = Catalogue(tmp_path / "never-imported.sqlite")
    ev = cat.evas()
    assert not (tmp_path / "never-imported.sqlite").exists()
    assert set(ev["scenario"]) == set(library_names())
    assert all(e["source"] for e in own_records()["eva"])
    rec = query.records(cat).set_index("record")
    assert rec.loc["longest single EVA", "value"] == "8 h 56 min"
    assert rec.loc["longest single EVA", "who"] == "Jim Voss, Susan Helms"
    assert rec.loc["first EVA", "who"] == "Alexei Leonov"
    assert rec.loc["first EVA", "date"] == "1965-03-18"
    assert rec.loc["first untethered EVA", "who"].startswith("Bruce McCandless")
    assert rec.loc["first private EVA", "who"] == "Jared Isaacman, Sarah Gillis"
    assert rec.loc["first private EVA", "date"] == "2024-09-12"


def test_records_and_totals_on_the_fixture_checked_by_hand(fixture_cat):
    # Akers: 8:29 + 7:44 (STS-49) + 6:36 + 6:50 (STS-61) = 29 h 39 min in 4 EVAs
    akers = _person_row(fixture_cat, "Tom Akers")
    assert (akers["evas"], akers["total_min"]) == (4, 29 * 60 + 39)
    # Thornton: 7:44 + 6:36 + 6:50 = 21 h 10 min in 3 EVAs
    thornton = _person_row(fixture_cat, "Kathryn Thornton")
    assert (thornton["evas"], thornton["total_min"]) == (3, 21 * 60 + 10)
    rec = query.records(fixture_cat).set_index("record")
    assert rec.loc["most EVA time, one person", "who"] == "Tom Akers"
    assert rec.loc["most EVA time, one person", "value"] == "29 h 39 min in 4 EVAs"
    assert rec.loc["most EVAs, one person", "who"] == "Tom Akers"
    assert rec.loc["first EVA by USA", "who"] == "Ed White"
    # the cancelled STS-5 EVA counts for nobody
    assert "Bill Lenoir" not in set(query.person_totals(fixture_cat)["person"])


def test_list_filters(fixture_cat):
    ev, _ = query.list_evas(fixture_cat, country="Russia", year_from=1990, year_to=1999)
    assert set(ev["id"]) == {"nasa-285", "mir-1997-04-29"}
    ev, matches = query.list_evas(fixture_cat, person="Akers", vehicle="STS-61")
    assert matches[0].person == "Tom Akers" and set(ev["id"]) == {"sts-61-eva-2", "sts-61-eva-4"}
    ev, _ = query.list_evas(fixture_cat, simulated=True)
    assert ev["scenario"].notna().all() and len(ev) == len(own_records()["eva"])


@pytest.mark.parametrize(
    "query_, person",
    [
        ("McCandles", "Bruce McCandless"),
        ("Gilis", "Sarah Gillis"),
        ("Tsibliev", "Vasily Tsibliyev"),
        ("Vassily Tsibliyev", "Vasily Tsibliyev"),
        ("Katherine Thornton", "Kathryn Thornton"),
        ("Parmitan", "Luca Parmitano"),
    ],
)
def test_person_matching_copes_with_spelling_variants(fixture_cat, query_, person):
    matches, ev = query.person(fixture_cat, query_)
    assert matches[0].person == person
    assert query_ in str(matches[0]) and person in str(matches[0])
    assert len(ev) >= 1


def test_indexed_grouping_equals_comparing_every_pair():
    """identities() compares a spelling only with the groups its index proposes (same
    initial, a shared surname bigram); the grouping must be the one that comparing with
    every group gives, for variants, initials, surnames alone, short surnames and names
    whose first name folds to nothing."""
    import random

    from spacewalk.catalogue.names import identities, same_person

    def every_pair(spellings):
        counts = {}
        for s in spellings:
            counts[s] = counts.get(s, 0) + 1
        groups = []
        for s in sorted((s for s in counts if len(s.split()) > 1), key=lambda s: -counts[s]):
            g = next((g for g in groups if same_person(s, g[0])), None)
            g.append(s) if g else groups.append([s])
        for s in (s for s in counts if len(s.split()) == 1):
            fits = [g for g in groups if same_person(s, g[0])]
            fits[0].append(s) if len(fits) == 1 else groups.append([s])
        return sorted(sorted(g) for g in groups)

    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word(lo, hi):
        return rng.choice(letters).upper() + "".join(
            rng.choice(letters) for _ in range(rng.randint(lo, hi))
        )

    base = [f"{word(3, 6)} {word(0, 8)}" for _ in range(200)]
    names = (
        base + [b.split()[1] for b in base[:30]] + [f"{b[0]}. {b.split()[1]}" for b in base[30:60]]
    )
    names += [b[:-1] + "x" for b in base[60:100]] + ["\u042f" + b for b in base[100:110]]
    names += ["Li", "Wu", "Ann Li", "Al Lu", "Abe Jr", "Vasily Tsibliyev", "Vasiliy Tsibliev"]
    got = identities(names)
    groups = {}
    for spelling, person in got.canonical.items():
        groups.setdefault(person, []).append(spelling)
    assert sorted(sorted(g) for g in groups.values()) == every_pair(names)


def test_same_person_needs_a_compatible_first_name():
    assert same_person("Mike Good", "Michael Good")
    assert same_person("Anatoli Solovyov", "Anatoly Solovyev")
    assert same_person("Yri Onufrienko", "Yuri Onufrenko")
    assert not same_person("Vladimir Solovyov", "Anatoly Solovyev")
    assert not same_person("Yuri Romanenko", "Roman Romanenko")


def test_cli_person_records_list_timeline(fixture_cat, tmp_path, capsys):
    db = ["catalogue", "--db", str(fixture_cat.path)]
    assert main([*db, "person", "Akers"]) == 0
    out = capsys.readouterr().out
    assert "'Akers' matched Tom Akers: exact" in out and "4 EVAs, 29 h 39 min in all" in out
    assert main([*db, "records", "--format", "csv"]) == 0
    assert 'longest single EVA,8 h 56 min,"Jim Voss, Susan Helms"' in capsys.readouterr().out
    assert main([*db, "list", "--simulated"]) == 0
    assert "polaris-dawn-2024" in capsys.readouterr().out
    png = tmp_path / "t.png"
    assert main([*db, "timeline", "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main([*db, "person", "Zzyzx Qwerty"]) == 1
    assert "no person in the catalogue is close to 'Zzyzx Qwerty'" in capsys.readouterr().err


# ---------------------------------------------------------------------- links
def test_scenarios_and_catalogue_rows_link_both_ways():
    for name in library_names():
        entries = entries_for_scenario(name, load_scenario(name).scenario.catalogue_id)
        assert entries, name
        assert load_scenario(name).scenario.catalogue_id in {e["id"] for e in entries}
    assert [e["id"] for e in entries_for_scenario("sts-61-1993")] == [
        f"sts-61-eva-{k}" for k in range(1, 6)
    ]


# ---------------------------------------------------------------------- claims
OWN_TEXT = """Helms and Voss stayed outside for 8 hours and 56 minutes in March 2001, the longest spacewalk.
On June 1965, 4, Ed White opened the hatch of Gemini 4.
On March 1965, XNUMX, Alexei Leonov made the first walk in space.
Aldrin spent a total of five hours and 48 minutes on his Gemini 12 spacewalks.
During the STS-41-B mission on February 7, 1984, McCandless flew 91 meters from the shuttle on the MMU.
The STS-61 crew made five consecutive spacewalks, a total of 35 hours and 28 minutes.
Tom Akers set a record with a 29-hour, 39-minute spacewalk.
On the repair mission Kathy Thornton spent a total of 21 hours and 10 minutes outside the spacecraft.
The lid took 10 minutes to lock.
"""


def _verdicts(claims):
    return {(c.line, c.text): (c.verdict, c.record) for c in claims}


def test_claims_in_our_own_text_get_the_known_answers(fixture_cat):
    v = _verdicts(check_text(OWN_TEXT, fixture_cat))
    assert v[(1, "8 hours and 56 minutes")][0] == SUPPORTED
    assert "the longest EVA on record" in v[(1, "8 hours and 56 minutes")][1]
    assert v[(1, "March 2001")][0] == SUPPORTED
    verdict, record = v[(2, "June 1965, 4")]
    assert verdict == CONTRADICTED and "garbled" in record and "03 Jun 1965" in record
    verdict, record = v[(3, "March 1965, XNUMX")]
    assert verdict == CONTRADICTED and "placeholder" in record and "18 Mar 1965" in record
    verdict, record = v[(4, "five hours and 48 minutes")]
    assert verdict == CONTRADICTED and "5 h 30 min over 3 EVAs of Gemini 12" in record
    assert v[(5, "February 7, 1984")][0] == SUPPORTED
    verdict, record = v[(5, "91 meters")]
    assert verdict == CONTRADICTED and "98 m" in record
    assert v[(6, "five consecutive spacewalks")][0] == SUPPORTED
    assert v[(6, "35 hours and 28 minutes")][0] == SUPPORTED
    verdict, record = v[(7, "29-hour, 39-minute")]
    assert verdict == CONTRADICTED and "not one spacewalk" in record and "career" in record
    verdict, record = v[(8, "21 hours and 10 minutes")]
    assert verdict == CONTRADICTED and "career total, not one mission's" in record
    assert "13 h 26 min on STS-61" in record
    assert not any(line == 9 for line, _ in v)  # no EVA in that sentence: no claim


def test_claims_without_a_subject_are_not_checkable(tmp_path):
    claims = check_text("Someone spent 40 minutes outside.", Catalogue(tmp_path / "c.sqlite"))
    assert [c.verdict for c in claims] == [UNCHECKABLE]


def test_check_reads_stdin_and_exits_1_on_a_contradiction(fixture_cat, monkeypatch, capsys):
    import io

    text = "Aldrin spent 5 hours and 48 minutes in total on his Gemini 12 spacewalks."
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(["catalogue", "--db", str(fixture_cat.path), "check", "-"]) == 1
    captured = capsys.readouterr()
    assert "contradicted" in captured.out and "1 claims: 1 contradicted" in captured.err


@needs_dataset
@pytest.mark.skipif(not SEEDS.exists(), reason="the articles are not at ../shared/seeds")
def test_the_articles_errors_are_flagged(full_cat, tmp_path):
    text = (SEEDS / "spacewalk-history-news.txt").read_text(encoding="utf-8")
    claims = check_text(text, full_cat)
    by_text = {c.text: c for c in claims}
    assert by_text["March 1965, XNUMX"].verdict == CONTRADICTED  # Voskhod 2: 18 Mar 1965
    assert by_text["June 1965, 4"].verdict == CONTRADICTED  # Gemini 4: 3 Jun 1965
    assert by_text["five hours and 48 minutes"].verdict == CONTRADICTED  # Aldrin: 5 h 30
    akers = by_text["29-hour, 39-minute"]
    assert akers.verdict == CONTRADICTED and "career" in akers.record
    thornton = by_text["21 hours and 10 minutes"]
    assert thornton.verdict == CONTRADICTED and "career total" in thornton.record
    helms = by_text["eight hours and 56 minutes"]
    assert helms.verdict == SUPPORTED and "Jim Voss, Susan Helms" in helms.record
    # and the CLI says the same
    copy = tmp_path / "article.txt"
    shutil.copy(SEEDS / "spacewalk-history-news.txt", copy)
    assert main(["catalogue", "--db", str(full_cat.path), "check", str(copy)]) == 1


def test_the_docs_example_runs_and_every_column_is_documented(tmp_path, monkeypatch):
    text = (Path(__file__).parents[1] / "docs" / "catalogue.md").read_text(encoding="utf-8")
    code = text.split("```python\n")[1].split("```")[0]
    monkeypatch.setenv("SPACEWALK_DATA_DIR", str(tmp_path))
    scope: dict = {}
    exec(compile(code, "docs/catalogue.md", "exec"), scope)  # the docs' own example
    assert scope["claims"]["verdict"].tolist() == [SUPPORTED]
    for column in scope["evas"].columns:
        assert f"`{column}`" in text, column


def test_records_show_ties_dates_in_utc_and_counts_read_right(tmp_path, capsys):
    """Issue 20: Musgrave and Hoffman tie on STS-61's 22 h 02 min; one date convention (UTC,
    the local date noted where it differs); "1 EVA"; a note that only the library is in the
    catalogue before any import; a person's count is compared with theirs (3 of STS-61's 5)."""
    from spacewalk.cli import main

    db = str(tmp_path / "cat.db")
    assert main(["catalogue", "--db", db, "records", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert "Jeff Hoffman, Story Musgrave (tied)" in out
    assert "2001-03-11 (local 03-10)" in out  # STS-102: 05:12 UTC on 11 March
    assert "holds only the library's EVAs" in err
    assert main(["catalogue", "--db", db, "person", "Leonov"]) == 0
    assert "\n1 EVA, 12 min in all" in capsys.readouterr().out
    claims = check_text(
        "Story Musgrave made five spacewalks on STS-61. STS-61 had five spacewalks.",
        Catalogue(tmp_path / "cat.db"),
    )
    assert [c.verdict for c in claims] == ["contradicted", "supported"]
    assert "Story Musgrave made 3 of STS-61's 5 EVAs" in claims[0].record
