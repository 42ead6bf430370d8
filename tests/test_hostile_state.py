"""The state file and the writes of a run, as a user's machine has them: a state path that is
not a file, a state that cannot be written, and a file-size limit (ulimit -f) that stops a
write part-way. Each ends in one clear line, leaves nothing half-written, and loses nothing."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.hostile import AS_A_USER, assert_clean_failure, edition_folders, run_cli
from tests.test_hostile_runs import assert_complete, assert_state_sound, digest_args, workspace

pytestmark = pytest.mark.slow  # real processes, servers and files: see pyproject's markers

# Runs the rest of the command line with a file-size limit: a write past it fails with EFBIG
# (Python ignores SIGXFSZ, which would otherwise kill it), as under `ulimit -f`.
_FSIZE = (
    "import os, resource, sys\n"
    "limit = int(sys.argv[1])\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def with_file_size_limit(limit: int) -> tuple[str, ...]:
    return (sys.executable, "-c", _FSIZE, str(limit))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- a state path that is not a file --------------------------------------------------------


def _folder(path: Path) -> None:
    path.mkdir()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _loop(path: Path) -> None:
    path.symlink_to(path.with_name("other"))
    path.with_name("other").symlink_to(path)


def _device(name: str) -> object:
    def make(path: Path) -> None:
        path.symlink_to(name)

    return make


NOT_A_FILE = [
    ("folder", _folder, "is a folder, not a state file"),
    ("fifo", _fifo, "is a FIFO, not a state file"),
    ("dev-null", _device("/dev/null"), "is a device, not a state file"),
    ("dev-full", _device("/dev/full"), "is a device, not a state file"),
    ("link loop", _loop, "cannot look at it (Too many levels of symbolic links)"),
]


@pytest.mark.parametrize(
    ("name", "make", "message"), NOT_A_FILE, ids=[case[0] for case in NOT_A_FILE]
)
def test_a_state_path_that_is_not_a_file_is_one_line(
    name: str, make: object, message: str, tmp_path: Path
) -> None:
    """SQLite took a folder for a read-only file, and a FIFO or /dev/null for a failing disk;
    a FIFO could also block the run. Each is said for what it is, before anything is read."""
    _config, env = workspace(tmp_path, 2)
    state = tmp_path / "state.sqlite3"
    make(state)  # type: ignore[operator]
    for command in (digest_args("2026-W47"), ["editions", "out"]):
        run = run_cli(*command, cwd=tmp_path, env=env, timeout=30)
        assert_clean_failure(run, f"state file {state}", message)
    assert not (tmp_path / "out").exists()


# -- a state that cannot be written -----------------------------------------------------------

needs_a_user = pytest.mark.skipif(AS_A_USER is None, reason="root, and no setpriv to drop it")


@needs_a_user
@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_state_is_one_line_and_stays_as_it_was(what: str, tmp_path: Path) -> None:
    _config, env = workspace(tmp_path, 3)
    state = tmp_path / "keep" / "state.sqlite3"
    state.parent.mkdir()
    env["RECAPMAIL_STATE"] = str(state)
    first = run_cli(*digest_args("2026-W47"), cwd=tmp_path, env=env, timeout=60)
    assert first.code == 0, first.stderr[-2000:]
    before = assert_complete(tmp_path / "out" / "2026-W47")
    assert run_cli("publish", "out/2026-W47", cwd=tmp_path, env=env).code == 0
    held = sha(state)
    locked = state if what == "file" else state.parent
    locked.chmod(0o444 if what == "file" else 0o555)
    try:
        run = run_cli(*digest_args("2026-W48"), cwd=tmp_path, env=env, timeout=60,
                      prefix=AS_A_USER or ())  # fmt: skip
        listing = run_cli("editions", "out", cwd=tmp_path, env=env, timeout=60,
                          prefix=AS_A_USER or ())  # fmt: skip
    finally:
        locked.chmod(0o644 if what == "file" else 0o755)
    assert_clean_failure(run, f"state file {state} cannot be written", "RECAPMAIL_STATE")
    assert not (tmp_path / "out" / "2026-W48").exists()
    # what went out can still be listed from a state one may only read
    assert listing.code == 0 and "2026-W47" in listing.stdout, listing.stderr[-2000:]
    assert sha(state) == held
    again = run_cli(*digest_args("2026-W47"), cwd=tmp_path, env=env, timeout=60)
    assert again.code == 0 and assert_complete(tmp_path / "out" / "2026-W47") == before


@needs_a_user
def test_a_state_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    _config, env = workspace(tmp_path, 1)
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o555)
    env["RECAPMAIL_STATE"] = str(closed / "state.sqlite3")
    try:
        run = run_cli(*digest_args("2026-W47"), cwd=tmp_path, env=env, timeout=60,
                      prefix=AS_A_USER or ())  # fmt: skip
    finally:
        closed.chmod(0o755)
    assert_clean_failure(run, "cannot create it (Permission denied)")
    assert not list(closed.iterdir())


# -- a file-size limit -------------------------------------------------------------------------


def test_a_file_size_limit_stops_a_run_cleanly_and_loses_nothing(tmp_path: Path) -> None:
    """From a limit under SQLite's first page of shared memory to one over every file: the
    run either finishes or says in one line which write the limit stopped; the folder is
    whole or absent, the state sound, and a run without the limit gives the same edition."""
    _config, env = workspace(tmp_path, 12)
    baseline = run_cli(*digest_args("2026-W47", "base"), cwd=tmp_path, env=env, timeout=60)
    assert baseline.code == 0, baseline.stderr[-2000:]
    expected = assert_complete(tmp_path / "base" / "2026-W47")
    files = [p.stat().st_size for p in (tmp_path / "base" / "2026-W47").rglob("*") if p.is_file()]
    state = Path(env["RECAPMAIL_STATE"])
    biggest = max(files)
    limits = sorted({1_000, 20_000, biggest // 2, biggest - 1, biggest + 1, 4 * biggest})
    said: dict[str, int] = {}
    for limit in limits:
        case = tmp_path / f"limit-{limit}"
        case.mkdir()
        shutil.copy(state, case / "state.sqlite3")  # a state as the weekly job finds it
        env_case = {**env, "RECAPMAIL_STATE": str(case / "state.sqlite3")}
        run = run_cli(*digest_args("2026-W47", str(case / "out")), cwd=tmp_path, env=env_case,
                      timeout=60, prefix=with_file_size_limit(limit))  # fmt: skip
        if run.code == 0:
            said["finished"] = said.get("finished", 0) + 1
            assert assert_complete(case / "out" / "2026-W47") == expected
        else:
            assert_clean_failure(run, "ulimit -f")
            line = run.error_lines[0]
            kind = "state" if line.startswith("Error: state file") else "output"
            said[kind] = said.get(kind, 0) + 1
            assert line.startswith(("Error: state file", f"Error: {case / 'out'}")), line
            for edition in edition_folders(case / "out") if (case / "out").exists() else []:
                assert_complete(edition)
        assert_state_sound(env_case)
        again = run_cli(*digest_args("2026-W47", str(case / "out")), cwd=tmp_path,
                        env=env_case, timeout=60)  # fmt: skip
        assert again.code == 0, again.stderr[-2000:]
        assert assert_complete(case / "out" / "2026-W47") == expected
        leftovers = [p.name for p in (case / "out").iterdir() if p.name.startswith(".")]
        assert leftovers == [], (limit, leftovers)
    # a special edition writes no state: there, the limit stops the output folder's files
    for limit in (1_000, biggest // 2, 4 * biggest):
        out = tmp_path / f"special-{limit}"
        run = run_cli("newsletter", "recaps", "--out", str(out), cwd=tmp_path, env=env,
                      timeout=60, prefix=with_file_size_limit(limit))  # fmt: skip
        if run.code == 0:
            said["finished"] = said.get("finished", 0) + 1
            (edition,) = edition_folders(out)
            assert len(assert_complete(edition)) == len(expected)
        else:
            assert_clean_failure(run, "cannot write the output folder (File too large)")
            said["output"] = said.get("output", 0) + 1
        assert not out.exists() or [p.name for p in out.iterdir() if p.name[0] == "."] == []
    # the family reached both writes it is about, and a limit that leaves room for all
    assert set(said) == {"state", "output", "finished"}, (limits, said)
