"""S2C0xx: reading the files and the values (includes, unknown options, expansions, facts of
this machine)."""

from __future__ import annotations

from .rule import E, I, Rule, W

RULES: tuple[Rule, ...] = (
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
        message='no file matches include pattern "{pattern}" on this machine: nothing from it '
        "is converted (supervisord skips a pattern that matches nothing)",
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
        "Fix the spelling (the message suggests the closest valid name) or delete the line. "
        "A name starting with '[' is a section header missing its ']': a warning, since the "
        "lines after it become options of the section above. So is an option right after a "
        "value ending with ',' (environment=A=1,): the rest of that list, unindented, which "
        "supervisor leaves out of it.",
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
        "sup2circus defers only command, environment, directory and log file values to "
        "circusd's environment; in this one (a name, a number, a flag, an environment key...) "
        "the converting machine's value is written into circus.ini.",
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
        "starts. An undefined X does not stop circusd: $(circus.env.X) stays literal text, and "
        "$X in an env section is empty. In an env section circus also strips the whitespace "
        "around a value X puts at either end of a variable. Reported once per variable, at its "
        "first use (circus.ini's header lists every deferred one).",
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
        whole_file=True,
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
        "User or group does not exist on the converting machine",
        I,
        "Refuses to start when the user (or a socket owner's group) does not exist where it runs.",
        "circusd fails to spawn the process (the watcher stops after max_retry) when the user "
        "does not exist where it runs; a socket owner's group it does not apply at all "
        "(S2C119, S2C301).",
        "Nothing, if the user exists on the target machine.",
        message="{owner_of}{kind} {user!r} does not exist on this machine{consequence}",
    ),
    Rule(
        "S2C012",
        "missing-log-directory",
        "Log file directory does not exist here",
        I,
        "Refuses to start when a log file's directory is missing.",
        "circusd silently drops the whole watcher (only a WARNING in its log) when a "
        "FileStream's directory is missing (AUTO log files go to childlogdir); it refuses to "
        "start when its own log file's directory (logfile) is missing. A fact of the converting "
        "machine (configs are often converted or linted elsewhere than where they run): info.",
        "Make sure the directory exists on the target (e.g. RUN mkdir -p in the Dockerfile).",
        observes=("stdout", "stderr"),
        message=(
            "the directory {directory!r} of {option} does not exist on this machine: where it"
            " is missing, supervisord refuses to start and {circusd} (nothing to do if it"
            " exists where circusd runs)"
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
        "%(ENV_X)s undefined here, in a value sup2circus does not defer",
        E,
        "Expands %(ENV_X)s when it starts, from its own environment (and refuses to start "
        "without X).",
        "sup2circus does not defer a name, a number or a flag to circusd's environment, and "
        "the converting machine does not define X: the section (or, in [supervisord], the "
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
        "The config and the files it includes have no [program:x], [fcgi-program:x] or "
        "[eventlistener:x] section, so circusd would run nothing: the file is not the one that "
        "holds the programs, or the files it includes hold none. (Sections that are there but "
        "not converted each have their own finding, and so has an [include] pattern that "
        "matched nothing here or a file it could not read, S2C001 and S2C002: it is not "
        "reported again as S2C017.)",
        "Convert the file that holds the programs, or the main config that includes it.",
        "[supervisord]\nnodaemon = true\n\n[unix_http_server]\nfile = /run/supervisor.sock",
        message="no programs: circusd would run nothing (the config and the files it includes "
        "have no [program:x], [fcgi-program:x] or [eventlistener:x] section)",
        whole_file=True,
    ),
    Rule(
        "S2C018",
        "env-value-not-written",
        "%(ENV_X)s circus cannot defer, in a value: not written without --resolve-env",
        E,
        "Expands %(ENV_X)s when it starts, from its own environment.",
        "circus defers a value to circusd's environment as $(circus.env.X) only when X is a "
        "name of letters, digits and _, the reference is a plain %(ENV_X)s and, in a command, "
        "circus.ini can keep it where it stands. In environment= it must also be a value "
        "supervisord would not split or unquote: supervisord parses environment= after "
        "expanding it (a comma, a quote or a space in this machine's value makes other "
        "variables or values there), circus passes a deferred value whole. Otherwise only the "
        "converting machine's value "
        "could be written, and sup2circus writes no value of that environment (a secret, "
        "often) unless asked with --resolve-env: the section (in [supervisord], the option) "
        "is not converted.",
        "Write the reference as a plain %(ENV_X)s (outside quotes in a command, not in the "
        'program\'s name; quoted in environment=, KEY="%(ENV_X)s"), rename the variable to '
        "letters, digits and _, or convert with "
        "--resolve-env to write this machine's value into circus.ini.",
        "[program:web]\ncommand = /usr/bin/web --token %(ENV_api-token)s",
        observes=("argv", "cwd", "env", "stdout", "stderr"),
        message="{reason}; {consequence}",
    ),
    Rule(
        "S2C019",
        "path-completed-here",
        "A path completed on the converting machine (~, a relative socket file)",
        W,
        "Completes a path where it starts: a leading ~ in log file, pid file and socket paths "
        "with its own HOME (~user: from that machine's user database), a relative "
        "[unix_http_server] file with its own working directory.",
        "circus.ini holds the path completed on the converting machine: another HOME or "
        "working directory where circusd runs (another user, another machine, another "
        "directory) means another path.",
        "Write the path in full, or convert where HOME and the working directory are the "
        "runtime ones.",
        "[program:web]\ncommand = /usr/bin/web\nstdout_logfile = ~/logs/web.log",
        observes=("stdout", "stderr"),
        message="{what} in {option} is completed now, with this machine's {which}: "
        "supervisord completes it where it starts, with its own",
    ),
)
