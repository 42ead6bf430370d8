"""Put a post on the system clipboard with the tool the desktop provides.

macOS has pbcopy; Wayland wl-copy; X11 xclip or xsel; Windows and WSL clip.exe. A machine with
none of them (a server, a container, an SSH session without a display) gets a clear error
rather than a silent no-op.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from recapmail.errors import RecapmailError

TIMEOUT = 5.0


class ClipboardError(RecapmailError):
    """No clipboard on this machine, or the clipboard tool failed."""


def copy(text: str) -> None:
    """Copy `text` to the clipboard, or raise ClipboardError saying why it cannot be done."""
    command, encoding = _command()
    try:
        done = subprocess.run(
            command,
            input=text.encode(encoding, errors="replace"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # xclip and wl-copy keep serving: never wait on a pipe
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ClipboardError(
            f"clipboard: {command[0]} failed ({exc}); copy the post from the output instead"
        ) from None
    if done.returncode != 0:
        raise ClipboardError(
            f"clipboard: {command[0]} exited with status {done.returncode}; "
            "copy the post from the output instead"
        )


def _command() -> tuple[list[str], str]:
    """The clipboard tool to run and the encoding it reads."""
    if sys.platform == "darwin" and shutil.which("pbcopy"):
        return ["pbcopy"], "utf-8"
    if sys.platform == "win32" or _is_wsl():
        clip = shutil.which("clip.exe") or shutil.which("clip")
        if clip:
            return [
                clip
            ], "utf-16"  # with its byte-order mark, the only encoding clip.exe reads whole
    if os.environ.get("WAYLAND_DISPLAY") and shutil.which("wl-copy"):
        return ["wl-copy"], "utf-8"
    if os.environ.get("DISPLAY"):
        if shutil.which("xclip"):
            return ["xclip", "-selection", "clipboard"], "utf-8"
        if shutil.which("xsel"):
            return ["xsel", "--clipboard", "--input"], "utf-8"
    if shutil.which("pbcopy"):
        return ["pbcopy"], "utf-8"
    raise ClipboardError(_why_none())


def _why_none() -> str:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return (
            "clipboard: this session has no display (no DISPLAY or WAYLAND_DISPLAY), so there is "
            "no clipboard; copy the post from the output, or use --json"
        )
    return (
        "clipboard: no clipboard tool found (install wl-clipboard, xclip or xsel); "
        "copy the post from the output instead"
    )


def _is_wsl() -> bool:
    try:
        return "microsoft" in Path("/proc/version").read_text("utf-8", errors="replace").lower()
    except OSError:
        return False
