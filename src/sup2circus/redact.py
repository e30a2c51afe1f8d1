"""What messages and comments may show of a config: no environment values (a config's
environment= often holds secrets), no characters a terminal would act on."""

from __future__ import annotations

import re

HIDDEN = "(a variable whose name is not shown)"


def shown_env_name(key: str, raw: str | None) -> str:
    """``key`` as a message may show it: only when the config writes it as a name (at the start
    of the environment= value or after a comma, followed by ``=``). A "name" that supervisor's
    parser carved out of a malformed value may be part of a secret value, so it is not shown."""
    if raw is not None and re.search(r"(?:^|,)\s*" + re.escape(key) + r"\s*=", raw):
        return key
    return HIDDEN


def visible(text: str) -> str:
    """``text`` with every character a terminal or a CI log would act on or hide (a carriage
    return, an escape sequence, a bell, a bidirectional override) shown as its escape: a file
    name or a value from a config cannot rewrite or hide the lines of a report."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
