from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def emu_toml() -> str:
    return (DATA / "emu-nominal.toml").read_text(encoding="utf-8")
