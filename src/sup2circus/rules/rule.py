"""A rule: one finding code, what each daemon does, the fix, and the message template."""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str  # kebab-case slug, also the docs anchor
    title: str  # one line
    severity: Severity  # default severity
    supervisor: str  # what supervisord does
    circus: str  # what circusd does
    fix: str  # how to fix or suppress
    example: str = ""  # a minimal supervisord.conf snippet
    observes: tuple[str, ...] = ()
    # the finding's message: a str.format template filled by reporter.Reporter.report's fields
    # ({watchers}: the watchers that report the same fact)
    message: str = ""
    # reported about the whole file (at its line 1), not a section or option: only an
    # ignore-file comment or --ignore suppresses it
    whole_file: bool = False

    @property
    def anchor(self) -> str:
        """This rule's section in docs/rules.md."""
        return f"{self.code.lower()}-{self.name}"

    @property
    def in_containers(self) -> bool:
        """Whether this rule's findings are about Dockerfiles and shell scripts (S2C6xx), whose
        suppression comments start with ``#``: a ``;`` there ends the command and would run
        ``sup2circus:`` as the next one."""
        return self.code.startswith("S2C6")

    @property
    def explain(self) -> str:
        """The command that documents this rule: sup2circus has no public web home to link to."""
        return f"sup2circus --explain {self.code}"


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
