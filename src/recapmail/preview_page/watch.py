"""Live preview: poll what a digest is made from, render it again from the cache, report changes.

Polling mtimes costs a few hundred stat calls a second for a typical project and needs no extra
dependency; editors that write a file in several steps are covered by waiting until two polls
agree before rendering.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterable
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from recapmail.errors import RecapmailError
from recapmail.preview_page.editions import Edition, read_edition

if TYPE_CHECKING:
    from recapmail.config import Config

log = logging.getLogger(__name__)

Snapshot = dict[str, tuple[int, int]]
_MAX_FILES = 20_000  # a source folder bigger than this is watched only in part
_GLOBAL = ""  # the errors key of a config error, which concerns every digest
_SETTLE = 0.1  # seconds between two looks at a changed file, until it stops changing


def snapshot(paths: Iterable[Path]) -> Snapshot:
    """(mtime_ns, size) of every file under `paths`; hidden files and folders are left out."""
    found: Snapshot = {}
    for root in paths:
        if root.is_file():
            _stat_into(found, root)
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if not name.startswith(".") and len(found) < _MAX_FILES:
                    _stat_into(found, Path(folder) / name)
    return found


def _stat_into(found: Snapshot, path: Path) -> None:
    try:
        st = path.stat()
    except OSError:
        return
    found[str(path)] = (st.st_mtime_ns, st.st_size)


def output_snapshot(out_dir: Path) -> Snapshot:
    """The digest folders' files, without their hidden temporary neighbours."""
    if not out_dir.is_dir():
        return {}
    folders = [p for p in out_dir.iterdir() if not p.name.startswith(".") and p.is_dir()]
    return snapshot(folders)


