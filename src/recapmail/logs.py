"""Warnings and errors from the stages, on stderr: labelled, coloured on a terminal, said once."""

from __future__ import annotations

import logging
import sys
from typing import ClassVar


class CollapseRepeats(logging.Filter):
    """Say a repeated warning once (a feed with 500 bad dates would otherwise flood)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        key = record.getMessage()
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


class LabelFormatter(logging.Formatter):
    _LABELS: ClassVar[dict[str, tuple[str, str]]] = {
        "WARNING": ("Warning", "\x1b[33m"),
        "ERROR": ("Error", "\x1b[31m"),
    }

    def __init__(self, color: bool) -> None:
        super().__init__()
        self.color = color

    def format(self, record: logging.LogRecord) -> str:
        label, ansi = self._LABELS.get(record.levelname, (record.levelname.title(), ""))
        text = f"{label}: {record.getMessage()}"
        return f"{ansi}{text}\x1b[0m" if self.color and ansi else text


def setup_logging(*, debug: bool = False, quiet: bool = False, color: bool = False) -> None:
    logger = logging.getLogger("recapmail")
    logger.setLevel(logging.DEBUG if debug else logging.ERROR if quiet else logging.WARNING)
    for handler in list(logger.handlers):
        if isinstance(handler.formatter, LabelFormatter):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LabelFormatter(color))
    handler.addFilter(CollapseRepeats())
    logger.addHandler(handler)
    logger.propagate = False
