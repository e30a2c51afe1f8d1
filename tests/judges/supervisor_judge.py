"""The supervisor judge: what supervisord 4.3 would run for a config, computed by supervisor.

:func:`supervisor_view` runs the real ``supervisor.options.ServerOptions().realize(['-c', path])``
-- the code supervisord runs at start-up to read its config -- and reports every process in
supervisord's start order (groups sorted by (priority, name); a group name used twice keeps the
first group, as ``Supervisor.add_process_group`` does; inside a group, ``ProcessGroup``'s dict
by process name). Nothing is started.

Only checks of *this machine* are relaxed (the conversion runs on a build host, not where the
daemon runs):

* users and groups: ``name_to_uid``/``name_to_gid``/``gid_for_uid`` accept unknown names and give
  them a stable fake id (>= 200000) -- not an empty user or group name, which no machine has;
* directories: ``existing_directory``/``existing_dirpath`` accept missing directories (not an
  empty one);
* importability: ``import_spec`` (rpcinterface factories, eventlistener ``result_handler``)
  only checks the ``module:attr`` syntax, and never imports anything;
* ``platform.node()`` returns ``host_node_name`` when given.

``env`` replaces ``os.environ`` while supervisor reads the config (``%(ENV_X)s``). The
process-global state touched (``os.environ``, the patched functions) is restored afterwards;
calls are not thread-safe (pytest-xdist uses processes, which is fine).

Each process dict has:

``name`` (``group:process``, as sup2circus's ``ProcessSpec`` gives ``f"{group}:{name}"``),
``namespec`` (supervisorctl's name: ``web`` when group == process name), ``group``,
``process_name``, ``section`` (``program:web``; an fcgi-program in a ``[group:x]`` keeps its
``fcgi-program:`` section), ``kind`` (``program``/``fcgi-program``/``eventlistener``: the config
class supervisor built), ``command``, ``argv`` (``shlex.split(command)`` like
``Subprocess.get_execv_args``; ``None`` when unparsable), ``directory``, ``environment``
(supervisord's ``environment=`` merged with the program's), ``user`` (as written, expanded;
``None``), ``uid`` (int or ``None``), ``umask``, ``priority``, ``group_priority``, ``autostart``,
``autorestart`` (``"true"``/``"false"``/``"unexpected"``), ``exitcodes``, ``startsecs``,
``startretries``, ``stopsignal`` (int), ``stopwaitsecs``, ``stopasgroup``, ``killasgroup``,
``redirect_stderr``, ``stdout_logfile``/``stderr_logfile`` (a path, ``"AUTO"`` or ``None`` for
none), ``stdout_logfile_maxbytes``/``_backups``, ``stdout_syslog`` and the stderr ones,
``serverurl``, ``socket`` (fcgi socket url or ``None``).

:func:`supervisor_error` returns supervisord's error message for a config it refuses (the
text after ``Error:``), or ``None``. :func:`supervisor_options` gives the realized
``ServerOptions`` itself. A file without ``[supervisord]`` is judged as a conf.d snippet
included by an empty main config (``snippet=False`` turns that off), like sup2circus does.

:func:`model_view` turns sup2circus's ``SupervisorConfig`` into the same list of dicts (deferred
``%(ENV_X)s`` markers substituted from ``env``) so a test can compare the two key by key::

    want = supervisor_view(path, env=env)
    got = model_view(build(read_file(path, environ=env), ConvertOptions(environ=env)), env)
    assert got == want      # same processes, same start order, same values

Differences kept on purpose: an empty log file name (``stdout_logfile=``) is reported as
``None`` (no log file, like ``NONE``), and ``user`` for an unknown user is the name as written
with a fake ``uid`` (see :func:`fake_uid`).
"""

from __future__ import annotations

import contextlib
import glob
import io
import os
import platform
import re
import shlex
import tempfile
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

import supervisor.datatypes as sdt
import supervisor.options as sopt
from supervisor.datatypes import Automatic

__all__ = [
    "FAKE_ID_BASE",
    "SupervisorRefused",
    "fake_uid",
    "supervisor_error",
    "supervisor_options",
    "supervisor_view",
]

FAKE_ID_BASE = 200000

_ENTRY_POINT_RE = re.compile(
    r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$"
)


class SupervisorRefused(Exception):
    """supervisord would refuse this config; ``str()`` is its error message."""


