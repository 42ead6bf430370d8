"""Errors that reach the user: each carries a message a person can act on and an exit code."""

from __future__ import annotations


class RecapmailError(Exception):
    """Base of every error the CLI turns into one line and an exit code."""

    exit_code = 1


class UsageError(RecapmailError):
    """Options that contradict each other; exit code 2 like typer's own usage errors."""

    exit_code = 2


class ConfigError(RecapmailError):
    """feeds.toml is missing, malformed or holds a wrong value."""


class SourceError(RecapmailError):
    """An input (file, folder, URL, feed) cannot be read."""


class DraftSkipped(SourceError):
    """A recap marked as a draft (front matter `draft: true`, `published: false`,
    `hidePost: true`): read on purpose, never sent."""


class RenderError(RecapmailError):
    """A template failed to render; the message names the template and line."""


class SendError(RecapmailError):
    """The SMTP server refused or could not be reached."""


class StrictFailure(RecapmailError):
    """`--strict` and at least one source failed."""

    exit_code = 4
