"""Write a :class:`~sup2circus.circus_model.CircusConfig` as circus.ini text, deterministically.

Layout: a short header naming the source, ``[circus]``, the ``[socket:...]`` sections, then one
block per watcher in start order, each followed by its ``[env:...]`` section. Values were chosen
by the translator so that circus's parser reads them back unchanged; a value containing newlines
is written on indented continuation lines.
"""

from __future__ import annotations

from collections.abc import Iterator

from .circus_model import CircusConfig
from .redact import visible

#: :func:`write_pieces` yields a piece once this many characters are pending (256 K).
PIECE = 1 << 18


def _line(key: str, value: str) -> str:
    if value == "":
        return f"{key} ="
    return f"{key} = {value}".replace("\n", "\n    ")


def _comment(text: str) -> str:
    # a comment is one line: a line break would end it and the rest would be parsed as ini;
    # and nothing in it acts on a terminal that shows the file (an escape sequence)
    return f"# {visible(text)}"


def _block(header: str, items: tuple[tuple[str, str], ...], comments: tuple[str, ...] = ()) -> str:
    lines = [_comment(c) for c in comments]
    lines.append(f"[{header}]")
    lines.extend(_line(k, v) for k, v in items)
    return "\n".join(lines)


def _blocks(cfg: CircusConfig) -> Iterator[str]:
    """The header, then each section with its comments."""
    yield "\n".join(map(_comment, cfg.header))
    yield _block("circus", cfg.circus)
    for s in cfg.sockets:
        yield _block(f"socket:{s.name}", s.options, s.comments)
    for w in cfg.watchers:
        yield _block(f"watcher:{w.name}", w.options, (f"from [{w.source}]", *w.comments))
        if w.env and w.env_section is not None:
            yield _block(f"env:{w.env_section}", w.env)


def write_pieces(cfg: CircusConfig) -> Iterator[str]:
    """The circus.ini text in pieces of about :data:`PIECE` characters (their ``"".join`` is
    :func:`write`'s text): a big circus.ini streamed to a file is never held whole."""
    pending: list[str] = []
    size = 0
    for i, block in enumerate(_blocks(cfg)):
        text = block if i == 0 else "\n\n" + block
        pending.append(text)
        size += len(text)
        if size >= PIECE:
            yield "".join(pending)
            pending.clear()
            size = 0
    pending.append("\n")
    yield "".join(pending)


def write(cfg: CircusConfig) -> str:
    """The circus.ini text of ``cfg``."""
    return "".join(write_pieces(cfg))
