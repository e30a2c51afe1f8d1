"""The frozen records of the model (findings.Record): the same contract as the frozen dataclasses
they replaced (for cold start), which the pipeline and other code rely on -- constructor
signatures (keywords, order, defaults), immutability, eq/hash/repr, ``dataclasses.replace``,
``dataclasses.fields``, ``asdict``, pickling and copying."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pickle
from typing import Any

import pytest

from sup2circus.findings import FACTORY, MutableRecord, Record

# The constructor parameters of each record, exactly as the dataclasses had them.
SIGNATURES: dict[str, tuple[str, ...]] = {
    "findings.Loc": (
        "file: 'str'",
        "line: 'int'",
        "column: 'int' = 1",
    ),
    "findings.Finding": (
        "code: 'str'",
        "severity: 'Severity'",
        "message: 'str'",
        "file: 'str'",
        "line: 'int'",
        "section: 'str | None' = None",
        "option: 'str | None' = None",
        "column: 'int' = 1",
    ),
    "model.RawOption": (
        "name: 'str'",
        "value: 'str'",
        "loc: 'Loc'",
        "key_text: 'str' = ''",
    ),
    "model.RawSection": (
        "name: 'str'",
        "loc: 'Loc'",
        "options: 'Mapping[str, RawOption]'",
        "here: 'str'",
    ),
    "model.RawConfig": (
        "main_file: 'str'",
        "here: 'str'",
        "sections: 'tuple[RawSection, ...]'",
        "files_read: 'tuple[str, ...]'",
        "findings: 'tuple[Finding, ...]' = ()",
        "texts: 'Mapping[str, str]' = <factory>",
    ),
    "model.LogSpec": (
        "kind: 'LogKind'",
        "path: 'str | None'",
        "maxbytes: 'int'",
        "backups: 'int'",
        "syslog: 'bool'",
        "capture_maxbytes: 'int'",
        "events_enabled: 'bool'",
    ),
    "model.SocketSpec": (
        "url: 'str'",
        "family: 'str'",
        "host: 'str | None'",
        "port: 'int | None'",
        "path: 'str | None'",
        "mode: 'int | None'",
        "owner: 'str | None'",
        "backlog: 'int | None'",
    ),
    "model.ProcessSpec": (
        "section: 'str'",
        "kind: 'str'",
        "program_name: 'str'",
        "group_name: 'str'",
        "name: 'str'",
        "process_num: 'int'",
        "numprocs: 'int'",
        "numprocs_start: 'int'",
        "command: 'str'",
        "argv: 'tuple[str, ...]'",
        "directory: 'str | None'",
        "umask: 'int | None'",
        "priority: 'int'",
        "autostart: 'bool'",
        "autorestart: 'AutoRestart'",
        "exitcodes: 'tuple[int, ...]'",
        "startsecs: 'int'",
        "startretries: 'int'",
        "user: 'str | None'",
        "stopsignal: 'int'",
        "stopsignal_name: 'str'",
        "stopwaitsecs: 'int'",
        "stopasgroup: 'bool'",
        "killasgroup: 'bool'",
        "redirect_stderr: 'bool'",
        "stdout: 'LogSpec'",
        "stderr: 'LogSpec'",
        "environment: 'tuple[tuple[str, str], ...]'",
        "serverurl: 'str | None'",
        "section_loc: 'Loc'",
        "options: 'Mapping[str, RawOption]'",
        "varies_with_process_num: 'frozenset[str]' = frozenset()",
        "socket: 'SocketSpec | None' = None",
        "events: 'tuple[str, ...]' = ()",
        "buffer_size: 'int' = 10",
        "result_handler: 'str | None' = None",
    ),
    "model.GroupSpec": (
        "name: 'str'",
        "priority: 'int'",
        "section: 'str'",
        "heterogeneous: 'bool'",
        "program_sections: 'tuple[str, ...]'",
        "section_loc: 'Loc'",
        "options: 'Mapping[str, RawOption]'",
    ),
    "model.SupervisordSpec": (
        "present: 'bool'",
        "nodaemon: 'bool'",
        "logfile: 'str'",
        "logfile_maxbytes: 'int'",
        "logfile_backups: 'int'",
        "loglevel: 'str'",
        "pidfile: 'str'",
        "umask: 'int'",
        "user: 'str | None'",
        "directory: 'str | None'",
        "childlogdir: 'str'",
        "environment: 'tuple[tuple[str, str], ...]'",
        "minfds: 'int'",
        "minprocs: 'int'",
        "identifier: 'str'",
        "nocleanup: 'bool'",
        "strip_ansi: 'bool'",
        "silent: 'bool'",
        "section_loc: 'Loc'",
        "options: 'Mapping[str, RawOption]'",
    ),
    "model.ServerSpec": (
        "section: 'str'",
        "kind: 'str'",
        "file: 'str | None' = None",
        "chmod: 'int | None' = None",
        "chown: 'str | None' = None",
        "host: 'str | None' = None",
        "port: 'int | None' = None",
        "username: 'str | None' = None",
        "password_set: 'bool' = False",
        "serverurl: 'str | None' = None",
        "section_loc: 'Loc' = <factory>",
        "options: 'Mapping[str, RawOption]' = <factory>",
    ),
    "model.OtherSection": (
        "name: 'str'",
        "section_loc: 'Loc'",
        "options: 'Mapping[str, RawOption]'",
    ),
    "model.SupervisorConfig": (
        "raw: 'RawConfig'",
        "supervisord: 'SupervisordSpec'",
        "groups: 'tuple[GroupSpec, ...]'",
        "processes: 'tuple[ProcessSpec, ...]'",
        "servers: 'tuple[ServerSpec, ...]'",
        "others: 'tuple[OtherSection, ...]'",
        "findings: 'tuple[Finding, ...]' = ()",
        "deferred_env: 'tuple[str, ...]' = ()",
    ),
    "circus_model.Stream": (
        "kind: 'str'",
        "path: 'str | None' = None",
        "max_bytes: 'int' = 0",
        "backup_count: 'int' = 0",
    ),
    "circus_model.Intent": (
        "argv: 'tuple[str, ...]'",
        "program_argv: 'tuple[str, ...]'",
        "working_dir: 'str | None'",
        "env: 'tuple[tuple[str, str], ...]'",
        "wrapper_env: 'tuple[tuple[str, str], ...]'",
        "uid: 'str | None'",
        "stop_signal: 'int'",
        "graceful_timeout: 'float'",
        "autostart: 'bool'",
        "respawn: 'bool'",
        "priority: 'int'",
        "numprocesses: 'int'",
        "stdout: 'Stream'",
        "stderr: 'Stream'",
        "umask: 'int | None' = None",
        "hooks: 'tuple[tuple[str, str], ...]' = ()",
    ),
    "circus_model.Watcher": (
        "name: 'str'",
        "options: 'tuple[tuple[str, str], ...]'",
        "env_section: 'str | None'",
        "env: 'tuple[tuple[str, str], ...]'",
        "intent: 'Intent'",
        "processes: 'tuple[str, ...]'",
        "source: 'str'",
        "comments: 'tuple[str, ...]' = ()",
    ),
    "circus_model.Socket": (
        "name: 'str'",
        "options: 'tuple[tuple[str, str], ...]'",
        "comments: 'tuple[str, ...]' = ()",
    ),
    "circus_model.CircusConfig": (
        "header: 'tuple[str, ...]'",
        "circus: 'tuple[tuple[str, str], ...]'",
        "global_env: 'tuple[tuple[str, str], ...]'",
        "sockets: 'tuple[Socket, ...]' = ()",
        "watchers: 'tuple[Watcher, ...]' = ()",
        "deferred_env: 'tuple[str, ...]' = ()",
        "extra: 'dict[str, str]' = <factory>",
    ),
    "api.ConvertOptions": (
        "resolve_env: 'bool' = False",
        "no_wrappers: 'bool' = False",
        "exact: 'bool' = False",
        "runtime_dir: 'str' = '/tmp'",
        "environ: 'Mapping[str, str] | None' = None",
        "host_node_name: 'str | None' = None",
        "exit_on_fatal: 'bool' = False",
    ),
    "api.Conversion": (
        "text: 'str'",
        "findings: 'tuple[Finding, ...]'",
        "source: 'str'",
        "files_read: 'tuple[str, ...]' = ()",
        "circus: 'object' = None",
        "texts: 'Mapping[str, str]' = <factory>",
    ),
    "rules.Rule": (
        "code: 'str'",
        "name: 'str'",
        "title: 'str'",
        "severity: 'Severity'",
        "supervisor: 'str'",
        "circus: 'str'",
        "fix: 'str'",
        "example: 'str' = ''",
        "observes: 'tuple[str, ...]' = ()",
    ),
    "mapping.OptionMapping": (
        "section: 'str'",
        "option: 'str'",
        "default: 'str | None'",
        "circus: 'str'",
        "fidelity: 'str'",
        "codes: 'tuple[str, ...]' = ()",
        "note: 'str' = ''",
    ),
    "report.Summary": (
        "files: 'int'",
        "suppressed: 'int' = 0",
        "fail_on: 'Severity' = <Severity.WARNING: 'warning'>",
        "exit_zero: 'bool' = False",
    ),
    "report.Stat": (
        "code: 'str'",
        "name: 'str'",
        "severity: 'Severity'",
        "count: 'int'",
    ),
    "settings.Settings": (
        "select: 'tuple[str, ...]' = ('ALL',)",
        "ignore: 'tuple[str, ...]' = ()",
        "severity: 'Mapping[str, Severity]' = <factory>",
        "fail_on: 'Severity' = <Severity.WARNING: 'warning'>",
        "exact: 'bool | None' = None",
        "no_wrappers: 'bool | None' = None",
        "runtime_dir: 'str | None' = None",
        "source: 'str | None' = None",
    ),
    "suppress.Suppression": (
        "file: 'str'",
        "line: 'int'",
        "column: 'int'",
        "codes: 'tuple[str, ...]'",
        "file_wide: 'bool'",
        "span: 'tuple[int, int] | None' = None",
        "section: 'str | None' = None",
        "option: 'str | None' = None",
        "used: 'set[str]' = <factory>",
    ),
    "suppress.Outcome": (
        "kept: 'list[Finding]'",
        "suppressed: 'list[Finding]'",
        "unused: 'list[Finding]'",
    ),
    "cli.Args": (
        "files: 'tuple[str, ...]' = ()",
        "output: 'str | None' = None",
        "check: 'bool' = False",
        "output_format: 'str | None' = None",
        "fail_on: 'str | None' = None",
        "exit_zero: 'bool' = False",
        "strict: 'bool' = False",
        "select: 'tuple[str, ...]' = ()",
        "ignore: 'tuple[str, ...]' = ()",
        "severities: 'tuple[str, ...]' = ()",
        "config: 'str | None' = None",
        "isolated: 'bool' = False",
        "statistics: 'bool' = False",
        "explain: 'str | None' = None",
        "resolve_env: 'bool' = False",
        "no_wrappers: 'bool' = False",
        "exact: 'bool' = False",
        "runtime_dir: 'str | None' = None",
        "verify: 'bool' = False",
        "exit_on_fatal: 'bool' = False",
    ),
    "cli._Source": (
        "name: 'str'",
        "conversion: 'Conversion'",
        "texts: 'dict[str, str]'",
    ),
}


def _cls(path: str) -> type[Record]:
    module, name = path.rsplit(".", 1)
    cls = getattr(importlib.import_module(f"sup2circus.{module}"), name)
    assert issubclass(cls, Record)
    return cls


def _reference(cls: type[Record]) -> Any:
    """A real frozen dataclass with the record's fields, defaults and compare/repr flags."""
    params = inspect.signature(cls).parameters
    ns: dict[str, Any] = {"__annotations__": {}}
    for name in cls._rec_fields:
        ns["__annotations__"][name] = "object"
        kw: dict[str, Any] = {"compare": name in cls._rec_compare, "repr": name in cls._rec_repr}
        default = params[name].default
        if default is FACTORY:
            kw["default_factory"] = cls._rec_factories[name]
        elif default is not inspect.Parameter.empty:
            kw["default"] = default
        ns[name] = dataclasses.field(**kw)
    frozen = not issubclass(cls, MutableRecord)
    ref = dataclasses.dataclass(frozen=frozen)(type(cls.__name__, (), ns))
    ref.__qualname__ = cls.__qualname__
    return ref


