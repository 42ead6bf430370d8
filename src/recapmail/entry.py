"""The `recapmail` command: `--version` answered before the command line is even imported
(typer alone costs ~0.1 s), everything else by cli.main."""

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from recapmail import __version__

        print(f"recapmail {__version__}")
        return
    from recapmail.cli import main as run

    run()
