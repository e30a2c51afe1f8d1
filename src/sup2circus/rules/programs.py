"""S2C1xx: what a program does under circusd (restarts, stops, wrappers, streams,
environment, listeners)."""

from __future__ import annotations

from .rule import E, I, Rule, W

RULES: tuple[Rule, ...] = (
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
        "A process that exits before startsecs is a failed start, retried up to startretries "
        "times (1 s, 2 s, 3 s... back-off) whatever autorestart says; when the last retry "
        "fails too (startretries + 1 failed starts in a row) it becomes FATAL and is not "
        "restarted.",
        "circus restarts a failing process forever at check_delay pace (max_retry only counts "
        "spawn errors); with respawn = false (autorestart=false) it never restarts it.",
        "Convert with --exact (hooks reproduce it), or accept the difference in failure handling.",
        observes=("restarts",),
        message="startsecs={startsecs}, startretries={startretries}: {effect}",
    ),
    Rule(
        "S2C103",
        "stopasgroup",
        "stopasgroup/killasgroup have no circus equivalent",
        W,
        "stopasgroup: sends the stop signal (and SIGKILL) to the whole process group, children "
        "and grandchildren too; killasgroup alone: only the SIGKILL after stopwaitsecs.",
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
        "SUPERVISOR_SERVER_URL (serverurl, else its first control server's, if it has one) in "
        "every child.",
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
        "sup2circus writes a deterministic FileStream path in childlogdir instead, which circus "
        "never removes: the same file is appended to across restarts.",
        "Set the log file path explicitly to silence this.",
        observes=("stdout", "stderr"),
        message=(
            "{setting}=AUTO: supervisord picks a random file name in childlogdir; written as "
            "{watchers}"
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
        "S2C115",
        "env-wrapper",
        "Environment value circus would rewrite: set through `env`",
        I,
        "Passes environment values exactly.",
        "Rewrites [env] values: strips spaces, cuts at ' ;', expands $UPPER names from "
        "circusd's environment. sup2circus sets such values with an `env NAME=value` "
        "wrapper in the command instead, which is exact -- except for a deferred %(ENV_X)s in "
        "the value (a warning then): circus puts circusd's value of X into cmd before "
        "splitting it, so whitespace, quotes or backslashes in it change what the program gets; "
        "a value split in two even makes `env` run its second half instead of the wrapper and "
        "the program (no umask, no redirection). The sh wrapper's $(circus.env.PWD) reads the "
        "[env] section as written, names ignoring case: a PWD with a deferred %(ENV_X)s, or a "
        "pwd in another case, is set through `env` too when the command has that wrapper.",
        "Nothing to do; with --no-wrappers the value cannot be written (error). For the "
        "warning: define X in [supervisord] environment= (then it is converted exactly), or "
        "convert with --resolve-env.",
        # a split value breaks everything the wrapper does
        observes=("env", "argv", "umask", "stdout", "stderr"),
        message="variable {variable}: {reason}; set through an `env` wrapper in cmd instead{how}",
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
        "Runs a relative command containing '/' from the program's directory, but first "
        "requires the same path to exist relative to its own working directory; where it does "
        "not, the process never starts (FATAL).",
        "Runs it from working_dir, with no such check.",
        "Use an absolute path.",
        observes=("argv",),
        message=(
            "command {program} is relative: both daemons run it from {directory}, but supervisord "
            "first requires it to exist relative to its own working directory too (else the "
            "process never starts); circus does not; use an absolute path"
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
        "chowns the unix socket to socket_owner, else (running as root) to the program's user.",
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
            "'{group}:*'` reaches them{but}; circus stops them concurrently"
        ),
    ),
    Rule(
        "S2C122",
        "user-from-supervisord",
        "[supervisord] user applied to every watcher",
        I,
        "Drops privileges itself, so every child without its own user= runs as that user.",
        "circusd keeps running as the user that started it; every watcher without its own user "
        "gets uid instead.",
        "Start circusd as that user if the daemon itself must not run as root.",
        message=(
            "[supervisord] user={user}: supervisord drops privileges itself; written as uid on "
            "every watcher without its own user (circusd itself keeps its user)"
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
        "Close the quote or escape the character in command; a ';' or '#' after a space "
        "starts an inline comment, which ends the command there: write it without the space.",
        "[program:web]\ncommand = /usr/bin/web 'unclosed",
        observes=("argv",),
        message=(
            "the command {problem}: supervisord would fail to start it; watcher not converted"
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
        "file each rollover renames /dev/stdout itself to /dev/stdout.1, taking the device away "
        "from every process of the machine, and writes on into a new regular file /dev/stdout "
        "(with backups=0, or a /proc/self/fd/1 name, it truncates the file instead).",
        "The watcher inherits circusd's stdout: no rotation, no error.",
        "Set stdout_logfile_maxbytes=0 (stderr_logfile_maxbytes=0), as supervisor's docs say.",
        "[program:web]\ncommand = /usr/bin/web\nstdout_logfile = /dev/stdout",
        observes=("stdout", "stderr"),
        message=(
            "{channel}_logfile={path} with {setting}={maxbytes} (rotation on): when supervisord's "
            "output is a pipe (docker logs) it logs a CRIT 'Illegal seek' line after every chunk of"
            " output; when it is a regular file, each rollover {rollover}. circusd writes to its "
            "own {device} without rotation and logs nothing: set {setting}=0"
        ),
    ),
    Rule(
        "S2C135",
        "stderr-logfile-redirected",
        "stderr_logfile is ignored under redirect_stderr=true",
        I,
        "With redirect_stderr=true, ignores stderr_logfile (stderr goes to stdout's log) and "
        "warns at every start: 'redirect_stderr=true but stderr_logfile has also been set to a "
        "filename, the filename has been ignored'.",
        "The converted watcher does the same: stderr shares stdout's stream, and the file "
        "stderr_logfile names is never written.",
        "Remove stderr_logfile, or set redirect_stderr=false to keep a separate stderr log.",
        "[program:web]\ncommand = /usr/bin/web\nredirect_stderr = true\n"
        "stderr_logfile = /var/log/web.err",
        message=(
            "stderr_logfile={path} is ignored: redirect_stderr=true sends stderr to stdout's "
            "log, in supervisord (which warns at startup) and in circus alike"
        ),
    ),
    Rule(
        "S2C136",
        "directory-empty",
        "directory is empty",
        E,
        "Accepts directory= with no value, then never runs the program: at every start its "
        "child fails to change to the directory '' (\"couldn't chdir to : ENOENT\") and exits "
        "with status 127 (with the default startsecs, FATAL after startretries).",
        "Not converted: a watcher with no working_dir would run the program in circusd's own "
        "directory.",
        "Set directory to the program's directory, or remove the line.",
        "[program:web]\ncommand = /usr/bin/web\ndirectory =",
        observes=("cwd",),
        message=(
            "directory is empty: supervisord would fail to start the program (couldn't chdir "
            "to ''); watcher not converted"
        ),
    ),
    Rule(
        "S2C137",
        "path-daemon-directory",
        "A log path or directory starting with a deferred %(ENV_X)s, under [supervisord] directory",
        I,
        "Opens a program's log files and changes to its directory after it daemonized and "
        "changed to [supervisord] directory: a relative path is relative to that directory.",
        "circusd opens its streams and starts its watchers from the directory it was started "
        "in (circusd --daemon does not change directory); sup2circus joins a relative path "
        "with directory, but a path that starts with a %(ENV_X)s deferred to circusd is "
        "relative or absolute as X's value says, which is not known when converting: it is "
        "written as it stands, right only if X holds an absolute path.",
        "Nothing to do if X holds an absolute path where circusd runs; otherwise write the "
        "path in full.",
        "[supervisord]\ndirectory = /srv\n\n[program:web]\ncommand = /usr/bin/web\n"
        "stdout_logfile = %(ENV_LOGS)s/web.log",
        observes=("stdout", "stderr", "cwd"),
        message=(
            "{option} starts with %(ENV_{name})s, deferred to circusd: supervisord takes it "
            "from its directory {directory} if {name} is a relative path, circusd from its own "
            "working directory; written as it stands (right if {name} is absolute)"
        ),
    ),
    Rule(
        "S2C138",
        "user-unreachable",
        "A program's user other than [supervisord] user",
        E,
        "Drops privileges to [supervisord] user when it starts; a child can then not switch to "
        'another user ("Can\'t drop privilege as nonroot user"): the program exits with '
        "status 127 at every start and never runs (FATAL after startretries).",
        "Not converted: circusd, started as root, would run the program as that user.",
        "Remove the program's user= (it then runs as [supervisord] user), give it the same "
        "user, or remove [supervisord] user=.",
        "[supervisord]\nuser = nobody\n\n[program:web]\ncommand = /usr/bin/web\nuser = root",
        observes=("user",),
        message=(
            "user={user} while supervisord runs as [supervisord] user={daemon_user}: it cannot "
            "switch to another user, so the program never runs; watcher not converted"
        ),
    ),
)
