"""Answers kept by model and prompt, so that making an edition again gives the same bytes.

They live in the state's highlights cache (same table, an "llm:" prefix on the key): kept while
used, dropped after HIGHLIGHTS_KEEP_DAYS unused, and never written by the preview's read-only
state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from recapmail.drafting.prompt import Message

if TYPE_CHECKING:
    from recapmail.state import State

PREFIX = "llm:"


def answer_key(model: str, messages: list[Message]) -> str:
    data = json.dumps([model, messages], ensure_ascii=False, sort_keys=True)
    return PREFIX + hashlib.sha256(data.encode()).hexdigest()


def cached(state: State | None, keys: Iterable[str]) -> dict[str, str]:
    return state.cached_highlights(keys) if state is not None else {}


def store(state: State | None, new: Mapping[str, str], used: Iterable[str]) -> None:
    if state is not None and (new or used):
        state.store_highlights(new, used)
