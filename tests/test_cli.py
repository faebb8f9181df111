"""Every command has help, and the README documents every command and option."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT

from kg.cli import cli

COMMANDS = sorted(cli.commands)
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_commands():
    assert {"export", "validate", "context"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help(name: str):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: cli {name}")
    assert len(cli.commands[name].help or "") > 40


@pytest.mark.parametrize("name", COMMANDS)
def test_readme_documents_command_and_options(name: str):
    assert re.search(rf"aim-kg {name}\b", README), f"README does not mention aim-kg {name}"
    for param in cli.commands[name].params:
        if isinstance(param, click.Option):
            longest = max(param.opts, key=len)
            assert longest in README, f"README does not mention {longest} of aim-kg {name}"


def test_top_level_help_and_version():
    runner = CliRunner()
    assert "Exit codes" in runner.invoke(cli, ["--help"]).output
    assert runner.invoke(cli, ["--version"]).output.startswith("aim-kg, version")


def test_readme_exit_code_table():
    for code in ("0", "1", "2", "3"):
        assert re.search(rf"^\| {code} \|", README, re.M), f"exit code {code} missing from README"
