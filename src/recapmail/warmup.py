"""Importing what the later stages need while the network is waited for.

A first run of the week spends ~0.25 s importing the highlighter, the renderers and their
libraries (mjml, jinja2, Babel), and fetching spends most of its time waiting on sockets with
the GIL released. A daemon thread started with the fetch does those imports in that time; a
module the run reaches first is simply imported there (the import lock serialises the two).
"""

from __future__ import annotations

import importlib
import threading

# Slowest first: what the digest needs right after the fetch, then what renders it.
MODULES = (
    "recapmail.digest",
    "recapmail.highlights",
    "recapmail.highlights.figures",
    "recapmail.serialize",
    "recapmail.editions",
    "recapmail.render.email",
    "recapmail.render.social",
    "recapmail.render.social_voice",
    "recapmail.render.templates",
    "recapmail.render.counting",
    "mjml",
    "jinja2",
    "babel.dates",
    "babel.numbers",
)


def start() -> threading.Thread:
    """Begin importing MODULES in the background; nothing waits for it to end."""
    thread = threading.Thread(target=_import_all, name="recapmail-warm-up", daemon=True)
    thread.start()
    return thread


def _import_all() -> None:
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:
            return
