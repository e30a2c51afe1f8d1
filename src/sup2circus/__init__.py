"""sup2circus: convert a Supervisor configuration into a Circus configuration, faithfully or
with a loud finding."""

from __future__ import annotations

from ._version import __version__
from .api import Conversion, convert, convert_file, convert_text
from .findings import (
    ConfigError,
    Finding,
    InputError,
    Loc,
    SettingsError,
    Severity,
    Sup2CircusError,
)
from .lint import LintResult, check
from .options import ConvertOptions

__all__ = [
    "ConfigError",
    "Conversion",
    "ConvertOptions",
    "Finding",
    "InputError",
    "LintResult",
    "Loc",
    "SettingsError",
    "Severity",
    "Sup2CircusError",
    "__version__",
    "check",
    "convert",
    "convert_file",
    "convert_text",
]
