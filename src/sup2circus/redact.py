"""Keeping environment values out of messages (a config's environment= often holds secrets)."""

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
