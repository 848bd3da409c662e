"""The compiled kernels' first compile: Numba compiles a kernel on its first call after an
install and caches the machine code on disk (``cache=True``); later runs load it. This module
lets the command line say so on the terminal, once per notice, as it happens."""

from __future__ import annotations

import hashlib
from pathlib import Path

# The fast-math flag of the physics kernels: a division may be a multiplication by the
# divisor's reciprocal (LLVM's ``arcp``; within an ulp of the division, and the same in the
# stretch as in the Python step, which call the same kernels). Their divisions by volumes,
# step lengths and constants were a tenth of a dispersed run's time (docs/benchmarks.md).
# Not for kernels that have a NumPy twin held to them bit for bit (the timeline, the rules,
# the crew's starts and motion): NumPy divides.
ARCP = {"arcp"}

ENGINE_NOTICE = "compiling the engine's kernels once (a few seconds; later runs reuse them) ..."

_announce = None  # called with a notice before a kernel compiles (set by the command line)
_said: set[str] = set()
_ready: set[int] = set()  # kernels known to be compiled or loaded (by id): no more checks
_KERNELS: list[tuple[object, str]] = []  # every registered kernel and its notice


_PACKAGE = Path(__file__).resolve().parents[1]
_sources: str | None = None


def sources_stamp() -> str:
    """A hash of the sources every kernel may call into or take a constant from (the
    physics, the engine, units and the scenario's presets and model)."""
    global _sources
    if _sources is None:
        h = hashlib.sha256()
        files = [*_PACKAGE.glob("physics/*.py"), *_PACKAGE.glob("sim/**/*.py")]
        files += [_PACKAGE / "units.py", *(_PACKAGE / "scenario").glob("[mp]*.py")]
        for f in sorted(files):
            h.update(f.relative_to(_PACKAGE).as_posix().encode() + b"\0" + f.read_bytes())
        _sources = h.hexdigest()
    return _sources


def register(kernel, notice: str):
    """Record a kernel and the sentence said before it compiles; returns the kernel.

    Numba keys a cached kernel on its own file's source only, so a kernel whose callee (a
    physics function, another subsystem's kernel) changed would load its old machine code,
    after an upgrade too (the cache files stay in ``__pycache__``). The key of a registered
    kernel also holds :func:`sources_stamp`: any change to those sources compiles it again."""
    _KERNELS.append((kernel, notice))
    cache_file = getattr(getattr(kernel, "_cache", None), "_cache_file", None)
    if cache_file is not None and hasattr(cache_file, "_source_stamp"):
        cache_file._source_stamp = (cache_file._source_stamp, sources_stamp())
    return kernel


def on_compile(callback) -> None:
    """Have ``callback(notice)`` called before a registered kernel that is not in the on-disk
    cache runs for the first time (once per notice and process)."""
    global _announce
    _announce = callback
    _said.clear()
    _ready.clear()


def compiled(kernel) -> bool:
    """Compiled or loaded in this process, or in Numba's on-disk cache under the current
    sources (its index is read: one left by other sources does not count; True when it
    cannot be told)."""
    if kernel.signatures:
        return True
    try:
        cache_file = kernel._cache._cache_file
    except AttributeError:
        return True
    try:
        return bool(cache_file._load_index())  # {} when missing or stale
    except Exception:  # noqa: BLE001 - Numba's internals changed: the index file's presence
        return Path(cache_file._index_path).exists()


def about_to_run(kernel, notice: str) -> None:
    """Say ``notice`` (once) if ``kernel`` is about to compile. Called before every kernel
    call of every engine step: after the first, a set lookup (Numba's ``signatures`` builds
    its list afresh, tens of microseconds a call)."""
    if _announce is None or id(kernel) in _ready:
        return
    _ready.add(id(kernel))  # after this call it is compiled, or being compiled
    if kernel.signatures or notice in _said or compiled(kernel):
        return
    _said.add(notice)
    _announce(notice)


def to_compile() -> list[str]:
    """The notices of registered kernels not yet in the on-disk cache, each once (for
    commands whose worker processes will compile them)."""
    out: list[str] = []
    for kernel, notice in _KERNELS:
        if notice not in out and not compiled(kernel):
            out.append(notice)
    return out
