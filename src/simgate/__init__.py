"""simgate: an SMS-activation platform."""

__version__ = "0.1.0"
