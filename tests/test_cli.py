"""The command line as a user meets it: exit codes and the exact error lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recapmail import __version__
from recapmail.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    assert run("--version") == (0, f"recapmail {__version__}\n", "")


def test_python_dash_m_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "recapmail", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout == f"recapmail {__version__}\n"


def commands() -> list[str]:
    """The app's own list, so that a command added or removed changes what is checked."""
    import typer.core
    import typer.main

    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return sorted(group.commands)


def test_the_app_has_the_commands_of_the_contract() -> None:
    # DESIGN's command line (★): scripts call these by name.
    contract = {"digest", "highlights", "newsletter", "social", "preview", "send", "feeds"}
    assert contract <= set(commands())


def test_help_lists_every_command_with_its_summary() -> None:
    code, out, _ = run("--help")
    assert code == 0
    section = out.split("Commands:\n", 1)[1]
    listed = [line.split()[0] for line in section.splitlines() if line.startswith("  ")]
    assert sorted(listed) == commands()


@pytest.mark.parametrize("command", commands())
def test_every_command_has_its_help_and_its_row_in_readme(command: str) -> None:
    code, out, err = run(command, "--help")
    assert (code, err) == (0, "")
    assert f"recapmail {command}" in out
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"| `recapmail {command}" in readme, f"README's table of commands lacks {command}"


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.md"
    code, out, err = run("highlights", str(missing))
    assert code == 1
    assert out == ""
    assert err.strip().splitlines() == [f"Error: {missing}: no such file (check the path)"]


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("  \n\n")
    code, _, err = run("highlights", str(empty))
    assert (code, err) == (1, f"Error: {empty}: the file is empty\n")


def test_binary_file(tmp_path: Path) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    code, _, err = run("highlights", str(binary))
    assert code == 1
    assert (
        err
        == f"Error: {binary}: looks like a binary file, not text (expected .md, .txt or .html)\n"
    )


def test_malformed_config_names_line_and_key(tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text('[newsletter]\ntitle = "Hebdo"\nmax_items = "ten"\n')
    code, _, err = run("digest", "--config", str(config), "--offline", "--out", str(tmp_path / "o"))
    assert code == 1
    assert err == f"Error: {config}:3: newsletter.max_items: must be an integer\n"
    assert not (tmp_path / "o").exists()


def test_unknown_option_is_usage_error() -> None:
    code, _, err = run("digest", "--bogus")
    assert code == 2
    assert "No such option: --bogus" in err


def test_week_and_since_together_is_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text("")
    code, _, err = run("digest", "-c", str(config), "--week", "2026-W47", "--since", "2026-11-01")
    assert (code, err) == (2, "Error: use either --week or --since/--until, not both\n")


@pytest.mark.parametrize("command", ["digest", "highlights", "newsletter", "social", "send"])
def test_every_command_has_help(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "Usage: recapmail" in out


def test_readme_shows_every_command() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for command in ("digest", "highlights", "newsletter", "social", "preview", "send", "feeds"):
        assert f"recapmail {command}" in readme


@pytest.mark.parametrize("command", [None, "digset", *commands()])
def test_the_lean_app_a_run_builds_says_what_the_full_one_says(command: str | None) -> None:
    """main() builds only the command it runs: its help, the list of commands and the
    "did you mean" of a mistyped one are the full app's."""
    from recapmail.cli import lean_app

    args = [command, "--help"] if command else ["--help"]
    full = runner.invoke(app, args)
    lean = runner.invoke(lean_app(app, command), args)
    assert (lean.exit_code, lean.stdout, lean.stderr) == (full.exit_code, full.stdout, full.stderr)


def test_shell_completion_knows_every_commands_options() -> None:
    env = {**__import__("os").environ, "_RECAPMAIL_COMPLETE": "complete_bash",
           "COMP_WORDS": "recapmail digest --we", "COMP_CWORD": "2"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "recapmail"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "--week" in done.stdout.split()
