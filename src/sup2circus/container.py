"""The lines around the config: supervisor in Dockerfiles and shell scripts (``--check``).

A migration is not done when supervisord.conf is converted: the image still installs
supervisor, runs supervisord as PID 1 and asks supervisorctl for its health. This module finds
those lines and says, for each, what replaces it under circus (codes S2C6xx):

* installing supervisor (apt-get, apt, apk, yum, dnf, pip)             -> S2C601
* copying its config (COPY/ADD of supervisord.conf or into /etc/supervisor) -> S2C602, with
  the conversion step to add to the build
* CMD/ENTRYPOINT/RUN (or a script) running supervisord (also through tini, dumb-init, gosu,
  su-exec, env or python -m)                                            -> S2C603, exec form
  (in a script: exec circusd where supervisord ends it, else circusd & or --daemon)
* supervisorctl in a HEALTHCHECK, a RUN or a script                     -> S2C604, the circusctl
  command with the converted watcher names and the same exit-status meaning
* a line that mentions supervisor but cannot be parsed                  -> S2C605
* a line that mentions supervisor in a way not recognised above          -> S2C606

Dockerfiles are parsed with dockerfile-parse, shell words with :mod:`shlex`. Nothing from the
files is executed; a copied supervisord.conf found in the build context is converted (read,
never run) to name the watchers.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shlex
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .circusctl import CIRCUS_INI, Names, convert_names, supervisorctl
from .filekind import DOCKERFILE, file_kind, read_text
from .findings import Finding, Loc, sorted_findings
from .reporter import Reporter

if TYPE_CHECKING:
    from .api import Conversion
    from .options import ConvertOptions

EXEC_FORM = f'["circusd", "{CIRCUS_INI}"]'
DEFAULT_MAIN_CONF = "/etc/supervisor/supervisord.conf"  # Debian's and Ubuntu's package
_OTHER_MAIN_CONF = "/etc/supervisord.conf"  # Alpine's, Fedora's and EPEL's (found first)
_OTHER_PACKAGERS = frozenset({"apk", "yum", "dnf", "microdnf"})
MAX_SIZE = 4 * 1024 * 1024

_MENTION = re.compile(r"supervisor", re.I)
_SHELLS = frozenset({"sh", "bash", "dash", "ash"})
# Words that may precede a command without being it (shell keywords and plain wrappers).
_PREFIXES = frozenset(
    {"exec", "sudo", "command", "nohup", "time", "!", "{", "then", "else", "do"}
    | {"if", "elif", "while", "until"}
)
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", ";;", "|&"})
_INSTALLERS = {
    "apt-get": "install",
    "apt": "install",
    "apk": "add",
    "yum": "install",
    "dnf": "install",
    "microdnf": "install",
    "pip": "install",
    "pip3": "install",
}


def check_file(path: str, options: ConvertOptions) -> Conversion:
    """The findings of one Dockerfile or shell script, as a conversion without text."""
    from .api import Conversion

    text = read_text(path, MAX_SIZE)
    if file_kind(path) == DOCKERFILE:
        found = check_dockerfile(text, path, options)
    else:
        found = check_script(text, path)
    texts = {path: text}  # for its suppression comments
    return Conversion("", tuple(sorted_findings(found)), path, (path,), texts=texts)


# ---------------------------------------------------------------------------- shell words


class Command(NamedTuple):
    """One simple command: its words (prefixes, assignments and wrappers removed), how it is
    run, and the wrapper words before it (``tini --``, ``gosu app``), which its replacement
    keeps."""

    argv: tuple[str, ...]
    piped: bool = False  # its output goes into a pipe
    background: bool = False  # followed by `&`: the shell goes on at once
    exec: bool = False  # `exec COMMAND`: it replaces the shell
    wrapper: tuple[str, ...] = ()


class Unparsed(Exception):
    """Shell text :mod:`shlex` cannot split, or whose words depend on expansions."""


def commands(text: str) -> list[Command]:
    """The simple commands of a line of shell, including those inside ``sh -c '...'``.
    Raises :class:`Unparsed` for text shlex cannot split and for command substitutions
    (``$(...)``, backquotes), whose commands shlex cannot see."""
    import shlex

    if "$(" in _ARITHMETIC.sub("", text) or "`" in text:
        raise Unparsed("a command substitution ($(...) or `...`)")
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError as exc:
        raise Unparsed(str(exc)) from None
    out: list[Command] = []
    words: list[str] = []
    for token in [*tokens, ";"]:
        if token in _SEPARATORS:
            if words:
                out.extend(_command(words, token == "|", token == "&"))
            words = []
        elif set(token) <= set("<>&|") or token.startswith((">", "<")):
            words.append("\0redirect")
        else:
            words.append(token)
    return out


def _command(words: list[str], piped: bool, background: bool) -> Iterator[Command]:
    """The command in ``words``: redirections dropped, then as :func:`simple`."""
    argv: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word == "\0redirect":
            if argv and argv[-1].isdigit():
                argv.pop()  # the fd of 2>&1
            skip = True  # its target
        else:
            argv.append(word)
    yield from simple(argv, piped, background)


# Commands that run the command after them: the options that take a value, and how many
# operands come before the command (gosu USER COMMAND).
_WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "tini": (frozenset({"-p", "-e"}), 0),
    "dumb-init": (frozenset({"-r", "--rewrite"}), 0),
    "gosu": (frozenset(), 1),
    "su-exec": (frozenset(), 1),
    "env": (frozenset({"-u", "--unset", "-C", "--chdir"}), 0),
}
# supervisor's own modules run with `python -m` instead of their console scripts
_MODULES = {"supervisor.supervisord": "supervisord", "supervisor.supervisorctl": "supervisorctl"}


def simple(argv: Sequence[str], piped: bool = False, background: bool = False) -> Iterator[Command]:
    """The command ``argv`` runs: prefixes (``exec``, ``sudo``...), assignments and wrappers
    dropped, ``python -m supervisor.supervisord`` named supervisord, ``sh -c`` opened."""
    words, wrapper, execs = list(argv), list[str](), False
    while words:
        while words and (words[0] in _PREFIXES or _is_assignment(words[0])):
            execs = execs or words[0] == "exec"
            if wrapper:  # env's assignments belong to the wrapper
                wrapper.append(words[0])
            words.pop(0)
        rest = _unwrapped(words) if words else None
        if rest is None:
            break
        wrapper += words[: len(words) - len(rest)]
        words = rest
    if not words:
        return
    script = _shell_script(words)
    if script is not None:
        yield from commands(script)
        return
    module = _MODULES.get(words[2]) if len(words) > 2 and words[1] == "-m" else None
    if module and re.fullmatch(r"python[0-9.]*", os.path.basename(words[0])):
        words[:3] = [module]
    yield Command(tuple(words), piped, background, execs, tuple(wrapper))


def _unwrapped(words: list[str]) -> list[str] | None:
    """The words after a wrapper's own (``tini -s --``, ``gosu app``); None if ``words``
    does not start with a wrapper."""
    spec = _WRAPPERS.get(os.path.basename(words[0]))
    if spec is None:
        return None
    takes_value, operands = spec
    rest = words[1:]
    while rest and rest[0].startswith("-"):
        flag = rest.pop(0)
        if flag == "--":
            break
        if flag in takes_value:
            rest = rest[1:]
    return rest[operands:]


def _is_assignment(word: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", word, re.S) is not None


def _shell_script(argv: Sequence[str]) -> str | None:
    """The script of ``sh -c SCRIPT`` (also ``bash -ec SCRIPT``...), else None."""
    if os.path.basename(argv[0]) not in _SHELLS:
        return None
    for n, word in enumerate(argv[1:], 1):
        if not word.startswith("-"):
            return None
        if "c" in word[1:] and not word.startswith("--"):
            return argv[n + 1] if n + 1 < len(argv) else None
    return None


# ---------------------------------------------------------------------------- one command


class Context(NamedTuple):
    """What the replacement text of a file's lines needs."""

    path: str
    names: Names | None
    main_conf: str  # the config supervisord reads in the image
    convert_step: bool = False  # name the conversion step where supervisord runs
    endpoint: str | None = None  # circusd's control endpoint, when the main config is known
    converted: bool = False  # a RUN converts the config already
    # the config supervisord reads is the one a system package installs (not copied here)
    packaged: bool = False

    def step(self) -> str:
        return f"RUN sup2circus --strict {self.main_conf} -o {CIRCUS_INI}"


