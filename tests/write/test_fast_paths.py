"""circus_syntax's shortcuts and caches, and the writer, give exactly what the plain code gives.

Each fast path (a regex instead of a parse, a cached answer, a shared object) is compared, on
hostile generated input, with the straightforward version it replaces (kept here verbatim).
"""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st
from strategies import MARKERS, SETTINGS, TEXT

from sup2circus import circus_syntax as cs
from sup2circus import write as wr
from sup2circus.circus_model import CircusConfig, Intent, Socket, Stream, Watcher
from sup2circus.model import ENV_MARK_RE, ENV_MARK_START

# --------------------------------------------------------------------------- references


def write_ref(cfg: CircusConfig) -> str:
    """write.write before the flat-list writer."""

    def block(
        header: str, items: tuple[tuple[str, str], ...], comments: tuple[str, ...] = ()
    ) -> str:
        lines = [f"# {c}".replace("\r", "\\r").replace("\n", "\\n") for c in comments]
        lines.append(f"[{header}]")
        lines.extend(wr._line(k, v) for k, v in items)
        return "\n".join(lines)

    parts: list[str] = ["\n".join(f"# {h}".replace("\n", "\\n") for h in cfg.header)]
    parts.append(block("circus", cfg.circus))
    for s in cfg.sockets:
        parts.append(block(f"socket:{s.name}", s.options, s.comments))
    for w in cfg.watchers:
        comments = (f"from [{w.source}]", *w.comments)
        parts.append(block(f"watcher:{w.name}", w.options, comments))
        if w.env and w.env_section is not None:
            parts.append(block(f"env:{w.env_section}", w.env))
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------------- circus_syntax


@SETTINGS
@given(TEXT)
def test_shlex_plain_words_split_to_themselves(word: str) -> None:
    if cs._SHLEX_PLAIN_RE.fullmatch(word):
        assert shlex.split(word) == [word]


@SETTINGS
@given(st.lists(TEXT, max_size=5), st.booleans())
def test_cached_quoting_is_quote_token(argv: list[str], with_refs: bool) -> None:
    deferred = {m: f"$(circus.env.{ENV_MARK_RE.fullmatch(m).group(1)})" for m in MARKERS}  # type: ignore[union-attr]
    if not with_refs:
        deferred = {}
    expected = " ".join(cs.quote_token(t, deferred or None) for t in argv)
    assert cs.join_argv(argv, deferred) == expected
    for t in argv:
        assert cs.quote_plain(t) == cs.quote_token(t)


@SETTINGS
@given(TEXT)
def test_token_round_trips_shlex_shortcut(token: str) -> None:
    # the shortcut inside token_round_trips against shlex itself
    marker_re = ENV_MARK_RE if ENV_MARK_START in token else None
    deferred: dict[str, str] = {}
    expected = token
    if marker_re is not None:
        for m in marker_re.finditer(token):
            deferred[m.group(0)] = f"$(circus.env.{m.group(1)})"
        expected = marker_re.sub(lambda m: f"$(circus.env.{m.group(1)})", token)
    written = cs.quote_token(token, deferred or None)
    if cs._SHLEX_PLAIN_RE.fullmatch(written):
        assert (shlex.split(written) == [expected]) == (written == expected)


# --------------------------------------------------------------------------- write

ITEMS = st.lists(st.tuples(st.sampled_from(["cmd", "k", "x.y"]), TEXT), max_size=6).map(tuple)
LONG = st.sampled_from(["", "v", "x" * 30, "a\nb" * 10, "p = q\n", "  "])


def _watcher(
    name: str,
    options: tuple[tuple[str, str], ...],
    env: tuple[tuple[str, str], ...],
    comments: tuple[str, ...],
    source: str,
) -> Watcher:
    intent = Intent(
        argv=("a",), program_argv=("a",), working_dir=None, env=(), wrapper_env=(), uid=None,
        stop_signal=15, graceful_timeout=1.0, autostart=True, respawn=True, priority=0,
        numprocesses=1, stdout=Stream(kind="inherit"), stderr=Stream(kind="inherit"),
    )  # fmt: skip
    return Watcher(
        name=name,
        options=options,
        env_section=name if env else None,
        env=env,
        intent=intent,
        processes=(name,),
        source=source,
        comments=comments,
    )


@SETTINGS
@given(
    st.lists(
        st.tuples(
            TEXT,
            ITEMS,
            st.lists(st.tuples(st.sampled_from(["A", "B"]), st.one_of(TEXT, LONG))).map(tuple),
            st.lists(TEXT, max_size=2).map(tuple),
            TEXT,
        ),
        max_size=4,
    ),
    st.lists(TEXT, max_size=3).map(tuple),
)
def test_write_is_the_plain_writer(
    watchers: list[tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...],
                         tuple[str, ...], str]],
    header: tuple[str, ...],
) -> None:  # fmt: skip
    cfg = CircusConfig(
        header=header,
        circus=(("endpoint", "ipc:///x"), ("multicast_endpoint", "")),
        sockets=(Socket("s", (("path", "/p"),), ("from [fcgi-program:x]\nsocket",)),),
        watchers=tuple(_watcher(*w) for w in watchers),
    )
    assert wr.write(cfg) == write_ref(cfg)
