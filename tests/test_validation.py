"""Bad scenario files: every one gets a clear error naming the key path; never a traceback."""

import copy
import tomllib

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spacewalk import ScenarioError, load_scenario, parse_toml
from spacewalk.scenario import library_dir

BASE = tomllib.loads((library_dir() / "polaris-dawn-2024.toml").read_text(encoding="utf-8"))


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


PATHS = list(_paths(BASE))
JUNK = st.one_of(
    st.text(max_size=8),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _get(data, path):
    for p in path[:-1]:
        data = data[p]
    return data


@st.composite
def broken(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _get(data, path)
        how = draw(st.sampled_from(["delete", "replace", "extra"]))
        try:
            if how == "delete":
                del parent[path[-1]]
            elif how == "replace":
                parent[path[-1]] = draw(JUNK)
            elif isinstance(parent, dict):
                parent[draw(st.text(min_size=1, max_size=10))] = draw(JUNK)
        except (KeyError, IndexError, TypeError):
            pass
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken())
def test_mutated_scenarios_give_clear_errors_never_tracebacks(data):
    text = tomli_w.dumps(data)
    try:
        parse_toml(text, "fuzz.toml")
    except ScenarioError as exc:
        assert exc.issues
        assert str(exc).startswith("fuzz.toml:")
        for issue in exc.issues:
            assert issue.problem


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_is_rejected_cleanly(text):
    try:
        parse_toml(text, "junk.toml")
    except ScenarioError as exc:
        assert exc.issues


def _err(edit) -> ScenarioError:
    data = copy.deepcopy(BASE)
    edit(data)
    with pytest.raises(ScenarioError) as info:
        parse_toml(tomli_w.dumps(data), "my-eva.toml")
    return info.value


def test_unknown_key_is_an_error_with_a_suggestion():
    exc = _err(lambda d: d["vehicle"]["cabin"].update(volume_m33=9.3))
    text = str(exc)
    assert "my-eva.toml" in text and "vehicle.cabin.volume_m33" in text
    assert "did you mean `volume_m3`" in text


def test_wrong_type_names_path_and_expected_type():
    exc = _err(lambda d: d["vehicle"]["cabin"].update(pressure_psi="high"))
    (issue,) = exc.issues
    assert issue.path == "vehicle.cabin.pressure_psi"
    assert "expected a number" in issue.problem and "'high'" in issue.problem


def test_every_problem_is_reported_at_once():
    def edit(d):
        d["crew"][0]["suit"] = "emuu"
        d["timeline"]["isaacman"][3]["duration_min"] = -1
        d["faults"] = [{"kind": "water-intrusion", "crew": "nobody", "at_min": 1, "rate_mL_min": 1}]

    exc = _err(edit)
    paths = {i.path for i in exc.issues}
    assert "timeline.isaacman[3].duration_min" in paths
    exc2 = _err(lambda d: d["crew"][0].update(suit="emuu"))
    assert "did you mean 'emu'" in str(exc2)


def test_cross_references_are_checked():
    exc = _err(lambda d: d["timeline"]["gillis"][2].update(after="isaacman.ingres"))
    assert any("no activity labelled 'ingres'" in i.problem for i in exc.issues)
    exc = _err(
        lambda d: (
            d["faults"].append(
                {"kind": "suit-leak", "crew": "nobody", "at_min": 1, "hole_diameter_mm": 1}
            )
            if "faults" in d
            else d.update(
                faults=[{"kind": "suit-leak", "crew": "nobody", "at_min": 1, "hole_diameter_mm": 1}]
            )
        )
    )
    assert any(i.path == "faults[0].crew" for i in exc.issues)


def test_whole_cabin_depress_requires_everyone_suited():
    exc = _err(lambda d: d["crew"][3].pop("suit"))
    assert any("every crew member aboard must be suited" in i.problem for i in exc.issues)


def test_pressure_activities_take_no_duration():
    exc = _err(lambda d: d["timeline"]["isaacman"][1].update(duration_min=5))
    assert any("takes no duration_min" in i.problem for i in exc.issues)


def test_files_never_evaluated_and_bad_files_reported(tmp_path):
    code = tmp_path / "evil.toml"
    code.write_text("[scenario]\nname = \"__import__('os').system('touch pwned')\"\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(code)
    assert not (tmp_path / "pwned").exists()
    assert "scenario.name" in str(info.value)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(binary)
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "missing.toml")
    with pytest.raises(ScenarioError, match="no built-in scenario named 'polaris-dwan'"):
        load_scenario("polaris-dwan")
    bad = tmp_path / "syntax.toml"
    bad.write_text("[scenario\nname=1")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(bad)


# ---------------------------------------------------------------- what `run` would trip on


@pytest.mark.parametrize(
    "edit, path",
    [
        (lambda d: d["scenario"].update(start_utc="garbage"), "scenario.start_utc"),
        (lambda d: d["scenario"].update(start_utc="2024-09-12"), "scenario.start_utc"),
        (lambda d: d["scenario"].update(start_utc="2024-02-30T10:00:00Z"), "scenario.start_utc"),
        (lambda d: d["scenario"].update(start_utc="0001-01-01T00:00:00Z"), "scenario.start_utc"),
        (lambda d: d["orbit"].update(epoch_utc="9999-12-31T23:59:59Z"), "orbit.epoch_utc"),
        (lambda d: d["vehicle"]["cabin"].update(volume_m3=float("inf")), "vehicle.cabin.volume_m3"),
        (lambda d: d["vehicle"]["cabin"].update(volume_m3=float("nan")), "vehicle.cabin.volume_m3"),
        (lambda d: d.setdefault("suits", {}).update(bad={"base": ["emu"]}), "suits.bad.base"),
        (lambda d: d.setdefault("suits", {}).update(bad={"base": {"x": 1}}), "suits.bad.base"),
    ],
)
def test_what_run_would_trip_on_is_caught_by_validation(edit, path):
    """Each of these passed `validate` and then crashed `run` with a traceback."""
    exc = _err(edit)
    assert any(i.path.startswith(path) for i in exc.issues), [str(i) for i in exc.issues]


def test_nan_and_inf_in_a_choice_dispersion_are_refused():
    text = (library_dir() / "sts-102-2001.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    data["campaign"] = {
        "runs": 10,
        "dispersions": [
            {
                "target": "crew.helms.mass_kg",
                "distribution": "choice",
                "values": [60.0, float("nan")],
            },
        ],
    }
    with pytest.raises(ScenarioError, match="campaign.dispersions"):
        parse_toml(tomli_w.dumps(data), "c.toml")
    data["campaign"]["dispersions"][0].update(values=[60.0, 70.0], weights=[1.0, float("inf")])
    with pytest.raises(ScenarioError, match="campaign.dispersions"):
        parse_toml(tomli_w.dumps(data), "c.toml")


@pytest.mark.parametrize("kind", ["array", "table"])
def test_deep_nesting_is_an_error_not_a_recursion_error(kind):
    depth = 1000
    if kind == "array":
        text = "x = " + "[" * depth + "]" * depth + "\n"
    else:
        text = "x = " + "{a = " * depth + "1" + "}" * depth + "\n"
    with pytest.raises(ScenarioError, match="nested more than"):
        parse_toml(text, "deep.toml")
    shallow = copy.deepcopy(BASE)
    node = shallow["scenario"]
    for _ in range(40):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(ScenarioError, match="nested more than"):
        parse_toml(tomli_w.dumps(shallow), "deep.toml")


def test_a_scenario_over_the_resource_budget_is_refused_with_the_setting_to_change():
    """An 8 kB scenario asked for a recorded sample every 0.1 s over 12 h: 50 million values."""
    from spacewalk.scenario import budget

    exc = _err(
        lambda d: d.setdefault("engine", {}).update(
            dt_s=0.1, motion_dt_s=0.1, record_every_s=0.1, max_duration_h=12
        )
    )
    issue = next(i for i in exc.issues if i.path == "engine.record_every_s")
    assert "budget" in issue.problem and "record_every_s" in issue.fix
    sc = load_scenario("polaris-dawn-2024")
    assert budget.check(sc) == []
    # the console records every engine step: the same scenario at dt_s = 0.1 is over it
    fast = sc.model_copy(
        update={
            "engine": sc.engine.model_copy(
                update={"dt_s": 0.1, "motion_dt_s": 0.1, "max_duration_h": 12}
            )
        }
    )
    over = budget.check(fast, record_every_s=0.1)
    assert any(i.path == "engine.dt_s" and "console" in i.fix for i in over)


def test_a_service_umbilical_needs_a_vehicle_o2_store():
    exc = _err(
        lambda d: (
            d["vehicle"]["cabin"].update(service_umbilical=True),
            d["vehicle"].update(o2_store_kg=0.0),
        )
    )
    issue = next(i for i in exc.issues if i.path == "vehicle.cabin.service_umbilical")
    assert "o2_store_kg" in issue.fix
