from __future__ import annotations

from pathlib import Path

import pytest

from recapmail.errors import RecapmailError
from recapmail.output import recover, write_folder


def listing(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_writes_new_folder_with_subfolders(tmp_path: Path) -> None:
    target = tmp_path / "out" / "2026-W47"
    write_folder(target, {"a.txt": "A", "social/b.txt": "B"})
    assert listing(target) == {"a.txt": "A", "social/b.txt": "B"}
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["2026-W47"]


def test_replaces_old_folder_whole(tmp_path: Path) -> None:
    target = tmp_path / "2026-W47"
    write_folder(target, {"a.txt": "old", "stale.txt": "gone soon"})
    write_folder(target, {"a.txt": "new"})
    assert listing(target) == {"a.txt": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["2026-W47"]


def test_failed_render_leaves_old_folder(tmp_path: Path) -> None:
    target = tmp_path / "2026-W47"
    write_folder(target, {"a.txt": "old"})
    with pytest.raises(ValueError, match="escapes"):
        write_folder(target, {"a.txt": "new", "../evil.txt": "x"})
    assert listing(target) == {"a.txt": "old"}
    assert not (tmp_path / "evil.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["2026-W47"]


def test_recover_restores_folder_left_between_renames(tmp_path: Path) -> None:
    old = tmp_path / ".old-2026-W47-1234"
    old.mkdir()
    (old / "a.txt").write_text("previous")
    (tmp_path / ".tmp-2026-W47-abc").mkdir()
    recover(tmp_path)
    assert listing(tmp_path / "2026-W47") == {"a.txt": "previous"}
    assert [p.name for p in tmp_path.iterdir()] == ["2026-W47"]


def test_unwritable_parent_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RecapmailError, match="cannot write the output folder"):
        write_folder(blocker / "2026-W47", {"a.txt": "x"})


def _write_many(target: str, tag: int) -> None:
    for round_ in range(15):
        write_folder(Path(target), {"who.txt": f"{tag}-{round_}", f"sub/{tag}.txt": "x" * 5000})


@pytest.mark.slow
def test_runs_writing_the_same_folder_at_once_all_succeed(tmp_path: Path) -> None:
    """Two digests into one --out must not delete each other's half-written folders."""
    import multiprocessing

    target = tmp_path / "out" / "2026-W47"
    context = multiprocessing.get_context("fork")
    with context.Pool(6) as pool:
        pool.starmap(_write_many, [(str(target), tag) for tag in range(6)])
    (who,) = [p.read_text() for p in target.glob("who.txt")]
    tag = who.split("-")[0]
    assert listing(target) == {"who.txt": who, f"sub/{tag}.txt": "x" * 5000}
    assert [p.name for p in target.parent.iterdir()] == ["2026-W47"]
