"""Loading scenarios: TOML text or files, the built-in library, and back to plain data.

Files are parsed with :mod:`tomllib` (never evaluated), validated into the typed model of
:mod:`spacewalk.scenario.model`, cross-checked, and their dispersions resolved; every problem
is an :class:`~spacewalk.scenario.model.Issue` in one :class:`ScenarioError`.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import budget
from .dispersions import resolve
from .model import (
    FlightRule,
    Issue,
    Scenario,
    ScenarioError,
    _cross_check,
    _issue_from_pydantic,
    _resolve_suits,
)
from .rules import STANDARD_RULES


def scenario_from_mapping(raw: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a parsed TOML mapping into a :class:`Scenario`, or raise :class:`ScenarioError`."""
    if not isinstance(raw, Mapping):
        raise ScenarioError(source, [Issue("", "expected a table at the top level", "")])
    deep = _too_deep(raw)
    if deep is not None:
        raise ScenarioError(
            source,
            [
                Issue(
                    deep,
                    f"nested more than {MAX_DEPTH} levels deep",
                    "a scenario is a few levels deep: flatten it",
                )
            ],
        )
    issues: list[Issue] = []
    data = dict(raw)
    data["suits"] = _resolve_suits(data, issues)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        issues += [_issue_from_pydantic(e) for e in exc.errors(include_url=False)]
        issues += _also_missing(data, issues)
        raise ScenarioError(source, issues) from None
    issues += _cross_check(scenario)
    issues += budget.check(scenario)
    if scenario.campaign is not None:
        issues += resolve(scenario)[1]
    if issues:
        raise ScenarioError(source, issues)
    if scenario.flight_rules is None:
        rules = [FlightRule(**r) for r in STANDARD_RULES]
        scenario = scenario.model_copy(update={"flight_rules": rules})
    return scenario


def _also_missing(data: Mapping, issues: list[Issue]) -> list[Issue]:
    """What the cross-checks would say next once the missing tables are added, said now: the
    whole list in one pass (an orbit also needs a date)."""
    info = data.get("scenario") if isinstance(data.get("scenario"), Mapping) else {}
    orbit_missing = any(i.path == "orbit" and "missing" in i.problem for i in issues)
    if orbit_missing and not info.get("start_utc"):
        return [
            Issue(
                "scenario.start_utc",
                "the orbit needs a date: day and night come from the Sun's direction",
                'set start_utc = "YYYY-MM-DDTHH:MM:SSZ", the UTC instant the simulation starts',
            )
        ]
    return []


MAX_DEPTH = 16  # tables and arrays inside each other; the deepest real scenario has 5


def _too_deep(value: Any, path: str = "", depth: int = 0) -> str | None:
    """The key path where ``value`` nests deeper than MAX_DEPTH (None: it does not)."""
    if depth > MAX_DEPTH:
        return path or "(top level)"
    items = (
        value.items()
        if isinstance(value, Mapping)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        if isinstance(item, (Mapping, list)):
            where = (
                f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else str(key)
            )
            found = _too_deep(item, where, depth + 1)
            if found is not None:
                return found
    return None


def parse_toml(text: str, source: str = "<scenario>") -> Scenario:
    """Parse TOML text (never evaluated) and validate it."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(
            source,
            [Issue("", f"not valid TOML: {exc}", "fix the syntax at the line and column shown")],
        ) from None
    except RecursionError:
        raise ScenarioError(
            source,
            [
                Issue(
                    "",
                    f"nested more than {MAX_DEPTH} levels deep",
                    "a scenario is a few levels deep: flatten it",
                )
            ],
        ) from None
    return scenario_from_mapping(raw, source)


def library_dir() -> Path:
    return Path(__file__).parent / "library"


ALIASES = {"polaris-dawn": "polaris-dawn-2024", "mmu-excursion": "sts-41b-1984"}


def library_names() -> list[str]:
    return sorted(p.stem for p in library_dir().glob("*.toml"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a built-in scenario by name (``spacewalk scenarios`` lists them) or a TOML file."""
    text_name = str(name_or_path)
    candidate = Path(text_name)
    if candidate.suffix != ".toml" and not candidate.exists():
        stem = ALIASES.get(text_name, text_name)
        lib = library_dir() / f"{stem}.toml"
        if lib.exists():
            return parse_toml(lib.read_text(encoding="utf-8"), f"library:{stem}")
        names = library_names()
        close = difflib.get_close_matches(text_name, names + list(ALIASES), n=1)
        raise ScenarioError(
            text_name,
            [
                Issue(
                    "",
                    f"no built-in scenario named {text_name!r} and no such file",
                    f"use one of {', '.join(names)}"
                    + (f" (did you mean {close[0]!r}?)" if close else "")
                    + ", or give the path of a .toml file",
                )
            ],
        )
    try:
        raw_bytes = candidate.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(
            str(candidate), [Issue("", "file not found", "check the path")]
        ) from None
    except IsADirectoryError:
        raise ScenarioError(
            str(candidate),
            [Issue("", "this is a folder, not a scenario file", "give the path of a .toml file")],
        ) from None
    except OSError as exc:
        raise ScenarioError(
            str(candidate),
            [
                Issue(
                    "",
                    f"cannot read the file: {exc.strerror}",
                    "check the path and its permissions",
                )
            ],
        ) from None
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            str(candidate),
            [Issue("", f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8")],
        ) from None
    return parse_toml(text, str(candidate))


def scenario_to_mapping(scenario: Scenario) -> dict:
    """The resolved scenario as plain data (for ``scenario.toml`` in a run folder)."""
    data = scenario.model_dump(mode="json", exclude_none=True, by_alias=True)
    return data
