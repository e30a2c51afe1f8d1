"""The rule list: every finding code sup2circus can emit.

Codes are stable: once released, a code never changes meaning. ``docs/rules.md`` and the
``--explain`` text are generated from this table (see :mod:`sup2circus.docs`).

Each rule says what supervisor does, what circus does, why they differ, how to fix or
suppress it, and gives an example. ``observes`` names the runtime-observable fields
(``argv``, ``cwd``, ``env``, ``user``, ``umask``, ``stdout``, ``stderr``, ``start_order``,
``stop_signal``, ``restarts``, ``stop``) a finding of this code accounts for: the
runtime-equivalence suite accepts a difference in a field only when a finding names it.
"""

from __future__ import annotations

from . import container, daemon, programs, reading, tool
from .rule import Rule

__all__ = ["RETIRED", "RULES", "Rule"]

# every rule, by code (in code order: --explain's list and docs/rules.md follow it)
RULES: dict[str, Rule] = {
    r.code: r
    for r in sorted(
        (*reading.RULES, *programs.RULES, *daemon.RULES, *container.RULES, *tool.RULES),
        key=lambda r: r.code,
    )
}

# Codes that were removed, each with why: never reused. --select, --ignore and suppression
# comments accept them (they match nothing), --explain and docs/rules.md say why they went.
RETIRED: dict[str, str] = {
    "S2C114": "stdout and stderr sharing one log file was reported as rotated independently "
    "by circus only; supervisord rotates it the same way (one handler per stream), so there "
    "is no difference to report.",
}