def check_command(
    cmd: Command, line: int, ctx: Context, where: str, goes_on: bool = False
) -> Finding | None:
    """A finding for one simple command that uses supervisor, else None. ``where`` says
    what runs it (``RUN``, ``HEALTHCHECK``, ``the script``...); ``goes_on``: the script has
    more to run after it."""
    argv = cmd.argv
    program = os.path.basename(argv[0])
    loc = Loc(ctx.path, line)
    if needs_nothing(cmd):
        return None
    section = where if where.isupper() else None
    if program == "supervisorctl":
        return _report("S2C604", loc, section, **_supervisorctl_fields(cmd, ctx, where))
    if program == "supervisord":
        step = f"; convert while building, before it: `{ctx.step()}`" if ctx.convert_step else ""
        replacement = _supervisord(cmd, where, goes_on)
        return _report("S2C603", loc, section, replacement=replacement, step=step)
    installed = _installed(argv)
    if installed is not None:
        return _report("S2C601", loc, section, install=installed)
    if any(_MENTION.search(w) for w in argv):
        return mention(" ".join(argv), loc, section)
    return None


def _report(code: str, loc: Loc, section: str | None, **fields: Any) -> Finding:
    """The finding of ``code`` (its rule's message template filled with ``fields``). One
    reporter per finding: two commands on one line are two findings (one reporter would merge
    them, as they are at the same place)."""
    reporter = Reporter()
    reporter.report(code, loc, section, None, **fields)
    return reporter.findings()[0]


