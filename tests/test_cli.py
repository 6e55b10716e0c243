"""The zoo command: output formats, error style, and no torch import on the fast paths."""

from __future__ import annotations

import json

import pytest

NO_TORCH = """
import io, json, sys, contextlib
from zoo.cli.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main({args!r})
mods = sys.modules
print(json.dumps({{"code": code, "torch": "torch" in mods, "pydantic": "pydantic" in mods}}))
"""


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--json"],
        ["info", "cgan-mlp-28"],
        ["plugins"],
        ["validate"],
        ["components"],
    ],
)
def test_fast_commands_never_import_torch(run, args):
    result = run(code=NO_TORCH.format(args=args))
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state["code"] == 0
    assert state["torch"] is False


def test_import_and_list_do_not_even_import_the_validator(run):
    result = run(code=NO_TORCH.format(args=["list"]))
    assert json.loads(result.stdout.strip().splitlines()[-1])["pydantic"] is False
    plain = run(code="import sys, zoo; zoo.list_models(); print('torch' in sys.modules)")
    assert plain.stdout.strip() == "False"


def test_list_table_and_json(run):
    table = run("list", "dcgan-*")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["NAME", "IMAGE", "CONDITION", "SUMMARY"]
    assert [line.split()[0] for line in lines[1:]] == ["dcgan-32", "dcgan-64"]
    assert lines[1].split()[1:3] == ["3x32x32", "none"]
    rows = run("list", "--json").json()
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)
    assert {"name", "resolution", "channels", "condition", "summary", "origin"} <= set(rows[0])


def test_info_json_is_complete(run):
    data = run("info", "cgan-mlp-28", "--json", "--params").json()
    assert data["condition"] == "class" and data["num_classes"] == 10
    assert data["composition"]["encoders.class"]["use"] == "onehot"
    assert data["composition"]["generator"]["with"]["cond_dim"] == 10
    assert data["composition"]["generator"]["origin"].startswith("zoo ")
    assert (
        data["parameters"]["total"]
        == data["parameters"]["generator"] + data["parameters"]["discriminator"]
    )
    assert data["source"].endswith("registry.yaml:16")


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["info", "dcgan-6"],
            "zoo: error: unknown architecture 'dcgan-6'; did you mean 'dcgan-64'",
        ),
        (
            ["components", "--kind", "gen"],
            "zoo: error: unknown component kind 'gen'; did you mean 'generator'?",
        ),
        (["validate", "/nonexistent.yaml"], "/nonexistent.yaml: No such file or directory"),
    ],
)
def test_errors_are_one_line_without_traceback(run, args, message):
    result = run(*args)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[0].startswith(message)
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(run):
    result = run("--debug", "info", "dcgan-6")
    assert result.returncode == 1 and "Traceback" in result.stderr


@pytest.mark.parametrize("command", ["list", "components", "info", "plugins", "validate"])
def test_help_describes_each_command(run, command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: zoo {command}")
    assert "--json" in result.stdout


def test_top_level_help_lists_commands_and_environment(run):
    out = run("--help").stdout
    for word in ("list", "components", "info", "plugins", "validate", "ZOO_DISABLE_PLUGINS"):
        assert word in out