def _sample(cls: type[Record], salt: int) -> dict[str, Any]:
    """Distinct hashable values for every field (by keyword)."""
    return {name: (name, salt, i) for i, name in enumerate(cls._rec_fields)}


def _required(cls: type[Record]) -> dict[str, Any]:
    params = inspect.signature(cls).parameters
    return {n: (n,) for n, p in params.items() if p.default is inspect.Parameter.empty}


CLASSES = sorted(SIGNATURES)


@pytest.mark.parametrize("path", CLASSES)
def test_signature_unchanged(path: str) -> None:
    cls = _cls(path)
    params = inspect.signature(cls).parameters.values()
    assert tuple(str(p) for p in params) == SIGNATURES[path]
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params)
    assert cls._rec_fields == tuple(p.name for p in params)
    assert cls.__match_args__ == cls._rec_fields


@pytest.mark.parametrize("path", CLASSES)
def test_fields_and_defaults(path: str) -> None:
    cls = _cls(path)
    ref = _reference(cls)
    a, b = cls(**_required(cls)), cls(**_required(cls))
    r = ref(**_required(cls))
    for name in cls._rec_fields:
        assert getattr(a, name) is not FACTORY
        assert getattr(a, name) == getattr(r, name), name
        if name in cls._rec_factories:
            assert getattr(a, name) is not getattr(b, name), f"{name}: shared default"
    # positional construction puts each value in its field
    values = list(_sample(cls, 1).values())
    p = cls(*values)
    assert [getattr(p, n) for n in cls._rec_fields] == values
    assert [f.name for f in dataclasses.fields(cls)] == list(cls._rec_fields)
    attrs = ("name", "default", "default_factory", "init", "repr", "hash", "compare", "kw_only")
    for mine, theirs in zip(dataclasses.fields(cls), dataclasses.fields(ref), strict=True):
        assert [getattr(mine, a) for a in attrs] == [getattr(theirs, a) for a in attrs]
        assert mine.type == cls.__annotations__[mine.name]
    assert [f.name for f in dataclasses.fields(p)] == list(cls._rec_fields)
    assert dataclasses.is_dataclass(p) and dataclasses.is_dataclass(cls)


