"""The API pauses the cyclic garbage collector during a conversion (speed: the pipeline makes
hundreds of thousands of small objects). That is only sound when the pipeline makes no
reference cycles -- otherwise memory would grow until the collector runs again. These tests
hold both halves: no cycles on any golden case or real-world config (including failing ones),
and the collector's state is restored however the conversion ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from golden import FIXTURES, cases, options_for

from sup2circus import ConvertOptions, Sup2CircusError, convert_file, convert_text

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path("/work/shared/corpus/realworld")  # as in test_differential.py


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _cycles_left_by(run: object) -> int:
    """Objects the collector finds after ``run()`` and dropping its result. A first, unmeasured
    run imports what the pipeline imports lazily (a module's classes are cycles) and fills
    its caches."""
    assert callable(run)
    for _ in range(2):
        gc.collect()
        try:
            result = run()
        except Sup2CircusError:
            result = None
        del result
    return gc.collect()


@pytest.mark.parametrize("case", cases())
@pytest.mark.usefixtures("collector_off")
def test_golden_conversion_makes_no_reference_cycles(case: str) -> None:
    path = FIXTURES / case / "supervisord.conf"
    for opts in (options_for(case), ConvertOptions(exact=True), ConvertOptions(no_wrappers=True)):
        assert _cycles_left_by(lambda o=opts: convert_file(path, o)) == 0, (case, opts)


@pytest.mark.usefixtures("collector_off")
def test_real_world_conversions_make_no_reference_cycles() -> None:
    files = sorted(CORPUS.glob("*.conf"))
    if not files:
        pytest.skip(f"no real-world corpus at {CORPUS}")
    leaks = {f.name: n for f in files if (n := _cycles_left_by(lambda f=f: convert_file(f)))}
    assert leaks == {}


@pytest.mark.usefixtures("collector_off")
def test_failing_conversions_make_no_reference_cycles() -> None:
    bad = [
        "command=/bin/true\n",  # no section header
        "[program:x]\ncommand=/bin/true\nnumprocs=two\n",
        "[program:x]\ncommand=%(nope)s\n",
        "[program:x]\n",
    ]
    for text in bad:
        assert _cycles_left_by(lambda t=text: convert_text(t)) == 0, text


def test_the_collector_state_is_restored() -> None:
    assert gc.isenabled()
    convert_text("[program:x]\ncommand=/bin/true\n")
    assert gc.isenabled()
    with pytest.raises(Sup2CircusError):
        convert_text("[program:x]\ncommand=/bin/true\nnumprocs=two\n")
    assert gc.isenabled()
    gc.disable()
    try:
        convert_text("[program:x]\ncommand=/bin/true\n")
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("case", cases())
def test_unrendered_conversion_streams_the_same_text(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the CLI converts with render=False and writes conversion.pieces(): a big circus.ini is
    # never held whole; the pieces must add up to exactly the rendered text
    from sup2circus import write

    monkeypatch.setattr(write, "PIECE", 5)
    path = FIXTURES / case / "supervisord.conf"
    try:
        whole = convert_file(path, options_for(case))
    except Sup2CircusError:
        pytest.skip("supervisord refuses this config (the golden test checks the error)")
    lean = convert_file(path, options_for(case), render=False)
    assert lean.text == ""
    assert lean.findings == whole.findings
    pieces = list(lean.pieces())
    assert "".join(pieces) == whole.text
    # pieces end after a watcher: a config without one is a single piece
    assert len(pieces) > 1 or len(whole.text) < 200 or not lean.circus.watchers  # type: ignore[attr-defined]
    assert list(whole.pieces()) == [whole.text]
