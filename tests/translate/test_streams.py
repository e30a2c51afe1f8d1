"""Log files: the AUTO log's file name."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sup2circus.translate.streams import safe_file_name


@given(st.text(max_size=20))
def test_safe_file_name_keeps_only_alphanumerics_dot_dash_underscore(name: str) -> None:
    expected = "".join(c if (c.isalnum() or c in "._-") else "_" for c in name)
    assert safe_file_name(name) == expected
