"""What made a cached value: recapmail's version and a digest of the source of the modules
that made it. Every cache of the state is keyed by its content and by this, as pelican's file
stamps are: changed code never serves what older code stored, and no number is bumped by hand.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from importlib.util import find_spec
from pathlib import Path

from recapmail import __version__


@functools.cache
def code_version(*modules: str, libraries: tuple[str, ...] = ()) -> str:
    """ "0.1.0+<16 hex digits>" over the files of `modules` (a package: all its .py files, or
    its .pyc files in an install without sources) and the installed versions of `libraries`."""
    digest = hashlib.sha256()
    installed = installed_versions().lower().replace("-", "_").split("\n")
    for library in libraries:  # its dist-info folder names its version: "nh3-0.3.2.dist-info"
        prefix = library.lower().replace("-", "_") + "_"
        digest.update(" ".join(n for n in installed if n.startswith(prefix)).encode() + b"\0")
        digest.update(library.encode() + b"\0")
    for name in modules:
        spec = find_spec(name)
        if spec is None or spec.origin is None:
            raise ImportError(name)
        origin = Path(spec.origin)
        package = origin.name.startswith("__init__.")
        files = sorted(origin.parent.rglob("*.py")) if package else [origin]
        if package and not files:
            files = sorted(origin.parent.rglob("*.pyc"))
        for path in files:
            digest.update(f"{name}:{path.relative_to(origin.parent).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


# The modules every cached value goes through: its form, and the text routines all stages use.
_SHARED = ("recapmail.serialize", "recapmail.model", "recapmail.text")


def parser_version() -> str:
    """What a feed's cached parse depends on: sources/ and what it calls, and the libraries
    that read and clean a feed (an nh3 upgrade must clean the cached feeds again)."""
    return code_version(
        "recapmail.sources", "recapmail.dates", "recapmail.urls", "recapmail.identity", *_SHARED,
        libraries=("nh3", "fastfeedparser", "feedparser", "trafilatura", "lxml", "defusedxml"),
    )  # fmt: skip


def highlighter_version() -> str:
    """What cached highlights depend on: the highlighter, what it calls, its libraries."""
    return code_version("recapmail.highlights", *_SHARED, libraries=("regex", "py3langid"))


def installed_versions() -> str:
    """Every installed distribution and its version ("feedparser-6.0.11.dist-info"), as the
    folders pip keeps them in name them: an install or upgrade of any library changes it.
    (importlib.metadata says the same, reading every METADATA file: 60 ms against 1.)"""
    names = []
    for entry in sys.path:
        if not entry.endswith(("site-packages", "dist-packages")):
            continue
        try:
            with os.scandir(entry) as found:
                names += [e.name for e in found if e.name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return "\n".join(sorted(names))
