"""The package version (one place; the run folder and campaigns record it)."""

__version__ = "0.1.0"
