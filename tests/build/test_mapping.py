"""Guards that keep the mapping table (src/sup2circus/mapping.py) true to the code.

* every code of the rule table is produced by a golden fixture (fixtures/), or -- for the
  codes of the CLI, the container checks and unreadable files, which a golden
  supervisord.conf cannot produce -- by a named test;
* every finding the fixtures and the real-world corpus produce about an option is declared on
  that option's row (section kind, option, code);
* for each row whose circus form is a circus.ini key, a fixture that sets the option shows it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from golden import FIXTURES, cases, options_for

from sup2circus import ConvertOptions, Sup2CircusError, convert_file
from sup2circus.findings import Finding
from sup2circus.mapping import EXPANSIONS, MAPPING, TOPICS, OptionMapping, section_kind
from sup2circus.read import read_file
from sup2circus.rules import RULES

TESTS = Path(__file__).resolve().parents[1]
CORPUS = sorted(Path("/work/shared/corpus/realworld").glob("*.conf"))
# codes no golden supervisord.conf can produce, and the tests that produce them
NOT_FROM_A_CONFIG = {
    "S2C002": "an included file that cannot be read (test_read.py)",
    "S2C601": "container checks (test_container.py)",
    "S2C602": "container checks (test_container.py)",
    "S2C603": "container checks (test_container.py)",
    "S2C604": "container checks (test_container.py)",
    "S2C605": "container checks (test_container.py)",
    "S2C606": "container checks (test_container.py)",
    "S2C900": "a file the CLI cannot read (test_cli.py)",
    "S2C901": "the CLI's --check of a refused config (test_cli.py)",
    "S2C902": "an unused suppression comment (test_cli.py)",
}
# findings about an option that has no row: the unknown or misplaced option itself
NOT_ABOUT_A_ROW = {"S2C004", "S2C005"}


@cache
def _golden_findings() -> dict[str, list[dict[str, object]]]:
    out = {}
    for case in cases():
        path = FIXTURES / case / "findings.json"
        if path.exists():
            out[case] = json.loads(path.read_text())
    return out


@cache
def _corpus_findings() -> dict[str, tuple[Finding, ...]]:
    out = {}
    for conf in CORPUS:
        try:
            conv = convert_file(conf, ConvertOptions(environ={"HOME": "/root"}))
        except Sup2CircusError:
            continue
        out[conf.name] = conv.findings
    return out


def test_rows_are_well_formed() -> None:
    for m in MAPPING:
        assert m.expand in EXPANSIONS and m.topic in TOPICS, m
        assert m.kinds and all(section_kind(f"{k}:x") or section_kind(k) for k in m.kinds), m
        for code in m.codes:
            assert code in RULES, (m.option, code)
        # an ordinary option (read by build's generic loop) needs a parser
        if not m.handler and m.section == "program":
            assert m.parser is not None, m.option


def test_every_code_is_produced_by_a_golden_fixture() -> None:
    produced = {f["code"] for found in _golden_findings().values() for f in found}
    # a refused config produces S2C901's error (error.txt)
    missing = sorted(set(RULES) - produced - set(NOT_FROM_A_CONFIG))
    assert not missing, f"codes no golden fixture produces: {missing} (add a fixture)"


def test_codes_not_from_a_config_have_a_test() -> None:
    texts = [p.read_text() for p in TESTS.rglob("test_*.py") if p.name != "test_mapping.py"]
    for code, why in NOT_FROM_A_CONFIG.items():
        assert code in RULES, code
        assert any(code in t for t in texts), f"{code} ({why}): no test produces it"


def _undeclared(found: list[tuple[str, str | None, str | None]]) -> list[str]:
    declared = {(k, m.option, c) for m in MAPPING for k in m.kinds for c in m.all_codes}
    bad = []
    for code, section, option in found:
        if option is None or section is None or code in NOT_ABOUT_A_ROW:
            continue  # about a section or the whole file, not an option
        kind = section_kind(section)
        if kind is None or (kind == "rpcinterface" and option != "supervisor.rpcinterface_factory"):
            continue  # a section supervisor ignores, or an rpcinterface's own keyword option
        # a [group:x] not converted names the member program's option that stopped it
        kinds = ("group", "program") if kind == "group" else (kind,)
        if all((k, option, code) not in declared for k in kinds):
            bad.append(f"{code} on [{kind}] {option}")
    return sorted(set(bad))


def test_golden_findings_are_declared_on_their_rows() -> None:
    found = [
        (str(f["code"]), f["section"], f["option"])  # type: ignore[misc]
        for fs in _golden_findings().values()
        for f in fs
    ]
    assert not _undeclared(found)  # type: ignore[arg-type]


@pytest.mark.skipif(not CORPUS, reason="the real-world corpus is not here")
def test_corpus_findings_are_declared_on_their_rows() -> None:
    found = [(f.code, f.section, f.option) for fs in _corpus_findings().values() for f in fs]
    assert not _undeclared(found)


# circus.ini keys (circus 0.19's watcher, socket and [circus] options) a circus form may name
CIRCUS_KEYS = frozenset(
    {
        "cmd",
        "priority",
        "autostart",
        "respawn",
        "stop_signal",
        "graceful_timeout",
        "uid",
        "working_dir",
        "stdout_stream",
        "stderr_stream",
        "backlog",
        "umask",
        "loglevel",
        "pidfile",
        "logoutput",
        "endpoint",
        "endpoint_owner",
    }
)


def _circus_key(m: OptionMapping) -> str | None:
    """The circus.ini key a row's circus form starts with (after a ``[section]``), if any."""
    first = re.match(r"(?:\[[^\]]*\] )?([a-z_]+)", m.circus)
    return first.group(1) if first and first.group(1) in CIRCUS_KEYS else None


def _sets(case: str, m: OptionMapping) -> bool:
    raw = read_file(str(FIXTURES / case / "supervisord.conf"), environ={}, host_node_name="h")
    return any(section_kind(s.name) in m.kinds and m.option in s.options for s in raw.sections)


@pytest.mark.parametrize(
    "m",
    [m for m in MAPPING if _circus_key(m)],
    ids=lambda m: f"{m.section}.{m.option}",
)
def test_a_fixture_shows_the_circus_form(m: OptionMapping) -> None:
    key = _circus_key(m)
    assert key is not None
    users = [c for c in cases() if (FIXTURES / c / "circus.ini").exists() and _sets(c, m)]
    assert users, f"no golden fixture sets [{m.section}] {m.option}"
    texts = [convert_file(FIXTURES / c / "supervisord.conf", options_for(c)).text for c in users]
    assert any(re.search(rf"^{re.escape(key)}\b", t, re.M) for t in texts), (m.option, key)
