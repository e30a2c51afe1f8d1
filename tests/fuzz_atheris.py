"""Coverage-guided fuzzing of the public API with atheris (libFuzzer).

Run for a fixed number of iterations (tests/equivalence/test_fuzz.py does this with a short
budget)::

    python tests/fuzz_atheris.py -atheris_runs=2000 -timeout=20 -rss_limit_mb=2048 CORPUS_DIR

Each input is turned into supervisor config text (UTF-8, surrogates replaced) and converted with
``sup2circus.convert_text`` inside an empty temp directory (``base_dir``: ``[include]`` globs find
nothing outside it unless they are absolute). The property: the conversion returns a Conversion,
or raises ``Sup2CircusError`` whose message is one line starting with the file it is about. Any
other exception is a crash: libFuzzer stops, prints the input and writes it as ``crash-*``
(``-artifact_prefix``).

The seed corpus (written by ``--seed DIR``) holds a few valid configs so that mutations start
from meaningful structure.
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports(include=["sup2circus"]):
    # the pipeline modules are imported lazily by convert_text: import them here so that they
    # are instrumented (coverage-guided), not just the package's __init__
    import sup2circus
    import sup2circus.build
    import sup2circus.datatypes
    import sup2circus.read
    import sup2circus.translate
    import sup2circus.write
    from sup2circus import Sup2CircusError

FILENAME = "fuzz.conf"
BASE_DIR = tempfile.mkdtemp(prefix="s2cath")

SEEDS = {
    "basic": """[supervisord]
nodaemon = true
environment = A="1",B='two words'

[program:web]
command = /usr/bin/python3 -m http.server %(process_num)d ; comment
process_name = %(program_name)s_%(process_num)02d
numprocs = 2
environment = X="%(ENV_HOME)s",Y=%(here)s
autorestart = unexpected
exitcodes = 0,2
stopsignal = INT
stdout_logfile = /tmp/%(program_name)s.log
stdout_logfile_maxbytes = 1MB
redirect_stderr = true
priority = 10
""",
    "groups": """[supervisord]
[program:a]
command = /bin/cat
[program:b]
command = /bin/sleep 10
stopasgroup = true
user = nobody
[group:g]
programs = a,b
priority = 5
[unix_http_server]
file = /tmp/s.sock
[inet_http_server]
port = 127.0.0.1:9001
username = u
password = p
""",
    "fcgi-listener": """[fcgi-program:f]
command = /usr/bin/php-cgi
socket = unix:///tmp/php.sock
socket_mode = 0700
process_name = %(program_name)s_%(process_num)s
numprocs = 2
[eventlistener:e]
command = /bin/cat
events = PROCESS_STATE,TICK_60
[include]
files = nothing/*.conf
""",
}


def one_input(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        conv = sup2circus.convert_text(text, filename=FILENAME, base_dir=BASE_DIR)
    except Sup2CircusError as err:
        msg = str(err)
        # one line, starting with the file it is about (the config or an included file)
        if "\n" in msg or not err.file or not msg.startswith(err.file):
            raise AssertionError(f"bad error message: {msg!r}") from None
        return
    if "[circus]" not in conv.text:
        raise AssertionError("a conversion without a [circus] section")


def write_seeds(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    for name, text in SEEDS.items():
        with open(os.path.join(directory, f"seed-{name}.conf"), "w", encoding="utf-8") as fh:
            fh.write(text)


def main() -> None:
    args = list(sys.argv)
    if len(args) > 2 and args[1] == "--seed":
        write_seeds(args[2])
        del args[1:3]
        if len(args) == 1:
            return
    atheris.Setup(args, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
