"""S2C6xx: the lines around the config (Dockerfiles and shell scripts that use supervisor)."""

from __future__ import annotations

from .rule import E, I, Rule, W  # noqa: F401 - not every table uses every severity

RULES: tuple[Rule, ...] = (
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
        "script, exec circusd /etc/circus.ini replaces the shell when supervisord is its last "
        "command; where the script goes on after supervisord (started with & or forking "
        "without -n), circusd ... & or circusd --daemon does the same, as exec would end the "
        "script there.",
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
        "($(...), backquotes), a here-document in a Dockerfile RUN or an unknown instruction "
        "is reported instead of checked; the lines of a script's here-document are text, "
        "reported as S2C606 when they mention supervisor.",
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
)
