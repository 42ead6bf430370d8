"""Golden files: compare output with a reviewed copy; `pytest --update-golden` rewrites them."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

UPDATE_ENV = "RECAPMAIL_UPDATE_GOLDEN"
GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(path: Path, text: str) -> None:
    """Fail with a unified diff when `text` differs from `path` (taken from tests/golden/)."""
    path = path if path.is_absolute() else GOLDEN / path
    if os.environ.get(UPDATE_ENV) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    if not path.exists():
        pytest.fail(f"{path} is missing: run pytest --update-golden, then review the new file")
    expected = path.read_bytes().decode("utf-8")
    if expected != text:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"{path} (golden)",
            tofile="rendered",
            n=2,
        )
        pytest.fail("output differs from the golden file:\n" + "".join(diff), pytrace=False)
