"""Writing circus.ini: atomically to a file (``-o PATH``), encoded a piece at a time."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from .api import Conversion
    from .report import Failure

#: Text is encoded this many characters at a time: a 10 MB circus.ini or report is never held
#: twice (as str and as bytes). UTF-8 encodes code point by code point, so the chunks' bytes are
#: the whole text's bytes.
_CHUNK = 1 << 18


def encoded(text: str, errors: str = "strict") -> Iterator[bytes]:
    """``text`` encoded as UTF-8, :data:`_CHUNK` characters at a time."""
    for start in range(0, len(text), _CHUNK):
        yield text[start : start + _CHUNK].encode("utf-8", errors)


def write_stream(stream: BinaryIO, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its pieces, one after the other) to a binary stream (stdout's or
    stderr's ``buffer``), flushed; a character UTF-8 cannot encode is backslash-escaped."""
    wrote = False
    for piece in (text,) if isinstance(text, str) else text:
        for chunk in encoded(piece, "backslashreplace"):
            stream.write(chunk)
            wrote = True
    if wrote:
        stream.flush()


class StdoutError(Exception):
    """Standard output cannot be written (closed, a full disk, /dev/full): exit 2."""


def write_std(text: str | Iterable[str], *, err: bool = False) -> None:
    """Write to stdout, or to stderr (``err``). A broken stdout pipe is its reader's choice
    (BrokenPipeError, for the caller); another failure of stdout is :class:`StdoutError`.
    stderr failing leaves nowhere to say anything: the exit status still says it."""
    stream = sys.stderr if err else sys.stdout
    try:
        if stream is None:  # started with the descriptor closed
            raise OSError(0, "it is closed")
        write_stream(stream.buffer, text)
    except BrokenPipeError:
        if not err:
            raise
    except OSError as exc:
        if not err:
            why = exc.strerror or str(exc)
            raise StdoutError(f"cannot write to standard output: {why}") from None


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: the run unwinds as on SIGINT (an -o temp file is removed) and exits
    128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminated(signum: int, _frame: object) -> None:
    raise Terminated(signum)


def unwind_on_stop_signals() -> None:
    """For the console script: a stop (docker stop, a closed terminal) unwinds like ^C."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminated)


def silence_stdout() -> None:
    """Point stdout at /dev/null (its reader went away: a broken pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


_TEMP_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def _temp_file(directory: str, prefix: str) -> tuple[int, str]:
    """A new file ``directory/prefix<random>.tmp``, created exclusively with mode 0600 (like
    ``tempfile.mkstemp``, without importing tempfile and its imports: random, shutil...)."""
    for _ in range(100):
        name = os.path.join(directory, f"{prefix}{os.urandom(6).hex()}.tmp")
        try:
            fd = os.open(name, _TEMP_FLAGS, 0o600)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        return fd, name
    raise FileExistsError(17, "No usable temporary file name found", directory)  # pragma: no cover


#: What ``-o`` names when it is not a regular file, by ``stat.S_IFMT``.
_FILE_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
}


class NotARegularFileError(OSError):
    """``-o`` names something circus.ini must not replace (a device, a FIFO, a directory...)."""


def output_target(path: str) -> str:
    """The file ``-o path`` replaces: ``path``, or the file a symlink at ``path`` leads to (the
    link stays a link). Raises :class:`NotARegularFileError` when that exists and is not a
    regular file: replacing ``/dev/null`` or a FIFO with a file would break what uses it."""
    if path == "" or path.endswith("/"):
        why = "it names no file" if path == "" else "it names a directory"
        raise NotARegularFileError(errno.EINVAL, f"{why}; -o takes a file name", path)
    target = os.path.realpath(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    if not stat.S_ISREG(mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise NotARegularFileError(
            errno.EINVAL, f"it is {kind}; -o replaces regular files only (left untouched)", path
        )
    return target


def write_atomic(path: str, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its pieces, in order) to ``path`` atomically: a temp file in the same
    directory, fsync, ``os.replace``. A symlink is written through: the file it leads to is
    replaced, in that file's directory. On any failure (KeyboardInterrupt included) the old file
    is untouched and the temp file is removed. A new file gets mode 0666 & ~umask; a replaced one
    keeps its mode. Anything but a regular file is refused (see :func:`output_target`)."""
    target = output_target(path)
    directory = os.path.dirname(target)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, tmp = _temp_file(directory, f".{os.path.basename(target)}.")
    except OSError as exc:
        # the temp file's own name means nothing to the user: say where it was refused
        why = f"cannot create a file in {directory or '.'} ({exc.strerror or exc})"
        raise OSError(exc.errno, why, target) from None
    try:
        try:
            os.fchmod(fd, mode)
            for piece in (text,) if isinstance(text, str) else text:
                for data in encoded(piece):
                    view = memoryview(data)
                    while view:
                        n = os.write(fd, view)
                        view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_directory(directory)


def write_output(path: str, conv: Conversion) -> Failure | None:
    """``-o PATH``: write ``conv``'s circus.ini to ``path`` atomically; why not, if it was not
    (exit 2): ``path`` is one of the files read, or cannot be written."""
    from .report import Failure

    if _is_an_input(path, conv.files_read):
        return Failure(f"refusing to overwrite the input file {path} with circus.ini", 2)
    try:
        write_atomic(path, conv.pieces())
    except OSError as exc:
        return Failure(f"cannot write {path}: {exc.strerror or exc}", 2)
    return None


def _is_an_input(path: str, files_read: Iterable[str]) -> bool:
    """Whether ``path`` is one of the files read: by name, or the same file under another name
    (a hard link), or the file standard input was redirected from (``- < conf -o conf``)."""
    # realpath raises FileNotFoundError for a relative name once the current directory is
    # removed: then -o names no file (the write says so), and a relative input is not it
    try:
        target = os.path.realpath(path)
    except FileNotFoundError:
        return False
    try:
        st = os.stat(target)
    except OSError:
        st = None
    for name in files_read:
        with contextlib.suppress(FileNotFoundError):
            if os.path.realpath(name) == target:
                return True
        if st is None:
            continue
        try:
            other = os.fstat(0) if name == "<stdin>" else os.stat(name)
        except (OSError, ValueError):
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


def _sync_directory(directory: str) -> None:
    """fsync the directory, so that the rename itself survives a crash (best effort)."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
