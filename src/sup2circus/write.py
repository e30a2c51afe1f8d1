"""Write a :class:`~sup2circus.circus_model.CircusConfig` as circus.ini text, deterministically.

Layout: a short header naming the source, ``[circus]``, the ``[socket:...]`` sections, then one
block per watcher in start order, each followed by its ``[env:...]`` section. Values were chosen
by the translator so that circus's parser reads them back unchanged; a value containing newlines
is written on indented continuation lines.
"""

from __future__ import annotations

from .circus_model import CircusConfig


def _line(key: str, value: str) -> str:
    if value == "":
        return f"{key} ="
    first, *rest = value.split("\n")
    out = f"{key} = {first}"
    for more in rest:
        out += f"\n    {more}"
    return out


def _block(header: str, items: tuple[tuple[str, str], ...], comments: tuple[str, ...] = ()) -> str:
    # a comment is one line: a newline would end it and the rest would be parsed as ini
    lines = [f"# {c}".replace("\r", "\\r").replace("\n", "\\n") for c in comments]
    lines.append(f"[{header}]")
    lines.extend(_line(k, v) for k, v in items)
    return "\n".join(lines)


def write(cfg: CircusConfig) -> str:
    parts: list[str] = ["\n".join(f"# {h}".replace("\n", "\\n") for h in cfg.header)]
    parts.append(_block("circus", cfg.circus))
    if cfg.global_env:
        parts.append(_block("env", cfg.global_env))
    for s in cfg.sockets:
        parts.append(_block(f"socket:{s.name}", s.options, s.comments))
    for w in cfg.watchers:
        comments = (f"from [{w.source}]", *w.comments)
        parts.append(_block(f"watcher:{w.name}", w.options, comments))
        if w.env and w.env_section is not None:
            parts.append(_block(f"env:{w.env_section}", w.env))
    return "\n\n".join(parts) + "\n"
