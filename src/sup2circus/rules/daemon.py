"""S2C2xx and S2C3xx: supervisord's own settings, its control servers and RPC interfaces."""

from __future__ import annotations

from .rule import E, I, Rule, W

RULES: tuple[Rule, ...] = (
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
        "Logs to a single destination (logoutput) without rotation. Reported once, on "
        "logfile (on the section when it is not set), when the destinations or the rotation "
        "differ.",
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
        "Uses it for its own operation (minfds, minprocs, identifier, strip_ansi, directory, "
        "childlogdir...). A setting at supervisor's default value is not reported: it does "
        "what it does unset.",
        "Not converted, except directory when supervisord daemonizes (the working_dir of the "
        "watchers without their own, and the base of the programs' relative directories and "
        "log files) and childlogdir (where the AUTO log files are written).",
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
            "[{section}] port={port}: served on circusd's local endpoint ipc://{endpoint}, "
            "never over TCP (circus's TCP endpoints have no authentication)"
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
    Rule(
        "S2C308",
        "control-server-not-served",
        "A control server after the first of its kind is not served",
        W,
        "Serves every section whose name starts with inet_http_server or unix_http_server "
        "([inet_http_server:admin], [unix_http_server_2], ...), inet ones first, each kind in "
        "the order of the file.",
        "Has one control endpoint. sup2circus converts the first unix server (S2C301) and the "
        "first inet server (S2C302); nothing listens where any other one did. Its credentials "
        "are reported as the first one's (S2C303, S2C306).",
        "Point that server's clients at circusctl --endpoint, then remove the section.",
        "[inet_http_server]\nport = 127.0.0.1:9001\n\n[inet_http_server:admin]\n"
        "port = 0.0.0.0:9002",
        message=(
            "[{section}] {setting}: not served; circusd has one control endpoint "
            "(ipc://{endpoint}) and converts only the first {kind} server, [{first}]"
        ),
    ),
    Rule(
        "S2C210",
        "daemon-log-stdout-rotation",
        "[supervisord] logfile=/dev/stdout with rotation on",
        W,
        "Opens /dev/stdout as a rotating log: when its output is a pipe (as under Docker) it "
        "exits at start with 'OSError: [Errno 29] Illegal seek' and starts nothing; with a "
        "regular file it runs, and each rollover renames /dev/stdout itself to /dev/stdout.1, "
        "taking the device away from every process of the machine, and writes on into a new "
        "regular file /dev/stdout (with logfile_backups=0, or a /proc/self/fd/1 name, it "
        "truncates the file instead).",
        "circusd logs there too (without rotation) and starts every program: the migrated "
        "container suddenly works.",
        "Set logfile_maxbytes=0 in [supervisord].",
        "[supervisord]\nnodaemon = true\nlogfile = /dev/stdout",
        message=(
            "logfile={logfile} with logfile_maxbytes={maxbytes} (rotation on): when supervisord's "
            "output is a pipe (as under Docker) it exits at start with 'OSError: [Errno 29] Illegal"
            " seek' and starts nothing; with a regular file it runs, and each rollover {rollover}."
            " The converted circusd logs "
            "there without rotation and starts every program: set logfile_maxbytes=0 so that both "
            "behave the same"
        ),
    ),
)
