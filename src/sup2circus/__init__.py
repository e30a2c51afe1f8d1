"""sup2circus: convert a Supervisor configuration into a Circus configuration, faithfully or
with a loud finding."""

from __future__ import annotations

from .api import Conversion, ConvertOptions, convert, convert_file, convert_text
from .findings import ConfigError, Finding, InputError, Loc, Severity, Sup2CircusError

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Conversion",
    "ConvertOptions",
    "Finding",
    "InputError",
    "Loc",
    "Severity",
    "Sup2CircusError",
    "__version__",
    "convert",
    "convert_file",
    "convert_text",
]
