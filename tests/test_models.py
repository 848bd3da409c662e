"""`spacewalk models validate`: the models against published data, every row passing within
the data's own spread, each with its basis; docs/models.md shows the same table."""

from pathlib import Path

import pytest

from spacewalk.cli import main
from spacewalk.results.history import format_table
from spacewalk.results.models import validate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rows():
    return validate()


def test_every_model_row_passes_and_says_its_basis(rows):
    assert rows and all(r.ok for r in rows), [r for r in rows if not r.ok]
    bases = [r.basis for r in rows]
    assert set(bases) <= {"predicted", "calibrated", "input"}
    # Kim 2020: two workloads set the helmet's parameters, the other two are predictions
    kim = [r for r in rows if r.scenario == "helmet CO2"]
    assert sorted(r.basis for r in kim) == ["calibrated", "calibrated", "predicted", "predicted"]


def test_the_docs_show_the_table(rows):
    text = (ROOT / "docs" / "models.md").read_text()
    for line in format_table(rows, "markdown", first="model").splitlines():
        assert line in text


def test_the_command_exits_zero_and_counts_the_bases(capsys):
    assert main(["models", "validate"]) == 0
    assert "by basis:" in capsys.readouterr().out
