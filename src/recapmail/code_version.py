"""What made a cached value: recapmail's version and a digest of the source of the modules
that made it. Every cache of the state is keyed by its content and by this, as pelican's file
stamps are: changed code never serves what older code stored, and no number is bumped by hand.
"""

from __future__ import annotations

import functools
import hashlib
from importlib.util import find_spec
from pathlib import Path

from recapmail import __version__


@functools.cache
def code_version(*modules: str) -> str:
    """ "0.1.0+<16 hex digits>" over the files of `modules` (a package: all its .py files)."""
    digest = hashlib.sha256()
    for name in modules:
        spec = find_spec(name)
        if spec is None or spec.origin is None:
            raise ImportError(name)
        origin = Path(spec.origin)
        files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
        for path in files:
            digest.update(f"{name}:{path.relative_to(origin.parent).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def parser_version() -> str:
    """What a feed's cached parse depends on: the readers of sources/ and the stored form."""
    return code_version("recapmail.sources", "recapmail.serialize", "recapmail.model")


def highlighter_version() -> str:
    """What cached highlights depend on: the highlighter and the stored form."""
    return code_version("recapmail.highlights", "recapmail.serialize", "recapmail.model")
