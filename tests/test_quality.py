"""The code stays lint-clean and type-checked: ruff and mypy run as part of the suite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install '.[test]'")
    return found


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["ruff", "check", "src", "tests", "benchmarks"],
        ["ruff", "format", "--check", "src", "tests", "benchmarks"],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(args: list[str]) -> None:
    done = subprocess.run(
        [tool(args[0]), *args[1:]], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr


# -- the shape of the code ---------------------------------------------------------------------

SRC = ROOT / "src" / "recapmail"
MAX_LINES = 450


def imports_of(path: Path) -> set[str]:
    """The modules a file imports, at its top or inside a function, or finds to read their data
    (`find_spec("tld")`)."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "find_spec"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
    return found


def test_no_module_is_too_long_to_read() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these modules (over {MAX_LINES} lines): {long}"


# The pipeline reads sources, then highlights, then renders: a stage never imports a later one.
LATER_STAGES = {
    "sources": ("recapmail.render", "recapmail.highlights", "recapmail.pipeline", "recapmail.cli"),
    "highlights": ("recapmail.sources", "recapmail.render", "recapmail.pipeline", "recapmail.cli"),
    "render": ("recapmail.sources", "recapmail.pipeline", "recapmail.cli", "recapmail.mailing"),
}


@pytest.mark.parametrize("stage", sorted(LATER_STAGES))
def test_no_import_runs_back_up_the_pipeline(stage: str) -> None:
    wrong = {
        f"{p.relative_to(SRC)} imports {module}"
        for p in (SRC / stage).rglob("*.py")
        for module in imports_of(p)
        if module.startswith(LATER_STAGES[stage])
    }
    assert wrong == set()


@pytest.mark.slow
def test_every_declared_dependency_is_imported() -> None:
    import importlib.metadata
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0] for d in project["dependencies"]}
    # Distribution name -> the names it installs, as the installed metadata says.
    provides: dict[str, set[str]] = {}
    for module, dists in importlib.metadata.packages_distributions().items():
        for dist in dists:
            provides.setdefault(dist.lower().replace("_", "-"), set()).add(module)
    imported = {m.split(".")[0] for p in SRC.rglob("*.py") for m in imports_of(p)}
    # lxml_html_clean is imported by trafilatura, not by recapmail: pyproject says why.
    needed_by_others = {"lxml-html-clean"}
    unused = {
        name
        for name in declared
        if name.lower().replace("_", "-") not in needed_by_others
        and not provides.get(name.lower().replace("_", "-"), {name}) & imported
    }
    assert unused == set(), f"declared in pyproject.toml, never imported: {unused}"