class _Uid(int):
    """A uid that remembers the user name it was resolved from."""

    written: str

    def __new__(cls, value: int, written: str) -> _Uid:
        obj = super().__new__(cls, value)
        obj.written = written
        return obj


def fake_uid(name: str) -> int:
    """The id the relaxed judge gives a user/group name unknown on this machine."""
    return FAKE_ID_BASE + zlib.crc32(name.encode("utf-8", "surrogatepass")) % 100000


def _name_to_uid(name: Any) -> int:
    try:
        uid = sdt.name_to_uid(name)
    except ValueError:
        if name == "":
            raise  # no machine has a user without a name: not a fact of this one
        try:
            uid = int(name)
        except ValueError:
            uid = fake_uid(str(name))
    return _Uid(uid, str(name))


def _name_to_gid(name: Any) -> int:
    try:
        return int(sdt.name_to_gid(name))
    except ValueError:
        if name == "":
            raise  # no machine has a group without a name
        try:
            return int(name)
        except ValueError:
            return fake_uid(str(name))


def _gid_for_uid(uid: int) -> int:
    try:
        return int(sdt.gid_for_uid(uid))
    except KeyError:
        return int(uid)


def _existing_directory(v: str) -> str:
    if v == "":
        return str(sdt.existing_directory(v))  # refused: no machine has a nameless directory
    return os.path.expanduser(v)


def _existing_dirpath(v: str) -> str:
    return os.path.expanduser(v)


class _Spec:
    """What import_spec returns in the judge: nothing is imported."""

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return None


def _import_spec(spec: str) -> Any:
    if not _ENTRY_POINT_RE.match(spec):
        raise ImportError(f"bad import spec {spec!r}")
    return _Spec(spec)


_orig_node = platform.node


@contextlib.contextmanager
def _relaxed(env: Mapping[str, str] | None, host_node_name: str | None) -> Iterator[None]:
    saved_env = dict(os.environ)
    patches: list[tuple[Any, str, Any]] = [
        (sopt, "name_to_uid", _name_to_uid),
        (sopt, "gid_for_uid", _gid_for_uid),
        (sopt, "existing_directory", _existing_directory),
        (sopt, "existing_dirpath", _existing_dirpath),
        (sdt, "existing_dirpath", _existing_dirpath),
    ]
    # colon_separated_user_group looks names up through the datatypes module globals

    def _cs(arg: str) -> tuple[int, int]:
        parts = arg.split(":", 1)
        uid = _name_to_uid(parts[0])
        gid = -1 if len(parts) == 1 else _name_to_gid(parts[1])
        return int(uid), gid

    patches.append((sopt, "colon_separated_user_group", _cs))
    if host_node_name is not None:
        patches.append((platform, "node", lambda: host_node_name))
    originals = [(mod, attr, getattr(mod, attr)) for mod, attr, _ in patches]
    try:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        for mod, attr, new in patches:
            setattr(mod, attr, new)
        yield
    finally:
        for mod, attr, old in originals:
            setattr(mod, attr, old)
        os.environ.clear()
        os.environ.update(saved_env)


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


_NO_SUPERVISORD = ".ini file does not include supervisord section"


def supervisor_options(
    conf_path: str,
    env: Mapping[str, str] | None = None,
    host_node_name: str | None = None,
    *,
    snippet: bool = True,
) -> sopt.ServerOptions:
    """The realized ``ServerOptions`` for ``conf_path`` (relaxed as described above).

    With ``snippet`` (the default), a file that supervisord refuses and that has no
    ``[supervisord]`` section itself (a conf.d snippet; with its includes followed, still none,
    or following them failed) is read as if ``[include]``d by an empty main config
    (``[supervisord]`` + ``[include] files = <path>`` in a temporary directory; its own
    ``[include]`` is then not followed), which is how sup2circus converts snippets.

    Raises :class:`SupervisorRefused` with supervisord's message when it refuses the config.
    """
    try:
        return _realize(conf_path, env, host_node_name)
    except SupervisorRefused as exc:
        if not snippet or not (str(exc) == _NO_SUPERVISORD or not _has_supervisord(conf_path)):
            raise
    with tempfile.TemporaryDirectory(prefix="s2cj") as tmp:
        main = os.path.join(tmp, "supervisord.conf")
        target = glob.escape(os.path.abspath(conf_path))
        with open(main, "w", encoding="utf-8") as fh:
            fh.write(f"[supervisord]\n[include]\nfiles = {target}\n")
        return _realize(main, env, host_node_name)


