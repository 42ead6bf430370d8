"""Whether an edition on disk is still what a run would write, decided as make decides.

An edition's key hashes all it is made from: recapmail's code, its libraries (the versions
installed) and templates, the config's
newsletter, social and source settings, the period, what every source holds now
(`Gathering.tokens()`: the body of each feed, the size and time of each local file) and the
state's generation (which items went out where). A run whose key equals the one stored for
its output folder, and finds that folder's files as they were written, has nothing to make:
it stops after the conditional GETs. `recapmail digest --force` makes the edition anyway.

Only runs without warnings are remembered: a failed source's fallback may read differently
next time, and its warning must be printed again.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from recapmail import __version__
from recapmail.code_version import installed_versions
from recapmail.config import Config
from recapmail.model import Conflict, Digest, Period
from recapmail.sources.files import files_stamp
from recapmail.state import State


@dataclass(frozen=True, slots=True)
class Remembered:
    """An edition on disk that is still what a run would write, as its run summed it up."""

    files: tuple[str, ...]
    items: int
    shown: int
    checks: tuple[tuple[str, Conflict], ...]
    written_at: datetime
    drafts: int = 0
    too_old: int = 0


@dataclass(frozen=True, slots=True)
class Freshness:
    """What a run is made from, taken before it writes anything: its inputs (None once a
    source failed: never taken as up to date) and the state's generation at that moment."""

    inputs: str | None
    generation: int
    bumps: int  # the run's own writes to the state so far

    @classmethod
    def now(
        cls, cfg: Config, period: Period, state: State, tokens: Sequence[str] | None
    ) -> Freshness:
        inputs = edition_inputs(cfg, period, tokens) if tokens is not None else None
        return cls(inputs, state.generation(), state.own_bumps)

    def current(self, state: State, out_dir: Path) -> Remembered | None:
        if self.inputs is None:
            return None
        return current_edition(state, out_dir, edition_key(self.inputs, self.generation))

    def key_after(self, state: State, clean: bool) -> str | None:
        """The key to remember the edition just written by: None when the run had warnings,
        or when another run changed the state meanwhile."""
        alone = state.generation() == self.generation + state.own_bumps - self.bumps
        if self.inputs is None or not clean or not alone:
            return None
        return edition_key(self.inputs, state.generation())


def edition_inputs(cfg: Config, period: Period, tokens: Sequence[str]) -> str:
    """A hash of everything an edition is made from but the state (see edition_key)."""
    digest = hashlib.sha256()
    parts = (
        __version__, sys.version, files_stamp(_code_files()), installed_versions(),
        files_stamp(_template_files(cfg)),
        repr((cfg.newsletter, cfg.social, cfg.sources)),  # [fetch] cannot change an edition
        period.label, period.start.isoformat(), period.end.isoformat(), *tokens,
    )  # fmt: skip
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


def edition_key(inputs: str, generation: int) -> str:
    """The inputs and the state's generation: a run's own writes move it on."""
    return f"{inputs}:{generation}"


def current_edition(state: State, out_dir: Path, key: str) -> Remembered | None:
    """What the state remembers of `out_dir`, if it was made from `key` and is untouched."""
    stored = state.edition(_stored_as(out_dir))
    if stored is None or stored.key != key or file_stats(out_dir) != stored.files:
        return None
    summary = stored.summary
    try:
        checks = tuple(
            (str(title), Conflict(str(label), tuple((str(v), str(s)) for v, s in values)))
            for title, label, values in summary.get("checks", [])
        )
        return Remembered(
            tuple(sorted(n for n in stored.files if not n.startswith("."))),
            int(summary["items"]), int(summary["shown"]), checks, stored.written_at,
            int(summary.get("drafts", 0)), int(summary.get("too_old", 0)),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError):
        return None  # written by another version: the edition is made again


def remember(
    state: State, out_dir: Path, key: str | None, digest: Digest, *, drafts: int = 0
) -> None:
    """Store what `out_dir` was just made from, or forget it when `key` is None (a run with
    warnings, or one that another run's writes overlapped)."""
    stats = file_stats(out_dir) if key is not None else None
    if key is None or stats is None:
        state.store_edition(_stored_as(out_dir), None)
        return
    summary = {
        "items": len(digest.items), "shown": len(digest.shown),
        "checks": [[title, c.label, c.values] for title, c in digest.checks],
        "drafts": drafts, "too_old": digest.too_old,
    }  # fmt: skip
    state.store_edition(_stored_as(out_dir), key, stats, summary)


def _stored_as(out_dir: Path) -> Path:
    """The folder as the state names it: its absolute path, with the bytes of a name that are
    not UTF-8 escaped (SQLite keeps text; a folder `caf\\xe9` would otherwise end the run)."""
    return Path(os.fsencode(out_dir.resolve()).decode("utf-8", "backslashreplace"))


def file_stats(folder: Path) -> dict[str, tuple[int, int]] | None:
    """Each file of `folder` (relative name -> size, modification time); None if absent."""
    stats: dict[str, tuple[int, int]] = {}
    try:
        for path in folder.rglob("*"):
            st = path.stat()
            if not stat.S_ISDIR(st.st_mode):
                stats[path.relative_to(folder).as_posix()] = (st.st_size, st.st_mtime_ns)
    except OSError:
        return None
    return stats or None


def _code_files() -> Iterable[Path]:
    """recapmail's own modules: a changed install (or an edited checkout) makes editions anew."""
    package = Path(__file__).resolve().parent
    return (p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def _template_files(cfg: Config) -> Iterable[Path]:
    from recapmail.render.templates import shipped_templates

    folders = [shipped_templates(), cfg.newsletter.templates_dir]
    for folder in folders:
        if folder is not None and folder.is_dir():
            yield from (p for p in folder.rglob("*") if p.is_file())