def _supervisorctl_fields(cmd: Command, ctx: Context, where: str) -> dict[str, str]:
    """The S2C604 message's fields: the command, its replacement, and what else to change."""
    new = supervisorctl(cmd.argv, ctx.names, ctx.main_conf)
    notes = ""
    if cmd.piped:
        notes += (
            "; its output goes into a pipe, and circusctl prints other words (status: active "
            "or stopped, not RUNNING or STOPPED): rewrite the whole pipeline"
        )
    if "circusctl" in new.command:
        endpoint = f"ENV CIRCUSCTL_ENDPOINT={ctx.endpoint}" if ctx.endpoint else "set "
        endpoint += "" if ctx.endpoint else "CIRCUSCTL_ENDPOINT to the one in its header"
        notes += f"; circusctl needs circus.ini's endpoint ({endpoint})"
    return {
        "where": where,
        "command": " ".join(shlex.quote(w) for w in cmd.argv),
        "replacement": f"use `{new.command}` ({new.note})" if new.command else new.note,
        "notes": notes,
    }


def _supervisord(cmd: Command, where: str, goes_on: bool) -> str:
    """What replaces ``cmd`` (supervisord) run by ``where``, its wrappers kept."""
    if where in ("CMD", "ENTRYPOINT"):
        exec_form = json.dumps([*cmd.wrapper, "circusd", CIRCUS_INI])
        return (
            f"{where} runs supervisord: run circusd on the converted config instead, in exec "
            f"form so that circusd is PID 1 and gets docker stop's SIGTERM: "
            f"`{where} {exec_form}`"
        )
    if where == "RUN":
        return (
            "RUN starts supervisord while building the image: nothing it starts survives the "
            f"build step; start circusd at run time instead: `CMD {EXEC_FORM}`"
        )
    circusd = shlex.join([*cmd.wrapper, "circusd", CIRCUS_INI])
    if cmd.exec or not (goes_on or cmd.background):
        return (
            f"{where} runs supervisord: run circusd on the converted config instead, as the "
            f"shell's last command so that it replaces the shell: `exec {circusd}`"
        )
    if cmd.background:
        how = f"in the background too, keeping the `&`: `{circusd} &`"
    elif not _nodaemon(cmd.argv):
        daemon = shlex.join([*cmd.wrapper, "circusd", "--daemon", CIRCUS_INI])
        how = (
            "as a daemon, as supervisord without -n forks into the background (unless its "
            f"config says nodaemon=true): `{daemon}`"
        )
    else:
        how = f"in the foreground, as supervisord -n: `{circusd}`"
    return (
        f"{where} runs supervisord and goes on after it: run circusd on the converted config "
        f"{how} (not `exec circusd`, which would end the script there)"
    )


