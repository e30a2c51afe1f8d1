"""The rule list: every finding code sup2circus can emit.

Codes are stable: once released, a code never changes meaning. ``docs/rules.md`` and the
``--explain`` text are generated from this table (see :mod:`sup2circus.docs`).

Each rule says what supervisor does, what circus does, why they differ, how to fix or
suppress it, and gives an example. ``observes`` names the runtime-observable fields
(``argv``, ``cwd``, ``env``, ``user``, ``umask``, ``stdout``, ``stderr``, ``start_order``,
``stop_signal``, ``restarts``, ``stop``) a finding of this code accounts for: the
runtime-equivalence suite accepts a difference in a field only when a finding names it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .findings import Finding, Loc, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str  # kebab-case slug, also the docs anchor
    title: str  # one line
    severity: Severity  # default severity
    supervisor: str  # what supervisord does
    circus: str  # what circusd does
    fix: str  # how to fix or suppress
    example: str = ""  # a minimal supervisord.conf snippet
    observes: tuple[str, ...] = ()
    # the finding's message: a str.format template filled by reporter.Reporter.report's fields
    # ({watchers}: the watchers that report the same fact)
    message: str = ""

    @property
    def anchor(self) -> str:
        """This rule's section in docs/rules.md."""
        return f"{self.code.lower()}-{self.name}"

    @property
    def explain(self) -> str:
        """The command that documents this rule: sup2circus has no public web home to link to."""
        return f"sup2circus --explain {self.code}"


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

_RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ S2C0xx reading
    Rule(
        "S2C001",
        "include-no-match",
        "An [include] glob matches no file",
        W,
        "Logs a warning and skips the pattern.",
        "Nothing is converted for it: the converted config only contains what existed when "
        "sup2circus ran.",
        "Run the conversion where the included files exist (e.g. in the image build after "
        "copying them), or remove the pattern.",
        "[include]\nfiles = conf.d/*.conf",
        message='no file matches include pattern "{pattern}" (supervisord skips it)',
    ),
    Rule(
        "S2C002",
        "include-unreadable",
        "An included file cannot be read",
        W,
        "Refuses to start when an included file cannot be parsed; skips files it cannot open.",
        "Nothing from that file is converted.",
        "Fix the file's permissions or encoding, or remove it from [include] files.",
        message='included file "{path}" cannot be read: {why} (supervisord skips it; nothing '
        "from it is converted)",
    ),
    Rule(
        "S2C003",
        "nested-include",
        "[include] inside an included file is not followed",
        I,
        "Reads [include] files once, from the main file only: a nested [include] is ignored.",
        "Nothing to convert: sup2circus follows supervisor and ignores it too.",
        "Move the patterns into the main file's [include] section.",
        message="[include] {why}",
    ),
    Rule(
        "S2C004",
        "unknown-option",
        "Option not known to supervisor (ignored by it)",
        I,
        "Silently ignores options it does not know, typos included.",
        "The option is not converted (circus would ignore it too).",
        "Fix the spelling (the message suggests the closest valid name) or delete the line.",
        "[program:web]\ncommand = /bin/web\nautorestrat = true",
        message="unknown option '{name}' in [{section}] (supervisor ignores it{suggestion})",
    ),
    Rule(
        "S2C005",
        "option-wrong-section",
        "Option belongs to another kind of section",
        I,
        "Ignores an option that its section type does not read.",
        "Not converted.",
        "Move the option to the section type that reads it.",
        message=(
            "option '{name}' is not read in [{section}] (it belongs to {kinds}); supervisor "
            "ignores it here"
        ),
    ),
    Rule(
        "S2C006",
        "unknown-section",
        "Section not read by supervisor",
        I,
        "Ignores sections it does not know (section names are case-sensitive).",
        "Not converted.",
        "Rename the section (e.g. [program:x], not [Program:x]) or delete it.",
        message="section [{section}] is not read by supervisord{hint}",
    ),
    Rule(
        "S2C007",
        "env-resolved",
        "%(ENV_X)s resolved at conversion time",
        W,
        "Expands %(ENV_X)s from its own environment each time it starts.",
        "circus cannot defer this value (a name, a number, a flag, an env section key...), so "
        "the value of the converting machine's environment is written into circus.ini.",
        "Convert where the environment matches the runtime one, or write the value literally.",
        observes=("argv", "cwd", "env", "user", "stdout", "stderr"),
        message="%({name})s in {where} is resolved now{why}",
    ),
    Rule(
        "S2C008",
        "env-deferred",
        "%(ENV_X)s deferred to circusd's environment",
        I,
        "Expands %(ENV_X)s when supervisord starts and refuses to start if X is undefined.",
        "The reference becomes $(circus.env.X) (or $X in env sections), read when circusd "
        "starts; an undefined X is left as literal text instead of refusing to start.",
        "Make sure X is set in circusd's environment, or use --resolve-env to bake today's "
        "value in (beware: that writes secrets into image layers).",
        message=(
            "%(ENV_{name})s is not defined in this environment: it is deferred to circusd, "
            "which must have {name} in its environment (supervisord would refuse to start "
            "without it)"
        ),
    ),
    Rule(
        "S2C009",
        "snippet-without-supervisord",
        "No [supervisord] section: converted as a conf.d snippet",
        I,
        "Refuses a main config without [supervisord]; such files are meant to be [include]d.",
        "Converted as if included by an empty main config (supervisor defaults).",
        "Nothing to do if the file is a conf.d snippet.",
        message=(
            "no [supervisord] section: converted as a conf.d snippet included by an empty "
            "main config (supervisord defaults)"
        ),
    ),
    Rule(
        "S2C010",
        "host-node-name-resolved",
        "%(host_node_name)s baked in",
        W,
        "Expands %(host_node_name)s to the host name of the machine it runs on.",
        "circus has no equivalent; the converting machine's host name is written.",
        "Run the conversion on the target host, or avoid %(host_node_name)s.",
        observes=("argv", "cwd", "env", "stdout", "stderr"),
        message=(
            "%(host_node_name)s in {where} is {effect} this machine's host name ({node!r}){purpose}"
        ),
    ),
    Rule(
        "S2C011",
        "unknown-user",
        "User does not exist on the converting machine",
        I,
        "Refuses to start when the user does not exist where it runs.",
        "circusd fails to spawn the process (the watcher stops after max_retry) when the user "
        "does not exist where it runs.",
        "Nothing, if the user exists on the target machine.",
        message="{owner_of}user {user!r} does not exist on this machine{consequence}",
    ),
    Rule(
        "S2C012",
        "missing-log-directory",
        "Log file directory does not exist here",
        I,
        "Refuses to start when a log file's directory is missing.",
        "circusd silently drops the whole watcher (only a WARNING in its log) when a "
        "FileStream's directory is missing. A fact of the converting machine (configs are "
        "often converted or linted elsewhere than where they run): info.",
        "Make sure the directory exists on the target (e.g. RUN mkdir -p in the Dockerfile).",
        observes=("stdout", "stderr"),
        message=(
            "the directory {directory!r} of {option} does not exist on this machine: where it"
            " is missing, supervisord refuses to start and circusd silently drops the watcher"
            " (nothing to do if it exists where circusd runs)"
        ),
    ),
    Rule(
        "S2C013",
        "duplicate",
        "Duplicate section or option: the last one wins",
        I,
        "Merges duplicate sections and keeps the last value of a duplicate option.",
        "The converted file holds the value supervisor uses (circus would keep the first).",
        "Delete the duplicate.",
        message="{duplicate}; supervisord {outcome}",
    ),
    Rule(
        "S2C014",
        "env-undefined",
        "%(ENV_X)s undefined here, in a place circus cannot defer",
        E,
        "Expands %(ENV_X)s when it starts, from its own environment (and refuses to start "
        "without X).",
        "A name, a number or a flag cannot be deferred to circusd's environment, and the "
        "converting machine does not define X: the section (or, in [supervisord], the "
        "option) is not converted.",
        "Convert where X is defined (e.g. pass it to the build step), or write the value "
        "literally.",
        "[program:web]\ncommand = /usr/bin/web\nnumprocs = %(ENV_WORKERS)s",
        observes=("argv", "cwd", "env", "user", "stdout", "stderr", "start_order"),
        message="{reason}; {consequence}",
    ),
    Rule(
        "S2C015",
        "whole-expansion-dict",
        "A %-conversion with no (name) would expand the whole expansion dictionary",
        E,
        "Formats a bare %s (or %r, %5s...) with its whole expansion dictionary: the option "
        "gets the dictionary's repr, the value of every environment variable included.",
        "Not converted, so that no environment value (a secret) is written anywhere: the "
        "section (in [supervisord], the option; in [include], the files) is skipped, and the "
        "message never shows the values.",
        "Write %% for a literal %, or name the value: %(program_name)s, %(ENV_X)s...",
        "[program:web]\ncommand = /usr/bin/printf %s",
        observes=("argv", "cwd", "env", "user", "stdout", "stderr", "start_order"),
        message="{reason}; {consequence}",
    ),
    Rule(
        "S2C016",
        "env-baked",
        "--resolve-env wrote this machine's environment values into circus.ini",
        W,
        "Expands %(ENV_X)s from its own environment each time it starts.",
        "With --resolve-env the converting machine's values are written into circus.ini: "
        "circusd uses them whatever its own environment holds. The finding names the "
        "variables (never their values), once per conversion.",
        "Make sure the values may be written where circus.ini goes (image layers, "
        "repositories), or convert without --resolve-env to defer them to circusd's "
        "environment.",
        observes=("argv", "cwd", "env", "user", "stdout", "stderr"),
        message=(
            "--resolve-env: the values of {names} were taken from this machine's environment "
            "and written into circus.ini (circusd will not read them from its own "
            "environment)"
        ),
    ),
    Rule(
        "S2C017",
        "no-programs",
        "No programs: circusd would run nothing",
        W,
        "Runs the programs of the config and of the files its [include] names.",
        "The converted circus.ini has no watcher, so circusd would run nothing: usually an "
        "[include] pattern matched nothing here, or the file is not the main config.",
        "Convert where the included files exist, or convert the file that holds the programs.",
        "[supervisord]\nnodaemon = true\n\n[include]\nfiles = conf.d/*.conf",
        message="no programs: circusd would run nothing; did an [include] miss?",
    ),
    # ------------------------------------------------------------------ S2C1xx programs
    Rule(
        "S2C101",
        "autorestart-unexpected",
        "autorestart=unexpected / exitcodes have no circus equivalent",
        W,
        "autorestart=unexpected (the default) restarts a process only when it exits with a "
        "code not in exitcodes (a signal death is unexpected).",
        "respawn = true restarts every exit, expected or not (a clean exit 0 is restarted); "
        "respawn = false never restarts.",
        "Set autorestart=true or false explicitly, or convert with --exact (circus hooks "
        "reproduce it exactly).",
        "[program:job]\ncommand = /usr/bin/run-once",
        observes=("restarts",),
        message="autorestart=unexpected{default} with exitcodes={exitcodes}: {effect}",
    ),
    Rule(
        "S2C102",
        "startsecs-startretries",
        "startsecs/startretries have no circus equivalent",
        I,
        "A process that exits before startsecs is a failed start; after startretries failed "
        "starts (with 1 s, 2 s, 3 s... back-off) it becomes FATAL and is not restarted.",
        "circus restarts a failing process forever at check_delay pace (max_retry only counts "
        "spawn errors).",
        "Convert with --exact (hooks reproduce it), or accept the difference in failure handling.",
        observes=("restarts",),
        message="startsecs={startsecs}, startretries={startretries}: {effect}",
    ),
    Rule(
        "S2C103",
        "stopasgroup",
        "stopasgroup/killasgroup have no circus equivalent",
        W,
        "Sends the stop signal (and SIGKILL) to the whole process group: children and "
        "grandchildren too.",
        "Signals the main process only (stop_children misses children and never reaches "
        "grandchildren): child processes survive a stop.",
        "Convert with --exact (a before_signal hook signals the process group).",
        "[program:web]\ncommand = /usr/bin/app\nstopasgroup = true",
        observes=("stop",),
        message="{setting}=true: {effect}",
    ),
    Rule(
        "S2C104",
        "umask",
        "Per-program umask",
        I,
        "Sets the umask in the child before exec.",
        "Has no per-watcher umask (the option is silently ignored): sup2circus wraps the "
        'command in sh -c \'umask NNN && exec "$0" "$@"\', which is exact.',
        "Nothing to do; with --no-wrappers the umask is lost (warning).",
        observes=("umask", "argv"),
        message="{detail}",
    ),
    Rule(
        "S2C105",
        "redirect-stderr",
        "redirect_stderr=true",
        I,
        "Dups stderr onto the stdout pipe: one stream, order preserved.",
        'Has no such option: sup2circus wraps the command in sh -c \'exec "$0" "$@" 2>&1\', '
        "which is exact.",
        "Nothing to do; with --no-wrappers stderr goes to the same target through a second "
        "stream and the order between the two is lost (warning).",
        observes=("stderr", "argv"),
        message="{detail}",
    ),
    Rule(
        "S2C106",
        "stdin",
        "stdin is /dev/null under circus",
        I,
        "Gives each child a pipe on stdin that never reaches EOF.",
        "Gives /dev/null: a program that reads stdin sees EOF at once and exits.",
        "Nothing for programs that do not read stdin (most servers).",
        observes=("stdin",),
        message=(
            "circus gives every child /dev/null on stdin (supervisord: a pipe that never reaches "
            "EOF); programs that read stdin will see EOF"
        ),
    ),
    Rule(
        "S2C107",
        "supervisor-env",
        "SUPERVISOR_* variables are not set",
        I,
        "Sets SUPERVISOR_ENABLED, SUPERVISOR_PROCESS_NAME, SUPERVISOR_GROUP_NAME and "
        "SUPERVISOR_SERVER_URL (from serverurl) in every child.",
        "Sets none of them.",
        "Nothing, unless the program checks them (supervisor.childutils does).",
        message="{detail}",
    ),
    Rule(
        "S2C108",
        "stop-order",
        "Stop is not sequential under circus",
        I,
        "Stops processes in reverse priority order, waiting for each to exit before the next.",
        "Signals every watcher at once (in priority order, without waiting).",
        "Nothing, unless a program must stop before another (then stop them explicitly with "
        "circusctl before stopping circusd).",
        observes=("stop",),
        message=(
            "supervisord stops groups one at a time in reverse start order, waiting for each; "
            "{effect}"
        ),
    ),
    Rule(
        "S2C110",
        "auto-logfile",
        "AUTO log file gets a fixed path",
        I,
        "Captures output into a temporary file in childlogdir with a random name, removed "
        "at start unless nocleanup.",
        "sup2circus writes a deterministic FileStream path in childlogdir instead.",
        "Set the log file path explicitly to silence this.",
        observes=("stdout", "stderr"),
        message=(
            "{setting}=AUTO: supervisord picks a random file name in childlogdir; written as {path}"
        ),
    ),
    Rule(
        "S2C111",
        "logfile-backups-zero",
        "*_logfile_backups=0 never truncates under circus",
        W,
        "With backups=0 and maxbytes>0 the log file is truncated at each rollover.",
        "A FileStream with backup_count = 0 never truncates: the file grows without bound.",
        "Set backups to 1 or more, or maxbytes=0.",
        observes=("stdout", "stderr"),
        message=(
            "{channel}_logfile_backups=0 with maxbytes>0: supervisord truncates the file at each "
            "rollover, circus never truncates it (it grows without bound)"
        ),
    ),
    Rule(
        "S2C112",
        "syslog",
        "Logging to syslog has no circus equivalent",
        W,
        "stdout_syslog/stderr_syslog (or logfile=syslog) copy the child's output to syslog.",
        "Not converted: no syslog stream in circus.",
        "Log to a file or to circusd's stdout and ship it from there.",
        observes=("stdout", "stderr"),
        message="{channel} to syslog has no circus equivalent{instead}",
    ),
    Rule(
        "S2C113",
        "process-communication",
        "capture mode / output events are not converted",
        I,
        "*_capture_maxbytes and *_events_enabled emit PROCESS_COMMUNICATION / PROCESS_LOG "
        "events to event listeners.",
        "No events of that kind.",
        "Nothing, unless an event listener relies on them.",
        message="{detail}",
    ),
    Rule(
        "S2C114",
        "shared-logfile",
        "stdout and stderr share one file without redirect_stderr",
        I,
        "Writes both channels to the same file through one logger each.",
        "Two FileStreams on one file rotate independently.",
        "Use redirect_stderr=true.",
        observes=("stdout", "stderr"),
        message=(
            "stdout and stderr are logged to the same file: circus rotates its two streams on that "
            "file independently (use redirect_stderr=true)"
        ),
    ),
    Rule(
        "S2C115",
        "env-wrapper",
        "Environment value circus would rewrite: set through `env`",
        I,
        "Passes environment values exactly.",
        "Rewrites [env] values: strips spaces, cuts at ' ;', expands $UPPER names from "
        "circusd's environment. sup2circus sets such values with an `env NAME=value` "
        "wrapper in the command instead, which is exact.",
        "Nothing to do; with --no-wrappers the value cannot be written (error).",
        observes=("env", "argv"),
        message=(
            "variable {variable}: {reason}; set through an `env` wrapper in cmd instead (exact)"
        ),
    ),
    Rule(
        "S2C116",
        "inherited-env-rewritten",
        "circus rewrites inherited variables with $ in them",
        I,
        "Passes its own environment to children unchanged.",
        "With copy_env = true circus expands $UPPER names and strips spaces in every "
        "inherited value too.",
        "Avoid '$NAME' text and leading/trailing spaces in the environment circusd starts with.",
        message=(
            "with copy_env = true circus expands $NAME references and strips surrounding spaces in "
            "the variables circusd itself inherits (supervisord passes them unchanged)"
        ),
    ),
    Rule(
        "S2C117",
        "relative-command",
        "Command path relative to a directory",
        W,
        "Resolves a command containing '/' against supervisord's own working directory.",
        "Resolves it against the watcher's working_dir.",
        "Use an absolute path.",
        observes=("argv",),
        message=(
            "command {program} is relative: supervisord resolves it against its own working "
            "directory, circus against working_dir ({directory}); use an absolute path"
        ),
    ),
    Rule(
        "S2C118",
        "fcgi-socket",
        "fcgi-program socket",
        I,
        "Creates the socket at first start and closes it when all processes stopped.",
        "Binds the [socket:...] for circusd's whole lifetime; the socket is on fd 0 like "
        "supervisor's.",
        "Nothing to do.",
        message=(
            "socket {url} becomes [socket:{name}] on the watcher's stdin (stdin_socket); circus "
            "binds it for its whole lifetime instead of on first start"
        ),
    ),
    Rule(
        "S2C119",
        "socket-owner",
        "socket_owner has no circus equivalent",
        W,
        "chowns the unix socket.",
        "Not converted: the socket stays owned by circusd's user.",
        "chown it in a before_start hook or run the program as that user.",
        message=(
            "socket_owner={owner} has no circus equivalent: the socket stays owned by circusd's "
            "user"
        ),
    ),
    Rule(
        "S2C120",
        "eventlistener",
        "[eventlistener:x] has no circus equivalent",
        E,
        "Runs the listener and feeds it events through the READY/RESULT protocol on stdin.",
        "Has no event protocol: as a plain watcher the listener reads EOF and crash-loops.",
        "Rewrite it as a circus plugin ([plugin:x]) or a hook; the section is not converted.",
        "[eventlistener:mon]\ncommand = /usr/bin/mon\nevents = PROCESS_STATE",
        message=(
            "[{section}] is an event listener: circus has no event protocol (as a plain watcher it "
            "would read EOF and crash-loop); not converted -- rewrite it as a circus plugin or hook"
        ),
    ),
    Rule(
        "S2C121",
        "group-order",
        "[group:x] start order encoded in priorities",
        I,
        "Starts groups by group priority, members in programs= order, and stops a group's "
        "members together.",
        "No groups: sup2circus encodes the same start order in watcher priorities and names "
        "members g:a so that circusctl stop 'g:*' works.",
        "Nothing to do.",
        message=(
            "[group:{group}] start order (group priority {priority}, then programs= order) is "
            "encoded in watcher priorities; members are named {group}:NAME so `circusctl stop "
            "'{group}:*'` works; circus stops them concurrently"
        ),
    ),
    Rule(
        "S2C122",
        "user-from-supervisord",
        "[supervisord] user applied to every watcher",
        I,
        "Drops privileges itself, so every child runs as that user.",
        "circusd keeps running as the user that started it; every watcher gets uid instead.",
        "Start circusd as that user if the daemon itself must not run as root.",
        message=(
            "[supervisord] user={user}: supervisord drops privileges itself; written as uid on "
            "every watcher (circusd itself keeps its user)"
        ),
    ),
    Rule(
        "S2C123",
        "env-name-variable",
        "circus adds __name__ to the environment",
        I,
        "Sets exactly supervisord's environment plus environment=.",
        "Every [env:...] section also puts a variable __name__=env:NAME into the child's "
        "environment.",
        "Nothing to do unless a program enumerates its environment.",
        observes=("env",),
        message=(
            "circus adds __name__=env:NAME to the environment of {kind} {names} (NAME: the "
            "watcher's; a side effect of every [env:...] section)"
        ),
    ),
    Rule(
        "S2C124",
        "output-routing",
        "Output routing approximated",
        W,
        "Sends stdout to the device named by stdout_logfile (e.g. /dev/stderr).",
        "The combination cannot be expressed with circus streams and wrappers; the output goes "
        "to circusd's stdout instead.",
        "Log stdout to a file, or to /dev/stdout.",
        observes=("stdout",),
        message="stdout to stderr cannot be expressed here: stdout goes to circusd's stdout",
    ),
    Rule(
        "S2C125",
        "command-unsplittable",
        "The command cannot be split into arguments",
        E,
        "Accepts the config but cannot start the program: splitting the command (shlex) fails "
        "at spawn time (an unclosed quote, a trailing backslash).",
        "Not converted: there is no argv to run.",
        "Close the quote or escape the character in command.",
        "[program:web]\ncommand = /usr/bin/web 'unclosed",
        observes=("argv",),
        message=(
            "the command cannot be split into arguments (an unclosed quote or a trailing "
            "backslash?): supervisord would fail to start it; watcher not converted"
        ),
    ),
    Rule(
        "S2C126",
        "numprocs-too-large",
        "numprocs beyond what sup2circus converts",
        E,
        "Tries to start every one of numprocs processes.",
        "Not converted: sup2circus writes one watcher per process and stops at 10,000 "
        "processes per program.",
        "Lower numprocs.",
        message="{reason}; {consequence}",
    ),
    # ------------------------------------------------------------------ S2C2xx daemon
    Rule(
        "S2C201",
        "daemonize",
        "nodaemon=false: circusd needs --daemon",
        I,
        "Forks into the background unless nodaemon=true.",
        "Stays in the foreground unless started as `circusd --daemon` (no ini option).",
        "Start circusd with --daemon, or set nodaemon=true.",
        message=(
            "supervisord daemonizes (nodaemon is false): start circusd with `circusd --daemon` to "
            "do the same; circus.ini cannot say it"
        ),
    ),
    Rule(
        "S2C202",
        "daemon-log",
        "Daemon log destination",
        I,
        "Logs to logfile (and, with nodaemon, also to stdout), rotated by logfile_maxbytes "
        "and logfile_backups.",
        "Logs to a single destination (logoutput) without rotation.",
        "Rotate circusd's log with logrotate or a loggerconfig file.",
        message="{detail}",
    ),
    Rule(
        "S2C203",
        "loglevel",
        "Log level renamed",
        I,
        "Accepts critical, error, warn, info, debug, trace, blather.",
        "Accepts critical, error, warning, info, debug only (anything else becomes info).",
        "Nothing to do: sup2circus writes the closest circus level.",
        message=(
            "loglevel={loglevel} written as loglevel = {level} (circus knows only critical, error, "
            "warning, info, debug)"
        ),
    ),
    Rule(
        "S2C204",
        "pidfile",
        "pidfile semantics differ",
        I,
        "Always writes a pidfile (default supervisord.pid) and overwrites a stale one.",
        "Writes one only when set, and refuses to start when it holds another live pid.",
        "Nothing to do in containers.",
        message=(
            "circusd refuses to start when the pidfile holds another live pid (supervisord "
            "overwrites it)"
        ),
    ),
    Rule(
        "S2C205",
        "daemon-setting",
        "Daemon setting without circus equivalent",
        I,
        "Uses it for its own operation (minfds, minprocs, identifier, nocleanup, strip_ansi, "
        "silent, directory, childlogdir...).",
        "Not converted.",
        "Nothing to do, unless the setting matters for the programs (the message says).",
        message="{detail}",
    ),
    Rule(
        "S2C206",
        "umask-daemon",
        "[supervisord] umask",
        I,
        "Applies umask only when it daemonizes.",
        "[circus] umask applies to every child, always: sup2circus writes it only when "
        "supervisord would daemonize.",
        "Nothing to do.",
        message=(
            "umask={umask} is ignored by supervisord with nodaemon=true; not written (circus would "
            "apply it to every child)"
        ),
    ),
    # ------------------------------------------------------------------ S2C3xx control
    Rule(
        "S2C301",
        "control-endpoint",
        "Control socket becomes an ipc:// endpoint",
        I,
        "Serves XML-RPC on [unix_http_server] file (mode chmod, owner chown).",
        "circusctl talks ZeroMQ over the ipc:// endpoint; its mode comes from circusd's umask "
        "and there is no authentication.",
        "Use circusctl --endpoint <endpoint>.",
        message=(
            "[{section}] file={file}: circusctl uses endpoint ipc://{endpoint} (ZeroMQ, no "
            "authentication; the socket's mode comes from circusd's umask, not chmod)"
        ),
    ),
    Rule(
        "S2C302",
        "inet-http-server",
        "[inet_http_server] becomes a local ipc:// endpoint",
        W,
        "Serves XML-RPC over TCP.",
        "A TCP endpoint would have no authentication (any local user could make circusd run "
        "commands as root), so sup2circus writes an ipc:// socket instead.",
        "Use circusctl on the host, or put an authenticating proxy in front of circus-web.",
        message=(
            "[{section}] port={host}:{port}: written as a local ipc:// endpoint, never TCP "
            "(circus's TCP endpoints have no authentication)"
        ),
    ),
    Rule(
        "S2C303",
        "control-auth",
        "Control server credentials cannot be kept",
        E,
        "Requires a username and password on its control server.",
        "Has no authentication on its control endpoints.",
        "Remove username/password after making sure only trusted users can reach the ipc "
        "socket (its directory's permissions).",
        message="[{section}] requires a username/password, which circus cannot enforce",
    ),
    Rule(
        "S2C304",
        "supervisorctl",
        "[supervisorctl] has no circus counterpart",
        I,
        "Configures the supervisorctl client.",
        "circusctl takes --endpoint or CIRCUSCTL_ENDPOINT.",
        "Nothing to do.",
        message=(
            "[supervisorctl] is not converted: use circusctl --endpoint (or CIRCUSCTL_ENDPOINT)"
        ),
    ),
    Rule(
        "S2C305",
        "rpcinterface",
        "[rpcinterface:x] extension is not converted",
        I,
        "Loads an XML-RPC extension factory into supervisord.",
        "No XML-RPC: the extension is not loaded (and sup2circus never imports it).",
        "Nothing, unless tools depend on that extension's API.",
        message=(
            "[{section}] loads an XML-RPC extension into supervisord; circus has no XML-RPC API and"
            " the extension is not converted (nor imported)"
        ),
    ),
    Rule(
        "S2C307",
        "rpcinterface-module-missing",
        "An [rpcinterface:x] factory's module is not installed here",
        I,
        "Imports the factory when it starts and refuses to start when its module is missing.",
        "No XML-RPC: the extension is not loaded. sup2circus only looks the top-level module "
        "up (importlib.util.find_spec), never imports it. A fact of the converting machine: "
        "info.",
        "Nothing, if the module is installed where supervisord would run.",
        "[rpcinterface:twiddler]\nsupervisor.rpcinterface_factory = supervisor_twiddler."
        "rpcinterface:make_twiddler_rpcinterface",
        message=(
            "[{section}] factory module {module!r} is not installed on this machine: where it"
            " is missing, supervisord refuses to start (circus loads no XML-RPC extension "
            "anyway)"
        ),
    ),
    Rule(
        "S2C306",
        "unix-control-auth",
        "Unix control socket credentials cannot be kept",
        W,
        "Requires a username and password on its unix control socket.",
        "Has no authentication: whoever can open the ipc:// socket controls circusd.",
        "Make sure only trusted users can reach the socket's directory, then remove "
        "username/password.",
        message=(
            "[{section}] requires a username/password; circus endpoints have no authentication: "
            "anyone who can open the socket controls circusd"
        ),
    ),
    # ------------------------------------------------------------------ S2C5xx writing
    Rule(
        "S2C501",
        "unwritable-value",
        "Value circus cannot read back exactly",
        E,
        "Uses the value as written.",
        "circus's ini parser would change this value (comments, $(circus.*) substitution, "
        "surrounding spaces, newlines) and no exact spelling exists.",
        "Change the value; the item is not converted.",
        observes=("argv", "cwd", "env", "user", "stdout", "stderr"),
        message="{detail}",
    ),
    Rule(
        "S2C502",
        "name-case-clash",
        "Watcher names differ only in case",
        W,
        "Treats process names case-sensitively.",
        "Looks watchers up case-insensitively: one of them cannot be addressed by circusctl.",
        "Rename one of the programs.",
        message=(
            "watchers {first!r} and {second!r} differ only in case: circusctl looks names up "
            "case-insensitively, so one cannot be addressed"
        ),
    ),
    # ------------------------------------------------------------------ S2C6xx the lines around
    # the config: Dockerfiles and shell scripts given to --check (see sup2circus.container)
    Rule(
        "S2C601",
        "container-installs-supervisor",
        "The image installs supervisor",
        W,
        "Is installed from the distribution (apt-get install supervisor, apk add supervisor) "
        "or from PyPI (pip install supervisor).",
        "circusd and circusctl come from PyPI (pip install 'sup2circus[circus]' installs circus "
        "0.19, the version sup2circus is verified against, and sup2circus itself, which the "
        "conversion step and --exact's hooks need in the image).",
        "Remove supervisor from the install line and install 'sup2circus[circus]' with pip.",
        "RUN apt-get update && apt-get install -y supervisor",
        message="{install} installs supervisor: remove it from this install and install circus "
        "instead: `pip install --no-cache-dir 'sup2circus[circus]'` (circusd, circusctl, and "
        "sup2circus for the conversion step and --exact's hooks)",
    ),
    Rule(
        "S2C602",
        "container-copies-config",
        "The image copies a supervisor config: add the conversion step after it",
        W,
        "Reads the copied supervisord.conf (or the conf.d file its [include] picks up) when it "
        "starts.",
        "circusd reads circus.ini: convert the config while building, with --strict so that a "
        "config that would behave differently fails the build: RUN sup2circus --strict "
        "/etc/supervisor/supervisord.conf -o /etc/circus.ini (the file supervisord reads, with "
        "its [include]s). Without --exact, a build stage can convert it and COPY --from only "
        "circus.ini into the final image.",
        "Keep the COPY and add the conversion step after it. When the copied file is found in "
        "the build context (next to the Dockerfile, or in the current directory), the finding "
        "lists the watchers it converts to.",
        "COPY supervisord.conf /etc/supervisor/conf.d/app.conf",
        message="{instruction} {source} {dest} copies a supervisor config: keep it, and convert "
        "after {after} while building: `{step}` (the file supervisord reads, with its "
        "[include]s){converts_to}",
    ),
    Rule(
        "S2C603",
        "container-runs-supervisord",
        "A CMD, ENTRYPOINT, RUN or script runs supervisord",
        W,
        "Runs as the container's main process (nodaemon=true or -n).",
        'circusd runs in the foreground by default: CMD ["circusd", "/etc/circus.ini"] '
        "in exec form makes circusd PID 1, so that docker stop's SIGTERM reaches it (the "
        "shell form would leave /bin/sh as PID 1, which ignores SIGTERM). In an entrypoint "
        "script, exec circusd /etc/circus.ini replaces the shell.",
        "Replace the line as the message says.",
        'CMD ["/usr/bin/supervisord", "-n", "-c", "/etc/supervisor/supervisord.conf"]',
        message="{replacement}{step}",
    ),
    Rule(
        "S2C604",
        "container-supervisorctl",
        "A HEALTHCHECK, RUN or script calls supervisorctl",
        W,
        "supervisorctl status exits 3 when a named process (or, without names, any process) is "
        "not RUNNING and 4 for an unknown name or an unreachable supervisord; start, stop and "
        "restart take several names and GROUP:*; reread then update applies a changed config.",
        "circusctl talks to the endpoint in circus.ini's [circus] section (give it with "
        "--endpoint or CIRCUSCTL_ENDPOINT; sup2circus writes it in circus.ini's header). "
        "circusctl status exits 0 whatever the watcher's state (active or stopped; verified "
        "with circusd 0.19), 3 for an unknown watcher and 1 when circusd cannot be reached, and "
        "takes one name and no glob: a health check must compare its output with 'active'. "
        "start, stop and restart take one watcher or a glob (GROUP:*) per command and exit 3 "
        "for an unknown one; reloadconfig rereads circus.ini and applies it; quit stops "
        "circusd. A watcher is 'active' while circusd restarts its process (supervisor: "
        "BACKOFF, not RUNNING). Watcher names come from the conversion: NAME for a program "
        "alone in its group with numprocs=1, GROUP:PROCESS otherwise.",
        "Replace the command with the circusctl one the message spells out.",
        "HEALTHCHECK CMD supervisorctl status web",
        message="{where} runs `{command}`: {replacement}{notes}",
    ),
    Rule(
        "S2C605",
        "container-unparsed",
        "A line that mentions supervisor could not be parsed",
        W,
        "Whatever the line does with supervisor.",
        "sup2circus does not guess: shell text shlex cannot split, a command substitution "
        "($(...), backquotes), a here-document or an unknown instruction is reported instead "
        "of checked.",
        "Check the line by hand (or simplify it so that it can be checked).",
        'RUN sh -c "supervisorctl status',
        message="could not parse this line ({why}) and it mentions supervisor: check by hand "
        "what it needs under circus",
    ),
    Rule(
        "S2C606",
        "container-mentions-supervisor",
        "A line mentions supervisor in a way sup2circus does not recognise",
        I,
        "Whatever the line does with supervisor (a log directory, a plugin such as "
        "supervisor-stdout, a here-document writing a config...).",
        "Not translated: sup2circus only spells out the replacements it knows to be right.",
        "Check the line by hand; delete it if circus does not need it.",
        "RUN mkdir -p /var/log/supervisor",
        message="mentions supervisor in a way sup2circus does not recognise: `{text}`; check by "
        "hand what it needs under circus",
    ),
    # ------------------------------------------------------------------ S2C9xx the linter itself
    Rule(
        "S2C900",
        "unreadable-input",
        "A file given on the command line cannot be read",
        E,
        "Refuses to start when its configuration file is missing or unreadable.",
        "Nothing can be converted from it.",
        "Fix the path, the permissions or the encoding (supervisor reads UTF-8 text). With "
        "--check the other files are still checked and the exit status is 2.",
        message="{error}",
    ),
    Rule(
        "S2C901",
        "invalid-config",
        "supervisord would refuse this configuration",
        E,
        "Refuses to start, naming the bad value (an invalid integer, boolean, signal, format "
        "string, a missing command...).",
        "Nothing is converted: the input is not a working supervisor configuration.",
        "Fix the value the message names; supervisord would fail the same way. With --check "
        "the other files are still checked and the exit status is 2.",
        "[program:web]\ncommand = /usr/bin/web\nstartsecs = soon",
        message="{error}",
    ),
    Rule(
        "S2C902",
        "unused-suppression",
        "A sup2circus suppression comment suppresses nothing",
        W,
        "Treats '; sup2circus: ignore=...' as an ordinary comment.",
        "Not applicable: this finding is about the suppression comment itself. A suppression "
        "that matches no finding (the problem was fixed, the code is misspelled or unknown) "
        "would silently hide a future finding of that code at that place.",
        "Delete the comment or correct the code it names.",
        "[program:web]\ncommand = /usr/bin/web  ; sup2circus: ignore=S2C117",
        message="unused suppression: {reason}",
    ),
    # ------------------------------------------------------------------ container idioms
    Rule(
        "S2C130",
        "fatal-exit-listener",
        "An event listener that stops supervisord when a process gives up",
        W,
        "Runs the listener (sh -c with kill -QUIT $PPID, kill -TERM 1 or supervisorctl "
        "shutdown, for each PROCESS_STATE_FATAL/EXITED event): supervisord stops every process "
        "and exits 0, so the container stops.",
        "With --exact the sup2circus hooks do the same (the listener itself is not converted): "
        "circusd stops every watcher and exits 0 (info). Without --exact nothing knows when a "
        "process gives up and circusd keeps running (warning).",
        "Convert with --exact (or --exit-on-fatal, which exits 1 instead).",
        "[eventlistener:quit]\n"
        "command = sh -c \"printf 'READY\\n' && while read line; do kill -QUIT $PPID; done "
        '< /dev/stdin"\nevents = PROCESS_STATE_FATAL',
        observes=("restarts", "stop"),
        message="{detail}",
    ),
    Rule(
        "S2C131",
        "kill-sigprefix-dash",
        "kill -SIGNAME in a /bin/sh listener never fires under dash",
        W,
        "Runs the listener with /bin/sh: under dash (Debian's and Ubuntu's /bin/sh) "
        "`kill -SIGQUIT` is refused ('invalid signal number or name'), the listener never "
        "stops supervisord and it keeps running after FATAL; bash accepts it (other shells vary).",
        "The conversion reproduces what the listener means (circusd exits), whatever the shell.",
        "Write the signal without SIG (`kill -QUIT $PPID`): then both daemons agree everywhere.",
        "[eventlistener:quit]\n"
        "command = sh -c \"printf 'READY\\n' && while read line; do kill -SIGQUIT $PPID; done "
        '< /dev/stdin"\nevents = PROCESS_STATE_FATAL',
        observes=("stop",),
        message=(
            "`{form}`: dash (Debian's and Ubuntu's /bin/sh) refuses a SIG-prefixed signal name, so "
            "under supervisord there this listener never fires and supervisord keeps running; bash "
            "accepts it (other shells vary). The conversion does what the listener means (circusd "
            "exits); write the signal without SIG (kill -QUIT) so both agree"
        ),
    ),
    Rule(
        "S2C132",
        "supervisor-stdout",
        "supervisor_stdout listener converted to prefixed output streams",
        I,
        "With the supervisor_stdout listener (events=PROCESS_LOG, result_handler="
        "supervisor_stdout:event_handler) prints each chunk of output of the programs with "
        "stdout_events_enabled/stderr_events_enabled on its own stdout as "
        "'<process name> <channel> | <chunk>', besides their usual log.",
        "The listener is not converted; those channels use "
        "sup2circus.circus_streams.PrefixedStdoutStream, which prints the same prefix on "
        "circusd's stdout and copies the output to its usual destination (the hooks' package "
        "must be importable by circusd).",
        "Nothing to do.",
        "[eventlistener:stdout]\ncommand = supervisor_stdout\nevents = PROCESS_LOG\n"
        "result_handler = supervisor_stdout:event_handler",
        observes=("stdout", "stderr"),
        message="{detail}",
    ),
    Rule(
        "S2C133",
        "exit-on-fatal",
        "--exit-on-fatal: circusd exits when a process gives up",
        I,
        "Keeps running when a process enters FATAL (unless a listener stops it).",
        "With --exit-on-fatal the sup2circus hooks stop every watcher and circusd exits 1, so "
        "that a container restart policy (restart: on-failure) takes over.",
        "Nothing to do: you asked for it.",
        observes=("restarts", "stop"),
        message=(
            "--exit-on-fatal: when a process gives up (FATAL), circusd stops every watcher and "
            "exits 1; supervisord keeps running without a listener that stops it"
        ),
    ),
    Rule(
        "S2C134",
        "stdout-device-rotation",
        "A program logged to /dev/stdout with rotation on",
        W,
        "Opens /dev/stdout as a rotating log: when its own output is a pipe (docker logs) the "
        "size check fails after every chunk and a CRIT 'uncaptured python exception ... "
        "Illegal seek' line is logged (the output itself still gets through); with a regular "
        "file it works.",
        "The watcher inherits circusd's stdout: no rotation, no error.",
        "Set stdout_logfile_maxbytes=0 (stderr_logfile_maxbytes=0), as supervisor's docs say.",
        "[program:web]\ncommand = /usr/bin/web\nstdout_logfile = /dev/stdout",
        observes=("stdout", "stderr"),
        message=(
            "{channel}_logfile={path} with {setting}={maxbytes} (rotation on): when supervisord's "
            "output is a pipe (docker logs) it logs a CRIT 'Illegal seek' line after every chunk of"
            " output; with a regular file it works. circusd writes to its own {device} without "
            "rotation and logs nothing: set {setting}=0"
        ),
    ),
    Rule(
        "S2C210",
        "daemon-log-stdout-rotation",
        "[supervisord] logfile=/dev/stdout with rotation on",
        W,
        "Opens /dev/stdout as a rotating log: when its output is a pipe (as under Docker) it "
        "exits at start with 'OSError: [Errno 29] Illegal seek' and starts nothing; with a "
        "regular file it runs.",
        "circusd logs to its stdout and starts every program: the migrated container suddenly "
        "works.",
        "Set logfile_maxbytes=0 in [supervisord].",
        "[supervisord]\nnodaemon = true\nlogfile = /dev/stdout",
        message=(
            "logfile={logfile} with logfile_maxbytes={maxbytes} (rotation on): when supervisord's "
            "output is a pipe (as under Docker) it exits at start with 'OSError: [Errno 29] Illegal"
            " seek' and starts nothing; with a regular file it runs. The converted circusd logs "
            "there and starts every program: set logfile_maxbytes=0 so that both behave the same"
        ),
    ),
)

RULES: dict[str, Rule] = {r.code: r for r in _RULES}


def finding(
    code: str,
    message: str,
    loc: Loc,
    section: str | None = None,
    option: str | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding of rule ``code`` at ``loc`` (with the rule's default severity unless given)."""
    sev = severity if severity is not None else RULES[code].severity
    return Finding(code, sev, message, loc.file, loc.line, section, option, loc.column)
