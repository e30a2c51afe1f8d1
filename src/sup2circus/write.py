"""Write a :class:`~sup2circus.circus_model.CircusConfig` as circus.ini text, deterministically.

Layout: a short header naming the source, ``[circus]``, the ``[socket:...]`` sections, then one
block per watcher in start order, each followed by its ``[env:...]`` section. Values were chosen
by the translator so that circus's parser reads them back unchanged; a value containing newlines
is written on indented continuation lines.

The text is joined once from a flat list of pieces: the model's own strings, and one shared
string per short ``key = value`` line (most of them repeat from watcher to watcher), so writing
holds little more than the result.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from .circus_model import CircusConfig

# values up to this length get their whole line cached (numbers, true/false, signal names...)
_SHORT = 24


def _line(key: str, value: str) -> str:
    if value == "":
        return f"{key} ="
    first, *rest = value.split("\n")
    out = f"{key} = {first}"
    for more in rest:
        out += f"\n    {more}"
    return out


def _comment(text: str) -> str:
    # a comment is one line: a newline would end it and the rest would be parsed as ini
    return f"# {text}".replace("\r", "\\r").replace("\n", "\\n")


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        # (key, value) -> "\nkey = value" for short values; key -> "\nkey = "
        self.lines: dict[tuple[str, str], str] = {}
        self.prefixes: dict[str, str] = {}

    def items(self, items: tuple[tuple[str, str], ...]) -> None:
        """Append ``"\\n" + _line(key, value)`` for each item."""
        out = self.out
        ap = out.append
        lines = self.lines
        for item in items:
            text = lines.get(item)
            if text is None:
                key, value = item
                if len(value) <= _SHORT:
                    text = lines[item] = "\n" + _line(key, value)
                elif "\n" in value:
                    text = "\n" + _line(key, value)
                else:
                    prefix = self.prefixes.get(key)
                    if prefix is None:
                        prefix = self.prefixes[key] = f"\n{key} = "
                    ap(prefix)
                    text = value
            ap(text)

    def block(
        self, header: str, items: tuple[tuple[str, str], ...], comments: tuple[str, ...] = ()
    ) -> None:
        """``"\\n\\n"`` and the block: comment lines, ``[header]``, one line per item."""
        ap = self.out.append
        ap("\n\n")
        for c in comments:
            ap(_comment(c))
            ap("\n")
        ap(f"[{header}]")
        self.items(items)


def write(cfg: CircusConfig) -> str:
    """The circus.ini text of ``cfg``."""
    w = _Writer()
    for _ in _fill(w, cfg, sys.maxsize):
        pass
    return "".join(w.out)


#: :func:`write_pieces` yields a piece once this many strings are pending (about 250 KB of text).
PIECE = 1 << 14


def write_pieces(cfg: CircusConfig) -> Iterator[str]:
    """:func:`write` in pieces of about 250 KB (``"".join`` of them is :func:`write`'s text):
    a big circus.ini streamed to a file is never held whole."""
    w = _Writer()
    out = w.out
    for _ in _fill(w, cfg, PIECE):
        yield "".join(out)
        out.clear()
    if out:
        yield "".join(out)


def _fill(w: _Writer, cfg: CircusConfig, piece: int) -> Iterator[None]:
    """Append the text to ``w.out``, pausing (yielding) after a watcher once ``w.out`` holds
    ``piece`` strings or more."""
    out = w.out
    ap = out.append
    ap("\n".join(f"# {h}".replace("\n", "\\n") for h in cfg.header))
    w.block("circus", cfg.circus)
    for s in cfg.sockets:
        w.block(f"socket:{s.name}", s.options, s.comments)
    items = w.items
    for wa in cfg.watchers:
        source = wa.source
        if "\n" in source or "\r" in source:
            ap("\n\n" + _comment(f"from [{source}]"))
        else:
            ap("\n\n# from [")
            ap(source)
            ap("]")
        for c in wa.comments:
            ap("\n")
            ap(_comment(c))
        ap("\n[watcher:")
        ap(wa.name)
        ap("]")
        items(wa.options)
        if wa.env and wa.env_section is not None:
            ap("\n\n[env:")
            ap(wa.env_section)
            ap("]")
            items(wa.env)
        if len(out) >= piece:
            yield
    ap("\n")