def _has_supervisord(conf_path: str) -> bool:
    """Whether the file itself (without its includes) has a [supervisord] section."""
    parser = sopt.UnhosedConfigParser()
    try:
        parser.read(conf_path)
    except Exception:
        return True  # unreadable/unparsable: not a snippet question
    return parser.has_section("supervisord")


def _realize(
    conf_path: str, env: Mapping[str, str] | None, host_node_name: str | None
) -> sopt.ServerOptions:
    with _relaxed(env, host_node_name):
        opts = sopt.ServerOptions()
        err = io.StringIO()
        opts.stderr = err
        opts.stdout = io.StringIO()

        def _exit(code: int = 0) -> None:
            raise _Exit(code)

        opts.exit = _exit  # type: ignore[method-assign]
        opts.import_spec = _import_spec  # type: ignore[method-assign]
        orig_pfs = opts.processes_from_section

        def _pfs(parser: Any, section: str, group_name: str, klass: Any = None) -> Any:
            configs = orig_pfs(parser, section, group_name, klass)
            for c in configs:
                c._s2c_section = section
            return configs

        opts.processes_from_section = _pfs  # type: ignore[method-assign]
        try:
            opts.realize(args=["-c", conf_path])
        except _Exit as exc:
            text = err.getvalue()
            m = re.match(r"Error: (.*)\nFor help, use ", text, re.S)
            raise SupervisorRefused(m.group(1) if m else text or f"exit {exc.code}") from None
        return opts


def _log(value: Any) -> Any:
    if value is Automatic:
        return "AUTO"
    if value == "":
        return None  # '' is falsy: supervisor opens no log file for it, like NONE
    return value


def _autorestart(value: Any) -> str:
    if value is False:
        return "false"
    if value is sdt.RestartUnconditionally:
        return "true"
    if value is sdt.RestartWhenExitUnexpected:
        return "unexpected"
    return repr(value)


def _kind(config: Any) -> str:
    if isinstance(config, sopt.EventListenerConfig):
        return "eventlistener"
    if isinstance(config, sopt.FastCGIProcessConfig):
        return "fcgi-program"
    return "program"


def supervisor_view(
    conf_path: str,
    env: Mapping[str, str] | None = None,
    host_node_name: str | None = None,
    *,
    snippet: bool = True,
) -> list[dict[str, Any]]:
    """Every process supervisord would run for ``conf_path``, in its start order.

    Raises :class:`SupervisorRefused` when supervisord refuses the config.
    """
    opts = supervisor_options(conf_path, env, host_node_name, snippet=snippet)
    out: list[dict[str, Any]] = []
    seen_groups: set[str] = set()
    for group in opts.process_group_configs:
        if group.name in seen_groups:
            continue  # Supervisor.add_process_group keeps the first one
        seen_groups.add(group.name)
        by_name: dict[str, Any] = {}
        for pc in group.process_configs:
            by_name[pc.name] = pc
        socket_config = getattr(group, "socket_config", None)
        for pc in by_name.values():
            try:
                argv: list[str] | None = shlex.split(pc.command)
            except ValueError:
                argv = None
            uid = pc.uid
            out.append(
                {
                    "name": f"{group.name}:{pc.name}",
                    "namespec": sopt.make_namespec(group.name, pc.name),
                    "group": group.name,
                    "process_name": pc.name,
                    "section": getattr(pc, "_s2c_section", None),
                    "kind": _kind(pc),
                    "command": pc.command,
                    "argv": argv,
                    "directory": pc.directory,
                    "environment": dict(pc.environment or {}),
                    "user": getattr(uid, "written", None if uid is None else str(uid)),
                    "uid": None if uid is None else int(uid),
                    "umask": pc.umask,
                    "priority": pc.priority,
                    "group_priority": group.priority,
                    "autostart": pc.autostart,
                    "autorestart": _autorestart(pc.autorestart),
                    "exitcodes": list(pc.exitcodes),
                    "startsecs": pc.startsecs,
                    "startretries": pc.startretries,
                    "stopsignal": int(pc.stopsignal),
                    "stopwaitsecs": pc.stopwaitsecs,
                    "stopasgroup": pc.stopasgroup,
                    "killasgroup": pc.killasgroup,
                    "redirect_stderr": pc.redirect_stderr,
                    "stdout_logfile": _log(pc.stdout_logfile),
                    "stdout_logfile_maxbytes": pc.stdout_logfile_maxbytes,
                    "stdout_logfile_backups": pc.stdout_logfile_backups,
                    "stdout_syslog": pc.stdout_syslog,
                    "stderr_logfile": _log(pc.stderr_logfile),
                    "stderr_logfile_maxbytes": pc.stderr_logfile_maxbytes,
                    "stderr_logfile_backups": pc.stderr_logfile_backups,
                    "stderr_syslog": pc.stderr_syslog,
                    "serverurl": pc.serverurl,
                    "socket": None if socket_config is None else str(socket_config.url),
                    # None: supervisord listens with socket.SOMAXCONN (socket_manager.py)
                    "socket_backlog": None
                    if socket_config is None
                    else socket_config.get_backlog(),
                }
            )
    return out


