"""The command stays thin: cli.py parses arguments and prints; its exceptions become exit
statuses in one function (the work is in the library: lint.py, explain.py, output.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import sup2circus.cli

CLI = Path(sup2circus.cli.__file__)


def test_cli_module_is_at_most_400_lines() -> None:
    assert len(CLI.read_text().splitlines()) <= 400


def test_every_exception_handler_delegates_to_exit_status() -> None:
    tree = ast.parse(CLI.read_text())
    handlers = [n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)]
    assert len(handlers) == 2  # the command's and main()'s (click's own errors)
    for handler in handlers:
        calls = {
            n.func.id
            for n in ast.walk(handler)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert calls == {"_exit_status"}


def test_options_are_declared_once() -> None:
    # every option of the table becomes one field of Args, and nothing else declares one
    params = {p.name for p in sup2circus.cli.cli.params} - {"version", "help"}
    fields = set(sup2circus.cli.Args.__dataclass_fields__)
    assert params == fields
    assert len(sup2circus.cli.OPTIONS) == len(fields) - 1  # FILE... is the argument
    assert "click.option(" not in CLI.read_text().replace("click.option(*flags", "")
