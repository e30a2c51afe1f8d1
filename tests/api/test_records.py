"""What library users may rely on of the public records (``Finding``, ``Loc``,
``ConvertOptions``, ``Conversion``): they are frozen dataclasses, so ``dataclasses.replace``,
pickling and equality work, and a conversion compares by its text and findings only."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from sup2circus import (
    ConfigError,
    Conversion,
    ConvertOptions,
    Finding,
    Loc,
    Severity,
    convert,
    convert_text,
)

FINDING = Finding("S2C101", Severity.WARNING, "m", "a.conf", 3, "program:a", "command", 2)


@pytest.mark.parametrize(
    "record",
    [FINDING, Loc("a.conf", 3), ConvertOptions(exact=True), Conversion("t", (FINDING,), "s")],
)
def test_frozen_replace_pickle(record: object) -> None:
    assert dataclasses.is_dataclass(record)
    first = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, first, None)
    assert pickle.loads(pickle.dumps(record)) == record
    changed = dataclasses.replace(record, **{first: getattr(record, first)})
    assert changed == record and changed is not record


def test_defaults_and_positional_order() -> None:
    assert Loc("f", 1) == Loc("f", 1, 1)
    assert Finding("S2C101", Severity.INFO, "m", "f", 1) == Finding(
        code="S2C101", severity=Severity.INFO, message="m", file="f", line=1, column=1
    )
    assert ConvertOptions().runtime_dir == "/tmp"


def test_conversion_compares_text_and_findings_only() -> None:
    a = Conversion("t", (FINDING,), "s", circus=object(), texts={"s": "x"})
    b = Conversion("t", (FINDING,), "s")
    assert a == b and hash(a) == hash(b)
    assert "circus" not in repr(a) and "texts" not in repr(a)
    assert Conversion("t", (), "s").texts is not Conversion("t", (), "s").texts


def test_severity_is_ordered_by_rank() -> None:
    # a str enum would compare its values: "warning" < "error" is False
    assert Severity.INFO < Severity.WARNING < Severity.ERROR
    assert Severity.ERROR > Severity.WARNING >= Severity.WARNING > Severity.INFO
    assert max(Severity) is Severity.ERROR
    assert sorted(Severity, reverse=True) == [Severity.ERROR, Severity.WARNING, Severity.INFO]


@pytest.mark.parametrize("value", ["0a\u2028b77", "0\x0b22", "02\x852", "0\x1c22"])
def test_an_error_is_one_line_whatever_the_value_it_quotes(value: str) -> None:
    # str.splitlines breaks at these: str(err), documented as one line, was two
    with pytest.raises(ConfigError) as ei:
        convert_text(f"[supervisord]\numask = {value}\n")
    assert len(str(ei.value).splitlines()) == 1
    assert repr(value)[1:-1] in str(ei.value)  # shown as its escape


@pytest.mark.parametrize("data", [b"[supervisord]\n", None])
def test_text_that_is_not_a_str_is_a_clear_type_error(data: object) -> None:
    # bytes said "argument should be integer or bytes-like object, not 'str'"
    for call in (convert_text, convert):
        with pytest.raises(TypeError, match=r"takes the config as str, not .*convert_file\(\)"):
            call(data)  # type: ignore[arg-type]
