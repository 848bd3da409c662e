"""The compiled kernels' first compile: Numba compiles a kernel on its first call after an
install and caches the machine code on disk (``cache=True``); later runs load it. This module
lets the command line say so on the terminal, once per notice, as it happens."""

from __future__ import annotations

from pathlib import Path

ENGINE_NOTICE = "compiling the engine's kernels once (a few seconds; later runs reuse them) ..."

_announce = None  # called with a notice before a kernel compiles (set by the command line)
_said: set[str] = set()
_ready: set[int] = set()  # kernels known to be compiled or loaded (by id): no more checks
_KERNELS: list[tuple[object, str]] = []  # every registered kernel and its notice


def register(kernel, notice: str):
    """Record a kernel and the sentence said before it compiles; returns the kernel."""
    _KERNELS.append((kernel, notice))
    return kernel


def on_compile(callback) -> None:
    """Have ``callback(notice)`` called before a registered kernel that is not in the on-disk
    cache runs for the first time (once per notice and process)."""
    global _announce
    _announce = callback
    _said.clear()
    _ready.clear()


def compiled(kernel) -> bool:
    """Compiled or loaded in this process, or in Numba's on-disk cache (True when it cannot
    be told)."""
    if kernel.signatures:
        return True
    try:
        return Path(kernel._cache._cache_file._index_path).exists()  # Numba's cache index
    except AttributeError:
        return True


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
