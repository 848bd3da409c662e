"""The command line as a new user meets it (issue 20): a version, help for every argument, quiet
when piped into `head`, every problem of a file at once with the nearest key for a misspelt one,
feedback before long work, and catalogue commands that do not load the engine."""

import argparse
import json
import os
import subprocess
import sys

import pytest

from spacewalk import __version__, cli, load_scenario
from spacewalk.physics import jit, motion


def _parser() -> argparse.ArgumentParser:
    captured = {}

    class StopParsingError(Exception):
        pass

    def grab(self, *args, **kwargs):
        captured["parser"] = self
        raise StopParsingError

    orig = argparse.ArgumentParser.parse_args
    argparse.ArgumentParser.parse_args = grab
    try:
        with pytest.raises(StopParsingError):
            cli.main([])
    finally:
        argparse.ArgumentParser.parse_args = orig
    return captured["parser"]


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"spacewalk {__version__}"


def test_every_positional_argument_has_help():
    missing = []

    def walk(p, path):
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                for name, sub in a.choices.items():
                    walk(sub, [*path, name])
            elif not a.option_strings and not a.help:
                missing.append(" ".join([*path, a.dest]))

    walk(_parser(), ["spacewalk"])
    assert not missing


@pytest.mark.parametrize("args", [["scenarios"], ["catalogue", "list"], ["prebreathe", "--list"]])
def test_piped_into_head_there_is_no_traceback(args):
    exe = [sys.executable, "-m", "spacewalk", *args]
    proc = subprocess.run(
        " ".join(exe) + " | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        executable="/bin/bash",
    )
    assert proc.returncode == 0 and proc.stdout.strip()
    assert "Traceback" not in proc.stderr and "Broken pipe" not in proc.stderr


def test_a_misspelt_key_gets_the_nearest_and_a_missing_orbit_its_date_too(tmp_path, capsys):
    f = tmp_path / "bad.toml"
    f.write_text(
        '[scenario]\nname = "x"\n[vehicle]\nhatch_diameter_m = 1\n[vehicle.cabin]\n'
        "volume_m3 = 10\npressure_psi = 14.7\nvent_diameter_cm = 5\nrepress_flow_kg_min = 1\n"
        '[[crew]]\nid = "a"\nrole = "eva"\nsuit = "emu"\n'
        '[[timeline.a]]\nactivity = "task"\nduraton_min = 5\n'
    )
    assert cli.main(["validate", str(f)]) == 1
    err = capsys.readouterr().err
    assert "unknown key `duraton_min`" in err and "did you mean `duration_min`?" in err
    # the orbit is missing, and once added it would need a date: both now, in one pass
    assert "orbit: required key is missing" in err
    assert "scenario.start_utc: the orbit needs a date" in err