@pytest.mark.parametrize("path", CLASSES)
def test_eq_hash_repr_like_a_dataclass(path: str) -> None:
    cls = _cls(path)
    ref = _reference(cls)
    x, y, z = (_sample(cls, 1), _sample(cls, 1), _sample(cls, 2))
    a, b, c = cls(**x), cls(**y), cls(**z)
    ra, rb, rc = ref(**x), ref(**y), ref(**z)
    assert repr(a) == repr(ra)
    assert (a == b, a == c, a != c) == (ra == rb, ra == rc, ra != rc) == (True, False, True)
    if issubclass(cls, MutableRecord):
        assert cls.__hash__ is None and ref.__hash__ is None
    else:
        assert hash(a) == hash(ra) and hash(a) == hash(b)
    assert a != ra and ra != a  # another class is never equal
    assert (a == 1) is False
    # a field left out of comparison does not change equality or hash
    for name in set(cls._rec_fields) - set(cls._rec_compare):
        other = dataclasses.replace(a, **{name: ("changed",)})
        assert other == a


@pytest.mark.parametrize("path", CLASSES)
def test_frozen(path: str) -> None:
    cls = _cls(path)
    a = cls(**_sample(cls, 1))
    name = cls._rec_fields[0]
    if issubclass(cls, MutableRecord):
        setattr(a, name, 1)
        assert getattr(a, name) == 1
        delattr(a, name)
        assert not hasattr(a, name)
        return
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(a, name, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(a, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.not_a_field = 1  # type: ignore[attr-defined]
    if "__slots__" in cls.__dict__:
        assert not hasattr(a, "__dict__")


@pytest.mark.parametrize("path", CLASSES)
def test_replace_asdict_pickle_copy(path: str) -> None:
    cls = _cls(path)
    a = cls(**_sample(cls, 1))
    name = cls._rec_fields[-1]
    b = dataclasses.replace(a, **{name: "new"})
    assert type(b) is cls and getattr(b, name) == "new"
    assert all(getattr(b, n) == getattr(a, n) for n in cls._rec_fields if n != name)
    with pytest.raises(TypeError):
        dataclasses.replace(a, no_such_field=1)
    assert dataclasses.asdict(a) == _sample(cls, 1)
    assert dataclasses.astuple(a) == tuple(_sample(cls, 1).values())
    for clone in (pickle.loads(pickle.dumps(a)), copy.copy(a), copy.deepcopy(a)):
        assert type(clone) is cls
        assert [getattr(clone, n) for n in cls._rec_fields] == [
            getattr(a, n) for n in cls._rec_fields
        ]


def test_slots_must_match_fields() -> None:
    with pytest.raises(TypeError, match="__slots__"):

        class Bad(Record):
            __slots__ = ("a",)
            a: int
            b: int


def test_recursive_repr() -> None:
    from sup2circus.model import RawOption

    box: list[object] = []
    r = RawOption("n", "v", box)  # type: ignore[arg-type]
    box.append(r)
    assert repr(r) == "RawOption(name='n', value='v', loc=[...], key_text='')"
