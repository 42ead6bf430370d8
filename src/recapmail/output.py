"""Write an output folder all at once: a run that dies leaves the old folder or the new one.

Files go to a hidden temporary folder beside the target, are flushed to disk, then swapped
with the target in one atomic `renameat2(RENAME_EXCHANGE)` on Linux; elsewhere two renames,
with a recovery step that puts the old folder back if a run died between them.
Runs sharing an output folder take turns under an exclusive lock on the parent folder, so
one run's recovery never deletes another's temporary folder mid-write.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from recapmail.errors import RecapmailError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_TMP_PREFIX = ".tmp-"
_OLD_PREFIX = ".old-"
_PIECE = 1 << 20  # characters of a long file encoded at a time


def write_folder(target: Path, files: Mapping[str, str | bytes]) -> Path:
    """Replace `target` with a folder holding exactly `files` (relative name -> content)."""
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with _locked(parent):
            recover(parent)
            tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{target.name}-", dir=parent))
            try:
                tmp.chmod(0o777 & ~_umask())  # mkdtemp makes 0700: a web server could not read it
                for name, content in files.items():
                    _write_file(tmp, name, content)
                _fsync_dir(tmp)
                _swap_into_place(tmp, target)
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
            _fsync_dir(parent)
    except OSError as exc:
        hint = "check the --out path and free disk space"
        if exc.errno == errno.EFBIG:
            hint = "raise the file-size limit (ulimit -f)"
        raise RecapmailError(
            f"{target}: cannot write the output folder ({exc.strerror or exc}); {hint}"
        ) from None
    return target


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it (/proc), else set
    and put back at once."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_folder(target: Path) -> None:
    """Remove `target` at once: renamed to a temporary name (which a killed run's recovery
    deletes), then deleted."""
    parent = target.parent
    try:
        with _locked(parent):
            doomed = parent / f"{_TMP_PREFIX}{target.name}-{os.getpid()}-removed"
            target.rename(doomed)
            shutil.rmtree(doomed, ignore_errors=True)
            _fsync_dir(parent)
    except OSError as exc:
        raise RecapmailError(
            f"{target}: cannot remove the out-of-date draft ({exc.strerror or exc})"
        ) from None


def locked(folder: Path) -> contextlib.AbstractContextManager[None]:
    """An exclusive lock on `folder` held by this process until the block ends (sends of one
    edition take turns, so the second finds the first's send log)."""
    return _locked(folder)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` itself (no lock file to leave behind).

    The kernel drops the lock when its holder dies, so a killed run never blocks the next.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, the atomic swap still holds for one run
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def tidy(parent: Path) -> None:
    """recover() `parent` if no run is writing there now (else that run tidies it): for a run
    that finds its edition up to date and so writes nothing, after one that was killed."""
    try:
        import fcntl
    except ImportError:
        return
    try:
        fd = os.open(parent, os.O_RDONLY)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        recover(parent)
    except OSError:
        pass  # busy (another run writes), or read-only: left for the next write
    finally:
        os.close(fd)


def recover(parent: Path) -> None:
    """Undo what a killed run left in `parent`: stray temporary folders, an unswapped old one.

    Call it only while holding the folder's lock (see `write_folder`), or when no run is live.
    """
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        if entry.name.startswith(_OLD_PREFIX):
            original = parent / entry.name[len(_OLD_PREFIX) :].rsplit("-", 1)[0]
            if not original.exists():
                entry.rename(original)  # died between the two renames: the old folder returns
            else:
                shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(_TMP_PREFIX) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def _write_file(root: Path, name: str, content: str | bytes) -> None:
    path = (root / name).resolve()
    if root.resolve() not in path.parents:
        raise ValueError(f"output file name escapes the folder: {name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        if isinstance(content, str):  # encoded a piece at a time: no copy of a long file
            for start in range(0, len(content), _PIECE):
                handle.write(content[start : start + _PIECE].encode("utf-8"))
        else:
            handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _swap_into_place(tmp: Path, target: Path) -> None:
    if not target.exists():
        tmp.rename(target)
        return
    if _exchange(tmp, target):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old folder
        return
    old = target.parent / f"{_OLD_PREFIX}{target.name}-{os.getpid()}"
    target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux renameat2; False when the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
