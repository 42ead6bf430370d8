"""The examples' 2026-W47 edition, every file byte for byte (the .eml decoded as text), against
tests/golden/edition/2026-W47/: a change of one byte of a template, a string or a highlight
shows here. `python3 -m pytest --update-golden` rewrites them after a deliberate change; read
the diff before committing it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.golden import assert_golden

from .conftest import EXAMPLES

pytestmark = pytest.mark.slow  # real processes, servers and files: see pyproject's markers

MADE = "2026-11-23T08:00:00+00:00"  # the run's clock, the only thing that differs between runs


def stable(name: str, text: str, work: Path) -> str:
    """The file with its wall-clock stamps (and the hash that covers one) and the folder it
    was made in fixed."""
    text = text.replace(str(work), "<work>")
    if name == "digest.json":
        return re.sub(r'"generated_at": "[^"]+"', f'"generated_at": "{MADE}"', text)
    if name == ".edition.json":
        data = json.loads(text)
        data["made_at"], data["digest_sha"] = MADE, "(the hash of digest.json)"
        data["items_sha"] = "(the hash of the items)"
        for item in data["items"]:
            item["article"]["first_seen"] = MADE
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return text


def make_edition(work: Path, hash_seed: str = "0") -> Path:
    """The examples' W47 made by `recapmail digest` in a process of its own, in `work`."""
    shutil.copytree(EXAMPLES, work / "examples")
    env = {**os.environ, "RECAPMAIL_STATE": str(work / "state.sqlite3")}
    env["PYTHONHASHSEED"] = hash_seed
    run = subprocess.run(
        [sys.executable, "-m", "recapmail", "digest", "--config", "examples/feeds.toml",
         "--offline", "--week", "2026-W47", "--out", "out"],
        cwd=work, capture_output=True, text=True, check=False, timeout=120, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return work / "out" / "2026-W47"


def files_of(edition: Path) -> dict[str, str]:
    names = sorted(p.relative_to(edition).as_posix() for p in edition.rglob("*") if p.is_file())
    work = edition.parent.parent
    return {n: stable(n, (edition / n).read_bytes().decode("utf-8"), work) for n in names}


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_edition(tmp_path_factory.mktemp("golden"))


def test_every_file_of_the_edition_is_the_reviewed_one(edition: Path) -> None:
    names = sorted(p.relative_to(edition).as_posix() for p in edition.rglob("*") if p.is_file())
    assert names == [
        ".edition.json", "digest.json", "newsletter.eml", "newsletter.html", "newsletter.mjml",
        "newsletter.txt", "social/bluesky.txt", "social/linkedin.txt", "social/mastodon.txt",
    ]  # fmt: skip
    for name in names:
        text = (edition / name).read_bytes().decode("utf-8")
        assert_golden(Path("edition/2026-W47") / name, stable(name, text, edition.parent.parent))


def test_the_edition_does_not_depend_on_the_hash_seed(edition: Path, tmp_path: Path) -> None:
    """Sets and dicts iterate in another order under another PYTHONHASHSEED: nothing shown
    may follow that order."""
    other = make_edition(tmp_path, hash_seed="4242")
    assert files_of(other) == files_of(edition)
