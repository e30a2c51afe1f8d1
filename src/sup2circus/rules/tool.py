"""S2C5xx and S2C9xx: the output sup2circus writes, and the linter itself (unreadable input,
suppressions)."""

from __future__ import annotations

from .rule import E, I, Rule, W  # noqa: F401 - not every table uses every severity

RULES: tuple[Rule, ...] = (
    Rule(
        "S2C501",
        "unwritable-value",
        "Value circus cannot read back exactly",
        E,
        "Uses the value as written.",
        "circus's ini parser would change this value (comments, $(circus.*) substitution, "
        "surrounding spaces, newlines) and no exact spelling exists.",
        "Change the value; the item is not converted.",
        observes=("argv", "cwd", "env", "user", "stdout", "stderr"),
        message="{detail}",
    ),
    Rule(
        "S2C502",
        "name-case-clash",
        "Watcher names differ only in case",
        W,
        "Treats process names case-sensitively.",
        "Looks watchers up case-insensitively: one of them cannot be addressed by circusctl.",
        "Rename one of the programs.",
        message=(
            "watchers {first!r} and {second!r} differ only in case: circusctl looks names up "
            "case-insensitively, so one cannot be addressed"
        ),
    ),
    Rule(
        "S2C900",
        "unreadable-input",
        "A file given on the command line cannot be read",
        E,
        "Refuses to start when its configuration file is missing or unreadable.",
        "Nothing can be converted from it.",
        "Fix the path, the permissions or the encoding (supervisor reads UTF-8 text). With "
        "--check the other files are still checked and the exit status is 2.",
        message="{error}",
    ),
    Rule(
        "S2C901",
        "invalid-config",
        "supervisord would refuse this configuration",
        E,
        "Refuses to start, naming the bad value (an invalid integer, boolean, signal, format "
        "string, a missing command...).",
        "Nothing is converted: the input is not a working supervisor configuration.",
        "Fix the value the message names; supervisord would fail the same way. With --check "
        "the other files are still checked and the exit status is 2.",
        "[program:web]\ncommand = /usr/bin/web\nstartsecs = soon",
        message="{error}",
    ),
    Rule(
        "S2C902",
        "unused-suppression",
        "A sup2circus suppression comment suppresses nothing",
        W,
        "Treats '; sup2circus: ignore=...' as an ordinary comment.",
        "Not applicable: this finding is about the suppression comment itself. A suppression "
        "that matches no finding (the problem was fixed, the code is misspelled or unknown) "
        "would silently hide a future finding of that code at that place.",
        "Delete the comment or correct the code it names.",
        "[program:web]\ncommand = /usr/bin/web  ; sup2circus: ignore=S2C117",
        message="unused suppression: {reason}",
    ),
)
