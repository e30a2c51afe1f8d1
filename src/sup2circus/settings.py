"""Lint settings: which findings to report, at which severity, and when to fail.

Sources, lowest precedence first:

1. built-in defaults (every code selected, rule severities, ``fail-on = "warning"``);
2. the ``[tool.sup2circus]`` table of a ``pyproject.toml``: the one given with ``--config``, else
   the nearest ``pyproject.toml`` holding a ``[tool.sup2circus]`` table, searched from the
   current directory upwards (like ruff);
3. command-line flags: ``--select``/``--ignore``/``--fail-on`` replace the file's values,
   ``--severity CODE=level`` entries override the file's entry for the same code.

Example::

    [tool.sup2circus]
    select = ["S2C"]            # code prefixes; "ALL" selects everything
    ignore = ["S2C2", "S2C106"]
    fail-on = "error"           # error | warning | info
    exact = true                # convert as `sup2circus --exact` does
    no-wrappers = false
    runtime-dir = "/run/circus"

    [tool.sup2circus.severity]
    S2C117 = "error"            # with exact = true, S2C101 says autorestart is reproduced

Selection: the most specific (longest) matching prefix wins between ``select`` and ``ignore``;
on a tie ``ignore`` wins. ``--select S2C1 --ignore S2C101`` reports every S2C1xx code except
S2C101; ``--select S2C101 --ignore S2C1`` reports S2C101 only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .findings import Finding, Severity

# SettingsError lives with the other exception types: the package exports it, and importing
# this module for it would slow the CLI's cold start; re-exported for the users of this module
from .findings import SettingsError as SettingsError

if TYPE_CHECKING:
    from .options import ConvertOptions

ALL = "ALL"
TOOL_TABLE = "tool.sup2circus"


@dataclass(frozen=True, slots=True)
class Settings:
    select: tuple[str, ...] = (ALL,)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING
    exact: bool | None = None
    no_wrappers: bool | None = None
    runtime_dir: str | None = None
    source: str | None = None  # the config file these came from, if any

    # ---------------------------------------------------------------- applying them

    def is_selected(self, code: str) -> bool:
        sel = _longest_prefix(code, self.select)
        ign = _longest_prefix(code, self.ignore)
        return sel >= 0 and sel > ign

    def severity_of(self, finding: Finding) -> Severity:
        best = -1
        sev = finding.severity
        for prefix, level in self.severity.items():
            n = _prefix_len(finding.code, prefix)
            if n > best:
                best, sev = n, level
        return sev

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """Drop unselected findings and apply severity overrides."""
        # Both depend on the code (and the severity) only: decided once per code, not per finding.
        if not self.severity:
            if not isinstance(findings, list | tuple):
                findings = list(findings)
            codes = {f.code for f in findings}
            if all(self.is_selected(code) for code in codes):
                return list(findings)  # the common case: every finding, unchanged
        selected: dict[str, bool] = {}
        overridden: dict[tuple[str, Severity], Severity] = {}
        out = []
        for f in findings:
            code = f.code
            try:
                keep = selected[code]
            except KeyError:
                keep = selected[code] = self.is_selected(code)
            if not keep:
                continue
            if not self.severity:  # severity_of(f) is f.severity
                out.append(f)
                continue
            key = (code, f.severity)
            try:
                sev = overridden[key]
            except KeyError:
                sev = overridden[key] = self.severity_of(f)
            if sev is f.severity:
                out.append(f)
            else:  # dataclasses.replace(f, severity=sev), without its per-call overhead
                out.append(
                    Finding(f.code, sev, f.message, f.file, f.line, f.section, f.option, f.column)
                )
        return out

    def fails(self, finding: Finding) -> bool:
        return finding.severity.rank >= self.fail_on.rank

    def convert_options(
        self,
        *,
        resolve_env: bool = False,
        no_wrappers: bool = False,
        exact: bool = False,
        exit_on_fatal: bool = False,
        runtime_dir: str | None = None,
    ) -> ConvertOptions:
        """The conversion's options: the flags given, else this configuration's values."""
        from .options import ConvertOptions

        try:
            return ConvertOptions(
                resolve_env=resolve_env,
                no_wrappers=no_wrappers or bool(self.no_wrappers),
                exact=exact or bool(self.exact),
                runtime_dir=next(
                    d for d in (runtime_dir, self.runtime_dir, "/tmp") if d is not None
                ),
                exit_on_fatal=exit_on_fatal,
            )
        except ValueError as exc:
            raise SettingsError(f"--runtime-dir / runtime-dir: {exc}") from None


def _prefix_len(code: str, prefix: str) -> int:
    """Length of ``prefix`` if it matches ``code`` (``ALL`` matches with length 0), else -1."""
    if prefix == ALL:
        return 0
    return len(prefix) if code.upper().startswith(prefix.upper()) else -1


def _longest_prefix(code: str, prefixes: Sequence[str]) -> int:
    return max((_prefix_len(code, p) for p in prefixes), default=-1)


# ---------------------------------------------------------------------------- parsing


def parse_code_list(values: Iterable[str], what: str) -> tuple[str, ...]:
    """``["S2C1,S2C2", "S2C301"]`` -> ``("S2C1", "S2C2", "S2C301")``, validated."""
    from .rules import RETIRED, RULES

    out: list[str] = []
    for value in values:
        for item in value.split(","):
            code = item.strip().upper()
            if not code:
                continue
            if code != ALL and code not in RETIRED and not any(c.startswith(code) for c in RULES):
                raise SettingsError(f"{what}: {item.strip()!r} is not a sup2circus code or prefix")
            out.append(code)
    return tuple(out)


def parse_severity(items: Iterable[str], what: str = "--severity") -> dict[str, Severity]:
    """``["S2C101=error"]`` -> ``{"S2C101": Severity.ERROR}``."""
    pairs: dict[str, str] = {}
    for item in items:
        code, sep, level = item.partition("=")
        if not sep:
            raise SettingsError(f"{what}: expected CODE=LEVEL, got {item!r}")
        pairs[code] = level
    return _severity_table(pairs, what)


def _severity_table(pairs: Mapping[str, object], what: str) -> dict[str, Severity]:
    out: dict[str, Severity] = {}
    for code, level in pairs.items():
        parsed = parse_code_list([code], what)
        if len(parsed) != 1:
            raise SettingsError(f"{what}: expected one code, got {code!r}")
        prefix = parsed[0]
        if not isinstance(level, str):
            raise SettingsError(f"{what}: the level of {code} must be a string")
        try:
            out[prefix] = Severity.parse(level)
        except ValueError as exc:
            raise SettingsError(f"{what}: {code}: {exc}") from None
    return out


def parse_level(text: str, what: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise SettingsError(f"{what}: {exc}") from None


# ---------------------------------------------------------------------------- config files

_KEYS = ("select", "ignore", "severity", "fail-on", "exact", "no-wrappers", "runtime-dir")


def find_pyproject(start: str | None = None) -> str | None:
    """The nearest ``pyproject.toml`` with a ``[tool.sup2circus]`` table, from ``start`` (default:
    the current directory) upwards; None if there is none."""
    try:
        here = os.path.abspath(start or os.getcwd())
    except FileNotFoundError:  # run in a directory since removed: nowhere to search from
        return None
    while True:
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as fh:
                    data = fh.read()
            except OSError:
                data = b""
            # Cheap pre-check keeps tomllib out of the common path (cold start).
            if may_hold_table(data) and _load_table(candidate, data) is not None:
                return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def may_hold_table(data: bytes) -> bool:
    """False only when the TOML text ``data`` cannot define ``tool.sup2circus``: every way to
    write that key path -- a ``[tool.sup2circus...]`` or ``[[...]]`` header, a dotted
    ``tool.sup2circus... =`` key, ``tool = {sup2circus = ...}``, or a ``sup2circus`` key under a
    ``[tool]`` header (names bare or quoted, spaces around dots) -- is matched, loosely (a match in
    a string only costs a parse). Files that merely mention sup2circus (a dependency, a script
    name) are not parsed, so the TOML parser stays out of a cold start; such a file is not
    checked for TOML errors either (it does not configure sup2circus)."""
    if b"sup2circus" not in data:
        return False
    import re

    tool = rb"""(?:tool|"tool"|'tool')"""
    key = rb"""(?:sup2circus|"sup2circus"|'sup2circus')"""
    if re.search(
        rb"(?:^|[{,])[ \t]*(?:\[\[?[ \t]*)?" + tool + rb"[ \t]*\.[ \t]*" + key, data, re.M
    ):
        return True
    if re.search(rb"[{,][ \t]*" + key + rb"[ \t]*[.=]", data):
        return True  # tool = {sup2circus = ...}
    return bool(
        re.search(rb"^[ \t]*" + key + rb"[ \t]*[.=]", data, re.M)
        and re.search(rb"^[ \t]*\[[ \t]*" + tool + rb"[ \t]*\]", data, re.M)
    )


def _load_table(path: str, data: bytes) -> dict[str, object] | None:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"invalid TOML: {exc}", path, _toml_line(str(exc))) from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise SettingsError("invalid TOML: nested too deeply", path) from None
    tool = doc.get("tool")
    if not isinstance(tool, dict):
        return None
    table = tool.get("sup2circus")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise SettingsError(f"[{TOOL_TABLE}] must be a table", path)
    return table


def _toml_line(message: str) -> int | None:
    """The line tomllib's error message names (it has no attribute for it before 3.14)."""
    import re

    m = re.search(r"\(at line (\d+), column \d+\)$", message)
    return int(m.group(1)) if m else None