def _nodaemon(argv: Sequence[str]) -> bool:
    return any(w in ("-n", "--nodaemon") for w in argv[1:])


def _installed(argv: Sequence[str], system_only: bool = False) -> str | None:
    """``apt-get install supervisor`` (the words shown) when ``argv`` installs supervisor
    (``system_only``: with a system package manager, which installs a main config too)."""
    words = list(argv)
    program = os.path.basename(words[0])
    if re.fullmatch(r"python[0-9.]*", program) and words[1:3] == ["-m", "pip"]:
        words, program = words[2:], "pip"
    verb = _INSTALLERS.get(program)
    if verb is None or verb not in words or (system_only and program.startswith("pip")):
        return None
    for word in words[words.index(verb) + 1 :]:
        if re.split(r"[=<>~!\[; ]", word, maxsplit=1)[0].lower() == "supervisor":
            return f"`{program} {verb} {word}`"
    return None


def mention(text: str, loc: Loc, section: str | None) -> Finding:
    shown = " ".join(text.split())
    if len(shown) > 120:
        shown = shown[:117] + "..."
    return _report("S2C606", loc, section, text=shown)


def unparsed(why: str, loc: Loc, section: str | None) -> Finding:
    return _report("S2C605", loc, section, why=why)


# ---------------------------------------------------------------------------- shell scripts


def check_script(text: str, path: str, ctx: Context | None = None) -> list[Finding]:
    """The findings of a shell script: each logical line's commands."""
    ctx = ctx or Context(path, None, DEFAULT_MAIN_CONF)
    out: list[Finding] = []
    # comment lines are no commands (a here-document's lines are text, comments or not)
    logicals = [x for x in _logical_lines(text) if x[2] or not _is_comment(x[1])]
    last = max((n for n, logical, heredoc in logicals if not heredoc), default=0)
    for line, logical, heredoc in logicals:
        if not _MENTION.search(logical):
            continue
        loc = Loc(path, line)
        if heredoc:
            out.append(mention(logical, loc, None))
            continue
        try:
            cmds = commands(logical)
        except Unparsed as exc:
            out.append(unparsed(str(exc), loc, None))
            continue
        found = [
            f
            for n, c in enumerate(cmds, 1)
            if (f := check_command(c, line, ctx, "the script", line < last or n < len(cmds)))
        ]
        if not found and not any(map(needs_nothing, cmds)) and _mentions(logical):
            found.append(mention(logical, loc, None))
        out.extend(found)
    return out


def _is_comment(logical: str) -> bool:
    stripped = logical.lstrip()
    return not stripped or stripped.startswith("#")


def _mentions(line: str) -> bool:
    """Whether a line of shell mentions supervisor outside a trailing comment."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return any(_MENTION.search(token) for token in lexer)


def _logical_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    """(first line number, text, inside a here-document) of each logical line: lines joined
    at a trailing backslash; a here-document's body lines are yielded one by one."""
    lines = text.splitlines()
    n = 0
    while n < len(lines):
        start, joined = n, lines[n]
        while joined.endswith("\\") and n + 1 < len(lines):
            n += 1
            joined = joined[:-1] + " " + lines[n]
        n += 1
        yield start + 1, joined, False
        for strip, delimiter in heredocs(joined):
            while n < len(lines):
                body = lines[n].lstrip("\t") if strip else lines[n]
                n += 1
                if body == delimiter:
                    break
                yield n, lines[n - 1], True


# `<<WORD`, `<<-WORD`, `<< 'WORD'`, `<<"WORD"`, `<<\WORD`; not `<<<` (a here-string)
_HEREDOC = re.compile(r"(?<!<)<<(?!<)(-?)[ \t]*(?:'(\w+)'|\"(\w+)\"|\\?(\w+))")
# `$((...))` and `((...))`: arithmetic, where `<<` is a left shift (one level of parentheses)
_ARITHMETIC = re.compile(r"\(\((?:[^()]|\([^()]*\))*\)\)")


def heredocs(line: str) -> list[tuple[str, str]]:
    """(``-`` or "", delimiter) of each here-document a line of shell opens."""
    return [
        (m.group(1), m.group(2) or m.group(3) or m.group(4))
        for m in _HEREDOC.finditer(_ARITHMETIC.sub("", line))
    ]


