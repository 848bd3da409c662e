"""The docs a new user relies on stay in step with the code."""

import re
from pathlib import Path

from spacewalk import CHANNELS
from spacewalk.scenario import model as scenario

ROOT = Path(__file__).resolve().parents[1]


def test_every_scenario_key_is_documented():
    text = (ROOT / "docs" / "scenario-format.md").read_text()
    models = (
        scenario.ScenarioInfo,
        scenario.EngineSettings,
        scenario.Vehicle,
        scenario.Vessel,
        scenario.Lock,
        scenario.Orbit,
        scenario.PrebreatheStage,
        scenario.CrewMember,
        scenario.Activity,
        scenario.FlightRule,
        scenario.Fault,
        scenario.Suit,
        scenario.Tether,
        scenario.Target,
        scenario.Box,
        scenario.Cylinder,
        scenario.Site,
        scenario.TranslationPath,
        scenario.Arm,
        scenario.CampaignSettings,
        scenario.Dispersion,
    )
    for model in models:
        for name, field in model.model_fields.items():
            name = field.alias or name
            assert f"`{name}`" in text, f"{model.__name__}.{name} is not in docs/scenario-format.md"
    for act in scenario.ACTIVITIES:
        assert f"`{act}`" in text


def test_every_channel_is_in_the_readme():
    text = (ROOT / "README.md").read_text()
    for ch in CHANNELS:
        assert f"| `{ch.name}` |" in text


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = 'python3 -m pip install -e ".[test]" && python3 -m pytest -q'
    assert command in readme and command in ci
    assert re.search(r"spacewalk run polaris-dawn --out runs/pd", readme)


def test_architecture_lists_every_event_code_and_its_example_runs():
    from spacewalk.scenario.events import EVENT_TYPES

    text = (ROOT / "docs" / "architecture.md").read_text()
    for e in EVENT_TYPES:
        assert f"| `{e.code}` | {e.severity} | {e.source}:" in text
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/architecture.md", "exec"), {})  # the worked example asserts


def test_architecture_names_every_subsystem():
    import pkgutil

    from spacewalk.sim import subsystems

    text = (ROOT / "docs" / "architecture.md").read_text()
    for mod in pkgutil.iter_modules(subsystems.__path__):
        assert f"| `{mod.name}` |" in text, f"{mod.name} is not in docs/architecture.md"


def test_the_readme_scenario_block_is_a_whole_scenario_with_a_prebreathe():
    """Issue 20 and 17: the README's first scenario block runs as it stands (orbit, start time,
    a prebreathe), and its prebreathe passes the NASA acceptance test (no warning at load)."""
    from spacewalk import parse_toml
    from spacewalk.sim.advice import dcs_advisories

    text = (ROOT / "README.md").read_text()
    start = text.index("```toml", text.index("## Writing a scenario")) + len("```toml")
    sc = parse_toml(text[start : text.index("```", start)], "README.md")
    assert sc.prebreathe and sc.prebreathe[0].protocol
    assert dcs_advisories(sc) == []
