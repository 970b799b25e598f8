"""Every command and option a user can type is documented in the README."""

from __future__ import annotations

from pathlib import Path

import typer.main

from claimgraph.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_and_option_is_in_the_readme():
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        assert f"claimgraph {name}" in README, f"command {name} is not documented in README.md"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt not in ("--help",):
                    assert opt in README, f"option {opt} of `claimgraph {name}` is not in README.md"


def test_readme_opens_with_the_two_setup_commands():
    head = README.split("\n## ")[0]
    assert "make demo" in head and "make test" in head
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "make test" in ci