# ---------------------------------------------------------------------------- Dockerfiles

_COPY_FLAGS_WITH_FROM = re.compile(r"--from(=|$)")


class Instruction(NamedTuple):
    keyword: str
    line: int  # 1-based, the first line
    content: str  # as written, continuation lines included, comment lines left empty
    value: str  # dockerfile-parse's value (continuations joined, comment lines dropped)


def instructions(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile (comments left out), with dockerfile-parse."""
    import io

    from dockerfile_parse import DockerfileParser  # type: ignore[import-untyped]

    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")), env_replace=False)
    lines = text.splitlines()
    return [
        Instruction(
            i["instruction"],
            i["startline"] + 1,
            _as_written(lines[i["startline"] : i["endline"] + 1]),
            i["value"],
        )
        for i in parser.structure
        if i["instruction"] != "COMMENT"
    ]


def _as_written(lines: list[str]) -> str:
    """An instruction's lines, its comment lines emptied but kept: dockerfile-parse's
    ``content`` drops them, and the line numbers counted in it would be off by as many."""
    return "".join("\n" if line.lstrip().startswith("#") else line + "\n" for line in lines)


_KNOWN = frozenset(
    {"FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT"}
    | {"VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}
)


def check_dockerfile(text: str, path: str, options: ConvertOptions) -> list[Finding]:
    steps = _without_heredocs(instructions(text))
    copies = [(i, c) for i in steps if (c := _config_copy(i)) is not None]
    main_conf = _main_conf(steps, copies)
    names, named = _names(path, copies, options)
    # circusctl's endpoint is known when the converted copy is the config supervisord reads
    endpoint = names.endpoint if names is not None and named[1] == main_conf else None
    # The conversion step is named on the config's COPY, else where supervisord runs.
    converted = any(map(converts, _run_commands(steps)))
    packaged = not any(_writes(copy, main_conf) for _, copy in copies) and any(
        _installed(cmd.argv, system_only=True) for cmd in _run_commands(steps)
    )
    ctx = Context(
        path, names, main_conf, not copies and not converted, endpoint, converted, packaged
    )
    out: list[Finding] = []
    for step in steps:
        out.extend(_check_instruction(step, ctx, copies))
    return out


def _without_heredocs(steps: list[Instruction]) -> list[Instruction]:
    """The instructions, a here-document (``RUN <<EOF``) becoming one unparsed step: the
    parser reads its body lines as instructions."""
    out: list[Instruction] = []
    n = 0
    while n < len(steps):
        step = steps[n]
        n += 1
        opened = heredocs(step.value)
        if not opened or step.keyword not in ("RUN", "COPY", "ADD"):
            out.append(step)
            continue
        body = [step.content]
        while n < len(steps) and steps[n].content.strip() != opened[0][1]:
            body.append(steps[n].content)
            n += 1
        n += 1
        out.append(Instruction("HEREDOC", step.line, "".join(body), step.keyword))
    return out


def _check_instruction(
    step: Instruction, ctx: Context, copies: list[tuple[Instruction, tuple[str, str]]]
) -> list[Finding]:
    keyword, loc = step.keyword, Loc(ctx.path, step.line)
    if not _MENTION.search(step.content):
        return []
    if keyword == "HEREDOC":
        return [unparsed(f"a here-document in {step.value}", loc, step.value)]
    if keyword not in _KNOWN:
        return [unparsed(f"unknown instruction {keyword}", loc, keyword)]
    if keyword in ("COPY", "ADD"):
        copy = next((c for i, c in copies if i is step), None)
        if copy is not None:
            return [] if ctx.converted else [_copy_finding(step, copy, ctx, copies[-1][0].line)]
    if keyword in ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"):
        return _check_commands(step, ctx)
    return [mention(step.value, loc, keyword)]


def _check_commands(step: Instruction, ctx: Context) -> list[Finding]:
    keyword, value = step.keyword, _shell_text(step)
    loc = Loc(ctx.path, step.line)
    if keyword == "HEALTHCHECK":
        match = re.match(r"((?:--\S+\s+)*)CMD\s+(.*)", value, re.S | re.I)
        if match is None:
            return [mention(value, loc, keyword)]
        value = match.group(2)
    try:
        cmds = _exec_form(value)
        if cmds is None:
            cmds = commands(value)
    except Unparsed as exc:
        return [unparsed(str(exc), loc, keyword)]
    out: list[Finding] = []
    for cmd, line in zip(cmds, _lines_of(step, cmds), strict=True):
        f = check_command(cmd, line, ctx, keyword)
        if f is not None:
            out.append(f)
    if out or any(map(needs_nothing, cmds)):
        return out
    return [mention(value, loc, keyword)]


# RUN's own flags, before its command: --mount=..., --network=host, --security=insecure
_RUN_FLAGS = re.compile(r"^\s*(?:--[a-z-]+(?:=\S*)?\s+)*")


def _shell_text(step: Instruction) -> str:
    """The command text of an instruction: a RUN's value without RUN's flags."""
    if step.keyword != "RUN":
        return step.value
    return _RUN_FLAGS.sub("", step.value, count=1)


# the options with which supervisord and supervisorctl print something and run nothing
_ASKS = {
    "supervisord": frozenset({"-v", "--version", "-h", "--help", "-?"}),
    "supervisorctl": frozenset({"-h", "--help"}),
}


def needs_nothing(cmd: Command) -> bool:
    """Whether ``cmd`` needs no change: the conversion step, or a version or help query."""
    asks = _ASKS.get(os.path.basename(cmd.argv[0]), frozenset())
    return converts(cmd) or not asks.isdisjoint(cmd.argv[1:])


def converts(cmd: Command) -> bool:
    """Whether ``cmd`` is the conversion step itself (``sup2circus ... -o circus.ini``)."""
    return os.path.basename(cmd.argv[0]) == "sup2circus" and "--check" not in cmd.argv


def _exec_form(value: str) -> list[Command] | None:
    """The command of an exec-form (JSON array) value; None for the shell form (Docker reads
    a value that is not a JSON array of strings as shell form too)."""
    if not value.lstrip().startswith("["):
        return None

    try:
        argv = json.loads(value)
    except ValueError:
        return None
    if not isinstance(argv, list) or not argv or not all(isinstance(w, str) for w in argv):
        return None
    return list(simple(argv))


def _lines_of(step: Instruction, cmds: list[Command]) -> list[int]:
    """The physical line of each command of a (multi-line) instruction: its words are looked
    for in order in the text as written, up to the first that mentions supervisor."""
    content, offset, out = step.content, 0, []
    for cmd in cmds:
        where = offset
        for n, word in enumerate(cmd.argv):
            at = content.find(word, offset)
            if at < 0:
                continue
            offset = at + len(word)
            if n == 0 or _MENTION.search(word):
                where = at
            if _MENTION.search(word):
                break
        out.append(step.line + content.count("\n", 0, where))
    return out


def _copy_words(step: Instruction) -> list[str] | None:
    """The sources and destination of COPY/ADD (flags dropped); None when it copies from
    another stage or image (``--from``)."""
    import shlex

    exec_form = _json_words(step.value)
    if exec_form is not None:
        words = exec_form
    else:
        try:
            words = shlex.split(step.value)
        except ValueError:
            return None
    flags = [w for w in words if w.startswith("--")]
    if any(_COPY_FLAGS_WITH_FROM.match(f) for f in flags):
        return None
    return [w for w in words if not w.startswith("--")]


def _json_words(value: str) -> list[str] | None:
    stripped = re.sub(r"^(--\S+\s+)*", "", value.strip())
    if not stripped.startswith("["):
        return None

    try:
        words = json.loads(stripped)
    except ValueError:
        return None
    if isinstance(words, list) and all(isinstance(w, str) for w in words):
        return words
    return None


def _config_copy(step: Instruction) -> tuple[str, str] | None:
    """(source, destination) when COPY/ADD copies a supervisor config: a source named
    supervisord.conf, or a destination in /etc/supervisor or named supervisord.conf."""
    if step.keyword not in ("COPY", "ADD"):
        return None
    words = _copy_words(step)
    if words is None or len(words) < 2:
        return None
    *sources, dest = words
    into_supervisor = dest.startswith("/etc/supervisor") or dest.endswith("supervisord.conf")
    for source in sources:
        if os.path.basename(source.rstrip("/")) == "supervisord.conf" or into_supervisor:
            return source, dest
    return None


def _writes(copy: tuple[str, str], path: str) -> bool:
    """Whether the copy (source, destination) writes the file ``path``."""
    source, dest = copy
    if dest.endswith("/"):
        dest += os.path.basename(source.rstrip("/"))
    return posixpath.normpath(dest) == posixpath.normpath(path)


def _copy_finding(
    step: Instruction, copy: tuple[str, str], ctx: Context, last_copy: int
) -> Finding:
    source, dest = copy
    after = "it" if step.line == last_copy else f"the last config copy (line {last_copy})"
    converts_to = ""
    if ctx.names is not None and copy == ctx.names.copied:
        listed = ", ".join(dict.fromkeys(ctx.names.watchers.values())) or "none"
        converts_to = f"; {source} converts to the watchers {listed}"
    if ctx.packaged:
        converts_to += (
            f"; {ctx.main_conf} itself is not copied here but installed by the supervisor "
            "package: once the package is removed (S2C601), COPY a main config of your own "
            "(with its [include]) or the conversion step finds nothing"
        )
    return _report(
        "S2C602",
        Loc(ctx.path, step.line),
        step.keyword,
        instruction=step.keyword,
        source=source,
        dest=dest,
        after=after,
        step=ctx.step(),
        converts_to=converts_to,
    )


def _main_conf(steps: list[Instruction], copies: list[tuple[Instruction, tuple[str, str]]]) -> str:
    """The config supervisord reads in the image: its ``-c`` in CMD/ENTRYPOINT, else a
    config copied to a supervisord.conf, else the installing package's (Debian's by default)."""
    for step in steps:
        if step.keyword not in ("CMD", "ENTRYPOINT", "RUN"):
            continue
        try:
            cmds = _exec_form(_shell_text(step)) or commands(_shell_text(step))
        except Unparsed:
            continue
        for cmd in cmds:
            conf = _dash_c(cmd.argv) if os.path.basename(cmd.argv[0]) == "supervisord" else None
            if conf:
                return conf
    for _step, (source, dest) in copies:
        if dest.endswith("supervisord.conf"):
            return dest
        if dest.endswith("/") and os.path.basename(source) == "supervisord.conf":
            return dest + "supervisord.conf"
    for cmd in _run_commands(steps):
        if os.path.basename(cmd.argv[0]) in _OTHER_PACKAGERS and _installed(cmd.argv):
            return _OTHER_MAIN_CONF
    return DEFAULT_MAIN_CONF


def _run_commands(steps: list[Instruction]) -> Iterator[Command]:
    """The commands of every RUN that can be parsed."""
    for step in steps:
        if step.keyword == "RUN":
            try:
                yield from _exec_form(_shell_text(step)) or commands(_shell_text(step))
            except Unparsed:
                continue


def _dash_c(argv: Sequence[str]) -> str | None:
    for n, word in enumerate(argv):
        if word in ("-c", "--configuration") and n + 1 < len(argv):
            return argv[n + 1]
        if word.startswith("--configuration="):
            return word.split("=", 1)[1]
    return None


def _shown_path(path: str) -> str:
    """``path`` relative to the current directory when below it, else as it is."""
    try:
        shown = os.path.relpath(path)
    except FileNotFoundError:  # the current directory was removed
        return path
    return path if shown.startswith(os.pardir) else shown


def _names(
    path: str, copies: list[tuple[Instruction, tuple[str, str]]], options: ConvertOptions
) -> tuple[Names | None, tuple[str, str]]:
    """The watcher names of the first copied config found in the build context (the
    Dockerfile's directory, the current directory, or the Dockerfile's parent directory),
    and that copy's (source, destination)."""
    here = os.path.dirname(os.path.abspath(path))
    try:
        roots: tuple[str, ...] = (here, os.getcwd(), os.path.dirname(here))
    except FileNotFoundError:  # the current directory was removed: not a place to look
        roots = (here, os.path.dirname(here))
    for _step, copy in copies:
        source = copy[0]
        if os.path.isabs(source) or "*" in source or "$" in source:
            continue
        for root in roots:
            candidate = os.path.join(root, source)
            if os.path.isfile(candidate):
                shown = _shown_path(candidate)
                names = convert_names(candidate, shown, options)
                if names is not None:
                    return names._replace(copied=copy), copy
    return None, ("", "")
