"""Small helpers shared by the tests."""

import tomllib

import tomli_w

from spacewalk import parse_toml
from spacewalk.scenario import library_dir

# ISS EVA 23 as its library file says, the base of the campaign tests
PARMITANO = tomllib.loads((library_dir() / "iss-eva-23-2013.toml").read_text(encoding="utf-8"))


def edited(toml_text: str, edit) -> object:
    """Parse TOML, let ``edit(data)`` change the mapping, and validate the result."""
    data = tomllib.loads(toml_text)
    edit(data)
    return parse_toml(tomli_w.dumps(data))


def with_campaign(dispersions: list[dict], base: dict = PARMITANO, **settings):
    """A scenario (ISS EVA 23 unless ``base``) with a ``[campaign]`` of these dispersions."""
    data = dict(base)
    data["campaign"] = {"seed": 11, **settings, "dispersions": dispersions}
    return parse_toml(tomli_w.dumps(data), "test campaign")
