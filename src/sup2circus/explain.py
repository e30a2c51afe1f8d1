"""The ``--explain`` pages: one rule's documentation, or the list of every rule."""

from __future__ import annotations

import textwrap

from .rules import RETIRED, RULES, Rule


class UnknownCodeError(ValueError):
    """``--explain`` was given a code (or name) no rule has; the message suggests close ones."""


def find_rule(code: str) -> Rule:
    """The rule of ``code`` (like S2C101, any letter case) or of its name (autorestart-...)."""
    wanted = code.strip()
    rule = RULES.get(wanted.upper()) or next(
        (r for r in RULES.values() if r.name == wanted.lower()), None
    )
    if rule is not None:
        return rule
    import difflib

    close = difflib.get_close_matches(
        wanted.upper(), list(RULES), n=3, cutoff=0.6
    ) or difflib.get_close_matches(
        wanted.lower(), [r.name for r in RULES.values()], n=3, cutoff=0.6
    )
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise UnknownCodeError(f"--explain: unknown code {code!r}{hint}")


def _paragraph(title: str, text: str) -> str:
    body = textwrap.fill(text, width=88, initial_indent="  ", subsequent_indent="  ")
    return f"{title}\n{body}"


def _suppressions(rule: Rule) -> str:
    """The suppression comments of ``rule``, in the syntax of the files it is reported in."""
    if rule.in_containers:
        return (
            f"  on the line above it:   # sup2circus: ignore={rule.code}  (a Dockerfile "
            "instruction or a script's command; in a script also at the end of its line)\n"
            f"  for a whole file:       # sup2circus: ignore-file={rule.code}"
        )
    if rule.whole_file:
        return f"  for the file (a finding about it): ; sup2circus: ignore-file={rule.code}"
    return (
        f"  on the option's line:   command = ...  ; sup2circus: ignore={rule.code}\n"
        f"  for a whole file:       ; sup2circus: ignore-file={rule.code}"
    )


def explain_text(code: str) -> str:
    """The ``--explain`` page of a rule (a code like S2C101, or its name)."""
    key = code.strip().upper()
    if key in RETIRED:
        return f"{key} (retired, no longer reported)\n{_paragraph('Why:', RETIRED[key])}\n"
    rule = find_rule(code)
    parts = [f"{rule.code} {rule.name}: {rule.title}", f"Default severity: {rule.severity.value}"]
    if rule.message:  # the template its findings' messages are made from
        parts.append(f"Message: {rule.message}")
    parts += [
        "",
        _paragraph("What supervisor does:", rule.supervisor),
        _paragraph("What circus does (and why it differs):", rule.circus),
        _paragraph("How to fix it:", rule.fix),
        "How to suppress it:\n" + _suppressions(rule) + "\n"
        f'  everywhere:             --ignore {rule.code}  (or ignore = ["{rule.code}"] in '
        "[tool.sup2circus])",
    ]
    if rule.example:
        example = "\n".join("  " + line for line in rule.example.splitlines())
        parts.append(f"Example:\n{example}")
    return "\n".join(parts) + "\n"


def rules_list() -> str:
    """``--explain`` without a code: every code, its default severity and its one-line title."""
    return "".join(f"{r.code}  {r.severity.value:<7}  {r.title}\n" for r in RULES.values())
