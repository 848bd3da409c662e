"""Small helpers shared by the tests."""

import tomllib

import tomli_w

from spacewalk import parse_toml


def edited(toml_text: str, edit) -> object:
    """Parse TOML, let ``edit(data)`` change the mapping, and validate the result."""
    data = tomllib.loads(toml_text)
    edit(data)
    return parse_toml(tomli_w.dumps(data))
