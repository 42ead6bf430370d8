"""Recaps kept off the team's site (drafts, `_` and `.` files) never reach any output."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLES

SECRET = "notes internes à ne pas diffuser"


def _draft(front: str) -> str:
    return (
        f"---\ntitle: Brouillon confidentiel\ndate: 2026-11-18\n{front}\n---\n\n"
        f"Ce sont des {SECRET}. La salle comptait 240 personnes et le projet a été annoncé.\n"
    )


@pytest.mark.slow
def test_drafts_never_reach_any_output(tmp_path: Path) -> None:
    config = tmp_path / "examples"
    shutil.copytree(EXAMPLES, config)
    articles = config / "articles"
    (articles / "brouillon-draft.md").write_text(_draft("draft: true"), encoding="utf-8")
    (articles / "brouillon-published.md").write_text(_draft("published: false"), encoding="utf-8")
    (articles / "brouillon-hidden.md").write_text(_draft("hidePost: true"), encoding="utf-8")
    (articles / "_brouillon.md").write_text(_draft("tags: [x]"), encoding="utf-8")
    (articles / "kept.md").write_text(_draft("draft: false"), encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "recapmail", "digest", "--config", str(config / "feeds.toml"),
         "--offline", "--week", "2026-W47", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    texts = [p.read_text(encoding="utf-8") for p in (out / "2026-W47").rglob("*") if p.is_file()]
    leaked = [t for t in texts if "brouillon-" in t or "_brouillon" in t]
    assert not leaked
    digest = (out / "2026-W47" / "digest.json").read_text(encoding="utf-8")
    assert "kept.md" in digest  # `draft: false` is an ordinary recap
