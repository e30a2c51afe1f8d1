"""A circus output stream that does what the ``supervisor_stdout`` event listener does.

With ``supervisor_stdout`` (``[eventlistener:x] command=supervisor_stdout``,
``events=PROCESS_LOG``, ``result_handler=supervisor_stdout:event_handler``), supervisord prints
every chunk of output of the programs with ``stdout_events_enabled``/``stderr_events_enabled`` on
its own stdout as ``<process name> <channel> | <chunk>`` (one prefix per chunk read from the
program's pipe, not per line: the package's ``event_handler`` is
``print '%s %s | %s' % (processname, channel, data),``). The program's own log destination
still gets the output as usual.

``sup2circus`` writes such a channel as::

    [watcher:web]
    stdout_stream.class = sup2circus.circus_streams.PrefixedStdoutStream
    stdout_stream.process = web
    stdout_stream.channel = stdout
    stdout_stream.copy = file            ; or: stdout, stderr, none
    stdout_stream.filename = /var/log/web.log
    stdout_stream.max_bytes = 52428800
    stdout_stream.backup_count = 10

``copy`` is where the channel went without the listener: a file (circus's own FileStream with the
same options), circusd's stdout or stderr (written unchanged), or nowhere (``NONE``).

Importing this module imports nothing outside the standard library; circus's FileStream is
imported only when a stream copies to a file.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["PrefixedStdoutStream"]

_COPIES = ("file", "stdout", "stderr", "none")


class PrefixedStdoutStream:
    """Write each chunk to circusd's stdout after ``<process> <channel> | ``; copy it unchanged
    to the channel's own destination."""

    def __init__(
        self,
        process: str = "",
        channel: str = "stdout",
        copy: str = "none",
        filename: str | None = None,
        max_bytes: int | str = 0,
        backup_count: int | str = 0,
        **kwargs: Any,
    ) -> None:
        if copy not in _COPIES:
            raise ValueError(f"copy must be one of {', '.join(_COPIES)}, not {copy!r}")
        self.prefix = f"{process} {channel} | "
        self.copy = copy
        self._file: Any = None
        self._filename = filename  # what `sup2circus --verify` compares
        if copy == "file":
            from circus.stream import FileStream  # type: ignore[import-untyped]

            self._file = FileStream(
                filename=filename, max_bytes=int(max_bytes), backup_count=int(backup_count)
            )

    def __call__(self, data: dict[str, Any]) -> None:
        raw = data["data"]
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        if self._file is not None:
            self._file(data)
        elif self.copy in ("stdout", "stderr"):
            out = sys.stdout if self.copy == "stdout" else sys.stderr
            out.write(text)
            out.flush()
        sys.stdout.write(self.prefix + text)
        sys.stdout.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