def test_catalogue_commands_do_not_load_the_engine():
    code = (
        "import sys; from spacewalk.cli import main; "
        "main(['catalogue', 'records']); "
        "loaded = [m for m in ('numba', 'spacewalk.sim.engine', 'matplotlib') if m in sys.modules]; "
        "print('LOADED', loaded)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "LOADED []" in out.stdout, out.stdout[-500:] + out.stderr[-500:]


def test_a_notice_before_the_first_compile(monkeypatch, capsys, tmp_path):
    """Issue 21: the first run after an install says that it compiles, and which kernel; a
    scenario in which nobody floats free compiles only the small held-crew kernel. Run in a
    fresh process with an empty Numba cache, so the compile really happens."""
    code = (
        "from spacewalk.cli import compile_notice; compile_notice();"
        "from spacewalk.physics.motion import Bodies; import sys;"
        "b = Bodies(2, 1); b.set_circular(0.00113); b.advance(1, 0.1);"
        "print('HELD DONE', file=sys.stderr, flush=True); b.advance(1, 0.1)"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-800:]
    lines = out.stderr.splitlines()
    assert lines == [jit.ENGINE_NOTICE, "HELD DONE"]  # once, and not the free-flight one
    # commands whose worker processes compile say so at once, for what is not cached
    monkeypatch.setattr(jit, "to_compile", lambda: [motion.FREE_NOTICE])
    cli.compile_notice(workers=True)
    assert capsys.readouterr().err == motion.FREE_NOTICE + "\n"
    monkeypatch.setattr(jit, "to_compile", lambda: [])
    cli.compile_notice(workers=True)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(jit, "_announce", None)


def test_a_first_run_compiles_in_two_processes(tmp_path):
    """Issue 21: the warm-up helper (sim/warm.py), given the scenario, compiles the kernels
    the engine uses last with the engine's own types, then the compiled stretch: after it, a
    run in the same fresh Numba cache compiles only what the engine uses first (the
    timeline's and the motion's kernels; the command compiles those while the helper works).
    Once all is cached, no helper starts."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    listen = (
        "from numba.core import event as ev; import json; done = []\n"
        "class L(ev.Listener):\n"
        "    def on_start(self, e): pass\n"
        "    def on_end(self, e): done.append(e.data['dispatcher'].py_func.__name__)\n"
        "ev.register('numba:compile', L())\n"
        "from spacewalk import load_scenario; from spacewalk.sim.plan import compile_plan\n"
        "sc = load_scenario('polaris-dawn-2024')\n"
    )
    warm = listen + (  # what the helper does (warm.main): the engine's kernels, the stretch
        "from spacewalk.sim import warm; warm.warm(compile_plan(sc));"
        "warm.warm_stretch(compile_plan(sc)); print(json.dumps(done))"
    )
    out = subprocess.run([sys.executable, "-c", warm], capture_output=True, text=True, env=env,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-800:]
    assert {"_kernel", "_tally", "_fires", "_environment", "all_over", "_run"} <= set(
        json.loads(out.stdout)
    )
    run = listen + (
        "from spacewalk import simulate; simulate(sc); print(json.dumps(done))\n"
        "from spacewalk.sim import warm; print(warm.start(sc))"
    )
    out = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, env=env,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-800:]
    compiled, helper = out.stdout.splitlines()
    first = {  # the timeline's and the motion's (impl: Numba's own)
        "_quiet_kernel", "_hatch_at", "_chief_after", "_advance_all_held", "_beyond_reach",
        "_peak_and_range", "impl",
    }  # fmt: skip
    assert set(json.loads(compiled)) <= first
    assert helper == "None"  # everything cached: no helper


def test_compile_compiles_every_kernel_once(tmp_path):
    """`spacewalk compile` (a container image, a Python session): every registered kernel,
    the compiled stretch included, into an empty Numba cache; a second call has nothing to
    do, and a run after it compiles nothing."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "spacewalk", "compile"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-800:]
    assert "compiled every kernel" in out.stdout and "(the stretch ready)" in out.stdout
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    run = subprocess.run(
        [sys.executable, "-m", "spacewalk", "run", "sts-61-1993", "--out", str(tmp_path / "run")],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-800:]
    assert "compiling" not in run.stderr and "helper" not in run.stderr


def test_one_helper_compiles_at_a_time(tmp_path):
    """A second command while the first's helper still compiles (the stretch takes 12-15 s
    after the first run) starts a helper that finds the lock held and leaves the work to
    the first: it compiles nothing."""
    import fcntl

    import tomli_w

    from spacewalk.scenario.load import scenario_to_mapping
    from spacewalk.sim import warm

    text = tomli_w.dumps(scenario_to_mapping(load_scenario("polaris-dawn")))
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    with open(warm._LOCK, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        out = subprocess.run(
            [sys.executable, "-c", "from spacewalk.sim.warm import main; main()"],
            input=text, capture_output=True, text=True, env=env, timeout=300,
        )  # fmt: skip
    assert out.returncode == 0, out.stderr[-800:]
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.nbc"))


def test_long_checks_report_progress(capsys):
    assert cli.main(["models", "validate"]) == 0
    err = capsys.readouterr().err
    assert "[1/3] helmet CO2" in err and "[3/3] DCS" in err


def test_a_kernel_cached_under_other_sources_is_compiled_again(tmp_path):
    """Numba keys a cached kernel on its own file alone; a registered kernel's key also
    holds the sources it may call into (physics.jit.sources_stamp): the battery's kernel
    cached under one set of sources counts as not compiled under another (an upgrade that
    changed only a callee), and is compiled again instead of loading stale machine code."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    call = (
        "import numpy as np; from spacewalk.sim.subsystems import power;"
        "a = np.zeros((1, 1)); z = np.zeros((1, 1), np.bool_);"
        "power._outputs(a, a, a, z, z, z.copy(), a.copy())"
    )
    check = "from spacewalk.sim.subsystems import power; print(jit.compiled(power._outputs))"
    for code, expected in (
        (f"from spacewalk.physics import jit; {call}", None),
        (f"from spacewalk.physics import jit; {check}", "True"),
        (f"from spacewalk.physics import jit; jit._sources = 'other'; {check}", "False"),
    ):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, timeout=300)  # fmt: skip
        assert out.returncode == 0, out.stderr[-800:]
        if expected:
            assert out.stdout.strip() == expected
