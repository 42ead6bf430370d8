"""--copy: the clipboard through the desktop's own tool, or a clear error when there is none."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from recapmail.clipboard import ClipboardError, copy
from recapmail.errors import RecapmailError


def fake_tool(folder: Path, name: str, out: Path, status: int = 0) -> None:
    """A stand-in clipboard program: a real executable that stores what it reads."""
    script = folder / name
    script.write_text(f'#!/bin/sh\n/bin/cat > "{out}"\nexit {status}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def bare_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    return bin_dir


def test_no_display_is_a_clear_error(bare_env: Path) -> None:
    with pytest.raises(RecapmailError) as info:
        copy("bonjour")
    message = str(info.value)
    assert "no display" in message and "\n" not in message


def test_a_display_without_a_tool_says_what_to_install(
    bare_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    with pytest.raises(ClipboardError, match="install wl-clipboard, xclip or xsel"):
        copy("bonjour")


@pytest.mark.skipif(os.name != "posix", reason="shell stand-in")
def test_x11_text_goes_to_xclip_as_utf8(
    bare_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "clipboard.txt"
    fake_tool(bare_env, "xclip", out)
    monkeypatch.setenv("DISPLAY", ":0")
    copy("Été 2026 : 1\u202f200 participants 👩\u200d💻")
    assert out.read_text(encoding="utf-8") == "Été 2026 : 1\u202f200 participants 👩\u200d💻"


@pytest.mark.skipif(os.name != "posix", reason="shell stand-in")
def test_wayland_is_preferred_and_a_failing_tool_is_reported(
    bare_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "clipboard.txt"
    fake_tool(bare_env, "wl-copy", out, status=1)
    fake_tool(bare_env, "xclip", tmp_path / "unused.txt")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("DISPLAY", ":0")
    with pytest.raises(ClipboardError, match="wl-copy exited with status 1"):
        copy("x")
    assert out.read_text(encoding="utf-8") == "x"
