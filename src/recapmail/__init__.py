"""recapmail: turn event recaps and news feeds into a newsletter and social posts."""

import os as _os
import signal as _signal
import sys as _sys

__version__ = "0.1.0"


def _interrupted_early(signum: int, frame: object) -> None:
    """Ctrl-C before a command has started (while Python imports what it needs, ~0.1 s): the
    same one line and exit status as during the command."""
    _os.write(2, b"Interrupted.\n")
    _os._exit(130)


def _launched_as_cli() -> bool:
    """`recapmail ...` or `python -m recapmail ...` (argv[0] is "-m" while the package is
    imported), not an import by a program of the user's or by the tests."""
    first = _sys.argv[0] if _sys.argv else ""
    return first.rsplit(_os.sep, 1)[-1] == "recapmail" or first == "-m"


if _launched_as_cli() and _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
    _signal.signal(_signal.SIGINT, _interrupted_early)
