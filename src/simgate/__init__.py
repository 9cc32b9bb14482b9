"""simgate: an SMS-activation platform."""

from importlib.metadata import version

# One version number, pyproject.toml's: the installed package's metadata carries it.
__version__ = version("simgate")
