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
