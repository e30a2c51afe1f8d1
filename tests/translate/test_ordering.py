"""Watcher priorities: circusd starts watchers in supervisord's order."""

from __future__ import annotations

import configparser

from hypothesis import given
from hypothesis import strategies as st

from sup2circus import convert_text
from sup2circus.translate.ordering import ordered

BASE = "[supervisord]\nnodaemon=true\n\n[program:web]\ncommand=/usr/bin/web\nautorestart=true\n"


def test_priorities_fall_back_to_distinct_numbers_when_names_would_reorder() -> None:
    # supervisor: groups by (priority, name): "a" before "a-b"; circus ties break on the full
    # watcher name, where "a-b:x" < "a:y" -- so -priority alone would reorder them.
    conf = (
        "[supervisord]\nnodaemon=true\n"
        "[program:a]\ncommand=/bin/a\nnumprocs=2\nprocess_name=y%(process_num)d\n"
        "autorestart=true\n"
        "[program:a-b]\ncommand=/bin/b\nnumprocs=2\nprocess_name=x%(process_num)d\n"
        "autorestart=true\n"
    )
    conv = convert_text(conf)
    cp = configparser.RawConfigParser()
    cp.read_string(conv.text)
    watchers = [s for s in cp.sections() if s.startswith("watcher:")]
    prios = {s.split(":", 1)[1]: int(cp[s]["priority"]) for s in watchers}
    circus_order = sorted(prios, key=lambda n: (-prios[n], n))
    assert circus_order == ["a:y0", "a:y1", "a-b:x0", "a-b:x1"]


@given(st.lists(st.tuples(st.integers(-3, 3), st.sampled_from(["a", "a-b:x", "a:y", "B", "b"]))))
def test_ordered_is_a_stable_sort_keeping_the_order(rows: list[tuple[int, str]]) -> None:
    prios = [p for p, _ in rows]
    names = [n for _, n in rows]
    n = len(names)
    by_circus = sorted(range(n), key=lambda i: (prios[i], names[i]))
    assert ordered(prios, names) == (by_circus == list(range(n)))


def test_a_group_member_named_like_its_group_is_not_reached_by_its_glob() -> None:
    from sup2circus import ConvertOptions, convert_text

    text = (
        "[supervisord]\n[group:g]\nprograms=g,h\n"
        "[program:g]\ncommand=/bin/true\n[program:h]\ncommand=/bin/true\n"
    )
    conv = convert_text(text, options=ConvertOptions(environ={}))
    assert "[watcher:g]" in conv.text and "[watcher:g:h]" in conv.text
    (message,) = [f.message for f in conv.findings if f.code == "S2C121"]
    assert "`circusctl stop 'g:*'` reaches them (not the member named g: it is the watcher g)" in (
        message
    )
