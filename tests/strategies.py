"""Hostile text for the hypothesis tests of circus's syntax: pieces that circus's parser, shlex
and the deferred-reference markers treat specially."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from sup2circus.model import ENV_MARK_END, ENV_MARK_START, env_marker

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MARKERS = [env_marker("X"), env_marker("HOME"), env_marker("a_1"), env_marker("S2C")]
PIECES = [
    *"aZ09_@%+=:,./-",
    *" \t\r\n\x0b\x85\u00a0\u2028",
    *";#$()'\"\\*?[]é",
    "$(circus.wid)",
    "((circus.env.x))",
    "$HOME",
    '""',
    "rem",
    ENV_MARK_START,
    ENV_MARK_END,
    *MARKERS,
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