def supervisor_error(
    conf_path: str,
    env: Mapping[str, str] | None = None,
    host_node_name: str | None = None,
    *,
    snippet: bool = True,
) -> str | None:
    """supervisord's error message for a config it refuses, or ``None`` when it accepts it."""
    try:
        supervisor_options(conf_path, env, host_node_name, snippet=snippet)
    except SupervisorRefused as exc:
        return str(exc)
    return None


def model_view(config: Any, env: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """sup2circus's ``SupervisorConfig`` in the shape of :func:`supervisor_view` (same keys, for
    the fields the model holds), deferred ``%(ENV_X)s`` markers replaced by ``env[X]`` (a
    deferred name missing from ``env`` stays as the marker), users' ``uid`` computed like the
    relaxed judge does. Compare ``model_view(build(...)) == supervisor_view(...)`` key by key.
    """
    from sup2circus.model import ENV_MARK_RE, LogKind

    values = dict(os.environ if env is None else env)

    def sub(value: Any) -> Any:
        if isinstance(value, str):
            return ENV_MARK_RE.sub(lambda m: values.get(m.group(1), m.group(0)), value)
        return value

    def log(spec: Any) -> Any:
        if spec.kind is LogKind.AUTO:
            return "AUTO"
        if spec.kind is LogKind.FILE:
            return sub(spec.path)
        return None

    def uid(user: str | None) -> int | None:
        if user is None:
            return None
        return int(_name_to_uid(user))

    sup_env = {k: sub(v) for k, v in config.supervisord.environment}
    group_prio = {g.name: g.priority for g in config.groups}
    out: list[dict[str, Any]] = []
    for p in config.processes:
        command = sub(p.command)
        try:
            argv: list[str] | None = shlex.split(command)
        except ValueError:
            argv = None
        env_ = dict(sup_env)
        env_.update({k: sub(v) for k, v in p.environment})
        stdout, stderr = log(p.stdout), log(p.stderr)
        out.append(
            {
                "name": f"{p.group_name}:{p.name}",
                "namespec": sopt.make_namespec(p.group_name, p.name),
                "group": p.group_name,
                "process_name": p.name,
                "section": p.section,
                "kind": p.kind,
                "command": command,
                "argv": argv,
                "directory": sub(p.directory),
                "environment": env_,
                "user": p.user,
                "uid": uid(p.user),
                "umask": p.umask,
                "priority": p.priority,
                "group_priority": group_prio.get(p.group_name),
                "autostart": p.autostart,
                "autorestart": p.autorestart.value,
                "exitcodes": list(p.exitcodes),
                "startsecs": p.startsecs,
                "startretries": p.startretries,
                "stopsignal": p.stopsignal,
                "stopwaitsecs": p.stopwaitsecs,
                "stopasgroup": p.stopasgroup,
                "killasgroup": p.killasgroup,
                "redirect_stderr": p.redirect_stderr,
                "stdout_logfile": stdout,
                "stdout_logfile_maxbytes": p.stdout.maxbytes,
                "stdout_logfile_backups": p.stdout.backups,
                "stdout_syslog": p.stdout.syslog,
                "stderr_logfile": stderr,
                "stderr_logfile_maxbytes": p.stderr.maxbytes,
                "stderr_logfile_backups": p.stderr.backups,
                "stderr_syslog": p.stderr.syslog,
                "serverurl": p.serverurl,
                "socket": None if p.socket is None else p.socket.url,
                "socket_backlog": None if p.socket is None else p.socket.backlog,
            }
        )
    return out