def load_config(path: str, *, required: bool) -> Settings:
    """Settings from the ``[tool.sup2circus]`` table of ``path``.

    ``required`` (``--config``): the file must exist and hold the table (any ``*.toml`` file
    holding a top-level ``[tool.sup2circus]`` table works)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise SettingsError(f"cannot read config file: {exc.strerror or exc}", path) from None
    table = _load_table(path, data)
    if table is None:
        if required:
            raise SettingsError(f"no [{TOOL_TABLE}] table", path)
        return Settings()
    try:
        return settings_from_table(table, path)
    except SettingsError as exc:  # its messages name the table: the file is added here
        raise SettingsError(exc.message, path) from None


def settings_from_table(table: Mapping[str, object], path: str) -> Settings:
    import difflib

    where = f"[{TOOL_TABLE}]"
    norm: dict[str, object] = {}
    for key, value in table.items():
        k = key.replace("_", "-")
        if k not in _KEYS:
            close = difflib.get_close_matches(k, _KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SettingsError(f"{where}: unknown key {key!r}{hint}")
        norm[k] = value
    s = Settings(source=path)
    codes: dict[str, tuple[str, ...]] = {}
    for key in ("select", "ignore"):
        if key in norm:
            value = norm[key]
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SettingsError(f"{where}: {key} must be a list of codes")
            codes[key] = parse_code_list(value, f"{where} {key}")
    s = replace(s, select=codes.get("select", s.select), ignore=codes.get("ignore", s.ignore))
    if "severity" in norm:
        sev = norm["severity"]
        if not isinstance(sev, dict):
            raise SettingsError(f'{where}: severity must be a table of CODE = "level"')
        s = replace(s, severity=_severity_table(sev, f"{where} severity"))
    if "fail-on" in norm:
        v = norm["fail-on"]
        if not isinstance(v, str):
            raise SettingsError(f"{where}: fail-on must be a string")
        s = replace(s, fail_on=parse_level(v, f"{where} fail-on"))
    flags: dict[str, bool] = {}
    for key in ("exact", "no-wrappers"):
        if key in norm:
            v = norm[key]
            if not isinstance(v, bool):
                raise SettingsError(f"{where}: {key} must be true or false")
            flags[key] = v
    s = replace(s, exact=flags.get("exact"), no_wrappers=flags.get("no-wrappers"))
    if "runtime-dir" in norm:
        v = norm["runtime-dir"]
        if not isinstance(v, str) or not v:
            raise SettingsError(f"{where}: runtime-dir must be a non-empty string")
        # checked here, where the file is known: the conversion's check named --runtime-dir
        from .options import check_runtime_dir

        try:
            check_runtime_dir(v)
        except ValueError as exc:
            raise SettingsError(f"{where}: {exc}") from None
        s = replace(s, runtime_dir=v)
    return s


def resolve(
    *,
    config: str | None,
    isolated: bool = False,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    severity: Sequence[str] = (),
    fail_on: str | None = None,
    cwd: str | None = None,
) -> Settings:
    """The effective settings: config file (``--config`` or discovered), then the flags."""
    for name, given in (("select", select), ("ignore", ignore), ("severity", severity)):
        if isinstance(given, str):  # a str is a Sequence[str] of its characters, one per code
            raise TypeError(f"resolve() takes a list for {name}: {name}=[{given!r}]")
    if config is not None:
        base = load_config(config, required=True)
    elif isolated:
        base = Settings()
    else:
        found = find_pyproject(cwd)
        base = load_config(found, required=False) if found else Settings()
    s = base
    if select:
        s = replace(s, select=parse_code_list(select, "--select"))
    if ignore:
        s = replace(s, ignore=parse_code_list(ignore, "--ignore"))
    if severity:
        merged = dict(s.severity)
        merged.update(parse_severity(severity))
        s = replace(s, severity=merged)
    if fail_on is not None:
        s = replace(s, fail_on=parse_level(fail_on, "--fail-on"))
    return s