class Live:
    """The preview's moving parts: the config, what it reads, the digests' last render errors.

    `version` grows whenever what a page shows may have changed; pages wait on it.
    """

    def __init__(self, out_dir: Path, config_path: Path | None, interval: float = 0.25) -> None:
        self.out_dir = out_dir
        self.config_path = config_path
        self.interval = interval
        # Milliseconds at start: a page reconnecting to a restarted preview sees a newer version.
        self.version = time.time_ns() // 1_000_000
        self.errors: dict[str, str] = {}
        self.config: Config | None = None
        self._changed = threading.Condition()
        self._render_lock = threading.RLock()
        self._stopped = threading.Event()
        self._viewers: Counter[str] = Counter()
        self._inputs_version = 0
        self._fresh: dict[str, int] = {}  # digest name -> inputs version it was rendered at
        self._load_config()
        self._inputs = snapshot(self.input_paths())
        self._outputs = output_snapshot(out_dir)
        self._thread = threading.Thread(target=self._run, name="recapmail-watch", daemon=True)

    # -- what is watched ---------------------------------------------------------------------

    def input_paths(self) -> list[Path]:
        """The config, its templates (user's and shipped) and its local sources."""
        from recapmail.render.templates import shipped_templates

        paths = [shipped_templates()]
        if self.config_path is not None:
            paths.append(self.config_path)
        cfg = self.config
        if cfg is not None:
            if cfg.path is not None:
                paths.append(cfg.path)
            if cfg.newsletter.templates_dir is not None:
                paths.append(cfg.newsletter.templates_dir)
            paths.extend(s.path for s in cfg.enabled_sources if s.path is not None)
        return list(dict.fromkeys(p for p in paths if p.exists()))

    def _load_config(self) -> None:
        from recapmail.config import load_config

        try:
            self.config = load_config(self.config_path)
        except RecapmailError as exc:
            self.errors[_GLOBAL] = str(exc)
            return
        self.errors.pop(_GLOBAL, None)
        if self.config_path is None and self.config.path is not None:
            self.config_path = self.config.path

    # -- the loop ----------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        with self._changed:
            self._changed.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                self.poll()
            except Exception:  # the watcher must outlive any surprise; the page keeps working
                log.exception("preview: watching failed once; still watching")

    def poll(self) -> None:
        """One round: inputs first (they re-render), then the output folder."""
        inputs = snapshot(self.input_paths())
        if inputs != self._inputs:
            while not self._stopped.wait(_SETTLE):  # until the editor has finished writing
                settled = snapshot(self.input_paths())
                if settled == inputs:
                    break
                inputs = settled
            config_changed = self._config_stamp(inputs) != self._config_stamp(self._inputs)
            self._inputs = inputs
            self._inputs_version += 1
            if config_changed:
                self._load_config()
                self._inputs = snapshot(self.input_paths())  # sources may have changed too
                self._bump()
            for name in self.viewed():
                self.ensure_fresh(name)
        with self._render_lock:  # never compare with a folder half-way through a re-render
            outputs = output_snapshot(self.out_dir)
            if outputs != self._outputs:
                self._outputs = outputs
                self._bump()

    def _config_stamp(self, snap: Snapshot) -> tuple[int, int] | None:
        return snap.get(str(self.config_path)) if self.config_path else None

    # -- rendering again ----------------------------------------------------------------------

    def ensure_fresh(self, name: str) -> None:
        """Render digest `name` again if what it is made from changed since its last render."""
        with self._render_lock:  # a page request and the watcher may ask at the same moment
            if self._fresh.get(name, 0) >= self._inputs_version:
                return
            folder = self.out_dir / name
            if not (folder / "digest.json").is_file():
                return
            self._fresh[name] = self._inputs_version
            self.rerender(read_edition(folder))

    def rerender(self, edition: Edition) -> None:
        """Run the pipeline offline for this period; any failure is kept for the page to show."""
        if not edition.weekly or self.config is None or self.config.path is None:
            return  # a special edition is not kept with what made it; its files still reload
        assert edition.start is not None and edition.end is not None
        from recapmail.model import Period
        from recapmail.pipeline import run_digest

        period = Period(
            start=edition.start.astimezone(UTC),
            end=edition.end.astimezone(UTC),
            label=edition.label,
            timezone=edition.timezone,
        )
        with self._render_lock:
            try:
                # Read-only: looking at a draft changes nothing of what the next one holds.
                run_digest(
                    self.config, period, self.out_dir, offline=True, allow_empty=True,
                    read_only=True,
                )  # fmt: skip
            except RecapmailError as exc:
                self._set_error(edition.name, str(exc))
            except Exception as exc:  # a bug in a stage must not stop the preview
                self._set_error(edition.name, describe(exc))
            else:
                self._set_error(edition.name, None)
                self._outputs = output_snapshot(self.out_dir)  # one reload, not two
                self._bump()

    def _set_error(self, name: str, message: str | None) -> None:
        if message is None:
            if self.errors.pop(name, None) is not None:
                self._bump()
            return
        log.warning("preview: %s: %s", name, message)
        self.errors[name] = message
        self._bump()

    def error_for(self, name: str | None) -> str | None:
        """What the page of digest `name` (or the index, for None) must show as an error."""
        found = [self.errors.get(_GLOBAL)]
        if name:
            found.append(self.errors.get(name))
        return "\n".join(e for e in found if e) or None

    # -- pages waiting for changes -------------------------------------------------------------

    def _bump(self) -> None:
        with self._changed:
            self.version += 1
            self._changed.notify_all()

    def wait(self, since: int, timeout: float) -> int:
        """Block until the version passes `since`, the timeout ends or the preview stops."""
        with self._changed:
            self._changed.wait_for(lambda: self.version > since or self.stopped, timeout)
            return self.version

    def viewing(self, name: str | None, delta: int) -> None:
        """Count the pages open on digest `name`: they are rendered again when inputs change."""
        if name:
            with self._changed:
                self._viewers[name] += delta
                if self._viewers[name] <= 0:
                    del self._viewers[name]

    def viewed(self) -> list[str]:
        with self._changed:
            return list(self._viewers)


def describe(exc: BaseException) -> str:
    """One line for an unexpected error: the innermost template line if any, else the code line."""
    frames = traceback.extract_tb(exc.__traceback__)
    templates = [f for f in frames if f.filename.endswith(".j2")]
    where = (templates or frames)[-1] if (templates or frames) else None
    prefix = f"{where.filename}:{where.lineno}: " if where else ""
    return f"{prefix}{type(exc).__name__}: {exc}"
