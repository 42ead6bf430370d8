"""The installed package carries its templates: a non-editable `pip install .` must work."""

from __future__ import annotations

from pathlib import Path

import pytest

import recapmail
from recapmail.render.templates import shipped_templates

ROOT = Path(__file__).resolve().parent.parent


def test_templates_are_found() -> None:
    templates = shipped_templates()
    assert (templates / "email").is_dir()
    assert (templates / "social").is_dir()
    assert any((templates / "email").glob("*.j2"))
    assert any((templates / "social").glob("*.j2"))


def test_installed_package_ships_same_templates_as_repository() -> None:
    package = Path(recapmail.__file__).resolve().parent
    if ROOT / "src" in package.parents:
        pytest.skip("running from the source tree (editable install)")
    shipped = package / "templates"
    assert shipped_templates() == shipped
    in_repo = sorted(p.relative_to(ROOT / "templates") for p in (ROOT / "templates").rglob("*.j2"))
    in_package = sorted(p.relative_to(shipped) for p in shipped.rglob("*.j2"))
    assert in_package == in_repo


def test_ci_runs_the_readme_test_command_as_written() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    command = lines[next(i for i, line in enumerate(lines) if line.startswith("# the tests")) + 1]
    assert command.endswith("python3 -m pytest") and "python3 -m venv .venv" in command
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


@pytest.mark.slow
def test_global_flags_work_after_the_command_too() -> None:
    import subprocess
    import sys

    for flags in (["-q"], ["--verbose"], ["--debug"]):
        done = subprocess.run(
            [sys.executable, "-m", "recapmail", "highlights", *flags, "--json",
             str(ROOT / "examples" / "articles" / "kubecon-na-2026-notes.txt")],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, (flags, done.stderr)
        assert done.stdout.startswith("[")


def test_help_names_what_to_give_not_python_types() -> None:
    from typer.testing import CliRunner

    from recapmail.cli import app

    for command in ("digest", "highlights", "send", "publish", "archive", "unsubscribe"):
        shown = CliRunner().invoke(app, [command, "--help"]).stdout
        assert "list[str]" not in shown and "<path>" not in shown and "<str>" not in shown, shown
